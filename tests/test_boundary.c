/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The FIPS boundary (issue 9, docs/BOUNDARY.md): once libfipsrt has started, nothing another
 * library does to OpenSSL's global or per-thread state moves a libfipsrt operation out of
 * the provider named "fips", and the calls keep working.
 *
 * Each test sets up one hostile state after start-up, then runs every family (hash, HMAC,
 * AEAD with random and counter nonces and streaming, KDFs, passwords, key generation and
 * import/export with encrypted PKCS#8, ECDSA, RSA, ECDH, certificates, TLS contexts of both
 * roles with a handshake and data over memory): every call must return 0, and the counting
 * provider (tests/counting_provider.c, which claims "provider=fips,fips=yes" and
 * "provider=default,fips=no" for every algorithm the library uses) must see no call.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/provider.h>

#include "counting_provider.h"
#include "tls_testutil.h"

/* Made by main() before any hostile change; each test gets fresh objects decoded from these
 * (fixture `fresh`), so nothing one test cached in a key (e.g. its operation templates)
 * carries into the next. */
static struct der {
    uint8_t b[2048];
    size_t n;
} ec_key_der, ec_peer_der, rsa_key_der, ca_der, leaf_der;
static fipsrt_key *ec_key, *ec_peer, *rsa_key;
static fipsrt_cert *ca_cert, *leaf_cert;
static uint8_t ca_pem[4096];
static size_t ca_pem_len;

static bool rsa_keygen;   /* fam_keygen also generates an RSA key (set by one test) */

