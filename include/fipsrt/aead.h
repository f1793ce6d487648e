/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file fipsrt/aead.h
 * @brief AES-128/192/256-GCM (SP 800-38D) in the FIPS provider, with nonces you cannot misuse.
 *
 * Two ways to encrypt, one per IV construction SP 800-38D §8.2 allows:
 *
 * - **Random nonces** (fipsrt_aead_key): fipsrt_aead_seal() has the FIPS module generate a
 *   fresh 96-bit nonce from its own DRBG (§8.2.2) and returns it; the caller never supplies
 *   an encryption nonce. A key may be used for at most 2^32 encryptions (§8.3); the next
 *   seal returns FIPSRT_E_LIMIT and the key must be replaced.
 * - **Counter nonces** (fipsrt_aead_counter, for protocols, §8.2.1): the nonce is a fixed
 *   field plus a 64-bit counter the caller passes per message (TLS 1.2 and TLS 1.3
 *   constructions). The counter must strictly increase: a repeated or smaller value returns
 *   FIPSRT_E_NONCE_REUSE, and once 2^64-1 has been used every seal returns FIPSRT_E_LIMIT.
 *
 * Decryption (open) takes any 96-bit nonce. A failed tag check returns
 * FIPSRT_E_VERIFY_FAILED and leaves the output zeroed: a one-shot open never releases
 * unverified plaintext. (The streaming open below is the one exception; read its notes.)
 *
 * Layouts: the combined functions write and read `ciphertext || tag` (16-byte tag); the
 * `_detached` functions keep the tag separate. Seal always produces a 16-byte tag.
 * fipsrt_aead_open_detached() also accepts tags truncated to 12..15 bytes (SP 800-38D
 * §5.2.1.2 t = 96..120 bits); shorter tags (the 4- and 8-byte tags of Appendix C too) are
 * refused with FIPSRT_E_NOT_APPROVED, longer ones with FIPSRT_E_INVALID_ARG (error.h: one
 * code for a too-short tag in every family). The combined open takes
 * 16-byte tags only. Nonces other than 96 bits are refused (FIPSRT_E_INVALID_ARG).
 *
 * One message may hold at most FIPSRT_AEAD_MAX_MESSAGE_SIZE bytes (2^39-256 bits,
 * §5.2.1.1); longer input returns FIPSRT_E_LIMIT. Outputs may alias inputs exactly
 * (in-place); partially overlapping buffers are not supported.
 *
 * Thread safety: a fipsrt_aead_key is immutable after creation (its invocation count is an
 * atomic) and may be used by any number of threads at once. No OpenSSL context is ever
 * shared: each thread has its own, which every seal loads with a fresh copy of the key (so
 * the module generates a new nonce) and which an open reuses while the thread keeps opening
 * under the same key. That context holds the last key's schedule until the thread uses
 * another key or exits, or the key is freed: fipsrt_aead_key_free() wipes it in every
 * thread. A fipsrt_aead_counter and a fipsrt_aead_stream belong to one thread at a time.
 *
 * Every operation here is FIPS-approved.
 */
#ifndef FIPSRT_AEAD_H
#define FIPSRT_AEAD_H

#include <fipsrt/defs.h>

FIPSRT_BEGIN_DECLS

/** AEAD algorithms. Values are ABI. */
typedef enum fipsrt_aead_alg {
    FIPSRT_AEAD_AES_128_GCM = 1,   /**< 16-byte key */
    FIPSRT_AEAD_AES_192_GCM = 2,   /**< 24-byte key */
    FIPSRT_AEAD_AES_256_GCM = 3,   /**< 32-byte key */
} fipsrt_aead_alg;

