/*
 * Host tests for efi/memmap.c: UEFI memory descriptors -> sorted, disjoint, merged, page-granular
 * struct bi_mem_range[].
 *
 * Maps are built in exact-size heap buffers (ASan catches reads past map_size) with garbage in the
 * descriptor padding and the unused fields.  Larger cases are compared against an independent
 * reference model: a per-page type array over a small address space.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "memmap.h"
#include "testlib.h"

#define PG 4096ull

/* EFI memory types (UEFI 2.x, EFI_MEMORY_TYPE) */
enum {
    EFI_RESERVED = 0, EFI_LOADER_CODE, EFI_LOADER_DATA, EFI_BS_CODE, EFI_BS_DATA, EFI_RT_CODE,
    EFI_RT_DATA, EFI_CONVENTIONAL, EFI_UNUSABLE, EFI_ACPI_RECLAIM, EFI_ACPI_NVS, EFI_MMIO,
    EFI_MMIO_PORT, EFI_PAL_CODE, EFI_PERSISTENT, EFI_UNACCEPTED
};

/* ---- building maps --------------------------------------------------------------------------- */

struct desc { uint32_t type; uint64_t phys, pages; };

struct map {
    unsigned char *p;
    size_t size;
    size_t desc_size;
};

/* Lays the descriptors out desc_size apart in an exact-size buffer; the padding and the unused
 * fields (virt, attr, pad) hold garbage the converter must ignore. */
static struct map make_map(const struct desc *d, size_t n, size_t desc_size)
{
    size_t size = n * desc_size;
    struct map m = { malloc(size ? size : 1), size, desc_size };
    cr_assert_not_null(m.p);
    memset(m.p, 0xDB, n * desc_size);
    for (size_t i = 0; i < n; i++) {
        struct efi_mdesc e = { d[i].type, 0xDEADBEEF, d[i].phys, 0x5A5A5A5A5A5A5A5Aull, d[i].pages,
                               0x800000000000000Full };
        memcpy(m.p + i * desc_size, &e, sizeof e);
    }
    return m;
}

/* Converts n descriptors (desc_size apart) with the given cap; returns the count or -1. */
static int convert(const struct desc *d, size_t n, size_t desc_size, struct bi_mem_range *out,
                   uint32_t cap, struct kerr *e)
{
    struct map m = make_map(d, n, desc_size);
    int r = memmap_convert(m.p, m.size, m.desc_size, out, cap, e);
    free(m.p);
    return r;
}

struct range { uint64_t base, length; uint32_t type; };

/* Asserts that out[0..n) is exactly the expected list. */
static void expect_ranges(const struct bi_mem_range *out, int n, const struct range *want, int nwant)
{
    cr_assert_eq(n, nwant, "got %d ranges, want %d", n, nwant);
    for (int i = 0; i < n; i++) {
        cr_assert_eq(out[i].base, want[i].base, "range %d base 0x%llx, want 0x%llx", i,
                     (unsigned long long)out[i].base, (unsigned long long)want[i].base);
        cr_assert_eq(out[i].length, want[i].length, "range %d length 0x%llx, want 0x%llx", i,
                     (unsigned long long)out[i].length, (unsigned long long)want[i].length);
        cr_assert_eq(out[i].type, want[i].type, "range %d type %u, want %u", i, out[i].type,
                     want[i].type);
        cr_assert_eq(out[i].reserved, 0, "range %d reserved field", i);
    }
}

/* The structural promises of memmap.h: sorted, disjoint, whole pages, non-empty, valid types,
 * adjacent runs of one type merged. */
static void expect_well_formed(const struct bi_mem_range *out, int n)
{
    for (int i = 0; i < n; i++) {
        cr_assert(out[i].length > 0, "range %d empty", i);
        cr_assert_eq((out[i].base | out[i].length) % PG, 0, "range %d not page-granular", i);
        cr_assert(out[i].type >= 1 && out[i].type <= BI_MEM_TYPE_MAX, "range %d type %u", i,
                  out[i].type);
        cr_assert_eq(out[i].reserved, 0);
        if (i) {
            uint64_t prev_end = out[i - 1].base + out[i - 1].length;
            cr_assert(prev_end <= out[i].base, "range %d overlaps or precedes range %d", i, i - 1);
            cr_assert(!(prev_end == out[i].base && out[i - 1].type == out[i].type),
                      "ranges %d and %d (type %u) should have been merged", i - 1, i, out[i].type);
        }
    }
}

/* ---- the reference model --------------------------------------------------------------------- */

