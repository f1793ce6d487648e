/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The FIPS TLS policy per connection, whatever the program does through the escape hatches
 * (issue 9 §2), the lifetime of the library's state behind an escape-hatch SSL_CTX, and one
 * key policy for TLS keys and fipsrt_key_import_private (issue 9 §5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>

#include "tls_testutil.h"

#define OPENSSL "/usr/bin/openssl"

#define ck_assert_contains(hay, needle)                                                         \
    ck_assert_msg(strstr((hay), (needle)) != NULL, "expected \"%s\" in:\n%s", (needle), (hay))
#define ck_assert_detail(needle) ck_assert_contains(fipsrt_last_error(), needle)

/* The last alert a raw peer received (description), -1 if none. */
static int alert_received = -1;

static void alert_cb(const SSL *ssl, int where, int ret)
{
    (void)ssl;
    if ((where & SSL_CB_READ_ALERT) && (ret >> 8) == SSL3_AL_FATAL)
        alert_received = ret & 0xff;
}

/* A raw OpenSSL endpoint in the process's default context offering only `groups`. */
static SSL_CTX *raw_ctx(bool server, const char *groups)
{
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    ck_assert_ptr_nonnull(ctx);
    ck_assert_int_eq(SSL_CTX_set1_groups_list(ctx, groups), 1);
    SSL_CTX_set_info_callback(ctx, alert_cb);
    if (server) {
        ck_assert_int_eq(SSL_CTX_use_certificate_file(ctx, pki("leaf.pem"), SSL_FILETYPE_PEM), 1);
        ck_assert_int_eq(SSL_CTX_use_PrivateKey_file(ctx, pki("leaf.key"), SSL_FILETYPE_PEM), 1);
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    }
    return ctx;
}

static int allow_everything(const SSL *s, const SSL_CTX *ctx, int op, int bits, int nid,
                            void *other, void *ex)
{
    (void)s, (void)ctx, (void)op, (void)bits, (void)nid, (void)other, (void)ex;
    return 1;
}

/* Widen everything the SSL_CTX offers; none of it is FIPS policy. */
static void widen(SSL_CTX *sctx, bool client)
{
    ck_assert_int_eq(SSL_CTX_set1_groups_list(sctx, "X25519"), 1);
    ck_assert_int_eq(SSL_CTX_set_ciphersuites(sctx, "TLS_AES_128_CCM_SHA256"), 1);
    ck_assert_int_eq(SSL_CTX_set_cipher_list(sctx, "AES128-GCM-SHA256"), 1);
    ck_assert_int_eq(SSL_CTX_set1_sigalgs_list(sctx, "ECDSA+SHA1:RSA+SHA1:ECDSA+SHA256"), 1);
    ck_assert_int_eq(SSL_CTX_set_min_proto_version(sctx, TLS1_VERSION), 1);
    SSL_CTX_set_security_level(sctx, 0);
    SSL_CTX_set_options(sctx, SSL_OP_NO_EXTENDED_MASTER_SECRET | SSL_OP_ALLOW_NO_DHE_KEX |
                                  SSL_OP_ENABLE_KTLS);
    if (client)
        SSL_CTX_set_verify(sctx, SSL_VERIFY_NONE, NULL);
}

static void lib_pair(endpoint *c, endpoint *s, fipsrt_tls_ctx *cctx, fipsrt_tls_ctx *sctx)
{
    memset(c, 0, sizeof(*c));
    memset(s, 0, sizeof(*s));
    ck_assert_ok(fipsrt_tls_conn_new_mem(&c->conn, cctx, "localhost"));
    ck_assert_ok(fipsrt_tls_conn_new_mem(&s->conn, sctx, NULL));
    handshake_pair(c, s);
}

/* Issue 9 §2, reproduced: SSL_CTX_set1_groups_list(hatch, "X25519") made every later
 * connection negotiate X25519 and fipsrt_tls_conn_group() return NULL. Suites, signature
 * schemes, versions, options and verification widened the same way change nothing either. */
START_TEST(test_hatch_widening_ignored)
{
    fipsrt_tls_ctx *s = server_ctx("leaf", NULL), *c = client_ctx(NULL);
    fipsrt_tls_ctx *bad = server_ctx("unknown", NULL);
    widen(fipsrt_tls_ctx_get_ssl_ctx(s), false);
    widen(fipsrt_tls_ctx_get_ssl_ctx(c), true);
    widen(fipsrt_tls_ctx_get_ssl_ctx(bad), false);
    for (int tls12 = 0; tls12 < 2; tls12++) {
        if (tls12)  /* a narrower range set through the hatch is kept */
            ck_assert_int_eq(SSL_CTX_set_max_proto_version(fipsrt_tls_ctx_get_ssl_ctx(c),
                                                           TLS1_2_VERSION), 1);
        endpoint ce, se;
        lib_pair(&ce, &se, c, s);
        ck_assert_msg(ce.rv == 0 && se.rv == 0, "%s / %s", ce.detail, se.detail);
        ck_assert_int_eq(fipsrt_tls_conn_version(ce.conn), tls12 ? FIPSRT_TLS_1_2 : FIPSRT_TLS_1_3);
        ck_assert_str_eq(fipsrt_tls_conn_group(ce.conn), "P-256");
        ck_assert_str_eq(fipsrt_tls_conn_group(se.conn), "P-256");
        ck_assert_str_eq(fipsrt_tls_conn_cipher(se.conn),
                         tls12 ? "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" : "TLS_AES_128_GCM_SHA256");
        SSL *ssl = fipsrt_tls_conn_get_ssl(ce.conn);
        ck_assert(!(SSL_get_options(ssl) & (SSL_OP_ENABLE_KTLS | SSL_OP_ALLOW_NO_DHE_KEX)));
        if (tls12)
            ck_assert_int_eq(SSL_get_extms_support(ssl), 1);
        int md = 0;
        ck_assert_int_eq(SSL_get_peer_signature_nid(ssl, &md), 1);
        ck_assert_int_eq(md, NID_sha256);
        endpoint_free(&ce);
        endpoint_free(&se);
        /* Verification stays on although the hatch turned it off. */
        lib_pair(&ce, &se, c, bad);
        ck_assert_fipsrt(ce.rv, FIPSRT_E_TLS_VERIFY);
        endpoint_free(&ce);
        endpoint_free(&se);
    }
    fipsrt_tls_ctx_free(bad);
    fipsrt_tls_ctx_free(s);
    fipsrt_tls_ctx_free(c);
    ERR_clear_error();
}
END_TEST

/* A peer that offers only X25519 to a library server whose hatch SSL_CTX was widened to it:
 * refused during the handshake, with a fatal alert from OpenSSL. */
START_TEST(test_hatch_peer_refused_with_alert)
{
    fipsrt_tls_ctx *s = server_ctx("leaf", NULL);
    ck_assert_int_eq(SSL_CTX_set1_groups_list(fipsrt_tls_ctx_get_ssl_ctx(s), "X25519"), 1);
    SSL_CTX *raw = raw_ctx(false, "X25519");
    endpoint ce, se;
    raw_endpoint(&ce, raw, false);
    memset(&se, 0, sizeof(se));
    ck_assert_ok(fipsrt_tls_conn_new_mem(&se.conn, s, NULL));
    alert_received = -1;
    handshake_pair(&ce, &se);
    ck_assert_fipsrt(se.rv, FIPSRT_E_TLS);
    ck_assert_int_eq(ce.rv, FIPSRT_E_TLS);
    ck_assert_int_eq(alert_received, SSL_AD_HANDSHAKE_FAILURE);
    endpoint_free(&ce);
    endpoint_free(&se);

    /* An SSL the program makes itself from the hatch SSL_CTX, widened once more. */
    endpoint pe;
    raw_endpoint(&pe, fipsrt_tls_ctx_get_ssl_ctx(s), true);
    ck_assert_int_eq(SSL_set1_groups_list(pe.ssl, "X25519"), 1);
    raw_endpoint(&ce, raw, false);
    alert_received = -1;
    handshake_pair(&ce, &pe);
    ck_assert_int_eq(pe.rv, FIPSRT_E_TLS);
    ck_assert_int_eq(ce.rv, FIPSRT_E_TLS);
    ck_assert_int_eq(alert_received, SSL_AD_HANDSHAKE_FAILURE);
    endpoint_free(&ce);
    endpoint_free(&pe);
    SSL_CTX_free(raw);
    fipsrt_tls_ctx_free(s);
    ERR_clear_error();
}
END_TEST

/* The check after the handshake: the program took the policy's callback off the SSL of a
 * library connection (fipsrt_tls_conn_get_ssl). The connection fails with FIPSRT_E_TLS and
 * the peer gets a fatal alert; in both roles. */
START_TEST(test_after_handshake_check)
{
    fipsrt_tls_ctx *s = server_ctx("leaf", NULL), *c = client_ctx(NULL);
    for (int client = 0; client < 2; client++) {
        SSL_CTX *raw = raw_ctx(client, "X25519");
        endpoint lib, peer;
        memset(&lib, 0, sizeof(lib));
        ck_assert_ok(fipsrt_tls_conn_new_mem(&lib.conn, client ? c : s, client ? "localhost" : NULL));
        SSL *ssl = fipsrt_tls_conn_get_ssl(lib.conn);
        SSL_set_security_callback(ssl, allow_everything);
        ck_assert_int_eq(SSL_set1_groups_list(ssl, "X25519"), 1);
        raw_endpoint(&peer, raw, client);
        alert_received = -1;
        handshake_pair(&lib, &peer);
        ck_assert_msg(lib.rv == FIPSRT_E_TLS, "%s %s client=%d: %d %s / peer %d", SSL_state_string_long(ssl), SSL_state_string_long(peer.ssl), client, lib.rv, lib.detail, peer.rv);
        ck_assert_contains(lib.detail, "FIPS policy: key exchange group X25519");
        ck_assert_ptr_null(fipsrt_tls_conn_group(lib.conn));
        char buf[16];
        size_t n;
        ck_assert_fipsrt(fipsrt_tls_conn_read(lib.conn, buf, sizeof(buf), &n), FIPSRT_E_STATE);
        /* The peer finished its handshake; its next read meets the alert. */
        pump(&lib, &peer);
        ck_assert_int_eq(SSL_read_ex(peer.ssl, buf, sizeof(buf), &n), 0);
        ck_assert_int_eq(SSL_get_error(peer.ssl, 0), SSL_ERROR_SSL);
        ck_assert_int_eq(alert_received, SSL_AD_UNEXPECTED_MESSAGE);
        ERR_clear_error();
        endpoint_free(&lib);
        endpoint_free(&peer);
        SSL_CTX_free(raw);
    }
    fipsrt_tls_ctx_free(s);
    fipsrt_tls_ctx_free(c);
}
END_TEST

/* An SSL the program made from the hatch and took the security callback off: the info
 * callback on the SSL_CTX finds the handshake outside the policy and makes it unusable. */
START_TEST(test_program_ssl_checked)
{
    fipsrt_tls_ctx *s = server_ctx("leaf", NULL);
    SSL_CTX *raw = raw_ctx(false, "X25519");
    endpoint pe, ce;
    raw_endpoint(&pe, fipsrt_tls_ctx_get_ssl_ctx(s), true);
    SSL_set_security_callback(pe.ssl, allow_everything);
    ck_assert_int_eq(SSL_set1_groups_list(pe.ssl, "X25519"), 1);
    raw_endpoint(&ce, raw, false);
    handshake_pair(&ce, &pe);
    ck_assert_int_eq(pe.rv, 0);   /* OpenSSL completed it */
    ck_assert_int_eq(SSL_get_negotiated_group(pe.ssl), NID_X25519);
    ck_assert_int_eq(SSL_get_verify_result(pe.ssl), X509_V_ERR_APPLICATION_VERIFICATION);
    size_t n;
    ck_assert_int_eq(SSL_write_ex(pe.ssl, "data", 4, &n), 0);
    ERR_clear_error();
    endpoint_free(&ce);
    endpoint_free(&pe);
    SSL_CTX_free(raw);
    fipsrt_tls_ctx_free(s);
}
END_TEST

/* Issue 9 §2, reproduced under ASan: an SSL made from the hatch SSL_CTX keeps it alive
 * after fipsrt_tls_ctx_free(); the verify callback read the freed fipsrt_tls_ctx
 * (heap-use-after-free in frt_tls_verify_cb). The state now lives as long as the SSL_CTX. */
START_TEST(test_hatch_outlives_ctx)
{
    fipsrt_tls_config insecure = FIPSRT_TLS_CONFIG_INIT;
    insecure.insecure_skip_verify = 1;
    fipsrt_tls_ctx *good = server_ctx("leaf", NULL), *bad = server_ctx("unknown", NULL);
    for (int i = 0; i < 2; i++) {
        fipsrt_tls_ctx *c = client_ctx(i ? &insecure : NULL);
        endpoint ce1, ce2, s1, s2;
        raw_endpoint(&ce1, fipsrt_tls_ctx_get_ssl_ctx(c), false);
        raw_endpoint(&ce2, fipsrt_tls_ctx_get_ssl_ctx(c), false);
        ck_assert_int_eq(SSL_set1_host(ce1.ssl, "localhost"), 1);
        ck_assert_int_eq(SSL_set1_host(ce2.ssl, "localhost"), 1);
        fipsrt_tls_ctx_free(c);   /* the SSLs hold the SSL_CTX, and with it the state */
        /* Reuse the freed memory the old code would have read. */
        void *junk[16];
        for (int k = 0; k < 16; k++)
            memset(junk[k] = malloc(sizeof(fipsrt_tls_config) * 8), 0xff, sizeof(fipsrt_tls_config) * 8);
        memset(&s1, 0, sizeof(s1));
        memset(&s2, 0, sizeof(s2));
        ck_assert_ok(fipsrt_tls_conn_new_mem(&s1.conn, bad, NULL));
        ck_assert_ok(fipsrt_tls_conn_new_mem(&s2.conn, good, NULL));
        handshake_pair(&ce1, &s1);
        handshake_pair(&ce2, &s2);
        /* Verifying: the unknown CA fails; insecure: it is waived. */
        ck_assert_int_eq(ce1.rv, i ? 0 : FIPSRT_E_TLS);
        ck_assert_int_eq(ce2.rv, 0);
        for (int k = 0; k < 16; k++)
            free(junk[k]);
        endpoint_free(&ce1);
        endpoint_free(&ce2);
        endpoint_free(&s1);
        endpoint_free(&s2);
        ERR_clear_error();
    }
    fipsrt_tls_ctx_free(good);
    fipsrt_tls_ctx_free(bad);
}
END_TEST

/* ---- one key policy (issue 9 §5) ----------------------------------------------------------- */

static void openssl_cli(const char *cmd)
{
    static const char *const env[] = {"OPENSSL_CONF=/dev/null", NULL};  /* default provider */
    static proc_result r;
    run_process(argv_split("%s %s", OPENSSL, cmd), env, NULL, &r);
    ck_assert_msg(r.exited && r.status == 0, "openssl %s: %s", cmd, r.err);
}

static int server_with(const char *cert, const char *key)
{
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    fipsrt_tls_ctx *ctx = NULL;
    cfg.cert_file = cert;
    cfg.key_file = key;
    int rv = fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_SERVER, &cfg);
    fipsrt_tls_ctx_free(ctx);
    return rv;
}

