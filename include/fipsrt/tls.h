/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file fipsrt/tls.h
 * @brief TLS 1.2/1.3 clients and servers under the FIPS TLS policy, over sockets or memory.
 *
 * A fipsrt_tls_ctx is made once from a fipsrt_tls_config (certificate and key, trust, ALPN,
 * client authentication, revocation, more certificates chosen by SNI) and is then immutable
 * (only the stapled OCSP responses of a server can be replaced): every connection and thread
 * shares it.
 * A fipsrt_tls_conn runs one TLS connection over a file descriptor (blocking or
 * non-blocking) or over memory buffers, where the application moves the ciphertext itself
 * (event loops, language bindings).
 *
 * The FIPS TLS policy is the library's, applied to every context, and nothing in the
 * configuration can widen it (the FIPS provider's properties are not the policy: OpenSSL
 * 3.0's provider serves X25519 with fips=yes although it is not approved):
 * - versions TLS 1.2 and TLS 1.3 only;
 * - TLS 1.3 suites TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384;
 * - TLS 1.2 suites ECDHE-ECDSA-AES128-GCM-SHA256, ECDHE-RSA-AES128-GCM-SHA256,
 *   ECDHE-ECDSA-AES256-GCM-SHA384, ECDHE-RSA-AES256-GCM-SHA384;
 * - key exchange groups P-256, P-384, P-521 (no X25519/X448, no finite-field DH);
 * - signature schemes ECDSA, RSA-PSS (rsae and pss) and RSA PKCS#1 v1.5, each with
 *   SHA-256/384/512;
 * - Extended Master Secret (RFC 7627) required on TLS 1.2: a server refuses a TLS 1.2
 *   ClientHello without it, a client aborts the handshake with a TLS 1.2 server that did
 *   not negotiate it (and checks again before any application data moves);
 * - no renegotiation, no compression;
 * - certificates (own and peer, in both directions) with RSA keys under 2048 bits, EC keys
 *   off P-256/P-384/P-521, other key types, or signatures made with SHA-1 or MD5 are
 *   refused (the self-signature of a trust anchor is not relied on and not checked).
 * fipsrt_tls_policy() returns these lists; `fipsrt status` prints them.
 *
 * - resumption: TLS 1.2 session IDs and tickets, TLS 1.3 tickets with PSK plus (EC)DHE
 *   only (psk_dhe_ke: every resumed TLS 1.3 connection runs a fresh P-curve key exchange,
 *   so it keeps forward secrecy); 0-RTT early data is never accepted or sent (a server
 *   announces max_early_data 0 and refuses early data), since it can be replayed. Ticket
 *   protection is AES-256-CBC with HMAC-SHA-256 (RFC 5077 4) in the FIPS provider, keyed
 *   by HKDF-SHA-256 from the library's random keys or the application's
 *   (fipsrt_tls_ctx_set_ticket_keys());
 * - no kernel TLS: OpenSSL's kTLS option (SSL_OP_ENABLE_KTLS) would move record encryption
 *   into the kernel, outside the FIPS module. The library never sets it and clears it on
 *   every context after OpenSSL applied the system configuration (an `Options = KTLS` in
 *   openssl.cnf) and again on every connection, whatever the program set on the
 *   escape-hatch SSL_CTX; no configuration or environment variable turns it on.
 *
 * Errors: verification of the peer's certificate (expired, unknown CA, name mismatch,
 * policy, revocation) -> FIPSRT_E_TLS_VERIFY with the X.509 reason, the depth and the subject
 * in fipsrt_last_error() (revocation refusals read "revocation (CRL): ..." or
 * "revocation (OCSP): ..." followed by revoked, unknown, missing, stale, expired, bad
 * signature or malformed and the details); every other handshake or record failure (no shared version, suite
 * or group, missing Extended Master Secret, alerts, garbage, unexpected EOF) ->
 * FIPSRT_E_TLS with the reason.
 *
 * Errors after the handshake say so ("TLS failure after the handshake: <reason>"); only a
 * failure before the handshake completed is "TLS handshake failed: <reason>".
 *
 * Closing after a fatal error: when a call fails with FIPSRT_E_TLS or FIPSRT_E_TLS_VERIFY,
 * OpenSSL has already written its fatal alert to the transport (an fd connection: the
 * socket; a memory connection: drain it with fipsrt_tls_conn_drain() and send it). Do not
 * call fipsrt_tls_conn_shutdown() (it returns FIPSRT_E_STATE). Before closing a socket,
 * half-close it (shutdown(fd, SHUT_WR)) and read until the peer closes or a short timeout
 * passes: closing a socket that still holds unread input makes Linux send a TCP reset,
 * which can destroy the alert (and any answer sent before it) before the peer reads it.
 * Do the same after sending an answer to a request you did not read completely.
 *
 * Thread safety: contexts are thread-safe and shared. A connection belongs to one thread
 * at a time.
 */