static const uint8_t key32[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

/* ---- the families ------------------------------------------------------------------------ */

static void fam_random(void)
{
    uint8_t buf[64];
    ck_assert_ok(fipsrt_random(buf, sizeof(buf)));
}

static void fam_hash(void)
{
    uint8_t out[64];
    size_t n;
    fipsrt_hash_ctx *h;
    ck_assert_ok(fipsrt_hash(FIPSRT_HASH_SHA256, "abc", 3, out, sizeof(out), &n));
    static const uint8_t sha256_abc[4] = {0xba, 0x78, 0x16, 0xbf};
    ck_assert_mem_eq(out, sha256_abc, 4);
    ck_assert_ok(fipsrt_hash_new(&h, FIPSRT_HASH_SHA3_256));
    ck_assert_ok(fipsrt_hash_update(h, "abc", 3));
    ck_assert_ok(fipsrt_hash_final(h, out, sizeof(out), &n));
    fipsrt_hash_free(h);
}

static void fam_hmac(void)
{
    uint8_t out[64];
    size_t n;
    fipsrt_hmac_ctx *h;
    ck_assert_ok(fipsrt_hmac(FIPSRT_HASH_SHA256, key32, 32, "abc", 3, out, sizeof(out), &n));
    ck_assert_ok(fipsrt_hmac_verify(FIPSRT_HASH_SHA256, key32, 32, "abc", 3, out, n));
    ck_assert_ok(fipsrt_hmac_new(&h, FIPSRT_HASH_SHA384, key32, 32));
    ck_assert_ok(fipsrt_hmac_update(h, "abc", 3));
    ck_assert_ok(fipsrt_hmac_final(h, out, sizeof(out), &n));
    fipsrt_hmac_free(h);
}

static void fam_aead_random(void)
{
    fipsrt_aead_key *k;
    uint8_t nonce[FIPSRT_AEAD_NONCE_SIZE], ct[64], pt[64];
    size_t n, m;
    ck_assert_ok(fipsrt_aead_key_new(&k, FIPSRT_AEAD_AES_256_GCM, key32, 32));
    ck_assert_ok(fipsrt_aead_seal(k, "a", 1, "hello", 5, nonce, ct, sizeof(ct), &n));
    ck_assert_ok(fipsrt_aead_open(k, nonce, "a", 1, ct, n, pt, sizeof(pt), &m));
    ck_assert_mem_eq(pt, "hello", 5);
    /* streaming seal */
    fipsrt_aead_stream *s;
    uint8_t tag[FIPSRT_AEAD_TAG_SIZE];
    ck_assert_ok(fipsrt_aead_seal_stream_new(&s, k, "a", 1));
    ck_assert_ok(fipsrt_aead_stream_update(s, "hello", 5, ct, sizeof(ct), &n));
    ck_assert_ok(fipsrt_aead_seal_stream_final(s, nonce, tag));
    fipsrt_aead_stream_free(s);
    fipsrt_aead_key_free(k);
}

static void fam_aead_counter(void)
{
    fipsrt_aead_counter *c;
    uint8_t ct[64], pt[64];
    size_t n, m;
    /* no fixed field given: drawn from the DRBG */
    ck_assert_ok(fipsrt_aead_counter_new(&c, FIPSRT_AEAD_AES_128_GCM, key32, 16,
                                         FIPSRT_AEAD_NONCE_PREFIX, NULL, 0));
    ck_assert_ok(fipsrt_aead_counter_seal(c, 1, NULL, 0, "hello", 5, ct, sizeof(ct), &n));
    ck_assert_ok(fipsrt_aead_counter_open(c, 1, NULL, 0, ct, n, pt, sizeof(pt), &m));
    ck_assert_mem_eq(pt, "hello", 5);
    fipsrt_aead_counter_free(c);
}

static void fam_kdf(void)
{
    uint8_t out[32], salt[16] = {0};
    ck_assert_ok(fipsrt_hkdf(FIPSRT_HASH_SHA256, key32, 32, salt, 16, "i", 1, out, 32));
    ck_assert_ok(fipsrt_pbkdf2(FIPSRT_HASH_SHA256, "password", 8, salt, 16, 1000, out, 32));
}

static void fam_passwd(void)
{
    char h[256];
    size_t n;
    int rehash;
    ck_assert_ok(fipsrt_passwd_hash("pw", 2, 1000, h, sizeof(h), &n));
    ck_assert_ok(fipsrt_passwd_verify(h, "pw", 2, &rehash));
}

static void fam_keygen(void)
{
    fipsrt_key *k;
    ck_assert_ok(fipsrt_key_generate_ec(&k, FIPSRT_EC_P384));
    fipsrt_key_free(k);
    /* RSA-2048 generation takes seconds (minutes under valgrind): one hostile state only */
    if (!rsa_keygen)
        return;
    ck_assert_ok(fipsrt_key_generate_rsa(&k, 2048));
    fipsrt_key_free(k);
}

static void fam_keys_io(void)
{
    static uint8_t buf[8192];
    size_t n;
    fipsrt_key *k;
    const fipsrt_key *keys[] = {ec_key, rsa_key};
    for (int i = 0; i < (rsa_key ? 2 : 1); i++) {
        ck_assert_ok(fipsrt_key_export_private(keys[i], FIPSRT_KEY_PEM, "secret", 6, buf,
                                               sizeof(buf), &n));
        ck_assert_ok(fipsrt_key_import_private(&k, FIPSRT_KEY_PEM, buf, n, "secret", 6));
        fipsrt_key_free(k);
        ck_assert_ok(fipsrt_key_export_private(keys[i], FIPSRT_KEY_DER, NULL, 0, buf,
                                               sizeof(buf), &n));
        ck_assert_ok(fipsrt_key_import_private(&k, FIPSRT_KEY_DER, buf, n, NULL, 0));
        fipsrt_key_free(k);
        ck_assert_ok(fipsrt_key_export_public(keys[i], FIPSRT_KEY_DER, buf, sizeof(buf), &n));
        ck_assert_ok(fipsrt_key_import_public(&k, FIPSRT_KEY_DER, buf, n));
        fipsrt_key_free(k);
    }
}

static void fam_ecdsa(void)
{
    uint8_t sig[160];
    size_t n;
    ck_assert_ok(fipsrt_ecdsa_sign(ec_key, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, "m", 1, sig,
                                   sizeof(sig), &n));
    ck_assert_ok(fipsrt_ecdsa_verify(ec_key, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, "m", 1, sig, n));
}

static void fam_rsa(void)
{
    uint8_t sig[512], pt[512];
    size_t n, m;
    if (rsa_key == NULL)
        return;   /* light mode (valgrind): no RSA key, see main() */
    ck_assert_ok(fipsrt_rsa_sign(rsa_key, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, "m", 1, sig,
                                 sizeof(sig), &n));
    ck_assert_ok(fipsrt_rsa_verify(rsa_key, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, "m", 1, sig, n));
    ck_assert_ok(fipsrt_rsa_encrypt(rsa_key, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0,
                                    (const uint8_t *)"hello", 5, sig, sizeof(sig), &n));
    ck_assert_ok(fipsrt_rsa_decrypt(rsa_key, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0, sig, n,
                                    pt, sizeof(pt), &m));
    ck_assert_mem_eq(pt, "hello", 5);
}

static void fam_ecdh(void)
{
    uint8_t a[66], b[66];
    size_t n, m;
    ck_assert_ok(fipsrt_ecdh_derive(ec_key, ec_peer, a, sizeof(a), &n));
    ck_assert_ok(fipsrt_ecdh_derive(ec_peer, ec_key, b, sizeof(b), &m));
    ck_assert_mem_eq(a, b, n);
}

static void fam_cert(void)
{
    fipsrt_cert_params p = FIPSRT_CERT_PARAMS_INIT;
    fipsrt_cert *c, *d;
    static uint8_t der[4096];
    size_t n;
    const char *dns[] = {"localhost"};
    p.common_name = "boundary";
    p.dns_names = dns;
    p.dns_count = 1;
    ck_assert_ok(fipsrt_cert_selfsign(&c, ec_peer, &p));
    fipsrt_cert_free(c);
    ck_assert_ok(fipsrt_cert_issue(&c, ec_peer, &p, ca_cert, ec_key));
    ck_assert_ok(fipsrt_cert_export(c, FIPSRT_CERT_DER, der, sizeof(der), &n));
    ck_assert_ok(fipsrt_cert_import(&d, der, n));
    fipsrt_cert_free(d);
    fipsrt_cert_free(c);
}

static void fam_tls(void)
{
    fipsrt_tls_config scfg, ccfg;
    fipsrt_tls_ctx *sctx, *cctx;
    ck_assert_ok(fipsrt_tls_config_init(&scfg, FIPSRT_TLS_CONFIG_VERSION));
    scfg.cert = leaf_cert;
    scfg.key = ec_peer;
    ck_assert_ok(fipsrt_tls_ctx_new(&sctx, FIPSRT_TLS_SERVER, &scfg));
    ck_assert_ok(fipsrt_tls_config_init(&ccfg, FIPSRT_TLS_CONFIG_VERSION));
    ccfg.ca_data = ca_pem;
    ccfg.ca_len = ca_pem_len;
    ck_assert_ok(fipsrt_tls_ctx_new(&cctx, FIPSRT_TLS_CLIENT, &ccfg));

    for (int v = 0; v < 2; v++) {   /* TLS 1.3, then 1.2 (its PRF, EMS and ECDHE paths) */
        endpoint c = {0}, s = {0};
        if (v == 1) {
            fipsrt_tls_ctx_free(cctx);
            ck_assert_ok(fipsrt_tls_config_init(&ccfg, FIPSRT_TLS_CONFIG_VERSION));
            ccfg.ca_data = ca_pem;
            ccfg.ca_len = ca_pem_len;
            ck_assert_ok(fipsrt_tls_ctx_new(&cctx, FIPSRT_TLS_CLIENT, &ccfg));
            SSL_CTX_set_max_proto_version(fipsrt_tls_ctx_get_ssl_ctx(cctx), TLS1_2_VERSION);
        }
        ck_assert_ok(fipsrt_tls_conn_new_mem(&c.conn, cctx, "localhost"));
        ck_assert_ok(fipsrt_tls_conn_new_mem(&s.conn, sctx, NULL));
        handshake_pair(&c, &s);
        ck_assert_msg(c.rv == 0 && s.rv == 0, "handshake: client %d (%s), server %d (%s)", c.rv,
                      c.detail, s.rv, s.detail);
        ck_assert_int_eq(fipsrt_tls_conn_version(c.conn), v == 0 ? FIPSRT_TLS_1_3 : FIPSRT_TLS_1_2);
        size_t w, r;
        char buf[32];
        ck_assert_ok(fipsrt_tls_conn_write(c.conn, "ping", 4, &w));
        pump(&c, &s);
        ck_assert_ok(fipsrt_tls_conn_read(s.conn, buf, sizeof(buf), &r));
        ck_assert_mem_eq(buf, "ping", 4);
        ck_assert_ok(fipsrt_tls_conn_write(s.conn, "pong", 4, &w));
        pump(&c, &s);
        ck_assert_ok(fipsrt_tls_conn_read(c.conn, buf, sizeof(buf), &r));
        ck_assert_mem_eq(buf, "pong", 4);
        endpoint_free(&c);
        endpoint_free(&s);
    }
    fipsrt_tls_ctx_free(cctx);
    fipsrt_tls_ctx_free(sctx);
}

/* A thread started after the change: its DRBGs and scratch contexts are made now. */
static void *thread_body(void *arg)
{
    (void)arg;
    fam_random();
    fam_aead_random();
    fam_aead_counter();
    fam_passwd();
    fam_hmac();
    return NULL;
}

static void fam_new_thread(void)
{
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, thread_body, NULL), 0);
    ck_assert_int_eq(pthread_join(t, NULL), 0);
}

