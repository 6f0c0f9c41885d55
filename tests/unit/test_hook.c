/*
 * Host tests for vmm/int/hook.c: hook chains (Hook_VMM_Fault, Hook_V86_Int_Chain ... style).
 *
 * The table is an exact-size heap block, so AddressSanitizer reports any access outside it.
 * Hooks are two functions (rec, rec2) over reference objects (struct hk) that log their id into
 * the dispatch's argument (struct ctx), return what their hk says, and can act on the table while
 * being dispatched: remove themselves, remove another hook, install one.  Order is observed
 * through dispatch (every hook declining), not through the table's internals, except in the
 * tests that corrupt a table on purpose to show that hook_check can fail.  The randomized tests
 * compare against a model: an array of hook ids per chain, head first.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "int/hook.h"
#include "testlib.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- hooks that log and act ------------------------------------------------------------------ */

enum act {
    ACT_NONE,
    ACT_REMOVE_SELF,                /* hook_remove of itself */
    ACT_REMOVE_OTHER,               /* hook_remove of each other[] (with other_fn), in order */
    ACT_INSTALL_OTHER,              /* hook_install of each other[] */
    ACT_REMOVE_REINSTALL,           /* remove itself, install itself again */
    ACT_DISPATCH_OTHER,             /* a nested hook_dispatch of chain */
    ACT_NOTE_FREE,                  /* record hook_free_links in the ctx */
};

struct ctx;
struct hk {
    int id;
    int ret;                        /* what the hook returns: 0 handled, 1 declined */
    enum act act;
    int once;                       /* act only on the first call */
    unsigned chain;                 /* the chain it acts on */
    hook_fn other_fn;               /* ACT_*_OTHER: the other hooks, NULL-terminated */
    struct hk *other[4];
    int calls;
};

struct ctx {
    struct hook_table *t;
    int log[HOOK_LINKS + 8];
    unsigned n;
    int check_inside;               /* run hook_check inside every hook */
    unsigned free_seen;             /* ACT_NOTE_FREE */
};

static void act(struct ctx *c, struct hk *h, hook_fn self)
{
    struct kerr e;
    strcpy(e.msg, "(none)");
    switch (h->act) {
    case ACT_NONE:
        break;
    case ACT_REMOVE_SELF:
        cr_assert_eq(hook_remove(c->t, h->chain, self, h, &e), 0, "remove self: %s", e.msg);
        break;
    case ACT_REMOVE_OTHER:
        for (unsigned i = 0; i < NELEM(h->other) && h->other[i]; i++)
            cr_assert_eq(hook_remove(c->t, h->chain, h->other_fn, h->other[i], &e), 0,
                         "remove other: %s", e.msg);
        break;
    case ACT_INSTALL_OTHER:
        for (unsigned i = 0; i < NELEM(h->other) && h->other[i]; i++)
            cr_assert_eq(hook_install(c->t, h->chain, h->other_fn, h->other[i], &e), 0,
                         "install other: %s", e.msg);
        break;
    case ACT_REMOVE_REINSTALL:
        cr_assert_eq(hook_remove(c->t, h->chain, self, h, &e), 0, "remove self: %s", e.msg);
        cr_assert_eq(hook_install(c->t, h->chain, self, h, &e), 0, "reinstall self: %s", e.msg);
        break;
    case ACT_DISPATCH_OTHER:
        hook_dispatch(c->t, h->chain, c);
        break;
    case ACT_NOTE_FREE:
        c->free_seen = hook_free_links(c->t);
        break;
    }
    if (h->once)
        h->act = ACT_NONE;
}

static int call(struct ctx *c, struct hk *h, hook_fn self, int id)
{
    cr_assert_lt(c->n, NELEM(c->log), "runaway dispatch");
    c->log[c->n++] = id;
    h->calls++;
    act(c, h, self);
    if (c->check_inside) {
        struct kerr e;
        strcpy(e.msg, "(none)");
        cr_assert_eq(hook_check(c->t, &e), 0, "hook_check inside hook %d: %s", h->id, e.msg);
    }
    return h->ret;
}

static int rec(void *arg, void *ref)
{
    struct hk *h = ref;
    return call(arg, h, rec, h->id);
}

/* The same reference objects under a second function: (rec2, h) is a different hook. */
static int rec2(void *arg, void *ref)
{
    struct hk *h = ref;
    return call(arg, h, rec2, 1000 + h->id);
}

/* ---- fixture and helpers --------------------------------------------------------------------- */

static struct hook_table *new_table(void)
{
    struct hook_table *t = malloc(sizeof *t);
    cr_assert_not_null(t);
    memset(t, 0xA5, sizeof *t);                 /* init must not rely on zeroed memory */
    hook_init(t);
    return t;
}

static void check_ok(const struct hook_table *t)
{
    struct kerr e;
    strcpy(e.msg, "(none)");
    cr_assert_eq(hook_check(t, &e), 0, "hook_check: %s", e.msg);
}

static void expect_err(int rc, const struct kerr *e, const char *what)
{
    cr_assert_lt(rc, 0, "expected a refusal containing \"%s\", got %d", what, rc);
    cr_assert_gt(strlen(e->msg), 0, "refusal without a message");
    cr_assert(strstr(e->msg, what), "message \"%s\" lacks \"%s\"", e->msg, what);
}

static void install_ok(struct hook_table *t, unsigned chain, hook_fn fn, struct hk *h)
{
    struct kerr e;
    strcpy(e.msg, "(none)");
    cr_assert_eq(hook_install(t, chain, fn, h, &e), 0, "install chain %u hook %d: %s", chain,
                 h->id, e.msg);
}

static void remove_ok(struct hook_table *t, unsigned chain, hook_fn fn, struct hk *h)
{
    struct kerr e;
    strcpy(e.msg, "(none)");
    cr_assert_eq(hook_remove(t, chain, fn, h, &e), 0, "remove chain %u hook %d: %s", chain,
                 h->id, e.msg);
}

static void init_hooks(struct hk *h, unsigned n)
{
    memset(h, 0, n * sizeof *h);
    for (unsigned i = 0; i < n; i++) {
        h[i].id = (int)i;
        h[i].ret = 1;
    }
}

