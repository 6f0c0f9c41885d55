/* Physical memory set-up: see pmem.h. */
#include "mem/pmem.h"
#include "mem/physmap.h"
#include "console/console.h"
#include "vmm.h"
#include "mem/nonreentrant.h"

struct frame_alloc pmem;

/* The frame metadata's share of the physical-mapping window (248 MB, which also maps the
 * framebuffer, the files read from the ESP and the ACPI tables): 96 MB tracks 32 GB of RAM.
 * Past that the free RAM above is left unused, and said so -- with 96 GB the metadata alone
 * (288 MB) would not fit the window, and the boot stopped. */
#define META_BUDGET (96u << 20)
#define MAP_MAX     1024u               /* memory-map entries the capped copy holds */
static struct bi_mem_range capped[MAP_MAX];

/* The metadata goes in the first usable range that holds it whole.  It is mapped through the
 * physical-mapping window, so it may lie above 4 GB. */
NONREENTRANT int pmem_init(void)
{
    const struct boot_info *bi = boot.bi;
    const struct bi_mem_range *map = boot.mmap;
    struct kerr e;

    if (frame_meta_size(map, bi->mmap_count) > META_BUDGET && bi->mmap_count <= MAP_MAX) {
        uint64_t left = frame_cap_map(map, bi->mmap_count, META_BUDGET, capped);
        map = capped;
        kprintf("frames: %llu MB of RAM left unused: the VMM tracks %u GB at most (its frame "
                "metadata has %u MB of the physical-mapping window)\n",
                (unsigned long long)(left >> 20),
                (unsigned)((META_BUDGET / FRAME_META_PER_FRAME) >> 18), META_BUDGET >> 20);
    }
    size_t need = frame_meta_size(map, bi->mmap_count);
    uint64_t bytes = (need + 0xFFF) & ~0xFFFull;

    for (uint32_t i = 0; i < bi->mmap_count; i++) {
        const struct bi_mem_range *r = &map[i];
        if (r->type != BI_MEM_USABLE || r->length < bytes)
            continue;
        void *meta = map_phys(r->base, (uint32_t)bytes, PM_WRITE);
        if (!meta) {
            kprintf("pmem: cannot map %llu bytes of frame metadata\n", (unsigned long long)bytes);
            return -1;
        }
        if (frame_init(&pmem, map, bi->mmap_count, meta, bytes, &e) ||
            frame_claim(&pmem, r->base, (uint32_t)(bytes >> 12), FRAME_META, &e)) {
            kprintf("pmem: %s\n", e.msg);
            return -1;
        }
        return 0;
    }
    kprintf("pmem: no usable range holds the %llu bytes of frame metadata\n",
            (unsigned long long)bytes);
    return -1;
}

NONREENTRANT void pmem_print_summary(void)
{
    uint64_t ram = (uint64_t)pmem.nframes << 12;
    uint64_t meta = (uint64_t)pmem.per_owner[FRAME_META] << 12;

    kprintf("frames: %u of 4 KB in %u zones (%llu MB RAM): %u free, %u locked; VMM %u, boot data %u, "
            "modules %u, ACPI %u, page tables %u, pages %u\n", pmem.nframes, pmem.nzones,
            (unsigned long long)(ram >> 20), pmem.nfree, pmem.nlocked, pmem.per_owner[FRAME_VMM],
            pmem.per_owner[FRAME_BOOTDATA], pmem.per_owner[FRAME_MODULES],
            pmem.per_owner[FRAME_ACPI], pmem.per_owner[FRAME_PAGETABLE],
            pmem.per_owner[FRAME_PAGES]);
    /* Overhead in hundredths of a percent, without floating point. */
    kprintf("frames: metadata %llu KB = %llu.%02llu %% of RAM\n", (unsigned long long)(meta >> 10),
            (unsigned long long)(meta * 100 / ram), (unsigned long long)(meta * 10000 / ram % 100));
}
