/* SPDX-License-Identifier: Apache-2.0 */
/* HMAC (FIPS 198-1) over SHA-1, SHA-2 and SHA-3, one-shot and streaming. */
#include <stdatomic.h>
#include <stdlib.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include <fipsrt/hmac.h>

#include "internal.h"

struct fipsrt_hmac_ctx {
    const struct frt_hash_desc *desc;
    EVP_MAC_CTX *mac;
    bool finished;
};

/* Policy checks shared by every entry point that takes an algorithm and a key. */
static int check_alg_key(const char *func, fipsrt_hash_alg alg, const void *key,
                         size_t key_len, const struct frt_hash_desc **d)
{
    int rv = frt_hash_lookup(func, alg, d);
    if (rv < 0)
        return rv;
    if ((*d)->xof)
        return frt_error(func, FIPSRT_E_INVALID_ARG, "HMAC is not defined over %s", (*d)->name);
    if (key == NULL)
        return frt_error(func, FIPSRT_E_INVALID_ARG, "invalid argument: key != NULL");
    /* SP 800-131A: HMAC keys need at least 112 bits of security strength. */
    if (key_len < FIPSRT_HMAC_MIN_KEY_SIZE)
        return frt_error(func, FIPSRT_E_NOT_APPROVED,
                         "HMAC key of %zu bits is below the 112-bit minimum", key_len * 8);
    return FIPSRT_OK;
}

/* A MAC context bound to the digest of `d`, without a key yet. */
static int new_mac(EVP_MAC_CTX **out, const struct frt_hash_desc *d)
{
    int rv = FIPSRT_OK;
    EVP_MAC_CTX *mac = NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)d->name, 0),
        OSSL_PARAM_construct_end(),
    };
    FRT_OSSL_PTR(mac, EVP_MAC_CTX_new(frt_mac(FRT_MAC_HMAC)), FIPSRT_E_NOMEM);
    FRT_OSSL(EVP_MAC_CTX_set_params(mac, params), FIPSRT_E_PROVIDER);
    *out = mac;
    mac = NULL;
out:
    EVP_MAC_CTX_free(mac);
    return rv;
}

/* Tag lengths accepted when verifying: full, or truncated to no less than 128 bits. */
static int check_tag(const char *func, const struct frt_hash_desc *d, const uint8_t *tag,
                     size_t tag_len)
{
    if (tag == NULL)
        return frt_error(func, FIPSRT_E_INVALID_ARG, "invalid argument: tag != NULL");
    /* A too-short tag is a policy refusal, as for GCM (error.h); a too-long one is no tag. */
    if (tag_len < FIPSRT_HMAC_MIN_TAG_SIZE)
        return frt_error(func, FIPSRT_E_NOT_APPROVED, "tags truncated below %d bytes are "
                         "not accepted (got %zu)", FIPSRT_HMAC_MIN_TAG_SIZE, tag_len);
    if (tag_len > d->size)
        return frt_error(func, FIPSRT_E_INVALID_ARG, "tag length %zu is above the %zu-byte "
                         "HMAC", tag_len, d->size);
    return FIPSRT_OK;
}

/* One-shot MAC in the thread's context for this digest (keyed afresh on every call). */
static int oneshot(const struct frt_hash_desc *d, const void *key, size_t key_len,
                   const void *data, size_t len, uint8_t *out)
{
    int rv = FIPSRT_OK;
    struct frt_thread *t = frt_thread();
    FRT_CHECK(t != NULL, FIPSRT_E_NOMEM, "out of memory");
    EVP_MAC_CTX **slot = &t->hmac[d->id];
    if (*slot == NULL)
        FRT_TRY(new_mac(slot, d));
    FRT_OSSL(EVP_MAC_init(*slot, key, key_len, NULL), FIPSRT_E_PROVIDER);
    FRT_OSSL(EVP_MAC_update(*slot, data, len), FIPSRT_E_PROVIDER);
    FRT_OSSL(EVP_MAC_final(*slot, out, NULL, d->size), FIPSRT_E_PROVIDER);
out:
    return rv;
}

