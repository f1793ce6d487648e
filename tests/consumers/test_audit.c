/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `fipsrt check`: the CLI on real binaries (dynamic and static libfipsrt, stripped, a direct
 * EVP_md5 user, a libgcrypt user, truncated and non-ELF files), and the ELF reader in-process
 * on synthetic ELF32/ELF64 files of both byte orders and on truncated and mutated binaries
 * (so ASan and valgrind watch the parser itself, not just a child process).
 */
#include <dirent.h>
#include <elf.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"
#include "../../tools/elfaudit.h"

static const char *env_path(const char *name)
{
    const char *p = getenv(name);
    ck_assert_msg(p != NULL && *p != '\0', "%s not set (run through meson test)", name);
    return p;
}

/* Run `fipsrt check [--json] FILE`, returning its exit status in r. */
static void check(const char *file, bool json, proc_result *r)
{
    char *argv[] = {(char *)env_path("FIPSRT_CLI"), "check", json ? "--json" : (char *)file,
                    json ? (char *)file : NULL, NULL};
    run_process(argv, NULL, NULL, r);
    ck_assert_msg(r->exited, "fipsrt check %s died of signal %d\n%s", file, r->signal, r->err);
}

#define ck_assert_contains(hay, needle)                                                     \
    ck_assert_msg(strstr((hay), (needle)) != NULL, "no \"%s\" in:\n%s", (needle), (hay))

START_TEST(test_dynamic_clean)
{
    proc_result r;
    check(env_path("FIXTURE_DYNAMIC"), false, &r);
    ck_assert_msg(r.status == 0, "status %d\n%s", r.status, r.out);
    ck_assert_contains(r.out, "libfipsrt:  dynamic (DT_NEEDED libfipsrt.so.1)");
    ck_assert_contains(r.out, "result: ok, crypto only through libfipsrt");
    ck_assert_ptr_null(strstr(r.out, "FINDING"));
}
END_TEST

/* The project's own examples (every executable in the build's examples/ directory) route
 * their crypto only through libfipsrt. */
START_TEST(test_examples_clean)
{
    const char *dir = env_path("FIPSRT_EXAMPLES_DIR");
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot open %s", dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char path[2048];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || !(st.st_mode & S_IXUSR))
            continue;
        proc_result r;
        check(path, false, &r);
        ck_assert_msg(r.status == 0, "%s has findings:\n%s", path, r.out);
        ck_assert_contains(r.out, "libfipsrt:  dynamic (DT_NEEDED libfipsrt.so.1)");
        n++;
    }
    closedir(d);
    printf("examples: %d checked, all clean\n", n);
}
END_TEST

START_TEST(test_static_clean)
{
    proc_result r;
    check(env_path("FIXTURE_STATIC"), false, &r);
    ck_assert_msg(r.status == 0, "status %d\n%s", r.status, r.out);
    ck_assert_contains(r.out, "libfipsrt:  static (embedded runtime " FIPSRT_VERSION_STRING ")");
    ck_assert_ptr_null(strstr(r.out, "DT_NEEDED libfipsrt"));
    ck_assert_contains(r.out, "made by the embedded libfipsrt itself");
    check(env_path("FIXTURE_STATIC"), true, &r);
    ck_assert_int_eq(r.status, 0);
    ck_assert_contains(r.out, "\"static\": true, \"static_version\": \"" FIPSRT_VERSION_STRING "\"");
    ck_assert_contains(r.out, "\"by_libfipsrt\": true");
    ck_assert_ptr_null(strstr(r.out, "\"by_libfipsrt\": false"));
}
END_TEST

/* The static runtime works, and its constructor still forces FIPS mode (and panics under a
 * tampered provider) before main(): static linking must not lose it. */
START_TEST(test_static_runs_and_panics)
{
    proc_result r;
    char *argv[] = {(char *)env_path("FIXTURE_STATIC"), NULL};
    run_process(argv, NULL, NULL, &r);
    ck_assert_msg(r.exited && r.status == 0, "static consumer failed: %s", r.err);
    ck_assert_contains(r.out, "sha256(abc) = ba7816bf8f01cfea414140de5dae2223");

    /* Tampered fipsmodule.cnf: swap digits 8 and 9 (its MAC no longer matches). */
    const char *conf = env_path("OPENSSL_CONF");
    char *text = slurp(conf, NULL);
    char *inc = strstr(text, ".include");
    ck_assert_ptr_nonnull(inc);
    inc += strlen(".include");
    inc += strspn(inc, " =");
    char modcnf[1024], path[1200], envc[1300];
    snprintf(modcnf, sizeof(modcnf), "%.*s", (int)strcspn(inc, "\r\n"), inc);
    size_t len;
    char *mod = slurp(modcnf, &len);
    for (size_t i = 0; i < len; i++)
        mod[i] = mod[i] == '8' ? '9' : mod[i] == '9' ? '8' : mod[i];
    char *dir = make_temp_dir();
    snprintf(path, sizeof(path), "%s/fipsmodule.cnf", dir);
    write_file(path, mod, len);
    snprintf(path, sizeof(path), "%s/openssl.cnf", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "%.*s%s/fipsmodule.cnf%s", (int)(inc - text), text, dir, inc + strlen(modcnf));
    fclose(f);
    snprintf(envc, sizeof(envc), "OPENSSL_CONF=%s", path);
    const char *env[] = {envc, NULL};
    run_process(argv, env, NULL, &r);
    ck_assert_msg(r.signal == SIGABRT, "expected SIGABRT, got exited=%d status=%d\n%s",
                  r.exited, r.status, r.err);
    ck_assert_contains(r.err, "panic: fipsrt: can't enable FIPS mode for ");
    ck_assert_msg(strstr(r.out, "main() reached") == NULL, "main() ran before the panic");
    rm_rf(dir);
    free(dir);
    free(mod);
    free(text);
}
END_TEST

