/* SPDX-License-Identifier: Apache-2.0 */
/* Asymmetric keys: EC (P-256/384/521) and RSA, generated and held in the FIPS provider. */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <fipsrt/keys.h>

#include "internal.h"

struct fipsrt_key {
    EVP_PKEY *pkey;          /* from the FIPS provider's keymgmt; never modified */
    fipsrt_key_type type;
    fipsrt_ec_curve curve;   /* 0 for RSA */
    unsigned bits;
    bool has_private;
    bool legacy;             /* RSA public key of 1024..2047 bits: verify only */
};

static const struct {
    fipsrt_ec_curve curve;
    const char *name;        /* OpenSSL group name */
    const char *alias;       /* the X9.62 / SECG name a provider may report */
    unsigned bits;
} curves[] = {
    {FIPSRT_EC_P256, "P-256", "prime256v1", 256},
    {FIPSRT_EC_P384, "P-384", "secp384r1", 384},
    {FIPSRT_EC_P521, "P-521", "secp521r1", 521},
};
#define NCURVES (sizeof(curves) / sizeof(curves[0]))

static const char *curve_name(fipsrt_ec_curve curve)
{
    for (size_t i = 0; i < NCURVES; i++)
        if (curves[i].curve == curve)
            return curves[i].name;
    return NULL;
}

static fipsrt_ec_curve curve_by_name(const char *name)
{
    for (size_t i = 0; i < NCURVES; i++)
        if (strcmp(name, curves[i].name) == 0 || strcmp(name, curves[i].alias) == 0)
            return curves[i].curve;
    return 0;
}

EVP_PKEY *frt_key_pkey(const struct fipsrt_key *key)
{
    return key ? key->pkey : NULL;
}

/*
 * Take ownership of `pkey` (freed on failure) and wrap it after the policy checks every key
 * passes, however it was made: FIPS provider, approved curve, RSA size rules.
 */
static int wrap(fipsrt_key **out, EVP_PKEY *pkey, bool has_private)
{
    int rv = FIPSRT_OK;
    fipsrt_key *key = NULL;
    char group[64];

    if (EVP_PKEY_is_a(pkey, "EC")) {
        /* Exclusive dispatch: the key must live in the provider the table fetched from. */
        FRT_CHECK(EVP_PKEY_get0_provider(pkey) ==
                      EVP_KEYMGMT_get0_provider(frt_keymgmt(FRT_KEYMGMT_EC)),
                  FIPSRT_E_PROVIDER, "EC key not held by the FIPS provider");
        /* FIPS 186-4 / SP 800-186: named NIST prime curves only (no explicit parameters). */
        FRT_CHECK(EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                                 sizeof(group), NULL) > 0,
                  FIPSRT_E_NOT_APPROVED, "EC key without a named curve is not approved");
        fipsrt_ec_curve curve = curve_by_name(group);
        FRT_CHECK(curve != 0, FIPSRT_E_NOT_APPROVED,
                  "EC curve %s is not approved (P-256, P-384, P-521 only)", group);
        FRT_CHECK((key = calloc(1, sizeof(*key))) != NULL, FIPSRT_E_NOMEM, "out of memory");
        key->type = FIPSRT_KEY_EC;
        key->curve = curve;
    } else if (EVP_PKEY_is_a(pkey, "RSA")) {
        FRT_CHECK(EVP_PKEY_get0_provider(pkey) ==
                      EVP_KEYMGMT_get0_provider(frt_keymgmt(FRT_KEYMGMT_RSA)),
                  FIPSRT_E_PROVIDER, "RSA key not held by the FIPS provider");
        int bits = EVP_PKEY_get_bits(pkey);
        /* SP 800-131A: RSA < 2048 may only verify (legacy), and < 1024 not even that. */
        FRT_CHECK(bits >= 1024, FIPSRT_E_NOT_APPROVED,
                  "RSA key of %d bits is below the 1024-bit legacy minimum", bits);
        FRT_CHECK(bits >= 2048 || !has_private, FIPSRT_E_NOT_APPROVED,
                  "RSA private key of %d bits is below the 2048-bit minimum (SP 800-131A)",
                  bits);
        FRT_CHECK((key = calloc(1, sizeof(*key))) != NULL, FIPSRT_E_NOMEM, "out of memory");
        key->type = FIPSRT_KEY_RSA;
        key->legacy = bits < 2048;
    } else {
        const char *name = EVP_PKEY_get0_type_name(pkey);
        FRT_CHECK(false, FIPSRT_E_NOT_APPROVED, "key type %s is not approved (EC P-curves and "
                  "RSA only)", name ? name : "(unknown)");
    }
    key->pkey = pkey;
    key->bits = (unsigned)EVP_PKEY_get_bits(pkey);
    key->has_private = has_private;
    *out = key;
    pkey = NULL;