/* An RSA-2048 key with e = 3: fipsrt_key_import_private refuses it (FIPS 186-4 B.3.1), and
 * so must a TLS context given it as a file or in memory, PKCS#8 or traditional. */
START_TEST(test_tls_key_one_policy)
{
    char *dir = make_temp_dir(), key[1100], trad[1100], cert[1100], eckey[1100];
    snprintf(key, sizeof(key), "%s/e3.key", dir);
    snprintf(trad, sizeof(trad), "%s/e3.rsa", dir);
    snprintf(cert, sizeof(cert), "%s/e3.pem", dir);
    snprintf(eckey, sizeof(eckey), "%s/ec.trad", dir);
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 "
             "-pkeyopt rsa_keygen_pubexp:3 -out %s", key);
    openssl_cli(cmd);
    snprintf(cmd, sizeof(cmd), "rsa -traditional -in %s -out %s", key, trad);
    openssl_cli(cmd);
    snprintf(cmd, sizeof(cmd), "req -new -x509 -sha256 -days 2 -subj /CN=localhost -key %s "
             "-out %s", key, cert);
    openssl_cli(cmd);
    snprintf(cmd, sizeof(cmd), "ec -in %s -out %s", pki("leaf.key"), eckey);
    openssl_cli(cmd);

    size_t len;
    char *pem = slurp(key, &len);
    fipsrt_key *k = NULL;
    ck_assert_fipsrt(fipsrt_key_import_private(&k, FIPSRT_KEY_PEM, (uint8_t *)pem, len, NULL, 0),
                     FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(server_with(cert, key), FIPSRT_E_NOT_APPROVED);
    ck_assert_detail("exponent");
    ck_assert_fipsrt(server_with(cert, trad), FIPSRT_E_NOT_APPROVED);
    ck_assert_detail("exponent");
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    fipsrt_tls_ctx *ctx = NULL;
    cfg.cert_file = cert;
    cfg.key_data = (uint8_t *)pem;
    cfg.key_len = len;
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_CLIENT, &cfg), FIPSRT_E_NOT_APPROVED);
    ck_assert_ptr_null(ctx);
    /* The traditional EC form ("EC PRIVATE KEY") still works, through the same import. */
    ck_assert_ok(server_with(pki("leaf.pem"), eckey));
    char *ec = slurp(eckey, &len);
    ck_assert_contains(ec, "BEGIN EC PRIVATE KEY");
    free(ec);
    free(pem);
    rm_rf(dir);
    free(dir);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

