/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLS contexts: a fipsrt_tls_config turned into one SSL_CTX carrying the FIPS policy, the
 * own certificate and key, the trust anchors, ALPN, verification and session resumption.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tls_internal.h"

#define FRT_TLS_LIFETIME_DEFAULT 7200   /* seconds: OpenSSL's and RFC 5077's usual two hours */
#define FILE_MAX (16u << 20)   /* certificates and keys are small; refuse anything huge */

FIPSRT_API int fipsrt_tls_config_init(fipsrt_tls_config *cfg, unsigned int version)
{
    int rv = FIPSRT_OK;
    frt_init();
    FRT_ARG(cfg != NULL);
    FRT_CHECK(version >= 1 && version <= FIPSRT_TLS_CONFIG_VERSION, FIPSRT_E_INVALID_ARG,
              "unknown fipsrt_tls_config version %u (this library knows 1..%d)", version,
              FIPSRT_TLS_CONFIG_VERSION);
    memset(cfg, 0, sizeof(*cfg));
    cfg->version = version;
    cfg->size = sizeof(*cfg);
out:
    return rv;
}

static int read_file(const char *what, const char *path, uint8_t **data, size_t *len)
{
    int rv = FIPSRT_OK;
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    FRT_CHECK(f != NULL, FIPSRT_E_INVALID_ARG, "%s %s: %s", what, path, strerror(errno));
    FRT_CHECK(fseek(f, 0, SEEK_END) == 0, FIPSRT_E_INVALID_ARG, "%s %s: %s", what, path,
              strerror(errno));
    long size = ftell(f);
    FRT_CHECK(size > 0 && (unsigned long)size <= FILE_MAX, FIPSRT_E_INVALID_ARG,
              "%s %s: %s", what, path, size == 0 ? "empty file" : "not a regular file or too large");
    rewind(f);
    buf = malloc((size_t)size);
    FRT_CHECK(buf != NULL, FIPSRT_E_NOMEM, "out of memory");
    FRT_CHECK(fread(buf, 1, (size_t)size, f) == (size_t)size, FIPSRT_E_INVALID_ARG,
              "%s %s: short read", what, path);
    *data = buf;
    *len = (size_t)size;
    buf = NULL;
out:
    free(buf);
    if (f)
        fclose(f);
    return rv;
}

/* Certificates from PEM (all CERTIFICATE blocks, in order) or one DER certificate. */
static int parse_certs(const char *what, const uint8_t *data, size_t len, STACK_OF(X509) **out)
{
    int rv = FIPSRT_OK;
    STACK_OF(X509) *certs = NULL;
    BIO *bio = NULL;
    X509 *x = NULL;
    FRT_CHECK(len > 0 && len <= INT_MAX, FIPSRT_E_INVALID_ARG, "%s: empty or too large", what);
    FRT_OSSL_PTR(certs, sk_X509_new_null(), FIPSRT_E_NOMEM);
    if (frt_is_pem(data, len)) {
        FRT_OSSL_PTR(bio, BIO_new_mem_buf(data, (int)len), FIPSRT_E_NOMEM);
        while ((x = frt_x509_read_pem(bio)) != NULL) {
            FRT_OSSL(sk_X509_push(certs, x), FIPSRT_E_NOMEM);
            x = NULL;
        }
        /* The loop ends at the end of the text (no start line) or at a broken block. */
        unsigned long e = ERR_peek_last_error();
        FRT_CHECK(ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE,
                  FIPSRT_E_MALFORMED, "%s: a certificate does not decode", what);
        ERR_clear_error();
    } else {
        const unsigned char *p = data;
        FRT_OSSL_PTR(x, frt_x509_read_der(&p, (long)len), FIPSRT_E_MALFORMED);
        FRT_CHECK(p == data + len, FIPSRT_E_MALFORMED, "%s: bytes after the DER certificate", what);
        FRT_OSSL(sk_X509_push(certs, x), FIPSRT_E_NOMEM);
        x = NULL;
    }
    FRT_CHECK(sk_X509_num(certs) > 0, FIPSRT_E_MALFORMED, "%s: no CERTIFICATE block", what);
    *out = certs;
    certs = NULL;
out:
    X509_free(x);
    BIO_free(bio);
    sk_X509_pop_free(certs, X509_free);
    return rv;
}

