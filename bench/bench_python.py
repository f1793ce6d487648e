#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The Python binding against what a Python user has today (issue 11's table).

In this process: fipsrt against hashlib and hmac, which run in the same FIPS provider here
(libfipsrt puts the default library context in FIPS mode). In a separate process started
without the FIPS OPENSSL_CONF: pyca/cryptography, which refuses to load under a FIPS-only
configuration. Each row runs the two sides in interleaved rounds (fipsrt, peer, fipsrt,
peer, ...) and compares medians of the per-operation time; the time is the thread's CPU
time, which leaves out what other processes take from a shared machine.

    bench/bench_python.py [BUILD_DIR]        (default: build)

Goals: sha256 and HMAC-SHA-256 of 64 B within 1.2x of hashlib / hmac.digest time; 1 MiB
hashing at >= 0.97x hashlib's throughput; AES-GCM, ECDSA and RSA at least as fast as pyca.
"""
import json
import os
import statistics
import subprocess
import sys
import time

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
ROUND_SECONDS = float(os.environ.get("BENCH_ROUND_SECONDS", "0.05"))
clock = time.thread_time


def per_op(fn, seconds=ROUND_SECONDS):
    """CPU seconds per call of fn, over a batch lasting about `seconds`."""
    n = 1
    while True:
        t0 = clock()
        for _ in range(n):
            fn()
        dt = clock() - t0
        if dt >= seconds:
            return dt / n
        n = n * 2 if dt < seconds / 8 else int(n * seconds / max(dt, 1e-9)) + 1


# ---- the peer process: pyca/cryptography ---------------------------------------------------

def pyca_ops():
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    key = AESGCM(bytes(32))
    nonce, kb = os.urandom(12), os.urandom(1024)
    ecd = ec.generate_private_key(ec.SECP256R1())
    msg = b"m" * 64
    sig = ecd.sign(msg, ec.ECDSA(hashes.SHA256()))
    ecpub = ecd.public_key()
    rsak = rsa.generate_private_key(65537, 3072)
    pss = padding.PSS(padding.MGF1(hashes.SHA256()), 32)
    rsig = rsak.sign(msg, pss, hashes.SHA256())
    rpub = rsak.public_key()
    return {
        # A fixed nonce: pyca's cost without generating one (fipsrt's seal does generate it).
        "aesgcm": lambda: key.encrypt(nonce, kb, None),
        "ecdsa_sign": lambda: ecd.sign(msg, ec.ECDSA(hashes.SHA256())),
        "ecdsa_verify": lambda: ecpub.verify(sig, msg, ec.ECDSA(hashes.SHA256())),
        "rsa_sign": lambda: rsak.sign(msg, pss, hashes.SHA256()),
        "rsa_verify": lambda: rpub.verify(rsig, msg, pss, hashes.SHA256()),
    }


def pyca_worker():
    ops = pyca_ops()
    for line in sys.stdin:
        name = line.strip()
        print(json.dumps(per_op(ops[name])), flush=True)


# ---- this process ---------------------------------------------------------------------------

def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    here = os.path.dirname(os.path.abspath(__file__))
    src = os.path.join(here, "..", "bindings", "python")
    sys.path[:0] = [src, os.path.join(build, "bindings", "python")]
    import hashlib
    import hmac
    import fipsrt
    print("fipsrt %s from %s; hashlib/hmac in OpenSSL's default context (FIPS provider)"
          % (fipsrt.__version__, fipsrt.library_path))
    print("CPU time per op, median of %d interleaved rounds; load average %.1f\n"
          % (ROUNDS, os.getloadavg()[0]))

    m64, k32, mib = os.urandom(64), os.urandom(32), os.urandom(1 << 20)
    hkey = fipsrt.hmac.Key(k32, "sha256")
    gcm = fipsrt.aead.AESGCM(bytes(32))
    kb = os.urandom(1024)
    ec = fipsrt.keys.generate_ec("P-256")
    sig = ec.sign_ecdsa(b"m" * 64)
    rsa = fipsrt.keys.generate_rsa(3072)
    rsig = rsa.sign_rsa_pss(b"m" * 64)
    fs, hs = fipsrt.sha256, hashlib.sha256
    fd, hd = fipsrt.hmac.digest, hmac.digest
    local = [
        # (row, fipsrt op, peer name, peer op, bytes, goal: max fipsrt/peer time)
        ("sha256 64 B .digest()", lambda: fs(m64).digest(), "hashlib",
         lambda: hs(m64).digest(), 64, 1.2),
        ("HMAC-SHA-256 64 B", lambda: fd(k32, m64, "sha256"), "hmac.digest",
         lambda: hd(k32, m64, "sha256"), 64, 1.2),
        ("HMAC-SHA-256 64 B, hmac.Key", lambda: hkey.digest(m64), "hmac.digest",
         lambda: hd(k32, m64, "sha256"), 64, 1.2),
        ("sha256 1 MiB", lambda: fs(mib).digest(), "hashlib", lambda: hs(mib).digest(),
         1 << 20, 1 / 0.97),
    ]
    remote = [
        ("AES-256-GCM seal 1 KiB", lambda: gcm.seal(kb), "aesgcm", 1024),
        ("ECDSA P-256 sign", lambda: ec.sign_ecdsa(b"m" * 64), "ecdsa_sign", 0),
        ("ECDSA P-256 verify", lambda: ec.verify_ecdsa(b"m" * 64, sig), "ecdsa_verify", 0),
        ("RSA-3072 PSS sign", lambda: rsa.sign_rsa_pss(b"m" * 64), "rsa_sign", 0),
        ("RSA-3072 PSS verify", lambda: rsa.verify_rsa_pss(b"m" * 64, rsig), "rsa_verify", 0),
    ]
    env = {k: v for k, v in os.environ.items() if k not in ("OPENSSL_CONF", "OPENSSL_MODULES")}
    peer = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--pyca-worker"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)

    def remote_op(name):
        peer.stdin.write(name + "\n")
        peer.stdin.flush()
        return json.loads(peer.stdout.readline())

    head = "| operation | peer | peer time | fipsrt time | fipsrt / peer time | goal |"
    print(head)
    print("|---|---|--:|--:|--:|---|")
    missed = 0

    def row(name, peer_name, f, p, size, goal):
        nonlocal missed
        fm, pm = statistics.median(f), statistics.median(p)
        ratio = fm / pm
        ok = ratio <= goal * 1.0000001
        missed += not ok
        extra = (" (fipsrt %.0f, peer %.0f MB/s)" % (size / fm / 1e6, size / pm / 1e6)
                 if size >= 1024 else "")
        print("| %s | %s | %.2f µs | %.2f µs | %.3f×%s | ≤ %.2f× %s |" % (
            name, peer_name, pm * 1e6, fm * 1e6, ratio, extra, goal, "met" if ok else "MISSED"))

    for name, fop, pname, pop, size, goal in local:
        f, p = [], []
        for _ in range(ROUNDS):
            f.append(per_op(fop))
            p.append(per_op(pop))
        row(name, pname, f, p, size, goal)
    for name, fop, pname, size in remote:
        f, p = [], []
        for _ in range(ROUNDS):
            f.append(per_op(fop))
            p.append(remote_op(pname))
        row(name, "pyca " + pname, f, p, size, 1.0)
    peer.stdin.close()
    peer.wait()
    print("\n%s" % ("every goal met" if not missed else "%d goal(s) missed" % missed))
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--pyca-worker"]:
        pyca_worker()
    else:
        sys.exit(main())
