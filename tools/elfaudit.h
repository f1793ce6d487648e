/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bounds-checked reader of the ELF facts `fipsrt check` needs: DT_NEEDED libraries,
 * imported (undefined) dynamic symbols with the library their version binds them to, and
 * the "@(#)libfipsrt <version>" marker a static copy of the runtime leaves in .rodata.
 *
 * For Go binaries it also reads the build information (tools/goinfo.c) and looks for the
 * function names that tell which crypto implementation was linked in (GOEV_* below) in
 * the pclntab (kept by `strip` and `-ldflags=-s`), the symbol table, or else the read-only
 * segments.
 *
 * Parses a memory buffer (no I/O, no subprocess), ELF32 and ELF64 in either byte order.
 * Every offset, size and count read from the file is checked against the buffer: a
 * malformed file gives ELFAUDIT_MALFORMED, never a crash (tests/fuzz/fuzz_elf.c).
 */
#ifndef FIPSRT_ELFAUDIT_H
#define FIPSRT_ELFAUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "goinfo.h"

enum elfaudit_status {
    ELFAUDIT_OK = 0,
    ELFAUDIT_NOT_ELF = -1,    /* no ELF magic, or an unknown class / byte order */
    ELFAUDIT_MALFORMED = -2,  /* a header, table or string lies outside the file */
    ELFAUDIT_NOMEM = -3,
};

/* An undefined dynamic symbol: what the binary expects a shared library to provide. */
struct elfaudit_import {
    char *name;
    char *version;  /* symbol version ("OPENSSL_3.0.0"), NULL if unversioned */
    char *library;  /* library that version belongs to ("libcrypto.so.3"), NULL if unknown */
    bool weak;
};

/* Go symbol evidence: which crypto packages a Go binary's function names show. */
enum {
    GOEV_GOLANG_FIPS = 1 << 0,  /* vendor/github.com/golang-fips/openssl, _Cfunc_go_openssl_ */
    GOEV_BORING = 1 << 1,       /* _Cfunc__goboringcrypto_, crypto/internal/boring/sig.BoringCrypto */
    GOEV_FIPSONLY = 1 << 2,     /* crypto/tls/fipsonly */
    GOEV_MICROSOFT = 1 << 3,    /* github.com/microsoft/go-crypto-winnative / -darwin */
    GOEV_BACKEND = 1 << 4,      /* crypto/internal/backend (Microsoft's and golang-fips's forks) */
    GOEV_STD_CRYPTO = 1 << 5,   /* any crypto/... or golang.org/x/crypto/... function */
    GOEV_FIPS140 = 1 << 6,      /* crypto/internal/fips140/vX.Y.Z: a frozen Go FIPS module */
    GOEV_NOT_BORING = 1 << 7,   /* crypto/internal/boring/sig.StandardCrypto: the stubs */
};

struct elfaudit {
    int elf_class;          /* 32 or 64 */
    bool big_endian;
    unsigned type;          /* e_type: ET_EXEC, ET_DYN, ... */
    unsigned machine;       /* e_machine */
    bool has_sections;      /* false for binaries with their section headers removed */
    bool has_dynamic;       /* has a dynamic section or PT_DYNAMIC segment */
    bool has_interp;        /* has PT_INTERP (a dynamically linked executable) */
    char *soname;           /* DT_SONAME, or NULL */
    char **needed;          /* DT_NEEDED, in order */
    size_t n_needed;
    struct elfaudit_import *imports;
    size_t n_imports;
    bool marker;            /* "@(#)libfipsrt " found in read-only data */
    char marker_version[32];
    /* A linked-in copy of OpenSSL (libcrypto.a / libssl.a): the evidence found in read-only
     * data (one of its source file names or assembler banners), "" if none. */
    char embedded_openssl[64];
    char *runpath;          /* DT_RUNPATH, else DT_RPATH, or NULL */
    bool runpath_is_rpath;
    bool provider_module;   /* defines OSSL_provider_init: an OpenSSL provider (fips.so, ...) */
    bool imports_dlopen;    /* imports dlopen / dlmopen */
    bool names_libcrypto;   /* read-only data holds "libcrypto.so" (a dlopen target) */
    /* Go. */
    bool is_go;             /* .go.buildinfo, .gopclntab or .note.go.buildid, or the magic */
    int go_status;          /* goinfo_parse() status; GOINFO_NONE if no blob was found */
    struct goinfo go;
    unsigned go_evidence;   /* GOEV_* */
    const char *go_evidence_from;  /* "pclntab", "symtab", "segments" or NULL: not searched */
    char go_fips140_module[32];    /* "v1.0.0" from crypto/internal/fips140/v1.0.0, or "" */
};

/* Parse @p len bytes at @p buf into @p out (zeroed first; free with elfaudit_free). */
int elfaudit_parse(const uint8_t *buf, size_t len, struct elfaudit *out);
/* The same; with ELFAUDIT_RELEASE_PAGES, @p buf must be a private read-only file mapping
 * (mmap): pages of large regions already searched are dropped (madvise MADV_DONTNEED) so
 * memory stays bounded whatever the file's size. */
#define ELFAUDIT_RELEASE_PAGES 1u
int elfaudit_parse_ex(const uint8_t *buf, size_t len, unsigned flags, struct elfaudit *out);
/* Release what elfaudit_parse() allocated (also after a failed parse); idempotent. */
void elfaudit_free(struct elfaudit *a);
/* "not an ELF file", "malformed ELF file", ... */
const char *elfaudit_strerror(int status);

#endif
