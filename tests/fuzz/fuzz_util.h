/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the fuzz targets: the outcome check and the seed writer. */
#ifndef FIPSRT_FUZZ_UTIL_H
#define FIPSRT_FUZZ_UTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/err.h>

#include <fipsrt/fipsrt.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A documented outcome for hostile input: success only where allowed, a clean error queue. */
static inline void fuzz_check(int rv, bool ok, const int *codes)
{
    bool documented = rv == 0 ? ok : rv == FIPSRT_E_NOMEM;
    for (const int *c = codes; !documented && *c != 0; c++)
        documented = rv == *c;
    if (!documented || ERR_peek_error() != 0) {
        fprintf(stderr, "undocumented result %d: %s\n", rv, fipsrt_last_error());
        __builtin_trap();
    }
}

/* With FIPSRT_FUZZ_SEEDS=DIR set, targets write seeds made from real exchanges there. */
static inline void fuzz_seed(const char *name, const void *data, size_t len)
{
    const char *dir = getenv("FIPSRT_FUZZ_SEEDS");
    char path[1024];
    if (dir == NULL)
        return;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        abort();
}

#endif
