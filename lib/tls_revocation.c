/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Revocation of the peer's certificates. CRLs: loaded into the context's store, checked by
 * OpenSSL's verifier (CRL objects of the library context, so their signatures are checked in
 * the FIPS provider), the mode's waivers applied from the verify callback. OCSP stapling: a
 * server staples the responses it is given; a client verifies them here, step by step, with
 * every signature check named to the library context (OCSP_basic_verify would check with the
 * response's own, default, context).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "tls_internal.h"

#define OCSP_SKEW_S 300          /* clock difference tolerated on thisUpdate/nextUpdate */
#define OCSP_MAX_AGE_S 86400     /* a response without nextUpdate is good for a day */

struct frt_staple {
    unsigned char *der;
    size_t len;
};

struct frt_tls_revocation {
    fipsrt_tls_crl_mode crl_mode;
    bool allow_stale;
    fipsrt_tls_ocsp_mode ocsp_mode;
    pthread_mutex_t lock;            /* guards the staples */
    size_t nstaples;                 /* one per server leaf (lib/tls_certs.c order) */
    struct frt_staple *staples;
};

void frt_tls_revocation_free(struct frt_tls_revocation *rev)
{
    if (rev == NULL)
        return;
    for (size_t i = 0; i < rev->nstaples; i++)
        free(rev->staples[i].der);
    free(rev->staples);
    pthread_mutex_destroy(&rev->lock);
    free(rev);
}

/* SP 800-131A: CRLs and OCSP responses signed by RSA (PKCS#1 v1.5) or ECDSA with SHA-2. */
static const char *sigalg_refusal(const X509_ALGOR *alg, char *buf, size_t cap)
{
    const ASN1_OBJECT *obj = NULL;
    int md = NID_undef, pk = NID_undef;
    X509_ALGOR_get0(&obj, NULL, NULL, alg);
    if (!OBJ_find_sigid_algs(OBJ_obj2nid(obj), &md, &pk))
        return "an unknown signature algorithm";
    if (md != NID_sha224 && md != NID_sha256 && md != NID_sha384 && md != NID_sha512) {
        snprintf(buf, cap, "signed with %s (only SHA-224/256/384/512)",
                 md == NID_undef ? "an unknown hash" : OBJ_nid2sn(md));
        return buf;
    }
    if (pk != NID_rsaEncryption && pk != NID_X9_62_id_ecPublicKey) {
        snprintf(buf, cap, "signature algorithm %s (only ECDSA and RSA PKCS#1 v1.5)",
                 OBJ_nid2sn(pk));
        return buf;
    }
    return NULL;
}

/* ---- CRLs ----------------------------------------------------------------------------- */

static int add_crl(X509_STORE *store, const char *what, X509_CRL *crl)
{
    int rv = FIPSRT_OK;
    char buf[128], issuer[160] = "";
    const ASN1_BIT_STRING *sig = NULL;
    const X509_ALGOR *alg = NULL;
    X509_CRL_get0_signature(crl, &sig, &alg);
    const char *why = sigalg_refusal(alg, buf, sizeof(buf));
    if (why != NULL)
        X509_NAME_oneline(X509_CRL_get_issuer(crl), issuer, sizeof(issuer));
    FRT_CHECK(why == NULL, FIPSRT_E_NOT_APPROVED, "%s: the CRL of %s is %s", what, issuer, why);
    FRT_OSSL(X509_STORE_add_crl(store, crl), FIPSRT_E_NOMEM);
out:
    return rv;
}

/* CRLs from PEM (every "X509 CRL" block; other blocks are skipped) or one DER CRL. With
 * `lenient` (directory entries) data holding no CRL is skipped rather than refused. */
static int add_crls(X509_STORE *store, const char *what, const uint8_t *data, size_t len,
                    bool lenient)
{
    int rv = FIPSRT_OK;
    BIO *bio = NULL;
    X509_CRL *crl = NULL;
    int n = 0;
    FRT_CHECK(len > 0 && len <= INT_MAX, FIPSRT_E_INVALID_ARG, "%s: empty or too large", what);
    if (frt_is_pem(data, len)) {
        FRT_OSSL_PTR(bio, BIO_new_mem_buf(data, (int)len), FIPSRT_E_NOMEM);
        for (;;) {
            FRT_OSSL_PTR(crl, X509_CRL_new_ex(frt_libctx(), FRT_PROPQ), FIPSRT_E_NOMEM);
            if (PEM_read_bio_X509_CRL(bio, &crl, NULL, NULL) == NULL)
                break;
            FRT_TRY(add_crl(store, what, crl));
            X509_CRL_free(crl);
            crl = NULL;
            n++;
        }
        unsigned long e = ERR_peek_last_error();
        FRT_CHECK(ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE,
                  FIPSRT_E_MALFORMED, "%s: a CRL does not decode", what);
        ERR_clear_error();
    } else {
        const unsigned char *p = data;
        FRT_OSSL_PTR(crl, X509_CRL_new_ex(frt_libctx(), FRT_PROPQ), FIPSRT_E_NOMEM);
        if (d2i_X509_CRL(&crl, &p, (long)len) != NULL && p == data + len) {
            FRT_TRY(add_crl(store, what, crl));
            n++;
        } else {
            ERR_clear_error();
            FRT_CHECK(lenient, FIPSRT_E_MALFORMED, "%s: neither PEM nor one DER CRL", what);
        }
    }
    FRT_CHECK(n > 0 || lenient, FIPSRT_E_MALFORMED, "%s: no X509 CRL block", what);
out:
    X509_CRL_free(crl);
    BIO_free(bio);
    return rv;
}

static int add_crl_file(X509_STORE *store, const char *what, const char *path, bool lenient)
{
    int rv = FIPSRT_OK;
    uint8_t *data = NULL;
    size_t len = 0;
    char label[512];
    snprintf(label, sizeof(label), "%s %s", what, path);
    FRT_TRY(frt_tls_read_file(what, path, &data, &len));
    FRT_TRY(add_crls(store, label, data, len, lenient));
out:
    free(data);
    return rv;
}

static int add_crl_dir(X509_STORE *store, const char *dir)
{
    int rv = FIPSRT_OK;
    DIR *d = opendir(dir);
    struct dirent *e;
    FRT_CHECK(d != NULL, FIPSRT_E_INVALID_ARG, "crl_dir %s: %s", dir, strerror(errno));
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
            continue;
        FRT_TRY(add_crl_file(store, "crl_dir", path, true));
    }
out:
    if (d)
        closedir(d);
    return rv;
}

