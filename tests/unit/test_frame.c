/*
 * Host tests for vmm/mem/frame.c: the physical page-frame allocator over a boot info memory map.
 *
 * The metadata is always an exact-size heap buffer (frame_meta_size bytes), so ASan catches any
 * access past it.  Besides black-box checks through the API, the tests walk the allocator's own
 * free list (head/next/prev/owner/locks, documented in frame.h) to check its integrity.  The
 * randomized test compares every step against an independent reference model: an owner and a
 * lock count per physical frame, and the LIFO free list as a stack of physical frames.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem/frame.h"
#include "memmap.h"
#include "testlib.h"

#define PG 4096ull
#define R(b, l, t) { (b), (l), (t), 0 }
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers --------------------------------------------------------------------------------- */

static void clear_err(struct kerr *e) { strcpy(e->msg, ""); }

/* frame_init over an exact-size malloc'd metadata buffer; asserts success.  Caller frees. */
static void *init_ok(struct frame_alloc *fa, const struct bi_mem_range *map, uint32_t n)
{
    size_t need = frame_meta_size(map, n);
    void *meta = malloc(need ? need : 1);
    cr_assert_not_null(meta);
    struct kerr e;
    strcpy(e.msg, "(none)");
    int r = frame_init(fa, map, n, meta, need, &e);
    cr_assert_eq(r, 0, "frame_init failed: %s", e.msg);
    return meta;
}

/* Walks the free list from head: every entry in range, listed once (no cycle), prev links
 * consistent, owner FRAME_FREE and unlocked, never virgin; the list and the virgin frames (past
 * each zone's cursor, counted in nvirgin, only in free zones) make nfree, and every frame made
 * whose owner is FRAME_FREE is listed.  Also recounts per_owner and nlocked from the per-frame
 * arrays of the frames made. */
static void check_integrity(const struct frame_alloc *fa)
{
    /* plain tests in the loops, an assertion only on failure: this walks 16 M frames below */
    uint8_t *seen = calloc(fa->nframes ? fa->nframes : 1, 1), *virgin = calloc(fa->nframes + 1, 1);
    cr_assert(seen && virgin);
    uint32_t count = 0, prev = FRAME_NIL, nvirgin = 0;
    for (unsigned z = 0; z < fa->nzones; z++) {
        const struct frame_zone *zn = &fa->zone[z];
        if (zn->vcur < zn->first || zn->vcur > zn->first + zn->count)
            cr_assert_fail("zone %u: virgin cursor %u outside %u..%u", z, zn->vcur, zn->first,
                           zn->first + zn->count);
        if (!zn->free && zn->vcur != zn->first + zn->count)
            cr_assert_fail("owned zone %u has virgin frames", z);
        if (z < fa->vzone && zn->vcur != zn->first + zn->count)
            cr_assert_fail("zone %u below the virgin zone %u has virgin frames", z, fa->vzone);
        for (uint32_t i = zn->vcur; i < zn->first + zn->count; i++)
            virgin[i] = 1;
        nvirgin += zn->first + zn->count - zn->vcur;
    }
    cr_assert_eq(nvirgin, fa->nvirgin, "%u virgin frames, nvirgin %u", nvirgin, fa->nvirgin);
    for (uint32_t i = fa->head; i != FRAME_NIL; i = fa->next[i]) {
        if (i >= fa->nframes)
            cr_assert_fail("free list entry %u out of range (nframes %u)", i, fa->nframes);
        if (seen[i])
            cr_assert_fail("free list visits frame %u twice (cycle)", i);
        seen[i] = 1;
        if (virgin[i])
            cr_assert_fail("virgin frame %u is listed", i);
        if (fa->prev[i] != prev)
            cr_assert_fail("prev[%u] = %u, want %u", i, fa->prev[i], prev);
        if (fa->owner[i] != FRAME_FREE || fa->locks[i])
            cr_assert_fail("listed frame %u has owner %u, %u locks", i, fa->owner[i], fa->locks[i]);
        prev = i;
        count++;
    }
    cr_assert_eq(fa->tail, prev, "tail %u, the list ends at %u", fa->tail, prev);
    cr_assert_eq(count + nvirgin, fa->nfree, "free list holds %u frames and %u are virgin, "
                 "nfree %u", count, nvirgin, fa->nfree);
    uint32_t per[FRAME_MAX_OWNERS] = { 0 }, locked = 0;
    for (uint32_t i = 0; i < fa->nframes; i++) {
        if (virgin[i]) {
            if (!frame_is_free(fa, i))
                cr_assert_fail("virgin frame %u is not free", i);
            continue;
        }
        if (fa->owner[i] >= FRAME_MAX_OWNERS)
            cr_assert_fail("frame %u owner %u", i, fa->owner[i]);
        if (fa->owner[i] == FRAME_FREE && !seen[i])
            cr_assert_fail("free frame %u is not on the free list", i);
        per[fa->owner[i]]++;
        locked += fa->locks[i] != 0;
    }
    for (unsigned o = 1; o < FRAME_MAX_OWNERS; o++)
        cr_assert_eq(fa->per_owner[o], per[o], "per_owner[%u] = %u, counted %u", o,
                     fa->per_owner[o], per[o]);
    cr_assert_eq(fa->nlocked, locked, "nlocked %u, counted %u", fa->nlocked, locked);
    free(seen);
    free(virgin);
}

/* The observable state, to check that a failing call changed nothing. */
struct snap {
    uint32_t nfree, nlocked, head, per_owner[FRAME_MAX_OWNERS];
    uint32_t nlisted, nvirgin, vcur[FRAME_MAX_ZONES];
    uint32_t *list;             /* the free list, in order */
    uint16_t *owner, *locks;
};

static struct snap take_snap(const struct frame_alloc *fa)
{
    struct snap s = { .nfree = fa->nfree, .nlocked = fa->nlocked, .head = fa->head };
    memcpy(s.per_owner, fa->per_owner, sizeof s.per_owner);
    s.list = malloc((fa->nfree + 1) * sizeof *s.list);
    s.owner = malloc((fa->nframes + 1) * sizeof *s.owner);
    s.locks = malloc((fa->nframes + 1) * sizeof *s.locks);
    cr_assert(s.list && s.owner && s.locks);
    uint32_t k = 0;
    for (uint32_t i = fa->head; i != FRAME_NIL && k < fa->nfree; i = fa->next[i])
        s.list[k++] = i;
    s.nlisted = k;
    s.nvirgin = fa->nvirgin;
    for (unsigned z = 0; z < fa->nzones; z++)
        s.vcur[z] = fa->zone[z].vcur;
    memcpy(s.owner, fa->owner, fa->nframes * sizeof *s.owner);
    memcpy(s.locks, fa->locks, fa->nframes * sizeof *s.locks);
    return s;
}

static void expect_unchanged(const struct frame_alloc *fa, struct snap *s, const char *what)
{
    cr_assert_eq(fa->nfree, s->nfree, "%s changed nfree", what);
    cr_assert_eq(fa->nlocked, s->nlocked, "%s changed nlocked", what);
    cr_assert_eq(fa->head, s->head, "%s changed the list head", what);
    cr_assert_eq(memcmp(fa->per_owner, s->per_owner, sizeof s->per_owner), 0,
                 "%s changed per_owner", what);
    cr_assert_eq(memcmp(fa->owner, s->owner, fa->nframes * sizeof *s->owner), 0,
                 "%s changed an owner", what);
    cr_assert_eq(memcmp(fa->locks, s->locks, fa->nframes * sizeof *s->locks), 0,
                 "%s changed a lock count", what);
    uint32_t k = 0;
    for (uint32_t i = fa->head; i != FRAME_NIL && k < s->nlisted; i = fa->next[i], k++)
        cr_assert_eq(i, s->list[k], "%s changed the free list at position %u", what, k);
    cr_assert_eq(k, s->nlisted);
    cr_assert_eq(fa->nvirgin, s->nvirgin, "%s changed the virgin frames", what);
    for (unsigned z = 0; z < fa->nzones; z++)
        cr_assert_eq(fa->zone[z].vcur, s->vcur[z], "%s moved zone %u's virgin cursor", what, z);
    free(s->list);
    free(s->owner);
    free(s->locks);
}

/* Allocates until frame_alloc fails; returns how many, their addresses in out (cap entries). */
static uint32_t drain(struct frame_alloc *fa, unsigned owner, uint64_t *out, uint32_t cap)
{
    uint32_t n = 0;
    uint64_t p;
    while (frame_alloc(fa, owner, &p) == 0) {
        cr_assert_lt(n, cap, "frame_alloc handed out more than %u frames", cap);
        out[n++] = p;
    }
    return n;
}

/* A map exercising every type: zones 0..4 (see the comments), nframes 0x1223. */
static const struct bi_mem_range zmap[] = {
    R(0x0, 0x9F000, BI_MEM_USABLE),                 /* zone 0: pfn 0, 0x9F frames */
    R(0x9F000, 0x61000, BI_MEM_RESERVED),
    R(0x100000, 0x100000, BI_MEM_USABLE),           /* zone 1: pfn 0x100 .. 0x240 */
    R(0x200000, 0x10000, BI_MEM_VMM),               /*   adjacent tracked ranges of other types */
    R(0x210000, 0x4000, BI_MEM_BOOTDATA),
    R(0x214000, 0x8000, BI_MEM_MODULES),
    R(0x21C000, 0x2000, BI_MEM_ACPI_RECLAIM),
    R(0x21E000, 0x22000, BI_MEM_RECLAIMABLE),
    R(0x240000, 0x1000, BI_MEM_ACPI_NVS),
    R(0x241000, 0x3F000, BI_MEM_USABLE),            /* zone 2: pfn 0x241, 0x3F frames */
    R(0x280000, 0x1000, BI_MEM_RUNTIME),
    R(0x281000, 0x1000, BI_MEM_BAD),
    R(0x282000, 0x1000, BI_MEM_PERSISTENT),
    R(0x283000, 0x5000, BI_MEM_RECLAIMABLE),        /* zone 3: pfn 0x283, 5 frames */
    R(0xFEC00000, 0x1000, BI_MEM_MMIO),
    R(0x100000000ull, 0x1000000, BI_MEM_USABLE),    /* zone 4: pfn 0x100000, 0x1000 frames */
};
#define ZMAP_FRAMES 0x1223u
#define ZMAP_FREE (0x9Fu + 0x100 + 0x22 + 0x3F + 5 + 0x1000)

/* ---- frame_meta_size ------------------------------------------------------------------------- */

/* 12 bytes per frame of every tracked type (usable, reclaimable, VMM, modules, boot data, ACPI
 * reclaimable), whatever their number and size. */
Test(frame, meta_size_is_12_bytes_per_tracked_frame)
{
    const uint32_t tracked[] = { BI_MEM_USABLE, BI_MEM_RECLAIMABLE, BI_MEM_VMM, BI_MEM_MODULES,
                                 BI_MEM_BOOTDATA, BI_MEM_ACPI_RECLAIM };
    for (unsigned t = 0; t < NELEM(tracked); t++) {
        struct bi_mem_range one[] = { R(0x5000, 7 * PG, tracked[t]) };
        cr_assert_eq(frame_meta_size(one, 1), 7 * 12, "type %u", tracked[t]);
    }
    cr_assert_eq(frame_meta_size(zmap, NELEM(zmap)), (size_t)ZMAP_FRAMES * 12);
    cr_assert_eq(frame_meta_size(zmap, 0), 0);
    struct bi_mem_range big[] = { R(0, 0x80000000ull, BI_MEM_USABLE),
                                  R(0x100000000ull, 0x100000000ull, BI_MEM_RECLAIMABLE) };
    cr_assert_eq(frame_meta_size(big, 2), (size_t)(0x80000 + 0x100000) * 12);
}

/* Reserved, MMIO, ACPI NVS, runtime, bad and persistent memory is never tracked: alone it needs
 * no metadata, and adding it to a map changes nothing. */
Test(frame, meta_size_ignores_untracked_types)
{
    const uint32_t untracked[] = { BI_MEM_ACPI_NVS, BI_MEM_RUNTIME, BI_MEM_RESERVED, BI_MEM_MMIO,
                                   BI_MEM_BAD, BI_MEM_PERSISTENT };
    struct bi_mem_range map[NELEM(untracked) + 1];
    for (unsigned t = 0; t < NELEM(untracked); t++) {
        map[t] = (struct bi_mem_range)R((uint64_t)t * 0x100000, 0x100000, untracked[t]);
        cr_assert_eq(frame_meta_size(&map[t], 1), 0, "type %u", untracked[t]);
    }
    cr_assert_eq(frame_meta_size(map, NELEM(untracked)), 0);
    map[NELEM(untracked)] = (struct bi_mem_range)R(0x1000000, 3 * PG, BI_MEM_USABLE);
    cr_assert_eq(frame_meta_size(map, NELEM(map)), 3 * 12);
}

/* A metadata budget too small for the map: the free RAM past it is left out, highest first --
 * a range cut keeps its low part, one left out whole becomes reserved -- the owned ranges all
 * stay, the count of bytes left out is exact, and the copy needs no more than the budget. */
