/*
 * What the in-guest benchmarks share: the cost of an empty RDTSC bracket (subtracted from each
 * figure), the count, sum, min and max of one measured operation (bench_add: one measurement),
 * and the one line format ci/bench.sh reads,
 *   "bench: NAME n=N min_tsc=A sum_tsc=S max_tsc=M"
 * (ci/bench.sh prints "bench: NAME n=N min=A mean=B max=C" in instructions).  Each figure is
 * what its name says: min and max over every measured operation.
 */
#ifndef BENCH_BENCHLIB_H
#define BENCH_BENCHLIB_H
#include <stdint.h>
#include "console/console.h"
#include "x86/x86.h"

static inline uint64_t bench_bracket(void)
{
    uint64_t best = ~0ull;
    for (int i = 0; i < 64; i++) {
        uint64_t t0 = rdtsc(), t1 = rdtsc();
        if (t1 - t0 < best)
            best = t1 - t0;
    }
    return best;
}

struct bench_stat { uint32_t n; uint64_t sum, min, max; };

static inline void bench_add(struct bench_stat *s, uint64_t d)
{
    if (!s->n || d < s->min)
        s->min = d;
    if (d > s->max)
        s->max = d;
    s->sum += d;
    s->n++;
}

static inline void bench_print(const char *name, const struct bench_stat *s)
{
    kprintf("bench: %s n=%u min_tsc=%llu sum_tsc=%llu max_tsc=%llu\n", name, s->n,
            (unsigned long long)s->min, (unsigned long long)s->sum, (unsigned long long)s->max);
}

#endif
