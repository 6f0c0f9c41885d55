/* List services: see list.h. */
#include "mem/list.h"

/* Leaf library on the hot path of every allocation: on i386 the frame pointer would take one of
 * seven registers (and a push/pop per call); fault reports name the function from EIP alone. */
#pragma GCC optimize("omit-frame-pointer")

#define ST_FREE     1u          /* low two bits of state; the rest is the list's address */
#define ST_ALLOC    2u
#define ST_ATTACHED 3u
#define ST_MASK     3u
#define CHUNK_BYTES 4096u

struct list_node {
    struct list_node *next, *prev;
    uintptr_t state;            /* (uintptr_t)list | ST_* */
};

struct list_chunk {
    struct list_chunk *next;
    size_t bytes;
};

static inline void *data_of(struct list_node *n) { return n + 1; }
static inline struct list_node *node_of(const void *p) { return (struct list_node *)p - 1; }
static inline uintptr_t tag(const struct list *l, uintptr_t st) { return (uintptr_t)l | st; }

int LIST_CALL list_create(struct list *l, uint32_t flags, size_t data_size, const struct list_mem *mem,
                struct kerr *e)
{
    size_t a = sizeof(void *);
    size_t max_data = CHUNK_BYTES - sizeof(struct list_chunk) - sizeof(struct list_node);
    /* Bounded before rounding, which would wrap a huge size into a small node. */
    size_t node = data_size <= max_data ? (sizeof(struct list_node) + data_size + a - 1) & ~(a - 1) : 0;

    if ((flags & LF_ASYNC) && (flags & LF_USE_HEAP))
        return kerr_set(e, "list: LF_ASYNC and LF_USE_HEAP together (heap blocks cannot be "
                        "allocated at interrupt time)");
    if (flags & ~(LF_ASYNC | LF_USE_HEAP | LF_ALLOC_ERROR))
        return kerr_set(e, "list: unknown flags 0x%x", flags & ~(LF_ASYNC | LF_USE_HEAP | LF_ALLOC_ERROR));
    if (data_size == 0 || data_size > max_data || node > CHUNK_BYTES - sizeof(struct list_chunk))
        return kerr_set(e, "list: node size %zu is not between 1 and %zu", data_size, max_data);
    if ((uintptr_t)l & ST_MASK)
        return kerr_set(e, "list: list structure at %p is not aligned", (void *)l);
    *l = (struct list){ 0, 0, 0, 0, node, data_size, flags, 0, *mem,
                        flags & LF_USE_HEAP ? 1 : tag(l, ST_ALLOC) };
    return 0;
}

/* Slow path of list_allocate: one more chunk of nodes onto the free stack.  Out of line, so
 * that the fast path needs no saved registers. */
static __attribute__((noinline)) int grow(struct list *l)
{
    struct list_chunk *c = l->mem.alloc(l->mem.ctx, CHUNK_BYTES);
    if (!c)
        return -1;
    c->next = l->chunks;
    c->bytes = CHUNK_BYTES;
    l->chunks = c;
    char *p = (char *)(c + 1);
    size_t n = (CHUNK_BYTES - sizeof *c) / l->node_size;
    for (size_t i = 0; i < n; i++, p += l->node_size) {
        struct list_node *nd = (struct list_node *)p;
        nd->state = tag(l, ST_FREE);
        nd->next = l->free;
        l->free = nd;
    }
    return 0;
}

static __attribute__((noinline)) void *allocate_from_heap(struct list *l)
{
    struct list_node *n = l->mem.alloc(l->mem.ctx, l->node_size);
    if (!n)
        return 0;
    n->state = tag(l, ST_ALLOC);
    return data_of(n);
}

void *LIST_CALL list_allocate(struct list *l)
{
    if (l->flags & LF_USE_HEAP)
        return allocate_from_heap(l);
    if (!l->free && grow(l))
        return 0;
    struct list_node *n = l->free;
    l->free = n->next;
    n->state = tag(l, ST_ALLOC);
    return data_of(n);
}

/* The message for a node that failed the inline test in check(); kept out of the fast path. */
static __attribute__((noinline, cold)) int refuse(const struct list *l, const void *p,
                                                  uintptr_t want, const char *op, struct kerr *e)
{
    static const char *const names[4] = { "invalid", "free", "allocated", "attached" };
    if (!p || ((uintptr_t)p & (sizeof(void *) - 1)))
        return kerr_set(e, "list %p: %s of node %p: not a node pointer", (const void *)l, op, p);
    uintptr_t st = node_of(p)->state;
    if ((st & ~(uintptr_t)ST_MASK) != (uintptr_t)l)
        return kerr_set(e, "list %p: %s of node %p: the node does not belong to this list",
                        (const void *)l, op, p);
    return kerr_set(e, "list %p: %s of node %p: the node is %s, must be %s", (const void *)l,
                    op, p, names[st & ST_MASK], names[want]);
}