/* Dispatches chain and expects result rc and exactly the calls want[0..n). */
static void expect_dispatch(struct hook_table *t, unsigned chain, int rc, const int *want,
                            unsigned n)
{
    struct ctx c = { .t = t };
    int r = hook_dispatch(t, chain, &c);
    char got[512] = "";
    for (unsigned i = 0; i < c.n && strlen(got) < sizeof got - 16; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), " %d", c.log[i]);
    cr_assert_eq(r, rc, "chain %u: dispatch returned %d, want %d (calls:%s)", chain, r, rc, got);
    cr_assert_eq(c.n, n, "chain %u: %u calls, want %u (calls:%s)", chain, c.n, n, got);
    for (unsigned i = 0; i < n; i++)
        cr_assert_eq(c.log[i], want[i], "chain %u: call %u is %d, want %d (calls:%s)", chain, i,
                     c.log[i], want[i], got);
}

#define EXPECT(t, chain, rc, ...) do {                                                      \
        const int want_[] = { __VA_ARGS__ };                                                \
        expect_dispatch(t, chain, rc, want_, NELEM(want_));                                 \
    } while (0)
#define EXPECT_NONE(t, chain) expect_dispatch(t, chain, 1, NULL, 0)

/* ---- init and bounds ------------------------------------------------------------------------- */

/* A fresh table: every chain empty (count 0, dispatch declines without calling anything), the
 * whole pool free, the check passes. */
Test(hook, init_is_empty)
{
    struct hook_table *t = new_table();
    cr_assert_eq(hook_free_links(t), HOOK_LINKS);
    for (unsigned c = 0; c < HOOK_CHAINS; c++) {
        cr_assert_eq(hook_count(t, c), 0, "chain %u", c);
        EXPECT_NONE(t, c);
    }
    check_ok(t);
    free(t);
}

/* The first and last chains work; out of range, count is 0 and dispatch declines. */
Test(hook, chain_bounds)
{
    struct hook_table *t = new_table();
    struct hk h[2];
    init_hooks(h, 2);
    install_ok(t, 0, rec, &h[0]);
    install_ok(t, HOOK_CHAINS - 1, rec, &h[1]);
    cr_assert_eq(HOOK_MAX_CHAINS, HOOK_CHAINS);
    EXPECT(t, 0, 1, 0);
    EXPECT(t, HOOK_CHAINS - 1, 1, 1);
    EXPECT_NONE(t, HOOK_CHAINS);
    EXPECT_NONE(t, UINT_MAX);
    cr_assert_eq(hook_count(t, HOOK_CHAINS), 0);
    cr_assert_eq(hook_count(t, UINT_MAX), 0);
    cr_assert_eq(hook_count(t, 0), 1);
    cr_assert_eq(hook_count(t, HOOK_CHAINS - 1), 1);
    check_ok(t);
    free(t);
}

/* ---- refusals -------------------------------------------------------------------------------- */

/* Chain out of range, NULL function, the same (fn, ref) twice in a chain: refused with a message
 * naming the chain, and the table is unchanged.  The same (fn, ref) in another chain, the same
 * fn with another ref, and the same ref with another fn are different hooks and accepted. */
Test(hook, install_refusals)
{
    struct hook_table *t = new_table();
    struct hk h[3];
    init_hooks(h, 3);
    install_ok(t, 14, rec, &h[0]);
    struct hook_table *snap = malloc(sizeof *snap);
    memcpy(snap, t, sizeof *t);
    struct kerr e;

    strcpy(e.msg, "");
    expect_err(hook_install(t, HOOK_CHAINS, rec, &h[1], &e), &e, "chain 1024 out of range");
    strcpy(e.msg, "");
    expect_err(hook_install(t, UINT_MAX, rec, &h[1], &e), &e, "out of range");
    strcpy(e.msg, "");
    expect_err(hook_install(t, 14, NULL, &h[1], &e), &e, "chain 14: NULL");
    strcpy(e.msg, "");
    expect_err(hook_install(t, 14, rec, &h[0], &e), &e, "chain 14: hook");
    cr_assert(strstr(e.msg, "already installed"), "%s", e.msg);
    cr_assert_eq(memcmp(snap, t, sizeof *t), 0, "a refused install changed the table");
    cr_assert_eq(hook_install(t, 14, rec, &h[0], NULL), -1, "refusal with e == NULL");

    install_ok(t, 15, rec, &h[0]);              /* same hook, other chain */
    install_ok(t, 14, rec, &h[1]);              /* same fn, other ref */
    install_ok(t, 14, rec2, &h[0]);             /* same ref, other fn */
    install_ok(t, 14, rec, NULL);               /* a NULL ref is a ref */
    strcpy(e.msg, "");
    expect_err(hook_install(t, 14, rec, NULL, &e), &e, "already installed");
    cr_assert_eq(hook_count(t, 14), 4);
    cr_assert_eq(hook_count(t, 15), 1);
    cr_assert_eq(hook_free_links(t), HOOK_LINKS - 5);
    check_ok(t);
    free(snap);
    free(t);
}

/* Removing from a chain out of range, a hook never installed, one installed in another chain
 * only, one with the right fn and the wrong ref (and the reverse), and one already removed:
 * refused with the chain in the message, the table unchanged. */
Test(hook, remove_refusals)
{
    struct hook_table *t = new_table();
    struct hk h[3];
    init_hooks(h, 3);
    install_ok(t, 3, rec, &h[0]);
    install_ok(t, 4, rec, &h[1]);
    struct hook_table *snap = malloc(sizeof *snap);
    memcpy(snap, t, sizeof *t);
    struct kerr e;

    strcpy(e.msg, "");
    expect_err(hook_remove(t, HOOK_CHAINS, rec, &h[0], &e), &e, "chain 1024 out of range");
    strcpy(e.msg, "");
    expect_err(hook_remove(t, 7, rec, &h[0], &e), &e, "chain 7: hook");
    cr_assert(strstr(e.msg, "not installed"), "%s", e.msg);
    strcpy(e.msg, "");
    expect_err(hook_remove(t, 3, rec, &h[1], &e), &e, "chain 3: hook");   /* in chain 4 only */
    strcpy(e.msg, "");
    expect_err(hook_remove(t, 3, rec2, &h[0], &e), &e, "not installed");  /* other fn */
    strcpy(e.msg, "");
    expect_err(hook_remove(t, 3, rec, &h[2], &e), &e, "not installed");   /* other ref */
    strcpy(e.msg, "");
    expect_err(hook_remove(t, 3, NULL, &h[0], &e), &e, "not installed");
    cr_assert_eq(memcmp(snap, t, sizeof *t), 0, "a refused remove changed the table");

    remove_ok(t, 3, rec, &h[0]);
    strcpy(e.msg, "");
    expect_err(hook_remove(t, 3, rec, &h[0], &e), &e, "not installed");   /* twice */
    EXPECT_NONE(t, 3);
    EXPECT(t, 4, 1, 1);
    check_ok(t);
    free(snap);
    free(t);
}

