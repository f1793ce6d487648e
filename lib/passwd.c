/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Password hashes: new ones are PBKDF2-HMAC-SHA-512 in passlib's `$pbkdf2-sha512$` format;
 * legacy sha256crypt/sha512crypt verify through libcrypt (outside the FIPS boundary) for
 * migration; every other scheme is refused.
 */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <fipsrt/kdf.h>
#include <fipsrt/passwd.h>
#include <fipsrt/rand.h>

#include "internal.h"

#define SALT_SIZE 16
#define MAX_SALT_SIZE 1024   /* passlib's max_salt_size */
#define PBKDF2_SHA512_PREFIX "$pbkdf2-sha512$"

/* ---- passlib's adapted base64: standard alphabet with '.' for '+', no padding ---------- */

static const char ab64_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789./";

static size_t ab64_encoded_len(size_t n) { return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0); }

static void ab64_encode(char *out, const uint8_t *in, size_t n)
{
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        size_t chars = n - i >= 3 ? 4 : n - i + 1;
        for (size_t j = 0; j < chars; j++)
            *out++ = ab64_chars[(v >> (18 - 6 * j)) & 63];
    }
    *out = '\0';
}

static int ab64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '.' ? 62 : c == '/' ? 63 : -1;
}

/*
 * Strict decode of `len` characters into `out` (capacity `cap`): rejects characters outside
 * the alphabet, a length of 1 mod 4 and non-zero unused trailing bits (non-canonical).
 */
static bool ab64_decode(uint8_t *out, size_t cap, size_t *out_len, const char *in, size_t len)
{
    if (len % 4 == 1 || len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0) > cap)
        return false;
    size_t n = 0;
    for (size_t i = 0; i < len; i += 4) {
        size_t chars = len - i >= 4 ? 4 : len - i;
        uint32_t v = 0;
        for (size_t j = 0; j < 4; j++) {
            int d = j < chars ? ab64_value(in[i + j]) : 0;
            if (d < 0)
                return false;
            v = v << 6 | (uint32_t)d;
        }
        size_t bytes = chars - 1;
        /* The bits past the last whole byte must be zero in a canonical encoding. */
        if ((v & ((1u << (8 * (3 - bytes))) - 1)) != 0)
            return false;
        for (size_t j = 0; j < bytes; j++)
            out[n++] = (uint8_t)(v >> (16 - 8 * j));
    }
    *out_len = n;
    return true;
}

/* ---- pbkdf2 strings ------------------------------------------------------------------- */

struct pbkdf2_scheme {
    const char *prefix;
    fipsrt_hash_alg alg;
    size_t checksum_size;
    bool current;             /* the scheme new hashes use */
};

static const struct pbkdf2_scheme pbkdf2_schemes[] = {
    {PBKDF2_SHA512_PREFIX, FIPSRT_HASH_SHA512, 64, true},
    {"$pbkdf2-sha256$", FIPSRT_HASH_SHA256, 32, false},
};

struct pbkdf2_hash {
    uint32_t rounds;
    uint8_t salt[MAX_SALT_SIZE];
    size_t salt_len;
    uint8_t checksum[FIPSRT_HASH_MAX_SIZE];
};

/* Decimal rounds as passlib writes them: 1..2^32-1, no sign, no leading zero. */
static bool parse_rounds(const char *s, size_t len, uint32_t *rounds)
{
    if (len == 0 || len > 10 || s[0] == '0')
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > FIPSRT_PASSWD_MAX_ROUNDS)
        return false;
    *rounds = (uint32_t)v;
    return true;
}

/* `<prefix><rounds>$<salt>$<checksum>` and nothing else. */
static int parse_pbkdf2(const char *func, const char *s, const struct pbkdf2_scheme *scheme,
                        struct pbkdf2_hash *h)
{
    const char *p = s + strlen(scheme->prefix);
    const char *d1 = strchr(p, '$');
    const char *d2 = d1 ? strchr(d1 + 1, '$') : NULL;
    if (d2 == NULL || strchr(d2 + 1, '$') != NULL)
        return frt_error(func, FIPSRT_E_MALFORMED, "%s hash needs exactly rounds$salt$checksum",
                         scheme->prefix);
    if (!parse_rounds(p, (size_t)(d1 - p), &h->rounds))
        return frt_error(func, FIPSRT_E_MALFORMED, "rounds field is not a decimal in 1..%u",
                         FIPSRT_PASSWD_MAX_ROUNDS);
    if (!ab64_decode(h->salt, sizeof(h->salt), &h->salt_len, d1 + 1, (size_t)(d2 - d1 - 1)))
        return frt_error(func, FIPSRT_E_MALFORMED,
                         "salt is not canonical adapted base64 of at most %d bytes",
                         MAX_SALT_SIZE);
    size_t sum_len = 0, sum_chars = strlen(d2 + 1);
    if (sum_chars != ab64_encoded_len(scheme->checksum_size) ||
        !ab64_decode(h->checksum, sizeof(h->checksum), &sum_len, d2 + 1, sum_chars) ||
        sum_len != scheme->checksum_size)
        return frt_error(func, FIPSRT_E_MALFORMED,
                         "checksum is not canonical adapted base64 of %zu bytes",
                         scheme->checksum_size);
    return FIPSRT_OK;
}

