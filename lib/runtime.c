/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The forced-FIPS runtime: initialisation (from a constructor and lazily), the panic path,
 * the algorithm table and per-thread scratch state.
 *
 * Two library contexts. The process-wide default context is forced into FIPS mode (fips and
 * base loaded, default properties "fips=yes") so that other OpenSSL users in the process are
 * FIPS-only too, as SPEC 1.1 asks. But that context is shared: any code in the process can
 * later change its default properties, load or activate providers, or make another context
 * the thread's default (OSSL_LIB_CTX_set0_default). So every libfipsrt operation runs in a
 * private context instead, created here from the same configuration (the administrator's
 * file is trusted: what it activates is there too), with fips and base loaded and its own
 * default properties "fips=yes", reachable only through frt_libctx(). The algorithm table
 * and the context's DRBGs are checked to come from "fips". Every OpenSSL call in lib/ names
 * that context and FRT_PROPQ explicitly (checked by tests/consumers/check_boundary.py), and
 * the objects made there (keys, certificates, SSL_CTX) carry them into OpenSSL's own
 * follow-up fetches, so what others do to OpenSSL's global or per-thread state after
 * start-up cannot move a libfipsrt operation out of the provider named "fips"
 * (tests/test_boundary.c). fipsrt_process_changes() (lib/process_state.c) reports such
 * changes for the rest of the process. See docs/BOUNDARY.md.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/conf.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/opensslv.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include <fipsrt/runtime.h>

#include "internal.h"

/* Found by `fipsrt check` in binaries that link libfipsrt statically (even stripped ones). */
__attribute__((used)) static const char frt_marker[] =
    "@(#)libfipsrt " FIPSRT_VERSION_STRING " forced-FIPS runtime";

enum frt_kind { K_MD, K_CIPHER, K_MAC, K_KDF, K_SIG, K_ASYM, K_KEX, K_KEYMGMT, K_RAND };

static const char *const kind_names[] = {
    [K_MD] = "digest", [K_CIPHER] = "cipher", [K_MAC] = "mac", [K_KDF] = "kdf",
    [K_SIG] = "signature", [K_ASYM] = "asym-cipher", [K_KEX] = "key-exchange",
    [K_KEYMGMT] = "keymgmt", [K_RAND] = "rand",
};

static const char *const fetch_names[] = {
    [K_MD] = "EVP_MD_fetch", [K_CIPHER] = "EVP_CIPHER_fetch", [K_MAC] = "EVP_MAC_fetch",
    [K_KDF] = "EVP_KDF_fetch", [K_SIG] = "EVP_SIGNATURE_fetch",
    [K_ASYM] = "EVP_ASYM_CIPHER_fetch", [K_KEX] = "EVP_KEYEXCH_fetch",
    [K_KEYMGMT] = "EVP_KEYMGMT_fetch", [K_RAND] = "EVP_RAND_fetch",
};

static struct {
    const char *name;
    enum frt_kind kind;
    void *impl;
    const char *provider;
} algs[FRT_ALG_COUNT] = {
    [FRT_MD_SHA1] = {"SHA1", K_MD},
    [FRT_MD_SHA224] = {"SHA2-224", K_MD},
    [FRT_MD_SHA256] = {"SHA2-256", K_MD},
    [FRT_MD_SHA384] = {"SHA2-384", K_MD},
    [FRT_MD_SHA512] = {"SHA2-512", K_MD},
    [FRT_MD_SHA512_224] = {"SHA2-512/224", K_MD},
    [FRT_MD_SHA512_256] = {"SHA2-512/256", K_MD},
    [FRT_MD_SHA3_224] = {"SHA3-224", K_MD},
    [FRT_MD_SHA3_256] = {"SHA3-256", K_MD},
    [FRT_MD_SHA3_384] = {"SHA3-384", K_MD},
    [FRT_MD_SHA3_512] = {"SHA3-512", K_MD},
    [FRT_MD_SHAKE128] = {"SHAKE-128", K_MD},
    [FRT_MD_SHAKE256] = {"SHAKE-256", K_MD},
    [FRT_MAC_HMAC] = {"HMAC", K_MAC},
    [FRT_CIPHER_AES_128_GCM] = {"AES-128-GCM", K_CIPHER},
    [FRT_CIPHER_AES_192_GCM] = {"AES-192-GCM", K_CIPHER},
    [FRT_CIPHER_AES_256_GCM] = {"AES-256-GCM", K_CIPHER},
    [FRT_CIPHER_AES_256_CBC] = {"AES-256-CBC", K_CIPHER},
    [FRT_KDF_HKDF] = {"HKDF", K_KDF},
    [FRT_KDF_PBKDF2] = {"PBKDF2", K_KDF},
    [FRT_KDF_TLS1_PRF] = {"TLS1-PRF", K_KDF},
    [FRT_SIG_ECDSA] = {"ECDSA", K_SIG},
    [FRT_SIG_RSA] = {"RSA", K_SIG},
    [FRT_ASYM_RSA] = {"RSA", K_ASYM},
    [FRT_KEX_ECDH] = {"ECDH", K_KEX},
    [FRT_KEYMGMT_EC] = {"EC", K_KEYMGMT},
    [FRT_KEYMGMT_RSA] = {"RSA", K_KEYMGMT},
    [FRT_RAND_CTR_DRBG] = {"CTR-DRBG", K_RAND},
};

