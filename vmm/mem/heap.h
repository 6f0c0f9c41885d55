/*
 * Heap services (the DDK's _HeapAllocate, _HeapFree, _HeapReAllocate, _HeapGetSize): small blocks
 * on top of pages.  A two-level segregated fit: free blocks sit in 16 lists per power of two,
 * found by two bit scans, so allocation and free are O(1) in the number of blocks; neighbours
 * coalesce at once.  Portable: pages come from callbacks (the page services in the VMM, malloc in
 * the host tests).  Not reentrant; never call it from an interrupt handler.
 *
 * Every block starts with a 4-word header; the payload after it is 16-byte aligned (the DDK's
 * default, HEAPALIGN_16).  Memory is taken in pools of whole pages; a pool whose blocks are all
 * free goes back to the page source (one spare pool is kept, so that an allocate/free pair at a
 * pool boundary does not thrash).  heap_free checks that the pointer lies inside the heap's
 * bounds, is aligned, lies in memory the source says may be read (a pool given back, or pages
 * between pools, are not the heap's: a stale pointer there is refused, never read), heads an
 * allocated block (a check word in its header) and was not freed already: otherwise it refuses,
 * with the caller's address in the message, and changes nothing.
 */
#ifndef MEM_HEAP_H
#define MEM_HEAP_H
#include <stddef.h>
#include <stdint.h>
#include "lib/kfmt.h"

#include "vmm/heap.h"           /* the DDK's HEAP* flags */

#define HEAP_ALIGN      16u         /* every block's payload is aligned so */
#define HEAP_SL_LOG2    4
#define HEAP_SL_COUNT   (1 << HEAP_SL_LOG2)
#define HEAP_FL_COUNT   25          /* size classes up to 4 GB */

struct heap_source {
    void *(*alloc)(void *ctx, size_t bytes);    /* whole pages, page aligned; NULL when out */
    void  (*free)(void *ctx, void *p, size_t bytes);
    void *ctx;
    /* Optional: nonzero if the page holding addr may be read (it is mapped), so that a pointer
     * into a pool given back is refused before its header is read; NULL: every address in the
     * heap's bounds may be (a source that never takes pages away). */
    int   (*readable)(void *ctx, uintptr_t addr);
};

struct heap_block;
struct heap_pool;

struct heap {
    uint32_t fl_map;                            /* bit f: some list of class f is non-empty */
    uint32_t sl_map[HEAP_FL_COUNT];
    struct heap_block *lists[HEAP_FL_COUNT][HEAP_SL_COUNT];
    struct heap_pool *pools;                    /* every pool, for the check and for destroy */
    struct heap_block *dv;                      /* the designated victim (heap.c), or NULL */
    uintptr_t lo, hi;                           /* bounds of every pool: cheap pointer check */
    size_t pool_min;                            /* bytes asked from the source at least */
    struct heap_source src;
    /* counters */
    size_t used_bytes, used_blocks, pool_bytes;
    uint32_t npools, spare_pools;
};

void   heap_init(struct heap *h, const struct heap_source *src, size_t pool_min);
void   heap_destroy(struct heap *h);            /* returns every pool to the source */
/* Gives the heap a region to use (e.g. pre-sized for a benchmark); 0 ok. */
int    heap_add_pool(struct heap *h, void *mem, size_t bytes, struct kerr *e);

void  *heap_alloc(struct heap *h, size_t size, uint32_t flags, uintptr_t caller);
int    heap_free(struct heap *h, void *p, uintptr_t caller, struct kerr *e);
/* _HeapReAllocate: NULL (and the old block untouched) when it cannot; HEAPNOCOPY: contents
 * not kept; HEAPZEROREINIT: bytes past the old block's usable size (heap_get_size) are zero,
 * up to the new block's usable size.  HEAPZEROINIT on heap_alloc zeroes the whole usable block.
 * A request is carved from the designated victim (the remainder of the last split) when it fits,
 * else served from a size class whose every block fits it (good fit), so a heap whose only free
 * blocks fit exactly grows by a pool rather than search a list. */
void  *heap_realloc(struct heap *h, void *p, size_t size, uint32_t flags, uintptr_t caller,
                    struct kerr *e);
/* Usable bytes of an allocated block (at least what was asked), 0 for a bad pointer. */
size_t heap_get_size(const struct heap *h, const void *p);

/* What a caller left behind (an unloaded VxD: callers in its code, [lo, hi)): up to max of the
 * allocated blocks whose allocating caller lies in [lo, hi), their payloads into out; how many.
 * Free or disown each before asking again (the same blocks come back otherwise). */
size_t heap_find_owned(const struct heap *h, uintptr_t lo, uintptr_t hi, void **out, size_t max);
/* p (an allocated block's payload, from heap_find_owned) belongs to nobody from now: kept. */
void   heap_disown(struct heap *h, void *p);

/* Walks every block of every pool and every free list and verifies the invariants; 0 when they
 * hold, else -1 with the first violation. */
int    heap_check(const struct heap *h, struct kerr *e);

#endif
