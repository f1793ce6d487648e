/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The forced-FIPS runtime: panics under every broken provider setup (process tests), no
 * opt-out, the algorithm table, status output, random bytes, threads and fork.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include "testutil.h"

/* ---- process tests: a program linked to the library under a broken provider ---------- */

static const char *probe(void)
{
    const char *p = getenv("FIPSRT_PANIC_PROBE");
    ck_assert_msg(p != NULL, "FIPSRT_PANIC_PROBE not set (run through meson test)");
    return p;
}

/* The directory holding the working provider's openssl.cnf and fipsmodule.cnf. */
static void provider_files(char *conf, size_t n, char *modcnf, size_t m)
{
    const char *c = getenv("OPENSSL_CONF");
    ck_assert_msg(c != NULL, "OPENSSL_CONF not set: eval \"$(tools/fips-provider env)\"");
    snprintf(conf, n, "%s", c);
    char *text = slurp(c, NULL);
    char *inc = strstr(text, ".include");
    ck_assert_ptr_nonnull(inc);
    inc += strlen(".include");
    while (*inc == ' ' || *inc == '=')
        inc++;
    size_t len = strcspn(inc, "\r\n");
    snprintf(modcnf, m, "%.*s", (int)len, inc);
    free(text);
}

/* Write DIR/openssl.cnf: the working config with its .include pointed at `modcnf`. */
static char *config_with_module_cnf(const char *dir, const char *modcnf)
{
    char conf[1024], orig_mod[1024], path[1100];
    provider_files(conf, sizeof(conf), orig_mod, sizeof(orig_mod));
    char *text = slurp(conf, NULL);
    char *at = strstr(text, orig_mod);
    ck_assert_ptr_nonnull(at);
    snprintf(path, sizeof(path), "%s/openssl.cnf", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "%.*s%s%s", (int)(at - text), text, modcnf, at + strlen(orig_mod));
    fclose(f);
    free(text);
    return strdup(path);
}

/* The panic's exact shape (SPEC 1.3): first line, the header, code lines + file:line lines. */
static void assert_panic(const proc_result *r, const char *step, const char *reason)
{
    char first[512];
    snprintf(first, sizeof(first), "panic: fipsrt: can't enable FIPS mode for %s: %s\nopenssl error(s):\n",
             OpenSSL_version(OPENSSL_VERSION), step);
    ck_assert_msg(r->signal == SIGABRT, "expected SIGABRT, got exited=%d status=%d signal=%d\nstderr: %s",
                  r->exited, r->status, r->signal, r->err);
    ck_assert_msg(strncmp(r->err, first, strlen(first)) == 0, "stderr does not start with\n%s\ngot:\n%s", first, r->err);
    ck_assert_msg(strstr(r->err, reason) != NULL, "no '%s' in:\n%s", reason, r->err);
    /* Every queued error: "error:XXXXXXXX:lib::reason" then "\tfile:line". */
    const char *p = r->err + strlen(first);
    int entries = 0;
    while (strncmp(p, "error:", 6) == 0) {
        const char *nl = strchr(p, '\n');
        ck_assert_ptr_nonnull(nl);
        ck_assert_msg(nl[1] == '\t' && strchr(nl + 1, ':') != NULL, "no file:line after: %.*s", (int)(nl - p), p);
        p = strchr(nl + 1, '\n');
        ck_assert_ptr_nonnull(p);
        p++;
        entries++;
    }
    ck_assert_int_gt(entries, 0);
    ck_assert_ptr_null(strstr(r->out, "probe ok"));
}

