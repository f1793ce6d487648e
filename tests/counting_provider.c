/* SPDX-License-Identifier: Apache-2.0 */
/* The hostile counting provider of tests/counting_provider.h. */
#include <stdatomic.h>
#include <string.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "counting_provider.h"

static atomic_long calls;
static const char *_Atomic last = "none";

long counting_provider_calls(void) { return atomic_load(&calls); }
const char *counting_provider_last(void) { return atomic_load(&last); }

/* Every operation entry point: count it and fail (NULL or 0, whatever the caller expects). */
#define STUB(name, what)                                                                    \
    static void *name(void)                                                                 \
    {                                                                                       \
        atomic_fetch_add(&calls, 1);                                                        \
        atomic_store(&last, what);                                                          \
        return NULL;                                                                        \
    }
STUB(st_digest, "digest")
STUB(st_cipher, "cipher")
STUB(st_mac, "mac")
STUB(st_kdf, "kdf")
STUB(st_rand, "rand")
STUB(st_keymgmt, "keymgmt")
STUB(st_sig, "signature")
STUB(st_kex, "keyexch")
STUB(st_asym, "asym_cipher")

#define F(id, fn) {id, (void (*)(void))fn}

/* OpenSSL asks these when it builds a method (not an operation, so not counted). */
static int digest_get_params(OSSL_PARAM params[])
{
    OSSL_PARAM *p;
    if ((p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_BLOCK_SIZE)) != NULL)
        OSSL_PARAM_set_size_t(p, 64);
    if ((p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_SIZE)) != NULL)
        OSSL_PARAM_set_size_t(p, 32);
    return 1;
}

static int cipher_get_params(OSSL_PARAM params[])
{
    OSSL_PARAM *p;
    if ((p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_MODE)) != NULL)
        OSSL_PARAM_set_uint(p, EVP_CIPH_GCM_MODE);
    if ((p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_KEYLEN)) != NULL)
        OSSL_PARAM_set_size_t(p, 32);
    if ((p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_IVLEN)) != NULL)
        OSSL_PARAM_set_size_t(p, 12);
    if ((p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_BLOCK_SIZE)) != NULL)
        OSSL_PARAM_set_size_t(p, 1);
    if ((p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_AEAD)) != NULL)
        OSSL_PARAM_set_int(p, 1);
    return 1;
}

static const OSSL_DISPATCH digest_fns[] = {
    F(OSSL_FUNC_DIGEST_NEWCTX, st_digest), F(OSSL_FUNC_DIGEST_INIT, st_digest),
    F(OSSL_FUNC_DIGEST_UPDATE, st_digest), F(OSSL_FUNC_DIGEST_FINAL, st_digest),
    F(OSSL_FUNC_DIGEST_FREECTX, st_digest), F(OSSL_FUNC_DIGEST_DIGEST, st_digest),
    F(OSSL_FUNC_DIGEST_DUPCTX, st_digest),
    F(OSSL_FUNC_DIGEST_GET_PARAMS, digest_get_params), {0, NULL}};
static const OSSL_DISPATCH cipher_fns[] = {
    F(OSSL_FUNC_CIPHER_NEWCTX, st_cipher), F(OSSL_FUNC_CIPHER_FREECTX, st_cipher),
    F(OSSL_FUNC_CIPHER_ENCRYPT_INIT, st_cipher), F(OSSL_FUNC_CIPHER_DECRYPT_INIT, st_cipher),
    F(OSSL_FUNC_CIPHER_UPDATE, st_cipher), F(OSSL_FUNC_CIPHER_FINAL, st_cipher),
    F(OSSL_FUNC_CIPHER_DUPCTX, st_cipher),
    F(OSSL_FUNC_CIPHER_GET_PARAMS, cipher_get_params), {0, NULL}};
static const OSSL_DISPATCH mac_fns[] = {
    F(OSSL_FUNC_MAC_NEWCTX, st_mac), F(OSSL_FUNC_MAC_FREECTX, st_mac),
    F(OSSL_FUNC_MAC_DUPCTX, st_mac), F(OSSL_FUNC_MAC_INIT, st_mac),
    F(OSSL_FUNC_MAC_UPDATE, st_mac), F(OSSL_FUNC_MAC_FINAL, st_mac), {0, NULL}};
