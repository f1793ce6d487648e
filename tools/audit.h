/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `fipsrt check`, the auditor: one verdict per ELF file.
 *
 *   audit.c        what a file's crypto route is and what the findings are (no I/O)
 *   audit_scan.c   which files (arguments, directory walks), mmap, worker threads
 *   audit_root.c   --root: each file judged with its image's libraries
 *   audit_allow.c  the allow-list of waived findings
 *   audit_print.c  text, JSON (docs/check.schema.json) and SARIF 2.1.0 output
 *   cmd_check.c    the command line
 */
#ifndef FIPSRT_AUDIT_H
#define FIPSRT_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elfaudit.h"

/* How a binary does its cryptography: exactly one per file. The order is the order of the
 * documentation (docs/check.schema.json lists the names). */
enum route {
    ROUTE_NONE,            /* no cryptography at all */
    ROUTE_LIBFIPSRT,       /* libfipsrt, dynamic or static */
    ROUTE_GOLANG_FIPS,     /* Go built with golang-fips: OpenSSL loaded with dlopen */
    ROUTE_GO_BORING,       /* Go's GOEXPERIMENT=boringcrypto: BoringCrypto linked in */
    ROUTE_GO_MICROSOFT,    /* Microsoft Go's system crypto (OpenSSL, CNG, CommonCrypto) */
    ROUTE_GO_FIPS140,      /* Go's native FIPS 140-3 module (GOFIPS140, fips140=on|only) */
    ROUTE_GO_UNDETERMINED, /* Go says a FIPS experiment, but nothing tells which module */
    ROUTE_OPENSSL_LIBRARY, /* OpenSSL itself: libcrypto, libssl, a provider module */
    ROUTE_GO_STD,          /* Go's standard crypto, outside any validated module */
    ROUTE_OPENSSL_DIRECT,  /* calls libcrypto/libssl crypto itself */
    ROUTE_OPENSSL_STATIC,  /* a copy of OpenSSL linked in */
    ROUTE_OPENSSL_DLOPEN,  /* loads libcrypto with dlopen, without libfipsrt */
    ROUTE_OTHER_CRYPTO,    /* another crypto library (libgcrypt, nettle, ...) */
    ROUTE_COUNT
};

const char *route_name(enum route r);
/* Parse a route name; -1 if unknown. */
int route_parse(const char *name);

/* Finding kinds (the allow-list, JSON and SARIF rule ids use these names). */
enum kind {
    KIND_OPENSSL_DIRECT,   /* imports a libcrypto/libssl function that does crypto */
    KIND_TLS_POLICY,       /* imports a libssl function that can change the TLS policy */
    KIND_OTHER_CRYPTO,     /* links or imports another crypto library */
    KIND_OPENSSL_STATIC,   /* contains a static copy of OpenSSL */
    KIND_OPENSSL_DLOPEN,   /* dlopens libcrypto without libfipsrt */
    KIND_GO_STD_CRYPTO,    /* Go standard crypto */
    KIND_ROUTE,            /* the route itself is not allowed by the policy */
    KIND_DEPENDENCY,       /* (--root) loads a library that has findings */
    KIND_COUNT
};

const char *kind_name(enum kind k);
const char *kind_description(enum kind k);
int kind_parse(const char *name);

/* Which routes pass. Default: libfipsrt, the Go FIPS routes, OpenSSL itself and none. */
struct policy {
    bool allowed[ROUTE_COUNT];
};
void policy_default(struct policy *p);

struct report;

/* One allow-list entry: findings of these kinds in files matching the glob are waived. */
struct exception {
    char *glob;              /* fnmatch(3) pattern, '*' matches '/' too */
    bool kinds[KIND_COUNT];
    char *reason;            /* mandatory */
    unsigned line;
    size_t uses;             /* findings it waived */
};

struct allowlist {
    char *file;
    struct exception *e;
    size_t n;
};