/** Nonce size: 96 bits, the only size offered. */
#define FIPSRT_AEAD_NONCE_SIZE 12
/** Tag size produced by every seal. */
#define FIPSRT_AEAD_TAG_SIZE 16
/** Shortest tag fipsrt_aead_open_detached() accepts (96 bits). */
#define FIPSRT_AEAD_MIN_TAG_SIZE 12
/** Largest key size (AES-256). */
#define FIPSRT_AEAD_MAX_KEY_SIZE 32
/** Encryptions allowed under one fipsrt_aead_key (SP 800-38D §8.3): 2^32. */
#define FIPSRT_AEAD_INVOCATION_LIMIT (UINT64_C(1) << 32)
/** Longest plaintext or ciphertext of one message: 2^36 - 32 bytes (SP 800-38D §5.2.1.1). */
#define FIPSRT_AEAD_MAX_MESSAGE_SIZE ((UINT64_C(1) << 36) - 32)

/** Key size in bytes of @p alg (16, 24 or 32); 0 for unknown values. */
FIPSRT_API size_t fipsrt_aead_key_size(fipsrt_aead_alg alg);
/** OpenSSL name ("AES-256-GCM", ...), NULL for unknown values. */
FIPSRT_API const char *fipsrt_aead_name(fipsrt_aead_alg alg);

/* ---- keys and random-nonce seal -------------------------------------------------------- */

/** An AES-GCM key for random-nonce encryption and for decryption. Opaque, immutable. */
typedef struct fipsrt_aead_key fipsrt_aead_key;

/**
 * Create a key object from raw key bytes (copied; the caller may wipe its copy).
 * @param[out] out new key, to free with fipsrt_aead_key_free(); set to NULL on failure
 * @param key_len must be fipsrt_aead_key_size(alg)
 * @return 0, FIPSRT_E_INVALID_ARG (NULL, unknown @p alg, wrong @p key_len), FIPSRT_E_NOMEM,
 *         FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_aead_key_new(fipsrt_aead_key **out, fipsrt_aead_alg alg,
                                   const uint8_t *key, size_t key_len);
/** Free a key (NULL is a no-op); its key material is cleansed. No call may still use it. */
FIPSRT_API void fipsrt_aead_key_free(fipsrt_aead_key *key);
/** Algorithm of a key; 0 for NULL. */
FIPSRT_API fipsrt_aead_alg fipsrt_aead_key_alg(const fipsrt_aead_key *key);
/**
 * Encryptions performed (or started) with this key so far, at most
 * FIPSRT_AEAD_INVOCATION_LIMIT; 0 for NULL. Rotate keys well before the limit.
 */
FIPSRT_API uint64_t fipsrt_aead_key_invocations(const fipsrt_aead_key *key);

/**
 * Encrypt with a nonce generated inside the FIPS module; writes `ciphertext || tag`.
 * Counts one invocation against the key's limit once the arguments have been checked
 * (even if the cipher then fails).
 * @param aad       additional authenticated data; may be NULL only if @p aad_len is 0
 * @param pt        plaintext; may be NULL only if @p pt_len is 0
 * @param[out] nonce the 12-byte nonce the module chose; send it with the ciphertext
 * @param[out] out  @p pt_len + FIPSRT_AEAD_TAG_SIZE bytes; may be @p pt itself
 * @param[out] out_len bytes written, or needed on FIPSRT_E_BUFFER_TOO_SMALL; may be NULL
 * @return 0, FIPSRT_E_INVALID_ARG, FIPSRT_E_BUFFER_TOO_SMALL, FIPSRT_E_LIMIT (2^32
 *         encryptions reached, or message too long), FIPSRT_E_NOMEM, FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_aead_seal(fipsrt_aead_key *key, const void *aad, size_t aad_len,
                                const void *pt, size_t pt_len,
                                uint8_t nonce[FIPSRT_AEAD_NONCE_SIZE],
                                uint8_t *out, size_t out_cap, size_t *out_len);

/**
 * As fipsrt_aead_seal(), with the ciphertext (@p pt_len bytes, capacity @p ct_cap) and the
 * 16-byte tag written to separate buffers.
 */
