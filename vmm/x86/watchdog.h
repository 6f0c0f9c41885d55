/*
 * The watchdog: an NMI about every 55 ms, so that a VxD call that runs away with interrupts off
 * (`cli; jmp $` in a control procedure) is caught as one with them on is by the timer tick.  Its
 * source is the PIT's channel 0 (18.2 Hz square wave: free, the VMM's clock is the local APIC
 * timer) through the first I/O APIC's pin for ISA IRQ 0 (ACPI's interrupt source override, if
 * any), that pin programmed for NMI delivery to this processor.  Masked until armed: the guarded
 * calls arm it while one is in progress (vxd/guard.c), so NMIs come only then.  Called with
 * interrupts off.
 */
#ifndef X86_WATCHDOG_H
#define X86_WATCHDOG_H
#include <stdint.h>

struct acpi_info;

/* Sets it up, masked, from the ACPI tables; 0, or -1 with the reason printed (no I/O APIC, or
 * its pin for IRQ 0 past its last: no watchdog, runaways with interrupts off are not caught). */
int  watchdog_init(const struct acpi_info *acpi);
void watchdog_arm(int on);              /* the NMIs on (unmasked) or off; nothing without one */
extern volatile int watchdog_armed;     /* an NMI now is most likely the watchdog's */
extern uint32_t watchdog_nmis;          /* NMIs taken while it was armed */

#endif
