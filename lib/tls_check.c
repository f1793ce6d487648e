/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The policy per connection, whatever the program does to the SSL_CTX or SSL it was handed
 * through the escape hatches (issue 9 §2). Three lines, from the inside out:
 *
 * 1. OpenSSL's security callback (set on the SSL_CTX, inherited by every SSL made from it,
 *    and set again on each of the library's own SSLs) refuses every version, suite, group,
 *    signature scheme and certificate key outside the policy while OpenSSL negotiates, so a
 *    widened list on the SSL_CTX or SSL changes nothing and a peer that insists gets a
 *    fatal alert from OpenSSL itself.
 * 2. Each of the library's connections sets the whole policy again on its own SSL when it
 *    is made (lists, versions, options, verification, callbacks): what the program did to
 *    the shared SSL_CTX does not reach it.
 * 3. After every handshake the negotiated version, suite, group, signature schemes (both
 *    directions), Extended Master Secret and the peer's key are checked again. The
 *    library's connections fail with FIPSRT_E_TLS and send a fatal alert; an SSL the
 *    program made itself is checked by the info callback the library sets on the SSL_CTX.
 *
 * The library's state is owned by the SSL_CTX (ex_data with a free callback), so any SSL
 * that keeps the SSL_CTX alive keeps the state its callbacks read alive too.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tls_internal.h"

static int ctx_index = -1;
/* Made on first use, under the lock, and again after a failure (an allocation failure must
 * not disable TLS contexts for the rest of the process, as a pthread_once would). */
static pthread_mutex_t index_lock = PTHREAD_MUTEX_INITIALIZER;
/* OpenSSL's own security callback (the security level), which ours runs after its checks. */
typedef int sec_cb_fn(const SSL *, const SSL_CTX *, int, int, int, void *, void *);
static _Atomic(sec_cb_fn *) level_cb;

/* The SSL_CTX owns the library's context state: freed with the SSL_CTX's last reference. */
static void ctx_ex_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
                        void *argp)
{
    (void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
    if (ptr != NULL)
        frt_tls_ctx_release(ptr);
}

static void make_index(void)
{
    OSSL_LIB_CTX *prev = frt_ex_data_enter();   /* see lib/internal.h */
    ctx_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, ctx_ex_free);
    frt_ex_data_leave(prev);
}

int frt_tls_ctx_attach(SSL_CTX *sctx, fipsrt_tls_ctx *ctx)
{
    pthread_mutex_lock(&index_lock);
    if (ctx_index < 0)
        make_index();
    int idx = ctx_index;
    pthread_mutex_unlock(&index_lock);
    return idx >= 0 && SSL_CTX_set_ex_data(sctx, idx, ctx) == 1;
}

fipsrt_tls_ctx *frt_tls_ctx_of(const SSL_CTX *sctx)
{
    return ctx_index < 0 || sctx == NULL ? NULL : SSL_CTX_get_ex_data(sctx, ctx_index);
}

/* ---- the policy as predicates ----------------------------------------------------------- */

static bool suite_ok(const SSL_CIPHER *c)
{
    switch (c ? SSL_CIPHER_get_protocol_id(c) : 0) {
    case 0x1301: case 0x1302:                  /* TLS_AES_128/256_GCM_SHA256/384 */
    case 0xC02B: case 0xC02C:                  /* ECDHE-ECDSA-AES128/256-GCM */
    case 0xC02F: case 0xC030:                  /* ECDHE-RSA-AES128/256-GCM */
        return true;
    default:
        return false;
    }
}

static bool group_nid_ok(int nid)
{
    return nid == NID_X9_62_prime256v1 || nid == NID_secp384r1 || nid == NID_secp521r1;
}

/* RFC 8446 SignatureScheme code points of the policy's signature schemes. */
static bool sigalg_ok(unsigned v)
{
    switch (v) {
    case 0x0403: case 0x0503: case 0x0603:     /* ecdsa_*_sha256/384/512 */
    case 0x0804: case 0x0805: case 0x0806:     /* rsa_pss_rsae_sha256/384/512 */
    case 0x0809: case 0x080a: case 0x080b:     /* rsa_pss_pss_sha256/384/512 */
    case 0x0401: case 0x0501: case 0x0601:     /* rsa_pkcs1_sha256/384/512 */
        return true;
    default:
        return false;
    }
}

static bool md_ok(int md)
{
    switch (md) {
    case NID_sha224: case NID_sha256: case NID_sha384: case NID_sha512:
    case NID_sha3_224: case NID_sha3_256: case NID_sha3_384: case NID_sha3_512:
        return true;
    default:
        return false;
    }
}

