/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The indicator's case table: one success and one failure case for every service row of
 * docs/SERVICES.md (and a legacy-use case for approved-legacy rows), plus success cases for
 * the setup functions of streams and key objects, which must not count. Each case measures
 * fipsrt_service_indicator() around exactly one call; the setup before it may count freely.
 */
#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include <fipsrt/fipsrt.h>
#include <fipsrt/insecure.h>

#include "indicator_cases.h"
#include "pk_testutil.h"
#include "testutil.h"

/* ---- measuring one call ------------------------------------------------------------------ */

static uint64_t mark;

static int measured(uint64_t *delta, int rv)
{
    *delta = fipsrt_service_indicator() - mark;
    return rv;
}

/* The comma operator reads the counter before `call` runs and again after it returns. */
#define MEASURE(call) (mark = fipsrt_service_indicator(), measured(delta, (call)))
#define CASE(name) static int name(uint64_t *delta)

/* ---- fixtures ---------------------------------------------------------------------------- */

static const uint8_t msg[] = "abc";
#define MSG_LEN 3
static uint8_t msg_sha256[32], msg_sha1[20];
static const uint8_t key32[32] = "0123456789abcdef0123456789abcdef";
static const uint8_t salt16[16] = "saltsaltsaltsalt";
static fipsrt_key *ec, *ec2, *ec_pub, *rsa, *legacy_rsa, *legacy_ec;
static fipsrt_aead_key *aead;
static fipsrt_cert *cert, *ca_cert;
static fipsrt_tls_ctx *tls_server, *tls_client;
/* SP 800-131A Rev. 2 legacy use, made by Python's cryptography (libfipsrt cannot make them):
 * a 1024-bit RSA key with PKCS#1 v1.5 and PSS (salt 32) SHA-256 signatures on "abc", and
 * a P-256 key with an ECDSA-SHA-1 (DER) signature on "abc". Python also makes the
 * fixture's RSA-2048 key: generating it here costs seconds under valgrind. */
static uint8_t *l_spki, *l_n, *l_e, *l_sig, *l_pss, *l_ec_spki, *l_ec_sig, *rsa_der;
static size_t l_spki_len, l_n_len, l_e_len, l_sig_len, l_pss_len, l_ec_spki_len, l_ec_sig_len;
static size_t rsa_der_len;

static const char legacy_script[] =
    "from cryptography.hazmat.primitives.asymmetric import rsa, ec, padding\n"
    "from cryptography.hazmat.primitives import hashes, serialization as s\n"
    "m = b'abc'\n"
    "k = rsa.generate_private_key(65537, 1024)\n"
    "p = k.public_key()\n"
    "der = lambda key: key.public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo)\n"
    "print(der(p).hex())\n"
    "print(p.public_numbers().n.to_bytes(128, 'big').hex())\n"
    "print(p.public_numbers().e.to_bytes(3, 'big').hex())\n"
    "print(k.sign(m, padding.PKCS1v15(), hashes.SHA256()).hex())\n"
    "print(k.sign(m, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256()).hex())\n"
    "r = rsa.generate_private_key(65537, 2048)\n"
    "print(r.private_bytes(s.Encoding.DER, s.PrivateFormat.PKCS8, s.NoEncryption()).hex())\n"
    "e = ec.generate_private_key(ec.SECP256R1())\n"
    "print(der(e.public_key()).hex())\n"
    "print(e.sign(m, ec.ECDSA(hashes.SHA1())).hex())\n";

static uint8_t *next_hex(char **p, size_t *len)
{
    char *line = strsep(p, "\n");
    ck_assert_ptr_nonnull(line);
    return hex_alloc(line, len);
}

void icase_fixtures(void)
{
    if (ec != NULL)
        return;
    ck_assert_ok(fipsrt_hash(FIPSRT_HASH_SHA256, msg, MSG_LEN, msg_sha256, 32, NULL));
    ck_assert_ok(fipsrt_hash(FIPSRT_HASH_SHA1, msg, MSG_LEN, msg_sha1, 20, NULL));
    ck_assert_ok(fipsrt_key_generate_ec(&ec, FIPSRT_EC_P256));
    ck_assert_ok(fipsrt_key_generate_ec(&ec2, FIPSRT_EC_P256));
    ck_assert_ok(fipsrt_key_public(&ec_pub, ec));
    ck_assert_ok(fipsrt_aead_key_new(&aead, FIPSRT_AEAD_AES_256_GCM, key32, 32));

    fipsrt_cert_params params = FIPSRT_CERT_PARAMS_INIT;
    params.common_name = "localhost";
    ck_assert_ok(fipsrt_cert_selfsign(&cert, ec, &params));
    params.common_name = "indicator CA";
    params.is_ca = 1;
    ck_assert_ok(fipsrt_cert_selfsign(&ca_cert, ec2, &params));

    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.cert = cert;
    cfg.key = ec;
    ck_assert_ok(fipsrt_tls_ctx_new(&tls_server, FIPSRT_TLS_SERVER, &cfg));
    fipsrt_tls_config ccfg = FIPSRT_TLS_CONFIG_INIT;
    ccfg.insecure_skip_verify = 1;  /* the pair is about counting, not about trust */
    ck_assert_ok(fipsrt_tls_ctx_new(&tls_client, FIPSRT_TLS_CLIENT, &ccfg));

    proc_result r;
    run_python(legacy_script, &r);
    char *p = r.out;
    l_spki = next_hex(&p, &l_spki_len);
    l_n = next_hex(&p, &l_n_len);
    l_e = next_hex(&p, &l_e_len);
    l_sig = next_hex(&p, &l_sig_len);
    l_pss = next_hex(&p, &l_pss_len);
    rsa_der = next_hex(&p, &rsa_der_len);
    ck_assert_ok(fipsrt_key_import_private(&rsa, FIPSRT_KEY_DER, rsa_der, rsa_der_len, NULL, 0));
    l_ec_spki = next_hex(&p, &l_ec_spki_len);
    l_ec_sig = next_hex(&p, &l_ec_sig_len);
    ck_assert_ok(fipsrt_key_import_public(&legacy_rsa, FIPSRT_KEY_DER, l_spki, l_spki_len));
    ck_assert_int_eq(fipsrt_key_is_legacy(legacy_rsa), 1);
    ck_assert_ok(fipsrt_key_import_public(&legacy_ec, FIPSRT_KEY_DER, l_ec_spki, l_ec_spki_len));
}

void icase_fixtures_free(void)
{
    fipsrt_key_free(ec);
    fipsrt_key_free(ec2);
    fipsrt_key_free(ec_pub);
    fipsrt_key_free(rsa);
    fipsrt_key_free(legacy_rsa);
    fipsrt_key_free(legacy_ec);
    fipsrt_aead_key_free(aead);
    fipsrt_cert_free(cert);
    fipsrt_cert_free(ca_cert);
    fipsrt_tls_ctx_free(tls_server);
    fipsrt_tls_ctx_free(tls_client);
    uint8_t *bufs[] = {l_spki, l_n, l_e, l_sig, l_pss, l_ec_spki, l_ec_sig, rsa_der};
    for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
        free(bufs[i]);
    ec = NULL;
}

/* ---- hash -------------------------------------------------------------------------------- */

static uint8_t out[512];
static size_t out_len;

CASE(hash_ok) { return MEASURE(fipsrt_hash(FIPSRT_HASH_SHA256, msg, MSG_LEN, out, 32, NULL)); }
CASE(hash_small) { return MEASURE(fipsrt_hash(FIPSRT_HASH_SHA256, msg, MSG_LEN, out, 10, NULL)); }
CASE(hash_sha1) { return MEASURE(fipsrt_hash(FIPSRT_HASH_SHA1, msg, MSG_LEN, out, 20, NULL)); }
CASE(xof_ok) { return MEASURE(fipsrt_hash_xof(FIPSRT_HASH_SHAKE128, msg, MSG_LEN, out, 16)); }
CASE(xof_fixed) { return MEASURE(fipsrt_hash_xof(FIPSRT_HASH_SHA256, msg, MSG_LEN, out, 16)); }