START_TEST(test_panic_tampered_module_cnf)
{
    /* The reference's tamper: swap digits 8 and 9 in fipsmodule.cnf (breaks module-mac). */
    char conf[1024], modcnf[1024], path[1100];
    provider_files(conf, sizeof(conf), modcnf, sizeof(modcnf));
    char *dir = make_temp_dir();
    size_t len;
    char *text = slurp(modcnf, &len);
    for (size_t i = 0; i < len; i++)
        text[i] = text[i] == '8' ? '9' : text[i] == '9' ? '8' : text[i];
    snprintf(path, sizeof(path), "%s/fipsmodule.cnf", dir);
    write_file(path, text, len);
    free(text);
    char *cnf = config_with_module_cnf(dir, path);
    char env_conf[1200];
    snprintf(env_conf, sizeof(env_conf), "OPENSSL_CONF=%s", cnf);
    const char *env[] = {env_conf, NULL};
    char *argv[] = {(char *)probe(), NULL};
    proc_result r;
    run_process(argv, env, NULL, &r);
    assert_panic(&r, "OSSL_PROVIDER_try_load", "self test post failure");
    ck_assert_ptr_nonnull(strstr(r.err, "providers/fips/"));
    free(cnf);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(test_panic_missing_fips_so)
{
    char *dir = make_temp_dir();
    char env_mod[1200];
    snprintf(env_mod, sizeof(env_mod), "OPENSSL_MODULES=%s", dir);  /* empty: no fips.so */
    const char *env[] = {env_mod, NULL};
    char *argv[] = {(char *)probe(), NULL};
    proc_result r;
    run_process(argv, env, NULL, &r);
    assert_panic(&r, "OSSL_PROVIDER_try_load", "could not load the shared library");
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(test_panic_tampered_fips_so)
{
    /* One flipped byte in the module: its integrity check (HMAC over fips.so) fails. */
    const char *mods = getenv("OPENSSL_MODULES");
    ck_assert_ptr_nonnull(mods);
    char src[1100], dst[1100];
    snprintf(src, sizeof(src), "%s/fips.so", mods);
    char *dir = make_temp_dir();
    snprintf(dst, sizeof(dst), "%s/fips.so", dir);
    size_t len;
    char *so = slurp(src, &len);
    so[len / 2] ^= 0x01;
    write_file(dst, so, len);
    free(so);
    char env_mod[1200];
    snprintf(env_mod, sizeof(env_mod), "OPENSSL_MODULES=%s", dir);
    const char *env[] = {env_mod, NULL};
    char *argv[] = {(char *)probe(), NULL};
    proc_result r;
    run_process(argv, env, NULL, &r);
    assert_panic(&r, "OSSL_PROVIDER_try_load", "self test post failure");
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(test_panic_config_without_fips)
{
    /* A config that loads only the default provider, and no config at all. */
    char *dir = make_temp_dir();
    char path[1100], env_conf[1200];
    snprintf(path, sizeof(path), "%s/default-only.cnf", dir);
    const char *cnf = "openssl_conf = init\n[init]\nproviders = prov\n[prov]\ndefault = def\n"
                      "[def]\nactivate = 1\n";
    write_file(path, cnf, strlen(cnf));
    const char *confs[] = {path, "/dev/null"};
    for (int i = 0; i < 2; i++) {
        snprintf(env_conf, sizeof(env_conf), "OPENSSL_CONF=%s", confs[i]);
        const char *env[] = {env_conf, NULL};
        char *argv[] = {(char *)probe(), NULL};
        proc_result r;
        run_process(argv, env, NULL, &r);
        assert_panic(&r, "OSSL_PROVIDER_try_load", "missing config data");
    }
    rm_rf(dir);
    free(dir);
}
END_TEST

/*
 * A working config whose [random] section asks for a DRBG the FIPS provider cannot give: one
 * that does not exist, and one pinned to the default provider (also activated). Either way
 * no FIPS DRBG can be had, and start-up panics at the DRBG step, naming what was asked for.
 */
START_TEST(test_panic_drbg_not_fips)
{
    static const struct {
        const char *extra, *sections, *reason;
    } cases[] = {
        {"", "[random_sect]\nrandom = NO-SUCH-DRBG\n", "NO-SUCH-DRBG"},
        {"default = default_sect\n", "[default_sect]\nactivate = 1\n[random_sect]\nproperties = provider=default\n",
         "provider=default"},
    };
    char conf[1024], modcnf[1024], path[1100], env_conf[1200];
    provider_files(conf, sizeof(conf), modcnf, sizeof(modcnf));
    char *text = slurp(conf, NULL);
    char *alg = strstr(text, "alg_section = algorithm_sect\n");
    char *prov = strstr(text, "base = base_sect\n");
    ck_assert_msg(alg != NULL && prov != NULL && alg < prov, "unexpected shape of %s", conf);
    char *dir = make_temp_dir();
    snprintf(path, sizeof(path), "%s/random.cnf", dir);
    snprintf(env_conf, sizeof(env_conf), "OPENSSL_CONF=%s", path);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t a = (size_t)(alg - text) + strlen("alg_section = algorithm_sect\n");
        size_t b = (size_t)(prov - text) + strlen("base = base_sect\n");
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fprintf(f, "%.*srandom = random_sect\n%.*s%s%s%s", (int)a, text, (int)(b - a), text + a,
                cases[i].extra, text + b, cases[i].sections);
        fclose(f);
        const char *env[] = {env_conf, NULL};
        char *argv[] = {(char *)probe(), NULL};
        proc_result r;
        run_process(argv, env, NULL, &r);
        assert_panic(&r, "RAND_get0_primary", cases[i].reason);
    }
    free(text);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* As PID 1 of a PID namespace (a container's entry point, `podman run image`) SIGABRT cannot
 * kill the process; the panic must still end it with status 134, not a SIGSEGV. */
START_TEST(test_panic_as_pid1)
{
    if (access("/usr/bin/unshare", X_OK) != 0 || geteuid() != 0) {
        fprintf(stderr, "test_panic_as_pid1: skipped, needs root and /usr/bin/unshare\n");
        return;
    }
    char *argv[] = {"/usr/bin/unshare", "--pid", "--fork", (char *)probe(), NULL};
    const char *env[] = {"OPENSSL_CONF=/dev/null", NULL};
    proc_result r;
    run_process(argv, env, NULL, &r);
    ck_assert_msg(r.exited && r.status == 128 + SIGABRT,
                  "expected exit status 134, got exited=%d status=%d signal=%d\nstderr: %s",
                  r.exited, r.status, r.signal, r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "panic: fipsrt: can't enable FIPS mode for "));
    ck_assert_ptr_nonnull(strstr(r.err, "missing config data"));
    ck_assert_ptr_null(strstr(r.out, "probe ok"));
}
END_TEST

/* No variable turns FIPS mode off: not with a broken provider, not with a working one. */
START_TEST(test_no_opt_out)
{
    static const char *optouts[] = {"OPENSSL_FIPS=0", "FIPSRT_FIPS=0", "GOLANG_FIPS=0",
                                    "GODEBUG=fips140=off", "FIPSRT_DISABLE=1",
                                    "FIPSRT_INSECURE=1", NULL};
    char *argv[] = {(char *)probe(), NULL};
    proc_result r;
    run_process(argv, optouts, NULL, &r);
    ck_assert_msg(r.exited && r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "probe ok ba7816bf"));
    ck_assert_ptr_nonnull(strstr(r.out, "fips=1"));

    const char *broken[8];
    size_t i = 0;
    for (; optouts[i]; i++)
        broken[i] = optouts[i];
    broken[i++] = "OPENSSL_CONF=/dev/null";
    broken[i] = NULL;
    run_process(argv, broken, NULL, &r);
    assert_panic(&r, "OSSL_PROVIDER_try_load", "missing config data");
}
END_TEST

/* A call after the exit cleanup released the runtime (a library loaded late, an exit handler
 * registered before it) panics instead of using freed or NULL objects. */
START_TEST(test_call_after_exit_cleanup)
{
    char *argv[] = {getenv("FIPSRT_LATE_PROBE"), getenv("FIPSRT_SHARED_LIB"), NULL};
    ck_assert_ptr_nonnull(argv[0]);
    ck_assert_ptr_nonnull(argv[1]);
    proc_result r;
    run_process(argv, NULL, NULL, &r);
    ck_assert_ptr_nonnull(strstr(r.out, "main hash 0"));
    ck_assert_msg(r.signal == SIGABRT, "expected SIGABRT, got exited=%d status=%d signal=%d\n"
                  "stdout: %s\nstderr: %s", r.exited, r.status, r.signal, r.out, r.err);
    ck_assert_ptr_null(strstr(r.out, "late hash"));
    ck_assert_ptr_nonnull(strstr(r.err, "panic: fipsrt: can't enable FIPS mode for "));
    ck_assert_ptr_nonnull(strstr(r.err, "called after the runtime was released at exit"));
}
END_TEST

/* ---- in-process runtime ----------------------------------------------------------------- */

START_TEST(test_algorithm_table)
{
    size_t n = fipsrt_algorithm_count();
    ck_assert_uint_ge(n, 20);
    bool saw_sha256 = false, saw_hmac = false, saw_drbg = false;
    for (size_t i = 0; i < n; i++) {
        const char *name, *kind, *prov;
        ck_assert_ok(fipsrt_algorithm_get(i, &name, &kind, &prov));
        ck_assert_str_eq(prov, "fips");
        saw_sha256 |= strcmp(name, "SHA2-256") == 0 && strcmp(kind, "digest") == 0;
        saw_hmac |= strcmp(name, "HMAC") == 0 && strcmp(kind, "mac") == 0;
        saw_drbg |= strcmp(kind, "rand") == 0;
    }
    ck_assert(saw_sha256 && saw_hmac && saw_drbg);
    ck_assert_fipsrt(fipsrt_algorithm_get(n, NULL, NULL, NULL), FIPSRT_E_INVALID_ARG);
    ck_assert_ok(fipsrt_algorithm_get(0, NULL, NULL, NULL));
}
END_TEST

START_TEST(test_runtime_info)
{
    ck_assert_ok(fipsrt_init());
    ck_assert_ok(fipsrt_init());  /* idempotent */
    fipsrt_runtime_info info = {.size = sizeof(info)};
    ck_assert_ok(fipsrt_runtime_get_info(&info));
    ck_assert_str_eq(info.library_version, FIPSRT_VERSION_STRING);
    ck_assert_str_eq(fipsrt_version(), FIPSRT_VERSION_STRING);
    ck_assert_uint_eq(fipsrt_version_number(),
                      (FIPSRT_VERSION_MAJOR << 16) | (FIPSRT_VERSION_MINOR << 8) | FIPSRT_VERSION_PATCH);
    ck_assert_str_eq(info.openssl_running, OpenSSL_version(OPENSSL_VERSION));
    ck_assert_ptr_nonnull(strstr(info.provider_name, "FIPS"));
    ck_assert_int_eq(info.provider_active, 1);
    ck_assert_int_eq(info.fips_properties, 1);
    ck_assert_str_eq(info.config_file, getenv("OPENSSL_CONF"));
    ck_assert_uint_gt(strlen(info.provider_version), 0);
    /* The application's own queued OpenSSL errors survive the call. */
    ERR_raise(ERR_LIB_USER, 42);
    unsigned long mine = ERR_peek_last_error();
    ck_assert_ok(fipsrt_runtime_get_info(&info));
    ck_assert_uint_eq(ERR_peek_last_error(), mine);
    ERR_clear_error();
    fipsrt_runtime_info small = {.size = sizeof(small) - 1};
    ck_assert_fipsrt(fipsrt_runtime_get_info(&small), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_runtime_get_info(NULL), FIPSRT_E_INVALID_ARG);
    /* The process-wide state matches: FIPS properties, DRBG from the fips provider. */
    ck_assert_int_eq(EVP_default_properties_is_fips_enabled(NULL), 1);
    EVP_RAND_CTX *drbg = RAND_get0_public(NULL);
    ck_assert_str_eq(OSSL_PROVIDER_get0_name(EVP_RAND_get0_provider(EVP_RAND_CTX_get0_rand(drbg))), "fips");
    ck_assert_ok(fipsrt_selftest());
}
END_TEST

START_TEST(test_status_json)
{
    char *cli = getenv("FIPSRT_CLI");
    ck_assert_ptr_nonnull(cli);
    char *argv[] = {cli, "status", "--json", NULL};
    proc_result r;
    run_process(argv, NULL, NULL, &r);
    ck_assert_msg(r.exited && r.status == 0, "%s", r.err);
    /* Valid JSON in which every algorithm is served by "fips" and FIPS mode is on. */
    char *py[] = {"/usr/bin/python3", "-c",
                  "import json,sys; d=json.load(sys.stdin); a=d['algorithms'];"
                  "assert len(a)>=20 and all(x['provider']=='fips' for x in a), a;"
                  "assert d['fips_mode'] is True and d['provider']['status']=='active';"
                  "print(len(a))", NULL};
    proc_result p;
    run_process(py, NULL, r.out, &p);
    ck_assert_msg(p.exited && p.status == 0, "python: %s\njson: %s", p.err, r.out);
    char *text[] = {cli, "status", NULL};
    run_process(text, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "SHA2-256       digest        fips"));
    char *bad[] = {cli, "status", "--bogus", NULL};
    run_process(bad, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 2);
    char *st[] = {cli, "selftest", NULL};
    run_process(st, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "passed"));
}
END_TEST