static int verify_pbkdf2(const char *func, const char *hash, const struct pbkdf2_scheme *scheme,
                         const void *password, size_t password_len, int *needs_rehash)
{
    int rv = FIPSRT_OK;
    uint8_t dk[FIPSRT_HASH_MAX_SIZE];
    struct pbkdf2_hash h;
    FRT_TRY(parse_pbkdf2(func, hash, scheme, &h));
    /* fipsrt_pbkdf2 refuses a salt under 128 bits or fewer than 1000 rounds (SP 800-132). */
    FRT_TRY(FRT_UNCOUNTED(fipsrt_pbkdf2(scheme->alg, password, password_len, h.salt,
                                        h.salt_len, h.rounds, dk, scheme->checksum_size)));
    if (CRYPTO_memcmp(dk, h.checksum, scheme->checksum_size) != 0) {
        rv = frt_error(func, FIPSRT_E_VERIFY_FAILED, "password does not match");
        goto out;
    }
    if (needs_rehash)
        *needs_rehash = !scheme->current || h.rounds < FIPSRT_PASSWD_DEFAULT_ROUNDS;
    frt_service_approved();  /* SP 800-132 PBKDF2 in the module; sha2crypt never counts */
out:
    OPENSSL_cleanse(dk, sizeof(dk));
    OPENSSL_cleanse(&h, sizeof(h));
    return rv;
}

/* ---- legacy sha256crypt / sha512crypt through libcrypt ----------------------------------- */

/* crypt(3)'s base64 uses the same 64 characters as passlib's ab64 (in another order). */
static bool is_crypt64(char c) { return ab64_value(c) >= 0; }

/*
 * `$5$` / `$6$` [rounds=N$] salt $ hash: rounds 1..9 digits without a leading zero,
 * salt up to 16 printable characters other than '$' and ':', hash of crypt64 characters
 * (43 for SHA-256, 86 for SHA-512). libcrypt checks the rest (rounds range, salt chars).
 */
static bool legacy_well_formed(const char *s, size_t hash_chars)
{
    const char *p = s + 3;
    if (strncmp(p, "rounds=", 7) == 0) {
        p += 7;
        size_t n = strspn(p, "0123456789");
        if (n == 0 || n > 9 || p[0] == '0' || p[n] != '$')
            return false;
        p += n + 1;
    }
    size_t salt = 0;
    while (p[salt] != '$' && p[salt] > ' ' && p[salt] < 0x7f && p[salt] != ':')
        salt++;
    if (salt > 16 || p[salt] != '$')
        return false;
    p += salt + 1;
    size_t n = 0;
    while (is_crypt64(p[n]))
        n++;
    return n == hash_chars && p[n] == '\0';
}

