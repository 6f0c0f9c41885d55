/*
 * Thread control blocks and the switch (the VMM side of include/vmm/thread.h; the policy is
 * sched/policy.c; the rest of the scheduler folder is declared in sched/sched.h, which includes
 * this).  A thread not running is stopped inside a call to thread_swtch (x86/switch.S),
 * its callee-saved registers on its own ring-0 stack: it gave up the CPU (a wait, a yield), or
 * it was preempted on the way out of an interrupt (the redispatch point calls the switch, and
 * the interrupt frame waits below, to be restored when the thread runs again).  The boot flow is
 * thread 1; an idle thread (priority 0) runs when nothing else can.
 */
#ifndef SCHED_THREAD_H
#define SCHED_THREAD_H
#include <stdint.h>
#include "sched/policy.h"
#include "sched/fpu.h"

struct client_regs;
struct thread;
struct mutex;
struct vm;

/* A FIFO of waiting threads through their next_wait (a semaphore's, a mutex's). */
struct thread_queue {
    struct thread *head, *tail;
};

struct thread {
    struct sched_thread se;         /* first: the scheduler's view */
    uint32_t magic;                 /* THREAD_MAGIC ^ address while alive */
    uint32_t id;
    uint8_t state;                  /* T_READY, T_BLOCKED, T_SLEEPING, T_DEAD */
    uint32_t ctx_esp;               /* saved ESP, while not running (x86/switch.S) */
    uint32_t stack_top, stack_pages;/* 0 for the boot thread (its stack is the image's) */
    uint32_t esp0;                  /* the TSS's ESP0 while it runs: stack_top, or lower while
                                       it runs V86 code nested in ring-0 calls (v86/); 0 for the
                                       boot thread (the boot stack's top stays) */
    void (*fn)(void *);
    void *arg;
    uint64_t cpu_tsc;               /* CPU time used, TSC ticks */
    uint64_t run_start;
    uint64_t charged_tsc;           /* of cpu_tsc, what the time-slicer has been charged */
    uint32_t switches;              /* times switched to */
    uint64_t wake_at;               /* T_SLEEPING: the clock's reading it wakes at */
    struct thread *next_wait;       /* a semaphore's, the sleepers' or the zombies' queue */
    struct thread_queue *waiting_in;    /* T_BLOCKED in a semaphore's or mutex's queue */
    uint32_t block_id;              /* T_BLOCKED in _BlockOnID on this ID (with blocked_on_id) */
    uint8_t blocked_on_id;
    uint8_t hw_boosted;             /* woken by a hardware interrupt: HIGH_PRI_DEVICE_BOOST */
    uint8_t in_event;               /* running one of its thread events */
    void *tev_head, *tev_tail;      /* its pending thread events (event.c) */
    struct thread *next_all, *prev_all;
    struct vm *vm;                  /* the VM it runs in */
    struct mutex *owned;            /* mutexes it owns (mutex.c) */
    struct mutex *waiting_for;      /* the mutex it is blocked on, if any (mutex.c) */
    void *guard;                    /* its innermost guarded call into a VxD (vxd/guard.c) */
    uint32_t wait_caller;           /* blocked or sleeping: who called the service that waits */
    uint8_t wait_aborted;           /* its wait was cut short (thread_abort_wait) */
    uint8_t fpu_used;               /* fpu holds its FPU state (sched/fpu.c) */
    uint8_t fpu[FPU_AREA];          /* its FPU state while another thread owns the FPU */
};

/* The top of every thread's ring-0 stack is kept for the client frame of the V86 code the thread
 * may run (struct client_regs with the segment registers V86 pushes, 72 bytes): an interrupt
 * from V86 mode pushes it right there, the TSS's ESP0 being the stack's top. */
#define THREAD_FRAME_ROOM 80u

#define T_READY    1
#define T_BLOCKED  2
#define T_SLEEPING 3
#define T_DEAD     4
#define T_SUSPENDED 5               /* ready, but its VM is suspended */