/* EFI type -> BI type, written out from the UEFI spec and bootinfo.h, independently of the code. */
static uint32_t model_type(uint32_t t)
{
    if (t == EFI_LOADER_CODE || t == EFI_LOADER_DATA || t == EFI_BS_CODE || t == EFI_BS_DATA)
        return BI_MEM_RECLAIMABLE;
    if (t == EFI_RT_CODE || t == EFI_RT_DATA) return BI_MEM_RUNTIME;
    if (t == EFI_CONVENTIONAL) return BI_MEM_USABLE;
    if (t == EFI_UNUSABLE) return BI_MEM_BAD;
    if (t == EFI_ACPI_RECLAIM) return BI_MEM_ACPI_RECLAIM;
    if (t == EFI_ACPI_NVS) return BI_MEM_ACPI_NVS;
    if (t == EFI_MMIO || t == EFI_MMIO_PORT) return BI_MEM_MMIO;
    if (t == EFI_PERSISTENT) return BI_MEM_PERSISTENT;
    if (t == LOADER_MEM_VMM) return BI_MEM_VMM;
    if (t == LOADER_MEM_MODULES) return BI_MEM_MODULES;
    if (t == LOADER_MEM_BOOTDATA) return BI_MEM_BOOTDATA;
    return BI_MEM_RESERVED;
}

/* Restrictiveness, least first: where descriptors overlap the later type in this list wins. */
static const uint32_t restrictiveness[] = {
    BI_MEM_USABLE, BI_MEM_RECLAIMABLE, BI_MEM_BOOTDATA, BI_MEM_MODULES, BI_MEM_VMM,
    BI_MEM_ACPI_RECLAIM, BI_MEM_RUNTIME, BI_MEM_ACPI_NVS, BI_MEM_PERSISTENT, BI_MEM_MMIO,
    BI_MEM_RESERVED, BI_MEM_BAD,
};

static unsigned model_rank(uint32_t bi)
{
    for (unsigned i = 0; i < sizeof restrictiveness / sizeof restrictiveness[0]; i++)
        if (restrictiveness[i] == bi)
            return i + 1;
    cr_assert_fail("no rank for type %u", bi);
    return 0;
}

/* Per-page model over [0, npages): each page gets the most restrictive type of the descriptors
 * covering it after rounding (free memory inwards, anything else outwards).  Returns the merged
 * ranges in want (capacity npages). */
static int model(const struct desc *d, size_t n, size_t npages, struct range *want)
{
    uint8_t *page = calloc(npages, 1);      /* BI type, 0 = not described */
    cr_assert_not_null(page);
    for (size_t i = 0; i < n; i++) {
        if (!d[i].pages)
            continue;
        uint32_t t = model_type(d[i].type);
        uint64_t b = d[i].phys, x = d[i].phys + d[i].pages * PG, first, end;
        if (t == BI_MEM_USABLE)
            first = (b + PG - 1) / PG, end = x / PG;
        else
            first = b / PG, end = (x + PG - 1) / PG;
        cr_assert_leq(end, npages, "model address space too small");
        for (uint64_t p = first; p < end; p++)
            if (!page[p] || model_rank(t) > model_rank(page[p]))
                page[p] = (uint8_t)t;
    }
    int k = 0;
    for (size_t p = 0; p < npages; p++) {
        if (!page[p])
            continue;
        if (k && want[k - 1].type == page[p] && want[k - 1].base + want[k - 1].length == p * PG)
            want[k - 1].length += PG;
        else
            want[k++] = (struct range){ p * PG, PG, page[p] };
    }
    free(page);
    return k;
}

/* Converts and compares with the model exactly. */
static void expect_model(const struct desc *d, size_t n, size_t desc_size, size_t npages)
{
    uint32_t cap = (uint32_t)(2 * n + 1);
    struct bi_mem_range *out = malloc(cap * sizeof *out);
    struct range *want = malloc(npages * sizeof *want);
    cr_assert(out && want);
    struct kerr e;
    strcpy(e.msg, "(none)");
    int r = convert(d, n, desc_size, out, cap, &e);
    cr_assert_geq(r, 0, "memmap_convert failed: %s", e.msg);
    expect_well_formed(out, r);
    int k = model(d, n, npages, want);
    expect_ranges(out, r, want, k);
    free(out);
    free(want);
}

static uint64_t rng_state;
static uint64_t rnd(void) { return rng_next(&rng_state); }

static void shuffle(struct desc *d, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(rnd() % i);
        struct desc t = d[i - 1];
        d[i - 1] = d[j];
        d[j] = t;
    }
}

/* ---- layout and ordering --------------------------------------------------------------------- */

/* OVMF's 48-byte descriptors: entries are desc_size apart and the 8 bytes of padding (garbage)
 * between them are not read as data. */