#ifndef FIPSRT_TLS_H
#define FIPSRT_TLS_H

#include <fipsrt/cert.h>
#include <fipsrt/defs.h>
#include <fipsrt/keys.h>

FIPSRT_BEGIN_DECLS

/** A TLS context (client or server). Opaque, immutable after creation, thread-shareable. */
typedef struct fipsrt_tls_ctx fipsrt_tls_ctx;
/** One TLS connection. Opaque; one thread at a time. */
typedef struct fipsrt_tls_conn fipsrt_tls_conn;

/** Which end of the connection a context makes. Values are ABI. */
typedef enum fipsrt_tls_role {
    FIPSRT_TLS_CLIENT = 1,
    FIPSRT_TLS_SERVER = 2,
} fipsrt_tls_role;

/** Protocol versions (their wire values). Values are ABI. */
typedef enum fipsrt_tls_version {
    FIPSRT_TLS_VERSION_DEFAULT = 0,   /**< as a minimum: TLS 1.2 */
    FIPSRT_TLS_1_2 = 0x0303,
    FIPSRT_TLS_1_3 = 0x0304,
} fipsrt_tls_version;

/** Client certificate authentication on a server. Values are ABI. */
typedef enum fipsrt_tls_client_auth {
    FIPSRT_TLS_CLIENT_AUTH_NONE = 0,      /**< no certificate requested (default) */
    FIPSRT_TLS_CLIENT_AUTH_OPTIONAL = 1,  /**< requested; verified if the client sends one */
    FIPSRT_TLS_CLIENT_AUTH_REQUIRED = 2,  /**< a verified client certificate is required */
} fipsrt_tls_client_auth;

/**
 * Revocation checking with certificate revocation lists (CRLs), for the peer's chain (servers:
 * client certificates). Values are ABI.
 *
 * Every certificate of the peer's chain below the trust anchor is checked against a CRL from
 * its issuer (the CRLs the context was given: crl_file, crl_dir, crl_data). A certificate on
 * its issuer's CRL is refused (FIPSRT_E_TLS_VERIFY, "revoked" in the detail) in both checking
 * modes. The modes differ when no CRL from the issuer was given ("missing"): BEST_EFFORT
 * accepts the certificate, REQUIRE refuses it. A CRL past its nextUpdate is "stale" and
 * refused in both modes unless crl_allow_stale is set; a CRL whose signature does not verify
 * (in the FIPS provider) is refused ("bad signature"). CRLs are read when the context is
 * made: to take a newer CRL, make a new context (see the reload pattern below). A resumed
 * session is not checked again. insecure_skip_verify waives CRL refusals with the other
 * trust errors.
 */
typedef enum fipsrt_tls_crl_mode {
    FIPSRT_TLS_CRL_OFF = 0,          /**< no CRL checks (default) */
    FIPSRT_TLS_CRL_BEST_EFFORT = 1,  /**< check where a CRL from the issuer is present */
    FIPSRT_TLS_CRL_REQUIRE = 2,      /**< every certificate needs a CRL from its issuer */
} fipsrt_tls_crl_mode;

/**
 * Clients: what to do with the server's stapled OCSP response (RFC 6066 status_request,
 * RFC 6960). Values are ABI.
 *
 * With PREFER and REQUIRE the client asks for a stapled response and, when one comes,
 * verifies it: the signature (ECDSA or RSA PKCS#1 v1.5 with SHA-224/256/384/512 only; a
 * SHA-1 signed response is refused) by the certificate's issuer or by a responder the issuer
 * delegated (id-kp-OCSPSigning, issued directly by it), checked in the FIPS provider; that it
 * is about the server's certificate; and its freshness: thisUpdate not more than 5 minutes
 * in the future and nextUpdate not more than 5 minutes in the past (a response without
 * nextUpdate is accepted for 24 hours after thisUpdate). Any failure, and a "revoked" or
 * "unknown" status, refuses the handshake with FIPSRT_E_TLS_VERIFY and the reason ("revoked",
 * "unknown", "expired", "bad signature", "malformed") in the detail. Without a response
 * PREFER accepts the server, unless its certificate carries the TLS feature extension with
 * status_request ("must-staple", RFC 7633): then, as always with REQUIRE, the handshake is
 * refused ("missing"). IGNORE asks for nothing and does not honour must-staple.
 * insecure_skip_verify does not waive OCSP refusals.
 */
typedef enum fipsrt_tls_ocsp_mode {
    FIPSRT_TLS_OCSP_IGNORE = 0,      /**< no OCSP (default) */
    FIPSRT_TLS_OCSP_PREFER = 1,      /**< verify a stapled response if the server sends one */
    FIPSRT_TLS_OCSP_REQUIRE = 2,     /**< a stapled, verified, "good" response is required */
} fipsrt_tls_ocsp_mode;

