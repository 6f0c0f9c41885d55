/*
 * What the in-guest benchmarks share: the cost of an empty RDTSC bracket (subtracted from each
 * figure) and the one line format ci/bench.sh reads, "bench: NAME n=N sum_tsc=S max_tsc=M".
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

static inline void bench_report(const char *name, uint32_t n, uint64_t sum, uint64_t max)
{
    kprintf("bench: %s n=%u sum_tsc=%llu max_tsc=%llu\n", name, n, (unsigned long long)sum,
            (unsigned long long)max);
}

#endif
