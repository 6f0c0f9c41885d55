/* The scheduler's policy: see sched.h.
 *
 * One level per distinct execution priority among the ready threads, from a fixed table of
 * SCHED_LEVELS.  Levels in use are doubly linked in descending priority from s->top, so the
 * thread to run is s->lv[s->top].head: no scan, whatever the number of threads.  Finding the
 * level of a priority walks that list (at most SCHED_LEVELS steps), which only sched_ready and
 * sched_adjust do.  Free levels are a stack through down.
 *
 * A level's threads form a circular doubly linked ring; head is the one whose turn it is and
 * head->prev the tail.  Ending a turn is head = head->next, O(1).
 *
 * Time-slicer: deficit round robin.  A thread's credit is in hundredths of a unit; its quantum
 * (slice) is granularity * weight hundredths = granularity * weight / 100 units.  A charge takes
 * 100 per unit.  The turn of the head lasts while its credit is positive; when it ends, the ring
 * turns (head = head->next) and the thread earns one quantum -- or, alone in its level, starts
 * afresh with one quantum: a debt run up while nobody else wanted that priority is forgiven.
 * Then settle() looks at the new head: one with credit <= 0 is passed over the same way (it
 * earns a quantum and the ring turns), at most SCHED_SKIP_MAX times, and never the last thread
 * of a level.  So every pass through the head earns a quantum, and a thread runs only while its
 * credit is positive.
 *
 * Why shares converge: in a level of CPU-bound threads every thread passes the head once per
 * round, so after R rounds thread i has earned R * q_i and used R * q_i - credit_i, where
 * -debt_max < credit_i <= q_i; used time is proportional to the weights up to one quantum plus
 * one charge.  Joining the tail (ready, adjust) earns nothing and keeps the credit, owed or not,
 * so blocking and readying cannot buy credit; a yield by the head is a pass (ends its turn).
 *
 * Bounds: credit <= quantum always (earning only happens from credit <= 0, except the fresh
 * quantum of the lone thread; set_weight cuts it); credit >= -SCHED_DEBT_SLICES * max(quantum,
 * 100) (charges clamp to it; set_weight raises it).  With granularity and weight 32-bit, and
 * weight <= 10000, every value fits easily in int64_t.
 */
#pragma GCC optimize("omit-frame-pointer")   /* on the switch path; see mem/heap.c */
#include "sched/policy.h"

static int64_t quantum(const struct sched *s, const struct sched_thread *t)
{
    return (int64_t)s->granularity * t->weight;
}

/* The lowest credit t may have: SCHED_DEBT_SLICES slices owed, or as many units if its slice is
 * shorter than one. */
static int64_t debt_floor(const struct sched *s, const struct sched_thread *t)
{
    int64_t q = quantum(s, t);
    return -(int64_t)SCHED_DEBT_SLICES * (q < 100 ? 100 : q);
}

/* Credit into [debt_floor, quantum]. */
static void clamp_credit(const struct sched *s, struct sched_thread *t)
{
    int64_t q = quantum(s, t), lo = debt_floor(s, t);
    if (t->credit > q)
        t->credit = q;
    if (t->credit < lo)
        t->credit = lo;
}

static int in_queue(const struct sched *s, const struct sched_thread *t)
{
    return t->state == SCHED_T_READY && t->owner == s;
}

/* Why t may not be taken as a thread of s (ready or not): -1 with e filled, else 0. */
static int refuse_alien(const struct sched *s, const struct sched_thread *t, struct kerr *e)
{
    if (t->state != SCHED_T_READY && t->state != SCHED_T_BLOCKED)
        return kerr_set(e, "sched: thread %p not initialised (state 0x%x)", (void *)t, t->state);
    if (t->state == SCHED_T_READY && t->owner != s)
        return kerr_set(e, "sched: thread %p is ready in another scheduler (%p)", (void *)t,
                        (void *)t->owner);
    return 0;
}

/* ---- rings ----------------------------------------------------------------------------------- */

