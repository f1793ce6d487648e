/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RSA: CAVP SigVer15/SigVerPSS/SigGen15/SigGenPSS (186-3, plus the 186-2 .txt files that
 * carry d, for byte-exact PKCS#1 v1.5 signing), the OAEP vectors (oaep-custom, oaep-label,
 * and the SHA-1 pkcs-1v2-1d2 set as refusals), policy refusals, bad input, the openssl CLI
 * and Python's cryptography both ways, and one key used by 8 threads.
 */
#include <ctype.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pk_testutil.h"

/* The suite's 2048-bit private key: the first key of oaep-custom (no key generation). */
static fipsrt_key *key2048;

static void free_fixture(void)
{
    fipsrt_key_free(key2048);
}

/* ---- CAVP signature files ----------------------------------------------------------------- */

/* The hex after "[mod = N]": n comes as a record of its own, then the vectors. */
struct sig_state {
    char *n;
};

static void remember_n(struct sig_state *st, const vec_file *v)
{
    if (vec_get(v, "n")) {
        free(st->n);
        st->n = strdup(vec_get(v, "n"));
    }
}

/* SigVer15_186-3.rsp and SigVerPSS_186-3.rsp: P must verify, every F must be refused. */
START_TEST(test_cavp_sigver)
{
    static const struct { const char *file; fipsrt_rsa_padding pad; } t[] = {
        {"asymmetric/RSA/FIPS_186-2/SigVer15_186-3.rsp", FIPSRT_RSA_PKCS1_V15},
        {"asymmetric/RSA/FIPS_186-2/SigVerPSS_186-3.rsp", FIPSRT_RSA_PSS},
    };
    vec_file v;
    struct sig_state st = {0};
    vec_open(&v, t[_i].file);
    int run = 0, legacy = 0, refused = 0;
    while (vec_next(&v)) {
        remember_n(&st, &v);
        if (vec_get(&v, "SHAAlg") == NULL)
            continue;
        fipsrt_hash_alg h = hash_from_name(vec_get(&v, "SHAAlg"));
        bool ok = vec_get(&v, "Result")[0] == 'P';
        size_t n_len, e_len, msg_len, sig_len;
        uint8_t *n = hex_alloc(st.n, &n_len), *e = hex_alloc(vec_get(&v, "e"), &e_len);
        uint8_t *msg = hex_alloc(vec_get(&v, "Msg"), &msg_len), *sig = hex_alloc(vec_get(&v, "S"), &sig_len);
        fipsrt_key *k = NULL;
        ck_assert_ok(fipsrt_key_import_rsa_public(&k, n, n_len, e, e_len));
        int want = ok ? 0 : FIPSRT_E_VERIFY_FAILED;
        if (t[_i].pad == FIPSRT_RSA_PSS) {
            uint8_t dg[64];
            size_t salt_len = strlen(vec_get(&v, "SaltVal")) / 2;
            ck_assert_ok(fipsrt_hash(h, msg, msg_len, dg, sizeof(dg), NULL));
            ck_assert_fipsrt(fipsrt_rsa_pss_verify_digest(k, h, (int)salt_len, dg, fipsrt_hash_size(h),
                                                          sig, sig_len), want);
            ck_assert_fipsrt(fipsrt_rsa_pss_verify_digest(k, h, FIPSRT_RSA_PSS_SALT_AUTO, dg,
                                                          fipsrt_hash_size(h), sig, sig_len), want);
        } else {
            ck_assert_fipsrt(fipsrt_rsa_verify(k, FIPSRT_RSA_PKCS1_V15, h, msg, msg_len, sig, sig_len), want);
        }
        legacy += fipsrt_rsa_verify_is_legacy(k, h);
        refused += !ok;
        fipsrt_key_free(k);
        free(n);
        free(e);
        free(msg);
        free(sig);
        run++;
    }
    free(st.n);
    vec_close(&v);
    vec_report(t[_i].file + 15, run, 0, NULL);
    printf("  %d invalid refused; %d verified as legacy (1024/1536-bit key or SHA-1)\n", refused, legacy);
    ck_assert_int_eq(run, 450);
    assert_err_queue_empty();
}
END_TEST

/*
 * SigGen15/SigGenPSS_186-3.rsp hold (n, e) and signatures only: each must verify. PSS there
 * uses a salt of 0 bytes ("Salt len: 0" in the header).
 */
START_TEST(test_cavp_siggen_verify)
{
    static const struct { const char *file; fipsrt_rsa_padding pad; } t[] = {
        {"asymmetric/RSA/FIPS_186-2/SigGen15_186-3.rsp", FIPSRT_RSA_PKCS1_V15},
        {"asymmetric/RSA/FIPS_186-2/SigGenPSS_186-3.rsp", FIPSRT_RSA_PSS},
    };
    vec_file v;
    struct sig_state st = {0};
    char *e_hex = NULL;
    vec_open(&v, t[_i].file);
    int run = 0;
    while (vec_next(&v)) {
        remember_n(&st, &v);
        if (vec_get(&v, "e")) {
            free(e_hex);
            e_hex = strdup(vec_get(&v, "e"));
        }
        if (vec_get(&v, "SHAAlg") == NULL)
            continue;
        fipsrt_hash_alg h = hash_from_name(vec_get(&v, "SHAAlg"));
        size_t n_len, e_len, msg_len, sig_len;
        uint8_t *n = hex_alloc(st.n, &n_len), *e = hex_alloc(e_hex, &e_len);
        uint8_t *msg = hex_alloc(vec_get(&v, "Msg"), &msg_len), *sig = hex_alloc(vec_get(&v, "S"), &sig_len);
        fipsrt_key *k = NULL;
        ck_assert_ok(fipsrt_key_import_rsa_public(&k, n, n_len, e, e_len));
        if (t[_i].pad == FIPSRT_RSA_PSS) {
            uint8_t dg[64];
            ck_assert_ok(fipsrt_hash(h, msg, msg_len, dg, sizeof(dg), NULL));
            ck_assert_ok(fipsrt_rsa_pss_verify_digest(k, h, 0, dg, fipsrt_hash_size(h), sig, sig_len));
            /* The default (salt = digest length) is strict: a 0-byte salt is refused. */
            ck_assert_fipsrt(fipsrt_rsa_verify(k, FIPSRT_RSA_PSS, h, msg, msg_len, sig, sig_len),
                             FIPSRT_E_VERIFY_FAILED);
        } else {
            ck_assert_ok(fipsrt_rsa_verify(k, FIPSRT_RSA_PKCS1_V15, h, msg, msg_len, sig, sig_len));
        }
        fipsrt_key_free(k);
        free(n);
        free(e);
        free(msg);
        free(sig);
        run++;
    }
    free(st.n);
    free(e_hex);
    vec_close(&v);
    vec_report(t[_i].file + 15, run, 0, NULL);
    ck_assert_int_eq(run, 250);
    assert_err_queue_empty();
}
END_TEST

/*
 * SigGen15_186-2.txt and SigGenPSS_186-2.txt carry d: private keys of >= 2048 bits load and
 * sign. PKCS#1 v1.5 is deterministic: the bytes must equal the file's. PSS is randomized:
 * sign with the file's salt length, verify ours and theirs. Smaller keys must be refused.
 */