/* kTLS would move record encryption into the kernel, outside the FIPS module: an
 * openssl.cnf that turns it on (and psk_ke) reaches a raw SSL_CTX but no libfipsrt context
 * or connection. */
START_TEST(test_no_ktls_from_config)
{
    size_t len;
    char *base = slurp(getenv("OPENSSL_CONF"), &len), *dir = make_temp_dir(), path[1100];
    const char *anchor = "[openssl_init]\n";
    char *at = strstr(base, anchor);
    ck_assert_ptr_nonnull(at);
    size_t head = (size_t)(at - base) + strlen(anchor);
    static const char extra[] = "ssl_conf = ssl_sect\n";
    static const char tail[] = "\n[ssl_sect]\nsystem_default = system_default_sect\n"
                               "[system_default_sect]\nOptions = KTLS, AllowNoDHEKEX\n"
                               "MinProtocol = TLSv1\nGroups = X25519\n";
    char *cnf = malloc(len + sizeof(extra) + sizeof(tail));
    memcpy(cnf, base, head);
    strcpy(cnf + head, extra);
    strcat(cnf, base + head);
    strcat(cnf, tail);
    snprintf(path, sizeof(path), "%s/openssl.cnf", dir);
    write_file(path, cnf, strlen(cnf));
    char env_conf[1200];
    snprintf(env_conf, sizeof(env_conf), "OPENSSL_CONF=%s", path);
    const char *env[] = {env_conf, NULL};
    static proc_result r;
    char *argv[] = {getenv("FIPSRT_KTLS_PROBE"), NULL};
    run_process(argv, env, NULL, &r);
    ck_assert_msg(r.exited && r.status == 0, "%s", r.err);
    ck_assert_contains(r.out, "raw ktls=1 nodhe=1");
    ck_assert_contains(r.out, "libfipsrt ctx ktls=0 nodhe=0 conn ktls=0 nodhe=0");
    rm_rf(dir);
    free(dir);
    free(cnf);
    free(base);
}
END_TEST

