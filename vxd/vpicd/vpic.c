/*
 * The virtual PIC pair's state machine (vpic.h), after the Intel 8259A data sheet.
 *
 * Priority: IR (lowest + 1) & 7 is the highest, IR lowest the lowest (lowest is 7 until a
 * rotation or a set-priority command moves it).  A request interrupts when it is unmasked and of
 * a priority above every level in service -- in special mask mode, every level in service that
 * is not masked.  The master's IR2 input is the slave's INT output.
 */
#include "vpic.h"

/* The priority rank of IR irq on chip c: 0 the highest, 7 the lowest. */
static unsigned rank(const struct vpic_chip *c, unsigned irq)
{
    return (irq - c->lowest - 1) & 7;
}

/* The IR of the highest priority in mask, or 8 if mask is empty. */
static unsigned highest(const struct vpic_chip *c, uint8_t mask)
{
    if (!mask)
        return 8;
    for (unsigned k = 0; k < 8; k++) {
        unsigned irq = (c->lowest + 1 + k) & 7;
        if (mask >> irq & 1)
            return irq;
    }
    return 8;
}

/* The IR this chip would interrupt with now, or 8 if none. */
static unsigned pending(const struct vpic_chip *c)
{
    unsigned irq = highest(c, (uint8_t)(c->irr & ~c->imr));
    if (irq == 8)
        return 8;
    uint8_t blocking = c->special_mask ? (uint8_t)(c->isr & ~c->imr) : c->isr;
    unsigned in = highest(c, blocking);
    return in == 8 || rank(c, irq) < rank(c, in) ? irq : 8;
}

static void chip_line(struct vpic_chip *c, unsigned irq, int level)
{
    uint8_t bit = (uint8_t)(1u << irq);
    if (level) {
        if (!(c->lines & bit) || (c->icw1 & VPIC_ICW1_LTIM))
            c->irr |= bit;                  /* edge: on the rising edge; level: while high */
        c->lines |= bit;
    } else {
        c->lines &= (uint8_t)~bit;
        c->irr &= (uint8_t)~bit;            /* withdrawn before it was taken */
    }
}

/* The slave's INT output is the master's IR2 input. */
static void cascade(struct vpic *p)
{
    if (p->m.icw1 & VPIC_ICW1_SINGLE)
        return;
    chip_line(&p->m, 2, pending(&p->s) != 8);
}

/* INTA on chip c for IR irq: from IRR to ISR (or through, with automatic EOI). */
static void take(struct vpic_chip *c, unsigned irq, uint16_t *eoi, unsigned shift)
{
    uint8_t bit = (uint8_t)(1u << irq);
    if (!(c->icw1 & VPIC_ICW1_LTIM))
        c->irr &= (uint8_t)~bit;
    if (c->icw4 & VPIC_ICW4_AEOI) {
        if (c->rotate_aeoi)
            c->lowest = (uint8_t)irq;
        if (eoi && !(shift == 0 && irq == 2))
            *eoi |= (uint16_t)(1u << (irq + shift));
    } else {
        c->isr |= bit;
    }
}

void vpic_reset(struct vpic *p, uint8_t mbase, uint8_t sbase, uint8_t mimr, uint8_t simr)
{
    struct vpic_chip *c[2] = { &p->m, &p->s };
    const uint8_t base[2] = { mbase, sbase }, imr[2] = { mimr, simr };
    for (unsigned i = 0; i < 2; i++) {
        *c[i] = (struct vpic_chip){ 0 };
        c[i]->icw1 = 0x11;                  /* edge, cascaded, ICW4 */
        c[i]->icw4 = 0x01;                  /* 8086 mode, normal EOI */
        c[i]->base = (uint8_t)(base[i] & 0xF8);
        c[i]->imr = imr[i];
        c[i]->lowest = 7;
    }
}

void vpic_line(struct vpic *p, unsigned irq, int level)
{
    if (irq >= 16 || irq == 2)
        return;
    if (irq < 8) {
        chip_line(&p->m, irq, level);
    } else {
        chip_line(&p->s, irq - 8, level);
        cascade(p);
    }
}

int vpic_intr(const struct vpic *p) { return pending(&p->m) != 8; }

