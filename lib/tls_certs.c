/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Several certificate chains per server, chosen by the name the client asks for (SNI): the
 * config's own chain and the identities, each with its names. The default chains sit on the
 * SSL_CTX (every SSL starts with them); for a ClientHello whose name selects others, the
 * servername callback replaces the SSL's chains before OpenSSL picks one by the client's
 * signature algorithms (so one name can have an ECDSA and an RSA chain).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "tls_internal.h"

#define NAME_MAX_LEN 253

struct frt_tls_cert_entry {
    X509 *leaf;
    STACK_OF(X509) *chain;      /* intermediates, never NULL */
    EVP_PKEY *key;
    char **names;               /* lower case; "*.example.com" for a wildcard */
    size_t nnames;
    bool is_default;
    bool rsa;                   /* else ECDSA */
};

struct frt_tls_certs {
    struct frt_tls_cert_entry *e;
    size_t n;
    struct frt_tls_cert_entry *defaults[2];  /* [rsa]: the chains on the SSL_CTX */
};

FIPSRT_API int fipsrt_tls_identity_init(fipsrt_tls_identity *id, unsigned int version)
{
    int rv = FIPSRT_OK;
    frt_init();
    FRT_ARG(id != NULL);
    FRT_CHECK(version >= 1 && version <= FIPSRT_TLS_IDENTITY_VERSION, FIPSRT_E_INVALID_ARG,
              "unknown fipsrt_tls_identity version %u (this library knows 1..%d)", version,
              FIPSRT_TLS_IDENTITY_VERSION);
    memset(id, 0, sizeof(*id));
    id->version = version;
    id->size = sizeof(*id);
out:
    return rv;
}

size_t frt_tls_certs_count(const struct frt_tls_certs *certs)
{
    return certs ? certs->n : 0;
}

X509 *frt_tls_certs_leaf(const struct frt_tls_certs *certs, size_t i)
{
    return certs->e[i].leaf;
}

void frt_tls_certs_free(struct frt_tls_certs *certs)
{
    if (certs == NULL)
        return;
    for (size_t i = 0; i < certs->n; i++) {
        struct frt_tls_cert_entry *e = &certs->e[i];
        X509_free(e->leaf);
        sk_X509_pop_free(e->chain, X509_free);
        EVP_PKEY_free(e->key);
        for (size_t j = 0; j < e->nnames; j++)
            free(e->names[j]);
        free(e->names);
    }
    free(certs->e);
    free(certs);
}

/* A DNS name, or a wildcard "*." followed by one. */
static bool valid_name(const char *s, size_t len)
{
    if (len == 0 || len > NAME_MAX_LEN)
        return false;
    if (len > 2 && s[0] == '*' && s[1] == '.') {
        s += 2;
        len -= 2;
    }
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.' && s[i] != '_')
            return false;
    return s[0] != '.';
}

