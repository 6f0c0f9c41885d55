/*
 * The test build's runner (tests/guest/guest.h): after the boot, the in-guest suites and
 * benchmarks that SYSTEM.INI's [Debug] keys ask for, in this order, then BootFault=, a
 * deliberate fault for the boot tests of the fatal report.
 */
#include "guest/guest.h"
#include "boot/sysini.h"
#include "console/console.h"
#include "mem/page.h"
#include "boot/layout.h"
#include "boot/symbols.h"
#include "int/timer.h"

void vmm_main(uint32_t magic, uint32_t bootinfo_phys);
static void boot_fault(const char *kind);

/* The test build watches how late the timer's interrupts come (int/timer.h: the longest wait
 * bounds the longest stretch with interrupts off), from the first tick on: printed for the boot
 * (to here) and for the suites, in TSC counts (under icount, nanoseconds: tests/boot/run.sh
 * turns them into instructions). */
static void irqoff_report(const char *what)
{
    const struct timer_latency *l = &timer_latency;
    char where[96];
    if (!l->on)
        return;
    kprintf("irqoff: %s: the timer waited at most %llu TSC counts (a period is %llu) in %u ticks, "
            "until %s\n", what, (unsigned long long)l->max,
            (unsigned long long)(timer.tsc_hz / timer.hz), l->ticks,
            l->ticks ? symbols_where(l->max_eip, where, sizeof where) : "-");
    timer_latency_watch(1);
}

void selftests_run(void)
{
    irqoff_report("boot");
    if (settings.bench || settings.key_bench)
        timer_latency_watch(0);             /* not in the benchmarks' ticks */
    if (settings.page_test)
        pagetest_run();
    if (settings.int_test)
        inttest_run();
    if (settings.sched_test)
        schedtest_run();
    if (settings.time_test)
        timetest_run();
    if (settings.vxd_test)
        vxdtest_run();
    if (settings.v86_test)
        v86test_run();
    if (settings.v86_spin)
        v86spin_run();
    if (settings.kbd_test)
        v86kbd_run();
    if (settings.screen_test)
        v86screen_run();
    if (settings.boot_test)
        v86boot_run();
    if (settings.dos_test)
        v86dos_run();
    if (settings.bench) {
        membench_run();
        intbench_run();
        schedbench_run();
        vxdbench_run();
        v86bench_run();
        dosbench_run();
        drawbench_run();
    }
    if (settings.key_bench)
        keybench_run();
    irqoff_report("suites");
    if (settings.boot_fault[0])
        boot_fault(settings.boot_fault);    /* must end in a fatal report */
}

/* Deep recursion: 64 bytes of stack a level, never optimised into a loop. */
static volatile uint32_t recurse_limit = ~0u;    /* never reached: the guard page is */
static __attribute__((noinline)) uint32_t recurse(uint32_t n)
{
    volatile uint32_t pad[12];
    pad[0] = n;
    return n >= recurse_limit ? n : recurse(n + 1) + pad[0];
}

static int boot_fault_hook(struct ipf_data *ipf, struct client_regs *r)
{
    (void)r;
    kprintf("boot fault: the fault hook was called for %08x\n", ipf->IPF_LinAddr);
    return 1;
}

/* Deliberate faults for the boot tests of the fault report (SYSTEM.INI [Debug] BootFault=).
 * Not inlined, so that the report's symbol line names this function. */
static __attribute__((noinline)) void boot_fault(const char *k)
{
    static const uint8_t data_ret = 0xC3;   /* a RET in a non-executable data page */
    uint32_t zero = 0;

    kprintf("boot fault: %s\n", k);
    if (k[0] == 'U' && k[1] == 'D')
        __asm__ volatile("ud2");
    else if (k[0] == 'P' && k[1] == 'F')
        *(volatile uint32_t *)SYSTEM_BASE = 1;                  /* the unmapped first system page */
    else if (k[0] == 'D' && k[1] == 'E')
        __asm__ volatile("divl %2" : : "a"(1u), "d"(0u), "r"(zero));   /* the compiler would fold 1/x */
    else if (k[0] == 'G' && k[1] == 'P')
        __asm__ volatile("mov %0, %%ds" : : "r"(0x1230u));        /* GDT index past the limit */
    else if (k[0] == 'W' && k[1] == 'P')
        *(volatile uint8_t *)(uintptr_t)vmm_main = 0x90;        /* write to read-only code */
    else if (k[0] == 'N' && k[1] == 'X')
        ((void (*)(void))(uintptr_t)&data_ret)();               /* execute from data */
    else if (k[0] == 'D' && k[1] == 'F')
        __asm__ volatile("mov %0, %%esp; push $0" : : "i"(SYSTEM_BASE + 0x800));  /* no stack */
    else if (k[0] == 'R' && k[1] == 'E') {                      /* a reserved, uncommitted page */
        uint32_t lin = _PageReserve(PR_SYSTEM, 1, 0);
        kprintf("boot fault: reading reserved page %08x\n", lin);
        (void)*(volatile uint32_t *)lin;
    } else if (k[0] == 'S' && k[1] == 'T')
        kprintf("boot fault: %u\n", recurse(1));               /* into the boot stack's guard */
    else if (k[0] == 'P' && k[1] == 'S') {                      /* a fault inside a page service */
        Hook_Invalid_Page_Fault(boot_fault_hook);               /* must not be called */
        uint32_t lin = _PageReserve(PR_SYSTEM, 1, 0);
        kprintf("boot fault: _PageQuery into reserved page %08x\n", lin);
        _PageQuery(lin, (struct memory_basic_information *)lin, 28);
    }
    kprintf("boot fault: '%s' is not one of UD PF DE GP WP NX DF RE ST PS, or did not fault\n", k);
}