Test(memmap, desc_size_48_with_garbage_padding)
{
    const struct desc d[] = {
        { EFI_CONVENTIONAL, 0x0, 0xA0 },
        { EFI_RESERVED, 0xA0000, 0x60 },
        { EFI_BS_DATA, 0x100000, 0x100 },
    };
    struct bi_mem_range out[8];
    struct kerr e;
    int n = convert(d, 3, 48, out, 8, &e);
    const struct range want[] = {
        { 0x0, 0xA0000, BI_MEM_USABLE },
        { 0xA0000, 0x60000, BI_MEM_RESERVED },
        { 0x100000, 0x100000, BI_MEM_RECLAIMABLE },
    };
    expect_ranges(out, n, want, 3);
}

/* Larger strides too (the spec allows any size >= 40 that keeps alignment). */
Test(memmap, larger_descriptor_strides)
{
    const size_t sizes[] = { 40, 48, 56, 64, 128 };
    const struct desc d[] = { { EFI_CONVENTIONAL, 0x1000, 3 }, { EFI_ACPI_NVS, 0x8000, 1 } };
    const struct range want[] = { { 0x1000, 0x3000, BI_MEM_USABLE }, { 0x8000, 0x1000, BI_MEM_ACPI_NVS } };
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        struct bi_mem_range out[8];
        struct kerr e;
        int n = convert(d, 2, sizes[i], out, 8, &e);
        expect_ranges(out, n, want, 2);
    }
}

/* Descriptors in reverse/random order come out sorted by base. */
Test(memmap, unsorted_input_is_sorted)
{
    const struct desc d[] = {
        { EFI_CONVENTIONAL, 0x400000, 0x10 },
        { EFI_ACPI_RECLAIM, 0x200000, 0x1 },
        { EFI_MMIO, 0xFEC00000, 0x1 },
        { EFI_RT_CODE, 0x1000, 0x2 },
    };
    struct bi_mem_range out[8];
    struct kerr e;
    int n = convert(d, 4, 48, out, 8, &e);
    const struct range want[] = {
        { 0x1000, 0x2000, BI_MEM_RUNTIME },
        { 0x200000, 0x1000, BI_MEM_ACPI_RECLAIM },
        { 0x400000, 0x10000, BI_MEM_USABLE },
        { 0xFEC00000, 0x1000, BI_MEM_MMIO },
    };
    expect_ranges(out, n, want, 4);
}

/* Touching ranges of one BI type merge, also when their EFI types differ (loader code, loader
 * data, boot services code/data all become RECLAIMABLE), and chains of them merge into one. */
Test(memmap, adjacent_same_type_merge)
{
    const struct desc d[] = {
        { EFI_CONVENTIONAL, 0x3000, 2 },
        { EFI_CONVENTIONAL, 0x0, 3 },
        { EFI_CONVENTIONAL, 0x5000, 1 },
        { EFI_LOADER_CODE, 0x10000, 1 },
        { EFI_LOADER_DATA, 0x11000, 1 },
        { EFI_BS_CODE, 0x12000, 1 },
        { EFI_BS_DATA, 0x13000, 1 },
    };
    struct bi_mem_range out[16];
    struct kerr e;
    int n = convert(d, 7, 48, out, 16, &e);
    const struct range want[] = {
        { 0x0, 0x6000, BI_MEM_USABLE },
        { 0x10000, 0x4000, BI_MEM_RECLAIMABLE },
    };
    expect_ranges(out, n, want, 2);
}

/* Touching ranges of different BI types stay separate; a gap keeps same types apart. */
Test(memmap, adjacent_different_types_do_not_merge)
{
    const struct desc d[] = {
        { EFI_CONVENTIONAL, 0x0, 1 },
        { EFI_LOADER_DATA, 0x1000, 1 },
        { EFI_CONVENTIONAL, 0x2000, 1 },
        { EFI_CONVENTIONAL, 0x4000, 1 },      /* gap at 0x3000 */
    };
    struct bi_mem_range out[8];
    struct kerr e;
    int n = convert(d, 4, 48, out, 8, &e);
    const struct range want[] = {
        { 0x0, 0x1000, BI_MEM_USABLE },
        { 0x1000, 0x1000, BI_MEM_RECLAIMABLE },
        { 0x2000, 0x1000, BI_MEM_USABLE },
        { 0x4000, 0x1000, BI_MEM_USABLE },
    };
    expect_ranges(out, n, want, 4);
}

/* ---- types ----------------------------------------------------------------------------------- */

/* memmap_bi_type agrees with the table written from the spec for every standard type, the loader's
 * OS-reserved types, their neighbours and OEM/unknown values. */