/* A streaming digest of alg with "abc" absorbed; finished first when `finish`. */
static fipsrt_hash_ctx *hash_ctx(fipsrt_hash_alg alg, bool finish)
{
    fipsrt_hash_ctx *c;
    ck_assert_ok(fipsrt_hash_new(&c, alg));
    ck_assert_ok(fipsrt_hash_update(c, msg, MSG_LEN));
    if (finish)
        ck_assert_ok(fipsrt_hash_final(c, out, sizeof(out), NULL));
    return c;
}

#define WITH_HASH(name, alg, finish, call)                                                  \
    CASE(name)                                                                              \
    {                                                                                       \
        fipsrt_hash_ctx *c = hash_ctx(alg, finish);                                         \
        int rv = MEASURE(call);                                                             \
        fipsrt_hash_free(c);                                                                \
        return rv;                                                                          \
    }
WITH_HASH(hash_final_ok, FIPSRT_HASH_SHA256, false, fipsrt_hash_final(c, out, 64, NULL))
WITH_HASH(hash_final_twice, FIPSRT_HASH_SHA256, true, fipsrt_hash_final(c, out, 64, NULL))
WITH_HASH(hash_xof_final_ok, FIPSRT_HASH_SHAKE256, false, fipsrt_hash_final_xof(c, out, 40))
WITH_HASH(hash_xof_final_fixed, FIPSRT_HASH_SHA256, false, fipsrt_hash_final_xof(c, out, 40))
WITH_HASH(hash_update_ok, FIPSRT_HASH_SHA256, false, fipsrt_hash_update(c, msg, MSG_LEN))
WITH_HASH(hash_reset_ok, FIPSRT_HASH_SHA256, true, fipsrt_hash_reset(c))

CASE(hash_new_ok)
{
    fipsrt_hash_ctx *c = NULL;
    int rv = MEASURE(fipsrt_hash_new(&c, FIPSRT_HASH_SHA3_256));
    fipsrt_hash_free(c);
    return rv;
}

CASE(hash_clone_ok)
{
    fipsrt_hash_ctx *c = hash_ctx(FIPSRT_HASH_SHA256, false), *copy = NULL;
    int rv = MEASURE(fipsrt_hash_clone(&copy, c));
    fipsrt_hash_free(copy);
    fipsrt_hash_free(c);
    return rv;
}

/* ---- hmac -------------------------------------------------------------------------------- */

CASE(hmac_ok)
{
    return MEASURE(fipsrt_hmac(FIPSRT_HASH_SHA256, key32, 32, msg, MSG_LEN, out, 32, NULL));
}
CASE(hmac_short_key)
{
    return MEASURE(fipsrt_hmac(FIPSRT_HASH_SHA256, key32, 10, msg, MSG_LEN, out, 32, NULL));
}

static int hmac_verify_with(uint64_t *delta, uint8_t flip)
{
    uint8_t tag[32];
    ck_assert_ok(fipsrt_hmac(FIPSRT_HASH_SHA256, key32, 32, msg, MSG_LEN, tag, 32, NULL));
    tag[5] ^= flip;
    return MEASURE(fipsrt_hmac_verify(FIPSRT_HASH_SHA256, key32, 32, msg, MSG_LEN, tag, 32));
}
CASE(hmac_verify_ok) { return hmac_verify_with(delta, 0); }
CASE(hmac_verify_bad) { return hmac_verify_with(delta, 1); }

static fipsrt_hmac_ctx *hmac_ctx(bool finish)
{
    fipsrt_hmac_ctx *c;
    ck_assert_ok(fipsrt_hmac_new(&c, FIPSRT_HASH_SHA384, key32, 32));
    ck_assert_ok(fipsrt_hmac_update(c, msg, MSG_LEN));
    if (finish)
        ck_assert_ok(fipsrt_hmac_final(c, out, sizeof(out), NULL));
    return c;
}

#define WITH_HMAC(name, finish, call)                                                       \
    CASE(name)                                                                              \
    {                                                                                       \
        fipsrt_hmac_ctx *c = hmac_ctx(finish);                                              \
        int rv = MEASURE(call);                                                             \
        fipsrt_hmac_free(c);                                                                \
        return rv;                                                                          \
    }
WITH_HMAC(hmac_final_ok, false, fipsrt_hmac_final(c, out, 48, NULL))
WITH_HMAC(hmac_final_twice, true, fipsrt_hmac_final(c, out, 48, NULL))
WITH_HMAC(hmac_update_ok, false, fipsrt_hmac_update(c, msg, MSG_LEN))
WITH_HMAC(hmac_reset_ok, true, fipsrt_hmac_reset(c))

static int hmac_final_verify_with(uint64_t *delta, uint8_t flip)
{
    uint8_t tag[48];
    ck_assert_ok(fipsrt_hmac(FIPSRT_HASH_SHA384, key32, 32, msg, MSG_LEN, tag, 48, NULL));
    tag[0] ^= flip;
    fipsrt_hmac_ctx *c = hmac_ctx(false);
    int rv = MEASURE(fipsrt_hmac_final_verify(c, tag, 48));
    fipsrt_hmac_free(c);
    return rv;
}
CASE(hmac_final_verify_ok) { return hmac_final_verify_with(delta, 0); }
CASE(hmac_final_verify_bad) { return hmac_final_verify_with(delta, 0x80); }

CASE(hmac_new_ok)
{
    fipsrt_hmac_ctx *c = NULL;
    int rv = MEASURE(fipsrt_hmac_new(&c, FIPSRT_HASH_SHA256, key32, 32));
    fipsrt_hmac_free(c);
    return rv;
}

CASE(hmac_clone_ok)
{
    fipsrt_hmac_ctx *c = hmac_ctx(false), *copy = NULL;
    int rv = MEASURE(fipsrt_hmac_clone(&copy, c));
    fipsrt_hmac_free(copy);
    fipsrt_hmac_free(c);
    return rv;
}

/* Prepared keys: 0 mac, 1 mac into a short buffer, 2 verify, 3 verify a flipped tag. */
static int hmac_key_with(uint64_t *delta, int step)
{
    fipsrt_hmac_key *k;
    uint8_t want[32];
    ck_assert_ok(fipsrt_hmac_key_new(&k, FIPSRT_HASH_SHA256, key32, 32));
    ck_assert_ok(fipsrt_hmac(FIPSRT_HASH_SHA256, key32, 32, msg, MSG_LEN, want, 32, NULL));
    want[0] ^= (uint8_t)(step == 3);
    int rv = step == 0   ? MEASURE(fipsrt_hmac_key_mac(k, msg, MSG_LEN, out, 32, NULL))
             : step == 1 ? MEASURE(fipsrt_hmac_key_mac(k, msg, MSG_LEN, out, 31, NULL))
                         : MEASURE(fipsrt_hmac_key_verify(k, msg, MSG_LEN, want, 32));
    fipsrt_hmac_key_free(k);
    return rv;
}
CASE(hmac_key_mac_ok) { return hmac_key_with(delta, 0); }
CASE(hmac_key_mac_small) { return hmac_key_with(delta, 1); }
CASE(hmac_key_verify_ok) { return hmac_key_with(delta, 2); }
CASE(hmac_key_verify_bad) { return hmac_key_with(delta, 3); }
CASE(hmac_key_new_ok)
{
    fipsrt_hmac_key *k = NULL;
    int rv = MEASURE(fipsrt_hmac_key_new(&k, FIPSRT_HASH_SHA256, key32, 32));
    fipsrt_hmac_key_free(k);
    return rv;
}

/* ---- random, insecure MD5 ----------------------------------------------------------------- */

CASE(random_ok) { return MEASURE(fipsrt_random(out, 32)); }
CASE(random_null) { return MEASURE(fipsrt_random(NULL, 5)); }

CASE(md5_ok) { return MEASURE(fipsrt_insecure_md5(msg, MSG_LEN, out)); }
CASE(md5_null) { return MEASURE(fipsrt_insecure_md5(NULL, 5, out)); }
CASE(md5_new_ok)
{
    fipsrt_insecure_md5_ctx *c = NULL;
    int rv = MEASURE(fipsrt_insecure_md5_new(&c));
    fipsrt_insecure_md5_free(c);
    return rv;
}
CASE(md5_new_null) { return MEASURE(fipsrt_insecure_md5_new(NULL)); }