/* The pool is shared: 256 hooks over many chains fill it; the next install, in any chain, is
 * refused with "table full" and changes nothing; one removal makes room for exactly one. */
Test(hook, full_pool_refused)
{
    struct hook_table *t = new_table();
    struct hk *h = malloc((HOOK_LINKS + 1) * sizeof *h);
    init_hooks(h, HOOK_LINKS + 1);
    for (unsigned i = 0; i < HOOK_LINKS; i++)
        install_ok(t, (i * 37) % HOOK_CHAINS, rec, &h[i]);
    cr_assert_eq(hook_free_links(t), 0);
    check_ok(t);
    struct hook_table *snap = malloc(sizeof *snap);
    memcpy(snap, t, sizeof *t);
    struct kerr e;
    strcpy(e.msg, "");
    expect_err(hook_install(t, 14, rec, &h[HOOK_LINKS], &e), &e, "hook: chain 14: table full");
    cr_assert(strstr(e.msg, "256 links"), "%s", e.msg);
    strcpy(e.msg, "");
    expect_err(hook_install(t, HOOK_CHAINS - 1, rec2, &h[0], &e), &e, "table full");
    cr_assert_eq(memcmp(snap, t, sizeof *t), 0, "a refused install changed the table");
    for (unsigned i = 0; i < HOOK_LINKS; i++)
        cr_assert_eq(hook_count(t, (i * 37) % HOOK_CHAINS), 1);

    remove_ok(t, (100 * 37) % HOOK_CHAINS, rec, &h[100]);
    cr_assert_eq(hook_free_links(t), 1);
    install_ok(t, 14, rec, &h[HOOK_LINKS]);
    strcpy(e.msg, "");
    expect_err(hook_install(t, 14, rec2, &h[HOOK_LINKS], &e), &e, "table full");
    check_ok(t);
    free(snap);
    free(h);
    free(t);
}

/* All 256 links in one chain: dispatch calls all of them, last installed first; the chain
 * empties from the head, the tail and the middle back to a full pool. */
Test(hook, one_chain_holds_the_whole_pool)
{
    struct hook_table *t = new_table();
    struct hk *h = malloc(HOOK_LINKS * sizeof *h);
    init_hooks(h, HOOK_LINKS);
    for (unsigned i = 0; i < HOOK_LINKS; i++)
        install_ok(t, 9, rec, &h[i]);
    cr_assert_eq(hook_count(t, 9), HOOK_LINKS);
    struct ctx c = { .t = t };
    cr_assert_eq(hook_dispatch(t, 9, &c), 1);
    cr_assert_eq(c.n, HOOK_LINKS);
    for (unsigned i = 0; i < HOOK_LINKS; i++)
        cr_assert_eq(c.log[i], (int)(HOOK_LINKS - 1 - i));
    int left[HOOK_LINKS];                       /* the model: ids, head first */
    unsigned n = HOOK_LINKS;
    for (unsigned i = 0; i < n; i++)
        left[i] = (int)(HOOK_LINKS - 1 - i);
    for (unsigned k = 0; k < HOOK_LINKS; k++) {    /* in turn the head, the tail, the middle */
        unsigned at = k % 3 == 0 ? 0 : k % 3 == 1 ? n - 1 : n / 2;
        remove_ok(t, 9, rec, &h[left[at]]);
        memmove(&left[at], &left[at + 1], (n - at - 1) * sizeof(int));
        n--;
        cr_assert_eq(hook_count(t, 9), n);
        if (k % 16 == 0)
            expect_dispatch(t, 9, 1, left, n);
    }
    cr_assert_eq(hook_free_links(t), HOOK_LINKS);
    EXPECT_NONE(t, 9);
    check_ok(t);
    free(h);
    free(t);
}

/* ---- order and stopping ---------------------------------------------------------------------- */

/* The hook installed last is called first; when all decline, every hook is called and dispatch
 * returns 1; other chains are not called. */
Test(hook, last_installed_called_first)
{
    struct hook_table *t = new_table();
    struct hk h[4];
    init_hooks(h, 4);
    install_ok(t, 5, rec, &h[0]);
    install_ok(t, 5, rec, &h[1]);
    install_ok(t, 6, rec, &h[3]);
    install_ok(t, 5, rec, &h[2]);
    EXPECT(t, 5, 1, 2, 1, 0);
    EXPECT(t, 6, 1, 3);
    EXPECT_NONE(t, 4);
    cr_assert_eq(hook_count(t, 5), 3);
    check_ok(t);
    free(t);
}

/* A hook that handles (returns 0) stops the walk: the hooks after it are not called and
 * dispatch returns 0; one that declines passes on.  Any nonzero return is a decline. */
Test(hook, handled_stops_declined_passes_on)
{
    struct hook_table *t = new_table();
    struct hk h[4];
    init_hooks(h, 4);
    for (unsigned i = 0; i < 4; i++)
        install_ok(t, 1, rec, &h[i]);           /* call order 3 2 1 0 */
    h[1].ret = 0;
    EXPECT(t, 1, 0, 3, 2, 1);
    h[3].ret = 0;
    EXPECT(t, 1, 0, 3);
    h[3].ret = -5;                              /* nonzero: declined */
    h[2].ret = 42;
    EXPECT(t, 1, 0, 3, 2, 1);
    h[1].ret = 1;
    h[0].ret = 0;
    EXPECT(t, 1, 0, 3, 2, 1, 0);                /* handled by the last: 0 */
    h[0].ret = 7;
    EXPECT(t, 1, 1, 3, 2, 1, 0);
    cr_assert_eq(h[0].calls, 2);
    check_ok(t);
    free(t);
}

/* The argument reaches every hook unchanged, and each hook gets its own ref. */
static int arg_probe(void *arg, void *ref)
{
    void **slot = arg;
    cr_assert_eq(slot[0], (void *)0x1234, "arg changed");
    slot[1 + (uintptr_t)ref] = ref;
    return 1;
}

Test(hook, passes_arg_and_ref)
{
    struct hook_table *t = new_table();
    void *slot[4] = { (void *)0x1234, NULL, NULL, NULL };
    cr_assert_eq(hook_install(t, 2, arg_probe, (void *)0, NULL), 0);
    cr_assert_eq(hook_install(t, 2, arg_probe, (void *)1, NULL), 0);
    cr_assert_eq(hook_install(t, 2, arg_probe, (void *)2, NULL), 0);
    cr_assert_eq(hook_dispatch(t, 2, slot), 1);
    cr_assert_eq(slot[2], (void *)1);
    cr_assert_eq(slot[3], (void *)2);
    free(t);
}

