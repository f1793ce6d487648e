/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AES-GCM (SP 800-38D): random nonces generated inside the FIPS module, counter nonces for
 * protocols, one-shot and streaming. A key object holds one keyed template context that is
 * only ever copied from, so any number of threads can seal and open with it at once.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <fipsrt/aead.h>

#include "aead_test.h"
#include "internal.h"

static const struct aead_desc {
    fipsrt_aead_alg alg;
    enum frt_alg id;   /* index in the algorithm table */
    const char *name;
    size_t key_len;
} descs[] = {
    {FIPSRT_AEAD_AES_128_GCM, FRT_CIPHER_AES_128_GCM, "AES-128-GCM", 16},
    {FIPSRT_AEAD_AES_192_GCM, FRT_CIPHER_AES_192_GCM, "AES-192-GCM", 24},
    {FIPSRT_AEAD_AES_256_GCM, FRT_CIPHER_AES_256_GCM, "AES-256-GCM", 32},
};

/* EVP takes int lengths: longer inputs go through in pieces of this size. */
#define FEED_MAX (1 << 30)

struct fipsrt_aead_key {
    const struct aead_desc *desc;
    uint64_t id;                       /* unique for the process's lifetime, never reused */
    EVP_CIPHER_CTX *tmpl;              /* keyed for encryption, no IV; only copied from */
    _Atomic uint64_t invocations;      /* encryptions started (SP 800-38D §8.3 limit) */
};

struct fipsrt_aead_counter {
    EVP_CIPHER_CTX *c;                 /* keyed once; a new IV per message */
    fipsrt_aead_nonce_mode mode;
    uint8_t fixed[FIPSRT_AEAD_NONCE_SIZE];
    size_t fixed_len;
    uint64_t last;                     /* last counter sealed, valid if `used` */
    bool used;
    uint64_t fork_gen;                 /* fork generation it was made in (see born_here) */
};

struct fipsrt_aead_stream {
    EVP_CIPHER_CTX *c;                 /* this stream's own copy of the key's template */
    bool seal;
    bool done;                         /* finished or failed: no further updates */
    uint64_t total;                    /* message bytes so far */
    uint64_t fork_gen;                 /* fork generation it was made in (see born_here) */
};

static const struct aead_desc *find(fipsrt_aead_alg alg)
{
    if ((int)alg >= 1 && (size_t)alg <= sizeof(descs) / sizeof(descs[0]))
        return &descs[alg - 1];
    return NULL;
}

FIPSRT_API size_t fipsrt_aead_key_size(fipsrt_aead_alg alg)
{
    const struct aead_desc *d = find(alg);
    return d ? d->key_len : 0;
}

FIPSRT_API const char *fipsrt_aead_name(fipsrt_aead_alg alg)
{
    const struct aead_desc *d = find(alg);
    return d ? d->name : NULL;
}

FIPSRT_API size_t fipsrt_aead_nonce_fixed_size(fipsrt_aead_nonce_mode mode)
{
    return mode == FIPSRT_AEAD_NONCE_PREFIX ? 4 : mode == FIPSRT_AEAD_NONCE_XOR ? 12 : 0;
}

/* ---- shared steps ------------------------------------------------------------------------ */

static int check_key(const char *func, fipsrt_aead_alg alg, const uint8_t *key, size_t key_len,
                     const struct aead_desc **d)
{
    *d = find(alg);
    if (*d == NULL)
        return frt_error(func, FIPSRT_E_INVALID_ARG, "unknown AEAD algorithm %d", (int)alg);
    if (key == NULL)
        return frt_error(func, FIPSRT_E_INVALID_ARG, "invalid argument: key != NULL");
    if (key_len != (*d)->key_len)
        return frt_error(func, FIPSRT_E_INVALID_ARG, "%s needs a %zu-byte key, got %zu bytes",
                         (*d)->name, (*d)->key_len, key_len);
    return FIPSRT_OK;
}

/* SP 800-38D §5.2.1.1: a message holds at most 2^39-256 bits (and len + tag fits a size_t). */
static int check_length(const char *func, size_t len)
{
    if ((uint64_t)len > FIPSRT_AEAD_MAX_MESSAGE_SIZE || len > SIZE_MAX - FIPSRT_AEAD_TAG_SIZE)
        return frt_error(func, FIPSRT_E_LIMIT, "message of %zu bytes exceeds the GCM maximum "
                         "of 2^36-32 bytes", len);
    return FIPSRT_OK;
}

/* An output of `need` bytes: capacity first (reporting the size), then the pointer. */
static int check_out(const char *func, size_t need, const uint8_t *out, size_t out_cap,
                     size_t *out_len)
{
    if (out_cap < need) {
        if (out_len)
            *out_len = need;
        return frt_error(func, FIPSRT_E_BUFFER_TOO_SMALL, "output needs %zu bytes, got %zu",
                         need, out_cap);
    }
    if (out == NULL && need > 0)
        return frt_error(func, FIPSRT_E_INVALID_ARG, "invalid argument: out != NULL");
    return FIPSRT_OK;
}

/*
 * SP 800-38D §5.2.1.2: tags of 96..128 bits; 32/64-bit tags need Appendix C's limits. As
 * everywhere (error.h), a tag shorter than the policy allows is FIPSRT_E_NOT_APPROVED and
 * one longer than the algorithm's is FIPSRT_E_INVALID_ARG.
 */