/* 0: update, 1: update with NULL data, 2: final after final. */
static int md5_stream(uint64_t *delta, int step)
{
    fipsrt_insecure_md5_ctx *c;
    ck_assert_ok(fipsrt_insecure_md5_new(&c));
    if (step == 2)
        ck_assert_ok(fipsrt_insecure_md5_final(c, out));
    int rv = step == 0   ? MEASURE(fipsrt_insecure_md5_update(c, msg, MSG_LEN))
             : step == 1 ? MEASURE(fipsrt_insecure_md5_update(c, NULL, 5))
                         : MEASURE(fipsrt_insecure_md5_final(c, out));
    fipsrt_insecure_md5_free(c);
    return rv;
}
/* 3: clone, 4: clone a finished context. */
static int md5_clone_with(uint64_t *delta, bool finished)
{
    fipsrt_insecure_md5_ctx *c, *copy = NULL;
    ck_assert_ok(fipsrt_insecure_md5_new(&c));
    if (finished)
        ck_assert_ok(fipsrt_insecure_md5_final(c, out));
    int rv = MEASURE(fipsrt_insecure_md5_clone(&copy, c));
    fipsrt_insecure_md5_free(copy);
    fipsrt_insecure_md5_free(c);
    return rv;
}
CASE(md5_clone_ok) { return md5_clone_with(delta, false); }
CASE(md5_clone_finished) { return md5_clone_with(delta, true); }
CASE(md5_update_ok) { return md5_stream(delta, 0); }
CASE(md5_update_null) { return md5_stream(delta, 1); }
CASE(md5_final_twice) { return md5_stream(delta, 2); }
CASE(md5_final_ok)
{
    fipsrt_insecure_md5_ctx *c;
    ck_assert_ok(fipsrt_insecure_md5_new(&c));
    int rv = MEASURE(fipsrt_insecure_md5_final(c, out));
    fipsrt_insecure_md5_free(c);
    return rv;
}

/* ---- aead -------------------------------------------------------------------------------- */

static uint8_t nonce[12], sealed[MSG_LEN + 16], tag[16];

static void seal_msg(void)
{
    ck_assert_ok(fipsrt_aead_seal(aead, NULL, 0, msg, MSG_LEN, nonce, sealed, sizeof(sealed), NULL));
    memcpy(tag, sealed + MSG_LEN, 16);
}

CASE(seal_ok)
{
    return MEASURE(fipsrt_aead_seal(aead, msg, 1, msg, MSG_LEN, nonce, out, sizeof(out), NULL));
}
CASE(seal_small)
{
    return MEASURE(fipsrt_aead_seal(aead, NULL, 0, msg, MSG_LEN, nonce, out, MSG_LEN, &out_len));
}
CASE(seal_detached_ok)
{
    return MEASURE(fipsrt_aead_seal_detached(aead, NULL, 0, msg, MSG_LEN, nonce, out, 16, tag));
}
CASE(seal_detached_small)
{
    return MEASURE(fipsrt_aead_seal_detached(aead, NULL, 0, msg, MSG_LEN, nonce, out, 2, tag));
}

static int open_with(uint64_t *delta, uint8_t flip)
{
    seal_msg();
    sealed[0] ^= flip;
    return MEASURE(fipsrt_aead_open(aead, nonce, NULL, 0, sealed, sizeof(sealed), out,
                                    sizeof(out), NULL));
}
CASE(open_ok) { return open_with(delta, 0); }
CASE(open_tampered) { return open_with(delta, 1); }

static int open_detached_with(uint64_t *delta, size_t tag_len)
{
    seal_msg();
    return MEASURE(fipsrt_aead_open_detached(aead, nonce, NULL, 0, sealed, MSG_LEN, tag, tag_len,
                                             out, sizeof(out)));
}
CASE(open_detached_ok) { return open_detached_with(delta, 16); }
CASE(open_detached_short_tag) { return open_detached_with(delta, 8); }

CASE(aead_key_new_ok)
{
    fipsrt_aead_key *k = NULL;
    int rv = MEASURE(fipsrt_aead_key_new(&k, FIPSRT_AEAD_AES_128_GCM, key32, 16));
    fipsrt_aead_key_free(k);
    return rv;
}

CASE(counter_new_drbg)
{
    fipsrt_aead_counter *c = NULL;
    /* The fixed field is drawn from the DRBG inside: a step of setup, not a service. */
    int rv = MEASURE(fipsrt_aead_counter_new(&c, FIPSRT_AEAD_AES_256_GCM, key32, 32,
                                             FIPSRT_AEAD_NONCE_XOR, NULL, 0));
    fipsrt_aead_counter_free(c);
    return rv;
}

static fipsrt_aead_counter *counter(void)
{
    fipsrt_aead_counter *c;
    static const uint8_t fixed[4] = {1, 2, 3, 4};
    ck_assert_ok(fipsrt_aead_counter_new(&c, FIPSRT_AEAD_AES_128_GCM, key32, 16,
                                         FIPSRT_AEAD_NONCE_PREFIX, fixed, 4));
    return c;
}

static int counter_seal_with(uint64_t *delta, bool reuse)
{
    fipsrt_aead_counter *c = counter();
    if (reuse)
        ck_assert_ok(fipsrt_aead_counter_seal(c, 7, NULL, 0, msg, MSG_LEN, out, 64, NULL));
    int rv = MEASURE(fipsrt_aead_counter_seal(c, 7, NULL, 0, msg, MSG_LEN, out, 64, NULL));
    fipsrt_aead_counter_free(c);
    return rv;
}
CASE(counter_seal_ok) { return counter_seal_with(delta, false); }
CASE(counter_seal_reuse) { return counter_seal_with(delta, true); }

static int counter_open_with(uint64_t *delta, uint8_t flip)
{
    fipsrt_aead_counter *c = counter();
    uint8_t ct[MSG_LEN + 16];
    ck_assert_ok(fipsrt_aead_counter_seal(c, 1, NULL, 0, msg, MSG_LEN, ct, sizeof(ct), NULL));
    ct[MSG_LEN] ^= flip;
    int rv = MEASURE(fipsrt_aead_counter_open(c, 1, NULL, 0, ct, sizeof(ct), out, 64, NULL));
    fipsrt_aead_counter_free(c);
    return rv;
}
CASE(counter_open_ok) { return counter_open_with(delta, 0); }
CASE(counter_open_tampered) { return counter_open_with(delta, 4); }

/* A seal stream that took "abc" (and was finished first when `finish`). */
static fipsrt_aead_stream *seal_stream(bool finish)
{
    fipsrt_aead_stream *s;
    ck_assert_ok(fipsrt_aead_seal_stream_new(&s, aead, NULL, 0));
    ck_assert_ok(fipsrt_aead_stream_update(s, msg, MSG_LEN, sealed, MSG_LEN, NULL));
    if (finish)
        ck_assert_ok(fipsrt_aead_seal_stream_final(s, nonce, tag));
    return s;
}

static int seal_stream_final_with(uint64_t *delta, bool twice)
{
    fipsrt_aead_stream *s = seal_stream(twice);
    int rv = MEASURE(fipsrt_aead_seal_stream_final(s, nonce, tag));
    fipsrt_aead_stream_free(s);
    return rv;
}
CASE(seal_stream_final_ok) { return seal_stream_final_with(delta, false); }
CASE(seal_stream_final_twice) { return seal_stream_final_with(delta, true); }

CASE(seal_stream_new_ok)
{
    fipsrt_aead_stream *s = NULL;
    int rv = MEASURE(fipsrt_aead_seal_stream_new(&s, aead, msg, MSG_LEN));
    fipsrt_aead_stream_free(s);
    return rv;
}

CASE(stream_update_ok)
{
    fipsrt_aead_stream *s = seal_stream(false);
    int rv = MEASURE(fipsrt_aead_stream_update(s, msg, MSG_LEN, out, sizeof(out), NULL));
    fipsrt_aead_stream_free(s);
    return rv;
}

