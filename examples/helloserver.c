/* SPDX-License-Identifier: Apache-2.0 */
/*
 * helloserver: an HTTPS server that answers GET / with "Hello, world!", with every
 * cryptographic operation in the OpenSSL FIPS provider (the counterpart of the Go
 * helloserver built with a FIPS toolchain).
 *
 *   helloserver [--addr ADDR] [--port PORT] [--cert FILE --key FILE]... [--ocsp FILE]...
 *               [--client-ca FILE] [--cert-out FILE] [--timeout SECONDS]
 *               [--ticket-keys FILE] [--max-version 1.2|1.3] [--verbose]
 *
 * Without --cert/--key it makes a P-256 key and a self-signed certificate for localhost,
 * 127.0.0.1 and ::1 in memory (--cert-out writes that certificate, for curl --cacert).
 * Repeated --cert/--key pairs serve several names: each chain answers the SNI names of its
 * certificate's DNS subjectAltNames, the first pair is the default (no SNI, unknown names);
 * an ECDSA and an RSA chain for the same name are chosen by what the client supports.
 * --ocsp staples a DER OCSP response (`openssl ocsp -respout`) to the certificate it is
 * about. SIGHUP reloads the certificates, keys and OCSP responses from their files without
 * downtime: new connections get the new context, connections in flight finish on the old.
 * --client-ca requires clients to present a certificate issued by that CA. One thread per
 * connection, at most 1024; each gets --timeout seconds (default 10) in all for its
 * handshake, request and response, however slowly the client sends. SIGINT or SIGTERM
 * stops accepting, ends the open connections and exits 0.
 * --ticket-keys FILE: session-ticket keys shared by several servers (each accepts the
 * others' tickets): one key per line, 96 hex digits (48 random bytes, e.g. `openssl rand
 * -hex 48`), the first encrypts and all decrypt. Without it the server makes and rotates
 * its own.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE  /* pipe2, accept4: built outside meson too (examples/Containerfile) */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <fipsrt/fipsrt.h>

#define MAX_CLIENTS 1024
#define REQUEST_MAX 8192
#define REQUEST_MAX_TEXT "8191"
#define TIMEOUT_S 10

static const char hello[] = "Hello, world!\n";

#define MAX_CERTS 8
#define CERT_OUT_FAILED (-1000)   /* not a FIPSRT_E_* code: --cert-out could not be written */

static struct {
    fipsrt_tls_ctx *tls;       /* the current context; swapped on SIGHUP under tls_lock */
    pthread_mutex_t tls_lock;
    bool verbose;
    int timeout_ms;            /* the whole exchange of one connection */
    pthread_mutex_t lock;
    pthread_cond_t idle;
    int fds[MAX_CLIENTS];      /* open client sockets, -1 when free */
    int active;
    /* The thread that last served each slot, joined by the main thread only (before the slot
     * is reused, and all of them before exit): see start_client(). */
    pthread_t tids[MAX_CLIENTS];
    bool joinable[MAX_CLIENTS];
} server = {.lock = PTHREAD_MUTEX_INITIALIZER, .idle = PTHREAD_COND_INITIALIZER,
             .tls_lock = PTHREAD_MUTEX_INITIALIZER};

static int signal_pipe[2] = {-1, -1};

/* Go's log format: "2024/04/15 10:22:21 message", on stderr. */
static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
    char stamp[32], line[1024];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y/%m/%d %H:%M:%S", &tm);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s %s\n", stamp, line);
    fflush(stderr);
}

static void on_signal(int sig)
{
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    ssize_t n = write(signal_pipe[1], &b, 1);
    (void)n;
    errno = saved;
}

static void peer_text(const struct sockaddr_storage *sa, char *buf, size_t cap)
{
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
        port = ntohs(in->sin_port);
        snprintf(buf, cap, "%s:%u", host, port);
    } else {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
        port = ntohs(in6->sin6_port);
        snprintf(buf, cap, "[%s]:%u", host, port);
    }
}

/* ---- one connection ------------------------------------------------------------------- */

