/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Key import takes strict DER only (keys.h: FIPSRT_E_MALFORMED for bad encodings). Each
 * case is a valid key re-encoded in a form libcrypto's BER-tolerant readers accept:
 * indefinite lengths, long-form or leading-zero lengths, a changed unused-bits byte, bytes
 * inserted before the BIT STRING, a constructed OCTET STRING.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

typedef struct buf {
    uint8_t b[4096];
    size_t n;
} buf;

static void put(buf *o, const void *p, size_t n)
{
    ck_assert_uint_le(o->n + n, sizeof(o->b));
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

/* A DER header: returns its size, and the content length in *len. */
static size_t header(const uint8_t *p, size_t *len)
{
    if (p[1] < 0x80) {
        *len = p[1];
        return 2;
    }
    size_t n = p[1] & 0x7f, l = 0;
    for (size_t i = 0; i < n; i++)
        l = (l << 8) | p[2 + i];
    *len = l;
    return 2 + n;
}

/* The element at `p` with its length rewritten: 0 = indefinite (+ end-of-contents),
 * 1 = one byte longer than minimal (long form / leading zero). */
static void rewrite(buf *o, const uint8_t *p, int how, const uint8_t *content, size_t clen)
{
    size_t len;
    header(p, &len);
    uint8_t h[8];
    size_t hn = 0;
    h[hn++] = p[0];
    if (how == 0) {
        h[hn++] = 0x80;
    } else if (clen < 0x80) {
        h[hn++] = 0x81, h[hn++] = (uint8_t)clen;
    } else if (clen < 0x100) {
        h[hn++] = 0x82, h[hn++] = 0, h[hn++] = (uint8_t)clen;
    } else {
        h[hn++] = 0x83, h[hn++] = 0, h[hn++] = (uint8_t)(clen >> 8), h[hn++] = (uint8_t)clen;
    }
    put(o, h, hn);
    put(o, content, clen);
    if (how == 0)
        put(o, "\0\0", 2);
}

/* Re-wrap a SEQUENCE around new content (minimal length). */
static void sequence(buf *o, const uint8_t *content, size_t clen)
{
    uint8_t h[4] = {0x30};
    size_t hn = 1;
    if (clen < 0x80)
        h[hn++] = (uint8_t)clen;
    else if (clen < 0x100)
        h[hn++] = 0x81, h[hn++] = (uint8_t)clen;
    else
        h[hn++] = 0x82, h[hn++] = (uint8_t)(clen >> 8), h[hn++] = (uint8_t)clen;
    put(o, h, hn);
    put(o, content, clen);
}

static void expect_malformed(bool pub, const buf *b, const char *what)
{
    fipsrt_key *k = NULL;
    int rv = pub ? fipsrt_key_import_public(&k, FIPSRT_KEY_DER, b->b, b->n)
                 : fipsrt_key_import_private(&k, FIPSRT_KEY_DER, b->b, b->n, NULL, 0);
    ck_assert_msg(rv == FIPSRT_E_MALFORMED, "%s: import returned %d (%s), expected "
                  "FIPSRT_E_MALFORMED; %s", what, rv, fipsrt_strerror(rv), fipsrt_last_error());
    ck_assert_ptr_null(k);
    fipsrt_key_free(k);
}

static void public_cases(const fipsrt_key *key, const char *name)
{
    buf der = {0}, o;
    char what[128];
    ck_assert_ok(fipsrt_key_export_public(key, FIPSRT_KEY_DER, der.b, sizeof(der.b), &der.n));
    fipsrt_key *ok;
    ck_assert_ok(fipsrt_key_import_public(&ok, FIPSRT_KEY_DER, der.b, der.n));   /* control */
    fipsrt_key_free(ok);
    size_t len, h = header(der.b, &len);
    const uint8_t *content = der.b + h;
    /* the SPKI: AlgorithmIdentifier, then the BIT STRING */
    size_t alen, ah = header(content, &alen);
    const uint8_t *bits = content + ah + alen;
    size_t blen, bh = header(bits, &blen);

    for (int how = 0; how < 2; how++) {
        o.n = 0;
        rewrite(&o, der.b, how, content, len);
        snprintf(what, sizeof(what), "%s SPKI, %s outer length", name,
                 how ? "non-minimal" : "indefinite");
        expect_malformed(true, &o, what);
        /* the same for the BIT STRING inside */
        buf in = {.n = 0};
        put(&in, content, ah + alen);
        rewrite(&in, bits, how, bits + bh, blen);
        o.n = 0;
        sequence(&o, in.b, in.n);
        snprintf(what, sizeof(what), "%s SPKI, %s BIT STRING length", name,
                 how ? "non-minimal" : "indefinite");
        expect_malformed(true, &o, what);
    }
    /* unused-bits byte 0 -> 1 and -> 7 */
    for (int u = 1; u <= 7; u += 6) {
        o = der;
        o.b[h + ah + alen + bh] = (uint8_t)u;
        snprintf(what, sizeof(what), "%s SPKI, unused-bits byte %d", name, u);
        expect_malformed(true, &o, what);
    }
    /* bytes before the BIT STRING (a NULL element, then a stray OCTET STRING) */
    static const uint8_t junk[][3] = {{0x05, 0x00}, {0x04, 0x01, 0x00}};
    for (int j = 0; j < 2; j++) {
        buf in = {.n = 0};
        put(&in, content, ah + alen);
        put(&in, junk[j], j == 0 ? 2 : 3);
        put(&in, bits, bh + blen);
        o.n = 0;
        sequence(&o, in.b, in.n);
        snprintf(what, sizeof(what), "%s SPKI, bytes before the BIT STRING (%d)", name, j);
        expect_malformed(true, &o, what);
    }
    /* bytes inside the BIT STRING, before the key it holds */
    for (size_t extra = 1; extra <= 2; extra++) {
        buf in = {.n = 0}, bs = {.n = 0};
        uint8_t zero[2] = {0, 0};
        put(&bs, bits + bh, 1);            /* the unused-bits byte */
        put(&bs, zero, extra);
        put(&bs, bits + bh + 1, blen - 1);
        put(&in, content, ah + alen);
        uint8_t hb[4] = {0x03};
        size_t hn = 1;
        if (bs.n < 0x80)
            hb[hn++] = (uint8_t)bs.n;
        else if (bs.n < 0x100)
            hb[hn++] = 0x81, hb[hn++] = (uint8_t)bs.n;
        else
            hb[hn++] = 0x82, hb[hn++] = (uint8_t)(bs.n >> 8), hb[hn++] = (uint8_t)bs.n;
        put(&in, hb, hn);
        put(&in, bs.b, bs.n);
        o.n = 0;
        sequence(&o, in.b, in.n);
        snprintf(what, sizeof(what), "%s SPKI, %zu zero byte(s) before the key in the BIT "
                 "STRING", name, extra);
        expect_malformed(true, &o, what);
    }
}

static void private_cases(const fipsrt_key *key, const char *name)
{
    buf der = {0}, o;
    char what[128];
    ck_assert_ok(fipsrt_key_export_private(key, FIPSRT_KEY_DER, NULL, 0, der.b, sizeof(der.b),
                                           &der.n));
    fipsrt_key *ok;
    ck_assert_ok(fipsrt_key_import_private(&ok, FIPSRT_KEY_DER, der.b, der.n, NULL, 0));
    fipsrt_key_free(ok);
    size_t len, h = header(der.b, &len);
    const uint8_t *content = der.b + h;
    for (int how = 0; how < 2; how++) {
        o.n = 0;
        rewrite(&o, der.b, how, content, len);
        snprintf(what, sizeof(what), "%s PKCS#8, %s outer length", name,
                 how ? "non-minimal" : "indefinite");
        expect_malformed(false, &o, what);
    }
    /* PrivateKeyInfo = SEQUENCE { version, AlgorithmIdentifier, OCTET STRING { key } } */
    size_t vlen, vh = header(content, &vlen);
    const uint8_t *alg = content + vh + vlen;
    size_t alen, ah = header(alg, &alen);
    const uint8_t *oct = alg + ah + alen;
    size_t olen, oh = header(oct, &olen);
    const uint8_t *inner = oct + oh;
    size_t ilen, ih = header(inner, &ilen);
    for (int how = 0; how < 2; how++) {
        /* the inner key's own SEQUENCE with a BER length, re-wrapped minimally */
        buf key2 = {.n = 0}, octet = {.n = 0}, in = {.n = 0};
        rewrite(&key2, inner, how, inner + ih, ilen);
        uint8_t oh2[4] = {0x04};
        size_t ohn = 1;
        if (key2.n < 0x80)
            oh2[ohn++] = (uint8_t)key2.n;
        else if (key2.n < 0x100)
            oh2[ohn++] = 0x81, oh2[ohn++] = (uint8_t)key2.n;
        else
            oh2[ohn++] = 0x82, oh2[ohn++] = (uint8_t)(key2.n >> 8), oh2[ohn++] = (uint8_t)key2.n;
        put(&octet, oh2, ohn);
        put(&octet, key2.b, key2.n);
        put(&in, content, vh + vlen + ah + alen);
        put(&in, octet.b, octet.n);
        o.n = 0;
        sequence(&o, in.b, in.n);
        snprintf(what, sizeof(what), "%s PKCS#8, inner key with %s length", name,
                 how ? "non-minimal" : "indefinite");
        expect_malformed(false, &o, what);
    }
    /* the privateKey OCTET STRING in constructed (BER) form */
    {
        buf in = {.n = 0}, octet = {.n = 0};
        put(&in, content, vh + vlen + ah + alen);
        uint8_t c[2] = {0x24, 0x80};
        put(&octet, c, 2);
        put(&octet, oct, oh + olen);
        put(&octet, "\0\0", 2);
        put(&in, octet.b, octet.n);
        o.n = 0;
        sequence(&o, in.b, in.n);
        snprintf(what, sizeof(what), "%s PKCS#8, constructed OCTET STRING", name);
        expect_malformed(false, &o, what);
    }
}

/* A P-256 SubjectPublicKeyInfo with a compressed point is DER and stays accepted. */
START_TEST(test_compressed_point_accepted)
{
    static const uint8_t prefix[] = {0x30, 0x39, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
                                     0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                     0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x22, 0x00};
    fipsrt_key *ec, *k;
    uint8_t point[65], der[sizeof(prefix) + 33];
    size_t n;
    ck_assert_ok(fipsrt_key_generate_ec(&ec, FIPSRT_EC_P256));
    ck_assert_ok(fipsrt_key_export_ec_point(ec, point, sizeof(point), &n));
    ck_assert_uint_eq(n, 65);
    memcpy(der, prefix, sizeof(prefix));
    der[sizeof(prefix)] = (uint8_t)(0x02 | (point[64] & 1));
    memcpy(der + sizeof(prefix) + 1, point + 1, 32);
    ck_assert_ok(fipsrt_key_import_public(&k, FIPSRT_KEY_DER, der, sizeof(der)));
    ck_assert_int_eq(fipsrt_key_get_curve(k), FIPSRT_EC_P256);
    fipsrt_key_free(k);
    fipsrt_key_free(ec);
}
END_TEST

START_TEST(test_strict_der)
{
    fipsrt_key *ec, *rsa = NULL;
    ck_assert_ok(fipsrt_key_generate_ec(&ec, FIPSRT_EC_P256));
    public_cases(ec, "P-256");
    private_cases(ec, "P-256");
    if (!RUNNING_ON_VALGRIND) {   /* RSA-2048 generation takes half a minute there */
        ck_assert_ok(fipsrt_key_generate_rsa(&rsa, 2048));
        public_cases(rsa, "RSA-2048");
        private_cases(rsa, "RSA-2048");
    }
    fipsrt_key_free(ec);
    fipsrt_key_free(rsa);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("keys-der");
    TCase *tc = tcase_create("strict");
    tcase_add_test(tc, test_strict_der);
    tcase_add_test(tc, test_compressed_point_accepted);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(make_suite); }
