# SPDX-License-Identifier: Apache-2.0
"""Tests of the fipsrt Python binding against independent implementations: Python's hashlib
and hmac (OpenSSL's default provider) and the `cryptography` package, which run in a
separate oracle process (tests/oracle.py) that never loads libfipsrt. Run by `meson test`
(suite python) with Debian's /usr/bin/python3; FIPSRT_LIBRARY names the build's libfipsrt.so.1,
which the extension must have loaded."""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import unittest

import fipsrt

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import oracle as _oracle_codec  # noqa: E402  (its enc/dec only: no crypto in this process)


class Oracle:
    """The reference process: hashlib/hmac/cryptography with OpenSSL's default provider."""

    def __init__(self):
        env = {k: v for k, v in os.environ.items()
               if k not in ("OPENSSL_CONF", "OPENSSL_MODULES", "LD_PRELOAD", "FIPSRT_LIBRARY")}
        self.p = subprocess.Popen([sys.executable, os.path.join(HERE, "oracle.py")],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                  text=True)

    def __call__(self, op, **args):
        self.p.stdin.write(json.dumps({"op": op, "args": _oracle_codec.enc(args)}) + "\n")
        self.p.stdin.flush()
        reply = json.loads(self.p.stdout.readline())
        if "error" in reply:
            raise AssertionError("oracle: " + reply["error"])
        return _oracle_codec.dec(reply["ok"])

    def close(self):
        self.p.stdin.close()
        self.p.wait()
        self.p.stdout.close()


ref = None


def setUpModule():
    global ref
    ref = Oracle()


def tearDownModule():
    ref.close()


HASHES = ["sha1", "sha224", "sha256", "sha384", "sha512", "sha512_224", "sha512_256",
          "sha3_224", "sha3_256", "sha3_384", "sha3_512"]
# meson test --setup valgrind runs this interpreter under valgrind: keep the slow parts
# (RSA key generation, 100000-iteration key encryption) to the plain and ASan runs.
UNDER_VALGRIND = "vgpreload" in os.environ.get("LD_PRELOAD", "")
INPUTS = [b"", b"abc", b"a" * 55, b"a" * 56, b"a" * 64, b"x" * 1000, os.urandom(100000)]


class TestLoading(unittest.TestCase):
    def test_loads_the_library_under_test(self):
        want = os.environ.get("FIPSRT_LIBRARY")
        if want:
            self.assertEqual(os.path.realpath(fipsrt.library_path), os.path.realpath(want))
        self.assertRegex(fipsrt.__version__, r"^\d+\.\d+\.\d+$")

    def test_runtime_is_in_fips_mode(self):
        info = fipsrt.runtime_info()
        self.assertTrue(info["provider_active"])
        self.assertTrue(info["fips_properties"])
        self.assertEqual(info["library_version"], fipsrt.__version__)


class TestHash(unittest.TestCase):
    def test_digests_equal_hashlib(self):
        count = 0
        for name in HASHES:
            for data in INPUTS:
                with self.subTest(name=name, size=len(data)):
                    want = ref("hash", name=name, data=data)
                    self.assertEqual(fipsrt.new(name, data).digest(), want)
                    self.assertEqual(getattr(fipsrt, name)(data).hexdigest(), want.hex())
                    count += 1
        print("hash: %d digests equal to hashlib's" % count)

    def test_shake_equals_hashlib(self):
        for name in ("shake_128", "shake_256"):
            for data in INPUTS:
                for n in (1, 16, 32, 64, 200):
                    self.assertEqual(fipsrt.new(name, data).digest(n),
                                     ref("hash", name=name, data=data, length=n))
            self.assertEqual(getattr(fipsrt, name)(b"abc").hexdigest(10),
                             ref("hash", name=name, data=b"abc", length=10).hex())

    def test_streaming_copy_and_reuse(self):
        data = INPUTS[-1]
        sizes = {"sha1": (20, 64), "sha256": (32, 64), "sha512_224": (28, 128),
                 "sha3_256": (32, 136), "sha3_512": (64, 72)}
        for name in HASHES:
            h = fipsrt.new(name)
            for i in range(0, len(data), 7919):
                h.update(data[i:i + 7919])
            c = h.copy()
            want = ref("hash", name=name, data=data)
            self.assertEqual(h.digest(), want)
            self.assertEqual(h.digest(), want)  # digest() does not end the object
            h.update(b"more")
            self.assertEqual(h.digest(), ref("hash", name=name, data=data + b"more"))
            self.assertEqual(c.digest(), want)  # the copy is unaffected
            self.assertEqual(h.name, name)
            if name in sizes:
                self.assertEqual((h.digest_size, h.block_size), sizes[name])

    def test_buffer_types_and_names(self):
        data = b"the quick brown fox"
        want = ref("hash", name="sha256", data=data)
        for buf in (bytearray(data), memoryview(data), memoryview(bytearray(data))):
            self.assertEqual(fipsrt.sha256(buf).digest(), want)
        for alias in ("SHA256", "sha-256", "sha2-256", fipsrt.sha256):
            self.assertEqual(fipsrt.new(alias, data).digest(), want)
        with self.assertRaises(TypeError):
            fipsrt.sha256("text")
        with self.assertRaises(ValueError):
            fipsrt.new("whirlpool")
        self.assertIn("sha3_256", fipsrt.algorithms_available)
        self.assertNotIn("md5", fipsrt.algorithms_available)