Test(memmap, efi_type_translation_table)
{
    const uint32_t types[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 100,
                               0x6FFFFFFFu, 0x70000000u, 0x7FFFFFFFu, 0x80000000u, 0x80000001u,
                               0x80000002u, 0x80000003u, 0x80000004u, 0xFFFFFFFFu };
    for (unsigned i = 0; i < sizeof types / sizeof types[0]; i++)
        cr_assert_eq(memmap_bi_type(types[i]), model_type(types[i]), "EFI type 0x%x", types[i]);
    /* spot checks written out, so that a shared mistake in model_type is caught too */
    cr_assert_eq(memmap_bi_type(EFI_CONVENTIONAL), BI_MEM_USABLE);
    cr_assert_eq(memmap_bi_type(EFI_BS_DATA), BI_MEM_RECLAIMABLE);
    cr_assert_eq(memmap_bi_type(EFI_LOADER_CODE), BI_MEM_RECLAIMABLE);
    cr_assert_eq(memmap_bi_type(LOADER_MEM_VMM), BI_MEM_VMM);
    cr_assert_eq(memmap_bi_type(LOADER_MEM_MODULES), BI_MEM_MODULES);
    cr_assert_eq(memmap_bi_type(LOADER_MEM_BOOTDATA), BI_MEM_BOOTDATA);
    cr_assert_eq(memmap_bi_type(0x70000000u), BI_MEM_RESERVED);
    cr_assert_eq(memmap_bi_type(EFI_PAL_CODE), BI_MEM_RESERVED);
    cr_assert_eq(memmap_bi_type(EFI_UNACCEPTED), BI_MEM_RESERVED);
    cr_assert_eq(memmap_bi_type(EFI_MMIO_PORT), BI_MEM_MMIO);
    cr_assert_eq(memmap_bi_type(EFI_RT_DATA), BI_MEM_RUNTIME);
    cr_assert_eq(memmap_bi_type(EFI_ACPI_NVS), BI_MEM_ACPI_NVS);
    cr_assert_eq(memmap_bi_type(EFI_UNUSABLE), BI_MEM_BAD);
}

/* The translation is applied to the output ranges (one separated descriptor per EFI type). */
Test(memmap, output_carries_translated_types)
{
    const uint32_t types[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0x80000001u,
                               0x80000002u, 0x80000003u, 0x80000004u, 0x90000000u };
    const size_t nt = sizeof types / sizeof types[0];
    struct desc d[32];
    for (size_t i = 0; i < nt; i++)
        d[i] = (struct desc){ types[i], (uint64_t)(nt - i) * 0x10000, 2 };
    struct bi_mem_range out[64];
    struct kerr e;
    int n = convert(d, nt, 48, out, 64, &e);
    cr_assert_eq(n, (int)nt);
    for (size_t i = 0; i < nt; i++) {
        /* sorted ascending, so output i is descriptor nt-1-i */
        cr_assert_eq(out[i].base, (uint64_t)(i + 1) * 0x10000);
        cr_assert_eq(out[i].type, model_type(types[nt - 1 - i]), "EFI type 0x%x", types[nt - 1 - i]);
    }
}

/* ---- overlaps -------------------------------------------------------------------------------- */

/* Free RAM overlapped by a reserved hole: reserved in the overlap, usable on both sides, whatever
 * the descriptor order. */
Test(memmap, overlap_reserved_beats_usable)
{
    const struct range want[] = {
        { 0x0, 0x4000, BI_MEM_USABLE },
        { 0x4000, 0x4000, BI_MEM_RESERVED },
        { 0x8000, 0x8000, BI_MEM_USABLE },
    };
    struct desc d[] = { { EFI_CONVENTIONAL, 0x0, 16 }, { EFI_RESERVED, 0x4000, 4 } };
    for (int order = 0; order < 2; order++) {
        if (order) {
            struct desc t = d[0];
            d[0] = d[1];
            d[1] = t;
        }
        struct bi_mem_range out[8];
        struct kerr e;
        int n = convert(d, 2, 48, out, 8, &e);
        expect_ranges(out, n, want, 3);
    }
}

/* Three nested descriptors, in all six orders: the most restrictive covering type wins in each
 * piece (MMIO > ACPI reclaim > usable). */
Test(memmap, overlap_three_way_all_orders)
{
    const struct desc base[3] = {
        { EFI_CONVENTIONAL, 0x0, 16 },
        { EFI_ACPI_RECLAIM, 0x2000, 8 },
        { EFI_MMIO, 0x6000, 2 },
    };
    const struct range want[] = {
        { 0x0, 0x2000, BI_MEM_USABLE },
        { 0x2000, 0x4000, BI_MEM_ACPI_RECLAIM },
        { 0x6000, 0x2000, BI_MEM_MMIO },
        { 0x8000, 0x2000, BI_MEM_ACPI_RECLAIM },
        { 0xA000, 0x6000, BI_MEM_USABLE },
    };
    const int perm[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };
    for (int p = 0; p < 6; p++) {
        struct desc d[3] = { base[perm[p][0]], base[perm[p][1]], base[perm[p][2]] };
        struct bi_mem_range out[16];
        struct kerr e;
        int n = convert(d, 3, 48, out, 16, &e);
        expect_ranges(out, n, want, 5);
    }
}

