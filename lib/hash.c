/* SPDX-License-Identifier: Apache-2.0 */
/* Message digests: SHA-1 (hash only), SHA-2, SHA-3 and SHAKE, one-shot and streaming. */
#include <stdlib.h>

#include <openssl/crypto.h>

#include <fipsrt/hash.h>

#include "internal.h"

static const struct frt_hash_desc descs[] = {
    {FIPSRT_HASH_SHA1, FRT_MD_SHA1, "SHA1", 20, 64, false},
    {FIPSRT_HASH_SHA224, FRT_MD_SHA224, "SHA2-224", 28, 64, false},
    {FIPSRT_HASH_SHA256, FRT_MD_SHA256, "SHA2-256", 32, 64, false},
    {FIPSRT_HASH_SHA384, FRT_MD_SHA384, "SHA2-384", 48, 128, false},
    {FIPSRT_HASH_SHA512, FRT_MD_SHA512, "SHA2-512", 64, 128, false},
    {FIPSRT_HASH_SHA512_224, FRT_MD_SHA512_224, "SHA2-512/224", 28, 128, false},
    {FIPSRT_HASH_SHA512_256, FRT_MD_SHA512_256, "SHA2-512/256", 32, 128, false},
    {FIPSRT_HASH_SHA3_224, FRT_MD_SHA3_224, "SHA3-224", 28, 144, false},
    {FIPSRT_HASH_SHA3_256, FRT_MD_SHA3_256, "SHA3-256", 32, 136, false},
    {FIPSRT_HASH_SHA3_384, FRT_MD_SHA3_384, "SHA3-384", 48, 104, false},
    {FIPSRT_HASH_SHA3_512, FRT_MD_SHA3_512, "SHA3-512", 64, 72, false},
    {FIPSRT_HASH_SHAKE128, FRT_MD_SHAKE128, "SHAKE-128", 0, 168, true},
    {FIPSRT_HASH_SHAKE256, FRT_MD_SHAKE256, "SHAKE-256", 0, 136, true},
};
#define NDESCS (sizeof(descs) / sizeof(descs[0]))

/* Initialised contexts to copy from: copying beats a fresh init on the hot path. */
static EVP_MD_CTX *templates[NDESCS];

static const struct frt_hash_desc *find(fipsrt_hash_alg alg)
{
    /* The enum is dense from 1: index directly. */
    if ((int)alg >= 1 && (size_t)alg <= NDESCS)
        return &descs[alg - 1];
    return NULL;
}

int frt_hash_lookup(const char *func, fipsrt_hash_alg alg, const struct frt_hash_desc **out)
{
    if (alg == FIPSRT_HASH_MD5)
        return frt_error(func, FIPSRT_E_MD5_SECURE,
                         "MD5 is not allowed for security use (see fipsrt/insecure.h)");
    *out = find(alg);
    if (*out == NULL)
        return frt_error(func, FIPSRT_E_INVALID_ARG, "unknown hash algorithm %d", (int)alg);
    return FIPSRT_OK;
}

int frt_hash_build_templates(void)
{
    int rv = FIPSRT_OK;
    for (size_t i = 0; i < NDESCS; i++) {
        FRT_OSSL_PTR(templates[i], EVP_MD_CTX_new(), FIPSRT_E_NOMEM);
        FRT_OSSL(EVP_DigestInit_ex2(templates[i], frt_md(descs[i].id), NULL), FIPSRT_E_PROVIDER);
    }
out:
    return rv;
}

void frt_hash_free_templates(void)
{
    for (size_t i = 0; i < NDESCS; i++) {
        EVP_MD_CTX_free(templates[i]);
        templates[i] = NULL;
    }
}

const EVP_MD_CTX *frt_md_template(fipsrt_hash_alg alg)
{
    return templates[alg - 1];
}

FIPSRT_API size_t fipsrt_hash_size(fipsrt_hash_alg alg)
{
    const struct frt_hash_desc *d = find(alg);
    return d ? d->size : 0;
}

FIPSRT_API size_t fipsrt_hash_block_size(fipsrt_hash_alg alg)
{
    const struct frt_hash_desc *d = find(alg);
    return d ? d->block_size : 0;
}

FIPSRT_API const char *fipsrt_hash_name(fipsrt_hash_alg alg)
{
    if (alg == FIPSRT_HASH_MD5)
        return "MD5";
    const struct frt_hash_desc *d = find(alg);
    return d ? d->name : NULL;
}

