/* Guarded calls into VxD code: see guard.h. */
#include "vxd/guard.h"
#include "sched/sched.h"
#include "sched/thread.h"
#include "int/fault.h"
#include "int/int.h"
#include "int/timer.h"
#include "x86/trap.h"
#include "x86/watchdog.h"
#include "x86/x86.h"

void guard_resume(void);              /* x86/guard.S */
void foreign_resume(void);
extern const char foreign_ret[];
extern const char boot_stack[], boot_stack_top[];     /* x86/entry.S */
#define FOREIGN_MAGIC 0x5AFEC0DEu       /* x86/guard.S's */

/* The innermost guard of each thread is its thread's (struct thread's guard); before threads
 * exist, the boot's. */
static struct guard *boot_top;
static struct guard **top(void)
{
    return thread_cur ? (struct guard **)&thread_cur->guard : &boot_top;
}

static int guard_fault(uint32_t v, struct client_regs *r);
static void guard_tick(struct client_regs *r);
static int guard_double_fault(struct client_regs *r);
/* On the fault path and the tick (int/fault.h) from the first guarded call or guard_init. */
static struct fault_taker taker = { guard_fault, 0 };     /* .tick while calls run */
static unsigned active;                 /* guarded calls in progress, all threads */
static struct guard *actives;           /* ... linked through next_active */
static void wait_aborted(void);
static void (*failed)(void *fn, const char *what, uint32_t vector, const struct client_regs *r,
                      uint32_t caller);

void guard_init(void (*foreign_failed)(void *fn, const char *what, uint32_t vector,
                                       const struct client_regs *r, uint32_t caller))
{
    failed = foreign_failed;
    thread_wait_aborted = wait_aborted;
    fault_guard = &taker;
    trap_double_fault = guard_double_fault;
}

static unsigned watched;                /* ... of them watched by the watchdog */

void guard_enter(struct guard *g, uint32_t lo, uint32_t hi, uint32_t ms, int watch)
{
    struct guard **t = top();
    g->flags = read_eflags();
    g->prev = *t;
    g->lo = lo;
    g->hi = hi;
    g->deadline = timer.tsc_per_ms ? clock_due(ms) : ~0ull;    /* none before the clock */
    g->depth = int_depth();
    g->abandoned = 0;
    g->thread = thread_cur;
    g->watch = watch;
    uint32_t f = irq_save();            /* the list and counts are the tick's too, and another */
    g->prev_active = 0;                 /* thread's guarded call may preempt this one */
    g->next_active = actives;
    if (actives)
        actives->prev_active = g;
    actives = g;
    *t = g;                             /* last: an interrupt meanwhile finds a whole chain */
    if (!active++)
        taker.tick = guard_tick;
    if (watch && !watched++)
        watchdog_arm(1);                /* NMIs: a runaway with interrupts off is caught too */
    fault_guard = &taker;
    irq_restore(f);
}

void guard_leave(struct guard *g)
{
    irq_disable();
    if (g->prev_active)
        g->prev_active->next_active = g->next_active;
    else
        actives = g->next_active;
    if (g->next_active)
        g->next_active->prev_active = g->prev_active;
    *top() = g->prev;                   /* the same thread's (it may have been switched) */
    if (!--active)
        taker.tick = 0;
    if (g->watch && !--watched)
        watchdog_arm(0);
    if (g->flags & EFLAGS_IF)
        irq_enable();                   /* as the caller had them (an abandon turned them off) */
}

/* Resumes the guarded call's frame at guard_resume: it returns -1 from guard_call. */
static void abandon(struct guard *g, uint32_t v, struct client_regs *r, uint32_t caller)
{
    g->caller = caller;
    g->abandoned = 1;
    g->vector = v;
    g->error = r->error;
    g->eip = r->eip;
    g->cr2 = v == 14 ? read_cr2() : 0;
    r->eip = (uint32_t)guard_resume;
    r->eax = (uint32_t)g;
    r->eflags &= ~EFLAGS_IF;            /* guard_leave puts them back as they were */
}

/* The innermost foreign_tramp frame (x86/guard.S: its cookie's slot) on the stack from esp up to
 * limit, if it was made at interrupt depth `depth` (else the fault is not its call's), or NULL. */
static uint32_t *foreign_frame(uint32_t esp, uint32_t limit, int depth)
{
    for (uint32_t *s = (uint32_t *)(esp & ~3u); (uint32_t)(s + 16) <= limit; s++)
        if (s[0] == (uint32_t)foreign_ret && s[6] == ((uint32_t)&s[6] ^ FOREIGN_MAGIC))
            return (int)s[7] == depth ? &s[6] : 0;
    return 0;
}

