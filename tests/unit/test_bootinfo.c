/*
 * Host tests for vmm/boot/bootinfo_check.c: the VMM's validation of the loader's boot info block
 * (bootinfo_check_header) and of the memory map and module table (bootinfo_check_tables).
 *
 * Each test starts from a known-good block (good_setup) and breaks one thing; a failure must
 * return -1 and say what is wrong (checked with strstr on a key word).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/bootcheck.h"

#define MMAP_PHYS 0x80000ull
#define MODS_PHYS 0x81000ull

/* A block with room after the struct, as a newer (larger) writer might produce. */
static union {
    struct boot_info bi;
    unsigned char bytes[sizeof(struct boot_info) + 64];
} blk;
static struct boot_info *bi = &blk.bi;

static struct bi_mem_range ranges[4];
static struct bi_module mods[2];

static void good_setup(void)
{
    memset(&blk, 0, sizeof blk);
    bi->magic = BOOTINFO_MAGIC;
    bi->version = BOOTINFO_VERSION;
    bi->size = sizeof *bi;
    bi->flags = BI_FLAG_NX | BI_FLAG_FB;
    bi->mmap = MMAP_PHYS;
    bi->mmap_count = 4;
    bi->mmap_entry_size = sizeof(struct bi_mem_range);
    bi->modules = MODS_PHYS;
    bi->module_count = 2;
    bi->module_entry_size = sizeof(struct bi_module);
    bi->fb = (struct bi_framebuffer){ 0x80000000ull, 800 * 600 * 4, 800, 600, 3200, 32,
                                      0xff0000, 0xff00, 0xff, 0 };
    ranges[0] = (struct bi_mem_range){ 0x0, 0x9F000, BI_MEM_USABLE, 0 };
    ranges[1] = (struct bi_mem_range){ 0x9F000, 0x61000, BI_MEM_RESERVED, 0 };
    ranges[2] = (struct bi_mem_range){ 0x100000, 0x3FF00000, BI_MEM_USABLE, 0 };
    ranges[3] = (struct bi_mem_range){ 0x100000000ull, 0x40000000, BI_MEM_USABLE, 0 };
    memset(mods, 0, sizeof mods);
    mods[0] = (struct bi_module){ 0x200000, 108548, "VMM/VMM32.VXD" };
    mods[1] = (struct bi_module){ 0x300000, 329, "VMM/SYSTEM.INI" };
}

static void header_ok(size_t avail)
{
    struct kerr e;
    strcpy(e.msg, "(none)");
    cr_assert_eq(bootinfo_check_header(bi, avail, &e), 0, "header rejected: %s", e.msg);
}

static void header_bad(size_t avail, const char *key1, const char *key2)
{
    struct kerr e;
    memset(&e, 0, sizeof e);
    cr_assert_eq(bootinfo_check_header(bi, avail, &e), -1, "header accepted, want \"%s\"", key1);
    cr_assert(strstr(e.msg, key1), "message \"%s\" should mention \"%s\"", e.msg, key1);
    if (key2)
        cr_assert(strstr(e.msg, key2), "message \"%s\" should mention \"%s\"", e.msg, key2);
}

static void tables_ok(const void *mm, const void *md)
{
    struct kerr e;
    strcpy(e.msg, "(none)");
    cr_assert_eq(bootinfo_check_tables(bi, mm, md, &e), 0, "tables rejected: %s", e.msg);
}

static void tables_bad(const char *key1, const char *key2)
{
    struct kerr e;
    memset(&e, 0, sizeof e);
    cr_assert_eq(bootinfo_check_tables(bi, ranges, mods, &e), -1, "tables accepted, want \"%s\"", key1);
    cr_assert(strstr(e.msg, key1), "message \"%s\" should mention \"%s\"", e.msg, key1);
    if (key2)
        cr_assert(strstr(e.msg, key2), "message \"%s\" should mention \"%s\"", e.msg, key2);
}

/* ---- header ---------------------------------------------------------------------------------- */

/* The good block passes both checks. */
Test(bootinfo, good_block_passes, .init = good_setup)
{
    header_ok(sizeof *bi);
    tables_ok(ranges, mods);
}

/* A newer writer's larger struct is fine when that many bytes are available. */
Test(bootinfo, larger_size_within_avail_accepted, .init = good_setup)
{
    bi->size = sizeof blk;
    header_ok(sizeof blk);
    header_bad(sizeof blk - 1, "size 232", NULL);
}

