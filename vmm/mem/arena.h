/*
 * Linear arenas: which pages of a linear range (the system arena, the shared arena ...) are free
 * to reserve.  The bookkeeping lives in the range's own page-table entries: a page that is free
 * has a not-present entry, whose 63 other bits belong to software, so a free extent's first entry
 * holds its size and its free-list links and its last entry its size again (a boundary tag).  No
 * memory is spent per page, and reserving one page is O(1): extents sit in segregated lists by
 * size (four per power of two, found by bit scans), and a freed range merges with free neighbours
 * at once.  Portable: the entries are an array the caller provides (the PTEs through the
 * self-map in the VMM, where the window is such an array; a plain array in the host tests).
 * Not reentrant.
 *
 * Entries of pages the arena handed out are the caller's (a present PTE once committed); the
 * arena only marks them ARENA_RESERVED when it hands them out, so that no stale tag remains, and
 * never reads them except as neighbours, where any entry that is not a free tag means "in use".
 * It checks what its tags can tell: a range given back must not start or end with a free tag,
 * nor be mapped at its ends.  A range lying wholly inside a free extent carries no tags and is
 * not detected: the page services, which know their allocations by handle, are the full check.
 */
#ifndef MEM_ARENA_H
#define MEM_ARENA_H
#include <stdint.h>
#include "lib/kfmt.h"

#define ARENA_MAX_PAGES  (1u << 20)     /* 4 GB of linear space: 20-bit page fields */
#define ARENA_FL         21
#define ARENA_SL         4

/* Not-present entry encodings (bit 0, the present bit, is 0 in all of them). */
#define ARENA_TYPE_MASK  0x6ull
#define ARENA_RESERVED   0x2ull         /* handed out, not committed */
#define ARENA_FREE_HEAD  0x4ull         /* first page of a free extent: size, next, prev */
#define ARENA_FREE_TAIL  0x6ull         /* last page of a free extent of 2 or more: size */

struct arena {
    uint32_t base, npages;              /* absolute page numbers [base, base + npages) */
    uint32_t fl_map;
    uint32_t sl_map[ARENA_FL];
    uint32_t head[ARENA_FL][ARENA_SL];  /* first page of the first extent, relative; NIL if none */
    uint32_t free_pages;
    volatile uint64_t *entry;           /* entry[r]: the entry of page base + r */
};

/* The whole range becomes one free extent; entries (npages of them, for pages base_page ...)
 * are written only at the two ends. */
int arena_init(struct arena *a, uint32_t base_page, uint32_t npages, volatile uint64_t *entries,
               struct kerr *e);
/* n pages, the first a multiple of align_pages (a power of two; 1 for none).  Returns 0 and the
 * first absolute page number, or -1 when no free extent fits.  Entries become ARENA_RESERVED.
 * O(1) when an extent of a larger size class is free; otherwise the extents of the request's
 * own class and above are scanned, so a request fails only when nothing fits. */
int arena_alloc(struct arena *a, uint32_t n, uint32_t align_pages, uint32_t *page);
/* Exactly [page, page + n), which must be free; -1 with the reason otherwise. */
int arena_alloc_at(struct arena *a, uint32_t page, uint32_t n, struct kerr *e);
/* Gives [page, page + n) back (the caller has unmapped it); merges with free neighbours.  Refuses
 * a range outside the arena, still mapped at an end, or starting or ending with a free tag. */
int arena_free(struct arena *a, uint32_t page, uint32_t n, struct kerr *e);
/* 1 if the page is inside a free extent (O(1) only at extent ends: this walks entries back to the
 * head; for tests and checks). */
int arena_is_free(const struct arena *a, uint32_t page);
/* Walks every free list and extent and verifies the tags and counts; 0 or -1 with the reason. */
int arena_check(const struct arena *a, struct kerr *e);

#endif
