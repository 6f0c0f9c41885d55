/* Threads: see sched/thread.h and include/vmm/thread.h. */
#include "int/fault.h"
#include "sched/sched.h"
#include "sched/fpu.h"
#include "vmm/thread.h"
#include "vmm/int.h"
#include "int/int.h"
#include "int/timer.h"
#include "mem/heapsvc.h"
#include "mem/page.h"
#include "console/console.h"
#include "lib/string.h"
#include "x86/trap.h"
#include "x86/x86.h"
#include "vmm.h"
#include <stddef.h>

/* The switch path: on i386 the frame pointer costs a register and a push/pop per call; fault
 * reports name the function from EIP alone. */
#pragma GCC optimize("omit-frame-pointer")

#define THREAD_MAGIC 0x54485244u        /* "THRD" */
#define STACK_PAGES  4

struct thread *thread_cur;
static struct sched rq;
static struct thread boot_thread, *idle_thread, *all, *zombies, *sleepers;
static uint32_t next_id = 1, nthreads;

extern char thread_entry[];             /* x86/entry.S: push %esi; call thread_main */
void thread_swtch(uint32_t *save_esp, uint32_t esp);     /* x86/switch.S */
static void end(struct thread *t);

struct thread *thread_of(uint32_t h)
{
    struct thread *t = h == (uint32_t)&boot_thread ? &boot_thread   /* the one not on the heap */
                                                    : HANDLE_OF(struct thread, h, THREAD);
    return t && t->state != T_DEAD ? t : 0;
}

static void link_all(struct thread *t)
{
    t->prev_all = 0;
    t->next_all = all;
    if (all)
        all->prev_all = t;
    all = t;
    nthreads++;
}

static void unlink_all(struct thread *t)
{
    if (t->prev_all)
        t->prev_all->next_all = t->next_all;
    else
        all = t->next_all;
    if (t->next_all)
        t->next_all->prev_all = t->prev_all;
    nthreads--;
}

/* A thread's memory goes: off the list, its stack and its control block. */
static void discard(struct thread *t)
{
    unlink_all(t);
    fpu_forget(t);
    t->magic = 0;
    if (t->stack_top)
        kstack_destroy(t->stack_top, t->stack_pages);
    _HeapFree(t, 0);
}

/* Frees the threads that died while running; called on another thread's stack. */
static void reap(void)
{
    while (zombies) {
        struct thread *z = zombies;
        zombies = z->next_wait;
        discard(z);
    }
}

/* CPU time t has used by the TSC reading now, the current stretch included if it is running. */
static inline uint64_t cpu_at(const struct thread *t, uint64_t now)
{
    return t->cpu_tsc + (t == thread_cur ? now - t->run_start : 0);
}

uint64_t thread_cpu(const struct thread *t) { return cpu_at(t, rdtsc()); }

/* Switches to what the scheduler picks, if that is another thread; returns when this thread
 * runs again (a dead one never does).  Interrupts off. */
void thread_switch_now(void)
{
    int_resched_pending = 0;
    struct thread *next = (struct thread *)sched_pick(&rq);
    if (!next)
        next = idle_thread;                 /* not reached: idle is always ready */
    struct thread *prev = thread_cur;
    if (next == prev) {
        if (prev->tev_head)
            thread_run_events();            /* events for the thread that goes on */
        return;
    }
    uint64_t now = rdtsc();
    prev->cpu_tsc += now - prev->run_start;
    if (prev->state == T_DEAD) {            /* its stack goes once we are off it */
        prev->vm->cpu_dead += prev->cpu_tsc;
        prev->next_wait = zombies;
        zombies = prev;
    }
    if (next->vm != prev->vm) {
        if (next->vm->context != prev->vm->context)
            page_context_load(next->vm->context);   /* another VM: its private arena */
        if (vm_v86_local_vms)
            vm_v86->switch_to(prev->vm, next->vm);  /* its V86 side: its own I/O traps */
        fpu_switch(next);                   /* TS on unless it owns the FPU (a VM's V86 thread) */
    }
    next->run_start = now;
    next->switches++;
    thread_cur = next;
    if (next->esp0)
        *tss_esp0 = next->esp0;
    thread_swtch(&prev->ctx_esp, next->ctx_esp);
    if (thread_cur->tev_head)               /* back in this thread: its events first */
        thread_run_events();
}

