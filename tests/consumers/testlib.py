# SPDX-License-Identifier: Apache-2.0
"""Helpers for the script tests of issue 6 (ABI, consumers, docs): environment, skips,
running commands, and a tampered FIPS configuration for the panic checks."""
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile

SKIP = 77  # meson's "skipped" exit status
PANIC = "panic: fipsrt: can't enable FIPS mode for "

SOURCE = os.environ.get("FIPSRT_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
BUILD = os.environ.get("FIPSRT_BUILD_ROOT", "")


def skip(reason):
    print("SKIP: " + reason)
    sys.exit(SKIP)


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def under_valgrind():
    """meson test --setup valgrind wraps every test, scripts included, in valgrind."""
    return "vgpreload" in os.environ.get("LD_PRELOAD", "")


def sanitize_flags():
    """-fsanitize=... when the build under test is sanitized, --coverage when it is a
    coverage build (-Db_coverage=true): its objects need that runtime (libubsan/libasan,
    libgcov) linked into any program that links them statically."""
    s = os.environ.get("FIPSRT_SANITIZE", "none")
    flags = [] if s in ("", "none") else ["-fsanitize=" + s]
    if os.environ.get("FIPSRT_COVERAGE") == "true":
        flags.append("--coverage")
    return flags


def cc():
    return shlex.split(os.environ.get("FIPSRT_CC", "cc"))


def run(cmd, check=True, quiet=False, **kw):
    """Run cmd (a list, or a string for bash), echoing it (and its output unless quiet);
    returns the CompletedProcess."""
    shown = cmd if isinstance(cmd, str) else " ".join(shlex.quote(c) for c in cmd)
    print("$ " + shown, flush=True)
    if isinstance(cmd, str):
        cmd = ["bash", "-euo", "pipefail", "-c", cmd]
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.stdout and not (quiet and r.returncode == 0):
        print(r.stdout.rstrip())
    if r.stderr:
        print(r.stderr.rstrip())
    if check and r.returncode != 0:
        fail("exit status %d: %s" % (r.returncode, shown))
    return r


def provider_files():
    """(openssl.cnf, fipsmodule.cnf) of the working provider, from OPENSSL_CONF."""
    conf = os.environ.get("OPENSSL_CONF")
    if not conf:
        fail('OPENSSL_CONF not set: eval "$(tools/fips-provider env)"')
    text = open(conf).read()
    m = re.search(r"^\.include\s*=?\s*(\S+)\s*$", text, re.M)
    if not m:
        fail("no .include line in " + conf)
    return conf, m.group(1)


def tampered_env(tmpdir, base=None):
    """Environment whose OPENSSL_CONF includes a fipsmodule.cnf with its MAC digits swapped
    (8 <-> 9), so the provider fails its self-test and libfipsrt must panic."""
    conf, modcnf = provider_files()
    text = open(modcnf).read().translate(str.maketrans("89", "98"))
    bad_mod = os.path.join(tmpdir, "fipsmodule.cnf")
    open(bad_mod, "w").write(text)
    bad_conf = os.path.join(tmpdir, "openssl.cnf")
    open(bad_conf, "w").write(open(conf).read().replace(modcnf, bad_mod))
    env = dict(base if base is not None else os.environ)
    env["OPENSSL_CONF"] = bad_conf
    return env


def expect_panic(r, must_not_print=None):
    """r (CompletedProcess) died of SIGABRT with libfipsrt's panic text on stderr."""
    if r.returncode != -signal.SIGABRT:
        fail("expected SIGABRT, got status %d\nstdout: %s\nstderr: %s"
             % (r.returncode, r.stdout, r.stderr))
    if PANIC not in r.stderr or "openssl error(s):" not in r.stderr:
        fail("no panic text in stderr:\n" + r.stderr)
    if must_not_print and must_not_print in r.stdout:
        fail("the program printed %r before the panic: main() ran" % must_not_print)
    print("ok: SIGABRT with: " + r.stderr.splitlines()[0])


def temp_dir(tag):
    return tempfile.mkdtemp(prefix="fipsrt-%s." % tag)


# ---- README.md: the command blocks the tests run verbatim ------------------

README = os.path.join(SOURCE, "README.md")
_MARK = re.compile(r"<!-- test: (\w+) (file|run)([^>]*?)-->\s*\n```(\w*)\n(.*?)\n```", re.S)
_ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)')


def readme_blocks(group):
    """[(kind, name_or_None, attrs, text)] of the blocks marked `<!-- test: GROUP ... -->`."""
    blocks = []
    for m in _MARK.finditer(open(README).read()):
        if m.group(1) != group:
            continue
        rest = m.group(3).strip()
        name = None
        if m.group(2) == "file":
            name, _, rest = rest.partition(" ")
        attrs = {}
        for k, v in _ATTR.findall(rest):
            if v.startswith('"'):
                v = re.sub(r"\\(.)", r"\1", v[1:-1])
            attrs[k] = v
        blocks.append((m.group(2), name, attrs, m.group(5) + "\n"))
    if not blocks:
        fail("no '%s' test blocks in %s" % (group, README))
    return blocks


def run_readme_blocks(group, workdir, env, prelude=""):
    """Write the file blocks into workdir and run the run blocks there with bash (-e, -u,
    pipefail), checking each block's status= (default 0), stdout= and stderr= expectations."""
    for kind, name, attrs, text in readme_blocks(group):
        if kind == "file":
            with open(os.path.join(workdir, name), "w") as f:
                f.write(text)
            print("wrote %s from %s" % (name, os.path.relpath(README, SOURCE)))
            continue
        r = run(prelude + text, check=False, cwd=workdir, env=env)
        want = int(attrs.get("status", "0"))
        status = 128 - r.returncode if r.returncode < 0 else r.returncode  # as the shell says
        if status != want:
            fail("README block exited %d, expected %d:\n%s" % (status, want, text))
        for stream in ("stdout", "stderr"):
            if stream in attrs and attrs[stream] not in getattr(r, stream):
                fail("README block: no %r in its %s:\n%s" % (attrs[stream], stream, text))
        print("ok: README block (%s)" % text.strip().splitlines()[0])
