/* SPDX-License-Identifier: Apache-2.0 */
/* Error codes, their fixed texts and the per-thread detail of the last failure. */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "internal.h"

static _Thread_local int last_code;
static _Thread_local char last_detail[FRT_ERROR_DETAIL_MAX];

FIPSRT_API const char *fipsrt_strerror(int code)
{
    switch (code) {
    case FIPSRT_OK: return "success";
    case FIPSRT_E_INVALID_ARG: return "invalid argument";
    case FIPSRT_E_BUFFER_TOO_SMALL: return "output buffer too small";
    case FIPSRT_E_NOMEM: return "out of memory";
    case FIPSRT_E_NOT_APPROVED: return "not approved by the FIPS policy";
    case FIPSRT_E_MD5_SECURE: return "MD5 is not allowed for security use";
    case FIPSRT_E_VERIFY_FAILED: return "verification failed";
    case FIPSRT_E_PROVIDER: return "FIPS provider operation failed";
    case FIPSRT_E_INTERNAL: return "internal error";
    case FIPSRT_E_MALFORMED: return "malformed input";
    case FIPSRT_E_KEY_TYPE: return "wrong key type for this operation";
    case FIPSRT_E_LIMIT: return "usage limit reached";
    case FIPSRT_E_NONCE_REUSE: return "nonce counter did not increase";
    case FIPSRT_E_STATE: return "object is in the wrong state for this call";
    case FIPSRT_E_UNSUPPORTED: return "not supported";
    case FIPSRT_E_WANT_READ: return "operation would block: wait until readable";
    case FIPSRT_E_WANT_WRITE: return "operation would block: wait until writable";
    case FIPSRT_E_TLS: return "TLS protocol failure";
    case FIPSRT_E_TLS_VERIFY: return "peer certificate verification failed";
    case FIPSRT_E_CLOSED: return "connection closed by peer";
    case FIPSRT_E_IO: return "I/O error";
    default: return "unknown error";
    }
}

FIPSRT_API const char *fipsrt_last_error(void) { return last_detail; }

FIPSRT_API int fipsrt_last_error_code(void) { return last_code; }

void frt_error_clear(void)
{
    last_code = 0;
    last_detail[0] = '\0';
}

/* Append printf-style text to the detail buffer at *pos, never overflowing it. */
static void detail_append(size_t *pos, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void detail_append(size_t *pos, const char *fmt, ...)
{
    if (*pos >= sizeof(last_detail) - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(last_detail + *pos, sizeof(last_detail) - *pos, fmt, ap);
    va_end(ap);
    if (n > 0)
        *pos += (size_t)n < sizeof(last_detail) - *pos ? (size_t)n : sizeof(last_detail) - 1 - *pos;
}

/* Move the thread's OpenSSL error queue into the detail text, leaving the queue empty.
 * Returns true if an entry says an allocation failed. */
static bool drain_openssl_queue(size_t *pos)
{
    bool nomem = false;
    const char *data, *file;
    int line, flags;
    unsigned long e;
    bool first = true;
    while ((e = ERR_get_error_all(&file, &line, NULL, &data, &flags)) != 0) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof(buf));
        detail_append(pos, "%s%s", first ? "; openssl: " : " | ", buf);
        if ((flags & ERR_TXT_STRING) && data != NULL && *data != '\0')
            detail_append(pos, " (%s)", data);
        first = false;
        nomem |= ERR_GET_REASON(e) == ERR_GET_REASON(ERR_R_MALLOC_FAILURE);
    }
    return nomem;
}

/* Codes OpenSSL's "the call failed" maps to that an allocation failure would misreport:
 * out of memory is not a malformed key, a bad signature or a policy refusal. */
static bool nomem_overrides(int code)
{
    switch (code) {
    case FIPSRT_E_INVALID_ARG:   /* a setter OpenSSL refused: only when it says out of memory */
    case FIPSRT_E_MALFORMED:
    case FIPSRT_E_VERIFY_FAILED:
    case FIPSRT_E_NOT_APPROVED:
    case FIPSRT_E_PROVIDER:
    case FIPSRT_E_INTERNAL:
    case FIPSRT_E_KEY_TYPE:
    case FIPSRT_E_TLS:
    case FIPSRT_E_TLS_VERIFY:
    case FIPSRT_E_UNSUPPORTED:
        return true;
    default:
        return false;
    }
}

static int record(const char *func, int code, const char *reason)
{
    size_t pos = 0;
    last_code = code;
    last_detail[0] = '\0';
    detail_append(&pos, "%s: %s", func, reason);
    if (drain_openssl_queue(&pos) && nomem_overrides(code))
        last_code = code = FIPSRT_E_NOMEM;
    return code;
}

int frt_error(const char *func, int code, const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    return record(func, code, reason);
}

int frt_ossl_error(const char *func, int code, const char *what)
{
    char reason[512];
    snprintf(reason, sizeof(reason), "%s failed", what);
    return record(func, code, reason);
}
