/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ECDH: the CAVP KAS ECC CDH validity files (ZZ-only and KDFConcat, initiator and responder)
 * run whole on P-256/384/521, agreement in both directions, policy and bad input, and Python's
 * cryptography as the other party.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pk_testutil.h"

/* [EA]..[EE] of the KAS files: parameter sets by curve. */
static fipsrt_ec_curve kas_curve(const char *section)
{
    switch (section[1]) {
    case 'C': return FIPSRT_EC_P256;
    case 'D': return FIPSRT_EC_P384;
    case 'E': return FIPSRT_EC_P521;
    default: return 0;   /* EA = P-192, EB = P-224 */
    }
}

/* A point from hex, or 0 if a coordinate is wider than the field (so it cannot be one). */
static size_t point_or_0(fipsrt_ec_curve c, const char *x, const char *y, uint8_t *out)
{
    size_t fs = curve_bytes(c);
    while (*x == '0')   /* the P-521 values come padded to 68 bytes */
        x++;
    while (*y == '0')
        y++;
    if (strlen(x) > 2 * fs || strlen(y) > 2 * fs)
        return 0;
    return point_from_hex(c, x, y, out);
}

START_TEST(test_cavp_kas)
{
    static const char *const files[] = {
        "asymmetric/ECDH/KASValidityTest_ECCStaticUnified_NOKC_ZZOnly_init.fax",
        "asymmetric/ECDH/KASValidityTest_ECCStaticUnified_NOKC_ZZOnly_resp.fax",
        "asymmetric/ECDH/KASValidityTest_ECCStaticUnified_KDFConcat_NOKC_init.fax",
        "asymmetric/ECDH/KASValidityTest_ECCStaticUnified_KDFConcat_NOKC_resp.fax",
    };
    vec_file v;
    vec_open(&v, files[_i]);
    int run = 0, skipped = 0, agreed = 0, bad_cavs = 0, bad_iut = 0, z_differs = 0, kdf_only = 0;
    while (vec_next(&v)) {
        if (vec_get(&v, "Result") == NULL)
            continue;
        fipsrt_ec_curve c = kas_curve(v.section_line);
        if (c == 0) {
            skipped++;
            continue;
        }
        const char *res = vec_get(&v, "Result");
        int reason = res[0] == 'P' ? 0 : atoi(strchr(res, '(') + 1);
        size_t fs = curve_bytes(c), zl;
        uint8_t d_iut[66], d_cavs[66], q_iut[133], q_cavs[133], z[66], want[66];
        size_t qi_len = point_or_0(c, vec_get(&v, "QsIUTx"), vec_get(&v, "QsIUTy"), q_iut);
        size_t qc_len = point_or_0(c, vec_get(&v, "QsCAVSx"), vec_get(&v, "QsCAVSy"), q_cavs);
        hex_fixed(vec_get(&v, "dsIUT"), d_iut, fs);
        hex_fixed(vec_get(&v, "dsCAVS"), d_cavs, fs);
        hex_fixed(vec_get(&v, "Z"), want, fs);
        fipsrt_key *iut = NULL, *cavs = NULL, *cavs_pub = NULL;
        int iut_rv = qi_len ? fipsrt_key_import_ec_private(&iut, c, d_iut, fs, q_iut, qi_len) : FIPSRT_E_MALFORMED;
        int cavs_rv = qc_len ? fipsrt_key_import_ec_point(&cavs_pub, c, q_cavs, qc_len) : FIPSRT_E_MALFORMED;
        if (reason == 1 || reason == 2) {
            /* CAVS's public key fails SP 800-56A 5.6.2.3: refused at import and at agreement. */
            ck_assert_int_eq(cavs_rv, FIPSRT_E_MALFORMED);
            ck_assert_ok(iut_rv);
            if (qc_len)
                ck_assert_fipsrt(fipsrt_ecdh_derive_point(iut, q_cavs, qc_len, z, sizeof(z), &zl),
                                 FIPSRT_E_MALFORMED);
            bad_cavs++;
        } else if (reason >= 5 && reason <= 7) {
            /* IUT's public key invalid, or d changed: the pairwise check refuses the pair. */
            ck_assert_fipsrt(iut_rv, FIPSRT_E_MALFORMED);
            bad_iut++;
        } else {
            ck_assert_ok(iut_rv);
            ck_assert_ok(cavs_rv);
            ck_assert_ok(fipsrt_ecdh_derive(iut, cavs_pub, z, sizeof(z), &zl));
            ck_assert_uint_eq(zl, fs);
            if (reason == 8) {
                ck_assert_int_ne(memcmp(z, want, fs), 0);
                z_differs++;
            } else {
                /* P, and F 9-12 (the KDF's DKM, OI, MacData or tag changed: Z is right). */
                ck_assert_mem_eq(z, want, fs);
                /* The other direction: CAVS's private key with IUT's point. */
                ck_assert_ok(fipsrt_key_import_ec_private(&cavs, c, d_cavs, fs, q_cavs, qc_len));
                ck_assert_ok(fipsrt_ecdh_derive_point(cavs, q_iut, qi_len, z, sizeof(z), &zl));
                ck_assert_mem_eq(z, want, fs);
                reason ? kdf_only++ : agreed++;
            }
        }
        fipsrt_key_free(iut);
        fipsrt_key_free(cavs);
        fipsrt_key_free(cavs_pub);
        run++;
    }
    vec_close(&v);
    vec_report(files[_i] + 16, run, skipped, "P-192 and P-224 are not approved here");
    printf("  %d agreed on Z both ways (%d of them F only in the KDF/MAC, which ZZ does not "
           "cover); %d bad CAVS keys and %d bad IUT keys refused; %d changed Z detected\n",
           agreed + kdf_only, kdf_only, bad_cavs, bad_iut, z_differs);
    ck_assert_int_eq(run, _i < 2 ? 90 : 180);
    assert_err_queue_empty();
}
END_TEST