static int add_name(struct frt_tls_cert_entry *e, const char *what, const char *name, size_t len)
{
    int rv = FIPSRT_OK;
    FRT_CHECK(valid_name(name, len), FIPSRT_E_INVALID_ARG,
              "%s: \"%.*s\" is not a DNS name or a \"*.\" wildcard", what, (int)(len > 64 ? 64 : len), name);
    char **names = realloc(e->names, (e->nnames + 1) * sizeof(*names));
    FRT_CHECK(names != NULL, FIPSRT_E_NOMEM, "out of memory");
    e->names = names;
    char *copy = strndup(name, len);
    FRT_CHECK(copy != NULL, FIPSRT_E_NOMEM, "out of memory");
    for (char *p = copy; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    e->names[e->nnames++] = copy;
out:
    return rv;
}

/* No names given: the certificate's DNS subjectAltNames (IP literals never come as SNI).
 * A DNS entry that is no host name or "*." wildcard can never be selected: it is skipped,
 * not refused (the certificate is still a valid chain to serve, e.g. as the only one). */
static int names_from_san(struct frt_tls_cert_entry *e, const char *what)
{
    int rv = FIPSRT_OK;
    GENERAL_NAMES *gens = X509_get_ext_d2i(e->leaf, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        int type;
        const ASN1_STRING *s = GENERAL_NAME_get0_value(g, &type);
        const char *name = (const char *)ASN1_STRING_get0_data(s);
        size_t len = type == GEN_DNS ? (size_t)ASN1_STRING_length(s) : 0;
        if (type == GEN_DNS && valid_name(name, len))
            FRT_TRY(add_name(e, what, name, len));
    }
out:
    GENERAL_NAMES_free(gens);
    ERR_clear_error();
    return rv;
}

/* The private key through lib/keys.c's import and its policy (one key policy). */
static int import_key(const uint8_t *data, size_t len, EVP_PKEY **out)
{
    int rv = FIPSRT_OK;
    fipsrt_key *key = NULL;
    FRT_TRY(fipsrt_key_import_private(&key, frt_is_pem(data, len) ? FIPSRT_KEY_PEM : FIPSRT_KEY_DER,
                                      data, len, NULL, 0));
    *out = frt_key_pkey(key);
    FRT_OSSL(EVP_PKEY_up_ref(*out), FIPSRT_E_INTERNAL);
out:
    fipsrt_key_free(key);
    return rv;
}

static int load_identity(struct frt_tls_cert_entry *e, const fipsrt_tls_identity *id, size_t idx)
{
    int rv = FIPSRT_OK;
    uint8_t *file = NULL;
    size_t file_len = 0;
    char what[48];
    snprintf(what, sizeof(what), "identities[%zu]", idx);
    int ncert = (id->cert_file != NULL) + (id->cert_data != NULL) + (id->cert != NULL);
    int nkey = (id->key_file != NULL) + (id->key_data != NULL) + (id->key != NULL);
    FRT_CHECK(ncert == 1 && nkey == 1, FIPSRT_E_INVALID_ARG,
              "%s: give the certificate and the key, each from one source", what);
    FRT_CHECK(id->names != NULL || id->name_count == 0, FIPSRT_E_INVALID_ARG,
              "%s: names is NULL but name_count is %zu", what, id->name_count);

    if (id->cert != NULL) {
        FRT_OSSL_PTR(e->chain, sk_X509_new_null(), FIPSRT_E_NOMEM);
        FRT_OSSL(X509_up_ref(id->cert->x509), FIPSRT_E_INTERNAL);
        e->leaf = id->cert->x509;
    } else {
        if (id->cert_file != NULL) {
            FRT_TRY(frt_tls_read_file(what, id->cert_file, &file, &file_len));
            FRT_TRY(frt_tls_parse_certs(what, file, file_len, &e->chain));
        } else {
            FRT_CHECK(id->cert_len > 0, FIPSRT_E_INVALID_ARG, "%s: cert_len is 0", what);
            FRT_TRY(frt_tls_parse_certs(what, id->cert_data, id->cert_len, &e->chain));
        }
        e->leaf = sk_X509_shift(e->chain);
    }
    free(file);
    file = NULL;

    if (id->key != NULL) {
        FRT_CHECK(fipsrt_key_has_private(id->key), FIPSRT_E_INVALID_ARG,
                  "%s: the key has no private part", what);
        e->key = frt_key_pkey(id->key);
        FRT_OSSL(EVP_PKEY_up_ref(e->key), FIPSRT_E_INTERNAL);
    } else if (id->key_file != NULL) {
        FRT_TRY(frt_tls_read_file(what, id->key_file, &file, &file_len));
        FRT_TRY(import_key(file, file_len, &e->key));
    } else {
        FRT_CHECK(id->key_len > 0, FIPSRT_E_INVALID_ARG, "%s: key_len is 0", what);
        FRT_TRY(import_key(id->key_data, id->key_len, &e->key));
    }
    FRT_TRY(frt_tls_check_own(e->leaf, e->chain, e->key));
    FRT_CHECK(X509_check_private_key(e->leaf, e->key) == 1, FIPSRT_E_INVALID_ARG,
              "%s: the private key does not match the certificate", what);
    e->rsa = EVP_PKEY_is_a(e->key, "RSA") || EVP_PKEY_is_a(e->key, "RSA-PSS");
    e->is_default = id->is_default != 0;
    for (size_t i = 0; i < id->name_count; i++) {
        FRT_CHECK(id->names[i] != NULL, FIPSRT_E_INVALID_ARG, "%s: names[%zu] is NULL", what, i);
        FRT_TRY(add_name(e, what, id->names[i], strlen(id->names[i])));
    }
    if (id->name_count == 0)
        FRT_TRY(names_from_san(e, what));
out:
    if (file)
        OPENSSL_clear_free(file, file_len);  /* may hold a private key */
    return rv;
}

/* The config's own chain, already on the SSL_CTX: entry 0, a default. */
static int take_own(fipsrt_tls_ctx *ctx, struct frt_tls_cert_entry *e)
{
    int rv = FIPSRT_OK;
    STACK_OF(X509) *chain = NULL;
    e->leaf = SSL_CTX_get0_certificate(ctx->ssl_ctx);
    e->key = SSL_CTX_get0_privatekey(ctx->ssl_ctx);
    FRT_CHECK(e->leaf != NULL && e->key != NULL, FIPSRT_E_INTERNAL, "own certificate not set");
    FRT_OSSL(X509_up_ref(e->leaf), FIPSRT_E_INTERNAL);
    if (!EVP_PKEY_up_ref(e->key)) {
        e->key = NULL;
        FRT_CHECK(false, FIPSRT_E_INTERNAL, "EVP_PKEY_up_ref failed");
    }
    SSL_CTX_get0_chain_certs(ctx->ssl_ctx, &chain);
    FRT_OSSL_PTR(e->chain, chain ? X509_chain_up_ref(chain) : sk_X509_new_null(), FIPSRT_E_NOMEM);
    e->rsa = EVP_PKEY_is_a(e->key, "RSA") || EVP_PKEY_is_a(e->key, "RSA-PSS");
    e->is_default = true;
    FRT_TRY(names_from_san(e, "own certificate"));
out:
    return rv;
}

static bool name_matches(const char *pattern, const char *host)
{
    if (pattern[0] != '*')
        return strcasecmp(pattern, host) == 0;
    const char *dot = strchr(host, '.');   /* the wildcard stands for exactly one label */
    return dot != NULL && dot != host && strcasecmp(dot + 1, pattern + 2) == 0;
}

/* Exact names first, then wildcards; none: the defaults stay (no SNI, unknown name). */
static int servername_cb(SSL *ssl, int *alert, void *arg)
{
    struct frt_tls_certs *certs = arg;
    const char *host = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    struct frt_tls_cert_entry *pick[2] = {NULL, NULL};
    if (host == NULL)
        return SSL_TLSEXT_ERR_NOACK;
    for (int wildcard = 0; wildcard < 2 && !pick[0] && !pick[1]; wildcard++)
        for (size_t i = 0; i < certs->n; i++) {
            struct frt_tls_cert_entry *e = &certs->e[i];
            for (size_t j = 0; j < e->nnames && !pick[e->rsa]; j++)
                if ((e->names[j][0] == '*') == (wildcard == 1) && name_matches(e->names[j], host))
                    pick[e->rsa] = e;
        }
    if (!pick[0] && !pick[1])
        return SSL_TLSEXT_ERR_NOACK;
    if (pick[0] == certs->defaults[0] && pick[1] == certs->defaults[1])
        return SSL_TLSEXT_ERR_OK;
    SSL_certs_clear(ssl);
    for (int t = 0; t < 2; t++)
        if (pick[t] && !SSL_use_cert_and_key(ssl, pick[t]->leaf, pick[t]->key, pick[t]->chain, 1)) {
            ERR_clear_error();
            *alert = SSL_AD_INTERNAL_ERROR;
            return SSL_TLSEXT_ERR_ALERT_FATAL;
        }
    return SSL_TLSEXT_ERR_OK;
}

int frt_tls_certs_setup(fipsrt_tls_ctx *ctx, const fipsrt_tls_config *cfg)
{
    int rv = FIPSRT_OK;
    struct frt_tls_certs *certs = NULL;
    size_t stride = 0;
    if (cfg->identity_count > 0) {
        FRT_CHECK(ctx->role == FIPSRT_TLS_SERVER, FIPSRT_E_INVALID_ARG,
                  "identities are a server setting");
        FRT_CHECK(cfg->identities != NULL, FIPSRT_E_INVALID_ARG,
                  "identities is NULL but identity_count is %zu", cfg->identity_count);
        stride = cfg->identities[0].size;
        FRT_CHECK(stride >= sizeof(fipsrt_tls_identity) && cfg->identity_count <= 1024,
                  FIPSRT_E_INVALID_ARG, "identities: size %zu (initialise each with "
                  "FIPSRT_TLS_IDENTITY_INIT) or more than 1024 of them", stride);
    }
    if (ctx->role != FIPSRT_TLS_SERVER)
        return FIPSRT_OK;
    certs = calloc(1, sizeof(*certs));
    FRT_CHECK(certs != NULL, FIPSRT_E_NOMEM, "out of memory");
    ctx->certs = certs;
    certs->e = calloc(1 + cfg->identity_count, sizeof(*certs->e));
    FRT_CHECK(certs->e != NULL, FIPSRT_E_NOMEM, "out of memory");
    bool own = SSL_CTX_get0_certificate(ctx->ssl_ctx) != NULL;
    if (own)
        FRT_TRY(take_own(ctx, &certs->e[certs->n++]));
    for (size_t i = 0; i < cfg->identity_count; i++) {
        const fipsrt_tls_identity *id =
            (const fipsrt_tls_identity *)((const char *)cfg->identities + i * stride);
        FRT_CHECK(id->size == stride && id->version >= 1 &&
                      id->version <= FIPSRT_TLS_IDENTITY_VERSION,
                  FIPSRT_E_INVALID_ARG, "identities[%zu]: version %u or size %zu (identities[0].size "
                  "%zu; initialise each with FIPSRT_TLS_IDENTITY_INIT)", i, id->version, id->size,
                  stride);
        FRT_TRY(load_identity(&certs->e[certs->n++], id, i));
    }
    bool any_default = false;
    for (size_t i = 0; i < certs->n; i++)
        any_default |= certs->e[i].is_default;
    if (!any_default)
        certs->e[0].is_default = true;
    /* The defaults go on the SSL_CTX: one chain per key type. */
    for (size_t i = 0; i < certs->n; i++) {
        struct frt_tls_cert_entry *e = &certs->e[i];
        if (!e->is_default)
            continue;
        FRT_CHECK(certs->defaults[e->rsa] == NULL, FIPSRT_E_INVALID_ARG,
                  "two default certificates with %s keys: mark one default per key type",
                  e->rsa ? "RSA" : "ECDSA");
        certs->defaults[e->rsa] = e;
        if (i > 0 || !own)
            FRT_OSSL(SSL_CTX_use_cert_and_key(ctx->ssl_ctx, e->leaf, e->key, e->chain, 1),
                     FIPSRT_E_PROVIDER);
    }
    if (certs->n > 1) {
        SSL_CTX_set_tlsext_servername_callback(ctx->ssl_ctx, servername_cb);
        SSL_CTX_set_tlsext_servername_arg(ctx->ssl_ctx, certs);
    }
out:
    return rv;
}
