#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The fipsrt tool's outputs (issue 9 §5): every write is checked (a full disk is a failed
command, exit 2), files are written to a temporary file in the target directory and renamed
only on success (no truncated file, no certificate without its key, an old file survives a
failed run), and secret outputs are 0600 even when they replace an existing file. Also (issue 13) every
command's usage errors, bad numbers, stdin input and unreadable inputs: exact exit status
and message, nothing on stdout, no output file."""
import json
import os
import resource
import select
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import termios
import time

CLI = os.environ.get("FIPSRT_CLI")
problems = []


def run(args, stdin=b"", stdout=subprocess.PIPE, fsize=None):
    def limit():
        if fsize is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # write() fails with EFBIG instead
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    return subprocess.run([CLI] + args, input=stdin, stdout=stdout, stderr=subprocess.PIPE,
                          preexec_fn=limit, timeout=120)


def expect(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        problems.append(what)


def leftovers(d):
    return [n for n in os.listdir(d) if n.startswith(".fipsrt-out.")]


if not CLI:
    print("FIPSRT_CLI not set (run through meson test)")
    sys.exit(1)

with tempfile.TemporaryDirectory() as d:
    data = os.path.join(d, "data.txt")
    with open(data, "wb") as f:
        f.write(b"x" * 8192)
    key = os.path.join(d, "aes.key")
    with open(key, "w") as f:
        f.write("00112233445566778899aabbccddeeff\n")

    # 1. stdout on a full device: every command that prints must fail
    full_cmds = [
        ["random", "64"], ["random", "64", "--hex"], ["hash", "sha256", data],
        ["hmac", "sha256", "--key-hex", "00112233445566778899aabbccddeeff", data],
        ["kdf", "hkdf", "--hash", "sha256", "--ikm-hex", "00112233445566778899aabbccddeeff",
         "--length", "32"],
        ["kdf", "pbkdf2", "--hash", "sha256", "--salt-hex", "00112233445566778899aabbccddeeff",
         "--iterations", "1000", "--length", "32"],
        ["passwd"], ["status"], ["status", "--json"],
        ["aead", "seal", "--key-file", key, "--in", data],
    ]
    with open("/dev/full", "wb") as full:
        for c in full_cmds:
            r = run(c, stdin=b"password\n", stdout=full)
            expect(r.returncode == 2 and b"No space left" in r.stderr,
                   "fipsrt %s > /dev/full exits 2 with the error (got %d: %s)"
                   % (" ".join(c[:2]), r.returncode, r.stderr.decode(errors="replace").strip()))

    # 2. a write that fails half-way leaves no truncated file, and keeps an old one
    sealed = os.path.join(d, "sealed.bin")
    r = run(["aead", "seal", "--key-file", key, "--in", data, "--out", sealed])
    expect(r.returncode == 0 and os.path.getsize(sealed) == 8192 + 28, "aead seal to a file")
    plain = os.path.join(d, "plain.txt")
    r = run(["aead", "open", "--key-file", key, "--in", sealed, "--out", plain], fsize=4096)
    expect(r.returncode == 2 and not os.path.exists(plain),
           "aead open past RLIMIT_FSIZE: exit 2 and no truncated output (got %d, exists %s)"
           % (r.returncode, os.path.exists(plain)))
    with open(plain, "wb") as f:
        f.write(b"old content")
    r = run(["aead", "open", "--key-file", key, "--in", sealed, "--out", plain], fsize=4096)
    expect(r.returncode == 2 and open(plain, "rb").read() == b"old content",
           "aead open failing over an existing file leaves it untouched")
    rsa = os.path.join(d, "rsa.pem")
    r = run(["keygen", "rsa", "--bits", "2048", "-o", rsa], fsize=1000)
    expect(r.returncode == 2 and not os.path.exists(rsa),
           "keygen past RLIMIT_FSIZE: exit 2 and no truncated key (got %d, exists %s)"
           % (r.returncode, os.path.exists(rsa)))
    cert, ckey = os.path.join(d, "c.pem"), os.path.join(d, "nodir", "c.key")
    r = run(["cert", "selfsign", "--cn", "x", "--out", cert, "--key-out", ckey])
    expect(r.returncode == 2 and not os.path.exists(cert),
           "cert selfsign whose key cannot be written leaves no certificate (got %d, cert %s)"
           % (r.returncode, os.path.exists(cert)))
    r = run(["cert", "selfsign", "--cn", "x", "--key-type", "rsa2048", "--out", cert,
             "--key-out", os.path.join(d, "c.key")], fsize=1400)
    expect(r.returncode == 2 and not os.path.exists(cert)
           and not os.path.exists(os.path.join(d, "c.key")),
           "cert selfsign with the key write failing half-way leaves neither file (got %d)"
           % r.returncode)
    expect(leftovers(d) == [], "no temporary files left behind: %s" % leftovers(d))

    # 3. secret outputs are 0600, also when they replace a 0644 file
    old_umask = os.umask(0o022)
    for name, args, secret in [
        ("keygen ec", ["keygen", "ec", "-o", "{}"], True),
        ("cert --key-out", ["cert", "selfsign", "--cn", "x", "--out",
                            os.path.join(d, "c2.pem"), "--key-out", "{}"], True),
        ("aead open --out", ["aead", "open", "--key-file", key, "--in", sealed, "--out", "{}"],
         True),
        ("aead seal --out", ["aead", "seal", "--key-file", key, "--in", data, "--out", "{}"],
         False),
    ]:
        target = os.path.join(d, "target-" + name.replace(" ", "_"))
        with open(target, "w") as f:
            f.write("old")
        os.chmod(target, 0o644)
        r = run([a.replace("{}", target) for a in args])
        mode = stat.S_IMODE(os.stat(target).st_mode)
        want = 0o600 if secret else 0o644
        expect(r.returncode == 0 and mode == want,
               "%s over an existing 0644 file: mode %o, want %o (rc %d)"
               % (name, mode, want, r.returncode))
    os.umask(old_umask)

    # 4. a symbolic link is followed (the file it names gets the output, the link stays), and a
    # target that is not a regular file is written in place: renaming over a device node once
    # replaced this machine's /dev/null with a regular file (a private null device here).
    real_dir = os.path.join(d, "real")
    os.mkdir(real_dir)
    real = os.path.join(real_dir, "key.pem")
    with open(real, "w") as f:
        f.write("old")
    link = os.path.join(d, "key-link.pem")
    os.symlink(real, link)
    r = run(["keygen", "ec", "-o", link])
    with open(real, "rb") as f:
        body = f.read()
    expect(r.returncode == 0 and os.path.islink(link) and b"PRIVATE KEY" in body
           and stat.S_IMODE(os.stat(real).st_mode) == 0o600 and not leftovers(real_dir),
           "keygen -o through a symbolic link writes the file it names and keeps the link "
           "(rc %d)" % r.returncode)
    if os.geteuid() == 0:
        null = os.path.join(d, "null")
        os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        for args in (["keygen", "ec", "-o", null],
                     ["aead", "seal", "--key-file", key, "--in", data, "--out", null]):
            r = run(args)
            expect(r.returncode == 0 and stat.S_ISCHR(os.lstat(null).st_mode)
                   and not leftovers(d),
                   "%s into a character device writes to it and leaves the device in place "
                   "(rc %d)" % (" ".join(args[:2]), r.returncode))
    else:
        print("skip: device-node check needs root (mknod)")
    cert_mode = stat.S_IMODE(os.stat(os.path.join(d, "c2.pem")).st_mode)
    expect(cert_mode == 0o644, "a certificate is not secret: mode %o" % cert_mode)

# 5. usage errors, bad numbers, stdin ("-") and inputs that cannot be read: the exact exit
# status and message, nothing on stdout, no file written (issue 13: tools/ coverage).
USAGE = {c: "usage: fipsrt " + c for c in ("hash", "hmac", "random", "kdf", "passwd", "aead",
                                             "keygen", "pubkey", "sign", "verify", "encrypt",
                                             "status", "selftest", "cert")}
K16 = "00112233445566778899aabbccddeeff"


def refused(args, rc, first, stdin=b"", cwd=None, out_file=None):
    """fipsrt ARGS exits rc, prints nothing on stdout, stderr's first line is `first`
    (exactly, or as a prefix when it ends in '…'), and out_file (if given) does not exist."""
    r = subprocess.run([CLI] + args, input=stdin, capture_output=True, timeout=120, cwd=cwd)
    line = r.stderr.decode(errors="replace").split("\n")[0]
    ok_line = line.startswith(first[:-1]) if first.endswith("…") else line == first
    expect(r.returncode == rc and r.stdout == b"" and ok_line
           and (out_file is None or not os.path.exists(out_file)),
           "fipsrt %s: exit %d, %r (got %d, %r, stdout %r)"
           % (" ".join(args), rc, first, r.returncode, line, r.stdout[:60]))
    return r


def ok(args, stdin=b"", cwd=None):
    r = subprocess.run([CLI] + args, input=stdin, capture_output=True, timeout=120, cwd=cwd)
    if r.returncode != 0:
        expect(False, "fipsrt %s: exit 0 (got %d: %s)" % (" ".join(args), r.returncode,
                                                          r.stderr.decode(errors="replace")))
    return r


with tempfile.TemporaryDirectory() as d:
    os.chdir(d)
    open("in.txt", "wb").write(b"hi\n")
    os.mkdir("dir")
    open("k.hex", "w").write(K16 + "\n")
    open("k.bad", "wb").write(b"short")
    open("k24", "wb").write(bytes(range(24)))
    open("pass.txt", "w").write("secret\nignored second line\n")
    for a in (["keygen", "ec", "-o", "ec.pem"], ["keygen", "rsa", "--bits", "2048", "-o", "rsa.pem"],
              ["pubkey", "ec.pem", "-o", "ec.pub"], ["pubkey", "rsa.pem", "-o", "rsa.pub"],
              ["keygen", "ec", "--pass-file", "pass.txt", "-o", "enc.pem"]):
        ok(a)

    # the command dispatcher
    refused([], 2, "usage: fipsrt COMMAND [ARGS]")
    refused(["frobnicate"], 2, "fipsrt: unknown command 'frobnicate'")
    r = ok(["help"])
    expect(r.stdout.startswith(b"usage: fipsrt COMMAND [ARGS]") and b"  check [--json]" in r.stdout,
           "fipsrt help: the usage on stdout")
    r = ok(["--version"])
    expect(r.stdout.startswith(b"fipsrt ") and r.stdout.count(b"\n") == 1, "fipsrt --version")

    # hash: stdin, unreadable inputs (the reason, not a bare "read error"), bad --length
    sha_hi = "98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4"
    r = ok(["hash", "sha256"], stdin=b"hi\n")
    expect(r.stdout == (sha_hi + "  -\n").encode(), "hash of stdin, named '-': %r" % r.stdout)
    r = subprocess.run([CLI, "hash", "sha256", "in.txt", "missing", "dir"], capture_output=True)
    expect(r.returncode == 2 and r.stdout == (sha_hi + "  in.txt\n").encode()
           and r.stderr == b"fipsrt hash: missing: No such file or directory\n"
                           b"fipsrt hash: dir: Is a directory\n",
           "hash: good file printed, missing file and directory refused with the reason "
           "(got %d %r %r)" % (r.returncode, r.stdout, r.stderr))
    r = ok(["hash", "--length", "16", "shake128", "in.txt"])
    expect(r.stdout == b"2da148f0a886147f20bbf0deae3a5d14  in.txt\n", "shake128 --length 16")
    r = ok(["hash", "shake256", "in.txt"])
    expect(len(r.stdout.split()[0]) == 128, "shake256 defaults to 64 bytes")
    for bad in ("abc", "0", "-1", "16x", "257"):   # "abc" and "0" once meant the default length
        refused(["hash", "--length", bad, "shake128", "in.txt"], 2, USAGE["hash"] + " …")
    refused(["hash", "--length", "16", "sha256", "in.txt"], 2,
            "fipsrt hash: --length applies to shake128/shake256 only")
    refused(["hash", "--insecure", "sha256", "in.txt"], 2,
            "fipsrt hash: --insecure applies to md5 only")
    refused(["hash", "whirlpool"], 2, USAGE["hash"] + " …")
    refused(["hash"], 2, USAGE["hash"] + " …")

    # hmac
    refused(["hmac", "sha256"], 2, "usage: fipsrt hmac ALG --key-hex HEX [FILE...]")
    refused(["hmac", "sha256", "--key", K16, "in.txt"], 2, "usage: fipsrt hmac …")
    refused(["hmac", "sha256", "--key-hex", "zz", "in.txt"], 2,
            "fipsrt hmac: --key-hex: not a hex string")
    refused(["hmac", "sha256", "--key-hex", "abc", "in.txt"], 2,
            "fipsrt hmac: --key-hex: not a hex string")
    r = refused(["hmac", "sha256", "--key-hex", "0011", "in.txt"], 1,
                "fipsrt hmac: in.txt: not approved by the FIPS policy")
    expect(b"below the 112-bit minimum" in r.stderr, "hmac: a short key's detail")
    r = subprocess.run([CLI, "hmac", "sha256", "--key-hex", K16, "dir", "missing"],
                       capture_output=True)
    expect(r.returncode == 2 and r.stdout == b""
           and r.stderr == b"fipsrt hmac: dir: Is a directory\n"
                           b"fipsrt hmac: missing: No such file or directory\n",
           "hmac: unreadable inputs with the reason (got %d %r)" % (r.returncode, r.stderr))
    a = ok(["hmac", "sha256", "--key-hex", K16], stdin=b"hi\n").stdout
    b = ok(["hmac", "sha256", "--key-hex", K16, "in.txt"]).stdout
    expect(a.split()[0] == b.split()[0] and a.endswith(b"  -\n"), "hmac of stdin = of the file")

    # random
    for bad in (["random"], ["random", "0"], ["random", "5x"], ["random", "1048577"],
                ["random", "5", "--bin"], ["random", "5", "--hex", "x"]):
        refused(bad, 2, "usage: fipsrt random N [--hex]   (1 <= N <= 1048576)")
    r = ok(["random", "5", "--hex"])
    expect(len(r.stdout) == 11 and r.stdout.endswith(b"\n"), "random 5 --hex: 10 hex digits")

    # kdf
    hk = ["kdf", "hkdf", "--hash", "sha256", "--ikm-hex", K16]
    refused(["kdf"], 2, "usage: fipsrt kdf hkdf …")
    refused(["kdf", "scrypt", "--hash", "sha256"], 2, "usage: fipsrt kdf hkdf …")
    refused(hk, 2, "usage: fipsrt kdf hkdf …")                      # no --length
    for opt, val in (("--hash", "md4"), ("--length", "99999999"), ("--length", "0"),
                     ("--length", "x1"), ("--salt-hex", "0"), ("--info-hex", "zz"),
                     ("--bogus", "x")):
        refused(hk + ["--length", "32", opt, val], 2,
                "fipsrt kdf: bad option or value: %s %s" % (opt, val))
    refused(hk + ["--length", "32", "--info-hex"], 2, "fipsrt kdf: bad option or value: --info-hex")
    refused(hk + ["--length", "32", "--iterations", "5"], 2,
            "fipsrt kdf hkdf: needs --ikm-hex and takes no --iterations")
    pb = ["kdf", "pbkdf2", "--hash", "sha256", "--salt-hex", K16, "--length", "32"]
    refused(pb, 2, "fipsrt kdf pbkdf2: needs --salt-hex and --iterations, takes no --ikm-hex "
                   "or --info-hex")
    refused(pb + ["--iterations", "1000", "--info-hex", "00"], 2, "fipsrt kdf pbkdf2: needs …")
    refused(pb + ["--iterations", "10"], 1, "fipsrt kdf: pbkdf2: not approved by the FIPS policy",
            stdin=b"password")
    r = ok(hk + ["--salt-hex", K16, "--info-hex", "0102", "--length", "16"])
    expect(len(r.stdout) == 33, "hkdf with salt and info: 16 bytes in hex")

    # passwd (stdin; the terminal is below)
    refused(["passwd", "--bogus"], 2, "usage: fipsrt passwd [--rounds N] …")
    for bad in ("0", "x", "4294967296"):
        refused(["passwd", "--rounds", bad], 2, "usage: fipsrt passwd [--rounds N] …")
    refused(["passwd", "--rounds", "1000", "--verify", "x"], 2,
            "fipsrt passwd: --rounds applies to hashing only")
    refused(["passwd", "--rounds", "5"], 1, "fipsrt passwd: hash: not approved by the FIPS policy",
            stdin=b"pw\n")
    r = refused(["passwd", "--verify", "garbage"], 1, "fipsrt passwd: verify: malformed input",
                stdin=b"pw\n")
    r = subprocess.run([CLI, "passwd"], stdin=os.open("dir", os.O_RDONLY | os.O_DIRECTORY),
                       capture_output=True)
    expect(r.returncode == 2 and r.stderr == b"fipsrt passwd: Is a directory\n",
           "passwd with a directory on stdin: exit 2 and the reason (got %d %r)"
           % (r.returncode, r.stderr))
    h = ok(["passwd", "--rounds", "1000"], stdin=b"pw\r\nrest").stdout.strip()
    r = ok(["passwd", "--verify", h.decode()], stdin=b"pw")
    expect(r.stdout in (b"valid\n", b"valid, needs rehash\n"),
           "a CRLF-terminated password verifies without its line ending: %r" % r.stdout)

    # aead
    ak = ["aead", "seal", "--key-file"]
    refused(["aead"], 2, "usage: fipsrt aead seal|open …")
    refused(["aead", "seal"], 2, "usage: fipsrt aead seal|open …")
    refused(["aead", "seal", "--key-file", "k.hex", "--hex", "--base64"], 2,
            "usage: fipsrt aead seal|open …")
    r = ok(["aead", "--help"])
    expect(r.stdout.startswith(b"usage: fipsrt aead seal|open"), "aead --help on stdout")
    refused(ak + ["k.hex", "--aad-hex", "zz", "--in", "in.txt"], 2,
            "fipsrt aead: --aad-hex: not a hex string")
    refused(ak + ["missing", "--in", "in.txt"], 2, "fipsrt aead: missing: No such file or directory")
    refused(ak + ["k.bad", "--in", "in.txt"], 2, "fipsrt aead: k.bad: not a key (want 16, 24 or "
            "32 raw bytes, or 32, 48 or 64 hex digits)")
    refused(ak + ["k.hex", "--in", "dir"], 2, "fipsrt aead: dir: Is a directory")
    refused(ak + ["k.hex", "--in", "in.txt", "--out", "dir"], 2, "fipsrt aead: dir: Is a directory")
    refused(["aead", "open", "--key-file", "k.hex", "--hex", "--in", "in.txt"], 2,
            "fipsrt aead: in.txt: not valid hex")
    for name, text in (("pad-then-data.b64", b"QUJD=A\n"), ("bad-char.b64", b"QU*D\n")):
        open(name, "wb").write(text)
        refused(["aead", "open", "--key-file", "k.hex", "--base64", "--in", name], 2,
                "fipsrt aead: %s: not valid base64" % name)
    open("short.b64", "wb").write(b"QUJD\n")
    refused(["aead", "open", "--key-file", "k.hex", "--base64", "--in", "short.b64"], 1,
            "fipsrt aead: short.b64: 3 bytes is too short for nonce || ciphertext || tag "
            "(at least 28 bytes)")
    for enc in ("--hex", "--base64"):
        sealed = ok(["aead", "seal", "--key-file", "k24", "--aad-hex", "0102", enc],
                    stdin=b"hi\n").stdout
        r = ok(["aead", "open", "--key-file", "k24", "--aad-hex", "0102", enc], stdin=sealed)
        expect(r.stdout == b"hi\n", "aead %s round trip through stdin (AES-192 raw key)" % enc)
        refused(["aead", "open", "--key-file", "k24", "--aad-hex", "0103", enc, "--out", "o"], 1,
                "fipsrt aead open: -: verification failed", stdin=sealed, out_file="o")

    # keygen, pubkey, sign, verify, encrypt, decrypt
    refused(["keygen", "ec", "-o"], 2, "fipsrt keygen: -o needs a value")
    refused(["keygen", "ec", "--frob", "-o", "x.pem"], 2, "fipsrt keygen: unknown option '--frob'",
            out_file="x.pem")
    refused(["keygen", "ec", "a", "b", "-o", "x.pem"], 2, "usage: fipsrt keygen …", out_file="x.pem")
    refused(["keygen", "dsa", "-o", "x.pem"], 2, "fipsrt keygen: the key type is ec or rsa",
            out_file="x.pem")
    refused(["keygen", "rsa", "--curve", "p256", "-o", "x.pem"], 2,
            "fipsrt keygen: the key type is ec or rsa", out_file="x.pem")
    refused(["keygen", "ec", "--curve", "p192", "-o", "x.pem"], 2,
            "fipsrt keygen: --curve p256|p384|p521 (approved curves only)", out_file="x.pem")
    refused(["keygen", "ec", "--bits", "256", "-o", "x.pem"], 2,
            "fipsrt keygen: --curve p256|p384|p521 (approved curves only)", out_file="x.pem")
    for bad in ("abc", "0", "2048x", "99999999999"):   # "abc" once made a 3072-bit key
        refused(["keygen", "rsa", "--bits", bad, "-o", "x.pem"], 2,
                "fipsrt keygen: --bits takes a number of bits, not '%s'" % bad, out_file="x.pem")
    refused(["keygen", "rsa", "--bits", "1024", "-o", "x.pem"], 1, "fipsrt keygen: rsa: …",
            out_file="x.pem")
    refused(["keygen", "ec", "--pass-file", "missing", "-o", "x.pem"], 2,
            "fipsrt keygen: missing: No such file or directory", out_file="x.pem")
    for curve in ("P-384", "secp521r1"):
        ok(["keygen", "ec", "--curve", curve, "--der", "-o", "x.der"])
    refused(["pubkey"], 2, "usage: fipsrt pubkey KEY [--pass-file FILE] [--der] [-o PUB]")
    refused(["pubkey", "missing"], 2, "fipsrt pubkey: missing: No such file or directory")
    refused(["pubkey", "in.txt"], 1, "fipsrt pubkey: in.txt: malformed input")
    refused(["pubkey", "enc.pem"], 2, "fipsrt pubkey: enc.pem: invalid argument")
    refused(["pubkey", "enc.pem", "--pass-file", "in.txt"], 1,
            "fipsrt pubkey: enc.pem: verification failed")
    refused(["pubkey", "enc.pem", "--pass-file", "dir"], 2, "fipsrt pubkey: dir: Is a directory")
    r = ok(["pubkey", "enc.pem", "--pass-file", "pass.txt"])
    expect(r.stdout == open("ec.pub", "rb").read() or r.stdout.startswith(b"-----BEGIN PUBLIC KEY"),
           "pubkey of an encrypted key with --pass-file (first line of the file)")
    r = ok(["pubkey", "-", "--der"], stdin=open("ec.pem", "rb").read())
    expect(r.stdout[:1] == b"\x30", "pubkey of a key on stdin, DER out")
    refused(["sign", "--key", "ec.pem", "--hash", "md4", "in.txt"], 2,
            "fipsrt sign: unknown hash 'md4' (sha224 sha256 sha384 sha512 sha512-224 sha512-256 "
            "sha3-224 sha3-256 sha3-384 sha3-512)")
    refused(["sign", "in.txt"], 2, "usage: fipsrt sign …")
    refused(["sign", "--key", "ec.pem", "--pss", "in.txt"], 2, "fipsrt sign: --pss is for RSA keys")
    refused(["sign", "--key", "ec.pem", "--format", "xyz", "in.txt"], 2,
            "fipsrt sign: --format der|p1363")
    refused(["sign", "--key", "rsa.pem", "--format", "p1363", "in.txt"], 2,
            "fipsrt sign: --format applies to EC keys (RSA signatures have one form)")
    refused(["sign", "--key", "ec.pem", "dir"], 2, "fipsrt sign: dir: Is a directory")
    refused(["sign", "--key", "ec.pub", "in.txt", "-o", "s"], 1, "fipsrt sign: ec.pub: …",
            out_file="s")
    refused(["sign", "--key", "ec.pem", "in.txt", "-o", "dir"], 2, "fipsrt sign: dir: Is a directory")
    ok(["sign", "--key", "ec.pem", "--format", "p1363", "-o", "sig.p1363"], stdin=b"hi\n")
    ok(["sign", "--key", "enc.pem", "--pass-file", "pass.txt", "--hash", "sha3-256", "in.txt",
        "-o", "sig.der"])
    ok(["sign", "--key", "rsa.pem", "--pss", "in.txt", "-o", "sig.pss"])
    vf = ["verify", "--pubkey", "ec.pub", "--sig"]
    r = ok(vf + ["sig.p1363", "--format", "p1363", "in.txt"])
    expect(r.stdout == b"Verified OK\n", "verify a P1363 signature")
    r = ok(["verify", "--pubkey", "enc.pem", "--pass-file", "pass.txt", "--sig", "sig.der",
            "--hash", "sha3-256"], stdin=b"hi\n")
    expect(r.stdout == b"Verified OK\n", "verify with the private key, message on stdin")
    r = ok(["verify", "--pubkey", "rsa.pub", "--pss", "--sig", "sig.pss", "in.txt"])
    expect(r.stdout == b"Verified OK\n", "verify RSA-PSS")
    r = subprocess.run([CLI] + vf + ["sig.p1363", "--format", "p1363", "--hash", "sha384",
                        "in.txt"], capture_output=True)
    expect(r.returncode == 1 and r.stdout == b"Verification failure\n" and r.stderr == b"",
           "verify with the wrong hash: exit 1, 'Verification failure'")
    refused(["verify", "--pubkey", "ec.pub"], 2, "usage: fipsrt verify --pubkey KEY --sig SIG …")
    refused(vf + ["missing", "in.txt"], 2, "fipsrt verify: missing: No such file or directory")
    refused(vf + ["sig.p1363", "missing"], 2, "fipsrt verify: missing: No such file or directory")
    refused(vf + ["sig.p1363", "--pss", "in.txt"], 2, "fipsrt verify: --pss is for RSA keys")
    # legacy verification (SHA-1, RSA under 2048 bits): accepted with a note. The legacy
    # inputs are made by openssl with its default provider (FIPS signs neither).
    plain_env = {k: v for k, v in os.environ.items() if k not in ("OPENSSL_CONF", "OPENSSL_MODULES")}
    legacy = subprocess.run(["openssl", "dgst", "-sha1", "-sign", "ec.pem", "-out", "s1.der",
                             "in.txt"], env=plain_env, capture_output=True).returncode == 0
    legacy = legacy and subprocess.run(["openssl", "genrsa", "-out", "r1024.pem", "1024"],
                                       env=plain_env, capture_output=True).returncode == 0
    legacy = legacy and subprocess.run(["openssl", "rsa", "-in", "r1024.pem", "-pubout", "-out",
                                        "r1024.pub"], env=plain_env,
                                       capture_output=True).returncode == 0
    expect(legacy, "openssl (default provider) made the legacy test inputs")
    if legacy:
        r = ok(vf + ["s1.der", "--hash", "sha1", "in.txt"])
        expect(r.stdout == b"Verified OK\n" and r.stderr == b"fipsrt verify: note: legacy "
               b"verification (SHA-1 or RSA under 2048 bits; SP 800-131A)\n",
               "verify an ECDSA/SHA-1 signature: valid, with the legacy note (%r)" % r.stderr)
        r = ok(["pubkey", "r1024.pub", "-o", "r1024.out"])
        expect(r.stderr == b"fipsrt pubkey: note: 1024-bit RSA is a legacy key: verification "
               b"only (SP 800-131A)\n" and open("r1024.out", "rb").read() == open("r1024.pub", "rb").read(),
               "pubkey of a 1024-bit RSA key: written, with the legacy note (%r)" % r.stderr)
        refused(["pubkey", "r1024.pem", "-o", "r1024.out2"], 1,
                "fipsrt pubkey: r1024.pem: not approved by the FIPS policy", out_file="r1024.out2")
    refused(vf + ["sig.p1363", "--format", "p1363", "--hash", "md5", "in.txt"], 1,
            "fipsrt verify: in.txt: MD5 is not allowed for security use")
    # an output that is neither a file nor writable in place (a socket): refused with the reason
    sock = socket.socket(socket.AF_UNIX)
    sock.bind("sock")
    refused(["keygen", "ec", "-o", "sock"], 2, "fipsrt keygen: sock: No such device or address")
    expect(stat.S_ISSOCK(os.lstat("sock").st_mode) and not leftovers("."),
           "the socket is left in place, no temporary file")
    sock.close()
    r = subprocess.run([CLI, "kdf", "pbkdf2", "--hash", "sha256", "--salt-hex", K16,
                        "--iterations", "1000", "--length", "16"],
                       stdin=os.open("dir", os.O_RDONLY | os.O_DIRECTORY), capture_output=True)
    expect(r.returncode == 2 and r.stdout == b""
           and r.stderr == b"fipsrt kdf pbkdf2: stdin: Is a directory\n",
           "kdf pbkdf2 with a directory on stdin: exit 2 and why (%d %r)" % (r.returncode, r.stderr))
    refused(["encrypt", "--pubkey", "rsa.pub", "in.txt"], 2,
            "fipsrt encrypt: only RSA-OAEP is offered (--oaep): PKCS#1 v1.5 encryption and raw "
            "RSA are not approved")
    refused(["encrypt", "--oaep", "in.txt"], 2, "usage: fipsrt encrypt --oaep --pubkey KEY …")
    refused(["decrypt", "--oaep", "--pubkey", "rsa.pub", "x"], 2,
            "usage: fipsrt decrypt --oaep --key KEY …")
    refused(["encrypt", "--oaep", "--pubkey", "rsa.pub", "dir"], 2,
            "fipsrt encrypt: dir: Is a directory")
    refused(["encrypt", "--oaep", "--pubkey", "ec.pub", "in.txt", "-o", "ct"], 1,
            "fipsrt encrypt: in.txt: wrong key type for this operation", out_file="ct")
    refused(["encrypt", "--oaep", "--pubkey", "missing", "in.txt"], 2,
            "fipsrt encrypt: missing: No such file or directory")
    ok(["encrypt", "--oaep", "--pubkey", "rsa.pub", "--label", "L", "-o", "ct.bin"], stdin=b"hi\n")
    r = ok(["decrypt", "--oaep", "--key", "rsa.pem", "--label", "L", "ct.bin"])
    expect(r.stdout == b"hi\n", "OAEP round trip with a label, plaintext from stdin")
    refused(["decrypt", "--oaep", "--key", "rsa.pem", "--label", "M", "ct.bin", "-o", "pt"], 1,
            "fipsrt decrypt: ct.bin: verification failed", out_file="pt")

    # option spellings and options missing their value (each branch of the parsers)
    for h in ("-h", "--help"):
        expect(ok([h]).stdout.startswith(b"usage: fipsrt COMMAND [ARGS]"), "fipsrt %s" % h)
    expect(ok(["aead", "-h"]).stdout.startswith(b"usage: fipsrt aead"), "aead -h")
    for args in (["aead", "seal", "--key-file"], ["aead", "open", "--key-file", "k.hex", "--in"],
                 ["aead", "seal", "--key-file", "k.hex", "--out"],
                 ["aead", "seal", "--key-file", "k.hex", "--aad-hex"],
                 ["aead", "seal", "--key-file", "k.hex", "--hex", "--hex"],
                 ["aead", "seal", "--in", "in.txt"]):
        refused(args, 2, "usage: fipsrt aead seal|open …")
    refused(["hash", "--frob", "sha256"], 2, USAGE["hash"] + " …")
    refused(["hash", "--length"], 2, USAGE["hash"] + " …")
    refused(["kdf", "hkdf", "--ikm-hex", K16, "--length", "32"], 2, "usage: fipsrt kdf hkdf …")
    refused(["kdf", "hkdf", "--hash", "sha256", "--ikm-hex", K16, "--length"], 2,
            "fipsrt kdf: bad option or value: --length")
    refused(["keygen", "rsa", "-o", "x.pem", "--bits"], 2, "fipsrt keygen: unknown option '--bits'",
            out_file="x.pem")
    for curve in ("P-256", "prime256v1", "p384", "secp384r1", "p521", "P-521"):
        ok(["keygen", "ec", "--curve", curve, "-o", "x.pem"])
        expect(os.path.exists("x.pem"), "keygen ec --curve %s" % curve)
        os.unlink("x.pem")

    # status, selftest, cert
    # an OpenSSL configuration that also activates the default provider: reported (text and
    # JSON), not a change after start-up, and libfipsrt still forced into the FIPS provider
    conf = os.environ.get("OPENSSL_CONF")
    if conf:
        with open(conf) as f:
            extra = f.read().replace("\nbase = base_sect\n", "\nbase = base_sect\ndefault = base_sect\n")
        open("extra.cnf", "w").write(extra)
        env = dict(os.environ, OPENSSL_CONF=os.path.abspath("extra.cnf"))
        r = subprocess.run([CLI, "status", "--json"], capture_output=True, env=env)
        doc = json.loads(r.stdout) if r.returncode == 0 else {}
        expect(r.returncode == 0 and doc["process_state"] == {
                   "changed_after_startup": False, "default_properties": False,
                   "providers": False, "thread_context": False, "config_providers": True,
                   "libfipsrt_forced": True}
               and doc["fips_mode"] is True and doc["provider"]["status"] == "active",
               "status --json with a configuration activating 'default': config_providers "
               "(rc %d, %r)" % (r.returncode, doc.get("process_state")))
        r = subprocess.run([CLI, "status"], capture_output=True, env=env)
        expect(r.returncode == 0 and b"\n                  note: the OpenSSL configuration also "
               b"activates other providers (held to fips=yes by the default properties)\n"
               in r.stdout, "status (text) notes the configuration's other providers")
    refused(["status", "--bogus"], 2, "usage: fipsrt status [--json]")
    refused(["selftest", "x"], 2, "usage: fipsrt selftest")
    r = ok(["selftest"])
    expect(r.stdout == b"selftest: FIPS provider self-tests passed; library known-answer tests "
                       b"passed\n", "selftest passes: %r" % r.stdout)
    refused(["cert"], 2, "usage: fipsrt cert selfsign --cn NAME …")
    refused(["cert", "selfsign", "--cn", "x"], 2,
            "fipsrt cert: --cn and --out are required, and either --key or --key-out")
    cs = ["cert", "selfsign", "--cn", "x", "--out", "c.pem"]
    refused(cs + ["--key-out"], 2, "usage: fipsrt cert selfsign --cn NAME …", out_file="c.pem")
    refused(cs + ["--frob", "y", "--key-out", "ck.pem"], 2, "usage: fipsrt cert selfsign …",
            out_file="c.pem")
    for bad in ("0", "36501", "7d"):
        refused(cs + ["--days", bad, "--key-out", "ck.pem"], 2,
                "fipsrt cert: --days must be 1..36500", out_file="c.pem")
    refused(cs + ["--key-type", "dsa", "--key-out", "ck.pem"], 2,
            "fipsrt cert: unknown --key-type 'dsa' (p256, p384, p521, rsa2048, rsa3072, rsa4096)",
            out_file="c.pem")
    refused(cs + ["--key", "missing"], 2, "fipsrt cert: missing: No such file or directory",
            out_file="c.pem")
    refused(cs + ["--key", "in.txt"], 1, "fipsrt cert: loading the key: malformed input",
            out_file="c.pem")
    refused(cs + ["--key", "enc.pem"], 1, "fipsrt cert: loading the key: invalid argument",
            out_file="c.pem")
    refused(["cert", "selfsign", "--cn", "x", "--key", "ec.pem", "--out", "dir"], 2,
            "fipsrt cert: dir: Is a directory")
    expect(not os.path.exists("ck.pem"), "no key written by a refused cert command")
    r = ok(["cert", "--help"])
    expect(r.stdout.startswith(b"usage: fipsrt cert selfsign"), "cert --help on stdout")
    r = ok(["cert", "selfsign", "--cn", "x", "--key", "ec.pem", "--der", "--ca", "--dns",
            "a.example", "--ip", "127.0.0.1", "--days", "2", "--out", "c.der"])
    expect(r.stderr == b"fipsrt cert: c.der: self-signed ECDSA CA certificate for CN=x, valid "
                       b"2 days\n" and open("c.der", "rb").read(1) == b"\x30",
           "cert selfsign --der --ca with an existing key: %r" % r.stderr)
    # passwd on a terminal: prompted on stderr with echo off (the password never shows on the
    # terminal), typed twice when hashing; a mismatch or end of input is refused (exit 2).
    def on_tty(args, lines):
        """Run fipsrt ARGS with a pseudo-terminal as stdin; type each of `lines` (None: ^D)
        once the prompt is out and echo is off. Returns (rc, stdout, stderr, terminal)."""
        master, slave = os.openpty()
        p = subprocess.Popen([CLI] + args, stdin=slave, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        os.close(slave)
        err, term = b"", b""
        for n, line in enumerate(lines):
            while err.count(b"assword: ") <= n:
                chunk = os.read(p.stderr.fileno(), 4096)
                if not chunk:
                    break
                err += chunk
            for _ in range(500):   # TCSAFLUSH drops what is typed before echo goes off
                if not termios.tcgetattr(master)[3] & termios.ECHO:
                    break
                time.sleep(0.01)
            os.write(master, b"\x04" if line is None else line + b"\n")
        out, rest = p.communicate(timeout=60)
        while select.select([master], [], [], 0)[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            term += chunk
        os.close(master)
        return p.returncode, out, err + rest, term

    rc, out, err, term = on_tty(["passwd", "--rounds", "1000"], [b"tty-pw", b"tty-pw"])
    expect(rc == 0 and out.startswith(b"$") and b"Password: " in err
           and b"Retype password: " in err and b"tty-pw" not in term,
           "passwd on a terminal: prompted twice, not echoed (rc %d, %r, %r)" % (rc, err, term))
    if rc == 0:
        rc2, out2, err2, _ = on_tty(["passwd", "--verify", out.strip().decode()], [b"tty-pw"])
        expect(rc2 == 0 and out2 == b"valid, needs rehash\n" and err2.count(b"assword: ") == 1,
               "passwd --verify on a terminal: one prompt; valid, 1000 rounds need a rehash (rc %d, %r)" % (rc2, err2))
    rc, out, err, _ = on_tty(["passwd"], [b"one", b"two"])
    expect(rc == 2 and out == b"" and err.endswith(b"fipsrt passwd: passwords do not match\n"),
           "passwd on a terminal, two different passwords: exit 2 (rc %d, %r)" % (rc, err))
    rc, out, err, _ = on_tty(["passwd"], [None])
    expect(rc == 2 and out == b"" and err.endswith(b"fipsrt passwd: no password entered\n"),
           "passwd on a terminal, end of input: exit 2 (rc %d, %r)" % (rc, err))

    os.chdir("/")

if problems:
    print("%d problem(s)" % len(problems))
    sys.exit(1)
print("all ok")