static int check_open_tag(const char *func, const uint8_t *tag, size_t tag_len)
{
    if (tag == NULL)
        return frt_error(func, FIPSRT_E_INVALID_ARG, "invalid argument: tag != NULL");
    if (tag_len < FIPSRT_AEAD_MIN_TAG_SIZE)
        return frt_error(func, FIPSRT_E_NOT_APPROVED, "%zu-bit GCM tags are not offered "
                         "(SP 800-38D 5.2.1.2, Appendix C); use 96..128 bits", tag_len * 8);
    if (tag_len > FIPSRT_AEAD_TAG_SIZE)
        return frt_error(func, FIPSRT_E_INVALID_ARG, "tag length %zu is above %d bytes",
                         tag_len, FIPSRT_AEAD_TAG_SIZE);
    return FIPSRT_OK;
}

/* SP 800-38D §8.3: at most 2^32 encryptions with random IVs under one key. */
static int count_invocation(const char *func, fipsrt_aead_key *key)
{
    uint64_t n = atomic_fetch_add_explicit(&key->invocations, 1, memory_order_relaxed);
    if (n >= FIPSRT_AEAD_INVOCATION_LIMIT)
        return frt_error(func, FIPSRT_E_LIMIT, "this key has sealed 2^32 messages with random "
                         "nonces (SP 800-38D 8.3): replace the key");
    return FIPSRT_OK;
}

/* An encryption context keyed with `key` and no IV yet. */
static int new_keyed(EVP_CIPHER_CTX **out, const struct aead_desc *d, const uint8_t *key)
{
    int rv = FIPSRT_OK;
    EVP_CIPHER_CTX *c = NULL;
    FRT_OSSL_PTR(c, EVP_CIPHER_CTX_new(), FIPSRT_E_NOMEM);
    FRT_OSSL(EVP_EncryptInit_ex2(c, frt_cipher(d->id), key, NULL, NULL), FIPSRT_E_PROVIDER);
    *out = c;
    c = NULL;
out:
    EVP_CIPHER_CTX_free(c);
    return rv;
}

/* ---- per-thread contexts ---------------------------------------------------------------
 *
 * Each thread owns one cipher context (a "slot") for one-shot calls. A seal always loads it
 * with a fresh copy of the key's template: only a context that has no IV yet makes the
 * module generate one. An open reuses the slot as is when it already holds the same key,
 * exactly like a context reused by hand, and otherwise copies the template too.
 *
 * A slot is never shared: `holds` is SLOT_BUSY while its thread works in it. The one
 * exception is fipsrt_aead_key_free(), which walks every thread's slot through the registry
 * and wipes those still holding the dying key, so no key schedule outlives its key.
 */
#define SLOT_EMPTY UINT64_C(0)
#define SLOT_BUSY UINT64_MAX
#define SLOT_ORPHAN (UINT64_MAX - 1)   /* in a fork child: its thread does not exist here */

