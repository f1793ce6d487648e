/* SPDX-License-Identifier: Apache-2.0 */
/* X.509 certificates: self-signed and locally issued ones for TLS, import and export. */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fipsrt/cert.h>

#include "tls_internal.h"

#define CN_MAX 64           /* X.520 ub-common-name */
#define DNS_NAME_MAX 253

FIPSRT_API int fipsrt_cert_params_init(fipsrt_cert_params *params, unsigned int version)
{
    int rv = FIPSRT_OK;
    frt_init();
    FRT_ARG(params != NULL);
    FRT_CHECK(version >= 1 && version <= FIPSRT_CERT_PARAMS_VERSION, FIPSRT_E_INVALID_ARG,
              "unknown fipsrt_cert_params version %u (this library knows 1..%d)", version,
              FIPSRT_CERT_PARAMS_VERSION);
    memset(params, 0, sizeof(*params));
    params->version = version;
    params->size = sizeof(*params);
out:
    return rv;
}

bool frt_is_pem(const uint8_t *data, size_t len)
{
    while (len > 0 && isspace(*data)) {
        data++;
        len--;
    }
    return len >= 10 && memcmp(data, "-----BEGIN", 10) == 0;
}

int frt_cert_wrap(fipsrt_cert **out, X509 *x509)
{
    int rv = FIPSRT_OK;
    fipsrt_cert *cert = calloc(1, sizeof(*cert));
    FRT_CHECK(cert != NULL, FIPSRT_E_NOMEM, "out of memory");
    cert->x509 = x509;
    *out = cert;
out:
    return rv;
}

/* A DNS SAN: letters, digits, '-', '.', '_' and a leading "*." wildcard label. */
static bool valid_dns_name(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > DNS_NAME_MAX)
        return false;
    if (s[0] == '*' && s[1] == '.')
        s += 2;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '.' && *s != '_')
            return false;
    return true;
}

static int check_params(const fipsrt_cert_params *p)
{
    int rv = FIPSRT_OK;
    FRT_ARG(p != NULL);
    FRT_CHECK(p->version >= 1 && p->version <= FIPSRT_CERT_PARAMS_VERSION &&
                  p->size >= sizeof(fipsrt_cert_params),
              FIPSRT_E_INVALID_ARG, "unknown fipsrt_cert_params version %u or size %zu",
              p->version, p->size);
    FRT_CHECK(p->common_name != NULL && p->common_name[0] != '\0' &&
                  strlen(p->common_name) <= CN_MAX,
              FIPSRT_E_INVALID_ARG, "common_name is required (1..%d characters)", CN_MAX);
    FRT_ARG(p->dns_names != NULL || p->dns_count == 0);
    FRT_ARG(p->ip_addresses != NULL || p->ip_count == 0);
    for (size_t i = 0; i < p->dns_count; i++)
        FRT_CHECK(p->dns_names[i] != NULL && valid_dns_name(p->dns_names[i]),
                  FIPSRT_E_INVALID_ARG, "dns_names[%zu] is not a DNS name", i);
out:
    return rv;
}

/* The signature hash: given, or matched to the signing key's strength. */
static int pick_md(const fipsrt_cert_params *p, const fipsrt_key *signer, const EVP_MD **md)
{
    int rv = FIPSRT_OK;
    fipsrt_hash_alg alg = p->hash;
    if (alg == 0) {
        unsigned bits = fipsrt_key_get_bits(signer);
        bool ec = fipsrt_key_get_type(signer) == FIPSRT_KEY_EC;
        alg = ec && bits > 384 ? FIPSRT_HASH_SHA512
              : ec && bits > 256 ? FIPSRT_HASH_SHA384
                                 : FIPSRT_HASH_SHA256;
    }
    const struct frt_hash_desc *d;
    FRT_TRY(frt_hash_lookup(__func__, alg, &d));
    /* SP 800-131A: SHA-1 may verify legacy signatures, never make new ones. */
    FRT_CHECK(alg != FIPSRT_HASH_SHA1, FIPSRT_E_NOT_APPROVED,
              "SHA-1 may not be used to sign (SP 800-131A)");
    /* The TLS signature schemes of the policy use SHA-256/384/512. */
    FRT_CHECK(alg == FIPSRT_HASH_SHA256 || alg == FIPSRT_HASH_SHA384 || alg == FIPSRT_HASH_SHA512,
              FIPSRT_E_NOT_APPROVED, "certificates are signed with SHA-256, SHA-384 or SHA-512, not %s",
              d->name);
    *md = frt_md(d->id);
out:
    return rv;
}

