# SPDX-License-Identifier: Apache-2.0
"""AES-GCM (SP 800-38D) in the FIPS provider.

AESGCM: encryption nonces are generated inside the FIPS module and returned, so the caller
never supplies one and cannot repeat one. A key allows 2^32 encryptions (then LimitReached).
A failed open raises VerificationError and releases no plaintext.

AESGCMCounter: counter nonces for protocols (TLS 1.3 'xor', TLS 1.2 'prefix'); seal()
refuses a counter not above the last one (NonceReuse)."""
from ._fipsrt import AESGCM, AESGCMCounter  # noqa: F401

NONCE_SIZE = 12
TAG_SIZE = 16

__all__ = ["AESGCM", "AESGCMCounter", "NONCE_SIZE", "TAG_SIZE"]
