/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ELF reader for `fipsrt check`. Every value read from the file is untrusted: reads go
 * through get(), which checks the offset against the buffer, and every table is checked to
 * lie inside the file before it is walked. Section headers are preferred; a binary without
 * them (sstrip) is read through its program headers and dynamic tags instead.
 */
#include <elf.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "elfaudit.h"

/* Version-index entries recorded from .gnu.version_r; real binaries have a few dozen. */
#define MAX_VERSIONS 4096
/* Upper bound on verneed records walked: the chain's offsets come from the file. */
#define MAX_VERNEED_STEPS 65536

struct rd {
    const uint8_t *p;
    size_t len;
    bool be, is64;
};

struct sect {
    uint64_t type, flags, addr, offset, size, link, info, entsize;
};

struct seg {
    uint64_t type, flags, offset, vaddr, filesz;
};

struct ver {
    uint64_t index;
    const char *file, *name;
};

struct ctx {
    struct rd r;
    struct sect *sects;
    size_t nsects;
    struct seg *segs;
    size_t nsegs;
    struct ver *vers;
    size_t nvers;
    struct elfaudit *out;
};

/* A table or range lies wholly inside the file (overflow-safe). */
static bool in_file(const struct rd *r, uint64_t off, uint64_t size)
{
    return off <= r->len && size <= r->len - off;
}

/* Read an n-byte unsigned integer at @p off in the file's byte order. */
static bool get(const struct rd *r, uint64_t off, size_t n, uint64_t *v)
{
    if (!in_file(r, off, n))
        return false;
    const uint8_t *p = r->p + off;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++)
        x |= (uint64_t)p[r->be ? n - 1 - i : i] << (8 * i);
    *v = x;
    return true;
}

