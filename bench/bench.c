/* SPDX-License-Identifier: Apache-2.0 */
/* The shared timing harness of the bench_* programs (see bench.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

static struct {
    bool ready;
    double run_s, warmup_s;
    int reps;
    clockid_t clock;
} cfg;

static enum bench_clock chosen_clock = BENCH_CLOCK_MONO;

void bench_set_clock(enum bench_clock clock)
{
    chosen_clock = clock;
    cfg.ready = false;  /* re-read the settings with the new default */
}

static long env_long(const char *name, long dflt, long lo, long hi)
{
    const char *s = getenv(name);
    if (s == NULL || *s == '\0')
        return dflt;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "bench: ignoring %s=%s (want %ld..%ld)\n", name, s, lo, hi);
        return dflt;
    }
    return v;
}

static void configure(void)
{
    if (cfg.ready)
        return;
    cfg.run_s = env_long("BENCH_MS", 100, 1, 600000) / 1e3;
    cfg.warmup_s = env_long("BENCH_WARMUP_MS", 20, 0, 600000) / 1e3;
    cfg.reps = (int)env_long("BENCH_REPS", 5, 1, BENCH_MAX_REPS);
    const char *c = getenv("BENCH_CLOCK");
    bool cpu = chosen_clock == BENCH_CLOCK_CPU;
    if (c != NULL && strcmp(c, "cpu") == 0)
        cpu = true;
    else if (c != NULL && strcmp(c, "mono") == 0)
        cpu = false;
    else if (c != NULL && *c != '\0')
        fprintf(stderr, "bench: ignoring BENCH_CLOCK=%s (want mono or cpu)\n", c);
    cfg.clock = cpu ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC;
    cfg.ready = true;
}

