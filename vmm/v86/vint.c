/*
 * Virtual interrupts into V86 VMs: VPICD_Set_Int_Request / VPICD_Clear_Int_Request (the IRQ line
 * of a VM), Enable_VM_Ints / Disable_VM_Ints, Call_When_VM_Ints_Enabled, and what the fault
 * path's resume does on the way back into a VM's V86 code (v86_vint_due): a VM to end (the
 * tick's CLI watchdog), the Call_When_VM_Ints_Enabled procedures, and the highest-priority
 * requested IRQ, while the VM's virtual IF is set.
 *
 * The virtual PIC is VPICD.VXD's (vxd/vpicd: a VM's 8259 pair, as its program sets it up): a
 * request goes to its line procedure; it says when the VM's INT line changes (VPICD_Set_VM_
 * Intr), and resume, when the VM's virtual IF is set, takes the interrupt through its inta
 * procedure, which gives the vector.  Without VPICD.VXD an IRQ goes to the PC's vector for it --
 * 08h + IRQ for 0-7, 70h + IRQ - 8 for 8-15 -- in the 8259s' priority order (0, 1, 8-15, 3-7),
 * once per request.
 */
#pragma GCC optimize("omit-frame-pointer")   /* on the V86 trap path; see mem/heap.c */
#include "v86/v86.h"
#include "int/fault.h"
#include "int/int.h"
#include "sched/sched.h"
#include "console/console.h"
#include "x86/x86.h"
#include "vmm.h"

static const uint8_t prio[15] = { 0, 1, 8, 9, 10, 11, 12, 13, 14, 15, 3, 4, 5, 6, 7 };
static const struct vpicd_virtual_pic *pic;     /* VPICD.VXD's, once installed */

void v86_update_due(struct v86_space *s)
{
    uint8_t due = s->kill || s->irr || s->nie || s->intr;
    if (due != s->due) {
        s->due = due;
        if (due)
            fault_v86_due++;
        else
            fault_v86_due--;
    }
}

void v86_wake(struct v86_space *s)
{
    if (!s->halted)
        return;
    s->halted = 0;
    struct thread *t = tq_pop(&s->hlt_q);
    if (t && thread_wake(t))
        int_resched_pending = 1;        /* switched to on the way out of the interrupt or call */
}

unsigned v86_vint_purge(struct v86_space *s, uint32_t lo, uint32_t hi)
{
    INTS_OFF();
    unsigned n = 0;
    for (unsigned i = 0; i < s->nie;)
        if ((uint32_t)s->ie[i].proc - lo < hi - lo) {
            for (unsigned j = i + 1; j < s->nie; j++)   /* the rest keep their order */
                s->ie[j - 1] = s->ie[j];
            s->nie--;
            n++;
        } else {
            i++;
        }
    v86_update_due(s);
    return n;
}

void v86_vint_due(struct v86_space *s, struct client_regs *r)
{
    if (s->kill) {
        const char *why = s->kill;
        s->kill = 0;
        v86_update_due(s);
        v86_crash(r, why);
    }
    while (s->mon.vif && s->nie) {          /* Call_When_VM_Ints_Enabled, oldest first */
        v86_callback proc = s->ie[0].proc;
        void *ref = s->ie[0].ref;
        for (unsigned i = 1; i < s->nie; i++)
            s->ie[i - 1] = s->ie[i];
        s->nie--;
        proc((VMHANDLE)s->vm, ref, r);
    }
    if (s->mon.vif && s->intr && pic) {     /* the virtual PIC's INTA: the vector */
        int v = pic->inta((VMHANDLE)s->vm);
        if (v >= 0)
            v86_deliver(s, r, (unsigned)v);
    } else if (s->mon.vif && s->irr) {
        unsigned irq = 0;
        for (unsigned i = 0; i < sizeof prio; i++)
            if (s->irr >> prio[i] & 1) {
                irq = prio[i];
                break;
            }
        s->irr &= ~(1u << irq);
        v86_deliver(s, r, irq < 8 ? 0x08 + irq : 0x70 + irq - 8);
    }
    v86_update_due(s);
}

void VPICD_Set_Int_Request(uint32_t hirq, VMHANDLE vm)
{
    INTS_OFF();
    int irq = int_irq_of(hirq);
    struct v86_space *s = v86_of(vm);
    if (irq < 0 || !s) {
        refused("VPICD_Set_Int_Request", CALLER, "IRQ handle %08x or VM %08x is not one", hirq,
                vm);
        return;
    }
    if (pic) {
        pic->line(vm, (unsigned)irq, 1);
        return;
    }
    s->irr |= 1u << irq;
    v86_update_due(s);
    if (s->mon.vif)
        v86_wake(s);                        /* out of HLT: the interrupt is for it */
}

void VPICD_Clear_Int_Request(uint32_t hirq, VMHANDLE vm)
{
    INTS_OFF();
    int irq = int_irq_of(hirq);
    struct v86_space *s = v86_of(vm);
    if (irq < 0 || !s) {
        refused("VPICD_Clear_Int_Request", CALLER, "IRQ handle %08x or VM %08x is not one", hirq,
                vm);
        return;
    }
    if (pic) {
        pic->line(vm, (unsigned)irq, 0);
        return;
    }
    s->irr &= ~(1u << irq);
    v86_update_due(s);
}

void VPICD_Install_Virtual_PIC(const struct vpicd_virtual_pic *p)
{
    INTS_OFF();
    pic = p;
}

/* The virtual PIC out, if it lies in [lo, hi) (VPICD.VXD unloaded): the VMs' INT lines drop, the
 * requests go to the PC's vectors from now on. */
unsigned v86_pic_purge(uint32_t lo, uint32_t hi)
{
    INTS_OFF();
    if (!pic || ((uint32_t)pic - lo >= hi - lo && (uint32_t)pic->line - lo >= hi - lo))
        return 0;
    pic = 0;
    FOR_EACH_VM(v)
        if (v->v86) {
            v->v86->intr = 0;
            v86_update_due(v->v86);
        }
    return 1;
}

void VPICD_Set_VM_Intr(VMHANDLE vm, int level)
{
    INTS_OFF();
    struct v86_space *s = v86_of(vm);
    if (!s)
        return;
    s->intr = level != 0;
    v86_update_due(s);
    if (level && s->mon.vif)
        v86_wake(s);                        /* out of HLT: the interrupt is for it */
}

void Enable_VM_Ints(void)
{
    INTS_OFF();
    struct v86_space *s = v86_current();
    if (s)
        s->mon.vif = V86_FL_IF;             /* what waited for it: resume delivers it */
}

void Disable_VM_Ints(void)
{
    INTS_OFF();
    struct v86_space *s = v86_current();
    if (s)
        s->mon.vif = 0;
}

uint32_t Call_When_VM_Ints_Enabled(void *ref, v86_callback proc)
{
    struct v86_space *s;
    {
        INTS_OFF();
        s = v86_current();
        if (!s || !v86_client(s) || !proc || s->nie == sizeof s->ie / sizeof s->ie[0])
            return refused("Call_When_VM_Ints_Enabled", CALLER, "%s",
                           !s || !v86_client(s) ? "the current VM runs no V86 code"
                           : !proc ? "no procedure" : "8 calls pending already");
        if (!s->mon.vif) {
            s->ie[s->nie].proc = proc;
            s->ie[s->nie++].ref = ref;
            v86_update_due(s);
            return 1;
        }
    }
    proc((VMHANDLE)s->vm, ref, v86_client(s));      /* its interrupts are on: now */
    return 1;
}
