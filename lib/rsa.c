/* SPDX-License-Identifier: Apache-2.0 */
/* RSA: RSASSA-PSS and PKCS#1 v1.5 signatures, RSAES-OAEP encryption (FIPS provider). */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include <fipsrt/rsa.h>

#include "internal.h"

/* No salt length given: PSS uses one as long as the digest (the recommended default). */
#define SALT_DIGEST (-1)

/* A hash for RSA: MD5 and XOFs refused; SHA-1 only where `sha1_ok` (verification). */
static int rsa_hash(const char *func, fipsrt_hash_alg alg, bool sha1_ok, const char *use,
                    const struct frt_hash_desc **d)
{
    int rv = frt_hash_lookup(func, alg, d);
    if (rv < 0)
        return rv;
    if ((*d)->xof)
        return frt_error(func, FIPSRT_E_INVALID_ARG, "RSA is not defined over %s here",
                         (*d)->name);
    /* SP 800-131A: SHA-1 may verify old signatures; it makes no new signatures or
     * OAEP ciphertexts here. */
    if (!sha1_ok && alg == FIPSRT_HASH_SHA1)
        return frt_error(func, FIPSRT_E_NOT_APPROVED, "SHA-1 for RSA %s is not approved", use);
    return FIPSRT_OK;
}

static int check_key(const char *func, const fipsrt_key *key, bool need_private)
{
    if (key == NULL)
        return frt_error(func, FIPSRT_E_INVALID_ARG, "invalid argument: key != NULL");
    if (fipsrt_key_get_type(key) != FIPSRT_KEY_RSA)
        return frt_error(func, FIPSRT_E_KEY_TYPE, "an RSA key is needed");
    if (need_private && !fipsrt_key_has_private(key))
        return frt_error(func, FIPSRT_E_KEY_TYPE, "a public-only key cannot do this");
    return FIPSRT_OK;
}

static int check_sig_padding(const char *func, fipsrt_rsa_padding padding)
{
    if (padding == FIPSRT_RSA_PSS || padding == FIPSRT_RSA_PKCS1_V15)
        return FIPSRT_OK;
    if (padding == FIPSRT_RSA_NO_PADDING)
        return frt_error(func, FIPSRT_E_NOT_APPROVED, "raw RSA is not approved");
    return frt_error(func, FIPSRT_E_INVALID_ARG, "padding %d is not a signature padding",
                     (int)padding);
}

static int check_enc_padding(const char *func, fipsrt_rsa_padding padding)
{
    if (padding == FIPSRT_RSA_OAEP)
        return FIPSRT_OK;
    /* SP 800-131A Rev. 2: PKCS#1 v1.5 key transport is disallowed; raw RSA never was. */
    if (padding == FIPSRT_RSA_PKCS1_V15 || padding == FIPSRT_RSA_NO_PADDING)
        return frt_error(func, FIPSRT_E_NOT_APPROVED, "RSA encryption with %s is not approved: "
                         "use OAEP", padding == FIPSRT_RSA_NO_PADDING ? "no padding"
                                                                      : "PKCS#1 v1.5");
    return frt_error(func, FIPSRT_E_INVALID_ARG, "padding %d is not an encryption padding",
                     (int)padding);
}

/* A fresh context on the shared key, initialised by `init` with `params`, checked to run
 * the implementation the table holds for `impl_provider`. */
static int op_ctx(EVP_PKEY_CTX **ctx, const fipsrt_key *key,
                  int (*init)(EVP_PKEY_CTX *, const OSSL_PARAM *), const OSSL_PARAM *params,
                  const OSSL_PROVIDER *impl_provider)
{
    int rv = FIPSRT_OK;
    FRT_OSSL_PTR(*ctx, EVP_PKEY_CTX_new_from_pkey(frt_libctx(), frt_key_pkey(key), FRT_PROPQ),
                 FIPSRT_E_NOMEM);
    /* OpenSSL 3.0 cannot take a pre-fetched EVP_SIGNATURE / EVP_ASYM_CIPHER (the _ex2
     * inits are 3.2): the context fetches under fips=yes and must land on the table's. */
    FRT_OSSL(init(*ctx, params), FIPSRT_E_PROVIDER);
    FRT_CHECK(EVP_PKEY_CTX_get0_provider(*ctx) == impl_provider, FIPSRT_E_PROVIDER,
              "RSA not served by the FIPS provider");
out:
    return rv;
}

