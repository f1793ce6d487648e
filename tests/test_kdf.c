/* SPDX-License-Identifier: Apache-2.0 */
/*
 * KDFs: RFC 5869 HKDF vector files run whole, HKDF and PBKDF2 cross-checked against
 * Python (pyca/cryptography, hashlib), the SP 800-132 / SP 800-131A refusals with exact
 * codes, bad input, threads and the `fipsrt kdf` CLI.
 *
 * No PBKDF2 vector file in python3-cryptography-vectors meets SP 800-132: the only one,
 * KDF/rfc-6070-PBKDF2-SHA1.txt, is SHA-1 with 4-byte salts, so it is run whole to assert
 * the refusal, and SHA-2/SHA-3 PBKDF2 is checked against Python's hashlib.pbkdf2_hmac.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "kdf_xcheck.h"
#include "testutil.h"

/* ---- RFC 5869 files ----------------------------------------------------------------------- */

static const char *const hkdf_files[] = {
    "KDF/rfc-5869-HKDF-SHA256.txt",
    "KDF/rfc-5869-HKDF-SHA1.txt",
    "KDF/hkdf-generated.txt",
};

static fipsrt_hash_alg hash_of(const char *name)
{
    if (strcmp(name, "SHA-1") == 0)
        return FIPSRT_HASH_SHA1;
    if (strcmp(name, "SHA-256") == 0)
        return FIPSRT_HASH_SHA256;
    ck_abort_msg("unexpected Hash = %s", name);
    return 0;
}

/* The files split one vector over blank-line separated records; gather until OKM. */
#define NF 7
static const char *const fields[NF] = {"Hash", "IKM", "salt", "info", "L", "PRK", "OKM"};

static void run_hkdf_vector(char *const f[NF], int *run, int *refused)
{
    fipsrt_hash_alg alg = hash_of(f[0]);
    size_t ikm_len, salt_len, info_len, okm_len, prk_len = 0, n;
    uint8_t *ikm = hex_alloc(f[1], &ikm_len), *salt = hex_alloc(f[2], &salt_len);
    uint8_t *info = hex_alloc(f[3], &info_len), *okm = hex_alloc(f[6], &okm_len);
    uint8_t *prk = f[5] ? hex_alloc(f[5], &prk_len) : NULL;
    ck_assert_uint_eq(okm_len, strtoul(f[4], NULL, 10));
    uint8_t *out = malloc(okm_len), got_prk[FIPSRT_HASH_MAX_SIZE];

    if (ikm_len < FIPSRT_HKDF_MIN_KEY_SIZE) {
        /* SP 800-131A: RFC 5869 case 4 has an 88-bit IKM; refused, expand still checked. */
        ck_assert_fipsrt(fipsrt_hkdf(alg, ikm, ikm_len, salt, salt_len, info, info_len, out,
                                     okm_len), FIPSRT_E_NOT_APPROVED);
        ck_assert_fipsrt(fipsrt_hkdf_extract(alg, ikm, ikm_len, salt, salt_len, got_prk,
                                             sizeof(got_prk), &n), FIPSRT_E_NOT_APPROVED);
        (*refused)++;
    } else {
        ck_assert_ok(fipsrt_hkdf(alg, ikm, ikm_len, salt, salt_len, info, info_len, out,
                                 okm_len));
        ck_assert_mem_eq(out, okm, okm_len);
        ck_assert_ok(fipsrt_hkdf_extract(alg, ikm, ikm_len, salt, salt_len, got_prk,
                                         sizeof(got_prk), &n));
        ck_assert_uint_eq(n, fipsrt_hash_size(alg));
        if (prk) {
            ck_assert_uint_eq(n, prk_len);
            ck_assert_mem_eq(got_prk, prk, prk_len);
        }
        memset(out, 0, okm_len);
        ck_assert_ok(fipsrt_hkdf_expand(alg, got_prk, n, info, info_len, out, okm_len));
        ck_assert_mem_eq(out, okm, okm_len);
        (*run)++;
    }
    if (prk) {
        memset(out, 0, okm_len);
        ck_assert_ok(fipsrt_hkdf_expand(alg, prk, prk_len, info, info_len, out, okm_len));
        ck_assert_mem_eq(out, okm, okm_len);
    }
    free(ikm), free(salt), free(info), free(okm), free(prk), free(out);
}

