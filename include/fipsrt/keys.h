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

/** Container encodings for import and export. Values are ABI. */
typedef enum fipsrt_key_encoding {
    FIPSRT_KEY_DER = 1,   /**< binary ASN.1 DER */
    FIPSRT_KEY_PEM = 2,   /**< RFC 7468 text ("-----BEGIN PRIVATE KEY-----" ...), no NUL added */
} fipsrt_key_encoding;

/** Iterations of PBKDF2-HMAC-SHA-256 used by fipsrt_key_export_private() with a password. */
#define FIPSRT_KEY_PBKDF2_ITERATIONS 100000

/**
 * Import a private key from PKCS#8 (RFC 5208/5958): `PrivateKeyInfo`, or
 * `EncryptedPrivateKeyInfo` with PBES2 (PBKDF2 + AES-CBC), as `openssl genpkey`,
 * `openssl pkcs8 -topk8 -v2 aes-256-cbc` and fipsrt_key_export_private() write them.
 * PEM input must hold exactly one "PRIVATE KEY" or "ENCRYPTED PRIVATE KEY" block; text
 * before it is ignored (as OpenSSL does), anything but whitespace after it is refused.
 * The key's private and public parts are checked against each other (pairwise check).
 *
 * @param[out] out new key (fipsrt_key_has_private() is 1); set to NULL on failure
 * @param data, len   the encoding (@p data may not be NULL)
 * @param password, password_len  for an encrypted key; NULL for a plain one
 * @return 0;
 *   FIPSRT_E_INVALID_ARG (NULL @p out or @p data, unknown @p enc, encrypted key without
 *   password: its encryption is checked first, so NOT_APPROVED may come instead);
 *   FIPSRT_E_MALFORMED (empty, truncated, trailing data, bad base64 or DER, inconsistent key);
 *   FIPSRT_E_UNSUPPORTED (pre-PKCS#8 "RSA/EC PRIVATE KEY" PEM, RSASSA-PSS-restricted keys,
 *   more than 5000000 PBKDF2 iterations);
 *   FIPSRT_E_NOT_APPROVED (curve other than P-256/384/521, X25519/Ed25519/X448/Ed448, DSA,
 *   any other algorithm, RSA < 2048 bits or public exponent outside 2^16 < e < 2^256,
 *   encryption other than PBES2 with PBKDF2 (PRF HMAC-SHA-1/SHA-2/SHA-3) and AES);
 *   FIPSRT_E_VERIFY_FAILED (wrong password or corrupted ciphertext);
 *   FIPSRT_E_KEY_TYPE (a PEM "PUBLIC KEY" block); FIPSRT_E_NOMEM.
 */
FIPSRT_API int fipsrt_key_import_private(fipsrt_key **out, fipsrt_key_encoding enc,
                                         const uint8_t *data, size_t len,
                                         const char *password, size_t password_len);

/**
 * Import a public key from X.509 SubjectPublicKeyInfo (DER, or one PEM "PUBLIC KEY" block).
 * EC points get the full public-key validation of SP 800-56A 5.6.2.3.3 (on the curve, in
 * the prime-order subgroup). RSA keys of 1024..2047 bits load as legacy verify-only keys.
 *
 * @return 0, FIPSRT_E_INVALID_ARG, FIPSRT_E_MALFORMED (bad encoding, invalid EC point, RSA
 *   modulus or exponent even, e <= 1 or e >= n),
 *   FIPSRT_E_UNSUPPORTED (RSASSA-PSS-restricted keys, PKCS#1 "RSA PUBLIC KEY" PEM),
 *   FIPSRT_E_NOT_APPROVED (as for private keys; RSA < 1024 bits), FIPSRT_E_KEY_TYPE (a PEM
 *   private key block), FIPSRT_E_NOMEM
 */
FIPSRT_API int fipsrt_key_import_public(fipsrt_key **out, fipsrt_key_encoding enc,
                                        const uint8_t *data, size_t len);

/**
 * Import an EC public key from an uncompressed point 0x04 || X || Y (SEC 1 2.3.3; 65, 97 or
 * 133 bytes), validated as fipsrt_key_import_public() does.
 * @return 0, FIPSRT_E_INVALID_ARG (NULL, unknown curve), FIPSRT_E_MALFORMED (wrong length,
 *   not uncompressed, not a valid point), FIPSRT_E_NOMEM
 */
FIPSRT_API int fipsrt_key_import_ec_point(fipsrt_key **out, fipsrt_ec_curve curve,
                                          const uint8_t *point, size_t point_len);

