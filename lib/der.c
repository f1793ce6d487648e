/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A strict DER check (X.690 §10) for key import. libcrypto's readers accept BER forms that
 * DER forbids (indefinite and non-minimal lengths, constructed strings); keys.h promises
 * FIPSRT_E_MALFORMED for any encoding that is not DER, so every key goes through this walk
 * before it is decoded.
 */
#include "internal.h"

#define DER_MAX_DEPTH 32

/* One TLV at *p (at most `left` bytes): its header is DER; sets the content bounds. */
static bool tlv(const uint8_t **p, size_t left, uint8_t *tag, const uint8_t **content,
                size_t *clen)
{
    const uint8_t *q = *p;
    if (left < 2)
        return false;
    *tag = q[0];
    if ((q[0] & 0x1f) == 0x1f)   /* high tag numbers do not occur in key structures */
        return false;
    size_t len = q[1], hdr = 2;
    if (len == 0x80)             /* indefinite length: BER only */
        return false;
    if (len > 0x80) {
        size_t n = len & 0x7f;
        if (n > sizeof(size_t) || left - 2 < n || q[2] == 0)   /* leading zero: not minimal */
            return false;
        len = 0;
        for (size_t i = 0; i < n; i++)
            len = (len << 8) | q[2 + i];
        if (len < 0x80)          /* long form for a short length: not minimal */
            return false;
        hdr += n;
    }
    if (len > left - hdr)
        return false;
    *content = q + hdr;
    *clen = len;
    *p = q + hdr + len;
    return true;
}

static bool walk(const uint8_t *p, size_t len, int depth)
{
    const uint8_t *end = p + len;
    if (depth > DER_MAX_DEPTH)
        return false;
    while (p < end) {
        uint8_t tag;
        const uint8_t *c;
        size_t n;
        if (!tlv(&p, (size_t)(end - p), &tag, &c, &n))
            return false;
        if (tag & 0x20) {                       /* constructed */
            /* strings are primitive in DER (BIT, OCTET and character strings) */
            if ((tag & 0xc0) == 0 && ((tag & 0x1f) == 3 || (tag & 0x1f) == 4 ||
                                      (tag & 0x1f) == 12 || (tag & 0x1f) >= 18))
                return false;
            if (!walk(c, n, depth + 1))
                return false;
            continue;
        }
        switch (tag) {
        case 0x01:   /* BOOLEAN: one byte, 0x00 or 0xff */
            if (n != 1 || (c[0] != 0x00 && c[0] != 0xff))
                return false;
            break;
        case 0x02:   /* INTEGER: minimal two's complement */
        case 0x0a:   /* ENUMERATED */
            if (n == 0 || (n > 1 && ((c[0] == 0x00 && !(c[1] & 0x80)) ||
                                     (c[0] == 0xff && (c[1] & 0x80)))))
                return false;
            break;
        case 0x03:   /* BIT STRING: unused-bit count 0..7 (0 if empty), padding bits zero */
            if (n == 0 || c[0] > 7 || (n == 1 && c[0] != 0) ||
                (n > 1 && (c[n - 1] & ((1u << c[0]) - 1)) != 0))
                return false;
            break;
        case 0x05:   /* NULL */
            if (n != 0)
                return false;
            break;
        case 0x06:   /* OBJECT IDENTIFIER: no 0x80 padding at the start of a subidentifier */
            if (n == 0 || (c[n - 1] & 0x80))
                return false;
            for (size_t i = 0; i < n; i++)
                if (c[i] == 0x80 && (i == 0 || !(c[i - 1] & 0x80)))
                    return false;
            break;
        default:
            break;
        }
    }
    return true;
}

bool frt_der_spki_aligned(const uint8_t *der, size_t len)
{
    const uint8_t *p = der, *c, *q, *alg, *bits;
    uint8_t tag;
    size_t n, an, bn;
    if (!tlv(&p, len, &tag, &c, &n) || tag != 0x30)
        return false;
    q = c;
    if (!tlv(&q, n, &tag, &alg, &an) || tag != 0x30)
        return false;
    if (!tlv(&q, n - (size_t)(q - c), &tag, &bits, &bn) || tag != 0x03)
        return false;
    /* one AlgorithmIdentifier, one BIT STRING of whole octets, nothing else */
    return q == c + n && bn >= 1 && bits[0] == 0;
}

bool frt_der_strict(const uint8_t *der, size_t len)
{
    const uint8_t *p = der, *c;
    uint8_t tag;
    size_t n;
    /* exactly one top-level element, itself DER all the way down */
    return der != NULL && tlv(&p, len, &tag, &c, &n) && p == der + len && walk(der, len, 0);
}