/* Signature parameters: padding, digest, and for PSS MGF1 and the salt length. */
static void sig_params(OSSL_PARAM params[5], fipsrt_rsa_padding padding,
                       const struct frt_hash_desc *d, int *salt_len)
{
    OSSL_PARAM *p = params;
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE,
                                            padding == FIPSRT_RSA_PSS
                                                ? OSSL_PKEY_RSA_PAD_MODE_PSS
                                                : OSSL_PKEY_RSA_PAD_MODE_PKCSV15, 0);
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, (char *)d->name, 0);
    if (padding == FIPSRT_RSA_PSS) {
        if (*salt_len == SALT_DIGEST)
            *salt_len = (int)d->size;
        *p++ = OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST,
                                                (char *)d->name, 0);
        *p++ = OSSL_PARAM_construct_int(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, salt_len);
    }
    *p = OSSL_PARAM_construct_end();
}

/*
 * The context for one signature operation. The usual ones (PSS with a digest-length salt,
 * PKCS#1 v1.5) copy the key's template for (operation, padding, hash); an explicit salt
 * length gets a context of its own.
 */
static int sig_ctx(EVP_PKEY_CTX **ctx, const fipsrt_key *key, fipsrt_rsa_padding padding,
                   const struct frt_hash_desc *d, int salt_len, bool signing)
{
    OSSL_PARAM params[5];
    int (*init)(EVP_PKEY_CTX *, const OSSL_PARAM *) =
        signing ? EVP_PKEY_sign_init_ex : EVP_PKEY_verify_init_ex;
    const OSSL_PROVIDER *prov = EVP_SIGNATURE_get0_provider(frt_signature(FRT_SIG_RSA));
    bool usual = salt_len == SALT_DIGEST || (size_t)salt_len == d->size ||
                 padding == FIPSRT_RSA_PKCS1_V15;
    sig_params(params, padding, d, &salt_len);
    if (!usual)
        return op_ctx(ctx, key, init, params, prov);
    /* Slots: PSS 16..31 / 64..79, PKCS#1 v1.5 32..47 / 80..95 (ECDSA has 0..15, 48..63). */
    unsigned slot = (signing ? 0 : 48) + (padding == FIPSRT_RSA_PSS ? 16 : 32) + (unsigned)d->alg;
    return frt_key_op_ctx(key, slot, init, params, prov, ctx);
}

/* FIPS 186-4 5.5 (e): 0 <= sLen <= hLen. */
static int check_salt(const char *func, const struct frt_hash_desc *d, int salt_len,
                      bool verifying)
{
    if (salt_len == SALT_DIGEST || (verifying && salt_len == FIPSRT_RSA_PSS_SALT_AUTO))
        return FIPSRT_OK;
    if (salt_len < 0 || (size_t)salt_len > d->size)
        return frt_error(func, FIPSRT_E_NOT_APPROVED, "PSS salt of %d bytes is outside 0..%zu "
                         "(FIPS 186-4 5.5)", salt_len, d->size);
    return FIPSRT_OK;
}

static int sign_digest(const char *func, const fipsrt_key *key, fipsrt_rsa_padding padding,
                       const struct frt_hash_desc *d, int salt_len, const uint8_t *dgst,
                       uint8_t *sig, size_t sig_cap, size_t *sig_len)
{
    int rv = FIPSRT_OK;
    EVP_PKEY_CTX *ctx = NULL;
    size_t k = fipsrt_rsa_size(key);

    *sig_len = k;
    if (sig_cap < k)
        return frt_error(func, FIPSRT_E_BUFFER_TOO_SMALL,
                         "signature buffer needs %zu bytes, got %zu", k, sig_cap);
    if (sig == NULL)
        return frt_error(func, FIPSRT_E_INVALID_ARG, "invalid argument: sig != NULL");
    FRT_TRY(sig_ctx(&ctx, key, padding, d, salt_len, true));
    FRT_OSSL(EVP_PKEY_sign(ctx, sig, sig_len, dgst, d->size), FIPSRT_E_PROVIDER);
out:
    EVP_PKEY_CTX_free(ctx);
    return rv;
}