class TestMD5(unittest.TestCase):
    def test_md5_for_security_raises(self):
        for make in (lambda: fipsrt.md5(b"abc"), lambda: fipsrt.new("md5", b"abc"),
                     lambda: fipsrt.md5(usedforsecurity=True)):
            with self.assertRaises(fipsrt.MD5SecurityError) as cm:
                make()
            e = cm.exception
            self.assertIsInstance(e, fipsrt.Error)
            self.assertIsInstance(e, ValueError)  # as hashlib.md5() on a FIPS system
            self.assertEqual(e.code, -5)
            self.assertEqual(e.name, "FIPSRT_E_MD5_SECURE")
            self.assertIn("MD5", e.detail)
            self.assertIn("MD5", str(e))

    def test_md5_not_for_security_matches_hashlib(self):
        for data in INPUTS:
            m = fipsrt.md5(data, usedforsecurity=False)
            want = ref("hash", name="md5", data=data)
            self.assertEqual(m.digest(), want)
            self.assertEqual(m.hexdigest(), want.hex())  # repeatable
        m = fipsrt.new("md5", b"ab", usedforsecurity=False)
        m.update(b"c")
        self.assertEqual(m.hexdigest(), "900150983cd24fb0d6963f7d28e17f72")
        # hashlib semantics since the compiled binding (fipsrt_insecure_md5_clone): digest()
        # does not end the object, and copy() works (the ctypes binding raised StateError
        # and Unsupported here).
        c = m.copy()
        m.update(b"more")
        self.assertEqual(m.digest(), ref("hash", name="md5", data=b"abcmore"))
        self.assertEqual(c.hexdigest(), "900150983cd24fb0d6963f7d28e17f72")


class TestHMAC(unittest.TestCase):
    def test_equals_python_hmac(self):
        count = 0
        for name in HASHES:
            for klen in (14, 32, 64, 200):
                key = os.urandom(klen)
                for data in INPUTS[:6]:
                    want = ref("hmac", name=name, key=key, data=data)
                    self.assertEqual(fipsrt.hmac.new(key, data, name).digest(), want)
                    self.assertEqual(fipsrt.hmac.digest(key, data, name), want)
                    count += 1
        print("hmac: %d MACs equal to Python's hmac" % count)

    def test_streaming_copy_verify(self):
        key = b"k" * 32
        h = fipsrt.hmac.new(key, digestmod=fipsrt.sha384)
        h.update(b"part one, ")
        c = h.copy()
        h.update(b"part two")
        want = ref("hmac", name="sha384", key=key, data=b"part one, part two")
        self.assertEqual(h.digest(), want)
        self.assertEqual(h.hexdigest(), want.hex())
        self.assertEqual(c.digest(), ref("hmac", name="sha384", key=key, data=b"part one, "))
        self.assertEqual((h.name, h.digest_size, h.block_size), ("hmac-sha384", 48, 128))
        h.verify(want)
        h.verify(want[:16])  # truncated to >= 128 bits
        bad = bytearray(want)
        bad[0] ^= 1
        with self.assertRaises(fipsrt.VerificationError) as cm:
            h.verify(bad)
        self.assertEqual(cm.exception.code, -6)
        self.assertTrue(fipsrt.hmac.compare_digest(h.digest(), want))
        self.assertFalse(fipsrt.hmac.compare_digest(h.digest(), bytes(bad)))

    def test_policy(self):
        with self.assertRaises(fipsrt.NotApproved) as cm:
            fipsrt.hmac.new(b"short key", b"msg", "sha256")  # 72 bits < 112
        self.assertEqual(cm.exception.code, -4)
        with self.assertRaises(fipsrt.MD5SecurityError):
            fipsrt.hmac.new(b"k" * 16, b"msg", "md5")
        with self.assertRaises(TypeError):
            fipsrt.hmac.new(b"k" * 16, b"msg")


