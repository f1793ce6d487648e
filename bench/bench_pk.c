/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Public-key operations of libfipsrt against raw OpenSSL, all in the same FIPS provider:
 * ECDSA P-256/P-384 (SHA-256/SHA-384) and RSA-2048/3072 PSS (SHA-256) sign and verify of a
 * 64-byte message.
 *
 *   libfipsrt  fipsrt_ecdsa_sign/verify, fipsrt_rsa_sign/verify (a fresh EVP_PKEY_CTX per
 *              call, so one key serves many threads)
 *   ideal      the same key (loaded by OpenSSL from our PKCS#8), the digest fetched once and one EVP_MD_CTX reused to hash,
 *              and one EVP_PKEY_CTX initialised once (padding, digest, salt) reused for
 *              every EVP_PKEY_sign / EVP_PKEY_verify: the fastest single-threaded form
 *
 * Goal (issue 4): libfipsrt >= 0.95 of ideal.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <fipsrt/fipsrt.h>

#include "bench.h"

static uint8_t msg[64];

struct pk {
    const char *name;
    fipsrt_key *key;
    bool rsa;
    fipsrt_hash_alg hash;
    const char *md_name;
    /* ideal: the same key, loaded by OpenSSL from libfipsrt's PKCS#8 export */
    EVP_PKEY *pkey;
    EVP_MD *md;
    EVP_MD_CTX *md_ctx;
    EVP_PKEY_CTX *sign_ctx, *verify_ctx;
    uint8_t sig[512];
    size_t sig_len;
};

static _Noreturn void die(const char *what)
{
    fprintf(stderr, "bench_pk: %s failed\n", what);
    ERR_print_errors_fp(stderr);
    fprintf(stderr, "libfipsrt: %s\n", fipsrt_last_error());
    exit(1);
}

static void sign_fipsrt(void *arg, uint64_t n)
{
    struct pk *p = arg;
    uint8_t sig[512];
    size_t len;
    while (n--) {
        int rv = p->rsa ? fipsrt_rsa_sign(p->key, FIPSRT_RSA_PSS, p->hash, msg, sizeof(msg), sig,
                                          sizeof(sig), &len)
                        : fipsrt_ecdsa_sign(p->key, p->hash, FIPSRT_ECDSA_DER, msg, sizeof(msg),
                                            sig, sizeof(sig), &len);
        if (rv != 0)
            die("sign");
    }
}

static void verify_fipsrt(void *arg, uint64_t n)
{
    struct pk *p = arg;
    while (n--) {
        int rv = p->rsa ? fipsrt_rsa_verify(p->key, FIPSRT_RSA_PSS, p->hash, msg, sizeof(msg),
                                            p->sig, p->sig_len)
                        : fipsrt_ecdsa_verify(p->key, p->hash, FIPSRT_ECDSA_DER, msg, sizeof(msg),
                                              p->sig, p->sig_len);
        if (rv != 0)
            die("verify");
    }
}

static void digest_ideal(struct pk *p, uint8_t *dg, unsigned *dl)
{
    if (!EVP_DigestInit_ex2(p->md_ctx, p->md, NULL) || !EVP_DigestUpdate(p->md_ctx, msg, sizeof(msg)) ||
        !EVP_DigestFinal_ex(p->md_ctx, dg, dl))
        die("digest");
}

static void sign_ideal(void *arg, uint64_t n)
{
    struct pk *p = arg;
    uint8_t dg[64], sig[512];
    unsigned dl;
    while (n--) {
        size_t len = sizeof(sig);
        digest_ideal(p, dg, &dl);
        if (EVP_PKEY_sign(p->sign_ctx, sig, &len, dg, dl) <= 0)
            die("EVP_PKEY_sign");
    }
}

static void verify_ideal(void *arg, uint64_t n)
{
    struct pk *p = arg;
    uint8_t dg[64];
    unsigned dl;
    while (n--) {
        digest_ideal(p, dg, &dl);
        if (EVP_PKEY_verify(p->verify_ctx, p->sig, p->sig_len, dg, dl) != 1)
            die("EVP_PKEY_verify");
    }
}

static void setup(struct pk *p)
{
    int salt = 0;
    OSSL_PARAM params[5], *q = params;
    *q++ = OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, (char *)p->md_name, 0);
    if (p->rsa) {
        salt = (int)fipsrt_hash_size(p->hash);
        *q++ = OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE,
                                                OSSL_PKEY_RSA_PAD_MODE_PSS, 0);
        *q++ = OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST,
                                                (char *)p->md_name, 0);
        *q++ = OSSL_PARAM_construct_int(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, &salt);
    }
    *q = OSSL_PARAM_construct_end();
    uint8_t pem[8192];
    size_t pem_len;
    if (fipsrt_key_export_private(p->key, FIPSRT_KEY_PEM, NULL, 0, pem, sizeof(pem), &pem_len) != 0)
        die("fipsrt_key_export_private");
    BIO *bio = BIO_new_mem_buf(pem, (int)pem_len);
    EVP_PKEY *pkey = p->pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (pkey == NULL)
        die("PEM_read_bio_PrivateKey");
    if ((p->md = EVP_MD_fetch(NULL, p->md_name, NULL)) == NULL || (p->md_ctx = EVP_MD_CTX_new()) == NULL)
        die("EVP_MD_fetch");
    if ((p->sign_ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL ||
        EVP_PKEY_sign_init_ex(p->sign_ctx, params) <= 0)
        die("EVP_PKEY_sign_init_ex");
    if ((p->verify_ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL ||
        EVP_PKEY_verify_init_ex(p->verify_ctx, params) <= 0)
        die("EVP_PKEY_verify_init_ex");
    /* One signature from each side must verify on the other before timing means anything. */
    uint8_t dg[64];
    unsigned dl;
    digest_ideal(p, dg, &dl);
    p->sig_len = sizeof(p->sig);
    if (EVP_PKEY_sign(p->sign_ctx, p->sig, &p->sig_len, dg, dl) <= 0)
        die("EVP_PKEY_sign");
    int rv = p->rsa ? fipsrt_rsa_verify(p->key, FIPSRT_RSA_PSS, p->hash, msg, sizeof(msg), p->sig, p->sig_len)
                    : fipsrt_ecdsa_verify(p->key, p->hash, FIPSRT_ECDSA_DER, msg, sizeof(msg), p->sig, p->sig_len);
    if (rv != 0)
        die("cross-verify");
}

static const char *const heads[] = {"op", "libfipsrt ops/s", "ideal ops/s", "fipsrt/ideal", "(min-max)"};
static const int widths[] = {20, 0, 0, 0, 11};
static const struct bench_table table = {sizeof(heads) / sizeof(heads[0]), heads, widths};

int main(void)
{
    struct pk pks[] = {
        {.name = "ECDSA P-256", .hash = FIPSRT_HASH_SHA256, .md_name = "SHA2-256"},
        {.name = "ECDSA P-384", .hash = FIPSRT_HASH_SHA384, .md_name = "SHA2-384"},
        {.name = "RSA-2048 PSS", .rsa = true, .hash = FIPSRT_HASH_SHA256, .md_name = "SHA2-256"},
        {.name = "RSA-3072 PSS", .rsa = true, .hash = FIPSRT_HASH_SHA256, .md_name = "SHA2-256"},
    };
    if (fipsrt_init() != 0)
        die("fipsrt_init");
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(i * 7 + 1);
    if (fipsrt_key_generate_ec(&pks[0].key, FIPSRT_EC_P256) || fipsrt_key_generate_ec(&pks[1].key, FIPSRT_EC_P384) ||
        fipsrt_key_generate_rsa(&pks[2].key, 2048) || fipsrt_key_generate_rsa(&pks[3].key, 3072))
        die("keygen");
    bench_set_clock(BENCH_CLOCK_CPU);
    printf("libfipsrt %s, OpenSSL %s, FIPS provider; 64-byte messages\n", fipsrt_version(),
           OpenSSL_version(OPENSSL_VERSION_STRING));
    bench_print_settings();
    bench_table_head(&table);
    double worst = 10;
    for (size_t i = 0; i < sizeof(pks) / sizeof(pks[0]); i++) {
        setup(&pks[i]);
        for (int v = 0; v < 2; v++) {
            struct bench_case c[2] = {
                {.name = "libfipsrt", .fn = v ? verify_fipsrt : sign_fipsrt, .arg = &pks[i]},
                {.name = "ideal", .fn = v ? verify_ideal : sign_ideal, .arg = &pks[i]},
            };
            bench_run(c, 2);
            double lo, hi, r = bench_ratio(&c[0], &c[1], &lo, &hi);
            worst = r < worst ? r : worst;
            char name[48], b[4][32];
            snprintf(name, sizeof(name), "%s %s", pks[i].name, v ? "verify" : "sign");
            bench_si(b[0], sizeof(b[0]), c[0].rate);
            bench_si(b[1], sizeof(b[1]), c[1].rate);
            snprintf(b[2], sizeof(b[2]), "%.3f", r);
            snprintf(b[3], sizeof(b[3]), "%.3f-%.3f", lo, hi);
            const char *cells[] = {name, b[0], b[1], b[2], b[3]};
            bench_table_row(&table, cells);
        }
        EVP_MD_free(pks[i].md);
        EVP_MD_CTX_free(pks[i].md_ctx);
        EVP_PKEY_CTX_free(pks[i].sign_ctx);
        EVP_PKEY_CTX_free(pks[i].verify_ctx);
        EVP_PKEY_free(pks[i].pkey);
        fipsrt_key_free(pks[i].key);
    }
    printf("\nworst fipsrt/ideal: %.3f (goal >= 0.95)\n", worst);
    return 0;
}