static int open_stream_final_with(uint64_t *delta, uint8_t flip)
{
    fipsrt_aead_stream_free(seal_stream(true));  /* sealed, nonce and tag of "abc" */
    fipsrt_aead_stream *o;
    ck_assert_ok(fipsrt_aead_open_stream_new(&o, aead, nonce, NULL, 0));
    ck_assert_ok(fipsrt_aead_stream_update(o, sealed, MSG_LEN, out, sizeof(out), NULL));
    tag[15] ^= flip;
    int rv = MEASURE(fipsrt_aead_open_stream_final(o, tag, 16));
    fipsrt_aead_stream_free(o);
    return rv;
}
CASE(open_stream_final_ok) { return open_stream_final_with(delta, 0); }
CASE(open_stream_final_bad) { return open_stream_final_with(delta, 1); }

CASE(open_stream_new_ok)
{
    fipsrt_aead_stream *o = NULL;
    int rv = MEASURE(fipsrt_aead_open_stream_new(&o, aead, nonce, NULL, 0));
    fipsrt_aead_stream_free(o);
    return rv;
}

/* ---- kdf, passwords ---------------------------------------------------------------------- */

CASE(hkdf_ok)
{
    return MEASURE(fipsrt_hkdf(FIPSRT_HASH_SHA256, key32, 32, salt16, 16, msg, MSG_LEN, out, 42));
}
CASE(hkdf_short_ikm)
{
    return MEASURE(fipsrt_hkdf(FIPSRT_HASH_SHA256, key32, 8, salt16, 16, msg, MSG_LEN, out, 42));
}
CASE(hkdf_sha1_ok)  /* SHA-1 in HMAC-based KDFs is approved, not legacy (SP 800-131A §9) */
{
    return MEASURE(fipsrt_hkdf(FIPSRT_HASH_SHA1, key32, 32, NULL, 0, NULL, 0, out, 20));
}
CASE(hkdf_extract_ok)
{
    return MEASURE(fipsrt_hkdf_extract(FIPSRT_HASH_SHA256, key32, 32, salt16, 16, out, 32, NULL));
}
CASE(hkdf_extract_small)
{
    return MEASURE(fipsrt_hkdf_extract(FIPSRT_HASH_SHA256, key32, 32, salt16, 16, out, 31,
                                       &out_len));
}
CASE(hkdf_expand_ok)
{
    return MEASURE(fipsrt_hkdf_expand(FIPSRT_HASH_SHA512, key32, 32, msg, MSG_LEN, out, 100));
}
CASE(hkdf_expand_zero)
{
    return MEASURE(fipsrt_hkdf_expand(FIPSRT_HASH_SHA512, key32, 32, msg, MSG_LEN, out, 0));
}
CASE(pbkdf2_ok)
{
    return MEASURE(fipsrt_pbkdf2(FIPSRT_HASH_SHA256, "pw", 2, salt16, 16, 1000, out, 32));
}
CASE(pbkdf2_sha1)
{
    return MEASURE(fipsrt_pbkdf2(FIPSRT_HASH_SHA1, "pw", 2, salt16, 16, 1000, out, 32));
}

CASE(passwd_hash_ok)
{
    return MEASURE(fipsrt_passwd_hash("pw", 2, 1000, (char *)out, sizeof(out), NULL));
}
CASE(passwd_hash_few_rounds)
{
    return MEASURE(fipsrt_passwd_hash("pw", 2, 999, (char *)out, sizeof(out), NULL));
}

static int passwd_verify_with(uint64_t *delta, const char *pw)
{
    char h[FIPSRT_PASSWD_HASH_MAX];
    ck_assert_ok(fipsrt_passwd_hash("pw", 2, 1000, h, sizeof(h), NULL));
    return MEASURE(fipsrt_passwd_verify(h, pw, strlen(pw), NULL));
}
CASE(passwd_verify_ok) { return passwd_verify_with(delta, "pw"); }
CASE(passwd_verify_wrong) { return passwd_verify_with(delta, "pv"); }

CASE(passwd_verify_sha512crypt)  /* libcrypt, outside the module: a success that never counts */
{
    struct crypt_data *cd = calloc(1, sizeof(*cd));
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    ck_assert_ptr_nonnull(crypt_gensalt_rn("$6$", 1000, NULL, 0, setting, sizeof(setting)));
    const char *h = crypt_rn("pw", setting, cd, sizeof(*cd));
    ck_assert_ptr_nonnull(h);
    int rehash = 0;
    int rv = MEASURE(fipsrt_passwd_verify(h, "pw", 2, &rehash));
    ck_assert_int_eq(rehash, 1);
    free(cd);
    return rv;
}

/* ---- keys -------------------------------------------------------------------------------- */

static int free_key(int rv, fipsrt_key *k)
{
    fipsrt_key_free(k);
    return rv;
}
#define KEY_CASE(name, call)                                                                \
    CASE(name)                                                                              \
    {                                                                                       \
        fipsrt_key *k = NULL;                                                               \
        int rv = MEASURE(call);                                                             \
        return free_key(rv, k);                                                             \
    }
KEY_CASE(gen_ec_ok, fipsrt_key_generate_ec(&k, FIPSRT_EC_P384))
KEY_CASE(gen_ec_bad_curve, fipsrt_key_generate_ec(&k, (fipsrt_ec_curve)99))
KEY_CASE(gen_rsa_ok, fipsrt_key_generate_rsa(&k, 2048))
KEY_CASE(gen_rsa_1024, fipsrt_key_generate_rsa(&k, 1024))
KEY_CASE(import_public_legacy, fipsrt_key_import_public(&k, FIPSRT_KEY_DER, l_spki, l_spki_len))
KEY_CASE(import_public_garbage, fipsrt_key_import_public(&k, FIPSRT_KEY_DER, msg, MSG_LEN))
KEY_CASE(import_private_garbage,
         fipsrt_key_import_private(&k, FIPSRT_KEY_DER, msg, MSG_LEN, NULL, 0))
KEY_CASE(import_rsa_public_legacy, fipsrt_key_import_rsa_public(&k, l_n, l_n_len, l_e, l_e_len))
KEY_CASE(import_rsa_public_even,
         fipsrt_key_import_rsa_public(&k, (const uint8_t *)"\x80\x00", 2, l_e, l_e_len))
KEY_CASE(key_public_ok, fipsrt_key_public(&k, ec))
KEY_CASE(import_ec_point_short, fipsrt_key_import_ec_point(&k, FIPSRT_EC_P256, out, 33))

static uint8_t enc[8192];
static size_t enc_len;

CASE(import_private_ok)
{
    ck_assert_ok(fipsrt_key_export_private(rsa, FIPSRT_KEY_PEM, NULL, 0, enc, sizeof(enc),
                                           &enc_len));
    fipsrt_key *k = NULL;
    int rv = MEASURE(fipsrt_key_import_private(&k, FIPSRT_KEY_PEM, enc, enc_len, NULL, 0));
    return free_key(rv, k);
}
CASE(import_public_ok)
{
    ck_assert_ok(fipsrt_key_export_public(ec, FIPSRT_KEY_DER, enc, sizeof(enc), &enc_len));
    fipsrt_key *k = NULL;
    int rv = MEASURE(fipsrt_key_import_public(&k, FIPSRT_KEY_DER, enc, enc_len));
    return free_key(rv, k);
}
CASE(import_ec_point_ok)
{
    ck_assert_ok(fipsrt_key_export_ec_point(ec, enc, sizeof(enc), &enc_len));
    fipsrt_key *k = NULL;
    int rv = MEASURE(fipsrt_key_import_ec_point(&k, FIPSRT_EC_P256, enc, enc_len));
    return free_key(rv, k);
}

/* d = 1 and d = 2 with the P-256 base point G (= 1 * G). */
static const char p256_g[] = "04"
    "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
    "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
