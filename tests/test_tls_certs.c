/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Several certificates per server: selection by SNI (exact, wildcard, default for no SNI and
 * unknown names, case), an ECDSA and an RSA chain for one name chosen by what the client
 * supports, the identities' configuration rules; helloserver with repeated --cert/--key
 * against openssl s_client -servername, curl --resolve and the library client; and the
 * certificate reload on SIGHUP with a connection in flight.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "tls_fixture.h"

#define OPENSSL "/usr/bin/openssl"
#define CURL "/usr/bin/curl"

static void teardown(void)
{
    bg_kill_all();
}

static fipsrt_tls_identity identity(const char *base)
{
    static char paths[16][2][64];
    static int next;
    fipsrt_tls_identity id = FIPSRT_TLS_IDENTITY_INIT;
    int i = next++ % 16;
    snprintf(paths[i][0], 64, "%s.pem", base);
    snprintf(paths[i][1], 64, "%s.key", base);
    id.cert_file = fx(paths[i][0]);
    id.key_file = fx(paths[i][1]);
    return id;
}

/* Own certificate sni-default (localhost); identities a.example (ECDSA, RSA),
 * *.wild.example, b.example. */
static fipsrt_tls_ctx *sni_server(void)
{
    fipsrt_tls_identity ids[4] = {identity("sni-a-ec"), identity("sni-a-rsa"), identity("sni-wild"),
                                  identity("sni-b")};
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.cert_file = fx("sni-default.pem");
    cfg.key_file = fx("sni-default.key");
    cfg.identities = ids;
    cfg.identity_count = 4;
    fipsrt_tls_ctx *ctx = NULL;
    ck_assert_ok(fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_SERVER, &cfg));
    return ctx;
}

static fipsrt_tls_ctx *sni_client(bool insecure)
{
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.ca_file = fx("ca.pem");
    cfg.insecure_skip_verify = insecure;
    fipsrt_tls_ctx *ctx = NULL;
    ck_assert_ok(fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_CLIENT, &cfg));
    return ctx;
}

START_TEST(test_sni_selection_library_client)
{
    static const struct {
        const char *name, *subject;
        bool verifies;   /* the served certificate carries the name */
    } cases[] = {
        {"a.example", "CN=a-ec", true},
        {"A.Example", "CN=a-ec", true},             /* DNS names are case-insensitive */
        {"b.example", "CN=b", true},
        {"x.wild.example", "CN=wild", true},        /* wildcard: one label */
        {"a.b.wild.example", "CN=default", false},  /* not two labels */
        {"wild.example", "CN=default", false},      /* not the bare domain */
        {"unknown.example", "CN=default", false},   /* unknown name: the default */
        {"localhost", "CN=default", true},
        {"127.0.0.1", "CN=default", true},          /* no SNI for IP literals: the default */
    };
    fipsrt_tls_ctx *s = sni_server(), *strict = sni_client(false), *lax = sni_client(true);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        hs_result r;
        mem_hs(s, lax, cases[i].name, &r);
        ck_assert_msg(r.cli == 0 && strcmp(r.peer_subject, cases[i].subject) == 0,
                      "%s: %d %s, subject \"%s\"", cases[i].name, r.cli, r.cli_detail, r.peer_subject);
        ck_assert(!r.peer_rsa);   /* the library client prefers ECDSA */
        if (tls_light() && i % 3 != 0)
            continue;             /* under valgrind a third of the verifying handshakes */
        mem_hs(s, strict, cases[i].name, &r);
        if (cases[i].verifies)
            ck_assert_msg(r.cli == 0, "%s: %s", cases[i].name, r.cli_detail);
        else
            ck_assert_msg(r.cli == FIPSRT_E_TLS_VERIFY, "%s: %d %s", cases[i].name, r.cli, r.cli_detail);
    }
    fipsrt_tls_ctx_free(s);
    fipsrt_tls_ctx_free(strict);
    fipsrt_tls_ctx_free(lax);
}
END_TEST

