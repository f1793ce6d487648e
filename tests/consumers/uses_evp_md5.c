/* SPDX-License-Identifier: Apache-2.0 */
/* A program that links libfipsrt but also calls libcrypto's EVP_md5 directly: the kind of
 * bypass `fipsrt check` must report. Built only, never run. */
#include <stdio.h>

#include <openssl/evp.h>

#include <fipsrt/fipsrt.h>

int main(void)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    fipsrt_init();
    if (!EVP_Digest("abc", 3, md, &len, EVP_md5(), NULL))
        return 1;
    printf("%u\n", len);
    return 0;
}