/* Partial (staggered) overlaps and duplicates of one type collapse into one range. */
Test(memmap, overlap_same_type_and_staggered)
{
    const struct desc d[] = {
        { EFI_CONVENTIONAL, 0x0, 8 },
        { EFI_CONVENTIONAL, 0x4000, 8 },
        { EFI_CONVENTIONAL, 0x4000, 8 },
        { EFI_RT_DATA, 0xA000, 4 },       /* overlaps the end of the second: RUNTIME wins */
    };
    struct bi_mem_range out[16];
    struct kerr e;
    int n = convert(d, 4, 48, out, 16, &e);
    const struct range want[] = {
        { 0x0, 0xA000, BI_MEM_USABLE },
        { 0xA000, 0x4000, BI_MEM_RUNTIME },
    };
    expect_ranges(out, n, want, 2);
}

/* The restrictiveness order, pairwise: for every two types a, b, a range of a overlapped by b
 * yields the more restrictive one in the overlap. */
Test(memmap, overlap_rank_order_pairwise)
{
    const uint32_t efi_of[] = {
        [BI_MEM_USABLE] = EFI_CONVENTIONAL, [BI_MEM_RECLAIMABLE] = EFI_BS_CODE,
        [BI_MEM_VMM] = LOADER_MEM_VMM, [BI_MEM_MODULES] = LOADER_MEM_MODULES,
        [BI_MEM_BOOTDATA] = LOADER_MEM_BOOTDATA, [BI_MEM_ACPI_RECLAIM] = EFI_ACPI_RECLAIM,
        [BI_MEM_ACPI_NVS] = EFI_ACPI_NVS, [BI_MEM_RUNTIME] = EFI_RT_CODE,
        [BI_MEM_RESERVED] = EFI_RESERVED, [BI_MEM_MMIO] = EFI_MMIO, [BI_MEM_BAD] = EFI_UNUSABLE,
        [BI_MEM_PERSISTENT] = EFI_PERSISTENT,
    };
    for (uint32_t a = 1; a <= BI_MEM_TYPE_MAX; a++)
        for (uint32_t b = 1; b <= BI_MEM_TYPE_MAX; b++) {
            if (a == b)
                continue;
            const struct desc d[] = { { efi_of[a], 0x0, 4 }, { efi_of[b], 0x1000, 1 } };
            struct bi_mem_range out[8];
            struct kerr e;
            int n = convert(d, 2, 48, out, 8, &e);
            uint32_t w = model_rank(a) > model_rank(b) ? a : b;
            cr_assert_geq(n, 1);
            int found = 0;
            for (int i = 0; i < n; i++)
                if (out[i].base <= 0x1000 && out[i].base + out[i].length >= 0x2000) {
                    cr_assert_eq(out[i].type, w, "%u over %u: got %u, want %u", b, a, out[i].type, w);
                    found = 1;
                }
            cr_assert(found, "%u over %u: overlap page not described", b, a);
        }
}

/* ---- rounding, sizes, limits ----------------------------------------------------------------- */

/* A descriptor with 0 pages describes nothing, wherever it claims to be. */
Test(memmap, zero_page_descriptors_skipped)
{
    const struct desc d[] = {
        { EFI_RESERVED, 0x0, 0 },
        { EFI_CONVENTIONAL, 0x1000, 2 },
        { EFI_MMIO, 0x1800, 0 },              /* would overlap if it counted */
        { EFI_RESERVED, 0xFFFFFFFFFFFFF000ull, 0 },
    };
    struct bi_mem_range out[8];
    struct kerr e;
    int n = convert(d, 4, 48, out, 8, &e);
    const struct range want[] = { { 0x1000, 0x2000, BI_MEM_USABLE } };
    expect_ranges(out, n, want, 1);
}

/* Free memory with an unaligned base is rounded inwards (a partial page is never handed out). */
Test(memmap, unaligned_usable_rounded_inward)
{
    const struct desc d[] = { { EFI_CONVENTIONAL, 0x1800, 4 } };     /* 0x1800..0x5800 */
    struct bi_mem_range out[4];
    struct kerr e;
    int n = convert(d, 1, 48, out, 4, &e);
    const struct range want[] = { { 0x2000, 0x3000, BI_MEM_USABLE } };
    expect_ranges(out, n, want, 1);
    /* one unaligned page of free memory holds no whole page: nothing */
    const struct desc one[] = { { EFI_CONVENTIONAL, 0x1001, 1 } };
    cr_assert_eq(convert(one, 1, 48, out, 4, &e), 0);
}

