/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Allocation-failure sweep (issue 13). For every workload segment (workload.c) the parent
 * first counts the allocations one run makes and notes where each distinct allocation site
 * (OpenSSL's FILE:LINE, the library's caller address) first allocates; then for each chosen N
 * a forked child makes the N-th allocation fail. The points: every N with --full; else each
 * site's first allocation (FIPSRT_FAULT_SITES, below) plus an evenly spaced sample. Each
 * child checks:
 *   - no crash or abort (the parent sees the child's exit status);
 *   - no leak (in the ASan build LeakSanitizer runs at the child's exit, after OpenSSL's
 *     cleanup; under valgrind --leak-check does);
 *   - the failing call returns a documented code for an allocation failure (allowed_code()),
 *     and fipsrt_last_error_code() says the same;
 *   - an object-making call hands back NULL, never a half-built object;
 *   - no call leaves the OpenSSL error queue non-empty (SPEC 1.6);
 *   - nothing fails before the injection, nothing fails after a call that absorbed it, and
 *     the whole segment run again right after (allocations working) succeeds.
 * Injection reaches both allocators: OpenSSL's through CRYPTO_set_mem_functions() (installed
 * by a constructor that runs before the library's; the FIPS provider allocates through the
 * same core functions) and the library's own malloc/calloc/realloc/strdup, redirected here
 * by -Wl,--wrap (this program links libfipsrt.a and tools/ compiled in). Injection is armed
 * only after initialisation: a failure while the provider loads is the documented start-up
 * panic (SPEC 1.3), tested by the runtime suite.
 *
 * usage: alloc_fail [--full] [--samples M] [--seed S] [--sites new|site|step|off]
 *                   [--default-sites MODE] [--jobs J]
 *                   [--segment NAME] [--only N] [--site FILE:LINE#K | lib:S#K] [--list-sites]
 *                   [--show-known] [--dry] [--regressions]
 *   --samples M / FIPSRT_FAULT_SAMPLES: evenly spaced points per segment (default 16);
 *   --sites / FIPSRT_FAULT_SITES: new (the default) fails each allocation site once in the
 *     whole sweep, in the first segment reaching it; site once in every segment reaching it
 *     (the coverage pass); step once in every workload step reaching it; off: the sample only;
 *     --default-sites MODE sets the mode unless FIPSRT_FAULT_SITES does (CI: the alloc-fail
 *     test in tests/faults/meson.build passes --default-sites new);
 *   --jobs J / FIPSRT_FAULT_JOBS: children run J at a time (default 2);
 *   --site pins one injection by site instead of N (DEFECT/KNOWN lines print the pin);
 *   --regressions runs the regressions[] table (test alloc-fail-regress).
 *   FIPSRT_FAULT_SEED shifts the sample. Skipped under valgrind (one injection point cost
 *   ~15 s there); the ASan build's LeakSanitizer checks leaks.
 */
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include <fipsrt/fipsrt.h>

#include "faults.h"

char fault_sentinel;
uint8_t fault_rsa_der[4096];
size_t fault_rsa_der_len;
char fault_tmpdir[256];
const char *fault_check_target;

/* ---- the injector ------------------------------------------------------------------------ */

static long counter;       /* allocations since the segment started (when counting) */
static long fail_at;       /* 0: none; else the allocation to fail */
static int counting;
static int step_no;        /* steps begun in this segment (the per-step site key) */
static int per_step;       /* --sites step: a site is (allocation site, step), not the site alone */

/*
 * Allocation sites. OpenSSL's allocator hooks receive the (file, line) of the OPENSSL_malloc
 * call (Debian builds OpenSSL with file names); the library's wrapped malloc & co. the
 * caller's return address. The counting run notes the first N at which each distinct site
 * allocates (one per (site, step) with --sites step) and hands the list to the parent, which
 * fails each of them once besides the evenly spaced sample. fork() keeps the address space,
 * so a site's file pointer and return address are the same in every child.
 */
#define MAX_SITES 16384
#define SITE_SLOTS (1 << 16)
struct site {
    long n;                /* the first allocation made there (counting run) */
    const char *file;      /* OpenSSL's site, or NULL: the library's, at `ret` */
    int line;
    uintptr_t ret;
};
struct site_list {
    long count;
    struct site s[MAX_SITES];
};
static struct site_list *sites;   /* shared with the parent */
static uint64_t site_seen[SITE_SLOTS];
static const char *pin_file;      /* --site FILE:LINE: fail the pin_k-th allocation there */
static int pin_line;
static long pin_k, pin_hits;
static int pin_fired, pin_armed;
static const char *fired_file;    /* the site of the injected failure */
static int fired_line;
static uintptr_t fired_ret;
static long fired_k;
extern const char __executable_start[];

static int fired_step;
/* "crypto/bn/bn_lib.c:85#K" for OpenSSL's sites (its K-th allocation there), "lib:S#K (exe+0x1a2b)"
 * for the library's own K-th allocation in the segment's S-th step (addr2line -e alloc_fail). */
static const char *site_name(char *buf, size_t cap, const char *file, int line, uintptr_t ret,
                             long k)
{
    if (file != NULL && k > 0)
        snprintf(buf, cap, "%s:%d#%ld", file, line, k);
    else if (file != NULL)
        snprintf(buf, cap, "%s:%d", file, line);
    else if (k > 0)   /* the library's K-th allocation in step S: --site lib:S#K */
        snprintf(buf, cap, "lib:%d#%ld (exe+%#lx)", fired_step, k,
                 (unsigned long)(ret - (uintptr_t)__executable_start));
    else
        snprintf(buf, cap, "exe+%#lx", (unsigned long)(ret - (uintptr_t)__executable_start));
    return buf;
}

/* The slot of `key` in a table of SITE_SLOTS keys (inserted if new); *fresh says which. */
static size_t site_slot(uint64_t *table, uint64_t key, int *fresh)
{
    key |= 1;   /* never 0 (the empty slot) */
    uint64_t h = key * 0x9E3779B97F4A7C15ull;
    for (size_t i = (size_t)(h >> 48) & (SITE_SLOTS - 1);; i = (i + 1) & (SITE_SLOTS - 1)) {
        if (table[i] == key || table[i] == 0) {
            *fresh = table[i] == 0;
            table[i] = key;
            return i;
        }
    }
}

static uint64_t site_hit_key[SITE_SLOTS];
static uint64_t global_seen[SITE_SLOTS];   /* parent: sites failed in earlier segments */
static long site_hits[SITE_SLOTS];   /* allocations at each site so far (the K of --site) */
static long site_k;   /* the current allocation's K at its site */
static long lib_k;    /* the library's own allocations in this step so far */

static void note_site(const char *file, int line, uintptr_t ret)
{
    uint64_t key = file ? (uint64_t)(uintptr_t)file * 131 + (uint64_t)line : (uint64_t)ret;
    int fresh;
    size_t hit = site_slot(site_hit_key, key, &fresh);
    site_k = ++site_hits[hit];
    if (fail_at != 0 || sites == NULL)
        return;
    if (per_step)
        key = key * 1000003u + (uint64_t)step_no;
    site_slot(site_seen, key, &fresh);
    if (fresh && sites->count < MAX_SITES)
        sites->s[sites->count++] = (struct site){counter, file, line, ret};
}

static void note_fired(const char *file, int line);

/* Fail this allocation? `file`/`line` for OpenSSL's, else the caller's address. */
static int inject_at(const char *file, int line, const void *ret)
{
    if (!counting)
        return 0;
    ++counter;
    note_site(file, line, (uintptr_t)ret);
    if (file == NULL)
        lib_k++;
    if (pin_armed) {
        int lib_pin = strcmp(pin_file, "lib") == 0;
        if (pin_fired || (lib_pin ? file != NULL || step_no != pin_line || lib_k != pin_k
                                  : file == NULL || line != pin_line ||
                                        strcmp(file, pin_file) != 0 || ++pin_hits != pin_k))
            return 0;
        pin_fired = 1;
        fail_at = counter;
    } else if (counter != fail_at) {
        return 0;
    }
    fired_file = file;
    fired_line = line;
    fired_k = file ? site_k : lib_k;
    fired_step = step_no;
    fired_ret = (uintptr_t)ret;
    note_fired(file, line);
    return 1;
}

#define inject() inject_at(NULL, 0, __builtin_return_address(0))

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

void *__wrap_malloc(size_t n) { return inject() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { return inject() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { return inject() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return inject() ? NULL : __real_strdup(s); }

/*
 * The one leak suppression (ASan build), by allocation site, which OpenSSL hands to these
 * hooks: a leak inside OpenSSL 3.0 itself, not in libfipsrt. The first fetch in a library
 * context fills its name map from the legacy object names (OBJ_NAME_do_all); when an
 * allocation fails half-way, the name entry already made (16 + a few bytes) is never freed
 * (crypto/core_namemap.c). Suppressing by stack does not work: libcrypto has no frame
 * pointers, so LeakSanitizer's stacks stop at CRYPTO_zalloc.
 */
void __lsan_ignore_object(const void *p) __attribute__((weak));

static void *ossl_malloc(size_t n, const char *file, int line)
{
    if (inject_at(file, line, NULL))
        return NULL;
    void *p = __real_malloc(n);
    if (p != NULL && __lsan_ignore_object != NULL && file != NULL &&
        strstr(file, "core_namemap.c") != NULL)
        __lsan_ignore_object(p);
    return p;
}

static void *ossl_realloc(void *p, size_t n, const char *file, int line)
{
    if (n == 0) {
        free(p);
        return NULL;
    }
    return inject_at(file, line, NULL) ? NULL : __real_realloc(p, n);
}

static void ossl_free(void *p, const char *file, int line)
{
    free(p);
}

/* Before libfipsrt's constructor (default priority), so OpenSSL has allocated nothing yet. */
__attribute__((constructor(101))) static void install_hooks(void)
{
    if (!CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc, ossl_free)) {
        fputs("alloc_fail: CRYPTO_set_mem_functions refused (OpenSSL allocated already)\n",
              stderr);
        _exit(99);
    }
}

/* ---- step checks (called by the workload) ---------------------------------------------- */

/* What the child tells the parent (shared page). */
/*
 * Outcomes that are reported but do not fail the sweep, each for a stated reason outside the
 * library's control (or, marked OPEN, a defect not fixed yet):
 */
enum known {
    /* A failure inside the provider's self-test or a pairwise-consistency test puts the FIPS
     * module in its error state (FIPS 140-3 §7.10.3.x); every later operation then fails with
     * FIPSRT_E_PROVIDER until the process restarts. */
    KNOWN_ERROR_STATE,
    /* OpenSSL 3.0's method stores keep the partial set of methods they built while an
     * allocation failed: some key import keeps failing (MALFORMED, decoder store) or the
     * FIPS provider's internal context cannot fetch its DRBG (PROVIDER, "unsupported")
     * afterwards. */
    KNOWN_DECODER_STORE,
    /* libssl marks a TLS signature algorithm it could not fetch (an allocation failed while
     * the SSL_CTX was made) as unavailable and carries on; the context then fails its
     * handshakes closed ("no suitable signature algorithm", FIPSRT_E_TLS). */
    KNOWN_SIGALG_DISABLED,
    /* OpenSSL reported the allocation failure only as a failed call (no malloc-failure reason
     * on its queue), so the library answers with the call's own refusal code: MALFORMED,
     * VERIFY_FAILED or TLS_VERIFY (a valid input refused; never a wrong acceptance), or
     * UNSUPPORTED from fipsrt_insecure_md5 (its setup is retried by the next call). */
    KNOWN_FAIL_CLOSED,
    KNOWN_COUNT
};
static const char *const known_names[KNOWN_COUNT] = {
    "FIPS module error state", "OpenSSL method store poisoned",
    "TLS signature algorithm disabled", "refusal code for OOM"};

struct report {
    long total;            /* counting run: allocations made */
    int fired;             /* injection happened */
    const char *fired_file; /* OpenSSL's site of the injected failure, if it was OpenSSL's */
    int fired_line;
    int hit;               /* the injected failure happened (even if no step ended after) */
    char call[96];         /* the step that met the failure */
    int line, rc;          /* the step that met the failure, and its result */
    int defects;
    int known[KNOWN_COUNT];
};
static struct report *rep;
static long step_start;

/*
 * Crashes that are OpenSSL's, not the library's (reported, not failing), by the site whose
 * failed allocation OpenSSL 3.0.19's FIPS module (fips.so) then dereferences; the library
 * cannot intercept an allocation inside the module:
 * - crypto/initthread.c: ossl_init_thread_start() uses its per-thread event handler list after
 *   failing to allocate it (reached from RAND_get0_private() when the provider's self-test
 *   signs with RSA and sets up blinding);
 * - providers/implementations/kdfs/sskdf.c: sskdf_new() stores into the context it failed to
 *   allocate (the provider's SSKDF/X963KDF self-test, reached from fipsrt_selftest()).
 */
static int openssl_crash(const struct report *r)
{
    return r->fired_file != NULL && (strcmp(r->fired_file, "crypto/initthread.c") == 0 ||
                                     strcmp(r->fired_file,
                                            "providers/implementations/kdfs/sskdf.c") == 0);
}
static long openssl_crashes, openssl_leaks;

/*
 * Leaks that are OpenSSL's (reported, not failing), each recognised narrowly: a leak report
 * alone (LeakSanitizer's exit: 23, or 1 under ASan's default exitcode, or its abort with
 * abort_on_error=1; no DEFECT from the child, no other sanitizer error) plus what marks it:
 * - OpenSSL 3.0's OSSL_LIB_CTX_new() does not free the parts of a library context it had made
 *   when a later part's allocation fails (crypto/context.c, context_init(): the property
 *   string store, its hash tables). The only library context the library makes after
 *   start-up is insecure.c's for the default provider's MD5 (first fipsrt_insecure_md5*
 *   call), so: a point whose failed allocation met an MD5 step.
 * - OpenSSL 3.0's X9.42 KDF in the FIPS provider (providers/implementations/kdfs/x942kdf.c,
 *   x942_encode_otherinfo(), inlined into x942kdf_derive()) allocates the DER OtherInfo
 *   buffer, encodes into it with a WPACKET, and when that encoding fails goes to `err:`,
 *   which cleans the WPACKET but never frees the buffer (read in Debian's 3.0.20 source, the
 *   one the cached provider is built from). The library never runs X9.42 KDF itself; the
 *   provider's self-test KAT does (SELF_TEST_kats, from fipsrt_selftest()): a failed
 *   allocation in the provider's own WPACKET (its "crypto/packet.c", packet.c:354 in
 *   WPACKET_start_sub_packet_len__) during that KAT leaks the KAT's 29-byte OtherInfo (the
 *   module is then in its error state: KNOWN_ERROR_STATE). So: the selftest step, the failure
 *   at the provider's crypto/packet.c, exactly one leaked object of 29 bytes.
 * - OpenSSL 3.0's ossl_property_merge() (crypto/property/property_parse.c) allocates the
 *   merged list for both lists' properties, then shrinks it when they share a name with
 *   `r = OPENSSL_realloc(r, ...)` (line 571 in Debian's 3.0.20 source; the installed 3.0.19
 *   libcrypto names the same line): when that realloc fails the original block is lost. A
 *   method fetch (ossl_method_store_fetch(), property.c) merges its query with the context's
 *   default properties; both are "fips=yes" here (FRT_PROPQ; runtime.c enables FIPS default
 *   properties), so the lost block is 8 + 2 * 24 = 56 bytes. Seen from SSL_CTX_new_ex()'s cipher fetches
 *   (ssl_load_ciphers -> EVP_CIPHER_fetch -> ossl_method_construct -> the EVP store's get
 *   -> ossl_method_store_fetch -> ossl_property_merge); libssl then marks that cipher
 *   unavailable and the call succeeds. So: the failure at property_parse.c:571 (libcrypto's
 *   or the provider's copy), exactly one leaked object of 56 bytes.
 */
static int log_has(const char *log, const char *what)
{
    FILE *f = fopen(log, "r");
    char line[1024];
    int found = 0;
    while (f != NULL && !found && fgets(line, sizeof(line), f) != NULL)
        found = strstr(line, what) != NULL;
    if (f != NULL)
        fclose(f);
    return found;
}

/* The known OpenSSL leak this point showed, or NULL. */
static const char *openssl_leak(const struct report *r, int st, const char *log)
{
    int lsan = (WIFEXITED(st) && (WEXITSTATUS(st) == 23 || WEXITSTATUS(st) == 1)) ||
               (WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
    if (!lsan || r->defects != 0 || !log_has(log, "LeakSanitizer: detected memory leaks") ||
        log_has(log, "ERROR: AddressSanitizer") || log_has(log, "runtime error"))
        return NULL;
    if (strstr(r->call, "md5") != NULL || strstr(r->call, "MD5") != NULL)
        return "a half-made library context (MD5 setup)";
    if (strstr(r->call, "fipsrt_selftest") != NULL && r->fired_file != NULL &&
        strcmp(r->fired_file, "crypto/packet.c") == 0 &&
        log_has(log, "SUMMARY: AddressSanitizer: 29 byte(s) leaked in 1 allocation(s)."))
        return "the X9.42 KDF's OtherInfo buffer (x942kdf.c, self-test KAT)";
    if (r->fired_file != NULL && r->fired_line == 571 &&
        (strcmp(r->fired_file, "../crypto/property/property_parse.c") == 0 ||
         strcmp(r->fired_file, "crypto/property/property_parse.c") == 0) &&
        log_has(log, "SUMMARY: AddressSanitizer: 56 byte(s) leaked in 1 allocation(s)."))
        return "a property list (ossl_property_merge's failed shrinking realloc)";
    return NULL;
}

static void note_fired(const char *file, int line)
{
    rep->fired_file = file;   /* the parent maps the same libraries (fork) */
    rep->fired_line = line;
    rep->hit = 1;
}
static const char *phase = "count";
static const char *seg_name;

static void defect(const char *call, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "DEFECT %s/%s N=%ld line %d: %s: ", seg_name, phase, fail_at, line, call);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    char site[256];
    fprintf(stderr, " [%s] (failed allocation at %s)\n", fipsrt_last_error(),
            site_name(site, sizeof(site), fired_file, fired_line, fired_ret, fired_k));
    rep->defects++;
}

/* Codes an allocation failure may surface as: NOMEM, or the family's code for "the provider
 * or the protocol engine failed" (OpenSSL reports most allocation failures only as a failed
 * call). CLI exits 1/2 are its documented failure statuses. */
static void known(enum known k, const char *call, int line, int rc)
{
    char site[256];
    fprintf(stderr, "KNOWN %s/%s N=%ld line %d: %s: %d: %s [%s] (failed allocation at %s)\n",
            seg_name, phase, fail_at, line, call, rc, known_names[k], fipsrt_last_error(),
            site_name(site, sizeof(site), fired_file, fired_line, fired_ret, fired_k));
    rep->known[k]++;
}

static int fail_closed(int rc)
{
    return rc == FIPSRT_E_MALFORMED || rc == FIPSRT_E_VERIFY_FAILED || rc == FIPSRT_E_TLS_VERIFY ||
           rc == FIPSRT_E_UNSUPPORTED;
}

/* A failure after the injected one (a later call, or the rerun): a known class? */
static int known_after(const char *call, int line, int rc)
{
    const char *d = fipsrt_last_error();
    if ((rc == FIPSRT_E_PROVIDER || rc <= -1000) && (strstr(d, "error state") || strstr(d, "invalid state")))
        known(KNOWN_ERROR_STATE, call, line, rc);
    else if ((rc == FIPSRT_E_MALFORMED && (strstr(d, "DECODER routines::unsupported") ||
                                           strstr(d, "No decoders were found"))) ||
             (rc == FIPSRT_E_PROVIDER && strstr(d, "FIPS internal library context") &&
              strstr(d, "routines::unsupported")))
        known(KNOWN_DECODER_STORE, call, line, rc);
    else if (rc == FIPSRT_E_TLS && strstr(d, "no suitable signature algorithm"))
        known(KNOWN_SIGALG_DISABLED, call, line, rc);
    else if (strcmp(phase, "injected") == 0 && fail_closed(rc))
        known(KNOWN_FAIL_CLOSED, call, line, rc);
    else
        return 0;
    return 1;
}

static int allowed_code(int rc)
{
    switch (rc) {
    case FIPSRT_E_NOMEM:
    case FIPSRT_E_PROVIDER:
    case FIPSRT_E_TLS:
    case -1001:
    case -1002:
        return 1;
    default:
        return 0;
    }
}

void step_begin(void)
{
    step_no++;
    lib_k = 0;
    step_start = counter;
}

int step_end(const char *call, int line, int rc)
{
    int before = fail_at > 0 && step_start >= fail_at;
    int now = fail_at > 0 && !before && counter >= fail_at;
    if (ERR_peek_error() != 0) {
        defect(call, line, "returned %d leaving the OpenSSL error queue non-empty", rc);
        ERR_print_errors_fp(stderr);
    }
    if (now) {
        snprintf(rep->call, sizeof(rep->call), "%s", call);
        rep->fired = 1;
        rep->line = line;
        rep->rc = rc;
    }
    if (rc == 0)
        return 0;
    if (!now) {
        if ((before || strcmp(phase, "next") == 0) && known_after(call, line, rc))
            return 1;
        defect(call, line, "returned %d (%s)", rc,
               before ? "after an earlier call absorbed the injected failure" :
                        fail_at > 0 ? "before the injection" : "no injection");
        return 1;
    }
    if (fail_closed(rc))
        known(KNOWN_FAIL_CLOSED, call, line, rc);
    else if (!allowed_code(rc))
        defect(call, line, "an allocation failure surfaced as %d (%s)", rc, fipsrt_strerror(rc));
    else if (rc > -1000 && fipsrt_last_error_code() != rc)
        defect(call, line, "returned %d but fipsrt_last_error_code() is %d", rc,
               fipsrt_last_error_code());
    return 1;
}

int step_end_new(const char *call, int line, int rc, void **obj)
{
    if (rc == 0 && (*obj == NULL || *obj == &fault_sentinel))
        defect(call, line, "returned 0 without an object");
    if (rc != 0 && *obj != NULL) {
        defect(call, line, "returned %d but handed back %s", rc,
               *obj == &fault_sentinel ? "the caller's old pointer" : "an object");
        *obj = NULL;   /* may leak; the defect is reported */
    }
    return step_end(call, line, rc);
}

/* ---- fixtures -------------------------------------------------------------------------- */

/* The fixture files, written once per job slot: children running side by side must not
 * share the files the CLI segment writes (ec.key, sig, ...). */
#define MAX_JOBS 8
static const char *slot_dir(int slot)
{
    static char dir[300];
    snprintf(dir, sizeof(dir), "%s/slot%d", fault_tmpdir, slot);
    return dir;
}

static void write_file(const char *name, const void *data, size_t len)
{
    char path[512];
    for (int slot = 0; slot < MAX_JOBS; slot++) {
        snprintf(path, sizeof(path), "%s/%s", slot_dir(slot), name);
        FILE *f = fopen(path, "wb");
        if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
            perror(path);
            exit(2);
        }
    }
    snprintf(path, sizeof(path), "%s/%s", fault_tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
}

static void fixtures(void)
{
    fipsrt_key *rsa = NULL;
    uint8_t pem[4096];
    size_t n;
    const char *tmp = getenv("TMPDIR");
    snprintf(fault_tmpdir, sizeof(fault_tmpdir), "%s/fipsrt-faults-XXXXXX", tmp ? tmp : "/tmp");
    if (mkdtemp(fault_tmpdir) == NULL || fipsrt_key_generate_rsa(&rsa, 2048) != 0 ||
        fipsrt_key_export_private(rsa, FIPSRT_KEY_DER, NULL, 0, fault_rsa_der,
                                  sizeof(fault_rsa_der), &fault_rsa_der_len) != 0) {
        fprintf(stderr, "alloc_fail: fixtures: %s\n", fipsrt_last_error());
        exit(2);
    }
    for (int slot = 0; slot < MAX_JOBS; slot++)
        if (mkdir(slot_dir(slot), 0700) != 0) {
            perror(slot_dir(slot));
            exit(2);
        }
    if (fipsrt_key_export_private(rsa, FIPSRT_KEY_PEM, NULL, 0, pem, sizeof(pem), &n) != 0)
        exit(2);
    write_file("rsa.key", pem, n);
    if (fipsrt_key_export_public(rsa, FIPSRT_KEY_PEM, pem, sizeof(pem), &n) != 0)
        exit(2);
    write_file("rsa.pub", pem, n);
    fipsrt_key_free(rsa);
    write_file("data", "some data to hash, sign and seal\n", 33);
    write_file("aead.key", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
               65);
}

static void remove_fixtures(void)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fault_tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "alloc_fail: could not remove %s\n", fault_tmpdir);
}

