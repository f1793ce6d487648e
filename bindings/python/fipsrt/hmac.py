# SPDX-License-Identifier: Apache-2.0
"""hmac-like HMAC (FIPS 198-1) in the FIPS provider: new(), digest(), compare_digest(), and
prepared keys: Key(key, "sha256").digest(msg) / .verify(msg, tag), keyed once and shareable
by threads, the fastest way to MAC many short messages under one key. Keys under 112 bits
are refused (NotApproved), MD5 with MD5SecurityError."""
import hmac as _py_hmac

from ._fipsrt import HMAC, HMACKey as Key, hmac_new as new, hmac_digest as digest  # noqa: F401

#: Constant-time comparison of two bytes-like objects or ASCII strings (Python's own).
compare_digest = _py_hmac.compare_digest

__all__ = ["HMAC", "Key", "new", "digest", "compare_digest"]
