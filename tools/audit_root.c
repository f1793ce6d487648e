/* SPDX-License-Identifier: Apache-2.0 */
/*
 * --root DIR: each file judged with its image's libraries. DT_NEEDED names are resolved
 * inside DIR as the dynamic loader of that image would (the object's RUNPATH/RPATH with
 * $ORIGIN, then the image's /etc/ld.so.conf.d and library directories), symbolic links
 * resolved with DIR as "/" so that no absolute link or ".." leaves it, and libraries' own
 * DT_NEEDED are followed in turn. A library that is not among the scanned files is read
 * then (and reported only as a library).
 */
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "audit_scan.h"
#include "cli.h"

#define MAX_LINKS 40         /* symbolic links followed while resolving one path, as Linux */
#define MAX_DEPS 512         /* libraries listed per file */

static const char *const default_dirs[] = {
    "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib",
    "/usr/local/lib", "/usr/local/lib64",
};

struct rootctx {
    const char *root;       /* realpath, no trailing '/' unless it is "/" */
    char **dirs;            /* library directories of the image, in-root paths */
    size_t ndirs;
    int **direct;           /* per report: indexes of its DT_NEEDED, -1 if not found */
    size_t ndirect;
    /* Names resolved through the image's directories alone (no RUNPATH) depend only on
     * the name, class and machine: remembered, so thousands of files needing libc.so.6
     * walk the directories once. */
    struct memo { char *key; int idx; } *memo;
    size_t nmemo, memo_used;
};

/* Canonical in-root path of in-root @p path: symbolic links followed with the root as "/"
 * (".." stops at it), at most MAX_LINKS of them. NULL if it does not exist or loops. */
static char *root_canon(const char *root, const char *path)
{
    char out[PATH_MAX] = "", rest[2 * PATH_MAX];
    if (strlen(path) >= sizeof(rest))
        return NULL;
    strcpy(rest, path);
    unsigned links = 0;
    char *p = rest;
    while (*p != '\0') {
        p += strspn(p, "/");
        size_t n = strcspn(p, "/");
        if (n == 0)
            break;
        if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) {
            if (n == 2) {
                char *slash = strrchr(out, '/');
                if (slash != NULL)
                    *slash = '\0';
            }
            p += n;
            continue;
        }
        size_t ol = strlen(out);
        if (ol + 1 + n >= sizeof(out))
            return NULL;
        char cand[PATH_MAX + 2];
        snprintf(cand, sizeof(cand), "%s/%.*s", out, (int)n, p);
        char host[3 * PATH_MAX];
        snprintf(host, sizeof(host), "%s%s", strcmp(root, "/") ? root : "", cand);
        struct stat st;
        if (lstat(host, &st) != 0)
            return NULL;
        p += n;
        if (!S_ISLNK(st.st_mode)) {
            memcpy(out, cand, ol + 1 + n + 1);
            continue;
        }
        char target[PATH_MAX];
        ssize_t tl = readlink(host, target, sizeof(target) - 1);
        if (tl < 0 || ++links > MAX_LINKS)
            return NULL;
        target[tl] = '\0';
        if (target[0] == '/')
            out[0] = '\0';  /* absolute: from the root */
        char next[2 * PATH_MAX];
        size_t pl = strlen(p);
        if ((size_t)tl + pl + 2 > sizeof(next))
            return NULL;
        memcpy(next, target, (size_t)tl);
        next[tl] = '/';
        memcpy(next + tl + 1, p, pl + 1);
        memcpy(rest, next, (size_t)tl + pl + 2);
        p = rest;
    }
    return strdup(out[0] ? out : "/");
}

static void add_dir(struct rootctx *rc, const char *dir)
{
    for (size_t i = 0; i < rc->ndirs; i++)
        if (strcmp(rc->dirs[i], dir) == 0)
            return;
    char **g = realloc(rc->dirs, (rc->ndirs + 1) * sizeof(*g));
    if (g == NULL)
        return;
    rc->dirs = g;
    if ((rc->dirs[rc->ndirs] = strdup(dir)) != NULL)
        rc->ndirs++;
}

/* The image's /etc/ld.so.conf.d/ *.conf directories, then the usual ones. */
static void root_dirs(struct rootctx *rc)
{
    char pat[PATH_MAX + 32];
    glob_t g;
    snprintf(pat, sizeof(pat), "%s/etc/ld.so.conf.d/*.conf", strcmp(rc->root, "/") ? rc->root : "");
    if (glob(pat, 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++) {
            FILE *f = fopen(g.gl_pathv[i], "r");
            char line[PATH_MAX];
            while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
                line[strcspn(line, "#\r\n")] = '\0';
                char *s = line + strspn(line, " \t");
                s[strcspn(s, " \t")] = '\0';
                if (s[0] == '/')
                    add_dir(rc, s);
            }
            if (f != NULL)
                fclose(f);
        }
        globfree(&g);
    }
    for (size_t i = 0; i < sizeof(default_dirs) / sizeof(default_dirs[0]); i++)
        add_dir(rc, default_dirs[i]);
}

