# SPDX-License-Identifier: Apache-2.0
"""CPython's own test_hashlib and test_hmac (Debian's libpython3.X-testsuite) run against
fipsrt's hashlib- and hmac-compatible objects.

The adapter installs stand-in `hashlib` and `hmac` modules built from fipsrt before the test
modules are imported, and hides CPython's own implementations (_hashlib, _md5, _sha1,
_sha256, _sha512, _sha3, _blake2), so every constructor the tests exercise is fipsrt's.
What the stand-ins add is listed in them. A test that cannot apply to a FIPS-only library
is skipped by name in SKIPS with the reason; everything else must pass. Vectors whose HMAC
key is under 112 bits are not skipped: each asserts fipsrt's NotApproved refusal instead.

Tests that skip themselves say why in the output: BLAKE2 ("requires _blake2": not a FIPS
algorithm, and CPython's module is hidden), the SHA-3/SHAKE vector files of pythontest.net
("resource 'urlfetch' is not enabled": no network in CI), bigmem tests.

Run by `meson test` (suite python, test python-cpython); prints pass/skip counts.
"""
import hmac as _real_hmac
import hashlib as _real_hashlib
import io
import sys
import types
import unittest

import fipsrt

HIDDEN = ("_hashlib", "_md5", "_sha1", "_sha256", "_sha512", "_sha3", "_blake2")
MIN_KEY = 14  # FIPSRT_HMAC_MIN_KEY_SIZE


def make_hashlib():
    m = types.ModuleType("hashlib", "fipsrt as hashlib (cpython_conformance.py)")
    for n in ("new", "sha1", "sha224", "sha256", "sha384", "sha512", "sha512_224",
              "sha512_256", "sha3_224", "sha3_256", "sha3_384", "sha3_512", "shake_128",
              "shake_256", "md5", "pbkdf2_hmac"):
        setattr(m, n, getattr(fipsrt, n))
    # hashlib's own sets include md5, which fipsrt offers for usedforsecurity=False only.
    m.algorithms_guaranteed = frozenset(fipsrt.algorithms_guaranteed | {"md5"})
    m.algorithms_available = frozenset(fipsrt.algorithms_available | {"md5"})
    # hashlib.file_digest is pure Python over new(): CPython's code, bound to fipsrt's new.
    m.file_digest = types.FunctionType(_real_hashlib.file_digest.__code__,
                                       dict(vars(_real_hashlib), new=fipsrt.new),
                                       "file_digest", None,
                                       _real_hashlib.file_digest.__closure__)
    m.file_digest.__kwdefaults__ = _real_hashlib.file_digest.__kwdefaults__
    return m


class ShimHMAC:
    """hmac.HMAC for tests that reach CPython's internal entry points (HMAC.__new__ then
    _init_old/_init_hmac): all of them construct a fipsrt.hmac.HMAC and delegate to it."""

    def __init__(self, key, msg=None, digestmod=""):
        self._h = fipsrt.hmac.HMAC(key, msg, digestmod)

    _init_old = _init_hmac = __init__

    def __getattr__(self, name):
        if name == "_h":
            raise AttributeError(name)
        return getattr(self._h, name)

    def copy(self):
        c = ShimHMAC.__new__(ShimHMAC)
        c._h = self._h.copy()
        return c


def make_hmac():
    m = types.ModuleType("hmac", "fipsrt.hmac as hmac (cpython_conformance.py)")
    m.new = fipsrt.hmac.new
    m.digest = fipsrt.hmac.digest
    m.compare_digest = fipsrt.hmac.compare_digest
    m.HMAC = ShimHMAC
    m.digest_size = None
    m.trans_5C, m.trans_36 = _real_hmac.trans_5C, _real_hmac.trans_36
    return m


