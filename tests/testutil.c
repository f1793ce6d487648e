/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define DEFAULT_VECTORS "/usr/lib/python3/dist-packages/cryptography_vectors"

const char *vec_path(const char *rel)
{
    static _Thread_local char buf[1024];
    const char *dir = getenv("FIPSRT_VECTORS");
    snprintf(buf, sizeof(buf), "%s/%s", dir && *dir ? dir : DEFAULT_VECTORS, rel);
    return buf;
}

void vec_open(vec_file *v, const char *rel)
{
    memset(v, 0, sizeof(*v));
    snprintf(v->path, sizeof(v->path), "%s", vec_path(rel));
    v->f = fopen(v->path, "r");
    ck_assert_msg(v->f != NULL, "cannot open vector file %s: %s (install python3-cryptography-vectors)",
                  v->path, strerror(errno));
}

static void free_fields(char **k, char **val, int *n)
{
    for (int i = 0; i < *n; i++) {
        free(k[i]);
        free(val[i]);
    }
    *n = 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* "[A = 1]" or "[SHA-256]" -> section fields; a bare name is stored with value "". */
static void parse_section(vec_file *v, char *line)
{
    char *body = trim(line + 1);
    char *close = strrchr(body, ']');
    if (close)
        *close = '\0';
    snprintf(v->section_line, sizeof(v->section_line), "%s", body);
    char *eq = strchr(body, '=');
    char *key = eq ? (*eq = '\0', trim(body)) : trim(body);
    char *val = eq ? trim(eq + 1) : "";
    /* A header for a key already present replaces it; a new key adds to the set. */
    for (int i = 0; i < v->sn; i++) {
        if (strcmp(v->skeys[i], key) == 0) {
            free(v->svals[i]);
            v->svals[i] = strdup(val);
            return;
        }
    }
    if (v->sn < VEC_MAX_FIELDS) {
        v->skeys[v->sn] = strdup(key);
        v->svals[v->sn++] = strdup(val);
    }
}

bool vec_next(vec_file *v)
{
    char line[1 << 16];
    free_fields(v->keys, v->vals, &v->n);
    v->section_changed = false;
    bool header_run = false;   /* consecutive header lines form one section set */
    while (fgets(line, sizeof(line), v->f) != NULL) {
        v->line++;
        long raw_len = (long)strlen(line);
        char *s = trim(line);
        if (*s == '#' || *s == '\0') {
            if (*s == '\0' && v->n > 0)
                return true;
            continue;
        }
        if (*s == '[') {
            if (v->n > 0) {
                /* A header right after a record ends it; re-read the header next time. */
                fseek(v->f, -raw_len, SEEK_CUR);
                v->line--;
                return true;
            }
            if (!header_run && !v->section_changed)
                free_fields(v->skeys, v->svals, &v->sn);
            header_run = true;
            v->section_changed = true;
            parse_section(v, s);
            continue;
        }
        header_run = false;
        char *eq = strchr(s, '=');
        if (eq == NULL) {
            /* Some files carry free text lines; they are not part of a record. */
            continue;
        }
        *eq = '\0';
        if (v->n < VEC_MAX_FIELDS) {
            v->keys[v->n] = strdup(trim(s));
            v->vals[v->n++] = strdup(trim(eq + 1));
        }
    }
    return v->n > 0;
}

const char *vec_get(const vec_file *v, const char *key)
{
    for (int i = 0; i < v->n; i++)
        if (strcmp(v->keys[i], key) == 0)
            return v->vals[i];
    return NULL;
}

const char *vec_section(const vec_file *v, const char *key)
{
    for (int i = 0; i < v->sn; i++)
        if (strcmp(v->skeys[i], key) == 0)
            return v->svals[i];
    return NULL;
}

void vec_close(vec_file *v)
{
    free_fields(v->keys, v->vals, &v->n);
    free_fields(v->skeys, v->svals, &v->sn);
    if (v->f)
        fclose(v->f);
    v->f = NULL;
}

uint8_t *hex_alloc(const char *hex, size_t *len)
{
    size_t n = strlen(hex);
    uint8_t *out = malloc(n / 2 + 1);
    ck_expect(out != NULL, "out of memory");
    size_t o = 0;
    int hi = -1;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)hex[i];
        if (isspace(c))
            continue;
        ck_expect(isxdigit(c), "bad hex digit '%c' in \"%.40s\"", c, hex);
        int d = isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
        if (hi < 0) {
            hi = d;
        } else {
            out[o++] = (uint8_t)(hi << 4 | d);
            hi = -1;
        }
    }
    ck_expect(hi < 0, "odd number of hex digits in \"%.40s\"", hex);
    *len = o;
    return out;
}

