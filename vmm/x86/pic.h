/*
 * The 8259A pair: remapped away from the exception vectors (to 50h-5Fh, where Windows 95's VPICD
 * puts them), every line masked until a driver unmasks it, and the spurious-IRQ rule.  Called by
 * the interrupt code (vmm/int/) with interrupts off; VxDs go through the VPICD services instead.
 */
#ifndef X86_PIC_H
#define X86_PIC_H
#include <stdint.h>
#include "x86/x86.h"

#define PIC_VECTOR_BASE 0x50u       /* IRQ n -> vector 50h + n */
#define PIC_IRQS        16u

void pic_init(void);                /* remap, mask all but the cascade */
void pic_mask(unsigned irq);
void pic_unmask(unsigned irq);      /* a slave line also unmasks the cascade (IRQ 2) */
int  pic_masked(unsigned irq);
/* Non-specific EOI; a slave IRQ: the slave, then the master.  Inline: every IRQ's path. */
static inline void pic_eoi(unsigned irq)
{
    if (irq >= 8)
        outb(0xA0, 0x20);
    outb(0x20, 0x20);
}
/* IRQ 7 or 15 with its in-service bit clear: a spurious interrupt.  For 7 nothing must be
 * acknowledged; for 15 the master must still get its EOI (the cascade line was real).  Returns
 * 1 (and does that EOI) when spurious, 0 for a real interrupt (or another IRQ). */
int  pic_spurious(unsigned irq);
uint16_t pic_isr(void);             /* in-service registers, slave << 8 | master */
uint16_t pic_imr(void);             /* mask registers */

#endif