/* A table with a `call` (the VMM's way into VxDs' code): hooks outside [own_lo, own_lo +
 * own_size) go through it -- its result is the hook's -- and the others are called directly. */
static unsigned foreign_calls;
static int call_declining(hook_fn fn, void *arg, void *ref)
{
    foreign_calls++;
    fn(arg, ref);                               /* the hook runs ... */
    return 1;                                   /* ... and "faulted": declined */
}

Test(hook, foreign_hooks_go_through_call)
{
    struct hook_table *t = new_table();
    struct ctx c = { .t = t };
    struct hk h[2];
    init_hooks(h, 2);
    h[0].ret = h[1].ret = 0;
    install_ok(t, 3, rec, &h[0]);
    install_ok(t, 3, rec2, &h[1]);              /* called first */
    t->call = call_declining;
    t->own_lo = (uintptr_t)rec;                 /* rec is the "VMM's own", rec2 foreign */
    t->own_size = 1;
    cr_assert_eq(hook_dispatch(t, 3, &c), 0, "rec2's decline (by call) passes on to rec");
    cr_assert_eq(foreign_calls, 1);
    cr_assert_eq(c.n, 2);
    cr_assert_eq(c.log[0], 1000 + h[1].id);
    cr_assert_eq(c.log[1], h[0].id);
    t->own_lo = (uintptr_t)rec2;                /* now rec2 is own: called directly, handles */
    c.n = 0;
    cr_assert_eq(hook_dispatch(t, 3, &c), 0);
    cr_assert_eq(foreign_calls, 1);
    cr_assert_eq(c.n, 1);
    check_ok(t);
    free(t);
}

/* ---- removal --------------------------------------------------------------------------------- */

/* Remove at the head, in the middle and at the tail of a 5-hook chain: the others keep their
 * order, the link goes back to the pool, and a new install goes to the head. */
Test(hook, remove_head_middle_tail)
{
    struct hook_table *t = new_table();
    struct hk h[6];
    init_hooks(h, 6);
    for (unsigned i = 0; i < 5; i++)
        install_ok(t, 8, rec, &h[i]);
    EXPECT(t, 8, 1, 4, 3, 2, 1, 0);
    remove_ok(t, 8, rec, &h[4]);                /* head */
    EXPECT(t, 8, 1, 3, 2, 1, 0);
    check_ok(t);
    remove_ok(t, 8, rec, &h[2]);                /* middle */
    EXPECT(t, 8, 1, 3, 1, 0);
    check_ok(t);
    remove_ok(t, 8, rec, &h[0]);                /* tail */
    EXPECT(t, 8, 1, 3, 1);
    cr_assert_eq(hook_count(t, 8), 2);
    cr_assert_eq(hook_free_links(t), HOOK_LINKS - 2);
    check_ok(t);
    install_ok(t, 8, rec, &h[5]);
    install_ok(t, 8, rec, &h[2]);               /* reinstalled: now at the head */
    EXPECT(t, 8, 1, 2, 5, 3, 1);
    remove_ok(t, 8, rec, &h[1]);                /* the new tail */
    remove_ok(t, 8, rec, &h[2]);
    remove_ok(t, 8, rec, &h[3]);
    remove_ok(t, 8, rec, &h[5]);                /* the last one */
    EXPECT_NONE(t, 8);
    cr_assert_eq(hook_free_links(t), HOOK_LINKS);
    check_ok(t);
    free(t);
}

/* rec and rec2 over the same ref are two hooks: removing one leaves the other. */
Test(hook, remove_matches_fn_and_ref)
{
    struct hook_table *t = new_table();
    struct hk h[2];
    init_hooks(h, 2);
    install_ok(t, 0, rec, &h[0]);
    install_ok(t, 0, rec2, &h[0]);
    install_ok(t, 0, rec, &h[1]);
    EXPECT(t, 0, 1, 1, 1000, 0);
    remove_ok(t, 0, rec, &h[0]);
    EXPECT(t, 0, 1, 1, 1000);
    remove_ok(t, 0, rec2, &h[0]);
    EXPECT(t, 0, 1, 1);
    check_ok(t);
    free(t);
}

/* ---- changes during dispatch ----------------------------------------------------------------- */

/* A hook in the middle removes itself while dispatched: it is called this once, the walk goes on
 * to the hooks after it, the next dispatch does not call it, and its link comes back to the pool
 * when the dispatch returns.  The table passes hook_check inside every hook. */
Test(hook, hook_removes_itself)
{
    struct hook_table *t = new_table();
    struct hk h[3];
    init_hooks(h, 3);
    for (unsigned i = 0; i < 3; i++)
        install_ok(t, 2, rec, &h[i]);           /* order 2 1 0 */
    h[1].act = ACT_REMOVE_SELF;
    h[1].chain = 2;
    struct ctx c = { .t = t, .check_inside = 1 };
    cr_assert_eq(hook_dispatch(t, 2, &c), 1);
    cr_assert_eq(c.n, 3);
    cr_assert(c.log[0] == 2 && c.log[1] == 1 && c.log[2] == 0);
    cr_assert_eq(hook_free_links(t), HOOK_LINKS - 2);
    cr_assert_eq(hook_count(t, 2), 2);
    check_ok(t);
    EXPECT(t, 2, 1, 2, 0);
    cr_assert_eq(h[1].calls, 1);
    free(t);
}

/* The head and the tail remove themselves; one removes itself and handles (stops). */
Test(hook, hook_removes_itself_at_ends_and_handles)
{
    struct hook_table *t = new_table();
    struct hk h[4];
    init_hooks(h, 4);
    for (unsigned i = 0; i < 4; i++) {
        install_ok(t, 3, rec, &h[i]);           /* order 3 2 1 0 */
        h[i].chain = 3;
    }
    h[3].act = ACT_REMOVE_SELF;
    h[0].act = ACT_REMOVE_SELF;
    EXPECT(t, 3, 1, 3, 2, 1, 0);
    EXPECT(t, 3, 1, 2, 1);
    h[2].act = ACT_REMOVE_SELF;
    h[2].ret = 0;
    EXPECT(t, 3, 0, 2);
    EXPECT(t, 3, 1, 1);
    h[1].act = ACT_REMOVE_SELF;                 /* the only one */
    EXPECT(t, 3, 1, 1);
    EXPECT_NONE(t, 3);
    cr_assert_eq(hook_free_links(t), HOOK_LINKS);
    check_ok(t);
    free(t);
}