int vpic_ack(struct vpic *p, uint16_t *eoi)
{
    unsigned irq = pending(&p->m);
    if (irq == 8)
        return -1;
    take(&p->m, irq, eoi, 0);
    if (irq != 2 || (p->m.icw1 & VPIC_ICW1_SINGLE))
        return p->m.base + irq;
    unsigned sirq = pending(&p->s);
    if (sirq == 8)                          /* withdrawn between the two cycles: spurious */
        sirq = 7;
    else
        take(&p->s, sirq, eoi, 8);
    cascade(p);
    return p->s.base + sirq;
}

static struct vpic_chip *chip_of(struct vpic *p, unsigned port, unsigned *shift)
{
    *shift = (port & 0x80) ? 8 : 0;
    return (port & 0x80) ? &p->s : &p->m;
}

uint8_t vpic_read(struct vpic *p, unsigned port, uint16_t *eoi)
{
    unsigned shift;
    struct vpic_chip *c = chip_of(p, port, &shift);
    if (port & 1)
        return c->imr;
    if (c->poll) {                          /* poll: the read is the acknowledge */
        c->poll = 0;
        unsigned irq = pending(c);
        if (irq == 8)
            return 0;
        take(c, irq, eoi, shift);
        if (shift)
            cascade(p);
        return (uint8_t)(0x80 | irq);
    }
    return c->read_isr ? c->isr : c->irr;
}

/* OCW2: the EOIs and the rotations.  The IRQs taken out of service (bit per IRQ of the pair). */
static uint16_t ocw2(struct vpic_chip *c, uint8_t v, unsigned shift)
{
    unsigned cmd = v >> 5, irq = 8;
    switch (cmd) {
    case 0:                                 /* rotate in automatic-EOI mode: clear, set */
    case 4:
        c->rotate_aeoi = cmd == 4;
        return 0;
    case 1:                                 /* non-specific EOI, without or with rotation */
    case 5:
        irq = highest(c, c->isr);
        break;
    case 3:                                 /* specific EOI, without or with rotation */
    case 7:
        irq = v & 7;
        break;
    case 6:                                 /* set priority: IR v&7 the lowest */
        c->lowest = v & 7;
        return 0;
    default:                                /* 2: no operation */
        return 0;
    }
    if (irq == 8 || !(c->isr >> irq & 1))
        return 0;
    c->isr &= (uint8_t)~(1u << irq);
    if (cmd & 4)
        c->lowest = (uint8_t)irq;
    return shift == 0 && irq == 2 ? 0 : (uint16_t)(1u << (irq + shift));
}

uint16_t vpic_write(struct vpic *p, unsigned port, uint8_t v)
{
    unsigned shift;
    struct vpic_chip *c = chip_of(p, port, &shift);
    uint16_t eoi = 0;
    if (!(port & 1)) {
        if (v & 0x10) {                     /* ICW1: the start of an initialisation */
            uint8_t lines = c->lines;
            *c = (struct vpic_chip){ 0 };
            c->lines = lines;               /* the inputs stay what they are */
            c->icw1 = v;
            c->lowest = 7;
            c->init = 2;
            if (c->icw1 & VPIC_ICW1_LTIM)
                c->irr = lines;
        } else if (v & 0x08) {              /* OCW3 */
            if (v & 0x04)
                c->poll = 1;
            if (v & 0x02)
                c->read_isr = v & 1;
            if (v & 0x40)
                c->special_mask = (v >> 5) & 1;
        } else {
            eoi = ocw2(c, v, shift);
        }
    } else {
        switch (c->init) {
        case 2:                             /* ICW2: the vector base */
            c->base = v & 0xF8;
            c->init = !(c->icw1 & VPIC_ICW1_SINGLE) ? 3 : (c->icw1 & VPIC_ICW1_ICW4) ? 4 : 0;
            break;
        case 3:                             /* ICW3: the cascade is the PC's, whatever it says */
            c->init = (c->icw1 & VPIC_ICW1_ICW4) ? 4 : 0;
            break;
        case 4:                             /* ICW4 */
            c->icw4 = v;
            c->init = 0;
            break;
        default:                            /* OCW1: the mask */
            c->imr = v;
            break;
        }
    }
    if (shift)
        cascade(p);
    return eoi;
}