/* Valid pointer, this list's node, in the wanted state: one compare of the state word. */
static inline __attribute__((always_inline)) int check(const struct list *l, const void *p,
                                                       uintptr_t want, const char *op,
                                                       struct kerr *e)
{
    if (__builtin_expect(p && !((uintptr_t)p & (sizeof(void *) - 1)) &&
                         node_of(p)->state == tag(l, want), 1))
        return 0;
    return refuse(l, p, want, op, e);
}

/* Everything but a plain chunked deallocation: the checks' message, or the node back to the
 * heap.  Same arguments as list_deallocate, so the call there is a jump. */
static __attribute__((noinline)) int LIST_CALL deallocate_slow(struct list *l, void *p, struct kerr *e)
{
    if (check(l, p, ST_ALLOC, "deallocate", e))
        return -1;
    struct list_node *n = node_of(p);
    n->state = tag(l, ST_FREE);
    l->mem.free(l->mem.ctx, n, l->node_size);
    return 0;
}

int LIST_CALL list_deallocate(struct list *l, void *p, struct kerr *e)
{
    uintptr_t t = l->fast_tag;              /* a heap list's never matches: the slow path */
    if (__builtin_expect(!p || ((uintptr_t)p & (sizeof(void *) - 1)) || node_of(p)->state != t, 0))
        return deallocate_slow(l, p, e);
    struct list_node *n = node_of(p);
    n->state = t ^ (ST_ALLOC ^ ST_FREE);    /* tag(l, ST_FREE), from the one register */
    n->next = l->free;
    l->free = n;
    return 0;
}

/* Links n between a and b (either may be NULL: the ends). */
static void link(struct list *l, struct list_node *n, struct list_node *a, struct list_node *b)
{
    n->prev = a;
    n->next = b;
    if (a) a->next = n; else l->head = n;
    if (b) b->prev = n; else l->tail = n;
    n->state = tag(l, ST_ATTACHED);
    l->count++;
}

int LIST_CALL list_attach(struct list *l, void *p, struct kerr *e)
{
    if (check(l, p, ST_ALLOC, "attach", e))
        return -1;
    link(l, node_of(p), 0, l->head);
    return 0;
}

int LIST_CALL list_attach_tail(struct list *l, void *p, struct kerr *e)
{
    if (check(l, p, ST_ALLOC, "attach at tail", e))
        return -1;
    link(l, node_of(p), l->tail, 0);
    return 0;
}

int LIST_CALL list_insert(struct list *l, void *p, void *after, struct kerr *e)
{
    if (check(l, p, ST_ALLOC, "insert", e))
        return -1;
    if (!after) {
        link(l, node_of(p), 0, l->head);
        return 0;
    }
    if (check(l, after, ST_ATTACHED, "insert after", e))
        return -1;
    struct list_node *a = node_of(after);
    link(l, node_of(p), a, a->next);
    return 0;
}

static void unlink_node(struct list *l, struct list_node *n)
{
    if (n->prev) n->prev->next = n->next; else l->head = n->next;
    if (n->next) n->next->prev = n->prev; else l->tail = n->prev;
    n->state = tag(l, ST_ALLOC);
    l->count--;
}

int LIST_CALL list_remove(struct list *l, void *p, struct kerr *e)
{
    if (check(l, p, ST_ATTACHED, "remove", e))
        return -1;
    unlink_node(l, node_of(p));
    return 0;
}

void *LIST_CALL list_remove_first(struct list *l)
{
    struct list_node *n = l->head;
    if (!n)
        return 0;
    unlink_node(l, n);
    return data_of(n);
}

void *LIST_CALL list_get_first(const struct list *l) { return l->head ? data_of(l->head) : 0; }

void *LIST_CALL list_get_next(const struct list *l, const void *p)
{
    (void)l;
    struct list_node *n = node_of(p)->next;
    return n ? data_of(n) : 0;
}

void LIST_CALL list_destroy(struct list *l)
{
    if (l->flags & LF_USE_HEAP) {
        /* Attached nodes are reachable; detached allocated ones are the caller's leak. */
        while (l->head) {
            struct list_node *n = l->head;
            l->head = n->next;
            n->state = 0;
            l->mem.free(l->mem.ctx, n, l->node_size);
        }
    }
    while (l->chunks) {
        struct list_chunk *c = l->chunks;
        l->chunks = c->next;
        l->mem.free(l->mem.ctx, c, c->bytes);
    }
    *l = (struct list){ .fast_tag = 1 };     /* nothing is its node now */
}
