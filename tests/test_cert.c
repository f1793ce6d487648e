/* SPDX-License-Identifier: Apache-2.0 */
/*
 * X.509 certificates (cert.h): self-signed and issued certificates checked field by field
 * with OpenSSL's parser and cross-checked by Python's cryptography and `openssl verify`;
 * import/export round trips; every refusal with its exact code; `fipsrt cert selfsign` and
 * the TLS policy lines of `fipsrt status`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "testutil.h"

static char *tmp;

static const char *tmp_path(const char *name)
{
    static char bufs[4][1024];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof(bufs[0]), "%s/%s", tmp, name);
    return b;
}

static void setup(void)
{
    tmp = make_temp_dir();
}

static void teardown(void)
{
    rm_rf(tmp);
    free(tmp);
}

static fipsrt_key *ec_key(fipsrt_ec_curve curve)
{
    fipsrt_key *k;
    ck_assert_ok(fipsrt_key_generate_ec(&k, curve));
    return k;
}

/* RSA keys from the CLI (in-process generation is slow under valgrind), imported. */
static fipsrt_key *rsa_key(void)
{
    char *argv[] = {"/usr/bin/openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                    "rsa_keygen_bits:2048", "-out", (char *)tmp_path("rsa.key"), NULL};
    proc_result *r = malloc(sizeof(*r));
    run_process(argv, NULL, NULL, r);
    ck_assert_msg(r->exited && r->status == 0, "openssl genpkey: %s", r->err);
    free(r);
    size_t len;
    char *pem = slurp(tmp_path("rsa.key"), &len);
    fipsrt_key *k;
    ck_assert_ok(fipsrt_key_import_private(&k, FIPSRT_KEY_PEM, (uint8_t *)pem, len, NULL, 0));
    free(pem);
    return k;
}

/* The certificate as OpenSSL parses it, from our DER export. */
static X509 *parse(const fipsrt_cert *cert)
{
    uint8_t der[8192];
    size_t len;
    ck_assert_ok(fipsrt_cert_export(cert, FIPSRT_CERT_DER, der, sizeof(der), &len));
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_eq(p, der + len);
    return x;
}

static void save_pem(const fipsrt_cert *cert, const char *name)
{
    uint8_t pem[8192];
    size_t len;
    ck_assert_ok(fipsrt_cert_export(cert, FIPSRT_CERT_PEM, pem, sizeof(pem), &len));
    ck_assert_uint_eq(strlen((char *)pem), len);
    write_file(tmp_path(name), pem, len);
}

static const char *const dns[] = {"localhost", "*.example.com"};
static const char *const ips[] = {"127.0.0.1", "::1", "2001:db8::7"};

static fipsrt_cert_params params(const char *cn)
{
    fipsrt_cert_params p = FIPSRT_CERT_PARAMS_INIT;
    p.common_name = cn;
    p.dns_names = dns;
    p.dns_count = 2;
    p.ip_addresses = ips;
    p.ip_count = 3;
    return p;
}

/* Everything a self-signed TLS certificate must carry, read back by OpenSSL. */
START_TEST(test_selfsign_fields)
{
    static const struct {
        int curve;  /* 0: RSA */
        int md_nid;
        unsigned bits;
    } cases[] = {
        {FIPSRT_EC_P256, NID_sha256, 256},
        {FIPSRT_EC_P384, NID_sha384, 384},
        {FIPSRT_EC_P521, NID_sha512, 521},
        {0, NID_sha256, 2048},
    };
    int64_t nb = 1700000000, na = 1900000000;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fipsrt_key *key = cases[i].curve ? ec_key(cases[i].curve) : rsa_key();
        fipsrt_cert_params p = params("test.example");
        p.not_before = nb;
        p.not_after = na;
        fipsrt_cert *cert;
        ck_assert_ok(fipsrt_cert_selfsign(&cert, key, &p));
        X509 *x = parse(cert);

        int md, pk, secbits;
        uint32_t flags;
        ck_assert_int_eq(X509_get_signature_info(x, &md, &pk, &secbits, &flags), 1);
        ck_assert_int_eq(md, cases[i].md_nid);
        ck_assert_int_eq(pk, cases[i].curve ? EVP_PKEY_EC : EVP_PKEY_RSA);
        ck_assert_int_eq(EVP_PKEY_get_bits(X509_get0_pubkey(x)), (int)cases[i].bits);
        ck_assert_int_eq(X509_verify(x, X509_get0_pubkey(x)), 1);  /* really self-signed */
        ck_assert_int_eq(X509_get_version(x), X509_VERSION_3);
        ck_assert_int_eq(X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)), 0);

        /* A positive 128-bit serial. */
        const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
        ck_assert_int_eq(ASN1_STRING_length(serial), 16);
        ck_assert_int_eq(ASN1_STRING_type(serial), V_ASN1_INTEGER);

        int64_t got_nb, got_na;
        ck_assert_ok(fipsrt_cert_validity(cert, &got_nb, &got_na));
        ck_assert_int_eq(got_nb, nb);
        ck_assert_int_eq(got_na, na);
        ck_assert_ok(fipsrt_cert_validity(cert, NULL, NULL));

        uint32_t ku = X509_get_key_usage(x), xku = X509_get_extended_key_usage(x);
        ck_assert(ku & KU_DIGITAL_SIGNATURE);
        ck_assert_int_eq(!!(ku & KU_KEY_ENCIPHERMENT), cases[i].curve == 0);
        ck_assert(!(ku & KU_KEY_CERT_SIGN));
        ck_assert(xku & XKU_SSL_SERVER);
        ck_assert(xku & XKU_SSL_CLIENT);
        ck_assert_int_eq(X509_check_ca(x), 0);
        ck_assert_ptr_nonnull(X509_get0_subject_key_id(x));

        ck_assert_int_eq(X509_check_host(x, "localhost", 0, 0, NULL), 1);
        ck_assert_int_eq(X509_check_host(x, "www.example.com", 0, 0, NULL), 1);
        ck_assert_int_eq(X509_check_host(x, "a.b.example.com", 0, 0, NULL), 0);
        ck_assert_int_eq(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
        ck_assert_int_eq(X509_check_ip_asc(x, "::1", 0), 1);
        ck_assert_int_eq(X509_check_ip_asc(x, "2001:db8::7", 0), 1);
        ck_assert_int_eq(X509_check_ip_asc(x, "127.0.0.2", 0), 0);

        char subject[128];
        size_t n;
        ck_assert_ok(fipsrt_cert_subject(cert, subject, sizeof(subject), &n));
        ck_assert_str_eq(subject, "CN=test.example");
        ck_assert_uint_eq(n, strlen(subject));
        X509_free(x);
        fipsrt_cert_free(cert);
        fipsrt_key_free(key);
    }
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

