/*
 * Physical memory of the running VMM: the one frame allocator, set up from the boot info's
 * memory map at boot.  The page services (and nothing else) allocate frames through it.
 * Not reentrant: called with interrupts off.
 */
#ifndef MEM_PMEM_H
#define MEM_PMEM_H
#include "mem/frame.h"

extern struct frame_alloc pmem;

int  pmem_init(void);           /* 0 ok; -1 (reason printed) */
void pmem_print_summary(void);

#endif
