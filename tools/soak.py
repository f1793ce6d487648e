#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Soak examples/helloserver on 127.0.0.1 (issue 13).

    tools/soak.py [--seconds N | --minutes N] [--rate R] [--server PATH] [--csv FILE]

Starts helloserver on an ephemeral port and, at a fixed rate (R connections per second,
default 20), opens one connection of each kind in turn:
  good13 / good12     TLS 1.3 / 1.2 clients that must get "Hello, world!"
  tls11 / x25519 / noems   policy violators (TLS 1.1 only, X25519 as the only group, TLS 1.2
                      without Extended Master Secret) that must be refused
  garbage             random bytes instead of a ClientHello
  halfopen            connects, sends nothing, holds the socket (the server's --timeout ends it)
  slowloris           sends a real ClientHello one byte every 0.5 s
  reset               sends half a ClientHello, then an abrupt RST (SO_LINGER 0)
It samples the server's RSS and open file descriptors every 2 s. It fails (exit 1) if the
server dies or does not exit 0 on SIGTERM, if any good client fails or any violator gets
through, or if after warm-up (the first quarter, at least 10 s) RSS grows by more than
RSS_BOUND (8 MiB + 10 % of the warm-up RSS) or the open fds at the end (after the held
connections are closed and the server's timeout passed) exceed the warm-up count + 4.
Python's ssl module (the system OpenSSL, default provider) plays the clients.
"""
import argparse
import concurrent.futures
import os
import random
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)   # TLS 1.1, on purpose

HOST = "127.0.0.1"
KINDS = ["good13", "good12", "tls11", "garbage", "good13", "x25519", "halfopen", "good12",
         "noems", "slowloris", "good13", "reset"]
SSL_OP_NO_EXTENDED_MASTER_SECRET = 0x1   # OpenSSL 3.0's SSL_OP_BIT(0)


def client_ctx(kind):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if kind == "good13":
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    elif kind in ("good12", "noems"):
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        if kind == "noems":
            ctx.options |= SSL_OP_NO_EXTENDED_MASTER_SECRET
    elif kind == "tls11":
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.minimum_version = ssl.TLSVersion.TLSv1_1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    elif kind == "x25519":
        ctx.set_ecdh_curve("X25519")
    return ctx


def client_hello():
    """A real ClientHello's bytes, taken from a memory BIO."""
    ctx = client_ctx("good13")
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


class Soak:
    def __init__(self, args):
        self.args = args
        self.port = None
        self.lock = threading.Lock()
        self.counts = {}
        self.bad = []           # failures of the run
        self.held = []          # half-open / slowloris sockets still open
        self.hello = client_hello()
        self.samples = []       # (t, rss_kib, fds)

    def count(self, key):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1

    def fail(self, what):
        with self.lock:
            self.bad.append(what)
            if len(self.bad) <= 20:
                print("soak: FAIL " + what, file=sys.stderr)

    def connect(self):
        return socket.create_connection((HOST, self.port), timeout=10)

    def tls(self, kind):
        should_work = kind.startswith("good")
        try:
            with self.connect() as raw:
                with client_ctx(kind).wrap_socket(raw, server_hostname="localhost") as s:
                    s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    data = b""
                    while True:
                        chunk = s.recv(4096)
                        if not chunk:
                            break
                        data += chunk
            ok = data.startswith(b"HTTP/1.1 200") and data.endswith(b"Hello, world!\n")
            if should_work and ok:
                self.count(kind + " ok")
            elif should_work:
                self.fail(f"{kind}: bad response {data[:60]!r}")
            else:
                self.fail(f"{kind}: a policy violator was served")
        except (ssl.SSLError, ConnectionError, socket.timeout, OSError) as e:
            if should_work:
                self.fail(f"{kind}: {e}")
            else:
                self.count(kind + " refused")

    def garbage(self):
        try:
            with self.connect() as s:
                s.sendall(random.randbytes(random.randint(1, 2048)))
                s.settimeout(5)
                while s.recv(4096):
                    pass
            self.count("garbage done")
        except (ConnectionError, socket.timeout, OSError):
            self.count("garbage done")

    def hold(self, slow):
        try:
            s = self.connect()
        except OSError as e:
            self.fail(f"connect for a held connection: {e}")
            return
        with self.lock:
            self.held.append(s)
        try:
            if slow:
                for b in self.hello[:40]:
                    s.sendall(bytes([b]))
                    time.sleep(0.5)
            else:
                s.settimeout(30)
                s.recv(1)
        except OSError:
            pass
        self.count("slowloris done" if slow else "halfopen done")

    def reset(self):
        try:
            s = self.connect()
            s.sendall(self.hello[: len(self.hello) // 2])
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.close()
            self.count("reset done")
        except OSError as e:
            self.fail(f"reset: {e}")

    def one(self, kind):
        if kind.startswith("good") or kind in ("tls11", "x25519", "noems"):
            self.tls(kind)
        elif kind == "garbage":
            self.garbage()
        elif kind in ("halfopen", "slowloris"):
            self.hold(kind == "slowloris")
        else:
            self.reset()

    def sample(self, pid, t0):
        try:
            with open(f"/proc/{pid}/status") as f:
                rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
            fds = len(os.listdir(f"/proc/{pid}/fd"))
        except (OSError, StopIteration):
            return None
        self.samples.append((time.monotonic() - t0, rss, fds))
        if self.args.csv:
            with open(self.args.csv, "a") as f:
                f.write(f"{self.samples[-1][0]:.1f},{rss},{fds}\n")
        return rss, fds

    def run(self):
        a = self.args
        server = subprocess.Popen([a.server, "--port", "0", "--timeout", str(a.timeout), "-v"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        line = ""
        for line in server.stderr:
            if "serving https://127.0.0.1:" in line:
                break
        if "serving" not in line:
            print("soak: the server did not start", file=sys.stderr)
            return 1
        self.port = int(line.rsplit(":", 1)[1].strip().rstrip("/"))
        logs = {"lines": 0, "handshake errors": 0}

        def drain():
            for log in server.stderr:
                logs["lines"] += 1
                logs["handshake errors"] += "handshake error" in log
        threading.Thread(target=drain, daemon=True).start()

        if a.csv:
            with open(a.csv, "w") as f:
                f.write("seconds,rss_kib,fds\n")
        t0 = time.monotonic()
        warm = max(10.0, a.seconds / 4)
        base = None
        next_sample = 0.0
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=32)
        futures, i = [], 0
        print(f"soak: helloserver pid {server.pid} port {self.port}, {a.seconds:.0f} s at "
              f"{a.rate}/s", file=sys.stderr)
        while time.monotonic() - t0 < a.seconds:
            now = time.monotonic() - t0
            if server.poll() is not None:
                self.fail(f"the server exited with {server.returncode} during the run")
                break
            if now >= next_sample:
                s = self.sample(server.pid, t0)
                if s and base is None and now >= warm:
                    base = s
                    print(f"soak: after warm-up ({now:.0f} s): RSS {s[0]} KiB, {s[1]} fds",
                          file=sys.stderr)
                next_sample += 2.0
            futures.append(pool.submit(self.one, KINDS[i % len(KINDS)]))
            i += 1
            futures = [f for f in futures if not f.done()]
            time.sleep(max(0.0, i / a.rate - (time.monotonic() - t0)))
        pool.shutdown(wait=True)
        with self.lock:
            for s in self.held:
                s.close()
        time.sleep(a.timeout + 1.0)   # the server ends what it still holds
        end = self.sample(server.pid, t0)
        server.send_signal(signal.SIGTERM)
        try:
            rc = server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            rc = "hung on SIGTERM"
        if rc != 0:
            self.fail(f"the server's exit: {rc}")

        rss_peak = max((s[1] for s in self.samples if s[0] >= warm), default=0)
        print(f"soak: {i} connections in {a.seconds:.0f} s; " +
              ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items())), file=sys.stderr)
        print(f"soak: server log: {logs['lines']} lines, {logs['handshake errors']} handshake "
              "errors", file=sys.stderr)
        if base is None or end is None:
            self.fail("no RSS/fd samples after warm-up")
        else:
            bound = base[0] + 8192 + base[0] // 10
            print(f"soak: RSS {base[0]} KiB after warm-up, peak {rss_peak} KiB after it, "
                  f"{end[0]} KiB at the end (bound {bound}); fds {base[1]} after warm-up, "
                  f"{end[1]} at the end (bound {base[1] + 4})", file=sys.stderr)
            if rss_peak > bound:
                self.fail(f"RSS grew to {rss_peak} KiB (bound {bound})")
            if end[1] > base[1] + 4:
                self.fail(f"open fds grew to {end[1]} (bound {base[1] + 4})")
        good = sum(v for k, v in self.counts.items() if k.startswith("good"))
        print(f"soak: {'FAILED' if self.bad else 'ok'}: {good} good requests served, "
              f"{len(self.bad)} failures", file=sys.stderr)
        return 1 if self.bad else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--minutes", type=float)
    p.add_argument("--rate", type=float, default=20)
    p.add_argument("--timeout", type=int, default=3, help="helloserver --timeout")
    p.add_argument("--server", default="build/examples/helloserver")
    p.add_argument("--csv", help="write the RSS/fd samples here")
    a = p.parse_args()
    if a.minutes:
        a.seconds = a.minutes * 60
    random.seed(13)
    return Soak(a).run()


if __name__ == "__main__":
    sys.exit(main())