class TestRandomAndErrors(unittest.TestCase):
    def test_random_bytes(self):
        self.assertEqual(fipsrt.random_bytes(0), b"")
        a, b = fipsrt.random_bytes(32), fipsrt.random_bytes(32)
        self.assertEqual(len(a), 32)
        self.assertNotEqual(a, b)
        self.assertEqual(len(fipsrt.random_bytes(100000)), 100000)
        with self.assertRaises(ValueError):
            fipsrt.random_bytes(-1)

    def test_error_hierarchy(self):
        codes = set()
        for name in dir(fipsrt.errors):
            cls = getattr(fipsrt.errors, name)
            if isinstance(cls, type) and issubclass(cls, fipsrt.Error) and cls is not fipsrt.Error:
                code = [c for c, k in fipsrt.errors._CLASSES.items() if k is cls]
                self.assertEqual(len(code), 1, name)
                codes.add(code[0])
                e = fipsrt.errors.from_code(code[0], "text", "detail")
                self.assertIs(type(e), cls)
                self.assertEqual(e.code, code[0])
                self.assertIn("detail", str(e))
        self.assertEqual(codes, set(range(-20, 0)))
        self.assertIs(type(fipsrt.errors.from_code(-99, "future", "")), fipsrt.Error)


class TestAEAD(unittest.TestCase):
    def test_seal_opens_under_cryptography_and_back(self):
        for bits in (128, 192, 256):
            key = fipsrt.aead.AESGCM.generate_key(bits)
            k = fipsrt.aead.AESGCM(key)
            for pt, aad in ((b"", b""), (b"hello", b""), (os.urandom(5000), b"header")):
                nonce, ct = k.seal(pt, aad)
                self.assertEqual(len(nonce), 12)
                self.assertEqual(ref("aesgcm_decrypt", key=key, nonce=nonce, data=ct, aad=aad),
                                 pt)
                n2 = os.urandom(12)
                theirs = ref("aesgcm_encrypt", key=key, nonce=n2, data=pt, aad=aad)
                self.assertEqual(k.open(n2, theirs, aad), pt)
            self.assertEqual(k.invocations, 3)

    def test_tamper_and_nonces(self):
        k = fipsrt.aead.AESGCM(bytes(32))
        nonces = {k.seal(b"same message")[0] for _ in range(50)}
        self.assertEqual(len(nonces), 50)  # chosen by the module, fresh each time
        nonce, ct = k.seal(b"secret", b"aad")
        for bad in (bytes([ct[0] ^ 1]) + ct[1:], ct[:-1] + bytes([ct[-1] ^ 1])):
            with self.assertRaises(fipsrt.VerificationError):
                k.open(nonce, bad, b"aad")
        with self.assertRaises(fipsrt.VerificationError):
            k.open(nonce, ct, b"other aad")
        with self.assertRaises(fipsrt.InvalidArgument):
            fipsrt.aead.AESGCM(bytes(20))
        with self.assertRaises(fipsrt.InvalidArgument):
            k.open(b"short", ct)


class TestKDF(unittest.TestCase):
    def test_pbkdf2_equals_hashlib(self):
        for name in ("sha256", "sha512", "sha3_256"):
            for dklen in (None, 14, 64):
                self.assertEqual(
                    fipsrt.pbkdf2_hmac(name, b"password", b"s" * 16, 1000, dklen),
                    ref("pbkdf2", name=name, password=b"password", salt=b"s" * 16,
                        iterations=1000, dklen=dklen))
        with self.assertRaises(fipsrt.NotApproved):
            fipsrt.pbkdf2_hmac("sha256", b"password", b"short salt", 1000)
        with self.assertRaises(fipsrt.NotApproved):
            fipsrt.pbkdf2_hmac("sha1", b"password", b"s" * 16, 1000)

    def test_hkdf_equals_cryptography(self):
        ikm, salt, info = os.urandom(32), os.urandom(16), b"context"
        for name in ("sha256", "sha384", "sha3_256"):
            self.assertEqual(fipsrt.hkdf(name, ikm, 42, salt, info),
                             ref("hkdf", name=name, ikm=ikm, length=42, salt=salt, info=info))