/* Stripped (no .symtab) and section-less (sstrip-like: e_shoff = 0) copies of the static
 * consumer are still recognised: the marker is found in .rodata / the read-only segment. */
START_TEST(test_static_stripped)
{
    char *dir = make_temp_dir();
    char stripped[1100], nosect[1100];
    snprintf(stripped, sizeof(stripped), "%s/stripped", dir);
    snprintf(nosect, sizeof(nosect), "%s/nosections", dir);
    proc_result r;
    char *argv[] = {"/usr/bin/strip", "-o", stripped, (char *)env_path("FIXTURE_STATIC"), NULL};
    run_process(argv, NULL, NULL, &r);
    ck_assert_msg(r.exited && r.status == 0, "strip failed: %s", r.err);
    check(stripped, false, &r);
    ck_assert_msg(r.status == 0, "status %d\n%s", r.status, r.out);
    ck_assert_contains(r.out, "static (embedded runtime " FIPSRT_VERSION_STRING ")");

    size_t len;
    uint8_t *elf = (uint8_t *)slurp(stripped, &len);
    ck_assert_uint_ge(len, sizeof(Elf64_Ehdr));
    ck_assert_int_eq(elf[EI_CLASS], ELFCLASS64);
    Elf64_Ehdr eh;
    memcpy(&eh, elf, sizeof(eh));
    eh.e_shoff = 0;
    eh.e_shnum = 0;
    eh.e_shstrndx = 0;
    memcpy(elf, &eh, sizeof(eh));
    write_file(nosect, elf, len);
    check(nosect, true, &r);
    ck_assert_msg(r.status == 0, "status %d\n%s", r.status, r.out);
    ck_assert_contains(r.out, "\"sections\": false");
    ck_assert_contains(r.out, "\"static\": true");
    ck_assert_contains(r.out, "\"symbol\": \"EVP_MD_fetch\", \"library\": \"libcrypto.so.3\"");
    free(elf);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(test_evp_md5_finding)
{
    proc_result r;
    check(env_path("FIXTURE_EVP_MD5"), false, &r);
    ck_assert_msg(r.status == 1, "status %d\n%s", r.status, r.out);
    ck_assert_contains(r.out, "libfipsrt:  dynamic");
    ck_assert_contains(r.out, "FINDING: imports crypto entry point EVP_md5 from libcrypto.so.3");
    ck_assert_contains(r.out, "result: ");
    check(env_path("FIXTURE_EVP_MD5"), true, &r);
    ck_assert_int_eq(r.status, 1);
    ck_assert_contains(r.out, "{\"symbol\": \"EVP_md5\", \"library\": \"libcrypto.so.3\", "
                              "\"version\": \"OPENSSL_3.0.0\", \"kind\": \"openssl-direct\", "
                              "\"by_libfipsrt\": false}");
    ck_assert_contains(r.out, "\"route\": \"libfipsrt\"");
    ck_assert_contains(r.out, "\"status\": \"findings\"");
}
END_TEST

/* libcrypto.a linked into a binary that also links libfipsrt: nothing is imported, so only
 * the embedded OpenSSL's own read-only data (its source file names) gives it away. */
START_TEST(test_embedded_libcrypto_finding)
{
    const char *p = getenv("FIXTURE_EMBEDS_LIBCRYPTO");
    if (p == NULL || *p == '\0') {
        printf("skipped: no static libcrypto.a found at configure time\n");
        return;
    }
    proc_result r;
    check(p, false, &r);
    ck_assert_msg(r.status == 1, "status %d\n%s", r.status, r.out);
    ck_assert_contains(r.out, "libfipsrt:  dynamic");
    ck_assert_contains(r.out, "FINDING: contains a static copy of OpenSSL");
    ck_assert_ptr_null(strstr(r.out, "EVP_md5"));  /* not an import: proves the data scan */
    check(p, true, &r);
    ck_assert_int_eq(r.status, 1);
    ck_assert_contains(r.out, "\"embedded_openssl\": \"");
    /* Neither a static libfipsrt nor libfipsrt itself carries OpenSSL's code. */
    check(env_path("FIXTURE_STATIC"), true, &r);
    ck_assert_contains(r.out, "\"embedded_openssl\": null");
    check(env_path("FIPSRT_LIBRARY"), true, &r);
    ck_assert_contains(r.out, "\"embedded_openssl\": null");
}
END_TEST

START_TEST(test_gcrypt_finding)
{
    const char *p = getenv("FIXTURE_GCRYPT");
    if (p == NULL || *p == '\0') {
        printf("skipped: libgcrypt development files not found at configure time\n");
        return;
    }
    proc_result r;
    check(p, false, &r);
    ck_assert_msg(r.status == 1, "status %d\n%s", r.status, r.out);
    ck_assert_contains(r.out, "FINDING: links libgcrypt.so.20 (libgcrypt)");
    ck_assert_contains(r.out, "FINDING: imports gcry_check_version from libgcrypt.so.20");
}
END_TEST

START_TEST(test_unreadable_inputs)
{
    char *dir = make_temp_dir();
    char path[1100];
    proc_result r;
    size_t len;
    char *elf = slurp(env_path("FIXTURE_DYNAMIC"), &len);
    /* Truncated: only the ELF header (tables beyond the end), and half the file. */
    const size_t cuts[] = {64, 100, len / 2, len - 1};
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        snprintf(path, sizeof(path), "%s/truncated-%zu", dir, cuts[i]);
        write_file(path, elf, cuts[i]);
        check(path, false, &r);
        ck_assert_msg(r.status == 2, "cut at %zu: status %d\n%s", cuts[i], r.status, r.out);
        ck_assert_contains(r.out, "malformed ELF file");
    }
    snprintf(path, sizeof(path), "%s/text", dir);
    write_file(path, "#!/bin/sh\necho hello\n", 21);
    check(path, false, &r);
    ck_assert_int_eq(r.status, 2);
    ck_assert_contains(r.out, "not an ELF file");
    snprintf(path, sizeof(path), "%s/empty", dir);
    write_file(path, "", 0);
    check(path, false, &r);
    ck_assert_int_eq(r.status, 2);
    /* A directory is walked: its truncated ELF files are errors, the text and empty files
     * are skipped quietly (only a file named on the command line must be ELF). */
    check(dir, false, &r);
    ck_assert_int_eq(r.status, 2);
    ck_assert_contains(r.out, "truncated-64: error: malformed ELF file");
    ck_assert_contains(r.out, "4 ELF file(s)");
    ck_assert_contains(r.out, "4 unreadable");
    ck_assert_ptr_null(strstr(r.out, "not an ELF file"));
    snprintf(path, sizeof(path), "%s/missing", dir);
    check(path, true, &r);
    ck_assert_int_eq(r.status, 2);
    ck_assert_contains(r.out, "\"status\": \"error\"");
    ck_assert_contains(r.out, "No such file or directory");
    /* Several files: the exit status is the worst one. */
    char *argv[] = {(char *)env_path("FIPSRT_CLI"), "check", (char *)env_path("FIXTURE_DYNAMIC"),
                    (char *)env_path("FIXTURE_EVP_MD5"), NULL};
    run_process(argv, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 1);
    char *usage[] = {(char *)env_path("FIPSRT_CLI"), "check", NULL};
    run_process(usage, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 2);
    free(elf);
    rm_rf(dir);
    free(dir);
}
END_TEST


