/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The FIPS TLS policy: the lists every context is given, and the checks OpenSSL does not
 * make on its own (certificate keys and signatures, Extended Master Secret on TLS 1.2).
 * The provider's fips=yes property is not the policy: OpenSSL 3.0's FIPS provider serves
 * X25519 and Ed25519, which these lists leave out.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <openssl/tls1.h>
#include <openssl/x509v3.h>

#include "tls_internal.h"

static const char versions[] = "TLSv1.2:TLSv1.3";
/* SP 800-52r2 3.3.1: AES-GCM suites with ECDHE only. */
static const char tls13_suites[] = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384";
static const char tls12_suites[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384";
/* SP 800-56A / SP 800-186: NIST curves; X25519 is not approved under the 3.0 module. */
static const char groups[] = "P-256:P-384:P-521";
/* FIPS 186-4 signatures with SHA-2; SHA-1 and MD5 never. */
static const char sigalgs[] =
    "ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512:"
    "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:"
    "rsa_pss_pss_sha256:rsa_pss_pss_sha384:rsa_pss_pss_sha512:"
    "RSA+SHA256:RSA+SHA384:RSA+SHA512";
static const char rules[] =
    "Extended Master Secret required on TLS 1.2; no renegotiation; no compression; "
    "certificates in both directions: RSA >= 2048 bits, EC on P-256/P-384/P-521, "
    "no SHA-1 or MD5 signatures; OpenSSL security level 2; "
    "TLS 1.3 resumption with (EC)DHE only (psk_dhe_ke), no 0-RTT early data; no kernel TLS; "
    "checked again after every handshake";

FIPSRT_API const char *fipsrt_tls_policy(fipsrt_tls_policy_item item)
{
    switch (item) {
    case FIPSRT_TLS_POLICY_VERSIONS: return versions;
    case FIPSRT_TLS_POLICY_TLS13_SUITES: return tls13_suites;
    case FIPSRT_TLS_POLICY_TLS12_SUITES: return tls12_suites;
    case FIPSRT_TLS_POLICY_GROUPS: return groups;
    case FIPSRT_TLS_POLICY_SIGALGS: return sigalgs;
    case FIPSRT_TLS_POLICY_RULES: return rules;
    }
    return NULL;
}

/* Per-SSL flag "the ServerHello carried extended_master_secret", held as ex_data so it works
 * for an SSL the program made itself from the escape-hatch SSL_CTX. */
static int ems_index = -1;
/* Per-SSL pointer to its fipsrt_tls_conn; the app data slot is the program's. */
static int conn_index = -1;
/* Made on first use, under the lock, and again after a failure (an allocation failure must
 * not disable TLS for the rest of the process, as a pthread_once would). */
static pthread_mutex_t ems_lock = PTHREAD_MUTEX_INITIALIZER;

/* In the global default context like every ex_data index and free of the library (see
 * lib/internal.h): made in another thread default, these indexes could equal ones the program
 * takes in the global context, and its ex_data and free callbacks would meet the library's
 * pointers on the same SSL. */
static void make_ems_index(void)
{
    OSSL_LIB_CTX *prev = frt_ex_data_enter();
    if (ems_index < 0)
        ems_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    if (conn_index < 0)
        conn_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    frt_ex_data_leave(prev);
}

struct fipsrt_tls_conn *frt_tls_conn_of(const SSL *ssl)
{
    return conn_index < 0 ? NULL : SSL_get_ex_data(ssl, conn_index);
}

int frt_tls_conn_attach(SSL *ssl, struct fipsrt_tls_conn *conn)
{
    return SSL_set_ex_data(ssl, conn_index, conn);
}

int frt_tls_apply_policy(SSL_CTX *ctx, fipsrt_tls_version min_version)
{
    int rv = FIPSRT_OK;
    pthread_mutex_lock(&ems_lock);
    if (ems_index < 0 || conn_index < 0)
        make_ems_index();
    bool made = ems_index >= 0 && conn_index >= 0;
    pthread_mutex_unlock(&ems_lock);
    FRT_CHECK(made, FIPSRT_E_NOMEM, "SSL_get_ex_new_index failed");
    FRT_OSSL(SSL_CTX_set_min_proto_version(
                 ctx, min_version == FIPSRT_TLS_1_3 ? TLS1_3_VERSION : TLS1_2_VERSION),
             FIPSRT_E_INTERNAL);
    FRT_OSSL(SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION), FIPSRT_E_INTERNAL);
    FRT_OSSL(SSL_CTX_set_ciphersuites(ctx, tls13_suites), FIPSRT_E_PROVIDER);
    FRT_OSSL(SSL_CTX_set_cipher_list(ctx, tls12_suites), FIPSRT_E_PROVIDER);
    FRT_OSSL(SSL_CTX_set1_groups_list(ctx, groups), FIPSRT_E_PROVIDER);
    FRT_OSSL(SSL_CTX_set1_sigalgs_list(ctx, sigalgs), FIPSRT_E_PROVIDER);
    /* Level 2 (112-bit): RSA/DH >= 2048 and no SHA-1 certificate signatures, chain-wide. */
    SSL_CTX_set_security_level(ctx, 2);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
                                 SSL_OP_CIPHER_SERVER_PREFERENCE);
    /* Whatever a system-wide OpenSSL configuration said: these stay off. */
    SSL_CTX_clear_options(ctx, SSL_OP_NO_EXTENDED_MASTER_SECRET | SSL_OP_LEGACY_SERVER_CONNECT |
                                   SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION |
                                   SSL_OP_ALLOW_CLIENT_RENEGOTIATION |
                                   SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_ENABLE_KTLS);