static const struct family {
    const char *name;
    void (*run)(void);
} families[] = {
    {"random", fam_random}, {"hash", fam_hash}, {"hmac", fam_hmac},
    {"aead-random", fam_aead_random}, {"aead-counter", fam_aead_counter}, {"kdf", fam_kdf},
    {"passwd", fam_passwd}, {"keygen", fam_keygen}, {"keys-io", fam_keys_io},
    {"ecdsa", fam_ecdsa}, {"rsa", fam_rsa}, {"ecdh", fam_ecdh}, {"cert", fam_cert},
    {"tls", fam_tls}, {"new-thread", fam_new_thread},
};
#define N_FAMILIES (int)(sizeof(families) / sizeof(families[0]))

/* Run family `i` in the hostile state: it must succeed and the counter must see nothing. */
static void run_family(int i)
{
    long before = counting_provider_calls();
    families[i].run();
    ck_assert_msg(counting_provider_calls() == before,
                  "%s: %ld call(s) reached the counting provider (last: %s)", families[i].name,
                  counting_provider_calls() - before, counting_provider_last());
}

/* ---- the hostile states (each undone at the end, for CK_FORK=no runs) -------------------- */

static OSSL_LIB_CTX *saved_default, *hostile_ctx;
static OSSL_PROVIDER *hostile_prov[2];