static int verify_legacy(const char *func, const char *hash, const void *password,
                         size_t password_len, int *needs_rehash)
{
    const char *name = hash[1] == '5' ? "sha256crypt" : "sha512crypt";
    if (!legacy_well_formed(hash, hash[1] == '5' ? 43 : 86))
        return frt_error(func, FIPSRT_E_MALFORMED, "not a well-formed %s hash", name);
    /* libcrypt's own classification of the setting. */
    int cs = crypt_checksalt(hash);
    if (cs == CRYPT_SALT_INVALID)
        return frt_error(func, FIPSRT_E_MALFORMED, "libcrypt rejects the %s setting", name);
    if (cs == CRYPT_SALT_METHOD_DISABLED)
        return frt_error(func, FIPSRT_E_UNSUPPORTED, "libcrypt has %s disabled", name);
    if (password_len > 0 && memchr(password, '\0', password_len) != NULL)
        return frt_error(func, FIPSRT_E_INVALID_ARG,
                         "a password with a NUL byte cannot be checked against a crypt(3) hash");
    if (password_len > FIPSRT_PASSWD_MAX_LEGACY_PASSWORD)
        return frt_error(func, FIPSRT_E_INVALID_ARG,
                         "libcrypt takes passwords of at most %d bytes",
                         FIPSRT_PASSWD_MAX_LEGACY_PASSWORD);

    int rv = FIPSRT_OK;
    struct crypt_data *cd = calloc(1, sizeof(*cd));  /* 32 KiB: not on the stack */
    if (cd == NULL)
        return frt_error(func, FIPSRT_E_NOMEM, "out of memory");
    if (password_len > 0)
        memcpy(cd->input, password, password_len);
    const char *got = crypt_rn(cd->input, hash, cd, sizeof(*cd));
    size_t len = strlen(hash), setting = (size_t)(strrchr(hash, '$') - hash);
    if (got == NULL || got[0] == '*') {
        rv = frt_error(func, FIPSRT_E_MALFORMED, "libcrypt refuses the %s setting", name);
    } else if (strlen(got) != len || memcmp(got, hash, setting) != 0) {
        /* The setting is public: a difference means libcrypt normalised it. */
        rv = frt_error(func, FIPSRT_E_MALFORMED, "%s setting is not in canonical form", name);
    } else if (CRYPTO_memcmp(got, hash, len) != 0) {
        rv = frt_error(func, FIPSRT_E_VERIFY_FAILED, "password does not match");
    } else if (needs_rehash) {
        *needs_rehash = 1;  /* legacy schemes verify only to migrate */
    }
    OPENSSL_cleanse(cd, sizeof(*cd));
    free(cd);
    return rv;
}

/* ---- refused schemes ----------------------------------------------------------------- */

static const struct {
    const char *prefix;
    int code;
    const char *name;
    bool libcrypt;            /* crypt_checksalt knows the scheme */
} refused[] = {
    {"$1$", FIPSRT_E_MD5_SECURE, "md5crypt", true},
    {"$md5", FIPSRT_E_NOT_APPROVED, "sunmd5", true},
    {"$2a$", FIPSRT_E_NOT_APPROVED, "bcrypt", true},
    {"$2b$", FIPSRT_E_NOT_APPROVED, "bcrypt", true},
    {"$2x$", FIPSRT_E_NOT_APPROVED, "bcrypt", true},
    {"$2y$", FIPSRT_E_NOT_APPROVED, "bcrypt", true},
    {"$y$", FIPSRT_E_NOT_APPROVED, "yescrypt", true},
    {"$gy$", FIPSRT_E_NOT_APPROVED, "gost-yescrypt", true},
    {"$7$", FIPSRT_E_NOT_APPROVED, "scrypt", true},
    {"$3$", FIPSRT_E_NOT_APPROVED, "NT-hash", true},
    {"$sha1$", FIPSRT_E_NOT_APPROVED, "sha1crypt", true},
    {"_", FIPSRT_E_NOT_APPROVED, "bsdicrypt (DES)", true},
    {"$argon2", FIPSRT_E_NOT_APPROVED, "argon2", false},
    {"$pbkdf2$", FIPSRT_E_NOT_APPROVED, "pbkdf2-sha1", false},
};

/* descrypt (13 crypt64 characters) and bigcrypt (13 + 11k): DES-based, no '$'. */
static bool is_des(const char *s, size_t len)
{
    if (len < 13 || (len - 13) % 11 != 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!is_crypt64(s[i]))
            return false;
    return true;
}

/* Refuse a known non-approved scheme; malformed (per libcrypt, where it knows the scheme)
 * rather than refused when the string is not even a valid setting. */
static int refuse(const char *func, const char *hash, size_t len)
{
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        if (strncmp(hash, refused[i].prefix, strlen(refused[i].prefix)) != 0)
            continue;
        if (refused[i].libcrypt && crypt_checksalt(hash) == CRYPT_SALT_INVALID)
            return frt_error(func, FIPSRT_E_MALFORMED, "malformed %s hash", refused[i].name);
        /* MD5 is never for security; SP 800-132 approves only PBKDF2 for passwords. */
        if (refused[i].code == FIPSRT_E_MD5_SECURE)
            return frt_error(func, FIPSRT_E_MD5_SECURE,
                             "%s is MD5-based, and MD5 is not allowed for security use",
                             refused[i].name);
        return frt_error(func, refused[i].code, "%s hashes are not approved: verify refused",
                         refused[i].name);
    }
    if (is_des(hash, len) && crypt_checksalt(hash) != CRYPT_SALT_INVALID)
        return frt_error(func, FIPSRT_E_NOT_APPROVED,
                         "DES-based crypt hashes are not approved: verify refused");
    return frt_error(func, FIPSRT_E_MALFORMED, "not a recognised password hash");
}

