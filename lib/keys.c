/* SPDX-License-Identifier: Apache-2.0 */
/* Asymmetric keys: EC (P-256/384/521) and RSA, generated and held in the FIPS provider. */
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <fipsrt/keys.h>

#include "internal.h"

struct fipsrt_key {
    EVP_PKEY *pkey;          /* from the FIPS provider's keymgmt; never modified */
    fipsrt_key_type type;
    fipsrt_ec_curve curve;   /* 0 for RSA */
    unsigned bits;
    bool has_private;
    bool legacy;             /* RSA public key of 1024..2047 bits: verify only */
    /* Initialised operation contexts to copy (frt_key_op_ctx), made on first use and then
     * only read: the one part of a key that changes after creation, by atomic publication. */
    _Atomic(_Atomic(EVP_PKEY_CTX *) *) templates;
};

static const struct {
    fipsrt_ec_curve curve;
    const char *name;        /* OpenSSL group name */
    const char *alias;       /* the X9.62 / SECG name a provider may report */
    int nid;                 /* the curve's OID in an AlgorithmIdentifier */
    size_t field_size;       /* bytes of a coordinate or scalar */
} curves[] = {
    {FIPSRT_EC_P256, "P-256", "prime256v1", NID_X9_62_prime256v1, 32},
    {FIPSRT_EC_P384, "P-384", "secp384r1", NID_secp384r1, 48},
    {FIPSRT_EC_P521, "P-521", "secp521r1", NID_secp521r1, 66},
};
#define NCURVES (sizeof(curves) / sizeof(curves[0]))

static const char *curve_name(fipsrt_ec_curve curve)
{
    for (size_t i = 0; i < NCURVES; i++)
        if (curves[i].curve == curve)
            return curves[i].name;
    return NULL;
}

static size_t curve_field_size(fipsrt_ec_curve curve)
{
    for (size_t i = 0; i < NCURVES; i++)
        if (curves[i].curve == curve)
            return curves[i].field_size;
    return 0;
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

/* The key's template for `slot`, made (and published with compare-and-swap) if missing. */
static int op_template(struct fipsrt_key *key, unsigned slot,
                       int (*init)(EVP_PKEY_CTX *, const OSSL_PARAM *),
                       const OSSL_PARAM *params, const OSSL_PROVIDER *provider,
                       EVP_PKEY_CTX **tmpl)
{
    int rv = FIPSRT_OK;
    _Atomic(EVP_PKEY_CTX *) *slots = atomic_load(&key->templates), *fresh = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    if (slots == NULL) {
        FRT_CHECK((fresh = calloc(FRT_KEY_OP_SLOTS, sizeof(*fresh))) != NULL, FIPSRT_E_NOMEM,
                  "out of memory");
        if (atomic_compare_exchange_strong(&key->templates, &slots, fresh)) {
            slots = fresh;
            fresh = NULL;
        }
    }
    if ((*tmpl = atomic_load(&slots[slot])) != NULL)
        goto out;
    FRT_OSSL_PTR(ctx, EVP_PKEY_CTX_new_from_pkey(frt_libctx(), key->pkey, FRT_PROPQ), FIPSRT_E_NOMEM);
    /* OpenSSL 3.0 cannot take a pre-fetched EVP_SIGNATURE (the _ex2 inits are 3.2): the
     * context fetches under fips=yes and must land on the provider the table fetched from. */
    FRT_OSSL(init(ctx, params), FIPSRT_E_PROVIDER);
    FRT_CHECK(EVP_PKEY_CTX_get0_provider(ctx) == provider, FIPSRT_E_PROVIDER,
              "operation not served by the FIPS provider");
    EVP_PKEY_CTX *none = NULL;
    if (atomic_compare_exchange_strong(&slots[slot], &none, ctx)) {
        *tmpl = ctx;
        ctx = NULL;
    } else {
        *tmpl = none;   /* another thread made it first */
    }
out:
    free(fresh);
    EVP_PKEY_CTX_free(ctx);
    return rv;
}

int frt_key_op_ctx(const struct fipsrt_key *key, unsigned slot,
                   int (*init)(EVP_PKEY_CTX *, const OSSL_PARAM *), const OSSL_PARAM *params,
                   const OSSL_PROVIDER *provider, EVP_PKEY_CTX **out)
{
    int rv = FIPSRT_OK;
    EVP_PKEY_CTX *tmpl;
    *out = NULL;
    FRT_CHECK(slot < FRT_KEY_OP_SLOTS, FIPSRT_E_INTERNAL, "operation slot %u", slot);
    FRT_TRY(op_template((struct fipsrt_key *)key, slot, init, params, provider, &tmpl));
    /* The copy shares nothing mutable with the template, which is only read here. */
    FRT_OSSL_PTR(*out, EVP_PKEY_CTX_dup(tmpl), FIPSRT_E_NOMEM);
out:
    return rv;
}

/* FIPS 186-4 B.3.1: a private key's public exponent is odd with 2^16 < e < 2^256. */
static int check_rsa_exponent(const EVP_PKEY *pkey)
{
    int rv = FIPSRT_OK;
    BIGNUM *e = NULL;
    FRT_OSSL(EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e), FIPSRT_E_PROVIDER);
    FRT_CHECK(BN_is_odd(e) && BN_num_bits(e) >= 17 && BN_num_bits(e) <= 256,
              FIPSRT_E_NOT_APPROVED, "RSA public exponent of %d bits is outside "
              "2^16 < e < 2^256 (FIPS 186-4 B.3.1)", BN_num_bits(e));
out:
    BN_free(e);
    return rv;
}

/* PKCS#1 / SP 800-56B 6.4.1.1: an odd modulus and an odd exponent with 1 < e < n. Below
 * that, a key is no RSA key at all (with e = 1 every s "verifies" as its own encoding). */
static int check_rsa_public(const EVP_PKEY *pkey)
{
    int rv = FIPSRT_OK;
    BIGNUM *n = NULL, *e = NULL;
    FRT_OSSL(EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n), FIPSRT_E_MALFORMED);
    FRT_OSSL(EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e), FIPSRT_E_MALFORMED);
    FRT_CHECK(BN_is_odd(n) && BN_is_odd(e) && !BN_is_one(e) && BN_cmp(e, n) < 0,
              FIPSRT_E_MALFORMED, "RSA modulus and exponent must be odd, with 1 < e < n");
out:
    BN_free(n);
    BN_free(e);
    return rv;
}

/*
 * Wrap `pkey` (owned by the new key on success only) after the policy checks every key
 * passes, however it was made: FIPS provider, approved curve, RSA size rules.
 */
