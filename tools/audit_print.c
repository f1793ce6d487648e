/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `fipsrt check` output: a text report per file and a summary, JSON (the schema is
 * docs/check.schema.json, validated by tests/consumers/check_audit_tree.py) or SARIF 2.1.0.
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>

#include <fipsrt/fipsrt.h>

#include "audit_print.h"
#include "cli.h"

static const char *type_name(const struct elfaudit *a)
{
    switch (a->type) {
    case ET_EXEC: return "executable";
    case ET_DYN: return a->has_interp ? "PIE executable" : "shared object";
    case ET_REL: return "relocatable object";
    case ET_CORE: return "core file";
    }
    return "unknown type";
}

static const char *const go_keys[] = {"CGO_ENABLED", "GOEXPERIMENT", "-tags", "DefaultGODEBUG",
                                      "GOFIPS140"};

static const struct {
    unsigned bit;
    const char *name;
} evidence_names[] = {
    {GOEV_GOLANG_FIPS, "golang-fips/openssl"},
    {GOEV_BORING, "boringcrypto"},
    {GOEV_FIPSONLY, "crypto/tls/fipsonly"},
    {GOEV_MICROSOFT, "microsoft/go-crypto"},
    {GOEV_BACKEND, "crypto/internal/backend"},
    {GOEV_STD_CRYPTO, "std-crypto"},
    {GOEV_FIPS140, "crypto/internal/fips140/vX"},
    {GOEV_NOT_BORING, "boring-stubs"},
};
#define N_EVIDENCE (sizeof(evidence_names) / sizeof(evidence_names[0]))

static bool counted(const struct report *r)
{
    return !r->skipped && !r->dependency_only;
}

/* ---- text ------------------------------------------------------------------------------ */

static void text_file(const struct report *r)
{
    const struct elfaudit *a = &r->a;
    if (r->status == CLI_USAGE) {
        printf("%s: error: %s\n", r->path, r->error ? r->error : "unreadable");
        return;
    }
    printf("%s: ELF%d %s-endian %s (machine %u)\n", r->path, a->elf_class,
           a->big_endian ? "big" : "little", type_name(a), a->machine);
    printf("  route:      %s%s%s%s\n", route_name(r->route), r->route_allowed ? "" : " (NOT ALLOWED)",
           r->route_note ? ": " : "", r->route_note ? r->route_note : "");
    if (r->is_libfipsrt)
        printf("  libfipsrt:  this is the library (%s)\n", a->soname);
    if (r->fipsrt_dynamic)
        printf("  libfipsrt:  dynamic (DT_NEEDED %s)\n", r->fipsrt_needed);
    if (r->fipsrt_static)
        printf("  libfipsrt:  static (embedded runtime %s)\n", a->marker_version);
    if (r->fipsrt_indirect)
        printf("  libfipsrt:  indirect (through a library)\n");
    if (!r->is_libfipsrt && !r->fipsrt_dynamic && !r->fipsrt_static && !r->fipsrt_indirect)
        printf("  libfipsrt:  not linked\n");
    if (a->is_go) {
        printf("  go:         %s", a->go_status == GOINFO_OK ? a->go.version : "(no build info)");
        for (size_t i = 0; i < sizeof(go_keys) / sizeof(go_keys[0]); i++) {
            const char *v = goinfo_setting(&a->go, go_keys[i]);
            if (v != NULL)
                printf(" %s=%s", go_keys[i], v);
        }
        printf("\n  go symbols: ");
        bool any = false;
        for (size_t i = 0; i < N_EVIDENCE; i++)
            if (a->go_evidence & evidence_names[i].bit)
                {
                printf("%s%s", any ? ", " : "", evidence_names[i].name);
                any = true;
            }
        printf("%s (searched: %s)\n", any ? "" : "no crypto packages",
               a->go_evidence_from ? a->go_evidence_from : "nothing");
    }
    if (a->n_needed > 0) {
        printf("  needed:    ");
        for (size_t i = 0; i < a->n_needed; i++)
            printf(" %s", a->needed[i]);
        printf("\n");
    }
    for (size_t i = 0; i < r->n_deps; i++)
        printf("  library:    %*s%s -> %s\n", 2 * (int)(r->deps[i].depth - 1), "",
               r->deps[i].name, r->deps[i].path ? r->deps[i].path : "(not found in the root)");
    size_t by_fipsrt = 0;
    for (size_t i = 0; i < r->n_imports; i++) {
        const struct import_line *im = &r->imports[i];
        if (im->by_libfipsrt) {
            by_fipsrt++;
            continue;
        }
        if (im->kind == KIND_OTHER_CRYPTO)
            continue;
        printf("  crypto import: %s (%s%s%s)\n", im->name, im->library ? im->library :
               "unversioned", im->version ? " " : "", im->version ? im->version : "");
    }
    if (by_fipsrt > 0)
        printf("  crypto imports: %zu made by the embedded libfipsrt itself (--json lists them)\n",
               by_fipsrt);
    for (size_t i = 0; i < r->n_notes; i++)
        printf("  note: %s\n", r->notes[i]);
    for (size_t i = 0; i < r->n_unknown; i++)
        printf("  cannot tell: %s\n", r->unknown[i]);
    size_t waived = 0;
    for (size_t i = 0; i < r->n_findings; i++) {
        const struct finding *f = &r->findings[i];
        if (f->waiver != NULL) {
            waived++;
            printf("  waived: %s [%s] (allow-list line %u: %s)\n", f->message, kind_name(f->kind),
                   f->waiver->line, f->waiver->reason);
        } else {
            printf("  FINDING: %s [%s]\n", f->message, kind_name(f->kind));
        }
    }
    if (r->status == CLI_FAIL)
        printf("  result: %zu finding(s)%s\n", r->n_findings - waived, waived ? ", some waived" : "");
    else if (r->route == ROUTE_LIBFIPSRT)
        printf("  result: ok, crypto only through libfipsrt%s\n", waived ? " (findings waived)" : "");
    else if (r->route == ROUTE_NONE)
        printf("  result: ok, no cryptography%s\n", waived ? " (findings waived)" : "");
    else
        printf("  result: ok, route %s is allowed%s\n", route_name(r->route),
               waived ? " (findings waived)" : "");
}

