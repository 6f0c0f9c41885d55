/* The 8259A pair: see pic.h. */
#include "x86/pic.h"
#include "x86/x86.h"

#define M_CMD  0x20
#define M_DATA 0x21
#define S_CMD  0xA0
#define S_DATA 0xA1

static uint8_t mask_m = 0xFF, mask_s = 0xFF;

static void io_wait(void) { outb(0x80, 0); }   /* the POST port: a short bus delay for old PICs */

static void write_masks(void)
{
    outb(M_DATA, mask_m);
    outb(S_DATA, mask_s);
}

void pic_init(void)
{
    outb(M_DATA, 0xFF);                 /* quiet while reprogramming */
    outb(S_DATA, 0xFF);
    outb(M_CMD, 0x11);                  /* ICW1: edge, cascade, ICW4 follows */
    io_wait();
    outb(S_CMD, 0x11);
    io_wait();
    outb(M_DATA, PIC_VECTOR_BASE);      /* ICW2: vector bases */
    io_wait();
    outb(S_DATA, PIC_VECTOR_BASE + 8);
    io_wait();
    outb(M_DATA, 0x04);                 /* ICW3: slave on IRQ 2 */
    io_wait();
    outb(S_DATA, 0x02);                 /* ICW3: slave identity 2 */
    io_wait();
    outb(M_DATA, 0x01);                 /* ICW4: 8086 mode, normal EOI */
    io_wait();
    outb(S_DATA, 0x01);
    io_wait();
    mask_m = 0xFF;
    mask_s = 0xFF;
    write_masks();
}

void pic_mask(unsigned irq)
{
    if (irq < 8)
        mask_m |= (uint8_t)(1u << irq);
    else if (irq < PIC_IRQS) {
        mask_s |= (uint8_t)(1u << (irq - 8));
        if (mask_s == 0xFF)
            mask_m |= 1u << 2;          /* no slave line left: close the cascade too */
    }
    write_masks();
}

void pic_unmask(unsigned irq)
{
    if (irq < 8)
        mask_m &= (uint8_t)~(1u << irq);
    else if (irq < PIC_IRQS) {
        mask_s &= (uint8_t)~(1u << (irq - 8));
        mask_m &= (uint8_t)~(1u << 2);
    }
    write_masks();
}

int pic_masked(unsigned irq)
{
    return irq < 8 ? (mask_m >> irq) & 1 : irq < PIC_IRQS ? (mask_s >> (irq - 8)) & 1 : 1;
}


uint16_t pic_isr(void)
{
    outb(M_CMD, 0x0B);                  /* OCW3: the next read of the command port is the ISR */
    outb(S_CMD, 0x0B);
    uint16_t v = (uint16_t)(inb(S_CMD) << 8 | inb(M_CMD));
    outb(M_CMD, 0x0A);                  /* back to the IRR, the reset default */
    outb(S_CMD, 0x0A);
    return v;
}

uint16_t pic_imr(void) { return (uint16_t)(inb(S_DATA) << 8 | inb(M_DATA)); }

int pic_spurious(unsigned irq)
{
    if (irq != 7 && irq != 15)
        return 0;
    uint16_t isr = pic_isr();
    if (irq == 7)
        return !(isr & 0x80);           /* spurious 7: no EOI at all */
    if (isr & 0x8000)
        return 0;
    outb(M_CMD, 0x20);                  /* spurious 15: the master did see the cascade */
    return 1;
}