static int wrap(fipsrt_key **out, EVP_PKEY *pkey, bool has_private)
{
    int rv = FIPSRT_OK;
    fipsrt_key *key = NULL;
    char group[64];
    ERR_set_mark();

    /* The type by its id first: EVP_PKEY_is_a() looks names up and says "no" when that
     * lookup runs out of memory, which turned an allocation failure into NOT_APPROVED. */
    int id = EVP_PKEY_get_base_id(pkey);
    if (id == EVP_PKEY_EC || (id != EVP_PKEY_RSA && EVP_PKEY_is_a(pkey, "EC"))) {
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
    } else if (id == EVP_PKEY_RSA || EVP_PKEY_is_a(pkey, "RSA")) {
        FRT_CHECK(EVP_PKEY_get0_provider(pkey) ==
                      EVP_KEYMGMT_get0_provider(frt_keymgmt(FRT_KEYMGMT_RSA)),
                  FIPSRT_E_PROVIDER, "RSA key not held by the FIPS provider");
        int bits = EVP_PKEY_get_bits(pkey), queried = 0;
        /* 0 bits from the cache: OpenSSL could not read the key's size when it made the key
         * (the provider query ran out of memory, leaving no reason on the queue), and the key
         * object stays incomplete: an allocation failure, not a policy refusal, unless the
         * provider says the modulus really has 0 bits. */
        FRT_CHECK(bits > 0 || (EVP_PKEY_get_int_param(pkey, OSSL_PKEY_PARAM_BITS, &queried) > 0 &&
                               queried <= 0),
                  FIPSRT_E_NOMEM, "out of memory: the RSA key's size could not be read");
        /* SP 800-131A: RSA < 2048 may only verify (legacy), and < 1024 not even that. */
        FRT_CHECK(bits >= 1024, FIPSRT_E_NOT_APPROVED,
                  "RSA key of %d bits is below the 1024-bit legacy minimum", bits);
        FRT_CHECK(bits >= 2048 || !has_private, FIPSRT_E_NOT_APPROVED,
                  "RSA private key of %d bits is below the 2048-bit minimum (SP 800-131A)",
                  bits);
        FRT_TRY(check_rsa_public(pkey));
        if (has_private)
            FRT_TRY(check_rsa_exponent(pkey));
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
out:
    if (rv == FIPSRT_OK)
        ERR_pop_to_mark();   /* SPEC 1.6: failures OpenSSL absorbed are not the caller's */
    else
        ERR_clear_last_mark();
    if (rv < 0)
        free(key);
    return rv;
}

/* Key generation context for the table's keymgmt `id`. */
static int gen_ctx(EVP_PKEY_CTX **out, enum frt_alg id)
{
    int rv = FIPSRT_OK;
    /* No public 3.0 API builds an EVP_PKEY_CTX from an EVP_KEYMGMT: fetch by its name
     * (default properties fips=yes), and wrap() checks the provider of the result. */
    FRT_OSSL_PTR(*out, EVP_PKEY_CTX_new_from_name(frt_libctx(), EVP_KEYMGMT_get0_name(frt_keymgmt(id)),
                                                  FRT_PROPQ), FIPSRT_E_NOMEM);
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
    ERR_set_mark();
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
    frt_service_approved();
out:
    if (rv == FIPSRT_OK)
        ERR_pop_to_mark();   /* SPEC 1.6: failures OpenSSL absorbed are not the caller's */
    else
        ERR_clear_last_mark();
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
    ERR_set_mark();
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
    frt_service_approved();
out:
    if (rv == FIPSRT_OK)
        ERR_pop_to_mark();   /* SPEC 1.6: failures OpenSSL absorbed are not the caller's */
    else
        ERR_clear_last_mark();
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    return rv;
}

/* ---- import ---------------------------------------------------------------------------- */

/* Text allowed around a PEM block: whitespace only after it. */
static bool only_space(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
            return false;
    return true;
}

/*
 * Unwrap one PEM block. `*label` gets its index in `labels` (NULL-terminated); a block of
 * another type is refused. The DER comes from the secure heap (free with
 * OPENSSL_secure_clear_free). Base64 and framing are parsed by libcrypto's PEM reader.
 */
static int pem_unwrap(const uint8_t *data, size_t len, const char *const *labels, int *label,
                      uint8_t **der, size_t *der_len)
{
    int rv = FIPSRT_OK;
    BIO *bio = NULL;
    char *name = NULL, *header = NULL;
    unsigned char *body = NULL;
    long body_len = 0;
    char rest[256];
    int n;

    FRT_CHECK(len <= INT_MAX, FIPSRT_E_MALFORMED, "PEM input of %zu bytes is too large", len);
    FRT_OSSL_PTR(bio, BIO_new_mem_buf(data, (int)len), FIPSRT_E_NOMEM);
    ERR_set_mark();
    if (!PEM_read_bio_ex(bio, &name, &header, &body, &body_len, PEM_FLAG_SECURE)) {
        ERR_pop_to_mark();
        FRT_CHECK(false, FIPSRT_E_MALFORMED, "no valid PEM block (framing or base64)");
    }
    ERR_pop_to_mark();
    for (*label = 0; labels[*label] != NULL; (*label)++)
        if (strcmp(name, labels[*label]) == 0)
            break;
    if (labels[*label] == NULL) {
        bool pkcs8 = strcmp(name, "PRIVATE KEY") == 0 || strcmp(name, "PUBLIC KEY") == 0 ||
                     strcmp(name, "ENCRYPTED PRIVATE KEY") == 0;
        FRT_CHECK(!pkcs8, FIPSRT_E_KEY_TYPE, "PEM \"%s\" is the other kind of key", name);
        /* Pre-PKCS#8 forms ("RSA PRIVATE KEY", "EC PRIVATE KEY", with MD5-keyed legacy
         * encryption) are not read. */
        size_t n_len = strlen(name);
        bool key = (n_len > 11 && strcmp(name + n_len - 11, "PRIVATE KEY") == 0) ||
                   (n_len > 10 && strcmp(name + n_len - 10, "PUBLIC KEY") == 0);
        FRT_CHECK(!key, FIPSRT_E_UNSUPPORTED, "PEM \"%s\" is not PKCS#8/SPKI: convert it "
                  "with `openssl pkcs8 -topk8` or `openssl pkey -pubout`", name);
        FRT_CHECK(false, FIPSRT_E_MALFORMED, "unexpected PEM block \"%s\"", name);
    }
    FRT_CHECK(header[0] == '\0', FIPSRT_E_MALFORMED, "PEM headers are not allowed in \"%s\"",
              name);
    FRT_CHECK(body_len > 0, FIPSRT_E_MALFORMED, "empty PEM block");
    while ((n = BIO_read(bio, rest, sizeof(rest))) > 0)
        FRT_CHECK(only_space(rest, (size_t)n), FIPSRT_E_MALFORMED,
                  "trailing data after the PEM block");
    *der = body;
    *der_len = (size_t)body_len;
    body = NULL;
out:
    OPENSSL_secure_free(name);
    OPENSSL_secure_free(header);
    OPENSSL_secure_clear_free(body, (size_t)body_len);
    BIO_free(bio);
    return rv;
}

/*
 * Policy by the AlgorithmIdentifier, before any provider sees the key: the key type to
 * decode as ("EC" or "RSA"), or the refusal.
 */
static int check_algorithm(const X509_ALGOR *alg, const char **keytype)
{
    int rv = FIPSRT_OK;
    const ASN1_OBJECT *oid;
    const void *param;
    int ptype;
    char txt[80];

    X509_ALGOR_get0(&oid, &ptype, &param, alg);
    int nid = OBJ_obj2nid(oid);
    if (nid == NID_rsaEncryption) {
        *keytype = "RSA";
    } else if (nid == NID_X9_62_id_ecPublicKey) {
        /* FIPS 186-4 / SP 800-186: a named NIST prime curve; explicit parameters refused. */
        FRT_CHECK(ptype == V_ASN1_OBJECT, FIPSRT_E_NOT_APPROVED,
                  "EC key without a named curve (explicit or implicit parameters)");
        int curve_nid = OBJ_obj2nid(param);
        bool approved = false;
        for (size_t i = 0; i < NCURVES; i++)
            approved |= curves[i].nid == curve_nid;
        OBJ_obj2txt(txt, sizeof(txt), param, 0);
        FRT_CHECK(approved, FIPSRT_E_NOT_APPROVED,
                  "EC curve %s is not approved (P-256, P-384, P-521 only)", txt);
        *keytype = "EC";
    } else {
        FRT_CHECK(nid != NID_rsassaPss, FIPSRT_E_UNSUPPORTED, "RSASSA-PSS-restricted keys "
                  "are not supported: use an rsaEncryption key (it signs with PSS too)");
        /* X25519/Ed25519/X448/Ed448 are served by the 3.0 provider but not approved. */
        OBJ_obj2txt(txt, sizeof(txt), oid, 0);
        FRT_CHECK(false, FIPSRT_E_NOT_APPROVED,
                  "key algorithm %s is not approved (EC P-256/P-384/P-521 and RSA only)", txt);
    }
out:
    return rv;
}

/* Decode DER `structure` of `keytype` into a FIPS-provider key; the whole input must go. */
static int decode_der(EVP_PKEY **pkey, const uint8_t *der, size_t len, const char *structure,
                      const char *keytype, int selection)
{
    int rv = FIPSRT_OK;
    OSSL_DECODER_CTX *dctx = NULL;
    const unsigned char *p = der;
    size_t left = len;
    /* Marked from here: building the decoder chain skips decoders it fails to make (an
     * allocation failure) and leaves their errors queued even when it succeeds. */
    ERR_set_mark();
    dctx = OSSL_DECODER_CTX_new_for_pkey(pkey, "DER", structure, keytype, selection,
                                         frt_libctx(), FRT_PROPQ);
    if (dctx == NULL)
        ERR_clear_last_mark();   /* keep the reasons for the detail text */
    FRT_CHECK(dctx != NULL, FIPSRT_E_NOMEM, "OSSL_DECODER_CTX_new_for_pkey failed");
    if (!OSSL_DECODER_from_data(dctx, &p, &left) || *pkey == NULL) {
        ERR_clear_last_mark();   /* keep the reasons for the detail text */
        FRT_CHECK(false, FIPSRT_E_MALFORMED, "%s key does not decode as %s", keytype,
                  structure);
    }
    ERR_pop_to_mark();
    FRT_CHECK(left == 0, FIPSRT_E_MALFORMED, "%zu bytes of trailing data", left);
out:
    if (rv < 0) {
        EVP_PKEY_free(*pkey);
        *pkey = NULL;
    }
    OSSL_DECODER_CTX_free(dctx);
    return rv;
}

/*
 * An RSA private key's pairwise consistency test (FIPS 140-3 IG 10.3.A style): sign a fixed
 * digest and verify it with the public half, both in the provider. EVP_PKEY_pairwise_check
 * is not used for RSA: its SP 800-56B check insists on d < lcm(p-1, q-1) and so refuses
 * every key made with d = e^-1 mod phi(n) (OpenSSL 1.1.1 and many other generators).
 */
static int rsa_pct(EVP_PKEY *pkey)
{
    int rv = FIPSRT_OK;
    EVP_PKEY_CTX *ctx = NULL;
    uint8_t dgst[32] = {0}, sig[2048];
    size_t sig_len = sizeof(sig);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, "SHA2-256", 0),
        OSSL_PARAM_construct_end(),
    };
    FRT_CHECK((size_t)EVP_PKEY_get_size(pkey) <= sizeof(sig), FIPSRT_E_NOT_APPROVED,
              "RSA key too large");
    FRT_OSSL_PTR(ctx, EVP_PKEY_CTX_new_from_pkey(frt_libctx(), pkey, FRT_PROPQ), FIPSRT_E_NOMEM);
    FRT_OSSL(EVP_PKEY_sign_init_ex(ctx, params), FIPSRT_E_PROVIDER);
    FRT_OSSL(EVP_PKEY_sign(ctx, sig, &sig_len, dgst, sizeof(dgst)), FIPSRT_E_MALFORMED);
    FRT_OSSL(EVP_PKEY_verify_init_ex(ctx, params), FIPSRT_E_PROVIDER);
    FRT_CHECK(EVP_PKEY_verify(ctx, sig, sig_len, dgst, sizeof(dgst)) == 1, FIPSRT_E_MALFORMED,
              "RSA private and public key do not match");