struct client {
    int fd;
    int slot;
    int64_t deadline;          /* CLOCK_MONOTONIC ms */
    bool timed_out;
    char peer[64];
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* After FIPSRT_E_WANT_READ/_WRITE on the non-blocking socket: wait for it, but only until the
 * connection's deadline, so a client sending a byte at a time (slowloris) cannot hold a
 * thread longer than a fast one. True: retry the call. */
static bool wait_more(struct client *cl, int rv)
{
    if (rv != FIPSRT_E_WANT_READ && rv != FIPSRT_E_WANT_WRITE)
        return false;
    for (;;) {
        int64_t left = cl->deadline - now_ms();
        struct pollfd p = {.fd = cl->fd, .events = rv == FIPSRT_E_WANT_READ ? POLLIN : POLLOUT};
        int n = left > 0 ? poll(&p, 1, (int)left) : 0;
        if (n > 0)
            return true;
        if (n == 0) {
            cl->timed_out = true;
            return false;
        }
        if (errno != EINTR)
            return false;
    }
}

static int write_all(struct client *cl, fipsrt_tls_conn *conn, const char *data, size_t len)
{
    size_t off = 0, written;
    int rv;
    while ((rv = fipsrt_tls_conn_write(conn, data + off, len - off, &written)) < 0) {
        off += written;
        if (!wait_more(cl, rv))
            break;
    }
    return rv;
}

/* Head and body in one write: one TLS record. */
static void respond(struct client *cl, fipsrt_tls_conn *conn, int status, const char *reason,
                    const char *body)
{
    char msg[512];
    int n = snprintf(msg, sizeof(msg),
                     "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                     status, reason, strlen(body), body);
    write_all(cl, conn, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
}

/* Read until the end of the request head; 0 on success. */
static int read_request(struct client *cl, fipsrt_tls_conn *conn, char *buf, size_t cap)
{
    size_t len = 0;
    while (len < cap - 1) {
        size_t n;
        int rv = fipsrt_tls_conn_read(conn, buf + len, cap - 1 - len, &n);
        if (rv < 0 && wait_more(cl, rv))
            continue;
        if (rv < 0)
            return rv;
        len += n;
        buf[len] = '\0';
        if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
            return 0;
    }
    return FIPSRT_E_INVALID_ARG;  /* request head too large */
}

/* Half-close, then read what the client still sends (its close_notify, say) until it closes:
 * closing a socket with unread input makes the kernel send a reset, which can destroy the
 * response before the client has read it. */
static void linger_close(int fd)
{
    char sink[4096];
    int64_t end = now_ms() + 1000;   /* one second in all, however the client drips */
    shutdown(fd, SHUT_WR);
    for (int64_t left; (left = end - now_ms()) > 0;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, (int)left) <= 0 || read(fd, sink, sizeof(sink)) <= 0)
            break;
    }
}

static void serve(struct client *cl)
{
    fipsrt_tls_conn *conn = NULL;
    char req[REQUEST_MAX];
    /* The connection takes its own reference to the context: a reload may free ours. */
    pthread_mutex_lock(&server.tls_lock);
    int rv = fipsrt_tls_conn_new_fd(&conn, server.tls, cl->fd, NULL);
    pthread_mutex_unlock(&server.tls_lock);
    if (rv == 0)
        while ((rv = fipsrt_tls_conn_handshake(conn)) < 0 && wait_more(cl, rv))
            ;
    if (rv < 0) {
        logf_("http: TLS handshake error from %s: %s", cl->peer,
              cl->timed_out ? "timed out" : fipsrt_last_error());
        linger_close(cl->fd);  /* so that our alert reaches the client */
        goto done;
    }
    rv = read_request(cl, conn, req, sizeof(req));
    if (rv < 0) {
        if (rv != FIPSRT_E_CLOSED && server.verbose)
            logf_("%s: reading request: %s", cl->peer,
                  cl->timed_out             ? "timed out"
                  : rv == FIPSRT_E_INVALID_ARG ? "request head larger than " REQUEST_MAX_TEXT " bytes"
                                               : fipsrt_last_error());
        if (rv == FIPSRT_E_INVALID_ARG) {
            respond(cl, conn, 431, "Request Header Fields Too Large", "request head too large\n");
            while ((rv = fipsrt_tls_conn_shutdown(conn)) < 0 && wait_more(cl, rv))
                ;
        }
        /* After a fatal error too: the alert (or the 431) must reach the client before the
         * socket closes, and unread input would turn the close into a reset. */
        linger_close(cl->fd);
        goto done;
    }
    char method[16], path[1024];
    int status;
    if (sscanf(req, "%15s %1023s HTTP/", method, path) != 2) {
        status = 400;
        respond(cl, conn, status, "Bad Request", "bad request\n");
    } else if (strcmp(method, "GET") != 0) {
        status = 405;
        respond(cl, conn, status, "Method Not Allowed", "method not allowed\n");
    } else if (strcmp(path, "/") != 0) {
        status = 404;
        respond(cl, conn, status, "Not Found", "404 page not found\n");
    } else {
        status = 200;
        respond(cl, conn, status, "OK", hello);
    }
    if (server.verbose)
        logf_("%s %s %s %s alpn=%s resumed=%d \"%s %s\" %d", cl->peer,
              fipsrt_tls_conn_version(conn) == FIPSRT_TLS_1_3 ? "TLSv1.3" : "TLSv1.2",
              fipsrt_tls_conn_cipher(conn), fipsrt_tls_conn_group(conn) ? fipsrt_tls_conn_group(conn) : "-",
              fipsrt_tls_conn_alpn(conn) ? fipsrt_tls_conn_alpn(conn) : "-",
              fipsrt_tls_conn_resumed(conn), status == 400 ? "?" : method, status == 400 ? "?" : path,
              status);
    while ((rv = fipsrt_tls_conn_shutdown(conn)) < 0 && wait_more(cl, rv))
        ;
    linger_close(cl->fd);
done:
    fipsrt_tls_conn_free(conn);
}

static void *client_thread(void *arg)
{
    struct client *cl = arg;
    serve(cl);
    pthread_mutex_lock(&server.lock);
    server.fds[cl->slot] = -1;
    close(cl->fd);
    if (--server.active == 0)
        pthread_cond_broadcast(&server.idle);
    pthread_mutex_unlock(&server.lock);
    free(cl);
    return NULL;
}

/*
 * Client threads are joined, not detached. A thread releases its slot (server.active) before
 * it returns, and after it returns its thread-exit handlers still run: OpenSSL's (ERR state,
 * per-thread DRBGs) and libfipsrt's (per-thread digest and HMAC contexts). A detached thread
 * could still be in them when main() returns and exit() runs OpenSSL's and libfipsrt's exit
 * cleanup, which frees the locks and providers those handlers use: SIGSEGV at shutdown in
 * CRYPTO_THREAD_read_lock under __nptl_deallocate_tsd (seen in tests/test_tls.c
 * test_bad_input_server). Main thread only.
 */
static void join_slot(int slot)
{
    if (server.joinable[slot]) {
        pthread_join(server.tids[slot], NULL);
        server.joinable[slot] = false;
    }
}

static void start_client(int fd, const struct sockaddr_storage *sa)
{
    struct client *cl = calloc(1, sizeof(*cl));
    if (cl == NULL) {
        close(fd);
        return;
    }
    cl->fd = fd;
    cl->deadline = now_ms() + server.timeout_ms;
    peer_text(sa, cl->peer, sizeof(cl->peer));
    pthread_mutex_lock(&server.lock);
    cl->slot = -1;
    for (int i = 0; i < MAX_CLIENTS && cl->slot < 0; i++)
        if (server.fds[i] < 0)
            cl->slot = i;
    if (cl->slot >= 0) {
        server.fds[cl->slot] = fd;
        server.active++;
    }
    pthread_mutex_unlock(&server.lock);
    if (cl->slot < 0) {
        logf_("http: too many connections, dropping %s", cl->peer);
        close(fd);
        free(cl);
        return;
    }
    /* The slot's previous thread has released it and is exiting (or gone): reap it. */
    int slot = cl->slot;   /* cl is the thread's from pthread_create on */
    join_slot(slot);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    int err = pthread_create(&server.tids[slot], &attr, client_thread, cl);
    pthread_attr_destroy(&attr);
    if (err != 0) {
        logf_("http: pthread_create: %s", strerror(err));
        client_thread(cl);  /* releases the slot and the socket */
    } else {
        server.joinable[slot] = true;
    }
}

/* ---- setup ---------------------------------------------------------------------------- */

static int listen_on(const char *addr, const char *port, char *url, size_t url_cap)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE}, *res;
    int err = getaddrinfo(addr, port, &hints, &res);
    if (err != 0) {
        fprintf(stderr, "helloserver: %s:%s: %s\n", addr, port, gai_strerror(err));
        return -1;
    }
    int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 256) < 0) {
        fprintf(stderr, "helloserver: listen on %s:%s: %s\n", addr, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    struct sockaddr_storage sa;
    socklen_t len = sizeof(sa);
    getsockname(fd, (struct sockaddr *)&sa, &len);
    char where[64];
    peer_text(&sa, where, sizeof(where));
    snprintf(url, url_cap, "https://%s", where);
    return fd;
}

/* The P-256 key and self-signed certificate made when no --cert is given. */
static int self_signed(const char *addr, fipsrt_key **key, fipsrt_cert **cert)
{
    const char *dns[] = {"localhost"};
    const char *ips[3] = {"127.0.0.1", "::1"};
    size_t nips = 2;
    unsigned char tmp[16];
    if ((inet_pton(AF_INET, addr, tmp) == 1 || inet_pton(AF_INET6, addr, tmp) == 1) &&
        strcmp(addr, "127.0.0.1") != 0 && strcmp(addr, "::1") != 0)
        ips[nips++] = addr;
    fipsrt_cert_params p = FIPSRT_CERT_PARAMS_INIT;
    p.common_name = "localhost";
    p.dns_names = dns;
    p.dns_count = 1;
    p.ip_addresses = ips;
    p.ip_count = nips;
    p.not_after = (int64_t)time(NULL) + 30 * 86400;
    int rv = fipsrt_key_generate_ec(key, FIPSRT_EC_P256);
    if (rv == 0)
        rv = fipsrt_cert_selfsign(cert, *key, &p);
    return rv;
}

static void log_certificate(const fipsrt_cert *cert, bool generated)
{
    uint8_t der[4096], digest[FIPSRT_SHA256_SIZE];
    size_t der_len;
    char subject[256], fp[3 * FIPSRT_SHA256_SIZE + 1] = "";
    if (fipsrt_cert_export(cert, FIPSRT_CERT_DER, der, sizeof(der), &der_len) != 0 ||
        fipsrt_hash(FIPSRT_HASH_SHA256, der, der_len, digest, sizeof(digest), NULL) != 0 ||
        fipsrt_cert_subject(cert, subject, sizeof(subject), NULL) != 0)
        return;
    for (size_t i = 0; i < sizeof(digest); i++)
        snprintf(fp + 3 * i, 4, "%02X%s", digest[i], i + 1 < sizeof(digest) ? ":" : "");
    logf_("certificate %s%s, SHA-256 fingerprint %s", subject,
          generated ? " (self-signed P-256, generated in memory)" : "", fp);
}

static int write_cert(const fipsrt_cert *cert, const char *path)
{
    uint8_t pem[4096];
    size_t len;
    int rv = fipsrt_cert_export(cert, FIPSRT_CERT_PEM, pem, sizeof(pem), &len);
    FILE *f = rv == 0 ? fopen(path, "w") : NULL;
    if (f == NULL || fwrite(pem, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "helloserver: --cert-out %s: %s\n", path, rv ? fipsrt_last_error() : strerror(errno));
        return -1;
    }
    return 0;
}

/* --ticket-keys: lines of 2 * FIPSRT_TLS_TICKET_KEY_LEN hex digits. */
static int load_ticket_keys(fipsrt_tls_ctx *tls, const char *path)
{
    uint8_t keys[8 * FIPSRT_TLS_TICKET_KEY_LEN];
    size_t count = 0;
    char line[512];
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "helloserver: --ticket-keys %s: %s\n", path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL && count < 8) {
        size_t n = strcspn(line, "\r\n");
        if (n == 0)
            continue;
        uint8_t *k = keys + count * FIPSRT_TLS_TICKET_KEY_LEN;
        bool ok = n == 2 * FIPSRT_TLS_TICKET_KEY_LEN;
        for (size_t i = 0; ok && i < FIPSRT_TLS_TICKET_KEY_LEN; i++)
            ok = sscanf(line + 2 * i, "%2hhx", &k[i]) == 1;
        if (!ok) {
            fprintf(stderr, "helloserver: --ticket-keys %s: each line is %d hex digits\n", path,
                    2 * FIPSRT_TLS_TICKET_KEY_LEN);
            fclose(f);
            return -1;
        }
        count++;
    }
    fclose(f);
    int rv = count ? fipsrt_tls_ctx_set_ticket_keys(tls, keys, count) : FIPSRT_E_INVALID_ARG;
    memset(keys, 0, sizeof(keys));
    if (rv < 0)
        fprintf(stderr, "helloserver: --ticket-keys %s: %s\n  %s\n", path, fipsrt_strerror(rv),
                count ? fipsrt_last_error() : "no key in the file");
    return rv;
}

