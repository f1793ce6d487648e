/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Revocation: CRLs (file, directory, memory; missing, stale, badly signed; clients and
 * servers checking client certificates) and OCSP stapling (good, revoked, unknown, expired,
 * wrongly signed, SHA-1 signed, missing, must-staple), with fixtures made by `openssl ca` and
 * `openssl ocsp` (tests/tls_revocation_pki.sh), against the library and real peers
 * (openssl s_client -status, openssl s_server -status_file, curl --cert-status).
 */
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "tls_fixture.h"

#define OPENSSL "/usr/bin/openssl"
#define CURL "/usr/bin/curl"

static void teardown(void)
{
    bg_kill_all();
}

static fipsrt_tls_ctx *server(const char *leaf, fipsrt_tls_config *cfg)
{
    fipsrt_tls_config def = FIPSRT_TLS_CONFIG_INIT;
    char cert[64], key[64];
    if (cfg == NULL)
        cfg = &def;
    snprintf(cert, sizeof(cert), "%s.pem", leaf);
    snprintf(key, sizeof(key), "%s.key", leaf);
    cfg->cert_file = fx(cert);
    cfg->key_file = fx(key);
    fipsrt_tls_ctx *ctx = NULL;
    ck_assert_ok(fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_SERVER, cfg));
    return ctx;
}

static fipsrt_tls_ctx *client(fipsrt_tls_config *cfg)
{
    if (cfg->ca_file == NULL && cfg->ca_data == NULL)
        cfg->ca_file = fx("ca.pem");
    fipsrt_tls_ctx *ctx = NULL;
    ck_assert_ok(fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_CLIENT, cfg));
    return ctx;
}

/* Handshake `leaf` (server) with a client made from cfg; the client's result. */
static int try_leaf(const char *leaf, fipsrt_tls_config *cfg, hs_result *r)
{
    fipsrt_tls_ctx *s = server(leaf, NULL), *c = client(cfg);
    mem_hs(s, c, "localhost", r);
    fipsrt_tls_ctx_free(s);
    fipsrt_tls_ctx_free(c);
    return r->cli;
}

#define expect_refused(r, needle)                                                            \
    do {                                                                                     \
        ck_assert_msg((r)->cli == FIPSRT_E_TLS_VERIFY && strstr((r)->cli_detail, needle),    \
                      "expected FIPSRT_E_TLS_VERIFY with \"%s\", got %d: %s", needle,        \
                      (r)->cli, (r)->cli_detail);                                            \
    } while (0)
#define expect_ok(r)                                                                         \
    ck_assert_msg((r)->cli == 0 && (r)->srv == 0, "handshake failed: client %d (%s) server %d (%s)", \
                  (r)->cli, (r)->cli_detail, (r)->srv, (r)->srv_detail)

/* ==== CRLs ==================================================================================== */

START_TEST(test_crl_file_pem_der_dir_memory)
{
    hs_result r;
    size_t der_len;
    char *der = slurp(fx("crl.der"), &der_len);
    for (int source = 0; source < 4; source++) {
        fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
        cfg.crl_mode = FIPSRT_TLS_CRL_REQUIRE;
        if (source == 0)
            cfg.crl_file = fx("crl.pem");
        else if (source == 1)
            cfg.crl_file = fx("crl.der");
        else if (source == 2)
            cfg.crl_dir = fx("crldir");    /* crl.pem and a README, which is skipped */
        else {
            cfg.crl_data = (const uint8_t *)der;
            cfg.crl_len = der_len;
        }
        try_leaf("good", &cfg, &r);
        expect_ok(&r);
        cfg.ca_file = NULL;
        try_leaf("revoked", &cfg, &r);
        expect_refused(&r, "revocation (CRL): revoked");
        ck_assert_int_eq(r.srv, FIPSRT_E_TLS);   /* the server saw the client's alert */
    }
    free(der);
}
END_TEST

/* A chain from an issuer with no CRL: refused by REQUIRE, accepted by BEST_EFFORT. */
START_TEST(test_crl_missing)
{
    hs_result r;
    size_t a_len, b_len;
    char *a = slurp(fx("ca.pem"), &a_len), *b = slurp(pki("ca.pem"), &b_len);
    char *both = malloc(a_len + b_len);
    memcpy(both, a, a_len);
    memcpy(both + a_len, b, b_len);
    fipsrt_tls_ctx *s = server_ctx("leaf", NULL);   /* tls_testutil's PKI: another CA */
    for (int mode = FIPSRT_TLS_CRL_BEST_EFFORT; mode <= FIPSRT_TLS_CRL_REQUIRE; mode++) {
        fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
        cfg.ca_data = (const uint8_t *)both;
        cfg.ca_len = a_len + b_len;
        cfg.crl_mode = mode;
        cfg.crl_file = fx("crl.pem");
        fipsrt_tls_ctx *c = client(&cfg);
        mem_hs(s, c, "localhost", &r);
        if (mode == FIPSRT_TLS_CRL_BEST_EFFORT)
            expect_ok(&r);
        else
            expect_refused(&r, "revocation (CRL): missing");
        fipsrt_tls_ctx_free(c);
    }
    /* The revoked certificate is refused in best-effort mode too. */
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.crl_mode = FIPSRT_TLS_CRL_BEST_EFFORT;
    cfg.crl_file = fx("crl.pem");
    try_leaf("revoked", &cfg, &r);
    expect_refused(&r, "revoked");
    fipsrt_tls_ctx_free(s);
    free(a);
    free(b);
    free(both);
}
END_TEST

