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
NONREENTRANT uint32_t frame_index_search(const struct frame_alloc *fa, uint64_t pfn)
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
            return z->first + (uint32_t)(pfn - z->base_pfn);
    }
    return FRAME_NIL;
}

/* Zone i becomes the hot one (and its 32-bit copy, if its frame numbers fit). */
NONREENTRANT static void set_hot(struct frame_alloc *fa, unsigned i)
{
    const struct frame_zone *z = &fa->zone[i];
    fa->hot = i;
    fa->hot_pfn = (uint32_t)z->base_pfn;
    fa->hot_first = z->first;
    fa->hot_count = z->base_pfn + z->count <= 0xFFFFFFFFull ? z->count : 0;
}

NONREENTRANT uint64_t frame_phys_search(struct frame_alloc *fa, uint32_t idx)
{
    unsigned lo = 0, hi = fa->nzones - 1;
    while (lo < hi) {                   /* the last zone whose first index is <= idx */
        unsigned mid = (lo + hi + 1) / 2;
        if (fa->zone[mid].first <= idx)
            lo = mid;
        else
            hi = mid - 1;
    }
    set_hot(fa, lo);
    return (fa->zone[lo].base_pfn + (idx - fa->zone[lo].first)) << 12;
}

#define index_of frame_index
#define phys_of  frame_phys

NONREENTRANT HOT void push_free(struct frame_alloc *fa, uint32_t i)
{
    fa->prev[i] = FRAME_NIL;
    fa->next[i] = fa->head;
    if (fa->head != FRAME_NIL)
        fa->prev[fa->head] = i;
    fa->head = i;
    fa->owner[i] = FRAME_FREE;
    fa->nfree++;
}

NONREENTRANT static void unlink_free(struct frame_alloc *fa, uint32_t i, unsigned owner)
{
    if (fa->prev[i] != FRAME_NIL)
        fa->next[fa->prev[i]] = fa->next[i];
    else
        fa->head = fa->next[i];
    if (fa->next[i] != FRAME_NIL)
        fa->prev[fa->next[i]] = fa->prev[i];
    fa->owner[i] = (uint16_t)owner;
    fa->per_owner[owner]++;
    fa->nfree--;
}

