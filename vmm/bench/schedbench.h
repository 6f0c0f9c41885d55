/* Scheduler benchmarks (SYSTEM.INI [Debug] Bench=1): see schedbench.c. */
#ifndef BENCH_SCHEDBENCH_H
#define BENCH_SCHEDBENCH_H
void schedbench_run(void);
#endif