static OSSL_PROVIDER *fips_provider;   /* in the process's default context */
static OSSL_PROVIDER *base_provider;
static OSSL_LIB_CTX *libctx;            /* the library's own context (see the top comment) */
static OSSL_PROVIDER *own_fips, *own_base;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static pthread_key_t thread_key;
/* Set by release_runtime(): the table is gone, and a later call must not run on NULLs. */
static atomic_bool released;

/* "../crypto/evp/digest.c" -> "crypto/evp/digest.c": paths as OpenSSL's source tree names them. */
static const char *source_path(const char *file)
{
    if (file == NULL)
        return "?";
    while (strncmp(file, "../", 3) == 0)
        file += 3;
    return file;
}

_Noreturn void frt_panic(const char *step, const char *detail)
{
    /* Capture the queue first: nothing below may clear or add to it. */
    fprintf(stderr, "panic: fipsrt: can't enable FIPS mode for %s: %s%s%s\n",
            OpenSSL_version(OPENSSL_VERSION), step, detail ? ": " : "", detail ? detail : "");
    fputs("openssl error(s):\n", stderr);
    const char *file, *data;
    int line, flags;
    unsigned long e;
    while ((e = ERR_get_error_all(&file, &line, NULL, &data, &flags)) != 0) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof(buf));
        if ((flags & ERR_TXT_STRING) && data != NULL && *data != '\0')
            fprintf(stderr, "%s:%s\n", buf, data);
        else
            fprintf(stderr, "%s\n", buf);
        fprintf(stderr, "\t%s:%d\n", source_path(file), line);
    }
    fflush(stderr);
    /* A container's entry point is PID 1 of its namespace, where the kernel ignores SIGABRT's
     * default action: abort() would end in a SIGSEGV (status 139). Exit with the status a
     * shell reports for SIGABRT instead, so a panicking container exits 134 like a program. */
    if (getpid() == 1) {
        frt_gcov_dump();   /* coverage builds only: _exit() skips the exit-time write */
        _exit(128 + SIGABRT);
    }
    frt_gcov_dump();       /* and so does abort() */
    abort();
}

static void *fetch(enum frt_kind kind, const char *name)
{
    switch (kind) {
    case K_MD: return EVP_MD_fetch(libctx, name, FRT_PROPQ);
    case K_CIPHER: return EVP_CIPHER_fetch(libctx, name, FRT_PROPQ);
    case K_MAC: return EVP_MAC_fetch(libctx, name, FRT_PROPQ);
    case K_KDF: return EVP_KDF_fetch(libctx, name, FRT_PROPQ);
    case K_SIG: return EVP_SIGNATURE_fetch(libctx, name, FRT_PROPQ);
    case K_ASYM: return EVP_ASYM_CIPHER_fetch(libctx, name, FRT_PROPQ);
    case K_KEX: return EVP_KEYEXCH_fetch(libctx, name, FRT_PROPQ);
    case K_KEYMGMT: return EVP_KEYMGMT_fetch(libctx, name, FRT_PROPQ);
    case K_RAND: return EVP_RAND_fetch(libctx, name, FRT_PROPQ);
    }
    return NULL;
}

