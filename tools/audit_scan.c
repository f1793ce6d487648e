/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which files `fipsrt check` reads and how: arguments are files (followed if they are
 * symbolic links) or directories, walked without following any symbolic link, so a link
 * loop or a link out of the tree is never entered; each directory's entries are sorted so
 * the output does not depend on the file system's order. Files are mapped (mmap), so only
 * the pages the ELF reader touches are read; a walked file that is not an ELF executable or
 * shared object is skipped quietly. Worker threads take files from a shared counter; each
 * verdict is independent of the others.
 *
 * --root DIR: DT_NEEDED names are resolved inside DIR as the dynamic loader of that image
 * would (the object's RUNPATH/RPATH with $ORIGIN, then the image's library directories and
 * /etc/ld.so.conf.d), symbolic links resolved with DIR as "/" so no absolute link or ".."
 * leaves it. Libraries' own DT_NEEDED are followed in turn.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"

#define MAX_DEPTH 128        /* directory nesting walked */
#define MAX_LINKS 40         /* symbolic links followed while resolving one path, as Linux */
#define MAX_DEPS 512         /* libraries listed per file */
#define MAX_JOBS 64

/* ---- the list of files ----------------------------------------------------------------- */

/* A file to read. A tree holds far more files than ELF ones: a report is made only for an
 * ELF executable or shared object (or an error), so memory follows what is audited. */
struct item {
    char *path, *root_path;
    bool named;
    struct report *r;  /* NULL until read; stays NULL if skipped */
};

struct items {
    struct item *v;
    size_t n, cap;
};

static struct item *add_path(struct items *l, const char *path, const char *root_path,
                             bool named)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1024;
        struct item *g = realloc(l->v, cap * sizeof(*g));
        if (g == NULL)
            return NULL;
        l->v = g;
        l->cap = cap;
    }
    struct item *it = &l->v[l->n];
    *it = (struct item){strdup(path), root_path ? strdup(root_path) : NULL, named, NULL};
    if (it->path == NULL || (root_path && it->root_path == NULL)) {
        free(it->path);
        free(it->root_path);
        return NULL;
    }
    l->n++;
    return it;
}

/* A walk error: a report of its own. */
static int add_error(struct items *l, const char *path, const char *root_path, const char *msg)
{
    struct item *it = add_path(l, path, root_path, false);
    if (it == NULL || (it->r = calloc(1, sizeof(*it->r))) == NULL)
        return -1;
    it->r->path = it->path;
    it->r->root_path = it->root_path;
    it->path = it->root_path = NULL;
    it->r->status = CLI_USAGE;
    it->r->error = strdup(msg);
    return 0;
}

struct list {
    struct report *r;
    size_t n, cap;
    int *slots;             /* --root: open-addressing index of r[] by root_path */
    size_t nslots, indexed; /* r[0, indexed) are in it */
};

static struct report *add_item(struct list *l, const char *path, const char *root_path,
                               bool named)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        struct report *g = realloc(l->r, cap * sizeof(*g));
        if (g == NULL)
            return NULL;
        l->r = g;
        l->cap = cap;
    }
    struct report *r = &l->r[l->n];
    memset(r, 0, sizeof(*r));
    r->path = strdup(path);
    r->root_path = root_path ? strdup(root_path) : NULL;
    r->named = named;
    if (r->path == NULL || (root_path && r->root_path == NULL)) {
        free(r->path);
        free(r->root_path);
        return NULL;
    }
    l->n++;
    return r;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join(const char *a, const char *b)
{
    char *s = NULL;
    size_t la = strlen(a);
    bool slash = la > 0 && a[la - 1] == '/';
    return asprintf(&s, "%s%s%s", a, slash ? "" : "/", b) >= 0 ? s : NULL;
}

/* Walk @p dir (shown as @p path, inside the root as @p rpath or NULL). */
static int walk(struct items *l, const char *path, const char *rpath, unsigned depth)
{
    DIR *d = depth < MAX_DEPTH ? opendir(path) : NULL;
    if (d == NULL)
        return add_error(l, path, rpath, depth < MAX_DEPTH ? strerror(errno)
                                                           : "directories nested too deep");
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    int rv = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **g = realloc(names, cap * sizeof(*g));
            if (g == NULL) {
                rv = -1;
                break;
            }
            names = g;
        }
        /* The type is stored after the NUL, so one sort keeps both together. */
        size_t len = strlen(e->d_name);
        if ((names[n] = malloc(len + 2)) == NULL) {
            rv = -1;
            break;
        }
        memcpy(names[n], e->d_name, len + 1);
        names[n][len + 1] = (char)e->d_type;
        n++;
    }
    closedir(d);
    if (rv == 0 && n > 1)  /* (qsort(NULL, 0, ...) is undefined: an empty directory) */
        qsort(names, n, sizeof(*names), cmp_str);
    for (size_t i = 0; i < n && rv == 0; i++) {
        unsigned char type = (unsigned char)names[i][strlen(names[i]) + 1];
        char *p = join(path, names[i]), *rp = rpath ? join(rpath, names[i]) : NULL;
        if (p == NULL || (rpath && rp == NULL)) {
            rv = -1;
        } else {
            if (type == DT_UNKNOWN) {
                struct stat st;
                type = lstat(p, &st) != 0 ? DT_UNKNOWN : S_ISDIR(st.st_mode) ? DT_DIR
                       : S_ISREG(st.st_mode) ? DT_REG : S_ISLNK(st.st_mode) ? DT_LNK : DT_UNKNOWN;
            }
            if (type == DT_DIR)
                rv = walk(l, p, rp, depth + 1);
            else if (type == DT_REG && add_path(l, p, rp, false) == NULL)
                rv = -1;
            /* Symbolic links are never followed: what they point to inside the tree is
             * walked on its own, what is outside is not the tree's. */
        }
        free(p);
        free(rp);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rv;
}