static int count_sources(const char *path, const void *data, const void *object)
{
    return (path != NULL) + (data != NULL) + (object != NULL);
}

/* Own certificate chain and key: one source each; both checked against the policy. */
static int load_identity(fipsrt_tls_ctx *ctx, const fipsrt_tls_config *cfg)
{
    int rv = FIPSRT_OK;
    uint8_t *file = NULL;
    size_t file_len = 0;
    STACK_OF(X509) *certs = NULL;
    EVP_PKEY *pkey = NULL;
    fipsrt_key *key = NULL;
    X509 *leaf = NULL;
    int ncert = count_sources(cfg->cert_file, cfg->cert_data, cfg->cert);
    int nkey = count_sources(cfg->key_file, cfg->key_data, cfg->key);

    FRT_CHECK(ncert <= 1, FIPSRT_E_INVALID_ARG,
              "own certificate given %d ways (cert_file, cert_data, cert): give one", ncert);
    FRT_CHECK(nkey <= 1, FIPSRT_E_INVALID_ARG,
              "own key given %d ways (key_file, key_data, key): give one", nkey);
    FRT_CHECK(ncert == nkey, FIPSRT_E_INVALID_ARG, "a certificate needs its key and a key its certificate");
    FRT_CHECK(ncert == 1 || ctx->role == FIPSRT_TLS_CLIENT || cfg->identity_count > 0,
              FIPSRT_E_INVALID_ARG, "a server needs a certificate and key");
    if (ncert == 0)
        return FIPSRT_OK;

    if (cfg->cert != NULL) {
        FRT_OSSL_PTR(certs, sk_X509_new_null(), FIPSRT_E_NOMEM);
        FRT_OSSL(X509_up_ref(cfg->cert->x509), FIPSRT_E_INTERNAL);
        if (!sk_X509_push(certs, cfg->cert->x509))
            X509_free(cfg->cert->x509);
        FRT_CHECK(sk_X509_num(certs) == 1, FIPSRT_E_NOMEM, "out of memory");
    } else if (cfg->cert_file != NULL) {
        FRT_TRY(read_file("cert_file", cfg->cert_file, &file, &file_len));
        FRT_TRY(parse_certs("cert_file", file, file_len, &certs));
    } else {
        FRT_TRY(parse_certs("cert_data", cfg->cert_data, cfg->cert_len, &certs));
    }
    free(file);
    file = NULL;

    if (cfg->key != NULL) {
        FRT_CHECK(fipsrt_key_has_private(cfg->key), FIPSRT_E_INVALID_ARG,
                  "key has no private part");
        pkey = frt_key_pkey(cfg->key);
        FRT_OSSL(EVP_PKEY_up_ref(pkey), FIPSRT_E_INTERNAL);
    } else {
        /* One key policy for every entry point: through lib/keys.c's import. */
        if (cfg->key_file != NULL) {
            FRT_TRY(read_file("key_file", cfg->key_file, &file, &file_len));
            FRT_TRY(frt_key_import_any(&key, file, file_len));
        } else {
            FRT_ARG(cfg->key_len > 0);
            FRT_TRY(frt_key_import_any(&key, cfg->key_data, cfg->key_len));
        }
        pkey = frt_key_pkey(key);
        FRT_OSSL(EVP_PKEY_up_ref(pkey), FIPSRT_E_INTERNAL);
    }

    leaf = sk_X509_shift(certs);
    FRT_TRY(frt_tls_check_own(leaf, certs, pkey));
    FRT_CHECK(X509_check_private_key(leaf, pkey) == 1, FIPSRT_E_INVALID_ARG,
              "the private key does not match the certificate");
    FRT_OSSL(SSL_CTX_use_cert_and_key(ctx->ssl_ctx, leaf, pkey, certs, 1), FIPSRT_E_PROVIDER);
out:
    if (file)
        OPENSSL_clear_free(file, file_len);  /* may hold a private key */
    X509_free(leaf);
    EVP_PKEY_free(pkey);
    fipsrt_key_free(key);
    sk_X509_pop_free(certs, X509_free);
    return rv;
}

