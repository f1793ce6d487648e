/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scripted workload of the allocation-failure sweep: one segment per family, each
 * self-contained (it makes and frees its own objects) and driving only the public API, so it
 * keeps working when the library's internals change. Every call goes through STEP(), which
 * checks the outcome (see alloc_fail.c); a failed step ends the segment through `out`, the
 * way a careful caller unwinds.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fipsrt/fipsrt.h>
#include <fipsrt/insecure.h>

#include "faults.h"

static const uint8_t msg[] = "the quick brown fox jumps over the lazy dog";
static const uint8_t key32[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};

/* A step whose call must refuse with `want`: 0 when it does; an allocation failure's code
 * passes through to step_end(), which judges it; a success is a wrong output. */
static int refused(int rv, int want)
{
    return rv == want ? 0 : rv == 0 ? WRONG_OUTPUT : rv;
}

static int seg_runtime(void)
{
    int rc = 0;
    fipsrt_runtime_info info = {.size = sizeof(info)};
    const char *name, *kind, *prov;
    STEP(fipsrt_init());
    STEP(fipsrt_runtime_get_info(&info));
    for (size_t i = 0; i < fipsrt_algorithm_count(); i++)
        STEP(fipsrt_algorithm_get(i, &name, &kind, &prov));
    STEP(fipsrt_strerror(FIPSRT_E_NOMEM) != NULL && fipsrt_version() != NULL ? 0 : -8);
    (void)fipsrt_process_changes();
    (void)fipsrt_last_error();
    (void)fipsrt_service_indicator();
    (void)fipsrt_version_number();
out:
    return rc;
}

/* Alone: an allocation failure inside the provider's self-test puts the module in its FIPS
 * 140-3 error state for good (see expect_error_state in alloc_fail.c). */
static int seg_selftest(void)
{
    int rc = 0;
    STEP(fipsrt_selftest());
out:
    return rc;
}

static int seg_hash(void)
{
    int rc = 0;
    uint8_t out[64], out2[64];
    size_t n, n2;
    fipsrt_hash_ctx *h = NULL, *c = NULL;
    STEP(fipsrt_hash(FIPSRT_HASH_SHA256, msg, sizeof(msg), out, sizeof(out), &n));
    STEP(fipsrt_hash(FIPSRT_HASH_SHA3_512, msg, sizeof(msg), out, sizeof(out), &n));
    STEP(fipsrt_hash_xof(FIPSRT_HASH_SHAKE256, msg, sizeof(msg), out, 48));
    STEP_NEW(h, fipsrt_hash_new(&h, FIPSRT_HASH_SHA384));
    STEP(fipsrt_hash_update(h, msg, 10));
    STEP_NEW(c, fipsrt_hash_clone(&c, h));
    STEP(fipsrt_hash_update(h, msg + 10, sizeof(msg) - 10));
    STEP(fipsrt_hash_update(c, msg + 10, sizeof(msg) - 10));
    STEP(fipsrt_hash_final(h, out, sizeof(out), &n));
    STEP(fipsrt_hash_final(c, out2, sizeof(out2), &n2));
    STEP(n == n2 && memcmp(out, out2, n) == 0 ? 0 : WRONG_OUTPUT);
    STEP(fipsrt_hash_reset(h));
    fipsrt_hash_free(c);
    c = NULL;
    STEP_NEW(c, fipsrt_hash_new(&c, FIPSRT_HASH_SHAKE128));
    STEP(fipsrt_hash_update(c, msg, sizeof(msg)));
    STEP(fipsrt_hash_final_xof(c, out, 32));
    (void)fipsrt_hash_ctx_alg(h);
    (void)fipsrt_hash_size(FIPSRT_HASH_SHA256);
    (void)fipsrt_hash_block_size(FIPSRT_HASH_SHA256);
    (void)fipsrt_hash_name(FIPSRT_HASH_SHA256);
out:
    fipsrt_hash_free(h);
    fipsrt_hash_free(c);
    return rc;
}