/* One name, an ECDSA and an RSA chain: a client that only takes RSA signatures gets RSA. */
START_TEST(test_sni_ecdsa_and_rsa)
{
    static const struct {
        const char *name, *sigalgs, *subject;
        bool rsa;
    } cases[] = {
        {"a.example", "rsa_pss_rsae_sha256:RSA+SHA256", "a-rsa", true},
        {"a.example", "ECDSA+SHA256", "a-ec", false},
        {"a.example", "ECDSA+SHA256:rsa_pss_rsae_sha256", "a-ec", false},  /* both: ECDSA first */
        {"b.example", "rsa_pss_rsae_sha256", NULL, true},   /* b has no RSA chain: refused */
    };
    fipsrt_tls_ctx *s = sni_server();
    for (int tls13 = tls_light() ? 1 : 0; tls13 < 2; tls13++)
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            SSL_CTX *raw = SSL_CTX_new(TLS_client_method());
            ck_assert_ptr_nonnull(raw);
            ck_assert_int_eq(SSL_CTX_set1_sigalgs_list(raw, cases[i].sigalgs), 1);
            SSL_CTX_set_min_proto_version(raw, tls13 ? TLS1_3_VERSION : TLS1_2_VERSION);
            SSL_CTX_set_max_proto_version(raw, tls13 ? TLS1_3_VERSION : TLS1_2_VERSION);
            endpoint c, srv;
            raw_endpoint(&c, raw, false);
            SSL_set_tlsext_host_name(c.ssl, cases[i].name);
            memset(&srv, 0, sizeof(srv));
            ck_assert_ok(fipsrt_tls_conn_new_mem(&srv.conn, s, NULL));
            handshake_pair(&c, &srv);
            if (cases[i].subject == NULL) {
                ck_assert_msg(c.rv != 0 && srv.rv == FIPSRT_E_TLS, "%s %s: %d %d", cases[i].name,
                              cases[i].sigalgs, c.rv, srv.rv);
            } else {
                ck_assert_msg(c.rv == 0 && srv.rv == 0, "%s %s TLS1.%d: %d %d %s", cases[i].name,
                              cases[i].sigalgs, 2 + tls13, c.rv, srv.rv, srv.detail);
                X509 *peer = SSL_get0_peer_certificate(c.ssl);
                char cn[64] = "";
                X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof(cn));
                ck_assert_msg(strcmp(cn, cases[i].subject) == 0, "%s %s TLS1.%d: got %s", cases[i].name,
                              cases[i].sigalgs, 2 + tls13, cn);
                ck_assert_int_eq(EVP_PKEY_is_a(X509_get0_pubkey(peer), "RSA"), cases[i].rsa);
            }
            endpoint_free(&c);
            endpoint_free(&srv);
            SSL_CTX_free(raw);
        }
    fipsrt_tls_ctx_free(s);
}
END_TEST

START_TEST(test_identities_sources_and_defaults)
{
    fipsrt_tls_ctx *s = NULL, *lax = sni_client(true);
    hs_result r;
    /* No own certificate: the first identity is the default; memory and object sources. */
    size_t cert_len, key_len;
    char *cert = slurp(fx("sni-b.pem"), &cert_len), *key = slurp(fx("sni-b.key"), &key_len);
    fipsrt_tls_identity ids[3] = {identity("sni-wild"), FIPSRT_TLS_IDENTITY_INIT, identity("sni-a-ec")};
    fipsrt_tls_identity by_func;
    ck_assert_ok(fipsrt_tls_identity_init(&by_func, FIPSRT_TLS_IDENTITY_VERSION));
    ck_assert_int_eq(memcmp(&by_func, &ids[1], sizeof(by_func)), 0);
    ck_assert_fipsrt(fipsrt_tls_identity_init(&by_func, 2), FIPSRT_E_INVALID_ARG);
    ids[1].cert_data = (const uint8_t *)cert;
    ids[1].cert_len = cert_len;
    ids[1].key_data = (const uint8_t *)key;
    ids[1].key_len = key_len;
    fipsrt_cert *obj_cert = NULL;
    fipsrt_key *obj_key = NULL;
    size_t l2, l3;
    char *c2 = slurp(fx("sni-a-ec.pem"), &l2), *k2 = slurp(fx("sni-a-ec.key"), &l3);
    ck_assert_ok(fipsrt_cert_import(&obj_cert, (const uint8_t *)c2, l2));
    ck_assert_ok(fipsrt_key_import_private(&obj_key, FIPSRT_KEY_PEM, (const uint8_t *)k2, l3, NULL, 0));
    ids[2] = (fipsrt_tls_identity)FIPSRT_TLS_IDENTITY_INIT;
    ids[2].cert = obj_cert;
    ids[2].key = obj_key;
    static const char *const names[] = {"c.example", "*.c.example"};   /* names given */
    ids[2].names = names;
    ids[2].name_count = 2;
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.identities = ids;
    cfg.identity_count = 3;
    ck_assert_ok(fipsrt_tls_ctx_new(&s, FIPSRT_TLS_SERVER, &cfg));
    static const struct {
        const char *name, *subject;
    } cases[] = {
        {"unknown.example", "CN=wild"}, {"b.example", "CN=b"}, {"c.example", "CN=a-ec"},
        {"x.c.example", "CN=a-ec"}, {"a.example", "CN=wild"},   /* names replace the SANs */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mem_hs(s, lax, cases[i].name, &r);
        ck_assert_msg(r.cli == 0 && strcmp(r.peer_subject, cases[i].subject) == 0, "%s: %s %s",
                      cases[i].name, r.peer_subject, r.cli_detail);
    }
    fipsrt_tls_ctx_free(s);
    /* is_default picks another default. */
    ids[1].is_default = 1;
    ck_assert_ok(fipsrt_tls_ctx_new(&s, FIPSRT_TLS_SERVER, &cfg));
    mem_hs(s, lax, "unknown.example", &r);
    ck_assert_str_eq(r.peer_subject, "CN=b");
    fipsrt_tls_ctx_free(s);
    fipsrt_cert_free(obj_cert);
    fipsrt_key_free(obj_key);
    free(cert);
    free(key);
    free(c2);
    free(k2);
    fipsrt_tls_ctx_free(lax);
}
END_TEST

