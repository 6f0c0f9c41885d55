/* Mutexes with priority inheritance, and the critical section: see include/vmm/thread.h.
 *
 * A mutex keeps its owner, a recursion depth, the boost it gives its owner, the priority its
 * owner inherited from waiters (added on top, removed when it leaves), and a FIFO of waiters.
 * Priorities change only through Adjust_Exec_Priority's path (sched_adjust), so the scheduler's
 * queues stay consistent. */
#pragma GCC optimize("omit-frame-pointer")
#include "sched/thread.h"
#include "vmm/thread.h"
#include "int/int.h"
#include "mem/heapsvc.h"
#include "mem/page.h"
#include "console/console.h"
#include "x86/x86.h"

#define MUTEX_MAGIC 0x4D555458u         /* "MUTX" */
#define CALLER ((uint32_t)(uintptr_t)__builtin_return_address(0))

struct mutex {
    uint32_t magic;                     /* MUTEX_MAGIC ^ address while it exists */
    struct thread *owner;
    uint32_t depth;                     /* the owner's _EnterMutex calls not yet left */
    uint32_t boost;                     /* added to the owner's priority while it owns it */
    uint32_t inherited;                 /* added on top, from a higher-priority waiter */
    struct thread_queue waiters;
};

static struct mutex *mutex_of(MUTEXHANDLE h)
{
    struct mutex *m = (struct mutex *)h;
    if (h - sys_heap.lo >= sys_heap.hi - sys_heap.lo || (h & 15) || !page_mapped(h) ||
        m->magic != (MUTEX_MAGIC ^ h))
        return 0;
    return m;
}

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

MUTEXHANDLE _CreateMutex(uint32_t boost, uint32_t flags)
{
    (void)flags;
    uint32_t f = irq_save();
    struct mutex *m = boost > 0x40000000u ? 0 : _HeapAllocate(sizeof *m, HEAPZEROINIT);
    if (m) {
        m->magic = MUTEX_MAGIC ^ (uint32_t)m;
        m->boost = boost;
    }
    irq_restore(f);
    return (MUTEXHANDLE)m;
}

uint32_t _DestroyMutex(MUTEXHANDLE h)
{
    uint32_t f = irq_save(), ok = 0;
    struct mutex *m = mutex_of(h);
    if (!m || m->owner)
        kprintf("_DestroyMutex: %08x is not a mutex, or is owned (caller %08x); refused\n", h,
                CALLER);
    else {
        m->magic = 0;
        _HeapFree(m, 0);
        ok = 1;
    }
    irq_restore(f);
    return ok;
}

uint32_t _EnterMutex(MUTEXHANDLE h, uint32_t flags)
{
    (void)flags;
    uint32_t f = irq_save();
    struct mutex *m = mutex_of(h);
    struct thread *me = thread_cur;
    if (!m) {
        irq_restore(f);
        kprintf("_EnterMutex: %08x is not a mutex (caller %08x)\n", h, CALLER);
        return 0;
    }
    if (!m->owner) {
        m->owner = me;
        m->depth = 1;
        bump(me, m->boost);
    } else if (m->owner == me) {
        m->depth++;
    } else {
        /* Inheritance: the owner runs at least at the waiter's priority until it leaves. */
        uint32_t mine = me->se.exec_pri, theirs = m->owner->se.exec_pri;
        if (mine > theirs && bump(m->owner, (int64_t)mine - theirs) == 0)
            m->inherited += mine - theirs;
        tq_push(&m->waiters, me);
        thread_block_self();            /* back here owning it: _LeaveMutex handed it over */
    }
    irq_restore(f);
    return 1;
}

uint32_t _LeaveMutex(MUTEXHANDLE h)
{
    uint32_t f = irq_save();
    struct mutex *m = mutex_of(h);
    struct thread *me = thread_cur;
    if (!m || m->owner != me) {
        irq_restore(f);
        kprintf("_LeaveMutex: %08x is not a mutex the caller owns (caller %08x)\n", h, CALLER);
        return 0;
    }
    if (--m->depth) {
        irq_restore(f);
        return 1;
    }
    int64_t back = -(int64_t)m->boost - m->inherited;
    m->inherited = 0;
    struct thread *next = tq_pop(&m->waiters);
    int preempt = 0;
    if (next) {                         /* handed straight to the first waiter */
        m->owner = next;
        m->depth = 1;
        bump(next, m->boost);
        /* Any waiter still queued outranking the new owner: it inherits that too. */
        for (struct thread *w = m->waiters.head; w; w = w->next_wait)
            if (w->se.exec_pri > next->se.exec_pri) {
                uint32_t d = w->se.exec_pri - next->se.exec_pri;
                if (bump(next, d) == 0)
                    m->inherited += d;
            }
        preempt = thread_wake(next);
    } else
        m->owner = 0;
    bump(me, back);                     /* the boost and what it inherited go */
    if (preempt || (struct thread *)thread_pick() != me)
        thread_switch_now();
    irq_restore(f);
    return 1;
}

THREADHANDLE _GetMutexOwner(MUTEXHANDLE h)
{
    uint32_t f = irq_save();
    struct mutex *m = mutex_of(h);
    THREADHANDLE o = m && m->owner ? (THREADHANDLE)m->owner : 0;
    irq_restore(f);
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
        kprintf("Begin_Critical_Section: no critical-section mutex (caller %08x)\n", CALLER);
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
        proc(ref);
    }
}

void End_Critical_Section(void)
{
    if (!crit || !_LeaveMutex(crit))
        kprintf("End_Critical_Section: the caller is not in the critical section (caller %08x)\n",
                CALLER);
    else
        run_not_crit();
}

uint32_t Call_When_Not_Critical(void (*proc)(void *ref), void *ref)
{
    uint32_t f = irq_save(), ok = 1;
    if (!proc || n_not_crit == 16) {
        kprintf("Call_When_Not_Critical: %s (caller %08x); refused\n",
                proc ? "16 calls pending already" : "no procedure", CALLER);
        ok = 0;
    } else if (!crit || !_GetMutexOwner(crit)) {
        irq_restore(f);
        proc(ref);                      /* nobody is in the critical section: now */
        return 1;
    } else {
        not_crit[n_not_crit].proc = proc;
        not_crit[n_not_crit++].ref = ref;
    }
    irq_restore(f);
    return ok;
}

uint32_t End_Crit_And_Suspend(void)
{
    uint32_t f = irq_save();
    struct mutex *m = crit ? mutex_of(crit) : 0;
    if (!m || m->owner != thread_cur || m->depth != 1 || thread_cur->vm == vm_system()) {
        irq_restore(f);
        kprintf("End_Crit_And_Suspend: the caller must hold the critical section once, in a VM "
                "other than the system VM (caller %08x); refused\n", CALLER);
        return 0;
    }
    End_Critical_Section();
    thread_suspend_self();              /* back here once Resume_VM */
    irq_restore(f);
    return 1;
}