static bool version_ok(int v)
{
    return v == TLS1_2_VERSION || v == TLS1_3_VERSION;
}

int frt_tls_security_cb(const SSL *s, const SSL_CTX *ctx, int op, int bits, int nid,
                        void *other, void *ex)
{
    const unsigned char *code = other;
    char buf[160];
    switch (op & SSL_SECOP_OTHER_TYPE) {
    case SSL_SECOP_OTHER_CIPHER:
        if (!suite_ok(other))
            return 0;
        break;
    case SSL_SECOP_OTHER_CURVE:
        /* `other` is the group's 2-byte code point: 23, 24, 25 are P-256, P-384, P-521. */
        if (code != NULL ? !(code[0] == 0 && code[1] >= 23 && code[1] <= 25) : !group_nid_ok(nid))
            return 0;
        break;
    case SSL_SECOP_OTHER_DH:   /* no finite-field DH at all */
    case SSL_SECOP_OTHER_PKEY:
        return 0;
    case SSL_SECOP_OTHER_SIGALG:
        if (code == NULL || !sigalg_ok((unsigned)code[0] << 8 | code[1]))
            return 0;
        break;
    case SSL_SECOP_OTHER_CERT:
        if ((op & ~SSL_SECOP_PEER) == SSL_SECOP_CA_MD) {
            if (!md_ok(nid))
                return 0;
        } else if (other != NULL && frt_tls_key_refusal(X509_get0_pubkey(other), buf,
                                                        sizeof(buf)) != NULL) {
            return 0;
        }
        ERR_clear_error();
        break;
    default:
        if (op == SSL_SECOP_VERSION && !version_ok(nid))
            return 0;
        if (op == SSL_SECOP_COMPRESSION)
            return 0;
        break;
    }
    sec_cb_fn *level = atomic_load(&level_cb);
    return level == NULL || level(s, ctx, op, bits, nid, other, ex);
}

/* ---- setting it, on the SSL_CTX and again on each SSL ----------------------------------- */

/* Options that stay off whatever a configuration file or the program set: kTLS would move
 * record encryption into the kernel, outside the FIPS module; PSK without (EC)DHE. */
#define FORBIDDEN_OPTIONS                                                                    \
    (SSL_OP_NO_EXTENDED_MASTER_SECRET | SSL_OP_LEGACY_SERVER_CONNECT |                       \
     SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION | SSL_OP_ALLOW_CLIENT_RENEGOTIATION |          \
     SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_ENABLE_KTLS | SSL_OP_ALLOW_NO_DHE_KEX)
#define REQUIRED_OPTIONS (SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION)

int frt_tls_guard_ctx(fipsrt_tls_ctx *ctx)
{
    int rv = FIPSRT_OK;
    SSL_CTX *sctx = ctx->ssl_ctx;
    sec_cb_fn *level = SSL_CTX_get_security_callback(sctx);
    if (level != frt_tls_security_cb)
        atomic_store(&level_cb, level);
    SSL_CTX_set_security_callback(sctx, frt_tls_security_cb);
    SSL_CTX_set_info_callback(sctx, frt_tls_info_cb);
    FRT_OSSL(SSL_CTX_set_min_proto_version(sctx, ctx->min_proto), FIPSRT_E_INTERNAL);
    FRT_OSSL(SSL_CTX_set_max_proto_version(sctx, ctx->max_proto), FIPSRT_E_INTERNAL);
    SSL_CTX_clear_options(sctx, FORBIDDEN_OPTIONS);
    /* RFC 8446 2.3: no 0-RTT (early data has no forward secrecy and can be replayed). */
    FRT_OSSL(SSL_CTX_set_max_early_data(sctx, 0), FIPSRT_E_INTERNAL);
    FRT_OSSL(SSL_CTX_set_recv_max_early_data(sctx, 0), FIPSRT_E_INTERNAL);
out:
    return rv;
}

