/*
 * The List services for VxDs (include/vmm/list.h) over the portable lists (mem/list.c): a
 * handle is a system-heap block holding the list, checked as every handle is (heap_handle);
 * node memory comes from the system heap (list_mem_sys).  Each service runs with interrupts off.
 */
#include <stddef.h>
#include "mem/heapsvc.h"
#include "mem/list.h"
#include "vmm/list.h"
#include "x86/x86.h"
#include "vmm.h"

#define LIST_MAGIC 0x4C495354u          /* "LIST" */

struct hlist {
    uint32_t magic;                     /* LIST_MAGIC ^ address while it exists */
    struct list l;
};

static struct list *list_of(HLIST h, const char *svc, uint32_t caller)
{
    struct hlist *x = HANDLE_OF(struct hlist, h, LIST);
    if (!x)
        refused(svc, caller, "%08x is not a list", h);
    return x ? &x->l : 0;
}

static int done(const char *svc, uint32_t caller, int r, const struct kerr *e)
{
    if (r)
        refused(svc, caller, "%s", e->msg);
    return !r;
}

HLIST List_Create(uint32_t flags, uint32_t node_size)
{
    INTS_OFF();
    struct kerr e;
    if ((flags & ~(LF_ASYNC | LF_USE_HEAP | LF_ALLOC_ERROR)) ||
        (flags & (LF_ASYNC | LF_USE_HEAP)) == (LF_ASYNC | LF_USE_HEAP) || !node_size ||
        node_size > 0x10000u)
        return refused("List_Create", CALLER, "flags %x, node size %u: unknown flags, "
                       "LF_ASYNC with LF_USE_HEAP, or a size outside 1..65536", flags, node_size);
    struct hlist *x = heapsvc_alloc_for(sizeof *x, HEAPZEROINIT, CALLER);
    if (!x)
        return refused("List_Create", CALLER, "no memory for a list");
    if (list_create(&x->l, flags, node_size, &list_mem_sys, &e)) {
        _HeapFree(x, 0);
        return refused("List_Create", CALLER, "%s", e.msg);
    }
    x->magic = LIST_MAGIC ^ (uint32_t)x;
    return (HLIST)x;
}

/* Gone with its nodes: its handle refused from now (List_Destroy, an unloaded VxD's left over). */
static void hlist_free(struct hlist *x)
{
    list_destroy(&x->l);
    x->magic = 0;
    _HeapFree(x, 0);
}

void List_Destroy(HLIST h)
{
    INTS_OFF();
    if (list_of(h, "List_Destroy", CALLER))
        hlist_free((struct hlist *)h);
}

int list_release_left(void *p)
{
    INTS_OFF();
    struct hlist *x = p;
    if (x->magic != (LIST_MAGIC ^ (uint32_t)x))
        return -1;
    hlist_free(x);
    return 1;
}

void *List_Allocate(HLIST h)
{
    INTS_OFF();
    struct list *l = list_of(h, "List_Allocate", CALLER);
    void *n = l ? list_allocate(l) : 0;
    if (l && !n && !(l->flags & LF_ALLOC_ERROR))
        refused("List_Allocate", CALLER, "out of memory for list %08x (without LF_ALLOC_ERROR "
                "the DDK would halt; here it returns 0)", h);
    return n;
}

void List_Deallocate(HLIST h, void *node)
{
    INTS_OFF();
    struct kerr e;
    struct list *l = list_of(h, "List_Deallocate", CALLER);
    if (l)
        done("List_Deallocate", CALLER, list_deallocate(l, node, &e), &e);
}

void List_Attach(HLIST h, void *node)
{
    INTS_OFF();
    struct kerr e;
    struct list *l = list_of(h, "List_Attach", CALLER);
    if (l)
        done("List_Attach", CALLER, list_attach(l, node, &e), &e);
}

void List_Attach_Tail(HLIST h, void *node)
{
    INTS_OFF();
    struct kerr e;
    struct list *l = list_of(h, "List_Attach_Tail", CALLER);
    if (l)
        done("List_Attach_Tail", CALLER, list_attach_tail(l, node, &e), &e);
}

void List_Insert(HLIST h, void *node, void *after)
{
    INTS_OFF();
    struct kerr e;
    struct list *l = list_of(h, "List_Insert", CALLER);
    if (l)
        done("List_Insert", CALLER, list_insert(l, node, after, &e), &e);
}

uint32_t List_Remove(HLIST h, void *node)
{
    INTS_OFF();
    struct kerr e;
    struct list *l = list_of(h, "List_Remove", CALLER);
    return l ? (uint32_t)done("List_Remove", CALLER, list_remove(l, node, &e), &e) : 0;
}

void *List_Remove_First(HLIST h)
{
    INTS_OFF();
    struct list *l = list_of(h, "List_Remove_First", CALLER);
    return l ? list_remove_first(l) : 0;
}

void *List_Get_First(HLIST h)
{
    INTS_OFF();
    struct list *l = list_of(h, "List_Get_First", CALLER);
    return l ? list_get_first(l) : 0;
}

void *List_Get_Next(HLIST h, void *node)
{
    INTS_OFF();
    struct list *l = list_of(h, "List_Get_Next", CALLER);
    return l ? list_get_next(l, node) : 0;
}