static uint32_t no_preempt;             /* console writes in progress (console_enter) */

/* The redispatch point, on the way out of any interrupt: a preempted thread waits inside this
 * call (its interrupt frame below), and returns through it when it runs again. */
static struct client_regs *resched(struct client_regs *r)
{
    if (!no_preempt)                        /* else: when the console write ends */
        thread_switch_now();
    return r;
}

static void (*tick_extra)(uint64_t now);
void thread_set_tick_hook(void (*fn)(uint64_t now)) { tick_extra = fn; }

/* The timer tick: what is due by the clock runs, however many ticks came late or merged; the
 * running thread is charged the CPU time it used since it was last charged (a thread that ran
 * between two ticks and blocked is charged the next time a tick finds it running), in the
 * time-slicer's units, the rest kept for the next charge. */
static void tick(struct client_regs *r)
{
    (void)r;
    uint64_t now = rdtsc();
    if (tick_extra)
        tick_extra(now);
    while (sleepers && (int64_t)(now - sleepers->wake_at) >= 0) {
        struct thread *t = sleepers;
        sleepers = t->next_wait;
        if (thread_wake(t))
            int_resched_pending = 1;
    }
    struct thread *c = thread_cur;
    uint64_t used = cpu_at(c, now) - c->charged_tsc;
    uint32_t units = (uint32_t)(used >> 32) ? 0xFFFFFFFFu >> timer.unit_shift  /* the rest at */
                     : (uint32_t)used >> timer.unit_shift;                   /* the next ticks */
    c->charged_tsc += units << timer.unit_shift;    /* what is short of a unit: next time */
    if (sched_charge(&rq, &c->se, units) || c->tev_head)
        int_resched_pending = 1;            /* a switch, or the running thread's events */
    if (zombies)                            /* never the running thread: it died elsewhere */
        reap();
}

/* The boost a hardware interrupt gave the thread it woke lasts until the thread waits again. */
static void unboost(struct thread *t)
{
    struct kerr e;
    if (t->hw_boosted) {
        t->hw_boosted = 0;
        sched_adjust(&rq, &t->se, -(int32_t)HIGH_PRI_DEVICE_BOOST, &e);
    }
}

void (*thread_wait_aborted)(void);

/* Back from a wait: if it was cut short, the wait's caller never sees the service return. */
static void after_wait(void)
{
    thread_cur->wait_caller = 0;
    if (thread_cur->wait_aborted) {
        thread_cur->wait_aborted = 0;
        if (thread_wait_aborted)
            thread_wait_aborted();
    }
}

void thread_block_self(void)
{
    struct kerr e;
    unboost(thread_cur);
    thread_cur->state = T_BLOCKED;
    if (sched_block(&rq, &thread_cur->se, &e))
        kprintf("thread: %s (internal error)\n", e.msg);
    thread_switch_now();
    after_wait();
}

int thread_wake(struct thread *t)
{
    struct kerr e;
    if (t->vm->cb.CB_VM_Status & VMSTAT_SUSPENDED) {
        t->state = T_SUSPENDED;             /* it runs when its VM resumes */
        return 0;
    }
    t->state = T_READY;
    if (int_in_hw > 0 && !t->hw_boosted &&      /* woken by a hardware interrupt's handler */
        sched_adjust(&rq, &t->se, HIGH_PRI_DEVICE_BOOST, &e) == 0)
        t->hw_boosted = 1;
    if (sched_ready(&rq, &t->se, &e)) {
        kprintf("thread: %s\n", e.msg);
        return 0;
    }
    return t->se.exec_pri > thread_cur->se.exec_pri;
}