struct slot {
    EVP_CIPHER_CTX *c;
    _Atomic uint64_t holds;            /* id of the key in c, SLOT_EMPTY or SLOT_BUSY */
    struct slot *next, **pprev;        /* registry links, under registry_lock */
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot *registry;
static pthread_once_t slot_once = PTHREAD_ONCE_INIT;
static pthread_key_t slot_key;
static bool slot_key_ok;
static _Thread_local struct slot *my_slot;
static _Atomic uint64_t next_key_id = 1;

/*
 * fork(). The child is a copy with one thread, so:
 * - a counter context or a seal stream made before the fork exists twice, and both copies
 *   would go on with the same key and nonce sequence (the same GCM nonce, i.e. the same
 *   keystream and a forgeable tag). Each records the fork generation it was made in; the
 *   child's handler increments the generation, and sealing with an older object is refused
 *   (FIPSRT_E_STATE) in the child, and only there (the parent's generation does not move).
 * - the slots of the other threads are never released there (their threads are gone): the
 *   child's handler marks them orphans, and fipsrt_aead_key_free() wipes and frees them.
 * A key_free in another thread must not hold the registry lock across fork() either.
 */
static _Atomic uint64_t fork_gen;

static void registry_lock_fork(void) { pthread_mutex_lock(&registry_lock); }
static void registry_unlock_fork(void) { pthread_mutex_unlock(&registry_lock); }
static void registry_child_fork(void)
{
    atomic_fetch_add_explicit(&fork_gen, 1, memory_order_relaxed);
    for (struct slot *sl = registry; sl != NULL; sl = sl->next)
        if (sl != my_slot)
            atomic_store_explicit(&sl->holds, SLOT_ORPHAN, memory_order_relaxed);
    pthread_mutex_unlock(&registry_lock);
}

/* Thread exit: unregister and free the slot (the provider cleanses its state). */
static void slot_free(void *p)
{
    struct slot *sl = p;
    pthread_mutex_lock(&registry_lock);
    if (sl->next)
        sl->next->pprev = sl->pprev;
    *sl->pprev = sl->next;
    pthread_mutex_unlock(&registry_lock);
    EVP_CIPHER_CTX_free(sl->c);
    free(sl);
    my_slot = NULL;   /* a later destructor calling us would make a new one */
}

static void slot_init(void)
{
    slot_key_ok = pthread_key_create(&slot_key, slot_free) == 0 &&
                  pthread_atfork(registry_lock_fork, registry_unlock_fork,
                                 registry_child_fork) == 0;
}

/* The fork generation now; fails if the fork handler could not be installed. */
static int fork_generation(const char *func, uint64_t *out)
{
    pthread_once(&slot_once, slot_init);
    if (!slot_key_ok)
        return frt_error(func, FIPSRT_E_INTERNAL, "pthread_key_create/pthread_atfork failed");
    *out = atomic_load_explicit(&fork_gen, memory_order_relaxed);
    return FIPSRT_OK;
}

/* True if an object of generation `gen` was made in this process (not before a fork). */
static inline bool born_here(uint64_t gen)
{
    return gen == atomic_load_explicit(&fork_gen, memory_order_relaxed);
}

/* The calling thread's slot, created and registered on first use. */
static int my_slot_get(struct slot **out)
{
    int rv = FIPSRT_OK;
    struct slot *sl = NULL;
    if (my_slot == NULL) {
        pthread_once(&slot_once, slot_init);
        FRT_CHECK(slot_key_ok, FIPSRT_E_INTERNAL, "pthread_key_create/pthread_atfork failed");
        FRT_CHECK((sl = calloc(1, sizeof(*sl))) != NULL, FIPSRT_E_NOMEM, "out of memory");
        FRT_OSSL_PTR(sl->c, EVP_CIPHER_CTX_new(), FIPSRT_E_NOMEM);
        atomic_init(&sl->holds, SLOT_EMPTY);
        pthread_mutex_lock(&registry_lock);
        sl->next = registry;
        sl->pprev = &registry;
        if (registry)
            registry->pprev = &sl->next;
        registry = sl;
        pthread_mutex_unlock(&registry_lock);
        pthread_setspecific(slot_key, sl);
        my_slot = sl;
        sl = NULL;
    }
    *out = my_slot;
out:
    if (sl != NULL) {
        EVP_CIPHER_CTX_free(sl->c);
        free(sl);
    }
    return rv;
}

/*
 * Take the thread's slot for one call with `key`. `fresh` asks for a new copy of the
 * template (a seal); otherwise a slot already holding the key is used as it is. Every
 * acquire() is paired with a release().
 */
static inline int acquire(const fipsrt_aead_key *key, bool fresh, struct slot **out)
{
    int rv = FIPSRT_OK;
    struct slot *sl = NULL;
    *out = NULL;
    FRT_TRY(my_slot_get(&sl));
    uint64_t held = atomic_load_explicit(&sl->holds, memory_order_relaxed);
    for (;;) {
        if (held == SLOT_BUSY) {   /* a key_free is wiping it: a matter of microseconds */
            sched_yield();
            held = atomic_load_explicit(&sl->holds, memory_order_relaxed);
        } else if (atomic_compare_exchange_weak_explicit(&sl->holds, &held, SLOT_BUSY,
                                                         memory_order_acquire,
                                                         memory_order_relaxed)) {
            break;
        }
    }
    *out = sl;
    if (fresh || held != key->id)
        FRT_OSSL(EVP_CIPHER_CTX_copy(sl->c, key->tmpl), FIPSRT_E_NOMEM);
out:
    return rv;
}

/*
 * Hand the slot back. After a success it keeps `key` for the next call; after a failure
 * (or when the context was left in a non-standard shape) its key schedule is freed now.
 */
static void release(struct slot *sl, const fipsrt_aead_key *key, bool keep)
{
    if (sl == NULL)
        return;
    if (!keep)
        EVP_CIPHER_CTX_reset(sl->c);   /* the provider cleanses what it frees */
    atomic_store_explicit(&sl->holds, keep ? key->id : SLOT_EMPTY, memory_order_release);
}

/* Wipe every thread's slot that still holds `key` (it is being freed: none is using it),
 * and free the orphans a fork left (they may hold any key, this one included). */
static void forget_key(const fipsrt_aead_key *key)
{
    pthread_mutex_lock(&registry_lock);
    for (struct slot *sl = registry, *next; sl != NULL; sl = next) {
        next = sl->next;
        if (atomic_load_explicit(&sl->holds, memory_order_relaxed) == SLOT_ORPHAN) {
            if (sl->next)
                sl->next->pprev = sl->pprev;
            *sl->pprev = sl->next;
            EVP_CIPHER_CTX_free(sl->c);   /* the provider cleanses the key schedule */
            free(sl);
            continue;
        }
        uint64_t want = key->id;
        if (atomic_compare_exchange_strong_explicit(&sl->holds, &want, SLOT_BUSY,
                                                    memory_order_acquire,
                                                    memory_order_relaxed)) {
            EVP_CIPHER_CTX_reset(sl->c);
            atomic_store_explicit(&sl->holds, SLOT_EMPTY, memory_order_release);
        }
    }
    pthread_mutex_unlock(&registry_lock);
}

/* Run `len` bytes through `c` (as AAD when out is NULL), in pieces EVP's ints can hold. */
static inline int feed(EVP_CIPHER_CTX *c, uint8_t *out, const uint8_t *in, size_t len)
{
    int rv = FIPSRT_OK, got;
    for (size_t n; len > 0; in += n, out = out ? out + n : NULL, len -= n) {
        n = len < FEED_MAX ? len : FEED_MAX;
        FRT_OSSL(EVP_CipherUpdate(c, out, &got, in, (int)n), FIPSRT_E_PROVIDER);
    }
out:
    return rv;
}

/* Finish an encryption: write the tag and, if `nonce` is not NULL, the IV used. */
static inline int seal_finish(EVP_CIPHER_CTX *c, uint8_t *nonce, uint8_t *tag,
                              size_t tag_len)
{
    int rv = FIPSRT_OK, got;
    uint8_t none[1];
    OSSL_PARAM params[] = {
        OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_IV, nonce, FIPSRT_AEAD_NONCE_SIZE),
        OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, tag_len),
        OSSL_PARAM_END,
    };
    FRT_OSSL(EVP_EncryptFinal_ex(c, none, &got), FIPSRT_E_PROVIDER);
    /* One provider call for both; without a nonce to return, ask for the tag only. */
    FRT_OSSL(EVP_CIPHER_CTX_get_params(c, nonce != NULL ? params : params + 1),
             FIPSRT_E_PROVIDER);
    FRT_CHECK(nonce == NULL || params[0].return_size == FIPSRT_AEAD_NONCE_SIZE,
              FIPSRT_E_INTERNAL, "the module returned a %zu-byte IV", params[0].return_size);
