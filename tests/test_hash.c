/* SPDX-License-Identifier: Apache-2.0 */
/* Hashes: NIST CAVP SHA-1/SHA-2/SHA-3/SHAKE vectors run whole, streaming, refusals. */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include <fipsrt/insecure.h>

#include "testutil.h"

static const struct {
    const char *prefix;   /* file name prefix under hashes/ */
    fipsrt_hash_alg alg;
    bool sha3;            /* SHA-3 Monte Carlo differs from SHA-1/SHA-2's */
} fixed[] = {
    {"SHA1/SHA1", FIPSRT_HASH_SHA1, false},
    {"SHA2/SHA224", FIPSRT_HASH_SHA224, false},
    {"SHA2/SHA256", FIPSRT_HASH_SHA256, false},
    {"SHA2/SHA384", FIPSRT_HASH_SHA384, false},
    {"SHA2/SHA512", FIPSRT_HASH_SHA512, false},
    {"SHA2/SHA512_224", FIPSRT_HASH_SHA512_224, false},
    {"SHA2/SHA512_256", FIPSRT_HASH_SHA512_256, false},
    {"SHA3/SHA3_224", FIPSRT_HASH_SHA3_224, true},
    {"SHA3/SHA3_256", FIPSRT_HASH_SHA3_256, true},
    {"SHA3/SHA3_384", FIPSRT_HASH_SHA3_384, true},
    {"SHA3/SHA3_512", FIPSRT_HASH_SHA3_512, true},
};
#define NFIXED (sizeof(fixed) / sizeof(fixed[0]))

/* Short/LongMsg: one-shot, and streaming in uneven pieces, both must give MD. */
START_TEST(test_msg_vectors)
{
    static const char *kinds[] = {"ShortMsg", "LongMsg"};
    for (int k = 0; k < 2; k++) {
        char rel[128];
        snprintf(rel, sizeof(rel), "hashes/%s%s.rsp", fixed[_i].prefix, kinds[k]);
        vec_file v;
        vec_open(&v, rel);
        int run = 0;
        while (vec_next(&v)) {
            size_t bits = strtoul(vec_get(&v, "Len"), NULL, 10), msg_len, md_len, out_len;
            uint8_t *msg = hex_alloc(vec_get(&v, "Msg"), &msg_len);
            uint8_t *md = hex_alloc(vec_get(&v, "MD"), &md_len);
            uint8_t out[FIPSRT_HASH_MAX_SIZE];
            msg_len = bits / 8;
            ck_assert_ok(fipsrt_hash(fixed[_i].alg, msg, msg_len, out, sizeof(out), &out_len));
            ck_expect(out_len == md_len && memcmp(out, md, md_len) == 0, "%s Len %zu", rel, bits);

            fipsrt_hash_ctx *h;
            ck_assert_ok(fipsrt_hash_new(&h, fixed[_i].alg));
            for (size_t off = 0, step = 1; off < msg_len; off += step, step = step * 3 + 1) {
                size_t n = msg_len - off < step ? msg_len - off : step;
                ck_assert_ok(fipsrt_hash_update(h, msg + off, n));
            }
            memset(out, 0, sizeof(out));
            ck_assert_ok(fipsrt_hash_final(h, out, sizeof(out), &out_len));
            ck_expect(memcmp(out, md, md_len) == 0, "%s Len %zu (streaming)", rel, bits);
            fipsrt_hash_free(h);
            free(msg);
            free(md);
            run++;
        }
        vec_close(&v);
        ck_assert_int_gt(run, 0);
        vec_report(rel, run, 0, NULL);
    }
}
END_TEST

