/*
 * The FPU (x87, and the SSE registers where the firmware left them on) is every thread's own:
 * a DOS program's floating point in one VM is never seen, nor spoilt, by another's.  Switched
 * lazily, as the DDK's VMM does: a thread switch sets CR0.TS unless the next thread owns the
 * FPU; the next FPU instruction faults (#NM, vector 7), and the fault saves the owner's state
 * into its thread and loads the running thread's (a clean FPU the first time).  The VMM and
 * the VxDs never use the FPU (-mgeneral-regs-only): only V86 code faults here, and a VM runs
 * its V86 code in one thread, so TS is decided only when the CPU goes to another VM (a switch
 * between two threads of one VM costs nothing): the owner's VM's other threads never use it.
 */
#ifndef SCHED_FPU_H
#define SCHED_FPU_H
#include <stdint.h>

struct thread;

#define FPU_AREA 528                    /* FXSAVE's 512 bytes, 16-byte aligned inside */

void fpu_init(void);                    /* FXSAVE or FNSAVE; TS on: no thread owns the FPU */
int  fpu_fault(void);                   /* #NM: 1 if it was a switch this took care of */
void fpu_forget(struct thread *t);      /* t's end: its state goes with it */

/* A switch to another VM's thread: TS on unless next owns the FPU (CR0 written only when that
 * changes).  With no owner TS is on. */
extern struct thread *fpu_owner;
extern uint8_t fpu_ts;
void fpu_set_ts(int on);
static inline void fpu_switch(const struct thread *next)
{
    if ((next != fpu_owner) != fpu_ts)
        fpu_set_ts(next != fpu_owner);
}

#endif
