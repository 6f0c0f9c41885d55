/* The system arena over the self-mapped PTEs: see linear.h. */
#include "mem/linear.h"
#include "boot/layout.h"
#include "console/console.h"

struct arena sys_arena;

static volatile uint32_t *pte(uint32_t page) { return (volatile uint32_t *)(PTE_WINDOW + page * 8); }

static uint64_t pte_get(void *ctx, uint32_t page)
{
    (void)ctx;
    volatile uint32_t *p = pte(page);
    return p[0] | (uint64_t)p[1] << 32;
}

/* The arena writes only not-present encodings over not-present entries: no TLB entry can exist
 * for them, so neither the order of the two halves nor an INVLPG matters. */
static void pte_set(void *ctx, uint32_t page, uint64_t v)
{
    (void)ctx;
    volatile uint32_t *p = pte(page);
    p[0] = (uint32_t)v;
    p[1] = (uint32_t)(v >> 32);
}

int linear_init(void)
{
    static const struct arena_ops ops = { pte_get, pte_set, 0 };
    struct kerr e;
    if (arena_init(&sys_arena, SYSARENA_BASE >> 12, (PHYSMAP_BASE - SYSARENA_BASE) >> 12, &ops, &e)) {
        kprintf("linear: %s\n", e.msg);
        return -1;
    }
    return 0;
}