/* Issue 9 §3: SSL_CTX_set1_groups_list() on the escape hatch is SSL_CTX_ctrl in the import
 * table. Before, that import matched no crypto entry point: "result: ok" and exit 0. */
START_TEST(test_tls_policy_widening)
{
    proc_result r;
    check(env_path("FIXTURE_WIDENS_TLS"), false, &r);
    ck_assert_msg(r.status == 1, "status %d\n%s", r.status, r.out);
    ck_assert_contains(r.out, "libfipsrt:  dynamic (DT_NEEDED libfipsrt.so.1)");
    ck_assert_contains(r.out, "FINDING: imports SSL_CTX_ctrl from libssl.so.3: it can change "
                              "the TLS policy");
    ck_assert_contains(r.out, "[tls-policy]");
    check(env_path("FIXTURE_WIDENS_TLS"), true, &r);
    ck_assert_int_eq(r.status, 1);
    ck_assert_contains(r.out, "{\"symbol\": \"SSL_CTX_ctrl\", \"library\": \"libssl.so.3\", "
                              "\"version\": \"OPENSSL_3.0.0\", \"kind\": \"tls-policy\"");
    ck_assert_contains(r.out, "{\"kind\": \"tls-policy\", \"message\": \"imports SSL_CTX_ctrl");
    /* Allowing direct OpenSSL use as a route does not allow a policy change. */
    char *argv[] = {(char *)env_path("FIPSRT_CLI"), "check", "--allow-route", "openssl-direct",
                    (char *)env_path("FIXTURE_WIDENS_TLS"), NULL};
    run_process(argv, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 1);
    ck_assert_contains(r.out, "[tls-policy]");
}
END_TEST

/* No crypto at all is clean (before: "does not link libfipsrt" was a finding). */
START_TEST(test_no_crypto_clean)
{
    proc_result r;
    check(env_path("FIXTURE_NO_CRYPTO"), false, &r);
    ck_assert_msg(r.status == 0, "status %d\n%s", r.status, r.out);
    ck_assert_contains(r.out, "route:      none");
    ck_assert_contains(r.out, "result: ok, no cryptography");
    check(env_path("FIXTURE_NO_CRYPTO"), true, &r);
    ck_assert_contains(r.out, "\"route\": \"none\", \"route_allowed\": true");
    /* The policy is the user's: deny "none" and it is a finding of its own kind. */
    char *argv[] = {(char *)env_path("FIPSRT_CLI"), "check", "--deny-route", "none",
                    (char *)env_path("FIXTURE_NO_CRYPTO"), NULL};
    run_process(argv, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 1);
    ck_assert_contains(r.out, "[route-not-allowed]");
}
END_TEST

