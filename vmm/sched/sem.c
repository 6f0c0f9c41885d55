/* Semaphores: see include/vmm/thread.h.  A semaphore is a token count and a FIFO of waiters
 * (threads linked through next_wait); a signal hands its token straight to the first waiter. */
#include "sched/sched.h"
#include "vmm/thread.h"
#include "int/int.h"
#include "mem/heapsvc.h"
#include "console/console.h"
#include "x86/trap.h"
#include "x86/x86.h"

#pragma GCC optimize("omit-frame-pointer")   /* on the wake path; see sched/thread.c */

#define SEM_MAGIC 0x53454D41u           /* "SEMA" */
#define CALLER ((uint32_t)(uintptr_t)__builtin_return_address(0))

struct semaphore {
    uint32_t magic;                     /* SEM_MAGIC ^ address while it exists */
    int32_t tokens;
    struct thread_queue waiters;
};

/* A handle is a heap block: inside the heap's bounds, aligned as heap payloads are, and carrying
 * a check word made from its address; anything else is refused.  As with the heap's own
 * pointers (mem/heap.h), one case is trapped rather than refused: a stale handle into a pool
 * the heap has given back, between live pools, is read -- those pages are unmapped, so the read
 * faults and the fault report names the caller. */
static struct semaphore *sem_of(SEMHANDLE h)
{
    struct semaphore *s = (struct semaphore *)h;
    if (h - sys_heap.lo >= sys_heap.hi - sys_heap.lo || (h & 15) || s->magic != (SEM_MAGIC ^ h))
        return 0;
    return s;
}

SEMHANDLE Create_Semaphore(int32_t tokens)
{
    uint32_t f = irq_save();
    struct semaphore *s = tokens < 0 ? 0 : _HeapAllocate(sizeof *s, HEAPZEROINIT);
    if (s) {
        s->magic = SEM_MAGIC ^ (uint32_t)s;
        s->tokens = tokens;
    }
    irq_restore(f);
    return (SEMHANDLE)s;
}

uint32_t Destroy_Semaphore(SEMHANDLE h)
{
    uint32_t f = irq_save(), ok = 0;
    struct semaphore *s = sem_of(h);
    if (!s)
        kprintf("Destroy_Semaphore: %08x is not a semaphore (caller %08x)\n", h, CALLER);
    else if (s->waiters.head)
        kprintf("Destroy_Semaphore: threads still wait on %08x (caller %08x); refused\n", h,
                CALLER);
    else {
        s->magic = 0;
        _HeapFree(s, 0);
        ok = 1;
    }
    irq_restore(f);
    return ok;
}

uint32_t Wait_Semaphore(SEMHANDLE h, uint32_t flags)
{
    (void)flags;                        /* interrupts are always serviced while blocked */
    uint32_t f = irq_save();
    struct semaphore *s = sem_of(h);
    if (!s) {
        irq_restore(f);
        kprintf("Wait_Semaphore: %08x is not a semaphore (caller %08x)\n", h, CALLER);
        return 0;
    }
    if (s->tokens > 0)
        s->tokens--;
    else {
        tq_push(&s->waiters, thread_cur);
        thread_block_self();            /* back here with the token a signal handed over */
    }
    irq_restore(f);
    return 1;
}

static uint32_t signal(SEMHANDLE h, int may_switch, uint32_t caller)
{
    uint32_t f = irq_save();
    struct semaphore *s = sem_of(h);
    if (!s) {
        irq_restore(f);
        kprintf("Signal_Semaphore: %08x is not a semaphore (caller %08x)\n", h, caller);
        return 0;
    }
    struct thread *t = tq_pop(&s->waiters);
    if (!t)
        s->tokens++;
    else {
        if (thread_wake(t)) {           /* the woken outranks the signaller */
            if (may_switch)
                thread_switch_now();
            else
                int_resched_pending = 1;
        }
    }
    irq_restore(f);
    return 1;
}

uint32_t Signal_Semaphore(SEMHANDLE h) { return signal(h, 1, CALLER); }
uint32_t Signal_Semaphore_No_Switch(SEMHANDLE h) { return signal(h, 0, CALLER); }
