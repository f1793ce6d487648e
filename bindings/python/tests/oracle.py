# SPDX-License-Identifier: Apache-2.0
"""Reference implementations for the binding's tests: Python's hashlib/hmac (OpenSSL's
default provider) and the `cryptography` package, run in a SEPARATE process that never loads
libfipsrt. (In a process that has loaded libfipsrt, OpenSSL's default library context is
FIPS-only, so hashlib there would not be an independent implementation, and `cryptography`
refuses to start without its legacy provider.)

Protocol: one JSON request per line on stdin ({"op": ..., "args": {...}}), one JSON reply per
line on stdout ({"ok": value} or {"error": text}); bytes travel as {"$b": base64}.
"""
import base64
import hashlib
import hmac
import json
import sys
import warnings


def enc(v):
    if isinstance(v, (bytes, bytearray)):
        return {"$b": base64.b64encode(bytes(v)).decode()}
    if isinstance(v, (list, tuple)):
        return [enc(x) for x in v]
    if isinstance(v, dict):
        return {k: enc(x) for k, x in v.items()}
    return v


def dec(v):
    if isinstance(v, dict):
        if set(v) == {"$b"}:
            return base64.b64decode(v["$b"])
        return {k: dec(x) for k, x in v.items()}
    if isinstance(v, list):
        return [dec(x) for x in v]
    return v


def _hashlib_name(name):
    return {"sha512_224": "sha512-224", "sha512_256": "sha512-256"}.get(name, name)


def op_hash(name, data, length=None):
    h = hashlib.new(_hashlib_name(name), data)
    return h.digest(length) if length is not None else h.digest()


def op_hmac(name, key, data):
    return hmac.new(key, data, lambda d=b"": hashlib.new(_hashlib_name(name), d)).digest()


def op_pbkdf2(name, password, salt, iterations, dklen=None):
    return hashlib.pbkdf2_hmac(name.replace("_", "-") if name.startswith("sha3") else name,
                               password, salt, iterations, dklen)


def _h(name):
    from cryptography.hazmat.primitives import hashes
    return {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
            "sha384": hashes.SHA384, "sha512": hashes.SHA512, "sha3_256": hashes.SHA3_256,
            "sha3_384": hashes.SHA3_384, "sha3_512": hashes.SHA3_512}[name]()


def op_hkdf(name, ikm, length, salt, info):
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
    return HKDF(algorithm=_h(name), length=length, salt=salt or None, info=info).derive(ikm)


def op_aesgcm_encrypt(key, nonce, data, aad):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    return AESGCM(key).encrypt(nonce, data, aad or None)


def op_aesgcm_decrypt(key, nonce, data, aad):
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    try:
        return AESGCM(key).decrypt(nonce, data, aad or None)
    except InvalidTag:
        return None


def _curve(name):
    from cryptography.hazmat.primitives.asymmetric import ec
    return {"P-256": ec.SECP256R1, "P-384": ec.SECP384R1, "P-521": ec.SECP521R1,
            "secp256k1": ec.SECP256K1}[name]()


def _pss(name, salt_length):
    from cryptography.hazmat.primitives.asymmetric import padding
    return padding.PSS(mgf=padding.MGF1(_h(name)),
                       salt_length=padding.PSS.AUTO if salt_length is None else salt_length)


def _load_public(data):
    from cryptography.hazmat.primitives import serialization
    if data.lstrip().startswith(b"-----"):
        return serialization.load_pem_public_key(data)
    return serialization.load_der_public_key(data)


def _private_der(key):
    from cryptography.hazmat.primitives import serialization
    return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _public_der(key):
    from cryptography.hazmat.primitives import serialization
    return key.public_bytes(serialization.Encoding.DER,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def op_public_info(data):
    """What a public key (PEM/DER SPKI) is: curve and X9.62 point, or RSA n, e."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    k = _load_public(data)
    if isinstance(k, ec.EllipticCurvePublicKey):
        return {"curve": k.curve.name, "point": k.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)}
    n = k.public_numbers()
    return {"n": hex(n.n), "e": n.e}


def op_private_public_der(data, password=None):
    """The SPKI DER of the public half of a PKCS#8 private key (PEM, maybe encrypted)."""
    from cryptography.hazmat.primitives import serialization
    k = serialization.load_pem_private_key(data, password)
    return _public_der(k.public_key())


def op_ec_generate(curve):
    from cryptography.hazmat.primitives.asymmetric import ec
    k = ec.generate_private_key(_curve(curve))
    return [_private_der(k), _public_der(k.public_key())]


def op_rsa_generate(bits):
    from cryptography.hazmat.primitives.asymmetric import rsa
    k = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return [_private_der(k), _public_der(k.public_key())]


def op_ecdsa_sign(priv, data, hash):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    return serialization.load_der_private_key(priv, None).sign(data, ec.ECDSA(_h(hash)))


def op_ecdsa_verify(pub, sig, data, hash, p1363=False):
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import ec, utils
    if p1363:  # fixed-width r || s -> DER
        half = len(sig) // 2
        sig = utils.encode_dss_signature(int.from_bytes(sig[:half], "big"),
                                         int.from_bytes(sig[half:], "big"))
    try:
        _load_public(pub).verify(sig, data, ec.ECDSA(_h(hash)))
        return True
    except InvalidSignature:
        return False


def op_rsa_sign(priv, data, hash, scheme, salt_length=None):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    pad = padding.PKCS1v15() if scheme == "pkcs1" else _pss(hash, salt_length)
    return serialization.load_der_private_key(priv, None).sign(data, pad, _h(hash))


def op_rsa_verify(pub, sig, data, hash, scheme):
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import padding
    pad = padding.PKCS1v15() if scheme == "pkcs1" else _pss(hash, None)
    try:
        _load_public(pub).verify(sig, data, pad, _h(hash))
        return True
    except InvalidSignature:
        return False


def _oaep(hash, label):
    from cryptography.hazmat.primitives.asymmetric import padding
    return padding.OAEP(mgf=padding.MGF1(_h(hash)), algorithm=_h(hash), label=label or None)


def op_rsa_oaep_encrypt(pub, data, hash, label):
    return _load_public(pub).encrypt(data, _oaep(hash, label))


def op_rsa_oaep_decrypt(priv, data, hash, label):
    from cryptography.hazmat.primitives import serialization
    return serialization.load_der_private_key(priv, None).decrypt(data, _oaep(hash, label))


def op_ecdh(priv, peer):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    return serialization.load_der_private_key(priv, None).exchange(ec.ECDH(), _load_public(peer))


def op_sha2crypt(password, salt):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt
    return crypt.crypt(password, salt)


OPS = {k[3:]: v for k, v in globals().items() if k.startswith("op_")}


def main():
    for line in sys.stdin:
        req = json.loads(line)
        try:
            reply = {"ok": enc(OPS[req["op"]](**dec(req["args"])))}
        except Exception as e:  # reported to the test, which fails with it
            reply = {"error": "%s: %r" % (req.get("op"), e)}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