Test(frame, cap_leaves_the_highest_free_ram_out)
{
    const struct bi_mem_range map[] = {
        R(0x0, 0x9F * PG, BI_MEM_USABLE),                    /* 159 frames */
        R(0x100000, 0x100 * PG, BI_MEM_VMM),                 /* 256, owned */
        R(0x200000, 0x1000 * PG, BI_MEM_RECLAIMABLE),        /* 4096 */
        R(0xF0000000ull, 0x10 * PG, BI_MEM_MMIO),            /* untracked */
        R(0x100000000ull, 0x4000 * PG, BI_MEM_USABLE),       /* 16384 */
        R(0x200000000ull, 0x20 * PG, BI_MEM_MODULES),        /* 32, owned, above them */
    };
    struct bi_mem_range out[NELEM(map)];
    /* room for 3000 frames: 288 owned, 2712 free: the first range (159) and 2553 of the second */
    size_t budget = 3000 * 12 + 11;
    uint64_t left = frame_cap_map(map, NELEM(map), budget, out);
    cr_assert_eq(left, ((uint64_t)(4096 - 2553) + 16384) * PG);
    cr_assert_eq(out[0].length, 0x9F * PG);
    cr_assert_eq(out[1].type, BI_MEM_VMM);
    cr_assert_eq(out[2].type, BI_MEM_RECLAIMABLE);
    cr_assert_eq(out[2].base, 0x200000);
    cr_assert_eq(out[2].length, 2553 * PG);
    cr_assert_eq(out[3].type, BI_MEM_MMIO);
    cr_assert_eq(out[4].type, BI_MEM_RESERVED);
    cr_assert_eq(out[4].length, 0x4000 * PG);
    cr_assert_eq(out[5].type, BI_MEM_MODULES);
    cr_assert_eq(frame_meta_size(out, NELEM(out)), 3000 * 12);
    /* a budget that holds everything: the copy is the map, nothing left out */
    cr_assert_eq(frame_cap_map(map, NELEM(map), frame_meta_size(map, NELEM(map)), out), 0);
    cr_assert_eq(memcmp(out, map, sizeof map), 0);
    /* a budget below the owned ranges: every free range reserved, the owned ones kept */
    cr_assert_eq(frame_cap_map(map, NELEM(map), 100 * 12, out), (159ull + 4096 + 16384) * PG);
    cr_assert_eq(frame_meta_size(out, NELEM(out)), 288 * 12);
}

/* ---- frame_init ------------------------------------------------------------------------------ */

/* Adjacent tracked ranges merge into one zone when they are all free (usable, reclaimable) or
 * all owned, whatever their types; a change of kind, any untracked range (or a gap) starts a new
 * one.  Dense indices run on across the zones.  A free zone starts all virgin (its metadata
 * unwritten: O(ranges) set-up), an owned one with none. */
Test(frame, init_zones_merge_adjacent_and_split_at_holes)
{
    struct frame_alloc fa;
    void *meta = init_ok(&fa, zmap, NELEM(zmap));
    const struct { uint64_t base_pfn; uint32_t count, first, free; } want[] = {
        { 0x0, 0x9F, 0x0, 1 }, { 0x100, 0x100, 0x9F, 1 }, { 0x200, 0x1E, 0x19F, 0 },
        { 0x21E, 0x22, 0x1BD, 1 }, { 0x241, 0x3F, 0x1DF, 1 }, { 0x283, 5, 0x21E, 1 },
        { 0x100000, 0x1000, 0x223, 1 },
    };
    cr_assert_eq(fa.nzones, NELEM(want));
    for (unsigned z = 0; z < NELEM(want); z++) {
        cr_assert_eq(fa.zone[z].base_pfn, want[z].base_pfn, "zone %u base", z);
        cr_assert_eq(fa.zone[z].count, want[z].count, "zone %u count", z);
        cr_assert_eq(fa.zone[z].first, want[z].first, "zone %u first", z);
        cr_assert_eq(fa.zone[z].vcur, want[z].first + (want[z].free ? 0 : want[z].count),
                     "zone %u virgin cursor", z);
    }
    cr_assert_eq(fa.head, FRAME_NIL, "nothing listed before the first free");
    cr_assert_eq(fa.nvirgin, fa.nfree);
    cr_assert_eq(fa.nframes, ZMAP_FRAMES);
    check_integrity(&fa);
    free(meta);

    /* a gap without any range between two usable ranges also splits */
    const struct bi_mem_range gap[] = { R(0x1000, 2 * PG, BI_MEM_USABLE),
                                        R(0x4000, 1 * PG, BI_MEM_USABLE) };
    meta = init_ok(&fa, gap, 2);
    cr_assert_eq(fa.nzones, 2);
    cr_assert_eq(fa.zone[1].base_pfn, 4);
    cr_assert_eq(fa.zone[1].first, 2);
    free(meta);
}

/* nfree = usable + reclaimable frames; the VMM's, the boot data's, the modules' and ACPI's frames
 * are owned, counted per owner; nothing is locked; frame_owner agrees range by range. */
Test(frame, init_counts_free_and_owned_frames)
{
    struct frame_alloc fa;
    void *meta = init_ok(&fa, zmap, NELEM(zmap));
    cr_assert_eq(fa.nfree, ZMAP_FREE);
    cr_assert_eq(fa.per_owner[FRAME_VMM], 0x10);
    cr_assert_eq(fa.per_owner[FRAME_BOOTDATA], 4);
    cr_assert_eq(fa.per_owner[FRAME_MODULES], 8);
    cr_assert_eq(fa.per_owner[FRAME_ACPI], 2);
    for (unsigned o = FRAME_META; o < FRAME_MAX_OWNERS; o++)
        cr_assert_eq(fa.per_owner[o], 0, "owner %u", o);
    cr_assert_eq(fa.nlocked, 0);
    for (unsigned r = 0; r < NELEM(zmap); r++) {
        int want;
        switch (zmap[r].type) {
        case BI_MEM_USABLE: case BI_MEM_RECLAIMABLE: want = FRAME_FREE; break;
        case BI_MEM_VMM: want = FRAME_VMM; break;
        case BI_MEM_BOOTDATA: want = FRAME_BOOTDATA; break;
        case BI_MEM_MODULES: want = FRAME_MODULES; break;
        case BI_MEM_ACPI_RECLAIM: want = FRAME_ACPI; break;
        default: want = -1; break;
        }
        for (uint64_t p = zmap[r].base; p < zmap[r].base + zmap[r].length; p += PG)
            cr_assert_eq(frame_owner(&fa, p), want, "owner of 0x%llx (type %u)",
                         (unsigned long long)p, zmap[r].type);
    }
    check_integrity(&fa);
    free(meta);
}

/* A metadata buffer one byte short, or not 4-byte aligned, is refused with a message naming the
 * size needed. */
Test(frame, init_rejects_small_or_misaligned_metadata)
{
    struct frame_alloc fa;
    struct kerr e;
    size_t need = frame_meta_size(zmap, NELEM(zmap));
    char *buf = malloc(need + 8);
    cr_assert_not_null(buf);
    char want[32];
    snprintf(want, sizeof want, "%zu", need);

    clear_err(&e);
    cr_assert_eq(frame_init(&fa, zmap, NELEM(zmap), buf, need - 1, &e), -1);
    cr_assert_neq(strstr(e.msg, want), NULL, "message: %s", e.msg);
    for (int off = 1; off < 4; off++) {
        clear_err(&e);
        cr_assert_eq(frame_init(&fa, zmap, NELEM(zmap), buf + off, need + 4, &e), -1, "offset %d", off);
        cr_assert_neq(strstr(e.msg, "aligned"), NULL, "message: %s", e.msg);
    }
    /* exactly enough, aligned: accepted */
    cr_assert_eq(frame_init(&fa, zmap, NELEM(zmap), buf, need, &e), 0, "%s", e.msg);
    free(buf);
}

/* A map with no tracked RAM at all (only reserved/MMIO/NVS, or nothing) is an error, not an empty
 * allocator. */
Test(frame, init_rejects_map_without_ram)
{
    struct frame_alloc fa;
    struct kerr e;
    uint32_t dummy[4];
    const struct bi_mem_range noram[] = {
        R(0x0, 0x100000, BI_MEM_RESERVED), R(0x100000, 0x1000, BI_MEM_ACPI_NVS),
        R(0x200000, 0x1000, BI_MEM_RUNTIME), R(0xFEC00000, 0x1000, BI_MEM_MMIO),
    };
    clear_err(&e);
    cr_assert_eq(frame_init(&fa, noram, NELEM(noram), dummy, sizeof dummy, &e), -1);
    cr_assert_neq(strstr(e.msg, "no RAM"), NULL, "message: %s", e.msg);
    clear_err(&e);
    cr_assert_eq(frame_init(&fa, noram, 0, dummy, sizeof dummy, &e), -1);
    cr_assert_neq(strstr(e.msg, "no RAM"), NULL, "message: %s", e.msg);
}

/* FRAME_MAX_ZONES separate zones fit; one more is refused; more ranges than that are fine when
 * adjacent ones merge into few enough zones. */
Test(frame, init_zone_limit)
{
    struct bi_mem_range map[2 * (FRAME_MAX_ZONES + 1)];
    struct frame_alloc fa;
    struct kerr e;
    /* usable pages separated by reserved ones: FRAME_MAX_ZONES + 1 zones */
    for (unsigned i = 0; i < FRAME_MAX_ZONES + 1; i++) {
        map[2 * i] = (struct bi_mem_range)R((uint64_t)(4 * i) * PG, 2 * PG, BI_MEM_USABLE);
        map[2 * i + 1] = (struct bi_mem_range)R((uint64_t)(4 * i + 2) * PG, 2 * PG, BI_MEM_RESERVED);
    }
    void *meta = init_ok(&fa, map, 2 * FRAME_MAX_ZONES);
    cr_assert_eq(fa.nzones, FRAME_MAX_ZONES);
    cr_assert_eq(fa.nfree, 2 * FRAME_MAX_ZONES);
    check_integrity(&fa);
    free(meta);

    size_t need = frame_meta_size(map, NELEM(map));
    meta = malloc(need);
    clear_err(&e);
    cr_assert_eq(frame_init(&fa, map, NELEM(map), meta, need, &e), -1);
    cr_assert_neq(strstr(e.msg, "zones"), NULL, "message: %s", e.msg);
    free(meta);

    /* 130 ranges of alternating tracked types, all adjacent: one zone */
    for (unsigned i = 0; i < NELEM(map); i++)
        map[i] = (struct bi_mem_range)R((uint64_t)i * PG, PG, i % 2 ? BI_MEM_RECLAIMABLE : BI_MEM_USABLE);
    meta = init_ok(&fa, map, NELEM(map));
    cr_assert_eq(fa.nzones, 1);
    cr_assert_eq(fa.nframes, NELEM(map));
    free(meta);
}

/* More frames than the 32-bit dense indices can number is refused before the metadata is
 * touched (the buffer passed is 16 bytes and claims SIZE_MAX): 2^32 + 5 frames must not be
 * truncated to a 5-frame zone, nor 2^32 to an empty one. */
Test(frame, init_rejects_more_frames_than_indexable)
{
    struct frame_alloc fa;
    struct kerr e;
    uint32_t dummy[4];
    const uint64_t frames[] = { (1ull << 32) + 5, 1ull << 32, 3ull << 32 };
    for (unsigned i = 0; i < NELEM(frames); i++) {
        const struct bi_mem_range map[] = { R(0x100000, frames[i] * PG, BI_MEM_USABLE) };
        clear_err(&e);
        cr_assert_eq(frame_init(&fa, map, 1, dummy, SIZE_MAX, &e), -1, "%llu frames",
                     (unsigned long long)frames[i]);
        cr_assert_neq(strstr(e.msg, "frames:"), NULL, "message: %s", e.msg);
        cr_assert_eq(strstr(e.msg, "no RAM"), NULL, "%llu frames taken for none: %s",
                     (unsigned long long)frames[i], e.msg);
    }
    /* split over two zones too: the sum is what counts */
    const struct bi_mem_range two[] = { R(0x0, (1ull << 31) * PG, BI_MEM_USABLE),
                                        R((1ull << 32) * PG, ((1ull << 31) + 3) * PG, BI_MEM_USABLE) };
    clear_err(&e);
    cr_assert_eq(frame_init(&fa, two, 2, dummy, SIZE_MAX, &e), -1);
    cr_assert_eq(strstr(e.msg, "no RAM"), NULL, "message: %s", e.msg);
}

/* ---- from raw firmware descriptors ----------------------------------------------------------- */

enum {
    EFI_RESERVED = 0, EFI_LOADER_CODE, EFI_LOADER_DATA, EFI_BS_CODE, EFI_BS_DATA, EFI_RT_CODE,
    EFI_RT_DATA, EFI_CONVENTIONAL, EFI_UNUSABLE, EFI_ACPI_RECLAIM, EFI_ACPI_NVS, EFI_MMIO,
    EFI_MMIO_PORT, EFI_PAL_CODE, EFI_PERSISTENT
};

struct desc { uint32_t type; uint64_t phys, pages; };