/* ---- the policy's three lines, one refusal reason at a time (lib/tls_check.c) --------------- */

typedef int sec_cb_fn(const SSL *, const SSL_CTX *, int, int, int, void *, void *);

static X509 *pki_x509(const char *name)
{
    char file[64];
    snprintf(file, sizeof(file), "%s.pem", name);
    FILE *f = fopen(pki(file), "r");
    ck_assert_ptr_nonnull(f);
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    ck_assert_ptr_nonnull(x);
    return x;
}

/* Line 1, the security callback every library SSL_CTX carries, asked each question OpenSSL
 * asks while it negotiates: the policy's answer for every kind of operation, then OpenSSL's
 * own security level 2 on whatever the policy allows. */
START_TEST(test_security_callback_ops)
{
    fipsrt_tls_ctx *s = server_ctx("leaf", NULL);
    SSL_CTX *hatch = fipsrt_tls_ctx_get_ssl_ctx(s);
    sec_cb_fn *cb = SSL_CTX_get_security_callback(hatch);
    ck_assert_ptr_nonnull(cb);
    /* The same callback on the library's own SSLs. */
    fipsrt_tls_conn *conn = NULL;
    ck_assert_ok(fipsrt_tls_conn_new_mem(&conn, s, NULL));
    ck_assert_ptr_eq(SSL_get_security_callback(fipsrt_tls_conn_get_ssl(conn)), cb);
    fipsrt_tls_conn_free(conn);
    SSL *hs = SSL_new(hatch);   /* OpenSSL asks about an SSL and its SSL_CTX */
    ck_assert_ptr_nonnull(hs);
#define ASK(op, bits, nid, other) cb(hs, hatch, (op), (bits), (nid), (void *)(other), NULL)

    /* Cipher suites: the six AES-GCM suites with (EC)DHE, nothing else. */
    SSL_CTX *raw = SSL_CTX_new(TLS_method());
    SSL *ssl = SSL_new(raw);
    static const unsigned char ok_suites[][2] = {
        {0x13, 0x01}, {0x13, 0x02}, {0xC0, 0x2B}, {0xC0, 0x2C}, {0xC0, 0x2F}, {0xC0, 0x30}};
    static const unsigned char bad_suites[][2] = {
        {0x13, 0x03}, {0x13, 0x04}, {0x00, 0x9C}, {0xC0, 0x23}, {0xC0, 0x09}, {0x00, 0x9E}};
    for (size_t i = 0; i < 6; i++) {
        const SSL_CIPHER *good = SSL_CIPHER_find(ssl, ok_suites[i]);
        const SSL_CIPHER *bad = SSL_CIPHER_find(ssl, bad_suites[i]);
        ck_assert_ptr_nonnull(good);
        ck_assert_ptr_nonnull(bad);
        ck_assert_int_eq(ASK(SSL_SECOP_CIPHER_SUPPORTED, 128, 0, good), 1);
        ck_assert_msg(ASK(SSL_SECOP_CIPHER_SHARED, 128, 0, bad) == 0, "%s",
                      SSL_CIPHER_get_name(bad));
    }
    ck_assert_int_eq(ASK(SSL_SECOP_CIPHER_CHECK, 128, 0, NULL), 0);
    /* ... and OpenSSL's level 2 still refuses a policy suite offered at under 112 bits. */
    ck_assert_int_eq(ASK(SSL_SECOP_CIPHER_SUPPORTED, 80, 0, SSL_CIPHER_find(ssl, ok_suites[0])), 0);
    SSL_free(ssl);
    SSL_CTX_free(raw);

    /* Groups, as a code point (23, 24, 25: P-256, P-384, P-521) or, without one, a NID. */
    static const unsigned char p256[] = {0, 23}, p384[] = {0, 24}, p521[] = {0, 25};
    static const unsigned char x25519[] = {0, 29}, p224[] = {0, 21}, x448[] = {0, 30},
                               ffdhe[] = {1, 0}, high[] = {1, 23};
    ck_assert_int_eq(ASK(SSL_SECOP_CURVE_SUPPORTED, 128, 0, p256), 1);
    ck_assert_int_eq(ASK(SSL_SECOP_CURVE_SHARED, 192, 0, p384), 1);
    ck_assert_int_eq(ASK(SSL_SECOP_CURVE_CHECK, 256, 0, p521), 1);
    ck_assert_int_eq(ASK(SSL_SECOP_CURVE_SUPPORTED, 128, 0, x25519), 0);
    ck_assert_int_eq(ASK(SSL_SECOP_CURVE_SUPPORTED, 112, 0, p224), 0);
    ck_assert_int_eq(ASK(SSL_SECOP_CURVE_SUPPORTED, 224, 0, x448), 0);
    ck_assert_int_eq(ASK(SSL_SECOP_CURVE_SUPPORTED, 112, 0, ffdhe), 0);
    ck_assert_int_eq(ASK(SSL_SECOP_CURVE_SUPPORTED, 128, 0, high), 0);
    ck_assert_int_eq(ASK(SSL_SECOP_CURVE_CHECK, 128, NID_X9_62_prime256v1, NULL), 1);
    ck_assert_int_eq(ASK(SSL_SECOP_CURVE_CHECK, 192, NID_secp384r1, NULL), 1);
    ck_assert_int_eq(ASK(SSL_SECOP_CURVE_CHECK, 256, NID_secp521r1, NULL), 1);
    ck_assert_int_eq(ASK(SSL_SECOP_CURVE_CHECK, 128, NID_X25519, NULL), 0);
    ck_assert_int_eq(ASK(SSL_SECOP_CURVE_CHECK, 112, NID_secp224r1, NULL), 0);
    /* Finite-field DH and temporary keys: never. */
    ck_assert_int_eq(ASK(SSL_SECOP_TMP_DH, 128, 0, NULL), 0);
    ck_assert_int_eq(ASK(SSL_SECOP_OTHER_DH | 7, 128, 0, NULL), 0);

    /* Signature schemes (RFC 8446 code points): the policy's twelve; SHA-1, SHA-224,
     * EdDSA and PKCS#1 v1.5 with SHA-1 are refused, and so is a question without one. */
    static const unsigned ok_sig[] = {0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806,
                                      0x0809, 0x080a, 0x080b, 0x0401, 0x0501, 0x0601};
    static const unsigned bad_sig[] = {0x0203, 0x0201, 0x0303, 0x0301, 0x0807, 0x0808, 0x0420};
    for (size_t i = 0; i < sizeof(ok_sig) / sizeof(ok_sig[0]); i++) {
        unsigned char code[2] = {(unsigned char)(ok_sig[i] >> 8), (unsigned char)ok_sig[i]};
        ck_assert_msg(ASK(SSL_SECOP_SIGALG_SUPPORTED, 128, 0, code) == 1, "%04x", ok_sig[i]);
    }
    for (size_t i = 0; i < sizeof(bad_sig) / sizeof(bad_sig[0]); i++) {
        unsigned char code[2] = {(unsigned char)(bad_sig[i] >> 8), (unsigned char)bad_sig[i]};
        ck_assert_msg(ASK(SSL_SECOP_SIGALG_SHARED, 128, 0, code) == 0, "%04x", bad_sig[i]);
    }
    ck_assert_int_eq(ASK(SSL_SECOP_SIGALG_CHECK, 128, 0, NULL), 0);
    static const unsigned char ecdsa256[] = {0x04, 0x03};
    ck_assert_int_eq(ASK(SSL_SECOP_SIGALG_MASK, 64, 0, ecdsa256), 0);   /* level 2 */

    /* Certificates: the hash a CA signed with, and the key of every certificate. */
    static const int ok_md[] = {NID_sha224, NID_sha256, NID_sha384, NID_sha512,
                                NID_sha3_224, NID_sha3_256, NID_sha3_384, NID_sha3_512};
    for (size_t i = 0; i < 8; i++) {
        ck_assert_int_eq(ASK(SSL_SECOP_CA_MD, 128, ok_md[i], NULL), 1);
        ck_assert_int_eq(ASK(SSL_SECOP_PEER_CA_MD, 128, ok_md[i], NULL), 1);
    }
    ck_assert_int_eq(ASK(SSL_SECOP_CA_MD, 80, NID_sha1, NULL), 0);
    ck_assert_int_eq(ASK(SSL_SECOP_PEER_CA_MD, 80, NID_sha1, NULL), 0);
    ck_assert_int_eq(ASK(SSL_SECOP_PEER_CA_MD, 64, NID_md5, NULL), 0);
    X509 *weak = pki_x509("rsa1024"), *ec = pki_x509("leaf"), *rsa = pki_x509("leafrsa");
    ck_assert_int_eq(ASK(SSL_SECOP_PEER_EE_KEY, 80, 0, weak), 0);
    ck_assert_int_eq(ASK(SSL_SECOP_EE_KEY, 80, 0, weak), 0);
    ck_assert_int_eq(ASK(SSL_SECOP_PEER_CA_KEY, 80, 0, weak), 0);
    ck_assert_int_eq(ASK(SSL_SECOP_PEER_EE_KEY, 128, 0, ec), 1);
    ck_assert_int_eq(ASK(SSL_SECOP_CA_KEY, 112, 0, rsa), 1);
    ck_assert_int_eq(ASK(SSL_SECOP_EE_KEY, 128, 0, NULL), 1);  /* no certificate: bits decide */
    ck_assert_int_eq(ASK(SSL_SECOP_EE_KEY, 80, 0, NULL), 0);
    X509_free(weak);
    X509_free(ec);
    X509_free(rsa);
    ck_assert_uint_eq(ERR_peek_error(), 0);

    /* Versions: TLS 1.2 and 1.3 only; no compression; tickets are level 2's business. */
    ck_assert_int_eq(ASK(SSL_SECOP_VERSION, 0, TLS1_2_VERSION, NULL), 1);
    ck_assert_int_eq(ASK(SSL_SECOP_VERSION, 0, TLS1_3_VERSION, NULL), 1);
    ck_assert_int_eq(ASK(SSL_SECOP_VERSION, 0, TLS1_1_VERSION, NULL), 0);
    ck_assert_int_eq(ASK(SSL_SECOP_VERSION, 0, TLS1_VERSION, NULL), 0);
    ck_assert_int_eq(ASK(SSL_SECOP_VERSION, 0, SSL3_VERSION, NULL), 0);
    ck_assert_int_eq(ASK(SSL_SECOP_COMPRESSION, 0, 0, NULL), 0);
    ck_assert_int_eq(ASK(SSL_SECOP_TICKET, 0, 0, NULL), 1);
#undef ASK
    SSL_free(hs);
    fipsrt_tls_ctx_free(s);
}
END_TEST

