/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <fipsrt/error.h>

#include "cli.h"

void cli_error(const char *cmd, int code, const char *what)
{
    const char *detail = fipsrt_last_error();
    fprintf(stderr, "fipsrt %s: %s: %s%s%s\n", cmd, what, fipsrt_strerror(code),
            *detail ? "\n  detail: " : "", detail);
}

void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

void print_hex(FILE *f, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        fprintf(f, "%02x", buf[i]);
}

int read_file(const char *path, uint8_t **buf, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL)
        return -1;
    size_t cap = 4096, n = 0;
    int err = 0;
    uint8_t *p = malloc(cap);
    while (p != NULL) {
        if (n == cap) {
            uint8_t *q = realloc(p, cap *= 2);
            if (q == NULL) {
                free(p);
                p = NULL;
                break;
            }
            p = q;
        }
        errno = 0;
        size_t got = fread(p + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f))   /* the reason (a directory: EISDIR), not a generic EIO */
                err = errno ? errno : EIO;
            break;
        }
    }
    if (f != stdin)
        fclose(f);
    if (p == NULL || err) {
        free(p);
        errno = p == NULL ? ENOMEM : err;
        return -1;
    }
    *buf = p;
    *len = n;
    return 0;
}

int hex_decode(const char *hex, uint8_t **buf, size_t *len)
{
    size_t n = strlen(hex);
    if (n % 2)
        return -1;
    uint8_t *p = malloc(n / 2 + 1);
    if (p == NULL)
        return -1;
    for (size_t i = 0; i < n / 2; i++) {
        char b[3] = {hex[2 * i], hex[2 * i + 1], 0};
        if (!isxdigit((unsigned char)b[0]) || !isxdigit((unsigned char)b[1])) {
            free(p);
            return -1;
        }
        p[i] = (uint8_t)strtoul(b, NULL, 16);
    }
    *buf = p;
    *len = n / 2;
    return 0;
}