/* ---- the sweep ------------------------------------------------------------------------- */

/* A crashing child prints its stack (frames in libcrypto / fips.so by symbol) to its log. */
static void on_crash(int sig)
{
    void *frames[48];
    char site[256];
    int n = backtrace(frames, 48);
    dprintf(2, "CRASH signal %d after the failed allocation at %s; stack:\n", sig,
            site_name(site, sizeof(site), fired_file, fired_line, fired_ret, fired_k));
    backtrace_symbols_fd(frames, n, 2);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Start one segment in a child with fail_at = n (0: count only; -1: the --site pin), reporting
 * into reps[slot] and errlogs[slot]. */
static struct report *reps;          /* one per job slot (shared) */
static char errlogs[MAX_JOBS][300];

static pid_t start_child(const struct fault_segment *seg, long n, int slot)
{
    const char *errlog = errlogs[slot];
    rep = &reps[slot];
    memset(rep, 0, sizeof(*rep));
    if (n == 0)
        sites->count = 0;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(2);
    }
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        int err = open(errlog, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (null < 0 || err < 0 || dup2(null, 1) < 0 || dup2(err, 2) < 0)
            _exit(98);
        seg_name = seg->name;
        const char *dir = slot_dir(slot);   /* the segment's files: this slot's own */
        if (strlen(dir) >= sizeof(fault_tmpdir))
            _exit(97);
        memmove(fault_tmpdir, dir, strlen(dir) + 1);
        if (getenv("ASAN_OPTIONS") == NULL) {   /* ASan prints its own */
            signal(SIGSEGV, on_crash);
            signal(SIGBUS, on_crash);
        }
        pin_armed = n < 0;   /* -1: the --site run */
        fail_at = n < 0 ? 0 : n;
        phase = n ? "injected" : "count";
        counter = 0;
        step_no = 0;
        counting = 1;
        int rc = seg->run();
        counting = 0;
        rep->total = counter;
        if (n == 0 && rc != 0)
            rep->defects++;   /* reported by step_end already */
        if (n != 0) {
            /* the next calls, with allocations working again, must all succeed */
            phase = "next";
            fail_at = 0;
            seg->run();
        }
        fflush(NULL);
        exit(rep->defects ? 1 : 0);   /* exit(), so LeakSanitizer and atexit cleanup run */
    }
    return pid;
}

