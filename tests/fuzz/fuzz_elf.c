/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target over the ELF reader of `fipsrt check` (tools/elfaudit.c): any input must
 * give one of its statuses without reading outside the buffer (libFuzzer hands over exactly
 * `size` bytes, so ASan sees any overread), leaking, or looping. Everything a successful
 * parse reports is read back, so an unterminated or dangling string shows too.
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true && ninja -C build-fuzz
 *   mkdir -p corpus && cp build-fuzz/tools/fipsrt build-fuzz/lib/libfipsrt.so.1 corpus/
 *   build-fuzz/tests/fuzz/fuzz_elf -max_total_time=300 -max_len=65536 corpus
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../tools/elfaudit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct elfaudit a;
    int rv = elfaudit_parse(data, size, &a);
    if (rv == ELFAUDIT_OK) {
        size_t n = a.soname ? strlen(a.soname) : 0;
        for (size_t i = 0; i < a.n_needed; i++)
            n += strlen(a.needed[i]);
        for (size_t i = 0; i < a.n_imports; i++) {
            n += strlen(a.imports[i].name);
            n += a.imports[i].version ? strlen(a.imports[i].version) : 0;
            n += a.imports[i].library ? strlen(a.imports[i].library) : 0;
        }
        n += strlen(a.marker_version);
        if (n == SIZE_MAX)  /* keep the reads */
            return 1;
    } else if (rv != ELFAUDIT_NOT_ELF && rv != ELFAUDIT_MALFORMED && rv != ELFAUDIT_NOMEM) {
        __builtin_trap();
    }
    elfaudit_free(&a);
    return 0;
}
