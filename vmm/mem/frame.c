/* The physical page-frame allocator: see frame.h. */
#include "mem/frame.h"
#include "mem/nonreentrant.h"

#define META_PER_FRAME FRAME_META_PER_FRAME
_Static_assert(FRAME_META_PER_FRAME == 2 * sizeof(uint32_t) + 2 * sizeof(uint16_t), "per frame");
#define HOT static inline __attribute__((always_inline))

NONREENTRANT static int tracked(uint32_t type, unsigned *owner)
{
    switch (type) {
    case BI_MEM_USABLE:
    case BI_MEM_RECLAIMABLE:    *owner = FRAME_FREE; return 1;
    case BI_MEM_VMM:            *owner = FRAME_VMM; return 1;
    case BI_MEM_BOOTDATA:       *owner = FRAME_BOOTDATA; return 1;
    case BI_MEM_MODULES:        *owner = FRAME_MODULES; return 1;
    case BI_MEM_ACPI_RECLAIM:   *owner = FRAME_ACPI; return 1;
    default:                    return 0;       /* reserved, MMIO, NVS, runtime, bad: never ours */
    }
}

NONREENTRANT static uint64_t range_frames(const struct bi_mem_range *r) { return r->length >> 12; }

NONREENTRANT static uint64_t tracked_frames(const struct bi_mem_range *map, uint32_t n)
{
    uint64_t frames = 0;
    unsigned owner;
    for (uint32_t i = 0; i < n; i++)
        if (tracked(map[i].type, &owner))
            frames += range_frames(&map[i]);
    return frames;
}

/* Saturates rather than wraps: on the 32-bit VMM a huge map must not look small. */
NONREENTRANT size_t frame_meta_size(const struct bi_mem_range *map, uint32_t n)
{
    uint64_t bytes = tracked_frames(map, n) * META_PER_FRAME;
    return bytes > (size_t)-1 ? (size_t)-1 : (size_t)bytes;
}

NONREENTRANT uint64_t frame_cap_map(const struct bi_mem_range *map, uint32_t n, size_t budget,
                                    struct bi_mem_range *out)
{
    uint64_t max_frames = budget / META_PER_FRAME, owned = 0, dropped = 0;
    unsigned owner;
    for (uint32_t i = 0; i < n; i++)
        if (tracked(map[i].type, &owner) && owner != FRAME_FREE)
            owned += range_frames(&map[i]);
    uint64_t allow = max_frames > owned ? max_frames - owned : 0;   /* free frames kept */
    for (uint32_t i = 0; i < n; i++) {
        out[i] = map[i];
        if (!tracked(map[i].type, &owner) || owner != FRAME_FREE)
            continue;
        uint64_t frames = range_frames(&map[i]);
        if (frames <= allow) {
            allow -= frames;
            continue;
        }
        dropped += (frames - allow) << 12;
        if (allow)
            out[i].length = allow << 12;            /* the low part kept */
        else
            out[i].type = BI_MEM_RESERVED;          /* left out whole */
        allow = 0;
    }
    return dropped;
}

/* The zone searches behind frame_index and frame_phys (frame.h): zones are sorted and few, so
 * a binary search is a handful of steps.  frame_phys_search moves the hot zone. */
/* The zone holding frame number pfn, or -1. */
NONREENTRANT static int zone_of_pfn(const struct frame_alloc *fa, uint64_t pfn)
{
    unsigned lo = 0, hi = fa->nzones;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        const struct frame_zone *z = &fa->zone[mid];
        if (pfn < z->base_pfn)
            hi = mid;
        else if (pfn - z->base_pfn >= z->count)
            lo = mid + 1;
        else
            return (int)mid;
    }
    return -1;
}

NONREENTRANT uint32_t frame_index_search(const struct frame_alloc *fa, uint64_t pfn)
{
    int zi = zone_of_pfn(fa, pfn);
    return zi < 0 ? FRAME_NIL : fa->zone[zi].first + (uint32_t)(pfn - fa->zone[zi].base_pfn);
}