START_TEST(test_identities_errors)
{
    fipsrt_tls_ctx *s = NULL;
    fipsrt_tls_identity ids[2] = {identity("sni-a-ec"), identity("sni-b")};
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.identities = ids;
    cfg.identity_count = 2;
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&s, FIPSRT_TLS_CLIENT, &cfg), FIPSRT_E_INVALID_ARG);
    cfg.identities = NULL;
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&s, FIPSRT_TLS_SERVER, &cfg), FIPSRT_E_INVALID_ARG);
    cfg.identities = ids;
    ids[0].size = 8;
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&s, FIPSRT_TLS_SERVER, &cfg), FIPSRT_E_INVALID_ARG);
    ids[0] = identity("sni-a-ec");
    ids[0].version = 2;
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&s, FIPSRT_TLS_SERVER, &cfg), FIPSRT_E_INVALID_ARG);
    ids[0] = identity("sni-a-ec");
    ids[1].key_file = NULL;                           /* certificate without key */
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&s, FIPSRT_TLS_SERVER, &cfg), FIPSRT_E_INVALID_ARG);
    ids[1].key_file = fx("sni-a-ec.key");             /* the wrong key */
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&s, FIPSRT_TLS_SERVER, &cfg), FIPSRT_E_INVALID_ARG);
    ids[1] = identity("sni-b");
    ids[0].is_default = ids[1].is_default = 1;        /* two ECDSA defaults */
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&s, FIPSRT_TLS_SERVER, &cfg), FIPSRT_E_INVALID_ARG);
    ids[0].is_default = ids[1].is_default = 0;
    static const char *const bad[] = {"a b.example"};
    ids[1].names = bad;
    ids[1].name_count = 1;
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&s, FIPSRT_TLS_SERVER, &cfg), FIPSRT_E_INVALID_ARG);
    ids[1].names = NULL;
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&s, FIPSRT_TLS_SERVER, &cfg), FIPSRT_E_INVALID_ARG);
    ids[1] = identity("sni-b");
    ids[1].cert_file = pki("rsa1024.pem");            /* the certificate policy */
    ids[1].key_file = pki("rsa1024.key");
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&s, FIPSRT_TLS_SERVER, &cfg), FIPSRT_E_NOT_APPROVED);
    ids[1] = identity("sni-b");
    ids[1].cert_file = pki("sha1.pem");
    ids[1].key_file = pki("sha1.key");
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&s, FIPSRT_TLS_SERVER, &cfg), FIPSRT_E_NOT_APPROVED);
    ids[1] = identity("sni-b");
    ids[1].key_file = fx("ca.cnf");                   /* not a key */
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&s, FIPSRT_TLS_SERVER, &cfg), FIPSRT_E_MALFORMED);
    ck_assert_ptr_null(s);
}
END_TEST