static const OSSL_PROVIDER *provider_of(enum frt_kind kind, const void *impl)
{
    switch (kind) {
    case K_MD: return EVP_MD_get0_provider(impl);
    case K_CIPHER: return EVP_CIPHER_get0_provider(impl);
    case K_MAC: return EVP_MAC_get0_provider(impl);
    case K_KDF: return EVP_KDF_get0_provider(impl);
    case K_SIG: return EVP_SIGNATURE_get0_provider(impl);
    case K_ASYM: return EVP_ASYM_CIPHER_get0_provider(impl);
    case K_KEX: return EVP_KEYEXCH_get0_provider(impl);
    case K_KEYMGMT: return EVP_KEYMGMT_get0_provider(impl);
    case K_RAND: return EVP_RAND_get0_provider(impl);
    }
    return NULL;
}

/* Exclusive dispatch: an implementation from any provider but "fips" is refused. */
static void require_fips(const char *step, const OSSL_PROVIDER *prov)
{
    const char *name = prov ? OSSL_PROVIDER_get0_name(prov) : NULL;
    if (name == NULL || strcmp(name, "fips") != 0) {
        char detail[160];
        snprintf(detail, sizeof(detail), "served by provider '%s', not 'fips'",
                 name ? name : "(none)");
        frt_panic(step, detail);
    }
}

/* This thread's scratch state (see frt_thread()). */
static _Thread_local struct frt_thread *mine;

static void free_thread(void *p)
{
    struct frt_thread *t = p;
    if (t == NULL)
        return;
    EVP_MD_CTX_free(t->md);
    for (size_t i = 0; i < sizeof(t->hmac) / sizeof(t->hmac[0]); i++)
        EVP_MAC_CTX_free(t->hmac[i]);
    free(t);
}

static void free_kind(enum frt_kind kind, void *impl)
{
    switch (kind) {
    case K_MD: EVP_MD_free(impl); break;
    case K_CIPHER: EVP_CIPHER_free(impl); break;
    case K_MAC: EVP_MAC_free(impl); break;
    case K_KDF: EVP_KDF_free(impl); break;
    case K_SIG: EVP_SIGNATURE_free(impl); break;
    case K_ASYM: EVP_ASYM_CIPHER_free(impl); break;
    case K_KEX: EVP_KEYEXCH_free(impl); break;
    case K_KEYMGMT: EVP_KEYMGMT_free(impl); break;
    case K_RAND: EVP_RAND_free(impl); break;
    }
}

/*
 * At exit, before OpenSSL's own cleanup (ours is tied to this object, which is unloaded before
 * libcrypto, and is registered after OpenSSL's handler anyway): drop our references to
 * the providers and algorithms so that OpenSSL can free them. Nothing may be used after.
 */
static void release_runtime(void)
{
    atomic_store(&released, true);
    free_thread(mine);
    mine = NULL;
    pthread_setspecific(thread_key, NULL);
    frt_hash_free_templates();
    for (size_t i = 0; i < FRT_ALG_COUNT; i++) {
        free_kind(algs[i].kind, algs[i].impl);
        algs[i].impl = NULL;
    }
    OSSL_PROVIDER_unload(own_base);
    OSSL_PROVIDER_unload(own_fips);
    own_base = own_fips = NULL;
    OSSL_LIB_CTX_free(libctx);
    libctx = NULL;
    OSSL_PROVIDER_unload(base_provider);
    OSSL_PROVIDER_unload(fips_provider);
    base_provider = fips_provider = NULL;
}

/* The C++ ABI's registration (glibc, musl): a handler and the object it belongs to. */
extern int __cxa_atexit(void (*fn)(void *), void *arg, void *dso);
extern void *__dso_handle;

static void release_at_exit(void *unused)
{
    (void)unused;
    release_runtime();
}

static void check_drbg(OSSL_LIB_CTX *ctx)
{
    EVP_RAND_CTX *drbg = RAND_get0_primary(ctx);
    if (drbg == NULL)
        frt_panic("RAND_get0_primary", NULL);
    require_fips("RAND_get0_primary", EVP_RAND_get0_provider(EVP_RAND_CTX_get0_rand(drbg)));
    drbg = RAND_get0_public(ctx);
    if (drbg == NULL)
        frt_panic("RAND_get0_public", NULL);
    require_fips("RAND_get0_public", EVP_RAND_get0_provider(EVP_RAND_CTX_get0_rand(drbg)));
    drbg = RAND_get0_private(ctx);
    if (drbg == NULL)
        frt_panic("RAND_get0_private", NULL);
    require_fips("RAND_get0_private", EVP_RAND_get0_provider(EVP_RAND_CTX_get0_rand(drbg)));
}