# test id (module.Class.method) -> why it cannot apply to fipsrt
SKIPS = {
    # ---- test_hashlib ---------------------------------------------------------------------
    "test_hashlib.HashLibTestCase.test_get_builtin_constructor":
        "CPython internals: hashlib.__get_builtin_constructor and its built-in modules",
    "test_hashlib.HashLibTestCase.test_usedforsecurity_true":
        "MD5 for security use is refused by design (FIPS); usedforsecurity_false passes",
    "test_hashlib.HashLibTestCase.test_case_md5_0":
        "MD5 for security use is refused by design (MD5SecurityError); TestMD5 in "
        "test_fipsrt.py checks md5(usedforsecurity=False) against hashlib",
    "test_hashlib.HashLibTestCase.test_case_md5_1": "as test_case_md5_0",
    "test_hashlib.HashLibTestCase.test_case_md5_2": "as test_case_md5_0",
    "test_hashlib.HashLibTestCase.test_case_md5_huge": "as test_case_md5_0 (bigmem)",
    "test_hashlib.HashLibTestCase.test_case_md5_uintmax": "as test_case_md5_0 (bigmem)",
    "test_hashlib.HashLibTestCase.test_disallow_instantiation":
        "checks CPython's _hashlib/_md5... types, hidden here",
    "test_hashlib.HashLibTestCase.test_readonly_types":
        "checks CPython's _hashlib/_md5... types, hidden here",
    "test_hashlib.HashLibTestCase.test_get_fips_mode": "_hashlib.get_fips_mode is CPython's",
    "test_hashlib.HashLibTestCase.test_algorithms_guaranteed":
        "fipsrt guarantees SHA-512/224 and SHA-512/256 as well, and no BLAKE2",
    "test_hashlib.HashLibTestCase.test_extra_sha3":
        "reads _capacity_bits/_rate_bits/_suffix, attributes of CPython's _sha3 objects",
    "test_hashlib.KDFTests.test_scrypt": "scrypt is not FIPS-approved (not offered)",
    "test_hashlib.KDFTests.test_pbkdf2_hmac_py": "CPython's pure-Python PBKDF2",
    "test_hashlib.KDFTests.test_pbkdf2_hmac_c":
        "the RFC 6070-style vectors use 4-byte salts, 1 to 4096 iterations and SHA-1, below "
        "SP 800-132 (16-byte salt, 1000 iterations, no SHA-1) as fipsrt enforces it; "
        "test_fipsrt.TestKDF checks fipsrt's PBKDF2 against hashlib's",
    # ---- test_hmac ------------------------------------------------------------------------
    "test_hmac.TestVectorsTestCase.test_md5_vectors":
        "HMAC-MD5 is refused by design (MD5SecurityError)",
    "test_hmac.TestVectorsTestCase.test_legacy_block_size_warnings":
        "custom Python digest objects (MockCrazyHash) are not FIPS algorithms",
    "test_hmac.ConstructorTestCase.test_internal_types": "CPython's _hashlib.HMAC type",
    "test_hmac.ConstructorTestCase.test_with_sha256_module": "CPython's _sha256 module",
    "test_hmac.CopyTestCase.test_attributes_old":
        "inspects the pure-Python HMAC's _inner/_outer digest objects",
    "test_hmac.CopyTestCase.test_realcopy_old": "as test_attributes_old",
    "test_hmac.CopyTestCase.test_realcopy_hmac": "inspects CPython's _hmac attribute",
    "test_hmac.CompareDigestTestCase.test_openssl_compare_digest": "CPython's _hashlib",
    "test_hmac.CompareDigestTestCase.test_hmac_compare_digest":
        "asserts which CPython function hmac.compare_digest is; fipsrt.hmac.compare_digest "
        "is Python's own (its behaviour is checked by test_operator_compare_digest)",
    "test_hmac.ConstructorTestCase.test_normal":
        "3-byte key b'key': HMAC keys under 112 bits are refused (NotApproved)",
    "test_hmac.ConstructorTestCase.test_with_str_key": "as test_normal (3-byte key)",
    "test_hmac.ConstructorTestCase.test_dot_new_with_str_key": "as test_normal (3-byte key)",
    "test_hmac.ConstructorTestCase.test_withtext": "as test_normal (3-byte key)",
    "test_hmac.ConstructorTestCase.test_with_bytearray": "as test_normal (3-byte key)",
    "test_hmac.ConstructorTestCase.test_with_memoryview_msg": "as test_normal (3-byte key)",
    "test_hmac.ConstructorTestCase.test_withmodule": "as test_normal (3-byte key)",
    "test_hmac.SanityTestCase.test_exercise_all_methods":
        "13-byte key b'my secret key': under 112 bits (NotApproved)",
    "test_hmac.CopyTestCase.test_equality": "as test_normal (3-byte key)",
    "test_hmac.CopyTestCase.test_equality_new": "as test_normal (3-byte key)",
}