START_TEST(test_crl_stale_and_bad_signature)
{
    hs_result r;
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.crl_mode = FIPSRT_TLS_CRL_BEST_EFFORT;
    cfg.crl_file = fx("crl-stale.pem");       /* nextUpdate 2020-01-08 */
    try_leaf("good", &cfg, &r);
    expect_refused(&r, "revocation (CRL): stale");
    cfg = (fipsrt_tls_config)FIPSRT_TLS_CONFIG_INIT;
    cfg.crl_mode = FIPSRT_TLS_CRL_REQUIRE;
    cfg.crl_file = fx("crl-stale.pem");
    cfg.crl_allow_stale = 1;
    try_leaf("good", &cfg, &r);
    expect_ok(&r);
    cfg.ca_file = NULL;
    try_leaf("revoked", &cfg, &r);             /* a stale CRL still revokes */
    expect_refused(&r, "revoked");

    cfg = (fipsrt_tls_config)FIPSRT_TLS_CONFIG_INIT;
    cfg.crl_mode = FIPSRT_TLS_CRL_REQUIRE;
    cfg.crl_file = fx("crl-badsig.der");
    try_leaf("good", &cfg, &r);
    expect_refused(&r, "revocation (CRL): bad signature");
}
END_TEST

/* A server checking client certificates against the CRL. */
START_TEST(test_crl_client_certificates)
{
    hs_result r;
    fipsrt_tls_config scfg = FIPSRT_TLS_CONFIG_INIT;
    scfg.client_auth = FIPSRT_TLS_CLIENT_AUTH_REQUIRED;
    scfg.ca_file = fx("ca.pem");
    scfg.crl_mode = FIPSRT_TLS_CRL_REQUIRE;
    scfg.crl_file = fx("crl.pem");
    fipsrt_tls_ctx *s = server("good", &scfg);
    for (int revoked = 0; revoked < 2; revoked++) {
        fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
        cfg.cert_file = fx(revoked ? "revoked.pem" : "good.pem");
        cfg.key_file = fx(revoked ? "revoked.key" : "good.key");
        fipsrt_tls_ctx *c = client(&cfg);
        mem_hs(s, c, "localhost", &r);
        if (!revoked) {
            expect_ok(&r);
        } else {
            ck_assert_msg(r.srv == FIPSRT_E_TLS_VERIFY && strstr(r.srv_detail, "revocation (CRL): revoked"),
                          "server: %d %s", r.srv, r.srv_detail);
        }
        fipsrt_tls_ctx_free(c);
    }
    fipsrt_tls_ctx_free(s);
}
END_TEST

START_TEST(test_revocation_config_errors)
{
    fipsrt_tls_ctx *ctx = NULL;
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.ca_file = fx("ca.pem");
    cfg.crl_mode = FIPSRT_TLS_CRL_REQUIRE;      /* nothing to check against */
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_CLIENT, &cfg), FIPSRT_E_INVALID_ARG);
    cfg.crl_mode = FIPSRT_TLS_CRL_OFF;
    cfg.crl_file = fx("crl.pem");               /* CRLs that would never be used */
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_CLIENT, &cfg), FIPSRT_E_INVALID_ARG);
    cfg.crl_mode = 7;
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_CLIENT, &cfg), FIPSRT_E_INVALID_ARG);
    cfg.crl_mode = FIPSRT_TLS_CRL_REQUIRE;
    cfg.crl_file = fx("good.pem");              /* PEM without a CRL */
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_CLIENT, &cfg), FIPSRT_E_MALFORMED);
    cfg.crl_file = fx("crl-sha1.pem");          /* SP 800-131A: no SHA-1 signatures */
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_CLIENT, &cfg), FIPSRT_E_NOT_APPROVED);
    cfg.crl_file = fx("ca.cnf");                /* neither PEM nor DER */
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_CLIENT, &cfg), FIPSRT_E_MALFORMED);
    cfg.crl_file = fx("no-such-file");
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_CLIENT, &cfg), FIPSRT_E_INVALID_ARG);
    cfg.crl_file = NULL;
    cfg.crl_dir = fx("no-such-dir");
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_CLIENT, &cfg), FIPSRT_E_INVALID_ARG);
    cfg.crl_dir = NULL;
    cfg.crl_data = (const uint8_t *)"-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n";
    cfg.crl_len = strlen((const char *)cfg.crl_data);
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_CLIENT, &cfg), FIPSRT_E_MALFORMED);
    cfg.crl_len = 0;
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_CLIENT, &cfg), FIPSRT_E_INVALID_ARG);
    cfg = (fipsrt_tls_config)FIPSRT_TLS_CONFIG_INIT;
    cfg.cert_file = fx("good.pem");
    cfg.key_file = fx("good.key");
    cfg.ocsp_mode = FIPSRT_TLS_OCSP_REQUIRE;    /* a client setting */
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_SERVER, &cfg), FIPSRT_E_INVALID_ARG);
    cfg.ocsp_mode = 9;
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_CLIENT, &cfg), FIPSRT_E_INVALID_ARG);
    ck_assert_ptr_null(ctx);

    /* A version-1 config (the size before the version-2 block) still works. */
    cfg = (fipsrt_tls_config)FIPSRT_TLS_CONFIG_INIT;
    cfg.version = 1;
    cfg.size = offsetof(fipsrt_tls_config, max_version);
    cfg.ca_file = fx("ca.pem");
    ck_assert_ok(fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_CLIENT, &cfg));
    fipsrt_tls_ctx_free(ctx);
    cfg.size = offsetof(fipsrt_tls_config, max_version) - 1;
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_CLIENT, &cfg), FIPSRT_E_INVALID_ARG);
    cfg.version = 2;
    cfg.size = offsetof(fipsrt_tls_config, max_version);  /* version 2 needs its block */
    ck_assert_fipsrt(fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_CLIENT, &cfg), FIPSRT_E_INVALID_ARG);
}
END_TEST

/* A client context from cfg must be refused with `code` and `needle` in the detail. */
#define expect_ctx_refused(cfg, code, needle)                                                \
    do {                                                                                     \
        fipsrt_tls_ctx *c_ = NULL;                                                           \
        int rv_ = fipsrt_tls_ctx_new(&c_, FIPSRT_TLS_CLIENT, (cfg));                         \
        ck_assert_msg(rv_ == (code) && c_ == NULL && strstr(fipsrt_last_error(), needle),    \
                      "expected %d with \"%s\", got %d: %s", (code), needle, rv_,            \
                      fipsrt_last_error());                                                  \
    } while (0)