bool frt_tls_revocation_verify(fipsrt_tls_ctx *ctx, struct fipsrt_tls_conn *conn, int err,
                               int depth)
{
    struct frt_tls_revocation *rev = ctx->rev;
    const char *why;
    if (rev == NULL || rev->crl_mode == FIPSRT_TLS_CRL_OFF)
        return false;
    switch (err) {
    case X509_V_ERR_UNABLE_TO_GET_CRL:
        if (rev->crl_mode == FIPSRT_TLS_CRL_BEST_EFFORT)
            return true;
        why = "missing: no CRL from the certificate's issuer (crl_mode REQUIRE)";
        break;
    case X509_V_ERR_CRL_HAS_EXPIRED:
        if (rev->allow_stale)
            return true;
        why = "stale: the issuer's CRL is past its nextUpdate (crl_allow_stale is off)";
        break;
    case X509_V_ERR_CERT_REVOKED:
        why = "revoked: the certificate is on its issuer's CRL";
        break;
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
        why = "bad signature: the CRL's signature does not verify";
        break;
    case X509_V_ERR_CRL_NOT_YET_VALID:
        why = "the issuer's CRL is not yet valid (lastUpdate in the future)";
        break;
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
        why = "missing: the CRL's issuer is not known";
        break;
    case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
    case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
        why = "malformed: a CRL's update times do not decode";
        break;
    default:
        return false;
    }
    if (!ctx->insecure)
        frt_tls_conn_note(conn, "revocation (CRL): %s (depth %d)", why, depth);
    return false;
}

/* ---- OCSP ----------------------------------------------------------------------------- */

static const EVP_MD *certid_md(const ASN1_OBJECT *oid)
{
    switch (OBJ_obj2nid(oid)) {
    case NID_sha1: return frt_md(FRT_MD_SHA1);   /* identification only, not a signature */
    case NID_sha256: return frt_md(FRT_MD_SHA256);
    case NID_sha384: return frt_md(FRT_MD_SHA384);
    case NID_sha512: return frt_md(FRT_MD_SHA512);
    default: return NULL;
    }
}