out:
    return rv;
}

/* SP 800-131A / SP 800-186: RSA >= 2048 bits, EC on P-256/P-384/P-521; NULL if allowed. */
static const char *key_refusal(EVP_PKEY *pk, char *buf, size_t cap);

const char *frt_tls_key_refusal(EVP_PKEY *pk, char *buf, size_t cap)
{
    return key_refusal(pk, buf, cap);
}

static const char *key_refusal(EVP_PKEY *pk, char *buf, size_t cap)
{
    if (pk == NULL)
        return "no usable public key";
    if (EVP_PKEY_is_a(pk, "RSA") || EVP_PKEY_is_a(pk, "RSA-PSS")) {
        int bits = EVP_PKEY_get_bits(pk);
        if (bits >= 2048)
            return NULL;
        snprintf(buf, cap, "RSA key of %d bits (SP 800-131A: at least 2048)", bits);
        return buf;
    }
    if (EVP_PKEY_is_a(pk, "EC")) {
        char name[64] = "";
        size_t len = 0;
        if (EVP_PKEY_get_group_name(pk, name, sizeof(name), &len)) {
            int nid = OBJ_sn2nid(name);
            if (nid == NID_undef)
                nid = EC_curve_nist2nid(name);
            if (nid == NID_X9_62_prime256v1 || nid == NID_secp384r1 || nid == NID_secp521r1)
                return NULL;
        }
        snprintf(buf, cap, "EC key on curve %s (only P-256, P-384, P-521)",
                 name[0] ? name : "(explicit parameters)");
        return buf;
    }
    const char *type = EVP_PKEY_get0_type_name(pk);
    snprintf(buf, cap, "%s key (only RSA and ECDSA on NIST curves)", type ? type : "unknown");
    return buf;
}

/* SP 800-131A: signatures by RSA or ECDSA with SHA-2 or SHA-3; never SHA-1 or MD5. */
static const char *sig_refusal(X509 *x, char *buf, size_t cap)
{
    int md = NID_undef, pk = NID_undef, secbits = 0;
    uint32_t flags = 0;
    if (!X509_get_signature_info(x, &md, &pk, &secbits, &flags)) {
        ERR_clear_error();
        return "unknown signature algorithm";
    }
    switch (md) {
    case NID_sha224: case NID_sha256: case NID_sha384: case NID_sha512:
    case NID_sha3_224: case NID_sha3_256: case NID_sha3_384: case NID_sha3_512:
        break;
    default:
        snprintf(buf, cap, "signed with %s (SP 800-131A: no SHA-1 or MD5 signatures)",
                 md == NID_undef ? "an unknown or intrinsic hash" : OBJ_nid2sn(md));
        return buf;
    }
    if (pk != EVP_PKEY_RSA && pk != EVP_PKEY_RSA_PSS && pk != EVP_PKEY_EC) {
        snprintf(buf, cap, "signature algorithm %s (only RSA and ECDSA)",
                 pk == NID_undef ? "unknown" : OBJ_nid2sn(pk));
        return buf;
    }
    return NULL;
}

/* The policy for one certificate of a chain; NULL if allowed. `anchor`: the self-signed top
 * of a longer chain, whose own signature nobody relies on. Sets *x509_err for the store. */
static const char *cert_refusal(X509 *x, bool leaf, bool anchor, char *buf, size_t cap,
                                int *x509_err)
{
    const char *why = key_refusal(X509_get0_pubkey(x), buf, cap);
    if (why != NULL) {
        EVP_PKEY *pk = X509_get0_pubkey(x);
        if (pk != NULL && EVP_PKEY_is_a(pk, "RSA"))
            *x509_err = leaf ? X509_V_ERR_EE_KEY_TOO_SMALL : X509_V_ERR_CA_KEY_TOO_SMALL;
        else
            *x509_err = X509_V_ERR_APPLICATION_VERIFICATION;
        return why;
    }
    ERR_clear_error();
    if (anchor)
        return NULL;
    why = sig_refusal(x, buf, cap);
    if (why != NULL)
        *x509_err = X509_V_ERR_CA_MD_TOO_WEAK;
    return why;
}

