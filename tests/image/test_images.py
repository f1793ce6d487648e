# SPDX-License-Identifier: Apache-2.0
"""The container images (issue 14): `tools/run image` builds localhost/fipsrt-build,
localhost/fipsrt-base and localhost/helloserver-fips, and the README's "Containers" blocks
run verbatim: the hello server serves "Hello, world!" under the FIPS TLS policy and refuses
a ChaCha20 client, a tampered fipsmodule.cnf mounted over the image's makes it exit 134 with
the panic, the original one makes it serve again, and `fipsrt check --root` finds every ELF
file of the exported root file system clean, the programs routed through libfipsrt. Then what the README does not show: the base has no
shell, package manager or compiler, runs `fipsrt` in FIPS mode with no opt-out, the builder
is FIPS-only, and helloserver-fips is at most 35 MB.

Skipped (exit 77, one line) when podman is missing or cannot run a container here, and in
the sanitizer and valgrind passes (tools/run test runs it in the plain pass only)."""
import fcntl
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "consumers"))
import testlib  # noqa: E402

SOURCE = testlib.SOURCE
HELLO = "localhost/helloserver-fips"
BASE = "localhost/fipsrt-base"
BUILDER = "localhost/fipsrt-build"
MAX_HELLO_BYTES = 35 * 1000 * 1000  # podman's MB

if testlib.under_valgrind() or os.environ.get("FIPSRT_SANITIZE", "none") not in ("", "none"):
    testlib.skip("the image tests run in the first pass only: they test containers, not this "
                 "build's instrumentation")
if not shutil.which("podman"):
    testlib.skip("podman is not installed (`tools/run image` installs it)")

env = dict(os.environ)
env.setdefault("CONTAINERS_CONF", os.path.join(SOURCE, "containers", "containers.conf"))


def podman(*args, check=True, quiet=False):
    return testlib.run(["podman", *args], check=check, quiet=quiet, env=env)


def probe_podman():
    """Can podman run a container here at all, on its default (bridge) network, which the
    server's published port needs? A root file system of /bin/true and the libraries it
    loads, run with --rootfs: no image or registry needed."""
    root = testlib.temp_dir("podman-probe")
    try:
        libs = subprocess.run(["ldd", "/bin/true"], capture_output=True, text=True).stdout
        for path in ["/bin/true"] + [w for w in libs.split() if w.startswith("/")]:
            real = os.path.realpath(path)
            for p in {path, real}:
                dst = os.path.join(root, p.lstrip("/"))
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                if not os.path.exists(dst):
                    shutil.copy2(real, dst)
        r = subprocess.run(["podman", "run", "--rm", "--rootfs", root,
                            "/bin/true"], capture_output=True, text=True, env=env, timeout=120)
        if r.returncode != 0:
            why = (r.stderr.strip().splitlines() or ["exit status %d" % r.returncode])[-1]
            testlib.skip("podman cannot run a container on this machine: " + why)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def port_free(port):
    s = socket.socket()
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def cleanup():
    subprocess.run(["podman", "rm", "-f", "-i", "hello", "hello-files", "hello-export"],
                   capture_output=True, env=env)


# The README quotes examples/Containerfile whole: the quoted file is the one that is built.
containerfile = open(os.path.join(SOURCE, "examples", "Containerfile")).read()
if "```dockerfile\n" + containerfile + "```" not in open(testlib.README).read():
    testlib.fail("README.md does not quote examples/Containerfile as it is")

probe_podman()
# Checkouts on one machine share podman's images, port 8443 and the container names: one
# image test at a time (the lock is released when this process exits).
lock = open(os.path.join(tempfile.gettempdir(), "fipsrt-image-test.lock"), "w")
t_wait = time.time()
fcntl.flock(lock, fcntl.LOCK_EX)
if time.time() - t_wait > 1:
    print("waited %.0f s for another image test to finish" % (time.time() - t_wait))