static int import_ec_private_with(uint64_t *delta, uint8_t d_last)
{
    uint8_t d[32] = {0};
    d[31] = d_last;
    size_t g_len;
    uint8_t *g = hex_alloc(p256_g, &g_len);
    fipsrt_key *k = NULL;
    int rv = MEASURE(fipsrt_key_import_ec_private(&k, FIPSRT_EC_P256, d, 32, g, g_len));
    free(g);
    return free_key(rv, k);
}
CASE(import_ec_private_ok) { return import_ec_private_with(delta, 1); }
CASE(import_ec_private_mismatch) { return import_ec_private_with(delta, 2); }

CASE(import_rsa_public_ok)
{
    uint8_t n[512], e[8];
    size_t n_len, e_len;
    ck_assert_ok(fipsrt_key_export_rsa_public(rsa, n, sizeof(n), &n_len, e, sizeof(e), &e_len));
    fipsrt_key *k = NULL;
    int rv = MEASURE(fipsrt_key_import_rsa_public(&k, n, n_len, e, e_len));
    return free_key(rv, k);
}

CASE(export_private_password)
{
    return MEASURE(fipsrt_key_export_private(ec, FIPSRT_KEY_DER, "secret", 6, enc, sizeof(enc),
                                             &enc_len));
}
CASE(export_private_plain)
{
    return MEASURE(fipsrt_key_export_private(ec, FIPSRT_KEY_DER, NULL, 0, enc, sizeof(enc),
                                             &enc_len));
}
CASE(export_private_public_key)
{
    return MEASURE(fipsrt_key_export_private(ec_pub, FIPSRT_KEY_DER, "secret", 6, enc,
                                             sizeof(enc), &enc_len));
}
CASE(export_public_ok)
{
    return MEASURE(fipsrt_key_export_public(rsa, FIPSRT_KEY_PEM, enc, sizeof(enc), &enc_len));
}
CASE(export_ec_point_ok) { return MEASURE(fipsrt_key_export_ec_point(ec, enc, 65, &enc_len)); }
CASE(export_rsa_public_ok)
{
    size_t e_len;
    return MEASURE(fipsrt_key_export_rsa_public(rsa, enc, 512, &enc_len, out, 8, &e_len));
}

/* ---- ecdsa ------------------------------------------------------------------------------- */

static uint8_t sig[512];
static size_t sig_len;

CASE(ecdsa_sign_ok)
{
    return MEASURE(fipsrt_ecdsa_sign(ec, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, msg, MSG_LEN, sig,
                                     sizeof(sig), &sig_len));
}
CASE(ecdsa_sign_sha1)
{
    return MEASURE(fipsrt_ecdsa_sign(ec, FIPSRT_HASH_SHA1, FIPSRT_ECDSA_DER, msg, MSG_LEN, sig,
                                     sizeof(sig), &sig_len));
}
CASE(ecdsa_sign_digest_ok)
{
    return MEASURE(fipsrt_ecdsa_sign_digest(ec, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_P1363,
                                            msg_sha256, 32, sig, sizeof(sig), &sig_len));
}
CASE(ecdsa_sign_digest_len)
{
    return MEASURE(fipsrt_ecdsa_sign_digest(ec, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_P1363,
                                            msg_sha256, 20, sig, sizeof(sig), &sig_len));
}

static int ecdsa_verify_with(uint64_t *delta, bool digest, uint8_t flip)
{
    ck_assert_ok(fipsrt_ecdsa_sign(ec, FIPSRT_HASH_SHA384, FIPSRT_ECDSA_DER, msg, MSG_LEN, sig,
                                   sizeof(sig), &sig_len));
    uint8_t d[48];
    ck_assert_ok(fipsrt_hash(FIPSRT_HASH_SHA384, msg, MSG_LEN, d, 48, NULL));
    d[0] ^= flip;
    uint8_t m[MSG_LEN];
    memcpy(m, msg, MSG_LEN);
    m[0] ^= flip;
    return digest ? MEASURE(fipsrt_ecdsa_verify_digest(ec_pub, FIPSRT_HASH_SHA384,
                                                       FIPSRT_ECDSA_DER, d, 48, sig, sig_len))
                  : MEASURE(fipsrt_ecdsa_verify(ec_pub, FIPSRT_HASH_SHA384, FIPSRT_ECDSA_DER, m,
                                                MSG_LEN, sig, sig_len));
}
CASE(ecdsa_verify_ok) { return ecdsa_verify_with(delta, false, 0); }
CASE(ecdsa_verify_bad) { return ecdsa_verify_with(delta, false, 1); }
CASE(ecdsa_verify_digest_ok) { return ecdsa_verify_with(delta, true, 0); }
CASE(ecdsa_verify_digest_bad) { return ecdsa_verify_with(delta, true, 1); }
CASE(ecdsa_verify_sha1)
{
    ck_assert_int_eq(fipsrt_ecdsa_verify_is_legacy(FIPSRT_HASH_SHA1), 1);
    return MEASURE(fipsrt_ecdsa_verify(legacy_ec, FIPSRT_HASH_SHA1, FIPSRT_ECDSA_DER, msg, MSG_LEN,
                                       l_ec_sig, l_ec_sig_len));
}
CASE(ecdsa_verify_digest_sha1)
{
    return MEASURE(fipsrt_ecdsa_verify_digest(legacy_ec, FIPSRT_HASH_SHA1, FIPSRT_ECDSA_DER,
                                              msg_sha1, 20, l_ec_sig, l_ec_sig_len));
}
CASE(der_to_p1363_ok)
{
    ck_assert_ok(fipsrt_ecdsa_sign(ec, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, msg, MSG_LEN, sig,
                                   sizeof(sig), &sig_len));
    return MEASURE(fipsrt_ecdsa_der_to_p1363(FIPSRT_EC_P256, sig, sig_len, out, 64, &out_len));
}

/* ---- rsa --------------------------------------------------------------------------------- */

CASE(rsa_sign_ok)
{
    return MEASURE(fipsrt_rsa_sign(rsa, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, msg, MSG_LEN, sig,
                                   sizeof(sig), &sig_len));
}
CASE(rsa_sign_sha1)
{
    return MEASURE(fipsrt_rsa_sign(rsa, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA1, msg, MSG_LEN, sig,
                                   sizeof(sig), &sig_len));
}
CASE(rsa_sign_digest_ok)
{
    return MEASURE(fipsrt_rsa_sign_digest(rsa, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA256,
                                          msg_sha256, 32, sig, sizeof(sig), &sig_len));
}
CASE(rsa_sign_digest_oaep)
{
    return MEASURE(fipsrt_rsa_sign_digest(rsa, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, msg_sha256,
                                          32, sig, sizeof(sig), &sig_len));
}
CASE(rsa_pss_sign_digest_ok)
{
    return MEASURE(fipsrt_rsa_pss_sign_digest(rsa, FIPSRT_HASH_SHA256, 32, msg_sha256, 32, sig,
                                              sizeof(sig), &sig_len));
}
CASE(rsa_pss_sign_digest_salt)
{
    return MEASURE(fipsrt_rsa_pss_sign_digest(rsa, FIPSRT_HASH_SHA256, 33, msg_sha256, 32, sig,
                                              sizeof(sig), &sig_len));
}

