/*
 * List services (the DDK's List_Create ... List_Get_Next): lists of fixed-size nodes, each
 * operation O(1).  Portable: node memory comes from callbacks (the page services, or the heap
 * with LF_USE_HEAP), so the host tests run it on malloc.  Not reentrant; an LF_ASYNC list may be
 * used from interrupt handlers only because its caller serialises with interrupts off.
 *
 * A node is a 3-word header (next, prev, state) followed by the caller's data; the API passes
 * and returns pointers to the data, as the DDK does.  The state word names the list the node
 * belongs to and whether it is free, allocated, or attached, so that a node freed twice, freed
 * while still attached, or handed to the wrong list is refused with a message instead of
 * corrupting two lists.
 */
#ifndef MEM_LIST_H
#define MEM_LIST_H
#include <stddef.h>
#include <stdint.h>
#include "lib/kfmt.h"

/* List_Create flags, with the DDK's values */
#define LF_ASYNC       0x00000001u  /* usable at interrupt time: nodes never come from the heap */
#define LF_USE_HEAP    0x00000002u  /* each node is its own heap block */
#define LF_ALLOC_ERROR 0x00000004u  /* List_Allocate may fail (returns NULL); else failure is fatal */

/* The DDK's List services take their arguments in registers (ESI list, EAX node); so do
 * these on i386 (the host's x86-64 convention already does). */
#if defined(__i386__)
#define LIST_CALL __attribute__((regparm(3)))
#else
#define LIST_CALL
#endif

struct list_mem {
    void *(*alloc)(void *ctx, size_t bytes);    /* NULL when out of memory */
    void  (*free)(void *ctx, void *p, size_t bytes);
    void *ctx;
};

struct list_node;
struct list {
    struct list_node *head, *tail;
    struct list_node *free;         /* free nodes (chunked lists) */
    struct list_chunk *chunks;      /* memory to give back at destroy */
    size_t node_size;               /* header + data, rounded to pointer alignment */
    size_t data_size;
    uint32_t flags;
    uint32_t count;                 /* attached nodes */
    struct list_mem mem;
    uintptr_t fast_tag;             /* an allocated node's state where list_deallocate's fast
                                       path may take it (a chunked list's); 1 (no state) else */
};

int LIST_CALL list_create(struct list *l, uint32_t flags, size_t data_size,
                          const struct list_mem *mem, struct kerr *e);
/* Frees the list's memory: every chunk (so every node, attached or not, of a chunked list) and,
 * with LF_USE_HEAP, the nodes attached to it (as the DDK's List_Destroy, "the nodes in the
 * list"); a detached heap node is the caller's to deallocate first. */
void LIST_CALL list_destroy(struct list *l);
void *LIST_CALL list_allocate(struct list *l);                /* NULL if out of memory */
int LIST_CALL list_deallocate(struct list *l, void *node, struct kerr *e);
int LIST_CALL list_attach(struct list *l, void *node, struct kerr *e);        /* at the head */
int LIST_CALL list_attach_tail(struct list *l, void *node, struct kerr *e);
int LIST_CALL list_insert(struct list *l, void *node, void *after, struct kerr *e); /* after NULL: head */
int LIST_CALL list_remove(struct list *l, void *node, struct kerr *e);
void *LIST_CALL list_remove_first(struct list *l);            /* NULL if empty */
void *LIST_CALL list_get_first(const struct list *l);
void *LIST_CALL list_get_next(const struct list *l, const void *node);   /* NULL at the end */

#endif
