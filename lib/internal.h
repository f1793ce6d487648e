/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal interfaces shared by the library's families: the error idiom, the runtime's
 * algorithm table and per-thread scratch state. Nothing here is exported.
 */
#ifndef FIPSRT_INTERNAL_H
#define FIPSRT_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>

#include <openssl/evp.h>

#include <fipsrt/error.h>
#include <fipsrt/hash.h>

#define FRT_HIDDEN __attribute__((visibility("hidden")))

/*
 * Coverage builds only (meson defines FRT_GCOV_DUMP when b_coverage is true, as systemd
 * does): a process about to end in abort() or _exit() skips gcov's exit-time write of its
 * counters, so write them first. Expands to nothing in every other build.
 */
#ifdef FRT_GCOV_DUMP
void __gcov_dump(void);
#define frt_gcov_dump() __gcov_dump()
#else
#define frt_gcov_dump() ((void)0)
#endif

/* ---- errors (lib/error.c) ------------------------------------------------------------
 *
 * The one idiom: a function declares `int rv = FIPSRT_OK;`, ends with an `out:` label that
 * releases what it holds, and checks each step with one of the macros below. A failure
 * records the code and a detail text ("function: reason" plus the drained OpenSSL error
 * queue) in the thread's last-error slot and jumps to `out`.
 */

