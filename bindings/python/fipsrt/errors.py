# SPDX-License-Identifier: Apache-2.0
"""The fipsrt.Error hierarchy: one class per FIPSRT_E_* code (include/fipsrt/error.h), each
carrying the numeric code, the library's fixed text and the per-call detail text."""

E_INVALID_ARG = -1
E_BUFFER_TOO_SMALL = -2
E_NOMEM = -3
E_NOT_APPROVED = -4
E_MD5_SECURE = -5
E_VERIFY_FAILED = -6
E_PROVIDER = -7
E_INTERNAL = -8
E_MALFORMED = -9
E_KEY_TYPE = -10
E_LIMIT = -11
E_NONCE_REUSE = -12
E_STATE = -13
E_UNSUPPORTED = -14
E_WANT_READ = -15
E_WANT_WRITE = -16
E_TLS = -17
E_TLS_VERIFY = -18
E_CLOSED = -19
E_IO = -20


class Error(Exception):
    """A libfipsrt call failed. `code` is the FIPSRT_E_* value (negative), `message` the
    library's fixed text for it, `detail` what fipsrt_last_error() said about this call."""

    def __init__(self, code, message="", detail=""):
        super().__init__(code, message, detail)
        self.code = code
        self.message = message or type(self).__name__
        self.detail = detail

    @property
    def name(self):
        return _NAMES.get(self.code, "FIPSRT_E_%d" % -self.code)

    def __str__(self):
        s = "%s (%s)" % (self.message, self.name)
        return s + (": " + self.detail if self.detail else "")


class InvalidArgument(Error, ValueError):
    """FIPSRT_E_INVALID_ARG"""


class BufferTooSmall(Error):
    """FIPSRT_E_BUFFER_TOO_SMALL (the binding sizes buffers itself; seeing it is a bug)"""


class OutOfMemory(Error, MemoryError):
    """FIPSRT_E_NOMEM"""


class NotApproved(Error, ValueError):
    """FIPSRT_E_NOT_APPROVED: refused by the FIPS policy (algorithm, size, parameter)"""


class MD5SecurityError(NotApproved):
    """FIPSRT_E_MD5_SECURE: MD5 asked for in a security context; for a non-security
    checksum use fipsrt.md5(data, usedforsecurity=False)"""


class VerificationError(Error):
    """FIPSRT_E_VERIFY_FAILED: a MAC, tag, signature or password did not verify"""


class ProviderError(Error):
    """FIPSRT_E_PROVIDER: the FIPS provider refused or failed the operation"""


class InternalError(Error):
    """FIPSRT_E_INTERNAL"""


class MalformedInput(Error, ValueError):
    """FIPSRT_E_MALFORMED: a malformed encoding (DER, PEM, hash string, ...)"""


class KeyTypeError(Error, TypeError):
    """FIPSRT_E_KEY_TYPE: the key's type does not fit the operation"""


class LimitReached(Error):
    """FIPSRT_E_LIMIT: a usage limit is reached (e.g. 2^32 AES-GCM encryptions per key)"""


class NonceReuse(Error):
    """FIPSRT_E_NONCE_REUSE"""


class StateError(Error):
    """FIPSRT_E_STATE: an object used in the wrong state (e.g. updated after final)"""


class Unsupported(Error):
    """FIPSRT_E_UNSUPPORTED"""


class WantRead(Error):
    """FIPSRT_E_WANT_READ"""


class WantWrite(Error):
    """FIPSRT_E_WANT_WRITE"""


class TLSError(Error):
    """FIPSRT_E_TLS"""


class TLSVerifyError(TLSError):
    """FIPSRT_E_TLS_VERIFY"""


class ConnectionClosed(Error):
    """FIPSRT_E_CLOSED"""


class IOFailure(Error, OSError):
    """FIPSRT_E_IO"""


_CLASSES = {
    E_INVALID_ARG: InvalidArgument, E_BUFFER_TOO_SMALL: BufferTooSmall, E_NOMEM: OutOfMemory,
    E_NOT_APPROVED: NotApproved, E_MD5_SECURE: MD5SecurityError,
    E_VERIFY_FAILED: VerificationError, E_PROVIDER: ProviderError, E_INTERNAL: InternalError,
    E_MALFORMED: MalformedInput, E_KEY_TYPE: KeyTypeError, E_LIMIT: LimitReached,
    E_NONCE_REUSE: NonceReuse, E_STATE: StateError, E_UNSUPPORTED: Unsupported,
    E_WANT_READ: WantRead, E_WANT_WRITE: WantWrite, E_TLS: TLSError,
    E_TLS_VERIFY: TLSVerifyError, E_CLOSED: ConnectionClosed, E_IO: IOFailure,
}
_NAMES = {v: "FIPSRT_E_" + k[2:] for k, v in globals().items() if k.startswith("E_")}


def from_code(code, message="", detail=""):
    """The exception for a FIPSRT_E_* code (Error itself for codes this binding predates)."""
    return _CLASSES.get(code, Error)(code, message, detail)