/**
 * One more certificate chain and key of a server (fipsrt_tls_config.identities), chosen by
 * the name the client asks for (SNI). Initialise each with FIPSRT_TLS_IDENTITY_INIT or
 * fipsrt_tls_identity_init(); the library reads the array with the stride `size` of its
 * first element.
 *
 * Certificate and key: each from exactly one source, as the config's own. Keys go through
 * fipsrt_key_import_private() (PKCS#8, PEM or DER, unencrypted) and its policy.
 *
 * Names: the SNI names this chain serves, exact ("www.example.com") or a wildcard for one
 * label ("*.example.com" matches "a.example.com", not "example.com" nor "a.b.example.com");
 * none given: the certificate's DNS subjectAltNames. How a server picks for a ClientHello
 * with name N: the chains with an exact name N; if none, those with a matching wildcard; if
 * none (or no SNI), the default chains. The default chains are the config's own certificate
 * and the identities with is_default set; without an own certificate and with no identity
 * marked, the first identity. Among the chosen, one ECDSA and one RSA chain may serve the
 * same name: OpenSSL then picks what the client's signature algorithms allow (the first
 * listed wins between two of the same key type).
 */
typedef struct fipsrt_tls_identity {
    unsigned int version;           /**< FIPSRT_TLS_IDENTITY_VERSION */
    size_t size;                    /**< sizeof(fipsrt_tls_identity) */
    const char *cert_file;          /**< chain, PEM (leaf first) or one DER certificate */
    const uint8_t *cert_data;       /**< chain in memory, same encodings */
    size_t cert_len;
    const fipsrt_cert *cert;        /**< certificate as an object (no intermediates) */
    const char *key_file;           /**< private key file, PKCS#8 PEM or DER */
    const uint8_t *key_data;        /**< private key in memory */
    size_t key_len;
    const fipsrt_key *key;          /**< private key as an object */
    const char *const *names;       /**< SNI names served; NULL: the certificate's DNS names */
    size_t name_count;
    int is_default;                 /**< non-zero: also served without SNI or for unknown names */
} fipsrt_tls_identity;

/** Version of fipsrt_tls_identity this header describes. */
#define FIPSRT_TLS_IDENTITY_VERSION 1

/** Static initialiser: `fipsrt_tls_identity id = FIPSRT_TLS_IDENTITY_INIT;` */
#ifdef __cplusplus
#define FIPSRT_TLS_IDENTITY_INIT                                                            \
    ([] {                                                                                   \
        fipsrt_tls_identity init_{};                                                        \
        init_.version = FIPSRT_TLS_IDENTITY_VERSION;                                        \
        init_.size = sizeof(fipsrt_tls_identity);                                           \
        return init_;                                                                       \
    }())
#else
#define FIPSRT_TLS_IDENTITY_INIT                                                            \
    {.version = FIPSRT_TLS_IDENTITY_VERSION, .size = sizeof(fipsrt_tls_identity)}
#endif

/**
 * Initialise @p id for @p version (pass FIPSRT_TLS_IDENTITY_VERSION): everything zero except
 * version and size. Same result as FIPSRT_TLS_IDENTITY_INIT.
 * @return 0, FIPSRT_E_INVALID_ARG (NULL, unknown version)
 */
FIPSRT_API int fipsrt_tls_identity_init(fipsrt_tls_identity *id, unsigned int version);

/** Version of fipsrt_tls_config this header describes (2 added the revocation and
 * certificate block). */
#define FIPSRT_TLS_CONFIG_VERSION 2

/**
 * How to make a context. Initialise with FIPSRT_TLS_CONFIG_INIT or fipsrt_tls_config_init()
 * and set what you need; zero means the default everywhere. The library reads only the
 * fields of the recorded version. Nothing here can widen the FIPS TLS policy.
 *
 * Own certificate and key (required for servers, optional for clients: client
 * authentication): give each from exactly one source: a file, memory, or a libfipsrt object.
 * A chain (file or memory) is PEM with the leaf first and then its intermediates, or one DER
 * certificate; a key is PKCS#8 or the traditional EC/RSA form, PEM or DER, unencrypted.
 * They are checked against the policy when the context is made.
 *
 * Trust (how peer certificates are verified): any of a CA file (PEM), a CA directory
 * (OpenSSL hashed layout), CA certificates in memory (PEM, one or more; or one DER). A client
 * given none uses the system's default trust store. A server requesting client
 * certificates needs one.
 *
 * All pointers are read during fipsrt_tls_ctx_new() only; the context keeps copies or
 * references, so the caller may free them afterwards.
 */