START_TEST(test_agreement)
{
    for (fipsrt_ec_curve c = FIPSRT_EC_P256; c <= FIPSRT_EC_P521; c++) {
        fipsrt_key *a = NULL, *b = NULL, *b_pub = NULL;
        uint8_t za[FIPSRT_ECDH_MAX_SIZE], zb[FIPSRT_ECDH_MAX_SIZE], pt[133];
        size_t la, lb, pl;
        ck_assert_ok(fipsrt_key_generate_ec(&a, c));
        ck_assert_ok(fipsrt_key_generate_ec(&b, c));
        ck_assert_ok(fipsrt_key_public(&b_pub, b));
        ck_assert_ok(fipsrt_ecdh_derive(a, b_pub, za, sizeof(za), &la));
        ck_assert_uint_eq(la, fipsrt_ecdh_secret_size(c));
        ck_assert_ok(fipsrt_key_export_ec_point(a, pt, sizeof(pt), &pl));
        ck_assert_ok(fipsrt_ecdh_derive_point(b, pt, pl, zb, sizeof(zb), &lb));
        ck_assert_uint_eq(la, lb);
        ck_assert_mem_eq(za, zb, la);
        /* A public-only key has nothing to agree with. */
        ck_assert_fipsrt(fipsrt_ecdh_derive(b_pub, a, za, sizeof(za), &la), FIPSRT_E_KEY_TYPE);
        fipsrt_key_free(a);
        fipsrt_key_free(b);
        fipsrt_key_free(b_pub);
    }
    ck_assert_uint_eq(fipsrt_ecdh_secret_size(0), 0);
    assert_err_queue_empty();
}
END_TEST

