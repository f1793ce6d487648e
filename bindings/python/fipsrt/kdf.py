# SPDX-License-Identifier: Apache-2.0
"""Key derivation in the FIPS provider: pbkdf2_hmac (as hashlib's; refused: SHA-1, salt under
16 bytes, fewer than 1000 iterations, output under 14 bytes) and hkdf (extract-then-expand)."""
from ._fipsrt import pbkdf2_hmac, hkdf  # noqa: F401

__all__ = ["pbkdf2_hmac", "hkdf"]
