/*
 * Host tests for vmm/mem/arena.c: the linear-arena allocator whose bookkeeping lives in the
 * page-table entries of its free pages.
 *
 * The entries are an exact-size heap array (one uint64_t per page of the arena), so that
 * AddressSanitizer reports any access outside [base, base + npages); which entries an operation
 * wrote is found by comparing with a snapshot.  Before arena_init the array is filled with junk
 * that looks like free tags (the arena promises it never reads a page it has not written), so
 * a read of a stale entry shows up as a wrong answer.  The tests use a base that is not aligned
 * (0xC1003) so that alignment is checked on absolute page numbers, and compare against an
 * independent model: one "in use" byte per page.  White-box helpers decode the tag format that
 * arena.c documents (size at bit 3, next link at bit 24, prev link at bit 44).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem/arena.h"
#include "testlib.h"

#define BASE     0xC1003u               /* not a multiple of any alignment > 1 */
#define TAG(e)   ((e) & 7)
#define TSIZE(e) ((uint32_t)(((e) >> 3) & 0x1FFFFF))
#define TNEXT(e) ((uint32_t)(((e) >> 24) & 0xFFFFF))
#define NIL      0xFFFFFu
#define MAPPED   0x1003ull               /* what a committed (present) PTE looks like */

/* ---- the entry array -------------------------------------------------------------------------- */

struct ents {
    uint32_t base, n;
    uint64_t *e;                        /* e[page - base], passed to the arena as its entries */
};

/* The pages whose entries differ from snap: their count, the first few in pages[]. */
static unsigned changed(const struct ents *x, const uint64_t *snap, uint32_t *pages, unsigned max)
{
    unsigned k = 0;
    for (uint32_t i = 0; i < x->n; i++)
        if (x->e[i] != snap[i]) {
            if (k < max)
                pages[k] = x->base + i;
            k++;
        }
    return k;
}

struct fix {
    struct arena a;
    struct ents x;
    uint8_t *used;                      /* the model: 1 = handed out */
    uint32_t nfree;                     /* the model's free count */
};

/* Junk that looks like tags (heads of 1 page, tails of 2), so that reading a stale entry the
 * arena never wrote gives a wrong answer. */
static void fill_junk(struct ents *x)
{
    for (uint32_t i = 0; i < x->n; i++)
        x->e[i] = i & 1 ? ARENA_FREE_TAIL | 2ull << 3 : ARENA_FREE_HEAD | 1ull << 3 | 7ull << 24;
}

static void setup_at(struct fix *f, uint32_t base, uint32_t n)
{
    memset(f, 0, sizeof(*f));
    f->x.base = base;
    f->x.n = n;
    f->x.e = malloc((size_t)n * sizeof(uint64_t));
    f->used = calloc(n, 1);
    cr_assert(f->x.e && f->used);
    fill_junk(&f->x);
    struct kerr e;
    strcpy(e.msg, "(none)");
    int r = arena_init(&f->a, base, n, f->x.e, &e);
    cr_assert_eq(r, 0, "arena_init(0x%x, %u): %s", base, n, e.msg);
    f->nfree = n;
}

static void setup(struct fix *f, uint32_t n) { setup_at(f, BASE, n); }

static void teardown(struct fix *f)
{
    free(f->x.e);
    free(f->used);
}

static void check_ok(const struct fix *f)
{
    struct kerr e;
    strcpy(e.msg, "(none)");
    int r = arena_check(&f->a, &e);
    if (r != 0)
        cr_assert_fail("arena_check: %s", e.msg);
    if (f->a.free_pages != f->nfree)
        cr_assert_fail("free_pages %u, model %u", f->a.free_pages, f->nfree);
}

/* Number of free extents, walking the lists (the arena's own view). */
static unsigned count_extents(const struct fix *f)
{
    unsigned k = 0;
    for (unsigned fl = 0; fl < ARENA_FL; fl++)
        for (unsigned sl = 0; sl < ARENA_SL; sl++)
            for (uint32_t h = f->a.head[fl][sl]; h != NIL; h = TNEXT(f->x.e[h])) {
                cr_assert_lt(h, f->x.n);
                k++;
                cr_assert_leq(k, f->x.n, "cycle");
            }
    return k;
}

/* Relative pages [r, r + n) are exactly one free extent: a head and a tail tag of size n, and
 * both neighbours in use. */
static void expect_extent(const struct fix *f, uint32_t r, uint32_t n)
{
    uint64_t h = f->x.e[r];
    cr_assert_eq(TAG(h), ARENA_FREE_HEAD, "+%u: entry 0x%llx is not a head", r,
                 (unsigned long long)h);
    cr_assert_eq(TSIZE(h), n, "+%u: head size %u, want %u", r, TSIZE(h), n);
    if (n > 1) {
        uint64_t t = f->x.e[r + n - 1];
        cr_assert_eq(TAG(t), ARENA_FREE_TAIL, "+%u: no tail tag", r + n - 1);
        cr_assert_eq(TSIZE(t), n, "+%u: tail size %u, want %u", r + n - 1, TSIZE(t), n);
    }
    if (r > 0)
        cr_assert_not(arena_is_free(&f->a, f->x.base + r - 1), "left neighbour +%u free", r - 1);
    if (r + n < f->x.n)
        cr_assert_not(arena_is_free(&f->a, f->x.base + r + n), "right neighbour +%u free", r + n);
    for (uint32_t i = r; i < r + n; i++)
        cr_assert(arena_is_free(&f->a, f->x.base + i), "+%u not free", i);
}

/* alloc through the API, checked against the model: inside, aligned (absolute), not overlapping
 * anything handed out, entries ARENA_RESERVED.  Returns the absolute first page or -1. */
static int64_t alloc_m(struct fix *f, uint32_t n, uint32_t align)
{
    uint32_t p = 0xDEADBEEF;
    if (arena_alloc(&f->a, n, align, &p) != 0) {
        cr_assert_eq(p, 0xDEADBEEF, "failed alloc wrote *page");
        return -1;
    }
    cr_assert(p >= f->x.base && (uint64_t)p + n <= (uint64_t)f->x.base + f->x.n,
              "alloc(%u) = 0x%x outside the arena", n, p);
    cr_assert_eq(p & (align - 1), 0, "alloc(%u, align %u) = 0x%x unaligned", n, align, p);
    for (uint32_t i = p - f->x.base; i < p - f->x.base + n; i++) {
        if (f->used[i])
            cr_assert_fail("alloc(%u) = 0x%x overlaps page 0x%x in use", n, p, f->x.base + i);
        if (f->x.e[i] != ARENA_RESERVED)
            cr_assert_fail("handed-out page 0x%x has entry 0x%llx", f->x.base + i,
                           (unsigned long long)f->x.e[i]);
        f->used[i] = 1;
    }
    f->nfree -= n;
    return p;
}

