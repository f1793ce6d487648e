/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLS server cost: libfipsrt's server connection against a raw OpenSSL SSL_CTX set up the
 * same way (same policy lists, security level, options, P-256 ECDSA certificate, tickets),
 * both driven through memory buffers by the same raw OpenSSL client, in one process and one
 * thread (CPU-time clock):
 *
 *   handshake   a full TLS 1.3 handshake (TLS_AES_128_GCM_SHA256, P-256, ECDSA-SHA256,
 *               two tickets issued), client verifying the server's certificate
 *   send        16 KiB of application data from the server to the client
 *   receive     16 KiB from the client to the server
 *
 * Goal (issue 5): libfipsrt >= 0.95 of raw.
 *
 * Resumption (issue 12 §4): the server's own CPU time (thread CPU clock around the server's
 * connection setup, handshake steps and free only; the client's work is left out) per full
 * and per resumed handshake, TLS 1.3 (PSK with ECDHE, P-256) and TLS 1.2 (session ticket),
 * libfipsrt against the raw SSL_CTX with OpenSSL's own ticket keys (the same AES-256-CBC +
 * HMAC-SHA-256 ticket protection); the median of BENCH_REPS rounds, and the resumed/full
 * ratio of each server.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <fipsrt/fipsrt.h>

#include "bench.h"

#define CHUNK 16384
#define BUF_SIZE (32 * 1024)

static _Noreturn void die(const char *what)
{
    fprintf(stderr, "bench_tls: %s failed\n", what);
    ERR_print_errors_fp(stderr);
    fprintf(stderr, "libfipsrt: %s\n", fipsrt_last_error());
    exit(1);
}

static fipsrt_tls_ctx *fipsrt_server;
static SSL_CTX *raw_server, *client, *client12;
static double server_cpu;   /* seconds of server-side CPU, accumulated by the pair helpers */

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
static uint8_t chunk[CHUNK];

/* ---- setup: one certificate, two servers, one client ------------------------------------ */