static bool self_signed(X509 *x)
{
    return (X509_get_extension_flags(x) & EXFLAG_SS) != 0;
}

static void subject_of(X509 *x, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (x != NULL)
        X509_NAME_oneline(X509_get_subject_name(x), buf, (int)cap);
}

int frt_tls_check_own(X509 *leaf, STACK_OF(X509) *chain, EVP_PKEY *key)
{
    int rv = FIPSRT_OK;
    char why_buf[160], subject[160];
    int ignored;
    const char *why = key_refusal(key, why_buf, sizeof(why_buf));
    FRT_CHECK(why == NULL, FIPSRT_E_NOT_APPROVED, "own private key: %s", why);
    int n = chain ? sk_X509_num(chain) : 0;
    for (int i = -1; i < n; i++) {
        X509 *x = i < 0 ? leaf : sk_X509_value(chain, i);
        bool anchor = i == n - 1 && n > 0 && self_signed(x);
        why = cert_refusal(x, i < 0, anchor, why_buf, sizeof(why_buf), &ignored);
        if (why != NULL)
            subject_of(x, subject, sizeof(subject));
        FRT_CHECK(why == NULL, FIPSRT_E_NOT_APPROVED, "own certificate %s: %s", subject, why);
    }
out:
    return rv;
}

void frt_tls_conn_note(struct fipsrt_tls_conn *conn, const char *fmt, ...)
{
    /* The first refusal is the one that explains the failure. */
    if (conn == NULL || conn->detail[0] != '\0')
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(conn->detail, sizeof(conn->detail), fmt, ap);
    va_end(ap);
}

/* Errors that are the policy, not trust: never waived by insecure_skip_verify. */
static bool policy_error(int err)
{
    return err == X509_V_ERR_EE_KEY_TOO_SMALL || err == X509_V_ERR_CA_KEY_TOO_SMALL ||
           err == X509_V_ERR_CA_MD_TOO_WEAK || err == X509_V_ERR_APPLICATION_VERIFICATION ||
           err == X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM;
}

static bool server_sent_ems(SSL *ssl)
{
    return SSL_get_ex_data(ssl, ems_index) != NULL;
}

int frt_tls_verify_cb(int ok, X509_STORE_CTX *store)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    if (ssl == NULL)
        return 0;
    fipsrt_tls_ctx *ctx = frt_tls_ctx_of(SSL_get_SSL_CTX(ssl));
    struct fipsrt_tls_conn *conn = frt_tls_conn_of(ssl);
    X509 *x = X509_STORE_CTX_get_current_cert(store);
    int depth = X509_STORE_CTX_get_error_depth(store);
    char why_buf[160], subject[160];
    const char *why = NULL;
    int x509_err = 0;

    if (x != NULL) {
        STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(store);
        int n = chain ? sk_X509_num(chain) : 0;
        bool anchor = n > 1 && depth == n - 1 && self_signed(x);
        why = cert_refusal(x, depth == 0, anchor, why_buf, sizeof(why_buf), &x509_err);
    }
    /* Revocation errors the configuration waives pass; the others get their reason noted. */
    if (!ok && ctx != NULL &&
        frt_tls_revocation_verify(ctx, conn, X509_STORE_CTX_get_error(store), depth))
        ok = 1;
    if (!ok) {
        int err = X509_STORE_CTX_get_error(store);
        if (ctx == NULL || !ctx->insecure || policy_error(err)) {
            subject_of(x, subject, sizeof(subject));
            frt_tls_conn_note(conn, "%s (depth %d, subject %s)%s%s",
                              X509_verify_cert_error_string(err), depth, subject,
                              why ? "; FIPS policy: " : "", why ? why : "");
            if (conn)
                conn->verify_failed = true;
            return 0;
        }
        /* insecure_skip_verify: a trust error is waived; the policy below still applies. */
    }
    if (why != NULL) {
        subject_of(x, subject, sizeof(subject));
        X509_STORE_CTX_set_error(store, x509_err);
        frt_tls_conn_note(conn, "FIPS policy: %s (depth %d, subject %s)", why, depth, subject);
        if (conn)
            conn->verify_failed = true;
        return 0;
    }
    /* FIPS 140-3 IG D.Q / RFC 7627: a TLS 1.2 server must have agreed to EMS. The server's
     * Certificate comes after its ServerHello, so this stops the handshake before Finished. */
    if (!SSL_is_server(ssl) && SSL_version(ssl) == TLS1_2_VERSION && !server_sent_ems(ssl)) {
        X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
        frt_tls_conn_note(conn, "FIPS policy: the TLS 1.2 server did not negotiate Extended "
                                "Master Secret (RFC 7627), which is required");
        if (conn)
            conn->policy_failed = true;
        return 0;
    }
    return 1;
}

