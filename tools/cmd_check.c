/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fipsrt check [--json] FILE...: does each ELF binary route its crypto only through
 * libfipsrt? The counterpart of `go version -m` plus `go tool nm | grep`: it reads the
 * binary (tools/elfaudit.c, no readelf subprocess) and reports
 *   - how libfipsrt is linked: dynamically (DT_NEEDED libfipsrt.so.1) or statically (the
 *     "@(#)libfipsrt <version>" marker the runtime keeps in .rodata, found even if stripped);
 *   - libcrypto/libssl crypto entry points the binary imports itself (EVP_md5, RAND_bytes,
 *     SSL_CTX_new, ...): they bypass libfipsrt's policy;
 *   - other crypto libraries it links (libgcrypt, nettle, libsodium, mbedTLS, wolfSSL, ...);
 *   - a copy of OpenSSL linked in statically (libcrypto.a, libssl.a): found by the source
 *     file names and assembler banners OpenSSL's code keeps in read-only data.
 * Exit: 0 every file routes crypto only through libfipsrt, 1 findings, 2 unreadable/not ELF.
 *
 * A statically linked libfipsrt imports libcrypto itself; those imports are attributed to
 * it by comparing with what the libfipsrt.so.1 this program runs with imports.
 */
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <fipsrt/fipsrt.h>

#include "cli.h"
#include "elfaudit.h"

enum lib_kind { LIB_FIPSRT, LIB_OPENSSL, LIB_OTHER_CRYPTO, LIB_INFO };

/* DT_NEEDED names by prefix. */
static const struct {
    const char *prefix;
    enum lib_kind kind;
    const char *what;
} known_libs[] = {
    {"libfipsrt.so", LIB_FIPSRT, "libfipsrt"},
    {"libcrypto.so", LIB_OPENSSL, "OpenSSL libcrypto"},
    {"libssl.so", LIB_OPENSSL, "OpenSSL libssl"},
    {"libgcrypt.so", LIB_OTHER_CRYPTO, "libgcrypt"},
    {"libnettle.so", LIB_OTHER_CRYPTO, "Nettle"},
    {"libhogweed.so", LIB_OTHER_CRYPTO, "Nettle public-key (hogweed)"},
    {"libsodium.so", LIB_OTHER_CRYPTO, "libsodium"},
    {"libmbedcrypto.so", LIB_OTHER_CRYPTO, "Mbed TLS crypto"},
    {"libmbedtls.so", LIB_OTHER_CRYPTO, "Mbed TLS"},
    {"libmbedx509.so", LIB_OTHER_CRYPTO, "Mbed TLS X.509"},
    {"libwolfssl.so", LIB_OTHER_CRYPTO, "wolfSSL"},
    {"libgnutls.so", LIB_OTHER_CRYPTO, "GnuTLS"},
    {"libgnutls-openssl.so", LIB_OTHER_CRYPTO, "GnuTLS OpenSSL compatibility"},
    {"libbotan-", LIB_OTHER_CRYPTO, "Botan"},
    {"libtomcrypt.so", LIB_OTHER_CRYPTO, "LibTomCrypt"},
    {"libnss3.so", LIB_OTHER_CRYPTO, "NSS"},
    {"libfreebl", LIB_OTHER_CRYPTO, "NSS freebl"},
    {"libsoftokn3.so", LIB_OTHER_CRYPTO, "NSS softoken"},
    {"libk5crypto.so", LIB_OTHER_CRYPTO, "Kerberos crypto"},
    {"libcrypt.so", LIB_INFO,
     "crypt(3) password hashing; informational: fipsrt_passwd hashes new passwords in the FIPS "
     "provider"},
};