START_TEST(test_errors)
{
    /* Every code has its own text; unknown codes get a fixed text; never NULL. */
    for (int c = 0; c >= FIPSRT_E_IO; c--) {
        ck_assert_ptr_nonnull(fipsrt_strerror(c));
        ck_assert_str_ne(fipsrt_strerror(c), "unknown error");
        for (int d = c - 1; d >= FIPSRT_E_IO; d--)
            ck_assert_str_ne(fipsrt_strerror(c), fipsrt_strerror(d));
    }
    ck_assert_str_eq(fipsrt_strerror(-999), "unknown error");
    ck_assert_str_eq(fipsrt_strerror(5), "unknown error");
    ck_assert_ptr_nonnull(fipsrt_last_error());
    /* The detail names the function and carries OpenSSL's queue when OpenSSL failed. */
    uint8_t out[32];
    ck_assert_fipsrt(fipsrt_hash(FIPSRT_HASH_SHA256, NULL, 3, out, 32, NULL), FIPSRT_E_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(fipsrt_last_error(), "fipsrt_hash"));
    ck_assert_int_eq(fipsrt_last_error_code(), FIPSRT_E_INVALID_ARG);
}
END_TEST

static void *other_thread_error(void *arg)
{
    /* The detail is per thread: a fresh thread sees none of the main thread's failure. */
    *(int *)arg = fipsrt_last_error()[0] == '\0' && fipsrt_last_error_code() == 0;
    return NULL;
}