/* DER of the first CRL in a PEM file (converted here: the fixtures keep the SHA-1 CRL as
 * PEM). */
static uint8_t *crl_pem_to_der(const char *path, size_t *len)
{
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    X509_CRL *crl = PEM_read_X509_CRL(f, NULL, NULL, NULL);
    fclose(f);
    ck_assert_ptr_nonnull(crl);
    unsigned char *der = NULL;
    int n = i2d_X509_CRL(crl, &der);
    ck_assert_int_gt(n, 0);
    X509_CRL_free(crl);
    uint8_t *out = malloc((size_t)n);
    memcpy(out, der, (size_t)n);
    OPENSSL_free(der);
    *len = (size_t)n;
    return out;
}

/* CRLs signed with SHA-384 and SHA-512 are used; other signature algorithms, trailing bytes
 * and broken PEM are refused when the context is made, with the reason. */
START_TEST(test_crl_algorithms_and_encodings)
{
    hs_result r;
    static const char *const sha2[] = {"crl-sha384.der", "crl-sha512.der"};
    for (size_t i = 0; i < 2; i++) {
        fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
        cfg.crl_mode = FIPSRT_TLS_CRL_REQUIRE;
        cfg.crl_file = fx(sha2[i]);
        try_leaf("good", &cfg, &r);
        expect_ok(&r);
        cfg.ca_file = NULL;
        try_leaf("revoked", &cfg, &r);
        expect_refused(&r, "revocation (CRL): revoked");
    }
    static const struct {
        const char *file;
        int code;
        const char *why;
    } bad[] = {
        {"crl-ed25519.der", FIPSRT_E_NOT_APPROVED, "is signed with an unknown hash (only SHA-224/256/384/512)"},
        {"crl-dsa.der", FIPSRT_E_NOT_APPROVED, "is signature algorithm DSA (only ECDSA and RSA PKCS#1 v1.5)"},
        {"crl-unknownalg.der", FIPSRT_E_NOT_APPROVED, "is an unknown signature algorithm"},
        {"crl-trailing.der", FIPSRT_E_MALFORMED, "neither PEM nor one DER CRL"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
        cfg.ca_file = fx("ca.pem");
        cfg.crl_mode = FIPSRT_TLS_CRL_BEST_EFFORT;
        cfg.crl_file = fx(bad[i].file);
        expect_ctx_refused(&cfg, bad[i].code, bad[i].why);
    }
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.ca_file = fx("ca.pem");
    cfg.crl_mode = FIPSRT_TLS_CRL_BEST_EFFORT;
    size_t len;
    uint8_t *der = crl_pem_to_der(fx("crl-sha1.pem"), &len);   /* one DER CRL, SHA-1 signed */
    cfg.crl_data = der;
    cfg.crl_len = len;
    expect_ctx_refused(&cfg, FIPSRT_E_NOT_APPROVED, "crl_data: the CRL of");
    free(der);
    /* A PEM block that never ends. */
    cfg.crl_data = (const uint8_t *)"-----BEGIN X509 CRL-----\nMIIB\n";
    cfg.crl_len = strlen((const char *)cfg.crl_data);
    expect_ctx_refused(&cfg, FIPSRT_E_MALFORMED, "crl_data: a CRL does not decode");
    /* crl_allow_stale with CRLs off would be ignored: refused. */
    cfg = (fipsrt_tls_config)FIPSRT_TLS_CONFIG_INIT;
    cfg.ca_file = fx("ca.pem");
    cfg.crl_allow_stale = 1;
    expect_ctx_refused(&cfg, FIPSRT_E_INVALID_ARG, "crl_mode is FIPSRT_TLS_CRL_OFF");
}
END_TEST

/* A CRL whose lastUpdate is tomorrow is refused, in both modes. */
START_TEST(test_crl_not_yet_valid)
{
    hs_result r;
    for (int mode = FIPSRT_TLS_CRL_BEST_EFFORT; mode <= FIPSRT_TLS_CRL_REQUIRE; mode++) {
        fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
        cfg.crl_mode = mode;
        cfg.crl_file = fx("crl-future.der");
        try_leaf("good", &cfg, &r);
        expect_refused(&r, "revocation (CRL): the issuer's CRL is not yet valid");
    }
}
END_TEST

/* crl_dir skips subdirectories, empty files and dangling links, reads the rest; a CRL there
 * that is not approved refuses the context. */
START_TEST(test_crl_dir_entries)
{
    char dir[] = "/tmp/fipsrt-crldir-XXXXXX", path[256];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/sub", dir);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/empty", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/dangling", dir);
    ck_assert_int_eq(symlink("/nonexistent/fipsrt", path), 0);
    snprintf(path, sizeof(path), "%s/ca.crl", dir);
    ck_assert_int_eq(symlink(fx("crl.pem"), path), 0);
    hs_result r;
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.crl_mode = FIPSRT_TLS_CRL_REQUIRE;
    cfg.crl_dir = dir;
    try_leaf("good", &cfg, &r);
    expect_ok(&r);
    cfg.ca_file = NULL;
    try_leaf("revoked", &cfg, &r);
    expect_refused(&r, "revocation (CRL): revoked");
    snprintf(path, sizeof(path), "%s/sha1.crl", dir);
    ck_assert_int_eq(symlink(fx("crl-sha1.pem"), path), 0);
    cfg.ca_file = fx("ca.pem");
    expect_ctx_refused(&cfg, FIPSRT_E_NOT_APPROVED, "crl_dir");
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* Documented: insecure_skip_verify waives CRL refusals (with the other trust errors), not
 * OCSP refusals. */
START_TEST(test_revocation_insecure)
{
    hs_result r;
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.crl_mode = FIPSRT_TLS_CRL_REQUIRE;
    cfg.crl_file = fx("crl.pem");
    cfg.insecure_skip_verify = 1;
    try_leaf("revoked", &cfg, &r);
    expect_ok(&r);
    fipsrt_tls_ctx *s = server("revoked", NULL);
    ck_assert_ok(fipsrt_tls_ctx_set_ocsp_response_file(s, fx("resp-revoked.der")));
    cfg = (fipsrt_tls_config)FIPSRT_TLS_CONFIG_INIT;
    cfg.insecure_skip_verify = 1;
    cfg.ocsp_mode = FIPSRT_TLS_OCSP_PREFER;
    fipsrt_tls_ctx *c = client(&cfg);
    mem_hs(s, c, "localhost", &r);
    expect_refused(&r, "revocation (OCSP): revoked (reason: keyCompromise)");
    fipsrt_tls_ctx_free(c);
    fipsrt_tls_ctx_free(s);
}
END_TEST

/* ==== OCSP stapling ============================================================================ */

/* Server `leaf` stapling `resp` (NULL: nothing) to a client in `mode`. */
static void try_staple(const char *leaf, const char *resp, fipsrt_tls_ocsp_mode mode,
                       fipsrt_tls_version min, hs_result *r)
{
    fipsrt_tls_ctx *s = server(leaf, NULL);
    if (resp != NULL)
        ck_assert_ok(fipsrt_tls_ctx_set_ocsp_response_file(s, fx(resp)));
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.ocsp_mode = mode;
    cfg.min_version = min;
    fipsrt_tls_ctx *c = client(&cfg);
    mem_hs(s, c, "localhost", r);
    fipsrt_tls_ctx_free(s);
    fipsrt_tls_ctx_free(c);
}

START_TEST(test_ocsp_good)
{
    static const char *const good[] = {"resp-good.der", "resp-good-by-ca.der",
                                       "resp-good-sha256id.der"};
    hs_result r;
    /* Under valgrind one of each (the memory checks, not the combinations, are the point). */
    size_t n = tls_light() ? 1 : 3;
    for (size_t i = 0; i < n; i++)
        for (int m = tls_light() ? FIPSRT_TLS_OCSP_REQUIRE : FIPSRT_TLS_OCSP_PREFER;
             m <= FIPSRT_TLS_OCSP_REQUIRE; m++) {
            try_staple("good", good[i], m, FIPSRT_TLS_1_3, &r);
            expect_ok(&r);
            ck_assert_msg(r.ocsp_stapled == 1, "%s mode %d: not stapled", good[i], m);
        }
    /* IGNORE does not ask: nothing stapled, nothing checked. */
    try_staple("revoked", "resp-revoked.der", FIPSRT_TLS_OCSP_IGNORE, 0, &r);
    expect_ok(&r);
    ck_assert_int_eq(r.ocsp_stapled, 0);
}
END_TEST

START_TEST(test_ocsp_refusals)
{
    static const struct {
        const char *leaf, *resp, *reason;
    } cases[] = {
        {"revoked", "resp-revoked.der", "revocation (OCSP): revoked (reason: keyCompromise)"},
        {"unknown", "resp-unknown.der", "revocation (OCSP): unknown: the responder does not know"},
        {"good", "resp-expired.der", "revocation (OCSP): expired: the response is past its nextUpdate"},
        {"good", "resp-wrongsigner.der", "revocation (OCSP): bad signature: the responder is neither"},
        {"good", "resp-noeku.der", "revocation (OCSP): bad signature: the responder's certificate lacks id-kp-OCSPSigning"},
        {"good", "resp-sha1.der", "revocation (OCSP): bad signature: the response is signed with SHA1"},
        {"good", "resp-badsig.der", "revocation (OCSP): bad signature: the response's signature does not verify"},
    };
    hs_result r;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        try_staple(cases[i].leaf, cases[i].resp, FIPSRT_TLS_OCSP_PREFER, 0, &r);
        expect_refused(&r, cases[i].reason);
        ck_assert_int_eq(r.srv, FIPSRT_E_TLS);
    }
    /* A response about another certificate of the same CA cannot be stapled for this one. */
    fipsrt_tls_ctx *s = server("good", NULL);
    ck_assert_fipsrt(fipsrt_tls_ctx_set_ocsp_response_file(s, fx("resp-revoked.der")),
                     FIPSRT_E_INVALID_ARG);
    fipsrt_tls_ctx_free(s);
}
END_TEST

START_TEST(test_ocsp_missing_and_must_staple)
{
    hs_result r;
    try_staple("good", NULL, FIPSRT_TLS_OCSP_REQUIRE, 0, &r);
    expect_refused(&r, "revocation (OCSP): missing: the server stapled no OCSP response (ocsp_mode REQUIRE)");
    try_staple("good", NULL, FIPSRT_TLS_OCSP_PREFER, 0, &r);
    expect_ok(&r);
    ck_assert_int_eq(r.ocsp_stapled, 0);
    /* RFC 7633: a must-staple certificate without a response is refused by PREFER too. */
    try_staple("muststaple", NULL, FIPSRT_TLS_OCSP_PREFER, 0, &r);
    expect_refused(&r, "requires one (TLS feature status_request, RFC 7633)");
    try_staple("muststaple", "resp-muststaple.der", FIPSRT_TLS_OCSP_PREFER, 0, &r);
    expect_ok(&r);
    ck_assert_int_eq(r.ocsp_stapled, 1);
    try_staple("muststaple", NULL, FIPSRT_TLS_OCSP_IGNORE, 0, &r);   /* documented: not honoured */
    expect_ok(&r);
}
END_TEST

START_TEST(test_ocsp_set_response_api)
{
    fipsrt_tls_ctx *s = server("good", NULL), *c = NULL;
    size_t len;
    char *good = slurp(fx("resp-good.der"), &len);
    ck_assert_fipsrt(fipsrt_tls_ctx_set_ocsp_response(NULL, (const uint8_t *)good, len), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_tls_ctx_set_ocsp_response(s, NULL, 5), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_tls_ctx_set_ocsp_response(s, (const uint8_t *)good, 0), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_tls_ctx_set_ocsp_response(s, (const uint8_t *)good, len - 1), FIPSRT_E_MALFORMED);
    ck_assert_fipsrt(fipsrt_tls_ctx_set_ocsp_response(s, (const uint8_t *)"\x30\x03\x0a\x01\x01", 5),
                     FIPSRT_E_INVALID_ARG);   /* OCSPResponse with status malformedRequest */
    ck_assert_fipsrt(fipsrt_tls_ctx_set_ocsp_response(s, (const uint8_t *)"garbage", 7), FIPSRT_E_MALFORMED);
    ck_assert_fipsrt(fipsrt_tls_ctx_set_ocsp_response_file(s, fx("no-such-file")), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_tls_ctx_set_ocsp_response_file(s, NULL), FIPSRT_E_INVALID_ARG);
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    c = client(&cfg);
    ck_assert_fipsrt(fipsrt_tls_ctx_set_ocsp_response(c, (const uint8_t *)good, len), FIPSRT_E_INVALID_ARG);
    ck_assert_int_eq(fipsrt_tls_conn_ocsp_stapled(NULL), 0);
    fipsrt_tls_ctx_free(c);

    /* Set, then clear: a REQUIRE client passes, then fails (full handshakes: no tickets). */
    cfg = (fipsrt_tls_config)FIPSRT_TLS_CONFIG_INIT;
    cfg.ocsp_mode = FIPSRT_TLS_OCSP_REQUIRE;
    cfg.disable_session_tickets = 1;
    c = client(&cfg);
    hs_result r;
    ck_assert_ok(fipsrt_tls_ctx_set_ocsp_response(s, (const uint8_t *)good, len));
    mem_hs(s, c, "localhost", &r);
    expect_ok(&r);
    ck_assert_ok(fipsrt_tls_ctx_set_ocsp_response(s, NULL, 0));
    mem_hs(s, c, "localhost", &r);
    expect_refused(&r, "missing");
    fipsrt_tls_ctx_free(c);
    fipsrt_tls_ctx_free(s);
    free(good);
}
END_TEST

/* A raw OpenSSL server stapling bytes that are no OCSP response. */
static int garbage_status_cb(SSL *ssl, void *arg)
{
    (void)arg;
    unsigned char *junk = OPENSSL_memdup("not DER", 7);
    if (junk == NULL || !SSL_set_tlsext_status_ocsp_resp(ssl, junk, 7))
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    return SSL_TLSEXT_ERR_OK;
}

START_TEST(test_ocsp_malformed_staple)
{
    SSL_CTX *raw = SSL_CTX_new(TLS_server_method());
    ck_assert_ptr_nonnull(raw);
    ck_assert_int_eq(SSL_CTX_use_certificate_chain_file(raw, fx("good.pem")), 1);
    ck_assert_int_eq(SSL_CTX_use_PrivateKey_file(raw, fx("good.key"), SSL_FILETYPE_PEM), 1);
    SSL_CTX_set_tlsext_status_cb(raw, garbage_status_cb);
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.ocsp_mode = FIPSRT_TLS_OCSP_PREFER;
    fipsrt_tls_ctx *c = client(&cfg);
    endpoint s, ce;
    raw_endpoint(&s, raw, true);
    memset(&ce, 0, sizeof(ce));
    ck_assert_ok(fipsrt_tls_conn_new_mem(&ce.conn, c, "localhost"));
    handshake_pair(&ce, &s);
    ck_assert_msg(ce.rv == FIPSRT_E_TLS_VERIFY &&
                      strstr(ce.detail, "revocation (OCSP): malformed: not a DER OCSPResponse"),
                  "%d %s", ce.rv, ce.detail);
    endpoint_free(&ce);
    endpoint_free(&s);
    fipsrt_tls_ctx_free(c);
    SSL_CTX_free(raw);
}
END_TEST

/* A resumed session was checked when it was made: no staple needed (servers send none). */
START_TEST(test_ocsp_resumption)
{
    fipsrt_tls_ctx *s = server("good", NULL);
    ck_assert_ok(fipsrt_tls_ctx_set_ocsp_response_file(s, fx("resp-good.der")));
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.ocsp_mode = FIPSRT_TLS_OCSP_REQUIRE;
    fipsrt_tls_ctx *c = client(&cfg);
    hs_result r;
    mem_hs(s, c, "localhost", &r);
    expect_ok(&r);
    ck_assert_int_eq(r.resumed, 0);
    ck_assert_int_eq(r.ocsp_stapled, 1);
    mem_hs(s, c, "localhost", &r);
    expect_ok(&r);
    ck_assert_int_eq(r.resumed, 1);
    ck_assert_int_eq(r.ocsp_stapled, 0);   /* documented: nothing stapled on resumption */
    fipsrt_tls_ctx_free(s);
    fipsrt_tls_ctx_free(c);
}
END_TEST

/* A server with several certificates staples the response of the one it presents. */
START_TEST(test_ocsp_per_certificate)
{
    fipsrt_tls_identity id = FIPSRT_TLS_IDENTITY_INIT;
    id.cert_file = fx("sni-a-ec.pem");
    id.key_file = fx("sni-a-ec.key");
    fipsrt_tls_config scfg = FIPSRT_TLS_CONFIG_INIT;
    scfg.identities = &id;
    scfg.identity_count = 1;
    fipsrt_tls_ctx *s = server("good", &scfg);
    ck_assert_ok(fipsrt_tls_ctx_set_ocsp_response_file(s, fx("resp-good.der")));
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.ocsp_mode = FIPSRT_TLS_OCSP_REQUIRE;
    fipsrt_tls_ctx *c = client(&cfg);
    hs_result r;
    mem_hs(s, c, "localhost", &r);     /* good.pem, which the response is about */
    expect_ok(&r);
    ck_assert_int_eq(r.ocsp_stapled, 1);
    mem_hs(s, c, "a.example", &r);     /* sni-a-ec.pem: no response for it */
    expect_refused(&r, "missing");
    fipsrt_tls_ctx_free(s);
    fipsrt_tls_ctx_free(c);
}
END_TEST

/* Replacing the response while handshakes run (the server's refresh before nextUpdate). */
struct swapper {
    fipsrt_tls_ctx *ctx;
    atomic_int stop;   /* read by the swapper while the main thread sets it */
    int swaps, failures;
};

static void *swap_loop(void *arg)
{
    struct swapper *sw = arg;
    size_t a_len, b_len;
    char *a = slurp(fx("resp-good.der"), &a_len), *b = slurp(fx("resp-good-by-ca.der"), &b_len);
    while (!atomic_load(&sw->stop)) {
        bool odd = sw->swaps++ % 2;
        if (fipsrt_tls_ctx_set_ocsp_response(sw->ctx, (const uint8_t *)(odd ? a : b), odd ? a_len : b_len) != 0)
            sw->failures++;
    }
    free(a);
    free(b);
    return NULL;
}

START_TEST(test_ocsp_replace_while_running)
{
    struct swapper sw = {.ctx = server("good", NULL)};
    ck_assert_ok(fipsrt_tls_ctx_set_ocsp_response_file(sw.ctx, fx("resp-good.der")));
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.ocsp_mode = FIPSRT_TLS_OCSP_REQUIRE;
    cfg.disable_session_tickets = 1;   /* every handshake full, every one stapled */
    fipsrt_tls_ctx *c = client(&cfg);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, swap_loop, &sw), 0);
    int n = tls_light() ? 5 : 40;
    for (int i = 0; i < n; i++) {
        hs_result r;
        mem_hs(sw.ctx, c, "localhost", &r);
        expect_ok(&r);
        ck_assert_int_eq(r.ocsp_stapled, 1);
    }
    atomic_store(&sw.stop, 1);
    pthread_join(t, NULL);
    ck_assert_int_eq(sw.failures, 0);
    ck_assert_int_gt(sw.swaps, 1);
    fipsrt_tls_ctx_free(c);
    fipsrt_tls_ctx_free(sw.ctx);
}
END_TEST