static bool hash_equals(const EVP_MD *md, const unsigned char *data, size_t len,
                        const ASN1_OCTET_STRING *expect)
{
    unsigned char buf[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    if (!EVP_Digest(data, len, buf, &n, md, NULL)) {
        ERR_clear_error();
        return false;
    }
    return (int)n == ASN1_STRING_length(expect) && memcmp(buf, ASN1_STRING_get0_data(expect), n) == 0;
}

/* RFC 6960 4.1.1: is the CertID about `leaf`? Serial and issuer name always; the issuer's
 * key hash when the issuer is known. */
static bool certid_matches(const OCSP_CERTID *cid, X509 *leaf, X509 *issuer)
{
    ASN1_OCTET_STRING *name_hash = NULL, *key_hash = NULL;
    ASN1_OBJECT *md_oid = NULL;
    ASN1_INTEGER *serial = NULL;
    unsigned char *der = NULL;
    if (!OCSP_id_get0_info(&name_hash, &md_oid, &key_hash, &serial, (OCSP_CERTID *)cid) ||
        ASN1_INTEGER_cmp(serial, X509_get0_serialNumber(leaf)) != 0)
        return false;
    const EVP_MD *md = certid_md(md_oid);
    int len = md ? i2d_X509_NAME(X509_get_issuer_name(leaf), &der) : -1;
    bool ok = len > 0 && hash_equals(md, der, (size_t)len, name_hash);
    OPENSSL_free(der);
    if (ok && issuer != NULL) {
        const ASN1_BIT_STRING *key = X509_get0_pubkey_bitstr(issuer);
        ok = key != NULL && hash_equals(md, ASN1_STRING_get0_data(key),
                                        (size_t)ASN1_STRING_length(key), key_hash);
    }
    return ok;
}

static bool must_staple(X509 *leaf)
{
    bool must = false;
    TLS_FEATURE *f = X509_get_ext_d2i(leaf, NID_tlsfeature, NULL, NULL);
    for (int i = 0; f != NULL && i < sk_ASN1_INTEGER_num(f); i++)
        must |= ASN1_INTEGER_get(sk_ASN1_INTEGER_value(f, i)) == TLSEXT_TYPE_status_request;
    TLS_FEATURE_free(f);
    return must;
}

/* RFC 6960 4.2.1 ResponderID: the certificate among `certs` with that subject name or whose
 * key's SHA-1 hash it is (hashed here, in the library context: OCSP_resp_get0_signer hashes
 * with the default one). */
static X509 *find_signer(OCSP_BASICRESP *bs, const STACK_OF(X509) *certs)
{
    const ASN1_OCTET_STRING *key_hash = NULL;
    const X509_NAME *name = NULL;
    if (!OCSP_resp_get0_id(bs, &key_hash, &name))
        return NULL;
    for (int i = 0; certs != NULL && i < sk_X509_num(certs); i++) {
        X509 *x = sk_X509_value(certs, i);
        if (name != NULL && X509_NAME_cmp(name, X509_get_subject_name(x)) == 0)
            return x;
        const ASN1_BIT_STRING *key = X509_get0_pubkey_bitstr(x);
        if (key_hash != NULL && key != NULL &&
            hash_equals(frt_md(FRT_MD_SHA1), ASN1_STRING_get0_data(key),
                        (size_t)ASN1_STRING_length(key), key_hash))
            return x;
    }
    return NULL;
}

/* The same subject name and public key (SubjectPublicKeyInfo): the issuer itself, whether
 * the very certificate of the verified chain or a re-issued copy of it. */
static bool same_name_and_key(X509 *a, X509 *b)
{
    unsigned char *da = NULL, *db = NULL;
    if (X509_NAME_cmp(X509_get_subject_name(a), X509_get_subject_name(b)) != 0)
        return false;
    int la = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(a), &da);
    int lb = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(b), &db);
    bool same = la > 0 && la == lb && memcmp(da, db, (size_t)la) == 0;
    OPENSSL_free(da);
    OPENSSL_free(db);
    return same;
}

/* RFC 6960 4.2.2.2: the responder is the issuer itself (its name and key: the issuer's key
 * from the verified chain then verifies the response), or a certificate the issuer signed
 * directly for id-kp-OCSPSigning. A delegated certificate is checked as a copy parsed in
 * the library context (*signer_own), whose key then verifies the response. */
