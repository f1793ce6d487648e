/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file fipsrt/cert.h
 * @brief X.509 certificates: self-signed and issued certificates for TLS, import, export.
 *
 * Enough PKI for servers, tests and development setups: make a self-signed certificate
 * (or one issued by a local CA) for a fipsrt_key with a subject common name, DNS and IP
 * subject alternative names and a validity period; read certificates (PEM or DER); write
 * them as PEM or DER. Signatures are made in the FIPS provider: ECDSA for EC keys, RSA
 * PKCS#1 v1.5 for RSA keys, with SHA-256, SHA-384 or SHA-512 (by default matched to the
 * key: P-256 and RSA -> SHA-256, P-384 -> SHA-384, P-521 -> SHA-512). Signing with SHA-1 is
 * refused (SP 800-131A), MD5 too.
 *
 * A fipsrt_cert is immutable after creation and may be shared by threads.
 */
#ifndef FIPSRT_CERT_H
#define FIPSRT_CERT_H

#include <fipsrt/defs.h>
#include <fipsrt/hash.h>
#include <fipsrt/keys.h>

FIPSRT_BEGIN_DECLS

/** An X.509 certificate. Opaque, immutable, thread-shareable. */
typedef struct fipsrt_cert fipsrt_cert;

/** Encodings. Values are ABI. */
typedef enum fipsrt_cert_format {
    FIPSRT_CERT_DER = 1,   /**< binary DER (same value as FIPSRT_KEY_DER) */
    FIPSRT_CERT_PEM = 2,   /**< "-----BEGIN CERTIFICATE-----" text (as FIPSRT_KEY_PEM) */
} fipsrt_cert_format;

/** Version of fipsrt_cert_params this header describes. */
#define FIPSRT_CERT_PARAMS_VERSION 1

/**
 * What to put in a new certificate. Initialise with FIPSRT_CERT_PARAMS_INIT or
 * fipsrt_cert_params_init(), then set the fields you need; the library reads only the fields
 * of the version recorded in the struct, so code built against an older header keeps working.
 */
typedef struct fipsrt_cert_params {
    unsigned int version;              /**< FIPSRT_CERT_PARAMS_VERSION */
    size_t size;                       /**< sizeof(fipsrt_cert_params) */
    const char *common_name;           /**< subject CN (1..64 characters), required */
    const char *const *dns_names;      /**< DNS subject alternative names ("*.x" allowed) */
    size_t dns_count;
    const char *const *ip_addresses;   /**< IPv4/IPv6 subject alternative names, as text */
    size_t ip_count;
    int64_t not_before;                /**< Unix time; 0: now minus 5 minutes */
    int64_t not_after;                 /**< Unix time; 0: not_before plus 365 days */
    int is_ca;                         /**< non-zero: CA:TRUE, may sign certificates */
    fipsrt_hash_alg hash;              /**< 0: matched to the signing key; else SHA-256/384/512 */
} fipsrt_cert_params;

/** Static initialiser: `fipsrt_cert_params p = FIPSRT_CERT_PARAMS_INIT;` */
#ifdef __cplusplus
/* C++: a value-initialised copy (positional braces would trip -Wmissing-field-initializers). */
#define FIPSRT_CERT_PARAMS_INIT                                                             \
    ([] {                                                                                   \
        fipsrt_cert_params init_{};                                                         \
        init_.version = FIPSRT_CERT_PARAMS_VERSION;                                         \
        init_.size = sizeof(fipsrt_cert_params);                                            \
        return init_;                                                                       \
    }())
#else
#define FIPSRT_CERT_PARAMS_INIT                                                             \
    {.version = FIPSRT_CERT_PARAMS_VERSION, .size = sizeof(fipsrt_cert_params)}
#endif

/**
 * Initialise @p params for @p version (pass FIPSRT_CERT_PARAMS_VERSION): all fields zero
 * (the defaults) except version and size. Same result as FIPSRT_CERT_PARAMS_INIT.
 * @return 0, FIPSRT_E_INVALID_ARG (NULL, unknown version)
 */
FIPSRT_API int fipsrt_cert_params_init(fipsrt_cert_params *params, unsigned int version);