/* Fewer than the 12 bytes of magic/version/size available: refused before reading them. */
Test(bootinfo, avail_too_small_for_header, .init = good_setup)
{
    header_bad(11, "11 bytes", "12");
    header_bad(0, "0 bytes", NULL);
}

Test(bootinfo, bad_magic, .init = good_setup)
{
    bi->magic = 0x12345678;
    header_bad(sizeof *bi, "magic 12345678", "42494d56");
}

Test(bootinfo, bad_version, .init = good_setup)
{
    bi->version = 2;
    header_bad(sizeof *bi, "version 2", NULL);
    bi->version = 0;
    header_bad(sizeof *bi, "version 0", NULL);
}

/* size smaller than our struct (an older writer) or larger than what is mapped. */
Test(bootinfo, bad_size, .init = good_setup)
{
    bi->size = sizeof *bi - 8;
    header_bad(sizeof *bi, "size 160", "168");
    bi->size = sizeof *bi + 8;
    header_bad(sizeof *bi, "size 176", NULL);
    bi->size = 0xffffffffu;
    header_bad(sizeof *bi, "size", NULL);
}

Test(bootinfo, zero_mmap_count, .init = good_setup)
{
    bi->mmap_count = 0;
    header_bad(sizeof *bi, "memory map is empty", NULL);
}

/* BI_MAX_RANGES ranges are fine, one more is not. */
Test(bootinfo, too_many_ranges, .init = good_setup)
{
    bi->mmap_count = BI_MAX_RANGES;
    header_ok(sizeof *bi);
    bi->mmap_count = BI_MAX_RANGES + 1;
    header_bad(sizeof *bi, "4097 memory ranges", "4096");
    bi->mmap_count = 0xffffffffu;
    header_bad(sizeof *bi, "memory ranges", NULL);
}

/* The memory map entry size must be at least 24 and a multiple of 8 (a larger one is a newer
 * writer's, and is stepped over). */
Test(bootinfo, bad_mmap_entry_size, .init = good_setup)
{
    bi->mmap_entry_size = 16;
    header_bad(sizeof *bi, "entry size 16", "24");
    bi->mmap_entry_size = 0;
    header_bad(sizeof *bi, "entry size 0", NULL);
    bi->mmap_entry_size = 28;
    header_bad(sizeof *bi, "entry size 28", NULL);
    bi->mmap_entry_size = 32;
    header_ok(sizeof *bi);
}

/* The memory map table must lie in [1, 4 GB): at 0, crossing 4 GB, or above it, it is refused;
 * ending exactly at 4 GB is fine. */
Test(bootinfo, mmap_table_crossing_4gb, .init = good_setup)
{
    bi->mmap = (1ull << 32) - 4 * 24;
    header_ok(sizeof *bi);
    bi->mmap = (1ull << 32) - 4 * 24 + 8;
    header_bad(sizeof *bi, "memory map at 0xffffffa8", "4 GB");
    bi->mmap = 1ull << 32;
    header_bad(sizeof *bi, "memory map", "4 GB");
    bi->mmap = 0;
    header_bad(sizeof *bi, "memory map at 0x0", NULL);
    /* count * entry size is computed in 64 bits: 4096 * 0xFFFFFFF8 does not wrap to something small */
    bi->mmap = MMAP_PHYS;
    bi->mmap_count = BI_MAX_RANGES;
    bi->mmap_entry_size = 0xFFFFFFF8u;
    header_bad(sizeof *bi, "memory map", "4 GB");
}

/* BI_MAX_MODULES modules are fine, one more is not. */
Test(bootinfo, too_many_modules, .init = good_setup)
{
    bi->module_count = BI_MAX_MODULES;
    header_ok(sizeof *bi);
    bi->module_count = BI_MAX_MODULES + 1;
    header_bad(sizeof *bi, "257 modules", "256");
}

/* Module entry size: at least 64 and a multiple of 8, checked only when there are modules. */
Test(bootinfo, bad_module_entry_size, .init = good_setup)
{
    bi->module_entry_size = 48;
    header_bad(sizeof *bi, "module entry size 48", "64");
    bi->module_entry_size = 68;
    header_bad(sizeof *bi, "module entry size 68", NULL);
    bi->module_entry_size = 72;
    header_ok(sizeof *bi);
    bi->module_count = 0;
    bi->module_entry_size = 3;
    bi->modules = 0;
    header_ok(sizeof *bi);
}

