/* SPDX-License-Identifier: Apache-2.0 */
/* ECDSA (FIPS 186-4) sign and verify, DER and IEEE P1363 encodings. */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>

#include <fipsrt/ecdsa.h>

#include "internal.h"

/* Bytes of a field element (and of r, s in P1363) per curve; 0 if unknown. */
static size_t field_size(fipsrt_ec_curve curve)
{
    switch (curve) {
    case FIPSRT_EC_P256: return 32;
    case FIPSRT_EC_P384: return 48;
    case FIPSRT_EC_P521: return 66;
    }
    return 0;
}

/* DER of SEQUENCE { INTEGER r, INTEGER s } with r, s up to `fs` bytes (+1 for a sign). */
static size_t der_max(size_t fs)
{
    size_t body = 2 * (2 + fs + (fs == 66 ? 0 : 1));   /* P-521: top byte is at most 0x01 */
    return body + (body < 128 ? 2 : 3);
}

FIPSRT_API size_t fipsrt_ecdsa_max_size(fipsrt_ec_curve curve, fipsrt_ecdsa_format format)
{
    size_t fs = field_size(curve);
    if (fs == 0)
        return 0;
    switch (format) {
    case FIPSRT_ECDSA_DER: return der_max(fs);
    case FIPSRT_ECDSA_P1363: return 2 * fs;
    }
    return 0;
}

/* The hash for an ECDSA operation: MD5 and XOFs refused, SHA-1 only for verification. */
static int sig_hash(const char *func, fipsrt_hash_alg alg, bool signing,
                    const struct frt_hash_desc **d)
{
    int rv = frt_hash_lookup(func, alg, d);
    if (rv < 0)
        return rv;
    if ((*d)->xof)
        return frt_error(func, FIPSRT_E_INVALID_ARG, "ECDSA is not defined over %s here",
                         (*d)->name);
    /* SP 800-131A: SHA-1 signature generation is disallowed; verification is legacy use. */
    if (signing && alg == FIPSRT_HASH_SHA1)
        return frt_error(func, FIPSRT_E_NOT_APPROVED,
                         "ECDSA signing with SHA-1 is not approved (SP 800-131A)");
    return FIPSRT_OK;
}

/* Common argument and key checks of the four entry points. */
static int check_key(const char *func, const fipsrt_key *key, fipsrt_ecdsa_format format,
                     bool signing)
{
    if (key == NULL)
        return frt_error(func, FIPSRT_E_INVALID_ARG, "invalid argument: key != NULL");
    if (format != FIPSRT_ECDSA_DER && format != FIPSRT_ECDSA_P1363)
        return frt_error(func, FIPSRT_E_INVALID_ARG, "unknown signature format %d",
                         (int)format);
    if (fipsrt_key_get_type(key) != FIPSRT_KEY_EC)
        return frt_error(func, FIPSRT_E_KEY_TYPE, "ECDSA needs an EC key");
    if (signing && !fipsrt_key_has_private(key))
        return frt_error(func, FIPSRT_E_KEY_TYPE, "a public-only key cannot sign");
    return FIPSRT_OK;
}

/*
 * A fresh context on the shared key for one sign or verify with digest `d` (contexts are
 * never shared between threads): a copy of the key's template for (operation, digest),
 * which checked once that the table's ECDSA implementation serves it.
 */
static int op_ctx(EVP_PKEY_CTX **ctx, const fipsrt_key *key, const struct frt_hash_desc *d,
                  bool signing)
{
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, (char *)d->name, 0),
        OSSL_PARAM_construct_end(),
    };
    /* Slots: sign 0..15, verify 48..63 (RSA uses the others), by hash. */
    return frt_key_op_ctx(key, (signing ? 0 : 48) + (unsigned)d->alg,
                          signing ? EVP_PKEY_sign_init_ex : EVP_PKEY_verify_init_ex, params,
                          EVP_SIGNATURE_get0_provider(frt_signature(FRT_SIG_ECDSA)), ctx);
}