out:
    return rv;
}

/* Decrypt and verify in a keyed context; on any failure `out` is wiped, never partial. */
static inline int open_in(EVP_CIPHER_CTX *c, const uint8_t *nonce, const uint8_t *aad,
                          size_t aad_len, const uint8_t *ct, size_t ct_len,
                          const uint8_t *tag, size_t tag_len, uint8_t *out)
{
    int rv = FIPSRT_OK, got;
    uint8_t none[1];
    OSSL_PARAM params[] = {
        OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, (void *)tag, tag_len),
        OSSL_PARAM_END,
    };
    FRT_OSSL(EVP_DecryptInit_ex2(c, NULL, NULL, nonce, params), FIPSRT_E_PROVIDER);
    FRT_TRY(feed(c, NULL, aad, aad_len));
    FRT_TRY(feed(c, out, ct, ct_len));
    FRT_CHECK(EVP_DecryptFinal_ex(c, none, &got) > 0, FIPSRT_E_VERIFY_FAILED,
              "AES-GCM tag mismatch: wrong key, nonce, AAD, ciphertext or tag");
out:
    if (rv < 0 && ct_len > 0)
        OPENSSL_cleanse(out, ct_len);
    return rv;
}

/* ---- keys and random-nonce seal ---------------------------------------------------------- */

FIPSRT_API int fipsrt_aead_key_new(fipsrt_aead_key **out, fipsrt_aead_alg alg,
                                   const uint8_t *key, size_t key_len)
{
    int rv = FIPSRT_OK;
    const struct aead_desc *d;
    fipsrt_aead_key *k = NULL;
    frt_init();
    FRT_ARG(out != NULL);
    *out = NULL;
    FRT_TRY(check_key(__func__, alg, key, key_len, &d));
    FRT_CHECK((k = calloc(1, sizeof(*k))) != NULL, FIPSRT_E_NOMEM, "out of memory");
    k->desc = d;
    /* The fork handlers must exist before this key's free can take the registry lock. */
    pthread_once(&slot_once, slot_init);
    k->id = atomic_fetch_add_explicit(&next_key_id, 1, memory_order_relaxed);
    atomic_init(&k->invocations, 0);
    FRT_TRY(new_keyed(&k->tmpl, d, key));
    *out = k;
    k = NULL;
out:
    fipsrt_aead_key_free(k);
    return rv;
}

FIPSRT_API void fipsrt_aead_key_free(fipsrt_aead_key *key)
{
    if (key == NULL)
        return;
    forget_key(key);
    EVP_CIPHER_CTX_free(key->tmpl);   /* the provider cleanses the key schedule */
    OPENSSL_cleanse(key, sizeof(*key));
    free(key);
}

FIPSRT_API fipsrt_aead_alg fipsrt_aead_key_alg(const fipsrt_aead_key *key)
{
    return key ? key->desc->alg : (fipsrt_aead_alg)0;
}

FIPSRT_API uint64_t fipsrt_aead_key_invocations(const fipsrt_aead_key *key)
{
    if (key == NULL)
        return 0;
    /* Refused calls also increment the count: report it clamped at the limit. */
    uint64_t n = atomic_load_explicit(&key->invocations, memory_order_relaxed);
    return n < FIPSRT_AEAD_INVOCATION_LIMIT ? n : FIPSRT_AEAD_INVOCATION_LIMIT;
}

/* The module generates the IV on the first cipher step of a fresh copy; read it back. */
static inline int seal_random(const char *func, fipsrt_aead_key *key, const uint8_t *aad,
                              size_t aad_len, const uint8_t *pt, size_t pt_len,
                              uint8_t *nonce, uint8_t *ct, uint8_t *tag)
{
    int rv = FIPSRT_OK;
    struct slot *sl = NULL;
    FRT_TRY(count_invocation(func, key));
    FRT_TRY(acquire(key, true, &sl));
    FRT_TRY(feed(sl->c, NULL, aad, aad_len));
    FRT_TRY(feed(sl->c, ct, pt, pt_len));
    FRT_TRY(seal_finish(sl->c, nonce, tag, FIPSRT_AEAD_TAG_SIZE));
out:
    release(sl, key, rv == FIPSRT_OK);
    return rv;
}

