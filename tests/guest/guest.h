/*
 * The in-guest suites and benchmarks, linked only into the test build of the VMM
 * (build/test/VMM32.VXD, which make test and make bench boot; the VMM32.VXD a user copies has
 * none of them).  vmm_main calls selftests_run once the boot is done; it runs what SYSTEM.INI's
 * [Debug] keys ask for.
 */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H
#include <stdint.h>

void selftests_run(void);   /* tests/guest/selftest.c */

void pagetest_run(void);    /* [Debug] PageTest=1: the page services on real page tables */
void inttest_run(void);     /* [Debug] IntTest=1: the interrupt services, the 8259, the timer */
void schedtest_run(void);   /* [Debug] SchedTest=1: threads, the time-slicer, semaphores, VMs */
void timetest_run(void);    /* [Debug] TimeTest=1: time kept by one clock, without icount */
void vxdtest_run(void);     /* [Debug] VxdTest=1: VXDLDR and the dynalink (needs DYN.VXD) */
void v86test_run(void);     /* [Debug] V86Test=1: V86 VMs running tests/v86's programs */
void v86spin_run(void);     /* [Debug] V86Spin=1: a V86 VM left spinning (for QEMU's monitor) */
void v86dos_run(void);      /* [Debug] DosTest=1: the checks of the DOS program SHELL runs */
void v86boot_run(void);     /* [Debug] BootTest=1: the system VM's boot screen, for the harness */
void v86screen_run(void);   /* [Debug] ScreenTest=1: a VM's screen shown, for the harness */
void v86kbd_run(void);      /* [Debug] KbdTest=1: a VM reading the keys the harness types */

/* [Debug] Bench=1 (make bench): instruction counts under icount, one benchmark file each. */
void membench_run(void);    /* tests/bench/membench.c: heap, lists, frames, arenas, pages */
void intbench_run(void);    /* tests/bench/intbench.c: interrupts and faults */
void schedbench_run(void);  /* tests/bench/schedbench.c: switches, semaphores, the scheduler */
void vxdbench_run(void);    /* tests/bench/vxdbench.c: VXDLDR and the dynalink */
void dosbench_run(void);    /* tests/bench/dosbench.c: INT 21h as a DOS program sees it */
void v86bench_run(void);    /* tests/bench/v86bench.c: the V86 monitor's round trips */
void keybench_run(void);    /* tests/bench/keybench.c: a COM1 byte to INT 16h's return */
uint32_t keybench_vm(void); /* ... its program's VM (a handle): waits in INT 16h, writes nothing */
void drawbench_run(void);   /* tests/bench/drawbench.c: VDD's drawing on the framebuffer */

#endif