out:
    if (rv < 0) {
        EVP_PKEY_free(pkey);
        free(key);
    }
    return rv;
}

/* Key generation context for the table's keymgmt `id`. */
static int gen_ctx(EVP_PKEY_CTX **out, enum frt_alg id)
{
    int rv = FIPSRT_OK;
    /* No public 3.0 API builds an EVP_PKEY_CTX from an EVP_KEYMGMT: fetch by its name
     * (default properties fips=yes), and wrap() checks the provider of the result. */
    FRT_OSSL_PTR(*out, EVP_PKEY_CTX_new_from_name(NULL, EVP_KEYMGMT_get0_name(frt_keymgmt(id)),
                                                  NULL), FIPSRT_E_NOMEM);
    FRT_OSSL(EVP_PKEY_keygen_init(*out), FIPSRT_E_PROVIDER);
out:
    return rv;
}

FIPSRT_API int fipsrt_key_generate_ec(fipsrt_key **out, fipsrt_ec_curve curve)
{
    int rv = FIPSRT_OK;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;
    frt_init();
    FRT_ARG(out != NULL);
    *out = NULL;
    const char *name = curve_name(curve);
    FRT_CHECK(name != NULL, FIPSRT_E_INVALID_ARG, "unknown curve %d", (int)curve);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)name, 0),
        OSSL_PARAM_construct_end(),
    };
    FRT_TRY(gen_ctx(&ctx, FRT_KEYMGMT_EC));
    FRT_OSSL(EVP_PKEY_CTX_set_params(ctx, params), FIPSRT_E_PROVIDER);
    /* FIPS 140-3 IG 10.3.A: the provider runs its pairwise consistency test here. */
    FRT_OSSL(EVP_PKEY_generate(ctx, &pkey), FIPSRT_E_PROVIDER);
    FRT_TRY(wrap(out, pkey, true));
    pkey = NULL;
out:
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    return rv;
}

FIPSRT_API int fipsrt_key_generate_rsa(fipsrt_key **out, unsigned bits)
{
    int rv = FIPSRT_OK;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;
    size_t nbits = bits;
    unsigned int e = 65537;
    frt_init();
    FRT_ARG(out != NULL);
    *out = NULL;
    /* FIPS 186-4 B.3 / SP 800-131A: 2048 and 3072 bits, and 4096 as the provider allows. */
    FRT_CHECK(bits == 2048 || bits == 3072 || bits == 4096, FIPSRT_E_NOT_APPROVED,
              "RSA key generation of %u bits is not approved (2048, 3072, 4096)", bits);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_size_t(OSSL_PKEY_PARAM_RSA_BITS, &nbits),
        OSSL_PARAM_construct_uint(OSSL_PKEY_PARAM_RSA_E, &e),
        OSSL_PARAM_construct_end(),
    };
    FRT_TRY(gen_ctx(&ctx, FRT_KEYMGMT_RSA));
    FRT_OSSL(EVP_PKEY_CTX_set_params(ctx, params), FIPSRT_E_PROVIDER);
    FRT_OSSL(EVP_PKEY_generate(ctx, &pkey), FIPSRT_E_PROVIDER);
    FRT_TRY(wrap(out, pkey, true));
    pkey = NULL;
out:
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    return rv;
}

FIPSRT_API void fipsrt_key_free(fipsrt_key *key)
{
    if (key == NULL)
        return;
    /* The provider cleanses private material when the last reference goes. */
    EVP_PKEY_free(key->pkey);
    OPENSSL_cleanse(key, sizeof(*key));
    free(key);
}

FIPSRT_API fipsrt_key_type fipsrt_key_get_type(const fipsrt_key *key)
{
    return key ? key->type : 0;
}

FIPSRT_API fipsrt_ec_curve fipsrt_key_get_curve(const fipsrt_key *key)
{
    return key ? key->curve : 0;
}

FIPSRT_API unsigned fipsrt_key_get_bits(const fipsrt_key *key)
{
    return key ? key->bits : 0;
}

FIPSRT_API int fipsrt_key_has_private(const fipsrt_key *key)
{
    return key && key->has_private;
}

FIPSRT_API int fipsrt_key_is_legacy(const fipsrt_key *key)
{
    return key && key->legacy;
}