FIPSRT_API int fipsrt_hmac(fipsrt_hash_alg alg, const void *key, size_t key_len,
                           const void *data, size_t len, uint8_t *out, size_t out_cap,
                           size_t *out_len)
{
    int rv = FIPSRT_OK;
    const struct frt_hash_desc *d;
    frt_init();
    FRT_TRY(check_alg_key(__func__, alg, key, key_len, &d));
    FRT_ARG(data != NULL || len == 0);
    if (out_cap < d->size) {
        if (out_len)
            *out_len = d->size;
        FRT_CHECK(false, FIPSRT_E_BUFFER_TOO_SMALL, "HMAC-%s needs %zu bytes, got %zu",
                  d->name, d->size, out_cap);
    }
    FRT_ARG(out != NULL);
    FRT_TRY(oneshot(d, key, key_len, data, len, out));
    if (out_len)
        *out_len = d->size;
    frt_service_approved();
out:
    return rv;
}

FIPSRT_API int fipsrt_hmac_verify(fipsrt_hash_alg alg, const void *key, size_t key_len,
                                  const void *data, size_t len, const uint8_t *tag,
                                  size_t tag_len)
{
    int rv = FIPSRT_OK;
    const struct frt_hash_desc *d;
    uint8_t mac[FIPSRT_HASH_MAX_SIZE];
    frt_init();
    FRT_TRY(check_alg_key(__func__, alg, key, key_len, &d));
    FRT_ARG(data != NULL || len == 0);
    FRT_TRY(check_tag(__func__, d, tag, tag_len));
    FRT_TRY(oneshot(d, key, key_len, data, len, mac));
    FRT_CHECK(CRYPTO_memcmp(mac, tag, tag_len) == 0, FIPSRT_E_VERIFY_FAILED,
              "HMAC tag mismatch");
    frt_service_approved();  /* a mismatch is a failure: it does not count */
out:
    OPENSSL_cleanse(mac, sizeof(mac));
    return rv;
}

FIPSRT_API int fipsrt_hmac_new(fipsrt_hmac_ctx **out, fipsrt_hash_alg alg, const void *key,
                               size_t key_len)
{
    int rv = FIPSRT_OK;
    const struct frt_hash_desc *d;
    fipsrt_hmac_ctx *ctx = NULL;
    frt_init();
    FRT_ARG(out != NULL);
    *out = NULL;
    FRT_TRY(check_alg_key(__func__, alg, key, key_len, &d));
    FRT_CHECK((ctx = calloc(1, sizeof(*ctx))) != NULL, FIPSRT_E_NOMEM, "out of memory");
    ctx->desc = d;
    FRT_TRY(new_mac(&ctx->mac, d));
    FRT_OSSL(EVP_MAC_init(ctx->mac, key, key_len, NULL), FIPSRT_E_PROVIDER);
    *out = ctx;
    ctx = NULL;
out:
    fipsrt_hmac_free(ctx);
    return rv;
}

FIPSRT_API int fipsrt_hmac_update(fipsrt_hmac_ctx *ctx, const void *data, size_t len)
{
    int rv = FIPSRT_OK;
    FRT_ARG(ctx != NULL);
    FRT_ARG(data != NULL || len == 0);
    FRT_CHECK(!ctx->finished, FIPSRT_E_STATE, "HMAC already finished: call fipsrt_hmac_reset()");
    FRT_OSSL(EVP_MAC_update(ctx->mac, data, len), FIPSRT_E_PROVIDER);
out:
    return rv;
}

FIPSRT_API int fipsrt_hmac_final(fipsrt_hmac_ctx *ctx, uint8_t *out, size_t out_cap,
                                 size_t *out_len)
{
    int rv = FIPSRT_OK;
    FRT_ARG(ctx != NULL);
    FRT_CHECK(!ctx->finished, FIPSRT_E_STATE, "HMAC already finished: call fipsrt_hmac_reset()");
    if (out_cap < ctx->desc->size) {
        if (out_len)
            *out_len = ctx->desc->size;
        FRT_CHECK(false, FIPSRT_E_BUFFER_TOO_SMALL, "HMAC-%s needs %zu bytes, got %zu",
                  ctx->desc->name, ctx->desc->size, out_cap);
    }
    FRT_ARG(out != NULL);
    FRT_OSSL(EVP_MAC_final(ctx->mac, out, NULL, out_cap), FIPSRT_E_PROVIDER);
    ctx->finished = true;
    if (out_len)
        *out_len = ctx->desc->size;
    frt_service_approved();  /* a streaming HMAC is one service, completed here */
out:
    return rv;
}