static int wait_child(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return st;
}

static int run_child(const struct fault_segment *seg, long n, int slot)
{
    return wait_child(start_child(seg, n, slot));
}

static void print_log(const char *errlog, int max_lines)
{
    FILE *f = fopen(errlog, "r");
    char line[1024];
    for (int i = 0; f != NULL && i < max_lines && fgets(line, sizeof(line), f) != NULL; i++)
        fputs(line, stderr);
    if (f != NULL)
        fclose(f);
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return x < y ? -1 : x > y;
}

/* --site lib:S#K: fail the library's own K-th allocation in the segment's S-th step.
 * --site FILE:LINE[#K]: fail the K-th (default first) allocation OpenSSL makes at FILE:LINE
 * (FILE as the hooks see it: "crypto/..." in the FIPS provider, "../crypto/..." in libcrypto),
 * independent of allocation counts. */
static int parse_pin(const char *arg)
{
    static char file[256];
    const char *colon = strrchr(arg, ':');
    if (colon == NULL || (size_t)(colon - arg) >= sizeof(file))
        return -1;
    memcpy(file, arg, (size_t)(colon - arg));
    file[colon - arg] = '\0';
    pin_line = atoi(colon + 1);
    const char *hash = strchr(colon, '#');
    pin_k = hash ? atol(hash + 1) : 1;
    pin_file = file;
    return pin_line > 0 && pin_k > 0 ? 0 : -1;
}

