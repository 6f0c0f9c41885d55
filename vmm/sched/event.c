/* Events and time-outs, global, VM and thread ones: see include/vmm/thread.h.
 *
 * One pool of nodes, each an event waiting to run or a time-out waiting to be due.  Pending
 * global events form a FIFO; time-outs a list sorted by due time (the TSC), which the timer tick
 * (interrupt context) walks from its head, moving the due ones onto the event FIFO -- or, for a
 * thread's or a VM's time-out, onto that thread's own queue.  The event thread, the highest
 * priority in the system, sleeps on a semaphore and runs the global FIFO one node at a time.  A
 * thread's events (Schedule_Thread_Event) and a VM's (Schedule_VM_Event, Call_Priority_VM_Event:
 * the VM's oldest thread's) run in that thread, oldest first, whenever it resumes
 * (thread_run_events), each priority event with
 * its boost and, with PEF_WAIT_NOT_CRIT, only once nobody else holds the critical section --
 * or, with PEF_TIME_OUT, once its time is up (Test_Event_Timed_Out then says so).  Events never
 * nest: one scheduled from inside another runs after it. */
#include "sched/sched.h"
#include "vmm/thread.h"
#include "int/int.h"
#include "int/timer.h"
#include "console/console.h"
#include "x86/x86.h"
#include "vmm.h"
#include "x86/trap.h"

#define NODES      256
#define N_FREE     0
#define N_EVENT    1                    /* queued to run */
#define N_TIMEOUT  2                    /* waiting until it is due */
#define N_RUNNING  3
#define N_TEVENT   4                    /* queued on a thread: runs when that thread runs */

struct node {
    uint32_t gen;                       /* bumped each time it goes back to the pool (hid) */
    uint8_t kind;
    uint64_t due;                       /* N_TIMEOUT: the clock's reading it is due at */
    event_proc ev;
    timeout_proc to;
    void *ref;
    struct node *next;
    struct thread *target;              /* a thread event's, or a thread/VM time-out's thread */
    uint32_t flags;                     /* PEF_* of Call_Priority_VM_Event */
    uint32_t boost;                     /* its priority boost, taken back when it runs */
    uint64_t tdue;                      /* PEF_TIME_OUT: when its conditions give way */
    struct node *tnext;                 /* in the PEF_TIME_OUT list while it waits */
    uint8_t timed_out;                  /* PEF_TIME_OUT expired before it ran */
};

static struct node pool[NODES], *free_list, *ev_head, *ev_tail, *to_head, *pto_head;
static SEMHANDLE ev_sem;
static THREADHANDLE ev_thread;
static uint32_t running_depth, max_depth, cur_timed_out;

static struct node *node_get(void)
{
    struct node *n = free_list;
    if (n)
        free_list = n->next;
    return n;
}

/* Off the PEF_TIME_OUT list, if it waits in it. */
static void pto_unlink(struct node *n)
{
    if (!(n->flags & PEF_TIME_OUT) || n->timed_out)
        return;
    for (struct node **pp = &pto_head; *pp; pp = &(*pp)->tnext)
        if (*pp == n) {
            *pp = n->tnext;
            break;
        }
}

/* Back to the pool, nothing of this use left on it (timed_out was: a global event given the
 * node next had Test_Event_Timed_Out say 1). */
static void node_put(struct node *n)
{
    pto_unlink(n);
    n->flags = 0;
    n->timed_out = 0;
    n->kind = N_FREE;
    n->gen++;
    n->next = free_list;
    free_list = n;
}

/* A handle names a node and its generation -- (generation << 16) | (index + 1) -- so the handle
 * of an event that ran, or a time-out that fired, never matches the node's next use. */
static uint32_t hid(const struct node *n)
{
    return (n->gen & 0xFFFFu) << 16 | (uint32_t)(n - pool + 1);
}

static struct node *node_of(uint32_t h, uint8_t kind)
{
    uint32_t i = (h & 0xFFFFu) - 1;
    if (i >= NODES)
        return 0;
    struct node *n = &pool[i];
    if (hid(n) != h || n->kind != kind)     /* a used node's generation moved on */
        return 0;
    return n;
}

static void enqueue(struct node *n)
{
    n->kind = N_EVENT;
    n->target = 0;
    n->next = 0;
    if (ev_tail)
        ev_tail->next = n;
    else
        ev_head = n;
    ev_tail = n;
}

static int unguarded(void *proc, uint32_t a, uint32_t b, const char *what)
{
    (void)proc, (void)a, (void)b, (void)what;
    return 0;
}
int (*event_guard)(void *proc, uint32_t a, uint32_t b, const char *what) = unguarded;

