/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file fipsrt/hash.h
 * @brief Message digests (FIPS 180-4 SHA-1/SHA-2, FIPS 202 SHA-3 and SHAKE).
 *
 * All functions run in the FIPS provider. MD5 is never available here: asking for
 * FIPSRT_HASH_MD5 returns FIPSRT_E_MD5_SECURE (see fipsrt/insecure.h for non-security MD5).
 * SHA-1 may hash (and verify signatures elsewhere) but never sign.
 *
 * Thread safety: one-shot functions are thread-safe. A fipsrt_hash_ctx belongs to one
 * thread at a time.
 */
#ifndef FIPSRT_HASH_H
#define FIPSRT_HASH_H

#include <fipsrt/defs.h>

FIPSRT_BEGIN_DECLS

/** Hash algorithms. Values are ABI. */
typedef enum fipsrt_hash_alg {
    FIPSRT_HASH_SHA1 = 1,        /**< legacy: hashing and verification only */
    FIPSRT_HASH_SHA224 = 2,
    FIPSRT_HASH_SHA256 = 3,
    FIPSRT_HASH_SHA384 = 4,
    FIPSRT_HASH_SHA512 = 5,
    FIPSRT_HASH_SHA512_224 = 6,
    FIPSRT_HASH_SHA512_256 = 7,
    FIPSRT_HASH_SHA3_224 = 8,
    FIPSRT_HASH_SHA3_256 = 9,
    FIPSRT_HASH_SHA3_384 = 10,
    FIPSRT_HASH_SHA3_512 = 11,
    FIPSRT_HASH_SHAKE128 = 12,   /**< extendable output: use the *_xof functions */
    FIPSRT_HASH_SHAKE256 = 13,   /**< extendable output: use the *_xof functions */
    FIPSRT_HASH_MD5 = 100,       /**< always refused with FIPSRT_E_MD5_SECURE */
} fipsrt_hash_alg;

#define FIPSRT_SHA1_SIZE 20
#define FIPSRT_SHA224_SIZE 28
#define FIPSRT_SHA256_SIZE 32
#define FIPSRT_SHA384_SIZE 48
#define FIPSRT_SHA512_SIZE 64
#define FIPSRT_SHA512_224_SIZE 28
#define FIPSRT_SHA512_256_SIZE 32
#define FIPSRT_SHA3_224_SIZE 28
#define FIPSRT_SHA3_256_SIZE 32
#define FIPSRT_SHA3_384_SIZE 48
#define FIPSRT_SHA3_512_SIZE 64
/** Largest fixed digest size of any algorithm here. */
#define FIPSRT_HASH_MAX_SIZE 64

/** Digest size in bytes; 0 for SHAKE (any length) and for MD5 or unknown values. */
FIPSRT_API size_t fipsrt_hash_size(fipsrt_hash_alg alg);
/** Block size in bytes (the HMAC block); 0 for MD5 or unknown values. */
FIPSRT_API size_t fipsrt_hash_block_size(fipsrt_hash_alg alg);
/** OpenSSL name ("SHA2-256", ...), "MD5" for MD5, NULL for unknown values. */
FIPSRT_API const char *fipsrt_hash_name(fipsrt_hash_alg alg);

/**
 * One-shot digest of a fixed-size hash.
 * @param alg      any algorithm except SHAKE (FIPSRT_E_INVALID_ARG) and MD5 (FIPSRT_E_MD5_SECURE)
 * @param data     input; may be NULL only if @p len is 0
 * @param[out] out digest; @p out_cap must be at least fipsrt_hash_size(alg)
 * @param[out] out_len bytes written, or the size needed on FIPSRT_E_BUFFER_TOO_SMALL; may be NULL
 * @return 0, FIPSRT_E_INVALID_ARG, FIPSRT_E_MD5_SECURE, FIPSRT_E_BUFFER_TOO_SMALL, FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_hash(fipsrt_hash_alg alg, const void *data, size_t len,
                           uint8_t *out, size_t out_cap, size_t *out_len);

/**
 * One-shot SHAKE128/SHAKE256 with @p out_len bytes of output (1 or more).
 * @return 0, FIPSRT_E_INVALID_ARG (not a SHAKE, NULL, zero length), FIPSRT_E_MD5_SECURE,
 *         FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_hash_xof(fipsrt_hash_alg alg, const void *data, size_t len,
                               uint8_t *out, size_t out_len);

/** Streaming hash state. Opaque. */
typedef struct fipsrt_hash_ctx fipsrt_hash_ctx;

/**
 * Start a streaming hash.
 * @param[out] out new context, to free with fipsrt_hash_free(); set to NULL on failure
 * @return 0, FIPSRT_E_INVALID_ARG, FIPSRT_E_MD5_SECURE, FIPSRT_E_NOMEM, FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_hash_new(fipsrt_hash_ctx **out, fipsrt_hash_alg alg);
/** Absorb @p len bytes. After a final call: FIPSRT_E_STATE until fipsrt_hash_reset(). */
FIPSRT_API int fipsrt_hash_update(fipsrt_hash_ctx *ctx, const void *data, size_t len);
/** Finish a fixed-size hash (not SHAKE). Output rules as fipsrt_hash(). */
FIPSRT_API int fipsrt_hash_final(fipsrt_hash_ctx *ctx, uint8_t *out, size_t out_cap,
                                 size_t *out_len);
/** Finish a SHAKE hash with @p out_len bytes of output. */
FIPSRT_API int fipsrt_hash_final_xof(fipsrt_hash_ctx *ctx, uint8_t *out, size_t out_len);
/** Start over with the same algorithm (valid in any state). */
FIPSRT_API int fipsrt_hash_reset(fipsrt_hash_ctx *ctx);
/** Copy the current state into a new context (e.g. to hash a common prefix once). */
FIPSRT_API int fipsrt_hash_clone(fipsrt_hash_ctx **out, const fipsrt_hash_ctx *ctx);
/** Algorithm of a context. */
FIPSRT_API fipsrt_hash_alg fipsrt_hash_ctx_alg(const fipsrt_hash_ctx *ctx);
/** Free a context (NULL is a no-op); the state is cleansed. */
FIPSRT_API void fipsrt_hash_free(fipsrt_hash_ctx *ctx);

FIPSRT_END_DECLS

#endif /* FIPSRT_HASH_H */
