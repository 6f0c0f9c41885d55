/* Hook chains: see hook.h.
 *
 * Links are 16-bit indices into one pool shared by all chains.  A chain is singly linked from
 * head[chain] through link.next; the free links form a stack through the same field.  Install
 * pushes at the head, O(1).  Remove has to find (fn, ref) by walking the chain anyway, and the
 * walk gives the predecessor, so a back link would only cost a store per install and 2 bytes per
 * link; chains are a handful of hooks.
 *
 * Each link's state is its chain field: the chain it is in, ST_FREE on the free list, or ST_DEAD:
 * removed while a dispatch was running.  A dead link keeps its next (the successor it had when it
 * was unlinked) and has fn = NULL, so a walk standing on it, or about to step onto it, goes on
 * with the hooks that followed it and calls nothing for it.  Dead links become free when the
 * outermost dispatch returns (depth back to 0): only then can no walk reach them.
 */
#include "int/hook.h"

#define ST_FREE 0xFFFFu
#define ST_DEAD 0xFFFEu

#define FNP(fn) ((void *)(uintptr_t)(fn))   /* a function pointer for %p */

static void push_free(struct hook_table *t, unsigned i)
{
    struct hook_link *l = &t->link[i];
    l->fn = 0;
    l->ref = 0;
    l->chain = ST_FREE;
    l->next = t->free;
    t->free = (uint16_t)i;
    t->nfree++;
}

void hook_init(struct hook_table *t)
{
    for (unsigned c = 0; c < HOOK_CHAINS; c++)
        t->head[c] = HOOK_NIL;
    t->free = HOOK_NIL;
    t->nfree = t->ndead = t->depth = 0;
    t->call = 0;
    t->own_lo = t->own_size = 0;
    for (unsigned i = HOOK_LINKS; i-- > 0;)     /* link 0 on top: the first handed out */
        push_free(t, i);
}

int hook_install(struct hook_table *t, unsigned chain, hook_fn fn, void *ref, struct kerr *e)
{
    if (chain >= HOOK_CHAINS)
        return kerr_set(e, "hook: chain %u out of range (0..%u)", chain, HOOK_CHAINS - 1);
    if (!fn)
        return kerr_set(e, "hook: chain %u: NULL hook function (ref %p)", chain, ref);
    for (unsigned i = t->head[chain]; i != HOOK_NIL; i = t->link[i].next)
        if (t->link[i].fn == fn && t->link[i].ref == ref)
            return kerr_set(e, "hook: chain %u: hook %p (ref %p) already installed", chain,
                            FNP(fn), ref);
    if (t->free == HOOK_NIL) {
        if (t->ndead)
            return kerr_set(e, "hook: chain %u: table full (%u links, %u of them removed during "
                            "a dispatch and free when it returns)", chain, HOOK_LINKS, t->ndead);
        return kerr_set(e, "hook: chain %u: table full (%u links)", chain, HOOK_LINKS);
    }
    unsigned i = t->free;
    struct hook_link *l = &t->link[i];
    t->free = l->next;
    t->nfree--;
    l->fn = fn;
    l->ref = ref;
    l->chain = (uint16_t)chain;
    l->next = t->head[chain];
    t->head[chain] = (uint16_t)i;
    return 0;
}

int hook_remove(struct hook_table *t, unsigned chain, hook_fn fn, void *ref, struct kerr *e)
{
    if (chain >= HOOK_CHAINS)
        return kerr_set(e, "hook: chain %u out of range (0..%u)", chain, HOOK_CHAINS - 1);
    uint16_t *at = &t->head[chain];             /* the index that points at link i */
    for (unsigned i = *at; i != HOOK_NIL; at = &t->link[i].next, i = *at) {
        struct hook_link *l = &t->link[i];
        if (l->fn != fn || l->ref != ref)
            continue;
        *at = l->next;
        if (t->depth == 0) {
            push_free(t, i);
        } else {                                /* a walk may stand on it: keep its next */
            l->fn = 0;
            l->chain = ST_DEAD;
            t->ndead++;
        }
        return 0;
    }
    return kerr_set(e, "hook: chain %u: hook %p (ref %p) not installed", chain, FNP(fn), ref);
}

/* After the outermost dispatch: no walk can reach a dead link any more. */
static __attribute__((noinline, cold)) void reclaim(struct hook_table *t)
{
    for (unsigned i = 0; i < HOOK_LINKS; i++)
        if (t->link[i].chain == ST_DEAD)
            push_free(t, i);
    t->ndead = 0;
}

int hook_dispatch(struct hook_table *t, unsigned chain, void *arg)
{
    if (chain >= HOOK_CHAINS)
        return 1;
    int r = 1;
    t->depth++;
    for (unsigned i = t->head[chain]; i != HOOK_NIL;) {
        const struct hook_link *l = &t->link[i];
        hook_fn fn = l->fn;                     /* NULL: removed by an earlier hook of this walk */
        void *ref = l->ref;
        i = l->next;                            /* before the call, which may remove l */
        if (!fn)
            continue;
        int declined = t->call && (uintptr_t)fn - t->own_lo >= t->own_size ? t->call(fn, arg, ref)
                                                                             : fn(arg, ref);
        if (declined == 0) {
            r = 0;
            break;
        }
    }
    if (--t->depth == 0 && t->ndead)
        reclaim(t);
    return r;
}