static int efi_free_type(uint32_t t)
{
    return t == EFI_CONVENTIONAL || t == EFI_LOADER_CODE || t == EFI_LOADER_DATA ||
           t == EFI_BS_CODE || t == EFI_BS_DATA;
}

/* A firmware-like map: unsorted, overlapping entries, holes, MMIO, the loader's own types, and
 * 1.5 GB of RAM at 4 GB with reserved and boot-data pages inside. */
static const struct desc fw[] = {
    { EFI_CONVENTIONAL, 0x100000000ull, 0x60000 },  /* 4 GB .. 5.5 GB */
    { EFI_BS_CODE, 0x100000, 0x100 },
    { EFI_CONVENTIONAL, 0x0, 0xA0 },
    { EFI_RESERVED, 0x9F000, 0x61 },                /* overlaps the last low page (EBDA) */
    { EFI_CONVENTIONAL, 0xA0000, 0x1 },             /* inside the reserved range */
    { EFI_CONVENTIONAL, 0x200000, 0x7E00 },         /* 2 MB .. 128 MB */
    { LOADER_MEM_VMM, 0x400000, 0x40 },             /* inside conventional memory */
    { LOADER_MEM_MODULES, 0x800000, 0x80 },
    { LOADER_MEM_BOOTDATA, 0x1000000, 0x10 },
    { EFI_LOADER_DATA, 0x1010000, 0x30 },
    { EFI_RT_DATA, 0x3000000, 0x20 },
    { EFI_UNUSABLE, 0x5000000, 0x1 },
    { EFI_ACPI_RECLAIM, 0x7FF0000, 0x8 },           /* overlaps the end of conventional memory */
    { EFI_ACPI_NVS, 0x7FF8000, 0x10 },              /* and sticks out of it */
    { EFI_CONVENTIONAL, 0x9000000, 0x1000 },        /* after a hole at 128 MB .. 144 MB */
    { EFI_LOADER_CODE, 0x8FFF000, 0x2 },            /* straddles the hole's end */
    { EFI_CONVENTIONAL, 0x9000000, 0x800 },         /* a duplicate, partial */
    { EFI_MMIO, 0xE0000000, 0x10000 },
    { EFI_MMIO, 0xFEC00000, 0x1 },
    { EFI_RESERVED, 0x120000000ull, 0x100 },        /* reserved inside the high RAM */
    { LOADER_MEM_BOOTDATA, 0x150000000ull, 0x4 },   /* page tables above 4 GB */
    { EFI_PERSISTENT, 0x180000000ull, 0x10 },
    { EFI_MMIO_PORT, 0x90000000, 0x10 },
};
#define FW_TOP_PFN 0x180010ull
#define FW_HIGH_FREE (0x60000u - 0x100 - 0x4)   /* free frames at and above 4 GB */

/* The pipeline the VMM sees: raw 48-byte descriptors -> memmap_convert -> frame_init.  Draining
 * the allocator hands out each free frame exactly once, lowest first, each inside a usable or
 * reclaimable range of the converted map and outside every non-free firmware descriptor; the
 * total is the initial nfree, and the RAM above 4 GB is handed out too. */
Test(frame, pipeline_from_firmware_descriptors)
{
    const size_t dsz = 48, n = NELEM(fw);
    unsigned char *raw = malloc(n * dsz);
    cr_assert_not_null(raw);
    memset(raw, 0xDB, n * dsz);
    for (size_t i = 0; i < n; i++) {
        struct efi_mdesc d = { fw[i].type, 0xDEADBEEF, fw[i].phys, 0x5A5A5A5A5A5A5A5Aull,
                               fw[i].pages, 0xF };
        memcpy(raw + i * dsz, &d, sizeof d);
    }
    uint32_t cap = (uint32_t)(2 * n + 1);
    struct bi_mem_range *map = malloc(cap * sizeof *map);
    cr_assert_not_null(map);
    struct kerr e;
    strcpy(e.msg, "(none)");
    int nr = memmap_convert(raw, n * dsz, dsz, map, cap, &e);
    cr_assert_gt(nr, 0, "memmap_convert: %s", e.msg);
    free(raw);

    uint64_t want_free = 0;
    for (int i = 0; i < nr; i++)
        if (map[i].type == BI_MEM_USABLE || map[i].type == BI_MEM_RECLAIMABLE)
            want_free += map[i].length / PG;

    struct frame_alloc fa;
    void *meta = init_ok(&fa, map, (uint32_t)nr);
    cr_assert_eq(fa.nfree, want_free);
    check_integrity(&fa);

    /* the loader's pages are owned, per type */
    for (size_t i = 0; i < n; i++) {
        int want = fw[i].type == LOADER_MEM_VMM ? FRAME_VMM : fw[i].type == LOADER_MEM_MODULES
                   ? FRAME_MODULES : fw[i].type == LOADER_MEM_BOOTDATA ? FRAME_BOOTDATA : -2;
        for (uint64_t k = 0; want != -2 && k < fw[i].pages; k++)
            cr_assert_eq(frame_owner(&fa, fw[i].phys + k * PG), want, "0x%llx",
                         (unsigned long long)(fw[i].phys + k * PG));
    }
    cr_assert_eq(fa.per_owner[FRAME_VMM], 0x40);
    cr_assert_eq(fa.per_owner[FRAME_MODULES], 0x80);
    cr_assert_eq(fa.per_owner[FRAME_BOOTDATA], 0x14);
    cr_assert_eq(fa.per_owner[FRAME_ACPI], 0x8);

    uint8_t *got = calloc(FW_TOP_PFN, 1);
    cr_assert_not_null(got);
    uint64_t handed = 0, high = 0, last = 0, p;
    while (frame_alloc(&fa, FRAME_PAGES, &p) == 0) {
        cr_assert_eq(p % PG, 0, "unaligned frame 0x%llx", (unsigned long long)p);
        cr_assert_lt(p / PG, FW_TOP_PFN, "frame 0x%llx beyond RAM", (unsigned long long)p);
        cr_assert(!got[p / PG], "frame 0x%llx handed out twice", (unsigned long long)p);
        got[p / PG] = 1;
        cr_assert(handed == 0 || p > last, "fresh allocator not lowest first: 0x%llx after 0x%llx",
                  (unsigned long long)p, (unsigned long long)last);
        last = p;
        /* inside a free range of the converted map */
        int in = 0;
        for (int i = 0; i < nr && !in; i++)
            in = p >= map[i].base && p - map[i].base < map[i].length &&
                 (map[i].type == BI_MEM_USABLE || map[i].type == BI_MEM_RECLAIMABLE);
        cr_assert(in, "frame 0x%llx is not in a usable/reclaimable range", (unsigned long long)p);
        /* and, independently of the converter, covered by a free firmware descriptor and by no
         * other one */
        int freed = 0;
        for (size_t i = 0; i < n; i++) {
            if (p < fw[i].phys || p >= fw[i].phys + fw[i].pages * PG)
                continue;
            cr_assert(efi_free_type(fw[i].type), "frame 0x%llx is inside firmware descriptor %zu "
                      "(type 0x%x)", (unsigned long long)p, i, fw[i].type);
            freed = 1;
        }
        cr_assert(freed, "frame 0x%llx is in no firmware descriptor", (unsigned long long)p);
        handed++;
        high += p >= 0x100000000ull;
    }
    cr_assert_eq(handed, want_free, "handed out %llu frames, nfree was %llu",
                 (unsigned long long)handed, (unsigned long long)want_free);
    cr_assert_eq(high, FW_HIGH_FREE, "%llu frames above 4 GB", (unsigned long long)high);
    cr_assert_eq(fa.nfree, 0);
    cr_assert_eq(fa.per_owner[FRAME_PAGES], want_free);

    /* conversely, every page of a conventional descriptor that no non-free descriptor touches
     * was handed out */
    for (size_t i = 0; i < n; i++) {
        if (fw[i].type != EFI_CONVENTIONAL)
            continue;
        for (uint64_t pfn = fw[i].phys / PG; pfn < fw[i].phys / PG + fw[i].pages; pfn++) {
            int blocked = 0;
            for (size_t j = 0; j < n && !blocked; j++)
                blocked = !efi_free_type(fw[j].type) && pfn >= fw[j].phys / PG &&
                          pfn < fw[j].phys / PG + fw[j].pages;
            cr_assert(blocked || got[pfn], "free page 0x%llx never handed out",
                      (unsigned long long)(pfn * PG));
        }
    }
    check_integrity(&fa);
    free(got);
    free(meta);
    free(map);
}

/* ---- frame_alloc ----------------------------------------------------------------------------- */

/* LIFO: the frame freed last is the next one handed out, whichever it is. */
Test(frame, alloc_is_lifo)
{
    struct frame_alloc fa;
    void *meta = init_ok(&fa, zmap, NELEM(zmap));
    struct kerr e;
    uint64_t a, b, c, p;
    cr_assert_eq(frame_alloc(&fa, FRAME_PAGES, &a), 0);
    cr_assert_eq(frame_alloc(&fa, FRAME_PAGES, &b), 0);
    cr_assert_eq(frame_alloc(&fa, FRAME_PAGES, &c), 0);
    cr_assert_eq(frame_free(&fa, b, &e), 0, "%s", e.msg);
    cr_assert_eq(frame_alloc(&fa, FRAME_PAGES, &p), 0);
    cr_assert_eq(p, b);
    cr_assert_eq(frame_free(&fa, a, &e), 0);
    cr_assert_eq(frame_free(&fa, c, &e), 0);
    cr_assert_eq(frame_alloc(&fa, FRAME_PAGES, &p), 0);
    cr_assert_eq(p, c);
    cr_assert_eq(frame_alloc(&fa, FRAME_PAGES, &p), 0);
    cr_assert_eq(p, a);
    /* a frame far from the head (above 4 GB), freed, comes straight back */
    cr_assert_eq(frame_claim(&fa, 0x100FFF000ull, 1, FRAME_PAGES, &e), 0, "%s", e.msg);
    cr_assert_eq(frame_free(&fa, 0x100FFF000ull, &e), 0);
    cr_assert_eq(frame_alloc(&fa, 9, &p), 0);
    cr_assert_eq(p, 0x100FFF000ull);
    cr_assert_eq(frame_owner(&fa, p), 9);
    check_integrity(&fa);
    free(meta);
}

/* A fresh allocator hands out frames in ascending address order, lowest first, then -1 when
 * empty (leaving *phys alone). */
Test(frame, alloc_low_first_then_empty)
{
    struct frame_alloc fa;
    void *meta = init_ok(&fa, zmap, NELEM(zmap));
    uint64_t *out = malloc(ZMAP_FRAMES * sizeof *out);
    cr_assert_not_null(out);
    uint32_t n = drain(&fa, FRAME_PAGES, out, ZMAP_FRAMES);
    cr_assert_eq(n, ZMAP_FREE);
    cr_assert_eq(out[0], 0);
    for (uint32_t i = 1; i < n; i++)
        cr_assert_gt(out[i], out[i - 1], "frame %u: 0x%llx after 0x%llx", i,
                     (unsigned long long)out[i], (unsigned long long)out[i - 1]);
    cr_assert_eq(out[n - 1], 0x100FFF000ull);
    uint64_t p = 0x1234;
    cr_assert_eq(frame_alloc(&fa, FRAME_PAGES, &p), -1);
    cr_assert_eq(p, 0x1234);
    cr_assert_eq(fa.nfree, 0);
    cr_assert_eq(fa.head, FRAME_NIL);
    cr_assert_eq(fa.per_owner[FRAME_PAGES], ZMAP_FREE);
    check_integrity(&fa);
    free(out);
    free(meta);
}

/* Owner 0 (free) and owners >= FRAME_MAX_OWNERS are refused without touching anything; 1 and
 * FRAME_MAX_OWNERS-1 are valid. */
Test(frame, alloc_rejects_bad_owner)
{
    struct frame_alloc fa;
    void *meta = init_ok(&fa, zmap, NELEM(zmap));
    const unsigned bad[] = { FRAME_FREE, FRAME_MAX_OWNERS, FRAME_MAX_OWNERS + 1, 0xFFFF, 0x10000,
                             UINT_MAX };
    for (unsigned i = 0; i < NELEM(bad); i++) {
        struct snap s = take_snap(&fa);
        uint64_t p = 0x1234;
        cr_assert_eq(frame_alloc(&fa, bad[i], &p), -1, "owner %u", bad[i]);
        cr_assert_eq(p, 0x1234);
        expect_unchanged(&fa, &s, "frame_alloc with a bad owner");
    }
    uint64_t p;
    cr_assert_eq(frame_alloc(&fa, 1, &p), 0);
    cr_assert_eq(frame_owner(&fa, p), 1);
    cr_assert_eq(frame_alloc(&fa, FRAME_MAX_OWNERS - 1, &p), 0);
    cr_assert_eq(frame_owner(&fa, p), FRAME_MAX_OWNERS - 1);
    cr_assert_eq(fa.per_owner[FRAME_MAX_OWNERS - 1], 1);
    check_integrity(&fa);
    free(meta);
}