/* A hook removes the hook after it (the one the walk has already read as next): that hook is
 * not called, the walk goes on with the one after it; also at the tail (nothing after). */
Test(hook, hook_removes_next)
{
    struct hook_table *t = new_table();
    struct hk h[4];
    init_hooks(h, 4);
    for (unsigned i = 0; i < 4; i++)
        install_ok(t, 4, rec, &h[i]);           /* order 3 2 1 0 */
    h[2].act = ACT_REMOVE_OTHER;
    h[2].chain = 4;
    h[2].other_fn = rec;
    h[2].other[0] = &h[1];
    h[2].once = 1;
    struct ctx c = { .t = t, .check_inside = 1 };
    cr_assert_eq(hook_dispatch(t, 4, &c), 1);
    cr_assert_eq(c.n, 3, "%u calls", c.n);
    cr_assert(c.log[0] == 3 && c.log[1] == 2 && c.log[2] == 0, "%d %d %d", c.log[0], c.log[1],
              c.log[2]);
    cr_assert_eq(h[1].calls, 0, "the removed next hook was called");
    cr_assert_eq(hook_free_links(t), HOOK_LINKS - 3);
    check_ok(t);
    EXPECT(t, 4, 1, 3, 2, 0);

    h[2].act = ACT_REMOVE_OTHER;                /* now the next one is the tail */
    h[2].other[0] = &h[0];
    EXPECT(t, 4, 1, 3, 2);
    cr_assert_eq(hook_count(t, 4), 2);
    check_ok(t);
    free(t);
}


/* The head removes the next two hooks in one call: the walk goes on after both.  A hook that
 * removes every other hook of its chain is the last one called. */
Test(hook, hook_removes_several_following)
{
    struct hook_table *t = new_table();
    struct hk h[5];
    init_hooks(h, 5);
    for (unsigned i = 0; i < 5; i++) {
        install_ok(t, 6, rec, &h[i]);           /* order 4 3 2 1 0 */
        h[i].chain = 6;
        h[i].other_fn = rec;
        h[i].once = 1;
    }
    h[4].act = ACT_REMOVE_OTHER;
    h[4].other[0] = &h[3];
    h[4].other[1] = &h[2];
    h[3].act = ACT_REMOVE_SELF;                 /* never runs: 3 is removed before its turn */
    struct ctx c = { .t = t, .check_inside = 1 };
    cr_assert_eq(hook_dispatch(t, 6, &c), 1);
    cr_assert_eq(c.n, 3);
    cr_assert(c.log[0] == 4 && c.log[1] == 1 && c.log[2] == 0);
    cr_assert_eq(h[3].calls + h[2].calls, 0);
    cr_assert_eq(hook_free_links(t), HOOK_LINKS - 3);
    EXPECT(t, 6, 1, 4, 1, 0);

    h[1].act = ACT_REMOVE_OTHER;                /* the middle one removes the head and tail */
    h[1].other[0] = &h[4];
    h[1].other[1] = &h[0];
    EXPECT(t, 6, 1, 4, 1);
    EXPECT(t, 6, 1, 1);
    cr_assert_eq(hook_free_links(t), HOOK_LINKS - 1);
    check_ok(t);
    free(t);
}

/* A hook removes a hook that was called before it: no effect on this walk; and one removes
 * itself and the hook after it together. */
Test(hook, hook_removes_earlier_and_self_plus_next)
{
    struct hook_table *t = new_table();
    struct hk h[4];
    init_hooks(h, 4);
    for (unsigned i = 0; i < 4; i++) {
        install_ok(t, 12, rec, &h[i]);          /* order 3 2 1 0 */
        h[i].chain = 12;
        h[i].other_fn = rec;
        h[i].once = 1;
    }
    h[1].act = ACT_REMOVE_OTHER;
    h[1].other[0] = &h[3];
    EXPECT(t, 12, 1, 3, 2, 1, 0);
    EXPECT(t, 12, 1, 2, 1, 0);
    h[2].act = ACT_REMOVE_OTHER;
    h[2].other[0] = &h[2];                      /* itself ... */
    h[2].other[1] = &h[1];                      /* ... and the next */
    EXPECT(t, 12, 1, 2, 0);
    EXPECT(t, 12, 1, 0);
    cr_assert_eq(hook_free_links(t), HOOK_LINKS - 1);
    check_ok(t);
    free(t);
}

/* A hook installed during a dispatch, by the tail or a middle hook, into the same chain goes to
 * the head: not called by the dispatch in progress, called first by the next.  One installed
 * into another chain is there at once. */
Test(hook, hook_installs_during_dispatch)
{
    struct hook_table *t = new_table();
    struct hk h[5];
    init_hooks(h, 5);
    install_ok(t, 20, rec, &h[0]);
    install_ok(t, 20, rec, &h[1]);              /* order 1 0 */
    h[0].act = ACT_INSTALL_OTHER;               /* the tail installs 2 */
    h[0].chain = 20;
    h[0].other_fn = rec;
    h[0].other[0] = &h[2];
    h[0].once = 1;
    h[1].act = ACT_INSTALL_OTHER;               /* the head installs 3 in chain 20, 4 in 21 */
    h[1].chain = 20;
    h[1].other_fn = rec;
    h[1].other[0] = &h[3];
    h[1].once = 1;
    struct ctx c = { .t = t, .check_inside = 1 };
    cr_assert_eq(hook_dispatch(t, 20, &c), 1);
    cr_assert_eq(c.n, 2);
    cr_assert(c.log[0] == 1 && c.log[1] == 0);
    EXPECT(t, 20, 1, 2, 3, 1, 0);
    h[3].act = ACT_INSTALL_OTHER;
    h[3].chain = 21;
    h[3].other_fn = rec;
    h[3].other[0] = &h[4];
    h[3].once = 1;
    h[2].ret = 0;
    EXPECT(t, 20, 0, 2);                        /* 3 not reached */
    h[2].ret = 1;
    EXPECT(t, 20, 1, 2, 3, 1, 0);
    EXPECT(t, 21, 1, 4);
    cr_assert_eq(hook_free_links(t), HOOK_LINKS - 5);
    check_ok(t);
    free(t);
}

/* A hook removes and reinstalls itself while dispatched: it is not called a second time by this
 * dispatch (its new link is at the head), and the next dispatch calls it first, once. */