START_TEST(test_bad_input)
{
    fipsrt_key *a = NULL, *b = NULL, *rsa = NULL;
    uint8_t z[FIPSRT_ECDH_MAX_SIZE], pt[133], bad[133];
    size_t zl = 0, pl;
    ck_assert_ok(fipsrt_key_generate_ec(&a, FIPSRT_EC_P256));
    ck_assert_ok(fipsrt_key_generate_ec(&b, FIPSRT_EC_P384));
    ck_assert_int_eq(import_vec_key(&rsa, "asymmetric/PKCS8/unenc-rsa-pkcs8.pub.pem", true, NULL), 0);
    ck_assert_fipsrt(fipsrt_ecdh_derive(a, b, z, sizeof(z), &zl), FIPSRT_E_KEY_TYPE);   /* curves differ */
    ck_assert_fipsrt(fipsrt_ecdh_derive(a, rsa, z, sizeof(z), &zl), FIPSRT_E_KEY_TYPE);
    ck_assert_fipsrt(fipsrt_ecdh_derive(rsa, a, z, sizeof(z), &zl), FIPSRT_E_KEY_TYPE);
    ck_assert_fipsrt(fipsrt_ecdh_derive_point(rsa, pt, 65, z, sizeof(z), &zl), FIPSRT_E_KEY_TYPE);
    ck_assert_fipsrt(fipsrt_ecdh_derive(NULL, a, z, sizeof(z), &zl), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_ecdh_derive(a, NULL, z, sizeof(z), &zl), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_ecdh_derive(a, a, z, sizeof(z), NULL), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_ecdh_derive(a, a, z, 31, &zl), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(zl, 32);
    ck_assert_fipsrt(fipsrt_ecdh_derive(a, a, NULL, 0, &zl), FIPSRT_E_BUFFER_TOO_SMALL);
    /* Peer points: the other curve's, compressed, off the curve, infinity, truncated. */
    ck_assert_ok(fipsrt_key_export_ec_point(b, pt, sizeof(pt), &pl));
    ck_assert_fipsrt(fipsrt_ecdh_derive_point(a, pt, pl, z, sizeof(z), &zl), FIPSRT_E_MALFORMED);
    ck_assert_ok(fipsrt_key_export_ec_point(a, pt, sizeof(pt), &pl));
    memcpy(bad, pt, pl);
    bad[0] = 0x02;
    ck_assert_fipsrt(fipsrt_ecdh_derive_point(a, bad, 33, z, sizeof(z), &zl), FIPSRT_E_MALFORMED);
    bad[0] = 0x04;
    bad[64] ^= 1;
    ck_assert_fipsrt(fipsrt_ecdh_derive_point(a, bad, pl, z, sizeof(z), &zl), FIPSRT_E_MALFORMED);
    memset(bad, 0, pl);
    bad[0] = 0x04;
    ck_assert_fipsrt(fipsrt_ecdh_derive_point(a, bad, pl, z, sizeof(z), &zl), FIPSRT_E_MALFORMED);
    ck_assert_fipsrt(fipsrt_ecdh_derive_point(a, bad, 1, z, sizeof(z), &zl), FIPSRT_E_MALFORMED);
    ck_assert_fipsrt(fipsrt_ecdh_derive_point(a, pt, pl - 1, z, sizeof(z), &zl), FIPSRT_E_MALFORMED);
    ck_assert_fipsrt(fipsrt_ecdh_derive_point(a, NULL, pl, z, sizeof(z), &zl), FIPSRT_E_INVALID_ARG);
    /* A NULL output with room claimed; no out_len; a short buffer through derive_point
     * (the size is reported, nothing counts as an approved service). */
    ck_assert_fipsrt(fipsrt_ecdh_derive(a, a, NULL, sizeof(z), &zl), FIPSRT_E_INVALID_ARG);
    ck_assert_str_eq(fipsrt_last_error(), "fipsrt_ecdh_derive: invalid argument: out != NULL");
    ck_assert_fipsrt(fipsrt_ecdh_derive_point(a, pt, pl, z, sizeof(z), NULL), FIPSRT_E_INVALID_ARG);
    uint64_t before = fipsrt_service_indicator();
    zl = 0;
    ck_assert_fipsrt(fipsrt_ecdh_derive_point(a, pt, pl, z, 31, &zl), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(zl, 32);
    ck_assert_uint_eq(fipsrt_service_indicator(), before);
    /* With ourselves: legal (Z = d^2 G), if pointless. */
    ck_assert_ok(fipsrt_ecdh_derive_point(a, pt, pl, z, sizeof(z), &zl));
    ck_assert_uint_eq(fipsrt_service_indicator(), before + 1);
    fipsrt_key_free(a);
    fipsrt_key_free(b);
    fipsrt_key_free(rsa);
    assert_err_queue_empty();
}
END_TEST

START_TEST(test_cross_python)
{
    static const struct { fipsrt_ec_curve c; const char *py; } t[] = {
        {FIPSRT_EC_P256, "SECP256R1"}, {FIPSRT_EC_P384, "SECP384R1"}, {FIPSRT_EC_P521, "SECP521R1"},
    };
    proc_result *r = malloc(sizeof(*r));
    for (size_t i = 0; i < 3; i++) {
        fipsrt_key *k = NULL;
        uint8_t pt[133], z[FIPSRT_ECDH_MAX_SIZE];
        size_t pl, zl;
        char script[4096];
        ck_assert_ok(fipsrt_key_generate_ec(&k, t[i].c));
        ck_assert_ok(fipsrt_key_export_ec_point(k, pt, sizeof(pt), &pl));
        char *hex = to_hex(pt, pl);
        snprintf(script, sizeof(script),
                 "from cryptography.hazmat.primitives.asymmetric import ec\n"
                 "from cryptography.hazmat.primitives import serialization as s\n"
                 "c = ec.%s()\n"
                 "k = ec.generate_private_key(c)\n"
                 "peer = ec.EllipticCurvePublicKey.from_encoded_point(c, bytes.fromhex('%s'))\n"
                 "print(k.public_key().public_bytes(s.Encoding.X962, s.PublicFormat.UncompressedPoint).hex())\n"
                 "print(k.exchange(ec.ECDH(), peer).hex())\n", t[i].py, hex);
        run_python(script, r);
        char *their_pt = strtok(r->out, "\n"), *their_z = strtok(NULL, "\n");
        size_t tpl, tzl;
        uint8_t *tp = hex_alloc(their_pt, &tpl), *tz = hex_alloc(their_z, &tzl);
        ck_assert_ok(fipsrt_ecdh_derive_point(k, tp, tpl, z, sizeof(z), &zl));
        ck_assert_uint_eq(zl, tzl);
        ck_assert_mem_eq(z, tz, zl);
        free(tp);
        free(tz);
        free(hex);
        fipsrt_key_free(k);
    }
    free(r);
    assert_err_queue_empty();
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("ecdh");
    TCase *tc = tcase_create("cavp");
    tcase_add_loop_test(tc, test_cavp_kas, 0, 4);
    suite_add_tcase(s, tc);
    tc = tcase_create("api");
    tcase_add_test(tc, test_agreement);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_cross_python);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(make_suite); }