/* The current thread's stack: [*lo, *hi). */
static void stack_of_thread(uint32_t *lo, uint32_t *hi)
{
    const struct thread *t = thread_cur;
    *lo = t && t->stack_top ? t->stack_top - (t->stack_pages << 12) : (uint32_t)boot_stack;
    *hi = t && t->stack_top ? t->stack_top : (uint32_t)boot_stack_top;
}

/* Abandons the innermost call into a VxD made at interrupt depth `depth` by the current thread
 * -- a foreign_call's or a guarded call's, whichever is nearer the top of the stack, looking
 * from esp up -- for a fault (or why) with frame r; 0 if there is none. */
static int take(uint32_t why, struct client_regs *r, int depth, uint32_t esp)
{
    struct guard *g = *top();
    if (g && g->depth != depth)
        g = 0;
    uint32_t lo, hi;
    stack_of_thread(&lo, &hi);
    uint32_t *f = esp - lo < hi - lo ? foreign_frame(esp, g ? g->esp : hi, depth) : 0;
    /* What the stack holds at the fault: the return address, if the fault was a call through a
     * bad pointer (the report names the caller when EIP is in nobody's code). */
    uint32_t caller = esp - lo < hi - lo - 4 ? *(const uint32_t *)(esp & ~3u) : 0;
    if (f) {
        if (failed)
            failed((void *)f[8], (const char *)f[9], why, r, caller);  /* fn, what */
        r->eip = (uint32_t)foreign_resume;
        r->eax = (uint32_t)f;
        r->eflags &= ~EFLAGS_IF;        /* the frame's own EFLAGS come back on the way out */
        return 1;
    }
    if (!g)
        return 0;
    abandon(g, why, r, caller);
    return 1;
}

/* trap_double_fault (x86/trap.h): a #DF whose stack pointer lies at the bottom of the thread's
 * stack or in the guard page under it is a stack overflow; inside a call into a VxD (not in
 * the page or heap services) it is abandoned as a fault would be, looking for the call from
 * the stack's bottom up.  An interrupt whose delivery the overflow cut short is ended. */
static int guard_double_fault(struct client_regs *r)
{
    uint32_t lo, hi;
    stack_of_thread(&lo, &hi);
    if ((r->cs & 3) || (r->eflags & EFLAGS_VM) || fault_inside_nonreentrant(r) ||
        r->esp - (lo - 4096) >= 4096 + 256)
        return 0;
    if (!take(GUARD_STACK, r, int_depth(), lo))
        return 0;
    int_end_orphans();
    return 1;
}

int guard_abandon(struct client_regs *r, uint32_t why)
{
    return take(why, r, int_depth() - 1, trap_ring0_esp(r));    /* the interrupt's depth is one
                                                                    more than the call's */
}

/* A fault nothing else took (int/fault.c; never one inside the page services). */
static int guard_fault(uint32_t v, struct client_regs *r)
{
    if ((r->cs & 3) || (r->eflags & EFLAGS_VM) || v == 8 || v == 18)
        return 0;
    return take(v, r, int_depth(), trap_ring0_esp(r));
}

/* In a thread whose guarded call blocked past its deadline in a service it called: the wait
 * was cut short (guard_tick); the call resumes as abandoned, never returning from the service. */
static void wait_aborted(void)
{
    struct guard *g = *top();
    g->abandoned = 1;
    g->vector = GUARD_BLOCKED;          /* g->eip: set by guard_tick */
    g->error = g->cr2 = g->caller = 0;
    irq_disable();                      /* guard_leave puts them back as they were */
    __asm__ volatile("jmp guard_resume" : : "a"(g));
    __builtin_unreachable();
}

/* Guarded calls of other threads, blocked past their deadlines in a wait they called for. */
static void blocked_past_deadline(uint64_t now)
{
    for (struct guard *g = actives; g; g = g->next_active) {
        struct thread *t = g->thread;
        if (t && t != thread_cur && t->guard == g && !t->wait_aborted && now >= g->deadline &&
            t->wait_caller - g->lo < g->hi - g->lo && thread_abort_wait(t))
            g->eip = t->wait_caller;
    }
}

/* Every timer tick, and every watchdog NMI (x86/watchdog.h), with the interrupted frame. */
static void guard_tick(struct client_regs *r)
{
    uint64_t now = rdtsc();
    if (r->eflags & EFLAGS_IF)          /* the scheduler's queues are whole (an NMI may come */
        blocked_past_deadline(now);     /* in the middle of a change, with interrupts off) */
    struct guard *g = *top();           /* the tick's depth is one more than the thread's */
    if (g && g->depth == int_depth() - 1 && now >= g->deadline &&
        r->eip - g->lo < g->hi - g->lo && !(r->cs & 3) && !(r->eflags & EFLAGS_VM))
        abandon(g, GUARD_RUNAWAY, r, 0);
}
