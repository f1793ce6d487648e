#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`fipsrt check` on a directory tree shaped like a container image's root file system:

- the walk: ELF executables and shared objects only (text and object files skipped
  quietly), symbolic-link loops and links out of the tree never followed;
- --root: DT_NEEDED resolved inside the root (an absolute symbolic link there means the
  root's file, not the host's), libraries' own libraries followed, so a program that reaches
  libfipsrt only through a library is a libfipsrt program and one that loads a library with
  findings has a "dependency" finding; nothing is taken from the host;
- the allow-list: waived findings listed as waived with their reason, unused entries
  reported, a missing reason or an unknown kind refused (exit 2);
- --json validated against docs/check.schema.json, --sarif checked as SARIF 2.1.0;
- usage errors, a report written to a full device, --allow-route/--deny-route, inputs that
  are no ELF programs (truncated, tiny, FIFO, dangling link, missing, nested too deep) as
  error reports in text, JSON and SARIF, names JSON must escape and SARIF percent-encode,
  and the image's /etc/ld.so.conf.d under --root (issue 13)."""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testlib  # noqa: E402

if testlib.under_valgrind():
    # The work is done by `fipsrt check` child processes, which valgrind does not trace;
    # the ELF and build-info readers run in-process under valgrind in the "audit" suite.
    testlib.skip("fipsrt check on trees runs in child processes valgrind does not trace")

try:
    import jsonschema
except ImportError:
    testlib.fail("python3-jsonschema is missing (tools/run installs it)")

CLI = os.environ["FIPSRT_CLI"]
SCHEMA = json.load(open(os.path.join(testlib.SOURCE, "docs", "check.schema.json")))
jsonschema.Draft7Validator.check_schema(SCHEMA)
B = os.path.join(testlib.BUILD, "tests", "consumers")
LIBDIR = "/usr/lib/x86_64-linux-gnu"


def check(*args, expect=None):
    r = subprocess.run([CLI, "check", *args], capture_output=True, text=True, timeout=300)
    if expect is not None and r.returncode != expect:
        testlib.fail("fipsrt check %s: exit %d, expected %d\n%s\n%s"
                     % (" ".join(args), r.returncode, expect, r.stdout[-4000:], r.stderr))
    return r


def check_json(*args, expect=None):
    r = check("--json", *args, expect=expect)
    try:
        doc = json.loads(r.stdout)
    except ValueError:
        testlib.fail("fipsrt check --json %s: exit %d, not JSON\n%s\n%s"
                     % (" ".join(args), r.returncode, r.stdout[-2000:], r.stderr[-4000:]))
    jsonschema.validate(doc, SCHEMA)
    if doc["exit"] != r.returncode:
        testlib.fail("JSON exit %d, process exit %d" % (doc["exit"], r.returncode))
    return doc


def by_root_path(doc):
    return {f["root_path"]: f for f in doc["files"]}


def expect_eq(what, got, want):
    if got != want:
        testlib.fail("%s: got %r, expected %r" % (what, got, want))
    print("ok: %s = %r" % (what, got))


