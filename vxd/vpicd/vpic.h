/*
 * The virtual PIC's portable core (no hardware, no VMM services: unit-tested on the host): one
 * VM's pair of 8259As as a PC/AT wires them -- the master at ports 20h/21h, the slave at
 * A0h/A1h on the master's IRQ 2 -- as the programs in the VM program them.
 *
 * What a program can do to an 8259A is here: the initialisation sequence ICW1-ICW4 (the vector
 * base from ICW2, single or cascaded, edge or level triggered, automatic EOI), OCW1 (the mask
 * register), OCW2 (specific and non-specific EOI, each with or without rotation, rotation in
 * automatic-EOI mode, set priority), OCW3 (read IRR or ISR, poll, special mask mode).  Not here
 * (no PC program needs them): the 8080/85 call mode, buffered mode, special fully nested mode.
 *
 * The inputs are the 16 IRQ lines (vpic_line: a device's request raised or withdrawn, the DDK's
 * VPICD_Set_Int_Request / VPICD_Clear_Int_Request); the outputs the INT line to the CPU
 * (vpic_intr) and, when the CPU takes the interrupt, its vector (vpic_ack: the INTA cycles).
 */
#ifndef VPICD_VPIC_H
#define VPICD_VPIC_H
#include <stdint.h>

struct vpic_chip {
    uint8_t irr, isr, imr;
    uint8_t lines;                      /* the levels of the inputs */
    uint8_t base;                       /* the vector of IR0 (ICW2) */
    uint8_t icw1, icw4;
    uint8_t init;                       /* the next ICW the odd port takes: 2, 3, 4; 0 none */
    uint8_t read_isr;                   /* OCW3: the even port reads the ISR (else the IRR) */
    uint8_t poll;                       /* OCW3: the next read of the even port polls */
    uint8_t special_mask;               /* OCW3: special mask mode */
    uint8_t rotate_aeoi;                /* OCW2: rotate in automatic-EOI mode */
    uint8_t lowest;                     /* the IR of lowest priority (7 until rotated) */
};

struct vpic {
    struct vpic_chip m, s;              /* master 20h/21h, slave A0h/A1h on the master's IR2 */
};

#define VPIC_ICW1_ICW4   0x01u          /* an ICW4 follows */
#define VPIC_ICW1_SINGLE 0x02u          /* no ICW3: no cascade */
#define VPIC_ICW1_LTIM   0x08u          /* level triggered */
#define VPIC_ICW4_AEOI   0x02u

/* The pair as a PC's BIOS leaves it: initialised, edge triggered, cascaded, vectors mbase and
 * sbase, masks mimr and simr, nothing requested or in service. */
void vpic_reset(struct vpic *p, uint8_t mbase, uint8_t sbase, uint8_t mimr, uint8_t simr);

/* IRQ irq's line raised (level 1) or withdrawn (0). */
void vpic_line(struct vpic *p, unsigned irq, int level);

/* The INT line to the CPU: an unmasked request of a priority above whatever is in service. */
int vpic_intr(const struct vpic *p);

/* The CPU takes the interrupt: its vector (the request moves from IRR to ISR, or with automatic
 * EOI leaves the ISR at once), or -1 if nothing is due.  *eoi gets the IRQs (bit per IRQ) that
 * automatic EOI ended, for their devices' EOI procedures. */
int vpic_ack(struct vpic *p, uint16_t *eoi);

/* The ports 20h, 21h, A0h, A1h.  A write gives the IRQs (bit per IRQ, the cascade's 2 left out)
 * that an EOI it carried took out of service, for their devices' EOI procedures. */
uint8_t  vpic_read(struct vpic *p, unsigned port, uint16_t *eoi);
uint16_t vpic_write(struct vpic *p, unsigned port, uint8_t value);

#endif
