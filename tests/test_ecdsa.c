/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ECDSA: CAVP SigVer.rsp and SigGen.rsp run whole, DER <-> P1363, policy refusals, bad
 * signatures (wrong length, high-S, zero r/s, tampering), cross-checks with the openssl CLI
 * and Python's cryptography, and one key shared by 8 signing/verifying threads.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>

#include "pk_testutil.h"

/* Group orders, to build high-S and out-of-range signatures. */
static const char *order_hex(fipsrt_ec_curve c)
{
    switch (c) {
    case FIPSRT_EC_P256:
        return "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";
    case FIPSRT_EC_P384:
        return "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973";
    default:
        return "01" "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
               "FA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409";
    }
}

/* r || s from the hex R and S of a vector. */
static size_t p1363_from_hex(fipsrt_ec_curve c, const char *r, const char *s, uint8_t *out)
{
    size_t fs = curve_bytes(c);
    hex_fixed(r, out, fs);
    hex_fixed(s, out + fs, fs);
    return 2 * fs;
}

START_TEST(test_cavp_sigver)
{
    vec_file v;
    vec_open(&v, "asymmetric/ECDSA/FIPS_186-3/SigVer.rsp");
    int run = 0, skipped = 0, legacy = 0, bad_q = 0, refused = 0;
    while (vec_next(&v)) {
        fipsrt_ec_curve c = vec_curve(&v);
        if (c == 0) {
            skipped++;
            continue;
        }
        const char *hdr = strchr(v.section_line, ',');
        fipsrt_hash_alg h = hash_from_name(hdr + 1);
        ck_assert_int_ne(h, 0);
        bool ok = vec_get(&v, "Result")[0] == 'P';
        size_t msg_len, fs = curve_bytes(c);
        uint8_t *msg = hex_alloc(vec_get(&v, "Msg"), &msg_len);
        uint8_t pt[133], sig[132], der[FIPSRT_ECDSA_MAX_SIZE], dg[64];
        size_t pt_len = point_from_hex(c, vec_get(&v, "Qx"), vec_get(&v, "Qy"), pt);
        size_t sig_len = p1363_from_hex(c, vec_get(&v, "R"), vec_get(&v, "S"), sig), der_len;
        fipsrt_key *k = NULL;
        int rv = fipsrt_key_import_ec_point(&k, c, pt, pt_len);
        if (rv != 0) {
            /* "Q changed": a point off the curve cannot even be loaded. */
            ck_assert_msg(!ok, "valid vector's Q refused: %s", fipsrt_last_error());
            ck_assert_int_eq(rv, FIPSRT_E_MALFORMED);
            bad_q++;
        } else {
            int want = ok ? 0 : FIPSRT_E_VERIFY_FAILED;
            ck_assert_fipsrt(fipsrt_ecdsa_verify(k, h, FIPSRT_ECDSA_P1363, msg, msg_len, sig, sig_len),
                             want);
            ck_assert_ok(fipsrt_ecdsa_p1363_to_der(c, sig, sig_len, der, sizeof(der), &der_len));
            ck_assert_fipsrt(fipsrt_ecdsa_verify(k, h, FIPSRT_ECDSA_DER, msg, msg_len, der, der_len),
                             want);
            ck_assert_ok(fipsrt_hash(h, msg, msg_len, dg, sizeof(dg), NULL));
            ck_assert_fipsrt(fipsrt_ecdsa_verify_digest(k, h, FIPSRT_ECDSA_DER, dg, fipsrt_hash_size(h),
                                                        der, der_len), want);
            /* Back to P1363: the conversion is lossless. */
            uint8_t back[132];
            size_t back_len;
            ck_assert_ok(fipsrt_ecdsa_der_to_p1363(c, der, der_len, back, sizeof(back), &back_len));
            ck_assert_uint_eq(back_len, 2 * fs);
            ck_assert_mem_eq(back, sig, back_len);
            refused += !ok;
        }
        legacy += fipsrt_ecdsa_verify_is_legacy(h);
        fipsrt_key_free(k);
        free(msg);
        run++;
    }
    vec_close(&v);
    vec_report("ECDSA/FIPS_186-3/SigVer.rsp", run, skipped,
               "P-192, P-224 and K-/B- curves are not approved here");
    printf("  of which %d SHA-1 (legacy verification), %d invalid signatures refused, "
           "%d invalid public keys refused at import\n", legacy, refused, bad_q);
    ck_assert_int_eq(run, 225);
    assert_err_queue_empty();
}
END_TEST

/*
 * SigGen.rsp holds Q and a signature per message; SigGen.txt the same records with the
 * private d. Each vector signature verifies; with d, ECDSA being randomized, the test
 * signs the message itself and verifies that (SHA-1 signing must be refused).
 */