static const char *authorize_signer(X509 *signer, X509 *issuer, X509 **signer_own, char *buf,
                                    size_t cap)
{
    if (same_name_and_key(signer, issuer))
        return NULL;
    unsigned char *der = NULL;
    int len = i2d_X509(signer, &der);
    const unsigned char *p = der;
    X509 *own = len > 0 ? frt_x509_read_der(&p, len) : NULL;
    OPENSSL_free(der);
    *signer_own = own;
    if (own == NULL || X509_check_issued(issuer, own) != X509_V_OK ||
        X509_verify(own, X509_get0_pubkey(issuer)) != 1)
        return "bad signature: the responder is neither the certificate's issuer nor a "
               "responder it certified";
    if (!(X509_get_extension_flags(own) & EXFLAG_XKUSAGE) ||
        !(X509_get_extended_key_usage(own) & XKU_OCSP_SIGN))
        return "bad signature: the responder's certificate lacks id-kp-OCSPSigning";
    if (X509_cmp_current_time(X509_get0_notBefore(own)) >= 0 ||
        X509_cmp_current_time(X509_get0_notAfter(own)) <= 0)
        return "bad signature: the responder's certificate is expired or not yet valid";
    const char *why = sigalg_refusal(X509_get0_tbs_sigalg(own), buf, cap);
    if (why != NULL) {
        char tmp[160];
        snprintf(tmp, sizeof(tmp), "%s", why);
        snprintf(buf, cap, "bad signature: the responder's certificate is %s", tmp);
        return buf;
    }
    return NULL;
}

/* Verify a stapled response for `leaf`; NULL if it says "good", else the reason. */
static const char *check_response(const unsigned char *der, long len, X509 *leaf, X509 *issuer,
                                  STACK_OF(X509) *extra, char *buf, size_t cap)
{
    const char *why = NULL;
    const unsigned char *p = der;
    OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, len);
    OCSP_BASICRESP *bs = NULL;
    X509 *signer = NULL, *signer_own = NULL;
    char tmp[128];
    if (resp == NULL || p != der + len) {
        why = "malformed: not a DER OCSPResponse";
        goto out;
    }
    int st = OCSP_response_status(resp);
    if (st != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        snprintf(buf, cap, "malformed: the responder answered %s", OCSP_response_status_str(st));
        why = buf;
        goto out;
    }
    if ((bs = OCSP_response_get1_basic(resp)) == NULL) {
        why = "malformed: not a basic OCSP response";
        goto out;
    }
    if ((why = sigalg_refusal(OCSP_resp_get0_tbs_sigalg(bs), tmp, sizeof(tmp))) != NULL) {
        snprintf(buf, cap, "bad signature: the response is %s", why);
        why = buf;
        goto out;
    }
    if (issuer == NULL) {
        why = "unknown: the certificate's issuer is not known, so the response cannot be checked";
        goto out;
    }
    if ((signer = find_signer(bs, OCSP_resp_get0_certs(bs))) == NULL &&
        (signer = find_signer(bs, extra)) == NULL) {
        why = "bad signature: the responder's certificate is not in the response";
        goto out;
    }
    if ((why = authorize_signer(signer, issuer, &signer_own, buf, cap)) != NULL)
        goto out;
    /* The signature, in the FIPS provider through the library context, with a key decoded
     * there: the issuer from the verified chain, or the delegated responder's copy. */
    if (ASN1_item_verify_ex(ASN1_ITEM_rptr(OCSP_RESPDATA), OCSP_resp_get0_tbs_sigalg(bs),
                            OCSP_resp_get0_signature(bs), OCSP_resp_get0_respdata(bs), NULL,
                            X509_get0_pubkey(signer_own ? signer_own : issuer), frt_libctx(),
                            FRT_PROPQ) != 1) {
        why = "bad signature: the response's signature does not verify";
        goto out;
    }
    OCSP_SINGLERESP *single = NULL;
    for (int i = 0; i < OCSP_resp_count(bs) && single == NULL; i++)
        if (certid_matches(OCSP_SINGLERESP_get0_id(OCSP_resp_get0(bs, i)), leaf, issuer))
            single = OCSP_resp_get0(bs, i);
    if (single == NULL) {
        why = "unknown: the response is not about the server's certificate";
        goto out;
    }
    int reason = -1;
    ASN1_GENERALIZEDTIME *revoked_at = NULL, *this_upd = NULL, *next_upd = NULL;
    int status = OCSP_single_get0_status(single, &reason, &revoked_at, &this_upd, &next_upd);
    if (status == V_OCSP_CERTSTATUS_REVOKED) {
        snprintf(buf, cap, "revoked (reason: %s)",
                 reason >= 0 ? OCSP_crl_reason_str(reason) : "unspecified");
        why = buf;
        goto out;
    }
    if (status != V_OCSP_CERTSTATUS_GOOD) {
        why = "unknown: the responder does not know the certificate";
        goto out;
    }
    if (!OCSP_check_validity(this_upd, next_upd, OCSP_SKEW_S, next_upd ? -1 : OCSP_MAX_AGE_S)) {
        why = next_upd != NULL && X509_cmp_current_time(next_upd) < 0
                  ? "expired: the response is past its nextUpdate"
                  : "expired: the response's thisUpdate is in the future or too old";
        goto out;
    }
