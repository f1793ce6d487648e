/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file fipsrt/insecure.h
 * @brief MD5 for NON-SECURITY uses only (checksums, legacy identifiers, cache keys).
 *
 * OUTSIDE THE FIPS BOUNDARY. These functions are computed by OpenSSL's default provider in
 * a private library context that nothing else in the process uses; they are the explicit
 * equivalent of Python's `hashlib.md5(usedforsecurity=False)`. Never use them for
 * signatures, MACs, passwords, key derivation or integrity against an adversary: an auditor
 * will (rightly) ask about every call site. Every security API of libfipsrt refuses MD5 with
 * FIPSRT_E_MD5_SECURE.
 */
#ifndef FIPSRT_INSECURE_H
#define FIPSRT_INSECURE_H

#include <fipsrt/defs.h>

FIPSRT_BEGIN_DECLS

#define FIPSRT_INSECURE_MD5_SIZE 16

/**
 * Non-security MD5 of @p data (may be NULL if @p len is 0) into @p out (16 bytes).
 * @return 0, FIPSRT_E_INVALID_ARG, FIPSRT_E_UNSUPPORTED (no default provider available)
 */
FIPSRT_API int fipsrt_insecure_md5(const void *data, size_t len,
                                   uint8_t out[FIPSRT_INSECURE_MD5_SIZE]);

/** Streaming non-security MD5. Opaque; one thread at a time. */
typedef struct fipsrt_insecure_md5_ctx fipsrt_insecure_md5_ctx;

FIPSRT_API int fipsrt_insecure_md5_new(fipsrt_insecure_md5_ctx **out);
FIPSRT_API int fipsrt_insecure_md5_update(fipsrt_insecure_md5_ctx *ctx, const void *data,
                                          size_t len);
/** Finish; the context can then only be freed (further calls give FIPSRT_E_STATE). */
FIPSRT_API int fipsrt_insecure_md5_final(fipsrt_insecure_md5_ctx *ctx,
                                         uint8_t out[FIPSRT_INSECURE_MD5_SIZE]);
FIPSRT_API void fipsrt_insecure_md5_free(fipsrt_insecure_md5_ctx *ctx);
/**
 * Copy the current state into a new context (since 1.1), so that a digest can be taken
 * without ending the original (what hashlib's copy() and digest() need). Not a security
 * service, as every function here.
 * @param[out] out new context, to free with fipsrt_insecure_md5_free(); NULL on failure
 * @return 0, FIPSRT_E_INVALID_ARG (NULL @p out or @p ctx), FIPSRT_E_STATE (@p ctx is
 *         finished), FIPSRT_E_NOMEM
 */
FIPSRT_API int fipsrt_insecure_md5_clone(fipsrt_insecure_md5_ctx **out,
                                         const fipsrt_insecure_md5_ctx *ctx);

FIPSRT_END_DECLS

#endif /* FIPSRT_INSECURE_H */