/* Monte Carlo tests: SHAVS (SHA-1/SHA-2) and SHA3VS (SHA-3) chains of 100 x 1000 hashes. */
START_TEST(test_monte)
{
    char rel[128];
    snprintf(rel, sizeof(rel), "hashes/%sMonte.rsp", fixed[_i].prefix);
    fipsrt_hash_alg alg = fixed[_i].alg;
    size_t n = fipsrt_hash_size(alg), len;
    uint8_t seed[FIPSRT_HASH_MAX_SIZE], md[3][FIPSRT_HASH_MAX_SIZE], buf[3 * FIPSRT_HASH_MAX_SIZE];
    vec_file v;
    vec_open(&v, rel);
    int run = 0;
    while (vec_next(&v)) {
        const char *s = vec_get(&v, "Seed");
        if (s) {
            uint8_t *b = hex_alloc(s, &len);
            ck_assert_uint_eq(len, n);
            memcpy(seed, b, n);
            free(b);
            continue;
        }
        if (fixed[_i].sha3) {
            for (int i = 0; i < 1000; i++)
                ck_assert_ok(fipsrt_hash(alg, seed, n, seed, sizeof(seed), NULL));
        } else {
            memcpy(md[0], seed, n);
            memcpy(md[1], seed, n);
            memcpy(md[2], seed, n);
            for (int i = 3; i < 1003; i++) {
                memcpy(buf, md[0], n);
                memcpy(buf + n, md[1], n);
                memcpy(buf + 2 * n, md[2], n);
                memmove(md[0], md[1], n);
                memmove(md[1], md[2], n);
                ck_assert_ok(fipsrt_hash(alg, buf, 3 * n, md[2], sizeof(md[2]), NULL));
            }
            memcpy(seed, md[2], n);
        }
        uint8_t *want = hex_alloc(vec_get(&v, "MD"), &len);
        ck_assert_uint_eq(len, n);
        ck_expect(memcmp(seed, want, n) == 0, "%s COUNT %s", rel, vec_get(&v, "COUNT"));
        free(want);
        run++;
    }
    vec_close(&v);
    ck_assert_int_eq(run, 100);
    vec_report(rel, run, 0, NULL);
}
END_TEST

static const struct {
    const char *name;
    fipsrt_hash_alg alg;
} shakes[] = {{"SHAKE128", FIPSRT_HASH_SHAKE128}, {"SHAKE256", FIPSRT_HASH_SHAKE256}};

/* SHAKE ShortMsg/LongMsg ([Outputlen] in the header) and VariableOut (per record). */
START_TEST(test_shake_vectors)
{
    static const char *kinds[] = {"ShortMsg", "LongMsg", "VariableOut"};
    for (int k = 0; k < 3; k++) {
        char rel[128];
        snprintf(rel, sizeof(rel), "hashes/SHAKE/%s%s.rsp", shakes[_i].name, kinds[k]);
        vec_file v;
        vec_open(&v, rel);
        int run = 0;
        while (vec_next(&v)) {
            const char *ol = vec_get(&v, "Outputlen");
            if (ol == NULL)
                ol = vec_section(&v, "Outputlen");
            ck_assert_ptr_nonnull(ol);
            size_t out_len = strtoul(ol, NULL, 10) / 8, msg_len, want_len;
            const char *len = vec_get(&v, "Len");
            uint8_t *msg = hex_alloc(vec_get(&v, "Msg"), &msg_len);
            if (len)
                msg_len = strtoul(len, NULL, 10) / 8;
            uint8_t *want = hex_alloc(vec_get(&v, "Output"), &want_len);
            ck_expect(want_len == out_len, "%s: Output length", rel);
            uint8_t *out = malloc(out_len);
            ck_assert_ok(fipsrt_hash_xof(shakes[_i].alg, msg, msg_len, out, out_len));
            ck_expect(memcmp(out, want, out_len) == 0, "%s Msg %.32s", rel, vec_get(&v, "Msg"));

            fipsrt_hash_ctx *h;
            ck_assert_ok(fipsrt_hash_new(&h, shakes[_i].alg));
            ck_assert_ok(fipsrt_hash_update(h, msg, msg_len / 2));
            ck_assert_ok(fipsrt_hash_update(h, msg + msg_len / 2, msg_len - msg_len / 2));
            memset(out, 0, out_len);
            ck_assert_ok(fipsrt_hash_final_xof(h, out, out_len));
            ck_expect(memcmp(out, want, out_len) == 0, "%s Msg %.32s (streaming)", rel, vec_get(&v, "Msg"));
            fipsrt_hash_free(h);
            free(out);
            free(msg);
            free(want);
            run++;
        }
        vec_close(&v);
        ck_assert_int_gt(run, 0);
        vec_report(rel, run, 0, NULL);
    }
}
END_TEST

