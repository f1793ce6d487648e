/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file fipsrt/ecdh.h
 * @brief Elliptic-curve Diffie-Hellman (SP 800-56A Rev. 3 ECC CDH) on P-256/P-384/P-521.
 *
 * The output is the raw shared secret Z (the x-coordinate, as wide as the field: 32, 48
 * or 66 bytes). Z is not a key: feed it to a key-derivation function (HKDF, SP 800-56C)
 * and cleanse it afterwards. The peer's public key gets the full public-key validation of
 * SP 800-56A 5.6.2.3.3 by the provider on every call. FIPS-approved.
 *
 * Thread safety: thread-safe; keys may be shared between threads.
 */
#ifndef FIPSRT_ECDH_H
#define FIPSRT_ECDH_H

#include <fipsrt/defs.h>
#include <fipsrt/keys.h>

FIPSRT_BEGIN_DECLS

/** Largest shared secret (P-521). */
#define FIPSRT_ECDH_MAX_SIZE 66

/** Size of the shared secret on @p curve (32, 48, 66); 0 for unknown values. */
FIPSRT_API size_t fipsrt_ecdh_secret_size(fipsrt_ec_curve curve);

/**
 * Compute Z from our private key and the peer's public key (any EC key on the same curve).
 * @param out, out_cap  output of fipsrt_ecdh_secret_size() bytes
 * @param[out] out_len  bytes written, or needed on FIPSRT_E_BUFFER_TOO_SMALL; required
 * @return 0, FIPSRT_E_INVALID_ARG (NULL), FIPSRT_E_KEY_TYPE (RSA key, public-only @p key,
 *   curves differ), FIPSRT_E_MALFORMED (peer key fails validation),
 *   FIPSRT_E_BUFFER_TOO_SMALL, FIPSRT_E_NOMEM, FIPSRT_E_PROVIDER
 */
FIPSRT_API int fipsrt_ecdh_derive(const fipsrt_key *key, const fipsrt_key *peer,
                                  uint8_t *out, size_t out_cap, size_t *out_len);

/**
 * As fipsrt_ecdh_derive() with the peer's key given as an uncompressed point
 * (0x04 || X || Y) on our key's curve, e.g. from a protocol message.
 * @return as fipsrt_ecdh_derive(); a malformed or invalid point -> FIPSRT_E_MALFORMED
 */
FIPSRT_API int fipsrt_ecdh_derive_point(const fipsrt_key *key, const uint8_t *peer_point,
                                        size_t peer_point_len, uint8_t *out, size_t out_cap,
                                        size_t *out_len);

FIPSRT_END_DECLS

#endif /* FIPSRT_ECDH_H */