START_TEST(test_error_is_thread_local)
{
    uint8_t out[32];
    ck_assert_fipsrt(fipsrt_hash(FIPSRT_HASH_MD5, "a", 1, out, 32, NULL), FIPSRT_E_MD5_SECURE);
    int clean = 0;
    pthread_t t;
    pthread_create(&t, NULL, other_thread_error, &clean);
    pthread_join(t, NULL);
    ck_assert_int_eq(clean, 1);
    ck_assert_int_eq(fipsrt_last_error_code(), FIPSRT_E_MD5_SECURE);
}
END_TEST

START_TEST(test_random)
{
    uint8_t a[64], b[64];
    ck_assert_ok(fipsrt_random(a, sizeof(a)));
    ck_assert_ok(fipsrt_random(b, sizeof(b)));
    ck_assert_mem_ne(a, b, sizeof(a));
    ck_assert_ok(fipsrt_random(NULL, 0));
    ck_assert_ok(fipsrt_random(a, 0));
    ck_assert_fipsrt(fipsrt_random(NULL, 1), FIPSRT_E_INVALID_ARG);
    /* Larger than one DRBG request (2^16 bytes in the FIPS provider). */
    size_t big = (1 << 20) + 3;
    uint8_t *buf = calloc(1, big);
    ck_assert_ok(fipsrt_random(buf, big));
    size_t zeros = 0;
    for (size_t i = 0; i < big; i++)
        zeros += buf[i] == 0;
    ck_assert_uint_lt(zeros, big / 128);  /* ~1/256 expected */
    free(buf);
}
END_TEST