void vec_report(const char *label, int run, int skipped, const char *skip_reason)
{
    if (skipped)
        printf("vectors: %s: %d run, %d skipped (%s)\n", label, run, skipped, skip_reason);
    else
        printf("vectors: %s: %d run, 0 skipped\n", label, run);
    fflush(stdout);
}

/* ---- processes -------------------------------------------------------------------------- */

static void drain(int fd, char *buf, size_t cap, size_t *len, bool *open)
{
    char tmp[4096];
    ssize_t n = read(fd, tmp, sizeof(tmp));
    if (n <= 0) {
        *open = false;
        return;
    }
    size_t room = cap - 1 - *len;
    size_t take = (size_t)n < room ? (size_t)n : room;
    memcpy(buf + *len, tmp, take);
    *len += take;
    buf[*len] = '\0';
}

void run_process(char *const argv[], const char *const env[], const char *input,
                 proc_result *res)
{
    int out[2], err[2], in[2];
    memset(res, 0, sizeof(*res));
    ck_assert_int_eq(pipe(out), 0);
    ck_assert_int_eq(pipe(err), 0);
    ck_assert_int_eq(pipe(in), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        close(in[1]);
        close(out[0]);
        close(err[0]);
        for (size_t i = 0; env && env[i]; i++) {
            char *kv = strdup(env[i]);
            char *eq = strchr(kv, '=');
            if (eq) {
                *eq = '\0';
                setenv(kv, eq + 1, 1);
            } else {
                unsetenv(kv);
            }
        }
        execv(argv[0], argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);
    if (input)
        (void)!write(in[1], input, strlen(input));
    close(in[1]);
    size_t olen = 0, elen = 0;
    bool oo = true, eo = true;
    time_t deadline = time(NULL) + 120;
    while ((oo || eo) && time(NULL) < deadline) {
        struct pollfd p[2] = {{oo ? out[0] : -1, POLLIN, 0}, {eo ? err[0] : -1, POLLIN, 0}};
        if (poll(p, 2, 1000) <= 0)
            continue;
        if (p[0].revents)
            drain(out[0], res->out, sizeof(res->out), &olen, &oo);
        if (p[1].revents)
            drain(err[0], res->err, sizeof(res->err), &elen, &eo);
    }
    close(out[0]);
    close(err[0]);
    if (oo || eo)
        kill(pid, SIGKILL);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(!(oo || eo), "%s did not finish within 120 s", argv[0]);
    if (WIFEXITED(st)) {
        res->exited = 1;
        res->status = WEXITSTATUS(st);
    } else if (WIFSIGNALED(st)) {
        res->signal = WTERMSIG(st);
    }
}

const char *build_dir(void)
{
    const char *d = getenv("FIPSRT_TEST_BUILD_DIR");
    return d ? d : ".";
}

char *make_temp_dir(void)
{
    char *t = strdup("/tmp/fipsrt-test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(t));
    return t;
}

void rm_rf(const char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    (void)!system(cmd);
}

void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s: %s", path, strerror(errno));
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot read %s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

static int selected;

void frt_add_test(TCase *tc, const TTest *tf, int start, int end)
{
    const char *only = getenv("FIPSRT_TESTS");
    if (only != NULL) {
        size_t n = strlen(tf->name);
        const char *p = only;
        for (;; p++) {
            if (strncmp(p, tf->name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
                break;
            p = strchr(p, ',');
            if (p == NULL)
                return;   /* not selected */
        }
    }
    selected++;
    _tcase_add_test(tc, tf, 0, 0, start, end);
}

int run_suite(Suite *(*make)(void))
{
    Suite *suite = make();
    if (getenv("FIPSRT_TESTS") != NULL && selected == 0) {
        fprintf(stderr, "FIPSRT_TESTS=%s names no test of this suite\n", getenv("FIPSRT_TESTS"));
        return 1;
    }
    SRunner *sr = srunner_create(suite);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
