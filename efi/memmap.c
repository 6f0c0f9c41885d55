/* UEFI memory map -> boot info memory map: see memmap.h. */
#include "memmap.h"
#include <stddef.h>

#define PG 4096ull
#define MAXADDR (1ull << 52)        /* PAE's limit; nothing above it is addressable */

uint32_t memmap_bi_type(uint32_t t)
{
    switch (t) {
    case 1: case 2: case 3: case 4: return BI_MEM_RECLAIMABLE;  /* loader, boot services */
    case 5: case 6:                 return BI_MEM_RUNTIME;
    case 7:                         return BI_MEM_USABLE;
    case 8:                         return BI_MEM_BAD;
    case 9:                         return BI_MEM_ACPI_RECLAIM;
    case 10:                        return BI_MEM_ACPI_NVS;
    case 11: case 12:               return BI_MEM_MMIO;
    case 14:                        return BI_MEM_PERSISTENT;
    case LOADER_MEM_VMM:            return BI_MEM_VMM;
    case LOADER_MEM_MODULES:        return BI_MEM_MODULES;
    case LOADER_MEM_BOOTDATA:       return BI_MEM_BOOTDATA;
    default:                        return BI_MEM_RESERVED;     /* 0, PAL code, unaccepted, OEM */
    }
}

/* Where firmware entries overlap, the more restrictive type wins. */
static unsigned rank(uint32_t bi_type)
{
    static const unsigned char r[BI_MEM_TYPE_MAX + 1] = {
        [BI_MEM_USABLE] = 0, [BI_MEM_RECLAIMABLE] = 1, [BI_MEM_BOOTDATA] = 2,
        [BI_MEM_MODULES] = 3, [BI_MEM_VMM] = 4, [BI_MEM_ACPI_RECLAIM] = 5,
        [BI_MEM_RUNTIME] = 6, [BI_MEM_ACPI_NVS] = 7, [BI_MEM_PERSISTENT] = 8,
        [BI_MEM_MMIO] = 9, [BI_MEM_RESERVED] = 10, [BI_MEM_BAD] = 11,
    };
    return bi_type <= BI_MEM_TYPE_MAX ? r[bi_type] : 10;
}

/* The page-granular range of one descriptor: free memory is rounded inwards (never hand out a
 * partial page), everything else outwards (never hand out a page that is partly in use).
 * Returns 0 for an empty range. */
static int desc_range(const struct efi_mdesc *d, uint64_t *base, uint64_t *end, uint32_t *type)
{
    *type = memmap_bi_type(d->type);
    if (d->pages == 0 || d->phys >= MAXADDR)
        return 0;
    uint64_t len = d->pages > (MAXADDR - d->phys) / PG ? MAXADDR - d->phys : d->pages * PG;
    uint64_t b = d->phys, x = d->phys + len;
    if (*type == BI_MEM_USABLE) {
        b = (b + PG - 1) & ~(PG - 1);
        x &= ~(PG - 1);
    } else {
        b &= ~(PG - 1);
        x = (x + PG - 1) & ~(PG - 1);
    }
    *base = b;
    *end = x;
    return x > b;
}

static const struct efi_mdesc *desc_at(const void *map, uint64_t desc_size, uint64_t i)
{
    return (const struct efi_mdesc *)((const char *)map + i * desc_size);
}

static int emit(struct bi_mem_range *out, uint32_t *n, uint32_t cap, uint64_t base, uint64_t end,
                uint32_t type, struct kerr *e)
{
    if (*n && out[*n - 1].type == type && out[*n - 1].base + out[*n - 1].length == base) {
        out[*n - 1].length += end - base;
        return 0;
    }
    if (*n == cap)
        return kerr_set(e, "memory map: more than %u ranges", cap);
    out[(*n)++] = (struct bi_mem_range){ base, end - base, type, 0 };
    return 0;
}

/* Exact but quadratic: split the address space at every boundary and give each piece the
 * highest-ranked type covering it.  Used only when the firmware's entries overlap. */
static int sweep(const void *map, uint64_t count, uint64_t desc_size,
                 struct bi_mem_range *out, uint32_t cap, struct kerr *e)
{
    uint32_t n = 0;
    uint64_t pos = 0;

    for (;;) {
        uint64_t next = UINT64_MAX;
        int covered = 0;
        uint32_t best = 0;
        for (uint64_t i = 0; i < count; i++) {
            uint64_t b, x;
            uint32_t t;
            if (!desc_range(desc_at(map, desc_size, i), &b, &x, &t) || x <= pos)
                continue;
            if (b > pos) {
                if (b < next)
                    next = b;
                continue;
            }
            if (x < next)
                next = x;
            if (!covered || rank(t) > rank(best))
                best = t;
            covered = 1;
        }
        if (next == UINT64_MAX)
            return (int)n;
        if (covered && emit(out, &n, cap, pos, next, best, e))
            return -1;
        pos = next;
    }
}

int memmap_convert(const void *map, uint64_t map_size, uint64_t desc_size,
                   struct bi_mem_range *out, uint32_t cap, struct kerr *e)
{
    if (desc_size < sizeof(struct efi_mdesc) || desc_size % 8)
        return kerr_set(e, "memory map: descriptor size %llu is invalid (at least %u, multiple of 8)",
                        (unsigned long long)desc_size, (unsigned)sizeof(struct efi_mdesc));
    if ((uintptr_t)map % 8)                 /* GetMemoryMap's buffer is; the reads need it */
        return kerr_set(e, "memory map: at %p, not 8-byte aligned", map);
    uint64_t count = map_size / desc_size;

    /* Fast path: firmware maps are normally sorted and disjoint, which an insertion sort and one
     * merging pass handle in linear time.  Any overlap sends us to the exact sweep. */
    uint32_t n = 0;
    for (uint64_t i = 0; i < count; i++) {
        uint64_t b, x;
        uint32_t t;
        if (!desc_range(desc_at(map, desc_size, i), &b, &x, &t))
            continue;
        if (n == cap)
            return kerr_set(e, "memory map: more than %u ranges", cap);
        uint32_t j = n++;
        while (j > 0 && out[j - 1].base > b) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = (struct bi_mem_range){ b, x - b, t, 0 };
    }
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++) {
        struct bi_mem_range r = out[i];
        if (m && out[m - 1].base + out[m - 1].length > r.base)
            return sweep(map, count, desc_size, out, cap, e);
        if (emit(out, &m, cap, r.base, r.base + r.length, r.type, e))
            return -1;
    }
    return (int)m;
}