/* Add certificates to the trust store (and, on servers, to the CA names sent to clients). */
static int trust_certs(fipsrt_tls_ctx *ctx, const char *what, const uint8_t *data, size_t len)
{
    int rv = FIPSRT_OK;
    STACK_OF(X509) *certs = NULL;
    X509_STORE *store = SSL_CTX_get_cert_store(ctx->ssl_ctx);
    FRT_TRY(parse_certs(what, data, len, &certs));
    for (int i = 0; i < sk_X509_num(certs); i++) {
        X509 *x = sk_X509_value(certs, i);
        FRT_OSSL(X509_STORE_add_cert(store, x), FIPSRT_E_NOMEM);
        if (ctx->role == FIPSRT_TLS_SERVER)
            FRT_OSSL(SSL_CTX_add_client_CA(ctx->ssl_ctx, x), FIPSRT_E_NOMEM);
    }
out:
    sk_X509_pop_free(certs, X509_free);
    return rv;
}

static int load_trust(fipsrt_tls_ctx *ctx, const fipsrt_tls_config *cfg)
{
    int rv = FIPSRT_OK;
    uint8_t *file = NULL;
    size_t file_len = 0;
    struct stat st;
    bool any = cfg->ca_file || cfg->ca_dir || cfg->ca_data;

    if (cfg->ca_file != NULL) {
        FRT_TRY(read_file("ca_file", cfg->ca_file, &file, &file_len));
        FRT_TRY(trust_certs(ctx, "ca_file", file, file_len));
    }
    if (cfg->ca_dir != NULL) {
        errno = 0;
        FRT_CHECK(stat(cfg->ca_dir, &st) == 0 && S_ISDIR(st.st_mode), FIPSRT_E_INVALID_ARG,
                  "ca_dir %s: %s", cfg->ca_dir, errno ? strerror(errno) : "not a directory");
        FRT_OSSL(SSL_CTX_load_verify_dir(ctx->ssl_ctx, cfg->ca_dir), FIPSRT_E_INVALID_ARG);
    }
    if (cfg->ca_data != NULL)
        FRT_TRY(trust_certs(ctx, "ca_data", cfg->ca_data, cfg->ca_len));
    if (!any && ctx->role == FIPSRT_TLS_CLIENT)
        FRT_OSSL(SSL_CTX_set_default_verify_paths(ctx->ssl_ctx), FIPSRT_E_INTERNAL);
    FRT_CHECK(any || ctx->role == FIPSRT_TLS_CLIENT || cfg->client_auth == FIPSRT_TLS_CLIENT_AUTH_NONE ||
                  ctx->insecure,
              FIPSRT_E_INVALID_ARG, "client authentication needs trusted CAs (ca_file, ca_dir or ca_data)");
out:
    free(file);
    return rv;
}

