/*
 * Guarded calls into VxD code: a control procedure (or any VxD procedure the VMM calls on a
 * VxD's behalf) that faults -- a page fault, #GP, #DE, ... -- or runs past its deadline is
 * abandoned instead of taking the system down: the call returns as if it had failed, with what
 * happened recorded for the report.  The VMM then unloads the VxD.
 *
 * What can be abandoned: a fault raised in ring 0 by the thread that made the guarded call, not
 * inside an interrupt handler and not inside the memory manager's code (whose state it may have
 * half-changed: that stays fatal, see int/fault.h); a runaway is caught by the timer tick when it
 * interrupts the guarded thread inside the VxD's own code [lo, hi) after the deadline, or, with
 * interrupts off, by the watchdog's NMI (x86/watchdog.h, armed while a watched guarded call --
 * a control call -- is in progress; where the machine has no I/O APIC, a runaway with
 * interrupts off is not caught).
 * A call that blocks past its deadline in a service it called itself (Wait_Semaphore,
 * _EnterMutex, _BlockOnID, thread_sleep) is cut short too: the tick takes its thread out of the
 * wait (sched/thread.h: thread_abort_wait), and the thread, when it runs, resumes as abandoned.  Calls nest (a control procedure
 * that creates a VM sends other VxDs messages): the innermost guard catches.  Each thread has
 * its own guards (a guarded call may block, and another thread make its own meanwhile), and a
 * guard catches only at the interrupt nesting depth it was made at: a fault in an interrupt
 * handler that came in during a guarded call is not the call's (a handler called under its own
 * guard is).  The VMM's other calls into VxDs (int/fault.h's foreign_call) are caught here too.
 */
#ifndef VXD_GUARD_H
#define VXD_GUARD_H
#include <stdint.h>

struct client_regs;
struct thread;

#define GUARD_RUNAWAY 0xFFu             /* vector: the deadline passed */
#define GUARD_STACK   0xFEu             /* vector: the stack overflowed (a #DF) */
#define GUARD_BLOCKED 0xFDu             /* vector: blocked past the deadline in a service it
                                           called (eip: where it called it) */

struct guard {
    uint32_t esp;                       /* first: x86/guard.S */
    struct guard *prev;                 /* the guard this one is nested in, the same thread's */
    uint32_t flags;                     /* the caller's EFLAGS (its interrupt state) */
    uint32_t lo, hi;                    /* the VxD's code: a runaway is caught there */
    int watch;                          /* the watchdog is armed for it */
    uint64_t deadline;                  /* TSC after which a runaway is abandoned */
    int depth;                          /* int_depth() when the call was made */
    uint32_t abandoned;                 /* 1: the call did not return by itself */
    uint32_t vector, error, eip, cr2;   /* why (set if abandoned): the fault or GUARD_RUNAWAY, where */
    uint32_t caller;                    /* the dword at the faulting ESP (a return address if EIP
                                           came from a call through a bad pointer), or 0 */
    struct thread *thread;              /* whose call it is (NULL before threads) */
    struct guard *next_active, *prev_active;    /* every thread's calls in progress */
};

typedef uint32_t (*guard_fn)(uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e);

/* A guarded call: guard_enter(g, ...) (the VxD's code [lo, hi), a deadline in ms, and
 * whether the watchdog's NMIs watch it: control calls, not the frequent events and time-outs);
 * r = guard_call(g, fn, a, b, c, d, e); guard_leave(g).  guard_call (x86/guard.S) calls
 * fn(a ... e) (cdecl: a procedure taking fewer arguments ignores the rest) with the caller's
 * interrupt state and returns its result, or -1 with g->abandoned set; after guard_leave the
 * interrupt state is the caller's again. */
void guard_enter(struct guard *g, uint32_t lo, uint32_t hi, uint32_t ms, int watch);
uint32_t guard_call(struct guard *g, guard_fn fn, uint32_t a, uint32_t b, uint32_t c, uint32_t d,
                    uint32_t e);
void guard_leave(struct guard *g);
/* Arms the guard on the fault path for good, with the VxD manager's foreign_failed: told of each
 * fault taken in a foreign_call (int/fault.h) -- the procedure called, what it was, the vector
 * (or VXD_DYNALINK_INT / GUARD_STACK) the fault's frame and the dword at its ESP (struct
 * guard's caller) -- before the call is abandoned. */
void guard_init(void (*foreign_failed)(void *fn, const char *what, uint32_t vector,
                                       const struct client_regs *r, uint32_t caller));
/* From an interrupt handler (INT 20h's dynalink, for a bad call) that found the guarded call's
 * code at fault: abandons the current thread's innermost guarded call or foreign_call, if the
 * interrupt came from its level, with r the interrupt's frame; 1 if it did, 0 if there is none.
 * The fault path and the timer tick reach the guard through int/fault.h's fault_guard, armed
 * while a guarded call is in progress. */
int guard_abandon(struct client_regs *r, uint32_t why);
#endif