tmp = tempfile.mkdtemp(prefix="fipsrt-audit-tree-")
root = os.path.join(tmp, "root")
outside = os.path.join(tmp, "outside")
try:
    for d in ("usr/bin", "usr/lib/x86_64-linux-gnu/real", "etc"):
        os.makedirs(os.path.join(root, d))
    os.makedirs(outside)

    def put(src, dst):
        shutil.copy(src, os.path.join(root, dst.lstrip("/")))

    put(os.path.join(B, "no_crypto"), "/usr/bin/clean")
    put(os.path.join(B, "uses_evp_md5"), "/usr/bin/evp")
    put(os.path.join(B, "widens_tls_policy"), "/usr/bin/widens")
    put(os.path.join(B, "uses_wrap"), "/usr/bin/uses_wrap")
    put(os.path.join(B, "uses_bad"), "/usr/bin/uses_bad")
    put(os.path.join(B, "libauditwrap.so.1"), LIBDIR + "/real/libauditwrap.so.1")
    put(os.path.join(B, "libauditbad.so.1"), LIBDIR + "/libauditbad.so.1")
    put(os.environ["FIPSRT_LIBRARY"], LIBDIR + "/libfipsrt.so.1")
    # An absolute link inside the root: the root's file, not the host's (which has none).
    os.symlink(LIBDIR + "/real/libauditwrap.so.1",
               os.path.join(root, LIBDIR.lstrip("/"), "libauditwrap.so.1"))
    # Files the walk skips quietly: text, an ELF relocatable object.
    open(os.path.join(root, "usr/bin/README"), "w").write("not a program\n")
    head = bytearray(open(os.path.join(B, "no_crypto"), "rb").read(64))
    struct.pack_into("<H", head, 16, 1)                      # e_type = ET_REL
    struct.pack_into("<QQ", head, 32, 0, 0)                  # no program or section headers
    struct.pack_into("<HHHH", head, 54, 56, 0, 64, 0)
    open(os.path.join(root, "usr/bin/object.o"), "wb").write(head)
    # Links the walk must never follow: loops, and out of the tree to a file with findings.
    shutil.copy(os.path.join(B, "uses_evp_md5"), os.path.join(outside, "outside-evp"))
    os.symlink(".", os.path.join(root, "usr/bin/self"))
    os.symlink("..", os.path.join(root, "usr/bin/up"))
    os.symlink("loop2", os.path.join(root, "usr/bin/loop1"))
    os.symlink("loop1", os.path.join(root, "usr/bin/loop2"))
    os.symlink(outside, os.path.join(root, "usr/bin/outside-dir"))
    os.symlink(os.path.join(outside, "outside-evp"), os.path.join(root, "usr/bin/outside-file"))
    os.symlink("../../../../../../../../../../" + outside.lstrip("/"),
               os.path.join(root, "usr/lib/escape"))

    # ---- the walk, without --root -------------------------------------------------------
    doc = check_json(os.path.join(root, "usr"), expect=1)
    files = sorted(os.path.relpath(f["file"], root) for f in doc["files"])
    expect_eq("files walked", files, sorted([
        "usr/bin/clean", "usr/bin/evp", "usr/bin/uses_bad", "usr/bin/uses_wrap",
        "usr/bin/widens", "usr/lib/x86_64-linux-gnu/libauditbad.so.1",
        "usr/lib/x86_64-linux-gnu/libfipsrt.so.1",
        "usr/lib/x86_64-linux-gnu/real/libauditwrap.so.1"]))
    routes = {os.path.relpath(f["file"], root): f["route"] for f in doc["files"]}
    expect_eq("uses_wrap without --root", routes["usr/bin/uses_wrap"], "none")
    expect_eq("clean", routes["usr/bin/clean"], "none")
    expect_eq("widens", routes["usr/bin/widens"], "libfipsrt")
    expect_eq("libauditbad", routes["usr/lib/x86_64-linux-gnu/libauditbad.so.1"],
              "openssl-direct")
    expect_eq("summary files", doc["summary"]["files"], 8)

    # ---- --root: the image's libraries --------------------------------------------------
    doc = check_json("--root", root, expect=1)
    f = by_root_path(doc)
    expect_eq("root files", sorted(f), sorted([
        "/usr/bin/clean", "/usr/bin/evp", "/usr/bin/uses_bad", "/usr/bin/uses_wrap",
        "/usr/bin/widens", LIBDIR + "/libauditbad.so.1", LIBDIR + "/libfipsrt.so.1",
        LIBDIR + "/real/libauditwrap.so.1"]))
    w = f["/usr/bin/uses_wrap"]
    expect_eq("uses_wrap route", w["route"], "libfipsrt")
    expect_eq("uses_wrap indirect", w["libfipsrt"]["indirect"], True)
    expect_eq("uses_wrap status", w["status"], "ok")
    libs = {(l["name"], l["path"], l["depth"]) for l in w["libraries"]}
    for want in [("libauditwrap.so.1", LIBDIR + "/real/libauditwrap.so.1", 1),
                 ("libfipsrt.so.1", LIBDIR + "/libfipsrt.so.1", 2),
                 ("libc.so.6", None, 1)]:
        if want not in libs:
            testlib.fail("uses_wrap: library %r not in %r" % (want, sorted(libs, key=str)))
    print("ok: uses_wrap's libraries resolved inside the root, libc.so.6 not taken from the host")
    b = f["/usr/bin/uses_bad"]
    expect_eq("uses_bad status", b["status"], "findings")
    expect_eq("uses_bad finding kinds", sorted({x["kind"] for x in b["findings"]}),
              ["dependency"])
    if "libauditbad.so.1" not in b["findings"][0]["message"]:
        testlib.fail("dependency finding does not name the library: %r" % b["findings"])
    t = check("--verbose", "--root", root, expect=1).stdout
    for s in ("summary: 8 ELF file(s)", "by route:", "findings by kind:", " dependency 1",
              "libfipsrt:  indirect (through a library)", " tls-policy 1"):
        if s not in t:
            testlib.fail("text report lacks %r:\n%s" % (s, t[-3000:]))
    if "outside" in t:
        testlib.fail("a link out of the tree was followed:\n" + t)
    print("ok: text summary; nothing outside the tree was read")

    # ---- the allow-list -------------------------------------------------------------------
    allow = os.path.join(tmp, "allow.txt")
    open(allow, "w").write(
        "# fipsrt check allow-list\n"
        "/usr/bin/evp            openssl-direct   EVP_md5 for a non-security checksum (T-1) \t\n"
        "\n"
        "*/libauditbad.so.1      openssl-direct   vendor library, audited separately (T-2)\n"
        "/usr/bin/never-there    *                stale entry\n")
    doc = check_json("--root", root, "--allow", allow, expect=1)
    f = by_root_path(doc)
    e = f["/usr/bin/evp"]
    expect_eq("evp status with waivers", e["status"], "ok")
    expect_eq("evp findings all waived", {x["waived"] for x in e["findings"]}, {True})
    expect_eq("evp waiver reason", e["findings"][0]["reason"],
              "EVP_md5 for a non-security checksum (T-1)")
    expect_eq("uses_bad once its library is waived", f["/usr/bin/uses_bad"]["status"], "ok")
    expect_eq("unused exceptions", [(x["line"], x["glob"]) for x in doc["unused_exceptions"]],
              [(5, "/usr/bin/never-there")])
    expect_eq("still failing", sorted(p for p, x in f.items() if x["status"] != "ok"),
              ["/usr/bin/widens"])
    t = check("--root", root, "--allow", allow, expect=1).stdout
    for s in ("waived: imports crypto entry point EVP_md5", "(allow-list line 2: EVP_md5",
              "unused exception: %s line 5: /usr/bin/never-there" % allow):
        if s not in t:
            testlib.fail("text report lacks %r:\n%s" % (s, t[-3000:]))
    open(allow, "a").write("/usr/bin/widens tls-policy accepted for this test only (T-3)\n")
    doc = check_json("--root", root, "--allow", allow, expect=0)
    expect_eq("all waived: exit", doc["exit"], 0)
    sarif = json.loads(check("--sarif", "--root", root, "--allow", allow, expect=0).stdout)
    for bad, msg in (("/usr/bin/x openssl-direct\n", "reason is mandatory"),
                     ("/usr/bin/x no-such-kind because\n", "unknown finding kind")):
        open(allow, "w").write(bad)
        r = check("--allow", allow, root, expect=2)
        if msg not in r.stderr:
            testlib.fail("allow-list error %r not in %r" % (msg, r.stderr))
    print("ok: allow-list errors refused")

    # ---- SARIF 2.1.0 ----------------------------------------------------------------------
    expect_eq("sarif version", sarif["version"], "2.1.0")
    run = sarif["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    expect_eq("sarif rules", rules, ["openssl-direct", "tls-policy", "other-crypto",
                                     "openssl-static", "openssl-dlopen", "go-std-crypto",
                                     "route-not-allowed", "dependency"])
    results = run["results"]
    if not results or any("suppressions" not in r for r in results):
        testlib.fail("every finding is waived, so every result must be suppressed: %r"
                     % results[:3])
    for r in results:
        if rules[r["ruleIndex"]] != r["ruleId"] or not r["message"]["text"]:
            testlib.fail("bad SARIF result %r" % r)
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        if not uri.startswith(root):
            testlib.fail("SARIF location %r" % uri)
    expect_eq("sarif exit", run["invocations"][0]["exitCode"], 0)
    print("ok: SARIF with %d suppressed results" % len(results))

    # ---- usage errors (exit 2, one line saying why, nothing on stdout) -------------------
    clean = os.path.join(root, "usr/bin/clean")
    for args, msg in (
            ([], "usage: fipsrt check [--json | --sarif] [--root DIR] [--allow FILE]"),
            (["--frob", clean], "usage: fipsrt check [--json | --sarif] [--root DIR] [--allow FILE]"),
            (["--jobs"], "usage: fipsrt check [--json | --sarif] [--root DIR] [--allow FILE]"),
            (["--root"], "usage: fipsrt check [--json | --sarif] [--root DIR] [--allow FILE]"),
            (["--allow"], "usage: fipsrt check [--json | --sarif] [--root DIR] [--allow FILE]"),
            (["--deny-route"], "usage: fipsrt check [--json | --sarif] [--root DIR] [--allow FILE]"),
            (["--json", "--sarif", clean], "fipsrt check: --json and --sarif exclude each other"),
            (["--jobs", "0", clean], "fipsrt check: --jobs takes 1 to 64"),
            (["--jobs", "65", clean], "fipsrt check: --jobs takes 1 to 64"),
            (["--jobs", "4x", clean], "fipsrt check: --jobs takes 1 to 64"),
            (["--root", os.path.join(tmp, "no-such-root")],
             "fipsrt check: --root %s: No such file or directory" % os.path.join(tmp, "no-such-root")),
            (["--deny-route", "openssl-direct,bogus", clean], 'fipsrt check: unknown route "bogus"'),
            (["--allow-route", "nope", clean], 'fipsrt check: unknown route "nope"'),
            (["--allow", os.path.join(tmp, "no-allow"), clean],
             "fipsrt check: --allow %s: No such file or directory" % os.path.join(tmp, "no-allow")),
            (["--allow", outside, clean], "fipsrt check: --allow %s: Is a directory" % outside)):
        r = check(*args, expect=2)
        if r.stdout or r.stderr.split("\n")[0] != msg:
            testlib.fail("fipsrt check %s: stdout %r, stderr %r, want %r"
                         % (" ".join(args), r.stdout[:200], r.stderr[:300], msg))
    print("ok: check's usage errors")
    if check("-v", clean, expect=0).stdout != check("--verbose", clean, expect=0).stdout:
        testlib.fail("check -v and --verbose differ")
    # a report that cannot be written is exit 2 (not the findings' 1), with the reason, once
    for fmt in ("--json", "--sarif", "--verbose"):
        with open("/dev/full", "w") as full:
            r = subprocess.run([CLI, "check", fmt, os.path.join(root, "usr/bin/evp")],
                               stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
        if r.returncode != 2 or r.stderr != "fipsrt: writing standard output: No space left on device\n":
            testlib.fail("check %s > /dev/full: exit %d, %r" % (fmt, r.returncode, r.stderr))
    print("ok: check > /dev/full: exit 2 and why")
    # --deny-route / --allow-route change the verdict; --jobs gives the same report
    doc = check_json("--deny-route", "libfipsrt", "--root", root,
                     os.path.join(root, "usr/bin/uses_wrap"), expect=1)
    expect_eq("libfipsrt denied: finding kinds (its libraries are denied too)",
              sorted({x["kind"] for x in doc["files"][0]["findings"]}),
              ["dependency", "route-not-allowed"])
    doc = check_json("--allow-route", "openssl-direct", "--jobs", "3", "--",
                     os.path.join(root, LIBDIR.lstrip("/"), "libauditbad.so.1"), expect=0)
    expect_eq("openssl-direct allowed: evp passes",
              (doc["files"][0]["route"], doc["files"][0]["status"]), ("openssl-direct", "ok"))

    # ---- odd inputs: each is an error report (exit 2) in text, JSON and SARIF ----------
    odd = os.path.join(tmp, "odd")
    os.makedirs(odd)
    with open(os.path.join(B, "no_crypto"), "rb") as f:
        elf = f.read()
    open(os.path.join(odd, "truncated"), "wb").write(elf[:100])
    open(os.path.join(odd, "tiny"), "wb").write(b"\x7fEL")
    os.mkfifo(os.path.join(odd, "fifo"))
    os.symlink("nowhere", os.path.join(odd, "dangling"))
    want = {"truncated": "malformed ELF file (a table or string lies outside the file)",
            "tiny": "not an ELF file", "fifo": "not a regular file",
            "dangling": "No such file or directory",
            "missing": "No such file or directory"}
    names = [os.path.join(odd, n) for n in sorted(want)]
    doc = check_json(*names, expect=2)
    expect_eq("named odd inputs: errors",
              {os.path.basename(x["file"]): x.get("error") for x in doc["files"]}, want)
    expect_eq("unreadable count", doc["summary"]["unreadable"], len(want))
    t = check(*names, expect=2).stdout
    for n, e in want.items():
        if "%s: error: %s\n" % (os.path.join(odd, n), e) not in t:
            testlib.fail("text report lacks the error of %s:\n%s" % (n, t))
    sar = json.loads(check("--sarif", *names, expect=2).stdout)
    inv = sar["runs"][0]["invocations"][0]
    expect_eq("sarif: execution unsuccessful, exit 2", (inv["executionSuccessful"],
              inv["exitCode"]), (False, 2))
    expect_eq("sarif notifications", sorted(n["message"]["text"]
              for n in inv["toolExecutionNotifications"]), sorted(want.values()))
    # walked, the same files are skipped quietly (not ELF) or still an error (truncated ELF)
    doc = check_json(odd, expect=2)
    expect_eq("walked odd tree", [(os.path.basename(x["file"]), x.get("error"))
                                  for x in doc["files"]], [("truncated", want["truncated"])])
    # a tree nested deeper than the walk goes: an error report, not a crash or a silent stop
    deep = os.path.join(tmp, "deep")
    os.makedirs(os.path.join(deep, *(["d"] * 130)))
    shutil.copy(os.path.join(B, "no_crypto"), os.path.join(deep, "clean"))
    doc = check_json(deep, expect=2)
    errs = [x for x in doc["files"] if x["status"] == "error"]
    expect_eq("deep tree: one error", [x["error"] for x in errs], ["directories nested too deep"])
    expect_eq("deep tree: the file above still judged",
              [os.path.basename(x["file"]) for x in doc["files"] if x["status"] == "ok"], ["clean"])
    # names JSON must escape, SARIF must percent-encode (a quote, a tab, a newline, ^A, space)
    weird_dir = os.path.join(tmp, "weird dir")
    os.makedirs(weird_dir)
    weird = os.path.join(weird_dir, 'q"uo\\te\ttab\nnl\x01ctl')
    shutil.copy(os.path.join(B, "uses_evp_md5"), weird)
    doc = check_json(weird_dir, expect=1)
    expect_eq("escaped file name round-trips through JSON", doc["files"][0]["file"], weird)
    sar = json.loads(check("--sarif", weird_dir, expect=1).stdout)
    uri = sar["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    expect_eq("SARIF uri percent-encoded", uri, weird_dir.replace(" ", "%20") +
              "/q%22uo%5Cte%09tab%0Anl%01ctl")

    # ---- --root: the image's /etc/ld.so.conf.d names its library directories ----------
    root2 = os.path.join(tmp, "root2")
    for dd in ("usr/bin", "opt/vendor/lib", "etc/ld.so.conf.d"):
        os.makedirs(os.path.join(root2, dd))
    shutil.copy(os.path.join(B, "uses_bad"), os.path.join(root2, "usr/bin/uses_bad"))
    shutil.copy(os.path.join(B, "libauditbad.so.1"),
                os.path.join(root2, "opt/vendor/lib/libauditbad.so.1"))
    doc = check_json("--root", root2, os.path.join(root2, "usr/bin/uses_bad"), expect=0)
    if "needs libauditbad.so.1, which is not in the root" not in doc["files"][0]["unknown"]:
        testlib.fail("without ld.so.conf.d the vendor directory was searched: %r"
                     % doc["files"][0])
    open(os.path.join(root2, "etc/ld.so.conf.d/vendor.conf"), "w").write(
        "# the vendor's libraries\n\n   /opt/vendor/lib\t# trailing comment\nrelative/ignored\n")
    doc = check_json("--root", root2, os.path.join(root2, "usr/bin/uses_bad"), expect=1)
    libs = {(l["name"], l["path"]) for l in doc["files"][0]["libraries"]}
    if ("libauditbad.so.1", "/opt/vendor/lib/libauditbad.so.1") not in libs:
        testlib.fail("ld.so.conf.d directory not used: %r" % sorted(libs, key=str))
    expect_eq("dependency through ld.so.conf.d",
              [x["kind"] for x in doc["files"][0]["findings"]
               if "libauditbad.so.1" in x["message"]], ["dependency"])
finally:
    shutil.rmtree(tmp, ignore_errors=True)
print("PASS")