static void alloc_at_m(struct fix *f, uint32_t r, uint32_t n)
{
    struct kerr e;
    strcpy(e.msg, "(none)");
    int rc = arena_alloc_at(&f->a, f->x.base + r, n, &e);
    cr_assert_eq(rc, 0, "alloc_at(+%u, %u): %s", r, n, e.msg);
    for (uint32_t i = r; i < r + n; i++) {
        cr_assert_not(f->used[i]);
        cr_assert_eq(f->x.e[i], ARENA_RESERVED);
        f->used[i] = 1;
    }
    f->nfree -= n;
}

static void free_m(struct fix *f, uint32_t r, uint32_t n)
{
    struct kerr e;
    strcpy(e.msg, "(none)");
    int rc = arena_free(&f->a, f->x.base + r, n, &e);
    cr_assert_eq(rc, 0, "free(+%u, %u): %s", r, n, e.msg);
    for (uint32_t i = r; i < r + n; i++) {
        cr_assert(f->used[i], "model: +%u was not in use", i);
        f->used[i] = 0;
    }
    f->nfree += n;
}

/* Longest run of free pages in the model (= the largest extent, since extents never touch). */
static uint32_t longest_free_run(const struct fix *f)
{
    uint32_t best = 0, cur = 0;
    for (uint32_t i = 0; i < f->x.n; i++) {
        cur = f->used[i] ? 0 : cur + 1;
        if (cur > best)
            best = cur;
    }
    return best;
}

/* Whether some free run of the model holds n pages starting at an absolute multiple of align. */
static int model_fits(const struct fix *f, uint32_t n, uint32_t align)
{
    uint32_t run = 0;
    for (uint32_t i = 0; i < f->x.n; i++) {
        run = f->used[i] ? 0 : run + 1;
        if (run >= n && ((f->x.base + i + 1 - n) & (align - 1)) == 0)
            return 1;
    }
    return 0;
}

static void expect_err(int rc, const struct kerr *e, const char *what)
{
    cr_assert_lt(rc, 0);
    cr_assert(strstr(e->msg, what), "message \"%s\" lacks \"%s\"", e->msg, what);
}

/* ---- arena_init ------------------------------------------------------------------------------ */

/* A fresh arena is one free extent of npages: free_pages, arena_check, every page free, and
 * init wrote only the entries of the two end pages (one for a 1-page arena) and read none. */
Test(arena, init_makes_one_free_extent)
{
    const uint32_t sizes[] = { 1, 2, 3, 5, 1000 };
    for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        struct fix f;
        uint32_t n = sizes[k];
        memset(&f, 0, sizeof(f));
        f.x.base = BASE;
        f.x.n = n;
        f.x.e = malloc(n * sizeof(uint64_t));
        f.used = calloc(n, 1);
        fill_junk(&f.x);
        uint64_t *snap = malloc(n * sizeof(uint64_t));
        memcpy(snap, f.x.e, n * sizeof(uint64_t));
        struct kerr e;
        uint32_t pages[4];
        cr_assert_eq(arena_init(&f.a, BASE, n, f.x.e, &e), 0, "%u pages: %s", n, e.msg);
        /* The two ends hold the new tags; no other entry changed.  (A junk entry may already
         * equal the tag written over it, so the ends are checked by value, the rest by diff.) */
        cr_assert_eq(TAG(f.x.e[0]), ARENA_FREE_HEAD);
        cr_assert_eq(TSIZE(f.x.e[0]), n);
        if (n > 1) {
            cr_assert_eq(TAG(f.x.e[n - 1]), ARENA_FREE_TAIL);
            cr_assert_eq(TSIZE(f.x.e[n - 1]), n);
        }
        snap[0] = f.x.e[0];
        snap[n - 1] = f.x.e[n - 1];
        unsigned k2 = changed(&f.x, snap, pages, 4);
        cr_assert_eq(k2, 0, "init wrote %u entries besides the two ends (first at 0x%x)", k2,
                     k2 ? pages[0] : 0);
        free(snap);
        f.nfree = n;
        cr_assert_eq(f.a.free_pages, n);
        check_ok(&f);
        cr_assert_eq(count_extents(&f), 1);
        expect_extent(&f, 0, n);
        cr_assert_not(arena_is_free(&f.a, BASE - 1));
        cr_assert_not(arena_is_free(&f.a, BASE + n));
        teardown(&f);
    }
}

/* Sizes 0 and >= 0xFFFFF, and ranges ending past page 2^20 (4 GB) are refused with a message,
 * without touching any entry; the largest legal sizes and an arena ending exactly at 2^20 are
 * accepted. */
Test(arena, init_refuses_bad_sizes)
{
    uint64_t guard[2] = { 0x5A5A, 0xA5A5 };         /* a refused init must not write anything */
    struct arena a;
    const struct { uint32_t base, n; } bad[] = {
        { BASE, 0 }, { 0, 0xFFFFF }, { 0, 0x100000 }, { 0, 0xFFFFFFFFu }, { 0xFFF00, 0x101 },
        { 0x100000, 1 }, { 0xFFFFFFFFu, 1 }, { 3, 0xFFFFE },
    };
    for (unsigned k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        struct kerr e;
        strcpy(e.msg, "");
        expect_err(arena_init(&a, bad[k].base, bad[k].n, guard, &e), &e, "arena:");
        cr_assert(guard[0] == 0x5A5A && guard[1] == 0xA5A5, "refused init touched entries");
    }
    const struct { uint32_t base, n; } good[] = { { 0xFFFFF, 1 }, { 0xFFF00, 0x100 }, { 1, 0xFFFFE },
                                                   { 2, 0xFFFFE } };
    for (unsigned k = 0; k < sizeof(good) / sizeof(good[0]); k++) {
        struct fix f;
        setup_at(&f, good[k].base, good[k].n);
        check_ok(&f);
        cr_assert_eq(count_extents(&f), 1);
        teardown(&f);
    }
}