/* The path inside @p root of host path @p path, or NULL if it is not under it. */
static char *in_root(const char *root, const char *path)
{
    char real[PATH_MAX];
    if (root == NULL || realpath(path, real) == NULL)
        return NULL;
    size_t rl = strlen(root);
    if (strcmp(root, "/") == 0)
        return strdup(real);
    if (strncmp(real, root, rl) != 0 || (real[rl] != '/' && real[rl] != '\0'))
        return NULL;
    return strdup(real[rl] ? real + rl : "/");
}

/* ---- one file -------------------------------------------------------------------------- */

struct shared {
    const struct policy *policy;
    const struct self_imports *self;
    struct item *items;
    size_t n;
    size_t next;  /* atomic */
};

static void set_error(struct report *r, const char *msg)
{
    r->status = CLI_USAGE;
    free(r->error);
    r->error = strdup(msg);
}

/* Read, parse and judge r->path. A walked file that is not an ELF executable or shared
 * object is marked skipped; a named one is an error, as before directories were walked. */
static void scan_file(struct report *r, const struct shared *sh)
{
    int fd = open(r->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        set_error(r, strerror(errno));
        if (fd >= 0)
            close(fd);
        return;
    }
    uint8_t ident[EI_NIDENT];
    ssize_t got = S_ISREG(st.st_mode) ? pread(fd, ident, sizeof(ident), 0) : -1;
    bool elf = got == (ssize_t)sizeof(ident) && memcmp(ident, ELFMAG, SELFMAG) == 0;
    if (!elf) {
        if (!r->named)
            r->skipped = true;
        else
            set_error(r, S_ISDIR(st.st_mode) ? "is a directory" : !S_ISREG(st.st_mode)
                         ? "not a regular file" : got < 0 ? strerror(errno) : "not an ELF file");
        close(fd);
        return;
    }
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        set_error(r, strerror(errno));
        return;
    }
    int rv = elfaudit_parse_ex(map, (size_t)st.st_size, ELFAUDIT_RELEASE_PAGES, &r->a);
    if (rv == ELFAUDIT_OK && !r->named && r->a.type != ET_EXEC && r->a.type != ET_DYN)
        r->skipped = true;  /* object files, core dumps */
    else if (rv != ELFAUDIT_OK)
        set_error(r, elfaudit_strerror(rv));
    else
        audit_classify(r, sh->policy, sh->self);
    munmap(map, (size_t)st.st_size);
}

static void *worker(void *arg)
{
    struct shared *sh = arg;
    for (;;) {
        size_t i = __atomic_fetch_add(&sh->next, 1, __ATOMIC_RELAXED);
        if (i >= sh->n)
            return NULL;
        struct item *it = &sh->items[i];
        if (it->r != NULL)
            continue;  /* a walk error */
        struct report *r = calloc(1, sizeof(*r));
        if (r == NULL)
            continue;  /* reported as out of memory by scan_run */
        r->path = it->path;
        r->root_path = it->root_path;
        r->named = it->named;
        it->path = it->root_path = NULL;
        scan_file(r, sh);
        if (r->skipped) {
            audit_report_free(r);
            free(r);
            r = NULL;
        }
        it->r = r;
    }
}

static unsigned job_count(unsigned asked, size_t n)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned j = asked ? asked : cpus > 0 ? (unsigned)cpus : 1;
    if (j > MAX_JOBS)
        j = MAX_JOBS;
    return n < j ? (n ? (unsigned)n : 1) : j;
}

