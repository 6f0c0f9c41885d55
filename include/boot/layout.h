/*
 * The 32-bit linear address space and the PAE page-table format, as the loader builds them and the
 * VMM inherits them.  Shared by efi/, vmm/ and the host tests; usable from assembly.
 *
 *   0xFFFFFFFF +--------------------------+
 *              | page-table self-map 8 MB |  PD3[508..511] -> PD0..PD3: every PTE of the address
 *   0xFF800000 +--------------------------+  space is visible at PTE_WINDOW, every PDE at PDE_WINDOW
 *              | physical mappings        |  _MapPhysToLinear window (framebuffer, boot modules,
 *   0xF0000000 +--------------------------+  boot info, APIC ...)
 *              | system arena             |  _PageAllocate / _PageReserve(PR_SYSTEM): VxDs,
 *   0xC0400000 +--------------------------+  heap pools ... (3-4 GB, supervisor only)
 *              | VMM image                |  linked at 0xC0001000, at most 4 MB
 *   0xC0000000 +--------------------------+
 *              | shared arena (2-3 GB)    |
 *   0x80000000 +--------------------------+
 *              | private arena            |  per memory context (4 MB-2 GB)
 *   0x00400000 +--------------------------+
 *              | V86 region / DOS arena   |  0-0x10FFEF belongs to the current VM; at VMM entry
 *   0x00000000 +--------------------------+  only the trampoline pages are mapped here (identity)
 *
 * The four PDPT entries frame the regions: PDPT[0..1] private (per context), PDPT[2] shared,
 * PDPT[3] system.  The loader pre-allocates every page table of PDPT[3], so a system-region
 * mapping never needs a page-table allocation and all contexts share the system PD.
 */
#ifndef BOOT_LAYOUT_H
#define BOOT_LAYOUT_H

#define PAGE_SIZE           0x1000u
#define PAGE_SHIFT          12

#define V86_REGION_END      0x0010FFF0u
#define PRIVATE_BASE        0x00400000u
#define SHARED_BASE         0x80000000u
#define SYSTEM_BASE         0xC0000000u
#define SYSARENA_BASE       0xC0400000u     /* system arena: above the VMM image (<= 4 MB) */
#define PHYSMAP_BASE        0xF0000000u     /* start of the physical-mapping window */
#define SELFMAP_BASE        0xFF800000u     /* end of the mappable system region */
#define PTE_WINDOW          0xFF800000u     /* PTE for linear L is at PTE_WINDOW + (L >> 12) * 8 */
#define PDE_WINDOW          0xFFFFC000u     /* PDE for linear L is at PDE_WINDOW + (L >> 21) * 8 */
#define SELFMAP_PDE_FIRST   508u            /* PD3 index of the first self-map entry */

/* PAE entry bits.  PDPTEs accept only P, PWT and PCD (the rest are reserved outside long mode). */
#define PTE_P       0x001u
#define PTE_W       0x002u
#define PTE_U       0x004u
#define PTE_PWT     0x008u
#define PTE_PCD     0x010u
#define PTE_A       0x020u
#define PTE_D       0x040u
#define PTE_PS      0x080u
#define PTE_G       0x100u
#define PTE_NX_HI   0x80000000u             /* bit 63, as seen in the high dword */
#define PTE_ADDR_MASK 0x000FFFFFFFFFF000ull /* MAXPHYADDR 52 at most */

/* Selectors of the loader's trampoline GDT (the VMM installs its own at entry). */
#define TRAMP_CODE32_SEL 0x08
#define TRAMP_DATA32_SEL 0x10

#ifndef __ASSEMBLER__
#define PTE_NX      (1ull << 63)
#endif

#endif
