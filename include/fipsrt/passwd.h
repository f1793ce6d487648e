/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file fipsrt/passwd.h
 * @brief Password hashes: passlib-compatible pbkdf2-sha512, legacy sha2crypt verify-only.
 *
 * New hashes are always `$pbkdf2-sha512$<rounds>$<salt>$<checksum>`, byte for byte the
 * format of passlib's `pbkdf2_sha512` (so passlib verifies them and this library verifies
 * passlib's): rounds in decimal, a 16-byte salt from the FIPS DRBG and the 64-byte PBKDF2
 * output, both in passlib's "adapted base64" (standard base64 with '.' for '+', no '='
 * padding). The PBKDF2 runs in the FIPS provider (see fipsrt/kdf.h); this is the approved
 * path (SP 800-132).
 *
 * fipsrt_passwd_verify() accepts:
 * - `$pbkdf2-sha512$` (and passlib's `$pbkdf2-sha256$`, reported as needing a rehash):
 *   parsed strictly, PBKDF2 in the FIPS provider, constant-time comparison. A string whose
 *   salt is under 16 bytes or rounds under 1000 gives FIPSRT_E_NOT_APPROVED (SP 800-132).
 * - `$6$` sha512crypt and `$5$` sha256crypt, verification only, through libcrypt's
 *   crypt_rn(). These are SHA-2 based but not an approved password KDF, and libcrypt
 *   computes them with its own SHA-2 code, OUTSIDE the FIPS boundary. This is a migration
 *   path: a successful verification always reports needs_rehash, and the caller should
 *   store a new fipsrt_passwd_hash() of the password it just checked.
 *
 * and refuses every other scheme: `$1$` md5crypt with FIPSRT_E_MD5_SECURE; DES
 * (descrypt, bigcrypt, bsdicrypt `_`), bcrypt (`$2a$ $2b$ $2x$ $2y$`), yescrypt (`$y$`),
 * gost-yescrypt (`$gy$`), scrypt (`$7$`), sunmd5 (`$md5`), NT-hash (`$3$`), sha1crypt
 * (`$sha1$`), argon2 (`$argon2`) and passlib's SHA-1 `$pbkdf2$` with FIPSRT_E_NOT_APPROVED.
 * A string that is not a well-formed hash of a known scheme (any length, wrong field count,
 * bad base64, rounds out of range, trailing bytes, too long) gives FIPSRT_E_MALFORMED.
 *
 * Thread safety: all functions are thread-safe.
 */
#ifndef FIPSRT_PASSWD_H
#define FIPSRT_PASSWD_H

#include <fipsrt/defs.h>

FIPSRT_BEGIN_DECLS

/**
 * Default PBKDF2-HMAC-SHA-512 rounds of new hashes, chosen so one hash costs about 100 ms:
 * measured 98 ms (best of 10; median 105 ms) on a 2-core AMD EPYC VM with OpenSSL 3.0's
 * FIPS provider, about 0.47 us per round. It is also OWASP's 2023 figure for this hash.
 * Verification reports needs_rehash for pbkdf2-sha512 strings with fewer rounds.
 */
#define FIPSRT_PASSWD_DEFAULT_ROUNDS 210000u
/** Fewest rounds accepted when hashing or verifying (SP 800-132 §5.2). */
#define FIPSRT_PASSWD_MIN_ROUNDS 1000u
/** Most rounds a hash string may carry (passlib's limit, 2^32 - 1). */
#define FIPSRT_PASSWD_MAX_ROUNDS 4294967295u
/** Capacity that holds any string fipsrt_passwd_hash() makes, with its NUL. */
#define FIPSRT_PASSWD_HASH_MAX 136
/** Longest hash string fipsrt_passwd_verify() reads; longer ones are FIPSRT_E_MALFORMED. */
#define FIPSRT_PASSWD_MAX_HASH_LEN 2048
/** Longest password a legacy `$5$`/`$6$` hash can be checked with (libcrypt's limit). */
#define FIPSRT_PASSWD_MAX_LEGACY_PASSWORD 511

/** The default rounds (FIPSRT_PASSWD_DEFAULT_ROUNDS), for bindings. */
FIPSRT_API uint32_t fipsrt_passwd_default_rounds(void);

/**
 * Hash a new password as `$pbkdf2-sha512$<rounds>$<salt>$<checksum>` with a fresh 16-byte
 * salt from the FIPS DRBG. FIPS-approved (PBKDF2-HMAC-SHA-512, SP 800-132).
 * @param password     any bytes (may contain NUL; may be empty); NULL only if
 *                     @p password_len is 0. As HMAC zero-pads its key, trailing NUL
 *                     bytes do not change the hash (the same in passlib)
 * @param rounds       PBKDF2 iterations, or 0 for FIPSRT_PASSWD_DEFAULT_ROUNDS; at least
 *                     FIPSRT_PASSWD_MIN_ROUNDS
 * @param[out] out     the NUL-terminated string; FIPSRT_PASSWD_HASH_MAX always suffices
 * @param out_cap      capacity of @p out in bytes, counting the NUL
 * @param[out] out_len the string length without the NUL; on FIPSRT_E_BUFFER_TOO_SMALL the
 *                     capacity needed (with the NUL); may be NULL
 * @return 0, FIPSRT_E_INVALID_ARG (NULL), FIPSRT_E_NOT_APPROVED (rounds under 1000),
 *         FIPSRT_E_BUFFER_TOO_SMALL, FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_passwd_hash(const void *password, size_t password_len, uint32_t rounds,
                                  char *out, size_t out_cap, size_t *out_len);

/**
 * Check @p password against a stored hash string, in time independent of where the
 * password differs.
 * @param hash          NUL-terminated hash string (see the file comment for the schemes)
 * @param password      any bytes; NULL only if @p password_len is 0. Legacy `$5$`/`$6$`
 *                      hashes take at most FIPSRT_PASSWD_MAX_LEGACY_PASSWORD bytes and no
 *                      NUL byte (else FIPSRT_E_INVALID_ARG: libcrypt cannot represent them)
 * @param[out] needs_rehash set to 1 when the password is valid but the hash should be
 *                      replaced by fipsrt_passwd_hash() (legacy scheme, pbkdf2-sha256, or
 *                      fewer rounds than the default), else 0; may be NULL
 * @return 0 valid; FIPSRT_E_VERIFY_FAILED wrong password; FIPSRT_E_MALFORMED;
 *         FIPSRT_E_MD5_SECURE (`$1$`); FIPSRT_E_NOT_APPROVED (refused scheme, short salt,
 *         few rounds); FIPSRT_E_INVALID_ARG (NULL, password libcrypt cannot take);
 *         FIPSRT_E_UNSUPPORTED (libcrypt has the legacy method disabled);
 *         FIPSRT_E_NOMEM; FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_passwd_verify(const char *hash, const void *password,
                                    size_t password_len, int *needs_rehash);

FIPSRT_END_DECLS

#endif /* FIPSRT_PASSWD_H */