class TestBadLengths(unittest.TestCase):
    """Python ints reach the library as size_t/uint64_t: negative and wrapping lengths must
    be refused before they can name a length larger than the buffer the binding allocated
    (the ctypes binding once wrapped -1 to SIZE_MAX)."""

    def test_negative_and_wrapping_output_lengths(self):
        wrap = 2 ** 64
        for n in (-1, -5, 64 - wrap):
            with self.subTest(n=n):
                for name in ("shake_128", "shake_256"):
                    with self.assertRaises(ValueError):
                        fipsrt.new(name, b"x").digest(n)
                    with self.assertRaises(ValueError):
                        fipsrt.new(name, b"x").hexdigest(n)
                with self.assertRaises(ValueError):
                    fipsrt.hkdf("sha256", b"k" * 32, n)
                with self.assertRaises(ValueError):
                    fipsrt.pbkdf2_hmac("sha256", b"password", b"s" * 16, 1000, n)
                with self.assertRaises(ValueError):
                    fipsrt.random_bytes(n)

    def test_pbkdf2_iterations_out_of_range(self):
        # -1 would be 2**64 - 1 iterations (a hang); 2**64 + 1000 would be 1000.
        for it in (0, -1, 2 ** 64 + 1000):
            with self.subTest(iterations=it):
                with self.assertRaises((ValueError, OverflowError)):
                    fipsrt.pbkdf2_hmac("sha256", b"password", b"s" * 16, it)


class TestClose(unittest.TestCase):
    """close() frees each object's library handle once; later use raises StateError, a
    second close() is a no-op. (The ctypes binding's test of its handle bookkeeping became
    this and tests/test_threads.py, which races close() against operations in flight.)"""

    def test_use_after_close_raises(self):
        objs = [
            (fipsrt.sha256(b"x"), lambda o: o.update(b"y")),
            (fipsrt.sha256(), lambda o: o.digest()),
            (fipsrt.md5(b"x", usedforsecurity=False), lambda o: o.update(b"y")),
            (fipsrt.hmac.new(b"k" * 16, b"x", "sha256"), lambda o: o.digest()),
            (fipsrt.hmac.Key(b"k" * 16, "sha256"), lambda o: o.digest(b"m")),
            (fipsrt.aead.AESGCM(bytes(16)), lambda o: o.seal(b"m")),
            (fipsrt.aead.AESGCMCounter(bytes(16)), lambda o: o.seal(1, b"m")),
            (fipsrt.keys.Key.generate_ec("P-256"), lambda o: o.sign_ecdsa(b"m")),
        ]
        for obj, use in objs:
            with self.subTest(obj=type(obj).__name__):
                use(obj)
                obj.close()
                obj.close()
                with self.assertRaises(fipsrt.StateError) as cm:
                    use(obj)
                self.assertEqual(cm.exception.code, -13)
                self.assertIn("closed", cm.exception.detail)


class TestPasswd(unittest.TestCase):
    def test_hash_and_verify(self):
        h = fipsrt.passwd_hash("correct horse", rounds=1000)
        self.assertRegex(h, r"^\$pbkdf2-sha512\$1000\$[./A-Za-z0-9]{22}\$[./A-Za-z0-9]{86}$")
        self.assertTrue(fipsrt.passwd_verify(h, "correct horse"))
        self.assertFalse(fipsrt.passwd_verify(h, "wrong horse"))
        self.assertEqual(fipsrt.passwd.verify_and_update(h, b"correct horse"), (True, True))
        self.assertNotEqual(fipsrt.passwd_hash("x", rounds=1000),
                            fipsrt.passwd_hash("x", rounds=1000))  # fresh salts

    def test_refusals(self):
        with self.assertRaises(fipsrt.MD5SecurityError):
            fipsrt.passwd_verify("$1$saltsalt$qjXMvbEw8oaL.CzflDugX/", "pw")
        with self.assertRaises(fipsrt.NotApproved):
            fipsrt.passwd_verify("$2b$12$" + "a" * 53, "pw")
        with self.assertRaises(fipsrt.MalformedInput):
            fipsrt.passwd_verify("$pbkdf2-sha512$not-a-hash", "pw")
        with self.assertRaises(fipsrt.NotApproved):
            fipsrt.passwd_hash("pw", rounds=10)

    def test_legacy_sha2crypt_needs_rehash(self):
        for prefix in ("$6$", "$5$"):
            legacy = ref("sha2crypt", password="password", salt=prefix + "saltsalt$")
            self.assertEqual(fipsrt.passwd.verify_and_update(legacy, "password"), (True, True))
            self.assertFalse(fipsrt.passwd_verify(legacy, "Password"))


