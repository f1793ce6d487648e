/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One file's verdict: its crypto route (audit.h) from what tools/elfaudit.c read, the
 * findings, and what could not be told. No I/O: the same input always gives the same
 * verdict, whichever thread runs it.
 *
 * The route is decided in this order: libfipsrt (linked dynamically or statically, or this
 * is libfipsrt), OpenSSL itself, a Go FIPS route, then the first non-FIPS evidence
 * (static OpenSSL, direct libcrypto/libssl use, a dlopen of libcrypto, another crypto
 * library, Go's standard crypto), else none. Findings are listed whatever the route: a
 * libfipsrt program that also imports EVP_md5 bypasses it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"

static const char *const route_names[ROUTE_COUNT] = {
    [ROUTE_NONE] = "none",
    [ROUTE_LIBFIPSRT] = "libfipsrt",
    [ROUTE_GOLANG_FIPS] = "go-golang-fips-openssl",
    [ROUTE_GO_BORING] = "go-boringcrypto",
    [ROUTE_GO_MICROSOFT] = "go-microsoft-systemcrypto",
    [ROUTE_GO_FIPS140] = "go-fips140",
    [ROUTE_GO_UNDETERMINED] = "go-fips-undetermined",
    [ROUTE_OPENSSL_LIBRARY] = "openssl-itself",
    [ROUTE_GO_STD] = "go-std-crypto",
    [ROUTE_OPENSSL_DIRECT] = "openssl-direct",
    [ROUTE_OPENSSL_STATIC] = "openssl-static",
    [ROUTE_OPENSSL_DLOPEN] = "openssl-dlopen",
    [ROUTE_OTHER_CRYPTO] = "other-crypto",
};

static const struct {
    const char *name, *description;
    int route;  /* the route this evidence makes; allowed route => the finding is a note */
} kinds[KIND_COUNT] = {
    [KIND_OPENSSL_DIRECT] = {"openssl-direct", "imports a libcrypto/libssl function that runs "
                             "cryptography, bypassing libfipsrt", ROUTE_OPENSSL_DIRECT},
    [KIND_TLS_POLICY] = {"tls-policy", "imports a libssl function that can change the TLS "
                         "policy (protocol versions, ciphers, groups, signature algorithms, "
                         "keys, verification)", -1},
    [KIND_OTHER_CRYPTO] = {"other-crypto", "links or imports a crypto library outside the "
                           "FIPS provider", ROUTE_OTHER_CRYPTO},
    [KIND_OPENSSL_STATIC] = {"openssl-static", "contains a static copy of OpenSSL that runs "
                             "outside libfipsrt", ROUTE_OPENSSL_STATIC},
    [KIND_OPENSSL_DLOPEN] = {"openssl-dlopen", "loads libcrypto with dlopen, without "
                             "libfipsrt", ROUTE_OPENSSL_DLOPEN},
    [KIND_GO_STD_CRYPTO] = {"go-std-crypto", "uses Go's standard crypto packages, outside "
                            "any validated module", ROUTE_GO_STD},
    [KIND_ROUTE] = {"route-not-allowed", "the file's crypto route is not allowed by the "
                    "policy", -1},
    [KIND_DEPENDENCY] = {"dependency", "loads a library that has findings", -1},
};

const char *route_name(enum route r)
{
    return r < ROUTE_COUNT ? route_names[r] : "?";
}

int route_parse(const char *name)
{
    for (int i = 0; i < ROUTE_COUNT; i++)
        if (strcmp(route_names[i], name) == 0)
            return i;
    return -1;
}

const char *kind_name(enum kind k)
{
    return k < KIND_COUNT ? kinds[k].name : "?";
}

const char *kind_description(enum kind k)
{
    return k < KIND_COUNT ? kinds[k].description : "?";
}

int kind_parse(const char *name)
{
    for (int i = 0; i < KIND_COUNT; i++)
        if (strcmp(kinds[i].name, name) == 0)
            return i;
    return -1;
}

void policy_default(struct policy *p)
{
    memset(p, 0, sizeof(*p));
    p->allowed[ROUTE_NONE] = p->allowed[ROUTE_LIBFIPSRT] = true;
    p->allowed[ROUTE_GOLANG_FIPS] = p->allowed[ROUTE_GO_BORING] = true;
    p->allowed[ROUTE_GO_MICROSOFT] = p->allowed[ROUTE_GO_FIPS140] = true;
    p->allowed[ROUTE_OPENSSL_LIBRARY] = true;
}

/* ---- lines ----------------------------------------------------------------------------- */

static char *vformat(const char *fmt, va_list ap)
{
    char *s = NULL;
    return vasprintf(&s, fmt, ap) >= 0 ? s : NULL;
}

/* Make room for element @p n of an array of @p size-byte elements whose capacity is 4, 8,
 * 16, ... (the next power of two at or above n + 1); NULL at AUDIT_MAX_LINES or on failure,
 * when the array is unchanged. */
static void *grow(void *arr, size_t n, size_t size)
{
    if (n >= AUDIT_MAX_LINES)
        return NULL;
    if (n != 0 && (n < 4 || (n & (n - 1)) != 0))
        return arr;
    return realloc(arr, (n == 0 ? 4 : n * 2) * size);
}

static void add_line(char ***lines, size_t *n, const char *fmt, va_list ap)
{
    char **g = grow(*lines, *n, sizeof(**lines));
    if (g == NULL)
        return;
    *lines = g;
    char *s = vformat(fmt, ap);
    if (s != NULL)
        (*lines)[(*n)++] = s;
}

void audit_finding(struct report *r, enum kind k, const char *fmt, ...)
{
    struct finding *g = grow(r->findings, r->n_findings, sizeof(*r->findings));
    if (g == NULL)
        return;
    r->findings = g;
    va_list ap;
    va_start(ap, fmt);
    char *s = vformat(fmt, ap);
    va_end(ap);
    if (s != NULL)
        r->findings[r->n_findings++] = (struct finding){k, s, NULL};
}

void audit_note(struct report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_line(&r->notes, &r->n_notes, fmt, ap);
    va_end(ap);
}

void audit_unknown(struct report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_line(&r->unknown, &r->n_unknown, fmt, ap);
    va_end(ap);
}

/* ---- libraries and symbols ------------------------------------------------------------- */

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

/* libcrypto functions that do cryptography or choose how it is done (prefix match). */
static const char *const openssl_entry_points[] = {
    "EVP_", "MD4", "MD5", "MDC2", "SHA1", "SHA224", "SHA256", "SHA384", "SHA512", "SHA3",
    "RIPEMD160", "HMAC", "CMAC_", "AES_", "DES_", "RC2_", "RC4", "BF_", "CAST_", "Camellia_",
    "SEED_", "IDEA_", "CRYPTO_gcm128", "CRYPTO_ccm128", "CRYPTO_ocb128", "CRYPTO_xts128",
    "CRYPTO_cbc128", "CRYPTO_ctr128", "RAND_", "RSA_", "DSA_", "DH_", "EC_", "ECDSA_", "ECDH_",
    "ECPKParameters", "PKCS5_", "PKCS12_", "PKCS7_sign", "PKCS7_encrypt", "PKCS7_decrypt",
    "PKCS7_verify", "CMS_sign", "CMS_encrypt", "CMS_decrypt", "CMS_verify", "OSSL_PROVIDER_",
    "OSSL_LIB_CTX_", "OSSL_SELF_TEST", "PEM_read_bio_PrivateKey", "d2i_PrivateKey",
    "X509_sign", "X509_verify", "X509_REQ_sign", "X509_REQ_verify", "X509_CRL_sign",
    "X509_CRL_verify", "OCSP_basic_sign", "OCSP_basic_verify",
};

/* libssl functions that run a handshake or move protected data: they do cryptography. */
static const char *const ssl_runners[] = {
    "SSL_new", "SSL_CTX_new", "SSL_connect", "SSL_accept", "SSL_do_handshake", "SSL_read",
    "SSL_write", "SSL_peek", "SSL_shutdown", "SSL_key_update", "SSL_renegotiate",
    "SSL_export_keying_material", "SSL_stateless", "SSL_sendfile", "SSL_clear", "TLS_",
    "TLSv1", "DTLS", "SSLv23_", "SSLv3_", "SSL_dup", "SSL_SESSION_new",
    "BIO_",  /* libssl's BIOs (BIO_new_ssl_connect, BIO_f_ssl) run TLS connections */
};

/* libssl functions that neither run crypto nor change what a connection may negotiate:
 * getters, reference counting, transport plumbing, application data, host names to check.
 * Every other libssl import (SSL_CTX_ctrl, SSL_ctrl, SSL_CTX_callback_ctrl, which the
 * SSL_CTX_set1_groups/sigalgs/min_proto_version macros become, the set_*, use_* and
 * config functions, ...) can widen the policy: a finding. */
static const char *const ssl_harmless[] = {
    "SSL_get", "SSL_CTX_get", "SSL_SESSION_get", "SSL_CIPHER_", "SSL_is_", "SSL_in_",
    "SSL_version", "SSL_state_string", "SSL_alert_", "SSL_pending", "SSL_has_pending",
    "SSL_want", "SSL_free", "SSL_CTX_free", "SSL_SESSION_free", "SSL_load_error_strings",
    "OPENSSL_init_ssl", "SSL_library_init", "ERR_load_SSL_strings", "SSL_up_ref",
    "SSL_CTX_up_ref", "SSL_SESSION_up_ref", "SSL_set_fd", "SSL_set_rfd", "SSL_set_wfd",
    "SSL_set_bio", "SSL_set0_rbio", "SSL_set0_wbio", "SSL_set_ex_data", "SSL_CTX_set_ex_data",
    "SSL_set_connect_state", "SSL_set_accept_state", "SSL_select_next_proto", "SSL_set1_host",
    "SSL_add1_host", "SSL_set_hostflags", "SSL_client_version", "SSL_session_reused",
    "SSL_COMP_get", "SSL_waiting_for_async", "SSL_rstate_string", "SSL_SESSION_print",
    "SSL_SESSION_is_resumable", "SSL_SESSION_has_ticket", "SSL_CTX_sessions",
    "SSL_CTX_check_private_key", "SSL_check_private_key", "SSL_verify_client_post_handshake",
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
    for (size_t i = 0; name != NULL && i < sizeof(known_libs) / sizeof(known_libs[0]); i++)
        if (has_prefix(name, known_libs[i].prefix))
            return (int)i;
    return -1;
}

static bool self_imports(const struct self_imports *self, const char *name)
{
    for (size_t i = 0; self != NULL && i < self->n; i++)
        if (strcmp(self->names[i], name) == 0)
            return true;
    return false;
}

static const char *lib_of(const struct elfaudit_import *im)
{
    return im->library ? im->library : "unversioned";
}

static void keep_import(struct report *r, const struct elfaudit_import *im, enum kind k,
                        bool mine)
{
    struct import_line *g = grow(r->imports, r->n_imports, sizeof(*r->imports));
    if (g == NULL)
        return;
    r->imports = g;
    struct import_line *l = &r->imports[r->n_imports++];
    *l = (struct import_line){strdup(im->name), im->library ? strdup(im->library) : NULL,
                              im->version ? strdup(im->version) : NULL, k, mine};
}

/* Sort each import: another crypto library, libssl (runner / policy / harmless), libcrypto
 * (entry point / helper). OpenSSL itself and libfipsrt itself are not held to this. */
static void classify_imports(struct report *r, const struct self_imports *self, bool judge)
{
    size_t helpers = 0;
    const char *first_helper = NULL;
    for (size_t i = 0; i < r->a.n_imports; i++) {
        const struct elfaudit_import *im = &r->a.imports[i];
        int li = lib_index(im->library);
        enum lib_kind lk = li >= 0 ? known_libs[li].kind : LIB_INFO;
        bool unversioned = im->library == NULL;
        if (lk == LIB_OTHER_CRYPTO ||
            (unversioned && ANY_PREFIX(im->name, other_crypto_symbols))) {
            keep_import(r, im, KIND_OTHER_CRYPTO, false);
            audit_finding(r, KIND_OTHER_CRYPTO, "imports %s from %s: a crypto library outside "
                          "the FIPS provider", im->name, lib_of(im));
            continue;
        }
        if (!judge || !(lk == LIB_OPENSSL || unversioned))
            continue;
        bool ssl = has_prefix(im->name, "SSL_") || has_prefix(im->name, "TLS") ||
                   has_prefix(im->name, "DTLS") || has_prefix(im->name, "SSLv") ||
                   (im->library != NULL && has_prefix(im->library, "libssl.so"));
        enum kind k;
        if (ssl && ANY_PREFIX(im->name, ssl_runners))
            k = KIND_OPENSSL_DIRECT;
        else if (ssl && !ANY_PREFIX(im->name, ssl_harmless) && !unversioned)
            k = KIND_TLS_POLICY;
        else if (ssl && unversioned && has_prefix(im->name, "SSL_") &&
                 !ANY_PREFIX(im->name, ssl_harmless))
            k = KIND_TLS_POLICY;
        else if (!ssl && ANY_PREFIX(im->name, openssl_entry_points))
            k = KIND_OPENSSL_DIRECT;
        else {
            if (lk == LIB_OPENSSL && helpers++ == 0)
                first_helper = im->name;
            continue;
        }
        bool mine = r->fipsrt_static && self_imports(self, im->name);
        keep_import(r, im, k, mine);
        if (mine)
            continue;
        if (k == KIND_TLS_POLICY)
            audit_finding(r, k, "imports %s from %s: it can change the TLS policy of a "
                          "connection, libfipsrt's included", im->name, lib_of(im));
        else
            audit_finding(r, k, "imports crypto entry point %s from %s directly: it bypasses "
                          "libfipsrt", im->name, lib_of(im));
    }
    if (helpers > 0)
        audit_note(r, "imports %zu OpenSSL helper function(s) that neither run crypto nor "
                   "change the TLS policy (e.g. %s)", helpers, first_helper);
}

/* ---- Go -------------------------------------------------------------------------------- */

/* The experiments: GOEXPERIMENT, and the " X:a,b" suffix of the version. */
static bool go_experiment(const struct goinfo *g, const char *name)
{
    const char *x = g->version ? strstr(g->version, " X:") : NULL;
    return goinfo_list_has(goinfo_setting(g, "GOEXPERIMENT"), name) ||
           (x != NULL && goinfo_list_has(x + 3, name));
}

/* fips140=on or only in a GODEBUG list ("a=1,fips140=on"). */
static const char *godebug_fips140(const char *list)
{
    for (const char *p = list; p != NULL && (p = strstr(p, "fips140=")) != NULL; p += 8) {
        if (p != list && p[-1] != ',')
            continue;
        if (has_prefix(p + 8, "on") && (p[10] == '\0' || p[10] == ','))
            return "on";
        if (has_prefix(p + 8, "only") && (p[12] == '\0' || p[12] == ','))
            return "only";
    }
    return NULL;
}

static enum route go_route(struct report *r)
{
    const struct elfaudit *a = &r->a;
    const struct goinfo *g = &a->go;
    unsigned ev = a->go_evidence;
    bool have_info = a->go_status == GOINFO_OK;
    if (!have_info)
        audit_unknown(r, "no readable Go build information (%s): the Go version and build "
                      "settings are unknown", goinfo_strerror(a->go_status));
    if (a->go_evidence_from != NULL && strcmp(a->go_evidence_from, "segments") == 0)
        audit_unknown(r, "no pclntab or symbol table section: function names were searched "
                      "in the read-only segments only");

    bool ms = go_experiment(g, "systemcrypto") || go_experiment(g, "opensslcrypto") ||
              go_experiment(g, "cngcrypto") || go_experiment(g, "darwincrypto") ||
              go_experiment(g, "ms_nocgo_opensslcrypto") ||
              (ev & GOEV_MICROSOFT);
    const char *gofips = goinfo_setting(g, "GOFIPS140");
    const char *debug = godebug_fips140(goinfo_setting(g, "DefaultGODEBUG"));
    bool fips140 = (gofips != NULL && *gofips != '\0' && strcmp(gofips, "off") != 0) ||
                   debug != NULL;
    bool boring_exp = go_experiment(g, "boringcrypto");

    if (ms) {
        r->route_note = strdup("Microsoft Go system crypto: the platform's library (OpenSSL "
                               "on Linux, loaded at run time) does the crypto; FIPS where that "
                               "OpenSSL runs its FIPS provider");
        return ROUTE_GO_MICROSOFT;
    }
    if (ev & GOEV_GOLANG_FIPS) {
        if (boring_exp)
            audit_note(r, "GOEXPERIMENT=boringcrypto is how the golang-fips toolchain turns "
                       "its backend on: the implementation is OpenSSL, not BoringCrypto");
        r->route_note = strdup("golang-fips/openssl: the system's libcrypto, loaded with "
                               "dlopen, does the crypto; FIPS where that OpenSSL runs its FIPS "
                               "provider");
        return ROUTE_GOLANG_FIPS;
    }
    if (ev & GOEV_BORING) {
        if (asprintf(&r->route_note, "BoringCrypto: BoringSSL's FIPS module linked into the "
                     "binary%s", ev & GOEV_FIPSONLY ? "; crypto/tls/fipsonly restricts TLS "
                     "to FIPS settings" : "; crypto/tls/fipsonly is not linked, so TLS may "
                     "negotiate non-FIPS settings") < 0)
            r->route_note = NULL;
        return ROUTE_GO_BORING;
    }
    if (fips140) {
        const char *v = gofips && strcmp(gofips, "off") != 0 ? gofips
                        : a->go_fips140_module[0] ? a->go_fips140_module : NULL;
        bool frozen = v != NULL && v[0] == 'v';
        if (asprintf(&r->route_note, "Go Cryptographic Module %s (native FIPS 140-3%s%s%s)",
                     v ? v : "(in-tree)", debug ? ", fips140=" : "", debug ? debug : "",
                     frozen ? "" : "; not a frozen, validated module version") < 0)
            r->route_note = NULL;
        return ROUTE_GO_FIPS140;
    }
    if (boring_exp && (ev & GOEV_NOT_BORING || goinfo_list_has(goinfo_setting(g, "CGO_ENABLED"), "0")))
        audit_note(r, "GOEXPERIMENT=boringcrypto without cgo has no effect: Go links its "
                   "BoringCrypto stubs (sig.StandardCrypto) and uses its standard crypto");
    else if (boring_exp) {
        audit_unknown(r, "Go reports GOEXPERIMENT=boringcrypto but neither BoringCrypto's nor "
                      "golang-fips/openssl's functions were found: which module does the "
                      "crypto cannot be told");
        return ROUTE_GO_UNDETERMINED;
    }
    if (ev & GOEV_STD_CRYPTO) {
        audit_finding(r, KIND_GO_STD_CRYPTO, "uses Go's standard crypto packages (crypto/..., "
                      "golang.org/x/crypto): not a validated module, no FIPS route");
        return ROUTE_GO_STD;
    }
    return ROUTE_NONE;
}

/* ---- the verdict ----------------------------------------------------------------------- */

static bool has_kind(const struct report *r, enum kind k)
{
    for (size_t i = 0; i < r->n_findings; i++)
        if (r->findings[i].kind == k)
            return true;
    return false;
}

void audit_classify(struct report *r, const struct policy *policy,
                    const struct self_imports *self)
{
    struct elfaudit *a = &r->a;
    int si = lib_index(a->soname);
    r->is_libfipsrt = si >= 0 && known_libs[si].kind == LIB_FIPSRT;
    bool openssl_itself = (si >= 0 && known_libs[si].kind == LIB_OPENSSL) || a->provider_module;
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
            if (!openssl_itself)
                audit_finding(r, KIND_OTHER_CRYPTO, "links %s (%s): a crypto library outside "
                              "the FIPS provider", a->needed[i], known_libs[li].what);
            break;
        case LIB_INFO:
            audit_note(r, "links %s (%s)", a->needed[i], known_libs[li].what);
            break;
        }
    }
    classify_imports(r, self, !r->is_libfipsrt && !openssl_itself);
    bool fipsrt = r->is_libfipsrt || r->fipsrt_dynamic || r->fipsrt_static || r->fipsrt_indirect;
    if (r->fipsrt_indirect && !r->is_libfipsrt && !r->fipsrt_dynamic && !r->fipsrt_static)
        audit_note(r, "links libfipsrt indirectly, through one of its libraries");

    enum route go = a->is_go ? go_route(r) : ROUTE_NONE;
    bool go_fips = go != ROUTE_NONE && go != ROUTE_GO_STD;

    if (a->embedded_openssl[0] != '\0') {
        if (openssl_itself)
            ;  /* OpenSSL's own libraries and providers carry its source file names */
        else if (go == ROUTE_GO_BORING)
            audit_note(r, "BoringSSL's code is linked in (\"%s\"): that is the BoringCrypto "
                       "module", a->embedded_openssl);
        else
            audit_finding(r, KIND_OPENSSL_STATIC, "contains a static copy of OpenSSL (\"%s\" in "
                          "its read-only data): that code runs outside libfipsrt and its FIPS "
                          "provider", a->embedded_openssl);
    }
    if (a->imports_dlopen && a->names_libcrypto && !fipsrt && !openssl_itself &&
        go != ROUTE_GOLANG_FIPS && go != ROUTE_GO_MICROSOFT)
        audit_finding(r, KIND_OPENSSL_DLOPEN, "loads libcrypto with dlopen (imports dlopen, names "
                      "libcrypto.so) and does not link libfipsrt: nothing forces FIPS mode on "
                      "what it does with it");

    if (fipsrt)
        r->route = ROUTE_LIBFIPSRT;
    else if (openssl_itself)
        r->route = ROUTE_OPENSSL_LIBRARY;
    else if (go_fips)
        r->route = go;
    else if (has_kind(r, KIND_OPENSSL_STATIC))
        r->route = ROUTE_OPENSSL_STATIC;
    else if (has_kind(r, KIND_OPENSSL_DIRECT) || has_kind(r, KIND_TLS_POLICY))
        r->route = ROUTE_OPENSSL_DIRECT;
    else if (has_kind(r, KIND_OPENSSL_DLOPEN))
        r->route = ROUTE_OPENSSL_DLOPEN;
    else if (has_kind(r, KIND_OTHER_CRYPTO))
        r->route = ROUTE_OTHER_CRYPTO;
    else
        r->route = go;  /* go-std-crypto or none */

    if (r->is_libfipsrt)
        audit_note(r, "this is libfipsrt itself (SONAME %s)", a->soname);
    else if (openssl_itself)
        audit_note(r, "this is OpenSSL itself (%s): the programs that use it are judged, not "
                   "the library", a->soname ? a->soname : "a provider module");
    if (r->fipsrt_dynamic && r->fipsrt_static)
        audit_note(r, "links libfipsrt both dynamically and statically (two runtimes)");
    if (r->openssl_direct && !r->is_libfipsrt && !openssl_itself)
        audit_note(r, "links libcrypto/libssl directly%s", r->fipsrt_static ?
                   " (expected: a static libfipsrt uses the shared libcrypto)" : "");
    if (r->fipsrt_static)
        audit_unknown(r, "a static libfipsrt imports libcrypto and libssl itself: the program's "
                      "own calls to the same functions cannot be told apart from them");
    if (r->route == ROUTE_LIBFIPSRT && r->route_note == NULL)
        r->route_note = strdup("libfipsrt: OpenSSL's FIPS provider, forced at start-up");

    /* The policy: evidence of an allowed route is information, not a finding. */
    r->route_allowed = policy->allowed[r->route];
    size_t kept = 0;
    for (size_t i = 0; i < r->n_findings; i++) {
        struct finding *f = &r->findings[i];
        int rt = kinds[f->kind].route;
        if (rt >= 0 && policy->allowed[rt]) {
            audit_note(r, "allowed by the policy (route %s): %s", route_name((enum route)rt),
                       f->message);
            free(f->message);
            continue;
        }
        r->findings[kept++] = *f;
    }
    r->n_findings = kept;
    if (!r->route_allowed) {
        bool covered = false;
        for (size_t i = 0; i < r->n_findings; i++)
            covered |= kinds[r->findings[i].kind].route == (int)r->route;
        if (!covered)
            audit_finding(r, KIND_ROUTE, "its crypto route %s is not allowed by the policy%s%s",
                          route_name(r->route), r->route_note ? ": " : "",
                          r->route_note ? r->route_note : "");
    }

    /* Only the classified imports are kept: a whole import table per file would make the
     * memory of a tree scan grow with the tree. */
    for (size_t i = 0; i < a->n_imports; i++) {
        free(a->imports[i].name);
        free(a->imports[i].version);
        free(a->imports[i].library);
    }
    free(a->imports);
    a->imports = NULL;
    a->n_imports = 0;
    audit_finish(r);
}

void audit_finish(struct report *r)
{
    if (r->status == CLI_USAGE)
        return;
    r->status = CLI_OK;
    for (size_t i = 0; i < r->n_findings; i++)
        if (r->findings[i].waiver == NULL)
            r->status = CLI_FAIL;
}

void audit_report_free(struct report *r)
{
    for (size_t i = 0; i < r->n_findings; i++)
        free(r->findings[i].message);
    for (size_t i = 0; i < r->n_notes; i++)
        free(r->notes[i]);
    for (size_t i = 0; i < r->n_unknown; i++)
        free(r->unknown[i]);
    for (size_t i = 0; i < r->n_imports; i++) {
        free(r->imports[i].name);
        free(r->imports[i].library);
        free(r->imports[i].version);
    }
    for (size_t i = 0; i < r->n_deps; i++) {
        free(r->deps[i].name);
        free(r->deps[i].path);
    }
    free(r->findings);
    free(r->notes);
    free(r->unknown);
    free(r->imports);
    free(r->deps);
    free(r->route_note);
    free(r->path);
    free(r->root_path);
    free(r->error);
    elfaudit_free(&r->a);
    memset(r, 0, sizeof(*r));
}