/* Field f of structure Elf32_T / Elf64_T at file offset base. */
#define FIELD(r, base, T, f, out)                                                            \
    get((r), (base) + ((r)->is64 ? offsetof(Elf64_##T, f) : offsetof(Elf32_##T, f)),         \
        (r)->is64 ? sizeof(((Elf64_##T *)0)->f) : sizeof(((Elf32_##T *)0)->f), (out))
#define SIZE(r, T) ((r)->is64 ? sizeof(Elf64_##T) : sizeof(Elf32_##T))

/* NUL-terminated string @p idx of the string table at (off, size), or NULL. */
static const char *str_at(const struct rd *r, uint64_t off, uint64_t size, uint64_t idx)
{
    if (!in_file(r, off, size) || idx >= size)
        return NULL;
    const char *s = (const char *)r->p + off + idx;
    return memchr(s, '\0', size - idx) ? s : NULL;
}

static int read_sections(struct ctx *c, uint64_t shoff, uint64_t entsize, uint64_t num)
{
    const struct rd *r = &c->r;
    if (shoff == 0)
        return ELFAUDIT_OK;
    if (entsize < SIZE(r, Shdr))
        return ELFAUDIT_MALFORMED;
    if (num == 0 && !FIELD(r, shoff, Shdr, sh_size, &num))  /* >= SHN_LORESERVE sections */
        return ELFAUDIT_MALFORMED;
    if (num == 0)
        return ELFAUDIT_OK;
    if (num > r->len / entsize || !in_file(r, shoff, num * entsize))
        return ELFAUDIT_MALFORMED;
    c->sects = calloc(num, sizeof(*c->sects));
    if (c->sects == NULL)
        return ELFAUDIT_NOMEM;
    c->nsects = num;
    for (uint64_t i = 0; i < num; i++) {
        uint64_t o = shoff + i * entsize;
        struct sect *s = &c->sects[i];
        if (!FIELD(r, o, Shdr, sh_type, &s->type) || !FIELD(r, o, Shdr, sh_flags, &s->flags) ||
            !FIELD(r, o, Shdr, sh_addr, &s->addr) || !FIELD(r, o, Shdr, sh_offset, &s->offset) ||
            !FIELD(r, o, Shdr, sh_size, &s->size) || !FIELD(r, o, Shdr, sh_link, &s->link) ||
            !FIELD(r, o, Shdr, sh_info, &s->info) ||
            !FIELD(r, o, Shdr, sh_entsize, &s->entsize))
            return ELFAUDIT_MALFORMED;
        /* A truncated file: a section's bytes must be in it (NOBITS has none). */
        if (s->type != SHT_NOBITS && s->type != SHT_NULL && !in_file(r, s->offset, s->size))
            return ELFAUDIT_MALFORMED;
    }
    c->out->has_sections = true;
    return ELFAUDIT_OK;
}

static int read_segments(struct ctx *c, uint64_t phoff, uint64_t entsize, uint64_t num)
{
    const struct rd *r = &c->r;
    if (num == PN_XNUM && c->nsects > 0)  /* the real count is in section 0's sh_info */
        num = c->sects[0].info;
    if (phoff == 0 || num == 0)
        return ELFAUDIT_OK;
    if (entsize < SIZE(r, Phdr) || num > r->len / entsize || !in_file(r, phoff, num * entsize))
        return ELFAUDIT_MALFORMED;
    c->segs = calloc(num, sizeof(*c->segs));
    if (c->segs == NULL)
        return ELFAUDIT_NOMEM;
    c->nsegs = num;
    for (uint64_t i = 0; i < num; i++) {
        uint64_t o = phoff + i * entsize;
        struct seg *s = &c->segs[i];
        if (!FIELD(r, o, Phdr, p_type, &s->type) || !FIELD(r, o, Phdr, p_flags, &s->flags) ||
            !FIELD(r, o, Phdr, p_offset, &s->offset) || !FIELD(r, o, Phdr, p_vaddr, &s->vaddr) ||
            !FIELD(r, o, Phdr, p_filesz, &s->filesz))
            return ELFAUDIT_MALFORMED;
        if (s->type == PT_INTERP)
            c->out->has_interp = true;
    }
    return ELFAUDIT_OK;
}

/* File offset of virtual address @p addr through the PT_LOAD segments; false if unmapped. */
static bool addr_to_off(const struct ctx *c, uint64_t addr, uint64_t *off)
{
    for (size_t i = 0; i < c->nsegs; i++) {
        const struct seg *s = &c->segs[i];
        if (s->type == PT_LOAD && addr >= s->vaddr && addr - s->vaddr < s->filesz &&
            in_file(&c->r, s->offset, s->filesz)) {
            *off = s->offset + (addr - s->vaddr);
            return true;
        }
    }
    return false;
}

static const struct sect *find_section(const struct ctx *c, uint64_t type)
{
    for (size_t i = 0; i < c->nsects; i++)
        if (c->sects[i].type == type)
            return &c->sects[i];
    return NULL;
}

/* The string table a section links to (sh_link), or NULL. */
static const struct sect *linked_strtab(const struct ctx *c, const struct sect *s)
{
    if (s->link == 0 || s->link >= c->nsects || c->sects[s->link].type != SHT_STRTAB)
        return NULL;
    return &c->sects[s->link];
}

static char *dup_or_null(const char *s, int *rv)
{
    if (s == NULL)
        return NULL;
    char *d = strdup(s);
    if (d == NULL)
        *rv = ELFAUDIT_NOMEM;
    return d;
}

/* What the dynamic table says; addresses are virtual, the rest are values. */
struct dyninfo {
    uint64_t strtab, strsz, symtab, syment, hash, gnu_hash, versym, verneed, verneednum;
    uint64_t soname;
    bool has_soname, has_strtab, has_symtab, has_versym, has_verneed;
    uint64_t str_off, str_size;  /* resolved string table */
};

static int read_dynamic(struct ctx *c, struct dyninfo *d)
{
    const struct rd *r = &c->r;
    uint64_t off = 0, size = 0;
    const struct sect *dynsec = find_section(c, SHT_DYNAMIC);
    const struct sect *dynstr = NULL;
    if (dynsec != NULL) {
        off = dynsec->offset;
        size = dynsec->size;
        dynstr = linked_strtab(c, dynsec);
    } else {
        for (size_t i = 0; i < c->nsegs; i++) {
            if (c->segs[i].type == PT_DYNAMIC) {
                off = c->segs[i].offset;
                size = c->segs[i].filesz;
                break;
            }
        }
        if (size == 0)
            return ELFAUDIT_OK;
    }
    if (!in_file(r, off, size))
        return ELFAUDIT_MALFORMED;
    c->out->has_dynamic = true;

    uint64_t esz = SIZE(r, Dyn), n = size / esz;
    uint64_t *needed = calloc(n ? n : 1, sizeof(*needed));
    if (needed == NULL)
        return ELFAUDIT_NOMEM;
    size_t nneeded = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t tag, val, o = off + i * esz;
        if (!FIELD(r, o, Dyn, d_tag, &tag) || !FIELD(r, o, Dyn, d_un, &val)) {
            free(needed);
            return ELFAUDIT_MALFORMED;
        }
        if (tag == DT_NULL)
            break;
        switch (tag) {
        case DT_NEEDED: needed[nneeded++] = val; break;
        case DT_SONAME: d->soname = val; d->has_soname = true; break;
        case DT_STRTAB: d->strtab = val; d->has_strtab = true; break;
        case DT_STRSZ: d->strsz = val; break;
        case DT_SYMTAB: d->symtab = val; d->has_symtab = true; break;
        case DT_SYMENT: d->syment = val; break;
        case DT_HASH: d->hash = val; break;
        case DT_GNU_HASH: d->gnu_hash = val; break;
        case DT_VERSYM: d->versym = val; d->has_versym = true; break;
        case DT_VERNEED: d->verneed = val; d->has_verneed = true; break;
        case DT_VERNEEDNUM: d->verneednum = val; break;
        default: break;
        }
    }

    /* The string table: the section the dynamic section links to, else DT_STRTAB. */
    if (dynstr != NULL) {
        d->str_off = dynstr->offset;
        d->str_size = dynstr->size;
    } else if (d->has_strtab && addr_to_off(c, d->strtab, &d->str_off) &&
               in_file(r, d->str_off, d->strsz)) {
        d->str_size = d->strsz;
    } else if (nneeded > 0 || d->has_soname) {
        free(needed);
        return ELFAUDIT_MALFORMED;
    }

    int rv = ELFAUDIT_OK;
    struct elfaudit *a = c->out;
    a->needed = calloc(nneeded ? nneeded : 1, sizeof(*a->needed));
    if (a->needed == NULL) {
        free(needed);
        return ELFAUDIT_NOMEM;
    }
    for (size_t i = 0; i < nneeded && rv == ELFAUDIT_OK; i++) {
        const char *s = str_at(r, d->str_off, d->str_size, needed[i]);
        if (s == NULL)
            rv = ELFAUDIT_MALFORMED;
        else if ((a->needed[a->n_needed] = dup_or_null(s, &rv)) != NULL)
            a->n_needed++;
    }
    free(needed);
    if (rv == ELFAUDIT_OK && d->has_soname) {
        const char *s = str_at(r, d->str_off, d->str_size, d->soname);
        if (s == NULL)
            return ELFAUDIT_MALFORMED;
        a->soname = dup_or_null(s, &rv);
    }
    return rv;
}

/* Version index -> (library, version name) from the verneed records at @p off. */
static int read_verneed(struct ctx *c, uint64_t off, uint64_t count, uint64_t str_off,
                        uint64_t str_size)
{
    const struct rd *r = &c->r;
    size_t steps = 0;
    c->vers = calloc(MAX_VERSIONS, sizeof(*c->vers));
    if (c->vers == NULL)
        return ELFAUDIT_NOMEM;
    for (uint64_t i = 0; i < count; i++) {
        uint64_t cnt, file, aux, next;
        if (!FIELD(r, off, Verneed, vn_cnt, &cnt) || !FIELD(r, off, Verneed, vn_file, &file) ||
            !FIELD(r, off, Verneed, vn_aux, &aux) || !FIELD(r, off, Verneed, vn_next, &next))
            return ELFAUDIT_MALFORMED;
        const char *lib = str_at(r, str_off, str_size, file);
        if (lib == NULL)
            return ELFAUDIT_MALFORMED;
        uint64_t a = off + aux;
        for (uint64_t j = 0; j < cnt; j++) {
            uint64_t other, name, anext;
            if (++steps > MAX_VERNEED_STEPS)
                return ELFAUDIT_MALFORMED;
            if (!FIELD(r, a, Vernaux, vna_other, &other) ||
                !FIELD(r, a, Vernaux, vna_name, &name) || !FIELD(r, a, Vernaux, vna_next, &anext))
                return ELFAUDIT_MALFORMED;
            const char *vname = str_at(r, str_off, str_size, name);
            if (vname == NULL)
                return ELFAUDIT_MALFORMED;
            if (c->nvers < MAX_VERSIONS)
                c->vers[c->nvers++] = (struct ver){other & 0x7fff, lib, vname};
            if (anext == 0)
                break;
            a += anext;
        }
        if (next == 0 || ++steps > MAX_VERNEED_STEPS)
            break;
        off += next;
    }
    return ELFAUDIT_OK;
}

/* Number of dynamic symbols from DT_GNU_HASH: past the highest bucket's chain end. */
static bool gnu_hash_count(const struct ctx *c, uint64_t off, uint64_t *count)
{
    const struct rd *r = &c->r;
    uint64_t nbuckets, symoffset, bloom_size, bloom_shift;
    if (!get(r, off, 4, &nbuckets) || !get(r, off + 4, 4, &symoffset) ||
        !get(r, off + 8, 4, &bloom_size) || !get(r, off + 12, 4, &bloom_shift))
        return false;
    uint64_t word = r->is64 ? 8 : 4;
    uint64_t buckets = off + 16 + bloom_size * word;
    if (bloom_size > r->len / word || nbuckets > r->len / 4 || !in_file(r, buckets, nbuckets * 4))
        return false;
    uint64_t max = 0;
    for (uint64_t i = 0; i < nbuckets; i++) {
        uint64_t b;
        if (!get(r, buckets + 4 * i, 4, &b))
            return false;
        if (b > max)
            max = b;
    }
    if (max < symoffset) {
        *count = symoffset;
        return true;
    }
    uint64_t chains = buckets + nbuckets * 4;
    for (uint64_t i = max;; i++) {
        uint64_t h;
        if (!get(r, chains + 4 * (i - symoffset), 4, &h))  /* ends at EOF at the latest */
            return false;
        if (h & 1) {
            *count = i + 1;
            return true;
        }
    }
}

static int add_import(struct elfaudit *a, size_t cap, const char *name, const struct ver *v,
                      bool weak)
{
    int rv = ELFAUDIT_OK;
    if (a->n_imports >= cap)
        return ELFAUDIT_MALFORMED;
    struct elfaudit_import *im = &a->imports[a->n_imports];
    im->name = dup_or_null(name, &rv);
    im->version = v ? dup_or_null(v->name, &rv) : NULL;
    im->library = v ? dup_or_null(v->file, &rv) : NULL;
    im->weak = weak;
    a->n_imports++;
    return rv;
}

static int read_dynsym(struct ctx *c, const struct dyninfo *d)
{
    const struct rd *r = &c->r;
    uint64_t sym_off = 0, nsyms = 0, str_off = d->str_off, str_size = d->str_size;
    uint64_t versym_off = 0, verneed_off = 0, verneed_count = 0;
    uint64_t vn_str_off = d->str_off, vn_str_size = d->str_size;
    bool have_versym = false, have_verneed = false;
    uint64_t symsz = SIZE(r, Sym);

    const struct sect *ds = find_section(c, SHT_DYNSYM);
    if (ds != NULL) {
        const struct sect *st = linked_strtab(c, ds);
        if (st == NULL || (ds->entsize != 0 && ds->entsize != symsz))
            return ELFAUDIT_MALFORMED;
        sym_off = ds->offset;
        nsyms = ds->size / symsz;
        str_off = st->offset;
        str_size = st->size;
        const struct sect *vs = find_section(c, SHT_GNU_versym);
        if (vs != NULL) {
            if (vs->size / 2 < nsyms)
                return ELFAUDIT_MALFORMED;
            versym_off = vs->offset;
            have_versym = true;
        }
        const struct sect *vn = find_section(c, SHT_GNU_verneed);
        if (vn != NULL) {
            const struct sect *vst = linked_strtab(c, vn);
            if (vst == NULL)
                return ELFAUDIT_MALFORMED;
            verneed_off = vn->offset;
            verneed_count = vn->info;
            vn_str_off = vst->offset;
            vn_str_size = vst->size;
            have_verneed = true;
        }
    } else if (d->has_symtab) {
        /* No section headers: the dynamic tags say where; the hash table says how many. */
        uint64_t h;
        if ((d->syment != 0 && d->syment != symsz) || !addr_to_off(c, d->symtab, &sym_off))
            return ELFAUDIT_MALFORMED;
        if (d->hash != 0) {
            if (!addr_to_off(c, d->hash, &h) || !get(r, h + 4, 4, &nsyms))
                return ELFAUDIT_MALFORMED;
        } else if (d->gnu_hash != 0) {
            if (!addr_to_off(c, d->gnu_hash, &h) || !gnu_hash_count(c, h, &nsyms))
                return ELFAUDIT_MALFORMED;
        }
        if (d->has_versym) {
            if (!addr_to_off(c, d->versym, &versym_off))
                return ELFAUDIT_MALFORMED;
            have_versym = true;
        }
        if (d->has_verneed) {
            if (!addr_to_off(c, d->verneed, &verneed_off))
                return ELFAUDIT_MALFORMED;
            verneed_count = d->verneednum;
            have_verneed = true;
        }
    } else {
        return ELFAUDIT_OK;
    }
    if (nsyms > r->len / symsz || !in_file(r, sym_off, nsyms * symsz) ||
        (have_versym && !in_file(r, versym_off, nsyms * 2)))
        return ELFAUDIT_MALFORMED;
    if (have_verneed) {
        int rv = read_verneed(c, verneed_off, verneed_count, vn_str_off, vn_str_size);
        if (rv != ELFAUDIT_OK)
            return rv;
    }

    struct elfaudit *a = c->out;
    a->imports = calloc(nsyms ? nsyms : 1, sizeof(*a->imports));
    if (a->imports == NULL)
        return ELFAUDIT_NOMEM;
    for (uint64_t i = 1; i < nsyms; i++) {  /* entry 0 is the null symbol */
        uint64_t o = sym_off + i * symsz, name, info, shndx;
        if (!FIELD(r, o, Sym, st_name, &name) || !FIELD(r, o, Sym, st_info, &info) ||
            !FIELD(r, o, Sym, st_shndx, &shndx))
            return ELFAUDIT_MALFORMED;
        unsigned bind = ELF64_ST_BIND((unsigned)info);
        if (shndx != SHN_UNDEF || bind == STB_LOCAL)
            continue;
        const char *s = str_at(r, str_off, str_size, name);
        if (s == NULL)
            return ELFAUDIT_MALFORMED;
        if (*s == '\0')
            continue;
        const struct ver *v = NULL;
        uint64_t vi;
        if (have_versym) {
            if (!get(r, versym_off + 2 * i, 2, &vi))
                return ELFAUDIT_MALFORMED;
            vi &= 0x7fff;
            for (size_t k = 0; vi >= 2 && k < c->nvers; k++)
                if (c->vers[k].index == vi)
                    v = &c->vers[k];
        }
        int rv = add_import(a, nsyms, s, v, bind == STB_WEAK);
        if (rv != ELFAUDIT_OK)
            return rv;
    }
    return ELFAUDIT_OK;
}

/* Search @p len bytes at @p p for "@(#)libfipsrt <version>" (the tag is split in two here
 * so that this program's own read-only data does not carry the marker). */
static bool find_marker(const uint8_t *p, size_t len, struct elfaudit *a)
{
    static const char tag[] = "@(#)";
    static const char lib[] = "libfipsrt ";
    const size_t tl = sizeof(tag) - 1, ll = sizeof(lib) - 1;
    for (size_t i = 0; len >= tl + ll && i <= len - tl - ll; i++) {
        const uint8_t *q = memchr(p + i, '@', len - tl - ll - i + 1);
        if (q == NULL)
            return false;
        i = (size_t)(q - p);
        if (memcmp(q, tag, tl) != 0 || memcmp(q + tl, lib, ll) != 0)
            continue;
        size_t v = 0, k = i + tl + ll;
        while (k < len && v < sizeof(a->marker_version) - 1 && p[k] > ' ' && p[k] < 0x7f)
            a->marker_version[v++] = (char)p[k++];
        a->marker_version[v] = '\0';
        a->marker = true;
        return true;
    }
    return false;
}

/* Strings only OpenSSL's own code carries: the file names its error macros record
 * (OPENSSL_FILE, "../crypto/evp/digest.c") and its perlasm banners. A binary importing
 * libcrypto has none of them; one that linked libcrypto.a or libssl.a in has dozens. Each
 * is split in two (matched back to back) so this program's own data does not match. */
static const char *const openssl_evidence[][2] = {
    {"crypto/", "evp/"},
    {"ssl/", "statem/"},
    {"CRYPTOGAMS by ", "<appro@openssl.org>"},
};

/* Record in a->embedded_openssl the NUL-terminated string around the first evidence. */
static bool find_openssl(const uint8_t *p, size_t len, struct elfaudit *a)
{
    for (size_t e = 0; e < sizeof(openssl_evidence) / sizeof(openssl_evidence[0]); e++) {
        const char *h = openssl_evidence[e][0], *t = openssl_evidence[e][1];
        size_t hl = strlen(h), tl = strlen(t);
        for (const uint8_t *q = p; (q = memmem(q, len - (size_t)(q - p), h, hl)) != NULL; q++) {
            if ((size_t)(q - p) + hl + tl > len || memcmp(q + hl, t, tl) != 0)
                continue;
            const uint8_t *s = q, *end = q + hl + tl;
            while (s > p && s[-1] >= ' ' && s[-1] < 0x7f && q - s < 24)
                s--;
            while (end < p + len && *end >= ' ' && *end < 0x7f)
                end++;
            size_t n = (size_t)(end - s);
            if (n > sizeof(a->embedded_openssl) - 1)
                n = sizeof(a->embedded_openssl) - 1;
            memcpy(a->embedded_openssl, s, n);
            a->embedded_openssl[n] = '\0';
            return true;
        }
    }
    return false;
}

/* Scan one read-only region for the libfipsrt marker and for an embedded OpenSSL. */
static void scan_rodata(const struct ctx *c, uint64_t off, uint64_t size)
{
    const struct rd *r = &c->r;
    if (!in_file(r, off, size))
        return;
    if (!c->out->marker)
        find_marker(r->p + off, size, c->out);
    if (c->out->embedded_openssl[0] == '\0')
        find_openssl(r->p + off, size, c->out);
}

static void search_marker(const struct ctx *c)
{
    if (c->nsects > 0) {
        /* Read-only data: allocated, program bits, neither writable nor executable. */
        for (size_t i = 0; i < c->nsects; i++) {
            const struct sect *s = &c->sects[i];
            if (s->type == SHT_PROGBITS && (s->flags & SHF_ALLOC) &&
                !(s->flags & (SHF_WRITE | SHF_EXECINSTR)))
                scan_rodata(c, s->offset, s->size);
        }
        return;
    }
    for (size_t i = 0; i < c->nsegs; i++) {
        const struct seg *s = &c->segs[i];
        if (s->type == PT_LOAD && !(s->flags & PF_W))
            scan_rodata(c, s->offset, s->filesz);
    }
}

int elfaudit_parse(const uint8_t *buf, size_t len, struct elfaudit *out)
{
    memset(out, 0, sizeof(*out));
    if (buf == NULL || len < EI_NIDENT || memcmp(buf, ELFMAG, SELFMAG) != 0)
        return ELFAUDIT_NOT_ELF;
    if ((buf[EI_CLASS] != ELFCLASS32 && buf[EI_CLASS] != ELFCLASS64) ||
        (buf[EI_DATA] != ELFDATA2LSB && buf[EI_DATA] != ELFDATA2MSB))
        return ELFAUDIT_NOT_ELF;

    struct ctx c = {
        .r = {buf, len, buf[EI_DATA] == ELFDATA2MSB, buf[EI_CLASS] == ELFCLASS64},
        .out = out,
    };
    const struct rd *r = &c.r;
    out->elf_class = r->is64 ? 64 : 32;
    out->big_endian = r->be;

    uint64_t type, machine, phoff, shoff, phentsize, phnum, shentsize, shnum;
    if (len < SIZE(r, Ehdr) || !FIELD(r, 0, Ehdr, e_type, &type) ||
        !FIELD(r, 0, Ehdr, e_machine, &machine) || !FIELD(r, 0, Ehdr, e_phoff, &phoff) ||
        !FIELD(r, 0, Ehdr, e_shoff, &shoff) || !FIELD(r, 0, Ehdr, e_phentsize, &phentsize) ||
        !FIELD(r, 0, Ehdr, e_phnum, &phnum) || !FIELD(r, 0, Ehdr, e_shentsize, &shentsize) ||
        !FIELD(r, 0, Ehdr, e_shnum, &shnum))
        return ELFAUDIT_MALFORMED;
    out->type = (unsigned)type;
    out->machine = (unsigned)machine;

    struct dyninfo d = {0};
    int rv = read_sections(&c, shoff, shentsize, shnum);
    if (rv == ELFAUDIT_OK)
        rv = read_segments(&c, phoff, phentsize, phnum);
    if (rv == ELFAUDIT_OK)
        rv = read_dynamic(&c, &d);
    if (rv == ELFAUDIT_OK && out->has_dynamic)
        rv = read_dynsym(&c, &d);
    if (rv == ELFAUDIT_OK)
        search_marker(&c);
    free(c.sects);
    free(c.segs);
    free(c.vers);
    if (rv != ELFAUDIT_OK)
        elfaudit_free(out);
    return rv;
}

void elfaudit_free(struct elfaudit *a)
{
    for (size_t i = 0; i < a->n_needed; i++)
        free(a->needed[i]);
    free(a->needed);
    for (size_t i = 0; i < a->n_imports; i++) {
        free(a->imports[i].name);
        free(a->imports[i].version);
        free(a->imports[i].library);
    }
    free(a->imports);
    free(a->soname);
    a->needed = NULL;
    a->imports = NULL;
    a->soname = NULL;
    a->n_needed = a->n_imports = 0;
}

const char *elfaudit_strerror(int status)
{
    switch (status) {
    case ELFAUDIT_OK: return "ok";
    case ELFAUDIT_NOT_ELF: return "not an ELF file";
    case ELFAUDIT_MALFORMED: return "malformed ELF file (a table or string lies outside the file)";
    case ELFAUDIT_NOMEM: return "out of memory";
    }
    return "unknown error";
}