out:
    X509_free(signer_own);
    OCSP_BASICRESP_free(bs);
    OCSP_RESPONSE_free(resp);
    return why;
}

/* Client: after the server's certificate (and its stapled response, if any) arrived. */
static int client_status_cb(SSL *ssl, void *arg)
{
    fipsrt_tls_ctx *ctx = arg;
    struct fipsrt_tls_conn *conn = frt_tls_conn_of(ssl);
    const unsigned char *resp = NULL;
    char buf[256];
    const char *why = NULL;
    /* A resumed session was checked when it was made; servers staple on full handshakes. */
    if (SSL_session_reused(ssl))
        return 1;
    X509 *leaf = SSL_get0_peer_certificate(ssl);
    if (leaf == NULL)
        return 1;
    ERR_set_mark();
    long len = SSL_get_tlsext_status_ocsp_resp(ssl, &resp);
    if (resp == NULL || len <= 0) {
        if (ctx->rev->ocsp_mode == FIPSRT_TLS_OCSP_REQUIRE)
            why = "missing: the server stapled no OCSP response (ocsp_mode REQUIRE)";
        else if (must_staple(leaf))
            why = "missing: the server stapled no OCSP response and its certificate "
                  "requires one (TLS feature status_request, RFC 7633)";
    } else {
        STACK_OF(X509) *chain = SSL_get0_verified_chain(ssl);
        if (chain == NULL || sk_X509_num(chain) < 2)
            chain = SSL_get_peer_cert_chain(ssl);
        X509 *issuer = chain && sk_X509_num(chain) > 1 ? sk_X509_value(chain, 1) : NULL;
        why = check_response(resp, len, leaf, issuer, chain, buf, sizeof(buf));
    }
    ERR_pop_to_mark();
    if (why == NULL) {
        if (conn != NULL && resp != NULL && len > 0)
            conn->ocsp_good = true;
        return 1;
    }
    frt_tls_conn_note(conn, "revocation (OCSP): %s", why);
    if (conn != NULL)
        conn->verify_failed = true;
    return 0;
}

/* Server: staple the response for the certificate OpenSSL chose, if we have one. */
static int server_status_cb(SSL *ssl, void *arg)
{
    fipsrt_tls_ctx *ctx = arg;
    struct frt_tls_revocation *rev = ctx->rev;
    X509 *leaf = SSL_get_certificate(ssl);
    unsigned char *copy = NULL;
    size_t len = 0;
    pthread_mutex_lock(&rev->lock);
    for (size_t i = 0; i < rev->nstaples && leaf != NULL; i++) {
        if (rev->staples[i].der != NULL && X509_cmp(frt_tls_certs_leaf(ctx->certs, i), leaf) == 0) {
            copy = OPENSSL_memdup(rev->staples[i].der, rev->staples[i].len);
            len = rev->staples[i].len;
            break;
        }
    }
    pthread_mutex_unlock(&rev->lock);
    if (copy == NULL)
        return SSL_TLSEXT_ERR_NOACK;
    if (!SSL_set_tlsext_status_ocsp_resp(ssl, copy, (long)len)) {
        OPENSSL_free(copy);
        ERR_clear_error();
        return SSL_TLSEXT_ERR_NOACK;
    }
    return SSL_TLSEXT_ERR_OK;
}

