/* SPDX-License-Identifier: Apache-2.0 */
/* HMAC: RFC 4231 / RFC 2202 vectors run whole (per-call, streaming and prepared keys),
 * Python cross-check, policy refusals, a prepared key shared by threads. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "testutil.h"

static const struct {
    const char *file;
    fipsrt_hash_alg alg;
} rfc[] = {
    {"HMAC/rfc-2202-sha1.txt", FIPSRT_HASH_SHA1},
    {"HMAC/rfc-4231-sha224.txt", FIPSRT_HASH_SHA224},
    {"HMAC/rfc-4231-sha256.txt", FIPSRT_HASH_SHA256},
    {"HMAC/rfc-4231-sha384.txt", FIPSRT_HASH_SHA384},
    {"HMAC/rfc-4231-sha512.txt", FIPSRT_HASH_SHA512},
    {"HMAC/rfc-2202-md5.txt", FIPSRT_HASH_MD5},
};

/*
 * Each vector runs one-shot, streaming and through verify. Vectors whose key is under
 * 112 bits ("Jefe") are run too: the library must refuse them with FIPSRT_E_NOT_APPROVED.
 * The MD5 file must be refused vector by vector with FIPSRT_E_MD5_SECURE.
 */
START_TEST(test_rfc_vectors)
{
    vec_file v;
    vec_open(&v, rfc[_i].file);
    int run = 0, refused = 0;
    while (vec_next(&v)) {
        size_t key_len, msg_len, md_len, out_len;
        uint8_t *key = hex_alloc(vec_get(&v, "Key"), &key_len);
        uint8_t *msg = hex_alloc(vec_get(&v, "Msg"), &msg_len);
        uint8_t *md = hex_alloc(vec_get(&v, "MD"), &md_len);
        uint8_t out[FIPSRT_HASH_MAX_SIZE];
        fipsrt_hmac_ctx *h = NULL;
        if (rfc[_i].alg == FIPSRT_HASH_MD5) {
            ck_assert_fipsrt(fipsrt_hmac(rfc[_i].alg, key, key_len, msg, msg_len, out, sizeof(out), &out_len),
                             FIPSRT_E_MD5_SECURE);
            ck_assert_fipsrt(fipsrt_hmac_new(&h, rfc[_i].alg, key, key_len), FIPSRT_E_MD5_SECURE);
            fipsrt_hmac_key *pk = (fipsrt_hmac_key *)1;
            ck_assert_fipsrt(fipsrt_hmac_key_new(&pk, rfc[_i].alg, key, key_len),
                             FIPSRT_E_MD5_SECURE);
            ck_assert_ptr_null(pk);
            refused++;
        } else if (key_len < FIPSRT_HMAC_MIN_KEY_SIZE) {
            ck_assert_fipsrt(fipsrt_hmac(rfc[_i].alg, key, key_len, msg, msg_len, out, sizeof(out), &out_len),
                             FIPSRT_E_NOT_APPROVED);
            ck_assert_fipsrt(fipsrt_hmac_verify(rfc[_i].alg, key, key_len, msg, msg_len, md, md_len),
                             FIPSRT_E_NOT_APPROVED);
            ck_assert_fipsrt(fipsrt_hmac_new(&h, rfc[_i].alg, key, key_len), FIPSRT_E_NOT_APPROVED);
            fipsrt_hmac_key *pk = (fipsrt_hmac_key *)1;
            ck_assert_fipsrt(fipsrt_hmac_key_new(&pk, rfc[_i].alg, key, key_len),
                             FIPSRT_E_NOT_APPROVED);
            ck_assert_ptr_null(pk);
            refused++;
        } else {
            ck_assert_ok(fipsrt_hmac(rfc[_i].alg, key, key_len, msg, msg_len, out, sizeof(out), &out_len));
            ck_assert_uint_eq(out_len, md_len);
            ck_assert_mem_eq(out, md, md_len);
            ck_assert_ok(fipsrt_hmac_verify(rfc[_i].alg, key, key_len, msg, msg_len, md, md_len));
            ck_assert_ok(fipsrt_hmac_new(&h, rfc[_i].alg, key, key_len));
            ck_assert_ok(fipsrt_hmac_update(h, msg, msg_len / 3));
            ck_assert_ok(fipsrt_hmac_update(h, msg + msg_len / 3, msg_len - msg_len / 3));
            ck_assert_ok(fipsrt_hmac_final_verify(h, md, md_len));
            /* reset keeps the key: a second message gives the same tag again. */
            ck_assert_ok(fipsrt_hmac_reset(h));
            ck_assert_ok(fipsrt_hmac_update(h, msg, msg_len));
            memset(out, 0, sizeof(out));
            ck_assert_ok(fipsrt_hmac_final(h, out, sizeof(out), &out_len));
            ck_assert_mem_eq(out, md, md_len);
            fipsrt_hmac_free(h);
            /* The same vector through a prepared key, twice (the second call reuses the
             * key's idle state), and its verify with the full and a truncated tag. */
            fipsrt_hmac_key *pk = NULL;
            ck_assert_ok(fipsrt_hmac_key_new(&pk, rfc[_i].alg, key, key_len));
            ck_assert_int_eq(fipsrt_hmac_key_alg(pk), rfc[_i].alg);
            for (int rep = 0; rep < 2; rep++) {
                memset(out, 0, sizeof(out));
                ck_assert_ok(fipsrt_hmac_key_mac(pk, msg, msg_len, out, sizeof(out), &out_len));
                ck_assert_uint_eq(out_len, md_len);
                ck_assert_mem_eq(out, md, md_len);
            }
            ck_assert_ok(fipsrt_hmac_key_verify(pk, msg, msg_len, md, md_len));
            ck_assert_ok(fipsrt_hmac_key_verify(pk, msg, msg_len, md, FIPSRT_HMAC_MIN_TAG_SIZE));
            /* A flipped bit anywhere in the tag is rejected. */
            md[md_len - 1] ^= 0x01;
            ck_assert_fipsrt(fipsrt_hmac_key_verify(pk, msg, msg_len, md, md_len),
                             FIPSRT_E_VERIFY_FAILED);
            fipsrt_hmac_key_free(pk);
            ck_assert_fipsrt(fipsrt_hmac_verify(rfc[_i].alg, key, key_len, msg, msg_len, md, md_len),
                             FIPSRT_E_VERIFY_FAILED);
            run++;
        }
        free(key);
        free(msg);
        free(md);
    }
    vec_close(&v);
    ck_assert_int_gt(run + refused, 0);
    vec_report(rfc[_i].file, run, refused,
               rfc[_i].alg == FIPSRT_HASH_MD5
                   ? "MD5: each asserted refused with FIPSRT_E_MD5_SECURE"
                   : "key < 112 bits: each asserted refused with FIPSRT_E_NOT_APPROVED");
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

/* Every HMAC hash (SHA-3 has no RFC vectors here) against Python's hmac module. */
START_TEST(test_python_cross_check)
{
    static const struct { fipsrt_hash_alg alg; const char *py; } t[] = {
        {FIPSRT_HASH_SHA1, "sha1"},           {FIPSRT_HASH_SHA224, "sha224"},
        {FIPSRT_HASH_SHA256, "sha256"},       {FIPSRT_HASH_SHA384, "sha384"},
        {FIPSRT_HASH_SHA512, "sha512"},       {FIPSRT_HASH_SHA512_224, "sha512_224"},
        {FIPSRT_HASH_SHA512_256, "sha512_256"}, {FIPSRT_HASH_SHA3_224, "sha3_224"},
        {FIPSRT_HASH_SHA3_256, "sha3_256"},   {FIPSRT_HASH_SHA3_384, "sha3_384"},
        {FIPSRT_HASH_SHA3_512, "sha3_512"},
    };
    uint8_t key[200], msg[300], out[64];
    char key_hex[401], msg_hex[601], script[4096], want[129];
    size_t klens[] = {14, 64, 200};  /* minimum, a block, longer than any block */
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        for (size_t k = 0; k < 3; k++) {
            size_t out_len;
            ck_assert_ok(fipsrt_random(key, sizeof(key)));
            ck_assert_ok(fipsrt_random(msg, sizeof(msg)));
            for (size_t j = 0; j < klens[k]; j++)
                sprintf(key_hex + 2 * j, "%02x", key[j]);
            for (size_t j = 0; j < sizeof(msg); j++)
                sprintf(msg_hex + 2 * j, "%02x", msg[j]);
            snprintf(script, sizeof(script),
                     "import hmac,hashlib; print(hmac.new(bytes.fromhex('%s'), bytes.fromhex('%s'), "
                     "'%s').hexdigest())", key_hex, msg_hex, t[i].py);
            char *argv[] = {"/usr/bin/python3", "-c", script, NULL};
            proc_result r;
            run_process(argv, NULL, NULL, &r);
            ck_assert_msg(r.exited && r.status == 0, "python: %s", r.err);
            ck_assert_ok(fipsrt_hmac(t[i].alg, key, klens[k], msg, sizeof(msg), out, sizeof(out), &out_len));
            for (size_t j = 0; j < out_len; j++)
                sprintf(want + 2 * j, "%02x", out[j]);
            ck_assert_int_eq(strncmp(r.out, want, 2 * out_len), 0);
        }
    }
}
END_TEST