static void ring_append(struct sched_level *l, struct sched_thread *t)
{
    if (!l->head) {
        t->next = t->prev = t;
        l->head = t;
    } else {
        struct sched_thread *tail = l->head->prev;
        t->prev = tail;
        t->next = l->head;
        tail->next = t;
        l->head->prev = t;
    }
    l->n++;
}

static void ring_unlink(struct sched_level *l, struct sched_thread *t)
{
    if (t->next == t) {
        l->head = 0;
    } else {
        t->prev->next = t->next;
        t->next->prev = t->prev;
        if (l->head == t)
            l->head = t->next;
    }
    t->next = t->prev = 0;
    l->n--;
}

/* t, not the head, to the tail of its ring.  (The head gets there by end_turn.) */
static void ring_to_tail(struct sched_level *l, struct sched_thread *t)
{
    if (l->head->prev != t) {
        ring_unlink(l, t);
        ring_append(l, t);
    }
}

/* The head's turn ends (or is passed over): the ring turns and it earns a quantum; alone, it
 * starts afresh (no one waited for it, so it owes no one). */
static void end_turn(const struct sched *s, struct sched_level *l)
{
    struct sched_thread *t = l->head;
    l->head = t->next;
    if (l->n == 1)
        t->credit = quantum(s, t);
    else
        t->credit += quantum(s, t);
}

/* Passes over owing heads: at most SCHED_SKIP_MAX, never the level's last thread. */
static void settle(const struct sched *s, struct sched_level *l)
{
    for (unsigned k = 0; k < SCHED_SKIP_MAX && l->n > 1 && l->head->credit <= 0; k++)
        end_turn(s, l);
}

/* ---- levels ---------------------------------------------------------------------------------- */

/* The level of pri, or SCHED_NIL; *above: the lowest level above pri (SCHED_NIL: none), after
 * which a new level for pri belongs.  O(levels in use). */
static unsigned find_level(const struct sched *s, uint32_t pri, unsigned *above)
{
    unsigned prev = SCHED_NIL, i = s->top;
    while (i != SCHED_NIL && s->lv[i].pri > pri) {
        prev = i;
        i = s->lv[i].down;
    }
    *above = prev;
    return i != SCHED_NIL && s->lv[i].pri == pri ? i : SCHED_NIL;
}

/* A free level for pri, linked below `above`.  The caller has checked that one is free. */
static inline __attribute__((always_inline)) unsigned level_new(struct sched *s, uint32_t pri,
                                                                 unsigned above)
{
    unsigned i = s->free;
    struct sched_level *l = &s->lv[i];
    s->free = l->down;
    unsigned below = above == SCHED_NIL ? s->top : s->lv[above].down;
    l->head = 0;
    l->pri = pri;
    l->n = 0;
    l->up = (uint8_t)above;
    l->down = (uint8_t)below;
    if (above == SCHED_NIL)
        s->top = (uint8_t)i;
    else
        s->lv[above].down = (uint8_t)i;
    if (below != SCHED_NIL)
        s->lv[below].up = (uint8_t)i;
    s->nlevels++;
    return i;
}

static void level_free(struct sched *s, unsigned i)
{
    struct sched_level *l = &s->lv[i];
    if (l->up == SCHED_NIL)
        s->top = l->down;
    else
        s->lv[l->up].down = l->down;
    if (l->down != SCHED_NIL)
        s->lv[l->down].up = l->up;
    l->head = 0;
    l->n = 0;
    l->pri = 0;
    l->up = SCHED_NIL;
    l->down = s->free;
    s->free = (uint8_t)i;
    s->nlevels--;
}

/* t to the tail of level i, with the credit it has. */
static inline __attribute__((always_inline)) void join(struct sched *s, struct sched_thread *t,
                                                        unsigned i)
{
    clamp_credit(s, t);                 /* in case it was initialised for another scheduler */
    ring_append(&s->lv[i], t);
    t->level = (uint8_t)i;
    settle(s, &s->lv[i]);               /* a lone owing head has company now */
}

