# SPDX-License-Identifier: Apache-2.0
"""EC (P-256/384/521) and RSA keys in the FIPS provider: generate, import, export; ECDSA and
RSA (PSS, PKCS#1 v1.5) signatures, RSA-OAEP encryption and ECDH are methods of Key.
Hash names are hashlib's ('sha256', 'sha3_384', ...). Keys cannot be pickled."""
from ._fipsrt import Key  # noqa: F401

CURVES = {"P-256": 1, "P-384": 2, "P-521": 3}

generate_ec = Key.generate_ec
generate_rsa = Key.generate_rsa
import_private = Key.import_private
import_public = Key.import_public

__all__ = ["Key", "CURVES", "generate_ec", "generate_rsa", "import_private", "import_public"]
