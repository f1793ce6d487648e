/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tls_fixture.h"

#define FX_MAX_AGE_S (6 * 3600)   /* OCSP responses are good for a day, CRLs for a week */

static char *fx_dir;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool fresh(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && now_s() - (double)st.st_mtime < FX_MAX_AGE_S;
}

/* One fixture directory per build directory, shared by the suites and reused for a few
 * hours (making it runs ~40 openssl commands); a lock directory serialises its making when
 * meson runs the suites in parallel. */
void fx_make(void)
{
    char lock[1100], done[1100], cmd[4096];
    const char *src = getenv("FIPSRT_SOURCE_DIR");
    if (fx_dir != NULL)
        return;
    char buf[1024];
    snprintf(buf, sizeof(buf), "%s/tls-revocation-fixture", build_dir());
    fx_dir = strdup(buf);
    snprintf(lock, sizeof(lock), "%s.lock", fx_dir);
    snprintf(done, sizeof(done), "%s/done", fx_dir);
    for (double start = now_s(); mkdir(lock, 0700) != 0;) {
        struct stat st;
        if (errno != EEXIST || now_s() - start > 300) {
            fprintf(stderr, "fixtures: lock %s: %s\n", lock, strerror(errno));
            exit(2);
        }
        if (stat(lock, &st) == 0 && now_s() - (double)st.st_mtime > 240)
            rmdir(lock);   /* left by a killed run */
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    int rc = 0;
    if (!fresh(done)) {
        rm_rf(fx_dir);
        snprintf(cmd, sizeof(cmd), "mkdir -p %s && sh %s/tests/tls_revocation_pki.sh %s", fx_dir,
                 src ? src : "..", fx_dir);
        rc = system(cmd);
    }
    rmdir(lock);
    if (rc != 0) {
        fprintf(stderr, "fixtures: %s failed\n", cmd);
        exit(2);
    }
}

const char *fx(const char *name)
{
    static struct {
        char *name, *path;
    } paths[96];
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    const char *found = NULL;
    fx_make();
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < 96 && found == NULL; i++) {
        if (paths[i].name == NULL) {
            char buf[1024];
            snprintf(buf, sizeof(buf), "%s/%s", fx_dir, name);
            paths[i].name = strdup(name);
            paths[i].path = strdup(buf);
        }
        if (strcmp(paths[i].name, name) == 0)
            found = paths[i].path;
    }
    pthread_mutex_unlock(&lock);
    ck_assert_ptr_nonnull(found);
    return found;
}

void mem_hs(fipsrt_tls_ctx *srv, fipsrt_tls_ctx *cli, const char *name, hs_result *r)
{
    endpoint s, c;
    memset(r, 0, sizeof(*r));
    memset(&s, 0, sizeof(s));
    memset(&c, 0, sizeof(c));
    ck_assert_ok(fipsrt_tls_conn_new_mem(&s.conn, srv, NULL));
    ck_assert_ok(fipsrt_tls_conn_new_mem(&c.conn, cli, name));
    handshake_pair(&c, &s);
    r->cli = c.rv;
    r->srv = s.rv;
    snprintf(r->cli_detail, sizeof(r->cli_detail), "%s", c.detail);
    snprintf(r->srv_detail, sizeof(r->srv_detail), "%s", s.detail);
    r->ocsp_stapled = fipsrt_tls_conn_ocsp_stapled(c.conn);
    r->resumed = fipsrt_tls_conn_resumed(c.conn);
    if (r->cli == 0 && r->srv == 0) {
        /* The client reads what the server sent after its handshake (TLS 1.3 tickets). */
        char buf[16];
        size_t n;
        ck_assert_fipsrt(fipsrt_tls_conn_read(c.conn, buf, sizeof(buf), &n), FIPSRT_E_WANT_READ);
    }
    fipsrt_cert *peer = NULL;
    if (r->cli == 0 && fipsrt_tls_conn_peer_cert(&peer, c.conn) == 0) {
        fipsrt_cert_subject(peer, r->peer_subject, sizeof(r->peer_subject), NULL);
        SSL *ssl = fipsrt_tls_conn_get_ssl(c.conn);
        EVP_PKEY *pk = X509_get0_pubkey(SSL_get0_peer_certificate(ssl));
        r->peer_rsa = pk != NULL && EVP_PKEY_is_a(pk, "RSA");
        fipsrt_cert_free(peer);
    }
    endpoint_free(&s);
    endpoint_free(&c);
}
