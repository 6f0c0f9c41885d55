/*
 * In-guest tests of the interrupt services (SYSTEM.INI [Debug] IntTest=1; tests/boot/run.sh
 * reads the lines): a hooked software interrupt, hooked faults that fix the state and resume
 * after the faulting instruction, chain order, decline and unhook in the middle, a full table,
 * spurious IRQ 7 and 15, a real 8259 interrupt (the PIT on IRQ 0) through VPICD, the I/O-trap
 * table, and the APIC timer's rate.  Each failed check prints "inttest: FAIL"; the run ends with
 * "inttest: N passed, M failed".
 */
#include "guest/guest.h"
#include "int/int.h"
#include "int/timer.h"
#include "x86/pic.h"
#include "x86/trap.h"
#include "x86/x86.h"
#include "console/console.h"
#include "guest/selftest.h"
#include "mem/page.h"
#include "lib/string.h"
#include <stddef.h>

static struct selftest T = { "inttest", 0, 0 };
#define CHECK(cond, what) SELFTEST_CHECK(&T, cond, what)

/* ---- a software interrupt ---------------------------------------------------------------- */

static int int30(struct client_regs *r, void *ref)
{
    r->eax = r->eax * 2 + 1;
    r->ebx = (uint32_t)ref;
    return 0;
}

static void test_soft_int(void)
{
    uint32_t a = 20, b = 0;
    CHECK(Set_PM_Int_Vector(0x30, int30, (void *)0x1234), "Set_PM_Int_Vector(30h)");
    void *ref = 0;
    CHECK(Get_PM_Int_Vector(0x30, &ref) == int30 && ref == (void *)0x1234, "Get_PM_Int_Vector");
    __asm__ volatile("int $0x30" : "+a"(a), "+b"(b) : : "memory");
    CHECK(a == 41 && b == 0x1234, "INT 30h ran the handler, which changed EAX and EBX");
    CHECK(!Set_PM_Int_Vector(0x0E, int30, 0), "an exception vector refused");
    CHECK(!Set_PM_Int_Vector(VEC_IRQ_BASE + 1, int30, 0), "an IRQ vector refused");
    CHECK(!Set_PM_Int_Vector(VEC_APIC_TIMER, int30, 0), "the APIC timer vector refused");
    Set_PM_Int_Vector(0x30, 0, 0);
    kprintf("inttest: INT 30h: EAX 20 -> %u through the hooked handler\n", a);
}

/* ---- hooked faults ------------------------------------------------------------------------ */

static char order[16];
static unsigned norder;
static uint32_t resume_at;

static int fix_ud(struct client_regs *r, void *ref)
{
    (void)ref;
    r->eip += 2;                            /* ud2 is two bytes: go on after it */
    r->eax = 0x600D;
    return 0;
}

static int de_note(struct client_regs *r, void *ref)
{
    (void)r;
    if (norder < sizeof order - 1)
        order[norder++] = (char)(uintptr_t)ref;
    return 1;                               /* declined */
}

static int de_fix(struct client_regs *r, void *ref)
{
    if (norder < sizeof order - 1)
        order[norder++] = (char)(uintptr_t)ref;
    r->eip = resume_at;                     /* past the divide */
    r->eax = 0xD1D0;
    return 0;
}

static uint32_t divide_by_zero(void)
{
    uint32_t a = 1, d = 0, zero = 0;
    __asm__ volatile("movl $1f, %[res]\n\t"
                     "divl %[z]\n"
                     "1:"
                     : "+a"(a), "+d"(d), [res] "=m"(resume_at) : [z] "r"(zero) : "memory");
    return a;
}

