/*
 * Host tests for vxd/int13/vdisk.c: INT 13h over disk images in memory -- the geometries, CHS
 * reads and writes landing where the image and the VM's memory say, the parameters, the type,
 * the extensions' packets, and every refusal (no drive, sector 0, past the end, a buffer that is
 * not the VM's RAM).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../vxd/int13/vdisk.h"

#define VMMEM 0x110000u
static uint8_t *mem, *fimg, *himg;
static struct vdisk disks[2];
static uint32_t ram_end = 0xA0000;

static int ok(void *ctx, uint32_t lin, uint32_t len, int write)
{
    (void)ctx;
    return len <= ram_end && lin <= ram_end - len ? 1 : !write && lin >= 0xF0000 && lin + len <= 0x100000;
}
static struct vdisk_vm vm = { 0, ok, 0 };

static void setup(void)
{
    mem = calloc(1, VMMEM);
    fimg = malloc(1474560);
    himg = calloc(1, 10u << 20);
    cr_assert(mem && fimg && himg);
    for (uint32_t i = 0; i < 1474560; i++)
        fimg[i] = (uint8_t)(i / 512 * 7 + i % 512);     /* every sector its own bytes */
    vm.mem = mem;
    const char *why;
    cr_assert(vdisk_init(&disks[0], 0x00, fimg, 1474560, &why));
    cr_assert(vdisk_init(&disks[1], 0x80, himg, 10u << 20, &why));
}
static void teardown(void)
{
    free(mem);
    free(fimg);
    free(himg);
}
TestSuite(vdisk, .init = setup, .fini = teardown);

static struct client_regs call(uint16_t ax, uint16_t bx, uint16_t cx, uint16_t dx, uint16_t es)
{
    struct client_regs r = { 0 };
    r.eax = ax;
    r.ebx = bx;
    r.ecx = cx;
    r.edx = dx;
    r.es = es;
    cr_assert(vdisk_int13(disks, 2, &vm, &r));
    return r;
}
#define AH(r) (((r).eax >> 8) & 0xFF)
#define CFL(r) ((r).eflags & 1)

Test(vdisk, floppy_geometry_and_parameters)
{
    cr_assert_eq(disks[0].cylinders, 80);
    cr_assert_eq(disks[0].heads, 2);
    cr_assert_eq(disks[0].spt, 18);
    struct client_regs r = call(0x0800, 0, 0, 0x0000, 0);
    cr_assert_not(CFL(r));
    cr_assert_eq(r.ecx & 0xFFFF, 0x4F12, "79 cylinders, 18 sectors: %04x", r.ecx);
    cr_assert_eq(r.edx & 0xFFFF, 0x0101, "2 heads, 1 diskette drive");
    cr_assert_eq(r.ebx & 0xFF, 4, "1.44 MB");
    cr_assert_eq(r.es, 0xF000);
    cr_assert_eq(r.edi & 0xFFFF, 0xEFC7);
    r = call(0x1500, 0, 0, 0x0000, 0);
    cr_assert_eq(AH(r), 0x01);
    r = call(0x0800, 0, 0, 0x0080, 0);
    cr_assert_eq(r.ecx & 0xFFFF, 0x123F, "a hard disk: 20 cylinders, the last for diagnostics");
    cr_assert_eq(r.edx & 0xFFFF, 0x0F01, "16 heads, 1 hard disk");
}

Test(vdisk, chs_read_lands_where_it_should)
{
    /* cylinder 1, head 1, sector 3: LBA (1*2+1)*18+2 = 56; two sectors to 1000:0000 */
    struct client_regs r = call(0x0202, 0x0000, 0x0103, 0x0100, 0x1000);
    cr_assert_not(CFL(r));
    cr_assert_eq(r.eax & 0xFFFF, 0x0002);
    cr_assert_eq(memcmp(mem + 0x10000, fimg + 56 * 512, 1024), 0);
    cr_assert_eq(mem[0x10000 + 1024], 0, "nothing past the two sectors");
}

Test(vdisk, write_goes_to_the_image_in_memory)
{
    memset(mem + 0x20000, 0xA5, 512);
    struct client_regs r = call(0x0301, 0x0000, 0x0001, 0x0000, 0x2000);
    cr_assert_not(CFL(r));
    cr_assert_eq(fimg[0], 0xA5);
    cr_assert_eq(fimg[511], 0xA5);
    cr_assert_neq(fimg[512], 0xA5);
}

