/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "pk_testutil.h"

uint8_t *vec_slurp(const char *rel, size_t *len)
{
    return (uint8_t *)slurp(vec_path(rel), len);
}

int import_vec_key(fipsrt_key **out, const char *rel, bool pub, const char *password)
{
    size_t len;
    uint8_t *data = vec_slurp(rel, &len);
    fipsrt_key_encoding enc = strstr(rel, ".der") ? FIPSRT_KEY_DER : FIPSRT_KEY_PEM;
    int rv = pub ? fipsrt_key_import_public(out, enc, data, len)
                 : fipsrt_key_import_private(out, enc, data, len, password,
                                             password ? strlen(password) : 0);
    free(data);
    return rv;
}

void hex_fixed(const char *hex, uint8_t *out, size_t width)
{
    size_t len, hl = strlen(hex);
    /* CAVP files sometimes drop a leading zero nibble. */
    char *even = malloc(hl + 2);
    ck_assert_ptr_nonnull(even);
    snprintf(even, hl + 2, "%s%s", hl % 2 ? "0" : "", hex);
    uint8_t *raw = hex_alloc(even, &len);
    free(even);
    size_t skip = 0;
    while (len - skip > width && raw[skip] == 0)
        skip++;
    ck_assert_msg(len - skip <= width, "%zu bytes do not fit in %zu", len - skip, width);
    memset(out, 0, width);
    memcpy(out + width - (len - skip), raw + skip, len - skip);
    free(raw);
}

size_t curve_bytes(fipsrt_ec_curve curve)
{
    return curve == FIPSRT_EC_P256 ? 32 : curve == FIPSRT_EC_P384 ? 48 : 66;
}

fipsrt_ec_curve curve_from_name(const char *name)
{
    if (strcmp(name, "P-256") == 0)
        return FIPSRT_EC_P256;
    if (strcmp(name, "P-384") == 0)
        return FIPSRT_EC_P384;
    if (strcmp(name, "P-521") == 0)
        return FIPSRT_EC_P521;
    return 0;
}

fipsrt_hash_alg hash_from_name(const char *name)
{
    static const struct { const char *n; fipsrt_hash_alg a; } t[] = {
        {"SHA1", FIPSRT_HASH_SHA1},          {"SHA224", FIPSRT_HASH_SHA224},
        {"SHA256", FIPSRT_HASH_SHA256},      {"SHA384", FIPSRT_HASH_SHA384},
        {"SHA512", FIPSRT_HASH_SHA512},      {"SHA512/224", FIPSRT_HASH_SHA512_224},
        {"SHA512/256", FIPSRT_HASH_SHA512_256}, {"SHA3224", FIPSRT_HASH_SHA3_224},
        {"SHA3256", FIPSRT_HASH_SHA3_256},   {"SHA3384", FIPSRT_HASH_SHA3_384},
        {"SHA3512", FIPSRT_HASH_SHA3_512},   {"MD5", FIPSRT_HASH_MD5},
    };
    char norm[32];
    size_t o = 0;
    for (const char *p = name; *p && o < sizeof(norm) - 1; p++)
        if (*p != '-' && *p != '_' && !isspace((unsigned char)*p))
            norm[o++] = (char)toupper((unsigned char)*p);
    norm[o] = '\0';
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (strcmp(norm, t[i].n) == 0)
            return t[i].a;
    return 0;
}

fipsrt_ec_curve vec_curve(const vec_file *v)
{
    for (int i = 0; i < v->sn; i++) {
        const char *k = v->skeys[i];
        if ((k[0] == 'P' || k[0] == 'K' || k[0] == 'B') && k[1] == '-' &&
            isdigit((unsigned char)k[2])) {
            char name[16];
            size_t n = strcspn(k, ",");
            snprintf(name, sizeof(name), "%.*s", (int)(n < 15 ? n : 15), k);
            return curve_from_name(name);
        }
    }
    ck_abort_msg("%s:%d: no curve in the section header", v->path, v->line);
    return 0;
}

size_t point_from_hex(fipsrt_ec_curve curve, const char *qx, const char *qy, uint8_t *out)
{
    size_t fs = curve_bytes(curve);
    out[0] = 0x04;
    hex_fixed(qx, out + 1, fs);
    hex_fixed(qy, out + 1 + fs, fs);
    return 1 + 2 * fs;
}

