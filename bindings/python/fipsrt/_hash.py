# SPDX-License-Identifier: Apache-2.0
"""hashlib-like digests over fipsrt_hash_* (FIPS provider) and fipsrt_insecure_md5_*."""
import ctypes

from . import errors
from ._lib import c_size_p, check, fn, inbuf, outbuf, take

# enum fipsrt_hash_alg (include/fipsrt/hash.h); keys are hashlib's names.
ALGS = {
    "sha1": 1, "sha224": 2, "sha256": 3, "sha384": 4, "sha512": 5, "sha512_224": 6,
    "sha512_256": 7, "sha3_224": 8, "sha3_256": 9, "sha3_384": 10, "sha3_512": 11,
    "shake_128": 12, "shake_256": 13, "md5": 100,
}
XOF = {"shake_128", "shake_256"}
_ALIASES = {"sha-1": "sha1", "sha-224": "sha224", "sha-256": "sha256", "sha-384": "sha384",
            "sha-512": "sha512", "sha2-224": "sha224", "sha2-256": "sha256", "sha2-384": "sha384",
            "sha2-512": "sha512", "sha512-224": "sha512_224", "sha512/224": "sha512_224",
            "sha512-256": "sha512_256", "sha512/256": "sha512_256", "sha3-224": "sha3_224",
            "sha3-256": "sha3_256", "sha3-384": "sha3_384", "sha3-512": "sha3_512",
            "shake128": "shake_128", "shake-128": "shake_128", "shake256": "shake_256",
            "shake-256": "shake_256"}

_size = fn("fipsrt_hash_size", ctypes.c_size_t, ctypes.c_int)
_block_size = fn("fipsrt_hash_block_size", ctypes.c_size_t, ctypes.c_int)
_new = fn("fipsrt_hash_new", ctypes.c_int, ctypes.POINTER(ctypes.c_void_p), ctypes.c_int)
_update = fn("fipsrt_hash_update", ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p,
             ctypes.c_size_t)
_final = fn("fipsrt_hash_final", ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p,
            ctypes.c_size_t, c_size_p)
_final_xof = fn("fipsrt_hash_final_xof", ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p,
                ctypes.c_size_t)
_clone = fn("fipsrt_hash_clone", ctypes.c_int, ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p)
_free = fn("fipsrt_hash_free", None, ctypes.c_void_p)

_md5 = fn("fipsrt_insecure_md5_new", ctypes.c_int, ctypes.POINTER(ctypes.c_void_p))
_md5_update = fn("fipsrt_insecure_md5_update", ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p,
                 ctypes.c_size_t)
_md5_final = fn("fipsrt_insecure_md5_final", ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p)
_md5_free = fn("fipsrt_insecure_md5_free", None, ctypes.c_void_p)


def canonical(name):
    """hashlib name for `name` ('SHA256', 'sha-256', 'sha3-256', ...); ValueError if unknown."""
    if not isinstance(name, str):
        # A constructor such as fipsrt.sha256 or hashlib.sha256.
        name = getattr(name, "fipsrt_name", None) or getattr(name, "__name__", "")
        name = name.replace("openssl_", "")
    n = name.lower()
    n = _ALIASES.get(n, n)
    if n not in ALGS:
        raise ValueError("unsupported hash type " + str(name))
    return n


class Hash:
    """A streaming digest in the FIPS provider, with hashlib's interface."""

    def __init__(self, name, data=b"", _ctx=None):
        self.name = canonical(name)
        self._alg = ALGS[self.name]
        if _ctx is None:
            ctx = ctypes.c_void_p()
            check(_new(ctypes.byref(ctx), self._alg))  # MD5 -> MD5SecurityError
            _ctx = ctx
        self._ctx = _ctx
        self.digest_size = _size(self._alg)
        self.block_size = _block_size(self._alg)
        if data:
            self.update(data)

    def update(self, data):
        buf, n = inbuf(data)
        check(_update(self._ctx, buf, n))

    def copy(self):
        ctx = ctypes.c_void_p()
        check(_clone(ctypes.byref(ctx), self._ctx))
        return type(self)(self.name, _ctx=ctx)

    def _finish(self, length=None):
        # hashlib semantics: digest() does not end the object, so finish a copy.
        c = self.copy()
        try:
            if self.name in XOF:
                if length is None:
                    raise TypeError("digest() missing required argument 'length'")
                out = outbuf(length)
                if length == 0:
                    return b""
                check(_final_xof(c._ctx, out, length))
                return out.raw[:length]
            out = outbuf(self.digest_size)
            n = ctypes.c_size_t()
            check(_final(c._ctx, out, self.digest_size, ctypes.byref(n)))
            return out.raw[:n.value]
        finally:
            c.close()

    def digest(self, *length):
        return self._finish(*length)

    def hexdigest(self, *length):
        return self._finish(*length).hex()

    def close(self):
        h = take(self, "_ctx")
        if h:
            _free(h)

    def __del__(self):
        self.close()

    def __repr__(self):
        return "<fipsrt %s Hash object @ %#x>" % (self.name, id(self))


class InsecureMD5:
    """MD5 for NON-SECURITY uses (checksums, legacy identifiers), computed OUTSIDE the FIPS
    boundary (fipsrt/insecure.h). The library offers no way to copy its state, so copy()
    raises and digest() ends the object (further update() raises StateError)."""

    name = "md5"
    digest_size = 16
    block_size = 64

    def __init__(self, data=b""):
        ctx = ctypes.c_void_p()
        check(_md5(ctypes.byref(ctx)))
        self._ctx = ctx
        self._digest = None
        if data:
            self.update(data)

    def update(self, data):
        if self._digest is not None:
            raise errors.StateError(errors.E_STATE, "update after digest",
                                    "md5(usedforsecurity=False) cannot continue after digest()")
        buf, n = inbuf(data)
        check(_md5_update(self._ctx, buf, n))

    def digest(self):
        if self._digest is None:
            out = outbuf(16)
            check(_md5_final(self._ctx, out))
            self._digest = out.raw[:16]
        return self._digest

    def hexdigest(self):
        return self.digest().hex()

    def copy(self):
        raise errors.Unsupported(errors.E_UNSUPPORTED, "copy",
                                 "md5(usedforsecurity=False) objects cannot be copied")

    def close(self):
        h = take(self, "_ctx")
        if h:
            _md5_free(h)

    def __del__(self):
        self.close()


def new(name, data=b"", *, usedforsecurity=True):
    """hashlib.new(): a digest object for `name`. MD5 is refused (MD5SecurityError) unless
    usedforsecurity=False, which gives a non-security MD5 outside the FIPS boundary."""
    n = canonical(name)
    if n == "md5" and not usedforsecurity:
        return InsecureMD5(data)
    return Hash(n, data)


def _constructor(n):
    def make(data=b"", *, usedforsecurity=True):
        return new(n, data, usedforsecurity=usedforsecurity)
    make.__name__ = make.__qualname__ = n
    make.fipsrt_name = n
    make.__doc__ = "Return a new %s object (hashlib-compatible), computed in the FIPS provider." % n
    return make
