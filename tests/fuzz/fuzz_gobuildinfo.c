/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target over the Go build-info reader of `fipsrt check` (tools/goinfo.c): the
 * input is a .go.buildinfo blob. For the pointer layout (Go < 1.18) the input is also the
 * address space, mapped at address 0, so the fuzzer can aim the string headers anywhere in
 * (or out of) it. Any input must give one of the reader's statuses without reading outside
 * the input, leaking or looping; what a successful parse returns is read back in full.
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true && ninja -C build-fuzz
 *   python3 tests/consumers/make_go_fixtures.py --seeds corpus
 *   build-fuzz/tests/fuzz/fuzz_gobuildinfo -max_total_time=60 corpus
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../tools/goinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct space {
    const uint8_t *p;
    size_t len;
};

static const uint8_t *read_at(void *ctx, uint64_t addr, uint64_t len)
{
    const struct space *s = ctx;
    if (addr > s->len || len > s->len - addr)
        return NULL;
    return s->p + addr;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct space sp = {data, size};
    struct goinfo g;
    int rv = goinfo_parse(data, size, read_at, &sp, &g);
    if (rv == GOINFO_OK) {
        size_t n = strlen(g.version);
        n += g.path ? strlen(g.path) : 0;
        n += g.main_module ? strlen(g.main_module) : 0;
        for (size_t i = 0; i < g.n_settings; i++)
            n += strlen(g.settings[i].key) + strlen(g.settings[i].value);
        n += goinfo_setting(&g, "GOEXPERIMENT") != NULL;
        n += goinfo_list_has(goinfo_setting(&g, "GOEXPERIMENT"), "boringcrypto");
        if (n == SIZE_MAX)  /* keep the reads */
            return 1;
    } else if (rv != GOINFO_NONE && rv != GOINFO_MALFORMED && rv != GOINFO_NOMEM) {
        __builtin_trap();
    }
    goinfo_free(&g);
    return 0;
}
