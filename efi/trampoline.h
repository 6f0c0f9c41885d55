/* The mode-switch trampoline (trampoline.S): copied below 1 GB, parameters written into the copy. */
#ifndef EFI_TRAMPOLINE_H
#define EFI_TRAMPOLINE_H
#include <stdint.h>

struct tramp_params {       /* mirrors the P_* offsets in trampoline.S */
    uint32_t cr3;           /* physical address of the PDPT (below 4 GB, 32-byte aligned) */
    uint32_t entry;         /* VMM entry point (linear, system region) */
    uint32_t bootinfo;      /* physical address of struct boot_info */
    uint32_t nx;            /* 1: set EFER.NXE */
};
_Static_assert(sizeof(struct tramp_params) == 16, "tramp_params layout");

extern char tramp_start[], tramp_end[], tramp_params[];

#endif
