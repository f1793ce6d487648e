/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file fipsrt/keys.h
 * @brief Asymmetric keys (EC P-256/P-384/P-521 and RSA): generate, query, import, export.
 *
 * A fipsrt_key is immutable after creation and may be used by many threads at once (each
 * operation works on its own short-lived OpenSSL context). All key material lives in the
 * OpenSSL FIPS provider; generation runs the provider's pairwise consistency test.
 *
 * FIPS policy applied here (before OpenSSL is asked):
 * - EC: only the NIST prime curves P-256, P-384, P-521 (FIPS 186-4 / SP 800-186). Any other
 *   curve (secp256k1, brainpool, X25519, Ed25519, X448, Ed448) -> FIPSRT_E_NOT_APPROVED.
 * - RSA (SP 800-131A): private keys need >= 2048 bits. Public keys of 1024..2047 bits load as
 *   *legacy* keys that may only verify (fipsrt_key_is_legacy()); < 1024 bits is refused.
 */
#ifndef FIPSRT_KEYS_H
#define FIPSRT_KEYS_H

#include <fipsrt/defs.h>

FIPSRT_BEGIN_DECLS

/** An EC or RSA key (private or public-only). Opaque, immutable, thread-shareable. */
typedef struct fipsrt_key fipsrt_key;

/** Key types. Values are ABI. */
typedef enum fipsrt_key_type {
    FIPSRT_KEY_EC = 1,
    FIPSRT_KEY_RSA = 2,
} fipsrt_key_type;

/** Approved elliptic curves. Values are ABI. */
typedef enum fipsrt_ec_curve {
    FIPSRT_EC_P256 = 1,   /**< NIST P-256 (secp256r1, prime256v1) */
    FIPSRT_EC_P384 = 2,   /**< NIST P-384 (secp384r1) */
    FIPSRT_EC_P521 = 3,   /**< NIST P-521 (secp521r1) */
} fipsrt_ec_curve;

/**
 * Generate an EC key pair on @p curve in the FIPS provider (with its pairwise consistency
 * test). FIPS-approved (FIPS 186-4 B.4).
 * @param[out] out new key, to free with fipsrt_key_free(); set to NULL on failure
 * @return 0, FIPSRT_E_INVALID_ARG (NULL @p out, unknown curve), FIPSRT_E_NOMEM,
 *         FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_key_generate_ec(fipsrt_key **out, fipsrt_ec_curve curve);

/**
 * Generate an RSA key pair of @p bits (2048, 3072 or 4096; public exponent 65537) in the
 * FIPS provider (FIPS 186-4 B.3.3, with its pairwise consistency test). 4096-bit keys take
 * about a second or more.
 * @param[out] out new key, to free with fipsrt_key_free(); set to NULL on failure
 * @return 0, FIPSRT_E_INVALID_ARG (NULL @p out), FIPSRT_E_NOT_APPROVED (any other size),
 *         FIPSRT_E_NOMEM, FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_key_generate_rsa(fipsrt_key **out, unsigned bits);

/** Free a key (NULL is a no-op). Private key material is cleansed by the provider. */
FIPSRT_API void fipsrt_key_free(fipsrt_key *key);

/** Type of a key, or 0 for NULL. */
FIPSRT_API fipsrt_key_type fipsrt_key_get_type(const fipsrt_key *key);
/** Curve of an EC key, or 0 for an RSA key or NULL. */
FIPSRT_API fipsrt_ec_curve fipsrt_key_get_curve(const fipsrt_key *key);
/** Size in bits: the modulus for RSA, the field for EC (256, 384, 521); 0 for NULL. */
FIPSRT_API unsigned fipsrt_key_get_bits(const fipsrt_key *key);
/** 1 if the key holds private material, 0 if public-only or NULL. */
FIPSRT_API int fipsrt_key_has_private(const fipsrt_key *key);
/**
 * 1 for a legacy RSA public key of 1024..2047 bits, which may only verify signatures
 * (SP 800-131A "legacy use"); 0 otherwise (and for NULL).
 */
FIPSRT_API int fipsrt_key_is_legacy(const fipsrt_key *key);

FIPSRT_END_DECLS

#endif /* FIPSRT_KEYS_H */
