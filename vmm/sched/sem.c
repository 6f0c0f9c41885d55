/* Semaphores: see include/vmm/thread.h.  A semaphore is a token count and a FIFO of waiters
 * (threads linked through next_wait); a signal hands its token straight to the first waiter. */
#include "sched/sched.h"
#include "vmm/thread.h"
#include "int/int.h"
#include "mem/heapsvc.h"
#include "console/console.h"
#include "x86/trap.h"
#include "x86/x86.h"
#include "vmm.h"

#pragma GCC optimize("omit-frame-pointer")   /* on the wake path; see sched/thread.c */

#define SEM_MAGIC 0x53454D41u           /* "SEMA" */

struct semaphore {
    uint32_t magic;                     /* SEM_MAGIC ^ address while it exists */
    int32_t tokens;
    struct thread_queue waiters;
};

/* A handle is checked as every handle is (mem/heapsvc.h: heap_handle). */
static struct semaphore *sem_of(SEMHANDLE h) { return HANDLE_OF(struct semaphore, h, SEM); }

SEMHANDLE Create_Semaphore(int32_t tokens)
{
    INTS_OFF();
    struct semaphore *s = tokens < 0 ? 0 : heapsvc_alloc_for(sizeof *s, HEAPZEROINIT, CALLER);
    if (s) {
        s->magic = SEM_MAGIC ^ (uint32_t)s;
        s->tokens = tokens;
    }
    return (SEMHANDLE)s;
}

/* Gone: its handle refused from now (Destroy_Semaphore, and an unloaded VxD's left over). */
static void sem_free(struct semaphore *s)
{
    s->magic = 0;
    _HeapFree(s, 0);
}

uint32_t Destroy_Semaphore(SEMHANDLE h)
{
    INTS_OFF();
    uint32_t ok = 0;
    struct semaphore *s = sem_of(h);
    if (!s)
        refused("Destroy_Semaphore", CALLER, "%08x is not a semaphore", h);
    else if (s->waiters.head)
        refused("Destroy_Semaphore", CALLER, "threads still wait on %08x", h);
    else {
        sem_free(s);
        ok = 1;
    }
    return ok;
}

int sem_release_left(void *p)
{
    INTS_OFF();
    struct semaphore *s = p;
    if (s->magic != (SEM_MAGIC ^ (uint32_t)s))
        return -1;
    if (s->waiters.head)
        return 0;
    sem_free(s);
    return 1;
}

uint32_t Wait_Semaphore(SEMHANDLE h, uint32_t flags)
{
    (void)flags;                        /* interrupts are always serviced while blocked */
    {
        INTS_OFF();
        struct semaphore *s = sem_of(h);
        if (s) {
            if (s->tokens > 0)
                s->tokens--;
            else {
                tq_push(&s->waiters, thread_cur);
                thread_waits_for(CALLER);
                thread_block_self();    /* back here with the token a signal handed over */
            }
            return 1;
        }
    }
    return refused("Wait_Semaphore", CALLER, "%08x is not a semaphore", h);
}

static uint32_t signal(SEMHANDLE h, int may_switch, uint32_t caller)
{
    {
        INTS_OFF();
        struct semaphore *s = sem_of(h);
        if (s) {
            struct thread *t = tq_pop(&s->waiters);
            if (!t)
                s->tokens++;
            else if (thread_wake(t)) {  /* the woken outranks the signaller */
                if (may_switch)
                    thread_switch_now();
                else
                    int_resched_pending = 1;
            }
            return 1;
        }
    }
    return refused("Signal_Semaphore", caller, "%08x is not a semaphore", h);
}

uint32_t Signal_Semaphore(SEMHANDLE h) { return signal(h, 1, CALLER); }
uint32_t Signal_Semaphore_No_Switch(SEMHANDLE h) { return signal(h, 0, CALLER); }
