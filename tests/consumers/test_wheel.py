# SPDX-License-Identifier: Apache-2.0
"""Consumers: the Python binding as a Python package (pyproject.toml, meson-python).

libfipsrt is installed (`meson install` into a temporary DESTDIR, with a fipsrt.pc pointing
there); then, offline (--no-isolation/--no-build-isolation, --no-index):
- the README's `wheel` block builds a wheel with `python3 -m build`, installs it into a fresh
  venv and runs the README's Python example (example.py, the `install` group's) there;
- the wheel holds the package and its extension only; the extension needs libfipsrt.so.1
  by its SONAME and carries no RPATH: without the library on the search path, importing
  fails with the ImportError that names it;
- `pip install` of the source tree works in that venv (after uninstalling the wheel).

Not under valgrind (every step is a child process it does not trace) nor the sanitizers (the
installed library is instrumented while the wheel's extension is not); a coverage build is
fine (the shared library carries its own libgcov)."""
import glob
import json
import os
import shutil
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testlib  # noqa: E402

if testlib.under_valgrind() or os.environ.get("FIPSRT_SANITIZE", "none") not in ("", "none"):
    testlib.skip("not under valgrind or the sanitizers (see the docstring)")
build = testlib.BUILD
for mod in ("mesonpy", "build", "venv"):
    r = testlib.run(["/usr/bin/python3", "-c", "import " + mod], check=False, quiet=True)
    if r.returncode != 0:
        testlib.fail("python3 module %s missing: install python3-mesonpy, python3-build, "
                     "python3-venv (tools/run installs them)" % mod)

tmp = testlib.temp_dir("wheel")
destdir, work = os.path.join(tmp, "destdir"), os.path.join(tmp, "work")
os.makedirs(work)
testlib.run(["meson", "install", "-C", build, "--destdir", destdir, "--no-rebuild", "--quiet"])
opts = {o["name"]: o["value"] for o in json.loads(
    testlib.run(["meson", "introspect", build, "--buildoptions"], quiet=True).stdout)}
libdir = os.path.join(destdir + opts["prefix"], opts["libdir"])
pcdir = os.path.join(tmp, "pkgconfig")
os.makedirs(pcdir)
with open(os.path.join(libdir, "pkgconfig", "fipsrt.pc")) as f:
    pc = f.read()
with open(os.path.join(pcdir, "fipsrt.pc"), "w") as f:
    f.write(pc.replace("prefix=", "prefix=" + destdir, 1))

env = {k: v for k, v in os.environ.items()
       if k not in ("PYTHONPATH", "FIPSRT_LIBRARY", "LD_PRELOAD")}
env.update({
    "PATH": "/usr/bin:/bin:" + env.get("PATH", ""),  # Debian's python3 first
    "PKG_CONFIG_PATH": pcdir,
    "LD_LIBRARY_PATH": libdir,  # what ldconfig does for an installed library
    "FIPSRT_SRC": testlib.SOURCE,
    "PIP_NO_CACHE_DIR": "1",
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
})
example = [b for b in testlib.readme_blocks("install") if b[0] == "file" and b[1] == "example.py"]
if not example:
    testlib.fail("README has no `install file example.py` block")
with open(os.path.join(work, "example.py"), "w") as f:
    f.write(example[0][3])
testlib.run_readme_blocks("wheel", work, env)

# ---- what the wheel holds and links ------------------------------------------------------
wheels = glob.glob(os.path.join(work, "dist", "fipsrt-*.whl"))
if len(wheels) != 1:
    testlib.fail("expected one wheel in dist/, found %s" % wheels)
names = zipfile.ZipFile(wheels[0]).namelist()
if any("libfipsrt" in n or ".mesonpy.libs" in n for n in names):
    testlib.fail("the wheel bundles a library: %s" % names)
ext = glob.glob(os.path.join(work, "venv", "lib", "python3*", "site-packages", "fipsrt",
                             "_fipsrt*.so"))
if not ext:
    testlib.fail("the extension is not in the venv")
dyn = testlib.run(["readelf", "-d", ext[0]], quiet=True).stdout
if "Shared library: [libfipsrt.so.1]" not in dyn or "RPATH" in dyn or "RUNPATH" in dyn:
    testlib.fail("the extension must need libfipsrt.so.1 by SONAME, without an RPATH:\n" + dyn)
venv_python = os.path.join(work, "venv", "bin", "python")
r = testlib.run([venv_python, "-c", "import fipsrt; print(fipsrt.__file__); "
                 "print(fipsrt.library_path)"], env=env, cwd=work)
if os.path.join(work, "venv") not in r.stdout or libdir not in r.stdout:
    testlib.fail("the venv's fipsrt did not load the installed library")
bare = dict(env)
bare.pop("LD_LIBRARY_PATH")
if testlib.run(["sh", "-c", "/sbin/ldconfig -p | grep -q 'libfipsrt.so.1 '"],
               check=False, quiet=True).returncode != 0:
    r = testlib.run([venv_python, "-c", "import fipsrt"], env=bare, cwd=work, check=False)
    if r.returncode == 0 or "ImportError: fipsrt needs the shared library libfipsrt.so.1" \
            not in r.stderr:
        testlib.fail("no clear ImportError without libfipsrt.so.1")

# ---- pip install of the source tree --------------------------------------------------------
# (into the same venv, replacing the wheel's install: a second venv costs time, not coverage)
venv = os.path.join(work, "venv")
testlib.run([os.path.join(venv, "bin", "pip"), "uninstall", "-y", "-q", "fipsrt"], env=env)
testlib.run([os.path.join(venv, "bin", "pip"), "install", "--no-build-isolation", "--no-index",
             "-q", testlib.SOURCE], env=env, cwd=work)
r = testlib.run([os.path.join(venv, "bin", "python"), "example.py"], env=env, cwd=work)
if "refused: FIPSRT_E_MD5_SECURE" not in r.stdout:
    testlib.fail("the example did not run from the pip-installed source tree")
shutil.rmtree(tmp, ignore_errors=True)
print("ok: wheel built, installed in a fresh venv, README example run; it links the installed "
      "libfipsrt.so.1 by SONAME; pip install of the source tree works")
