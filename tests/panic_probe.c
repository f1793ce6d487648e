/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Process-level probe: a program that merely links libfipsrt. The library's constructor
 * enters FIPS mode before main() runs; main() then hashes a string so a healthy runtime
 * prints "probe ok <sha256>" and exits 0. Under a broken provider it must never get here.
 */
#include <stdio.h>

#include <fipsrt/fipsrt.h>

int main(void)
{
    uint8_t d[32];
    if (fipsrt_hash(FIPSRT_HASH_SHA256, "abc", 3, d, sizeof(d), NULL) != 0) {
        fprintf(stderr, "probe: hash failed: %s\n", fipsrt_last_error());
        return 1;
    }
    fipsrt_runtime_info info = {.size = sizeof(info)};
    fipsrt_runtime_get_info(&info);
    printf("probe ok ");
    for (int i = 0; i < 32; i++)
        printf("%02x", d[i]);
    printf(" fips=%d provider=%s\n", info.fips_properties, info.provider_name);
    return 0;
}
