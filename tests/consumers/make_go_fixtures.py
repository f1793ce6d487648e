#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Synthetic Go binaries for the crypto routes that cannot be built on this machine.

Debian's Go 1.19 builds the standard-crypto and BoringCrypto routes for real
(check_audit_go.py). The golang-fips toolchain, Microsoft's Go, Go's native FIPS 140-3
module (Go >= 1.24) and the pre-1.18 pointer layout of the build info cannot be built here,
so this script writes ELF64 little-endian executables that carry exactly what `fipsrt check`
reads from a real one, laid out as Go's linker lays it out:

  .go.buildinfo (writable, 16-byte aligned): "\\xff Go buildinf:", pointer size, flags
      (0x2 = strings inline), then at offset 32 two uvarint-prefixed strings: the version
      ("go1.22.2 X:boringcrypto") and the module info framed by 16-byte sentinels; or, in
      the pointer layout (flags without 0x2), at offset 16 the addresses of two Go string
      headers {data pointer, length} elsewhere in the data segment;
  .gopclntab (read-only): function names, NUL-separated, as the pclntab's name table holds
      them ("vendor/github.com/golang-fips/openssl/v2._Cfunc_go_openssl_OpenSSL_version");
  two PT_LOAD segments (read-only text/data, writable data) so addresses resolve.

The function names are those `go tool nm` prints for such binaries (the issue quotes the
golang-fips one). `--no-sections` drops the section headers (as sstrip does), so the reader
must find the blob in the writable segment and the names in the read-only one.

  make_go_fixtures.py OUTDIR           writes one executable per fixture
  make_go_fixtures.py --seeds OUTDIR   writes the raw build-info blobs (fuzzing seeds)
