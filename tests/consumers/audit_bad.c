/* SPDX-License-Identifier: Apache-2.0 */
/* A library that calls libcrypto's EVP_md5 itself: a program that loads it inherits the
 * finding (`fipsrt check --root`: kind "dependency"). Built only, never run. */
#include <openssl/evp.h>

const void *audit_bad_md(void);

const void *audit_bad_md(void)
{
    return EVP_md5();
}
