/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Non-security MD5, OUTSIDE the FIPS boundary: computed by the default provider in a
 * private library context that nothing else in the process uses, so the process-wide
 * FIPS configuration is untouched.
 */
#include <pthread.h>
#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include <fipsrt/insecure.h>

#include "internal.h"

static OSSL_LIB_CTX *md5_libctx;
static EVP_MD *md5_md;
static pthread_once_t md5_once = PTHREAD_ONCE_INIT;

static void md5_setup(void)
{
    md5_libctx = OSSL_LIB_CTX_new();
    if (md5_libctx == NULL || OSSL_PROVIDER_load(md5_libctx, "default") == NULL)
        return;
    md5_md = EVP_MD_fetch(md5_libctx, "MD5", "provider=default");
}

struct fipsrt_insecure_md5_ctx {
    EVP_MD_CTX *md;
    bool finished;
};

FIPSRT_API int fipsrt_insecure_md5_new(fipsrt_insecure_md5_ctx **out)
{
    int rv = FIPSRT_OK;
    fipsrt_insecure_md5_ctx *ctx = NULL;
    frt_init();
    FRT_ARG(out != NULL);
    *out = NULL;
    pthread_once(&md5_once, md5_setup);
    FRT_CHECK(md5_md != NULL, FIPSRT_E_UNSUPPORTED,
              "the default provider's MD5 is not available in this OpenSSL installation");
    FRT_CHECK((ctx = calloc(1, sizeof(*ctx))) != NULL, FIPSRT_E_NOMEM, "out of memory");
    FRT_OSSL_PTR(ctx->md, EVP_MD_CTX_new(), FIPSRT_E_NOMEM);
    FRT_OSSL(EVP_DigestInit_ex2(ctx->md, md5_md, NULL), FIPSRT_E_INTERNAL);
    *out = ctx;
    ctx = NULL;
out:
    fipsrt_insecure_md5_free(ctx);
    return rv;
}

FIPSRT_API int fipsrt_insecure_md5_update(fipsrt_insecure_md5_ctx *ctx, const void *data,
                                          size_t len)
{
    int rv = FIPSRT_OK;
    FRT_ARG(ctx != NULL);
    FRT_ARG(data != NULL || len == 0);
    FRT_CHECK(!ctx->finished, FIPSRT_E_STATE, "MD5 already finished");
    FRT_OSSL(EVP_DigestUpdate(ctx->md, data, len), FIPSRT_E_INTERNAL);
out:
    return rv;
}

FIPSRT_API int fipsrt_insecure_md5_final(fipsrt_insecure_md5_ctx *ctx,
                                         uint8_t out[FIPSRT_INSECURE_MD5_SIZE])
{
    int rv = FIPSRT_OK;
    FRT_ARG(ctx != NULL);
    FRT_ARG(out != NULL);
    FRT_CHECK(!ctx->finished, FIPSRT_E_STATE, "MD5 already finished");
    FRT_OSSL(EVP_DigestFinal_ex(ctx->md, out, NULL), FIPSRT_E_INTERNAL);
    ctx->finished = true;
out:
    return rv;
}

FIPSRT_API int fipsrt_insecure_md5_clone(fipsrt_insecure_md5_ctx **out,
                                         const fipsrt_insecure_md5_ctx *ctx)
{
    int rv = FIPSRT_OK;
    fipsrt_insecure_md5_ctx *copy = NULL;
    FRT_ARG(out != NULL);
    *out = NULL;
    FRT_ARG(ctx != NULL);
    FRT_CHECK(!ctx->finished, FIPSRT_E_STATE, "MD5 already finished");
    FRT_CHECK((copy = calloc(1, sizeof(*copy))) != NULL, FIPSRT_E_NOMEM, "out of memory");
    FRT_OSSL_PTR(copy->md, EVP_MD_CTX_new(), FIPSRT_E_NOMEM);
    FRT_OSSL(EVP_MD_CTX_copy_ex(copy->md, ctx->md), FIPSRT_E_NOMEM);
    *out = copy;
    copy = NULL;
out:
    fipsrt_insecure_md5_free(copy);
    return rv;
}

FIPSRT_API void fipsrt_insecure_md5_free(fipsrt_insecure_md5_ctx *ctx)
{
    if (ctx == NULL)
        return;
    EVP_MD_CTX_free(ctx->md);
    free(ctx);
}

FIPSRT_API int fipsrt_insecure_md5(const void *data, size_t len,
                                   uint8_t out[FIPSRT_INSECURE_MD5_SIZE])
{
    int rv = FIPSRT_OK;
    fipsrt_insecure_md5_ctx *ctx = NULL;
    FRT_ARG(data != NULL || len == 0);
    FRT_ARG(out != NULL);
    FRT_TRY(fipsrt_insecure_md5_new(&ctx));
    FRT_TRY(fipsrt_insecure_md5_update(ctx, data, len));
    FRT_TRY(fipsrt_insecure_md5_final(ctx, out));
out:
    fipsrt_insecure_md5_free(ctx);
    return rv;
}