static int verify_digest(const char *func, const fipsrt_key *key, fipsrt_rsa_padding padding,
                         const struct frt_hash_desc *d, int salt_len, const uint8_t *dgst,
                         const uint8_t *sig, size_t sig_len)
{
    int rv = FIPSRT_OK;
    EVP_PKEY_CTX *ctx = NULL;
    size_t k = fipsrt_rsa_size(key);

    /* PKCS#1 v2.2 8.1.2/8.2.2 step 1: a signature is exactly k bytes. */
    if (sig_len != k)
        return frt_error(func, FIPSRT_E_VERIFY_FAILED,
                         "signature must be %zu bytes, got %zu", k, sig_len);
    FRT_TRY(sig_ctx(&ctx, key, padding, d, salt_len, false));
    if (EVP_PKEY_verify(ctx, sig, sig_len, dgst, d->size) != 1)
        rv = frt_error(func, FIPSRT_E_VERIFY_FAILED, "RSA signature does not verify");
out:
    EVP_PKEY_CTX_free(ctx);
    return rv;
}

FIPSRT_API size_t fipsrt_rsa_size(const fipsrt_key *key)
{
    if (fipsrt_key_get_type(key) != FIPSRT_KEY_RSA)
        return 0;
    return (size_t)EVP_PKEY_get_size(frt_key_pkey(key));
}

FIPSRT_API int fipsrt_rsa_sign(const fipsrt_key *key, fipsrt_rsa_padding padding,
                               fipsrt_hash_alg hash, const void *msg, size_t msg_len,
                               uint8_t *sig, size_t sig_cap, size_t *sig_len)
{
    int rv = FIPSRT_OK;
    const struct frt_hash_desc *d;
    uint8_t dgst[FIPSRT_HASH_MAX_SIZE];
    FRT_ARG(sig_len != NULL);
    FRT_ARG(msg != NULL || msg_len == 0);
    FRT_TRY(check_key(__func__, key, true));
    FRT_TRY(check_sig_padding(__func__, padding));
    FRT_TRY(rsa_hash(__func__, hash, false, "signing", &d));
    /* Hash-then-sign in the provider, as EVP_DigestSign does. */
    FRT_TRY(FRT_UNCOUNTED(fipsrt_hash(hash, msg, msg_len, dgst, sizeof(dgst), NULL)));
    FRT_TRY(sign_digest(__func__, key, padding, d, SALT_DIGEST, dgst, sig, sig_cap, sig_len));
    frt_service_approved();
out:
    return rv;
}

FIPSRT_API int fipsrt_rsa_sign_digest(const fipsrt_key *key, fipsrt_rsa_padding padding,
                                      fipsrt_hash_alg hash, const uint8_t *digest,
                                      size_t digest_len, uint8_t *sig, size_t sig_cap,
                                      size_t *sig_len)
{
    int rv = FIPSRT_OK;
    const struct frt_hash_desc *d;
    FRT_ARG(sig_len != NULL);
    FRT_ARG(digest != NULL);
    FRT_TRY(check_key(__func__, key, true));
    FRT_TRY(check_sig_padding(__func__, padding));
    FRT_TRY(rsa_hash(__func__, hash, false, "signing", &d));
    FRT_CHECK(digest_len == d->size, FIPSRT_E_INVALID_ARG, "%s digest must be %zu bytes, got %zu",
              d->name, d->size, digest_len);
    FRT_TRY(sign_digest(__func__, key, padding, d, SALT_DIGEST, digest, sig, sig_cap, sig_len));
    frt_service_approved();
out:
    return rv;
}

