/*
 * Port I/O and the interrupt flag for VxDs (ring 0): what a device that touches hardware needs,
 * so that each VxD does not carry its own copy.
 *
 *     uint8_t st = inb(0x64);              outb(0x60, 0xF4);
 *     uint32_t fl = vxd_ints_off();        ... state an interrupt handler also touches ...
 *     vxd_ints_restore(fl);                (on again only if they were on)
 */
#ifndef VMM_PORT_H
#define VMM_PORT_H
#include <stdint.h>

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

/* Interrupts off; the flags before, for vxd_ints_restore. */
static inline uint32_t vxd_ints_off(void)
{
    uint32_t fl;
    __asm__ volatile("pushfl; popl %0; cli" : "=r"(fl) : : "memory");
    return fl;
}

static inline void vxd_ints_restore(uint32_t fl)
{
    if (fl & 0x200)
        __asm__ volatile("sti" : : : "memory");
}

#endif
