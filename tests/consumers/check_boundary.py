#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The FIPS boundary by construction (issue 9, docs/BOUNDARY.md): no file in lib/ lets
OpenSSL fall back to the process's *current* defaults, which any code in the process can
change after start-up.

Two checks:
1. Source: every call of an OpenSSL function that takes a library context or a property
   query passes something other than NULL/0 in those positions (in practice frt_libctx() and
   FRT_PROPQ); and no call of a function that implicitly uses the default context (RAND_bytes,
   EVP_sha256(), EVP_PKEY_CTX_new, d2i_PUBKEY, X509_new(), SSL_CTX_new, PKCS8_decrypt, ...).
2. Symbols: the objects of libfipsrt.a import none of those implicit-default functions (this
   also catches calls hidden behind macros).
Justified exceptions are listed in EXCEPTIONS below, each with its reason."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testlib  # noqa: E402

LIB = os.path.join(testlib.SOURCE, "lib")

# function -> 0-based argument positions that are a library context or a property query.
CTX_ARGS = {
    "EVP_MD_fetch": (0, 2), "EVP_CIPHER_fetch": (0, 2), "EVP_MAC_fetch": (0, 2),
    "EVP_KDF_fetch": (0, 2), "EVP_SIGNATURE_fetch": (0, 2), "EVP_ASYM_CIPHER_fetch": (0, 2),
    "EVP_KEYEXCH_fetch": (0, 2), "EVP_KEYMGMT_fetch": (0, 2), "EVP_RAND_fetch": (0, 2),
    "EVP_KEM_fetch": (0, 2), "OSSL_ENCODER_fetch": (0, 2), "OSSL_DECODER_fetch": (0, 2),
    "EVP_PKEY_CTX_new_from_name": (0, 2), "EVP_PKEY_CTX_new_from_pkey": (0, 2),
    "OSSL_DECODER_CTX_new_for_pkey": (5, 6), "OSSL_ENCODER_CTX_new_for_pkey": (4,),
    "PKCS8_encrypt_ex": (8, 9), "PKCS8_decrypt_ex": (3, 4), "PKCS8_set0_pbe_ex": (4, 5),
    "EVP_PKCS82PKEY_ex": (1, 2), "EVP_PKEY2PKCS8": (),
    "SSL_CTX_new_ex": (0, 1),
    "X509_new_ex": (0, 1), "X509_REQ_new_ex": (0, 1), "X509_CRL_new_ex": (0, 1),
    "X509_PUBKEY_new_ex": (0, 1), "X509_STORE_CTX_new_ex": (0, 1),
    "X509_STORE_load_file_ex": (2, 3), "X509_STORE_load_store_ex": (2, 3),
    "X509_STORE_load_locations_ex": (3, 4), "X509_STORE_set_default_paths_ex": (1, 2),
    "RAND_bytes_ex": (0,), "RAND_priv_bytes_ex": (0,),
    "RAND_get0_primary": (0,), "RAND_get0_public": (0,), "RAND_get0_private": (0,),
    "EVP_DigestSignInit_ex": (3, 4), "EVP_DigestVerifyInit_ex": (3, 4),
    "EVP_Q_digest": (0, 2), "EVP_Q_mac": (0, 2), "EVP_PKEY_Q_keygen": (0, 1),
    "d2i_PUBKEY_ex": (3, 4), "d2i_PrivateKey_ex": (4, 5), "d2i_AutoPrivateKey_ex": (3, 4),
    "PEM_read_bio_PrivateKey_ex": (4, 5), "PEM_read_bio_PUBKEY_ex": (4, 5),
    "EVP_PKEY_new_raw_private_key_ex": (0, 2), "EVP_PKEY_new_raw_public_key_ex": (0, 2),
    "EC_GROUP_new_by_curve_name_ex": (0, 1), "EC_KEY_new_ex": (0, 1),
    "OSSL_STORE_open_ex": (1, 2), "ASN1_item_sign_ex": (), "ASN1_item_verify_ex": (6, 7),
    "EVP_default_properties_enable_fips": (0,), "EVP_set_default_properties": (0,),
    "OSSL_PROVIDER_load": (0,), "OSSL_PROVIDER_try_load": (0,),
    "OSSL_PROVIDER_available": (0,), "OSSL_LIB_CTX_load_config": (0,),
    "EVP_default_properties_is_fips_enabled": (0,),
}

