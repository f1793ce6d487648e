/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A main() for the fuzz targets when libFuzzer is not there (gcc builds, plain `meson test`):
 * runs LLVMFuzzerTestOneInput once on each file named on the command line, so the targets
 * keep compiling and their seed inputs keep passing under ASan and valgrind.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (f == NULL) {
            perror(argv[i]);
            return 2;
        }
        size_t cap = 1 << 16, n = 0, got;
        uint8_t *buf = malloc(cap);
        while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
            n += got;
            if (n == cap) {
                uint8_t *bigger = realloc(buf, cap *= 2);
                if (bigger == NULL)
                    free(buf);
                buf = bigger;
            }
        }
        fclose(f);
        if (buf == NULL) {
            fprintf(stderr, "%s: out of memory\n", argv[i]);
            return 2;
        }
        /* An exact-size copy, as libFuzzer gives, so an overread is past the allocation. */
        uint8_t *exact = malloc(n ? n : 1);
        if (exact == NULL)
            return 2;
        for (size_t k = 0; k < n; k++)
            exact[k] = buf[k];
        free(buf);
        int rv = LLVMFuzzerTestOneInput(exact, n);
        free(exact);
        if (rv != 0) {
            fprintf(stderr, "%s: target returned %d\n", argv[i], rv);
            return 1;
        }
        printf("ok %s (%zu bytes)\n", argv[i], n);
    }
    return 0;
}
