/*
 * The interrupt layer: the second level of every interrupt and fault after int/fault.c has
 * offered it to the page services, and the interrupt services of include/vmm/int.h (hook
 * chains, Set_PM_Int_Vector, the I/O-trap table, VPICD's IRQs).  Runs in interrupt context with
 * interrupts off.
 *
 * The layers above are reached through registered function pointers, never by including them;
 * they read int_in_hw, the VPICD-owned IRQ handlers running (nested): a thread one of them wakes
 * is boosted (HIGH_PRI_DEVICE_BOOST) until it waits again (the scheduler's).
 *   int_resched         when int_resched_pending is set, called on the way out of any
 *                       interrupt with the frame about to be restored; it returns the frame to
 *                       resume -- another thread's, saved the same way on that thread's ring-0
 *                       stack, to switch threads there (the redispatch point; x86/traps.S)
 *   the tick hook       every timer tick (the scheduler's time-slicer)
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

extern int int_in_hw;
extern struct client_regs *(*int_resched)(struct client_regs *r);
extern volatile int int_resched_pending;

void int_init(void);                /* hook tables, PIC remapped and masked */
int  int_apic_init(uint64_t base_hint);     /* the local APIC on; 0, or -1 (reason printed) */
/* Interrupts (vector 32 and up) and NMIs: 1 when handled, 0 when fatal (before int_init). */
int  int_dispatch(uint32_t vector, struct client_regs *r);
/* A fault (0-31 but NMI and #MC) to the hook chain of the mode it came from: 1 if a hook took
 * it. */
int  int_fault(uint32_t vector, struct client_regs *r);
int  int_machine_check(void);       /* the machine-check banks reported; returns 0 (fatal) */
/* The timer tick's hook (the scheduler's time-slicer); at most one.  Returns the one it replaced
 * (a benchmark puts it back). */
typedef void (*int_tick_fn)(struct client_regs *r);
int_tick_fn int_set_tick_hook(int_tick_fn fn);
int  int_in_handler(void);          /* inside an interrupt's or a fault hook's second level */
int  int_depth(void);               /* second levels running (nested) */
/* With no second level running, ends every interrupt still in service at the local APIC and
 * the 8259s: one whose delivery was cut short (a #DF while its frame was pushed). */
void int_end_orphans(void);

/* Removes every handler whose code lies in [lo, hi) (an unloaded VxD's); how many. */
unsigned int_purge(uint32_t lo, uint32_t hi);

/* The IRQ of a VPICD_Virtualize_IRQ handle, or -1. */
int  int_irq_of(uint32_t hirq);
/* The V86 interrupt chain of INT n (Hook_V86_Int_Chain's): 1 if a hook consumed it. */
int  int_v86_chain(unsigned n, struct client_regs *r);
/* Bit n set: INT n has Hook_V86_Int_Chain hooks (the V86 monitor's struct v86_vm.hooked). */
extern uint32_t int_v86_hooked[8];

/* I/O traps (int/io.c): the trap table and the TSS's I/O bitmap. */
void io_init(void);
unsigned io_purge(uint32_t lo, uint32_t hi);
/* One trapped access of V86 code, as the V86 monitor's I/O callback (v86/monitor.h: v86_io_fn;
 * ctx the VM handle): its handler, or the default (all ones in, nothing out); *data in for an
 * output, out for an input; always 0 (done). */
int  io_v86_access(void *vm, struct client_regs *r, unsigned port, unsigned type,
                   uint32_t *data);
/* Whether port traps in every VM (global state), and the bit as the current VM has it. */
int  io_global_traps(unsigned port);
int  io_handled(unsigned port);     /* a handler is installed for port */
void io_bit(unsigned port, int trap);
/* The V86 layer's per-VM settings (Enable/Disable_Local_Trapping), which the global state must
 * not override: own -- the current VM's own setting of port (0 lets it through, 1 traps), or
 * -1; forget -- every VM's setting of port, when its handler goes (it then traps everywhere). */
struct io_local_ops {
    int  (*own)(unsigned port);
    void (*forget)(unsigned port);
};
extern const struct io_local_ops *io_local;

#endif
