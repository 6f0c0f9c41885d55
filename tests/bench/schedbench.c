/*
 * Scheduler benchmarks, in instructions under icount, with interrupts off so that no tick lands
 * inside a measurement:
 *   thread_switch      Release_Time_Slice round trip between two threads of equal priority,
 *                      halved: one switch, from the yielding call to the other thread's return
 *   sem_wake           Signal_Semaphore to the wake of a higher-priority waiter: from the call
 *                      in the signaller to the waiter's return from Wait_Semaphore
 *   sched_pick_N       the primary scheduler's pick with N = 10, 100, 1000 ready threads
 *   sched_ready_Nl,    a thread of the lowest priority readied and blocked again, with N = 1, 8,
 *   sched_block_Nl     64 distinct priority levels present (two threads each)
 *   thread_create      VMMCreateThread of a thread below the caller's priority (it does not run)
 *   thread_destroy     VMMTerminateThread of such a thread (its stack goes at the next tick)
 *   mutex_handover     _LeaveMutex to the return from _EnterMutex of a higher-priority waiter,
 *                      whose priority the owner had inherited meanwhile
 *   event_run          Schedule_Global_Event, then Release_Time_Slice, to the start of its
 *                      procedure in the event thread
 *   timeout_run        a time-out from the timer's expiry (the tick that finds it due) to the
 *                      start of its procedure in the event thread
 *   destroy_vm_0       Destroy_VM of a VM with one PG_VM page (its messages to every device, its
 *                      context, its control block), the system holding what the boot left
 *   destroy_vm_10000   the same with 10,000 more page blocks in the system, other owners': the
 *                      VM's own blocks are all it walks
 */
#include "guest/guest.h"
#include "sched/sched.h"
#include "vmm/thread.h"
#include "vmm/vm.h"
#include "bench/benchlib.h"
#include "console/console.h"
#include "lib/kfmt.h"
#include "sched/policy.h"
#include "x86/x86.h"
#include "vmm/page.h"
#include "int/timer.h"
#include "x86/apic.h"

#define ROUNDS 1000

static volatile int stop;

static volatile uint32_t to_done;
static volatile uint64_t to_since;
static void timeout_proc_bench(uint32_t late_ms, void *ref)
{
    uint32_t done = timer.count - apic_timer_current();     /* counts since it expired */
    (void)late_ms, (void)ref;
    to_since = (uint64_t)done * timer.tsc_hz / timer.apic_hz;
    to_done = 1;
}

/* t readied and blocked again in s, ROUNDS times: the two figures, as rname and bname. */
static void ready_block(struct sched *s, struct sched_thread *t, uint64_t over, const char *rname,
                        const char *bname)
{
    struct kerr e;
    struct bench_stat ready = { 0 }, block = { 0 };
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t t0 = rdtsc();
        sched_ready(s, t, &e);
        uint64_t t1 = rdtsc();
        sched_block(s, t, &e);
        uint64_t t2 = rdtsc();
        bench_add(&ready, t1 - t0 - over);
        bench_add(&block, t2 - t1 - over);
    }
    bench_print(rname, &ready);
    bench_print(bname, &block);
}

/* Destroy_VM of 32 VMs with one PG_VM page each (made first, outside the measurement). */
static void destroy_vms(const char *name, uint64_t over)
{
    struct bench_stat st = { 0 };
    for (int i = 0; i < 32; i++) {
        VMHANDLE v = Create_VM(100);
        if (!v || !_PageAllocate(1, PG_VM, v, 0, 0, 0, 0, 0))
            break;
        uint64_t t0 = rdtsc();
        Destroy_VM(v);
        bench_add(&st, rdtsc() - t0 - over);
    }
    bench_print(name, &st);
}

static void yielder(void *arg)
{
    (void)arg;
    irq_disable();
    while (!stop)
        Release_Time_Slice();
}

static SEMHANDLE sem;
static volatile uint64_t signalled_at;
static struct bench_stat woke;

static void waiter(void *arg)
{
    (void)arg;
    irq_disable();
    for (;;) {
        Wait_Semaphore(sem, 0);
        uint64_t d = rdtsc() - signalled_at;
        if (stop)
            return;
        bench_add(&woke, d);
    }
}

