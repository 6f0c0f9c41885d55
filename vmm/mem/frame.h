/*
 * The physical page-frame allocator: which 4 KB frames of RAM are free, who owns the others, and
 * how often each is locked.  Portable: it never touches the frames themselves (RAM above 4 GB is
 * not even mapped), only its own metadata, which the caller provides; the host tests run it on
 * synthetic memory maps.  Not reentrant: the VMM calls it with interrupts off.
 *
 * Frames are numbered densely over the RAM zones of the memory map (holes cost nothing): 12 bytes
 * of metadata per frame, 0.29 % of RAM.  Free frames form one doubly linked LIFO list, so that
 * one frame is allocated and freed in O(1), the most recently freed (cache-warm) first, and a
 * contiguous run can unlink its frames from anywhere in the list in O(1) each.
 *
 * Setting up costs the ranges of the map, not its frames: the free frames of a zone are
 * "virgin" from its cursor vcur to its end -- free, counted in nfree, but in no list and with
 * their metadata never written.  When the list is empty, a frame is taken at the lowest virgin
 * cursor (so a boot hands out low frames first, the same on every machine size); a claim or a
 * contiguous run that needs virgin frames first writes the zone's frames up to them ("makes
 * them") onto the list's tail: never used, they come after every frame freed, as before.  A zone is a run of adjacent ranges that are all free or all owned, so
 * that an owned frame is never virgin.
 */
#ifndef MEM_FRAME_H
#define MEM_FRAME_H
#include <stddef.h>
#include <stdint.h>
#include "boot/bootinfo.h"
#include "lib/kfmt.h"

#define FRAME_MAX_ZONES  128
#define FRAME_NIL        0xFFFFFFFFu

/* Owners: who holds a frame.  0 is "free"; the counters are per owner. */
#define FRAME_FREE       0
#define FRAME_VMM        1      /* the VMM's image */
#define FRAME_BOOTDATA   2      /* boot info, its tables, the page tables built by the loader */
#define FRAME_MODULES    3      /* files handed over by the loader, until released */
#define FRAME_ACPI       4      /* ACPI tables, until read */
#define FRAME_META       5      /* this allocator's own metadata */
#define FRAME_PAGES      6      /* the page services (the default owner of allocations) */
#define FRAME_PAGETABLE  7      /* page tables and directories made by the page services */
#define FRAME_MAX_OWNERS 16

struct frame_zone {
    uint64_t base_pfn;          /* first frame number (physical address >> 12) */
    uint32_t count;             /* frames */
    uint32_t first;             /* dense index of its first frame */
    uint32_t vcur;              /* dense index of its first virgin frame (first + count: none) */
    uint32_t free;              /* nonzero: a zone of free ranges (usable, reclaimable) */
};

struct frame_alloc {
    struct frame_zone zone[FRAME_MAX_ZONES];
    unsigned nzones;
    uint32_t nframes;
    uint32_t *next, *prev;      /* free-list links by dense index, FRAME_NIL at the ends */
    uint16_t *owner;            /* FRAME_FREE or the owner */
    uint16_t *locks;            /* _LinPageLock count */
    uint32_t head, tail;        /* first and last listed free frame, FRAME_NIL if none */
    unsigned hot;               /* zone of the last index -> address lookup: LIFO reuse keeps
                                   allocations local, so it usually hits */
    uint32_t hot_pfn, hot_count, hot_first; /* the hot zone's frames made (not virgin) in 32
                                   bits (hot_count 0 if they lie at or above 2^32 frames): the
                                   fast paths' test, which so never meets a virgin frame */
    unsigned vzone;             /* the lowest zone that may have virgin frames */
    uint32_t nfree, nlocked;    /* nfree: listed and virgin */
    uint32_t nvirgin;
    uint32_t per_owner[FRAME_MAX_OWNERS];
};

/* Bytes of metadata frame_init needs for this memory map. */
#define FRAME_META_PER_FRAME 12u       /* bytes of metadata a frame */
size_t frame_meta_size(const struct bi_mem_range *map, uint32_t n);
/* For a metadata budget: copies map (n entries, sorted) into out with the free RAM (usable and
 * reclaimable) that `budget` bytes of metadata cannot track left out, the highest first -- the
 * VMM's, the modules' and the other owned ranges always stay -- and returns the bytes of RAM
 * left out (0: out is map as it is).  A range left out whole stays in out as BI_MEM_RESERVED, a
 * range cut keeps its low part.  frame_meta_size(out, n) is then at most budget (unless the
 * owned ranges alone need more). */
uint64_t frame_cap_map(const struct bi_mem_range *map, uint32_t n, size_t budget,
                       struct bi_mem_range *out);

/* Sets the allocator up over every RAM range of the map (usable, reclaimable, VMM, modules,
 * boot data, ACPI reclaimable).  Usable and reclaimable frames become free (virgin: O(ranges)
 * work, plus the owned frames); the VMM's, the boot data's, the modules' and ACPI's frames are
 * owned by FRAME_VMM, FRAME_BOOTDATA, FRAME_MODULES and FRAME_ACPI until released.  meta must
 * hold frame_meta_size bytes, 4-byte aligned; its contents do not matter. */
int frame_init(struct frame_alloc *fa, const struct bi_mem_range *map, uint32_t n,
               void *meta, size_t meta_size, struct kerr *e);