Test(hook, hook_removes_and_reinstalls_itself)
{
    struct hook_table *t = new_table();
    struct hk h[3];
    init_hooks(h, 3);
    for (unsigned i = 0; i < 3; i++)
        install_ok(t, 30, rec, &h[i]);          /* order 2 1 0 */
    h[1].act = ACT_REMOVE_REINSTALL;
    h[1].chain = 30;
    h[1].once = 1;
    struct ctx c = { .t = t, .check_inside = 1 };
    cr_assert_eq(hook_dispatch(t, 30, &c), 1);
    cr_assert_eq(c.n, 3);
    cr_assert(c.log[0] == 2 && c.log[1] == 1 && c.log[2] == 0);
    EXPECT(t, 30, 1, 1, 2, 0);
    cr_assert_eq(hook_count(t, 30), 3);
    cr_assert_eq(hook_free_links(t), HOOK_LINKS - 3);
    check_ok(t);
    free(t);
}

/* A hook dispatches another chain whose hook removes, from the outer chain, the hook the outer
 * walk will visit next: it is skipped; the removed link stays out of the pool until the outer
 * dispatch returns (the inner one returning is not enough). */
Test(hook, nested_dispatch_defers_reuse)
{
    struct hook_table *t = new_table();
    struct hk h[4];
    init_hooks(h, 4);
    install_ok(t, 40, rec, &h[3]);              /* chain 40: 0 1 3 */
    install_ok(t, 40, rec, &h[1]);
    install_ok(t, 40, rec, &h[0]);
    install_ok(t, 41, rec, &h[2]);              /* chain 41: 2 */
    h[0].act = ACT_DISPATCH_OTHER;
    h[0].chain = 41;
    h[2].act = ACT_REMOVE_OTHER;
    h[2].chain = 40;
    h[2].other_fn = rec;
    h[2].other[0] = &h[1];
    h[2].once = 1;
    h[3].act = ACT_NOTE_FREE;
    struct ctx c = { .t = t, .check_inside = 1 };
    cr_assert_eq(hook_dispatch(t, 40, &c), 1);
    cr_assert_eq(c.n, 3);
    cr_assert(c.log[0] == 0 && c.log[1] == 2 && c.log[2] == 3, "%d %d %d", c.log[0], c.log[1],
              c.log[2]);
    cr_assert_eq(h[1].calls, 0);
    cr_assert_eq(c.free_seen, HOOK_LINKS - 4, "a link was reused while the outer walk ran");
    cr_assert_eq(hook_free_links(t), HOOK_LINKS - 3);
    check_ok(t);
    h[0].act = ACT_NONE;
    EXPECT(t, 40, 1, 0, 3);
    free(t);
}

/* With the pool full, a hook that removes itself and then installs another is refused (the
 * removed link is not reusable while the dispatch runs), with a message that says so; after the
 * dispatch the link is free and the install succeeds. */
static struct hk full_extra;
static int full_probe(void *arg, void *ref)
{
    struct ctx *c = arg;
    struct hk *me = ref;
    struct kerr e;
    c->log[c->n++] = me->id;
    remove_ok(c->t, me->chain, full_probe, me);
    strcpy(e.msg, "");
    expect_err(hook_install(c->t, me->chain, rec, &full_extra, &e), &e, "table full");
    cr_assert(strstr(e.msg, "during a dispatch"), "%s", e.msg);
    cr_assert_eq(hook_free_links(c->t), 0);
    cr_assert_eq(hook_check(c->t, &e), 0, "%s", e.msg);
    return 1;
}

Test(hook, full_pool_during_dispatch)
{
    struct hook_table *t = new_table();
    struct hk *h = malloc(HOOK_LINKS * sizeof *h);
    init_hooks(h, HOOK_LINKS);
    for (unsigned i = 0; i < HOOK_LINKS - 1; i++)
        install_ok(t, 50 + i % 3, rec, &h[i]);
    h[HOOK_LINKS - 1].chain = 50;
    cr_assert_eq(hook_install(t, 50, full_probe, &h[HOOK_LINKS - 1], NULL), 0);
    cr_assert_eq(hook_free_links(t), 0);
    struct ctx c = { .t = t };
    cr_assert_eq(hook_dispatch(t, 50, &c), 1);
    cr_assert_eq(c.n, 1 + (HOOK_LINKS - 1 + 2) / 3);
    cr_assert_eq(hook_free_links(t), 1);
    check_ok(t);
    full_extra.id = 999;
    full_extra.ret = 1;
    install_ok(t, 50, rec, &full_extra);
    cr_assert_eq(hook_free_links(t), 0);
    check_ok(t);
    free(h);
    free(t);
}

/* ---- hook_check can fail --------------------------------------------------------------------- */

/* White-box: each corruption of a valid table (links as hook.h lays them out) is reported. */
static void expect_check_fails(const struct hook_table *t, const char *what)
{
    struct kerr e;
    strcpy(e.msg, "");
    expect_err(hook_check(t, &e), &e, what);
}

static struct hook_table *sample(struct hk *h)
{
    struct hook_table *t = new_table();
    init_hooks(h, 6);
    for (unsigned i = 0; i < 4; i++)
        install_ok(t, 5, rec, &h[i]);
    install_ok(t, 6, rec, &h[4]);
    install_ok(t, 6, rec, &h[5]);
    check_ok(t);
    return t;
}