/* Anything else with an unaligned base is rounded outwards (a partly used page is never free). */
Test(memmap, unaligned_reserved_rounded_outward)
{
    const struct desc d[] = {
        { EFI_RESERVED, 0x1800, 2 },          /* 0x1800..0x3800 -> 0x1000..0x4000 */
        { EFI_CONVENTIONAL, 0x4000, 4 },
    };
    struct bi_mem_range out[4];
    struct kerr e;
    int n = convert(d, 2, 48, out, 4, &e);
    const struct range want[] = {
        { 0x1000, 0x3000, BI_MEM_RESERVED },
        { 0x4000, 0x4000, BI_MEM_USABLE },
    };
    expect_ranges(out, n, want, 2);
}

/* Unaligned free memory next to an unaligned reserved range: the shared page is reserved. */
Test(memmap, unaligned_boundary_page_goes_to_reserved)
{
    const struct desc d[] = {
        { EFI_CONVENTIONAL, 0x0, 3 },         /* 0x0000..0x3000 */
        { EFI_ACPI_NVS, 0x2800, 1 },          /* 0x2800..0x3800 -> 0x2000..0x4000 */
        { EFI_CONVENTIONAL, 0x3800, 4 },      /* 0x3800..0x7800 -> 0x4000..0x7000 */
    };
    struct bi_mem_range out[8];
    struct kerr e;
    int n = convert(d, 3, 48, out, 8, &e);
    const struct range want[] = {
        { 0x0, 0x2000, BI_MEM_USABLE },
        { 0x2000, 0x2000, BI_MEM_ACPI_NVS },
        { 0x4000, 0x3000, BI_MEM_USABLE },
    };
    expect_ranges(out, n, want, 3);
}

/* RAM above 4 GB (1.5 GB at 0x1_0000_0000) is kept with its full 64-bit base and length. */
Test(memmap, ram_above_4gb_preserved)
{
    const struct desc d[] = {
        { EFI_CONVENTIONAL, 0x100000, 0x3FF00 },              /* 1 MB .. 1 GB */
        { EFI_CONVENTIONAL, 0x100000000ull, 0x60000 },        /* 4 GB .. 5.5 GB */
    };
    struct bi_mem_range out[4];
    struct kerr e;
    int n = convert(d, 2, 48, out, 4, &e);
    const struct range want[] = {
        { 0x100000, 0x3FF00000, BI_MEM_USABLE },
        { 0x100000000ull, 0x60000000ull, BI_MEM_USABLE },
    };
    expect_ranges(out, n, want, 2);
}

/* Page counts whose byte size overflows 64 bits are clamped at 2^52 (the PAE limit); a
 * descriptor at or above 2^52 describes nothing addressable. */
Test(memmap, huge_page_counts_clamped_at_2_pow_52)
{
    const uint64_t huge[] = { UINT64_MAX, 1ull << 52, (1ull << 52) - 1, 1ull << 40 };
    for (unsigned i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        const struct desc d[] = { { EFI_CONVENTIONAL, 0x100000, huge[i] } };
        struct bi_mem_range out[4];
        struct kerr e;
        int n = convert(d, 1, 48, out, 4, &e);
        const struct range want[] = { { 0x100000, (1ull << 52) - 0x100000, BI_MEM_USABLE } };
        expect_ranges(out, n, want, 1);
    }
    /* unaligned reserved near the top, rounded outwards, still ends at 2^52 */
    const struct desc top[] = { { EFI_RESERVED, (1ull << 52) - 0x1800, 5 },
                                { EFI_MMIO, 1ull << 52, 1 },
                                { EFI_MMIO, UINT64_MAX - 0xFFF, 1 } };
    struct bi_mem_range out[4];
    struct kerr e;
    int n = convert(top, 3, 48, out, 4, &e);
    const struct range want[] = { { (1ull << 52) - 0x2000, 0x2000, BI_MEM_RESERVED } };
    expect_ranges(out, n, want, 1);
}

/* A cap smaller than the output: -1 and a message naming the cap, on the sorted fast path and on
 * the overlap path; the exact cap suffices. */
Test(memmap, cap_too_small)
{
    const struct desc disjoint[] = {
        { EFI_CONVENTIONAL, 0x0, 1 }, { EFI_RESERVED, 0x1000, 1 }, { EFI_ACPI_NVS, 0x2000, 1 },
    };
    struct bi_mem_range out[8];
    struct kerr e;
    memset(&e, 0, sizeof e);
    cr_assert_eq(convert(disjoint, 3, 48, out, 2, &e), -1);
    cr_assert(strstr(e.msg, "more than 2"), "%s", e.msg);
    cr_assert_eq(convert(disjoint, 3, 48, out, 3, &e), 3);

    const struct desc overlap[] = { { EFI_CONVENTIONAL, 0x0, 16 }, { EFI_RESERVED, 0x4000, 4 } };
    memset(&e, 0, sizeof e);
    cr_assert_eq(convert(overlap, 2, 48, out, 2, &e), -1);
    cr_assert(strstr(e.msg, "more than 2"), "%s", e.msg);
    cr_assert_eq(convert(overlap, 2, 48, out, 3, &e), 3);
    memset(&e, 0, sizeof e);
    cr_assert_eq(convert(overlap, 2, 48, out, 0, &e), -1);
    cr_assert(strstr(e.msg, "ranges"), "%s", e.msg);
}