FIPSRT_API int fipsrt_hmac_final_verify(fipsrt_hmac_ctx *ctx, const uint8_t *tag,
                                        size_t tag_len)
{
    int rv = FIPSRT_OK;
    uint8_t mac[FIPSRT_HASH_MAX_SIZE];
    FRT_ARG(ctx != NULL);
    FRT_TRY(check_tag(__func__, ctx->desc, tag, tag_len));
    FRT_TRY(FRT_UNCOUNTED(fipsrt_hmac_final(ctx, mac, sizeof(mac), NULL)));
    FRT_CHECK(CRYPTO_memcmp(mac, tag, tag_len) == 0, FIPSRT_E_VERIFY_FAILED,
              "HMAC tag mismatch");
    frt_service_approved();
out:
    OPENSSL_cleanse(mac, sizeof(mac));
    return rv;
}

FIPSRT_API int fipsrt_hmac_reset(fipsrt_hmac_ctx *ctx)
{
    int rv = FIPSRT_OK;
    FRT_ARG(ctx != NULL);
    /* A NULL key re-initialises with the key already set. */
    FRT_OSSL(EVP_MAC_init(ctx->mac, NULL, 0, NULL), FIPSRT_E_PROVIDER);
    ctx->finished = false;
out:
    return rv;
}

FIPSRT_API int fipsrt_hmac_clone(fipsrt_hmac_ctx **out, const fipsrt_hmac_ctx *ctx)
{
    int rv = FIPSRT_OK;
    fipsrt_hmac_ctx *copy = NULL;
    FRT_ARG(out != NULL);
    *out = NULL;
    FRT_ARG(ctx != NULL);
    FRT_CHECK((copy = calloc(1, sizeof(*copy))) != NULL, FIPSRT_E_NOMEM, "out of memory");
    copy->desc = ctx->desc;
    copy->finished = ctx->finished;
    FRT_OSSL_PTR(copy->mac, EVP_MAC_CTX_dup(ctx->mac), FIPSRT_E_NOMEM);
    *out = copy;
    copy = NULL;
out:
    fipsrt_hmac_free(copy);
    return rv;
}

FIPSRT_API void fipsrt_hmac_free(fipsrt_hmac_ctx *ctx)
{
    if (ctx == NULL)
        return;
    EVP_MAC_CTX_free(ctx->mac);  /* cleanses the key-derived state */
    OPENSSL_cleanse(ctx, sizeof(*ctx));
    free(ctx);
}

/* ---- prepared keys ----------------------------------------------------------------------
 * The key is checked and keyed into `tmpl` once; `tmpl` is only read afterwards (copied with
 * EVP_MAC_CTX_dup, which reads its source). Copies are kept for reuse in `idle`: a call takes
 * one with an atomic exchange (or copies the template when none is idle), re-initialises it
 * with the key already set, and puts it back with a compare-and-swap into an empty slot (or
 * frees it when every slot is taken). So a shared key costs no allocation per call in the
 * steady state, no two threads ever share an EVP_MAC_CTX, and every keyed state belongs to
 * the key and is cleansed with it. */
#define FRT_HMAC_KEY_IDLE 8

struct fipsrt_hmac_key {
    const struct frt_hash_desc *desc;
    EVP_MAC_CTX *tmpl;
    _Atomic(EVP_MAC_CTX *) idle[FRT_HMAC_KEY_IDLE];
};

FIPSRT_API int fipsrt_hmac_key_new(fipsrt_hmac_key **out, fipsrt_hash_alg alg, const void *key,
                                   size_t key_len)
{
    int rv = FIPSRT_OK;
    const struct frt_hash_desc *d;
    fipsrt_hmac_key *k = NULL;
    frt_init();
    FRT_ARG(out != NULL);
    *out = NULL;
    FRT_TRY(check_alg_key(__func__, alg, key, key_len, &d));
    FRT_CHECK((k = calloc(1, sizeof(*k))) != NULL, FIPSRT_E_NOMEM, "out of memory");
    k->desc = d;
    for (size_t i = 0; i < FRT_HMAC_KEY_IDLE; i++)
        atomic_init(&k->idle[i], NULL);
    FRT_TRY(new_mac(&k->tmpl, d));
    FRT_OSSL(EVP_MAC_init(k->tmpl, key, key_len, NULL), FIPSRT_E_PROVIDER);
    *out = k;
    k = NULL;
out:
    fipsrt_hmac_key_free(k);
    return rv;
}

FIPSRT_API void fipsrt_hmac_key_free(fipsrt_hmac_key *key)
{
    if (key == NULL)
        return;
    for (size_t i = 0; i < FRT_HMAC_KEY_IDLE; i++)
        EVP_MAC_CTX_free(atomic_load(&key->idle[i]));  /* cleanses the keyed state */
    EVP_MAC_CTX_free(key->tmpl);
    OPENSSL_cleanse(key, sizeof(*key));
    free(key);
}

