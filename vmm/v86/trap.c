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
 *        CPU in real mode delivers them
 *
 * A fault the VM cannot take (its stack unusable, nothing mapped where it must be) ends the VM
 * with a report naming it, CS:IP and the bytes there -- never the system.  On the way back into
 * V86 code (fault_v86->resume) virtual interrupts and call backs that became due are delivered.
 * The timer tick counts how long V86 code runs with its virtual IF clear: past V86_CLI_LIMIT_MS
 * the VM is ended (a spin after CLI).
 */
#include "v86/v86.h"
#include "v86/decode.h"
#include "int/fault.h"
#include "int/int.h"
#include "int/timer.h"
#include "sched/sched.h"
#include "console/console.h"
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
    kprintf("v86: VM %u ended: %s at %04x:%04x (bytes%s), SS:SP %04x:%04x\n",
            thread_cur->vm->cb.CB_VMID, what, r->cs & 0xFFFF, r->eip & 0xFFFF,
            n ? bytes : " unreadable", r->ss & 0xFFFF, r->esp & 0xFFFF);
    Crash_Cur_VM();
}

/* ---- delivering interrupts and exceptions -------------------------------------------------- */

/* n through the VM's IVT, as a real-mode CPU does; the VM ends if it cannot take it. */
static void reflect(struct v86_space *s, struct client_regs *r, unsigned n, const char *why)
{
    struct v86_event ev;
    switch (v86_reflect(&s->mon, r, n, &ev)) {
    case V86_DONE:
        return;
    case V86_PAGE:
        if (v86_page_fault(s, ev.lin, ev.write, r) && v86_reflect(&s->mon, r, n, &ev) == V86_DONE)
            return;
        v86_crash(r, ev.lin < 0x400 ? "its interrupt vector table is not mapped"
                                    : "its stack is not mapped or not writable");
    default:
        (void)why;
        v86_crash(r, "no room on its stack for an interrupt frame (a CPU would shut down)");
    }
}

int v86_deliver(struct v86_space *s, struct client_regs *r, unsigned n)
{
    if (int_v86_chain(n, r))                    /* a hook consumed it */
        return 0;
    reflect(s, r, n, "interrupt");
    return 0;
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
    reflect(s, r, n, "exception");
    return 1;
}

/* ---- #GP: the monitor ---------------------------------------------------------------------- */

struct io_ctx {
    struct v86_space *s;
    struct client_regs *r;
};

static int io(void *ctx, unsigned port, unsigned type, uint32_t *data)
{
    struct io_ctx *c = ctx;
    uint32_t v = io_dispatch((uint32_t)c->s->vm, type, port, *data, c->r);
    if (!(type & V86_IO_OUTPUT))
        *data = v;
    return 0;
}

static void hlt(struct v86_space *s, struct client_regs *r);

static int gp(struct v86_space *s, struct client_regs *r)
{
    struct io_ctx c = { s, r };
    struct v86_event ev;
    for (unsigned tries = 0; tries < 4; tries++)
        switch (v86_emulate(&s->mon, r, io, &c, &ev)) {
        case V86_DONE:
            return 1;
        case V86_INT:
            return v86_deliver(s, r, ev.vector), 1;
        case V86_FAULT:
            return exception(s, r, ev.vector);
        case V86_PAGE:                          /* a page it needs: a hook may map it */
            if (!v86_page_fault(s, ev.lin, ev.write, r))
                v86_crash(r, ev.write ? "an instruction writes to a page not mapped writable"
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

static int v86_fault(uint32_t v, struct client_regs *r)
{
    struct v86_space *s = thread_cur->vm->v86;
    if (!s || (s->thread && s->thread != thread_cur))
        return 0;                               /* not a VM that runs V86 code: fatal */
    if (v == 13)
        return gp(s, r);
    if (v == 6) {
        uint32_t lin = v86_seg_base(r->cs) + (r->eip & 0xFFFF);
        struct v86_insn in;
        if (v86_page_ok(s->present, lin) && v86_page_ok(s->present, lin + 1) &&
            v86_decode(s->mon.mem + lin, 2, &in) == 0 && in.family == V86_I_ARPL &&
            v86_break(s, r))
            return 1;
        return exception(s, r, 6);
    }
    if (v == 14) {
        uint32_t cr2 = read_cr2();
        if (v86_page_fault(s, cr2, r->error & 2, r))
            return 1;
        v86_crash(r, "it touched a page that is not mapped");
    }
    return exception(s, r, v);
}

static void v86_resume(struct client_regs *r)
{
    struct v86_space *s = thread_cur->vm->v86;
    if (s)
        v86_vint_due(s, r);
}

static void v86_tick(struct client_regs *r)
{
    struct v86_space *s = thread_cur->vm->v86;
    if (!s || s->mon.vif) {
        if (s)
            s->cli_ticks = 0;
        return;
    }
    if (++s->cli_ticks == ms_to_ticks(V86_CLI_LIMIT_MS)) {
        s->kill = "it ran with interrupts disabled for 5 s (a spin after CLI)";
        fault_v86_due = 1;                      /* resume ends it, in its own thread */
    }
    (void)r;
}

static const struct fault_v86_taker taker = { v86_fault, v86_resume, v86_tick };

void v86_trap_init(void) { fault_v86 = &taker; }