cleanup()
work = testlib.temp_dir("image")
# The README's commands use build/tools/fipsrt, the tool of a build tree named build.
os.symlink(testlib.BUILD or os.path.join(SOURCE, "build"), os.path.join(work, "build"))
try:
    # ---- build (from the source tree), then the README's blocks ----------------------
    t0 = time.time()
    testlib.run_readme_blocks("image_build", SOURCE, env)
    print("images built or found up to date in %.0f s" % (time.time() - t0))
    if not port_free(8443):
        testlib.fail("port 8443 is in use by another process; the README's commands publish it")
    testlib.run_readme_blocks("image_run", work, env)
    testlib.run_readme_blocks("image_audit", work, env)

    # ---- the audit walked the whole image: each file's route, the programs via libfipsrt --
    r = testlib.run(["build/tools/fipsrt", "check", "--json", "--root", "hello-root",
                     "hello-root"], cwd=work, env=env, quiet=True)
    routes = {f["root_path"]: f["route"] for f in json.loads(r.stdout)["files"]
              if f["status"] == "ok" and f["route_allowed"]}
    if len(routes) != len(json.loads(r.stdout)["files"]):
        testlib.fail("files with findings or unreadable in the image:\n" + r.stdout)
    for path in ("/helloserver", "/usr/bin/fipsrt"):
        if routes.get(path) != "libfipsrt":
            testlib.fail("%s: route %r, not libfipsrt" % (path, routes.get(path)))
    print("ok: %d ELF files audited, all clean; routes: %s" % (
        len(routes), ", ".join("%s %d" % (k, list(routes.values()).count(k))
                               for k in sorted(set(routes.values())))))

    # ---- the exact command of the issue, in the foreground, stops cleanly on SIGTERM -----
    p = subprocess.Popen(["podman", "run", "--rm", "-p", "8443:8443", HELLO], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        r = testlib.run(["curl", "-sSk", "--retry", "30", "--retry-all-errors", "--retry-delay",
                         "1", "https://127.0.0.1:8443/"], env=env)
        if r.stdout != "Hello, world!\n":
            testlib.fail("unexpected body %r" % r.stdout)
    finally:
        p.terminate()  # podman passes SIGTERM to helloserver, which exits 0
        out, err = p.communicate(timeout=60)
    print(err.rstrip())
    if p.returncode != 0 or "serving https://0.0.0.0:8443" not in err:
        testlib.fail("podman run --rm -p 8443:8443 %s: status %d" % (HELLO, p.returncode))
    print("ok: `podman run --rm -p 8443:8443 %s` served and stopped cleanly" % HELLO)

    # ---- the runtime base: nothing to run but libfipsrt programs ----------------------
    base_root = os.path.join(work, "base-root")
    os.mkdir(base_root)
    podman("create", "--name", "hello-files", BASE, "/usr/bin/fipsrt", quiet=True)
    testlib.run("podman export hello-files | tar -x -C " + base_root, env=env)
    podman("rm", "hello-files", quiet=True)
    banned = []
    for d in ("usr/bin", "usr/sbin", "usr/local/bin"):
        for name in ("sh", "bash", "dash", "busybox", "apt", "apt-get", "dpkg", "gcc", "cc",
                     "ld", "perl", "python3", "ls", "cat"):
            if os.path.lexists(os.path.join(base_root, d, name)):
                banned.append(d + "/" + name)
    if banned:
        testlib.fail("the runtime base contains " + ", ".join(banned))
    programs = [os.path.relpath(os.path.join(d, f), base_root)
                for d, _, fs in os.walk(base_root) for f in fs
                if os.access(os.path.join(d, f), os.X_OK) and ".so" not in f
                and not os.path.islink(os.path.join(d, f))]
    if programs != ["usr/bin/fipsrt"]:
        testlib.fail("the base should hold one program, usr/bin/fipsrt, not %s" % programs)
    r = podman("run", "--rm", BASE, "/bin/sh", "-c", "true", check=False)
    if r.returncode == 0:
        testlib.fail("the base ran /bin/sh")
    print("ok: the base has no shell, package manager or compiler; its only program is fipsrt")

    r = podman("run", "--rm", BASE, "fipsrt", "status", quiet=True)
    for want in ("FIPS mode:        on", "(active, self-tests passed)",
                 "config file:      /usr/lib/ssl/openssl.cnf"):
        if want not in r.stdout:
            testlib.fail("fipsrt status in the base does not say %r" % want)
    r = podman("run", "--rm", BASE, "fipsrt", "hash", "md5", "/etc/os-release", check=False)
    if r.returncode != 1 or "MD5 is not allowed for security use" not in r.stderr:
        testlib.fail("fipsrt hash md5 was not refused in the base")
    r = podman("run", "--rm", "-e", "OPENSSL_CONF=/dev/null", BASE, "fipsrt", "status",
               check=False)
    if r.returncode != 134 or testlib.PANIC not in r.stderr:
        testlib.fail("OPENSSL_CONF=/dev/null did not make fipsrt panic in the base")
    print("ok: the base runs fipsrt in FIPS mode; MD5 refused; OPENSSL_CONF=/dev/null panics")

    # ---- the builder: whatever is built and run in it is FIPS-forced ------------------
    r = podman("run", "--rm", BUILDER, "sh", "-c",
               "openssl dgst -md5 </dev/null; echo md5=$?; cat /usr/share/fipsrt/provider-versions",
               check=False)
    if "md5=0" in r.stdout or "md5=" not in r.stdout:
        testlib.fail("the builder's openssl computed MD5: its configuration is not FIPS-only")
    hello_c = os.path.join(work, "hello.c")
    with open(hello_c, "w") as f:
        f.write('#include <fipsrt/fipsrt.h>\n#include <stdio.h>\n'
                'int main(void) { uint8_t md[32];\n'
                '  printf("md5: %s\\n", fipsrt_strerror(fipsrt_hash(FIPSRT_HASH_MD5, "a", 1,'
                ' md, sizeof md, NULL)));\n  return 0; }\n')
    r = podman("run", "--rm", "-v", work + ":/w:Z", "-w", "/w", BUILDER, "sh", "-c",
               "cc hello.c -o /tmp/hello $(pkg-config --cflags --libs fipsrt) && /tmp/hello"
               " && OPENSSL_CONF=/dev/null /tmp/hello", check=False)
    if "md5: MD5 is not allowed for security use" not in r.stdout or r.returncode != 134 or testlib.PANIC not in r.stderr:
        testlib.fail("a program built in the builder is not FIPS-forced")
    print("ok: the builder builds FIPS-forced programs (MD5 refused, no opt-out)")

    # ---- sizes -----------------------------------------------------------------------
    sizes = {}
    for image in (BUILDER, BASE, HELLO):
        r = podman("image", "inspect", "--format", "{{.Size}}", image, quiet=True)
        sizes[image] = int(r.stdout.strip())
        print("%s: %.1f MB" % (image, sizes[image] / 1e6))
    if sizes[HELLO] > MAX_HELLO_BYTES:
        testlib.fail("%s is %.1f MB, over the 35 MB goal" % (HELLO, sizes[HELLO] / 1e6))
    print("ok: every image test passed")
finally:
    cleanup()
    shutil.rmtree(work, ignore_errors=True)
