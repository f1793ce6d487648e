/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

#include <openssl/bio.h>
#include <openssl/err.h>

#include "tls_testutil.h"

bool tls_light(void)
{
    const char *e = getenv("FIPSRT_TEST_LIGHT");
    return RUNNING_ON_VALGRIND || (e != NULL && *e != '\0' && strcmp(e, "0") != 0);
}

bool tls_on_valgrind(void)
{
    return RUNNING_ON_VALGRIND;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the test PKI ---------------------------------------------------------------------- */

static char *pki_dir;
static pid_t pki_owner;

/* Setup runs outside any test (Check cannot report it): failures end the program. */
static void die(const char *what)
{
    fprintf(stderr, "test PKI: %s failed: %s\n", what, fipsrt_last_error());
    exit(2);
}

#define MUST(call)            \
    do {                      \
        if ((call) != 0)      \
            die(#call);       \
    } while (0)

/* Paths are interned: the pointers stay valid for the whole run (configs keep them). */
static const char *pki_path(const char *name)
{
    static struct {
        char *name, *path;
    } paths[64];
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    const char *found = NULL;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < 64 && found == NULL; i++) {
        if (paths[i].name == NULL) {
            char buf[1024];
            snprintf(buf, sizeof(buf), "%s/%s", pki_dir, name);
            paths[i].name = strdup(name);
            paths[i].path = strdup(buf);
        }
        if (strcmp(paths[i].name, name) == 0)
            found = paths[i].path;
    }
    pthread_mutex_unlock(&lock);
    if (found == NULL)
        die("too many PKI paths");
    return found;
}

static void shell(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void shell(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    if (system(cmd) != 0) {
        fprintf(stderr, "test PKI: command failed: %s\n", cmd);
        exit(2);
    }
}

static void save(const char *name, const void *data, size_t len)
{
    FILE *f = fopen(pki_path(name), "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        die(name);
}

static void save_pair(const char *base, const fipsrt_cert *cert, const fipsrt_key *key)
{
    uint8_t buf[8192];
    size_t len;
    char name[64];
    MUST(fipsrt_cert_export(cert, FIPSRT_CERT_PEM, buf, sizeof(buf), &len));
    snprintf(name, sizeof(name), "%s.pem", base);
    save(name, buf, len);
    MUST(fipsrt_key_export_private(key, FIPSRT_KEY_PEM, NULL, 0, buf, sizeof(buf), &len));
    snprintf(name, sizeof(name), "%s.key", base);
    save(name, buf, len);
}

static fipsrt_key *load_key(const char *name)
{
    size_t len;
    FILE *f = fopen(pki_path(name), "rb");
    uint8_t buf[8192];
    if (f == NULL)
        die(name);
    len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    fipsrt_key *key;
    MUST(fipsrt_key_import_private(&key, FIPSRT_KEY_PEM, buf, len, NULL, 0));
    return key;
}

static const char *const local_dns[] = {"localhost"};
static const char *const local_ips[] = {"127.0.0.1", "::1"};

/* Issue `base` for `key` by (issuer, issuer_key), or self-signed if issuer is NULL. */
static fipsrt_cert *make(const char *base, fipsrt_key *key, const char *cn, bool local_names,
                         int64_t nb, int64_t na, bool ca, fipsrt_cert *issuer, fipsrt_key *issuer_key)
{
    fipsrt_cert_params p = FIPSRT_CERT_PARAMS_INIT;
    static const char *const other[] = {"other.example"};
    p.common_name = cn;
    p.dns_names = local_names ? local_dns : other;
    p.dns_count = 1;
    p.ip_addresses = local_ips;
    p.ip_count = local_names ? 2 : 0;
    p.not_before = nb;
    p.not_after = na;
    p.is_ca = ca;
    if (ca)
        p.dns_count = p.ip_count = 0;
    fipsrt_cert *cert;
    if (issuer)
        MUST(fipsrt_cert_issue(&cert, key, &p, issuer, issuer_key));
    else
        MUST(fipsrt_cert_selfsign(&cert, key, &p));
    save_pair(base, cert, key);
    return cert;
}

static void remove_pki(void)
{
    if (pki_dir != NULL && getpid() == pki_owner)
        rm_rf(pki_dir);
}

static void make_pki(void)
{
    char tmpl[] = "/tmp/fipsrt-tls-pki.XXXXXX";
    pki_dir = strdup(mkdtemp(tmpl));
    pki_owner = getpid();
    atexit(remove_pki);
    int64_t now = (int64_t)time(NULL);
    int64_t day = 86400;
    fipsrt_key *cakey, *k;
    fipsrt_cert *ca, *c;

    MUST(fipsrt_key_generate_ec(&cakey, FIPSRT_EC_P256));
    ca = make("ca", cakey, "fipsrt test CA", false, now - day, now + 30 * day, true, NULL, NULL);
    MUST(fipsrt_key_generate_ec(&k, FIPSRT_EC_P256));
    fipsrt_cert_free(make("leaf", k, "localhost", true, 0, 0, false, ca, cakey));
    fipsrt_key_free(k);
    MUST(fipsrt_key_generate_ec(&k, FIPSRT_EC_P384));
    fipsrt_cert_free(make("leaf384", k, "localhost", true, 0, 0, false, ca, cakey));
    fipsrt_key_free(k);
    MUST(fipsrt_key_generate_ec(&k, FIPSRT_EC_P256));
    fipsrt_cert_free(make("expired", k, "localhost", true, now - 10 * day, now - day, false, ca, cakey));
    fipsrt_key_free(k);
    MUST(fipsrt_key_generate_ec(&k, FIPSRT_EC_P256));
    fipsrt_cert_free(make("wronghost", k, "other.example", false, 0, 0, false, ca, cakey));
    fipsrt_key_free(k);
    MUST(fipsrt_key_generate_ec(&k, FIPSRT_EC_P256));
    fipsrt_cert_free(make("client", k, "fipsrt test client", false, 0, 0, false, ca, cakey));
    fipsrt_key_free(k);

    /* Another CA nobody trusts, and a leaf it issued. */
    fipsrt_key *okey;
    MUST(fipsrt_key_generate_ec(&okey, FIPSRT_EC_P256));
    c = make("otherca", okey, "untrusted CA", false, now - day, now + 30 * day, true, NULL, NULL);
    MUST(fipsrt_key_generate_ec(&k, FIPSRT_EC_P256));
    fipsrt_cert_free(make("unknown", k, "localhost", true, 0, 0, false, c, okey));
    fipsrt_key_free(k);
    fipsrt_cert_free(c);
    fipsrt_key_free(okey);

    /* RSA keys come from the CLI: generating them in-process is slow under valgrind. */
    shell("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out %s 2>/dev/null",
          pki_path("rsa2048.key"));
    k = load_key("rsa2048.key");
    fipsrt_cert_free(make("leafrsa", k, "localhost", true, 0, 0, false, ca, cakey));
    fipsrt_key_free(k);
    fipsrt_cert_free(ca);
    fipsrt_key_free(cakey);

    /* Outside the policy, so made by the openssl CLI with the default provider. */
    const char ext[] = "basicConstraints=critical,CA:FALSE\n"
                       "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                       "extendedKeyUsage=serverAuth,clientAuth\n";
    save("leaf.ext", ext, sizeof(ext) - 1);
    const char noems[] = "openssl_conf = init\n[init]\nssl_conf = ssl_sect\n"
                         "[ssl_sect]\nsystem_default = sys\n[sys]\nOptions = -ExtendedMasterSecret\n";
    save("noems.cnf", noems, sizeof(noems) - 1);
    shell("cd %s && export OPENSSL_CONF=/dev/null && "
          "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa1024.key 2>/dev/null && "
          "openssl req -new -key rsa1024.key -subj /CN=localhost -out rsa1024.csr && "
          "openssl x509 -req -in rsa1024.csr -CA ca.pem -CAkey ca.key -set_serial 1024 -days 30 "
          "-sha256 -extfile leaf.ext -out rsa1024.pem 2>/dev/null && "
          "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out sha1.key && "
          "openssl req -new -key sha1.key -subj /CN=localhost -out sha1.csr && "
          "openssl x509 -req -in sha1.csr -CA ca.pem -CAkey ca.key -set_serial 4096 -days 30 "
          "-sha1 -extfile leaf.ext -out sha1.pem 2>/dev/null && "
          "openssl genpkey -algorithm ED25519 -out ed25519.key && "
          "openssl req -new -key ed25519.key -subj /CN=localhost -out ed25519.csr && "
          "openssl x509 -req -in ed25519.csr -CA ca.pem -CAkey ca.key -set_serial 25519 -days 30 "
          "-extfile leaf.ext -out ed25519.pem 2>/dev/null", pki_dir);
}

const char *pki(const char *name)
{
    if (pki_dir == NULL)
        make_pki();
    return pki_path(name);
}

char *pki_text(const char *name)
{
    return slurp(pki(name), NULL);
}

/* ---- background processes -------------------------------------------------------------- */

#define MAX_BG 16
static bg *running[MAX_BG];

static char *bg_dir(void)
{
    static char *dir;
    if (dir == NULL)
        dir = strdup(pki("."));  /* inside the PKI directory: removed with it */
    return dir;
}

bg *bg_start(char *const argv[], const char *const env[])
{
    static int seq;
    bg *b = calloc(1, sizeof(*b));
    ck_assert_ptr_nonnull(b);
    b->name = strdup(argv[0]);
    snprintf(b->out, sizeof(b->out), "%s/bg%d-%d.out", bg_dir(), (int)getpid(), seq);
    snprintf(b->err, sizeof(b->err), "%s/bg%d-%d.err", bg_dir(), (int)getpid(), seq++);
    b->pid = fork();
    ck_assert_int_ge(b->pid, 0);
    if (b->pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        int out = open(b->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = open(b->err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        for (size_t i = 0; env && env[i]; i++) {
            char *kv = strdup(env[i]);
            char *eq = strchr(kv, '=');
            if (eq) {
                *eq = '\0';
                setenv(kv, eq + 1, 1);
            } else {
                unsetenv(kv);
            }
        }
        execv(argv[0], argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    for (int i = 0; i < MAX_BG; i++)
        if (running[i] == NULL) {
            running[i] = b;
            break;
        }
    return b;
}

char *bg_output(bg *b, bool on_stderr)
{
    FILE *f = fopen(on_stderr ? b->err : b->out, "rb");
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    ck_assert_ptr_nonnull(buf);
    if (f != NULL) {
        size_t n;
        while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
            len += n;
            if (len == cap) {
                buf = realloc(buf, (cap *= 2) + 1);
                ck_assert_ptr_nonnull(buf);
            }
        }
        fclose(f);
    }
    buf[len] = '\0';
    return buf;
}

int bg_count(bg *b, bool on_stderr, const char *needle)
{
    char *text = bg_output(b, on_stderr);
    int n = 0;
    for (char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    free(text);
    return n;
}

bool bg_wait(bg *b, bool on_stderr, const char *needle, int count, double timeout_s)
{
    double end = now_s() + timeout_s;
    while (bg_count(b, on_stderr, needle) < count) {
        int st;
        if (now_s() > end || waitpid(b->pid, &st, WNOHANG) == b->pid)
            return bg_count(b, on_stderr, needle) >= count;
        sleep_ms(10);
    }
    return true;
}

int bg_stop(bg *b, int sig, double timeout_s)
{
    int st = 0;
    if (sig)
        kill(b->pid, sig);
    double end = now_s() + timeout_s;
    while (waitpid(b->pid, &st, WNOHANG) != b->pid) {
        if (now_s() > end) {
            kill(b->pid, SIGKILL);
            waitpid(b->pid, &st, 0);
            break;
        }
        sleep_ms(10);
    }
    for (int i = 0; i < MAX_BG; i++)
        if (running[i] == b)
            running[i] = NULL;
    unlink(b->out);
    unlink(b->err);
    free(b->name);
    free(b);
    return st;
}

void bg_kill_all(void)
{
    for (int i = 0; i < MAX_BG; i++)
        if (running[i] != NULL)
            bg_stop(running[i], SIGKILL, 5);
}

int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

const char *helloserver_path(void)
{
    static char path[1024];
    snprintf(path, sizeof(path), "%s/../examples/helloserver", build_dir());
    return path;
}

const char *python3_path(void)
{
    return "/usr/bin/python3";
}

const char *peer_script(void)
{
    static char path[1024];
    const char *src = getenv("FIPSRT_SOURCE_DIR");
    snprintf(path, sizeof(path), "%s/tests/tls_peer.py", src ? src : "..");
    return path;
}

bg *hello_start(const char *const extra[], int *port)
{
    return hello_start_ex(NULL, extra, port);
}

bg *hello_start_ex(const char *const wrapper[], const char *const extra[], int *port)
{
    char *argv[48];
    int n = 0;
    for (size_t i = 0; wrapper && wrapper[i] && n < 16; i++)
        argv[n++] = (char *)wrapper[i];
    argv[n++] = (char *)helloserver_path();
    argv[n++] = "--port";
    argv[n++] = "0";
    argv[n++] = "--verbose";
    for (size_t i = 0; extra && extra[i] && n < 46; i++)
        argv[n++] = (char *)extra[i];
    argv[n] = NULL;
    bg *b = bg_start(argv, NULL);
    ck_assert_msg(bg_wait(b, true, "serving https://127.0.0.1:", 1, wrapper ? 180 : 60),
                  "helloserver did not start: %s", bg_output(b, true));
    char *log = bg_output(b, true);
    *port = atoi(strstr(log, "serving https://127.0.0.1:") + strlen("serving https://127.0.0.1:"));
    free(log);
    ck_assert_int_gt(*port, 0);
    return b;
}

char **argv_split(const char *fmt, ...)
{
    static char buf[4096];
    static char *argv[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    int n = 0;
    for (char *tok = strtok(buf, " "); tok && n < 127; tok = strtok(NULL, " "))
        argv[n++] = tok;
    argv[n] = NULL;
    return argv;
}

/* ---- connections ----------------------------------------------------------------------- */

int tcp_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_ge(fd, 0);
    ck_assert_msg(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "connect to port %d: %s",
                  port, strerror(errno));
    return fd;
}

/* Deliver what `from` sent to `to`, as far as `to` takes it; the rest waits in from->carry. */
static size_t move(endpoint *from, endpoint *to)
{
    size_t total = 0;
    for (;;) {
        if (from->carry_len == 0) {
            size_t n = 0;
            if (from->conn) {
                ck_assert_ok(fipsrt_tls_conn_drain(from->conn, from->carry, sizeof(from->carry), &n));
            } else {
                int r = BIO_read(from->net, from->carry, sizeof(from->carry));
                n = r > 0 ? (size_t)r : 0;
            }
            if (n == 0)
                return total;
            from->carry_len = n;
            from->carry_off = 0;
        }
        size_t took = 0, left = from->carry_len - from->carry_off;
        if (to->conn) {
            ck_assert_ok(fipsrt_tls_conn_feed(to->conn, from->carry + from->carry_off, left, &took));
        } else {
            int r = BIO_write(to->net, from->carry + from->carry_off, (int)left);
            took = r > 0 ? (size_t)r : 0;
        }
        if (took == 0)
            return total;  /* the peer's input is full: it must read first */
        total += took;
        from->carry_off += took;
        if (from->carry_off == from->carry_len)
            from->carry_len = 0;
    }
}

size_t pump(endpoint *a, endpoint *b)
{
    size_t n = move(a, b);
    return n + move(b, a);
}

static int step(endpoint *e)
{
    if (e->conn)
        return fipsrt_tls_conn_handshake(e->conn);
    int r = SSL_do_handshake(e->ssl);
    if (r == 1)
        return 0;
    int err = SSL_get_error(e->ssl, r);
    ERR_clear_error();
    return err == SSL_ERROR_WANT_READ ? FIPSRT_E_WANT_READ
           : err == SSL_ERROR_WANT_WRITE ? FIPSRT_E_WANT_WRITE
                                         : FIPSRT_E_TLS;
}

static bool pending(int rv)
{
    return rv == FIPSRT_E_WANT_READ || rv == FIPSRT_E_WANT_WRITE;
}

/* One handshake step; a failure's detail is kept in the endpoint. */
static void step_keep(endpoint *e)
{
    e->rv = step(e);
    if (e->rv < 0 && !pending(e->rv))
        snprintf(e->detail, sizeof(e->detail), "%s", e->conn ? fipsrt_last_error() : "raw OpenSSL peer failed");
}

void handshake_pair(endpoint *a, endpoint *b)
{
    a->rv = b->rv = FIPSRT_E_WANT_READ;
    a->detail[0] = b->detail[0] = '\0';
    for (int i = 0; i < 50 && (pending(a->rv) || pending(b->rv)); i++) {
        if (pending(a->rv))
            step_keep(a);
        if (pending(b->rv))
            step_keep(b);
        if (pump(a, b) == 0 && !(pending(a->rv) && pending(b->rv)))
            break;
    }
    /* Whatever the last step sent (an alert, tickets) reaches the peer. */
    pump(a, b);
}

void raw_endpoint(endpoint *e, SSL_CTX *ctx, bool server)
{
    BIO *inner;
    memset(e, 0, sizeof(*e));
    e->ssl = SSL_new(ctx);
    ck_assert_ptr_nonnull(e->ssl);
    ck_assert_int_eq(BIO_new_bio_pair(&inner, 32768, &e->net, 32768), 1);
    SSL_set_bio(e->ssl, inner, inner);
    if (server)
        SSL_set_accept_state(e->ssl);
    else
        SSL_set_connect_state(e->ssl);
}

void endpoint_free(endpoint *e)
{
    fipsrt_tls_conn_free(e->conn);
    SSL_free(e->ssl);
    BIO_free(e->net);
    memset(e, 0, sizeof(*e));
}

fipsrt_tls_ctx *server_ctx(const char *identity, fipsrt_tls_config *cfg)
{
    fipsrt_tls_config def = FIPSRT_TLS_CONFIG_INIT;
    char cert[64], key[64];
    if (cfg == NULL)
        cfg = &def;
    snprintf(cert, sizeof(cert), "%s.pem", identity);
    snprintf(key, sizeof(key), "%s.key", identity);
    cfg->cert_file = pki(cert);
    cfg->key_file = pki(key);
    if (cfg->client_auth != FIPSRT_TLS_CLIENT_AUTH_NONE && cfg->ca_file == NULL && cfg->ca_data == NULL)
        cfg->ca_file = pki("ca.pem");
    fipsrt_tls_ctx *ctx = NULL;
    ck_assert_ok(fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_SERVER, cfg));
    return ctx;
}

fipsrt_tls_ctx *client_ctx(fipsrt_tls_config *cfg)
{
    fipsrt_tls_config def = FIPSRT_TLS_CONFIG_INIT;
    if (cfg == NULL)
        cfg = &def;
    if (cfg->ca_file == NULL && cfg->ca_data == NULL && cfg->ca_dir == NULL)
        cfg->ca_file = pki("ca.pem");
    fipsrt_tls_ctx *ctx = NULL;
    ck_assert_ok(fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_CLIENT, cfg));
    return ctx;
}