/* Server: the first of our protocols the client offers (server preference). */
static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                       const unsigned char *in, unsigned int inlen, void *arg)
{
    fipsrt_tls_ctx *ctx = arg;
    unsigned char *selected;
    if (SSL_select_next_proto(&selected, outlen, ctx->alpn, (unsigned)ctx->alpn_len, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_ALERT_FATAL;  /* RFC 7301: no_application_protocol */
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

/* ALPN list -> wire format (each protocol prefixed by its length). */
static int set_alpn(fipsrt_tls_ctx *ctx, const fipsrt_tls_config *cfg)
{
    int rv = FIPSRT_OK;
    size_t total = 0;
    if (cfg->alpn_count == 0)
        return FIPSRT_OK;
    FRT_ARG(cfg->alpn != NULL);
    for (size_t i = 0; i < cfg->alpn_count; i++) {
        size_t n = cfg->alpn[i] ? strlen(cfg->alpn[i]) : 0;
        FRT_CHECK(n >= 1 && n <= 255, FIPSRT_E_INVALID_ARG, "alpn[%zu] must be 1..255 bytes", i);
        total += 1 + n;
        FRT_CHECK(total <= 65535, FIPSRT_E_INVALID_ARG, "ALPN list longer than 65535 bytes");
    }
    ctx->alpn = malloc(total);
    FRT_CHECK(ctx->alpn != NULL, FIPSRT_E_NOMEM, "out of memory");
    for (size_t i = 0, off = 0; i < cfg->alpn_count; i++) {
        size_t n = strlen(cfg->alpn[i]);
        ctx->alpn[off] = (unsigned char)n;
        memcpy(ctx->alpn + off + 1, cfg->alpn[i], n);
        off += 1 + n;
    }
    ctx->alpn_len = total;
    if (ctx->role == FIPSRT_TLS_CLIENT)
        FRT_CHECK(SSL_CTX_set_alpn_protos(ctx->ssl_ctx, ctx->alpn, (unsigned)total) == 0,
                  FIPSRT_E_NOMEM, "SSL_CTX_set_alpn_protos failed");
    else
        SSL_CTX_set_alpn_select_cb(ctx->ssl_ctx, alpn_select, ctx);
out:
    return rv;
}

/* ---- client session cache ------------------------------------------------------------ */

static int new_session(SSL *ssl, SSL_SESSION *session)
{
    fipsrt_tls_ctx *ctx = frt_tls_ctx_of(SSL_get_SSL_CTX(ssl));
    struct fipsrt_tls_conn *conn = frt_tls_conn_of(ssl);
    if (ctx == NULL || conn == NULL || conn->peer_name == NULL ||
        !SSL_SESSION_is_resumable(session))
        return 0;
    /* Never keep a TLS 1.2 session made without Extended Master Secret. */
    if (SSL_SESSION_get_protocol_version(session) == TLS1_2_VERSION && !frt_tls_server_ems(ssl))
        return 0;
    /* A copy: OpenSSL marks its own object unresumable when the SSL is freed without a
     * close_notify, which is no reason to lose a TLS 1.3 ticket. Failed connections drop
     * their peer's entry instead (frt_tls_session_forget). */
    SSL_SESSION *copy = SSL_SESSION_dup(session);
    if (copy == NULL) {
        ERR_clear_error();
        return 0;
    }
    pthread_mutex_lock(&ctx->lock);
    struct frt_tls_session *slot = &ctx->sessions[0];
    for (size_t i = 0; i < FRT_TLS_SESSION_SLOTS; i++) {
        struct frt_tls_session *s = &ctx->sessions[i];
        if (s->session != NULL && strcmp(s->name, conn->peer_name) == 0) {
            slot = s;
            break;
        }
        if (s->stamp < slot->stamp)
            slot = s;
    }
    SSL_SESSION_free(slot->session);
    slot->session = copy;
    snprintf(slot->name, sizeof(slot->name), "%s", conn->peer_name);
    slot->stamp = ++ctx->stamp;
    pthread_mutex_unlock(&ctx->lock);
    return 0;  /* OpenSSL keeps (and releases) its own reference */
}

void frt_tls_session_forget(fipsrt_tls_ctx *ctx, const char *name)
{
    pthread_mutex_lock(&ctx->lock);
    for (size_t i = 0; i < FRT_TLS_SESSION_SLOTS; i++) {
        struct frt_tls_session *s = &ctx->sessions[i];
        if (s->session != NULL && strcmp(s->name, name) == 0) {
            SSL_SESSION_free(s->session);
            s->session = NULL;
            s->stamp = 0;
        }
    }
    pthread_mutex_unlock(&ctx->lock);
}

void frt_tls_session_resume(fipsrt_tls_ctx *ctx, SSL *ssl, const char *name)
{
    pthread_mutex_lock(&ctx->lock);
    for (size_t i = 0; i < FRT_TLS_SESSION_SLOTS; i++) {
        struct frt_tls_session *s = &ctx->sessions[i];
        if (s->session == NULL || strcmp(s->name, name) != 0)
            continue;
        if (SSL_set_session(ssl, s->session) != 1)
            ERR_clear_error();
        /* RFC 8446 C.4: a TLS 1.3 ticket is used once; the new handshake brings fresh ones. */
        if (SSL_SESSION_get_protocol_version(s->session) == TLS1_3_VERSION) {
            SSL_SESSION_free(s->session);
            s->session = NULL;
            s->stamp = 0;
        }
        break;
    }
    pthread_mutex_unlock(&ctx->lock);
}

/* ---- contexts ------------------------------------------------------------------------- */

/* The context's own state, freed when the SSL_CTX that owns it goes (its last reference:
 * the caller's, a connection's, or an SSL the program made from the escape hatch). */
void frt_tls_ctx_release(fipsrt_tls_ctx *ctx)
{
    FRT_TSAN_ACQUIRE(ctx);   /* after every other holder's last use (fipsrt_tls_ctx_free) */
    frt_tls_revocation_free(ctx->rev);
    frt_tls_certs_free(ctx->certs);
    for (size_t i = 0; i < FRT_TLS_SESSION_SLOTS; i++)
        SSL_SESSION_free(ctx->sessions[i].session);
    free(ctx->alpn);
    pthread_mutex_destroy(&ctx->lock);
    OPENSSL_cleanse(ctx, sizeof(*ctx));
    free(ctx);
}

void frt_tls_ctx_ref(fipsrt_tls_ctx *ctx)
{
    SSL_CTX_up_ref(ctx->ssl_ctx);
}

FIPSRT_API void fipsrt_tls_ctx_free(fipsrt_tls_ctx *ctx)
{
    if (ctx != NULL) {
        OSSL_LIB_CTX *prev = frt_ex_data_enter();   /* see lib/internal.h */
        SSL_CTX *ssl_ctx = ctx->ssl_ctx;
        FRT_TSAN_RELEASE(ctx);   /* our uses of ctx end here (see lib/internal.h) */
        SSL_CTX_free(ssl_ctx);  /* the last reference frees ctx too (frt_tls_ctx_attach) */
        frt_ex_data_leave(prev);
    }
}

static int set_verification(fipsrt_tls_ctx *ctx, const fipsrt_tls_config *cfg)
{
    int mode = SSL_VERIFY_PEER;  /* clients always verify (insecure only waives trust errors) */
    if (ctx->role == FIPSRT_TLS_SERVER) {
        mode = cfg->client_auth == FIPSRT_TLS_CLIENT_AUTH_NONE ? SSL_VERIFY_NONE
               : cfg->client_auth == FIPSRT_TLS_CLIENT_AUTH_OPTIONAL
                   ? SSL_VERIFY_PEER
                   : SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
        SSL_CTX_set_client_hello_cb(ctx->ssl_ctx, frt_tls_client_hello_cb, NULL);
    } else {
        SSL_CTX_set_msg_callback(ctx->ssl_ctx, frt_tls_msg_cb);
    }
    SSL_CTX_set_verify(ctx->ssl_ctx, mode, frt_tls_verify_cb);
    ctx->verify_mode = mode;
    return FIPSRT_OK;
}

static int set_resumption(fipsrt_tls_ctx *ctx)
{
    int rv = FIPSRT_OK;
    static const unsigned char sid_ctx[] = "libfipsrt";
    if (!ctx->tickets) {
        SSL_CTX_set_options(ctx->ssl_ctx, SSL_OP_NO_TICKET);
        SSL_CTX_set_session_cache_mode(ctx->ssl_ctx, SSL_SESS_CACHE_OFF);
        FRT_OSSL(SSL_CTX_set_num_tickets(ctx->ssl_ctx, 0), FIPSRT_E_INTERNAL);
    } else if (ctx->role == FIPSRT_TLS_SERVER) {
        SSL_CTX_clear_options(ctx->ssl_ctx, SSL_OP_NO_TICKET);
        SSL_CTX_set_session_cache_mode(ctx->ssl_ctx, SSL_SESS_CACHE_SERVER);
    } else {
        SSL_CTX_clear_options(ctx->ssl_ctx, SSL_OP_NO_TICKET);
        SSL_CTX_set_session_cache_mode(ctx->ssl_ctx,
                                       SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
        SSL_CTX_sess_set_new_cb(ctx->ssl_ctx, new_session);
    }
    /* Needed for resumption on servers that verify client certificates. */
    FRT_OSSL(SSL_CTX_set_session_id_context(ctx->ssl_ctx, sid_ctx, sizeof(sid_ctx) - 1),
             FIPSRT_E_INTERNAL);
out:
    return rv;
}

/* The bytes of a config of `version` the library reads (docs/ABI.md: older versions work). */
static size_t config_size(unsigned int version)
{
    return version == 1 ? offsetof(fipsrt_tls_config, max_version) : sizeof(fipsrt_tls_config);
}

FIPSRT_API int fipsrt_tls_ctx_new(fipsrt_tls_ctx **out, fipsrt_tls_role role,
                                  const fipsrt_tls_config *cfg)
{
    int rv = FIPSRT_OK;
    fipsrt_tls_ctx *ctx = NULL;
    SSL_CTX *sctx = NULL;
    const fipsrt_tls_config defaults = FIPSRT_TLS_CONFIG_INIT;
    fipsrt_tls_config full;   /* cfg with the members of later versions zeroed */
    frt_init();
    ERR_set_mark();
    FRT_ARG(out != NULL);
    *out = NULL;
    FRT_ARG(role == FIPSRT_TLS_CLIENT || role == FIPSRT_TLS_SERVER);
    if (cfg == NULL)
        cfg = &defaults;
    /* docs/ABI.md: a version-1 caller's struct ends where version 2's members begin. */
    FRT_CHECK(cfg->version >= 1 && cfg->version <= FIPSRT_TLS_CONFIG_VERSION &&
                  cfg->size >= config_size(cfg->version),
              FIPSRT_E_INVALID_ARG,
              "unknown fipsrt_tls_config version %u or size %zu (initialise it with "
              "FIPSRT_TLS_CONFIG_INIT)", cfg->version, cfg->size);
    memset(&full, 0, sizeof(full));
    memcpy(&full, cfg, config_size(cfg->version));
    cfg = &full;
    FRT_CHECK(cfg->min_version == FIPSRT_TLS_VERSION_DEFAULT || cfg->min_version == FIPSRT_TLS_1_2 ||
                  cfg->min_version == FIPSRT_TLS_1_3,
              FIPSRT_E_INVALID_ARG, "min_version must be FIPSRT_TLS_1_2 or FIPSRT_TLS_1_3");
    fipsrt_tls_version max_version = cfg->version >= 2 ? cfg->max_version : 0;
    unsigned lifetime = cfg->version >= 2 ? cfg->session_lifetime : 0;
    FRT_CHECK(max_version == FIPSRT_TLS_VERSION_DEFAULT || max_version == FIPSRT_TLS_1_2 ||
                  max_version == FIPSRT_TLS_1_3,
              FIPSRT_E_INVALID_ARG, "max_version must be FIPSRT_TLS_1_2 or FIPSRT_TLS_1_3");
    FRT_CHECK(!(cfg->min_version == FIPSRT_TLS_1_3 && max_version == FIPSRT_TLS_1_2),
              FIPSRT_E_INVALID_ARG, "min_version TLS 1.3 is above max_version TLS 1.2");
    /* RFC 8446 4.6.1: a ticket lives at most seven days. */
    FRT_CHECK(lifetime <= 604800, FIPSRT_E_INVALID_ARG,
              "session_lifetime %u s is over 604800 (7 days)", lifetime);
    FRT_CHECK(cfg->client_auth >= FIPSRT_TLS_CLIENT_AUTH_NONE &&
                  cfg->client_auth <= FIPSRT_TLS_CLIENT_AUTH_REQUIRED,
              FIPSRT_E_INVALID_ARG, "unknown client_auth %d", (int)cfg->client_auth);
    FRT_CHECK(role == FIPSRT_TLS_SERVER || cfg->client_auth == FIPSRT_TLS_CLIENT_AUTH_NONE,
              FIPSRT_E_INVALID_ARG, "client_auth is a server setting");
    FRT_ARG(cfg->cert_data == NULL || cfg->cert_len > 0);
    FRT_ARG(cfg->ca_data == NULL || cfg->ca_len > 0);

    ctx = calloc(1, sizeof(*ctx));
    FRT_CHECK(ctx != NULL, FIPSRT_E_NOMEM, "out of memory");
    if (pthread_mutex_init(&ctx->lock, NULL) != 0) {
        free(ctx);
        ctx = NULL;
        FRT_CHECK(false, FIPSRT_E_NOMEM, "pthread_mutex_init failed");
    }
    ctx->role = role;
    ctx->insecure = cfg->insecure_skip_verify != 0;
    ctx->tickets = cfg->disable_session_tickets == 0;
    ctx->min_proto = cfg->min_version == FIPSRT_TLS_1_3 ? TLS1_3_VERSION : TLS1_2_VERSION;
    ctx->max_proto = max_version == FIPSRT_TLS_1_2 ? TLS1_2_VERSION : TLS1_3_VERSION;
    ctx->lifetime = lifetime ? lifetime : FRT_TLS_LIFETIME_DEFAULT;
    /* The library's own context and properties (fips=yes): see lib/runtime.c. */
    sctx = SSL_CTX_new_ex(frt_libctx(), FRT_PROPQ, TLS_method());
    if (sctx == NULL || !frt_tls_ctx_attach(sctx, ctx)) {
        OSSL_LIB_CTX *prev = frt_ex_data_enter();
        SSL_CTX_free(sctx);
        frt_ex_data_leave(prev);
        frt_tls_ctx_release(ctx);
        ctx = NULL;
        FRT_CHECK(false, FIPSRT_E_PROVIDER, "SSL_CTX_new_ex failed");
    }
    ctx->ssl_ctx = sctx;   /* from here on the SSL_CTX owns ctx */
    FRT_TRY(frt_tls_apply_policy(ctx->ssl_ctx, cfg->min_version));
    FRT_TRY(load_identity(ctx, cfg));
    FRT_TRY(load_trust(ctx, cfg));
    FRT_TRY(set_alpn(ctx, cfg));
    FRT_TRY(set_verification(ctx, cfg));
    FRT_TRY(set_resumption(ctx));
    FRT_TRY(frt_tls_certs_setup(ctx, cfg));
    FRT_TRY(frt_tls_revocation_setup(ctx, cfg));
    FRT_TRY(frt_tls_tickets_init(ctx));
    FRT_TRY(frt_tls_guard_ctx(ctx));
    *out = ctx;
    ctx = NULL;
out:
    fipsrt_tls_ctx_free(ctx);
    ERR_pop_to_mark();
    return rv;
}

FIPSRT_API fipsrt_tls_role fipsrt_tls_ctx_role(const fipsrt_tls_ctx *ctx)
{
    return ctx ? ctx->role : 0;
}

FIPSRT_API void *fipsrt_tls_ctx_get_ssl_ctx(const fipsrt_tls_ctx *ctx)
{
    return ctx ? ctx->ssl_ctx : NULL;
}

/* For lib/tls_certs.c and lib/tls_revocation.c: one file reader, one chain parser. */
int frt_tls_read_file(const char *what, const char *path, uint8_t **data, size_t *len)
{
    return read_file(what, path, data, len);
}

int frt_tls_parse_certs(const char *what, const uint8_t *data, size_t len, STACK_OF(X509) **out)
{
    return parse_certs(what, data, len, out);
}
