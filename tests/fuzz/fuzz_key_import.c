/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target over every parser of keys.h and ecdsa.h: PKCS#8 and SPKI as DER and PEM,
 * raw EC points, RSA moduli, and DER ECDSA signatures. Each input goes through all of them
 * (so key files are seeds as they are). Every call must return one of its documented codes
 * and leave the OpenSSL error queue empty; a key that loads must export and load again to
 * the same public key. The library is compiled into the target, so its code is covered.
 * Encrypted keys get no password: PBKDF2 would dominate the run (their PBES2 parameters are
 * still parsed and policed before the password is asked for).
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false -Dbench=false
 *   ninja -C build-fuzz tests/fuzz/fuzz_key_import
 *   eval "$(tools/fips-provider env)"
 *   V=/usr/lib/python3/dist-packages/cryptography_vectors/asymmetric
 *   mkdir -p corpus-keys && cp $V/PKCS8/[a-z]* $V/DER_Serialization/[a-z]* $V/X25519/x* corpus-keys/
 *   build-fuzz/tests/fuzz/fuzz_key_import -max_total_time=60 -max_len=8192 corpus-keys
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <openssl/err.h>

#include <fipsrt/fipsrt.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int rv, bool may_succeed)
{
    bool documented = rv == FIPSRT_E_MALFORMED || rv == FIPSRT_E_NOT_APPROVED ||
                      rv == FIPSRT_E_UNSUPPORTED || rv == FIPSRT_E_KEY_TYPE ||
                      rv == FIPSRT_E_INVALID_ARG || rv == FIPSRT_E_NOMEM ||
                      (rv == 0 && may_succeed);
    if (!documented || ERR_peek_error() != 0)
        __builtin_trap();
}

/* A key that loaded: its SPKI loads again and re-encodes identically; so does its PKCS#8. */
static void round_trip(const fipsrt_key *key)
{
    uint8_t a[8192], b[8192];
    size_t al, bl;
    fipsrt_key *again = NULL;
    if (fipsrt_key_export_public(key, FIPSRT_KEY_DER, a, sizeof(a), &al) != 0 ||
        fipsrt_key_import_public(&again, FIPSRT_KEY_DER, a, al) != 0 ||
        fipsrt_key_export_public(again, FIPSRT_KEY_DER, b, sizeof(b), &bl) != 0 || al != bl ||
        memcmp(a, b, al) != 0)
        __builtin_trap();
    fipsrt_key_free(again);
    again = NULL;
    if (fipsrt_key_has_private(key) &&
        (fipsrt_key_export_private(key, FIPSRT_KEY_PEM, NULL, 0, a, sizeof(a), &al) != 0 ||
         fipsrt_key_import_private(&again, FIPSRT_KEY_PEM, a, al, NULL, 0) != 0))
        __builtin_trap();
    fipsrt_key_free(again);
}

/* Every import sets its key to NULL on failure, so `key` is always safe to free. */
static void try_key(int rv, fipsrt_key *key)
{
    check(rv, true);
    if (rv == 0)
        round_trip(key);
    fipsrt_key_free(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fipsrt_key *k = NULL;
    static const uint8_t e65537[] = {1, 0, 1};
    int rv;
    for (int enc = FIPSRT_KEY_DER; enc <= FIPSRT_KEY_PEM; enc++) {
        rv = fipsrt_key_import_private(&k, enc, data, size, NULL, 0);
        try_key(rv, k);
        rv = fipsrt_key_import_public(&k, enc, data, size);
        try_key(rv, k);
    }
    for (fipsrt_ec_curve c = FIPSRT_EC_P256; c <= FIPSRT_EC_P521; c++) {
        rv = fipsrt_key_import_ec_point(&k, c, data, size);
        try_key(rv, k);
        uint8_t raw[132];
        size_t raw_len;
        check(fipsrt_ecdsa_der_to_p1363(c, data, size, raw, sizeof(raw), &raw_len), true);
        if (size > 1) {
            /* The first byte as the scalar length: d || point. */
            size_t dl = data[0] % (size - 1);
            rv = fipsrt_key_import_ec_private(&k, c, data + 1, dl, data + 1 + dl, size - 1 - dl);
            try_key(rv, k);
        }
    }
    if (size > 0) {
        rv = fipsrt_key_import_rsa_public(&k, data, size, e65537, sizeof(e65537));
        try_key(rv, k);
    }
    return 0;
}
