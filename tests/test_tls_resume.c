/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Resumption for restarts and fleets, max_version, and the close-path defects of issue 12:
 * over memory with the library and raw OpenSSL peers, then helloserver/hellocli against
 * openssl s_client and curl.
 */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tls_testutil.h"

#define OPENSSL "/usr/bin/openssl"
#define CURL "/usr/bin/curl"
#define REQUEST "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n"

#define ck_assert_contains(hay, needle)                                                         \
    ck_assert_msg(strstr((hay), (needle)) != NULL, "expected \"%s\" in:\n%.1500s", (needle), (hay))
#define ck_assert_detail(needle) ck_assert_contains(fipsrt_last_error(), needle)

static void teardown(void)
{
    bg_kill_all();
}

static proc_result *run(const char *input, char **argv)
{
    static proc_result r;
    run_process(argv, NULL, input, &r);
    return &r;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* A library pair over memory, handshake run. */
static void lib_pair(endpoint *c, endpoint *s, fipsrt_tls_ctx *cctx, fipsrt_tls_ctx *sctx)
{
    memset(c, 0, sizeof(*c));
    memset(s, 0, sizeof(*s));
    ck_assert_ok(fipsrt_tls_conn_new_mem(&c->conn, cctx, "localhost"));
    ck_assert_ok(fipsrt_tls_conn_new_mem(&s->conn, sctx, NULL));
    handshake_pair(c, s);
    ck_assert_msg(c->rv == 0 && s->rv == 0, "%s / %s", c->detail, s->detail);
}

/* The server answers, the client reads (TLS 1.3 tickets arrive), both close cleanly. */
static void finish(endpoint *c, endpoint *s)
{
    size_t n;
    char buf[64];
    ck_assert_ok(fipsrt_tls_conn_write(s->conn, "pong", 4, &n));
    pump(c, s);
    ck_assert_ok(fipsrt_tls_conn_read(c->conn, buf, sizeof(buf), &n));
    ck_assert_ok(fipsrt_tls_conn_shutdown(s->conn));
    ck_assert_ok(fipsrt_tls_conn_shutdown(c->conn));
    pump(c, s);
}

/* One connection; returns whether it resumed; `ticket` (16 bytes, may be NULL) gets the key
 * name of the newest ticket the client holds afterwards. */
static int run_once(fipsrt_tls_ctx *c, fipsrt_tls_ctx *s, unsigned char ticket[16])
{
    endpoint ce, se;
    lib_pair(&ce, &se, c, s);
    int resumed = fipsrt_tls_conn_resumed(ce.conn);
    ck_assert_int_eq(resumed, fipsrt_tls_conn_resumed(se.conn));
    /* TLS 1.3 resumption with PSK plus (EC)DHE only: a group every time. */
    if (fipsrt_tls_conn_version(ce.conn) == FIPSRT_TLS_1_3)
        ck_assert_str_eq(fipsrt_tls_conn_group(se.conn), "P-256");
    finish(&ce, &se);
    if (ticket != NULL) {
        const unsigned char *t = NULL;
        size_t len = 0;
        SSL_SESSION_get0_ticket(SSL_get_session(fipsrt_tls_conn_get_ssl(ce.conn)), &t, &len);
        ck_assert_uint_ge(len, 16);
        memcpy(ticket, t, 16);
    }
    endpoint_free(&ce);
    endpoint_free(&se);
    return resumed;
}

static fipsrt_tls_ctx *server_with(fipsrt_tls_version max, unsigned lifetime)
{
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.max_version = max;
    cfg.session_lifetime = lifetime;
    return server_ctx("leaf", &cfg);
}

/* ==== issue 12 §1 ========================================================================= */

/* Errors after the handshake were reported as "TLS handshake failed" (SSL_is_init_finished
 * is false after any fatal error and during post-handshake messages). */
START_TEST(test_error_after_handshake_named)
{
    fipsrt_tls_ctx *s = server_ctx("leaf", NULL), *c = client_ctx(NULL);
    endpoint ce, se;
    lib_pair(&ce, &se, c, s);
    /* A ChangeCipherSpec after Finished: a fatal unexpected_message. */
    static const unsigned char ccs[] = {20, 3, 3, 0, 1, 1};
    size_t n;
    char buf[64];
    ck_assert_ok(fipsrt_tls_conn_feed(ce.conn, ccs, sizeof(ccs), &n));
    ck_assert_fipsrt(fipsrt_tls_conn_read(ce.conn, buf, sizeof(buf), &n), FIPSRT_E_TLS);
    ck_assert_detail("TLS failure after the handshake: ");
    ck_assert_msg(strstr(fipsrt_last_error(), "handshake failed") == NULL, "%s", fipsrt_last_error());
    /* The alert went out: the server reads it. */
    pump(&ce, &se);
    ck_assert_fipsrt(fipsrt_tls_conn_read(se.conn, buf, sizeof(buf), &n), FIPSRT_E_TLS);
    ck_assert_detail("after the handshake");
    ck_assert_detail("alert");
    endpoint_free(&ce);
    endpoint_free(&se);
    /* A handshake failure still says so, with OpenSSL's reason. */
    memset(&ce, 0, sizeof(ce));
    ck_assert_ok(fipsrt_tls_conn_new_mem(&ce.conn, c, "localhost"));
    ck_assert_ok(fipsrt_tls_conn_handshake(ce.conn) == FIPSRT_E_WANT_READ ? 0 : -1);
    static const unsigned char junk[] = {22, 3, 3, 0, 4, 99, 0, 0, 0};
    ck_assert_ok(fipsrt_tls_conn_feed(ce.conn, junk, sizeof(junk), &n));
    ck_assert_fipsrt(fipsrt_tls_conn_handshake(ce.conn), FIPSRT_E_TLS);
    ck_assert_detail("TLS handshake failed: ");
    endpoint_free(&ce);
    fipsrt_tls_ctx_free(s);
    fipsrt_tls_ctx_free(c);
    ERR_clear_error();
}
END_TEST

/* A TLS 1.2 session whose client closed cleanly before sending a request stays in the
 * server's cache, although the server frees the connection without answering. */
START_TEST(test_tls12_session_kept_after_peer_close)
{
    fipsrt_tls_ctx *s = server_with(FIPSRT_TLS_1_2, 0);
    SSL_CTX *raw = SSL_CTX_new(TLS_client_method());
    ck_assert_ptr_nonnull(raw);
    SSL_CTX_set_verify(raw, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_options(raw, SSL_OP_NO_TICKET);   /* session IDs: the server's cache */
    SSL_SESSION *sess = NULL;
    for (int i = 0; i < 3; i++) {
        endpoint ce, se;
        raw_endpoint(&ce, raw, false);
        if (sess != NULL)
            ck_assert_int_eq(SSL_set_session(ce.ssl, sess), 1);
        memset(&se, 0, sizeof(se));
        ck_assert_ok(fipsrt_tls_conn_new_mem(&se.conn, s, NULL));
        handshake_pair(&ce, &se);
        ck_assert_msg(ce.rv == 0 && se.rv == 0, "%s", se.detail);
        ck_assert_int_eq(SSL_session_reused(ce.ssl), i > 0);
        ck_assert_int_eq(fipsrt_tls_conn_resumed(se.conn), i > 0);
        SSL_SESSION_free(sess);
        sess = SSL_get1_session(ce.ssl);
        ck_assert_int_eq(SSL_shutdown(ce.ssl), 0);   /* close_notify, no request */
        pump(&ce, &se);
        char buf[16];
        size_t n;
        ck_assert_fipsrt(fipsrt_tls_conn_read(se.conn, buf, sizeof(buf), &n), FIPSRT_E_CLOSED);
        endpoint_free(&se);   /* freed without answering */
        endpoint_free(&ce);
    }
    SSL_SESSION_free(sess);
    SSL_CTX_free(raw);
    fipsrt_tls_ctx_free(s);
}
END_TEST

/* ==== issue 12 §4 ========================================================================= */

START_TEST(test_max_version)
{
    fipsrt_tls_ctx *s12 = server_with(FIPSRT_TLS_1_2, 0), *s = server_ctx("leaf", NULL);
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.max_version = FIPSRT_TLS_1_2;
    fipsrt_tls_ctx *c12 = client_ctx(&cfg), *c = client_ctx(NULL), *x = NULL;
    endpoint ce, se;
    lib_pair(&ce, &se, c, s12);
    ck_assert_int_eq(fipsrt_tls_conn_version(ce.conn), FIPSRT_TLS_1_2);
    endpoint_free(&ce);
    endpoint_free(&se);
    lib_pair(&ce, &se, c12, s);
    ck_assert_int_eq(fipsrt_tls_conn_version(se.conn), FIPSRT_TLS_1_2);
    ck_assert_int_eq(SSL_get_extms_support(fipsrt_tls_conn_get_ssl(se.conn)), 1);
    endpoint_free(&ce);
    endpoint_free(&se);
    cfg.min_version = FIPSRT_TLS_1_3;
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&x, FIPSRT_TLS_CLIENT, &cfg), FIPSRT_E_INVALID_ARG);
    cfg.min_version = 0;
    cfg.max_version = 0x0302;   /* TLS 1.1: outside the policy */
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&x, FIPSRT_TLS_CLIENT, &cfg), FIPSRT_E_INVALID_ARG);
    cfg.max_version = 0;
    cfg.session_lifetime = 604801;
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&x, FIPSRT_TLS_CLIENT, &cfg), FIPSRT_E_INVALID_ARG);
    /* A version-1 caller: its struct ends before max_version; the defaults apply. */
    fipsrt_tls_config v1;
    memset(&v1, 0x5a, sizeof(v1));
    ck_assert_ok(fipsrt_tls_config_init(&v1, 1));
    v1.size = offsetof(fipsrt_tls_config, max_version);
    v1.max_version = 0x5a5a;   /* never read */
    v1.insecure_skip_verify = 1;
    ck_assert_ok(fipsrt_tls_ctx_new(&x, FIPSRT_TLS_CLIENT, &v1));
    memset(&ce, 0, sizeof(ce));
    memset(&se, 0, sizeof(se));
    ck_assert_ok(fipsrt_tls_conn_new_mem(&ce.conn, x, NULL));
    ck_assert_ok(fipsrt_tls_conn_new_mem(&se.conn, s, NULL));
    handshake_pair(&ce, &se);
    ck_assert_int_eq(fipsrt_tls_conn_version(ce.conn), FIPSRT_TLS_1_3);
    endpoint_free(&ce);
    endpoint_free(&se);
    fipsrt_tls_ctx_free(x);
    fipsrt_tls_ctx_free(s12);
    fipsrt_tls_ctx_free(s);
    fipsrt_tls_ctx_free(c12);
    fipsrt_tls_ctx_free(c);
}
END_TEST

