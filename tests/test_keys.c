/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Keys: generation, PKCS#8/SPKI import and export (DER, PEM, encrypted), raw points, RSA
 * (n, e), the import policy (curves, algorithms, sizes) against every key file of the
 * cryptography vectors, malformed encodings, CAVP KeyPair.rsp / PKV.rsp, and round trips
 * through the openssl CLI and Python's cryptography.
 */
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "pk_testutil.h"

/* One RSA-2048 key for the whole suite (generated in the parent, before Check forks). */
static fipsrt_key *rsa2048;

static void free_fixture(void)
{
    fipsrt_key_free(rsa2048);
}

/* ---- generation ----------------------------------------------------------------------- */

START_TEST(test_generate_ec)
{
    static const struct { fipsrt_ec_curve c; unsigned bits; } t[] = {
        {FIPSRT_EC_P256, 256}, {FIPSRT_EC_P384, 384}, {FIPSRT_EC_P521, 521},
    };
    for (size_t i = 0; i < 3; i++) {
        fipsrt_key *k = NULL;
        ck_assert_ok(fipsrt_key_generate_ec(&k, t[i].c));
        ck_assert_int_eq(fipsrt_key_get_type(k), FIPSRT_KEY_EC);
        ck_assert_int_eq(fipsrt_key_get_curve(k), t[i].c);
        ck_assert_uint_eq(fipsrt_key_get_bits(k), t[i].bits);
        ck_assert_int_eq(fipsrt_key_has_private(k), 1);
        ck_assert_int_eq(fipsrt_key_is_legacy(k), 0);
        fipsrt_key_free(k);
    }
    assert_err_queue_empty();
}
END_TEST

START_TEST(test_generate_rsa)
{
    ck_assert_int_eq(fipsrt_key_get_type(rsa2048), FIPSRT_KEY_RSA);
    ck_assert_int_eq(fipsrt_key_get_curve(rsa2048), 0);
    ck_assert_uint_eq(fipsrt_key_get_bits(rsa2048), 2048);
    ck_assert_int_eq(fipsrt_key_has_private(rsa2048), 1);
    ck_assert_int_eq(fipsrt_key_is_legacy(rsa2048), 0);
    uint8_t n[512], e[8];
    size_t n_len, e_len;
    ck_assert_ok(fipsrt_key_export_rsa_public(rsa2048, n, sizeof(n), &n_len, e, sizeof(e), &e_len));
    ck_assert_uint_eq(n_len, 256);
    ck_assert_uint_eq(e_len, 3);
    ck_assert_mem_eq(e, "\x01\x00\x01", 3);   /* 65537 */
}
END_TEST

START_TEST(test_generate_refusals)
{
    fipsrt_key *k = (fipsrt_key *)1;
    /* SP 800-131A / FIPS 186-4: 2048, 3072, 4096 only. */
    static const unsigned bad_bits[] = {0, 512, 1024, 2047, 2056, 3000, 8192};
    for (size_t i = 0; i < sizeof(bad_bits) / sizeof(bad_bits[0]); i++) {
        ck_assert_fipsrt(fipsrt_key_generate_rsa(&k, bad_bits[i]), FIPSRT_E_NOT_APPROVED);
        ck_assert_ptr_null(k);
    }
    ck_assert_fipsrt(fipsrt_key_generate_ec(&k, 0), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_key_generate_ec(&k, 4), FIPSRT_E_INVALID_ARG);
    ck_assert_ptr_null(k);
    ck_assert_fipsrt(fipsrt_key_generate_ec(NULL, FIPSRT_EC_P256), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_key_generate_rsa(NULL, 2048), FIPSRT_E_INVALID_ARG);
    /* Queries and free on NULL. */
    ck_assert_int_eq(fipsrt_key_get_type(NULL), 0);
    ck_assert_int_eq(fipsrt_key_get_curve(NULL), 0);
    ck_assert_uint_eq(fipsrt_key_get_bits(NULL), 0);
    ck_assert_int_eq(fipsrt_key_has_private(NULL), 0);
    ck_assert_int_eq(fipsrt_key_is_legacy(NULL), 0);
    fipsrt_key_free(NULL);
    assert_err_queue_empty();
}
END_TEST

/* ---- export / import round trips ------------------------------------------------------- */

/* Export `key` in every form and import each back; the public halves must agree. */
static void round_trip(const fipsrt_key *key, const char *password)
{
    uint8_t spki[4096], spki2[4096], buf[8192];
    size_t spki_len, spki2_len, len;
    ck_assert_ok(fipsrt_key_export_public(key, FIPSRT_KEY_DER, spki, sizeof(spki), &spki_len));
    for (int enc = FIPSRT_KEY_DER; enc <= FIPSRT_KEY_PEM; enc++) {
        fipsrt_key *k = NULL;
        ck_assert_ok(fipsrt_key_export_private(key, enc, password, password ? strlen(password) : 0,
                                               buf, sizeof(buf), &len));
        if (enc == FIPSRT_KEY_PEM)
            ck_assert_msg(strncmp((char *)buf, password ? "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
                                                        : "-----BEGIN PRIVATE KEY-----\n",
                                  password ? 38 : 28) == 0, "PEM label");
        ck_assert_ok(fipsrt_key_import_private(&k, enc, buf, len, password,
                                               password ? strlen(password) : 0));
        ck_assert_int_eq(fipsrt_key_has_private(k), 1);
        ck_assert_int_eq(fipsrt_key_get_curve(k), fipsrt_key_get_curve(key));
        ck_assert_uint_eq(fipsrt_key_get_bits(k), fipsrt_key_get_bits(key));
        ck_assert_ok(fipsrt_key_export_public(k, FIPSRT_KEY_DER, spki2, sizeof(spki2), &spki2_len));
        ck_assert_uint_eq(spki_len, spki2_len);
        ck_assert_mem_eq(spki, spki2, spki_len);
        fipsrt_key_free(k);

        ck_assert_ok(fipsrt_key_export_public(key, enc, buf, sizeof(buf), &len));
        ck_assert_ok(fipsrt_key_import_public(&k, enc, buf, len));
        ck_assert_int_eq(fipsrt_key_has_private(k), 0);
        ck_assert_ok(fipsrt_key_export_public(k, FIPSRT_KEY_DER, spki2, sizeof(spki2), &spki2_len));
        ck_assert_mem_eq(spki, spki2, spki_len);
        /* A public key has nothing private to export. */
        ck_assert_fipsrt(fipsrt_key_export_private(k, enc, NULL, 0, buf, sizeof(buf), &len),
                         FIPSRT_E_KEY_TYPE);
        fipsrt_key_free(k);
    }
    fipsrt_key *pub = NULL;
    ck_assert_ok(fipsrt_key_public(&pub, key));
    ck_assert_int_eq(fipsrt_key_has_private(pub), 0);
    ck_assert_ok(fipsrt_key_export_public(pub, FIPSRT_KEY_DER, spki2, sizeof(spki2), &spki2_len));
    ck_assert_mem_eq(spki, spki2, spki_len);
    fipsrt_key_free(pub);
    assert_err_queue_empty();
}

START_TEST(test_round_trip)
{
    fipsrt_key *k = NULL;
    ck_assert_ok(fipsrt_key_generate_ec(&k, FIPSRT_EC_P256 + _i));
    round_trip(k, NULL);
    fipsrt_key_free(k);
}
END_TEST

