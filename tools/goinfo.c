/* SPDX-License-Identifier: Apache-2.0 */
/* Go build-info reader (layout in goinfo.h). */
#include <stdlib.h>
#include <string.h>

#include "goinfo.h"

/* Bounds on what one binary may make us allocate. */
#define MAX_SETTINGS 256

static uint64_t get_ptr(const uint8_t *p, unsigned size, bool be)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)p[be ? size - 1 - i : i] << (8 * i);
    return v;
}

/* An unsigned LEB128 varint at *pos within len; false if cut short or over 64 bits. */
static bool uvarint(const uint8_t *p, size_t len, size_t *pos, uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (*pos >= len)
            return false;
        uint8_t b = p[(*pos)++];
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return true;
        }
    }
    return false;
}

static char *dup_n(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);
    if (s != NULL) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

/* A Go string header {data, len} at address @p addr, its bytes returned through *data. */
static int read_go_string(goinfo_read_fn read, void *ctx, uint64_t addr, unsigned ps, bool be,
                          const uint8_t **data, uint64_t *len)
{
    const uint8_t *hdr = read(ctx, addr, 2 * (uint64_t)ps);
    if (hdr == NULL)
        return GOINFO_MALFORMED;
    uint64_t daddr = get_ptr(hdr, ps, be), dlen = get_ptr(hdr + ps, ps, be);
    if (dlen > GOINFO_MAX_STRING)
        return GOINFO_MALFORMED;
    *len = dlen;
    *data = dlen ? read(ctx, daddr, dlen) : hdr;  /* any non-NULL pointer for "" */
    return *data ? GOINFO_OK : GOINFO_MALFORMED;
}

/* Split module info into its path, mod and build lines. */
static int parse_modinfo(const uint8_t *m, size_t len, struct goinfo *g)
{
    if (len >= 33 && m[len - 17] == '\n') {  /* framed by 16-byte sentinels */
        m += 16;
        len -= 32;
    }
    g->settings = calloc(MAX_SETTINGS, sizeof(*g->settings));
    if (g->settings == NULL)
        return GOINFO_NOMEM;
    size_t pos = 0;
    while (pos < len) {
        const uint8_t *line = m + pos, *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + 1;
        const uint8_t *tab = memchr(line, '\t', n);
        if (tab == NULL)
            continue;
        size_t kw = (size_t)(tab - line), rest = n - kw - 1;
        const uint8_t *val = tab + 1;
        if (kw == 4 && memcmp(line, "path", 4) == 0 && g->path == NULL) {
            if ((g->path = dup_n(val, rest)) == NULL)
                return GOINFO_NOMEM;
        } else if (kw == 3 && memcmp(line, "mod", 3) == 0 && g->main_module == NULL) {
            if ((g->main_module = dup_n(val, rest)) == NULL)
                return GOINFO_NOMEM;
            for (char *t = g->main_module; (t = strchr(t, '\t')) != NULL;)
                *t = ' ';
            size_t ml = strlen(g->main_module);
            while (ml > 0 && g->main_module[ml - 1] == ' ')
                g->main_module[--ml] = '\0';
        } else if (kw == 3 && memcmp(line, "dep", 3) == 0) {
            g->n_deps++;
        } else if (kw == 5 && memcmp(line, "build", 5) == 0 && g->n_settings < MAX_SETTINGS) {
            /* KEY=VALUE; a key holding '=' or space is quoted by Go, which we keep as is. */
            const uint8_t *eq = memchr(val, '=', rest);
            if (eq == NULL)
                continue;
            struct goinfo_setting *s = &g->settings[g->n_settings];
            s->key = dup_n(val, (size_t)(eq - val));
            s->value = dup_n(eq + 1, rest - (size_t)(eq - val) - 1);
            g->n_settings++;
            if (s->key == NULL || s->value == NULL)
                return GOINFO_NOMEM;
        }
    }
    return GOINFO_OK;
}

int goinfo_parse(const uint8_t *blob, size_t len, goinfo_read_fn read, void *read_ctx,
                 struct goinfo *out)
{
    memset(out, 0, sizeof(*out));
    if (blob == NULL || len < GOINFO_HEADER_LEN ||
        memcmp(blob, GOINFO_MAGIC, GOINFO_MAGIC_LEN) != 0)
        return GOINFO_NONE;
    unsigned ps = blob[14];
    uint8_t flags = blob[15];
    if (ps != 4 && ps != 8)
        return GOINFO_MALFORMED;
    out->ptr_size = ps;
    out->inline_strings = flags & 0x2;

    const uint8_t *ver, *mod;
    uint64_t vlen, mlen;
    if (out->inline_strings) {
        size_t pos = GOINFO_HEADER_LEN;
        if (!uvarint(blob, len, &pos, &vlen) || vlen > len - pos || vlen > GOINFO_MAX_STRING)
            return GOINFO_MALFORMED;
        ver = blob + pos;
        pos += vlen;
        if (!uvarint(blob, len, &pos, &mlen) || mlen > len - pos || mlen > GOINFO_MAX_STRING)
            return GOINFO_MALFORMED;
        mod = blob + pos;
    } else {
        bool be = flags & 0x1;
        if (read == NULL || len < 16 + 2 * (size_t)ps)
            return GOINFO_MALFORMED;
        int rv = read_go_string(read, read_ctx, get_ptr(blob + 16, ps, be), ps, be, &ver, &vlen);
        if (rv == GOINFO_OK)
            rv = read_go_string(read, read_ctx, get_ptr(blob + 16 + ps, ps, be), ps, be, &mod,
                                &mlen);
        if (rv != GOINFO_OK)
            return rv;
    }
    /* The version is printable text; anything else means we read the wrong bytes. */
    for (uint64_t i = 0; i < vlen; i++)
        if (ver[i] < ' ' || ver[i] > '~')
            return GOINFO_MALFORMED;
    if ((out->version = dup_n(ver, vlen)) == NULL)
        return GOINFO_NOMEM;
    return parse_modinfo(mod, mlen, out);
}

void goinfo_free(struct goinfo *g)
{
    for (size_t i = 0; g->settings != NULL && i < g->n_settings; i++) {
        free(g->settings[i].key);
        free(g->settings[i].value);
    }
    free(g->settings);
    free(g->version);
    free(g->path);
    free(g->main_module);
    memset(g, 0, sizeof(*g));
}

const char *goinfo_setting(const struct goinfo *g, const char *key)
{
    for (size_t i = 0; i < g->n_settings; i++)
        if (g->settings[i].key != NULL && strcmp(g->settings[i].key, key) == 0)
            return g->settings[i].value;
    return NULL;
}

bool goinfo_list_has(const char *list, const char *item)
{
    size_t n = strlen(item);
    for (const char *p = list; p != NULL && *p != '\0';) {
        size_t k = strcspn(p, ", ");
        if (k == n && strncmp(p, item, n) == 0)
            return true;
        p += k;
        p += strspn(p, ", ");
    }
    return false;
}

const char *goinfo_strerror(int status)
{
    switch (status) {
    case GOINFO_OK: return "ok";
    case GOINFO_NONE: return "no Go build information";
    case GOINFO_MALFORMED: return "malformed Go build information";
    case GOINFO_NOMEM: return "out of memory";
    }
    return "unknown error";
}
