/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A program that uses libfipsrt the way an application does; built dynamically and
 * statically for the `fipsrt check` and panic tests. It says when main() starts (flushed),
 * so a test can prove a panic came from the library constructor, before main().
 */
#include <stdio.h>

#include <fipsrt/fipsrt.h>

int main(void)
{
    printf("consumer: main() reached\n");
    fflush(stdout);
    uint8_t digest[FIPSRT_SHA256_SIZE];
    size_t len;
    int rv = fipsrt_hash(FIPSRT_HASH_SHA256, "abc", 3, digest, sizeof(digest), &len);
    if (rv != 0) {
        fprintf(stderr, "consumer: %s: %s\n", fipsrt_strerror(rv), fipsrt_last_error());
        return 1;
    }
    printf("sha256(abc) = ");
    for (size_t i = 0; i < len; i++)
        printf("%02x", digest[i]);
    printf("\n");
    return 0;
}