/* 0: message, 1: digest, 2: PSS digest with salt 32; `flip` tampers with the message. */
static int rsa_verify_with(uint64_t *delta, int form, uint8_t flip)
{
    if (form == 2)
        ck_assert_ok(fipsrt_rsa_pss_sign_digest(rsa, FIPSRT_HASH_SHA256, 32, msg_sha256, 32, sig,
                                                sizeof(sig), &sig_len));
    else
        ck_assert_ok(fipsrt_rsa_sign(rsa, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA256, msg, MSG_LEN,
                                     sig, sizeof(sig), &sig_len));
    uint8_t m[MSG_LEN], d[32];
    memcpy(m, msg, MSG_LEN);
    memcpy(d, msg_sha256, 32);
    m[1] ^= flip;
    d[1] ^= flip;
    if (form == 0)
        return MEASURE(fipsrt_rsa_verify(rsa, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA256, m, MSG_LEN,
                                         sig, sig_len));
    if (form == 1)
        return MEASURE(fipsrt_rsa_verify_digest(rsa, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA256, d,
                                                32, sig, sig_len));
    return MEASURE(fipsrt_rsa_pss_verify_digest(rsa, FIPSRT_HASH_SHA256, 32, d, 32, sig, sig_len));
}
CASE(rsa_verify_ok) { return rsa_verify_with(delta, 0, 0); }
CASE(rsa_verify_bad) { return rsa_verify_with(delta, 0, 1); }
CASE(rsa_verify_digest_ok) { return rsa_verify_with(delta, 1, 0); }
CASE(rsa_verify_digest_bad) { return rsa_verify_with(delta, 1, 1); }
CASE(rsa_pss_verify_digest_ok) { return rsa_verify_with(delta, 2, 0); }
CASE(rsa_pss_verify_digest_bad) { return rsa_verify_with(delta, 2, 1); }
CASE(rsa_verify_1024)
{
    ck_assert_int_eq(fipsrt_rsa_verify_is_legacy(legacy_rsa, FIPSRT_HASH_SHA256), 1);
    return MEASURE(fipsrt_rsa_verify(legacy_rsa, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA256, msg,
                                     MSG_LEN, l_sig, l_sig_len));
}
CASE(rsa_verify_digest_1024)
{
    return MEASURE(fipsrt_rsa_verify_digest(legacy_rsa, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA256,
                                            msg_sha256, 32, l_sig, l_sig_len));
}
CASE(rsa_pss_verify_digest_1024)
{
    return MEASURE(fipsrt_rsa_pss_verify_digest(legacy_rsa, FIPSRT_HASH_SHA256, 32, msg_sha256,
                                                32, l_pss, l_pss_len));
}

CASE(rsa_encrypt_ok)
{
    return MEASURE(fipsrt_rsa_encrypt(rsa, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0, msg,
                                      MSG_LEN, sig, sizeof(sig), &sig_len));
}
CASE(rsa_encrypt_v15)
{
    return MEASURE(fipsrt_rsa_encrypt(rsa, FIPSRT_RSA_PKCS1_V15, FIPSRT_HASH_SHA256, NULL, 0, msg,
                                      MSG_LEN, sig, sizeof(sig), &sig_len));
}
static int rsa_decrypt_with(uint64_t *delta, uint8_t flip)
{
    ck_assert_ok(fipsrt_rsa_encrypt(rsa, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0, msg,
                                    MSG_LEN, sig, sizeof(sig), &sig_len));
    sig[10] ^= flip;
    return MEASURE(fipsrt_rsa_decrypt(rsa, FIPSRT_RSA_OAEP, FIPSRT_HASH_SHA256, NULL, 0, sig,
                                      sig_len, out, sizeof(out), &out_len));
}
CASE(rsa_decrypt_ok) { return rsa_decrypt_with(delta, 0); }
CASE(rsa_decrypt_bad) { return rsa_decrypt_with(delta, 1); }

/* ---- ecdh -------------------------------------------------------------------------------- */

CASE(ecdh_ok) { return MEASURE(fipsrt_ecdh_derive(ec, ec2, out, 32, &out_len)); }
CASE(ecdh_rsa) { return MEASURE(fipsrt_ecdh_derive(ec, rsa, out, 32, &out_len)); }
CASE(ecdh_point_ok)
{
    uint8_t pt[65];
    size_t pt_len;
    ck_assert_ok(fipsrt_key_export_ec_point(ec2, pt, sizeof(pt), &pt_len));
    return MEASURE(fipsrt_ecdh_derive_point(ec, pt, pt_len, out, 32, &out_len));
}
CASE(ecdh_point_bad)
{
    uint8_t pt[65] = {0x04};
    return MEASURE(fipsrt_ecdh_derive_point(ec, pt, sizeof(pt), out, 32, &out_len));
}

/* ---- certificates ------------------------------------------------------------------------ */

static int cert_case(uint64_t *delta, int which)
{
    fipsrt_cert *c = NULL;
    fipsrt_cert_params p = FIPSRT_CERT_PARAMS_INIT;
    p.common_name = "indicator";
    int rv;
    switch (which) {
    case 0: rv = MEASURE(fipsrt_cert_selfsign(&c, ec, &p)); break;
    case 1: p.hash = FIPSRT_HASH_SHA1; rv = MEASURE(fipsrt_cert_selfsign(&c, ec, &p)); break;
    case 2: rv = MEASURE(fipsrt_cert_issue(&c, rsa, &p, ca_cert, ec2)); break;
    default: rv = MEASURE(fipsrt_cert_issue(&c, rsa, &p, cert, ec)); break;  /* not a CA */
    }
    fipsrt_cert_free(c);
    return rv;
}
CASE(selfsign_ok) { return cert_case(delta, 0); }
CASE(selfsign_sha1) { return cert_case(delta, 1); }
CASE(issue_ok) { return cert_case(delta, 2); }
CASE(issue_not_ca) { return cert_case(delta, 3); }
CASE(cert_export_ok)
{
    return MEASURE(fipsrt_cert_export(cert, FIPSRT_CERT_PEM, enc, sizeof(enc), &enc_len));
}
CASE(cert_import_ok)
{
    ck_assert_ok(fipsrt_cert_export(cert, FIPSRT_CERT_DER, enc, sizeof(enc), &enc_len));
    fipsrt_cert *c = NULL;
    int rv = MEASURE(fipsrt_cert_import(&c, enc, enc_len));
    fipsrt_cert_free(c);
    return rv;
}

/* ---- tls --------------------------------------------------------------------------------- */

struct tls_pair {
    fipsrt_tls_conn *client, *server;
};

/* Move everything `from` wants sent into `to`. */
static void tls_move(fipsrt_tls_conn *from, fipsrt_tls_conn *to)
{
    uint8_t buf[16384];
    size_t n;
    do {
        ck_assert_ok(fipsrt_tls_conn_drain(from, buf, sizeof(buf), &n));
        for (size_t off = 0, took; off < n; off += took)
            ck_assert_ok(fipsrt_tls_conn_feed(to, buf + off, n - off, &took));
    } while (n > 0);
}

/*
 * A client and a server over memory. With `handshake`, drive both to the end of the
 * handshake; the client's calls are measured one by one: each WANT_* return must leave the
 * counter alone, and the one that returns 0 is the case's result.
 */
static int tls_pair_new(struct tls_pair *p, bool handshake, uint64_t *delta)
{
    ck_assert_ok(fipsrt_tls_conn_new_mem(&p->client, tls_client, "localhost"));
    ck_assert_ok(fipsrt_tls_conn_new_mem(&p->server, tls_server, NULL));
    if (!handshake)
        return 0;
    int rc = FIPSRT_E_WANT_READ, rs = FIPSRT_E_WANT_READ;
    for (int i = 0; i < 20 && (rc != 0 || rs != 0); i++) {
        if (rc != 0) {
            rc = MEASURE(fipsrt_tls_conn_handshake(p->client));
            ck_assert_msg(rc == 0 || *delta == 0, "a WANT_* handshake call counted");
            ck_assert_msg(rc == 0 || rc == FIPSRT_E_WANT_READ, "client: %s", fipsrt_last_error());
        }
        tls_move(p->client, p->server);
        if (rs != 0)
            rs = fipsrt_tls_conn_handshake(p->server);
        tls_move(p->server, p->client);
    }
    ck_assert_int_eq(rs, 0);
    return rc;
}

static void tls_pair_free(struct tls_pair *p)
{
    fipsrt_tls_conn_free(p->client);
    fipsrt_tls_conn_free(p->server);
}