/* OCSP responses the client accepts: CertIDs hashed with SHA-384/512, no nextUpdate (good for
 * a day), the responder's certificate after another one, a SHA-384 signature, and a response
 * whose first answer is about another certificate. */
START_TEST(test_ocsp_good_variants)
{
    static const char *const good[] = {"resp-good-sha384id.der", "resp-good-sha512id.der",
                                       "resp-nonext.der", "resp-twocerts.der",
                                       "resp-sha384sig.der", "resp-two.der"};
    hs_result r;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        try_staple("good", good[i], FIPSRT_TLS_OCSP_REQUIRE, 0, &r);
        ck_assert_msg(r.cli == 0 && r.srv == 0, "%s: client %d (%s) server %d (%s)", good[i],
                      r.cli, r.cli_detail, r.srv, r.srv_detail);
        ck_assert_msg(r.ocsp_stapled == 1, "%s: not stapled", good[i]);
    }
}
END_TEST

/* Stapled responses the client refuses, each with its reason. */
START_TEST(test_ocsp_refusal_reasons)
{
    static const struct {
        const char *leaf, *resp, *reason;
    } cases[] = {
        {"revoked", "resp-revoked-noreason.der", "revocation (OCSP): revoked (reason: unspecified)"},
        {"good", "resp-future.der", "expired: the response's thisUpdate is in the future or too old"},
        {"good", "resp-old.der", "expired: the response's thisUpdate is in the future or too old"},
        {"good", "resp-nocerts.der", "bad signature: the responder's certificate is not in the response"},
        {"good", "resp-wrongkey.der", "unknown: the response is not about the server's certificate"},
        {"good", "resp-by-noeku.der", "bad signature: the responder's certificate lacks id-kp-OCSPSigning"},
        {"good", "resp-by-expired.der", "the responder's certificate is expired or not yet valid"},
        {"good", "resp-by-notyet.der", "the responder's certificate is expired or not yet valid"},
        {"good", "resp-by-sha1.der", "bad signature: the responder's certificate is signed with SHA1"},
        {"good", "resp-by-forged.der", "bad signature: the responder is neither the certificate's issuer"},
    };
    hs_result r;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        try_staple(cases[i].leaf, cases[i].resp, FIPSRT_TLS_OCSP_PREFER, 0, &r);
        ck_assert_msg(r.cli == FIPSRT_E_TLS_VERIFY && strstr(r.cli_detail, cases[i].reason),
                      "%s: expected \"%s\", got %d: %s", cases[i].resp, cases[i].reason, r.cli,
                      r.cli_detail);
    }
}
END_TEST