static int seg_hmac(void)
{
    int rc = 0;
    uint8_t tag[64], tag2[64];
    size_t n, n2;
    fipsrt_hmac_ctx *h = NULL, *c = NULL;
    fipsrt_hmac_key *pk = NULL;
    STEP(fipsrt_hmac(FIPSRT_HASH_SHA256, key32, 32, msg, sizeof(msg), tag, sizeof(tag), &n));
    STEP(fipsrt_hmac_verify(FIPSRT_HASH_SHA256, key32, 32, msg, sizeof(msg), tag, n));
    STEP(fipsrt_hmac(FIPSRT_HASH_SHA3_256, key32, 32, msg, sizeof(msg), tag, sizeof(tag), &n));
    STEP_NEW(h, fipsrt_hmac_new(&h, FIPSRT_HASH_SHA512, key32, 32));
    STEP(fipsrt_hmac_update(h, msg, 5));
    STEP_NEW(c, fipsrt_hmac_clone(&c, h));
    STEP(fipsrt_hmac_update(h, msg + 5, sizeof(msg) - 5));
    STEP(fipsrt_hmac_update(c, msg + 5, sizeof(msg) - 5));
    STEP(fipsrt_hmac_final(h, tag, sizeof(tag), &n));
    STEP(fipsrt_hmac_final(c, tag2, sizeof(tag2), &n2));
    STEP(n == n2 && memcmp(tag, tag2, n) == 0 ? 0 : WRONG_OUTPUT);
    STEP(fipsrt_hmac_reset(h));
    STEP(fipsrt_hmac_update(h, msg, sizeof(msg)));
    STEP(fipsrt_hmac_final_verify(h, tag, n));
    STEP_NEW(pk, fipsrt_hmac_key_new(&pk, FIPSRT_HASH_SHA512, key32, 32));
    STEP(fipsrt_hmac_key_alg(pk) == FIPSRT_HASH_SHA512 ? 0 : WRONG_OUTPUT);
    STEP(fipsrt_hmac_key_mac(pk, msg, sizeof(msg), tag2, sizeof(tag2), &n2));
    STEP(n2 == n && memcmp(tag, tag2, n) == 0 ? 0 : WRONG_OUTPUT);
    STEP(fipsrt_hmac_key_verify(pk, msg, sizeof(msg), tag, n));
out:
    fipsrt_hmac_key_free(pk);
    fipsrt_hmac_free(h);
    fipsrt_hmac_free(c);
    return rc;
}

static int seg_kdf_rand_md5(void)
{
    int rc = 0;
    uint8_t out[64], prk[64];
    size_t n;
    fipsrt_insecure_md5_ctx *m = NULL, *m2 = NULL;
    STEP(fipsrt_hkdf(FIPSRT_HASH_SHA256, key32, 32, msg, 16, msg, 8, out, 42));
    STEP(fipsrt_hkdf_extract(FIPSRT_HASH_SHA384, key32, 32, msg, 16, prk, sizeof(prk), &n));
    STEP(fipsrt_hkdf_expand(FIPSRT_HASH_SHA384, prk, n, msg, 8, out, 64));
    STEP(fipsrt_pbkdf2(FIPSRT_HASH_SHA256, "password", 8, key32, 16, 1000, out, 32));
    STEP(fipsrt_random(out, sizeof(out)));
    STEP(fipsrt_insecure_md5(msg, sizeof(msg), out));
    STEP_NEW(m, fipsrt_insecure_md5_new(&m));
    STEP(fipsrt_insecure_md5_update(m, msg, 10));
    STEP_NEW(m2, fipsrt_insecure_md5_clone(&m2, m));
    STEP(fipsrt_insecure_md5_update(m, msg + 10, sizeof(msg) - 10));
    STEP(fipsrt_insecure_md5_update(m2, msg + 10, sizeof(msg) - 10));
    STEP(fipsrt_insecure_md5_final(m, prk));
    STEP(memcmp(out, prk, FIPSRT_INSECURE_MD5_SIZE) == 0 ? 0 : WRONG_OUTPUT);
    STEP(fipsrt_insecure_md5_final(m2, prk));
    STEP(memcmp(out, prk, FIPSRT_INSECURE_MD5_SIZE) == 0 ? 0 : WRONG_OUTPUT);
out:
    fipsrt_insecure_md5_free(m2);
    fipsrt_insecure_md5_free(m);
    return rc;
}

