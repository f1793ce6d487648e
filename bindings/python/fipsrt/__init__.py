# SPDX-License-Identifier: Apache-2.0
"""fipsrt: Python binding of libfipsrt, the forced-FIPS runtime over OpenSSL 3's FIPS provider.

Importing this package loads libfipsrt.so.1 (from $FIPSRT_LIBRARY, else the system), whose
constructor puts the process in FIPS mode, or aborts it with a panic if the FIPS provider is
missing or fails its self-tests. Pure ctypes: nothing to compile at install time.

    >>> import fipsrt
    >>> fipsrt.sha256(b"abc").hexdigest()[:16]
    'ba7816bf8f01cfea'
    >>> fipsrt.md5(b"abc")                          # raises fipsrt.MD5SecurityError
    >>> fipsrt.md5(b"abc", usedforsecurity=False)   # a checksum, outside the FIPS boundary

Modules: fipsrt.hmac (hmac-like), fipsrt.aead (AES-GCM), fipsrt.kdf (HKDF, PBKDF2),
fipsrt.passwd (password hashes), fipsrt.keys (EC/RSA keys, ECDSA and RSA signatures).
Errors are fipsrt.Error subclasses carrying .code, .message and .detail.
"""
import ctypes as _ctypes

from . import _lib
from ._hash import ALGS as _ALGS, Hash, InsecureMD5, new, _constructor
from . import errors
from .errors import (Error, InvalidArgument, BufferTooSmall, OutOfMemory, NotApproved,
                     MD5SecurityError, VerificationError, ProviderError, InternalError,
                     MalformedInput, KeyTypeError, LimitReached, NonceReuse, StateError,
                     Unsupported, WantRead, WantWrite, TLSError, TLSVerifyError,
                     ConnectionClosed, IOFailure)

__version__ = _lib.version().decode()
library_path = _lib.path

sha1 = _constructor("sha1")
sha224 = _constructor("sha224")
sha256 = _constructor("sha256")
sha384 = _constructor("sha384")
sha512 = _constructor("sha512")
sha512_224 = _constructor("sha512_224")
sha512_256 = _constructor("sha512_256")
sha3_224 = _constructor("sha3_224")
sha3_256 = _constructor("sha3_256")
sha3_384 = _constructor("sha3_384")
sha3_512 = _constructor("sha3_512")
shake_128 = _constructor("shake_128")
shake_256 = _constructor("shake_256")
md5 = _constructor("md5")

#: Names new() accepts for security use (MD5 only with usedforsecurity=False).
algorithms_available = frozenset(n for n in _ALGS if n != "md5")
algorithms_guaranteed = algorithms_available

_random = _lib.fn("fipsrt_random", _ctypes.c_int, _ctypes.c_void_p, _ctypes.c_size_t)


def random_bytes(n):
    """n random bytes from the FIPS provider's DRBG (SP 800-90A)."""
    if n < 0:
        raise ValueError("negative length")
    buf = _lib.outbuf(n)
    _lib.check(_random(buf, n))
    return buf.raw[:n]


token_bytes = random_bytes

from . import hmac, aead, kdf, passwd, keys  # noqa: E402,F401
from .kdf import pbkdf2_hmac, hkdf  # noqa: E402,F401
from .passwd import hash as passwd_hash, verify as passwd_verify  # noqa: E402,F401


__all__ = [
    "new", "sha1", "sha224", "sha256", "sha384", "sha512", "sha512_224", "sha512_256",
    "sha3_224", "sha3_256", "sha3_384", "sha3_512", "shake_128", "shake_256", "md5",
    "Hash", "InsecureMD5", "algorithms_available", "algorithms_guaranteed", "random_bytes",
    "token_bytes", "pbkdf2_hmac", "hkdf", "passwd_hash", "passwd_verify", "runtime_info",
    "hmac", "aead", "kdf", "passwd", "keys", "errors", "library_path",
    "Error", "InvalidArgument", "BufferTooSmall", "OutOfMemory", "NotApproved",
    "MD5SecurityError", "VerificationError", "ProviderError", "InternalError",
    "MalformedInput", "KeyTypeError", "LimitReached", "NonceReuse", "StateError",
    "Unsupported", "WantRead", "WantWrite", "TLSError", "TLSVerifyError", "ConnectionClosed",
    "IOFailure",
]


def runtime_info():
    """The runtime facts `fipsrt status` shows, as a dict."""
    return _lib.runtime_info()