/* An OCSPResponse with status successful and a response type that is not basic. */
static const uint8_t not_basic[] = {0x30, 0x16, 0x0a, 0x01, 0x00, 0xa0, 0x11, 0x30, 0x0f, 0x06,
                                    0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x02,
                                    0x04, 0x02, 0x05, 0x00};

/* Responses the server cannot staple: refused by the API with the documented code. */
START_TEST(test_ocsp_set_response_refusals)
{
    fipsrt_tls_ctx *s = server("good", NULL);
    size_t len;
    char *good = slurp(fx("resp-good.der"), &len);
    uint8_t *trailing = malloc(len + 1);
    memcpy(trailing, good, len);
    trailing[len] = 0;
    ck_assert_fipsrt(fipsrt_tls_ctx_set_ocsp_response(s, trailing, len + 1), FIPSRT_E_MALFORMED);
    ck_assert_ptr_nonnull(strstr(fipsrt_last_error(), "bytes after the DER OCSPResponse"));
    ck_assert_fipsrt(fipsrt_tls_ctx_set_ocsp_response(s, (const uint8_t *)good, (size_t)LONG_MAX + 1),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_tls_ctx_set_ocsp_response(s, not_basic, sizeof(not_basic)),
                     FIPSRT_E_MALFORMED);
    /* CertIDs the server cannot match to its certificate: SHA-224, a wrong issuer name. */
    ck_assert_fipsrt(fipsrt_tls_ctx_set_ocsp_response_file(s, fx("resp-good-sha224id.der")),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(fipsrt_last_error(), "about none of the context's certificates"));
    ck_assert_fipsrt(fipsrt_tls_ctx_set_ocsp_response_file(s, fx("resp-wrongname.der")),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_tls_ctx_set_ocsp_response_file(NULL, fx("resp-good.der")),
                     FIPSRT_E_INVALID_ARG);
    free(trailing);
    free(good);
    fipsrt_tls_ctx_free(s);
}
END_TEST

