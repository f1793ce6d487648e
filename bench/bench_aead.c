/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AES-256-GCM seal and open throughput of libfipsrt against raw OpenSSL, all in the same
 * FIPS provider (loading libfipsrt puts fips=yes in force for the process):
 *
 *   libfipsrt  fipsrt_aead_seal() (nonce generated inside the module) / fipsrt_aead_open()
 *              with one fipsrt_aead_key shared as it would be between threads
 *   ideal      AES-256-GCM fetched once, one EVP_CIPHER_CTX keyed once and reused: per op
 *              EVP_EncryptInit_ex2(ctx, NULL, NULL, iv, NULL), Update, Final, tag via
 *              OSSL_PARAM. A reused context cannot make the module generate another IV, so
 *              the ideal seal draws its 12-byte IV with RAND_bytes() from the same FIPS DRBG
 *              and passes it in: the cheapest way raw OpenSSL seals with a fresh random
 *              nonce (an external IV, which libfipsrt deliberately never does). The ideal
 *              open is the same context with DecryptInit_ex2(iv, {tag}), Update, Final.
 *   naive      what most code writes: EVP_CIPHER_CTX_new() + EVP_aes_256_gcm() (looked up
 *              on every init) + RAND_bytes() IV + ctrl() for the tag, per call
 *
 * No AAD. Goal (issue 3): libfipsrt >= 0.90 of ideal at 64 bytes and >= 0.98 at 16 KiB.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include <fipsrt/fipsrt.h>

#include "bench.h"

#define MAX_LEN 16384
static const size_t sizes[] = {16, 64, 1024, 16384};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static uint8_t msg[MAX_LEN];
static uint8_t key[32];

static fipsrt_aead_key *fkey;   /* libfipsrt: one immutable key object */
static EVP_CIPHER *aes256gcm;   /* ideal: fetched once */
static EVP_CIPHER_CTX *ectx;    /* ideal: keyed once for sealing, reused */
static EVP_CIPHER_CTX *dctx;    /* ideal: keyed once for opening, reused */

/* One operation's buffers; `sealed` is a valid nonce/ciphertext/tag for the open cases. */
struct op {
    size_t len;
    uint8_t nonce[12], out[MAX_LEN + 16];
    uint8_t sealed_nonce[12], sealed[MAX_LEN + 16];
};

static _Noreturn void die(const char *what)
{
    fprintf(stderr, "bench_aead: %s failed\n", what);
    ERR_print_errors_fp(stderr);
    fprintf(stderr, "libfipsrt: %s\n", fipsrt_last_error());
    exit(1);
}

/* ---- the six ways ------------------------------------------------------------------- */

static void seal_fipsrt(void *arg, uint64_t n)
{
    struct op *o = arg;
    while (n--)
        if (fipsrt_aead_seal(fkey, NULL, 0, msg, o->len, o->nonce, o->out, sizeof(o->out),
                             NULL) != 0)
            die("fipsrt_aead_seal");
}

static void seal_ideal(void *arg, uint64_t n)
{
    struct op *o = arg;
    int got;
    OSSL_PARAM tag[] = {
        OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, o->out + o->len, 16),
        OSSL_PARAM_construct_end(),
    };
    while (n--)
        if (RAND_bytes(o->nonce, 12) <= 0 || !EVP_EncryptInit_ex2(ectx, NULL, NULL, o->nonce, NULL)
            || !EVP_EncryptUpdate(ectx, o->out, &got, msg, (int)o->len)
            || !EVP_EncryptFinal_ex(ectx, o->out + o->len, &got)
            || !EVP_CIPHER_CTX_get_params(ectx, tag))
            die("ideal seal");
}

static void seal_naive(void *arg, uint64_t n)
{
    struct op *o = arg;
    int got;
    while (n--) {
        EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
        if (c == NULL || RAND_bytes(o->nonce, 12) <= 0
            || !EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, o->nonce)
            || !EVP_EncryptUpdate(c, o->out, &got, msg, (int)o->len)
            || !EVP_EncryptFinal_ex(c, o->out + o->len, &got)
            || !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, o->out + o->len))
            die("naive seal");
        EVP_CIPHER_CTX_free(c);
    }
}

static void open_fipsrt(void *arg, uint64_t n)
{
    struct op *o = arg;
    while (n--)
        if (fipsrt_aead_open(fkey, o->sealed_nonce, NULL, 0, o->sealed, o->len + 16, o->out,
                             sizeof(o->out), NULL) != 0)
            die("fipsrt_aead_open");
}

static void open_ideal(void *arg, uint64_t n)
{
    struct op *o = arg;
    int got;
    OSSL_PARAM tag[] = {
        OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, o->sealed + o->len, 16),
        OSSL_PARAM_construct_end(),
    };
    while (n--)
        if (!EVP_DecryptInit_ex2(dctx, NULL, NULL, o->sealed_nonce, tag)
            || !EVP_DecryptUpdate(dctx, o->out, &got, o->sealed, (int)o->len)
            || !EVP_DecryptFinal_ex(dctx, o->out + o->len, &got))
            die("ideal open");
}

static void open_naive(void *arg, uint64_t n)
{
    struct op *o = arg;
    int got;
    while (n--) {
        EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
        if (c == NULL || !EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, o->sealed_nonce)
            || !EVP_DecryptUpdate(c, o->out, &got, o->sealed, (int)o->len)
            || !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16, o->sealed + o->len)
            || !EVP_DecryptFinal_ex(c, o->out + o->len, &got))
            die("naive open");
        EVP_CIPHER_CTX_free(c);
    }
}