START_TEST(test_cavp_siggen)
{
    static const char *const files[] = {"asymmetric/ECDSA/FIPS_186-3/SigGen.rsp",
                                        "asymmetric/ECDSA/FIPS_186-3/SigGen.txt"};
    vec_file v;
    vec_open(&v, files[_i]);
    int run = 0, skipped = 0, sha1 = 0, signed_here = 0;
    while (vec_next(&v)) {
        fipsrt_ec_curve c = vec_curve(&v);
        if (c == 0) {
            skipped++;
            continue;
        }
        fipsrt_hash_alg h = hash_from_name(strchr(v.section_line, ',') + 1);
        size_t msg_len, fs = curve_bytes(c), sig_len, pt_len;
        uint8_t *msg = hex_alloc(vec_get(&v, "Msg"), &msg_len);
        uint8_t d[66], pt[133], sig[FIPSRT_ECDSA_MAX_SIZE], ref[132];
        pt_len = point_from_hex(c, vec_get(&v, "Qx"), vec_get(&v, "Qy"), pt);
        fipsrt_key *k = NULL;
        if (vec_get(&v, "d") != NULL) {
            hex_fixed(vec_get(&v, "d"), d, fs);
            ck_assert_ok(fipsrt_key_import_ec_private(&k, c, d, fs, pt, pt_len));
        } else {
            ck_assert_ok(fipsrt_key_import_ec_point(&k, c, pt, pt_len));
        }
        size_t ref_len = p1363_from_hex(c, vec_get(&v, "R"), vec_get(&v, "S"), ref);
        ck_assert_ok(fipsrt_ecdsa_verify(k, h, FIPSRT_ECDSA_P1363, msg, msg_len, ref, ref_len));
        fipsrt_ecdsa_format fmt = run % 2 ? FIPSRT_ECDSA_DER : FIPSRT_ECDSA_P1363;
        if (h == FIPSRT_HASH_SHA1) {
            ck_assert_fipsrt(fipsrt_ecdsa_sign(k, h, fmt, msg, msg_len, sig, sizeof(sig), &sig_len),
                             fipsrt_key_has_private(k) ? FIPSRT_E_NOT_APPROVED : FIPSRT_E_KEY_TYPE);
            sha1++;
        } else if (fipsrt_key_has_private(k)) {
            ck_assert_ok(fipsrt_ecdsa_sign(k, h, fmt, msg, msg_len, sig, sizeof(sig), &sig_len));
            ck_assert_uint_le(sig_len, fipsrt_ecdsa_max_size(c, fmt));
            ck_assert_ok(fipsrt_ecdsa_verify(k, h, fmt, msg, msg_len, sig, sig_len));
            msg[0] ^= 1;
            ck_assert_fipsrt(fipsrt_ecdsa_verify(k, h, fmt, msg, msg_len, sig, sig_len),
                             FIPSRT_E_VERIFY_FAILED);
            signed_here++;
        }
        fipsrt_key_free(k);
        free(msg);
        run++;
    }
    vec_close(&v);
    vec_report(files[_i] + 11, run, skipped, "P-192, P-224 and K-/B- curves are not approved here");
    printf("  every vector signature verified (%d SHA-1: legacy); %d signed here and verified\n",
           sha1, signed_here);
    ck_assert_int_eq(run, 225);
    assert_err_queue_empty();
}
END_TEST

START_TEST(test_all_hashes)
{
    static const fipsrt_hash_alg ok[] = {
        FIPSRT_HASH_SHA224, FIPSRT_HASH_SHA256, FIPSRT_HASH_SHA384, FIPSRT_HASH_SHA512,
        FIPSRT_HASH_SHA512_224, FIPSRT_HASH_SHA512_256, FIPSRT_HASH_SHA3_224,
        FIPSRT_HASH_SHA3_256, FIPSRT_HASH_SHA3_384, FIPSRT_HASH_SHA3_512,
    };
    fipsrt_key *k = NULL;
    ck_assert_ok(fipsrt_key_generate_ec(&k, FIPSRT_EC_P384));
    uint8_t sig[FIPSRT_ECDSA_MAX_SIZE], dg[64];
    size_t sig_len;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        ck_assert_ok(fipsrt_ecdsa_sign(k, ok[i], FIPSRT_ECDSA_DER, "abc", 3, sig, sizeof(sig), &sig_len));
        ck_assert_ok(fipsrt_hash(ok[i], "abc", 3, dg, sizeof(dg), NULL));
        ck_assert_ok(fipsrt_ecdsa_verify_digest(k, ok[i], FIPSRT_ECDSA_DER, dg, fipsrt_hash_size(ok[i]),
                                                sig, sig_len));
        ck_assert_ok(fipsrt_ecdsa_sign_digest(k, ok[i], FIPSRT_ECDSA_P1363, dg, fipsrt_hash_size(ok[i]),
                                              sig, sizeof(sig), &sig_len));
        ck_assert_uint_eq(sig_len, 96);
        ck_assert_ok(fipsrt_ecdsa_verify(k, ok[i], FIPSRT_ECDSA_P1363, "abc", 3, sig, sig_len));
        ck_assert_int_eq(fipsrt_ecdsa_verify_is_legacy(ok[i]), 0);
    }
    ck_assert_int_eq(fipsrt_ecdsa_verify_is_legacy(FIPSRT_HASH_SHA1), 1);
    fipsrt_key_free(k);
    assert_err_queue_empty();
}
END_TEST