/* Strict DER -> r || s of `fs` bytes each (`out` has room for 2 * fs). */
static int der_to_raw(const char *func, int code, size_t fs, const uint8_t *der,
                      size_t der_len, uint8_t *out)
{
    int rv = FIPSRT_OK;
    ECDSA_SIG *sig = NULL;
    unsigned char *again = NULL;
    const unsigned char *p = der;
    const BIGNUM *r, *s;

    ERR_set_mark();
    sig = der_len <= 1024 ? d2i_ECDSA_SIG(NULL, &p, (long)der_len) : NULL;
    if (sig == NULL)
        ERR_clear_last_mark();   /* the detail (and an out-of-memory reason) keeps them */
    else
        ERR_pop_to_mark();
    if (sig == NULL || p != der + der_len) {
        rv = frt_error(func, code, "signature is not a DER Ecdsa-Sig-Value%s",
                       sig ? " (trailing bytes)" : "");
        goto out;
    }
    /* DER is unique: re-encoding must give the same bytes (no BER, no padding). */
    int n = i2d_ECDSA_SIG(sig, &again);
    if (n < 0) {
        rv = frt_ossl_error(func, FIPSRT_E_NOMEM, "i2d_ECDSA_SIG");
        goto out;
    }
    if ((size_t)n != der_len || memcmp(again, der, der_len) != 0) {
        rv = frt_error(func, code, "signature is not minimal DER");
        goto out;
    }
    ECDSA_SIG_get0(sig, &r, &s);
    if (BN_is_negative(r) || BN_is_negative(s) || (size_t)BN_num_bytes(r) > fs ||
        (size_t)BN_num_bytes(s) > fs) {
        rv = frt_error(func, code, "r or s is negative or wider than the field");
        goto out;
    }
    if (BN_bn2binpad(r, out, (int)fs) < 0 || BN_bn2binpad(s, out + fs, (int)fs) < 0) {
        rv = frt_ossl_error(func, FIPSRT_E_INTERNAL, "BN_bn2binpad");
        goto out;
    }
out:
    OPENSSL_free(again);
    ECDSA_SIG_free(sig);
    return rv;
}

/* r || s of `fs` bytes each -> DER in a fresh buffer (free with OPENSSL_free). */
static int raw_to_der(const char *func, size_t fs, const uint8_t *raw, uint8_t **der,
                      size_t *der_len)
{
    int rv = FIPSRT_OK;
    ECDSA_SIG *sig = NULL;
    BIGNUM *r = NULL, *s = NULL;
    unsigned char *buf = NULL;
    if ((sig = ECDSA_SIG_new()) == NULL || (r = BN_bin2bn(raw, (int)fs, NULL)) == NULL ||
        (s = BN_bin2bn(raw + fs, (int)fs, NULL)) == NULL || !ECDSA_SIG_set0(sig, r, s)) {
        BN_free(r);
        BN_free(s);
        rv = frt_ossl_error(func, FIPSRT_E_NOMEM, "ECDSA_SIG_set0");
        goto out;
    }
    int n = i2d_ECDSA_SIG(sig, &buf);
    if (n <= 0) {
        rv = frt_ossl_error(func, FIPSRT_E_NOMEM, "i2d_ECDSA_SIG");
        goto out;
    }
    *der = buf;
    *der_len = (size_t)n;
out:
    ECDSA_SIG_free(sig);
    return rv;
}

/* Sign `dgst` (already checked: the size of `d`) into the caller's buffer. */
static int sign_digest(const char *func, const fipsrt_key *key, const struct frt_hash_desc *d,
                       fipsrt_ecdsa_format format, const uint8_t *dgst, uint8_t *sig,
                       size_t sig_cap, size_t *sig_len)
{
    int rv = FIPSRT_OK;
    EVP_PKEY_CTX *ctx = NULL;
    uint8_t der[FIPSRT_ECDSA_MAX_SIZE];
    size_t der_len = sizeof(der);
    fipsrt_ec_curve curve = fipsrt_key_get_curve(key);
    size_t need = fipsrt_ecdsa_max_size(curve, format);

    *sig_len = need;
    if (sig_cap < need)
        return frt_error(func, FIPSRT_E_BUFFER_TOO_SMALL,
                         "signature buffer needs %zu bytes, got %zu", need, sig_cap);
    if (sig == NULL)
        return frt_error(func, FIPSRT_E_INVALID_ARG, "invalid argument: sig != NULL");
    ERR_set_mark();
    FRT_TRY(op_ctx(&ctx, key, d, true));
    /* The provider draws k from its DRBG (FIPS 186-4 B.5.2) and checks r, s != 0. */
    FRT_OSSL(EVP_PKEY_sign(ctx, der, &der_len, dgst, d->size), FIPSRT_E_PROVIDER);
    if (format == FIPSRT_ECDSA_P1363) {
        FRT_TRY(der_to_raw(func, FIPSRT_E_INTERNAL, field_size(curve), der, der_len, sig));
        *sig_len = 2 * field_size(curve);
    } else {
        memcpy(sig, der, der_len);
        *sig_len = der_len;
    }
out:
    if (rv == FIPSRT_OK)
        ERR_pop_to_mark();   /* SPEC 1.6: failures OpenSSL absorbed are not the caller's */
    else
        ERR_clear_last_mark();
    EVP_PKEY_CTX_free(ctx);
    return rv;
}