START_TEST(test_hkdf_files)
{
    vec_file v;
    vec_open(&v, hkdf_files[_i]);
    char *f[NF] = {0};
    int run = 0, refused = 0;
    while (vec_next(&v)) {
        for (int i = 0; i < NF; i++) {
            const char *val = vec_get(&v, fields[i]);
            if (val) {
                free(f[i]);
                f[i] = strdup(val);
            }
        }
        if (f[6] == NULL)
            continue;
        for (int i = 0; i < 5; i++)
            ck_assert_msg(f[i] != NULL, "%s:%d: vector lacks %s", v.path, v.line, fields[i]);
        run_hkdf_vector(f, &run, &refused);
        for (int i = 0; i < NF; i++) {
            free(f[i]);
            f[i] = NULL;
        }
    }
    vec_close(&v);
    ck_assert_int_gt(run, 0);
    vec_report(hkdf_files[_i], run, refused,
               refused ? "IKM under 112 bits: one-shot/extract refused with NOT_APPROVED "
                         "(asserted), expand from the file's PRK checked" : NULL);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

/* ---- RFC 6070 (PBKDF2-HMAC-SHA-1): every vector refused ------------------------------------ */

/* The file writes NUL bytes as "\0". */
static size_t unescape(const char *s, uint8_t *out)
{
    size_t n = 0;
    for (; *s; s++) {
        if (s[0] == '\\' && s[1] == '0') {
            out[n++] = 0;
            s++;
        } else {
            out[n++] = (uint8_t)*s;
        }
    }
    return n;
}

START_TEST(test_pbkdf2_rfc6070_sha1_refused)
{
    vec_file v;
    vec_open(&v, "KDF/rfc-6070-PBKDF2-SHA1.txt");
    int refused = 0;
    while (vec_next(&v)) {
        uint8_t pw[256], salt[256], out[64];
        size_t pw_len = unescape(vec_get(&v, "PASSWORD"), pw);
        size_t salt_len = unescape(vec_get(&v, "SALT"), salt);
        uint64_t iter = strtoull(vec_get(&v, "ITERATIONS"), NULL, 10);
        size_t len = strtoul(vec_get(&v, "LENGTH"), NULL, 10);
        memset(out, 0xa5, sizeof(out));
        ck_assert_fipsrt(fipsrt_pbkdf2(FIPSRT_HASH_SHA1, pw, pw_len, salt, salt_len, iter, out,
                                       len), FIPSRT_E_NOT_APPROVED);
        /* Refused before the provider is asked: nothing written. */
        for (size_t i = 0; i < sizeof(out); i++)
            ck_assert_uint_eq(out[i], 0xa5);
        refused++;
    }
    vec_close(&v);
    ck_assert_int_eq(refused, 6);
    vec_report("KDF/rfc-6070-PBKDF2-SHA1.txt", 0, refused,
               "PBKDF2-HMAC-SHA-1 is refused by policy (FIPSRT_E_NOT_APPROVED asserted)");
}
END_TEST

/* ---- cross-checks against Python ----------------------------------------------------------- */

static const struct {
    const char *name;
    fipsrt_hash_alg alg;
} xhashes[] = {
    {"sha1", FIPSRT_HASH_SHA1},         {"sha224", FIPSRT_HASH_SHA224},
    {"sha256", FIPSRT_HASH_SHA256},     {"sha384", FIPSRT_HASH_SHA384},
    {"sha512", FIPSRT_HASH_SHA512},     {"sha512-224", FIPSRT_HASH_SHA512_224},
    {"sha512-256", FIPSRT_HASH_SHA512_256}, {"sha3-224", FIPSRT_HASH_SHA3_224},
    {"sha3-256", FIPSRT_HASH_SHA3_256}, {"sha3-384", FIPSRT_HASH_SHA3_384},
    {"sha3-512", FIPSRT_HASH_SHA3_512},
};
#define NXH (sizeof(xhashes) / sizeof(xhashes[0]))

static uint8_t *random_bytes(size_t len)
{
    uint8_t *p = malloc(len + 1);
    ck_assert_ok(fipsrt_random(p, len));
    return p;
}

/* HKDF over every hash, 4 random shapes each, against pyca/cryptography's HKDF. */
START_TEST(test_hkdf_python)
{
    enum { SHAPES = 4 };
    static const size_t ikm_lens[SHAPES] = {14, 32, 80, 200};
    static const size_t salt_lens[SHAPES] = {0, 16, 77, 300};
    static const size_t info_lens[SHAPES] = {0, 10, 100, 1000};
    struct { uint8_t *ikm, *salt, *info, *okm; size_t len; } c[NXH][SHAPES];
    size_t cap = 1 << 16, used = 0;
    char *cmds = malloc(cap);
    cmds[0] = '\0';
    for (size_t h = 0; h < NXH; h++) {
        size_t hl = fipsrt_hash_size(xhashes[h].alg);
        /* Output lengths from 1 byte to several blocks; the 255-block maximum once (the
         * helper's stdout is captured in 64 KiB). */
        size_t lens[SHAPES] = {1, hl, hl + 1,
                               xhashes[h].alg == FIPSRT_HASH_SHA256 ? 255 * hl : 3 * hl + 5};
        for (int s = 0; s < SHAPES; s++) {
            c[h][s].ikm = random_bytes(ikm_lens[s]);
            c[h][s].salt = random_bytes(salt_lens[s]);
            c[h][s].info = random_bytes(info_lens[s]);
            c[h][s].len = lens[s];
            c[h][s].okm = malloc(c[h][s].len);
            ck_assert_ok(fipsrt_hkdf(xhashes[h].alg, c[h][s].ikm, ikm_lens[s], c[h][s].salt,
                                     salt_lens[s], c[h][s].info, info_lens[s], c[h][s].okm,
                                     c[h][s].len));
            char *a = xhex(c[h][s].ikm, ikm_lens[s]), *b = xhex(c[h][s].salt, salt_lens[s]);
            char *d = xhex(c[h][s].info, info_lens[s]);
            used += (size_t)snprintf(cmds + used, cap - used, "hkdf %s %s %s %s %zu\n",
                                     xhashes[h].name, a, b, d, c[h][s].len);
            ck_assert_uint_lt(used, cap);
            free(a), free(b), free(d);
        }
    }
    size_t n;
    char **lines = xcheck(cmds, &n);
    for (size_t h = 0; h < NXH; h++) {
        for (int s = 0; s < SHAPES; s++) {
            char *mine = xhex(c[h][s].okm, c[h][s].len);
            ck_assert_msg(strcmp(mine, lines[h * SHAPES + s]) == 0, "HKDF-%s shape %d differs",
                          xhashes[h].name, s);
            free(mine);
            free(c[h][s].ikm), free(c[h][s].salt), free(c[h][s].info), free(c[h][s].okm);
        }
    }
    vec_report("HKDF vs pyca/cryptography (11 hashes x 4 shapes)", (int)n, 0, NULL);
    xcheck_free(lines, n);
    free(cmds);
}
END_TEST

/* PBKDF2 over the SHA-2/SHA-3 hashes against hashlib.pbkdf2_hmac, at the limits and past. */
START_TEST(test_pbkdf2_python)
{
    static const struct { size_t pw, salt, len; uint64_t iter; } shapes[] = {
        {0, 16, 14, 1000},     /* every minimum at once; empty password */
        {8, 17, 32, 1001},
        {1, 64, 64, 2048},
        {200, 16, 65, 1000},   /* password longer than the block; output over one block */
        {33, 1000, 130, 1500}, /* long salt; three blocks */
    };
    enum { NS = sizeof(shapes) / sizeof(shapes[0]) };
    struct { uint8_t *pw, *salt, *out; } c[NXH][NS];
    size_t cap = 1 << 16, used = 0, cases = 0;
    char *cmds = malloc(cap);
    cmds[0] = '\0';
    for (size_t h = 1; h < NXH; h++) {   /* SHA-1 is refused: see its own test */
        for (int s = 0; s < NS; s++) {
            c[h][s].pw = random_bytes(shapes[s].pw);
            if (shapes[s].pw > 3)
                c[h][s].pw[2] = 0;   /* NUL bytes are password bytes like any other */
            c[h][s].salt = random_bytes(shapes[s].salt);
            c[h][s].out = malloc(shapes[s].len);
            ck_assert_ok(fipsrt_pbkdf2(xhashes[h].alg, shapes[s].pw ? c[h][s].pw : NULL,
                                       shapes[s].pw, c[h][s].salt, shapes[s].salt,
                                       shapes[s].iter, c[h][s].out, shapes[s].len));
            char *a = xhex(c[h][s].pw, shapes[s].pw), *b = xhex(c[h][s].salt, shapes[s].salt);
            used += (size_t)snprintf(cmds + used, cap - used, "pbkdf2 %s %s %s %llu %zu\n",
                                     xhashes[h].name, a, b,
                                     (unsigned long long)shapes[s].iter, shapes[s].len);
            ck_assert_uint_lt(used, cap);
            free(a), free(b);
            cases++;
        }
    }
    size_t n;
    char **lines = xcheck(cmds, &n);
    ck_assert_uint_eq(n, cases);
    for (size_t h = 1, i = 0; h < NXH; h++) {
        for (int s = 0; s < NS; s++, i++) {
            char *mine = xhex(c[h][s].out, shapes[s].len);
            ck_assert_msg(strcmp(mine, lines[i]) == 0, "PBKDF2-%s shape %d differs",
                          xhashes[h].name, s);
            free(mine);
            free(c[h][s].pw), free(c[h][s].salt), free(c[h][s].out);
        }
    }
    vec_report("PBKDF2 vs hashlib.pbkdf2_hmac (10 SHA-2/SHA-3 hashes x 5 shapes)", (int)n, 0,
               NULL);
    xcheck_free(lines, n);
    free(cmds);
}
END_TEST

/* ---- policy and bad input -------------------------------------------------------------------- */

START_TEST(test_pbkdf2_policy)
{
    uint8_t salt[32] = {1}, out[64], big[1];
    const fipsrt_hash_alg A = FIPSRT_HASH_SHA256;
    /* SP 800-132: each limit refused one below, accepted at the limit. */
    ck_assert_fipsrt(fipsrt_pbkdf2(A, "pw", 2, salt, 15, 1000, out, 32), FIPSRT_E_NOT_APPROVED);
    ck_assert_ok(fipsrt_pbkdf2(A, "pw", 2, salt, 16, 1000, out, 32));
    ck_assert_fipsrt(fipsrt_pbkdf2(A, "pw", 2, salt, 16, 999, out, 32), FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_pbkdf2(A, "pw", 2, salt, 16, 1, out, 32), FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_pbkdf2(A, "pw", 2, salt, 16, 0, out, 32), FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_pbkdf2(A, "pw", 2, salt, 16, 1000, out, 13), FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_pbkdf2(A, "pw", 2, salt, 16, 1000, out, 0), FIPSRT_E_NOT_APPROVED);
    ck_assert_ok(fipsrt_pbkdf2(A, "pw", 2, salt, 16, 1000, out, 14));
    ck_assert_fipsrt(fipsrt_pbkdf2(A, "pw", 2, salt, 0, 1000, out, 32), FIPSRT_E_NOT_APPROVED);
    /* Hashes: SHA-1 refused by policy, MD5 never, SHAKE is no HMAC hash, unknown values. */
    ck_assert_fipsrt(fipsrt_pbkdf2(FIPSRT_HASH_SHA1, "pw", 2, salt, 16, 1000, out, 32),
                     FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_pbkdf2(FIPSRT_HASH_MD5, "pw", 2, salt, 16, 1000, out, 32),
                     FIPSRT_E_MD5_SECURE);
    ck_assert_fipsrt(fipsrt_pbkdf2(FIPSRT_HASH_SHAKE256, "pw", 2, salt, 16, 1000, out, 32),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_pbkdf2((fipsrt_hash_alg)0, "pw", 2, salt, 16, 1000, out, 32),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_pbkdf2((fipsrt_hash_alg)77, "pw", 2, salt, 16, 1000, out, 32),
                     FIPSRT_E_INVALID_ARG);
    /* NULLs and lengths the provider cannot hold (checked before anything is read). */
    ck_assert_fipsrt(fipsrt_pbkdf2(A, NULL, 2, salt, 16, 1000, out, 32), FIPSRT_E_INVALID_ARG);
    ck_assert_ok(fipsrt_pbkdf2(A, NULL, 0, salt, 16, 1000, out, 32));
    ck_assert_fipsrt(fipsrt_pbkdf2(A, "pw", 2, NULL, 16, 1000, out, 32), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_pbkdf2(A, "pw", 2, salt, 16, 1000, NULL, 32), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_pbkdf2(A, big, (size_t)1 << 40, salt, 16, 1000, out, 32),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_pbkdf2(A, "pw", 2, big, SIZE_MAX, 1000, out, 32),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_pbkdf2(A, "pw", 2, salt, 16, 1000, big, SIZE_MAX),
                     FIPSRT_E_INVALID_ARG);
    /* An empty password and a password that differs only after a NUL both work. */
    uint8_t a[32], b[32];
    ck_assert_ok(fipsrt_pbkdf2(A, "x\0a", 3, salt, 16, 1000, a, 32));
    ck_assert_ok(fipsrt_pbkdf2(A, "x\0b", 3, salt, 16, 1000, b, 32));
    ck_assert_mem_ne(a, b, 32);
    /* SHA-3 is approved for PBKDF2 too. */
    ck_assert_ok(fipsrt_pbkdf2(FIPSRT_HASH_SHA3_256, "pw", 2, salt, 16, 1000, out, 32));
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

START_TEST(test_hkdf_policy)
{
    uint8_t ikm[64] = {7}, salt[16] = {1}, out[255 * 64 + 1], prk[64];
    static uint8_t info[FIPSRT_HKDF_MAX_INFO_SIZE + 1];
    size_t n = 0;
    const fipsrt_hash_alg A = FIPSRT_HASH_SHA256;
    /* SP 800-131A: 112-bit keying material. */
    ck_assert_fipsrt(fipsrt_hkdf(A, ikm, 13, salt, 16, "i", 1, out, 32), FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_hkdf(A, ikm, 0, salt, 16, "i", 1, out, 32), FIPSRT_E_NOT_APPROVED);
    ck_assert_ok(fipsrt_hkdf(A, ikm, 14, salt, 16, "i", 1, out, 32));
    ck_assert_fipsrt(fipsrt_hkdf_extract(A, ikm, 13, salt, 16, prk, 64, &n), FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_hkdf_expand(A, ikm, 13, "i", 1, out, 32), FIPSRT_E_NOT_APPROVED);
    ck_assert_ok(fipsrt_hkdf_expand(A, ikm, 14, "i", 1, out, 32));
    /* Output length: 1 .. 255 * HashLen (RFC 5869 §2.3). */
    ck_assert_fipsrt(fipsrt_hkdf(A, ikm, 32, salt, 16, "i", 1, out, 0), FIPSRT_E_INVALID_ARG);
    ck_assert_ok(fipsrt_hkdf(A, ikm, 32, salt, 16, "i", 1, out, 255 * 32));
    ck_assert_fipsrt(fipsrt_hkdf(A, ikm, 32, salt, 16, "i", 1, out, 255 * 32 + 1),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_ok(fipsrt_hkdf(FIPSRT_HASH_SHA512, ikm, 32, NULL, 0, NULL, 0, out, 255 * 64));
    ck_assert_fipsrt(fipsrt_hkdf_expand(A, ikm, 32, "i", 1, out, 255 * 32 + 1),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hkdf(A, ikm, 32, salt, 16, "i", 1, out, SIZE_MAX),
                     FIPSRT_E_INVALID_ARG);
    /* Info up to the provider's limit. */
    ck_assert_ok(fipsrt_hkdf(A, ikm, 32, salt, 16, info, sizeof(info) - 1, out, 32));
    ck_assert_fipsrt(fipsrt_hkdf(A, ikm, 32, salt, 16, info, sizeof(info), out, 32),
                     FIPSRT_E_UNSUPPORTED);
    ck_assert_fipsrt(fipsrt_hkdf_expand(A, ikm, 32, info, sizeof(info), out, 32),
                     FIPSRT_E_UNSUPPORTED);
    /* Hashes. */
    ck_assert_fipsrt(fipsrt_hkdf(FIPSRT_HASH_MD5, ikm, 32, salt, 16, "i", 1, out, 32),
                     FIPSRT_E_MD5_SECURE);
    ck_assert_fipsrt(fipsrt_hkdf_extract(FIPSRT_HASH_MD5, ikm, 32, salt, 16, prk, 64, &n),
                     FIPSRT_E_MD5_SECURE);
    ck_assert_fipsrt(fipsrt_hkdf_expand(FIPSRT_HASH_MD5, ikm, 32, "i", 1, out, 32),
                     FIPSRT_E_MD5_SECURE);
    ck_assert_fipsrt(fipsrt_hkdf(FIPSRT_HASH_SHAKE128, ikm, 32, salt, 16, "i", 1, out, 32),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hkdf((fipsrt_hash_alg)-3, ikm, 32, salt, 16, "i", 1, out, 32),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_ok(fipsrt_hkdf(FIPSRT_HASH_SHA1, ikm, 32, salt, 16, "i", 1, out, 32));
    /* NULLs. */
    ck_assert_fipsrt(fipsrt_hkdf(A, NULL, 32, salt, 16, "i", 1, out, 32), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hkdf(A, ikm, 32, NULL, 16, "i", 1, out, 32), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hkdf(A, ikm, 32, salt, 16, NULL, 1, out, 32), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hkdf(A, ikm, 32, salt, 16, "i", 1, NULL, 32), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hkdf_expand(A, NULL, 32, "i", 1, out, 32), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hkdf_expand(A, ikm, 32, "i", 1, NULL, 32), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hkdf_extract(A, NULL, 32, salt, 16, prk, 64, &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_hkdf_extract(A, ikm, 32, salt, 16, NULL, 64, &n), FIPSRT_E_INVALID_ARG);
    /* Extract's output capacity. */
    n = 0;
    ck_assert_fipsrt(fipsrt_hkdf_extract(FIPSRT_HASH_SHA384, ikm, 32, salt, 16, prk, 47, &n),
                     FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(n, 48);
    ck_assert_ok(fipsrt_hkdf_extract(FIPSRT_HASH_SHA384, ikm, 32, salt, 16, prk, 48, NULL));
    /* Empty salt is the same as HashLen zero bytes (RFC 5869 §2.2). */
    uint8_t zeros[32] = {0}, a[32], b[32];
    ck_assert_ok(fipsrt_hkdf(A, ikm, 32, NULL, 0, "i", 1, a, 32));
    ck_assert_ok(fipsrt_hkdf(A, ikm, 32, zeros, 32, "i", 1, b, 32));
    ck_assert_mem_eq(a, b, 32);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

/* ---- threads: one-shot KDFs from several threads give the single-thread answers --------- */

static uint8_t thread_want_hkdf[64], thread_want_pbkdf2[32];

static void *kdf_thread(void *arg)
{
    (void)arg;
    uint8_t ikm[32], salt[16], out[64];
    memset(ikm, 3, sizeof(ikm));
    memset(salt, 4, sizeof(salt));
    for (int i = 0; i < 100; i++) {
        if (fipsrt_hkdf(FIPSRT_HASH_SHA384, ikm, 32, salt, 16, "t", 1, out, 64) != 0 ||
            memcmp(out, thread_want_hkdf, 64) != 0)
            return (void *)1;
        if (i % 25 == 0 &&
            (fipsrt_pbkdf2(FIPSRT_HASH_SHA256, "pw", 2, salt, 16, 1000, out, 32) != 0 ||
             memcmp(out, thread_want_pbkdf2, 32) != 0))
            return (void *)1;
    }
    return NULL;
}

START_TEST(test_threads)
{
    uint8_t ikm[32], salt[16];
    memset(ikm, 3, sizeof(ikm));
    memset(salt, 4, sizeof(salt));
    ck_assert_ok(fipsrt_hkdf(FIPSRT_HASH_SHA384, ikm, 32, salt, 16, "t", 1, thread_want_hkdf, 64));
    ck_assert_ok(fipsrt_pbkdf2(FIPSRT_HASH_SHA256, "pw", 2, salt, 16, 1000, thread_want_pbkdf2, 32));
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, kdf_thread, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *r;
        ck_assert_int_eq(pthread_join(t[i], &r), 0);
        ck_assert_ptr_null(r);
    }
}
END_TEST

/* ---- CLI ------------------------------------------------------------------------------------- */

static void cli(const char *input, proc_result *r, const char *a1, const char *a2,
                const char *const *rest)
{
    char *argv[24] = {(char *)getenv("FIPSRT_CLI"), (char *)a1, (char *)a2};
    int n = 3;
    for (; rest && *rest && n < 23; rest++)
        argv[n++] = (char *)*rest;
    argv[n] = NULL;
    ck_assert_ptr_nonnull(argv[0]);
    run_process(argv, NULL, input, r);
    ck_assert(r->exited);
}

START_TEST(test_cli)
{
    proc_result *r = malloc(sizeof(*r));
    /* RFC 5869 test case 1. */
    const char *hkdf1[] = {"--hash", "sha256", "--ikm-hex",
                           "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "--salt-hex",
                           "000102030405060708090a0b0c", "--info-hex", "f0f1f2f3f4f5f6f7f8f9",
                           "--length", "42", NULL};
    cli(NULL, r, "kdf", "hkdf", hkdf1);
    ck_assert_int_eq(r->status, 0);
    ck_assert_str_eq(r->out, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                             "34007208d5b887185865\n");
    /* PBKDF2: the password is all of stdin; compare with the library. */
    const char *pb[] = {"--hash", "sha512", "--salt-hex", "000102030405060708090a0b0c0d0e0f",
                        "--iterations", "1000", "--length", "20", NULL};
    cli("pass\nword", r, "kdf", "pbkdf2", pb);
    ck_assert_int_eq(r->status, 0);
    uint8_t salt[16], dk[20];
    for (int i = 0; i < 16; i++)
        salt[i] = (uint8_t)i;
    ck_assert_ok(fipsrt_pbkdf2(FIPSRT_HASH_SHA512, "pass\nword", 9, salt, 16, 1000, dk, 20));
    char *want = xhex(dk, 20);
    ck_assert_int_eq(strncmp(r->out, want, 40), 0);
    free(want);
    /* Refusals exit 1 with the reason; usage errors exit 2. */
    const char *sha1[] = {"--hash", "sha1", "--salt-hex", "000102030405060708090a0b0c0d0e0f",
                          "--iterations", "1000", "--length", "20", NULL};
    cli("pw", r, "kdf", "pbkdf2", sha1);
    ck_assert_int_eq(r->status, 1);
    ck_assert_ptr_nonnull(strstr(r->err, "not approved"));
    const char *few[] = {"--hash", "sha256", "--salt-hex", "000102030405060708090a0b0c0d0e0f",
                         "--iterations", "999", "--length", "20", NULL};
    cli("pw", r, "kdf", "pbkdf2", few);
    ck_assert_int_eq(r->status, 1);
    const char *md5[] = {"--hash", "md5", "--ikm-hex", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
                         "--length", "16", NULL};
    cli(NULL, r, "kdf", "hkdf", md5);
    ck_assert_int_eq(r->status, 1);
    ck_assert_ptr_nonnull(strstr(r->err, "MD5"));
    const char *badhex[] = {"--hash", "sha256", "--ikm-hex", "0b0", "--length", "16", NULL};
    cli(NULL, r, "kdf", "hkdf", badhex);
    ck_assert_int_eq(r->status, 2);
    const char *nolen[] = {"--hash", "sha256", "--ikm-hex", "0b0b", NULL};
    cli(NULL, r, "kdf", "hkdf", nolen);
    ck_assert_int_eq(r->status, 2);
    cli(NULL, r, "kdf", "scrypt", NULL);
    ck_assert_int_eq(r->status, 2);
    cli(NULL, r, "kdf", NULL, NULL);
    ck_assert_int_eq(r->status, 2);
    free(r);
}
END_TEST

/* RFC 5869 §2.2: an absent salt is HashLen zero bytes; an absent info is the empty string.
 * NULL (with length 0) must give exactly those results in every HKDF call. A short PRK
 * buffer with no prk_len is refused without writing. */
START_TEST(test_hkdf_absent_salt_info)
{
    static const uint8_t ikm[22] = {0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
                                    0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b};
    static const uint8_t zeros[32] = {0};
    uint8_t a[42], b[42], prk_a[32], prk_b[32];
    size_t n = 0;
    ck_assert_ok(fipsrt_hkdf_extract(FIPSRT_HASH_SHA256, ikm, sizeof(ikm), NULL, 0, prk_a, 32, &n));
    ck_assert_uint_eq(n, 32);
    ck_assert_ok(fipsrt_hkdf_extract(FIPSRT_HASH_SHA256, ikm, sizeof(ikm), zeros, 32, prk_b, 32, NULL));
    ck_assert_mem_eq(prk_a, prk_b, 32);
    /* RFC 5869 A.3 (no salt, no info): PRK 19ef24a3..., OKM 8da4e775... */
    ck_assert_uint_eq(prk_a[0], 0x19);
    ck_assert_uint_eq(prk_a[31], 0x04);
    ck_assert_ok(fipsrt_hkdf_expand(FIPSRT_HASH_SHA256, prk_a, 32, NULL, 0, a, sizeof(a)));
    ck_assert_ok(fipsrt_hkdf_expand(FIPSRT_HASH_SHA256, prk_a, 32, "", 0, b, sizeof(b)));
    ck_assert_mem_eq(a, b, sizeof(a));
    ck_assert_uint_eq(a[0], 0x8d);
    ck_assert_uint_eq(a[41], 0xc8);
    ck_assert_ok(fipsrt_hkdf(FIPSRT_HASH_SHA256, ikm, sizeof(ikm), NULL, 0, NULL, 0, b, sizeof(b)));
    ck_assert_mem_eq(a, b, sizeof(a));
    memset(prk_b, 0x5A, sizeof(prk_b));
    ck_assert_fipsrt(fipsrt_hkdf_extract(FIPSRT_HASH_SHA256, ikm, sizeof(ikm), NULL, 0, prk_b, 31, NULL),
                     FIPSRT_E_BUFFER_TOO_SMALL);
    for (size_t i = 0; i < sizeof(prk_b); i++)
        ck_assert_uint_eq(prk_b[i], 0x5A);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("kdf");
    TCase *tc = tcase_create("vectors");
    tcase_add_loop_test(tc, test_hkdf_files, 0, sizeof(hkdf_files) / sizeof(hkdf_files[0]));
    tcase_add_test(tc, test_pbkdf2_rfc6070_sha1_refused);
    tcase_add_test(tc, test_hkdf_python);
    tcase_add_test(tc, test_pbkdf2_python);
    suite_add_tcase(s, tc);
    tc = tcase_create("api");
    tcase_add_test(tc, test_pbkdf2_policy);
    tcase_add_test(tc, test_hkdf_policy);
    tcase_add_test(tc, test_hkdf_absent_salt_info);
    tcase_add_test(tc, test_threads);
    tcase_add_test(tc, test_cli);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(make_suite); }
