# SPDX-License-Identifier: Apache-2.0
"""Loading libfipsrt.so.1 with ctypes, declaring prototypes, and turning return codes into
exceptions. Loading the library runs its constructor: FIPS mode is on (or the process has
aborted with a panic) once this module is imported."""
import ctypes
import ctypes.util
import operator
import os

from . import errors

SONAME = "libfipsrt.so.1"


def _load():
    """$FIPSRT_LIBRARY (a path) if set, else the system's libfipsrt.so.1 (ld.so search:
    LD_LIBRARY_PATH, ldconfig cache), else whatever ctypes.util.find_library finds."""
    path = os.environ.get("FIPSRT_LIBRARY")
    if path:
        return ctypes.CDLL(path)
    try:
        return ctypes.CDLL(SONAME)
    except OSError as first:
        found = ctypes.util.find_library("fipsrt")
        if found is None:
            raise ImportError("libfipsrt not found: install it, or set FIPSRT_LIBRARY to the "
                              "path of libfipsrt.so.1 (%s)" % first) from None
        return ctypes.CDLL(found)


lib = _load()
path = getattr(lib, "_name", SONAME)

c_size_p = ctypes.POINTER(ctypes.c_size_t)
u8p = ctypes.POINTER(ctypes.c_uint8)


def fn(name, restype, *argtypes):
    """The library function `name` with its prototype, or a stand-in raising Unsupported
    when this libfipsrt is older than the binding."""
    try:
        f = getattr(lib, name)
    except AttributeError:
        def missing(*_args):
            raise errors.Unsupported(errors.E_UNSUPPORTED,
                                     "%s is not in this libfipsrt (%s)" % (name, path))
        return missing
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


strerror = fn("fipsrt_strerror", ctypes.c_char_p, ctypes.c_int)
last_error = fn("fipsrt_last_error", ctypes.c_char_p)
version = fn("fipsrt_version", ctypes.c_char_p)


def check(rv):
    """Raise the errors.Error subclass for a negative return code, with its detail text."""
    if rv < 0:
        detail = last_error()
        raise errors.from_code(rv, strerror(rv).decode(),
                               detail.decode(errors="replace") if detail else "")
    return rv


def inbuf(data):
    """(pointer-compatible object, length) for any bytes-like input, without copying when
    the buffer is writable or bytes."""
    if data is None:
        return None, 0
    if isinstance(data, bytes):
        return data, len(data)
    if isinstance(data, str):
        raise TypeError("Strings must be encoded before hashing")
    mv = memoryview(data).cast("B")
    if mv.readonly:
        b = mv.tobytes()
        return b, len(b)
    return (ctypes.c_char * mv.nbytes).from_buffer(mv), mv.nbytes


def take(obj, attr):
    """Remove and return obj.<attr> (a handle), leaving None. dict.pop is one step under the
    GIL, so of two close() calls racing (threads, or __del__ while ctypes has dropped the
    GIL inside a free) only one gets the handle: it is freed once."""
    h = obj.__dict__.pop(attr, None)
    obj.__dict__[attr] = None
    return h


def outbuf(n):
    """A buffer of n bytes for the library to fill. n then goes to the library as a size_t,
    which ctypes fills modulo 2**64 without a word (-1 -> SIZE_MAX, 32 - 2**64 -> 32), so
    anything but 0 <= n < 2**64 is refused here, before it can outgrow the buffer."""
    n = operator.index(n)
    if not 0 <= n < 2 ** 64:
        raise ValueError("length must be between 0 and 2**64 - 1, not %d" % n)
    return ctypes.create_string_buffer(n) if n > 0 else ctypes.create_string_buffer(1)


class _RuntimeInfo(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t)] + [
        (n, ctypes.c_char_p) for n in ("library_version", "openssl_built", "openssl_running",
                                       "provider_name", "provider_version",
                                       "provider_buildinfo")] + [
        ("provider_active", ctypes.c_int), ("fips_properties", ctypes.c_int),
        ("config_file", ctypes.c_char_p), ("modules_dir", ctypes.c_char_p)]


_get_info = fn("fipsrt_runtime_get_info", ctypes.c_int, ctypes.POINTER(_RuntimeInfo))


def runtime_info():
    info = _RuntimeInfo(size=ctypes.sizeof(_RuntimeInfo))
    check(_get_info(ctypes.byref(info)))
    out = {}
    for name, _ in _RuntimeInfo._fields_[1:]:
        v = getattr(info, name)
        out[name] = v.decode() if isinstance(v, bytes) else bool(v) if name in (
            "provider_active", "fips_properties") else v
    return out
