# SPDX-License-Identifier: Apache-2.0
"""fipsrt: Python binding of libfipsrt, the forced-FIPS runtime over OpenSSL 3's FIPS provider.

Importing this package loads the compiled extension fipsrt._fipsrt, which links
libfipsrt.so.1; the library's constructor puts the process in FIPS mode, or aborts it with a
panic if the FIPS provider is missing or fails its self-tests.

    >>> import fipsrt
    >>> fipsrt.sha256(b"abc").hexdigest()[:16]
    'ba7816bf8f01cfea'
    >>> fipsrt.md5(b"abc")                          # raises fipsrt.MD5SecurityError
    >>> fipsrt.md5(b"abc", usedforsecurity=False)   # a checksum, outside the FIPS boundary

Modules: fipsrt.hmac (hmac-like, and prepared keys), fipsrt.aead (AES-GCM), fipsrt.kdf
(HKDF, PBKDF2), fipsrt.passwd (password hashes), fipsrt.keys (EC/RSA keys, ECDSA and RSA
signatures, ECDH). Errors are fipsrt.Error subclasses carrying .code, .message and .detail.
fipsrt.approved() tells whether the services inside a `with` block were approved;
fipsrt.restrict_hashlib() makes Python's own hashlib/hmac refuse non-approved algorithms.
"""
import pkgutil as _pkgutil

# In a build tree the extension is built apart from these sources (build/bindings/python/
# fipsrt/): a PYTHONPATH naming both directories joins them into one package.
__path__ = _pkgutil.extend_path(__path__, __name__)

from . import errors  # noqa: E402  (the extension raises these classes)

try:
    from . import _fipsrt  # noqa: E402
except ImportError as _e:
    if "libfipsrt.so" not in str(_e):
        raise
    raise ImportError(
        "fipsrt needs the shared library libfipsrt.so.1, which the dynamic linker did not "
        "find (%s). Install libfipsrt (`meson setup build && ninja -C build && "
        "meson install -C build` from its source tree, or your distribution's libfipsrt1 "
        "package), or put the directory holding libfipsrt.so.1 on LD_LIBRARY_PATH." % _e,
        name="fipsrt._fipsrt") from None

from ._fipsrt import (  # noqa: E402,F401
    Hash, InsecureMD5, new, sha1, sha224, sha256, sha384, sha512, sha512_224, sha512_256,
    sha3_224, sha3_256, sha3_384, sha3_512, shake_128, shake_256, md5, random_bytes,
    service_indicator, runtime_info)
from .errors import (  # noqa: E402,F401
    Error, InvalidArgument, BufferTooSmall, OutOfMemory, NotApproved, MD5SecurityError,
    VerificationError, ProviderError, InternalError, MalformedInput, KeyTypeError,
    LimitReached, NonceReuse, StateError, Unsupported, WantRead, WantWrite, TLSError,
    TLSVerifyError, ConnectionClosed, IOFailure)

__version__ = _fipsrt.version()
#: The libfipsrt.so.1 file the extension was linked against at run time.
library_path = _fipsrt.library_path()

#: Names new() accepts for security use (MD5 only with usedforsecurity=False).
algorithms_available = frozenset(("sha1", "sha224", "sha256", "sha384", "sha512",
                                  "sha512_224", "sha512_256", "sha3_224", "sha3_256",
                                  "sha3_384", "sha3_512", "shake_128", "shake_256"))
algorithms_guaranteed = algorithms_available

token_bytes = random_bytes

from . import hmac, aead, kdf, passwd, keys  # noqa: E402,F401
from .kdf import pbkdf2_hmac, hkdf  # noqa: E402,F401
from .passwd import hash as passwd_hash, verify as passwd_verify  # noqa: E402,F401
from .policy import approved, restrict_hashlib  # noqa: E402,F401

__all__ = [
    "new", "sha1", "sha224", "sha256", "sha384", "sha512", "sha512_224", "sha512_256",
    "sha3_224", "sha3_256", "sha3_384", "sha3_512", "shake_128", "shake_256", "md5",
    "Hash", "InsecureMD5", "algorithms_available", "algorithms_guaranteed", "random_bytes",
    "token_bytes", "pbkdf2_hmac", "hkdf", "passwd_hash", "passwd_verify", "runtime_info",
    "service_indicator", "approved", "restrict_hashlib",
    "hmac", "aead", "kdf", "passwd", "keys", "errors", "library_path",
    "Error", "InvalidArgument", "BufferTooSmall", "OutOfMemory", "NotApproved",
    "MD5SecurityError", "VerificationError", "ProviderError", "InternalError",
    "MalformedInput", "KeyTypeError", "LimitReached", "NonceReuse", "StateError",
    "Unsupported", "WantRead", "WantWrite", "TLSError", "TLSVerifyError", "ConnectionClosed",
    "IOFailure",
]
