# SPDX-License-Identifier: Apache-2.0
"""hmac-like HMAC (FIPS 198-1) in the FIPS provider: new(), digest(), compare_digest().
Keys under 112 bits are refused (NotApproved), MD5 with MD5SecurityError."""
import ctypes
import hmac as _py_hmac

from ._hash import ALGS, XOF, canonical
from ._lib import c_size_p, check, fn, inbuf, outbuf, take

_new = fn("fipsrt_hmac_new", ctypes.c_int, ctypes.POINTER(ctypes.c_void_p), ctypes.c_int,
          ctypes.c_void_p, ctypes.c_size_t)
_update = fn("fipsrt_hmac_update", ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p,
             ctypes.c_size_t)
_final = fn("fipsrt_hmac_final", ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p,
            ctypes.c_size_t, c_size_p)
_final_verify = fn("fipsrt_hmac_final_verify", ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p,
                   ctypes.c_size_t)
_clone = fn("fipsrt_hmac_clone", ctypes.c_int, ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p)
_free = fn("fipsrt_hmac_free", None, ctypes.c_void_p)
_oneshot = fn("fipsrt_hmac", ctypes.c_int, ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t,
              ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t, c_size_p)
_size = fn("fipsrt_hash_size", ctypes.c_size_t, ctypes.c_int)
_block_size = fn("fipsrt_hash_block_size", ctypes.c_size_t, ctypes.c_int)

#: Constant-time comparison of two bytes-like objects or ASCII strings (Python's own).
compare_digest = _py_hmac.compare_digest


def _alg(digestmod):
    if digestmod is None or digestmod == "":
        raise TypeError("Missing required parameter 'digestmod'.")
    name = canonical(digestmod)
    if name in XOF:
        raise ValueError("HMAC is not defined over " + name)
    return name, ALGS[name]


class HMAC:
    """Streaming HMAC with the interface of Python's hmac.HMAC."""

    def __init__(self, key, msg=None, digestmod=None, _ctx=None):
        self._hash, self._alg = _alg(digestmod)
        self.name = "hmac-" + self._hash
        self.digest_size = _size(self._alg)
        self.block_size = _block_size(self._alg)
        if _ctx is None:
            kbuf, klen = inbuf(key)
            ctx = ctypes.c_void_p()
            check(_new(ctypes.byref(ctx), self._alg, kbuf, klen))
            _ctx = ctx
        self._ctx = _ctx
        if msg is not None:
            self.update(msg)

    def update(self, msg):
        buf, n = inbuf(msg)
        check(_update(self._ctx, buf, n))

    def copy(self):
        ctx = ctypes.c_void_p()
        check(_clone(ctypes.byref(ctx), self._ctx))
        return HMAC(None, digestmod=self._hash, _ctx=ctx)

    def digest(self):
        c = self.copy()  # hmac semantics: digest() does not end the object
        try:
            out = outbuf(self.digest_size)
            n = ctypes.c_size_t()
            check(_final(c._ctx, out, self.digest_size, ctypes.byref(n)))
            return out.raw[:n.value]
        finally:
            c.close()

    def hexdigest(self):
        return self.digest().hex()

    def verify(self, tag):
        """Compare the MAC with `tag` (full, or truncated to >= 16 bytes) in constant time
        inside the library; raises fipsrt.VerificationError if it does not match."""
        c = self.copy()
        try:
            tag = bytes(tag)
            check(_final_verify(c._ctx, tag, len(tag)))
        finally:
            c.close()

    def close(self):
        h = take(self, "_ctx")
        if h:
            _free(h)

    def __del__(self):
        self.close()


def new(key, msg=None, digestmod=None):
    """hmac.new(): digestmod is a hash name ('sha256') or constructor (fipsrt.sha256)."""
    return HMAC(key, msg, digestmod)


def digest(key, msg, digest):
    """hmac.digest(): one-shot HMAC of msg under key."""
    name, alg = _alg(digest)
    kbuf, klen = inbuf(key)
    mbuf, mlen = inbuf(msg)
    size = _size(alg)
    out = outbuf(size)
    n = ctypes.c_size_t()
    check(_oneshot(alg, kbuf, klen, mbuf, mlen, out, size, ctypes.byref(n)))
    return out.raw[:n.value]