/* A forked child keeps working and its DRBG output differs from the parent's. */
START_TEST(test_fork)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    uint8_t parent[32], child[32], d[32];
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        int ok = fipsrt_random(child, 32) == 0 &&
                 fipsrt_hash(FIPSRT_HASH_SHA256, "abc", 3, d, 32, NULL) == 0 && d[0] == 0xba;
        if (!ok)
            _exit(1);
        (void)!write(fds[1], child, 32);
        _exit(0);
    }
    close(fds[1]);
    ck_assert_ok(fipsrt_random(parent, 32));
    ck_assert_int_eq(read(fds[0], child, 32), 32);
    close(fds[0]);
    int st;
    waitpid(pid, &st, 0);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    ck_assert_mem_ne(parent, child, 32);
}
END_TEST

/* Many threads on the one-shot paths (per-thread scratch state), each checked. */
static void *hammer(void *arg)
{
    (void)arg;
    uint8_t key[32], msg[100], d1[64], d2[64];
    memset(key, 7, sizeof(key));
    for (int i = 0; i < 2000; i++) {
        memset(msg, i & 0xff, sizeof(msg));
        fipsrt_hash_alg alg = (fipsrt_hash_alg)(FIPSRT_HASH_SHA1 + i % 11);
        size_t n = fipsrt_hash_size(alg);
        fipsrt_hash_ctx *h;
        if (fipsrt_hash(alg, msg, sizeof(msg), d1, sizeof(d1), NULL) != 0 ||
            fipsrt_hash_new(&h, alg) != 0)
            return (void *)1;
        fipsrt_hash_update(h, msg, sizeof(msg));
        fipsrt_hash_final(h, d2, sizeof(d2), NULL);
        fipsrt_hash_free(h);
        if (memcmp(d1, d2, n) != 0)
            return (void *)1;
        if (fipsrt_hmac(alg, key, sizeof(key), msg, sizeof(msg), d1, sizeof(d1), NULL) != 0 ||
            fipsrt_hmac_verify(alg, key, sizeof(key), msg, sizeof(msg), d1, n) != 0)
            return (void *)1;
    }
    return NULL;
}

START_TEST(test_threads)
{
    pthread_t t[8];
    for (int i = 0; i < 8; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, hammer, NULL), 0);
    for (int i = 0; i < 8; i++) {
        void *rv;
        pthread_join(t[i], &rv);
        ck_assert_ptr_null(rv);
    }
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("runtime");
    TCase *tc = tcase_create("panic");
    tcase_add_test(tc, test_panic_tampered_module_cnf);
    tcase_add_test(tc, test_panic_missing_fips_so);
    tcase_add_test(tc, test_panic_tampered_fips_so);
    tcase_add_test(tc, test_panic_config_without_fips);
    tcase_add_test(tc, test_panic_drbg_not_fips);
    tcase_add_test(tc, test_no_opt_out);
    tcase_add_test(tc, test_panic_as_pid1);
    tcase_add_test(tc, test_call_after_exit_cleanup);
    suite_add_tcase(s, tc);
    tc = tcase_create("runtime");
    tcase_add_test(tc, test_algorithm_table);
    tcase_add_test(tc, test_runtime_info);
    tcase_add_test(tc, test_status_json);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_error_is_thread_local);
    tcase_add_test(tc, test_random);
    tcase_add_test(tc, test_fork);
    tcase_add_test(tc, test_threads);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(make_suite); }