/* Line 2: the versions a program narrowed on the hatch SSL_CTX are kept when they make
 * sense within the context's own range, and replaced by it when they do not. */
START_TEST(test_guard_versions)
{
    static const struct {
        fipsrt_tls_version cfg_min, cfg_max;
        int hatch_min, hatch_max;     /* -1: leave */
        int want_min, want_max;
    } cases[] = {
        /* min above the context's max: the context's min */
        {FIPSRT_TLS_1_2, FIPSRT_TLS_1_2, TLS1_3_VERSION, -1, TLS1_2_VERSION, TLS1_2_VERSION},
        /* max below min: the context's max */
        {FIPSRT_TLS_1_3, FIPSRT_TLS_VERSION_DEFAULT, -1, TLS1_2_VERSION, TLS1_3_VERSION, TLS1_3_VERSION},
        /* "any" (0) on either end: the context's */
        {FIPSRT_TLS_VERSION_DEFAULT, FIPSRT_TLS_VERSION_DEFAULT, 0, 0, TLS1_2_VERSION, TLS1_3_VERSION},
        /* a narrower range within the policy: kept */
        {FIPSRT_TLS_VERSION_DEFAULT, FIPSRT_TLS_VERSION_DEFAULT, TLS1_3_VERSION, TLS1_3_VERSION,
         TLS1_3_VERSION, TLS1_3_VERSION},
        /* wider than the policy: the context's */
        {FIPSRT_TLS_VERSION_DEFAULT, FIPSRT_TLS_1_2, TLS1_VERSION, TLS1_3_VERSION, TLS1_2_VERSION,
         TLS1_2_VERSION},
    };
    fipsrt_tls_ctx *c = client_ctx(NULL);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
        cfg.min_version = cases[i].cfg_min;
        cfg.max_version = cases[i].cfg_max;
        fipsrt_tls_ctx *s = server_ctx("leaf", &cfg);
        SSL_CTX *hatch = fipsrt_tls_ctx_get_ssl_ctx(s);
        if (cases[i].hatch_min >= 0)
            ck_assert_int_eq(SSL_CTX_set_min_proto_version(hatch, cases[i].hatch_min), 1);
        if (cases[i].hatch_max >= 0)
            ck_assert_int_eq(SSL_CTX_set_max_proto_version(hatch, cases[i].hatch_max), 1);
        endpoint ce, se;
        lib_pair(&ce, &se, c, s);
        SSL *ssl = fipsrt_tls_conn_get_ssl(se.conn);
        ck_assert_int_eq(SSL_get_min_proto_version(ssl), cases[i].want_min);
        ck_assert_int_eq(SSL_get_max_proto_version(ssl), cases[i].want_max);
        ck_assert_msg(ce.rv == 0 && se.rv == 0, "case %zu: %s / %s", i, ce.detail, se.detail);
        ck_assert_int_eq(fipsrt_tls_conn_version(se.conn),
                         cases[i].want_max == TLS1_3_VERSION ? FIPSRT_TLS_1_3 : FIPSRT_TLS_1_2);
        endpoint_free(&ce);
        endpoint_free(&se);
        fipsrt_tls_ctx_free(s);
    }
    fipsrt_tls_ctx_free(c);
}
END_TEST