START_TEST(test_cavp_siggen_sign)
{
    static const struct { const char *file; fipsrt_rsa_padding pad; } t[] = {
        {"asymmetric/RSA/FIPS_186-2/SigGen15_186-2.txt", FIPSRT_RSA_PKCS1_V15},
        {"asymmetric/RSA/FIPS_186-2/SigGenPSS_186-2.txt", FIPSRT_RSA_PSS},
    };
    vec_file v;
    char *n_hex = NULL;
    fipsrt_key *priv = NULL, *pub = NULL;
    vec_open(&v, t[_i].file);
    int run = 0, compared = 0, small = 0, sha1 = 0;
    while (vec_next(&v)) {
        if (vec_get(&v, "n")) {
            free(n_hex);
            n_hex = strdup(vec_get(&v, "n"));
        }
        if (vec_get(&v, "d")) {
            /* A new key: e and d follow n (in one record here). */
            fipsrt_key_free(priv);
            fipsrt_key_free(pub);
            priv = pub = NULL;
            size_t n_len, e_len;
            uint8_t *n = hex_alloc(n_hex, &n_len), *e = hex_alloc(vec_get(&v, "e"), &e_len);
            ck_assert_ok(fipsrt_key_import_rsa_public(&pub, n, n_len, e, e_len));
            int rv = rsa_private_from_hex(&priv, n_hex, vec_get(&v, "e"), vec_get(&v, "d"), NULL, NULL);
            /* SP 800-131A: private keys under 2048 bits are refused. */
            ck_assert_fipsrt(rv, fipsrt_key_get_bits(pub) < 2048 ? FIPSRT_E_NOT_APPROVED : 0);
            free(n);
            free(e);
        }
        if (vec_get(&v, "SHAAlg") == NULL)
            continue;
        fipsrt_hash_alg h = hash_from_name(vec_get(&v, "SHAAlg"));
        size_t msg_len, sig_len, out_len;
        uint8_t *msg = hex_alloc(vec_get(&v, "Msg"), &msg_len), *sig = hex_alloc(vec_get(&v, "S"), &sig_len);
        uint8_t out[512], dg[64];
        ck_assert_ok(fipsrt_hash(h, msg, msg_len, dg, sizeof(dg), NULL));
        int salt = t[_i].pad == FIPSRT_RSA_PSS ? (int)strlen(vec_get(&v, "SaltVal")) / 2 : 0;
        /* Their signature verifies with the public key (legacy for small keys or SHA-1). */
        if (t[_i].pad == FIPSRT_RSA_PSS)
            ck_assert_ok(fipsrt_rsa_pss_verify_digest(pub, h, salt, dg, fipsrt_hash_size(h), sig, sig_len));
        else
            ck_assert_ok(fipsrt_rsa_verify(pub, t[_i].pad, h, msg, msg_len, sig, sig_len));
        if (priv == NULL) {
            small++;
        } else if (h == FIPSRT_HASH_SHA1) {
            ck_assert_fipsrt(fipsrt_rsa_sign(priv, t[_i].pad, h, msg, msg_len, out, sizeof(out), &out_len),
                             FIPSRT_E_NOT_APPROVED);
            sha1++;
        } else if (t[_i].pad == FIPSRT_RSA_PKCS1_V15) {
            ck_assert_ok(fipsrt_rsa_sign(priv, t[_i].pad, h, msg, msg_len, out, sizeof(out), &out_len));
            ck_assert_uint_eq(out_len, sig_len);
            ck_assert_mem_eq(out, sig, sig_len);
            compared++;
        } else {
            ck_assert_ok(fipsrt_rsa_pss_sign_digest(priv, h, salt, dg, fipsrt_hash_size(h), out, sizeof(out), &out_len));
            ck_assert_ok(fipsrt_rsa_pss_verify_digest(pub, h, salt, dg, fipsrt_hash_size(h), out, out_len));
            ck_assert_fipsrt(fipsrt_rsa_pss_verify_digest(pub, h, salt + 1, dg, fipsrt_hash_size(h), out, out_len),
                             FIPSRT_E_VERIFY_FAILED);
            compared++;
        }
        free(msg);
        free(sig);
        run++;
    }
    fipsrt_key_free(priv);
    fipsrt_key_free(pub);
    free(n_hex);
    vec_close(&v);
    vec_report(t[_i].file + 15, run, 0, NULL);
    printf("  %d signed here (%s), %d with keys < 2048 bits (private key refused, signature "
           "verified as legacy), %d SHA-1 (signing refused)\n", compared,
           t[_i].pad == FIPSRT_RSA_PSS ? "then verified" : "bytes equal the file's", small, sha1);
    ck_assert_int_eq(run, 250);
    assert_err_queue_empty();
}
END_TEST

/* ---- OAEP vector files ------------------------------------------------------------------- */

/* The "# Label:\n hex hex ..." format of oaep-vect.txt and oaep-custom, as (label, hex). */
struct field {
    char label[96];
    char *hex;
};

static int read_comment_file(const char *rel, struct field **out)
{
    char *text = slurp(vec_path(rel), NULL);
    int n = 0, cap = 64;
    struct field *f = calloc((size_t)cap, sizeof(*f));
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#') {
            char *l = line + 1;
            while (*l == ' ')
                l++;
            if (*l == '-' || *l == '\0' || *l == '=')
                continue;
            if (n == cap)
                f = realloc(f, (size_t)(cap *= 2) * sizeof(*f));
            snprintf(f[n].label, sizeof(f[n].label), "%s", l);
            for (size_t e = strlen(f[n].label); e > 0 && isspace((unsigned char)f[n].label[e - 1]); e--)
                f[n].label[e - 1] = '\0';
            f[n].hex = calloc(1, 1);
            n++;
        } else if (n > 0 && isxdigit((unsigned char)line[0])) {
            size_t have = strlen(f[n - 1].hex);
            f[n - 1].hex = realloc(f[n - 1].hex, have + strlen(line) + 1);
            char *w = f[n - 1].hex + have;
            for (const char *c = line; *c; c++)
                if (isxdigit((unsigned char)*c))
                    *w++ = *c;
            *w = '\0';
        }
    }
    free(text);
    *out = f;
    return n;
}

struct oaep_counts {
    int run, matched, refused_key, refused_hash, skipped;
};

