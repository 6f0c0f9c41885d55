/*
 * Heap services: _HeapAllocate and friends over the VMM's one system heap (the DDK's names,
 * flags and meaning).  Callable with interrupts on or off (each turns them off while it runs);
 * not from a fault hook for a fault inside them (see page.h).
 */
#ifndef VMM_HEAP_H
#define VMM_HEAP_H
#include <stdint.h>

/* _HeapAllocate / _HeapReAllocate flags, with the DDK's values */
#define HEAPZEROINIT    0x00000001u
#define HEAPZEROREINIT  0x00000002u
#define HEAPNOCOPY      0x00000004u
#define HEAPALIGN_SHIFT 16
#define HEAPALIGN_MASK  0x000F0000u
#define HEAPALIGN_4     0x00000000u
#define HEAPALIGN_8     0x00000000u
#define HEAPALIGN_16    0x00000000u
#define HEAPALIGN_32    0x00010000u
#define HEAPALIGN_64    0x00020000u
#define HEAPALIGN_128   0x00030000u
#define HEAPALIGN_256   0x00040000u
#define HEAPALIGN_512   0x00050000u
#define HEAPALIGN_1K    0x00060000u
#define HEAPALIGN_2K    0x00070000u
#define HEAPALIGN_4K    0x00080000u
#define HEAPALIGN_8K    0x00090000u
#define HEAPALIGN_16K   0x000A0000u
#define HEAPALIGN_32K   0x000B0000u
#define HEAPALIGN_64K   0x000C0000u
#define HEAPALIGN_128K  0x000D0000u

void    *_HeapAllocate(uint32_t nbytes, uint32_t flags);    /* NULL when out of memory */
uint32_t _HeapFree(void *p, uint32_t flags);                /* 0 (reported) for a bad pointer */
void    *_HeapReAllocate(void *p, uint32_t nbytes, uint32_t flags);
uint32_t _HeapGetSize(void *p, uint32_t flags);             /* 0 for a bad pointer */

#endif
