/*
 * The BIOS disks' portable core (no hardware, no VMM services: unit-tested on the host): disk
 * images in memory as a PC BIOS's drives -- floppies (00h, 01h) and hard disks (80h, 81h) -- and
 * the INT 13h services over them: 00h reset, 01h status, 02h read, 03h write, 04h verify, 08h
 * parameters, 0Ch seek, 0Dh reset, 10h ready, 15h type, 16h change line, and the extensions
 * 41h-44h, 47h and 48h (packets with 32-bit LBAs).
 *
 * Geometry: a floppy's from its size (160 KB to 2.88 MB, the IBM formats); a hard disk's from
 * its MBR's partition table (the heads and sectors of a partition's end, as DOS's FDISK wrote
 * them) or, without one, 16 heads and 63 sectors, the cylinders what the size gives (at most
 * 1024: beyond is for the extensions).
 */
#ifndef INT13_VDISK_H
#define INT13_VDISK_H
#include <stdint.h>
#include "vmm/client.h"

struct vdisk {
    uint8_t *data;                      /* the image, writable (writes stay in memory) */
    uint32_t sectors;                   /* 512-byte sectors */
    uint16_t cylinders;
    uint8_t heads, spt;                 /* heads, sectors a track */
    uint8_t drive;                      /* 00h, 01h, 80h, 81h; 0FFh: no disk */
    uint8_t floppy_type;                /* INT 13h AH=08h BL: 1 360K ... 4 1.44M, 6 2.88M */
    uint8_t status;                     /* the last operation's (AH=01h) */
};

/* d for an image of size bytes as drive `drive`: 0 and the reason in *why if it is not one (a
 * floppy of no IBM size, a hard disk under 64 KB or not whole sectors). */
int vdisk_init(struct vdisk *d, uint8_t drive, uint8_t *data, uint32_t size, const char **why);

/* The VM's memory for INT 13h's buffers: ok(ctx, linear, len, write) says whether [linear,
 * linear + len) is the VM's RAM it may read (write 0) or write (write 1); mem is its V86 space
 * from linear 0. */
struct vdisk_vm {
    uint8_t *mem;
    int (*ok)(void *ctx, uint32_t linear, uint32_t len, int write);
    void *ctx;
};

/* INT 13h with the client registers r on the drives disks[0..n): 1 if answered (the results in
 * r, CF and AH as the BIOS sets them, the BDA's last status at 40:74h for hard disks), 0 if DL
 * names no drive here (r unchanged). */
int vdisk_int13(struct vdisk *disks, unsigned n, const struct vdisk_vm *vm,
                struct client_regs *r);

#endif
