/*
 * The memory manager is not reentrant: the page and heap services, and the layers they are made
 * of (physmap, frame, arena, linear, pmem, heap), change shared state with interrupts off and
 * must never be entered again half-way.  Every function of theirs is marked NONREENTRANT, which
 * puts it in the input section .text.nonreentrant; the linker script (vmm/vmm.ld) gathers that
 * section between __nonreentrant_start and __nonreentrant_end, and the fault path
 * (int/fault.h: fault_inside_nonreentrant) offers no hook a fault raised there.  So the code
 * names its own protection: a file renamed or moved keeps it.  `make test` checks that every
 * function these files define lies inside the window (tools/check-nonreentrant.sh).
 * Harmless on the host (the section merges into .text).
 */
#ifndef MEM_NONREENTRANT_H
#define MEM_NONREENTRANT_H

#define NONREENTRANT __attribute__((section(".text.nonreentrant")))

#endif
