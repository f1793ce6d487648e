/* SPDX-License-Identifier: Apache-2.0 */
/* Run tests/kdf_xcheck.py (independent Python implementations) for test_kdf and test_passwd. */
#ifndef FIPSRT_KDF_XCHECK_H
#define FIPSRT_KDF_XCHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/*
 * Feed `commands` (one per line) to the helper with OPENSSL_CONF/OPENSSL_MODULES unset, so
 * Python's OpenSSL runs its default provider rather than the FIPS one under test. Returns
 * the result lines in a malloc'd array (free with xcheck_free); asserts one per command.
 */
static inline char **xcheck(const char *commands, size_t *count)
{
    char script[1024];
    const char *src = getenv("FIPSRT_SOURCE_DIR");
    snprintf(script, sizeof(script), "%s/tests/kdf_xcheck.py", src ? src : ".");
    char *argv[] = {"/usr/bin/python3", script, NULL};
    const char *env[] = {"OPENSSL_CONF", "OPENSSL_MODULES", NULL};
    proc_result *r = malloc(sizeof(*r));
    ck_assert_ptr_nonnull(r);
    run_process(argv, env, commands, r);
    ck_assert_msg(r->exited && r->status == 0, "kdf_xcheck.py failed: %s", r->err);
    size_t want = 0;
    for (const char *p = commands; *p; p++)
        want += *p == '\n';
    char **lines = calloc(want + 1, sizeof(char *));
    size_t n = 0;
    for (char *save = NULL, *l = strtok_r(r->out, "\n", &save); l && n < want;
         l = strtok_r(NULL, "\n", &save))
        lines[n++] = strdup(l);
    ck_assert_msg(n == want, "kdf_xcheck.py gave %zu lines for %zu commands: %s", n, want,
                  r->err);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(strncmp(lines[i], "error:", 6) != 0, "kdf_xcheck.py line %zu: %s", i + 1,
                      lines[i]);
    free(r);
    *count = n;
    return lines;
}

static inline void xcheck_free(char **lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

/* Lower-case hex of buf, NUL-terminated, into a malloc'd string ("-" for empty). */
static inline char *xhex(const uint8_t *buf, size_t len)
{
    char *s = malloc(2 * len + 2);
    if (len == 0)
        return strcpy(s, "-");
    for (size_t i = 0; i < len; i++)
        sprintf(s + 2 * i, "%02x", buf[i]);
    return s;
}

#endif
