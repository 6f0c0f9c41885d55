/*
 * The scheduler's policy (the DDK's primary scheduler and time-slicer): which ready thread must
 * run now.  It owns the run queue only -- no threads, stacks, timers or context switches; the
 * VMM's thread code embeds a struct sched_thread in each thread control block, tells the
 * scheduler when a thread becomes ready or leaves the queue, charges the running thread the CPU
 * time it used (from the timer tick), and switches to what sched_pick returns.
 * Portable: static storage owned by the caller, no allocation, no hardware; the host tests run it
 * as it is.
 *
 * Who may call: VMM code with interrupts off (the timer tick included); nothing is reentrant.
 *
 * Primary scheduler: every thread has an execution priority, an unsigned 32-bit sum of a base and
 * boosts (the constants below).  Only the ready threads of the highest execution priority present
 * may run -- all or nothing.
 *
 * Time-slicer: among those, CPU time is shared in proportion to their time-slice priority
 * (weight, 1..10000; the DDK's defaults are 100 foreground, 50 background), by deficit round
 * robin.  The threads of one priority take turns in FIFO order.  Each pass of a thread through the
 * head of its queue earns it one slice of credit: granularity * weight / 100 time units, where
 * the unit is whatever the caller charges in (timer ticks, TSC ticks, ...) and granularity is
 * the slice of a weight-100 thread.  Its turn lasts while its credit is positive; what it overruns
 * (a charge is indivisible) is owed, and a thread that reaches the head still owing is passed
 * over, earning its slice, until it owes nothing.  So CPU-bound threads get their weight's share
 * over a run of rounds even when a slice is shorter than one charge (weight 1 with a 20-tick
 * granularity: one tick every fifth round).  Debt is bounded (SCHED_DEBT_SLICES) and forgiven to a
 * thread alone at its priority (it kept nobody waiting).  A thread that becomes ready, moves to
 * another priority or yields joins the tail, so one that blocks often never jumps ahead of the
 * others; it keeps what was left of its credit, positive or owed.
 *
 * Cost, n = ready threads, L = distinct execution priorities among them (L <= SCHED_LEVELS):
 *   sched_pick, sched_count: O(1), two loads;
 *   sched_charge, sched_block, sched_yield, sched_set_weight: O(1) (at most SCHED_SKIP_MAX
 *   owing threads are passed over per call; if there are more, the next one runs one charge);
 *   sched_ready, sched_adjust: O(L) (a walk of the sorted priority levels), independent of n;
 *   sched_check: O(n + L).
 */
#ifndef SCHED_POLICY_H
#define SCHED_POLICY_H
#include <stdint.h>
#include "lib/kfmt.h"

/* Execution-priority boosts (DDK, vmm.inc).  A thread's execution priority is what its owner
 * adds up from these; the scheduler only compares the sums. */
#include "vmm/thread.h"         /* the DDK's boost constants */

/* Time-slice priorities (weights). */
#define SCHED_WEIGHT_MIN        1u
#define SCHED_WEIGHT_MAX        10000u
#define SCHED_WEIGHT_FOREGROUND 100u    /* DDK default foreground time-slice priority */
#define SCHED_WEIGHT_BACKGROUND 50u     /* DDK default background time-slice priority */

/* Distinct execution priorities that may be present among the ready threads at one time.  A
 * level is taken by the first ready thread of a priority and freed with the last; a call that
 * would need one more is refused and changes nothing. */
#define SCHED_LEVELS 64u
#define SCHED_NIL    0xFFu              /* no level */

_Static_assert(SCHED_LEVELS < SCHED_NIL, "level indices are 8-bit");

/* Credit is in hundredths of a time unit; a slice is granularity * weight hundredths.  A thread
 * owes at most SCHED_DEBT_SLICES slices (or as many whole units if its slice is shorter): one huge
 * charge, e.g. a TSC delta after a long stretch with interrupts off, costs it at most that many
 * passed-over turns, and the arithmetic cannot overflow whatever the caller charges. */
#define SCHED_DEBT_SLICES 16
/* Owing heads passed over per call, so that every call is O(1). */
#define SCHED_SKIP_MAX 8

/* struct sched_thread.state: words, so that a thread never initialised is refused, not followed. */
#define SCHED_T_BLOCKED 0x424C4B44u     /* 'BLKD': not in any run queue */
#define SCHED_T_READY   0x52454459u     /* 'REDY': in owner's run queue */

struct sched;

/* Embedded by the caller in its thread control block.  The fields are the scheduler's; the
 * caller reads exec_pri and weight if it likes, and changes them only through the calls below. */
struct sched_thread {
    struct sched_thread *next, *prev;   /* ring of its level, while ready */
    struct sched *owner;                /* the scheduler it is ready in, else NULL */
    uint32_t state;                     /* SCHED_T_BLOCKED or SCHED_T_READY */
    uint32_t exec_pri;                  /* execution priority */
    uint32_t weight;                    /* time-slice priority, 1..10000 */
    uint8_t level;                      /* its level while ready, else SCHED_NIL */
    int64_t credit;                     /* 1/100 unit: left of its turn (> 0) or owed (<= 0);
                                           -SCHED_DEBT_SLICES slices <= credit <= 1 slice */
};

