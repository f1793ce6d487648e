#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Consumers: libfipsrt as a meson subproject of a throwaway consumer project, built the way
the README's `subproject` blocks say (run verbatim): dependency('fipsrt', fallback:
['fipsrt', 'fipsrt_dep']) for the shared library and the subproject's fipsrt_static_dep for
the archive. Both programs run, the subproject's own `fipsrt check` classifies them, and both
panic under a tampered fipsmodule.cnf before main().

Skipped under valgrind (compilers and child processes only) and in sanitizer builds (the
consumer compiles its own plain copy of libfipsrt, so that run would repeat the plain one)."""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testlib  # noqa: E402

if testlib.under_valgrind():
    testlib.skip("child processes only (valgrind does not trace them); run plain")
if os.environ.get("FIPSRT_SANITIZE", "none") not in ("", "none"):
    testlib.skip("the consumer builds its own plain libfipsrt: same as the plain run")
for tool in ("meson", "ninja", "stdbuf"):
    if shutil.which(tool) is None:
        testlib.skip("%s not found" % tool)

tmp = testlib.temp_dir("subproject")
work = os.path.join(tmp, "hello")
os.makedirs(work)
# The program is the README's hello.c; the meson.build and commands are the subproject blocks.
hello_c = [t for kind, name, _, t in testlib.readme_blocks("install") if name == "hello.c"]
if len(hello_c) != 1:
    testlib.fail("README.md has no single 'install file hello.c' block")
with open(os.path.join(work, "hello.c"), "w") as f:
    f.write(hello_c[0])
env = dict(os.environ, FIPSRT_SRC=testlib.SOURCE)
for v in ("FIPSRT_LIBRARY", "LD_LIBRARY_PATH"):  # nothing from the outer build may leak in
    env.pop(v, None)
testlib.run_readme_blocks("subproject", work, env)

bdir = os.path.join(work, "build")
hello, static = os.path.join(bdir, "hello"), os.path.join(bdir, "hello-static")
cli = os.path.join(bdir, "subprojects", "fipsrt", "tools", "fipsrt")
r = testlib.run([cli, "check", hello, static], env=env)
if "dynamic (DT_NEEDED libfipsrt.so.1)" not in r.stdout or "static (embedded runtime" not in r.stdout:
    testlib.fail("fipsrt check did not see one dynamic and one static consumer")
bad = testlib.tampered_env(tmp, env)
for exe in (hello, static):
    r = testlib.run(["stdbuf", "-o0", exe], check=False, env=bad)
    testlib.expect_panic(r, must_not_print="hello from main()")
shutil.rmtree(tmp, ignore_errors=True)
print("ok: libfipsrt works as a meson subproject, shared and static, and panics before main()")