/* Imports that do cryptography or choose how it is done (prefix match). */
static const char *const openssl_entry_points[] = {
    "EVP_", "MD4", "MD5", "MDC2", "SHA1", "SHA224", "SHA256", "SHA384", "SHA512", "SHA3",
    "RIPEMD160", "HMAC", "CMAC_", "AES_", "DES_", "RC2_", "RC4", "BF_", "CAST_", "Camellia_",
    "SEED_", "IDEA_", "CRYPTO_gcm128", "CRYPTO_ccm128", "CRYPTO_ocb128", "CRYPTO_xts128",
    "CRYPTO_cbc128", "CRYPTO_ctr128", "RAND_", "RSA_", "DSA_", "DH_", "EC_", "ECDSA_", "ECDH_",
    "ECPKParameters", "PKCS5_", "PKCS12_", "PKCS7_sign", "PKCS7_encrypt", "PKCS7_decrypt",
    "CMS_sign", "CMS_encrypt", "CMS_decrypt", "OSSL_PROVIDER_", "OSSL_LIB_CTX_",
    "OSSL_SELF_TEST", "EVP_default_properties", "PEM_read_bio_PrivateKey", "d2i_PrivateKey",
    "TLS_method", "TLS_client_method", "TLS_server_method", "TLSv1", "SSLv23_", "SSLv3_",
    "DTLS", "SSL_CTX_new", "SSL_CTX_set_cipher_list", "SSL_CTX_set_ciphersuites",
    "SSL_CTX_set_security_level", "SSL_CTX_set_options", "SSL_set_cipher_list",
    "SSL_set_ciphersuites", "SSL_CTX_set1_groups", "SSL_CTX_set1_sigalgs",
};

/* Symbol prefixes of other crypto libraries (for imports without a symbol version). */
static const char *const other_crypto_symbols[] = {
    "gcry_", "nettle_", "sodium_", "crypto_", "randombytes", "mbedtls_", "psa_", "wolfSSL_",
    "wc_", "gnutls_", "botan_", "PK11_", "NSS_",
};

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool any_prefix(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (has_prefix(s, list[i]))
            return true;
    return false;
}
#define ANY_PREFIX(s, list) any_prefix((s), (list), sizeof(list) / sizeof((list)[0]))

static int lib_index(const char *name)
{
    for (size_t i = 0; i < sizeof(known_libs) / sizeof(known_libs[0]); i++)
        if (name != NULL && has_prefix(name, known_libs[i].prefix))
            return (int)i;
    return -1;
}

/* ---- the libfipsrt this program runs with: what a static copy of it imports ---------- */

static struct elfaudit self;
static bool self_loaded;

static int find_self(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    const char *base = info->dlpi_name ? strrchr(info->dlpi_name, '/') : NULL;
    base = base ? base + 1 : info->dlpi_name;
    if (base != NULL && has_prefix(base, "libfipsrt.so")) {
        *(const char **)data = info->dlpi_name;
        return 1;
    }
    return 0;
}

static void load_self(void)
{
    const char *path = NULL;
    uint8_t *buf;
    size_t len;
    if (self_loaded)
        return;
    self_loaded = true;
    dl_iterate_phdr(find_self, &path);
    if (path == NULL || read_file(path, &buf, &len) != 0)
        return;
    if (elfaudit_parse(buf, len, &self) != ELFAUDIT_OK)
        memset(&self, 0, sizeof(self));
    free(buf);
}

static bool imported_by_libfipsrt(const char *name)
{
    load_self();
    for (size_t i = 0; i < self.n_imports; i++)
        if (strcmp(self.imports[i].name, name) == 0)
            return true;
    return false;
}

/* ---- one file -------------------------------------------------------------------------- */

#define MAX_LINES 512

struct report {
    const char *file;
    int status;                    /* CLI_OK, CLI_FAIL, CLI_USAGE */
    const char *error;
    struct elfaudit a;
    bool fipsrt_dynamic, fipsrt_static, is_libfipsrt, openssl_direct;
    const char *fipsrt_needed;     /* the DT_NEEDED entry naming libfipsrt */
    /* Indexes into a.imports, classified. */
    size_t crypto[MAX_LINES], ncrypto;  /* crypto entry points from libcrypto/libssl */
    bool attributed[MAX_LINES];         /* ... that a static libfipsrt makes itself */
    size_t other[MAX_LINES], nother;    /* imports from other crypto libraries */
    char *findings[MAX_LINES], *notes[MAX_LINES];
    size_t nfindings, nnotes;
};

