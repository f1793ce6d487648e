/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A tiny timing harness shared by the bench_* programs.
 *
 * A case is a function that performs `n` operations. bench_run() measures a set of cases
 * that should be compared with each other: each case is warmed up, then measured for
 * BENCH_MS milliseconds, BENCH_REPS times, the cases taking turns within every round (in
 * alternating order) so that load from other processes falls on all of them alike. A case's
 * rate is the median over the rounds; bench_ratio() compares two cases round by round and
 * takes the median of those ratios, which is steadier than a ratio of medians on a busy
 * machine.
 *
 *     static void op_a(void *arg, uint64_t n) { while (n--) do_one_a(arg); }
 *     struct bench_case cases[] = {{.name = "a", .fn = op_a, .arg = &state},
 *                                  {.name = "b", .fn = op_b, .arg = &state}};
 *     bench_run(cases, 2);
 *     printf("%.0f ops/s, a/b = %.3f\n", cases[0].rate, bench_ratio(&cases[0], &cases[1], NULL, NULL));
 *
 * Environment (read once, when first needed):
 *   BENCH_MS         time per measurement in ms (default 100)
 *   BENCH_REPS       rounds (default 5, at most BENCH_MAX_REPS)
 *   BENCH_WARMUP_MS  warm-up per case before the first round (default 20)
 *   BENCH_CLOCK      "mono" (CLOCK_MONOTONIC, wall time) or "cpu" (the calling thread's CPU
 *                    time); overrides bench_set_clock()
 *
 * Not thread-safe: one thread runs the benchmarks.
 */
#ifndef FIPSRT_BENCH_H
#define FIPSRT_BENCH_H

#include <stddef.h>
#include <stdint.h>

/* Perform `n` operations on `arg`. Keep the loop inside so the harness adds no per-op cost. */
typedef void bench_fn(void *arg, uint64_t n);

#define BENCH_MAX_REPS 31

struct bench_case {
    const char *name;
    bench_fn *fn;
    void *arg;
    /* Filled by bench_run(): */
    double rate;                    /* median ops/s over the rounds */
    double rounds[BENCH_MAX_REPS];  /* ops/s of each round */
    int nrounds;
    uint64_t batch;                 /* ops per clock check, calibrated during warm-up */
};

enum bench_clock {
    BENCH_CLOCK_MONO,  /* wall time: the default; right for anything that waits or uses threads */
    BENCH_CLOCK_CPU,   /* the calling thread's CPU time: leaves out time the scheduler gives to
                          other processes, so far steadier on a shared machine, but only right
                          when every operation is pure computation in the calling thread */
};
/* Choose the clock before the first bench_run(); the BENCH_CLOCK variable still wins. */
void bench_set_clock(enum bench_clock clock);

/* Seconds on the configured clock. */
double bench_now(void);

/* Measure `n` cases, interleaved round by round; fills their rate and rounds. */
void bench_run(struct bench_case *cases, size_t n);

/*
 * Median over the rounds of a's rate / b's rate (both from the same bench_run()). The
 * smallest and largest per-round ratios go to *lo and *hi when they are not NULL.
 */
double bench_ratio(const struct bench_case *a, const struct bench_case *b, double *lo,
                   double *hi);

/* "12.3M"-style rendering of a rate or count into buf; returns buf. */
const char *bench_si(char *buf, size_t cap, double value);

/*
 * Tables, printed as Markdown pipe tables (readable in a terminal, pastable into notes).
 * The first column is left-aligned, the others right-aligned; a width of 0 means the
 * header's width.
 */
struct bench_table {
    size_t ncols;
    const char *const *heads;
    const int *widths;
};
void bench_table_head(const struct bench_table *t);
void bench_table_row(const struct bench_table *t, const char *const cells[]);

/*
 * The comparison every family benchmark prints: libfipsrt, the ideal raw OpenSSL use and
 * the naive one, per message size. bench_three_way_head() prints the header (first column
 * `name_width` wide); bench_three_way_row() runs c[0..2] = {libfipsrt, ideal, naive} for
 * `bytes`-byte messages, prints the row and returns the median fipsrt/ideal ratio.
 */
void bench_three_way_head(int name_width);
double bench_three_way_row(const char *name, size_t bytes, struct bench_case c[3], int name_width);
/* "goal NAME BYTES B: fipsrt/ideal R, want >= G: met|MISSED" */
void bench_report_goal(const char *name, size_t bytes, double ratio, double goal);

/* One line describing the settings in force (clock, time per measurement, rounds). */
void bench_print_settings(void);

#endif /* FIPSRT_BENCH_H */