/* Shared output check of the fixed-size final functions. */
static int check_out(const char *func, const struct frt_hash_desc *d, uint8_t *out,
                     size_t out_cap, size_t *out_len)
{
    if (d->xof)
        return frt_error(func, FIPSRT_E_INVALID_ARG,
                         "%s is an XOF: use the _xof function with an output length", d->name);
    if (out_cap < d->size) {
        if (out_len)
            *out_len = d->size;
        return frt_error(func, FIPSRT_E_BUFFER_TOO_SMALL, "%s needs %zu bytes, got %zu",
                         d->name, d->size, out_cap);
    }
    if (out == NULL)
        return frt_error(func, FIPSRT_E_INVALID_ARG, "invalid argument: out != NULL");
    return FIPSRT_OK;
}

/* One-shot digest in the thread's scratch context, copied from the algorithm's template. */
static int oneshot(const struct frt_hash_desc *d, const void *data,
                   size_t len, uint8_t *out, size_t out_len)
{
    int rv = FIPSRT_OK;
    struct frt_thread *t = frt_thread();
    FRT_CHECK(t != NULL, FIPSRT_E_NOMEM, "out of memory");
    if (t->md == NULL)
        FRT_OSSL_PTR(t->md, EVP_MD_CTX_new(), FIPSRT_E_NOMEM);
    FRT_OSSL(EVP_MD_CTX_copy_ex(t->md, templates[d->alg - 1]), FIPSRT_E_PROVIDER);
    FRT_OSSL(EVP_DigestUpdate(t->md, data, len), FIPSRT_E_PROVIDER);
    if (d->xof) {
        FRT_OSSL(EVP_DigestFinalXOF(t->md, out, out_len), FIPSRT_E_PROVIDER);
    } else {
        FRT_OSSL(EVP_DigestFinal_ex(t->md, out, NULL), FIPSRT_E_PROVIDER);
    }
out:
    return rv;
}

FIPSRT_API int fipsrt_hash(fipsrt_hash_alg alg, const void *data, size_t len, uint8_t *out,
                           size_t out_cap, size_t *out_len)
{
    int rv = FIPSRT_OK;
    const struct frt_hash_desc *d;
    frt_init();
    FRT_TRY(frt_hash_lookup(__func__, alg, &d));
    FRT_ARG(data != NULL || len == 0);
    FRT_TRY(check_out(__func__, d, out, out_cap, out_len));
    FRT_TRY(oneshot(d, data, len, out, d->size));
    if (out_len)
        *out_len = d->size;
    frt_service_approved();
out:
    return rv;
}

FIPSRT_API int fipsrt_hash_xof(fipsrt_hash_alg alg, const void *data, size_t len,
                               uint8_t *out, size_t out_len)
{
    int rv = FIPSRT_OK;
    const struct frt_hash_desc *d;
    frt_init();
    FRT_TRY(frt_hash_lookup(__func__, alg, &d));
    FRT_CHECK(d->xof, FIPSRT_E_INVALID_ARG, "%s is not an XOF: use fipsrt_hash()", d->name);
    FRT_ARG(data != NULL || len == 0);
    FRT_ARG(out != NULL);
    FRT_ARG(out_len > 0);
    FRT_TRY(oneshot(d, data, len, out, out_len));
    frt_service_approved();
out:
    return rv;
}

struct fipsrt_hash_ctx {
    const struct frt_hash_desc *desc;
    EVP_MD_CTX *md;
    bool finished;
};

FIPSRT_API int fipsrt_hash_new(fipsrt_hash_ctx **out, fipsrt_hash_alg alg)
{
    int rv = FIPSRT_OK;
    const struct frt_hash_desc *d;
    fipsrt_hash_ctx *ctx = NULL;
    frt_init();
    FRT_ARG(out != NULL);
    *out = NULL;
    FRT_TRY(frt_hash_lookup(__func__, alg, &d));
    FRT_CHECK((ctx = calloc(1, sizeof(*ctx))) != NULL, FIPSRT_E_NOMEM, "out of memory");
    ctx->desc = d;
    FRT_OSSL_PTR(ctx->md, EVP_MD_CTX_new(), FIPSRT_E_NOMEM);
    FRT_OSSL(EVP_MD_CTX_copy_ex(ctx->md, templates[alg - 1]), FIPSRT_E_PROVIDER);
    *out = ctx;
    ctx = NULL;
out:
    fipsrt_hash_free(ctx);
    return rv;
}

