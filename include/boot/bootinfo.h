/*
 * The loader -> VMM handoff: the boot info block.
 *
 * Written by the 64-bit UEFI loader (efi/), read by the 32-bit VMM (vmm/) and by the 64-bit host
 * tests, so every field has a fixed width, every address is a 64-bit physical address, and there
 * are no pointers, enums or size_t.  The _Static_asserts at the bottom pin the layout: if one of
 * them fires, the three compilers no longer agree and the ABI version must change.
 *
 * docs/boot-protocol.md describes each field and the machine state at VMM entry.
 */
#ifndef BOOT_BOOTINFO_H
#define BOOT_BOOTINFO_H

#define BOOTINFO_MAGIC    0x42494D56u   /* "VMIB" in memory */
#define BOOTINFO_VERSION  1u

/* EAX holds this at VMM entry, EBX the boot info's physical address. */
#define BOOT_ENTRY_MAGIC  0x2BADB0A7u

/* boot_info.flags */
#define BI_FLAG_NX        0x0001u   /* EFER.NXE is set and the page tables use the NX bit */
#define BI_FLAG_FB        0x0002u   /* fb describes a usable linear framebuffer */
#define BI_FLAG_FB_BLACK  0x0008u   /* the loader cleared the framebuffer to black last thing
                                       before ExitBootServices (GOP Blt, EfiBltVideoFill) */
#define BI_FLAG_ACPI2     0x0004u   /* acpi_rsdp points at an ACPI 2.0+ RSDP (XSDT present) */

/* bi_mem_range.type: the loader's translation of the UEFI memory types. */
#define BI_MEM_USABLE       1u  /* free RAM */
#define BI_MEM_RECLAIMABLE  2u  /* loader and boot-services memory: free once the VMM has left the
                                   trampoline mapping (it has, by the time vmm_main runs) */
#define BI_MEM_VMM          3u  /* the VMM's loaded segments */
#define BI_MEM_MODULES      4u  /* the files read from the ESP (struct bi_module) */
#define BI_MEM_BOOTDATA     5u  /* this block, the memory map, the module table, page tables */
#define BI_MEM_ACPI_RECLAIM 6u  /* ACPI tables: free after the VMM has read them */
#define BI_MEM_ACPI_NVS     7u
#define BI_MEM_RUNTIME      8u  /* UEFI runtime services code and data */
#define BI_MEM_RESERVED     9u
#define BI_MEM_MMIO        10u
#define BI_MEM_BAD         11u
#define BI_MEM_PERSISTENT  12u
#define BI_MEM_TYPE_MAX    12u

#ifndef __ASSEMBLER__
#include <stdint.h>

/* One run of physical memory.  The loader emits them sorted by base, non-overlapping, with
 * adjacent runs of the same type merged, each a whole number of 4 KB pages. */
struct bi_mem_range {
    uint64_t base;
    uint64_t length;            /* bytes */
    uint32_t type;              /* BI_MEM_* */
    uint32_t reserved;          /* 0 */
};

#define BI_NAME_MAX 48

/* A file read from the ESP, whole, into BI_MEM_MODULES pages below 4 GB. */
struct bi_module {
    uint64_t phys;              /* physical address, page aligned */
    uint64_t size;              /* bytes in the file */
    char     name[BI_NAME_MAX]; /* path on the ESP, '/'-separated, ASCII, NUL-terminated,
                                   e.g. "VMM/VXD/SERIAL.VXD" */
};

/* The GOP framebuffer.  Valid only when BI_FLAG_FB is set. */
struct bi_framebuffer {
    uint64_t base;              /* physical address of pixel (0,0) */
    uint64_t size;              /* bytes */
    uint32_t width, height;     /* pixels */
    uint32_t pitch;             /* bytes per scan line */
    uint32_t bpp;               /* bits per pixel (32 for the formats the console draws) */
    uint32_t red_mask, green_mask, blue_mask, reserved_mask;
};

struct boot_info {
    uint32_t magic;             /* BOOTINFO_MAGIC */
    uint32_t version;           /* BOOTINFO_VERSION */
    uint32_t size;              /* sizeof(struct boot_info) of the writer */
    uint32_t flags;             /* BI_FLAG_* */

    uint64_t acpi_rsdp;         /* physical address of the RSDP, 0 if none */

    uint64_t mmap;              /* physical address of struct bi_mem_range[mmap_count] */
    uint32_t mmap_count;
    uint32_t mmap_entry_size;   /* sizeof(struct bi_mem_range) of the writer */

    uint64_t modules;           /* physical address of struct bi_module[module_count] */
    uint32_t module_count;
    uint32_t module_entry_size;

    struct bi_framebuffer fb;

    /* Time stamp counter readings taken by the loader. */
    uint64_t tsc_loader_entry;  /* efi_main entered */
    uint64_t tsc_exit_call;     /* just before the ExitBootServices call that succeeded */
    uint64_t tsc_exit_return;   /* just after it returned */
    uint32_t exit_attempts;     /* ExitBootServices calls made (1 unless the map key went stale) */
    uint32_t reserved0;

    uint64_t pdpt;              /* physical address of the PAE page-directory-pointer table */
    uint64_t trampoline;        /* physical address of the identity-mapped trampoline pages */
    uint32_t trampoline_size;   /* bytes */
    uint32_t reserved1;
    uint64_t efi_system_table;  /* physical address of the UEFI system table (runtime use only) */
};

#define BI_STATIC_ASSERT(c, m) _Static_assert(c, m)
BI_STATIC_ASSERT(sizeof(struct bi_mem_range) == 24, "bi_mem_range layout");
BI_STATIC_ASSERT(sizeof(struct bi_module) == 64, "bi_module layout");
BI_STATIC_ASSERT(sizeof(struct bi_framebuffer) == 48, "bi_framebuffer layout");
BI_STATIC_ASSERT(__builtin_offsetof(struct boot_info, acpi_rsdp) == 16, "boot_info.acpi_rsdp");
BI_STATIC_ASSERT(__builtin_offsetof(struct boot_info, mmap) == 24, "boot_info.mmap");
BI_STATIC_ASSERT(__builtin_offsetof(struct boot_info, modules) == 40, "boot_info.modules");
BI_STATIC_ASSERT(__builtin_offsetof(struct boot_info, fb) == 56, "boot_info.fb");
BI_STATIC_ASSERT(__builtin_offsetof(struct boot_info, tsc_loader_entry) == 104, "boot_info.tsc");
BI_STATIC_ASSERT(__builtin_offsetof(struct boot_info, pdpt) == 136, "boot_info.pdpt");
BI_STATIC_ASSERT(__builtin_offsetof(struct boot_info, efi_system_table) == 160, "boot_info.efi_st");
BI_STATIC_ASSERT(sizeof(struct boot_info) == 168, "boot_info size");

#endif /* !__ASSEMBLER__ */
#endif
