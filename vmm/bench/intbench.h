/* Interrupt benchmarks (SYSTEM.INI [Debug] Bench=1): see intbench.c. */
#ifndef BENCH_INTBENCH_H
#define BENCH_INTBENCH_H
void intbench_run(void);
#endif