void tq_remove(struct thread_queue *q, struct thread *t)
{
    struct thread **pp = &q->head, *prev = 0;
    while (*pp && *pp != t) {
        prev = *pp;
        pp = &(*pp)->next_wait;
    }
    if (*pp) {
        *pp = t->next_wait;
        if (q->tail == t)
            q->tail = prev;
    }
    t->waiting_in = 0;
}

/* Where a new thread starts (x86/entry.S's thread_entry calls it with ESI = the thread). */
__attribute__((noreturn, used)) void thread_main(struct thread *t)
{
    if (t->tev_head)
        thread_run_events();                /* scheduled before it first ran */
    irq_enable();
    uint32_t ret;                           /* a VxD's thread: a fault in it ends the thread */
    if (foreign_call((void *)t->fn, &ret, "thread", (uint32_t)t->arg, 0, 0, 0, 0) ==
        FOREIGN_DIRECT)
        t->fn(t->arg);
    VMMTerminateThread((uint32_t)t);
    for (;;)
        halt_forever();                     /* not reached */
}

/* Call_When_Idle: a ring of pending procedures, run by the idle thread. */
static struct { void (*proc)(void *); void *ref; } idle_calls[16];
static unsigned idle_head, idle_n;

uint32_t Call_When_Idle(void (*proc)(void *ref), void *ref)
{
    INTS_OFF();
    uint32_t ok = 0;
    if (proc && idle_n < 16) {
        idle_calls[(idle_head + idle_n++) % 16].proc = proc;
        idle_calls[(idle_head + idle_n - 1) % 16].ref = ref;
        ok = 1;
    } else
        refused("Call_When_Idle", CALLER, "%s", proc ? "16 calls pending already" : "no procedure");
    return ok;
}

/* A procedure in [lo, hi): an unloaded VxD's. */
static int in_range(const void *p, uint32_t lo, uint32_t hi) { return (uint32_t)p - lo < hi - lo; }

unsigned thread_purge(uint32_t lo, uint32_t hi)
{
    INTS_OFF();
    unsigned n = 0, k = 0;
    for (unsigned i = 0; i < idle_n; i++) {          /* idle calls: keep the others, in order */
        unsigned from = (idle_head + i) % 16;
        if (in_range(idle_calls[from].proc, lo, hi))
            n++;
        else
            idle_calls[(idle_head + k++) % 16] = idle_calls[from];
    }
    idle_n = k;
    for (struct thread *t = all, *next; t; t = next) {  /* threads running its code */
        next = t->next_all;
        if (t != thread_cur && t->state != T_DEAD && in_range((void *)t->fn, lo, hi)) {
            end(t);
            n++;
        }
    }
    return n;
}

static void idle_loop(void *arg)
{
    (void)arg;
    for (;;) {
        irq_disable();
        if (idle_n) {
            void (*proc)(void *) = idle_calls[idle_head].proc;
            void *ref = idle_calls[idle_head].ref;
            idle_head = (idle_head + 1) % 16;
            idle_n--;
            irq_enable();
            foreign_call_ref(proc, ref, "Call_When_Idle procedure");
        } else
            sti_hlt();
    }
}

/* _BlockOnID / _SignalID: waiters in 64 buckets by ID. */
static struct thread *id_bucket[64];
static unsigned id_slot(uint32_t id) { return (id * 0x9E3779B1u) >> 26; }

uint32_t _BlockOnID(uint32_t id, uint32_t flags)
{
    (void)flags;
    INTS_OFF();
    struct thread *t = thread_cur;
    t->block_id = id;
    t->blocked_on_id = 1;
    t->next_wait = id_bucket[id_slot(id)];
    id_bucket[id_slot(id)] = t;
    thread_waits_for(CALLER);
    thread_block_self();
    return 1;
}

