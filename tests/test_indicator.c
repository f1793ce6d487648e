/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The approved-service indicator (issue 10 §1): every service row of docs/SERVICES.md has
 * success and failure cases (tests/indicator_cases.c), each row names a function the
 * library exports, every case moves the counter exactly as its row's status says, and the
 * counter is per thread.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <fipsrt/fipsrt.h>

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

#include "indicator_cases.h"
#include "services_table.h"
#include "testutil.h"

static const struct fipsrt_service_row *row_of(const char *function)
{
    for (size_t i = 0; i < FIPSRT_SERVICE_COUNT; i++)
        if (strcmp(fipsrt_services[i].function, function) == 0)
            return &fipsrt_services[i];
    return NULL;
}

static bool counts(const struct fipsrt_service_row *r)
{
    return strcmp(r->status, "approved") == 0 || strcmp(r->status, "approved-legacy") == 0;
}

static bool has_case(const char *function, enum icase_kind kind)
{
    for (size_t i = 0; i < icase_count; i++)
        if (icases[i].kind == kind && strcmp(icases[i].function, function) == 0)
            return true;
    return false;
}

/* Problems accumulate in one text so a run names all of them, not the first. */
static char problems[16384];
static size_t nproblems;

__attribute__((format(printf, 1, 2))) static void problem(const char *fmt, ...)
{
    size_t used = strlen(problems);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(problems + used, sizeof(problems) - used, fmt, ap);
    va_end(ap);
    used = strlen(problems);
    snprintf(problems + used, sizeof(problems) - used, "\n");
    nproblems++;
}

/*
 * Strict coverage of what this library exports: each row's function is exported (dlsym),
 * each approved, approved-legacy and non-approved row has a success and a failure case, each
 * approved-legacy row a legacy-use case, and each case names a row. A function merged in
 * with a row but no cases fails here (the Python check covers exports without a row).
 */
START_TEST(test_coverage)
{
    size_t service_rows = 0;
    for (size_t i = 0; i < FIPSRT_SERVICE_COUNT; i++) {
        const struct fipsrt_service_row *r = &fipsrt_services[i];
        if (dlsym(RTLD_DEFAULT, r->function) == NULL)
            problem("docs/SERVICES.md lists %s, which the library does not export", r->function);
        if (strcmp(r->status, "none") == 0)
            continue;
        service_rows++;
        if (!has_case(r->function, IC_SUCCESS))
            problem("%s (%s) has no success case in tests/indicator_cases.c", r->function,
                    r->status);
        if (!has_case(r->function, IC_FAILURE))
            problem("%s (%s) has no failure case in tests/indicator_cases.c", r->function,
                    r->status);
        if (strcmp(r->status, "approved-legacy") == 0 && !has_case(r->function, IC_LEGACY))
            problem("%s (approved-legacy) has no legacy-use case", r->function);
    }
    for (size_t i = 0; i < icase_count; i++) {
        const struct fipsrt_service_row *r = row_of(icases[i].function);
        if (r == NULL)
            problem("case %s is for %s, which has no row in docs/SERVICES.md", icases[i].what,
                    icases[i].function);
        else if (icases[i].kind == IC_LEGACY && strcmp(r->status, "approved-legacy") != 0)
            problem("case %s is a legacy-use case, but %s is %s", icases[i].what,
                    icases[i].function, r->status);
        else if (icases[i].kind == IC_UNCOUNTED && !counts(r))
            problem("case %s: %s never counts, an uncounted case says nothing", icases[i].what,
                    icases[i].function);
    }
    printf("indicator: %zu rows, %zu service rows, %zu cases\n", (size_t)FIPSRT_SERVICE_COUNT,
           service_rows, icase_count);
    ck_assert_msg(nproblems == 0, "%zu coverage problem(s):\n%s", nproblems, problems);
}
END_TEST

/* Every case: its return code and the counter's move, as its row's status says. After each
 * one, a plain approved call still counts exactly once (no suppression left behind). Under
 * valgrind the slow cases (RSA key generation, a PBKDF2 of 10^5 rounds) are left to the
 * plain and ASan runs. */
