/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file fipsrt/rsa.h
 * @brief RSA signatures (RSASSA-PSS, RSASSA-PKCS1-v1_5) and RSAES-OAEP encryption.
 *
 * Keys come from fipsrt/keys.h. FIPS policy, enforced before OpenSSL is asked:
 * - SP 800-131A: keys under 2048 bits may only verify (legacy keys, fipsrt_key_is_legacy());
 *   signing and decryption need a private key, which is always >= 2048 bits here, and
 *   encryption with a legacy public key is refused (FIPSRT_E_NOT_APPROVED).
 * - Hashes: SHA-224, SHA-256, SHA-384, SHA-512, SHA-512/224, SHA-512/256, SHA3-224..512.
 *   SHA-1 may only verify (legacy, see fipsrt_rsa_verify_is_legacy()); MD5 ->
 *   FIPSRT_E_MD5_SECURE; SHAKE -> FIPSRT_E_INVALID_ARG.
 * - PKCS#1 v1.5 *encryption* and raw (unpadded) RSA are not approved: there is no function
 *   for them, and asking for them through the padding enum gives FIPSRT_E_NOT_APPROVED.
 * - PSS uses MGF1 with the message hash; the salt is as long as the digest unless a
 *   _pss_ function sets it (FIPS 186-4 5.5: 0 <= salt length <= digest length).
 * - OAEP uses MGF1 with the OAEP hash (SHA-1 refused: FIPSRT_E_NOT_APPROVED), and the
 *   public key must pass the SP 800-56B 6.4.2.2 check (e >= 65537, no small factors).
 *
 * Decryption failures of any kind the ciphertext could cause return one code,
 * FIPSRT_E_VERIFY_FAILED, with no other observable difference (no padding oracle), and
 * leave the output buffer zeroed.
 *
 * Thread safety: all functions are thread-safe; a key may be used by many threads at once.
 */
#ifndef FIPSRT_RSA_H
#define FIPSRT_RSA_H

#include <fipsrt/defs.h>
#include <fipsrt/hash.h>
#include <fipsrt/keys.h>

FIPSRT_BEGIN_DECLS

/** RSA paddings. Values are ABI. */
typedef enum fipsrt_rsa_padding {
    FIPSRT_RSA_PSS = 1,          /**< RSASSA-PSS signatures (PKCS#1 v2.2 8.1) */
    FIPSRT_RSA_PKCS1_V15 = 2,    /**< RSASSA-PKCS1-v1_5 signatures; as encryption: refused */
    FIPSRT_RSA_OAEP = 3,         /**< RSAES-OAEP encryption (PKCS#1 v2.2 7.1) */
    FIPSRT_RSA_NO_PADDING = 4,   /**< raw RSA: always refused with FIPSRT_E_NOT_APPROVED */
} fipsrt_rsa_padding;

/** Salt length for fipsrt_rsa_pss_verify_digest(): accept any length (recovered). */
#define FIPSRT_RSA_PSS_SALT_AUTO (-2)

/** Size in bytes of signatures and ciphertexts of @p key (its modulus); 0 for NULL or EC. */
FIPSRT_API size_t fipsrt_rsa_size(const fipsrt_key *key);

/**
 * Sign @p msg, hashed with @p hash inside the provider, with @p padding (FIPSRT_RSA_PSS
 * with a digest-length salt, or FIPSRT_RSA_PKCS1_V15). FIPS-approved (FIPS 186-4 5.4/5.5).
 * @param sig, sig_cap  output of fipsrt_rsa_size() bytes
 * @param[out] sig_len  bytes written, or needed on FIPSRT_E_BUFFER_TOO_SMALL; required
 * @return 0, FIPSRT_E_INVALID_ARG (NULL, OAEP or unknown padding, XOF), FIPSRT_E_KEY_TYPE
 *   (EC or public-only key), FIPSRT_E_NOT_APPROVED (SHA-1, FIPSRT_RSA_NO_PADDING),
 *   FIPSRT_E_MD5_SECURE, FIPSRT_E_BUFFER_TOO_SMALL, FIPSRT_E_NOMEM, FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_rsa_sign(const fipsrt_key *key, fipsrt_rsa_padding padding,
                               fipsrt_hash_alg hash, const void *msg, size_t msg_len,
                               uint8_t *sig, size_t sig_cap, size_t *sig_len);

/** Sign a precomputed digest (exactly fipsrt_hash_size(hash) bytes). As fipsrt_rsa_sign(). */
FIPSRT_API int fipsrt_rsa_sign_digest(const fipsrt_key *key, fipsrt_rsa_padding padding,
                                      fipsrt_hash_alg hash, const uint8_t *digest,
                                      size_t digest_len, uint8_t *sig, size_t sig_cap,
                                      size_t *sig_len);

