/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file fipsrt/hmac.h
 * @brief HMAC (FIPS 198-1) over SHA-1, SHA-2 and SHA-3, in the FIPS provider.
 *
 * Keys shorter than 112 bits (14 bytes) are refused with FIPSRT_E_NOT_APPROVED
 * (SP 800-131A / SP 800-107). MD5 gives FIPSRT_E_MD5_SECURE; SHAKE gives
 * FIPSRT_E_INVALID_ARG. Verification compares in constant time.
 *
 * Tags may be truncated on verification to at least FIPSRT_HMAC_MIN_TAG_SIZE bytes
 * (SP 800-107 §5.3.3 allows truncation; we require 128 bits).
 *
 * Thread safety: one-shot functions are thread-safe; a fipsrt_hmac_ctx belongs to one thread
 * at a time. The one-shot functions keep one HMAC state per thread and algorithm, which
 * holds key-derived state of the last call until the next call or the thread's exit
 * (it is cleansed then). A fipsrt_hmac_key is immutable and may be shared by any number of
 * threads.
 */
#ifndef FIPSRT_HMAC_H
#define FIPSRT_HMAC_H

#include <fipsrt/defs.h>
#include <fipsrt/hash.h>

FIPSRT_BEGIN_DECLS

/** Shortest key accepted: 112 bits. */
#define FIPSRT_HMAC_MIN_KEY_SIZE 14
/** Shortest tag accepted by the verify functions: 128 bits. */
#define FIPSRT_HMAC_MIN_TAG_SIZE 16

/**
 * One-shot HMAC. The tag has fipsrt_hash_size(alg) bytes.
 * @param[out] out_len bytes written, or needed on FIPSRT_E_BUFFER_TOO_SMALL; may be NULL
 * @return 0, FIPSRT_E_INVALID_ARG, FIPSRT_E_MD5_SECURE, FIPSRT_E_NOT_APPROVED (short key),
 *         FIPSRT_E_BUFFER_TOO_SMALL, FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_hmac(fipsrt_hash_alg alg, const void *key, size_t key_len,
                           const void *data, size_t len,
                           uint8_t *out, size_t out_cap, size_t *out_len);

/**
 * One-shot constant-time verification of @p tag (full length, or truncated to at least
 * FIPSRT_HMAC_MIN_TAG_SIZE bytes).
 * @return 0 if it matches, FIPSRT_E_VERIFY_FAILED if not, FIPSRT_E_NOT_APPROVED for a tag
 *         shorter than FIPSRT_HMAC_MIN_TAG_SIZE, FIPSRT_E_INVALID_ARG for one longer than
 *         the HMAC (or NULL), or an error as fipsrt_hmac().
 */
FIPSRT_API int fipsrt_hmac_verify(fipsrt_hash_alg alg, const void *key, size_t key_len,
                                  const void *data, size_t len,
                                  const uint8_t *tag, size_t tag_len);

/** Streaming HMAC state. Opaque; holds a copy of the key's derived state. */
typedef struct fipsrt_hmac_ctx fipsrt_hmac_ctx;

/** Start a streaming HMAC with @p key. Errors as fipsrt_hmac(), plus FIPSRT_E_NOMEM. */
FIPSRT_API int fipsrt_hmac_new(fipsrt_hmac_ctx **out, fipsrt_hash_alg alg,
                               const void *key, size_t key_len);
/** Absorb data. After a final call: FIPSRT_E_STATE until fipsrt_hmac_reset(). */
FIPSRT_API int fipsrt_hmac_update(fipsrt_hmac_ctx *ctx, const void *data, size_t len);
/** Finish and write the tag (rules as fipsrt_hmac()). */
FIPSRT_API int fipsrt_hmac_final(fipsrt_hmac_ctx *ctx, uint8_t *out, size_t out_cap,
                                 size_t *out_len);