FIPSRT_API int fipsrt_aead_seal(fipsrt_aead_key *key, const void *aad, size_t aad_len,
                                const void *pt, size_t pt_len,
                                uint8_t nonce[FIPSRT_AEAD_NONCE_SIZE],
                                uint8_t *out, size_t out_cap, size_t *out_len)
{
    int rv = FIPSRT_OK;
    FRT_ARG(key != NULL);
    FRT_ARG(nonce != NULL);
    FRT_ARG(aad != NULL || aad_len == 0);
    FRT_ARG(pt != NULL || pt_len == 0);
    FRT_TRY(check_length(__func__, pt_len));
    FRT_TRY(check_out(__func__, pt_len + FIPSRT_AEAD_TAG_SIZE, out, out_cap, out_len));
    FRT_TRY(seal_random(__func__, key, aad, aad_len, pt, pt_len, nonce, out, out + pt_len));
    if (out_len)
        *out_len = pt_len + FIPSRT_AEAD_TAG_SIZE;
    frt_service_approved();
out:
    return rv;
}

FIPSRT_API int fipsrt_aead_seal_detached(fipsrt_aead_key *key, const void *aad, size_t aad_len,
                                         const void *pt, size_t pt_len,
                                         uint8_t nonce[FIPSRT_AEAD_NONCE_SIZE],
                                         uint8_t *ct, size_t ct_cap,
                                         uint8_t tag[FIPSRT_AEAD_TAG_SIZE])
{
    int rv = FIPSRT_OK;
    FRT_ARG(key != NULL);
    FRT_ARG(nonce != NULL);
    FRT_ARG(tag != NULL);
    FRT_ARG(aad != NULL || aad_len == 0);
    FRT_ARG(pt != NULL || pt_len == 0);
    FRT_TRY(check_length(__func__, pt_len));
    FRT_TRY(check_out(__func__, pt_len, ct, ct_cap, NULL));
    FRT_TRY(seal_random(__func__, key, aad, aad_len, pt, pt_len, nonce, ct, tag));
    frt_service_approved();
out:
    return rv;
}

static inline int open_with_key(const fipsrt_aead_key *key, const uint8_t *nonce,
                                const uint8_t *aad, size_t aad_len, const uint8_t *ct,
                                size_t ct_len, const uint8_t *tag, size_t tag_len,
                                uint8_t *out)
{
    int rv = FIPSRT_OK;
    struct slot *sl = NULL;
    FRT_TRY(acquire(key, false, &sl));
    FRT_TRY(open_in(sl->c, nonce, aad, aad_len, ct, ct_len, tag, tag_len, out));
out:
    /* A wrong tag leaves the context sound; anything else drops it to be safe. */
    release(sl, key, rv == FIPSRT_OK || rv == FIPSRT_E_VERIFY_FAILED);
    return rv;
}

FIPSRT_API int fipsrt_aead_open(const fipsrt_aead_key *key,
                                const uint8_t nonce[FIPSRT_AEAD_NONCE_SIZE],
                                const void *aad, size_t aad_len,
                                const uint8_t *in, size_t in_len,
                                uint8_t *out, size_t out_cap, size_t *out_len)
{
    int rv = FIPSRT_OK;
    FRT_ARG(key != NULL);
    FRT_ARG(nonce != NULL);
    FRT_ARG(aad != NULL || aad_len == 0);
    FRT_ARG(in != NULL);
    FRT_CHECK(in_len >= FIPSRT_AEAD_TAG_SIZE, FIPSRT_E_INVALID_ARG,
              "input of %zu bytes is shorter than the 16-byte tag", in_len);
    size_t ct_len = in_len - FIPSRT_AEAD_TAG_SIZE;
    FRT_TRY(check_length(__func__, ct_len));
    FRT_TRY(check_out(__func__, ct_len, out, out_cap, out_len));
    FRT_TRY(open_with_key(key, nonce, aad, aad_len, in, ct_len, in + ct_len,
                          FIPSRT_AEAD_TAG_SIZE, out));
    if (out_len)
        *out_len = ct_len;
    frt_service_approved();  /* a wrong tag is a failure: it does not count */
out:
    return rv;
}

FIPSRT_API int fipsrt_aead_open_detached(const fipsrt_aead_key *key,
                                         const uint8_t nonce[FIPSRT_AEAD_NONCE_SIZE],
                                         const void *aad, size_t aad_len,
                                         const uint8_t *ct, size_t ct_len,
                                         const uint8_t *tag, size_t tag_len,
                                         uint8_t *out, size_t out_cap)
{
    int rv = FIPSRT_OK;
    FRT_ARG(key != NULL);
    FRT_ARG(nonce != NULL);
    FRT_ARG(aad != NULL || aad_len == 0);
    FRT_ARG(ct != NULL || ct_len == 0);
    FRT_TRY(check_open_tag(__func__, tag, tag_len));
    FRT_TRY(check_length(__func__, ct_len));
    FRT_TRY(check_out(__func__, ct_len, out, out_cap, NULL));
    FRT_TRY(open_with_key(key, nonce, aad, aad_len, ct, ct_len, tag, tag_len, out));
    frt_service_approved();
out:
    return rv;
}

/* ---- counter nonces --------------------------------------------------------------------- */