static void key(uint8_t *k, int seed)
{
    for (int i = 0; i < FIPSRT_TLS_TICKET_KEY_LEN; i++)
        k[i] = (uint8_t)(seed * 31 + i);
}

/* Several servers with the same keys accept each other's tickets; rotation keeps the
 * previous key for decryption only; a dropped key means a full handshake. */
START_TEST(test_ticket_keys_fleet_and_rotation)
{
    for (int v = 0; v < (tls_light() ? 1 : 2); v++) {
        fipsrt_tls_version max = v ? FIPSRT_TLS_1_2 : FIPSRT_TLS_1_3;
        fipsrt_tls_ctx *a = server_with(max, 0), *b = server_with(max, 0), *c = client_ctx(NULL);
        uint8_t k1[FIPSRT_TLS_TICKET_KEY_LEN], k21[2 * FIPSRT_TLS_TICKET_KEY_LEN],
            k3[FIPSRT_TLS_TICKET_KEY_LEN];
        unsigned char t1[16], t2[16];
        key(k1, 1);
        key(k21, 2);
        key(k21 + FIPSRT_TLS_TICKET_KEY_LEN, 1);
        key(k3, 3);
        /* Without shared keys, each server has its own. */
        ck_assert_int_eq(run_once(c, a, NULL), 0);
        ck_assert_int_eq(run_once(c, b, NULL), 0);
        ck_assert_ok(fipsrt_tls_ctx_set_ticket_keys(a, k1, 1));
        ck_assert_ok(fipsrt_tls_ctx_set_ticket_keys(b, k1, 1));
        ck_assert_int_eq(run_once(c, a, t1), 0);
        ck_assert_int_eq(run_once(c, b, NULL), 1);   /* a's ticket on b */
        ck_assert_int_eq(run_once(c, a, NULL), 1);
        /* b rotates: k2 current, k1 decrypt-only; the old ticket resumes and is renewed. */
        ck_assert_ok(fipsrt_tls_ctx_set_ticket_keys(b, k21, 2));
        ck_assert_int_eq(run_once(c, b, t2), 1);
        ck_assert_int_ne(memcmp(t1, t2, 16), 0);
        /* a only knows k3 now: b's k2 ticket is not accepted. */
        ck_assert_ok(fipsrt_tls_ctx_set_ticket_keys(a, k3, 1));
        ck_assert_int_eq(run_once(c, a, NULL), 0);
        ck_assert_int_eq(run_once(c, a, NULL), 1);
        fipsrt_tls_ctx_free(a);
        fipsrt_tls_ctx_free(b);
        fipsrt_tls_ctx_free(c);
    }
    fipsrt_tls_config off = FIPSRT_TLS_CONFIG_INIT;
    off.disable_session_tickets = 1;
    fipsrt_tls_ctx *s_off = server_ctx("leaf", &off), *c = client_ctx(NULL);
    uint8_t k[FIPSRT_TLS_TICKET_KEY_LEN] = {0};
    ck_assert_fipsrt(fipsrt_tls_ctx_set_ticket_keys(s_off, k, 1), FIPSRT_E_STATE);
    ck_assert_fipsrt(fipsrt_tls_ctx_set_ticket_keys(c, k, 1), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_tls_ctx_set_ticket_keys(NULL, k, 1), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_tls_ctx_set_ticket_keys(s_off, NULL, 1), FIPSRT_E_INVALID_ARG);
    fipsrt_tls_ctx *s = server_ctx("leaf", NULL);
    ck_assert_fipsrt(fipsrt_tls_ctx_set_ticket_keys(s, k, 0), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_tls_ctx_set_ticket_keys(s, k, 9), FIPSRT_E_INVALID_ARG);
    fipsrt_tls_ctx_free(s);
    fipsrt_tls_ctx_free(s_off);
    fipsrt_tls_ctx_free(c);
}
END_TEST

