/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The allow-list of `fipsrt check --allow FILE`: findings an auditor has accepted, each with
 * a reason. A waived finding is still reported (as waived, with the reason); an entry that
 * waived nothing is reported as unused, so the list cannot silently outlive its causes.
 *
 *   # GLOB                      KINDS                      REASON (mandatory)
 *   /usr/bin/curl               openssl-direct,tls-policy  TLS client outside scope, RISK-12
 *   /opt/vendor/?*              *                          vendor binaries, audited separately
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"

static char *next_field(char **p)
{
    char *s = *p + strspn(*p, " \t");
    if (*s == '\0')
        return NULL;
    char *e = s + strcspn(s, " \t");
    if (*e != '\0')
        *e++ = '\0';
    *p = e;
    return s;
}

static int parse_line(char *line, unsigned no, struct exception *x, char *err, size_t errlen)
{
    memset(x, 0, sizeof(*x));
    char *p = line;
    char *glob = next_field(&p), *kinds = next_field(&p);
    char *reason = p + strspn(p, " \t");
    size_t rl = strlen(reason);
    while (rl > 0 && isspace((unsigned char)reason[rl - 1]))
        reason[--rl] = '\0';
    if (glob == NULL || kinds == NULL || rl == 0) {
        snprintf(err, errlen, "line %u: expected \"GLOB KIND[,KIND...] REASON\" (the reason is "
                 "mandatory)", no);
        return -1;
    }
    x->line = no;
    char *save = NULL;
    for (char *k = strtok_r(kinds, ",", &save); k != NULL; k = strtok_r(NULL, ",", &save)) {
        int i = kind_parse(k);
        if (strcmp(k, "*") == 0) {
            for (int j = 0; j < KIND_COUNT; j++)
                x->kinds[j] = true;
        } else if (i < 0) {
            snprintf(err, errlen, "line %u: unknown finding kind \"%s\"", no, k);
            return -1;
        } else {
            x->kinds[i] = true;
        }
    }
    x->glob = strdup(glob);
    x->reason = strdup(reason);
    if (x->glob == NULL || x->reason == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int allowlist_load(const char *path, struct allowlist *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "%s", strerror(errno));
        return -1;
    }
    out->file = strdup(path);
    char *line = NULL;
    size_t cap = 0;
    unsigned no = 0;
    int rv = out->file ? 0 : -1;
    while (rv == 0 && getline(&line, &cap, f) >= 0) {
        no++;
        char *s = line + strspn(line, " \t\r\n");
        if (*s == '\0' || *s == '#')
            continue;
        s[strcspn(s, "\r\n")] = '\0';
        struct exception *g = realloc(out->e, (out->n + 1) * sizeof(*out->e));
        if (g == NULL) {
            rv = -1;
            break;
        }
        out->e = g;
        rv = parse_line(s, no, &out->e[out->n], err, errlen);
        if (rv == 0)
            out->n++;
        else {
            free(out->e[out->n].glob);
            free(out->e[out->n].reason);
        }
    }
    free(line);
    if (ferror(f) && rv == 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        rv = -1;
    }
    fclose(f);
    if (rv != 0)
        allowlist_free(out);
    return rv;
}

static bool matches(const struct exception *x, const struct report *r)
{
    return fnmatch(x->glob, r->path, 0) == 0 ||
           (r->root_path != NULL && fnmatch(x->glob, r->root_path, 0) == 0);
}

void allowlist_apply(struct allowlist *al, struct report *r)
{
    for (size_t i = 0; al != NULL && i < r->n_findings; i++) {
        struct finding *f = &r->findings[i];
        for (size_t k = 0; f->waiver == NULL && k < al->n; k++) {
            if (al->e[k].kinds[f->kind] && matches(&al->e[k], r)) {
                f->waiver = &al->e[k];
                al->e[k].uses++;
            }
        }
    }
    audit_finish(r);
}

void allowlist_free(struct allowlist *al)
{
    for (size_t i = 0; i < al->n; i++) {
        free(al->e[i].glob);
        free(al->e[i].reason);
    }
    free(al->e);
    free(al->file);
    memset(al, 0, sizeof(*al));
}