class TestKeys(unittest.TestCase):
    def test_ec_keys_cross_cryptography(self):
        for curve, name in (("P-256", "secp256r1"), ("P-384", "secp384r1"),
                            ("P-521", "secp521r1")):
            k = fipsrt.keys.generate_ec(curve)
            self.assertEqual((k.type, k.curve, k.has_private), ("EC", curve, True))
            info = ref("public_info", data=k.export_public())
            self.assertEqual(info["curve"], name)
            self.assertEqual(info["point"], k.ec_point())
            if curve == "P-256" or not UNDER_VALGRIND:  # PBKDF2, 100000 iterations
                self.assertEqual(ref("private_public_der", data=k.export_private(password="pw"),
                                     password=b"pw"), k.export_public("DER"))
            # And the other way: a key made by cryptography imports.
            priv, pub = ref("ec_generate", curve=curve)
            mine = fipsrt.keys.import_private(priv)
            self.assertEqual(mine.curve, curve)
            self.assertEqual(mine.export_public("DER"), pub)
            self.assertFalse(fipsrt.keys.import_public(pub).has_private)

    @unittest.skipIf(UNDER_VALGRIND, "RSA key generation takes minutes under valgrind")
    def test_rsa_generate(self):
        k = fipsrt.keys.generate_rsa(2048)
        self.assertEqual((k.type, k.bits, k.has_private, k.is_legacy), ("RSA", 2048, True, False))
        info = ref("public_info", data=k.export_public())
        self.assertEqual(info["e"], 65537)
        self.assertEqual(int(info["n"], 16).bit_length(), 2048)

    def test_policy(self):
        with self.assertRaises(fipsrt.NotApproved):
            fipsrt.keys.generate_rsa(1024)
        priv, _ = ref("ec_generate", curve="secp256k1")
        with self.assertRaises(fipsrt.NotApproved):
            fipsrt.keys.import_private(priv)
        with self.assertRaises(fipsrt.MalformedInput):
            fipsrt.keys.import_public(b"-----BEGIN PUBLIC KEY-----\nnot base64!\n"
                                      b"-----END PUBLIC KEY-----\n")