static int verify_anything(int ok, X509_STORE_CTX *store)
{
    (void)ok, (void)store;
    return 1;
}

/* A hostile raw peer for line 3, in its own library context with the default provider (the
 * process's default context runs the FIPS provider, which signs with no RSA-1024 key). */
static SSL_CTX *hostile_ctx(bool server, int max_version, const char *suites13,
                            const char *suites12, const char *sigalgs, const char *identity)
{
    static OSSL_LIB_CTX *lctx;
    if (lctx == NULL) {
        lctx = OSSL_LIB_CTX_new();
        ck_assert_ptr_nonnull(lctx);
        ck_assert_ptr_nonnull(OSSL_PROVIDER_load(lctx, "default"));
    }
    SSL_CTX *ctx = SSL_CTX_new_ex(lctx, NULL, server ? TLS_server_method() : TLS_client_method());
    ck_assert_ptr_nonnull(ctx);
    SSL_CTX_set_security_level(ctx, 0);
    SSL_CTX_set_info_callback(ctx, alert_cb);
    ck_assert_int_eq(SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION), 1);
    ck_assert_int_eq(SSL_CTX_set_max_proto_version(ctx, max_version), 1);
    if (suites13)
        ck_assert_int_eq(SSL_CTX_set_ciphersuites(ctx, suites13), 1);
    if (suites12)
        ck_assert_int_eq(SSL_CTX_set_cipher_list(ctx, suites12), 1);
    if (sigalgs)
        ck_assert_int_eq(SSL_CTX_set1_sigalgs_list(ctx, sigalgs), 1);
    if (server) {
        char cert[64], key[64];
        snprintf(cert, sizeof(cert), "%s.pem", identity);
        snprintf(key, sizeof(key), "%s.key", identity);
        ck_assert_int_eq(SSL_CTX_use_certificate_file(ctx, pki(cert), SSL_FILETYPE_PEM), 1);
        ck_assert_int_eq(SSL_CTX_use_PrivateKey_file(ctx, pki(key), SSL_FILETYPE_PEM), 1);
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    }
    return ctx;
}

