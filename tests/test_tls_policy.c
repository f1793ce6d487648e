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