static void setup(void)
{
    fipsrt_key *key;
    fipsrt_cert *cert;
    fipsrt_cert_params p = FIPSRT_CERT_PARAMS_INIT;
    const char *dns[] = {"localhost"};
    p.common_name = "localhost";
    p.dns_names = dns;
    p.dns_count = 1;
    if (fipsrt_key_generate_ec(&key, FIPSRT_EC_P256) || fipsrt_cert_selfsign(&cert, key, &p))
        die("certificate");
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.cert = cert;
    cfg.key = key;
    if (fipsrt_tls_ctx_new(&fipsrt_server, FIPSRT_TLS_SERVER, &cfg))
        die("fipsrt_tls_ctx_new");

    /* The same certificate and key for the raw server, through PEM. */
    uint8_t cert_pem[4096], key_pem[4096];
    size_t cert_len, key_len;
    if (fipsrt_cert_export(cert, FIPSRT_CERT_PEM, cert_pem, sizeof(cert_pem), &cert_len) ||
        fipsrt_key_export_private(key, FIPSRT_KEY_PEM, NULL, 0, key_pem, sizeof(key_pem), &key_len))
        die("export");
    BIO *cb = BIO_new_mem_buf(cert_pem, (int)cert_len), *kb = BIO_new_mem_buf(key_pem, (int)key_len);
    X509 *x = PEM_read_bio_X509(cb, NULL, NULL, NULL);
    EVP_PKEY *pk = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL);
    if (x == NULL || pk == NULL)
        die("PEM_read");

    /* The raw server gets exactly the lists and settings libfipsrt sets. */
    raw_server = SSL_CTX_new_ex(NULL, NULL, TLS_method());
    if (raw_server == NULL ||
        !SSL_CTX_set_min_proto_version(raw_server, TLS1_2_VERSION) ||
        !SSL_CTX_set_max_proto_version(raw_server, TLS1_3_VERSION) ||
        !SSL_CTX_set_ciphersuites(raw_server, fipsrt_tls_policy(FIPSRT_TLS_POLICY_TLS13_SUITES)) ||
        !SSL_CTX_set_cipher_list(raw_server, fipsrt_tls_policy(FIPSRT_TLS_POLICY_TLS12_SUITES)) ||
        !SSL_CTX_set1_groups_list(raw_server, fipsrt_tls_policy(FIPSRT_TLS_POLICY_GROUPS)) ||
        !SSL_CTX_set1_sigalgs_list(raw_server, fipsrt_tls_policy(FIPSRT_TLS_POLICY_SIGALGS)) ||
        !SSL_CTX_use_certificate(raw_server, x) || !SSL_CTX_use_PrivateKey(raw_server, pk) ||
        !SSL_CTX_set_session_id_context(raw_server, (const unsigned char *)"bench", 5))
        die("raw server");
    SSL_CTX_set_security_level(raw_server, 2);
    SSL_CTX_set_options(raw_server, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
                                        SSL_OP_CIPHER_SERVER_PREFERENCE);

    /* One client for both: TLS 1.3, verifying the certificate, no resumption. */
    client = SSL_CTX_new_ex(NULL, NULL, TLS_client_method());
    if (client == NULL || !SSL_CTX_set_min_proto_version(client, TLS1_3_VERSION) ||
        !SSL_CTX_set1_groups_list(client, "P-256") ||
        !X509_STORE_add_cert(SSL_CTX_get_cert_store(client), x))
        die("client");
    SSL_CTX_set_verify(client, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_session_cache_mode(client, SSL_SESS_CACHE_OFF);
    /* A TLS 1.2 client for the resumption rows (tickets: the default). */
    client12 = SSL_CTX_new_ex(NULL, NULL, TLS_client_method());
    if (client12 == NULL || !SSL_CTX_set_max_proto_version(client12, TLS1_2_VERSION) ||
        !SSL_CTX_set1_groups_list(client12, "P-256") ||
        !X509_STORE_add_cert(SSL_CTX_get_cert_store(client12), x))
        die("client12");
    SSL_CTX_set_verify(client12, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_session_cache_mode(client12, SSL_SESS_CACHE_OFF);

    X509_free(x);
    EVP_PKEY_free(pk);
    BIO_free(cb);
    BIO_free(kb);
    fipsrt_cert_free(cert);
    fipsrt_key_free(key);
    memset(chunk, 0x5a, sizeof(chunk));
}

/* ---- a connected pair: raw client, libfipsrt or raw server ------------------------------ */

struct pair {
    SSL *c;
    BIO *c_net;
    fipsrt_tls_conn *f;   /* libfipsrt server, or */
    SSL *s;               /* raw server */
    BIO *s_net;
    uint8_t buf[BUF_SIZE];
};

static SSL *raw_ssl(SSL_CTX *ctx, BIO **net, bool server)
{
    BIO *inner;
    SSL *ssl = SSL_new(ctx);
    if (ssl == NULL || !BIO_new_bio_pair(&inner, BUF_SIZE, net, BUF_SIZE))
        die("SSL_new");
    SSL_set_bio(ssl, inner, inner);
    if (server)
        SSL_set_accept_state(ssl);
    else
        SSL_set_connect_state(ssl);
    return ssl;
}

static void pair_open_with(struct pair *p, bool use_fipsrt, SSL_CTX *cctx, SSL_SESSION *sess)
{
    p->c = raw_ssl(cctx, &p->c_net, false);
    if (!SSL_set_tlsext_host_name(p->c, "localhost") || !SSL_set1_host(p->c, "localhost"))
        die("SSL_set1_host");
    if (sess != NULL && !SSL_set_session(p->c, sess))
        die("SSL_set_session");
    double t0 = cpu_now();
    if (use_fipsrt) {
        p->s = NULL;
        p->s_net = NULL;
        if (fipsrt_tls_conn_new_mem(&p->f, fipsrt_server, NULL))
            die("fipsrt_tls_conn_new_mem");
    } else {
        p->f = NULL;
        p->s = raw_ssl(raw_server, &p->s_net, true);
    }
    server_cpu += cpu_now() - t0;
}

static void pair_open(struct pair *p, bool use_fipsrt)
{
    pair_open_with(p, use_fipsrt, client, NULL);
}

static void pair_close(struct pair *p)
{
    SSL_free(p->c);
    BIO_free(p->c_net);
    double t0 = cpu_now();
    fipsrt_tls_conn_free(p->f);
    SSL_free(p->s);
    BIO_free(p->s_net);
    server_cpu += cpu_now() - t0;
}

/* Ciphertext both ways, through the application's buffer as an event loop would. */
static void pump(struct pair *p)
{
    int n;
    size_t m;
    while ((n = BIO_read(p->c_net, p->buf, sizeof(p->buf))) > 0) {
        if (p->f ? fipsrt_tls_conn_feed(p->f, p->buf, (size_t)n, &m) || m != (size_t)n
                 : BIO_write(p->s_net, p->buf, n) != n)
            die("to server");
    }
    for (;;) {
        if (p->f) {
            if (fipsrt_tls_conn_drain(p->f, p->buf, sizeof(p->buf), &m))
                die("drain");
            n = (int)m;
        } else {
            n = BIO_read(p->s_net, p->buf, sizeof(p->buf));
        }
        if (n <= 0)
            break;
        if (BIO_write(p->c_net, p->buf, n) != n)
            die("to client");
    }
}

static int server_handshake(struct pair *p)
{
    if (p->f) {
        int rv = fipsrt_tls_conn_handshake(p->f);
        return rv == 0 ? 1 : rv == FIPSRT_E_WANT_READ || rv == FIPSRT_E_WANT_WRITE ? 0 : -1;
    }
    int r = SSL_do_handshake(p->s);
    if (r == 1)
        return 1;
    int e = SSL_get_error(p->s, r);
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
}

static void handshake(struct pair *p)
{
    int c = 0, s = 0;
    for (int i = 0; i < 10 && (c != 1 || s != 1); i++) {
        if (c != 1) {
            c = SSL_do_handshake(p->c);
            if (c != 1 && SSL_get_error(p->c, c) != SSL_ERROR_WANT_READ)
                die("client handshake");
        }
        double t0 = cpu_now();
        if (s != 1 && (s = server_handshake(p)) < 0)
            die("server handshake");
        server_cpu += cpu_now() - t0;
        pump(p);
    }
    if (c != 1 || s != 1)
        die("handshake did not finish");
}

/* ---- the cases -------------------------------------------------------------------------- */

static void hs_run(uint64_t n, bool use_fipsrt)
{
    struct pair *p = malloc(sizeof(*p));
    while (n--) {
        pair_open(p, use_fipsrt);
        handshake(p);
        pair_close(p);
    }
    free(p);
}

static void hs_fipsrt(void *arg, uint64_t n) { (void)arg; hs_run(n, true); }
static void hs_raw(void *arg, uint64_t n) { (void)arg; hs_run(n, false); }

static void server_send(struct pair *p)
{
    size_t w;
    if (p->f ? fipsrt_tls_conn_write(p->f, chunk, CHUNK, &w) != 0 || w != CHUNK
             : SSL_write_ex(p->s, chunk, CHUNK, &w) != 1 || w != CHUNK)
        die("server write");
    pump(p);
    size_t got = 0, r;
    while (got < CHUNK) {
        if (SSL_read_ex(p->c, p->buf, sizeof(p->buf), &r) != 1)
            die("client read");
        got += r;
    }
}

static void server_receive(struct pair *p)
{
    size_t w, got = 0, r;
    if (SSL_write_ex(p->c, chunk, CHUNK, &w) != 1 || w != CHUNK)
        die("client write");
    pump(p);
    while (got < CHUNK) {
        if (p->f ? fipsrt_tls_conn_read(p->f, p->buf, sizeof(p->buf), &r) != 0
                 : SSL_read_ex(p->s, p->buf, sizeof(p->buf), &r) != 1)
            die("server read");
        got += r;
    }
}

static void send_case(void *arg, uint64_t n) { while (n--) server_send(arg); }
static void receive_case(void *arg, uint64_t n) { while (n--) server_receive(arg); }

/* ---- resumption: server CPU per handshake ----------------------------------------------- */

/* A session from one full handshake with this server (tickets read; shut down cleanly). */
static SSL_SESSION *session_from(bool use_fipsrt, SSL_CTX *cctx)
{
    struct pair *p = malloc(sizeof(*p));
    size_t n;
    pair_open_with(p, use_fipsrt, cctx, NULL);
    handshake(p);
    if (SSL_read_ex(p->c, p->buf, sizeof(p->buf), &n) == 1)   /* takes TLS 1.3 tickets */
        die("unexpected data");
    ERR_clear_error();
    SSL_SESSION *sess = SSL_get1_session(p->c);
    SSL_shutdown(p->c);
    pair_close(p);
    free(p);
    if (sess == NULL || !SSL_SESSION_is_resumable(sess))
        die("no resumable session");
    return sess;
}

/* Server CPU microseconds per handshake over n handshakes. */
static double server_us(bool use_fipsrt, SSL_CTX *cctx, SSL_SESSION *sess, int n)
{
    struct pair *p = malloc(sizeof(*p));
    server_cpu = 0;
    for (int i = 0; i < n; i++) {
        pair_open_with(p, use_fipsrt, cctx, sess);
        handshake(p);
        if (SSL_session_reused(p->c) != (sess != NULL)) {
            fprintf(stderr, "%s server, %s, handshake %d: ", use_fipsrt ? "libfipsrt" : "raw",
                    SSL_get_version(p->c), i);
            die(sess ? "resumption" : "full handshake");
        }
        /* A client SSL freed without close_notify makes its (shared) session unresumable. */
        SSL_set_shutdown(p->c, SSL_SENT_SHUTDOWN);
        pair_close(p);
    }
    free(p);
    return server_cpu / n * 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void resumption_rows(void)
{
    const char *env = getenv("BENCH_REPS");
    int reps = env ? atoi(env) : 5, n = 100;
    reps = reps < 1 ? 1 : reps > BENCH_MAX_REPS ? BENCH_MAX_REPS : reps;
    SSL_CTX *cl[2] = {client, client12};
    const char *ver[2] = {"TLS 1.3 (PSK-ECDHE)", "TLS 1.2 (ticket)"};
    printf("\nserver CPU per handshake (us, median of %d rounds of %d; thread CPU clock)\n", reps, n);
    printf("%-22s %12s %12s %10s %14s %12s\n", "handshake", "libfipsrt", "raw SSL_CTX",
           "fipsrt/raw", "resumed/full", "raw r/f");
    for (int v = 0; v < 2; v++) {
        SSL_SESSION *sf = session_from(true, cl[v]), *sr = session_from(false, cl[v]);
        double r[4][BENCH_MAX_REPS];   /* fipsrt full, raw full, fipsrt resumed, raw resumed */
        for (int k = 0; k < reps; k++) {
            bool flip = k & 1;   /* alternate the order so load falls on both alike */
            for (int j = 0; j < 4; j++) {
                int c = flip ? 3 - j : j;
                r[c][k] = server_us(c % 2 == 0, cl[v], c >= 2 ? (c % 2 == 0 ? sf : sr) : NULL, n);
            }
        }
        double med[4];
        for (int c = 0; c < 4; c++) {
            qsort(r[c], (size_t)reps, sizeof(double), cmp_double);
            med[c] = r[c][reps / 2];
        }
        char name[64];
        snprintf(name, sizeof(name), "%s full", ver[v]);
        printf("%-22s %12.1f %12.1f %10.3f\n", name, med[0], med[1], med[1] / med[0]);
        snprintf(name, sizeof(name), "%s resumed", ver[v]);
        printf("%-22s %12.1f %12.1f %10.3f %14.3f %12.3f\n", name, med[2], med[3],
               med[3] / med[2], med[2] / med[0], med[3] / med[1]);
        SSL_SESSION_free(sf);
        SSL_SESSION_free(sr);
    }
    printf("(fipsrt/raw: raw time / libfipsrt time, so higher is better as above; resumed/full: "
           "server CPU of a resumed handshake over a full one, lower is better)\n");
}

/* ---- report ----------------------------------------------------------------------------- */

static const char *const heads[] = {"op", "libfipsrt", "raw SSL_CTX", "fipsrt/raw", "(min-max)", "goal"};
static const int widths[] = {26, 14, 14, 0, 11, 0};
static const struct bench_table table = {sizeof(heads) / sizeof(heads[0]), heads, widths};
static int missed;

static void row(const char *name, struct bench_case c[2], double scale, const char *unit)
{
    double lo, hi, r = bench_ratio(&c[0], &c[1], &lo, &hi);
    char b[5][40];
    if (scale == 1.0) {
        snprintf(b[0], sizeof(b[0]), "%.0f %s", c[0].rate, unit);
        snprintf(b[1], sizeof(b[1]), "%.0f %s", c[1].rate, unit);
    } else {
        snprintf(b[0], sizeof(b[0]), "%.1f %s", c[0].rate * scale, unit);
        snprintf(b[1], sizeof(b[1]), "%.1f %s", c[1].rate * scale, unit);
    }
    snprintf(b[2], sizeof(b[2]), "%.3f", r);
    snprintf(b[3], sizeof(b[3]), "%.3f-%.3f", lo, hi);
    snprintf(b[4], sizeof(b[4]), "%s", r >= 0.95 ? ">=0.95 met" : ">=0.95 MISSED");
    missed += r < 0.95;
    const char *cells[] = {name, b[0], b[1], b[2], b[3], b[4]};
    bench_table_row(&table, cells);
}

int main(void)
{
    setup();
    bench_set_clock(BENCH_CLOCK_CPU);
    bench_print_settings();

    /* What both servers negotiate with the client. */
    struct pair *pf = malloc(sizeof(*pf)), *pr = malloc(sizeof(*pr));
    pair_open(pf, true);
    handshake(pf);
    pair_open(pr, false);
    handshake(pr);
    printf("negotiated: libfipsrt %s %s %s | raw %s %s\n\n",
           fipsrt_tls_conn_version(pf->f) == FIPSRT_TLS_1_3 ? "TLSv1.3" : "?",
           fipsrt_tls_conn_cipher(pf->f), fipsrt_tls_conn_group(pf->f), SSL_get_version(pr->s),
           SSL_CIPHER_get_name(SSL_get_current_cipher(pr->s)));

    bench_table_head(&table);
    struct bench_case hs[2] = {{.name = "libfipsrt", .fn = hs_fipsrt}, {.name = "raw", .fn = hs_raw}};
    bench_run(hs, 2);
    row("TLS 1.3 full handshake", hs, 1.0, "hs/s");
    struct bench_case send[2] = {{.name = "libfipsrt", .fn = send_case, .arg = pf},
                                 {.name = "raw", .fn = send_case, .arg = pr}};
    bench_run(send, 2);
    row("send 16 KiB records", send, CHUNK / 1e6, "MB/s");
    struct bench_case recv[2] = {{.name = "libfipsrt", .fn = receive_case, .arg = pf},
                                 {.name = "raw", .fn = receive_case, .arg = pr}};
    bench_run(recv, 2);
    row("receive 16 KiB records", recv, CHUNK / 1e6, "MB/s");
    resumption_rows();

    pair_close(pf);
    pair_close(pr);
    free(pf);
    free(pr);
    fipsrt_tls_ctx_free(fipsrt_server);
    SSL_CTX_free(raw_server);
    SSL_CTX_free(client);
    SSL_CTX_free(client12);
    printf("\n%s\n", missed ? "goal: libfipsrt >= 0.95 of raw: MISSED" : "goal: libfipsrt >= 0.95 of raw: met");
    return 0;
}
