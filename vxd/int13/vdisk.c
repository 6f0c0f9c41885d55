/*
 * The BIOS disks' portable core (vdisk.h): INT 13h over disk images in memory.
 */
#include "vdisk.h"

void *memcpy(void *dst, const void *src, __SIZE_TYPE__ n);    /* libc, or the VMM's export */

#define CF 0x0001u

/* Status codes (AH) as an IBM BIOS gives them. */
#define ST_OK        0x00
#define ST_BADCMD    0x01               /* invalid function or parameter */
#define ST_NOTFOUND  0x04               /* sector not found */
#define ST_TIMEOUT   0x80               /* no such drive */
#define ST_BADADDR   0x02               /* the buffer is not the VM's memory ("address mark") */

static const struct { uint32_t kb; uint16_t cyl; uint8_t heads, spt, type; } floppies[] = {
    { 160, 40, 1, 8, 1 },  { 180, 40, 1, 9, 1 },  { 320, 40, 2, 8, 1 },  { 360, 40, 2, 9, 1 },
    { 720, 80, 2, 9, 3 },  { 1200, 80, 2, 15, 2 }, { 1440, 80, 2, 18, 4 }, { 2880, 80, 2, 36, 6 },
};

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static void wr32(uint8_t *p, uint32_t v)
{
    wr16(p, (uint16_t)v);
    wr16(p + 2, (uint16_t)(v >> 16));
}

int vdisk_init(struct vdisk *d, uint8_t drive, uint8_t *data, uint32_t size, const char **why)
{
    *d = (struct vdisk){ 0 };
    d->drive = 0xFF;
    if (!data || size % 512) {
        *why = "its size is not a whole number of 512-byte sectors";
        return 0;
    }
    d->data = data;
    d->sectors = size / 512;
    if (drive < 0x80) {
        for (unsigned i = 0; i < sizeof floppies / sizeof floppies[0]; i++)
            if (floppies[i].kb * 1024u == size) {
                d->cylinders = floppies[i].cyl;
                d->heads = floppies[i].heads;
                d->spt = floppies[i].spt;
                d->floppy_type = floppies[i].type;
                d->drive = drive;
                return 1;
            }
        *why = "its size is not a diskette's (160, 180, 320, 360, 720, 1200, 1440 or 2880 KB)";
        return 0;
    }
    if (size < 64 * 1024) {
        *why = "it is smaller than 64 KB: no hard disk";
        return 0;
    }
    d->heads = 16;
    d->spt = 63;
    const uint8_t *mbr = data;
    /* FDISK's geometry: a partition that ends on a cylinder's last sector tells the heads and
     * the sectors a track -- when its end's CHS, read with them, is its end's LBA: a partition
     * ending elsewhere (sfdisk's end on a MiB) tells nothing, and the size's 16 x 63 stays, as
     * in QEMU's and SeaBIOS's guess. */
    if (mbr[510] == 0x55 && mbr[511] == 0xAA)
        for (unsigned i = 0; i < 4; i++) {
            const uint8_t *e = mbr + 446 + i * 16;
            uint32_t heads = e[5] + 1u, spt = e[6] & 0x3Fu, cyl = e[7] | (e[6] & 0xC0u) << 2;
            uint32_t end = (uint32_t)(e[8] | e[9] << 8 | e[10] << 16) + ((uint32_t)e[11] << 24) +
                           (uint32_t)(e[12] | e[13] << 8 | e[14] << 16) + ((uint32_t)e[15] << 24) - 1;
            if (e[4] && e[5] && spt && (cyl * heads + heads - 1) * spt + spt - 1 == end) {
                d->heads = (uint8_t)heads;
                d->spt = (uint8_t)spt;
                break;
            }
        }
    uint32_t cyl = d->sectors / ((uint32_t)d->heads * d->spt);
    d->cylinders = (uint16_t)(cyl > 1024 ? 1024 : cyl ? cyl : 1);
    d->drive = drive;
    return 1;
}

static struct vdisk *find(struct vdisk *disks, unsigned n, uint8_t drive)
{
    for (unsigned i = 0; i < n; i++)
        if (disks[i].drive == drive)
            return &disks[i];
    return 0;
}

static unsigned count(const struct vdisk *disks, unsigned n, int hard)
{
    unsigned c = 0;
    for (unsigned i = 0; i < n; i++)
        if (disks[i].drive != 0xFF && (disks[i].drive >= 0x80) == hard)
            c++;
    return c;
}

