/*
 * The V86 monitor on the fault path (int/fault.h: fault_v86).  Every fault V86 code raises comes
 * here once the page services have had a #PF, and ends here:
 *
 *   #GP  the instruction at CS:IP emulated (v86/monitor.c: CLI STI PUSHF POPF INT n INT3 INTO
 *        IRET HLT, trapped IN OUT INS OUTS); INT n goes to Hook_V86_Int_Chain, then the IVT;
 *        anything else (a privileged instruction) to Hook_V86_Fault, then the VM ends
 *   #UD  an ARPL is a break point (break.c); anything else is an invalid opcode: Hook_V86_Fault,
 *        then INT 6 through the VM's IVT (whose default ends the VM)
 *   #PF  a Hook_V86_Page handler maps the page; else the VM ends
 *   other exceptions (#DE #DB #BP #OF #BR #NM #SS ...): Hook_V86_Fault, then the VM's IVT, as a
 *        CPU in real mode delivers them -- but #MF, the FPU's error, as a PC delivers it: IRQ 13
 *        (FERR#), INT 75h, not INT 10h (the video BIOS's vector)
 *
 * A fault the VM cannot take (its stack unusable, nothing mapped where it must be) ends the VM
 * with a report naming it, CS:IP and the bytes there -- never the system.  On the way back into
 * V86 code (fault_v86->resume) virtual interrupts and call backs that became due are delivered.
 * The timer tick watches how long V86 code runs with its virtual IF clear, by its thread's CPU
 * time (the TSC): past V86_CLI_LIMIT_MS of it the VM is ended (a spin after CLI).
 */
#pragma GCC optimize("omit-frame-pointer")   /* on the V86 trap path; see mem/heap.c */
#include "v86/v86.h"
#include "int/fault.h"
#include "int/int.h"
#include "int/timer.h"
#include "sched/sched.h"
#include "console/console.h"
#include "lib/kfmt.h"
#include "x86/trap.h"
#include "x86/x86.h"
#include "vmm.h"

#define V86_CLI_LIMIT_MS 5000u

static const char *const exc_names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range exceeded", "#UD invalid opcode", "#NM device not available",
    "#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
    "#NP segment not present", "#SS stack fault", "#GP general protection", "#PF page fault",
};

/* ---- the report ---------------------------------------------------------------------------- */

void v86_crash(struct client_regs *r, const char *what)
{
    struct v86_space *s = v86_current();
    uint32_t lin = v86_seg_base(r->cs) + (r->eip & 0xFFFF);
    char bytes[3 * 8 + 1];
    unsigned n = 0;
    for (unsigned i = 0; i < 8 && s && lin + i < V86_SPACE && v86_page_ok(s->present, lin + i); i++)
        n += (unsigned)ksnprintf(bytes + n, sizeof bytes - n, " %02x", s->mon.mem[lin + i]);
    bytes[n] = 0;
    if (s)
        ksnprintf(s->crash, sizeof s->crash, "%s at %04x:%04x", what, r->cs & 0xFFFF,
                  r->eip & 0xFFFF);
    kprintf("v86: VM %u%s: %s at %04x:%04x (bytes%s), SS:SP %04x:%04x\n",
            thread_cur->vm->cb.CB_VMID, thread_cur->vm == vm_system() ? "'s V86 code ended" :
            " ended", what, r->cs & 0xFFFF, r->eip & 0xFFFF,
            n ? bytes : " unreadable", r->ss & 0xFFFF, r->esp & 0xFFFF);
    Crash_Cur_VM();
}

/* ---- delivering interrupts and exceptions -------------------------------------------------- */

