#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`fipsrt check` on Go programs: each crypto route, and the build info read as
`go version -m` reads it.

- Real programs, built here with Debian's Go (offline; GOCACHE kept in the build directory
  so a second run builds nothing): CGO_ENABLED=0 and cgo programs using crypto/tls
  (go-std-crypto, a finding), GOEXPERIMENT=boringcrypto with and without
  crypto/tls/fipsonly (go-boringcrypto), the same stripped by the linker and by strip(1)
  (still found from the pclntab), one built with -tags, and one that uses no crypto at all
  (route none: clean). Skipped, with the reason, when `go` is not installed.
- Synthetic programs for the routes that cannot be built here (make_go_fixtures.py):
  golang-fips (which reports X:boringcrypto but is OpenSSL), Microsoft's system crypto,
  GOFIPS140 and fips140=only, Go 1.17's pointer layout, an undeterminable X:boringcrypto,
  and a binary without section headers.
- Whenever `go` is there, the version and every build setting we read must equal what
  `go version -m` prints for the same file, synthetic ones included."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testlib  # noqa: E402

if testlib.under_valgrind():
    # The work is done by `fipsrt check` child processes, which valgrind does not trace;
    # the ELF and build-info readers run in-process under valgrind in the "audit" suite.
    testlib.skip("fipsrt check on Go programs runs in child processes valgrind does not trace")
import make_go_fixtures  # noqa: E402

CLI = os.environ["FIPSRT_CLI"]
GO = shutil.which("go")
problems = []


def check_json(path, *args):
    r = subprocess.run([CLI, "check", "--json", *args, path], capture_output=True, text=True,
                       timeout=300)
    if r.returncode not in (0, 1):
        testlib.fail("fipsrt check %s: exit %d\n%s%s" % (path, r.returncode, r.stdout, r.stderr))
    return r.returncode, json.loads(r.stdout)["files"][0]


def go_version_m(path):
    """(version, [(key, value)...]) as `go version -m` prints them."""
    r = subprocess.run([GO, "version", "-m", path], capture_output=True, text=True)
    if r.returncode != 0:
        testlib.fail("go version -m %s: %s" % (path, r.stderr))
    lines = r.stdout.splitlines()
    version = lines[0].split(": ", 1)[1]
    settings = []
    for line in lines[1:]:
        f = line.strip("\t").split("\t")
        if f[0] == "build":
            k, _, v = f[1].partition("=")
            settings.append((k, v))
    return version, settings


def expect(name, path, route, code, **more):
    rc, f = check_json(path)
    go = f["go"]
    got = {"route": f["route"], "exit": rc}
    want = {"route": route, "exit": code}
    for k, v in more.items():
        got[k] = go[k] if k in go else f[k]
        want[k] = v
    if got != want:
        problems.append("%s: got %r, expected %r\n%s" % (name, got, want, json.dumps(f, indent=1)))
    else:
        print("ok: %-24s route %-26s exit %d %s" % (name, route, code,
              " ".join("%s=%r" % kv for kv in more.items())))
    if GO is not None:
        version, settings = go_version_m(path)
        mine = (go["version"], [(s["key"], s["value"]) for s in go["settings"]])
        if mine != (version, settings):
            problems.append("%s: build info %r, but go version -m says %r"
                            % (name, mine, (version, settings)))
    return f