static void id_forget(struct thread *t)
{
    for (struct thread **pp = &id_bucket[id_slot(t->block_id)]; *pp; pp = &(*pp)->next_wait)
        if (*pp == t) {
            *pp = t->next_wait;
            break;
        }
    t->blocked_on_id = 0;
}

uint32_t _SignalID(uint32_t id)
{
    INTS_OFF();
    uint32_t n = 0;
    int preempt = 0;
    for (struct thread **pp = &id_bucket[id_slot(id)]; *pp;) {
        struct thread *t = *pp;
        if (t->block_id != id) {
            pp = &t->next_wait;
            continue;
        }
        *pp = t->next_wait;
        t->blocked_on_id = 0;
        preempt |= thread_wake(t);
        n++;
    }
    if (preempt) {                          /* a thread with interrupts on switches now; */
        if (INTS_WERE_ON())                 /* else (a handler, perhaps) on the way out */
            thread_switch_now();
        else
            int_resched_pending = 1;
    }
    return n;
}

static struct thread *create(struct vm *vm, void (*fn)(void *), void *arg, uint32_t pri,
                             uint32_t weight)
{
    struct kerr e;
    struct thread *t = _HeapAllocate(sizeof *t, HEAPZEROINIT);
    if (!t)
        return 0;
    if (sched_thread_init(&rq, &t->se, pri, weight, &e)) {
        kprintf("VMMCreateThread: %s\n", e.msg);
        _HeapFree(t, 0);
        return 0;
    }
    uint32_t top = kstack_create(STACK_PAGES);
    if (!top) {
        _HeapFree(t, 0);
        return 0;
    }
    t->stack_top = t->esp0 = top;
    t->stack_pages = STACK_PAGES;
    t->fn = fn;
    t->arg = arg;
    t->vm = vm;
    t->id = ++next_id;
    t->magic = THREAD_MAGIC ^ (uint32_t)t;
    /* A context as thread_swtch leaves one (EDI ESI EBX EBP, return address), returning into
     * thread_entry with ESI = t; above it the room for a V86 client frame (thread.h). */
    uint32_t *c = (uint32_t *)(top - THREAD_FRAME_ROOM) - 5;
    c[0] = 0;
    c[1] = (uint32_t)t;
    c[2] = 0;
    c[3] = 0;
    c[4] = (uint32_t)thread_entry;
    t->ctx_esp = (uint32_t)c;
    link_all(t);
    if (vm_send(CREATE_THREAD, vm, (uint32_t)t)) {          /* a VxD refused it */
        discard(t);
        return 0;
    }
    vm_send(THREAD_INIT, vm, (uint32_t)t);
    t->state = T_READY;
    if (sched_ready(&rq, &t->se, &e)) {
        kprintf("VMMCreateThread: %s\n", e.msg);
        discard(t);
        return 0;
    }
    return t;
}

/* The console's lock (console/console.h): while a thread writes, no other thread preempts it
 * -- interrupts stay on and their handlers run, but the redispatch point keeps its switch
 * (int_resched_pending) for the end of the write -- so lines never land inside each other's,
 * and a full screen's scroll (millions of instructions) costs no interrupt latency.  Nothing to
 * take inside an interrupt handler: it cannot be preempted, and interrupts the writer anyway. */
static int console_enter(void)
{
    if (int_in_handler())
        return 0;
    no_preempt++;
    return 1;
}

static void console_leave(void)
{
    INTS_OFF();
    if (!--no_preempt && int_resched_pending && INTS_WERE_ON() && thread_cur->state != T_DEAD)
        thread_switch_now();                /* the switch an interrupt held back */
}

static const struct console_lock console_lock = { console_enter, console_leave };