/* The module table must lie below 4 GB too. */
Test(bootinfo, module_table_crossing_4gb, .init = good_setup)
{
    bi->modules = (1ull << 32) - 2 * 64;
    header_ok(sizeof *bi);
    bi->modules = (1ull << 32) - 64;
    header_bad(sizeof *bi, "module table at 0xffffffc0", "4 GB");
    bi->modules = 0;
    header_bad(sizeof *bi, "module table", NULL);
}

/* With BI_FLAG_FB, the framebuffer must be consistent: non-zero size in pixels, a pitch that holds
 * a row, a size that holds all rows.  Without the flag the fields are not looked at. */
Test(bootinfo, framebuffer_consistency, .init = good_setup)
{
    bi->fb.width = 0;
    header_bad(sizeof *bi, "framebuffer", NULL);
    good_setup();
    bi->fb.height = 0;
    header_bad(sizeof *bi, "framebuffer", NULL);
    good_setup();
    bi->fb.pitch = 3196;                        /* < 800 * 4 */
    header_bad(sizeof *bi, "framebuffer 800x600", "pitch 3196");
    good_setup();
    bi->fb.bpp = 0;                             /* no bytes per pixel: nothing to draw with */
    header_bad(sizeof *bi, "framebuffer", "0 bpp");
    good_setup();
    bi->fb.pitch = 4096;                        /* padded rows are fine ... */
    bi->fb.size = 4096ull * 600;
    header_ok(sizeof *bi);
    bi->fb.size = 4096ull * 600 - 1;            /* ... if the size covers them */
    header_bad(sizeof *bi, "framebuffer", "size 2457599");
    /* flag off: garbage ignored */
    bi->flags &= ~BI_FLAG_FB;
    bi->fb.width = 0;
    header_ok(sizeof *bi);
}

/* ---- tables ---------------------------------------------------------------------------------- */

Test(bootinfo, range_type_out_of_range, .init = good_setup)
{
    ranges[1].type = 0;
    tables_bad("memory range 1", "type 0");
    ranges[1].type = BI_MEM_TYPE_MAX + 1;
    tables_bad("memory range 1", "type 13");
    ranges[1].type = BI_MEM_TYPE_MAX;
    tables_ok(ranges, mods);
}

Test(bootinfo, range_zero_length, .init = good_setup)
{
    ranges[2].length = 0;
    tables_bad("memory range 2", "whole pages");
}

Test(bootinfo, range_unaligned_base_or_length, .init = good_setup)
{
    ranges[2].base += 0x800;
    ranges[2].length -= 0x1000;
    tables_bad("memory range 2", "0x100800");
    good_setup();
    ranges[3].length += 1;
    tables_bad("memory range 3", "whole pages");
}

/* Ranges must be sorted and disjoint; touching is fine. */
Test(bootinfo, ranges_overlapping_or_unsorted, .init = good_setup)
{
    ranges[1].base -= 0x1000;                   /* overlaps range 0's last page */
    tables_bad("memory range 1", "overlaps");
    good_setup();
    struct bi_mem_range t = ranges[2];
    ranges[2] = ranges[3];
    ranges[3] = t;
    tables_bad("memory range 3", "precedes");
    good_setup();
    ranges[3] = ranges[2];                      /* duplicate */
    tables_bad("memory range 3", "overlaps");
}

/* A range whose end wraps past 2^64 is refused (it would otherwise look like a small end). */
Test(bootinfo, range_wrapping_2_pow_64, .init = good_setup)
{
    ranges[3].base = 0xFFFFFFFFFFFFF000ull;
    ranges[3].length = 0x2000;
    tables_bad("memory range 3", "0xfffffffffffff000");
}

/* The entry sizes are strides: with 32-byte range entries and 72-byte module entries (a newer
 * writer's) the tables are read at those offsets, and a bad entry there is still found. */
