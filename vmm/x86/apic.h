/*
 * The local APIC of the boot processor: taken over from the firmware (OVMF leaves it enabled,
 * its timer periodic and masked on vector 20h, LINT0 ExtINT for the 8259 and LINT1 NMI), given
 * its own spurious and error vectors, and its timer.  Called with interrupts off.
 */
#ifndef X86_APIC_H
#define X86_APIC_H
#include <stdint.h>

#define APIC_DIVIDE     16u             /* timer clock = APIC bus clock / 16 */

/* Enables it at the base its MSR holds (the hint is ACPI's, compared); that base, or 0 with the
 * reason printed.  Then apic_init programs it, its registers mapped uncached at regs. */
uint64_t apic_enable(uint64_t base_hint);
void     apic_init(volatile uint32_t *regs);
void     apic_eoi(void);
uint32_t apic_id(void);
uint32_t apic_esr(void);                /* error status (written, then read, as the SDM says) */
/* Timer: one-shot, masked, from count; and the count now (for calibration). */
void     apic_timer_oneshot_masked(uint32_t count);
uint32_t apic_timer_current(void);
void     apic_timer_periodic(uint8_t vector, uint32_t count);
void     apic_timer_stop(void);
uint32_t apic_isr_bit(uint8_t vector);  /* 1 if vector is in service */
uint64_t apic_base(void);

#endif
