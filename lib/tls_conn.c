/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLS connections: over a file descriptor (our own BIO: send/recv with MSG_NOSIGNAL, EINTR
 * retried) or over a BIO pair whose far end the application feeds and drains.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tls_internal.h"

#define MEM_BUF_SIZE (32 * 1024)   /* each direction of a memory connection: two records */

/* ---- the fd BIO ----------------------------------------------------------------------- */

static BIO_METHOD *fd_method;
/* Made on first use, under the lock, and again after a failure: an allocation failure must
 * not disable fd connections for the rest of the process (a pthread_once would). */
static pthread_mutex_t fd_method_lock = PTHREAD_MUTEX_INITIALIZER;

static int fd_write(BIO *bio, const char *buf, size_t len, size_t *written)
{
    struct frt_fdio *io = BIO_get_data(bio);
    BIO_clear_retry_flags(bio);
    for (;;) {
        ssize_t n = io->socket ? send(io->fd, buf, len, MSG_NOSIGNAL) : write(io->fd, buf, len);
        if (n >= 0) {
            *written = (size_t)n;
            return 1;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            BIO_set_retry_write(bio);
        else
            io->err = errno;
        return 0;
    }
}

static int fd_read(BIO *bio, char *buf, size_t len, size_t *got)
{
    struct frt_fdio *io = BIO_get_data(bio);
    BIO_clear_retry_flags(bio);
    for (;;) {
        ssize_t n = io->socket ? recv(io->fd, buf, len, 0) : read(io->fd, buf, len);
        if (n > 0) {
            *got = (size_t)n;
            return 1;
        }
        if (n == 0) {
            io->eof = true;
            return 0;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            BIO_set_retry_read(bio);
        else
            io->err = errno;
        return 0;
    }
}

static long fd_ctrl(BIO *bio, int cmd, long num, void *ptr)
{
    struct frt_fdio *io = BIO_get_data(bio);
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1;
    case BIO_CTRL_EOF:
        return io && io->eof;
    case BIO_C_GET_FD:  /* SSL_get_fd() for escape-hatch users */
        if (io == NULL)
            return -1;
        if (ptr != NULL)
            *(int *)ptr = io->fd;
        return io->fd;
    default:
        return 0;
    }
}

static int fd_create(BIO *bio)
{
    BIO_set_init(bio, 1);
    return 1;
}

static void make_fd_method(void)
{
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
                                 "fipsrt fd");
    if (m == NULL || !BIO_meth_set_write_ex(m, fd_write) || !BIO_meth_set_read_ex(m, fd_read) ||
        !BIO_meth_set_ctrl(m, fd_ctrl) || !BIO_meth_set_create(m, fd_create)) {
        BIO_meth_free(m);
        return;
    }
    fd_method = m;
}

/* ---- construction --------------------------------------------------------------------- */

/* A DNS name (SNI and certificate check) or an IP literal (certificate check only). */
static bool valid_peer_name(const char *name, bool *is_ip)
{
    unsigned char addr[16];
    size_t len = strlen(name);
    *is_ip = inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1;
    if (*is_ip)
        return true;
    if (len == 0 || len > 253)
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '.' || *p == '_'))
            return false;
    return true;
}