out:
    EVP_PKEY_CTX_free(ctx);
    return rv;
}

/*
 * A key check run by the provider; its failure is the input's fault (FIPSRT_E_MALFORMED).
 * `pairwise`: private and public parts belong together (EC: SP 800-56A 5.6.2.1.4, which
 * includes the full public-key validation); else the EC public key's full validation.
 */
static int provider_check(EVP_PKEY *pkey, bool pairwise)
{
    int rv = FIPSRT_OK;
    EVP_PKEY_CTX *ctx = NULL;
    ERR_set_mark();
    /* By id first, as in wrap(): EVP_PKEY_is_a() says "no" when its lookup runs out of memory. */
    if (pairwise && (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA || EVP_PKEY_is_a(pkey, "RSA"))) {
        rv = rsa_pct(pkey);
        goto out;
    }
    FRT_OSSL_PTR(ctx, EVP_PKEY_CTX_new_from_pkey(frt_libctx(), pkey, FRT_PROPQ), FIPSRT_E_NOMEM);
    if (pairwise) {
        FRT_OSSL(EVP_PKEY_pairwise_check(ctx), FIPSRT_E_MALFORMED);
    } else {
        FRT_OSSL(EVP_PKEY_public_check(ctx), FIPSRT_E_MALFORMED);
    }
out:
    if (rv == FIPSRT_OK)
        ERR_pop_to_mark();   /* SPEC 1.6: failures OpenSSL absorbed are not the caller's */
    else
        ERR_clear_last_mark();
    EVP_PKEY_CTX_free(ctx);
    return rv;
}

