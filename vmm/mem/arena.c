/* Linear arenas with their bookkeeping in the page-table entries: see arena.h.
 *
 * A free extent of n pages starting at relative page r:
 *   entry[r]         = FREE_HEAD | n << 3 | next << 24 | prev << 44   (next/prev: relative first
 *                                                                       pages of the neighbours
 *                                                                       in its free list, NIL)
 *   entry[r + n - 1] = FREE_TAIL | n << 3                               (only when n >= 2)
 * Entries strictly inside a free extent are never read: a freed range's neighbours are read at
 * r - 1 and r + n only, which are extent ends or pages in use.  So merging costs O(1), and a
 * range's interior keeps whatever its pages last held.
 */
#include "mem/arena.h"
#include "mem/nonreentrant.h"

#define NIL        0xFFFFFu
#define SIZE_MASK  0x1FFFFFull          /* 21 bits: up to 2^20 pages */
#define LINK_MASK  0xFFFFFull

NONREENTRANT static inline uint64_t get(const struct arena *a, uint32_t r) { return a->entry[r]; }
NONREENTRANT static inline void set(const struct arena *a, uint32_t r, uint64_t v) { a->entry[r] = v; }
NONREENTRANT static inline int is_head(uint64_t e) { return (e & 7) == ARENA_FREE_HEAD; }
NONREENTRANT static inline int is_tail(uint64_t e) { return (e & 7) == ARENA_FREE_TAIL; }
NONREENTRANT static inline uint32_t tsize(uint64_t e) { return (uint32_t)((e >> 3) & SIZE_MASK); }
NONREENTRANT static inline uint32_t tnext(uint64_t e) { return (uint32_t)((e >> 24) & LINK_MASK); }
NONREENTRANT static inline uint32_t tprev(uint64_t e) { return (uint32_t)((e >> 44) & LINK_MASK); }
NONREENTRANT static inline uint64_t head_tag(uint32_t n, uint32_t next, uint32_t prev)
{
    return ARENA_FREE_HEAD | (uint64_t)n << 3 | (uint64_t)next << 24 | (uint64_t)prev << 44;
}
NONREENTRANT static inline unsigned fls32(uint32_t x) { return 31u - (unsigned)__builtin_clz(x); }

/* Size classes: 1, 2, 3 pages exactly, then four classes per power of two. */
NONREENTRANT static inline void mapping(uint32_t n, unsigned *fl, unsigned *sl)
{
    if (n < ARENA_SL) {
        *fl = 0;
        *sl = n;
    } else {
        unsigned f = fls32(n);
        *sl = (n >> (f - 2)) & 3;
        *fl = f - 1;
    }
}

NONREENTRANT static void set_link(const struct arena *a, uint32_t r, int which_next, uint32_t v)
{
    uint64_t e = get(a, r);
    unsigned shift = which_next ? 24 : 44;
    set(a, r, (e & ~(LINK_MASK << shift)) | (uint64_t)v << shift);
}

NONREENTRANT static void insert(struct arena *a, uint32_t r, uint32_t n)
{
    unsigned fl, sl;
    mapping(n, &fl, &sl);
    uint32_t h = a->head[fl][sl];
    set(a, r, head_tag(n, h, NIL));
    if (n > 1)
        set(a, r + n - 1, ARENA_FREE_TAIL | (uint64_t)n << 3);
    if (h != NIL)
        set_link(a, h, 0, r);
    a->head[fl][sl] = r;
    a->fl_map |= 1u << fl;
    a->sl_map[fl] |= 1u << sl;
    a->free_pages += n;
}

/* Unlinks the free extent whose head entry is e (its links locate it in its list). */
NONREENTRANT static void remove_extent(struct arena *a, uint64_t e)
{
    unsigned fl, sl;
    uint32_t n = tsize(e), next = tnext(e), prev = tprev(e);
    mapping(n, &fl, &sl);
    if (prev != NIL)
        set_link(a, prev, 1, next);
    else if ((a->head[fl][sl] = next) == NIL && !(a->sl_map[fl] &= ~(1u << sl)))
        a->fl_map &= ~(1u << fl);
    if (next != NIL)
        set_link(a, next, 0, prev);
    a->free_pages -= n;
}