/* Runs node n's procedure (a time-out's is told how late it is), counting nesting depth; a
 * VxD's under the VxD manager's guard. */
static void call(struct node *n)
{
    if (++running_depth > max_depth)
        max_depth = running_depth;
    uint32_t outer = cur_timed_out;
    cur_timed_out = n->timed_out;
    if (n->to) {
        uint32_t late = clock_late_ms(rdtsc(), n->due);
        if (!event_guard((void *)n->to, late, (uint32_t)n->ref, "time-out procedure"))
            n->to(late, n->ref);
    } else if (!event_guard((void *)n->ev, (uint32_t)n->ref, 0, "event procedure")) {
        n->ev(n->ref);
    }
    cur_timed_out = outer;
    running_depth--;
}

/* A thread event, at the tail of t's queue; the thread runs it when it next runs. */
static void tenqueue(struct thread *t, struct node *n)
{
    n->kind = N_TEVENT;
    n->target = t;
    n->next = 0;
    struct node *tail = t->tev_tail;
    if (tail)
        tail->next = n;
    else
        t->tev_head = n;
    t->tev_tail = n;
    if (t == thread_cur)
        int_resched_pending = 1;        /* the current thread: on the way out of an interrupt */
}

/* The timer tick (interrupt context): due time-outs become events (a thread's on its thread). */
static void tick(uint64_t now)
{
    int any = 0;
    while (to_head && (int64_t)(now - to_head->due) >= 0) {
        struct node *n = to_head;
        to_head = n->next;
        if (n->target)
            tenqueue(n->target, n);
        else {
            enqueue(n);
            any = 1;
        }
    }
    if (any)
        Signal_Semaphore_No_Switch(ev_sem);
    while (pto_head && (int64_t)(now - pto_head->tdue) >= 0) {
        struct node *n = pto_head;      /* PEF_TIME_OUT: its conditions give way */
        pto_head = n->tnext;
        n->timed_out = 1;
        n->flags &= ~PEF_WAIT_NOT_CRIT;
        if (n->target == thread_cur)
            int_resched_pending = 1;
    }
}

uint32_t Test_Event_Timed_Out(void) { return cur_timed_out; }

/* thread.c, whenever the current thread resumes (or the switch path finds it should go on):
 * its pending events, oldest first, one at a time; one that must wait for the critical section
 * keeps its place, and those after it that need not wait run. */
void thread_run_events(void)
{
    struct thread *t = thread_cur;
    if (t->in_event)
        return;                         /* never nested */
    t->in_event = 1;
    for (;;) {
        struct node *n = t->tev_head, *prev = 0;
        while (n && (n->flags & PEF_WAIT_NOT_CRIT) && crit_held_by_other()) {
            prev = n;
            n = n->next;
        }
        if (!n)
            break;
        if (prev)
            prev->next = n->next;
        else
            t->tev_head = n->next;
        if (t->tev_tail == n)
            t->tev_tail = prev;
        n->kind = N_RUNNING;
        if (n->boost && !(n->flags & PEF_DONT_UNBOOST)) {
            struct kerr e;
            thread_adjust(t, -(int32_t)n->boost, &e);
        }
        uint32_t f = read_eflags();
        call(n);                        /* it may schedule or cancel others: start over */
        if (!(f & EFLAGS_IF))
            irq_disable();
        node_put(n);
    }
    t->in_event = 0;
}

/* A dead thread's pending events and time-outs go back to the pool. */
void thread_drop_events(struct thread *t)
{
    while (t->tev_head) {
        struct node *n = t->tev_head;
        t->tev_head = n->next;
        node_put(n);
    }
    t->tev_tail = 0;
    for (struct node **pp = &to_head; *pp;)
        if ((*pp)->target == t) {
            struct node *n = *pp;
            *pp = n->next;
            node_put(n);
        } else
            pp = &(*pp)->next;
}

static void event_thread(void *arg)
{
    (void)arg;
    for (;;) {
        Wait_Semaphore(ev_sem, BLOCK_SVC_INTS);
        for (;;) {
            struct node *n;
            {
                INTS_OFF();
                n = ev_head;
                if (n) {
                    ev_head = n->next;
                    if (!ev_head)
                        ev_tail = 0;
                    n->kind = N_RUNNING;
                }
            }
            if (!n)
                break;
            call(n);                    /* with the event thread's interrupt state: on */
            INTS_OFF();
            node_put(n);
        }
    }
}