static int tls_case(uint64_t *delta, int which)
{
    struct tls_pair p;
    uint64_t ignored;
    int rv;
    size_t n;
    switch (which) {
    case 0:  /* handshake completes */
        rv = tls_pair_new(&p, true, delta);
        break;
    case 1:  /* a server fed garbage */
        tls_pair_new(&p, false, &ignored);
        ck_assert_ok(fipsrt_tls_conn_feed(p.server, "GET / HTTP/1.0\r\n\r\n", 18, &n));
        rv = MEASURE(fipsrt_tls_conn_handshake(p.server));
        break;
    case 2:  /* read data the server sent */
        ck_assert_ok(tls_pair_new(&p, true, &ignored));
        ck_assert_ok(fipsrt_tls_conn_write(p.server, "hi", 2, &n));
        tls_move(p.server, p.client);
        rv = MEASURE(fipsrt_tls_conn_read(p.client, out, sizeof(out), &out_len));
        ck_assert_uint_eq(out_len, 2);
        break;
    case 3:  /* read with nothing received */
        ck_assert_ok(tls_pair_new(&p, true, &ignored));
        rv = MEASURE(fipsrt_tls_conn_read(p.client, out, sizeof(out), &out_len));
        break;
    case 4:  /* write on an established connection */
        ck_assert_ok(tls_pair_new(&p, true, &ignored));
        rv = MEASURE(fipsrt_tls_conn_write(p.client, "hello", 5, &n));
        break;
    case 5:  /* write before the handshake: it starts, then waits for the server */
        tls_pair_new(&p, false, &ignored);
        rv = MEASURE(fipsrt_tls_conn_write(p.client, "hello", 5, &n));
        break;
    case 6:  /* close_notify */
        ck_assert_ok(tls_pair_new(&p, true, &ignored));
        rv = MEASURE(fipsrt_tls_conn_shutdown(p.client));
        break;
    case 7:  /* shutdown before the handshake */
        tls_pair_new(&p, false, &ignored);
        rv = MEASURE(fipsrt_tls_conn_shutdown(p.client));
        break;
    default: {  /* making a connection is not a service */
        fipsrt_tls_conn *c = NULL;
        rv = MEASURE(fipsrt_tls_conn_new_mem(&c, tls_client, "localhost"));
        fipsrt_tls_conn_free(c);
        return rv;
    }
    }
    tls_pair_free(&p);
    return rv;
}
CASE(tls_handshake_ok) { return tls_case(delta, 0); }
CASE(tls_handshake_garbage) { return tls_case(delta, 1); }
CASE(tls_read_ok) { return tls_case(delta, 2); }
CASE(tls_read_nothing) { return tls_case(delta, 3); }
CASE(tls_write_ok) { return tls_case(delta, 4); }
CASE(tls_write_early) { return tls_case(delta, 5); }
CASE(tls_shutdown_ok) { return tls_case(delta, 6); }
CASE(tls_shutdown_early) { return tls_case(delta, 7); }
CASE(tls_conn_new_ok) { return tls_case(delta, 8); }
CASE(tls_ctx_new_ok)
{
    fipsrt_tls_config cfg = FIPSRT_TLS_CONFIG_INIT;
    cfg.cert = cert;
    cfg.key = ec;
    fipsrt_tls_ctx *c = NULL;
    int rv = MEASURE(fipsrt_tls_ctx_new(&c, FIPSRT_TLS_SERVER, &cfg));
    fipsrt_tls_ctx_free(c);
    return rv;
}

/* ---- runtime ----------------------------------------------------------------------------- */

CASE(selftest_ok) { return MEASURE(fipsrt_selftest()); }  /* its KATs hash, MAC, open: uncounted */

/* ---- the table --------------------------------------------------------------------------- */

#define OK(f, run) {#f, IC_SUCCESS, 0, run, #run, false}
#define SLOW_OK(f, run) {#f, IC_SUCCESS, 0, run, #run, true}
#define FAIL(f, code, run) {#f, IC_FAILURE, FIPSRT_E_##code, run, #run, false}
#define LEGACY(f, run) {#f, IC_LEGACY, 0, run, #run, false}
#define UNCOUNTED(f, run) {#f, IC_UNCOUNTED, 0, run, #run, false}

