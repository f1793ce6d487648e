/* SPDX-License-Identifier: Apache-2.0 */
/* `fipsrt check` output formats (tools/audit_print.c). */
#ifndef FIPSRT_AUDIT_PRINT_H
#define FIPSRT_AUDIT_PRINT_H

#include "audit.h"

struct print_opts {
    const struct policy *policy;
    const struct allowlist *allow;  /* NULL if none */
    const char *root;               /* NULL if none */
    bool verbose;                   /* text: every file, not only those with findings */
};

/* Text: every named file, every walked file with findings or errors (all with verbose),
 * then a summary when a directory was walked or an allow-list given. */
void print_text(const struct scan_result *s, const struct print_opts *o);
/* JSON per docs/check.schema.json. */
void print_json(const struct scan_result *s, const struct print_opts *o, int exit_status);
/* SARIF 2.1.0: one rule per finding kind, one result per finding (waived ones suppressed). */
void print_sarif(const struct scan_result *s, const struct print_opts *o, int exit_status);

#endif
