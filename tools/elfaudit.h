/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bounds-checked reader of the ELF facts `fipsrt check` needs: DT_NEEDED libraries,
 * imported (undefined) dynamic symbols with the library their version binds them to, and
 * the "@(#)libfipsrt <version>" marker a static copy of the runtime leaves in .rodata.
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
};

/* Parse @p len bytes at @p buf into @p out (zeroed first; free with elfaudit_free). */
int elfaudit_parse(const uint8_t *buf, size_t len, struct elfaudit *out);
/* Release what elfaudit_parse() allocated (also after a failed parse); idempotent. */
void elfaudit_free(struct elfaudit *a);
/* "not an ELF file", "malformed ELF file", ... */
const char *elfaudit_strerror(int status);

#endif
