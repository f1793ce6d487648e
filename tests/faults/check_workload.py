# SPDX-License-Identifier: Apache-2.0
"""The allocation-failure sweep's workload touches every exported function (issue 13): each
symbol of lib/fipsrt.map must appear in tests/faults/workload.c or alloc_fail.c."""
import os
import re
import sys

src = os.environ.get("FIPSRT_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
exports = set(re.findall(r"\b(fipsrt_\w+);", open(os.path.join(src, "lib", "fipsrt.map")).read()))
text = "".join(open(os.path.join(src, "tests", "faults", f)).read()
               for f in ("workload.c", "alloc_fail.c"))
missing = sorted(e for e in exports if not re.search(r"\b%s\b" % e, text))
if not exports:
    sys.exit("FAIL: no exports read from lib/fipsrt.map")
if missing:
    sys.exit("FAIL: the fault workload never calls: " + ", ".join(missing))
print("ok: the fault workload calls all %d exported functions" % len(exports))
