/*
 * The second half of every interrupt (x86/trap.c calls int_dispatch for each vector) and the
 * interrupt services of include/vmm/int.h.  Runs in interrupt context with interrupts off.
 *
 * Interfaces for the scheduler (issue 5):
 *   int_hw_boost        called as a VPICD-owned IRQ's handlers start (irq, 1) and end
 *                       (irq, 0): a thread they wake is boosted (HIGH_PRI_DEVICE_BOOST) until
 *                       it waits again
 *   int_resched         when int_resched_pending is set, called on the way out of any
 *                       interrupt with the frame about to be restored; it returns the frame to
 *                       resume — another thread's, saved the same way on that thread's ring-0
 *                       stack, to switch threads there (the redispatch point; x86/traps.S)
 */
#ifndef INT_INT_H
#define INT_INT_H
#include <stdint.h>
#include "vmm/int.h"

struct client_regs;

struct int_stats {
    uint32_t spurious_apic, spurious_pic7, spurious_pic15, stray, apic_errors;
    uint32_t irq[16];
    uint32_t nmi;
};
extern struct int_stats int_stats;

extern void (*int_hw_boost)(unsigned irq, int starting);
extern struct client_regs *(*int_resched)(struct client_regs *r);
extern volatile int int_resched_pending;

void int_init(void);                /* hook tables, PIC remapped and masked */
/* Returns 1 when the event was handled (resume), 0 when the caller must report it as fatal. */
int  int_dispatch(uint32_t vector, struct client_regs *r);
/* A timer tick's hook (the scheduler's time-slicer, later); at most one. */
void int_set_tick_hook(void (*fn)(struct client_regs *r));

/* Removes every handler whose code lies in [lo, hi) (an unloaded VxD's); how many. */
unsigned int_purge(uint32_t lo, uint32_t hi);

#endif