struct totals {
    size_t files, clean, failed, errors, waived, waived_files;
    size_t routes[ROUTE_COUNT], kinds[KIND_COUNT];
};

static void count(const struct scan_result *s, struct totals *t)
{
    memset(t, 0, sizeof(*t));
    for (size_t i = 0; i < s->n; i++) {
        const struct report *r = &s->reports[i];
        if (!counted(r))
            continue;
        t->files++;
        if (r->status == CLI_USAGE) {
            t->errors++;
            continue;
        }
        t->routes[r->route]++;
        if (r->status == CLI_OK)
            t->clean++;
        else
            t->failed++;
        bool w = false;
        for (size_t k = 0; k < r->n_findings; k++) {
            if (r->findings[k].waiver != NULL) {
                t->waived++;
                w = true;
            } else {
                t->kinds[r->findings[k].kind]++;
            }
        }
        t->waived_files += w;
    }
}

void print_text(const struct scan_result *s, const struct print_opts *o)
{
    bool summary = false;
    for (size_t i = 0; i < s->n; i++) {
        const struct report *r = &s->reports[i];
        summary |= !r->named;
        if (!counted(r))
            continue;
        if (r->named || o->verbose || r->status != CLI_OK || r->n_findings > 0)
            text_file(r);
    }
    if (!summary && s->n <= 1 && o->allow == NULL)
        return;
    struct totals t;
    count(s, &t);
    printf("summary: %zu ELF file(s) in %.2f s (%.0f files/s): %zu clean, %zu with findings, "
           "%zu unreadable\n", t.files, s->seconds, s->seconds > 0 ? (double)t.files / s->seconds
           : 0.0, t.clean, t.failed, t.errors);
    printf("  by route:");
    for (int k = 0; k < ROUTE_COUNT; k++)
        if (t.routes[k])
            printf(" %s %zu", route_name((enum route)k), t.routes[k]);
    printf("\n  findings by kind:");
    bool any = false;
    for (int k = 0; k < KIND_COUNT; k++)
        if (t.kinds[k]) {
            printf(" %s %zu", kind_name((enum kind)k), t.kinds[k]);
            any = true;
        }
    printf("%s\n  waived: %zu finding(s) in %zu file(s)\n", any ? "" : " none", t.waived,
           t.waived_files);
    for (size_t i = 0; o->allow != NULL && i < o->allow->n; i++)
        if (o->allow->e[i].uses == 0)
            printf("  unused exception: %s line %u: %s (%s)\n", o->allow->file,
                   o->allow->e[i].line, o->allow->e[i].glob, o->allow->e[i].reason);
}