/* mutex_handover: the waiter (above the bench thread) waits on the mutex the bench thread
 * holds, so the bench thread inherits its priority; _LeaveMutex hands it over and switches. */
static MUTEXHANDLE mtx;
static SEMHANDLE again;
static volatile uint64_t left_at;
static struct bench_stat handed;

static void mutex_waiter(void *arg)
{
    (void)arg;
    irq_disable();
    for (;;) {
        _EnterMutex(mtx, 0);
        uint64_t d = rdtsc() - left_at;
        _LeaveMutex(mtx);
        if (stop)
            return;
        bench_add(&handed, d);
        Wait_Semaphore(again, 0);
    }
}

/* event_run */
static volatile uint64_t scheduled_at;
static struct bench_stat ran;
static void event_proc_bench(void *ref)
{
    uint64_t d = rdtsc() - scheduled_at;
    bench_add(&ran, d);
    (void)ref;
}

static void noop_thread(void *arg) { (void)arg; }

/* ROUNDS yields to another thread and back: each figure is a round trip, two switches. */
static void yield_round_trips(const char *name, uint64_t over)
{
    struct bench_stat s = { 0 };
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t t0 = rdtsc();
        Release_Time_Slice();
        bench_add(&s, rdtsc() - t0 - over);
    }
    bench_print(name, &s);
}

static struct sched_thread dummies[1000];