int thread_init(uint32_t slice_ms)
{
    struct kerr e;
    if (sched_init(&rq, ms_to_units(slice_ms), &e) ||
        sched_thread_init(&rq, &boot_thread.se, CUR_RUN_VM_BOOST, SCHED_WEIGHT_FOREGROUND, &e)) {
        kprintf("thread: %s\n", e.msg);
        return -1;
    }
    boot_thread.id = 1;
    boot_thread.vm = vm_system();
    boot_thread.magic = THREAD_MAGIC ^ (uint32_t)&boot_thread;
    boot_thread.state = T_READY;
    boot_thread.run_start = rdtsc();
    link_all(&boot_thread);
    sched_ready(&rq, &boot_thread.se, &e);
    thread_cur = &boot_thread;
    idle_thread = create(vm_system(), idle_loop, 0, 0, SCHED_WEIGHT_MIN);
    if (!idle_thread) {
        kprintf("thread: no memory for the idle thread\n");
        return -1;
    }
    int_resched = resched;
    int_set_tick_hook(tick);
    console_set_lock(&console_lock);
    return 0;
}

/* ---- services ----------------------------------------------------------------------------- */

THREADHANDLE VMMCreateThread(void (*fn)(void *), void *arg, uint32_t exec_pri, uint32_t weight)
{
    INTS_OFF();
    THREADHANDLE t = thread_create_in(thread_cur->vm, fn, arg, exec_pri, weight);
    return t;
}

/* t, blocked or sleeping, out of what it waits in: the sleepers' list, a semaphore's or mutex's
 * queue, an ID's bucket. */
static void unwait(struct thread *t)
{
    if (t->state == T_SLEEPING) {           /* off the sleepers' list */
        for (struct thread **pp = &sleepers; *pp; pp = &(*pp)->next_wait)
            if (*pp == t) {
                *pp = t->next_wait;
                break;
            }
    }
    else if (t->state == T_BLOCKED && t->waiting_in)
        tq_remove(t->waiting_in, t);
    else if (t->state == T_BLOCKED && t->blocked_on_id)
        id_forget(t);
    t->waiting_for = 0;                     /* what its owner inherited stays till it leaves */
}

int thread_abort_wait(struct thread *t)
{
    if (t->state != T_BLOCKED && t->state != T_SLEEPING)
        return 0;
    unwait(t);
    t->wait_aborted = 1;
    thread_wake(t);
    return 1;
}

/* Ends t (not the boot or idle thread): the thread messages, out of every queue, dead; freed
 * once no thread runs on its stack.  Returns only if t is not the caller. */
static void end(struct thread *t)
{
    struct kerr e;
    vm_send(TERMINATE_THREAD, t->vm, (uint32_t)t);
    vm_send(THREAD_NOT_EXECUTEABLE, t->vm, (uint32_t)t);
    vm_send(DESTROY_THREAD, t->vm, (uint32_t)t);
    if (t->state == T_READY)
        sched_block(&rq, &t->se, &e);
    else
        unwait(t);
    t->state = T_DEAD;
    thread_drop_events(t);
    int preempt = mutex_abandon(t);
    if (t == thread_cur)
        thread_switch_now();                /* never returns */
    t->vm->cpu_dead += t->cpu_tsc;
    t->next_wait = zombies;                 /* not running: free it at the next tick */
    zombies = t;
    if (preempt && !int_in_handler())
        thread_switch_now();
}

uint32_t VMMTerminateThread(THREADHANDLE h)
{
    {
        INTS_OFF();
        struct thread *t = thread_of(h);
        if (t && t != idle_thread && t != &boot_thread) {
            end(t);
            return 1;
        }
    }
    return refused("VMMTerminateThread", CALLER, "%08x is not a thread that can end", h);
}

uint32_t thread_create_in(struct vm *vm, void (*fn)(void *), void *arg, uint32_t pri,
                          uint32_t weight)
{
    struct thread *t = fn ? create(vm, fn, arg, pri, weight) : 0;
    if (t && t->se.exec_pri > thread_cur->se.exec_pri)
        thread_switch_now();                /* a higher-priority thread runs at once */
    return (uint32_t)t;
}