/* SHA3VS 6.2.3: SHAKE Monte Carlo with output lengths driven by the previous output. */
START_TEST(test_shake_monte)
{
    char rel[128];
    snprintf(rel, sizeof(rel), "hashes/SHAKE/%sMonte.rsp", shakes[_i].name);
    vec_file v;
    vec_open(&v, rel);
    uint8_t out[1024] = {0}, msg[16];
    size_t out_len = 0, len, min_bytes = 0, max_bytes = 0;
    int run = 0;
    while (vec_next(&v)) {
        const char *m = vec_get(&v, "Msg");
        if (m) {
            min_bytes = strtoul(vec_section(&v, "Minimum Output Length (bits)"), NULL, 10) / 8;
            max_bytes = strtoul(vec_section(&v, "Maximum Output Length (bits)"), NULL, 10) / 8;
            uint8_t *b = hex_alloc(m, &len);
            ck_assert_uint_eq(len, 16);
            memcpy(out, b, 16);
            free(b);
            out_len = max_bytes;
            /* The first chain starts from Msg as "Output_0". */
            memset(out + 16, 0, sizeof(out) - 16);
            continue;
        }
        size_t range = max_bytes - min_bytes + 1, this_len = 0;
        for (int i = 0; i < 1000; i++) {
            memcpy(msg, out, 16);  /* leftmost 128 bits (zero-padded when shorter) */
            this_len = out_len;
            memset(out, 0, sizeof(out));
            ck_assert_ok(fipsrt_hash_xof(shakes[_i].alg, msg, 16, out, this_len));
            unsigned right16 = (unsigned)out[this_len - 2] << 8 | out[this_len - 1];
            out_len = min_bytes + right16 % range;
        }
        uint8_t *want = hex_alloc(vec_get(&v, "Output"), &len);
        ck_assert_uint_eq(strtoul(vec_get(&v, "Outputlen"), NULL, 10) / 8, this_len);
        ck_assert_uint_eq(len, this_len);
        ck_expect(memcmp(out, want, len) == 0, "%s COUNT %s", rel, vec_get(&v, "COUNT"));
        free(want);
        run++;
    }
    vec_close(&v);
    ck_assert_int_eq(run, 100);
    vec_report(rel, run, 0, NULL);
}
END_TEST

START_TEST(test_md5_refused)
{
    uint8_t out[64];
    size_t n = 99;
    fipsrt_hash_ctx *h = (fipsrt_hash_ctx *)&n;
    ck_assert_fipsrt(fipsrt_hash(FIPSRT_HASH_MD5, "abc", 3, out, sizeof(out), &n), FIPSRT_E_MD5_SECURE);
    ck_assert_int_eq(fipsrt_last_error_code(), FIPSRT_E_MD5_SECURE);
    ck_assert_ptr_nonnull(strstr(fipsrt_last_error(), "MD5"));
    ck_assert_fipsrt(fipsrt_hash_new(&h, FIPSRT_HASH_MD5), FIPSRT_E_MD5_SECURE);
    ck_assert_ptr_null(h);
    ck_assert_fipsrt(fipsrt_hash_xof(FIPSRT_HASH_MD5, "abc", 3, out, 16), FIPSRT_E_MD5_SECURE);
    ck_assert_uint_eq(fipsrt_hash_size(FIPSRT_HASH_MD5), 0);
    ck_assert_str_eq(fipsrt_hash_name(FIPSRT_HASH_MD5), "MD5");
    /* The process-wide context has no MD5 either: FIPS properties are in force. */
    EVP_MD *md5 = EVP_MD_fetch(NULL, "MD5", NULL);
    ck_assert_ptr_null(md5);
    ERR_clear_error();
}
END_TEST

