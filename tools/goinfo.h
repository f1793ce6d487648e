/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A reader of the build information the Go linker embeds in every Go binary (the
 * `.go.buildinfo` blob `go version -m` prints), written from the layout Go's own
 * debug/buildinfo reads:
 *
 *   offset 0   "\xff Go buildinf:"      14-byte magic, the blob is 16-byte aligned
 *   offset 14  pointer size (4 or 8)
 *   offset 15  flags: 0x1 big-endian pointers, 0x2 strings inline (Go >= 1.18)
 *   inline:    offset 32: uvarint length + version ("go1.19.8 X:boringcrypto"), then
 *              uvarint length + module info
 *   pointers:  offset 16: address of the version's Go string header {data, len}, then the
 *              address of the module info's; each read through the file's address space
 *
 * Module info is text, one tab-separated line per fact ("path\t...", "mod\t...",
 * "dep\t...", "build\tKEY=VALUE"); when it is framed by 16-byte sentinels (its 17th byte
 * from the end is '\n') they are cut off. Everything read is untrusted: every length is
 * checked against the blob or the mapped memory (tests/fuzz/fuzz_gobuildinfo.c).
 */
#ifndef FIPSRT_GOINFO_H
#define FIPSRT_GOINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum goinfo_status {
    GOINFO_OK = 0,
    GOINFO_NONE = -1,       /* no build-info magic */
    GOINFO_MALFORMED = -2,  /* the magic, but a length, pointer or string is out of range */
    GOINFO_NOMEM = -3,
};

/* "\xff Go buildinf:" */
#define GOINFO_MAGIC "\xff Go buildinf:"
#define GOINFO_MAGIC_LEN 14
#define GOINFO_HEADER_LEN 32
/* Go refuses strings longer than this in the pointer format; so do we, in both. */
#define GOINFO_MAX_STRING (1u << 20)

/* Reads @p len bytes at virtual address @p addr of the binary, or NULL if not mapped. */
typedef const uint8_t *(*goinfo_read_fn)(void *ctx, uint64_t addr, uint64_t len);

struct goinfo_setting {
    char *key, *value;
};

struct goinfo {
    bool inline_strings;   /* Go >= 1.18 layout */
    unsigned ptr_size;
    char *version;         /* "go1.19.8 X:boringcrypto"; "" if the binary has none */
    char *path;            /* main package path ("path" line), or NULL */
    char *main_module;     /* "mod" line: module path and version, or NULL */
    size_t n_deps;         /* "dep" lines */
    struct goinfo_setting *settings;  /* "build" lines, in order */
    size_t n_settings;
};

/* Parse the blob at @p blob (@p len bytes from the magic on) into @p out (zeroed first;
 * free with goinfo_free, also after a failure). @p read resolves the pointer format's
 * addresses; NULL makes that format GOINFO_MALFORMED. */
int goinfo_parse(const uint8_t *blob, size_t len, goinfo_read_fn read, void *read_ctx,
                 struct goinfo *out);
void goinfo_free(struct goinfo *g);
/* The value of build setting @p key ("GOEXPERIMENT", "-tags", ...), or NULL. */
const char *goinfo_setting(const struct goinfo *g, const char *key);
/* Whether comma-separated @p list holds @p item ("boringcrypto" in "X:a,boringcrypto"). */
bool goinfo_list_has(const char *list, const char *item);
const char *goinfo_strerror(int status);

#endif