tmp = tempfile.mkdtemp(prefix="fipsrt-audit-go-")
try:
    # ---- synthetic: the routes that cannot be built here ------------------------------
    syn = os.path.join(tmp, "synthetic")
    make_go_fixtures.main(["make_go_fixtures.py", syn])
    for name, fx in make_go_fixtures.FIXTURES.items():
        code = 0 if fx["route"] not in ("go-std-crypto", "go-fips-undetermined") else 1
        f = expect("synthetic " + name, os.path.join(syn, name), fx["route"], code,
                   format="pointer" if fx.get("pointer") else "inline")
        if name == "golang-fips" and not any("not BoringCrypto" in n for n in f["notes"]):
            problems.append("golang-fips: no note that X:boringcrypto is not BoringCrypto")
        if name == "gofips140" and "v1.0.0" not in (f["route_note"] or ""):
            problems.append("gofips140: the note does not name the module: %r" % f["route_note"])
        if name == "undetermined" and not f["unknown"]:
            problems.append("undetermined: nothing said about what could not be told")
        if name == "golang-fips-nosections" and f["go"]["evidence_from"] != "segments":
            problems.append("no sections: evidence from %r" % f["go"]["evidence_from"])
        # The text report says the same: the Go version and the crypto packages seen.
        r = subprocess.run([CLI, "check", "--verbose", os.path.join(syn, name)],
                           capture_output=True, text=True, timeout=300)
        lines = r.stdout.splitlines()
        go_line = [l for l in lines if l.startswith("  go:         ")]
        sym_line = [l for l in lines if l.startswith("  go symbols: ")]
        want_go = "  go:         " + (f["go"]["version"] or "(no build info)")
        want_from = "(searched: %s)" % (f["go"]["evidence_from"] or "nothing")
        if (r.returncode != code or len(go_line) != 1 or not go_line[0].startswith(want_go)
                or len(sym_line) != 1 or not sym_line[0].endswith(want_from)
                or any(e not in sym_line[0] for e in f["go"]["evidence"])):
            problems.append("%s: text report (exit %d) disagrees with JSON %r:\n%s"
                            % (name, r.returncode, f["go"], r.stdout))
    # The policy is the user's: deny the golang-fips route and it is a finding.
    rc, f = check_json(os.path.join(syn, "golang-fips"), "--deny-route", "go-golang-fips-openssl")
    if rc != 1 or [x["kind"] for x in f["findings"]] != ["route-not-allowed"]:
        problems.append("--deny-route go-golang-fips-openssl: exit %d, %r" % (rc, f["findings"]))

    # ---- real: Debian's Go ------------------------------------------------------------
    if GO is None:
        print("SKIP (real Go programs): `go` is not installed (Debian package golang-go)")
    else:
        # The build directory's, or one shared by every pass of tools/run (plain, ASan).
        cache = os.environ.get("FIPSRT_GO_CACHE") or os.path.join(testlib.BUILD, "go-cache")
        src = os.path.join(tmp, "src")
        for d in ("hello", "tlsprog", "fipsonly"):
            os.makedirs(os.path.join(src, d))
        open(os.path.join(src, "go.mod"), "w").write("module example.com/probe\n\ngo 1.19\n")
        open(os.path.join(src, "hello/main.go"), "w").write(
            'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n')
        open(os.path.join(src, "tlsprog/main.go"), "w").write(
            'package main\n\nimport (\n\t"crypto/sha256"\n\t"crypto/tls"\n\t"fmt"\n)\n\n'
            'func main() {\n\tfmt.Printf("%x %d\\n", sha256.Sum256([]byte("abc")), '
            'tls.VersionTLS13)\n}\n')
        open(os.path.join(src, "fipsonly/main.go"), "w").write(
            'package main\n\nimport (\n\t"crypto/sha256"\n\t_ "crypto/tls/fipsonly"\n'
            '\t"fmt"\n)\n\nfunc main() { fmt.Printf("%x\\n", sha256.Sum256([]byte("abc"))) }\n')
        env = dict(os.environ, GOCACHE=cache, GOPATH=os.path.join(cache, "gopath"),
                   GOPROXY="off", GOFLAGS="-buildvcs=false", GOTOOLCHAIN="local",
                   GO111MODULE="on", HOME=tmp)
        env.pop("GOEXPERIMENT", None)
        out = os.path.join(tmp, "bin")
        builds = [
            # name, extra env, extra args, package
            ("nocrypto", {"CGO_ENABLED": "0"}, [], "./hello"),
            ("std-nocgo", {"CGO_ENABLED": "0"}, [], "./tlsprog"),
            ("std-cgo", {"CGO_ENABLED": "1"}, ["-tags=netgo,audit"], "./tlsprog"),
            ("boring", {"CGO_ENABLED": "1", "GOEXPERIMENT": "boringcrypto"}, [], "./tlsprog"),
            ("boring-fipsonly", {"CGO_ENABLED": "1", "GOEXPERIMENT": "boringcrypto"}, [],
             "./fipsonly"),
            ("boring-ldstripped", {"CGO_ENABLED": "1", "GOEXPERIMENT": "boringcrypto"},
             ["-ldflags=-s -w"], "./tlsprog"),
        ]
        for name, e, args, pkg in builds:
            testlib.run([GO, "build", *args, "-o", os.path.join(out, name), pkg], cwd=src,
                        env=dict(env, **e), quiet=True)
        stripped = os.path.join(out, "boring-stripped")
        testlib.run(["strip", "-o", stripped, os.path.join(out, "boring")], quiet=True)
        expect("go nocrypto", os.path.join(out, "nocrypto"), "none", 0, cgo_enabled="0")
        expect("go std-nocgo", os.path.join(out, "std-nocgo"), "go-std-crypto", 1,
               cgo_enabled="0")
        expect("go std-cgo", os.path.join(out, "std-cgo"), "go-std-crypto", 1,
               cgo_enabled="1", tags="netgo,audit")
        f = expect("go boring", os.path.join(out, "boring"), "go-boringcrypto", 0,
                   goexperiment="boringcrypto")
        if "fipsonly is not linked" not in f["route_note"]:
            problems.append("boring: route note %r" % f["route_note"])
        f = expect("go boring-fipsonly", os.path.join(out, "boring-fipsonly"),
                   "go-boringcrypto", 0, goexperiment="boringcrypto")
        if "crypto/tls/fipsonly" not in f["go"]["evidence"]:
            problems.append("fipsonly not seen: %r" % f["go"]["evidence"])
        for name in ("boring-ldstripped", "boring-stripped"):
            f = expect("go " + name, os.path.join(out, name), "go-boringcrypto", 0,
                       evidence_from="pclntab")
finally:
    shutil.rmtree(tmp, ignore_errors=True)
if problems:
    testlib.fail("\n".join(problems))
print("PASS")
