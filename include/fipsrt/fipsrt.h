/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file fipsrt/fipsrt.h
 * @brief libfipsrt umbrella header: every operation runs in OpenSSL 3's FIPS provider.
 *
 * Link with `pkg-config --cflags --libs fipsrt`. Loading the library forces FIPS mode; if
 * the FIPS provider is missing or fails its self-tests the process aborts with a panic.
 */
#ifndef FIPSRT_FIPSRT_H
#define FIPSRT_FIPSRT_H

#include <fipsrt/defs.h>
#include <fipsrt/error.h>
#include <fipsrt/runtime.h>
#include <fipsrt/hash.h>
#include <fipsrt/hmac.h>
#include <fipsrt/rand.h>
#include <fipsrt/keys.h>
#include <fipsrt/ecdsa.h>
#include <fipsrt/rsa.h>
#include <fipsrt/ecdh.h>
#include <fipsrt/kdf.h>
#include <fipsrt/passwd.h>
#include <fipsrt/aead.h>
#include <fipsrt/cert.h>
#include <fipsrt/tls.h>

#endif /* FIPSRT_FIPSRT_H */
