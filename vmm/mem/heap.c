/* Heap services: see heap.h.
 *
 * Pool layout (every address 16-byte aligned):
 *
 *   +-----------+-------------+-------------+-- ... --+----------+
 *   | pool hdr  | block FIRST | block       |         | sentinel |  sentinel: a used block of
 *   +-----------+-------------+-------------+-- ... --+----------+  size 0 that stops coalescing
 *
 * A block's header: prev_phys (valid only when PREV_FREE), size | flags, check, caller; a free
 * block also links next_free/prev_free in what would be its payload.  Invariants (heap_check):
 * no two free blocks are adjacent; PREV_FREE mirrors the previous block's FREE; every free block
 * but one is in the list its size maps to, and a list's bit is set exactly when it is non-empty.
 *
 * The one free block outside the lists is the designated victim (h->dv, list field DV_LIST): the
 * remainder of the last split.  Allocations that fit are carved from its front with no list work
 * at all, and a free next to it merges into it, also without list work; only when a request does
 * not fit does the allocator go to the lists (good fit), and the larger of the old victim and the
 * new remainder stays the victim while the other is filed.
 */
#include "mem/heap.h"
#include "mem/nonreentrant.h"

/* Leaf library on the hot path of every allocation: on i386 the frame pointer would take one of
 * seven registers (and a push/pop per call); fault reports name the function from EIP alone. */
#pragma GCC optimize("omit-frame-pointer")

#define ALIGN       HEAP_ALIGN
#define ALIGN_LOG2  4
#define F_FREE      1u
#define F_PREV_FREE 2u
#define F_FIRST     4u              /* first block of its pool */
#define F_MASK      (ALIGN - 1)
#define MAGIC_USED  0x55424C4Bu
#define MAGIC_FREE  0x46524545u
#define SMALL       (1u << (HEAP_SL_LOG2 + ALIGN_LOG2))     /* sizes below: class 0, exact */
#define MAX_REQUEST 0x40000000u     /* 1 GB: far beyond any system-arena allocation */
#define PAGE        4096u
#define DV_LIST     0xFFFFFFFFu     /* list field of the designated victim: in no list */

struct heap_block {
    struct heap_block *prev_phys;
    uintptr_t size;
    uintptr_t check;
    uintptr_t caller;               /* who allocated it; for a free block, who freed it */
    struct heap_block *next_free, *prev_free;   /* free blocks only, in the payload: */
    uintptr_t list;                 /* fl * HEAP_SL_COUNT + sl: removal needs no size class */
};

struct heap_pool {
    struct heap_pool *next;
    size_t bytes;
    uintptr_t from_source;
    uintptr_t reserved;
};

#define HOT        static inline __attribute__((always_inline))
#define HDR        offsetof(struct heap_block, next_free)
#define MIN_BLOCK  ((sizeof(struct heap_block) + ALIGN - 1) & ~(size_t)(ALIGN - 1))
#define POOL_HDR   ((sizeof(struct heap_pool) + ALIGN - 1) & ~(size_t)(ALIGN - 1))

_Static_assert(HDR % ALIGN == 0 || ALIGN % HDR == 0, "payload alignment");

/* The two header states: a free block's check word depends on its address only, a used
 * block's also on its size, so that heap_free's one compare covers both. */
NONREENTRANT HOT void set_free(struct heap_block *b, uintptr_t size_flags, uintptr_t caller)
{
    b->size = size_flags | F_FREE;
    b->check = MAGIC_FREE ^ (uintptr_t)b;
    b->caller = caller;
}

NONREENTRANT HOT void set_used(struct heap_block *b, uintptr_t size, uintptr_t flags, uintptr_t caller)
{
    b->size = size | flags;
    b->check = MAGIC_USED ^ (uintptr_t)b ^ size;
    b->caller = caller;
}

NONREENTRANT static inline size_t bsize(const struct heap_block *b) { return b->size & ~(uintptr_t)F_MASK; }
NONREENTRANT static inline struct heap_block *after(struct heap_block *b) { return (struct heap_block *)((char *)b + bsize(b)); }
NONREENTRANT static inline unsigned fls_sz(size_t x) { return (unsigned)(8 * sizeof(unsigned long) - 1 - __builtin_clzl(x)); }

