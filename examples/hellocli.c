/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hellocli: fetch an https:// URL with the libfipsrt TLS client and print the body.
 *
 *   hellocli [--cacert FILE] [--cert FILE --key FILE] [--tls13 | --tls12] [--insecure]
 *            [--sess-in FILE] [--sess-out FILE] [--crl FILE] [--ocsp prefer|require]
 *            [--verbose] URL
 *
 * --sess-out saves the TLS session (0600: it holds the resumption secret) and --sess-in
 * offers a saved one, so a later run resumes it; --verbose then shows resumed=1.
 * The server's certificate is verified against --cacert (or the system's trust store) and
 * the URL's host name or IP address. --crl checks the chain against the CRLs in FILE (a
 * certificate whose issuer has none there is refused); --ocsp asks for a stapled OCSP
 * response and verifies it (prefer: when the server sends one or its certificate is
 * must-staple; require: always). Exit status: 0 for a 2xx answer, 1 for any other answer
 * or a TLS/verification failure (the reason goes to stderr), 2 for usage errors.
 */
#include <fcntl.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fipsrt/fipsrt.h>

#define RESPONSE_MAX (4u << 20)

struct url {
    char host[256];
    char port[8];
    char path[1024];
};

/* https://host[:port][/path], host possibly an [IPv6] literal. */
static int parse_url(const char *s, struct url *u)
{
    if (strncmp(s, "https://", 8) != 0)
        return -1;
    s += 8;
    const char *end = s + strcspn(s, "/");
    const char *host = s, *host_end, *colon;
    if (*s == '[') {
        host = s + 1;
        host_end = memchr(host, ']', (size_t)(end - host));
        if (host_end == NULL)
            return -1;
        colon = host_end[1] == ':' ? host_end + 1 : NULL;
    } else {
        colon = memchr(s, ':', (size_t)(end - s));
        host_end = colon ? colon : end;
    }
    size_t hlen = (size_t)(host_end - host);
    if (hlen == 0 || hlen >= sizeof(u->host))
        return -1;
    memcpy(u->host, host, hlen);
    u->host[hlen] = '\0';
    size_t plen = colon ? (size_t)(end - colon - 1) : 0;
    if (colon && (plen == 0 || plen >= sizeof(u->port)))
        return -1;
    snprintf(u->port, sizeof(u->port), "%.*s", colon ? (int)plen : 3, colon ? colon + 1 : "443");
    snprintf(u->path, sizeof(u->path), "%s", *end ? end : "/");
    return 0;
}

static int connect_to(const struct url *u)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res, *ai;
    int err = getaddrinfo(u->host, u->port, &hints, &res);
    if (err != 0) {
        fprintf(stderr, "hellocli: %s: %s\n", u->host, gai_strerror(err));
        return -1;
    }
    int fd = -1;
    for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        fprintf(stderr, "hellocli: cannot connect to %s port %s\n", u->host, u->port);
    return fd;
}

static int load_session(fipsrt_tls_conn *conn, const char *path)
{
    uint8_t blob[16384];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(blob, 1, sizeof(blob), f) : 0;
    if (f)
        fclose(f);
    if (n == 0) {
        fprintf(stderr, "hellocli: --sess-in %s: unreadable or empty\n", path);
        return -1;
    }
    int rv = fipsrt_tls_conn_session_import(conn, blob, n);
    if (rv < 0)  /* not fatal: the connection runs a full handshake */
        fprintf(stderr, "hellocli: --sess-in %s: %s\n  %s\n", path, fipsrt_strerror(rv),
                fipsrt_last_error());
    return 0;
}

static void save_session(const fipsrt_tls_conn *conn, const char *path)
{
    uint8_t blob[16384];
    size_t n = 0;
    int rv = fipsrt_tls_conn_session_export(conn, blob, sizeof(blob), &n);
    int fd = rv == 0 ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
    if (rv < 0)
        fprintf(stderr, "hellocli: --sess-out: %s\n  %s\n", fipsrt_strerror(rv), fipsrt_last_error());
    else if (fd < 0 || fchmod(fd, 0600) < 0 || write(fd, blob, n) != (ssize_t)n)
        fprintf(stderr, "hellocli: --sess-out %s: cannot write\n", path);
    if (fd >= 0)
        close(fd);
}