static size_t hash_str(const char *s)
{
    size_t h = 14695981039346656037u;  /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* Bring the index up to date with r[] (it is rebuilt, twice as large, when half full). */
static bool index_update(struct list *l)
{
    if ((l->n + 1) * 2 > l->nslots) {
        size_t n = 64;
        while (n < (l->n + 1) * 4)
            n *= 2;
        int *g = malloc(n * sizeof(*g));
        if (g == NULL)
            return false;
        memset(g, 0xff, n * sizeof(*g));  /* -1: empty */
        free(l->slots);
        l->slots = g;
        l->nslots = n;
        l->indexed = 0;
    }
    for (; l->indexed < l->n; l->indexed++) {
        const char *rp = l->r[l->indexed].root_path;
        if (rp == NULL)
            continue;
        size_t h = hash_str(rp) & (l->nslots - 1);
        while (l->slots[h] >= 0)
            h = (h + 1) & (l->nslots - 1);
        l->slots[h] = (int)l->indexed;
    }
    return true;
}

static int find_report(struct list *l, const char *root_path)
{
    if (!index_update(l)) {  /* out of memory: a linear search still answers */
        for (size_t i = 0; i < l->n; i++)
            if (l->r[i].root_path && strcmp(l->r[i].root_path, root_path) == 0)
                return (int)i;
        return -1;
    }
    for (size_t h = hash_str(root_path) & (l->nslots - 1); l->slots[h] >= 0;
         h = (h + 1) & (l->nslots - 1))
        if (strcmp(l->r[l->slots[h]].root_path, root_path) == 0)
            return l->slots[h];
    return -1;
}

/* The report of in-root library @p canon: one of the scanned files, or scanned now. */
static int library_report(struct list *l, const struct rootctx *rc, const char *canon,
                          const struct shared *sh)
{
    int i = find_report(l, canon);
    if (i >= 0)
        return i;
    char host[2 * PATH_MAX];
    snprintf(host, sizeof(host), "%s%s", strcmp(rc->root, "/") ? rc->root : "", canon);
    struct report *r = add_item(l, host, canon, false);
    if (r == NULL)
        return -1;
    r->dependency_only = true;
    scan_file(r, sh);
    return (int)(l->n - 1);
}

/* $ORIGIN, ${ORIGIN} in a RUNPATH entry; $LIB and $PLATFORM are left unresolved. */
static char *expand_origin(const char *entry, const char *origin)
{
    char buf[PATH_MAX];
    size_t o = 0;
    for (const char *p = entry; *p != '\0' && o < sizeof(buf) - 1;) {
        const char *tok = !strncmp(p, "$ORIGIN", 7) ? "$ORIGIN" : !strncmp(p, "${ORIGIN}", 9)
                          ? "${ORIGIN}" : NULL;
        if (tok != NULL) {
            o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s", origin);
            p += strlen(tok);
        } else {
            buf[o++] = *p++;
        }
        if (o >= sizeof(buf))
            return NULL;
    }
    buf[o < sizeof(buf) ? o : sizeof(buf) - 1] = '\0';
    return strdup(buf);
}

/* Resolve DT_NEEDED @p name of report @p who inside the root: its index, or -1. */
static int resolve_uncached(struct list *l, const struct rootctx *rc, size_t who,
                            const char *name, const struct shared *sh);

/* The memo's slot for @p key: where it is, or the empty slot it would go in. */
static struct memo *memo_slot(struct rootctx *rc, const char *key)
{
    size_t h = hash_str(key) & (rc->nmemo - 1);
    while (rc->memo[h].key != NULL && strcmp(rc->memo[h].key, key) != 0)
        h = (h + 1) & (rc->nmemo - 1);
    return &rc->memo[h];
}

static bool memo_grow(struct rootctx *rc)
{
    if ((rc->memo_used + 1) * 2 <= rc->nmemo)
        return true;
    struct rootctx old = *rc;
    rc->nmemo = old.nmemo ? old.nmemo * 2 : 256;
    if ((rc->memo = calloc(rc->nmemo, sizeof(*rc->memo))) == NULL) {
        *rc = old;
        return false;
    }
    for (size_t i = 0; i < old.nmemo; i++)
        if (old.memo[i].key != NULL)
            *memo_slot(rc, old.memo[i].key) = old.memo[i];
    free(old.memo);
    return true;
}

static int resolve(struct list *l, struct rootctx *rc, size_t who, const char *name,
                   const struct shared *sh)
{
    const struct report *w = &l->r[who];
    char *key = NULL;
    if (w->a.runpath != NULL || strchr(name, '/') != NULL || !memo_grow(rc) ||
        asprintf(&key, "%s/%d/%u", name, w->a.elf_class, w->a.machine) < 0)
        return resolve_uncached(l, rc, who, name, sh);
    struct memo *m = memo_slot(rc, key);
    if (m->key != NULL) {
        free(key);
        return m->idx;
    }
    int idx = resolve_uncached(l, rc, who, name, sh);
    m = memo_slot(rc, key);  /* (resolving does not touch the memo, but stay safe) */
    m->key = key;
    m->idx = idx;
    rc->memo_used++;
    return idx;
}

static int resolve_uncached(struct list *l, const struct rootctx *rc, size_t who,
                            const char *name, const struct shared *sh)
{
    const struct report *w = &l->r[who];
    int cls = w->a.elf_class;
    unsigned mach = w->a.machine;
    char *origin = w->root_path ? strdup(w->root_path) : NULL;
    if (origin != NULL) {
        char *slash = strrchr(origin, '/');
        if (slash != NULL)
            *(slash == origin ? slash + 1 : slash) = '\0';
    }
    char *runpath = w->a.runpath ? strdup(w->a.runpath) : NULL;
    int found = -1;
    /* Candidates: the name itself if it has a '/', RUNPATH entries, the image's dirs. */
    size_t nrun = 0;
    char *save = NULL, *cands[64];
    if (strchr(name, '/') != NULL) {
        cands[nrun++] = strdup(name);
    } else {
        for (char *e = runpath ? strtok_r(runpath, ":", &save) : NULL; e && nrun < 32;
             e = strtok_r(NULL, ":", &save)) {
            char *x = origin ? expand_origin(e, origin) : NULL;
            if (x != NULL && x[0] == '/')
                cands[nrun++] = join(x, name);
            free(x);
        }
        for (size_t i = 0; i < rc->ndirs && nrun < 64; i++)
            cands[nrun++] = join(rc->dirs[i], name);
    }
    for (size_t i = 0; i < nrun; i++) {
        char *canon = found < 0 && cands[i] ? root_canon(rc->root, cands[i]) : NULL;
        if (canon != NULL) {
            int k = library_report(l, rc, canon, sh);
            /* A library for another machine or class is skipped, as ld.so does. */
            if (k >= 0 && !l->r[k].skipped && (l->r[k].status == CLI_USAGE ||
                (l->r[k].a.elf_class == cls && l->r[k].a.machine == mach)))
                found = k;
            free(canon);
        }
        free(cands[i]);
    }
    free(origin);
    free(runpath);
    return found;
}

static void add_dep(struct report *r, const char *name, const struct list *l, int idx,
                    unsigned depth)
{
    if (r->n_deps >= MAX_DEPS)
        return;
    struct dep *g = realloc(r->deps, (r->n_deps + 1) * sizeof(*g));
    if (g == NULL)
        return;
    r->deps = g;
    r->deps[r->n_deps++] = (struct dep){strdup(name), idx >= 0 ? strdup(l->r[idx].root_path)
                                        : NULL, idx, depth};
}

/* Every file's libraries, breadth first: direct ones at depth 1, theirs at 2, ... */
static int resolve_all(struct list *l, struct rootctx *rc, const struct shared *sh)
{
    /* Resolving can add reports (libraries outside the scanned paths): iterate to the end.
     * l->r moves when it grows: index it afresh after every resolve(). */
    for (size_t i = 0; i < l->n; i++) {
        if (rc->ndirect < l->n) {
            size_t cap = l->n * 2;
            int **g = realloc(rc->direct, cap * sizeof(*g));
            if (g == NULL)
                return -1;
            memset(g + rc->ndirect, 0, (cap - rc->ndirect) * sizeof(*g));
            rc->direct = g;
            rc->ndirect = cap;
        }
        const struct report *r = &l->r[i];
        if (r->skipped || r->status == CLI_USAGE || r->a.n_needed == 0)
            continue;
        size_t n = r->a.n_needed;
        int *d = calloc(n, sizeof(int));
        if (d == NULL)
            return -1;
        for (size_t k = 0; k < n; k++)
            d[k] = resolve(l, rc, i, l->r[i].a.needed[k], sh);
        if (rc->ndirect < l->n) {  /* keep direct[] as long as the list before storing */
            size_t cap = l->n * 2;
            int **g = realloc(rc->direct, cap * sizeof(*g));
            if (g == NULL) {
                free(d);
                return -1;
            }
            memset(g + rc->ndirect, 0, (cap - rc->ndirect) * sizeof(*g));
            rc->direct = g;
            rc->ndirect = cap;
        }
        rc->direct[i] = d;
    }
    unsigned *mark = calloc(l->n, sizeof(*mark));
    size_t *queue = calloc(l->n, sizeof(*queue));
    unsigned *depth = calloc(l->n, sizeof(*depth));
    if (mark == NULL || queue == NULL || depth == NULL) {
        free(mark);
        free(queue);
        free(depth);
        return -1;
    }
    for (size_t i = 0; i < l->n; i++) {
        struct report *r = &l->r[i];
        if (r->skipped || r->status == CLI_USAGE || rc->direct[i] == NULL)
            continue;
        size_t head = 0, tail = 0;
        queue[tail++] = i;
        mark[i] = (unsigned)i + 1;
        depth[i] = 0;
        while (head < tail) {
            size_t cur = queue[head++];
            const struct report *c = &l->r[cur];
            for (size_t k = 0; rc->direct[cur] != NULL && k < c->a.n_needed; k++) {
                int t = rc->direct[cur][k];
                if (t >= 0 && mark[t] == (unsigned)i + 1)
                    continue;
                add_dep(r, c->a.needed[k], l, t, depth[cur] + 1);
                if (t < 0)
                    continue;
                mark[t] = (unsigned)i + 1;
                depth[t] = depth[cur] + 1;
                queue[tail++] = (size_t)t;
            }
        }
    }
    free(mark);
    free(queue);
    free(depth);
    return 0;
}

/* A file that reaches libfipsrt only through a library is a libfipsrt program: judge it
 * again knowing that; then each file is charged with its libraries' unwaived findings. */
static void judge_with_libraries(struct list *l, const struct shared *sh, struct allowlist *al)
{
    for (size_t i = 0; i < l->n; i++) {
        struct report *r = &l->r[i];
        if (r->skipped || r->status == CLI_USAGE || r->route == ROUTE_LIBFIPSRT)
            continue;
        for (size_t k = 0; k < r->n_deps; k++) {
            int t = r->deps[k].report;
            if (t >= 0 && l->r[t].is_libfipsrt) {
                reset_report(r);
                r->fipsrt_indirect = true;
                scan_file(r, sh);
                break;
            }
        }
    }
    for (size_t i = 0; i < l->n; i++)
        if (!l->r[i].skipped)
            allowlist_apply(al, &l->r[i]);
    for (size_t i = 0; i < l->n; i++) {
        struct report *r = &l->r[i];
        if (r->skipped || r->status == CLI_USAGE)
            continue;
        for (size_t k = 0; k < r->n_deps; k++) {
            const struct report *d = r->deps[k].report >= 0 ? &l->r[r->deps[k].report] : NULL;
            if (d == NULL) {
                audit_unknown(r, "needs %s, which is not in the root", r->deps[k].name);
                continue;
            }
            for (size_t f = 0; f < d->n_findings; f++) {
                if (d->findings[f].waiver != NULL || d->findings[f].kind == KIND_DEPENDENCY)
                    continue;
                audit_finding(r, KIND_DEPENDENCY, "loads %s (%s, route %s), which has findings, "
                              "e.g. %s: %s", r->deps[k].name, r->deps[k].path,
                              route_name(d->route), kind_name(d->findings[f].kind),
                              d->findings[f].message);
                break;
            }
        }
        allowlist_apply(al, r);
    }
}

char *root_find_library(const char *root, const char *name)
{
    struct rootctx rc = {.root = root};
    char *found = NULL;
    root_dirs(&rc);
    for (size_t i = 0; i < rc.ndirs && found == NULL; i++) {
        char *c = join(rc.dirs[i], name), *canon = c ? root_canon(root, c) : NULL;
        if (canon != NULL && asprintf(&found, "%s%s", strcmp(root, "/") ? root : "", canon) < 0)
            found = NULL;
        free(c);
        free(canon);
    }
    for (size_t i = 0; i < rc.ndirs; i++)
        free(rc.dirs[i]);
    free(rc.dirs);
    return found;
}

int root_judge(struct list *l, const char *root, const struct shared *sh, struct allowlist *al)
{
    struct rootctx rc = {.root = root};
    root_dirs(&rc);
    int rv = resolve_all(l, &rc, sh);
    if (rv == 0)
        judge_with_libraries(l, sh, al);
    for (size_t i = 0; i < rc.ndirect; i++)
        free(rc.direct[i]);
    free(rc.direct);
    for (size_t i = 0; i < rc.nmemo; i++)
        free(rc.memo[i].key);
    free(rc.memo);
    for (size_t i = 0; i < rc.ndirs; i++)
        free(rc.dirs[i]);
    free(rc.dirs);
    free(l->slots);
    l->slots = NULL;
    l->nslots = l->indexed = 0;
    return rv;
}