/* t out of its level, and the level freed if that was its last thread. */
static void leave(struct sched *s, struct sched_thread *t)
{
    unsigned i = t->level;
    ring_unlink(&s->lv[i], t);
    if (s->lv[i].n == 0)
        level_free(s, i);
    else
        settle(s, &s->lv[i]);           /* the head may have changed */
    t->level = SCHED_NIL;
}

static int refuse_full(struct sched_thread *t, uint32_t pri, struct kerr *e)
{
    return kerr_set(e, "sched: thread %p: exec priority 0x%x needs a new level, all %u in use",
                    (void *)t, pri, SCHED_LEVELS);
}

/* ---- the API --------------------------------------------------------------------------------- */

int sched_init(struct sched *s, uint32_t granularity, struct kerr *e)
{
    if (granularity == 0)
        return kerr_set(e, "sched: time-slice granularity 0 (must be at least 1 unit)");
    s->granularity = granularity;
    s->count = 0;
    s->top = SCHED_NIL;
    s->nlevels = 0;
    s->free = SCHED_NIL;
    for (unsigned i = SCHED_LEVELS; i-- > 0;) {     /* level 0 on top of the stack */
        s->lv[i] = (struct sched_level){ 0, 0, 0, SCHED_NIL, s->free };
        s->free = (uint8_t)i;
    }
    return 0;
}

int sched_thread_init(const struct sched *s, struct sched_thread *t, uint32_t exec_pri,
                      uint32_t weight, struct kerr *e)
{
    if (weight < SCHED_WEIGHT_MIN || weight > SCHED_WEIGHT_MAX)
        return kerr_set(e, "sched: thread %p: time-slice priority %u out of range %u..%u",
                        (void *)t, weight, SCHED_WEIGHT_MIN, SCHED_WEIGHT_MAX);
    t->next = t->prev = 0;
    t->owner = 0;
    t->state = SCHED_T_BLOCKED;
    t->exec_pri = exec_pri;
    t->weight = weight;
    t->level = SCHED_NIL;
    t->credit = quantum(s, t);          /* a full slice for its first turn */
    return 0;
}

int sched_ready(struct sched *s, struct sched_thread *t, struct kerr *e)
{
    if (t->state == SCHED_T_READY)
        return kerr_set(e, "sched: thread %p is already ready (exec priority 0x%x%s)", (void *)t,
                        t->exec_pri, t->owner == s ? "" : ", in another scheduler");
    if (t->state != SCHED_T_BLOCKED)       /* (ready was refused above) never initialised */
        return refuse_alien(s, t, e);
    unsigned above, i = find_level(s, t->exec_pri, &above);
    if (i == SCHED_NIL) {
        if (s->free == SCHED_NIL)
            return refuse_full(t, t->exec_pri, e);
        i = level_new(s, t->exec_pri, above);
    }
    join(s, t, i);
    t->state = SCHED_T_READY;
    t->owner = s;
    s->count++;
    return 0;
}

int sched_block(struct sched *s, struct sched_thread *t, struct kerr *e)
{
    if (refuse_alien(s, t, e))
        return -1;
    if (t->state != SCHED_T_READY)
        return kerr_set(e, "sched: thread %p is not ready (exec priority 0x%x)", (void *)t,
                        t->exec_pri);
    leave(s, t);
    t->state = SCHED_T_BLOCKED;
    t->owner = 0;
    s->count--;
    return 0;
}

/* sched_pick is inline in sched.h (the switch path calls it); this is its out-of-line copy. */
extern inline struct sched_thread *sched_pick(const struct sched *s);

int sched_charge(struct sched *s, struct sched_thread *t, uint32_t units)
{
    if (units) {
        int64_t c = t->credit - (int64_t)units * 100;
        if (c > 0) {                    /* its turn goes on: every tick but the last of a turn */
            t->credit = c;
            return sched_pick(s) != t;
        }
        int64_t lo = debt_floor(s, t);
        t->credit = c < lo ? lo : c;
        if (in_queue(s, t)) {
            struct sched_level *l = &s->lv[t->level];
            if (l->head == t) {         /* else it waits for its pass, when it will be settled */
                end_turn(s, l);
                settle(s, l);
            }
        }
    }
    return sched_pick(s) != t;
}