#define expect_server_refused(cfg, code, needle)                                             \
    do {                                                                                     \
        fipsrt_tls_ctx *s_ = NULL;                                                           \
        int rv_ = fipsrt_tls_ctx_new(&s_, FIPSRT_TLS_SERVER, (cfg));                         \
        ck_assert_msg(rv_ == (code) && s_ == NULL && strstr(fipsrt_last_error(), needle),    \
                      "expected %d with \"%s\", got %d: %s", (code), needle, rv_,            \
                      fipsrt_last_error());                                                  \
    } while (0)

/* Identity sources that fail, names that are not DNS names, too many identities: each refused
 * with its code and reason. */
START_TEST(test_identities_sources_refused)
{
    ck_assert_fipsrt(fipsrt_tls_identity_init(NULL, 1), FIPSRT_E_INVALID_ARG);
    fipsrt_tls_identity ids[2] = {identity("sni-a-ec"), identity("sni-b")};
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.identities = ids;
    cfg.identity_count = 2;
    ids[1].cert_file = fx("no-such-file");
    expect_server_refused(&cfg, FIPSRT_E_INVALID_ARG, "identities[1] ");
    ids[1].cert_file = fx("ca.cnf");                  /* not a certificate */
    expect_server_refused(&cfg, FIPSRT_E_MALFORMED, "");
    ids[1] = identity("sni-b");
    ids[1].key_file = fx("no-such-file");
    expect_server_refused(&cfg, FIPSRT_E_INVALID_ARG, "identities[1] ");
    ids[1] = identity("sni-b");
    ids[1].cert_file = NULL;
    ids[1].cert_data = (const uint8_t *)"junk";
    ids[1].cert_len = 0;
    expect_server_refused(&cfg, FIPSRT_E_INVALID_ARG, "identities[1]: cert_len is 0");
    ids[1].cert_len = 4;
    expect_server_refused(&cfg, FIPSRT_E_MALFORMED, "");
    ids[1] = identity("sni-b");
    ids[1].key_file = NULL;
    ids[1].key_data = (const uint8_t *)"junk";
    ids[1].key_len = 0;
    expect_server_refused(&cfg, FIPSRT_E_INVALID_ARG, "identities[1]: key_len is 0");
    ids[1].key_len = 4;
    expect_server_refused(&cfg, FIPSRT_E_MALFORMED, "");
    /* A key object without its private part. */
    size_t klen;
    char *kpem = slurp(fx("sni-b.key"), &klen);
    fipsrt_key *priv = NULL, *pub = NULL;
    ck_assert_ok(fipsrt_key_import_private(&priv, FIPSRT_KEY_PEM, (const uint8_t *)kpem, klen, NULL, 0));
    ck_assert_ok(fipsrt_key_public(&pub, priv));
    ids[1] = identity("sni-b");
    ids[1].key_file = NULL;
    ids[1].key = pub;
    expect_server_refused(&cfg, FIPSRT_E_INVALID_ARG, "identities[1]: the key has no private part");
    ids[1].key = priv;                                 /* the private one is taken */
    fipsrt_tls_ctx *s = NULL;
    ck_assert_ok(fipsrt_tls_ctx_new(&s, FIPSRT_TLS_SERVER, &cfg));
    fipsrt_tls_ctx_free(s);
    fipsrt_key_free(pub);
    fipsrt_key_free(priv);
    free(kpem);
    /* names[i] NULL; a version-0 identity. */
    static const char *const with_null[] = {"ok.example", NULL};
    ids[1] = identity("sni-b");
    ids[1].names = with_null;
    ids[1].name_count = 2;
    expect_server_refused(&cfg, FIPSRT_E_INVALID_ARG, "identities[1]: names[1] is NULL");
    ids[1] = identity("sni-b");
    ids[1].version = 0;
    expect_server_refused(&cfg, FIPSRT_E_INVALID_ARG, "identities[1]: version 0");
    ids[1] = identity("sni-b");
    cfg.identity_count = 1025;                         /* refused before any is read */
    expect_server_refused(&cfg, FIPSRT_E_INVALID_ARG, "more than 1024");
}
END_TEST

/* The name rules: up to 253 characters, letters, digits, '-', '_', '.', a leading "*."; no
 * leading dot, no other '*'. */