static void done(struct vdisk *d, const struct vdisk_vm *vm, struct client_regs *r, uint8_t st)
{
    r->eax = (r->eax & 0xFFFF00FFu) | (uint32_t)st << 8;
    if (st)
        r->eflags |= CF;
    else
        r->eflags &= ~CF;
    if (d)
        d->status = st;
    if (d && d->drive >= 0x80 && vm->ok(vm->ctx, 0x474, 1, 1))
        vm->mem[0x474] = st;            /* the hard disks' last status, in the BDA */
}

/* count sectors from lba to or from the VM's buffer at linear `buf` (verify: none moved): the
 * whole buffer checked once, then one copy. */
static uint8_t transfer(struct vdisk *d, const struct vdisk_vm *vm, uint32_t lba, uint32_t n,
                        uint32_t buf, int op, uint32_t *moved)
{
    *moved = 0;
    if (lba >= d->sectors)
        return ST_NOTFOUND;
    if (n > d->sectors - lba)
        n = d->sectors - lba;           /* as many as there are, then "not found" */
    uint8_t *sec = d->data + lba * 512u;
    if (op == 2 || op == 3) {
        if (!vm->ok(vm->ctx, buf, n * 512u, op == 2))
            return ST_BADADDR;
        if (op == 2)
            memcpy(vm->mem + buf, sec, n * 512u);   /* read: the image to the VM */
        else
            memcpy(sec, vm->mem + buf, n * 512u);   /* write: the VM to the image, in memory */
    }
    *moved = n;
    return ST_OK;
}

static int chs(const struct vdisk *d, const struct client_regs *r, uint32_t *lba)
{
    uint32_t cyl = (r->ecx >> 8 & 0xFF) | (r->ecx & 0xC0) << 2, sec = r->ecx & 0x3F;
    uint32_t head = r->edx >> 8 & 0xFF;
    if (!sec || sec > d->spt || head >= d->heads || cyl >= d->cylinders)
        return 0;
    *lba = (cyl * d->heads + head) * d->spt + sec - 1;
    return 1;
}

