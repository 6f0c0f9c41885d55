/* Mutexes with priority inheritance, and the critical section: see include/vmm/thread.h.
 *
 * A mutex keeps its owner, a recursion depth, the boost it gives its owner, the priority its
 * owner inherited through it (added on top, removed when it leaves), and a FIFO of waiters.
 * Each thread keeps the mutexes it owns (a list through next_owned, so that a thread that ends
 * owning some hands them on) and the one it waits for (so that inheritance follows a chain:
 * H waits for M1 owned by A, A waits for M2 owned by B: B runs at H's priority too).
 * Priorities change only through Adjust_Exec_Priority's path (sched_adjust), so the scheduler's
 * queues stay consistent. */
#pragma GCC optimize("omit-frame-pointer")
#include "int/fault.h"
#include "sched/sched.h"
#include "vmm/thread.h"
#include "int/int.h"
#include "mem/heapsvc.h"
#include "mem/page.h"
#include "console/console.h"
#include "x86/x86.h"
#include "vmm.h"

#define MUTEX_MAGIC 0x4D555458u         /* "MUTX" */
#define CHAIN_MAX   16                  /* owners followed along a chain of waits */

struct mutex {
    uint32_t magic;                     /* MUTEX_MAGIC ^ address while it exists */
    struct thread *owner;
    uint32_t depth;                     /* the owner's _EnterMutex calls not yet left */
    uint32_t boost;                     /* added to the owner's priority while it owns it */
    uint32_t inherited;                 /* added on top, from higher-priority waiters */
    struct thread_queue waiters;
    struct mutex *next_owned;           /* the owner's other mutexes */
};

static struct mutex *mutex_of(MUTEXHANDLE h) { return HANDLE_OF(struct mutex, h, MUTEX); }

/* Changes t's priority by delta through the scheduler; 0 or -1 (reported). */
static int bump(struct thread *t, int64_t delta)
{
    struct kerr e;
    if (!delta)
        return 0;
    if (thread_adjust(t, (int32_t)delta, &e)) {
        kprintf("mutex: %s\n", e.msg);
        return -1;
    }
    return 0;
}

/* The owner of m, and the owners along the chain of waits from it, run at least at priority
 * pri: what each is raised by is recorded in the mutex it was raised through. */
static void inherit(struct mutex *m, uint32_t pri)
{
    for (int i = 0; m && m->owner && i < CHAIN_MAX; i++) {
        struct thread *o = m->owner;
        uint32_t d = pri - o->se.exec_pri;
        if (pri <= o->se.exec_pri || bump(o, d))
            break;
        m->inherited += d;
        m = o->waiting_for;
    }
}

/* Would t waiting for m close a cycle of waits (m's owner waits, through a chain, for a mutex
 * t owns)? */
static int deadlocks(const struct mutex *m, const struct thread *t)
{
    for (int i = 0; m && m->owner && i < CHAIN_MAX; i++) {
        if (m->owner == t)
            return 1;
        m = m->owner->waiting_for;
    }
    return 0;
}

static void take(struct mutex *m, struct thread *t)
{
    m->owner = t;
    m->depth = 1;
    m->next_owned = t->owned;
    t->owned = m;
    bump(t, m->boost);
}

/* m leaves its owner (who gives back what it got through m) for the first waiter, if any, who
 * also inherits from the waiters still queued.  1 if the new owner should preempt the caller. */
static int hand_over(struct mutex *m)
{
    struct thread *o = m->owner;
    for (struct mutex **pp = &o->owned; *pp; pp = &(*pp)->next_owned)
        if (*pp == m) {
            *pp = m->next_owned;
            break;
        }
    if (o->state != T_DEAD)
        bump(o, -(int64_t)m->boost - m->inherited);
    m->inherited = 0;
    struct thread *next = tq_pop(&m->waiters);
    if (!next) {
        m->owner = 0;
        return 0;
    }
    next->waiting_for = 0;
    take(m, next);
    for (struct thread *w = m->waiters.head; w; w = w->next_wait)
        inherit(m, w->se.exec_pri);
    return thread_wake(next);
}

MUTEXHANDLE _CreateMutex(uint32_t boost, uint32_t flags)
{
    (void)flags;
    INTS_OFF();
    struct mutex *m = boost > 0x40000000u ? 0 : heapsvc_alloc_for(sizeof *m, HEAPZEROINIT, CALLER);
    if (m) {
        m->magic = MUTEX_MAGIC ^ (uint32_t)m;
        m->boost = boost;
    }
    return (MUTEXHANDLE)m;
}

/* Gone: its handle refused from now (_DestroyMutex, and an unloaded VxD's left over).  Only an
 * unowned one: a mutex with waiters has an owner (a release hands it to the first). */
static void mutex_free(struct mutex *m)
{
    m->magic = 0;
    _HeapFree(m, 0);
}

int mutex_release_left(void *p)
{
    INTS_OFF();
    struct mutex *m = p;
    if (m->magic != (MUTEX_MAGIC ^ (uint32_t)m))
        return -1;
    if (m->owner)
        return 0;
    mutex_free(m);
    return 1;
}

uint32_t _DestroyMutex(MUTEXHANDLE h)
{
    INTS_OFF();
    uint32_t ok = 0;
    struct mutex *m = mutex_of(h);
    if (!m || m->owner)
        refused("_DestroyMutex", CALLER, "%08x is not a mutex, or is owned", h);
    else {
        mutex_free(m);
        ok = 1;
    }
    return ok;
}