/*
 * Regressions: each defect the sweep found, pinned to the allocation site whose failure showed
 * it (the K-th allocation there in the segment), so it is re-checked whatever the allocation
 * counts become. Sites are OpenSSL 3.0's (Debian); a site no longer reached fails the run
 * (re-pin it with --list-sites and --site).
 */
static const struct regression {
    const char *name, *segment, *site;
} regressions[] = {
    /* keys.c wrap(): the RSA key's cached size was 0 (OpenSSL's get_params failed under OOM)
     * and the import was refused as NOT_APPROVED ("RSA key of 0 bits") */
    {"rsa-bits-unread", "rsa", "crypto/stack/stack.c:229#5"},
    /* selftest.c frt_run_kats(): a KAT whose call ran out of memory was reported as a wrong
     * answer, FIPSRT_E_INTERNAL (SHA2-256's digest context, AES-128-GCM's cipher context) */
    {"kat-sha256-nomem", "selftest", "../crypto/evp/digest.c:132#1"},
    {"kat-gcm-nomem", "selftest", "../crypto/evp/evp_enc.c:71#1"},
    /* tls_revocation.c: nstaples was set before the staples array was allocated, so freeing
     * the half-made context walked a NULL array (SIGSEGV) */
    {"tls-staples-crash", "tls_mem", "lib:5#7"},
    /* tls_conn.c: SNI and host-check setters failing for lack of memory were INVALID_ARG */
    {"tls-sni-nomem", "tls_mem", "../ssl/s3_lib.c:3918#1"},
    {"tls-host-nomem", "tls_mem", "../crypto/x509/x509_vpm.c:60#1"},
    /* the first ex_data index made after start-up (libssl's X509_STORE_CTX index, now made at
     * init; then tls_check.c's SSL_CTX index) was a run-once: its failure disabled every later
     * fipsrt_tls_ctx_new() */
    {"tls-ex-index-once", "tls_mem", "../crypto/ex_data.c:172#1"},
    /* tls_conn.c: the fd BIO method was a run-once: its failure disabled fd connections */
    {"tls-fd-method-once", "tls_fd", "../crypto/bio/bio_meth.c:38#1"},
    /* SPEC 1.6: a call that succeeded after OpenSSL absorbed an allocation failure (it retried
     * or skipped an optional step) left that failure on the caller's OpenSSL error queue:
     * key generation (keys.c), key wrapping after import (keys.c wrap), certificate signing
     * (cert.c make_cert), KDFs (kdf.c derive), the self-test's KATs (runtime.c) */
    {"queue-ec-keygen", "ec", "crypto/stack/stack.c:49#1"},
    {"queue-ec-keygen-pct", "ec", "crypto/packet.c:107#1"},
    {"queue-rsa-keygen", "rsa_keygen", "crypto/bn/bn_lib.c:1004#1"},
    {"queue-rsa-import", "rsa", "crypto/stack/stack.c:49#1"},
    {"queue-cert-encoder", "cert", "../crypto/encode_decode/encoder_lib.c:201#1"},
    {"queue-cert-property", "cert", "../crypto/property/property.c:478#1"},
    {"queue-hkdf-mac-fetch", "kdf_rand_md5", "crypto/evp/mac_meth.c:49#1"},
    {"queue-selftest-kat", "selftest", "crypto/core_algorithm.c:197#42"},
    /* OpenSSL's own leaks (openssl_leak()): the pinned point must stay recognised, narrowly
     * (a changed leak, or any other report there, is a DEFECT); clean if OpenSSL fixed it */
    {"known-x942kdf-leak", "selftest", "crypto/packet.c:354#62"},
    {"known-property-merge-leak", "tls_mem", "../crypto/property/property_parse.c:571#1"},
    {NULL, NULL, NULL},
};