extern struct thread *thread_cur;

static inline void tq_push(struct thread_queue *q, struct thread *t)
{
    t->next_wait = 0;
    t->waiting_in = q;
    if (q->tail)
        q->tail->next_wait = t;
    else
        q->head = t;
    q->tail = t;
}

static inline struct thread *tq_pop(struct thread_queue *q)
{
    struct thread *t = q->head;
    if (t) {
        q->head = t->next_wait;
        if (!q->head)
            q->tail = 0;
        t->next_wait = 0;
        t->waiting_in = 0;
    }
    return t;
}

int  thread_init(uint32_t timeslice_ms);        /* 0 ok; the boot flow becomes thread 1 */
struct thread *thread_of(uint32_t handle);      /* a live thread, or NULL */
/* Blocks the current thread (state T_BLOCKED; it must be queued somewhere by the caller) and
 * switches; returns when it is made ready again.  Interrupts off. */
void thread_block_self(void);
/* A service that blocks for its caller (Wait_Semaphore, _EnterMutex, _BlockOnID, thread_sleep)
 * says who that is first, so that a guarded call into a VxD that blocks for ever in it can be
 * cut short (vxd/guard.c): thread_abort_wait takes the blocked or sleeping t out of whatever it
 * waits in and makes it ready (1; 0 if it does not wait); when t runs again, instead of
 * returning from the service it calls thread_wait_aborted (which does not return).  Interrupts
 * off. */
static inline void thread_waits_for(uint32_t caller) { thread_cur->wait_caller = caller; }
int  thread_abort_wait(struct thread *t);
extern void (*thread_wait_aborted)(void);
/* Makes t ready; returns 1 if it should preempt the running thread.  Interrupts off. */
int  thread_wake(struct thread *t);
void thread_switch_now(void);                   /* to what the scheduler picks, if another */
unsigned thread_count(void);                    /* live threads, idle and boot included */
/* Queues of waiters: t joins the tail of q (waiting_in records q), leaves at the head, or from
 * anywhere when it ends while waiting.  Interrupts off. */
void tq_remove(struct thread_queue *q, struct thread *t);
/* Adds delta to t's execution priority (ready or blocked); interrupts off; 0 or -1 with e. */
int  thread_adjust(struct thread *t, int32_t delta, struct kerr *e);
struct thread *thread_pick(void);               /* what the scheduler would run now */
void thread_set_tick_hook(void (*fn)(uint64_t now));  /* first in every tick (event.c); now: the TSC */
void thread_print_summary(void);                /* CPU time and switches per thread */
/* The thread side of VMs (vm.c calls them); interrupts off. */
uint32_t thread_create_in(struct vm *vm, void (*fn)(void *), void *arg, uint32_t pri,
                          uint32_t weight);
void thread_end_vm(struct vm *vm);              /* ends every thread of vm */
void thread_suspend_vm(struct vm *vm);
void thread_resume_vm(struct vm *vm);
void thread_suspend_self(void);                 /* the caller's VM suspended, the caller too */
uint64_t thread_vm_cpu(struct vm *vm);          /* CPU time of vm's live threads */
uint64_t thread_cpu(const struct thread *t);  /* TSC counts it ran, the running stretch too */
void thread_vm_weight(struct vm *vm, uint32_t w);   /* every thread of vm to time-slice priority w */
unsigned thread_vm_ready(struct vm *vm);        /* its threads in the run queue */
unsigned thread_wake_vm(struct vm *vm);         /* Wake_Up_VM: its sleeping threads; how many */
void thread_vm_credit(struct vm *vm, int32_t ms);   /* Adjust_Execution_Time on each thread */
struct thread *thread_first_of_vm(struct vm *vm);   /* its oldest live thread, or NULL */
/* An unloaded VxD's procedures, code in [lo, hi), out of the thread tables: pending idle calls
 * and the threads running its functions (ended); how many. */
unsigned thread_purge(uint32_t lo, uint32_t hi);

#endif
