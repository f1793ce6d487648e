#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The fipsrt tool's outputs (issue 9 §5): every write is checked (a full disk is a failed
command, exit 2), files are written to a temporary file in the target directory and renamed
only on success (no truncated file, no certificate without its key, an old file survives a
failed run), and secret outputs are 0600 even when they replace an existing file."""
import os
import resource
import signal
import stat
import subprocess
import sys
import tempfile

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

if problems:
    print("%d problem(s)" % len(problems))
    sys.exit(1)
print("all ok")