static int fail(const char *what, int rv)
{
    fprintf(stderr, "hellocli: %s: %s\n  %s\n", what, fipsrt_strerror(rv), fipsrt_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    const char *cacert = NULL, *cert = NULL, *key = NULL, *target = NULL, *crl = NULL, *ocsp = NULL;
    const char *sess_in = NULL, *sess_out = NULL;
    bool tls13 = false, tls12 = false, insecure = false, verbose = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--cacert") == 0 && i + 1 < argc)
            cacert = argv[++i];
        else if (strcmp(argv[i], "--cert") == 0 && i + 1 < argc)
            cert = argv[++i];
        else if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
            key = argv[++i];
        else if (strcmp(argv[i], "--sess-in") == 0 && i + 1 < argc)
            sess_in = argv[++i];
        else if (strcmp(argv[i], "--sess-out") == 0 && i + 1 < argc)
            sess_out = argv[++i];
        else if (strcmp(argv[i], "--crl") == 0 && i + 1 < argc)
            crl = argv[++i];
        else if (strcmp(argv[i], "--ocsp") == 0 && i + 1 < argc)
            ocsp = argv[++i];
        else if (strcmp(argv[i], "--tls13") == 0)
            tls13 = true;
        else if (strcmp(argv[i], "--tls12") == 0)
            tls12 = true;
        else if (strcmp(argv[i], "--insecure") == 0)
            insecure = true;
        else if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0)
            verbose = true;
        else if (argv[i][0] != '-' && target == NULL)
            target = argv[i];
        else
            target = NULL, i = argc;
    }
    struct url u;
    bool ocsp_ok = ocsp == NULL || strcmp(ocsp, "prefer") == 0 || strcmp(ocsp, "require") == 0;
    if (target == NULL || !ocsp_ok || parse_url(target, &u) < 0 || (tls12 && tls13)) {
        fprintf(stderr, "usage: hellocli [--cacert FILE] [--cert FILE --key FILE] [--tls13 | "
                        "--tls12] [--insecure] [--sess-in FILE] [--sess-out FILE] [--crl FILE] "
                        "[--ocsp prefer|require] [--verbose] "
                        "https://HOST[:PORT][/PATH]\n");
        return 2;
    }

    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    const char *alpn[] = {"http/1.1"};
    cfg.ca_file = cacert;
    cfg.cert_file = cert;
    cfg.key_file = key;
    cfg.min_version = tls13 ? FIPSRT_TLS_1_3 : FIPSRT_TLS_1_2;
    cfg.max_version = tls12 ? FIPSRT_TLS_1_2 : FIPSRT_TLS_1_3;
    cfg.insecure_skip_verify = insecure;
    cfg.crl_mode = crl ? FIPSRT_TLS_CRL_REQUIRE : FIPSRT_TLS_CRL_OFF;
    cfg.crl_file = crl;
    cfg.ocsp_mode = ocsp == NULL ? FIPSRT_TLS_OCSP_IGNORE
                    : ocsp[0] == 'p' ? FIPSRT_TLS_OCSP_PREFER : FIPSRT_TLS_OCSP_REQUIRE;
    cfg.alpn = alpn;
    cfg.alpn_count = 1;
    fipsrt_tls_ctx *ctx = NULL;
    fipsrt_tls_conn *conn = NULL;
    char *resp = NULL;
    int status = 1, rv = fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_CLIENT, &cfg);
    if (rv < 0) {
        status = fail("TLS setup", rv);
        goto out;
    }
    int fd = connect_to(&u);
    if (fd < 0)
        goto out;
    rv = fipsrt_tls_conn_new_fd(&conn, ctx, fd, u.host);
    if (rv == 0 && sess_in != NULL && load_session(conn, sess_in) < 0)
        goto close_fd;
    if (rv == 0)
        rv = fipsrt_tls_conn_handshake(conn);
    if (rv < 0) {
        status = fail("TLS handshake", rv);
        goto close_fd;
    }
    if (verbose) {
        fipsrt_cert *peer = NULL;
        char subject[256] = "?";
        if (fipsrt_tls_conn_peer_cert(&peer, conn) == 0)
            fipsrt_cert_subject(peer, subject, sizeof(subject), NULL);
        fipsrt_cert_free(peer);
        fprintf(stderr, "hellocli: %s %s %s alpn=%s peer=%s resumed=%d\n",
                fipsrt_tls_conn_version(conn) == FIPSRT_TLS_1_3 ? "TLSv1.3" : "TLSv1.2",
                fipsrt_tls_conn_cipher(conn),
                fipsrt_tls_conn_group(conn) ? fipsrt_tls_conn_group(conn) : "-",
                fipsrt_tls_conn_alpn(conn) ? fipsrt_tls_conn_alpn(conn) : "-", subject,
                fipsrt_tls_conn_resumed(conn));
        if (ocsp != NULL)
            fprintf(stderr, "hellocli: OCSP %s\n",
                    fipsrt_tls_conn_ocsp_stapled(conn) ? "response stapled, status good" : "none stapled");
    }

    /* HTTP/1.0: the answer is never chunked and ends when the server closes. */
    char req[1400];
    int n = snprintf(req, sizeof(req),
                     "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: fipsrt-hellocli/%s\r\n"
                     "Connection: close\r\n\r\n", u.path, u.host, fipsrt_version());
    size_t written;
    rv = fipsrt_tls_conn_write(conn, req, (size_t)n, &written);
    if (rv < 0) {
        status = fail("sending the request", rv);
        goto close_fd;
    }
    size_t len = 0, cap = 16384;
    resp = malloc(cap + 1);
    while (resp != NULL) {
        size_t got;
        if (len == cap) {
            char *bigger = cap < RESPONSE_MAX ? realloc(resp, 2 * cap + 1) : NULL;
            if (bigger == NULL) {
                fprintf(stderr, "hellocli: response too large\n");
                goto close_fd;
            }
            resp = bigger;
            cap *= 2;
        }
        rv = fipsrt_tls_conn_read(conn, resp + len, cap - len, &got);
        if (rv == FIPSRT_E_CLOSED)
            break;
        if (rv < 0) {
            status = fail("reading the response", rv);
            goto close_fd;
        }
        len += got;
    }
    if (resp == NULL)
        goto close_fd;
    resp[len] = '\0';
    if (sess_out != NULL)   /* after the response: TLS 1.3 tickets have arrived by now */
        save_session(conn, sess_out);
    fipsrt_tls_conn_shutdown(conn);

    char *body = strstr(resp, "\r\n\r\n");
    int code = 0;
    if (body == NULL || sscanf(resp, "HTTP/%*d.%*d %d", &code) != 1) {
        fprintf(stderr, "hellocli: not an HTTP response\n");
        goto close_fd;
    }
    body += 4;
    fwrite(body, 1, len - (size_t)(body - resp), stdout);
    status = code >= 200 && code < 300 ? 0 : 1;
    if (status != 0)
        fprintf(stderr, "hellocli: HTTP status %d\n", code);
close_fd:
    fipsrt_tls_conn_free(conn);
    close(fd);
out:
    free(resp);
    fipsrt_tls_ctx_free(ctx);
    return status;
}