static int seg_aead(void)
{
    int rc = 0;
    fipsrt_aead_key *k = NULL;
    fipsrt_aead_counter *cs = NULL, *co = NULL;
    fipsrt_aead_stream *ss = NULL, *os = NULL;
    uint8_t nonce[12], ct[128], pt[128], tag[16], fixed[12];
    size_t n, m;
    STEP_NEW(k, fipsrt_aead_key_new(&k, FIPSRT_AEAD_AES_256_GCM, key32, 32));
    STEP(fipsrt_aead_seal(k, "aad", 3, msg, sizeof(msg), nonce, ct, sizeof(ct), &n));
    STEP(fipsrt_aead_open(k, nonce, "aad", 3, ct, n, pt, sizeof(pt), &m));
    STEP(m == sizeof(msg) && memcmp(pt, msg, m) == 0 ? 0 : WRONG_OUTPUT);
    STEP(fipsrt_aead_seal_detached(k, NULL, 0, msg, sizeof(msg), nonce, ct, sizeof(ct), tag));
    STEP(fipsrt_aead_open_detached(k, nonce, NULL, 0, ct, sizeof(msg), tag, 16, pt, sizeof(pt)));
    (void)fipsrt_aead_key_alg(k);
    (void)fipsrt_aead_key_invocations(k);
    (void)fipsrt_aead_key_size(FIPSRT_AEAD_AES_128_GCM);
    (void)fipsrt_aead_name(FIPSRT_AEAD_AES_128_GCM);
    (void)fipsrt_aead_nonce_fixed_size(FIPSRT_AEAD_NONCE_XOR);
    STEP_NEW(cs, fipsrt_aead_counter_new(&cs, FIPSRT_AEAD_AES_128_GCM, key32, 16,
                                         FIPSRT_AEAD_NONCE_XOR, key32, 12));
    STEP_NEW(co, fipsrt_aead_counter_new(&co, FIPSRT_AEAD_AES_128_GCM, key32, 16,
                                         FIPSRT_AEAD_NONCE_XOR, key32, 12));
    STEP(fipsrt_aead_counter_fixed(cs, fixed, sizeof(fixed), &n));
    STEP(fipsrt_aead_counter_nonce(cs, 7, nonce));
    STEP(fipsrt_aead_counter_seal(cs, 7, "h", 1, msg, sizeof(msg), ct, sizeof(ct), &n));
    STEP(fipsrt_aead_counter_open(co, 7, "h", 1, ct, n, pt, sizeof(pt), &m));
    uint64_t last;
    STEP(fipsrt_aead_counter_last(cs, &last));
    STEP_NEW(ss, fipsrt_aead_seal_stream_new(&ss, k, "s", 1));
    STEP(fipsrt_aead_stream_update(ss, msg, 20, ct, sizeof(ct), &n));
    STEP(fipsrt_aead_stream_update(ss, msg + 20, sizeof(msg) - 20, ct + n, sizeof(ct) - n, &m));
    STEP(fipsrt_aead_seal_stream_final(ss, nonce, tag));
    STEP_NEW(os, fipsrt_aead_open_stream_new(&os, k, nonce, "s", 1));
    STEP(fipsrt_aead_stream_update(os, ct, sizeof(msg), pt, sizeof(pt), &n));
    STEP(fipsrt_aead_open_stream_final(os, tag, 16));
out:
    fipsrt_aead_stream_free(ss);
    fipsrt_aead_stream_free(os);
    fipsrt_aead_counter_free(cs);
    fipsrt_aead_counter_free(co);
    fipsrt_aead_key_free(k);
    return rc;
}