/* n through the VM's IVT, as a real-mode CPU does; the VM ends if it cannot take it. */
static __attribute__((noinline)) void reflect_more(struct v86_space *s, struct client_regs *r,
                                                   unsigned n, int res)
{
    const struct v86_event *ev = &s->mon.ev;
    if (res == V86_PAGE) {
        if (v86_page_fault(s, ev->lin, ev->write) && v86_reflect(&s->mon, r, n) == V86_DONE)
            return;
        v86_crash(r, ev->lin < 0x400 ? "its interrupt vector table is not mapped"
                                     : "its stack is not mapped or not writable");
    }
    v86_crash(r, "no room on its stack for an interrupt frame (a CPU would shut down)");
}

static inline void reflect(struct v86_space *s, struct client_regs *r, unsigned n)
{
    int res = v86_reflect(&s->mon, r, n);
    if (__builtin_expect(res != V86_DONE, 0))
        reflect_more(s, r, n, res);
}

void v86_deliver(struct v86_space *s, struct client_regs *r, unsigned n)
{
    if (!v86_hooked(&s->mon, n) || !int_v86_chain(n, r))    /* no hook consumed it */
        reflect(s, r, n);
}

/* An exception the VM raised (n < 32): Hook_V86_Fault, then its IVT or the end of the VM. */
static int exception(struct v86_space *s, struct client_regs *r, unsigned n)
{
    static char what[80];
    if (int_fault(n, r))
        return 1;
    if (n == 13 || n == 14 || n == 8 || n == 10 || n == 11 || n > 19) {
        ksnprintf(what, sizeof what, "%s nobody handles (an instruction V86 mode cannot run)",
                  n < 15 ? exc_names[n] : "exception");
        v86_crash(r, what);
    }
    reflect(s, r, n == 16 ? 0x75 : n);
    return 1;
}

/* ---- #GP: the monitor ---------------------------------------------------------------------- */


static void hlt(struct v86_space *s, struct client_regs *r);

/* What v86_emulate said, when it was not simply done; then again after a page is mapped. */
static __attribute__((noinline)) int gp_more(struct v86_space *s, struct client_regs *r, int res)
{
    const struct v86_event *ev = &s->mon.ev;
    for (unsigned tries = 0; tries < 4; tries++, res = v86_emulate(&s->mon, r))
        switch (res) {
        case V86_DONE:                          /* an unhooked INT n: reflected already */
            return 1;
        case V86_INT:                           /* a hooked one */
            v86_deliver(s, r, ev->vector);
            return 1;
        case V86_FAULT:
            if (ev->vector == 8)                /* an INT with no room for its frame */
                v86_crash(r, "no room on its stack for an interrupt frame (a CPU would shut down)");
            return exception(s, r, ev->vector);
        case V86_PAGE:                          /* a page it needs: a hook may map it */
            if (!v86_page_fault(s, ev->lin, ev->write))
                v86_crash(r, ev->write ? "an instruction writes to a page not mapped writable"
                                       : "an instruction reads a page not mapped");
            continue;
        case V86_HLT:
            hlt(s, r);
            return 1;
        default:                                /* V86_OTHER, V86_BREAK: a genuine #GP */
            return exception(s, r, 13);
        }
    v86_crash(r, "a page its instruction needs is not mapped");
}

/* Inside nested execution: an IRET or RETF that went to the nest's break point ends it now
 * (Resume_Exec returns), not after the #UD the break point would raise next. */
static __attribute__((noinline)) int gp_nest(struct v86_space *s, struct client_regs *r)
{
    if ((r->cs & 0xFFFF) == V86_BP_SEG && (r->eip & 0xFFFF) == (v86_nest_segoff() & 0xFFFF))
        v86_nest_bp(s, r);
    return 1;
}

static inline int gp(struct v86_space *s, struct client_regs *r)
{
    int res = v86_emulate(&s->mon, r);
    if (__builtin_expect(res != V86_DONE, 0))
        return gp_more(s, r, res);
    return __builtin_expect(s->nest != 0, 0) ? gp_nest(s, r) : 1;
}

/* HLT: with the virtual IF set the VM's thread waits for a virtual interrupt (vint.c wakes it);
 * with it clear nothing can come: a hung VM, reported once, whose thread waits for its end. */