/* ---- arena_alloc ----------------------------------------------------------------------------- */

/* Alignment is of absolute page numbers: from an arena at 0xC1003, the first 8-aligned page is
 * 0xC1008, and the five pages in front of it stay one free extent.  A sequence of sizes and
 * alignments gives ranges inside the arena, aligned, disjoint, entries ARENA_RESERVED. */
Test(arena, alloc_aligns_absolute_pages)
{
    struct fix f;
    setup(&f, 512);
    cr_assert_eq(alloc_m(&f, 3, 8), 0xC1008);
    expect_extent(&f, 0, 5);
    expect_extent(&f, 8, 504);
    check_ok(&f);
    for (unsigned i = 0; i < 60; i++) {
        uint32_t n = 1 + i % 7, align = 1u << (i % 6);
        int64_t p = alloc_m(&f, n, align);
        cr_assert_geq(p, 0, "alloc(%u, %u) #%u failed with %u free", n, align, i, f.nfree);
        check_ok(&f);
    }
    teardown(&f);
}

/* n = 0, n > npages, an alignment of 0, not a power of two, or above npages: -1, *page and the
 * entries untouched, nothing written. */
Test(arena, alloc_refuses_bad_requests)
{
    struct fix f;
    setup(&f, 64);
    uint64_t *snap = malloc(64 * sizeof(uint64_t));
    memcpy(snap, f.x.e, 64 * sizeof(uint64_t));
    const uint32_t req[][2] = { { 0, 1 }, { 65, 1 }, { 0xFFFFFFFFu, 1 }, { 1, 0 }, { 1, 3 },
                                { 1, 6 }, { 1, 12 }, { 1, 128 }, { 1, 0x80000000u } };
    for (unsigned k = 0; k < sizeof(req) / sizeof(req[0]); k++) {
        uint32_t p = 0x1234;
        cr_assert_eq(arena_alloc(&f.a, req[k][0], req[k][1], &p), -1, "alloc(%u, %u)",
                     req[k][0], req[k][1]);
        cr_assert_eq(p, 0x1234);
    }
    cr_assert_eq(memcmp(snap, f.x.e, 64 * sizeof(uint64_t)), 0, "a refused alloc wrote entries");
    check_ok(&f);
    free(snap);
    teardown(&f);
}

/* Single pages: N allocations succeed and cover the arena exactly once, the next fails, and the
 * full arena has no extent left. */
Test(arena, alloc_single_pages_until_full)
{
    struct fix f;
    setup(&f, 100);
    for (unsigned i = 0; i < 100; i++) {
        cr_assert_geq(alloc_m(&f, 1, 1), 0, "alloc #%u failed", i);
        check_ok(&f);
    }
    cr_assert_eq(alloc_m(&f, 1, 1), -1);
    cr_assert_eq(f.a.free_pages, 0);
    cr_assert_eq(f.a.fl_map, 0);
    cr_assert_eq(count_extents(&f), 0);
    check_ok(&f);
    teardown(&f);
}

/* When nothing fits, -1: a request larger than the largest extent, or an aligned request no
 * extent can hold, fails while smaller ones still succeed. */
Test(arena, alloc_fails_when_nothing_fits)
{
    struct fix f;
    setup(&f, 64);
    /* used: +0..+9, +13..+29, +34..+63 -> extents of 3 (+10) and 4 (+30) */
    alloc_at_m(&f, 0, 10);
    alloc_at_m(&f, 13, 17);
    alloc_at_m(&f, 34, 30);
    check_ok(&f);
    cr_assert_not(model_fits(&f, 5, 1) || model_fits(&f, 4, 2) || model_fits(&f, 2, 16));
    cr_assert_eq(alloc_m(&f, 5, 1), -1);
    cr_assert_eq(alloc_m(&f, 4, 2), -1);        /* +30 = 0xC1021: odd; the 4 pages need 0xC1022 */
    cr_assert_eq(alloc_m(&f, 2, 16), -1);
    check_ok(&f);
    cr_assert_eq(alloc_m(&f, 4, 1), BASE + 30);
    cr_assert_eq(alloc_m(&f, 3, 1), BASE + 10);
    cr_assert_eq(alloc_m(&f, 1, 1), -1);
    check_ok(&f);
    teardown(&f);
}

/* The exact classes 1, 2, 3: with extents of exactly 1, 2, 3 pages and a large one, a request
 * of k <= 3 pages takes the extent of k pages (the smallest that fits), leaving the large one. */
Test(arena, alloc_exact_classes_1_to_3)
{
    struct fix f;
    setup(&f, 64);
    alloc_at_m(&f, 0, 10);
    free_m(&f, 1, 1);                           /* 1 page at +1 */
    free_m(&f, 3, 2);                           /* 2 pages at +3 */
    free_m(&f, 6, 3);                           /* 3 pages at +6; and 54 at +10 */
    check_ok(&f);
    cr_assert_eq(count_extents(&f), 4);
    cr_assert_eq(alloc_m(&f, 3, 1), BASE + 6);
    cr_assert_eq(alloc_m(&f, 2, 1), BASE + 3);
    cr_assert_eq(alloc_m(&f, 1, 1), BASE + 1);
    check_ok(&f);
    expect_extent(&f, 10, 54);
    /* with only a 3-page extent below the large one, 2 pages come from it, leaving 1 */
    free_m(&f, 6, 3);
    cr_assert_eq(alloc_m(&f, 2, 1), BASE + 6);
    expect_extent(&f, 8, 1);
    cr_assert_eq(alloc_m(&f, 1, 1), BASE + 8);
    check_ok(&f);
    teardown(&f);
}

/* Every size 1..N from a fresh arena of N pages, for each N that is the smallest size of its
 * class (1, 2, 3, 4..7, 8, 10, 12, 14, 16, 20, ... 1024): the whole range fits at the base.
 * (Other arena sizes: see alloc_fits_every_size_of_any_arena, disabled.) */
