#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Independent implementations for tests/test_kdf.c and tests/test_passwd.c (test-only).

Reads one command per line on stdin and prints one result line per command. Run it with
OPENSSL_CONF unset so Python's OpenSSL uses its default provider, not libfipsrt's.
Hex fields use '-' for empty.

  hkdf HASH IKM SALT INFO LEN        -> OKM hex (pyca/cryptography HKDF)
  pbkdf2 HASH PW SALT ITER LEN       -> DK hex (hashlib.pbkdf2_hmac)
  mc-verify PW HASHSTR               -> ok | fail   (passlib's pbkdf2_sha512 algorithm, below)
  mc-hash PW ROUNDS [SALTLEN [DIGEST]] -> $pbkdf2-<digest>$... made by the same algorithm
  passlib-verify PW HASHSTR          -> ok | fail | unavailable  (the real passlib)
  passlib-hash PW ROUNDS             -> hash | unavailable
  crypt METHOD PW [ROUNDS]           -> Python's crypt module: METHOD sha512 | sha256
"""
import base64
import hashlib
import hmac
import os
import sys
import warnings

warnings.simplefilter("ignore", DeprecationWarning)  # the crypt module (Python 3.11)


def unhex(s):
    return b"" if s == "-" else bytes.fromhex(s)


# passlib's format, reimplemented: "adapted base64" is standard base64 with '.' for '+'
# and no padding; the string is $pbkdf2-<digest>$<rounds>$<ab64 salt>$<ab64 checksum>.
def ab64_encode(data):
    return base64.b64encode(data, b"./").rstrip(b"=").decode("ascii")


def ab64_decode(text):
    raw = text.encode("ascii")
    return base64.b64decode(raw + b"=" * (-len(raw) % 4), b"./", validate=True)


def mc_hash(password, rounds, salt_len=16, digest="sha512"):
    salt = os.urandom(salt_len)
    dk = hashlib.pbkdf2_hmac(digest, password, salt, rounds)
    return "$pbkdf2-%s$%d$%s$%s" % (digest, rounds, ab64_encode(salt), ab64_encode(dk))


def mc_verify(password, hashstr):
    _, ident, rounds, salt, checksum = hashstr.split("$")
    digest = {"pbkdf2-sha512": "sha512", "pbkdf2-sha256": "sha256"}[ident]
    dk = hashlib.pbkdf2_hmac(digest, password, ab64_decode(salt), int(rounds))
    return hmac.compare_digest(dk, ab64_decode(checksum))


def passlib_handler():
    try:
        from passlib.hash import pbkdf2_sha512
        return pbkdf2_sha512
    except ImportError:
        return None


def run(cmd, args):
    if cmd == "hkdf":
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF
        algs = {"sha224": hashes.SHA224, "sha256": hashes.SHA256, "sha384": hashes.SHA384,
                "sha512": hashes.SHA512, "sha512-224": hashes.SHA512_224,
                "sha512-256": hashes.SHA512_256, "sha3-224": hashes.SHA3_224,
                "sha3-256": hashes.SHA3_256, "sha3-384": hashes.SHA3_384,
                "sha3-512": hashes.SHA3_512, "sha1": hashes.SHA1}
        h, ikm, salt, info, length = args
        kdf = HKDF(algorithm=algs[h](), length=int(length), salt=unhex(salt), info=unhex(info))
        return kdf.derive(unhex(ikm)).hex()
    if cmd == "pbkdf2":
        h, pw, salt, it, length = args
        name = h.replace("sha3-", "sha3_").replace("sha512-", "sha512_")
        return hashlib.pbkdf2_hmac(name, unhex(pw), unhex(salt), int(it), int(length)).hex()
    if cmd == "mc-verify":
        return "ok" if mc_verify(unhex(args[0]), args[1]) else "fail"
    if cmd == "mc-hash":
        extra = [int(args[2])] if len(args) > 2 else []
        extra += args[3:4]
        return mc_hash(unhex(args[0]), int(args[1]), *extra)
    if cmd == "passlib-verify":
        p = passlib_handler()
        return "unavailable" if p is None else "ok" if p.verify(unhex(args[0]), args[1]) else "fail"
    if cmd == "passlib-hash":
        p = passlib_handler()
        return "unavailable" if p is None else p.using(rounds=int(args[1])).hash(unhex(args[0]))
    if cmd == "crypt":
        import crypt
        method = {"sha512": crypt.METHOD_SHA512, "sha256": crypt.METHOD_SHA256}[args[0]]
        rounds = int(args[2]) if len(args) > 2 else None
        return crypt.crypt(unhex(args[1]).decode(), crypt.mksalt(method, rounds=rounds))
    raise ValueError("unknown command " + cmd)


def main():
    for line in sys.stdin:
        fields = line.split()
        if not fields:
            continue
        try:
            print(run(fields[0], fields[1:]))
        except Exception as e:  # one bad line must not hide the others' results
            print("error: %s: %s" % (type(e).__name__, e))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