static int seg_ec(void)
{
    int rc = 0;
    fipsrt_key *k = NULL, *pub = NULL, *imp = NULL, *pt = NULL, *k2 = NULL, *dk = NULL;
    uint8_t der[2048], pem[4096], sig[160], sig2[160], point[200], d[80], sec[80], dig[32];
    size_t nder, npem, ns, ns2, np, nsec, nd;
    STEP_NEW(k, fipsrt_key_generate_ec(&k, FIPSRT_EC_P256));
    STEP(fipsrt_key_export_private(k, FIPSRT_KEY_DER, NULL, 0, der, sizeof(der), &nder));
    STEP_NEW(imp, fipsrt_key_import_private(&imp, FIPSRT_KEY_DER, der, nder, NULL, 0));
    STEP(fipsrt_key_export_public(k, FIPSRT_KEY_PEM, pem, sizeof(pem), &npem));
    STEP_NEW(pub, fipsrt_key_import_public(&pub, FIPSRT_KEY_PEM, pem, npem));
    STEP(fipsrt_key_export_ec_point(k, point, sizeof(point), &np));
    STEP_NEW(pt, fipsrt_key_import_ec_point(&pt, FIPSRT_EC_P256, point, np));
    (void)fipsrt_key_get_type(k);
    (void)fipsrt_key_get_curve(k);
    (void)fipsrt_key_get_bits(k);
    (void)fipsrt_key_has_private(pub);
    (void)fipsrt_key_is_legacy(k);
    (void)fipsrt_ecdsa_max_size(FIPSRT_EC_P256, FIPSRT_ECDSA_DER);
    (void)fipsrt_ecdsa_verify_is_legacy(FIPSRT_HASH_SHA1);
    STEP(fipsrt_ecdsa_sign(imp, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, msg, sizeof(msg), sig,
                           sizeof(sig), &ns));
    STEP(fipsrt_ecdsa_verify(pub, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, msg, sizeof(msg), sig, ns));
    STEP(fipsrt_ecdsa_der_to_p1363(FIPSRT_EC_P256, sig, ns, sig2, sizeof(sig2), &ns2));
    STEP(fipsrt_ecdsa_verify(pt, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_P1363, msg, sizeof(msg), sig2,
                             ns2));
    STEP(fipsrt_ecdsa_p1363_to_der(FIPSRT_EC_P256, sig2, ns2, sig, sizeof(sig), &ns));
    STEP(fipsrt_hash(FIPSRT_HASH_SHA256, msg, sizeof(msg), dig, sizeof(dig), &nd));
    STEP(fipsrt_ecdsa_sign_digest(k, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_P1363, dig, nd, sig,
                                  sizeof(sig), &ns));
    STEP(fipsrt_ecdsa_verify_digest(pub, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_P1363, dig, nd, sig, ns));
    STEP_NEW(k2, fipsrt_key_generate_ec(&k2, FIPSRT_EC_P384));
    fipsrt_key_free(pub);
    pub = NULL;
    STEP_NEW(pub, fipsrt_key_public(&pub, k2));
    fipsrt_key_free(k2);
    k2 = NULL;
    STEP_NEW(k2, fipsrt_key_generate_ec(&k2, FIPSRT_EC_P256));
    STEP(fipsrt_ecdh_derive(k, k2, sec, sizeof(sec), &nsec));
    STEP(fipsrt_key_export_ec_point(k2, point, sizeof(point), &np));
    STEP(fipsrt_ecdh_derive_point(k, point, np, sec, sizeof(sec), &nsec));
    (void)fipsrt_ecdh_secret_size(FIPSRT_EC_P256);
    /* raw private scalar: the last 32 bytes of the d OCTET STRING are at a fixed place in a
     * P-256 PKCS#8 DER made by the provider; export and rebuild through the raw importer */
    STEP(fipsrt_key_export_ec_point(k, point, sizeof(point), &np));
    STEP(nder >= 36 + 32 ? 0 : WRONG_OUTPUT);
    memcpy(d, der + 36, 32);
    STEP_NEW(dk, fipsrt_key_import_ec_private(&dk, FIPSRT_EC_P256, d, 32, point, np));
out:
    fipsrt_key_free(k);
    fipsrt_key_free(k2);
    fipsrt_key_free(pub);
    fipsrt_key_free(imp);
    fipsrt_key_free(pt);
    fipsrt_key_free(dk);
    return rc;
}

static int seg_rsa(void)
{
    int rc = 0;
    fipsrt_key *k = NULL, *pub = NULL, *raw = NULL;
    uint8_t sig[512], ct[512], pt[512], n[512], e[8], dig[32];
    size_t ns, nc, np, nn, ne, nd;
    STEP_NEW(k, fipsrt_key_import_private(&k, FIPSRT_KEY_DER, fault_rsa_der, fault_rsa_der_len,
                                          NULL, 0));
    STEP_NEW(pub, fipsrt_key_public(&pub, k));
    (void)fipsrt_rsa_size(k);
    (void)fipsrt_rsa_oaep_max_plaintext(k, FIPSRT_HASH_SHA256);
    (void)fipsrt_rsa_verify_is_legacy(k, FIPSRT_HASH_SHA256);
    STEP(fipsrt_rsa_sign(k, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, msg, sizeof(msg), sig, sizeof(sig),
                         &ns));
    STEP(fipsrt_rsa_verify(pub, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, msg, sizeof(msg), sig, ns));
    STEP(fipsrt_rsa_sign(k, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA384, msg, sizeof(msg), sig,
                         sizeof(sig), &ns));
    STEP(fipsrt_rsa_verify(pub, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA384, msg, sizeof(msg), sig,
                           ns));
    STEP(fipsrt_hash(FIPSRT_HASH_SHA256, msg, sizeof(msg), dig, sizeof(dig), &nd));
    STEP(fipsrt_rsa_sign_digest(k, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA256, dig, nd, sig,
                                sizeof(sig), &ns));
    STEP(fipsrt_rsa_verify_digest(pub, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA256, dig, nd, sig, ns));
    STEP(fipsrt_rsa_pss_sign_digest(k, FIPSRT_HASH_SHA256, 32, dig, nd, sig, sizeof(sig), &ns));
    STEP(fipsrt_rsa_pss_verify_digest(pub, FIPSRT_HASH_SHA256, 32, dig, nd, sig, ns));
    STEP(fipsrt_rsa_encrypt(pub, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, (const uint8_t *)"l", 1, msg,
                            sizeof(msg), ct, sizeof(ct), &nc));
    STEP(fipsrt_rsa_decrypt(k, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, (const uint8_t *)"l", 1, ct, nc,
                            pt, sizeof(pt), &np));
    STEP(np == sizeof(msg) && memcmp(pt, msg, np) == 0 ? 0 : WRONG_OUTPUT);
    STEP(fipsrt_key_export_rsa_public(pub, n, sizeof(n), &nn, e, sizeof(e), &ne));
    STEP_NEW(raw, fipsrt_key_import_rsa_public(&raw, n, nn, e, ne));
    STEP(fipsrt_rsa_verify(raw, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, msg, 0, sig, 0) ==
                 FIPSRT_E_VERIFY_FAILED ? 0 : WRONG_OUTPUT);
out:
    fipsrt_key_free(k);
    fipsrt_key_free(pub);
    fipsrt_key_free(raw);
    return rc;
}