/* ---- JSON ------------------------------------------------------------------------------ */

static void js(const char *s)
{
    if (s != NULL)
        json_string(stdout, s);
    else
        fputs("null", stdout);
}

static void json_strings(char *const *v, size_t n)
{
    putchar('[');
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ", " : "", stdout);
        js(v[i]);
    }
    putchar(']');
}

static const char *tf(bool b)
{
    return b ? "true" : "false";
}

static void json_import(const struct import_line *im)
{
    printf("{\"symbol\": ");
    js(im->name);
    printf(", \"library\": ");
    js(im->library);
    printf(", \"version\": ");
    js(im->version);
    printf(", \"kind\": \"%s\", \"by_libfipsrt\": %s}", kind_name(im->kind), tf(im->by_libfipsrt));
}

static void json_go(const struct elfaudit *a)
{
    const struct goinfo *g = &a->go;
    if (!a->is_go) {
        printf("null");
        return;
    }
    printf("{\"build_info\": \"%s\", \"format\": ", a->go_status == GOINFO_OK ? "ok"
           : a->go_status == GOINFO_NONE ? "missing" : "malformed");
    js(a->go_status != GOINFO_OK ? NULL : g->inline_strings ? "inline" : "pointer");
    printf(", \"version\": ");
    js(g->version);
    printf(", \"path\": ");
    js(g->path);
    printf(", \"main_module\": ");
    js(g->main_module);
    printf(", \"dependencies\": %zu,\n       \"settings\": [", g->n_deps);
    for (size_t i = 0; i < g->n_settings; i++) {
        printf("%s{\"key\": ", i ? ", " : "");
        js(g->settings[i].key);
        printf(", \"value\": ");
        js(g->settings[i].value);
        putchar('}');
    }
    printf("],\n       \"cgo_enabled\": ");
    js(goinfo_setting(g, "CGO_ENABLED"));
    printf(", \"goexperiment\": ");
    js(goinfo_setting(g, "GOEXPERIMENT"));
    printf(", \"tags\": ");
    js(goinfo_setting(g, "-tags"));
    printf(", \"default_godebug\": ");
    js(goinfo_setting(g, "DefaultGODEBUG"));
    printf(", \"gofips140\": ");
    js(goinfo_setting(g, "GOFIPS140"));
    printf(",\n       \"evidence\": [");
    bool any = false;
    for (size_t i = 0; i < N_EVIDENCE; i++)
        if (a->go_evidence & evidence_names[i].bit)
            {
            printf("%s\"%s\"", any ? ", " : "", evidence_names[i].name);
            any = true;
        }
    printf("], \"evidence_from\": ");
    js(a->go_evidence_from);
    printf(", \"fips140_module\": ");
    js(a->go_fips140_module[0] ? a->go_fips140_module : NULL);
    putchar('}');
}