/* One frame, O(1).  Returns 0 and its physical address, or -1 when none is free (or owner is
 * not 1..FRAME_MAX_OWNERS-1). */
int frame_alloc(struct frame_alloc *fa, unsigned owner, uint64_t *phys);
/* count physically contiguous frames, the first aligned to align_pages (a power of two), all
 * at or above min and below limit (exclusive; 0 for no limit).  O(frames) scan: for DMA-style
 * callers only. */
int frame_alloc_contig(struct frame_alloc *fa, unsigned owner, uint32_t count,
                       uint32_t align_pages, uint64_t min, uint64_t limit, uint64_t *phys,
                       struct kerr *e);
/* Frees one frame, which must be allocated and unlocked; -1 with a message otherwise. */
int frame_free(struct frame_alloc *fa, uint64_t phys, struct kerr *e);
/* Takes specific free frames (the allocator's own metadata, say) for owner. */
int frame_claim(struct frame_alloc *fa, uint64_t phys, uint32_t count, unsigned owner,
                struct kerr *e);
/* Frees every frame owned by owner (e.g. the boot modules once loaded); returns how many. */
uint32_t frame_release_owner(struct frame_alloc *fa, unsigned owner);
int frame_lock(struct frame_alloc *fa, uint64_t phys, struct kerr *e);
int frame_unlock(struct frame_alloc *fa, uint64_t phys, struct kerr *e);
/* The owner of the frame at phys, or -1 if phys is not RAM the allocator tracks. */
int frame_owner(const struct frame_alloc *fa, uint64_t phys);

/* ---- inline fast paths (the page services' one-page path); same contracts as above ---- */

/* Out of line: the zone searches behind the hot-zone test, and the reasons of a refused free. */
uint32_t frame_index_search(const struct frame_alloc *fa, uint64_t pfn);
uint64_t frame_phys_search(struct frame_alloc *fa, uint32_t idx);
int frame_free_refused(struct frame_alloc *fa, uint64_t phys, struct kerr *e);
int frame_alloc_slow(struct frame_alloc *fa, unsigned owner, uint64_t *phys);  /* virgin frames */
int frame_free_slow(struct frame_alloc *fa, uint64_t phys, struct kerr *e);    /* not hot */
/* 1 if the frame of dense index i is free (listed or virgin). */
int frame_is_free(const struct frame_alloc *fa, uint32_t i);

/* Dense index of the frame at phys (page aligned or not), FRAME_NIL if not tracked. */
static inline uint32_t frame_index(const struct frame_alloc *fa, uint64_t phys)
{
    uint32_t pfn = (uint32_t)(phys >> 12);      /* LIFO reuse: usually in the hot zone */
    if ((uint32_t)(phys >> 44) == 0 && pfn - fa->hot_pfn < fa->hot_count)
        return fa->hot_first + (pfn - fa->hot_pfn);
    return frame_index_search(fa, phys >> 12);
}

static inline uint64_t frame_phys(struct frame_alloc *fa, uint32_t idx)
{
    if (idx - fa->hot_first < fa->hot_count)
        return (uint64_t)(fa->hot_pfn + (idx - fa->hot_first)) << 12;
    return frame_phys_search(fa, idx);
}

static inline int frame_alloc_fast(struct frame_alloc *fa, unsigned owner, uint64_t *phys)
{
    uint32_t i = fa->head;
    if (__builtin_expect(i == FRAME_NIL || owner - 1u >= FRAME_MAX_OWNERS - 1u, 0))
        return frame_alloc_slow(fa, owner, phys);   /* none listed, or owner 0/bad */
    uint32_t next = fa->next[i];
    fa->head = next;
    if (next != FRAME_NIL)
        fa->prev[next] = FRAME_NIL;
    else
        fa->tail = FRAME_NIL;
    fa->owner[i] = (uint16_t)owner;
    fa->per_owner[owner]++;
    fa->nfree--;
    *phys = frame_phys(fa, i);
    return 0;
}

/* The free itself, of an allocated and unlocked frame of dense index i: on the list's head. */
static inline void frame_put(struct frame_alloc *fa, uint32_t i)
{
    fa->per_owner[fa->owner[i]]--;
    fa->owner[i] = 0;
    fa->prev[i] = FRAME_NIL;
    fa->next[i] = fa->head;
    if (fa->head != FRAME_NIL)
        fa->prev[fa->head] = i;
    else
        fa->tail = i;
    fa->head = i;
    fa->nfree++;
}

/* A frame of the hot zone here; any other (or a bad address) out of line. */
static inline int frame_free_fast(struct frame_alloc *fa, uint64_t phys, struct kerr *e)
{
    uint32_t pfn = (uint32_t)(phys >> 12);
    if (__builtin_expect((phys & 0xFFF) || (uint32_t)(phys >> 44) ||
                         pfn - fa->hot_pfn >= fa->hot_count, 0))
        return frame_free_slow(fa, phys, e);
    uint32_t i = fa->hot_first + (pfn - fa->hot_pfn);
    if (__builtin_expect(fa->owner[i] == 0 || fa->locks[i], 0))
        return frame_free_refused(fa, phys, e);
    frame_put(fa, i);
    return 0;
}

#endif
