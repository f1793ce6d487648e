/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Concurrency workload for the race detector (issue 13): every object SPEC 1.6 says may be
 * shared, used from several threads at once, starting together (a barrier) so first-use
 * paths race too:
 *   keys      one EC and one RSA fipsrt_key: sign/verify (per-key operation templates are
 *             made lazily by whichever thread comes first)
 *   aead      one fipsrt_aead_key: seal/open (invocation counter, per-thread slots)
 *   tls       one server and one client fipsrt_tls_ctx: a handshake pair per thread over
 *             memory, session tickets shared through the client context's cache
 *   scratch   one-shot hash/HMAC (per-thread scratch) in threads that then exit
 *   errors    failing calls with distinct codes: each thread must see its own
 *   lazy      first use of MD5's private context, runtime info, the algorithm table
 *   cert      one fipsrt_cert exported and its subject read from every thread
 *   fork      a thread forks while the others work; the child hashes, seals and opens
 * Each check asserts a real outcome. Run under ThreadSanitizer by `tools/run race` (the
 * library instrumented); in the plain suite it runs as an ordinary test.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fipsrt/fipsrt.h>
#include <fipsrt/insecure.h>

#define THREADS 4
static int rounds = 20;

static fipsrt_key *ec, *rsa;
static fipsrt_aead_key *aead;
static fipsrt_tls_ctx *sctx, *cctx;
static fipsrt_cert *cert;
static pthread_barrier_t start;
static int failures;
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            pthread_mutex_lock(&fail_lock);                                                  \
            failures++;                                                                      \
            fprintf(stderr, "race.c:%d: check failed: %s [%s]\n", __LINE__, #cond,           \
                    fipsrt_last_error());                                                    \
            pthread_mutex_unlock(&fail_lock);                                                \
        }                                                                                    \
    } while (0)

static const uint8_t msg[] = "shared objects, many threads";

static void use_keys(void)
{
    uint8_t sig[512];
    size_t n;
    CHECK(fipsrt_ecdsa_sign(ec, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, msg, sizeof(msg), sig,
                            sizeof(sig), &n) == 0);
    CHECK(fipsrt_ecdsa_verify(ec, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, msg, sizeof(msg), sig,
                              n) == 0);
    CHECK(fipsrt_rsa_sign(rsa, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, msg, sizeof(msg), sig,
                          sizeof(sig), &n) == 0);
    CHECK(fipsrt_rsa_verify(rsa, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, msg, sizeof(msg), sig, n) ==
          0);
}

static void use_aead(void)
{
    uint8_t nonce[12], ct[128], pt[128];
    size_t n, m;
    CHECK(fipsrt_aead_seal(aead, NULL, 0, msg, sizeof(msg), nonce, ct, sizeof(ct), &n) == 0);
    CHECK(fipsrt_aead_open(aead, nonce, NULL, 0, ct, n, pt, sizeof(pt), &m) == 0 &&
          m == sizeof(msg) && memcmp(pt, msg, m) == 0);
}

static void move(fipsrt_tls_conn *from, fipsrt_tls_conn *to)
{
    uint8_t buf[16384];
    size_t n = 0, took;
    while (fipsrt_tls_conn_drain(from, buf, sizeof(buf), &n) == 0 && n > 0)
        for (size_t off = 0; off < n; off += took)
            if (fipsrt_tls_conn_feed(to, buf + off, n - off, &took) != 0)
                return;
}

static void use_tls(void)
{
    fipsrt_tls_conn *c = NULL, *s = NULL;
    uint8_t buf[32];
    size_t n;
    int cr = 1, sr = 1;
    CHECK(fipsrt_tls_conn_new_mem(&c, cctx, "localhost") == 0);
    CHECK(fipsrt_tls_conn_new_mem(&s, sctx, NULL) == 0);
    if (c == NULL || s == NULL)
        goto out;
    for (int i = 0; i < 10 && (cr != 0 || sr != 0); i++) {
        cr = fipsrt_tls_conn_handshake(c);
        move(c, s);
        sr = fipsrt_tls_conn_handshake(s);
        move(s, c);
    }
    CHECK(cr == 0 && sr == 0);
    CHECK(fipsrt_tls_conn_write(c, "ping", 4, &n) == 0);
    move(c, s);
    CHECK(fipsrt_tls_conn_read(s, buf, sizeof(buf), &n) == 0 && n == 4);
    CHECK(fipsrt_tls_conn_write(s, "pong", 4, &n) == 0);   /* carries the session ticket */
    move(s, c);
    CHECK(fipsrt_tls_conn_read(c, buf, sizeof(buf), &n) == 0 && n == 4);
out:
    fipsrt_tls_conn_free(c);
    fipsrt_tls_conn_free(s);
}

static void *scratch_thread(void *arg)
{
    uint8_t out[64];
    size_t n;
    CHECK(fipsrt_hash(FIPSRT_HASH_SHA256, msg, sizeof(msg), out, sizeof(out), &n) == 0);
    CHECK(fipsrt_hmac(FIPSRT_HASH_SHA384, msg, 16, msg, sizeof(msg), out, sizeof(out), &n) == 0);
    return arg;
}

static void use_scratch(void)
{
    pthread_t t;   /* a short-lived thread: its scratch is made and freed while others run */
    CHECK(pthread_create(&t, NULL, scratch_thread, NULL) == 0);
    scratch_thread(NULL);
    pthread_join(t, NULL);
}

