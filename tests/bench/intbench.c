/*
 * Interrupt benchmarks (SYSTEM.INI [Debug] Bench=1, after the memory ones), in instructions under
 * icount like the rest:
 *   int_soft        INT 30h to a Set_PM_Int_Vector handler and back (stub, dispatch, IRET)
 *   fault_hooks_N   #UD through a Hook_VMM_Fault chain of N hooks (N-1 decline, the first
 *                   installed fixes EIP) and back: the slope is the cost of each extra hook
 *   irq_timer       a hardware interrupt (the APIC timer) from the stub to its hooked
 *                   second-level handler and back to the interrupted loop, no reschedule:
 *                   measured by difference, a fixed loop run with interrupts off and then on,
 *                   the extra instructions divided by the interrupts taken
 *   tick_sched      the same with the scheduler's own tick in place: the clock read, due
 *                   time-outs and sleepers looked for, the running thread charged; no switch
 *   irq_vpicd       an IRQ owned through VPICD: PIT channel 0 at 10 kHz on IRQ 0 (the 8259,
 *                   LINT0), from the stub to its owner's handler, VPICD_Phys_EOI and back, by
 *                   difference the same way, the APIC timer stopped meanwhile
 */
#include "guest/guest.h"
#include "bench/benchlib.h"
#include "console/console.h"
#include "lib/kfmt.h"
#include "int/int.h"
#include "int/timer.h"
#include "x86/trap.h"
#include "x86/x86.h"
#include "x86/apic.h"

static int soft(struct client_regs *r, void *ref)
{
    (void)ref;
    r->eax++;
    return 0;
}

static int decline(struct client_regs *r, void *ref)
{
    (void)r;
    (void)ref;
    return 1;
}

static int skip_ud2(struct client_regs *r, void *ref)
{
    (void)ref;
    r->eip += 2;
    return 0;
}

static volatile uint32_t ticks_seen;
static void tick(struct client_regs *r)
{
    (void)r;
    ticks_seen++;
}

static volatile uint32_t sink;
static volatile uint32_t pit_irqs;
static int pit_proc(uint32_t hirq, struct client_regs *r, void *ref)
{
    (void)r, (void)ref;
    pit_irqs++;
    VPICD_Phys_EOI(hirq);
    return 0;
}

static __attribute__((noinline)) void busy(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        sink = i;
}

static uint64_t timer_ticks(void) { return timer.ticks; }
static uint64_t pit_count(void) { return pit_irqs; }

/* The loop again with interrupts on, against quiet (the same loop with them off): the extra
 * instructions divided by the interrupts count() saw meanwhile -- one figure, so min = mean =
 * max, printed as name. */
static void by_difference(const char *name, uint64_t quiet, uint32_t loops, uint64_t (*count)(void))
{
    irq_enable();
    __asm__ volatile("nop; nop" : : : "memory");    /* one pending from before lands here */
    uint64_t k0 = count(), t0 = rdtsc();
    busy(loops);
    irq_disable();                                  /* both ends inside the window */
    uint64_t loud = rdtsc() - t0;
    uint32_t k = (uint32_t)(count() - k0);
    if (!k || loud <= quiet) {
        kprintf("bench: %s: no interrupt during the loop (%u)\n", name, k);
        return;
    }
    uint64_t per = (loud - quiet) / k;
    struct bench_stat t = { k, per * k, per, per };
    bench_print(name, &t);
}

void intbench_run(void)
{
    uint64_t over = bench_bracket();
    char name[24];

    /* INT n to its handler and back */
    Set_PM_Int_Vector(0x30, soft, 0);
    struct bench_stat st = { 0 };
    for (int i = 0; i < 256; i++) {
        uint32_t a = 0;
        uint64_t t0 = rdtsc();
        __asm__ volatile("int $0x30" : "+a"(a) : : "memory");
        bench_add(&st, rdtsc() - t0 - over);
    }
    Set_PM_Int_Vector(0x30, 0, 0);
    bench_print("int_soft", &st);

    /* #UD through chains of 1, 2, 4, 8 hooks */
    Hook_VMM_Fault(6, skip_ud2, 0);
    unsigned hooked = 1;
    for (unsigned n = 1; n <= 8; n *= 2) {
        while (hooked < n)
            Hook_VMM_Fault(6, decline, (void *)(uintptr_t)hooked++);
        st = (struct bench_stat){ 0 };
        for (int i = 0; i < 256; i++) {
            uint64_t t0 = rdtsc();
            __asm__ volatile("ud2" : : : "memory");
            bench_add(&st, rdtsc() - t0 - over);
        }
        ksnprintf(name, sizeof name, "fault_hooks_%u", n);
        bench_print(name, &st);
    }
    while (hooked > 1)
        Unhook_VMM_Fault(6, decline, (void *)(uintptr_t)--hooked);
    Unhook_VMM_Fault(6, skip_ud2, 0);

    /* The APIC timer's interrupt, by difference: its trivial hook, then the scheduler's own
     * tick -- the clock read, due time-outs and sleepers looked for (none due), the running
     * thread charged the CPU time it used (alone at its priority: no switch) */
    const uint32_t loops = 200000;
    uint64_t t0 = rdtsc();
    busy(loops);
    uint64_t quiet = rdtsc() - t0;
    int_tick_fn sched_tick = int_set_tick_hook(tick);    /* the scheduler's, put back below */
    uint32_t seen0 = ticks_seen;
    uint64_t k0 = timer.ticks;
    by_difference("irq_timer", quiet, loops, timer_ticks);
    int_set_tick_hook(sched_tick);
    if (ticks_seen - seen0 < timer.ticks - k0)
        kprintf("bench: irq_timer: %u ticks missed the hook\n",
                (uint32_t)(timer.ticks - k0) - (ticks_seen - seen0));
    by_difference("tick_sched", quiet, loops, timer_ticks);

    /* IRQ 0 from the PIT, owned through VPICD (shared with VTD's: the last owner is called
     * first, and takes it), the APIC timer stopped: nothing else interrupts the loop */
    struct vpicd_irq_descriptor vid = { .VID_IRQ_Number = 0, .VID_Options = VPICD_OPT_CAN_SHARE,
                                        .VID_Hw_Int_Proc = pit_proc };
    uint32_t h = VPICD_Virtualize_IRQ(&vid);
    if (!h) {
        kprintf("bench: irq_vpicd: IRQ 0 could not be virtualised\n");
        return;
    }
    apic_timer_stop();
    outb(0x43, 0x34);                       /* channel 0, mode 2, 10 kHz */
    outb(0x40, (uint8_t)(1193182u / 10000));
    outb(0x40, (uint8_t)((1193182u / 10000) >> 8));
    VPICD_Physically_Unmask(h);
    by_difference("irq_vpicd", quiet, loops, pit_count);
    VPICD_Physically_Mask(h);
    VPICD_Force_Default_Behavior(h);
    outb(0x43, 0x30);                       /* channel 0 back to one-shot, stopped */
    outb(0x40, 0);
    outb(0x40, 0);
    timer_start();
}