FIPSRT_API int fipsrt_aead_seal_detached(fipsrt_aead_key *key, const void *aad, size_t aad_len,
                                         const void *pt, size_t pt_len,
                                         uint8_t nonce[FIPSRT_AEAD_NONCE_SIZE],
                                         uint8_t *ct, size_t ct_cap,
                                         uint8_t tag[FIPSRT_AEAD_TAG_SIZE]);

/**
 * Decrypt and verify `ciphertext || tag` (16-byte tag).
 * @param in       ciphertext followed by the tag; @p in_len >= FIPSRT_AEAD_TAG_SIZE
 * @param[out] out @p in_len - FIPSRT_AEAD_TAG_SIZE bytes of plaintext; may be @p in itself
 * @param[out] out_len bytes written, or needed on FIPSRT_E_BUFFER_TOO_SMALL; may be NULL
 * @return 0; FIPSRT_E_VERIFY_FAILED if the tag does not match (the first
 *         @p in_len - 16 bytes of @p out are then zero); FIPSRT_E_INVALID_ARG (NULL,
 *         @p in_len < 16), FIPSRT_E_BUFFER_TOO_SMALL, FIPSRT_E_LIMIT (too long),
 *         FIPSRT_E_NOMEM, FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_aead_open(const fipsrt_aead_key *key,
                                const uint8_t nonce[FIPSRT_AEAD_NONCE_SIZE],
                                const void *aad, size_t aad_len,
                                const uint8_t *in, size_t in_len,
                                uint8_t *out, size_t out_cap, size_t *out_len);

/**
 * Decrypt and verify a ciphertext with a separate tag of 12..16 bytes; the plaintext has
 * @p ct_len bytes. On FIPSRT_E_VERIFY_FAILED the first @p ct_len bytes of @p out are zero.
 * @return as fipsrt_aead_open(), plus FIPSRT_E_NOT_APPROVED for tags under 12 bytes and
 *         FIPSRT_E_INVALID_ARG for tags over 16
 */
FIPSRT_API int fipsrt_aead_open_detached(const fipsrt_aead_key *key,
                                         const uint8_t nonce[FIPSRT_AEAD_NONCE_SIZE],
                                         const void *aad, size_t aad_len,
                                         const uint8_t *ct, size_t ct_len,
                                         const uint8_t *tag, size_t tag_len,
                                         uint8_t *out, size_t out_cap);

/* ---- counter nonces (protocols) --------------------------------------------------------- */

/** How a fipsrt_aead_counter builds the 96-bit nonce for counter value c. Values are ABI. */
typedef enum fipsrt_aead_nonce_mode {
    /** fixed[4] || c as 64-bit big-endian: TLS 1.2 (RFC 5288), SP 800-38D §8.2.1. */
    FIPSRT_AEAD_NONCE_PREFIX = 1,
    /** fixed[12] XOR (0^32 || c as 64-bit big-endian): TLS 1.3 (RFC 8446 §5.3). */
    FIPSRT_AEAD_NONCE_XOR = 2,
} fipsrt_aead_nonce_mode;

/** Size of the fixed field for @p mode (4 or 12); 0 for unknown values. */
FIPSRT_API size_t fipsrt_aead_nonce_fixed_size(fipsrt_aead_nonce_mode mode);

/**
 * A key with a counter-nonce construction. Opaque; belongs to one thread at a time.
 * Each (key, fixed field) pair must have exactly one sealing context: two contexts with
 * the same key and fixed field would repeat nonces (the library cannot see across
 * objects). When one key seals several independent streams, give each a fixed field drawn
 * by the library in FIPSRT_AEAD_NONCE_XOR mode (96 random bits; a random 32-bit prefix
 * collides after about 2^16 streams). Do not use the same key bytes for a fipsrt_aead_key
 * too (SP 800-38D §8: one IV construction per key).
 *
 * fork(): a context made before a fork keeps sealing in the parent only; in the child
 * fipsrt_aead_counter_seal() refuses it with FIPSRT_E_STATE (both copies would otherwise go
 * on with the same counter and so the same nonce). Opening still works in both. A child
 * that needs to seal makes a new context with its own key or fixed field.
 */
