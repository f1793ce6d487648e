/* SPDX-License-Identifier: Apache-2.0 */
/* ECDH (SP 800-56A ECC CDH) with full validation of the peer's public key. */
#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include <fipsrt/ecdh.h>

#include "internal.h"

FIPSRT_API size_t fipsrt_ecdh_secret_size(fipsrt_ec_curve curve)
{
    switch (curve) {
    case FIPSRT_EC_P256: return 32;
    case FIPSRT_EC_P384: return 48;
    case FIPSRT_EC_P521: return 66;
    }
    return 0;
}

FIPSRT_API int fipsrt_ecdh_derive(const fipsrt_key *key, const fipsrt_key *peer,
                                  uint8_t *out, size_t out_cap, size_t *out_len)
{
    int rv = FIPSRT_OK;
    EVP_PKEY_CTX *ctx = NULL;
    int cofactor = 1;   /* "ECC CDH" of SP 800-56A 5.7.1.2 (h = 1 on the P-curves) */
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_int(OSSL_EXCHANGE_PARAM_EC_ECDH_COFACTOR_MODE, &cofactor),
        OSSL_PARAM_construct_end(),
    };
    FRT_ARG(out_len != NULL);
    FRT_ARG(key != NULL && peer != NULL);
    FRT_CHECK(fipsrt_key_get_type(key) == FIPSRT_KEY_EC &&
                  fipsrt_key_get_type(peer) == FIPSRT_KEY_EC,
              FIPSRT_E_KEY_TYPE, "ECDH needs EC keys");
    FRT_CHECK(fipsrt_key_has_private(key), FIPSRT_E_KEY_TYPE, "our key has no private part");
    FRT_CHECK(fipsrt_key_get_curve(key) == fipsrt_key_get_curve(peer), FIPSRT_E_KEY_TYPE,
              "the peer's key is on another curve");
    size_t size = fipsrt_ecdh_secret_size(fipsrt_key_get_curve(key));
    *out_len = size;
    FRT_CHECK(out_cap >= size, FIPSRT_E_BUFFER_TOO_SMALL, "output needs %zu bytes, got %zu",
              size, out_cap);
    FRT_ARG(out != NULL);
    FRT_OSSL_PTR(ctx, EVP_PKEY_CTX_new_from_pkey(frt_libctx(), frt_key_pkey(key), FRT_PROPQ),
                 FIPSRT_E_NOMEM);
    /* OpenSSL 3.0 cannot take a pre-fetched EVP_KEYEXCH: the context fetches under
     * fips=yes and must land on the table's provider. */
    FRT_OSSL(EVP_PKEY_derive_init_ex(ctx, params), FIPSRT_E_PROVIDER);
    FRT_CHECK(EVP_PKEY_CTX_get0_provider(ctx) ==
                  EVP_KEYEXCH_get0_provider(frt_keyexch(FRT_KEX_ECDH)),
              FIPSRT_E_PROVIDER, "ECDH not served by the FIPS provider");
    /* SP 800-56A 5.6.2.3.3: validate_peer = 1 runs EVP_PKEY_public_check (full). */
    FRT_OSSL(EVP_PKEY_derive_set_peer_ex(ctx, frt_key_pkey(peer), 1), FIPSRT_E_MALFORMED);
    FRT_OSSL(EVP_PKEY_derive(ctx, out, out_len), FIPSRT_E_PROVIDER);
    frt_service_approved();
out:
    EVP_PKEY_CTX_free(ctx);
    return rv;
}

FIPSRT_API int fipsrt_ecdh_derive_point(const fipsrt_key *key, const uint8_t *peer_point,
                                        size_t peer_point_len, uint8_t *out, size_t out_cap,
                                        size_t *out_len)
{
    int rv = FIPSRT_OK;
    fipsrt_key *peer = NULL;
    FRT_ARG(out_len != NULL);
    FRT_ARG(key != NULL && peer_point != NULL);
    FRT_CHECK(fipsrt_key_get_type(key) == FIPSRT_KEY_EC, FIPSRT_E_KEY_TYPE,
              "ECDH needs an EC key");
    /* One key-agreement service: the peer's point is entered as a step of it. */
    FRT_TRY(FRT_UNCOUNTED(fipsrt_key_import_ec_point(&peer, fipsrt_key_get_curve(key),
                                                     peer_point, peer_point_len)));
    FRT_TRY(FRT_UNCOUNTED(fipsrt_ecdh_derive(key, peer, out, out_cap, out_len)));
    frt_service_approved();
out:
    fipsrt_key_free(peer);
    return rv;
}
