#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ABI: tools/abi-baseline enforces the policy of docs/ABI.md, shown on versions of a toy
library (so the real baseline can wait for the API to settle). Accepted: unchanged, an
addition in a new chained node, an appended enumerator, a changed private layout behind an
opaque handle. Rejected: an addition to a released
node, a changed enumerator value, a removed function, a changed parameter type, a changed
struct layout."""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testlib  # noqa: E402

if shutil.which("abidw") is None:
    testlib.skip("abidw not found (Debian: abigail-tools)")
tool = os.path.join(testlib.SOURCE, "tools", "abi-baseline")
tmp = testlib.temp_dir("abi-policy")

V1 = {
    "header": "struct toy_opts { unsigned int version; int level; };\n"
              "enum toy_mode { TOY_A = 1, TOY_B = 2 };\n"
              "typedef struct toy_handle toy_handle;\n"
              "int toy_run(const struct toy_opts *opts, int n);\n"
              "int toy_count(enum toy_mode mode);\n"
              "int toy_use(toy_handle *h);\n",
    "source": "struct toy_handle { int a; };\n"
              "int toy_run(const struct toy_opts *opts, int n) { return opts->level + n; }\n"
              "int toy_count(enum toy_mode mode) { return (int)mode; }\n"
              "int toy_use(toy_handle *h) { return h->a; }\n",
    "map": "FIPSRT_1.0 { global: toy_run; toy_count; toy_use; local: *; };\n",
}


def variant(**changes):
    v = dict(V1)
    v.update(changes)
    return v


CASES = [
    ("unchanged", V1, True),
    ("addition in a new chained node FIPSRT_1.1",
     variant(header=V1["header"] + "int toy_new(void);\n",
             source=V1["source"] + "int toy_new(void) { return 2; }\n",
             map=V1["map"] + "FIPSRT_1.1 { global: toy_new; } FIPSRT_1.0;\n"), True),
    ("addition in the released node FIPSRT_1.0",
     variant(header=V1["header"] + "int toy_new(void);\n",
             source=V1["source"] + "int toy_new(void) { return 2; }\n",
             map="FIPSRT_1.0 { global: toy_run; toy_count; toy_use; toy_new; local: *; };\n"), False),
    ("opaque handle's private layout changed",
     variant(source=V1["source"].replace("struct toy_handle { int a; };",
                                         "struct toy_handle { long x; int a; };")), True),
    ("enumerator appended", variant(header=V1["header"].replace("TOY_B = 2", "TOY_B = 2, TOY_C")),
     True),
    ("enumerator value changed", variant(header=V1["header"].replace("TOY_B = 2", "TOY_B = 3")),
     False),
    ("removed function",
     variant(header=V1["header"].replace("int toy_count(enum toy_mode mode);\n", ""),
             source=V1["source"].replace("int toy_count(enum toy_mode mode) { return (int)mode; }\n",
                                         ""),
             map="FIPSRT_1.0 { global: toy_run; toy_use; local: *; };\n"), False),
    ("changed parameter type",
     variant(header=V1["header"].replace("int n)", "long n)"),
             source=V1["source"].replace("int n)", "long n)").replace("+ n;", "+ (int)n;")),
     False),
    ("changed struct layout",
     variant(header=V1["header"].replace("int level; }", "long level; int extra; }")), False),
]


def build(name, v):
    d = os.path.join(tmp, name)
    os.makedirs(os.path.join(d, "include"))
    open(os.path.join(d, "include", "toy.h"), "w").write(v["header"])
    open(os.path.join(d, "toy.c"), "w").write('#include "toy.h"\n' + v["source"])
    open(os.path.join(d, "toy.map"), "w").write(v["map"])
    lib = os.path.join(d, "libtoy.so.1")
    testlib.run(testlib.cc() + ["-g", "-O0", "-shared", "-fPIC", "-I", os.path.join(d, "include"),
                                os.path.join(d, "toy.c"), "-Wl,-soname,libtoy.so.1",
                                "-Wl,--version-script=" + os.path.join(d, "toy.map"), "-o", lib],
                quiet=True)
    return lib, os.path.join(d, "include")


base_lib, base_inc = build("v1", V1)
baseline = os.path.join(tmp, "toy.abi")
testlib.run([tool, "generate", "--lib", base_lib, "--headers", base_inc, "--baseline", baseline])

bad = []
for i, (label, v, ok) in enumerate(CASES):
    lib, inc = build("case%d" % i, v)
    r = testlib.run([tool, "check", "--lib", lib, "--headers", inc, "--baseline", baseline],
                    check=False)
    verdict = r.returncode == 0
    print("%s: %s -> %s (expected %s)" % ("ok" if verdict == ok else "FAIL", label,
                                          "accepted" if verdict else "rejected",
                                          "accepted" if ok else "rejected"))
    if verdict != ok or r.returncode not in (0, 1):
        bad.append(label)
shutil.rmtree(tmp, ignore_errors=True)
if bad:
    testlib.fail("policy not enforced for: " + ", ".join(bad))
print("ok: tools/abi-baseline enforces the ABI policy on %d cases" % len(CASES))
