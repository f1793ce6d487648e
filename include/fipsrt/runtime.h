/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file fipsrt/runtime.h
 * @brief Forced-FIPS initialisation, version and runtime introspection.
 *
 * Loading libfipsrt initialises it (from a library constructor), and every entry point
 * initialises it lazily too, so calling fipsrt_init() is optional. Initialisation loads the
 * OpenSSL configuration, the `fips` and `base` providers, enables the `fips=yes` default
 * properties and fetches every algorithm the library uses once, checking that each comes
 * from the provider named `fips`. If any of this fails the process prints a panic to stderr
 * and calls abort(): there is no non-FIPS mode and no way to opt out.
 */
#ifndef FIPSRT_RUNTIME_H
#define FIPSRT_RUNTIME_H

#include <stdint.h>

#include <fipsrt/defs.h>

FIPSRT_BEGIN_DECLS

/**
 * Initialise the runtime (idempotent, thread-safe). Returns 0; on failure it does not
 * return: the process aborts with a panic naming the failed OpenSSL step.
 */
FIPSRT_API int fipsrt_init(void);

/** Library version string, e.g. "1.0.0" (the runtime's, not the headers'). */
FIPSRT_API const char *fipsrt_version(void);

/** Library version as (major << 16) | (minor << 8) | patch. */
FIPSRT_API unsigned long fipsrt_version_number(void);

/**
 * The approved-service indicator (FIPS 140-3 IG 2.4.C): the number of approved services the
 * calling thread has completed successfully so far. A call used an approved service when it
 * returned success and the counter moved:
 *
 *     uint64_t before = fipsrt_service_indicator();
 *     int rv = fipsrt_hash(FIPSRT_HASH_SHA256, msg, len, out, sizeof(out), NULL);
 *     bool approved = rv == 0 && fipsrt_service_indicator() != before;
 *
 * A failed call never counts; non-approved services (fipsrt_insecure_md5*, legacy libcrypt
 * password verification) and non-security functions never count. Signature verification
 * that SP 800-131A Rev. 2 allows for legacy use (SHA-1, RSA keys of 1024..2047 bits) counts:
 * tell it apart with fipsrt_rsa_verify_is_legacy() / fipsrt_ecdsa_verify_is_legacy(). A
 * streaming object counts once, at its final call; one call counts at most once, however
 * many steps it runs. docs/SERVICES.md lists every exported function with its status.
 * Thread-local: other threads' calls do not move it. Never fails; since 1.1.
 */
FIPSRT_API uint64_t fipsrt_service_indicator(void);

/**
 * How OpenSSL's process-wide state differs from what libfipsrt set up at start-up: bits of
 * fipsrt_process_changes(). Values are ABI.
 */
typedef enum fipsrt_process_change {
    /** The process's default properties no longer include fips=yes. */
    FIPSRT_PROCESS_PROPERTIES = 1,
    /** A provider other than fips and base was activated in the process's default library
     *  context after start-up. */
    FIPSRT_PROCESS_PROVIDERS = 2,
    /** The calling thread's default library context is not the process's
     *  (OSSL_LIB_CTX_set0_default). */
    FIPSRT_PROCESS_THREAD_CONTEXT = 4,
    /** Not a change: the OpenSSL configuration itself activated a provider other than fips
     *  and base at start-up (the default properties still hold other users to fips=yes). */
    FIPSRT_PROCESS_CONFIG_PROVIDERS = 8,
} fipsrt_process_change;

/**
 * Whether other code in the process changed OpenSSL's global or per-thread state after
 * libfipsrt started (another library calling EVP_set_default_properties(),
 * OSSL_PROVIDER_load() or OSSL_LIB_CTX_set0_default()). libfipsrt's own operations are not
 * affected: they run in the library's private context (fips and base providers, fips=yes;
 * docs/BOUNDARY.md). Other OpenSSL users in the process are then no longer forced into FIPS
 * mode. `fipsrt status` reports it.
 * @return a bitwise OR of fipsrt_process_change values; 0 when nothing changed. Never fails;
 *         thread-safe; since 1.1. Not a security service.
 */
FIPSRT_API unsigned int fipsrt_process_changes(void);

/** Runtime facts for `fipsrt status`. Caller allocates; set `size` before the call. */
typedef struct fipsrt_runtime_info {
    size_t size;                      /**< [in] sizeof(fipsrt_runtime_info) */
    const char *library_version;      /**< libfipsrt version */
    const char *openssl_built;        /**< OpenSSL version the library was compiled against */
    const char *openssl_running;      /**< OpenSSL version loaded at run time */
    const char *provider_name;        /**< FIPS provider's name parameter */
    const char *provider_version;     /**< FIPS provider's version */
    const char *provider_buildinfo;   /**< FIPS provider's build information */
    int provider_active;              /**< 1 if the FIPS provider reports itself running */
    int fips_properties;              /**< 1 if the process's default properties include fips=yes */
    const char *config_file;          /**< OpenSSL configuration file in use */
    const char *modules_dir;          /**< directory providers are loaded from */
} fipsrt_runtime_info;

/**
 * Fill @p info. Strings are owned by the library and valid for the process lifetime.
 * @return 0, or FIPSRT_E_INVALID_ARG if @p info is NULL or its size is too small.
 */
FIPSRT_API int fipsrt_runtime_get_info(fipsrt_runtime_info *info);

/** Number of algorithms the library fetched at initialisation. */
FIPSRT_API size_t fipsrt_algorithm_count(void);

/**
 * Describe algorithm @p index (0 .. fipsrt_algorithm_count()-1): its OpenSSL name, its
 * kind ("digest", "mac", "cipher", "kdf", "signature", "asym-cipher", "key-exchange",
 * "keymgmt", "rand") and the name of the provider serving it (always "fips").
 * Any out-param may be NULL. @return 0 or FIPSRT_E_INVALID_ARG.
 */
FIPSRT_API int fipsrt_algorithm_get(size_t index, const char **name, const char **kind,
                                    const char **provider);

/**
 * Re-run the FIPS provider's power-on self-tests (OSSL_PROVIDER_self_test) and the
 * library's own known-answer tests.
 * @return 0 if all pass; FIPSRT_E_PROVIDER if the provider's tests fail;
 *         FIPSRT_E_INTERNAL if a library known-answer test fails (detail names it).
 */
FIPSRT_API int fipsrt_selftest(void);

FIPSRT_END_DECLS

#endif /* FIPSRT_RUNTIME_H */