typedef struct fipsrt_tls_config {
    unsigned int version;           /**< FIPSRT_TLS_CONFIG_VERSION */
    size_t size;                    /**< sizeof(fipsrt_tls_config) */
    fipsrt_tls_version min_version; /**< FIPSRT_TLS_1_2 (default) or FIPSRT_TLS_1_3 */

    const char *cert_file;          /**< own chain, PEM (leaf first) or one DER certificate */
    const uint8_t *cert_data;       /**< own chain in memory, same encodings */
    size_t cert_len;
    const fipsrt_cert *cert;        /**< own certificate as an object (no intermediates) */
    const char *key_file;           /**< own private key, PEM or DER */
    const uint8_t *key_data;        /**< own private key in memory */
    size_t key_len;
    const fipsrt_key *key;          /**< own private key as an object */

    const char *ca_file;            /**< trusted CA certificates, PEM file */
    const char *ca_dir;             /**< trusted CA directory (c_rehash layout) */
    const uint8_t *ca_data;         /**< trusted CA certificates in memory */
    size_t ca_len;

    const char *const *alpn;        /**< ALPN protocols in preference order (each 1..255 bytes) */
    size_t alpn_count;

    fipsrt_tls_client_auth client_auth;  /**< servers: request client certificates */
    int disable_session_tickets;    /**< non-zero: no resumption (it is on by default) */

    /**
     * DANGER: non-zero turns off verification of the peer's chain of trust, validity
     * dates and name: any certificate is accepted, an active attacker can impersonate the
     * peer. For tests and debugging only. The FIPS policy checks on the peer's
     * certificate (key sizes, signature hashes) still apply.
     */
    int insecure_skip_verify;

    /* ---- resumption and versions, config version 2 ---------------------------------- */
    /** Since version 2: the highest version, FIPSRT_TLS_1_3 (default) or FIPSRT_TLS_1_2. */
    fipsrt_tls_version max_version;
    /**
     * Since version 2: seconds a session may be resumed (the ticket lifetime a server
     * announces; sessions older than that are not resumed). 0: 7200 (two hours); at most
     * 604800 (RFC 8446 4.6.1). A server's own ticket keys are replaced every half of it.
     */
    unsigned int session_lifetime;
    /* ---- revocation and certificates, also config version 2 ------------------------------ */
    fipsrt_tls_crl_mode crl_mode;   /**< CRL checks of the peer's chain (default off) */
    const char *crl_file;           /**< CRLs, PEM ("X509 CRL" blocks) or one DER CRL */
    const char *crl_dir;            /**< a directory: every regular file holding CRLs is read
                                         when the context is made; other files are skipped */
    const uint8_t *crl_data;        /**< CRLs in memory, same encodings as crl_file */
    size_t crl_len;
    int crl_allow_stale;            /**< non-zero: accept CRLs past their nextUpdate */
    fipsrt_tls_ocsp_mode ocsp_mode; /**< clients: stapled OCSP responses (default ignore) */
    const fipsrt_tls_identity *identities; /**< servers: more chains, chosen by SNI */
    size_t identity_count;
} fipsrt_tls_config;

/** Static initialiser: `fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;` */
#ifdef __cplusplus
/* C++: a value-initialised copy (positional braces would trip -Wmissing-field-initializers). */
#define FIPSRT_TLS_CONFIG_INIT                                                              \
    ([] {                                                                                   \
        fipsrt_tls_config init_{};                                                          \
        init_.version = FIPSRT_TLS_CONFIG_VERSION;                                          \
        init_.size = sizeof(fipsrt_tls_config);                                             \
        return init_;                                                                       \
    }())
#else
#define FIPSRT_TLS_CONFIG_INIT                                                              \
    {.version = FIPSRT_TLS_CONFIG_VERSION, .size = sizeof(fipsrt_tls_config)}
#endif

/**
 * Initialise @p cfg for @p version (pass FIPSRT_TLS_CONFIG_VERSION): everything zero (the
 * defaults) except version and size. Same result as FIPSRT_TLS_CONFIG_INIT.
 * @return 0, FIPSRT_E_INVALID_ARG (NULL, unknown version)
 */
FIPSRT_API int fipsrt_tls_config_init(fipsrt_tls_config *cfg, unsigned int version);

/* ---- contexts ------------------------------------------------------------------------- */