int frt_tls_guard_ssl(SSL *ssl, const fipsrt_tls_ctx *ctx)
{
    int rv = FIPSRT_OK;
    /* Versions: a narrower range set on the SSL_CTX is kept, never a wider one (0: any). */
    int min = SSL_get_min_proto_version(ssl), max = SSL_get_max_proto_version(ssl);
    min = min < ctx->min_proto || min > ctx->max_proto ? ctx->min_proto : min;
    max = max == 0 || max > ctx->max_proto || max < min ? ctx->max_proto : max;
    FRT_OSSL(SSL_set_min_proto_version(ssl, min), FIPSRT_E_INTERNAL);
    FRT_OSSL(SSL_set_max_proto_version(ssl, max), FIPSRT_E_INTERNAL);
    /* Rebuilding the cipher lists costs more than the rest together: only when a suite
     * outside the policy was put on the SSL_CTX (a narrower list inside it is kept; the
     * security callback refuses the rest anyway). */
    STACK_OF(SSL_CIPHER) *suites = SSL_get_ciphers(ssl);
    bool widened = suites == NULL;
    for (int i = 0; !widened && i < sk_SSL_CIPHER_num(suites); i++)
        widened = !suite_ok(sk_SSL_CIPHER_value(suites, i));
    if (widened) {
        FRT_OSSL(SSL_set_ciphersuites(ssl, fipsrt_tls_policy(FIPSRT_TLS_POLICY_TLS13_SUITES)),
                 FIPSRT_E_PROVIDER);
        FRT_OSSL(SSL_set_cipher_list(ssl, fipsrt_tls_policy(FIPSRT_TLS_POLICY_TLS12_SUITES)),
                 FIPSRT_E_PROVIDER);
    }
    FRT_OSSL(SSL_set1_groups_list(ssl, fipsrt_tls_policy(FIPSRT_TLS_POLICY_GROUPS)),
             FIPSRT_E_PROVIDER);
    FRT_OSSL(SSL_set1_sigalgs_list(ssl, fipsrt_tls_policy(FIPSRT_TLS_POLICY_SIGALGS)),
             FIPSRT_E_PROVIDER);
    FRT_OSSL(SSL_set1_client_sigalgs_list(ssl, fipsrt_tls_policy(FIPSRT_TLS_POLICY_SIGALGS)),
             FIPSRT_E_PROVIDER);
    SSL_set_security_level(ssl, 2);
    SSL_set_security_callback(ssl, frt_tls_security_cb);
    SSL_set_options(ssl, REQUIRED_OPTIONS | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_clear_options(ssl, FORBIDDEN_OPTIONS);
    if (ctx->tickets)
        SSL_clear_options(ssl, SSL_OP_NO_TICKET);
    else
        SSL_set_options(ssl, SSL_OP_NO_TICKET);
    FRT_OSSL(SSL_set_max_early_data(ssl, 0), FIPSRT_E_INTERNAL);
    FRT_OSSL(SSL_set_recv_max_early_data(ssl, 0), FIPSRT_E_INTERNAL);
    SSL_set_verify(ssl, ctx->verify_mode, frt_tls_verify_cb);
    if (ctx->role == FIPSRT_TLS_CLIENT)
        SSL_set_msg_callback(ssl, frt_tls_msg_cb);
out:
    return rv;
}

/* ---- after the handshake ----------------------------------------------------------------- */

static const char *group_name(int nid, char *buf, size_t cap)
{
    const char *sn = nid > 0 ? OBJ_nid2sn(nid & ~TLSEXT_nid_unknown) : NULL;
    if (nid == 0)
        return "none (PSK without (EC)DHE)";
    if ((nid & TLSEXT_nid_unknown) || sn == NULL)
        snprintf(buf, cap, "code point %d", nid & 0xffff);
    else
        snprintf(buf, cap, "%s", sn);
    return buf;
}

/* One direction's signature: its key type and hash must be among the policy's schemes. */
static const char *sig_refusal(const char *who, int pk, int md, char *buf, size_t cap)
{
    if ((pk == EVP_PKEY_EC || pk == EVP_PKEY_RSA || pk == EVP_PKEY_RSA_PSS) &&
        (md == NID_sha256 || md == NID_sha384 || md == NID_sha512))
        return NULL;
    snprintf(buf, cap, "%s signature scheme %s with %s is outside the policy", who,
             pk != NID_undef ? OBJ_nid2sn(pk) : "?", md != NID_undef ? OBJ_nid2sn(md) : "?");
    return buf;
}

const char *frt_tls_negotiated_refusal(SSL *ssl, char *buf, size_t cap)
{
    char name[64], why[160];
    int v = SSL_version(ssl);
    if (!version_ok(v)) {
        snprintf(buf, cap, "protocol version %s is outside the policy", SSL_get_version(ssl));
        return buf;
    }
    const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
    if (!suite_ok(c)) {
        snprintf(buf, cap, "cipher suite %s is outside the policy",
                 c ? SSL_CIPHER_standard_name(c) : "(none)");
        return buf;
    }
    bool resumed = SSL_session_reused(ssl) == 1;
    /* A resumed TLS 1.2 session runs no key exchange; TLS 1.3 always needs (EC)DHE. */
    if (v == TLS1_3_VERSION || !resumed) {
        int g = SSL_get_negotiated_group(ssl);
        if (!group_nid_ok(g)) {
            snprintf(buf, cap, "key exchange group %s is outside the policy",
                     group_name(g, name, sizeof(name)));
            return buf;
        }
    }
    int pk = NID_undef, md = NID_undef;
    const char *bad = NULL;
    if (!resumed && SSL_get_peer_signature_type_nid(ssl, &pk) &&
        SSL_get_peer_signature_nid(ssl, &md))
        bad = sig_refusal("the peer's", pk, md, buf, cap);
    pk = md = NID_undef;
    if (bad == NULL && !resumed && SSL_get_signature_type_nid(ssl, &pk) &&
        SSL_get_signature_nid(ssl, &md))
        bad = sig_refusal("our", pk, md, buf, cap);
    ERR_clear_error();
    if (bad != NULL)
        return bad;
    if (v == TLS1_2_VERSION && SSL_get_extms_support(ssl) != 1) {
        snprintf(buf, cap, "TLS 1.2 without Extended Master Secret (RFC 7627)");
        return buf;
    }
    X509 *peer = SSL_get0_peer_certificate(ssl);
    const char *key = peer ? frt_tls_key_refusal(X509_get0_pubkey(peer), why, sizeof(why)) : NULL;
    ERR_clear_error();
    if (key != NULL) {
        snprintf(buf, cap, "the peer's certificate: %s", key);
        return buf;
    }
    return NULL;
}

const char *frt_tls_session_refusal(const SSL_SESSION *sess, char *buf, size_t cap)
{
    const SSL_CIPHER *c = SSL_SESSION_get0_cipher(sess);
    if (!version_ok(SSL_SESSION_get_protocol_version(sess))) {
        snprintf(buf, cap, "the session's protocol version is outside the policy");
        return buf;
    }
    if (!suite_ok(c)) {
        snprintf(buf, cap, "the session's cipher suite %s is outside the policy",
                 c ? SSL_CIPHER_standard_name(c) : "(none)");
        return buf;
    }
    return NULL;
}

void frt_tls_abort(SSL *ssl)
{
    /* OpenSSL has no call that sends an alert after the handshake; a record it must refuse
     * makes it send one itself. A plaintext ChangeCipherSpec after the handshake is such a
     * record: TLS 1.3 answers unexpected_message (RFC 8446 5); TLS 1.2 fails to decrypt it
     * (RFC 5246 6.2.3), which OpenSSL 3.0 answers with internal_error under AES-GCM (the
     * record is too short for its AAD) and decode_error under CBC. The transport's own read
     * side is put back afterwards. */
    static const unsigned char ccs[] = {SSL3_RT_CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 1};
    BIO *rbio = SSL_get_rbio(ssl);
    BIO *bogus = BIO_new_mem_buf(ccs, sizeof(ccs));
    if (rbio == NULL || bogus == NULL || !BIO_up_ref(rbio)) {
        BIO_free(bogus);
        ERR_clear_error();
        return;
    }
    SSL_set0_rbio(ssl, bogus);
    unsigned char scratch[64];
    size_t n;
    for (int i = 0; i < 4 && SSL_read_ex(ssl, scratch, sizeof(scratch), &n) == 1; i++)
        ;
    SSL_set0_rbio(ssl, rbio);
    ERR_clear_error();
}

void frt_tls_info_cb(const SSL *cssl, int where, int ret)
{
    (void)ret;
    SSL *ssl = (SSL *)cssl;  /* OpenSSL passes its own, mutable SSL */
    char buf[192];
    if (!(where & SSL_CB_HANDSHAKE_DONE) || frt_tls_conn_of(ssl) != NULL)
        return;  /* the library's connections check in fipsrt_tls_conn_handshake() */
    if (frt_tls_negotiated_refusal(ssl, buf, sizeof(buf)) == NULL)
        return;
    /* An SSL the program made from the escape-hatch SSL_CTX and took the policy's callbacks
     * off: nothing can be sent from inside OpenSSL's state machine, so the connection is
     * made unusable: verification failed, no session kept, both directions shut. */
    SSL_set_verify_result(ssl, X509_V_ERR_APPLICATION_VERIFICATION);
    SSL_SESSION *sess = SSL_get_session(ssl);
    if (sess != NULL)
        SSL_CTX_remove_session(SSL_get_SSL_CTX(ssl), sess);
    SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    ERR_clear_error();
}
