/* Mapping the boot info and printing the boot summary: see modules.h. */
#include "boot/modules.h"
#include "boot/bootcheck.h"
#include "console/console.h"
#include "mem/physmap.h"
#include "vmm.h"
#include "lib/ascii.h"
#include "lib/string.h"

struct vmm_boot boot;
static const void *mod_view[BI_MAX_MODULES];
static void *mod_wview[BI_MAX_MODULES];         /* writable views (module_map_writable) */

/* The loader's tables have entries entry_size apart (at least the struct's size, so that a
 * newer loader may append fields).  Packing them once, in place (each entry moves down, never
 * over one not yet moved), lets the rest of the VMM index them as plain arrays. */
static void *compact(void *table, uint32_t count, uint32_t entry_size, size_t size)
{
    char *t = table;
    for (uint32_t i = 1; entry_size != size && i < count; i++)
        memmove(t + i * size, t + (size_t)i * entry_size, size);
    return table;
}

int bootinfo_map(uint32_t phys)
{
    struct kerr e;
    const struct boot_info *bi = map_phys(phys, sizeof *bi, 0);

    if (!bi || bootinfo_check_header(bi, sizeof *bi, &e)) {
        kprintf("vmm: %s\n", bi ? e.msg : "cannot map the boot info");
        return -1;
    }
    boot.bi = bi;
    struct bi_mem_range *mmap = map_phys(bi->mmap, bi->mmap_count * bi->mmap_entry_size, PM_WRITE);
    struct bi_module *mods = bi->module_count ?
        map_phys(bi->modules, bi->module_count * bi->module_entry_size, PM_WRITE) : 0;
    if (!mmap || (bi->module_count && !mods)) {
        kprintf("vmm: boot info: cannot map its tables\n");
        return -1;
    }
    if (bootinfo_check_tables(bi, mmap, mods, &e)) {
        kprintf("vmm: %s\n", e.msg);
        return -1;
    }
    boot.mmap = compact(mmap, bi->mmap_count, bi->mmap_entry_size, sizeof *mmap);
    boot.mods = compact(mods, bi->module_count, bi->module_entry_size, sizeof *mods);
    return 0;
}

const void *module_find(const char *name, size_t *size)
{
    for (uint32_t i = 0; i < boot.bi->module_count; i++) {
        const struct bi_module *m = &boot.mods[i];
        if (!ascii_ieq(m->name, strlen(m->name), name))
            continue;
        if (!mod_view[i] && m->size && m->size <= 0xFFFFFFFFu)
            mod_view[i] = map_phys(m->phys, (uint32_t)m->size, 0);
        *size = m->size > 0xFFFFFFFFu ? 0xFFFFFFFFu : (size_t)m->size;
        return mod_view[i];
    }
    *size = 0;
    return 0;
}

/* A module mapped writable, for the disks' VxD (INT13): its disk images, whose writes stay in
 * memory until the machine restarts; the same view every time it is asked for.  NULL if there is
 * no such module, it is empty, or the window is full. */
void *module_map_writable(const char *name, uint32_t *size)
{
    for (uint32_t i = 0; i < boot.bi->module_count; i++) {
        const struct bi_module *m = &boot.mods[i];
        if (!ascii_ieq(m->name, strlen(m->name), name) || !m->size || m->size > 0xFFFFFFFFu)
            continue;
        if (!mod_wview[i])                      /* once: the window is not given back */
            mod_wview[i] = map_phys(m->phys, (uint32_t)m->size, PM_WRITE);
        *size = mod_wview[i] ? (uint32_t)m->size : 0;
        return mod_wview[i];
    }
    *size = 0;
    return 0;
}

const char *module_name(uint32_t i)
{
    return i < boot.bi->module_count ? boot.mods[i].name : 0;
}

static void print_kb(const char *what, uint64_t bytes)
{
    kprintf("%s %llu KB (%llu MB)", what, (unsigned long long)(bytes >> 10),
            (unsigned long long)(bytes >> 20));
}

void bootinfo_print_summary(void)
{
    const struct boot_info *bi = boot.bi;
    uint64_t lo = 0, hi = 0, reclaim = 0;

    for (uint32_t i = 0; i < bi->mmap_count; i++) {
        const struct bi_mem_range *r = &boot.mmap[i];
        if (r->type != BI_MEM_USABLE && r->type != BI_MEM_RECLAIMABLE)
            continue;
        if (r->type == BI_MEM_RECLAIMABLE)
            reclaim += r->length;
        /* A range may straddle 4 GB: count each side where it lies. */
        uint64_t end = r->base + r->length, split = 1ull << 32;
        lo += r->base < split ? (end < split ? end : split) - r->base : 0;
        hi += end > split ? end - (r->base > split ? r->base : split) : 0;
    }
    kprintf("memory: %u ranges; ", bi->mmap_count);
    print_kb("usable below 4 GB", lo);
    print_kb(", above 4 GB", hi);
    print_kb(" (of which reclaimable after boot", reclaim);
    kprintf(")\n");
    if (bi->flags & BI_FLAG_FB)
        kprintf("framebuffer: %ux%u, %u bpp, pitch %u, at 0x%llx\n", bi->fb.width, bi->fb.height,
                bi->fb.bpp, bi->fb.pitch, (unsigned long long)bi->fb.base);
    else
        kprintf("framebuffer: none (serial console only)\n");
    if (bi->acpi_rsdp)
        kprintf("ACPI: %s RSDP at 0x%llx\n", bi->flags & BI_FLAG_ACPI2 ? "2.0+" : "1.0",
                (unsigned long long)bi->acpi_rsdp);
    else
        kprintf("ACPI: no RSDP\n");
    kprintf("files: %u handed over\n", bi->module_count);
    for (uint32_t i = 0; i < bi->module_count; i++)
        kprintf("  %-40s %10llu bytes\n", boot.mods[i].name, (unsigned long long)boot.mods[i].size);
}
