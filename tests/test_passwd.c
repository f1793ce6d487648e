/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Password hashes: the pbkdf2-sha512 format, cross-checks with passlib's algorithm
 * (reimplemented in tests/kdf_xcheck.py) and the real passlib, legacy $5$/$6$ strings made
 * by openssl passwd, Python's crypt module and libcrypt, every refused scheme with a real
 * hash, malformed strings, the CLI and examples/passwd_migrate.
 */
#include <crypt.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>

#include "kdf_xcheck.h"
#include "testutil.h"

#define CHEAP 1000u   /* rounds for tests that need not pay the default cost */

static char *hash_of(const char *pw, uint32_t rounds)
{
    char *out = malloc(FIPSRT_PASSWD_HASH_MAX);
    size_t n;
    ck_assert_ok(fipsrt_passwd_hash(pw, strlen(pw), rounds, out, FIPSRT_PASSWD_HASH_MAX, &n));
    ck_assert_uint_eq(n, strlen(out));
    return out;
}

static bool all_ab64(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789./", s[i]) ||
            s[i] == '\0')
            return false;
    return true;
}

/* A new hash at the default rounds: exact shape, fresh salt, verifies, no rehash. Timed. */
START_TEST(test_hash_default)
{
    char out[FIPSRT_PASSWD_HASH_MAX], out2[FIPSRT_PASSWD_HASH_MAX];
    size_t n;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_ok(fipsrt_passwd_hash("correct horse", 13, 0, out, sizeof(out), &n));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("passwd: one pbkdf2-sha512 hash at %u rounds took %.1f ms\n",
           fipsrt_passwd_default_rounds(),
           (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    ck_assert_uint_eq(fipsrt_passwd_default_rounds(), FIPSRT_PASSWD_DEFAULT_ROUNDS);
    /* $pbkdf2-sha512$<rounds>$<22 ab64>$<86 ab64> */
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "$pbkdf2-sha512$%u$", FIPSRT_PASSWD_DEFAULT_ROUNDS);
    ck_assert_int_eq(strncmp(out, prefix, strlen(prefix)), 0);
    const char *salt = out + strlen(prefix);
    ck_assert(all_ab64(salt, 22));
    ck_assert_int_eq(salt[22], '$');
    ck_assert(all_ab64(salt + 23, 86));
    ck_assert_int_eq(salt[23 + 86], '\0');
    ck_assert_uint_eq(n, strlen(prefix) + 22 + 1 + 86);
    /* It verifies with no rehash due; checked through the CLI, which runs natively even
     * when this suite runs under valgrind (a default-cost hash there takes seconds). */
    char *argv[] = {(char *)getenv("FIPSRT_CLI"), "passwd", "--verify", out, NULL};
    proc_result *r = malloc(sizeof(*r));
    ck_assert_ptr_nonnull(argv[0]);
    run_process(argv, NULL, "correct horse\n", r);
    ck_assert_msg(r->exited && r->status == 0, "fipsrt passwd --verify: %s", r->err);
    ck_assert_str_eq(r->out, "valid\n");
    free(r);
    /* The same password hashes differently (fresh DRBG salt). */
    ck_assert_ok(fipsrt_passwd_hash("correct horse", 13, CHEAP, out2, sizeof(out2), NULL));
    ck_assert_str_ne(out + strlen(prefix), out2 + strlen("$pbkdf2-sha512$1000$"));
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

START_TEST(test_hash_api)
{
    char out[FIPSRT_PASSWD_HASH_MAX];
    size_t n = 0;
    int rehash = -1;
    /* Rounds: below the default verify but need a rehash; under 1000 refused. */
    char *h = hash_of("pw", CHEAP);
    ck_assert_int_eq(strncmp(h, "$pbkdf2-sha512$1000$", 20), 0);
    ck_assert_ok(fipsrt_passwd_verify(h, "pw", 2, &rehash));
    ck_assert_int_eq(rehash, 1);
    ck_assert_ok(fipsrt_passwd_verify(h, "pw", 2, NULL));
    ck_assert_fipsrt(fipsrt_passwd_verify(h, "pW", 2, &rehash), FIPSRT_E_VERIFY_FAILED);
    ck_assert_int_eq(rehash, 0);
    ck_assert_fipsrt(fipsrt_passwd_verify(h, "pw", 1, &rehash), FIPSRT_E_VERIFY_FAILED);
    ck_assert_fipsrt(fipsrt_passwd_verify(h, "pw\n", 3, &rehash), FIPSRT_E_VERIFY_FAILED);
    ck_assert_fipsrt(fipsrt_passwd_verify(h, NULL, 0, &rehash), FIPSRT_E_VERIFY_FAILED);
    free(h);
    ck_assert_fipsrt(fipsrt_passwd_hash("pw", 2, 999, out, sizeof(out), &n),
                     FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_passwd_hash("pw", 2, 1, out, sizeof(out), &n), FIPSRT_E_NOT_APPROVED);
    /* Empty passwords and passwords with NUL bytes are just bytes. */
    ck_assert_ok(fipsrt_passwd_hash(NULL, 0, CHEAP, out, sizeof(out), &n));
    ck_assert_ok(fipsrt_passwd_verify(out, "", 0, &rehash));
    /* HMAC zero-pads its key, so trailing NUL bytes never change PBKDF2 (passlib alike). */
    ck_assert_ok(fipsrt_passwd_verify(out, "\0", 1, &rehash));
    ck_assert_fipsrt(fipsrt_passwd_verify(out, "\1", 1, &rehash), FIPSRT_E_VERIFY_FAILED);
    ck_assert_ok(fipsrt_passwd_hash("a\0b", 3, CHEAP, out, sizeof(out), &n));
    ck_assert_ok(fipsrt_passwd_verify(out, "a\0b", 3, &rehash));
    ck_assert_fipsrt(fipsrt_passwd_verify(out, "a\0c", 3, &rehash), FIPSRT_E_VERIFY_FAILED);
    ck_assert_fipsrt(fipsrt_passwd_verify(out, "a", 1, &rehash), FIPSRT_E_VERIFY_FAILED);
    /* Output capacity: the needed size (with the NUL) is reported. */
    n = 0;
    ck_assert_fipsrt(fipsrt_passwd_hash("pw", 2, CHEAP, out, 10, &n), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(n, 15 + 4 + 1 + 22 + 1 + 86 + 1);
    ck_assert_fipsrt(fipsrt_passwd_hash("pw", 2, CHEAP, out, n - 1, &n), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_ok(fipsrt_passwd_hash("pw", 2, CHEAP, out, n, &n));
    ck_assert_uint_eq(n, strlen(out));
    ck_assert_fipsrt(fipsrt_passwd_hash("pw", 2, 0, out, 131, &n), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(n, 132);   /* six-digit default rounds */
    ck_assert_fipsrt(fipsrt_passwd_hash("pw", 2, UINT32_MAX, out, 100, &n),
                     FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(n, FIPSRT_PASSWD_HASH_MAX);   /* the largest string fits the macro */
    /* NULLs. */
    ck_assert_fipsrt(fipsrt_passwd_hash(NULL, 2, CHEAP, out, sizeof(out), &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_passwd_hash("pw", 2, CHEAP, NULL, sizeof(out), &n),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_ok(fipsrt_passwd_hash("pw", 2, CHEAP, out, sizeof(out), NULL));
    ck_assert_fipsrt(fipsrt_passwd_verify(NULL, "pw", 2, &rehash), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_passwd_verify(out, NULL, 2, &rehash), FIPSRT_E_INVALID_ARG);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

/* ---- passlib: both directions ------------------------------------------------------------- */

START_TEST(test_passlib_cross_check)
{
    char *mine = hash_of("Tr0ub4dor&3", CHEAP);
    char *mine_nul = malloc(FIPSRT_PASSWD_HASH_MAX);
    ck_assert_ok(fipsrt_passwd_hash("x\0y", 3, CHEAP, mine_nul, FIPSRT_PASSWD_HASH_MAX, NULL));
    char cmds[4096];
    /* pw hex: "Tr0ub4dor&3" = 547230756234646f722633, "x\0y" = 780079 */
    snprintf(cmds, sizeof(cmds),
             "mc-verify 547230756234646f722633 %s\n"       /* 1: ours under the reimplementation */
             "mc-verify 547230756234646f722634 %s\n"       /* 2: wrong password there */
             "mc-verify 780079 %s\n"                       /* 3: NUL inside the password */
             "passlib-verify 547230756234646f722633 %s\n"  /* 4: ours under the real passlib */
             "mc-hash 547230756234646f722633 1000\n"       /* 5: theirs, rounds 1000 */
             "mc-hash 780079 1234\n"                       /* 6 */
             "mc-hash 547230756234646f722633 1000 1024\n"  /* 7: passlib's largest salt */
             "mc-hash 547230756234646f722633 1000 16 sha256\n" /* 8: pbkdf2-sha256 */
             "mc-hash 547230756234646f722633 1000 8\n"     /* 9: 64-bit salt */
             "mc-hash 547230756234646f722633 999\n"        /* 10: too few rounds */
             "mc-hash 547230756234646f722633 1\n"          /* 11 */
             "passlib-hash 547230756234646f722633 1000\n", /* 12: the real passlib's string */
             mine, mine, mine_nul, mine);
    size_t n;
    char **l = xcheck(cmds, &n);
    ck_assert_str_eq(l[0], "ok");
    ck_assert_str_eq(l[1], "fail");
    ck_assert_str_eq(l[2], "ok");
    int rehash = -1;
    const char *pw = "Tr0ub4dor&3";
    ck_assert_ok(fipsrt_passwd_verify(l[4], pw, 11, &rehash));
    ck_assert_int_eq(rehash, 1);
    ck_assert_fipsrt(fipsrt_passwd_verify(l[4], "Tr0ub4dor&4", 11, &rehash),
                     FIPSRT_E_VERIFY_FAILED);
    ck_assert_ok(fipsrt_passwd_verify(l[5], "x\0y", 3, &rehash));
    ck_assert_ok(fipsrt_passwd_verify(l[6], pw, 11, &rehash));
    ck_assert_ok(fipsrt_passwd_verify(l[7], pw, 11, &rehash));
    ck_assert_int_eq(rehash, 1);   /* pbkdf2-sha256 verifies but is not the current scheme */
    ck_assert_fipsrt(fipsrt_passwd_verify(l[7], "x", 1, &rehash), FIPSRT_E_VERIFY_FAILED);
    /* SP 800-132 applies to stored strings too. */
    ck_assert_fipsrt(fipsrt_passwd_verify(l[8], pw, 11, &rehash), FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_passwd_verify(l[9], pw, 11, &rehash), FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_passwd_verify(l[10], pw, 11, &rehash), FIPSRT_E_NOT_APPROVED);
    /* A salt over passlib's 1024 bytes is malformed: build one from the 1024-byte string. */
    char *big = malloc(strlen(l[6]) + 8);
    const char *salt = strchr(l[6] + 20, '$');   /* "$pbkdf2-sha512$1000" + '$' */
    snprintf(big, strlen(l[6]) + 8, "$pbkdf2-sha512$1000$AAAA%s", salt + 1);
    ck_assert_fipsrt(fipsrt_passwd_verify(big, pw, 11, &rehash), FIPSRT_E_MALFORMED);
    free(big);
    if (strcmp(l[3], "unavailable") == 0) {
        vec_report("passlib (real)", 0, 2, "python3-passlib is not installed");
    } else {
        ck_assert_str_eq(l[3], "ok");
        ck_assert_int_eq(strncmp(l[11], "$pbkdf2-sha512$1000$", 20), 0);
        ck_assert_ok(fipsrt_passwd_verify(l[11], pw, 11, &rehash));
        ck_assert_int_eq(rehash, 1);
        vec_report("passlib (real) both directions", 2, 0, NULL);
    }
    vec_report("passlib algorithm reimplemented (tests/kdf_xcheck.py)", 11, 0, NULL);
    xcheck_free(l, n);
    free(mine);
    free(mine_nul);
}
END_TEST

/* ---- legacy $5$/$6$: verify and always rehash ------------------------------------------------ */

static void expect_legacy(const char *h, const char *pw)
{
    int rehash = -1;
    ck_assert_ok(fipsrt_passwd_verify(h, pw, strlen(pw), &rehash));
    ck_assert_int_eq(rehash, 1);
    ck_assert_fipsrt(fipsrt_passwd_verify(h, "wrong", 5, &rehash), FIPSRT_E_VERIFY_FAILED);
    ck_assert_int_eq(rehash, 0);
}

static void openssl_passwd(const char *opt, const char *pw, char *out, size_t cap)
{
    char *argv[] = {"/usr/bin/openssl", "passwd", (char *)opt, "-stdin", NULL};
    const char *env[] = {"OPENSSL_CONF", "OPENSSL_MODULES", NULL};
    proc_result *r = malloc(sizeof(*r));
    char input[256];
    snprintf(input, sizeof(input), "%s\n", pw);
    run_process(argv, env, input, r);
    ck_assert_msg(r->exited && r->status == 0, "openssl passwd %s: %s", opt, r->err);
    r->out[strcspn(r->out, "\n")] = '\0';
    snprintf(out, cap, "%.255s", r->out);
    free(r);
}

START_TEST(test_legacy_cross_check)
{
    char h[256];
    int count = 0;
    openssl_passwd("-6", "hunter2", h, sizeof(h));
    ck_assert_int_eq(strncmp(h, "$6$", 3), 0);
    expect_legacy(h, "hunter2");
    count++;
    openssl_passwd("-5", "hunter2", h, sizeof(h));
    ck_assert_int_eq(strncmp(h, "$5$", 3), 0);
    expect_legacy(h, "hunter2");
    count++;

    size_t n;
    /* "hunter2" = 68756e74657232; "pässwörd" in UTF-8 */
    char **l = xcheck("crypt sha512 68756e74657232\n"
                      "crypt sha256 68756e74657232\n"
                      "crypt sha512 68756e74657232 5000\n"
                      "crypt sha512 68756e74657232 1000\n"
                      "crypt sha256 70c3a4737377c3b67264 20000\n",
                      &n);
    ck_assert_int_eq(strncmp(l[2], "$6$rounds=5000$", 15), 0);
    for (size_t i = 0; i < 4; i++)
        expect_legacy(l[i], "hunter2"), count++;
    expect_legacy(l[4], "p\xc3\xa4ssw\xc3\xb6rd");
    count++;
    xcheck_free(l, n);

    /* libcrypt's own: a 511-byte password (its maximum) and an empty one. */
    char pw[FIPSRT_PASSWD_MAX_LEGACY_PASSWORD + 2];
    memset(pw, 'k', sizeof(pw));
    pw[FIPSRT_PASSWD_MAX_LEGACY_PASSWORD] = '\0';
    struct crypt_data *cd = calloc(1, sizeof(*cd));
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    ck_assert_ptr_nonnull(crypt_gensalt_rn("$6$", 0, NULL, 0, setting, sizeof(setting)));
    const char *c = crypt_rn(pw, setting, cd, sizeof(*cd));
    ck_assert_ptr_nonnull(c);
    expect_legacy(c, pw);
    count++;
    int rehash;
    /* Longer than libcrypt takes, or with a NUL it would silently cut at: refused. */
    pw[FIPSRT_PASSWD_MAX_LEGACY_PASSWORD] = 'k';
    ck_assert_fipsrt(fipsrt_passwd_verify(c, pw, FIPSRT_PASSWD_MAX_LEGACY_PASSWORD + 1, &rehash),
                     FIPSRT_E_INVALID_ARG);
    c = crypt_rn("ab", setting, cd, sizeof(*cd));
    ck_assert_fipsrt(fipsrt_passwd_verify(c, "ab\0cd", 5, &rehash), FIPSRT_E_INVALID_ARG);
    ck_assert_ok(fipsrt_passwd_verify(c, "ab", 2, &rehash));
    c = crypt_rn("", setting, cd, sizeof(*cd));
    ck_assert_ok(fipsrt_passwd_verify(c, NULL, 0, &rehash));
    count++;
    ck_assert_ptr_nonnull(crypt_gensalt_rn("$5$", 10000, NULL, 0, setting, sizeof(setting)));
    c = crypt_rn("s3cret", setting, cd, sizeof(*cd));
    ck_assert_int_eq(strncmp(c, "$5$rounds=10000$", 16), 0);
    expect_legacy(c, "s3cret");
    count++;
    free(cd);
    vec_report("legacy sha2crypt (openssl passwd -5/-6, Python crypt, libcrypt)", count, 0, NULL);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

/* ---- refused schemes: real hashes from libcrypt, known strings for the rest ---------------- */

static const struct {
    const char *prefix;
    unsigned long count;   /* cheapest cost libcrypt accepts (0: its default) */
    int code;
} generated[] = {
    {"$1$", 0, FIPSRT_E_MD5_SECURE},   {"$2b$", 4, FIPSRT_E_NOT_APPROVED},
    {"$2a$", 4, FIPSRT_E_NOT_APPROVED}, {"$2y$", 4, FIPSRT_E_NOT_APPROVED},
    {"$y$", 1, FIPSRT_E_NOT_APPROVED},  {"$gy$", 1, FIPSRT_E_NOT_APPROVED},
    {"$7$", 0, FIPSRT_E_NOT_APPROVED},  {"$md5", 0, FIPSRT_E_NOT_APPROVED},
    {"$3$", 0, FIPSRT_E_NOT_APPROVED},  {"$sha1$", 1, FIPSRT_E_NOT_APPROVED},
    {"_", 1, FIPSRT_E_NOT_APPROVED},    {"", 0, FIPSRT_E_NOT_APPROVED},   /* descrypt */
};

static const struct {
    const char *hash, *what;
    int code;
} known[] = {
    /* $2x$ (buggy-bcrypt compatibility): libcrypt hashes but will not generate it. */
    {"$2x$05$AVGbemDxRW5ICuwKcW43ge5nYBwfpDscKF3ah6xazamqiwztWIkLa", "bcrypt $2x$",
     FIPSRT_E_NOT_APPROVED},
    {"NWCX6cUfunBO2NWCX6cUfunB", "bigcrypt", FIPSRT_E_NOT_APPROVED},
    {"$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG", "argon2i",
     FIPSRT_E_NOT_APPROVED},
    {"$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo",
     "argon2id", FIPSRT_E_NOT_APPROVED},
    {"$pbkdf2$1212$OB.dtnSEXZK8U5cgxU/GYQ$y5LKPOplRmok7CZp/aqVDVg8zGI", "passlib pbkdf2 (SHA-1)",
     FIPSRT_E_NOT_APPROVED},
    /* Not valid settings even per libcrypt: malformed rather than refused. */
    {"$1$!!!", "md5crypt with bad salt", FIPSRT_E_MALFORMED},
    {"$2b$!!", "bcrypt with bad cost", FIPSRT_E_MALFORMED},
    {"_!!!", "bsdicrypt with bad chars", FIPSRT_E_MALFORMED},
    {"NWCX6cUfunBO!", "descrypt with a bad char", FIPSRT_E_MALFORMED},
};

START_TEST(test_refused_schemes)
{
    struct crypt_data *cd = calloc(1, sizeof(*cd));
    int rehash, refused = 0;
    for (size_t i = 0; i < sizeof(generated) / sizeof(generated[0]); i++) {
        char setting[CRYPT_GENSALT_OUTPUT_SIZE];
        ck_assert_msg(crypt_gensalt_rn(generated[i].prefix, generated[i].count, NULL, 0, setting,
                                       sizeof(setting)) != NULL,
                      "crypt_gensalt_rn(%s): %s", generated[i].prefix, strerror(errno));
        const char *h = crypt_rn("password", setting, cd, sizeof(*cd));
        ck_assert_msg(h != NULL && h[0] != '*', "crypt_rn(%s) failed", setting);
        /* Refused whatever the password: the scheme is checked before anything else. */
        rehash = -1;
        ck_assert_fipsrt(fipsrt_passwd_verify(h, "password", 8, &rehash), generated[i].code);
        ck_assert_int_eq(rehash, 0);
        ck_assert_fipsrt(fipsrt_passwd_verify(h, "wrong", 5, &rehash), generated[i].code);
        refused++;
    }
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        int rv = fipsrt_passwd_verify(known[i].hash, "password", 8, &rehash);
        ck_assert_msg(rv == known[i].code, "%s: %d (%s), expected %d", known[i].what, rv,
                      fipsrt_last_error(), known[i].code);
        refused++;
    }
    free(cd);
    vec_report("refused password schemes (libcrypt-made and known strings)", 0, refused,
               "each refused with its exact code (asserted)");
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

/* ---- malformed strings ------------------------------------------------------------------------ */

static void expect_malformed(const char *h)
{
    int rehash = -1;
    int rv = fipsrt_passwd_verify(h, "pw", 2, &rehash);
    ck_assert_msg(rv == FIPSRT_E_MALFORMED, "'%.200s': %d (%s), expected MALFORMED", h, rv,
                  fipsrt_last_error());
    ck_assert_int_eq(rehash, 0);
}

/* `h` with [at, at+len) replaced by `with`, malloc'd. */
static char *splice(const char *h, size_t at, size_t len, const char *with)
{
    size_t n = strlen(h), w = strlen(with);
    char *s = malloc(n - len + w + 1);
    memcpy(s, h, at);
    memcpy(s + at, with, w);
    strcpy(s + at + w, h + at + len);
    return s;
}

static const char ab64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789./";

START_TEST(test_malformed)
{
    static const char *const fixed[] = {
        "", "$", "$$", "$$$$", "$6", "$6$", "$6$salt", "$6$salt$", "$6$salt$short", "$5$",
        "$pbkdf2-sha512$", "$pbkdf2-sha512$1000", "$pbkdf2-sha512$1000$",
        "$pbkdf2-sha512$1000$$", "$pbkdf2-sha512$$$", "garbage", "abc", "*", "!", "!!", "*LK*",
        "x", "ab!0123456789", "$argon", "$unknown$abc$def", "\xff\xfe\xfd", " ", "\n",
        "$pbkdf2-sha384$1000$c2FsdHNhbHRzYWx0c2FsdA$AAAA",
    };
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        expect_malformed(fixed[i]);

    /* Field by field from a valid pbkdf2-sha512 string P = $pbkdf2-sha512$1000$<22>$<86>. */
    char *P = hash_of("pw", CHEAP);
    const size_t R = 15, SALT = 20, SUM = 43;   /* offsets of rounds, salt, checksum */
    ck_assert_int_eq(P[SALT - 1], '$');
    ck_assert_int_eq(P[SUM - 1], '$');
    static const char *const rounds[] = {"", "0", "01000", "4294967296", "99999999999999999999",
                                         "-1000", "+1000", "1e3", " 1000", "1000 ", "0x3e8",
                                         "1000\n", "１０００"};
    for (size_t i = 0; i < sizeof(rounds) / sizeof(rounds[0]); i++) {
        char *m = splice(P, R, 4, rounds[i]);
        expect_malformed(m);
        free(m);
    }
    static const char *const salts[] = {"", "A", "AAAAA", "c2FsdHNhbHRzYWx0c2FsdA==", "c2Fs+HNhbHRzYWx0c2FsdA",
                                        "c2Fs-HNhbHRzYWx0c2FsdA", "c2FsdHNhbHRzYWx0c2FsdB",
                                        "c2FsdHNhbHRzYWx0c2Fsd", "c2FsdHNhbHRz YWx0c2FsdA"};
    for (size_t i = 0; i < sizeof(salts) / sizeof(salts[0]); i++) {
        char *m = splice(P, SALT, 22, salts[i]);
        if (i == 0) {
            /* An empty salt is well-formed but a 0-bit salt: SP 800-132 refuses it. */
            int rehash;
            ck_assert_fipsrt(fipsrt_passwd_verify(m, "pw", 2, &rehash), FIPSRT_E_NOT_APPROVED);
        } else {
            expect_malformed(m);
        }
        free(m);
    }
    /* Checksum: wrong lengths (SHA-256's 43 included), padding, bad chars, non-canonical end. */
    char sum[128];
    const char *orig = P + SUM;
    snprintf(sum, sizeof(sum), "%.85s", orig);
    char *m = splice(P, SUM, 86, sum); expect_malformed(m); free(m);
    snprintf(sum, sizeof(sum), "%sA", orig);
    m = splice(P, SUM, 86, sum); expect_malformed(m); free(m);
    snprintf(sum, sizeof(sum), "%.43s", orig);
    m = splice(P, SUM, 86, sum); expect_malformed(m); free(m);
    snprintf(sum, sizeof(sum), "%s==", orig);
    m = splice(P, SUM, 86, sum); expect_malformed(m); free(m);
    snprintf(sum, sizeof(sum), "+%.85s", orig + 1);
    m = splice(P, SUM, 86, sum); expect_malformed(m); free(m);
    /* 86 characters carry 64 bytes + 4 zero bits: set one of those bits. */
    snprintf(sum, sizeof(sum), "%s", orig);
    sum[85] = ab64[(strchr(ab64, sum[85]) - ab64) | 1];
    if (sum[85] != orig[85]) {
        m = splice(P, SUM, 86, sum); expect_malformed(m); free(m);
    }
    snprintf(sum, sizeof(sum), "%s", P + SALT);
    sum[21] = ab64[(strchr(ab64, sum[21]) - ab64) | 1];   /* 22 chars: 16 bytes + 4 bits */
    if (sum[21] != P[SALT + 21]) {
        m = splice(P, SALT, 22, (sum[22] = '\0', sum)); expect_malformed(m); free(m);
    }
    /* Extra or missing fields, trailing bytes. */
    size_t plen = strlen(P);
    char *ext = malloc(plen + 8);
    static const char *const tails[] = {"$", "$x", "\n", " ", "A", "\r"};
    for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
        snprintf(ext, plen + 8, "%s%s", P, tails[i]);
        expect_malformed(ext);
    }
    free(ext);
    m = splice(P, SUM - 1, 1, "");   /* salt and checksum run together */
    expect_malformed(m);
    free(m);
    m = splice(P, 0, 15, "$PBKDF2-SHA512$");
    expect_malformed(m);
    free(m);
    /* Every proper prefix of P is malformed. */
    for (size_t i = 0; i < plen; i++) {
        char *t = strndup(P, i);
        expect_malformed(t);
        free(t);
    }

    /* The same for a valid $6$ string S = $6$<16>$<86>. */
    struct crypt_data *cd = calloc(1, sizeof(*cd));
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    ck_assert_ptr_nonnull(crypt_gensalt_rn("$6$", 0, NULL, 0, setting, sizeof(setting)));
    char *S = strdup(crypt_rn("pw", setting, cd, sizeof(*cd)));
    ck_assert_uint_eq(strlen(S), 3 + 16 + 1 + 86);
    ck_assert_ok(fipsrt_passwd_verify(S, "pw", 2, NULL));
    static const struct { size_t at, len; const char *with; } legacy[] = {
        {20, 86, "short"}, {20, 1, ""}, {20, 0, "A"}, {20, 1, "!"}, {20, 1, ":"},
        {3, 0, "x"},                            /* 17-character salt */
        {3, 1, ":"},                            /* shadow separator in the salt */
        {3, 0, "rounds=$"}, {3, 0, "rounds=0$"}, {3, 0, "rounds=01000$"}, {3, 0, "rounds=10$"},
        {3, 0, "rounds=1000000000$"}, {3, 0, "rounds=-5000$"}, {3, 0, "rounds=5000"},
        {1, 1, "5"},                            /* a $5$ with SHA-512's hash length */
        {0, 0, " "}, {0, 0, "!"},               /* leading bytes (a locked shadow entry) */
    };
    for (size_t i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++) {
        m = splice(S, legacy[i].at, legacy[i].len, legacy[i].with);
        expect_malformed(m);
        free(m);
    }
    size_t slen = strlen(S);
    for (size_t i = 0; i < slen; i++) {
        char *t = strndup(S, i);
        expect_malformed(t);
        free(t);
    }
    ext = malloc(slen + 4);
    snprintf(ext, slen + 4, "%s$", S);
    expect_malformed(ext);
    snprintf(ext, slen + 4, "%s\n", S);
    expect_malformed(ext);
    free(ext);

    /* Lengths: at and over the cap, and huge (read only up to the cap). */
    size_t huge = 10u << 20;
    char *big = malloc(huge + 1);
    memset(big, 'a', huge);
    big[huge] = '\0';
    expect_malformed(big);
    memcpy(big, "$pbkdf2-sha512$1000$", 20);
    expect_malformed(big);
    memcpy(big, "$6$", 3);
    expect_malformed(big);
    memcpy(big, "$1$", 3);
    expect_malformed(big);   /* too long is checked before the scheme */
    big[FIPSRT_PASSWD_MAX_HASH_LEN + 1] = '\0';
    expect_malformed(big);
    big[FIPSRT_PASSWD_MAX_HASH_LEN] = '\0';
    int rehash;
    ck_assert_fipsrt(fipsrt_passwd_verify(big, "pw", 2, &rehash), FIPSRT_E_MD5_SECURE);
    free(big);
    free(cd);
    free(P);
    free(S);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

/* Replace each character of a valid string in turn: never valid, never a crash. */
START_TEST(test_mutations)
{
    struct crypt_data *cd = calloc(1, sizeof(*cd));
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    ck_assert_ptr_nonnull(crypt_gensalt_rn("$6$", 0, NULL, 0, setting, sizeof(setting)));
    char *valid[2] = {hash_of("pw", CHEAP), strdup(crypt_rn("pw", setting, cd, sizeof(*cd)))};
    static const char subst[] = "!A.$\x80:z0";
    int tried = 0;
    for (int v = 0; v < 2; v++) {
        size_t len = strlen(valid[v]);
        for (size_t i = 0; i < len; i++) {
            char *m = strdup(valid[v]);
            m[i] = subst[i % (sizeof(subst) - 1)];
            if (m[i] == valid[v][i])
                m[i] = 'B';
            int rehash = -1;
            int rv = fipsrt_passwd_verify(m, "pw", 2, &rehash);
            ck_assert_msg(rv == FIPSRT_E_MALFORMED || rv == FIPSRT_E_VERIFY_FAILED ||
                              rv == FIPSRT_E_NOT_APPROVED,
                          "'%s' gave %d (%s)", m, rv, fipsrt_last_error());
            ck_assert_int_eq(rehash, 0);
            free(m);
            tried++;
        }
    }
    printf("passwd: %d single-character mutations rejected\n", tried);
    free(valid[0]);
    free(valid[1]);
    free(cd);
}
END_TEST

/* ---- threads ---------------------------------------------------------------------------------- */

static char *thread_hashes[2];

static void *verify_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < 10; i++) {
        for (int h = 0; h < 2; h++) {
            int rehash = 0;
            if (fipsrt_passwd_verify(thread_hashes[h], "pw", 2, &rehash) != 0 || rehash != 1 ||
                fipsrt_passwd_verify(thread_hashes[h], "px", 2, &rehash) != FIPSRT_E_VERIFY_FAILED)
                return (void *)1;
        }
    }
    return NULL;
}

START_TEST(test_threads)
{
    struct crypt_data *cd = calloc(1, sizeof(*cd));
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    ck_assert_ptr_nonnull(crypt_gensalt_rn("$6$", 0, NULL, 0, setting, sizeof(setting)));
    thread_hashes[0] = hash_of("pw", CHEAP);
    thread_hashes[1] = strdup(crypt_rn("pw", setting, cd, sizeof(*cd)));
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, verify_thread, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *r;
        ck_assert_int_eq(pthread_join(t[i], &r), 0);
        ck_assert_ptr_null(r);
    }
    free(thread_hashes[0]);
    free(thread_hashes[1]);
    free(cd);
}
END_TEST

/* ---- CLI and example -------------------------------------------------------------------------- */

static void run_cli(proc_result *r, const char *input, const char *a1, const char *a2,
                    const char *a3, const char *a4)
{
    char *argv[] = {(char *)getenv("FIPSRT_CLI"), "passwd", (char *)a1, (char *)a2,
                    (char *)a3, (char *)a4, NULL};
    ck_assert_ptr_nonnull(argv[0]);
    run_process(argv, NULL, input, r);
    ck_assert(r->exited);
}

START_TEST(test_cli)
{
    proc_result *r = malloc(sizeof(*r));
    int rehash;
    char h[256];
    /* Hash from stdin (first line, without its line ending). */
    run_cli(r, "s3cret\r\nignored\n", "--rounds", "1000", NULL, NULL);
    ck_assert_int_eq(r->status, 0);
    ck_assert_int_eq(strncmp(r->out, "$pbkdf2-sha512$1000$", 20), 0);
    r->out[strcspn(r->out, "\n")] = '\0';
    snprintf(h, sizeof(h), "%.255s", r->out);
    ck_assert_ok(fipsrt_passwd_verify(h, "s3cret", 6, &rehash));
    ck_assert_int_eq(rehash, 1);
    run_cli(r, "s3cret\n", "--verify", h, NULL, NULL);
    ck_assert_int_eq(r->status, 0);
    ck_assert_str_eq(r->out, "valid, needs rehash\n");
    run_cli(r, "s3cret!\n", "--verify", h, NULL, NULL);
    ck_assert_int_eq(r->status, 1);
    ck_assert_ptr_nonnull(strstr(r->err, "verification failed"));
    /* Default rounds: made and checked by the CLI (keeps valgrind runs of this suite short). */
    run_cli(r, "s3cret", NULL, NULL, NULL, NULL);
    ck_assert_int_eq(r->status, 0);
    r->out[strcspn(r->out, "\n")] = '\0';
    snprintf(h, sizeof(h), "%.255s", r->out);
    run_cli(r, "s3cret", "--verify", h, NULL, NULL);
    ck_assert_int_eq(r->status, 0);
    ck_assert_str_eq(r->out, "valid\n");
    /* Legacy and refused schemes. */
    struct crypt_data *cd = calloc(1, sizeof(*cd));
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    ck_assert_ptr_nonnull(crypt_gensalt_rn("$6$", 0, NULL, 0, setting, sizeof(setting)));
    run_cli(r, "s3cret\n", "--verify", crypt_rn("s3cret", setting, cd, sizeof(*cd)), NULL, NULL);
    ck_assert_int_eq(r->status, 0);
    ck_assert_str_eq(r->out, "valid, needs rehash\n");
    ck_assert_ptr_nonnull(crypt_gensalt_rn("$1$", 0, NULL, 0, setting, sizeof(setting)));
    run_cli(r, "s3cret\n", "--verify", crypt_rn("s3cret", setting, cd, sizeof(*cd)), NULL, NULL);
    ck_assert_int_eq(r->status, 1);
    ck_assert_ptr_nonnull(strstr(r->err, "MD5"));
    free(cd);
    run_cli(r, "s3cret\n", "--verify", "garbage", NULL, NULL);
    ck_assert_int_eq(r->status, 1);
    ck_assert_ptr_nonnull(strstr(r->err, "malformed"));
    /* Policy and usage. */
    run_cli(r, "s3cret\n", "--rounds", "999", NULL, NULL);
    ck_assert_int_eq(r->status, 1);
    ck_assert_ptr_nonnull(strstr(r->err, "not approved"));
    run_cli(r, "s3cret\n", "--rounds", "many", NULL, NULL);
    ck_assert_int_eq(r->status, 2);
    run_cli(r, "s3cret\n", "--rounds", "4294967296", NULL, NULL);
    ck_assert_int_eq(r->status, 2);
    run_cli(r, "s3cret\n", "--rounds", "1000", "--verify", h);
    ck_assert_int_eq(r->status, 2);
    run_cli(r, "s3cret\n", "--bogus", NULL, NULL, NULL);
    ck_assert_int_eq(r->status, 2);
    free(r);
}
END_TEST

START_TEST(test_migrate_example)
{
    char *dir = make_temp_dir(), shadow[1200], exe[1200], h[256];
    snprintf(exe, sizeof(exe), "%s/../examples/passwd_migrate", build_dir());
    openssl_passwd("-6", "hunter2", h, sizeof(h));
    char content[1024];
    int len = snprintf(content, sizeof(content),
                       "root:*:19000:0:99999:7:::\nalice:%s:19000:0:99999:7:::\nbob:!:19000::::::\n",
                       h);
    snprintf(shadow, sizeof(shadow), "%s/shadow", dir);
    write_file(shadow, content, (size_t)len);
    proc_result *r = malloc(sizeof(*r));
    char *argv[] = {exe, shadow, "alice", NULL};
    run_process(argv, NULL, "hunter2\n", r);
    ck_assert_msg(r->exited && r->status == 0, "passwd_migrate: %s", r->err);
    /* alice:$pbkdf2-sha512$<default>$...:19000:0:99999:7::: */
    char want[64];
    snprintf(want, sizeof(want), "alice:$pbkdf2-sha512$%u$", FIPSRT_PASSWD_DEFAULT_ROUNDS);
    ck_assert_int_eq(strncmp(r->out, want, strlen(want)), 0);
    char *rest = strchr(r->out + strlen(want), ':');
    ck_assert_ptr_nonnull(rest);
    ck_assert_str_eq(rest, ":19000:0:99999:7:::\n");
    /* The new hash verifies (through the CLI: natively, even under valgrind). */
    char fresh[256];
    snprintf(fresh, sizeof(fresh), "%.*s", (int)(rest - r->out - 6), r->out + 6);
    proc_result *v = malloc(sizeof(*v));
    run_cli(v, "hunter2\n", "--verify", fresh, NULL, NULL);
    ck_assert_int_eq(v->status, 0);
    ck_assert_str_eq(v->out, "valid\n");
    free(v);
    /* Wrong password, locked account, missing user. */
    run_process(argv, NULL, "hunter3\n", r);
    ck_assert_int_eq(r->status, 1);
    argv[2] = "bob";
    run_process(argv, NULL, "hunter2\n", r);
    ck_assert_int_eq(r->status, 1);
    argv[2] = "carol";
    run_process(argv, NULL, "hunter2\n", r);
    ck_assert_int_eq(r->status, 2);
    free(r);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Edges of the parsers not reached above: a salt over passlib's 1024-byte maximum, legacy
 * salts with bytes crypt(3) does not take, a legacy setting libcrypt would normalise, and a
 * short output buffer with no out_len. */
START_TEST(test_parser_edges)
{
    char *P = hash_of("pw", CHEAP);
    const size_t SALT = 20;
    char big[1372];            /* 1372 characters decode to 1029 bytes: one over the cap */
    memset(big, 'A', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    char *m = splice(P, SALT, 22, big);
    expect_malformed(m);
    free(m);
    free(P);

    char sum43[44];
    memset(sum43, 'a', 43);
    sum43[43] = '\0';
    static const char *const bad_salts[] = {"sa\x80lt", "sa\x01lt", "sa:lt", "sa lt"};
    for (size_t i = 0; i < sizeof(bad_salts) / sizeof(bad_salts[0]); i++) {
        char h[128];
        snprintf(h, sizeof(h), "$5$%s$%s", bad_salts[i], sum43);
        expect_malformed(h);
    }
    /* A well-formed setting libcrypt will not hash (rounds below its minimum of 1000). */
    char h[128];
    snprintf(h, sizeof(h), "$5$rounds=999$saltsalt$%s", sum43);
    expect_malformed(h);
    struct crypt_data *cd = calloc(1, sizeof(*cd));
    ck_assert_ptr_nonnull(cd);
    const char *c = crypt_rn("pw", "$5$rounds=999$saltsalt$", cd, sizeof(*cd));
    ck_assert_msg(c == NULL || c[0] == '*', "libcrypt hashed rounds=999: %s", c);
    free(cd);

    char out[8];
    memset(out, 0x55, sizeof(out));
    ck_assert_fipsrt(fipsrt_passwd_hash("pw", 2, CHEAP, out, sizeof(out), NULL), FIPSRT_E_BUFFER_TOO_SMALL);
    for (size_t i = 0; i < sizeof(out); i++)
        ck_assert_uint_eq((uint8_t)out[i], 0x55);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("passwd");
    TCase *tc = tcase_create("pbkdf2");
    tcase_add_test(tc, test_hash_default);
    tcase_add_test(tc, test_hash_api);
    tcase_add_test(tc, test_passlib_cross_check);
    suite_add_tcase(s, tc);
    tc = tcase_create("legacy");
    tcase_add_test(tc, test_legacy_cross_check);
    tcase_add_test(tc, test_refused_schemes);
    suite_add_tcase(s, tc);
    tc = tcase_create("bad input");
    tcase_add_test(tc, test_malformed);
    tcase_add_test(tc, test_parser_edges);
    tcase_add_test(tc, test_mutations);
    tcase_add_test(tc, test_threads);
    suite_add_tcase(s, tc);
    tc = tcase_create("tools");
    tcase_add_test(tc, test_cli);
    tcase_add_test(tc, test_migrate_example);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(make_suite); }
