/* libFuzzer target: the loader's check of VMM32.VXD, and the invariants of what it accepts. */
#include <stdint.h>
#include <stdlib.h>
#include "elfexec.h"
#include "lib/elf32.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct elfexec x;
    struct kerr e;
    if (elfexec_check(data, size, 0xC0000000u, 0xF0000000u, &x, &e))
        return 0;
    for (unsigned i = 0; i < x.nseg; i++) {
        const struct elfexec_seg *s = &x.seg[i];
        if (s->vaddr < 0xC0000000u || (uint64_t)s->vaddr + s->memsz > 0xF0000000u ||
            (uint64_t)s->offset + s->filesz > size || s->filesz > s->memsz ||
            ((s->flags & PF_W) && (s->flags & PF_X)))
            abort();
    }
    return 0;
}