START_TEST(test_round_trip_rsa_and_encrypted)
{
    round_trip(rsa2048, NULL);
    /* PBKDF2 with 100000 iterations: one encrypted round trip per key type is enough. */
    round_trip(rsa2048, "correct horse battery staple");
    fipsrt_key *k = NULL;
    ck_assert_ok(fipsrt_key_generate_ec(&k, FIPSRT_EC_P384));
    uint8_t buf[4096];
    size_t len;
    ck_assert_ok(fipsrt_key_export_private(k, FIPSRT_KEY_DER, "pw", 2, buf, sizeof(buf), &len));
    fipsrt_key *k2 = NULL;
    ck_assert_fipsrt(fipsrt_key_import_private(&k2, FIPSRT_KEY_DER, buf, len, "pW", 2),
                     FIPSRT_E_VERIFY_FAILED);
    ck_assert_fipsrt(fipsrt_key_import_private(&k2, FIPSRT_KEY_DER, buf, len, NULL, 0),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_ok(fipsrt_key_import_private(&k2, FIPSRT_KEY_DER, buf, len, "pw", 2));
    fipsrt_key_free(k2);
    k2 = NULL;
    /* An iteration count a file should not be able to make us spend: patch 100000 (0x0186a0)
     * to 0x7fffff (8388607). Refused before any PBKDF2 work, even without a password. */
    uint8_t patched[4096];
    memcpy(patched, buf, len);
    uint8_t *it = memmem(patched, len, "\x02\x03\x01\x86\xa0", 5);
    ck_assert_ptr_nonnull(it);
    memcpy(it + 2, "\x7f\xff\xff", 3);
    ck_assert_fipsrt(fipsrt_key_import_private(&k2, FIPSRT_KEY_DER, patched, len, "pw", 2),
                     FIPSRT_E_UNSUPPORTED);
    ck_assert_fipsrt(fipsrt_key_import_private(&k2, FIPSRT_KEY_DER, patched, len, NULL, 0),
                     FIPSRT_E_UNSUPPORTED);
    /* A PBKDF2 PRF other than HMAC-SHA-1/2/3: hmacWithSHA256 (1.2.840.113549.2.9) patched to
     * hmacWithMD5 (.2.6) is a policy refusal, not a "wrong password". */
    memcpy(patched, buf, len);
    uint8_t *prf = memmem(patched, len, "\x06\x08\x2a\x86\x48\x86\xf7\x0d\x02\x09", 10);
    ck_assert_ptr_nonnull(prf);
    prf[9] = 0x06;
    ck_assert_fipsrt(fipsrt_key_import_private(&k2, FIPSRT_KEY_DER, patched, len, "pw", 2),
                     FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_key_import_private(&k2, FIPSRT_KEY_DER, patched, len, NULL, 0),
                     FIPSRT_E_NOT_APPROVED);
    /* An empty password is refused on export (it would be no protection). */
    ck_assert_fipsrt(fipsrt_key_export_private(k, FIPSRT_KEY_DER, "", 0, buf, sizeof(buf), &len),
                     FIPSRT_E_INVALID_ARG);
    /* A password length without a password is a caller bug, never a plaintext export. */
    ck_assert_fipsrt(fipsrt_key_export_private(k, FIPSRT_KEY_DER, NULL, 2, buf, sizeof(buf), &len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_ptr_null(k2);
    fipsrt_key_free(k);
    assert_err_queue_empty();
}
END_TEST

START_TEST(test_output_buffers)
{
    fipsrt_key *k = NULL;
    uint8_t buf[2048];
    size_t need = 0, len = 0;
    ck_assert_ok(fipsrt_key_generate_ec(&k, FIPSRT_EC_P256));
    /* Size query with no buffer, then too small by one, then exact. */
    ck_assert_fipsrt(fipsrt_key_export_public(k, FIPSRT_KEY_PEM, NULL, 0, &need),
                     FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(need, 178);
    ck_assert_fipsrt(fipsrt_key_export_public(k, FIPSRT_KEY_PEM, buf, need - 1, &len),
                     FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(len, need);
    ck_assert_ok(fipsrt_key_export_public(k, FIPSRT_KEY_PEM, buf, need, &len));
    ck_assert_uint_eq(len, need);
    ck_assert_fipsrt(fipsrt_key_export_private(k, FIPSRT_KEY_DER, NULL, 0, buf, 10, &need),
                     FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(need, 138);
    ck_assert_fipsrt(fipsrt_key_export_private(k, FIPSRT_KEY_DER, NULL, 0, buf, sizeof(buf), NULL),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_key_export_private(NULL, FIPSRT_KEY_DER, NULL, 0, buf, sizeof(buf), &len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_key_export_public(k, 3, buf, sizeof(buf), &len), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_key_export_ec_point(k, buf, 64, &len), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(len, 65);
    ck_assert_fipsrt(fipsrt_key_export_ec_point(rsa2048, buf, sizeof(buf), &len), FIPSRT_E_KEY_TYPE);
    uint8_t n[256], e[3];
    size_t n_len, e_len;
    ck_assert_fipsrt(fipsrt_key_export_rsa_public(k, n, sizeof(n), &n_len, e, sizeof(e), &e_len),
                     FIPSRT_E_KEY_TYPE);
    ck_assert_fipsrt(fipsrt_key_export_rsa_public(rsa2048, n, 255, &n_len, e, sizeof(e), &e_len),
                     FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(n_len, 256);
    ck_assert_uint_eq(e_len, 3);
    fipsrt_key_free(k);
    assert_err_queue_empty();
}
END_TEST

/* ---- the import policy against every key file in the vectors --------------------------- */

enum { PRIV, PUB };
static const struct {
    const char *file;
    int kind;
    const char *password;
    int code;
    unsigned bits;        /* for accepted keys */
    int legacy;
} key_files[] = {
    /* PKCS#8 */
    {"PKCS8/bad-encryption-oid.pem", PRIV, "password", FIPSRT_E_NOT_APPROVED, 0, 0},   /* PBES1 */
    {"PKCS8/bad-oid-dsa-key.pem", PRIV, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    {"PKCS8/ec_oid_not_in_reg_private_2.pkcs8.pem", PRIV, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    {"PKCS8/ec_private_key.pem", PRIV, NULL, 0, 256, 0},
    {"PKCS8/ec_private_key_encrypted.pem", PRIV, "123456", 0, 256, 0},
    {"PKCS8/ecc_private_with_rfc5915_ext.pem", PRIV, NULL, 0, 256, 0},
    {"PKCS8/enc-rsa-pkcs8.pem", PRIV, "foobar", FIPSRT_E_NOT_APPROVED, 0, 0},          /* PBES1 */
    {"PKCS8/enc2-rsa-pkcs8.pem", PRIV, "baz", FIPSRT_E_NOT_APPROVED, 0, 0},            /* 1024 bits */
    {"PKCS8/nodompar_private.pkcs8.pem", PRIV, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},     /* explicit */
    {"PKCS8/pkcs12_s2k_pem-X_9607.pem", PRIV, "123456", FIPSRT_E_NOT_APPROVED, 0, 0},  /* PKCS#12 PBE */
    {"PKCS8/pkcs12_s2k_pem-X_9671.pem", PRIV, "123456", FIPSRT_E_NOT_APPROVED, 0, 0},
    {"PKCS8/pkcs12_s2k_pem-X_9925.pem", PRIV, "123456", FIPSRT_E_NOT_APPROVED, 0, 0},
    {"PKCS8/pkcs12_s2k_pem-X_9926.pem", PRIV, "123456", FIPSRT_E_NOT_APPROVED, 0, 0},
    {"PKCS8/pkcs12_s2k_pem-X_9927.pem", PRIV, "123456", FIPSRT_E_NOT_APPROVED, 0, 0},
    {"PKCS8/pkcs12_s2k_pem-X_9928.pem", PRIV, "123456", FIPSRT_E_NOT_APPROVED, 0, 0},
    {"PKCS8/pkcs12_s2k_pem-X_9929.pem", PRIV, "123456", FIPSRT_E_NOT_APPROVED, 0, 0},
    {"PKCS8/pkcs12_s2k_pem-X_9930.pem", PRIV, "123456", FIPSRT_E_NOT_APPROVED, 0, 0},
    {"PKCS8/pkcs12_s2k_pem-X_9931.pem", PRIV, "123456", FIPSRT_E_NOT_APPROVED, 0, 0},
    {"PKCS8/pkcs12_s2k_pem-X_9932.pem", PRIV, "123456", FIPSRT_E_NOT_APPROVED, 0, 0},
    {"PKCS8/private.pem", PRIV, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},                    /* explicit */
    {"PKCS8/rsa_pss_2048.pem", PRIV, NULL, FIPSRT_E_UNSUPPORTED, 0, 0},
    {"PKCS8/rsa_pss_2048_hash.pem", PRIV, NULL, FIPSRT_E_UNSUPPORTED, 0, 0},
    {"PKCS8/rsa_pss_2048_hash_mask.pem", PRIV, NULL, FIPSRT_E_UNSUPPORTED, 0, 0},
    {"PKCS8/rsa_pss_2048_hash_mask_diff.pem", PRIV, NULL, FIPSRT_E_UNSUPPORTED, 0, 0},
    {"PKCS8/rsa_pss_2048_hash_mask_salt.pem", PRIV, NULL, FIPSRT_E_UNSUPPORTED, 0, 0},
    {"PKCS8/rsa_pss_2048_pub.der", PUB, NULL, FIPSRT_E_UNSUPPORTED, 0, 0},
    {"PKCS8/unenc-dsa-pkcs8.pem", PRIV, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    {"PKCS8/unenc-dsa-pkcs8.pub.pem", PUB, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    {"PKCS8/unenc-rsa-pkcs8.pem", PRIV, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},            /* 1024 bits */
    {"PKCS8/unenc-rsa-pkcs8.pub.pem", PUB, NULL, 0, 1024, 1},                    /* legacy */
    {"PKCS8/withdompar_private.pkcs8.pem", PRIV, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    /* PEM: pre-PKCS#8 ("traditional") private keys are not read */
    {"PEM_Serialization/dsa_4096.pem", PRIV, NULL, FIPSRT_E_UNSUPPORTED, 0, 0},
    {"PEM_Serialization/dsa_private_key.pem", PRIV, NULL, FIPSRT_E_UNSUPPORTED, 0, 0},
    {"PEM_Serialization/dsa_public_key.pem", PUB, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    {"PEM_Serialization/dsaparam.pem", PRIV, NULL, FIPSRT_E_MALFORMED, 0, 0},
    {"PEM_Serialization/ec_private_key.pem", PRIV, NULL, FIPSRT_E_UNSUPPORTED, 0, 0},
    {"PEM_Serialization/ec_private_key_encrypted.pem", PRIV, "123456", FIPSRT_E_UNSUPPORTED, 0, 0},
    {"PEM_Serialization/ec_public_key.pem", PUB, NULL, 0, 256, 0},
    {"PEM_Serialization/rsa-bad-1025-q-is-2.pem", PRIV, NULL, FIPSRT_E_UNSUPPORTED, 0, 0},
    {"PEM_Serialization/rsa_private_key.pem", PRIV, NULL, FIPSRT_E_UNSUPPORTED, 0, 0},
    {"PEM_Serialization/rsa_public_key.pem", PUB, NULL, 0, 2048, 0},
    /* DER */
    {"DER_Serialization/dsa.1024.der", PRIV, NULL, FIPSRT_E_MALFORMED, 0, 0},   /* not PKCS#8 */
    {"DER_Serialization/dsa.2048.der", PRIV, NULL, FIPSRT_E_MALFORMED, 0, 0},
    {"DER_Serialization/dsa.3072.der", PRIV, NULL, FIPSRT_E_MALFORMED, 0, 0},
    {"DER_Serialization/dsa_public_key.der", PUB, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    {"DER_Serialization/dsa_public_key_invalid_bit_string.der", PUB, NULL, FIPSRT_E_MALFORMED, 0, 0},  /* padding bits set: not DER */
    {"DER_Serialization/dsa_public_key_no_params.der", PUB, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    {"DER_Serialization/ec_private_key.der", PRIV, NULL, FIPSRT_E_MALFORMED, 0, 0},  /* SEC 1 */
    {"DER_Serialization/ec_private_key_encrypted.der", PRIV, "123456", 0, 256, 0},
    {"DER_Serialization/ec_public_key.der", PUB, NULL, 0, 256, 0},
    {"DER_Serialization/enc-rsa-pkcs8.der", PRIV, "foobar", FIPSRT_E_NOT_APPROVED, 0, 0},
    {"DER_Serialization/enc2-rsa-pkcs8.der", PRIV, "baz", FIPSRT_E_NOT_APPROVED, 0, 0},
    {"DER_Serialization/rsa_public_key.der", PUB, NULL, 0, 2048, 0},
    {"DER_Serialization/testrsa.der", PRIV, NULL, FIPSRT_E_MALFORMED, 0, 0},          /* PKCS#1 */
    {"DER_Serialization/unenc-dsa-pkcs8.der", PRIV, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    {"DER_Serialization/unenc-dsa-pkcs8.pub.der", PUB, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    {"DER_Serialization/unenc-rsa-pkcs8.der", PRIV, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    {"DER_Serialization/unenc-rsa-pkcs8.pub.der", PUB, NULL, 0, 1024, 1},
    /* Traditional OpenSSL (pre-PKCS#8, MD5-keyed encryption) */
    {"Traditional_OpenSSL_Serialization/dsa.1024.pem", PRIV, NULL, FIPSRT_E_UNSUPPORTED, 0, 0},
    {"Traditional_OpenSSL_Serialization/dsa.2048.pem", PRIV, NULL, FIPSRT_E_UNSUPPORTED, 0, 0},
    {"Traditional_OpenSSL_Serialization/dsa.3072.pem", PRIV, NULL, FIPSRT_E_UNSUPPORTED, 0, 0},
    {"Traditional_OpenSSL_Serialization/key1.pem", PRIV, NULL, FIPSRT_E_UNSUPPORTED, 0, 0},
    {"Traditional_OpenSSL_Serialization/key2.pem", PRIV, NULL, FIPSRT_E_UNSUPPORTED, 0, 0},
    {"Traditional_OpenSSL_Serialization/testrsa-encrypted.pem", PRIV, "password", FIPSRT_E_UNSUPPORTED, 0, 0},
    {"Traditional_OpenSSL_Serialization/testrsa.pem", PRIV, NULL, FIPSRT_E_UNSUPPORTED, 0, 0},
    /* PKCS#1 public keys */
    {"public/PKCS1/dsa.pub.pem", PUB, NULL, FIPSRT_E_UNSUPPORTED, 0, 0},
    {"public/PKCS1/rsa.pub.der", PUB, NULL, FIPSRT_E_MALFORMED, 0, 0},
    {"public/PKCS1/rsa.pub.pem", PUB, NULL, FIPSRT_E_UNSUPPORTED, 0, 0},
    /* Curve25519/448: served by the 3.0 FIPS provider, refused by the library */
    {"X25519/x25519-pkcs8-enc.der", PRIV, "password", FIPSRT_E_NOT_APPROVED, 0, 0},
    {"X25519/x25519-pkcs8-enc.pem", PRIV, "password", FIPSRT_E_NOT_APPROVED, 0, 0},
    {"X25519/x25519-pkcs8.der", PRIV, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    {"X25519/x25519-pkcs8.pem", PRIV, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    {"X25519/x25519-pub.der", PUB, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    {"X25519/x25519-pub.pem", PUB, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    {"Ed25519/ed25519-pkcs8-enc.der", PRIV, "password", FIPSRT_E_NOT_APPROVED, 0, 0},
    {"Ed25519/ed25519-pkcs8-enc.pem", PRIV, "password", FIPSRT_E_NOT_APPROVED, 0, 0},
    {"Ed25519/ed25519-pkcs8.der", PRIV, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    {"Ed25519/ed25519-pkcs8.pem", PRIV, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    {"Ed25519/ed25519-pub.der", PUB, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    {"Ed25519/ed25519-pub.pem", PUB, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    {"X448/x448-pkcs8-enc.der", PRIV, "password", FIPSRT_E_NOT_APPROVED, 0, 0},
    {"X448/x448-pkcs8-enc.pem", PRIV, "password", FIPSRT_E_NOT_APPROVED, 0, 0},
    {"X448/x448-pkcs8.der", PRIV, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    {"X448/x448-pkcs8.pem", PRIV, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    {"X448/x448-pub.der", PUB, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    {"X448/x448-pub.pem", PUB, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    {"Ed448/ed448-pkcs8-enc.der", PRIV, "password", FIPSRT_E_NOT_APPROVED, 0, 0},
    {"Ed448/ed448-pkcs8-enc.pem", PRIV, "password", FIPSRT_E_NOT_APPROVED, 0, 0},
    {"Ed448/ed448-pkcs8.der", PRIV, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    {"Ed448/ed448-pkcs8.pem", PRIV, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    {"Ed448/ed448-pub.der", PUB, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
    {"Ed448/ed448-pub.pem", PUB, NULL, FIPSRT_E_NOT_APPROVED, 0, 0},
};
#define N_KEY_FILES (sizeof(key_files) / sizeof(key_files[0]))

/* Files in those directories that hold no key (test data of other kinds). */
static const char *const not_keys[] = {
    "PEM_Serialization/README.txt", "X25519/rfc7748.txt", "X448/rfc7748.txt",
    "Ed25519/sign.input", "Ed448/rfc8032.txt",
};

START_TEST(test_vector_key_files)
{
    int accepted = 0, refused = 0;
    for (size_t i = 0; i < N_KEY_FILES; i++) {
        fipsrt_key *k = NULL;
        char rel[512];
        snprintf(rel, sizeof(rel), "asymmetric/%s", key_files[i].file);
        int rv = import_vec_key(&k, rel, key_files[i].kind == PUB, key_files[i].password);
        ck_assert_msg(rv == key_files[i].code, "%s: got %d (%s), expected %d; %s",
                      key_files[i].file, rv, fipsrt_strerror(rv), key_files[i].code,
                      fipsrt_last_error());
        assert_err_queue_empty();
        if (rv == 0) {
            ck_assert_uint_eq(fipsrt_key_get_bits(k), key_files[i].bits);
            ck_assert_int_eq(fipsrt_key_is_legacy(k), key_files[i].legacy);
            ck_assert_int_eq(fipsrt_key_has_private(k), key_files[i].kind == PRIV);
            accepted++;
        } else {
            ck_assert_ptr_null(k);
            refused++;
        }
        fipsrt_key_free(k);
    }
    printf("vectors: key files: %d accepted, %d refused with the expected code\n", accepted,
           refused);
    /* Run whole: every file of these directories is in the table above. */
    static const char *const dirs[] = {"PKCS8", "PEM_Serialization", "DER_Serialization",
                                       "Traditional_OpenSSL_Serialization", "public/PKCS1",
                                       "X25519", "Ed25519", "X448", "Ed448"};
    int files = 0;
    for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
        char rel[512];
        snprintf(rel, sizeof(rel), "asymmetric/%s", dirs[d]);
        DIR *dir = opendir(vec_path(rel));
        ck_assert_ptr_nonnull(dir);
        struct dirent *de;
        while ((de = readdir(dir)) != NULL) {
            if (de->d_name[0] == '.')
                continue;
            char name[600];
            snprintf(name, sizeof(name), "%s/%s", dirs[d], de->d_name);
            bool known = false;
            for (size_t i = 0; i < N_KEY_FILES && !known; i++)
                known = strcmp(key_files[i].file, name) == 0;
            for (size_t i = 0; i < sizeof(not_keys) / sizeof(not_keys[0]) && !known; i++)
                known = strcmp(not_keys[i], name) == 0;
            ck_assert_msg(known, "vector file %s is not covered by the table", name);
            files++;
        }
        closedir(dir);
    }
    ck_assert_int_eq(files, (int)(N_KEY_FILES + sizeof(not_keys) / sizeof(not_keys[0])));
}
END_TEST

/* ---- malformed encodings ---------------------------------------------------------------- */

START_TEST(test_malformed)
{
    fipsrt_key *key = NULL, *k = NULL;
    uint8_t der[4096], pem[8192], buf[8192];
    size_t der_len, pem_len;
    ck_assert_ok(fipsrt_key_generate_ec(&key, FIPSRT_EC_P256));
    ck_assert_ok(fipsrt_key_export_private(key, FIPSRT_KEY_DER, NULL, 0, der, sizeof(der), &der_len));
    ck_assert_ok(fipsrt_key_export_private(key, FIPSRT_KEY_PEM, NULL, 0, pem, sizeof(pem), &pem_len));

    /* Arguments. */
    ck_assert_fipsrt(fipsrt_key_import_private(NULL, FIPSRT_KEY_DER, der, der_len, NULL, 0),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_key_import_private(&k, FIPSRT_KEY_DER, NULL, 5, NULL, 0),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_key_import_private(&k, 0, der, der_len, NULL, 0), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_key_import_public(&k, 7, der, der_len), FIPSRT_E_INVALID_ARG);
    /* Empty input. */
    ck_assert_fipsrt(fipsrt_key_import_private(&k, FIPSRT_KEY_DER, der, 0, NULL, 0),
                     FIPSRT_E_MALFORMED);
    ck_assert_fipsrt(fipsrt_key_import_public(&k, FIPSRT_KEY_PEM, pem, 0), FIPSRT_E_MALFORMED);
    /* Huge length claims in the DER header with a short buffer. */
    static const uint8_t huge[] = {0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02, 0x01, 0x00};
    ck_assert_fipsrt(fipsrt_key_import_private(&k, FIPSRT_KEY_DER, huge, sizeof(huge), NULL, 0),
                     FIPSRT_E_MALFORMED);
    ck_assert_fipsrt(fipsrt_key_import_public(&k, FIPSRT_KEY_DER, huge, sizeof(huge)),
                     FIPSRT_E_MALFORMED);
    /* Every truncation of the DER. */
    for (size_t n = 1; n < der_len; n++)
        ck_assert_fipsrt(fipsrt_key_import_private(&k, FIPSRT_KEY_DER, der, n, NULL, 0),
                         FIPSRT_E_MALFORMED);
    /* Every truncation of the PEM that cuts into the block (the END line included). */
    size_t end = (size_t)(strstr((char *)pem, "-----END PRIVATE KEY-----") - (char *)pem) + 25;
    for (size_t n = 1; n < end; n++)
        ck_assert_fipsrt(fipsrt_key_import_private(&k, FIPSRT_KEY_PEM, pem, n, NULL, 0),
                         FIPSRT_E_MALFORMED);
    /* Trailing data: bytes after the DER, text after the PEM block, a second block. */
    memcpy(buf, der, der_len);
    buf[der_len] = 0;
    ck_assert_fipsrt(fipsrt_key_import_private(&k, FIPSRT_KEY_DER, buf, der_len + 1, NULL, 0),
                     FIPSRT_E_MALFORMED);
    memcpy(buf, pem, pem_len);
    memcpy(buf + pem_len, "garbage\n", 8);
    ck_assert_fipsrt(fipsrt_key_import_private(&k, FIPSRT_KEY_PEM, buf, pem_len + 8, NULL, 0),
                     FIPSRT_E_MALFORMED);
    memcpy(buf + pem_len, pem, pem_len);
    ck_assert_fipsrt(fipsrt_key_import_private(&k, FIPSRT_KEY_PEM, buf, 2 * pem_len, NULL, 0),
                     FIPSRT_E_MALFORMED);
    /* Whitespace after the block and text before it are fine (as OpenSSL reads them). */
    memcpy(buf, "comment line\n", 13);
    memcpy(buf + 13, pem, pem_len);
    memcpy(buf + 13 + pem_len, "\n \t\r\n", 5);
    ck_assert_ok(fipsrt_key_import_private(&k, FIPSRT_KEY_PEM, buf, pem_len + 18, NULL, 0));
    fipsrt_key_free(k);
    k = NULL;
    /* Bad base64, PEM headers, other labels, DER given as PEM and PEM as DER. */
    memcpy(buf, pem, pem_len);
    buf[40] = '*';
    ck_assert_fipsrt(fipsrt_key_import_private(&k, FIPSRT_KEY_PEM, buf, pem_len, NULL, 0),
                     FIPSRT_E_MALFORMED);
    static const char headers[] = "-----BEGIN PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                                  "DEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n\n";
    size_t hl = strlen(headers);
    memcpy(buf, headers, hl);
    memcpy(buf + hl, pem + 28, pem_len - 28);
    ck_assert_fipsrt(fipsrt_key_import_private(&k, FIPSRT_KEY_PEM, buf, hl + pem_len - 28, NULL, 0),
                     FIPSRT_E_MALFORMED);
    static const char cert[] = "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n";
    ck_assert_fipsrt(fipsrt_key_import_private(&k, FIPSRT_KEY_PEM, (const uint8_t *)cert,
                                               strlen(cert), NULL, 0), FIPSRT_E_MALFORMED);
    ck_assert_fipsrt(fipsrt_key_import_public(&k, FIPSRT_KEY_PEM, pem, pem_len), FIPSRT_E_KEY_TYPE);
    ck_assert_fipsrt(fipsrt_key_import_private(&k, FIPSRT_KEY_PEM, der, der_len, NULL, 0),
                     FIPSRT_E_MALFORMED);
    ck_assert_fipsrt(fipsrt_key_import_private(&k, FIPSRT_KEY_DER, pem, pem_len, NULL, 0),
                     FIPSRT_E_MALFORMED);
    ck_assert_fipsrt(fipsrt_key_import_public(&k, FIPSRT_KEY_DER, der, der_len), FIPSRT_E_MALFORMED);
    /* Every single-byte corruption: refused, never accepted, never a crash. */
    int malformed = 0, not_approved = 0;
    for (size_t i = 0; i < der_len; i++) {
        memcpy(buf, der, der_len);
        buf[i] ^= 0x5a;
        int rv = fipsrt_key_import_private(&k, FIPSRT_KEY_DER, buf, der_len, NULL, 0);
        ck_assert_msg(rv == FIPSRT_E_MALFORMED || rv == FIPSRT_E_NOT_APPROVED,
                      "byte %zu: %d %s", i, rv, fipsrt_last_error());
        ck_assert_ptr_null(k);
        rv == FIPSRT_E_MALFORMED ? malformed++ : not_approved++;
    }
    printf("corrupted PKCS#8 bytes: %d malformed, %d not approved (algorithm OIDs)\n",
           malformed, not_approved);
    /* A private scalar that does not match the public key: the pairwise check. */
    memcpy(buf, der, der_len);
    buf[40] ^= 1;   /* inside the 32-byte scalar at offset 36 */
    ck_assert_fipsrt(fipsrt_key_import_private(&k, FIPSRT_KEY_DER, buf, der_len, NULL, 0),
                     FIPSRT_E_MALFORMED);
    fipsrt_key_free(key);
    assert_err_queue_empty();
}
END_TEST

/* ---- raw points, scalars, (n, e) -------------------------------------------------------- */

START_TEST(test_raw_ec)
{
    for (fipsrt_ec_curve c = FIPSRT_EC_P256; c <= FIPSRT_EC_P521; c++) {
        fipsrt_key *key = NULL, *k = NULL;
        uint8_t pt[133], pt2[133], bad[133];
        size_t len, len2, fs = curve_bytes(c);
        ck_assert_ok(fipsrt_key_generate_ec(&key, c));
        ck_assert_ok(fipsrt_key_export_ec_point(key, pt, sizeof(pt), &len));
        ck_assert_uint_eq(len, 1 + 2 * fs);
        ck_assert_uint_eq(pt[0], 4);
        ck_assert_ok(fipsrt_key_import_ec_point(&k, c, pt, len));
        ck_assert_int_eq(fipsrt_key_has_private(k), 0);
        ck_assert_ok(fipsrt_key_export_ec_point(k, pt2, sizeof(pt2), &len2));
        ck_assert_mem_eq(pt, pt2, len);
        fipsrt_key_free(k);
        k = NULL;
        /* Wrong curve, compressed form, wrong lengths, off the curve, infinity. */
        ck_assert_fipsrt(fipsrt_key_import_ec_point(&k, c == FIPSRT_EC_P256 ? FIPSRT_EC_P384
                                                                           : FIPSRT_EC_P256,
                                                    pt, len), FIPSRT_E_MALFORMED);
        memcpy(bad, pt, len);
        bad[0] = 0x02 | (pt[len - 1] & 1);
        ck_assert_fipsrt(fipsrt_key_import_ec_point(&k, c, bad, 1 + fs), FIPSRT_E_MALFORMED);
        ck_assert_fipsrt(fipsrt_key_import_ec_point(&k, c, pt, len - 1), FIPSRT_E_MALFORMED);
        ck_assert_fipsrt(fipsrt_key_import_ec_point(&k, c, pt, 0), FIPSRT_E_MALFORMED);
        memcpy(bad, pt, len);
        bad[len - 1] ^= 1;
        ck_assert_fipsrt(fipsrt_key_import_ec_point(&k, c, bad, len), FIPSRT_E_MALFORMED);
        memset(bad, 0, len);
        bad[0] = 4;
        ck_assert_fipsrt(fipsrt_key_import_ec_point(&k, c, bad, len), FIPSRT_E_MALFORMED);
        ck_assert_fipsrt(fipsrt_key_import_ec_point(&k, c, bad, 1), FIPSRT_E_MALFORMED);
        ck_assert_fipsrt(fipsrt_key_import_ec_point(&k, 9, pt, len), FIPSRT_E_INVALID_ARG);
        ck_assert_fipsrt(fipsrt_key_import_ec_point(&k, c, NULL, len), FIPSRT_E_INVALID_ARG);
        ck_assert_ptr_null(k);
        fipsrt_key_free(key);
    }
    assert_err_queue_empty();
}
END_TEST

/* KeyPair.rsp: (d, Q) pairs load as private keys; mismatched pairs are refused. */
START_TEST(test_cavp_keypair)
{
    vec_file v;
    vec_open(&v, "asymmetric/ECDSA/FIPS_186-3/KeyPair.rsp");
    int run = 0, skipped = 0;
    char prev_d[200] = "";
    fipsrt_ec_curve prev_c = 0;
    while (vec_next(&v)) {
        if (vec_get(&v, "d") == NULL)
            continue;   /* the "N = 10" count line */
        fipsrt_ec_curve c = vec_curve(&v);
        if (c == 0) {
            skipped++;
            continue;
        }
        uint8_t d[66], pt[133], out[133];
        size_t fs = curve_bytes(c), len, out_len;
        hex_fixed(vec_get(&v, "d"), d, fs);
        len = point_from_hex(c, vec_get(&v, "Qx"), vec_get(&v, "Qy"), pt);
        fipsrt_key *k = NULL;
        ck_assert_ok(fipsrt_key_import_ec_private(&k, c, d, fs, pt, len));
        ck_assert_int_eq(fipsrt_key_has_private(k), 1);
        ck_assert_ok(fipsrt_key_export_ec_point(k, out, sizeof(out), &out_len));
        ck_assert_mem_eq(out, pt, len);
        fipsrt_key_free(k);
        k = NULL;
        /* The previous record's d with this Q: the pairwise check refuses it. */
        if (prev_c == c) {
            hex_fixed(prev_d, d, fs);
            ck_assert_fipsrt(fipsrt_key_import_ec_private(&k, c, d, fs, pt, len), FIPSRT_E_MALFORMED);
        }
        ck_assert_fipsrt(fipsrt_key_import_ec_private(&k, c, d, fs - 1, pt, len), FIPSRT_E_MALFORMED);
        snprintf(prev_d, sizeof(prev_d), "%s", vec_get(&v, "d"));
        prev_c = c;
        run++;
    }
    vec_close(&v);
    vec_report("ECDSA/FIPS_186-3/KeyPair.rsp", run, skipped, "P-192, P-224, K-, B- curves are not approved here");
    ck_assert_int_eq(run, 30);
    /* d = 0 and d = n are out of range. */
    fipsrt_key *k = NULL, *g = NULL;
    uint8_t pt[65], zero[32] = {0};
    size_t len;
    ck_assert_ok(fipsrt_key_generate_ec(&g, FIPSRT_EC_P256));
    ck_assert_ok(fipsrt_key_export_ec_point(g, pt, sizeof(pt), &len));
    ck_assert_fipsrt(fipsrt_key_import_ec_private(&k, FIPSRT_EC_P256, zero, 32, pt, len),
                     FIPSRT_E_MALFORMED);
    uint8_t n[32];
    hex_fixed("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", n, 32);
    ck_assert_fipsrt(fipsrt_key_import_ec_private(&k, FIPSRT_EC_P256, n, 32, pt, len),
                     FIPSRT_E_MALFORMED);
    ck_assert_fipsrt(fipsrt_key_import_ec_private(&k, FIPSRT_EC_P256, NULL, 32, pt, len),
                     FIPSRT_E_INVALID_ARG);
    fipsrt_key_free(g);
    assert_err_queue_empty();
}
END_TEST

/* PKV.rsp: SP 800-56A public-key validation, P (valid) and F (invalid) points. */
START_TEST(test_cavp_pkv)
{
    vec_file v;
    vec_open(&v, "asymmetric/ECDSA/FIPS_186-3/PKV.rsp");
    int run = 0, skipped = 0, valid = 0;
    while (vec_next(&v)) {
        fipsrt_ec_curve c = vec_curve(&v);
        if (c == 0) {
            skipped++;
            continue;
        }
        const char *qx = vec_get(&v, "Qx"), *qy = vec_get(&v, "Qy");
        bool ok = vec_get(&v, "Result")[0] == 'P';
        size_t fs = curve_bytes(c);
        fipsrt_key *k = NULL;
        if (strlen(qx) > 2 * fs || strlen(qy) > 2 * fs) {
            /* A coordinate wider than the field cannot even be encoded as a point. */
            ck_assert(!ok);
        } else {
            uint8_t pt[133];
            size_t len = point_from_hex(c, qx, qy, pt);
            ck_assert_fipsrt(fipsrt_key_import_ec_point(&k, c, pt, len),
                             ok ? 0 : FIPSRT_E_MALFORMED);
            fipsrt_key_free(k);
        }
        valid += ok;
        run++;
    }
    vec_close(&v);
    vec_report("ECDSA/FIPS_186-3/PKV.rsp", run, skipped, "P-192, P-224, K-, B- curves are not approved here");
    ck_assert_int_eq(run, 36);
    ck_assert_int_gt(valid, 0);
    assert_err_queue_empty();
}
END_TEST

/* SubjectPublicKeyInfo DER for RSA (n, e), encoded by libcrypto (free with OPENSSL_free). */
static uint8_t *rsa_spki(const uint8_t *n, size_t n_len, unsigned long e, size_t *der_len)
{
    BIGNUM *bn_n = BN_bin2bn(n, (int)n_len, NULL), *bn_e = BN_new();
    ck_assert(bn_n != NULL && bn_e != NULL && BN_set_word(bn_e, e));
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    ck_assert(bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) &&
              OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e));
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *pkey = NULL;
    ck_assert(params && pctx && EVP_PKEY_fromdata_init(pctx) > 0 &&
              EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) > 0);
    OSSL_ENCODER_CTX *ectx = OSSL_ENCODER_CTX_new_for_pkey(pkey, EVP_PKEY_PUBLIC_KEY, "DER",
                                                           "SubjectPublicKeyInfo", NULL);
    uint8_t *der = NULL;
    ck_assert(ectx && OSSL_ENCODER_to_data(ectx, &der, der_len) > 0);
    OSSL_ENCODER_CTX_free(ectx);
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(pctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_n);
    BN_free(bn_e);
    return der;
}

START_TEST(test_rsa_public_raw)
{
    /* The 1024-bit modulus of the CAVP SigVer file, a legacy key; our 2048-bit one. */
    vec_file v;
    vec_open(&v, "asymmetric/RSA/FIPS_186-2/SigVer15_186-3.rsp");
    ck_assert(vec_next(&v));
    size_t n_len;
    uint8_t *n = hex_alloc(vec_get(&v, "n"), &n_len);
    vec_close(&v);
    static const uint8_t e3[] = {3}, e65537[] = {1, 0, 1}, e1[] = {1}, e_even[] = {1, 0, 0};
    fipsrt_key *k = NULL;
    ck_assert_ok(fipsrt_key_import_rsa_public(&k, n, n_len, e65537, 3));
    ck_assert_uint_eq(fipsrt_key_get_bits(k), 1024);
    ck_assert_int_eq(fipsrt_key_is_legacy(k), 1);
    fipsrt_key_free(k);
    k = NULL;
    ck_assert_fipsrt(fipsrt_key_import_rsa_public(&k, n, n_len, e1, 1), FIPSRT_E_MALFORMED);
    ck_assert_fipsrt(fipsrt_key_import_rsa_public(&k, n, n_len, e_even, 3), FIPSRT_E_MALFORMED);
    /* 512 bits: below even the legacy floor. */
    uint8_t n512[64];
    memcpy(n512, n, 64);
    n512[63] |= 1;
    ck_assert_fipsrt(fipsrt_key_import_rsa_public(&k, n512, 64, e3, 1), FIPSRT_E_NOT_APPROVED);
    n[n_len - 1] &= 0xfe;   /* even modulus */
    ck_assert_fipsrt(fipsrt_key_import_rsa_public(&k, n, n_len, e3, 1), FIPSRT_E_MALFORMED);
    ck_assert_fipsrt(fipsrt_key_import_rsa_public(&k, n, 0, e3, 1), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_key_import_rsa_public(&k, NULL, n_len, e3, 1), FIPSRT_E_INVALID_ARG);
    ck_assert_ptr_null(k);
    free(n);

    uint8_t nn[256], ee[3];
    size_t nn_len, ee_len;
    ck_assert_ok(fipsrt_key_export_rsa_public(rsa2048, nn, sizeof(nn), &nn_len, ee, sizeof(ee), &ee_len));
    ck_assert_ok(fipsrt_key_import_rsa_public(&k, nn, nn_len, ee, ee_len));
    ck_assert_int_eq(fipsrt_key_is_legacy(k), 0);
    uint8_t a[512], b[512];
    size_t al, bl;
    ck_assert_ok(fipsrt_key_export_public(k, FIPSRT_KEY_DER, a, sizeof(a), &al));
    ck_assert_ok(fipsrt_key_export_public(rsa2048, FIPSRT_KEY_DER, b, sizeof(b), &bl));
    ck_assert_uint_eq(al, bl);
    ck_assert_mem_eq(a, b, al);
    fipsrt_key_free(k);
    k = NULL;
    /* The same (n, e) rules hold for an SPKI: with e = 1 every s "verifies" its own encoding. */
    static const unsigned long bad_e[] = {0, 1, 2, 65536};
    for (size_t i = 0; i < sizeof(bad_e) / sizeof(bad_e[0]); i++) {
        size_t der_len;
        uint8_t *der = rsa_spki(nn, nn_len, bad_e[i], &der_len);
        ck_assert_fipsrt(fipsrt_key_import_public(&k, FIPSRT_KEY_DER, der, der_len),
                         FIPSRT_E_MALFORMED);
        ck_assert_ptr_null(k);
        OPENSSL_free(der);
    }
    size_t der_len;
    nn[nn_len - 1] ^= 1;   /* even modulus */
    uint8_t *der = rsa_spki(nn, nn_len, 65537, &der_len);
    ck_assert_fipsrt(fipsrt_key_import_public(&k, FIPSRT_KEY_DER, der, der_len), FIPSRT_E_MALFORMED);
    OPENSSL_free(der);
    nn[nn_len - 1] ^= 1;
    der = rsa_spki(nn, nn_len, 3, &der_len);   /* e = 3: odd, loads (verify only in practice) */
    ck_assert_ok(fipsrt_key_import_public(&k, FIPSRT_KEY_DER, der, der_len));
    OPENSSL_free(der);
    fipsrt_key_free(k);
    assert_err_queue_empty();
}
END_TEST

/* ---- argument checks and the rarer refusals --------------------------------------------- */

/* The last error's text starts with `want` (OpenSSL's reasons may follow after "; openssl:"). */
#define assert_last_error(want)                                                             \
    ck_assert_msg(strncmp(fipsrt_last_error(), (want), strlen(want)) == 0,                  \
                  "last error \"%s\", expected \"%s\"", fipsrt_last_error(), (want))

/* Every argument check of the raw import/export functions, each with its exact code. */
START_TEST(test_argument_checks)
{
    fipsrt_key *ec = NULL, *k = (fipsrt_key *)1;
    uint8_t pt[133], n[256], e[8], buf[1024];
    size_t pt_len = 0, n_len = 0, e_len = 0, len = 0;
    ck_assert_ok(fipsrt_key_generate_ec(&ec, FIPSRT_EC_P256));
    ck_assert_ok(fipsrt_key_export_ec_point(ec, pt, sizeof(pt), &pt_len));

    /* Raw EC points: no out, unknown curve, the right length with a compressed prefix. */
    ck_assert_fipsrt(fipsrt_key_import_ec_point(NULL, FIPSRT_EC_P256, pt, pt_len), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_key_import_ec_point(&k, (fipsrt_ec_curve)77, pt, pt_len), FIPSRT_E_INVALID_ARG);
    assert_last_error("ec_from_raw: unknown curve 77");
    ck_assert_ptr_null(k);
    pt[0] = 0x02;
    ck_assert_fipsrt(fipsrt_key_import_ec_point(&k, FIPSRT_EC_P256, pt, pt_len), FIPSRT_E_MALFORMED);
    ck_assert_ptr_null(k);
    pt[0] = 0x04;

    /* RSA (n, e): no out, no or empty e, over 2048 bytes, e above n. */
    ck_assert_ok(fipsrt_key_export_rsa_public(rsa2048, n, sizeof(n), &n_len, e, sizeof(e), &e_len));
    ck_assert_fipsrt(fipsrt_key_import_rsa_public(NULL, n, n_len, e, e_len), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_key_import_rsa_public(&k, n, n_len, NULL, e_len), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_key_import_rsa_public(&k, n, n_len, e, 0), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_key_import_rsa_public(&k, n, 2049, e, e_len), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_key_import_rsa_public(&k, n, n_len, e, 2049), FIPSRT_E_INVALID_ARG);
    uint8_t big_e[257];
    big_e[0] = 1;
    memcpy(big_e + 1, n, n_len);   /* 2^2048 + n: odd, and longer than n */
    ck_assert_fipsrt(fipsrt_key_import_rsa_public(&k, n, n_len, big_e, sizeof(big_e)), FIPSRT_E_MALFORMED);
    assert_last_error("fipsrt_key_import_rsa_public: RSA exponent must be below n");
    ck_assert_ptr_null(k);

    /* Export: NULL key / out_len / output with room claimed, bad encoding, short e buffer. */
    ck_assert_fipsrt(fipsrt_key_export_private(ec, (fipsrt_key_encoding)9, NULL, 0, buf, sizeof(buf), &len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_key_export_public(NULL, FIPSRT_KEY_DER, buf, sizeof(buf), &len), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_key_export_public(ec, FIPSRT_KEY_DER, buf, sizeof(buf), NULL), FIPSRT_E_INVALID_ARG);
    len = 0;
    ck_assert_fipsrt(fipsrt_key_export_public(ec, FIPSRT_KEY_DER, NULL, sizeof(buf), &len), FIPSRT_E_INVALID_ARG);
    assert_last_error("fipsrt_key_export_public: invalid argument: out != NULL");
    ck_assert_uint_eq(len, 91);
    ck_assert_fipsrt(fipsrt_key_export_ec_point(NULL, pt, sizeof(pt), &pt_len), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_key_export_ec_point(ec, pt, sizeof(pt), NULL), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_key_export_rsa_public(NULL, n, sizeof(n), &n_len, e, sizeof(e), &e_len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_key_export_rsa_public(rsa2048, n, sizeof(n), NULL, e, sizeof(e), &e_len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_key_export_rsa_public(rsa2048, n, sizeof(n), &n_len, e, sizeof(e), NULL),
                     FIPSRT_E_INVALID_ARG);
    n_len = e_len = 0;
    ck_assert_fipsrt(fipsrt_key_export_rsa_public(rsa2048, n, sizeof(n), &n_len, e, 2, &e_len),
                     FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(n_len, 256);
    ck_assert_uint_eq(e_len, 3);
    ck_assert_fipsrt(fipsrt_key_export_rsa_public(rsa2048, NULL, sizeof(n), &n_len, e, sizeof(e), &e_len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_key_export_rsa_public(rsa2048, n, sizeof(n), &n_len, NULL, sizeof(e), &e_len),
                     FIPSRT_E_INVALID_ARG);

    /* fipsrt_key_public: no out, no key (out is cleared first). */
    ck_assert_fipsrt(fipsrt_key_public(NULL, ec), FIPSRT_E_INVALID_ARG);
    k = (fipsrt_key *)1;
    ck_assert_fipsrt(fipsrt_key_public(&k, NULL), FIPSRT_E_INVALID_ARG);
    ck_assert_ptr_null(k);

    /* Import: no out, no data (public), a PEM length beyond INT_MAX (refused unread). */
    ck_assert_fipsrt(fipsrt_key_import_public(NULL, FIPSRT_KEY_DER, buf, 10), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_key_import_public(&k, FIPSRT_KEY_DER, NULL, 10), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_key_import_private(&k, FIPSRT_KEY_PEM, buf, (size_t)INT_MAX + 1, NULL, 0),
                     FIPSRT_E_MALFORMED);
    assert_last_error("pem_unwrap: PEM input of 2147483648 bytes is too large");
    fipsrt_key_free(ec);
    assert_err_queue_empty();
}
END_TEST

/* PEM forms that are not ours: a PKCS#1 public key, an empty block. */
START_TEST(test_pem_forms)
{
    fipsrt_key *k = (fipsrt_key *)1;
    static const char pkcs1[] = "-----BEGIN RSA PUBLIC KEY-----\nMAA=\n-----END RSA PUBLIC KEY-----\n";
    ck_assert_fipsrt(fipsrt_key_import_public(&k, FIPSRT_KEY_PEM, (const uint8_t *)pkcs1, strlen(pkcs1)),
                     FIPSRT_E_UNSUPPORTED);
    ck_assert_ptr_null(k);
    /* An empty block: libcrypto's PEM reader already refuses it. */
    static const char empty[] = "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n";
    ck_assert_fipsrt(fipsrt_key_import_public(&k, FIPSRT_KEY_PEM, (const uint8_t *)empty, strlen(empty)),
                     FIPSRT_E_MALFORMED);
    assert_last_error("pem_unwrap: no valid PEM block (framing or base64)");
    ck_assert_ptr_null(k);
    /* Blocks that are no key at all, short and long labels. */
    static const char *const other[] = {
        "-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n",
        "-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n",
    };
    for (size_t i = 0; i < 2; i++) {
        ck_assert_fipsrt(fipsrt_key_import_public(&k, FIPSRT_KEY_PEM, (const uint8_t *)other[i], strlen(other[i])),
                         FIPSRT_E_MALFORMED);
        assert_last_error("pem_unwrap: unexpected PEM block");
        ck_assert_ptr_null(k);
    }
    /* An EC SPKI whose point is the point at infinity (the single octet 0x00): the
     * decoder refuses it, so the public-key validation after it never sees one. */
    static const uint8_t inf[] = {0x30, 0x19, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
                                  0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x02, 0x00, 0x00};
    ck_assert_fipsrt(fipsrt_key_import_public(&k, FIPSRT_KEY_DER, inf, sizeof(inf)), FIPSRT_E_MALFORMED);
    assert_last_error("decode_der: EC key does not decode as SubjectPublicKeyInfo");   /* before any check of ours */
    ck_assert_ptr_null(k);
    assert_err_queue_empty();
}
END_TEST

/* Overwrite the bytes after the first occurrence of `pat` (at offset `at` from its start). */
static void patch(uint8_t *der, size_t len, const uint8_t *pat, size_t pat_len, long at, uint8_t v)
{
    uint8_t *p = memmem(der, len, pat, pat_len);
    ck_assert_ptr_nonnull(p);
    p[at] = v;
}

/*
 * EncryptedPrivateKeyInfo parameters, each refusal in check_pbe() by editing one byte of
 * a key this library encrypted (PBES2, PBKDF2 with HMAC-SHA-256, AES-256-CBC): before any
 * password is tried.
 */
START_TEST(test_pbes2_params)
{
    static const uint8_t pbes2[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d};
    static const uint8_t pbkdf2[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c};
    static const uint8_t hmac256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x09};
    static const uint8_t aes256[] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a};
    static const struct {
        const uint8_t *pat;
        size_t pat_len;
        long at;
        uint8_t v;
        int code;
        const char *msg;
    } t[] = {
        {pbes2, sizeof(pbes2), sizeof(pbes2), 0x31, FIPSRT_E_MALFORMED, "check_pbe: PBES2 without parameters"},
        {pbkdf2, sizeof(pbkdf2), -2, 0x31, FIPSRT_E_MALFORMED, "check_pbe: malformed PBES2 parameters"},
        {pbkdf2, sizeof(pbkdf2), 10, 0x0d, FIPSRT_E_NOT_APPROVED,
         "check_pbe: PBES2 key derivation other than PBKDF2 (e.g. scrypt) is not approved"},
        {pbkdf2, sizeof(pbkdf2), sizeof(pbkdf2), 0x31, FIPSRT_E_MALFORMED, "check_pbe: malformed PBKDF2 parameters"},
        {hmac256, sizeof(hmac256), 9, 0x06, FIPSRT_E_NOT_APPROVED,
         "check_pbe: PBKDF2 with PRF hmacWithMD5 is not approved (HMAC with SHA-1, SHA-2 or SHA-3 only)"},
        {hmac256, sizeof(hmac256), 9, 0x7f, FIPSRT_E_NOT_APPROVED,
         "check_pbe: PBKDF2 with PRF ? is not approved (HMAC with SHA-1, SHA-2 or SHA-3 only)"},
        {aes256, sizeof(aes256), 10, 0x29, FIPSRT_E_NOT_APPROVED,
         "check_pbe: PBES2 encryption other than AES-CBC (e.g. 3DES, RC2) is not approved"},
    };
    fipsrt_key *ec = NULL, *k = (fipsrt_key *)1;
    uint8_t der[1024], buf[1024];
    size_t der_len = 0;
    ck_assert_ok(fipsrt_key_generate_ec(&ec, FIPSRT_EC_P256));
    ck_assert_ok(fipsrt_key_export_private(ec, FIPSRT_KEY_DER, "pw", 2, der, sizeof(der), &der_len));
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        memcpy(buf, der, der_len);
        patch(buf, der_len, t[i].pat, t[i].pat_len, t[i].at, t[i].v);
        ck_assert_fipsrt(fipsrt_key_import_private(&k, FIPSRT_KEY_DER, buf, der_len, "pw", 2), t[i].code);
        assert_last_error(t[i].msg);
        ck_assert_ptr_null(k);
    }
    /* A password length beyond int: refused before PBKDF2 runs. */
    ck_assert_fipsrt(fipsrt_key_import_private(&k, FIPSRT_KEY_DER, der, der_len, "pw", (size_t)INT_MAX + 1),
                     FIPSRT_E_INVALID_ARG);
    assert_last_error("pkcs8_plain: password too long");
    ck_assert_ptr_null(k);
    fipsrt_key_free(ec);
    assert_err_queue_empty();
}
END_TEST

/* Version fields: PrivateKeyInfo v3 and an ECPrivateKey of version 2 are not read. */
START_TEST(test_pkcs8_versions)
{
    fipsrt_key *ec = NULL, *k = (fipsrt_key *)1;
    uint8_t der[256], buf[256];
    size_t der_len = 0;
    ck_assert_ok(fipsrt_key_generate_ec(&ec, FIPSRT_EC_P256));
    ck_assert_ok(fipsrt_key_export_private(ec, FIPSRT_KEY_DER, NULL, 0, der, sizeof(der), &der_len));
    static const uint8_t v0[] = {0x02, 0x01, 0x00, 0x30}, v1[] = {0x02, 0x01, 0x01, 0x04};
    memcpy(buf, der, der_len);
    patch(buf, der_len, v0, sizeof(v0), 2, 0x02);
    ck_assert_fipsrt(fipsrt_key_import_private(&k, FIPSRT_KEY_DER, buf, der_len, NULL, 0), FIPSRT_E_MALFORMED);
    assert_last_error("check_versions: PKCS#8 version is not v1 or v2");
    ck_assert_ptr_null(k);
    memcpy(buf, der, der_len);
    patch(buf, der_len, v1, sizeof(v1), 2, 0x02);
    ck_assert_fipsrt(fipsrt_key_import_private(&k, FIPSRT_KEY_DER, buf, der_len, NULL, 0), FIPSRT_E_MALFORMED);
    assert_last_error("check_versions: SEC 1 ECPrivateKey version is not 1");
    ck_assert_ptr_null(k);
    fipsrt_key_free(ec);
    assert_err_queue_empty();
}
END_TEST

static char *bn_hex_param(const EVP_PKEY *pkey, const char *name)
{
    BIGNUM *bn = NULL;
    ck_assert(EVP_PKEY_get_bn_param(pkey, name, &bn) > 0);
    char *hex = BN_bn2hex(bn);
    BN_free(bn);
    return hex;
}

/*
 * RSA private keys the policy refuses after decoding: d that does not match (e, n) (the
 * pairwise sign/verify), a public exponent of 257 bits (FIPS 186-4 B.3.1), and an SPKI with
 * e above n.
 */
START_TEST(test_rsa_private_policy)
{
    uint8_t der[4096];
    size_t der_len;
    ck_assert_ok(fipsrt_key_export_private(rsa2048, FIPSRT_KEY_DER, NULL, 0, der, sizeof(der), &der_len));
    const unsigned char *p = der;
    EVP_PKEY *pkey = d2i_AutoPrivateKey(NULL, &p, (long)der_len);
    ck_assert_ptr_nonnull(pkey);
    char *n = bn_hex_param(pkey, OSSL_PKEY_PARAM_RSA_N), *e = bn_hex_param(pkey, OSSL_PKEY_PARAM_RSA_E);
    char *d = bn_hex_param(pkey, OSSL_PKEY_PARAM_RSA_D);
    char *pp = bn_hex_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR1), *q = bn_hex_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR2);
    fipsrt_key *k = NULL;
    ck_assert_ok(rsa_private_from_hex(&k, n, e, d, pp, q));   /* control */
    fipsrt_key_free(k);
    k = NULL;

    /* d with its last hex digit changed: signs, but the signature does not verify. */
    size_t dl = strlen(d);
    d[dl - 1] = d[dl - 1] == '2' ? '4' : '2';
    ck_assert_fipsrt(rsa_private_from_hex(&k, n, e, d, pp, q), FIPSRT_E_MALFORMED);
    assert_last_error("rsa_pct: RSA private and public key do not match");
    ck_assert_ptr_null(k);

    /* e = 2^256 + 1 with its matching d. */
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *bp = NULL, *bq = NULL, *be = BN_new(), *bd = BN_new(), *l = BN_new(), *t = BN_new(), *g = BN_new();
    ck_assert(BN_hex2bn(&bp, pp) && BN_hex2bn(&bq, q));
    ck_assert(BN_sub(t, bp, BN_value_one()) && BN_sub(l, bq, BN_value_one()));
    ck_assert(BN_gcd(g, t, l, ctx) && BN_mul(t, t, l, ctx) && BN_div(l, NULL, t, g, ctx));   /* lcm */
    ck_assert(BN_set_bit(be, 256) && BN_add_word(be, 1));
    while (BN_mod_inverse(bd, be, l, ctx) == NULL)
        ck_assert(BN_add_word(be, 2));
    char *e257 = BN_bn2hex(be), *d257 = BN_bn2hex(bd);
    d[dl - 1] = d[dl - 1] == '2' ? '4' : '2';
    ck_assert_fipsrt(rsa_private_from_hex(&k, n, e257, d257, pp, q), FIPSRT_E_NOT_APPROVED);
    assert_last_error("check_rsa_exponent: RSA public exponent of 257 bits is outside 2^16 < e < 2^256 "
                     "(FIPS 186-4 B.3.1)");
    ck_assert_ptr_null(k);

    /* An SPKI with e = n + 2 (odd, above n): decodes, then fails the (n, e) rule. */
    BIGNUM *bn = NULL;
    ck_assert(BN_hex2bn(&bn, n) && BN_copy(be, bn) && BN_add_word(be, 2));
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    ck_assert(bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) &&
              OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be));
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *pub = NULL;
    ck_assert(params && pctx && EVP_PKEY_fromdata_init(pctx) > 0 &&
              EVP_PKEY_fromdata(pctx, &pub, EVP_PKEY_PUBLIC_KEY, params) > 0);
    OSSL_ENCODER_CTX *ectx = OSSL_ENCODER_CTX_new_for_pkey(pub, EVP_PKEY_PUBLIC_KEY, "DER",
                                                           "SubjectPublicKeyInfo", NULL);
    uint8_t *spki = NULL;
    size_t spki_len = 0;
    ck_assert(ectx && OSSL_ENCODER_to_data(ectx, &spki, &spki_len) > 0);
    ck_assert_fipsrt(fipsrt_key_import_public(&k, FIPSRT_KEY_DER, spki, spki_len), FIPSRT_E_MALFORMED);
    assert_last_error("check_rsa_public: RSA modulus and exponent must be odd, with 1 < e < n");
    ck_assert_ptr_null(k);

    OPENSSL_free(spki);
    OSSL_ENCODER_CTX_free(ectx);
    EVP_PKEY_free(pub);
    EVP_PKEY_CTX_free(pctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn);
    OPENSSL_free(e257);
    OPENSSL_free(d257);
    BN_free(bp); BN_free(bq); BN_free(be); BN_free(bd); BN_free(l); BN_free(t); BN_free(g);
    BN_CTX_free(ctx);
    OPENSSL_free(n); OPENSSL_free(e); OPENSSL_free(d); OPENSSL_free(pp); OPENSSL_free(q);
    EVP_PKEY_free(pkey);
    assert_err_queue_empty();
}
END_TEST

/* ---- cross-implementation: openssl CLI and Python's cryptography ------------------------ */

START_TEST(test_cross_openssl_python)
{
    char *dir = make_temp_dir();
    char path[256], pub_path[256], script[4096];
    uint8_t buf[8192];
    size_t len;
    proc_result *r = malloc(sizeof(*r));
    fipsrt_key *ec = NULL, *k = NULL;
    ck_assert_ok(fipsrt_key_generate_ec(&ec, FIPSRT_EC_P384));

    /* Ours -> openssl: an encrypted PKCS#8 and the SPKI, compared as openssl re-encodes. */
    snprintf(path, sizeof(path), "%s/ec.pem", dir);
    ck_assert_ok(fipsrt_key_export_private(ec, FIPSRT_KEY_PEM, "s3cret", 6, buf, sizeof(buf), &len));
    write_file(path, buf, len);
    snprintf(pub_path, sizeof(pub_path), "%s/pub.pem", dir);
    ck_assert_ok(fipsrt_key_export_public(ec, FIPSRT_KEY_PEM, buf, sizeof(buf), &len));
    write_file(pub_path, buf, len);
    char *a1[] = {"/usr/bin/openssl", "pkey", "-in", path, "-passin", "pass:s3cret", "-pubout", NULL};
    run_openssl(a1, r);
    ck_assert_msg(r->exited && r->status == 0, "openssl: %s", r->err);
    ck_assert_uint_eq(strlen(r->out), len);
    ck_assert_mem_eq(r->out, buf, len);

    /* Ours -> Python: private (encrypted, DER and PEM) and public keys load; numbers agree. */
    snprintf(script, sizeof(script),
             "from cryptography.hazmat.primitives import serialization as s\n"
             "k = s.load_pem_private_key(open('%s','rb').read(), b's3cret')\n"
             "p = s.load_pem_public_key(open('%s','rb').read())\n"
             "assert k.public_key().public_numbers() == p.public_numbers()\n"
             "print(k.curve.name)\n", path, pub_path);
    run_python(script, r);
    ck_assert_str_eq(r->out, "secp384r1\n");

    /* openssl -> ours: genpkey RSA-3072 (PKCS#8) with PBES2 AES-256-CBC, and an EC key. */
    snprintf(path, sizeof(path), "%s/rsa.pem", dir);
    char *a2[] = {"/usr/bin/openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                  "rsa_keygen_bits:3072", "-aes-256-cbc", "-pass", "pass:pw", "-out", path, NULL};
    run_openssl(a2, r);
    ck_assert_msg(r->exited && r->status == 0, "openssl: %s", r->err);
    char *pem = slurp(path, &len);
    ck_assert_ok(fipsrt_key_import_private(&k, FIPSRT_KEY_PEM, (uint8_t *)pem, len, "pw", 2));
    ck_assert_uint_eq(fipsrt_key_get_bits(k), 3072);
    fipsrt_key_free(k);
    k = NULL;
    free(pem);
    /* ... and openssl refuses nothing we refuse silently: its secp256k1 key is not approved. */
    snprintf(path, sizeof(path), "%s/k1.pem", dir);
    char *a3[] = {"/usr/bin/openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                  "ec_paramgen_curve:secp256k1", "-out", path, NULL};
    run_openssl(a3, r);
    ck_assert_msg(r->exited && r->status == 0, "openssl: %s", r->err);
    pem = slurp(path, &len);
    ck_assert_fipsrt(fipsrt_key_import_private(&k, FIPSRT_KEY_PEM, (uint8_t *)pem, len, NULL, 0),
                     FIPSRT_E_NOT_APPROVED);
    free(pem);

    /* Python -> ours: PKCS#8 encrypted with BestAvailableEncryption, SPKI DER. */
    snprintf(path, sizeof(path), "%s/py.pem", dir);
    snprintf(pub_path, sizeof(pub_path), "%s/py.der", dir);
    snprintf(script, sizeof(script),
             "from cryptography.hazmat.primitives import serialization as s\n"
             "from cryptography.hazmat.primitives.asymmetric import ec\n"
             "k = ec.generate_private_key(ec.SECP521R1())\n"
             "open('%s','wb').write(k.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8,"
             " s.BestAvailableEncryption(b'py-pass')))\n"
             "open('%s','wb').write(k.public_key().public_bytes(s.Encoding.DER,"
             " s.PublicFormat.SubjectPublicKeyInfo))\n"
             "print(k.public_key().public_bytes(s.Encoding.X962,"
             " s.PublicFormat.UncompressedPoint).hex())\n", path, pub_path);
    run_python(script, r);
    pem = slurp(path, &len);
    ck_assert_ok(fipsrt_key_import_private(&k, FIPSRT_KEY_PEM, (uint8_t *)pem, len, "py-pass", 7));
    free(pem);
    ck_assert_ok(fipsrt_key_export_ec_point(k, buf, sizeof(buf), &len));
    char *hex = to_hex(buf, len);
    ck_assert_int_eq(strncmp(hex, r->out, 2 * len), 0);
    free(hex);
    fipsrt_key_free(k);
    k = NULL;
    uint8_t *der = (uint8_t *)slurp(pub_path, &len);
    ck_assert_ok(fipsrt_key_import_public(&k, FIPSRT_KEY_DER, der, len));
    ck_assert_int_eq(fipsrt_key_get_curve(k), FIPSRT_EC_P521);
    free(der);
    fipsrt_key_free(k);
    fipsrt_key_free(ec);
    free(r);
    rm_rf(dir);
    free(dir);
    assert_err_queue_empty();
}
END_TEST

/* ---- the fipsrt CLI: keygen, pubkey, sign, verify, encrypt, decrypt ---------------------- */

static void cli(proc_result *r, int want, const char *a0, ...)
{
    char *argv[32];
    int n = 0;
    argv[n++] = (char *)getenv("FIPSRT_CLI");
    ck_assert_ptr_nonnull(argv[0]);
    va_list ap;
    va_start(ap, a0);
    for (const char *a = a0; a != NULL && n < 31; a = va_arg(ap, const char *))
        argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;
    run_process(argv, NULL, NULL, r);
    ck_assert_msg(r->exited && r->status == want, "fipsrt %s: exit %d (want %d): %s%s", a0,
                  r->status, want, r->out, r->err);
}

START_TEST(test_cli)
{
    char *dir = make_temp_dir();
    char key[256], pub[256], msg[256], sig[256], ct[256], pt[256], pass[256], rkey[256], rpub[256];
    proc_result *r = malloc(sizeof(*r));
    snprintf(key, sizeof(key), "%s/ec.pem", dir);
    snprintf(pub, sizeof(pub), "%s/ec.pub", dir);
    snprintf(rkey, sizeof(rkey), "%s/rsa.pem", dir);
    snprintf(rpub, sizeof(rpub), "%s/rsa.pub", dir);
    snprintf(msg, sizeof(msg), "%s/msg", dir);
    snprintf(sig, sizeof(sig), "%s/sig", dir);
    snprintf(ct, sizeof(ct), "%s/ct", dir);
    snprintf(pt, sizeof(pt), "%s/pt", dir);
    snprintf(pass, sizeof(pass), "%s/pass", dir);
    write_file(msg, "signed by the CLI\n", 18);
    write_file(pass, "hunter22\n", 9);

    /* EC: an encrypted key, its public key, signatures in both encodings. */
    cli(r, 0, "keygen", "ec", "--curve", "p521", "--pass-file", pass, "-o", key, NULL);
    char *pem = slurp(key, NULL);
    ck_assert_ptr_nonnull(strstr(pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    free(pem);
    cli(r, 0, "pubkey", key, "--pass-file", pass, "-o", pub, NULL);
    cli(r, 0, "sign", "--key", key, "--pass-file", pass, "--hash", "sha512", msg, "-o", sig, NULL);
    cli(r, 0, "verify", "--pubkey", pub, "--sig", sig, "--hash", "sha512", msg, NULL);
    ck_assert_str_eq(r->out, "Verified OK\n");
    char *ov[] = {"/usr/bin/openssl", "dgst", "-sha512", "-verify", pub, "-signature", sig, msg, NULL};
    run_openssl(ov, r);
    ck_assert_msg(r->exited && r->status == 0, "openssl: %s", r->err);
    cli(r, 1, "verify", "--pubkey", pub, "--sig", sig, "--hash", "sha384", msg, NULL);
    ck_assert_str_eq(r->out, "Verification failure\n");
    cli(r, 0, "sign", "--key", key, "--pass-file", pass, "--format", "p1363", msg, "-o", sig, NULL);
    size_t len;
    free(slurp(sig, &len));
    ck_assert_uint_eq(len, 132);
    cli(r, 0, "verify", "--pubkey", pub, "--sig", sig, "--format", "p1363", msg, NULL);
    cli(r, 1, "verify", "--pubkey", pub, "--sig", sig, msg, NULL);   /* not DER */
    cli(r, 2, "sign", "--key", key, msg, "-o", sig, NULL);            /* no --pass-file */
    cli(r, 1, "sign", "--key", key, "--pass-file", pass, "--hash", "sha1", msg, "-o", sig, NULL);
    cli(r, 1, "sign", "--key", key, "--pass-file", pass, "--hash", "md5", msg, "-o", sig, NULL);
    cli(r, 1, "sign", "--key", pub, msg, "-o", sig, NULL);            /* a public key */

    /* RSA: PSS and v1.5 signatures, OAEP both ways with openssl. */
    cli(r, 0, "keygen", "rsa", "--bits", "2048", "-o", rkey, NULL);
    cli(r, 0, "pubkey", rkey, "-o", rpub, NULL);
    cli(r, 0, "sign", "--key", rkey, "--pss", msg, "-o", sig, NULL);
    cli(r, 0, "verify", "--pubkey", rpub, "--sig", sig, "--pss", msg, NULL);
    cli(r, 1, "verify", "--pubkey", rpub, "--sig", sig, msg, NULL);
    char *ov2[] = {"/usr/bin/openssl", "dgst", "-sha256", "-verify", rpub, "-signature", sig,
                   "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest", msg, NULL};
    run_openssl(ov2, r);
    ck_assert_msg(r->exited && r->status == 0, "openssl: %s", r->err);
    char *os[] = {"/usr/bin/openssl", "dgst", "-sha384", "-sign", rkey, "-out", sig, msg, NULL};
    run_openssl(os, r);
    cli(r, 0, "verify", "--pubkey", rpub, "--sig", sig, "--hash", "sha384", msg, NULL);
    cli(r, 0, "encrypt", "--oaep", "--pubkey", rpub, "--label", "L", msg, "-o", ct, NULL);
    char *od[] = {"/usr/bin/openssl", "pkeyutl", "-decrypt", "-inkey", rkey, "-in", ct, "-pkeyopt",
                  "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt",
                  "rsa_oaep_label:4c", NULL};
    run_openssl(od, r);
    ck_assert_msg(r->exited && r->status == 0, "openssl: %s", r->err);
    ck_assert_str_eq(r->out, "signed by the CLI\n");
    char *oe[] = {"/usr/bin/openssl", "pkeyutl", "-encrypt", "-pubin", "-inkey", rpub, "-in", msg,
                  "-out", ct, "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha384",
                  "-pkeyopt", "rsa_mgf1_md:sha384", NULL};
    run_openssl(oe, r);
    cli(r, 0, "decrypt", "--oaep", "--key", rkey, "--hash", "sha384", ct, "-o", pt, NULL);
    char *got = slurp(pt, NULL);
    ck_assert_str_eq(got, "signed by the CLI\n");
    free(got);
    cli(r, 1, "decrypt", "--oaep", "--key", rkey, ct, "-o", pt, NULL);   /* wrong hash */

    /* Refusals and usage errors. */
    cli(r, 2, "encrypt", "--pubkey", rpub, msg, NULL);                  /* no --oaep */
    cli(r, 1, "keygen", "rsa", "--bits", "1024", "-o", rkey, NULL);
    cli(r, 2, "keygen", "ec", "--curve", "secp256k1", "-o", key, NULL);
    cli(r, 2, "keygen", "dsa", "-o", key, NULL);
    cli(r, 2, "sign", "--key", rkey, "--format", "p1363", msg, NULL);
    cli(r, 2, "verify", "--pubkey", rpub, msg, NULL);                   /* no --sig */
    cli(r, 2, "sign", "--key", "/nonexistent", msg, NULL);
    free(r);
    rm_rf(dir);
    free(dir);
}
END_TEST

static Suite *make_suite(void)
{
    if (fipsrt_key_generate_rsa(&rsa2048, 2048) != 0) {
        fprintf(stderr, "RSA-2048 generation failed: %s\n", fipsrt_last_error());
        abort();
    }
    atexit(free_fixture);
    Suite *s = suite_create("keys");
    TCase *tc = tcase_create("generate");
    tcase_add_test(tc, test_generate_ec);
    tcase_add_test(tc, test_generate_rsa);
    tcase_add_test(tc, test_generate_refusals);
    suite_add_tcase(s, tc);
    tc = tcase_create("encode");
    tcase_add_loop_test(tc, test_round_trip, 0, 3);
    tcase_add_test(tc, test_round_trip_rsa_and_encrypted);
    tcase_add_test(tc, test_output_buffers);
    tcase_add_test(tc, test_raw_ec);
    tcase_add_test(tc, test_rsa_public_raw);
    suite_add_tcase(s, tc);
    tc = tcase_create("policy");
    tcase_add_test(tc, test_vector_key_files);
    tcase_add_test(tc, test_malformed);
    tcase_add_test(tc, test_cavp_keypair);
    tcase_add_test(tc, test_cavp_pkv);
    tcase_add_test(tc, test_argument_checks);
    tcase_add_test(tc, test_pem_forms);
    tcase_add_test(tc, test_pbes2_params);
    tcase_add_test(tc, test_pkcs8_versions);
    tcase_add_test(tc, test_rsa_private_policy);
    suite_add_tcase(s, tc);
    tc = tcase_create("cross");
    tcase_add_test(tc, test_cross_openssl_python);
    tcase_add_test(tc, test_cli);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(make_suite); }