__attribute__((format(printf, 3, 4)))
static void add_line(char **lines, size_t *n, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    if (*n >= MAX_LINES)
        return;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) >= 0)
        lines[(*n)++] = s;
    va_end(ap);
}
#define FINDING(r, ...) add_line((r)->findings, &(r)->nfindings, __VA_ARGS__)
#define NOTE(r, ...) add_line((r)->notes, &(r)->nnotes, __VA_ARGS__)

static const char *lib_of(const struct elfaudit_import *im)
{
    return im->library ? im->library : "unversioned";
}

static void classify_imports(struct report *r)
{
    size_t helpers = 0;
    const char *first_helper = NULL;
    for (size_t i = 0; i < r->a.n_imports; i++) {
        const struct elfaudit_import *im = &r->a.imports[i];
        int li = lib_index(im->library);
        enum lib_kind kind = li >= 0 ? known_libs[li].kind : LIB_INFO;
        bool entry = ANY_PREFIX(im->name, openssl_entry_points);
        if (kind == LIB_OTHER_CRYPTO ||
            (im->library == NULL && ANY_PREFIX(im->name, other_crypto_symbols))) {
            if (r->nother < MAX_LINES)
                r->other[r->nother++] = i;
            FINDING(r, "imports %s from %s: a crypto library outside the FIPS provider",
                    im->name, lib_of(im));
        } else if (entry && (kind == LIB_OPENSSL || im->library == NULL) && !r->is_libfipsrt) {
            bool mine = r->fipsrt_static && imported_by_libfipsrt(im->name);
            if (r->ncrypto < MAX_LINES) {
                r->attributed[r->ncrypto] = mine;
                r->crypto[r->ncrypto++] = i;
            }
            if (!mine)
                FINDING(r, "imports crypto entry point %s from %s directly: it bypasses libfipsrt",
                        im->name, lib_of(im));
        } else if (kind == LIB_OPENSSL && !r->is_libfipsrt) {
            if (helpers++ == 0)
                first_helper = im->name;
        }
    }
    if (helpers > 0)
        NOTE(r, "imports %zu OpenSSL helper function(s) that are not crypto entry points "
                "(e.g. %s)", helpers, first_helper);
}

static void audit(struct report *r)
{
    struct elfaudit *a = &r->a;
    r->is_libfipsrt = a->soname != NULL && lib_index(a->soname) >= 0 &&
                      known_libs[lib_index(a->soname)].kind == LIB_FIPSRT;
    r->fipsrt_static = a->marker && !r->is_libfipsrt;
    for (size_t i = 0; i < a->n_needed; i++) {
        int li = lib_index(a->needed[i]);
        if (li < 0)
            continue;
        switch (known_libs[li].kind) {
        case LIB_FIPSRT:
            r->fipsrt_dynamic = true;
            r->fipsrt_needed = a->needed[i];
            break;
        case LIB_OPENSSL:
            r->openssl_direct = true;
            break;
        case LIB_OTHER_CRYPTO:
            FINDING(r, "links %s (%s): a crypto library outside the FIPS provider", a->needed[i],
                    known_libs[li].what);
            break;
        case LIB_INFO:
            NOTE(r, "links %s (%s)", a->needed[i], known_libs[li].what);
            break;
        }
    }
    classify_imports(r);
    if (a->embedded_openssl[0] != '\0')
        FINDING(r, "contains a static copy of OpenSSL (\"%s\" in its read-only data): that "
                   "code runs outside libfipsrt and its FIPS provider", a->embedded_openssl);
    if (r->is_libfipsrt)
        NOTE(r, "this is libfipsrt itself (SONAME %s)", a->soname);
    else if (!r->fipsrt_dynamic && !r->fipsrt_static)
        FINDING(r, "does not link libfipsrt (no DT_NEEDED libfipsrt.so.1, no embedded runtime "
                   "marker): nothing forces FIPS mode");
    if (r->fipsrt_dynamic && r->fipsrt_static)
        NOTE(r, "links libfipsrt both dynamically and statically (two runtimes)");
    if (r->openssl_direct && !r->is_libfipsrt)
        NOTE(r, "links libcrypto/libssl directly%s", r->fipsrt_static ?
             " (expected: a static libfipsrt uses the shared libcrypto)" : "");
    r->status = r->nfindings > 0 ? CLI_FAIL : CLI_OK;
}