/* Alone: PBES2 with the export's PBKDF2 iteration count makes ~800k allocations. */
static int seg_ec_encrypted(void)
{
    int rc = 0;
    fipsrt_key *k = NULL, *imp = NULL;
    uint8_t pem[4096];
    size_t npem;
    STEP_NEW(k, fipsrt_key_generate_ec(&k, FIPSRT_EC_P256));
    STEP(fipsrt_key_export_private(k, FIPSRT_KEY_PEM, "secret", 6, pem, sizeof(pem), &npem));
    STEP_NEW(imp, fipsrt_key_import_private(&imp, FIPSRT_KEY_PEM, pem, npem, "secret", 6));
out:
    fipsrt_key_free(k);
    fipsrt_key_free(imp);
    return rc;
}

static int seg_rsa_keygen(void)
{
    int rc = 0;
    fipsrt_key *k = NULL;
    STEP_NEW(k, fipsrt_key_generate_rsa(&k, 2048));
out:
    fipsrt_key_free(k);
    return rc;
}

static int seg_passwd(void)
{
    int rc = 0, rehash;
    char h[256];
    size_t n;
    (void)fipsrt_passwd_default_rounds();
    STEP(fipsrt_passwd_hash("pw", 2, 1000, h, sizeof(h), &n));
    STEP(fipsrt_passwd_verify(h, "pw", 2, &rehash));
    STEP(fipsrt_passwd_verify("$5$saltsalt$0rl.MZtoLLPP3X0Rdl8riRnphIcAXJY27/aOAyK2hB5", "pw", 2,
                              &rehash));
    STEP(fipsrt_passwd_verify("$6$saltsalt$pauPrmdmG4BTE9h2HPmywiw152IFch6BJCEsaY6D.PLTfpV8sqvXwW"
                              "dyfsgVgozkYH9B80bAip/08R2BPH2xk/", "pw", 2, &rehash));
out:
    return rc;
}

static int seg_cert(void)
{
    int rc = 0;
    fipsrt_key *ck = NULL, *lk = NULL;
    fipsrt_cert *ca = NULL, *leaf = NULL, *a = NULL, *b = NULL;
    fipsrt_cert_params p;
    static const char *const dns[] = {"localhost"};
    static const char *const ips[] = {"127.0.0.1"};
    uint8_t der[4096], pem[6000];
    char subj[256];
    size_t nder, npem, ns;
    int64_t nb, na;
    STEP(fipsrt_cert_params_init(&p, FIPSRT_CERT_PARAMS_VERSION));
    p.common_name = "fault CA";
    p.is_ca = 1;
    STEP_NEW(ck, fipsrt_key_generate_ec(&ck, FIPSRT_EC_P256));
    STEP_NEW(ca, fipsrt_cert_selfsign(&ca, ck, &p));
    p.common_name = "localhost";
    p.is_ca = 0;
    p.dns_names = dns;
    p.dns_count = 1;
    p.ip_addresses = ips;
    p.ip_count = 1;
    STEP_NEW(lk, fipsrt_key_generate_ec(&lk, FIPSRT_EC_P384));
    STEP_NEW(leaf, fipsrt_cert_issue(&leaf, lk, &p, ca, ck));
    STEP(fipsrt_cert_export(leaf, FIPSRT_CERT_DER, der, sizeof(der), &nder));
    STEP(fipsrt_cert_export(leaf, FIPSRT_CERT_PEM, pem, sizeof(pem), &npem));
    STEP_NEW(a, fipsrt_cert_import(&a, der, nder));
    STEP_NEW(b, fipsrt_cert_import(&b, pem, npem));
    STEP(fipsrt_cert_subject(b, subj, sizeof(subj), &ns));
    STEP(fipsrt_cert_validity(a, &nb, &na));
out:
    fipsrt_cert_free(ca);
    fipsrt_cert_free(leaf);
    fipsrt_cert_free(a);
    fipsrt_cert_free(b);
    fipsrt_key_free(ck);
    fipsrt_key_free(lk);
    return rc;
}