Test(arena, alloc_every_size_from_arena_of_class_size)
{
    for (uint32_t N = 1; N <= 1024; N++) {
        if (N >= 8) {
            unsigned fl = 31u - (unsigned)__builtin_clz(N);
            if (N & ((1u << (fl - 2)) - 1))
                continue;                       /* not a class minimum */
        }
        struct fix f;
        setup(&f, N);
        for (uint32_t n = 1; n <= N; n++) {
            uint32_t p;
            if (arena_alloc(&f.a, n, 1, &p) != 0)
                cr_assert_fail("arena of %u: alloc(%u) failed", N, n);
            cr_assert_eq(p, BASE);
            struct kerr e;
            cr_assert_eq(arena_free(&f.a, p, n, &e), 0);
        }
        check_ok(&f);
        teardown(&f);
    }
}

/* Regression (found by this suite, fixed): (arena_alloc, arena.c:119-121): the request is rounded up to the next size class before
 * the bit scans, so an extent that fits but lies in the request's own class is never found,
 * though arena.h promises -1 only "when no free extent fits".  Examples: a fresh arena of 9
 * pages refuses alloc(9); a free extent of 1000 pages (class 896..1023) refuses alloc(990)
 * (searched from class 1024..1279).  Disabled until fixed. */
Test(arena, alloc_fits_every_size_of_any_arena)
{
    for (uint32_t N = 1; N <= 300; N++) {
        struct fix f;
        setup(&f, N);
        for (uint32_t n = 1; n <= N; n++) {
            uint32_t p;
            if (arena_alloc(&f.a, n, 1, &p) != 0)
                cr_assert_fail("arena of %u pages: alloc(%u) failed", N, n);
            struct kerr e;
            cr_assert_eq(arena_free(&f.a, p, n, &e), 0);
        }
        teardown(&f);
    }
    struct fix f;
    setup(&f, 2000);
    alloc_at_m(&f, 1000, 1000);                 /* one free extent of 1000 pages */
    cr_assert_geq(alloc_m(&f, 990, 1), 0, "alloc(990) refused with a 1000-page extent free");
    teardown(&f);
}

/* Regression (found by this suite, fixed): (arena_alloc, arena.c:119): an aligned request searches for n + align - 1 pages even
 * when an extent's start already has the alignment, so a fresh 8-page arena at page 0xC1000
 * refuses alloc(8, align 8) although [0xC1000, 0xC1008) is free and aligned (arena.h: -1 only
 * when no free extent fits).  Disabled until fixed (or the header documents the slack). */
Test(arena, alloc_aligned_fits_exact_aligned_extent)
{
    struct fix f;
    setup_at(&f, 0xC1000, 8);
    cr_assert(model_fits(&f, 8, 8));
    cr_assert_eq(alloc_m(&f, 8, 8), 0xC1000);
    teardown(&f);
}

/* ---- arena_free ------------------------------------------------------------------------------ */

/* All of the arena in use; a freed range with both neighbours in use becomes an extent of its
 * own, and an allocation of its size takes exactly it. */
Test(arena, free_merges_with_none)
{
    struct fix f;
    setup(&f, 32);
    alloc_at_m(&f, 0, 32);
    free_m(&f, 10, 2);
    free_m(&f, 20, 3);
    check_ok(&f);
    cr_assert_eq(count_extents(&f), 2);
    expect_extent(&f, 10, 2);
    expect_extent(&f, 20, 3);
    cr_assert_eq(alloc_m(&f, 2, 1), BASE + 10);
    cr_assert_eq(alloc_m(&f, 3, 1), BASE + 20);
    check_ok(&f);
    teardown(&f);
}

/* A freed range just after a free extent merges with it (one extent, left head kept). */
Test(arena, free_merges_with_left)
{
    struct fix f;
    setup(&f, 32);
    alloc_at_m(&f, 0, 32);
    free_m(&f, 10, 2);
    free_m(&f, 12, 2);
    check_ok(&f);
    cr_assert_eq(count_extents(&f), 1);
    expect_extent(&f, 10, 4);
    free_m(&f, 14, 1);                          /* a one-page range onto a 4-page extent */
    free_m(&f, 5, 1);
    free_m(&f, 6, 1);                           /* onto a one-page extent (head, no tail) */
    check_ok(&f);
    expect_extent(&f, 10, 5);
    expect_extent(&f, 5, 2);
    cr_assert_eq(alloc_m(&f, 5, 1), BASE + 10);
    cr_assert_eq(alloc_m(&f, 2, 1), BASE + 5);
    check_ok(&f);
    teardown(&f);
}

/* A freed range just before a free extent merges with it. */
Test(arena, free_merges_with_right)
{
    struct fix f;
    setup(&f, 32);
    alloc_at_m(&f, 0, 32);
    free_m(&f, 12, 2);
    free_m(&f, 10, 2);
    free_m(&f, 21, 1);
    free_m(&f, 20, 1);
    check_ok(&f);
    cr_assert_eq(count_extents(&f), 2);
    expect_extent(&f, 10, 4);
    expect_extent(&f, 20, 2);
    cr_assert_eq(alloc_m(&f, 4, 1), BASE + 10);
    cr_assert_eq(alloc_m(&f, 2, 1), BASE + 20);
    check_ok(&f);
    teardown(&f);
}

/* A freed range between two free extents merges all three into one. */
Test(arena, free_merges_with_both)
{
    struct fix f;
    setup(&f, 32);
    alloc_at_m(&f, 0, 32);
    free_m(&f, 10, 2);
    free_m(&f, 14, 2);
    free_m(&f, 12, 2);
    free_m(&f, 20, 1);
    free_m(&f, 22, 1);
    free_m(&f, 21, 1);
    check_ok(&f);
    cr_assert_eq(count_extents(&f), 2);
    expect_extent(&f, 10, 6);
    expect_extent(&f, 20, 3);
    cr_assert_eq(alloc_m(&f, 6, 1), BASE + 10);
    cr_assert_eq(alloc_m(&f, 3, 1), BASE + 20);
    check_ok(&f);
    teardown(&f);
}

/* Ranges at the arena's first and last pages (no neighbour on one side) free and merge. */
Test(arena, free_at_arena_ends)
{
    struct fix f;
    setup(&f, 16);
    alloc_at_m(&f, 0, 16);
    free_m(&f, 0, 1);
    free_m(&f, 15, 1);
    check_ok(&f);
    expect_extent(&f, 0, 1);
    expect_extent(&f, 15, 1);
    free_m(&f, 1, 2);
    free_m(&f, 13, 2);
    check_ok(&f);
    expect_extent(&f, 0, 3);
    expect_extent(&f, 13, 3);
    free_m(&f, 3, 10);
    check_ok(&f);
    cr_assert_eq(count_extents(&f), 1);
    expect_extent(&f, 0, 16);
    teardown(&f);
}