/* Most PBKDF2 iterations an imported key may ask for (seconds of work; OpenSSL writes 2048). */
#define MAX_PBKDF2_ITERATIONS 5000000

/* PKCS#5 PBES2 with PBKDF2 and AES is the one approved PKCS#8 encryption (SP 800-132). */
static int check_pbe(const X509_ALGOR *alg)
{
    int rv = FIPSRT_OK;
    PBE2PARAM *pbe2 = NULL;
    PBKDF2PARAM *kdf = NULL;
    const ASN1_OBJECT *oid;
    const void *param;
    int ptype;

    X509_ALGOR_get0(&oid, &ptype, &param, alg);
    FRT_CHECK(OBJ_obj2nid(oid) == NID_pbes2, FIPSRT_E_NOT_APPROVED,
              "PKCS#8 encryption other than PBES2 (PKCS#12 PBE, PBES1) is not approved");
    FRT_CHECK(ptype == V_ASN1_SEQUENCE, FIPSRT_E_MALFORMED, "PBES2 without parameters");
    pbe2 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter);
    FRT_CHECK(pbe2 != NULL, FIPSRT_E_MALFORMED, "malformed PBES2 parameters");
    FRT_CHECK(OBJ_obj2nid(pbe2->keyfunc->algorithm) == NID_id_pbkdf2, FIPSRT_E_NOT_APPROVED,
              "PBES2 key derivation other than PBKDF2 (e.g. scrypt) is not approved");
    kdf = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), pbe2->keyfunc->parameter);
    FRT_CHECK(kdf != NULL, FIPSRT_E_MALFORMED, "malformed PBKDF2 parameters");
    /* A file must not make us spin: far above any sane count (OWASP 2023: 600000). */
    long iter = ASN1_INTEGER_get(kdf->iter);
    FRT_CHECK(iter > 0 && iter <= MAX_PBKDF2_ITERATIONS, FIPSRT_E_UNSUPPORTED,
              "PBKDF2 iteration count %ld is outside 1..%d", iter, MAX_PBKDF2_ITERATIONS);
    /* SP 800-132 5.3: the PRF is an approved HMAC (absent means HMAC-SHA-1); never MD5. */
    int prf = kdf->prf ? OBJ_obj2nid(kdf->prf->algorithm) : NID_hmacWithSHA1;
    switch (prf) {
    case NID_hmacWithSHA1: case NID_hmacWithSHA224: case NID_hmacWithSHA256:
    case NID_hmacWithSHA384: case NID_hmacWithSHA512: case NID_hmacWithSHA512_224:
    case NID_hmacWithSHA512_256: case NID_hmac_sha3_224: case NID_hmac_sha3_256:
    case NID_hmac_sha3_384: case NID_hmac_sha3_512:
        break;
    default:
        FRT_CHECK(false, FIPSRT_E_NOT_APPROVED, "PBKDF2 with PRF %s is not approved (HMAC "
                  "with SHA-1, SHA-2 or SHA-3 only)", prf != NID_undef ? OBJ_nid2sn(prf) : "?");
    }
    switch (OBJ_obj2nid(pbe2->encryption->algorithm)) {
    case NID_aes_128_cbc: case NID_aes_192_cbc: case NID_aes_256_cbc:
        break;
    default:
        FRT_CHECK(false, FIPSRT_E_NOT_APPROVED,
                  "PBES2 encryption other than AES-CBC (e.g. 3DES, RC2) is not approved");
    }
out:
    ERR_clear_error();   /* ASN1_TYPE_unpack_sequence failures are reported above */
    PBKDF2PARAM_free(kdf);
    PBE2PARAM_free(pbe2);
    return rv;
}

/* Parse a PrivateKeyInfo, or an EncryptedPrivateKeyInfo decrypted with `password`. */
static int pkcs8_plain(const uint8_t *der, size_t len, const char *password, size_t pass_len,
                       PKCS8_PRIV_KEY_INFO **p8out)
{
    int rv = FIPSRT_OK;
    X509_SIG *enc = NULL;
    PKCS8_PRIV_KEY_INFO *p8 = NULL;
    const unsigned char *p = der;
    const X509_ALGOR *alg;

    FRT_CHECK(len <= LONG_MAX, FIPSRT_E_MALFORMED, "input too large");
    ERR_set_mark();
    p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len);
    if (p8 == NULL) {
        p = der;
        enc = d2i_X509_SIG(NULL, &p, (long)len);
    }
    ERR_pop_to_mark();
    FRT_CHECK(p8 != NULL || enc != NULL, FIPSRT_E_MALFORMED,
              "not a PKCS#8 PrivateKeyInfo or EncryptedPrivateKeyInfo");
    FRT_CHECK(p == der + len, FIPSRT_E_MALFORMED, "%zu bytes of trailing data after the key",
              len - (size_t)(p - der));
    if (enc != NULL) {
        X509_SIG_get0(enc, &alg, NULL);
        FRT_TRY(check_pbe(alg));
        FRT_CHECK(password != NULL, FIPSRT_E_INVALID_ARG,
                  "the key is encrypted: a password is needed");
        FRT_CHECK(pass_len <= INT_MAX, FIPSRT_E_INVALID_ARG, "password too long");
        /* PBKDF2 and AES-CBC run in the FIPS provider (default properties). A wrong
         * password shows as bad padding or as garbage that is not a PrivateKeyInfo. */
        p8 = PKCS8_decrypt_ex(enc, password, (int)pass_len, frt_libctx(),
                              FRT_PROPQ);
        FRT_CHECK(p8 != NULL, FIPSRT_E_VERIFY_FAILED,
                  "cannot decrypt the key: wrong password or corrupted data");
    }
    *p8out = p8;
    p8 = NULL;
out:
    PKCS8_PRIV_KEY_INFO_free(p8);
    X509_SIG_free(enc);
    return rv;
}

/* Whether DER `der` opens with SEQUENCE { INTEGER v, ... } where lo <= v <= hi (v < 128). */
static bool der_version_in(const uint8_t *der, size_t len, int lo, int hi)
{
    const unsigned char *p = der;
    long n;
    int tag, cls;
    ERR_set_mark();
    bool ok = !(ASN1_get_object(&p, &n, &tag, &cls, (long)len) & 0x80) &&
              tag == V_ASN1_SEQUENCE &&
              !(ASN1_get_object(&p, &n, &tag, &cls, (long)(len - (size_t)(p - der))) & 0x80) &&
              tag == V_ASN1_INTEGER && n == 1 && p[0] >= lo && p[0] <= hi;
    ERR_pop_to_mark();
    return ok;
}

/*
 * Versions libcrypto's readers let through: RFC 5958 PrivateKeyInfo is v1 (0) or v2 (1);
 * the SEC 1 ECPrivateKey inside an EC key is version 1 (RSAPrivateKey's is checked there).
 */