/* The library's private context: the same configuration file, fips + base, "fips=yes". */
static void init_own_context(void)
{
    char *conf = CONF_get1_default_config_file();
    libctx = OSSL_LIB_CTX_new();
    if (libctx == NULL)
        frt_panic("OSSL_LIB_CTX_new", NULL);
    if (conf == NULL || !OSSL_LIB_CTX_load_config(libctx, conf)) {
        OPENSSL_free(conf);
        frt_panic("OSSL_LIB_CTX_load_config", NULL);
    }
    OPENSSL_free(conf);
    own_fips = OSSL_PROVIDER_try_load(libctx, "fips", 1);
    if (own_fips == NULL || OSSL_PROVIDER_available(libctx, "fips") != 1)
        frt_panic("OSSL_PROVIDER_try_load(library context)", NULL);
    own_base = OSSL_PROVIDER_try_load(libctx, "base", 1);
    if (own_base == NULL)
        frt_panic("OSSL_PROVIDER_try_load(base, library context)", NULL);
    if (!EVP_default_properties_enable_fips(libctx, 1) ||
        !EVP_default_properties_is_fips_enabled(libctx))
        frt_panic("EVP_default_properties_enable_fips(library context)", NULL);
}

static void init_runtime(void)
{
    char step[96];

    /* Whatever the application had queued before a lazy init stays queued (popped below). */
    ERR_set_mark();

    if (OpenSSL_version_num() < 0x30000000L)
        frt_panic("OpenSSL_version_num", "OpenSSL 3.0 or later is required");
    if (!OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL))
        frt_panic("OPENSSL_init_crypto", NULL);
    /* The provider may already be active from the configuration; try_load then just
     * takes a reference. Without its fipsmodule.cnf section it fails its self-tests. */
    fips_provider = OSSL_PROVIDER_try_load(NULL, "fips", 1);
    if (fips_provider == NULL)
        frt_panic("OSSL_PROVIDER_try_load", NULL);
    if (OSSL_PROVIDER_available(NULL, "fips") != 1)
        frt_panic("OSSL_PROVIDER_available", NULL);
    base_provider = OSSL_PROVIDER_try_load(NULL, "base", 1);
    if (base_provider == NULL)
        frt_panic("OSSL_PROVIDER_try_load(base)", NULL);
    if (!EVP_default_properties_enable_fips(NULL, 1) ||
        !EVP_default_properties_is_fips_enabled(NULL))
        frt_panic("EVP_default_properties_enable_fips", NULL);

    init_own_context();

    for (size_t i = 0; i < FRT_ALG_COUNT; i++) {
        snprintf(step, sizeof(step), "%s(%s)", fetch_names[algs[i].kind], algs[i].name);
        algs[i].impl = fetch(algs[i].kind, algs[i].name);
        if (algs[i].impl == NULL)
            frt_panic(step, NULL);
        const OSSL_PROVIDER *prov = provider_of(algs[i].kind, algs[i].impl);
        require_fips(step, prov);
        algs[i].provider = OSSL_PROVIDER_get0_name(prov);
    }

    /* The library's DRBG, and the process-wide one (RAND_bytes() users), must be FIPS ones. */
    check_drbg(libctx);
    check_drbg(NULL);
    frt_process_snapshot();

    if (frt_hash_build_templates() < 0)
        frt_panic("EVP_DigestInit_ex2", fipsrt_last_error());
    /* libssl initialises itself and makes its X509_STORE_CTX ex_data index once per process
     * (RUN_ONCE): had an allocation failed there inside the first fipsrt_tls_ctx_new(), every
     * later SSL_CTX_new would fail. Done here, such a failure is start-up's. */
    OSSL_LIB_CTX *prev = frt_ex_data_enter();
    int store_idx = OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS, NULL) ?
                        SSL_get_ex_data_X509_STORE_CTX_idx() : -1;
    frt_ex_data_leave(prev);
    if (store_idx < 0)
        frt_panic("SSL_get_ex_data_X509_STORE_CTX_idx", NULL);
    if (pthread_key_create(&thread_key, free_thread) != 0)
        frt_panic("pthread_key_create", NULL);
    /* What atexit() compiles to in a shared object (glibc's libc_nonshared): a handler tied
     * to this object, run when it is unloaded (_dl_fini at exit, or dlclose), before libcrypto
     * (which we depend on) runs OPENSSL_cleanup. Called directly because a sanitizer runtime
     * that interposes atexit() (ThreadSanitizer's) registers it with no object: it would then
     * run after every library's destructor, OPENSSL_cleanup included, and crash. */
    if (__cxa_atexit(release_at_exit, NULL, &__dso_handle) != 0)
        frt_panic("__cxa_atexit", NULL);
    ERR_pop_to_mark();
}

