/*
 * The virtual timer's portable core (no hardware, no VMM services: unit-tested on the host): one
 * VM's 8254 programmable interval timer and the timer bits of port 61h, as a PC/AT wires them --
 * channel 0's output is IRQ 0, channel 1 the refresh request, channel 2 the speaker, gated by
 * port 61h's bit 0.
 *
 * Nothing here runs by itself: time is an argument, in the 8254's own clock (1,193,182 ticks a
 * second, vpit_ticks_of_ns), and the counters' values and outputs are computed from when each
 * count was loaded.  VTD counts channel 0's rising output edges between two instants
 * (vpit_irq0_edges) to raise the VM's virtual IRQ 0 and asks when the next one is due
 * (vpit_irq0_next) to be called back then.
 *
 * Modes 0, 2 and 3 are the 8254's (interrupt on terminal count, rate generator, square wave);
 * modes 1 and 5 wait for a rising gate (channel 2 only: the other gates are tied high), then
 * count as mode 0; mode 4 counts as mode 0.  The counter latch command, the read-back command
 * (count and status), and the three access modes (LSB, MSB, LSB then MSB) are the 8254's; a BCD
 * count is noted in the status and counted in binary.
 */
#ifndef VTD_VPIT_H
#define VTD_VPIT_H
#include <stdint.h>

#define VPIT_HZ 1193182u

struct vpit_channel {
    uint64_t start;                     /* the tick the count was loaded (or the gate rose) */
    uint16_t count;                     /* the count register (0 means 65536) */
    uint16_t latch;                     /* the latched count */
    uint16_t frozen;                    /* the value while the gate is low */
    uint8_t lsb;                        /* access mode 3: the LSB written, the MSB awaited */
    uint8_t mode, rw, bcd;              /* the control word's */
    uint8_t armed;                      /* a count is loaded (else: a null count) */
    uint8_t waiting_msb;                /* access mode 3: the next write is the MSB */
    uint8_t read_msb;                   /* access mode 3: the next read is the MSB */
    uint8_t latched;                    /* bytes of the latched count left to read: 0-2 */
    uint8_t status_latched, status;
    uint8_t gate;
    uint8_t triggered;                  /* modes 1 and 5: the gate rose since the load */
};

struct vpit {
    struct vpit_channel ch[3];
    uint8_t port61;                     /* bits 0-3 as written: the gate, the speaker ... */
};

/* The timer as a PC's BIOS leaves it at `now`: channel 0 in mode 3 with the count 0 (18.2 Hz),
 * channel 1 in mode 2 with 18 (15 us, the refresh), channel 2 in mode 3 with 0533h (the beep's
 * 896 Hz) and its gate off. */
void vpit_reset(struct vpit *p, uint64_t now);

/* The ports 40h-43h and 61h at the tick `now`. */
uint8_t vpit_read(struct vpit *p, unsigned port, uint64_t now);
void    vpit_write(struct vpit *p, unsigned port, uint8_t value, uint64_t now);

/* Channel 0's rising output edges (IRQ 0) in the ticks (from, to]; and the tick of the first
 * after `after`, or UINT64_MAX if none will come unless the program writes to the timer. */
uint64_t vpit_irq0_edges(const struct vpit *p, uint64_t from, uint64_t to);
uint64_t vpit_irq0_next(const struct vpit *p, uint64_t after);

/* The 8254's ticks in ns nanoseconds (within one tick, for any ns below 2^64). */
uint64_t vpit_ticks_of_ns(uint64_t ns);

/* n / d and n % d for 0 < d <= 65536, with 32-bit arithmetic only (a VxD has no libgcc). */
uint64_t vpit_div(uint64_t n, uint32_t d, uint32_t *rem);

#endif
