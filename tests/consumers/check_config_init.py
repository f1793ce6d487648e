#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ABI: every versioned config struct initialises identically by macro and by function.

Generic over the public headers: each `#define FIPSRT_<X>_INIT` with a FIPSRT_API function
`fipsrt_<x>_init(T *, ...)` is a pair (libgit2's *_OPTIONS_INIT / *_options_init idiom).
For each pair a C program is generated that fills one struct with the macro and another
(pre-filled with 0xA5 so a forgotten member shows) with the function, compares them member
by member, checks version/size, and checks the function refuses NULL and an unknown version
with FIPSRT_E_INVALID_ARG. It is compiled as C11 and as C++17 (the macros have a C++ form)
and linked against the library under test."""
import glob
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testlib  # noqa: E402

src = testlib.SOURCE
lib = os.environ.get("FIPSRT_LIBRARY")
if not lib:
    testlib.fail("FIPSRT_LIBRARY not set (run through meson test)")
inc = os.path.join(src, "include")

texts = {}
for h in sorted(glob.glob(os.path.join(inc, "fipsrt", "*.h"))):
    texts[os.path.basename(h)] = re.sub(r"/\*.*?\*/", "", open(h).read(), flags=re.S)
alltext = "\n".join(texts.values())


def members(struct_type):
    """Member names of `typedef struct ... { ... } struct_type;`, or None if not parseable
    (nested aggregates): the comparison then falls back to the whole object."""
    m = re.search(r"struct\s*\w*\s*\{([^{}]*)\}\s*" + re.escape(struct_type) + r"\s*;", alltext)
    if not m:
        return None
    names = []
    for decl in m.group(1).split(";"):
        decl = " ".join(decl.split())
        if not decl:
            continue
        fp = re.search(r"\(\s*\*\s*(\w+)\s*\)", decl)
        if fp:
            names.append(fp.group(1))
            continue
        if ":" in decl:  # bit-fields have no address
            return None
        for d in decl.split(","):
            d = re.sub(r"\[[^\]]*\]", "", d).strip()
            ids = re.findall(r"\w+", d)
            if not ids:
                return None
            names.append(ids[-1])
    return names


pairs = []
for hname, text in texts.items():
    for m in re.finditer(r"#\s*define\s+FIPSRT_(\w+)_INIT\b", text):
        base = m.group(1)
        if any(p[1] == base for p in pairs):  # defined once for C and once for C++
            continue
        func = "fipsrt_%s_init" % base.lower()
        f = re.search(r"FIPSRT_API\s+int\s+" + func + r"\s*\(([^)]*)\)", alltext)
        if not f:
            testlib.fail("%s defines FIPSRT_%s_INIT but no FIPSRT_API int %s(...) is declared"
                         % (hname, base, func))
        params = [p.strip() for p in f.group(1).split(",")]
        t = re.match(r"(?:struct\s+)?(\w+)\s*\*", params[0])
        if not t:
            testlib.fail("%s: first parameter %r is not a pointer to the struct" % (func, params[0]))
        version = "FIPSRT_%s_VERSION" % base
        has_version = re.search(r"#\s*define\s+%s\b" % version, alltext) is not None
        if len(params) > 1 and not has_version:
            testlib.fail("%s takes a version but %s is not defined" % (func, version))
        pairs.append((hname, base, func, t.group(1), version if len(params) > 1 else None))

if not pairs:
    testlib.skip("no FIPSRT_*_INIT / fipsrt_*_init() pairs in the public headers yet")

out = ["#include <stdio.h>", "#include <string.h>", "#include <fipsrt/error.h>"]
out += ["#include <fipsrt/%s>" % h for h in sorted({p[0] for p in pairs})]
calls = []
for hname, base, func, stype, version in pairs:
    names = members(stype)
    varg = ", " + version if version else ""
    body = [
        "static int check_%s(void)" % func, "{",
        "    static const %s by_macro = FIPSRT_%s_INIT;" % (stype, base),
        "    %s by_func;" % stype,
        "    int bad = 0;",
        "    memset(&by_func, 0xA5, sizeof(by_func));",
        "    int rv = %s(&by_func%s);" % (func, varg),
        "    if (rv != 0) {",
        '        printf("FAIL: %s returned %%d\\n", rv);' % func,
        "        return 1;",
        "    }",
    ]
    if names is None:
        body += [
            "    if (memcmp(&by_macro, &by_func, sizeof(by_macro)) != 0) {",
            '        printf("FAIL: %s: macro and function results differ\\n");' % stype,
            "        bad = 1;",
            "    }",
        ]
    else:
        for n in names:
            body += [
                "    if (memcmp(&by_macro.%s, &by_func.%s, sizeof(by_macro.%s)) != 0) {" % (n, n, n),
                '        printf("FAIL: %s.%s: FIPSRT_%s_INIT and %s() differ\\n");'
                % (stype, n, base, func),
                "        bad = 1;",
                "    }",
            ]
        if "size" in names:
            body += [
                "    if (by_macro.size != sizeof(%s)) {" % stype,
                '        printf("FAIL: FIPSRT_%s_INIT.size is %%zu, not sizeof (%%zu)\\n", '
                "(size_t)by_macro.size, sizeof(%s));" % (base, stype),
                "        bad = 1;",
                "    }",
            ]
        if "version" in names and version:
            body += [
                "    if (by_macro.version != %s) {" % version,
                '        printf("FAIL: FIPSRT_%s_INIT.version is not %s\\n");' % (base, version),
                "        bad = 1;",
                "    }",
            ]
    body += [
        "    if ((rv = %s(NULL%s)) != FIPSRT_E_INVALID_ARG) {" % (func, varg),
        '        printf("FAIL: %s(NULL) returned %%d, not FIPSRT_E_INVALID_ARG\\n", rv);' % func,
        "        bad = 1;",
        "    }",
    ]
    if version:
        body += [
            "    if ((rv = %s(&by_func, %s + 1)) != FIPSRT_E_INVALID_ARG) {" % (func, version),
            '        printf("FAIL: %s(version %%d) returned %%d, not FIPSRT_E_INVALID_ARG\\n", '
            "%s + 1, rv);" % (func, version),
            "        bad = 1;",
            "    }",
        ]
    count = "whole object" if names is None else "%d members" % len(names)
    body += [
        "    if (!bad)",
        '        printf("ok: %s: FIPSRT_%s_INIT == %s() (%s)\\n");' % (stype, base, func, count),
        "    return bad;", "}", "",
    ]
    out += body
    calls.append("check_%s()" % func)
out += ["int main(void)", "{", "    int bad = 0;"]
out += ["    bad |= %s;" % c for c in calls]
out += ["    return bad;", "}", ""]

tmp = tempfile.mkdtemp(prefix="fipsrt-config-init.")
source = os.path.join(tmp, "config_init.c")
open(source, "w").write("\n".join(out))
libdir = os.path.dirname(os.path.abspath(lib))
failed = False
for lang, compiler, std in (("C", testlib.cc(), ["-std=c11", "-x", "c"]),
                            ("C++", [os.environ.get("FIPSRT_CXX", "g++")],
                             ["-std=c++17", "-x", "c++"])):
    exe = os.path.join(tmp, "config_init_" + ("c" if lang == "C" else "cxx"))
    testlib.run(compiler + std + ["-Wall", "-Wextra", "-Werror", "-I", inc, source, "-x", "none",
                                  os.path.abspath(lib), "-Wl,-rpath," + libdir, "-o", exe]
                + testlib.sanitize_flags())
    r = testlib.run([exe], check=False)
    if r.returncode != 0:
        failed = True
        print("FAIL: the %s program failed (status %d)" % (lang, r.returncode))
if failed:
    print("generated program:\n" + "\n".join(out))
    sys.exit(1)
print("ok: %d config struct(s), as C and C++" % len(pairs))
