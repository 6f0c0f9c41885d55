/*
 * Interrupt dispatch and the interrupt services: see int/int.h and include/vmm/int.h.
 *
 *   vector   what                         goes to
 *   00-1F    exceptions                   (int/fault.c offers them to the page services first)
 *                                         int_fault: the fault chain of the ring it came from
 *                                         (Hook_VMM_Fault / Hook_PM_Fault / Hook_V86_Fault);
 *                                         NMI to Hook_NMI_Event; #MC reported, fatal
 *   50-5F    8259 IRQ 0-15                the VPICD owner(s) of the IRQ; spurious 7/15 dropped
 *   60       local APIC timer             ticks, the tick hook; EOI here
 *   61       local APIC error             logged; EOI here
 *   FF       local APIC spurious          counted; no EOI (the SDM's rule)
 *   others   software interrupts          the handler of Set_PM_Int_Vector, else logged
 *
 * The chains live in one hook table (int/hook.h); chain numbers below.
 */
#include "int/int.h"
#include "int/fault.h"
#include "int/timer.h"
#include "int/hook.h"
#include "mem/physmap.h"
#include "x86/apic.h"
#include "x86/watchdog.h"
#include "x86/pic.h"
#include "x86/trap.h"
#include "x86/x86.h"
#include "console/console.h"
#include "vmm.h"

#define CH_VMM_FAULT    0u          /* + fault, 0..31 */
#define CH_PM_FAULT     32u
#define CH_V86_FAULT    64u
#define CH_V86_INT      96u         /* + INT number, 0..255 */
#define CH_NMI          352u

struct int_stats int_stats;
int int_in_hw;
struct client_regs *(*int_resched)(struct client_regs *r);
volatile int int_resched_pending;

static struct hook_table hooks;
static struct { int_handler fn; void *ref; } pm_vec[256];
static int_tick_fn tick_hook;

/* VPICD: per IRQ, the owners' procedures (a chain), whether virtualised, whether shared. */
static struct vpicd_irq {
    struct vpicd_irq_descriptor vid[4];
    uint8_t used;                   /* bit i: slot i has an owner (a handle names its slot) */
    uint8_t shared;
    uint8_t in_service;
} virq[PIC_IRQS];

static void mce_init(void);
static int int_dispatch2(uint32_t v, struct client_regs *r);
static int ready;                   /* until int_init: faults are fatal, NMIs logged */

/* A VxD's hook (hooks.call: the table called it for a hook outside the VMM's code, so no
 * second look at where fn is): through the trampoline; one that faulted declined. */
static int guarded_hook(hook_fn fn, void *arg, void *ref)
{
    uint32_t ret;
    if (foreign_tramp((void *)fn, "hook handler", &ret, (uint32_t)arg, (uint32_t)ref, 0, 0, 0) !=
        FOREIGN_DONE)
        return 1;
    return (int)ret;
}

void int_init(void)
{
    extern const char __vmm_start[], __text_end[];
    hook_init(&hooks);
    hooks.call = guarded_hook;
    hooks.own_lo = (uintptr_t)__vmm_start;
    hooks.own_size = (uintptr_t)(__text_end - __vmm_start);
    io_init();
    pic_init();
    mce_init();
    ready = 1;
}

/* The local APIC: enabled at the base its MSR holds, mapped uncached, programmed. */
int int_apic_init(uint64_t base_hint)
{
    uint64_t base = apic_enable(base_hint);
    if (!base)
        return -1;
    volatile uint32_t *regs = map_phys(base, 0x1000, PM_WRITE | PM_UNCACHED);
    if (!regs) {
        kprintf("apic: cannot map the registers at %llx\n", (unsigned long long)base);
        return -1;
    }
    apic_init(regs);
    return 0;
}

int_tick_fn int_set_tick_hook(int_tick_fn fn)
{
    int_tick_fn old = tick_hook;
    tick_hook = fn;
    return old;
}

