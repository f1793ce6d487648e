/* SPDX-License-Identifier: Apache-2.0 */
/* Shared test helpers: NIST CAVP / RFC vector files, hex, and running probe processes. */
#ifndef FIPSRT_TESTUTIL_H
#define FIPSRT_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <check.h>

#include <fipsrt/fipsrt.h>

/*
 * Test selection: with FIPSRT_TESTS="name,name,..." in the environment a suite registers only
 * the tests so named (tools/run race runs the tests that start threads under ThreadSanitizer);
 * unset, every test. run_suite() fails a selection that named no test of the suite.
 */
void frt_add_test(TCase *tc, const TTest *tf, int start, int end);
#undef tcase_add_test
#define tcase_add_test(tc, tf) frt_add_test((tc), (tf), 0, 1)
#undef tcase_add_loop_test
#define tcase_add_loop_test(tc, tf, s, e) frt_add_test((tc), (tf), (s), (e))

/*
 * Assert a libfipsrt call returns exactly `code`, printing the detail text if not.
 * Unlike ck_assert_*, it records nothing on success (Check writes a mark per passing
 * assertion, which dominates the time of vector loops), so use it in hot loops too.
 */
#define ck_assert_fipsrt(call, code)                                                        \
    do {                                                                                    \
        int ck_rv_ = (call);                                                                \
        if (ck_rv_ != (code))                                                               \
            ck_abort_msg("%s returned %d (%s), expected %d (%s); detail: %s", #call, ck_rv_, \
                         fipsrt_strerror(ck_rv_), (code), fipsrt_strerror(code),            \
                         fipsrt_last_error());                                              \
    } while (0)
/* Same quiet form for a plain condition. */
#define ck_expect(cond, ...)                                                                \
    do {                                                                                    \
        if (!(cond))                                                                        \
            ck_abort_msg(__VA_ARGS__);                                                      \
    } while (0)
#define ck_assert_ok(call) ck_assert_fipsrt(call, 0)

/*
 * Coverage builds only (meson defines FRT_GCOV_DUMP when b_coverage is true, as systemd
 * does): a forked test child about to end in _exit() skips gcov's exit-time write of its
 * counters, so write them first. Expands to nothing in every other build.
 */
#ifdef FRT_GCOV_DUMP
void __gcov_dump(void);
#define test_gcov_dump() __gcov_dump()
#else
#define test_gcov_dump() ((void)0)
#endif

/* ---- vector files -------------------------------------------------------------------
 * The CAVP .rsp format (and the RFC .txt files cryptography ships, which use the same
 * shape): "[Name = value]" section headers, records of "Key = value" lines separated by
 * blank lines, '#' comments. Directory: $FIPSRT_VECTORS, or Debian's
 * python3-cryptography-vectors package.
 */
#define VEC_MAX_FIELDS 32

typedef struct vec_file {
    void *f;                               /* FILE * */
    char path[1024];
    int line;
    char *keys[VEC_MAX_FIELDS], *vals[VEC_MAX_FIELDS];   /* current record */
    int n;
    char *skeys[VEC_MAX_FIELDS], *svals[VEC_MAX_FIELDS]; /* current section header(s) */
    int sn;
    char section_line[256];                /* raw text of the last "[...]" line */
    bool section_changed;                  /* a header line came before this record */
} vec_file;

/* Absolute path of a vector file given relative to the vectors directory. */
const char *vec_path(const char *rel);
/* Open (ck_assert fails the test if missing). */
void vec_open(vec_file *v, const char *rel);
/* Next record; false at end of file. Keys are matched case-sensitively. */
bool vec_next(vec_file *v);
/* Value of `key` in the current record, or NULL. */
const char *vec_get(const vec_file *v, const char *key);
/* Value of `key` in the current section header(s), e.g. "L" from "[L = 32]", or NULL. */
const char *vec_section(const vec_file *v, const char *key);
void vec_close(vec_file *v);

/* Decode hex (whitespace ignored) into a malloc'd buffer (never NULL; 1 byte for ""). */
uint8_t *hex_alloc(const char *hex, size_t *len);
/* Report "vectors: <label>: N run, M skipped (reason)" on stdout, for the test log. */
void vec_report(const char *label, int run, int skipped, const char *skip_reason);

/* ---- processes ------------------------------------------------------------------------ */

typedef struct proc_result {
    int exited;       /* 1 if exited normally */
    int status;       /* exit status, if exited */
    int signal;       /* terminating signal, if signalled */
    char out[65536];  /* stdout */
    char err[65536];  /* stderr */
} proc_result;

/*
 * Run argv (argv[0] a path) with the current environment plus `env` entries of the form
 * "NAME=value" (or "NAME" to unset), stdin from /dev/null (or `input` if not NULL),
 * capturing stdout and stderr. Fails the test if it cannot start or runs over 120 s.
 */
void run_process(char *const argv[], const char *const env[], const char *input,
                 proc_result *res);

/* Directory of built test helper programs (the test's own directory). */
const char *build_dir(void);
/* A fresh temporary directory (removed by the caller with rm_rf). */
char *make_temp_dir(void);
void rm_rf(const char *dir);
/* Write a file; fails the test on error. */
void write_file(const char *path, const void *data, size_t len);
/* Read a whole file into a NUL-terminated malloc'd buffer; fails the test on error. */
char *slurp(const char *path, size_t *len);

/* Standard main: runs the suite made by `make`, returns non-zero on failures. */
int run_suite(Suite *(*make)(void));

#endif