/* RFC 1321 test suite values: the non-security MD5 is real MD5, and it stays private. */
START_TEST(test_insecure_md5)
{
    static const uint8_t abc[16] = {0x90, 0x01, 0x50, 0x98, 0x3c, 0xd2, 0x4f, 0xb0,
                                    0xd6, 0x96, 0x3f, 0x7d, 0x28, 0xe1, 0x7f, 0x72};
    static const uint8_t empty[16] = {0xd4, 0x1d, 0x8c, 0xd9, 0x8f, 0x00, 0xb2, 0x04,
                                      0xe9, 0x80, 0x09, 0x98, 0xec, 0xf8, 0x42, 0x7e};
    uint8_t out[16];
    ck_assert_ok(fipsrt_insecure_md5("abc", 3, out));
    ck_assert_mem_eq(out, abc, 16);
    ck_assert_ok(fipsrt_insecure_md5(NULL, 0, out));
    ck_assert_mem_eq(out, empty, 16);
    fipsrt_insecure_md5_ctx *m, *c = (fipsrt_insecure_md5_ctx *)1;
    ck_assert_ok(fipsrt_insecure_md5_new(&m));
    ck_assert_ok(fipsrt_insecure_md5_update(m, "a", 1));
    /* A clone carries the state on independently (since 1.1). */
    ck_assert_ok(fipsrt_insecure_md5_clone(&c, m));
    ck_assert_ok(fipsrt_insecure_md5_update(c, "bc", 2));
    ck_assert_ok(fipsrt_insecure_md5_final(c, out));
    ck_assert_mem_eq(out, abc, 16);
    fipsrt_insecure_md5_ctx *d = (fipsrt_insecure_md5_ctx *)1;
    ck_assert_fipsrt(fipsrt_insecure_md5_clone(&d, c), FIPSRT_E_STATE);  /* c is finished */
    ck_assert_ptr_null(d);
    fipsrt_insecure_md5_free(c);
    ck_assert_fipsrt(fipsrt_insecure_md5_clone(&c, NULL), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_insecure_md5_clone(NULL, m), FIPSRT_E_INVALID_ARG);
    ck_assert_ok(fipsrt_insecure_md5_update(m, "bc", 2));
    ck_assert_ok(fipsrt_insecure_md5_final(m, out));
    ck_assert_mem_eq(out, abc, 16);
    ck_assert_fipsrt(fipsrt_insecure_md5_update(m, "x", 1), FIPSRT_E_STATE);
    fipsrt_insecure_md5_free(m);
    ck_assert_fipsrt(fipsrt_insecure_md5(NULL, 1, out), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_insecure_md5("abc", 3, NULL), FIPSRT_E_INVALID_ARG);
    /* Using it changed nothing for the rest of the process. */
    EVP_MD *md5 = EVP_MD_fetch(NULL, "MD5", NULL);
    ck_assert_ptr_null(md5);
    ERR_clear_error();
    ck_assert_fipsrt(fipsrt_hash(FIPSRT_HASH_MD5, "abc", 3, out, sizeof(out), NULL),
                     FIPSRT_E_MD5_SECURE);
    fipsrt_insecure_md5_free(NULL);
}
END_TEST