/* nfree and per_owner follow allocations and frees, and come back to their initial values. */
Test(frame, alloc_free_counters)
{
    struct frame_alloc fa;
    struct kerr e;
    void *meta = init_ok(&fa, zmap, NELEM(zmap));
    uint32_t vmm = fa.per_owner[FRAME_VMM];
    uint64_t a[10], b[5];
    for (int i = 0; i < 10; i++)
        cr_assert_eq(frame_alloc(&fa, 7, &a[i]), 0);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(frame_alloc(&fa, 12, &b[i]), 0);
    cr_assert_eq(fa.nfree, ZMAP_FREE - 15);
    cr_assert_eq(fa.per_owner[7], 10);
    cr_assert_eq(fa.per_owner[12], 5);
    cr_assert_eq(fa.per_owner[FRAME_VMM], vmm);
    check_integrity(&fa);
    for (int i = 0; i < 10; i++)
        cr_assert_eq(frame_free(&fa, a[i], &e), 0, "%s", e.msg);
    cr_assert_eq(fa.per_owner[7], 0);
    for (int i = 4; i >= 0; i--)
        cr_assert_eq(frame_free(&fa, b[i], &e), 0, "%s", e.msg);
    cr_assert_eq(fa.per_owner[12], 0);
    cr_assert_eq(fa.nfree, ZMAP_FREE);
    /* frames owned since boot can be freed one by one too */
    cr_assert_eq(frame_free(&fa, 0x200000, &e), 0, "%s", e.msg);
    cr_assert_eq(fa.per_owner[FRAME_VMM], vmm - 1);
    cr_assert_eq(fa.nfree, ZMAP_FREE + 1);
    cr_assert_eq(frame_owner(&fa, 0x200000), FRAME_FREE);
    check_integrity(&fa);
    free(meta);
}

/* ---- frame_free ------------------------------------------------------------------------------ */

/* Freeing a free frame (double free, or one never allocated) fails with "free" in the message
 * and changes nothing. */
Test(frame, free_double_free)
{
    struct frame_alloc fa;
    struct kerr e;
    void *meta = init_ok(&fa, zmap, NELEM(zmap));
    uint64_t p;
    cr_assert_eq(frame_alloc(&fa, FRAME_PAGES, &p), 0);
    cr_assert_eq(frame_free(&fa, p, &e), 0);
    struct snap s = take_snap(&fa);
    clear_err(&e);
    cr_assert_eq(frame_free(&fa, p, &e), -1);
    cr_assert_neq(strstr(e.msg, "free"), NULL, "message: %s", e.msg);
    cr_assert_eq(strstr(e.msg, "not a tracked"), NULL, "wrong reason: %s", e.msg);
    expect_unchanged(&fa, &s, "a double free");
    s = take_snap(&fa);
    cr_assert_eq(frame_free(&fa, 0x100800000ull, &e), -1);     /* never allocated */
    expect_unchanged(&fa, &s, "freeing a free frame");
    check_integrity(&fa);
    free(meta);
}

/* An address that is not page aligned is refused, even inside an allocated frame. */
Test(frame, free_unaligned_address)
{
    struct frame_alloc fa;
    struct kerr e;
    void *meta = init_ok(&fa, zmap, NELEM(zmap));
    uint64_t p;
    cr_assert_eq(frame_alloc(&fa, FRAME_PAGES, &p), 0);
    const uint64_t off[] = { 1, 4, 0x800, 0xFFF };
    for (unsigned i = 0; i < NELEM(off); i++) {
        struct snap s = take_snap(&fa);
        clear_err(&e);
        cr_assert_eq(frame_free(&fa, p + off[i], &e), -1, "0x%llx", (unsigned long long)(p + off[i]));
        cr_assert_neq(e.msg[0], 0);
        expect_unchanged(&fa, &s, "an unaligned free");
    }
    cr_assert_eq(frame_owner(&fa, p), FRAME_PAGES);
    cr_assert_eq(frame_free(&fa, p, &e), 0);
    free(meta);
}

/* Addresses outside tracked RAM (a reserved hole, ACPI NVS, runtime, MMIO, a gap, beyond the last
 * zone, far beyond) are refused. */
Test(frame, free_outside_ram)
{
    struct frame_alloc fa;
    struct kerr e;
    void *meta = init_ok(&fa, zmap, NELEM(zmap));
    const uint64_t bad[] = { 0x9F000, 0xA0000, 0xFF000, 0x240000, 0x280000, 0x281000, 0x288000,
                             0xFEC00000, 0x80000000, 0x101000000ull, 0x7FFFFFFFF000ull,
                             0xFFFFFFFFFFFFF000ull };
    for (unsigned i = 0; i < NELEM(bad); i++) {
        struct snap s = take_snap(&fa);
        clear_err(&e);
        cr_assert_eq(frame_free(&fa, bad[i], &e), -1, "0x%llx", (unsigned long long)bad[i]);
        cr_assert_neq(strstr(e.msg, "not a tracked"), NULL, "message: %s", e.msg);
        expect_unchanged(&fa, &s, "freeing untracked memory");
    }
    free(meta);
}

/* A locked frame cannot be freed; once unlocked it can, and the counters are back. */
Test(frame, free_locked_frame)
{
    struct frame_alloc fa;
    struct kerr e;
    void *meta = init_ok(&fa, zmap, NELEM(zmap));
    uint64_t p;
    cr_assert_eq(frame_alloc(&fa, FRAME_PAGES, &p), 0);
    cr_assert_eq(frame_lock(&fa, p, &e), 0);
    struct snap s = take_snap(&fa);
    clear_err(&e);
    cr_assert_eq(frame_free(&fa, p, &e), -1);
    cr_assert_neq(strstr(e.msg, "locked"), NULL, "message: %s", e.msg);
    expect_unchanged(&fa, &s, "freeing a locked frame");
    cr_assert_eq(frame_unlock(&fa, p, &e), 0);
    cr_assert_eq(frame_free(&fa, p, &e), 0, "%s", e.msg);
    cr_assert_eq(fa.nfree, ZMAP_FREE);
    cr_assert_eq(fa.per_owner[FRAME_PAGES], 0);
    cr_assert_eq(fa.nlocked, 0);
    check_integrity(&fa);
    free(meta);
}

/* ---- frame_alloc_contig ---------------------------------------------------------------------- */

/* One zone of 1024 frames at 1 MB (pfn 0x100 .. 0x500). */
static const struct bi_mem_range cmap[] = {
    R(0x0, 0x100000, BI_MEM_RESERVED),
    R(0x100000, 0x400000, BI_MEM_USABLE),
};

/* Asserts [phys, phys + count pages) is a valid contiguous answer, owned by owner. */
static void expect_run(const struct frame_alloc *fa, uint64_t phys, uint32_t count, uint32_t align,
                       uint64_t limit, unsigned owner)
{
    cr_assert_eq(phys % PG, 0);
    cr_assert_eq((phys / PG) % align, 0, "0x%llx not aligned to %u pages",
                 (unsigned long long)phys, align);
    if (limit)
        cr_assert_leq(phys + count * PG, limit, "run 0x%llx+%u crosses the limit 0x%llx",
                      (unsigned long long)phys, count, (unsigned long long)limit);
    for (uint32_t k = 0; k < count; k++)
        cr_assert_eq(frame_owner(fa, phys + k * PG), (int)owner, "frame %u of the run", k);
}

/* Runs of various sizes and alignments: aligned, below the limit, owned, disjoint, and gone from
 * the free list for good (draining never returns one of their frames). */
Test(frame, contig_aligned_owned_and_off_the_list)
{
    struct frame_alloc fa;
    struct kerr e;
    void *meta = init_ok(&fa, cmap, NELEM(cmap));
    struct { uint32_t count, align; uint64_t limit; uint64_t phys; } rq[] = {
        { 4, 1, 0x104000, 0 }, { 8, 64, 0, 0 }, { 3, 1, 0, 0 }, { 16, 16, 0, 0 }, { 1, 256, 0, 0 },
        { 5, 2, 0x180000, 0 }, { 100, 4, 0, 0 }, { 7, 128, 0x300000, 0 },
    };
    uint32_t taken = 0;
    for (unsigned i = 0; i < NELEM(rq); i++) {
        uint32_t nfree = fa.nfree;
        strcpy(e.msg, "(none)");
        cr_assert_eq(frame_alloc_contig(&fa, FRAME_PAGES, rq[i].count, rq[i].align, 0, rq[i].limit,
                                        &rq[i].phys, &e), 0, "request %u: %s", i, e.msg);
        expect_run(&fa, rq[i].phys, rq[i].count, rq[i].align, rq[i].limit, FRAME_PAGES);
        cr_assert_geq(rq[i].phys, 0x100000);
        cr_assert_leq(rq[i].phys + rq[i].count * PG, 0x500000);
        cr_assert_eq(fa.nfree, nfree - rq[i].count);
        taken += rq[i].count;
        check_integrity(&fa);
    }
    cr_assert_eq(rq[0].phys, 0x100000);     /* the only 4-run ending by 0x104000 */
    cr_assert_eq(fa.per_owner[FRAME_PAGES], taken);
    uint64_t out[1024];
    uint32_t n = drain(&fa, 9, out, 1024);
    cr_assert_eq(n, 1024 - taken);
    for (uint32_t j = 0; j < n; j++)
        for (unsigned i = 0; i < NELEM(rq); i++)
            cr_assert(out[j] < rq[i].phys || out[j] >= rq[i].phys + rq[i].count * PG,
                      "frame 0x%llx of contiguous run %u handed out again",
                      (unsigned long long)out[j], i);
    cr_assert_eq(fa.per_owner[FRAME_PAGES], taken);
    free(meta);
}

/* The lower bound (_PageAllocate's minPhys): runs start at or above it, rounded up to the
 * alignment, even when lower frames are free; an empty window [min, limit) is refused. */
Test(frame, contig_lower_bound)
{
    struct frame_alloc fa;
    struct kerr e;
    uint64_t p;
    void *meta = init_ok(&fa, cmap, NELEM(cmap));

    cr_assert_eq(frame_alloc_contig(&fa, FRAME_PAGES, 4, 1, 0x200000, 0, &p, &e), 0, "%s", e.msg);
    cr_assert_eq(p, 0x200000);
    cr_assert_eq(frame_alloc_contig(&fa, FRAME_PAGES, 2, 8, 0x200800, 0, &p, &e), 0, "%s", e.msg);
    cr_assert_eq(p, 0x208000, "a min inside a frame rounds up, then to the alignment: 0x%llx",
                 (unsigned long long)p);
    expect_run(&fa, p, 2, 8, 0, FRAME_PAGES);
    clear_err(&e);
    cr_assert_eq(frame_alloc_contig(&fa, FRAME_PAGES, 1, 1, 0x4FF000 + PG, 0, &p, &e), -1,
                 "nothing at or above the zone's end");
    cr_assert_neq(e.msg[0], 0);
    cr_assert_eq(frame_alloc_contig(&fa, FRAME_PAGES, 4, 1, 0x300000, 0x302000, &p, &e), -1,
                 "four frames do not fit in [min, limit) of two");
    check_integrity(&fa);
    free(meta);
}

/* Sets up cmap with every frame allocated, then frees every even frame plus the run 0x300..0x30F
 * (so the longest free run is 0x300..0x310, 17 frames). */
static void *fragmented(struct frame_alloc *fa)
{
    struct kerr e;
    void *meta = init_ok(fa, cmap, NELEM(cmap));
    uint64_t out[1024];
    cr_assert_eq(drain(fa, FRAME_PAGES, out, 1024), 1024);
    for (uint64_t pfn = 0x100; pfn < 0x500; pfn++)
        if (pfn % 2 == 0 || (pfn >= 0x300 && pfn < 0x310))
            cr_assert_eq(frame_free(fa, pfn * PG, &e), 0, "%s", e.msg);
    cr_assert_eq(fa->nfree, 512 + 8);
    check_integrity(fa);
    return meta;
}

/* Over a fragmented free list, the one aligned run that exists is found, and it really is taken
 * out of the list: draining afterwards returns only the scattered single frames. */
