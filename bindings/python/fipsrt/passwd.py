# SPDX-License-Identifier: Apache-2.0
"""Password hashes: new ones are `$pbkdf2-sha512$...` (passlib-compatible, PBKDF2 in the
FIPS provider); legacy `$5$`/`$6$` verify for migration; `$1$` md5crypt raises
MD5SecurityError; other schemes raise NotApproved."""
from ._fipsrt import (passwd_hash as hash, passwd_verify_and_update as verify_and_update,  # noqa
                      passwd_default_rounds as default_rounds)

HASH_MAX = 136  # FIPSRT_PASSWD_HASH_MAX


def verify(stored, password):
    """True if `password` matches `stored`; raises for malformed or refused hash strings."""
    return verify_and_update(stored, password)[0]


__all__ = ["hash", "verify", "verify_and_update", "default_rounds", "HASH_MAX"]
