/*
 * The VMM's view of the boot info: bootinfo_check validates the block the loader handed over
 * (portable, host-tested); bootinfo_map maps it and its tables into the system region.
 */
#ifndef VMM_BOOT_BOOTCHECK_H
#define VMM_BOOT_BOOTCHECK_H
#include <stddef.h>
#include <stdint.h>
#include "boot/bootinfo.h"
#include "lib/kfmt.h"

#define BI_MAX_RANGES   4096u
#define BI_MAX_MODULES  256u

/* Checks the header (magic, version, size) and the table descriptions: counts within limits,
 * entry sizes at least the ones we know, tables not wrapping the 4 GB space they must lie in. */
int bootinfo_check_header(const struct boot_info *bi, size_t avail, struct kerr *e);
/* Checks the memory map (sorted, disjoint, typed) and the module table (names terminated,
 * ranges not wrapping); call after the tables are mapped. */
int bootinfo_check_tables(const struct boot_info *bi, const struct bi_mem_range *mmap,
                          const struct bi_module *mods, struct kerr *e);

const char *bi_mem_type_name(uint32_t type);

#endif