START_TEST(test_identity_name_rules)
{
    char long_name[300];
    memset(long_name, 'a', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    long_name[254] = '\0';   /* 254 characters */
    static const char *const refused[] = {"*.", "*x.example", "a*.example", ".example", "", "a/b"};
    fipsrt_tls_identity ids[1] = {identity("sni-b")};
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.cert_file = fx("sni-default.pem");
    cfg.key_file = fx("sni-default.key");
    cfg.identities = ids;
    cfg.identity_count = 1;
    const char *one[1];
    ids[0].names = one;
    ids[0].name_count = 1;
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]) + 1; i++) {
        one[0] = i < sizeof(refused) / sizeof(refused[0]) ? refused[i] : long_name;
        expect_server_refused(&cfg, FIPSRT_E_INVALID_ARG, "is not a DNS name or a \"*.\" wildcard");
    }
    long_name[253] = '\0';   /* 253: the longest DNS name */
    const char *ok[] = {"my-host_1.Example", "*.under_score.example", NULL};
    ok[2] = long_name;
    ids[0].names = ok;
    ids[0].name_count = 3;
    fipsrt_tls_ctx *s = NULL, *lax = sni_client(true);
    ck_assert_ok(fipsrt_tls_ctx_new(&s, FIPSRT_TLS_SERVER, &cfg));
    hs_result r;
    mem_hs(s, lax, "MY-HOST_1.example", &r);
    ck_assert_msg(r.cli == 0 && strcmp(r.peer_subject, "CN=b") == 0, "%d %s %s", r.cli, r.cli_detail,
                  r.peer_subject);
    mem_hs(s, lax, "x.under_score.example", &r);
    ck_assert_msg(r.cli == 0 && strcmp(r.peer_subject, "CN=b") == 0, "%d %s %s", r.cli, r.cli_detail,
                  r.peer_subject);
    fipsrt_tls_ctx_free(s);
    fipsrt_tls_ctx_free(lax);
}
END_TEST

/* A raw client (no verification) asking for `name` with `sigalgs`; the served CN, "" on
 * failure. */
static void raw_sni(fipsrt_tls_ctx *s, const char *name, const char *sigalgs, char *cn, size_t cap)
{
    SSL_CTX *raw = SSL_CTX_new(TLS_client_method());
    ck_assert_ptr_nonnull(raw);
    ck_assert_int_eq(SSL_CTX_set1_sigalgs_list(raw, sigalgs), 1);
    endpoint c, srv;
    raw_endpoint(&c, raw, false);
    ck_assert_int_eq(SSL_set_tlsext_host_name(c.ssl, name), 1);
    memset(&srv, 0, sizeof(srv));
    ck_assert_ok(fipsrt_tls_conn_new_mem(&srv.conn, s, NULL));
    handshake_pair(&c, &srv);
    cn[0] = '\0';
    if (c.rv == 0 && srv.rv == 0)
        X509_NAME_get_text_by_NID(X509_get_subject_name(SSL_get0_peer_certificate(c.ssl)),
                                  NID_commonName, cn, (int)cap);
    endpoint_free(&c);
    endpoint_free(&srv);
    SSL_CTX_free(raw);
}

/* Selection corners: a name only an RSA identity has; an RSA identity for the default's name
 * (the ECDSA default stays, the RSA one joins); a leading-dot SNI never matches a wildcard;
 * an own RSA certificate with its chain as the default; an identity without SAN and names is
 * never chosen by name. */