static void json_file(const struct scan_result *s, const struct report *r, bool first)
{
    const struct elfaudit *a = &r->a;
    static const char *const status[] = {"ok", "findings", "error"};
    printf("%s\n    {\"file\": ", first ? "" : ",");
    js(r->path);
    printf(", \"root_path\": ");
    js(r->root_path);
    printf(", \"status\": \"%s\", \"exit\": %d", status[r->status], r->status);
    if (r->status == CLI_USAGE) {
        printf(", \"error\": ");
        js(r->error ? r->error : "unreadable");
        printf("}");
        return;
    }
    printf(",\n     \"elf\": {\"class\": %d, \"endian\": \"%s\", \"type\": \"%s\", "
           "\"machine\": %u, \"sections\": %s},\n", a->elf_class,
           a->big_endian ? "big" : "little", type_name(a), a->machine, tf(a->has_sections));
    printf("     \"route\": \"%s\", \"route_allowed\": %s, \"route_note\": ", route_name(r->route),
           tf(r->route_allowed));
    js(r->route_note);
    printf(",\n     \"libfipsrt\": {\"dynamic\": %s, \"static\": %s, \"static_version\": ",
           tf(r->fipsrt_dynamic), tf(r->fipsrt_static));
    js(r->fipsrt_static ? a->marker_version : NULL);
    printf(", \"is_library\": %s, \"indirect\": %s},\n     \"needed\": ", tf(r->is_libfipsrt),
           tf(r->fipsrt_indirect));
    json_strings(a->needed, a->n_needed);
    printf(", \"runpath\": ");
    js(a->runpath);
    printf(",\n     \"links_openssl_directly\": %s,\n     \"embedded_openssl\": ",
           tf(r->openssl_direct));
    js(a->embedded_openssl[0] ? a->embedded_openssl : NULL);
    printf(",\n     \"crypto_imports\": [");
    bool first_im = true;
    for (size_t i = 0; i < r->n_imports; i++) {
        if (r->imports[i].kind == KIND_OTHER_CRYPTO)
            continue;
        fputs(first_im ? "" : ", ", stdout);
        first_im = false;
        json_import(&r->imports[i]);
    }
    printf("],\n     \"other_crypto_imports\": [");
    first_im = true;
    for (size_t i = 0; i < r->n_imports; i++) {
        if (r->imports[i].kind != KIND_OTHER_CRYPTO)
            continue;
        fputs(first_im ? "" : ", ", stdout);
        first_im = false;
        json_import(&r->imports[i]);
    }
    printf("],\n     \"go\": ");
    json_go(a);
    printf(",\n     \"libraries\": [");
    for (size_t i = 0; i < r->n_deps; i++) {
        const struct dep *d = &r->deps[i];
        printf("%s{\"name\": ", i ? ", " : "");
        js(d->name);
        printf(", \"path\": ");
        js(d->path);
        printf(", \"depth\": %u, \"route\": ", d->depth);
        const struct report *dr = d->report >= 0 ? &s->reports[d->report] : NULL;
        js(dr && dr->status != CLI_USAGE ? route_name(dr->route) : NULL);
        putchar('}');
    }
    printf("],\n     \"notes\": ");
    json_strings(r->notes, r->n_notes);
    printf(",\n     \"unknown\": ");
    json_strings(r->unknown, r->n_unknown);
    printf(",\n     \"findings\": [");
    for (size_t i = 0; i < r->n_findings; i++) {
        const struct finding *f = &r->findings[i];
        printf("%s{\"kind\": \"%s\", \"message\": ", i ? ",\n       " : "", kind_name(f->kind));
        js(f->message);
        printf(", \"waived\": %s, \"reason\": ", tf(f->waiver != NULL));
        js(f->waiver ? f->waiver->reason : NULL);
        printf("}");
    }
    printf("]}");
}

static void json_exceptions(const struct allowlist *al, bool unused_only)
{
    putchar('[');
    bool first = true;
    for (size_t i = 0; al != NULL && i < al->n; i++) {
        const struct exception *x = &al->e[i];
        if (unused_only && x->uses > 0)
            continue;
        printf("%s{\"line\": %u, \"glob\": ", first ? "" : ", ", x->line);
        first = false;
        js(x->glob);
        printf(", \"kinds\": [");
        bool fk = true;
        for (int k = 0; k < KIND_COUNT; k++)
            if (x->kinds[k]) {
                printf("%s\"%s\"", fk ? "" : ", ", kind_name((enum kind)k));
                fk = false;
            }
        printf("], \"reason\": ");
        js(x->reason);
        printf(", \"uses\": %zu}", x->uses);
    }
    putchar(']');
}

