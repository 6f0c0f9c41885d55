/*
 * Early physical mappings: maps physical ranges (boot info, modules, framebuffer) into the
 * window PHYSMAP_BASE..SELFMAP_BASE by writing PTEs through the page-table self-map that the
 * loader set up.  Needs no page allocation (every system page table exists from boot).  The page
 * services of the memory-manager issue take the window over.  Not reentrant.
 */
#ifndef MEM_PHYSMAP_H
#define MEM_PHYSMAP_H
#include <stdint.h>

#define PM_WRITE    1u
#define PM_UNCACHED 2u

void  physmap_init(int nx);
void *map_phys(uint64_t phys, uint32_t size, unsigned flags);   /* NULL when the window is full */
uint32_t physmap_used(void);                                    /* bytes of window consumed */
/* Removes the mappings of the pages covering [lin, lin + size) (e.g. the loader's trampoline). */
void  unmap_range(uint32_t lin, uint32_t size);

#endif
