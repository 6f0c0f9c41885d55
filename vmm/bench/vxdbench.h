/* VxD benchmarks (SYSTEM.INI [Debug] Bench=1, with DYN.VXD in VMM/VXD): see vxdbench.c. */
#ifndef BENCH_VXDBENCH_H
#define BENCH_VXDBENCH_H
void vxdbench_run(void);
#endif