static int conn_new(fipsrt_tls_conn **out, fipsrt_tls_ctx *ctx, const char *peer_name)
{
    int rv = FIPSRT_OK;
    fipsrt_tls_conn *c = NULL;
    bool is_ip = false;
    frt_init();
    FRT_ARG(out != NULL);
    *out = NULL;
    FRT_ARG(ctx != NULL);
    if (ctx->role == FIPSRT_TLS_SERVER) {
        FRT_CHECK(peer_name == NULL, FIPSRT_E_INVALID_ARG,
                  "peer_name is for clients: a server connection takes NULL");
    } else {
        FRT_CHECK(peer_name != NULL || ctx->insecure, FIPSRT_E_INVALID_ARG,
                  "a verifying client needs the server's name (peer_name)");
        FRT_CHECK(peer_name == NULL || valid_peer_name(peer_name, &is_ip), FIPSRT_E_INVALID_ARG,
                  "peer_name is neither a DNS name nor an IP address");
    }
    c = calloc(1, sizeof(*c));
    FRT_CHECK(c != NULL, FIPSRT_E_NOMEM, "out of memory");
    c->fdio.fd = -1;
    frt_tls_ctx_ref(ctx);
    c->ctx = ctx;
    FRT_OSSL_PTR(c->ssl, SSL_new(ctx->ssl_ctx), FIPSRT_E_NOMEM);
    FRT_OSSL(frt_tls_conn_attach(c->ssl, c), FIPSRT_E_NOMEM);
    /* The policy again, on this SSL: whatever the program did to the shared SSL_CTX. */
    FRT_TRY(frt_tls_guard_ssl(c->ssl, ctx));
    SSL_set_mode(c->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (ctx->role == FIPSRT_TLS_SERVER) {
        SSL_set_accept_state(c->ssl);
    } else {
        SSL_set_connect_state(c->ssl);
        if (peer_name != NULL) {
            c->peer_name = strdup(peer_name);
            FRT_CHECK(c->peer_name != NULL, FIPSRT_E_NOMEM, "out of memory");
            if (is_ip) {
                /* RFC 6066: no SNI for IP literals; the certificate needs an IP SAN. The name
                 * passed valid_peer_name(): these setters fail only for lack of memory (libssl
                 * says "internal error" or nothing). */
                FRT_OSSL(X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), peer_name),
                         FIPSRT_E_NOMEM);
            } else {
                FRT_OSSL(SSL_set_tlsext_host_name(c->ssl, peer_name), FIPSRT_E_NOMEM);
                FRT_OSSL(SSL_set1_host(c->ssl, peer_name), FIPSRT_E_NOMEM);
                SSL_set_hostflags(c->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            }
            if (ctx->tickets)
                frt_tls_session_resume(ctx, c->ssl, peer_name);
        }
    }
    *out = c;
    c = NULL;
out:
    fipsrt_tls_conn_free(c);
    return rv;
}

FIPSRT_API int fipsrt_tls_conn_new_fd(fipsrt_tls_conn **out, fipsrt_tls_ctx *ctx, int fd,
                                      const char *peer_name)
{
    int rv = FIPSRT_OK;
    BIO *bio = NULL;
    int type;
    socklen_t type_len = sizeof(type);
    FRT_ARG(out != NULL);
    *out = NULL;
    FRT_ARG(fd >= 0);
    FRT_TRY(conn_new(out, ctx, peer_name));
    pthread_mutex_lock(&fd_method_lock);
    if (fd_method == NULL)
        make_fd_method();
    BIO_METHOD *method = fd_method;
    pthread_mutex_unlock(&fd_method_lock);
    FRT_CHECK(method != NULL, FIPSRT_E_NOMEM, "BIO_meth_new failed");
    FRT_OSSL_PTR(bio, BIO_new(method), FIPSRT_E_NOMEM);
    (*out)->fdio.fd = fd;
    (*out)->fdio.socket = getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) == 0;
    BIO_set_data(bio, &(*out)->fdio);
    SSL_set_bio((*out)->ssl, bio, bio);
out:
    if (rv < 0 && out != NULL) {
        fipsrt_tls_conn_free(*out);
        *out = NULL;
    }
    return rv;
}

FIPSRT_API int fipsrt_tls_conn_new_mem(fipsrt_tls_conn **out, fipsrt_tls_ctx *ctx,
                                       const char *peer_name)
{
    int rv = FIPSRT_OK;
    BIO *inner = NULL;
    FRT_TRY(conn_new(out, ctx, peer_name));
    FRT_OSSL(BIO_new_bio_pair(&inner, MEM_BUF_SIZE, &(*out)->net, MEM_BUF_SIZE), FIPSRT_E_NOMEM);
    SSL_set_bio((*out)->ssl, inner, inner);
    (*out)->mem = true;
out:
    if (rv < 0 && out != NULL) {
        fipsrt_tls_conn_free(*out);
        *out = NULL;
    }
    return rv;
}

FIPSRT_API void fipsrt_tls_conn_free(fipsrt_tls_conn *conn)
{
    if (conn == NULL)
        return;
    /* OpenSSL drops the session of an SSL freed before it sent close_notify, as if the
     * connection had failed. One the peer closed cleanly did not: its session stays
     * resumable whether or not the application answered with its own close_notify. */
    if (conn->ssl != NULL && conn->state == FRT_CONN_CLOSED)
        SSL_set_shutdown(conn->ssl, SSL_get_shutdown(conn->ssl) | SSL_SENT_SHUTDOWN);
    OSSL_LIB_CTX *prev = frt_ex_data_enter();   /* see lib/internal.h */
    SSL_free(conn->ssl);
    frt_ex_data_leave(prev);
    BIO_free(conn->net);
    free(conn->peer_name);
    fipsrt_tls_ctx_free(conn->ctx);
    free(conn);
}