/* A range not wholly inside the arena (or of 0 pages) is refused with a message, nothing
 * touched. */
Test(arena, free_refuses_outside)
{
    struct fix f;
    setup(&f, 16);
    alloc_at_m(&f, 0, 16);
    uint64_t snap[16];
    memcpy(snap, f.x.e, sizeof snap);
    const uint32_t bad[][2] = { { BASE - 1, 1 }, { BASE - 1, 2 }, { BASE + 16, 1 }, { BASE + 15, 2 },
                                { BASE, 17 }, { BASE, 0 }, { BASE + 3, 0xFFFFFFFFu },
                                { 0xFFFFFFFFu, 1 }, { 0, 1 } };
    for (unsigned k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        struct kerr e;
        strcpy(e.msg, "");
        expect_err(arena_free(&f.a, bad[k][0], bad[k][1], &e), &e, "outside");
    }
    cr_assert_eq(memcmp(snap, f.x.e, sizeof snap), 0, "a refused free wrote entries");
    check_ok(&f);
    teardown(&f);
}

/* Freeing a range again whose first entry is a free head, or whose last entry is a free tail,
 * is refused as "already free"; the arena is unchanged. */
Test(arena, free_refuses_already_free)
{
    struct fix f;
    setup(&f, 32);
    alloc_at_m(&f, 0, 32);
    free_m(&f, 10, 4);
    free_m(&f, 20, 1);
    uint64_t snap[32];
    memcpy(snap, f.x.e, sizeof(snap));
    const uint32_t bad[][2] = { { 10, 4 }, { 10, 1 }, { 10, 6 }, { 8, 6 }, { 20, 1 }, { 20, 3 } };
    for (unsigned k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        struct kerr e;
        strcpy(e.msg, "");
        expect_err(arena_free(&f.a, BASE + bad[k][0], bad[k][1], &e), &e, "already free");
        check_ok(&f);
        cr_assert_eq(memcmp(snap, f.x.e, sizeof(snap)), 0, "refused free changed entries");
    }
    teardown(&f);
}

/* A range whose first or last entry is present (bit 0: the caller did not unmap it) is refused
 * as "still mapped"; once the caller resets the entry (to 0 here) the free goes through. */
Test(arena, free_refuses_still_mapped)
{
    struct fix f;
    setup(&f, 32);
    alloc_at_m(&f, 0, 32);
    for (uint32_t i = 8; i < 12; i++)
        f.x.e[i] = MAPPED | (uint64_t)i << 12;
    struct kerr e;
    strcpy(e.msg, "");
    expect_err(arena_free(&f.a, BASE + 8, 4, &e), &e, "still mapped");
    f.x.e[8] = 0;
    strcpy(e.msg, "");
    expect_err(arena_free(&f.a, BASE + 8, 4, &e), &e, "still mapped");   /* last still present */
    f.x.e[11] = 0;
    f.x.e[10] = 0;
    f.x.e[9] = 0;
    check_ok(&f);
    free_m(&f, 8, 4);
    expect_extent(&f, 8, 4);
    /* a present neighbour is in use: no merge with it */
    f.x.e[12] = MAPPED;
    free_m(&f, 13, 1);
    check_ok(&f);
    expect_extent(&f, 8, 4);
    expect_extent(&f, 13, 1);
    teardown(&f);
}

/* Allocating everything in mixed pieces and freeing it all in a scrambled order gives back one
 * extent of npages. */
Test(arena, free_everything_gives_one_extent)
{
    struct fix f;
    setup(&f, 300);
    uint32_t st[300], ln[300];
    unsigned k = 0;
    for (uint32_t i = 0; f.nfree; i++) {
        uint32_t n = 1 + i % 5;
        int64_t p = alloc_m(&f, n, 1);
        if (p < 0)
            p = alloc_m(&f, n = 1, 1);
        cr_assert_geq(p, 0);
        st[k] = (uint32_t)p - BASE;
        ln[k++] = n;
    }
    check_ok(&f);
    uint64_t rng = 42;
    for (unsigned i = k; i > 1; i--) {
        unsigned j = (unsigned)(rng_next(&rng) % i);
        uint32_t t = st[i - 1]; st[i - 1] = st[j]; st[j] = t;
        t = ln[i - 1]; ln[i - 1] = ln[j]; ln[j] = t;
    }
    for (unsigned i = 0; i < k; i++) {
        free_m(&f, st[i], ln[i]);
        check_ok(&f);
    }
    cr_assert_eq(count_extents(&f), 1);
    expect_extent(&f, 0, 300);
    teardown(&f);
}

/* Regression (found by this suite, fixed): (arena_free, arena.c:179): the double-free check tests only "first entry is a head" and
 * "last entry is a tail".  A range whose LAST page is a one-page free extent (a head), or whose
 * FIRST page is the last page of a free extent (a tail), is accepted although arena.h says the
 * arena "refuses a range ... overlapping free pages"; the tags written then corrupt the free
 * lists (arena_check afterwards: "bad head tag" / "bad tail tag").  Sequences (relative pages,
 * arena of 8):
 *   A: alloc_at(0, 3); free(1, 1); free(0, 2) -> returns 0, expected -1 "already free"
 *   B: alloc_at(0, 3); free(0, 2); free(1, 2) -> returns 0, expected -1 "already free"
 * Disabled until fixed (refusing any free tag at either end would catch both). */
Test(arena, free_refuses_range_ending_or_starting_in_free_extent)
{
    for (int seq = 0; seq < 2; seq++) {
        struct fix f;
        setup(&f, 8);
        alloc_at_m(&f, 0, 3);
        if (seq == 0)
            free_m(&f, 1, 1);
        else
            free_m(&f, 0, 2);
        struct kerr e;
        strcpy(e.msg, "");
        int rc = seq == 0 ? arena_free(&f.a, BASE + 0, 2, &e) : arena_free(&f.a, BASE + 1, 2, &e);
        cr_assert_lt(rc, 0, "sequence %c: free overlapping a free extent accepted", 'A' + seq);
        check_ok(&f);
        teardown(&f);
    }
}