/* One handshake call; *state becomes 1 for "call again after moving bytes", else its
 * result. */
static int hs(fipsrt_tls_conn *c, int *state)
{
    int r = fipsrt_tls_conn_handshake(c);
    *state = r == FIPSRT_E_WANT_READ || r == FIPSRT_E_WANT_WRITE ? 1 : r;
    return *state > 0 ? 0 : r;
}

/* Move one direction's pending bytes over the memory transport. */
static int move(fipsrt_tls_conn *from, fipsrt_tls_conn *to)
{
    static uint8_t buf[32768];
    size_t n = 0, took = 0;
    int r = fipsrt_tls_conn_drain(from, buf, sizeof(buf), &n);
    for (size_t off = 0; r == 0 && off < n; off += took)
        r = fipsrt_tls_conn_feed(to, buf + off, n - off, &took);
    return r;
}

static int seg_tls(int use_fd)
{
    int rc = 0, sv[2] = {-1, -1};
    fipsrt_key *k = NULL;
    fipsrt_cert *cert = NULL, *peer = NULL;
    fipsrt_tls_ctx *sctx = NULL, *cctx = NULL;
    fipsrt_tls_conn *s = NULL, *c = NULL, *c2 = NULL;
    fipsrt_cert_params p = FIPSRT_CERT_PARAMS_INIT;
    static const char *const dns[] = {"localhost"};
    static const char *const alpn[] = {"h2", "http/1.1"};
    uint8_t pem[4096], buf[64];
    size_t npem, n;
    p.common_name = "localhost";
    p.dns_names = dns;
    p.dns_count = 1;
    STEP_NEW(k, fipsrt_key_generate_ec(&k, FIPSRT_EC_P256));
    STEP_NEW(cert, fipsrt_cert_selfsign(&cert, k, &p));
    STEP(fipsrt_cert_export(cert, FIPSRT_CERT_PEM, pem, sizeof(pem), &npem));
    fipsrt_tls_config sc, cc;
    STEP(fipsrt_tls_config_init(&sc, FIPSRT_TLS_CONFIG_VERSION));
    sc.cert = cert;
    sc.key = k;
    sc.alpn = alpn;
    sc.alpn_count = 2;
    STEP_NEW(sctx, fipsrt_tls_ctx_new(&sctx, FIPSRT_TLS_SERVER, &sc));
    static uint8_t ticket_keys[2 * FIPSRT_TLS_TICKET_KEY_LEN] = {1, 2, 3};
    STEP(fipsrt_tls_ctx_set_ticket_keys(sctx, ticket_keys, 2));
    /* OCSP stapling: no response to staple (removing none), a response that is no OCSP
     * response, an unreadable file; the connections below then report nothing stapled. */
    static const uint8_t not_ocsp[] = {0x30, 0x03, 0x0a, 0x01, 0x00};
    char no_file[300];
    snprintf(no_file, sizeof(no_file), "%s/no-such-response.der", fault_tmpdir);
    STEP(fipsrt_tls_ctx_set_ocsp_response(sctx, NULL, 0));
    STEP(refused(fipsrt_tls_ctx_set_ocsp_response(sctx, not_ocsp, sizeof(not_ocsp)),
                 FIPSRT_E_MALFORMED));
    STEP(refused(fipsrt_tls_ctx_set_ocsp_response_file(sctx, no_file), FIPSRT_E_INVALID_ARG));
    fipsrt_tls_identity id;
    STEP(fipsrt_tls_identity_init(&id, FIPSRT_TLS_IDENTITY_VERSION));
    STEP(id.version == FIPSRT_TLS_IDENTITY_VERSION && id.size == sizeof(id) ? 0 : WRONG_OUTPUT);
    STEP(fipsrt_tls_config_init(&cc, FIPSRT_TLS_CONFIG_VERSION));
    cc.ca_data = pem;
    cc.ca_len = npem;
    cc.alpn = alpn + 1;
    cc.alpn_count = 1;
    STEP_NEW(cctx, fipsrt_tls_ctx_new(&cctx, FIPSRT_TLS_CLIENT, &cc));
    (void)fipsrt_tls_ctx_role(cctx);
    (void)fipsrt_tls_ctx_get_ssl_ctx(cctx);
    for (int i = FIPSRT_TLS_POLICY_VERSIONS; i <= FIPSRT_TLS_POLICY_RULES; i++)
        (void)fipsrt_tls_policy((fipsrt_tls_policy_item)i);
    if (use_fd) {
        STEP(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0 ? 0 : WRONG_OUTPUT);
        STEP_NEW(s, fipsrt_tls_conn_new_fd(&s, sctx, sv[0], NULL));
        STEP_NEW(c, fipsrt_tls_conn_new_fd(&c, cctx, sv[1], "localhost"));
    } else {
        STEP_NEW(s, fipsrt_tls_conn_new_mem(&s, sctx, NULL));
        STEP_NEW(c, fipsrt_tls_conn_new_mem(&c, cctx, "localhost"));
    }
    int cs = 1, ss = 1;
    for (int i = 0; i < 20 && (cs == 1 || ss == 1); i++) {
        if (cs == 1)
            STEP(hs(c, &cs));
        if (!use_fd)
            STEP(move(c, s));
        if (ss == 1)
            STEP(hs(s, &ss));
        if (!use_fd)
            STEP(move(s, c));
    }
    STEP(cs == 0 && ss == 0 ? 0 : WRONG_OUTPUT);
    (void)fipsrt_tls_conn_version(c);
    (void)fipsrt_tls_conn_cipher(c);
    (void)fipsrt_tls_conn_group(c);
    (void)fipsrt_tls_conn_alpn(s);
    (void)fipsrt_tls_conn_resumed(c);
    (void)fipsrt_tls_conn_get_ssl(c);
    (void)fipsrt_tls_conn_pending_output(c);
    STEP(fipsrt_tls_conn_ocsp_stapled(c) == 0 ? 0 : WRONG_OUTPUT);
    STEP_NEW(peer, fipsrt_tls_conn_peer_cert(&peer, c));
    STEP(fipsrt_tls_conn_write(c, "ping", 4, &n));
    if (!use_fd)
        STEP(move(c, s));
    STEP(fipsrt_tls_conn_read(s, buf, sizeof(buf), &n));
    STEP(n == 4 && memcmp(buf, "ping", 4) == 0 ? 0 : WRONG_OUTPUT);
    if (!use_fd) {
        /* the server's answer carries the TLS 1.3 session ticket: export, offer it again */
        static uint8_t sess[8192];
        size_t ns;
        STEP(fipsrt_tls_conn_write(s, "pong", 4, &n));
        STEP(move(s, c));
        STEP(fipsrt_tls_conn_read(c, buf, sizeof(buf), &n));
        STEP(fipsrt_tls_conn_session_export(c, sess, sizeof(sess), &ns));
        STEP_NEW(c2, fipsrt_tls_conn_new_mem(&c2, cctx, "localhost"));
        STEP(fipsrt_tls_conn_session_import(c2, sess, ns));
    }
    STEP(fipsrt_tls_conn_shutdown(c));
    if (!use_fd) {
        STEP(move(c, s));
        STEP(fipsrt_tls_conn_read(s, buf, sizeof(buf), &n) == FIPSRT_E_CLOSED ? 0 : WRONG_OUTPUT);
        STEP(fipsrt_tls_conn_feed_eof(s));
    }
out:
    fipsrt_cert_free(peer);
    fipsrt_tls_conn_free(c2);
    fipsrt_tls_conn_free(s);
    fipsrt_tls_conn_free(c);
    fipsrt_tls_ctx_free(sctx);
    fipsrt_tls_ctx_free(cctx);
    fipsrt_cert_free(cert);
    fipsrt_key_free(k);
    if (sv[0] >= 0)
        close(sv[0]);
    if (sv[1] >= 0)
        close(sv[1]);
    return rc;
}

