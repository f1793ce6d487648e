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

/*
 * The DER walker rule by rule, on small hand-made inputs given to the public-key import.
 * "strict" means frt_der_strict() refused it ("the key is not DER-encoded"); "spki" means the
 * walk accepted it and the SubjectPublicKeyInfo shape check refused it next, which proves
 * the encoding was judged DER.
 */
START_TEST(test_walker_rules)
{
    static const char strict[] = "fipsrt_key_import_public: the key is not DER-encoded";
    static const char spki[] = "fipsrt_key_import_public: not a SubjectPublicKeyInfo of whole "
                               "octets (unused-bits byte must be 0)";
    static const struct { const char *hex, *what; bool der; } t[] = {
        /* headers (tlv) */
        {"30", "one byte", false},
        {"1f0100", "high tag number at the top", false},
        {"30031f0100", "high tag number inside", false},
        {"308000", "indefinite length", false},
        {"3089010000000000000000", "length of 9 octets", false},
        {"308401", "length octets cut short", false},
        {"30820003000000", "length with a leading zero octet", false},
        {"308103050000", "long form for a short length", false},
        {"3005", "content cut short", false},
        {"300000", "trailing byte after the element", false},
        /* nesting */
        {NULL, "33 nested SEQUENCEs (one too deep)", false},
        {NULL, "32 nested SEQUENCEs", true},
        /* constructed strings, and constructed types that are not strings */
        {"30052303030100", "constructed BIT STRING", false},
        {"300424020400", "constructed OCTET STRING", false},
        {"30042c020c00", "constructed UTF8String", false},
        {"300433021300", "constructed PrintableString", false},
        {"3004310205 00", "SET", true},
        {"3004a0020500", "context-specific [0]", true},
        /* BOOLEAN */
        {"3004010200ff", "BOOLEAN of two octets", false},
        {"3003010105", "BOOLEAN 0x05", false},
        {"30030101ff", "BOOLEAN TRUE", true},
        {"3003010100", "BOOLEAN FALSE", true},
        /* INTEGER, ENUMERATED */
        {"30020200", "empty INTEGER", false},
        {"30040202007f", "INTEGER with a redundant 0x00", false},
        {"30040202ff80", "INTEGER with a redundant 0xff", false},
        {"3004020200 80", "INTEGER 128", true},
        {"30040202ff7f", "INTEGER -129", true},
        {"30030a0105", "ENUMERATED 5", true},
        {"30040a02007f", "ENUMERATED with a redundant 0x00", false},
        /* BIT STRING */
        {"30020300", "empty BIT STRING", false},
        {"300403020800", "unused-bits count 8", false},
        {"3003030103", "unused bits without content", false},
        {"300403020301", "non-zero padding bits", false},
        {"300403020308", "padding bits zero", true},
        /* NULL */
        {"3003050100", "NULL with content", false},
        {"30020500", "NULL", true},
        /* OBJECT IDENTIFIER */
        {"30020600", "empty OID", false},
        {"3003060181", "OID ending inside a subidentifier", false},
        {"300406028001", "OID subidentifier padded with 0x80 first", false},
        {"30050603018001", "OID subidentifier padded with 0x80 later", false},
        {"3005060381800 1", "OID 0x81 0x80 0x01", true},
        /* other primitive types pass through */
        {"30030c0141", "UTF8String", true},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        uint8_t *der;
        size_t len;
        if (t[i].hex == NULL) {
            size_t levels = t[i].der ? 32 : 33;   /* the walk allows content at depth 32 */
            len = 2 * levels;
            der = malloc(len);
            for (size_t l = 0; l < levels; l++) {
                der[2 * l] = 0x30;
                der[2 * l + 1] = (uint8_t)(len - 2 * l - 2);
            }
        } else {
            char clean[64];
            size_t c = 0;
            for (const char *h = t[i].hex; *h; h++)
                if (*h != ' ')
                    clean[c++] = *h;
            clean[c] = '\0';
            der = hex_alloc(clean, &len);
        }
        fipsrt_key *k = (fipsrt_key *)1;
        int rv = fipsrt_key_import_public(&k, FIPSRT_KEY_DER, der, len);
        ck_assert_msg(rv == FIPSRT_E_MALFORMED, "%s: %d (%s)", t[i].what, rv, fipsrt_last_error());
        ck_assert_ptr_null(k);
        ck_assert_msg(strcmp(fipsrt_last_error(), t[i].der ? spki : strict) == 0, "%s: %s",
                      t[i].what, fipsrt_last_error());
        free(der);
    }
}
END_TEST

/* The SubjectPublicKeyInfo shape check after the walk: each way it is not SEQUENCE {
 * SEQUENCE, BIT STRING } of whole octets. */
START_TEST(test_spki_shape)
{
    static const char spki[] = "fipsrt_key_import_public: not a SubjectPublicKeyInfo of whole "
                               "octets (unused-bits byte must be 0)";
    static const char *const t[] = {
        "3100",                     /* a SET */
        "3000",                     /* empty */
        "3003020101",               /* no AlgorithmIdentifier */
        "30023000",                 /* no BIT STRING */
        "30053000020101",           /* an INTEGER for the BIT STRING */
        "300730000301000500",      /* something after the BIT STRING */
        "3006300003020100",         /* BIT STRING with an unused bit */
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        size_t len;
        uint8_t *der = hex_alloc(t[i], &len);
        fipsrt_key *k = NULL;
        ck_assert_fipsrt(fipsrt_key_import_public(&k, FIPSRT_KEY_DER, der, len), FIPSRT_E_MALFORMED);
        ck_assert_ptr_null(k);
        ck_assert_msg(strcmp(fipsrt_last_error(), spki) == 0, "%s: %s", t[i], fipsrt_last_error());
        free(der);
    }
    /* Whole octets and the right shape, but no known algorithm: the next check speaks. */
    size_t len;
    uint8_t *der = hex_alloc("3007300003030000ff", &len);
    fipsrt_key *k = NULL;
    ck_assert_fipsrt(fipsrt_key_import_public(&k, FIPSRT_KEY_DER, der, len), FIPSRT_E_MALFORMED);
    ck_assert_str_eq(fipsrt_last_error(), "fipsrt_key_import_public: not a SubjectPublicKeyInfo");
    free(der);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("keys-der");
    TCase *tc = tcase_create("strict");
    tcase_add_test(tc, test_strict_der);
    tcase_add_test(tc, test_compressed_point_accepted);
    tcase_add_test(tc, test_walker_rules);
    tcase_add_test(tc, test_spki_shape);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(make_suite); }