FIPSRT_API int fipsrt_rsa_verify(const fipsrt_key *key, fipsrt_rsa_padding padding,
                                 fipsrt_hash_alg hash, const void *msg, size_t msg_len,
                                 const uint8_t *sig, size_t sig_len)
{
    int rv = FIPSRT_OK;
    const struct frt_hash_desc *d;
    uint8_t dgst[FIPSRT_HASH_MAX_SIZE];
    FRT_ARG(msg != NULL || msg_len == 0);
    FRT_ARG(sig != NULL);
    FRT_TRY(check_key(__func__, key, false));
    FRT_TRY(check_sig_padding(__func__, padding));
    FRT_TRY(rsa_hash(__func__, hash, true, "verification", &d));
    FRT_TRY(FRT_UNCOUNTED(fipsrt_hash(hash, msg, msg_len, dgst, sizeof(dgst), NULL)));
    FRT_TRY(verify_digest(__func__, key, padding, d, SALT_DIGEST, dgst, sig, sig_len));
    frt_service_approved();
out:
    return rv;
}

FIPSRT_API int fipsrt_rsa_verify_digest(const fipsrt_key *key, fipsrt_rsa_padding padding,
                                        fipsrt_hash_alg hash, const uint8_t *digest,
                                        size_t digest_len, const uint8_t *sig,
                                        size_t sig_len)
{
    int rv = FIPSRT_OK;
    const struct frt_hash_desc *d;
    FRT_ARG(digest != NULL);
    FRT_ARG(sig != NULL);
    FRT_TRY(check_key(__func__, key, false));
    FRT_TRY(check_sig_padding(__func__, padding));
    FRT_TRY(rsa_hash(__func__, hash, true, "verification", &d));
    FRT_CHECK(digest_len == d->size, FIPSRT_E_INVALID_ARG, "%s digest must be %zu bytes, got %zu",
              d->name, d->size, digest_len);
    FRT_TRY(verify_digest(__func__, key, padding, d, SALT_DIGEST, digest, sig, sig_len));
    frt_service_approved();
out:
    return rv;
}

FIPSRT_API int fipsrt_rsa_pss_sign_digest(const fipsrt_key *key, fipsrt_hash_alg hash,
                                          int salt_len, const uint8_t *digest,
                                          size_t digest_len, uint8_t *sig, size_t sig_cap,
                                          size_t *sig_len)
{
    int rv = FIPSRT_OK;
    const struct frt_hash_desc *d;
    FRT_ARG(sig_len != NULL);
    FRT_ARG(digest != NULL);
    FRT_TRY(check_key(__func__, key, true));
    FRT_TRY(rsa_hash(__func__, hash, false, "signing", &d));
    FRT_CHECK(digest_len == d->size, FIPSRT_E_INVALID_ARG, "%s digest must be %zu bytes, got %zu",
              d->name, d->size, digest_len);
    FRT_CHECK(salt_len != SALT_DIGEST, FIPSRT_E_NOT_APPROVED, "PSS salt of %d bytes", salt_len);
    FRT_TRY(check_salt(__func__, d, salt_len, false));
    FRT_TRY(sign_digest(__func__, key, FIPSRT_RSA_PSS, d, salt_len, digest, sig, sig_cap,
                        sig_len));
    frt_service_approved();
out:
    return rv;
}

FIPSRT_API int fipsrt_rsa_pss_verify_digest(const fipsrt_key *key, fipsrt_hash_alg hash,
                                            int salt_len, const uint8_t *digest,
                                            size_t digest_len, const uint8_t *sig,
                                            size_t sig_len)
{
    int rv = FIPSRT_OK;
    const struct frt_hash_desc *d;
    FRT_ARG(digest != NULL);
    FRT_ARG(sig != NULL);
    FRT_TRY(check_key(__func__, key, false));
    FRT_TRY(rsa_hash(__func__, hash, true, "verification", &d));
    FRT_CHECK(digest_len == d->size, FIPSRT_E_INVALID_ARG, "%s digest must be %zu bytes, got %zu",
              d->name, d->size, digest_len);
    FRT_CHECK(salt_len != SALT_DIGEST, FIPSRT_E_NOT_APPROVED, "PSS salt of %d bytes", salt_len);
    FRT_TRY(check_salt(__func__, d, salt_len, true));
    FRT_TRY(verify_digest(__func__, key, FIPSRT_RSA_PSS, d, salt_len, digest, sig, sig_len));
    frt_service_approved();
out:
    return rv;
}