/* The documented limit (arena.h): a range lying strictly inside a free extent carries no tags,
 * so the arena cannot tell it is free and does not refuse it; the page services, which track
 * their allocations by handle, must.  Pinned here so that a change of that contract is seen:
 * the range is not refused.  (Found by this suite; the header now says so.) */
Test(arena, free_inside_free_extent_is_the_callers_check)
{
    struct fix f;
    setup(&f, 8);
    alloc_at_m(&f, 0, 4);
    free_m(&f, 0, 3);
    struct kerr e;
    strcpy(e.msg, "");
    cr_assert_eq(arena_free(&f.a, BASE + 1, 1, &e), 0, "the contract changed: %s", e.msg);
    /* Not calling teardown's checks: the arena is now inconsistent by the caller's misuse. */
    free(f.x.e);
    free(f.used);
}

/* ---- arena_alloc_at -------------------------------------------------------------------------- */

/* Exhaustively over a 24-page arena with a fixed pattern of pages in use: alloc_at(page, n)
 * succeeds exactly when the model says all of [page, page + n) is free, leaves the rest of the
 * containing extent free (front and back), and a failure changes no entry. */
Test(arena, alloc_at_succeeds_exactly_when_free)
{
    struct fix f;
    setup(&f, 24);
    alloc_at_m(&f, 0, 24);
    const uint32_t frees[][2] = { { 0, 2 }, { 3, 1 }, { 5, 7 }, { 14, 3 }, { 18, 6 } };
    for (unsigned k = 0; k < 5; k++)
        free_m(&f, frees[k][0], frees[k][1]);
    check_ok(&f);
    uint64_t snap[24];
    for (uint32_t r = 0; r < 26; r++) {
        for (uint32_t n = 1; n <= 26 - r; n++) {
            int all_free = r + n <= 24;
            for (uint32_t i = r; i < r + n && all_free; i++)
                all_free = !f.used[i];
            memcpy(snap, f.x.e, sizeof(snap));
            struct kerr e;
            strcpy(e.msg, "");
            int rc = arena_alloc_at(&f.a, BASE + r, n, &e);
            if (!all_free) {
                cr_assert_lt(rc, 0, "alloc_at(+%u, %u) succeeded over pages in use", r, n);
                cr_assert_neq(e.msg[0], 0);
                cr_assert_eq(memcmp(snap, f.x.e, sizeof(snap)), 0, "failed alloc_at wrote");
                check_ok(&f);
                continue;
            }
            cr_assert_eq(rc, 0, "alloc_at(+%u, %u): %s", r, n, e.msg);
            f.nfree -= n;
            for (uint32_t i = r; i < r + n; i++) {
                cr_assert_eq(f.x.e[i], ARENA_RESERVED);
                f.used[i] = 1;
            }
            check_ok(&f);
            for (uint32_t i = 0; i < 24; i++)
                cr_assert_eq(arena_is_free(&f.a, BASE + i), !f.used[i], "+%u after alloc_at(+%u, %u)",
                             i, r, n);
            free_m(&f, r, n);
            check_ok(&f);
        }
    }
    teardown(&f);
}

/* alloc_at in the middle of the single extent splits it into a free front and a free back with
 * correct tags; at the first and last page only one side remains. */
Test(arena, alloc_at_splits_extent)
{
    struct fix f;
    setup(&f, 64);
    alloc_at_m(&f, 10, 5);
    check_ok(&f);
    cr_assert_eq(count_extents(&f), 2);
    expect_extent(&f, 0, 10);
    expect_extent(&f, 15, 49);
    alloc_at_m(&f, 0, 1);
    expect_extent(&f, 1, 9);
    alloc_at_m(&f, 63, 1);
    expect_extent(&f, 15, 48);
    alloc_at_m(&f, 1, 9);                       /* a whole extent: nothing left in front */
    check_ok(&f);
    cr_assert_eq(count_extents(&f), 1);
    teardown(&f);

    setup(&f, 64);
    alloc_at_m(&f, 0, 64);
    check_ok(&f);
    cr_assert_eq(count_extents(&f), 0);
    teardown(&f);
}

/* A range outside the arena, of 0 pages, or not wholly free fails with a message and changes
 * nothing (entries, free_pages, arena_check). */
Test(arena, alloc_at_refuses_and_changes_nothing)
{
    struct fix f;
    setup(&f, 64);
    alloc_at_m(&f, 20, 4);
    uint64_t snap[64];
    memcpy(snap, f.x.e, sizeof(snap));
    const uint32_t outside[][2] = { { BASE - 1, 1 }, { BASE - 1, 2 }, { BASE + 64, 1 },
                                    { BASE + 63, 2 }, { BASE, 65 }, { BASE, 0 },
                                    { BASE + 1, 0xFFFFFFFFu }, { 0xFFFFFFFFu, 2 } };
    for (unsigned k = 0; k < sizeof(outside) / sizeof(outside[0]); k++) {
        struct kerr e;
        strcpy(e.msg, "");
        expect_err(arena_alloc_at(&f.a, outside[k][0], outside[k][1], &e), &e, "outside");
    }
    const uint32_t busy[][2] = { { 20, 1 }, { 23, 1 }, { 18, 3 }, { 23, 5 }, { 0, 64 }, { 19, 6 } };
    for (unsigned k = 0; k < sizeof(busy) / sizeof(busy[0]); k++) {
        struct kerr e;
        strcpy(e.msg, "");
        expect_err(arena_alloc_at(&f.a, BASE + busy[k][0], busy[k][1], &e), &e, "not all free");
    }
    cr_assert_eq(memcmp(snap, f.x.e, sizeof(snap)), 0);
    check_ok(&f);
    teardown(&f);
}

/* ---- arena_is_free --------------------------------------------------------------------------- */

/* arena_is_free agrees with the model on every page of a fragmented arena, and is 0 outside. */
Test(arena, is_free_matches_model)
{
    struct fix f;
    setup(&f, 200);
    uint64_t rng = 7;
    for (int i = 0; i < 60; i++)
        alloc_m(&f, 1 + (uint32_t)(rng_next(&rng) % 6), 1u << (rng_next(&rng) % 3));
    for (uint32_t r = 0; r < 200; r += 3)
        if (f.used[r] && (r == 0 || f.used[r - 1]) && (r == 199 || f.used[r + 1])) {
            f.x.e[r] = 0;
            free_m(&f, r, 1);
        }
    check_ok(&f);
    for (uint32_t i = 0; i < 200; i++)
        cr_assert_eq(arena_is_free(&f.a, BASE + i), !f.used[i], "page +%u", i);
    cr_assert_not(arena_is_free(&f.a, BASE - 1));
    cr_assert_not(arena_is_free(&f.a, BASE + 200));
    cr_assert_not(arena_is_free(&f.a, 0));
    cr_assert_not(arena_is_free(&f.a, 0xFFFFFFFFu));
    teardown(&f);
}