/* Zone i becomes the hot one (and its 32-bit copy, if its frame numbers fit). */
NONREENTRANT static void set_hot(struct frame_alloc *fa, unsigned i)
{
    const struct frame_zone *z = &fa->zone[i];
    fa->hot = i;
    fa->hot_pfn = (uint32_t)z->base_pfn;
    fa->hot_first = z->first;
    fa->hot_count = z->base_pfn + z->count <= 0xFFFFFFFFull ? z->vcur - z->first : 0;
}

/* The zone that holds dense index idx (idx < nframes). */
NONREENTRANT static unsigned zone_of(const struct frame_alloc *fa, uint32_t idx)
{
    unsigned lo = 0, hi = fa->nzones - 1;
    while (lo < hi) {                   /* the last zone whose first index is <= idx */
        unsigned mid = (lo + hi + 1) / 2;
        if (fa->zone[mid].first <= idx)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

NONREENTRANT static int virgin(const struct frame_alloc *fa, uint32_t idx)
{
    return idx >= fa->zone[zone_of(fa, idx)].vcur;
}

NONREENTRANT int frame_is_free(const struct frame_alloc *fa, uint32_t i)
{
    return virgin(fa, i) || fa->owner[i] == FRAME_FREE;
}

NONREENTRANT uint64_t frame_phys_search(struct frame_alloc *fa, uint32_t idx)
{
    unsigned lo = zone_of(fa, idx);
    set_hot(fa, lo);
    return (fa->zone[lo].base_pfn + (idx - fa->zone[lo].first)) << 12;
}

#define index_of frame_index
#define phys_of  frame_phys


NONREENTRANT static void unlink_free(struct frame_alloc *fa, uint32_t i, unsigned owner)
{
    if (fa->prev[i] != FRAME_NIL)
        fa->next[fa->prev[i]] = fa->next[i];
    else
        fa->head = fa->next[i];
    if (fa->next[i] != FRAME_NIL)
        fa->prev[fa->next[i]] = fa->prev[i];
    else
        fa->tail = fa->prev[i];
    fa->owner[i] = (uint16_t)owner;
    fa->per_owner[owner]++;
    fa->nfree--;
}

/* Zone zi's virgin frames below `upto` made: written as free and listed at the tail, lowest
 * first, after every frame freed (nfree is unchanged: they were counted already).  O(the
 * frames made). */
NONREENTRANT static void make_upto(struct frame_alloc *fa, unsigned zi, uint32_t upto)
{
    struct frame_zone *z = &fa->zone[zi];
    if (upto <= z->vcur)
        return;
    for (uint32_t i = z->vcur; i < upto; i++) {
        fa->locks[i] = 0;
        fa->owner[i] = FRAME_FREE;
        fa->next[i] = FRAME_NIL;
        fa->prev[i] = fa->tail;
        if (fa->tail != FRAME_NIL)
            fa->next[fa->tail] = i;
        else
            fa->head = i;
        fa->tail = i;
    }
    fa->nvirgin -= upto - z->vcur;
    z->vcur = upto;
    if (zi == fa->hot)
        set_hot(fa, zi);
}

NONREENTRANT int frame_init(struct frame_alloc *fa, const struct bi_mem_range *map, uint32_t n,
               void *meta, size_t meta_size, struct kerr *e)
{
    uint64_t frames = tracked_frames(map, n);
    size_t need = frame_meta_size(map, n);
    unsigned owner;

    *fa = (struct frame_alloc){ .head = FRAME_NIL, .tail = FRAME_NIL };
    if (frames >= FRAME_NIL)
        return kerr_set(e, "frames: %llu frames is more than this allocator indexes",
                        (unsigned long long)frames);
    if (meta_size < need || ((uintptr_t)meta & 3))
        return kerr_set(e, "frames: metadata buffer of %zu bytes, %zu needed (4-byte aligned)",
                        meta_size, need);
    /* Zones: maximal runs of adjacent tracked ranges of one kind, free or owned (the map is
     * sorted and disjoint). */
    for (uint32_t i = 0; i < n; i++) {
        if (!tracked(map[i].type, &owner) || !range_frames(&map[i]))
            continue;
        struct frame_zone *z = fa->nzones ? &fa->zone[fa->nzones - 1] : 0;
        uint64_t pfn = map[i].base >> 12;
        uint32_t frames = (uint32_t)range_frames(&map[i]), is_free = owner == FRAME_FREE;
        if (z && z->base_pfn + z->count == pfn && z->free == is_free)
            z->count += frames;
        else if (fa->nzones == FRAME_MAX_ZONES) {
            *fa = (struct frame_alloc){ .head = FRAME_NIL, .tail = FRAME_NIL };    /* empty, safe to query */
            return kerr_set(e, "frames: RAM in more than %u separate zones", FRAME_MAX_ZONES);
        }
        else
            fa->zone[fa->nzones++] = (struct frame_zone){ pfn, frames, fa->nframes, 0, is_free };
        fa->nframes += frames;
    }
    if (fa->nframes == 0)
        return kerr_set(e, "frames: the memory map has no RAM");
    fa->next = meta;
    fa->prev = fa->next + fa->nframes;
    fa->owner = (uint16_t *)(fa->prev + fa->nframes);
    fa->locks = fa->owner + fa->nframes;
    /* A free zone's frames are all virgin; an owned zone's are written, range by range. */
    for (unsigned zi = 0; zi < fa->nzones; zi++) {
        struct frame_zone *z = &fa->zone[zi];
        z->vcur = z->free ? z->first : z->first + z->count;
        if (z->free) {
            fa->nfree += z->count;
            fa->nvirgin += z->count;
        }
    }
    for (uint32_t r = 0; r < n; r++) {
        if (!tracked(map[r].type, &owner) || owner == FRAME_FREE)
            continue;
        uint32_t first = index_of(fa, map[r].base), count = (uint32_t)range_frames(&map[r]);
        for (uint32_t i = first; i < first + count; i++) {
            fa->locks[i] = 0;
            fa->owner[i] = (uint16_t)owner;
        }
        fa->per_owner[owner] += count;
    }
    set_hot(fa, 0);
    fa->vzone = 0;
    return 0;
}

/* No frame listed: one at the lowest virgin cursor.  Also the owner check's refusal. */
NONREENTRANT int frame_alloc_slow(struct frame_alloc *fa, unsigned owner, uint64_t *phys)
{
    if (owner - 1u >= FRAME_MAX_OWNERS - 1u)
        return -1;
    if (fa->head != FRAME_NIL)
        return frame_alloc_fast(fa, owner, phys);
    while (fa->vzone < fa->nzones && fa->zone[fa->vzone].vcur == fa->zone[fa->vzone].first +
                                                                   fa->zone[fa->vzone].count)
        fa->vzone++;
    if (fa->vzone == fa->nzones)
        return -1;
    struct frame_zone *z = &fa->zone[fa->vzone];
    uint32_t i = z->vcur++;
    fa->owner[i] = (uint16_t)owner;
    fa->locks[i] = 0;
    fa->per_owner[owner]++;
    fa->nfree--;
    fa->nvirgin--;
    set_hot(fa, fa->vzone);
    *phys = (z->base_pfn + (i - z->first)) << 12;
    return 0;
}

NONREENTRANT int frame_alloc(struct frame_alloc *fa, unsigned owner, uint64_t *phys)
{
    return frame_alloc_fast(fa, owner, phys);
}

NONREENTRANT int frame_alloc_contig(struct frame_alloc *fa, unsigned owner, uint32_t count,
                       uint32_t align_pages, uint64_t min, uint64_t limit, uint64_t *phys,
                       struct kerr *e)
{
    if (count == 0 || !align_pages || (align_pages & (align_pages - 1)) || owner == FRAME_FREE ||
        owner >= FRAME_MAX_OWNERS)
        return kerr_set(e, "frames: contiguous request of %u frames aligned to %u is invalid",
                        count, align_pages);
    /* Physically adjacent zones (owned next to free) are scanned as one: their dense indices
     * run on too. */
    for (unsigned zi = 0, zj; zi < fa->nzones; zi = zj) {
        const struct frame_zone *z = &fa->zone[zi];
        uint64_t end = z->base_pfn + z->count;
        for (zj = zi + 1; zj < fa->nzones && fa->zone[zj].base_pfn == end; zj++)
            end += fa->zone[zj].count;
        uint64_t start = z->base_pfn > (min >> 12) ? z->base_pfn : (min + 0xFFF) >> 12;
        uint64_t pfn = (start + align_pages - 1) & ~(uint64_t)(align_pages - 1);
        while (pfn + count <= end && (!limit || ((pfn + count) << 12) <= limit)) {
            uint32_t first = z->first + (uint32_t)(pfn - z->base_pfn), k = 0;
            while (k < count && frame_is_free(fa, first + k))
                k++;
            if (k == count) {
                for (k = 0; k < count; k++) {
                    make_upto(fa, zone_of(fa, first + k), first + k + 1);
                    unlink_free(fa, first + k, owner);
                }
                *phys = pfn << 12;
                return 0;
            }
            /* Restart past the frame in use, at the next aligned frame. */
            pfn = (pfn + k + 1 + align_pages - 1) & ~(uint64_t)(align_pages - 1);
        }
    }
    return kerr_set(e, "frames: no %u contiguous free frames aligned to %u in 0x%llx-0x%llx",
                    count, align_pages, (unsigned long long)min, (unsigned long long)limit);
}

NONREENTRANT static uint32_t checked_index(const struct frame_alloc *fa, uint64_t phys, const char *what,
                              struct kerr *e)
{
    uint32_t i = (phys & 0xFFF) ? FRAME_NIL : index_of(fa, phys);
    if (i == FRAME_NIL)
        kerr_set(e, "frames: %s 0x%llx: not a tracked RAM frame", what, (unsigned long long)phys);
    else if (frame_is_free(fa, i)) {
        kerr_set(e, "frames: %s 0x%llx: the frame is free", what, (unsigned long long)phys);
        i = FRAME_NIL;
    }
    return i;
}

/* Why frame_free refused; out of the fast path. */
NONREENTRANT __attribute__((noinline, cold)) int frame_free_refused(struct frame_alloc *fa, uint64_t phys,
                                                       struct kerr *e)
{
    uint32_t i = checked_index(fa, phys, "free", e);
    if (i == FRAME_NIL)
        return -1;
    return kerr_set(e, "frames: free 0x%llx: the frame is locked %u times",
                    (unsigned long long)phys, fa->locks[i]);
}

/* A frame outside the hot zone: one zone search, and its zone becomes the hot one (the frames
 * freed next are likely its neighbours). */
NONREENTRANT int frame_free_slow(struct frame_alloc *fa, uint64_t phys, struct kerr *e)
{
    int zi = (phys & 0xFFF) ? -1 : zone_of_pfn(fa, phys >> 12);
    if (zi < 0)
        return frame_free_refused(fa, phys, e);
    const struct frame_zone *z = &fa->zone[zi];
    uint32_t i = z->first + (uint32_t)((phys >> 12) - z->base_pfn);
    if (i >= z->vcur || fa->owner[i] == FRAME_FREE || fa->locks[i])
        return frame_free_refused(fa, phys, e);
    frame_put(fa, i);
    set_hot(fa, (unsigned)zi);
    return 0;
}

NONREENTRANT int frame_free(struct frame_alloc *fa, uint64_t phys, struct kerr *e)
{
    return frame_free_fast(fa, phys, e);
}

/* frame_claim's walk: calls fn on each zone's share of [phys, phys + count frames): dense index
 * i, n frames, zone zi; stops at a frame outside RAM (returns -1) or when fn returns nonzero. */
NONREENTRANT static int claim_walk(struct frame_alloc *fa, uint64_t phys, uint32_t count,
                                   int (*fn)(struct frame_alloc *, uint32_t i, uint32_t n,
                                             unsigned zi, unsigned owner), unsigned owner)
{
    for (uint32_t k = 0; k < count;) {
        uint32_t i = index_of(fa, phys + ((uint64_t)k << 12));
        if (i == FRAME_NIL)
            return -1;
        unsigned zi = zone_of(fa, i);
        const struct frame_zone *z = &fa->zone[zi];
        uint32_t n = z->first + z->count - i;
        if (n > count - k)
            n = count - k;
        if (fn(fa, i, n, zi, owner))
            return -1;
        k += n;
    }
    return 0;
}

NONREENTRANT static int claim_check(struct frame_alloc *fa, uint32_t i, uint32_t n, unsigned zi,
                                    unsigned owner)
{
    (void)owner;
    for (uint32_t x = i; x < i + n && x < fa->zone[zi].vcur; x++)
        if (fa->owner[x] != FRAME_FREE)
            return -1;
    return 0;
}

/* Claims n free frames from i on in zone zi: listed ones unlinked, virgin ones written straight
 * (the frames below them made first), O(n) however far the zone's cursor is. */
NONREENTRANT static int claim_take(struct frame_alloc *fa, uint32_t i, uint32_t n, unsigned zi,
                                   unsigned owner)
{
    struct frame_zone *z = &fa->zone[zi];
    for (uint32_t x = i; x < i + n && x < z->vcur; x++)
        unlink_free(fa, x, owner);
    if (i + n > z->vcur) {
        uint32_t v = i > z->vcur ? i : z->vcur;     /* the first virgin frame claimed */
        make_upto(fa, zi, v);
        for (uint32_t x = v; x < i + n; x++) {
            fa->owner[x] = (uint16_t)owner;
            fa->locks[x] = 0;
        }
        fa->per_owner[owner] += i + n - v;
        fa->nfree -= i + n - v;
        fa->nvirgin -= i + n - v;
        z->vcur = i + n;
        if (zi == fa->hot)
            set_hot(fa, zi);
    }
    return 0;
}

NONREENTRANT int frame_claim(struct frame_alloc *fa, uint64_t phys, uint32_t count, unsigned owner,
                struct kerr *e)
{
    if (owner == FRAME_FREE || owner >= FRAME_MAX_OWNERS)
        return kerr_set(e, "frames: claim for owner %u", owner);
    if ((phys & 0xFFF) || claim_walk(fa, phys, count, claim_check, owner)) {
        uint32_t k = 0;             /* which frame: the message names it */
        while (k < count && !(phys & 0xFFF)) {
            uint32_t i = index_of(fa, phys + ((uint64_t)k << 12));
            if (i == FRAME_NIL || !frame_is_free(fa, i))
                break;
            k++;
        }
        return kerr_set(e, "frames: claim 0x%llx: frame %u of %u is not free RAM",
                        (unsigned long long)phys, k, count);
    }
    claim_walk(fa, phys, count, claim_take, owner);
    return 0;
}

NONREENTRANT uint32_t frame_release_owner(struct frame_alloc *fa, unsigned owner)
{
    uint32_t n = 0;
    if (owner == FRAME_FREE || owner >= FRAME_MAX_OWNERS)
        return 0;
    for (unsigned zi = fa->nzones; zi-- > 0;)
        for (uint32_t i = fa->zone[zi].vcur; i-- > fa->zone[zi].first;)
            if (fa->owner[i] == owner && !fa->locks[i]) {
                frame_put(fa, i);
                n++;
            }
    return n;
}

NONREENTRANT int frame_lock(struct frame_alloc *fa, uint64_t phys, struct kerr *e)
{
    uint32_t i = checked_index(fa, phys, "lock", e);
    if (i == FRAME_NIL)
        return -1;
    if (fa->locks[i] == 0xFFFF)
        return kerr_set(e, "frames: lock 0x%llx: lock count overflow", (unsigned long long)phys);
    if (fa->locks[i]++ == 0)
        fa->nlocked++;
    return 0;
}

NONREENTRANT int frame_unlock(struct frame_alloc *fa, uint64_t phys, struct kerr *e)
{
    uint32_t i = checked_index(fa, phys, "unlock", e);
    if (i == FRAME_NIL)
        return -1;
    if (fa->locks[i] == 0)
        return kerr_set(e, "frames: unlock 0x%llx: the frame is not locked", (unsigned long long)phys);
    if (--fa->locks[i] == 0)
        fa->nlocked--;
    return 0;
}

NONREENTRANT int frame_owner(const struct frame_alloc *fa, uint64_t phys)
{
    uint32_t i = index_of(fa, phys);
    return i == FRAME_NIL ? -1 : frame_is_free(fa, i) ? FRAME_FREE : fa->owner[i];
}
