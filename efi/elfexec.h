/*
 * Validation of the VMM image (VMM32.VXD, an ELF32 ET_EXEC for i386) before the loader places it.
 * Portable: no UEFI, no hardware; the host tests feed it malformed files.
 *
 * elfexec_check() accepts a file only if every byte it will read lies inside the file and every
 * loadable segment lies inside [lo, hi) of the linear address space, page-disjoint from the others,
 * never both writable and executable, with the entry point inside an executable segment.
 */
#ifndef EFI_ELFEXEC_H
#define EFI_ELFEXEC_H
#include <stdint.h>
#include "lib/kfmt.h"

#define ELFEXEC_MAX_SEGS 16

struct elfexec_seg {
    uint32_t vaddr;         /* linear address of the first byte */
    uint32_t memsz;         /* bytes in memory; memsz - filesz bytes are zero-filled */
    uint32_t filesz;
    uint32_t offset;        /* file offset of the first byte */
    uint32_t flags;         /* PF_R | PF_W | PF_X */
};

struct elfexec {
    uint32_t entry;
    unsigned nseg;
    struct elfexec_seg seg[ELFEXEC_MAX_SEGS];
};

int elfexec_check(const void *file, uint64_t len, uint32_t lo, uint32_t hi,
                  struct elfexec *out, struct kerr *e);

#endif