/* Verify `sig` over `dgst` (the size of `d`); every bad signature is VERIFY_FAILED. */
static int verify_digest(const char *func, const fipsrt_key *key, const struct frt_hash_desc *d,
                         fipsrt_ecdsa_format format, const uint8_t *dgst, const uint8_t *sig,
                         size_t sig_len)
{
    int rv = FIPSRT_OK;
    EVP_PKEY_CTX *ctx = NULL;
    uint8_t *der = NULL;
    size_t der_len = 0;
    size_t fs = field_size(fipsrt_key_get_curve(key));

    if (format == FIPSRT_ECDSA_P1363 && sig_len != 2 * fs)
        return frt_error(func, FIPSRT_E_VERIFY_FAILED,
                         "P1363 signature must be %zu bytes, got %zu", 2 * fs, sig_len);
    if (format == FIPSRT_ECDSA_DER && (sig_len == 0 || sig_len > der_max(fs)))
        return frt_error(func, FIPSRT_E_VERIFY_FAILED,
                         "DER signature of %zu bytes is out of range", sig_len);
    if (format == FIPSRT_ECDSA_P1363) {
        FRT_TRY(raw_to_der(func, fs, sig, &der, &der_len));
        sig = der;
        sig_len = der_len;
    }
    FRT_TRY(op_ctx(&ctx, key, d, false));
    /* The provider insists on strict DER and 0 < r, s < n; all failures look alike here. */
    if (EVP_PKEY_verify(ctx, sig, sig_len, dgst, d->size) != 1)
        rv = frt_error(func, FIPSRT_E_VERIFY_FAILED, "ECDSA signature does not verify");
out:
    OPENSSL_free(der);
    EVP_PKEY_CTX_free(ctx);
    return rv;
}

FIPSRT_API int fipsrt_ecdsa_sign(const fipsrt_key *key, fipsrt_hash_alg hash,
                                 fipsrt_ecdsa_format format, const void *msg, size_t msg_len,
                                 uint8_t *sig, size_t sig_cap, size_t *sig_len)
{
    int rv = FIPSRT_OK;
    const struct frt_hash_desc *d;
    uint8_t dgst[FIPSRT_HASH_MAX_SIZE];
    FRT_ARG(sig_len != NULL);
    FRT_ARG(msg != NULL || msg_len == 0);
    FRT_TRY(check_key(__func__, key, format, true));
    FRT_TRY(sig_hash(__func__, hash, true, &d));
    /* Hash-then-sign: the digest comes from the provider's SHA, as EVP_DigestSign does. */
    FRT_TRY(FRT_UNCOUNTED(fipsrt_hash(hash, msg, msg_len, dgst, sizeof(dgst), NULL)));
    FRT_TRY(sign_digest(__func__, key, d, format, dgst, sig, sig_cap, sig_len));
    frt_service_approved();
out:
    return rv;
}

FIPSRT_API int fipsrt_ecdsa_sign_digest(const fipsrt_key *key, fipsrt_hash_alg hash,
                                        fipsrt_ecdsa_format format, const uint8_t *digest,
                                        size_t digest_len, uint8_t *sig, size_t sig_cap,
                                        size_t *sig_len)
{
    int rv = FIPSRT_OK;
    const struct frt_hash_desc *d;
    FRT_ARG(sig_len != NULL);
    FRT_ARG(digest != NULL);
    FRT_TRY(check_key(__func__, key, format, true));
    FRT_TRY(sig_hash(__func__, hash, true, &d));
    FRT_CHECK(digest_len == d->size, FIPSRT_E_INVALID_ARG, "%s digest must be %zu bytes, got %zu",
              d->name, d->size, digest_len);
    FRT_TRY(sign_digest(__func__, key, d, format, digest, sig, sig_cap, sig_len));
    frt_service_approved();
out:
    return rv;
}

