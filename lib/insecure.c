/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Non-security MD5, OUTSIDE the FIPS boundary: computed by the default provider in a
 * private library context that nothing else in the process uses, so the process-wide
 * FIPS configuration is untouched.
 */
#include <pthread.h>
#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include <fipsrt/insecure.h>

#include "internal.h"

static OSSL_LIB_CTX *md5_libctx;
static OSSL_PROVIDER *md5_provider;
static EVP_MD *_Atomic md5_md;
static pthread_mutex_t md5_lock = PTHREAD_MUTEX_INITIALIZER;

/* The default provider's MD5 in its own context, set up on first use. Not a pthread_once:
 * a setup that failed (out of memory) is retried by the next call instead of leaving MD5
 * unavailable for the life of the process. */
static EVP_MD *md5_get(void)
{
    EVP_MD *md = md5_md;
    if (md != NULL)
        return md;
    pthread_mutex_lock(&md5_lock);
    ERR_set_mark();   /* the setup's own errors are not the caller's */
    if (md5_libctx == NULL)
        md5_libctx = OSSL_LIB_CTX_new();
    if (md5_libctx != NULL && md5_provider == NULL)
        md5_provider = OSSL_PROVIDER_load(md5_libctx, "default");
    if (md5_provider != NULL && md5_md == NULL)
        md5_md = EVP_MD_fetch(md5_libctx, "MD5", "provider=default");
    md = md5_md;
    if (md == NULL) {
        /* A setup that ran out of memory can leave the context's name map and method store
         * half-built (later fetches then fail for good): start from a fresh one next time. */
        OSSL_PROVIDER_unload(md5_provider);
        OSSL_LIB_CTX_free(md5_libctx);
        md5_provider = NULL;
        md5_libctx = NULL;
        ERR_clear_last_mark();   /* the caller's detail text shows why (out of memory?) */
    } else {
        ERR_pop_to_mark();
    }
    pthread_mutex_unlock(&md5_lock);
    return md;
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
    EVP_MD *md = md5_get();
    FRT_CHECK(md != NULL, FIPSRT_E_UNSUPPORTED,
              "the default provider's MD5 is not available in this OpenSSL installation");
    FRT_CHECK((ctx = calloc(1, sizeof(*ctx))) != NULL, FIPSRT_E_NOMEM, "out of memory");
    FRT_OSSL_PTR(ctx->md, EVP_MD_CTX_new(), FIPSRT_E_NOMEM);
    /* MD5 was fetched above: its init can only run out of memory. */
    FRT_OSSL(EVP_DigestInit_ex2(ctx->md, md, NULL), FIPSRT_E_NOMEM);
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