START_TEST(test_bad_input)
{
    uint8_t out[64];
    size_t n = 0;
    ck_assert_fipsrt(fipsrt_hash((fipsrt_hash_alg)0, "a", 1, out, sizeof(out), &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hash((fipsrt_hash_alg)14, "a", 1, out, sizeof(out), &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hash((fipsrt_hash_alg)-3, "a", 1, out, sizeof(out), &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hash(FIPSRT_HASH_SHA256, NULL, 1, out, sizeof(out), &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hash(FIPSRT_HASH_SHA256, "a", 1, NULL, 32, &n), FIPSRT_E_INVALID_ARG);
    /* Too small: the needed size is reported and nothing is written. */
    memset(out, 0xAA, sizeof(out));
    ck_assert_fipsrt(fipsrt_hash(FIPSRT_HASH_SHA384, "a", 1, out, 47, &n), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(n, 48);
    for (int i = 0; i < 64; i++)
        ck_assert_uint_eq(out[i], 0xAA);
    /* NULL data with zero length is the empty message. */
    ck_assert_ok(fipsrt_hash(FIPSRT_HASH_SHA256, NULL, 0, out, sizeof(out), &n));
    ck_assert_uint_eq(n, 32);
    ck_assert_uint_eq(out[0], 0xe3);
    ck_assert_ok(fipsrt_hash(FIPSRT_HASH_SHA256, "", 0, out, 32, NULL));
    /* XOF misuse both ways. */
    ck_assert_fipsrt(fipsrt_hash(FIPSRT_HASH_SHAKE128, "a", 1, out, sizeof(out), &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hash_xof(FIPSRT_HASH_SHA256, "a", 1, out, 32), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hash_xof(FIPSRT_HASH_SHAKE256, "a", 1, out, 0), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hash_xof(FIPSRT_HASH_SHAKE256, "a", 1, NULL, 8), FIPSRT_E_INVALID_ARG);
    /* Streaming misuse. */
    ck_assert_fipsrt(fipsrt_hash_new(NULL, FIPSRT_HASH_SHA256), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hash_update(NULL, "a", 1), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hash_final(NULL, out, 64, &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hash_reset(NULL), FIPSRT_E_INVALID_ARG);
    fipsrt_hash_ctx *h, *c = NULL;
    ck_assert_fipsrt(fipsrt_hash_clone(&c, NULL), FIPSRT_E_INVALID_ARG);
    ck_assert_ok(fipsrt_hash_new(&h, FIPSRT_HASH_SHA256));
    ck_assert_fipsrt(fipsrt_hash_update(h, NULL, 5), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hash_final(h, out, 31, &n), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(n, 32);
    ck_assert_fipsrt(fipsrt_hash_final_xof(h, out, 32), FIPSRT_E_INVALID_ARG);
    ck_assert_ok(fipsrt_hash_final(h, out, 32, &n));
    ck_assert_fipsrt(fipsrt_hash_update(h, "a", 1), FIPSRT_E_STATE);
    ck_assert_fipsrt(fipsrt_hash_final(h, out, 32, &n), FIPSRT_E_STATE);
    ck_assert_ok(fipsrt_hash_reset(h));
    ck_assert_ok(fipsrt_hash_update(h, "a", 1));
    fipsrt_hash_free(h);
    fipsrt_hash_free(NULL);
    /* No failure above left anything on this thread's OpenSSL error queue. */
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

/* Clone forks a state: a shared prefix hashed once gives both full-message digests. */
START_TEST(test_clone_reset)
{
    uint8_t a[32], b[32], want[32];
    fipsrt_hash_ctx *h, *c;
    ck_assert_ok(fipsrt_hash_new(&h, FIPSRT_HASH_SHA3_256));
    ck_assert_int_eq(fipsrt_hash_ctx_alg(h), FIPSRT_HASH_SHA3_256);
    ck_assert_ok(fipsrt_hash_update(h, "prefix-", 7));
    ck_assert_ok(fipsrt_hash_clone(&c, h));
    ck_assert_ok(fipsrt_hash_update(h, "one", 3));
    ck_assert_ok(fipsrt_hash_update(c, "two", 3));
    ck_assert_ok(fipsrt_hash_final(h, a, 32, NULL));
    ck_assert_ok(fipsrt_hash_final(c, b, 32, NULL));
    ck_assert_ok(fipsrt_hash(FIPSRT_HASH_SHA3_256, "prefix-one", 10, want, 32, NULL));
    ck_assert_mem_eq(a, want, 32);
    ck_assert_ok(fipsrt_hash(FIPSRT_HASH_SHA3_256, "prefix-two", 10, want, 32, NULL));
    ck_assert_mem_eq(b, want, 32);
    ck_assert_ok(fipsrt_hash_reset(h));
    ck_assert_ok(fipsrt_hash_final(h, a, 32, NULL));
    ck_assert_ok(fipsrt_hash(FIPSRT_HASH_SHA3_256, NULL, 0, want, 32, NULL));
    ck_assert_mem_eq(a, want, 32);
    fipsrt_hash_free(h);
    fipsrt_hash_free(c);
}
END_TEST

START_TEST(test_sizes_and_names)
{
    static const struct { fipsrt_hash_alg alg; size_t size; const char *name; } t[] = {
        {FIPSRT_HASH_SHA1, FIPSRT_SHA1_SIZE, "SHA1"},
        {FIPSRT_HASH_SHA224, FIPSRT_SHA224_SIZE, "SHA2-224"},
        {FIPSRT_HASH_SHA256, FIPSRT_SHA256_SIZE, "SHA2-256"},
        {FIPSRT_HASH_SHA384, FIPSRT_SHA384_SIZE, "SHA2-384"},
        {FIPSRT_HASH_SHA512, FIPSRT_SHA512_SIZE, "SHA2-512"},
        {FIPSRT_HASH_SHA512_224, FIPSRT_SHA512_224_SIZE, "SHA2-512/224"},
        {FIPSRT_HASH_SHA512_256, FIPSRT_SHA512_256_SIZE, "SHA2-512/256"},
        {FIPSRT_HASH_SHA3_224, FIPSRT_SHA3_224_SIZE, "SHA3-224"},
        {FIPSRT_HASH_SHA3_256, FIPSRT_SHA3_256_SIZE, "SHA3-256"},
        {FIPSRT_HASH_SHA3_384, FIPSRT_SHA3_384_SIZE, "SHA3-384"},
        {FIPSRT_HASH_SHA3_512, FIPSRT_SHA3_512_SIZE, "SHA3-512"},
        {FIPSRT_HASH_SHAKE128, 0, "SHAKE-128"},
        {FIPSRT_HASH_SHAKE256, 0, "SHAKE-256"},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        ck_assert_uint_eq(fipsrt_hash_size(t[i].alg), t[i].size);
        ck_assert_str_eq(fipsrt_hash_name(t[i].alg), t[i].name);
        /* The block size matches OpenSSL's own idea of it. */
        EVP_MD *md = EVP_MD_fetch(NULL, t[i].name, NULL);
        ck_assert_ptr_nonnull(md);
        ck_assert_uint_eq(fipsrt_hash_block_size(t[i].alg), (size_t)EVP_MD_get_block_size(md));
        if (t[i].size)
            ck_assert_uint_eq(t[i].size, (size_t)EVP_MD_get_size(md));
        EVP_MD_free(md);
    }
    ck_assert_ptr_null(fipsrt_hash_name((fipsrt_hash_alg)77));
    ck_assert_uint_eq(fipsrt_hash_block_size((fipsrt_hash_alg)77), 0);
}
END_TEST

/* Cross-check with the openssl command line (same FIPS config) on a 1 MiB file. */
START_TEST(test_cli_matches_openssl)
{
    char *dir = make_temp_dir();
    char path[512], cmd[1024];
    snprintf(path, sizeof(path), "%s/data.bin", dir);
    uint8_t *data = malloc(1 << 20);
    ck_assert_ok(fipsrt_random(data, 1 << 20));
    write_file(path, data, 1 << 20);
    char *cli = getenv("FIPSRT_CLI");
    ck_assert_ptr_nonnull(cli);
    const char *algs[][2] = {{"sha256", "sha256"}, {"sha512-256", "sha512-256"},
                             {"sha3-384", "sha3-384"}, {"sha1", "sha1"}};
    for (size_t i = 0; i < 4; i++) {
        char *argv[] = {cli, "hash", (char *)algs[i][0], path, NULL};
        proc_result r;
        run_process(argv, NULL, NULL, &r);
        ck_assert_int_eq(r.status, 0);
        snprintf(cmd, sizeof(cmd), "openssl dgst -%s -r '%s'", algs[i][1], path);
        FILE *p = popen(cmd, "r");
        char line[512] = {0};
        ck_assert_ptr_nonnull(fgets(line, sizeof(line), p));
        pclose(p);
        /* Both print "<hex> <space(s)><name>": compare the hex. */
        ck_assert_msg(strncmp(r.out, line, strcspn(line, " ")) == 0, "fipsrt: %s openssl: %s", r.out, line);
    }
    char *md5[] = {cli, "hash", "md5", path, NULL};
    proc_result r;
    run_process(md5, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "MD5 is not allowed for security use"));
    char *md5i[] = {cli, "hash", "--insecure", "md5", path, NULL};
    run_process(md5i, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 0);
    uint8_t want[16];
    ck_assert_ok(fipsrt_insecure_md5(data, 1 << 20, want));
    char hex[33];
    for (int i = 0; i < 16; i++)
        sprintf(hex + 2 * i, "%02x", want[i]);
    ck_assert_int_eq(strncmp(r.out, hex, 32), 0);
    free(data);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Each argument check of the XOF, streaming, clone and MD5 calls not driven elsewhere:
 * exact code, output untouched, the context still usable after a refusal. */
START_TEST(test_bad_input_each_argument)
{
    uint8_t out[64], md5[FIPSRT_INSECURE_MD5_SIZE];
    fipsrt_hash_ctx *ctx = NULL, *copy = (fipsrt_hash_ctx *)out;
    memset(out, 0xAA, sizeof(out));
    ck_assert_fipsrt(fipsrt_hash_xof(FIPSRT_HASH_SHAKE128, NULL, 1, out, 16), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hash_clone(&copy, NULL), FIPSRT_E_INVALID_ARG);
    ck_assert_ptr_null(copy);
    ck_assert_fipsrt(fipsrt_hash_final_xof(NULL, out, 16), FIPSRT_E_INVALID_ARG);
    ck_assert_int_eq(fipsrt_hash_ctx_alg(NULL), 0);
    ck_assert_ok(fipsrt_hash_new(&ctx, FIPSRT_HASH_SHAKE256));
    ck_assert_int_eq(fipsrt_hash_ctx_alg(ctx), FIPSRT_HASH_SHAKE256);
    ck_assert_ok(fipsrt_hash_update(ctx, "abc", 3));
    ck_assert_fipsrt(fipsrt_hash_final_xof(ctx, NULL, 16), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hash_final_xof(ctx, out, 0), FIPSRT_E_INVALID_ARG);
    for (size_t i = 0; i < sizeof(out); i++)
        ck_expect(out[i] == 0xAA, "refused final_xof wrote byte %zu", i);
    ck_assert_ok(fipsrt_hash_final_xof(ctx, out, 32));
    uint8_t want[32];
    ck_assert_ok(fipsrt_hash_xof(FIPSRT_HASH_SHAKE256, "abc", 3, want, 32));
    ck_assert_mem_eq(out, want, 32);
    ck_assert_fipsrt(fipsrt_hash_final_xof(ctx, out, 32), FIPSRT_E_STATE);
    ck_assert_fipsrt(fipsrt_hash_clone(NULL, ctx), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hash_reset(NULL), FIPSRT_E_INVALID_ARG);
    fipsrt_hash_free(ctx);

    fipsrt_insecure_md5_ctx *m = NULL;
    ck_assert_fipsrt(fipsrt_insecure_md5_update(NULL, "a", 1), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_insecure_md5_final(NULL, md5), FIPSRT_E_INVALID_ARG);
    ck_assert_ok(fipsrt_insecure_md5_new(&m));
    ck_assert_fipsrt(fipsrt_insecure_md5_final(m, NULL), FIPSRT_E_INVALID_ARG);
    ck_assert_ok(fipsrt_insecure_md5_final(m, md5));   /* the refusal did not finish it */
    /* MD5("") = d41d8cd98f00b204e9800998ecf8427e */
    ck_assert_uint_eq(md5[0], 0xd4);
    ck_assert_uint_eq(md5[15], 0x7e);
    fipsrt_insecure_md5_free(m);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("hash");
    TCase *tc = tcase_create("vectors");
    tcase_add_loop_test(tc, test_msg_vectors, 0, NFIXED);
    tcase_add_loop_test(tc, test_monte, 0, NFIXED);
    tcase_add_loop_test(tc, test_shake_vectors, 0, 2);
    tcase_add_loop_test(tc, test_shake_monte, 0, 2);
    suite_add_tcase(s, tc);
    tc = tcase_create("api");
    tcase_add_test(tc, test_md5_refused);
    tcase_add_test(tc, test_insecure_md5);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_bad_input_each_argument);
    tcase_add_test(tc, test_clone_reset);
    tcase_add_test(tc, test_sizes_and_names);
    tcase_add_test(tc, test_cli_matches_openssl);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(make_suite); }