/* desc_size below sizeof(struct efi_mdesc) = 40 or not a multiple of 8 is refused. */
Test(memmap, invalid_desc_size)
{
    const struct desc d[] = { { EFI_CONVENTIONAL, 0x0, 1 } };
    struct map m = make_map(d, 1, 64);
    struct bi_mem_range out[4];
    const uint64_t bad[] = { 0, 8, 32, 36, 39, 44, 52, 63 };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct kerr e;
        memset(&e, 0, sizeof e);
        cr_assert_eq(memmap_convert(m.p, 40, bad[i], out, 4, &e), -1, "desc_size %llu",
                     (unsigned long long)bad[i]);
        cr_assert(strstr(e.msg, "descriptor size"), "%s", e.msg);
    }
    struct kerr e;
    memset(&e, 0, sizeof e);
    memmap_convert(m.p, 64, 36, out, 4, &e);
    cr_assert(strstr(e.msg, "36"), "%s", e.msg);
    cr_assert_eq(memmap_convert(m.p, 64, 40, out, 4, &e), 1);
    free(m.p);
}

/* A map that is not 8-byte aligned is refused, not read (its descriptors hold 64-bit fields). */
Test(memmap, misaligned_map_refused)
{
    const struct desc d[] = { { EFI_CONVENTIONAL, 0x0, 1 } };
    struct map m = make_map(d, 1, 48);
    uint8_t *buf = malloc(48 + 8);
    cr_assert(buf);
    memcpy(buf + 1, m.p, 48);
    struct bi_mem_range out[4];
    struct kerr e;
    memset(&e, 0, sizeof e);
    cr_assert_eq(memmap_convert(buf + 1, 48, 48, out, 4, &e), -1);
    cr_assert(strstr(e.msg, "aligned"), "%s", e.msg);
    memcpy(buf, m.p, 48);
    cr_assert_eq(memmap_convert(buf, 48, 48, out, 4, &e), 1);
    free(buf);
    free(m.p);
}

/* No descriptors (or only a trailing fragment shorter than one descriptor) -> 0 ranges. */
Test(memmap, empty_map)
{
    struct bi_mem_range out[1];
    struct kerr e;
    cr_assert_eq(convert(NULL, 0, 48, out, 1, &e), 0);
    cr_assert_eq(memmap_convert(NULL, 0, 48, out, 0, &e), 0);
    const struct desc d[] = { { EFI_CONVENTIONAL, 0x0, 1 } };
    struct map m = make_map(d, 1, 48);
    cr_assert_eq(memmap_convert(m.p, 47, 48, out, 1, &e), 0);
    free(m.p);
}

/* The smallest real map: one descriptor, cap 1. */
Test(memmap, one_entry_map)
{
    const struct desc d[] = { { EFI_LOADER_DATA, 0x7000, 3 } };
    struct bi_mem_range out[1];
    struct kerr e;
    int n = convert(d, 1, 48, out, 1, &e);
    const struct range want[] = { { 0x7000, 0x3000, BI_MEM_RECLAIMABLE } };
    expect_ranges(out, n, want, 1);
}

/* ---- model comparisons ----------------------------------------------------------------------- */

static const uint32_t random_types[] = {
    EFI_CONVENTIONAL, EFI_CONVENTIONAL, EFI_CONVENTIONAL, EFI_LOADER_CODE, EFI_BS_DATA,
    EFI_RT_CODE, EFI_ACPI_RECLAIM, EFI_ACPI_NVS, EFI_MMIO, EFI_RESERVED, EFI_UNUSABLE,
    EFI_PERSISTENT, LOADER_MEM_VMM, LOADER_MEM_MODULES, LOADER_MEM_BOOTDATA, 0x70000123u,
};
#define NRANDOM_TYPES (sizeof random_types / sizeof random_types[0])

/* A 5000-descriptor map laid out like firmware's (consecutive, 1-4 pages, some gaps), shuffled:
 * the sorted fast path, compared exactly with the model. */