static const OSSL_DISPATCH kdf_fns[] = {
    F(OSSL_FUNC_KDF_NEWCTX, st_kdf), F(OSSL_FUNC_KDF_FREECTX, st_kdf),
    F(OSSL_FUNC_KDF_DERIVE, st_kdf), {0, NULL}};
static const OSSL_DISPATCH rand_fns[] = {
    F(OSSL_FUNC_RAND_NEWCTX, st_rand), F(OSSL_FUNC_RAND_FREECTX, st_rand),
    F(OSSL_FUNC_RAND_INSTANTIATE, st_rand), F(OSSL_FUNC_RAND_UNINSTANTIATE, st_rand),
    F(OSSL_FUNC_RAND_GENERATE, st_rand), {0, NULL}};
static const OSSL_DISPATCH keymgmt_fns[] = {
    F(OSSL_FUNC_KEYMGMT_NEW, st_keymgmt), F(OSSL_FUNC_KEYMGMT_FREE, st_keymgmt),
    F(OSSL_FUNC_KEYMGMT_HAS, st_keymgmt), F(OSSL_FUNC_KEYMGMT_GEN_INIT, st_keymgmt),
    F(OSSL_FUNC_KEYMGMT_GEN, st_keymgmt), F(OSSL_FUNC_KEYMGMT_GEN_CLEANUP, st_keymgmt),
    F(OSSL_FUNC_KEYMGMT_IMPORT, st_keymgmt), F(OSSL_FUNC_KEYMGMT_IMPORT_TYPES, st_keymgmt),
    F(OSSL_FUNC_KEYMGMT_EXPORT, st_keymgmt), F(OSSL_FUNC_KEYMGMT_EXPORT_TYPES, st_keymgmt),
    {0, NULL}};
static const OSSL_DISPATCH sig_fns[] = {
    F(OSSL_FUNC_SIGNATURE_NEWCTX, st_sig), F(OSSL_FUNC_SIGNATURE_FREECTX, st_sig),
    F(OSSL_FUNC_SIGNATURE_SIGN_INIT, st_sig), F(OSSL_FUNC_SIGNATURE_SIGN, st_sig),
    F(OSSL_FUNC_SIGNATURE_VERIFY_INIT, st_sig), F(OSSL_FUNC_SIGNATURE_VERIFY, st_sig),
    {0, NULL}};
static const OSSL_DISPATCH kex_fns[] = {
    F(OSSL_FUNC_KEYEXCH_NEWCTX, st_kex), F(OSSL_FUNC_KEYEXCH_FREECTX, st_kex),
    F(OSSL_FUNC_KEYEXCH_INIT, st_kex), F(OSSL_FUNC_KEYEXCH_DERIVE, st_kex),
    F(OSSL_FUNC_KEYEXCH_SET_PEER, st_kex), {0, NULL}};
static const OSSL_DISPATCH asym_fns[] = {
    F(OSSL_FUNC_ASYM_CIPHER_NEWCTX, st_asym), F(OSSL_FUNC_ASYM_CIPHER_FREECTX, st_asym),
    F(OSSL_FUNC_ASYM_CIPHER_ENCRYPT_INIT, st_asym), F(OSSL_FUNC_ASYM_CIPHER_ENCRYPT, st_asym),
    F(OSSL_FUNC_ASYM_CIPHER_DECRYPT_INIT, st_asym), F(OSSL_FUNC_ASYM_CIPHER_DECRYPT, st_asym),
    {0, NULL}};

/* Each name twice: once claiming to be the FIPS provider, once the default one. */
#define FIPS_PROPS "provider=fips,fips=yes"
#define DEFLT_PROPS "provider=default,fips=no"
#define A2(names, fns) {names, FIPS_PROPS, fns, NULL}, {names, DEFLT_PROPS, fns, NULL}

static const OSSL_ALGORITHM digests[] = {
    A2("SHA1:SHA-1:SSL3-SHA1", digest_fns), A2("SHA2-224:SHA-224:SHA224", digest_fns),
    A2("SHA2-256:SHA-256:SHA256", digest_fns), A2("SHA2-384:SHA-384:SHA384", digest_fns),
    A2("SHA2-512:SHA-512:SHA512", digest_fns),
    A2("SHA2-512/224:SHA-512/224:SHA512-224", digest_fns),
    A2("SHA2-512/256:SHA-512/256:SHA512-256", digest_fns), A2("SHA3-224", digest_fns),
    A2("SHA3-256", digest_fns), A2("SHA3-384", digest_fns), A2("SHA3-512", digest_fns),
    A2("SHAKE-128:SHAKE128", digest_fns), A2("SHAKE-256:SHAKE256", digest_fns),
    A2("MD5-SHA1", digest_fns), {NULL, NULL, NULL, NULL}};
