/* The system arena over the self-mapped PTEs: see linear.h. */
#include "mem/linear.h"
#include "boot/layout.h"
#include "console/console.h"
#include "mem/nonreentrant.h"

struct arena sys_arena;

NONREENTRANT int linear_init(void)
{
    /* The self-map window is the array of every PTE, indexed by page number.  The arena writes
     * only not-present encodings over not-present entries: no TLB entry can exist for them, so
     * neither the order of a 64-bit store's halves nor an INVLPG matters. */
    volatile uint64_t *ptes = (volatile uint64_t *)PTE_WINDOW + (SYSARENA_BASE >> 12);
    struct kerr e;
    if (arena_init(&sys_arena, SYSARENA_BASE >> 12, (PHYSMAP_BASE - SYSARENA_BASE) >> 12, ptes, &e)) {
        kprintf("linear: %s\n", e.msg);
        return -1;
    }
    return 0;
}