FIPSRT_API int fipsrt_rsa_verify_is_legacy(const fipsrt_key *key, fipsrt_hash_alg hash)
{
    return fipsrt_key_is_legacy(key) || hash == FIPSRT_HASH_SHA1;
}

/* ---- OAEP ------------------------------------------------------------------------------ */

/* Shared checks of encrypt and decrypt; sets the OAEP parameters and the plaintext limit. */
static int oaep_setup(const char *func, const fipsrt_key *key, fipsrt_rsa_padding padding,
                      fipsrt_hash_alg hash, const uint8_t *label, size_t label_len,
                      bool decrypting, OSSL_PARAM params[5], size_t *max_pt)
{
    int rv = FIPSRT_OK;
    const struct frt_hash_desc *d;
    FRT_TRY(check_key(func, key, decrypting));
    FRT_TRY(check_enc_padding(func, padding));
    FRT_TRY(rsa_hash(func, hash, false, "OAEP", &d));
    if (label == NULL && label_len > 0)
        return frt_error(func, FIPSRT_E_INVALID_ARG, "invalid argument: label != NULL");
    /* SP 800-131A: a key under 2048 bits may only verify. */
    if (fipsrt_key_is_legacy(key))
        return frt_error(func, FIPSRT_E_NOT_APPROVED,
                         "RSA key of %u bits may only verify (SP 800-131A)",
                         fipsrt_key_get_bits(key));
    size_t k = fipsrt_rsa_size(key);
    if (k < 2 * d->size + 2)
        return frt_error(func, FIPSRT_E_INVALID_ARG, "key too small for OAEP with %s", d->name);
    *max_pt = k - 2 * d->size - 2;
    OSSL_PARAM *p = params;
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_ASYM_CIPHER_PARAM_PAD_MODE,
                                            OSSL_PKEY_RSA_PAD_MODE_OAEP, 0);
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST,
                                            (char *)d->name, 0);
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST,
                                            (char *)d->name, 0);
    if (label_len > 0)   /* the provider keeps its own copy */
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL,
                                                 (void *)label, label_len);
    *p = OSSL_PARAM_construct_end();
out:
    return rv;
}

FIPSRT_API size_t fipsrt_rsa_oaep_max_plaintext(const fipsrt_key *key, fipsrt_hash_alg hash)
{
    size_t k = fipsrt_rsa_size(key), h = fipsrt_hash_size(hash);
    if (k == 0 || h == 0 || hash == FIPSRT_HASH_SHA1 || fipsrt_key_is_legacy(key) ||
        k < 2 * h + 2)
        return 0;
    return k - 2 * h - 2;
}

