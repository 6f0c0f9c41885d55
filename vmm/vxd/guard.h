/*
 * Guarded calls into VxD code: a control procedure (or any VxD procedure the VMM calls on a
 * VxD's behalf) that faults -- a page fault, #GP, #DE, ... -- or runs past its deadline is
 * abandoned instead of taking the system down: the call returns as if it had failed, with what
 * happened recorded for the report.  The VMM then unloads the VxD.
 *
 * What can be abandoned: a fault raised in ring 0 by the thread that made the guarded call, not
 * inside an interrupt handler and not inside the memory manager's code (whose state it may have
 * half-changed: that stays fatal, see int/fault.h); a runaway is caught by the timer tick when it
 * interrupts the guarded thread inside the VxD's own code [lo, hi) after the deadline -- so only
 * if the call runs with interrupts on: it runs with the caller's interrupt state (the boot's
 * init messages turn them on; the VM and thread messages come with them off, from inside the
 * scheduler's operations, and a runaway there is not caught).  Calls nest (a control procedure
 * that creates a VM sends other VxDs messages): the innermost guard catches.
 */
#ifndef VXD_GUARD_H
#define VXD_GUARD_H
#include <stdint.h>

struct client_regs;
struct thread;

#define GUARD_RUNAWAY 0xFFu             /* vector: the deadline passed */

struct guard {
    uint32_t esp;                       /* first: x86/guard.S */
    struct guard *prev;                 /* the guard this one is nested in */
    struct thread *thread;              /* the thread that made the call */
    uint32_t lo, hi;                    /* the VxD's code: a runaway is caught there */
    uint32_t deadline;                  /* timer tick after which a runaway is abandoned */
    uint32_t abandoned;                 /* 1: the call did not return by itself */
    uint32_t vector, error, eip, cr2;   /* why: the fault (or GUARD_RUNAWAY) and where */
};

/* Calls fn(a, b, c) under guard g (code range [lo, hi), deadline in ms), with the caller's
 * interrupt state; returns fn's result, or -1 with g->abandoned set.  Interrupts are as before
 * afterwards. */
int guard_run(struct guard *g, int (*fn)(uint32_t, uint32_t, uint32_t), uint32_t a, uint32_t b,
              uint32_t c, uint32_t lo, uint32_t hi, uint32_t ms);
/* From a handler that found the guarded call's code at fault (the dynalink, for a bad call):
 * abandon the innermost guarded call, made by the current thread, with r its frame.  The fault
 * path and the timer tick reach the guard through int/fault.h's fault_guard, armed while a
 * guarded call is in progress. */
void guard_abandon(struct client_regs *r, uint32_t why);
extern struct guard *guard_top;         /* the innermost guarded call, NULL if none */

#endif