/* Line 3, the check after every handshake, for each reason it names: the program took the
 * security callback off a library connection's SSL and widened one thing on it; a peer that
 * uses it completes OpenSSL's handshake, and the library's connection fails with FIPSRT_E_TLS
 * naming the reason, counts nothing on the indicator, refuses further use, and sends a fatal
 * alert the peer meets on its next read. */
START_TEST(test_after_handshake_each_reason)
{
    static const struct {
        const char *what;
        bool lib_client;
        int max;                       /* both ends */
        const char *suites13, *suites12, *sigalgs, *identity;
        bool verify_none;              /* the program also turned verification off */
        const char *expect;
        int alert;                     /* what the peer receives */
        bool no_ems;                   /* both ends turned Extended Master Secret off */
    } cases[] = {
        {"TLS 1.3 suite", false, TLS1_3_VERSION, "TLS_AES_128_CCM_SHA256", NULL, NULL, "leaf",
         false, "FIPS policy: cipher suite TLS_AES_128_CCM_SHA256 is outside the policy",
         SSL_AD_UNEXPECTED_MESSAGE, false},
        {"TLS 1.2 suite", true, TLS1_2_VERSION, NULL, "ECDHE-ECDSA-AES128-SHA256", NULL, "leaf",
         false, "FIPS policy: cipher suite TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 is outside",
         SSL_AD_DECODE_ERROR, false},   /* a 1-byte CBC record */
        {"peer's signature", true, TLS1_2_VERSION, NULL, NULL, "ECDSA+SHA224", "leaf", false,
         "FIPS policy: the peer's signature scheme id-ecPublicKey with SHA224 is outside",
         SSL_AD_INTERNAL_ERROR, false},   /* OpenSSL 3.0: a 1-byte AES-GCM record fails its AAD ctrl */
        {"our signature", false, TLS1_2_VERSION, NULL, NULL, "ECDSA+SHA224", "leaf", false,
         "FIPS policy: our signature scheme id-ecPublicKey with SHA224 is outside the policy",
         SSL_AD_INTERNAL_ERROR, false},
        {"peer's key", true, TLS1_3_VERSION, NULL, NULL, NULL, "rsa1024", true,
         "FIPS policy: the peer's certificate: RSA key of 1024 bits (SP 800-131A: at least 2048)",
         SSL_AD_UNEXPECTED_MESSAGE, false},
        {"no EMS", true, TLS1_2_VERSION, NULL, NULL, NULL, "leaf", true,
         "FIPS policy: TLS 1.2 without Extended Master Secret (RFC 7627) is refused",
         SSL_AD_INTERNAL_ERROR, true},
    };
    fipsrt_tls_ctx *s = server_ctx("leaf", NULL), *c = client_ctx(NULL);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool client = cases[i].lib_client;
        SSL_CTX *raw = hostile_ctx(client, cases[i].max, cases[i].suites13, cases[i].suites12,
                                   cases[i].sigalgs, cases[i].identity);
        endpoint lib, peer;
        memset(&lib, 0, sizeof(lib));
        ck_assert_ok(fipsrt_tls_conn_new_mem(&lib.conn, client ? c : s, client ? "localhost" : NULL));
        SSL *ssl = fipsrt_tls_conn_get_ssl(lib.conn);
        SSL_set_security_callback(ssl, allow_everything);
        ck_assert_int_eq(SSL_set_max_proto_version(ssl, cases[i].max), 1);
        if (cases[i].suites13)
            ck_assert_int_eq(SSL_set_ciphersuites(ssl, cases[i].suites13), 1);
        if (cases[i].suites12)
            ck_assert_int_eq(SSL_set_cipher_list(ssl, cases[i].suites12), 1);
        if (cases[i].sigalgs)
            ck_assert_int_eq(SSL_set1_sigalgs_list(ssl, cases[i].sigalgs), 1);
        if (cases[i].verify_none)
            SSL_set_verify(ssl, SSL_VERIFY_NONE, verify_anything);
        if (cases[i].no_ems) {
            SSL_set_options(ssl, SSL_OP_NO_EXTENDED_MASTER_SECRET);
            SSL_CTX_set_options(raw, SSL_OP_NO_EXTENDED_MASTER_SECRET);
        }
        raw_endpoint(&peer, raw, client);
        alert_received = -1;
        uint64_t before = fipsrt_service_indicator();
        handshake_pair(&lib, &peer);
        ck_assert_msg(peer.rv == 0, "%s: the peer did not finish: %s", cases[i].what, lib.detail);
        ck_assert_msg(lib.rv == FIPSRT_E_TLS, "%s: %d %s", cases[i].what, lib.rv, lib.detail);
        ck_assert_msg(strstr(lib.detail, cases[i].expect) != NULL, "%s: %s / peer %d", cases[i].what, lib.detail, peer.rv);
        ck_assert_uint_eq(fipsrt_service_indicator(), before);
        ck_assert_int_eq(fipsrt_tls_conn_version(lib.conn), 0);
        ck_assert_ptr_null(fipsrt_tls_conn_cipher(lib.conn));
        char buf[16];
        size_t n;
        ck_assert_fipsrt(fipsrt_tls_conn_read(lib.conn, buf, sizeof(buf), &n), FIPSRT_E_STATE);
        ck_assert_fipsrt(fipsrt_tls_conn_write(lib.conn, "x", 1, &n), FIPSRT_E_STATE);
        ck_assert_fipsrt(fipsrt_tls_conn_handshake(lib.conn), FIPSRT_E_STATE);
        ck_assert_uint_eq(fipsrt_service_indicator(), before);
        pump(&lib, &peer);
        ck_assert_int_eq(SSL_read_ex(peer.ssl, buf, sizeof(buf), &n), 0);
        ck_assert_int_eq(SSL_get_error(peer.ssl, 0), SSL_ERROR_SSL);
        ck_assert_msg(alert_received == cases[i].alert, "%s: alert %d", cases[i].what,
                      alert_received);
        ERR_clear_error();
        endpoint_free(&lib);
        endpoint_free(&peer);
        SSL_CTX_free(raw);
    }
    /* The version reason cannot be reached: with TLS 1.1 forced onto the SSL the same way,
     * OpenSSL refuses the peer's TLS 1.1 hello itself, the module having no MD5-SHA1. */
    SSL_CTX *raw = hostile_ctx(false, TLS1_1_VERSION, NULL, "ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0",
                               NULL, "leaf");
    endpoint lib, peer;
    memset(&lib, 0, sizeof(lib));
    ck_assert_ok(fipsrt_tls_conn_new_mem(&lib.conn, s, NULL));
    SSL *ssl = fipsrt_tls_conn_get_ssl(lib.conn);
    SSL_set_security_callback(ssl, allow_everything);
    ck_assert_int_eq(SSL_set_min_proto_version(ssl, TLS1_1_VERSION), 1);
    ck_assert_int_eq(SSL_set_cipher_list(ssl, "ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0"), 1);
    raw_endpoint(&peer, raw, false);
    handshake_pair(&peer, &lib);
    ck_assert_fipsrt(lib.rv, FIPSRT_E_TLS);
    ck_assert_contains(lib.detail, "TLS handshake failed: unsupported protocol");
    ck_assert_int_ne(peer.rv, 0);
    ERR_clear_error();
    endpoint_free(&lib);
    endpoint_free(&peer);
    SSL_CTX_free(raw);
    fipsrt_tls_ctx_free(s);
    fipsrt_tls_ctx_free(c);
}
END_TEST

