/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the TLS files share: the context and connection structs (lib/tls.c, lib/tls_conn.c),
 * the policy (lib/tls_policy.c) and the certificate object (lib/cert.c).
 */
#ifndef FIPSRT_TLS_INTERNAL_H
#define FIPSRT_TLS_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <fipsrt/cert.h>
#include <fipsrt/tls.h>

#include "internal.h"

/* ---- certificates (lib/cert.c) -------------------------------------------------------- */

struct fipsrt_cert {
    X509 *x509;
};

/* Wrap an X509 the caller already holds a reference to (taken over on success). */
FRT_HIDDEN int frt_cert_wrap(fipsrt_cert **out, X509 *x509);
/* True if the data looks like PEM text (after leading whitespace). */
FRT_HIDDEN bool frt_is_pem(const uint8_t *data, size_t len);

/* ---- contexts and connections --------------------------------------------------------- */

/* Client session cache: the last resumable session per peer name. */
#define FRT_TLS_SESSION_SLOTS 32
#define FRT_TLS_NAME_MAX 256

struct frt_tls_session {
    char name[FRT_TLS_NAME_MAX];
    SSL_SESSION *session;
    uint64_t stamp;             /* for least-recently-stored replacement */
};

/* A session-ticket key, derived from FIPSRT_TLS_TICKET_KEY_LEN bytes of secret. */
#define FRT_TICKET_KEYS_MAX 8
struct frt_ticket_key {
    unsigned char name[16], hmac[32], aes[32];
    int64_t born;               /* CLOCK_MONOTONIC seconds */
};

struct fipsrt_tls_ctx {
    SSL_CTX *ssl_ctx;
    fipsrt_tls_role role;
    bool insecure;              /* insecure_skip_verify: trust errors are accepted */
    bool tickets;               /* resumption on */
    unsigned char *alpn;        /* wire format (length-prefixed), or NULL */
    size_t alpn_len;
    pthread_mutex_t lock;       /* guards the session cache */
    struct frt_tls_session sessions[FRT_TLS_SESSION_SLOTS];
    uint64_t stamp;
    /* ---- policy per connection, resumption and versions (lib/tls_check.c) ---- */
    int min_proto, max_proto;   /* TLS1_2_VERSION / TLS1_3_VERSION */
    int verify_mode;            /* SSL_VERIFY_* set again on every SSL */
    unsigned lifetime;          /* session (ticket) lifetime, seconds */
    /* server session-ticket keys (lib/tls_session.c), guarded by lock: [0] encrypts */
    struct frt_ticket_key tkeys[FRT_TICKET_KEYS_MAX];
    size_t ntkeys;
    bool tkeys_auto;            /* the library's own keys, rotated every lifetime / 2 */
    /* revocation and certificates (lib/tls_revocation.c, lib/tls_certs.c) */
    struct frt_tls_revocation *rev;
    struct frt_tls_certs *certs;
};

enum frt_conn_state { FRT_CONN_NEW, FRT_CONN_OPEN, FRT_CONN_CLOSED, FRT_CONN_FAILED };

/* The fd transport's state, the data of our BIO (send/recv without SIGPIPE). */
struct frt_fdio {
    int fd;
    bool socket;                /* send/recv; else read/write */
    bool eof;
    int err;                    /* errno of the last failed call */
};

struct fipsrt_tls_conn {
    fipsrt_tls_ctx *ctx;
    SSL *ssl;
    BIO *net;                   /* memory transport: the application's end of the pair */
    bool mem;
    bool eof_fed;
    bool shutdown_sent;
    bool write_pending;     /* a write returned FIPSRT_E_WANT_*: OpenSSL must retry it first */
    struct frt_fdio fdio;
    enum frt_conn_state state;
    int fail_code;
    char *peer_name;
    /* Set by the callbacks, turned into the error text when the handshake fails. */
    bool verify_failed;         /* our verify callback refused the peer's chain */
    bool policy_failed;         /* a policy refusal that is not about certificates */
    char detail[384];
    char alpn[256];
    bool ocsp_good;             /* a stapled OCSP response verified "good" */
};

/* ---- policy (lib/tls_policy.c) -------------------------------------------------------- */

/* Set versions, suites, groups, signature schemes, options and security level on ctx. */
FRT_HIDDEN int frt_tls_apply_policy(SSL_CTX *ctx, fipsrt_tls_version min_version);
/* Check own certificate chain and key against the policy at context creation. */
FRT_HIDDEN int frt_tls_check_own(X509 *leaf, STACK_OF(X509) *chain, EVP_PKEY *key);
/* Verify callback: trust errors (unless insecure) and the certificate policy. */
FRT_HIDDEN int frt_tls_verify_cb(int ok, X509_STORE_CTX *store);
/* Server: refuse a TLS 1.2-only ClientHello without extended_master_secret. */
FRT_HIDDEN int frt_tls_client_hello_cb(SSL *ssl, int *alert, void *arg);
/* Client: note whether the ServerHello carried extended_master_secret. */
FRT_HIDDEN void frt_tls_msg_cb(int write_p, int version, int content_type, const void *buf,
                               size_t len, SSL *ssl, void *arg);
/* Client: did the ServerHello carry extended_master_secret? */
FRT_HIDDEN bool frt_tls_server_ems(SSL *ssl);
/* After a handshake: TLS 1.2 without EMS is refused (records the detail). */
FRT_HIDDEN bool frt_tls_ems_ok(struct fipsrt_tls_conn *conn);

/* The libfipsrt connection an SSL belongs to, or NULL (an SSL the program made from the
 * escape-hatch SSL_CTX): held as our own ex_data, never the program's app data. */