/* The library's own keys rotate every half lifetime; the previous key still decrypts. */
START_TEST(test_ticket_keys_rotate_on_their_own)
{
    /* A timing test: the plain and sanitizer runs cover it; valgrind would only add sleep. */
    if (tls_on_valgrind())
        return;
    unsigned life = 2;
    fipsrt_tls_ctx *s = server_with(0, life), *c = client_ctx(NULL);
    unsigned char t1[16], t2[16], t3[16];
    ck_assert_int_eq(run_once(c, s, t1), 0);
    ck_assert_int_eq(run_once(c, s, t2), 1);
    ck_assert_int_eq(memcmp(t1, t2, 16), 0);    /* the same key within half a lifetime */
    usleep((life / 2) * 1000000u + 200000u);   /* past half: the next ticket gets a new key */
    ck_assert_int_eq(run_once(c, s, t3), 1);    /* the previous key still opens t2 */
    ck_assert_int_ne(memcmp(t2, t3, 16), 0);
    ck_assert_int_eq(run_once(c, s, NULL), 1);
    fipsrt_tls_ctx_free(s);
    fipsrt_tls_ctx_free(c);
}
END_TEST

/* A client session exported and imported by another context (as in a new process). */
START_TEST(test_session_export_import)
{
    fipsrt_tls_ctx *s13 = server_ctx("leaf", NULL), *s12 = server_with(FIPSRT_TLS_1_2, 0);
    fipsrt_tls_ctx *s_short = server_with(0, 1);
    fipsrt_tls_config only13 = FIPSRT_TLS_CONFIG_INIT;
    only13.min_version = FIPSRT_TLS_1_3;
    fipsrt_tls_ctx *c13 = client_ctx(&only13);
    uint8_t blob[2][8192], tiny[8];
    size_t len[2], n;
    for (int v = 0; v < 2; v++) {
        fipsrt_tls_ctx *c1 = client_ctx(NULL), *c2 = client_ctx(NULL);
        fipsrt_tls_ctx *s = v ? s12 : s13;
        endpoint ce, se;
        lib_pair(&ce, &se, c1, s);
        if (v == 0)   /* TLS 1.3: no ticket before the client read something */
            ck_assert_fipsrt(fipsrt_tls_conn_session_export(ce.conn, blob[v], sizeof(blob[v]), &len[v]),
                             FIPSRT_E_STATE);
        ck_assert_fipsrt(fipsrt_tls_conn_session_export(se.conn, blob[v], sizeof(blob[v]), &len[v]),
                         FIPSRT_E_INVALID_ARG);
        finish(&ce, &se);
        ck_assert_fipsrt(fipsrt_tls_conn_session_export(ce.conn, tiny, sizeof(tiny), &n),
                         FIPSRT_E_BUFFER_TOO_SMALL);
        ck_assert_ok(fipsrt_tls_conn_session_export(ce.conn, blob[v], sizeof(blob[v]), &len[v]));
        ck_assert_uint_eq(n, len[v]);
        endpoint_free(&ce);
        endpoint_free(&se);
        /* "A new process": a fresh context with an empty cache resumes the blob. */
        memset(&ce, 0, sizeof(ce));
        memset(&se, 0, sizeof(se));
        ck_assert_ok(fipsrt_tls_conn_new_mem(&ce.conn, c2, "localhost"));
        ck_assert_ok(fipsrt_tls_conn_session_import(ce.conn, blob[v], len[v]));
        ck_assert_ok(fipsrt_tls_conn_new_mem(&se.conn, s, NULL));
        handshake_pair(&ce, &se);
        ck_assert_msg(ce.rv == 0 && se.rv == 0, "%s", ce.detail);
        ck_assert_int_eq(fipsrt_tls_conn_resumed(ce.conn), 1);
        ck_assert_int_eq(fipsrt_tls_conn_resumed(se.conn), 1);
        ck_assert_fipsrt(fipsrt_tls_conn_session_import(ce.conn, blob[v], len[v]), FIPSRT_E_STATE);
        endpoint_free(&ce);
        endpoint_free(&se);
        fipsrt_tls_ctx_free(c1);
        fipsrt_tls_ctx_free(c2);
    }
    fipsrt_tls_conn *conn;
    ck_assert_ok(fipsrt_tls_conn_new_mem(&conn, c13, "localhost"));
    /* Policy: a TLS 1.2 session on a context that allows only TLS 1.3. */
    ck_assert_fipsrt(fipsrt_tls_conn_session_import(conn, blob[1], len[1]), FIPSRT_E_NOT_APPROVED);
    ck_assert_ok(fipsrt_tls_conn_session_import(conn, blob[0], len[0]));
    /* Broken blobs. */
    blob[0][0] ^= 1;
    ck_assert_fipsrt(fipsrt_tls_conn_session_import(conn, blob[0], len[0]), FIPSRT_E_MALFORMED);
    blob[0][0] ^= 1;
    ck_assert_fipsrt(fipsrt_tls_conn_session_import(conn, blob[0], len[0] - 3), FIPSRT_E_MALFORMED);
    ck_assert_fipsrt(fipsrt_tls_conn_session_import(conn, blob[0], 5), FIPSRT_E_MALFORMED);
    ck_assert_fipsrt(fipsrt_tls_conn_session_import(conn, NULL, 5), FIPSRT_E_INVALID_ARG);
    fipsrt_tls_conn_free(conn);
    /* Another server name. */
    fipsrt_tls_ctx *c = client_ctx(NULL);
    ck_assert_ok(fipsrt_tls_conn_new_mem(&conn, c, "other.example"));
    ck_assert_fipsrt(fipsrt_tls_conn_session_import(conn, blob[0], len[0]), FIPSRT_E_INVALID_ARG);
    fipsrt_tls_conn_free(conn);
    /* Expired: the server's lifetime is one second (a sleep: not under valgrind). */
    if (!tls_on_valgrind()) {
        endpoint ce, se;
        lib_pair(&ce, &se, c, s_short);
        finish(&ce, &se);
        ck_assert_ok(fipsrt_tls_conn_session_export(ce.conn, blob[0], sizeof(blob[0]), &len[0]));
        endpoint_free(&ce);
        endpoint_free(&se);
        sleep(2);
        ck_assert_ok(fipsrt_tls_conn_new_mem(&conn, c, "localhost"));
        ck_assert_fipsrt(fipsrt_tls_conn_session_import(conn, blob[0], len[0]), FIPSRT_E_STATE);
        ck_assert_detail("expired");
        fipsrt_tls_conn_free(conn);
    }
    fipsrt_tls_ctx_free(c);
    fipsrt_tls_ctx_free(c13);
    fipsrt_tls_ctx_free(s13);
    fipsrt_tls_ctx_free(s12);
    fipsrt_tls_ctx_free(s_short);
}
END_TEST