const struct icase icases[] = {
    OK(fipsrt_hash, hash_ok), OK(fipsrt_hash, hash_sha1),
    FAIL(fipsrt_hash, BUFFER_TOO_SMALL, hash_small),
    OK(fipsrt_hash_xof, xof_ok), FAIL(fipsrt_hash_xof, INVALID_ARG, xof_fixed),
    OK(fipsrt_hash_final, hash_final_ok), FAIL(fipsrt_hash_final, STATE, hash_final_twice),
    OK(fipsrt_hash_final_xof, hash_xof_final_ok),
    FAIL(fipsrt_hash_final_xof, INVALID_ARG, hash_xof_final_fixed),
    OK(fipsrt_hash_new, hash_new_ok), OK(fipsrt_hash_update, hash_update_ok),
    OK(fipsrt_hash_reset, hash_reset_ok), OK(fipsrt_hash_clone, hash_clone_ok),

    OK(fipsrt_hmac, hmac_ok), FAIL(fipsrt_hmac, NOT_APPROVED, hmac_short_key),
    OK(fipsrt_hmac_verify, hmac_verify_ok), FAIL(fipsrt_hmac_verify, VERIFY_FAILED, hmac_verify_bad),
    OK(fipsrt_hmac_final, hmac_final_ok), FAIL(fipsrt_hmac_final, STATE, hmac_final_twice),
    OK(fipsrt_hmac_final_verify, hmac_final_verify_ok),
    FAIL(fipsrt_hmac_final_verify, VERIFY_FAILED, hmac_final_verify_bad),
    OK(fipsrt_hmac_new, hmac_new_ok), OK(fipsrt_hmac_update, hmac_update_ok),
    OK(fipsrt_hmac_reset, hmac_reset_ok), OK(fipsrt_hmac_clone, hmac_clone_ok),
    OK(fipsrt_hmac_key_new, hmac_key_new_ok),
    OK(fipsrt_hmac_key_mac, hmac_key_mac_ok),
    FAIL(fipsrt_hmac_key_mac, BUFFER_TOO_SMALL, hmac_key_mac_small),
    OK(fipsrt_hmac_key_verify, hmac_key_verify_ok),
    FAIL(fipsrt_hmac_key_verify, VERIFY_FAILED, hmac_key_verify_bad),

    OK(fipsrt_random, random_ok), FAIL(fipsrt_random, INVALID_ARG, random_null),

    OK(fipsrt_insecure_md5, md5_ok), FAIL(fipsrt_insecure_md5, INVALID_ARG, md5_null),
    OK(fipsrt_insecure_md5_new, md5_new_ok),
    FAIL(fipsrt_insecure_md5_new, INVALID_ARG, md5_new_null),
    OK(fipsrt_insecure_md5_update, md5_update_ok),
    FAIL(fipsrt_insecure_md5_update, INVALID_ARG, md5_update_null),
    OK(fipsrt_insecure_md5_final, md5_final_ok),
    FAIL(fipsrt_insecure_md5_final, STATE, md5_final_twice),
    OK(fipsrt_insecure_md5_clone, md5_clone_ok),
    FAIL(fipsrt_insecure_md5_clone, STATE, md5_clone_finished),

    OK(fipsrt_aead_seal, seal_ok), FAIL(fipsrt_aead_seal, BUFFER_TOO_SMALL, seal_small),
    OK(fipsrt_aead_seal_detached, seal_detached_ok),
    FAIL(fipsrt_aead_seal_detached, BUFFER_TOO_SMALL, seal_detached_small),
    OK(fipsrt_aead_open, open_ok), FAIL(fipsrt_aead_open, VERIFY_FAILED, open_tampered),
    OK(fipsrt_aead_open_detached, open_detached_ok),
    FAIL(fipsrt_aead_open_detached, NOT_APPROVED, open_detached_short_tag),
    OK(fipsrt_aead_counter_seal, counter_seal_ok),
    FAIL(fipsrt_aead_counter_seal, NONCE_REUSE, counter_seal_reuse),
    OK(fipsrt_aead_counter_open, counter_open_ok),
    FAIL(fipsrt_aead_counter_open, VERIFY_FAILED, counter_open_tampered),
    OK(fipsrt_aead_seal_stream_final, seal_stream_final_ok),
    FAIL(fipsrt_aead_seal_stream_final, STATE, seal_stream_final_twice),
    OK(fipsrt_aead_open_stream_final, open_stream_final_ok),
    FAIL(fipsrt_aead_open_stream_final, VERIFY_FAILED, open_stream_final_bad),
    OK(fipsrt_aead_key_new, aead_key_new_ok), OK(fipsrt_aead_counter_new, counter_new_drbg),
    OK(fipsrt_aead_seal_stream_new, seal_stream_new_ok),
    OK(fipsrt_aead_open_stream_new, open_stream_new_ok),
    OK(fipsrt_aead_stream_update, stream_update_ok),

    OK(fipsrt_hkdf, hkdf_ok), OK(fipsrt_hkdf, hkdf_sha1_ok),
    FAIL(fipsrt_hkdf, NOT_APPROVED, hkdf_short_ikm),
    OK(fipsrt_hkdf_extract, hkdf_extract_ok),
    FAIL(fipsrt_hkdf_extract, BUFFER_TOO_SMALL, hkdf_extract_small),
    OK(fipsrt_hkdf_expand, hkdf_expand_ok), FAIL(fipsrt_hkdf_expand, INVALID_ARG, hkdf_expand_zero),
    OK(fipsrt_pbkdf2, pbkdf2_ok), FAIL(fipsrt_pbkdf2, NOT_APPROVED, pbkdf2_sha1),
    OK(fipsrt_passwd_hash, passwd_hash_ok),
    FAIL(fipsrt_passwd_hash, NOT_APPROVED, passwd_hash_few_rounds),
    OK(fipsrt_passwd_verify, passwd_verify_ok),
    FAIL(fipsrt_passwd_verify, VERIFY_FAILED, passwd_verify_wrong),
    UNCOUNTED(fipsrt_passwd_verify, passwd_verify_sha512crypt),

    OK(fipsrt_key_generate_ec, gen_ec_ok), FAIL(fipsrt_key_generate_ec, INVALID_ARG, gen_ec_bad_curve),
    SLOW_OK(fipsrt_key_generate_rsa, gen_rsa_ok),  /* 10..35 s under valgrind */
    FAIL(fipsrt_key_generate_rsa, NOT_APPROVED, gen_rsa_1024),
    OK(fipsrt_key_import_private, import_private_ok),
    FAIL(fipsrt_key_import_private, MALFORMED, import_private_garbage),
    OK(fipsrt_key_import_public, import_public_ok),
    FAIL(fipsrt_key_import_public, MALFORMED, import_public_garbage),
    LEGACY(fipsrt_key_import_public, import_public_legacy),
    OK(fipsrt_key_import_ec_point, import_ec_point_ok),
    FAIL(fipsrt_key_import_ec_point, MALFORMED, import_ec_point_short),
    OK(fipsrt_key_import_ec_private, import_ec_private_ok),
    FAIL(fipsrt_key_import_ec_private, MALFORMED, import_ec_private_mismatch),
    OK(fipsrt_key_import_rsa_public, import_rsa_public_ok),
    FAIL(fipsrt_key_import_rsa_public, MALFORMED, import_rsa_public_even),
    LEGACY(fipsrt_key_import_rsa_public, import_rsa_public_legacy),
    SLOW_OK(fipsrt_key_export_private, export_private_password),  /* 10^5 PBKDF2 rounds */
    FAIL(fipsrt_key_export_private, KEY_TYPE, export_private_public_key),
    UNCOUNTED(fipsrt_key_export_private, export_private_plain),
    OK(fipsrt_key_export_public, export_public_ok), OK(fipsrt_key_export_ec_point, export_ec_point_ok),
    OK(fipsrt_key_export_rsa_public, export_rsa_public_ok), OK(fipsrt_key_public, key_public_ok),

    OK(fipsrt_ecdsa_sign, ecdsa_sign_ok), FAIL(fipsrt_ecdsa_sign, NOT_APPROVED, ecdsa_sign_sha1),
    OK(fipsrt_ecdsa_sign_digest, ecdsa_sign_digest_ok),
    FAIL(fipsrt_ecdsa_sign_digest, INVALID_ARG, ecdsa_sign_digest_len),
    OK(fipsrt_ecdsa_verify, ecdsa_verify_ok), FAIL(fipsrt_ecdsa_verify, VERIFY_FAILED, ecdsa_verify_bad),
    LEGACY(fipsrt_ecdsa_verify, ecdsa_verify_sha1),
    OK(fipsrt_ecdsa_verify_digest, ecdsa_verify_digest_ok),
    FAIL(fipsrt_ecdsa_verify_digest, VERIFY_FAILED, ecdsa_verify_digest_bad),
    LEGACY(fipsrt_ecdsa_verify_digest, ecdsa_verify_digest_sha1),
    OK(fipsrt_ecdsa_der_to_p1363, der_to_p1363_ok),

    OK(fipsrt_rsa_sign, rsa_sign_ok), FAIL(fipsrt_rsa_sign, NOT_APPROVED, rsa_sign_sha1),
    OK(fipsrt_rsa_sign_digest, rsa_sign_digest_ok),
    FAIL(fipsrt_rsa_sign_digest, INVALID_ARG, rsa_sign_digest_oaep),
    OK(fipsrt_rsa_pss_sign_digest, rsa_pss_sign_digest_ok),
    FAIL(fipsrt_rsa_pss_sign_digest, NOT_APPROVED, rsa_pss_sign_digest_salt),
    OK(fipsrt_rsa_verify, rsa_verify_ok), FAIL(fipsrt_rsa_verify, VERIFY_FAILED, rsa_verify_bad),
    LEGACY(fipsrt_rsa_verify, rsa_verify_1024),
    OK(fipsrt_rsa_verify_digest, rsa_verify_digest_ok),
    FAIL(fipsrt_rsa_verify_digest, VERIFY_FAILED, rsa_verify_digest_bad),
    LEGACY(fipsrt_rsa_verify_digest, rsa_verify_digest_1024),
    OK(fipsrt_rsa_pss_verify_digest, rsa_pss_verify_digest_ok),
    FAIL(fipsrt_rsa_pss_verify_digest, VERIFY_FAILED, rsa_pss_verify_digest_bad),
    LEGACY(fipsrt_rsa_pss_verify_digest, rsa_pss_verify_digest_1024),
    OK(fipsrt_rsa_encrypt, rsa_encrypt_ok), FAIL(fipsrt_rsa_encrypt, NOT_APPROVED, rsa_encrypt_v15),
    OK(fipsrt_rsa_decrypt, rsa_decrypt_ok), FAIL(fipsrt_rsa_decrypt, VERIFY_FAILED, rsa_decrypt_bad),

    OK(fipsrt_ecdh_derive, ecdh_ok), FAIL(fipsrt_ecdh_derive, KEY_TYPE, ecdh_rsa),
    OK(fipsrt_ecdh_derive_point, ecdh_point_ok),
    FAIL(fipsrt_ecdh_derive_point, MALFORMED, ecdh_point_bad),

    OK(fipsrt_cert_selfsign, selfsign_ok), FAIL(fipsrt_cert_selfsign, NOT_APPROVED, selfsign_sha1),
    OK(fipsrt_cert_issue, issue_ok), FAIL(fipsrt_cert_issue, INVALID_ARG, issue_not_ca),
    OK(fipsrt_cert_import, cert_import_ok), OK(fipsrt_cert_export, cert_export_ok),

    OK(fipsrt_tls_conn_handshake, tls_handshake_ok),
    FAIL(fipsrt_tls_conn_handshake, TLS, tls_handshake_garbage),
    OK(fipsrt_tls_conn_read, tls_read_ok), FAIL(fipsrt_tls_conn_read, WANT_READ, tls_read_nothing),
    OK(fipsrt_tls_conn_write, tls_write_ok), FAIL(fipsrt_tls_conn_write, WANT_READ, tls_write_early),
    OK(fipsrt_tls_conn_shutdown, tls_shutdown_ok),
    FAIL(fipsrt_tls_conn_shutdown, STATE, tls_shutdown_early),
    OK(fipsrt_tls_conn_new_mem, tls_conn_new_ok), OK(fipsrt_tls_ctx_new, tls_ctx_new_ok),

    OK(fipsrt_selftest, selftest_ok),
};

const size_t icase_count = sizeof(icases) / sizeof(icases[0]);