FRT_HIDDEN struct fipsrt_tls_conn *frt_tls_conn_of(const SSL *ssl);
FRT_HIDDEN int frt_tls_conn_attach(SSL *ssl, struct fipsrt_tls_conn *conn);

/* Write a policy or verification refusal into conn->detail. */
FRT_HIDDEN void frt_tls_conn_note(struct fipsrt_tls_conn *conn, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* SP 800-131A / SP 800-186 key rule of certificates (RSA >= 2048, EC on P-256/384/521):
 * NULL if `pk` is allowed, else the reason written into buf. */
FRT_HIDDEN const char *frt_tls_key_refusal(EVP_PKEY *pk, char *buf, size_t cap);

/* ---- policy per connection (lib/tls_check.c) ------------------------------------------ */

/* The SSL_CTX owns the fipsrt_tls_ctx (private ex_data, released with the SSL_CTX). */
FRT_HIDDEN int frt_tls_ctx_attach(SSL_CTX *sctx, fipsrt_tls_ctx *ctx);
FRT_HIDDEN fipsrt_tls_ctx *frt_tls_ctx_of(const SSL_CTX *sctx);
/* OpenSSL's security callback with the policy's allow-lists in front of the level. */
FRT_HIDDEN int frt_tls_security_cb(const SSL *s, const SSL_CTX *ctx, int op, int bits,
                                   int nid, void *other, void *ex);
/* Set the guards on the SSL_CTX (security and info callbacks, versions, forbidden options,
 * no early data), and the whole policy again on one of the library's SSLs. */
FRT_HIDDEN int frt_tls_guard_ctx(fipsrt_tls_ctx *ctx);
FRT_HIDDEN int frt_tls_guard_ssl(SSL *ssl, const fipsrt_tls_ctx *ctx);
/* After a handshake: NULL if what was negotiated is inside the policy, else the reason. */
FRT_HIDDEN const char *frt_tls_negotiated_refusal(SSL *ssl, char *buf, size_t cap);
/* Make OpenSSL send a fatal alert on an established connection (it fails afterwards). */
FRT_HIDDEN void frt_tls_abort(SSL *ssl);
/* SSL_CTX info callback: the after-handshake check for SSLs the program made itself. */
FRT_HIDDEN void frt_tls_info_cb(const SSL *ssl, int where, int ret);

/* A stored session (import): NULL if its version and suite are inside the policy. */
FRT_HIDDEN const char *frt_tls_session_refusal(const SSL_SESSION *sess, char *buf, size_t cap);

/* ---- session tickets (lib/tls_session.c) ---------------------------------------------- */

/* Lifetime on the SSL_CTX; servers with tickets: a random key and the ticket callback. */
FRT_HIDDEN int frt_tls_tickets_init(fipsrt_tls_ctx *ctx);

/* ---- contexts (lib/tls.c) ------------------------------------------------------------- */

/* Free the context's own state; called when the SSL_CTX that owns it goes. */
FRT_HIDDEN void frt_tls_ctx_release(fipsrt_tls_ctx *ctx);

FRT_HIDDEN void frt_tls_ctx_ref(fipsrt_tls_ctx *ctx);
/* Give a cached session for `name` to ssl (client), if any. */
FRT_HIDDEN void frt_tls_session_resume(fipsrt_tls_ctx *ctx, SSL *ssl, const char *name);
/* Drop the cached session for `name` (after a fatal error on a connection to it). */
FRT_HIDDEN void frt_tls_session_forget(fipsrt_tls_ctx *ctx, const char *name);

/* Read a whole (small) file; certificates from PEM or one DER certificate (lib/tls.c). */
FRT_HIDDEN int frt_tls_read_file(const char *what, const char *path, uint8_t **data, size_t *len);
FRT_HIDDEN int frt_tls_parse_certs(const char *what, const uint8_t *data, size_t len,
                                   STACK_OF(X509) **out);

/* ---- revocation (lib/tls_revocation.c) ------------------------------------------------ */

/* CRLs into the store, CRL flags, OCSP callbacks; called once by fipsrt_tls_ctx_new(). */
FRT_HIDDEN int frt_tls_revocation_setup(fipsrt_tls_ctx *ctx, const fipsrt_tls_config *cfg);
FRT_HIDDEN void frt_tls_revocation_free(struct frt_tls_revocation *rev);
/* From the verify callback for a failed check: true if the error is a revocation error the
 * configuration waives (missing CRL in best-effort mode, stale CRL when allowed); for one it
 * does not waive, writes the revocation reason into the connection's detail. */
FRT_HIDDEN bool frt_tls_revocation_verify(fipsrt_tls_ctx *ctx, struct fipsrt_tls_conn *conn,
                                          int err, int depth);

/* ---- several certificates (lib/tls_certs.c) ------------------------------------------- */

/* The own certificate plus the identities, SNI selection; called once by fipsrt_tls_ctx_new()
 * after the own certificate is loaded. */
FRT_HIDDEN int frt_tls_certs_setup(fipsrt_tls_ctx *ctx, const fipsrt_tls_config *cfg);
FRT_HIDDEN void frt_tls_certs_free(struct frt_tls_certs *certs);
/* The server's leaf certificates (borrowed), for matching OCSP responses. */
FRT_HIDDEN size_t frt_tls_certs_count(const struct frt_tls_certs *certs);
FRT_HIDDEN X509 *frt_tls_certs_leaf(const struct frt_tls_certs *certs, size_t i);

#endif /* FIPSRT_TLS_INTERNAL_H */
