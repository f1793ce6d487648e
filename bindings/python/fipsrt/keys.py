# SPDX-License-Identifier: Apache-2.0
"""EC (P-256/384/521) and RSA keys in the FIPS provider: generate, import, export; ECDSA and
RSA (PSS, PKCS#1 v1.5) signatures, RSA-OAEP encryption and ECDH are methods of Key.
Hash names are hashlib's ('sha256', 'sha3_384', ...)."""
import ctypes

from . import errors
from ._hash import ALGS, canonical
from ._lib import c_size_p, check, fn, inbuf, take

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

_ECDSA_FORMATS = {"der": 1, "p1363": 2}
_ecdsa_max = fn("fipsrt_ecdsa_max_size", ctypes.c_size_t, ctypes.c_int, ctypes.c_int)
_ecdsa_sign = fn("fipsrt_ecdsa_sign", ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int,
                 ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t, c_size_p)
_ecdsa_verify = fn("fipsrt_ecdsa_verify", ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
                   ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p,
                   ctypes.c_size_t)
_RSA_PSS, _RSA_PKCS1, _RSA_OAEP = 1, 2, 3
_rsa_size = fn("fipsrt_rsa_size", ctypes.c_size_t, ctypes.c_void_p)
_rsa_sign = fn("fipsrt_rsa_sign", ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int,
               ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t, c_size_p)
_rsa_verify = fn("fipsrt_rsa_verify", ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int,
                 ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t)
_rsa_encrypt = fn("fipsrt_rsa_encrypt", ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
                  ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
                  ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t, c_size_p)
_rsa_decrypt = fn("fipsrt_rsa_decrypt", ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
                  ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
                  ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t, c_size_p)
_oaep_max = fn("fipsrt_rsa_oaep_max_plaintext", ctypes.c_size_t, ctypes.c_void_p, ctypes.c_int)
_ecdh_size = fn("fipsrt_ecdh_secret_size", ctypes.c_size_t, ctypes.c_int)
_ecdh = fn("fipsrt_ecdh_derive", ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p,
           ctypes.c_char_p, ctypes.c_size_t, c_size_p)
_ecdh_point = fn("fipsrt_ecdh_derive_point", ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p,
                 ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t, c_size_p)


def _hash(name):
    return ALGS[canonical(name)]


def _sig_out(call, cap):
    buf = ctypes.create_string_buffer(max(cap, 1))
    n = ctypes.c_size_t()
    check(call(buf, cap, ctypes.byref(n)))
    return buf.raw[:n.value]


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

    # ---- ECDSA (FIPS 186-4) ------------------------------------------------------------
    def sign_ecdsa(self, data, hash="sha256", format="der"):
        """Sign data (hashed in the provider) with this EC private key. format: 'der'
        (X.509/TLS) or 'p1363' (fixed-width r || s, as JOSE)."""
        fmt = _ECDSA_FORMATS[format]
        d, n = inbuf(data)
        cap = _ecdsa_max(_curve(self._h), fmt)
        return _sig_out(lambda b, c, ln: _ecdsa_sign(self._h, _hash(hash), fmt, d, n, b, c, ln),
                        cap)

    def verify_ecdsa(self, data, signature, hash="sha256", format="der"):
        """Raise VerificationError unless signature is valid for data under this key."""
        d, n = inbuf(data)
        sig = bytes(signature)
        check(_ecdsa_verify(self._h, _hash(hash), _ECDSA_FORMATS[format], d, n, sig, len(sig)))

    # ---- RSA (FIPS 186-4, SP 800-56B) ------------------------------------------------------
    def _rsa_sign(self, padding, data, hash):
        d, n = inbuf(data)
        return _sig_out(lambda b, c, ln: _rsa_sign(self._h, padding, _hash(hash), d, n, b, c, ln),
                        _rsa_size(self._h))

    def _rsa_verify(self, padding, data, signature, hash):
        d, n = inbuf(data)
        sig = bytes(signature)
        check(_rsa_verify(self._h, padding, _hash(hash), d, n, sig, len(sig)))

    def sign_rsa_pss(self, data, hash="sha256"):
        """RSASSA-PSS with MGF1(hash) and a digest-length salt."""
        return self._rsa_sign(_RSA_PSS, data, hash)

    def verify_rsa_pss(self, data, signature, hash="sha256"):
        self._rsa_verify(_RSA_PSS, data, signature, hash)

    def sign_rsa_pkcs1(self, data, hash="sha256"):
        """RSASSA-PKCS1-v1_5."""
        return self._rsa_sign(_RSA_PKCS1, data, hash)

    def verify_rsa_pkcs1(self, data, signature, hash="sha256"):
        self._rsa_verify(_RSA_PKCS1, data, signature, hash)

    def encrypt_oaep(self, data, hash="sha256", label=b""):
        """RSAES-OAEP with MGF1(hash); PKCS#1 v1.5 encryption is not offered (not approved)."""
        m = bytes(data)
        lab = bytes(label)
        return _sig_out(lambda b, c, ln: _rsa_encrypt(self._h, _RSA_OAEP, _hash(hash), lab or None,
                                                      len(lab), m, len(m), b, c, ln),
                        _rsa_size(self._h))

    def decrypt_oaep(self, ciphertext, hash="sha256", label=b""):
        """Raises VerificationError for any ciphertext that does not decrypt."""
        ct = bytes(ciphertext)
        lab = bytes(label)
        return _sig_out(lambda b, c, ln: _rsa_decrypt(self._h, _RSA_OAEP, _hash(hash), lab or None,
                                                      len(lab), ct, len(ct), b, c, ln),
                        _oaep_max(self._h, _hash(hash)))

    # ---- ECDH (SP 800-56A) ------------------------------------------------------------------
    def exchange(self, peer):
        """The ECDH shared secret Z with peer (a Key or an uncompressed point)."""
        size = _ecdh_size(_curve(self._h))
        if isinstance(peer, Key):
            return _sig_out(lambda b, c, ln: _ecdh(self._h, peer._h, b, c, ln), size)
        p = bytes(peer)
        return _sig_out(lambda b, c, ln: _ecdh_point(self._h, p, len(p), b, c, ln), size)

    def close(self):
        h = take(self, "_h")
        if h:
            _free(h)

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
