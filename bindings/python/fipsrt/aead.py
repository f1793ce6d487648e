# SPDX-License-Identifier: Apache-2.0
"""AES-GCM (SP 800-38D) in the FIPS provider. Encryption nonces are generated inside the
FIPS module and returned: the caller never supplies one, so it cannot repeat one. A key
allows 2^32 encryptions (then LimitReached). A failed open raises VerificationError and
releases no plaintext."""
import ctypes

from . import errors
from ._lib import c_size_p, check, fn, inbuf, outbuf, take

NONCE_SIZE = 12
TAG_SIZE = 16
_ALG_BY_LEN = {16: 1, 24: 2, 32: 3}  # enum fipsrt_aead_alg

_key_new = fn("fipsrt_aead_key_new", ctypes.c_int, ctypes.POINTER(ctypes.c_void_p),
              ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t)
_key_free = fn("fipsrt_aead_key_free", None, ctypes.c_void_p)
_invocations = fn("fipsrt_aead_key_invocations", ctypes.c_uint64, ctypes.c_void_p)
_seal = fn("fipsrt_aead_seal", ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t,
           ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t,
           c_size_p)
_open = fn("fipsrt_aead_open", ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p,
           ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t,
           c_size_p)


class AESGCM:
    """An AES-128/192/256-GCM key (by its length: 16, 24 or 32 bytes). Thread-safe."""

    def __init__(self, key):
        key = bytes(key)
        if len(key) not in _ALG_BY_LEN:
            raise errors.InvalidArgument(errors.E_INVALID_ARG, "invalid key size",
                                         "AES-GCM keys are 16, 24 or 32 bytes, not %d" % len(key))
        k = ctypes.c_void_p()
        check(_key_new(ctypes.byref(k), _ALG_BY_LEN[len(key)], key, len(key)))
        self._key = k

    @staticmethod
    def generate_key(bit_length=256):
        """A fresh key from the FIPS DRBG."""
        from . import random_bytes
        if bit_length not in (128, 192, 256):
            raise ValueError("bit_length must be 128, 192 or 256")
        return random_bytes(bit_length // 8)

    @property
    def invocations(self):
        """Encryptions done with this key (at most 2^32)."""
        return _invocations(self._key)

    def seal(self, data, associated_data=b""):
        """Encrypt: returns (nonce, ciphertext || 16-byte tag); the nonce was chosen by the
        FIPS module. Send both; open() needs the nonce."""
        p, n = inbuf(data)
        a, alen = inbuf(associated_data or b"")
        nonce = outbuf(NONCE_SIZE)
        out = outbuf(n + TAG_SIZE)
        outlen = ctypes.c_size_t()
        check(_seal(self._key, a if alen else None, alen, p if n else None, n, nonce, out,
                    n + TAG_SIZE, ctypes.byref(outlen)))
        return nonce.raw[:NONCE_SIZE], out.raw[:outlen.value]

    def open(self, nonce, data, associated_data=b""):
        """Decrypt and verify ciphertext || tag; raises VerificationError if it was tampered
        with (or the nonce, key or associated data differ)."""
        nonce = bytes(nonce)
        if len(nonce) != NONCE_SIZE:
            raise errors.InvalidArgument(errors.E_INVALID_ARG, "invalid nonce size",
                                         "AES-GCM nonces are %d bytes" % NONCE_SIZE)
        c, n = inbuf(data)
        a, alen = inbuf(associated_data or b"")
        out = outbuf(max(n - TAG_SIZE, 0))
        outlen = ctypes.c_size_t()
        check(_open(self._key, nonce, a if alen else None, alen, c, n, out,
                    max(n - TAG_SIZE, 0), ctypes.byref(outlen)))
        return out.raw[:outlen.value]

    def close(self):
        h = take(self, "_key")
        if h:
            _key_free(h)

    def __del__(self):
        self.close()