/* Walk one file: keys (public + private blocks), then examples "Message" / "Encryption". */
static void run_oaep_file(const char *rel, struct oaep_counts *c)
{
    struct field *f;
    int n = read_comment_file(rel, &f);
    const char *kn = NULL, *ke = NULL, *kd = NULL, *kp = NULL, *kq = NULL, *msg = NULL;
    bool private_block = false, key_done = false;
    fipsrt_key *k = NULL;
    int key_rv = 0;
    /* SHA-1 unless the example names its hashes (oaep-custom). */
    fipsrt_hash_alg alg = FIPSRT_HASH_SHA1, mgf = FIPSRT_HASH_SHA1;
    for (int i = 0; i < n; i++) {
        const char *l = f[i].label;
        if (strcmp(l, "Public key") == 0 || strncmp(l, "Example", 7) == 0) {
            private_block = false;
            key_done = false;
        } else if (strcmp(l, "Private key") == 0) {
            private_block = true;
        } else if (strcmp(l, "Modulus:") == 0) {
            kn = f[i].hex;
        } else if (strcmp(l, "Public exponent:") == 0 || (!private_block && strcmp(l, "Exponent:") == 0)) {
            ke = f[i].hex;
        } else if (private_block && strcmp(l, "Exponent:") == 0) {
            kd = f[i].hex;
        } else if (strcmp(l, "Prime 1:") == 0) {
            kp = f[i].hex;
        } else if (strcmp(l, "Prime 2:") == 0) {
            kq = f[i].hex;
        } else if (strncmp(l, "OAEP Example", 12) == 0 && strstr(l, "alg=") && strstr(l, "mgf1=")) {
            const char *a = strstr(l, "alg="), *m = strstr(l, "mgf1=");
            char an[16] = "", mn[16] = "";
            sscanf(a + 4, "%15s", an);
            sscanf(m + 5, "%15s", mn);
            alg = hash_from_name(an);
            mgf = hash_from_name(mn);
        } else if (strcmp(l, "Message:") == 0) {
            msg = f[i].hex;
        } else if (strcmp(l, "Encryption:") == 0) {
            if (!key_done) {
                fipsrt_key_free(k);
                k = NULL;
                key_rv = rsa_private_from_hex(&k, kn, ke, kd, kp, kq);
                key_done = true;
            }
            size_t m_len, ct_len, out_len;
            uint8_t *m = hex_alloc(msg, &m_len), *ct = hex_alloc(f[i].hex, &ct_len), out[512];
            c->run++;
            if (key_rv != 0) {
                /* pkcs-1v2-1d2: keys of 1024..1536 bits (SP 800-131A) */
                ck_assert_int_eq(key_rv, FIPSRT_E_NOT_APPROVED);
                c->refused_key++;
            } else if (alg != mgf) {
                c->skipped++;
            } else if (alg == FIPSRT_HASH_SHA1) {
                ck_assert_fipsrt(fipsrt_rsa_decrypt(k, FIPSRT_RSA_OAEP, alg, NULL, 0, ct, ct_len, out,
                                                    sizeof(out), &out_len), FIPSRT_E_NOT_APPROVED);
                c->refused_hash++;
            } else {
                ck_assert_ok(fipsrt_rsa_decrypt(k, FIPSRT_RSA_OAEP, alg, NULL, 0, ct, ct_len, out,
                                                sizeof(out), &out_len));
                ck_assert_uint_eq(out_len, m_len);
                ck_assert_mem_eq(out, m, m_len);
                c->matched++;
            }
            free(m);
            free(ct);
        }
    }
    fipsrt_key_free(k);
    for (int i = 0; i < n; i++)
        free(f[i].hex);
    free(f);
}

START_TEST(test_oaep_vectors)
{
    struct oaep_counts all = {0};
    DIR *dir = opendir(vec_path("asymmetric/RSA/oaep-custom"));
    ck_assert_ptr_nonnull(dir);
    struct dirent *de;
    int files = 0;
    while ((de = readdir(dir)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char rel[512];
        snprintf(rel, sizeof(rel), "asymmetric/RSA/oaep-custom/%s", de->d_name);
        run_oaep_file(rel, &all);
        files++;
    }
    closedir(dir);
    ck_assert_int_eq(files, 24);
    printf("vectors: RSA/oaep-custom (%d files): %d run: %d decrypted and matched, %d SHA-1 "
           "OAEP refused (NOT_APPROVED), %d skipped (OAEP and MGF1 hashes differ: the library "
           "uses MGF1 with the OAEP hash)\n", files, all.run, all.matched, all.refused_hash,
           all.skipped);
    ck_assert_int_eq(all.matched, 4 * 60);
    struct oaep_counts sha1 = {0};
    run_oaep_file("asymmetric/RSA/pkcs-1v2-1d2-vec/oaep-vect.txt", &sha1);
    printf("vectors: RSA/pkcs-1v2-1d2-vec/oaep-vect.txt: %d run: %d refused at key import "
           "(< 2048 bits), %d refused as SHA-1 OAEP; 0 decrypted\n", sha1.run, sha1.refused_key,
           sha1.refused_hash);
    ck_assert_int_eq(sha1.run, 60);
    ck_assert_int_eq(sha1.refused_key + sha1.refused_hash, 60);

    /* oaep-label.txt: a PKCS#8 key, SHA-512 OAEP with a label. */
    vec_file v;
    vec_open(&v, "asymmetric/RSA/oaep-label.txt");
    int run = 0;
    while (vec_next(&v)) {
        size_t der_len, lab_len, ct_len, out_len;
        uint8_t *der = hex_alloc(vec_get(&v, "KEY"), &der_len);
        uint8_t *lab = hex_alloc(vec_get(&v, "OAEPLabel"), &lab_len);
        uint8_t *ct = hex_alloc(vec_get(&v, "Input"), &ct_len), out[512];
        fipsrt_key *k = NULL;
        ck_assert_str_eq(vec_get(&v, "RSAPadding"), "OAEP");
        fipsrt_hash_alg h = hash_from_name(vec_get(&v, "OAEPDigest"));
        ck_assert_ok(fipsrt_key_import_private(&k, FIPSRT_KEY_DER, der, der_len, NULL, 0));
        ck_assert_ok(fipsrt_rsa_decrypt(k, FIPSRT_RSA_OAEP, h, lab, lab_len, ct, ct_len, out, sizeof(out), &out_len));
        ck_assert_uint_eq(out_len, 11);
        ck_assert_mem_eq(out, "Hello World", 11);
        /* Without the label, or with another: one failure code, zeroed output. */
        ck_assert_fipsrt(fipsrt_rsa_decrypt(k, FIPSRT_RSA_OAEP, h, NULL, 0, ct, ct_len, out, sizeof(out), &out_len),
                         FIPSRT_E_VERIFY_FAILED);
        ck_assert_uint_eq(out_len, 0);
        for (size_t i = 0; i < 11; i++)
            ck_assert_uint_eq(out[i], 0);
        lab[0] ^= 1;
        ck_assert_fipsrt(fipsrt_rsa_decrypt(k, FIPSRT_RSA_OAEP, h, lab, lab_len, ct, ct_len, out, sizeof(out), &out_len),
                         FIPSRT_E_VERIFY_FAILED);
        fipsrt_key_free(k);
        free(der);
        free(lab);
        free(ct);
        run++;
    }
    vec_close(&v);
    vec_report("RSA/oaep-label.txt", run, 0, NULL);
    ck_assert_int_eq(run, 1);
    assert_err_queue_empty();
}
END_TEST

/* ---- API, policy, bad input --------------------------------------------------------------- */

START_TEST(test_sign_verify_all_hashes)
{
    static const fipsrt_hash_alg ok[] = {
        FIPSRT_HASH_SHA224, FIPSRT_HASH_SHA256, FIPSRT_HASH_SHA384, FIPSRT_HASH_SHA512,
        FIPSRT_HASH_SHA512_224, FIPSRT_HASH_SHA512_256, FIPSRT_HASH_SHA3_224,
        FIPSRT_HASH_SHA3_256, FIPSRT_HASH_SHA3_384, FIPSRT_HASH_SHA3_512,
    };
    uint8_t sig[256], dg[64];
    size_t sig_len;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        for (fipsrt_rsa_padding p = FIPSRT_RSA_PSS; p <= FIPSRT_RSA_PKCS1_V15; p++) {
            ck_assert_ok(fipsrt_rsa_sign(key2048, p, ok[i], "abc", 3, sig, sizeof(sig), &sig_len));
            ck_assert_uint_eq(sig_len, 256);
            ck_assert_ok(fipsrt_rsa_verify(key2048, p, ok[i], "abc", 3, sig, sig_len));
            ck_assert_fipsrt(fipsrt_rsa_verify(key2048, p == FIPSRT_RSA_PSS ? FIPSRT_RSA_PKCS1_V15 : FIPSRT_RSA_PSS,
                                               ok[i], "abc", 3, sig, sig_len), FIPSRT_E_VERIFY_FAILED);
            ck_assert_ok(fipsrt_hash(ok[i], "abc", 3, dg, sizeof(dg), NULL));
            ck_assert_ok(fipsrt_rsa_verify_digest(key2048, p, ok[i], dg, fipsrt_hash_size(ok[i]), sig, sig_len));
            ck_assert_ok(fipsrt_rsa_sign_digest(key2048, p, ok[i], dg, fipsrt_hash_size(ok[i]), sig, sizeof(sig), &sig_len));
            ck_assert_ok(fipsrt_rsa_verify(key2048, p, ok[i], "abc", 3, sig, sig_len));
        }
        ck_assert_int_eq(fipsrt_rsa_verify_is_legacy(key2048, ok[i]), 0);
    }
    /* PSS salt lengths 0..hLen sign and verify; the default verify insists on hLen. */
    ck_assert_ok(fipsrt_hash(FIPSRT_HASH_SHA256, "abc", 3, dg, sizeof(dg), NULL));
    for (int salt = 0; salt <= 32; salt += 8) {
        ck_assert_ok(fipsrt_rsa_pss_sign_digest(key2048, FIPSRT_HASH_SHA256, salt, dg, 32, sig, sizeof(sig), &sig_len));
        ck_assert_ok(fipsrt_rsa_pss_verify_digest(key2048, FIPSRT_HASH_SHA256, salt, dg, 32, sig, sig_len));
        ck_assert_ok(fipsrt_rsa_pss_verify_digest(key2048, FIPSRT_HASH_SHA256, FIPSRT_RSA_PSS_SALT_AUTO, dg, 32, sig, sig_len));
        ck_assert_fipsrt(fipsrt_rsa_verify_digest(key2048, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, dg, 32, sig, sig_len),
                         salt == 32 ? 0 : FIPSRT_E_VERIFY_FAILED);
    }
    assert_err_queue_empty();
}
END_TEST

