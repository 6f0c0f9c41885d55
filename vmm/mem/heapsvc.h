/*
 * The VMM's heap and list memory: _HeapAllocate and friends (the DDK's names and flags, from
 * lib/heap.h) over the one system heap, whose pools are _PageAllocate(PG_SYS) blocks, and the
 * node memory of List services (lib/list.h) on top of it.  Not reentrant.
 */
#ifndef MEM_HEAPSVC_H
#define MEM_HEAPSVC_H
#include <stddef.h>
#include <stdint.h>
#include "lib/heap.h"
#include "lib/list.h"

extern struct heap sys_heap;
extern const struct list_mem list_mem_sys;      /* List_Create's memory: the system heap */

void     heapsvc_init(void);
void    *_HeapAllocate(uint32_t nbytes, uint32_t flags);    /* NULL when out of memory */
uint32_t _HeapFree(void *p, uint32_t flags);                /* 0 (reported) for a bad pointer */
void    *_HeapReAllocate(void *p, uint32_t nbytes, uint32_t flags);
uint32_t _HeapGetSize(void *p, uint32_t flags);             /* 0 for a bad pointer */

#endif