class TestSignatures(unittest.TestCase):
    """Signatures made by the binding verify under `cryptography`, and the reverse."""

    def test_ecdsa_verifies_under_cryptography(self):
        count = 0
        for curve, h in (("P-256", "sha256"), ("P-384", "sha384"), ("P-521", "sha512")):
            k = fipsrt.keys.generate_ec(curve)
            pub = k.export_public()
            for msg in (b"", b"message", os.urandom(3000)):
                sig = k.sign_ecdsa(msg, h)
                self.assertTrue(ref("ecdsa_verify", pub=pub, sig=sig, data=msg, hash=h))
                self.assertFalse(ref("ecdsa_verify", pub=pub, sig=sig, data=msg + b"x", hash=h))
                k.verify_ecdsa(msg, sig, h)
                raw = k.sign_ecdsa(msg, "sha3_256", format="p1363")
                self.assertEqual(len(raw), 2 * ((k.bits + 7) // 8))
                self.assertTrue(ref("ecdsa_verify", pub=pub, sig=raw, data=msg, hash="sha3_256",
                                    p1363=True))
                count += 2
            priv, theirs = ref("ec_generate", curve=curve)
            sig = ref("ecdsa_sign", priv=priv, data=b"msg", hash=h)
            k2 = fipsrt.keys.import_public(theirs)
            k2.verify_ecdsa(b"msg", sig, h)
            with self.assertRaises(fipsrt.VerificationError):
                k2.verify_ecdsa(b"other", sig, h)
        print("ecdsa: %d signatures verified by cryptography" % count)

    def test_rsa_verifies_under_cryptography(self):
        k = fipsrt.keys.import_private(ref("rsa_generate", bits=2048)[0])  # keygen: TestKeys
        pub = k.export_public()
        for msg in (b"", b"message", os.urandom(3000)):
            sig = k.sign_rsa_pss(msg, "sha256")
            self.assertTrue(ref("rsa_verify", pub=pub, sig=sig, data=msg, hash="sha256",
                                scheme="pss"))
            sig = k.sign_rsa_pkcs1(msg, "sha384")
            self.assertTrue(ref("rsa_verify", pub=pub, sig=sig, data=msg, hash="sha384",
                                scheme="pkcs1"))
            self.assertFalse(ref("rsa_verify", pub=pub, sig=sig, data=msg + b"x",
                                 hash="sha384", scheme="pkcs1"))
        priv, theirs = ref("rsa_generate", bits=2048)
        k2 = fipsrt.keys.import_public(theirs)
        sig = ref("rsa_sign", priv=priv, data=b"msg", hash="sha256", scheme="pss",
                  salt_length=32)
        k2.verify_rsa_pss(b"msg", sig, "sha256")
        with self.assertRaises(fipsrt.VerificationError):
            k2.verify_rsa_pss(b"msg!", sig, "sha256")
        sig = ref("rsa_sign", priv=priv, data=b"msg", hash="sha256", scheme="pkcs1")
        k2.verify_rsa_pkcs1(b"msg", sig, "sha256")
        with self.assertRaises(fipsrt.NotApproved):
            k.sign_rsa_pss(b"msg", "sha1")  # SHA-1 never signs

    def test_rsa_oaep_both_ways(self):
        k = fipsrt.keys.import_private(ref("rsa_generate", bits=2048)[0])
        ct = k.encrypt_oaep(b"key material", "sha256", b"label")
        self.assertEqual(ref("rsa_oaep_decrypt", priv=k.export_private("DER"), data=ct,
                             hash="sha256", label=b"label"), b"key material")
        theirs = ref("rsa_oaep_encrypt", pub=k.export_public(), data=b"secret", hash="sha384",
                     label=b"")
        self.assertEqual(k.decrypt_oaep(theirs, "sha384"), b"secret")
        with self.assertRaises(fipsrt.VerificationError):
            k.decrypt_oaep(theirs, "sha256")  # wrong hash: one error for every failure

    def test_ecdh_equals_cryptography(self):
        for curve in ("P-256", "P-384", "P-521"):
            mine = fipsrt.keys.generate_ec(curve)
            priv, pub = ref("ec_generate", curve=curve)
            z = mine.exchange(fipsrt.keys.import_public(pub))
            self.assertEqual(z, ref("ecdh", priv=priv, peer=mine.export_public("DER")))
            self.assertEqual(mine.exchange(fipsrt.keys.import_public(pub).ec_point()), z)


def tampered_env(tmpdir):
    """OPENSSL_CONF whose fipsmodule.cnf has its MAC digits 8 and 9 swapped."""
    def read(path):
        with open(path) as f:
            return f.read()

    def write(path, text):
        with open(path, "w") as f:
            f.write(text)

    conf = os.environ["OPENSSL_CONF"]
    text = read(conf)
    modcnf = re.search(r"^\.include\s*=?\s*(\S+)\s*$", text, re.M).group(1)
    bad = os.path.join(tmpdir, "fipsmodule.cnf")
    write(bad, read(modcnf).translate(str.maketrans("89", "98")))
    write(os.path.join(tmpdir, "openssl.cnf"), text.replace(modcnf, bad))
    env = dict(os.environ)
    env["OPENSSL_CONF"] = os.path.join(tmpdir, "openssl.cnf")
    return env


class TestPanic(unittest.TestCase):
    """Importing the binding under a broken FIPS provider aborts the interpreter."""

    def run_import(self, env):
        return subprocess.run([sys.executable, "-c", "import fipsrt; print('imported')"],
                              env=env, capture_output=True, text=True, timeout=120)

    def assert_panic(self, r):
        self.assertEqual(r.returncode, -signal.SIGABRT, r.stderr)
        self.assertIn("panic: fipsrt: can't enable FIPS mode for OpenSSL 3.", r.stderr)
        self.assertIn("openssl error(s):", r.stderr)
        self.assertNotIn("imported", r.stdout)

    def test_tampered_config_aborts_import(self):
        with tempfile.TemporaryDirectory() as d:
            r = self.run_import(tampered_env(d))
        self.assert_panic(r)
        self.assertIn("OSSL_PROVIDER_try_load", r.stderr)

    def test_no_config_aborts_import(self):
        env = dict(os.environ, OPENSSL_CONF="/dev/null")
        self.assert_panic(self.run_import(env))

    def test_healthy_import(self):
        r = self.run_import(dict(os.environ))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "imported\n")


if __name__ == "__main__":
    unittest.main()