START_TEST(test_policy_and_bad_input)
{
    fipsrt_key *k = NULL, *pub = NULL, *rsa = NULL;
    uint8_t sig[FIPSRT_ECDSA_MAX_SIZE], dg[64] = {0};
    size_t sig_len = 0;
    ck_assert_ok(fipsrt_key_generate_ec(&k, FIPSRT_EC_P256));
    ck_assert_ok(fipsrt_key_public(&pub, k));
    ck_assert_int_eq(import_vec_key(&rsa, "asymmetric/PKCS8/unenc-rsa-pkcs8.pub.pem", true, NULL), 0);

    /* Hashes: SHA-1 never signs, MD5 never, SHAKE is not an ECDSA hash here. */
    ck_assert_fipsrt(fipsrt_ecdsa_sign(k, FIPSRT_HASH_SHA1, FIPSRT_ECDSA_DER, "m", 1, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_ecdsa_sign_digest(k, FIPSRT_HASH_SHA1, FIPSRT_ECDSA_DER, dg, 20, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_ecdsa_sign(k, FIPSRT_HASH_MD5, FIPSRT_ECDSA_DER, "m", 1, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_MD5_SECURE);
    ck_assert_fipsrt(fipsrt_ecdsa_verify(k, FIPSRT_HASH_MD5, FIPSRT_ECDSA_DER, "m", 1, sig, 8),
                     FIPSRT_E_MD5_SECURE);
    ck_assert_fipsrt(fipsrt_ecdsa_sign(k, FIPSRT_HASH_SHAKE128, FIPSRT_ECDSA_DER, "m", 1, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_ecdsa_sign(k, 77, FIPSRT_ECDSA_DER, "m", 1, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_INVALID_ARG);
    /* Keys: RSA, public-only. */
    ck_assert_fipsrt(fipsrt_ecdsa_sign(rsa, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, "m", 1, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_KEY_TYPE);
    ck_assert_fipsrt(fipsrt_ecdsa_verify(rsa, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, "m", 1, sig, 8),
                     FIPSRT_E_KEY_TYPE);
    ck_assert_fipsrt(fipsrt_ecdsa_sign(pub, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, "m", 1, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_KEY_TYPE);
    /* Arguments and buffers. */
    ck_assert_fipsrt(fipsrt_ecdsa_sign(NULL, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, "m", 1, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_ecdsa_sign(k, FIPSRT_HASH_SHA256, 3, "m", 1, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_ecdsa_sign(k, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, NULL, 1, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_ecdsa_sign(k, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, "m", 1, sig, sizeof(sig), NULL),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_ecdsa_sign(k, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, "m", 1, sig, 71, &sig_len),
                     FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(sig_len, 72);
    ck_assert_fipsrt(fipsrt_ecdsa_sign(k, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_P1363, "m", 1, NULL, 0, &sig_len),
                     FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(sig_len, 64);
    ck_assert_fipsrt(fipsrt_ecdsa_sign_digest(k, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, dg, 31, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_ecdsa_verify(k, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, "m", 1, NULL, 0),
                     FIPSRT_E_INVALID_ARG);
    /* An empty message signs and verifies (NULL allowed with length 0). */
    ck_assert_ok(fipsrt_ecdsa_sign(k, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, NULL, 0, sig, sizeof(sig), &sig_len));
    ck_assert_ok(fipsrt_ecdsa_verify(pub, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, NULL, 0, sig, sig_len));
    /* A signature made with another hash does not verify. */
    ck_assert_fipsrt(fipsrt_ecdsa_verify(pub, FIPSRT_HASH_SHA3_256, FIPSRT_ECDSA_DER, NULL, 0, sig, sig_len),
                     FIPSRT_E_VERIFY_FAILED);
    ck_assert_int_eq(fipsrt_ecdsa_max_size(FIPSRT_EC_P521, FIPSRT_ECDSA_DER), FIPSRT_ECDSA_MAX_SIZE);
    ck_assert_int_eq(fipsrt_ecdsa_max_size(FIPSRT_EC_P384, FIPSRT_ECDSA_DER), 104);
    ck_assert_int_eq(fipsrt_ecdsa_max_size(FIPSRT_EC_P521, FIPSRT_ECDSA_P1363), 132);
    ck_assert_int_eq(fipsrt_ecdsa_max_size(0, FIPSRT_ECDSA_DER), 0);
    ck_assert_int_eq(fipsrt_ecdsa_max_size(FIPSRT_EC_P256, 0), 0);
    fipsrt_key_free(k);
    fipsrt_key_free(pub);
    fipsrt_key_free(rsa);
    assert_err_queue_empty();
}
END_TEST

/* Bad signatures of every shape on every curve: all are FIPSRT_E_VERIFY_FAILED. */
START_TEST(test_bad_signatures)
{
    fipsrt_ec_curve c = FIPSRT_EC_P256 + _i;
    size_t fs = curve_bytes(c);
    fipsrt_key *k = NULL;
    uint8_t raw[132], bad[200], der[FIPSRT_ECDSA_MAX_SIZE];
    size_t raw_len, der_len, bad_len;
    ck_assert_ok(fipsrt_key_generate_ec(&k, c));
    ck_assert_ok(fipsrt_ecdsa_sign(k, FIPSRT_HASH_SHA512, FIPSRT_ECDSA_P1363, "msg", 3, raw, sizeof(raw), &raw_len));
    ck_assert_ok(fipsrt_ecdsa_p1363_to_der(c, raw, raw_len, der, sizeof(der), &der_len));
#define BAD(fmt, s, l) ck_assert_fipsrt(fipsrt_ecdsa_verify(k, FIPSRT_HASH_SHA512, fmt, "msg", 3, s, l), \
                                        FIPSRT_E_VERIFY_FAILED)
    ck_assert_ok(fipsrt_ecdsa_verify(k, FIPSRT_HASH_SHA512, FIPSRT_ECDSA_DER, "msg", 3, der, der_len));
    /* Tampered message, each tampered signature byte. */
    ck_assert_fipsrt(fipsrt_ecdsa_verify(k, FIPSRT_HASH_SHA512, FIPSRT_ECDSA_DER, "msh", 3, der, der_len),
                     FIPSRT_E_VERIFY_FAILED);
    for (size_t i = 0; i < raw_len; i++) {
        memcpy(bad, raw, raw_len);
        bad[i] ^= 0x01;
        BAD(FIPSRT_ECDSA_P1363, bad, raw_len);
    }
    for (size_t i = 0; i < der_len; i++) {
        memcpy(bad, der, der_len);
        bad[i] ^= 0x80;
        BAD(FIPSRT_ECDSA_DER, bad, der_len);
    }
    /* Wrong lengths: P1363 one short/long, zero; DER truncated, with a trailing byte. */
    BAD(FIPSRT_ECDSA_P1363, raw, raw_len - 1);
    memcpy(bad, raw, raw_len);
    bad[raw_len] = 0;
    BAD(FIPSRT_ECDSA_P1363, bad, raw_len + 1);
    BAD(FIPSRT_ECDSA_P1363, raw, 0);
    BAD(FIPSRT_ECDSA_DER, der, 0);
    for (size_t n = 1; n < der_len; n++)
        BAD(FIPSRT_ECDSA_DER, der, n);
    memcpy(bad, der, der_len);
    bad[der_len] = 0;
    BAD(FIPSRT_ECDSA_DER, bad, der_len + 1);
    /* Non-minimal DER: r with a superfluous leading zero byte (lengths adjusted). */
    if (der[1] < 0x7f && der[3] < 0x7f) {
        bad[0] = 0x30;
        bad[1] = (uint8_t)(der[1] + 1);
        bad[2] = 0x02;
        bad[3] = (uint8_t)(der[3] + 1);
        bad[4] = 0x00;
        memcpy(bad + 5, der + 4, der_len - 4);
        BAD(FIPSRT_ECDSA_DER, bad, der_len + 1);
        ck_assert_fipsrt(fipsrt_ecdsa_der_to_p1363(c, bad, der_len + 1, raw + 0, 0, &bad_len),
                         FIPSRT_E_BUFFER_TOO_SMALL);
        uint8_t out[132];
        ck_assert_fipsrt(fipsrt_ecdsa_der_to_p1363(c, bad, der_len + 1, out, sizeof(out), &bad_len),
                         FIPSRT_E_MALFORMED);
    }
    /* r = 0, s = 0, r = n, s = n (out of range). */
    uint8_t n[66];
    hex_fixed(order_hex(c), n, fs);
    memcpy(bad, raw, raw_len);
    memset(bad, 0, fs);
    BAD(FIPSRT_ECDSA_P1363, bad, raw_len);
    memcpy(bad, raw, raw_len);
    memset(bad + fs, 0, fs);
    BAD(FIPSRT_ECDSA_P1363, bad, raw_len);
    memset(bad, 0, raw_len);
    BAD(FIPSRT_ECDSA_P1363, bad, raw_len);
    memcpy(bad, n, fs);
    memcpy(bad + fs, raw + fs, fs);
    BAD(FIPSRT_ECDSA_P1363, bad, raw_len);
    memcpy(bad, raw, fs);
    memcpy(bad + fs, n, fs);
    BAD(FIPSRT_ECDSA_P1363, bad, raw_len);
    /*
     * High-S: (r, n - s) is the other valid signature for the same (r). FIPS 186-4 and
     * OpenSSL accept it, and so does this library (documented in ecdsa.h: ECDSA signatures
     * are malleable; low-S is a Bitcoin convention, not part of the standard).
     */
    BIGNUM *bn = BN_bin2bn(n, (int)fs, NULL), *s = BN_bin2bn(raw + fs, (int)fs, NULL);
    ck_assert(BN_sub(s, bn, s));
    memcpy(bad, raw, fs);
    ck_assert_int_eq(BN_bn2binpad(s, bad + fs, (int)fs), (int)fs);
    ck_assert_ok(fipsrt_ecdsa_verify(k, FIPSRT_HASH_SHA512, FIPSRT_ECDSA_P1363, "msg", 3, bad, raw_len));
    BN_free(bn);
    BN_free(s);
#undef BAD
    fipsrt_key_free(k);
    assert_err_queue_empty();
}
END_TEST

START_TEST(test_conversions)
{
    uint8_t raw[132], der[FIPSRT_ECDSA_MAX_SIZE], back[132];
    size_t der_len, back_len;
    /* Small r and s: DER drops the leading zeros, P1363 restores them. */
    memset(raw, 0, 64);
    raw[31] = 1;
    raw[63] = 0x80;
    ck_assert_ok(fipsrt_ecdsa_p1363_to_der(FIPSRT_EC_P256, raw, 64, der, sizeof(der), &der_len));
    static const uint8_t want[] = {0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80};
    ck_assert_uint_eq(der_len, sizeof(want));
    ck_assert_mem_eq(der, want, sizeof(want));
    ck_assert_ok(fipsrt_ecdsa_der_to_p1363(FIPSRT_EC_P256, der, der_len, back, sizeof(back), &back_len));
    ck_assert_uint_eq(back_len, 64);
    ck_assert_mem_eq(back, raw, 64);
    /* The largest values: the DER sizes of fipsrt_ecdsa_max_size() are reached. */
    for (fipsrt_ec_curve c = FIPSRT_EC_P256; c <= FIPSRT_EC_P521; c++) {
        size_t fs = curve_bytes(c);
        hex_fixed(order_hex(c), raw, fs);
        memcpy(raw + fs, raw, fs);
        ck_assert_ok(fipsrt_ecdsa_p1363_to_der(c, raw, 2 * fs, der, sizeof(der), &der_len));
        ck_assert_uint_eq(der_len, fipsrt_ecdsa_max_size(c, FIPSRT_ECDSA_DER));
        ck_assert_fipsrt(fipsrt_ecdsa_p1363_to_der(c, raw, 2 * fs, der, der_len - 1, &back_len),
                         FIPSRT_E_BUFFER_TOO_SMALL);
        ck_assert_uint_eq(back_len, der_len);
        ck_assert_ok(fipsrt_ecdsa_der_to_p1363(c, der, der_len, back, sizeof(back), &back_len));
        ck_assert_mem_eq(back, raw, 2 * fs);
    }
    /* Refusals: lengths, curves, an integer wider than the field, negative, not DER. */
    ck_assert_fipsrt(fipsrt_ecdsa_p1363_to_der(FIPSRT_EC_P256, raw, 63, der, sizeof(der), &der_len),
                     FIPSRT_E_MALFORMED);
    ck_assert_fipsrt(fipsrt_ecdsa_p1363_to_der(0, raw, 64, der, sizeof(der), &der_len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_ecdsa_der_to_p1363(FIPSRT_EC_P256, want, sizeof(want), back, 63, &back_len),
                     FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(back_len, 64);
    uint8_t wide[80] = {0x30, 0x26, 0x02, 0x21, 0x01};
    wide[37] = 0x02;
    wide[38] = 0x01;
    wide[39] = 0x01;
    ck_assert_fipsrt(fipsrt_ecdsa_der_to_p1363(FIPSRT_EC_P256, wide, 40, back, sizeof(back), &back_len),
                     FIPSRT_E_MALFORMED);
    static const uint8_t neg[] = {0x30, 0x06, 0x02, 0x01, 0xff, 0x02, 0x01, 0x01};
    ck_assert_fipsrt(fipsrt_ecdsa_der_to_p1363(FIPSRT_EC_P256, neg, sizeof(neg), back, sizeof(back), &back_len),
                     FIPSRT_E_MALFORMED);
    static const uint8_t ber[] = {0x30, 0x80, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00, 0x00};
    ck_assert_fipsrt(fipsrt_ecdsa_der_to_p1363(FIPSRT_EC_P256, ber, sizeof(ber), back, sizeof(back), &back_len),
                     FIPSRT_E_MALFORMED);
    ck_assert_fipsrt(fipsrt_ecdsa_der_to_p1363(FIPSRT_EC_P256, want, sizeof(want) - 1, back, sizeof(back), &back_len),
                     FIPSRT_E_MALFORMED);
    ck_assert_fipsrt(fipsrt_ecdsa_der_to_p1363(FIPSRT_EC_P256, NULL, 8, back, sizeof(back), &back_len),
                     FIPSRT_E_INVALID_ARG);
    assert_err_queue_empty();
}
END_TEST

/*
 * Every argument check of the sign/verify digest entry points and the two conversions, in
 * the order the functions make them, each with its exact code and, for the conversions,
 * every way a DER Ecdsa-Sig-Value is refused.
 */
START_TEST(test_argument_checks)
{
    fipsrt_key *k = NULL, *pub = NULL;
    uint8_t sig[FIPSRT_ECDSA_MAX_SIZE], dg[64] = {0}, back[132];
    size_t sig_len = 0, back_len = 0;
    ck_assert_ok(fipsrt_key_generate_ec(&k, FIPSRT_EC_P256));
    ck_assert_ok(fipsrt_key_public(&pub, k));
    ck_assert_uint_eq(fipsrt_ecdsa_max_size((fipsrt_ec_curve)77, FIPSRT_ECDSA_DER), 0);
    ck_assert_uint_eq(fipsrt_ecdsa_max_size(FIPSRT_EC_P256, (fipsrt_ecdsa_format)77), 0);

    /* fipsrt_ecdsa_sign: NULL output with room claimed; the size is still reported. */
    ck_assert_fipsrt(fipsrt_ecdsa_sign(k, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, "m", 1, NULL, sizeof(sig), &sig_len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_str_eq(fipsrt_last_error(), "fipsrt_ecdsa_sign: invalid argument: sig != NULL");
    ck_assert_uint_eq(sig_len, fipsrt_ecdsa_max_size(FIPSRT_EC_P256, FIPSRT_ECDSA_DER));
    ck_assert_fipsrt(fipsrt_ecdsa_verify(pub, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, NULL, 1, sig, 8),
                     FIPSRT_E_INVALID_ARG);

    /* fipsrt_ecdsa_sign_digest */
    ck_assert_fipsrt(fipsrt_ecdsa_sign_digest(k, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, dg, 32, sig, sizeof(sig), NULL),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_ecdsa_sign_digest(k, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, NULL, 32, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_ecdsa_sign_digest(pub, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, dg, 32, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_KEY_TYPE);
    ck_assert_str_eq(fipsrt_last_error(), "fipsrt_ecdsa_sign_digest: a public-only key cannot sign");
    ck_assert_fipsrt(fipsrt_ecdsa_sign_digest(k, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_P1363, dg, 32, sig, 63, &sig_len),
                     FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(sig_len, 64);

    /* fipsrt_ecdsa_verify_digest */
    ck_assert_fipsrt(fipsrt_ecdsa_verify_digest(pub, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, NULL, 32, sig, 8),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_ecdsa_verify_digest(pub, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, dg, 32, NULL, 8),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_ecdsa_verify_digest(pub, FIPSRT_HASH_SHA256, (fipsrt_ecdsa_format)9, dg, 32, sig, 8),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_str_eq(fipsrt_last_error(), "fipsrt_ecdsa_verify_digest: unknown signature format 9");
    ck_assert_fipsrt(fipsrt_ecdsa_verify_digest(pub, FIPSRT_HASH_MD5, FIPSRT_ECDSA_DER, dg, 16, sig, 8),
                     FIPSRT_E_MD5_SECURE);
    ck_assert_fipsrt(fipsrt_ecdsa_verify_digest(pub, FIPSRT_HASH_SHA384, FIPSRT_ECDSA_DER, dg, 32, sig, 8),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_str_eq(fipsrt_last_error(), "fipsrt_ecdsa_verify_digest: SHA2-384 digest must be 48 bytes, got 32");

    /* fipsrt_ecdsa_der_to_p1363: NULL out_len, unknown curve, NULL output. */
    static const uint8_t ok[] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};
    ck_assert_fipsrt(fipsrt_ecdsa_der_to_p1363(FIPSRT_EC_P256, ok, sizeof(ok), back, sizeof(back), NULL),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_ecdsa_der_to_p1363((fipsrt_ec_curve)77, ok, sizeof(ok), back, sizeof(back), &back_len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_str_eq(fipsrt_last_error(), "fipsrt_ecdsa_der_to_p1363: unknown curve 77");
    ck_assert_fipsrt(fipsrt_ecdsa_der_to_p1363(FIPSRT_EC_P256, ok, sizeof(ok), NULL, sizeof(back), &back_len),
                     FIPSRT_E_INVALID_ARG);
    /* Over 1024 bytes is never a signature; trailing bytes; s (not only r) too wide. */
    uint8_t big[1025] = {0x30, 0x82, 0x03, 0xfd};
    ck_assert_fipsrt(fipsrt_ecdsa_der_to_p1363(FIPSRT_EC_P256, big, sizeof(big), back, sizeof(back), &back_len),
                     FIPSRT_E_MALFORMED);
    ck_assert_str_eq(fipsrt_last_error(), "fipsrt_ecdsa_der_to_p1363: signature is not a DER Ecdsa-Sig-Value");
    static const uint8_t trail[] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00};
    ck_assert_fipsrt(fipsrt_ecdsa_der_to_p1363(FIPSRT_EC_P256, trail, sizeof(trail), back, sizeof(back), &back_len),
                     FIPSRT_E_MALFORMED);
    ck_assert_str_eq(fipsrt_last_error(),
                     "fipsrt_ecdsa_der_to_p1363: signature is not a DER Ecdsa-Sig-Value (trailing bytes)");
    uint8_t wide_s[40] = {0x30, 0x26, 0x02, 0x01, 0x01, 0x02, 0x21, 0x01};
    ck_assert_fipsrt(fipsrt_ecdsa_der_to_p1363(FIPSRT_EC_P256, wide_s, sizeof(wide_s), back, sizeof(back), &back_len),
                     FIPSRT_E_MALFORMED);
    ck_assert_str_eq(fipsrt_last_error(),
                     "fipsrt_ecdsa_der_to_p1363: r or s is negative or wider than the field");
    static const uint8_t neg_s[] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x80};
    ck_assert_fipsrt(fipsrt_ecdsa_der_to_p1363(FIPSRT_EC_P256, neg_s, sizeof(neg_s), back, sizeof(back), &back_len),
                     FIPSRT_E_MALFORMED);
    static const uint8_t longlen[] = {0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};
    ck_assert_fipsrt(fipsrt_ecdsa_der_to_p1363(FIPSRT_EC_P256, longlen, sizeof(longlen), back, sizeof(back), &back_len),
                     FIPSRT_E_MALFORMED);
    ck_assert_str_eq(fipsrt_last_error(), "fipsrt_ecdsa_der_to_p1363: signature is not minimal DER");

    /* fipsrt_ecdsa_p1363_to_der: NULL out_len, NULL input, NULL output (size still given). */
    uint8_t raw[64] = {0}, der[80];
    raw[31] = raw[63] = 1;
    ck_assert_fipsrt(fipsrt_ecdsa_p1363_to_der(FIPSRT_EC_P256, raw, 64, der, sizeof(der), NULL), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_ecdsa_p1363_to_der(FIPSRT_EC_P256, NULL, 64, der, sizeof(der), &back_len),
                     FIPSRT_E_INVALID_ARG);
    back_len = 0;
    ck_assert_fipsrt(fipsrt_ecdsa_p1363_to_der(FIPSRT_EC_P256, raw, 64, NULL, sizeof(der), &back_len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_uint_eq(back_len, 8);
    fipsrt_key_free(k);
    fipsrt_key_free(pub);
    assert_err_queue_empty();
}
END_TEST

/* ---- cross-implementation --------------------------------------------------------------- */

START_TEST(test_cross_openssl_python)
{
    char *dir = make_temp_dir();
    char key_path[256], pub_path[256], msg_path[256], sig_path[256], script[8192];
    uint8_t buf[4096], sig[FIPSRT_ECDSA_MAX_SIZE], raw[132];
    size_t len, sig_len, raw_len;
    proc_result *r = malloc(sizeof(*r));
    fipsrt_key *k = NULL, *theirs = NULL;
    static const char msg[] = "interoperable message\n";
    snprintf(key_path, sizeof(key_path), "%s/key.pem", dir);
    snprintf(pub_path, sizeof(pub_path), "%s/pub.pem", dir);
    snprintf(msg_path, sizeof(msg_path), "%s/msg", dir);
    snprintf(sig_path, sizeof(sig_path), "%s/sig.der", dir);
    write_file(msg_path, msg, strlen(msg));
    ck_assert_ok(fipsrt_key_generate_ec(&k, FIPSRT_EC_P256));
    ck_assert_ok(fipsrt_key_export_private(k, FIPSRT_KEY_PEM, NULL, 0, buf, sizeof(buf), &len));
    write_file(key_path, buf, len);
    ck_assert_ok(fipsrt_key_export_public(k, FIPSRT_KEY_PEM, buf, sizeof(buf), &len));
    write_file(pub_path, buf, len);

    /* Ours (DER) -> openssl dgst -verify. */
    ck_assert_ok(fipsrt_ecdsa_sign(k, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, msg, strlen(msg), sig, sizeof(sig), &sig_len));
    write_file(sig_path, sig, sig_len);
    char *v1[] = {"/usr/bin/openssl", "dgst", "-sha256", "-verify", pub_path, "-signature", sig_path,
                  msg_path, NULL};
    run_openssl(v1, r);
    ck_assert_msg(r->exited && r->status == 0 && strstr(r->out, "Verified OK"), "openssl: %s%s", r->out, r->err);
    /* openssl dgst -sign with our exported key -> ours. */
    char *s1[] = {"/usr/bin/openssl", "dgst", "-sha384", "-sign", key_path, "-out", sig_path, msg_path, NULL};
    run_openssl(s1, r);
    ck_assert_msg(r->exited && r->status == 0, "openssl: %s", r->err);
    uint8_t *osig = (uint8_t *)slurp(sig_path, &len);
    ck_assert_ok(fipsrt_ecdsa_verify(k, FIPSRT_HASH_SHA384, FIPSRT_ECDSA_DER, msg, strlen(msg), osig, len));
    ck_assert_fipsrt(fipsrt_ecdsa_verify(k, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, msg, strlen(msg), osig, len),
                     FIPSRT_E_VERIFY_FAILED);
    free(osig);

    /* Ours (DER and P1363) -> Python. */
    ck_assert_ok(fipsrt_ecdsa_sign(k, FIPSRT_HASH_SHA3_256, FIPSRT_ECDSA_P1363, msg, strlen(msg), raw, sizeof(raw), &raw_len));
    char *sig_hex = to_hex(sig, sig_len), *raw_hex = to_hex(raw, raw_len);
    snprintf(script, sizeof(script),
             "from cryptography.hazmat.primitives import hashes, serialization as s\n"
             "from cryptography.hazmat.primitives.asymmetric import ec, utils\n"
             "p = s.load_pem_public_key(open('%s','rb').read())\n"
             "m = open('%s','rb').read()\n"
             "p.verify(bytes.fromhex('%s'), m, ec.ECDSA(hashes.SHA256()))\n"
             "raw = bytes.fromhex('%s')\n"
             "der = utils.encode_dss_signature(int.from_bytes(raw[:32],'big'), int.from_bytes(raw[32:],'big'))\n"
             "p.verify(der, m, ec.ECDSA(hashes.SHA3_256()))\n"
             "print('ok')\n", pub_path, msg_path, sig_hex, raw_hex);
    run_python(script, r);
    ck_assert_str_eq(r->out, "ok\n");
    free(sig_hex);
    free(raw_hex);

    /* Python -> ours, every curve, DER and P1363. */
    static const struct { const char *py, *hash; fipsrt_ec_curve c; fipsrt_hash_alg h; } t[] = {
        {"SECP256R1", "SHA256", FIPSRT_EC_P256, FIPSRT_HASH_SHA256},
        {"SECP384R1", "SHA384", FIPSRT_EC_P384, FIPSRT_HASH_SHA384},
        {"SECP521R1", "SHA512", FIPSRT_EC_P521, FIPSRT_HASH_SHA512},
    };
    for (size_t i = 0; i < 3; i++) {
        size_t fs = curve_bytes(t[i].c);
        snprintf(script, sizeof(script),
                 "from cryptography.hazmat.primitives import hashes, serialization as s\n"
                 "from cryptography.hazmat.primitives.asymmetric import ec, utils\n"
                 "k = ec.generate_private_key(ec.%s())\n"
                 "m = open('%s','rb').read()\n"
                 "d = k.sign(m, ec.ECDSA(hashes.%s()))\n"
                 "r, s_ = utils.decode_dss_signature(d)\n"
                 "print(k.public_key().public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo).hex())\n"
                 "print(d.hex())\n"
                 "print((r.to_bytes(%zu,'big') + s_.to_bytes(%zu,'big')).hex())\n",
                 t[i].py, msg_path, t[i].hash, fs, fs);
        run_python(script, r);
        char *l1 = strtok(r->out, "\n"), *l2 = strtok(NULL, "\n"), *l3 = strtok(NULL, "\n");
        size_t spki_len, d_len, p_len;
        uint8_t *spki = hex_alloc(l1, &spki_len), *dsig = hex_alloc(l2, &d_len), *psig = hex_alloc(l3, &p_len);
        ck_assert_ok(fipsrt_key_import_public(&theirs, FIPSRT_KEY_DER, spki, spki_len));
        ck_assert_ok(fipsrt_ecdsa_verify(theirs, t[i].h, FIPSRT_ECDSA_DER, msg, strlen(msg), dsig, d_len));
        ck_assert_ok(fipsrt_ecdsa_verify(theirs, t[i].h, FIPSRT_ECDSA_P1363, msg, strlen(msg), psig, p_len));
        ck_assert_ok(fipsrt_ecdsa_der_to_p1363(t[i].c, dsig, d_len, raw, sizeof(raw), &raw_len));
        ck_assert_uint_eq(raw_len, p_len);
        ck_assert_mem_eq(raw, psig, p_len);
        fipsrt_key_free(theirs);
        theirs = NULL;
        free(spki);
        free(dsig);
        free(psig);
    }
    fipsrt_key_free(k);
    free(r);
    rm_rf(dir);
    free(dir);
    assert_err_queue_empty();
}
END_TEST

/* ---- one key, 8 threads ----------------------------------------------------------------- */

#define THREADS 8
#define ROUNDS 40

struct worker {
    const fipsrt_key *key;
    int failures;
    char detail[256];
};

static void *sign_verify_loop(void *arg)
{
    struct worker *w = arg;
    uint8_t msg[64], sig[FIPSRT_ECDSA_MAX_SIZE];
    size_t sig_len;
    for (int i = 0; i < ROUNDS; i++) {
        fipsrt_ecdsa_format fmt = i % 2 ? FIPSRT_ECDSA_DER : FIPSRT_ECDSA_P1363;
        memset(msg, i, sizeof(msg));
        int rv = fipsrt_ecdsa_sign(w->key, FIPSRT_HASH_SHA256, fmt, msg, sizeof(msg), sig, sizeof(sig), &sig_len);
        if (rv == 0)
            rv = fipsrt_ecdsa_verify(w->key, FIPSRT_HASH_SHA256, fmt, msg, sizeof(msg), sig, sig_len);
        if (rv == 0) {
            msg[0] ^= 1;
            rv = fipsrt_ecdsa_verify(w->key, FIPSRT_HASH_SHA256, fmt, msg, sizeof(msg), sig, sig_len) ==
                         FIPSRT_E_VERIFY_FAILED ? 0 : -100;
        }
        if (rv != 0 && w->failures++ == 0)
            snprintf(w->detail, sizeof(w->detail), "%d: %s", rv, fipsrt_last_error());
    }
    return NULL;
}

START_TEST(test_threads)
{
    fipsrt_key *k = NULL;
    ck_assert_ok(fipsrt_key_generate_ec(&k, FIPSRT_EC_P256));
    pthread_t th[THREADS];
    struct worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){.key = k};
        ck_assert_int_eq(pthread_create(&th[i], NULL, sign_verify_loop, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        ck_assert_int_eq(pthread_join(th[i], NULL), 0);
        ck_assert_msg(w[i].failures == 0, "thread %d: %d failures, first %s", i, w[i].failures, w[i].detail);
    }
    printf("threads: %d x %d ECDSA P-256 sign+verify on one key, 0 failures\n", THREADS, ROUNDS);
    fipsrt_key_free(k);
}
END_TEST

/* examples/sign_verify: the demo and a PKCS#8 key file both succeed; RSA-1024 is refused. */
START_TEST(test_example)
{
    char exe[1100], key[300];
    snprintf(exe, sizeof(exe), "%s/../examples/sign_verify", build_dir());
    proc_result *r = malloc(sizeof(*r));
    char *a1[] = {exe, NULL};
    run_process(a1, NULL, NULL, r);
    ck_assert_msg(r->exited && r->status == 0, "sign_verify: %s%s", r->out, r->err);
    ck_assert_ptr_nonnull(strstr(r->out, "verified with the imported public key"));
    ck_assert_ptr_nonnull(strstr(r->out, "tampered message refused"));
    snprintf(key, sizeof(key), "%s", vec_path("asymmetric/PKCS8/ec_private_key.pem"));
    char *a2[] = {exe, key, key, NULL};
    run_process(a2, NULL, NULL, r);
    ck_assert_msg(r->exited && r->status == 0, "sign_verify: %s%s", r->out, r->err);
    /* A 1024-bit RSA key is refused for signing. */
    snprintf(key, sizeof(key), "%s", vec_path("asymmetric/PKCS8/unenc-rsa-pkcs8.pem"));
    char *a3[] = {exe, key, key, NULL};
    run_process(a3, NULL, NULL, r);
    ck_assert_msg(r->exited && r->status == 1, "sign_verify: %s%s", r->out, r->err);
    ck_assert_ptr_nonnull(strstr(r->err, "not approved"));
    free(r);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("ecdsa");
    TCase *tc = tcase_create("cavp");
    tcase_add_test(tc, test_cavp_sigver);
    tcase_add_loop_test(tc, test_cavp_siggen, 0, 2);
    suite_add_tcase(s, tc);
    tc = tcase_create("api");
    tcase_add_test(tc, test_all_hashes);
    tcase_add_test(tc, test_policy_and_bad_input);
    tcase_add_loop_test(tc, test_bad_signatures, 0, 3);
    tcase_add_test(tc, test_conversions);
    tcase_add_test(tc, test_argument_checks);
    suite_add_tcase(s, tc);
    tc = tcase_create("cross");
    tcase_add_test(tc, test_cross_openssl_python);
    tcase_add_test(tc, test_threads);
    tcase_add_test(tc, test_example);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(make_suite); }
