/*
 * Host tests for vmm/mem/list.c: the List services (List_Create ... List_Get_Next).
 *
 * Every behaviour is checked in both variants: chunked lists (nodes carved from 4 KB chunks)
 * and LF_USE_HEAP lists (each node its own block).  Node memory comes from a counting
 * allocator that checks every block comes back once with the size it was given, and poisons
 * what it frees.  Order is checked by walking get_first/get_next against a model array, and
 * the backward links through the node header that list.h documents (next, prev, state in
 * front of the data); the randomized test compares every step against a model.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem/list.h"
#include "testlib.h"

#define NODE_HDR (3 * sizeof(void *))   /* list.h: a 3-word header (next, prev, state) */
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- a counting allocator -------------------------------------------------------------------- */

#define MB_LIVE 0x4C495645u
#define MB_HELD 0x48454C44u

struct mblk {                   /* in front of every block handed out; keeps 16-byte alignment */
    uint32_t magic;
    uint32_t pad;
    size_t bytes;
    struct mblk *next_held;
    size_t pad2;
};

struct mem {
    long live;                  /* blocks out */
    long allocs, frees;
    long budget;                /* allocations it will still grant; < 0: no limit */
    int quarantine;             /* keep freed blocks (poisoned) until mem_drain */
    struct mblk *held;
};

static void *mem_alloc(void *ctx, size_t bytes)
{
    struct mem *m = ctx;
    cr_assert_gt(bytes, 0);
    if (m->budget == 0)
        return NULL;
    if (m->budget > 0)
        m->budget--;
    struct mblk *b = malloc(sizeof *b + bytes);
    cr_assert_not_null(b);
    b->magic = MB_LIVE;
    b->bytes = bytes;
    memset(b + 1, 0xA5, bytes);             /* dirty, as recycled memory would be */
    m->live++;
    m->allocs++;
    return b + 1;
}

static void mem_free(void *ctx, void *p, size_t bytes)
{
    struct mem *m = ctx;
    struct mblk *b = (struct mblk *)p - 1;
    cr_assert_eq(b->magic, MB_LIVE, "mem: %p freed but not out (twice, or never allocated)", p);
    cr_assert_eq(bytes, b->bytes, "mem: %p freed with %zu bytes, allocated with %zu", p, bytes,
                 b->bytes);
    m->live--;
    m->frees++;
    memset(p, 0xEE, bytes);                 /* poison */
    if (m->quarantine) {
        b->magic = MB_HELD;
        b->next_held = m->held;
        m->held = b;
    } else {
        b->magic = 0;
        free(b);
    }
}

static void mem_drain(struct mem *m)
{
    while (m->held) {
        struct mblk *b = m->held;
        m->held = b->next_held;
        free(b);
    }
}

/* A list of the given variant on a fresh counting allocator; asserts success. */
static void make_list(struct list *l, struct mem *m, int heap, uint32_t flags, size_t data_size)
{
    memset(m, 0, sizeof *m);
    m->budget = -1;
    struct list_mem lm = { mem_alloc, mem_free, m };
    struct kerr e;
    strcpy(e.msg, "(none)");
    int r = list_create(l, flags | (heap ? LF_USE_HEAP : 0), data_size, &lm, &e);
    cr_assert_eq(r, 0, "list_create: %s", e.msg);
}

/* ---- helpers --------------------------------------------------------------------------------- */

static void *const *hdr(const void *p) { return (void *const *)((const char *)p - NODE_HDR); }

/* The list holds exactly model[0..n) in order: the forward walk, the count, the prev links
 * and the head/tail pointers agree. */
static void expect_list(const struct list *l, void *const *model, size_t n)
{
    cr_assert_eq(l->count, n, "count %u, model %zu", l->count, n);
    const char *prev = NULL;
    void *p = list_get_first(l);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(p, model[i], "node %zu is %p, model %p", i, p, model[i]);
        cr_assert_eq((const void *)hdr(p)[1], prev ? (const void *)(prev - NODE_HDR) : NULL,
                     "node %zu: prev link wrong", i);
        prev = p;
        p = list_get_next(l, p);
    }
    cr_assert_null(p, "list longer than the model (%zu)", n);
    cr_assert_eq((void *)l->head, n ? (void *)((char *)model[0] - NODE_HDR) : NULL);
    cr_assert_eq((void *)l->tail, n ? (void *)((char *)model[n - 1] - NODE_HDR) : NULL);
}