NONREENTRANT int arena_init(struct arena *a, uint32_t base_page, uint32_t npages, volatile uint64_t *entries,
               struct kerr *e)
{
    if (npages == 0 || npages >= NIL || base_page + (uint64_t)npages > ARENA_MAX_PAGES)
        return kerr_set(e, "arena: %u pages at page 0x%x do not fit 1..%u pages of 4 GB", npages,
                        base_page, NIL - 1);
    a->base = base_page;
    a->npages = npages;
    a->fl_map = 0;
    a->free_pages = 0;
    a->entry = entries;
    for (unsigned f = 0; f < ARENA_FL; f++) {
        a->sl_map[f] = 0;
        for (unsigned s = 0; s < ARENA_SL; s++)
            a->head[f][s] = NIL;
    }
    insert(a, 0, npages);
    return 0;
}

/* Marks [r, r + n) handed out, splitting the free extent at h (already removed, size `size`)
 * into a free front, the range, and a free back. */
NONREENTRANT static void carve(struct arena *a, uint32_t h, uint32_t size, uint32_t r, uint32_t n)
{
    if (r > h)
        insert(a, h, r - h);
    if (h + size > r + n)
        insert(a, r + n, h + size - (r + n));
    for (uint32_t i = r; i < r + n; i++)
        set(a, i, ARENA_RESERVED);
}

/* The first relative page at or after h whose absolute number is a multiple of align. */
NONREENTRANT static inline uint32_t aligned(const struct arena *a, uint32_t h, uint32_t align)
{
    return ((a->base + h + align - 1) & ~(align - 1)) - a->base;
}

/* The slow path: no extent of a class above the rounded request is free, but one of the
 * request's own class (or, aligned, a larger one) may still hold it.  Scans those extents. */
NONREENTRANT static __attribute__((noinline)) int alloc_scan(struct arena *a, uint32_t n, uint32_t align,
                                                uint32_t *page)
{
    unsigned fl0, sl0;
    mapping(n, &fl0, &sl0);
    for (unsigned f = fl0; f < ARENA_FL; f++)
        for (unsigned s = f == fl0 ? sl0 : 0; s < ARENA_SL; s++)
            for (uint32_t h = a->head[f][s]; h != NIL;) {
                uint64_t e = get(a, h);
                uint32_t r = aligned(a, h, align);
                if ((uint64_t)r + n <= (uint64_t)h + tsize(e)) {
                    remove_extent(a, e);
                    carve(a, h, tsize(e), r, n);
                    *page = a->base + r;
                    return 0;
                }
                h = tnext(e);
            }
    return -1;
}

NONREENTRANT int arena_alloc(struct arena *a, uint32_t n, uint32_t align_pages, uint32_t *page)
{
    if (n == 0 || n > a->npages || !align_pages || (align_pages & (align_pages - 1)) ||
        align_pages > a->npages)
        return -1;
    uint32_t want = n + align_pages - 1, search = want;
    if (search >= ARENA_SL)
        search += (1u << (fls32(search) - 2)) - 1;      /* any extent of the class fits */
    unsigned fl, sl;
    mapping(search, &fl, &sl);
    uint32_t slm = fl < ARENA_FL ? a->sl_map[fl] & (~0u << sl) : 0;
    if (!slm && fl < ARENA_FL) {
        uint32_t flm = fl + 1 < ARENA_FL ? a->fl_map & (~0u << (fl + 1)) : 0;
        if (flm) {
            fl = (unsigned)__builtin_ctz(flm);
            slm = a->sl_map[fl];
        }
    }
    if (!slm)
        return alloc_scan(a, n, align_pages, page);
    sl = (unsigned)__builtin_ctz(slm);
    uint32_t h = a->head[fl][sl];
    uint64_t e = get(a, h);
    uint32_t size = tsize(e);
    remove_extent(a, e);
    uint32_t r = aligned(a, h, align_pages);
    carve(a, h, size, r, n);
    *page = a->base + r;
    return 0;
}

NONREENTRANT int arena_alloc_at(struct arena *a, uint32_t page, uint32_t n, struct kerr *e)
{
    if (page < a->base || n == 0 || (uint64_t)page - a->base + n > a->npages)
        return kerr_set(e, "arena: pages 0x%x..+%u lie outside the arena 0x%x..+%u", page, n,
                        a->base, a->npages);
    uint32_t r = page - a->base;
    /* A fixed reservation is rare (specific linear addresses): find the extent that holds the
     * range by walking the free lists, O(free extents). */
    for (unsigned f = 0; f < ARENA_FL; f++)
        for (unsigned s = 0; s < ARENA_SL; s++)
            for (uint32_t h = a->head[f][s]; h != NIL;) {
                uint64_t t = get(a, h);
                if (h <= r && r + n <= h + tsize(t)) {
                    remove_extent(a, t);
                    carve(a, h, tsize(t), r, n);
                    return 0;
                }
                h = tnext(t);
            }
    return kerr_set(e, "arena: pages 0x%x..+%u are not all free", page, n);
}