/* A configuration-style extension ("critical,CA:FALSE"); values here are our own literals. */
static int add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
    int rv = FIPSRT_OK;
    X509_EXTENSION *ext = NULL;
    /* The values were checked (check_params) or built here: a failure is out of memory. The
     * NULL is the CONF database (none: literal values), not a library context; the only
     * extensions that would hash (subject/authority key ids) are computed by add_key_ids in
     * the library context, never by these conf strings. */
    FRT_OSSL_PTR(ext, X509V3_EXT_nconf_nid(NULL, v3, nid, value), FIPSRT_E_NOMEM);
    FRT_OSSL(X509_add_ext(x, ext, -1), FIPSRT_E_NOMEM);
out:
    X509_EXTENSION_free(ext);
    return rv;
}

/*
 * RFC 5280 4.2.1.2 method (1): the key identifier is the SHA-1 of the subjectPublicKey bits
 * (a non-signature use of SHA-1). Computed here rather than by OpenSSL's "hash" extension
 * value, which fetches SHA-1 from the process's default context, not the library's.
 */
static int key_id(X509 *x, ASN1_OCTET_STRING **out)
{
    int rv = FIPSRT_OK;
    const unsigned char *pk;
    int pk_len;
    uint8_t id[20];
    FRT_OSSL(X509_PUBKEY_get0_param(NULL, &pk, &pk_len, NULL, X509_get_X509_PUBKEY(x)),
             FIPSRT_E_INTERNAL);
    FRT_TRY(FRT_UNCOUNTED(fipsrt_hash(FIPSRT_HASH_SHA1, pk, (size_t)pk_len, id, sizeof(id), NULL)));
    FRT_OSSL_PTR(*out, ASN1_OCTET_STRING_new(), FIPSRT_E_NOMEM);
    FRT_OSSL(ASN1_OCTET_STRING_set(*out, id, sizeof(id)), FIPSRT_E_NOMEM);
out:
    return rv;
}

/* subjectKeyIdentifier, and (issued certificates) authorityKeyIdentifier = the issuer's. */
static int add_key_ids(X509 *x, X509 *issuer)
{
    int rv = FIPSRT_OK;
    ASN1_OCTET_STRING *skid = NULL;
    AUTHORITY_KEYID *akid = NULL;
    FRT_TRY(key_id(x, &skid));
    FRT_OSSL(X509_add1_ext_i2d(x, NID_subject_key_identifier, skid, 0, X509V3_ADD_DEFAULT),
             FIPSRT_E_NOMEM);
    if (issuer != NULL) {
        FRT_OSSL_PTR(akid, AUTHORITY_KEYID_new(), FIPSRT_E_NOMEM);
        const ASN1_OCTET_STRING *ikid = X509_get0_subject_key_id(issuer);
        if (ikid != NULL)
            FRT_OSSL_PTR(akid->keyid, ASN1_OCTET_STRING_dup(ikid), FIPSRT_E_NOMEM);
        else
            FRT_TRY(key_id(issuer, &akid->keyid));
        FRT_OSSL(X509_add1_ext_i2d(x, NID_authority_key_identifier, akid, 0,
                                   X509V3_ADD_DEFAULT), FIPSRT_E_NOMEM);
    }
out:
    ASN1_OCTET_STRING_free(skid);
    AUTHORITY_KEYID_free(akid);
    return rv;
}