static void hlt(struct v86_space *s, struct client_regs *r)
{
    if (s->irr && s->mon.vif)
        return;                                 /* one is due: resume delivers it */
    if (!s->mon.vif && !s->hung) {
        s->hung = 1;
        kprintf("v86: VM %u is hung: HLT with interrupts disabled at %04x:%04x\n",
                s->vm->cb.CB_VMID, r->cs & 0xFFFF, (r->eip - 1) & 0xFFFF);
    }
    s->halted = 1;
    while (s->halted) {
        thread_cur->state = T_BLOCKED;
        tq_push(&s->hlt_q, thread_cur);
        thread_block_self();
    }
}

/* ---- the taker ----------------------------------------------------------------------------- */

/* #UD: an ARPL (63h, no prefix) is a break point; anything else an invalid opcode. */
static inline int ud(struct v86_space *s, struct client_regs *r)
{
    uint32_t lin = v86_seg_base(r->cs) + (r->eip & 0xFFFF);
    if (__builtin_expect(v86_page_ok(s->present, lin) && s->mon.mem[lin] == 0x63, 1) &&
        v86_break(s, r))
        return 1;
    return exception(s, r, 6);
}

static __attribute__((noinline, noreturn)) void page_crash(struct client_regs *r, uint32_t cr2)
{
    char why[80];
    ksnprintf(why, sizeof why, (r->error & 3) == 3 ? "it wrote to %05x, a page it may only "
              "read" : "it touched %05x, a page that is not mapped", cr2);
    v86_crash(r, why);
}

static int v86_fault(uint32_t v, struct client_regs *r)
{
    struct v86_space *s = thread_cur->vm->v86;
    if (!s || (s->thread && s->thread != thread_cur))
        return 0;                               /* not a VM that runs V86 code: fatal */
    if (v == 14) {                  /* (#GP and #UD come through trap_v86_gp/_ud, never here) */
        uint32_t cr2 = read_cr2();
        if (v86_page_fault(s, cr2, r->error & 2))
            return 1;
        page_crash(r, cr2);
    }
    return exception(s, r, v);
}

static void v86_resume(struct client_regs *r)
{
    struct v86_space *s = thread_cur->vm->v86;
    if (s && s->due)                            /* fault_v86_due counts every VM's */
        v86_vint_due(s, r);
}

/* The timer interrupted V86 code: with its vif clear, how much CPU time it has had since a tick
 * first found it so (its thread's CPU account: merged ticks lose none of it). */
static void v86_tick(struct client_regs *r)
{
    struct v86_space *s = thread_cur->vm->v86;
    (void)r;
    if (!s || s->mon.vif) {
        if (s)
            s->cli_seen = 0;
        return;
    }
    uint64_t cpu = thread_cpu(thread_cur);
    if (!s->cli_seen) {
        s->cli_seen = 1;
        s->cli_from = cpu;
    } else if (cpu - s->cli_from >= V86_CLI_LIMIT_MS * timer.tsc_per_ms && !s->kill) {
        s->kill = "it ran with interrupts disabled for 5 s (a spin after CLI)";
        v86_update_due(s);                      /* resume ends it, in its own thread */
    }
}

/* A #GP or #UD from V86 mode, from the stubs (x86/trap.h: trap_v86_gp, trap_v86_ud), the whole
 * of their second half: only the VM's own thread runs V86 code; gp and ud always take it. */
static struct client_regs *v86_gp(struct client_regs *r)
{
    gp(thread_cur->vm->v86, r);
    return trap_exit(r);
}

static struct client_regs *v86_ud(struct client_regs *r)
{
    ud(thread_cur->vm->v86, r);
    return trap_exit(r);
}

static const struct fault_v86_taker taker = { v86_fault, v86_resume, v86_tick };

void v86_trap_init(void)
{
    fault_v86 = &taker;
    trap_v86_gp = v86_gp;
    trap_v86_ud = v86_ud;
}
