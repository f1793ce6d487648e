/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Run by test_tls_policy with an openssl.cnf whose system_default section turns kTLS and
 * PSK without (EC)DHE on: prints those options on a raw SSL_CTX (the configuration works)
 * and on a libfipsrt context and connection (they stay off).
 */
#include <stdio.h>

#include <openssl/ssl.h>

#include <fipsrt/fipsrt.h>

static int bit(uint64_t options, uint64_t flag)
{
    return (options & flag) != 0;
}

int main(void)
{
    SSL_CTX *raw = SSL_CTX_new(TLS_method());
    fipsrt_tls_ctx *ctx = NULL;
    fipsrt_tls_conn *conn = NULL;
    if (raw == NULL || fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_CLIENT, NULL) != 0 ||
        fipsrt_tls_conn_new_mem(&conn, ctx, "localhost") != 0) {
        fprintf(stderr, "ktls_probe: setup failed: %s\n", fipsrt_last_error());
        return 1;
    }
    uint64_t r = SSL_CTX_get_options(raw);
    uint64_t c = SSL_CTX_get_options(fipsrt_tls_ctx_get_ssl_ctx(ctx));
    uint64_t s = SSL_get_options(fipsrt_tls_conn_get_ssl(conn));
    printf("raw ktls=%d nodhe=%d\n", bit(r, SSL_OP_ENABLE_KTLS), bit(r, SSL_OP_ALLOW_NO_DHE_KEX));
    printf("libfipsrt ctx ktls=%d nodhe=%d conn ktls=%d nodhe=%d\n", bit(c, SSL_OP_ENABLE_KTLS),
           bit(c, SSL_OP_ALLOW_NO_DHE_KEX), bit(s, SSL_OP_ENABLE_KTLS),
           bit(s, SSL_OP_ALLOW_NO_DHE_KEX));
    fipsrt_tls_conn_free(conn);
    fipsrt_tls_ctx_free(ctx);
    SSL_CTX_free(raw);
    return 0;
}
