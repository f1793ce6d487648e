#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ABI: the exported symbols of libfipsrt.so.1 and lib/fipsrt.map agree in both directions,
each symbol carries the version of the node it is listed in, the nodes are FIPSRT_<major>.<n>
chained in order, only fipsrt_* leaves the library, the SONAME is libfipsrt.so.<major>, every
exported function is declared FIPSRT_API in a public header (and every FIPSRT_API function
is exported), the library can be dlopen()ed (no STATIC_TLS), and the static archive
defines nothing outside the fipsrt_/frt_ namespaces."""
import glob
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testlib  # noqa: E402

lib = os.environ.get("FIPSRT_LIBRARY")
archive = os.environ.get("FIPSRT_STATIC_LIBRARY")
if not lib or not archive:
    testlib.fail("FIPSRT_LIBRARY / FIPSRT_STATIC_LIBRARY not set (run through meson test)")
src = testlib.SOURCE
problems = []

# ---- the version script ---------------------------------------------------------------
text = open(os.path.join(src, "lib", "fipsrt.map")).read()
text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
text = re.sub(r"#[^\n]*", "", text)
nodes = []  # (name, [symbols], parent)
for m in re.finditer(r"(\w[\w.]*)\s*\{(.*?)\}\s*([\w.]*)\s*;", text, flags=re.S):
    name, body, parent = m.group(1), m.group(2), m.group(3) or None
    syms = []
    scope = "global"
    for tok in re.split(r"\s*;\s*|\s+", body):
        if not tok:
            continue
        if tok in ("global:", "local:"):
            scope = tok[:-1]
            continue
        if tok.endswith(":") and tok[:-1] in ("global", "local"):
            scope = tok[:-1]
            continue
        if scope == "global":
            syms.append(tok)
        elif tok != "*":
            problems.append("node %s: local symbol %s (only 'local: *;' is expected)" % (name, tok))
    nodes.append((name, syms, parent))

defs = open(os.path.join(src, "include", "fipsrt", "defs.h")).read()
major = re.search(r"#define\s+FIPSRT_VERSION_MAJOR\s+(\d+)", defs).group(1)
if not nodes:
    problems.append("no version nodes in lib/fipsrt.map")
listed = {}
for i, (name, syms, parent) in enumerate(nodes):
    m = re.fullmatch(r"FIPSRT_(\d+)\.(\d+)", name)
    if not m or m.group(1) != major:
        problems.append("node %s: not named FIPSRT_%s.<minor>" % (name, major))
        continue
    if i == 0 and (m.group(2) != "0" or parent):
        problems.append("first node must be FIPSRT_%s.0 with no parent, got %s %s"
                        % (major, name, parent or ""))
    if i > 0:
        prev = nodes[i - 1][0]
        if parent != prev:
            problems.append("node %s must be chained to the previous node %s (got %s)"
                            % (name, prev, parent))
        pm = re.fullmatch(r"FIPSRT_\d+\.(\d+)", prev)
        if pm and int(m.group(2)) != int(pm.group(1)) + 1:
            problems.append("node %s does not follow %s" % (name, prev))
    for s in syms:
        if s in listed:
            problems.append("%s listed in both %s and %s" % (s, listed[s], name))
        listed[s] = name
        if not s.startswith("fipsrt_"):
            problems.append("map lists %s: exported names must start with fipsrt_" % s)

# ---- what the shared library exports --------------------------------------------------
nm = testlib.run(["nm", "-D", "--defined-only", lib], quiet=True).stdout
exported = {}
for line in nm.splitlines():
    parts = line.split()
    if len(parts) < 3:
        continue
    kind, sym = parts[1], parts[2]
    name, _, ver = sym.partition("@")
    ver = ver.lstrip("@")
    if kind == "A" and re.fullmatch(r"FIPSRT_\d+\.\d+", name):
        continue  # the version node itself
    exported[name] = ver

for s in sorted(set(exported) - set(listed)):
    problems.append("exported but not in lib/fipsrt.map: %s" % s)
for s in sorted(set(listed) - set(exported)):
    problems.append("listed in lib/fipsrt.map but not exported (missing FIPSRT_API or "
                    "definition?): %s" % s)
for s in sorted(set(listed) & set(exported)):
    if exported[s] != listed[s]:
        problems.append("%s has version %r, but the map lists it under %s"
                        % (s, exported[s], listed[s]))
for s in sorted(exported):
    if not s.startswith("fipsrt_"):
        problems.append("exported symbol outside the fipsrt_ namespace: %s" % s)

# ---- SONAME -------------------------------------------------------------------------------
dyn = testlib.run(["readelf", "-d", lib], quiet=True).stdout
m = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", dyn)
want = "libfipsrt.so." + major
if not m or m.group(1) != want:
    problems.append("SONAME is %s, expected %s" % (m.group(1) if m else "missing", want))

# ---- dlopen()-able: bindings (ctypes, cffi) and plugins load the library at run time --------
if re.search(r"\(FLAGS\)\s.*STATIC_TLS", dyn):
    problems.append("the library is marked STATIC_TLS (initial-exec thread-locals, "
                    "tls_model(\"initial-exec\")): dlopen() from Python/ctypes and plugins "
                    "fails with 'cannot allocate memory in static TLS block'")

# ---- headers: FIPSRT_API declarations vs exports ------------------------------------------
declared = {}
for h in sorted(glob.glob(os.path.join(src, "include", "fipsrt", "*.h"))):
    body = re.sub(r"/\*.*?\*/", "", open(h).read(), flags=re.S)
    for d in re.finditer(r"FIPSRT_API\b[^;{]*?\b(fipsrt_\w+)\s*\(", body):
        declared[d.group(1)] = os.path.basename(h)
for s in sorted(set(listed) - set(declared)):
    problems.append("%s is in the map but declared FIPSRT_API in no public header" % s)
for s in sorted(set(declared) - set(listed)):
    problems.append("%s (%s) is declared FIPSRT_API but not listed in lib/fipsrt.map"
                    % (s, declared[s]))

# ---- the static archive: vendored into applications, so no global name outside our prefixes
nm = testlib.run(["nm", "-g", "--defined-only", archive], quiet=True).stdout
for line in nm.splitlines():
    parts = line.split()
    if len(parts) == 3 and not re.match(r"(fipsrt_|frt_|FIPSRT_)", parts[2]):
        problems.append("libfipsrt.a defines global %s: name it frt_* (internal) or make it "
                        "static, or it may clash with a vendoring application" % parts[2])

print("version nodes: %s" % ", ".join("%s(%d)" % (n, len(s)) for n, s, _ in nodes))
print("exported: %d symbols, listed: %d, declared in headers: %d"
      % (len(exported), len(listed), len(declared)))
if problems:
    print("\n".join("FAIL: " + p for p in problems))
    sys.exit(1)
print("ok: exports == map == header declarations; SONAME %s" % want)