void print_json(const struct scan_result *s, const struct print_opts *o, int exit_status)
{
    struct totals t;
    count(s, &t);
    printf("{\"schema_version\": 1, \"libfipsrt\": \"%s\",\n  \"policy\": {\"allowed_routes\": [",
           fipsrt_version());
    bool first = true;
    for (int k = 0; k < ROUTE_COUNT; k++)
        if (o->policy->allowed[k]) {
            printf("%s\"%s\"", first ? "" : ", ", route_name((enum route)k));
            first = false;
        }
    printf("]},\n  \"root\": ");
    js(o->root);
    printf(", \"allow_list\": ");
    js(o->allow ? o->allow->file : NULL);
    printf(",\n  \"files\": [");
    first = true;
    for (size_t i = 0; i < s->n; i++) {
        if (!counted(&s->reports[i]))
            continue;
        json_file(s, &s->reports[i], first);
        first = false;
    }
    printf("\n  ],\n  \"summary\": {\"files\": %zu, \"clean\": %zu, \"with_findings\": %zu, "
           "\"unreadable\": %zu, \"waived\": %zu, \"seconds\": %.3f, \"files_per_second\": %.1f,\n"
           "    \"routes\": {", t.files, t.clean, t.failed, t.errors, t.waived, s->seconds,
           s->seconds > 0 ? (double)t.files / s->seconds : 0.0);
    for (int k = 0; k < ROUTE_COUNT; k++)
        printf("%s\"%s\": %zu", k ? ", " : "", route_name((enum route)k), t.routes[k]);
    printf("},\n    \"findings\": {");
    for (int k = 0; k < KIND_COUNT; k++)
        printf("%s\"%s\": %zu", k ? ", " : "", kind_name((enum kind)k), t.kinds[k]);
    printf("}},\n  \"exceptions\": ");
    json_exceptions(o->allow, false);
    printf(",\n  \"unused_exceptions\": ");
    json_exceptions(o->allow, true);
    printf(",\n  \"exit\": %d}\n", exit_status);
}

/* ---- SARIF 2.1.0 ----------------------------------------------------------------------- */

/* A relative URI reference for a path: unreserved characters and '/' as they are. */
static void sarif_uri(const char *path)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p) != NULL)
            putchar(*p);
        else
            printf("%%%02X", *p);
    }
    putchar('"');
}

void print_sarif(const struct scan_result *s, const struct print_opts *o, int exit_status)
{
    printf("{\"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\", "
           "\"version\": \"2.1.0\",\n \"runs\": [{\n  \"tool\": {\"driver\": {\"name\": "
           "\"fipsrt check\", \"version\": \"%s\",\n   \"rules\": [", fipsrt_version());
    for (int k = 0; k < KIND_COUNT; k++) {
        printf("%s\n    {\"id\": \"%s\", \"shortDescription\": {\"text\": ", k ? "," : "",
               kind_name((enum kind)k));
        js(kind_description((enum kind)k));
        printf("}, \"defaultConfiguration\": {\"level\": \"error\"}}");
    }
    printf("]}},\n  \"invocations\": [{\"executionSuccessful\": %s, \"exitCode\": %d, "
           "\"toolExecutionNotifications\": [", tf(exit_status != CLI_USAGE), exit_status);
    bool first = true;
    for (size_t i = 0; i < s->n; i++) {
        const struct report *r = &s->reports[i];
        if (!counted(r) || r->status != CLI_USAGE)
            continue;
        printf("%s\n    {\"level\": \"error\", \"message\": {\"text\": ", first ? "" : ",");
        first = false;
        js(r->error ? r->error : "unreadable");
        printf("}, \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ");
        sarif_uri(r->path);
        printf("}}}]}");
    }
    printf("]}],\n  \"results\": [");
    first = true;
    for (size_t i = 0; i < s->n; i++) {
        const struct report *r = &s->reports[i];
        if (!counted(r) || r->status == CLI_USAGE)
            continue;
        for (size_t k = 0; k < r->n_findings; k++) {
            const struct finding *f = &r->findings[k];
            printf("%s\n   {\"ruleId\": \"%s\", \"ruleIndex\": %d, \"level\": \"error\", "
                   "\"message\": {\"text\": ", first ? "" : ",", kind_name(f->kind), (int)f->kind);
            first = false;
            js(f->message);
            printf("}, \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ");
            sarif_uri(r->path);
            printf("}}}], \"properties\": {\"route\": \"%s\"}", route_name(r->route));
            if (f->waiver != NULL) {
                printf(", \"suppressions\": [{\"kind\": \"external\", \"status\": \"accepted\", "
                       "\"justification\": ");
                js(f->waiver->reason);
                printf("}]");
            }
            putchar('}');
        }
    }
    printf("]\n }]\n}\n");
    (void)o;
}