START_TEST(test_defaults_and_hashes)
{
    fipsrt_key *key = ec_key(FIPSRT_EC_P256);
    fipsrt_cert_params p = FIPSRT_CERT_PARAMS_INIT;
    p.common_name = "only a name";
    fipsrt_cert *cert;
    int64_t before = (int64_t)time(NULL);
    ck_assert_ok(fipsrt_cert_selfsign(&cert, key, &p));
    int64_t nb, na;
    ck_assert_ok(fipsrt_cert_validity(cert, &nb, &na));
    /* Defaults: valid from five minutes ago, for 365 days. */
    ck_assert_int_ge(nb, before - 301);
    ck_assert_int_le(nb, before - 299 + 5);
    ck_assert_int_eq(na - nb, 365 * 86400);
    X509 *x = parse(cert);
    ck_assert_int_eq(X509_get_ext_by_NID(x, NID_subject_alt_name, -1), -1);
    X509_free(x);
    fipsrt_cert_free(cert);

    /* An explicit hash, any of SHA-256/384/512 on any key. */
    static const struct {
        fipsrt_hash_alg alg;
        int nid;
    } hashes[] = {{FIPSRT_HASH_SHA256, NID_sha256}, {FIPSRT_HASH_SHA384, NID_sha384},
                  {FIPSRT_HASH_SHA512, NID_sha512}};
    for (size_t i = 0; i < 3; i++) {
        p.hash = hashes[i].alg;
        ck_assert_ok(fipsrt_cert_selfsign(&cert, key, &p));
        x = parse(cert);
        int md;
        ck_assert_int_eq(X509_get_signature_info(x, &md, NULL, NULL, NULL), 1);
        ck_assert_int_eq(md, hashes[i].nid);
        X509_free(x);
        fipsrt_cert_free(cert);
    }
    /* SP 800-131A: no SHA-1 signatures; MD5 never; the rest is outside the TLS schemes. */
    p.hash = FIPSRT_HASH_SHA1;
    ck_assert_fipsrt(fipsrt_cert_selfsign(&cert, key, &p), FIPSRT_E_NOT_APPROVED);
    ck_assert_ptr_null(cert);
    p.hash = FIPSRT_HASH_MD5;
    ck_assert_fipsrt(fipsrt_cert_selfsign(&cert, key, &p), FIPSRT_E_MD5_SECURE);
    p.hash = FIPSRT_HASH_SHA3_256;
    ck_assert_fipsrt(fipsrt_cert_selfsign(&cert, key, &p), FIPSRT_E_NOT_APPROVED);
    p.hash = FIPSRT_HASH_SHA224;
    ck_assert_fipsrt(fipsrt_cert_selfsign(&cert, key, &p), FIPSRT_E_NOT_APPROVED);
    p.hash = FIPSRT_HASH_SHAKE128;
    ck_assert_fipsrt(fipsrt_cert_selfsign(&cert, key, &p), FIPSRT_E_NOT_APPROVED);
    p.hash = 77;
    ck_assert_fipsrt(fipsrt_cert_selfsign(&cert, key, &p), FIPSRT_E_INVALID_ARG);
    fipsrt_key_free(key);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

START_TEST(test_bad_params)
{
    fipsrt_key *key = ec_key(FIPSRT_EC_P256), *pub;
    fipsrt_cert *cert = (fipsrt_cert *)1;
    fipsrt_cert_params p = params("x");
    ck_assert_fipsrt(fipsrt_cert_selfsign(NULL, key, &p), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_cert_selfsign(&cert, NULL, &p), FIPSRT_E_INVALID_ARG);
    ck_assert_ptr_null(cert);
    ck_assert_fipsrt(fipsrt_cert_selfsign(&cert, key, NULL), FIPSRT_E_INVALID_ARG);
    p.common_name = NULL;
    ck_assert_fipsrt(fipsrt_cert_selfsign(&cert, key, &p), FIPSRT_E_INVALID_ARG);
    p.common_name = "";
    ck_assert_fipsrt(fipsrt_cert_selfsign(&cert, key, &p), FIPSRT_E_INVALID_ARG);
    char cn[66];
    memset(cn, 'c', 65);
    cn[65] = '\0';
    p.common_name = cn;
    ck_assert_fipsrt(fipsrt_cert_selfsign(&cert, key, &p), FIPSRT_E_INVALID_ARG);
    cn[64] = '\0';
    ck_assert_ok(fipsrt_cert_selfsign(&cert, key, &p));  /* 64 is the X.520 limit */
    fipsrt_cert_free(cert);
    p.common_name = "x";

    static const char *const bad_dns[] = {"has space"}, *const bad_ip[] = {"300.1.1.1"};
    static const char *const inj_dns[] = {"a,DNS:evil.example"}, *const null_dns[] = {NULL};
    p.dns_names = bad_dns;
    p.dns_count = 1;
    ck_assert_fipsrt(fipsrt_cert_selfsign(&cert, key, &p), FIPSRT_E_INVALID_ARG);
    p.dns_names = inj_dns;
    ck_assert_fipsrt(fipsrt_cert_selfsign(&cert, key, &p), FIPSRT_E_INVALID_ARG);
    p.dns_names = null_dns;
    ck_assert_fipsrt(fipsrt_cert_selfsign(&cert, key, &p), FIPSRT_E_INVALID_ARG);
    p.dns_names = NULL;
    ck_assert_fipsrt(fipsrt_cert_selfsign(&cert, key, &p), FIPSRT_E_INVALID_ARG);
    p.dns_count = 0;
    p.ip_addresses = bad_ip;
    p.ip_count = 1;
    ck_assert_fipsrt(fipsrt_cert_selfsign(&cert, key, &p), FIPSRT_E_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(fipsrt_last_error(), "ip_addresses[0]"));
    p.ip_count = 0;
    p.not_before = 2000000000;
    p.not_after = 1000000000;
    ck_assert_fipsrt(fipsrt_cert_selfsign(&cert, key, &p), FIPSRT_E_INVALID_ARG);
    p.not_after = 2000000000;
    ck_assert_fipsrt(fipsrt_cert_selfsign(&cert, key, &p), FIPSRT_E_INVALID_ARG);
    p.not_before = p.not_after = 0;
    p.version = 2;
    ck_assert_fipsrt(fipsrt_cert_selfsign(&cert, key, &p), FIPSRT_E_INVALID_ARG);
    p.version = 1;
    p.size = 8;
    ck_assert_fipsrt(fipsrt_cert_selfsign(&cert, key, &p), FIPSRT_E_INVALID_ARG);
    p.size = sizeof(p);
    ck_assert_fipsrt(fipsrt_cert_params_init(NULL, 1), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_cert_params_init(&p, 0), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_cert_params_init(&p, 2), FIPSRT_E_INVALID_ARG);

    /* A public key cannot sign. */
    ck_assert_ok(fipsrt_key_public(&pub, key));
    ck_assert_fipsrt(fipsrt_cert_selfsign(&cert, pub, &p), FIPSRT_E_KEY_TYPE);
    fipsrt_key_free(pub);
    fipsrt_key_free(key);
    fipsrt_cert_free(NULL);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

START_TEST(test_issue_chain)
{
    fipsrt_key *cakey = ec_key(FIPSRT_EC_P384), *leafkey = ec_key(FIPSRT_EC_P256), *other = ec_key(FIPSRT_EC_P256);
    fipsrt_cert_params cap = FIPSRT_CERT_PARAMS_INIT, lp = params("leaf.example");
    cap.common_name = "Test CA";
    cap.is_ca = 1;
    fipsrt_cert *ca, *leaf, *notca;
    ck_assert_ok(fipsrt_cert_selfsign(&ca, cakey, &cap));
    ck_assert_ok(fipsrt_cert_issue(&leaf, leafkey, &lp, ca, cakey));
    X509 *xca = parse(ca), *xleaf = parse(leaf);
    ck_assert_int_eq(X509_check_ca(xca), 1);
    ck_assert(X509_get_key_usage(xca) & KU_KEY_CERT_SIGN);
    ck_assert_int_eq(X509_check_issued(xca, xleaf), X509_V_OK);
    ck_assert_int_eq(X509_verify(xleaf, X509_get0_pubkey(xca)), 1);
    int md;
    ck_assert_int_eq(X509_get_signature_info(xleaf, &md, NULL, NULL, NULL), 1);
    ck_assert_int_eq(md, NID_sha384);  /* matched to the issuer's P-384 key */
    ck_assert_int_eq(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(xleaf), X509_get0_subject_key_id(xca)), 0);
    X509_free(xca);
    X509_free(xleaf);

    /* Independent checks: openssl verify, and Python's cryptography. */
    save_pem(ca, "ca.pem");
    save_pem(leaf, "leaf.pem");
    char *verify[] = {"/usr/bin/openssl", "verify", "-x509_strict", "-CAfile", (char *)tmp_path("ca.pem"),
                      (char *)tmp_path("leaf.pem"), NULL};
    proc_result *r = malloc(sizeof(*r));
    run_process(verify, NULL, NULL, r);
    ck_assert_msg(r->exited && r->status == 0, "openssl verify: %s%s", r->out, r->err);
    static const char script[] =
        "import sys\n"
        "from cryptography import x509\n"
        "from cryptography.hazmat.primitives.asymmetric import ec\n"
        "ca = x509.load_pem_x509_certificate(open(sys.argv[1], 'rb').read())\n"
        "leaf = x509.load_pem_x509_certificate(open(sys.argv[2], 'rb').read())\n"
        "ca.public_key().verify(leaf.signature, leaf.tbs_certificate_bytes,\n"
        "                       ec.ECDSA(leaf.signature_hash_algorithm))\n"
        "san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value\n"
        "print(leaf.subject.rfc4514_string(), leaf.signature_hash_algorithm.name,\n"
        "      sorted(san.get_values_for_type(x509.DNSName)),\n"
        "      sorted(str(i) for i in san.get_values_for_type(x509.IPAddress)),\n"
        "      ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)\n";
    write_file(tmp_path("check.py"), script, sizeof(script) - 1);
    char *py[] = {"/usr/bin/python3", (char *)tmp_path("check.py"), (char *)tmp_path("ca.pem"),
                  (char *)tmp_path("leaf.pem"), NULL};
    /* An independent check: OpenSSL's default provider (cryptography also wants "legacy"). */
    const char *const env[] = {"OPENSSL_CONF=/dev/null", "OPENSSL_MODULES", NULL};
    run_process(py, env, NULL, r);
    ck_assert_msg(r->exited && r->status == 0, "python: %s", r->err);
    ck_assert_str_eq(r->out, "CN=leaf.example sha384 ['*.example.com', 'localhost'] "
                             "['127.0.0.1', '2001:db8::7', '::1'] True\n");
    free(r);

    fipsrt_cert_free(leaf);

    /* The issuer must be a CA, and its key must match it. */
    ck_assert_ok(fipsrt_cert_selfsign(&notca, other, &lp));
    ck_assert_fipsrt(fipsrt_cert_issue(&leaf, leafkey, &lp, notca, other), FIPSRT_E_INVALID_ARG);
    ck_assert_ptr_null(leaf);
    ck_assert_fipsrt(fipsrt_cert_issue(&leaf, leafkey, &lp, ca, other), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_cert_issue(&leaf, leafkey, &lp, NULL, cakey), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_cert_issue(&leaf, NULL, &lp, ca, cakey), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_cert_issue(&leaf, leafkey, &lp, ca, NULL), FIPSRT_E_INVALID_ARG);
    /* Issuing needs only the subject's public key. */
    fipsrt_key *pub;
    ck_assert_ok(fipsrt_key_public(&pub, leafkey));
    ck_assert_ok(fipsrt_cert_issue(&leaf, pub, &lp, ca, cakey));
    fipsrt_cert_free(leaf);
    fipsrt_key_free(pub);
    fipsrt_cert_free(notca);
    fipsrt_cert_free(ca);
    fipsrt_key_free(cakey);
    fipsrt_key_free(leafkey);
    fipsrt_key_free(other);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

/* Found by fuzz_cert_import: a certificate whose notAfter does not decode imports (import
 * checks the encoding only) and then fipsrt_cert_validity() answers MALFORMED, now
 * documented, with a clean OpenSSL error queue. */
START_TEST(test_validity_bad_time)
{
    size_t len;
    char *pem = slurp("/usr/lib/python3/dist-packages/cryptography_vectors/x509/badasn1time.pem",
                      &len);
    ck_assert_ptr_nonnull(pem);
    fipsrt_cert *cert;
    int64_t nb = 7, na = 7;
    ck_assert_ok(fipsrt_cert_import(&cert, (const uint8_t *)pem, len));
    ck_assert_fipsrt(fipsrt_cert_validity(cert, &nb, &na), FIPSRT_E_MALFORMED);
    ck_assert_int_eq(nb, 7);   /* nothing half-written */
    ck_assert_int_eq(na, 7);
    ck_assert_uint_eq(ERR_peek_error(), 0);
    fipsrt_cert_free(cert);
    free(pem);
}
END_TEST

/* Found by fuzz_cert_import (UBSan): an empty subject is an empty string; the empty text
 * came as a NULL pointer that copy_out passed to memcpy. */
START_TEST(test_subject_empty)
{
    size_t len, n = 99;
    char *pem = slurp("/usr/lib/python3/dist-packages/cryptography_vectors/x509/custom/ian_uri.pem",
                      &len);
    ck_assert_ptr_nonnull(pem);
    fipsrt_cert *cert;
    char subj[16] = "x";
    ck_assert_ok(fipsrt_cert_import(&cert, (const uint8_t *)pem, len));
    ck_assert_ok(fipsrt_cert_subject(cert, subj, sizeof(subj), &n));
    ck_assert_uint_eq(n, 0);
    ck_assert_str_eq(subj, "");
    fipsrt_cert_free(cert);
    free(pem);
}
END_TEST

START_TEST(test_import_export)
{
    fipsrt_key *key = ec_key(FIPSRT_EC_P256);
    fipsrt_cert_params p = params("roundtrip");
    fipsrt_cert *cert, *back;
    ck_assert_ok(fipsrt_cert_selfsign(&cert, key, &p));
    uint8_t pem[4096], der[4096], again[4096];
    size_t pem_len, der_len, n;

    /* Size queries: the PEM size counts the terminating NUL. */
    ck_assert_fipsrt(fipsrt_cert_export(cert, FIPSRT_CERT_DER, NULL, 0, &der_len), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_fipsrt(fipsrt_cert_export(cert, FIPSRT_CERT_PEM, NULL, 0, &pem_len), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_ok(fipsrt_cert_export(cert, FIPSRT_CERT_DER, der, der_len, &n));
    ck_assert_uint_eq(n, der_len);
    ck_assert_fipsrt(fipsrt_cert_export(cert, FIPSRT_CERT_PEM, pem, pem_len - 1, &n), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(n, pem_len);
    ck_assert_ok(fipsrt_cert_export(cert, FIPSRT_CERT_PEM, pem, pem_len, &n));
    ck_assert_uint_eq(n, pem_len - 1);
    ck_assert_int_eq(pem[n], '\0');
    ck_assert_fipsrt(fipsrt_cert_export(cert, 0, der, sizeof(der), &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_cert_export(NULL, FIPSRT_CERT_DER, der, sizeof(der), &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_cert_export(cert, FIPSRT_CERT_DER, NULL, 10, &n), FIPSRT_E_INVALID_ARG);

    /* Round trips through both encodings give the same DER. */
    ck_assert_ok(fipsrt_cert_import(&back, pem, pem_len - 1));
    ck_assert_ok(fipsrt_cert_export(back, FIPSRT_CERT_DER, again, sizeof(again), &n));
    ck_assert_uint_eq(n, der_len);
    ck_assert_int_eq(memcmp(again, der, n), 0);
    fipsrt_cert_free(back);
    ck_assert_ok(fipsrt_cert_import(&back, der, der_len));
    fipsrt_cert_free(back);
    /* Blank lines before PEM are fine. */
    char spaced[4200];
    int sn = snprintf(spaced, sizeof(spaced), "\n\n%s", (char *)pem);
    ck_assert_ok(fipsrt_cert_import(&back, (uint8_t *)spaced, (size_t)sn));
    fipsrt_cert_free(back);

    /* Malformed input, never a crash: every truncation of the DER, trailing bytes, junk. */
    back = (fipsrt_cert *)1;
    for (size_t cut = 1; cut < der_len; cut++)
        ck_assert_fipsrt(fipsrt_cert_import(&back, der, cut), FIPSRT_E_MALFORMED);
    ck_assert_ptr_null(back);
    der[der_len] = 0;
    ck_assert_fipsrt(fipsrt_cert_import(&back, der, der_len + 1), FIPSRT_E_MALFORMED);
    ck_assert_fipsrt(fipsrt_cert_import(&back, (const uint8_t *)"garbage", 7), FIPSRT_E_MALFORMED);
    ck_assert_fipsrt(fipsrt_cert_import(&back, pem, pem_len / 2), FIPSRT_E_MALFORMED);
    pem[40] = '*';
    ck_assert_fipsrt(fipsrt_cert_import(&back, pem, pem_len - 1), FIPSRT_E_MALFORMED);
    static const uint8_t other_pem[] = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
    ck_assert_fipsrt(fipsrt_cert_import(&back, other_pem, sizeof(other_pem) - 1), FIPSRT_E_MALFORMED);
    ck_assert_fipsrt(fipsrt_cert_import(&back, der, 0), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_cert_import(&back, NULL, 5), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_cert_import(NULL, der, der_len), FIPSRT_E_INVALID_ARG);

    /* Subject output rules. */
    char subject[8];
    ck_assert_fipsrt(fipsrt_cert_subject(cert, subject, sizeof(subject), &n), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(n, strlen("CN=roundtrip") + 1);
    ck_assert_fipsrt(fipsrt_cert_subject(NULL, subject, sizeof(subject), &n), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_cert_validity(NULL, NULL, NULL), FIPSRT_E_INVALID_ARG);
    fipsrt_cert_free(cert);
    fipsrt_key_free(key);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

/* fipsrt_cert_params_init() fills a usable structure; the name and address checks each
 * refuse with their exact code. */
START_TEST(test_params_and_names)
{
    fipsrt_key *key = ec_key(FIPSRT_EC_P256);
    fipsrt_cert *cert = (fipsrt_cert *)1;
    fipsrt_cert_params p;
    memset(&p, 0xa5, sizeof(p));
    ck_assert_ok(fipsrt_cert_params_init(&p, FIPSRT_CERT_PARAMS_VERSION));
    ck_assert_uint_eq(p.version, FIPSRT_CERT_PARAMS_VERSION);
    ck_assert_uint_eq(p.size, sizeof(p));
    ck_assert_ptr_null(p.common_name);
    ck_assert_uint_eq(p.dns_count, 0);
    ck_assert_int_eq(p.is_ca, 0);
    p.common_name = "init";
    ck_assert_ok(fipsrt_cert_selfsign(&cert, key, &p));
    fipsrt_cert_free(cert);

    /* DNS names: wildcard, '-', '_' are fine; empty, too long, "*" without ".", others not. */
    static const char *const good[] = {"*.example.com", "a-b_c.example", "x"};
    p.dns_names = good;
    p.dns_count = 3;
    ck_assert_ok(fipsrt_cert_selfsign(&cert, key, &p));
    fipsrt_cert_free(cert);
    char long_name[300];
    memset(long_name, 'a', 254);
    long_name[254] = '\0';
    const char *bad[] = {"", long_name, "*example.com", "*", "a/b"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cert = (fipsrt_cert *)1;
        p.dns_names = &bad[i];
        p.dns_count = 1;
        ck_assert_fipsrt(fipsrt_cert_selfsign(&cert, key, &p), FIPSRT_E_INVALID_ARG);
        ck_assert_str_eq(fipsrt_last_error(), "check_params: dns_names[0] is not a DNS name");
        ck_assert_ptr_null(cert);
    }
    long_name[253] = '\0';   /* exactly the limit */
    p.dns_names = bad + 1;
    ck_assert_ok(fipsrt_cert_selfsign(&cert, key, &p));
    fipsrt_cert_free(cert);
    p.dns_count = 0;

    /* IP addresses: a NULL list with a count, a NULL entry. */
    p.ip_count = 1;
    ck_assert_fipsrt(fipsrt_cert_selfsign(&cert, key, &p), FIPSRT_E_INVALID_ARG);
    ck_assert_str_eq(fipsrt_last_error(), "check_params: invalid argument: p->ip_addresses != NULL || p->ip_count == 0");
    static const char *const null_ip[] = {NULL};
    p.ip_addresses = null_ip;
    ck_assert_fipsrt(fipsrt_cert_selfsign(&cert, key, &p), FIPSRT_E_INVALID_ARG);
    ck_assert_str_eq(fipsrt_last_error(), "add_san: ip_addresses[0] is not an IPv4 or IPv6 address");
    ck_assert_ptr_null(cert);
    fipsrt_key_free(key);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

/*
 * An issuer certificate made elsewhere without a subjectKeyIdentifier: the issued
 * certificate's authorityKeyIdentifier is computed from the issuer's key (RFC 5280
 * 4.2.1.1 method 1), and matches the SKID the library gives the subject. Also the issue
 * argument checks.
 */
START_TEST(test_issue_from_ca_without_skid)
{
    char *argv[] = {"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", (char *)tmp_path("ca.key"),
                    "-subj", "/CN=No SKID CA", "-addext", "basicConstraints=critical,CA:TRUE",
                    "-addext", "subjectKeyIdentifier=none", "-addext",
                    "authorityKeyIdentifier=none", "-out", (char *)tmp_path("ca.pem"), NULL};
    proc_result *r = malloc(sizeof(*r));
    run_process(argv, NULL, NULL, r);
    ck_assert_msg(r->exited && r->status == 0, "openssl req: %s", r->err);
    free(r);
    size_t klen, clen;
    char *kpem = slurp(tmp_path("ca.key"), &klen), *cpem = slurp(tmp_path("ca.pem"), &clen);
    fipsrt_key *cakey, *leafkey = ec_key(FIPSRT_EC_P256);
    fipsrt_cert *ca, *leaf = (fipsrt_cert *)1;
    ck_assert_ok(fipsrt_key_import_private(&cakey, FIPSRT_KEY_PEM, (uint8_t *)kpem, klen, NULL, 0));
    ck_assert_ok(fipsrt_cert_import(&ca, (uint8_t *)cpem, clen));
    fipsrt_cert_params lp = params("leaf.example");

    ck_assert_fipsrt(fipsrt_cert_issue(NULL, leafkey, &lp, ca, cakey), FIPSRT_E_INVALID_ARG);
    lp.common_name = NULL;   /* make_cert's own checks run for issue too */
    ck_assert_fipsrt(fipsrt_cert_issue(&leaf, leafkey, &lp, ca, cakey), FIPSRT_E_INVALID_ARG);
    ck_assert_ptr_null(leaf);
    lp.common_name = "leaf.example";
    ck_assert_ok(fipsrt_cert_issue(&leaf, leafkey, &lp, ca, cakey));

    X509 *x = parse(leaf), *cax = parse(ca);
    ck_assert_ptr_null(X509_get0_subject_key_id(cax));
    const ASN1_OCTET_STRING *akid = X509_get0_authority_key_id(x);
    ck_assert_ptr_nonnull(akid);
    /* method 1: SHA-1 of the issuer's subjectPublicKey BIT STRING contents */
    const unsigned char *pk;
    int pk_len;
    ck_assert(X509_PUBKEY_get0_param(NULL, &pk, &pk_len, NULL, X509_get_X509_PUBKEY(cax)));
    uint8_t id[20];
    ck_assert_ok(fipsrt_hash(FIPSRT_HASH_SHA1, pk, (size_t)pk_len, id, sizeof(id), NULL));
    ck_assert_int_eq(ASN1_STRING_length(akid), 20);
    ck_assert_mem_eq(ASN1_STRING_get0_data(akid), id, 20);
    ck_assert_int_eq(X509_check_issued(cax, x), X509_V_OK);
    X509_free(x);
    X509_free(cax);
    fipsrt_cert_free(leaf);
    fipsrt_cert_free(ca);
    fipsrt_key_free(cakey);
    fipsrt_key_free(leafkey);
    free(kpem);
    free(cpem);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

/* Output and time edge cases: no out_len, NULL subject buffer, whitespace-only input, a
 * notAfter that does not decode (notBefore does). */
START_TEST(test_outputs_and_times)
{
    fipsrt_key *key = ec_key(FIPSRT_EC_P256);
    fipsrt_cert_params p = params("times");
    p.not_before = 1000000000;   /* 010909014640Z */
    p.not_after = 2000000000;    /* 330518033320Z */
    fipsrt_cert *cert, *back = (fipsrt_cert *)1;
    ck_assert_ok(fipsrt_cert_selfsign(&cert, key, &p));
    uint8_t der[4096];
    size_t der_len = 0, n = 5;
    ck_assert_fipsrt(fipsrt_cert_export(cert, FIPSRT_CERT_DER, NULL, 0, NULL), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_ok(fipsrt_cert_export(cert, FIPSRT_CERT_DER, der, sizeof(der), NULL));
    ck_assert_ok(fipsrt_cert_export(cert, FIPSRT_CERT_DER, der, sizeof(der), &der_len));
    ck_assert_fipsrt(fipsrt_cert_subject(cert, NULL, 10, &n), FIPSRT_E_INVALID_ARG);
    ck_assert_uint_eq(n, 5);
    ck_assert_fipsrt(fipsrt_cert_import(&back, (const uint8_t *)" \n\t ", 4), FIPSRT_E_MALFORMED);
    ck_assert_ptr_null(back);
    int64_t nb = 7, na = 7;
    ck_assert_ok(fipsrt_cert_validity(cert, &nb, &na));
    ck_assert_int_eq(nb, 1000000000);
    ck_assert_int_eq(na, 2000000000);
    ck_assert_ok(fipsrt_cert_validity(cert, NULL, NULL));

    uint8_t *t = memmem(der, der_len, "330518033320Z", 13);
    ck_assert_ptr_nonnull(t);
    t[2] = '1';
    t[3] = '3';   /* month 13 */
    ck_assert_ok(fipsrt_cert_import(&back, der, der_len));   /* parsed, signature unchecked */
    nb = na = 7;
    ck_assert_fipsrt(fipsrt_cert_validity(back, &nb, &na), FIPSRT_E_MALFORMED);
    ck_assert_int_eq(nb, 7);   /* nothing half-written */
    ck_assert_int_eq(na, 7);
    fipsrt_cert_free(back);
    fipsrt_cert_free(cert);
    fipsrt_key_free(key);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

START_TEST(test_cli_selfsign)
{
    const char *cli = getenv("FIPSRT_CLI");
    ck_assert_ptr_nonnull(cli);
    proc_result *r = malloc(sizeof(*r));
    char *argv[] = {(char *)cli, "cert", "selfsign", "--cn", "cli.example", "--dns", "cli.example",
                    "--ip", "10.0.0.1", "--days", "10", "--key-type", "p384",
                    "--out", (char *)tmp_path("cli.pem"), "--key-out", (char *)tmp_path("cli.key"), NULL};
    run_process(argv, NULL, NULL, r);
    ck_assert_msg(r->exited && r->status == 0, "%s", r->err);
    ck_assert_ptr_nonnull(strstr(r->err, "self-signed ECDSA certificate for CN=cli.example"));
    size_t len;
    char *pem = slurp(tmp_path("cli.pem"), &len);
    fipsrt_cert *cert;
    ck_assert_ok(fipsrt_cert_import(&cert, (uint8_t *)pem, len));
    X509 *x = parse(cert);
    ck_assert_int_eq(X509_check_host(x, "cli.example", 0, 0, NULL), 1);
    ck_assert_int_eq(X509_check_ip_asc(x, "10.0.0.1", 0), 1);
    ck_assert_int_eq(EVP_PKEY_get_bits(X509_get0_pubkey(x)), 384);
    int64_t nb, na;
    ck_assert_ok(fipsrt_cert_validity(cert, &nb, &na));
    ck_assert_int_eq(na - nb, 10 * 86400 + 300);
    X509_free(x);
    fipsrt_cert_free(cert);
    free(pem);
    /* The key went to a private file and signs a second certificate (DER, CA). */
    char *key = slurp(tmp_path("cli.key"), &len);
    ck_assert_ptr_nonnull(strstr(key, "-----BEGIN PRIVATE KEY-----"));
    free(key);
    char *argv2[] = {(char *)cli, "cert", "selfsign", "--cn", "again", "--key", (char *)tmp_path("cli.key"),
                     "--ca", "--der", "--out", (char *)tmp_path("ca.der"), NULL};
    run_process(argv2, NULL, NULL, r);
    ck_assert_msg(r->exited && r->status == 0, "%s", r->err);
    char *der = slurp(tmp_path("ca.der"), &len);
    ck_assert_ok(fipsrt_cert_import(&cert, (uint8_t *)der, len));
    x = parse(cert);
    ck_assert_int_eq(X509_check_ca(x), 1);
    X509_free(x);
    fipsrt_cert_free(cert);
    free(der);
    /* Usage errors exit 2, library refusals 1. */
    char *bad1[] = {(char *)cli, "cert", "selfsign", "--cn", "x", "--out", (char *)tmp_path("x"), NULL};
    run_process(bad1, NULL, NULL, r);
    ck_assert_int_eq(r->status, 2);
    char *bad2[] = {(char *)cli, "cert", "selfsign", "--cn", "x", "--key-type", "ed25519", "--out",
                    (char *)tmp_path("x"), "--key-out", (char *)tmp_path("y"), NULL};
    run_process(bad2, NULL, NULL, r);
    ck_assert_int_eq(r->status, 2);
    char *bad3[] = {(char *)cli, "cert", "selfsign", "--cn", "x", "--ip", "1.2.3", "--out",
                    (char *)tmp_path("x"), "--key-out", (char *)tmp_path("y"), NULL};
    run_process(bad3, NULL, NULL, r);
    ck_assert_int_eq(r->status, 1);
    ck_assert_ptr_nonnull(strstr(r->err, "invalid argument"));
    char *bad4[] = {(char *)cli, "cert", "frobnicate", NULL};
    run_process(bad4, NULL, NULL, r);
    ck_assert_int_eq(r->status, 2);
    free(r);
}
END_TEST

START_TEST(test_cli_status_tls_policy)
{
    const char *cli = getenv("FIPSRT_CLI");
    proc_result *r = malloc(sizeof(*r));
    char *argv[] = {(char *)cli, "status", NULL};
    run_process(argv, NULL, NULL, r);
    ck_assert_int_eq(r->status, 0);
    ck_assert_ptr_nonnull(strstr(r->out, "tls policy"));
    ck_assert_ptr_nonnull(strstr(r->out, "TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384"));
    ck_assert_ptr_nonnull(strstr(r->out, "P-256, P-384, P-521"));
    ck_assert_ptr_nonnull(strstr(r->out, "Extended Master Secret required on TLS 1.2"));
    ck_assert_ptr_null(strstr(r->out, "X25519"));
    static const char script[] =
        "import json, sys\n"
        "p = json.load(sys.stdin)['tls_policy']\n"
        "print(p['versions'], p['groups'], len(p['tls12_suites']), len(p['signature_schemes']))\n";
    write_file(tmp_path("status.py"), script, sizeof(script) - 1);
    char *json_argv[] = {(char *)cli, "status", "--json", NULL};
    run_process(json_argv, NULL, NULL, r);
    ck_assert_int_eq(r->status, 0);
    char *json = strdup(r->out);
    char *py[] = {"/usr/bin/python3", (char *)tmp_path("status.py"), NULL};
    run_process(py, NULL, json, r);
    ck_assert_msg(r->exited && r->status == 0, "%s", r->err);
    ck_assert_str_eq(r->out, "['TLSv1.2', 'TLSv1.3'] ['P-256', 'P-384', 'P-521'] 4 12\n");
    free(json);
    free(r);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("cert");
    TCase *tc = tcase_create("cert");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_selfsign_fields);
    tcase_add_test(tc, test_defaults_and_hashes);
    tcase_add_test(tc, test_bad_params);
    tcase_add_test(tc, test_issue_chain);
    tcase_add_test(tc, test_import_export);
    tcase_add_test(tc, test_validity_bad_time);
    tcase_add_test(tc, test_subject_empty);
    tcase_add_test(tc, test_params_and_names);
    tcase_add_test(tc, test_issue_from_ca_without_skid);
    tcase_add_test(tc, test_outputs_and_times);
    tcase_add_test(tc, test_cli_selfsign);
    tcase_add_test(tc, test_cli_status_tls_policy);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(make_suite);
}
