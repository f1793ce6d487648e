#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Turn the table of docs/SERVICES.md into a C header (one source of truth for the service
table): `gen-services.py SERVICES.md OUT.h` writes

    static const struct fipsrt_service_row fipsrt_services[] = {{"fipsrt_hash", "approved"}, ...};

for `fipsrt status` and tests/test_indicator.c. `gen-services.py --check SERVICES.md` only
validates. Fails (exit 1, one line per problem) on a malformed table: a row whose column
count differs from the header, a status outside the four values, a duplicate function."""
import re
import sys

COLUMNS = ["Function", "Status", "Service", "Algorithms", "Provider algorithm", "Counts"]
STATUSES = ["approved", "approved-legacy", "non-approved", "none"]


def parse(path):
    """[(function, status, service)] of the table whose header is COLUMNS."""
    rows, problems, header_seen = [], [], False
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells == COLUMNS:
            header_seen = True
            continue
        if not header_seen or set(line) <= set("|-: "):
            continue
        if len(cells) != len(COLUMNS):
            problems.append("%s:%d: %d columns, expected %d (%s)"
                            % (path, n, len(cells), len(COLUMNS), ", ".join(COLUMNS)))
            continue
        m = re.fullmatch(r"`(fipsrt_\w+)`", cells[0])
        if not m:
            problems.append("%s:%d: first column must be `fipsrt_name`, got %r" % (path, n, cells[0]))
            continue
        if cells[1] not in STATUSES:
            problems.append("%s:%d: %s: status %r is not one of %s"
                            % (path, n, m.group(1), cells[1], ", ".join(STATUSES)))
            continue
        if any(r[0] == m.group(1) for r in rows):
            problems.append("%s:%d: %s has two rows" % (path, n, m.group(1)))
            continue
        rows.append((m.group(1), cells[1], cells[2]))
    if not header_seen:
        problems.append("%s: no table with the header | %s |" % (path, " | ".join(COLUMNS)))
    return rows, problems


def c_string(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def main(argv):
    check = argv[1:2] == ["--check"]
    args = argv[2:] if check else argv[1:]
    if len(args) != (1 if check else 2):
        sys.exit("usage: gen-services.py SERVICES.md OUT.h | --check SERVICES.md")
    rows, problems = parse(args[0])
    if problems:
        sys.exit("\n".join(problems))
    if check:
        print("%d rows" % len(rows))
        return
    out = ["/* Generated from docs/SERVICES.md by tools/gen-services.py: do not edit. */",
           "#ifndef FIPSRT_SERVICES_TABLE_H", "#define FIPSRT_SERVICES_TABLE_H", "",
           "#include <stddef.h>", "",
           "struct fipsrt_service_row {",
           "    const char *function;",
           "    const char *status;   /* approved, approved-legacy, non-approved, none */",
           "    const char *service;",
           "};", "",
           "static const struct fipsrt_service_row fipsrt_services[] = {"]
    for f, status, service in rows:
        out.append("    {%s, %s, %s}," % (c_string(f), c_string(status), c_string(service)))
    out += ["};", "",
            "#define FIPSRT_SERVICE_COUNT (sizeof(fipsrt_services) / sizeof(fipsrt_services[0]))",
            "", "#endif", ""]
    with open(args[1], "w") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main(sys.argv)
