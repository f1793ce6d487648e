#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Docs: the reference cannot silently fall behind the code.

- every symbol exported through lib/fipsrt.map is documented in some man page;
- every family header has its generated section-3 page, which covers all its functions;
- the hand-written pages name no fipsrt_* identifier the headers do not declare, refer only
  to pages that exist, libfipsrt(7) lists every family page and fipsrt(1) documents every
  command of tools/fipsrt.c;
- docs/meson.build installs every hand-written page;
- every page renders with groff without a warning;
- README.md has its four sections and the tested command blocks."""
import glob
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testlib  # noqa: E402

src = testlib.SOURCE
man3_dir = os.environ.get("FIPSRT_MAN3_DIR")
if not man3_dir:
    testlib.fail("FIPSRT_MAN3_DIR not set (run through meson test)")
problems = []


def read(path):
    with open(path) as f:
        return f.read()


def plain(roff):
    """Page text with font escapes and \\- undone, so identifiers match as words."""
    return re.sub(r"\\f[BIRP]|\\&", "", roff).replace("\\-", "-").replace("\\e", "\\")


hand = sorted(glob.glob(os.path.join(src, "docs", "man", "*.[1-8]")))
generated = sorted(glob.glob(os.path.join(man3_dir, "fipsrt_*.3")))
pages = {os.path.basename(p): plain(read(p)) for p in hand + generated}
page_names = {re.sub(r"\.(\d)$", r"(\1)", n) for n in pages}
alltext = "\n".join(pages.values())

# ---- exported symbols are documented ----------------------------------------------------
map_text = re.sub(r"/\*.*?\*/", "", read(os.path.join(src, "lib", "fipsrt.map")), flags=re.S)
exported = sorted(set(re.findall(r"\b(fipsrt_\w+)\s*;", map_text)))
undocumented = [s for s in exported if not re.search(r"\b%s\b" % s, alltext)]
for s in undocumented:
    problems.append("%s (lib/fipsrt.map) is in no man page" % s)

# ---- every family header has its page, covering its functions ----------------------------
header_idents = set()
for h in sorted(glob.glob(os.path.join(src, "include", "fipsrt", "*.h"))):
    text = read(h)
    header_idents |= set(re.findall(r"\bfipsrt_\w+", text))
    base = os.path.basename(h)
    if base in ("defs.h", "fipsrt.h"):
        continue
    page = "fipsrt_%s.3" % base[:-2]
    if page not in pages:
        problems.append("include/fipsrt/%s has no man page %s (is it in include/meson.build?)"
                        % (base, page))
        continue
    for fn in re.findall(r"FIPSRT_API\b[^;{]*?\b(fipsrt_\w+)\s*\(", text):
        if not re.search(r"\b%s\b" % fn, pages[page]):
            problems.append("%s does not describe %s" % (page, fn))

# ---- the hand-written pages -------------------------------------------------------------
for p in hand:
    name, text = os.path.basename(p), pages[os.path.basename(p)]
    for ident in sorted(set(re.findall(r"\bfipsrt_\w+", text))):
        if ident not in header_idents and "%s(3)" % ident not in page_names:
            problems.append("%s names %s, which no header declares" % (name, ident))
    for ref, sec in re.findall(r"\.BR\s+(\S+)\s+\((\d)\)", read(p)):
        ref = ref.replace("\\-", "-")
        if (ref.startswith("fipsrt") or ref == "libfipsrt") and "%s(%s)" % (ref, sec) not in page_names:
            problems.append("%s refers to %s(%s), which does not exist" % (name, ref, sec))
overview = pages.get("libfipsrt.7", "")
for g in generated:
    ref = os.path.basename(g)[:-2]
    if not re.search(r"\b%s\s*\(3\)" % ref, overview):
        problems.append("libfipsrt.7 does not list %s(3)" % ref)
cli_src = read(os.path.join(src, "tools", "fipsrt.c"))
commands = re.findall(r'\{\s*"([\w-]+)",\s*cmd_\w+', cli_src)
cli_page = read(os.path.join(src, "docs", "man", "fipsrt.1"))
for c in commands:
    if not re.search(r'^\.SS "%s\b' % re.escape(c), cli_page, re.M):
        problems.append("fipsrt.1 has no subsection for the command '%s'" % c)
installs = read(os.path.join(src, "docs", "meson.build"))
for p in hand:
    if "'man/%s'" % os.path.basename(p) not in installs:
        problems.append("docs/meson.build does not install man/%s" % os.path.basename(p))

# ---- every page renders cleanly -----------------------------------------------------------
if shutil.which("groff"):
    for p in hand + generated:
        r = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", p], capture_output=True,
                           text=True)
        if r.returncode != 0 or r.stderr.strip():
            problems.append("groff warns about %s:\n%s" % (os.path.basename(p), r.stderr))
else:
    print("note: groff not found, pages not rendered")

# ---- README sections ----------------------------------------------------------------------
readme = read(testlib.README)
for title in ("Using libfipsrt from C", "Vendoring", "from Python", "Auditing a binary"):
    if not re.search(r"^## .*%s" % re.escape(title), readme, re.M):
        problems.append("README.md has no section '%s'" % title)
for group in ("install", "subproject"):
    testlib.readme_blocks(group)  # fails if a group lost its blocks

print("pages: %d hand-written, %d generated; %d exported symbols documented; %d CLI commands"
      % (len(hand), len(generated), len(exported) - len(undocumented), len(commands)))
if problems:
    print("\n".join("FAIL: " + p for p in problems))
    sys.exit(1)
print("ok: the man pages cover the API and the CLI, and render cleanly")