static void test_fault_hooks(void)
{
    uint32_t a = 0;
    CHECK(Hook_VMM_Fault(6, fix_ud, 0), "Hook_VMM_Fault(#UD)");
    __asm__ volatile("ud2" : "+a"(a) : : "memory");
    CHECK(a == 0x600D, "#UD hooked: the handler fixed EAX and execution resumed after UD2");
    CHECK(Unhook_VMM_Fault(6, fix_ud, 0), "Unhook_VMM_Fault(#UD)");
    CHECK(!Unhook_VMM_Fault(6, fix_ud, 0), "unhooking twice refused");
    CHECK(!Hook_VMM_Fault(32, fix_ud, 0), "fault 32 refused");

    /* A fixes, B and C decline; installed A, B, C: called C, B, A. */
    CHECK(Hook_VMM_Fault(0, de_fix, (void *)'a') && Hook_VMM_Fault(0, de_note, (void *)'b') &&
          Hook_VMM_Fault(0, de_note, (void *)'c'), "three #DE hooks");
    CHECK(!Hook_VMM_Fault(0, de_note, (void *)'c'), "the same hook twice refused");
    norder = 0;
    a = divide_by_zero();
    order[norder] = 0;
    CHECK(a == 0xD1D0 && norder == 3 && order[0] == 'c' && order[1] == 'b' && order[2] == 'a',
          "#DE: the last hooked first, declines passed on, the fixer resumed past DIV");
    kprintf("inttest: #DE chain order %s\n", order);
    CHECK(Unhook_VMM_Fault(0, de_note, (void *)'b'), "unhook the middle hook");
    norder = 0;
    a = divide_by_zero();
    order[norder] = 0;
    CHECK(a == 0xD1D0 && norder == 2 && order[0] == 'c' && order[1] == 'a',
          "after unhooking the middle one: C then A");
    kprintf("inttest: #DE chain after unhooking the middle: %s\n", order);
    Unhook_VMM_Fault(0, de_note, (void *)'c');
    Unhook_VMM_Fault(0, de_fix, (void *)'a');

    unsigned n = 0;
    while (Hook_VMM_Fault(6, de_note, (void *)(uintptr_t)(0x100 + n)))
        n++;
    CHECK(n > 16 && n <= 256, "the hook table fills, then refuses");
    unsigned removed = 0;
    for (unsigned i = n; i-- > 0;)
        removed += Unhook_VMM_Fault(6, de_note, (void *)(uintptr_t)(0x100 + i));
    CHECK(removed == n, "every one of them unhooked again");
    kprintf("inttest: hook table full after %u more hooks; all removed\n", n);
}

/* ---- the 8259 ----------------------------------------------------------------------------- */

static volatile uint32_t irq0_count;
static uint32_t irq0_handle;

static int irq0_proc(uint32_t hirq, struct client_regs *r, void *ref)
{
    (void)r;
    (void)ref;
    irq0_count++;
    VPICD_Phys_EOI(hirq);
    return 0;
}

static void wait_ms(uint32_t ms)
{
    uint64_t until = rdtsc() + timer.tsc_hz / 1000 * ms;
    while (rdtsc() < until)
        sti_hlt();
}

static void test_pic(void)
{
    uint32_t s7 = int_stats.spurious_pic7, s15 = int_stats.spurious_pic15;
    __asm__ volatile("int %0" : : "i"(VEC_IRQ_BASE + 7) : "memory");
    __asm__ volatile("int %0" : : "i"(VEC_IRQ_BASE + 15) : "memory");
    CHECK(int_stats.spurious_pic7 == s7 + 1, "IRQ 7 with its in-service bit clear: spurious");
    CHECK(int_stats.spurious_pic15 == s15 + 1, "IRQ 15 with its in-service bit clear: spurious");
    CHECK(pic_isr() == 0, "nothing left in service after the spurious ones");

    /* IRQ 0 is VTD's too (for the VMs' virtual timers), shared: this owner shares it, and
     * comes first (the last virtualised is called first). */
    struct vpicd_irq_descriptor vid = { .VID_IRQ_Number = 0, .VID_Options = VPICD_OPT_CAN_SHARE,
                                        .VID_Hw_Int_Proc = irq0_proc };
    irq0_handle = VPICD_Virtualize_IRQ(&vid);
    CHECK(irq0_handle != 0, "VPICD_Virtualize_IRQ(0)");
    vid.VID_Options = 0;
    CHECK(VPICD_Virtualize_IRQ(&vid) == 0, "an owner that will not share a shared IRQ refused");
    vid.VID_IRQ_Number = 2;
    CHECK(VPICD_Virtualize_IRQ(&vid) == 0, "the cascade refused");
    if (!irq0_handle)
        return;
    /* PIT channel 0, mode 2 (rate generator) at 1 kHz: IRQ 0 through the 8259 and LINT0. */
    outb(0x43, 0x34);
    outb(0x40, (uint8_t)(1193182u / 1000));
    outb(0x40, (uint8_t)((1193182u / 1000) >> 8));
    VPICD_Physically_Unmask(irq0_handle);
    wait_ms(50);
    irq_disable();
    VPICD_Physically_Mask(irq0_handle);
    uint32_t got = irq0_count;
    CHECK(got >= 40 && got <= 60, "PIT IRQ 0 through VPICD: about 50 in 50 ms (EOI works)");
    CHECK((VPICD_Get_Complete_Status(irq0_handle) & 3) == 2, "masked, not in service");
    VPICD_Force_Default_Behavior(irq0_handle);
    outb(0x43, 0x30);                       /* channel 0 back to one-shot, stopped */
    outb(0x40, 0);
    outb(0x40, 0);
    kprintf("inttest: PIT IRQ 0 via VPICD: %u interrupts in 50 ms\n", got);
}

/* ---- I/O traps ---------------------------------------------------------------------------- */

static uint32_t io_h(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                     struct client_regs *r)
{
    (void)vm;
    (void)type;
    (void)port;
    (void)r;
    return data;
}