static void restore(void)
{
    if (hostile_ctx != NULL) {
        OSSL_LIB_CTX_set0_default(saved_default);
        OSSL_PROVIDER_unload(hostile_prov[0]);
        OSSL_LIB_CTX_free(hostile_ctx);
        hostile_ctx = NULL;
    } else {
        for (int i = 0; i < 2; i++)
            OSSL_PROVIDER_unload(hostile_prov[i]);
    }
    hostile_prov[0] = hostile_prov[1] = NULL;
    ck_assert_int_eq(EVP_set_default_properties(NULL, "fips=yes"), 1);
}

/* (a) The thread's default context holds only the null provider. */
START_TEST(thread_default_null)
{
    ck_assert_ptr_nonnull(hostile_ctx = OSSL_LIB_CTX_new());
    ck_assert_ptr_nonnull(hostile_prov[0] = OSSL_PROVIDER_load(hostile_ctx, "null"));
    saved_default = OSSL_LIB_CTX_set0_default(hostile_ctx);
    run_family(_i);
    restore();
}
END_TEST

/* (a') The thread's default context holds only the counting provider. */
START_TEST(thread_default_counter)
{
    ck_assert_ptr_nonnull(hostile_ctx = OSSL_LIB_CTX_new());
    ck_assert_int_eq(counting_provider_register(hostile_ctx), 1);
    ck_assert_ptr_nonnull(hostile_prov[0] = OSSL_PROVIDER_load(hostile_ctx, COUNTING_PROVIDER_NAME));
    saved_default = OSSL_LIB_CTX_set0_default(hostile_ctx);
    run_family(_i);
    restore();
}
END_TEST