int event_init(void)
{
    for (int i = NODES; i-- > 0;)
        node_put(&pool[i]);
    ev_sem = Create_Semaphore(0);
    ev_thread = ev_sem ? VMMCreateThread(event_thread, 0, RESERVED_HIGH_BOOST, 100) : 0;
    if (!ev_thread) {
        kprintf("event: no memory for the event thread\n");
        return -1;
    }
    thread_set_tick_hook(tick);
    return 0;
}

uint32_t event_max_nesting(void) { return max_depth; }

/* [Debug] SchedStats=ms: the per-VM and per-thread account, every ms milliseconds. */
static uint32_t stats_ms;
static void stats(uint32_t late_ms, void *ref)
{
    (void)late_ms;
    (void)ref;
    thread_print_summary();
    Set_Global_Time_Out(stats, stats_ms, 0);
}

void event_stats_every(uint32_t ms)
{
    stats_ms = ms;
    if (ms)
        Set_Global_Time_Out(stats, ms, 0);
}

EVENTHANDLE Schedule_Global_Event(event_proc proc, void *ref)
{
    INTS_OFF();
    uint32_t h = 0;
    struct node *n = proc ? node_get() : 0;
    if (n) {
        n->ev = proc;
        n->to = 0;
        n->ref = ref;
        h = hid(n);
        enqueue(n);
        Signal_Semaphore_No_Switch(ev_sem);
    } else
        refused("Schedule_Global_Event", CALLER, "%s",
                proc ? "the event pool is full" : "no procedure");
    return h;
}

uint32_t Cancel_Global_Event(EVENTHANDLE h)
{
    INTS_OFF();
    uint32_t ok = 0;
    struct node *n = node_of(h, N_EVENT);
    if (n) {
        struct node **pp = &ev_head, *prev = 0;
        while (*pp && *pp != n) {
            prev = *pp;
            pp = &(*pp)->next;
        }
        if (*pp) {
            *pp = n->next;
            if (ev_tail == n)
                ev_tail = prev;
            node_put(n);
            ok = 1;
        }
    }
    return ok;
}

static TIMEOUTHANDLE timeout(const char *svc, uint32_t caller, timeout_proc proc, uint32_t ms,
                             struct thread *target, void *ref)
{
    INTS_OFF();
    uint32_t h = 0;
    struct node *n = proc ? node_get() : 0;
    if (n) {
        n->target = target;
        n->boost = 0;
        n->kind = N_TIMEOUT;
        n->to = proc;
        n->ev = 0;
        n->ref = ref;
        n->due = clock_due(ms);
        struct node **pp = &to_head;    /* sorted by due time, FIFO among equals */
        while (*pp && (int64_t)((*pp)->due - n->due) <= 0)
            pp = &(*pp)->next;
        n->next = *pp;
        *pp = n;
        h = hid(n);
    } else
        refused(svc, caller, "%s", proc ? "the event pool is full" : "no procedure");
    return h;
}

TIMEOUTHANDLE Set_Global_Time_Out(timeout_proc proc, uint32_t ms, void *ref)
{
    return timeout("Set_Global_Time_Out", CALLER, proc, ms, 0, ref);
}

TIMEOUTHANDLE Set_Thread_Time_Out(timeout_proc proc, uint32_t ms, THREADHANDLE th, void *ref)
{
    INTS_OFF();
    struct thread *t = thread_of(th);
    TIMEOUTHANDLE h = t ? timeout("Set_Thread_Time_Out", CALLER, proc, ms, t, ref) : 0;
    return h;
}

TIMEOUTHANDLE Set_VM_Time_Out(timeout_proc proc, uint32_t ms, VMHANDLE vm, void *ref)
{
    INTS_OFF();
    struct vm *v = vm_of(vm);
    struct thread *t = v ? thread_first_of_vm(v) : 0;
    TIMEOUTHANDLE h = t ? timeout("Set_VM_Time_Out", CALLER, proc, ms, t, ref) : 0;
    return h;
}

/* ---- thread and VM events ----------------------------------------------------------------- */

