/*
 * Hook chains (the DDK's Hook_VMM_Fault, Hook_PM_Fault, Hook_V86_Int_Chain, Hook_NMI_Event ...):
 * independent chains, named by a small integer, of (function, reference data) pairs.  A dispatch
 * calls a chain from its head, the hook installed last first, until one handles the event.
 * Portable: the caller provides the table (static storage; no allocation), so the host tests run
 * it as it is.
 *
 * Who may call: install, remove and the queries from any VMM code with interrupts off (they are
 * not reentrant against each other); hook_dispatch from interrupt context, and from inside a
 * hook (nested dispatch of the same or another chain is allowed).  A hook may install and remove
 * hooks, itself included, while it is being dispatched:
 *   - a removed hook is never called after hook_remove returns, even if the dispatch in progress
 *     had not reached it yet; the walk continues with the hooks that followed it;
 *   - a hook installed during a dispatch goes to the head of its chain, so the dispatch in
 *     progress (already past the head) does not call it; the next dispatch does.
 * So a dispatch calls, in order, the hooks that were in the chain when it started, less those
 * removed before their turn.  To keep that true without locks, a link removed while any dispatch
 * is running is not reused until the outermost dispatch returns (it stays readable for a walk
 * standing on it); until then it counts as neither installed nor free.  A hook must return (not
 * switch away for good) for those links to come back.
 */
#ifndef INT_HOOK_H
#define INT_HOOK_H
#include <stdint.h>
#include "lib/kfmt.h"

#define HOOK_CHAINS     1024u           /* chains 0 .. HOOK_CHAINS - 1 */
#define HOOK_MAX_CHAINS HOOK_CHAINS
#define HOOK_LINKS      256u            /* links shared by all chains */
#define HOOK_NIL        0xFFFFu         /* no link: end of a chain or of the free list */

_Static_assert(HOOK_CHAINS < 0xFFF0u && HOOK_LINKS < HOOK_NIL, "indices are 16-bit");

/* Returns 0: handled, stop the walk; nonzero: declined, pass on (the DDK's carry set). */
typedef int (*hook_fn)(void *arg, void *ref);

struct hook_link {
    hook_fn fn;                         /* NULL when free or removed */
    void *ref;
    uint16_t next;                      /* in its chain, or in the free list */
    uint16_t chain;                     /* its chain, or HOOK_ST_FREE / HOOK_ST_DEAD (hook.c) */
};

struct hook_table {
    uint16_t head[HOOK_CHAINS];         /* first link of each chain; HOOK_NIL if empty */
    uint16_t free;                      /* free list through link.next */
    uint16_t nfree;                     /* links on the free list */
    uint16_t ndead;                     /* removed during a dispatch, not yet reusable */
    uint16_t depth;                     /* dispatches running (nested) */
    /* Optional: hooks whose fn lies outside [own_lo, own_lo + own_size) are called through
     * call (the VMM's guard for VxDs' code), the others directly.  hook_init leaves it NULL. */
    int (*call)(hook_fn fn, void *arg, void *ref);
    uintptr_t own_lo, own_size;
    struct hook_link link[HOOK_LINKS];
};

void hook_init(struct hook_table *t);
/* At the head of the chain.  Refuses a chain out of range, a NULL fn, the same (fn, ref) already
 * in that chain, and a full link pool. */
int hook_install(struct hook_table *t, unsigned chain, hook_fn fn, void *ref, struct kerr *e);
/* From anywhere in the chain (a walk from the head); refuses one not installed there. */
int hook_remove(struct hook_table *t, unsigned chain, hook_fn fn, void *ref, struct kerr *e);
/* Calls the chain from the head until a hook returns 0.  Returns 0 if one handled it, 1 if all
 * declined or the chain is empty (or out of range: it can have no hooks). */
int hook_dispatch(struct hook_table *t, unsigned chain, void *arg);
unsigned hook_count(const struct hook_table *t, unsigned chain);    /* 0 out of range */
/* Removes, from every chain, each hook whose fn lies in [lo, hi) (code being unloaded); returns
 * how many. */
unsigned hook_purge(struct hook_table *t, uintptr_t lo, uintptr_t hi);
unsigned hook_free_links(const struct hook_table *t);               /* installable now */
/* Walks every chain, the free list and the removed links: no cycles, every link in exactly one
 * place with the state it says, no duplicate (fn, ref) in a chain, and the counts agree. */
int hook_check(const struct hook_table *t, struct kerr *e);

#endif
