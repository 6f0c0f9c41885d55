/*
 * The watchdog: an NMI about every 55 ms, so that a VxD call that runs away with interrupts off
 * (`cli; jmp $` in a control procedure) is caught as one with them on is by the timer tick.  Its
 * source is the PIT's channel 0 (18.2 Hz square wave: free, the VMM's clock is the local APIC
 * timer) through the first I/O APIC's pin for ISA IRQ 0 (ACPI's interrupt source override, if
 * any), that pin programmed for NMI delivery to this processor while armed: a guarded control
 * call arms it while it is in progress (vxd/guard.c; not events and time-outs, which come tens
 * of times a second).  Not armed, the pin is an ordinary interrupt,
 * VEC_WATCHDOG, acknowledged and dropped.  An NMI while it is armed is taken as the watchdog's
 * and not passed to Hook_NMI_Event's handlers (vmm/int/int.c).
 */
#ifndef X86_WATCHDOG_H
#define X86_WATCHDOG_H
#include <stdint.h>

struct acpi_info;

/* Sets it up, not armed, from the ACPI tables (after the timer's calibration); 0, or -1 with the reason printed (no I/O APIC, or
 * its pin for IRQ 0 past its last: no watchdog, runaways with interrupts off are not caught). */
int  watchdog_init(const struct acpi_info *acpi);
void watchdog_arm(int on);              /* the NMIs on or off; nothing without one */
extern volatile int watchdog_armed;     /* NMIs come from it */
/* An NMI now is taken as the watchdog's: it is armed, or was until 60 ms ago (one sent just
 * before it was disarmed may come in later: QEMU's virtual CPU may not run for a while). */
int watchdog_owns_nmi(void);
extern uint32_t watchdog_nmis;          /* NMIs taken while it was armed */

#endif