NONREENTRANT int frame_init(struct frame_alloc *fa, const struct bi_mem_range *map, uint32_t n,
               void *meta, size_t meta_size, struct kerr *e)
{
    uint64_t frames = tracked_frames(map, n);
    size_t need = frame_meta_size(map, n);
    unsigned owner;

    *fa = (struct frame_alloc){ .head = FRAME_NIL };
    if (frames >= FRAME_NIL)
        return kerr_set(e, "frames: %llu frames is more than this allocator indexes",
                        (unsigned long long)frames);
    if (meta_size < need || ((uintptr_t)meta & 3))
        return kerr_set(e, "frames: metadata buffer of %zu bytes, %zu needed (4-byte aligned)",
                        meta_size, need);
    /* Zones: maximal runs of adjacent tracked ranges (the map is sorted and disjoint). */
    for (uint32_t i = 0; i < n; i++) {
        if (!tracked(map[i].type, &owner) || !range_frames(&map[i]))
            continue;
        struct frame_zone *z = fa->nzones ? &fa->zone[fa->nzones - 1] : 0;
        uint64_t pfn = map[i].base >> 12;
        uint32_t frames = (uint32_t)range_frames(&map[i]);
        if (z && z->base_pfn + z->count == pfn)
            z->count += frames;
        else if (fa->nzones == FRAME_MAX_ZONES) {
            *fa = (struct frame_alloc){ .head = FRAME_NIL };    /* empty, safe to query */
            return kerr_set(e, "frames: RAM in more than %u separate zones", FRAME_MAX_ZONES);
        }
        else
            fa->zone[fa->nzones++] = (struct frame_zone){ pfn, frames, fa->nframes };
        fa->nframes += frames;
    }
    if (fa->nframes == 0)
        return kerr_set(e, "frames: the memory map has no RAM");
    set_hot(fa, 0);
    fa->next = meta;
    fa->prev = fa->next + fa->nframes;
    fa->owner = (uint16_t *)(fa->prev + fa->nframes);
    fa->locks = fa->owner + fa->nframes;
    /* One ascending pass links every free frame to the next (low frames are handed out first,
     * so the first allocations of a boot are the same on every machine size); straight stores,
     * a few instructions a frame, as this runs over all of RAM at boot. */
    uint32_t tail = FRAME_NIL;
    for (uint32_t r = 0; r < n; r++) {
        if (!tracked(map[r].type, &owner))
            continue;
        uint32_t first = index_of(fa, map[r].base), count = (uint32_t)range_frames(&map[r]);
        for (uint32_t i = first; i < first + count; i++)
            fa->locks[i] = 0;
        if (owner != FRAME_FREE) {
            for (uint32_t i = first; i < first + count; i++)
                fa->owner[i] = (uint16_t)owner;
            fa->per_owner[owner] += count;
            continue;
        }
        if (!count)
            continue;
        for (uint32_t i = first; i < first + count; i++) {
            fa->owner[i] = FRAME_FREE;
            fa->prev[i] = i - 1;
            fa->next[i] = i + 1;
        }
        fa->prev[first] = tail;
        if (tail == FRAME_NIL)
            fa->head = first;
        else
            fa->next[tail] = first;
        tail = first + count - 1;
        fa->nfree += count;
    }
    if (tail != FRAME_NIL)
        fa->next[tail] = FRAME_NIL;
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
    for (unsigned zi = 0; zi < fa->nzones; zi++) {
        const struct frame_zone *z = &fa->zone[zi];
        uint64_t start = z->base_pfn > (min >> 12) ? z->base_pfn : (min + 0xFFF) >> 12;
        uint64_t pfn = (start + align_pages - 1) & ~(uint64_t)(align_pages - 1);
        while (pfn + count <= z->base_pfn + z->count &&
               (!limit || ((pfn + count) << 12) <= limit)) {
            uint32_t first = z->first + (uint32_t)(pfn - z->base_pfn), k = 0;
            while (k < count && fa->owner[first + k] == FRAME_FREE)
                k++;
            if (k == count) {
                for (k = 0; k < count; k++)
                    unlink_free(fa, first + k, owner);
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
    else if (fa->owner[i] == FRAME_FREE) {
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

NONREENTRANT int frame_free(struct frame_alloc *fa, uint64_t phys, struct kerr *e)
{
    return frame_free_fast(fa, phys, e);
}

NONREENTRANT int frame_claim(struct frame_alloc *fa, uint64_t phys, uint32_t count, unsigned owner,
                struct kerr *e)
{
    if (owner == FRAME_FREE || owner >= FRAME_MAX_OWNERS)
        return kerr_set(e, "frames: claim for owner %u", owner);
    for (uint32_t k = 0; k < count; k++) {
        uint32_t i = index_of(fa, phys + ((uint64_t)k << 12));
        if (i == FRAME_NIL || fa->owner[i] != FRAME_FREE || (phys & 0xFFF))
            return kerr_set(e, "frames: claim 0x%llx: frame %u of %u is not free RAM",
                            (unsigned long long)phys, k, count);
    }
    for (uint32_t k = 0; k < count; k++)
        unlink_free(fa, index_of(fa, phys + ((uint64_t)k << 12)), owner);
    return 0;
}

NONREENTRANT uint32_t frame_release_owner(struct frame_alloc *fa, unsigned owner)
{
    uint32_t n = 0;
    if (owner == FRAME_FREE || owner >= FRAME_MAX_OWNERS)
        return 0;
    for (uint32_t i = fa->nframes; i-- > 0;)
        if (fa->owner[i] == owner && !fa->locks[i]) {
            fa->per_owner[owner]--;
            push_free(fa, i);
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
    return i == FRAME_NIL ? -1 : fa->owner[i];
}