/* Does a supported_versions list (1-byte length, then 2-byte versions) contain `v`? */
static bool offers_version(const unsigned char *p, size_t len, unsigned v)
{
    if (len < 1 || (size_t)p[0] + 1 > len)
        return false;
    for (size_t i = 1; i + 1 < (size_t)p[0] + 1; i += 2)
        if (((unsigned)p[i] << 8 | p[i + 1]) == v)
            return true;
    return false;
}

int frt_tls_client_hello_cb(SSL *ssl, int *alert, void *arg)
{
    const unsigned char *sv;
    size_t sv_len;
    if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_supported_versions, &sv, &sv_len)) {
        /* TLS 1.3 will be chosen, or no version we speak: OpenSSL refuses the latter. */
        if (offers_version(sv, sv_len, TLS1_3_VERSION) || !offers_version(sv, sv_len, TLS1_2_VERSION))
            return SSL_CLIENT_HELLO_SUCCESS;
    } else if (SSL_client_hello_get0_legacy_version(ssl) < TLS1_2_VERSION) {
        return SSL_CLIENT_HELLO_SUCCESS;
    }
    int *exts = NULL;
    size_t n = 0;
    if (!SSL_client_hello_get1_extensions_present(ssl, &exts, &n)) {
        *alert = SSL_AD_INTERNAL_ERROR;
        return SSL_CLIENT_HELLO_ERROR;
    }
    bool ems = false;
    for (size_t i = 0; i < n; i++)
        ems |= exts[i] == TLSEXT_TYPE_extended_master_secret;
    OPENSSL_free(exts);
    if (ems)
        return SSL_CLIENT_HELLO_SUCCESS;
    /* FIPS 140-3 IG D.Q / RFC 7627: the TLS 1.2 KDF needs the extended master secret. */
    struct fipsrt_tls_conn *conn = frt_tls_conn_of(ssl);
    frt_tls_conn_note(conn, "FIPS policy: the TLS 1.2 client did not offer Extended Master "
                            "Secret (RFC 7627), which is required");
    if (conn)
        conn->policy_failed = true;
    *alert = SSL_AD_HANDSHAKE_FAILURE;
    return SSL_CLIENT_HELLO_ERROR;
}

/* Does a ServerHello body list extended_master_secret? */
static bool server_hello_has_ems(const unsigned char *p, size_t n)
{
    size_t off = 2 + 32;                 /* legacy_version, random */
    if (n < off + 1)
        return false;
    off += 1 + (size_t)p[off];           /* session id */
    off += 2 + 1;                        /* cipher suite, compression */
    if (n < off + 2)
        return false;
    size_t end = off + 2 + ((size_t)p[off] << 8 | p[off + 1]);
    off += 2;
    if (end > n)
        return false;
    while (off + 4 <= end) {
        unsigned type = (unsigned)p[off] << 8 | p[off + 1];
        size_t len = (size_t)p[off + 2] << 8 | p[off + 3];
        if (type == TLSEXT_TYPE_extended_master_secret)
            return true;
        off += 4 + len;
    }
    return false;
}

void frt_tls_msg_cb(int write_p, int version, int content_type, const void *buf, size_t len,
                    SSL *ssl, void *arg)
{
    const unsigned char *p = buf;
    if (write_p || content_type != SSL3_RT_HANDSHAKE || len < 4 || p[0] != SSL3_MT_SERVER_HELLO)
        return;
    SSL_set_ex_data(ssl, ems_index, server_hello_has_ems(p + 4, len - 4) ? (void *)1 : NULL);
}

bool frt_tls_ems_ok(struct fipsrt_tls_conn *conn)
{
    /* The same rule, checked again once the handshake is done and before any data moves. */
    if (SSL_version(conn->ssl) != TLS1_2_VERSION || SSL_get_extms_support(conn->ssl) == 1)
        return true;
    frt_tls_conn_note(conn, "FIPS policy: TLS 1.2 without Extended Master Secret (RFC 7627) "
                            "is refused");
    conn->policy_failed = true;
    return false;
}

bool frt_tls_server_ems(SSL *ssl)
{
    return server_sent_ems(ssl);
}
