/* SPDX-License-Identifier: Apache-2.0 */
/* Random bytes from the library context's DRBG (checked at initialisation to be the fips one). */
#include <limits.h>

#include <openssl/rand.h>

#include <fipsrt/rand.h>

#include "internal.h"

FIPSRT_API int fipsrt_random(void *buf, size_t len)
{
    int rv = FIPSRT_OK;
    frt_init();
    FRT_ARG(buf != NULL || len == 0);
    /* RAND_bytes_ex takes a size_t but draws in DRBG-request-sized chunks itself. */
    if (len > 0)
        FRT_OSSL(RAND_bytes_ex(frt_libctx(), buf, len, 0), FIPSRT_E_PROVIDER);
    frt_service_approved();  /* len 0 too: a request the approved DRBG served */
out:
    return rv;
}