START_TEST(test_oaep_round_trip)
{
    static const fipsrt_hash_alg ok[] = {
        FIPSRT_HASH_SHA224, FIPSRT_HASH_SHA256, FIPSRT_HASH_SHA384, FIPSRT_HASH_SHA512,
        FIPSRT_HASH_SHA3_256, FIPSRT_HASH_SHA3_512,
    };
    uint8_t msg[256], ct[256], pt[256];
    size_t ct_len, pt_len;
    ck_assert_ok(fipsrt_random(msg, sizeof(msg)));
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        size_t max = fipsrt_rsa_oaep_max_plaintext(key2048, ok[i]);
        ck_assert_uint_eq(max, 256 - 2 * fipsrt_hash_size(ok[i]) - 2);
        /* Empty, one byte and the longest message; with and without a label. */
        size_t lens[] = {0, 1, max};
        for (size_t j = 0; j < 3; j++) {
            const uint8_t *label = j == 1 ? (const uint8_t *)"label" : NULL;
            size_t label_len = j == 1 ? 5 : 0;
            ck_assert_ok(fipsrt_rsa_encrypt(key2048, FIPSRT_RSA_OAEP, ok[i], label, label_len, msg, lens[j],
                                            ct, sizeof(ct), &ct_len));
            ck_assert_uint_eq(ct_len, 256);
            ck_assert_ok(fipsrt_rsa_decrypt(key2048, FIPSRT_RSA_OAEP, ok[i], label, label_len, ct, ct_len,
                                            pt, max, &pt_len));
            ck_assert_uint_eq(pt_len, lens[j]);
            if (lens[j])
                ck_assert_mem_eq(pt, msg, lens[j]);
        }
        ck_assert_fipsrt(fipsrt_rsa_encrypt(key2048, FIPSRT_RSA_OAEP, ok[i], NULL, 0, msg, max + 1,
                                            ct, sizeof(ct), &ct_len), FIPSRT_E_INVALID_ARG);
    }
    assert_err_queue_empty();
}
END_TEST

