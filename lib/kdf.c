/* SPDX-License-Identifier: Apache-2.0 */
/* Key derivation: HKDF (RFC 5869 / SP 800-56C) and PBKDF2 (SP 800-132) in the FIPS provider. */
#include <limits.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/kdf.h>

#include <fipsrt/kdf.h>

#include "internal.h"

/* OSSL_PARAM octet strings need a non-NULL pointer even when empty. */
static const uint8_t empty[1];
#define NONNULL(p) ((p) != NULL ? (const void *)(p) : (const void *)empty)

/* A hash usable under HMAC: the lookup's MD5/unknown refusals, plus no XOFs. */
static int hmac_hash(const char *func, fipsrt_hash_alg alg, const struct frt_hash_desc **d)
{
    int rv = frt_hash_lookup(func, alg, d);
    if (rv == FIPSRT_OK && (*d)->xof)
        rv = frt_error(func, FIPSRT_E_INVALID_ARG, "HMAC-based KDFs are not defined over %s",
                       (*d)->name);
    return rv;
}

/* Run one EVP_KDF derivation with `params`; zeroes `out` if it fails. */
static int derive(const char *func, enum frt_alg kdf, OSSL_PARAM *params, uint8_t *out,
                  size_t out_len)
{
    int rv = FIPSRT_OK;
    EVP_KDF_CTX *ctx = NULL;
    ERR_set_mark();
    FRT_OSSL_PTR(ctx, EVP_KDF_CTX_new(frt_kdf(kdf)), FIPSRT_E_NOMEM);
    if (EVP_KDF_derive(ctx, out, out_len, params) <= 0) {
        rv = frt_ossl_error(func, FIPSRT_E_PROVIDER, "EVP_KDF_derive");
        OPENSSL_cleanse(out, out_len);
    }
out:
    if (rv == FIPSRT_OK)
        ERR_pop_to_mark();   /* SPEC 1.6: failures OpenSSL absorbed are not the caller's */
    else
        ERR_clear_last_mark();
    EVP_KDF_CTX_free(ctx);  /* the provider clears the key material it copied */
    return rv;
}

/* The HKDF checks every mode shares: hash, key strength, salt and info arguments. */
static int hkdf_check(const char *func, fipsrt_hash_alg alg, const void *key, size_t key_len,
                      const void *salt, size_t salt_len, const void *info, size_t info_len,
                      const struct frt_hash_desc **d)
{
    int rv = hmac_hash(func, alg, d);
    if (rv < 0)
        return rv;
    if (key == NULL || (salt == NULL && salt_len > 0) || (info == NULL && info_len > 0))
        return frt_error(func, FIPSRT_E_INVALID_ARG, "invalid argument: NULL %s",
                         key == NULL ? "key" : salt == NULL && salt_len > 0 ? "salt" : "info");
    /* SP 800-131A: keying material below 112 bits of strength is not approved. */
    if (key_len < FIPSRT_HKDF_MIN_KEY_SIZE)
        return frt_error(func, FIPSRT_E_NOT_APPROVED,
                         "HKDF key of %zu bits is below the 112-bit minimum", key_len * 8);
    if (info_len > FIPSRT_HKDF_MAX_INFO_SIZE)
        return frt_error(func, FIPSRT_E_UNSUPPORTED,
                         "HKDF info of %zu bytes is over the provider's %d-byte limit",
                         info_len, FIPSRT_HKDF_MAX_INFO_SIZE);
    return FIPSRT_OK;
}

/* RFC 5869 §2.3: at most 255 blocks of output. */
static int hkdf_check_out(const char *func, const struct frt_hash_desc *d, const uint8_t *out,
                          size_t out_len)
{
    if (out == NULL)
        return frt_error(func, FIPSRT_E_INVALID_ARG, "invalid argument: out != NULL");
    if (out_len == 0 || out_len > 255 * d->size)
        return frt_error(func, FIPSRT_E_INVALID_ARG,
                         "HKDF-%s output must be 1..%zu bytes, got %zu", d->name,
                         255 * d->size, out_len);
    return FIPSRT_OK;
}

static int hkdf_run(const char *func, const struct frt_hash_desc *d, const char *mode,
                    const void *key, size_t key_len, const void *salt, size_t salt_len,
                    const void *info, size_t info_len, uint8_t *out, size_t out_len)
{
    OSSL_PARAM params[6], *p = params;
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, (char *)mode, 0);
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)d->name, 0);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
    if (salt != NULL)
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)NONNULL(salt),
                                                 salt_len);
    if (info != NULL)
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)NONNULL(info),
                                                 info_len);
    *p = OSSL_PARAM_construct_end();
    return derive(func, FRT_KDF_HKDF, params, out, out_len);
}

