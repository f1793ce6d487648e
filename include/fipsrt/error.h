/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file fipsrt/error.h
 * @brief Error codes and the per-thread error detail.
 *
 * Every libfipsrt function that can fail returns an `int`: 0 on success or one of the
 * negative `FIPSRT_E_*` codes below. The numeric values are part of the ABI and never change.
 * After a failure, fipsrt_last_error() returns a human-readable detail string for the
 * calling thread that names the function, the reason and, where OpenSSL was involved, the
 * OpenSSL error queue. A libfipsrt call never leaves entries on the thread's OpenSSL error
 * queue.
 */
#ifndef FIPSRT_ERROR_H
#define FIPSRT_ERROR_H

#include <fipsrt/defs.h>

FIPSRT_BEGIN_DECLS

/** Return codes. 0 is success; every error is negative. */
enum fipsrt_error {
    FIPSRT_OK = 0,
    /** NULL pointer, bad length, unknown enum value (a tag longer than the algorithm's) */
    FIPSRT_E_INVALID_ARG = -1,
    FIPSRT_E_BUFFER_TOO_SMALL = -2,  /**< output capacity too small; needed size is reported */
    FIPSRT_E_NOMEM = -3,             /**< allocation failed */
    /** Refused by the FIPS policy (algorithm, size, parameter). A tag shorter than the
     *  policy's minimum (HMAC: FIPSRT_HMAC_MIN_TAG_SIZE, GCM: FIPSRT_AEAD_MIN_TAG_SIZE) is
     *  this code in every family; a combined AEAD input shorter than its tag is INVALID_ARG. */
    FIPSRT_E_NOT_APPROVED = -4,
    FIPSRT_E_MD5_SECURE = -5,        /**< MD5 asked for in a security context */
    FIPSRT_E_VERIFY_FAILED = -6,     /**< MAC, tag, signature or password did not verify */
    FIPSRT_E_PROVIDER = -7,          /**< the FIPS provider refused or failed an operation */
    FIPSRT_E_INTERNAL = -8,          /**< unexpected internal failure (a bug: please report) */
    FIPSRT_E_MALFORMED = -9,         /**< malformed encoding (DER, PEM, hash string, record) */
    FIPSRT_E_KEY_TYPE = -10,         /**< the key's type does not fit the operation */
    FIPSRT_E_LIMIT = -11,            /**< a usage limit is reached (e.g. AES-GCM invocations) */
    FIPSRT_E_NONCE_REUSE = -12,      /**< a counter nonce did not strictly increase */
    FIPSRT_E_STATE = -13,            /**< object used in the wrong state (e.g. after final) */
    FIPSRT_E_UNSUPPORTED = -14,      /**< valid request this library does not offer */
    FIPSRT_E_WANT_READ = -15,        /**< non-blocking I/O: retry when readable */
    FIPSRT_E_WANT_WRITE = -16,       /**< non-blocking I/O: retry when writable */
    FIPSRT_E_TLS = -17,              /**< TLS protocol failure (handshake, alert, policy) */
    FIPSRT_E_TLS_VERIFY = -18,       /**< peer certificate verification failed */
    FIPSRT_E_CLOSED = -19,           /**< the peer closed the connection (close_notify) */
    FIPSRT_E_IO = -20,               /**< system I/O error (see errno in the detail text) */
};

/**
 * Fixed English text for an error code; never NULL ("unknown error" for unknown codes).
 * Thread-safe.
 */
FIPSRT_API const char *fipsrt_strerror(int code);

/**
 * Detail text for the last failure on the calling thread (function, reason, OpenSSL error
 * queue). Never NULL; empty when no libfipsrt call has failed on this thread. The string
 * stays valid until the next libfipsrt call on the same thread.
 */
FIPSRT_API const char *fipsrt_last_error(void);

/** Code of the last failure on the calling thread, or 0. */
FIPSRT_API int fipsrt_last_error_code(void);

FIPSRT_END_DECLS

#endif /* FIPSRT_ERROR_H */
