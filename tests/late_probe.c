/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Process-level probe for calls after the runtime's exit cleanup: a program that dlopen()s
 * libfipsrt late (as plugins and language bindings do) after registering an exit handler
 * that calls into it. That handler runs after the library released its algorithm table;
 * the call must panic, never touch freed or NULL objects. argv[1]: path of libfipsrt.so.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef int (*hash_fn)(int, const void *, size_t, uint8_t *, size_t, size_t *);
typedef int (*hmac_fn)(int, const void *, size_t, const void *, size_t, uint8_t *, size_t,
                       size_t *);
static hash_fn hash;
static hmac_fn hmac;

static void late_call(void)
{
    uint8_t d[64], key[32] = {0};
    printf("late hash %d\n", hash(3 /* SHA-256 */, "abc", 3, d, sizeof(d), NULL));
    printf("late hmac %d\n", hmac(3, key, sizeof(key), "abc", 3, d, sizeof(d), NULL));
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    atexit(late_call);
    void *lib = dlopen(argv[1], RTLD_NOW);
    if (lib == NULL) {
        fprintf(stderr, "late_probe: %s\n", dlerror());
        return 2;
    }
    hash = (hash_fn)(uintptr_t)dlsym(lib, "fipsrt_hash");
    hmac = (hmac_fn)(uintptr_t)dlsym(lib, "fipsrt_hmac");
    uint8_t d[32];
    printf("main hash %d\n", hash(3, "abc", 3, d, sizeof(d), NULL));
    fflush(stdout);
    return 0;
}
