/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Resumption that survives restarts and fleets (issue 12 §4): the server's session-ticket
 * keys (the application's, or the library's own, rotated), protected with AES-256-CBC and
 * HMAC-SHA-256 from the FIPS provider; and a client's session as an opaque blob that a later
 * connection, in this process or another, offers again.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include <fipsrt/kdf.h>

#include "tls_internal.h"

/* "FRTS" and a format version; the peer name's length (1 byte) and the name; the DER
 * SSL_SESSION. The name is the connection's own: a TLS 1.3 session carries no SNI. */
static const unsigned char blob_magic[5] = {'F', 'R', 'T', 'S', 1};

static int64_t mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

/* SP 800-108-style separation with HKDF-SHA-256 (SP 800-56C): one secret, three keys. */
static int derive_key(struct frt_ticket_key *k, const uint8_t *secret, size_t len)
{
    static const char info[] = "libfipsrt TLS session ticket key v1";
    uint8_t out[sizeof(k->name) + sizeof(k->hmac) + sizeof(k->aes)];
    /* A step of the caller's service (a handshake, or configuration): not counted alone. */
    int rv = FRT_UNCOUNTED(fipsrt_hkdf(FIPSRT_HASH_SHA256, secret, len, NULL, 0, info,
                                       sizeof(info) - 1, out, sizeof(out)));
    if (rv == FIPSRT_OK) {
        memcpy(k->name, out, sizeof(k->name));
        memcpy(k->hmac, out + sizeof(k->name), sizeof(k->hmac));
        memcpy(k->aes, out + sizeof(k->name) + sizeof(k->hmac), sizeof(k->aes));
        k->born = mono_s();
    }
    OPENSSL_cleanse(out, sizeof(out));
    return rv;
}

static int random_key(struct frt_ticket_key *k)
{
    int rv = FIPSRT_OK;
    uint8_t secret[FIPSRT_TLS_TICKET_KEY_LEN];
    FRT_OSSL(RAND_bytes_ex(frt_libctx(), secret, sizeof(secret), 256), FIPSRT_E_PROVIDER);
    FRT_TRY(derive_key(k, secret, sizeof(secret)));
out:
    OPENSSL_cleanse(secret, sizeof(secret));
    return rv;
}

/* The library's own keys: a new current key every half lifetime; the previous one stays
 * for decryption as long as a ticket it made can be valid. Called with ctx->lock held. */
static void rotate_if_due(fipsrt_tls_ctx *ctx)
{
    int64_t half = ctx->lifetime / 2 > 0 ? ctx->lifetime / 2 : 1;
    if (!ctx->tkeys_auto || ctx->ntkeys == 0 || mono_s() - ctx->tkeys[0].born < half)
        return;
    struct frt_ticket_key fresh;
    if (random_key(&fresh) < 0) {
        ERR_clear_error();
        return;   /* keep the current key rather than stop issuing tickets */
    }
    size_t keep = ctx->ntkeys < 3 ? ctx->ntkeys : 2;  /* current + previous + one before */
    memmove(&ctx->tkeys[1], &ctx->tkeys[0], keep * sizeof(ctx->tkeys[0]));
    ctx->tkeys[0] = fresh;
    ctx->ntkeys = keep + 1;
    OPENSSL_cleanse(&ctx->tkeys[ctx->ntkeys], (FRT_TICKET_KEYS_MAX - ctx->ntkeys) * sizeof(ctx->tkeys[0]));
    OPENSSL_cleanse(&fresh, sizeof(fresh));
}

/* RFC 5077 4: key_name | IV | AES-256-CBC(state) | HMAC-SHA-256, in the FIPS provider: the
 * cipher is the library's fetched AES-256-CBC, the HMAC context OpenSSL made in the SSL_CTX's
 * library context (ours). Returns 1 (use), 2 (use and renew), 0 (unknown key), -1. */