/* A raw OpenSSL server stapling exactly these bytes. */
static const uint8_t *raw_staple;
static size_t raw_staple_len;

static int raw_status_cb(SSL *ssl, void *arg)
{
    (void)arg;
    unsigned char *copy = OPENSSL_memdup(raw_staple, raw_staple_len);
    if (copy == NULL || !SSL_set_tlsext_status_ocsp_resp(ssl, copy, (long)raw_staple_len))
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    return SSL_TLSEXT_ERR_OK;
}

/* Staples our API would not take, as a foreign server may send them: refused by the client. */
START_TEST(test_ocsp_foreign_staples)
{
    size_t good_len, sha224_len, wrongname_len;
    char *good = slurp(fx("resp-good.der"), &good_len);
    char *sha224 = slurp(fx("resp-good-sha224id.der"), &sha224_len);
    char *wrongname = slurp(fx("resp-wrongname.der"), &wrongname_len);
    uint8_t *trailing = malloc(good_len + 1);
    memcpy(trailing, good, good_len);
    trailing[good_len] = 0;
    const struct {
        const uint8_t *der;
        size_t len;
        const char *reason;
    } cases[] = {
        {trailing, good_len + 1, "revocation (OCSP): malformed: not a DER OCSPResponse"},
        {(const uint8_t *)"\x30\x03\x0a\x01\x03", 5, "revocation (OCSP): malformed: the responder answered trylater"},
        {not_basic, sizeof(not_basic), "revocation (OCSP): malformed: not a basic OCSP response"},
        {(const uint8_t *)sha224, sha224_len, "unknown: the response is not about the server's certificate"},
        {(const uint8_t *)wrongname, wrongname_len, "unknown: the response is not about the server's certificate"},
    };
    SSL_CTX *raw = SSL_CTX_new(TLS_server_method());
    ck_assert_ptr_nonnull(raw);
    ck_assert_int_eq(SSL_CTX_use_certificate_chain_file(raw, fx("good.pem")), 1);
    ck_assert_int_eq(SSL_CTX_use_PrivateKey_file(raw, fx("good.key"), SSL_FILETYPE_PEM), 1);
    SSL_CTX_set_tlsext_status_cb(raw, raw_status_cb);
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.ocsp_mode = FIPSRT_TLS_OCSP_PREFER;
    fipsrt_tls_ctx *c = client(&cfg);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        raw_staple = cases[i].der;
        raw_staple_len = cases[i].len;
        endpoint s, ce;
        raw_endpoint(&s, raw, true);
        memset(&ce, 0, sizeof(ce));
        ck_assert_ok(fipsrt_tls_conn_new_mem(&ce.conn, c, "localhost"));
        handshake_pair(&ce, &s);
        ck_assert_msg(ce.rv == FIPSRT_E_TLS_VERIFY && strstr(ce.detail, cases[i].reason),
                      "case %zu: expected \"%s\", got %d: %s", i, cases[i].reason, ce.rv, ce.detail);
        endpoint_free(&ce);
        endpoint_free(&s);
    }
    fipsrt_tls_ctx_free(c);
    SSL_CTX_free(raw);
    free(trailing);
    free(good);
    free(sha224);
    free(wrongname);
}
END_TEST