START_TEST(test_sni_selection_corners)
{
    static const char *const r_names[] = {"r.example", "localhost"};
    fipsrt_tls_identity ids[3] = {identity("sni-a-rsa"), identity("sni-wild"), identity("ocsp")};
    ids[0].names = r_names;
    ids[0].name_count = 2;
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.cert_file = fx("sni-default.pem");
    cfg.key_file = fx("sni-default.key");
    cfg.identities = ids;
    cfg.identity_count = 3;
    fipsrt_tls_ctx *s = NULL;
    ck_assert_ok(fipsrt_tls_ctx_new(&s, FIPSRT_TLS_SERVER, &cfg));
    char cn[64];
    raw_sni(s, "r.example", "rsa_pss_rsae_sha256", cn, sizeof(cn));
    ck_assert_str_eq(cn, "a-rsa");
    raw_sni(s, "r.example", "ECDSA+SHA256", cn, sizeof(cn));
    ck_assert_str_eq(cn, "");            /* only an RSA chain for that name: no ECDSA one */
    raw_sni(s, "localhost", "ECDSA+SHA256", cn, sizeof(cn));
    ck_assert_str_eq(cn, "default");
    raw_sni(s, "localhost", "rsa_pss_rsae_sha256", cn, sizeof(cn));
    ck_assert_str_eq(cn, "a-rsa");
    raw_sni(s, ".wild.example", "ECDSA+SHA256", cn, sizeof(cn));
    ck_assert_str_eq(cn, "default");     /* the wildcard stands for one non-empty label */
    raw_sni(s, "ocsp", "ECDSA+SHA256", cn, sizeof(cn));
    ck_assert_str_eq(cn, "default");     /* no SAN, no names: only ever a default */
    fipsrt_tls_ctx_free(s);

    /* An own certificate with its chain; an own RSA certificate as the RSA default (a second
     * RSA default is refused). */
    fipsrt_tls_identity b[1] = {identity("sni-b")};
    cfg = (fipsrt_tls_config)FIPSRT_TLS_CONFIG_INIT;
    cfg.cert_file = fx("good-chain.pem");
    cfg.key_file = fx("good.key");
    cfg.identities = b;
    cfg.identity_count = 1;
    ck_assert_ok(fipsrt_tls_ctx_new(&s, FIPSRT_TLS_SERVER, &cfg));
    hs_result r;
    fipsrt_tls_ctx *strict = sni_client(false);
    mem_hs(s, strict, "localhost", &r);
    ck_assert_msg(r.cli == 0 && strcmp(r.peer_subject, "CN=good") == 0, "%d %s %s", r.cli,
                  r.cli_detail, r.peer_subject);
    mem_hs(s, strict, "b.example", &r);
    ck_assert_msg(r.cli == 0 && strcmp(r.peer_subject, "CN=b") == 0, "%d %s", r.cli, r.cli_detail);
    fipsrt_tls_ctx_free(s);
    fipsrt_tls_ctx_free(strict);
    fipsrt_tls_identity rsa[1] = {identity("sni-a-rsa")};
    cfg.cert_file = fx("sni-a-rsa.pem");
    cfg.key_file = fx("sni-a-rsa.key");
    cfg.identities = rsa;
    rsa[0].is_default = 1;
    expect_server_refused(&cfg, FIPSRT_E_INVALID_ARG, "two default certificates with RSA keys");
    rsa[0] = identity("sni-b");
    ck_assert_ok(fipsrt_tls_ctx_new(&s, FIPSRT_TLS_SERVER, &cfg));
    raw_sni(s, "nothing.example", "rsa_pss_rsae_sha256", cn, sizeof(cn));
    ck_assert_str_eq(cn, "a-rsa");
    fipsrt_tls_ctx_free(s);
}
END_TEST

/* A certificate with a DNS subjectAltName that is no host name ("bad name.example") served
 * alone or as an identity: the name is not one SNI can select, the others are used. Such a
 * certificate made fipsrt_tls_ctx_new fail (FIPSRT_E_INVALID_ARG) even for a server without
 * identities. */
START_TEST(test_certificate_with_odd_san)
{
    fipsrt_tls_ctx *s = NULL, *lax = sni_client(true);
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.cert_file = fx("sni-badsan.pem");
    cfg.key_file = fx("sni-badsan.key");
    ck_assert_ok(fipsrt_tls_ctx_new(&s, FIPSRT_TLS_SERVER, &cfg));
    hs_result r;
    mem_hs(s, lax, "badsan.example", &r);
    ck_assert_msg(r.cli == 0 && strcmp(r.peer_subject, "CN=badsan") == 0, "%d %s", r.cli, r.cli_detail);
    fipsrt_tls_ctx_free(s);
    fipsrt_tls_identity ids[1] = {identity("sni-badsan")};
    cfg.cert_file = fx("sni-default.pem");
    cfg.key_file = fx("sni-default.key");
    cfg.identities = ids;
    cfg.identity_count = 1;
    ck_assert_ok(fipsrt_tls_ctx_new(&s, FIPSRT_TLS_SERVER, &cfg));
    mem_hs(s, lax, "badsan.example", &r);
    ck_assert_msg(r.cli == 0 && strcmp(r.peer_subject, "CN=badsan") == 0, "%d %s", r.cli, r.cli_detail);
    mem_hs(s, lax, "unknown.example", &r);
    ck_assert_msg(r.cli == 0 && strcmp(r.peer_subject, "CN=default") == 0, "%d %s", r.cli, r.cli_detail);
    fipsrt_tls_ctx_free(s);
    fipsrt_tls_ctx_free(lax);
}
END_TEST

/* ==== helloserver with repeated --cert/--key ===================================================== */