static void test_io(void)
{
    CHECK(Install_IO_Handler(0x1234, io_h), "Install_IO_Handler");
    CHECK(!Install_IO_Handler(0x1234, io_h), "the same port twice refused");
    CHECK(!Install_IO_Handler(0x10000, io_h), "a port past FFFFh refused");
    CHECK(Remove_IO_Handler(0x1234), "Remove_IO_Handler");
    CHECK(!Remove_IO_Handler(0x1234), "removing twice refused");
}

/* ---- the timer ---------------------------------------------------------------------------- */

static void test_timer(void)
{
    /* From one tick to the tick 200 ms of TSC time later: start right after a tick, stop at
     * the first tick past 200 ms less half a period, so the window holds whole periods. */
    uint64_t period = timer.tsc_hz / timer.hz, span = timer.tsc_hz / 5 - period / 2;
    sti_hlt();                              /* a tick that was pending while IF was 0 ... */
    sti_hlt();                              /* ... and then one on its edge */
    uint64_t t0 = rdtsc(), k0 = timer.ticks;
    uint32_t ms0 = Get_System_Time();
    while (rdtsc() - t0 < span)
        sti_hlt();
    irq_disable();
    uint64_t k1 = timer.ticks;
    uint32_t ms1 = Get_System_Time();
    uint32_t ticks = (uint32_t)(k1 - k0), hz = ticks * 5;
    /* Within 1 %: 200 ms at the configured rate, plus or minus one tick at the edges. */
    uint32_t want = timer.hz / 5, slack = want / 100 + 1;
    CHECK(ticks + slack >= want && ticks <= want + slack, "timer rate within 1 %");
    uint32_t want_ms = ticks * 1000 / timer.hz;        /* the window: whole timer periods */
    CHECK(ms1 - ms0 + 1 >= want_ms && ms1 - ms0 <= want_ms + 1,
          "Get_System_Time advanced as many ms as the ticks say");
    kprintf("inttest: timer: %u ticks in 200 ms = %u Hz (configured %u Hz); "
            "Get_System_Time advanced %u ms\n", ticks, hz, timer.hz, ms1 - ms0);
}

/* ---- redispatch: a switch of stacks on the way out of an interrupt ------------------------- */

static struct client_regs *waiting;         /* the frame of whoever is not running */
static volatile uint32_t other_ran;

static struct client_regs *switcher(struct client_regs *r)
{
    int_resched_pending = 0;
    struct client_regs *next = waiting;
    waiting = r;                            /* the one interrupted waits, its frame as it is */
    return next;
}

static int noop(struct client_regs *r, void *ref)
{
    (void)r;
    (void)ref;
    return 0;
}

static __attribute__((noreturn)) void other_thread(void)
{
    other_ran++;
    int_resched_pending = 1;
    __asm__ volatile("int $0x31" : : : "memory");     /* back to the first, for good */
    for (;;)
        halt_forever();
}

static void test_redispatch(void)
{
    uint32_t top = kstack_create(2);
    CHECK(top != 0, "a second ring-0 stack");
    if (!top)
        return;
    /* A frame as the stubs leave it, at the top of the new stack (room above it for a return
     * address nobody uses), resuming at other_thread with interrupts off. */
    struct client_regs *f = (struct client_regs *)(top - 16 - offsetof(struct client_regs, esp));
    memset(f, 0, offsetof(struct client_regs, esp));
    f->eip = (uint32_t)other_thread;
    f->cs = SEL_KCODE;
    f->eflags = 0x2;
    waiting = f;
    Set_PM_Int_Vector(0x31, noop, 0);
    struct client_regs *(*keep)(struct client_regs *) = int_resched;   /* the scheduler's */
    int_resched = switcher;
    int_resched_pending = 1;
    uint32_t b = 0xB0B0CAFE, si = 0x51515151;
    __asm__ volatile("int $0x31" : "+b"(b), "+S"(si) : : "memory");   /* there, and back */
    int_resched = keep;
    Set_PM_Int_Vector(0x31, 0, 0);
    CHECK(other_ran == 1, "the other stack's code ran once, switched to on the way out");
    CHECK(b == 0xB0B0CAFE && si == 0x51515151, "and the first resumed with its registers");
    kstack_destroy(top, 2);
    kprintf("inttest: redispatch: switched to another stack and back (%u)\n", other_ran);
}

/* ---- NMI events (the monitor's nmi command, in the monitor-mce scenario) -------------------- */

static int nmi_hook(struct client_regs *r, void *ref)
{
    (void)ref;
    kprintf("inttest: NMI hook: NMI %u at %04x:%08x\n", int_stats.nmi, r->cs & 0xFFFF, r->eip);
    return 0;
}

void inttest_run(void)
{
    kprintf("inttest: start\n");
    test_soft_int();
    test_fault_hooks();
    test_io();
    test_pic();
    test_timer();
    test_redispatch();
    CHECK(Hook_NMI_Event(nmi_hook, 0), "Hook_NMI_Event (stays hooked: NMIs after the test)");
    selftest_end(&T);
}