Test(frame, contig_fragmented_free_list)
{
    struct frame_alloc fa;
    struct kerr e;
    uint64_t p, out[1024];

    void *meta = fragmented(&fa);
    strcpy(e.msg, "(none)");
    cr_assert_eq(frame_alloc_contig(&fa, 11, 16, 16, 0, 0, &p, &e), 0, "%s", e.msg);
    cr_assert_eq(p, 0x300000);
    expect_run(&fa, p, 16, 16, 0, 11);
    cr_assert_eq(fa.nfree, 512 + 8 - 16);
    check_integrity(&fa);
    clear_err(&e);
    cr_assert_eq(frame_alloc_contig(&fa, 11, 2, 1, 0, 0, &p, &e), -1, "a second run at 0x%llx",
                 (unsigned long long)p);
    cr_assert_neq(e.msg[0], 0);
    uint32_t n = drain(&fa, FRAME_PAGES, out, 1024);
    cr_assert_eq(n, 512 + 8 - 16);
    for (uint32_t i = 0; i < n; i++) {
        cr_assert_eq((out[i] / PG) % 2, 0, "0x%llx", (unsigned long long)out[i]);
        cr_assert(out[i] < 0x300000 || out[i] >= 0x310000, "0x%llx", (unsigned long long)out[i]);
    }
    free(meta);

    /* the run plus its free neighbour 0x310: 17 frames, and 18 do not exist */
    meta = fragmented(&fa);
    cr_assert_eq(frame_alloc_contig(&fa, 11, 17, 1, 0, 0, &p, &e), 0, "%s", e.msg);
    cr_assert_eq(p, 0x300000);
    cr_assert_eq(frame_owner(&fa, 0x310000), 11);
    free(meta);
    meta = fragmented(&fa);
    struct snap s = take_snap(&fa);
    cr_assert_eq(frame_alloc_contig(&fa, 11, 18, 1, 0, 0, &p, &e), -1);
    expect_unchanged(&fa, &s, "an impossible contiguous request");
    /* 8 frames aligned to 8: 0x300 and 0x308 qualify, both inside the run */
    cr_assert_eq(frame_alloc_contig(&fa, 11, 8, 8, 0, 0, &p, &e), 0, "%s", e.msg);
    cr_assert(p == 0x300000 || p == 0x308000, "0x%llx", (unsigned long long)p);
    cr_assert_eq(frame_alloc_contig(&fa, 11, 8, 8, 0, 0, &p, &e), 0, "%s", e.msg);
    cr_assert(p == 0x300000 || p == 0x308000, "0x%llx", (unsigned long long)p);
    cr_assert_eq(frame_alloc_contig(&fa, 11, 2, 1, 0, 0, &p, &e), -1);
    check_integrity(&fa);
    free(meta);
}

/* Invalid requests (count 0, alignment 0 or not a power of two, owner 0 or too large) fail with a
 * message and change nothing. */
Test(frame, contig_rejects_invalid_requests)
{
    struct frame_alloc fa;
    struct kerr e;
    void *meta = init_ok(&fa, cmap, NELEM(cmap));
    struct { unsigned owner; uint32_t count, align; } bad[] = {
        { FRAME_PAGES, 0, 1 }, { FRAME_PAGES, 1, 0 }, { FRAME_PAGES, 1, 3 }, { FRAME_PAGES, 4, 6 },
        { FRAME_PAGES, 1, 0x80000001u }, { FRAME_FREE, 1, 1 }, { FRAME_MAX_OWNERS, 1, 1 },
        { UINT_MAX, 1, 1 },
    };
    for (unsigned i = 0; i < NELEM(bad); i++) {
        struct snap s = take_snap(&fa);
        uint64_t p = 0x1234;
        clear_err(&e);
        cr_assert_eq(frame_alloc_contig(&fa, bad[i].owner, bad[i].count, bad[i].align, 0, 0, &p, &e),
                     -1, "request %u", i);
        cr_assert_neq(strstr(e.msg, "frames:"), NULL, "request %u message: %s", i, e.msg);
        cr_assert_eq(p, 0x1234);
        expect_unchanged(&fa, &s, "an invalid contiguous request");
    }
    free(meta);
}

/* Impossible requests (more frames than the zone, a limit below or inside the RAM too low for the
 * run, an alignment no frame of the zone meets) fail with a message and change nothing; the
 * boundary cases just inside succeed. */
Test(frame, contig_impossible_requests)
{
    struct frame_alloc fa;
    struct kerr e;
    void *meta = init_ok(&fa, cmap, NELEM(cmap));
    struct { uint32_t count, align; uint64_t limit; } bad[] = {
        { 1025, 1, 0 }, { 0xFFFFFFFFu, 1, 0 }, { 1, 1, 0x100000 }, { 1, 1, 0x100FFF },
        { 2, 1, 0x101FFF }, { 1, 2048, 0 }, { 1, 0x80000000u, 0 }, { 769, 512, 0 },
        { 1024, 1, 0x4FF000 },
    };
    for (unsigned i = 0; i < NELEM(bad); i++) {
        struct snap s = take_snap(&fa);
        uint64_t p = 0x1234;
        clear_err(&e);
        cr_assert_eq(frame_alloc_contig(&fa, FRAME_PAGES, bad[i].count, bad[i].align, 0, bad[i].limit,
                                        &p, &e), -1, "request %u got 0x%llx", i, (unsigned long long)p);
        cr_assert_neq(strstr(e.msg, "frames:"), NULL, "request %u message: %s", i, e.msg);
        expect_unchanged(&fa, &s, "an impossible contiguous request");
    }
    uint64_t p;
    cr_assert_eq(frame_alloc_contig(&fa, FRAME_PAGES, 1, 1, 0, 0x101000, &p, &e), 0, "%s", e.msg);
    cr_assert_eq(p, 0x100000);
    cr_assert_eq(frame_alloc_contig(&fa, FRAME_PAGES, 512, 512, 0, 0, &p, &e), 0, "%s", e.msg);
    cr_assert_eq(p, 0x200000);
    /* left: 0x101..0x1FF (255 frames) and 0x400..0x4FF (256): each request has one answer */
    cr_assert_eq(frame_alloc_contig(&fa, FRAME_PAGES, 256, 1, 0, 0, &p, &e), 0, "%s", e.msg);
    cr_assert_eq(p, 0x400000);
    cr_assert_eq(frame_alloc_contig(&fa, FRAME_PAGES, 255, 1, 0, 0, &p, &e), 0, "%s", e.msg);
    cr_assert_eq(p, 0x101000);
    cr_assert_eq(fa.nfree, 0);
    check_integrity(&fa);
    free(meta);
}

/* A run never spans a hole between zones, although the zones' dense indices are adjacent. */
Test(frame, contig_does_not_span_zone_holes)
{
    const struct bi_mem_range map[] = {
        R(0x10000, 8 * PG, BI_MEM_USABLE),          /* pfn 0x10..0x17 */
        R(0x18000, PG, BI_MEM_RESERVED),
        R(0x19000, 23 * PG, BI_MEM_USABLE),         /* pfn 0x19..0x2F */
        R(0x40000, 8 * PG, BI_MEM_RECLAIMABLE),     /* pfn 0x40..0x47, after a gap */
    };
    struct frame_alloc fa;
    struct kerr e;
    uint64_t p;
    void *meta = init_ok(&fa, map, NELEM(map));
    cr_assert_eq(fa.nzones, 3);
    cr_assert_eq(frame_alloc_contig(&fa, FRAME_PAGES, 9, 1, 0, 0, &p, &e), 0, "%s", e.msg);
    cr_assert_eq(p, 0x19000);
    free(meta);

    meta = init_ok(&fa, map, NELEM(map));
    struct snap s = take_snap(&fa);
    cr_assert_eq(frame_alloc_contig(&fa, FRAME_PAGES, 24, 1, 0, 0, &p, &e), -1, "got 0x%llx",
                 (unsigned long long)p);
    /* 16 frames ending by 0x28000: only across the hole (0x10..0x17 + 0x19..0x20) */
    cr_assert_eq(frame_alloc_contig(&fa, FRAME_PAGES, 16, 1, 0, 0x28000, &p, &e), -1,
                 "got 0x%llx", (unsigned long long)p);
    expect_unchanged(&fa, &s, "a request spanning a hole");
    /* the end of zone 2 plus the start of zone 3 (dense indices 30..32) is not a run */
    for (uint64_t pfn = 0x19; pfn < 0x2E; pfn++)
        cr_assert_eq(frame_claim(&fa, pfn * PG, 1, FRAME_PAGES, &e), 0, "%s", e.msg);
    for (uint64_t pfn = 0x10; pfn < 0x18; pfn++)
        cr_assert_eq(frame_claim(&fa, pfn * PG, 1, FRAME_PAGES, &e), 0, "%s", e.msg);
    cr_assert_eq(frame_alloc_contig(&fa, FRAME_PAGES, 3, 1, 0, 0, &p, &e), 0, "%s", e.msg);
    cr_assert_eq(p, 0x40000, "got 0x%llx", (unsigned long long)p);
    check_integrity(&fa);
    free(meta);
}

/* ---- frame_claim ----------------------------------------------------------------------------- */

/* Claiming specific free frames gives them to the owner and takes them off the free list. */
Test(frame, claim_takes_specific_frames)
{
    struct frame_alloc fa;
    struct kerr e;
    void *meta = init_ok(&fa, zmap, NELEM(zmap));
    cr_assert_eq(frame_claim(&fa, 0x104000, 4, FRAME_META, &e), 0, "%s", e.msg);
    cr_assert_eq(frame_claim(&fa, 0x0, 1, FRAME_META, &e), 0, "%s", e.msg);       /* the head */
    cr_assert_eq(frame_claim(&fa, 0x100FFF000ull, 1, FRAME_META, &e), 0, "%s", e.msg);
    for (uint64_t p = 0x104000; p < 0x108000; p += PG)
        cr_assert_eq(frame_owner(&fa, p), FRAME_META);
    cr_assert_eq(frame_owner(&fa, 0x103000), FRAME_FREE);
    cr_assert_eq(frame_owner(&fa, 0x108000), FRAME_FREE);
    cr_assert_eq(fa.per_owner[FRAME_META], 6);
    cr_assert_eq(fa.nfree, ZMAP_FREE - 6);
    check_integrity(&fa);
    uint64_t *out = malloc(ZMAP_FRAMES * sizeof *out);
    uint32_t n = drain(&fa, FRAME_PAGES, out, ZMAP_FRAMES);
    cr_assert_eq(n, ZMAP_FREE - 6);
    for (uint32_t i = 0; i < n; i++)
        cr_assert(out[i] != 0 && out[i] != 0x100FFF000ull &&
                  (out[i] < 0x104000 || out[i] >= 0x108000), "claimed 0x%llx handed out",
                  (unsigned long long)out[i]);
    free(out);
    /* the last usable frame before the VMM's, and a whole reclaimable range up to a hole */
    free(meta);
    meta = init_ok(&fa, zmap, NELEM(zmap));
    cr_assert_eq(frame_claim(&fa, 0x1FF000, 1, 8, &e), 0, "%s", e.msg);
    cr_assert_eq(frame_claim(&fa, 0x21E000, 0x22, 8, &e), 0, "%s", e.msg);
    cr_assert_eq(fa.per_owner[8], 0x23);
    check_integrity(&fa);
    free(meta);
}

/* A claim fails, changing nothing, when any frame of the range is allocated, owned since boot,
 * locked, in a hole, beyond RAM, or when the address is unaligned or the owner invalid. */
Test(frame, claim_fails_atomically)
{
    struct frame_alloc fa;
    struct kerr e;
    void *meta = init_ok(&fa, zmap, NELEM(zmap));
    uint64_t p;
    cr_assert_eq(frame_claim(&fa, 0x110000, 1, FRAME_PAGES, &e), 0);   /* one allocated frame */
    cr_assert_eq(frame_alloc(&fa, FRAME_PAGES, &p), 0);
    cr_assert_eq(frame_lock(&fa, p, &e), 0);                           /* frame 0, locked */
    struct { uint64_t phys; uint32_t count; unsigned owner; } bad[] = {
        { 0x10C000, 8, FRAME_PAGES },       /* last frame 0x113000: 0x110000 is taken */
        { 0x110000, 1, FRAME_PAGES },
        { 0x1FC000, 8, FRAME_PAGES },       /* runs into the VMM's frames */
        { 0x9C000, 4, FRAME_PAGES },        /* 0x9F000 is reserved */
        { 0x23F000, 3, FRAME_PAGES },       /* 0x240000 is ACPI NVS */
        { 0x287000, 2, FRAME_PAGES },       /* 0x288000 is in no range */
        { 0xFEC00000, 1, FRAME_PAGES },
        { 0x100FFE000ull, 3, FRAME_PAGES }, /* past the end of RAM */
        { p, 2, FRAME_PAGES },              /* p is allocated and locked */
        { 0x120800, 1, FRAME_PAGES },       /* unaligned */
        { 0x120001, 2, FRAME_PAGES },
        { 0x120000, 1, FRAME_FREE },
        { 0x120000, 1, FRAME_MAX_OWNERS },
    };
    for (unsigned i = 0; i < NELEM(bad); i++) {
        struct snap s = take_snap(&fa);
        clear_err(&e);
        cr_assert_eq(frame_claim(&fa, bad[i].phys, bad[i].count, bad[i].owner, &e), -1,
                     "claim %u (0x%llx x %u)", i, (unsigned long long)bad[i].phys, bad[i].count);
        cr_assert_neq(strstr(e.msg, "claim"), NULL, "claim %u message: %s", i, e.msg);
        expect_unchanged(&fa, &s, "a failed claim");
    }
    check_integrity(&fa);
    free(meta);
}

/* ---- frame_release_owner --------------------------------------------------------------------- */

/* Releasing an owner frees all its unlocked frames and returns how many; locked ones stay; the
 * released frames are on top of the free list.  Owner 0 and out-of-range owners: 0. */