FIPSRT_API int fipsrt_ecdsa_verify(const fipsrt_key *key, fipsrt_hash_alg hash,
                                   fipsrt_ecdsa_format format, const void *msg, size_t msg_len,
                                   const uint8_t *sig, size_t sig_len)
{
    int rv = FIPSRT_OK;
    const struct frt_hash_desc *d;
    uint8_t dgst[FIPSRT_HASH_MAX_SIZE];
    FRT_ARG(msg != NULL || msg_len == 0);
    FRT_ARG(sig != NULL);
    FRT_TRY(check_key(__func__, key, format, false));
    FRT_TRY(sig_hash(__func__, hash, false, &d));
    FRT_TRY(FRT_UNCOUNTED(fipsrt_hash(hash, msg, msg_len, dgst, sizeof(dgst), NULL)));
    FRT_TRY(verify_digest(__func__, key, d, format, dgst, sig, sig_len));
    frt_service_approved();
out:
    return rv;
}

FIPSRT_API int fipsrt_ecdsa_verify_digest(const fipsrt_key *key, fipsrt_hash_alg hash,
                                          fipsrt_ecdsa_format format, const uint8_t *digest,
                                          size_t digest_len, const uint8_t *sig,
                                          size_t sig_len)
{
    int rv = FIPSRT_OK;
    const struct frt_hash_desc *d;
    FRT_ARG(digest != NULL);
    FRT_ARG(sig != NULL);
    FRT_TRY(check_key(__func__, key, format, false));
    FRT_TRY(sig_hash(__func__, hash, false, &d));
    FRT_CHECK(digest_len == d->size, FIPSRT_E_INVALID_ARG, "%s digest must be %zu bytes, got %zu",
              d->name, d->size, digest_len);
    FRT_TRY(verify_digest(__func__, key, d, format, digest, sig, sig_len));
    frt_service_approved();
out:
    return rv;
}

FIPSRT_API int fipsrt_ecdsa_verify_is_legacy(fipsrt_hash_alg hash)
{
    return hash == FIPSRT_HASH_SHA1;
}

FIPSRT_API int fipsrt_ecdsa_der_to_p1363(fipsrt_ec_curve curve, const uint8_t *der,
                                         size_t der_len, uint8_t *out, size_t out_cap,
                                         size_t *out_len)
{
    int rv = FIPSRT_OK;
    uint8_t raw[2 * 66];
    size_t fs = field_size(curve);
    frt_init();
    FRT_ARG(out_len != NULL);
    FRT_CHECK(fs != 0, FIPSRT_E_INVALID_ARG, "unknown curve %d", (int)curve);
    FRT_ARG(der != NULL);
    *out_len = 2 * fs;
    FRT_CHECK(out_cap >= 2 * fs, FIPSRT_E_BUFFER_TOO_SMALL, "output needs %zu bytes, got %zu",
              2 * fs, out_cap);
    FRT_ARG(out != NULL);
    FRT_TRY(der_to_raw(__func__, FIPSRT_E_MALFORMED, fs, der, der_len, raw));
    memcpy(out, raw, 2 * fs);
out:
    return rv;
}

FIPSRT_API int fipsrt_ecdsa_p1363_to_der(fipsrt_ec_curve curve, const uint8_t *p1363,
                                         size_t p1363_len, uint8_t *out, size_t out_cap,
                                         size_t *out_len)
{
    int rv = FIPSRT_OK;
    uint8_t *der = NULL;
    size_t der_len = 0, fs = field_size(curve);
    frt_init();
    FRT_ARG(out_len != NULL);
    FRT_CHECK(fs != 0, FIPSRT_E_INVALID_ARG, "unknown curve %d", (int)curve);
    FRT_ARG(p1363 != NULL);
    FRT_CHECK(p1363_len == 2 * fs, FIPSRT_E_MALFORMED,
              "P1363 signature for this curve must be %zu bytes, got %zu", 2 * fs, p1363_len);
    FRT_TRY(raw_to_der(__func__, fs, p1363, &der, &der_len));
    *out_len = der_len;
    FRT_CHECK(out_cap >= der_len, FIPSRT_E_BUFFER_TOO_SMALL, "output needs %zu bytes, got %zu",
              der_len, out_cap);
    FRT_ARG(out != NULL);
    memcpy(out, der, der_len);
out:
    OPENSSL_free(der);
    return rv;
}