/* ---- setup and checks -------------------------------------------------------------- */

static int print_provider(OSSL_PROVIDER *p, void *unused)
{
    (void)unused;
    printf(" %s", OSSL_PROVIDER_get0_name(p));
    return 1;
}

static void setup(void)
{
    if (fipsrt_init() != 0)
        die("fipsrt_init");
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(i * 131 + 7);
    for (size_t i = 0; i < sizeof(key); i++)
        key[i] = (uint8_t)(0xa5 ^ i);
    if (fipsrt_aead_key_new(&fkey, FIPSRT_AEAD_AES_256_GCM, key, sizeof(key)) != 0)
        die("fipsrt_aead_key_new");
    if ((aes256gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL)) == NULL)
        die("EVP_CIPHER_fetch");
    if ((ectx = EVP_CIPHER_CTX_new()) == NULL || (dctx = EVP_CIPHER_CTX_new()) == NULL
        || !EVP_EncryptInit_ex2(ectx, aes256gcm, key, NULL, NULL)
        || !EVP_DecryptInit_ex2(dctx, aes256gcm, key, NULL, NULL))
        die("EVP_CIPHER_CTX_new/EncryptInit_ex2/DecryptInit_ex2");

    printf("libfipsrt %s, OpenSSL %s; default properties fips=yes: %s\n", fipsrt_version(),
           OpenSSL_version(OPENSSL_VERSION_STRING),
           EVP_default_properties_is_fips_enabled(NULL) ? "on" : "OFF");
    printf("loaded providers:");
    OSSL_PROVIDER_do_all(NULL, print_provider, NULL);
    printf("; ideal AES-256-GCM fetched from: %s\n",
           OSSL_PROVIDER_get0_name(EVP_CIPHER_get0_provider(aes256gcm)));
}

/* Each way's seal must open with every way's open before their speeds mean anything. */
static void check_agree(size_t len)
{
    bench_fn *seals[3] = {seal_fipsrt, seal_ideal, seal_naive};
    bench_fn *opens[3] = {open_fipsrt, open_ideal, open_naive};
    static struct op o;
    for (int s = 0; s < 3; s++) {
        memset(&o, 0, sizeof(o));
        o.len = len;
        seals[s](&o, 1);
        memcpy(o.sealed_nonce, o.nonce, 12);
        memcpy(o.sealed, o.out, len + 16);
        for (int d = 0; d < 3; d++) {
            memset(o.out, 0, sizeof(o.out));
            opens[d](&o, 1);   /* dies on a tag failure */
            if (memcmp(o.out, msg, len) != 0) {
                fprintf(stderr, "bench_aead: seal way %d / open way %d disagree at %zu bytes\n",
                        s, d, len);
                exit(1);
            }
        }
    }
}

/* ---- the table --------------------------------------------------------------------- */

struct family {
    const char *name;
    bench_fn *fns[3];  /* libfipsrt, ideal, naive */
    double ratio[NSIZES];
};

static void run_family(struct family *f)
{
    static struct op ops[3];
    for (size_t s = 0; s < NSIZES; s++) {
        check_agree(sizes[s]);
        uint8_t nonce[12];
        static uint8_t sealed[MAX_LEN + 16];
        if (fipsrt_aead_seal(fkey, NULL, 0, msg, sizes[s], nonce, sealed, sizeof(sealed),
                             NULL) != 0)
            die("fipsrt_aead_seal");
        for (int i = 0; i < 3; i++) {
            ops[i].len = sizes[s];
            memcpy(ops[i].sealed_nonce, nonce, 12);
            memcpy(ops[i].sealed, sealed, sizes[s] + 16);
        }
        struct bench_case c[3] = {
            {.name = "libfipsrt", .fn = f->fns[0], .arg = &ops[0]},
            {.name = "ideal", .fn = f->fns[1], .arg = &ops[1]},
            {.name = "naive", .fn = f->fns[2], .arg = &ops[2]},
        };
        f->ratio[s] = bench_three_way_row(f->name, sizes[s], c, 16);
    }
}

/* Goal of issue 3: >= 0.90 of ideal at 64 bytes, >= 0.98 at 16 KiB. */
static void report_goals(const struct family *f)
{
    static const struct { size_t idx; double goal; } goals[] = {{1, 0.90}, {3, 0.98}};
    for (size_t g = 0; g < 2; g++)
        bench_report_goal(f->name, sizes[goals[g].idx], f->ratio[goals[g].idx], goals[g].goal);
}

int main(void)
{
    setup();
    bench_print_settings();
    printf("\n");
    struct family fams[] = {
        {"AES-256-GCM seal", {seal_fipsrt, seal_ideal, seal_naive}, {0}},
        {"AES-256-GCM open", {open_fipsrt, open_ideal, open_naive}, {0}},
    };
    bench_three_way_head(16);
    for (size_t i = 0; i < 2; i++)
        run_family(&fams[i]);
    printf("\n");
    for (size_t i = 0; i < 2; i++)
        report_goals(&fams[i]);

    EVP_CIPHER_CTX_free(dctx);
    EVP_CIPHER_CTX_free(ectx);
    EVP_CIPHER_free(aes256gcm);
    fipsrt_aead_key_free(fkey);
    return 0;
}
