/* The system heap over the page services: see heapsvc.h. */
#include "mem/heapsvc.h"
#include "mem/page.h"
#include "console/console.h"
#include "x86/x86.h"
#include "vmm.h"
#include "mem/nonreentrant.h"

#define POOL_MIN (64u << 10)            /* pages asked at a time: 16 */

struct heap sys_heap;

NONREENTRANT static void *pool_alloc(void *ctx, size_t bytes)
{
    (void)ctx;
    uint64_t r = _PageAllocate((uint32_t)(bytes >> 12), PG_SYS, 0, 0, 0, 0, 0, PAGEFIXED);
    return PAGE_RET_LO(r) ? (void *)PAGE_RET_HI(r) : 0;
}

NONREENTRANT static void pool_free(void *ctx, void *p, size_t bytes)
{
    (void)ctx;
    (void)bytes;
    uint32_t h = page_handle_at((uint32_t)p);
    if (!h || !_PageFree(h, 0))
        kprintf("heap: pool %08x is not a page block (internal error)\n", (uint32_t)p);
}

/* A stale pointer's header page: mapped (a pool, or someone else's page: the check word then
 * refuses it), or not -- a pool given back, free arena pages between pools: refused unread.
 * The heap asks only inside its bounds, which lie in the system region: one PTE load. */
NONREENTRANT static int pool_readable(void *ctx, uintptr_t addr)
{
    (void)ctx;
    return page_mapped_system((uint32_t)addr);
}

NONREENTRANT static void *node_alloc(void *ctx, size_t bytes)
{
    (void)ctx;
    INTS_OFF();
    void *p = heap_alloc(&sys_heap, bytes, 0, CALLER);
    return p;
}

NONREENTRANT static void node_free(void *ctx, void *p, size_t bytes)
{
    struct kerr e;
    (void)ctx;
    (void)bytes;
    int r;
    {
        INTS_OFF();
        r = heap_free(&sys_heap, p, CALLER, &e);
    }
    if (r)
        kprintf("list: %s\n", e.msg);
}

const struct list_mem list_mem_sys = { node_alloc, node_free, 0 };

NONREENTRANT void heapsvc_init(void)
{
    static const struct heap_source src = { pool_alloc, pool_free, 0, pool_readable };
    heap_init(&sys_heap, &src, POOL_MIN);
}

NONREENTRANT void *heapsvc_alloc_for(uint32_t nbytes, uint32_t flags, uint32_t caller)
{
    INTS_OFF();
    void *p = heap_alloc(&sys_heap, nbytes, flags, caller);
    return p;
}

/* Each service runs with interrupts off (see heapsvc.h). */
NONREENTRANT void *_HeapAllocate(uint32_t nbytes, uint32_t flags)
{
    INTS_OFF();
    void *p = heap_alloc(&sys_heap, nbytes, flags, CALLER);
    return p;
}

NONREENTRANT uint32_t _HeapFree(void *p, uint32_t flags)
{
    struct kerr e;
    (void)flags;
    int r;
    {
        INTS_OFF();
        r = heap_free(&sys_heap, p, CALLER, &e);
    }
    if (r)
        return refused("_HeapFree", CALLER, "%s", e.msg);
    return 1;
}

NONREENTRANT void *_HeapReAllocate(void *p, uint32_t nbytes, uint32_t flags)
{
    struct kerr e;
    e.msg[0] = 0;
    void *q;
    {
        INTS_OFF();
        q = heap_realloc(&sys_heap, p, nbytes, flags, CALLER, &e);
    }
    if (!q && e.msg[0])             /* refused; out of memory is a plain NULL */
        refused("_HeapReAllocate", CALLER, "%s", e.msg);
    return q;
}

NONREENTRANT uint32_t _HeapGetSize(void *p, uint32_t flags)
{
    (void)flags;
    INTS_OFF();
    uint32_t n = (uint32_t)heap_get_size(&sys_heap, p);
    return n;
}
