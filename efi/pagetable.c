/* PAE page-table construction for the handoff: see pagetable.h. */
#include "pagetable.h"
#include "boot/layout.h"

static uint64_t *table(struct pt_builder *b, uint64_t phys)
{
    return b->phys_to_ptr(b->ctx, phys & PTE_ADDR_MASK);
}

static uint64_t new_page(struct pt_builder *b, struct kerr *e)
{
    uint64_t p = b->alloc_page(b->ctx);
    if (!p)
        kerr_set(e, "out of memory for page tables (%u pages allocated)", b->tables);
    else if (p & (PAGE_SIZE - 1) || p >= (1ull << 32)) {
        kerr_set(e, "page-table page at 0x%llx is not a 4 KB page below 4 GB",
                 (unsigned long long)p);
        p = 0;
    } else
        b->tables++;
    return p;
}

int pt_init(struct pt_builder *b, struct kerr *e)
{
    b->tables = 0;
    if (!(b->pdpt = new_page(b, e)))
        return -1;
    for (int i = 0; i < 4; i++) {
        if (!(b->pd[i] = new_page(b, e)))
            return -1;
        table(b, b->pdpt)[i] = b->pd[i] | PTE_P;    /* PDPTEs: P only, the rest is reserved */
    }
    uint64_t *pd3 = table(b, b->pd[3]);
    for (unsigned k = 0; k < SELFMAP_PDE_FIRST; k++) {
        uint64_t pt = new_page(b, e);
        if (!pt)
            return -1;
        pd3[k] = pt | PTE_P | PTE_W;                /* rights are decided per PTE */
    }
    for (unsigned i = 0; i < 4; i++)
        pd3[SELFMAP_PDE_FIRST + i] = b->pd[i] | PTE_P | PTE_W | (b->nx ? PTE_NX : 0);
    return 0;
}

int pt_map(struct pt_builder *b, uint32_t lin, uint64_t phys, unsigned flags, struct kerr *e)
{
    if ((lin | phys) & (PAGE_SIZE - 1))
        return kerr_set(e, "map 0x%08x -> 0x%llx: not page aligned", lin, (unsigned long long)phys);
    if (phys & ~PTE_ADDR_MASK)
        return kerr_set(e, "map 0x%08x -> 0x%llx: beyond the 52-bit physical address space", lin,
                        (unsigned long long)phys);
    if (lin >= SELFMAP_BASE)
        return kerr_set(e, "map 0x%08x: inside the page-table self-map", lin);
    uint64_t *pd = table(b, b->pd[lin >> 30]);
    uint64_t *pde = &pd[(lin >> 21) & 511];
    if (!(*pde & PTE_P)) {
        uint64_t pt = new_page(b, e);
        if (!pt)
            return -1;
        *pde = pt | PTE_P | PTE_W;                  /* write is decided per PTE */
    }
    if (flags & PT_MAP_USER)
        *pde |= PTE_U;                              /* user only where a user page lies below */
    uint64_t *pte = &table(b, *pde)[(lin >> 12) & 511];
    if (*pte & PTE_P)
        return kerr_set(e, "map 0x%08x: already mapped to 0x%llx", lin,
                        (unsigned long long)(*pte & PTE_ADDR_MASK));
    *pte = phys | PTE_P | (flags & PT_MAP_WRITE ? PTE_W : 0) | (flags & PT_MAP_USER ? PTE_U : 0)
         | (b->nx && !(flags & PT_MAP_EXEC) ? PTE_NX : 0);
    return 0;
}