static void counter_nonce(const fipsrt_aead_counter *ctx, uint64_t counter, uint8_t *nonce)
{
    uint8_t be[8];
    for (int i = 0; i < 8; i++)
        be[i] = (uint8_t)(counter >> (56 - 8 * i));
    if (ctx->mode == FIPSRT_AEAD_NONCE_PREFIX) {
        memcpy(nonce, ctx->fixed, 4);
        memcpy(nonce + 4, be, 8);
    } else {
        memcpy(nonce, ctx->fixed, FIPSRT_AEAD_NONCE_SIZE);
        for (int i = 0; i < 8; i++)
            nonce[4 + i] ^= be[i];
    }
}

FIPSRT_API int fipsrt_aead_counter_new(fipsrt_aead_counter **out, fipsrt_aead_alg alg,
                                       const uint8_t *key, size_t key_len,
                                       fipsrt_aead_nonce_mode mode,
                                       const uint8_t *fixed, size_t fixed_len)
{
    int rv = FIPSRT_OK;
    const struct aead_desc *d;
    fipsrt_aead_counter *ctx = NULL;
    frt_init();
    FRT_ARG(out != NULL);
    *out = NULL;
    FRT_TRY(check_key(__func__, alg, key, key_len, &d));
    size_t want = fipsrt_aead_nonce_fixed_size(mode);
    FRT_CHECK(want != 0, FIPSRT_E_INVALID_ARG, "unknown nonce mode %d", (int)mode);
    FRT_CHECK(fixed == NULL ? fixed_len == 0 : fixed_len == want, FIPSRT_E_INVALID_ARG,
              "the fixed nonce field must be %zu bytes (or NULL to draw it), got %zu",
              want, fixed_len);
    FRT_CHECK((ctx = calloc(1, sizeof(*ctx))) != NULL, FIPSRT_E_NOMEM, "out of memory");
    FRT_TRY(fork_generation(__func__, &ctx->fork_gen));
    ctx->mode = mode;
    ctx->fixed_len = want;
    if (fixed != NULL)
        memcpy(ctx->fixed, fixed, want);
    else
        FRT_OSSL(RAND_bytes_ex(frt_libctx(), ctx->fixed, want, 0), FIPSRT_E_PROVIDER);
    FRT_TRY(new_keyed(&ctx->c, d, key));
    *out = ctx;
    ctx = NULL;
out:
    fipsrt_aead_counter_free(ctx);
    return rv;
}

FIPSRT_API void fipsrt_aead_counter_free(fipsrt_aead_counter *ctx)
{
    if (ctx == NULL)
        return;
    EVP_CIPHER_CTX_free(ctx->c);
    OPENSSL_cleanse(ctx, sizeof(*ctx));
    free(ctx);
}

FIPSRT_API int fipsrt_aead_counter_fixed(const fipsrt_aead_counter *ctx, uint8_t *out,
                                         size_t out_cap, size_t *out_len)
{
    int rv = FIPSRT_OK;
    FRT_ARG(ctx != NULL);
    FRT_TRY(check_out(__func__, ctx->fixed_len, out, out_cap, out_len));
    memcpy(out, ctx->fixed, ctx->fixed_len);
    if (out_len)
        *out_len = ctx->fixed_len;
out:
    return rv;
}

FIPSRT_API int fipsrt_aead_counter_nonce(const fipsrt_aead_counter *ctx, uint64_t counter,
                                         uint8_t nonce[FIPSRT_AEAD_NONCE_SIZE])
{
    int rv = FIPSRT_OK;
    FRT_ARG(ctx != NULL);
    FRT_ARG(nonce != NULL);
    counter_nonce(ctx, counter, nonce);
out:
    return rv;
}

FIPSRT_API int fipsrt_aead_counter_last(const fipsrt_aead_counter *ctx, uint64_t *last)
{
    int rv = FIPSRT_OK;
    FRT_ARG(ctx != NULL);
    FRT_ARG(last != NULL);
    FRT_CHECK(ctx->used, FIPSRT_E_STATE, "no message has been sealed with this context yet");
    *last = ctx->last;
out:
    return rv;
}

FIPSRT_API int fipsrt_aead_counter_seal(fipsrt_aead_counter *ctx, uint64_t counter,
                                        const void *aad, size_t aad_len,
                                        const void *pt, size_t pt_len,
                                        uint8_t *out, size_t out_cap, size_t *out_len)
{
    int rv = FIPSRT_OK;
    uint8_t nonce[FIPSRT_AEAD_NONCE_SIZE];
    FRT_ARG(ctx != NULL);
    FRT_ARG(aad != NULL || aad_len == 0);
    FRT_ARG(pt != NULL || pt_len == 0);
    FRT_TRY(check_length(__func__, pt_len));
    FRT_TRY(check_out(__func__, pt_len + FIPSRT_AEAD_TAG_SIZE, out, out_cap, out_len));
    /* SP 800-38D §8.2.1: a deterministic IV must never repeat under one key. */
    FRT_CHECK(born_here(ctx->fork_gen), FIPSRT_E_STATE, "this counter context was made "
              "before fork(): its counter goes on in the parent, so it may not seal here");
    FRT_CHECK(!ctx->used || ctx->last != UINT64_MAX, FIPSRT_E_LIMIT,
              "every 64-bit counter value has been used: replace the key");
    FRT_CHECK(!ctx->used || counter > ctx->last, FIPSRT_E_NONCE_REUSE,
              "counter %llu is not above the last one sealed (%llu)",
              (unsigned long long)counter, (unsigned long long)ctx->last);
    ctx->used = true;   /* consumed before the cipher runs: a failure cannot free it */
    ctx->last = counter;
    counter_nonce(ctx, counter, nonce);
    FRT_OSSL(EVP_EncryptInit_ex2(ctx->c, NULL, NULL, nonce, NULL), FIPSRT_E_PROVIDER);
    FRT_TRY(feed(ctx->c, NULL, aad, aad_len));
    FRT_TRY(feed(ctx->c, out, pt, pt_len));
    FRT_TRY(seal_finish(ctx->c, NULL, out + pt_len, FIPSRT_AEAD_TAG_SIZE));
    if (out_len)
        *out_len = pt_len + FIPSRT_AEAD_TAG_SIZE;
    frt_service_approved();
out:
    return rv;
}