/**
 * Import an EC private key from its raw scalar (big-endian, exactly the field size: 32, 48
 * or 66 bytes, as in a JWK "d") and its uncompressed public point (as above).
 * @return 0, FIPSRT_E_INVALID_ARG, FIPSRT_E_MALFORMED (lengths, invalid point, scalar out of
 *   range, scalar and point do not match), FIPSRT_E_NOMEM
 */
FIPSRT_API int fipsrt_key_import_ec_private(fipsrt_key **out, fipsrt_ec_curve curve,
                                            const uint8_t *d, size_t d_len,
                                            const uint8_t *point, size_t point_len);

/**
 * Import an RSA public key from its modulus and public exponent (big-endian unsigned,
 * leading zeros allowed), e.g. from a JWK or a CAVP file. Sizes as for
 * fipsrt_key_import_public(); @p e must be odd and > 1.
 * @return 0, FIPSRT_E_INVALID_ARG (NULL, zero lengths), FIPSRT_E_MALFORMED (even modulus or
 *   exponent, e <= 1), FIPSRT_E_NOT_APPROVED (< 1024 bits), FIPSRT_E_NOMEM
 */
FIPSRT_API int fipsrt_key_import_rsa_public(fipsrt_key **out, const uint8_t *n, size_t n_len,
                                            const uint8_t *e, size_t e_len);

/**
 * Export a private key as PKCS#8. Without a password: `PrivateKeyInfo` (PEM "PRIVATE KEY").
 * With one: `EncryptedPrivateKeyInfo` (PEM "ENCRYPTED PRIVATE KEY") using PBES2 with
 * PBKDF2-HMAC-SHA-256 (FIPSRT_KEY_PBKDF2_ITERATIONS iterations, 128-bit random salt,
 * SP 800-132) and AES-256-CBC, readable by `openssl pkey -passin` and Python's
 * `load_pem_private_key`. The output holds secrets: cleanse it when done.
 *
 * @param out, out_cap  output buffer; @p out may be NULL when @p out_cap is 0 (size query)
 * @param[out] out_len  bytes written, or needed on FIPSRT_E_BUFFER_TOO_SMALL (required)
 * @return 0, FIPSRT_E_INVALID_ARG (NULL key/out_len, unknown @p enc, empty password, a
 *   @p password_len without a @p password),
 *   FIPSRT_E_KEY_TYPE (public-only key), FIPSRT_E_BUFFER_TOO_SMALL, FIPSRT_E_NOMEM,
 *   FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_key_export_private(const fipsrt_key *key, fipsrt_key_encoding enc,
                                         const char *password, size_t password_len,
                                         uint8_t *out, size_t out_cap, size_t *out_len);

/**
 * Export the public key as SubjectPublicKeyInfo (PEM "PUBLIC KEY"). Works for private keys
 * too. Output conventions as fipsrt_key_export_private().
 * @return 0, FIPSRT_E_INVALID_ARG, FIPSRT_E_BUFFER_TOO_SMALL, FIPSRT_E_NOMEM,
 *   FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_key_export_public(const fipsrt_key *key, fipsrt_key_encoding enc,
                                        uint8_t *out, size_t out_cap, size_t *out_len);

/**
 * Export an EC public key as the uncompressed point 0x04 || X || Y (65, 97 or 133 bytes).
 * @return 0, FIPSRT_E_INVALID_ARG, FIPSRT_E_KEY_TYPE (RSA key), FIPSRT_E_BUFFER_TOO_SMALL,
 *   FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_key_export_ec_point(const fipsrt_key *key, uint8_t *out, size_t out_cap,
                                          size_t *out_len);

/**
 * Export an RSA public key's modulus and exponent (big-endian, minimal length). Each
 * buffer follows the output conventions; on FIPSRT_E_BUFFER_TOO_SMALL both lengths are set.
 * @return 0, FIPSRT_E_INVALID_ARG, FIPSRT_E_KEY_TYPE (EC key), FIPSRT_E_BUFFER_TOO_SMALL,
 *   FIPSRT_E_NOMEM, FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_key_export_rsa_public(const fipsrt_key *key, uint8_t *n, size_t n_cap,
                                            size_t *n_len, uint8_t *e, size_t e_cap,
                                            size_t *e_len);

/**
 * A new key holding only the public half of @p key (which may be public already).
 * @return 0, FIPSRT_E_INVALID_ARG, FIPSRT_E_NOMEM, FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_key_public(fipsrt_key **out, const fipsrt_key *key);

FIPSRT_END_DECLS

#endif /* FIPSRT_KEYS_H */
