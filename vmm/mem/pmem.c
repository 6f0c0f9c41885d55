/* Physical memory set-up: see pmem.h. */
#include "mem/pmem.h"
#include "mem/physmap.h"
#include "console/console.h"
#include "vmm.h"
#include "mem/nonreentrant.h"

struct frame_alloc pmem;

/* The metadata goes in the first usable range that holds it whole.  It is mapped through the
 * physical-mapping window, so it may lie above 4 GB. */
NONREENTRANT int pmem_init(void)
{
    const struct boot_info *bi = boot.bi;
    struct kerr e;
    size_t need = frame_meta_size(boot.mmap, bi->mmap_count);
    uint64_t bytes = (need + 0xFFF) & ~0xFFFull;

    for (uint32_t i = 0; i < bi->mmap_count; i++) {
        const struct bi_mem_range *r = &boot.mmap[i];
        if (r->type != BI_MEM_USABLE || r->length < bytes)
            continue;
        void *meta = map_phys(r->base, (uint32_t)bytes, PM_WRITE);
        if (!meta) {
            kprintf("pmem: cannot map %llu bytes of frame metadata\n", (unsigned long long)bytes);
            return -1;
        }
        if (frame_init(&pmem, boot.mmap, bi->mmap_count, meta, bytes, &e) ||
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