/**
 * Make a client or server context. Loads and checks the certificate, key and trust
 * anchors, and sets the FIPS TLS policy on one OpenSSL SSL_CTX that all connections share.
 * @param cfg the configuration; NULL means the defaults (valid for clients only)
 * @param[out] out new context, to free with fipsrt_tls_ctx_free(); NULL on failure
 * @return 0;
 *   FIPSRT_E_INVALID_ARG: NULL @p out, unknown role, bad config version or size, a field
 *     given from two sources, certificate without key (or the reverse), a server without
 *     certificate, client authentication without trust anchors, a key that does not match
 *     the certificate, bad ALPN list, unreadable file (errno in the detail); unknown
 *     crl_mode or ocsp_mode, CRLs with crl_mode OFF, crl_mode REQUIRE without CRLs,
 *     ocsp_mode on a server, identities on a client, an identity without its key, with a
 *     bad size, a name that is not a DNS name or "*." wildcard, two defaults of one key type;
 *   FIPSRT_E_NOT_APPROVED: own certificate or key (or an identity's) outside the policy
 *     (RSA < 2048 bits, another curve or key type, signed with SHA-1 or MD5), a CRL signed
 *     with SHA-1 or MD5;
 *   FIPSRT_E_MALFORMED: a certificate, key or CRL that does not decode (encrypted keys too);
 *   the errors of fipsrt_key_import_private() for an identity's key;
 *   FIPSRT_E_NOMEM, FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_tls_ctx_new(fipsrt_tls_ctx **out, fipsrt_tls_role role,
                                  const fipsrt_tls_config *cfg);

/**
 * Release the caller's reference (NULL is a no-op). Open connections keep the context
 * alive, so a context may be freed while they run.
 */
FIPSRT_API void fipsrt_tls_ctx_free(fipsrt_tls_ctx *ctx);

/**
 * Servers: staple @p der (a DER OCSPResponse, as `openssl ocsp -respout` writes it) to
 * handshakes that present the certificate the response is about, for clients that ask for it
 * (status_request). Replaces the previous response for that certificate; @p der NULL with
 * @p len 0 removes every response. The response is copied. It is checked to be a successful
 * OCSP response about one of the context's certificates (serial number and issuer name),
 * not verified: the client does that. Thread-safe: may be called while connections run
 * (fetch a fresh response before the old one's nextUpdate). Not a cryptographic service.
 * @return 0, FIPSRT_E_INVALID_ARG (NULL, a client context, a response about none of the
 *   context's certificates, an unsuccessful response status),
 *   FIPSRT_E_MALFORMED (not a DER OCSPResponse), FIPSRT_E_NOMEM
 */
FIPSRT_API int fipsrt_tls_ctx_set_ocsp_response(fipsrt_tls_ctx *ctx, const uint8_t *der,
                                                size_t len);

/**
 * fipsrt_tls_ctx_set_ocsp_response() with the content of the file @p path (DER).
 * @return as fipsrt_tls_ctx_set_ocsp_response(); an unreadable file is
 *   FIPSRT_E_INVALID_ARG (errno in the detail)
 */
FIPSRT_API int fipsrt_tls_ctx_set_ocsp_response_file(fipsrt_tls_ctx *ctx, const char *path);

/*
 * Replacing certificates without downtime: a context is immutable, so make a new one from
 * the new files and publish it where connections are made; connections already running keep
 * the context they were made with (each holds a reference), so the old one is freed by
 * fipsrt_tls_ctx_free() at once and released when its last connection is freed. Publishing
 * must not race with a connection being made from the old pointer: make connections and
 * swap under one mutex (the critical section is fipsrt_tls_conn_new_fd(), no I/O), or in one
 * thread. examples/helloserver.c does this on SIGHUP.
 */

/** Role of a context, 0 for NULL. */
FIPSRT_API fipsrt_tls_role fipsrt_tls_ctx_role(const fipsrt_tls_ctx *ctx);

/* ---- connections ---------------------------------------------------------------------- */

/**
 * A connection over a connected socket (or any file descriptor). The fd's own mode
 * decides: blocking calls wait; with O_NONBLOCK they return FIPSRT_E_WANT_READ or
 * FIPSRT_E_WANT_WRITE (retry the same call when the fd is ready). Writes never raise
 * SIGPIPE. The connection does not own @p fd: close it yourself after
 * fipsrt_tls_conn_free().
 * @param peer_name clients: the server's DNS name or IP address literal, used for SNI (DNS
 *   names) and checked against its certificate; required unless insecure_skip_verify.
 *   Servers: must be NULL.
 * @param[out] out new connection, to free with fipsrt_tls_conn_free(); NULL on failure
 * @return 0, FIPSRT_E_INVALID_ARG (NULL, negative fd, missing or malformed @p peer_name),
 *         FIPSRT_E_NOMEM
 */
FIPSRT_API int fipsrt_tls_conn_new_fd(fipsrt_tls_conn **out, fipsrt_tls_ctx *ctx, int fd,
                                      const char *peer_name);

/**
 * A connection over memory buffers: put the bytes received from the peer in with
 * fipsrt_tls_conn_feed() (and fipsrt_tls_conn_feed_eof() when the transport closes), and
 * send the bytes fipsrt_tls_conn_drain() gives after every call. Calls that need more
 * input return FIPSRT_E_WANT_READ; FIPSRT_E_WANT_WRITE means the output buffer is full:
 * drain it. @p peer_name as fipsrt_tls_conn_new_fd().
 * @return 0, FIPSRT_E_INVALID_ARG, FIPSRT_E_NOMEM
 */