START_TEST(test_dlopen_libcrypto)
{
    proc_result r;
    check(env_path("FIXTURE_DLOPEN"), false, &r);
    ck_assert_msg(r.status == 1, "status %d\n%s", r.status, r.out);
    ck_assert_contains(r.out, "route:      openssl-dlopen (NOT ALLOWED)");
    ck_assert_contains(r.out, "[openssl-dlopen]");
    char *argv[] = {(char *)env_path("FIPSRT_CLI"), "check", "--allow-route",
                    "openssl-dlopen,openssl-direct", (char *)env_path("FIXTURE_DLOPEN"),
                    (char *)env_path("FIXTURE_EVP_MD5"), NULL};
    run_process(argv, NULL, NULL, &r);
    ck_assert_msg(r.status == 0, "status %d\n%s", r.status, r.out);
    ck_assert_contains(r.out, "note: allowed by the policy (route openssl-dlopen)");
    char *bad[] = {(char *)env_path("FIPSRT_CLI"), "check", "--allow-route", "nonsense",
                   (char *)env_path("FIXTURE_DLOPEN"), NULL};
    run_process(bad, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 2);
    ck_assert_contains(r.err, "unknown route \"nonsense\"");
}
END_TEST

/* ---- synthetic ELF files: both classes and byte orders -------------------------------- */

struct w {
    uint8_t *p;
    bool be, is64;
};

static void put(const struct w *w, size_t off, size_t n, uint64_t v)
{
    for (size_t i = 0; i < n; i++)
        w->p[off + (w->be ? n - 1 - i : i)] = (uint8_t)(v >> (8 * i));
}

