#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generate the section-3 man pages from the public headers' Doxygen comments, so the
reference cannot fall behind the API: one page per family header, fipsrt_<family>(3).

    gen-man3.py --list INCLUDE_DIR                page names, one per line
    gen-man3.py INCLUDE_DIR OUT_DIR VERSION       write OUT_DIR/fipsrt_<family>.3

Each page: NAME (the header's @brief and every function), LIBRARY, SYNOPSIS (the
declarations), DESCRIPTION (the file comment), TYPES AND CONSTANTS, FUNCTIONS (each with
its comment, under the header's "---- section ----" titles), ERRORS (every FIPSRT_E_* code
the header mentions, with error.h's text) and SEE ALSO.
"""
import glob
import os
import re
import sys

SKIP = {"defs.h", "fipsrt.h"}  # version macros and the umbrella: in libfipsrt(7)


def headers(include):
    return sorted(h for h in glob.glob(os.path.join(include, "fipsrt", "*.h"))
                  if os.path.basename(h) not in SKIP)


def page_name(header):
    return "fipsrt_%s.3" % os.path.basename(header)[:-2]


# ---- text -----------------------------------------------------------------------------

def esc(s):
    s = s.replace("\\", "\\e").replace("-", "\\-")
    # Non-ASCII as groff escapes, so the pages need no preconv.
    return "".join(c if ord(c) < 128 else "\\[u%04X]" % ord(c) for c in s)


def inline(s):
    """Doxygen/markdown inline markup of one line to roff."""
    s = esc(s)
    s = re.sub(r"@p\s+(\w+)", r"\\fI\1\\fR", s)
    s = re.sub(r"\*\*(.+?)\*\*", r"\\fB\1\\fR", s)
    s = re.sub(r"`([^`]+)`", r"\\fB\1\\fR", s)
    s = re.sub(r"\b(fipsrt_\w+\(\))", r"\\fB\1\\fR", s)
    return s


def line_out(s):
    s = s.rstrip()
    return "\\&" + s if s.startswith((".", "'")) else s


def comment_lines(c):
    """The lines of a /** ... */ comment without the comment markup."""
    body = c[3:-2]
    out = []
    for ln in body.split("\n"):
        ln = re.sub(r"^\s*\* ?", "", ln) if ln.strip().startswith("*") else ln.strip()
        out.append(ln.rstrip())
    while out and not out[0].strip():
        out.pop(0)
    while out and not out[-1].strip():
        out.pop()
    return out


def render_doc(lines):
    """Doxygen body lines to roff: paragraphs, "- " lists, @param and @return tags (whose
    continuation lines are the indented ones that follow)."""
    out = []
    in_tag = False
    for ln in lines:
        s = ln.strip()
        if not s:
            out.append(".PP")
            in_tag = False
            continue
        if s.startswith(("@file", "@brief")):
            continue
        m = re.match(r"@param(\[(?:in|out|in,out)\])?\s+([\w, ]+?)\s+(.*)$", s)
        if m:
            direction = " (%s)" % m.group(1)[1:-1] if m.group(1) else ""
            out += [".TP", "\\fI%s\\fR%s" % (esc(m.group(2).strip()), direction),
                    line_out(inline(m.group(3)))]
            in_tag = True
            continue
        m = re.match(r"@returns?\s*(.*)$", s)
        if m:
            out += [".TP", "Returns", line_out(inline(m.group(1)))]
            in_tag = True
            continue
        if s.startswith("- "):
            out += [".IP \\(bu 2", line_out(inline(s[2:]))]
            in_tag = False
            continue
        if in_tag and not ln.startswith(" "):
            out.append(".PP")  # text after a tag list that is not a continuation
            in_tag = False
        out.append(line_out(inline(s)))
    while out and out[-1] == ".PP":
        out.pop()
    return out


# ---- parsing a header -------------------------------------------------------------------

ITEM = re.compile(r"""
    (?P<doc>/\*\*.*?\*/)\s*                               # a Doxygen comment
  | /\*\s*-{2,}\s*(?P<section>.*?)\s*-*\s*\*/              # a /* ---- section ---- */ title
  | (?P<code>FIPSRT_API[^;]*;                              # a function declaration
     | typedef\s+(?:enum|struct)\s+\w+\s*\{.*?\}\s*\w+\s*;  # an enum or struct
     | typedef\s+struct\s+\w+\s+\w+\s*;                     # an opaque type
     | \#\s*ifdef\s+__cplusplus.*?\#\s*endif[^\n]*          # a macro with a C++ form
     | \#\s*define\s+FIPSRT_(?!\w*_H\b)(?:[^\n]*\\\n)*[^\n]*)  # a macro (not include guards)
""", re.S | re.X)


def parse(path):
    text = open(path).read()
    file_doc, items, pending, section = None, [], None, None
    for m in ITEM.finditer(text):
        if m.group("doc"):
            doc = m.group("doc")
            if "@file" in doc and file_doc is None:
                file_doc = comment_lines(doc)
            else:
                pending = comment_lines(doc)
        elif m.group("section") is not None:
            section = m.group("section").strip()
            pending = None
        else:
            code = m.group("code").strip()
            kind = ("function" if code.startswith("FIPSRT_API") else
                    "macro" if code.startswith("#") else "type")
            if kind == "function":
                # Drop the export macro and re-align the continuation lines with it gone.
                code = re.sub(r"^FIPSRT_API\s+", "", code)
                code = "\n".join(ln[len("FIPSRT_API "):] if i and ln.startswith(" " * 11) else ln
                                 for i, ln in enumerate(code.split("\n")))
            code = code.replace("/**<", "/*")
            name = re.search(r"\b(fipsrt_\w+)\s*\(", code) if kind == "function" else None
            items.append({"kind": kind, "code": code, "doc": pending or [],
                          "name": name.group(1) if name else None, "section": section})
            pending = None
    return file_doc or [], items, text


def brief(file_doc):
    for ln in file_doc:
        m = re.match(r"@brief\s+(.*)", ln.strip())
        if m:
            return m.group(1).rstrip(".")
    return ""


def error_texts(include):
    """FIPSRT_E_NAME -> its comment in error.h."""
    text = open(os.path.join(include, "fipsrt", "error.h")).read()
    return {m.group(1): m.group(2).strip() for m in
            re.finditer(r"(FIPSRT_E_\w+)\s*=\s*-?\d+,\s*/\*\*<\s*(.*?)\s*\*/", text)}


def code_block(code):
    return [".PP", ".nf", ".in +4n"] + [line_out(esc(ln)) for ln in code.split("\n")] + \
        [".in", ".fi"]


def generate(header, include, version):
    file_doc, items, text = parse(header)
    family = os.path.basename(header)[:-2]
    funcs = [i for i in items if i["kind"] == "function"]
    title = "FIPSRT_" + family.upper()
    out = ['.\\" Generated from include/fipsrt/%s.h by docs/gen-man3.py: edit the header.' % family,
           '.TH %s 3 "" "libfipsrt %s" "libfipsrt Manual"' % (title, version),
           ".SH NAME",
           "%s \\- %s" % (", ".join(["fipsrt_" + family] +
                                    [f["name"] for f in funcs if f["name"] != "fipsrt_" + family]),
                          esc(brief(file_doc) or family)),
           ".SH LIBRARY",
           "libfipsrt (\\fI\\-lfipsrt\\fR; \\fBpkg\\-config \\-\\-cflags \\-\\-libs fipsrt\\fR)",
           ".SH SYNOPSIS", ".nf", ".B #include <fipsrt/%s.h>" % family, ".fi"]
    for f in funcs:
        out += [".PP", ".nf"] + [line_out(esc(ln)) for ln in f["code"].split("\n")] + [".fi"]
    out += [".SH DESCRIPTION"] + render_doc(file_doc)
    # Types and macros; an undocumented macro joins the macro before it.
    groups = []
    for t in (i for i in items if i["kind"] != "function"):
        if not t["doc"] and t["kind"] == "macro" and groups and groups[-1][0] == "macro":
            groups[-1][1].append(t["code"])
        else:
            groups.append((t["kind"], [t["code"]], t["doc"]))
    if groups:
        out.append(".SH TYPES AND CONSTANTS")
        for _, codes, doc in groups:
            out += code_block("\n".join(codes))
            if doc:
                out += [".RS"] + render_doc(doc) + [".RE"]
    if funcs:
        out.append(".SH FUNCTIONS")
        section = None
        for f in funcs:
            if f["section"] and f["section"] != section:
                section = f["section"]
                out.append('.SS "%s"' % esc(section[:1].upper() + section[1:]))
            out += [".PP", "\\fB%s\\fR()" % f["name"], ".RS"] + code_block(f["code"])
            out += render_doc(f["doc"]) if f["doc"] else [".PP", "See the description above."]
            out.append(".RE")
    codes = sorted(set(re.findall(r"\bFIPSRT_E_\w+", text)))
    errors = error_texts(include)
    if codes:
        out += [".SH ERRORS", "Functions return 0 on success or one of these negative codes; "
                "\\fBfipsrt_last_error\\fR() gives this thread's detail text "
                "(see \\fBfipsrt_error\\fR(3)):"]
        for c in codes:
            out += [".TP", "\\fB%s\\fR" % esc(c), line_out(inline(errors.get(c, "")))]
    also = {"libfipsrt(7)", "fipsrt(1)", "fipsrt_error(3)"}
    for ref in re.findall(r"fipsrt/(\w+)\.h", text):
        if ref != family and ref not in ("defs",) and os.path.exists(
                os.path.join(include, "fipsrt", ref + ".h")):
            also.add("fipsrt_%s(3)" % ref)
    also.discard("fipsrt_%s(3)" % family)
    refs = sorted(also, key=lambda r: (r[-2], r))
    out += [".SH SEE ALSO",
            ",\n".join(".BR %s (%s)" % (r[:-3], r[-2]) for r in refs)]
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--list":
        print("\n".join(page_name(h) for h in headers(sys.argv[2])))
        return
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    include, outdir, version = sys.argv[1:]
    os.makedirs(outdir, exist_ok=True)
    for h in headers(include):
        with open(os.path.join(outdir, page_name(h)), "w") as f:
            f.write(generate(h, include, version))


if __name__ == "__main__":
    main()
