/*
 * The fault path (int/fault.c): trap_dispatch offers each exception to its takers in order, and
 * what nobody takes ends in trap_fatal (both declared in x86/trap.h, whose stubs call them).
 *
 *   1. page services      a page table made on demand for the PTE window (mem/page.c)
 *   --  a fault inside the page or heap services, which are not reentrant, stops here: fatal
 *   2. page services      Hook_Invalid_Page_Fault hooks (#PF)
 *   3. the V86 monitor    every fault from V86 mode: the IOPL-sensitive instructions
 *                         emulated, break points, Hook_V86_Fault, the VM's IVT (v86/faults.c)
 *   4. hook chains        Hook_VMM_Fault / Hook_PM_Fault (int/int.c)
 *   5. the guard          a guarded call into a VxD abandoned (vxd/guard.c)
 *   6. the fatal report
 * Interrupts (IRQs, the APIC, NMIs, software INTs) go to int_dispatch; a machine check is
 * reported and fatal.  Runs in interrupt context with interrupts off.
 */
#ifndef INT_FAULT_H
#define INT_FAULT_H
#include <stdint.h>
#include "x86/trap.h"
#include "int/int.h"

/* A taker that has work only sometimes is reached through a pointer it sets while it has: the
 * fault path and the timer tick pay one load when it has none.  The guard (vxd/guard.c) arms
 * this once the VxD manager starts. */
struct fault_taker {
    int  (*fault)(uint32_t vector, struct client_regs *r);  /* 1: taken (r changed to resume) */
    void (*tick)(struct client_regs *r);                    /* every timer tick, first (if set) */
};
extern const struct fault_taker *fault_guard;

/* Calls into code the VMM was handed -- a VxD's hook, handler, call back, thread or procedure --
 * go through foreign_call: the VMM's own code is called directly (FOREIGN_DIRECT: the caller
 * makes the call), anything else through foreign_tramp (x86/guard.S), a frame the fault path
 * recognises: either it returned (FOREIGN_DONE, *ret its value) or a fault in it was taken
 * (FOREIGN_ABANDONED: reported by the VxD manager with `what` and the place, the VxD unloaded
 * at the next event; the caller does what it does when nobody handles the event).  The call
 * costs a few instructions more than a direct one: nothing is set up on the way in.  A
 * procedure taking fewer than five arguments ignores the rest (cdecl). */
#define FOREIGN_DIRECT    0
#define FOREIGN_DONE      1
#define FOREIGN_ABANDONED 2
uint32_t foreign_tramp(void *fn, const char *what, uint32_t *ret, uint32_t a, uint32_t b,
                       uint32_t c, uint32_t d, uint32_t e);
/* fn lies in the VMM's own code: a direct call. */
static inline int foreign_is_vmm(const void *fn)
{
    extern const char __vmm_start[], __text_end[];
    return (uint32_t)fn - (uint32_t)__vmm_start < (uint32_t)(__text_end - __vmm_start);
}
static inline int foreign_call(void *fn, uint32_t *ret, const char *what, uint32_t a, uint32_t b,
                               uint32_t c, uint32_t d, uint32_t e)
{
    if (foreign_is_vmm(fn))
        return FOREIGN_DIRECT;
    return (int)foreign_tramp(fn, what, ret, a, b, c, d, e);
}
/* The same for a procedure proc(ref) whose result nobody wants. */
static inline void foreign_call_ref(void (*proc)(void *ref), void *ref, const char *what)
{
    uint32_t ret;
    if (foreign_call((void *)proc, &ret, what, (uint32_t)ref, 0, 0, 0, 0) == FOREIGN_DIRECT)
        proc(ref);
}

/* The V86 monitor (v86/faults.c), registered once V86 VMs exist.  fault: every fault raised in
 * V86 mode that the page services did not resolve; it always takes it (emulated, given to the
 * Hook_V86_Fault hooks, reflected into the VM, or the VM ended).  resume: on the way back into
 * V86 code (r is the frame about to be resumed) whenever fault_v86_due is set: what became due
 * for that VM -- a virtual interrupt, a call back -- is delivered. */
struct fault_v86_taker {
    int  (*fault)(uint32_t vector, struct client_regs *r);
    void (*resume)(struct client_regs *r);
    void (*tick)(struct client_regs *r);        /* the timer interrupted V86 code */
};
extern const struct fault_v86_taker *fault_v86;
extern volatile uint32_t fault_v86_due;
/* The way out of every interrupt and fault (trap_dispatch's end, and the V86 monitor's own
 * entries): the redispatch point, then what became due for a V86 VM about to be resumed -- when
 * int_resched_pending or fault_v86_due says so, usually neither: one test.  The frame to
 * resume. */
struct client_regs *trap_exit_slow(struct client_regs *r);
static inline struct client_regs *trap_exit(struct client_regs *r)
{
    return __builtin_expect(int_resched_pending | fault_v86_due, 0) ? trap_exit_slow(r) : r;
}

/* 1 if r was interrupted inside the page or heap services' code (ring 0, between the linker
 * script's __nonreentrant_start and _end: the functions marked NONREENTRANT), which are not
 * reentrant: no hook may be called then (it could enter them again half-way). */
static inline int fault_inside_nonreentrant(const struct client_regs *r)
{
    extern const char __nonreentrant_start[], __nonreentrant_end[];
    return r->eip - (uint32_t)__nonreentrant_start <
               (uint32_t)(__nonreentrant_end - __nonreentrant_start) &&
           !(r->cs & 3) && !(r->eflags & EFLAGS_VM);
}

#endif