/* The ready threads of one execution priority, in turn order from head.  Levels in use form a
 * list sorted by priority, highest (top) first; free levels a stack through down. */
struct sched_level {
    struct sched_thread *head;          /* the one whose turn it is; NULL when the level is free */
    uint32_t pri;                       /* the execution priority of all its threads */
    uint32_t n;                         /* its threads; 0 when free */
    uint8_t up, down;                   /* next higher / lower level in use (down: free stack) */
};

struct sched {
    struct sched_level lv[SCHED_LEVELS];
    uint32_t granularity;               /* slice of a weight-100 thread, in time units */
    uint32_t count;                     /* ready threads */
    uint8_t top;                        /* the highest level in use, SCHED_NIL if none */
    uint8_t free;                       /* free-level stack */
    uint8_t nlevels;                    /* levels in use */
};

/* An empty run queue.  granularity: a weight-100 thread's slice in the units that will be
 * charged (DDK default 20 ms; the VMM charges TSC counts in units of about a microsecond);
 * refuses 0. */
int sched_init(struct sched *s, uint32_t granularity, struct kerr *e);

/* A thread that is not ready, with its execution and time-slice priorities and a full slice of
 * s (already initialised) for its first turn.  Refuses a weight outside 1..10000.  Must not be
 * called on a ready thread. */
int sched_thread_init(const struct sched *s, struct sched_thread *t, uint32_t exec_pri,
                      uint32_t weight, struct kerr *e);

/* Becomes runnable: joins the tail of its priority's queue, with the credit it had.  Refuses one
 * already ready (here or in another scheduler), one never initialised, and a new priority when
 * all SCHED_LEVELS levels are in use.  O(L). */
int sched_ready(struct sched *s, struct sched_thread *t, struct kerr *e);

/* Leaves the run queue (it blocks, is suspended or dies), keeping its credit (the rest of its
 * slice, or a debt).  Refuses one not ready in s.  O(1). */
int sched_block(struct sched *s, struct sched_thread *t, struct kerr *e);

/* The thread that must run now: the head of the highest level; NULL if none is ready.  Changes
 * nothing: the running thread stays in the run queue while it runs.  O(1): two loads. */
inline struct sched_thread *sched_pick(const struct sched *s)
{
    return s->top == SCHED_NIL ? 0 : s->lv[s->top].head;
}

/* The running thread t used `units` of CPU (1 from a timer tick, or a TSC delta).  When that ends
 * its turn (no credit left) it goes to the tail of its level and earns its next slice; owing
 * heads after it are passed over.  Returns 1 when the caller should switch: t is no longer what
 * sched_pick returns (its turn is over and another thread shares its priority, a higher-priority
 * thread is ready, or t is not ready); else 0.  t need not be ready or at the head: its credit
 * is debited all the same (a blocked thread's time counts against its next turn).  O(1). */
int sched_charge(struct sched *s, struct sched_thread *t, uint32_t units);

/* Adjust_Execution_Time: units more CPU time for t's current turn (or its next, if it is not
 * running), at most up to a full slice; a negative adjustment is charged as if used
 * (sched_charge).  Returns what sched_charge returns.  O(1). */
int sched_credit(struct sched *s, struct sched_thread *t, int32_t units);

/* Adjust_Exec_Priority: adds delta (may be negative) to t's execution priority.  A ready thread
 * moves to the tail of the new priority's queue, keeping its credit; delta 0 changes
 * nothing.  Refuses a result below 0 or above 0xFFFFFFFF, a new priority when all levels are in
 * use, a thread ready in another scheduler; t is unchanged then.  O(L). */
int sched_adjust(struct sched *s, struct sched_thread *t, int32_t delta, struct kerr *e);

/* Set_Time_Slice_Priority: t's weight, 1..10000, from its next slice on (its credit is brought
 * within the new bounds: cut to one new slice, a debt to SCHED_DEBT_SLICES new slices).  Ready or
 * not; it does not move.  O(1). */
int sched_set_weight(struct sched *s, struct sched_thread *t, uint32_t weight, struct kerr *e);

/* Set_Time_Slice_Granularity: a weight-100 thread's slice from now on; the ready threads'
 * credit is brought within the new bounds (blocked threads' when they become ready).  Refuses 0.
 * O(n). */
int sched_set_granularity(struct sched *s, uint32_t granularity, struct kerr *e);

/* Release_Time_Slice: t gives up its credit (a debt is kept) and goes to the tail of its level.
 * The head (the running thread) thereby ends its turn and earns its next slice; any other thread
 * gives up its next turn.  Nothing if t is not ready in s.  O(1). */
void sched_yield(struct sched *s, struct sched_thread *t);

/* Ready threads. */
unsigned sched_count(const struct sched *s);

/* Verifies every structure: the level list sorted and doubly linked, every level's ring, each
 * ready thread's state, owner, level, priority, weight and credit, the free levels, the counts.
 * O(n + L). */
int sched_check(const struct sched *s, struct kerr *e);

#endif