/* Load an allow-list file: "GLOB KIND[,KIND...]|* REASON" per line, '#' comments. Returns 0,
 * or -1 with a message in @p err (a missing reason, an unknown kind, an unreadable file). */
int allowlist_load(const char *path, struct allowlist *out, char *err, size_t errlen);
/* Waive r's matching findings (first matching entry wins) and recompute its status. */
void allowlist_apply(struct allowlist *al, struct report *r);
void allowlist_free(struct allowlist *al);

struct finding {
    enum kind kind;
    char *message;
    const struct exception *waiver;  /* non-NULL: waived by this allow-list entry */
};

struct import_line {
    char *name, *library, *version;
    enum kind kind;      /* KIND_OPENSSL_DIRECT, KIND_TLS_POLICY or KIND_OTHER_CRYPTO */
    bool by_libfipsrt;   /* made by an embedded (static) libfipsrt, not by the program */
};

struct dep {
    char *name;          /* the DT_NEEDED name */
    char *path;          /* where it resolved inside the root, NULL if not found */
    int report;          /* index of its report in the scan, -1 if none */
    unsigned depth;      /* 1 = the file's own DT_NEEDED, 2 = a library's, ... */
};

#define AUDIT_MAX_LINES 512

struct report {
    char *path;              /* as shown */
    bool skipped;            /* found by a walk and not an ELF executable or shared object */
    bool dependency_only;    /* --root: read only as a library of a scanned file */
    char *root_path;         /* inside --root ("/usr/bin/x"), or NULL */
    bool named;              /* named on the command line (not found by a walk) */
    int status;              /* CLI_OK, CLI_FAIL, CLI_USAGE */
    char *error;
    struct elfaudit a;       /* imports freed after classification; the rest kept */
    enum route route;
    bool route_allowed;
    char *route_note;        /* what the route means, naming the module; NULL if none */
    bool fipsrt_dynamic, fipsrt_static, is_libfipsrt, openssl_direct, fipsrt_indirect;
    const char *fipsrt_needed;
    struct import_line *imports;   /* classified crypto imports only */
    size_t n_imports;
    /* Each list grows as needed, up to AUDIT_MAX_LINES entries. */
    struct finding *findings;
    size_t n_findings;
    char **notes;
    size_t n_notes;
    char **unknown;          /* what could not be told (stripped, no build info, ...) */
    size_t n_unknown;
    struct dep *deps;        /* --root: the libraries it loads, transitively */
    size_t n_deps;
};

/* Names of what a static libfipsrt imports itself (so those are not held against the
 * program): from the libfipsrt.so.1 of --root if there is one, else the running one. */
struct self_imports {
    char **names;
    size_t n;
};

/* Classify a parsed file (r->a filled, r->path set) under @p policy. */
void audit_classify(struct report *r, const struct policy *policy,
                    const struct self_imports *self);
/* Recompute the status after waivers and dependency findings. */
void audit_finish(struct report *r);
void audit_report_free(struct report *r);

__attribute__((format(printf, 3, 4)))
void audit_finding(struct report *r, enum kind k, const char *fmt, ...);
__attribute__((format(printf, 2, 3)))
void audit_note(struct report *r, const char *fmt, ...);
__attribute__((format(printf, 2, 3)))
void audit_unknown(struct report *r, const char *fmt, ...);

/* ---- scanning (audit_scan.c) ------------------------------------------------------------ */

struct scan_opts {
    const char *root;            /* --root: resolve DT_NEEDED inside it; NULL: not resolved */
    unsigned jobs;               /* worker threads; 0: one per online CPU */
    const struct policy *policy;
    struct allowlist *allow;     /* may be NULL */
};

struct scan_result {
    struct report *reports;      /* in argument order, each directory's files sorted */
    size_t n;
    double seconds;
};

/* Scan every path (files as named, directories walked without following symbolic links).
 * Returns 0, or -1 if memory or threads ran out (message on stderr). */
int scan_run(char *const *paths, size_t npaths, const struct scan_opts *o,
             struct scan_result *out);
void scan_free(struct scan_result *s);

#endif