int sched_credit(struct sched *s, struct sched_thread *t, int32_t units)
{
    if (units < 0)
        return sched_charge(s, t, (uint32_t)-(int64_t)units);
    int64_t q = quantum(s, t);
    t->credit += (int64_t)units * 100;
    if (t->credit > q)
        t->credit = q;
    return sched_pick(s) != t;
}

int sched_adjust(struct sched *s, struct sched_thread *t, int32_t delta, struct kerr *e)
{
    if (refuse_alien(s, t, e))
        return -1;
    uint32_t pri = t->exec_pri, np;
    if (delta < 0) {
        uint32_t down = (uint32_t)(-(int64_t)delta);
        if (down > pri)
            return kerr_set(e, "sched: thread %p: exec priority 0x%x minus 0x%x wraps below 0",
                            (void *)t, pri, down);
        np = pri - down;
    } else {
        if ((uint32_t)delta > UINT32_MAX - pri)
            return kerr_set(e, "sched: thread %p: exec priority 0x%x plus 0x%x wraps above "
                            "0xffffffff", (void *)t, pri, (uint32_t)delta);
        np = pri + (uint32_t)delta;
    }
    if (t->state != SCHED_T_READY || np == pri) {
        t->exec_pri = np;
        return 0;
    }
    unsigned above, i = find_level(s, np, &above);
    if (i == SCHED_NIL && s->free == SCHED_NIL && s->lv[t->level].n > 1)
        return refuse_full(t, np, e);
    leave(s, t);                        /* may free a level: look again */
    i = find_level(s, np, &above);
    if (i == SCHED_NIL)
        i = level_new(s, np, above);
    t->exec_pri = np;
    join(s, t, i);
    return 0;
}

int sched_set_weight(struct sched *s, struct sched_thread *t, uint32_t weight, struct kerr *e)
{
    if (refuse_alien(s, t, e))
        return -1;
    if (weight < SCHED_WEIGHT_MIN || weight > SCHED_WEIGHT_MAX)
        return kerr_set(e, "sched: thread %p: time-slice priority %u out of range %u..%u",
                        (void *)t, weight, SCHED_WEIGHT_MIN, SCHED_WEIGHT_MAX);
    t->weight = weight;
    clamp_credit(s, t);
    return 0;
}

int sched_set_granularity(struct sched *s, uint32_t granularity, struct kerr *e)
{
    if (granularity == 0)
        return kerr_set(e, "sched: time-slice granularity 0 (must be at least 1 unit)");
    s->granularity = granularity;
    for (unsigned i = s->top; i != SCHED_NIL; i = s->lv[i].down) {    /* ready threads' credit */
        struct sched_thread *t = s->lv[i].head;
        for (uint32_t k = 0; k < s->lv[i].n; k++, t = t->next)
            clamp_credit(s, t);
    }
    return 0;
}

void sched_yield(struct sched *s, struct sched_thread *t)
{
    if (!in_queue(s, t))
        return;
    struct sched_level *l = &s->lv[t->level];
    if (t->credit > 0)
        t->credit = 0;
    if (l->head == t) {
        end_turn(s, l);
        settle(s, l);
    } else {
        ring_to_tail(l, t);
    }
}

unsigned sched_count(const struct sched *s)
{
    return s->count;
}