static int on_valgrind(void)
{
    const char *p = getenv("LD_PRELOAD");
    return p != NULL && strstr(p, "vgpreload") != NULL;
}

int main(int argc, char **argv)
{
    const char *only_seg = NULL;
    long only_n = 0, samples = 16, seed = 0;
    int full = 0, use_sites = 1, list_sites = 0, run_regressions = 0, show_known = 0, dry = 0;
    /* new (default): each allocation site fails once in the whole sweep, in the first segment
     * reaching it; site: once in every segment reaching it; step: once in every step reaching
     * it; off: the evenly spaced sample only. */
    const char *mode = getenv("FIPSRT_FAULT_SITES");
    int new_sites_only = mode == NULL || strcmp(mode, "new") == 0;
    long jobs = getenv("FIPSRT_FAULT_JOBS") ? atol(getenv("FIPSRT_FAULT_JOBS")) : 2;
    if (mode != NULL && strcmp(mode, "off") == 0)
        use_sites = 0;
    if (mode != NULL && strcmp(mode, "step") == 0)
        per_step = 1;
    if (getenv("FIPSRT_FAULT_SAMPLES"))
        samples = atol(getenv("FIPSRT_FAULT_SAMPLES"));
    if (getenv("FIPSRT_FAULT_SEED"))
        seed = atol(getenv("FIPSRT_FAULT_SEED"));
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--full") == 0)
            full = 1;
        else if (strcmp(argv[i], "--samples") == 0 && i + 1 < argc)
            samples = atol(argv[++i]);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = atol(argv[++i]);
        else if (strcmp(argv[i], "--segment") == 0 && i + 1 < argc)
            only_seg = argv[++i];
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only_n = atol(argv[++i]);
        else if (strcmp(argv[i], "--jobs") == 0 && i + 1 < argc)
            jobs = atol(argv[++i]);
        else if (strcmp(argv[i], "--sites") == 0 && i + 1 < argc) {
            mode = argv[++i];
            new_sites_only = strcmp(mode, "new") == 0;
            use_sites = strcmp(mode, "off") != 0;
            per_step = strcmp(mode, "step") == 0;
        } else if (strcmp(argv[i], "--default-sites") == 0 && i + 1 < argc) {
            /* the mode unless FIPSRT_FAULT_SITES says otherwise (tests/faults/meson.build) */
            const char *d = argv[++i];
            if (getenv("FIPSRT_FAULT_SITES") == NULL) {
                mode = d;
                new_sites_only = strcmp(mode, "new") == 0;
                use_sites = strcmp(mode, "off") != 0;
                per_step = strcmp(mode, "step") == 0;
            }
        } else if (strcmp(argv[i], "--show-known") == 0)
            show_known = 1;
        else if (strcmp(argv[i], "--dry") == 0)
            dry = 1;
        else if (strcmp(argv[i], "--regressions") == 0)
            run_regressions = 1;
        else if (strcmp(argv[i], "--list-sites") == 0)
            list_sites = 1;
        else if (strcmp(argv[i], "--site") == 0 && i + 1 < argc && parse_pin(argv[++i]) == 0)
            ;
        else {
            fprintf(stderr, "usage: %s [--full] [--samples M] [--seed S] [--sites new|site|step|off] "
                            "[--default-sites MODE] [--jobs J] "
                            "[--list-sites] [--show-known] [--dry] [--regressions] [--segment NAME] [--only N] "
                            "[--site FILE:LINE[#K]]\n", argv[0]);
            return 2;
        }
    }
    if (jobs < 1 || jobs > MAX_JOBS)
        jobs = 1;
    if (on_valgrind()) {
        puts("alloc_fail: skipped under valgrind (the ASan run checks leaks)");
        return 77;
    }
    reps = mmap(NULL, sizeof(*reps) * MAX_JOBS, PROT_READ | PROT_WRITE,
                MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    rep = reps;
    sites = mmap(NULL, sizeof(*sites), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (reps == MAP_FAILED || sites == MAP_FAILED || fipsrt_init() != 0)
        return 2;
    fixtures();
    fault_check_target = getenv("FIPSRT_CLI");   /* a binary `fipsrt check` passes */
    for (int j = 0; j < MAX_JOBS; j++)
        snprintf(errlogs[j], sizeof(errlogs[j]), "%s/child%d.err", fault_tmpdir, j);
    const char *errlog = errlogs[0];

    long points = 0, fired = 0, failing = 0, bad = 0, absorbed = 0, known_total[KNOWN_COUNT] = {0};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (const struct regression *r = regressions; run_regressions && r->name != NULL; r++) {
        const struct fault_segment *seg = fault_segments;
        while (seg->name != NULL && strcmp(seg->name, r->segment) != 0)
            seg++;
        if (seg->name == NULL || parse_pin(r->site) != 0)
            return 2;
        int st = run_child(seg, -1, 0);
        int ok = (st == 0 || openssl_leak(rep, st, errlog) != NULL) && rep->hit;
        printf("regression %-20s %s at %s: %s\n", r->name, r->segment, r->site,
               ok ? "ok" : rep->hit ? "DEFECT" : "site not reached (re-pin it)");
        if (!ok) {
            print_log(errlog, 40);
            bad++;
        }
        points++;
        fired += rep->hit != 0;
    }
    for (const struct fault_segment *seg = fault_segments; seg->name != NULL && !run_regressions;
         seg++) {
        if (only_seg != NULL && strcmp(only_seg, seg->name) != 0)
            continue;
        int st = run_child(seg, 0, 0);
        long total = rep->total;
        if (st != 0 || total == 0) {
            fprintf(stderr, "%s: the uninjected run failed (status %#x)\n", seg->name, st);
            print_log(errlog, 40);
            bad++;
            continue;
        }
        long stride = full || samples <= 0 || samples >= total ? 1 : (total + samples - 1) / samples;
        long first = only_n ? only_n : 1 + seed % stride;
        /* the points: every stride-th allocation, and each site's first allocation */
        long nsites = sites->count, npts = 0;
        long *pts = malloc(sizeof(long) * (size_t)(total / stride + 2 + (use_sites ? nsites : 0)));
        if (pts == NULL)
            return 2;
        if (only_n || pin_file != NULL)
            pts[npts++] = pin_file != NULL ? -1 : only_n;
        else {
            for (long n = first; n <= total; n += stride)
                pts[npts++] = n;
            for (long i = 0; use_sites && i < nsites; i++) {
                const struct site *t = &sites->s[i];
                uint64_t key = t->file ? (uint64_t)(uintptr_t)t->file * 131 + (uint64_t)t->line
                                       : (uint64_t)t->ret;
                int fresh = 1;
                if (new_sites_only)   /* failed in an earlier segment already: skip */
                    site_slot(global_seen, key, &fresh);
                if (fresh)
                    pts[npts++] = t->n;
            }
            qsort(pts, (size_t)npts, sizeof(long), cmp_long);
            long k = 0;
            for (long i = 0; i < npts; i++)
                if (k == 0 || pts[k - 1] != pts[i])
                    pts[k++] = pts[i];
            npts = k;
        }
        if (list_sites)
            for (long i = 0; i < nsites; i++) {
                char name[256];
                printf("site %s N=%ld %s\n", seg->name, sites->s[i].n,
                       site_name(name, sizeof(name), sites->s[i].file, sites->s[i].line,
                                 sites->s[i].ret, 0));
            }
        struct timespec s0, s1;
        clock_gettime(CLOCK_MONOTONIC, &s0);
        long seg_points = 0, seg_fired = 0, seg_bad = 0;
        pid_t pids[MAX_JOBS] = {0};
        long slot_n[MAX_JOBS];
        long next = 0, running = 0;
        while (!dry && (next < npts || running > 0)) {
            if (next < npts && running < jobs) {
                int slot = 0;
                while (pids[slot] != 0)
                    slot++;
                slot_n[slot] = pts[next++];
                pids[slot] = start_child(seg, slot_n[slot], slot);
                running++;
                continue;
            }
            int slot = -1;
            pid_t done;
            while ((done = waitpid(-1, &st, 0)) < 0 && errno == EINTR)
                ;
            for (int j = 0; j < jobs; j++)
                if (pids[j] == done)
                    slot = j;
            if (slot < 0)
                continue;
            pids[slot] = 0;
            running--;
            long n = slot_n[slot];
            rep = &reps[slot];
            const char *slot_log = errlogs[slot];
            seg_points++;
            seg_fired += rep->fired;
            for (int k = 0; k < KNOWN_COUNT; k++)
                known_total[k] += rep->known[k] > 0;
            if (rep->fired && rep->rc != 0)
                failing++;
            if (rep->fired && rep->rc == 0)
                absorbed++;
            int any_known = 0;
            const char *leak;
            for (int k = 0; k < KNOWN_COUNT; k++)
                any_known |= rep->known[k] > 0;
            if (show_known && st == 0 && any_known)
                print_log(slot_log, 60);
            if (st != 0 && openssl_crash(rep) && rep->defects == 0) {
                fprintf(stderr, "KNOWN %s N=%ld: OpenSSL's FIPS module crashed (status %#x) after "
                                "its allocation at %s failed\n", seg->name, n, st,
                        rep->fired_file);
                openssl_crashes++;
            } else if ((leak = openssl_leak(rep, st, slot_log)) != NULL) {
                fprintf(stderr, "KNOWN %s N=%ld: OpenSSL leaked %s, allocation at %s failed\n",
                        seg->name, n, leak, rep->fired_file ? rep->fired_file : "the library");
                openssl_leaks++;
            } else if (st != 0) {
                seg_bad++;
                if (WIFSIGNALED(st))
                    fprintf(stderr, "DEFECT %s N=%ld: child killed by signal %d\n", seg->name, n,
                            WTERMSIG(st));
                else if (WEXITSTATUS(st) != 1 || rep->defects == 0)   /* ASan's exitcode is 1 */
                    fprintf(stderr, "DEFECT %s N=%ld: child exit status %d (leak or sanitizer "
                                    "report below)\n", seg->name, n, WEXITSTATUS(st));
                print_log(slot_log, 60);
            }
        }
        if (dry)
            seg_points = npts;   /* planned */
        free(pts);
        clock_gettime(CLOCK_MONOTONIC, &s1);
        if (pin_file != NULL && !rep->hit) {
            fprintf(stderr, "%s: the pinned site %s:%d #%ld was not reached\n", seg->name,
                    pin_file, pin_line, pin_k);
            seg_bad++;
        }
        printf("%-13s %6ld allocations, %4ld sites, %5ld injected (stride %ld), %5ld reached, "
               "%ld failing, %.1f s\n", seg->name, total, nsites, seg_points, stride, seg_fired,
               seg_bad, (double)(s1.tv_sec - s0.tv_sec) + (double)(s1.tv_nsec - s0.tv_nsec) / 1e9);
        fflush(stdout);
        points += seg_points;
        fired += seg_fired;
        bad += seg_bad;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("alloc_fail: %ld injection points, %ld reached (%ld made a call fail, %ld absorbed), "
           "%ld with defects, %.1f s (seed %ld)\n", points, fired, failing, absorbed, bad,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, seed);
    printf("alloc_fail: known (not failing): OpenSSL leaks (MD5 library context, X9.42 KDF, "
           "property merge) at %ld "
           "injection points\n", openssl_leaks);
    printf("alloc_fail: known (not failing): OpenSSL FIPS module crash (initthread.c, sskdf.c) at %ld "
           "injection points\n", openssl_crashes);
    for (int k = 0; k < KNOWN_COUNT; k++)
        printf("alloc_fail: known (not failing): %s at %ld injection points\n", known_names[k],
               known_total[k]);
    remove_fixtures();
    return bad ? 1 : 0;
}
