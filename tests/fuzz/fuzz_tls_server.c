/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: a TLS server connection (memory transport) fed arbitrary client flights,
 * in pieces, handshaking and reading after each. Every result must be documented and the
 * OpenSSL error queue empty. Seeds: the client side of real TLS 1.3 and 1.2 handshakes with
 * this library (FIPSRT_FUZZ_SEEDS).
 */
#include "fuzz_tls_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fz_make_contexts();
    fz_seed_handshake("tls13", 0);
    fz_seed_handshake("tls12", TLS1_2_VERSION);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fipsrt_tls_conn *s = NULL;
    if (fipsrt_tls_conn_new_mem(&s, fz_server_ctx, NULL) != 0)
        __builtin_trap();
    fz_feed(s, data, size);
    fipsrt_tls_conn_free(s);
    return 0;
}