double bench_now(void)
{
    configure();
    struct timespec ts;
    clock_gettime(cfg.clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run batches until `seconds` have passed; returns ops/s. */
static double measure(struct bench_case *c, double seconds)
{
    uint64_t ops = 0;
    double start = bench_now(), elapsed;
    do {
        c->fn(c->arg, c->batch);
        ops += c->batch;
        elapsed = bench_now() - start;
    } while (elapsed < seconds);
    return (double)ops / elapsed;
}

/* Grow the batch until one takes about a millisecond: clock reads then cost nothing. */
static void calibrate(struct bench_case *c)
{
    c->batch = 1;
    for (;;) {
        double start = bench_now();
        c->fn(c->arg, c->batch);
        if (bench_now() - start >= 1e-3 || c->batch >= (UINT64_C(1) << 40))
            return;
        c->batch *= 2;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
    double s[BENCH_MAX_REPS];
    memcpy(s, v, (size_t)n * sizeof(*v));
    qsort(s, (size_t)n, sizeof(*s), cmp_double);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

void bench_run(struct bench_case *cases, size_t n)
{
    configure();
    for (size_t i = 0; i < n; i++) {
        calibrate(&cases[i]);
        if (cfg.warmup_s > 0)
            measure(&cases[i], cfg.warmup_s);
        cases[i].nrounds = 0;
    }
    for (int r = 0; r < cfg.reps; r++) {
        /* Alternate the order so no case always runs right after the same neighbour. */
        for (size_t k = 0; k < n; k++) {
            struct bench_case *c = &cases[r % 2 ? n - 1 - k : k];
            c->rounds[c->nrounds++] = measure(c, cfg.run_s);
        }
    }
    for (size_t i = 0; i < n; i++)
        cases[i].rate = median(cases[i].rounds, cases[i].nrounds);
}

double bench_ratio(const struct bench_case *a, const struct bench_case *b, double *lo,
                   double *hi)
{
    double r[BENCH_MAX_REPS] = {0};
    int n = a->nrounds < b->nrounds ? a->nrounds : b->nrounds;
    if (n == 0)
        return 0;
    for (int i = 0; i < n; i++)
        r[i] = a->rounds[i] / b->rounds[i];
    double mn = r[0], mx = r[0];
    for (int i = 1; i < n; i++) {
        mn = r[i] < mn ? r[i] : mn;
        mx = r[i] > mx ? r[i] : mx;
    }
    if (lo)
        *lo = mn;
    if (hi)
        *hi = mx;
    return median(r, n);
}

const char *bench_si(char *buf, size_t cap, double value)
{
    static const char units[] = " kMGT";
    int u = 0;
    while (value >= 1000 && u < 4) {
        value /= 1000;
        u++;
    }
    if (u == 0)
        snprintf(buf, cap, "%.0f", value);
    else
        snprintf(buf, cap, "%.*f%c", value < 10 ? 2 : value < 100 ? 1 : 0, value, units[u]);
    return buf;
}

static int col_width(const struct bench_table *t, size_t i)
{
    int w = t->widths ? t->widths[i] : 0;
    int h = (int)strlen(t->heads[i]);
    return w > h ? w : h;
}

void bench_table_head(const struct bench_table *t)
{
    bench_table_row(t, t->heads);
    for (size_t i = 0; i < t->ncols; i++) {
        /* Markdown: a trailing ':' right-aligns the column. */
        int w = col_width(t, i);
        printf("| ");
        for (int k = 0; k < w - (i > 0); k++)
            putchar('-');
        printf(i > 0 ? ": " : " ");
    }
    printf("|\n");
}

void bench_table_row(const struct bench_table *t, const char *const cells[])
{
    for (size_t i = 0; i < t->ncols; i++) {
        int w = col_width(t, i);
        printf(i == 0 ? "| %-*s " : "| %*s ", w, cells[i]);
    }
    printf("|\n");
    fflush(stdout);
}

void bench_print_settings(void)
{
    configure();
    printf("settings: %s clock, %.0f ms per measurement, %d rounds interleaved, "
           "%.0f ms warm-up; medians shown (BENCH_MS, BENCH_REPS, BENCH_WARMUP_MS, BENCH_CLOCK)\n",
           cfg.clock == CLOCK_MONOTONIC ? "monotonic" : "thread CPU-time", cfg.run_s * 1e3,
           cfg.reps, cfg.warmup_s * 1e3);
}

static const char *const three_way_heads[] = {"op", "bytes", "libfipsrt ops/s", "ideal ops/s",
                                              "naive ops/s", "fipsrt/ideal", "(min-max)",
                                              "fipsrt/naive", "fipsrt MB/s"};

static struct bench_table three_way_table(const int *widths)
{
    return (struct bench_table){sizeof(three_way_heads) / sizeof(three_way_heads[0]),
                                three_way_heads, widths};
}

void bench_three_way_head(int name_width)
{
    const int widths[] = {name_width, 5, 0, 0, 0, 0, 11, 0, 0};
    struct bench_table t = three_way_table(widths);
    bench_table_head(&t);
}

double bench_three_way_row(const char *name, size_t bytes, struct bench_case c[3], int name_width)
{
    const int widths[] = {name_width, 5, 0, 0, 0, 0, 11, 0, 0};
    struct bench_table t = three_way_table(widths);
    bench_run(c, 3);
    double lo, hi, ratio = bench_ratio(&c[0], &c[1], &lo, &hi);
    char b[9][32];
    snprintf(b[1], sizeof(b[1]), "%zu", bytes);
    bench_si(b[2], sizeof(b[2]), c[0].rate);
    bench_si(b[3], sizeof(b[3]), c[1].rate);
    bench_si(b[4], sizeof(b[4]), c[2].rate);
    snprintf(b[5], sizeof(b[5]), "%.3f", ratio);
    snprintf(b[6], sizeof(b[6]), "%.3f-%.3f", lo, hi);
    snprintf(b[7], sizeof(b[7]), "%.2f", bench_ratio(&c[0], &c[2], NULL, NULL));
    snprintf(b[8], sizeof(b[8]), "%.1f", c[0].rate * (double)bytes / 1e6);
    const char *cells[] = {name, b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8]};
    bench_table_row(&t, cells);
    return ratio;
}

void bench_report_goal(const char *name, size_t bytes, double ratio, double goal)
{
    printf("goal %-16s %5zu B: fipsrt/ideal %.3f, want >= %.2f: %s\n", name, bytes, ratio, goal,
           ratio >= goal ? "met" : "MISSED");
}