static int check_versions(const uint8_t *der, size_t len, const PKCS8_PRIV_KEY_INFO *p8,
                          const char *keytype)
{
    int rv = FIPSRT_OK;
    const unsigned char *inner;
    int inner_len;
    FRT_CHECK(der_version_in(der, len, 0, 1), FIPSRT_E_MALFORMED,
              "PKCS#8 version is not v1 or v2");
    PKCS8_pkey_get0(NULL, &inner, &inner_len, NULL, p8);
    FRT_CHECK(strcmp(keytype, "EC") != 0 || der_version_in(inner, (size_t)inner_len, 1, 1),
              FIPSRT_E_MALFORMED, "SEC 1 ECPrivateKey version is not 1");
out:
    return rv;
}

static const char *const private_labels[] = {"PRIVATE KEY", "ENCRYPTED PRIVATE KEY", NULL};
static const char *const public_labels[] = {"PUBLIC KEY", NULL};

FIPSRT_API int fipsrt_key_import_private(fipsrt_key **out, fipsrt_key_encoding enc,
                                         const uint8_t *data, size_t len,
                                         const char *password, size_t password_len)
{
    int rv = FIPSRT_OK;
    uint8_t *pem_der = NULL, *der = NULL;
    size_t pem_der_len = 0, der_len = 0;
    PKCS8_PRIV_KEY_INFO *p8 = NULL;
    EVP_PKEY *pkey = NULL;
    fipsrt_key *key = NULL;
    const X509_ALGOR *alg;
    const char *keytype;
    int label;
    frt_init();
    FRT_ARG(out != NULL);
    *out = NULL;
    FRT_ARG(data != NULL);
    FRT_ARG(enc == FIPSRT_KEY_DER || enc == FIPSRT_KEY_PEM);
    FRT_CHECK(len > 0, FIPSRT_E_MALFORMED, "empty input");
    if (enc == FIPSRT_KEY_PEM) {
        FRT_TRY(pem_unwrap(data, len, private_labels, &label, &pem_der, &pem_der_len));
        data = pem_der;
        len = pem_der_len;
    }
    /* keys.h: DER only. libcrypto's reader also takes BER (indefinite or padded lengths). */
    FRT_CHECK(frt_der_strict(data, len), FIPSRT_E_MALFORMED, "the key is not DER-encoded");
    FRT_TRY(pkcs8_plain(data, len, password, password_len, &p8));
    const unsigned char *inner;
    int inner_len;
    PKCS8_pkey_get0(NULL, &inner, &inner_len, &alg, p8);
    FRT_CHECK(frt_der_strict(inner, (size_t)inner_len), FIPSRT_E_MALFORMED,
              "the private key inside the PKCS#8 structure is not DER-encoded");
    FRT_TRY(check_algorithm(alg, &keytype));
    /* Re-encoded canonically (also the decrypted form) for the provider's decoder. */
    int n = i2d_PKCS8_PRIV_KEY_INFO(p8, NULL);
    FRT_OSSL(n, FIPSRT_E_MALFORMED);
    der_len = (size_t)n;
    FRT_CHECK((der = OPENSSL_secure_malloc(der_len)) != NULL, FIPSRT_E_NOMEM, "out of memory");
    unsigned char *w = der;
    FRT_OSSL(i2d_PKCS8_PRIV_KEY_INFO(p8, &w), FIPSRT_E_MALFORMED);
    FRT_TRY(check_versions(der, der_len, p8, keytype));
    FRT_TRY(decode_der(&pkey, der, der_len, "PrivateKeyInfo", keytype, EVP_PKEY_KEYPAIR));
    FRT_TRY(wrap(&key, pkey, true));
    pkey = NULL;
    /* Private and public parts must belong together (pairwise check / PCT). */
    FRT_TRY(provider_check(key->pkey, true));
    *out = key;
    key = NULL;
    frt_service_approved();
out:
    fipsrt_key_free(key);
    EVP_PKEY_free(pkey);
    OPENSSL_secure_clear_free(der, der_len);
    OPENSSL_secure_clear_free(pem_der, pem_der_len);
    PKCS8_PRIV_KEY_INFO_free(p8);
    return rv;
}

FIPSRT_API int fipsrt_key_import_public(fipsrt_key **out, fipsrt_key_encoding enc,
                                        const uint8_t *data, size_t len)
{
    int rv = FIPSRT_OK;
    uint8_t *pem_der = NULL;
    size_t pem_der_len = 0;
    X509_PUBKEY *spki = NULL;
    EVP_PKEY *pkey = NULL;
    fipsrt_key *key = NULL;
    X509_ALGOR *alg;
    const char *keytype;
    int label;
    frt_init();
    FRT_ARG(out != NULL);
    *out = NULL;
    FRT_ARG(data != NULL);
    FRT_ARG(enc == FIPSRT_KEY_DER || enc == FIPSRT_KEY_PEM);
    FRT_CHECK(len > 0, FIPSRT_E_MALFORMED, "empty input");
    if (enc == FIPSRT_KEY_PEM) {
        FRT_TRY(pem_unwrap(data, len, public_labels, &label, &pem_der, &pem_der_len));
        data = pem_der;
        len = pem_der_len;
    }
    FRT_CHECK(len <= LONG_MAX, FIPSRT_E_MALFORMED, "input too large");
    FRT_CHECK(frt_der_strict(data, len), FIPSRT_E_MALFORMED, "the key is not DER-encoded");
    FRT_CHECK(frt_der_spki_aligned(data, len), FIPSRT_E_MALFORMED,
              "not a SubjectPublicKeyInfo of whole octets (unused-bits byte must be 0)");
    const unsigned char *p = data;
    /* libcrypto parses the ASN.1 (its opportunistic key decode is discarded, errors too). */
    ERR_set_mark();
    spki = X509_PUBKEY_new_ex(frt_libctx(), FRT_PROPQ);
    if (spki != NULL && d2i_X509_PUBKEY(&spki, &p, (long)len) == NULL)
        spki = NULL;   /* d2i frees the object it was given on failure */
    ERR_pop_to_mark();
    FRT_CHECK(spki != NULL, FIPSRT_E_MALFORMED, "not a SubjectPublicKeyInfo");
    FRT_CHECK(p == data + len, FIPSRT_E_MALFORMED, "%zu bytes of trailing data after the key",
              len - (size_t)(p - data));
    FRT_OSSL(X509_PUBKEY_get0_param(NULL, NULL, NULL, &alg, spki), FIPSRT_E_MALFORMED);
    FRT_TRY(check_algorithm(alg, &keytype));
    FRT_TRY(decode_der(&pkey, data, len, "SubjectPublicKeyInfo", keytype, EVP_PKEY_PUBLIC_KEY));
    FRT_TRY(wrap(&key, pkey, false));
    pkey = NULL;
    /* SP 800-56A 5.6.2.3.3: full validation of EC public keys. RSA public keys are not
     * checked here: the SP 800-56B check refuses legacy verify-only keys (see rsa.c). */
    if (key->type == FIPSRT_KEY_EC)
        FRT_TRY(provider_check(key->pkey, false));
    *out = key;
    key = NULL;
    frt_service_approved();
out:
    fipsrt_key_free(key);
    EVP_PKEY_free(pkey);
    X509_PUBKEY_free(spki);
    OPENSSL_secure_clear_free(pem_der, pem_der_len);
    return rv;
}