Test(frame, release_owner)
{
    struct frame_alloc fa;
    struct kerr e;
    void *meta = init_ok(&fa, zmap, NELEM(zmap));
    uint64_t p;
    cr_assert_eq(frame_lock(&fa, 0x216000, &e), 0, "%s", e.msg);   /* one module frame */
    uint32_t nfree = fa.nfree;
    cr_assert_eq(frame_release_owner(&fa, FRAME_MODULES), 7);
    cr_assert_eq(fa.per_owner[FRAME_MODULES], 1);
    cr_assert_eq(fa.nfree, nfree + 7);
    cr_assert_eq(frame_owner(&fa, 0x216000), FRAME_MODULES);
    for (uint64_t q = 0x214000; q < 0x21C000; q += PG)
        if (q != 0x216000)
            cr_assert_eq(frame_owner(&fa, q), FRAME_FREE, "0x%llx", (unsigned long long)q);
    check_integrity(&fa);
    /* they are on top of the free list (LIFO): the next 7 allocations hand them out */
    uint32_t got = 0;
    for (int k = 0; k < 7; k++) {
        cr_assert_eq(frame_alloc(&fa, FRAME_PAGES, &p), 0);
        cr_assert(p >= 0x214000 && p < 0x21C000 && p != 0x216000, "0x%llx", (unsigned long long)p);
        got |= 1u << ((p - 0x214000) / PG);
    }
    cr_assert_eq(got, 0xFFu & ~(1u << 2));
    cr_assert_eq(frame_release_owner(&fa, FRAME_PAGES), 7);
    cr_assert_eq(frame_release_owner(&fa, FRAME_MODULES), 0);
    cr_assert_eq(frame_unlock(&fa, 0x216000, &e), 0);
    cr_assert_eq(frame_release_owner(&fa, FRAME_MODULES), 1);
    cr_assert_eq(fa.per_owner[FRAME_MODULES], 0);

    cr_assert_eq(frame_release_owner(&fa, FRAME_ACPI), 2);
    cr_assert_eq(frame_release_owner(&fa, FRAME_PAGES), 0);
    cr_assert_eq(fa.per_owner[FRAME_PAGES], 0);
    struct snap s = take_snap(&fa);
    cr_assert_eq(frame_release_owner(&fa, FRAME_FREE), 0);
    cr_assert_eq(frame_release_owner(&fa, FRAME_MAX_OWNERS), 0);
    cr_assert_eq(frame_release_owner(&fa, UINT_MAX), 0);
    cr_assert_eq(frame_release_owner(&fa, 13), 0);
    expect_unchanged(&fa, &s, "releasing owner 0 / a bad owner / an owner with nothing");
    cr_assert_eq(fa.nfree, ZMAP_FREE + 8 + 2);
    cr_assert_eq(fa.per_owner[FRAME_PAGES], 0);
    check_integrity(&fa);
    free(meta);
}

/* ---- frame_lock / frame_unlock --------------------------------------------------------------- */

/* Lock counts nest: a frame locked twice stays locked (and unfreeable) after one unlock; nlocked
 * counts locked frames, not locks. */
Test(frame, lock_counts_nest)
{
    struct frame_alloc fa;
    struct kerr e;
    void *meta = init_ok(&fa, zmap, NELEM(zmap));
    uint64_t a, b;
    cr_assert_eq(frame_alloc(&fa, FRAME_PAGES, &a), 0);
    cr_assert_eq(frame_alloc(&fa, FRAME_PAGES, &b), 0);
    cr_assert_eq(frame_lock(&fa, a, &e), 0);
    cr_assert_eq(frame_lock(&fa, a, &e), 0);
    cr_assert_eq(fa.nlocked, 1);
    cr_assert_eq(frame_lock(&fa, b, &e), 0);
    cr_assert_eq(frame_lock(&fa, 0x200000, &e), 0, "%s", e.msg);   /* a VMM frame */
    cr_assert_eq(fa.nlocked, 3);
    cr_assert_eq(frame_unlock(&fa, a, &e), 0);
    cr_assert_eq(fa.nlocked, 3);
    cr_assert_eq(frame_free(&fa, a, &e), -1);
    cr_assert_eq(frame_unlock(&fa, a, &e), 0);
    cr_assert_eq(fa.nlocked, 2);
    cr_assert_eq(frame_free(&fa, a, &e), 0, "%s", e.msg);
    cr_assert_eq(frame_unlock(&fa, b, &e), 0);
    cr_assert_eq(frame_unlock(&fa, 0x200000, &e), 0);
    cr_assert_eq(fa.nlocked, 0);
    check_integrity(&fa);
    free(meta);
}

/* Unlocking an unlocked frame, locking or unlocking a free frame, untracked memory or an
 * unaligned address all fail and change nothing; the 16-bit count refuses to overflow. */
Test(frame, lock_errors)
{
    struct frame_alloc fa;
    struct kerr e;
    void *meta = init_ok(&fa, zmap, NELEM(zmap));
    uint64_t a;
    cr_assert_eq(frame_alloc(&fa, FRAME_PAGES, &a), 0);
    struct snap s = take_snap(&fa);
    clear_err(&e);
    cr_assert_eq(frame_unlock(&fa, a, &e), -1);
    cr_assert_neq(strstr(e.msg, "not locked"), NULL, "message: %s", e.msg);
    clear_err(&e);
    cr_assert_eq(frame_lock(&fa, 0x5000, &e), -1);                 /* free */
    cr_assert_neq(strstr(e.msg, "free"), NULL, "message: %s", e.msg);
    cr_assert_eq(frame_unlock(&fa, 0x5000, &e), -1);
    cr_assert_eq(frame_lock(&fa, 0xFEC00000, &e), -1);
    cr_assert_eq(frame_lock(&fa, 0x240000, &e), -1);
    cr_assert_eq(frame_unlock(&fa, 0x9F000, &e), -1);
    cr_assert_eq(frame_lock(&fa, a + 8, &e), -1);
    expect_unchanged(&fa, &s, "a failed lock/unlock");

    for (unsigned i = 0; i < 0xFFFF; i++)
        cr_assert_eq(frame_lock(&fa, a, &e), 0, "lock %u: %s", i, e.msg);
    cr_assert_eq(fa.nlocked, 1);
    clear_err(&e);
    cr_assert_eq(frame_lock(&fa, a, &e), -1);
    cr_assert_neq(strstr(e.msg, "overflow"), NULL, "message: %s", e.msg);
    cr_assert_eq(fa.nlocked, 1);
    for (unsigned i = 0; i < 0xFFFF; i++)
        cr_assert_eq(frame_unlock(&fa, a, &e), 0, "unlock %u: %s", i, e.msg);
    cr_assert_eq(fa.nlocked, 0);
    cr_assert_eq(frame_unlock(&fa, a, &e), -1);
    cr_assert_eq(frame_free(&fa, a, &e), 0, "%s", e.msg);
    check_integrity(&fa);
    free(meta);
}

/* ---- frame_owner ----------------------------------------------------------------------------- */

/* -1 for every address that is not tracked RAM: below, between and beyond the zones, huge ones. */
Test(frame, owner_of_untracked_is_minus_one)
{
    const struct bi_mem_range map[] = {
        R(0x0, 0x10000, BI_MEM_RESERVED),
        R(0x10000, 0x4000, BI_MEM_USABLE),
        R(0x20000, 0x1000, BI_MEM_VMM),
        R(0xFEE00000, 0x1000, BI_MEM_MMIO),
        R(0x200000000ull, 0x2000, BI_MEM_ACPI_RECLAIM),
    };
    struct frame_alloc fa;
    void *meta = init_ok(&fa, map, NELEM(map));
    const uint64_t none[] = { 0x0, 0xF000, 0x14000, 0x1F000, 0x21000, 0xFEE00000, 0x1FFFFF000ull,
                              0x200002000ull, 0x100000000000ull, 0xFFFFFFFFFFFFF000ull };
    for (unsigned i = 0; i < NELEM(none); i++)
        cr_assert_eq(frame_owner(&fa, none[i]), -1, "0x%llx", (unsigned long long)none[i]);
    cr_assert_eq(frame_owner(&fa, 0x10000), FRAME_FREE);
    cr_assert_eq(frame_owner(&fa, 0x13000), FRAME_FREE);
    cr_assert_eq(frame_owner(&fa, 0x20000), FRAME_VMM);
    cr_assert_eq(frame_owner(&fa, 0x200001000ull), FRAME_ACPI);
    free(meta);
}

/* ---- after a failed frame_init ----------------------------------------------------------------- */

/* Regression: the zone-limit failure of frame_init used to return with nzones and nframes set but
 * the metadata arrays NULL, so any later lookup dereferenced NULL.  After any failed frame_init,
 * frame_owner returns -1 and every other call fails or returns 0 without touching memory. */
Test(frame, failed_init_leaves_a_safe_empty_allocator)
{
    struct bi_mem_range map[2 * (FRAME_MAX_ZONES + 1)];
    for (unsigned i = 0; i < FRAME_MAX_ZONES + 1; i++) {
        map[2 * i] = (struct bi_mem_range)R((uint64_t)(4 * i) * PG, 2 * PG, BI_MEM_USABLE);
        map[2 * i + 1] = (struct bi_mem_range)R((uint64_t)(4 * i + 2) * PG, 2 * PG, BI_MEM_RESERVED);
    }
    size_t need = frame_meta_size(map, NELEM(map));
    void *meta = malloc(need);
    struct frame_alloc fa;
    struct kerr e;
    uint64_t p;
    cr_assert_eq(frame_init(&fa, map, NELEM(map), meta, need, &e), -1);
    cr_assert_eq(frame_owner(&fa, 0x0), -1);                   /* crashes today */
    cr_assert_eq(frame_free(&fa, 0x0, &e), -1);
    cr_assert_eq(frame_lock(&fa, 0x0, &e), -1);
    cr_assert_eq(frame_claim(&fa, 0x0, 1, FRAME_PAGES, &e), -1);
    cr_assert_eq(frame_alloc_contig(&fa, FRAME_PAGES, 1, 1, 0, 0, &p, &e), -1);
    cr_assert_eq(frame_alloc(&fa, FRAME_PAGES, &p), -1);
    cr_assert_eq(frame_release_owner(&fa, FRAME_PAGES), 0);
    free(meta);
}

/* ---- randomized comparison with a model ------------------------------------------------------ */

#define MSLOTS 220          /* frames a random map spans (slot s is pfn base_pfn + s) */

struct model {
    uint64_t base_pfn;
    uint32_t span;
    int owner[MSLOTS + 4];      /* -1 untracked, else FRAME_FREE or the owner */
    unsigned locks[MSLOTS + 4];
    uint32_t dense[MSLOTS + 4];
    uint32_t slot_of[MSLOTS + 4];   /* dense index -> slot */
    uint32_t stack[MSLOTS];     /* the free list as slots; stack[n - 1] is the head */
    uint32_t n;
    /* zones as frame.h makes them (runs of adjacent slots, all free or all owned); a free
     * zone's slots from vcur on are virgin: free, not on the list */
    uint32_t nz, zfirst[MSLOTS], zend[MSLOTS], vcur[MSLOTS];
};

static uint64_t rs;
static uint64_t rnd(void) { return rng_next(&rs); }

static int model_initial_owner(uint32_t type)
{
    switch (type) {
    case BI_MEM_USABLE: return FRAME_FREE;
    case BI_MEM_RECLAIMABLE: return FRAME_FREE;
    case BI_MEM_VMM: return FRAME_VMM;
    case BI_MEM_MODULES: return FRAME_MODULES;
    case BI_MEM_BOOTDATA: return FRAME_BOOTDATA;
    case BI_MEM_ACPI_RECLAIM: return FRAME_ACPI;
    default: return -1;
    }
}

static void model_push(struct model *m, uint32_t s)
{
    m->owner[s] = FRAME_FREE;
    m->stack[m->n++] = s;
}

static void model_take(struct model *m, uint32_t s, unsigned owner)
{
    uint32_t k = 0;
    while (k < m->n && m->stack[k] != s)
        k++;
    cr_assert_lt(k, m->n, "model: slot %u not free", s);
    memmove(&m->stack[k], &m->stack[k + 1], (m->n - k - 1) * sizeof m->stack[0]);
    m->n--;
    m->owner[s] = (int)owner;
}

static uint64_t slot_phys(const struct model *m, uint32_t s) { return (m->base_pfn + s) * PG; }

static uint32_t model_zone(const struct model *m, uint32_t s)
{
    uint32_t z = 0;
    while (s >= m->zend[z])
        z++;
    return z;
}

static uint32_t model_virgin(const struct model *m)
{
    uint32_t v = 0;
    for (uint32_t z = 0; z < m->nz; z++)
        v += m->zend[z] - m->vcur[z];
    return v;
}

/* frame.c's make_upto: zone z's virgin slots below upto listed at the bottom, the lowest
 * nearest the top */
static void model_make_upto(struct model *m, uint32_t z, uint32_t upto)
{
    if (upto <= m->vcur[z])
        return;
    uint32_t k = upto - m->vcur[z];
    memmove(&m->stack[k], &m->stack[0], m->n * sizeof m->stack[0]);
    for (uint32_t j = 0; j < k; j++)
        m->stack[j] = upto - 1 - j;
    m->n += k;
    m->vcur[z] = upto;
}

/* The slot frame_alloc hands out next (the list's head, else the lowest virgin slot), or
 * FRAME_NIL; *z the virgin slot's zone (FRAME_NIL for the list). */