FIPSRT_API int fipsrt_rsa_encrypt(const fipsrt_key *key, fipsrt_rsa_padding padding,
                                  fipsrt_hash_alg hash, const uint8_t *label, size_t label_len,
                                  const uint8_t *msg, size_t msg_len, uint8_t *out,
                                  size_t out_cap, size_t *out_len)
{
    int rv = FIPSRT_OK;
    EVP_PKEY_CTX *ctx = NULL;
    OSSL_PARAM params[5];
    size_t max_pt = 0;
    FRT_ARG(out_len != NULL);
    FRT_ARG(msg != NULL || msg_len == 0);
    FRT_TRY(oaep_setup(__func__, key, padding, hash, label, label_len, false, params, &max_pt));
    FRT_CHECK(msg_len <= max_pt, FIPSRT_E_INVALID_ARG,
              "plaintext of %zu bytes exceeds the OAEP limit of %zu", msg_len, max_pt);
    size_t k = fipsrt_rsa_size(key);
    *out_len = k;
    FRT_CHECK(out_cap >= k, FIPSRT_E_BUFFER_TOO_SMALL, "output needs %zu bytes, got %zu", k,
              out_cap);
    FRT_ARG(out != NULL);
    FRT_OSSL_PTR(ctx, EVP_PKEY_CTX_new_from_pkey(frt_libctx(), frt_key_pkey(key), FRT_PROPQ),
                 FIPSRT_E_NOMEM);
    /* SP 800-56B 6.4.2.2: the sender checks the recipient's public key (e >= 65537, odd
     * composite modulus without small factors). */
    FRT_OSSL(EVP_PKEY_public_check(ctx), FIPSRT_E_NOT_APPROVED);
    EVP_PKEY_CTX_free(ctx);
    ctx = NULL;
    FRT_TRY(op_ctx(&ctx, key, EVP_PKEY_encrypt_init_ex, params,
                   EVP_ASYM_CIPHER_get0_provider(frt_asym_cipher(FRT_ASYM_RSA))));
    FRT_OSSL(EVP_PKEY_encrypt(ctx, out, out_len, msg, msg_len), FIPSRT_E_PROVIDER);
    frt_service_approved();
out:
    EVP_PKEY_CTX_free(ctx);
    return rv;
}

FIPSRT_API int fipsrt_rsa_decrypt(const fipsrt_key *key, fipsrt_rsa_padding padding,
                                  fipsrt_hash_alg hash, const uint8_t *label, size_t label_len,
                                  const uint8_t *ct, size_t ct_len, uint8_t *out,
                                  size_t out_cap, size_t *out_len)
{
    int rv = FIPSRT_OK;
    EVP_PKEY_CTX *ctx = NULL;
    OSSL_PARAM params[5];
    size_t max_pt = 0, k = 0, len = 0;
    uint8_t *tmp = NULL;
    FRT_ARG(out_len != NULL);
    FRT_ARG(ct != NULL);
    FRT_TRY(oaep_setup(__func__, key, padding, hash, label, label_len, true, params, &max_pt));
    /* A buffer for the longest plaintext: its length can then never decide the outcome. */
    *out_len = max_pt;
    FRT_CHECK(out_cap >= max_pt, FIPSRT_E_BUFFER_TOO_SMALL, "output needs %zu bytes, got %zu",
              max_pt, out_cap);
    FRT_ARG(out != NULL);
    *out_len = 0;
    OPENSSL_cleanse(out, max_pt);   /* every failure from here leaves it zeroed (rsa.h) */
    k = fipsrt_rsa_size(key);
    FRT_CHECK(ct_len == k, FIPSRT_E_VERIFY_FAILED, "ciphertext must be %zu bytes, got %zu", k,
              ct_len);
    /* The provider wants room for k bytes; the plaintext passes through secure memory. */
    FRT_CHECK((tmp = OPENSSL_secure_zalloc(k)) != NULL, FIPSRT_E_NOMEM, "out of memory");
    FRT_TRY(op_ctx(&ctx, key, EVP_PKEY_decrypt_init_ex, params,
                   EVP_ASYM_CIPHER_get0_provider(frt_asym_cipher(FRT_ASYM_RSA))));
    /* OpenSSL's OAEP decoding is constant-time and raises one error for every padding
     * failure; every failure maps to one code and one text, and no output is left. */
    len = k;
    if (EVP_PKEY_decrypt(ctx, tmp, &len, ct, ct_len) <= 0 || len > max_pt) {
        ERR_clear_error();
        rv = frt_error(__func__, FIPSRT_E_VERIFY_FAILED, "OAEP decryption failed");
        goto out;
    }
    memcpy(out, tmp, len);
    *out_len = len;
    frt_service_approved();
out:
    OPENSSL_secure_clear_free(tmp, k);
    EVP_PKEY_CTX_free(ctx);
    return rv;
}