#define PUT(w, base, T, f, v)                                                                \
    put((w), (base) + ((w)->is64 ? offsetof(Elf64_##T, f) : offsetof(Elf32_##T, f)),         \
        (w)->is64 ? sizeof(((Elf64_##T *)0)->f) : sizeof(((Elf32_##T *)0)->f), (v))
#define SZ(w, T) ((w)->is64 ? sizeof(Elf64_##T) : sizeof(Elf32_##T))

enum { STR = 0x200, SYM = 0x300, HASH = 0x380, VERSYM = 0x3a0, VERNEED = 0x3c0, DYN = 0x400,
       RODATA = 0x600, SHDRS = 0x800, ELF_SIZE = 0xa00 };
static const char strtab[] = "\0libfipsrt.so.1\0libgcrypt.so.20\0libcrypto.so.3\0OPENSSL_3.0.0"
                             "\0EVP_md5\0gcry_check_version";
enum { S_FIPSRT = 1, S_GCRYPT = 16, S_CRYPTO = 32, S_VER = 47, S_MD5 = 61, S_GCRY = 69 };

/* An ELF shared object needing libfipsrt.so.1 and libgcrypt.so.20, importing EVP_md5
 * (version OPENSSL_3.0.0 of libcrypto.so.3) and gcry_check_version (unversioned), with the
 * static-runtime marker in .rodata. */
static uint8_t *synthetic_elf(bool is64, bool be)
{
    uint8_t *p = calloc(1, ELF_SIZE);
    ck_assert_ptr_nonnull(p);
    struct w w = {p, be, is64};
    memcpy(p, ELFMAG, SELFMAG);
    p[EI_CLASS] = is64 ? ELFCLASS64 : ELFCLASS32;
    p[EI_DATA] = be ? ELFDATA2MSB : ELFDATA2LSB;
    p[EI_VERSION] = EV_CURRENT;
    PUT(&w, 0, Ehdr, e_type, ET_DYN);
    PUT(&w, 0, Ehdr, e_machine, be ? EM_PPC64 : EM_X86_64);
    PUT(&w, 0, Ehdr, e_version, EV_CURRENT);
    PUT(&w, 0, Ehdr, e_ehsize, SZ(&w, Ehdr));
    PUT(&w, 0, Ehdr, e_phoff, 64);
    PUT(&w, 0, Ehdr, e_phentsize, SZ(&w, Phdr));
    PUT(&w, 0, Ehdr, e_phnum, 2);
    PUT(&w, 0, Ehdr, e_shoff, SHDRS);
    PUT(&w, 0, Ehdr, e_shentsize, SZ(&w, Shdr));
    PUT(&w, 0, Ehdr, e_shnum, 8);

    /* One read-only PT_LOAD mapping the file at address 0, and PT_DYNAMIC. */
    size_t ph = 64;
    PUT(&w, ph, Phdr, p_type, PT_LOAD);
    PUT(&w, ph, Phdr, p_flags, PF_R);
    PUT(&w, ph, Phdr, p_filesz, SHDRS);  /* everything but the section headers */
    PUT(&w, ph, Phdr, p_memsz, SHDRS);
    ph += SZ(&w, Phdr);
    PUT(&w, ph, Phdr, p_type, PT_DYNAMIC);
    PUT(&w, ph, Phdr, p_offset, DYN);
    PUT(&w, ph, Phdr, p_vaddr, DYN);
    PUT(&w, ph, Phdr, p_filesz, 11 * SZ(&w, Dyn));

    memcpy(p + STR, strtab, sizeof(strtab));
    size_t sym = SYM + SZ(&w, Sym);  /* entry 0 stays the null symbol */
    PUT(&w, sym, Sym, st_name, S_MD5);
    PUT(&w, sym, Sym, st_info, ELF64_ST_INFO(STB_GLOBAL, STT_FUNC));
    sym += SZ(&w, Sym);
    PUT(&w, sym, Sym, st_name, S_GCRY);
    PUT(&w, sym, Sym, st_info, ELF64_ST_INFO(STB_GLOBAL, STT_FUNC));
    put(&w, HASH, 4, 1);      /* nbucket */
    put(&w, HASH + 4, 4, 3);  /* nchain = number of symbols */
    put(&w, VERSYM + 2, 2, 2);
    put(&w, VERSYM + 4, 2, 1);
    PUT(&w, VERNEED, Verneed, vn_version, 1);
    PUT(&w, VERNEED, Verneed, vn_cnt, 1);
    PUT(&w, VERNEED, Verneed, vn_file, S_CRYPTO);
    PUT(&w, VERNEED, Verneed, vn_aux, sizeof(Elf64_Verneed));
    PUT(&w, VERNEED + 16, Vernaux, vna_other, 2);
    PUT(&w, VERNEED + 16, Vernaux, vna_name, S_VER);

    const uint64_t dyn[][2] = {
        {DT_NEEDED, S_FIPSRT}, {DT_NEEDED, S_GCRYPT}, {DT_STRTAB, STR},
        {DT_STRSZ, sizeof(strtab)}, {DT_SYMTAB, SYM}, {DT_SYMENT, SZ(&w, Sym)},
        {DT_HASH, HASH}, {DT_VERSYM, VERSYM}, {DT_VERNEED, VERNEED}, {DT_VERNEEDNUM, 1},
        {DT_NULL, 0},
    };
    for (size_t i = 0; i < sizeof(dyn) / sizeof(dyn[0]); i++) {
        PUT(&w, DYN + i * SZ(&w, Dyn), Dyn, d_tag, dyn[i][0]);
        PUT(&w, DYN + i * SZ(&w, Dyn), Dyn, d_un, dyn[i][1]);
    }
    strcpy((char *)p + RODATA, "junk@(#)libfip@(#)libfipsrt 9.8.7 forced-FIPS runtime");

    const struct {
        uint64_t type, flags, off, size, link, info, entsize;
    } sh[8] = {
        {SHT_NULL, 0, 0, 0, 0, 0, 0},
        {SHT_STRTAB, SHF_ALLOC, STR, sizeof(strtab), 0, 0, 0},
        {SHT_DYNSYM, SHF_ALLOC, SYM, 3 * SZ(&w, Sym), 1, 1, SZ(&w, Sym)},
        {SHT_HASH, SHF_ALLOC, HASH, 20, 2, 0, 4},
        {SHT_GNU_versym, SHF_ALLOC, VERSYM, 6, 2, 0, 2},
        {SHT_GNU_verneed, SHF_ALLOC, VERNEED, 32, 1, 1, 0},
        {SHT_DYNAMIC, SHF_ALLOC | SHF_WRITE, DYN, 11 * SZ(&w, Dyn), 1, 0, SZ(&w, Dyn)},
        {SHT_PROGBITS, SHF_ALLOC, RODATA, 64, 0, 0, 0},
    };
    for (size_t i = 0; i < 8; i++) {
        size_t o = SHDRS + i * SZ(&w, Shdr);
        PUT(&w, o, Shdr, sh_type, sh[i].type);
        PUT(&w, o, Shdr, sh_flags, sh[i].flags);
        PUT(&w, o, Shdr, sh_addr, sh[i].off);
        PUT(&w, o, Shdr, sh_offset, sh[i].off);
        PUT(&w, o, Shdr, sh_size, sh[i].size);
        PUT(&w, o, Shdr, sh_link, sh[i].link);
        PUT(&w, o, Shdr, sh_info, sh[i].info);
        PUT(&w, o, Shdr, sh_entsize, sh[i].entsize);
    }
    return p;
}

static void assert_synthetic(const uint8_t *p, size_t len, bool is64, bool be, bool sections)
{
    struct elfaudit a;
    int rv = elfaudit_parse(p, len, &a);
    ck_assert_msg(rv == ELFAUDIT_OK, "ELF%d %s sections=%d: %s", is64 ? 64 : 32,
                  be ? "BE" : "LE", sections, elfaudit_strerror(rv));
    ck_assert_int_eq(a.elf_class, is64 ? 64 : 32);
    ck_assert(a.big_endian == be);
    ck_assert_uint_eq(a.type, ET_DYN);
    ck_assert(a.has_sections == sections);
    ck_assert(a.has_dynamic);
    ck_assert_uint_eq(a.n_needed, 2);
    ck_assert_str_eq(a.needed[0], "libfipsrt.so.1");
    ck_assert_str_eq(a.needed[1], "libgcrypt.so.20");
    ck_assert_uint_eq(a.n_imports, 2);
    ck_assert_str_eq(a.imports[0].name, "EVP_md5");
    ck_assert_pstr_eq(a.imports[0].library, "libcrypto.so.3");
    ck_assert_pstr_eq(a.imports[0].version, "OPENSSL_3.0.0");
    ck_assert_str_eq(a.imports[1].name, "gcry_check_version");
    ck_assert_ptr_null(a.imports[1].library);
    ck_assert(a.marker);
    ck_assert_str_eq(a.marker_version, "9.8.7");
    elfaudit_free(&a);
    elfaudit_free(&a);  /* idempotent */
}

START_TEST(test_synthetic_classes_and_byte_orders)
{
    for (int is64 = 0; is64 <= 1; is64++) {
        for (int be = 0; be <= 1; be++) {
            uint8_t *p = synthetic_elf(is64, be);
            assert_synthetic(p, ELF_SIZE, is64, be, true);
            /* Without section headers: program headers and dynamic tags (DT_HASH count). */
            struct w w = {p, be, is64};
            PUT(&w, 0, Ehdr, e_shoff, 0);
            PUT(&w, 0, Ehdr, e_shnum, 0);
            assert_synthetic(p, SHDRS, is64, be, false);
            /* Every truncation of either form fails cleanly (or parses what is there). */
            for (size_t n = 0; n < SHDRS; n++) {
                struct elfaudit a;
                int rv = elfaudit_parse(p, n, &a);
                ck_assert_msg(rv == ELFAUDIT_NOT_ELF || rv == ELFAUDIT_MALFORMED,
                              "truncated to %zu: %d", n, rv);
                elfaudit_free(&a);
            }
            free(p);
        }
    }
}
END_TEST

START_TEST(test_not_elf)
{
    struct elfaudit a;
    ck_assert_int_eq(elfaudit_parse(NULL, 0, &a), ELFAUDIT_NOT_ELF);
    ck_assert_int_eq(elfaudit_parse((const uint8_t *)"hello", 5, &a), ELFAUDIT_NOT_ELF);
    uint8_t p[64] = {0x7f, 'E', 'L', 'F', 3 /* bad class */, 1};
    ck_assert_int_eq(elfaudit_parse(p, sizeof(p), &a), ELFAUDIT_NOT_ELF);
    p[EI_CLASS] = ELFCLASS64;
    p[EI_DATA] = 7;  /* bad byte order */
    ck_assert_int_eq(elfaudit_parse(p, sizeof(p), &a), ELFAUDIT_NOT_ELF);
    p[EI_DATA] = ELFDATA2LSB;
    ck_assert_int_eq(elfaudit_parse(p, 40, &a), ELFAUDIT_MALFORMED);  /* header cut short */
    ck_assert_int_eq(elfaudit_parse(p, sizeof(p), &a), ELFAUDIT_OK);  /* empty but valid */
    ck_assert_uint_eq(a.n_needed + a.n_imports, 0);
    elfaudit_free(&a);
}
END_TEST

static bool running_on_valgrind(void)
{
    const char *p = getenv("LD_PRELOAD");
    return p != NULL && strstr(p, "vgpreload") != NULL;
}

/* Deterministic mutations of a real binary and of the synthetic ones: the parser must
 * return one of its statuses without touching memory outside the buffer (ASan/valgrind). */
START_TEST(test_mutations_never_crash)
{
    size_t len;
    uint8_t *orig = (uint8_t *)slurp(env_path("FIXTURE_DYNAMIC"), &len);
    uint8_t *buf = malloc(len);
    ck_assert_ptr_nonnull(buf);
    uint64_t x = 0x9e3779b97f4a7c15u;
    int rounds = running_on_valgrind() ? 200 : 3000, counts[4] = {0};
    for (int i = 0; i < rounds; i++) {
        memcpy(buf, orig, len);
        int flips = 1 + (int)(x % 8);
        for (int k = 0; k < flips; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            /* Half the flips hit the headers and tables near the start, where they matter. */
            size_t at = (x >> 8) % (k % 2 ? len : (len < 4096 ? len : 4096));
            buf[at] = (uint8_t)(x >> 32);
        }
        struct elfaudit a;
        int rv = elfaudit_parse(buf, len, &a);
        ck_assert_msg(rv <= 0 && rv >= ELFAUDIT_NOMEM, "round %d: status %d", i, rv);
        counts[-rv]++;
        elfaudit_free(&a);
    }
    for (int is64 = 0; is64 <= 1; is64++) {
        uint8_t *p = synthetic_elf(is64, is64);
        for (int i = 0; i < rounds; i++) {
            uint8_t *q = malloc(ELF_SIZE);
            memcpy(q, p, ELF_SIZE);
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            q[(x >> 8) % ELF_SIZE] = (uint8_t)(x >> 40);
            q[(x >> 24) % ELF_SIZE] = (uint8_t)(x >> 48);
            struct elfaudit a;
            int rv = elfaudit_parse(q, ELF_SIZE, &a);
            ck_assert(rv <= 0 && rv >= ELFAUDIT_NOMEM);
            counts[-rv]++;
            elfaudit_free(&a);
            free(q);
        }
        free(p);
    }
    printf("mutations: %d parsed, %d not ELF, %d malformed\n", counts[0], counts[1], counts[2]);
    free(buf);
    free(orig);
}
END_TEST


/* ---- Go build info (tools/goinfo.c) ---------------------------------------------------- */

static const char modtext[] = "path\texample.com/app\nmod\texample.com/app\t(devel)\t\n"
                              "dep\tgolang.org/x/crypto\tv0.1.0\th1:x\n"
                              "build\tCGO_ENABLED=1\nbuild\tGOEXPERIMENT=boringcrypto\n"
                              "build\t-tags=a,b\nbuild\tDefaultGODEBUG=fips140=on\n";

/* An inline (Go >= 1.18) blob: header, uvarint+version, uvarint+module info; @p framed puts
 * the 16-byte sentinels around the module info as Go does. Returns its length. */
static size_t inline_blob(uint8_t *b, const char *version, bool framed)
{
    memset(b, 0, 32);
    memcpy(b, GOINFO_MAGIC, GOINFO_MAGIC_LEN);
    b[14] = 8;
    b[15] = 0x2;
    size_t n = 32, vl = strlen(version), ml = strlen(modtext) + (framed ? 32 : 0);
    b[n++] = (uint8_t)vl;
    memcpy(b + n, version, vl);
    n += vl;
    b[n++] = (uint8_t)(0x80 | (ml & 0x7f));  /* two-byte uvarint: ml > 127 */
    b[n++] = (uint8_t)(ml >> 7);
    if (framed)
        memset(b + n, 0xaa, 16), n += 16;
    memcpy(b + n, modtext, strlen(modtext));
    n += strlen(modtext);
    if (framed)
        memset(b + n, 0xbb, 16), n += 16;
    return n;
}

static void assert_modinfo(const struct goinfo *g)
{
    ck_assert_str_eq(g->path, "example.com/app");
    ck_assert_str_eq(g->main_module, "example.com/app (devel)");
    ck_assert_uint_eq(g->n_deps, 1);
    ck_assert_uint_eq(g->n_settings, 4);
    ck_assert_str_eq(goinfo_setting(g, "CGO_ENABLED"), "1");
    ck_assert_str_eq(goinfo_setting(g, "-tags"), "a,b");
    ck_assert_str_eq(goinfo_setting(g, "DefaultGODEBUG"), "fips140=on");
    ck_assert(goinfo_list_has(goinfo_setting(g, "GOEXPERIMENT"), "boringcrypto"));
    ck_assert_ptr_null(goinfo_setting(g, "GOFIPS140"));
}

START_TEST(test_goinfo_inline)
{
    uint8_t b[1024];
    struct goinfo g;
    for (int framed = 0; framed <= 1; framed++) {
        size_t n = inline_blob(b, "go1.22.2 X:boringcrypto", framed);
        ck_assert_int_eq(goinfo_parse(b, n, NULL, NULL, &g), GOINFO_OK);
        ck_assert(g.inline_strings);
        ck_assert_uint_eq(g.ptr_size, 8);
        ck_assert_str_eq(g.version, "go1.22.2 X:boringcrypto");
        assert_modinfo(&g);
        goinfo_free(&g);
        /* Every truncation fails cleanly (ASan/valgrind watch for overreads). */
        for (size_t k = 0; k < n; k++) {
            uint8_t *cut = malloc(k ? k : 1);
            memcpy(cut, b, k);
            int rv = goinfo_parse(cut, k, NULL, NULL, &g);
            ck_assert_msg(rv == GOINFO_NONE || rv == GOINFO_MALFORMED || rv == GOINFO_OK,
                          "cut %zu: %d", k, rv);
            goinfo_free(&g);
            free(cut);
        }
    }
    size_t n = inline_blob(b, "go1.19", false);
    b[14] = 5;  /* pointer size */
    ck_assert_int_eq(goinfo_parse(b, n, NULL, NULL, &g), GOINFO_MALFORMED);
    goinfo_free(&g);
    b[14] = 8;
    b[33] = '\n';  /* a control character in the version */
    ck_assert_int_eq(goinfo_parse(b, n, NULL, NULL, &g), GOINFO_MALFORMED);
    goinfo_free(&g);
    b[32] = 0xff;  /* a varint running to the end */
    memset(b + 33, 0xff, n - 33);
    ck_assert_int_eq(goinfo_parse(b, n, NULL, NULL, &g), GOINFO_MALFORMED);
    goinfo_free(&g);
    b[0] = 0;
    ck_assert_int_eq(goinfo_parse(b, n, NULL, NULL, &g), GOINFO_NONE);
    ck_assert_int_eq(goinfo_parse(NULL, 0, NULL, NULL, &g), GOINFO_NONE);
    goinfo_free(&g);
}
END_TEST

struct space {
    const uint8_t *p;
    uint64_t base, len;
};

static const uint8_t *space_read(void *ctx, uint64_t addr, uint64_t len)
{
    const struct space *s = ctx;
    if (addr < s->base || addr - s->base > s->len || len > s->len - (addr - s->base))
        return NULL;
    return s->p + (addr - s->base);
}

static void put_ptr(uint8_t *p, uint64_t v, unsigned size, bool be)
{
    for (unsigned i = 0; i < size; i++)
        p[be ? size - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

/* The pointer layout (Go < 1.18), 4- and 8-byte pointers in both byte orders. */
START_TEST(test_goinfo_pointer)
{
    for (unsigned ps = 4; ps <= 8; ps += 4) {
        for (int be = 0; be <= 1; be++) {
            uint8_t mem[1024] = {0};
            const uint64_t base = 0x10000;
            const char *ver = "go1.17.13";
            memcpy(mem, GOINFO_MAGIC, GOINFO_MAGIC_LEN);
            mem[14] = (uint8_t)ps;
            mem[15] = be ? 0x1 : 0x0;
            /* headers at 64 and 96, data at 128 and 160 */
            put_ptr(mem + 16, base + 64, ps, be);
            put_ptr(mem + 16 + ps, base + 96, ps, be);
            put_ptr(mem + 64, base + 128, ps, be);
            put_ptr(mem + 64 + ps, strlen(ver), ps, be);
            put_ptr(mem + 96, base + 160, ps, be);
            put_ptr(mem + 96 + ps, strlen(modtext), ps, be);
            memcpy(mem + 128, ver, strlen(ver));
            memcpy(mem + 160, modtext, strlen(modtext));
            struct space sp = {mem, base, sizeof(mem)};
            struct goinfo g;
            ck_assert_int_eq(goinfo_parse(mem, sizeof(mem), space_read, &sp, &g), GOINFO_OK);
            ck_assert(!g.inline_strings);
            ck_assert_str_eq(g.version, ver);
            assert_modinfo(&g);
            goinfo_free(&g);
            /* No reader, an unmapped header, a length past the mapping, over 1 MiB. */
            ck_assert_int_eq(goinfo_parse(mem, sizeof(mem), NULL, NULL, &g), GOINFO_MALFORMED);
            goinfo_free(&g);
            put_ptr(mem + 16, base + 4096, ps, be);
            ck_assert_int_eq(goinfo_parse(mem, sizeof(mem), space_read, &sp, &g),
                             GOINFO_MALFORMED);
            goinfo_free(&g);
            put_ptr(mem + 16, base + 64, ps, be);
            put_ptr(mem + 64 + ps, 2000, ps, be);
            ck_assert_int_eq(goinfo_parse(mem, sizeof(mem), space_read, &sp, &g),
                             GOINFO_MALFORMED);
            goinfo_free(&g);
            put_ptr(mem + 64 + ps, (1u << 20) + 1, ps, be);
            ck_assert_int_eq(goinfo_parse(mem, sizeof(mem), space_read, &sp, &g),
                             GOINFO_MALFORMED);
            goinfo_free(&g);
        }
    }
}
END_TEST

START_TEST(test_goinfo_list)
{
    ck_assert(goinfo_list_has("boringcrypto", "boringcrypto"));
    ck_assert(goinfo_list_has("fieldtrack,boringcrypto", "boringcrypto"));
    ck_assert(!goinfo_list_has("nosystemcrypto", "systemcrypto"));
    ck_assert(!goinfo_list_has("boringcrypto2", "boringcrypto"));
    ck_assert(!goinfo_list_has(NULL, "boringcrypto"));
    ck_assert(!goinfo_list_has("", "boringcrypto"));
}
END_TEST

/* The synthetic Go programs (make_go_fixtures.py) through the whole ELF reader. */
START_TEST(test_go_elf_fixtures)
{
    static const struct {
        const char *name, *version;
        unsigned evidence, absent;
        const char *from;
    } fx[] = {
        {"golang-fips", "go1.22.2 X:boringcrypto", GOEV_GOLANG_FIPS | GOEV_BACKEND,
         GOEV_BORING, "pclntab"},
        {"microsoft", "go1.22.5 X:systemcrypto", GOEV_GOLANG_FIPS, GOEV_BORING, "pclntab"},
        {"gofips140", "go1.24.0", GOEV_FIPS140 | GOEV_STD_CRYPTO, GOEV_BORING, "pclntab"},
        {"pointer-std", "go1.17.13", GOEV_STD_CRYPTO, GOEV_FIPS140, "pclntab"},
        {"undetermined", "go1.21.0 X:boringcrypto", 0, GOEV_STD_CRYPTO, "pclntab"},
        {"golang-fips-nosections", "go1.22.2 X:boringcrypto", GOEV_GOLANG_FIPS, 0, "segments"},
    };
    for (size_t i = 0; i < sizeof(fx) / sizeof(fx[0]); i++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", env_path("FIXTURE_GO_DIR"), fx[i].name);
        size_t len;
        uint8_t *elf = (uint8_t *)slurp(path, &len);
        struct elfaudit a;
        ck_assert_int_eq(elfaudit_parse(elf, len, &a), ELFAUDIT_OK);
        ck_assert_msg(a.is_go && a.go_status == GOINFO_OK, "%s", fx[i].name);
        ck_assert_str_eq(a.go.version, fx[i].version);
        ck_assert_msg((a.go_evidence & fx[i].evidence) == fx[i].evidence &&
                      !(a.go_evidence & fx[i].absent), "%s: evidence %#x", fx[i].name,
                      a.go_evidence);
        ck_assert_str_eq(a.go_evidence_from, fx[i].from);
        if (strcmp(fx[i].name, "gofips140") == 0)
            ck_assert_str_eq(a.go_fips140_module, "v1.0.0");
        elfaudit_free(&a);
        /* Truncations of a Go program fail cleanly too. */
        for (size_t cut = 0; cut < len; cut += 97) {
            uint8_t *c = malloc(cut ? cut : 1);
            memcpy(c, elf, cut);
            int rv = elfaudit_parse(c, cut, &a);
            ck_assert(rv == ELFAUDIT_OK || rv == ELFAUDIT_NOT_ELF || rv == ELFAUDIT_MALFORMED);
            elfaudit_free(&a);
            free(c);
        }
        free(elf);
    }
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("audit");
    TCase *cli = tcase_create("cli");
    tcase_set_timeout(cli, 300);
    tcase_add_test(cli, test_dynamic_clean);
    tcase_add_test(cli, test_examples_clean);
    tcase_add_test(cli, test_static_clean);
    tcase_add_test(cli, test_static_runs_and_panics);
    tcase_add_test(cli, test_static_stripped);
    tcase_add_test(cli, test_evp_md5_finding);
    tcase_add_test(cli, test_embedded_libcrypto_finding);
    tcase_add_test(cli, test_gcrypt_finding);
    tcase_add_test(cli, test_unreadable_inputs);
    tcase_add_test(cli, test_tls_policy_widening);
    tcase_add_test(cli, test_no_crypto_clean);
    tcase_add_test(cli, test_dlopen_libcrypto);
    suite_add_tcase(s, cli);
    TCase *parser = tcase_create("parser");
    tcase_set_timeout(parser, 300);
    tcase_add_test(parser, test_synthetic_classes_and_byte_orders);
    tcase_add_test(parser, test_not_elf);
    tcase_add_test(parser, test_mutations_never_crash);
    tcase_add_test(parser, test_goinfo_inline);
    tcase_add_test(parser, test_goinfo_pointer);
    tcase_add_test(parser, test_goinfo_list);
    tcase_add_test(parser, test_go_elf_fixtures);
    suite_add_tcase(s, parser);
    return s;
}

int main(void)
{
    return run_suite(make_suite);
}