void thread_end_vm(struct vm *vm)
{
    for (struct thread *t = all, *n; t; t = n) {
        n = t->next_all;
        if (t->vm == vm && t->state != T_DEAD && t != thread_cur)
            end(t);
    }
}

void thread_suspend_vm(struct vm *vm)
{
    struct kerr e;
    for (struct thread *t = all; t; t = t->next_all)
        if (t->vm == vm && t->state == T_READY && t != thread_cur) {
            sched_block(&rq, &t->se, &e);
            t->state = T_SUSPENDED;
        }
}

void thread_suspend_self(void)
{
    struct kerr e;
    struct vm *vm = thread_cur->vm;
    if (!(vm->cb.CB_VM_Status & VMSTAT_SUSPENDED)) {
        vm->cb.CB_VM_Status |= VMSTAT_SUSPENDED;
        vm_send(VM_SUSPEND, vm, 0);
        thread_suspend_vm(vm);
    }
    sched_block(&rq, &thread_cur->se, &e);
    thread_cur->state = T_SUSPENDED;
    thread_switch_now();                    /* back when Resume_VM readies it */
}

void thread_resume_vm(struct vm *vm)
{
    for (struct thread *t = all; t; t = t->next_all)
        if (t->vm == vm && t->state == T_SUSPENDED)
            thread_wake(t);
    if (thread_pick() != thread_cur)
        int_resched_pending = 1;
}

struct thread *thread_first_of_vm(struct vm *vm)
{
    struct thread *first = 0;
    for (struct thread *t = all; t; t = t->next_all)        /* newest first: keep the last */
        if (t->vm == vm && t->state != T_DEAD && t != idle_thread)
            first = t;
    return first;
}

void thread_vm_weight(struct vm *vm, uint32_t w)
{
    struct kerr e;
    vm->weight = w;
    for (struct thread *t = all; t; t = t->next_all)
        if (t->vm == vm && t->state != T_DEAD && t != idle_thread)
            sched_set_weight(&rq, &t->se, w, &e);
}

unsigned thread_vm_ready(struct vm *vm)
{
    unsigned n = 0;
    for (struct thread *t = all; t; t = t->next_all)
        n += t->vm == vm && t->state == T_READY && t != idle_thread;
    return n;
}

uint32_t Set_Time_Slice_Granularity(uint32_t ms)
{
    struct kerr e;
    INTS_OFF();
    uint32_t ok = 1;
    if (!ms || ms > 10000 || sched_set_granularity(&rq, ms_to_units(ms), &e)) {
        refused("Set_Time_Slice_Granularity", CALLER, "%u ms is not 1..10000", ms);
        ok = 0;
    }
    return ok;
}

uint32_t Get_Time_Slice_Granularity(void)
{
    return (uint32_t)(((uint64_t)rq.granularity * 1000 + timer.unit_hz / 2) / timer.unit_hz);
}

uint64_t thread_vm_cpu(struct vm *vm)
{
    uint64_t sum = 0;
    for (struct thread *t = all; t; t = t->next_all)
        if (t->vm == vm && t->state != T_DEAD)
            sum += thread_cpu(t);
    return sum;
}

THREADHANDLE Get_Cur_Thread_Handle(void) { return (THREADHANDLE)thread_cur; }

uint32_t Validate_Thread_Handle(THREADHANDLE h)
{
    INTS_OFF();
    uint32_t ok = thread_of(h) != 0;
    return ok;
}

int thread_adjust(struct thread *t, int32_t delta, struct kerr *e)
{
    return sched_adjust(&rq, &t->se, delta, e);
}

struct thread *thread_pick(void) { return (struct thread *)sched_pick(&rq); }

uint32_t Adjust_Exec_Priority(THREADHANDLE h, int32_t delta)
{
    struct kerr e;
    INTS_OFF();
    uint32_t ok = 1;
    struct thread *t = thread_of(h);
    if (!t || sched_adjust(&rq, &t->se, delta, &e)) {
        refused("Adjust_Exec_Priority", CALLER, "%s", t ? e.msg : "not a thread");
        ok = 0;
    } else if ((struct thread *)sched_pick(&rq) != thread_cur)
        thread_switch_now();                /* lowered below another, or raised another */
    return ok;
}