typedef struct fipsrt_aead_counter fipsrt_aead_counter;

/**
 * Create a counter-nonce context.
 * @param[out] out new context, to free with fipsrt_aead_counter_free(); NULL on failure
 * @param key, key_len raw key of fipsrt_aead_key_size(alg) bytes (copied)
 * @param fixed     the fixed nonce field, fipsrt_aead_nonce_fixed_size(mode) bytes (e.g.
 *                  from a protocol's key schedule); NULL with @p fixed_len 0 draws it from
 *                  the FIPS DRBG (read it back with fipsrt_aead_counter_fixed())
 * @return 0, FIPSRT_E_INVALID_ARG, FIPSRT_E_NOMEM, FIPSRT_E_PROVIDER, FIPSRT_E_INTERNAL
 *         (the fork handler could not be installed)
 */
FIPSRT_API int fipsrt_aead_counter_new(fipsrt_aead_counter **out, fipsrt_aead_alg alg,
                                       const uint8_t *key, size_t key_len,
                                       fipsrt_aead_nonce_mode mode,
                                       const uint8_t *fixed, size_t fixed_len);
/** Free a context (NULL is a no-op); key material is cleansed. */
FIPSRT_API void fipsrt_aead_counter_free(fipsrt_aead_counter *ctx);

/**
 * Copy the fixed field into @p out.
 * @param[out] out_len its size, also reported on FIPSRT_E_BUFFER_TOO_SMALL; may be NULL
 * @return 0, FIPSRT_E_INVALID_ARG, FIPSRT_E_BUFFER_TOO_SMALL
 */
FIPSRT_API int fipsrt_aead_counter_fixed(const fipsrt_aead_counter *ctx, uint8_t *out,
                                         size_t out_cap, size_t *out_len);

/** The nonce this context uses for @p counter (for interoperating peers). 0 or INVALID_ARG. */
FIPSRT_API int fipsrt_aead_counter_nonce(const fipsrt_aead_counter *ctx, uint64_t counter,
                                         uint8_t nonce[FIPSRT_AEAD_NONCE_SIZE]);

/**
 * Encrypt message number @p counter; writes `ciphertext || tag` as fipsrt_aead_seal().
 * @p counter must be greater than every counter sealed before with this context (it may
 * skip values; the first may be any value, 0 included). Argument and buffer errors do not
 * consume the counter; once the cipher has been started it is used, even if it fails.
 * @return 0, FIPSRT_E_NONCE_REUSE (@p counter not above the last one),
 *         FIPSRT_E_LIMIT (2^64-1 already used, or message too long), FIPSRT_E_INVALID_ARG,
 *         FIPSRT_E_BUFFER_TOO_SMALL, FIPSRT_E_STATE (in a child process, on a context made
 *         before the fork()), FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_aead_counter_seal(fipsrt_aead_counter *ctx, uint64_t counter,
                                        const void *aad, size_t aad_len,
                                        const void *pt, size_t pt_len,
                                        uint8_t *out, size_t out_cap, size_t *out_len);

/**
 * Decrypt and verify message number @p counter (`ciphertext || tag`), as
 * fipsrt_aead_open(). Any counter is accepted: rejecting replays is the protocol's job.
 */
FIPSRT_API int fipsrt_aead_counter_open(fipsrt_aead_counter *ctx, uint64_t counter,
                                        const void *aad, size_t aad_len,
                                        const uint8_t *in, size_t in_len,
                                        uint8_t *out, size_t out_cap, size_t *out_len);

/** Last counter value sealed; FIPSRT_E_STATE if none yet. */
FIPSRT_API int fipsrt_aead_counter_last(const fipsrt_aead_counter *ctx, uint64_t *last);