int vdisk_int13(struct vdisk *disks, unsigned n, const struct vdisk_vm *vm,
                struct client_regs *r)
{
    uint8_t ah = (uint8_t)(r->eax >> 8), dl = (uint8_t)r->edx;
    struct vdisk *d = find(disks, n, dl);
    uint32_t moved, lba;
    uint8_t st;
    if (ah == 0x15 && !d) {             /* type: no such drive */
        r->eax &= 0xFFFF00FFu;
        r->eflags &= ~CF;
        return 1;
    }
    if (!d) {
        if (ah == 0x08 && dl < 0x80 && !count(disks, n, 0)) {
            done(0, vm, r, ST_TIMEOUT);
            return 1;
        }
        done(0, vm, r, ST_BADCMD);
        return 1;
    }
    switch (ah) {
    case 0x00:                          /* reset */
    case 0x0D:
    case 0x10:                          /* ready */
    case 0x0C:                          /* seek */
        done(d, vm, r, ST_OK);
        return 1;
    case 0x01:                          /* the last status */
        st = d->status;
        r->eax = (r->eax & 0xFFFF0000u) | (uint32_t)st << 8 | st;
        if (st)
            r->eflags |= CF;
        else
            r->eflags &= ~CF;
        d->status = 0;
        return 1;
    case 0x02:                          /* read, write, verify: AL sectors at CH/CL/DH */
    case 0x03:
    case 0x04: {
        uint32_t count_ = r->eax & 0xFF;
        if (!count_ || count_ > 128 || !chs(d, r, &lba)) {
            r->eax &= 0xFFFFFF00u;
            done(d, vm, r, count_ ? ST_NOTFOUND : ST_BADCMD);
            return 1;
        }
        st = transfer(d, vm, lba, count_, (r->es & 0xFFFF) * 16u + (r->ebx & 0xFFFF), ah, &moved);
        if (!st && moved < count_)
            st = ST_NOTFOUND;
        r->eax = (r->eax & 0xFFFFFF00u) | (moved & 0xFF);
        done(d, vm, r, st);
        return 1;
    }
    case 0x08: {                        /* parameters; a hard disk's last cylinder is kept for
                                         * diagnostics, as PC BIOSes (SeaBIOS too) keep it */
        uint32_t maxc = d->cylinders - (d->drive >= 0x80 && d->cylinders > 1 ? 2u : 1u);
        r->ecx = (r->ecx & 0xFFFF0000u) | (maxc & 0xFF) << 8 | (maxc >> 2 & 0xC0) | d->spt;
        r->edx = (r->edx & 0xFFFF0000u) | (uint32_t)(d->heads - 1u) << 8 |
                 count(disks, n, d->drive >= 0x80);
        if (d->drive < 0x80) {
            r->ebx = (r->ebx & 0xFFFFFF00u) | d->floppy_type;
            r->es = 0xF000;             /* the diskette parameter table at F000:EFC7 */
            r->edi = (r->edi & 0xFFFF0000u) | 0xEFC7;
        }
        r->eax &= 0xFFFF0000u;
        done(d, vm, r, ST_OK);
        return 1;
    }
    case 0x15:                          /* type: 01h diskette with no change line, 03h disk */
        if (d->drive < 0x80) {
            r->eax = (r->eax & 0xFFFF00FFu) | 0x0100;
        } else {                        /* the sectors CHS reaches, less the diagnostic
                                         * cylinder (as SeaBIOS counts them) */
            uint32_t n = (uint32_t)(d->cylinders > 1 ? d->cylinders - 1 : 1) * d->heads * d->spt;
            r->eax = (r->eax & 0xFFFF00FFu) | 0x0300;
            r->ecx = (r->ecx & 0xFFFF0000u) | n >> 16;
            r->edx = (r->edx & 0xFFFF0000u) | (n & 0xFFFF);
        }
        r->eflags &= ~CF;
        return 1;
    case 0x16:                          /* the change line: not changed */
        done(d, vm, r, ST_OK);
        return 1;
    case 0x41:                          /* the extensions: present (1.x, fixed disk access) */
        if ((r->ebx & 0xFFFF) != 0x55AA) {
            done(d, vm, r, ST_BADCMD);
            return 1;
        }
        r->ebx = (r->ebx & 0xFFFF0000u) | 0xAA55;
        r->ecx = (r->ecx & 0xFFFF0000u) | 0x0001;
        r->eax = (r->eax & 0xFFFF00FFu) | 0x2100;
        r->eflags &= ~CF;
        return 1;
    case 0x42:                          /* extended read, write, verify: the packet at DS:SI */
    case 0x43:
    case 0x44: {
        uint32_t pkt = (r->ds & 0xFFFF) * 16u + (r->esi & 0xFFFF);
        if (!vm->ok(vm->ctx, pkt, 16, 1) || vm->mem[pkt] < 16) {
            done(d, vm, r, ST_BADCMD);
            return 1;
        }
        uint8_t *p = vm->mem + pkt;
        uint32_t count_ = rd16(p + 2), buf = rd16(p + 6) * 16u + rd16(p + 4);
        uint32_t lba_hi = rd32(p + 12);
        lba = rd32(p + 8);
        if (lba_hi || count_ > 127) {
            wr16(p + 2, 0);
            done(d, vm, r, lba_hi ? ST_NOTFOUND : ST_BADCMD);
            return 1;
        }
        st = transfer(d, vm, lba, count_, buf, ah == 0x42 ? 2 : ah == 0x43 ? 3 : 4, &moved);
        if (!st && moved < count_)
            st = ST_NOTFOUND;
        wr16(p + 2, (uint16_t)moved);
        done(d, vm, r, st);
        return 1;
    }
    case 0x47:                          /* extended seek */
        done(d, vm, r, ST_OK);
        return 1;
    case 0x48: {                        /* extended parameters: the buffer at DS:SI */
        uint32_t at = (r->ds & 0xFFFF) * 16u + (r->esi & 0xFFFF);
        if (!vm->ok(vm->ctx, at, 26, 1) || rd16(vm->mem + at) < 26) {
            done(d, vm, r, ST_BADCMD);
            return 1;
        }
        uint8_t *p = vm->mem + at;
        wr16(p, 26);
        wr16(p + 2, 0x0002);            /* the geometry is valid */
        wr32(p + 4, d->cylinders);
        wr32(p + 8, d->heads);
        wr32(p + 12, d->spt);
        wr32(p + 16, d->sectors);
        wr32(p + 20, 0);
        wr16(p + 24, 512);
        done(d, vm, r, ST_OK);
        return 1;
    }
    }
    done(d, vm, r, ST_BADCMD);
    return 1;
}