/* Record a failure with a printf-style reason; returns code. Drains the OpenSSL queue too. */
FRT_HIDDEN int frt_error(const char *func, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Record a failed OpenSSL call named `what`; the OpenSSL error queue goes into the detail. */
FRT_HIDDEN int frt_ossl_error(const char *func, int code, const char *what);
/* Clear the thread's last-error slot (not needed on success paths; kept for the tests). */
FRT_HIDDEN void frt_error_clear(void);

/* An OpenSSL call that returns > 0 on success. */
#define FRT_OSSL(call, code)                                                                 \
    do {                                                                                     \
        if ((call) <= 0) {                                                                   \
            rv = frt_ossl_error(__func__, (code), #call);                                    \
            goto out;                                                                        \
        }                                                                                    \
    } while (0)

/* An OpenSSL call that returns a pointer, NULL on failure: assigns it to `var`. */
#define FRT_OSSL_PTR(var, call, code)                                                        \
    do {                                                                                     \
        if (((var) = (call)) == NULL) {                                                      \
            rv = frt_ossl_error(__func__, (code), #call);                                    \
            goto out;                                                                        \
        }                                                                                    \
    } while (0)

/* A precondition of the library itself; `...` is the printf-style reason. */
#define FRT_CHECK(cond, code, ...)                                                           \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            rv = frt_error(__func__, (code), __VA_ARGS__);                                   \
            goto out;                                                                        \
        }                                                                                    \
    } while (0)

/* An argument check: FIPSRT_E_INVALID_ARG naming the failed condition. */
#define FRT_ARG(cond) FRT_CHECK(cond, FIPSRT_E_INVALID_ARG, "invalid argument: %s", #cond)

/* Propagate an internal call's negative code (its detail is already recorded). */
#define FRT_TRY(expr)                                                                        \
    do {                                                                                     \
        int frt_try_rv_ = (expr);                                                            \
        if (frt_try_rv_ < 0) {                                                               \
            rv = frt_try_rv_;                                                                \
            goto out;                                                                        \
        }                                                                                    \
    } while (0)

/* ---- runtime (lib/runtime.c) --------------------------------------------------------- */

/* Ensure the runtime is initialised (pthread_once); panics and aborts if it cannot be. */
FRT_HIDDEN void frt_init(void);

/*
 * The library's own library context (fips + base only; see lib/runtime.c) and the property
 * query that goes with it. Every OpenSSL call in lib/ that takes a library context or a
 * property query gets these two, never NULL: NULL means "whatever the process's defaults
 * are now", which other code in the process can change at any time.
 */
FRT_HIDDEN OSSL_LIB_CTX *frt_libctx(void);
#define FRT_PROPQ "fips=yes"

/*
 * libssl 3.0 keeps the ex_data callbacks of SSL and SSL_CTX objects in the *thread's current
 * default* context (CRYPTO_new_ex_data with a NULL context), whatever context the object
 * belongs to. Index creation and every free that can run those callbacks go between these
 * two, in the process's global default context, so another thread default (set by other
 * code) cannot skip the library's free callback (tests/test_boundary.c under ASan).
 */
FRT_HIDDEN OSSL_LIB_CTX *frt_ex_data_enter(void);
FRT_HIDDEN void frt_ex_data_leave(OSSL_LIB_CTX *prev);

/* Record the providers active in the process's default context at start-up (the
 * configuration's), for fipsrt_process_changes() (lib/process_state.c). */
FRT_HIDDEN void frt_process_snapshot(void);

/* Print the panic (SPEC §1.3) naming `step` with the OpenSSL error queue, and abort(). */
FRT_HIDDEN _Noreturn void frt_panic(const char *step, const char *detail);

/*
 * Every algorithm the library uses, fetched once at initialisation, checked to come from
 * the provider named "fips". Families get their implementation through the accessors.
 */
enum frt_alg {
    FRT_MD_SHA1, FRT_MD_SHA224, FRT_MD_SHA256, FRT_MD_SHA384, FRT_MD_SHA512,
    FRT_MD_SHA512_224, FRT_MD_SHA512_256,
    FRT_MD_SHA3_224, FRT_MD_SHA3_256, FRT_MD_SHA3_384, FRT_MD_SHA3_512,
    FRT_MD_SHAKE128, FRT_MD_SHAKE256,
    FRT_MAC_HMAC,
    FRT_CIPHER_AES_128_GCM, FRT_CIPHER_AES_192_GCM, FRT_CIPHER_AES_256_GCM,
    FRT_CIPHER_AES_256_CBC,           /* PKCS#8 encryption (PBES2) */
    FRT_KDF_HKDF, FRT_KDF_PBKDF2, FRT_KDF_TLS1_PRF,
    FRT_SIG_ECDSA, FRT_SIG_RSA,
    FRT_ASYM_RSA,
    FRT_KEX_ECDH,
    FRT_KEYMGMT_EC, FRT_KEYMGMT_RSA,
    FRT_RAND_CTR_DRBG,
    FRT_ALG_COUNT
};

FRT_HIDDEN const EVP_MD *frt_md(enum frt_alg id);
FRT_HIDDEN const EVP_CIPHER *frt_cipher(enum frt_alg id);
FRT_HIDDEN EVP_MAC *frt_mac(enum frt_alg id);
FRT_HIDDEN EVP_KDF *frt_kdf(enum frt_alg id);
FRT_HIDDEN EVP_SIGNATURE *frt_signature(enum frt_alg id);
FRT_HIDDEN EVP_ASYM_CIPHER *frt_asym_cipher(enum frt_alg id);
FRT_HIDDEN EVP_KEYEXCH *frt_keyexch(enum frt_alg id);
FRT_HIDDEN EVP_KEYMGMT *frt_keymgmt(enum frt_alg id);

/* The approved-service indicator: call once when an approved service completed successfully
 * (on the success path, after the last step that can fail). See docs/SERVICES.md. */
FRT_HIDDEN void frt_service_approved(void);
/*
 * A public function called by another one as one step of the caller's service (passwd_hash
 * drawing its salt with fipsrt_random, a sign hashing with fipsrt_hash): wrap the inner call,
 * `FRT_TRY(FRT_UNCOUNTED(fipsrt_random(salt, n)))`, so it does not count; the outer function
 * counts its one service itself. Nests; the comma operator runs enter before the call and
 * leave after it, on every path.
 */
FRT_HIDDEN void frt_service_enter(void);
FRT_HIDDEN int frt_service_leave(int rv);
#define FRT_UNCOUNTED(call) (frt_service_enter(), frt_service_leave(call))

/* Library known-answer tests (lib/selftest.c), run by fipsrt_selftest(). */
FRT_HIDDEN int frt_run_kats(void);

/* ---- hash descriptors (lib/hash.c) ---------------------------------------------------- */

struct frt_hash_desc {
    fipsrt_hash_alg alg;
    enum frt_alg id;       /* index in the algorithm table */
    const char *name;      /* OpenSSL name */
    size_t size;           /* 0 for XOFs */
    size_t block_size;
    bool xof;
};

/*
 * Look up a hash for a security use by `func`: MD5 -> FIPSRT_E_MD5_SECURE, unknown ->
 * FIPSRT_E_INVALID_ARG (both recorded). Every family taking a fipsrt_hash_alg uses this.
 */
FRT_HIDDEN int frt_hash_lookup(const char *func, fipsrt_hash_alg alg,
                               const struct frt_hash_desc **out);
/* Initialised digest context for `alg` to copy from (built once at initialisation). */
FRT_HIDDEN const EVP_MD_CTX *frt_md_template(fipsrt_hash_alg alg);
FRT_HIDDEN int frt_hash_build_templates(void);
FRT_HIDDEN void frt_hash_free_templates(void);

/* ---- per-thread scratch state (lib/runtime.c) ------------------------------------------
 * One-shot functions reuse one OpenSSL context per thread instead of allocating per call;
 * it is freed (and cleansed) when the thread exits.
 */
struct frt_thread {
    EVP_MD_CTX *md;                          /* one-shot digests */
    EVP_MAC_CTX *hmac[FRT_MD_SHAKE256 + 1];  /* one-shot HMAC, per digest */
};
/* The calling thread's scratch state, allocated on first use; NULL only if out of memory. */
FRT_HIDDEN struct frt_thread *frt_thread(void);

/* ---- keys (lib/keys.c) ----------------------------------------------------------------
 * struct fipsrt_key (defined in lib/keys.c) wraps one EVP_PKEY from the FIPS provider.
 * Other families (ecdsa, rsa, ecdh, tls) reach the EVP_PKEY only through this accessor.
 */
struct fipsrt_key;
/* The key's EVP_PKEY, borrowed (valid while the key lives; never modify it). */
FRT_HIDDEN EVP_PKEY *frt_key_pkey(const struct fipsrt_key *key);
/* A private key for another family (TLS): PKCS#8 or the traditional EC/RSA form, PEM or
 * DER, unencrypted; through fipsrt_key_import_private()'s policy. */
FRT_HIDDEN int frt_key_import_any(struct fipsrt_key **out, const uint8_t *data, size_t len);
/* True if the data looks like PEM text (after leading whitespace); lib/cert.c. */
FRT_HIDDEN bool frt_is_pem(const uint8_t *data, size_t len);
/*
 * A fresh context for one operation on `key` (free it with EVP_PKEY_CTX_free): a copy of a
 * per-key template made the first time `slot` is asked for, by `init(ctx, params)`, and
 * checked to run on `provider`. Copying skips the fetches an init does. Thread-safe.
 */
#define FRT_KEY_OP_SLOTS 96
FRT_HIDDEN int frt_key_op_ctx(const struct fipsrt_key *key, unsigned slot,
                              int (*init)(EVP_PKEY_CTX *, const OSSL_PARAM *),
                              const OSSL_PARAM *params, const OSSL_PROVIDER *provider,
                              EVP_PKEY_CTX **out);

/* True if `der` is exactly one DER element (X.690 §10: definite minimal lengths, primitive
 * strings, minimal INTEGERs, canonical BOOLEAN/BIT STRING/OID), recursively (lib/der.c). */
FRT_HIDDEN bool frt_der_strict(const uint8_t *der, size_t len);
/* For a SubjectPublicKeyInfo that passed frt_der_strict(): exactly an AlgorithmIdentifier and
 * a BIT STRING whose unused-bits byte is 0 (every key encoding is whole octets). */
FRT_HIDDEN bool frt_der_spki_aligned(const uint8_t *der, size_t len);

/* ---- certificates (lib/cert.c) --------------------------------------------------------
 * Parse one certificate (the next PEM CERTIFICATE block of `bio`, or DER at `*p`, which
 * advances) into an X509 of the library context. NULL on failure, OpenSSL's queue set.
 */
FRT_HIDDEN X509 *frt_x509_read_pem(BIO *bio);
FRT_HIDDEN X509 *frt_x509_read_der(const unsigned char **p, long len);

/* The detail buffer size for last-error texts. */
#define FRT_ERROR_DETAIL_MAX 2048

/*
 * ThreadSanitizer does not see the atomic reference counts inside OpenSSL (not instrumented).
 * Where OpenSSL's last-reference path frees the library's own memory (an SSL_CTX's ex_data),
 * these state the order that counter provides: each thread dropping a reference releases the
 * object, the freeing callback acquires it. Without them a reference dropped by one thread
 * and the free in another are reported as a race. Nothing in other builds.
 */
#if defined(__SANITIZE_THREAD__)
#define FRT_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FRT_TSAN 1
#endif
#endif
#ifdef FRT_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define FRT_TSAN_ACQUIRE(p) __tsan_acquire(p)
#define FRT_TSAN_RELEASE(p) __tsan_release(p)
#else
#define FRT_TSAN_ACQUIRE(p) ((void)(p))
#define FRT_TSAN_RELEASE(p) ((void)(p))
#endif

#endif /* FIPSRT_INTERNAL_H */