/** Finish and compare with @p tag in constant time (rules as fipsrt_hmac_verify()). */
FIPSRT_API int fipsrt_hmac_final_verify(fipsrt_hmac_ctx *ctx, const uint8_t *tag,
                                        size_t tag_len);
/** Start a new message with the same key. */
FIPSRT_API int fipsrt_hmac_reset(fipsrt_hmac_ctx *ctx);
/** Copy the current state into a new context. */
FIPSRT_API int fipsrt_hmac_clone(fipsrt_hmac_ctx **out, const fipsrt_hmac_ctx *ctx);
/** Free a context (NULL is a no-op); key-derived state is cleansed. */
FIPSRT_API void fipsrt_hmac_free(fipsrt_hmac_ctx *ctx);

/**
 * A prepared HMAC key: the key checked and keyed into an HMAC state once, then used for any
 * number of MACs. Opaque and immutable after fipsrt_hmac_key_new(); any number of threads
 * may use one key at once (each call works on its own copy of the keyed state). Faster than
 * fipsrt_hmac() for short messages, which keys a state afresh on every call.
 */
typedef struct fipsrt_hmac_key fipsrt_hmac_key;

/**
 * Prepare @p key for HMAC over @p alg (since 1.1). The same policy as fipsrt_hmac(): keys
 * of at least 112 bits, no MD5, no SHAKE. The key bytes are copied into the provider's
 * keyed state; the caller may wipe its own copy afterwards.
 * @param[out] out new key, to free with fipsrt_hmac_key_free(); set to NULL on failure
 * @return 0, FIPSRT_E_INVALID_ARG (NULL @p out or @p key, unknown or XOF algorithm),
 *         FIPSRT_E_MD5_SECURE, FIPSRT_E_NOT_APPROVED (key under 112 bits), FIPSRT_E_NOMEM,
 *         FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_hmac_key_new(fipsrt_hmac_key **out, fipsrt_hash_alg alg,
                                   const void *key, size_t key_len);

/**
 * Free a prepared key (NULL is a no-op; since 1.1). Every keyed state it holds is
 * cleansed. No other thread may be using the key.
 */
FIPSRT_API void fipsrt_hmac_key_free(fipsrt_hmac_key *key);

/** The hash algorithm of a prepared key (0 for NULL); since 1.1. */
FIPSRT_API fipsrt_hash_alg fipsrt_hmac_key_alg(const fipsrt_hmac_key *key);

/**
 * One-shot HMAC of @p data under a prepared key (since 1.1); FIPS-approved (FIPS 198-1).
 * The tag has fipsrt_hash_size() of the key's algorithm bytes. Thread-safe on a shared key.
 * @param[out] out_len bytes written, or needed on FIPSRT_E_BUFFER_TOO_SMALL; may be NULL
 * @return 0, FIPSRT_E_INVALID_ARG (NULL @p key, NULL @p data with @p len > 0, NULL @p out),
 *         FIPSRT_E_BUFFER_TOO_SMALL, FIPSRT_E_NOMEM, FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_hmac_key_mac(const fipsrt_hmac_key *key, const void *data, size_t len,
                                   uint8_t *out, size_t out_cap, size_t *out_len);

/**
 * Constant-time verification (since 1.1) of @p tag (full length, or truncated to at least
 * FIPSRT_HMAC_MIN_TAG_SIZE bytes) for @p data under a prepared key. Thread-safe on a shared
 * key.
 * @return 0 if it matches, FIPSRT_E_VERIFY_FAILED if not, FIPSRT_E_NOT_APPROVED (tag
 *         shorter than FIPSRT_HMAC_MIN_TAG_SIZE), FIPSRT_E_INVALID_ARG (NULL @p key or
 *         @p tag, NULL @p data with @p len > 0, tag longer than the HMAC),
 *         FIPSRT_E_NOMEM, FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_hmac_key_verify(const fipsrt_hmac_key *key, const void *data, size_t len,
                                      const uint8_t *tag, size_t tag_len);

FIPSRT_END_DECLS

#endif /* FIPSRT_HMAC_H */
