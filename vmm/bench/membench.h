/* In-guest benchmarks of the memory layers, run after 'VMM ready' when SYSTEM.INI [Debug]
 * Bench=1 asks (make bench does).  They print raw TSC sums on "bench:" lines; under
 * qemu -icount the TSC counts guest instructions, and ci/bench.sh turns them into figures. */
#ifndef BENCH_MEMBENCH_H
#define BENCH_MEMBENCH_H

void membench_run(void);

#endif