FIPSRT_API int fipsrt_aead_counter_open(fipsrt_aead_counter *ctx, uint64_t counter,
                                        const void *aad, size_t aad_len,
                                        const uint8_t *in, size_t in_len,
                                        uint8_t *out, size_t out_cap, size_t *out_len)
{
    int rv = FIPSRT_OK;
    uint8_t nonce[FIPSRT_AEAD_NONCE_SIZE];
    FRT_ARG(ctx != NULL);
    FRT_ARG(aad != NULL || aad_len == 0);
    FRT_ARG(in != NULL);
    FRT_CHECK(in_len >= FIPSRT_AEAD_TAG_SIZE, FIPSRT_E_INVALID_ARG,
              "input of %zu bytes is shorter than the 16-byte tag", in_len);
    size_t ct_len = in_len - FIPSRT_AEAD_TAG_SIZE;
    FRT_TRY(check_length(__func__, ct_len));
    FRT_TRY(check_out(__func__, ct_len, out, out_cap, out_len));
    counter_nonce(ctx, counter, nonce);
    FRT_TRY(open_in(ctx->c, nonce, aad, aad_len, in, ct_len, in + ct_len,
                    FIPSRT_AEAD_TAG_SIZE, out));
    if (out_len)
        *out_len = ct_len;
    frt_service_approved();
out:
    return rv;
}

/* ---- streaming ---------------------------------------------------------------------------- */

static int stream_new(fipsrt_aead_stream **out, const fipsrt_aead_key *key, bool seal,
                      const uint8_t *nonce, const uint8_t *aad, size_t aad_len)
{
    int rv = FIPSRT_OK;
    fipsrt_aead_stream *s = NULL;
    FRT_CHECK((s = calloc(1, sizeof(*s))) != NULL, FIPSRT_E_NOMEM, "out of memory");
    FRT_TRY(fork_generation(__func__, &s->fork_gen));
    s->seal = seal;
    FRT_OSSL_PTR(s->c, EVP_CIPHER_CTX_new(), FIPSRT_E_NOMEM);
    FRT_OSSL(EVP_CIPHER_CTX_copy(s->c, key->tmpl), FIPSRT_E_NOMEM);
    if (!seal)
        FRT_OSSL(EVP_DecryptInit_ex2(s->c, NULL, NULL, nonce, NULL), FIPSRT_E_PROVIDER);
    FRT_TRY(feed(s->c, NULL, aad, aad_len));
    *out = s;
    s = NULL;
out:
    fipsrt_aead_stream_free(s);
    return rv;
}

FIPSRT_API int fipsrt_aead_seal_stream_new(fipsrt_aead_stream **out, fipsrt_aead_key *key,
                                           const void *aad, size_t aad_len)
{
    int rv = FIPSRT_OK;
    FRT_ARG(out != NULL);
    *out = NULL;
    FRT_ARG(key != NULL);
    FRT_ARG(aad != NULL || aad_len == 0);
    FRT_TRY(count_invocation(__func__, key));
    FRT_TRY(stream_new(out, key, true, NULL, aad, aad_len));
out:
    return rv;
}

FIPSRT_API int fipsrt_aead_open_stream_new(fipsrt_aead_stream **out,
                                           const fipsrt_aead_key *key,
                                           const uint8_t nonce[FIPSRT_AEAD_NONCE_SIZE],
                                           const void *aad, size_t aad_len)
{
    int rv = FIPSRT_OK;
    FRT_ARG(out != NULL);
    *out = NULL;
    FRT_ARG(key != NULL);
    FRT_ARG(nonce != NULL);
    FRT_ARG(aad != NULL || aad_len == 0);
    FRT_TRY(stream_new(out, key, false, nonce, aad, aad_len));
out:
    return rv;
}

FIPSRT_API int fipsrt_aead_stream_update(fipsrt_aead_stream *s, const void *in, size_t in_len,
                                         uint8_t *out, size_t out_cap, size_t *out_len)
{
    int rv = FIPSRT_OK;
    FRT_ARG(s != NULL);
    FRT_ARG(in != NULL || in_len == 0);
    FRT_CHECK(!s->done, FIPSRT_E_STATE, "stream already finished or failed");
    FRT_CHECK(!s->seal || born_here(s->fork_gen), FIPSRT_E_STATE, "this seal stream was made "
              "before fork(): its nonce is the parent's too, so it may not seal here");
    FRT_CHECK((uint64_t)in_len <= FIPSRT_AEAD_MAX_MESSAGE_SIZE - s->total, FIPSRT_E_LIMIT,
              "message would exceed the GCM maximum of 2^36-32 bytes");
    FRT_TRY(check_out(__func__, in_len, out, out_cap, out_len));
    rv = feed(s->c, out, in, in_len);
    if (rv < 0) {
        s->done = true;
        goto out;
    }
    s->total += in_len;
    if (out_len)
        *out_len = in_len;
out:
    return rv;
}