static const OSSL_ALGORITHM ciphers[] = {
    A2("AES-128-GCM:id-aes128-GCM", cipher_fns), A2("AES-192-GCM:id-aes192-GCM", cipher_fns),
    A2("AES-256-GCM:id-aes256-GCM", cipher_fns), A2("AES-256-CBC:AES256", cipher_fns),
    A2("AES-128-CBC:AES128", cipher_fns), A2("AES-128-ECB", cipher_fns),
    A2("AES-256-ECB", cipher_fns), A2("AES-256-CTR", cipher_fns), {NULL, NULL, NULL, NULL}};
static const OSSL_ALGORITHM macs[] = {
    A2("HMAC", mac_fns), A2("CMAC", mac_fns), A2("GMAC", mac_fns), {NULL, NULL, NULL, NULL}};
static const OSSL_ALGORITHM kdfs[] = {
    A2("HKDF", kdf_fns), A2("TLS13-KDF", kdf_fns), A2("PBKDF2", kdf_fns),
    A2("TLS1-PRF", kdf_fns), A2("SSKDF", kdf_fns), A2("X963KDF", kdf_fns),
    {NULL, NULL, NULL, NULL}};
static const OSSL_ALGORITHM rands[] = {
    A2("CTR-DRBG", rand_fns), A2("HASH-DRBG", rand_fns), A2("HMAC-DRBG", rand_fns),
    A2("SEED-SRC", rand_fns), A2("TEST-RAND", rand_fns), {NULL, NULL, NULL, NULL}};
static const OSSL_ALGORITHM keymgmts[] = {
    A2("EC:id-ecPublicKey", keymgmt_fns), A2("RSA:rsaEncryption", keymgmt_fns),
    A2("RSA-PSS:RSASSA-PSS", keymgmt_fns), A2("HKDF", keymgmt_fns),
    A2("TLS1-PRF", keymgmt_fns), {NULL, NULL, NULL, NULL}};
static const OSSL_ALGORITHM sigs[] = {
    A2("ECDSA", sig_fns), A2("RSA:rsaEncryption", sig_fns), {NULL, NULL, NULL, NULL}};
static const OSSL_ALGORITHM kexs[] = {
    A2("ECDH", kex_fns), A2("HKDF", kex_fns), A2("TLS1-PRF", kex_fns),
    {NULL, NULL, NULL, NULL}};
static const OSSL_ALGORITHM asyms[] = {
    A2("RSA:rsaEncryption", asym_fns), {NULL, NULL, NULL, NULL}};

static const OSSL_ALGORITHM *query(void *provctx, int id, int *no_cache)
{
    (void)provctx;
    *no_cache = 0;
    switch (id) {
    case OSSL_OP_DIGEST: return digests;
    case OSSL_OP_CIPHER: return ciphers;
    case OSSL_OP_MAC: return macs;
    case OSSL_OP_KDF: return kdfs;
    case OSSL_OP_RAND: return rands;
    case OSSL_OP_KEYMGMT: return keymgmts;
    case OSSL_OP_SIGNATURE: return sigs;
    case OSSL_OP_KEYEXCH: return kexs;
    case OSSL_OP_ASYM_CIPHER: return asyms;
    }
    return NULL;
}

static void teardown(void *provctx) { (void)provctx; }

static const OSSL_DISPATCH provider_fns[] = {
    F(OSSL_FUNC_PROVIDER_QUERY_OPERATION, query), F(OSSL_FUNC_PROVIDER_TEARDOWN, teardown),
    {0, NULL}};

static int provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
                         const OSSL_DISPATCH **out, void **provctx)
{
    (void)handle;
    (void)in;
    *out = provider_fns;
    *provctx = (void *)provider_fns;
    return 1;
}

int counting_provider_register(OSSL_LIB_CTX *ctx)
{
    return OSSL_PROVIDER_add_builtin(ctx, COUNTING_PROVIDER_NAME, provider_init);
}
