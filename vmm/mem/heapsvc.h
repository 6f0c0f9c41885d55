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
#include "mem/page.h"
#include "vmm/heap.h"

extern struct heap sys_heap;
extern const struct list_mem list_mem_sys;      /* List_Create's memory: the system heap */

void     heapsvc_init(void);             /* the services: include/vmm/heap.h */
/* A system-heap block for an object a service makes for its caller (a semaphore, a mutex, a
 * list): tagged with that caller, as _HeapAllocate tags a VxD's own blocks, so that what an
 * unloaded VxD made is found (heap_find_owned) and released with it (vxd.c). */
void    *heapsvc_alloc_for(uint32_t nbytes, uint32_t flags, uint32_t caller);
/* An unloaded VxD's object, p from heap_find_owned, if it is a list (List_Create's): destroyed
 * with its nodes, 1; -1 if p is not a list. */
int      list_release_left(void *p);

/* The one way the VMM checks a handle (a semaphore's, a mutex's, a thread's, a VM's): the
 * object is a system-heap block at h, and its check word, at magic_off, holds magic ^ h while it
 * exists (the owner clears it when it frees the object).  h must lie inside the heap's bounds,
 * aligned as heap payloads are, with the check word's page mapped (a stale handle into a pool
 * the heap gave back is refused, not read).  The object, or NULL.  Interrupts off. */
static inline void *heap_handle(uint32_t h, uint32_t magic_off, uint32_t magic)
{
    if (h - sys_heap.lo >= sys_heap.hi - sys_heap.lo || (h & (HEAP_ALIGN - 1)) ||
        !page_mapped_system(h + magic_off) || *(const uint32_t *)(h + magic_off) != (magic ^ h))
        return 0;
    return (void *)h;
}
#define HANDLE_OF(type, h, KIND) ((type *)heap_handle((h), offsetof(type, magic), KIND##_MAGIC))

#endif