FIPSRT_API int fipsrt_hash_update(fipsrt_hash_ctx *ctx, const void *data, size_t len)
{
    int rv = FIPSRT_OK;
    FRT_ARG(ctx != NULL);
    FRT_ARG(data != NULL || len == 0);
    FRT_CHECK(!ctx->finished, FIPSRT_E_STATE, "hash already finished: call fipsrt_hash_reset()");
    FRT_OSSL(EVP_DigestUpdate(ctx->md, data, len), FIPSRT_E_PROVIDER);
out:
    return rv;
}

FIPSRT_API int fipsrt_hash_final(fipsrt_hash_ctx *ctx, uint8_t *out, size_t out_cap,
                                 size_t *out_len)
{
    int rv = FIPSRT_OK;
    FRT_ARG(ctx != NULL);
    FRT_CHECK(!ctx->finished, FIPSRT_E_STATE, "hash already finished: call fipsrt_hash_reset()");
    FRT_TRY(check_out(__func__, ctx->desc, out, out_cap, out_len));
    FRT_OSSL(EVP_DigestFinal_ex(ctx->md, out, NULL), FIPSRT_E_PROVIDER);
    ctx->finished = true;
    if (out_len)
        *out_len = ctx->desc->size;
    frt_service_approved();  /* a streaming hash is one service, completed here */
out:
    return rv;
}

FIPSRT_API int fipsrt_hash_final_xof(fipsrt_hash_ctx *ctx, uint8_t *out, size_t out_len)
{
    int rv = FIPSRT_OK;
    FRT_ARG(ctx != NULL);
    FRT_CHECK(ctx->desc->xof, FIPSRT_E_INVALID_ARG, "%s is not an XOF: use fipsrt_hash_final()",
              ctx->desc->name);
    FRT_CHECK(!ctx->finished, FIPSRT_E_STATE, "hash already finished: call fipsrt_hash_reset()");
    FRT_ARG(out != NULL);
    FRT_ARG(out_len > 0);
    FRT_OSSL(EVP_DigestFinalXOF(ctx->md, out, out_len), FIPSRT_E_PROVIDER);
    ctx->finished = true;
    frt_service_approved();
out:
    return rv;
}

FIPSRT_API int fipsrt_hash_reset(fipsrt_hash_ctx *ctx)
{
    int rv = FIPSRT_OK;
    FRT_ARG(ctx != NULL);
    FRT_OSSL(EVP_MD_CTX_copy_ex(ctx->md, templates[ctx->desc->alg - 1]), FIPSRT_E_PROVIDER);
    ctx->finished = false;
out:
    return rv;
}

FIPSRT_API int fipsrt_hash_clone(fipsrt_hash_ctx **out, const fipsrt_hash_ctx *ctx)
{
    int rv = FIPSRT_OK;
    fipsrt_hash_ctx *copy = NULL;
    FRT_ARG(out != NULL);
    *out = NULL;
    FRT_ARG(ctx != NULL);
    FRT_CHECK((copy = calloc(1, sizeof(*copy))) != NULL, FIPSRT_E_NOMEM, "out of memory");
    copy->desc = ctx->desc;
    copy->finished = ctx->finished;
    FRT_OSSL_PTR(copy->md, EVP_MD_CTX_new(), FIPSRT_E_NOMEM);
    FRT_OSSL(EVP_MD_CTX_copy_ex(copy->md, ctx->md), FIPSRT_E_PROVIDER);
    *out = copy;
    copy = NULL;
out:
    fipsrt_hash_free(copy);
    return rv;
}

FIPSRT_API fipsrt_hash_alg fipsrt_hash_ctx_alg(const fipsrt_hash_ctx *ctx)
{
    return ctx ? ctx->desc->alg : (fipsrt_hash_alg)0;
}

FIPSRT_API void fipsrt_hash_free(fipsrt_hash_ctx *ctx)
{
    if (ctx == NULL)
        return;
    EVP_MD_CTX_free(ctx->md);  /* the provider cleanses its state on free */
    OPENSSL_cleanse(ctx, sizeof(*ctx));
    free(ctx);
}
