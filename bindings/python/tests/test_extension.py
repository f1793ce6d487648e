# SPDX-License-Identifier: Apache-2.0
"""What the compiled extension adds over the ctypes binding it replaced: the approved-service
indicator and fipsrt.approved(), fipsrt.restrict_hashlib(), prepared HMAC keys, AES-GCM
counter contexts, copy()/pickling rules, every buffer type, and a clear ImportError when
libfipsrt.so.1 is missing."""
import glob
import mmap
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

import fipsrt

HMAC_KEY = bytes(range(32))
# crypt.crypt("password", "$6$saltsalt$"), made outside this process.
SHA512_CRYPT = ("$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq."
                "qc.eoxqOmSuNp2xS0ktL3nh/")


class TestIndicator(unittest.TestCase):
    def test_service_indicator_counts_approved_services(self):
        key = fipsrt.hmac.Key(HMAC_KEY, "sha256")
        before = fipsrt.service_indicator()
        key.digest(b"m")
        self.assertEqual(fipsrt.service_indicator(), before + 1)
        with self.assertRaises(fipsrt.VerificationError):
            key.verify(b"m", bytes(32))  # a failed call never counts
        self.assertEqual(fipsrt.service_indicator(), before + 1)

    def test_approved_context_manager(self):
        key = fipsrt.hmac.Key(HMAC_KEY, "sha256")
        with fipsrt.approved() as a:
            key.digest(b"one")
            key.verify(b"two", key.digest(b"two"))
        self.assertTrue(a.approved)
        self.assertEqual((a.services, a.non_approved), (3, 0))

        with fipsrt.approved() as b:
            key.digest(b"x")
            fipsrt.md5(b"checksum", usedforsecurity=False).digest()  # outside the module
        self.assertFalse(b.approved)
        self.assertGreaterEqual(b.non_approved, 1)

        with fipsrt.approved() as c:
            pass
        self.assertFalse(c.approved)  # nothing ran: nothing to call approved
        self.assertEqual(c.services, 0)

        with fipsrt.approved() as e:  # the families beyond HMAC, as the library counts them
            fipsrt.sha256(b"x").digest()
            h = fipsrt.sha3_256()
            h.update(b"y" * 5000)
            h.digest()
            g = fipsrt.aead.AESGCM(bytes(32))
            g.open(*g.seal(b"m"))
            fipsrt.keys.generate_ec("P-256").sign_ecdsa(b"m")
        self.assertTrue(e.approved)
        self.assertEqual(e.non_approved, 0)
        self.assertGreaterEqual(e.services, 5)

        with fipsrt.approved() as f:  # SHA-crypt through libcrypt: outside the module
            self.assertEqual(fipsrt.passwd.verify_and_update(SHA512_CRYPT, "password"),
                             (True, True))
        self.assertFalse(f.approved)
        self.assertEqual(f.non_approved, 1)

        with self.assertRaises(fipsrt.VerificationError):
            with fipsrt.approved() as d:
                key.digest(b"x")
                key.verify(b"x", bytes(16))
        self.assertFalse(d.approved)


class TestPreparedKeys(unittest.TestCase):
    def test_rfc4231_case2_long_key_and_verify(self):
        # RFC 4231 test case 6 (131-byte key, > the block size): key hashed first.
        key = b"\xaa" * 131
        msg = b"Test Using Larger Than Block-Size Key - Hash Key First"
        want = bytes.fromhex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        k = fipsrt.hmac.Key(key, "sha256")
        self.assertEqual(k.digest(msg), want)
        self.assertEqual(k.hexdigest(msg), want.hex())
        self.assertEqual(k.digest(memoryview(bytearray(msg))), want)
        k.verify(msg, want)
        k.verify(msg, want[:16])
        with self.assertRaises(fipsrt.VerificationError) as cm:
            k.verify(msg + b"!", want)
        self.assertEqual(cm.exception.code, -6)
        with self.assertRaises(fipsrt.NotApproved):   # a too-short tag (error.h, issue 9)
            k.verify(msg, want[:15])
        self.assertEqual((k.name, k.digest_size), ("hmac-sha256", 32))

    def test_refusals(self):
        with self.assertRaises(fipsrt.NotApproved) as cm:
            fipsrt.hmac.Key(b"13 bytes key!", "sha256")
        self.assertEqual(cm.exception.code, -4)
        with self.assertRaises(fipsrt.MD5SecurityError):
            fipsrt.hmac.Key(HMAC_KEY, "md5")
        with self.assertRaises(ValueError):
            fipsrt.hmac.Key(HMAC_KEY, "shake_128")
        with self.assertRaises(TypeError):
            fipsrt.hmac.Key(HMAC_KEY)
        with self.assertRaises(TypeError):
            fipsrt.hmac.Key("text key", "sha256")