static int seg_tls_mem(void) { return seg_tls(0); }
static int seg_tls_fd(void) { return seg_tls(1); }

/* The CLI's main paths, in-process (tools/ compiled in with main renamed). */
static int cli(const char *line)
{
    char buf[1024], *argv[32];
    int argc = 0;
    snprintf(buf, sizeof(buf), "fipsrt %s", line);
    for (char *t = strtok(buf, " "); t != NULL && argc < 31; t = strtok(NULL, " "))
        argv[argc++] = t;
    argv[argc] = NULL;
    int st = fipsrt_cli_main(argc, argv);
    fflush(stdout);
    return st == 0 ? 0 : -1000 - st;   /* -1001 refused, -1002 usage/I-O */
}

static int seg_cli(void)
{
    int rc = 0;
    char c[4096];
    const char *d = fault_tmpdir;
#define CLI(...) (snprintf(c, sizeof(c), __VA_ARGS__), cli(c))
    STEP(CLI("--version"));
    STEP(CLI("help"));
    STEP(CLI("no-such-command") == -1002 ? 0 : WRONG_OUTPUT);   /* usage, exit 2 */
    STEP(CLI("status"));
    STEP(CLI("status --json"));
    STEP(CLI("selftest"));
    STEP(CLI("hash --insecure md5 %s/data", d));
    STEP(CLI("hash sha3-256 %s/data %s/data", d, d));
    STEP(CLI("hash --length 48 shake256 %s/data", d));
    STEP(CLI("hash sha256 %s/data", d));
    STEP(CLI("hmac sha256 --key-hex 000102030405060708090a0b0c0d0e0f %s/data", d));
    STEP(CLI("random 16 --hex"));
    STEP(CLI("kdf hkdf --hash sha256 --ikm-hex 00112233445566778899aabbccddeeff --length 32"));
    STEP(CLI("keygen ec --curve p256 -o %s/ec.key", d));
    STEP(CLI("pubkey %s/ec.key -o %s/ec.pub", d, d));
    STEP(CLI("sign --key %s/ec.key %s/data -o %s/sig", d, d, d));
    STEP(CLI("verify --pubkey %s/ec.pub --sig %s/sig %s/data", d, d, d));
    STEP(CLI("encrypt --oaep --pubkey %s/rsa.pub %s/data -o %s/ct", d, d, d));
    STEP(CLI("decrypt --oaep --key %s/rsa.key %s/ct -o %s/pt", d, d, d));
    STEP(CLI("aead seal --key-file %s/aead.key --in %s/data --out %s/sealed", d, d, d));
    STEP(CLI("aead open --key-file %s/aead.key --in %s/sealed --out %s/opened", d, d, d));
    STEP(CLI("cert selfsign --cn fault --dns localhost --out %s/c.pem --key-out %s/c.key", d, d));
    if (fault_check_target != NULL)
        STEP(CLI("check %s", fault_check_target));
#undef CLI
out:
    return rc;
}