Test(hook, check_detects_corruption)
{
    struct hk h[6];
    struct hook_table *t;
    unsigned a, b;

    t = sample(h);                              /* a cycle in a chain */
    a = t->head[5];
    b = t->link[t->link[a].next].next;
    t->link[t->link[b].next].next = (uint16_t)a;
    expect_check_fails(t, "reached twice");
    free(t);

    t = sample(h);                              /* a self-loop at the tail */
    for (a = t->head[5]; t->link[a].next != HOOK_NIL; a = t->link[a].next)
        ;
    t->link[a].next = (uint16_t)a;
    expect_check_fails(t, "chain 5");
    free(t);

    t = sample(h);                              /* one link in two chains */
    t->head[7] = t->head[5];
    expect_check_fails(t, "reached twice");
    free(t);

    t = sample(h);                              /* a chain joining the free list */
    a = t->head[6];
    t->link[t->link[a].next].next = t->free;
    expect_check_fails(t, "chain 6: link");
    free(t);

    t = sample(h);                              /* an index out of the pool */
    t->head[9] = HOOK_LINKS;
    expect_check_fails(t, "out of range");
    free(t);

    t = sample(h);                              /* a link lost: neither in a chain nor free */
    a = t->free;
    t->free = t->link[a].next;
    t->nfree--;
    expect_check_fails(t, "in no chain and not free");
    free(t);

    t = sample(h);                              /* the free count */
    t->nfree++;
    expect_check_fails(t, "free list holds");
    free(t);

    t = sample(h);                              /* a link that names another chain */
    t->link[t->head[6]].chain = 5;
    expect_check_fails(t, "says it is in chain");
    free(t);

    t = sample(h);                              /* a NULL function in a chain */
    t->link[t->head[6]].fn = NULL;
    expect_check_fails(t, "NULL function");
    free(t);

    t = sample(h);                              /* the same hook twice in a chain */
    t->link[t->head[5]].ref = &h[0];
    expect_check_fails(t, "in links");
    free(t);

    t = sample(h);                              /* a free link with a function */
    t->link[t->free].fn = rec;
    expect_check_fails(t, "not free");
    free(t);

    /* A removed link left pending with no dispatch running is reported; the next dispatch
     * returning reclaims it. */
    t = sample(h);
    t->depth = 1;
    remove_ok(t, 5, rec, &h[2]);
    check_ok(t);                                /* fine while "dispatching" */
    cr_assert_eq(hook_free_links(t), HOOK_LINKS - 6);
    t->depth = 0;
    expect_check_fails(t, "not reclaimed");
    t->ndead = 0;
    expect_check_fails(t, "count says");
    t->ndead = 1;
    EXPECT_NONE(t, 100);
    check_ok(t);
    cr_assert_eq(hook_free_links(t), HOOK_LINKS - 5);
    EXPECT(t, 5, 1, 3, 1, 0);
    free(t);
}

/* ---- randomized against a model -------------------------------------------------------------- */

#define NCH   6
#define NREF  32
#define NID   (2 * NREF)                        /* id = f * NREF + r: fn f over ref r */

static const unsigned rchains[NCH] = { 0, 1, 2, 14, 511, HOOK_CHAINS - 1 };

struct model {
    int m[NCH][HOOK_LINKS];                     /* ids, head first */
    unsigned len[NCH];
    unsigned total;
};

static int model_find(const struct model *md, unsigned k, int id)
{
    for (unsigned i = 0; i < md->len[k]; i++)
        if (md->m[k][i] == id)
            return (int)i;
    return -1;
}

static void model_install(struct model *md, unsigned k, int id)
{
    memmove(&md->m[k][1], &md->m[k][0], md->len[k] * sizeof(int));
    md->m[k][0] = id;
    md->len[k]++;
    md->total++;
}

static void model_remove(struct model *md, unsigned k, unsigned i)
{
    memmove(&md->m[k][i], &md->m[k][i + 1], (md->len[k] - i - 1) * sizeof(int));
    md->len[k]--;
    md->total--;
}

/* The state of a randomized run, reached by the hooks through their dispatch argument. */
struct rrun {
    struct hook_table *t;
    struct model md;
    uint64_t rng;
    int refs[NREF];                             /* the refs: &refs[r] */
    int mutate;                                 /* hooks act on the table while dispatched */
    int quiet;                                  /* hooks only log and decline */
    unsigned bias;                              /* % of changes that are installs */
    /* the dispatch in progress */
    unsigned dk;                                /* its model chain */
    int snap[HOOK_LINKS];                       /* the chain when it started */
    uint8_t gone[HOOK_LINKS];                   /* snap[i] removed during it */
    unsigned snap_n, cur;
    unsigned dead;                              /* links removed during it */
    int last_ret;
    int log[HOOK_LINKS];
    unsigned n;
    long step;
};

static int mrec(void *arg, void *ref);
static int mrec2(void *arg, void *ref);
static hook_fn const mfns[2] = { mrec, mrec2 };

static hook_fn fn_of(int id) { return mfns[id / NREF]; }
static void *ref_of(struct rrun *R, int id) { return &R->refs[id % NREF]; }

/* One install or remove of a random hook in a random model chain, checked against the model;
 * during a dispatch, a removed link is not reusable (R->dead) and removals from the dispatching
 * chain are marked in the snapshot. */
static void random_change(struct rrun *R, int in_dispatch)
{
    struct kerr e;
    unsigned k = (unsigned)(rng_next(&R->rng) % NCH), ch = rchains[k];
    int id = (int)(rng_next(&R->rng) % NID);
    int at = model_find(&R->md, k, id);
    int install = rng_next(&R->rng) % 100 < R->bias;
    strcpy(e.msg, "");
    if (install) {
        int r = hook_install(R->t, ch, fn_of(id), ref_of(R, id), &e);
        if (at >= 0) {
            expect_err(r, &e, "already installed");
        } else if (R->md.total + R->dead >= HOOK_LINKS) {
            expect_err(r, &e, "table full");
        } else {
            cr_assert_eq(r, 0, "step %ld: install chain %u id %d: %s", R->step, ch, id, e.msg);
            model_install(&R->md, k, id);
        }
    } else {
        int r = hook_remove(R->t, ch, fn_of(id), ref_of(R, id), &e);
        if (at < 0) {
            expect_err(r, &e, "not installed");
        } else {
            cr_assert_eq(r, 0, "step %ld: remove chain %u id %d: %s", R->step, ch, id, e.msg);
            model_remove(&R->md, k, (unsigned)at);
            if (in_dispatch) {
                R->dead++;
                if (k == R->dk)
                    for (unsigned i = 0; i < R->snap_n; i++)
                        if (R->snap[i] == id)
                            R->gone[i] = 1;
            }
        }
    }
}

static int mcall(struct rrun *R, int id)
{
    cr_assert_lt(R->n, HOOK_LINKS, "runaway dispatch");
    R->log[R->n++] = id;
    if (R->quiet)
        return 1;
    /* This call must be the next hook of the snapshot not removed before its turn. */
    while (R->cur < R->snap_n && R->gone[R->cur])
        R->cur++;
    cr_assert_lt(R->cur, R->snap_n, "step %ld: hook %d called after the end of the chain",
                 R->step, id);
    cr_assert_eq(R->snap[R->cur], id, "step %ld: hook %d called, expected %d", R->step, id,
                 R->snap[R->cur]);
    R->cur++;
    if (R->mutate) {
        unsigned n = (unsigned)(rng_next(&R->rng) % 4);
        for (unsigned i = 0; i < n; i++)
            random_change(R, 1);
        cr_assert_eq(hook_free_links(R->t), HOOK_LINKS - R->md.total - R->dead);
        struct kerr e;
        strcpy(e.msg, "(none)");
        cr_assert_eq(hook_check(R->t, &e), 0, "step %ld inside hook %d: %s", R->step, id, e.msg);
    }
    R->last_ret = rng_next(&R->rng) % 5 == 0 ? 0 : 1 + (int)(rng_next(&R->rng) % 3);
    return R->last_ret;
}

