/*
 * Virtual interrupts into V86 VMs: VPICD_Set_Int_Request / VPICD_Clear_Int_Request (the IRQ line
 * of a VM), Enable_VM_Ints / Disable_VM_Ints, Call_When_VM_Ints_Enabled, and what the fault
 * path's resume does on the way back into a VM's V86 code (v86_vint_due): a VM to end (the
 * tick's CLI watchdog), the Call_When_VM_Ints_Enabled procedures, and the highest-priority
 * requested IRQ, while the VM's virtual IF is set.
 *
 * Until the virtual PIC exists (VPICD's own), an IRQ goes to the PC's vector for it -- 08h +
 * IRQ for 0-7, 70h + IRQ - 8 for 8-15 -- in the 8259s' priority order (0, 1, 8-15, 3-7), and a
 * request is delivered once (then cleared), not held as a level until a virtual EOI.
 */
#pragma GCC optimize("omit-frame-pointer")   /* on the V86 trap path; see mem/heap.c */
#include "v86/v86.h"
#include "int/fault.h"
#include "int/int.h"
#include "console/console.h"
#include "x86/x86.h"
#include "vmm.h"

static const uint8_t prio[15] = { 0, 1, 8, 9, 10, 11, 12, 13, 14, 15, 3, 4, 5, 6, 7 };

void v86_update_due(struct v86_space *s)
{
    uint8_t due = s->kill || s->irr || s->nie;
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
    if (s->mon.vif && s->irr) {
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
    s->irr &= ~(1u << irq);
    v86_update_due(s);
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