/* ---- public API ----------------------------------------------------------------------- */

FIPSRT_API uint32_t fipsrt_passwd_default_rounds(void) { return FIPSRT_PASSWD_DEFAULT_ROUNDS; }

FIPSRT_API int fipsrt_passwd_hash(const void *password, size_t password_len, uint32_t rounds,
                                  char *out, size_t out_cap, size_t *out_len)
{
    int rv = FIPSRT_OK;
    uint8_t salt[SALT_SIZE], dk[FIPSRT_SHA512_SIZE];
    char salt64[32], dk64[96];
    frt_init();
    FRT_ARG(password != NULL || password_len == 0);
    if (rounds == 0)
        rounds = FIPSRT_PASSWD_DEFAULT_ROUNDS;
    /* SP 800-132 §5.2: at least 1000 iterations. */
    FRT_CHECK(rounds >= FIPSRT_PASSWD_MIN_ROUNDS, FIPSRT_E_NOT_APPROVED,
              "%u rounds is below the minimum of %u", rounds, FIPSRT_PASSWD_MIN_ROUNDS);
    char digits[16];
    size_t need = strlen(PBKDF2_SHA512_PREFIX) +
                  (size_t)snprintf(digits, sizeof(digits), "%u", rounds) + 1 +
                  ab64_encoded_len(SALT_SIZE) + 1 + ab64_encoded_len(sizeof(dk)) + 1;
    if (out_cap < need) {
        if (out_len)
            *out_len = need;
        FRT_CHECK(false, FIPSRT_E_BUFFER_TOO_SMALL, "hash string needs %zu bytes, got %zu",
                  need, out_cap);
    }
    FRT_ARG(out != NULL);
    /* One service (SP 800-132 password hashing): its DRBG draw and PBKDF2 are steps of it. */
    FRT_TRY(FRT_UNCOUNTED(fipsrt_random(salt, sizeof(salt))));
    FRT_TRY(FRT_UNCOUNTED(fipsrt_pbkdf2(FIPSRT_HASH_SHA512, password, password_len, salt,
                                        sizeof(salt), rounds, dk, sizeof(dk))));
    ab64_encode(salt64, salt, sizeof(salt));
    ab64_encode(dk64, dk, sizeof(dk));
    snprintf(out, out_cap, "%s%s$%s$%s", PBKDF2_SHA512_PREFIX, digits, salt64, dk64);
    if (out_len)
        *out_len = need - 1;
    frt_service_approved();
out:
    OPENSSL_cleanse(dk, sizeof(dk));
    OPENSSL_cleanse(dk64, sizeof(dk64));
    return rv;
}

FIPSRT_API int fipsrt_passwd_verify(const char *hash, const void *password,
                                    size_t password_len, int *needs_rehash)
{
    int rv = FIPSRT_OK;
    frt_init();
    if (needs_rehash)
        *needs_rehash = 0;
    FRT_ARG(hash != NULL);
    FRT_ARG(password != NULL || password_len == 0);
    /* Bounded scan: a huge string is refused without reading all of it. */
    size_t len = strnlen(hash, FIPSRT_PASSWD_MAX_HASH_LEN + 1);
    FRT_CHECK(len > 0 && len <= FIPSRT_PASSWD_MAX_HASH_LEN, FIPSRT_E_MALFORMED,
              "hash string is empty or longer than %d bytes", FIPSRT_PASSWD_MAX_HASH_LEN);
    for (size_t i = 0; i < sizeof(pbkdf2_schemes) / sizeof(pbkdf2_schemes[0]); i++) {
        const struct pbkdf2_scheme *s = &pbkdf2_schemes[i];
        if (strncmp(hash, s->prefix, strlen(s->prefix)) == 0) {
            rv = verify_pbkdf2(__func__, hash, s, password, password_len, needs_rehash);
            goto out;
        }
    }
    /* SP 800-132 does not cover sha2crypt: verify-only, outside the FIPS boundary. */
    if (strncmp(hash, "$5$", 3) == 0 || strncmp(hash, "$6$", 3) == 0) {
        rv = verify_legacy(__func__, hash, password, password_len, needs_rehash);
        goto out;
    }
    rv = refuse(__func__, hash, len);
out:
    return rv;
}