/* subjectAltName built field by field: caller strings never pass through a config parser. */
static int add_san(X509 *x, const fipsrt_cert_params *p)
{
    int rv = FIPSRT_OK;
    GENERAL_NAMES *gens = NULL;
    GENERAL_NAME *gen = NULL;
    if (p->dns_count == 0 && p->ip_count == 0)
        return FIPSRT_OK;
    FRT_OSSL_PTR(gens, sk_GENERAL_NAME_new_null(), FIPSRT_E_NOMEM);
    for (size_t i = 0; i < p->dns_count; i++) {
        ASN1_IA5STRING *s = NULL;
        FRT_OSSL_PTR(gen, GENERAL_NAME_new(), FIPSRT_E_NOMEM);
        FRT_OSSL_PTR(s, ASN1_IA5STRING_new(), FIPSRT_E_NOMEM);
        GENERAL_NAME_set0_value(gen, GEN_DNS, s);
        FRT_OSSL(ASN1_STRING_set(s, p->dns_names[i], -1), FIPSRT_E_NOMEM);
        FRT_OSSL(sk_GENERAL_NAME_push(gens, gen), FIPSRT_E_NOMEM);
        gen = NULL;
    }
    for (size_t i = 0; i < p->ip_count; i++) {
        ASN1_OCTET_STRING *ip = p->ip_addresses[i] ? a2i_IPADDRESS(p->ip_addresses[i]) : NULL;
        FRT_CHECK(ip != NULL, FIPSRT_E_INVALID_ARG, "ip_addresses[%zu] is not an IPv4 or IPv6 address",
                  i);
        gen = GENERAL_NAME_new();
        if (gen == NULL)
            ASN1_OCTET_STRING_free(ip);
        FRT_CHECK(gen != NULL, FIPSRT_E_NOMEM, "out of memory");
        GENERAL_NAME_set0_value(gen, GEN_IPADD, ip);
        FRT_OSSL(sk_GENERAL_NAME_push(gens, gen), FIPSRT_E_NOMEM);
        gen = NULL;
    }
    FRT_OSSL(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT), FIPSRT_E_NOMEM);
out:
    GENERAL_NAME_free(gen);
    GENERAL_NAMES_free(gens);
    return rv;
}

/* A positive 128-bit serial from the FIPS DRBG (CA/B Forum: at least 64 random bits). */
static int set_serial(X509 *x)
{
    int rv = FIPSRT_OK;
    unsigned char b[16];
    BIGNUM *bn = NULL;
    FRT_OSSL(RAND_bytes_ex(frt_libctx(), b, sizeof(b), 0), FIPSRT_E_PROVIDER);
    b[0] = (unsigned char)((b[0] & 0x7f) | 0x40);
    FRT_OSSL_PTR(bn, BN_bin2bn(b, sizeof(b), NULL), FIPSRT_E_NOMEM);
    FRT_OSSL(BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL, FIPSRT_E_NOMEM);
out:
    BN_free(bn);
    return rv;
}

static int set_validity(X509 *x, const fipsrt_cert_params *p)
{
    int rv = FIPSRT_OK;
    int64_t nb = p->not_before ? p->not_before : (int64_t)time(NULL) - 300;
    int64_t na = p->not_after ? p->not_after : nb + 365 * 86400;
    FRT_CHECK(na > nb, FIPSRT_E_INVALID_ARG, "not_after must be later than not_before");
    FRT_OSSL(ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb) != NULL, FIPSRT_E_INVALID_ARG);
    FRT_OSSL(ASN1_TIME_set(X509_getm_notAfter(x), (time_t)na) != NULL, FIPSRT_E_INVALID_ARG);
out:
    return rv;
}

