/*
 * libFuzzer target: the virtual PC's devices' portable cores, driven by what a hostile program
 * (or terminal, or disk image) could feed them -- the 8259 pair (vxd/vpicd/vpic.c), the 8254
 * (vxd/vtd/vpit.c), the 8042 and the BIOS's key translation and the terminal's decoder
 * (vxd/vkd/), and INT 13h over images (vxd/int13/vdisk.c).  The input is a stream of operations,
 * each an opcode byte and its arguments.  Checked besides the sanitizers (every buffer is
 * allocated to its exact size, so ASan sees any access past it):
 *   - the PIC: an INT line means INTA gives a vector of one of the two chips' bases, and no
 *     line means none; EOIs name only IRQs 0-15 but the cascade;
 *   - the PIT: edges add up over split intervals, the next edge is after the instant asked and
 *     is an edge;
 *   - the keyboard: the BIOS buffer's pointers stay inside 40:1E-3D when they started there,
 *     only the keyboard's BDA bytes change, the terminal's output fits what it was given;
 *   - the disks: results only in the registers INT 13h defines; the images' sizes respected.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../vxd/vpicd/vpic.h"
#include "../../vxd/vtd/vpit.h"
#include "../../vxd/vkd/vkbd.h"
#include "../../vxd/int13/vdisk.h"

#define MEM 0x110000u

#include "input.h"

static uint32_t ram_end;
static int ok(void *ctx, uint32_t lin, uint32_t len, int write)
{
    (void)ctx;
    (void)write;
    return len <= ram_end && lin <= ram_end - len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t *mem, *img_f, *img_h;
    if (!mem) {
        mem = calloc(1, MEM);
        img_f = calloc(1, 368640);              /* a 360 KB diskette */
        img_h = calloc(1, 128 * 1024);          /* a 128 KB hard disk */
    }
    struct in in = { data, size };
    struct vpic pic;
    struct vpit pit;
    struct v8042 kbc;
    struct vkbd_vt vt = { 0 };
    struct vdisk disks[2];
    const char *why;
    uint64_t now = 1000;
    memset(mem, 0, MEM);
    vpic_reset(&pic, 0x08, 0x70, 0xB8, 0x8F);
    vpit_reset(&pit, now);
    v8042_reset(&kbc);
    vkbd_bios_reset(mem);
    int nd = vdisk_init(&disks[0], 0x00, img_f, 368640, &why);
    nd += vdisk_init(&disks[nd], 0x80, img_h, 128 * 1024, &why);
    ram_end = 0xA0000;
    struct vdisk_vm vm = { mem, ok, 0 };

    while (in.n) {
        uint8_t op = u8(&in);
        switch (op % 10) {
        case 0: {                               /* PIC port write */
            static const uint16_t ports[4] = { 0x20, 0x21, 0xA0, 0xA1 };
            uint16_t eoi = vpic_write(&pic, ports[op >> 4 & 3], u8(&in));
            if (eoi & 0x0004)
                abort();                        /* the cascade is no device's IRQ */
            break;
        }
        case 1: {                               /* PIC port read */
            static const uint16_t ports[4] = { 0x20, 0x21, 0xA0, 0xA1 };
            uint16_t eoi = 0;
            vpic_read(&pic, ports[op >> 4 & 3], &eoi);
            if (eoi & 0x0004)
                abort();
            break;
        }
        case 2:
            vpic_line(&pic, u8(&in) % 17, op >> 7);
            break;
        case 3: {                               /* INTA */
            int intr = vpic_intr(&pic);
            uint16_t eoi = 0;
            int v = vpic_ack(&pic, &eoi);
            if (intr != (v >= 0))
                abort();
            if (v >= 0 && (v & ~7) != pic.m.base && (v & ~7) != pic.s.base)
                abort();
            break;
        }
        case 4: {                               /* PIT port write, time moving on */
            static const uint16_t ports[5] = { 0x40, 0x41, 0x42, 0x43, 0x61 };
            now += u16(&in);
            vpit_write(&pit, ports[(op >> 4) % 5], u8(&in), now);
            break;
        }
        case 5: {                               /* PIT reads, edges */
            static const uint16_t ports[4] = { 0x40, 0x41, 0x42, 0x61 };
            vpit_read(&pit, ports[op >> 4 & 3], now);
            uint64_t a = now, b = now + u16(&in) * 37u, c = b + u16(&in) * 37u;
            if (vpit_irq0_edges(&pit, a, b) + vpit_irq0_edges(&pit, b, c) !=
                vpit_irq0_edges(&pit, a, c))
                abort();
            uint64_t nx = vpit_irq0_next(&pit, a);
            if (nx != UINT64_MAX && (nx <= a || vpit_irq0_edges(&pit, nx - 1, nx) != 1 ||
                                     vpit_irq0_edges(&pit, a, nx - 1) != 0))
                abort();
            break;
        }
        case 6: {                               /* the 8042's ports */
            static const uint16_t ports[3] = { 0x60, 0x64, 0x92 };
            if (op & 0x80)
                v8042_write(&kbc, ports[(op >> 4 & 7) % 3], u8(&in));
            else
                v8042_read(&kbc, ports[(op >> 4 & 7) % 3]);
            v8042_key(&kbc, u8(&in));
            break;
        }
        case 7: {                               /* a terminal's byte, through the BIOS */
            uint8_t sc[16], before[0x100];
            memcpy(before, mem + 0x400, sizeof before);
            uint16_t h0 = (uint16_t)(mem[0x41A] | mem[0x41B] << 8);
            uint16_t t0 = (uint16_t)(mem[0x41C] | mem[0x41D] << 8);
            int inside = h0 >= 0x1E && h0 < 0x3E && t0 >= 0x1E && t0 < 0x3E && !(h0 & 1) &&
                         !(t0 & 1) && mem[0x480] == 0x1E && mem[0x481] == 0 &&
                         mem[0x482] == 0x3E && mem[0x483] == 0;   /* INT 13h may read over it */
            unsigned n = vkbd_vt_byte(&vt, u8(&in), sc, (op >> 4) + 1u);
            if (n > (op >> 4) + 1u)
                abort();
            for (unsigned i = 0; i < n; i++)
                vkbd_bios_scan(mem, sc[i]);
            /* the buffer where the BDA says it is (40:80h, 40:82h): a program may move it */
            unsigned bstart = before[0x80] | before[0x81] << 8;
            unsigned bend = before[0x82] | before[0x83] << 8;
            for (unsigned a = 0; a < sizeof before; a++)
                if (mem[0x400 + a] != before[a] && a != 0x17 && a != 0x18 && a != 0x1A &&
                    a != 0x1B && a != 0x1C && a != 0x1D && !(a >= 0x1E && a < 0x3E) &&
                    !(a >= bstart && a < bend) && a != 0x96 && a != 0x97)
                    abort();
            uint16_t h = (uint16_t)(mem[0x41A] | mem[0x41B] << 8);
            uint16_t t = (uint16_t)(mem[0x41C] | mem[0x41D] << 8);
            if (inside && (h < 0x1E || h >= 0x3E || t < 0x1E || t >= 0x3E || (h & 1) || (t & 1)))
                abort();
            break;
        }
        case 8:                                 /* a program writes the BDA's buffer words */
            mem[0x400 + 0x1A + (op >> 4 & 7)] = u8(&in);
            vkbd_bios_scan(mem, u8(&in));
            vkbd_bios_reset(mem);
            break;
        case 9: {                               /* INT 13h */
            struct client_regs r = { 0 };
            r.eax = u16(&in);
            r.ebx = u16(&in);
            r.ecx = u16(&in);
            r.edx = u16(&in);
            r.esi = u16(&in);
            r.es = u16(&in);
            r.ds = u16(&in);
            ram_end = (op & 0x80) ? MEM : 0xA0000;
            struct client_regs before = r;
            vdisk_int13(disks, (unsigned)nd, &vm, &r);
            if (r.ebp != before.ebp || r.eip != before.eip || r.cs != before.cs)
                abort();
            break;
        }
        }
    }
    return 0;
}