FIPSRT_API int fipsrt_hkdf(fipsrt_hash_alg alg, const void *ikm, size_t ikm_len,
                           const void *salt, size_t salt_len, const void *info,
                           size_t info_len, uint8_t *out, size_t out_len)
{
    int rv = FIPSRT_OK;
    const struct frt_hash_desc *d;
    frt_init();
    FRT_TRY(hkdf_check(__func__, alg, ikm, ikm_len, salt, salt_len, info, info_len, &d));
    FRT_TRY(hkdf_check_out(__func__, d, out, out_len));
    FRT_TRY(hkdf_run(__func__, d, "EXTRACT_AND_EXPAND", ikm, ikm_len, NONNULL(salt), salt_len,
                     NONNULL(info), info_len, out, out_len));
    frt_service_approved();
out:
    return rv;
}

FIPSRT_API int fipsrt_hkdf_extract(fipsrt_hash_alg alg, const void *ikm, size_t ikm_len,
                                   const void *salt, size_t salt_len, uint8_t *prk,
                                   size_t prk_cap, size_t *prk_len)
{
    int rv = FIPSRT_OK;
    const struct frt_hash_desc *d;
    frt_init();
    FRT_TRY(hkdf_check(__func__, alg, ikm, ikm_len, salt, salt_len, NULL, 0, &d));
    if (prk_cap < d->size) {
        if (prk_len)
            *prk_len = d->size;
        FRT_CHECK(false, FIPSRT_E_BUFFER_TOO_SMALL, "HKDF-%s PRK needs %zu bytes, got %zu",
                  d->name, d->size, prk_cap);
    }
    FRT_ARG(prk != NULL);
    FRT_TRY(hkdf_run(__func__, d, "EXTRACT_ONLY", ikm, ikm_len, NONNULL(salt), salt_len, NULL,
                     0, prk, d->size));
    if (prk_len)
        *prk_len = d->size;
    frt_service_approved();
out:
    return rv;
}

FIPSRT_API int fipsrt_hkdf_expand(fipsrt_hash_alg alg, const void *prk, size_t prk_len,
                                  const void *info, size_t info_len, uint8_t *out,
                                  size_t out_len)
{
    int rv = FIPSRT_OK;
    const struct frt_hash_desc *d;
    frt_init();
    FRT_TRY(hkdf_check(__func__, alg, prk, prk_len, NULL, 0, info, info_len, &d));
    FRT_TRY(hkdf_check_out(__func__, d, out, out_len));
    FRT_TRY(hkdf_run(__func__, d, "EXPAND_ONLY", prk, prk_len, NULL, 0, NONNULL(info),
                     info_len, out, out_len));
    frt_service_approved();
out:
    return rv;
}

FIPSRT_API int fipsrt_pbkdf2(fipsrt_hash_alg alg, const void *password, size_t password_len,
                             const void *salt, size_t salt_len, uint64_t iterations,
                             uint8_t *out, size_t out_len)
{
    int rv = FIPSRT_OK;
    const struct frt_hash_desc *d;
    frt_init();
    FRT_TRY(hmac_hash(__func__, alg, &d));
    /* Library policy (stricter than SP 800-132): no new SHA-1 password-based keys. */
    FRT_CHECK(alg != FIPSRT_HASH_SHA1, FIPSRT_E_NOT_APPROVED,
              "PBKDF2 with SHA-1 is not approved by this library: use SHA-256 or stronger");
    FRT_ARG(password != NULL || password_len == 0);
    FRT_ARG(salt != NULL);
    FRT_ARG(out != NULL);
    /* The provider keeps these lengths in an int. */
    FRT_ARG(password_len <= INT_MAX);
    FRT_ARG(salt_len <= INT_MAX);
    FRT_ARG(out_len <= INT_MAX);
    /* SP 800-132 §5.1: the salt has at least 128 random bits. */
    FRT_CHECK(salt_len >= FIPSRT_PBKDF2_MIN_SALT_SIZE, FIPSRT_E_NOT_APPROVED,
              "PBKDF2 salt of %zu bits is below the 128-bit minimum", salt_len * 8);
    /* SP 800-132 §5.2: at least 1000 iterations. */
    FRT_CHECK(iterations >= FIPSRT_PBKDF2_MIN_ITERATIONS, FIPSRT_E_NOT_APPROVED,
              "PBKDF2 with %llu iterations is below the minimum of %d",
              (unsigned long long)iterations, FIPSRT_PBKDF2_MIN_ITERATIONS);
    /* SP 800-132 §5.1 with SP 800-131A: the derived key has at least 112 bits. */
    FRT_CHECK(out_len >= FIPSRT_PBKDF2_MIN_OUTPUT_SIZE, FIPSRT_E_NOT_APPROVED,
              "PBKDF2 output of %zu bits is below the 112-bit minimum", out_len * 8);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)d->name, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)NONNULL(password),
                                          password_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_ITER, &iterations),
        OSSL_PARAM_construct_end(),
    };
    FRT_TRY(derive(__func__, FRT_KDF_PBKDF2, params, out, out_len));
    frt_service_approved();
out:
    return rv;
}