/* Build and sign: `issuer` NULL means self-signed (the signer is the subject's own key). */
static int make_cert(fipsrt_cert **out, const fipsrt_key *subject_key,
                     const fipsrt_cert_params *p, X509 *issuer, const fipsrt_key *signer)
{
    int rv = FIPSRT_OK;
    X509 *x = NULL;
    EVP_MD_CTX *mctx = NULL;
    const EVP_MD *md = NULL;
    X509V3_CTX v3;
    bool rsa = fipsrt_key_get_type(subject_key) == FIPSRT_KEY_RSA;
    ERR_set_mark();

    FRT_TRY(check_params(p));
    FRT_CHECK(fipsrt_key_has_private(signer), FIPSRT_E_KEY_TYPE,
              "the signing key has no private part");
    FRT_TRY(pick_md(p, signer, &md));

    FRT_OSSL_PTR(x, X509_new_ex(frt_libctx(), FRT_PROPQ), FIPSRT_E_NOMEM);
    FRT_OSSL(X509_set_version(x, X509_VERSION_3), FIPSRT_E_INTERNAL);
    FRT_TRY(set_serial(x));
    FRT_TRY(set_validity(x, p));
    FRT_OSSL(X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_UTF8,
                                        (const unsigned char *)p->common_name, -1, -1, 0),
             FIPSRT_E_INVALID_ARG);
    FRT_OSSL(X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x)),
             FIPSRT_E_NOMEM);
    FRT_OSSL(X509_set_pubkey(x, frt_key_pkey(subject_key)), FIPSRT_E_PROVIDER);

    X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
    FRT_TRY(add_ext(x, &v3, NID_basic_constraints, p->is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE"));
    FRT_TRY(add_ext(x, &v3, NID_key_usage,
                    p->is_ca ? "critical,digitalSignature,keyCertSign,cRLSign"
                    : rsa    ? "critical,digitalSignature,keyEncipherment"
                             : "critical,digitalSignature"));
    if (!p->is_ca)
        FRT_TRY(add_ext(x, &v3, NID_ext_key_usage, "serverAuth,clientAuth"));
    FRT_TRY(add_key_ids(x, issuer));
    FRT_TRY(add_san(x, p));

    FRT_OSSL_PTR(mctx, EVP_MD_CTX_new(), FIPSRT_E_NOMEM);
    FRT_OSSL(EVP_DigestSignInit_ex(mctx, NULL, EVP_MD_get0_name(md), frt_libctx(),
                                   FRT_PROPQ, frt_key_pkey(signer), NULL), FIPSRT_E_PROVIDER);
    FRT_OSSL(X509_sign_ctx(x, mctx), FIPSRT_E_PROVIDER);
    FRT_TRY(frt_cert_wrap(out, x));
    x = NULL;
out:
    if (rv == FIPSRT_OK)
        ERR_pop_to_mark();   /* SPEC 1.6: failures OpenSSL absorbed are not the caller's */
    else
        ERR_clear_last_mark();
    EVP_MD_CTX_free(mctx);
    X509_free(x);
    return rv;
}

FIPSRT_API int fipsrt_cert_selfsign(fipsrt_cert **out, const fipsrt_key *key,
                                    const fipsrt_cert_params *params)
{
    int rv = FIPSRT_OK;
    frt_init();
    FRT_ARG(out != NULL);
    *out = NULL;
    FRT_ARG(key != NULL);
    FRT_TRY(make_cert(out, key, params, NULL, key));
    frt_service_approved();
out:
    return rv;
}

FIPSRT_API int fipsrt_cert_issue(fipsrt_cert **out, const fipsrt_key *subject_key,
                                 const fipsrt_cert_params *params, const fipsrt_cert *issuer,
                                 const fipsrt_key *issuer_key)
{
    int rv = FIPSRT_OK;
    frt_init();
    FRT_ARG(out != NULL);
    *out = NULL;
    FRT_ARG(subject_key != NULL);
    FRT_ARG(issuer != NULL);
    FRT_ARG(issuer_key != NULL);
    FRT_CHECK(X509_check_ca(issuer->x509) >= 1, FIPSRT_E_INVALID_ARG,
              "the issuer certificate is not a CA (basicConstraints CA:TRUE)");
    FRT_CHECK(X509_check_private_key(issuer->x509, frt_key_pkey(issuer_key)) == 1,
              FIPSRT_E_INVALID_ARG, "issuer_key does not match the issuer certificate");
    FRT_TRY(make_cert(out, subject_key, params, issuer->x509, issuer_key));
    frt_service_approved();
out:
    ERR_clear_error();  /* X509_check_private_key leaves a benign entry on mismatch */
    return rv;
}

/* Certificates are objects of the library context: their signatures and keys are checked by
 * its fips provider, whatever the thread's default context is when they are used. */
X509 *frt_x509_read_pem(BIO *bio)
{
    X509 *x = X509_new_ex(frt_libctx(), FRT_PROPQ);
    if (x != NULL && PEM_read_bio_X509(bio, &x, NULL, NULL) == NULL) {
        X509_free(x);   /* NULL already if the decoder freed it */
        x = NULL;
    }
    return x;
}

X509 *frt_x509_read_der(const unsigned char **p, long len)
{
    X509 *x = X509_new_ex(frt_libctx(), FRT_PROPQ);
    if (x != NULL && d2i_X509(&x, p, len) == NULL) {
        X509_free(x);
        x = NULL;
    }
    return x;
}

FIPSRT_API int fipsrt_cert_import(fipsrt_cert **out, const uint8_t *data, size_t len)
{
    int rv = FIPSRT_OK;
    X509 *x = NULL;
    BIO *bio = NULL;
    frt_init();
    FRT_ARG(out != NULL);
    *out = NULL;
    FRT_ARG(data != NULL);
    FRT_ARG(len > 0 && len <= INT_MAX);
    if (frt_is_pem(data, len)) {
        FRT_OSSL_PTR(bio, BIO_new_mem_buf(data, (int)len), FIPSRT_E_NOMEM);
        FRT_OSSL_PTR(x, frt_x509_read_pem(bio), FIPSRT_E_MALFORMED);
    } else {
        const unsigned char *p = data;
        FRT_OSSL_PTR(x, frt_x509_read_der(&p, (long)len), FIPSRT_E_MALFORMED);
        FRT_CHECK(p == data + len, FIPSRT_E_MALFORMED, "%zu bytes after the DER certificate",
                  (size_t)(data + len - p));
    }
    FRT_TRY(frt_cert_wrap(out, x));
    x = NULL;
out:
    X509_free(x);
    BIO_free(bio);
    return rv;
}

/* Copy `len` bytes (+ NUL when `nul`) to out, or report the size needed. */
static int copy_out(const char *func, const void *src, size_t len, bool nul, uint8_t *out,
                    size_t cap, size_t *out_len)
{
    size_t need = len + (nul ? 1 : 0);
    if (cap < need || out == NULL) {
        if (out_len)
            *out_len = need;
        return frt_error(func, FIPSRT_E_BUFFER_TOO_SMALL, "needs %zu bytes, got %zu", need, cap);
    }
    if (len > 0)   /* an empty text may come as a NULL src (memcpy must not see it) */
        memcpy(out, src, len);
    if (nul)
        out[len] = '\0';
    if (out_len)
        *out_len = len;
    return FIPSRT_OK;
}

FIPSRT_API int fipsrt_cert_export(const fipsrt_cert *cert, fipsrt_cert_format format,
                                  uint8_t *out, size_t out_cap, size_t *out_len)
{
    int rv = FIPSRT_OK;
    BIO *bio = NULL;
    unsigned char *der = NULL;
    FRT_ARG(cert != NULL);
    FRT_ARG(out != NULL || out_cap == 0);
    if (format == FIPSRT_CERT_DER) {
        int n = i2d_X509(cert->x509, &der);
        FRT_CHECK(n > 0, FIPSRT_E_NOMEM, "i2d_X509 failed");
        FRT_TRY(copy_out(__func__, der, (size_t)n, false, out, out_cap, out_len));
    } else {
        FRT_ARG(format == FIPSRT_CERT_PEM);
        char *pem;
        FRT_OSSL_PTR(bio, BIO_new(BIO_s_mem()), FIPSRT_E_NOMEM);
        FRT_OSSL(PEM_write_bio_X509(bio, cert->x509), FIPSRT_E_NOMEM);
        long n = BIO_get_mem_data(bio, &pem);
        FRT_TRY(copy_out(__func__, pem, (size_t)n, true, out, out_cap, out_len));
    }
out:
    OPENSSL_free(der);
    BIO_free(bio);
    return rv;
}

FIPSRT_API int fipsrt_cert_subject(const fipsrt_cert *cert, char *out, size_t out_cap,
                                   size_t *out_len)
{
    int rv = FIPSRT_OK;
    BIO *bio = NULL;
    char *text;
    FRT_ARG(cert != NULL);
    FRT_ARG(out != NULL || out_cap == 0);
    FRT_OSSL_PTR(bio, BIO_new(BIO_s_mem()), FIPSRT_E_NOMEM);
    FRT_CHECK(X509_NAME_print_ex(bio, X509_get_subject_name(cert->x509), 0, XN_FLAG_RFC2253) >= 0,
              FIPSRT_E_NOMEM, "X509_NAME_print_ex failed");
    long n = BIO_get_mem_data(bio, &text);
    FRT_TRY(copy_out(__func__, text, (size_t)n, true, (uint8_t *)out, out_cap, out_len));
out:
    BIO_free(bio);
    return rv;
}

static int to_unix(const ASN1_TIME *t, int64_t *out)
{
    struct tm tm;
    if (!ASN1_TIME_to_tm(t, &tm))
        return -1;
    *out = (int64_t)timegm(&tm);
    return 0;
}

FIPSRT_API int fipsrt_cert_validity(const fipsrt_cert *cert, int64_t *not_before,
                                    int64_t *not_after)
{
    int rv = FIPSRT_OK;
    int64_t nb, na;
    FRT_ARG(cert != NULL);
    FRT_CHECK(to_unix(X509_get0_notBefore(cert->x509), &nb) == 0 &&
                  to_unix(X509_get0_notAfter(cert->x509), &na) == 0,
              FIPSRT_E_MALFORMED, "validity times do not decode");
    if (not_before)
        *not_before = nb;
    if (not_after)
        *not_after = na;
out:
    return rv;
}

FIPSRT_API void fipsrt_cert_free(fipsrt_cert *cert)
{
    if (cert == NULL)
        return;
    X509_free(cert->x509);
    free(cert);
}