Test(bootinfo, tables_honour_entry_stride, .init = good_setup)
{
    _Alignas(8) unsigned char mm[4 * 32];
    _Alignas(8) unsigned char md[2 * 72];
    memset(mm, 0xEE, sizeof mm);
    memset(md, 0xEE, sizeof md);
    for (unsigned i = 0; i < 4; i++)
        memcpy(mm + i * 32, &ranges[i], sizeof ranges[i]);
    for (unsigned i = 0; i < 2; i++)
        memcpy(md + i * 72, &mods[i], sizeof mods[i]);
    bi->mmap_entry_size = 32;
    bi->module_entry_size = 72;
    tables_ok(mm, md);
    struct bi_mem_range bad = ranges[3];
    bad.type = 0;
    memcpy(mm + 3 * 32, &bad, sizeof bad);
    struct kerr e;
    cr_assert_eq(bootinfo_check_tables(bi, (void *)mm, (void *)md, &e), -1);
    cr_assert(strstr(e.msg, "memory range 3"), "%s", e.msg);
}

Test(bootinfo, module_empty_name, .init = good_setup)
{
    memset(mods[1].name, 0, BI_NAME_MAX);
    tables_bad("module 1", "empty");
}

/* A name filling all 48 bytes has no NUL: refused; 47 characters and a NUL are fine. */
Test(bootinfo, module_unterminated_name, .init = good_setup)
{
    memset(mods[0].name, 'A', BI_NAME_MAX - 1);
    mods[0].name[BI_NAME_MAX - 1] = 0;
    tables_ok(ranges, mods);
    mods[0].name[BI_NAME_MAX - 1] = 'A';
    tables_bad("module 0", "unterminated");
}

/* A module must lie in [1, 4 GB): ending exactly at 4 GB is fine, crossing it or starting at 0
 * is not; the message names the module. */
Test(bootinfo, module_crossing_4gb, .init = good_setup)
{
    mods[1].phys = 0xFFFFF000ull;
    mods[1].size = 0x1000;
    tables_ok(ranges, mods);
    mods[1].size = 0x1001;
    tables_bad("module 1 (VMM/SYSTEM.INI)", "4 GB");
    mods[1].phys = 0x100000000ull;
    mods[1].size = 1;
    tables_bad("module 1", "4 GB");
    mods[1].phys = 0;
    tables_bad("module 1", "0x0");
}

/* Type names for the boot summary: every valid type has a name, invalid ones say so. */
Test(bootinfo, memory_type_names)
{
    cr_assert_str_eq(bi_mem_type_name(BI_MEM_USABLE), "usable");
    cr_assert_str_eq(bi_mem_type_name(BI_MEM_MMIO), "MMIO");
    cr_assert_str_eq(bi_mem_type_name(BI_MEM_PERSISTENT), "persistent");
    cr_assert_str_eq(bi_mem_type_name(0), "invalid");
    cr_assert_str_eq(bi_mem_type_name(BI_MEM_TYPE_MAX + 1), "invalid");
    cr_assert_str_eq(bi_mem_type_name(0xffffffffu), "invalid");
    for (uint32_t t = 1; t <= BI_MEM_TYPE_MAX; t++)
        cr_assert(strcmp(bi_mem_type_name(t), "invalid") != 0, "type %u", t);
}

/* ---- regressions: defects found in vmm/boot/bootinfo_check.c and fixed ---------- */

/* table_ok() computes phys + bytes without an overflow check: a memory map at
 * 0xFFFFFFFFFFFF0000 with 4096 24-byte entries "ends" at 0x8000 and is accepted. */
Test(bootinfo, mmap_table_address_wrap_rejected, .init = good_setup)
{
    bi->mmap = 0xFFFFFFFFFFFF0000ull;
    bi->mmap_count = BI_MAX_RANGES;
    header_bad(sizeof *bi, "memory map", "4 GB");
}

/* The same in bootinfo_check_tables: a module at 0x1000 of 0xFFFFFFFFFFFFF000 bytes "ends" at 0. */
Test(bootinfo, module_size_wrap_rejected, .init = good_setup)
{
    mods[1].phys = 0x1000;
    mods[1].size = 0xFFFFFFFFFFFFF000ull;
    tables_bad("module 1", "4 GB");
}

/* width * (bpp / 8) is computed in 32 bits: width 0x40000001 at 32 bpp "needs" 4 bytes per row,
 * so a 1-pixel-high framebuffer of pitch 4 and size 4 passes. */
Test(bootinfo, framebuffer_pitch_overflow_rejected, .init = good_setup)
{
    bi->fb.width = 0x40000001u;
    bi->fb.height = 1;
    bi->fb.bpp = 32;
    bi->fb.pitch = 4;
    bi->fb.size = 4;
    header_bad(sizeof *bi, "framebuffer", NULL);
}