static void check_file(const char *path, struct report *r)
{
    uint8_t *buf;
    size_t len;
    struct stat st;
    memset(r, 0, sizeof(*r));
    r->file = path;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        r->status = CLI_USAGE;
        r->error = "is a directory";
        return;
    }
    if (read_file(path, &buf, &len) != 0) {
        r->status = CLI_USAGE;
        r->error = strerror(errno);
        return;
    }
    int rv = elfaudit_parse(buf, len, &r->a);
    free(buf);
    if (rv != ELFAUDIT_OK) {
        r->status = CLI_USAGE;
        r->error = elfaudit_strerror(rv);
        return;
    }
    audit(r);
}

static void free_report(struct report *r)
{
    for (size_t i = 0; i < r->nfindings; i++)
        free(r->findings[i]);
    for (size_t i = 0; i < r->nnotes; i++)
        free(r->notes[i]);
    elfaudit_free(&r->a);
}

/* ---- output ---------------------------------------------------------------------------- */

static const char *type_name(const struct elfaudit *a)
{
    switch (a->type) {
    case ET_EXEC: return "executable";
    case ET_DYN: return a->has_interp ? "PIE executable" : "shared object";
    case ET_REL: return "relocatable object";
    case ET_CORE: return "core file";
    }
    return "unknown type";
}

static void print_text(const struct report *r)
{
    const struct elfaudit *a = &r->a;
    if (r->status == CLI_USAGE) {
        printf("%s: error: %s\n", r->file, r->error);
        return;
    }
    printf("%s: ELF%d %s-endian %s (machine %u)\n", r->file, a->elf_class,
           a->big_endian ? "big" : "little", type_name(a), a->machine);
    if (r->is_libfipsrt)
        printf("  libfipsrt:  this is the library (%s)\n", a->soname);
    if (r->fipsrt_dynamic)
        printf("  libfipsrt:  dynamic (DT_NEEDED %s)\n", r->fipsrt_needed);
    if (r->fipsrt_static)
        printf("  libfipsrt:  static (embedded runtime %s)\n", a->marker_version);
    if (!r->is_libfipsrt && !r->fipsrt_dynamic && !r->fipsrt_static)
        printf("  libfipsrt:  not linked\n");
    if (a->n_needed > 0) {
        printf("  needed:    ");
        for (size_t i = 0; i < a->n_needed; i++)
            printf(" %s", a->needed[i]);
        printf("\n");
    }
    size_t by_fipsrt = 0;
    for (size_t i = 0; i < r->ncrypto; i++) {
        const struct elfaudit_import *im = &a->imports[r->crypto[i]];
        if (r->attributed[i]) {
            by_fipsrt++;
            continue;
        }
        printf("  crypto import: %s (%s%s%s)\n", im->name, lib_of(im),
               im->version ? " " : "", im->version ? im->version : "");
    }
    if (by_fipsrt > 0)
        printf("  crypto imports: %zu made by the embedded libfipsrt itself (--json lists them)\n",
               by_fipsrt);
    for (size_t i = 0; i < r->nnotes; i++)
        printf("  note: %s\n", r->notes[i]);
    for (size_t i = 0; i < r->nfindings; i++)
        printf("  FINDING: %s\n", r->findings[i]);
    if (r->status == CLI_OK)
        printf("  result: ok, crypto only through libfipsrt\n");
    else
        printf("  result: %zu finding(s)\n", r->nfindings);
}