class TestCounter(unittest.TestCase):
    def test_xor_and_prefix_modes(self):
        key = bytes(range(16))
        for mode, fixed in (("xor", bytes(range(100, 112))), ("prefix", b"\x01\x02\x03\x04")):
            c = fipsrt.aead.AESGCMCounter(key, mode, fixed)
            self.assertEqual(c.fixed, fixed)
            self.assertIsNone(c.last)
            ct = c.seal(5, b"record five", b"hdr")
            self.assertEqual(c.last, 5)
            n = c.nonce(5)
            if mode == "xor":
                want = bytes(a ^ b for a, b in zip(fixed, (5).to_bytes(12, "big")))
            else:
                want = fixed + (5).to_bytes(8, "big")
            self.assertEqual(n, want)
            # The same key as a random-nonce AESGCM object opens it with that nonce.
            self.assertEqual(fipsrt.aead.AESGCM(key).open(n, ct, b"hdr"), b"record five")
            self.assertEqual(c.open(5, ct, b"hdr"), b"record five")
            with self.assertRaises(fipsrt.NonceReuse) as cm:
                c.seal(5, b"again")
            self.assertEqual(cm.exception.code, -12)
            with self.assertRaises(fipsrt.VerificationError):
                c.open(6, ct, b"hdr")
            with self.assertRaises(OverflowError):
                c.seal(-1, b"x")
        drawn = fipsrt.aead.AESGCMCounter(key)
        self.assertEqual(len(drawn.fixed), 12)
        with self.assertRaises(ValueError):
            fipsrt.aead.AESGCMCounter(key, "sideways")


class TestObjects(unittest.TestCase):
    def test_pickling_refused_for_key_objects(self):
        for obj in (fipsrt.hmac.Key(HMAC_KEY, "sha256"), fipsrt.hmac.new(HMAC_KEY, b"", "sha256"),
                    fipsrt.aead.AESGCM(bytes(16)), fipsrt.aead.AESGCMCounter(bytes(16)),
                    fipsrt.keys.generate_ec("P-256"), fipsrt.sha256(b"x")):
            with self.subTest(type(obj).__name__):
                with self.assertRaises(TypeError) as cm:
                    pickle.dumps(obj)
                self.assertIn("pickle", str(cm.exception))

    def test_copy_is_independent(self):
        for h in (fipsrt.sha256(b"abc"), fipsrt.sha256(bytearray(b"abc")),
                  fipsrt.hmac.new(HMAC_KEY, b"abc", "sha512")):
            c = h.copy()
            h.update(b"def")
            self.assertNotEqual(c.digest(), h.digest())
            c.update(b"def")
            self.assertEqual(c.digest(), h.digest())

    def test_every_buffer_type(self):
        data = os.urandom(5000)
        want = fipsrt.sha256(data).digest()
        with tempfile.TemporaryFile() as f:
            f.write(data)
            f.flush()
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                bufs = [bytearray(data), memoryview(data), memoryview(bytearray(data)), mm,
                        memoryview(data).cast("I")]
                for b in bufs:
                    with self.subTest(type(b).__name__):
                        self.assertEqual(fipsrt.sha256(b).digest(), want)
                        h = fipsrt.sha256()
                        h.update(b)
                        self.assertEqual(h.digest(), want)
                        self.assertEqual(fipsrt.hmac.digest(HMAC_KEY, b, "sha256"),
                                         fipsrt.hmac.digest(HMAC_KEY, data, "sha256"))
                del bufs, b
        with self.assertRaises(BufferError):
            fipsrt.sha256(memoryview(data)[::2])  # not contiguous
        with self.assertRaises(TypeError):
            fipsrt.sha256().update("text")

    def test_classes_construct_as_before(self):
        self.assertEqual(fipsrt.Hash("sha256", b"abc").digest(), fipsrt.sha256(b"abc").digest())
        self.assertEqual(fipsrt.InsecureMD5(b"abc").hexdigest(),
                         "900150983cd24fb0d6963f7d28e17f72")
        with self.assertRaises(fipsrt.MD5SecurityError):
            fipsrt.Hash("md5")

    def test_constructor_keywords(self):
        self.assertEqual(fipsrt.sha256(data=b"abc").digest(), fipsrt.sha256(b"abc").digest())
        self.assertEqual(fipsrt.sha256(string=b"abc").digest(), fipsrt.sha256(b"abc").digest())
        self.assertEqual(fipsrt.new("sha256", data=b"abc").digest(),
                         fipsrt.sha256(b"abc").digest())
        with self.assertRaises(TypeError):
            fipsrt.sha256(b"a", colour=1)