static proc_result *run(const char *input, char *const argv[])
{
    proc_result *r = malloc(sizeof(*r));
    ck_assert_ptr_nonnull(r);
    run_process(argv, NULL, input, r);
    return r;
}

static bg *sni_helloserver(int *port)
{
    const char *args[] = {"--cert", fx("sni-default.pem"), "--key", fx("sni-default.key"),
                          "--cert", fx("sni-a-ec.pem"), "--key", fx("sni-a-ec.key"),
                          "--cert", fx("sni-a-rsa.pem"), "--key", fx("sni-a-rsa.key"),
                          "--cert", fx("sni-wild.pem"), "--key", fx("sni-wild.key"), NULL};
    return hello_start(args, port);
}

START_TEST(test_sni_helloserver_peers)
{
    static const struct {
        const char *args, *cn;
    } s_cases[] = {
        {"-servername a.example", "a-ec"},
        {"-servername a.example -sigalgs rsa_pss_rsae_sha256", "a-rsa"},
        {"-servername a.example -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256", "a-rsa"},
        {"-servername x.wild.example", "wild"},
        {"-servername unknown.example", "default"},
        {"-noservername", "default"},
    };
    int port;
    bg *srv = sni_helloserver(&port);
    for (size_t i = 0; i < sizeof(s_cases) / sizeof(s_cases[0]); i++) {
        proc_result *r = run("GET / HTTP/1.0\r\n\r\n",
                             argv_split(OPENSSL " s_client -connect 127.0.0.1:%d -CAfile %s -ign_eof %s",
                                        port, fx("ca.pem"), s_cases[i].args));
        char want[64], want2[64];
        snprintf(want, sizeof(want), "subject=CN = %s\n", s_cases[i].cn);
        snprintf(want2, sizeof(want2), "subject=CN=%s\n", s_cases[i].cn);
        ck_assert_msg(r->exited && r->status == 0 && (strstr(r->out, want) || strstr(r->out, want2)) &&
                          strstr(r->out, "Hello, world!"),
                      "s_client %s: %d\n%s\n%s", s_cases[i].args, r->status, r->out, r->err);
        free(r);
    }
    /* curl checks the name: each name gets a certificate that carries it. */
    static const char *const names[] = {"a.example", "x.wild.example", "localhost"};
    for (size_t i = 0; i < 3; i++) {
        proc_result *r = run(NULL, argv_split(CURL " -sS --resolve %s:%d:127.0.0.1 --cacert %s https://%s:%d/",
                                              names[i], port, fx("ca.pem"), names[i], port));
        ck_assert_msg(r->exited && r->status == 0 && strcmp(r->out, "Hello, world!\n") == 0,
                      "curl %s: %d %s %s", names[i], r->status, r->out, r->err);
        free(r);
    }
    /* The library client over TCP, verifying the name. */
    fipsrt_tls_ctx *c = sni_client(false);
    for (size_t i = 0; i < 3; i++) {
        fipsrt_tls_conn *conn = NULL;
        int fd = tcp_connect(port);
        ck_assert_ok(fipsrt_tls_conn_new_fd(&conn, c, fd, names[i]));
        ck_assert_msg(fipsrt_tls_conn_handshake(conn) == 0, "%s: %s", names[i], fipsrt_last_error());
        fipsrt_tls_conn_free(conn);
        close(fd);
    }
    fipsrt_tls_ctx_free(c);
    ck_assert_int_eq(WEXITSTATUS(bg_stop(srv, SIGTERM, 30)), 0);
}
END_TEST

/* ==== reload on SIGHUP ========================================================================== */

static void copy_file(const char *from, const char *to)
{
    size_t len;
    char *data = slurp(from, &len);
    write_file(to, data, len);
    free(data);
}

static void peer_cn(fipsrt_tls_conn *conn, char *cn, size_t cap)
{
    X509 *peer = SSL_get0_peer_certificate(fipsrt_tls_conn_get_ssl(conn));
    cn[0] = '\0';
    if (peer != NULL)
        X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, (int)cap);
}

static fipsrt_tls_conn *connect_localhost(fipsrt_tls_ctx *c, int port, int *fd, char *cn, size_t cap)
{
    fipsrt_tls_conn *conn = NULL;
    *fd = tcp_connect(port);
    ck_assert_ok(fipsrt_tls_conn_new_fd(&conn, c, *fd, "localhost"));
    ck_assert_msg(fipsrt_tls_conn_handshake(conn) == 0, "%s", fipsrt_last_error());
    peer_cn(conn, cn, cap);
    return conn;
}