/* ---- I/O ------------------------------------------------------------------------------ */

/* SSL_get_error() needs an empty queue before the call. Clearing costs ~800 instructions
 * even when there is nothing to clear, so look first: it shows in bulk throughput. */
static void clear_queue(void)
{
    if (ERR_peek_error() != 0)
        ERR_clear_error();
}

/* Record a fatal failure: the connection refuses further use. */
static int fail(fipsrt_tls_conn *c, const char *func, int code, const char *fmt, const char *arg)
{
    c->state = FRT_CONN_FAILED;
    c->fail_code = code;
    /* RFC 5246 7.2.2: a session that ended in a fatal error is not resumed. */
    if (c->peer_name != NULL && c->ctx->tickets)
        frt_tls_session_forget(c->ctx, c->peer_name);
    return frt_error(func, code, fmt, arg);
}

/* Turn a failed SSL call into a code and a detail text. */
static int ssl_failure(fipsrt_tls_conn *c, const char *func, int ret)
{
    switch (SSL_get_error(c->ssl, ret)) {
    case SSL_ERROR_WANT_READ:
        clear_queue();
        return FIPSRT_E_WANT_READ;
    case SSL_ERROR_WANT_WRITE:
        clear_queue();
        return FIPSRT_E_WANT_WRITE;
    case SSL_ERROR_ZERO_RETURN:
        /* Mid-handshake nothing was established (or verified): not a clean end. */
        if (c->state != FRT_CONN_OPEN)
            return fail(c, func, FIPSRT_E_TLS, "%s",
                        "the peer sent close_notify during the handshake");
        c->state = FRT_CONN_CLOSED;
        return frt_error(func, FIPSRT_E_CLOSED, "the peer closed the connection (close_notify)");
    case SSL_ERROR_SYSCALL:
        if (c->fdio.err != 0)
            return fail(c, func, FIPSRT_E_IO, "transport: %s", strerror(c->fdio.err));
        return fail(c, func, FIPSRT_E_TLS, "%s",
                    "the peer closed the connection without close_notify");
    default:
        break;
    }
    if (c->verify_failed)
        return fail(c, func, FIPSRT_E_TLS_VERIFY, "peer certificate verification failed: %s",
                    c->detail);
    if (c->policy_failed)
        return fail(c, func, FIPSRT_E_TLS, "%s", c->detail);
    unsigned long e = ERR_peek_error();
    if (ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
        return fail(c, func, FIPSRT_E_TLS, "%s",
                    "the peer closed the connection without close_notify (truncated)");
    /* Not SSL_is_init_finished(): it is false while OpenSSL handles a post-handshake message
     * (KeyUpdate, NewSessionTicket) and after any fatal error. What failed is in the text. */
    const char *reason = e != 0 ? ERR_reason_error_string(e) : NULL;
    if (c->state == FRT_CONN_NEW)
        return fail(c, func, FIPSRT_E_TLS, "TLS handshake failed: %s",
                    reason ? reason : "no reason given by OpenSSL");
    return fail(c, func, FIPSRT_E_TLS, "TLS failure after the handshake: %s",
                reason ? reason : "no reason given by OpenSSL");
}

/* Refuse a connection that failed before; names what happened then. */
static int check_usable(fipsrt_tls_conn *c, const char *func)
{
    if (c->state != FRT_CONN_FAILED)
        return FIPSRT_OK;
    return frt_error(func, FIPSRT_E_STATE, "the connection failed earlier (%s)",
                     fipsrt_strerror(c->fail_code));
}

static int handshake(fipsrt_tls_conn *c, const char *func)
{
    int rv = FIPSRT_OK;
    FRT_TRY(check_usable(c, func));
    if (c->state != FRT_CONN_NEW)
        return FIPSRT_OK;
    clear_queue();
    c->fdio.err = 0;
    int ret = SSL_do_handshake(c->ssl);
    if (ret != 1)
        return ssl_failure(c, func, ret);
    char why[192];
    if (!frt_tls_ems_ok(c) || frt_tls_negotiated_refusal(c->ssl, why, sizeof(why)) != NULL) {
        if (!c->policy_failed)
            frt_tls_conn_note(c, "FIPS policy: %s", why);
        c->policy_failed = true;
        frt_tls_abort(c->ssl);   /* a fatal alert to the peer */
        return fail(c, func, FIPSRT_E_TLS, "%s", c->detail);
    }
    const unsigned char *alpn = NULL;
    unsigned alpn_len = 0;
    SSL_get0_alpn_selected(c->ssl, &alpn, &alpn_len);
    if (alpn_len > 0 && alpn_len < sizeof(c->alpn))
        memcpy(c->alpn, alpn, alpn_len);
    c->state = FRT_CONN_OPEN;
    clear_queue();
out:
    return rv;
}

FIPSRT_API int fipsrt_tls_conn_handshake(fipsrt_tls_conn *conn)
{
    int rv = FIPSRT_OK;
    FRT_ARG(conn != NULL);
    rv = handshake(conn, __func__);
    /* Every 0 says "this connection runs under the FIPS TLS policy": it counts, also when the
     * handshake had completed before (docs/SERVICES.md, TLS). */
    if (rv == FIPSRT_OK)
        frt_service_approved();
out:
    return rv;
}

FIPSRT_API int fipsrt_tls_conn_read(fipsrt_tls_conn *conn, void *buf, size_t cap,
                                    size_t *out_len)
{
    int rv = FIPSRT_OK;
    FRT_ARG(out_len != NULL);
    *out_len = 0;
    FRT_ARG(conn != NULL);
    FRT_ARG(buf != NULL);
    FRT_ARG(cap > 0);
    FRT_TRY(handshake(conn, __func__));
    if (conn->state == FRT_CONN_CLOSED)
        return frt_error(__func__, FIPSRT_E_CLOSED, "the peer closed the connection (close_notify)");
    clear_queue();
    conn->fdio.err = 0;
    int ret = SSL_read_ex(conn->ssl, buf, cap, out_len);
    if (ret != 1) {
        rv = ssl_failure(conn, __func__, ret);
    } else {
        clear_queue();
        frt_service_approved();  /* records opened with an approved suite */
    }
out:
    return rv;
}

FIPSRT_API int fipsrt_tls_conn_write(fipsrt_tls_conn *conn, const void *buf, size_t len,
                                     size_t *written)
{
    int rv = FIPSRT_OK;
    const unsigned char *p = buf;
    FRT_ARG(written != NULL);
    *written = 0;
    FRT_ARG(conn != NULL);
    FRT_ARG(buf != NULL || len == 0);
    FRT_TRY(handshake(conn, __func__));
    clear_queue();
    while (*written < len) {
        size_t n = 0;
        conn->fdio.err = 0;
        int ret = SSL_write_ex(conn->ssl, p + *written, len - *written, &n);
        if (ret != 1) {
            rv = ssl_failure(conn, __func__, ret);
            conn->write_pending = rv == FIPSRT_E_WANT_WRITE || rv == FIPSRT_E_WANT_READ;
            return rv;
        }
        *written += n;
    }
    conn->write_pending = false;
    clear_queue();
    frt_service_approved();  /* all of it sealed with an approved suite; partial: no count */
out:
    return rv;
}

FIPSRT_API int fipsrt_tls_conn_shutdown(fipsrt_tls_conn *conn)
{
    int rv = FIPSRT_OK;
    FRT_ARG(conn != NULL);
    FRT_TRY(check_usable(conn, __func__));
    FRT_CHECK(conn->state != FRT_CONN_NEW, FIPSRT_E_STATE, "the handshake has not completed");
    if (conn->shutdown_sent)
        goto sent;
    /* OpenSSL sends no alert behind a half-sent record: retrying would fail the connection
     * ("bad write retry"). */
    FRT_CHECK(!conn->write_pending, FIPSRT_E_STATE, "%s",
              "an unfinished write: call fipsrt_tls_conn_write() again with the rest first");
    clear_queue();
    conn->fdio.err = 0;
    int ret = SSL_shutdown(conn->ssl);
    if (ret < 0)
        return ssl_failure(conn, __func__, ret);
    conn->shutdown_sent = true;
sent:
    frt_service_approved();  /* close_notify, a protected alert record */
out:
    return rv;
}

/* ---- memory transport ----------------------------------------------------------------- */

FIPSRT_API int fipsrt_tls_conn_feed(fipsrt_tls_conn *conn, const void *data, size_t len,
                                    size_t *consumed)
{
    int rv = FIPSRT_OK;
    FRT_ARG(consumed != NULL);
    *consumed = 0;
    FRT_ARG(conn != NULL);
    FRT_CHECK(conn->mem, FIPSRT_E_INVALID_ARG, "not a memory connection");
    FRT_ARG(data != NULL || len == 0);
    FRT_CHECK(!conn->eof_fed, FIPSRT_E_STATE, "input after fipsrt_tls_conn_feed_eof()");
    /* A BIO pair takes what fits and refuses (retry, no error queued) when full. */
    if (len > 0) {
        int w = BIO_write(conn->net, data, len > INT_MAX ? INT_MAX : (int)len);
        if (w > 0)
            *consumed = (size_t)w;
    }
out:
    return rv;
}

FIPSRT_API int fipsrt_tls_conn_feed_eof(fipsrt_tls_conn *conn)
{
    int rv = FIPSRT_OK;
    FRT_ARG(conn != NULL);
    FRT_CHECK(conn->mem, FIPSRT_E_INVALID_ARG, "not a memory connection");
    if (!conn->eof_fed)
        BIO_shutdown_wr(conn->net);
    conn->eof_fed = true;
out:
    return rv;
}

FIPSRT_API int fipsrt_tls_conn_drain(fipsrt_tls_conn *conn, void *buf, size_t cap,
                                     size_t *out_len)
{
    int rv = FIPSRT_OK;
    FRT_ARG(out_len != NULL);
    *out_len = 0;
    FRT_ARG(conn != NULL);
    FRT_CHECK(conn->mem, FIPSRT_E_INVALID_ARG, "not a memory connection");
    FRT_ARG(buf != NULL || cap == 0);
    /* Returns what is there, up to cap; when empty, a retry with no error queued. */
    if (cap > 0) {
        int r = BIO_read(conn->net, buf, cap > INT_MAX ? INT_MAX : (int)cap);
        if (r > 0)
            *out_len = (size_t)r;
    }
out:
    return rv;
}

FIPSRT_API size_t fipsrt_tls_conn_pending_output(const fipsrt_tls_conn *conn)
{
    return conn && conn->mem ? BIO_ctrl_pending(conn->net) : 0;
}

/* ---- queries -------------------------------------------------------------------------- */

static bool established(const fipsrt_tls_conn *c)
{
    return c != NULL && (c->state == FRT_CONN_OPEN || c->state == FRT_CONN_CLOSED);
}

FIPSRT_API fipsrt_tls_version fipsrt_tls_conn_version(const fipsrt_tls_conn *conn)
{
    if (!established(conn))
        return 0;
    int v = SSL_version(conn->ssl);
    return v == TLS1_3_VERSION ? FIPSRT_TLS_1_3 : v == TLS1_2_VERSION ? FIPSRT_TLS_1_2 : 0;
}

FIPSRT_API const char *fipsrt_tls_conn_cipher(const fipsrt_tls_conn *conn)
{
    const SSL_CIPHER *c = established(conn) ? SSL_get_current_cipher(conn->ssl) : NULL;
    return c ? SSL_CIPHER_standard_name(c) : NULL;
}

FIPSRT_API const char *fipsrt_tls_conn_group(const fipsrt_tls_conn *conn)
{
    if (!established(conn))
        return NULL;
    switch (SSL_get_negotiated_group(conn->ssl)) {
    case NID_X9_62_prime256v1: return "P-256";
    case NID_secp384r1: return "P-384";
    case NID_secp521r1: return "P-521";
    default: return NULL;
    }
}

FIPSRT_API const char *fipsrt_tls_conn_alpn(const fipsrt_tls_conn *conn)
{
    return established(conn) && conn->alpn[0] ? conn->alpn : NULL;
}

FIPSRT_API int fipsrt_tls_conn_resumed(const fipsrt_tls_conn *conn)
{
    return established(conn) && SSL_session_reused(conn->ssl) == 1;
}

FIPSRT_API int fipsrt_tls_conn_peer_cert(fipsrt_cert **out, const fipsrt_tls_conn *conn)
{
    int rv = FIPSRT_OK;
    X509 *x = NULL;
    FRT_ARG(out != NULL);
    *out = NULL;
    FRT_ARG(conn != NULL);
    x = established(conn) ? SSL_get1_peer_certificate(conn->ssl) : NULL;
    FRT_CHECK(x != NULL, FIPSRT_E_STATE, "no peer certificate (handshake not complete, or "
                                         "the client sent none)");
    FRT_TRY(frt_cert_wrap(out, x));
    x = NULL;
out:
    X509_free(x);
    return rv;
}

FIPSRT_API void *fipsrt_tls_conn_get_ssl(const fipsrt_tls_conn *conn)
{
    return conn ? conn->ssl : NULL;
}
