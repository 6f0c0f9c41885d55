/*
 * vmm_main: the VMM's boot, one step a line.  Entered from x86/entry.S on the boot stack with
 * interrupts off, paging on (the loader's PAE tables) and the trampoline's GDT.
 */
#include "vmm.h"
#include "boot/modules.h"
#include "boot/symbols.h"
#include "boot/sysini.h"
#include "bench/membench.h"
#include "mem/pagetest.h"
#include "boot/acpi_load.h"
#include "int/int.h"
#include "int/inttest.h"
#include "int/timer.h"
#include "sched/thread.h"
#include "vmm/thread.h"
#include "vmm/vm.h"
#include "sched/schedtest.h"
#include "console/console.h"
#include "mem/physmap.h"
#include "mem/pmem.h"
#include "mem/page.h"
#include "mem/heapsvc.h"
#include "x86/cpu.h"
#include "x86/trap.h"
#include "x86/x86.h"
#include "boot/layout.h"
#include "vxd/vxd.h"
#include "vxd/vxdtest.h"

extern uint64_t vmm_entry_tsc;
extern char boot_stack_guard[];
static __attribute__((noinline)) void boot_fault(const char *kind);

__attribute__((noreturn)) void vmm_main(uint32_t magic, uint32_t bootinfo_phys);

void vmm_main(uint32_t magic, uint32_t bootinfo_phys)
{
    boot.entry_tsc = vmm_entry_tsc;
    console_init_early();                   /* COM1 and debugcon, where present */
    kprintf("VMM32: 32-bit VMM entered at %08x (boot info at %08x)\n", (uint32_t)vmm_main,
            bootinfo_phys);
    gdt_init();                             /* own GDT, TSS and double-fault TSS */
    idt_init();                             /* 256 stubs; exceptions give a fatal report */
    if (magic != BOOT_ENTRY_MAGIC) {
        kprintf("vmm: entered with EAX=%08x, not the loader's magic %08x\n", magic, BOOT_ENTRY_MAGIC);
        vmm_exit(VMM_EXIT_BADBOOT);
    }
    physmap_init(rdmsr(MSR_EFER) & EFER_NXE ? 1 : 0);  /* NX bit only if the trampoline enabled it */
    if (bootinfo_map(bootinfo_phys))        /* map and validate the loader's handoff */
        vmm_exit(VMM_EXIT_BADBOOT);
    unmap_range((uint32_t)boot.bi->trampoline, boot.bi->trampoline_size);  /* last W+X pages */
    if (boot.bi->flags & BI_FLAG_FB)
        console_attach_fb(&boot.bi->fb);    /* text console on the GOP framebuffer */
    if (pmem_init())                        /* frame allocator over the memory map */
        vmm_exit(VMM_EXIT_BADBOOT);
    if (page_init())                        /* arenas, contexts, page services */
        vmm_exit(VMM_EXIT_BADBOOT);
    page_make_guard((uint32_t)boot_stack_guard);    /* the boot stack overflows into a fault */
    heapsvc_init();                         /* the system heap, over the page services */
    int_init();                             /* hook tables; the 8259s at 50h-5Fh, all masked */
    symbols_init();                         /* the VMM's own symbols, for fault reports */
    sysini_load();                          /* VMM/SYSTEM.INI settings */
    cpu_identify();
    acpi_load();                            /* PM timer, local APIC, 8259s, from the tables */
    if (int_apic_init(acpi.lapic_addr_override ? acpi.lapic_addr_override : acpi.lapic_addr) ||
        timer_init(acpi.pm_timer_port, acpi.pm_timer_32bit, settings.timer_hz))
        vmm_exit(VMM_EXIT_BADBOOT);         /* no timer: no scheduling; say why and stop */
    if (vm_init() || thread_init((settings.min_timeslice * settings.timer_hz + 999) / 1000) ||
        event_init())
        vmm_exit(VMM_EXIT_BADBOOT);         /* the boot flow becomes thread 1; idle, events */
    timer_start();                          /* periodic; taken once interrupts are on (after the
                                               event thread's first run: the boot stays exact) */

    kprintf("console: %s\n", console_sinks());
    cpu_print_summary((boot.bi->flags & BI_FLAG_NX) != 0);
    bootinfo_print_summary();
    pmem_print_summary();
    uint64_t ready = rdtsc();
    kprintf("bench: exitbs_to_entry_tsc=%llu entry_to_ready_tsc=%llu exit_attempts=%u\n",
            (unsigned long long)(boot.entry_tsc - boot.bi->tsc_exit_return),
            (unsigned long long)(ready - boot.entry_tsc), boot.bi->exit_attempts);
    page_print_summary();
    if (!vxd_boot())                        /* the VxDs, in Init_Order; SHELL says ready */
        kprintf("vxd: no SHELL device to announce the system\nVMM ready\n");
    if (settings.page_test)
        pagetest_run();                     /* the page services on real page tables */
    if (settings.int_test)
        inttest_run();                      /* the interrupt services, the 8259, the timer */
    vm_set_win_time_slice(settings.win_fg, settings.win_bg);   /* WinTimeSlice= */
    event_stats_every(settings.sched_stats);    /* SchedStats=: the CPU account, periodically */
    if (settings.sched_test)
        schedtest_run();                    /* threads, the time-slicer, semaphores */
    if (settings.vxd_test)
        vxdtest_run();                      /* VXDLDR and the dynalink, 1,000 times */
    if (settings.bench)
        membench_run();                     /* make bench: instruction counts under icount */
    if (settings.boot_fault[0])
        boot_fault(settings.boot_fault);    /* test aid: must end in a fatal report */
    if (vmm_exit_port) {
        vxd_shutdown();                     /* System_Exit, Sys_Critical_Exit */
        vmm_exit(VMM_EXIT_READY);
    }
    for (;;)
        thread_sleep(3600000);              /* done: the idle thread (sti; hlt) has the CPU */
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
