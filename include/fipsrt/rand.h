/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file fipsrt/rand.h
 * @brief Random bytes from the FIPS provider's DRBG (SP 800-90A).
 */
#ifndef FIPSRT_RAND_H
#define FIPSRT_RAND_H

#include <fipsrt/defs.h>

FIPSRT_BEGIN_DECLS

/**
 * Fill @p buf with @p len random bytes from the FIPS DRBG. Thread-safe and fork-safe
 * (OpenSSL reseeds after fork). @p len 0 is allowed (nothing written).
 * @return 0, FIPSRT_E_INVALID_ARG (NULL buffer with len > 0), FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_random(void *buf, size_t len);

FIPSRT_END_DECLS

#endif /* FIPSRT_RAND_H */
