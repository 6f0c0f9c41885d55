/*
 * Builds the PAE page tables the VMM starts on (layout in include/boot/layout.h): the PDPT, four
 * page directories, every page table of the system region (PD3 entries 0..507, so system mappings
 * never need a page-table allocation later), the self-map in PD3[508..511], and whatever 4 KB
 * mappings the loader adds.  Portable: pages come from a callback, so the host tests can build the
 * tables in a buffer and walk them as the MMU would.
 */
#ifndef EFI_PAGETABLE_H
#define EFI_PAGETABLE_H
#include <stdint.h>
#include "lib/kfmt.h"

struct pt_builder {
    /* Returns the physical address of a zero-filled 4 KB page below 4 GB, or 0 when out of memory. */
    uint64_t (*alloc_page)(void *ctx);
    /* Returns a pointer through which the builder can write the page at phys. */
    void *(*phys_to_ptr)(void *ctx, uint64_t phys);
    void *ctx;
    int nx;                 /* the CPU has NX: set bit 63 on non-executable mappings */
    uint64_t pdpt;          /* set by pt_init */
    uint64_t pd[4];
    uint32_t tables;        /* pages allocated so far, for the loader's report */
};

/* flags for pt_map */
#define PT_MAP_WRITE 1u
#define PT_MAP_EXEC  2u
#define PT_MAP_USER  4u

int pt_init(struct pt_builder *b, struct kerr *e);
/* Map the 4 KB page at linear lin (page aligned) to phys; refuses to replace a mapping. */
int pt_map(struct pt_builder *b, uint32_t lin, uint64_t phys, unsigned flags, struct kerr *e);

#endif