static EVENTHANDLE tevent(const char *svc, uint32_t caller, struct thread *t, uint32_t boost,
                          uint32_t flags, event_proc proc, void *ref, uint32_t timeout_ms)
{
    struct node *n = 0;
    if (!t || !proc || (flags & ~PEF_SUPPORTED)) {
        return refused(svc, caller, "%s", !t ? "no such thread or VM (or a VM with no thread)"
                       : !proc ? "no procedure" : "a PEF_ flag not supported");
    }
    if (!(flags & PEF_ALWAYS_SCHED) && t == thread_cur && !t->in_event && !int_in_handler() &&
        !((flags & PEF_WAIT_NOT_CRIT) && crit_held_by_other())) {
        proc(ref);                      /* it can run now: it does, and no handle is needed */
        return 0;
    }
    if (!(n = node_get())) {
        return refused(svc, caller, "the event pool is full");
    }
    struct kerr e;
    n->ev = proc;
    n->to = 0;
    n->ref = ref;
    n->flags = flags;
    n->boost = boost && thread_adjust(t, (int32_t)boost, &e) == 0 ? boost : 0;
    if (flags & PEF_TIME_OUT) {         /* sorted by when it gives way, FIFO among equals */
        n->tdue = clock_due(timeout_ms);
        struct node **pp = &pto_head;
        while (*pp && (int64_t)((*pp)->tdue - n->tdue) <= 0)
            pp = &(*pp)->tnext;
        n->tnext = *pp;
        *pp = n;
    }
    uint32_t h = hid(n);
    tenqueue(t, n);
    return h;
}

EVENTHANDLE Schedule_Thread_Event(THREADHANDLE th, event_proc proc, void *ref)
{
    INTS_OFF();
    EVENTHANDLE h = tevent("Schedule_Thread_Event", CALLER, thread_of(th), 0, PEF_ALWAYS_SCHED,
                           proc, ref, 0);
    return h;
}

EVENTHANDLE Schedule_VM_Event(VMHANDLE vm, event_proc proc, void *ref)
{
    INTS_OFF();
    struct vm *v = vm_of(vm);
    EVENTHANDLE h = tevent("Schedule_VM_Event", CALLER, v ? thread_first_of_vm(v) : 0, 0,
                           PEF_ALWAYS_SCHED, proc, ref, 0);
    return h;
}

EVENTHANDLE Call_Priority_VM_Event(uint32_t boost, VMHANDLE vm, uint32_t flags, void *ref,
                                   event_proc proc, uint32_t timeout_ms)
{
    INTS_OFF();
    struct vm *v = vm_of(vm);
    EVENTHANDLE h = tevent("Call_Priority_VM_Event", CALLER, v ? thread_first_of_vm(v) : 0, boost,
                           flags, proc, ref, timeout_ms);
    return h;
}

/* Cancels a queued thread event (boost taken back unless PEF_DONT_UNBOOST). */
static uint32_t tcancel(EVENTHANDLE h)
{
    INTS_OFF();
    uint32_t ok = 0;
    struct node *n = node_of(h, N_TEVENT);
    if (n) {
        struct thread *t = n->target;
        struct node **pp = (struct node **)&t->tev_head, *prev = 0;
        while (*pp && *pp != n) {
            prev = *pp;
            pp = &(*pp)->next;
        }
        if (*pp) {
            *pp = n->next;
            if (t->tev_tail == n)
                t->tev_tail = prev;
            if (n->boost && !(n->flags & PEF_DONT_UNBOOST)) {
                struct kerr e;
                thread_adjust(t, -(int32_t)n->boost, &e);
            }
            node_put(n);
            ok = 1;
        }
    }
    return ok;
}

uint32_t Cancel_Thread_Event(THREADHANDLE th, EVENTHANDLE h) { (void)th; return tcancel(h); }
uint32_t Cancel_VM_Event(VMHANDLE vm, EVENTHANDLE h) { (void)vm; return tcancel(h); }
uint32_t Cancel_Priority_VM_Event(EVENTHANDLE h) { return tcancel(h); }

static uint32_t tcancel(EVENTHANDLE h);

unsigned event_purge(uint32_t lo, uint32_t hi)
{
    unsigned n = 0;
    for (unsigned i = 0; i < NODES; i++) {
        struct node *q = &pool[i];
        uint32_t proc = q->to ? (uint32_t)q->to : (uint32_t)q->ev;
        if (q->kind == N_FREE || q->kind == N_RUNNING || proc - lo >= hi - lo)
            continue;
        uint32_t h = hid(q);
        n += q->kind == N_EVENT ? Cancel_Global_Event(h)
           : q->kind == N_TIMEOUT ? Cancel_Time_Out(h) : tcancel(h);
    }
    return n;
}

uint32_t Cancel_Time_Out(TIMEOUTHANDLE h)
{
    INTS_OFF();
    uint32_t ok = 0;
    struct node *n = node_of(h, N_TIMEOUT);
    if (n) {
        for (struct node **pp = &to_head; *pp; pp = &(*pp)->next)
            if (*pp == n) {
                *pp = n->next;
                node_put(n);
                ok = 1;
                break;
            }
    }
    return ok;
}