NONREENTRANT int arena_free(struct arena *a, uint32_t page, uint32_t n, struct kerr *e)
{
    if (page < a->base || n == 0 || (uint64_t)page - a->base + n > a->npages)
        return kerr_set(e, "arena: free of pages 0x%x..+%u outside the arena 0x%x..+%u", page, n,
                        a->base, a->npages);
    uint32_t r = page - a->base, end = r + n;
    uint64_t first = get(a, r), last = get(a, end - 1);
    /* The ends of a handed-out range are never free tags, nor mapped (the caller unmaps first).
     * A range wholly inside a free extent has no tags to show: see arena.h. */
    if (is_head(first) || is_tail(first) || is_head(last) || is_tail(last) || (first & 1) ||
        (last & 1))
        return kerr_set(e, "arena: free of pages 0x%x..+%u: %s", page, n,
                        (first & 1) || (last & 1) ? "still mapped" : "already free");
    if (r > 0) {                                        /* a free extent ending just before? */
        uint64_t l = get(a, r - 1);
        uint32_t ls = is_tail(l) ? tsize(l) : is_head(l) && tsize(l) == 1 ? 1 : 0;
        if (ls) {
            uint32_t lh = r - ls;
            remove_extent(a, ls == 1 ? l : get(a, lh));
            r = lh;
        }
    }
    if (end < a->npages) {                              /* one starting just after? */
        uint64_t x = get(a, end);
        if (is_head(x)) {
            remove_extent(a, x);
            end += tsize(x);
        }
    }
    insert(a, r, end - r);
    return 0;
}

NONREENTRANT int arena_is_free(const struct arena *a, uint32_t page)
{
    if (page < a->base || page - a->base >= a->npages)
        return 0;
    uint32_t r = page - a->base;
    for (unsigned f = 0; f < ARENA_FL; f++)
        for (unsigned s = 0; s < ARENA_SL; s++)
            for (uint32_t h = a->head[f][s]; h != NIL; h = tnext(get(a, h)))
                if (h <= r && r < h + tsize(get(a, h)))
                    return 1;
    return 0;
}

NONREENTRANT int arena_check(const struct arena *a, struct kerr *e)
{
    uint32_t total = 0, extents = 0;
    for (unsigned f = 0; f < ARENA_FL; f++) {
        if (!!(a->fl_map & (1u << f)) != !!a->sl_map[f])
            return kerr_set(e, "arena check: first-level bit %u disagrees with its lists", f);
        for (unsigned s = 0; s < ARENA_SL; s++) {
            uint32_t h = a->head[f][s], prev = NIL;
            if (!!(a->sl_map[f] & (1u << s)) != (h != NIL))
                return kerr_set(e, "arena check: list %u/%u: bit and contents disagree", f, s);
            for (; h != NIL; prev = h, h = tnext(get(a, h))) {
                unsigned mf, ms;
                if (++extents > a->npages)
                    return kerr_set(e, "arena check: list %u/%u: a cycle", f, s);
                if (h >= a->npages)             /* before any read: links may be corrupt */
                    return kerr_set(e, "arena check: list %u/%u links to page +0x%x, outside",
                                    f, s, h);
                uint64_t t = get(a, h);
                if (!is_head(t) || tsize(t) == 0 || h + tsize(t) > a->npages)
                    return kerr_set(e, "arena check: extent at page +0x%x: bad head tag", h);
                mapping(tsize(t), &mf, &ms);
                if (mf != f || ms != s || tprev(t) != prev)
                    return kerr_set(e, "arena check: extent at page +0x%x (%u pages) misfiled or "
                                    "mislinked in list %u/%u", h, tsize(t), f, s);
                if (tsize(t) > 1) {
                    uint64_t tl = get(a, h + tsize(t) - 1);
                    if (!is_tail(tl) || tsize(tl) != tsize(t))
                        return kerr_set(e, "arena check: extent at page +0x%x: bad tail tag", h);
                }
                /* Free extents never touch: they would have merged. */
                if (h + tsize(t) < a->npages && is_head(get(a, h + tsize(t))))
                    return kerr_set(e, "arena check: extents at +0x%x and +0x%x touch", h,
                                    h + tsize(t));
                total += tsize(t);
            }
        }
    }
    if (total != a->free_pages)
        return kerr_set(e, "arena check: %u free pages listed, counter says %u", total,
                        a->free_pages);
    return 0;
}