/**
 * Make a self-signed certificate for @p key (which must hold its private part).
 * The certificate gets a random 128-bit serial, subject = issuer = CN, the SANs, key usage
 * digitalSignature (plus keyEncipherment for RSA; keyCertSign and cRLSign for a CA),
 * extended key usage serverAuth and clientAuth (not for a CA), basic constraints (critical)
 * and subject/authority key identifiers. FIPS-approved signature (see the file comment).
 * Thread-safe.
 * @param[out] out new certificate, to free with fipsrt_cert_free(); NULL on failure
 * @return 0, FIPSRT_E_INVALID_ARG (NULL, missing or too long CN, bad DNS name or IP text,
 *         not_after <= not_before, unknown params version), FIPSRT_E_KEY_TYPE (no private
 *         key), FIPSRT_E_NOT_APPROVED (SHA-1, or a hash other than SHA-256/384/512),
 *         FIPSRT_E_MD5_SECURE, FIPSRT_E_NOMEM, FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_cert_selfsign(fipsrt_cert **out, const fipsrt_key *key,
                                    const fipsrt_cert_params *params);

/**
 * Make a certificate for the public part of @p subject_key, issued (signed) by
 * @p issuer_key whose certificate is @p issuer (which must be a CA: CA:TRUE). Everything
 * else as fipsrt_cert_selfsign(); the default hash is matched to @p issuer_key.
 * @return as fipsrt_cert_selfsign(), and FIPSRT_E_INVALID_ARG if @p issuer is not a CA
 *         or @p issuer_key does not match it
 */
FIPSRT_API int fipsrt_cert_issue(fipsrt_cert **out, const fipsrt_key *subject_key,
                                 const fipsrt_cert_params *params, const fipsrt_cert *issuer,
                                 const fipsrt_key *issuer_key);

/**
 * Read one certificate from PEM (the first CERTIFICATE block) or DER (detected).
 * Importing checks the encoding only; no policy or validity check is made here.
 * @param[out] out new certificate; NULL on failure
 * @return 0, FIPSRT_E_INVALID_ARG (NULL, zero length), FIPSRT_E_MALFORMED, FIPSRT_E_NOMEM
 */
FIPSRT_API int fipsrt_cert_import(fipsrt_cert **out, const uint8_t *data, size_t len);

/**
 * Write @p cert as PEM (NUL-terminated text; the length excludes the NUL) or DER.
 * @param[out] out     buffer of @p out_cap bytes; may be NULL when @p out_cap is 0
 * @param[out] out_len bytes written, or the size needed on FIPSRT_E_BUFFER_TOO_SMALL
 * @return 0, FIPSRT_E_INVALID_ARG, FIPSRT_E_BUFFER_TOO_SMALL, FIPSRT_E_NOMEM
 */
FIPSRT_API int fipsrt_cert_export(const fipsrt_cert *cert, fipsrt_cert_format format,
                                  uint8_t *out, size_t out_cap, size_t *out_len);

/**
 * The subject as one RFC 2253 line ("CN=localhost"), NUL-terminated.
 * @param[out] out_len characters written (without the NUL), or the size needed (with it)
 *                     on FIPSRT_E_BUFFER_TOO_SMALL; may be NULL
 * @return 0, FIPSRT_E_INVALID_ARG, FIPSRT_E_BUFFER_TOO_SMALL, FIPSRT_E_NOMEM
 */
FIPSRT_API int fipsrt_cert_subject(const fipsrt_cert *cert, char *out, size_t out_cap,
                                   size_t *out_len);

/**
 * Validity period as Unix times; either pointer may be NULL (nothing is written on failure).
 * @return 0, FIPSRT_E_INVALID_ARG, FIPSRT_E_MALFORMED (a time in the certificate does not
 *         decode: import checks the encoding only)
 */
FIPSRT_API int fipsrt_cert_validity(const fipsrt_cert *cert, int64_t *not_before,
                                    int64_t *not_after);

/** Free a certificate (NULL is a no-op). */
FIPSRT_API void fipsrt_cert_free(fipsrt_cert *cert);

FIPSRT_END_DECLS

#endif /* FIPSRT_CERT_H */
