#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Services: docs/SERVICES.md (the approved-service indicator's table) covers the library.

- the table parses (tools/gen-services.py: fixed columns, known statuses, no duplicates);
- its rows and the functions the built library exports (nm -D) are the same set, and the
  same as lib/fipsrt.map: an exported function without a row, or a row without a function,
  fails (the lead's merges surface here);
- `fipsrt status --json` reports the same table (counts per status, the names that count);
- the counting rules cite what they rest on (IG 2.4.C, SP 800-131A Rev. 2), and the
  indicator's header points at the table.
tests/test_indicator.c asserts the counter for every service row."""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testlib  # noqa: E402

if testlib.under_valgrind():
    testlib.skip("reads files and runs the CLI in a child; nothing for valgrind to trace")
src = testlib.SOURCE
lib = os.environ.get("FIPSRT_LIBRARY")
cli = os.environ.get("FIPSRT_CLI")
if not lib or not cli:
    testlib.fail("FIPSRT_LIBRARY / FIPSRT_CLI not set (run through meson test)")
sys.path.insert(0, os.path.join(src, "tools"))
gen = __import__("gen-services")
problems = []

doc = os.path.join(src, "docs", "SERVICES.md")
rows, parse_problems = gen.parse(doc)
problems += parse_problems
table = {f: status for f, status, _ in rows}

# ---- rows <-> exported symbols <-> the version script ---------------------------------------
nm = testlib.run(["nm", "-D", "--defined-only", lib], quiet=True).stdout
exported = set()
for line in nm.splitlines():
    parts = line.split()
    if len(parts) >= 3 and parts[1] in ("T", "W", "i"):
        exported.add(parts[2].split("@")[0])
map_text = re.sub(r"/\*.*?\*/", "", open(os.path.join(src, "lib", "fipsrt.map")).read(), flags=re.S)
mapped = set(re.findall(r"\b(fipsrt_\w+)\s*;", map_text))
for s in sorted(exported - set(table)):
    problems.append("%s is exported but has no row in docs/SERVICES.md" % s)
for s in sorted(set(table) - exported):
    problems.append("docs/SERVICES.md has a row for %s, which the library does not export" % s)
for s in sorted(mapped - set(table)):
    problems.append("%s is in lib/fipsrt.map but has no row in docs/SERVICES.md" % s)

# ---- fipsrt status --json reports the same table ------------------------------------------
r = subprocess.run([cli, "status", "--json"], capture_output=True, text=True)
if r.returncode != 0:
    problems.append("fipsrt status --json failed (%d): %s" % (r.returncode, r.stderr))
else:
    svc = json.loads(r.stdout).get("services")
    if svc is None:
        problems.append("fipsrt status --json has no \"services\" object")
    else:
        by_status = {s: sum(1 for v in table.values() if v == s) for s in gen.STATUSES}
        if svc.get("functions") != len(table) or svc.get("by_status") != by_status:
            problems.append("fipsrt status --json reports %s functions %s, the table has %d %s"
                            % (svc.get("functions"), svc.get("by_status"), len(table), by_status))
        for s in gen.STATUSES[:-1]:
            want = [f for f, st, _ in rows if st == s]
            if svc.get(s) != want:
                problems.append("fipsrt status --json lists %s as %s, the table %s"
                                % (svc.get(s), s, want))
        text = subprocess.run([cli, "status"], capture_output=True, text=True).stdout
        if "%d functions: %d approved" % (len(table), by_status["approved"]) not in text:
            problems.append("fipsrt status does not summarise the service table")

# ---- the rules cite their sources -----------------------------------------------------------
body = open(doc).read()
for cite in ("IG 2.4.C", "SP 800-131A Rev. 2", "legacy use"):
    if cite not in body:
        problems.append("docs/SERVICES.md does not cite %r" % cite)
runtime_h = open(os.path.join(src, "include", "fipsrt", "runtime.h")).read()
if "docs/SERVICES.md" not in runtime_h:
    problems.append("fipsrt/runtime.h does not point at docs/SERVICES.md")

counts = ", ".join("%d %s" % (sum(1 for v in table.values() if v == s), s) for s in gen.STATUSES)
print("services: %d rows (%s); %d exported functions" % (len(table), counts, len(exported)))
if problems:
    print("\n".join("FAIL: " + p for p in problems))
    sys.exit(1)
print("ok: docs/SERVICES.md covers every exported function and fipsrt status reports it")