# Functions that always use the default library context (or a default property query);
# each has an _ex / _from_ / fetch form that names the context.
IMPLICIT = [
    "RAND_bytes", "RAND_priv_bytes", "RAND_seed", "RAND_add", "RAND_status",
    "EVP_get_digestbyname", "EVP_get_cipherbyname", "EVP_get_digestbynid",
    "EVP_get_cipherbynid", "EVP_get_digestbyobj", "EVP_get_cipherbyobj",
    "EVP_PKEY_CTX_new", "EVP_PKEY_CTX_new_id", "EVP_DigestSignInit", "EVP_DigestVerifyInit",
    "EVP_PKEY_new_raw_private_key", "EVP_PKEY_new_raw_public_key", "EVP_PKEY_new_mac_key",
    "EVP_PKCS82PKEY", "PKCS8_decrypt", "PKCS8_encrypt", "PKCS5_PBKDF2_HMAC",
    "PKCS5_PBKDF2_HMAC_SHA1", "EVP_BytesToKey", "EVP_PBE_CipherInit",
    "d2i_PUBKEY", "d2i_PrivateKey", "d2i_AutoPrivateKey", "d2i_PUBKEY_bio",
    "d2i_PrivateKey_bio", "d2i_PKCS8PrivateKey_bio", "PEM_read_bio_PrivateKey",
    "PEM_read_bio_PUBKEY", "PEM_read_PrivateKey",
    "X509_new", "X509_REQ_new", "X509_CRL_new", "X509_STORE_CTX_new",
    "X509_STORE_load_file", "X509_STORE_load_store", "X509_STORE_load_locations",
    "X509_STORE_set_default_paths", "X509_LOOKUP_load_file",
    "SSL_CTX_new", "OSSL_STORE_open", "ASN1_item_sign", "ASN1_item_verify",
    # (EVP_Digest/EVP_DigestInit/EVP_CipherInit take an EVP_MD/EVP_CIPHER: with one from the
    #  table they stay in its provider; the legacy getters that would make them implicit,
    #  EVP_sha256() and co., are refused below.)
    "EC_KEY_new", "EC_KEY_new_by_curve_name", "EC_GROUP_new_by_curve_name",
    "EC_KEY_generate_key", "RSA_new", "RSA_generate_key_ex", "RSA_sign", "RSA_verify",
    "ECDSA_sign", "ECDSA_do_sign", "ECDSA_verify", "ECDH_compute_key",
    "HMAC", "HMAC_Init_ex", "CMAC_Init", "SHA1", "SHA224", "SHA256", "SHA384", "SHA512",
    "MD5", "SHA256_Init", "AES_encrypt", "AES_set_encrypt_key",
]
# Legacy method getters: EVP_sha256(), EVP_aes_256_gcm(), EVP_md5(), ...
IMPLICIT_RE = re.compile(r"^(EVP_(md_null|md[245]|sha\w*|aes_\w+|chacha\w*|des\w*|"
                         r"ripemd\w*|sm3|sm4\w*|blake2\w*|enc_null))$")
# Calls that are fine with a prepared object: d2i_X509(&x, ...) / PEM_read_bio_X509(b, &x)
# decode into an X509 made by X509_new_ex(frt_libctx(), ...); with NULL they make a new one
# in the default context.
OBJ_ARG = {"d2i_X509": 0, "PEM_read_bio_X509": 1, "d2i_X509_PUBKEY": 0, "PEM_read_bio_X509_AUX": 1,
           "d2i_X509_REQ": 0, "d2i_X509_CRL": 0}

# (file, function called, reason). Everything else must name the library context.
EXCEPTIONS = [
    ("insecure.c", "*", "the non-security MD5 entry point runs in its own private context "
     "with the default provider, outside the FIPS boundary by design (SPEC 1.4)"),
    ("runtime.c", "OSSL_PROVIDER_try_load", "forcing the process-wide default context "
     "into FIPS mode for other OpenSSL users (SPEC 1.1) is the point of these calls"),
    ("runtime.c", "OSSL_PROVIDER_available", "idem: checks the process default context"),
    ("runtime.c", "EVP_default_properties_enable_fips", "idem: forces the process default"),
    ("runtime.c", "EVP_default_properties_is_fips_enabled", "idem, and fipsrt_get_info's "
     "report of whether the process default is still forced"),
    ("runtime.c", "RAND_get0_primary", "idem: checks the process-wide DRBGs are FIPS ones"),
    ("runtime.c", "RAND_get0_public", "idem"),
    ("runtime.c", "RAND_get0_private", "idem"),
]