/* A blob made here from an SSL_SESSION built by hand (what a tampered or foreign blob can
 * hold): version, suite, resumable (an ID) or not, `name` as the peer name. */
static size_t crafted_blob(uint8_t *out, size_t cap, int version, const char *suite, bool resumable,
                           const char *name)
{
    SSL_CTX *tmp = SSL_CTX_new(TLS_method());
    ck_assert_ptr_nonnull(tmp);
    SSL *ssl = SSL_new(tmp);
    ck_assert_ptr_nonnull(ssl);
    static const unsigned char master[48] = {1}, id[32] = {2};
    unsigned char cs[2];
    SSL_SESSION *sess = SSL_SESSION_new();
    ck_assert_ptr_nonnull(sess);
    ck_assert_int_eq(SSL_SESSION_set_protocol_version(sess, version), 1);
    const SSL_CIPHER *c = NULL;
    STACK_OF(SSL_CIPHER) *all = SSL_get1_supported_ciphers(ssl);
    for (int i = 0; all != NULL && i < sk_SSL_CIPHER_num(all); i++)
        if (strcmp(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(all, i)), suite) == 0 ||
            strcmp(SSL_CIPHER_standard_name(sk_SSL_CIPHER_value(all, i)), suite) == 0)
            c = sk_SSL_CIPHER_value(all, i);
    if (c == NULL) {   /* suites the default TLS_method context leaves out: by value */
        cs[0] = 0x13;
        cs[1] = 0x03;  /* TLS_CHACHA20_POLY1305_SHA256 */
        c = SSL_CIPHER_find(ssl, cs);
    }
    ck_assert_ptr_nonnull(c);
    sk_SSL_CIPHER_free(all);
    ck_assert_int_eq(SSL_SESSION_set_cipher(sess, c), 1);
    ck_assert_int_eq(SSL_SESSION_set1_master_key(sess, master, sizeof(master)), 1);
    SSL_SESSION_set_time(sess, (long)time(NULL));
    SSL_SESSION_set_timeout(sess, 3600);
    if (resumable)
        ck_assert_int_eq(SSL_SESSION_set1_id(sess, id, sizeof(id)), 1);
    unsigned char *der = NULL;
    int n = i2d_SSL_SESSION(sess, &der);
    ck_assert_int_gt(n, 0);
    size_t name_len = strlen(name), need = 5 + 1 + name_len + (size_t)n;
    ck_assert_uint_le(need, cap);
    memcpy(out, "FRTS\1", 5);
    out[5] = (uint8_t)name_len;
    memcpy(out + 6, name, name_len);
    memcpy(out + 6 + name_len, der, (size_t)n);
    OPENSSL_free(der);
    SSL_SESSION_free(sess);
    SSL_free(ssl);
    SSL_CTX_free(tmp);
    return need;
}