Test(memmap, huge_shuffled_disjoint_map_matches_model)
{
    enum { N = 5000, NPAGES = 32768 };
    struct desc *d = malloc(N * sizeof *d);
    cr_assert_not_null(d);
    rng_state = 0x3e3e3e;
    uint64_t page = 0;
    for (size_t i = 0; i < N; i++) {
        page += rnd() % 4 == 0;                 /* occasional one-page gap */
        uint64_t pages = 1 + rnd() % 4;
        d[i] = (struct desc){ random_types[rnd() % NRANDOM_TYPES], page * PG, pages };
        page += pages;
    }
    cr_assert_leq(page, NPAGES);
    shuffle(d, N);
    expect_model(d, N, 48, NPAGES);
    free(d);
}

/* The same with 5% of the descriptors moved to random places so that they overlap others: the
 * exact sweep path, compared exactly with the model. */
Test(memmap, huge_shuffled_overlapping_map_matches_model)
{
    enum { N = 5000, NPAGES = 32768 };
    struct desc *d = malloc(N * sizeof *d);
    cr_assert_not_null(d);
    rng_state = 0x4f4f4f;
    uint64_t page = 0;
    for (size_t i = 0; i < N; i++) {
        uint64_t pages = 1 + rnd() % 4;
        d[i] = (struct desc){ random_types[rnd() % NRANDOM_TYPES], page * PG, pages };
        page += pages;
    }
    for (size_t i = 0; i < N / 20; i++) {
        struct desc *x = &d[rnd() % N];
        x->pages = 1 + rnd() % 64;
        x->phys = (rnd() % (page - x->pages)) * PG + (rnd() % 2 ? rnd() % PG : 0);
    }
    shuffle(d, N);
    expect_model(d, N, 48, NPAGES);
    free(d);
}

/* Hundreds of small random maps over 0..256 pages: random types, sizes (including 0 pages),
 * unaligned bases, heavy overlaps, random descriptor strides; each compared exactly with the
 * model and checked for sorted / disjoint / page-aligned / maximally merged output. */
Test(memmap, random_maps_match_model)
{
    enum { NPAGES = 256 + 2 };
    rng_state = 0x1234567;
    for (int iter = 0; iter < 400; iter++) {
        size_t n = 1 + (size_t)(rnd() % 40);
        struct desc d[40];
        for (size_t i = 0; i < n; i++) {
            uint64_t pages = rnd() % 6 == 0 ? 0 : 1 + rnd() % 32;
            uint64_t start = rnd() % (256 - (pages ? pages : 1));
            uint64_t phys = start * PG + (rnd() % 4 == 0 ? rnd() % PG : 0);
            d[i] = (struct desc){ random_types[rnd() % NRANDOM_TYPES], phys, pages };
        }
        size_t desc_size = 40 + 8 * (size_t)(rnd() % 4);
        expect_model(d, n, desc_size, NPAGES);
    }
}

/* Converting an already converted map changes nothing (its output, as descriptors, is a fixed
 * point), a cheap consistency check of merge and sort on random input. */
Test(memmap, conversion_is_idempotent_on_random_maps)
{
    static const uint32_t bi_to_efi[BI_MEM_TYPE_MAX + 1] = {
        [BI_MEM_USABLE] = EFI_CONVENTIONAL, [BI_MEM_RECLAIMABLE] = EFI_BS_CODE,
        [BI_MEM_VMM] = LOADER_MEM_VMM, [BI_MEM_MODULES] = LOADER_MEM_MODULES,
        [BI_MEM_BOOTDATA] = LOADER_MEM_BOOTDATA, [BI_MEM_ACPI_RECLAIM] = EFI_ACPI_RECLAIM,
        [BI_MEM_ACPI_NVS] = EFI_ACPI_NVS, [BI_MEM_RUNTIME] = EFI_RT_CODE,
        [BI_MEM_RESERVED] = EFI_RESERVED, [BI_MEM_MMIO] = EFI_MMIO, [BI_MEM_BAD] = EFI_UNUSABLE,
        [BI_MEM_PERSISTENT] = EFI_PERSISTENT,
    };
    rng_state = 0xabcdef;
    for (int iter = 0; iter < 100; iter++) {
        size_t n = 1 + (size_t)(rnd() % 30);
        struct desc d[30], again[61];
        for (size_t i = 0; i < n; i++)
            d[i] = (struct desc){ random_types[rnd() % NRANDOM_TYPES], (rnd() % 200) * PG,
                                  1 + rnd() % 40 };
        struct bi_mem_range out[61], out2[61];
        struct kerr e;
        int r = convert(d, n, 48, out, 61, &e);
        cr_assert_geq(r, 0);
        for (int i = 0; i < r; i++)
            again[i] = (struct desc){ bi_to_efi[out[i].type], out[i].base, out[i].length / PG };
        int r2 = convert(again, (size_t)r, 48, out2, 61, &e);
        cr_assert_eq(r2, r, "iter %d", iter);
        cr_assert_eq(memcmp(out, out2, (size_t)r * sizeof *out), 0, "iter %d", iter);
    }
}