NONREENTRANT HOT void mapping(size_t size, unsigned *fl, unsigned *sl)
{
    if (size < SMALL) {
        *fl = 0;
        *sl = (unsigned)(size >> ALIGN_LOG2);
    } else {
        unsigned f = fls_sz(size);
        *sl = (unsigned)(size >> (f - HEAP_SL_LOG2)) ^ HEAP_SL_COUNT;
        *fl = f - (HEAP_SL_LOG2 + ALIGN_LOG2) + 1;
    }
}

NONREENTRANT HOT void insert(struct heap *h, struct heap_block *b)
{
    unsigned fl, sl;
    mapping(bsize(b), &fl, &sl);
    b->list = fl * HEAP_SL_COUNT + sl;
    struct heap_block *head = h->lists[fl][sl];
    b->next_free = head;
    b->prev_free = 0;
    h->lists[fl][sl] = b;
    if (head)
        head->prev_free = b;
    else {                                      /* the list was empty: now it is not */
        h->fl_map |= 1u << fl;
        h->sl_map[fl] |= 1u << sl;
    }
}

/* b must be in a list: not the victim (callers that may meet it test first). */
NONREENTRANT HOT void remove_free(struct heap *h, struct heap_block *b)
{
    unsigned fl = (unsigned)b->list / HEAP_SL_COUNT, sl = (unsigned)b->list % HEAP_SL_COUNT;
    struct heap_block *n = b->next_free, *p = b->prev_free;
    if (n)
        n->prev_free = p;
    if (p)
        p->next_free = n;
    else if (!(h->lists[fl][sl] = n) && !(h->sl_map[fl] &= ~(1u << sl)))
        h->fl_map &= ~(1u << fl);
}

/* Any free block out of the free lists, or out of the victim's place. */
NONREENTRANT static void unfile(struct heap *h, struct heap_block *b)
{
    if (b == h->dv)
        h->dv = 0;
    else
        remove_free(h, b);
}

/* A pool kept as the spare (wholly free) stops being one when its first block is used. */
NONREENTRANT static __attribute__((noinline)) void unspare(struct heap *h, struct heap_block *first)
{
    struct heap_pool *pool = (struct heap_pool *)((char *)first - POOL_HDR);
    if (pool->reserved) {
        pool->reserved = 0;
        h->spare_pools -= pool->from_source ? 1 : 0;
    }
}

/* A request rounded up to the next class boundary: any block of that class fits it (good fit).
 * grow() sizes new pools by the same rounding, so that the search after it succeeds. */
NONREENTRANT HOT size_t search_size(size_t need)
{
    return need >= SMALL ? need + ((size_t)1 << (fls_sz(need) - HEAP_SL_LOG2)) - 1 : need;
}

/* The first free block of a class that holds `need` bytes, removed from its list; NULL if none. */
NONREENTRANT HOT struct heap_block *take(struct heap *h, size_t need)
{
    unsigned fl, sl;
    mapping(search_size(need), &fl, &sl);
    if (fl >= HEAP_FL_COUNT)
        return 0;
    uint32_t slm = h->sl_map[fl] & (~0u << sl);
    if (!slm) {
        uint32_t flm = fl + 1 < 32 ? h->fl_map & (~0u << (fl + 1)) : 0;
        if (!flm)
            return 0;
        fl = (unsigned)__builtin_ctz(flm);
        slm = h->sl_map[fl];
    }
    sl = (unsigned)__builtin_ctz(slm);
    struct heap_block *b = h->lists[fl][sl];
    struct heap_block *n = b->next_free;
    if (n)
        n->prev_free = 0;
    else if (!(h->sl_map[fl] &= ~(1u << sl)))
        h->fl_map &= ~(1u << fl);
    h->lists[fl][sl] = n;
    if (b->size & F_FIRST)
        unspare(h, b);
    return b;
}