/* ---- arena_check ----------------------------------------------------------------------------- */

/* A fragmented arena for the corruption tests: extents of 4 pages at +10 and 1 page at +20 and
 * 9 pages at +30 (the rest in use). */
static void corrupt_setup(struct fix *f)
{
    setup(f, 40);
    alloc_at_m(f, 0, 40);
    free_m(f, 10, 4);
    free_m(f, 20, 1);
    free_m(f, 30, 9);
    check_ok(f);
}

static void expect_check_fails(const struct fix *f, const char *what)
{
    struct kerr e;
    strcpy(e.msg, "");
    int rc = arena_check(&f->a, &e);
    cr_assert_eq(rc, -1, "arena_check missed: %s", what);
    cr_assert_neq(e.msg[0], 0, "%s: no message", what);
}

/* A head tag whose size was overwritten: bad tail, misfiled class, or beyond the arena. */
Test(arena, check_detects_bad_head_size)
{
    const uint32_t sizes[] = { 5, 3, 0, 11, 1000 };
    for (unsigned k = 0; k < 5; k++) {
        struct fix f;
        corrupt_setup(&f);
        f.x.e[10] = (f.x.e[10] & ~(0x1FFFFFull << 3)) | (uint64_t)sizes[k] << 3;
        expect_check_fails(&f, "head size");
        teardown(&f);
    }
}

/* A tail tag overwritten (with "in use", a head, or another size). */
Test(arena, check_detects_bad_tail)
{
    const uint64_t tails[] = { ARENA_RESERVED, ARENA_FREE_HEAD | 4ull << 3, ARENA_FREE_TAIL | 5ull << 3,
                               MAPPED };
    for (unsigned k = 0; k < 4; k++) {
        struct fix f;
        corrupt_setup(&f);
        f.x.e[13] = tails[k];
        expect_check_fails(&f, "tail");
        teardown(&f);
    }
}

/* A next link pointing at a page that is not a head, and a prev link that is wrong. */
Test(arena, check_detects_bad_link)
{
    struct fix f;
    corrupt_setup(&f);
    /* extents of 1 page: make +20 link on to +25 (in use) */
    f.x.e[20] = (f.x.e[20] & ~(0xFFFFFull << 24)) | 25ull << 24;
    expect_check_fails(&f, "next link to a page in use");
    teardown(&f);

    corrupt_setup(&f);
    f.x.e[30] = (f.x.e[30] & ~(0xFFFFFull << 44)) | 10ull << 44;
    expect_check_fails(&f, "prev link");
    teardown(&f);

    corrupt_setup(&f);
    f.x.e[10] = (f.x.e[10] & ~(0xFFFFFull << 24)) | 10ull << 24;   /* a cycle onto itself */
    expect_check_fails(&f, "self link");
    teardown(&f);
}

/* The bitmaps: a first-level bit set or cleared, a second-level bit set or cleared, and the
 * head of a list cleared while its bit stays. */
Test(arena, check_detects_bad_bitmap)
{
    struct fix f;
    corrupt_setup(&f);
    f.a.fl_map ^= 1u << 7;
    expect_check_fails(&f, "extra fl bit");
    teardown(&f);

    corrupt_setup(&f);
    f.a.fl_map &= ~1u;                          /* the 1-page extent's level */
    expect_check_fails(&f, "missing fl bit");
    teardown(&f);

    corrupt_setup(&f);
    f.a.sl_map[0] |= 1u << 2;                   /* no extent of 2 pages */
    expect_check_fails(&f, "extra sl bit");
    teardown(&f);

    corrupt_setup(&f);
    f.a.sl_map[0] &= ~(1u << 1);
    expect_check_fails(&f, "missing sl bit");
    teardown(&f);

    corrupt_setup(&f);
    f.a.head[0][1] = NIL;
    expect_check_fails(&f, "emptied list");
    teardown(&f);
}

/* Two free extents touching (a head written next to an extent), and a wrong free_pages. */
Test(arena, check_detects_touching_and_bad_count)
{
    struct fix f;
    corrupt_setup(&f);
    f.x.e[21] = ARENA_FREE_HEAD | 1ull << 3 | (uint64_t)NIL << 24 | (uint64_t)NIL << 44;
    expect_check_fails(&f, "touching extents");
    teardown(&f);

    corrupt_setup(&f);
    f.a.free_pages++;
    expect_check_fails(&f, "free_pages");
    teardown(&f);
}

/* Regression (found by this suite, fixed): (arena_check, arena.c:225-230): a next link (or a list head) corrupted to a value past the
 * arena but below NIL is followed with get() before the "h >= npages" test, so arena_check,
 * the tool meant to diagnose corruption, reads an entry outside the arena (in the VMM: a PTE
 * through the self-map of another range, possibly one whose page table is not present).
 * Expected: -1 "bad head tag" without any get() outside [base, base + npages).  Here: the
 * 1-page extent's next link set to +0x1000 in a 40-page arena -> the callback asserts on
 * get(0xC2003).  Disabled until fixed. */
Test(arena, check_never_reads_outside_on_bad_link)
{
    struct fix f;
    corrupt_setup(&f);
    f.x.e[20] = (f.x.e[20] & ~(0xFFFFFull << 24)) | 0x1000ull << 24;
    expect_check_fails(&f, "next link past the arena");
    teardown(&f);
}

/* ---- randomized ------------------------------------------------------------------------------ */

struct live { uint32_t r, n; };

/* Seeded random mixes of alloc (random sizes, some large, random alignments), free of random
 * live ranges or parts of them, and alloc_at of random ranges, against the model.  After every
 * step arena_check passes and free_pages equals the model's count; alloc_at succeeds exactly
 * when the model's range is free; a failing alloc means no model run could hold the request
 * with a good-fit margin (n + align - 1 rounded up by a quarter: the class search); committed
 * (present) entries are cleared before a free, as the caller does.  At the end, freeing every
 * live range leaves one extent of npages. */
