# SPDX-License-Identifier: Apache-2.0
"""Password hashes: new ones are `$pbkdf2-sha512$...` (passlib-compatible, PBKDF2 in the
FIPS provider); legacy `$5$`/`$6$` verify for migration; `$1$` md5crypt raises
MD5SecurityError; other schemes raise NotApproved."""
import ctypes

from . import errors
from ._lib import c_size_p, check, fn, inbuf

_hash = fn("fipsrt_passwd_hash", ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t,
           ctypes.c_uint32, ctypes.c_char_p, ctypes.c_size_t, c_size_p)
_verify = fn("fipsrt_passwd_verify", ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p,
             ctypes.c_size_t, ctypes.POINTER(ctypes.c_int))
_default_rounds = fn("fipsrt_passwd_default_rounds", ctypes.c_uint32)

HASH_MAX = 136  # FIPSRT_PASSWD_HASH_MAX


def _bytes(password):
    return password.encode("utf-8") if isinstance(password, str) else password


def default_rounds():
    return _default_rounds()


def hash(password, rounds=0):
    """A new `$pbkdf2-sha512$<rounds>$<salt>$<checksum>` string (0: the default rounds)."""
    p, n = inbuf(_bytes(password))
    out = ctypes.create_string_buffer(HASH_MAX)
    length = ctypes.c_size_t()
    check(_hash(p, n, rounds, out, HASH_MAX, ctypes.byref(length)))
    return out.value.decode("ascii")


def verify_and_update(stored, password):
    """(ok, needs_rehash): ok False for a wrong password; needs_rehash True when the
    password is right but `stored` should be replaced by hash(password)."""
    p, n = inbuf(_bytes(password))
    rehash = ctypes.c_int()
    stored = stored.encode("ascii") if isinstance(stored, str) else bytes(stored)
    try:
        check(_verify(stored, p, n, ctypes.byref(rehash)))
    except errors.VerificationError:
        return False, False
    return True, bool(rehash.value)


def verify(stored, password):
    """True if `password` matches `stored`; raises for malformed or refused hash strings."""
    return verify_and_update(stored, password)[0]