NONREENTRANT static void pool_link(struct heap *h, struct heap_pool *p, size_t bytes, uintptr_t from_source)
{
    struct heap_block *b = (struct heap_block *)((char *)p + POOL_HDR);
    struct heap_block *end = (struct heap_block *)((char *)p + bytes - HDR);

    p->next = h->pools;
    p->bytes = bytes;
    p->from_source = from_source;
    p->reserved = 0;                            /* not the spare (yet) */
    h->pools = p;
    h->npools++;
    h->pool_bytes += bytes;
    if ((uintptr_t)p < h->lo || !h->lo)
        h->lo = (uintptr_t)p;
    if ((uintptr_t)p + bytes > h->hi)
        h->hi = (uintptr_t)p + bytes;
    set_free(b, (uintptr_t)((char *)end - (char *)b) | F_FIRST, 0);
    end->prev_phys = b;
    set_used(end, 0, F_PREV_FREE, 0);           /* size 0: the sentinel */
    insert(h, b);
}

NONREENTRANT void heap_init(struct heap *h, const struct heap_source *src, size_t pool_min)
{
    __builtin_memset(h, 0, sizeof *h);
    h->src = *src;
    h->pool_min = pool_min < PAGE ? PAGE : (pool_min + PAGE - 1) & ~(size_t)(PAGE - 1);
}