/* What the context is made from (kept for SIGHUP). */
static struct {
    const char *addr, *client_ca, *cert_out, *ticket_keys, *max_version;
    const char *cert[MAX_CERTS], *key[MAX_CERTS], *ocsp[MAX_CERTS];
    int ncert, nkey, nocsp;
} opts = {.addr = "127.0.0.1"};

static int make_context(fipsrt_tls_ctx **out, bool first)
{
    fipsrt_key *key = NULL;
    fipsrt_cert *cert = NULL;
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    fipsrt_tls_identity ids[MAX_CERTS];
    const char *alpn[] = {"http/1.1"};
    int rv = 0;
    if (opts.ncert > 0) {
        cfg.cert_file = opts.cert[0];
        cfg.key_file = opts.key[0];
        for (int i = 1; i < opts.ncert; i++) {
            fipsrt_tls_identity id = FIPSRT_TLS_IDENTITY_INIT;
            id.cert_file = opts.cert[i];
            id.key_file = opts.key[i];
            ids[i - 1] = id;
        }
        cfg.identities = ids;
        cfg.identity_count = (size_t)opts.ncert - 1;
    } else {
        rv = self_signed(opts.addr, &key, &cert);
        cfg.cert = cert;
        cfg.key = key;
    }
    cfg.alpn = alpn;
    cfg.alpn_count = 1;
    cfg.max_version = opts.max_version && strcmp(opts.max_version, "1.2") == 0 ? FIPSRT_TLS_1_2
                                                                               : FIPSRT_TLS_1_3;
    if (opts.client_ca != NULL) {
        cfg.ca_file = opts.client_ca;
        cfg.client_auth = FIPSRT_TLS_CLIENT_AUTH_REQUIRED;
    }
    if (rv == 0)
        rv = fipsrt_tls_ctx_new(out, FIPSRT_TLS_SERVER, &cfg);
    if (rv == 0 && opts.ticket_keys != NULL)
        rv = load_ticket_keys(*out, opts.ticket_keys);
    for (int i = 0; rv == 0 && i < opts.nocsp; i++)
        rv = fipsrt_tls_ctx_set_ocsp_response_file(*out, opts.ocsp[i]);
    if (rv < 0) {
        fipsrt_tls_ctx_free(*out);
        *out = NULL;
    }
    if (rv == 0 && cert != NULL && first) {
        log_certificate(cert, true);
        if (opts.cert_out != NULL && write_cert(cert, opts.cert_out) < 0)
            rv = CERT_OUT_FAILED;
    }
    fipsrt_cert_free(cert);
    fipsrt_key_free(key);
    return rv;
}