/* The paths fixed after the sweep found them (each swept at every N, see alloc_fail.c):
 * the encoder and decoder chains left absorbed errors queued (keys.c), EVP_PKEY_is_a()
 * turned an allocation failure into NOT_APPROVED (keys.c wrap), MD5's setup failed for good
 * (insecure.c), X509V3_EXT_nconf_nid() failures were INTERNAL (cert.c), OpenSSL's malloc
 * failures surfaced as MALFORMED / VERIFY_FAILED (error.c). */
static int seg_regress(void)
{
    int rc = 0;
    fipsrt_key *k = NULL, *pub = NULL, *pub2 = NULL;
    fipsrt_cert *cert = NULL;
    fipsrt_cert_params p = FIPSRT_CERT_PARAMS_INIT;
    uint8_t der[512], md5[FIPSRT_INSECURE_MD5_SIZE], sig[80];
    size_t n, ns;
    p.common_name = "regress";
    STEP(fipsrt_insecure_md5(msg, sizeof(msg), md5));
    STEP_NEW(k, fipsrt_key_generate_ec(&k, FIPSRT_EC_P256));
    STEP(fipsrt_key_export_public(k, FIPSRT_KEY_DER, der, sizeof(der), &n));
    STEP_NEW(pub, fipsrt_key_import_public(&pub, FIPSRT_KEY_DER, der, n));
    STEP_NEW(pub2, fipsrt_key_public(&pub2, k));
    STEP(fipsrt_ecdsa_sign(k, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_P1363, msg, 8, sig, sizeof(sig), &ns));
    STEP(fipsrt_ecdsa_verify(pub, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_P1363, msg, 8, sig, ns));
    STEP_NEW(cert, fipsrt_cert_selfsign(&cert, k, &p));
out:
    fipsrt_cert_free(cert);
    fipsrt_key_free(pub2);
    fipsrt_key_free(pub);
    fipsrt_key_free(k);
    return rc;
}

const struct fault_segment fault_segments[] = {
    {"regress", seg_regress},
    {"runtime", seg_runtime}, {"selftest", seg_selftest}, {"hash", seg_hash}, {"hmac", seg_hmac},
    {"kdf_rand_md5", seg_kdf_rand_md5}, {"aead", seg_aead}, {"ec", seg_ec},
    {"ec_encrypted", seg_ec_encrypted}, {"rsa", seg_rsa},
    {"rsa_keygen", seg_rsa_keygen}, {"passwd", seg_passwd}, {"cert", seg_cert},
    {"tls_mem", seg_tls_mem}, {"tls_fd", seg_tls_fd}, {"cli", seg_cli}, {NULL, NULL},
};
