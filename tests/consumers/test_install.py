#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Consumers: libfipsrt installed (`meson install` into a temporary DESTDIR) and used from
OUTSIDE the source tree the way the README says: a C program built with
`pkg-config --cflags --libs fipsrt` (dynamic) and with `pkg-config --static` against
libfipsrt.a (static, libcrypto shared), the Python package, and `fipsrt check`. The README's
`install` blocks (README.md) are run verbatim. Then both C programs must abort
with the panic under a tampered fipsmodule.cnf BEFORE main() prints anything: the library
constructor survives static linking.

Skipped under valgrind: everything here is a child process (compilers, installed programs)
that valgrind does not trace; the plain and ASan runs cover it."""
import glob
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testlib  # noqa: E402

if testlib.under_valgrind():
    testlib.skip("child processes only (valgrind does not trace them); run plain and ASan")
build = testlib.BUILD
if not build:
    testlib.fail("FIPSRT_BUILD_ROOT not set (run through meson test)")
for tool in ("pkg-config", "stdbuf"):
    if shutil.which(tool) is None:
        testlib.skip("%s not found" % tool)

tmp = testlib.temp_dir("install")
destdir = os.path.join(tmp, "destdir")
work = os.path.join(tmp, "work")
os.makedirs(work)

# ---- install --------------------------------------------------------------------------
testlib.run(["meson", "install", "-C", build, "--destdir", destdir, "--no-rebuild", "--quiet"])
opts = {o["name"]: o["value"] for o in json.loads(
    testlib.run(["meson", "introspect", build, "--buildoptions"], quiet=True).stdout)}
prefix = destdir + opts["prefix"]


def under_prefix(option):
    v = opts[option]
    return v if os.path.isabs(v) and v.startswith(destdir) else os.path.join(prefix, v)


libdir, bindir = under_prefix("libdir"), under_prefix("bindir")
incdir, mandir = under_prefix("includedir"), under_prefix("mandir")
problems = []
for f in ("libfipsrt.so.1", "libfipsrt.a", "pkgconfig/fipsrt.pc"):
    if not os.path.exists(os.path.join(libdir, f)):
        problems.append("not installed: %s/%s" % (libdir, f))
src_headers = {os.path.basename(h) for h in glob.glob(
    os.path.join(testlib.SOURCE, "include", "fipsrt", "*.h"))}
inst_headers = {os.path.basename(h) for h in glob.glob(os.path.join(incdir, "fipsrt", "*.h"))}
if src_headers != inst_headers:
    problems.append("installed headers differ from include/fipsrt: missing %s, extra %s"
                    % (sorted(src_headers - inst_headers), sorted(inst_headers - src_headers)))
pages = {os.path.basename(p) for p in glob.glob(os.path.join(testlib.SOURCE, "docs", "man", "*.[1-8]"))}
installed_pages = {os.path.basename(p) for p in glob.glob(os.path.join(mandir, "man*", "*"))}
if pages - installed_pages:
    problems.append("man pages not installed: %s" % sorted(pages - installed_pages))
pkgs = glob.glob(os.path.join(prefix, "lib", "python3*", "*-packages", "fipsrt", "__init__.py"))
if not pkgs:
    problems.append("the Python package was not installed under %s/lib/python3*" % prefix)
if not os.access(os.path.join(bindir, "fipsrt"), os.X_OK):
    problems.append("the fipsrt tool was not installed in " + bindir)
if problems:
    testlib.fail("\n".join(problems))
print("ok: installed %d headers, %d man pages, library, archive, fipsrt.pc, tool, Python package"
      % (len(inst_headers), len(installed_pages)))

# ---- the README's commands, from a directory outside the tree ----------------------------
env = dict(os.environ)
env.update({
    "PATH": bindir + ":/usr/bin:/bin:" + env.get("PATH", ""),  # Debian's python3 first
    "PKG_CONFIG_PATH": os.path.join(libdir, "pkgconfig"),
    "PKG_CONFIG_SYSROOT_DIR": destdir,  # the .pc file says prefix=/usr/local
    "LD_LIBRARY_PATH": libdir,
    "PYTHONPATH": os.path.dirname(os.path.dirname(pkgs[0])),
})
env.pop("FIPSRT_LIBRARY", None)  # the binding must find the installed library by itself
prelude = ""
if testlib.sanitize_flags():
    # The installed objects are sanitizer-instrumented: link the runtime into every program.
    prelude = 'cc() { command cc %s "$@"; }\n' % " ".join(testlib.sanitize_flags())
    if os.environ.get("FIPSRT_ASAN_RUNTIME"):
        env["LD_PRELOAD"] = os.environ["FIPSRT_ASAN_RUNTIME"]  # for python3 and fipsrt check
        env["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=1"
testlib.run_readme_blocks("install", work, env, prelude)

# ---- the constructor forces FIPS mode before main(), statically linked too ---------------
hello, static = os.path.join(work, "hello"), os.path.join(work, "hello-static")
for exe in (hello, static):
    if not os.path.exists(exe):
        testlib.fail("the README blocks did not build " + exe)
needed = testlib.run(["readelf", "-d", static], quiet=True).stdout
if "libfipsrt.so" in needed:
    testlib.fail("hello-static needs libfipsrt.so: it was not linked statically")
# Statically linked: it runs without the installed shared library on the search path.
bare = dict(env)
bare.pop("LD_LIBRARY_PATH")
r = testlib.run([static], env=bare)
if "hello from main()" not in r.stdout:
    testlib.fail("hello-static did not run")
tamper_dir = os.path.join(tmp, "tampered")
os.makedirs(tamper_dir)
bad = testlib.tampered_env(tamper_dir, env)
for exe in (hello, static):
    # stdbuf -o0: anything main() printed would reach the pipe before abort() drops buffers.
    r = testlib.run(["stdbuf", "-o0", exe], check=False, env=bad)
    testlib.expect_panic(r, must_not_print="hello from main()")
shutil.rmtree(tmp, ignore_errors=True)
print("ok: installed libfipsrt works from outside the tree, dynamically and statically, and "
      "both programs panic under a tampered provider before main()")