static uint32_t model_next(const struct model *m, uint32_t *z)
{
    *z = FRAME_NIL;
    if (m->n)
        return m->stack[m->n - 1];
    for (uint32_t k = 0; k < m->nz; k++)
        if (m->vcur[k] < m->zend[k]) {
            *z = k;
            return m->vcur[k];
        }
    return FRAME_NIL;
}

/* A small random map: up to 8 ranges of all types, some adjacent, some separated by gaps, at a
 * base below 1 MB, just below 4 GB (crossing it) or above it. */
static uint32_t random_map(struct model *m, struct bi_mem_range *map)
{
    static const uint64_t bases[] = { 0x0, 0x100, 0xFFFE0, 0x100000, 0x3FFFFF0 };
    m->base_pfn = bases[rnd() % NELEM(bases)];
    uint32_t nr = 1 + (uint32_t)(rnd() % 8), n = 0, pos = (uint32_t)(rnd() % 4), prev = 0;
    for (uint32_t i = 0; i < NELEM(m->owner); i++)
        m->owner[i] = -1, m->locks[i] = 0;
    for (uint32_t i = 0; i < nr; i++) {
        uint32_t gap = rnd() % 3 == 0 ? 1 + (uint32_t)(rnd() % 6) : 0;
        uint32_t type = 1 + (uint32_t)(rnd() % BI_MEM_TYPE_MAX);
        if (rnd() % 3)                  /* favour RAM */
            type = 1 + (uint32_t)(rnd() % 6);
        if (!gap && n && type == prev)
            type = type % BI_MEM_TYPE_MAX + 1;
        uint32_t len = 1 + (uint32_t)(rnd() % 24);
        pos += gap;
        if (pos + len > MSLOTS)
            break;
        map[n++] = (struct bi_mem_range)R(slot_phys(m, pos), len * PG, type);
        for (uint32_t k = 0; k < len; k++)
            m->owner[pos + k] = model_initial_owner(type);
        pos += len;
        prev = type;
    }
    m->span = pos;
    uint32_t d = 0;
    m->n = 0;
    m->nz = 0;
    for (uint32_t s = 0; s < NELEM(m->owner); s++) {
        m->dense[s] = m->owner[s] >= 0 ? d : FRAME_NIL;
        if (m->owner[s] < 0)
            continue;
        m->slot_of[d++] = s;
        int is_free = m->owner[s] == FRAME_FREE;
        if (!m->nz || m->zend[m->nz - 1] != s || (m->owner[s - 1] == FRAME_FREE) != is_free) {
            m->zfirst[m->nz] = s;
            m->vcur[m->nz] = is_free ? s : s + 1;
            m->zend[m->nz++] = s + 1;
        } else {
            m->zend[m->nz - 1] = s + 1;
            if (!is_free)
                m->vcur[m->nz - 1] = s + 1;
        }
    }
    m->zend[m->nz] = 0xFFFFFFFFu;       /* model_zone's stop for untracked slots */
    return n;
}

/* Compares everything observable with the model. */
static void model_check(const struct frame_alloc *fa, const struct model *m, const char *step)
{
    uint32_t per[FRAME_MAX_OWNERS] = { 0 }, locked = 0;
    /* slots past span + 1 are untracked and never change: span + 2 covers one of them */
    for (uint32_t s = 0; s < m->span + 2; s++) {
        int o = frame_owner(fa, slot_phys(m, s));
        if (o != m->owner[s])       /* (plain tests in the hot loops: an assertion costs) */
            cr_assert_fail("%s: owner of slot %u (0x%llx) is %d, model %d", step, s,
                           (unsigned long long)slot_phys(m, s), o, m->owner[s]);
        if (m->owner[s] > 0)
            per[m->owner[s]]++;
        locked += m->locks[s] != 0;
    }
    if (m->base_pfn)
        cr_assert_eq(frame_owner(fa, slot_phys(m, 0) - PG), -1, "%s: below the map", step);
    cr_assert_eq(fa->nfree, m->n + model_virgin(m), "%s: nfree %u, model %u listed and %u virgin",
                 step, fa->nfree, m->n, model_virgin(m));
    cr_assert_eq(fa->nvirgin, model_virgin(m), "%s: nvirgin", step);
    cr_assert_eq(fa->nlocked, locked, "%s: nlocked %u, model %u", step, fa->nlocked, locked);
    for (unsigned o = 1; o < FRAME_MAX_OWNERS; o++)
        cr_assert_eq(fa->per_owner[o], per[o], "%s: per_owner[%u] %u, model %u", step, o,
                     fa->per_owner[o], per[o]);
    /* the free list, walked: same frames in the same (LIFO) order, links consistent, no cycle */
    uint32_t k = 0, prev = FRAME_NIL;
    for (uint32_t i = fa->head; i != FRAME_NIL; i = fa->next[i], k++) {
        if (k >= m->n)
            cr_assert_fail("%s: free list longer than %u (cycle?)", step, m->n);
        if (i >= fa->nframes)
            cr_assert_fail("%s: free list entry %u out of range", step, i);
        if (i != m->dense[m->stack[m->n - 1 - k]])
            cr_assert_fail("%s: free list position %u holds frame %u, model %u", step, k, i,
                           m->dense[m->stack[m->n - 1 - k]]);
        if (fa->prev[i] != prev)
            cr_assert_fail("%s: prev link of %u is %u, want %u", step, i, fa->prev[i], prev);
        if (fa->owner[i] != FRAME_FREE)
            cr_assert_fail("%s: listed frame %u not free", step, i);
        prev = i;
    }
    cr_assert_eq(k, m->n, "%s: free list holds %u, model %u", step, k, m->n);
}

/* An address for a random slot: mostly a slot of the map, sometimes just past it, sometimes not
 * page aligned (*aligned says which). */
static uint64_t random_addr(const struct model *m, uint32_t *slot, int *aligned)
{
    *slot = (uint32_t)(rnd() % (m->span + 2));
    *aligned = rnd() % 16 != 0;
    return slot_phys(m, *slot) + (*aligned ? 0 : 1 + rnd() % 0xFFF);
}

static unsigned random_owner(void)
{
    uint64_t r = rnd() % 32;
    return r == 0 ? FRAME_FREE : r == 1 ? FRAME_MAX_OWNERS : 1 + (unsigned)(rnd() % (FRAME_MAX_OWNERS - 1));
}

/* 200 random maps x 2000 random operations (alloc, free, contig, claim, lock, unlock, release),
 * each checked against the model: return values, the frame handed out (LIFO), owners, counters
 * and the free list itself after every step. */
Test(frame, random_operations_match_model)
{
    static struct model m;
    struct bi_mem_range map[16];
    struct frame_alloc fa;
    struct kerr e;
    char step[96];
    rs = 0x5EED0F4A3E;
    unsigned maps = 0, nonram = 0, ok[7] = { 0 };
    while (maps < 200) {
        uint32_t n = random_map(&m, map);
        size_t need = frame_meta_size(map, n);
        void *meta = malloc(need ? need : 1);
        cr_assert_not_null(meta);
        int r = frame_init(&fa, map, n, meta, need, &e);
        uint32_t tracked = 0;
        for (uint32_t t = 0; t < NELEM(m.owner); t++)
            tracked += m.owner[t] >= 0;
        if (!tracked) {
            /* no tracked range at all */
            cr_assert_eq(r, -1, "map %u has no RAM, frame_init accepted it", maps);
            nonram++;
            free(meta);
            continue;
        }
        cr_assert_eq(r, 0, "map %u: %s", maps, e.msg);
        snprintf(step, sizeof step, "map %u init", maps);
        model_check(&fa, &m, step);
        for (unsigned op = 0; op < 2000; op++) {
            uint64_t choice = rnd() % 100, p = 0, addr;
            uint32_t s;
            int al, want, got;
            unsigned owner = random_owner();
            snprintf(step, sizeof step, "map %u op %u (%llu)", maps, op, (unsigned long long)choice);
            if (choice < 25) {                                  /* alloc */
                uint32_t vz;
                got = frame_alloc(&fa, owner, &p);
                s = model_next(&m, &vz);
                want = owner != FRAME_FREE && owner < FRAME_MAX_OWNERS && s != FRAME_NIL ? 0 : -1;
                cr_assert_eq(got, want, "%s: frame_alloc(owner %u)", step, owner);
                if (!got) {
                    cr_assert_eq(p, slot_phys(&m, s), "%s: alloc got 0x%llx, the model's next is "
                                 "0x%llx", step, (unsigned long long)p,
                                 (unsigned long long)slot_phys(&m, s));
                    if (vz != FRAME_NIL) {
                        m.vcur[vz]++;
                        m.owner[s] = (int)owner;
                    } else
                        model_take(&m, s, owner);
                    ok[0]++;
                }
            } else if (choice < 45) {                           /* free */
                addr = random_addr(&m, &s, &al);
                want = al && m.owner[s] > 0 && !m.locks[s] ? 0 : -1;
                clear_err(&e);
                got = frame_free(&fa, addr, &e);
                cr_assert_eq(got, want, "%s: frame_free(0x%llx)", step, (unsigned long long)addr);
                if (!got) {
                    m.owner[s] = FRAME_FREE;
                    model_push(&m, s);
                    ok[1]++;
                } else
                    cr_assert_neq(e.msg[0], 0, "%s: no message", step);
            } else if (choice < 55) {                           /* contig */
                uint32_t count = 1 + (uint32_t)(rnd() % 6), align = 1u << (rnd() % 4);
                uint64_t limit = rnd() % 3 ? 0 : slot_phys(&m, (uint32_t)(rnd() % (m.span + 4))) +
                                 (rnd() % 2 ? rnd() % PG : 0);
                int valid = owner != FRAME_FREE && owner < FRAME_MAX_OWNERS, exists = 0;
                for (uint32_t st = 0; valid && !exists && st + count <= NELEM(m.owner); st++) {
                    if ((m.base_pfn + st) % align)
                        continue;
                    if (limit && slot_phys(&m, st + count) > limit)
                        break;
                    exists = 1;
                    for (uint32_t k = 0; k < count && exists; k++)
                        exists = m.owner[st + k] == FRAME_FREE;
                }
                clear_err(&e);
                got = frame_alloc_contig(&fa, owner, count, align, 0, limit, &p, &e);
                cr_assert_eq(got, exists ? 0 : -1, "%s: contig(%u, %u, owner %u, limit 0x%llx)",
                             step, count, align, owner, (unsigned long long)limit);
                if (!got) {
                    cr_assert_eq(p % PG, 0);
                    cr_assert_geq(p / PG, m.base_pfn, "%s", step);
                    s = (uint32_t)(p / PG - m.base_pfn);
                    cr_assert_leq(s + count, NELEM(m.owner), "%s", step);
                    cr_assert_eq((p / PG) % align, 0, "%s: 0x%llx unaligned", step,
                                 (unsigned long long)p);
                    cr_assert(!limit || p + count * PG <= limit, "%s: past limit", step);
                    for (uint32_t k = 0; k < count; k++) {
                        cr_assert_eq(m.owner[s + k], FRAME_FREE, "%s: contig took slot %u", step, s + k);
                        model_make_upto(&m, model_zone(&m, s + k), s + k + 1);
                        model_take(&m, s + k, owner);
                    }
                    ok[2]++;
                } else
                    cr_assert_neq(e.msg[0], 0, "%s: no message", step);
            } else if (choice < 63) {                           /* claim */
                uint32_t count = 1 + (uint32_t)(rnd() % 4);
                addr = random_addr(&m, &s, &al);
                if (rnd() % 2) {                /* half the time, start at a free frame */
                    for (uint32_t t = 0, u = (uint32_t)(rnd() % (m.span + 1)); t <= m.span; t++)
                        if (m.owner[(u + t) % (m.span + 1)] == FRAME_FREE) {
                            s = (u + t) % (m.span + 1);
                            addr = slot_phys(&m, s) + (al ? 0 : 0x10);
                            break;
                        }
                }
                want = al && owner != FRAME_FREE && owner < FRAME_MAX_OWNERS ? 0 : -1;
                for (uint32_t k = 0; k < count && !want; k++)
                    if (s + k >= NELEM(m.owner) || m.owner[s + k] != FRAME_FREE)
                        want = -1;
                clear_err(&e);
                got = frame_claim(&fa, addr, count, owner, &e);
                cr_assert_eq(got, want, "%s: claim(0x%llx, %u, owner %u)", step,
                             (unsigned long long)addr, count, owner);
                if (!got) {
                    for (uint32_t k = 0; k < count; k++) {
                        model_make_upto(&m, model_zone(&m, s + k), s + k + 1);
                        model_take(&m, s + k, owner);
                    }
                    ok[3]++;
                } else
                    cr_assert_neq(e.msg[0], 0, "%s: no message", step);
            } else if (choice < 78) {                           /* lock */
                addr = random_addr(&m, &s, &al);
                want = al && m.owner[s] > 0 && m.locks[s] < 0xFFFF ? 0 : -1;
                got = frame_lock(&fa, addr, &e);
                cr_assert_eq(got, want, "%s: lock(0x%llx)", step, (unsigned long long)addr);
                if (!got)
                    m.locks[s]++, ok[4]++;
            } else if (choice < 95) {                           /* unlock */
                addr = random_addr(&m, &s, &al);
                want = al && m.owner[s] > 0 && m.locks[s] ? 0 : -1;
                got = frame_unlock(&fa, addr, &e);
                cr_assert_eq(got, want, "%s: unlock(0x%llx)", step, (unsigned long long)addr);
                if (!got)
                    m.locks[s]--, ok[5]++;
            } else {                                            /* release */
                /* the owner's unlocked frames go on top of the free list, in an order frame.h
                 * leaves open: take it from the list, checking it is exactly that set */
                uint8_t mark[NELEM(m.owner)] = { 0 };
                uint32_t cnt = 0, i = 0;
                for (uint32_t t = 0; owner != FRAME_FREE && t < NELEM(m.owner); t++)
                    if (m.owner[t] == (int)owner && !m.locks[t])
                        mark[t] = 1, cnt++;
                uint32_t rel = frame_release_owner(&fa, owner);
                cr_assert_eq(rel, cnt, "%s: release(%u) freed %u, model %u", step, owner, rel, cnt);
                i = fa.head;
                for (uint32_t k = 0; k < cnt; k++, i = fa.next[i]) {
                    cr_assert_lt(i, fa.nframes, "%s: free list too short after release", step);
                    s = m.slot_of[i];
                    cr_assert_eq(mark[s], 1, "%s: list position %u after release: slot %u", step, k, s);
                    mark[s] = 2;
                    m.owner[s] = FRAME_FREE;
                    m.stack[m.n + cnt - 1 - k] = s;
                }
                m.n += cnt;
                ok[6] += cnt != 0;
            }
            model_check(&fa, &m, step);
        }
        free(meta);
        maps++;
    }
    /* the generator really exercised every operation */
    for (int i = 0; i < 7; i++)
        cr_assert_gt(ok[i], 1000, "operation %d succeeded only %u times", i, ok[i]);
    cr_assert_gt(nonram, 0, "no RAM-less map was generated");
}

