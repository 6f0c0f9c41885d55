/* Guarded calls into VxD code: see guard.h. */
#include "vxd/guard.h"
#include "sched/sched.h"
#include "int/fault.h"
#include "int/int.h"
#include "int/timer.h"
#include "x86/x86.h"

int guard_call(struct guard *g, int (*fn)(uint32_t, uint32_t, uint32_t), uint32_t a,
               uint32_t b, uint32_t c);        /* x86/guard.S */
void guard_resume(void);

struct guard *guard_top;

static int guard_fault(uint32_t v, struct client_regs *r);
static void guard_tick(struct client_regs *r);
/* Armed on the fault path and the tick while a guarded call is in progress (int/fault.h). */
static const struct fault_taker taker = { guard_fault, guard_tick };

int guard_run(struct guard *g, int (*fn)(uint32_t, uint32_t, uint32_t), uint32_t a, uint32_t b,
              uint32_t c, uint32_t lo, uint32_t hi, uint32_t ms)
{
    INTS_OFF();                         /* and as they were on the way out */
    g->prev = guard_top;
    g->thread = thread_cur;
    g->lo = lo;
    g->hi = hi;
    g->deadline = (uint32_t)timer.ticks + ms_to_ticks(ms);
    g->abandoned = 0;
    g->vector = g->error = g->eip = g->cr2 = 0;
    guard_top = g;
    fault_guard = &taker;
    if (INTS_WERE_ON())
        irq_enable();                   /* the call runs with the caller's interrupt state */
    int r = guard_call(g, fn, a, b, c);
    irq_disable();
    guard_top = g->prev;
    if (!guard_top)
        fault_guard = 0;
    return r;
}

/* Resumes the guarded call's frame at guard_resume: it returns -1 from guard_call. */
static void abandon(struct guard *g, uint32_t v, struct client_regs *r)
{
    g->abandoned = 1;
    g->vector = v;
    g->error = r->error;
    g->eip = r->eip;
    g->cr2 = v == 14 ? read_cr2() : 0;
    r->eip = (uint32_t)guard_resume;
    r->eax = (uint32_t)g;
    r->eflags &= ~EFLAGS_IF;            /* guard_run turns them off anyway */
}

void guard_abandon(struct client_regs *r, uint32_t why)
{
    abandon(guard_top, why, r);
}

/* A fault nothing else took (int/fault.c; never one inside the page services). */
static int guard_fault(uint32_t v, struct client_regs *r)
{
    struct guard *g = guard_top;
    if (!g || g->thread != thread_cur || (r->cs & 3) || (r->eflags & EFLAGS_VM) ||
        int_in_handler() || v == 8 || v == 18)
        return 0;
    abandon(g, v, r);
    return 1;
}

/* Every timer tick, with the interrupted frame. */
static void guard_tick(struct client_regs *r)
{
    struct guard *g = guard_top;
    if (g && g->thread == thread_cur && (int32_t)((uint32_t)timer.ticks - g->deadline) >= 0 &&
        r->eip - g->lo < g->hi - g->lo && !(r->cs & 3) && !(r->eflags & EFLAGS_VM))
        abandon(g, GUARD_RUNAWAY, r);
}