/* Export and import refusals with the documented codes; a session made without a peer
 * name (insecure client) resumes only on a connection without one. */
START_TEST(test_session_blob_refusals)
{
    fipsrt_tls_ctx *s = server_ctx("leaf", NULL), *c = client_ctx(NULL);
    uint8_t blob[8192];
    size_t len = 99, n;
    fipsrt_tls_conn *conn = NULL;
    ck_assert_ok(fipsrt_tls_conn_new_mem(&conn, c, "localhost"));
    ck_assert_fipsrt(fipsrt_tls_conn_session_export(conn, blob, sizeof(blob), NULL), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_tls_conn_session_export(NULL, blob, sizeof(blob), &len), FIPSRT_E_INVALID_ARG);
    ck_assert_uint_eq(len, 0);
    ck_assert_fipsrt(fipsrt_tls_conn_session_export(conn, NULL, 10, &len), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_tls_conn_session_export(conn, blob, sizeof(blob), &len), FIPSRT_E_STATE);
    ck_assert_detail("no established connection");
    ck_assert_fipsrt(fipsrt_tls_conn_session_import(NULL, blob, 10), FIPSRT_E_INVALID_ARG);
    /* One that decodes but has a byte after it; one too large to be a session. */
    endpoint ce, se;
    lib_pair(&ce, &se, c, s);
    finish(&ce, &se);
    ck_assert_fipsrt(fipsrt_tls_conn_session_export(ce.conn, NULL, 0, &n), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_ok(fipsrt_tls_conn_session_export(ce.conn, blob, sizeof(blob) - 1, &len));
    ck_assert_uint_eq(n, len);   /* a size query with no buffer tells the size */
    endpoint_free(&ce);
    endpoint_free(&se);
    blob[len] = 0;
    ck_assert_fipsrt(fipsrt_tls_conn_session_import(conn, blob, len + 1), FIPSRT_E_MALFORMED);
    ck_assert_detail("the session does not decode");
    uint8_t *huge = calloc(1, 1u << 20);
    memcpy(huge, blob, len);
    ck_assert_fipsrt(fipsrt_tls_conn_session_import(conn, huge, 1u << 20), FIPSRT_E_MALFORMED);
    free(huge);
    fipsrt_tls_conn_free(conn);
    /* Same length as "localhost", another name. */
    ck_assert_ok(fipsrt_tls_conn_new_mem(&conn, c, "127.0.0.1"));
    ck_assert_fipsrt(fipsrt_tls_conn_session_import(conn, blob, len), FIPSRT_E_INVALID_ARG);
    ck_assert_detail("the session is for \"localhost\", not \"127.0.0.1\"");
    fipsrt_tls_conn_free(conn);
    /* Servers and clients without resumption take no session. */
    ck_assert_ok(fipsrt_tls_conn_new_mem(&conn, s, NULL));
    ck_assert_fipsrt(fipsrt_tls_conn_session_import(conn, blob, len), FIPSRT_E_INVALID_ARG);
    fipsrt_tls_conn_free(conn);
    fipsrt_tls_config off = FIPSRT_TLS_CONFIG_INIT;
    off.disable_session_tickets = 1;
    fipsrt_tls_ctx *c_off = client_ctx(&off);
    ck_assert_ok(fipsrt_tls_conn_new_mem(&conn, c_off, "localhost"));
    ck_assert_fipsrt(fipsrt_tls_conn_session_import(conn, blob, len), FIPSRT_E_STATE);
    ck_assert_detail("resumption disabled");
    fipsrt_tls_conn_free(conn);
    fipsrt_tls_ctx_free(c_off);

    /* No peer name: exported with an empty name, resumed without one, refused with one. */
    fipsrt_tls_config insecure = FIPSRT_TLS_CONFIG_INIT;
    insecure.insecure_skip_verify = 1;
    fipsrt_tls_ctx *ci = client_ctx(&insecure);
    memset(&ce, 0, sizeof(ce));
    memset(&se, 0, sizeof(se));
    ck_assert_ok(fipsrt_tls_conn_new_mem(&ce.conn, ci, NULL));
    ck_assert_ok(fipsrt_tls_conn_new_mem(&se.conn, s, NULL));
    handshake_pair(&ce, &se);
    ck_assert_msg(ce.rv == 0 && se.rv == 0, "%s / %s", ce.detail, se.detail);
    finish(&ce, &se);
    ck_assert_ok(fipsrt_tls_conn_session_export(ce.conn, blob, sizeof(blob), &len));
    ck_assert_uint_eq(blob[5], 0);
    endpoint_free(&ce);
    endpoint_free(&se);
    ck_assert_ok(fipsrt_tls_conn_new_mem(&conn, ci, "localhost"));
    ck_assert_fipsrt(fipsrt_tls_conn_session_import(conn, blob, len), FIPSRT_E_INVALID_ARG);
    fipsrt_tls_conn_free(conn);
    memset(&ce, 0, sizeof(ce));
    memset(&se, 0, sizeof(se));
    ck_assert_ok(fipsrt_tls_conn_new_mem(&ce.conn, ci, NULL));
    ck_assert_ok(fipsrt_tls_conn_session_import(ce.conn, blob, len));
    ck_assert_ok(fipsrt_tls_conn_new_mem(&se.conn, s, NULL));
    handshake_pair(&ce, &se);
    ck_assert_msg(ce.rv == 0 && se.rv == 0, "%s / %s", ce.detail, se.detail);
    ck_assert_int_eq(fipsrt_tls_conn_resumed(ce.conn), 1);
    endpoint_free(&ce);
    endpoint_free(&se);
    /* A session for "localhost" on a connection without a name; a name longer than the blob. */
    ck_assert_ok(fipsrt_tls_conn_new_mem(&conn, ci, NULL));
    len = crafted_blob(blob, sizeof(blob), TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256", true, "localhost");
    ck_assert_fipsrt(fipsrt_tls_conn_session_import(conn, blob, len), FIPSRT_E_INVALID_ARG);
    ck_assert_detail("the session is for \"localhost\", not \"\"");
    blob[5] = 0xff;
    ck_assert_fipsrt(fipsrt_tls_conn_session_import(conn, blob, 5 + 1 + 0xff), FIPSRT_E_MALFORMED);
    fipsrt_tls_conn_free(conn);
    fipsrt_tls_ctx_free(ci);
    fipsrt_tls_ctx_free(c);
    fipsrt_tls_ctx_free(s);
}
END_TEST

/* Blobs holding sessions the policy refuses: not resumable, TLS 1.0, TLS 1.3 on a TLS 1.2
 * context, a ChaCha20 suite. */
START_TEST(test_session_blob_policy)
{
    fipsrt_tls_config only12 = FIPSRT_TLS_CONFIG_INIT;
    only12.max_version = FIPSRT_TLS_1_2;
    fipsrt_tls_ctx *c = client_ctx(NULL), *c12 = client_ctx(&only12);
    uint8_t blob[4096];
    fipsrt_tls_conn *conn = NULL;
    ck_assert_ok(fipsrt_tls_conn_new_mem(&conn, c, "localhost"));
    size_t len = crafted_blob(blob, sizeof(blob), TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256", true,
                              "localhost");
    ck_assert_ok(fipsrt_tls_conn_session_import(conn, blob, len));   /* the crafted form is sound */
    len = crafted_blob(blob, sizeof(blob), TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256", false, "localhost");
    ck_assert_fipsrt(fipsrt_tls_conn_session_import(conn, blob, len), FIPSRT_E_STATE);
    ck_assert_detail("the session is not resumable");
    len = crafted_blob(blob, sizeof(blob), TLS1_VERSION, "ECDHE-ECDSA-AES128-SHA", true, "localhost");
    ck_assert_fipsrt(fipsrt_tls_conn_session_import(conn, blob, len), FIPSRT_E_NOT_APPROVED);
    ck_assert_detail("the session's version is outside this context's versions");
    len = crafted_blob(blob, sizeof(blob), TLS1_3_VERSION, "TLS_CHACHA20_POLY1305_SHA256", true,
                       "localhost");
    ck_assert_fipsrt(fipsrt_tls_conn_session_import(conn, blob, len), FIPSRT_E_NOT_APPROVED);
    ck_assert_detail("cipher suite TLS_CHACHA20_POLY1305_SHA256 is outside the policy");
    fipsrt_tls_conn_free(conn);
    ck_assert_ok(fipsrt_tls_conn_new_mem(&conn, c12, "localhost"));
    len = crafted_blob(blob, sizeof(blob), TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256", true, "localhost");
    ck_assert_fipsrt(fipsrt_tls_conn_session_import(conn, blob, len), FIPSRT_E_NOT_APPROVED);
    ck_assert_detail("the session's TLS 1.3 is outside this context's versions");
    fipsrt_tls_conn_free(conn);
    fipsrt_tls_ctx_free(c);
    fipsrt_tls_ctx_free(c12);
}
END_TEST

/* TLS 1.3 resumption uses psk_dhe_ke even when the client also offers psk_ke; tickets
 * allow no early data. */
START_TEST(test_psk_dhe_only_no_early_data)
{
    fipsrt_tls_ctx *s = server_ctx("leaf", NULL);
    SSL_CTX_set_options(fipsrt_tls_ctx_get_ssl_ctx(s), SSL_OP_ALLOW_NO_DHE_KEX);  /* ignored */
    SSL_CTX *raw = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(raw, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_options(raw, SSL_OP_ALLOW_NO_DHE_KEX);   /* offers psk_ke too */
    SSL_SESSION *sess = NULL;
    for (int i = 0; i < 2; i++) {
        endpoint ce, se;
        raw_endpoint(&ce, raw, false);
        if (sess)
            ck_assert_int_eq(SSL_set_session(ce.ssl, sess), 1);
        memset(&se, 0, sizeof(se));
        ck_assert_ok(fipsrt_tls_conn_new_mem(&se.conn, s, NULL));
        handshake_pair(&ce, &se);
        ck_assert_msg(ce.rv == 0 && se.rv == 0, "%s", se.detail);
        ck_assert_int_eq(SSL_session_reused(ce.ssl), i);
        ck_assert_int_eq(SSL_get_negotiated_group(ce.ssl), NID_X9_62_prime256v1);
        char buf[8];
        size_t n;
        ck_assert_int_eq(SSL_read_ex(ce.ssl, buf, sizeof(buf), &n), 0);  /* takes the tickets */
        ERR_clear_error();
        SSL_SESSION_free(sess);
        sess = SSL_get1_session(ce.ssl);
        ck_assert_int_eq(SSL_SESSION_is_resumable(sess), 1);
        ck_assert_uint_eq(SSL_SESSION_get_max_early_data(sess), 0);
        SSL_shutdown(ce.ssl);   /* else SSL_free marks the session unresumable */
        endpoint_free(&ce);
        endpoint_free(&se);
    }
    SSL_SESSION_free(sess);
    SSL_CTX_free(raw);
    fipsrt_tls_ctx_free(s);
}
END_TEST

/* ==== helloserver, hellocli, openssl s_client, curl ====================================== */

static bg *hello(int *port, const char *a, const char *b, const char *c2, const char *d)
{
    const char *extra[] = {"--cert", pki("leaf.pem"), "--key", pki("leaf.key"), a, b, c2, d, NULL};
    return hello_start(extra, port);
}

/* 10 of 10 clients that send a 60 KB request head get the 431 answer (4-7 of 10 got EOF:
 * the server closed with unread input and the kernel sent a reset), and the log says why. */
START_TEST(test_hello_431_for_every_client)
{
    int port;
    bg *srv = hello(&port, NULL, NULL, NULL, NULL);
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.insecure_skip_verify = 1;
    fipsrt_tls_ctx *c = client_ctx(&cfg);
    size_t big = 60 * 1024;
    char *req = malloc(big);
    memset(req, 'a', big);
    memcpy(req, "GET / HTTP/1.1\r\nX-Pad: ", 23);
    int answered = 0, clients = tls_light() ? 3 : 10;
    for (int i = 0; i < clients; i++) {
        int fd = tcp_connect(port);
        fipsrt_tls_conn *conn;
        ck_assert_ok(fipsrt_tls_conn_new_fd(&conn, c, fd, "localhost"));
        size_t n;
        fipsrt_tls_conn_write(conn, req, big, &n);   /* may fail once the server stops reading */
        char resp[512] = "";
        size_t len = 0;
        while (len < sizeof(resp) - 1 &&
               fipsrt_tls_conn_read(conn, resp + len, sizeof(resp) - 1 - len, &n) == 0)
            len += n;
        resp[len] = '\0';
        answered += strstr(resp, "HTTP/1.1 431 ") != NULL;
        fipsrt_tls_conn_free(conn);
        close(fd);
    }
    ck_assert_int_eq(answered, clients);
    ck_assert_msg(bg_wait(srv, true, "request head larger than 8191 bytes", clients, 10),
                  "%s", bg_output(srv, true));
    free(req);
    fipsrt_tls_ctx_free(c);
    bg_stop(srv, SIGTERM, 10);
}
END_TEST

/* openssl s_client -tls1_2 -no_ticket -reconnect: 5 of 5 reconnections resume (the server
 * kept no session: s_client closes with close_notify before any request). */
START_TEST(test_hello_s_client_reconnect)
{
    int port;
    bg *srv = hello(&port, NULL, NULL, NULL, NULL);
    /* Not -tls1_3: s_client reconnects before it reads the server's tickets, so it never
     * has a TLS 1.3 session to offer (TLS 1.3 is covered by -sess_out/-sess_in below). */
    const char *modes[] = {"-tls1_2 -no_ticket", "-tls1_2"};
    for (size_t m = 0; m < 2; m++) {
        proc_result *r = run(NULL, argv_split("%s s_client -connect 127.0.0.1:%d %s -reconnect",
                                              OPENSSL, port, modes[m]));
        ck_assert_msg(r->exited && r->status == 0, "%.1500s", r->err);
        ck_assert_msg(count(r->out, "Reused, TLSv1.") == 5, "%s: %d reused; %.1500s", modes[m],
                      count(r->out, "Reused, TLSv1."), r->err);
    }
    bg_stop(srv, SIGTERM, 10);
}
END_TEST

/* Sessions saved by one process and offered by another: s_client -sess_out/-sess_in and
 * hellocli --sess-out/--sess-in, against one server and across two servers sharing
 * --ticket-keys (a fleet), not across two with different keys. */
START_TEST(test_hello_sessions_across_processes)
{
    char *dir = make_temp_dir(), keys[1100], other[1100], sess[1100], cli[1100];
    snprintf(keys, sizeof(keys), "%s/keys", dir);
    snprintf(other, sizeof(other), "%s/other", dir);
    snprintf(sess, sizeof(sess), "%s/sess", dir);
    snprintf(cli, sizeof(cli), "%s/../examples/hellocli", build_dir());
    const char *k1 = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                     "202122232425262728292a2b2c2d2e2f\n";
    const char *k2 = "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                     "202122232425262728292a2b2c2d2e2f\n";
    write_file(keys, k1, strlen(k1));
    write_file(other, k2, strlen(k2));
    int pa, pb, pc;
    bg *a = hello(&pa, "--ticket-keys", keys, NULL, NULL);
    bg *b = hello(&pb, "--ticket-keys", keys, NULL, NULL);
    bg *c = hello(&pc, "--ticket-keys", other, NULL, NULL);
    for (int v = 0; v < 2; v++) {
        const char *ver = v ? "-tls1_2" : "-tls1_3";
        proc_result *r = run(REQUEST, argv_split("%s s_client -ign_eof -connect 127.0.0.1:%d %s -sess_out %s",
                                                 OPENSSL, pa, ver, sess));
        ck_assert_msg(r->exited && r->status == 0, "%.1500s", r->err);
        ck_assert_contains(r->out, "Hello, world!");
        int ports[] = {pa, pb, pc};
        for (int i = 0; i < 3; i++) {
            r = run(REQUEST, argv_split("%s s_client -ign_eof -connect 127.0.0.1:%d %s -sess_in %s", OPENSSL,
                                        ports[i], ver, sess));
            ck_assert_contains(r->out, "Hello, world!");
            ck_assert_msg(strstr(r->out, i < 2 ? "Reused, TLSv1." : "New, TLSv1.") != NULL,
                          "%s to server %d: %.1500s", ver, i, strstr(r->out, "SSL-Session") ? strstr(r->out, "SSL-Session") : r->out);
        }
    }
    /* hellocli: a new process offers the session the previous one saved. */
    for (int v = 0; v < 2; v++) {
        const char *ver = v ? "--tls12" : "";
        unlink(sess);
        proc_result *r = run(NULL, argv_split("%s -v %s --cacert %s --sess-out %s https://localhost:%d/",
                                              cli, ver, pki("ca.pem"), sess, pa));
        ck_assert_msg(r->exited && r->status == 0, "%.1500s", r->err);
        ck_assert_contains(r->err, "resumed=0");
        r = run(NULL, argv_split("%s -v %s --cacert %s --sess-in %s --sess-out %s https://localhost:%d/",
                                 cli, ver, pki("ca.pem"), sess, sess, pb));
        ck_assert_msg(r->exited && r->status == 0, "%.1500s", r->err);
        ck_assert_contains(r->err, "resumed=1");
        r = run(NULL, argv_split("%s -v %s --cacert %s --sess-in %s https://localhost:%d/", cli, ver,
                                 pki("ca.pem"), sess, pa));
        ck_assert_contains(r->err, "resumed=1");
    }
    bg_stop(a, SIGTERM, 10);
    bg_stop(b, SIGTERM, 10);
    bg_stop(c, SIGTERM, 10);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* curl reuses its session on the second URL of one run, TLS 1.2 and 1.3. */
START_TEST(test_hello_curl_reuse)
{
    int port;
    bg *srv = hello(&port, NULL, NULL, NULL, NULL);
    const char *maxv[] = {"--tls-max 1.2", "--tlsv1.3"};
    for (int v = 0; v < 2; v++) {
        proc_result *r = run(NULL, argv_split("%s -sv --cacert %s %s https://localhost:%d/ "
                                              "https://localhost:%d/", CURL, pki("ca.pem"), maxv[v],
                                              port, port));
        ck_assert_msg(r->exited && r->status == 0, "%.1500s", r->err);
        ck_assert_int_eq(count(r->out, "Hello, world!"), 2);
        ck_assert_contains(r->err, "SSL re-using session ID");
    }
    char *log = bg_output(srv, true);
    ck_assert_int_ge(count(log, "resumed=1"), 2);
    free(log);
    bg_stop(srv, SIGTERM, 10);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("tls_resume");
    TCase *tc = tcase_create("memory");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_error_after_handshake_named);
    tcase_add_test(tc, test_tls12_session_kept_after_peer_close);
    tcase_add_test(tc, test_max_version);
    tcase_add_test(tc, test_ticket_keys_fleet_and_rotation);
    tcase_add_test(tc, test_ticket_keys_rotate_on_their_own);
    tcase_add_test(tc, test_session_export_import);
    tcase_add_test(tc, test_session_blob_refusals);
    tcase_add_test(tc, test_session_blob_policy);
    tcase_add_test(tc, test_psk_dhe_only_no_early_data);
    suite_add_tcase(s, tc);
    tc = tcase_create("peers");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, test_hello_431_for_every_client);
    tcase_add_test(tc, test_hello_s_client_reconnect);
    tcase_add_test(tc, test_hello_sessions_across_processes);
    tcase_add_test(tc, test_hello_curl_reuse);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    pki("ca.pem");   /* the test PKI once, in the parent: every forked test shares it */
    return run_suite(make_suite);
}