/* (b) Global default properties name a provider that does not exist. */
START_TEST(properties_nonexistent)
{
    ck_assert_int_eq(EVP_set_default_properties(NULL, "provider=nonexistent"), 1);
    run_family(_i);
    restore();
}
END_TEST

/* (c) `default` loaded in the default context, global properties fips=no. The counter, loaded
 * first, also claims "provider=default,fips=no" and so wins OpenSSL's tie-break. */
START_TEST(default_loaded_fips_no)
{
    ck_assert_ptr_nonnull(hostile_prov[0] = OSSL_PROVIDER_load(NULL, COUNTING_PROVIDER_NAME));
    ck_assert_ptr_nonnull(hostile_prov[1] = OSSL_PROVIDER_load(NULL, "default"));
    ck_assert_int_eq(EVP_set_default_properties(NULL, "fips=no"), 1);
    rsa_keygen = !tls_light();   /* RSA generation takes minutes under valgrind */
    run_family(_i);
    rsa_keygen = false;
    restore();
}
END_TEST

/* (d) A provider loaded later into the default context claims fips=yes (and provider=fips). */
START_TEST(fips_impostor_loaded_later)
{
    ck_assert_ptr_nonnull(hostile_prov[0] = OSSL_PROVIDER_load(NULL, COUNTING_PROVIDER_NAME));
    ck_assert_int_eq(EVP_set_default_properties(NULL, "fips=yes"), 1);
    run_family(_i);
    restore();
}
END_TEST

/* The fixtures and the counter work: the counter is reachable where it is offered. */
START_TEST(counter_is_reachable)
{
    ck_assert_ptr_nonnull(hostile_prov[0] = OSSL_PROVIDER_load(NULL, COUNTING_PROVIDER_NAME));
    long before = counting_provider_calls();
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    EVP_MD *md = EVP_MD_fetch(NULL, "SHA2-256", "fips=no");
    ck_assert_ptr_nonnull(md);
    ck_assert_str_eq(OSSL_PROVIDER_get0_name(EVP_MD_get0_provider(md)), COUNTING_PROVIDER_NAME);
    ck_assert_int_eq(EVP_DigestInit_ex2(c, md, NULL), 0);
    ck_assert_int_gt(counting_provider_calls(), before);
    EVP_MD_free(md);
    EVP_MD_CTX_free(c);
    ERR_clear_error();
    restore();
}
END_TEST

/* fipsrt_process_changes() sees each change (and says nothing when there is none). */
START_TEST(process_changes_reported)
{
    unsigned start = fipsrt_process_changes();
    ck_assert_uint_eq(start & ~(unsigned)FIPSRT_PROCESS_CONFIG_PROVIDERS, 0);

    ck_assert_ptr_nonnull(hostile_ctx = OSSL_LIB_CTX_new());
    ck_assert_ptr_nonnull(hostile_prov[0] = OSSL_PROVIDER_load(hostile_ctx, "null"));
    saved_default = OSSL_LIB_CTX_set0_default(hostile_ctx);
    ck_assert_uint_eq(fipsrt_process_changes(), start | FIPSRT_PROCESS_THREAD_CONTEXT);
    restore();
    ck_assert_uint_eq(fipsrt_process_changes(), start);

    ck_assert_int_eq(EVP_set_default_properties(NULL, "provider=nonexistent"), 1);
    ck_assert_uint_eq(fipsrt_process_changes(), start | FIPSRT_PROCESS_PROPERTIES);
    restore();

    ck_assert_ptr_nonnull(hostile_prov[0] = OSSL_PROVIDER_load(NULL, "default"));
    ck_assert_int_eq(EVP_set_default_properties(NULL, "fips=no"), 1);
    ck_assert_uint_eq(fipsrt_process_changes(),
                      start | FIPSRT_PROCESS_PROVIDERS | FIPSRT_PROCESS_PROPERTIES);
    restore();
    ck_assert_uint_eq(fipsrt_process_changes(), start);

    ck_assert_ptr_nonnull(hostile_prov[0] = OSSL_PROVIDER_load(NULL, COUNTING_PROVIDER_NAME));
    ck_assert_uint_eq(fipsrt_process_changes(), start | FIPSRT_PROCESS_PROVIDERS);
    restore();
}
END_TEST