static int run_workers(struct shared *sh, unsigned jobs)
{
    pthread_t t[MAX_JOBS];
    unsigned started = 0;
    for (; started + 1 < jobs; started++)
        if (pthread_create(&t[started], NULL, worker, sh) != 0)
            break;
    worker(sh);  /* this thread works too */
    for (unsigned i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    return 0;
}

/* Free a report's analysis, keeping which file it is (for a second judgement). */
static void reset_report(struct report *r)
{
    struct report keep = {.path = r->path, .root_path = r->root_path, .named = r->named,
                          .deps = r->deps, .n_deps = r->n_deps};
    r->path = r->root_path = NULL;
    r->deps = NULL;
    r->n_deps = 0;
    audit_report_free(r);
    *r = keep;
}

/* ---- what a static libfipsrt imports itself -------------------------------------------- */

static int find_running(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    const char *base = info->dlpi_name ? strrchr(info->dlpi_name, '/') : NULL;
    base = base ? base + 1 : info->dlpi_name;
    if (base != NULL && strncmp(base, "libfipsrt.so", 12) == 0) {
        *(const char **)data = info->dlpi_name;
        return 1;
    }
    return 0;
}

static void load_self(const char *path, struct self_imports *self)
{
    struct report r = {.path = (char *)path};
    int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    struct stat st;
    if (fd < 0)
        return;
    void *map = fstat(fd, &st) == 0 ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE,
                                           fd, 0) : MAP_FAILED;
    close(fd);
    if (map == MAP_FAILED)
        return;
    if (elfaudit_parse(map, (size_t)st.st_size, &r.a) == ELFAUDIT_OK &&
        (self->names = calloc(r.a.n_imports + 1, sizeof(char *))) != NULL) {
        for (size_t i = 0; i < r.a.n_imports; i++) {
            self->names[self->n++] = r.a.imports[i].name;
            r.a.imports[i].name = NULL;
        }
    }
    elfaudit_free(&r.a);
    munmap(map, (size_t)st.st_size);
}

/* ---- --root: the image's libraries ----------------------------------------------------- */

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

/* ---- the scan -------------------------------------------------------------------------- */

int scan_run(char *const *paths, size_t npaths, const struct scan_opts *o,
             struct scan_result *out)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(out, 0, sizeof(*out));
    struct list l = {0};
    struct rootctx rc = {.root = o->root};
    struct self_imports self = {0};
    int rv = 0;

    struct items items = {0};
    for (size_t i = 0; i < npaths && rv == 0; i++) {
        struct stat st;
        char *rp = in_root(o->root, paths[i]);
        if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode))
            rv = walk(&items, paths[i], rp, 0);
        else if (add_path(&items, paths[i], rp, true) == NULL)
            rv = -1;
        free(rp);
    }

    /* A static libfipsrt's own imports: from the image's libfipsrt if it has one. */
    char *selfpath = NULL;
    if (o->root != NULL) {
        root_dirs(&rc);
        for (size_t i = 0; i < rc.ndirs && selfpath == NULL; i++) {
            char *c = join(rc.dirs[i], "libfipsrt.so.1"), *canon = c ? root_canon(o->root, c) : NULL;
            if (canon != NULL && asprintf(&selfpath, "%s%s", strcmp(o->root, "/") ? o->root : "",
                                          canon) < 0)
                selfpath = NULL;
            free(c);
            free(canon);
        }
    }
    if (selfpath == NULL) {
        const char *running = NULL;
        dl_iterate_phdr(find_running, &running);
        selfpath = running ? strdup(running) : NULL;
    }
    load_self(selfpath, &self);
    free(selfpath);

    struct shared sh = {o->policy, &self, items.v, items.n, 0};
    if (rv == 0)
        rv = run_workers(&sh, job_count(o->jobs, items.n));
    /* The reports, in the items' order; a skipped file leaves none. */
    for (size_t i = 0; i < items.n; i++) {
        struct item *it = &items.v[i];
        if (rv == 0 && it->r == NULL && it->path != NULL)
            rv = -1;  /* its report could not be allocated */
        if (rv == 0 && it->r != NULL) {
            struct report *r = add_item(&l, "", NULL, false);
            if (r == NULL) {
                rv = -1;
            } else {
                free(r->path);
                *r = *it->r;
                free(it->r);
                it->r = NULL;
            }
        }
        if (it->r != NULL) {
            audit_report_free(it->r);
            free(it->r);
        }
        free(it->path);
        free(it->root_path);
    }
    free(items.v);
    if (rv == 0 && o->root != NULL) {
        rv = resolve_all(&l, &rc, &sh);
        if (rv == 0)
            judge_with_libraries(&l, &sh, o->allow);
    } else if (rv == 0) {
        for (size_t i = 0; i < l.n; i++)
            if (!l.r[i].skipped)
                allowlist_apply(o->allow, &l.r[i]);
    }
    for (size_t i = 0; i < rc.ndirect; i++)
        free(rc.direct[i]);
    for (size_t i = 0; i < rc.nmemo; i++)
        free(rc.memo[i].key);
    free(rc.memo);
    free(rc.direct);
    for (size_t i = 0; i < rc.ndirs; i++)
        free(rc.dirs[i]);
    free(rc.dirs);
    for (size_t i = 0; i < self.n; i++)
        free(self.names[i]);
    free(self.names);

    free(l.slots);
    out->reports = l.r;
    out->n = l.n;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    out->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (rv != 0)
        fprintf(stderr, "fipsrt check: out of memory\n");
    return rv;
}

void scan_free(struct scan_result *s)
{
    for (size_t i = 0; i < s->n; i++)
        audit_report_free(&s->reports[i]);
    free(s->reports);
    memset(s, 0, sizeof(*s));
}