/* A call after the exit cleanup (from an exit handler registered before a late dlopen of the
 * library, or a thread still running at exit) would run on freed objects: panic instead. */
static _Noreturn void released_panic(void)
{
    frt_panic("fipsrt", "called after the runtime was released at exit");
}

void frt_init(void)
{
    pthread_once(&init_once, init_runtime);
    if (atomic_load_explicit(&released, memory_order_relaxed))
        released_panic();
}

/* Loading the library is enough to enter FIPS mode (or abort). */
__attribute__((constructor)) static void frt_constructor(void)
{
    /* Referencing the marker keeps it in binaries linked with --gc-sections. */
    __asm__ volatile("" : : "r"(frt_marker));
    frt_init();
}

FIPSRT_API int fipsrt_init(void)
{
    frt_init();
    return FIPSRT_OK;
}

/* Per thread, so that a before/after reading around one call sees only that call. */
static _Thread_local uint64_t approved_services;
/* Depth of FRT_UNCOUNTED() calls on this thread: a public function another one calls as a
 * step of its own service is not a service of its own (docs/SERVICES.md, "composites"). */
static _Thread_local unsigned service_nesting;

void frt_service_approved(void)
{
    if (service_nesting == 0)
        approved_services++;
}

void frt_service_enter(void) { service_nesting++; }

int frt_service_leave(int rv)
{
    service_nesting--;
    return rv;
}

FIPSRT_API uint64_t fipsrt_service_indicator(void) { return approved_services; }

FIPSRT_API const char *fipsrt_version(void) { return FIPSRT_VERSION_STRING; }

FIPSRT_API unsigned long fipsrt_version_number(void)
{
    return ((unsigned long)FIPSRT_VERSION_MAJOR << 16) | (FIPSRT_VERSION_MINOR << 8) |
           FIPSRT_VERSION_PATCH;
}

/* NULL only after release_runtime(): operations on existing objects reach the table too. */
static void *impl_of(enum frt_alg id)
{
    void *impl = algs[id].impl;
    if (__builtin_expect(impl == NULL, 0))
        released_panic();
    return impl;
}

OSSL_LIB_CTX *frt_ex_data_enter(void)
{
    if (libctx == NULL)   /* after the exit cleanup: leave OpenSSL's contexts alone */
        return NULL;
    return OSSL_LIB_CTX_set0_default(OSSL_LIB_CTX_get0_global_default());
}

void frt_ex_data_leave(OSSL_LIB_CTX *prev)
{
    if (prev != NULL)
        OSSL_LIB_CTX_set0_default(prev);
}

OSSL_LIB_CTX *frt_libctx(void)
{
    if (__builtin_expect(libctx == NULL, 0))
        released_panic();
    return libctx;
}

const EVP_MD *frt_md(enum frt_alg id) { return impl_of(id); }
const EVP_CIPHER *frt_cipher(enum frt_alg id) { return impl_of(id); }
EVP_MAC *frt_mac(enum frt_alg id) { return impl_of(id); }
EVP_KDF *frt_kdf(enum frt_alg id) { return impl_of(id); }
EVP_SIGNATURE *frt_signature(enum frt_alg id) { return impl_of(id); }
EVP_ASYM_CIPHER *frt_asym_cipher(enum frt_alg id) { return impl_of(id); }
EVP_KEYEXCH *frt_keyexch(enum frt_alg id) { return impl_of(id); }
EVP_KEYMGMT *frt_keymgmt(enum frt_alg id) { return impl_of(id); }

struct frt_thread *frt_thread(void)
{
    if (mine == NULL) {
        mine = calloc(1, sizeof(*mine));
        if (mine != NULL)
            pthread_setspecific(thread_key, mine);  /* freed by free_thread at thread exit */
    }
    return mine;
}

