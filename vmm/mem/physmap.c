/* Early physical mappings through the self-map: see physmap.h. */
#include "mem/physmap.h"
#include "boot/layout.h"
#include "x86/x86.h"
#include "mem/nonreentrant.h"

static uint32_t next = PHYSMAP_BASE;

/* The PTE of linear address lin, as two dwords, through the self-map. */
NONREENTRANT static volatile uint32_t *pte_of(uint32_t lin) { return (volatile uint32_t *)(PTE_WINDOW + (lin >> PAGE_SHIFT) * 8); }
static int use_nx;

NONREENTRANT void physmap_init(int nx) { use_nx = nx; }

NONREENTRANT uint32_t physmap_used(void) { return next - PHYSMAP_BASE; }

NONREENTRANT void *map_phys(uint64_t phys, uint32_t size, unsigned flags)
{
    uint32_t off = (uint32_t)phys & (PAGE_SIZE - 1);
    uint64_t base = phys - off;
    uint64_t pages = ((uint64_t)off + size + PAGE_SIZE - 1) >> PAGE_SHIFT;

    if (size == 0 || base >= (1ull << 52) || pages > (SELFMAP_BASE - next) >> PAGE_SHIFT)
        return 0;
    uint32_t lin = next;
    next += (uint32_t)pages << PAGE_SHIFT;
    for (uint32_t i = 0; i < pages; i++) {
        uint32_t l = lin + (i << PAGE_SHIFT);
        volatile uint32_t *pte = pte_of(l);
        uint64_t v = (base + ((uint64_t)i << PAGE_SHIFT)) | PTE_P |
                     (flags & PM_WRITE ? PTE_W : 0) | (flags & PM_UNCACHED ? PTE_PCD | PTE_PWT : 0) |
                     (use_nx ? PTE_NX : 0);
        /* Not present until the low half (with P) lands, so the high half goes first. */
        pte[1] = (uint32_t)(v >> 32);
        pte[0] = (uint32_t)v;
        invlpg(l);
    }
    return (void *)(lin + off);
}

NONREENTRANT void unmap_range(uint32_t lin, uint32_t size)
{
    for (uint32_t l = lin & ~(PAGE_SIZE - 1); l - (lin & ~(PAGE_SIZE - 1)) < size; l += PAGE_SIZE) {
        volatile uint32_t *pte = pte_of(l);
        /* The page table itself must exist: below the system region only PD0's trampoline table
         * is guaranteed to, so read the PDE first. */
        volatile uint32_t *pde = (volatile uint32_t *)(PDE_WINDOW + (l >> 21) * 8);
        if (!(*pde & PTE_P))
            continue;
        pte[0] = 0;                     /* P goes first */
        pte[1] = 0;
        invlpg(l);
    }
}
