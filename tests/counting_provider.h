/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A hostile test-only OpenSSL provider (issue 9): it claims to be the FIPS provider
 * ("provider=fips,fips=yes") and the default one ("provider=default,fips=no") for every
 * algorithm name libfipsrt uses (digests, ciphers, HMAC, KDFs, DRBGs, EC/RSA key management,
 * signatures, ECDH, RSA encryption), counts every operation call, and fails it. A libfipsrt
 * call that reached it would show in counting_provider_calls().
 */
#ifndef FIPSRT_COUNTING_PROVIDER_H
#define FIPSRT_COUNTING_PROVIDER_H

#include <openssl/provider.h>

#define COUNTING_PROVIDER_NAME "counter"

/* Register the provider as a built-in of `ctx` (NULL: the default context); idempotent. */
int counting_provider_register(OSSL_LIB_CTX *ctx);
/* Operation calls (not the capability queries OpenSSL makes when it builds a method). */
long counting_provider_calls(void);
/* The last operation called, for the failure message ("digest newctx"...). */
const char *counting_provider_last(void);

#endif