static int ticket_cb(SSL *ssl, unsigned char key_name[16], unsigned char iv[16],
                     EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
    fipsrt_tls_ctx *ctx = frt_tls_ctx_of(SSL_get_SSL_CTX(ssl));
    const EVP_CIPHER *aes = frt_cipher(FRT_CIPHER_AES_256_CBC);
    int ret = -1;
    if (ctx == NULL || aes == NULL)
        return -1;
    pthread_mutex_lock(&ctx->lock);
    struct frt_ticket_key *k = NULL;
    if (enc) {
        rotate_if_due(ctx);
        if (ctx->ntkeys > 0 && RAND_bytes_ex(frt_libctx(), iv, 16, 0) == 1) {
            k = &ctx->tkeys[0];
            memcpy(key_name, k->name, 16);
            ret = 1;
        }
    } else {
        ret = 0;   /* an unknown key: a full handshake, and a new ticket */
        for (size_t i = 0; i < ctx->ntkeys && k == NULL; i++)
            if (CRYPTO_memcmp(key_name, ctx->tkeys[i].name, 16) == 0) {
                k = &ctx->tkeys[i];
                /* A previous key decrypts and the ticket is renewed. RFC 8446 C.4: TLS 1.3
                 * tickets are used once, so a resumed TLS 1.3 connection gets new ones. */
                ret = i == 0 && SSL_version(ssl) != TLS1_3_VERSION ? 1 : 2;
            }
    }
    if (k != NULL) {
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, k->hmac, sizeof(k->hmac)),
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA2-256", 0),
            OSSL_PARAM_construct_end(),
        };
        if (!EVP_MAC_CTX_set_params(hctx, params) ||
            !(enc ? EVP_EncryptInit_ex2(cctx, aes, k->aes, iv, NULL)
                  : EVP_DecryptInit_ex2(cctx, aes, k->aes, iv, NULL)))
            ret = -1;
    }
    pthread_mutex_unlock(&ctx->lock);
    if (ret < 0)
        ERR_clear_error();
    return ret;
}

int frt_tls_tickets_init(fipsrt_tls_ctx *ctx)
{
    int rv = FIPSRT_OK;
    SSL_CTX_set_timeout(ctx->ssl_ctx, (long)ctx->lifetime);
    if (ctx->role != FIPSRT_TLS_SERVER || !ctx->tickets)
        return FIPSRT_OK;
    FRT_TRY(random_key(&ctx->tkeys[0]));
    ctx->ntkeys = 1;
    ctx->tkeys_auto = true;
    FRT_OSSL(SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx->ssl_ctx, ticket_cb), FIPSRT_E_INTERNAL);
out:
    return rv;
}

FIPSRT_API int fipsrt_tls_ctx_set_ticket_keys(fipsrt_tls_ctx *ctx, const uint8_t *keys,
                                              size_t count)
{
    int rv = FIPSRT_OK;
    struct frt_ticket_key fresh[FRT_TICKET_KEYS_MAX];
    frt_init();
    FRT_ARG(ctx != NULL);
    FRT_ARG(keys != NULL);
    FRT_CHECK(count >= 1 && count <= FRT_TICKET_KEYS_MAX, FIPSRT_E_INVALID_ARG,
              "1..%d ticket keys, got %zu", FRT_TICKET_KEYS_MAX, count);
    FRT_CHECK(ctx->role == FIPSRT_TLS_SERVER, FIPSRT_E_INVALID_ARG,
              "session-ticket keys are a server setting");
    FRT_CHECK(ctx->tickets, FIPSRT_E_STATE, "the context has session tickets disabled");
    for (size_t i = 0; i < count; i++)
        FRT_TRY(derive_key(&fresh[i], keys + i * FIPSRT_TLS_TICKET_KEY_LEN,
                           FIPSRT_TLS_TICKET_KEY_LEN));
    pthread_mutex_lock(&ctx->lock);
    OPENSSL_cleanse(ctx->tkeys, sizeof(ctx->tkeys));
    memcpy(ctx->tkeys, fresh, count * sizeof(fresh[0]));
    ctx->ntkeys = count;
    ctx->tkeys_auto = false;   /* the application rotates from now on */
    pthread_mutex_unlock(&ctx->lock);
out:
    OPENSSL_cleanse(fresh, sizeof(fresh));
    return rv;
}

/* ---- client sessions as blobs ----------------------------------------------------------- */

FIPSRT_API int fipsrt_tls_conn_session_export(const fipsrt_tls_conn *conn, uint8_t *out,
                                              size_t cap, size_t *out_len)
{
    int rv = FIPSRT_OK;
    SSL_SESSION *sess = NULL;
    unsigned char *der = NULL;
    FRT_ARG(out_len != NULL);
    *out_len = 0;
    FRT_ARG(conn != NULL);
    FRT_ARG(out != NULL || cap == 0);
    FRT_CHECK(conn->ctx->role == FIPSRT_TLS_CLIENT, FIPSRT_E_INVALID_ARG,
              "sessions are exported by clients");
    FRT_CHECK(conn->state == FRT_CONN_OPEN || conn->state == FRT_CONN_CLOSED, FIPSRT_E_STATE,
              "no established connection");
    sess = SSL_get1_session(conn->ssl);
    FRT_CHECK(sess != NULL && SSL_SESSION_is_resumable(sess), FIPSRT_E_STATE,
              "no resumable session yet (TLS 1.3 tickets arrive after the handshake: read "
              "from the connection first), or the server issues none");
    int n = i2d_SSL_SESSION(sess, &der);
    FRT_CHECK(n > 0, FIPSRT_E_NOMEM, "i2d_SSL_SESSION failed");
    size_t name_len = conn->peer_name ? strlen(conn->peer_name) : 0;
    FRT_CHECK(name_len <= 255, FIPSRT_E_INVALID_ARG, "peer name too long");
    size_t need = sizeof(blob_magic) + 1 + name_len + (size_t)n;
    *out_len = need;
    FRT_CHECK(cap >= need, FIPSRT_E_BUFFER_TOO_SMALL, "the session needs %zu bytes", need);
    memcpy(out, blob_magic, sizeof(blob_magic));
    out[sizeof(blob_magic)] = (uint8_t)name_len;
    if (name_len > 0)
        memcpy(out + sizeof(blob_magic) + 1, conn->peer_name, name_len);
    memcpy(out + sizeof(blob_magic) + 1 + name_len, der, (size_t)n);
out:
    if (der != NULL)
        OPENSSL_clear_free(der, (size_t)n);
    SSL_SESSION_free(sess);
    return rv;
}

