/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AES-GCM: NIST CAVP encrypt and decrypt vectors run whole, nonce-misuse refusals, tampering,
 * the 2^32 invocation limit, counter nonces, streaming, 8 threads sharing one key, fork,
 * cross-checks with Python's `cryptography`, the `fipsrt aead` CLI and examples/encrypt_file.
 *
 * Linked against the static library to reach the test-only hooks of lib/aead_test.h (an
 * external-IV encrypt for the CAVP encrypt files, and fast-forwarding a key's invocations).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

#include "aead_test.h"
#include "testutil.h"

#define GCM "ciphers/AES/GCM/"

static fipsrt_aead_alg alg_for(size_t key_len)
{
    return key_len == 16 ? FIPSRT_AEAD_AES_128_GCM : key_len == 24 ? FIPSRT_AEAD_AES_192_GCM
                                                                   : FIPSRT_AEAD_AES_256_GCM;
}

static bool all_eq(const uint8_t *p, size_t n, uint8_t v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

static char *to_hex(const uint8_t *p, size_t n)
{
    char *s = malloc(2 * n + 1);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < n; i++)
        sprintf(s + 2 * i, "%02x", p[i]);
    s[2 * n] = '\0';
    return s;
}

static fipsrt_aead_key *new_key(fipsrt_aead_alg alg, uint8_t *bytes)
{
    uint8_t local[32];
    uint8_t *k = bytes ? bytes : local;
    fipsrt_aead_key *key = NULL;
    ck_assert_ok(fipsrt_random(k, fipsrt_aead_key_size(alg)));
    ck_assert_ok(fipsrt_aead_key_new(&key, alg, k, fipsrt_aead_key_size(alg)));
    ck_assert_ptr_nonnull(key);
    return key;
}

/* ---- NIST CAVP ------------------------------------------------------------------------- */

/*
 * Checks inside vector loops. A passing ck_assert costs a write() to Check's log, and these
 * files hold 47,250 records: fail loudly, but only pay when failing.
 */
#define VEC_CHECK(v, cond)                                                                  \
    do {                                                                                    \
        if (!(cond))                                                                        \
            ck_abort_msg("%s line %d: %s", (v)->path, (v)->line, #cond);                    \
    } while (0)
#define VEC_RV(v, call, code)                                                               \
    do {                                                                                    \
        int vec_rv_ = (call);                                                               \
        if (vec_rv_ != (code))                                                              \
            ck_abort_msg("%s line %d: %s returned %d, expected %d; detail: %s", (v)->path,  \
                         (v)->line, #call, vec_rv_, (code), fipsrt_last_error());           \
    } while (0)

/* hex_alloc() without a ck_assert per digit (see VEC_CHECK); NULL for bad hex. */
static uint8_t *unhex(const char *hex, size_t *len)
{
    size_t n = strlen(hex), o = 0;
    uint8_t *out = malloc(n / 2 + 1);
    int hi = -1;
    for (size_t i = 0; out != NULL && i < n; i++) {
        int c = (unsigned char)hex[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (c | 0x20) - 'a' + 10;
        else
            ck_abort_msg("bad hex digit in \"%.40s\"", hex);
        if (hi < 0) {
            hi = d;
        } else {
            out[o++] = (uint8_t)(hi << 4 | d);
            hi = -1;
        }
    }
    if (out == NULL || hi >= 0)
        ck_abort_msg("bad hex \"%.40s\"", hex);
    *len = o;
    return out;
}

static const char *const enc_files[] = {GCM "gcmEncryptExtIV128.rsp", GCM "gcmEncryptExtIV192.rsp",
                                        GCM "gcmEncryptExtIV256.rsp"};
static const char *const dec_files[] = {GCM "gcmDecrypt128.rsp", GCM "gcmDecrypt192.rsp",
                                        GCM "gcmDecrypt256.rsp"};

/*
 * Every encrypt vector runs through the test-only external-IV seal (all IV and tag lengths).
 * Those with a 96-bit IV and a tag of 96 bits or more are also opened through the public API.
 */
START_TEST(test_cavp_encrypt)
{
    vec_file v;
    vec_open(&v, enc_files[_i]);
    int run = 0, opened = 0;
    while (vec_next(&v)) {
        size_t key_len, iv_len, pt_len, aad_len, ct_len, tag_len;
        uint8_t *key = unhex(vec_get(&v, "Key"), &key_len);
        uint8_t *iv = unhex(vec_get(&v, "IV"), &iv_len);
        uint8_t *pt = unhex(vec_get(&v, "PT"), &pt_len);
        uint8_t *aad = unhex(vec_get(&v, "AAD"), &aad_len);
        uint8_t *ct = unhex(vec_get(&v, "CT"), &ct_len);
        uint8_t *tag = unhex(vec_get(&v, "Tag"), &tag_len);
        uint8_t *got = malloc(pt_len + 1), got_tag[16];
        fipsrt_aead_key *k = NULL;
        VEC_CHECK(&v, ct_len == pt_len);
        VEC_RV(&v, fipsrt_aead_key_new(&k, alg_for(key_len), key, key_len), 0);
        VEC_RV(&v, frt_aead_seal_external_iv(k, iv, iv_len, aad, aad_len, pt, pt_len, got,
                                             got_tag, tag_len), 0);
        VEC_CHECK(&v, memcmp(got, ct, ct_len) == 0 && memcmp(got_tag, tag, tag_len) == 0);
        if (iv_len == FIPSRT_AEAD_NONCE_SIZE && tag_len >= FIPSRT_AEAD_MIN_TAG_SIZE) {
            memset(got, 0xaa, pt_len);
            VEC_RV(&v, fipsrt_aead_open_detached(k, iv, aad, aad_len, ct, ct_len, tag, tag_len,
                                                 got, pt_len), 0);
            VEC_CHECK(&v, memcmp(got, pt, pt_len) == 0);
            opened++;
        }
        run++;
        fipsrt_aead_key_free(k);
        free(key), free(iv), free(pt), free(aad), free(ct), free(tag), free(got);
    }
    vec_close(&v);
    ck_assert_int_eq(run, 7875);
    vec_report(enc_files[_i], run, 0, NULL);
    printf("  %s: all %d through the test-only external-IV seal; %d also opened through "
           "fipsrt_aead_open_detached (96-bit IV, tag >= 96 bits)\n", enc_files[_i], run, opened);
}
END_TEST

/*
 * Decrypt vectors with a 96-bit IV go through the public open: tags of 96..128 bits open
 * (or fail with FIPSRT_E_VERIFY_FAILED and a zeroed output for the FAIL records), 32- and
 * 64-bit tags are refused with FIPSRT_E_NOT_APPROVED. The API's nonce is 12 bytes, so
 * records with other IV lengths cannot be opened: those with a plaintext are checked by
 * re-encrypting through the test-only path; those marked FAIL (no plaintext) are skipped.
 */
START_TEST(test_cavp_decrypt)
{
    vec_file v;
    vec_open(&v, dec_files[_i]);
    int total = 0, opened = 0, failed = 0, refused = 0, reencrypted = 0, skipped = 0;
    while (vec_next(&v)) {
        total++;
        size_t key_len, iv_len, ct_len, aad_len, tag_len, pt_len = 0;
        uint8_t *key = unhex(vec_get(&v, "Key"), &key_len);
        uint8_t *iv = unhex(vec_get(&v, "IV"), &iv_len);
        uint8_t *ct = unhex(vec_get(&v, "CT"), &ct_len);
        uint8_t *aad = unhex(vec_get(&v, "AAD"), &aad_len);
        uint8_t *tag = unhex(vec_get(&v, "Tag"), &tag_len);
        const char *pt_hex = vec_get(&v, "PT");   /* absent on FAIL records */
        uint8_t *pt = pt_hex ? unhex(pt_hex, &pt_len) : NULL;
        uint8_t *out = malloc(ct_len + 16), out_tag[16];
        fipsrt_aead_key *k = NULL;
        VEC_RV(&v, fipsrt_aead_key_new(&k, alg_for(key_len), key, key_len), 0);
        bool nonce_ok = iv_len == FIPSRT_AEAD_NONCE_SIZE;
        bool tag_ok = tag_len >= FIPSRT_AEAD_MIN_TAG_SIZE;
        if (nonce_ok && !tag_ok) {
            memset(out, 0xaa, ct_len + 1);
            VEC_RV(&v, fipsrt_aead_open_detached(k, iv, aad, aad_len, ct, ct_len, tag,
                                                 tag_len, out, ct_len), FIPSRT_E_NOT_APPROVED);
            VEC_CHECK(&v, all_eq(out, ct_len, 0xaa));   /* refused before anything is written */
            refused++;
        } else if (nonce_ok) {
            memset(out, 0xaa, ct_len + 1);
            int want = pt != NULL ? 0 : FIPSRT_E_VERIFY_FAILED;
            VEC_RV(&v, fipsrt_aead_open_detached(k, iv, aad, aad_len, ct, ct_len, tag, tag_len,
                                                 out, ct_len), want);
            if (pt != NULL) {
                VEC_CHECK(&v, memcmp(out, pt, pt_len) == 0);
                opened++;
            } else {
                VEC_CHECK(&v, all_eq(out, ct_len, 0));   /* no partial plaintext */
                failed++;
            }
            VEC_CHECK(&v, out[ct_len] == 0xaa);   /* nothing past the plaintext */
            if (tag_len == FIPSRT_AEAD_TAG_SIZE) {
                /* The combined layout must agree. */
                uint8_t *in = malloc(ct_len + 16);
                size_t n = 0;
                memcpy(in, ct, ct_len);
                memcpy(in + ct_len, tag, 16);
                memset(out, 0xaa, ct_len + 1);
                VEC_RV(&v, fipsrt_aead_open(k, iv, aad, aad_len, in, ct_len + 16, out, ct_len, &n),
                       want);
                VEC_CHECK(&v, pt ? memcmp(out, pt, pt_len) == 0 : all_eq(out, ct_len, 0));
                free(in);
            }
        }
        if (!(nonce_ok && tag_ok) && pt != NULL) {
            VEC_RV(&v, frt_aead_seal_external_iv(k, iv, iv_len, aad, aad_len, pt, pt_len, out,
                                                 out_tag, tag_len), 0);
            VEC_CHECK(&v, memcmp(out, ct, ct_len) == 0 && memcmp(out_tag, tag, tag_len) == 0);
            reencrypted++;
        } else if (!nonce_ok) {
            skipped++;
        }
        fipsrt_aead_key_free(k);
        free(key), free(iv), free(ct), free(aad), free(tag), free(pt), free(out);
    }
    vec_close(&v);
    ck_assert_int_eq(total, 7875);
    vec_report(dec_files[_i], total - skipped, skipped,
               "IV not 96 bits and marked FAIL: the API takes 12-byte nonces only, and there is "
               "no plaintext to check through the encrypt path");
    printf("  %s: opened %d, FAIL records refused with VERIFY_FAILED and zeroed output %d, "
           "32/64-bit tags refused with NOT_APPROVED %d, checked by re-encryption %d "
           "(non-96-bit IV or short tag, with plaintext)\n",
           dec_files[_i], opened, failed, refused, reencrypted);
    ck_assert_int_gt(opened, 0);
    ck_assert_int_gt(failed, 0);
}
END_TEST

/* ---- one-shot API ---------------------------------------------------------------------- */

START_TEST(test_roundtrip)
{
    static const size_t lens[] = {0, 1, 15, 16, 17, 255, 4096, 70000};
    static uint8_t pt[70000], buf[70000 + 16], ct[70000], back[70000];
    uint8_t aad[37], nonce[12], nonce2[12], tag[16];
    ck_assert_ok(fipsrt_random(pt, sizeof(pt)));
    ck_assert_ok(fipsrt_random(aad, sizeof(aad)));
    for (fipsrt_aead_alg alg = FIPSRT_AEAD_AES_128_GCM; alg <= FIPSRT_AEAD_AES_256_GCM; alg++) {
        fipsrt_aead_key *k = new_key(alg, NULL);
        ck_assert_int_eq(fipsrt_aead_key_alg(k), alg);
        for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
            size_t len = lens[i], n = 0;
            for (size_t a = 0; a <= sizeof(aad); a += sizeof(aad)) {
                /* combined */
                ck_assert_ok(fipsrt_aead_seal(k, aad, a, pt, len, nonce, buf, sizeof(buf), &n));
                ck_assert_uint_eq(n, len + 16);
                ck_assert_ok(fipsrt_aead_open(k, nonce, aad, a, buf, n, back, sizeof(back), &n));
                ck_assert_uint_eq(n, len);
                ck_assert(memcmp(back, pt, len) == 0);
                /* detached, and across layouts */
                ck_assert_ok(fipsrt_aead_seal_detached(k, aad, a, pt, len, nonce2, ct, len, tag));
                ck_assert(memcmp(nonce, nonce2, 12) != 0);
                ck_assert_ok(fipsrt_aead_open_detached(k, nonce2, aad, a, ct, len, tag, 16, back,
                                                       len));
                ck_assert(memcmp(back, pt, len) == 0);
                memcpy(buf, ct, len);
                memcpy(buf + len, tag, 16);
                ck_assert_ok(fipsrt_aead_open(k, nonce2, aad, a, buf, len + 16, back, len, NULL));
                ck_assert(memcmp(back, pt, len) == 0);
                /* truncated tags of 12..15 bytes open (detached only) */
                ck_assert_ok(fipsrt_aead_open_detached(k, nonce2, aad, a, ct, len, tag, 12, back,
                                                       len));
                /* in place */
                memcpy(buf, pt, len);
                ck_assert_ok(fipsrt_aead_seal(k, aad, a, buf, len, nonce, buf, len + 16, &n));
                ck_assert_ok(fipsrt_aead_open(k, nonce, aad, a, buf, n, buf, len, &n));
                ck_assert(memcmp(buf, pt, len) == 0);
            }
        }
        ck_assert_uint_eq(fipsrt_aead_key_invocations(k), 3 * 2 * (sizeof(lens) / sizeof(lens[0])));
        fipsrt_aead_key_free(k);
    }
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

/* Module-generated nonces: 4096 seals under one key give 4096 distinct nonces. */
static int cmp12(const void *a, const void *b) { return memcmp(a, b, 12); }

START_TEST(test_nonces_distinct)
{
    enum { N = 4096 };
    static uint8_t nonces[N][12];
    uint8_t out[16 + 8];
    fipsrt_aead_key *k = new_key(FIPSRT_AEAD_AES_256_GCM, NULL);
    for (int i = 0; i < N; i++)
        ck_assert_ok(fipsrt_aead_seal(k, NULL, 0, "8 bytes!", 8, nonces[i], out, sizeof(out), NULL));
    qsort(nonces, N, 12, cmp12);
    for (int i = 1; i < N; i++)
        ck_expect(memcmp(nonces[i - 1], nonces[i], 12) != 0, "nonce repeated");
    ck_assert(!all_eq(nonces[0], 12, 0));
    ck_assert_uint_eq(fipsrt_aead_key_invocations(k), N);
    fipsrt_aead_key_free(k);
}
END_TEST

/* Flipping any bit of tag, AAD, ciphertext or nonce fails, and leaves the output zeroed. */
START_TEST(test_tamper)
{
    uint8_t pt[100], aad[20], nonce[12], sealed[116], bad[116], out[101];
    size_t n;
    ck_assert_ok(fipsrt_random(pt, sizeof(pt)));
    ck_assert_ok(fipsrt_random(aad, sizeof(aad)));
    fipsrt_aead_key *k = new_key(FIPSRT_AEAD_AES_192_GCM, NULL);
    ck_assert_ok(fipsrt_aead_seal(k, aad, sizeof(aad), pt, sizeof(pt), nonce, sealed,
                                  sizeof(sealed), &n));
    for (size_t bit = 0; bit < 8 * sizeof(sealed); bit += 7) {   /* ciphertext and tag */
        memcpy(bad, sealed, sizeof(bad));
        bad[bit / 8] ^= (uint8_t)(1 << (bit % 8));
        memset(out, 0xaa, sizeof(out));
        n = 12345;
        ck_assert_fipsrt(fipsrt_aead_open(k, nonce, aad, sizeof(aad), bad, sizeof(bad), out,
                                          sizeof(out), &n), FIPSRT_E_VERIFY_FAILED);
        ck_assert(all_eq(out, 100, 0));
        ck_assert_uint_eq(out[100], 0xaa);
        ck_assert_uint_eq(n, 12345);   /* no length reported on failure */
        /* detached with the tampered tag, and truncated tags */
        ck_assert_fipsrt(fipsrt_aead_open_detached(k, nonce, aad, sizeof(aad), bad, 100, bad + 100,
                                                   bit / 8 >= 100 ? 16 : 13, out, 100),
                         FIPSRT_E_VERIFY_FAILED);
        ck_assert(all_eq(out, 100, 0));
        ck_assert_uint_eq(ERR_peek_error(), 0);
    }
    for (size_t i = 0; i < sizeof(aad); i++) {   /* AAD */
        aad[i] ^= 0x80;
        memset(out, 0xaa, sizeof(out));
        ck_assert_fipsrt(fipsrt_aead_open(k, nonce, aad, sizeof(aad), sealed, sizeof(sealed), out,
                                          sizeof(out), NULL), FIPSRT_E_VERIFY_FAILED);
        ck_assert(all_eq(out, 100, 0));
        aad[i] ^= 0x80;
    }
    ck_assert_fipsrt(fipsrt_aead_open(k, nonce, aad, 19, sealed, sizeof(sealed), out, sizeof(out),
                                      NULL), FIPSRT_E_VERIFY_FAILED);   /* AAD cut short */
    ck_assert_fipsrt(fipsrt_aead_open(k, nonce, NULL, 0, sealed, sizeof(sealed), out, sizeof(out),
                                      NULL), FIPSRT_E_VERIFY_FAILED);   /* AAD dropped */
    for (size_t i = 0; i < 12; i++) {   /* nonce */
        nonce[i] ^= 1;
        ck_assert_fipsrt(fipsrt_aead_open(k, nonce, aad, sizeof(aad), sealed, sizeof(sealed), out,
                                          sizeof(out), NULL), FIPSRT_E_VERIFY_FAILED);
        nonce[i] ^= 1;
    }
    /* Truncated ciphertext: a prefix with the real tag fails. */
    memcpy(bad, sealed, 50);
    memcpy(bad + 50, sealed + 100, 16);
    ck_assert_fipsrt(fipsrt_aead_open(k, nonce, aad, sizeof(aad), bad, 66, out, sizeof(out), NULL),
                     FIPSRT_E_VERIFY_FAILED);
    /* In-place failure zeroes the caller's buffer too. */
    memcpy(bad, sealed, sizeof(bad));
    bad[115] ^= 1;
    ck_assert_fipsrt(fipsrt_aead_open(k, nonce, aad, sizeof(aad), bad, sizeof(bad), bad, 100, NULL),
                     FIPSRT_E_VERIFY_FAILED);
    ck_assert(all_eq(bad, 100, 0));
    /* A different key of the same size fails; the original still opens. */
    fipsrt_aead_key *k2 = new_key(FIPSRT_AEAD_AES_192_GCM, NULL);
    ck_assert_fipsrt(fipsrt_aead_open(k2, nonce, aad, sizeof(aad), sealed, sizeof(sealed), out,
                                      sizeof(out), NULL), FIPSRT_E_VERIFY_FAILED);
    ck_assert_ok(fipsrt_aead_open(k, nonce, aad, sizeof(aad), sealed, sizeof(sealed), out,
                                  sizeof(out), NULL));
    ck_assert(memcmp(out, pt, 100) == 0);
    fipsrt_aead_key_free(k2);
    fipsrt_aead_key_free(k);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

START_TEST(test_bad_input)
{
    uint8_t key[33] = {0}, nonce[12] = {0}, buf[64], tag[16] = {0};
    size_t n = 0;
    fipsrt_aead_key *k = (fipsrt_aead_key *)&n;   /* must be reset to NULL on failure */

    /* sizes, names */
    ck_assert_uint_eq(fipsrt_aead_key_size(FIPSRT_AEAD_AES_128_GCM), 16);
    ck_assert_uint_eq(fipsrt_aead_key_size(FIPSRT_AEAD_AES_192_GCM), 24);
    ck_assert_uint_eq(fipsrt_aead_key_size(FIPSRT_AEAD_AES_256_GCM), 32);
    ck_assert_uint_eq(fipsrt_aead_key_size((fipsrt_aead_alg)0), 0);
    ck_assert_uint_eq(fipsrt_aead_key_size((fipsrt_aead_alg)4), 0);
    ck_assert_str_eq(fipsrt_aead_name(FIPSRT_AEAD_AES_256_GCM), "AES-256-GCM");
    ck_assert_ptr_null(fipsrt_aead_name((fipsrt_aead_alg)9));
    ck_assert_uint_eq(fipsrt_aead_nonce_fixed_size(FIPSRT_AEAD_NONCE_PREFIX), 4);
    ck_assert_uint_eq(fipsrt_aead_nonce_fixed_size(FIPSRT_AEAD_NONCE_XOR), 12);
    ck_assert_uint_eq(fipsrt_aead_nonce_fixed_size((fipsrt_aead_nonce_mode)3), 0);

    /* bad key sizes and algorithms */
    static const size_t bad_lens[] = {0, 1, 15, 17, 23, 25, 31, 33};
    for (fipsrt_aead_alg alg = FIPSRT_AEAD_AES_128_GCM; alg <= FIPSRT_AEAD_AES_256_GCM; alg++) {
        for (size_t i = 0; i < sizeof(bad_lens) / sizeof(bad_lens[0]); i++) {
            k = (fipsrt_aead_key *)&n;
            ck_assert_fipsrt(fipsrt_aead_key_new(&k, alg, key, bad_lens[i]), FIPSRT_E_INVALID_ARG);
            ck_assert_ptr_null(k);
        }
        for (fipsrt_aead_alg other = FIPSRT_AEAD_AES_128_GCM; other <= FIPSRT_AEAD_AES_256_GCM; other++)
            if (other != alg)
                ck_assert_fipsrt(fipsrt_aead_key_new(&k, alg, key, fipsrt_aead_key_size(other)),
                                 FIPSRT_E_INVALID_ARG);
    }
    ck_assert_fipsrt(fipsrt_aead_key_new(&k, (fipsrt_aead_alg)0, key, 16), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_key_new(&k, (fipsrt_aead_alg)4, key, 16), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_key_new(&k, FIPSRT_AEAD_AES_128_GCM, NULL, 16), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_key_new(NULL, FIPSRT_AEAD_AES_128_GCM, key, 16), FIPSRT_E_INVALID_ARG);
    ck_assert_ok(fipsrt_aead_key_new(&k, FIPSRT_AEAD_AES_128_GCM, key, 16));

    /* seal: NULLs, short buffers (size reported), huge lengths */
    ck_assert_fipsrt(fipsrt_aead_seal(NULL, NULL, 0, "x", 1, nonce, buf, sizeof(buf), &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_seal(k, NULL, 0, "x", 1, NULL, buf, sizeof(buf), &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_seal(k, NULL, 5, "x", 1, nonce, buf, sizeof(buf), &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_seal(k, NULL, 0, NULL, 1, nonce, buf, sizeof(buf), &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_seal(k, NULL, 0, "x", 1, nonce, NULL, sizeof(buf), &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_seal(k, NULL, 0, "abc", 3, nonce, buf, 18, &n), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(n, 19);
    ck_assert_fipsrt(fipsrt_aead_seal(k, NULL, 0, "abc", 3, nonce, NULL, 0, &n), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(n, 19);
    ck_assert_fipsrt(fipsrt_aead_seal(k, NULL, 0, buf, SIZE_MAX, nonce, buf, sizeof(buf), &n), FIPSRT_E_LIMIT);
    ck_assert_fipsrt(fipsrt_aead_seal(k, NULL, 0, buf, (size_t)FIPSRT_AEAD_MAX_MESSAGE_SIZE + 1, nonce, buf,
                                      sizeof(buf), &n), FIPSRT_E_LIMIT);
    ck_assert_fipsrt(fipsrt_aead_seal_detached(k, NULL, 0, "abc", 3, nonce, buf, 2, tag), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_fipsrt(fipsrt_aead_seal_detached(k, NULL, 0, "abc", 3, nonce, buf, 3, NULL), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_seal_detached(k, NULL, 0, "abc", 3, NULL, buf, 3, tag), FIPSRT_E_INVALID_ARG);
    ck_assert_uint_eq(fipsrt_aead_key_invocations(k), 0);   /* refused arguments use nothing */
    /* empty message with empty AAD: NULLs allowed with zero lengths */
    ck_assert_ok(fipsrt_aead_seal(k, NULL, 0, NULL, 0, nonce, buf, 16, &n));
    ck_assert_uint_eq(n, 16);
    ck_assert_ok(fipsrt_aead_open(k, nonce, NULL, 0, buf, 16, NULL, 0, &n));
    ck_assert_uint_eq(n, 0);
    ck_assert_ok(fipsrt_aead_seal_detached(k, NULL, 0, NULL, 0, nonce, NULL, 0, tag));
    ck_assert_ok(fipsrt_aead_open_detached(k, nonce, NULL, 0, NULL, 0, tag, 16, NULL, 0));

    /* open: NULLs, short input, short buffers, tag lengths */
    ck_assert_ok(fipsrt_aead_seal(k, NULL, 0, "abc", 3, nonce, buf, sizeof(buf), &n));
    ck_assert_fipsrt(fipsrt_aead_open(NULL, nonce, NULL, 0, buf, 19, buf + 32, 3, &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_open(k, NULL, NULL, 0, buf, 19, buf + 32, 3, &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_open(k, nonce, NULL, 1, buf, 19, buf + 32, 3, &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_open(k, nonce, NULL, 0, NULL, 19, buf + 32, 3, &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_open(k, nonce, NULL, 0, buf, 19, NULL, 3, &n), FIPSRT_E_INVALID_ARG);
    for (size_t short_len = 0; short_len < 16; short_len++)
        ck_assert_fipsrt(fipsrt_aead_open(k, nonce, NULL, 0, buf, short_len, buf + 32, 32, &n),
                         FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_open(k, nonce, NULL, 0, buf, 19, buf + 32, 2, &n), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(n, 3);
    ck_assert_fipsrt(fipsrt_aead_open(k, nonce, NULL, 0, buf, SIZE_MAX, buf + 32, 32, &n), FIPSRT_E_LIMIT);
    /* error.h: a too-short tag is NOT_APPROVED in every family, a too-long one INVALID_ARG */
    static const size_t short_tags[] = {0, 1, 3, 5, 7, 9, 10, 11};
    for (size_t i = 0; i < sizeof(short_tags) / sizeof(short_tags[0]); i++)
        ck_assert_fipsrt(fipsrt_aead_open_detached(k, nonce, NULL, 0, buf, 3, buf + 3,
                                                   short_tags[i], buf + 32, 3),
                         FIPSRT_E_NOT_APPROVED);
    static const size_t long_tags[] = {17, 32};
    for (size_t i = 0; i < sizeof(long_tags) / sizeof(long_tags[0]); i++)
        ck_assert_fipsrt(fipsrt_aead_open_detached(k, nonce, NULL, 0, buf, 3, buf + 3, long_tags[i],
                                                   buf + 32, 3), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_open_detached(k, nonce, NULL, 0, buf, 3, buf + 3, 4, buf + 32, 3),
                     FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_aead_open_detached(k, nonce, NULL, 0, buf, 3, buf + 3, 8, buf + 32, 3),
                     FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_aead_open_detached(k, nonce, NULL, 0, buf, 3, NULL, 16, buf + 32, 3),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_open_detached(k, nonce, NULL, 0, buf, 3, buf + 3, 16, buf + 32, 2),
                     FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_fipsrt(fipsrt_aead_open_detached(k, nonce, NULL, 0, NULL, 3, buf + 3, 16, buf + 32, 3),
                     FIPSRT_E_INVALID_ARG);
    for (size_t t = 12; t <= 16; t++)
        ck_assert_ok(fipsrt_aead_open_detached(k, nonce, NULL, 0, buf, 3, buf + 3, t, buf + 32, 3));
    ck_assert(memcmp(buf + 32, "abc", 3) == 0);

    /* NULL objects */
    ck_assert_uint_eq(fipsrt_aead_key_invocations(NULL), 0);
    ck_assert_int_eq(fipsrt_aead_key_alg(NULL), 0);
    fipsrt_aead_key_free(NULL);
    fipsrt_aead_key_free(k);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

/*
 * Each part of every compound argument check, refused with its exact code before anything
 * runs: no invocation counted, no output byte written, no counter value consumed.
 */
START_TEST(test_bad_input_each_argument)
{
    uint8_t nonce[12] = {0}, tag[16] = {0}, buf[64], in[64] = {0}, iv[129] = {0};
    const size_t huge = (size_t)FIPSRT_AEAD_MAX_MESSAGE_SIZE + 1;
    size_t n = 0;
    uint64_t last = 7;
    fipsrt_aead_key *k = new_key(FIPSRT_AEAD_AES_128_GCM, NULL);
    memset(buf, 0xAA, sizeof(buf));

    /* seal_detached */
    ck_assert_fipsrt(fipsrt_aead_seal_detached(NULL, NULL, 0, "x", 1, nonce, buf, 1, tag), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_seal_detached(k, NULL, 1, "x", 1, nonce, buf, 1, tag), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_seal_detached(k, NULL, 0, NULL, 1, nonce, buf, 1, tag), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_seal_detached(k, NULL, 0, in, huge, nonce, buf, 1, tag), FIPSRT_E_LIMIT);
    /* open_detached */
    ck_assert_fipsrt(fipsrt_aead_open_detached(NULL, nonce, NULL, 0, in, 1, tag, 16, buf, 1), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_open_detached(k, NULL, NULL, 0, in, 1, tag, 16, buf, 1), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_open_detached(k, nonce, NULL, 2, in, 1, tag, 16, buf, 1), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_open_detached(k, nonce, NULL, 0, in, huge, tag, 16, buf, 1), FIPSRT_E_LIMIT);
    ck_assert_uint_eq(fipsrt_aead_key_invocations(k), 0);

    /* streams */
    fipsrt_aead_stream *s = (fipsrt_aead_stream *)&n;
    ck_assert_fipsrt(fipsrt_aead_seal_stream_new(&s, NULL, NULL, 0), FIPSRT_E_INVALID_ARG);
    ck_assert_ptr_null(s);
    ck_assert_fipsrt(fipsrt_aead_open_stream_new(NULL, k, nonce, NULL, 0), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_open_stream_new(&s, k, nonce, NULL, 4), FIPSRT_E_INVALID_ARG);
    ck_assert_ptr_null(s);
    ck_assert_uint_eq(fipsrt_aead_key_invocations(k), 0);
    ck_assert_ok(fipsrt_aead_seal_stream_new(&s, k, NULL, 0));
    ck_assert_uint_eq(fipsrt_aead_key_invocations(k), 1);
    ck_assert_fipsrt(fipsrt_aead_seal_stream_final(s, NULL, tag), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_seal_stream_final(s, nonce, NULL), FIPSRT_E_INVALID_ARG);
    ck_assert_ok(fipsrt_aead_seal_stream_final(s, nonce, tag));   /* the refusals left it usable */
    ck_assert_ok(fipsrt_aead_open_detached(k, nonce, NULL, 0, NULL, 0, tag, 16, NULL, 0));
    fipsrt_aead_stream_free(s);

    /* counter contexts */
    fipsrt_aead_counter *c = NULL;
    uint8_t key16[16] = {3};
    ck_assert_ok(fipsrt_aead_counter_new(&c, FIPSRT_AEAD_AES_128_GCM, key16, 16, FIPSRT_AEAD_NONCE_PREFIX,
                                         NULL, 0));
    ck_assert_fipsrt(fipsrt_aead_counter_nonce(c, 1, NULL), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_counter_last(c, NULL), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_counter_seal(c, 1, NULL, 0, NULL, 1, buf, sizeof(buf), &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_counter_seal(c, 1, NULL, 0, in, huge, buf, sizeof(buf), &n), FIPSRT_E_LIMIT);
    ck_assert_fipsrt(fipsrt_aead_counter_last(c, &last), FIPSRT_E_STATE);   /* nothing consumed */
    ck_assert_uint_eq(last, 7);
    ck_assert_fipsrt(fipsrt_aead_counter_open(c, 1, NULL, 3, in, 16, buf, sizeof(buf), &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_counter_open(c, 1, NULL, 0, NULL, 16, buf, sizeof(buf), &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_counter_open(c, 1, NULL, 0, in, 15, buf, sizeof(buf), &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_counter_open(c, 1, NULL, 0, in, SIZE_MAX, buf, sizeof(buf), &n), FIPSRT_E_LIMIT);
    n = 0;
    ck_assert_fipsrt(fipsrt_aead_counter_open(c, 1, NULL, 0, in, 20, buf, 3, &n), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(n, 4);
    ck_assert(all_eq(buf, sizeof(buf), 0xAA));
    /* a refused open does not consume the counter either: 1 still seals */
    ck_assert_ok(fipsrt_aead_counter_seal(c, 1, NULL, 0, "abc", 3, buf, sizeof(buf), &n));
    ck_assert_ok(fipsrt_aead_counter_last(c, &last));
    ck_assert_uint_eq(last, 1);
    fipsrt_aead_counter_free(c);

    /* the external-IV hook (test-only) checks its arguments the same way */
    memset(buf, 0xAA, sizeof(buf));
    ck_assert_fipsrt(frt_aead_seal_external_iv(NULL, iv, 12, NULL, 0, "x", 1, buf, tag, 16), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(frt_aead_seal_external_iv(k, NULL, 12, NULL, 0, "x", 1, buf, tag, 16), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(frt_aead_seal_external_iv(k, iv, 0, NULL, 0, "x", 1, buf, tag, 16), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(frt_aead_seal_external_iv(k, iv, 129, NULL, 0, "x", 1, buf, tag, 16), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(frt_aead_seal_external_iv(k, iv, 12, NULL, 0, "x", 1, buf, NULL, 16), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(frt_aead_seal_external_iv(k, iv, 12, NULL, 0, "x", 1, buf, tag, 3), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(frt_aead_seal_external_iv(k, iv, 12, NULL, 0, "x", 1, buf, tag, 17), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(frt_aead_seal_external_iv(k, iv, 12, NULL, 1, "x", 1, buf, tag, 16), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(frt_aead_seal_external_iv(k, iv, 12, NULL, 0, NULL, 1, buf, tag, 16), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(frt_aead_seal_external_iv(k, iv, 12, NULL, 0, "x", 1, NULL, tag, 16), FIPSRT_E_INVALID_ARG);
    ck_assert(all_eq(buf, sizeof(buf), 0xAA));
    ck_assert_uint_eq(fipsrt_aead_key_invocations(k), 1);
    /* 1-byte and 128-byte IVs, 4-byte tag: the bounds themselves are accepted */
    ck_assert_ok(frt_aead_seal_external_iv(k, iv, 1, NULL, 0, "x", 1, buf, tag, 4));
    ck_assert_ok(frt_aead_seal_external_iv(k, iv, 128, NULL, 0, NULL, 0, NULL, tag, 16));
    ck_assert_uint_eq(fipsrt_aead_key_invocations(k), 3);
    fipsrt_aead_key_free(k);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

/* SP 800-38D §8.3 via the hook: the 2^32-th seal works, the next is refused, open goes on. */
START_TEST(test_invocation_limit)
{
    uint8_t nonce[12], buf[64], tag[16];
    size_t n;
    fipsrt_aead_stream *s = NULL;
    fipsrt_aead_key *k = new_key(FIPSRT_AEAD_AES_256_GCM, NULL);
    frt_aead_key_set_invocations(k, FIPSRT_AEAD_INVOCATION_LIMIT - 2);
    ck_assert_ok(fipsrt_aead_seal(k, NULL, 0, "a", 1, nonce, buf, sizeof(buf), &n));
    ck_assert_ok(fipsrt_aead_seal_stream_new(&s, k, NULL, 0));   /* the 2^32-th */
    ck_assert_uint_eq(fipsrt_aead_key_invocations(k), FIPSRT_AEAD_INVOCATION_LIMIT);
    ck_assert_fipsrt(fipsrt_aead_seal(k, NULL, 0, "a", 1, nonce, buf, sizeof(buf), &n), FIPSRT_E_LIMIT);
    ck_assert_fipsrt(fipsrt_aead_seal_detached(k, NULL, 0, "a", 1, nonce, buf, 1, tag), FIPSRT_E_LIMIT);
    fipsrt_aead_stream *s2 = (fipsrt_aead_stream *)&n;
    ck_assert_fipsrt(fipsrt_aead_seal_stream_new(&s2, k, NULL, 0), FIPSRT_E_LIMIT);
    ck_assert_ptr_null(s2);
    ck_assert_fipsrt(frt_aead_seal_external_iv(k, nonce, 12, NULL, 0, "a", 1, buf, tag, 16), FIPSRT_E_LIMIT);
    ck_assert_uint_eq(fipsrt_aead_key_invocations(k), FIPSRT_AEAD_INVOCATION_LIMIT);   /* clamped */
    ck_assert_str_eq(fipsrt_strerror(FIPSRT_E_LIMIT), "usage limit reached");
    ck_assert_ptr_nonnull(strstr(fipsrt_last_error(), "2^32"));
    /* the stream started before the limit still finishes; opening is not limited */
    ck_assert_ok(fipsrt_aead_stream_update(s, "b", 1, buf, sizeof(buf), &n));
    ck_assert_ok(fipsrt_aead_seal_stream_final(s, nonce, buf + 1));
    ck_assert_ok(fipsrt_aead_open(k, nonce, NULL, 0, buf, 17, buf + 32, 1, &n));
    ck_assert_uint_eq(buf[32], 'b');
    fipsrt_aead_stream_free(s);
    fipsrt_aead_key_free(k);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

/* ---- counter nonces -------------------------------------------------------------------- */

START_TEST(test_counter)
{
    uint8_t key[32], fixed[12], got[12], nonce[12], buf[64], out[64];
    size_t n, fl;
    uint64_t last;
    fipsrt_aead_counter *c = NULL, *peer = NULL;
    ck_assert_ok(fipsrt_random(key, 32));
    ck_assert_ok(fipsrt_random(fixed, 12));

    /* TLS 1.2 style: fixed[4] || counter (big-endian) */
    ck_assert_ok(fipsrt_aead_counter_new(&c, FIPSRT_AEAD_AES_256_GCM, key, 32, FIPSRT_AEAD_NONCE_PREFIX,
                                         fixed, 4));
    ck_assert_ok(fipsrt_aead_counter_nonce(c, 0x0102030405060708ULL, nonce));
    ck_assert(memcmp(nonce, fixed, 4) == 0);
    ck_assert(memcmp(nonce + 4, "\x01\x02\x03\x04\x05\x06\x07\x08", 8) == 0);
    ck_assert_fipsrt(fipsrt_aead_counter_last(c, &last), FIPSRT_E_STATE);
    ck_assert_ok(fipsrt_aead_counter_seal(c, 0, "h", 1, "msg0", 4, buf, sizeof(buf), &n));
    ck_assert_ok(fipsrt_aead_counter_seal(c, 1, "h", 1, "msg1", 4, buf, sizeof(buf), &n));
    ck_assert_ok(fipsrt_aead_counter_seal(c, 5, "h", 1, "msg5", 4, buf, sizeof(buf), &n));   /* gaps ok */
    ck_assert_ok(fipsrt_aead_counter_last(c, &last));
    ck_assert_uint_eq(last, 5);
    /* repeated or decreasing counters are refused */
    ck_assert_fipsrt(fipsrt_aead_counter_seal(c, 5, "h", 1, "again", 5, out, sizeof(out), &n),
                     FIPSRT_E_NONCE_REUSE);
    ck_assert_fipsrt(fipsrt_aead_counter_seal(c, 4, "h", 1, "back", 4, out, sizeof(out), &n),
                     FIPSRT_E_NONCE_REUSE);
    ck_assert_fipsrt(fipsrt_aead_counter_seal(c, 0, NULL, 0, NULL, 0, out, sizeof(out), &n),
                     FIPSRT_E_NONCE_REUSE);
    ck_assert_str_eq(fipsrt_strerror(FIPSRT_E_NONCE_REUSE), "nonce counter did not increase");
    /* argument errors do not consume a counter */
    ck_assert_fipsrt(fipsrt_aead_counter_seal(c, 6, NULL, 0, "abc", 3, out, 18, &n),
                     FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(n, 19);
    ck_assert_fipsrt(fipsrt_aead_counter_seal(c, 6, NULL, 2, "abc", 3, out, sizeof(out), &n),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_ok(fipsrt_aead_counter_last(c, &last));
    ck_assert_uint_eq(last, 5);
    ck_assert_ok(fipsrt_aead_counter_seal(c, 6, NULL, 0, "msg6", 4, buf, sizeof(buf), &n));
    /* the peer opens with the same key and fixed field, any order */
    ck_assert_ok(fipsrt_aead_counter_new(&peer, FIPSRT_AEAD_AES_256_GCM, key, 32,
                                         FIPSRT_AEAD_NONCE_PREFIX, fixed, 4));
    ck_assert_ok(fipsrt_aead_counter_open(peer, 6, NULL, 0, buf, n, out, sizeof(out), &n));
    ck_assert_uint_eq(n, 4);
    ck_assert(memcmp(out, "msg6", 4) == 0);
    ck_assert_fipsrt(fipsrt_aead_counter_open(peer, 7, NULL, 0, buf, 20, out, sizeof(out), &n),
                     FIPSRT_E_VERIFY_FAILED);   /* wrong counter */
    ck_assert(all_eq(out, 4, 0));
    /* and with a plain key object and the nonce the context reports */
    fipsrt_aead_key *k = NULL;
    ck_assert_ok(fipsrt_aead_key_new(&k, FIPSRT_AEAD_AES_256_GCM, key, 32));
    ck_assert_ok(fipsrt_aead_counter_nonce(c, 6, nonce));
    ck_assert_ok(fipsrt_aead_open(k, nonce, NULL, 0, buf, 20, out, sizeof(out), &n));
    ck_assert(memcmp(out, "msg6", 4) == 0);
    /* exhaustion: after 2^64-1 every seal is refused with FIPSRT_E_LIMIT */
    ck_assert_ok(fipsrt_aead_counter_seal(c, UINT64_MAX, NULL, 0, "end", 3, buf, sizeof(buf), &n));
    ck_assert_fipsrt(fipsrt_aead_counter_seal(c, UINT64_MAX, NULL, 0, "x", 1, out, sizeof(out), &n),
                     FIPSRT_E_LIMIT);
    ck_assert_fipsrt(fipsrt_aead_counter_seal(c, 7, NULL, 0, "x", 1, out, sizeof(out), &n),
                     FIPSRT_E_LIMIT);
    ck_assert_ok(fipsrt_aead_counter_open(peer, UINT64_MAX, NULL, 0, buf, 19, out, sizeof(out), &n));
    ck_assert(memcmp(out, "end", 3) == 0);
    fipsrt_aead_counter_free(c);
    fipsrt_aead_counter_free(peer);

    /* TLS 1.3 style: fixed[12] XOR (0^32 || counter) */
    ck_assert_ok(fipsrt_aead_counter_new(&c, FIPSRT_AEAD_AES_128_GCM, key, 16, FIPSRT_AEAD_NONCE_XOR,
                                         fixed, 12));
    ck_assert_ok(fipsrt_aead_counter_nonce(c, 0x0102030405060708ULL, nonce));
    for (int i = 0; i < 12; i++)
        ck_assert_uint_eq(nonce[i], fixed[i] ^ (i < 4 ? 0 : i - 3));
    ck_assert_ok(fipsrt_aead_counter_fixed(c, got, sizeof(got), &fl));
    ck_assert_uint_eq(fl, 12);
    ck_assert(memcmp(got, fixed, 12) == 0);
    ck_assert_fipsrt(fipsrt_aead_counter_fixed(c, got, 11, &fl), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(fl, 12);
    fipsrt_aead_counter_free(c);

    /* a NULL fixed field is drawn from the DRBG: two contexts differ */
    ck_assert_ok(fipsrt_aead_counter_new(&c, FIPSRT_AEAD_AES_128_GCM, key, 16, FIPSRT_AEAD_NONCE_XOR,
                                         NULL, 0));
    ck_assert_ok(fipsrt_aead_counter_new(&peer, FIPSRT_AEAD_AES_128_GCM, key, 16,
                                         FIPSRT_AEAD_NONCE_XOR, NULL, 0));
    ck_assert_ok(fipsrt_aead_counter_fixed(c, fixed, sizeof(fixed), &fl));
    ck_assert_ok(fipsrt_aead_counter_fixed(peer, got, sizeof(got), &fl));
    ck_assert(memcmp(fixed, got, 12) != 0);
    fipsrt_aead_counter_free(c);
    fipsrt_aead_counter_free(peer);

    /* bad arguments */
    c = (fipsrt_aead_counter *)&n;
    ck_assert_fipsrt(fipsrt_aead_counter_new(&c, FIPSRT_AEAD_AES_128_GCM, key, 16,
                                             FIPSRT_AEAD_NONCE_PREFIX, fixed, 12), FIPSRT_E_INVALID_ARG);
    ck_assert_ptr_null(c);
    ck_assert_fipsrt(fipsrt_aead_counter_new(&c, FIPSRT_AEAD_AES_128_GCM, key, 16,
                                             FIPSRT_AEAD_NONCE_XOR, fixed, 4), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_counter_new(&c, FIPSRT_AEAD_AES_128_GCM, key, 16,
                                             FIPSRT_AEAD_NONCE_XOR, NULL, 12), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_counter_new(&c, FIPSRT_AEAD_AES_128_GCM, key, 16,
                                             (fipsrt_aead_nonce_mode)0, NULL, 0), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_counter_new(&c, FIPSRT_AEAD_AES_128_GCM, key, 32,
                                             FIPSRT_AEAD_NONCE_XOR, NULL, 0), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_counter_new(&c, FIPSRT_AEAD_AES_128_GCM, NULL, 16,
                                             FIPSRT_AEAD_NONCE_XOR, NULL, 0), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_counter_new(NULL, FIPSRT_AEAD_AES_128_GCM, key, 16,
                                             FIPSRT_AEAD_NONCE_XOR, NULL, 0), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_counter_seal(NULL, 1, NULL, 0, "x", 1, out, sizeof(out), &n),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_counter_open(NULL, 1, NULL, 0, buf, 17, out, sizeof(out), &n),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_counter_nonce(NULL, 1, nonce), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_counter_fixed(NULL, got, 12, &fl), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_counter_last(NULL, &last), FIPSRT_E_INVALID_ARG);
    fipsrt_aead_counter_free(NULL);
    fipsrt_aead_key_free(k);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

/* ---- streaming ------------------------------------------------------------------------- */

START_TEST(test_stream)
{
    enum { LEN = 300000 };
    static uint8_t pt[LEN], ct[LEN + 16], back[LEN];
    static const size_t chunks[] = {1, 7, 4096, 65536, 100001};
    uint8_t aad[13], nonce[12], tag[16];
    size_t n;
    ck_assert_ok(fipsrt_random(pt, LEN));
    ck_assert_ok(fipsrt_random(aad, sizeof(aad)));
    fipsrt_aead_key *k = new_key(FIPSRT_AEAD_AES_256_GCM, NULL);
    for (size_t ci = 0; ci < sizeof(chunks) / sizeof(chunks[0]); ci++) {
        size_t len = chunks[ci] == 1 ? 5000 : LEN;   /* keep byte-by-byte short */
        fipsrt_aead_stream *s = NULL;
        ck_assert_ok(fipsrt_aead_seal_stream_new(&s, k, aad, sizeof(aad)));
        for (size_t off = 0; off < len; off += chunks[ci]) {
            size_t m = len - off < chunks[ci] ? len - off : chunks[ci];
            ck_assert_ok(fipsrt_aead_stream_update(s, pt + off, m, ct + off, m, &n));
            ck_expect(n == m, "update wrote %zu of %zu bytes", n, m);
        }
        ck_assert_ok(fipsrt_aead_seal_stream_final(s, nonce, tag));
        ck_assert_fipsrt(fipsrt_aead_seal_stream_final(s, nonce, tag), FIPSRT_E_STATE);
        ck_assert_fipsrt(fipsrt_aead_stream_update(s, pt, 1, ct, 1, &n), FIPSRT_E_STATE);
        ck_assert_fipsrt(fipsrt_aead_open_stream_final(s, tag, 16), FIPSRT_E_STATE);
        fipsrt_aead_stream_free(s);
        /* one-shot open of the streamed message */
        memcpy(ct + len, tag, 16);
        ck_assert_ok(fipsrt_aead_open(k, nonce, aad, sizeof(aad), ct, len + 16, back, len, &n));
        ck_assert(memcmp(back, pt, len) == 0);
        /* streamed open, including in place */
        ck_assert_ok(fipsrt_aead_open_stream_new(&s, k, nonce, aad, sizeof(aad)));
        for (size_t off = 0; off < len; off += chunks[ci]) {
            size_t m = len - off < chunks[ci] ? len - off : chunks[ci];
            ck_assert_ok(fipsrt_aead_stream_update(s, ct + off, m, ct + off, m, &n));
        }
        ck_assert_ok(fipsrt_aead_open_stream_final(s, tag, 16));
        ck_assert(memcmp(ct, pt, len) == 0);
        ck_assert_fipsrt(fipsrt_aead_seal_stream_final(s, nonce, tag), FIPSRT_E_STATE);
        fipsrt_aead_stream_free(s);
    }
    /* a one-shot seal opens as a stream; a wrong tag fails at final */
    ck_assert_ok(fipsrt_aead_seal(k, NULL, 0, pt, 1000, nonce, ct, sizeof(ct), &n));
    fipsrt_aead_stream *s = NULL;
    ck_assert_ok(fipsrt_aead_open_stream_new(&s, k, nonce, NULL, 0));
    ck_assert_ok(fipsrt_aead_stream_update(s, ct, 1000, back, 1000, &n));
    ck_assert_ok(fipsrt_aead_open_stream_final(s, ct + 1000, 16));
    ck_assert(memcmp(back, pt, 1000) == 0);
    fipsrt_aead_stream_free(s);
    ct[1000] ^= 1;
    ck_assert_ok(fipsrt_aead_open_stream_new(&s, k, nonce, NULL, 0));
    ck_assert_ok(fipsrt_aead_stream_update(s, ct, 1000, back, 1000, &n));
    ck_assert_fipsrt(fipsrt_aead_open_stream_final(s, ct + 1000, 16), FIPSRT_E_VERIFY_FAILED);
    ck_assert_fipsrt(fipsrt_aead_open_stream_final(s, ct + 1000, 16), FIPSRT_E_STATE);
    ck_assert_fipsrt(fipsrt_aead_stream_update(s, ct, 1, back, 1, &n), FIPSRT_E_STATE);
    fipsrt_aead_stream_free(s);
    /* bad arguments; tag-length policy as for open_detached */
    ck_assert_ok(fipsrt_aead_open_stream_new(&s, k, nonce, NULL, 0));
    ck_assert_fipsrt(fipsrt_aead_stream_update(s, ct, 10, back, 9, &n), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(n, 10);
    ck_assert_fipsrt(fipsrt_aead_stream_update(s, NULL, 10, back, 10, &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_stream_update(s, ct, SIZE_MAX, back, 10, &n), FIPSRT_E_LIMIT);
    ck_assert_fipsrt(fipsrt_aead_open_stream_final(s, ct + 1000, 8), FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_aead_open_stream_final(s, ct + 1000, 11), FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_aead_open_stream_final(s, ct + 1000, 17), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_open_stream_final(s, NULL, 16), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_seal_stream_final(s, nonce, tag), FIPSRT_E_STATE);
    fipsrt_aead_stream_free(s);
    s = (fipsrt_aead_stream *)&n;
    ck_assert_fipsrt(fipsrt_aead_open_stream_new(&s, NULL, nonce, NULL, 0), FIPSRT_E_INVALID_ARG);
    ck_assert_ptr_null(s);
    ck_assert_fipsrt(fipsrt_aead_open_stream_new(&s, k, NULL, NULL, 0), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_seal_stream_new(&s, k, NULL, 3), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_seal_stream_new(NULL, k, NULL, 0), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_stream_update(NULL, ct, 1, back, 1, &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_seal_stream_final(NULL, nonce, tag), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_aead_open_stream_final(NULL, tag, 16), FIPSRT_E_INVALID_ARG);
    /* a stream does not borrow its key */
    ck_assert_ok(fipsrt_aead_seal_stream_new(&s, k, NULL, 0));
    fipsrt_aead_key_free(k);
    ck_assert_ok(fipsrt_aead_stream_update(s, "late", 4, ct, 4, &n));
    ck_assert_ok(fipsrt_aead_seal_stream_final(s, nonce, tag));
    fipsrt_aead_stream_free(s);
    fipsrt_aead_stream_free(NULL);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

/* ---- per-thread contexts, threads and fork ---------------------------------------------- */

/*
 * Each thread reuses its context while it opens under one key. Keys freed and made again
 * (often at the same address) must never open with a stale key schedule.
 */
START_TEST(test_key_reuse_after_free)
{
    uint8_t nonce[12], sealed[32], out[16];
    size_t n;
    for (int round = 0; round < 50; round++) {
        fipsrt_aead_key *k1 = new_key(FIPSRT_AEAD_AES_128_GCM, NULL);
        ck_assert_ok(fipsrt_aead_seal(k1, NULL, 0, "sixteen bytes!!!", 16, nonce, sealed,
                                      sizeof(sealed), &n));
        ck_assert_ok(fipsrt_aead_open(k1, nonce, NULL, 0, sealed, 32, out, 16, &n));
        fipsrt_aead_key_free(k1);
        fipsrt_aead_key *k2 = new_key(FIPSRT_AEAD_AES_128_GCM, NULL);
        ck_assert_fipsrt(fipsrt_aead_open(k2, nonce, NULL, 0, sealed, 32, out, 16, &n),
                         FIPSRT_E_VERIFY_FAILED);
        fipsrt_aead_key_free(k2);
    }
}
END_TEST

struct worker {
    fipsrt_aead_key *shared;
    int id;
    double deadline;
    uint64_t seals, opens, tampered, own_keys;
    uint8_t (*nonces)[12];
    size_t nnonces, cap;
    char error[512];
    uint8_t last_nonce[12], last_sealed[300 + 16];
    size_t last_len;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define WFAIL(w, ...) do { snprintf((w)->error, sizeof((w)->error), __VA_ARGS__); return NULL; } while (0)

static void *work(void *arg)
{
    struct worker *w = arg;
    uint8_t pt[300], sealed[316], out[301], aad[8], nonce[12];
    size_t n;
    /* At least 100 rounds each: under valgrind threads start late and run one at a time. */
    for (uint64_t i = 0; i < 100 || now_s() < w->deadline; i++) {
        size_t len = (size_t)((i * 37 + (uint64_t)w->id * 11) % 300);
        for (size_t j = 0; j < len; j++)
            pt[j] = (uint8_t)(w->id * 31 + i + j);
        memcpy(aad, &i, 8);
        int rv = fipsrt_aead_seal(w->shared, aad, 8, pt, len, nonce, sealed, sizeof(sealed), &n);
        if (rv != 0 || n != len + 16)
            WFAIL(w, "thread %d: seal %d: %s", w->id, rv, fipsrt_last_error());
        w->seals++;
        if (w->nnonces < w->cap)
            memcpy(w->nonces[w->nnonces++], nonce, 12);
        out[len] = 0x5a;
        rv = fipsrt_aead_open(w->shared, nonce, aad, 8, sealed, n, out, len, &n);
        if (rv != 0 || n != len || memcmp(out, pt, len) != 0 || out[len] != 0x5a)
            WFAIL(w, "thread %d: open %d: %s", w->id, rv, fipsrt_last_error());
        w->opens++;
        if (i % 16 == 5) {   /* a forgery must fail and leave zeros, under concurrency too */
            sealed[i % (len + 16)] ^= 0x10;
            memset(out, 0xee, len);
            rv = fipsrt_aead_open(w->shared, nonce, aad, 8, sealed, len + 16, out, len, &n);
            if (rv != FIPSRT_E_VERIFY_FAILED || !all_eq(out, len, 0))
                WFAIL(w, "thread %d: tampered open gave %d", w->id, rv);
            sealed[i % (len + 16)] ^= 0x10;
            w->tampered++;
        }
        if (i % 64 == 9) {   /* own keys come and go while the shared one is in use */
            fipsrt_aead_key *own = NULL;
            uint8_t kb[16], c2[32], n2[12];
            if (fipsrt_random(kb, 16) != 0 ||
                fipsrt_aead_key_new(&own, FIPSRT_AEAD_AES_128_GCM, kb, 16) != 0 ||
                fipsrt_aead_seal(own, NULL, 0, pt, 16, n2, c2, 32, &n) != 0 ||
                fipsrt_aead_open(own, n2, NULL, 0, c2, 32, out, 16, &n) != 0 ||
                memcmp(out, pt, 16) != 0 ||
                fipsrt_aead_open(w->shared, n2, NULL, 0, c2, 32, out, 16, &n) !=
                    FIPSRT_E_VERIFY_FAILED)
                WFAIL(w, "thread %d: own key: %s", w->id, fipsrt_last_error());
            fipsrt_aead_key_free(own);
            w->own_keys++;
        }
        memcpy(w->last_nonce, nonce, 12);
        memcpy(w->last_sealed, sealed, len + 16);
        w->last_len = len;
    }
    return NULL;
}

START_TEST(test_threads_share_key)
{
    enum { THREADS = 8, CAP = 40000 };
    struct worker w[THREADS];
    pthread_t th[THREADS];
    fipsrt_aead_key *k = new_key(FIPSRT_AEAD_AES_256_GCM, NULL);
    double start = now_s();
    for (int i = 0; i < THREADS; i++) {
        memset(&w[i], 0, sizeof(w[i]));
        w[i].shared = k;
        w[i].id = i;
        w[i].deadline = start + 2.5;
        w[i].cap = CAP;
        w[i].nonces = malloc(CAP * 12);
        ck_assert_int_eq(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    uint64_t seals = 0, opens = 0, tampered = 0, own = 0;
    size_t total_nonces = 0;
    for (int i = 0; i < THREADS; i++) {
        ck_assert_int_eq(pthread_join(th[i], NULL), 0);
        ck_assert_msg(w[i].error[0] == '\0', "%s", w[i].error);
        ck_assert_uint_gt(w[i].seals, 0);
        seals += w[i].seals, opens += w[i].opens, tampered += w[i].tampered, own += w[i].own_keys;
        total_nonces += w[i].nnonces;
    }
    double elapsed = now_s() - start;
    ck_assert_uint_eq(fipsrt_aead_key_invocations(k), seals);
    /* every thread's last message opens here, in another thread than the one that sealed it */
    for (int i = 0; i < THREADS; i++) {
        uint8_t out[300], aad[8];
        uint64_t last = w[i].seals - 1;
        memcpy(aad, &last, 8);
        ck_assert_ok(fipsrt_aead_open(k, w[i].last_nonce, aad, 8, w[i].last_sealed,
                                      w[i].last_len + 16, out, sizeof(out), NULL));
    }
    /* no nonce repeated across all threads */
    uint8_t(*all)[12] = malloc(total_nonces * 12);
    size_t at = 0;
    for (int i = 0; i < THREADS; i++) {
        memcpy(all[at], w[i].nonces, w[i].nnonces * 12);
        at += w[i].nnonces;
        free(w[i].nonces);
    }
    qsort(all, total_nonces, 12, cmp12);
    for (size_t i = 1; i < total_nonces; i++)
        ck_expect(memcmp(all[i - 1], all[i], 12) != 0, "nonce repeated across threads");
    free(all);
    fipsrt_aead_key_free(k);
    printf("threads: %d threads for %.1f s on one key: %llu seals, %llu opens verified, %llu "
           "forgeries refused, %llu private keys made and freed; %zu nonces all distinct\n",
           THREADS, elapsed, (unsigned long long)seals, (unsigned long long)opens,
           (unsigned long long)tampered, (unsigned long long)own, total_nonces);
    fflush(stdout);
}
END_TEST

/* After fork() both processes keep sealing with the key, with different nonces. */
START_TEST(test_fork)
{
    uint8_t nonce_parent[12], nonce_child[12], buf[32];
    int fds[2];
    fipsrt_aead_key *k = new_key(FIPSRT_AEAD_AES_128_GCM, NULL);
    ck_assert_ok(fipsrt_aead_seal(k, NULL, 0, "warm", 4, nonce_parent, buf, sizeof(buf), NULL));
    ck_assert_int_eq(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        /* The verdict goes through the pipe: under valgrind the exit status would also carry
         * leak reports inherited from the parent. */
        uint8_t msg[13], out[4];
        msg[0] = fipsrt_aead_seal(k, NULL, 0, "kid!", 4, msg + 1, buf, sizeof(buf), NULL) == 0 &&
                 fipsrt_aead_open(k, msg + 1, NULL, 0, buf, 20, out, 4, NULL) == 0 &&
                 memcmp(out, "kid!", 4) == 0;
        fipsrt_aead_key_free(k);
        test_gcov_dump();
        _exit(write(fds[1], msg, 13) == 13 ? 0 : 1);
    }
    close(fds[1]);
    ck_assert_ok(fipsrt_aead_seal(k, NULL, 0, "dad!", 4, nonce_parent, buf, sizeof(buf), NULL));
    uint8_t msg[13];
    ck_assert_int_eq(read(fds[0], msg, 13), 13);
    close(fds[0]);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert(WIFEXITED(st));
    ck_assert_msg(msg[0] == 1, "seal/open failed in the child");
    memcpy(nonce_child, msg + 1, 12);
    ck_assert(memcmp(nonce_parent, nonce_child, 12) != 0);
    fipsrt_aead_key_free(k);
}
END_TEST

/*
 * dlclose() of the shared library must not leave destructors behind: a thread that sealed
 * has a per-thread context whose pthread key destructor lives in the library, and the
 * library registers fork handlers and an atexit handler. Linked with -z nodelete, dlclose
 * keeps it mapped; without, the thread's exit jumped into unmapped code (SIGSEGV). Runs in
 * a child: this suite links the static library, the child loads the shared one beside it.
 */
struct dl_thread {
    void *lib;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stage, rv;
};

static void *dl_worker(void *arg)
{
    struct dl_thread *t = arg;
    int (*key_new)(fipsrt_aead_key **, fipsrt_aead_alg, const uint8_t *, size_t);
    int (*seal)(fipsrt_aead_key *, const void *, size_t, const void *, size_t, uint8_t *,
                uint8_t *, size_t, size_t *);
    void (*key_free)(fipsrt_aead_key *);
    *(void **)&key_new = dlsym(t->lib, "fipsrt_aead_key_new");
    *(void **)&seal = dlsym(t->lib, "fipsrt_aead_seal");
    *(void **)&key_free = dlsym(t->lib, "fipsrt_aead_key_free");
    fipsrt_aead_key *k = NULL;
    uint8_t key[16] = {1}, nonce[12], out[17];
    t->rv = key_new && seal && key_free ? key_new(&k, FIPSRT_AEAD_AES_128_GCM, key, 16) : -1;
    if (t->rv == 0)
        t->rv = seal(k, NULL, 0, "x", 1, nonce, out, sizeof(out), NULL);
    if (k != NULL)
        key_free(k);
    pthread_mutex_lock(&t->mu);
    t->stage = 1;
    pthread_cond_broadcast(&t->cv);
    while (t->stage < 2)
        pthread_cond_wait(&t->cv, &t->mu);
    pthread_mutex_unlock(&t->mu);
    return NULL;   /* thread exit: the per-thread destructors run now */
}

START_TEST(test_dlclose)
{
    char lib[1100];
    snprintf(lib, sizeof(lib), "%s/../lib/libfipsrt.so", build_dir());
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        static struct dl_thread t = {NULL, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
                                     0, -1};
        pthread_t th;
        if ((t.lib = dlopen(lib, RTLD_NOW | RTLD_LOCAL)) == NULL ||
            pthread_create(&th, NULL, dl_worker, &t) != 0)
            _exit(10);
        pthread_mutex_lock(&t.mu);
        while (t.stage < 1)
            pthread_cond_wait(&t.cv, &t.mu);
        pthread_mutex_unlock(&t.mu);
        dlclose(t.lib);
        pthread_mutex_lock(&t.mu);
        t.stage = 2;
        pthread_cond_broadcast(&t.cv);
        pthread_mutex_unlock(&t.mu);
        pthread_join(th, NULL);
        pid_t grandchild = fork();   /* fork handlers registered by the library */
        if (grandchild == 0)
            _exit(0);
        int gst;
        _exit(t.rv != 0 ? 11 : grandchild < 0 || waitpid(grandchild, &gst, 0) != grandchild ||
                                   !WIFEXITED(gst) ? 12 : 0);
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
                  "child after dlclose: %s %d", WIFEXITED(st) ? "exit" : "signal",
                  WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}
END_TEST

/* ---- cross-checks --------------------------------------------------------------------- */

/*
 * Python runs without our OPENSSL_CONF/OPENSSL_MODULES: its `cryptography` then uses the
 * system OpenSSL's default provider, an implementation independent of the FIPS module (and
 * it needs the legacy provider, which the FIPS module directory lacks).
 */
static const char *const python_env[] = {"OPENSSL_CONF", "OPENSSL_MODULES", NULL};

/* argv[1..]: key nonce aad ct(with tag) to open; then key nonce aad pt to seal. */
static const char py_aesgcm[] =
    "import sys\n"
    "from cryptography.hazmat.primitives.ciphers.aead import AESGCM\n"
    "h = bytes.fromhex\n"
    "k, n, a, c = (h(x) for x in sys.argv[1:5])\n"
    "print(AESGCM(k).decrypt(n, c, a).hex())\n"
    "k, n, a, p = (h(x) for x in sys.argv[5:9])\n"
    "print(AESGCM(k).encrypt(n, p, a).hex())\n";

START_TEST(test_python_cross_check)
{
    for (fipsrt_aead_alg alg = FIPSRT_AEAD_AES_128_GCM; alg <= FIPSRT_AEAD_AES_256_GCM; alg++) {
        for (int mode = 0; mode < 2; mode++) {   /* random nonce, then TLS 1.3 counter */
            size_t kl = fipsrt_aead_key_size(alg), n;
            uint8_t key[32], nonce[12], aad[21], pt[333], sealed[349], pynonce[12], back[333];
            ck_assert_ok(fipsrt_random(key, kl));
            ck_assert_ok(fipsrt_random(aad, sizeof(aad)));
            ck_assert_ok(fipsrt_random(pt, sizeof(pt)));
            ck_assert_ok(fipsrt_random(pynonce, sizeof(pynonce)));
            fipsrt_aead_key *k = NULL;
            ck_assert_ok(fipsrt_aead_key_new(&k, alg, key, kl));
            if (mode == 0) {
                ck_assert_ok(fipsrt_aead_seal(k, aad, sizeof(aad), pt, sizeof(pt), nonce, sealed,
                                              sizeof(sealed), &n));
            } else {
                fipsrt_aead_counter *c = NULL;
                ck_assert_ok(fipsrt_aead_counter_new(&c, alg, key, kl, FIPSRT_AEAD_NONCE_XOR, NULL, 0));
                ck_assert_ok(fipsrt_aead_counter_seal(c, 41, aad, sizeof(aad), pt, sizeof(pt), sealed,
                                                      sizeof(sealed), &n));
                /* the nonce Python uses is computed here independently: fixed XOR seq */
                ck_assert_ok(fipsrt_aead_counter_fixed(c, nonce, sizeof(nonce), NULL));
                nonce[11] ^= 41;
                fipsrt_aead_counter_free(c);
            }
            char *hk = to_hex(key, kl), *hn = to_hex(nonce, 12), *ha = to_hex(aad, sizeof(aad));
            char *hc = to_hex(sealed, n), *hp = to_hex(pt, sizeof(pt)), *hpn = to_hex(pynonce, 12);
            char *argv[] = {"/usr/bin/python3", "-c", (char *)py_aesgcm, hk, hn, ha, hc,
                            hk, hpn, ha, hp, NULL};
            proc_result *r = malloc(sizeof(*r));
            run_process(argv, python_env, NULL, r);
            ck_assert_msg(r->exited && r->status == 0, "python: %s", r->err);
            char *line2 = strchr(r->out, '\n');
            ck_assert_ptr_nonnull(line2);
            *line2++ = '\0';
            ck_assert_str_eq(r->out, hp);   /* Python opened what we sealed */
            size_t py_len;
            line2[strcspn(line2, "\n")] = '\0';
            uint8_t *py_sealed = hex_alloc(line2, &py_len);
            ck_assert_uint_eq(py_len, sizeof(pt) + 16);
            ck_assert_ok(fipsrt_aead_open(k, pynonce, aad, sizeof(aad), py_sealed, py_len, back,
                                          sizeof(back), &n));   /* we open what Python sealed */
            ck_assert(memcmp(back, pt, sizeof(pt)) == 0);
            py_sealed[0] ^= 1;
            ck_assert_fipsrt(fipsrt_aead_open(k, pynonce, aad, sizeof(aad), py_sealed, py_len, back,
                                              sizeof(back), &n), FIPSRT_E_VERIFY_FAILED);
            free(py_sealed), free(r), free(hk), free(hn), free(ha), free(hc), free(hp), free(hpn);
            fipsrt_aead_key_free(k);
        }
    }
}
END_TEST

/* ---- the CLI and the example ----------------------------------------------------------- */

static void run(proc_result *r, const char *const *args)
{
    char *argv[16];
    int i = 0;
    for (; args[i] != NULL && i < 15; i++)
        argv[i] = (char *)args[i];
    argv[i] = NULL;
    run_process(argv, NULL, NULL, r);
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

START_TEST(test_cli)
{
    const char *cli = getenv("FIPSRT_CLI");
    ck_assert_ptr_nonnull(cli);
    char *dir = make_temp_dir(), key[1100], hexkey[1100], pt[1100], sealed[1100], back[1100],
         text[1100], bad[1100];
    snprintf(key, sizeof(key), "%s/key", dir);
    snprintf(hexkey, sizeof(hexkey), "%s/key.hex", dir);
    snprintf(pt, sizeof(pt), "%s/pt", dir);
    snprintf(sealed, sizeof(sealed), "%s/sealed", dir);
    snprintf(back, sizeof(back), "%s/back", dir);
    snprintf(text, sizeof(text), "%s/sealed.txt", dir);
    snprintf(bad, sizeof(bad), "%s/bad", dir);
    uint8_t kb[24], msg[5000];
    ck_assert_ok(fipsrt_random(kb, sizeof(kb)));
    ck_assert_ok(fipsrt_random(msg, sizeof(msg)));
    write_file(key, kb, sizeof(kb));
    char *kh = to_hex(kb, sizeof(kb));
    char khn[64];
    snprintf(khn, sizeof(khn), "%s\n", kh);
    write_file(hexkey, khn, strlen(khn));
    write_file(pt, msg, sizeof(msg));
    proc_result *r = malloc(sizeof(*r));
    size_t len;

    /* binary file: nonce || ct || tag, opened by Python too */
    run(r, (const char *[]){cli, "aead", "seal", "--key-file", key, "--in", pt, "--out", sealed,
                            "--aad-hex", "a1b2", NULL});
    ck_assert_msg(r->exited && r->status == 0, "%s", r->err);
    char *s = slurp(sealed, &len);
    ck_assert_uint_eq(len, 12 + sizeof(msg) + 16);
    char *hs = to_hex((uint8_t *)s, len);
    char script[512];
    snprintf(script, sizeof(script),
             "import sys; from cryptography.hazmat.primitives.ciphers.aead import AESGCM; "
             "d = open(sys.argv[2], 'rb').read(); "
             "sys.stdout.write(AESGCM(bytes.fromhex(sys.argv[1])).decrypt(d[:12], d[12:], "
             "bytes.fromhex('a1b2')).hex())");
    char *pyargv[] = {"/usr/bin/python3", "-c", script, kh, sealed, NULL};
    run_process(pyargv, python_env, NULL, r);
    ck_assert_msg(r->exited && r->status == 0, "python: %s", r->err);
    char *hm = to_hex(msg, sizeof(msg));
    ck_assert_str_eq(r->out, hm);
    run(r, (const char *[]){cli, "aead", "open", "--key-file", hexkey, "--in", sealed, "--out", back,
                            "--aad-hex", "A1B2", NULL});
    ck_assert_msg(r->exited && r->status == 0, "%s", r->err);
    char *b = slurp(back, &len);
    ck_assert_uint_eq(len, sizeof(msg));
    ck_assert(memcmp(b, msg, len) == 0);
    free(b);
    /* wrong AAD or a flipped bit: exit 1, nothing written */
    run(r, (const char *[]){cli, "aead", "open", "--key-file", key, "--in", sealed, "--out", bad, NULL});
    ck_assert(r->exited && r->status == 1);
    ck_assert_ptr_nonnull(strstr(r->err, "verification failed"));
    ck_assert(!exists(bad));
    s[100] ^= 4;
    write_file(sealed, s, len);
    run(r, (const char *[]){cli, "aead", "open", "--key-file", key, "--in", sealed, "--out", bad,
                            "--aad-hex", "a1b2", NULL});
    ck_assert(r->exited && r->status == 1);
    ck_assert(!exists(bad));
    free(s);
    free(hs);

    /* hex and base64, through stdout */
    for (int enc = 0; enc < 2; enc++) {
        const char *flag = enc ? "--base64" : "--hex";
        run(r, (const char *[]){cli, "aead", "seal", "--key-file", key, "--in", pt, flag, NULL});
        ck_assert_msg(r->exited && r->status == 0, "%s", r->err);
        size_t want = enc ? (12 + sizeof(msg) + 16 + 2) / 3 * 4 : 2 * (12 + sizeof(msg) + 16);
        ck_assert_uint_eq(strlen(r->out), want + 1);
        write_file(text, r->out, strlen(r->out));
        run(r, (const char *[]){cli, "aead", "open", "--key-file", key, "--in", text, flag, "--out",
                                back, NULL});
        ck_assert_msg(r->exited && r->status == 0, "%s", r->err);
        b = slurp(back, &len);
        ck_assert(len == sizeof(msg) && memcmp(b, msg, len) == 0);
        free(b);
        run(r, (const char *[]){cli, "aead", "open", "--key-file", key, "--in", text, NULL});
        ck_assert(r->exited && r->status == 1);   /* text read as binary does not verify */
    }
    /* empty input; too-short input */
    write_file(pt, "", 0);
    run(r, (const char *[]){cli, "aead", "seal", "--key-file", key, "--in", pt, "--out", sealed, NULL});
    ck_assert(r->exited && r->status == 0);
    s = slurp(sealed, &len);
    ck_assert_uint_eq(len, 28);
    free(s);
    write_file(sealed, "short", 5);
    run(r, (const char *[]){cli, "aead", "open", "--key-file", key, "--in", sealed, NULL});
    ck_assert(r->exited && r->status == 1);
    /* usage and key errors: exit 2 */
    write_file(bad, "not a key", 9);
    const char *const *usage[] = {
        (const char *[]){cli, "aead", NULL},
        (const char *[]){cli, "aead", "seal", NULL},
        (const char *[]){cli, "aead", "frob", "--key-file", key, NULL},
        (const char *[]){cli, "aead", "seal", "--key-file", bad, "--in", pt, NULL},
        (const char *[]){cli, "aead", "seal", "--key-file", key, "--hex", "--base64", NULL},
        (const char *[]){cli, "aead", "seal", "--key-file", key, "--aad-hex", "xyz", NULL},
        (const char *[]){cli, "aead", "seal", "--key-file", "/nonexistent/key", NULL},
        (const char *[]){cli, "aead", "open", "--key-file", key, "--in", text, "--hex", NULL},
    };
    for (size_t i = 0; i < sizeof(usage) / sizeof(usage[0]); i++) {
        run(r, usage[i]);
        ck_assert_msg(r->exited && r->status == 2, "case %zu: status %d: %s", i, r->status, r->err);
    }
    free(kh), free(hm), free(r);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(test_encrypt_file_example)
{
    char exe[1100];
    snprintf(exe, sizeof(exe), "%s/../examples/encrypt_file", build_dir());
    ck_assert_msg(access(exe, X_OK) == 0, "%s not built", exe);
    char *dir = make_temp_dir(), key[1100], in[1100], enc[1100], out[1100];
    snprintf(key, sizeof(key), "%s/key", dir);
    snprintf(in, sizeof(in), "%s/in", dir);
    snprintf(enc, sizeof(enc), "%s/in.enc", dir);
    snprintf(out, sizeof(out), "%s/out", dir);
    proc_result *r = malloc(sizeof(*r));
    run(r, (const char *[]){exe, "keygen", key, NULL});
    ck_assert_msg(r->exited && r->status == 0, "%s", r->err);
    run(r, (const char *[]){exe, "keygen", key, NULL});   /* never overwrites a key */
    ck_assert(r->exited && r->status != 0);
    static uint8_t data[3 * 65536 + 100];
    ck_assert_ok(fipsrt_random(data, sizeof(data)));
    static const size_t sizes[] = {0, 1, 65535, 65536, 65537, 3 * 65536, 3 * 65536 + 100};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        size_t len = sizes[i], got, records = len / 65536 + 1, total = 20 + len + 16 * records;
        write_file(in, data, len);
        run(r, (const char *[]){exe, "seal", key, in, enc, NULL});
        ck_assert_msg(r->exited && r->status == 0, "%s", r->err);
        char *e = slurp(enc, &got);
        ck_assert_uint_eq(got, total);
        run(r, (const char *[]){exe, "open", key, enc, out, NULL});
        ck_assert_msg(r->exited && r->status == 0, "%zu bytes: %s", len, r->err);
        char *back = slurp(out, &got);
        ck_assert(got == len && memcmp(back, data, len) == 0);
        free(back);
        unlink(out);
        if (records > 1) {
            /* cut at a record boundary: the final record is missing */
            write_file(enc, e, 20 + 65552);
            run(r, (const char *[]){exe, "open", key, enc, out, NULL});
            ck_assert(r->exited && r->status == 1);
            ck_assert(!exists(out));
            /* record 1 spliced in place of record 0 */
            char *sw = malloc(total);
            memcpy(sw, e, total);
            memcpy(sw + 20, e + 20 + 65552, total - 20 - 65552 < 65552 ? total - 20 - 65552 : 65552);
            write_file(enc, sw, total);
            run(r, (const char *[]){exe, "open", key, enc, out, NULL});
            ck_assert(r->exited && r->status == 1);
            ck_assert(!exists(out));
            free(sw);
        }
        /* one flipped bit anywhere fails and leaves nothing behind */
        e[total / 2] ^= 1;
        write_file(enc, e, total);
        run(r, (const char *[]){exe, "open", key, enc, out, NULL});
        ck_assert(r->exited && r->status == 1);
        ck_assert(!exists(out));
        free(e);
    }
    free(r);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* The test-only hooks stay out of the shared library; the AES-GCM KAT runs in selftest. */
START_TEST(test_hidden_and_selftest)
{
    char lib[1100], script[1400];
    snprintf(lib, sizeof(lib), "%s/../lib/libfipsrt.so", build_dir());
    snprintf(script, sizeof(script), "nm -D --defined-only '%s' | grep -c -E 'fipsrt_aead_|frt_aead' || true", lib);
    char *argv[] = {"/bin/sh", "-c", script, NULL};
    proc_result *r = malloc(sizeof(*r));
    run_process(argv, NULL, NULL, r);
    ck_assert_int_eq(atoi(r->out), 24);   /* the public aead.h functions, no hook */
    snprintf(script, sizeof(script), "nm -D --defined-only '%s' | grep -c frt_ || true", lib);
    run_process(argv, NULL, NULL, r);
    ck_assert_int_eq(atoi(r->out), 0);
    free(r);
    ck_assert_ok(fipsrt_selftest());
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("aead");
    TCase *tc = tcase_create("vectors");
    tcase_add_loop_test(tc, test_cavp_encrypt, 0, 3);
    tcase_add_loop_test(tc, test_cavp_decrypt, 0, 3);
    tcase_add_test(tc, test_python_cross_check);
    suite_add_tcase(s, tc);
    tc = tcase_create("api");
    tcase_add_test(tc, test_roundtrip);
    tcase_add_test(tc, test_nonces_distinct);
    tcase_add_test(tc, test_tamper);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_bad_input_each_argument);
    tcase_add_test(tc, test_invocation_limit);
    tcase_add_test(tc, test_counter);
    tcase_add_test(tc, test_stream);
    tcase_add_test(tc, test_key_reuse_after_free);
    tcase_add_test(tc, test_hidden_and_selftest);
    suite_add_tcase(s, tc);
    tc = tcase_create("concurrency");
    tcase_add_test(tc, test_threads_share_key);
    tcase_add_test(tc, test_fork);
    tcase_add_test(tc, test_dlclose);
    suite_add_tcase(s, tc);
    tc = tcase_create("tools");
    tcase_add_test(tc, test_cli);
    tcase_add_test(tc, test_encrypt_file_example);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(make_suite); }