FIPSRT_API size_t fipsrt_algorithm_count(void)
{
    frt_init();
    return FRT_ALG_COUNT;
}

FIPSRT_API int fipsrt_algorithm_get(size_t index, const char **name, const char **kind,
                                    const char **provider)
{
    int rv = FIPSRT_OK;
    frt_init();
    FRT_ARG(index < FRT_ALG_COUNT);
    if (name)
        *name = algs[index].name;
    if (kind)
        *kind = kind_names[algs[index].kind];
    if (provider)
        *provider = algs[index].provider;
out:
    return rv;
}

/* Provider parameters are read once; the strings live as long as the provider. */
static struct {
    const char *name, *version, *buildinfo;
    char config[1024];
} info_cache;
static pthread_once_t info_once = PTHREAD_ONCE_INIT;

static void load_info(void)
{
    const char *name = NULL, *version = NULL, *buildinfo = NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_ptr(OSSL_PROV_PARAM_NAME, (char **)&name, 0),
        OSSL_PARAM_construct_utf8_ptr(OSSL_PROV_PARAM_VERSION, (char **)&version, 0),
        OSSL_PARAM_construct_utf8_ptr(OSSL_PROV_PARAM_BUILDINFO, (char **)&buildinfo, 0),
        OSSL_PARAM_construct_end(),
    };
    ERR_set_mark();
    if (OSSL_PROVIDER_get_params(fips_provider, params)) {
        info_cache.name = name;
        info_cache.version = version;
        info_cache.buildinfo = buildinfo;
    }
    char *conf = CONF_get1_default_config_file();
    snprintf(info_cache.config, sizeof(info_cache.config), "%s", conf ? conf : "");
    OPENSSL_free(conf);
    ERR_pop_to_mark();
}

FIPSRT_API int fipsrt_runtime_get_info(fipsrt_runtime_info *info)
{
    int rv = FIPSRT_OK;
    frt_init();
    FRT_ARG(info != NULL);
    FRT_ARG(info->size >= sizeof(*info));
    pthread_once(&info_once, load_info);

    int status = 0;
    OSSL_PARAM st[] = {
        OSSL_PARAM_construct_int(OSSL_PROV_PARAM_STATUS, &status),
        OSSL_PARAM_construct_end(),
    };
    ERR_set_mark();
    if (!OSSL_PROVIDER_get_params(fips_provider, st))
        status = 0;
    ERR_pop_to_mark();
    const char *modules = getenv("OPENSSL_MODULES");
    *info = (fipsrt_runtime_info){
        .size = info->size,
        .library_version = FIPSRT_VERSION_STRING,
        .openssl_built = OPENSSL_VERSION_TEXT,
        .openssl_running = OpenSSL_version(OPENSSL_VERSION),
        .provider_name = info_cache.name ? info_cache.name : "",
        .provider_version = info_cache.version ? info_cache.version : "",
        .provider_buildinfo = info_cache.buildinfo ? info_cache.buildinfo : "",
        .provider_active = status == 1,
        .fips_properties =
            EVP_default_properties_is_fips_enabled(OSSL_LIB_CTX_get0_global_default()),
        .config_file = info_cache.config,
        .modules_dir = modules ? modules : OPENSSL_info(OPENSSL_INFO_MODULES_DIR),
    };
out:
    return rv;
}

FIPSRT_API int fipsrt_selftest(void)
{
    int rv = FIPSRT_OK;
    frt_init();
    /* A passing self-test (and the KATs after it) may still leave errors OpenSSL absorbed
     * (an allocation it retried): not the caller's (SPEC 1.6). */
    ERR_set_mark();
    FRT_CHECK(OSSL_PROVIDER_self_test(fips_provider) > 0, FIPSRT_E_PROVIDER,
              "OSSL_PROVIDER_self_test(fips_provider) failed");
    /* Self-tests are not a service on caller data: their hashes and AEAD opens do not count. */
    FRT_TRY(FRT_UNCOUNTED(frt_run_kats()));
out:
    if (rv == FIPSRT_OK)
        ERR_pop_to_mark();   /* SPEC 1.6: failures OpenSSL absorbed are not the caller's */
    else
        ERR_clear_last_mark();
    return rv;
}