/* `fipsrt status` under a configuration that also activates `default` at start-up: not a
 * change, a note; libfipsrt's table still comes from fips. Both output forms. */
START_TEST(status_with_default_in_config)
{
    const char *conf = getenv("OPENSSL_CONF"), *cli = getenv("FIPSRT_CLI");
    ck_assert_ptr_nonnull(conf);
    ck_assert_ptr_nonnull(cli);
    /* tools/fips-provider's configuration, with `default` added to its provider list */
    size_t len;
    char *orig = slurp(conf, &len), *at = strstr(orig, "[provider_sect]\n");
    if (at == NULL) {
        free(orig);
        printf("status_with_default_in_config: skipped, %s has no [provider_sect]\n", conf);
        return;
    }
    char *dir = make_temp_dir(), path[1024], env[1100], *text = malloc(len + 128);
    at += strlen("[provider_sect]\n");
    snprintf(text, len + 128, "%.*sdefault = default_sect\n%s\n[default_sect]\nactivate = 1\n",
             (int)(at - orig), orig, at);
    snprintf(path, sizeof(path), "%s/openssl.cnf", dir);
    write_file(path, text, strlen(text));
    free(text);
    free(orig);
    snprintf(env, sizeof(env), "OPENSSL_CONF=%s", path);
    const char *const envs[] = {env, NULL};
    static proc_result r;
    char *argv[] = {(char *)cli, "status", NULL};
    run_process(argv, envs, NULL, &r);
    ck_assert_msg(r.exited && r.status == 0, "status: %d\n%s%s", r.status, r.out, r.err);
    ck_assert_msg(strstr(r.out, "process state:    as set up at start-up") != NULL, "%s", r.out);
    ck_assert_msg(strstr(r.out, "the OpenSSL configuration also activates other providers"),
                  "%s", r.out);
    ck_assert_msg(strstr(r.out, "default") == NULL || strstr(r.out, " default\n") == NULL,
                  "an algorithm served by default:\n%s", r.out);
    char *jargv[] = {(char *)cli, "status", "--json", NULL};
    run_process(jargv, envs, NULL, &r);
    ck_assert_msg(r.exited && r.status == 0, "status --json: %d\n%s", r.status, r.err);
    ck_assert_msg(strstr(r.out, "\"changed_after_startup\": false") &&
                  strstr(r.out, "\"config_providers\": true") &&
                  strstr(r.out, "\"libfipsrt_forced\": true"), "%s", r.out);
    rm_rf(dir);
    free(dir);
}
END_TEST

static void fresh(void)
{
    ck_assert_ok(fipsrt_key_import_private(&ec_key, FIPSRT_KEY_DER, ec_key_der.b, ec_key_der.n,
                                           NULL, 0));
    ck_assert_ok(fipsrt_key_import_private(&ec_peer, FIPSRT_KEY_DER, ec_peer_der.b,
                                           ec_peer_der.n, NULL, 0));
    if (rsa_key_der.n > 0)
        ck_assert_ok(fipsrt_key_import_private(&rsa_key, FIPSRT_KEY_DER, rsa_key_der.b,
                                               rsa_key_der.n, NULL, 0));
    ck_assert_ok(fipsrt_cert_import(&ca_cert, ca_der.b, ca_der.n));
    ck_assert_ok(fipsrt_cert_import(&leaf_cert, leaf_der.b, leaf_der.n));
}