/* ---- streaming (chunked) seal and open ---------------------------------------------------
 *
 * For one message too large to hold in memory. GCM is a stream cipher: each update writes
 * exactly as many bytes as it reads. Streaming open cannot know whether the message is
 * authentic until the end, so — as in OpenSSL — it RELEASES UNVERIFIED PLAINTEXT:
 * everything fipsrt_aead_stream_update() wrote on an open stream is valid only once
 * fipsrt_aead_open_stream_final() has returned 0. On any other result the caller must
 * discard (and should wipe) all of it and must not have acted on it. When data has to be
 * used before the end, split it into separately sealed records with a fipsrt_aead_counter
 * instead (see examples/encrypt_file.c). A stream belongs to one thread at a time and does
 * not borrow the key: the key may be freed while a stream made from it lives.
 * A seal stream made before fork() is refused in the child (FIPSRT_E_STATE from update and
 * final): its nonce may already be fixed, and the parent's copy goes on with it.
 */
typedef struct fipsrt_aead_stream fipsrt_aead_stream;

/**
 * Start sealing one message with a module-generated nonce (one invocation of @p key).
 * The nonce is returned by fipsrt_aead_seal_stream_final().
 * @return 0, FIPSRT_E_INVALID_ARG, FIPSRT_E_LIMIT, FIPSRT_E_NOMEM, FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_aead_seal_stream_new(fipsrt_aead_stream **out, fipsrt_aead_key *key,
                                           const void *aad, size_t aad_len);

/**
 * Start opening one message. See the warning above: update output is unverified.
 * @return 0, FIPSRT_E_INVALID_ARG, FIPSRT_E_NOMEM, FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_aead_open_stream_new(fipsrt_aead_stream **out,
                                           const fipsrt_aead_key *key,
                                           const uint8_t nonce[FIPSRT_AEAD_NONCE_SIZE],
                                           const void *aad, size_t aad_len);

/**
 * Encrypt or decrypt the next @p in_len bytes into @p out (capacity @p out_cap >= @p in_len).
 * @param[out] out_len bytes written (= @p in_len), or needed on BUFFER_TOO_SMALL; may be NULL
 * @return 0, FIPSRT_E_INVALID_ARG, FIPSRT_E_BUFFER_TOO_SMALL, FIPSRT_E_STATE (after
 *         final or a failure; a seal stream made before fork(), in the child),
 *         FIPSRT_E_LIMIT (message too long), FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_aead_stream_update(fipsrt_aead_stream *s, const void *in, size_t in_len,
                                         uint8_t *out, size_t out_cap, size_t *out_len);

/**
 * Finish a seal stream: returns the module-generated nonce and the 16-byte tag.
 * @return 0, FIPSRT_E_INVALID_ARG, FIPSRT_E_STATE (not a seal stream, already finished,
 *         or made before fork() and called in the child), FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_aead_seal_stream_final(fipsrt_aead_stream *s,
                                             uint8_t nonce[FIPSRT_AEAD_NONCE_SIZE],
                                             uint8_t tag[FIPSRT_AEAD_TAG_SIZE]);

/**
 * Finish an open stream by checking @p tag (12..16 bytes, as fipsrt_aead_open_detached()).
 * Only a 0 return makes the plaintext written by the updates valid.
 * @return 0, FIPSRT_E_VERIFY_FAILED (discard all output), FIPSRT_E_INVALID_ARG,
 *         FIPSRT_E_NOT_APPROVED (tag under 12 bytes), FIPSRT_E_STATE, FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_aead_open_stream_final(fipsrt_aead_stream *s, const uint8_t *tag,
                                             size_t tag_len);

/** Free a stream (NULL is a no-op); its state is cleansed. */
FIPSRT_API void fipsrt_aead_stream_free(fipsrt_aead_stream *s);

FIPSRT_END_DECLS

#endif /* FIPSRT_AEAD_H */