START_TEST(test_policy_and_bad_input)
{
    uint8_t key[64] = {1}, out[64], tag[64];
    size_t n = 0;
    fipsrt_hmac_ctx *h = NULL;
    /* SP 800-131A: 13-byte key refused, 14-byte key accepted. */
    ck_assert_fipsrt(fipsrt_hmac(FIPSRT_HASH_SHA256, key, 13, "m", 1, out, sizeof(out), &n), FIPSRT_E_NOT_APPROVED);
    ck_assert_ok(fipsrt_hmac(FIPSRT_HASH_SHA256, key, 14, "m", 1, out, sizeof(out), &n));
    ck_assert_fipsrt(fipsrt_hmac(FIPSRT_HASH_SHA256, key, 0, "m", 1, out, sizeof(out), &n), FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_hmac(FIPSRT_HASH_SHA256, NULL, 32, "m", 1, out, sizeof(out), &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hmac(FIPSRT_HASH_SHAKE128, key, 32, "m", 1, out, sizeof(out), &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hmac(FIPSRT_HASH_MD5, key, 32, "m", 1, out, sizeof(out), &n), FIPSRT_E_MD5_SECURE);
    ck_assert_fipsrt(fipsrt_hmac((fipsrt_hash_alg)55, key, 32, "m", 1, out, sizeof(out), &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hmac(FIPSRT_HASH_SHA256, key, 32, NULL, 1, out, sizeof(out), &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hmac(FIPSRT_HASH_SHA256, key, 32, "m", 1, NULL, 64, &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hmac(FIPSRT_HASH_SHA512, key, 32, "m", 1, out, 63, &n), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(n, 64);
    ck_assert_ok(fipsrt_hmac(FIPSRT_HASH_SHA256, key, 32, NULL, 0, out, sizeof(out), &n));

    /* Truncated tags: >= 128 bits verify, shorter or longer than the MAC are invalid. */
    ck_assert_ok(fipsrt_hmac(FIPSRT_HASH_SHA256, key, 32, "msg", 3, tag, sizeof(tag), &n));
    ck_assert_ok(fipsrt_hmac_verify(FIPSRT_HASH_SHA256, key, 32, "msg", 3, tag, 16));
    /* error.h: a too-short tag is NOT_APPROVED (as for GCM), a too-long one INVALID_ARG */
    ck_assert_fipsrt(fipsrt_hmac_verify(FIPSRT_HASH_SHA256, key, 32, "msg", 3, tag, 15), FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_hmac_verify(FIPSRT_HASH_SHA256, key, 32, "msg", 3, tag, 0), FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_hmac_verify(FIPSRT_HASH_SHA256, key, 32, "msg", 3, tag, 33), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hmac_verify(FIPSRT_HASH_SHA256, key, 32, "msg", 3, NULL, 32), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hmac_verify(FIPSRT_HASH_SHA256, key, 32, "msh", 3, tag, 32), FIPSRT_E_VERIFY_FAILED);
    key[5] ^= 1;
    ck_assert_fipsrt(fipsrt_hmac_verify(FIPSRT_HASH_SHA256, key, 32, "msg", 3, tag, 32), FIPSRT_E_VERIFY_FAILED);
    key[5] ^= 1;

    /* Streaming state machine, clone and NULLs. */
    ck_assert_fipsrt(fipsrt_hmac_new(NULL, FIPSRT_HASH_SHA256, key, 32), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hmac_new(&h, FIPSRT_HASH_SHA256, key, 8), FIPSRT_E_NOT_APPROVED);
    ck_assert_ptr_null(h);
    ck_assert_ok(fipsrt_hmac_new(&h, FIPSRT_HASH_SHA256, key, 32));
    ck_assert_ok(fipsrt_hmac_update(h, "ms", 2));
    fipsrt_hmac_ctx *c;
    ck_assert_ok(fipsrt_hmac_clone(&c, h));
    ck_assert_ok(fipsrt_hmac_update(h, "g", 1));
    ck_assert_ok(fipsrt_hmac_update(c, "g", 1));
    ck_assert_ok(fipsrt_hmac_final_verify(h, tag, 32));
    ck_assert_fipsrt(fipsrt_hmac_final(c, out, 31, &n), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(n, 32);
    ck_assert_ok(fipsrt_hmac_final(c, out, 32, &n));
    ck_assert_mem_eq(out, tag, 32);
    ck_assert_fipsrt(fipsrt_hmac_update(h, "x", 1), FIPSRT_E_STATE);
    ck_assert_fipsrt(fipsrt_hmac_final(h, out, 32, &n), FIPSRT_E_STATE);
    ck_assert_fipsrt(fipsrt_hmac_final_verify(h, tag, 32), FIPSRT_E_STATE);
    ck_assert_fipsrt(fipsrt_hmac_update(NULL, "x", 1), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hmac_reset(NULL), FIPSRT_E_INVALID_ARG);
    fipsrt_hmac_free(c);
    ck_assert_fipsrt(fipsrt_hmac_clone(&c, NULL), FIPSRT_E_INVALID_ARG);
    ck_assert_ptr_null(c);
    fipsrt_hmac_free(h);
    fipsrt_hmac_free(NULL);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

/* One-shot HMACs keep per-thread state: different keys in a row must not bleed. */
START_TEST(test_key_switch)
{
    uint8_t k1[32], k2[32], a[32], b[32], c[32];
    memset(k1, 1, 32);
    memset(k2, 2, 32);
    ck_assert_ok(fipsrt_hmac(FIPSRT_HASH_SHA256, k1, 32, "m", 1, a, 32, NULL));
    ck_assert_ok(fipsrt_hmac(FIPSRT_HASH_SHA256, k2, 32, "m", 1, b, 32, NULL));
    ck_assert_ok(fipsrt_hmac(FIPSRT_HASH_SHA256, k1, 32, "m", 1, c, 32, NULL));
    ck_assert_mem_ne(a, b, 32);
    ck_assert_mem_eq(a, c, 32);
}
END_TEST

/* Prepared keys: refusals with their exact codes, buffer sizes, the indicator. */
START_TEST(test_prepared_key_api)
{
    uint8_t key[32], out[64], tag[64];
    size_t n = 0;
    fipsrt_hmac_key *k = (fipsrt_hmac_key *)1;
    memset(key, 7, sizeof(key));
    ck_assert_fipsrt(fipsrt_hmac_key_new(NULL, FIPSRT_HASH_SHA256, key, 32), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hmac_key_new(&k, FIPSRT_HASH_SHA256, key, 13), FIPSRT_E_NOT_APPROVED);
    ck_assert_ptr_null(k);
    ck_assert_fipsrt(fipsrt_hmac_key_new(&k, FIPSRT_HASH_SHA256, NULL, 32), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hmac_key_new(&k, FIPSRT_HASH_SHAKE256, key, 32), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hmac_key_new(&k, FIPSRT_HASH_MD5, key, 32), FIPSRT_E_MD5_SECURE);
    ck_assert_fipsrt(fipsrt_hmac_key_new(&k, (fipsrt_hash_alg)55, key, 32), FIPSRT_E_INVALID_ARG);
    ck_assert_ptr_null(k);
    ck_assert_int_eq(fipsrt_hmac_key_alg(NULL), 0);

    ck_assert_ok(fipsrt_hmac_key_new(&k, FIPSRT_HASH_SHA384, key, 14));
    ck_assert_fipsrt(fipsrt_hmac_key_mac(NULL, "m", 1, out, sizeof(out), &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hmac_key_mac(k, NULL, 1, out, sizeof(out), &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hmac_key_mac(k, "m", 1, NULL, 64, &n), FIPSRT_E_INVALID_ARG);
    n = 0;
    ck_assert_fipsrt(fipsrt_hmac_key_mac(k, "m", 1, out, 47, &n), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(n, 48);
    /* The indicator counts a successful MAC and verify, never a failed one. */
    uint64_t before = fipsrt_service_indicator();
    ck_assert_ok(fipsrt_hmac_key_mac(k, NULL, 0, tag, sizeof(tag), &n));
    ck_assert_uint_eq(n, 48);
    ck_assert_uint_eq(fipsrt_service_indicator(), before + 1);
    ck_assert_ok(fipsrt_hmac(FIPSRT_HASH_SHA384, key, 14, NULL, 0, out, sizeof(out), &n));
    ck_assert_mem_eq(out, tag, 48);  /* the same MAC as the per-call one-shot */
    before = fipsrt_service_indicator();
    ck_assert_ok(fipsrt_hmac_key_verify(k, "", 0, tag, 48));
    ck_assert_uint_eq(fipsrt_service_indicator(), before + 1);
    before = fipsrt_service_indicator();
    ck_assert_fipsrt(fipsrt_hmac_key_verify(k, "x", 1, tag, 48), FIPSRT_E_VERIFY_FAILED);
    ck_assert_fipsrt(fipsrt_hmac_key_verify(k, "", 0, tag, 15), FIPSRT_E_NOT_APPROVED);   /* error.h */
    ck_assert_fipsrt(fipsrt_hmac_key_verify(k, "", 0, tag, 49), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hmac_key_verify(k, "", 0, NULL, 48), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hmac_key_verify(NULL, "", 0, tag, 48), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hmac_key_verify(k, NULL, 1, tag, 48), FIPSRT_E_INVALID_ARG);
    ck_assert_uint_eq(fipsrt_service_indicator(), before);
    fipsrt_hmac_key_free(k);
    fipsrt_hmac_key_free(NULL);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

/* One prepared key shared by more threads than it keeps idle states: every MAC is right. */
#define KEY_THREADS 12
#define KEY_ROUNDS 400
struct key_work {
    const fipsrt_hmac_key *key;
    int id;
    int wrong;
};

static void *key_thread(void *arg)
{
    struct key_work *w = arg;
    uint8_t key[32], msg[64], out[32], want[32];
    memset(key, 0x5a, sizeof(key));
    for (int r = 0; r < KEY_ROUNDS; r++) {
        memset(msg, w->id * 31 + r, sizeof(msg));
        size_t len = (size_t)(r % 65);
        if (fipsrt_hmac(FIPSRT_HASH_SHA256, key, 32, msg, len, want, 32, NULL) != 0
            || fipsrt_hmac_key_mac(w->key, msg, len, out, 32, NULL) != 0
            || memcmp(out, want, 32) != 0
            || fipsrt_hmac_key_verify(w->key, msg, len, want, 32) != 0)
            w->wrong++;
    }
    return NULL;
}

START_TEST(test_prepared_key_threads)
{
    uint8_t key[32];
    memset(key, 0x5a, sizeof(key));
    fipsrt_hmac_key *k = NULL;
    ck_assert_ok(fipsrt_hmac_key_new(&k, FIPSRT_HASH_SHA256, key, 32));
    memset(key, 0, sizeof(key));  /* the key object keeps no reference to the caller's bytes */
    pthread_t th[KEY_THREADS];
    struct key_work w[KEY_THREADS];
    for (int i = 0; i < KEY_THREADS; i++) {
        w[i] = (struct key_work){.key = k, .id = i};
        ck_assert_int_eq(pthread_create(&th[i], NULL, key_thread, &w[i]), 0);
    }
    for (int i = 0; i < KEY_THREADS; i++) {
        ck_assert_int_eq(pthread_join(th[i], NULL), 0);
        ck_assert_int_eq(w[i].wrong, 0);
    }
    fipsrt_hmac_key_free(k);
}
END_TEST

/* Each argument check of the streaming and verify calls not driven elsewhere: exact code,
 * output untouched, no size reported through a NULL out_len, the context still usable. */
START_TEST(test_bad_input_each_argument)
{
    static const uint8_t key[32] = {7};
    uint8_t out[64], want[32];
    fipsrt_hmac_ctx *ctx = NULL, *copy = NULL;
    memset(out, 0xAA, sizeof(out));
    ck_assert_fipsrt(fipsrt_hmac(FIPSRT_HASH_SHA256, key, 32, "m", 1, out, 31, NULL),
                     FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_fipsrt(fipsrt_hmac_verify(FIPSRT_HASH_SHA256, key, 32, NULL, 1, out, 32),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hmac_final(NULL, out, 32, NULL), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hmac_final_verify(NULL, out, 32), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hmac_clone(NULL, ctx), FIPSRT_E_INVALID_ARG);
    ck_assert_ok(fipsrt_hmac_new(&ctx, FIPSRT_HASH_SHA256, key, 32));
    ck_assert_fipsrt(fipsrt_hmac_update(ctx, NULL, 1), FIPSRT_E_INVALID_ARG);
    ck_assert_ok(fipsrt_hmac_update(ctx, "m", 1));
    ck_assert_ok(fipsrt_hmac_clone(&copy, ctx));
    ck_assert_fipsrt(fipsrt_hmac_final(ctx, out, 31, NULL), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_fipsrt(fipsrt_hmac_final(ctx, NULL, 32, NULL), FIPSRT_E_INVALID_ARG);
    for (size_t i = 0; i < sizeof(out); i++)
        ck_expect(out[i] == 0xAA, "refused final wrote byte %zu", i);
    ck_assert_ok(fipsrt_hmac(FIPSRT_HASH_SHA256, key, 32, "m", 1, want, sizeof(want), NULL));
    ck_assert_ok(fipsrt_hmac_final(ctx, out, 32, NULL));   /* the refusals did not finish it */
    ck_assert_mem_eq(out, want, 32);
    /* final_verify checks the tag before finishing: a refused tag leaves the clone usable */
    ck_assert_fipsrt(fipsrt_hmac_final_verify(copy, NULL, 32), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hmac_final_verify(copy, want, 15), FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_hmac_final_verify(copy, want, 33), FIPSRT_E_INVALID_ARG);
    ck_assert_ok(fipsrt_hmac_final_verify(copy, want, 32));
    fipsrt_hmac_free(copy);
    fipsrt_hmac_free(ctx);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("hmac");
    TCase *tc = tcase_create("vectors");
    tcase_add_loop_test(tc, test_rfc_vectors, 0, sizeof(rfc) / sizeof(rfc[0]));
    tcase_add_test(tc, test_python_cross_check);
    suite_add_tcase(s, tc);
    tc = tcase_create("api");
    tcase_add_test(tc, test_policy_and_bad_input);
    tcase_add_test(tc, test_bad_input_each_argument);
    tcase_add_test(tc, test_key_switch);
    tcase_add_test(tc, test_prepared_key_api);
    tcase_add_test(tc, test_prepared_key_threads);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(make_suite); }
