# SPDX-License-Identifier: Apache-2.0
"""Key derivation in the FIPS provider: PBKDF2 (hashlib.pbkdf2_hmac-compatible, with the
SP 800-132 minimums enforced by the library) and HKDF (RFC 5869)."""
import ctypes
import operator

from ._hash import ALGS, canonical
from ._lib import check, fn, inbuf, outbuf

_pbkdf2 = fn("fipsrt_pbkdf2", ctypes.c_int, ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t,
             ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint64, ctypes.c_char_p, ctypes.c_size_t)
_hkdf = fn("fipsrt_hkdf", ctypes.c_int, ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t,
           ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p,
           ctypes.c_size_t)
_size = fn("fipsrt_hash_size", ctypes.c_size_t, ctypes.c_int)


def pbkdf2_hmac(hash_name, password, salt, iterations, dklen=None):
    """As hashlib.pbkdf2_hmac. Refused (fipsrt.NotApproved): SHA-1, salt under 16 bytes,
    fewer than 1000 iterations, output under 14 bytes."""
    alg = ALGS[canonical(hash_name)]
    dklen = _size(alg) if dklen is None else dklen
    iterations = operator.index(iterations)
    if not 0 < iterations < 2 ** 64:  # ctypes would wrap -1 to 2**64 - 1 (a hang)
        raise ValueError("iteration value must be between 1 and 2**64 - 1")
    p, plen = inbuf(password)
    s, slen = inbuf(salt)
    out = outbuf(dklen)
    check(_pbkdf2(alg, p, plen, s, slen, iterations, out, dklen))
    return out.raw[:dklen]


def hkdf(hash_name, ikm, length, salt=b"", info=b""):
    """HKDF extract-then-expand: `length` bytes of output keying material."""
    alg = ALGS[canonical(hash_name)]
    i, ilen = inbuf(ikm)
    s, slen = inbuf(salt)
    f, flen = inbuf(info)
    out = outbuf(length)
    check(_hkdf(alg, i, ilen, s if slen else None, slen, f if flen else None, flen, out, length))
    return out.raw[:length]