void schedbench_run(void)
{
    uint64_t over = bench_bracket();
    irq_disable();

    /* Two threads yielding to each other. */
    stop = 0;
    THREADHANDLE y = VMMCreateThread(yielder, 0, CUR_RUN_VM_BOOST, 100);
    Release_Time_Slice();                   /* let it start and settle in its loop */
    yield_round_trips("thread_switch", over);
    stop = 1;
    Release_Time_Slice();                   /* it sees stop and ends */
    Release_Time_Slice();
    (void)y;

    /* The same between two VMs: every switch changes the memory context too. */
    stop = 0;
    VMHANDLE other = Create_VM(100);
    VMMCreateThreadInVM(other, yielder, 0, CUR_RUN_VM_BOOST);
    Release_Time_Slice();
    yield_round_trips("vm_switch", over);
    stop = 1;
    Release_Time_Slice();
    Destroy_VM(other);

    /* A higher-priority waiter woken by a signal. */
    stop = 0;
    sem = Create_Semaphore(0);
    VMMCreateThread(waiter, 0, CUR_RUN_VM_BOOST + HIGH_PRI_DEVICE_BOOST, 100);  /* runs, waits */
    for (int i = 0; i < ROUNDS; i++) {
        signalled_at = rdtsc() + over;      /* the bracket's cost is not the wake's */
        Signal_Semaphore(sem);              /* switches to the waiter, which waits again */
    }
    stop = 1;
    Signal_Semaphore(sem);
    bench_print("sem_wake", &woke);
    Release_Time_Slice();
    Destroy_Semaphore(sem);

    /* The pick, with 10, 100 and 1000 threads ready at one priority (and a few levels). */
    static struct sched s;
    struct kerr e;
    static const unsigned ns[3] = { 10, 100, 1000 };
    for (unsigned k = 0; k < 3; k++) {
        sched_init(&s, 20, &e);
        for (unsigned i = 0; i < ns[k]; i++) {
            sched_thread_init(&s, &dummies[i], i % 4 == 0 ? 4 : 0x1004, 100, &e);
            sched_ready(&s, &dummies[i], &e);
        }
        struct bench_stat pick = { 0 };
        for (int i = 0; i < ROUNDS; i++) {
            uint64_t t0 = rdtsc();
            struct sched_thread *volatile p = sched_pick(&s);
            bench_add(&pick, rdtsc() - t0 - over);
            (void)p;
        }
        char name[24];
        ksnprintf(name, sizeof name, "sched_pick_%u", ns[k]);
        bench_print(name, &pick);
    }
    /* A thread of a priority of its own readied (a new top level) and blocked again, with the
     * 1000 threads of two levels below: the wake and the wait of a higher-priority waiter. */
    static struct sched_thread hi;
    sched_thread_init(&s, &hi, 0x100000, 100, &e);
    ready_block(&s, &hi, over, "sched_ready_top", "sched_block_top");

    /* Ready (a wake) and block (a wait) swept over 1, 8 and 64 distinct priority levels
     * present, two threads each: a thread of the lowest priority readied and blocked again (the
     * walk of the sorted levels is the worst case). */
    static const unsigned nl[3] = { 1, 8, 64 };
    for (unsigned k = 0; k < 3; k++) {
        sched_init(&s, 20, &e);
        for (unsigned i = 0; i < 2 * nl[k]; i++) {
            sched_thread_init(&s, &dummies[i], 0x100 + 0x10 * (i % nl[k]), 100, &e);
            sched_ready(&s, &dummies[i], &e);
        }
        static struct sched_thread lo;
        sched_thread_init(&s, &lo, 0x100, 100, &e);
        char rname[24], bname[24];
        ksnprintf(rname, sizeof rname, "sched_ready_%ul", nl[k]);
        ksnprintf(bname, sizeof bname, "sched_block_%ul", nl[k]);
        ready_block(&s, &lo, over, rname, bname);
    }

    /* Threads made and ended, 100 at a time (their stacks go at the next tick). */
    struct bench_stat made = { 0 }, ended = { 0 };
    for (int k = 0; k < 10; k++) {
        THREADHANDLE t[100];
        for (int i = 0; i < 100; i++) {
            uint64_t t0 = rdtsc();
            t[i] = VMMCreateThread(noop_thread, 0, 1, 100);     /* below ours: it does not run */
            bench_add(&made, rdtsc() - t0 - over);
        }
        for (int i = 0; i < 100; i++) {
            uint64_t t0 = rdtsc();
            VMMTerminateThread(t[i]);
            bench_add(&ended, rdtsc() - t0 - over);
        }
        irq_enable();
        thread_sleep(2);                    /* the zombies' stacks freed */
        irq_disable();
    }
    bench_print("thread_create", &made);
    bench_print("thread_destroy", &ended);

    /* A mutex handed over to a higher-priority waiter. */
    stop = 0;
    mtx = _CreateMutex(0, 0);
    again = Create_Semaphore(0);
    for (int i = 0; i <= ROUNDS; i++) {
        _EnterMutex(mtx, 0);
        if (i == 0)                         /* it starts, waits on the mutex: we inherit */
            VMMCreateThread(mutex_waiter, 0, CUR_RUN_VM_BOOST + HIGH_PRI_DEVICE_BOOST, 100);
        else
            Signal_Semaphore(again);        /* it comes back to wait on the mutex again */
        if (i == ROUNDS)
            stop = 1;
        left_at = rdtsc() + over;
        _LeaveMutex(mtx);                   /* to the waiter at once, and back when it waits */
    }
    bench_print("mutex_handover", &handed);
    Release_Time_Slice();
    _DestroyMutex(mtx);
    Destroy_Semaphore(again);

    /* A global event from the call to its procedure: scheduling marks the event thread's
     * switch due (Signal_Semaphore_No_Switch, as from a handler); it comes at the scheduling
     * thread's next yield (or interrupt), here at once. */
    for (int i = 0; i < ROUNDS; i++) {
        scheduled_at = rdtsc() + over;
        Schedule_Global_Event(event_proc_bench, 0);
        Release_Time_Slice();
    }
    bench_print("event_run", &ran);

    /* A time-out from the timer's expiry (the tick that finds it due) to the start of its
     * procedure in the event thread: the interrupt, the tick, the switch, the call.  The time
     * since the expiry is read from the APIC timer's count when the procedure starts. */
    struct bench_stat tr = { 0 };
    for (int i = 0; i < 200; i++) {
        to_done = 0;
        Set_Global_Time_Out(timeout_proc_bench, 1, 0);
        irq_enable();
        while (!to_done)
            __asm__ volatile("pause" : : : "memory");
        irq_disable();
        bench_add(&tr, to_since);
    }
    bench_print("timeout_run", &tr);

    destroy_vms("destroy_vm_0", over);
    static uint32_t others[10000];
    uint32_t n = 0;
    while (n < 10000 && (others[n] = _PageReserve(PR_SYSTEM, 1, 0)) != 0xFFFFFFFFu)
        n++;
    if (n == 10000)
        destroy_vms("destroy_vm_10000", over);
    else
        kprintf("bench: destroy_vm_10000: only %u blocks could be reserved\n", n);
    while (n)
        _PageFree(others[--n], 0);
}
