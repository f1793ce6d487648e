# SPDX-License-Identifier: Apache-2.0
"""Approval evidence and the opt-in restriction of Python's own hashlib and hmac.

approved(): a context manager reporting whether the services this thread ran inside it were
approved, from libfipsrt's approved-service indicator (fipsrt_service_indicator()) and the
binding's own count of non-approved services (InsecureMD5, legacy `$5$`/`$6$` password
verification).

restrict_hashlib(): what `import fipsrt` does NOT do by itself is stop Python's built-in
hash implementations. OpenSSL-backed hashlib/hmac calls run in whatever provider OpenSSL's
default context has, but hashlib falls back to CPython's own code for MD5, SHA-1, SHA-2,
SHA-3 and BLAKE2 whenever OpenSSL refuses, so hashlib.md5(), hashlib.blake2b() and
hmac.new(key, msg, 'md5') keep working. restrict_hashlib() replaces hashlib.new, the
hashlib constructors, hashlib.pbkdf2_hmac/file_digest and hmac.new/digest/HMAC with wrappers
that raise fipsrt.NotApproved (fipsrt.MD5SecurityError for MD5) for any algorithm outside
fipsrt.algorithms_available unless usedforsecurity=False is given (hashlib's own flag for
non-security uses). It cannot reach code that captured a constructor before the call
(`from hashlib import md5` earlier), nor the private modules _md5, _sha1, _blake2, _sha3.
"""
import threading

from . import _fipsrt, errors

APPROVED = frozenset(("sha1", "sha224", "sha256", "sha384", "sha512", "sha512_224",
                      "sha512_256", "sha3_224", "sha3_256", "sha3_384", "sha3_512",
                      "shake_128", "shake_256"))


class approved:
    """with fipsrt.approved() as a: ...  then a.approved is True when at least one service
    ran in this thread inside the block and every one of them was approved (a.services:
    approved services counted, a.non_approved: non-approved services the binding ran).
    Only libfipsrt's own services count: Python's hashlib/hmac are not seen."""

    def __enter__(self):
        self.services = self.non_approved = 0
        self.approved = False
        self._before = (_fipsrt.service_indicator(), _fipsrt.non_approved_count())
        return self

    def __exit__(self, *exc):
        self.services = _fipsrt.service_indicator() - self._before[0]
        self.non_approved = _fipsrt.non_approved_count() - self._before[1]
        self.approved = exc[0] is None and self.services > 0 and self.non_approved == 0
        return False


_lock = threading.Lock()
_restricted = False


def _name_of(digestmod):
    """hashlib's name for a digestmod (name, constructor or module), or None if unknown."""
    if isinstance(digestmod, str):
        n = digestmod
    else:
        n = getattr(digestmod, "__name__", "") or getattr(digestmod, "name", "")
        n = n.rsplit(".", 1)[-1].replace("openssl_", "")
    try:
        return _fipsrt.canonical(n)
    except ValueError:
        return n.lower() if isinstance(n, str) else None


def _refuse(name):
    if name == "md5":
        code, cls = errors.E_MD5_SECURE, "MD5"
    else:
        code, cls = errors.E_NOT_APPROVED, name
    return errors.from_code(code, "not approved" if code == errors.E_NOT_APPROVED else
                            "MD5 for security use",
                            "%s is not a FIPS-approved algorithm: hashlib/hmac were restricted "
                            "by fipsrt.restrict_hashlib() (pass usedforsecurity=False for a "
                            "non-security use of hashlib)" % cls)


def _check(name, usedforsecurity=True):
    n = _name_of(name)
    if usedforsecurity and n not in APPROVED:
        raise _refuse(n)


def restrict_hashlib():
    """Make this process's hashlib and hmac refuse non-approved algorithms for security use
    (see the module documentation for exactly what is covered). Idempotent; no undo."""
    global _restricted
    import hashlib
    import hmac
    with _lock:
        if _restricted:
            return
        orig_new = hashlib.new

        def new(name, data=b"", **kw):
            _check(name, kw.get("usedforsecurity", True))
            return orig_new(name, data, **kw)
        new.__doc__ = orig_new.__doc__
        hashlib.new = new

        def wrap_ctor(n, f):
            def ctor(*args, **kw):
                _check(n, kw.get("usedforsecurity", True))
                return f(*args, **kw)
            ctor.__name__ = ctor.__qualname__ = n
            ctor.__doc__ = f.__doc__
            return ctor
        for n in ("md5", "sha1", "sha224", "sha256", "sha384", "sha512", "blake2b",
                  "blake2s", "sha3_224", "sha3_256", "sha3_384", "sha3_512", "shake_128",
                  "shake_256"):
            f = getattr(hashlib, n, None)
            if f is not None and n not in APPROVED:
                setattr(hashlib, n, wrap_ctor(n, f))

        orig_pbkdf2 = hashlib.pbkdf2_hmac

        def pbkdf2_hmac(hash_name, *args, **kw):
            _check(hash_name)
            return orig_pbkdf2(hash_name, *args, **kw)
        hashlib.pbkdf2_hmac = pbkdf2_hmac
        if hasattr(hashlib, "file_digest"):
            orig_file_digest = hashlib.file_digest

            def file_digest(fileobj, digest, /, **kw):
                _check(digest)
                return orig_file_digest(fileobj, digest, **kw)
            hashlib.file_digest = file_digest

        orig_hmac_new, orig_hmac_digest, orig_HMAC = hmac.new, hmac.digest, hmac.HMAC

        class HMAC(orig_HMAC):
            __doc__ = orig_HMAC.__doc__

            def __init__(self, key, msg=None, digestmod=""):
                if digestmod:
                    _check(digestmod)
                super().__init__(key, msg, digestmod)

        def hmac_new(key, msg=None, digestmod=""):
            return HMAC(key, msg, digestmod)

        def hmac_digest(key, msg, digest):
            _check(digest)
            return orig_hmac_digest(key, msg, digest)
        hmac.HMAC, hmac.new, hmac.digest = HMAC, hmac_new, hmac_digest
        hashlib._fipsrt_restricted = hmac._fipsrt_restricted = True
        _restricted = True