FIPSRT_API int fipsrt_tls_conn_new_mem(fipsrt_tls_conn **out, fipsrt_tls_ctx *ctx,
                                       const char *peer_name);

/**
 * Free a connection (NULL is a no-op). Sends nothing: call fipsrt_tls_conn_shutdown() first.
 * A server keeps the session of a connection that ended in close_notify from either side
 * (it can be resumed), also when the application frees it without answering the peer's
 * close_notify; a connection that failed, or is freed while open, loses its session.
 */
FIPSRT_API void fipsrt_tls_conn_free(fipsrt_tls_conn *conn);

/**
 * Run the handshake to completion (read and write do it implicitly). A client also checks,
 * before returning, that a TLS 1.2 server negotiated Extended Master Secret.
 * @return 0 (established; also when already established), FIPSRT_E_WANT_READ,
 *         FIPSRT_E_WANT_WRITE, FIPSRT_E_TLS_VERIFY, FIPSRT_E_TLS, FIPSRT_E_IO (errno in
 *         the detail), FIPSRT_E_STATE (the connection failed earlier), FIPSRT_E_INVALID_ARG
 */
FIPSRT_API int fipsrt_tls_conn_handshake(fipsrt_tls_conn *conn);

/**
 * Read up to @p cap bytes of application data (at least 1 on success).
 * @param[out] out_len bytes read (0 on any error); may not be NULL
 * @return 0, FIPSRT_E_CLOSED (the peer sent close_notify: a clean end of data),
 *         FIPSRT_E_WANT_READ, FIPSRT_E_WANT_WRITE, FIPSRT_E_TLS (including an EOF without
 *         close_notify: possible truncation), FIPSRT_E_TLS_VERIFY, FIPSRT_E_IO,
 *         FIPSRT_E_STATE, FIPSRT_E_INVALID_ARG (NULL, @p cap 0)
 */
FIPSRT_API int fipsrt_tls_conn_read(fipsrt_tls_conn *conn, void *buf, size_t cap,
                                    size_t *out_len);

/**
 * Write @p len bytes of application data. On a blocking fd all of it is written before
 * returning 0. Otherwise, when the transport cannot take more, FIPSRT_E_WANT_WRITE (or
 * _READ) is returned with *written telling how much was taken: call again with the rest
 * (starting at buf + *written) when the transport is ready.
 * @param[out] written bytes taken, also with FIPSRT_E_WANT_*; may not be NULL
 * @return 0, FIPSRT_E_WANT_READ, FIPSRT_E_WANT_WRITE, FIPSRT_E_TLS, FIPSRT_E_TLS_VERIFY,
 *         FIPSRT_E_IO (e.g. EPIPE), FIPSRT_E_STATE, FIPSRT_E_INVALID_ARG
 */
FIPSRT_API int fipsrt_tls_conn_write(fipsrt_tls_conn *conn, const void *buf, size_t len,
                                     size_t *written);

/**
 * Send close_notify (once; later calls return 0). Does not wait for the peer's
 * close_notify: close the transport afterwards.
 * @return 0, FIPSRT_E_WANT_WRITE, FIPSRT_E_WANT_READ, FIPSRT_E_IO, FIPSRT_E_STATE (the
 *         handshake did not complete, the connection failed, or a write returned
 *         FIPSRT_E_WANT_* and was not finished: call fipsrt_tls_conn_write() again with the
 *         rest first), FIPSRT_E_INVALID_ARG
 */
FIPSRT_API int fipsrt_tls_conn_shutdown(fipsrt_tls_conn *conn);

/* ---- memory transport ----------------------------------------------------------------- */

/**
 * Give the connection @p len bytes received from the peer. Takes as much as fits in its
 * input buffer (tens of KiB): *consumed may be less than @p len (process with handshake or
 * read, then feed the rest).
 * @return 0, FIPSRT_E_INVALID_ARG (NULL, an fd connection), FIPSRT_E_STATE (after feed_eof)
 */
FIPSRT_API int fipsrt_tls_conn_feed(fipsrt_tls_conn *conn, const void *data, size_t len,
                                    size_t *consumed);

/** Tell the connection the peer's transport closed (no more input). @return 0, FIPSRT_E_INVALID_ARG */
FIPSRT_API int fipsrt_tls_conn_feed_eof(fipsrt_tls_conn *conn);

/**
 * Take up to @p cap bytes the connection wants sent to the peer.
 * @param[out] out_len bytes taken (0 when there is nothing to send)
 * @return 0, FIPSRT_E_INVALID_ARG (NULL, an fd connection)
 */
FIPSRT_API int fipsrt_tls_conn_drain(fipsrt_tls_conn *conn, void *buf, size_t cap,
                                     size_t *out_len);

/** Bytes waiting to be drained (0 for NULL and fd connections). */
FIPSRT_API size_t fipsrt_tls_conn_pending_output(const fipsrt_tls_conn *conn);