RESTRICT = textwrap.dedent("""
    import hashlib, hmac, json, fipsrt
    out = {}
    def probe(name, fn):
        try:
            fn()
            out[name] = "works"
        except Exception as e:
            out[name] = type(e).__name__ + ":" + str(getattr(e, "code", ""))
    def all_probes(tag):
        probe(tag + "md5", lambda: hashlib.md5(b"x"))
        probe(tag + "new-md5", lambda: hashlib.new("md5", b"x"))
        probe(tag + "blake2b", lambda: hashlib.blake2b(b"x"))
        probe(tag + "new-blake2s", lambda: hashlib.new("blake2s"))
        probe(tag + "hmac-md5", lambda: hmac.new(b"k" * 16, b"m", "md5"))
        probe(tag + "hmac-md5-ctor", lambda: hmac.new(b"k" * 16, b"m", hashlib.md5))
        probe(tag + "hmac-blake2s-ctor", lambda: hmac.new(b"k" * 16, b"m", hashlib.blake2s))
        probe(tag + "hmac-digest-blake2b", lambda: hmac.digest(b"k" * 16, b"m", "blake2b"))
        probe(tag + "pbkdf2-md5", lambda: hashlib.pbkdf2_hmac("md5", b"p", b"s" * 16, 1000))
        probe(tag + "md5-nonsecurity", lambda: hashlib.md5(b"x", usedforsecurity=False))
        probe(tag + "new-blake2b-nonsecurity",
              lambda: hashlib.new("blake2b", usedforsecurity=False))
        probe(tag + "sha256", lambda: hashlib.sha256(b"x").digest())
        probe(tag + "sha3", lambda: hashlib.new("sha3_256", b"x").digest())
        probe(tag + "hmac-sha256", lambda: hmac.new(b"k" * 16, b"m", "sha256").digest())
        probe(tag + "hmac-digest-sha384", lambda: hmac.digest(b"k" * 16, b"m", "sha384"))
    all_probes("before:")
    fipsrt.restrict_hashlib()
    fipsrt.restrict_hashlib()  # idempotent
    all_probes("after:")
    print(json.dumps(out))
""")


class TestRestrictHashlib(unittest.TestCase):
    """`import fipsrt` alone leaves Python's built-in MD5/BLAKE2 reachable through hashlib
    and hmac; restrict_hashlib() closes that for security use. Run in a child process:
    the restriction is process-wide and cannot be undone."""

    def test_before_and_after(self):
        import json
        r = subprocess.run([sys.executable, "-c", RESTRICT], capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        got = json.loads(r.stdout)
        # What import fipsrt alone does not stop (the README says so): hashlib falls back
        # to CPython's built-in MD5/BLAKE2, and hmac takes a built-in constructor...
        for name in ("md5", "new-md5", "blake2b", "new-blake2s", "hmac-md5-ctor",
                     "hmac-blake2s-ctor"):
            self.assertEqual(got["before:" + name], "works", name)
        # ...while names that go to OpenSSL are refused there (ValueError, no fallback).
        for name in ("hmac-md5", "hmac-digest-blake2b", "pbkdf2-md5"):
            self.assertEqual(got["before:" + name], "ValueError:", name)
        # After restrict_hashlib(): refused for security use, with fipsrt's errors...
        for name in ("md5", "new-md5", "hmac-md5", "hmac-md5-ctor", "pbkdf2-md5"):
            self.assertEqual(got["after:" + name], "MD5SecurityError:-5", name)
        for name in ("blake2b", "new-blake2s", "hmac-digest-blake2b", "hmac-blake2s-ctor"):
            self.assertEqual(got["after:" + name], "NotApproved:-4", name)
        # ...allowed for non-security use, and approved algorithms are untouched.
        for name in ("md5-nonsecurity", "new-blake2b-nonsecurity", "sha256", "sha3",
                     "hmac-sha256", "hmac-digest-sha384"):
            self.assertEqual(got["after:" + name], "works", name)


class TestMissingLibrary(unittest.TestCase):
    def test_clear_import_error(self):
        """The package copied without libfipsrt.so.1 reachable: ImportError naming it."""
        if subprocess.run(["sh", "-c", "/sbin/ldconfig -p | grep -q 'libfipsrt.so.1 '"]
                          ).returncode == 0:
            self.skipTest("libfipsrt.so.1 is installed system-wide")
        ext = glob.glob(os.path.join(os.path.dirname(fipsrt._fipsrt.__file__), "_fipsrt*.so"))
        src = os.path.dirname(fipsrt.__file__)
        with tempfile.TemporaryDirectory() as d:
            pkg = os.path.join(d, "a", "b", "c", "fipsrt")  # RUNPATH $ORIGIN/../../../lib: absent
            shutil.copytree(src, pkg, ignore=shutil.ignore_patterns("*.so", "__pycache__"))
            shutil.copy(ext[0], pkg)
            env = {k: v for k, v in os.environ.items()
                   if k not in ("LD_LIBRARY_PATH", "PYTHONPATH")}
            env["PYTHONPATH"] = os.path.dirname(pkg)
            r = subprocess.run([sys.executable, "-c", "import fipsrt"], env=env,
                               capture_output=True, text=True, timeout=60, cwd=d)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ImportError: fipsrt needs the shared library libfipsrt.so.1", r.stderr)
        self.assertIn("Install libfipsrt", r.stderr)


if __name__ == "__main__":
    unittest.main()
