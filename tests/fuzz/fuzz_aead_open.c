/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target over AEAD open of records: fipsrt_aead_open, _open_detached (every tag
 * length), the counter-nonce open (TLS 1.3 XOR nonces) and a streaming open. Input:
 * flags(1) || nonce(12) || aad_len(1) || aad || sealed. A forged record must fail with
 * VERIFY_FAILED (or a documented argument code) and leave no plaintext in the output.
 * Seeds: real records sealed under the target's key (FIPSRT_FUZZ_SEEDS).
 */
#include <string.h>

#include "fuzz_util.h"

static fipsrt_aead_key *key;
static const uint8_t raw[16] = "fuzz aead key 16";
static const int codes[] = {FIPSRT_E_VERIFY_FAILED, FIPSRT_E_INVALID_ARG,
                            FIPSRT_E_NOT_APPROVED, FIPSRT_E_BUFFER_TOO_SMALL,
                            FIPSRT_E_NONCE_REUSE, FIPSRT_E_LIMIT, 0};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    uint8_t rec[512];
    size_t n;
    if (fipsrt_aead_key_new(&key, FIPSRT_AEAD_AES_128_GCM, raw, 16) != 0)
        abort();
    static const char *const msgs[] = {"", "x", "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"};
    for (size_t i = 0; i < 3; i++) {
        rec[0] = (uint8_t)i;
        rec[13] = 3;
        memcpy(rec + 14, "aad", 3);
        if (fipsrt_aead_seal(key, "aad", 3, msgs[i], strlen(msgs[i]), rec + 1, rec + 17,
                             sizeof(rec) - 17, &n) != 0)
            abort();
        char name[16];
        snprintf(name, sizeof(name), "record%zu", i);
        fuzz_seed(name, rec, 17 + n);
    }
    return 0;
}

static void no_plaintext(const uint8_t *out, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (out[i] != 0)
            __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t out[65536];
    size_t n;
    if (size < 14 || (size_t)data[13] > size - 14)
        return 0;
    uint8_t flags = data[0];
    const uint8_t *nonce = data + 1, *aad = data + 14;
    size_t aad_len = data[13];
    const uint8_t *in = aad + aad_len;
    size_t in_len = size - 14 - aad_len;
    size_t cap = flags & 1 ? in_len / 2 : sizeof(out);

    memset(out, 0, sizeof(out));
    int rv = fipsrt_aead_open(key, nonce, aad, aad_len, in, in_len, out, cap, &n);
    fuzz_check(rv, true, codes);
    if (rv != 0)
        no_plaintext(out, sizeof(out) < in_len ? sizeof(out) : in_len);

    size_t tag_len = 4 + (flags >> 1) % 13;   /* 4..16 */
    if (in_len >= tag_len) {
        memset(out, 0, sizeof(out));
        rv = fipsrt_aead_open_detached(key, nonce, aad, aad_len, in, in_len - tag_len,
                                       in + in_len - tag_len, tag_len, out, cap);
        fuzz_check(rv, true, codes);
        if (rv != 0)
            no_plaintext(out, sizeof(out) < in_len ? sizeof(out) : in_len);
    }

    fipsrt_aead_counter *ctr = NULL;
    if (fipsrt_aead_counter_new(&ctr, FIPSRT_AEAD_AES_128_GCM, raw, 16, FIPSRT_AEAD_NONCE_XOR,
                                nonce, 12) != 0)
        __builtin_trap();
    uint64_t seq = flags >> 4;
    for (int i = 0; i < 2; i++) {   /* the same counter twice: the second is NONCE_REUSE */
        rv = fipsrt_aead_counter_open(ctr, seq, aad, aad_len, in, in_len, out, cap, &n);
        fuzz_check(rv, true, codes);
    }
    fipsrt_aead_counter_free(ctr);

    fipsrt_aead_stream *s = NULL;
    if (in_len >= 16 && fipsrt_aead_open_stream_new(&s, key, nonce, aad, aad_len) == 0) {
        size_t half = (in_len - 16) / 2, m;
        rv = fipsrt_aead_stream_update(s, in, half, out, sizeof(out), &m);
        fuzz_check(rv, true, codes);
        if (rv == 0)
            rv = fipsrt_aead_stream_update(s, in + half, in_len - 16 - half, out + m,
                                           sizeof(out) - m, &m);
        fuzz_check(rv, true, codes);
        if (rv == 0)
            fuzz_check(fipsrt_aead_open_stream_final(s, in + in_len - 16, 16), true, codes);
        fipsrt_aead_stream_free(s);
    }
    ERR_clear_error();
    return 0;
}
