/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ELF reader for `fipsrt check`. Every value read from the file is untrusted: reads go
 * through get(), which checks the offset against the buffer, and every table is checked to
 * lie inside the file before it is walked. Section headers are preferred; a binary without
 * them (sstrip) is read through its program headers and dynamic tags instead.
 */
#include <elf.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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
    uint64_t type, flags, addr, offset, size, link, info, entsize, name_idx;
    const char *name;  /* from the section-name string table; "" if none */
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
    bool release;  /* the buffer is a private file mapping: pages may be let go */
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

static int read_sections(struct ctx *c, uint64_t shoff, uint64_t entsize, uint64_t num,
                         uint64_t shstrndx)
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
            !FIELD(r, o, Shdr, sh_entsize, &s->entsize) ||
            !FIELD(r, o, Shdr, sh_name, &s->name_idx))
            return ELFAUDIT_MALFORMED;
        /* A truncated file: a section's bytes must be in it (NOBITS has none). */
        if (s->type != SHT_NOBITS && s->type != SHT_NULL && !in_file(r, s->offset, s->size))
            return ELFAUDIT_MALFORMED;
    }
    /* Section names: a bad name table only loses the names (they are hints, not facts). */
    if (shstrndx == SHN_XINDEX)
        shstrndx = c->sects[0].link;
    const struct sect *names = shstrndx < num && c->sects[shstrndx].type == SHT_STRTAB
                                   ? &c->sects[shstrndx] : NULL;
    for (uint64_t i = 0; i < num; i++) {
        const char *n = names ? str_at(r, names->offset, names->size, c->sects[i].name_idx)
                              : NULL;
        c->sects[i].name = n ? n : "";
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

static const struct sect *find_named(const struct ctx *c, const char *name)
{
    for (size_t i = 0; i < c->nsects; i++)
        if (strcmp(c->sects[i].name, name) == 0)
            return &c->sects[i];
    return NULL;
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
    uint64_t soname, runpath, rpath;
    bool has_runpath, has_rpath;
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
        case DT_RUNPATH: d->runpath = val; d->has_runpath = true; break;
        case DT_RPATH: d->rpath = val; d->has_rpath = true; break;
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
    } else if (nneeded > 0 || d->has_soname || d->has_runpath || d->has_rpath) {
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
    if (rv == ELFAUDIT_OK && (d->has_runpath || d->has_rpath)) {
        const char *s = str_at(r, d->str_off, d->str_size, d->has_runpath ? d->runpath : d->rpath);
        if (s == NULL)
            return ELFAUDIT_MALFORMED;
        a->runpath = dup_or_null(s, &rv);
        a->runpath_is_rpath = !d->has_runpath;
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
        if (bind == STB_LOCAL)
            continue;
        const char *s = str_at(r, str_off, str_size, name);
        if (shndx != SHN_UNDEF) {  /* a definition: only its name matters, if it has one */
            if (s != NULL && strcmp(s, "OSSL_provider_init") == 0)
                a->provider_module = true;
            continue;
        }
        if (s == NULL)
            return ELFAUDIT_MALFORMED;
        if (*s == '\0')
            continue;
        if (strcmp(s, "dlopen") == 0 || strcmp(s, "dlmopen") == 0)
            a->imports_dlopen = true;
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

/* The strings searched for in read-only data, each assembled at run time from two halves
 * so that this program's own read-only data does not carry them:
 *   - "@(#)libfipsrt ": the marker of a static libfipsrt;
 *   - strings only OpenSSL's own code carries: the file names its error macros record
 *     (OPENSSL_FILE, "../crypto/evp/digest.c") and its perlasm banners. A binary importing
 *     libcrypto has none of them; one that linked libcrypto.a or libssl.a in has dozens. */
static const char *const needle_halves[][2] = {
    {"@(#)", "libfipsrt "},
    {"crypto/", "evp/"},
    {"CRYPTOGAMS by ", "<appro@openssl.org>"},
};
/* (libssl.a's "ssl/statem/" names are not searched: it is never linked without
 * libcrypto.a, and every pass over read-only data costs the same.) */
enum { NEEDLE_MARKER, NEEDLE_OPENSSL_FIRST, N_NEEDLES = 3 };
static char needles[N_NEEDLES][48];
static size_t needle_len[N_NEEDLES];
static pthread_once_t needles_once = PTHREAD_ONCE_INIT;

static void make_needles(void)
{
    for (size_t i = 0; i < N_NEEDLES; i++) {
        int n = snprintf(needles[i], sizeof(needles[i]), "%s%s", needle_halves[i][0],
                         needle_halves[i][1]);
        needle_len[i] = (size_t)n;
    }
}

/* Record the marker's version from @p q (the marker's start) on. */
static void take_marker(const uint8_t *q, const uint8_t *end, struct elfaudit *a)
{
    size_t v = 0;
    const uint8_t *k = q + needle_len[NEEDLE_MARKER];
    while (k < end && v < sizeof(a->marker_version) - 1 && *k > ' ' && *k < 0x7f)
        a->marker_version[v++] = (char)*k++;
    a->marker_version[v] = '\0';
    a->marker = true;
}

/* Record in a->embedded_openssl the printable string around evidence at @p q. */
static void take_openssl(const uint8_t *p, const uint8_t *q, size_t qlen, const uint8_t *end,
                         struct elfaudit *a)
{
    const uint8_t *s = q, *e = q + qlen;
    while (s > p && s[-1] >= ' ' && s[-1] < 0x7f && q - s < 24)
        s--;
    while (e < end && *e >= ' ' && *e < 0x7f)
        e++;
    size_t n = (size_t)(e - s);
    if (n > sizeof(a->embedded_openssl) - 1)
        n = sizeof(a->embedded_openssl) - 1;
    memcpy(a->embedded_openssl, s, n);
    a->embedded_openssl[n] = '\0';
}

/* Scan @p n bytes at @p p for the marker, an embedded OpenSSL and a libcrypto name. */
static void scan_chunk(struct ctx *c, const uint8_t *p, size_t n)
{
    struct elfaudit *a = c->out;
    const uint8_t *end = p + n, *q;
    if (!a->marker && (q = memmem(p, n, needles[NEEDLE_MARKER], needle_len[NEEDLE_MARKER])))
        take_marker(q, end, a);
    for (size_t i = NEEDLE_OPENSSL_FIRST; i < N_NEEDLES && a->embedded_openssl[0] == '\0'; i++)
        if ((q = memmem(p, n, needles[i], needle_len[i])) != NULL)
            take_openssl(p, q, needle_len[i], end, a);
    if (a->imports_dlopen && !a->names_libcrypto)
        a->names_libcrypto = memmem(p, n, "libcrypto.so", 12) != NULL;
}

/* Run @p fn over [off, off + size) in chunks that overlap by more than any needle, and let
 * go of each chunk's pages when the caller mapped the file (ELFAUDIT_RELEASE_PAGES), so a
 * huge binary never makes the process hold more than a chunk of it. */
#define CHUNK ((size_t)8 << 20)
#define OVERLAP ((size_t)64)
static void chunked(struct ctx *c, uint64_t off, uint64_t size,
                    void (*fn)(struct ctx *, const uint8_t *, size_t))
{
    if (!in_file(&c->r, off, size))
        return;
    const uint8_t *base = c->r.p + off;
    for (uint64_t pos = 0; pos < size; pos += CHUNK) {
        size_t n = size - pos > CHUNK + OVERLAP ? CHUNK + OVERLAP : (size_t)(size - pos);
        fn(c, base + pos, n);
        if (c->release && n > CHUNK) {
            uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
            uintptr_t from = ((uintptr_t)(base + pos) + page - 1) & ~(page - 1);
            uintptr_t to = ((uintptr_t)(base + pos) + CHUNK) & ~(page - 1);
            if (to > from)
                madvise((void *)from, to - from, MADV_DONTNEED);
        }
    }
}

/* Sections that hold no string constants (unwind tables, Go's function table). */
static bool not_data(const char *name)
{
    return strcmp(name, ".eh_frame") == 0 || strcmp(name, ".eh_frame_hdr") == 0 ||
           strcmp(name, ".gcc_except_table") == 0 || strcmp(name, ".gopclntab") == 0 ||
           strcmp(name, ".interp") == 0;
}

static void search_marker(struct ctx *c)
{
    pthread_once(&needles_once, make_needles);
    /* A Go program built without cgo links no C: neither libfipsrt nor OpenSSL. */
    if (c->out->is_go && c->out->go_status == GOINFO_OK &&
        goinfo_list_has(goinfo_setting(&c->out->go, "CGO_ENABLED"), "0"))
        return;
    if (c->nsects > 0) {
        /* Read-only data: allocated, program bits, neither writable nor executable. */
        for (size_t i = 0; i < c->nsects; i++) {
            const struct sect *s = &c->sects[i];
            if (s->type == SHT_PROGBITS && (s->flags & SHF_ALLOC) &&
                !(s->flags & (SHF_WRITE | SHF_EXECINSTR)) && !not_data(s->name))
                chunked(c, s->offset, s->size, scan_chunk);
        }
        return;
    }
    for (size_t i = 0; i < c->nsegs; i++) {
        const struct seg *s = &c->segs[i];
        if (s->type == PT_LOAD && !(s->flags & PF_W))
            chunked(c, s->offset, s->filesz, scan_chunk);
    }
}

/* ---- Go ------------------------------------------------------------------------------- */

/* Go's debug/buildinfo reads at most this much of the data segment for the blob. */
#define GO_BLOB_SEARCH (64 * 1024)

/* goinfo_read_fn over the file's PT_LOAD segments. */
static const uint8_t *go_read(void *ctx, uint64_t addr, uint64_t len)
{
    const struct ctx *c = ctx;
    uint64_t off;
    if (!addr_to_off(c, addr, &off) || !in_file(&c->r, off, len))
        return NULL;
    return c->r.p + off;
}

/* Function-name evidence, searched as plain bytes (names are NUL-terminated in both the
 * pclntab and .strtab, so "\0crypto/" is a name that starts with crypto/). */
static const struct {
    const char *needle;
    size_t len;
    unsigned bit;
} go_needles[] = {
#define N(s, b) {s, sizeof(s) - 1, b}
    N("github.com/golang-fips/openssl", GOEV_GOLANG_FIPS),
    N("_Cfunc_go_openssl_", GOEV_GOLANG_FIPS),
    N("_Cfunc__goboringcrypto_", GOEV_BORING),
    N("crypto/internal/boring/sig.BoringCrypto", GOEV_BORING),
    N("crypto/internal/boring/sig.StandardCrypto", GOEV_NOT_BORING),
    N("crypto/tls/fipsonly.", GOEV_FIPSONLY),
    N("github.com/microsoft/go-crypto-", GOEV_MICROSOFT),
    N("crypto/internal/backend.", GOEV_BACKEND),
    N("\0crypto/", GOEV_STD_CRYPTO),
    N("/x/crypto/", GOEV_STD_CRYPTO),
    N("crypto/internal/fips140/v", GOEV_FIPS140),
#undef N
};

/* The frozen module's version after "crypto/internal/fips140/" ("v1.0.0"), or false. */
static bool fips140_version(const uint8_t *v, const uint8_t *end, char *out, size_t cap)
{
    size_t n = 1;
    if (v + 1 >= end || v[1] < '0' || v[1] > '9')
        return false;
    while (v + n < end && n < cap - 1 &&
           ((v[n] >= '0' && v[n] <= '9') ||
            (v[n] == '.' && v + n + 1 < end && v[n + 1] >= '0' && v[n + 1] <= '9')))
        n++;
    memcpy(out, v, n);
    out[n] = '\0';
    return true;
}

/* One pass per anchor ("crypto", "openssl": every needle holds one of them) instead of
 * one per needle: Go binaries' function tables run to tens of megabytes. */
static const char *const go_anchors[] = {"crypto", "openssl"};

static void go_chunk(struct ctx *c, const uint8_t *p, size_t size)
{
    struct elfaudit *a = c->out;
    const uint8_t *end = p + size;
    for (size_t an = 0; an < sizeof(go_anchors) / sizeof(go_anchors[0]); an++) {
        const char *anchor = go_anchors[an];
        size_t al = strlen(anchor);
        for (const uint8_t *q = p; (q = memmem(q, (size_t)(end - q), anchor, al)) != NULL;
             q++) {
            for (size_t i = 0; i < sizeof(go_needles) / sizeof(go_needles[0]); i++) {
                unsigned bit = go_needles[i].bit;
                const char *n = go_needles[i].needle;
                size_t nl = go_needles[i].len;
                /* Where the anchor first occurs in the needle ("\0crypto/" starts with NUL). */
                const char *at = memmem(n, nl, anchor, al);
                if (at == NULL || (a->go_evidence & bit))
                    continue;
                size_t back = (size_t)(at - n);
                const uint8_t *start = q - back;
                if (back > (size_t)(q - p) || nl > (size_t)(end - start) ||
                    memcmp(start, n, nl) != 0)
                    continue;
                if (bit == GOEV_FIPS140 &&
                    !fips140_version(start + nl - 1, end, a->go_fips140_module,
                                     sizeof(a->go_fips140_module)))
                    continue;
                a->go_evidence |= bit;
            }
        }
    }
}

static int read_go(struct ctx *c)
{
    struct elfaudit *a = c->out;
    const struct sect *bi = find_named(c, ".go.buildinfo");
    const struct sect *pcln = find_named(c, ".gopclntab");
    a->is_go = bi != NULL || pcln != NULL || find_named(c, ".note.go.buildid") != NULL;

    /* The blob: its own section, else 16-byte aligned near the start of a writable segment. */
    const uint8_t *blob = NULL;
    uint64_t blob_len = 0;
    if (bi != NULL && in_file(&c->r, bi->offset, bi->size)) {
        blob = c->r.p + bi->offset;
        blob_len = bi->size;
    } else if (c->nsects == 0 || a->is_go) {
        for (size_t i = 0; i < c->nsegs && blob == NULL; i++) {
            const struct seg *s = &c->segs[i];
            if (s->type != PT_LOAD || !(s->flags & PF_W) || !in_file(&c->r, s->offset, s->filesz))
                continue;
            uint64_t n = s->filesz < GO_BLOB_SEARCH ? s->filesz : GO_BLOB_SEARCH;
            for (uint64_t k = 0; k + GOINFO_MAGIC_LEN <= n; k += 16) {
                if (memcmp(c->r.p + s->offset + k, GOINFO_MAGIC, GOINFO_MAGIC_LEN) == 0) {
                    blob = c->r.p + s->offset + k;
                    blob_len = s->filesz - k;
                    break;
                }
            }
        }
    }
    a->go_status = GOINFO_NONE;
    if (blob != NULL) {
        a->is_go = true;
        a->go_status = goinfo_parse(blob, blob_len, go_read, c, &a->go);
        if (a->go_status == GOINFO_NOMEM)
            return ELFAUDIT_NOMEM;
    }
    if (!a->is_go)
        return ELFAUDIT_OK;

    /* Symbol evidence: the pclntab (every function's name, kept by strip), the symbol
     * table's names (adds data symbols), else every read-only segment. */
    const struct sect *symtab = find_section(c, SHT_SYMTAB);
    const struct sect *strtab = symtab ? linked_strtab(c, symtab) : NULL;
    if (pcln != NULL) {
        chunked(c, pcln->offset, pcln->size, go_chunk);
        a->go_evidence_from = "pclntab";
    }
    if (strtab != NULL) {
        chunked(c, strtab->offset, strtab->size, go_chunk);
        a->go_evidence_from = pcln ? "pclntab+symtab" : "symtab";
    }
    if (pcln == NULL && strtab == NULL) {
        for (size_t i = 0; i < c->nsegs; i++)
            if (c->segs[i].type == PT_LOAD && !(c->segs[i].flags & PF_W))
                chunked(c, c->segs[i].offset, c->segs[i].filesz, go_chunk);
        a->go_evidence_from = "segments";
    }
    return ELFAUDIT_OK;
}

int elfaudit_parse(const uint8_t *buf, size_t len, struct elfaudit *out)
{
    return elfaudit_parse_ex(buf, len, 0, out);
}

int elfaudit_parse_ex(const uint8_t *buf, size_t len, unsigned flags, struct elfaudit *out)
{
    memset(out, 0, sizeof(*out));
    out->go_status = GOINFO_NONE;
    if (buf == NULL || len < EI_NIDENT || memcmp(buf, ELFMAG, SELFMAG) != 0)
        return ELFAUDIT_NOT_ELF;
    if ((buf[EI_CLASS] != ELFCLASS32 && buf[EI_CLASS] != ELFCLASS64) ||
        (buf[EI_DATA] != ELFDATA2LSB && buf[EI_DATA] != ELFDATA2MSB))
        return ELFAUDIT_NOT_ELF;

    struct ctx c = {
        .r = {buf, len, buf[EI_DATA] == ELFDATA2MSB, buf[EI_CLASS] == ELFCLASS64},
        .out = out,
        .release = flags & ELFAUDIT_RELEASE_PAGES,
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

    uint64_t shstrndx;
    if (!FIELD(r, 0, Ehdr, e_shstrndx, &shstrndx))
        return ELFAUDIT_MALFORMED;
    struct dyninfo d = {0};
    int rv = read_sections(&c, shoff, shentsize, shnum, shstrndx);
    if (rv == ELFAUDIT_OK)
        rv = read_segments(&c, phoff, phentsize, phnum);
    if (rv == ELFAUDIT_OK)
        rv = read_dynamic(&c, &d);
    if (rv == ELFAUDIT_OK && out->has_dynamic)
        rv = read_dynsym(&c, &d);
    if (rv == ELFAUDIT_OK)
        rv = read_go(&c);
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
    free(a->runpath);
    goinfo_free(&a->go);
    a->needed = NULL;
    a->imports = NULL;
    a->soname = NULL;
    a->runpath = NULL;
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