/*
 * A private key for another family (a TLS context's key file or memory): PKCS#8 as
 * fipsrt_key_import_private() reads it, or the traditional EC/RSA form (PEM or DER), which
 * is decoded only to be re-encoded as PKCS#8 and then imported the same way. Either way the
 * one key policy of fipsrt_key_import_private() applies (algorithm, curve, size, exponent,
 * pairwise consistency): a second parser would be a second policy.
 */
static int encode_der(const EVP_PKEY *pkey, int selection, const char *structure,
                      uint8_t **der, size_t *der_len);

int frt_key_import_any(fipsrt_key **out, const uint8_t *data, size_t len)
{
    int rv = FIPSRT_OK;
    EVP_PKEY *pkey = NULL;
    OSSL_DECODER_CTX *dctx = NULL;
    uint8_t *der = NULL;
    size_t der_len = 0;
    *out = NULL;
    FRT_CHECK(data != NULL && len > 0, FIPSRT_E_MALFORMED, "empty private key");
    bool pem = frt_is_pem(data, len);
    ERR_set_mark();
    /* A step of the caller's configuration (a TLS context): not a service of its own. */
    rv = FRT_UNCOUNTED(fipsrt_key_import_private(out, pem ? FIPSRT_KEY_PEM : FIPSRT_KEY_DER,
                                                 data, len, NULL, 0));
    if (rv == FIPSRT_E_INVALID_ARG) {
        /* The only argument that can be missing is the password of an encrypted key. */
        ERR_pop_to_mark();
        FRT_CHECK(false, FIPSRT_E_MALFORMED,
                  "the private key is encrypted: give it unencrypted (no passphrase)");
    }
    if (rv != FIPSRT_E_MALFORMED && rv != FIPSRT_E_UNSUPPORTED) {
        ERR_pop_to_mark();
        goto out;   /* imported, or refused by the policy */
    }
    /* Not PKCS#8: the traditional form, decoded in the library context and re-encoded. */
    rv = FIPSRT_OK;
    const unsigned char *p = data;
    size_t left = len;
    dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, pem ? "PEM" : "DER", "type-specific", NULL,
                                         EVP_PKEY_KEYPAIR, frt_libctx(), FRT_PROPQ);
    bool decoded = dctx != NULL && OSSL_DECODER_from_data(dctx, &p, &left) && pkey != NULL;
    ERR_pop_to_mark();
    FRT_CHECK(decoded, FIPSRT_E_MALFORMED,
              "private key does not decode (PEM or DER; PKCS#8, EC or RSA; unencrypted)");
    FRT_TRY(encode_der(pkey, EVP_PKEY_KEYPAIR, "PrivateKeyInfo", &der, &der_len));
    FRT_TRY(FRT_UNCOUNTED(fipsrt_key_import_private(out, FIPSRT_KEY_DER, der, der_len, NULL, 0)));
out:
    OPENSSL_clear_free(der, der_len);
    OSSL_DECODER_CTX_free(dctx);
    EVP_PKEY_free(pkey);
    return rv;
}

/* Build a key in the table's keymgmt `id` from parameters (EVP_PKEY_fromdata). */
static int from_params(EVP_PKEY **pkey, enum frt_alg id, int selection, OSSL_PARAM *params)
{
    int rv = FIPSRT_OK;
    EVP_PKEY_CTX *ctx = NULL;
    FRT_OSSL_PTR(ctx, EVP_PKEY_CTX_new_from_name(frt_libctx(), EVP_KEYMGMT_get0_name(frt_keymgmt(id)),
                                                 FRT_PROPQ), FIPSRT_E_NOMEM);
    FRT_OSSL(EVP_PKEY_fromdata_init(ctx), FIPSRT_E_PROVIDER);
    FRT_OSSL(EVP_PKEY_fromdata(ctx, pkey, selection, params), FIPSRT_E_MALFORMED);
out:
    EVP_PKEY_CTX_free(ctx);
    return rv;
}

/* SEC 1 2.3.3 uncompressed point of the curve's size. */
static int check_point(fipsrt_ec_curve curve, const uint8_t *point, size_t len)
{
    size_t fs = curve_field_size(curve);
    if (len != 1 + 2 * fs || point[0] != 0x04)
        return frt_error(__func__, FIPSRT_E_MALFORMED, "%s point must be uncompressed "
                         "(0x04 || X || Y, %zu bytes); got %zu bytes starting 0x%02x",
                         curve_name(curve), 1 + 2 * fs, len, len ? point[0] : 0);
    return FIPSRT_OK;
}

/* An EC key from a point and, for a private key, the scalar; validated by the provider. */
static int ec_from_raw(fipsrt_key **out, fipsrt_ec_curve curve, const uint8_t *d,
                       size_t d_len, const uint8_t *point, size_t point_len)
{
    int rv = FIPSRT_OK;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    BIGNUM *priv = NULL;
    EVP_PKEY *pkey = NULL;
    fipsrt_key *key = NULL;

    FRT_ARG(out != NULL);
    *out = NULL;
    FRT_CHECK(curve_name(curve) != NULL, FIPSRT_E_INVALID_ARG, "unknown curve %d", (int)curve);
    FRT_ARG(point != NULL);
    FRT_TRY(check_point(curve, point, point_len));
    FRT_OSSL_PTR(bld, OSSL_PARAM_BLD_new(), FIPSRT_E_NOMEM);
    FRT_OSSL(OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                             curve_name(curve), 0), FIPSRT_E_NOMEM);
    FRT_OSSL(OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, point_len),
             FIPSRT_E_NOMEM);
    if (d != NULL) {
        FRT_CHECK(d_len == curve_field_size(curve), FIPSRT_E_MALFORMED,
                  "%s private scalar must be %zu bytes, got %zu", curve_name(curve),
                  curve_field_size(curve), d_len);
        FRT_OSSL_PTR(priv, BN_secure_new(), FIPSRT_E_NOMEM);
        FRT_OSSL_PTR(priv, BN_bin2bn(d, (int)d_len, priv), FIPSRT_E_NOMEM);
        FRT_OSSL(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv), FIPSRT_E_NOMEM);
    }
    FRT_OSSL_PTR(params, OSSL_PARAM_BLD_to_param(bld), FIPSRT_E_NOMEM);
    FRT_TRY(from_params(&pkey, FRT_KEYMGMT_EC, d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                        params));
    FRT_TRY(wrap(&key, pkey, d != NULL));
    pkey = NULL;
    /* SP 800-56A 5.6.2.3.3 full public-key validation; with a scalar, the pairwise check
     * (which also range-checks the scalar). */
    FRT_TRY(provider_check(key->pkey, d != NULL));
    *out = key;
    key = NULL;
