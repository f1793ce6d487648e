/* SPDX-License-Identifier: Apache-2.0 */
/* A program that uses only libfipsrt's TLS API and then widens the policy through the
 * escape hatch: SSL_CTX_set1_groups_list is a macro for SSL_CTX_ctrl, so the binary imports
 * no "crypto entry point", only SSL_CTX_ctrl. `fipsrt check` must report it (issue 9 §3).
 * Built only, never run. */
#include <stdio.h>

#include <openssl/ssl.h>

#include <fipsrt/fipsrt.h>

int main(void)
{
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    fipsrt_tls_ctx *ctx = NULL;
    if (fipsrt_tls_ctx_new(&ctx, FIPSRT_TLS_CLIENT, &cfg) != 0)
        return 1;
    SSL_CTX *raw = fipsrt_tls_ctx_get_ssl_ctx(ctx);
    int ok = SSL_CTX_set1_groups_list(raw, "X25519");
    printf("%d\n", ok);
    fipsrt_tls_ctx_free(ctx);
    return 0;
}