static void use_errors(int id)
{
    uint8_t out[8];
    size_t n;
    /* a distinct failure per thread parity: each must read back its own code */
    int want = id % 2 ? FIPSRT_E_BUFFER_TOO_SMALL : FIPSRT_E_MD5_SECURE;
    int rv = id % 2 ? fipsrt_hash(FIPSRT_HASH_SHA256, msg, 1, out, sizeof(out), &n)
                    : fipsrt_hash(FIPSRT_HASH_MD5, msg, 1, out, sizeof(out), &n);
    CHECK(rv == want);
    sched_yield();
    CHECK(fipsrt_last_error_code() == want);
}

static void use_lazy(void)
{
    uint8_t md5[FIPSRT_INSECURE_MD5_SIZE];
    fipsrt_runtime_info info = {.size = sizeof(info)};
    const char *name;
    CHECK(fipsrt_insecure_md5(msg, sizeof(msg), md5) == 0);
    CHECK(fipsrt_runtime_get_info(&info) == 0);
    CHECK(fipsrt_algorithm_get(0, &name, NULL, NULL) == 0 && name != NULL);
    CHECK(fipsrt_tls_policy(FIPSRT_TLS_POLICY_GROUPS) != NULL);
}

static void use_cert(void)
{
    uint8_t der[2048];
    char subj[256];
    size_t n;
    fipsrt_cert *again = NULL;
    CHECK(fipsrt_cert_export(cert, FIPSRT_CERT_DER, der, sizeof(der), &n) == 0);
    CHECK(fipsrt_cert_import(&again, der, n) == 0);
    CHECK(fipsrt_cert_subject(cert, subj, sizeof(subj), &n) == 0 && strstr(subj, "localhost"));
    fipsrt_cert_free(again);
}

static void use_fork(void)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        uint8_t out[64], nonce[12], ct[128], pt[128];
        size_t n, m;
        int ok = fipsrt_hash(FIPSRT_HASH_SHA3_256, msg, sizeof(msg), out, sizeof(out), &n) == 0 &&
                 fipsrt_aead_seal(aead, NULL, 0, msg, 4, nonce, ct, sizeof(ct), &n) == 0 &&
                 fipsrt_aead_open(aead, nonce, NULL, 0, ct, n, pt, sizeof(pt), &m) == 0;
        _exit(ok ? 0 : 1);
    }
    int st = -1;
    CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* Under valgrind a forked child's leak check counts the other threads' objects as lost
 * (their stacks are not in the child) and fails it: no forks there. */
static int on_valgrind;

static void *worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    pthread_barrier_wait(&start);
    use_lazy();
    for (int r = 0; r < rounds; r++) {
        use_aead();
        use_errors(id + r);
        use_cert();
        if (r % 4 == 0) {
            use_keys();
            use_tls();
            use_scratch();
        }
        if (id == 0 && r % 5 == 0 && !on_valgrind)
            use_fork();
    }
    return NULL;
}

static void setup(void)
{
    fipsrt_cert_params p = FIPSRT_CERT_PARAMS_INIT;
    static const char *const dns[] = {"localhost"};
    uint8_t pem[4096];
    size_t n;
    p.common_name = "localhost";
    p.dns_names = dns;
    p.dns_count = 1;
    if (fipsrt_key_generate_ec(&ec, FIPSRT_EC_P256) != 0 ||
        fipsrt_key_generate_rsa(&rsa, 2048) != 0 ||
        fipsrt_aead_key_new(&aead, FIPSRT_AEAD_AES_256_GCM, (const uint8_t *)
                            "0123456789abcdef0123456789abcdef", 32) != 0 ||
        fipsrt_cert_selfsign(&cert, ec, &p) != 0 ||
        fipsrt_cert_export(cert, FIPSRT_CERT_PEM, pem, sizeof(pem), &n) != 0) {
        fprintf(stderr, "race: setup: %s\n", fipsrt_last_error());
        exit(2);
    }
    fipsrt_tls_config sc = FIPSRT_TLS_CONFIG_INIT, cc = FIPSRT_TLS_CONFIG_INIT;
    sc.cert = cert;
    sc.key = ec;
    cc.ca_data = pem;
    cc.ca_len = n;
    if (fipsrt_tls_ctx_new(&sctx, FIPSRT_TLS_SERVER, &sc) != 0 ||
        fipsrt_tls_ctx_new(&cctx, FIPSRT_TLS_CLIENT, &cc) != 0) {
        fprintf(stderr, "race: setup: %s\n", fipsrt_last_error());
        exit(2);
    }
}

int main(int argc, char **argv)
{
    pthread_t t[THREADS];
    if (argc > 1)
        rounds = atoi(argv[1]);
    on_valgrind = getenv("LD_PRELOAD") != NULL && strstr(getenv("LD_PRELOAD"), "vgpreload");
    setup();
    pthread_barrier_init(&start, NULL, THREADS);
    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i) != 0)
            return 2;
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    fipsrt_tls_ctx_free(sctx);
    fipsrt_tls_ctx_free(cctx);
    fipsrt_cert_free(cert);
    fipsrt_aead_key_free(aead);
    fipsrt_key_free(ec);
    fipsrt_key_free(rsa);
    printf("race: %d threads x %d rounds, %d failed checks\n", THREADS, rounds, failures);
    return failures ? 1 : 0;
}
