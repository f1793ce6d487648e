/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers of the TLS suite: a test PKI, background peer processes, in-memory TLS pairs. */
#ifndef FIPSRT_TLS_TESTUTIL_H
#define FIPSRT_TLS_TESTUTIL_H

#include <stdbool.h>
#include <sys/types.h>

#include <openssl/ssl.h>

#include "testutil.h"

/* True under valgrind or with FIPSRT_TEST_LIGHT set: loops and load get shorter. */
bool tls_light(void);
/* True when this process runs under valgrind. */
bool tls_on_valgrind(void);

/* ---- the test PKI ----------------------------------------------------------------------
 * Made once per process (first call) in a temporary directory removed at exit:
 *   ca          P-256 CA "fipsrt test CA"                      (ca.pem, ca.key)
 *   leaf        P-256, localhost/127.0.0.1/::1, issued by ca    (leaf.pem, leaf.key)
 *   leaf384     P-384, same names                               (leaf384.*)
 *   leafrsa     RSA-2048, same names                            (leafrsa.*)
 *   expired     P-256, expired yesterday                        (expired.*)
 *   wronghost   P-256 for other.example only                    (wronghost.*)
 *   unknown     P-256 leaf issued by another CA (not trusted)   (unknown.*, otherca.pem)
 *   client      P-256 client certificate "fipsrt test client"   (client.*)
 *   rsa1024     RSA-1024 leaf issued by ca (made by the openssl CLI, default provider)
 *   sha1        P-256 leaf issued by ca with ECDSA-SHA1 (openssl CLI, default provider)
 *   ed25519     Ed25519 leaf issued by ca (openssl CLI, default provider)
 * plus noems.cnf, an OpenSSL config that turns Extended Master Secret off.
 * Certificates and PKCS#8 keys as PEM; the CAs' keys too.
 */
const char *pki(const char *name);   /* path of a PKI file; static storage, 8 rotating */
char *pki_text(const char *name);    /* file content, malloc'd */

/* ---- background processes -------------------------------------------------------------- */

typedef struct bg {
    pid_t pid;
    char out[512], err[512];   /* stdout and stderr go to these files */
    char *name;
} bg;

/* Start argv (argv[0] a path) with env changes as run_process(); stdin from /dev/null. */
bg *bg_start(char *const argv[], const char *const env[]);
/* Wait until the process's stderr (or stdout) holds `count` occurrences of `needle`. */
bool bg_wait(bg *b, bool on_stderr, const char *needle, int count, double timeout_s);
/* Occurrences of needle in the output so far. */
int bg_count(bg *b, bool on_stderr, const char *needle);
/* The output so far (malloc'd). */
char *bg_output(bg *b, bool on_stderr);
/* Send `sig` (0: none), wait up to timeout_s for the exit (then SIGKILL); returns the raw
 * wait status, and frees b. */
int bg_stop(bg *b, int sig, double timeout_s);
/* Kill every process still running (test teardown). */
void bg_kill_all(void);

/* A TCP port on 127.0.0.1 that was free a moment ago (for peers that cannot report theirs). */
int free_port(void);
/* Executable paths. */
const char *helloserver_path(void);
const char *python3_path(void);
const char *peer_script(void);

/* helloserver on an ephemeral port with -v plus the given arguments (NULL-terminated);
 * _ex runs it under `wrapper` (e.g. valgrind and its options), when not NULL. */
bg *hello_start(const char *const extra[], int *port);
bg *hello_start_ex(const char *const wrapper[], const char *const extra[], int *port);

/* argv from a space-separated string (no quoting); static storage, one at a time. */
char **argv_split(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- connections ----------------------------------------------------------------------- */

/* A client connection over TCP to 127.0.0.1:port (connect + fipsrt_tls_conn_new_fd). */
int tcp_connect(int port);

/* One endpoint of an in-memory pair: a libfipsrt connection or a raw OpenSSL SSL. */
typedef struct endpoint {
    fipsrt_tls_conn *conn;
    SSL *ssl;
    BIO *net;    /* raw SSL: the far end of its BIO pair */
    int rv;      /* last handshake result */
    char detail[2048];                 /* fipsrt_last_error() of a failed handshake */
    unsigned char carry[32768];        /* sent by this endpoint, not yet taken by the peer */
    size_t carry_len, carry_off;
} endpoint;

/* Move ciphertext both ways; returns bytes moved. */
size_t pump(endpoint *a, endpoint *b);
/* Run both handshakes to completion or failure; the results land in a->rv, b->rv. */
void handshake_pair(endpoint *a, endpoint *b);
/* A raw OpenSSL endpoint on a BIO pair. */
void raw_endpoint(endpoint *e, SSL_CTX *ctx, bool server);
void endpoint_free(endpoint *e);

/* Contexts from PKI names ("leaf" -> leaf.pem + leaf.key), trusting ca.pem. */
fipsrt_tls_ctx *server_ctx(const char *identity, fipsrt_tls_config *cfg);
fipsrt_tls_ctx *client_ctx(fipsrt_tls_config *cfg);

#endif