def excepted(fname, func):
    return any(f == fname and (c == "*" or c == func) for f, c, _ in EXCEPTIONS)


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    # string literals: keep their length, drop content (so "(NULL," in a message is ignored)
    return re.sub(r'"(\\.|[^"\\])*"', lambda m: '"' + "x" * (len(m.group(0)) - 2) + '"', text)


def call_args(text, start):
    """Split the arguments of the call whose '(' is at text[start]."""
    depth, args, cur, i = 0, [], [], start
    while i < len(text):
        c = text[i]
        if c in "([{":
            depth += 1
            if depth > 1:
                cur.append(c)
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append("".join(cur).strip())
                return args
            cur.append(c)
        elif c == "," and depth == 1:
            args.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    return args


problems = []
calls_checked = 0
for fname in sorted(os.listdir(LIB)):
    if not fname.endswith((".c", ".h")):
        continue
    text = strip_comments(open(os.path.join(LIB, fname)).read())
    for m in re.finditer(r"\b([A-Za-z_]\w*)\s*\(", text):
        func = m.group(1)
        line = text.count("\n", 0, m.start()) + 1
        where = "lib/%s:%d" % (fname, line)
        prev = text[max(0, m.start() - 40):m.start()]
        if re.search(r"(#\s*define\s+|\bstatic\s+[\w\s\*]*|\bint\s+|\bvoid\s+)$", prev):
            continue  # a definition or declaration, not a call
        if excepted(fname, func):
            continue
        if func in IMPLICIT or IMPLICIT_RE.match(func):
            problems.append("%s: %s() uses the process's default library context; use the "
                            "form that takes frt_libctx()/FRT_PROPQ" % (where, func))
            continue
        if func in CTX_ARGS:
            calls_checked += 1
            args = call_args(text, m.end() - 1)
            for pos in CTX_ARGS[func]:
                if pos >= len(args) or args[pos] in ("NULL", "0", "(void *)0", '""'):
                    problems.append("%s: %s() argument %d is %s: OpenSSL falls back to the "
                                    "current defaults; pass frt_libctx()/FRT_PROPQ"
                                    % (where, func, pos + 1, args[pos] if pos < len(args)
                                       else "missing"))
        if func in OBJ_ARG:
            calls_checked += 1
            args = call_args(text, m.end() - 1)
            if OBJ_ARG[func] < len(args) and args[OBJ_ARG[func]] in ("NULL", "0"):
                problems.append("%s: %s(NULL, ...) allocates its object in the default "
                                "context; decode into one made with frt_libctx()"
                                % (where, func))

# ---- symbols: what the objects of libfipsrt.a import ------------------------------------
archive = os.environ.get("FIPSRT_STATIC_LIBRARY")
objects_checked = 0
if archive and os.path.exists(archive):
    out = subprocess.run(["nm", "-u", "-A", archive], capture_output=True, text=True,
                         check=True).stdout
    for row in out.splitlines():
        # "path/libfipsrt.a:lib_foo.c.o:                 U SYMBOL"
        parts = row.split()
        if len(parts) < 3 or parts[-2] != "U":
            continue
        sym = parts[-1].split("@")[0]
        obj = parts[0].rstrip(":").split(":")[-1]
        src = re.sub(r"^.*?([a-z_0-9]+\.c)\.o$", r"\1", obj)
        objects_checked += 1
        if excepted(src, sym) or excepted(src, "*"):
            continue
        if sym in IMPLICIT or IMPLICIT_RE.match(sym):
            problems.append("%s imports %s (uses the default library context)" % (obj, sym))
else:
    problems.append("FIPSRT_STATIC_LIBRARY not set or missing: symbol check not run")

print("checked %d context-taking calls in lib/ and %d imported symbols" %
      (calls_checked, objects_checked))
for reason in EXCEPTIONS:
    print("exception: lib/%s %s: %s" % reason)
if calls_checked < 20:
    problems.append("only %d context-taking calls found: the scanner is broken" % calls_checked)
if problems:
    testlib.fail("the FIPS boundary is not named explicitly:\n  " + "\n  ".join(problems))
print("ok")