/* ---- scale ----------------------------------------------------------------------------------- */

/* 12 bytes per 4 KB frame: for RAM at 0..2 GB and 4..7 GB (with the usual holes) the metadata is
 * 0.29 % of the RAM, well under 0.5 %. */
Test(frame, metadata_overhead_5gb)
{
    const struct bi_mem_range map[] = {
        R(0x0, 0x9F000, BI_MEM_USABLE),
        R(0x9F000, 0x61000, BI_MEM_RESERVED),
        R(0x100000, 0x7FF00000, BI_MEM_USABLE),
        R(0x80000000, 0x60000000, BI_MEM_MMIO),
        R(0xFEC00000, 0x1000, BI_MEM_MMIO),
        R(0x100000000ull, 0xC0000000ull, BI_MEM_USABLE),
    };
    uint64_t ram = 0;
    for (unsigned i = 0; i < NELEM(map); i++)
        if (map[i].type == BI_MEM_USABLE)
            ram += map[i].length;
    size_t meta_bytes = frame_meta_size(map, NELEM(map));
    cr_assert_leq((uint64_t)meta_bytes * 1000, ram * 5, "metadata %zu bytes for %llu bytes of RAM",
                  meta_bytes, (unsigned long long)ram);
    cr_assert_eq((uint64_t)meta_bytes * 10000 / ram, 29, "overhead %llu/10000",
                 (unsigned long long)((uint64_t)meta_bytes * 10000 / ram));
    struct frame_alloc fa;
    void *meta = init_ok(&fa, map, NELEM(map));
    cr_assert_eq((uint64_t)fa.nframes * PG, ram);
    cr_assert_eq(fa.nfree, fa.nframes);
    cr_assert_eq(fa.nzones, 3);
    free(meta);
}

/* 48 GB of RAM in 60 zones (150 MB of metadata; 64 GB takes ~1 s alone here but over 2 s beside
 * the random test): init, a full free-list check, and alloc/free/claim/contig round trips at both
 * ends and in the middle. */
Test(frame, huge_map_48gb_in_60_zones)
{
    enum { NZ = 60 };
    const uint64_t total = 48ull << 18;             /* frames in 48 GB */
    const uint64_t per = total / NZ, stride = 0x50000;
    struct bi_mem_range map[NZ + 2];
    unsigned n = 0;
    uint64_t zbase[NZ], zcount[NZ];
    for (unsigned z = 0; z < NZ; z++) {
        zbase[z] = z * stride + 0x10;
        zcount[z] = z == NZ - 1 ? total - per * (NZ - 1) : per;
        if (z == 0) {       /* two adjacent ranges, owned and free: two zones of frame.h's */
            map[n++] = (struct bi_mem_range)R(zbase[z] * PG, 0x100 * PG, BI_MEM_VMM);
            map[n++] = (struct bi_mem_range)R((zbase[z] + 0x100) * PG, (zcount[z] - 0x100) * PG,
                                              BI_MEM_USABLE);
        } else
            map[n++] = (struct bi_mem_range)R(zbase[z] * PG, zcount[z] * PG,
                                              z % 2 ? BI_MEM_RECLAIMABLE : BI_MEM_USABLE);
        if (z == 30)
            map[n++] = (struct bi_mem_range)R((zbase[z] + zcount[z]) * PG, PG, BI_MEM_MMIO);
    }
    cr_assert_eq(frame_meta_size(map, n), total * 12);
    struct frame_alloc fa;
    struct kerr e;
    void *meta = init_ok(&fa, map, n);
    cr_assert_eq(fa.nzones, NZ + 1);
    cr_assert_eq(fa.nframes, total);
    cr_assert_eq(fa.nfree, total - 0x100);
    cr_assert_eq(fa.per_owner[FRAME_VMM], 0x100);
    cr_assert_eq(fa.zone[0].base_pfn, zbase[0]);
    cr_assert_eq(fa.zone[0].count, 0x100);
    cr_assert_eq(fa.zone[1].base_pfn, zbase[0] + 0x100);
    cr_assert_eq(fa.zone[1].count, zcount[0] - 0x100);
    for (unsigned z = 1; z < NZ; z++) {
        cr_assert_eq(fa.zone[z + 1].base_pfn, zbase[z]);
        cr_assert_eq(fa.zone[z + 1].count, zcount[z]);
    }
    check_integrity(&fa);

    uint64_t p, q, last = zbase[NZ - 1] + zcount[NZ - 1] - 1, mid = zbase[37] + 12345;
    cr_assert_eq(frame_alloc(&fa, FRAME_PAGES, &p), 0);
    cr_assert_eq(p, (zbase[0] + 0x100) * PG);
    for (int i = 0; i < 1000; i++) {
        cr_assert_eq(frame_alloc(&fa, FRAME_PAGES, &q), 0);
        cr_assert_eq(q, p + (uint64_t)(i + 1) * PG);
    }
    cr_assert_eq(frame_claim(&fa, last * PG, 1, FRAME_META, &e), 0, "%s", e.msg);
    cr_assert_eq(frame_owner(&fa, last * PG), FRAME_META);
    cr_assert_eq(frame_owner(&fa, (last + 1) * PG), -1);
    cr_assert_eq(frame_owner(&fa, (zbase[37] - 1) * PG), -1);
    cr_assert_eq(frame_claim(&fa, mid * PG, 3, FRAME_META, &e), 0, "%s", e.msg);
    cr_assert_eq(frame_free(&fa, mid * PG + PG, &e), 0, "%s", e.msg);
    cr_assert_eq(frame_alloc(&fa, 9, &q), 0);
    cr_assert_eq(q, mid * PG + PG);
    cr_assert_eq(frame_free(&fa, last * PG, &e), 0, "%s", e.msg);
    cr_assert_eq(frame_alloc(&fa, 9, &q), 0);
    cr_assert_eq(q, last * PG);
    cr_assert_eq(frame_alloc_contig(&fa, FRAME_PAGES, 1024, 1024, 0, 0, &q, &e), 0, "%s", e.msg);
    cr_assert_eq(q % (1024 * PG), 0);
    cr_assert_geq(q, p + 1001 * PG);
    expect_run(&fa, q, 1024, 1024, 0, FRAME_PAGES);
    cr_assert_eq(frame_alloc_contig(&fa, FRAME_PAGES, 16, 1, 0, 0, &q, &e), 0, "%s", e.msg);
    expect_run(&fa, q, 16, 1, 0, FRAME_PAGES);
    /* held: 1001 + 1024 + 16 frames by FRAME_PAGES, 2 by owner 9, 2 by FRAME_META */
    cr_assert_eq(fa.nfree, total - 0x100 - (1001 + 1024 + 16) - 2 - 2);
    cr_assert_eq(fa.per_owner[FRAME_PAGES], 1001 + 1024 + 16);
    cr_assert_eq(fa.per_owner[9], 2);
    cr_assert_eq(fa.per_owner[FRAME_META], 2);
    free(meta);
}

/* The smallest map: one frame.  It is handed out, then the allocator is empty; freed, it comes
 * back. */
Test(frame, tiny_map_single_frame)
{
    const struct bi_mem_range map[] = { R(0x7000, PG, BI_MEM_USABLE) };
    struct frame_alloc fa;
    struct kerr e;
    uint64_t p;
    void *meta = init_ok(&fa, map, 1);
    cr_assert_eq(fa.nframes, 1);
    cr_assert_eq(fa.nfree, 1);
    cr_assert_eq(frame_alloc(&fa, FRAME_PAGES, &p), 0);
    cr_assert_eq(p, 0x7000);
    cr_assert_eq(frame_alloc(&fa, FRAME_PAGES, &p), -1);
    cr_assert_eq(frame_alloc_contig(&fa, FRAME_PAGES, 1, 1, 0, 0, &p, &e), -1);
    cr_assert_eq(fa.nfree, 0);
    cr_assert_eq(frame_free(&fa, 0x7000, &e), 0, "%s", e.msg);
    cr_assert_eq(frame_alloc_contig(&fa, FRAME_PAGES, 1, 8, 0, 0, &p, &e), -1);   /* 7 is not aligned */
    cr_assert_eq(frame_alloc_contig(&fa, FRAME_PAGES, 1, 1, 0, 0, &p, &e), 0, "%s", e.msg);
    cr_assert_eq(p, 0x7000);
    cr_assert_eq(frame_release_owner(&fa, FRAME_PAGES), 1);
    cr_assert_eq(frame_alloc(&fa, FRAME_PAGES, &p), 0);
    cr_assert_eq(p, 0x7000);
    check_integrity(&fa);
    free(meta);
}

/* Setting up costs the ranges, not the frames: frame_init writes no free frame's metadata (a
 * pattern laid in the buffer survives it), only the owned ones'; the first allocation writes
 * its own frame's and no other's. */
Test(frame, init_writes_no_free_frame)
{
    const struct bi_mem_range map[] = {
        R(0x100000, 0x3FF00000, BI_MEM_USABLE),        /* 1 GB less 1 MB, free */
        R(0x40000000, 0x10000, BI_MEM_MODULES),         /* 16 frames, owned */
    };
    size_t need = frame_meta_size(map, NELEM(map));
    uint8_t *meta = malloc(need);
    cr_assert_not_null(meta);
    memset(meta, 0xA5, need);
    struct frame_alloc fa;
    struct kerr e;
    cr_assert_eq(frame_init(&fa, map, NELEM(map), meta, need, &e), 0, "%s", e.msg);
    uint32_t nfree = 0x3FF00, untouched = 0;
    for (uint32_t i = 0; i < nfree; i++)
        untouched += fa.next[i] == 0xA5A5A5A5u && fa.prev[i] == 0xA5A5A5A5u &&
                     fa.owner[i] == 0xA5A5 && fa.locks[i] == 0xA5A5;
    cr_assert_eq(untouched, nfree, "frame_init wrote %u free frames' metadata", nfree - untouched);
    for (uint32_t i = nfree; i < nfree + 16; i++)
        cr_assert(fa.owner[i] == FRAME_MODULES && fa.locks[i] == 0, "owned frame %u", i);
    cr_assert_eq(fa.nfree, nfree);
    uint64_t p;
    cr_assert_eq(frame_alloc(&fa, FRAME_PAGES, &p), 0);
    cr_assert_eq(p, 0x100000, "the lowest frame first");
    cr_assert(fa.owner[0] == FRAME_PAGES && fa.locks[0] == 0);
    cr_assert(fa.owner[1] == 0xA5A5 && fa.next[1] == 0xA5A5A5A5u, "frame 1 untouched");
    cr_assert_eq(frame_free(&fa, p, &e), 0, "%s", e.msg);
    cr_assert_eq(frame_owner(&fa, 0x200000), FRAME_FREE, "a virgin frame is free");
    cr_assert_eq(frame_lock(&fa, 0x200000, &e), -1, "a virgin frame cannot be locked");
    cr_assert_eq(frame_free(&fa, 0x200000, &e), -1, "nor freed");
    cr_assert_neq(strstr(e.msg, "free"), NULL, "%s", e.msg);
    check_integrity(&fa);
    free(meta);
}