out:
    fipsrt_key_free(key);
    EVP_PKEY_free(pkey);
    OSSL_PARAM_free(params);   /* the scalar sits in its secure part, cleansed on free */
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(priv);
    return rv;
}

FIPSRT_API int fipsrt_key_import_ec_point(fipsrt_key **out, fipsrt_ec_curve curve,
                                          const uint8_t *point, size_t point_len)
{
    frt_init();
    int rv = ec_from_raw(out, curve, NULL, 0, point, point_len);
    if (rv == FIPSRT_OK)
        frt_service_approved();
    return rv;
}

FIPSRT_API int fipsrt_key_import_ec_private(fipsrt_key **out, fipsrt_ec_curve curve,
                                            const uint8_t *d, size_t d_len,
                                            const uint8_t *point, size_t point_len)
{
    int rv = FIPSRT_OK;
    frt_init();
    FRT_ARG(d != NULL);
    rv = ec_from_raw(out, curve, d, d_len, point, point_len);
    if (rv == FIPSRT_OK)
        frt_service_approved();
out:
    if (rv < 0 && out != NULL)
        *out = NULL;
    return rv;
}

FIPSRT_API int fipsrt_key_import_rsa_public(fipsrt_key **out, const uint8_t *n, size_t n_len,
                                            const uint8_t *e, size_t e_len)
{
    int rv = FIPSRT_OK;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    BIGNUM *bn_n = NULL, *bn_e = NULL;
    EVP_PKEY *pkey = NULL;
    fipsrt_key *key = NULL;
    frt_init();
    FRT_ARG(out != NULL);
    *out = NULL;
    FRT_ARG(n != NULL && n_len > 0);
    FRT_ARG(e != NULL && e_len > 0);
    FRT_ARG(n_len <= 2048 && e_len <= 2048);   /* 16384-bit modulus: OpenSSL's maximum */
    FRT_OSSL_PTR(bn_n, BN_bin2bn(n, (int)n_len, NULL), FIPSRT_E_NOMEM);
    FRT_OSSL_PTR(bn_e, BN_bin2bn(e, (int)e_len, NULL), FIPSRT_E_NOMEM);
    FRT_CHECK(BN_is_odd(bn_n) && BN_is_odd(bn_e) && !BN_is_one(bn_e), FIPSRT_E_MALFORMED,
              "RSA modulus and exponent must be odd, and the exponent > 1");
    FRT_CHECK(BN_cmp(bn_e, bn_n) < 0, FIPSRT_E_MALFORMED, "RSA exponent must be below n");
    FRT_OSSL_PTR(bld, OSSL_PARAM_BLD_new(), FIPSRT_E_NOMEM);
    FRT_OSSL(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n), FIPSRT_E_NOMEM);
    FRT_OSSL(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e), FIPSRT_E_NOMEM);
    FRT_OSSL_PTR(params, OSSL_PARAM_BLD_to_param(bld), FIPSRT_E_NOMEM);
    FRT_TRY(from_params(&pkey, FRT_KEYMGMT_RSA, EVP_PKEY_PUBLIC_KEY, params));
    FRT_TRY(wrap(&key, pkey, false));
    pkey = NULL;
    *out = key;
    key = NULL;
    frt_service_approved();
out:
    fipsrt_key_free(key);
    EVP_PKEY_free(pkey);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_n);
    BN_free(bn_e);
    return rv;
}

/* ---- export ---------------------------------------------------------------------------- */

/* Copy `len` bytes to the caller's buffer under the output-buffer conventions. */
static int copy_out(const char *func, const uint8_t *buf, size_t len, uint8_t *out,
                    size_t out_cap, size_t *out_len)
{
    *out_len = len;
    if (out_cap < len)
        return frt_error(func, FIPSRT_E_BUFFER_TOO_SMALL, "output needs %zu bytes, got %zu",
                         len, out_cap);
    if (out == NULL)
        return frt_error(func, FIPSRT_E_INVALID_ARG, "invalid argument: out != NULL");
    memcpy(out, buf, len);
    return FIPSRT_OK;
}

/* Encode `selection` of the key as DER `structure` (encoders from the base provider). */
static int encode_der(const EVP_PKEY *pkey, int selection, const char *structure,
                      uint8_t **der, size_t *der_len)
{
    int rv = FIPSRT_OK;
    OSSL_ENCODER_CTX *ectx = NULL;
    /* Building the encoder chain skips encoders it fails to make (an allocation failure)
     * and leaves their errors queued even when it succeeds: drop those on success. */
    ERR_set_mark();
    ectx = OSSL_ENCODER_CTX_new_for_pkey(pkey, selection, "DER", structure, FRT_PROPQ);
    if (ectx == NULL)
        ERR_clear_last_mark();   /* keep the reasons for the detail text */
    else
        ERR_pop_to_mark();
    FRT_CHECK(ectx != NULL, FIPSRT_E_NOMEM, "OSSL_ENCODER_CTX_new_for_pkey failed");
    FRT_OSSL(OSSL_ENCODER_to_data(ectx, der, der_len), FIPSRT_E_PROVIDER);
out:
    OSSL_ENCODER_CTX_free(ectx);
    return rv;
}

/* Wrap DER in one PEM block and hand it out; the text may hold secrets (secure BIO). */
static int pem_out(const char *func, const char *label, const uint8_t *der, size_t der_len,
                   uint8_t *out, size_t out_cap, size_t *out_len)
{
    int rv = FIPSRT_OK;
    BIO *bio = NULL;
    BUF_MEM *mem;
    FRT_OSSL_PTR(bio, BIO_new(BIO_s_secmem()), FIPSRT_E_NOMEM);
    FRT_OSSL(PEM_write_bio(bio, label, "", der, (long)der_len), FIPSRT_E_NOMEM);
    BIO_get_mem_ptr(bio, &mem);
    rv = copy_out(func, (const uint8_t *)mem->data, mem->length, out, out_cap, out_len);
out:
    BIO_free(bio);   /* a secmem BIO cleanses its buffer */
    return rv;
}

static int encrypt_pkcs8(const uint8_t *der, size_t der_len, const char *password,
                         size_t pass_len, uint8_t **enc, size_t *enc_len)
{
    int rv = FIPSRT_OK;
    PKCS8_PRIV_KEY_INFO *p8 = NULL;
    X509_SIG *sig = NULL;
    const unsigned char *p = der;
    unsigned char *w = NULL;
    FRT_OSSL_PTR(p8, d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)der_len), FIPSRT_E_INTERNAL);
    /* SP 800-132: PBKDF2 (HMAC-SHA-256 default PRF) with a 128-bit random salt, and the
     * table's AES-256-CBC; both run in the FIPS provider. */
    FRT_OSSL_PTR(sig, PKCS8_encrypt_ex(-1, frt_cipher(FRT_CIPHER_AES_256_CBC), password,
                                       (int)pass_len, NULL, 16, FIPSRT_KEY_PBKDF2_ITERATIONS,
                                       p8, frt_libctx(), FRT_PROPQ), FIPSRT_E_PROVIDER);
    int n = i2d_X509_SIG(sig, &w);
    FRT_OSSL(n, FIPSRT_E_NOMEM);
    *enc = w;
    *enc_len = (size_t)n;