unsigned hook_count(const struct hook_table *t, unsigned chain)
{
    unsigned n = 0;
    if (chain < HOOK_CHAINS)
        for (unsigned i = t->head[chain]; i != HOOK_NIL && n <= HOOK_LINKS; i = t->link[i].next)
            n++;
    return n;
}

unsigned hook_free_links(const struct hook_table *t) { return t->nfree; }

/* Marks link i seen, refusing an index out of the pool or one seen already (a cycle, or a link
 * in two places).  c: the chain walked, or ST_FREE for the free list. */
static int visit(unsigned c, unsigned i, uint8_t *seen, struct kerr *e)
{
    if (i < HOOK_LINKS && !seen[i]) {
        seen[i] = 1;
        return 0;
    }
    char where[24];
    if (c == ST_FREE)
        ksnprintf(where, sizeof where, "free list");
    else
        ksnprintf(where, sizeof where, "chain %u", c);
    if (i >= HOOK_LINKS)
        return kerr_set(e, "hook: %s: link index %u out of range (0..%u)", where, i,
                        HOOK_LINKS - 1);
    return kerr_set(e, "hook: %s: link %u reached twice (a cycle, or in two places)", where, i);
}

static int check_chain(const struct hook_table *t, unsigned c, uint8_t *seen, struct kerr *e)
{
    for (unsigned i = t->head[c]; i != HOOK_NIL; i = t->link[i].next) {
        if (visit(c, i, seen, e))
            return -1;
        const struct hook_link *l = &t->link[i];
        if (l->chain != c)
            return kerr_set(e, "hook: chain %u: link %u says it is in chain 0x%x", c, i, l->chain);
        if (!l->fn)
            return kerr_set(e, "hook: chain %u: link %u has a NULL function", c, i);
        /* The rest of the chain; bounded, as a cycle further on is found only later. */
        unsigned steps = 0;
        for (unsigned j = l->next; j < HOOK_LINKS && !seen[j] && steps++ < HOOK_LINKS;
             j = t->link[j].next)
            if (t->link[j].fn == l->fn && t->link[j].ref == l->ref)
                return kerr_set(e, "hook: chain %u: hook %p (ref %p) in links %u and %u", c,
                                FNP(l->fn), l->ref, i, j);
    }
    return 0;
}

int hook_check(const struct hook_table *t, struct kerr *e)
{
    uint8_t seen[HOOK_LINKS] = { 0 };
    unsigned nfree = 0, ndead = 0;
    for (unsigned c = 0; c < HOOK_CHAINS; c++)
        if (check_chain(t, c, seen, e))
            return -1;
    for (unsigned i = t->free; i != HOOK_NIL; i = t->link[i].next) {
        if (visit(ST_FREE, i, seen, e))
            return -1;
        if (t->link[i].chain != ST_FREE || t->link[i].fn)
            return kerr_set(e, "hook: free list: link %u is not free (chain 0x%x, fn %p)", i,
                            t->link[i].chain, FNP(t->link[i].fn));
        nfree++;
    }
    if (nfree != t->nfree)
        return kerr_set(e, "hook: free list holds %u links, count says %u", nfree, t->nfree);
    for (unsigned i = 0; i < HOOK_LINKS; i++) {
        const struct hook_link *l = &t->link[i];
        if (seen[i])
            continue;
        if (l->chain != ST_DEAD)
            return kerr_set(e, "hook: link %u (chain 0x%x) is in no chain and not free", i,
                            l->chain);
        if (l->fn || (l->next != HOOK_NIL && l->next >= HOOK_LINKS))
            return kerr_set(e, "hook: removed link %u has fn %p, next %u", i, FNP(l->fn), l->next);
        ndead++;
    }
    if (ndead != t->ndead)
        return kerr_set(e, "hook: %u links removed during a dispatch, count says %u", ndead,
                        t->ndead);
    if (ndead && !t->depth)
        return kerr_set(e, "hook: %u removed links not reclaimed, no dispatch running", ndead);
    return 0;                                   /* each link seen once, or removed: all placed */
}

unsigned hook_purge(struct hook_table *t, uintptr_t lo, uintptr_t hi)
{
    struct kerr e;
    unsigned n = 0;
    for (unsigned i = 0; i < HOOK_LINKS; i++) {
        struct hook_link *l = &t->link[i];
        if (l->fn && l->chain < HOOK_CHAINS && (uintptr_t)l->fn - lo < hi - lo &&
            hook_remove(t, l->chain, l->fn, l->ref, &e) == 0)
            n++;
    }
    return n;
}
