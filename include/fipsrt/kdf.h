/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file fipsrt/kdf.h
 * @brief Key derivation: HKDF (RFC 5869, SP 800-56C Rev. 2) and PBKDF2 (SP 800-132).
 *
 * Both run in the FIPS provider's EVP_KDF implementations. The library checks the FIPS
 * policy first and refuses with a clear detail text (fipsrt_last_error()):
 *
 * - HKDF is defined over HMAC with SHA-1, SHA-2 or SHA-3. SHA-1 is accepted: SP 800-56C
 *   Rev. 2 §4 allows HMAC with any approved hash, and SP 800-131A Rev. 2 keeps SHA-1
 *   acceptable outside digital signatures. The input keying material (IKM, or the PRK given
 *   to expand) must carry at least 112 bits: shorter keys give FIPSRT_E_NOT_APPROVED
 *   (SP 800-131A; the same rule as HMAC keys). The salt may be empty (RFC 5869: HashLen
 *   zero bytes); the info may be empty and at most FIPSRT_HKDF_MAX_INFO_SIZE bytes.
 * - PBKDF2 needs a salt of at least 128 bits, at least 1000 iterations and at least
 *   112 bits of output (SP 800-132 §5.1–5.2); each shortfall gives FIPSRT_E_NOT_APPROVED.
 *   It runs over SHA-2 or SHA-3; SHA-1 is refused with FIPSRT_E_NOT_APPROVED (policy of
 *   this library, stricter than SP 800-132). The password may be empty: SP 800-132 sets no
 *   minimum length, so password strength is the application's policy.
 * - MD5 gives FIPSRT_E_MD5_SECURE; SHAKE (not an HMAC hash) gives FIPSRT_E_INVALID_ARG.
 *
 * On failure the output holds no key material: nothing is written when a check fails, and
 * the output of a failed derivation is zeroed. All functions are FIPS-approved
 * services when they succeed, and thread-safe (each call uses its own OpenSSL context).
 */
#ifndef FIPSRT_KDF_H
#define FIPSRT_KDF_H

#include <fipsrt/defs.h>
#include <fipsrt/hash.h>

FIPSRT_BEGIN_DECLS

/** Shortest HKDF input keying material (IKM or PRK): 112 bits. */
#define FIPSRT_HKDF_MIN_KEY_SIZE 14
/** Longest HKDF info accepted (the FIPS provider's limit). */
#define FIPSRT_HKDF_MAX_INFO_SIZE 32768
/** Shortest PBKDF2 salt: 128 bits (SP 800-132 §5.1). */
#define FIPSRT_PBKDF2_MIN_SALT_SIZE 16
/** Fewest PBKDF2 iterations (SP 800-132 §5.2). */
#define FIPSRT_PBKDF2_MIN_ITERATIONS 1000
/** Shortest PBKDF2 output: 112 bits (SP 800-132 §5.1 with SP 800-131A). */
#define FIPSRT_PBKDF2_MIN_OUTPUT_SIZE 14

/**
 * HKDF extract-then-expand (RFC 5869 §2): @p out_len bytes of output keying material.
 * @param alg      SHA-1, SHA-2 or SHA-3 hash
 * @param ikm      input keying material, at least FIPSRT_HKDF_MIN_KEY_SIZE bytes
 * @param salt     may be NULL only if @p salt_len is 0 (then HashLen zero bytes are used)
 * @param info     context; may be NULL only if @p info_len is 0
 * @param[out] out @p out_len bytes, 1 .. 255 * fipsrt_hash_size(alg)
 * @return 0, FIPSRT_E_INVALID_ARG (NULL, SHAKE, zero or too long output),
 *         FIPSRT_E_NOT_APPROVED (IKM under 112 bits), FIPSRT_E_MD5_SECURE,
 *         FIPSRT_E_UNSUPPORTED (info over FIPSRT_HKDF_MAX_INFO_SIZE), FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_hkdf(fipsrt_hash_alg alg, const void *ikm, size_t ikm_len,
                           const void *salt, size_t salt_len,
                           const void *info, size_t info_len,
                           uint8_t *out, size_t out_len);

/**
 * HKDF-Extract (RFC 5869 §2.2): the pseudorandom key PRK = HMAC-Hash(salt, IKM), which
 * has fipsrt_hash_size(alg) bytes.
 * @param[out] prk     the PRK; @p prk_cap must be at least fipsrt_hash_size(alg)
 * @param[out] prk_len bytes written, or needed on FIPSRT_E_BUFFER_TOO_SMALL; may be NULL
 * @return 0, FIPSRT_E_BUFFER_TOO_SMALL, or an error as fipsrt_hkdf()
 */
FIPSRT_API int fipsrt_hkdf_extract(fipsrt_hash_alg alg, const void *ikm, size_t ikm_len,
                                   const void *salt, size_t salt_len,
                                   uint8_t *prk, size_t prk_cap, size_t *prk_len);

/**
 * HKDF-Expand (RFC 5869 §2.3) of a PRK (from fipsrt_hkdf_extract() or another strong key
 * of at least FIPSRT_HKDF_MIN_KEY_SIZE bytes) into @p out_len bytes.
 * @return as fipsrt_hkdf() (FIPSRT_E_NOT_APPROVED for a PRK under 112 bits)
 */
FIPSRT_API int fipsrt_hkdf_expand(fipsrt_hash_alg alg, const void *prk, size_t prk_len,
                                  const void *info, size_t info_len,
                                  uint8_t *out, size_t out_len);

/**
 * PBKDF2-HMAC (SP 800-132, RFC 8018 §5.2) of @p password into @p out_len bytes.
 * @param alg        SHA-2 or SHA-3 hash (SHA-1: FIPSRT_E_NOT_APPROVED)
 * @param password   may be NULL only if @p password_len is 0; at most INT_MAX bytes
 * @param salt       at least FIPSRT_PBKDF2_MIN_SALT_SIZE bytes, at most INT_MAX
 * @param iterations at least FIPSRT_PBKDF2_MIN_ITERATIONS; the cost is linear in it
 * @param[out] out   @p out_len bytes, FIPSRT_PBKDF2_MIN_OUTPUT_SIZE .. INT_MAX
 * @return 0, FIPSRT_E_INVALID_ARG (NULL, SHAKE, lengths over INT_MAX),
 *         FIPSRT_E_NOT_APPROVED (SHA-1, short salt, few iterations, short output),
 *         FIPSRT_E_MD5_SECURE, FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_pbkdf2(fipsrt_hash_alg alg, const void *password, size_t password_len,
                             const void *salt, size_t salt_len, uint64_t iterations,
                             uint8_t *out, size_t out_len);

FIPSRT_END_DECLS

#endif /* FIPSRT_KDF_H */