Test(arena, random_ops_match_model)
{
    enum { N = 1500, OPS = 3000, MAXLIVE = N };   /* live ranges are disjoint: at most N */
    for (uint64_t seed = 1; seed <= 4; seed++) {
        struct fix f;
        setup(&f, N);
        struct live *lv = malloc(MAXLIVE * sizeof(*lv));
        unsigned k = 0;
        uint64_t rng = seed * 0x1000193;
        for (int it = 0; it < OPS; it++) {
            uint32_t op = (uint32_t)(rng_next(&rng) % 10);
            if (op < 5 && k < MAXLIVE) {
                uint32_t sz = (uint32_t)rng_next(&rng);
                uint32_t n = sz % 8 ? 1 + (sz >> 8) % 4 : 1 + (sz >> 8) % (sz % 64 == 0 ? 1600 : 200);
                uint32_t align = rng_next(&rng) % 4 ? 1 : 1u << (rng_next(&rng) % 7);
                int64_t p = alloc_m(&f, n, align);
                if (p < 0) {
                    uint64_t want = (uint64_t)n + align - 1;
                    uint64_t margin = want < 4 ? want : want + want / 4;
                    cr_assert(n > N || align > N || longest_free_run(&f) < margin,
                              "seed %llu op %d: alloc(%u, %u) failed with a %u-page run free",
                              (unsigned long long)seed, it, n, align, longest_free_run(&f));
                } else {
                    lv[k++] = (struct live){ (uint32_t)p - BASE, n };
                    if (rng_next(&rng) % 2)             /* the caller commits the pages */
                        for (uint32_t i = 0; i < n; i++)
                            f.x.e[p - BASE + i] = MAPPED | (uint64_t)(p + i) << 12;
                }
            } else if (op < 9 && k) {
                unsigned j = (unsigned)(rng_next(&rng) % k);
                struct live l = lv[j];
                uint32_t a = 0, b = l.n;                /* free [a, b) of the range */
                if (l.n > 1 && rng_next(&rng) % 4 == 0) {
                    a = (uint32_t)(rng_next(&rng) % l.n);
                    b = a + 1 + (uint32_t)(rng_next(&rng) % (l.n - a));
                }
                for (uint32_t i = l.r + a; i < l.r + b; i++)
                    f.x.e[i] = rng_next(&rng) % 2 ? 0 : ARENA_RESERVED;   /* caller unmaps */
                free_m(&f, l.r + a, b - a);
                lv[j] = lv[--k];
                if (b < l.n)
                    lv[k++] = (struct live){ l.r + b, l.n - b };
                if (a > 0)
                    lv[k++] = (struct live){ l.r, a };
            } else if (k < MAXLIVE) {
                uint32_t r = (uint32_t)(rng_next(&rng) % N), n = 1 + (uint32_t)(rng_next(&rng) % 12);
                int all_free = r + n <= N;
                for (uint32_t i = r; i < r + n && all_free; i++)
                    all_free = !f.used[i];
                struct kerr e;
                strcpy(e.msg, "");
                int rc = arena_alloc_at(&f.a, BASE + r, n, &e);
                if ((rc == 0) != all_free)
                    cr_assert_fail("seed %llu op %d: alloc_at(+%u, %u) = %d, model free %d: %s",
                                   (unsigned long long)seed, it, r, n, rc, all_free, e.msg);
                if (rc == 0) {
                    for (uint32_t i = r; i < r + n; i++) {
                        cr_assert_eq(f.x.e[i], ARENA_RESERVED);
                        f.used[i] = 1;
                    }
                    f.nfree -= n;
                    lv[k++] = (struct live){ r, n };
                }
            }
            check_ok(&f);
            if (it % 50 == 0)
                for (int t = 0; t < 8; t++) {
                    uint32_t r = (uint32_t)(rng_next(&rng) % (N + 2));
                    uint32_t pg = BASE - 1 + r;
                    int want = r >= 1 && r <= N && !f.used[r - 1];
                    cr_assert_eq(arena_is_free(&f.a, pg), want, "seed %llu op %d: is_free(0x%x)",
                                 (unsigned long long)seed, it, pg);
                }
        }
        while (k) {
            k--;
            for (uint32_t i = lv[k].r; i < lv[k].r + lv[k].n; i++)
                f.x.e[i] = 0;
            free_m(&f, lv[k].r, lv[k].n);
        }
        check_ok(&f);
        cr_assert_eq(count_extents(&f), 1);
        expect_extent(&f, 0, N);
        free(lv);
        teardown(&f);
    }
}

/* ---- a system-arena-sized arena -------------------------------------------------------------- */

/* 190,000 pages (the system arena): 10,000 single-page allocations, all distinct, then frees in
 * random order interleaved with fresh allocations; it ends as one extent of 190,000 pages. */
Test(arena, large_arena_single_pages)
{
    enum { N = 190000, K = 10000 };
    struct fix f;
    setup_at(&f, 0xC1000, N);
    uint32_t *pg = malloc(K * sizeof(uint32_t));
    for (unsigned i = 0; i < K; i++) {
        int64_t p = alloc_m(&f, 1, 1);
        cr_assert_geq(p, 0, "alloc #%u", i);
        pg[i] = (uint32_t)p;
    }
    check_ok(&f);
    uint64_t rng = 99;
    for (unsigned i = K; i > 1; i--) {
        unsigned j = (unsigned)(rng_next(&rng) % i);
        uint32_t t = pg[i - 1]; pg[i - 1] = pg[j]; pg[j] = t;
    }
    unsigned k = K;
    for (unsigned round = 0; k; round++) {
        free_m(&f, pg[--k] - 0xC1000, 1);
        if (round % 4 == 3 && round < 2 * K) {  /* re-allocate now and then: reuses a hole */
            int64_t p = alloc_m(&f, 1, 1);
            cr_assert_geq(p, 0);
            unsigned j = (unsigned)(rng_next(&rng) % (k + 1));
            pg[k] = pg[j];
            pg[j] = (uint32_t)p;
            k++;
        }
        if (k == K / 2)
            check_ok(&f);
    }
    check_ok(&f);
    cr_assert_eq(f.a.free_pages, N);
    cr_assert_eq(count_extents(&f), 1);
    expect_extent(&f, 0, N);
    free(pg);
    teardown(&f);
}