/* ==== real peers ================================================================================ */

static proc_result *run(const char *input, char *const argv[])
{
    proc_result *r = malloc(sizeof(*r));
    ck_assert_ptr_nonnull(r);
    run_process(argv, NULL, input, r);
    return r;
}

static const char *hellocli_path(void)
{
    static char path[1024];
    snprintf(path, sizeof(path), "%s/../examples/hellocli", build_dir());
    return path;
}

/* helloserver stapling: openssl s_client -status, curl --cert-status and hellocli see and
 * check it; hellocli checks the CRL too. */
START_TEST(test_ocsp_helloserver_s_client_curl)
{
    int port;
    const char *args[] = {"--cert", fx("good-chain.pem"), "--key", fx("good.key"), "--ocsp",
                          fx("resp-good.der"), NULL};
    bg *srv = hello_start(args, &port);
    proc_result *r = run("GET / HTTP/1.0\r\n\r\n",
                         argv_split(OPENSSL " s_client -connect 127.0.0.1:%d -servername localhost "
                                            "-CAfile %s -verify_return_error -status -ign_eof",
                                    port, fx("ca.pem")));
    ck_assert_msg(r->exited && r->status == 0 && strstr(r->out, "OCSP Response Status: successful") &&
                      strstr(r->out, "Cert Status: good") && strstr(r->out, "Hello, world!"),
                  "s_client -status: %d\n%s\n%s", r->status, r->out, r->err);
    free(r);
    r = run(NULL, argv_split(CURL " -sS --cert-status --resolve localhost:%d:127.0.0.1 --cacert %s "
                                  "https://localhost:%d/", port, fx("ca.pem"), port));
    ck_assert_msg(r->exited && r->status == 0 && strstr(r->out, "Hello, world!"),
                  "curl --cert-status: %d\n%s\n%s", r->status, r->out, r->err);
    free(r);
    r = run(NULL, argv_split("%s -v --ocsp require --crl %s --cacert %s https://localhost:%d/",
                             hellocli_path(), fx("crl.pem"), fx("ca.pem"), port));
    ck_assert_msg(r->exited && r->status == 0 && strstr(r->out, "Hello, world!") &&
                      strstr(r->err, "OCSP response stapled, status good"),
                  "hellocli --ocsp require --crl: %d\n%s\n%s", r->status, r->out, r->err);
    free(r);
    ck_assert_int_eq(WEXITSTATUS(bg_stop(srv, SIGTERM, 30)), 0);

    /* A revoked certificate stapled with its "revoked" response: curl refuses it. */
    const char *rargs[] = {"--cert", fx("revoked-chain.pem"), "--key", fx("revoked.key"), "--ocsp",
                           fx("resp-revoked.der"), NULL};
    srv = hello_start(rargs, &port);
    r = run(NULL, argv_split(CURL " -sS --cert-status --resolve localhost:%d:127.0.0.1 --cacert %s "
                                  "https://localhost:%d/", port, fx("ca.pem"), port));
    ck_assert_msg(r->exited && r->status == 91 && strstr(r->err, "revocation reason: keyCompromise"),
                  "curl --cert-status on a revoked certificate: %d\n%s\n%s", r->status, r->out, r->err);
    free(r);
    r = run(NULL, argv_split("%s --ocsp prefer --cacert %s https://localhost:%d/", hellocli_path(),
                             fx("ca.pem"), port));
    ck_assert_msg(r->exited && r->status == 1 && strstr(r->err, "revocation (OCSP): revoked"),
                  "hellocli --ocsp prefer on a revoked certificate: %d\n%s\n%s", r->status, r->out, r->err);
    free(r);
    r = run(NULL, argv_split("%s --crl %s --cacert %s https://localhost:%d/", hellocli_path(),
                             fx("crl.pem"), fx("ca.pem"), port));
    ck_assert_msg(r->exited && r->status == 1 && strstr(r->err, "revocation (CRL): revoked"),
                  "hellocli --crl on a revoked certificate: %d\n%s\n%s", r->status, r->out, r->err);
    free(r);
    ck_assert_int_eq(WEXITSTATUS(bg_stop(srv, SIGTERM, 30)), 0);
}
END_TEST

