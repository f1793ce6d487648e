# SPDX-License-Identifier: Apache-2.0
"""EC (P-256/384/521) and RSA keys in the FIPS provider: generate, import, export.
Signatures (ECDSA, RSA-PSS / PKCS#1 v1.5) are methods of Key."""
import ctypes

from . import errors
from ._lib import c_size_p, check, fn, inbuf

CURVES = {"P-256": 1, "P-384": 2, "P-521": 3}
_CURVE_NAMES = {v: k for k, v in CURVES.items()}
_TYPES = {1: "EC", 2: "RSA"}
_ENC = {"DER": 1, "PEM": 2}

_vpp = ctypes.POINTER(ctypes.c_void_p)
_gen_ec = fn("fipsrt_key_generate_ec", ctypes.c_int, _vpp, ctypes.c_int)
_gen_rsa = fn("fipsrt_key_generate_rsa", ctypes.c_int, _vpp, ctypes.c_uint)
_free = fn("fipsrt_key_free", None, ctypes.c_void_p)
_type = fn("fipsrt_key_get_type", ctypes.c_int, ctypes.c_void_p)
_curve = fn("fipsrt_key_get_curve", ctypes.c_int, ctypes.c_void_p)
_bits = fn("fipsrt_key_get_bits", ctypes.c_uint, ctypes.c_void_p)
_has_private = fn("fipsrt_key_has_private", ctypes.c_int, ctypes.c_void_p)
_is_legacy = fn("fipsrt_key_is_legacy", ctypes.c_int, ctypes.c_void_p)
_import_private = fn("fipsrt_key_import_private", ctypes.c_int, _vpp, ctypes.c_int,
                     ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t)
_import_public = fn("fipsrt_key_import_public", ctypes.c_int, _vpp, ctypes.c_int,
                    ctypes.c_void_p, ctypes.c_size_t)
_import_point = fn("fipsrt_key_import_ec_point", ctypes.c_int, _vpp, ctypes.c_int,
                   ctypes.c_void_p, ctypes.c_size_t)
_export_private = fn("fipsrt_key_export_private", ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
                     ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t,
                     c_size_p)
_export_public = fn("fipsrt_key_export_public", ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
                    ctypes.c_char_p, ctypes.c_size_t, c_size_p)
_export_point = fn("fipsrt_key_export_ec_point", ctypes.c_int, ctypes.c_void_p,
                   ctypes.c_char_p, ctypes.c_size_t, c_size_p)
_public = fn("fipsrt_key_public", ctypes.c_int, _vpp, ctypes.c_void_p)


def _encoding(data, encoding):
    if encoding is None:
        encoding = "PEM" if bytes(data[:11]).lstrip().startswith(b"-----BEGIN") else "DER"
    return _ENC[encoding.upper()]


def sized_output(call):
    """Run call(buf, cap, byref(len)) twice: once to learn the size, once to fill."""
    need = ctypes.c_size_t()
    rv = call(None, 0, ctypes.byref(need))
    if rv != errors.E_BUFFER_TOO_SMALL:
        check(rv)
    buf = ctypes.create_string_buffer(max(need.value, 1))
    n = ctypes.c_size_t()
    check(call(buf, need.value, ctypes.byref(n)))
    return buf.raw[:n.value]


class Key:
    """An EC or RSA key (private, or public only). Immutable and thread-shareable."""

    def __init__(self, _handle):
        self._h = _handle

    # ---- making keys ------------------------------------------------------------------
    @classmethod
    def _make(cls, call, *args):
        h = ctypes.c_void_p()
        check(call(ctypes.byref(h), *args))
        return cls(h)

    @classmethod
    def generate_ec(cls, curve="P-256"):
        return cls._make(_gen_ec, CURVES[curve])

    @classmethod
    def generate_rsa(cls, bits=3072):
        return cls._make(_gen_rsa, bits)

    @classmethod
    def import_private(cls, data, password=None, encoding=None):
        """PKCS#8, PEM or DER (guessed when encoding is None), encrypted if password given."""
        d, n = inbuf(data)
        pw = password.encode() if isinstance(password, str) else password
        return cls._make(_import_private, _encoding(data, encoding), d, n, pw,
                         len(pw) if pw else 0)

    @classmethod
    def import_public(cls, data, encoding=None):
        """X.509 SubjectPublicKeyInfo, PEM or DER."""
        d, n = inbuf(data)
        return cls._make(_import_public, _encoding(data, encoding), d, n)

    @classmethod
    def from_ec_point(cls, curve, point):
        p, n = inbuf(point)
        return cls._make(_import_point, CURVES[curve], p, n)

    def public_key(self):
        return self._make(_public, self._h)

    # ---- facts ---------------------------------------------------------------------------
    @property
    def type(self):
        return _TYPES.get(_type(self._h))

    @property
    def curve(self):
        return _CURVE_NAMES.get(_curve(self._h))

    @property
    def bits(self):
        return _bits(self._h)

    @property
    def has_private(self):
        return bool(_has_private(self._h))

    @property
    def is_legacy(self):
        return bool(_is_legacy(self._h))

    # ---- exporting -----------------------------------------------------------------------
    def export_private(self, encoding="PEM", password=None):
        pw = password.encode() if isinstance(password, str) else password
        return sized_output(lambda b, c, n: _export_private(
            self._h, _ENC[encoding.upper()], pw, len(pw) if pw else 0, b, c, n))

    def export_public(self, encoding="PEM"):
        return sized_output(lambda b, c, n: _export_public(self._h, _ENC[encoding.upper()],
                                                           b, c, n))

    def ec_point(self):
        return sized_output(lambda b, c, n: _export_point(self._h, b, c, n))

    def close(self):
        if getattr(self, "_h", None):
            _free(self._h)
            self._h = None

    def __del__(self):
        self.close()

    def __repr__(self):
        what = self.curve if self.type == "EC" else "%d-bit" % self.bits
        return "<fipsrt.keys.Key %s %s%s>" % (self.type, what,
                                             "" if self.has_private else " public")


generate_ec = Key.generate_ec
generate_rsa = Key.generate_rsa
import_private = Key.import_private
import_public = Key.import_public