NONREENTRANT int heap_add_pool(struct heap *h, void *mem, size_t bytes, struct kerr *e)
{
    uintptr_t a = ((uintptr_t)mem + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
    if (!mem || bytes < (a - (uintptr_t)mem) + POOL_HDR + MIN_BLOCK + HDR)
        return kerr_set(e, "heap: pool of %zu bytes at %p is too small", bytes, mem);
    bytes = (bytes - (a - (uintptr_t)mem)) & ~(size_t)(ALIGN - 1);
    pool_link(h, (struct heap_pool *)a, bytes, 0);
    return 0;
}

/* A free block of a class that holds `need` bytes from the lists, after filing the victim (which
 * may be the only free memory) if the lists alone have none; NULL if nothing fits. */
NONREENTRANT static __attribute__((noinline)) struct heap_block *take_filing_dv(struct heap *h, size_t need)
{
    if (!h->dv)
        return 0;
    insert(h, h->dv);
    h->dv = 0;
    return take(h, need);
}

/* A pool from the source big enough for one block of `need` bytes. */
NONREENTRANT static __attribute__((noinline)) int grow(struct heap *h, size_t need)
{
    size_t bytes = (POOL_HDR + search_size(need) + HDR + PAGE - 1) & ~(size_t)(PAGE - 1);
    if (bytes < h->pool_min)
        bytes = h->pool_min;
    void *p = h->src.alloc ? h->src.alloc(h->src.ctx, bytes) : 0;
    if (!p)
        return -1;
    pool_link(h, p, bytes, 1);
    return 0;
}

/* Marks free block b (out of its list) used with `need` bytes; the tail becomes the victim
 * when it is larger than the current one (which is filed), else it is filed itself. */
NONREENTRANT HOT void *use(struct heap *h, struct heap_block *b, size_t need, uintptr_t caller)
{
    size_t size = bsize(b);
    struct heap_block *next = (struct heap_block *)((char *)b + size);

    if (size - need >= MIN_BLOCK) {
        struct heap_block *r = (struct heap_block *)((char *)b + need);
        set_free(r, size - need, caller);
        next->prev_phys = r;                    /* next keeps PREV_FREE: r is free */
        struct heap_block *dv = h->dv;
        if (!dv || bsize(dv) < size - need) {
            h->dv = r;
            r->list = DV_LIST;
            if (dv)
                insert(h, dv);
        } else
            insert(h, r);
        size = need;
    } else {
        next->size &= ~(uintptr_t)F_PREV_FREE;
    }
    set_used(b, size, b->size & (F_FIRST | F_PREV_FREE), caller);
    h->used_bytes += size;
    h->used_blocks++;
    return (char *)b + HDR;
}

NONREENTRANT HOT size_t block_need(size_t size)
{
    size_t need = (size + HDR + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    return need < MIN_BLOCK ? MIN_BLOCK : need;
}

/* HEAPALIGN_32 and up: take a block with room to spare, and split the front off so that the
 * payload lands on the boundary.  The front piece stays free (PREV_FREE on the block we use). */
NONREENTRANT static __attribute__((noinline)) void *alloc_aligned(struct heap *h, size_t size, size_t align,
                                                      uintptr_t caller)
{
    size_t need = block_need(size);
    size_t want = need + align + MIN_BLOCK;
    struct heap_block *b = take(h, want);
    if (!b && !(b = take_filing_dv(h, want)) && (grow(h, want) || !(b = take(h, want))))
        return 0;
    uintptr_t pay = ((uintptr_t)b + HDR + align - 1) & ~(uintptr_t)(align - 1);
    size_t gap = pay - HDR - (uintptr_t)b;
    while (gap && gap < MIN_BLOCK) {            /* the front piece must be a whole block */
        pay += align;
        gap += align;
    }
    if (gap) {
        struct heap_block *nb = (struct heap_block *)(pay - HDR);
        nb->size = (bsize(b) - gap) | F_PREV_FREE;
        nb->prev_phys = b;
        after(nb)->prev_phys = nb;
        set_free(b, gap | (b->size & F_FIRST), b->caller);
        insert(h, b);
        b = nb;
    }
    return use(h, b, need, caller);
}

NONREENTRANT void *heap_alloc(struct heap *h, size_t size, uint32_t flags, uintptr_t caller)
{
    void *p;
    if (size > MAX_REQUEST)
        return 0;
    if (flags & HEAPALIGN_MASK) {
        p = alloc_aligned(h, size, (size_t)ALIGN << ((flags & HEAPALIGN_MASK) >> HEAPALIGN_SHIFT), caller);
    } else {
        size_t need = block_need(size);
        struct heap_block *b = h->dv;
        if (b && bsize(b) >= need) {            /* carve from the victim: no list work */
            size_t bs = bsize(b);
            struct heap_block *next = (struct heap_block *)((char *)b + bs);
            if (__builtin_expect(b->size & F_FIRST, 0))
                unspare(h, b);
            if (bs - need >= MIN_BLOCK) {
                struct heap_block *r = (struct heap_block *)((char *)b + need);
                set_free(r, bs - need, caller);
                r->list = DV_LIST;
                next->prev_phys = r;
                h->dv = r;
                bs = need;
            } else {
                next->size &= ~(uintptr_t)F_PREV_FREE;
                h->dv = 0;
            }
            set_used(b, bs, b->size & F_FIRST, caller);
            h->used_bytes += bs;
            h->used_blocks++;
            p = (char *)b + HDR;
        } else {
            b = take(h, need);
            if (!b && !(b = take_filing_dv(h, need)) && (grow(h, need) || !(b = take(h, need))))
                return 0;
            p = use(h, b, need, caller);
        }
    }
    /* The whole usable block, so that a later HEAPZEROREINIT growth, which zeroes past the
     * old usable size, leaves no stale bytes in between. */
    if (p && (flags & HEAPZEROINIT))
        __builtin_memset(p, 0, bsize((struct heap_block *)((char *)p - HDR)) - HDR);
    return p;
}

/* Why the block at p failed the test in checked(); kept out of the fast path. */
NONREENTRANT static __attribute__((noinline, cold)) struct heap_block *
refuse(const struct heap *h, const void *p, uintptr_t caller, const char *op, struct kerr *e)
{
    uintptr_t a = (uintptr_t)p;
    if (a < h->lo + HDR || a >= h->hi || (a & (ALIGN - 1)))
        kerr_set(e, "heap: %s of %p by caller %p: not a heap block", op, p, (void *)caller);
    else if (h->src.readable && !h->src.readable(h->src.ctx, a - HDR))
        kerr_set(e, "heap: %s of %p by caller %p: not a heap block (no memory there: a pool "
                 "given back, or pages between pools)", op, p, (void *)caller);
    else {
        struct heap_block *b = (struct heap_block *)(a - HDR);
        if ((b->size & F_FREE) && b->check == (MAGIC_FREE ^ (uintptr_t)b))
            kerr_set(e, "heap: %s of %p by caller %p: already freed (by caller %p)", op, p,
                     (void *)caller, (void *)b->caller);
        else
            kerr_set(e, "heap: %s of %p by caller %p: not the start of an allocated block", op,
                     p, (void *)caller);
    }
    return 0;
}

/* The header of an allocated block at p, or NULL with the reason (naming the caller).  The
 * range test is one unsigned compare (a pointer below lo wraps to a huge offset); with no pools
 * lo = hi and nothing passes.  The header is read only where the source says there is memory:
 * then inside a pool (at worst its sentinel), or on pages that are someone else's, whose bytes
 * fail the check word. */
NONREENTRANT HOT struct heap_block *checked(const struct heap *h, const void *p, uintptr_t caller,
                               const char *op, struct kerr *e)
{
    uintptr_t a = (uintptr_t)p;
    struct heap_block *b = (struct heap_block *)(a - HDR);
    if (__builtin_expect(a - HDR - h->lo < h->hi - h->lo && !(a & (ALIGN - 1)) &&
                         (!h->src.readable || h->src.readable(h->src.ctx, a - HDR)) &&
                         !(b->size & F_FREE) && bsize(b) &&
                         b->check == (MAGIC_USED ^ (uintptr_t)b ^ bsize(b)), 1))
        return b;
    return refuse(h, p, caller, op, e);
}

NONREENTRANT static void release_pool(struct heap *h, struct heap_pool *pool)
{
    struct heap_pool **pp = &h->pools;
    while (*pp != pool)
        pp = &(*pp)->next;
    *pp = pool->next;
    h->npools--;
    h->pool_bytes -= pool->bytes;
    h->src.free(h->src.ctx, pool, pool->bytes);
    /* Tighten the bounds, so that a stale pointer into the released pages is refused by the
     * range check rather than read. */
    h->lo = h->hi = 0;
    for (struct heap_pool *q = h->pools; q; q = q->next) {
        if (!h->lo || (uintptr_t)q < h->lo)
            h->lo = (uintptr_t)q;
        if ((uintptr_t)q + q->bytes > h->hi)
            h->hi = (uintptr_t)q + q->bytes;
    }
}

NONREENTRANT int heap_free(struct heap *h, void *p, uintptr_t caller, struct kerr *e)
{
    struct heap_block *b = checked(h, p, caller, "free", e);
    if (!b)
        return -1;
    size_t size = bsize(b);
    uintptr_t first = b->size & F_FIRST;
    struct heap_block *next = (struct heap_block *)((char *)b + size);

    h->used_bytes -= size;
    h->used_blocks--;
    int victim = 0;                             /* merged with the victim: the result is it */
    if (next->size & F_FREE) {
        if (next == h->dv)
            victim = 1;
        else
            remove_free(h, next);
        size += bsize(next);
    }
    if (b->size & F_PREV_FREE) {
        struct heap_block *prev = b->prev_phys;
        if (prev == h->dv)
            victim = 1;
        else
            remove_free(h, prev);
        size += bsize(prev);
        first = prev->size & F_FIRST;
        /* The absorbed header stays in memory: mark it freed, so that freeing this pointer
         * again is reported as a double free instead of passing the check. */
        set_free(b, b->size, caller);
        b = prev;
    }
    next = (struct heap_block *)((char *)b + size);
    if (first && bsize(next) == 0) {
        /* The whole pool is free: give it back, but keep one spare (and pools we were given). */
        struct heap_pool *pool = (struct heap_pool *)((char *)b - POOL_HDR);
        if (pool->from_source && h->spare_pools) {
            if (victim)
                h->dv = 0;
            release_pool(h, pool);
            return 0;
        }
        h->spare_pools += pool->from_source ? 1 : 0;
        pool->reserved = 1;                     /* counted as the spare */
    }
    set_free(b, size | first, caller);
    next->prev_phys = b;
    next->size |= F_PREV_FREE;
    if (victim) {
        h->dv = b;
        b->list = DV_LIST;
    } else
        insert(h, b);
    return 0;
}

NONREENTRANT size_t heap_get_size(const struct heap *h, const void *p)
{
    struct kerr e;
    const struct heap_block *b = checked(h, p, 0, "size", &e);
    return b ? bsize(b) - HDR : 0;
}

NONREENTRANT void *heap_realloc(struct heap *h, void *p, size_t size, uint32_t flags, uintptr_t caller,
                   struct kerr *e)
{
    if (!p)
        return heap_alloc(h, size, flags, caller);
    struct heap_block *b = checked(h, p, caller, "reallocate", e);
    if (!b)
        return 0;
    if (size > MAX_REQUEST) {
        kerr_set(e, "heap: reallocate of %p to %zu bytes by caller %p: more than %u bytes", p,
                 size, (void *)caller, MAX_REQUEST);
        return 0;
    }
    size_t old = bsize(b) - HDR;
    size_t need = block_need(size);
    struct heap_block *next = after(b);
    int aligned_ok = !(flags & HEAPALIGN_MASK) ||
        !((uintptr_t)p & (((size_t)ALIGN << ((flags & HEAPALIGN_MASK) >> HEAPALIGN_SHIFT)) - 1));

    /* In place: the block, or the block and its free successor, holds the new size. */
    if (aligned_ok && (need <= bsize(b) || ((next->size & F_FREE) && bsize(b) + bsize(next) >= need))) {
        size_t total = bsize(b);
        h->used_bytes -= total;
        if (need > total) {                     /* absorb the free successor */
            unfile(h, next);
            total += bsize(next);
            next = (struct heap_block *)((char *)b + total);
            next->size &= ~(uintptr_t)F_PREV_FREE;
        }
        if (total - need >= MIN_BLOCK) {        /* give the tail back, merged with a free next */
            struct heap_block *r = (struct heap_block *)((char *)b + need);
            size_t rs = total - need;
            if (next->size & F_FREE) {
                unfile(h, next);
                rs += bsize(next);
                next = (struct heap_block *)((char *)r + rs);
            }
            set_free(r, rs, caller);
            next->prev_phys = r;
            next->size |= F_PREV_FREE;
            insert(h, r);
            total = need;
        }
        set_used(b, total, b->size & (F_FIRST | F_PREV_FREE), b->caller);
        h->used_bytes += total;
        if ((flags & HEAPZEROREINIT) && total - HDR > old)
            __builtin_memset((char *)p + old, 0, total - HDR - old);
        return p;
    }
    void *q = heap_alloc(h, size, flags & ~HEAPZEROINIT, caller);
    if (!q) {
        kerr_set(e, "heap: reallocate of %p to %zu bytes by caller %p: out of memory", p, size,
                 (void *)caller);
        return 0;
    }
    size_t usable = bsize((struct heap_block *)((char *)q - HDR)) - HDR;
    if (!(flags & HEAPNOCOPY))
        __builtin_memcpy(q, p, old < size ? old : size);
    if ((flags & HEAPZEROREINIT) && usable > old)
        __builtin_memset((char *)q + old, 0, usable - old);
    heap_free(h, p, caller, e);
    return q;
}

NONREENTRANT void heap_destroy(struct heap *h)
{
    while (h->pools) {
        struct heap_pool *p = h->pools;
        h->pools = p->next;
        if (p->from_source)
            h->src.free(h->src.ctx, p, p->bytes);
    }
    struct heap_source src = h->src;
    size_t pool_min = h->pool_min;
    heap_init(h, &src, pool_min);
}

NONREENTRANT int heap_check(const struct heap *h, struct kerr *e)
{
    size_t used_bytes = 0, used_blocks = 0, free_blocks = 0, listed = 0;
    int dv_seen = 0;

    for (const struct heap_pool *p = h->pools; p; p = p->next) {
        struct heap_block *b = (struct heap_block *)((char *)p + POOL_HDR);
        struct heap_block *end = (struct heap_block *)((char *)p + p->bytes - HDR);
        int prev_free = 0;
        struct heap_block *prev = 0;
        if (!(b->size & F_FIRST))
            return kerr_set(e, "heap check: pool %p: first block %p lacks FIRST", (void *)p, (void *)b);
        while (b != end) {
            size_t s = bsize(b);
            if ((uintptr_t)b & (ALIGN - 1) || s < MIN_BLOCK || (char *)b + s > (char *)end)
                return kerr_set(e, "heap check: block %p: size %zu runs past its pool %p",
                                (void *)b, s, (void *)p);
            if (prev && (b->size & F_FIRST))
                return kerr_set(e, "heap check: block %p: FIRST inside a pool", (void *)b);
            if (!!(b->size & F_PREV_FREE) != prev_free)
                return kerr_set(e, "heap check: block %p: PREV_FREE %d, previous block free %d",
                                (void *)b, !!(b->size & F_PREV_FREE), prev_free);
            if (prev_free && b->prev_phys != prev)
                return kerr_set(e, "heap check: block %p: prev_phys %p, expected %p", (void *)b,
                                (void *)b->prev_phys, (void *)prev);
            if (b->size & F_FREE) {
                if (prev_free)
                    return kerr_set(e, "heap check: blocks %p and %p: two free blocks adjacent",
                                    (void *)prev, (void *)b);
                if (b->check != (MAGIC_FREE ^ (uintptr_t)b))
                    return kerr_set(e, "heap check: free block %p: bad check word", (void *)b);
                if (b == h->dv) {
                    if (b->list != DV_LIST)
                        return kerr_set(e, "heap check: the victim %p is not marked", (void *)b);
                    dv_seen = 1;
                } else
                    free_blocks++;
            } else {
                if (b->check != (MAGIC_USED ^ (uintptr_t)b ^ s))
                    return kerr_set(e, "heap check: used block %p: bad check word", (void *)b);
                used_bytes += s;
                used_blocks++;
            }
            prev_free = (b->size & F_FREE) != 0;
            prev = b;
            b = (struct heap_block *)((char *)b + s);
        }
        if (bsize(end) != 0 || !!(end->size & F_PREV_FREE) != prev_free ||
            (prev_free && end->prev_phys != prev))
            return kerr_set(e, "heap check: pool %p: sentinel %p damaged", (void *)p, (void *)end);
    }
    for (unsigned fl = 0; fl < HEAP_FL_COUNT; fl++) {
        if (!!(h->fl_map & (1u << fl)) != !!h->sl_map[fl])
            return kerr_set(e, "heap check: first-level bit %u disagrees with its lists", fl);
        for (unsigned sl = 0; sl < HEAP_SL_COUNT; sl++) {
            const struct heap_block *b = h->lists[fl][sl], *prev = 0;
            if (!!(h->sl_map[fl] & (1u << sl)) != (b != 0))
                return kerr_set(e, "heap check: list %u/%u: bit and contents disagree", fl, sl);
            for (; b; prev = b, b = b->next_free) {
                unsigned f, s;
                if (++listed > free_blocks)
                    return kerr_set(e, "heap check: list %u/%u: more listed than free blocks "
                                    "(a cycle?)", fl, sl);
                mapping(bsize(b), &f, &s);
                if (!(b->size & F_FREE) || f != fl || s != sl || b->prev_free != prev || b == h->dv)
                    return kerr_set(e, "heap check: block %p in list %u/%u: used, misfiled or "
                                    "mislinked", (const void *)b, fl, sl);
            }
        }
    }
    if (listed != free_blocks)
        return kerr_set(e, "heap check: %zu free blocks, %zu in the lists", free_blocks, listed);
    if (h->dv && !dv_seen)
        return kerr_set(e, "heap check: the victim %p is not a free block of any pool",
                        (void *)h->dv);
    if (used_bytes != h->used_bytes || used_blocks != h->used_blocks)
        return kerr_set(e, "heap check: %zu used blocks of %zu bytes, counters say %zu of %zu",
                        used_blocks, used_bytes, h->used_blocks, h->used_bytes);
    return 0;
}

NONREENTRANT size_t heap_find_owned(const struct heap *h, uintptr_t lo, uintptr_t hi, void **out,
                                    size_t max)
{
    size_t n = 0;
    for (const struct heap_pool *p = h->pools; p && n < max; p = p->next) {
        struct heap_block *b = (struct heap_block *)((char *)p + POOL_HDR);
        struct heap_block *end = (struct heap_block *)((char *)p + p->bytes - HDR);
        for (; b != end && n < max; b = after(b))
            if (!(b->size & F_FREE) && b->caller - lo < hi - lo)
                out[n++] = (char *)b + HDR;
    }
    return n;
}

NONREENTRANT void heap_disown(struct heap *h, void *p)
{
    (void)h;
    ((struct heap_block *)((char *)p - HDR))->caller = 0;
}
