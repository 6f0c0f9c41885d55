/*
 * vmm_main: the VMM's boot, one step a line.  Entered from x86/entry.S on the boot stack with
 * interrupts off, paging on (the loader's PAE tables) and the trampoline's GDT.
 */
#include "vmm.h"
#include "boot/modules.h"
#include "boot/symbols.h"
#include "boot/sysini.h"
#include "boot/acpi_load.h"
#include "int/int.h"
#include "int/timer.h"
#include "sched/sched.h"
#include "sched/fpu.h"
#include "vmm/thread.h"
#include "vmm/vm.h"
#include "console/console.h"
#include "mem/physmap.h"
#include "mem/pmem.h"
#include "mem/page.h"
#include "mem/heapsvc.h"
#include "x86/watchdog.h"
#include "x86/cpu.h"
#include "x86/trap.h"
#include "x86/x86.h"
#include "boot/layout.h"
#include "vxd/vxd.h"
#include "v86/v86.h"

extern uint64_t vmm_entry_tsc;
extern char boot_stack_guard[];
/* The in-guest suites and benchmarks: linked into the test build only (tests/guest/guest.h). */
extern void selftests_run(void) __attribute__((weak));

__attribute__((noreturn)) void vmm_main(uint32_t magic, uint32_t bootinfo_phys);

#define BOOT_STEPS 24
static struct { const char *what; uint64_t tsc; } steps[BOOT_STEPS];
static unsigned nsteps;

void boot_step(const char *what)
{
    if (nsteps < BOOT_STEPS) {
        steps[nsteps].what = what;
        steps[nsteps++].tsc = rdtsc();
    }
}

/* At VMM ready: how long the boot took, the calibration's wait apart (on a real PC nearly all
 * of it); with [Debug] BootTimes=1, in TSC counts and step by step (make bench reads them). */
static void boot_times(uint64_t ready)
{
    uint64_t exitbs = boot.entry_tsc - boot.bi->tsc_exit_return, run = ready - boot.entry_tsc;
    uint64_t ms = timer.tsc_per_ms ? timer.tsc_per_ms : 1;
    kprintf("boot: VMM ready %llu ms after ExitBootServices; %llu ms of them the timer's "
            "calibration (a wait)\n", (unsigned long long)((exitbs + run) / ms),
            (unsigned long long)(timer.cal_tsc / ms));
    if (!settings.boot_times)
        return;
    kprintf("boot: exitbs_to_entry_tsc=%llu entry_to_ready_tsc=%llu calibration_tsc=%llu "
            "exit_attempts=%u\n", (unsigned long long)exitbs, (unsigned long long)run,
            (unsigned long long)timer.cal_tsc, boot.bi->exit_attempts);
    uint64_t t = boot.entry_tsc;
    for (unsigned i = 0; i < nsteps; t = steps[i++].tsc)
        kprintf("boot: step %-22s tsc=%llu\n", steps[i].what, (unsigned long long)(steps[i].tsc - t));
}

void vmm_main(uint32_t magic, uint32_t bootinfo_phys)
{
    boot.entry_tsc = vmm_entry_tsc;
    console_init_early();                   /* COM1 and debugcon, where present */
    kprintf("VMM32: 32-bit VMM entered at %08x (boot info at %08x)\n", (uint32_t)vmm_main,
            bootinfo_phys);
    gdt_init();                             /* own GDT, TSS and double-fault TSS */
    idt_init();                             /* 256 stubs; exceptions give a fatal report */
    boot_step("console, GDT, IDT");
    if (magic != BOOT_ENTRY_MAGIC) {
        kprintf("vmm: entered with EAX=%08x, not the loader's magic %08x\n", magic, BOOT_ENTRY_MAGIC);
        vmm_exit(VMM_EXIT_BADBOOT);
    }
    physmap_init(rdmsr(MSR_EFER) & EFER_NXE ? 1 : 0);  /* NX bit only if the trampoline enabled it */
    if (bootinfo_map(bootinfo_phys))        /* map and validate the loader's handoff */
        vmm_exit(VMM_EXIT_BADBOOT);
    unmap_range((uint32_t)boot.bi->trampoline, boot.bi->trampoline_size);  /* last W+X pages */
    if (boot.bi->flags & BI_FLAG_FB)
        console_attach_fb(&boot.bi->fb, (boot.bi->flags & BI_FLAG_FB_BLACK) != 0);  /* text on it */
    boot_step("boot info, framebuffer");
    if (pmem_init())                        /* frame allocator over the memory map */
        vmm_exit(VMM_EXIT_BADBOOT);
    boot_step("frames");
    if (page_init())                        /* arenas, contexts, page services */
        vmm_exit(VMM_EXIT_BADBOOT);
    page_make_guard((uint32_t)boot_stack_guard);    /* the boot stack overflows into a fault */
    heapsvc_init();                         /* the system heap, over the page services */
    boot_step("pages, heap");
    int_init();                             /* hook tables; the 8259s at 50h-5Fh, all masked */
    symbols_init();                         /* the VMM's own symbols, for fault reports */
    sysini_load();                          /* VMM/SYSTEM.INI settings */
    cpu_identify();
    cpu_enable_smep();
    boot_step("interrupts, symbols, INI");
    acpi_load();                            /* PM timer, local APIC, 8259s, from the tables */
    if (int_apic_init(acpi.lapic_addr_override ? acpi.lapic_addr_override : acpi.lapic_addr) ||
        timer_init(acpi.pm_timer_port, acpi.pm_timer_32bit, settings.timer_hz))
        vmm_exit(VMM_EXIT_BADBOOT);         /* no timer: no scheduling; say why and stop */
    boot_step("ACPI, timer");
    watchdog_init(&acpi);                   /* NMIs for guarded calls; without one, go on */
    if (vm_init() || thread_init(settings.min_timeslice) ||
        event_init())
        vmm_exit(VMM_EXIT_BADBOOT);         /* the boot flow becomes thread 1; idle, events */
    fpu_init();                             /* every thread its own FPU, switched lazily */
    if (v86_init(settings.conv_kb))         /* every VM's V86 space, the monitor, break points */
        vmm_exit(VMM_EXIT_BADBOOT);
    boot_step("VMs, threads, V86");
    if (selftests_run)
        timer_latency_watch(1);             /* the test build: how late the timer comes */
    timer_start();                          /* periodic; taken once interrupts are on (after the
                                               event thread's first run: the boot stays exact) */

    kprintf("console: %s\n", console_sinks());
    cpu_print_summary((boot.bi->flags & BI_FLAG_NX) != 0);
    bootinfo_print_summary();
    pmem_print_summary();
    page_print_summary();
    boot_step("summary");
    if (!vxd_boot())                        /* the VxDs, in Init_Order; SHELL says ready */
        kprintf("vxd: no SHELL device to announce the system\nVMM ready\n");
    boot_times(rdtsc());
    v86_init_done();                        /* the global V86 area is closed */
    vm_set_win_time_slice(settings.win_fg, settings.win_bg);   /* WinTimeSlice= */
    event_stats_every(settings.sched_stats);    /* SchedStats=: the CPU account, periodically */
    if (selftests_run)
        selftests_run();                    /* the test build's suites, as [Debug] asks */
    if (!vmm_exit_port)
        exit_wait();                        /* Exit_System: the idle thread has the CPU till then */
    vxd_shutdown();                         /* System_Exit, Sys_Critical_Exit */
    if (!vmm_exit_port)
        kprintf("VMM: the system has ended (%s): it is now safe to turn off your computer\n",
                exit_why);
    vmm_exit(VMM_EXIT_READY);
}