START_TEST(test_policy_and_bad_input)
{
    fipsrt_key *pub = NULL, *legacy = NULL, *ec = NULL, *e3 = NULL;
    uint8_t sig[512], ct[256], pt[256], dg[64] = {0};
    size_t sig_len = 0, ct_len = 0, pt_len = 0;
    ck_assert_ok(fipsrt_key_public(&pub, key2048));
    ck_assert_int_eq(import_vec_key(&legacy, "asymmetric/PKCS8/unenc-rsa-pkcs8.pub.pem", true, NULL), 0);
    ck_assert_ok(fipsrt_key_generate_ec(&ec, FIPSRT_EC_P256));

    /* Paddings: raw RSA and PKCS#1 v1.5 encryption are not approved; OAEP is not a signature. */
    ck_assert_fipsrt(fipsrt_rsa_sign(key2048, FIPSRT_RSA_NO_PADDING, FIPSRT_HASH_SHA256, "m", 1, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_rsa_verify(key2048, FIPSRT_RSA_NO_PADDING, FIPSRT_HASH_SHA256, "m", 1, sig, 256),
                     FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_rsa_sign(key2048, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, "m", 1, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_sign(key2048, 0, FIPSRT_HASH_SHA256, "m", 1, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_encrypt(pub, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA256, NULL, 0, (const uint8_t *)"m", 1,
                                        ct, sizeof(ct), &ct_len), FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_rsa_encrypt(pub, FIPSRT_RSA_NO_PADDING, FIPSRT_HASH_SHA256, NULL, 0, (const uint8_t *)"m", 1,
                                        ct, sizeof(ct), &ct_len), FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_rsa_decrypt(key2048, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA256, NULL, 0, ct, 256,
                                        pt, sizeof(pt), &pt_len), FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_rsa_encrypt(pub, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, NULL, 0, (const uint8_t *)"m", 1,
                                        ct, sizeof(ct), &ct_len), FIPSRT_E_INVALID_ARG);
    /* Hashes: SHA-1 signs nothing and is no OAEP hash; MD5 never; SHAKE not defined. */
    ck_assert_fipsrt(fipsrt_rsa_sign(key2048, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA1, "m", 1, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_rsa_sign_digest(key2048, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA1, dg, 20, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_rsa_encrypt(pub, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA1, NULL, 0, (const uint8_t *)"m", 1,
                                        ct, sizeof(ct), &ct_len), FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_rsa_sign(key2048, FIPSRT_RSA_PSS, FIPSRT_HASH_MD5, "m", 1, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_MD5_SECURE);
    ck_assert_fipsrt(fipsrt_rsa_verify(pub, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_MD5, "m", 1, sig, 256),
                     FIPSRT_E_MD5_SECURE);
    ck_assert_fipsrt(fipsrt_rsa_encrypt(pub, FIPSRT_RSA_OAEP, FIPSRT_HASH_MD5, NULL, 0, (const uint8_t *)"m", 1,
                                        ct, sizeof(ct), &ct_len), FIPSRT_E_MD5_SECURE);
    ck_assert_fipsrt(fipsrt_rsa_sign(key2048, FIPSRT_RSA_PSS, FIPSRT_HASH_SHAKE256, "m", 1, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_int_eq(fipsrt_rsa_verify_is_legacy(key2048, FIPSRT_HASH_SHA1), 1);
    /* PSS salt beyond the digest length (FIPS 186-4 5.5). */
    ck_assert_fipsrt(fipsrt_rsa_pss_sign_digest(key2048, FIPSRT_HASH_SHA256, 33, dg, 32, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_rsa_pss_sign_digest(key2048, FIPSRT_HASH_SHA256, -5, dg, 32, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_rsa_pss_sign_digest(key2048, FIPSRT_HASH_SHA256, FIPSRT_RSA_PSS_SALT_AUTO, dg, 32, sig,
                                                sizeof(sig), &sig_len), FIPSRT_E_NOT_APPROVED);
    /* Keys: EC, public-only, legacy (verify only), e = 3 (fails SP 800-56B for OAEP). */
    ck_assert_fipsrt(fipsrt_rsa_sign(ec, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, "m", 1, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_KEY_TYPE);
    ck_assert_fipsrt(fipsrt_rsa_verify(ec, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, "m", 1, sig, 256), FIPSRT_E_KEY_TYPE);
    ck_assert_fipsrt(fipsrt_rsa_encrypt(ec, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0, (const uint8_t *)"m", 1,
                                        ct, sizeof(ct), &ct_len), FIPSRT_E_KEY_TYPE);
    ck_assert_fipsrt(fipsrt_rsa_sign(pub, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, "m", 1, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_KEY_TYPE);
    ck_assert_fipsrt(fipsrt_rsa_decrypt(pub, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0, ct, 256, pt, sizeof(pt), &pt_len),
                     FIPSRT_E_KEY_TYPE);
    ck_assert_fipsrt(fipsrt_rsa_encrypt(legacy, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0, (const uint8_t *)"m", 1,
                                        ct, sizeof(ct), &ct_len), FIPSRT_E_NOT_APPROVED);
    ck_assert_int_eq(fipsrt_rsa_verify_is_legacy(legacy, FIPSRT_HASH_SHA256), 1);
    ck_assert_uint_eq(fipsrt_rsa_oaep_max_plaintext(legacy, FIPSRT_HASH_SHA256), 0);
    uint8_t n[256], e[4];
    size_t n_len, e_len;
    ck_assert_ok(fipsrt_key_export_rsa_public(key2048, n, sizeof(n), &n_len, e, sizeof(e), &e_len));
    ck_assert_ok(fipsrt_key_import_rsa_public(&e3, n, n_len, (const uint8_t *)"\x03", 1));
    ck_assert_fipsrt(fipsrt_rsa_encrypt(e3, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0, (const uint8_t *)"m", 1,
                                        ct, sizeof(ct), &ct_len), FIPSRT_E_NOT_APPROVED);
    /* Buffers and lengths. */
    ck_assert_fipsrt(fipsrt_rsa_sign(key2048, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, "m", 1, sig, 255, &sig_len),
                     FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(sig_len, 256);
    ck_assert_fipsrt(fipsrt_rsa_sign(key2048, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, "m", 1, sig, sizeof(sig), NULL),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_sign_digest(key2048, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, dg, 33, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_encrypt(pub, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0, (const uint8_t *)"m", 1,
                                        ct, 255, &ct_len), FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(ct_len, 256);
    ck_assert_fipsrt(fipsrt_rsa_encrypt(pub, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 3, (const uint8_t *)"m", 1,
                                        ct, sizeof(ct), &ct_len), FIPSRT_E_INVALID_ARG);
    ck_assert_ok(fipsrt_rsa_encrypt(pub, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0, (const uint8_t *)"m", 1,
                                    ct, sizeof(ct), &ct_len));
    /* Decrypt needs room for the longest plaintext before it tries (no length oracle). */
    size_t max = fipsrt_rsa_oaep_max_plaintext(key2048, FIPSRT_HASH_SHA256);
    ck_assert_fipsrt(fipsrt_rsa_decrypt(key2048, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0, ct, ct_len, pt, max - 1, &pt_len),
                     FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(pt_len, max);
    /* Every bad ciphertext, whatever is wrong with it, gives the one code and no output. */
    uint8_t bad[257];
    memcpy(bad, ct, 256);
    bad[100] ^= 1;
    memset(pt, 0xaa, sizeof(pt));
    ck_assert_fipsrt(fipsrt_rsa_decrypt(key2048, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0, bad, 256, pt, sizeof(pt), &pt_len),
                     FIPSRT_E_VERIFY_FAILED);
    for (size_t i = 0; i < max; i++)
        ck_assert_uint_eq(pt[i], 0);
    ck_assert_str_eq(fipsrt_last_error(), "fipsrt_rsa_decrypt: OAEP decryption failed");
    ck_assert_fipsrt(fipsrt_rsa_decrypt(key2048, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA384, NULL, 0, ct, 256, pt, sizeof(pt), &pt_len),
                     FIPSRT_E_VERIFY_FAILED);
    ck_assert_str_eq(fipsrt_last_error(), "fipsrt_rsa_decrypt: OAEP decryption failed");
    /* A ciphertext of the wrong length also leaves the output zeroed (rsa.h). */
    memset(pt, 0xaa, sizeof(pt));
    ck_assert_fipsrt(fipsrt_rsa_decrypt(key2048, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0, ct, 255, pt, sizeof(pt), &pt_len),
                     FIPSRT_E_VERIFY_FAILED);
    for (size_t i = 0; i < max; i++)
        ck_assert_msg(pt[i] == 0, "short ciphertext: output byte %zu not zeroed", i);
    memcpy(bad, ct, 256);
    bad[256] = 0;
    memset(pt, 0xaa, sizeof(pt));
    ck_assert_fipsrt(fipsrt_rsa_decrypt(key2048, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0, bad, 257, pt, sizeof(pt), &pt_len),
                     FIPSRT_E_VERIFY_FAILED);
    for (size_t i = 0; i < max; i++)
        ck_assert_msg(pt[i] == 0, "long ciphertext: output byte %zu not zeroed", i);
    memset(bad, 0xff, 256);   /* above the modulus */
    ck_assert_fipsrt(fipsrt_rsa_decrypt(key2048, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0, bad, 256, pt, sizeof(pt), &pt_len),
                     FIPSRT_E_VERIFY_FAILED);
    ck_assert_str_eq(fipsrt_last_error(), "fipsrt_rsa_decrypt: OAEP decryption failed");
    memset(bad, 0, 256);
    ck_assert_fipsrt(fipsrt_rsa_decrypt(key2048, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0, bad, 256, pt, sizeof(pt), &pt_len),
                     FIPSRT_E_VERIFY_FAILED);
    /* Signatures: wrong length, tampered, tampered message. */
    ck_assert_ok(fipsrt_rsa_sign(key2048, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA256, "m", 1, sig, sizeof(sig), &sig_len));
    ck_assert_fipsrt(fipsrt_rsa_verify(pub, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA256, "m", 1, sig, 255), FIPSRT_E_VERIFY_FAILED);
    ck_assert_fipsrt(fipsrt_rsa_verify(pub, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA256, "m", 1, sig, 0), FIPSRT_E_VERIFY_FAILED);
    sig[256] = 0;
    ck_assert_fipsrt(fipsrt_rsa_verify(pub, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA256, "m", 1, sig, 257), FIPSRT_E_VERIFY_FAILED);
    ck_assert_fipsrt(fipsrt_rsa_verify(pub, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA256, "n", 1, sig, 256), FIPSRT_E_VERIFY_FAILED);
    for (size_t i = 0; i < 256; i += 17) {
        sig[i] ^= 0x10;
        ck_assert_fipsrt(fipsrt_rsa_verify(pub, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA256, "m", 1, sig, 256),
                         FIPSRT_E_VERIFY_FAILED);
        sig[i] ^= 0x10;
    }
    ck_assert_ok(fipsrt_rsa_verify(pub, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA256, "m", 1, sig, 256));
    ck_assert_fipsrt(fipsrt_rsa_verify(NULL, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA256, "m", 1, sig, 256), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_verify(pub, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA256, "m", 1, NULL, 256), FIPSRT_E_INVALID_ARG);
    ck_assert_uint_eq(fipsrt_rsa_size(ec), 0);
    ck_assert_uint_eq(fipsrt_rsa_size(NULL), 0);
    fipsrt_key_free(pub);
    fipsrt_key_free(legacy);
    fipsrt_key_free(ec);
    fipsrt_key_free(e3);
    assert_err_queue_empty();
}
END_TEST

/*
 * Every argument check of the digest, PSS, sign/verify and OAEP entry points, in the order
 * the functions make them, each with its exact code: the caller learns which argument was
 * wrong, and no check is shadowed by an earlier one.
 */
START_TEST(test_argument_checks)
{
    fipsrt_key *pub = NULL, *ec = NULL;
    uint8_t sig[512], ct[256], pt[256], dg[64] = {0};
    size_t sig_len = 0, ct_len = 0, pt_len = 0;
    const fipsrt_hash_alg bogus = (fipsrt_hash_alg)999;
    ck_assert_ok(fipsrt_key_public(&pub, key2048));
    ck_assert_ok(fipsrt_key_generate_ec(&ec, FIPSRT_EC_P256));

    /* fipsrt_rsa_sign / fipsrt_rsa_verify: a NULL message with a length, a NULL output. */
    ck_assert_fipsrt(fipsrt_rsa_sign(key2048, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, NULL, 1, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_sign(key2048, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, "m", 1, NULL, sizeof(sig), &sig_len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_str_eq(fipsrt_last_error(), "fipsrt_rsa_sign: invalid argument: sig != NULL");
    ck_assert_uint_eq(sig_len, 256);
    ck_assert_fipsrt(fipsrt_rsa_verify(pub, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, NULL, 1, sig, 256), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_verify(pub, FIPSRT_RSA_PSS, bogus, "m", 1, sig, 256), FIPSRT_E_INVALID_ARG);

    /* fipsrt_rsa_sign_digest */
    ck_assert_fipsrt(fipsrt_rsa_sign_digest(key2048, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, dg, 32, sig, sizeof(sig), NULL),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_sign_digest(key2048, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, NULL, 32, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_sign_digest(NULL, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, dg, 32, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_sign_digest(pub, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, dg, 32, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_KEY_TYPE);
    ck_assert_str_eq(fipsrt_last_error(), "fipsrt_rsa_sign_digest: a public-only key cannot do this");
    ck_assert_fipsrt(fipsrt_rsa_sign_digest(key2048, FIPSRT_RSA_NO_PADDING, FIPSRT_HASH_SHA256, dg, 32, sig, sizeof(sig),
                                            &sig_len), FIPSRT_E_NOT_APPROVED);
    sig_len = 0;
    ck_assert_fipsrt(fipsrt_rsa_sign_digest(key2048, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA256, dg, 32, sig, 255, &sig_len),
                     FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(sig_len, 256);

    /* fipsrt_rsa_verify_digest */
    ck_assert_fipsrt(fipsrt_rsa_verify_digest(pub, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, NULL, 32, sig, 256),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_verify_digest(pub, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, dg, 32, NULL, 256),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_verify_digest(ec, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, dg, 32, sig, 256), FIPSRT_E_KEY_TYPE);
    ck_assert_str_eq(fipsrt_last_error(), "fipsrt_rsa_verify_digest: an RSA key is needed");
    ck_assert_fipsrt(fipsrt_rsa_verify_digest(pub, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, dg, 32, sig, 256),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_verify_digest(pub, FIPSRT_RSA_PSS, FIPSRT_HASH_MD5, dg, 16, sig, 256), FIPSRT_E_MD5_SECURE);
    ck_assert_fipsrt(fipsrt_rsa_verify_digest(pub, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, dg, 31, sig, 256),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_str_eq(fipsrt_last_error(), "fipsrt_rsa_verify_digest: SHA2-256 digest must be 32 bytes, got 31");

    /* fipsrt_rsa_pss_sign_digest; a salt of exactly the digest length shares the template. */
    ck_assert_fipsrt(fipsrt_rsa_pss_sign_digest(key2048, FIPSRT_HASH_SHA256, 32, dg, 32, sig, sizeof(sig), NULL),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_pss_sign_digest(key2048, FIPSRT_HASH_SHA256, 32, NULL, 32, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_pss_sign_digest(pub, FIPSRT_HASH_SHA256, 32, dg, 32, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_KEY_TYPE);
    ck_assert_fipsrt(fipsrt_rsa_pss_sign_digest(key2048, FIPSRT_HASH_SHA1, 20, dg, 20, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_rsa_pss_sign_digest(key2048, FIPSRT_HASH_SHA256, 32, dg, 64, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_pss_sign_digest(key2048, FIPSRT_HASH_SHA256, -1, dg, 32, sig, sizeof(sig), &sig_len),
                     FIPSRT_E_NOT_APPROVED);
    ck_assert_str_eq(fipsrt_last_error(), "fipsrt_rsa_pss_sign_digest: PSS salt of -1 bytes");
    ck_assert_fipsrt(fipsrt_rsa_pss_sign_digest(key2048, FIPSRT_HASH_SHA256, 32, dg, 32, sig, 100, &sig_len),
                     FIPSRT_E_BUFFER_TOO_SMALL);
    ck_assert_ok(fipsrt_rsa_pss_sign_digest(key2048, FIPSRT_HASH_SHA256, 32, dg, 32, sig, sizeof(sig), &sig_len));
    ck_assert_ok(fipsrt_rsa_pss_verify_digest(pub, FIPSRT_HASH_SHA256, 32, dg, 32, sig, sig_len));
    ck_assert_ok(fipsrt_rsa_verify_digest(pub, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, dg, 32, sig, sig_len));

    /* fipsrt_rsa_pss_verify_digest */
    ck_assert_fipsrt(fipsrt_rsa_pss_verify_digest(pub, FIPSRT_HASH_SHA256, 32, NULL, 32, sig, 256), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_pss_verify_digest(pub, FIPSRT_HASH_SHA256, 32, dg, 32, NULL, 256), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_pss_verify_digest(NULL, FIPSRT_HASH_SHA256, 32, dg, 32, sig, 256), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_pss_verify_digest(pub, FIPSRT_HASH_SHAKE128, 32, dg, 32, sig, 256), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_pss_verify_digest(pub, FIPSRT_HASH_SHA256, 32, dg, 48, sig, 256), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_pss_verify_digest(pub, FIPSRT_HASH_SHA256, -1, dg, 32, sig, 256), FIPSRT_E_NOT_APPROVED);
    ck_assert_fipsrt(fipsrt_rsa_pss_verify_digest(pub, FIPSRT_HASH_SHA256, 33, dg, 32, sig, 256), FIPSRT_E_NOT_APPROVED);

    /* OAEP: NULL out_len, NULL message with a length, NULL output, NULL ciphertext. */
    ck_assert_fipsrt(fipsrt_rsa_encrypt(pub, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0, (const uint8_t *)"m", 1,
                                        ct, sizeof(ct), NULL), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_encrypt(pub, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0, NULL, 1,
                                        ct, sizeof(ct), &ct_len), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_encrypt(pub, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0, (const uint8_t *)"m", 1,
                                        NULL, sizeof(ct), &ct_len), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_decrypt(key2048, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0, ct, 256, pt, sizeof(pt), NULL),
                     FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_decrypt(key2048, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0, NULL, 256, pt, sizeof(pt),
                                        &pt_len), FIPSRT_E_INVALID_ARG);
    ck_assert_fipsrt(fipsrt_rsa_decrypt(key2048, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0, ct, 256, NULL, sizeof(pt),
                                        &pt_len), FIPSRT_E_INVALID_ARG);
    ck_assert_uint_eq(fipsrt_rsa_oaep_max_plaintext(key2048, bogus), 0);
    ck_assert_uint_eq(fipsrt_rsa_oaep_max_plaintext(NULL, FIPSRT_HASH_SHA256), 0);
    ck_assert_uint_eq(fipsrt_rsa_oaep_max_plaintext(key2048, FIPSRT_HASH_SHA512), 256 - 2 * 64 - 2);
    fipsrt_key_free(pub);
    fipsrt_key_free(ec);
    assert_err_queue_empty();
}
END_TEST

/* ---- cross-implementation ------------------------------------------------------------------ */

START_TEST(test_cross_openssl_python)
{
    char *dir = make_temp_dir();
    char key_path[256], pub_path[256], msg_path[256], out_path[256], script[8192];
    uint8_t buf[4096], sig[256], ct[256], pt[256];
    size_t len, sig_len, ct_len, pt_len;
    proc_result *r = malloc(sizeof(*r));
    static const char msg[] = "RSA interop\n";
    snprintf(key_path, sizeof(key_path), "%s/key.pem", dir);
    snprintf(pub_path, sizeof(pub_path), "%s/pub.pem", dir);
    snprintf(msg_path, sizeof(msg_path), "%s/msg", dir);
    snprintf(out_path, sizeof(out_path), "%s/out", dir);
    write_file(msg_path, msg, strlen(msg));
    ck_assert_ok(fipsrt_key_export_private(key2048, FIPSRT_KEY_PEM, NULL, 0, buf, sizeof(buf), &len));
    write_file(key_path, buf, len);
    ck_assert_ok(fipsrt_key_export_public(key2048, FIPSRT_KEY_PEM, buf, sizeof(buf), &len));
    write_file(pub_path, buf, len);

    /* PSS and v1.5 signatures: ours -> openssl dgst -verify, openssl dgst -sign -> ours. */
    for (fipsrt_rsa_padding p = FIPSRT_RSA_PSS; p <= FIPSRT_RSA_PKCS1_V15; p++) {
        char *mode = p == FIPSRT_RSA_PSS ? "rsa_padding_mode:pss" : "rsa_padding_mode:pkcs1";
        ck_assert_ok(fipsrt_rsa_sign(key2048, p, FIPSRT_HASH_SHA384, msg, strlen(msg), sig, sizeof(sig), &sig_len));
        write_file(out_path, sig, sig_len);
        char *v1[] = {"/usr/bin/openssl", "dgst", "-sha384", "-verify", pub_path, "-signature", out_path,
                      "-sigopt", mode, p == FIPSRT_RSA_PSS ? "-sigopt" : msg_path,
                      p == FIPSRT_RSA_PSS ? "rsa_pss_saltlen:digest" : NULL, msg_path, NULL};
        run_openssl(v1, r);
        ck_assert_msg(r->exited && r->status == 0 && strstr(r->out, "Verified OK"), "openssl: %s%s", r->out, r->err);
        char *s1[] = {"/usr/bin/openssl", "dgst", "-sha512", "-sign", key_path, "-out", out_path,
                      "-sigopt", mode, p == FIPSRT_RSA_PSS ? "-sigopt" : msg_path,
                      p == FIPSRT_RSA_PSS ? "rsa_pss_saltlen:digest" : NULL, msg_path, NULL};
        run_openssl(s1, r);
        ck_assert_msg(r->exited && r->status == 0, "openssl: %s", r->err);
        uint8_t *osig = (uint8_t *)slurp(out_path, &len);
        ck_assert_ok(fipsrt_rsa_verify(key2048, p, FIPSRT_HASH_SHA512, msg, strlen(msg), osig, len));
        free(osig);
    }
    /* OAEP: ours -> openssl pkeyutl -decrypt; openssl pkeyutl -encrypt -> ours. */
    ck_assert_ok(fipsrt_rsa_encrypt(key2048, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0, (const uint8_t *)msg,
                                    strlen(msg), ct, sizeof(ct), &ct_len));
    write_file(out_path, ct, ct_len);
    char *d1[] = {"/usr/bin/openssl", "pkeyutl", "-decrypt", "-inkey", key_path, "-in", out_path,
                  "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256",
                  "-pkeyopt", "rsa_mgf1_md:sha256", NULL};
    run_openssl(d1, r);
    ck_assert_msg(r->exited && r->status == 0, "openssl: %s", r->err);
    ck_assert_str_eq(r->out, msg);
    char ct_path[300];
    snprintf(ct_path, sizeof(ct_path), "%s.ct", out_path);
    char *e1[] = {"/usr/bin/openssl", "pkeyutl", "-encrypt", "-pubin", "-inkey", pub_path, "-in", msg_path,
                  "-out", ct_path, "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha512",
                  "-pkeyopt", "rsa_mgf1_md:sha512", NULL};
    run_openssl(e1, r);
    ck_assert_msg(r->exited && r->status == 0, "openssl: %s", r->err);
    uint8_t *oct = (uint8_t *)slurp(ct_path, &len);
    ck_assert_ok(fipsrt_rsa_decrypt(key2048, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA512, NULL, 0, oct, len, pt, sizeof(pt), &pt_len));
    ck_assert_uint_eq(pt_len, strlen(msg));
    ck_assert_mem_eq(pt, msg, pt_len);
    free(oct);

    /* Python: verifies our PSS/v1.5 signatures, decrypts our OAEP (with a label); makes its
     * own signatures and ciphertexts for us. */
    uint8_t pss[256], v15[256];
    size_t pss_len, v15_len;
    ck_assert_ok(fipsrt_rsa_sign(key2048, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, msg, strlen(msg), pss, sizeof(pss), &pss_len));
    ck_assert_ok(fipsrt_rsa_sign(key2048, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA3_256, msg, strlen(msg), v15, sizeof(v15), &v15_len));
    ck_assert_ok(fipsrt_rsa_encrypt(key2048, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA384, (const uint8_t *)"py-label", 8,
                                    (const uint8_t *)msg, strlen(msg), ct, sizeof(ct), &ct_len));
    char *pss_hex = to_hex(pss, pss_len), *v15_hex = to_hex(v15, v15_len), *ct_hex = to_hex(ct, ct_len);
    snprintf(script, sizeof(script),
             "from cryptography.hazmat.primitives import hashes, serialization as s\n"
             "from cryptography.hazmat.primitives.asymmetric import padding as P\n"
             "k = s.load_pem_private_key(open('%s','rb').read(), None)\n"
             "p = k.public_key()\n"
             "m = open('%s','rb').read()\n"
             "p.verify(bytes.fromhex('%s'), m, P.PSS(P.MGF1(hashes.SHA256()), 32), hashes.SHA256())\n"
             "p.verify(bytes.fromhex('%s'), m, P.PKCS1v15(), hashes.SHA3_256())\n"
             "oaep = P.OAEP(P.MGF1(hashes.SHA384()), hashes.SHA384(), b'py-label')\n"
             "assert k.decrypt(bytes.fromhex('%s'), oaep) == m\n"
             "print(k.sign(m, P.PSS(P.MGF1(hashes.SHA512()), P.PSS.DIGEST_LENGTH), hashes.SHA512()).hex())\n"
             "print(k.sign(m, P.PKCS1v15(), hashes.SHA224()).hex())\n"
             "print(p.encrypt(m, P.OAEP(P.MGF1(hashes.SHA256()), hashes.SHA256(), b'L')).hex())\n",
             key_path, msg_path, pss_hex, v15_hex, ct_hex);
    run_python(script, r);
    free(pss_hex);
    free(v15_hex);
    free(ct_hex);
    char *l1 = strtok(r->out, "\n"), *l2 = strtok(NULL, "\n"), *l3 = strtok(NULL, "\n");
    size_t a_len, b_len, c_len;
    uint8_t *a = hex_alloc(l1, &a_len), *b = hex_alloc(l2, &b_len), *c = hex_alloc(l3, &c_len);
    ck_assert_ok(fipsrt_rsa_verify(key2048, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA512, msg, strlen(msg), a, a_len));
    ck_assert_ok(fipsrt_rsa_verify(key2048, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA224, msg, strlen(msg), b, b_len));
    /* v1.5 is deterministic: Python's bytes are ours. */
    ck_assert_ok(fipsrt_rsa_sign(key2048, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA224, msg, strlen(msg), sig, sizeof(sig), &sig_len));
    ck_assert_mem_eq(sig, b, b_len);
    ck_assert_ok(fipsrt_rsa_decrypt(key2048, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, (const uint8_t *)"L", 1, c, c_len,
                                    pt, sizeof(pt), &pt_len));
    ck_assert_mem_eq(pt, msg, pt_len);
    free(a);
    free(b);
    free(c);
    free(r);
    rm_rf(dir);
    free(dir);
    assert_err_queue_empty();
}
END_TEST

/* ---- one key, 8 threads -------------------------------------------------------------------- */

#define THREADS 8
#define ROUNDS 8

struct worker {
    int failures;
    char detail[256];
};

static void *worker_loop(void *arg)
{
    struct worker *w = arg;
    uint8_t msg[32], sig[256], ct[256], pt[256];
    size_t sig_len, ct_len, pt_len;
    for (int i = 0; i < ROUNDS; i++) {
        fipsrt_rsa_padding p = i % 2 ? FIPSRT_RSA_PSS : FIPSRT_RSA_PKCS1_V15;
        memset(msg, i, sizeof(msg));
        int rv = fipsrt_rsa_sign(key2048, p, FIPSRT_HASH_SHA256, msg, sizeof(msg), sig, sizeof(sig), &sig_len);
        if (rv == 0)
            rv = fipsrt_rsa_verify(key2048, p, FIPSRT_HASH_SHA256, msg, sizeof(msg), sig, sig_len);
        if (rv == 0)
            rv = fipsrt_rsa_encrypt(key2048, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0, msg, sizeof(msg), ct,
                                    sizeof(ct), &ct_len);
        if (rv == 0)
            rv = fipsrt_rsa_decrypt(key2048, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0, ct, ct_len, pt,
                                    sizeof(pt), &pt_len);
        if (rv == 0 && (pt_len != sizeof(msg) || memcmp(pt, msg, pt_len) != 0))
            rv = -100;
        if (rv != 0 && w->failures++ == 0)
            snprintf(w->detail, sizeof(w->detail), "%d: %s", rv, fipsrt_last_error());
    }
    return NULL;
}

START_TEST(test_threads)
{
    pthread_t th[THREADS];
    struct worker w[THREADS];
    memset(w, 0, sizeof(w));
    for (int i = 0; i < THREADS; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, worker_loop, &w[i]), 0);
    for (int i = 0; i < THREADS; i++) {
        ck_assert_int_eq(pthread_join(th[i], NULL), 0);
        ck_assert_msg(w[i].failures == 0, "thread %d: %d failures, first %s", i, w[i].failures, w[i].detail);
    }
    printf("threads: %d x %d RSA-2048 sign+verify+encrypt+decrypt on one key, 0 failures\n", THREADS, ROUNDS);
}
END_TEST

/* A checked fixture: runs inside each test (forked or not), loads the key once. */
static void load_fixture(void)
{
    if (key2048 != NULL)
        return;
    /* Key 1 of oaep-custom/oaep-sha256-sha256.txt (2048 bits, with its primes). */
    struct field *f;
    int n = read_comment_file("asymmetric/RSA/oaep-custom/oaep-sha256-sha256.txt", &f);
    const char *kn = NULL, *ke = NULL, *kd = NULL, *kp = NULL, *kq = NULL;
    bool priv = false;
    for (int i = 0; i < n && kq == NULL; i++) {
        const char *l = f[i].label;
        if (strcmp(l, "Private key") == 0)
            priv = true;
        else if (priv && strcmp(l, "Modulus:") == 0)
            kn = f[i].hex;
        else if (priv && strcmp(l, "Public exponent:") == 0)
            ke = f[i].hex;
        else if (priv && strcmp(l, "Exponent:") == 0)
            kd = f[i].hex;
        else if (priv && strcmp(l, "Prime 1:") == 0)
            kp = f[i].hex;
        else if (priv && strcmp(l, "Prime 2:") == 0)
            kq = f[i].hex;
    }
    ck_assert_ptr_nonnull(kq);
    ck_assert_ok(rsa_private_from_hex(&key2048, kn, ke, kd, kp, kq));
    for (int i = 0; i < n; i++)
        free(f[i].hex);
    free(f);
}

static Suite *make_suite(void)
{
    atexit(free_fixture);
    Suite *s = suite_create("rsa");
    TCase *tc = tcase_create("cavp");
    tcase_add_loop_test(tc, test_cavp_sigver, 0, 2);
    tcase_add_loop_test(tc, test_cavp_siggen_verify, 0, 2);
    tcase_add_loop_test(tc, test_cavp_siggen_sign, 0, 2);
    tcase_add_test(tc, test_oaep_vectors);
    suite_add_tcase(s, tc);
    tc = tcase_create("api");
    tcase_add_checked_fixture(tc, load_fixture, NULL);
    tcase_add_test(tc, test_sign_verify_all_hashes);
    tcase_add_test(tc, test_oaep_round_trip);
    tcase_add_test(tc, test_policy_and_bad_input);
    tcase_add_test(tc, test_argument_checks);
    suite_add_tcase(s, tc);
    tc = tcase_create("cross");
    tcase_add_checked_fixture(tc, load_fixture, NULL);
    tcase_add_test(tc, test_cross_openssl_python);
    tcase_add_test(tc, test_threads);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(make_suite); }
