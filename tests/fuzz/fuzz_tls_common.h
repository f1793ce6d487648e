/* SPDX-License-Identifier: Apache-2.0 */
/* The TLS fuzz targets' fixtures: a P-256 server identity, contexts, a real handshake whose
 * byte streams become seeds. */
#ifndef FIPSRT_FUZZ_TLS_COMMON_H
#define FIPSRT_FUZZ_TLS_COMMON_H

#include <string.h>

#include <openssl/ssl.h>

#include "fuzz_util.h"

static fipsrt_tls_ctx *fz_server_ctx, *fz_client_ctx;

static void fz_make_contexts(void)
{
    fipsrt_key *k = NULL;
    fipsrt_cert *cert = NULL;
    fipsrt_cert_params p = FIPSRT_CERT_PARAMS_INIT;
    static const char *const dns[] = {"localhost"};
    static const char *const alpn[] = {"h2", "http/1.1"};
    p.common_name = "localhost";
    p.dns_names = dns;
    p.dns_count = 1;
    fipsrt_tls_config sc = FIPSRT_TLS_CONFIG_INIT, cc = FIPSRT_TLS_CONFIG_INIT;
    if (fipsrt_key_generate_ec(&k, FIPSRT_EC_P256) != 0 || fipsrt_cert_selfsign(&cert, k, &p) != 0)
        abort();
    sc.cert = cert;
    sc.key = k;
    sc.alpn = alpn;
    sc.alpn_count = 2;
    sc.client_auth = FIPSRT_TLS_CLIENT_AUTH_OPTIONAL;
    sc.ca_data = (const uint8_t *)"";   /* replaced below: the server trusts its own cert */
    uint8_t pem[4096];
    size_t n;
    if (fipsrt_cert_export(cert, FIPSRT_CERT_PEM, pem, sizeof(pem), &n) != 0)
        abort();
    sc.ca_data = pem;
    sc.ca_len = n;
    cc.insecure_skip_verify = 1;   /* fuzzed server flights get past the chain check */
    cc.alpn = alpn;
    cc.alpn_count = 2;
    if (fipsrt_tls_ctx_new(&fz_server_ctx, FIPSRT_TLS_SERVER, &sc) != 0 ||
        fipsrt_tls_ctx_new(&fz_client_ctx, FIPSRT_TLS_CLIENT, &cc) != 0)
        abort();
    fipsrt_cert_free(cert);
    fipsrt_key_free(k);
}

/* Move what `from` has to send into `to`, appending it to log (if not NULL). */
static void fz_move(fipsrt_tls_conn *from, fipsrt_tls_conn *to, uint8_t *log, size_t *log_len,
                    size_t log_cap)
{
    uint8_t buf[16384];
    size_t n = 0, took;
    while (fipsrt_tls_conn_drain(from, buf, sizeof(buf), &n) == 0 && n > 0) {
        if (log != NULL && *log_len + n <= log_cap) {
            memcpy(log + *log_len, buf, n);
            *log_len += n;
        }
        for (size_t off = 0; off < n; off += took)
            if (fipsrt_tls_conn_feed(to, buf + off, n - off, &took) != 0)
                return;
    }
}

/* One real in-memory handshake plus a little application data; the client's and the
 * server's byte streams are written as seeds named PREFIX-client and PREFIX-server. */
static void fz_seed_handshake(const char *prefix, int max_version)
{
    static uint8_t cl[65536], sv[65536];
    size_t cl_len = 0, sv_len = 0, n;
    fipsrt_tls_conn *c = NULL, *s = NULL;
    char name[64];
    if (getenv("FIPSRT_FUZZ_SEEDS") == NULL)
        return;
    if (fipsrt_tls_conn_new_mem(&c, fz_client_ctx, "localhost") != 0 ||
        fipsrt_tls_conn_new_mem(&s, fz_server_ctx, NULL) != 0)
        abort();
    if (max_version)
        SSL_set_max_proto_version(fipsrt_tls_conn_get_ssl(c), max_version);
    for (int i = 0; i < 10; i++) {
        fipsrt_tls_conn_handshake(c);
        fz_move(c, s, cl, &cl_len, sizeof(cl));
        fipsrt_tls_conn_handshake(s);
        fz_move(s, c, sv, &sv_len, sizeof(sv));
    }
    fipsrt_tls_conn_write(c, "GET / HTTP/1.0\r\n\r\n", 18, &n);
    fipsrt_tls_conn_shutdown(c);
    fz_move(c, s, cl, &cl_len, sizeof(cl));
    fipsrt_tls_conn_write(s, "Hello, world!\n", 14, &n);
    fz_move(s, c, sv, &sv_len, sizeof(sv));
    snprintf(name, sizeof(name), "%s-client", prefix);
    fuzz_seed(name, cl, cl_len);
    snprintf(name, sizeof(name), "%s-server", prefix);
    fuzz_seed(name, sv, sv_len);
    fipsrt_tls_conn_free(c);
    fipsrt_tls_conn_free(s);
    ERR_clear_error();
}

/* Results a connection fed hostile bytes may give. */
static const int fz_tls_codes[] = {FIPSRT_E_WANT_READ, FIPSRT_E_WANT_WRITE, FIPSRT_E_TLS,
                                   FIPSRT_E_TLS_VERIFY, FIPSRT_E_CLOSED, FIPSRT_E_STATE,
                                   FIPSRT_E_NOT_APPROVED, FIPSRT_E_IO, 0};

/* Feed `data` to `conn` in pieces whose sizes come from the input's first byte, driving the
 * handshake (and then reads) after each piece; what it answers is drained and dropped. */
static void fz_feed(fipsrt_tls_conn *conn, const uint8_t *data, size_t size)
{
    uint8_t sink[16384];
    size_t piece = size > 0 ? (size_t)data[0] * 7 + 1 : 1, n, took;
    if (size > 0) {
        data++;
        size--;
    }
    for (size_t off = 0; off < size; off += piece) {
        size_t len = size - off < piece ? size - off : piece;
        for (size_t k = 0; k < len; k += took) {
            int rv = fipsrt_tls_conn_feed(conn, data + off + k, len - k, &took);
            fuzz_check(rv, true, fz_tls_codes);
            if (rv != 0)
                return;
        }
        int rv = fipsrt_tls_conn_handshake(conn);
        fuzz_check(rv, true, fz_tls_codes);
        if (rv == 0) {
            rv = fipsrt_tls_conn_read(conn, sink, sizeof(sink), &n);
            fuzz_check(rv, true, fz_tls_codes);
        }
        while (fipsrt_tls_conn_drain(conn, sink, sizeof(sink), &n) == 0 && n > 0)
            ;
        if (rv != 0 && rv != FIPSRT_E_WANT_READ && rv != FIPSRT_E_WANT_WRITE)
            return;
    }
    fuzz_check(fipsrt_tls_conn_feed_eof(conn), true, fz_tls_codes);
    fuzz_check(fipsrt_tls_conn_handshake(conn), true, fz_tls_codes);
}

#endif