/**
 * Verify a signature on @p msg (PSS: the salt must be digest-length). Legacy keys and SHA-1
 * verify (legacy use). @p sig_len must equal fipsrt_rsa_size(key).
 * @return 0 (valid), FIPSRT_E_VERIFY_FAILED (invalid signature, wrong length, tampered
 *   message), FIPSRT_E_INVALID_ARG, FIPSRT_E_KEY_TYPE (EC key), FIPSRT_E_NOT_APPROVED
 *   (FIPSRT_RSA_NO_PADDING), FIPSRT_E_MD5_SECURE, FIPSRT_E_NOMEM, FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_rsa_verify(const fipsrt_key *key, fipsrt_rsa_padding padding,
                                 fipsrt_hash_alg hash, const void *msg, size_t msg_len,
                                 const uint8_t *sig, size_t sig_len);

/** Verify a signature on a precomputed digest. As fipsrt_rsa_verify(). */
FIPSRT_API int fipsrt_rsa_verify_digest(const fipsrt_key *key, fipsrt_rsa_padding padding,
                                        fipsrt_hash_alg hash, const uint8_t *digest,
                                        size_t digest_len, const uint8_t *sig,
                                        size_t sig_len);

/**
 * RSASSA-PSS over a precomputed digest with an explicit salt length (0..digest length,
 * else FIPSRT_E_NOT_APPROVED). Otherwise as fipsrt_rsa_sign_digest().
 */
FIPSRT_API int fipsrt_rsa_pss_sign_digest(const fipsrt_key *key, fipsrt_hash_alg hash,
                                          int salt_len, const uint8_t *digest,
                                          size_t digest_len, uint8_t *sig, size_t sig_cap,
                                          size_t *sig_len);

/**
 * Verify RSASSA-PSS over a precomputed digest expecting @p salt_len bytes of salt
 * (0..digest length), or any length with FIPSRT_RSA_PSS_SALT_AUTO. As
 * fipsrt_rsa_verify_digest().
 */
FIPSRT_API int fipsrt_rsa_pss_verify_digest(const fipsrt_key *key, fipsrt_hash_alg hash,
                                            int salt_len, const uint8_t *digest,
                                            size_t digest_len, const uint8_t *sig,
                                            size_t sig_len);

/**
 * 1 if verifying with @p key and @p hash is legacy use under SP 800-131A (a 1024..2047-bit
 * key, or SHA-1), else 0.
 */
FIPSRT_API int fipsrt_rsa_verify_is_legacy(const fipsrt_key *key, fipsrt_hash_alg hash);

/**
 * Largest plaintext fipsrt_rsa_encrypt() takes for @p key and @p hash
 * (k - 2 * hLen - 2 bytes); 0 if the combination is not usable.
 */
FIPSRT_API size_t fipsrt_rsa_oaep_max_plaintext(const fipsrt_key *key, fipsrt_hash_alg hash);

/**
 * Encrypt with RSAES-OAEP (SP 800-56B 7.2.2) under a public (or private) key of >= 2048
 * bits. @p padding must be FIPSRT_RSA_OAEP. @p label may be NULL when @p label_len is 0.
 * @param out, out_cap  output of fipsrt_rsa_size() bytes
 * @return 0, FIPSRT_E_INVALID_ARG (NULL, plaintext too long, signature padding, XOF),
 *   FIPSRT_E_KEY_TYPE (EC key), FIPSRT_E_NOT_APPROVED (legacy key, key failing SP 800-56B
 *   validation, SHA-1, PKCS#1 v1.5 or no padding), FIPSRT_E_MD5_SECURE,
 *   FIPSRT_E_BUFFER_TOO_SMALL, FIPSRT_E_NOMEM, FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_rsa_encrypt(const fipsrt_key *key, fipsrt_rsa_padding padding,
                                  fipsrt_hash_alg hash, const uint8_t *label, size_t label_len,
                                  const uint8_t *msg, size_t msg_len, uint8_t *out,
                                  size_t out_cap, size_t *out_len);

/**
 * Decrypt RSAES-OAEP with a private key. @p out_cap must be at least
 * fipsrt_rsa_oaep_max_plaintext() (FIPSRT_E_BUFFER_TOO_SMALL otherwise, before any
 * decryption), so the plaintext length never decides success.
 * @return 0; FIPSRT_E_VERIFY_FAILED for every ciphertext that does not decrypt (wrong
 *   length, out of range, bad padding, wrong label or hash); FIPSRT_E_INVALID_ARG,
 *   FIPSRT_E_KEY_TYPE (EC or public-only key), FIPSRT_E_NOT_APPROVED, FIPSRT_E_MD5_SECURE,
 *   FIPSRT_E_BUFFER_TOO_SMALL, FIPSRT_E_NOMEM
 */
FIPSRT_API int fipsrt_rsa_decrypt(const fipsrt_key *key, fipsrt_rsa_padding padding,
                                  fipsrt_hash_alg hash, const uint8_t *label, size_t label_len,
                                  const uint8_t *ct, size_t ct_len, uint8_t *out,
                                  size_t out_cap, size_t *out_len);

FIPSRT_END_DECLS

#endif /* FIPSRT_RSA_H */