/* SP 800-56B Appendix C: factor n from a private/public exponent pair. */
static void recover_pq(const BIGNUM *n, const BIGNUM *e, const BIGNUM *d, BIGNUM *p, BIGNUM *q,
                       BN_CTX *ctx)
{
    BIGNUM *k = BN_new(), *t = BN_new(), *g = BN_new(), *y = BN_new(), *x = BN_new(),
           *n1 = BN_new();
    int s = 0;
    ck_assert(BN_mul(k, d, e, ctx) && BN_sub_word(k, 1) && BN_copy(t, k) != NULL);
    ck_assert(BN_copy(n1, n) != NULL && BN_sub_word(n1, 1));
    while (!BN_is_odd(t)) {
        ck_assert(BN_rshift1(t, t));
        s++;
    }
    bool found = false;
    for (unsigned long gw = 2; gw < 200 && !found; gw++) {
        ck_assert(BN_set_word(g, gw) && BN_mod_exp(y, g, t, n, ctx));
        if (BN_is_one(y) || BN_cmp(y, n1) == 0)
            continue;
        for (int i = 0; i < s && !found; i++) {
            ck_assert(BN_mod_sqr(x, y, n, ctx));
            if (BN_is_one(x)) {
                ck_assert(BN_sub_word(y, 1) && BN_gcd(p, y, n, ctx) && BN_div(q, NULL, n, p, ctx));
                found = true;
            } else if (BN_cmp(x, n1) == 0) {
                break;
            } else {
                ck_assert(BN_copy(y, x) != NULL);
            }
        }
    }
    ck_assert_msg(found, "could not factor n from (e, d)");
    BN_free(k); BN_free(t); BN_free(g); BN_free(y); BN_free(x); BN_free(n1);
}

int rsa_private_from_hex(fipsrt_key **out, const char *nh, const char *eh, const char *dh,
                         const char *ph, const char *qh)
{
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *n = NULL, *e = NULL, *d = NULL, *p = BN_new(), *q = BN_new();
    BIGNUM *dp = BN_new(), *dq = BN_new(), *qinv = BN_new(), *t = BN_new();
    ck_assert(BN_hex2bn(&n, nh) && BN_hex2bn(&e, eh) && BN_hex2bn(&d, dh));
    if (ph && qh) {
        ck_assert(BN_hex2bn(&p, ph) && BN_hex2bn(&q, qh));
    } else {
        recover_pq(n, e, d, p, q, ctx);
    }
    ck_assert(BN_copy(t, p) && BN_sub_word(t, 1) && BN_mod(dp, d, t, ctx));
    ck_assert(BN_copy(t, q) && BN_sub_word(t, 1) && BN_mod(dq, d, t, ctx));
    ck_assert(BN_mod_inverse(qinv, q, p, ctx) != NULL);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    ck_assert(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
              OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) &&
              OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, d) &&
              OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, p) &&
              OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, q) &&
              OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dp) &&
              OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dq) &&
              OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qinv));
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *pkey = NULL;
    ck_assert(pctx && EVP_PKEY_fromdata_init(pctx) > 0 &&
              EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_KEYPAIR, params) > 0);
    OSSL_ENCODER_CTX *ectx = OSSL_ENCODER_CTX_new_for_pkey(pkey, EVP_PKEY_KEYPAIR, "DER",
                                                           "PrivateKeyInfo", NULL);
    uint8_t *der = NULL;
    size_t der_len = 0;
    ck_assert(ectx && OSSL_ENCODER_to_data(ectx, &der, &der_len) > 0);
    int rv = fipsrt_key_import_private(out, FIPSRT_KEY_DER, der, der_len, NULL, 0);
    OPENSSL_free(der);
    OSSL_ENCODER_CTX_free(ectx);
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(pctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n); BN_free(e); BN_free(d); BN_free(p); BN_free(q);
    BN_free(dp); BN_free(dq); BN_free(qinv); BN_free(t);
    BN_CTX_free(ctx);
    return rv;
}

static const char *const independent_env[] = {"OPENSSL_CONF", "OPENSSL_MODULES", NULL};

void run_openssl(char *const argv[], proc_result *r)
{
    run_process(argv, independent_env, NULL, r);
}

void run_python(const char *script, proc_result *r)
{
    char *argv[] = {"/usr/bin/python3", "-c", (char *)script, NULL};
    run_process(argv, independent_env, NULL, r);
    ck_assert_msg(r->exited && r->status == 0, "python failed (%d): %s", r->status, r->err);
}

char *to_hex(const uint8_t *buf, size_t len)
{
    char *s = malloc(2 * len + 1);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < len; i++)
        sprintf(s + 2 * i, "%02x", buf[i]);
    s[2 * len] = '\0';
    return s;
}

void assert_err_queue_empty(void)
{
    unsigned long e = ERR_peek_error();
    char buf[256] = "";
    if (e)
        ERR_error_string_n(e, buf, sizeof(buf));
    ck_assert_msg(e == 0, "OpenSSL error queue not empty: %s", buf);
}