/* SIGHUP: a new context from the files; the old one lives on in its connections. */
static void reload(void)
{
    fipsrt_tls_ctx *fresh = NULL, *old;
    if (opts.ncert == 0) {   /* a new self-signed certificate would break --cert-out users */
        logf_("SIGHUP: no --cert files to reload (the certificate is generated)");
        return;
    }
    if (make_context(&fresh, false) < 0) {
        logf_("reload failed, keeping the current certificates: %s", fipsrt_last_error());
        return;
    }
    pthread_mutex_lock(&server.tls_lock);
    old = server.tls;
    server.tls = fresh;
    pthread_mutex_unlock(&server.tls_lock);
    fipsrt_tls_ctx_free(old);
    logf_("certificates reloaded");
}

static void usage(FILE *f)
{
    fprintf(f, "usage: helloserver [--addr ADDR] [--port PORT] [--cert FILE --key FILE]...\n"
               "                   [--ocsp FILE]... [--client-ca FILE] [--cert-out FILE]\n"
               "                   [--timeout SECONDS] [--ticket-keys FILE]\n"
               "                   [--max-version 1.2|1.3] [--verbose]\n"
               "SIGHUP reloads the certificates, keys, OCSP responses and ticket keys.\n"
               "HTTPS hello server on 127.0.0.1:8443 by default; every operation runs in the\n"
               "OpenSSL FIPS provider (libfipsrt %s).\n", fipsrt_version());
}