out:
    PKCS8_PRIV_KEY_INFO_free(p8);
    X509_SIG_free(sig);
    return rv;
}

FIPSRT_API int fipsrt_key_export_private(const fipsrt_key *key, fipsrt_key_encoding enc,
                                         const char *password, size_t password_len,
                                         uint8_t *out, size_t out_cap, size_t *out_len)
{
    int rv = FIPSRT_OK;
    uint8_t *der = NULL, *edata = NULL;
    size_t der_len = 0, edata_len = 0;
    FRT_ARG(key != NULL && out_len != NULL);
    FRT_ARG(enc == FIPSRT_KEY_DER || enc == FIPSRT_KEY_PEM);
    FRT_ARG(password == NULL || (password_len > 0 && password_len <= INT_MAX));
    FRT_ARG(password != NULL || password_len == 0);   /* never a plaintext export by mistake */
    FRT_CHECK(key->has_private, FIPSRT_E_KEY_TYPE, "the key has no private part");
    FRT_TRY(encode_der(key->pkey, EVP_PKEY_KEYPAIR, "PrivateKeyInfo", &der, &der_len));
    if (password != NULL)
        FRT_TRY(encrypt_pkcs8(der, der_len, password, password_len, &edata, &edata_len));
    const uint8_t *body = edata ? edata : der;
    size_t body_len = edata ? edata_len : der_len;
    if (enc == FIPSRT_KEY_PEM)
        rv = pem_out(__func__, edata ? "ENCRYPTED PRIVATE KEY" : "PRIVATE KEY", body, body_len,
                     out, out_cap, out_len);
    else
        rv = copy_out(__func__, body, body_len, out, out_cap, out_len);
    /* Only the PBES2 wrapping (PBKDF2 + AES in the module) is a security service; a
     * plaintext export is an encoding by the base provider, outside the module. */
    if (rv == FIPSRT_OK && password != NULL)
        frt_service_approved();
out:
    OPENSSL_clear_free(der, der_len);
    OPENSSL_free(edata);
    return rv;
}

FIPSRT_API int fipsrt_key_export_public(const fipsrt_key *key, fipsrt_key_encoding enc,
                                        uint8_t *out, size_t out_cap, size_t *out_len)
{
    int rv = FIPSRT_OK;
    uint8_t *der = NULL;
    size_t der_len = 0;
    FRT_ARG(key != NULL && out_len != NULL);
    FRT_ARG(enc == FIPSRT_KEY_DER || enc == FIPSRT_KEY_PEM);
    FRT_TRY(encode_der(key->pkey, EVP_PKEY_PUBLIC_KEY, "SubjectPublicKeyInfo", &der, &der_len));
    if (enc == FIPSRT_KEY_PEM)
        rv = pem_out(__func__, "PUBLIC KEY", der, der_len, out, out_cap, out_len);
    else
        rv = copy_out(__func__, der, der_len, out, out_cap, out_len);
out:
    OPENSSL_free(der);
    return rv;
}

FIPSRT_API int fipsrt_key_export_ec_point(const fipsrt_key *key, uint8_t *out, size_t out_cap,
                                          size_t *out_len)
{
    int rv = FIPSRT_OK;
    uint8_t point[1 + 2 * 66];
    size_t len = 0;
    FRT_ARG(key != NULL && out_len != NULL);
    FRT_CHECK(key->type == FIPSRT_KEY_EC, FIPSRT_E_KEY_TYPE, "not an EC key");
    /* Keys made here always use the uncompressed point format (the provider default). */
    FRT_OSSL(EVP_PKEY_get_octet_string_param(key->pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                             point, sizeof(point), &len), FIPSRT_E_PROVIDER);
    FRT_TRY(copy_out(__func__, point, len, out, out_cap, out_len));
out:
    return rv;
}

FIPSRT_API int fipsrt_key_export_rsa_public(const fipsrt_key *key, uint8_t *n, size_t n_cap,
                                            size_t *n_len, uint8_t *e, size_t e_cap,
                                            size_t *e_len)
{
    int rv = FIPSRT_OK;
    BIGNUM *bn_n = NULL, *bn_e = NULL;
    FRT_ARG(key != NULL && n_len != NULL && e_len != NULL);
    FRT_CHECK(key->type == FIPSRT_KEY_RSA, FIPSRT_E_KEY_TYPE, "not an RSA key");
    FRT_OSSL(EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_RSA_N, &bn_n), FIPSRT_E_PROVIDER);
    FRT_OSSL(EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_RSA_E, &bn_e), FIPSRT_E_PROVIDER);
    *n_len = (size_t)BN_num_bytes(bn_n);
    *e_len = (size_t)BN_num_bytes(bn_e);
    FRT_CHECK(n_cap >= *n_len && e_cap >= *e_len, FIPSRT_E_BUFFER_TOO_SMALL,
              "output needs %zu + %zu bytes, got %zu + %zu", *n_len, *e_len, n_cap, e_cap);
    FRT_ARG(n != NULL && e != NULL);
    BN_bn2bin(bn_n, n);
    BN_bn2bin(bn_e, e);
out:
    BN_free(bn_n);
    BN_free(bn_e);
    return rv;
}

FIPSRT_API int fipsrt_key_public(fipsrt_key **out, const fipsrt_key *key)
{
    int rv = FIPSRT_OK;
    OSSL_PARAM *params = NULL;
    EVP_PKEY *pkey = NULL;
    fipsrt_key *pub = NULL;
    FRT_ARG(out != NULL);
    *out = NULL;
    FRT_ARG(key != NULL);
    FRT_OSSL(EVP_PKEY_todata(key->pkey, EVP_PKEY_PUBLIC_KEY, &params), FIPSRT_E_PROVIDER);
    FRT_TRY(from_params(&pkey, key->type == FIPSRT_KEY_EC ? FRT_KEYMGMT_EC : FRT_KEYMGMT_RSA,
                        EVP_PKEY_PUBLIC_KEY, params));
    FRT_TRY(wrap(&pub, pkey, false));
    pkey = NULL;
    *out = pub;
out:
    EVP_PKEY_free(pkey);
    OSSL_PARAM_free(params);
    return rv;
}

FIPSRT_API void fipsrt_key_free(fipsrt_key *key)
{
    if (key == NULL)
        return;
    _Atomic(EVP_PKEY_CTX *) *slots = atomic_load(&key->templates);
    for (size_t i = 0; slots != NULL && i < FRT_KEY_OP_SLOTS; i++)
        EVP_PKEY_CTX_free(atomic_load(&slots[i]));
    free(slots);
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