/* ---- chains ----------------------------------------------------------------------------- */

/* Which V86 INT chains have hooks, for the monitor: an INT n whose bit is clear goes straight
 * to the VM's IVT without leaving the monitor.  A bit may stay set for a chain emptied by a
 * removal deferred while it ran (until the next Hook/Unhook of that INT): that only costs the
 * slower path; it is never clear while the chain has a hook. */
uint32_t int_v86_hooked[8];

static void v86_hooked_update(unsigned chain)    /* any chain: only V86 INTs have a bit */
{
    unsigned n = chain - CH_V86_INT;
    if (n >= 256)
        return;
    if (hook_count(&hooks, CH_V86_INT + n))
        int_v86_hooked[n >> 5] |= 1u << (n & 31);
    else
        int_v86_hooked[n >> 5] &= ~(1u << (n & 31));
}

static uint32_t install(const char *svc, uint32_t caller, unsigned chain, int_handler h,
                        void *ref)
{
    struct kerr e;
    int r;
    {
        INTS_OFF();                     /* callers may run with interrupts on (VxDs do) */
        r = hook_install(&hooks, chain, (hook_fn)h, ref, &e);
        v86_hooked_update(chain);
    }
    return r ? refused(svc, caller, "%s", e.msg) : 1;
}

static uint32_t uninstall(const char *svc, uint32_t caller, unsigned chain, int_handler h,
                          void *ref)
{
    struct kerr e;
    int r;
    {
        INTS_OFF();
        r = hook_remove(&hooks, chain, (hook_fn)h, ref, &e);
        v86_hooked_update(chain);
    }
    return r ? refused(svc, caller, "%s", e.msg) : 1;
}