Test(vdisk, refusals)
{
    struct client_regs r = call(0x0201, 0, 0x0000, 0x0000, 0x1000);
    cr_assert(CFL(r));
    cr_assert_eq(AH(r), 0x04, "sector 0");
    r = call(0x0201, 0, 0x5001, 0x0000, 0x1000);
    cr_assert_eq(AH(r), 0x04, "cylinder 80 of 80");
    r = call(0x0200, 0, 0x0001, 0x0000, 0x1000);
    cr_assert_eq(AH(r), 0x01, "no sectors");
    r = call(0x0201, 0xFF00, 0x0001, 0x0000, 0xF000);
    cr_assert_eq(AH(r), 0x02, "a read into the BIOS");
    r = call(0x0201, 0, 0x0001, 0x0001, 0x1000);
    cr_assert_eq(AH(r), 0x01, "drive 01h: none");
    r = call(0x1500, 0, 0, 0x0081, 0);
    cr_assert_not(CFL(r));
    cr_assert_eq(AH(r), 0x00, "type of no drive: none");
    r = call(0x7700, 0, 0, 0x0080, 0);
    cr_assert_eq(AH(r), 0x01, "an unknown function");
    cr_assert_eq(mem[0x474], 0x01, "the hard disk's status in the BDA");
    r = call(0x0100, 0, 0, 0x0080, 0);
    cr_assert_eq(r.eax & 0xFFFF, 0x0101, "AH=01h: the last status");
}

Test(vdisk, hard_disk_geometry_from_the_mbr)
{
    uint8_t *e = himg + 446;
    e[4] = 0x06;                        /* a FAT16 partition ending at cylinder 19, head 31, */
    e[5] = 31;                          /* sector 32: LBA 32 to 20479, the last of the disk */
    e[6] = 32;
    e[7] = 19;
    e[8] = 32;
    e[12] = 0xE0;                       /* 20448 sectors */
    e[13] = 0x4F;
    himg[510] = 0x55;
    himg[511] = 0xAA;
    const char *why;
    struct vdisk d;
    cr_assert(vdisk_init(&d, 0x80, himg, 10u << 20, &why));
    cr_assert_eq(d.heads, 32);
    cr_assert_eq(d.spt, 32);
    cr_assert_eq(d.cylinders, 20);
    e[5] = 70;                          /* sfdisk's: 10 MB ends at 1/70/5 read as 255 x 63 */
    e[6] = 5;
    e[7] = 1;
    cr_assert(vdisk_init(&d, 0x80, himg, 10u << 20, &why));
    cr_assert(d.heads == 16 && d.spt == 63 && d.cylinders == 20,
              "an end that is no cylinder's: 16 x 63, as SeaBIOS (%u/%u/%u)", d.cylinders,
              d.heads, d.spt);
    cr_assert(vdisk_init(&d, 0x80, himg + 512, 10u << 20, &why));
    cr_assert_eq(d.heads, 16, "no MBR: 16 heads");
    cr_assert_eq(d.spt, 63);
    cr_assert_eq(d.cylinders, 20);
    cr_assert_not(vdisk_init(&d, 0x00, himg, 1000 * 1024, &why), "no diskette size");
    cr_assert_not(vdisk_init(&d, 0x80, himg, 1000, &why), "not whole sectors");
}

Test(vdisk, extensions)
{
    struct client_regs r = call(0x4100, 0x55AA, 0, 0x0080, 0);
    cr_assert_not(CFL(r));
    cr_assert_eq(r.ebx & 0xFFFF, 0xAA55);
    cr_assert_eq(r.ecx & 1, 1);
    for (uint32_t i = 0; i < 512; i++)
        himg[5000 * 512 + i] = (uint8_t)(i ^ 0x5A);
    uint8_t *p = mem + 0x500;           /* the packet at 0050:0000 */
    memset(p, 0, 16);
    p[0] = 16;
    p[2] = 1;                           /* one sector */
    p[4] = 0x00;
    p[5] = 0x00;
    p[6] = 0x00;
    p[7] = 0x30;                        /* to 3000:0000 */
    p[8] = 5000 & 0xFF;
    p[9] = 5000 >> 8;
    r = (struct client_regs){ .eax = 0x4200, .edx = 0x80, .ds = 0x50, .esi = 0 };
    cr_assert(vdisk_int13(disks, 2, &vm, &r));
    cr_assert_not(CFL(r));
    cr_assert_eq(memcmp(mem + 0x30000, himg + 5000 * 512, 512), 0);
    p[8] = 0xFF;
    p[9] = 0xFF;
    p[10] = 0xFF;                       /* far past the end */
    r = (struct client_regs){ .eax = 0x4200, .edx = 0x80, .ds = 0x50, .esi = 0 };
    vdisk_int13(disks, 2, &vm, &r);
    cr_assert_eq(AH(r), 0x04);
    cr_assert_eq(p[2], 0, "no sectors moved");
    memset(p, 0, 32);
    p[0] = 30;
    r = (struct client_regs){ .eax = 0x4800, .edx = 0x80, .ds = 0x50, .esi = 0 };
    vdisk_int13(disks, 2, &vm, &r);
    cr_assert_not(CFL(r));
    cr_assert_eq(p[0], 26);
    cr_assert_eq(p[16] | p[17] << 8 | p[18] << 16, (10u << 20) / 512, "the sector count");
}
