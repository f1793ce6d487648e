/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: a TLS client connection (memory transport) that sent its ClientHello and
 * is then fed arbitrary server flights, in pieces. Peer verification is off so fuzzed
 * flights reach the key exchange and the FIPS policy checks on the server's certificate.
 * Seeds: the server side of real TLS 1.3 and 1.2 handshakes (FIPSRT_FUZZ_SEEDS).
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
    fipsrt_tls_conn *c = NULL;
    uint8_t hello[4096];
    size_t n;
    if (fipsrt_tls_conn_new_mem(&c, fz_client_ctx, "localhost") != 0 ||
        fipsrt_tls_conn_handshake(c) != FIPSRT_E_WANT_READ ||
        fipsrt_tls_conn_drain(c, hello, sizeof(hello), &n) != 0)
        __builtin_trap();
    fz_feed(c, data, size);
    fipsrt_tls_conn_free(c);
    return 0;
}