uint32_t _EnterMutex(MUTEXHANDLE h, uint32_t flags)
{
    (void)flags;
    INTS_OFF();
    uint32_t ok = 1;
    struct mutex *m = mutex_of(h);
    struct thread *me = thread_cur;
    if (!m) {
        refused("_EnterMutex", CALLER, "%08x is not a mutex", h);
        ok = 0;
    } else if (!m->owner) {
        take(m, me);
    } else if (m->owner == me) {
        m->depth++;
    } else if (deadlocks(m, me)) {
        refused("_EnterMutex", CALLER, "deadlock: mutex %08x is held by thread %u, which waits "
                "(through a chain of mutexes) for one the caller's thread %u holds", h,
                m->owner->id, me->id);
        ok = 0;
    } else {
        inherit(m, me->se.exec_pri);    /* its owner, and whom that waits for, run at mine */
        me->waiting_for = m;
        tq_push(&m->waiters, me);
        thread_waits_for(CALLER);
        thread_block_self();            /* back here owning it: hand_over gave it to me */
    }
    return ok;
}

uint32_t _LeaveMutex(MUTEXHANDLE h)
{
    {
        INTS_OFF();
        struct mutex *m = mutex_of(h);
        struct thread *me = thread_cur;
        if (m && m->owner == me) {
            if (!--m->depth && (hand_over(m) || thread_pick() != me))
                thread_switch_now();
            return 1;
        }
    }
    return refused("_LeaveMutex", CALLER, "%08x is not a mutex the caller owns", h);
}

THREADHANDLE _GetMutexOwner(MUTEXHANDLE h)
{
    INTS_OFF();
    struct mutex *m = mutex_of(h);
    THREADHANDLE o = m && m->owner ? (THREADHANDLE)m->owner : 0;
    return o;
}

static MUTEXHANDLE crit;

int crit_held_by_other(void)
{
    struct mutex *m = crit ? mutex_of(crit) : 0;
    return m && m->owner && m->owner != thread_cur;
}

void Begin_Critical_Section(uint32_t flags)
{
    if (!crit)
        crit = _CreateMutex(CRITICAL_SECTION_BOOST, 0);
    if (!crit || !_EnterMutex(crit, flags))
        refused("Begin_Critical_Section", CALLER, "no critical-section mutex");
}

/* Call_When_Not_Critical: procedures waiting for the critical section to be free. */
static struct { void (*proc)(void *); void *ref; } not_crit[16];
static unsigned n_not_crit;

static void run_not_crit(void)
{
    while (n_not_crit && !_GetMutexOwner(crit)) {
        void (*proc)(void *) = not_crit[0].proc;
        void *ref = not_crit[0].ref;
        for (unsigned i = 1; i < n_not_crit; i++)
            not_crit[i - 1] = not_crit[i];
        n_not_crit--;
        foreign_call_ref(proc, ref, "Call_When_Not_Critical procedure");
    }
}

void End_Critical_Section(void)
{
    if (!crit || !_LeaveMutex(crit))
        refused("End_Critical_Section", CALLER, "the caller is not in the critical section");
    else
        run_not_crit();
}

unsigned mutex_purge(uint32_t lo, uint32_t hi)
{
    INTS_OFF();
    unsigned n = 0, k = 0;
    for (unsigned i = 0; i < n_not_crit; i++) {
        if ((uint32_t)not_crit[i].proc - lo < hi - lo)
            n++;
        else
            not_crit[k++] = not_crit[i];
    }
    n_not_crit = k;
    return n;
}

uint32_t Call_When_Not_Critical(void (*proc)(void *ref), void *ref)
{
    {
        INTS_OFF();
        if (!proc || n_not_crit == 16)
            return refused("Call_When_Not_Critical", CALLER, "%s",
                           proc ? "16 calls pending already" : "no procedure");
        if (crit && _GetMutexOwner(crit)) {
            not_crit[n_not_crit].proc = proc;
            not_crit[n_not_crit++].ref = ref;
            return 1;
        }
    }
    foreign_call_ref(proc, ref, "Call_When_Not_Critical procedure");   /* nobody is in the
                                                                         critical section: now */
    return 1;
}

uint32_t End_Crit_And_Suspend(void)
{
    {
        INTS_OFF();
        struct mutex *m = crit ? mutex_of(crit) : 0;
        if (m && m->owner == thread_cur && m->depth == 1 && thread_cur->vm != vm_system()) {
            End_Critical_Section();
            thread_suspend_self();      /* back here once Resume_VM */
            return 1;
        }
    }
    return refused("End_Crit_And_Suspend", CALLER, "the caller must hold the critical section "
                   "once, in a VM other than the system VM");
}

static void not_crit_event(void *ref)
{
    (void)ref;
    run_not_crit();
}

/* thread.c, as t ends: the mutexes it still owns go to their first waiters (reported: what they
 * guarded may be half-changed); Call_When_Not_Critical procedures run if it held the critical
 * section and nobody waits for it.  1 if a thread it woke should preempt the caller. */
int mutex_abandon(struct thread *t)
{
    int preempt = 0;
    while (t->owned) {
        struct mutex *m = t->owned;
        kprintf("mutex: thread %u ended owning mutex %08x; %s\n", t->id, (uint32_t)m,
                m->waiters.head ? "handed to its first waiter" : "now free");
        preempt |= hand_over(m);
    }
    if (n_not_crit && !_GetMutexOwner(crit))
        Schedule_Global_Event(not_crit_event, 0);
    return preempt;
}