/* The same reasons on an SSL the program made itself from the hatch SSL_CTX and took the
 * policy's callbacks off: OpenSSL completes the handshake, and the info callback the library
 * left on the SSL_CTX makes the connection unusable (verification failed, no data). */
START_TEST(test_program_ssl_each_reason)
{
    static const struct {
        const char *what;
        int max;
        const char *identity;
        bool no_ems;
    } cases[] = {
        {"TLS 1.2 without EMS", TLS1_2_VERSION, "leaf", true},
        {"the peer's RSA-1024 key", TLS1_3_VERSION, "rsa1024", false},
        {"the peer's RSA-1024 key, TLS 1.2", TLS1_2_VERSION, "rsa1024", false},
    };
    fipsrt_tls_ctx *c = client_ctx(NULL);
    SSL_CTX *hatch = fipsrt_tls_ctx_get_ssl_ctx(c);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        SSL_CTX *raw = hostile_ctx(true, cases[i].max, NULL, NULL, NULL, cases[i].identity);
        if (cases[i].no_ems)
            SSL_CTX_set_options(raw, SSL_OP_NO_EXTENDED_MASTER_SECRET);
        endpoint pe, se;
        raw_endpoint(&pe, hatch, false);
        SSL_set_security_callback(pe.ssl, allow_everything);
        SSL_set_verify(pe.ssl, SSL_VERIFY_NONE, verify_anything);
        ck_assert_int_eq(SSL_set_max_proto_version(pe.ssl, cases[i].max), 1);
        if (cases[i].no_ems)
            SSL_set_options(pe.ssl, SSL_OP_NO_EXTENDED_MASTER_SECRET);
        raw_endpoint(&se, raw, true);
        handshake_pair(&pe, &se);
        ck_assert_msg(pe.rv == 0 && se.rv == 0, "%s: %d %d", cases[i].what, pe.rv, se.rv);
        ck_assert_int_eq(SSL_version(pe.ssl), cases[i].max);
        ck_assert_int_eq(SSL_get_verify_result(pe.ssl), X509_V_ERR_APPLICATION_VERIFICATION);
        ck_assert_int_eq(SSL_get_shutdown(pe.ssl), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
        size_t n;
        ck_assert_int_eq(SSL_write_ex(pe.ssl, "data", 4, &n), 0);
        ERR_clear_error();
        endpoint_free(&pe);
        endpoint_free(&se);
        SSL_CTX_free(raw);
    }
    fipsrt_tls_ctx_free(c);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("tls_policy");
    TCase *tc = tcase_create("hatch");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_hatch_widening_ignored);
    tcase_add_test(tc, test_hatch_peer_refused_with_alert);
    tcase_add_test(tc, test_after_handshake_check);
    tcase_add_test(tc, test_program_ssl_checked);
    tcase_add_test(tc, test_hatch_outlives_ctx);
    tcase_add_test(tc, test_no_ktls_from_config);
    tcase_add_test(tc, test_security_callback_ops);
    tcase_add_test(tc, test_guard_versions);
    tcase_add_test(tc, test_after_handshake_each_reason);
    tcase_add_test(tc, test_program_ssl_each_reason);
    suite_add_tcase(s, tc);
    tc = tcase_create("keys");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_tls_key_one_policy);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    pki("ca.pem");   /* the test PKI once, in the parent: every forked test shares it */
    return run_suite(make_suite);
}
