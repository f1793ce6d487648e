/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which files `fipsrt check` reads and how: arguments are files (followed if they are
 * symbolic links) or directories, walked without following any symbolic link, so a link
 * loop or a link out of the tree is never entered; each directory's entries are sorted so
 * the output does not depend on the file system's order. Files are mapped (mmap), so only
 * the pages the ELF reader touches are read; a walked file that is not an ELF executable or
 * shared object is skipped quietly. Worker threads take files from a shared counter; each
 * verdict is independent of the others.
 * With --root, tools/audit_root.c then judges each file with its image's libraries.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
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
#include "audit_scan.h"
#include "cli.h"

#define MAX_DEPTH 128        /* directory nesting walked */
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


struct report *add_item(struct list *l, const char *path, const char *root_path,
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

char *join(const char *a, const char *b)
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


static void set_error(struct report *r, const char *msg)
{
    r->status = CLI_USAGE;
    free(r->error);
    r->error = strdup(msg);
}

/* Read, parse and judge r->path. A walked file that is not an ELF executable or shared
 * object is marked skipped; a named one is an error, as before directories were walked. */
void scan_file(struct report *r, const struct shared *sh)
{
    int fd = open(r->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        set_error(r, strerror(errno));
        return;
    }
    /* The magic first: most files of a tree are not ELF, and they cost no fstat. */
    uint8_t ident[EI_NIDENT];
    ssize_t got = pread(fd, ident, sizeof(ident), 0);
    int err = errno;
    bool elf = got == (ssize_t)sizeof(ident) && memcmp(ident, ELFMAG, SELFMAG) == 0;
    struct stat st;
    if (elf && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        elf = false;
        got = -1;
        err = EINVAL;
    }
    if (!elf) {
        if (!r->named)
            r->skipped = true;
        else if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode))
            set_error(r, S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
        else
            set_error(r, got < 0 ? strerror(err) : "not an ELF file");
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
void reset_report(struct report *r)
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

/* ---- the scan -------------------------------------------------------------------------- */

int scan_run(char *const *paths, size_t npaths, const struct scan_opts *o,
             struct scan_result *out)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(out, 0, sizeof(*out));
    struct list l = {0};
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
    char *selfpath = o->root ? root_find_library(o->root, "libfipsrt.so.1") : NULL;
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
        rv = root_judge(&l, o->root, &sh, o->allow);
    } else if (rv == 0) {
        for (size_t i = 0; i < l.n; i++)
            if (!l.r[i].skipped)
                allowlist_apply(o->allow, &l.r[i]);
    }
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