static void json_lines(char *const *lines, size_t n)
{
    printf("[");
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ", " : "", stdout);
        json_string(stdout, lines[i]);
    }
    printf("]");
}

static void json_import(const struct elfaudit_import *im)
{
    printf("{\"symbol\": ");
    json_string(stdout, im->name);
    printf(", \"library\": ");
    if (im->library)
        json_string(stdout, im->library);
    else
        printf("null");
    printf(", \"version\": ");
    if (im->version)
        json_string(stdout, im->version);
    else
        printf("null");
}

static void print_json(const struct report *r, bool first)
{
    const struct elfaudit *a = &r->a;
    static const char *const status[] = {"ok", "findings", "error"};
    printf("%s\n    {\"file\": ", first ? "" : ",");
    json_string(stdout, r->file);
    printf(", \"status\": \"%s\", \"exit\": %d", status[r->status], r->status);
    if (r->status == CLI_USAGE) {
        printf(", \"error\": ");
        json_string(stdout, r->error);
        printf("}");
        return;
    }
    printf(",\n     \"elf\": {\"class\": %d, \"endian\": \"%s\", \"type\": \"%s\", "
           "\"machine\": %u, \"sections\": %s},\n", a->elf_class,
           a->big_endian ? "big" : "little", type_name(a), a->machine,
           a->has_sections ? "true" : "false");
    printf("     \"libfipsrt\": {\"dynamic\": %s, \"static\": %s, \"static_version\": ",
           r->fipsrt_dynamic ? "true" : "false", r->fipsrt_static ? "true" : "false");
    if (r->fipsrt_static)
        json_string(stdout, a->marker_version);
    else
        printf("null");
    printf(", \"is_library\": %s},\n     \"needed\": ", r->is_libfipsrt ? "true" : "false");
    json_lines(a->needed, a->n_needed);
    printf(",\n     \"links_openssl_directly\": %s,\n     \"embedded_openssl\": ",
           r->openssl_direct ? "true" : "false");
    if (a->embedded_openssl[0] != '\0')
        json_string(stdout, a->embedded_openssl);
    else
        printf("null");
    printf(",\n     \"crypto_imports\": [");
    for (size_t i = 0; i < r->ncrypto; i++) {
        fputs(i ? ", " : "", stdout);
        json_import(&a->imports[r->crypto[i]]);
        printf(", \"by_libfipsrt\": %s}", r->attributed[i] ? "true" : "false");
    }
    printf("],\n     \"other_crypto_imports\": [");
    for (size_t i = 0; i < r->nother; i++) {
        fputs(i ? ", " : "", stdout);
        json_import(&a->imports[r->other[i]]);
        printf("}");
    }
    printf("],\n     \"notes\": ");
    json_lines(r->notes, r->nnotes);
    printf(",\n     \"findings\": ");
    json_lines(r->findings, r->nfindings);
    printf("}");
}

int cmd_check(int argc, char **argv)
{
    bool json = false;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else {
            i = argc;  /* unknown option: usage */
            break;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "usage: fipsrt check [--json] FILE...\n"
                        "exit: 0 crypto only through libfipsrt, 1 findings, 2 unreadable or "
                        "not ELF\n");
        return CLI_USAGE;
    }
    int worst = CLI_OK;
    if (json)
        printf("{\"libfipsrt\": \"%s\", \"files\": [", fipsrt_version());
    for (int first = 1; i < argc; i++, first = 0) {
        struct report *r = malloc(sizeof(*r));
        if (r == NULL) {
            fprintf(stderr, "fipsrt check: out of memory\n");
            return CLI_USAGE;
        }
        check_file(argv[i], r);
        if (json)
            print_json(r, first);
        else
            print_text(r);
        if (r->status > worst)
            worst = r->status;
        free_report(r);
        free(r);
    }
    if (json)
        printf("\n  ],\n  \"exit\": %d}\n", worst);
    elfaudit_free(&self);
    return worst;
}