#define FAULT_SVC(name, base)                                                               \
    uint32_t name(unsigned fault, int_handler h, void *ref)                                 \
    {                                                                                       \
        if (fault >= 32)                                                                    \
            return refused(#name, CALLER, "not an exception number (0-31)");                \
        return install(#name, CALLER, base + fault, h, ref);                                \
    }
#define UNFAULT_SVC(name, base)                                                             \
    uint32_t name(unsigned fault, int_handler h, void *ref)                                 \
    {                                                                                       \
        if (fault >= 32)                                                                    \
            return refused(#name, CALLER, "not an exception number (0-31)");                \
        return uninstall(#name, CALLER, base + fault, h, ref);                              \
    }
FAULT_SVC(Hook_VMM_Fault, CH_VMM_FAULT)
UNFAULT_SVC(Unhook_VMM_Fault, CH_VMM_FAULT)
FAULT_SVC(Hook_PM_Fault, CH_PM_FAULT)
UNFAULT_SVC(Unhook_PM_Fault, CH_PM_FAULT)
FAULT_SVC(Hook_V86_Fault, CH_V86_FAULT)
UNFAULT_SVC(Unhook_V86_Fault, CH_V86_FAULT)

uint32_t Hook_V86_Int_Chain(unsigned intno, int_handler h, void *ref)
{
    if (intno > 255)
        return refused("Hook_V86_Int_Chain", CALLER, "interrupt number past 255");
    return install("Hook_V86_Int_Chain", CALLER, CH_V86_INT + intno, h, ref);
}

uint32_t Unhook_V86_Int_Chain(unsigned intno, int_handler h, void *ref)
{
    if (intno > 255)
        return refused("Unhook_V86_Int_Chain", CALLER, "interrupt number past 255");
    return uninstall("Unhook_V86_Int_Chain", CALLER, CH_V86_INT + intno, h, ref);
}

int int_v86_chain(unsigned n, struct client_regs *r)
{
    return hook_dispatch(&hooks, CH_V86_INT + n, r) == 0;
}

uint32_t Hook_NMI_Event(int_handler h, void *ref)
{
    return install("Hook_NMI_Event", CALLER, CH_NMI, h, ref);
}

static int vmm_vector(unsigned v)
{
    return v < 32 || (v >= VEC_IRQ_BASE && v < VEC_IRQ_BASE + PIC_IRQS) || v == VEC_APIC_TIMER ||
           v == VEC_APIC_ERROR || v == VEC_WATCHDOG || v == VEC_APIC_SPURIOUS;
}

uint32_t Set_PM_Int_Vector(unsigned vector, int_handler h, void *ref)
{
    if (vector > 255 || vmm_vector(vector))
        return refused("Set_PM_Int_Vector", CALLER, "an exception or hardware vector of the "
                       "VMM's (use Hook_VMM_Fault or VPICD)");
    if (vector == 0x20 && pm_vec[vector].fn)
        return refused("Set_PM_Int_Vector", CALLER, "INT 20h, the dynalink's");
    INTS_OFF();
    pm_vec[vector].fn = h;
    pm_vec[vector].ref = ref;
    return 1;
}

int_handler Get_PM_Int_Vector(unsigned vector, void **ref)
{
    if (vector > 255)
        return 0;
    if (ref)
        *ref = pm_vec[vector].ref;
    return pm_vec[vector].fn;
}

/* ---- VPICD ------------------------------------------------------------------------------ */

/* An IRQ handle: "VI", the owner's slot, the IRQ; nonzero and checkable. */
#define HIRQ(irq, slot) (0x56490000u | (uint32_t)(slot) << 8 | (irq))
static inline __attribute__((always_inline)) int irq_of(uint32_t h)
{
    uint32_t x = h - HIRQ(0, 0);            /* slot << 8 | irq, for a handle */
    unsigned irq = x & 0xF;
    if (x >= 0x400 || (x & 0xF0) || !((virq[irq].used >> (x >> 8)) & 1))
        return -1;                          /* (a slot past 3, an IRQ past 15, a slot unused) */
    return (int)irq;
}

int int_irq_of(uint32_t hirq) { return irq_of(hirq); }

uint32_t VPICD_Virtualize_IRQ(const struct vpicd_irq_descriptor *vid)
{
    if (!vid || vid->VID_IRQ_Number >= PIC_IRQS || !vid->VID_Hw_Int_Proc || vid->VID_IRQ_Number == 2)
        return refused("VPICD_Virtualize_IRQ", CALLER, "no descriptor, IRQ past 15 or the "
                       "cascade (2), or no hardware-interrupt procedure");
    struct vpicd_irq *q = &virq[vid->VID_IRQ_Number];
    int share = (vid->VID_Options & VPICD_OPT_CAN_SHARE) != 0;
    const char *why = 0;
    unsigned slot;
    {
        INTS_OFF();
        slot = (unsigned)__builtin_ctz(~q->used | 0x10u);
        if (q->used && (!q->shared || !share))
            why = "IRQ already virtualised and not shareable by both";
        else if (slot >= 4)
            why = "IRQ shared by four owners already";
        else {
            q->vid[slot] = *vid;
            q->used |= (uint8_t)(1u << slot);
            q->shared = (uint8_t)share;
        }
    }
    return why ? refused("VPICD_Virtualize_IRQ", CALLER, "%s", why)
               : HIRQ(vid->VID_IRQ_Number, slot);
}

void VPICD_Force_Default_Behavior(uint32_t h)
{
    int irq = irq_of(h);
    if (irq < 0) {
        refused("VPICD_Force_Default_Behavior", CALLER, "not an IRQ handle");
        return;
    }
    struct vpicd_irq *q = &virq[irq];
    INTS_OFF();
    q->used &= (uint8_t)~(1u << ((h >> 8) & 0xFF));
    if (!q->used) {
        pic_mask((unsigned)irq);
        q->shared = 0;
        if (q->in_service) {        /* its owner went without an EOI: do not block the line */
            q->in_service = 0;
            pic_eoi((unsigned)irq);
        }
    }
}

static __attribute__((noinline, cold)) void eoi_refused(uint32_t caller)
{
    refused("VPICD_Phys_EOI", caller, "not a virtualised IRQ's handle");
}

/* On every IRQ's path: no frame pointer, the refusal out of line. */
__attribute__((optimize("omit-frame-pointer"))) void VPICD_Phys_EOI(uint32_t h)
{
    int irq = irq_of(h);
    if (__builtin_expect(irq < 0, 0)) {
        eoi_refused(CALLER);
        return;
    }
    if (virq[irq].in_service) {
        virq[irq].in_service = 0;
        pic_eoi((unsigned)irq);
    }
}

void VPICD_Physically_Mask(uint32_t h)
{
    int irq = irq_of(h);
    if (irq >= 0)
        pic_mask((unsigned)irq);
    else
        refused("VPICD_Physically_Mask", CALLER, "not a virtualised IRQ's handle");
}

void VPICD_Physically_Unmask(uint32_t h)
{
    int irq = irq_of(h);
    if (irq >= 0)
        pic_unmask((unsigned)irq);
    else
        refused("VPICD_Physically_Unmask", CALLER, "not a virtualised IRQ's handle");
}

uint32_t VPICD_Get_Complete_Status(uint32_t h)
{
    int irq = irq_of(h);
    if (irq < 0)
        return 0;
    return (virq[irq].in_service ? 1u : 0) | (pic_masked((unsigned)irq) ? 2u : 0);
}

void VPICD_Virtual_EOI(VMHANDLE vm, unsigned irq)
{
    if (irq >= PIC_IRQS)
        return;
    struct vpicd_irq *q = &virq[irq];
    for (unsigned i = 4; i-- > 0;)
        if (((q->used >> i) & 1) && q->vid[i].VID_EOI_Proc)
            q->vid[i].VID_EOI_Proc(HIRQ(irq, i), vm, q->vid[i].VID_Hw_Int_Ref);
}

/* An owner's handler outside the VMM's code (a VxD's): through the guard; 1 if it took the IRQ
 * (or failed half-way: the line ended, its VxD goes). */
static __attribute__((noinline)) int irq_foreign(struct vpicd_irq *q, unsigned irq, unsigned i,
                                                 struct client_regs *r)
{
    uint32_t ret;
    if (foreign_tramp((void *)q->vid[i].VID_Hw_Int_Proc, "hardware interrupt handler", &ret,
                      HIRQ(irq, i), (uint32_t)r, (uint32_t)q->vid[i].VID_Hw_Int_Ref, 0, 0) ==
        FOREIGN_DONE)
        return ret == 0;
    if (q->in_service) {
        q->in_service = 0;
        pic_eoi(irq);
    }
    return 1;
}

static __attribute__((noinline)) void irq_dispatch(unsigned irq, struct client_regs *r)
{
    if ((irq == 7 || irq == 15) && pic_spurious(irq)) {
        if (irq == 7)
            int_stats.spurious_pic7++;
        else
            int_stats.spurious_pic15++;
        return;
    }
    int_stats.irq[irq]++;
    struct vpicd_irq *q = &virq[irq];
    if (!q->used) {                         /* nobody's line: keep it quiet from now on */
        pic_mask(irq);
        pic_eoi(irq);
        kprintf("int: IRQ %u fired with no VPICD owner; masked\n", irq);
        return;
    }
    q->in_service = 1;
    int_in_hw++;
    /* Every owner, the highest slot first, until one takes it; the owners are read again after
     * each (a handler may end its own or another's ownership). */
    for (unsigned i = 4, m = q->used; m; m = q->used & ((1u << i) - 1)) {
        i = 31u - (unsigned)__builtin_clz(m);
        __typeof__(q->vid[i].VID_Hw_Int_Proc) fn = q->vid[i].VID_Hw_Int_Proc;
        if (foreign_is_vmm((const void *)fn) ? fn(HIRQ(irq, i), r, q->vid[i].VID_Hw_Int_Ref) == 0
                                             : irq_foreign(q, irq, i, r))
            break;
    }
    int_in_hw--;
}

/* ---- machine check ------------------------------------------------------------------------ */

static void mce_report(void)
{
    uint32_t f[4];
    cpuid(1, 0, f);
    if (!(f[3] & (1u << 14))) {             /* no MCA: nothing more to say */
        kprintf("machine check: the CPU has no machine-check architecture registers\n");
        return;
    }
    uint64_t cap = rdmsr(MSR_MCG_CAP), st = rdmsr(MSR_MCG_STATUS);
    unsigned banks = (unsigned)(cap & 0xFF);
    kprintf("machine check: MCG_STATUS %016llx (%s%s%s), %u banks\n", (unsigned long long)st,
            st & 1 ? "RIPV " : "", st & 2 ? "EIPV " : "", st & 4 ? "MCIP" : "", banks);
    for (unsigned b = 0; b < banks && b < 32; b++) {
        uint64_t s = rdmsr(MSR_MC0_CTL + 4 * b + 1);
        if (!(s >> 63))
            continue;                       /* VAL clear: nothing logged in this bank */
        kprintf("machine check: bank %u status %016llx%s%s", b, (unsigned long long)s,
                (s >> 61) & 1 ? " uncorrected" : " corrected", (s >> 57) & 1 ? " PCC" : "");
        if ((s >> 58) & 1)
            kprintf(" addr %016llx", (unsigned long long)rdmsr(MSR_MC0_CTL + 4 * b + 2));
        kprintf("\n");
    }
}

/* Machine checks on: every bank reports (MCi_CTL all ones, stale status cleared), MCG_CTL too
 * where it exists, and CR4.MCE (the firmware sets it; make sure). */
static void mce_init(void)
{
    uint32_t f[4];
    cpuid(1, 0, f);
    if (!(f[3] & (1u << 7)) || !(f[3] & (1u << 14)))
        return;                             /* no #MC or no MCA banks */
    uint64_t cap = rdmsr(MSR_MCG_CAP);
    unsigned banks = (unsigned)(cap & 0xFF);
    if (cap & (1u << 8))
        wrmsr(MSR_MCG_CAP + 2, ~0ull);      /* MCG_CTL (17Bh) */
    for (unsigned b = 0; b < banks && b < 32; b++) {
        wrmsr(MSR_MC0_CTL + 4 * b, ~0ull);
        wrmsr(MSR_MC0_CTL + 4 * b + 1, 0);
    }
    __asm__ volatile("mov %%cr4, %%eax; or $0x40, %%eax; mov %%eax, %%cr4" : : : "eax");
}

/* ---- dispatch ----------------------------------------------------------------------------- */

static int nesting;                     /* second levels running */
int int_in_handler(void) { return nesting > 0; }

void int_end_orphans(void)
{
    if (nesting)
        return;
    for (unsigned v = 0x20; v < 0x100; v++)     /* the local APIC's, highest first, as EOI ends */
        if (apic_isr_bit((uint8_t)(0x11F - v)))
            apic_eoi();
    uint16_t isr = pic_isr();
    for (unsigned irq = 0; irq < 16; irq++)
        if (isr >> irq & 1 && irq != 2)
            pic_eoi(irq);
}
int int_depth(void) { return nesting; }

int int_machine_check(void)
{
    mce_report();
    return 0;
}

int int_fault(uint32_t v, struct client_regs *r)
{
    if (!ready)
        return 0;
    unsigned base = (r->eflags & EFLAGS_VM) ? CH_V86_FAULT : (r->cs & 3) ? CH_PM_FAULT
                                                                            : CH_VMM_FAULT;
    nesting++;
    int handled = hook_dispatch(&hooks, base + v, r) == 0;
    nesting--;
    return handled;
}

int int_dispatch(uint32_t v, struct client_regs *r)
{
    nesting++;
    int handled = int_dispatch2(v, r);
    nesting--;
    return handled;
}

static int int_dispatch2(uint32_t v, struct client_regs *r)
{
    if (!ready) {
        if (v != 2)
            return 0;
        kprintf("NMI received at %04x:%08x (early); continuing\n", r->cs & 0xFFFF, r->eip);
        return 1;
    }
    if (v == 2) {
        int_stats.nmi++;
        if (watchdog_owns_nmi()) {          /* the watchdog's: a guarded call running away */
            watchdog_nmis++;                /* with interrupts off?  Not the hooks' (an NMI */
            if (fault_guard && fault_guard->tick)   /* comes anywhere, in the middle of any */
                fault_guard->tick(r);       /* change: only the frame is touched here) */
        } else if (hook_dispatch(&hooks, CH_NMI, r) != 0)
            kprintf("NMI %u received at %04x:%08x; continuing\n", int_stats.nmi,
                    r->cs & 0xFFFF, r->eip);
    } else if (v >= VEC_IRQ_BASE && v < VEC_IRQ_BASE + PIC_IRQS) {
        irq_dispatch(v - VEC_IRQ_BASE, r);
    } else if (v == VEC_APIC_TIMER) {
        timer.ticks++;
        if (__builtin_expect(timer_latency.on, 0))
            timer_latency_tick(r->eip);     /* the test build: how late it came */
        apic_eoi();
        if (fault_guard && fault_guard->tick)   /* a guarded VxD call past its deadline */
            fault_guard->tick(r);
        if (r->eflags & EFLAGS_VM)          /* V86 code: how long with its IF clear */
            fault_v86->tick(r);
        if (tick_hook)                      /* the VMM's own tick: no boost (sleepers it wakes */
            tick_hook(r);                   /* are not a device's handlers) */
    } else if (v == VEC_APIC_SPURIOUS) {
        int_stats.spurious_apic++;          /* no EOI for the spurious vector */
    } else if (v == VEC_WATCHDOG) {
        apic_eoi();                         /* the watchdog's pin while it is not armed */
    } else if (v == VEC_APIC_ERROR) {
        int_stats.apic_errors++;
        kprintf("apic: error interrupt, ESR %08x\n", apic_esr());
        apic_eoi();
    } else if (pm_vec[v].fn) {
        if (pm_vec[v].fn(r, pm_vec[v].ref) != 0)
            kprintf("int: INT %02x handler declined; nothing else takes it\n", v);
    } else {
        int_stats.stray++;
        kprintf("int: stray interrupt %02x at %04x:%08x; ignored\n", v, r->cs & 0xFFFF, r->eip);
    }
    return 1;
}

/* Every handler in [lo, hi) -- a VxD's code, being unloaded -- out of the hook chains, the INT
 * vectors, the I/O traps and the virtualised IRQs; how many there were. */
unsigned int_purge(uint32_t lo, uint32_t hi)
{
    INTS_OFF();
    unsigned n = hook_purge(&hooks, lo, hi);
    for (unsigned v = 0; v < 256; v++)
        v86_hooked_update(CH_V86_INT + v);
    for (unsigned v = 0; v < 256; v++)
        if (pm_vec[v].fn && (uint32_t)pm_vec[v].fn - lo < hi - lo) {
            pm_vec[v].fn = 0;
            n++;
        }
    n += io_purge(lo, hi);
    for (unsigned irq = 0; irq < PIC_IRQS; irq++)
        for (unsigned k = 0; k < 4; k++)
            if ((virq[irq].used & (1u << k)) &&
                ((uint32_t)virq[irq].vid[k].VID_Hw_Int_Proc - lo < hi - lo ||
                 (uint32_t)virq[irq].vid[k].VID_EOI_Proc - lo < hi - lo)) {
                VPICD_Force_Default_Behavior(HIRQ(irq, k));
                n++;
            }
    return n;
}