FIPSRT_API int fipsrt_tls_ctx_set_ocsp_response(fipsrt_tls_ctx *ctx, const uint8_t *der,
                                                size_t len)
{
    int rv = FIPSRT_OK;
    OCSP_RESPONSE *resp = NULL;
    OCSP_BASICRESP *bs = NULL;
    unsigned char *copy = NULL;
    frt_init();
    ERR_set_mark();
    FRT_ARG(ctx != NULL);
    FRT_CHECK(ctx->role == FIPSRT_TLS_SERVER, FIPSRT_E_INVALID_ARG,
              "OCSP stapling is done by servers");
    struct frt_tls_revocation *rev = ctx->rev;
    if (der == NULL && len == 0) {
        pthread_mutex_lock(&rev->lock);
        for (size_t i = 0; i < rev->nstaples; i++) {
            free(rev->staples[i].der);
            rev->staples[i].der = NULL;
        }
        pthread_mutex_unlock(&rev->lock);
        goto out;
    }
    FRT_ARG(der != NULL && len > 0 && len <= LONG_MAX);
    const unsigned char *p = der;
    FRT_OSSL_PTR(resp, d2i_OCSP_RESPONSE(NULL, &p, (long)len), FIPSRT_E_MALFORMED);
    FRT_CHECK(p == der + len, FIPSRT_E_MALFORMED, "bytes after the DER OCSPResponse");
    int st = OCSP_response_status(resp);
    FRT_CHECK(st == OCSP_RESPONSE_STATUS_SUCCESSFUL, FIPSRT_E_INVALID_ARG,
              "the OCSP response's status is %s, not successful", OCSP_response_status_str(st));
    FRT_OSSL_PTR(bs, OCSP_response_get1_basic(resp), FIPSRT_E_MALFORMED);
    size_t k = rev->nstaples;
    for (size_t i = 0; i < rev->nstaples && k == rev->nstaples; i++)
        for (int j = 0; j < OCSP_resp_count(bs); j++)
            if (certid_matches(OCSP_SINGLERESP_get0_id(OCSP_resp_get0(bs, j)),
                               frt_tls_certs_leaf(ctx->certs, i), NULL))
                k = i;
    FRT_CHECK(k < rev->nstaples, FIPSRT_E_INVALID_ARG,
              "the OCSP response is about none of the context's certificates");
    copy = malloc(len);
    FRT_CHECK(copy != NULL, FIPSRT_E_NOMEM, "out of memory");
    memcpy(copy, der, len);
    pthread_mutex_lock(&rev->lock);
    free(rev->staples[k].der);
    rev->staples[k].der = copy;
    rev->staples[k].len = len;
    pthread_mutex_unlock(&rev->lock);
    copy = NULL;
out:
    free(copy);
    OCSP_BASICRESP_free(bs);
    OCSP_RESPONSE_free(resp);
    ERR_pop_to_mark();
    return rv;
}

FIPSRT_API int fipsrt_tls_ctx_set_ocsp_response_file(fipsrt_tls_ctx *ctx, const char *path)
{
    int rv = FIPSRT_OK;
    uint8_t *data = NULL;
    size_t len = 0;
    frt_init();
    FRT_ARG(ctx != NULL);
    FRT_ARG(path != NULL);
    FRT_TRY(frt_tls_read_file("OCSP response", path, &data, &len));
    rv = fipsrt_tls_ctx_set_ocsp_response(ctx, data, len);
out:
    free(data);
    return rv;
}

FIPSRT_API int fipsrt_tls_conn_ocsp_stapled(const fipsrt_tls_conn *conn)
{
    return conn != NULL && conn->ocsp_good &&
           (conn->state == FRT_CONN_OPEN || conn->state == FRT_CONN_CLOSED);
}

/* ---- setup ---------------------------------------------------------------------------- */