/* ---- what was negotiated (valid after the handshake) ------------------------------------ */

/** Protocol version, 0 before the handshake. */
FIPSRT_API fipsrt_tls_version fipsrt_tls_conn_version(const fipsrt_tls_conn *conn);
/** Cipher suite, IANA name ("TLS_AES_128_GCM_SHA256"), or NULL before the handshake. */
FIPSRT_API const char *fipsrt_tls_conn_cipher(const fipsrt_tls_conn *conn);
/**
 * Key exchange group ("P-256", "P-384", "P-521"), or NULL before the handshake and for a
 * resumed TLS 1.2 session (no key exchange took place).
 */
FIPSRT_API const char *fipsrt_tls_conn_group(const fipsrt_tls_conn *conn);
/** Negotiated ALPN protocol (NUL-terminated), or NULL if none. */
FIPSRT_API const char *fipsrt_tls_conn_alpn(const fipsrt_tls_conn *conn);
/** 1 if the session was resumed, 0 if not (or NULL). */
FIPSRT_API int fipsrt_tls_conn_resumed(const fipsrt_tls_conn *conn);
/**
 * The peer's certificate.
 * @param[out] out new reference, to free with fipsrt_cert_free(); NULL on failure
 * @return 0, FIPSRT_E_INVALID_ARG, FIPSRT_E_STATE (no certificate: before the handshake,
 *         or a client that sent none), FIPSRT_E_NOMEM
 */
FIPSRT_API int fipsrt_tls_conn_peer_cert(fipsrt_cert **out, const fipsrt_tls_conn *conn);

/* ---- resumption ----------------------------------------------------------------------- */

/** Bytes of secret for one session-ticket key (fipsrt_tls_ctx_set_ticket_keys()). */
#define FIPSRT_TLS_TICKET_KEY_LEN 48

/**
 * Server: the session-ticket keys, so that several processes or hosts accept each other's
 * tickets. @p keys holds @p count keys of FIPSRT_TLS_TICKET_KEY_LEN bytes each, random
 * secrets shared by the fleet (e.g. from fipsrt_random()): the first encrypts new tickets,
 * all decrypt (the others are decrypt-only previous keys; a ticket one of them opens is
 * replaced by a new one under the first). Rotate by calling again with a new first key and
 * the old ones after it; a key dropped from the list makes its tickets fail over to a full
 * handshake. Each key's name, HMAC-SHA-256 and AES-256 keys are derived from its secret
 * with HKDF-SHA-256, all in the FIPS provider.
 * Without this call a server makes its own random key and replaces it every half session
 * lifetime (keeping the older ones while their tickets can be valid); after it, the
 * application's keys are used as given until the next call.
 * Thread-safe: connections in flight keep working.
 * @return 0; FIPSRT_E_INVALID_ARG (NULL, a client context, @p count not 1..8);
 *   FIPSRT_E_STATE (session tickets are disabled on the context)
 */
FIPSRT_API int fipsrt_tls_ctx_set_ticket_keys(fipsrt_tls_ctx *ctx, const uint8_t *keys,
                                              size_t count);

/**
 * Client: the connection's session as an opaque blob, to offer on a later connection to
 * the same server, also from another process (fipsrt_tls_conn_session_import()). TLS 1.3
 * sessions arrive after the handshake (NewSessionTicket): read from the connection first.
 * The blob holds the session's resumption secret: store it like a private key.
 * @param out buffer of @p cap bytes (NULL with @p cap 0 asks for the size)
 * @param[out] out_len bytes written, or needed with FIPSRT_E_BUFFER_TOO_SMALL
 * @return 0, FIPSRT_E_BUFFER_TOO_SMALL, FIPSRT_E_INVALID_ARG (NULL, a server connection),
 *   FIPSRT_E_STATE (not established, or no resumable session yet), FIPSRT_E_NOMEM
 */
FIPSRT_API int fipsrt_tls_conn_session_export(const fipsrt_tls_conn *conn, uint8_t *out,
                                              size_t cap, size_t *out_len);

/**
 * Client: offer a session from fipsrt_tls_conn_session_export() on this connection, before
 * its handshake. The server decides whether it resumes (fipsrt_tls_conn_resumed()); every
 * resumed connection is checked against the policy like a full one.
 * @return 0; FIPSRT_E_MALFORMED (not such a blob); FIPSRT_E_STATE (expired: older than its
 *   lifetime; not resumable; resumption disabled on the context; the handshake started);
 *   FIPSRT_E_NOT_APPROVED (its version or cipher suite is outside this context's policy,
 *   e.g. a TLS 1.2 session on a context with min_version TLS 1.3);
 *   FIPSRT_E_INVALID_ARG (NULL, a server connection, a session made for another peer_name)
 */
FIPSRT_API int fipsrt_tls_conn_session_import(fipsrt_tls_conn *conn, const uint8_t *data,
                                              size_t len);