START_TEST(test_cases)
{
    icase_fixtures();
    size_t ran[4] = {0}, slow_skipped = 0;
    for (size_t i = 0; i < icase_count; i++) {
        const struct icase *c = &icases[i];
        const struct fipsrt_service_row *r = row_of(c->function);
        if (r == NULL)
            continue;  /* reported by test_coverage */
        if (c->slow && RUNNING_ON_VALGRIND) {
            slow_skipped++;
            continue;
        }
        uint64_t delta = 12345;
        int rv = c->run(&delta);
        int want_rv = c->kind == IC_FAILURE ? c->want_rv : 0;
        uint64_t want_delta = (c->kind == IC_SUCCESS && counts(r)) || c->kind == IC_LEGACY;
        if (rv != want_rv)
            problem("%s (%s): %s returned %d (%s), expected %d (%s); detail: %s", c->function,
                    r->status, c->what, rv, fipsrt_strerror(rv), want_rv,
                    fipsrt_strerror(want_rv), fipsrt_last_error());
        else if (delta != want_delta)
            problem("%s (%s): %s moved the indicator by %llu, expected %llu", c->function,
                    r->status, c->what, (unsigned long long)delta,
                    (unsigned long long)want_delta);
        uint8_t d[32];
        uint64_t before = fipsrt_service_indicator();
        ck_assert_ok(fipsrt_hash(FIPSRT_HASH_SHA256, "x", 1, d, sizeof(d), NULL));
        if (fipsrt_service_indicator() != before + 1)
            problem("after %s, an approved hash no longer counts once", c->what);
        ran[c->kind]++;
    }
    printf("indicator cases: %zu success, %zu failure, %zu legacy use, %zu uncounted success"
           "%s\n", ran[IC_SUCCESS], ran[IC_FAILURE], ran[IC_LEGACY], ran[IC_UNCOUNTED],
           slow_skipped ? " (under valgrind: the slow cases not run)" : "");
    icase_fixtures_free();
    ck_assert_msg(nproblems == 0, "%zu indicator problem(s):\n%s", nproblems, problems);
}
END_TEST

/* ---- thread-locality -------------------------------------------------------------------- */

#define THREAD_CALLS 200

struct worker {
    uint64_t start, end;
    pthread_barrier_t *go;
};

static void *worker(void *arg)
{
    struct worker *w = arg;
    uint8_t d[32];
    w->start = fipsrt_service_indicator();
    pthread_barrier_wait(w->go);
    for (int i = 0; i < THREAD_CALLS; i++)
        if (fipsrt_hash(FIPSRT_HASH_SHA256, &i, sizeof(i), d, sizeof(d), NULL) != 0)
            return NULL;
    w->end = fipsrt_service_indicator();
    return NULL;
}

START_TEST(test_thread_local)
{
    uint8_t d[32];
    ck_assert_ok(fipsrt_hash(FIPSRT_HASH_SHA256, "", 0, d, sizeof(d), NULL));
    uint64_t mine = fipsrt_service_indicator();
    ck_assert_uint_ge(mine, 1);
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, 3);
    struct worker w[2] = {{.go = &go}, {.go = &go}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, worker, &w[i]), 0);
    pthread_barrier_wait(&go);
    /* While the workers count, this thread's counter stays where it was, and moves by one
     * for its own call only. */
    for (int i = 0; i < 50; i++)
        ck_assert_uint_eq(fipsrt_service_indicator(), mine);
    ck_assert_ok(fipsrt_hash(FIPSRT_HASH_SHA256, "", 0, d, sizeof(d), NULL));
    ck_assert_uint_eq(fipsrt_service_indicator(), mine + 1);
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_join(t[i], NULL), 0);
    pthread_barrier_destroy(&go);
    ck_assert_uint_eq(fipsrt_service_indicator(), mine + 1);
    for (int i = 0; i < 2; i++) {
        ck_assert_uint_eq(w[i].start, 0);   /* a new thread starts at zero */
        ck_assert_uint_eq(w[i].end, THREAD_CALLS);
    }
}
END_TEST

/* A failure in the middle of a composite (passwd_hash's PBKDF2 refused... here: an
 * approved-legacy verify that fails after its inner hash ran) leaves no suppression. */
START_TEST(test_composite_failure)
{
    fipsrt_key *k;
    ck_assert_ok(fipsrt_key_generate_ec(&k, FIPSRT_EC_P256));
    uint8_t sig[8] = {0};
    uint64_t before = fipsrt_service_indicator();
    /* fipsrt_ecdsa_verify hashes the message (uncounted), then the signature fails. */
    ck_assert_fipsrt(fipsrt_ecdsa_verify(k, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, "m", 1, sig,
                                         sizeof(sig)),
                     FIPSRT_E_VERIFY_FAILED);
    ck_assert_uint_eq(fipsrt_service_indicator(), before);
    uint8_t d[32];
    ck_assert_ok(fipsrt_hash(FIPSRT_HASH_SHA256, "m", 1, d, sizeof(d), NULL));
    ck_assert_uint_eq(fipsrt_service_indicator(), before + 1);
    fipsrt_key_free(k);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("indicator");
    TCase *tc = tcase_create("indicator");
    tcase_add_test(tc, test_coverage);
    tcase_add_test(tc, test_cases);
    tcase_add_test(tc, test_thread_local);
    tcase_add_test(tc, test_composite_failure);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(make_suite); }
