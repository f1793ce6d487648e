/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target over certificate import (fipsrt_cert_import, DER and PEM). A certificate
 * that loads must export in both forms, load again from each, and report its subject and
 * validity. Seeds: the X.509 files of python3-cryptography-vectors (tools/run copies them).
 */
#include <string.h>

#include "fuzz_util.h"

static const int codes[] = {FIPSRT_E_MALFORMED, FIPSRT_E_NOT_APPROVED, FIPSRT_E_INVALID_ARG,
                            FIPSRT_E_UNSUPPORTED, FIPSRT_E_KEY_TYPE, 0};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fipsrt_cert *c = NULL, *again = NULL;
    static uint8_t out[65536];
    char subj[1024];
    size_t n;
    int64_t nb, na;
    int rv = fipsrt_cert_import(&c, data, size);
    fuzz_check(rv, true, codes);
    if ((rv == 0) != (c != NULL))
        __builtin_trap();
    if (c == NULL)
        return 0;
    for (int f = FIPSRT_CERT_DER; f <= FIPSRT_CERT_PEM; f++) {
        if (fipsrt_cert_export(c, (fipsrt_cert_format)f, out, sizeof(out), &n) != 0 ||
            fipsrt_cert_import(&again, out, n) != 0)
            __builtin_trap();
        fipsrt_cert_free(again);
        again = NULL;
    }
    rv = fipsrt_cert_subject(c, subj, sizeof(subj), &n);
    if (rv != 0 && rv != FIPSRT_E_BUFFER_TOO_SMALL)
        __builtin_trap();
    rv = fipsrt_cert_validity(c, &nb, &na);
    if ((rv != 0 && rv != FIPSRT_E_MALFORMED) || ERR_peek_error() != 0)
        __builtin_trap();
    fipsrt_cert_free(c);
    return 0;
}