uint32_t Set_Time_Slice_Priority(THREADHANDLE h, uint32_t weight)
{
    struct kerr e;
    INTS_OFF();
    uint32_t ok = 1;
    struct thread *t = thread_of(h);
    if (!t || sched_set_weight(&rq, &t->se, weight, &e)) {
        refused("Set_Time_Slice_Priority", CALLER, "%s", t ? e.msg : "not a thread");
        ok = 0;
    }
    return ok;
}

uint32_t Get_Time_Slice_Priority(THREADHANDLE h)
{
    INTS_OFF();
    struct thread *t = thread_of(h);
    uint32_t w = t ? t->se.weight : 0;
    return w;
}

void Release_Time_Slice(void)
{
    INTS_OFF();
    sched_yield(&rq, &thread_cur->se);
    thread_switch_now();
}

void thread_sleep(uint32_t ms)
{
    INTS_OFF();
    unboost(thread_cur);
    thread_cur->wake_at = clock_due(ms);
    struct thread **pp = &sleepers;         /* sorted by wake time */
    while (*pp && (int64_t)((*pp)->wake_at - thread_cur->wake_at) <= 0)
        pp = &(*pp)->next_wait;
    thread_cur->next_wait = *pp;
    *pp = thread_cur;
    struct kerr e;
    thread_cur->state = T_SLEEPING;
    sched_block(&rq, &thread_cur->se, &e);
    thread_waits_for(CALLER);
    thread_switch_now();
    after_wait();
}

unsigned thread_wake_vm(struct vm *vm)
{
    unsigned n = 0;
    for (struct thread **pp = &sleepers; *pp;) {
        struct thread *t = *pp;
        if (t->vm != vm) {
            pp = &t->next_wait;
            continue;
        }
        *pp = t->next_wait;
        t->next_wait = 0;
        n++;
        if (thread_wake(t))
            int_resched_pending = 1;
    }
    if (int_resched_pending && !int_in_handler())
        thread_switch_now();
    return n;
}

void thread_vm_credit(struct vm *vm, int32_t ms)
{
    int64_t t64 = (int64_t)ms * timer.unit_hz / 1000;
    int32_t units = t64 > INT32_MAX ? INT32_MAX : t64 < -INT32_MAX ? -INT32_MAX : (int32_t)t64;
    int sw = 0;
    for (struct thread *t = all; t; t = t->next_all)
        if (t->vm == vm && t->state != T_DEAD && t != idle_thread)
            sw |= sched_credit(&rq, &t->se, units) && t == thread_cur;
    if (sw && !int_in_handler())
        thread_switch_now();
}

unsigned thread_count(void) { return nthreads; }

void thread_print_summary(void)
{
    INTS_OFF();
    uint64_t hz = timer.tsc_hz ? timer.tsc_hz : 1;
    kprintf("sched: %u threads at %u ms\n", nthreads, Get_System_Time());
    FOR_EACH_VM(v) {
        kprintf("sched: VM %u: time-slice priority %u, %llu us CPU%s\n", v->cb.CB_VMID, v->weight,
                (unsigned long long)((v->cpu_dead + thread_vm_cpu(v)) * 1000000 / hz),
                v->cb.CB_VM_Status & VMSTAT_SUSPENDED ? ", suspended" : "");
        for (struct thread *t = all; t; t = t->next_all)
            if (t->vm == v)
                kprintf("sched:   thread %u: priority %x, time-slice priority %u, %llu us CPU, "
                        "%u switches in%s\n", t->id, t->se.exec_pri, t->se.weight,
                        (unsigned long long)(thread_cpu(t) * 1000000 / hz),
                        t->switches, t == thread_cur ? " (running)" : "");
    }
}
