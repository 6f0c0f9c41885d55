/*
 * The VMM's heap and list memory: _HeapAllocate and friends (the DDK's names and flags, from
 * mem/heap.h) over the one system heap, whose pools are _PageAllocate(PG_SYS) blocks, and the
 * node memory of List services (mem/list.h) on top of it.  Not reentrant.
 */
#ifndef MEM_HEAPSVC_H
#define MEM_HEAPSVC_H
#include <stddef.h>
#include <stdint.h>
#include "mem/heap.h"
#include "mem/list.h"
#include "vmm/heap.h"

extern struct heap sys_heap;
extern const struct list_mem list_mem_sys;      /* List_Create's memory: the system heap */

void     heapsvc_init(void);             /* the services: include/vmm/heap.h */

#endif
