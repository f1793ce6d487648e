/* SPDX-License-Identifier: Apache-2.0 */
/* Between the scan (tools/audit_scan.c) and the --root judgement (tools/audit_root.c). */
#ifndef FIPSRT_AUDIT_SCAN_H
#define FIPSRT_AUDIT_SCAN_H

#include "audit.h"

/* The reports of a scan; with --root, libraries outside the scanned paths are added. */
struct list {
    struct report *r;
    size_t n, cap;
    int *slots;             /* --root: open-addressing index of r[] by root_path */
    size_t nslots, indexed; /* r[0, indexed) are in it */
};

/* What every worker shares. */
struct shared {
    const struct policy *policy;
    const struct self_imports *self;
    struct item *items;
    size_t n;
    size_t next;  /* atomic */
};

/* Append a report for @p path (and in-root @p root_path, may be NULL); NULL if out of
 * memory. The array may move. */
struct report *add_item(struct list *l, const char *path, const char *root_path, bool named);
/* "a/b" from "a" and "b". */
char *join(const char *a, const char *b);
/* Read, parse and judge r->path. */
void scan_file(struct report *r, const struct shared *sh);
/* Free a report's analysis, keeping which file it is (for a second judgement). */
void reset_report(struct report *r);

/* --root (audit_root.c): the host path of library @p name in the image's library
 * directories, or NULL. */
char *root_find_library(const char *root, const char *name);
/* Resolve every report's libraries inside @p root, judge again the files that reach
 * libfipsrt through a library, apply the allow-list and add "dependency" findings.
 * Returns 0 or -1 (out of memory). */
int root_judge(struct list *l, const char *root, const struct shared *sh,
               struct allowlist *al);

#endif