FIPSRT_API int fipsrt_tls_conn_session_import(fipsrt_tls_conn *conn, const uint8_t *data,
                                              size_t len)
{
    int rv = FIPSRT_OK;
    SSL_SESSION *sess = NULL;
    frt_init();
    FRT_ARG(conn != NULL);
    FRT_ARG(data != NULL);
    FRT_CHECK(conn->ctx->role == FIPSRT_TLS_CLIENT, FIPSRT_E_INVALID_ARG,
              "sessions are imported by clients");
    FRT_CHECK(conn->ctx->tickets, FIPSRT_E_STATE, "the context has resumption disabled");
    FRT_CHECK(conn->state == FRT_CONN_NEW && SSL_in_before(conn->ssl),
              FIPSRT_E_STATE, "a session is offered before the handshake starts");
    FRT_CHECK(len > sizeof(blob_magic) + 1 && len < (1u << 20) &&
                  memcmp(data, blob_magic, sizeof(blob_magic)) == 0 &&
                  len > sizeof(blob_magic) + 1 + data[sizeof(blob_magic)],
              FIPSRT_E_MALFORMED, "not a session from fipsrt_tls_conn_session_export()");
    size_t name_len = data[sizeof(blob_magic)];
    const char *name = (const char *)data + sizeof(blob_magic) + 1;
    /* For this server only: the name the session was made with. */
    FRT_CHECK(conn->peer_name != NULL ? strlen(conn->peer_name) == name_len &&
                                            memcmp(conn->peer_name, name, name_len) == 0
                                      : name_len == 0,
              FIPSRT_E_INVALID_ARG, "the session is for \"%.*s\", not \"%s\"", (int)name_len,
              name, conn->peer_name ? conn->peer_name : "");
    const unsigned char *p = data + sizeof(blob_magic) + 1 + name_len;
    size_t der_len = len - sizeof(blob_magic) - 1 - name_len;
    ERR_set_mark();
    /* OpenSSL 3.0 has no d2i_SSL_SESSION_ex: the session's peer certificate is decoded in
     * the default context. It is only read (its key's size and curve for the policy
     * check), never used for a signature: the resumed handshake verifies nothing with it. */
    sess = d2i_SSL_SESSION(NULL, &p, (long)der_len);
    ERR_pop_to_mark();
    FRT_CHECK(sess != NULL && p == data + len, FIPSRT_E_MALFORMED, "the session does not decode");
    /* Expired: its lifetime (the shorter of the session's timeout and the server's ticket
     * lifetime hint, RFC 8446 4.6.1 / RFC 5077 3.3) has passed. */
    time_t now = time(NULL);
    long life = SSL_SESSION_get_timeout(sess);
    unsigned long hint = SSL_SESSION_get_ticket_lifetime_hint(sess);
    if (hint > 0 && hint < (unsigned long)life)
        life = (long)hint;
    FRT_CHECK(SSL_SESSION_get_time(sess) + life > now, FIPSRT_E_STATE,
              "the session expired %ld s ago", (long)(now - SSL_SESSION_get_time(sess) - life));
    FRT_CHECK(SSL_SESSION_is_resumable(sess), FIPSRT_E_STATE, "the session is not resumable");
    /* The context's policy now: versions and suite (a stricter context refuses it). */
    int v = SSL_SESSION_get_protocol_version(sess);
    FRT_CHECK(v >= conn->ctx->min_proto && v <= conn->ctx->max_proto, FIPSRT_E_NOT_APPROVED,
              "the session's %s is outside this context's versions",
              v == TLS1_3_VERSION ? "TLS 1.3" : v == TLS1_2_VERSION ? "TLS 1.2" : "version");
    char why[160];
    FRT_CHECK(frt_tls_session_refusal(sess, why, sizeof(why)) == NULL, FIPSRT_E_NOT_APPROVED,
              "%s", why);
    FRT_OSSL(SSL_set_session(conn->ssl, sess), FIPSRT_E_INTERNAL);
out:
    SSL_SESSION_free(sess);
    return rv;
}