/* The library client against openssl s_server -status_file, TLS 1.2 and 1.3. */
START_TEST(test_ocsp_client_vs_s_server)
{
    static const struct {
        const char *leaf, *resp, *reason;
    } cases[] = {
        {"good", "resp-good.der", NULL},
        {"revoked", "resp-revoked.der", "revoked (reason: keyCompromise)"},
        {"good", "resp-sha1.der", "signed with SHA1"},
        {"muststaple", NULL, "RFC 7633"},
        {"good", "resp-revoked.der", "unknown: the response is not about the server's certificate"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        for (int v = tls_light() ? 1 : 0; v < 2; v++) {
            int port = free_port();
            char status[600] = "";
            char certp[64], keyp[64];
            snprintf(certp, sizeof(certp), "%s.pem", cases[i].leaf);
            snprintf(keyp, sizeof(keyp), "%s.key", cases[i].leaf);
            if (cases[i].resp)
                snprintf(status, sizeof(status), "-status_file %s", fx(cases[i].resp));
            bg *srv = bg_start(argv_split(OPENSSL " s_server -accept 127.0.0.1:%d -naccept 1 -cert %s "
                                                  "-key %s %s %s -www",
                                          port, fx(certp), fx(keyp), v ? "-tls1_3" : "-tls1_2", status),
                               NULL);
            ck_assert_msg(bg_wait(srv, false, "ACCEPT", 1, 30), "s_server: %s", bg_output(srv, true));
            fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
            cfg.ocsp_mode = FIPSRT_TLS_OCSP_PREFER;
            fipsrt_tls_ctx *c = client(&cfg);
            fipsrt_tls_conn *conn = NULL;
            int fd = tcp_connect(port);
            ck_assert_ok(fipsrt_tls_conn_new_fd(&conn, c, fd, "localhost"));
            int rv = fipsrt_tls_conn_handshake(conn);
            if (cases[i].reason == NULL) {
                ck_assert_msg(rv == 0, "%s TLS1.%d: %s", cases[i].leaf, 2 + v, fipsrt_last_error());
                ck_assert_int_eq(fipsrt_tls_conn_ocsp_stapled(conn), 1);
                ck_assert_int_eq(fipsrt_tls_conn_version(conn), v ? FIPSRT_TLS_1_3 : FIPSRT_TLS_1_2);
            } else {
                ck_assert_msg(rv == FIPSRT_E_TLS_VERIFY && strstr(fipsrt_last_error(), cases[i].reason),
                              "%s TLS1.%d: %d %s", cases[i].leaf, 2 + v, rv, fipsrt_last_error());
            }
            fipsrt_tls_conn_free(conn);
            close(fd);
            fipsrt_tls_ctx_free(c);
            bg_stop(srv, SIGTERM, 10);
        }
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
    Suite *s = suite_create("tls_revocation");
    TCase *tc = tcase_create("crl");
    tcase_add_test(tc, test_crl_file_pem_der_dir_memory);
    tcase_add_test(tc, test_crl_missing);
    tcase_add_test(tc, test_crl_stale_and_bad_signature);
    tcase_add_test(tc, test_crl_client_certificates);
    tcase_add_test(tc, test_revocation_config_errors);
    tcase_add_test(tc, test_crl_algorithms_and_encodings);
    tcase_add_test(tc, test_crl_not_yet_valid);
    tcase_add_test(tc, test_crl_dir_entries);
    tcase_add_test(tc, test_revocation_insecure);
    suite_add_tcase(s, tc);
    tc = tcase_create("ocsp");
    tcase_add_test(tc, test_ocsp_good);
    tcase_add_test(tc, test_ocsp_refusals);
    tcase_add_test(tc, test_ocsp_missing_and_must_staple);
    tcase_add_test(tc, test_ocsp_set_response_api);
    tcase_add_test(tc, test_ocsp_replace_while_running);
    tcase_add_test(tc, test_ocsp_resumption);
    tcase_add_test(tc, test_ocsp_malformed_staple);
    tcase_add_test(tc, test_ocsp_per_certificate);
    tcase_add_test(tc, test_ocsp_good_variants);
    tcase_add_test(tc, test_ocsp_refusal_reasons);
    tcase_add_test(tc, test_ocsp_set_response_refusals);
    tcase_add_test(tc, test_ocsp_foreign_staples);
    suite_add_tcase(s, tc);
    tc = tcase_create("interop");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_ocsp_helloserver_s_client_curl);
    tcase_add_test(tc, test_ocsp_client_vs_s_server);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(make_suite);
}
