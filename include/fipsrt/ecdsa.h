/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file fipsrt/ecdsa.h
 * @brief ECDSA signatures (FIPS 186-4) on P-256, P-384 and P-521.
 *
 * Keys come from fipsrt/keys.h. Messages are hashed inside the FIPS provider with SHA-224,
 * SHA-256, SHA-384, SHA-512, SHA-512/224, SHA-512/256 or SHA3-224..SHA3-512; the *_digest
 * forms take a precomputed digest of exactly that hash's size. All operations are
 * FIPS-approved, except verification with SHA-1, which is allowed as legacy use
 * (SP 800-131A; see fipsrt_ecdsa_verify_is_legacy()). Signing with SHA-1 is refused
 * (FIPSRT_E_NOT_APPROVED), MD5 always (FIPSRT_E_MD5_SECURE), SHAKE is not defined for
 * ECDSA here (FIPSRT_E_INVALID_ARG).
 *
 * Signature encodings: ASN.1 DER `Ecdsa-Sig-Value` (X.509, TLS, `openssl dgst`) or the
 * fixed-width r || s of IEEE P1363 (JOSE/JWS, WebCrypto, PKCS#11), each integer as wide as
 * the curve's field (32, 48 or 66 bytes).
 *
 * Verification returns 0 for a valid signature and FIPSRT_E_VERIFY_FAILED for anything an
 * attacker could send: wrong signature, tampered message, malformed DER (also non-minimal
 * or trailing bytes), wrong P1363 length, r or s zero or not below the group order.
 * High-S signatures (s > n/2) are valid ECDSA and verify, as in FIPS 186-4 and OpenSSL:
 * ECDSA signatures are malleable, so never use their bytes as an identifier.
 *
 * Thread safety: all functions are thread-safe; one key may sign and verify from many
 * threads at once (each call uses its own OpenSSL context).
 */
#ifndef FIPSRT_ECDSA_H
#define FIPSRT_ECDSA_H

#include <fipsrt/defs.h>
#include <fipsrt/hash.h>
#include <fipsrt/keys.h>

FIPSRT_BEGIN_DECLS

/** Signature encodings. Values are ABI. */
typedef enum fipsrt_ecdsa_format {
    FIPSRT_ECDSA_DER = 1,    /**< ASN.1 DER SEQUENCE { r INTEGER, s INTEGER } */
    FIPSRT_ECDSA_P1363 = 2,  /**< fixed-width big-endian r || s */
} fipsrt_ecdsa_format;

/** Largest signature of any curve and format (DER on P-521). */
#define FIPSRT_ECDSA_MAX_SIZE 139

/**
 * Largest signature size for @p curve in @p format (DER: 72, 104, 139; P1363: 64, 96,
 * 132); 0 for unknown values. A signing buffer of this size always suffices.
 */
FIPSRT_API size_t fipsrt_ecdsa_max_size(fipsrt_ec_curve curve, fipsrt_ecdsa_format format);

/**
 * Sign @p msg (hashed with @p hash in the provider) with an EC private key.
 * @param sig, sig_cap  output; @p sig_cap must be at least fipsrt_ecdsa_max_size()
 * @param[out] sig_len  bytes written (DER varies per signature), or the size needed on
 *                      FIPSRT_E_BUFFER_TOO_SMALL; required
 * @return 0, FIPSRT_E_INVALID_ARG (NULL, unknown format, XOF), FIPSRT_E_KEY_TYPE (RSA key
 *   or public-only key), FIPSRT_E_NOT_APPROVED (SHA-1), FIPSRT_E_MD5_SECURE,
 *   FIPSRT_E_BUFFER_TOO_SMALL, FIPSRT_E_NOMEM, FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_ecdsa_sign(const fipsrt_key *key, fipsrt_hash_alg hash,
                                 fipsrt_ecdsa_format format, const void *msg, size_t msg_len,
                                 uint8_t *sig, size_t sig_cap, size_t *sig_len);

/**
 * Sign a precomputed digest (@p digest_len must be fipsrt_hash_size(hash), else
 * FIPSRT_E_INVALID_ARG). Otherwise as fipsrt_ecdsa_sign().
 */
FIPSRT_API int fipsrt_ecdsa_sign_digest(const fipsrt_key *key, fipsrt_hash_alg hash,
                                        fipsrt_ecdsa_format format, const uint8_t *digest,
                                        size_t digest_len, uint8_t *sig, size_t sig_cap,
                                        size_t *sig_len);

/**
 * Verify a signature on @p msg with an EC key (public or private).
 * @return 0 (valid), FIPSRT_E_VERIFY_FAILED (invalid or malformed signature),
 *   FIPSRT_E_INVALID_ARG (NULL, unknown format, XOF), FIPSRT_E_KEY_TYPE (RSA key),
 *   FIPSRT_E_MD5_SECURE, FIPSRT_E_NOMEM, FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_ecdsa_verify(const fipsrt_key *key, fipsrt_hash_alg hash,
                                   fipsrt_ecdsa_format format, const void *msg, size_t msg_len,
                                   const uint8_t *sig, size_t sig_len);

/** Verify a signature on a precomputed digest. Otherwise as fipsrt_ecdsa_verify(). */
FIPSRT_API int fipsrt_ecdsa_verify_digest(const fipsrt_key *key, fipsrt_hash_alg hash,
                                          fipsrt_ecdsa_format format, const uint8_t *digest,
                                          size_t digest_len, const uint8_t *sig,
                                          size_t sig_len);

/**
 * 1 if verifying with @p hash is legacy use (SP 800-131A: SHA-1 signatures may be
 * verified, never made), 0 if approved or not accepted at all.
 */
FIPSRT_API int fipsrt_ecdsa_verify_is_legacy(fipsrt_hash_alg hash);

/**
 * Convert a DER signature to fixed-width r || s for @p curve. Strict DER: non-minimal
 * encodings, negative integers, integers wider than the field and trailing bytes are
 * refused. Output conventions as fipsrt_ecdsa_sign().
 * @return 0, FIPSRT_E_INVALID_ARG, FIPSRT_E_MALFORMED, FIPSRT_E_BUFFER_TOO_SMALL,
 *   FIPSRT_E_NOMEM
 */
FIPSRT_API int fipsrt_ecdsa_der_to_p1363(fipsrt_ec_curve curve, const uint8_t *der,
                                         size_t der_len, uint8_t *out, size_t out_cap,
                                         size_t *out_len);

/**
 * Convert a fixed-width r || s signature (exactly 2 x the field size) for @p curve to DER.
 * @return 0, FIPSRT_E_INVALID_ARG, FIPSRT_E_MALFORMED (wrong length),
 *   FIPSRT_E_BUFFER_TOO_SMALL, FIPSRT_E_NOMEM
 */
FIPSRT_API int fipsrt_ecdsa_p1363_to_der(fipsrt_ec_curve curve, const uint8_t *p1363,
                                         size_t p1363_len, uint8_t *out, size_t out_cap,
                                         size_t *out_len);

FIPSRT_END_DECLS

#endif /* FIPSRT_ECDSA_H */
