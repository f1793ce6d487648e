/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The library's own known-answer tests, run by fipsrt_selftest() after the provider's.
 * They check the library's plumbing end to end (enum -> algorithm -> output), not the
 * primitives, which the provider's self-tests cover. One entry per family.
 */
#include <string.h>

#include <fipsrt/aead.h>
#include <fipsrt/hash.h>
#include <fipsrt/hmac.h>
#include <fipsrt/kdf.h>

#include "internal.h"

/* FIPS 180-4 example: SHA-256("abc"). */
static int kat_sha256(void)
{
    static const uint8_t want[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
        0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    uint8_t got[32];
    int rv = fipsrt_hash(FIPSRT_HASH_SHA256, "abc", 3, got, sizeof(got), NULL);
    return rv < 0 ? rv : memcmp(got, want, 32) == 0 ? 0 : -1;
}

/* FIPS 202 example: SHA3-256(""). */
static int kat_sha3_256(void)
{
    static const uint8_t want[32] = {
        0xa7, 0xff, 0xc6, 0xf8, 0xbf, 0x1e, 0xd7, 0x66, 0x51, 0xc1, 0x47, 0x56, 0xa0, 0x61, 0xd6, 0x62,
        0xf5, 0x80, 0xff, 0x4d, 0xe4, 0x3b, 0x49, 0xfa, 0x82, 0xd8, 0x0a, 0x4b, 0x80, 0xf8, 0x43, 0x4a};
    uint8_t got[32];
    int rv = fipsrt_hash(FIPSRT_HASH_SHA3_256, "", 0, got, sizeof(got), NULL);
    return rv < 0 ? rv : memcmp(got, want, 32) == 0 ? 0 : -1;
}

/* RFC 4231 test case 1: HMAC-SHA-256, key 0x0b x 20, "Hi There". */
static int kat_hmac_sha256(void)
{
    static const uint8_t want[32] = {
        0xb0, 0x34, 0x4c, 0x61, 0xd8, 0xdb, 0x38, 0x53, 0x5c, 0xa8, 0xaf, 0xce, 0xaf, 0x0b, 0xf1, 0x2b,
        0x88, 0x1d, 0xc2, 0x00, 0xc9, 0x83, 0x3d, 0xa7, 0x26, 0xe9, 0x37, 0x6c, 0x2e, 0x32, 0xcf, 0xf7};
    uint8_t key[20];
    memset(key, 0x0b, sizeof(key));
    return fipsrt_hmac_verify(FIPSRT_HASH_SHA256, key, sizeof(key), "Hi There", 8, want, 32);
}

/* RFC 5869 test case 1: HKDF-SHA-256, IKM 0x0b x 22, salt 00..0c, info f0..f9, L = 42. */
static int kat_hkdf_sha256(void)
{
    static const uint8_t salt[13] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    static const uint8_t info[10] = {0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9};
    static const uint8_t want[42] = {
        0x3c, 0xb2, 0x5f, 0x25, 0xfa, 0xac, 0xd5, 0x7a, 0x90, 0x43, 0x4f, 0x64, 0xd0, 0x36,
        0x2f, 0x2a, 0x2d, 0x2d, 0x0a, 0x90, 0xcf, 0x1a, 0x5a, 0x4c, 0x5d, 0xb0, 0x2d, 0x56,
        0xec, 0xc4, 0xc5, 0xbf, 0x34, 0x00, 0x72, 0x08, 0xd5, 0xb8, 0x87, 0x18, 0x58, 0x65};
    uint8_t ikm[22], got[42];
    memset(ikm, 0x0b, sizeof(ikm));
    int rv = fipsrt_hkdf(FIPSRT_HASH_SHA256, ikm, sizeof(ikm), salt, sizeof(salt), info,
                         sizeof(info), got, sizeof(got));
    return rv < 0 ? rv : memcmp(got, want, sizeof(want)) == 0 ? 0 : -1;
}

/* CAVP gcmDecrypt128.rsp [PTlen = 128, AADlen = 128, Taglen = 128] Count 0: AES-128-GCM open. */
static int kat_aes128_gcm(void)
{
    static const uint8_t key[16] = {
        0x81, 0x6e, 0x39, 0x07, 0x04, 0x10, 0xcf, 0x21, 0x84, 0x90, 0x4d, 0xa0, 0x3e, 0xa5, 0x07, 0x5a};
    static const uint8_t iv[12] = {
        0x32, 0xc3, 0x67, 0xa3, 0x36, 0x26, 0x13, 0xb2, 0x7f, 0xc3, 0xe6, 0x7e};
    static const uint8_t aad[16] = {
        0xf2, 0xa3, 0x07, 0x28, 0xed, 0x87, 0x4e, 0xe0, 0x29, 0x83, 0xc2, 0x94, 0x43, 0x5d, 0x3c, 0x16};
    static const uint8_t in[32] = {  /* ciphertext || tag */
        0x55, 0x2e, 0xbe, 0x01, 0x2e, 0x7b, 0xcf, 0x90, 0xfc, 0xef, 0x71, 0x2f, 0x83, 0x44, 0xe8, 0xf1,
        0xec, 0xaa, 0xe9, 0xfc, 0x68, 0x27, 0x6a, 0x45, 0xab, 0x0c, 0xa3, 0xcb, 0x9d, 0xd9, 0x53, 0x9f};
    static const uint8_t want[16] = {
        0xec, 0xaf, 0xe9, 0x6c, 0x67, 0xa1, 0x64, 0x67, 0x44, 0xf1, 0xc8, 0x91, 0xf5, 0xe6, 0x94, 0x27};
    uint8_t got[16];
    fipsrt_aead_key *k;
    int rv = fipsrt_aead_key_new(&k, FIPSRT_AEAD_AES_128_GCM, key, sizeof(key));
    if (rv < 0)
        return rv;
    rv = fipsrt_aead_open(k, iv, aad, sizeof(aad), in, sizeof(in), got, sizeof(got), NULL);
    fipsrt_aead_key_free(k);
    return rv < 0 ? rv : memcmp(got, want, sizeof(want)) == 0 ? 0 : -1;
}

static const struct {
    const char *name;
    int (*run)(void);
} kats[] = {
    {"SHA2-256", kat_sha256},
    {"SHA3-256", kat_sha3_256},
    {"HMAC-SHA2-256", kat_hmac_sha256},
    {"HKDF-SHA2-256", kat_hkdf_sha256},
    {"AES-128-GCM", kat_aes128_gcm},
};

int frt_run_kats(void)
{
    for (size_t i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
        int rv = kats[i].run();
        /* Out of memory or a provider failure is that (the call recorded its detail), not a
         * wrong answer. */
        if (rv == FIPSRT_E_NOMEM || rv == FIPSRT_E_PROVIDER)
            return rv;
        if (rv != 0)
            return frt_error(__func__, FIPSRT_E_INTERNAL, "known-answer test %s failed",
                             kats[i].name);
    }
    return FIPSRT_OK;
}
