/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The indicator's test cases (tests/indicator_cases.c): for every service row of
 * docs/SERVICES.md, a success and a failure case, and for approved-legacy rows a legacy-use
 * case. Each case sets up what it needs and measures fipsrt_service_indicator() around
 * exactly one call of its function.
 */
#ifndef FIPSRT_INDICATOR_CASES_H
#define FIPSRT_INDICATOR_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum icase_kind {
    IC_SUCCESS,    /* returns 0; +1 for approved and approved-legacy rows, else 0 */
    IC_FAILURE,    /* returns want_rv (an error); 0 */
    IC_LEGACY,     /* SP 800-131A Rev. 2 legacy use: returns 0; +1 */
    IC_UNCOUNTED,  /* a success of an approved row that is documented not to count: 0 */
};

struct icase {
    const char *function;
    enum icase_kind kind;
    int want_rv;                    /* IC_FAILURE only */
    int (*run)(uint64_t *delta);    /* the call's return code; *delta: the counter's move */
    const char *what;
    bool slow;                      /* seconds under valgrind: not run there */
};

extern const struct icase icases[];
extern const size_t icase_count;

/* Build the shared keys and legacy-use vectors (once per process). */
void icase_fixtures(void);
void icase_fixtures_free(void);

#endif
