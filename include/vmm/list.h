/*
 * The List services (the DDK's List_Create ... List_Remove_First): lists of fixed-size nodes,
 * each operation O(1), with the DDK's flags and meaning.  A node is the caller's data (the
 * VMM keeps its links in front of it); List_Allocate gives one, List_Attach / _Attach_Tail /
 * _Insert put it in the list, List_Remove / _Remove_First take it out, List_Deallocate gives it
 * back.  The DDK's registers (ESI the list, EAX a node, ECX the next) become C parameters.
 *
 * Interrupts may be on or off: each call runs with them off, so an LF_ASYNC list may be used by
 * interrupt handlers as the DDK allows (LF_ASYNC with LF_USE_HEAP is refused: the heap is not
 * for interrupt time); LF_USE_HEAP makes each node its own heap block.  A bad handle, a node of
 * another list, a node freed twice or freed while attached is refused with a line naming the
 * caller, and nothing changes.
 */
#ifndef VMM_LIST_H
#define VMM_LIST_H
#include <stdint.h>

#define LF_ASYNC        0x00000001u     /* usable at interrupt time */
#define LF_USE_HEAP     0x00000002u     /* each node a heap block of its own */
#define LF_ALLOC_ERROR  0x00000004u     /* List_Allocate returns 0 when out of memory (else the
                                         * DDK halts; here it is refused with a line, and 0) */

typedef uint32_t HLIST;                 /* 0: no list */

HLIST    List_Create(uint32_t flags, uint32_t node_size);  /* 0 if refused (a line says why) */
void     List_Destroy(HLIST list);      /* the list, its free nodes and, with LF_USE_HEAP, the
                                         * nodes still attached */
void    *List_Allocate(HLIST list);     /* a node (contents undefined), or 0 */
void     List_Deallocate(HLIST list, void *node);           /* a node not attached */
void     List_Attach(HLIST list, void *node);               /* at the head */
void     List_Attach_Tail(HLIST list, void *node);
void     List_Insert(HLIST list, void *node, void *after);  /* after 0: at the head */
uint32_t List_Remove(HLIST list, void *node);   /* nonzero: done; 0 (the DDK's carry) if the
                                                 * node was not in the list */
void    *List_Remove_First(HLIST list);         /* 0 if empty */
void    *List_Get_First(HLIST list);            /* 0 if empty */
void    *List_Get_Next(HLIST list, void *node); /* 0 after the last */

#endif