int frt_tls_revocation_setup(fipsrt_tls_ctx *ctx, const fipsrt_tls_config *cfg)
{
    int rv = FIPSRT_OK;
    struct frt_tls_revocation *rev = NULL;
    X509_STORE *store = SSL_CTX_get_cert_store(ctx->ssl_ctx);
    bool any_crl = cfg->crl_file || cfg->crl_dir || cfg->crl_data;
    FRT_CHECK(cfg->crl_mode >= FIPSRT_TLS_CRL_OFF && cfg->crl_mode <= FIPSRT_TLS_CRL_REQUIRE,
              FIPSRT_E_INVALID_ARG, "unknown crl_mode %d", (int)cfg->crl_mode);
    FRT_CHECK(cfg->ocsp_mode >= FIPSRT_TLS_OCSP_IGNORE && cfg->ocsp_mode <= FIPSRT_TLS_OCSP_REQUIRE,
              FIPSRT_E_INVALID_ARG, "unknown ocsp_mode %d", (int)cfg->ocsp_mode);
    FRT_CHECK(cfg->ocsp_mode == FIPSRT_TLS_OCSP_IGNORE || ctx->role == FIPSRT_TLS_CLIENT,
              FIPSRT_E_INVALID_ARG,
              "ocsp_mode is a client setting (servers staple: fipsrt_tls_ctx_set_ocsp_response)");
    FRT_CHECK(cfg->crl_mode != FIPSRT_TLS_CRL_OFF || (!any_crl && !cfg->crl_allow_stale),
              FIPSRT_E_INVALID_ARG, "CRLs given but crl_mode is FIPSRT_TLS_CRL_OFF");
    FRT_CHECK(cfg->crl_mode != FIPSRT_TLS_CRL_REQUIRE || any_crl, FIPSRT_E_INVALID_ARG,
              "crl_mode FIPSRT_TLS_CRL_REQUIRE needs CRLs (crl_file, crl_dir or crl_data)");
    FRT_ARG(cfg->crl_data == NULL || cfg->crl_len > 0);

    rev = calloc(1, sizeof(*rev));
    FRT_CHECK(rev != NULL, FIPSRT_E_NOMEM, "out of memory");
    FRT_CHECK(pthread_mutex_init(&rev->lock, NULL) == 0, FIPSRT_E_NOMEM, "pthread_mutex_init failed");
    rev->crl_mode = cfg->crl_mode;
    rev->allow_stale = cfg->crl_allow_stale != 0;
    rev->ocsp_mode = cfg->ocsp_mode;
    ctx->rev = rev;

    if (cfg->crl_file != NULL)
        FRT_TRY(add_crl_file(store, "crl_file", cfg->crl_file, false));
    if (cfg->crl_dir != NULL)
        FRT_TRY(add_crl_dir(store, cfg->crl_dir));
    if (cfg->crl_data != NULL)
        FRT_TRY(add_crls(store, "crl_data", cfg->crl_data, cfg->crl_len, false));
    if (rev->crl_mode != FIPSRT_TLS_CRL_OFF)
        FRT_OSSL(X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(ctx->ssl_ctx),
                                             X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL),
                 FIPSRT_E_INTERNAL);

    if (ctx->role == FIPSRT_TLS_CLIENT && rev->ocsp_mode != FIPSRT_TLS_OCSP_IGNORE) {
        FRT_OSSL(SSL_CTX_set_tlsext_status_type(ctx->ssl_ctx, TLSEXT_STATUSTYPE_ocsp),
                 FIPSRT_E_INTERNAL);
        FRT_OSSL(SSL_CTX_set_tlsext_status_cb(ctx->ssl_ctx, client_status_cb), FIPSRT_E_INTERNAL);
        FRT_OSSL(SSL_CTX_set_tlsext_status_arg(ctx->ssl_ctx, ctx), FIPSRT_E_INTERNAL);
    } else if (ctx->role == FIPSRT_TLS_SERVER) {
        size_t n = frt_tls_certs_count(ctx->certs);
        rev->staples = calloc(n ? n : 1, sizeof(*rev->staples));
        FRT_CHECK(rev->staples != NULL, FIPSRT_E_NOMEM, "out of memory");
        rev->nstaples = n;   /* only now: frt_tls_revocation_free() walks the staples */
        FRT_OSSL(SSL_CTX_set_tlsext_status_cb(ctx->ssl_ctx, server_status_cb), FIPSRT_E_INTERNAL);
        FRT_OSSL(SSL_CTX_set_tlsext_status_arg(ctx->ssl_ctx, ctx), FIPSRT_E_INTERNAL);
    }
out:
    return rv;
}
