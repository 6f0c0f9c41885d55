/* Boot info validation: see bootinfo.h.  Portable: compiled into the VMM and the host tests. */
#include "boot/bootcheck.h"

const char *bi_mem_type_name(uint32_t t)
{
    static const char *const n[BI_MEM_TYPE_MAX + 1] = {
        "invalid", "usable", "reclaimable", "VMM", "modules", "boot data", "ACPI reclaim",
        "ACPI NVS", "runtime", "reserved", "MMIO", "bad", "persistent",
    };
    return t <= BI_MEM_TYPE_MAX ? n[t] : "invalid";
}

/* Inside the low 4 GB, written so that no sum can wrap. */
static int table_ok(uint64_t phys, uint64_t bytes)
{
    return phys && bytes <= (1ull << 32) && phys <= (1ull << 32) - bytes;
}

int bootinfo_check_header(const struct boot_info *bi, size_t avail, struct kerr *e)
{
    if (avail < 12)
        return kerr_set(e, "boot info: %zu bytes available, header needs 12", avail);
    if (bi->magic != BOOTINFO_MAGIC)
        return kerr_set(e, "boot info: magic %08x, expected %08x", bi->magic, BOOTINFO_MAGIC);
    if (bi->version != BOOTINFO_VERSION)
        return kerr_set(e, "boot info: version %u, this VMM understands %u", bi->version,
                        BOOTINFO_VERSION);
    if (bi->size < sizeof *bi || bi->size > avail)
        return kerr_set(e, "boot info: size %u, expected %zu", bi->size, sizeof *bi);
    if (bi->mmap_count == 0)
        return kerr_set(e, "boot info: the memory map is empty");
    if (bi->mmap_count > BI_MAX_RANGES)
        return kerr_set(e, "boot info: %u memory ranges, more than %u", bi->mmap_count, BI_MAX_RANGES);
    if (bi->mmap_entry_size < sizeof(struct bi_mem_range) || bi->mmap_entry_size % 8)
        return kerr_set(e, "boot info: memory range entry size %u, expected %zu",
                        bi->mmap_entry_size, sizeof(struct bi_mem_range));
    if (!table_ok(bi->mmap, (uint64_t)bi->mmap_count * bi->mmap_entry_size))
        return kerr_set(e, "boot info: memory map at 0x%llx does not lie below 4 GB",
                        (unsigned long long)bi->mmap);
    if (bi->module_count > BI_MAX_MODULES)
        return kerr_set(e, "boot info: %u modules, more than %u", bi->module_count, BI_MAX_MODULES);
    if (bi->module_count) {
        if (bi->module_entry_size < sizeof(struct bi_module) || bi->module_entry_size % 8)
            return kerr_set(e, "boot info: module entry size %u, expected %zu",
                            bi->module_entry_size, sizeof(struct bi_module));
        if (!table_ok(bi->modules, (uint64_t)bi->module_count * bi->module_entry_size))
            return kerr_set(e, "boot info: module table at 0x%llx does not lie below 4 GB",
                            (unsigned long long)bi->modules);
    }
    if ((bi->flags & BI_FLAG_FB) && (bi->fb.width == 0 || bi->fb.height == 0 ||
        bi->fb.bpp == 0 || bi->fb.bpp % 8 || bi->fb.pitch < (uint64_t)bi->fb.width * (bi->fb.bpp / 8) ||
        bi->fb.size < (uint64_t)bi->fb.pitch * bi->fb.height))
        return kerr_set(e, "boot info: framebuffer %ux%u, %u bpp, pitch %u, size %llu is inconsistent",
                        bi->fb.width, bi->fb.height, bi->fb.bpp, bi->fb.pitch,
                        (unsigned long long)bi->fb.size);
    return 0;
}

int bootinfo_check_tables(const struct boot_info *bi, const struct bi_mem_range *mmap,
                          const struct bi_module *mods, struct kerr *e)
{
    uint64_t prev_end = 0;
    for (uint32_t i = 0; i < bi->mmap_count; i++) {
        const struct bi_mem_range *r = (const void *)((const char *)mmap + (size_t)i * bi->mmap_entry_size);
        if (r->type == 0 || r->type > BI_MEM_TYPE_MAX)
            return kerr_set(e, "boot info: memory range %u has type %u", i, r->type);
        if (r->length == 0 || (r->base | r->length) & 0xFFF || r->base + r->length < r->base)
            return kerr_set(e, "boot info: memory range %u (0x%llx, 0x%llx bytes) is not whole "
                            "pages", i, (unsigned long long)r->base, (unsigned long long)r->length);
        if (i && r->base < prev_end)
            return kerr_set(e, "boot info: memory range %u at 0x%llx overlaps or precedes the "
                            "previous one (ends 0x%llx)", i, (unsigned long long)r->base,
                            (unsigned long long)prev_end);
        prev_end = r->base + r->length;
    }
    for (uint32_t i = 0; i < bi->module_count; i++) {
        const struct bi_module *m = (const void *)((const char *)mods + (size_t)i * bi->module_entry_size);
        size_t n = 0;
        while (n < BI_NAME_MAX && m->name[n])
            n++;
        if (n == 0 || n == BI_NAME_MAX)
            return kerr_set(e, "boot info: module %u has an empty or unterminated name", i);
        if (!table_ok(m->phys, m->size))
            return kerr_set(e, "boot info: module %u (%s) at 0x%llx, %llu bytes, does not lie "
                            "below 4 GB", i, m->name, (unsigned long long)m->phys,
                            (unsigned long long)m->size);
    }
    return 0;
}