static void *alloc_ok(struct list *l)
{
    void *p = list_allocate(l);
    cr_assert_not_null(p, "list_allocate failed");
    cr_assert_eq((uintptr_t)p % sizeof(void *), 0, "node %p not pointer-aligned", p);
    return p;
}

#define OK(call)                                                                                 \
    do {                                                                                         \
        struct kerr e_;                                                                          \
        strcpy(e_.msg, "(none)");                                                                \
        struct kerr *e = &e_;                                                                    \
        int r_ = (call);                                                                         \
        cr_assert_eq(r_, 0, "%s: %s", #call, e_.msg);                                            \
    } while (0)

/* The call must fail with -1 and a message containing `what`. */
#define REFUSED(call, what)                                                                      \
    do {                                                                                         \
        struct kerr e_;                                                                          \
        strcpy(e_.msg, "");                                                                      \
        struct kerr *e = &e_;                                                                    \
        int r_ = (call);                                                                         \
        cr_assert_eq(r_, -1, "%s accepted", #call);                                              \
        cr_assert(strstr(e_.msg, (what)), "%s: message '%s' lacks '%s'", #call, e_.msg, (what)); \
    } while (0)

/* Deallocates every attached node (removing it first) and destroys; no memory may remain. */
static void teardown(struct list *l, struct mem *m)
{
    void *p;
    for (uint32_t left = l->count; left; left--) {      /* bounded: a damaged list ends too */
        cr_assert_not_null(p = list_remove_first(l), "list shorter than its count");
        OK(list_deallocate(l, p, e));
    }
    cr_assert_null(list_get_first(l), "list longer than its count");
    list_destroy(l);
    cr_assert_eq(m->live, 0, "%ld blocks not given back", m->live);
    mem_drain(m);
}

/* ---- list_create ----------------------------------------------------------------------------- */

/* list_create refuses LF_ASYNC with LF_USE_HEAP, unknown flags, a data size of 0 or above
 * what a chunk holds (the bound it states in its message is accepted, one more is not), and a
 * misaligned list structure; a refused create leaves the structure untouched.  The valid flag
 * combinations give an empty list. */
Test(list, create_errors)
{
    struct mem m = { .budget = -1 };
    struct list_mem lm = { mem_alloc, mem_free, &m };
    struct list l, before;
    memset(&l, 0x5A, sizeof l);
    before = l;
    REFUSED(list_create(&l, LF_ASYNC | LF_USE_HEAP, 16, &lm, e), "LF_ASYNC and LF_USE_HEAP");
    REFUSED(list_create(&l, 0x8, 16, &lm, e), "unknown flags 0x8");
    REFUSED(list_create(&l, 0x80000000u | LF_ASYNC, 16, &lm, e), "unknown flags 0x80000000");
    REFUSED(list_create(&l, 0, 0, &lm, e), "node size 0");
    REFUSED(list_create(&l, LF_USE_HEAP, 0, &lm, e), "node size 0");
    cr_assert(memcmp(&l, &before, sizeof l) == 0, "a refused list_create wrote the structure");

    struct kerr e;
    cr_assert_eq(list_create(&l, 0, 100000, &lm, &e), -1);
    size_t max = 0;
    const char *bound = strstr(e.msg, "between 1 and ");
    cr_assert(bound && sscanf(bound, "between 1 and %zu", &max) == 1, "message '%s'", e.msg);
    cr_assert(max > 1000 && max < 4096, "stated bound %zu", max);
    cr_assert_eq(list_create(&l, 0, max + 1, &lm, &e), -1);
    cr_assert_eq(list_create(&l, 0, 4096, &lm, &e), -1);
    cr_assert_eq(list_create(&l, LF_USE_HEAP, 4097, &lm, &e), -1);
    cr_assert(memcmp(&l, &before, sizeof l) == 0);
    cr_assert_eq(list_create(&l, 0, max, &lm, &e), 0, "%s", e.msg);
    void *p = alloc_ok(&l);
    memset(p, 0x42, max);                   /* the whole data fits the node */
    OK(list_attach(&l, p, e));
    teardown(&l, &m);

    _Alignas(16) unsigned char raw[sizeof(struct list) + 16];
    struct list *mis = (struct list *)(raw + 1);
    REFUSED(list_create(mis, 0, 16, &lm, e), "not aligned");

    static const uint32_t good[] = { 0, LF_ASYNC, LF_ALLOC_ERROR, LF_ASYNC | LF_ALLOC_ERROR,
                                     LF_USE_HEAP, LF_USE_HEAP | LF_ALLOC_ERROR };
    for (size_t i = 0; i < NELEM(good); i++) {
        memset(&l, 0x5A, sizeof l);
        cr_assert_eq(list_create(&l, good[i], 24, &lm, &e), 0, "flags 0x%x: %s", good[i], e.msg);
        cr_assert_eq(l.count, 0);
        cr_assert_null(list_get_first(&l));
        cr_assert_null(list_remove_first(&l));
        list_destroy(&l);
    }
    cr_assert_eq(m.live, 0);
}

/* Regression (a finding, now fixed): list.c, list_create computes
 *     node = (sizeof(struct list_node) + data_size + a - 1) & ~(a - 1)
 * before checking data_size, so a huge data_size wraps: (size_t)-1 gives node_size 24 and
 * (size_t)-20 gives node_size 8 -- smaller than the node header -- and both pass the
 * "node > CHUNK_BYTES - sizeof(struct list_chunk)" test.  list_create returns 0; the chunked
 * nodes then overlap (every node header write lands in its neighbour) and the caller's data
 * runs past the chunk.  Expected: -1, "node size ... is not between 1 and 4056" (64-bit).
 * Fix: test data_size against the bound before rounding. */
Test(list, create_refuses_wrapping_data_size)
{
    struct mem m = { .budget = -1 };
    struct list_mem lm = { mem_alloc, mem_free, &m };
    struct list l;
    REFUSED(list_create(&l, 0, SIZE_MAX, &lm, e), "node size");
    REFUSED(list_create(&l, 0, SIZE_MAX - 20, &lm, e), "node size");
    REFUSED(list_create(&l, LF_USE_HEAP, SIZE_MAX - 7, &lm, e), "node size");
}

/* ---- order ----------------------------------------------------------------------------------- */

/* An empty list: get_first and remove_first give NULL and the count is 0, both fresh and after
 * every node was removed again. */
static void empty_list(int heap)
{
    struct list l;
    struct mem m;
    make_list(&l, &m, heap, 0, 16);
    cr_assert_null(list_get_first(&l));
    cr_assert_null(list_remove_first(&l));
    cr_assert_eq(l.count, 0);
    void *a = alloc_ok(&l), *b = alloc_ok(&l);
    OK(list_attach(&l, a, e));
    OK(list_attach_tail(&l, b, e));
    OK(list_remove(&l, a, e));
    cr_assert_eq(list_remove_first(&l), b);
    cr_assert_null(list_get_first(&l));
    cr_assert_null(list_remove_first(&l));
    cr_assert_eq(l.count, 0);
    expect_list(&l, NULL, 0);
    OK(list_deallocate(&l, a, e));
    OK(list_deallocate(&l, b, e));
    teardown(&l, &m);
}
Test(list, empty_chunked) { empty_list(0); }
Test(list, empty_heap) { empty_list(1); }

/* attach (head), attach_tail, insert after NULL / the head / a middle node / the tail build
 * exactly the model's order; remove from head, middle and tail and remove_first take exactly
 * the model's nodes; the count follows; get_next of the last node is NULL. */
static void order(int heap)
{
    struct list l;
    struct mem m;
    make_list(&l, &m, heap, 0, 32);
    void *n[10];
    for (int i = 0; i < 10; i++) {
        n[i] = alloc_ok(&l);
        memset(n[i], i, 32);
    }
    void *model[10];
    OK(list_attach(&l, n[0], e));                     /* 0 */
    model[0] = n[0];
    expect_list(&l, model, 1);
    OK(list_attach(&l, n[1], e));                     /* 1 0 */
    OK(list_attach_tail(&l, n[2], e));                /* 1 0 2 */
    OK(list_insert(&l, n[3], NULL, e));               /* 3 1 0 2 */
    OK(list_insert(&l, n[4], n[3], e));               /* 3 4 1 0 2: after the head */
    OK(list_insert(&l, n[5], n[1], e));               /* 3 4 1 5 0 2: after a middle node */
    OK(list_insert(&l, n[6], n[2], e));               /* 3 4 1 5 0 2 6: after the tail */
    OK(list_attach_tail(&l, n[7], e));                /* ... 6 7 */
    OK(list_attach(&l, n[8], e));                     /* 8 3 4 1 5 0 2 6 7 */
    void *want[] = { n[8], n[3], n[4], n[1], n[5], n[0], n[2], n[6], n[7] };
    expect_list(&l, want, 9);
    cr_assert_null(list_get_next(&l, n[7]));

    OK(list_remove(&l, n[8], e));                     /* head */
    void *w2[] = { n[3], n[4], n[1], n[5], n[0], n[2], n[6], n[7] };
    expect_list(&l, w2, 8);
    OK(list_remove(&l, n[5], e));                     /* middle */
    void *w3[] = { n[3], n[4], n[1], n[0], n[2], n[6], n[7] };
    expect_list(&l, w3, 7);
    OK(list_remove(&l, n[7], e));                     /* tail */
    void *w4[] = { n[3], n[4], n[1], n[0], n[2], n[6] };
    expect_list(&l, w4, 6);
    cr_assert_eq(list_remove_first(&l), n[3]);
    cr_assert_eq(list_remove_first(&l), n[4]);
    void *w5[] = { n[1], n[0], n[2], n[6] };
    expect_list(&l, w5, 4);
    /* removed nodes can go back anywhere */
    OK(list_insert(&l, n[5], n[6], e));
    OK(list_attach(&l, n[8], e));
    OK(list_insert(&l, n[9], n[0], e));
    void *w6[] = { n[8], n[1], n[0], n[9], n[2], n[6], n[5] };
    expect_list(&l, w6, 7);
    for (int i = 0; i < 10; i++) {
        unsigned char *c = n[i];
        for (int k = 0; k < 32; k++)
            cr_assert_eq(c[k], i, "node %d data damaged", i);
    }
    OK(list_deallocate(&l, n[3], e));
    OK(list_deallocate(&l, n[4], e));
    OK(list_deallocate(&l, n[7], e));
    teardown(&l, &m);
}
Test(list, order_chunked) { order(0); }
Test(list, order_heap) { order(1); }

/* ---- misuse ---------------------------------------------------------------------------------- */

/* Every misuse is refused with -1 and a message, and changes nothing (the order, the count,
 * and the nodes' states, which the legal operations afterwards depend on): deallocating an
 * attached node, attaching or inserting an attached node, removing a detached one, inserting
 * after a detached one, nodes of another list, NULL and misaligned pointers. */
static void misuse(int heap)
{
    struct list l, l2;
    struct mem m, m2;
    make_list(&l, &m, heap, 0, 24);
    make_list(&l2, &m2, heap, 0, 24);
    void *a = alloc_ok(&l), *b = alloc_ok(&l), *c = alloc_ok(&l), *d = alloc_ok(&l);
    void *x = alloc_ok(&l2), *y = alloc_ok(&l2);
    memset(d, 0, 24);
    OK(list_attach_tail(&l, a, e));
    OK(list_attach_tail(&l, b, e));
    OK(list_attach_tail(&l, c, e));
    OK(list_attach(&l2, x, e));
    void *model[] = { a, b, c };
    void *model2[] = { x };

    REFUSED(list_deallocate(&l, b, e), "attached, must be allocated");
    REFUSED(list_attach(&l, a, e), "attached, must be allocated");
    REFUSED(list_attach(&l, b, e), "attached, must be allocated");
    REFUSED(list_attach_tail(&l, c, e), "attached, must be allocated");
    REFUSED(list_insert(&l, b, a, e), "attached, must be allocated");
    REFUSED(list_insert(&l, a, NULL, e), "attached, must be allocated");
    REFUSED(list_remove(&l, d, e), "allocated, must be attached");
    REFUSED(list_insert(&l, d, d, e), "allocated, must be attached");
    expect_list(&l, model, 3);

    /* another list's nodes, both ways */
    REFUSED(list_attach(&l, y, e), "does not belong to this list");
    REFUSED(list_attach_tail(&l, y, e), "does not belong to this list");
    REFUSED(list_insert(&l, y, a, e), "does not belong to this list");
    REFUSED(list_insert(&l, d, x, e), "does not belong to this list");
    REFUSED(list_remove(&l, x, e), "does not belong to this list");
    REFUSED(list_deallocate(&l, y, e), "does not belong to this list");
    REFUSED(list_deallocate(&l, x, e), "does not belong to this list");
    REFUSED(list_remove(&l2, a, e), "does not belong to this list");
    REFUSED(list_attach(&l2, d, e), "does not belong to this list");
    expect_list(&l, model, 3);
    expect_list(&l2, model2, 1);

    /* NULL and misaligned pointers (d + 8 is aligned but heads no node: its "state" is d's
     * zeroed data) */
    REFUSED(list_attach(&l, NULL, e), "not a node pointer");
    REFUSED(list_attach_tail(&l, NULL, e), "not a node pointer");
    REFUSED(list_insert(&l, NULL, a, e), "not a node pointer");
    REFUSED(list_remove(&l, NULL, e), "not a node pointer");
    REFUSED(list_deallocate(&l, NULL, e), "not a node pointer");
    REFUSED(list_attach(&l, (char *)d + 1, e), "not a node pointer");
    REFUSED(list_remove(&l, (char *)b + 4, e), "not a node pointer");
    REFUSED(list_deallocate(&l, (char *)d + 2, e), "not a node pointer");
    REFUSED(list_insert(&l, d, (char *)a + 1, e), "not a node pointer");
    REFUSED(list_attach(&l, (char *)d + 8, e), "does not belong to this list");
    expect_list(&l, model, 3);

    /* the messages name the operation */
    REFUSED(list_deallocate(&l, a, e), "deallocate");
    REFUSED(list_remove(&l, d, e), "remove");
    REFUSED(list_insert(&l, d, d, e), "insert after");

    /* the states are intact: the legal operations still work */
    OK(list_insert(&l, d, b, e));
    void *model3[] = { a, b, d, c };
    expect_list(&l, model3, 4);
    OK(list_remove(&l, d, e));
    OK(list_deallocate(&l, d, e));
    if (!heap) {                            /* a free chunk node is still readable */
        REFUSED(list_deallocate(&l, d, e), "free, must be allocated");
        REFUSED(list_attach(&l, d, e), "free, must be allocated");
        REFUSED(list_remove(&l, d, e), "free, must be attached");
        expect_list(&l, model, 3);
    }
    OK(list_remove(&l2, x, e));
    OK(list_deallocate(&l2, x, e));
    OK(list_deallocate(&l2, y, e));
    teardown(&l2, &m2);
    teardown(&l, &m);
}
Test(list, misuse_chunked) { misuse(0); }
Test(list, misuse_heap) { misuse(1); }

/* LF_USE_HEAP: a node deallocated twice (its block kept readable, but poisoned, by the
 * allocator's quarantine, as a freed heap block would be) is refused the second time, and the
 * allocator sees exactly one free. */
Test(list, heap_double_deallocate)
{
    struct list l;
    struct mem m;
    make_list(&l, &m, 1, 0, 16);
    m.quarantine = 1;
    void *a = alloc_ok(&l), *b = alloc_ok(&l);
    OK(list_attach(&l, b, e));
    OK(list_deallocate(&l, a, e));
    cr_assert_eq(m.frees, 1);
    REFUSED(list_deallocate(&l, a, e), "deallocate");
    REFUSED(list_attach(&l, a, e), "attach");
    cr_assert_eq(m.frees, 1);
    void *model[] = { b };
    expect_list(&l, model, 1);
    teardown(&l, &m);
}

/* ---- allocation ------------------------------------------------------------------------------ */

/* list_allocate gives distinct, pointer-aligned nodes whose data (an odd size) is writable
 * and whose footprints (header + data) do not overlap; the data survives other nodes being
 * written; all of it comes back at destroy. */
static void allocate_distinct(int heap)
{
    enum { N = 600, DS = 37 };
    struct list l;
    struct mem m;
    make_list(&l, &m, heap, 0, DS);
    unsigned char **p = malloc(N * sizeof *p);
    cr_assert_not_null(p);
    for (int i = 0; i < N; i++) {
        p[i] = alloc_ok(&l);
        memset(p[i], (unsigned char)i, DS);
    }
    for (int i = 0; i < N; i++)
        for (int k = 0; k < DS; k++)
            cr_assert_eq(p[i][k], (unsigned char)i, "node %d byte %d overwritten", i, k);
    unsigned char **s = malloc(N * sizeof *s);
    cr_assert_not_null(s);
    memcpy(s, p, N * sizeof *s);
    for (int i = 1; i < N; i++)             /* insertion sort by address */
        for (int j = i; j > 0 && s[j - 1] > s[j]; j--) {
            unsigned char *t = s[j];
            s[j] = s[j - 1];
            s[j - 1] = t;
        }
    for (int i = 1; i < N; i++)
        cr_assert_geq((size_t)(s[i] - s[i - 1]), DS + NODE_HDR, "nodes %p and %p overlap",
                      (void *)s[i - 1], (void *)s[i]);
    if (heap)
        cr_assert_eq(m.live, N);
    for (int i = 0; i < N; i += 3)
        OK(list_attach(&l, p[i], e));
    for (int i = 1; i < N; i += 3)
        OK(list_deallocate(&l, p[i], e));
    if (heap)
        cr_assert_eq(m.live, N - N / 3);
    for (int i = 2; i < N; i += 3)
        OK(list_deallocate(&l, p[i], e));
    teardown(&l, &m);
    free(s);
    free(p);
}
Test(list, allocate_distinct_chunked) { allocate_distinct(0); }
Test(list, allocate_distinct_heap) { allocate_distinct(1); }

/* Chunked: a deallocated node is the next one allocated (LIFO), with no new memory; heap-backed:
 * deallocate gives the block back and allocate takes a new one. */
Test(list, deallocate_then_allocate_reuses)
{
    struct list l;
    struct mem m;
    make_list(&l, &m, 0, 0, 40);
    void *a = alloc_ok(&l), *b = alloc_ok(&l), *c = alloc_ok(&l);
    long allocs = m.allocs;
    OK(list_deallocate(&l, b, e));
    cr_assert_eq(alloc_ok(&l), b);
    OK(list_deallocate(&l, a, e));
    OK(list_deallocate(&l, c, e));
    cr_assert_eq(alloc_ok(&l), c);
    cr_assert_eq(alloc_ok(&l), a);
    cr_assert_eq(m.allocs, allocs);
    OK(list_deallocate(&l, a, e));
    OK(list_deallocate(&l, b, e));
    OK(list_deallocate(&l, c, e));
    teardown(&l, &m);

    make_list(&l, &m, 1, 0, 40);
    a = alloc_ok(&l);
    cr_assert_eq(m.live, 1);
    OK(list_deallocate(&l, a, e));
    cr_assert_eq(m.live, 0);
    a = alloc_ok(&l);
    cr_assert_eq(m.live, 1);
    cr_assert_eq(m.allocs, 2);
    OK(list_deallocate(&l, a, e));
    teardown(&l, &m);
}

/* Out of memory (LF_ALLOC_ERROR): list_allocate returns NULL and the list is unharmed; a
 * chunked list hands out every node of the chunks it has before failing, and a node given
 * back can be allocated again without memory. */
static void out_of_memory(int heap)
{
    struct list l;
    struct mem m;
    make_list(&l, &m, heap, LF_ALLOC_ERROR, 100);
    m.budget = 0;
    cr_assert_null(list_allocate(&l));
    cr_assert_eq(m.live, 0);
    m.budget = heap ? 5 : 1;
    void *p[200];
    size_t n = 0;
    while (n < NELEM(p) && (p[n] = list_allocate(&l)) != NULL) {
        memset(p[n], (int)n, 100);
        if (n % 2 == 0)
            OK(list_attach_tail(&l, p[n], e));
        n++;
    }
    cr_assert(n < NELEM(p));
    if (heap)
        cr_assert_eq(n, 5);
    else
        cr_assert(n >= 4096 / (100 + NODE_HDR + 8) - 1 && n <= 4096 / (100 + NODE_HDR),
                  "%zu nodes from one chunk", n);
    cr_assert_null(list_allocate(&l));
    cr_assert_eq(l.count, (n + 1) / 2);
    OK(list_deallocate(&l, p[1], e));
    if (heap)
        m.budget = 1;                       /* the freed block went back to the allocator */
    cr_assert_not_null(p[1] = list_allocate(&l));
    cr_assert_null(list_allocate(&l));
    for (size_t i = 0; i < n; i++)
        if (i != 1)
            for (int k = 0; k < 100; k++)
                cr_assert_eq(((unsigned char *)p[i])[k], (unsigned char)i);
    for (size_t i = 1; i < n; i += 2)
        OK(list_deallocate(&l, p[i], e));
    teardown(&l, &m);
}
Test(list, out_of_memory_chunked) { out_of_memory(0); }
Test(list, out_of_memory_heap) { out_of_memory(1); }

/* ---- destroy --------------------------------------------------------------------------------- */

/* list_destroy gives back all memory: chunked, with attached, detached and free nodes; heap-
 * backed, with attached and deallocated nodes; the structure is left empty. */
static void destroy_all(int heap)
{
    struct list l;
    struct mem m;
    make_list(&l, &m, heap, 0, 64);
    void *p[300];
    for (int i = 0; i < 300; i++)
        p[i] = alloc_ok(&l);
    for (int i = 0; i < 300; i++) {
        if (i % 3 == 0)
            OK(list_attach(&l, p[i], e));
        else if (i % 3 == 1 || heap)
            OK(list_deallocate(&l, p[i], e));
        /* else: chunked, left allocated and detached */
    }
    cr_assert_gt(m.live, 0);
    list_destroy(&l);
    cr_assert_eq(m.live, 0, "%ld blocks not given back", m.live);
    cr_assert_eq(l.count, 0);
    cr_assert_null(list_get_first(&l));
    cr_assert_eq(m.allocs, m.frees);
}
Test(list, destroy_chunked) { destroy_all(0); }
Test(list, destroy_heap) { destroy_all(1); }

/* list_destroy on an LF_USE_HEAP list frees the nodes in the list (as the DDK's List_Destroy);
 * a detached node is the caller's to deallocate first, which list.h says.  (Once a finding: the
 * header used to promise every node, attached or not.) */
Test(list, destroy_heap_frees_the_nodes_in_the_list)
{
    struct list l;
    struct mem m;
    make_list(&l, &m, 1, 0, 64);
    void *a = alloc_ok(&l), *b = alloc_ok(&l);
    OK(list_attach(&l, b, e));
    OK(list_deallocate(&l, a, e));
    cr_assert_eq(m.live, 1, "only the attached node should be live, %ld are", m.live);
    list_destroy(&l);
    cr_assert_eq(m.live, 0, "%ld node blocks leaked by list_destroy", m.live);
}

/* ---- randomized model ------------------------------------------------------------------------ */

#define RM_MAX 160
#define RM_DS  20

struct rmodel {
    struct list l;
    struct mem m;
    uint64_t rng;
    int heap;
    void *att[RM_MAX];          /* attached, in order */
    uint32_t att_id[RM_MAX];
    size_t n;
    void *det[RM_MAX];          /* allocated, detached */
    uint32_t det_id[RM_MAX];
    size_t nd;
    uint32_t next_id;
    long step;
};

static uint64_t rrnd(struct rmodel *r) { return rng_next(&r->rng); }

static void rm_write(void *p, uint32_t id)
{
    unsigned char *c = p;
    memcpy(c, &id, 4);
    for (int k = 4; k < RM_DS; k++)
        c[k] = (unsigned char)(id * 13 + (uint32_t)k);
}

static void rm_verify_data(const struct rmodel *r, const void *p, uint32_t id)
{
    const unsigned char *c = p;
    uint32_t got;
    memcpy(&got, c, 4);
    cr_assert_eq(got, id, "step %ld: node %p holds id %u, want %u", r->step, p, got, id);
    for (int k = 4; k < RM_DS; k++)
        cr_assert_eq(c[k], (unsigned char)(id * 13 + (uint32_t)k), "step %ld: node %u data",
                     r->step, id);
}

static void rm_verify(struct rmodel *r)
{
    expect_list(&r->l, r->att, r->n);
    for (size_t i = 0; i < r->n; i++)
        rm_verify_data(r, r->att[i], r->att_id[i]);
    for (size_t i = 0; i < r->nd; i++)
        rm_verify_data(r, r->det[i], r->det_id[i]);
    if (r->heap)
        cr_assert_eq(r->m.live, (long)(r->n + r->nd), "step %ld: %ld blocks live, model %zu",
                     r->step, r->m.live, r->n + r->nd);
}

/* Removes detached node k from the model (order not kept). */
static void *rm_take_det(struct rmodel *r, size_t k, uint32_t *id)
{
    void *p = r->det[k];
    *id = r->det_id[k];
    r->det[k] = r->det[--r->nd];
    r->det_id[k] = r->det_id[r->nd];
    return p;
}

static void rm_insert_at(struct rmodel *r, size_t pos, void *p, uint32_t id)
{
    memmove(&r->att[pos + 1], &r->att[pos], (r->n - pos) * sizeof r->att[0]);
    memmove(&r->att_id[pos + 1], &r->att_id[pos], (r->n - pos) * sizeof r->att_id[0]);
    r->att[pos] = p;
    r->att_id[pos] = id;
    r->n++;
}

static void rm_remove_at(struct rmodel *r, size_t pos)
{
    r->det[r->nd] = r->att[pos];
    r->det_id[r->nd++] = r->att_id[pos];
    memmove(&r->att[pos], &r->att[pos + 1], (r->n - pos - 1) * sizeof r->att[0]);
    memmove(&r->att_id[pos], &r->att_id[pos + 1], (r->n - pos - 1) * sizeof r->att_id[0]);
    r->n--;
}

/* One misuse, which must be refused and change nothing. */
static void rm_misuse(struct rmodel *r)
{
    struct list *l = &r->l;
    unsigned kind = (unsigned)(rrnd(r) % 7);
    void *att = r->n ? r->att[rrnd(r) % r->n] : NULL;
    void *det = r->nd ? r->det[rrnd(r) % r->nd] : NULL;
    switch (kind) {
    case 0: if (att) REFUSED(list_attach(l, att, e), "attached"); break;
    case 1: if (att) REFUSED(list_attach_tail(l, att, e), "attached"); break;
    case 2: if (att) REFUSED(list_insert(l, att, NULL, e), "attached"); break;
    case 3: if (att) REFUSED(list_deallocate(l, att, e), "attached"); break;
    case 4: if (det) REFUSED(list_remove(l, det, e), "allocated"); break;
    case 5: if (det) REFUSED(list_insert(l, det, det, e), "allocated"); break;
    default: REFUSED(list_remove(l, NULL, e), "not a node pointer"); break;
    }
}

static void rm_step(struct rmodel *r)
{
    struct list *l = &r->l;
    unsigned op = (unsigned)(rrnd(r) % 100);
    uint32_t id;
    if (op < 16) {                                      /* allocate */
        if (r->n + r->nd >= RM_MAX)
            return;
        void *p = alloc_ok(l);
        for (size_t i = 0; i < r->n; i++)
            cr_assert_neq(p, r->att[i], "step %ld: allocate returned an attached node", r->step);
        for (size_t i = 0; i < r->nd; i++)
            cr_assert_neq(p, r->det[i], "step %ld: allocate returned a live node", r->step);
        id = r->next_id++;
        rm_write(p, id);
        r->det[r->nd] = p;
        r->det_id[r->nd++] = id;
    } else if (op < 24) {                               /* deallocate */
        if (!r->nd)
            return;
        void *p = rm_take_det(r, rrnd(r) % r->nd, &id);
        OK(list_deallocate(l, p, e));
    } else if (op < 56) {                               /* attach / attach_tail / insert */
        if (!r->nd)
            return;
        void *p = rm_take_det(r, rrnd(r) % r->nd, &id);
        unsigned how = (unsigned)(rrnd(r) % 3);
        if (how == 0) {
            OK(list_attach(l, p, e));
            rm_insert_at(r, 0, p, id);
        } else if (how == 1) {
            OK(list_attach_tail(l, p, e));
            rm_insert_at(r, r->n, p, id);
        } else if (!r->n || rrnd(r) % 8 == 0) {
            OK(list_insert(l, p, NULL, e));
            rm_insert_at(r, 0, p, id);
        } else {
            size_t k = rrnd(r) % r->n;
            OK(list_insert(l, p, r->att[k], e));
            rm_insert_at(r, k + 1, p, id);
        }
    } else if (op < 74) {                               /* remove anywhere */
        if (!r->n)
            return;
        size_t k = rrnd(r) % r->n;
        OK(list_remove(l, r->att[k], e));
        rm_remove_at(r, k);
    } else if (op < 82) {                               /* remove_first */
        void *p = list_remove_first(l);
        if (!r->n) {
            cr_assert_null(p);
            return;
        }
        cr_assert_eq(p, r->att[0], "step %ld: remove_first", r->step);
        rm_remove_at(r, 0);
    } else if (op < 90) {                               /* get_first / get_next */
        cr_assert_eq(list_get_first(l), r->n ? r->att[0] : NULL);
        if (r->n) {
            size_t k = rrnd(r) % r->n;
            cr_assert_eq(list_get_next(l, r->att[k]), k + 1 < r->n ? r->att[k + 1] : NULL);
        }
    } else {
        rm_misuse(r);
    }
}

static void random_model(int heap, uint64_t seed, long steps)
{
    struct rmodel *r = calloc(1, sizeof *r);
    cr_assert_not_null(r);
    r->heap = heap;
    r->rng = seed;
    make_list(&r->l, &r->m, heap, heap ? 0 : LF_ASYNC, RM_DS);
    rm_verify(r);
    for (r->step = 0; r->step < steps; r->step++) {
        rm_step(r);
        rm_verify(r);
    }
    while (r->nd) {
        uint32_t id;
        void *p = rm_take_det(r, 0, &id);
        OK(list_deallocate(&r->l, p, e));
    }
    teardown(&r->l, &r->m);
    free(r);
}

/* Seeded random sequences of every operation (and refused misuses), compared after every step
 * with the model: the order both ways, the count, every node's data, the live blocks. */
Test(list, random_model_chunked) { random_model(0, 11, 4000); random_model(0, 12, 4000); }
Test(list, random_model_heap) { random_model(1, 21, 4000); random_model(1, 22, 4000); }