int main(int argc, char **argv)
{
    const char *port = "8443", *timeout = NULL, *unused = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool full = false;
        const char **dst = strcmp(a, "--addr") == 0        ? &opts.addr
                           : strcmp(a, "--port") == 0      ? &port
                           : strcmp(a, "--client-ca") == 0 ? &opts.client_ca
                           : strcmp(a, "--cert-out") == 0  ? &opts.cert_out
                           : strcmp(a, "--timeout") == 0   ? &timeout
                           : strcmp(a, "--ticket-keys") == 0 ? &opts.ticket_keys
                           : strcmp(a, "--max-version") == 0 ? &opts.max_version
                           : strcmp(a, "--cert") == 0      ? (full = opts.ncert == MAX_CERTS) ? &unused : &opts.cert[opts.ncert++]
                           : strcmp(a, "--key") == 0       ? (full = opts.nkey == MAX_CERTS) ? &unused : &opts.key[opts.nkey++]
                           : strcmp(a, "--ocsp") == 0      ? (full = opts.nocsp == MAX_CERTS) ? &unused : &opts.ocsp[opts.nocsp++]
                                                           : NULL;
        if (full) {
            fprintf(stderr, "helloserver: at most %d of %s\n", MAX_CERTS, a);
            return 2;
        }
        if (dst != NULL && i + 1 < argc) {
            *dst = argv[++i];
        } else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0) {
            server.verbose = true;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    char *end = NULL;
    long secs = timeout ? strtol(timeout, &end, 10) : TIMEOUT_S;
    if (timeout != NULL && (*end != '\0' || secs < 1 || secs > 3600)) {
        fprintf(stderr, "helloserver: --timeout takes 1..3600 seconds\n");
        return 2;
    }
    server.timeout_ms = (int)secs * 1000;
    if (opts.ncert != opts.nkey) {
        fprintf(stderr, "helloserver: --cert and --key go together, in pairs\n");
        return 2;
    }

    if (opts.max_version != NULL && strcmp(opts.max_version, "1.2") != 0 &&
        strcmp(opts.max_version, "1.3") != 0) {
        fprintf(stderr, "helloserver: --max-version takes 1.2 or 1.3\n");
        return 2;
    }
    int rv = make_context(&server.tls, true);
    if (rv < 0) {
        if (rv != CERT_OUT_FAILED)
            fprintf(stderr, "helloserver: TLS setup: %s\n  %s\n", fipsrt_strerror(rv), fipsrt_last_error());
        return 1;
    }

    for (int i = 0; i < MAX_CLIENTS; i++)
        server.fds[i] = -1;
    char url[96];
    int lfd = listen_on(opts.addr, port, url, sizeof(url));
    if (lfd < 0 || pipe2(signal_pipe, O_CLOEXEC) < 0)
        return 1;
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);  /* belt and braces: the library's writes never raise it */
    logf_("serving %s", url);

    for (;;) {
        struct pollfd pfd[2] = {{.fd = lfd, .events = POLLIN}, {.fd = signal_pipe[0], .events = POLLIN}};
        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            logf_("poll: %s", strerror(errno));
            break;
        }
        if (pfd[1].revents) {
            unsigned char sig = 0;
            if (read(signal_pipe[0], &sig, 1) == 1 && sig == SIGHUP) {
                reload();
                continue;
            }
            break;
        }
        struct sockaddr_storage peer;
        socklen_t plen = sizeof(peer);
        /* Non-blocking: every wait is a poll bounded by the connection's deadline. */
        int fd = accept4(lfd, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd >= 0) {
            start_client(fd, &peer);
        } else if (errno != EINTR && errno != ECONNABORTED) {
            logf_("accept: %s", strerror(errno));
            /* Out of fds or memory: the connection stays queued and the listener readable;
             * back off (as Go's net/http does) rather than spin. */
            poll(NULL, 0, 100);
        }
    }

    logf_("shutting down");
    close(lfd);
    pthread_mutex_lock(&server.lock);
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (server.fds[i] >= 0)
            shutdown(server.fds[i], SHUT_RDWR);  /* wakes threads blocked in read */
    while (server.active > 0)
        pthread_cond_wait(&server.idle, &server.lock);
    pthread_mutex_unlock(&server.lock);
    for (int i = 0; i < MAX_CLIENTS; i++)
        join_slot(i);   /* their thread-exit handlers done before exit's cleanup (join_slot) */
    fipsrt_tls_ctx_free(server.tls);
    close(signal_pipe[0]);
    close(signal_pipe[1]);
    return 0;
}