FIPSRT_API int fipsrt_aead_seal_stream_final(fipsrt_aead_stream *s,
                                             uint8_t nonce[FIPSRT_AEAD_NONCE_SIZE],
                                             uint8_t tag[FIPSRT_AEAD_TAG_SIZE])
{
    int rv = FIPSRT_OK;
    FRT_ARG(s != NULL);
    FRT_ARG(nonce != NULL);
    FRT_ARG(tag != NULL);
    FRT_CHECK(s->seal, FIPSRT_E_STATE, "not a seal stream");
    FRT_CHECK(!s->done, FIPSRT_E_STATE, "stream already finished or failed");
    FRT_CHECK(born_here(s->fork_gen), FIPSRT_E_STATE, "this seal stream was made before "
              "fork(): its nonce is the parent's too, so it may not seal here");
    s->done = true;
    FRT_TRY(seal_finish(s->c, nonce, tag, FIPSRT_AEAD_TAG_SIZE));
    frt_service_approved();  /* a stream is one service: new and updates do not count */
out:
    return rv;
}

FIPSRT_API int fipsrt_aead_open_stream_final(fipsrt_aead_stream *s, const uint8_t *tag,
                                             size_t tag_len)
{
    int rv = FIPSRT_OK, got;
    uint8_t none[1];
    FRT_ARG(s != NULL);
    FRT_TRY(check_open_tag(__func__, tag, tag_len));
    FRT_CHECK(!s->seal, FIPSRT_E_STATE, "not an open stream");
    FRT_CHECK(!s->done, FIPSRT_E_STATE, "stream already finished or failed");
    s->done = true;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, (void *)tag, tag_len),
        OSSL_PARAM_construct_end(),
    };
    FRT_OSSL(EVP_CIPHER_CTX_set_params(s->c, params), FIPSRT_E_PROVIDER);
    FRT_CHECK(EVP_DecryptFinal_ex(s->c, none, &got) > 0, FIPSRT_E_VERIFY_FAILED,
              "AES-GCM tag mismatch: discard all plaintext of this stream");
    frt_service_approved();  /* only a verified stream counts */
out:
    return rv;
}

FIPSRT_API void fipsrt_aead_stream_free(fipsrt_aead_stream *s)
{
    if (s == NULL)
        return;
    EVP_CIPHER_CTX_free(s->c);
    OPENSSL_cleanse(s, sizeof(*s));
    free(s);
}

/* ---- test-only hooks (lib/aead_test.h) ---------------------------------------------------- */

int frt_aead_seal_external_iv(fipsrt_aead_key *key, const uint8_t *iv, size_t iv_len,
                              const void *aad, size_t aad_len, const void *pt, size_t pt_len,
                              uint8_t *ct, uint8_t *tag, size_t tag_len)
{
    int rv = FIPSRT_OK;
    struct slot *sl = NULL;
    size_t ivl = iv_len;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivl),
        OSSL_PARAM_construct_end(),
    };
    FRT_ARG(key != NULL);
    FRT_ARG(iv != NULL && iv_len >= 1 && iv_len <= 128);
    FRT_ARG(tag != NULL && tag_len >= 4 && tag_len <= FIPSRT_AEAD_TAG_SIZE);
    FRT_ARG(aad != NULL || aad_len == 0);
    FRT_ARG((pt != NULL && ct != NULL) || pt_len == 0);
    FRT_TRY(count_invocation(__func__, key));
    FRT_TRY(acquire(key, true, &sl));
    FRT_OSSL(EVP_EncryptInit_ex2(sl->c, NULL, NULL, iv, params), FIPSRT_E_PROVIDER);
    FRT_TRY(feed(sl->c, NULL, aad, aad_len));
    FRT_TRY(feed(sl->c, ct, pt, pt_len));
    FRT_TRY(seal_finish(sl->c, NULL, tag, tag_len));
out:
    release(sl, key, false);   /* its IV length may not be 96 bits: never reuse it */
    return rv;
}

void frt_aead_key_set_invocations(fipsrt_aead_key *key, uint64_t count)
{
    atomic_store_explicit(&key->invocations, count, memory_order_relaxed);
}

void frt_aead_test_hold_slot(fipsrt_aead_key *key)
{
    struct slot *sl = NULL;
    if (acquire(key, true, &sl) == FIPSRT_OK)
        return;   /* left SLOT_BUSY, as in a thread in the middle of a seal */
    release(sl, key, false);
}

void frt_aead_test_release_slot(fipsrt_aead_key *key)
{
    if (my_slot != NULL)
        release(my_slot, key, false);
}

size_t frt_aead_test_keyed_slots(void)
{
    size_t n = 0;
    pthread_mutex_lock(&registry_lock);
    for (struct slot *sl = registry; sl != NULL; sl = sl->next)
        n += EVP_CIPHER_CTX_get0_cipher(sl->c) != NULL;
    pthread_mutex_unlock(&registry_lock);
    return n;
}