def short_key_refused(assert_hmac):
    """TestVectorsTestCase.assert_hmac for fipsrt: a key under 112 bits must be refused
    with NotApproved (code -4) by every entry point; other vectors run unchanged."""
    def check(self, key, data, digest, hashfunc, hashname, digest_size, block_size):
        if len(key) >= MIN_KEY:
            return assert_hmac(self, key, data, digest, hashfunc, hashname, digest_size,
                               block_size)
        for make in (lambda: fipsrt.hmac.new(key, data, hashname),
                     lambda: fipsrt.hmac.HMAC(key, data, hashfunc),
                     lambda: fipsrt.hmac.digest(key, data, hashname)):
            with self.assertRaises(fipsrt.NotApproved) as cm:
                make()
            self.assertEqual(cm.exception.code, -4)
        REFUSED.append(hashname)
    return check


REFUSED = []


def load():
    saved = {n: sys.modules.get(n) for n in ("hashlib", "hmac") + HIDDEN}
    sys.modules["hashlib"] = make_hashlib()
    sys.modules["hmac"] = make_hmac()
    for n in HIDDEN:
        sys.modules[n] = None  # import raises ModuleNotFoundError
    import logging
    import warnings
    from test import support
    # No network: the SHA-3/SHAKE vector files of pythontest.net are not fetched (those
    # tests skip: "resource 'urlfetch' is not enabled"); bigmem tests skip too.
    support.use_resources = []
    logging.disable(logging.ERROR)  # CPython's hashlib, imported fresh, logs hidden modules
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Did a C extension fail to compile?" for hidden ones
        from test import test_hashlib, test_hmac
    logging.disable(logging.NOTSET)
    th = test_hashlib
    names = th.HashLibTestCase.supported_hash_names
    th.HashLibTestCase.supported_hash_names = tuple(n for n in names if "blake2" not in n)
    th.HashLibTestCase._warn_on_extension_import = False
    th.openssl_hashlib = sys.modules["hashlib"]     # KDFTests.test_pbkdf2_hmac_c: fipsrt's
    th.openssl_md_meth_names = frozenset(n for n in fipsrt.algorithms_available
                                         if not n.startswith("shake"))
    th.builtin_hashlib = None
    test_hmac.TestVectorsTestCase.assert_hmac = short_key_refused(
        test_hmac.TestVectorsTestCase.assert_hmac)
    for tid, reason in SKIPS.items():
        mod, cls, meth = tid.split(".")
        c = getattr({"test_hashlib": th, "test_hmac": test_hmac}[mod], cls)
        setattr(c, meth, unittest.skip(reason)(getattr(c, meth)))
    return saved, (th, test_hmac)


class Result(unittest.TextTestResult):
    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.passed = []

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed.append(test.id())


def main():
    _, mods = load()
    ok = True
    for mod in mods:
        suite = unittest.defaultTestLoader.loadTestsFromModule(mod)
        runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=2, resultclass=Result)
        r = runner.run(suite)
        name = mod.__name__.split(".")[-1]
        print("%s: %d run, %d passed, %d skipped, %d failed, %d errors" % (
            name, r.testsRun, len(r.passed), len(r.skipped), len(r.failures), len(r.errors)))
        for t, why in r.skipped:
            print("  skipped %s: %s" % (t.id(), why))
        ok = ok and r.wasSuccessful()
    print("HMAC vectors with keys under 112 bits asserted refused (NotApproved): %d"
          % len(REFUSED))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
