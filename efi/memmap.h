/*
 * Conversion of the UEFI memory map into the boot info's struct bi_mem_range[] (sorted, disjoint,
 * page-granular, adjacent runs of the same type merged).  Portable: it runs in the loader after
 * ExitBootServices, so it calls nothing, and on the host under the unit tests.
 */
#ifndef EFI_MEMMAP_H
#define EFI_MEMMAP_H
#include <stdint.h>
#include "boot/bootinfo.h"
#include "lib/kfmt.h"

/* The loader's own allocations use OS-reserved UEFI memory types, so that the memory map tells
 * the VMM which pages hold what it was handed (UEFI 2.x reserves 0x80000000.. for the OS). */
#define LOADER_MEM_VMM      0x80000001u
#define LOADER_MEM_MODULES  0x80000002u
#define LOADER_MEM_BOOTDATA 0x80000003u

/* EFI_MEMORY_DESCRIPTOR as the firmware writes it; entries are desc_size apart, which may be
 * (and under OVMF is) larger than this struct. */
struct efi_mdesc {
    uint32_t type;
    uint32_t pad;
    uint64_t phys;
    uint64_t virt;
    uint64_t pages;
    uint64_t attr;
};

uint32_t memmap_bi_type(uint32_t efi_type);

/* Returns the number of entries written to out (at most cap), or -1 with e filled when the map is
 * malformed or cap is too small.  out doubles as the sort buffer, so cap must hold every
 * non-empty descriptor even if they merge; 2 * descriptors + 1 always suffices (overlaps split). */
int memmap_convert(const void *map, uint64_t map_size, uint64_t desc_size,
                   struct bi_mem_range *out, uint32_t cap, struct kerr *e);

#endif