/**
 * Clients: 1 if the server stapled an OCSP response that verified with status "good"
 * (ocsp_mode PREFER or REQUIRE), 0 otherwise (none sent, ocsp_mode IGNORE, NULL, before the
 * handshake, a resumed session: servers staple on full handshakes only, and the session's
 * original handshake was checked; ocsp_mode REQUIRE accepts resumption).
 */
FIPSRT_API int fipsrt_tls_conn_ocsp_stapled(const fipsrt_tls_conn *conn);

/* ---- policy --------------------------------------------------------------------------- */

/** Parts of the FIPS TLS policy. Values are ABI. */
typedef enum fipsrt_tls_policy_item {
    FIPSRT_TLS_POLICY_VERSIONS = 1,      /**< "TLSv1.2:TLSv1.3" */
    FIPSRT_TLS_POLICY_TLS13_SUITES = 2,  /**< colon-separated OpenSSL names */
    FIPSRT_TLS_POLICY_TLS12_SUITES = 3,
    FIPSRT_TLS_POLICY_GROUPS = 4,
    FIPSRT_TLS_POLICY_SIGALGS = 5,
    FIPSRT_TLS_POLICY_RULES = 6,         /**< the other rules, "; "-separated text */
} fipsrt_tls_policy_item;

/** The policy's lists as the library sets them; static strings; NULL for an unknown item. */
FIPSRT_API const char *fipsrt_tls_policy(fipsrt_tls_policy_item item);

/* ---- escape hatches ------------------------------------------------------------------- */

/**
 * The context's OpenSSL `SSL_CTX *`, for programs that already use OpenSSL (cast it).
 * Borrowed: valid while the context lives. An `SSL` made from it keeps the `SSL_CTX`, and
 * the library state its callbacks read, alive after fipsrt_tls_ctx_free().
 *
 * It stays (a FIPSRT_1.0 symbol cannot go, and programs read settings through it), but it
 * cannot widen the FIPS policy of any connection:
 * - The library's connections set the whole policy again on their own `SSL` when they are
 *   made: lists, versions, options, verification and callbacks changed on this `SSL_CTX` do
 *   not reach them (only a narrower protocol version range set here is kept). Settings
 *   that exist only on the `SSL_CTX` (ALPN, session cache and tickets, the ClientHello
 *   callback) belong to the library: changing them is not supported.
 * - OpenSSL's security callback, set here and on every library `SSL`, refuses each version,
 *   suite, group, signature scheme and certificate key outside the policy while OpenSSL
 *   negotiates: a peer that insists gets a fatal alert (handshake_failure) from OpenSSL.
 * - After every handshake of a library connection, the negotiated version, suite, group,
 *   signature schemes (both directions), Extended Master Secret on TLS 1.2 and the peer's
 *   certificate key are checked again. Outside the policy: FIPSRT_E_TLS ("FIPS policy: ..."
 *   in the detail) and a fatal alert to the peer (OpenSSL has no call that sends an alert
 *   after the handshake, so the library makes its record layer refuse a record: the peer
 *   sees unexpected_message on TLS 1.3, bad_record_mac on TLS 1.2).
 * - An `SSL` the program makes itself from this `SSL_CTX` inherits the security callback,
 *   the verification callback and an info callback that runs the same check when its
 *   handshake is done. That check cannot send an alert from inside OpenSSL: a connection
 *   outside the policy is made unusable instead (verify result
 *   X509_V_ERR_APPLICATION_VERIFICATION, SSL_write() fails, SSL_read() reports the end,
 *   its session is not cached).
 * What does not hold: a program that replaces those callbacks on this `SSL_CTX`
 * (SSL_CTX_set_security_callback, SSL_CTX_set_verify, SSL_CTX_set_info_callback) takes the
 * `SSL`s it makes itself outside the policy; the library's own connections keep it.
 * `fipsrt check` reports programs that import such libssl functions.
 */
FIPSRT_API void *fipsrt_tls_ctx_get_ssl_ctx(const fipsrt_tls_ctx *ctx);

/**
 * The connection's OpenSSL `SSL *` (borrowed, valid while the connection lives). The policy
 * was set on it when the connection was made; whatever the program changes on it before
 * the handshake, the check after the handshake (see fipsrt_tls_ctx_get_ssl_ctx()) fails
 * the connection with FIPSRT_E_TLS and a fatal alert if the result is outside the policy.
 * The app data slot (SSL_set_app_data) of this SSL, of any SSL the program makes from the
 * escape-hatch SSL_CTX, and of that SSL_CTX is the program's: the library keeps its own
 * state elsewhere.
 */
FIPSRT_API void *fipsrt_tls_conn_get_ssl(const fipsrt_tls_conn *conn);

FIPSRT_END_DECLS

#endif /* FIPSRT_TLS_H */
