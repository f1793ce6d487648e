/* SPDX-License-Identifier: Apache-2.0 */
/* A program that links libfipsrt and also libgcrypt: a second crypto library outside the
 * FIPS provider, which `fipsrt check` must report. Built only, never run. */
#include <stdio.h>

#include <gcrypt.h>

#include <fipsrt/fipsrt.h>

int main(void)
{
    fipsrt_init();
    puts(gcry_check_version(NULL));
    return 0;
}