"""
import os
import struct
import sys

MAGIC = b"\xff Go buildinf:"
SENTINEL_START = bytes.fromhex("3077af0c9274080241e1c107e6d618e6")
SENTINEL_END = bytes.fromhex("f932433186182072008242104116d8f2")
RO_ADDR, RW_ADDR = 0x400000, 0x600000


def uvarint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def modinfo(path, settings):
    lines = ["path\t%s" % path, "mod\t%s\t(devel)\t" % path]
    lines += ["build\t%s=%s" % kv for kv in settings]
    return SENTINEL_START + ("\n".join(lines) + "\n").encode() + SENTINEL_END


def inline_blob(version, mod):
    head = MAGIC + bytes([8, 0x2]) + bytes(16)
    return head + uvarint(len(version)) + version.encode() + uvarint(len(mod)) + mod


def pointer_blob(version, mod, blob_addr):
    """Pointer layout: header, then two string headers, then the string bytes."""
    vers_hdr = blob_addr + 32
    mod_hdr = vers_hdr + 16
    vers_data = mod_hdr + 16
    mod_data = vers_data + len(version)
    head = MAGIC + bytes([8, 0x0]) + struct.pack("<QQ", vers_hdr, mod_hdr)
    return (head + struct.pack("<QQ", vers_data, len(version)) +
            struct.pack("<QQ", mod_data, len(mod)) + version.encode() + mod)


FIXTURES = {
    # golang-fips: the seed image's toolchain. It reports X:boringcrypto, but its functions
    # are golang-fips/openssl's: the route must be golang-fips, never BoringCrypto.
    "golang-fips": dict(
        version="go1.22.2 X:boringcrypto",
        settings=[("-compiler", "gc"), ("CGO_ENABLED", "1"), ("GOARCH", "amd64"),
                  ("GOEXPERIMENT", "boringcrypto"), ("GOOS", "linux")],
        names=["vendor/github.com/golang-fips/openssl/v2._Cfunc_go_openssl_OpenSSL_version",
               "vendor/github.com/golang-fips/openssl/v2.NewSHA256",
               "crypto/internal/backend.init", "crypto/sha256.New", "crypto/tls.(*Conn).Read"],
        route="go-golang-fips-openssl"),
    # Microsoft's Go with its system crypto experiment (OpenSSL through its backend).
    "microsoft": dict(
        version="go1.22.5 X:systemcrypto",
        settings=[("CGO_ENABLED", "1"), ("GOEXPERIMENT", "systemcrypto"), ("GOOS", "linux")],
        names=["vendor/github.com/golang-fips/openssl/v2._Cfunc_go_openssl_EVP_MD_fetch",
               "crypto/internal/backend.init", "crypto/sha256.New"],
        route="go-microsoft-systemcrypto"),
    # Go's native FIPS 140-3 module, frozen version v1.0.0, on by default.
    "gofips140": dict(
        version="go1.24.0",
        settings=[("CGO_ENABLED", "0"), ("DefaultGODEBUG", "fips140=on"),
                  ("GOFIPS140", "v1.0.0"), ("GOOS", "linux")],
        names=["crypto/internal/fips140/v1.0.0/sha256.New", "crypto/sha256.New",
               "crypto/internal/fips140/v1.0.0/check.init.0"],
        route="go-fips140"),
    # fips140=only through DefaultGODEBUG (a //go:debug line), no GOFIPS140 snapshot.
    "fips140-only": dict(
        version="go1.24.3",
        settings=[("CGO_ENABLED", "0"), ("DefaultGODEBUG", "asynctimerchan=1,fips140=only"),
                  ("GOOS", "linux")],
        names=["crypto/internal/fips140/sha256.New", "crypto/sha256.New"],
        route="go-fips140"),
    # Go 1.17's pointer layout, standard crypto: a finding.
    "pointer-std": dict(
        version="go1.17.13", settings=[("CGO_ENABLED", "1")], pointer=True,
        names=["crypto/sha256.New", "vendor/golang.org/x/crypto/chacha20.New"],
        route="go-std-crypto"),
    # X:boringcrypto with neither module's functions: cannot be told, never guessed.
    "undetermined": dict(
        version="go1.21.0 X:boringcrypto",
        settings=[("CGO_ENABLED", "1"), ("GOEXPERIMENT", "boringcrypto")],
        names=["main.main", "runtime.main"],
        route="go-fips-undetermined"),
    # golang-fips again, without section headers: blob and names found through segments.
    "golang-fips-nosections": dict(
        version="go1.22.2 X:boringcrypto",
        settings=[("CGO_ENABLED", "1"), ("GOEXPERIMENT", "boringcrypto")],
        names=["vendor/github.com/golang-fips/openssl/v2._Cfunc_go_openssl_OpenSSL_version"],
        route="go-golang-fips-openssl", no_sections=True),
}


def build_elf(fx):
    """An ELF64 LE x86-64 executable with .gopclntab, .go.buildinfo and .shstrtab."""
    names = b"\0" + b"\0".join(n.encode() for n in fx["names"]) + b"\0"
    pcln = b"\xf1\xff\xff\xff\0\0\x01\x08" + bytes(56) + names  # Go 1.20 pclntab magic + names
    ro_off = 0x1000
    rw_off = (ro_off + len(pcln) + 0xFFF) & ~0xFFF
    blob_addr = RW_ADDR + rw_off
    mod = modinfo("example.com/" + fx.get("path", "app"), fx["settings"])
    if fx.get("pointer"):
        blob = pointer_blob(fx["version"], mod, blob_addr)
    else:
        blob = inline_blob(fx["version"], mod)
    shstr = b"\0.shstrtab\0.gopclntab\0.go.buildinfo\0"
    # At least one byte after the blob: Go's reader wants data past the last string.
    shstr_off = rw_off + ((len(blob) + 16) & ~15)
    shoff = (shstr_off + len(shstr) + 7) & ~7
    nsect = 0 if fx.get("no_sections") else 4
    out = bytearray(shoff + 64 * nsect)
    # ELF header
    out[0:16] = b"\x7fELF\x02\x01\x01" + bytes(9)
    struct.pack_into("<HHIQQQIHHHHHH", out, 16, 2, 62, 1, RO_ADDR + ro_off, 64,
                     shoff if nsect else 0, 0, 64, 56, 2, 64, nsect, 1 if nsect else 0)
    # PT_LOAD r-x: file [0, rw_off) at RO_ADDR; PT_LOAD rw-: file [rw_off, ...) at RW_ADDR+rw_off
    struct.pack_into("<IIQQQQQQ", out, 64, 1, 5, 0, RO_ADDR, RO_ADDR, rw_off, rw_off, 0x1000)
    rw_size = shstr_off - rw_off
    struct.pack_into("<IIQQQQQQ", out, 64 + 56, 1, 6, rw_off, RW_ADDR + rw_off,
                     RW_ADDR + rw_off, rw_size, rw_size, 0x1000)
    out[ro_off:ro_off + len(pcln)] = pcln
    out[rw_off:rw_off + len(blob)] = blob
    out[shstr_off:shstr_off + len(shstr)] = shstr
    if nsect:
        def sh(i, name, typ, flags, addr, off, size, align):
            struct.pack_into("<IIQQQQIIQQ", out, shoff + 64 * i, name, typ, flags, addr, off,
                             size, 0, 0, align, 0)
        sh(1, 1, 3, 0, 0, shstr_off, len(shstr), 1)                               # .shstrtab
        sh(2, 11, 1, 2, RO_ADDR + ro_off, ro_off, len(pcln), 32)                  # .gopclntab
        sh(3, 22, 1, 3, RW_ADDR + rw_off, rw_off, len(blob), 16)                  # .go.buildinfo
    return bytes(out), blob


def main(argv):
    seeds = argv[1:2] == ["--seeds"]
    outdir = argv[2] if seeds else argv[1] if len(argv) > 1 else None
    if outdir is None:
        sys.exit(__doc__)
    os.makedirs(outdir, exist_ok=True)
    for name, fx in FIXTURES.items():
        elf, blob = build_elf(fx)
        path = os.path.join(outdir, name + (".blob" if seeds else ""))
        with open(path, "wb") as f:
            if seeds and fx.get("pointer"):
                # The fuzz target maps its input at address 0: re-aim the pointers there.
                blob = pointer_blob(fx["version"], modinfo("example.com/app", fx["settings"]), 0)
            f.write(blob if seeds else elf)
        if not seeds:
            os.chmod(path, 0o755)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