FIPSRT_API fipsrt_hash_alg fipsrt_hmac_key_alg(const fipsrt_hmac_key *key)
{
    return key == NULL ? 0 : key->desc->alg;
}

/* A keyed state of `key` ready for a new message, owned by the caller until put_ctx(). */
static int take_ctx(const char *func, fipsrt_hmac_key *key, EVP_MAC_CTX **out)
{
    int rv = FIPSRT_OK;
    EVP_MAC_CTX *mac = NULL;
    for (size_t i = 0; i < FRT_HMAC_KEY_IDLE && mac == NULL; i++)
        if (atomic_load_explicit(&key->idle[i], memory_order_relaxed) != NULL)
            mac = atomic_exchange(&key->idle[i], NULL);
    if (mac == NULL) {
        /* A fresh copy of the template is ready as it is. */
        FRT_OSSL_PTR(mac, EVP_MAC_CTX_dup(key->tmpl), FIPSRT_E_NOMEM);
    } else if (EVP_MAC_init(mac, NULL, 0, NULL) <= 0) {
        /* A NULL key re-initialises with the key already set. */
        EVP_MAC_CTX_free(mac);
        return frt_ossl_error(func, FIPSRT_E_PROVIDER, "EVP_MAC_init");
    }
    *out = mac;
out:
    return rv;
}

static void put_ctx(fipsrt_hmac_key *key, EVP_MAC_CTX *mac)
{
    for (size_t i = 0; i < FRT_HMAC_KEY_IDLE; i++) {
        EVP_MAC_CTX *none = NULL;
        if (atomic_compare_exchange_strong(&key->idle[i], &none, mac))
            return;
    }
    EVP_MAC_CTX_free(mac);
}

/* MAC of data under key into out (key->desc->size bytes). */
static int key_mac(const char *func, const fipsrt_hmac_key *key, const void *data, size_t len,
                   uint8_t *out)
{
    int rv = FIPSRT_OK;
    EVP_MAC_CTX *mac = NULL;
    /* The key's struct is never modified through `key`, only its pool of idle copies. */
    fipsrt_hmac_key *k = (fipsrt_hmac_key *)key;
    FRT_TRY(take_ctx(func, k, &mac));
    FRT_OSSL(EVP_MAC_update(mac, data, len), FIPSRT_E_PROVIDER);
    FRT_OSSL(EVP_MAC_final(mac, out, NULL, key->desc->size), FIPSRT_E_PROVIDER);
    put_ctx(k, mac);
    mac = NULL;
out:
    EVP_MAC_CTX_free(mac);
    return rv;
}

FIPSRT_API int fipsrt_hmac_key_mac(const fipsrt_hmac_key *key, const void *data, size_t len,
                                   uint8_t *out, size_t out_cap, size_t *out_len)
{
    int rv = FIPSRT_OK;
    FRT_ARG(key != NULL);
    FRT_ARG(data != NULL || len == 0);
    if (out_cap < key->desc->size) {
        if (out_len)
            *out_len = key->desc->size;
        FRT_CHECK(false, FIPSRT_E_BUFFER_TOO_SMALL, "HMAC-%s needs %zu bytes, got %zu",
                  key->desc->name, key->desc->size, out_cap);
    }
    FRT_ARG(out != NULL);
    FRT_TRY(key_mac(__func__, key, data, len, out));
    if (out_len)
        *out_len = key->desc->size;
    frt_service_approved();
out:
    return rv;
}

FIPSRT_API int fipsrt_hmac_key_verify(const fipsrt_hmac_key *key, const void *data, size_t len,
                                      const uint8_t *tag, size_t tag_len)
{
    int rv = FIPSRT_OK;
    uint8_t mac[FIPSRT_HASH_MAX_SIZE];
    FRT_ARG(key != NULL);
    FRT_ARG(data != NULL || len == 0);
    FRT_TRY(check_tag(__func__, key->desc, tag, tag_len));
    FRT_TRY(key_mac(__func__, key, data, len, mac));
    FRT_CHECK(CRYPTO_memcmp(mac, tag, tag_len) == 0, FIPSRT_E_VERIFY_FAILED,
              "HMAC tag mismatch");
    frt_service_approved();
out:
    OPENSSL_cleanse(mac, sizeof(mac));
    return rv;
}