/* One level's ring: n threads, linked both ways, each ready in s at this level. */
static int check_ring(const struct sched *s, unsigned i, struct kerr *e)
{
    const struct sched_level *l = &s->lv[i];
    const struct sched_thread *t = l->head;
    for (uint32_t k = 0; k < l->n; k++) {
        if (!t)
            return kerr_set(e, "sched: level %u (0x%x): NULL link after %u of %u threads", i,
                            l->pri, k, l->n);
        if (t->state != SCHED_T_READY || t->owner != s)
            return kerr_set(e, "sched: level %u: thread %p in the queue has state 0x%x, owner %p",
                            i, (const void *)t, t->state, (const void *)t->owner);
        if (t->level != i || t->exec_pri != l->pri)
            return kerr_set(e, "sched: level %u (0x%x): thread %p says level %u, priority 0x%x",
                            i, l->pri, (const void *)t, t->level, t->exec_pri);
        if (t->weight < SCHED_WEIGHT_MIN || t->weight > SCHED_WEIGHT_MAX)
            return kerr_set(e, "sched: thread %p: time-slice priority %u out of range",
                            (const void *)t, t->weight);
        if (t->credit > quantum(s, t) || t->credit < debt_floor(s, t))
            return kerr_set(e, "sched: thread %p: credit %lld outside %lld..%lld",
                            (const void *)t, (long long)t->credit, (long long)debt_floor(s, t),
                            (long long)quantum(s, t));
        if (!t->next || t->next->prev != t)
            return kerr_set(e, "sched: level %u: thread %p: next %p does not link back", i,
                            (const void *)t, (const void *)t->next);
        t = t->next;
        if (t == l->head && k + 1 < l->n)
            return kerr_set(e, "sched: level %u (0x%x): ring of %u threads, count says %u", i,
                            l->pri, k + 1, l->n);
    }
    if (t != l->head)
        return kerr_set(e, "sched: level %u (0x%x): ring longer than its count %u", i, l->pri,
                        l->n);
    return 0;
}

int sched_check(const struct sched *s, struct kerr *e)
{
    uint8_t seen[SCHED_LEVELS] = { 0 };
    if (s->granularity == 0)
        return kerr_set(e, "sched: granularity 0");
    unsigned used = 0, nfree = 0, up = SCHED_NIL;
    uint32_t threads = 0;
    for (unsigned i = s->top; i != SCHED_NIL; up = i, i = s->lv[i].down) {
        if (i >= SCHED_LEVELS)
            return kerr_set(e, "sched: level index %u out of range", i);
        if (seen[i])
            return kerr_set(e, "sched: level %u twice in the level list", i);
        seen[i] = 1;
        used++;
        const struct sched_level *l = &s->lv[i];
        if (l->up != up)
            return kerr_set(e, "sched: level %u (0x%x): up is %u, want %u", i, l->pri, l->up, up);
        if (up != SCHED_NIL && l->pri >= s->lv[up].pri)
            return kerr_set(e, "sched: level %u (0x%x) below level %u (0x%x): not descending", i,
                            l->pri, up, s->lv[up].pri);
        if (!l->head || l->n == 0)
            return kerr_set(e, "sched: level %u (0x%x) in use but empty (head %p, %u threads)",
                            i, l->pri, (const void *)l->head, l->n);
        if (check_ring(s, i, e))
            return -1;
        threads += l->n;
    }
    if (used != s->nlevels)
        return kerr_set(e, "sched: %u levels in the list, nlevels says %u", used, s->nlevels);
    if (threads != s->count)
        return kerr_set(e, "sched: %u threads in the levels, count says %u", threads, s->count);
    for (unsigned i = s->free; i != SCHED_NIL; i = s->lv[i].down) {
        if (i >= SCHED_LEVELS)
            return kerr_set(e, "sched: free level index %u out of range", i);
        if (seen[i])
            return kerr_set(e, "sched: level %u %s", i, seen[i] == 1 ? "both in use and free" :
                            "twice in the free list");
        seen[i] = 2;
        nfree++;
        if (s->lv[i].head || s->lv[i].n)
            return kerr_set(e, "sched: free level %u has head %p, %u threads", i,
                            (const void *)s->lv[i].head, s->lv[i].n);
    }
    if (used + nfree != SCHED_LEVELS)
        return kerr_set(e, "sched: %u levels in use and %u free, of %u", used, nfree,
                        SCHED_LEVELS);
    return 0;
}
