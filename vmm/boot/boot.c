/* Mapping the boot info and printing the boot summary: see modules.h. */
#include "boot/modules.h"
#include "boot/bootcheck.h"
#include "console/console.h"
#include "mem/physmap.h"
#include "vmm.h"

struct vmm_boot boot;
static const void *mod_view[BI_MAX_MODULES];

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

static int name_eq(const char *a, const char *b)
{
    while (*a && lower(*a) == lower(*b))
        a++, b++;
    return !*a && !*b;
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
    boot.mmap = map_phys(bi->mmap, bi->mmap_count * bi->mmap_entry_size, 0);
    boot.mods = bi->module_count ? map_phys(bi->modules, bi->module_count * bi->module_entry_size, 0)
                                 : 0;
    if (!boot.mmap || (bi->module_count && !boot.mods)) {
        kprintf("vmm: boot info: cannot map its tables\n");
        return -1;
    }
    if (bootinfo_check_tables(bi, boot.mmap, boot.mods, &e)) {
        kprintf("vmm: %s\n", e.msg);
        return -1;
    }
    return 0;
}

static const struct bi_module *module(uint32_t i)
{
    return (const void *)((const char *)boot.mods + (size_t)i * boot.bi->module_entry_size);
}

const void *module_find(const char *name, size_t *size)
{
    for (uint32_t i = 0; i < boot.bi->module_count; i++) {
        const struct bi_module *m = module(i);
        if (!name_eq(m->name, name))
            continue;
        if (!mod_view[i] && m->size)
            mod_view[i] = map_phys(m->phys, (uint32_t)m->size, 0);
        *size = mod_view[i] ? (size_t)m->size : 0;
        return mod_view[i];
    }
    return 0;
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
        const struct bi_mem_range *r = (const void *)((const char *)boot.mmap + (size_t)i * bi->mmap_entry_size);
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
        kprintf("  %-40s %10llu bytes\n", module(i)->name, (unsigned long long)module(i)->size);
}