static void expect_hello(fipsrt_tls_conn *conn)
{
    static const char req[] = "GET / HTTP/1.0\r\n\r\n";
    char buf[1024];
    size_t n, total = 0, w;
    int rv;
    ck_assert_ok(fipsrt_tls_conn_write(conn, req, sizeof(req) - 1, &w));
    while ((rv = fipsrt_tls_conn_read(conn, buf + total, sizeof(buf) - 1 - total, &n)) == 0)
        total += n;
    buf[total] = '\0';
    ck_assert_msg(rv == FIPSRT_E_CLOSED && strstr(buf, "Hello, world!"), "%d: %s", rv, buf);
}

START_TEST(test_reload_sighup)
{
    char *dir = make_temp_dir(), cert[1024], key[1024], cn[64];
    snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
    snprintf(key, sizeof(key), "%s/key.pem", dir);
    copy_file(fx("sni-default.pem"), cert);
    copy_file(fx("sni-default.key"), key);
    int port, fd_old, fd;
    const char *args[] = {"--cert", cert, "--key", key, "--timeout", "60", NULL};
    bg *srv = hello_start(args, &port);
    fipsrt_tls_ctx *c = sni_client(false);

    /* A connection in flight: handshake done on the old certificate, request not sent yet. */
    fipsrt_tls_conn *old = connect_localhost(c, port, &fd_old, cn, sizeof(cn));
    ck_assert_str_eq(cn, "default");

    copy_file(fx("good.pem"), cert);     /* also for localhost, another key */
    copy_file(fx("good.key"), key);
    kill(srv->pid, SIGHUP);
    ck_assert_msg(bg_wait(srv, true, "certificates reloaded", 1, 30), "%s", bg_output(srv, true));
    fipsrt_tls_conn *conn = connect_localhost(c, port, &fd, cn, sizeof(cn));
    ck_assert_str_eq(cn, "good");
    expect_hello(conn);
    fipsrt_tls_conn_free(conn);
    close(fd);

    /* A broken file: the reload fails and the server keeps the current certificate. */
    write_file(cert, "garbage\n", 8);
    kill(srv->pid, SIGHUP);
    ck_assert_msg(bg_wait(srv, true, "reload failed, keeping the current certificates", 1, 30), "%s",
                  bg_output(srv, true));
    conn = connect_localhost(c, port, &fd, cn, sizeof(cn));
    ck_assert_str_eq(cn, "good");
    expect_hello(conn);
    fipsrt_tls_conn_free(conn);
    close(fd);

    /* The connection made before the first reload completes on the old context. */
    expect_hello(old);
    fipsrt_tls_conn_free(old);
    close(fd_old);
    fipsrt_tls_ctx_free(c);
    ck_assert_int_eq(WEXITSTATUS(bg_stop(srv, SIGTERM, 30)), 0);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Fixtures made by an older tls_revocation_pki.sh (reused for hours) lack the newest files:
 * make them again. */
static void fx_refresh_if_old(void)
{
    char done[1100], newest[1100];
    snprintf(done, sizeof(done), "%s/tls-revocation-fixture/done", build_dir());
    snprintf(newest, sizeof(newest), "%s/tls-revocation-fixture/sni-badsan.pem", build_dir());
    if (access(done, F_OK) == 0 && access(newest, F_OK) != 0)
        unlink(done);
}

static Suite *make_suite(void)
{
    fx_refresh_if_old();
    fx_make();
    pki(".");
    Suite *s = suite_create("tls_certs");
    TCase *tc = tcase_create("sni");
    tcase_add_test(tc, test_sni_selection_library_client);
    tcase_add_test(tc, test_sni_ecdsa_and_rsa);
    tcase_add_test(tc, test_identities_sources_and_defaults);
    tcase_add_test(tc, test_identities_errors);
    tcase_add_test(tc, test_identities_sources_refused);
    tcase_add_test(tc, test_identity_name_rules);
    tcase_add_test(tc, test_sni_selection_corners);
    tcase_add_test(tc, test_certificate_with_odd_san);
    suite_add_tcase(s, tc);
    tc = tcase_create("helloserver");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_sni_helloserver_peers);
    tcase_add_test(tc, test_reload_sighup);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(make_suite);
}