static void free_objects(void)
{
    fipsrt_cert_free(ca_cert);
    fipsrt_cert_free(leaf_cert);
    fipsrt_key_free(ec_key);
    fipsrt_key_free(ec_peer);
    fipsrt_key_free(rsa_key);
    ca_cert = leaf_cert = NULL;
    ec_key = ec_peer = rsa_key = NULL;
}

static void teardown(void)
{
    restore();
    free_objects();
}

static Suite *make_suite(void)
{
    Suite *s = suite_create("boundary");
    TCase *tc = tcase_create("hostile");
    tcase_add_checked_fixture(tc, fresh, teardown);   /* teardown also after a failure */
    /* Under valgrind (or FIPSRT_TEST_LIGHT) one hostile state is enough to look for memory
     * errors; the plain and ASan runs cover all five. */
    tcase_add_loop_test(tc, default_loaded_fips_no, 0, N_FAMILIES);
    if (!tls_light()) {
        tcase_add_loop_test(tc, thread_default_null, 0, N_FAMILIES);
        tcase_add_loop_test(tc, thread_default_counter, 0, N_FAMILIES);
        tcase_add_loop_test(tc, properties_nonexistent, 0, N_FAMILIES);
        tcase_add_loop_test(tc, fips_impostor_loaded_later, 0, N_FAMILIES);
    }
    tcase_add_test(tc, counter_is_reachable);
    tcase_add_test(tc, process_changes_reported);
    tcase_add_test(tc, status_with_default_in_config);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    fipsrt_cert_params p = FIPSRT_CERT_PARAMS_INIT;
    /* RSA-2048 generation takes minutes under valgrind: no RSA there (the rsa suite runs
     * under valgrind itself) */
    if (fipsrt_key_generate_ec(&ec_key, FIPSRT_EC_P256) != 0 ||
        fipsrt_key_generate_ec(&ec_peer, FIPSRT_EC_P256) != 0 ||
        (!tls_light() && fipsrt_key_generate_rsa(&rsa_key, 2048) != 0))
        return 99;
    p.common_name = "boundary CA";
    p.is_ca = 1;
    if (fipsrt_cert_selfsign(&ca_cert, ec_key, &p) != 0 ||
        fipsrt_cert_export(ca_cert, FIPSRT_CERT_PEM, ca_pem, sizeof(ca_pem), &ca_pem_len) != 0)
        return 99;
    const char *dns[] = {"localhost"};
    p.common_name = "localhost";
    p.is_ca = 0;
    p.dns_names = dns;
    p.dns_count = 1;
    if (fipsrt_cert_issue(&leaf_cert, ec_peer, &p, ca_cert, ec_key) != 0)
        return 99;
    if (fipsrt_key_export_private(ec_key, FIPSRT_KEY_DER, NULL, 0, ec_key_der.b,
                                  sizeof(ec_key_der.b), &ec_key_der.n) != 0 ||
        fipsrt_key_export_private(ec_peer, FIPSRT_KEY_DER, NULL, 0, ec_peer_der.b,
                                  sizeof(ec_peer_der.b), &ec_peer_der.n) != 0 ||
        (rsa_key && fipsrt_key_export_private(rsa_key, FIPSRT_KEY_DER, NULL, 0, rsa_key_der.b,
                                              sizeof(rsa_key_der.b), &rsa_key_der.n) != 0) ||
        fipsrt_cert_export(ca_cert, FIPSRT_CERT_DER, ca_der.b, sizeof(ca_der.b), &ca_der.n) != 0 ||
        fipsrt_cert_export(leaf_cert, FIPSRT_CERT_DER, leaf_der.b, sizeof(leaf_der.b),
                           &leaf_der.n) != 0)
        return 99;
    free_objects();   /* the tests make their own (fixture `fresh`) */
    /* Registered in the default context from the start; loaded only by the tests. */
    if (counting_provider_register(NULL) != 1)
        return 99;
    /* One process for all tests (each undoes its hostile state in the teardown): forking
     * ~70 children costs most of the suite's time under ASan (a leak check per child). */
    SRunner *sr = srunner_create(make_suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int rv = srunner_ntests_failed(sr) == 0 ? 0 : 1;
    srunner_free(sr);
    return rv;
}