static int ref_index(void *arg, void *ref)
{
    return (int)((int *)ref - ((struct rrun *)arg)->refs);
}
static int mrec(void *arg, void *ref) { return mcall(arg, ref_index(arg, ref)); }
static int mrec2(void *arg, void *ref) { return mcall(arg, NREF + ref_index(arg, ref)); }

/* The table agrees with the model: hook_check, counts, free links, and each chain's order
 * (a quiet dispatch, every hook declining, calls exactly the model's ids in order). */
static void compare(struct rrun *R)
{
    struct kerr e;
    strcpy(e.msg, "(none)");
    cr_assert_eq(hook_check(R->t, &e), 0, "step %ld: %s", R->step, e.msg);
    cr_assert_eq(hook_free_links(R->t), HOOK_LINKS - R->md.total, "step %ld", R->step);
    R->quiet = 1;
    for (unsigned k = 0; k < NCH; k++) {
        cr_assert_eq(hook_count(R->t, rchains[k]), R->md.len[k], "step %ld chain %u", R->step,
                     rchains[k]);
        R->n = 0;
        cr_assert_eq(hook_dispatch(R->t, rchains[k], R), 1);
        cr_assert_eq(R->n, R->md.len[k], "step %ld chain %u", R->step, rchains[k]);
        for (unsigned i = 0; i < R->n; i++)
            cr_assert_eq(R->log[i], R->md.m[k][i], "step %ld chain %u position %u: %d, model %d",
                         R->step, rchains[k], i, R->log[i], R->md.m[k][i]);
    }
    R->quiet = 0;
}

/* A real dispatch of a random chain: calls follow the snapshot (checked in mcall); it returns
 * 0 exactly when the last hook called handled, and 1 only after every hook not removed. */
static void random_dispatch(struct rrun *R)
{
    unsigned k = (unsigned)(rng_next(&R->rng) % NCH);
    R->dk = k;
    R->snap_n = R->md.len[k];
    memcpy(R->snap, R->md.m[k], R->snap_n * sizeof(int));
    memset(R->gone, 0, sizeof R->gone);
    R->cur = 0;
    R->dead = 0;
    R->n = 0;
    R->last_ret = 1;
    int r = hook_dispatch(R->t, rchains[k], R);
    if (R->n && R->last_ret == 0) {
        cr_assert_eq(r, 0, "step %ld: handled but dispatch returned %d", R->step, r);
    } else {
        cr_assert_eq(r, 1, "step %ld: dispatch returned %d with no hook handling", R->step, r);
        for (unsigned i = R->cur; i < R->snap_n; i++)
            cr_assert(R->gone[i], "step %ld: hook %d of the chain was never called", R->step,
                      R->snap[i]);
    }
    R->dead = 0;                                /* reclaimed: compare() checks free links */
}

static void random_run(uint64_t seed, int mutate, int steps)
{
    struct rrun *R = calloc(1, sizeof *R);
    R->t = new_table();
    R->rng = seed;
    R->mutate = mutate;
    int full_seen = 0;
    for (R->step = 0; R->step < steps; R->step++) {
        R->bias = (R->step / 1000) % 2 ? 30 : 95; /* phases: towards full, towards empty */
        unsigned op = (unsigned)(rng_next(&R->rng) % 10);
        if (op < 6) {
            random_change(R, 0);
        } else if (op < 9) {
            random_dispatch(R);
        } else {                                /* refusals: range, NULL function */
            struct kerr e;
            strcpy(e.msg, "");
            unsigned bad = HOOK_CHAINS + (unsigned)(rng_next(&R->rng) % 5000);
            expect_err(hook_install(R->t, bad, mrec, &R->refs[0], &e), &e, "out of range");
            strcpy(e.msg, "");
            expect_err(hook_remove(R->t, bad, mrec, &R->refs[0], &e), &e, "out of range");
            strcpy(e.msg, "");
            expect_err(hook_install(R->t, rchains[op % NCH], NULL, &R->refs[1], &e), &e, "NULL");
            cr_assert_eq(hook_dispatch(R->t, bad, R), 1);
        }
        full_seen |= R->md.total == HOOK_LINKS;
        compare(R);
    }
    cr_assert(full_seen, "seed %llu: the run never filled the pool (%u hooks at the end)",
              (unsigned long long)seed, R->md.total);
    free(R->t);
    free(R);
}

/* Installs, removes and dispatches, in phases that fill the pool and empty it again; hooks only
 * log and sometimes handle. */
Test(hook, random_ops_match_model)
{
    for (uint64_t seed = 1; seed <= 3; seed++)
        random_run(seed * 0x9E37, 0, 3000);
}

/* The same, and every hook called installs and removes random hooks (itself, the ones after
 * it, other chains) while being dispatched. */
Test(hook, random_changes_during_dispatch_match_model)
{
    for (uint64_t seed = 1; seed <= 3; seed++)
        random_run(seed * 0x7F4A7C15, 1, 3000);
}

/* hook_purge: every hook whose function lies in the range goes, from every chain; the others
 * stay, in order, and dispatch as before. */
static char code_area[64];
Test(hook, purge_by_code_range)
{
    struct hook_table *t = new_table();
    struct hk h[4];
    init_hooks(h, 4);
    install_ok(t, 3, rec, &h[0]);
    install_ok(t, 3, (hook_fn)(void *)&code_area[8], &h[1]);     /* "unloaded code" */
    install_ok(t, 3, rec, &h[2]);
    install_ok(t, 7, (hook_fn)(void *)&code_area[40], &h[3]);
    cr_assert_eq(hook_purge(t, (uintptr_t)code_area, (uintptr_t)code_area + sizeof code_area), 2);
    cr_assert_eq(hook_count(t, 3), 2);
    cr_assert_eq(hook_count(t, 7), 0);
    EXPECT(t, 3, 1, 2, 0);
    cr_assert_eq(hook_purge(t, (uintptr_t)code_area, (uintptr_t)code_area + sizeof code_area), 0,
                 "nothing left in the range");
    cr_assert_eq(hook_free_links(t), HOOK_LINKS - 2);
    check_ok(t);
    free(t);
}
