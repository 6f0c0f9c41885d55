/*
 * In-guest tests of threads, the primary scheduler, the time-slicer and semaphores (SYSTEM.INI
 * [Debug] SchedTest=1, run by the boot thread; tests/boot/run.sh runs it under icount, where
 * the results are exact).  Each failed check prints "schedtest: FAIL"; the run ends with
 * "schedtest: N passed, M failed".
 */
#include "guest/guest.h"
#include "sched/sched.h"
#include "vmm/thread.h"
#include "vmm/vm.h"
#include "vmm/int.h"
#include "int/timer.h"
#include "mem/heapsvc.h"
#include "mem/pmem.h"
#include "console/console.h"
#include "guest/selftest.h"
#include "x86/x86.h"
#include "lib/string.h"
#include "boot/symbols.h"

static struct selftest T = { "schedtest", 0, 0 };
#define CHECK(cond, what) SELFTEST_CHECK(&T, cond, what)

#define BASE  CUR_RUN_VM_BOOST              /* the workers' execution priority */
#define HIGH  (BASE + TIME_CRITICAL_BOOST)  /* the driver's, while it waits */

/* Ran by the first tick at or after its due time, and at once: at most a timer period (and a
 * quarter's slack for the way from the tick to the code that ran) after due, never before. */
static int within_tick(uint64_t ran, uint64_t due)
{
    uint64_t period = timer.tsc_hz / timer.hz;
    return (int64_t)(ran - due) >= 0 && ran - due <= period + period / 4;
}

static uint32_t late_us(uint64_t ran, uint64_t due)
{
    return (uint32_t)((int64_t)(ran - due) < 0 ? 0 : (ran - due) * 1000 / timer.tsc_per_ms);
}

static void spinner(void *arg)
{
    volatile uint32_t *c = arg;
    for (;;)
        (*c)++;                             /* never yields: only the timer takes it off */
}

/* Three CPU-bound threads with time-slice priorities 100/50/50 while the driver sleeps 2000 ms
 * (it outranks them: they run while it sleeps): pm, their CPU shares in per mille by the CPU
 * account; *woke and *due, when the driver ran again and when its 2000 ms were up.  0, or -1
 * (and a failed check) when a thread could not be made or one never ran. */
static int shares(uint32_t pm[3], uint64_t *woke, uint64_t *due)
{
    static volatile uint32_t count[3];
    static const uint32_t weight[3] = { 100, 50, 50 };
    struct thread *w[3];
    for (int i = 0; i < 3; i++) {
        count[i] = 0;
        w[i] = (struct thread *)VMMCreateThread(spinner, (void *)&count[i], BASE, weight[i]);
    }
    CHECK(w[0] && w[1] && w[2], "three spinning threads");
    if (!w[0] || !w[1] || !w[2])
        return -1;
    *due = clock_due(2000);
    thread_sleep(2000);
    *woke = rdtsc();
    uint64_t cpu[3], sum = 0;
    for (int i = 0; i < 3; i++)
        sum += cpu[i] = w[i]->cpu_tsc;
    for (int i = 0; i < 3; i++)
        VMMTerminateThread((THREADHANDLE)w[i]);
    for (int i = 0; i < 3; i++)
        pm[i] = (uint32_t)(cpu[i] * 1000 / (sum ? sum : 1));
    CHECK(count[0] && count[1] && count[2], "every spinner ran, though none ever yields");
    return count[0] && count[1] && count[2] ? 0 : -1;
}

/* The shares within 2 points of 50/25/25, checked and printed as "WHO: time-slice priorities
 * 100/50/50 over 2000 ms: CPU shares A % B % C %" (run.sh's expect_shares reads it). */
static void check_shares(const char *who, const uint32_t pm[3])
{
    CHECK(pm[0] >= 480 && pm[0] <= 520 && pm[1] >= 230 && pm[1] <= 270 && pm[2] >= 230 &&
          pm[2] <= 270, "CPU shares within 2 % of 50/25/25");
    kprintf("%s: time-slice priorities 100/50/50 over %u ms: CPU shares %u.%u %% %u.%u %% "
            "%u.%u %%\n", who, 2000, pm[0] / 10, pm[0] % 10, pm[1] / 10, pm[1] % 10, pm[2] / 10,
            pm[2] % 10);
}

/* Three CPU-bound threads with time-slice priorities 100/50/50 share the CPU 50/25/25. */
static void test_shares(void)
{
    uint32_t pm[3];
    uint64_t woke, due;
    if (shares(pm, &woke, &due))
        return;
    check_shares("schedtest", pm);
    CHECK(within_tick(woke, due), "the higher-priority sleeper preempted at the first tick its "
          "2000 ms were up");
    kprintf("schedtest: the driver ran %u us after its 2000 ms were up\n", late_us(woke, due));
}

/* Semaphore ping-pong: 100,000 round trips between two threads. */
#define TRIPS 100000u
static SEMHANDLE ping, pong, done;
static volatile uint32_t trips;

static void pinger(void *arg)
{
    (void)arg;
    for (uint32_t i = 0; i < TRIPS; i++) {
        Signal_Semaphore(ping);
        Wait_Semaphore(pong, BLOCK_SVC_INTS);
        trips++;
    }
    Signal_Semaphore(done);
}

static void ponger(void *arg)
{
    (void)arg;
    for (uint32_t i = 0; i < TRIPS; i++) {
        Wait_Semaphore(ping, BLOCK_SVC_INTS);
        Signal_Semaphore(pong);
    }
}

static void test_pingpong(void)
{
    ping = Create_Semaphore(0);
    pong = Create_Semaphore(0);
    done = Create_Semaphore(0);
    CHECK(ping && pong && done, "three semaphores");
    uint64_t t0 = rdtsc();
    THREADHANDLE a = VMMCreateThread(ponger, 0, BASE, 100);
    THREADHANDLE b = VMMCreateThread(pinger, 0, BASE, 100);
    CHECK(a && b, "two ping-pong threads");
    Wait_Semaphore(done, BLOCK_SVC_INTS);
    uint64_t t1 = rdtsc();
    CHECK(trips == TRIPS, "100,000 round trips");
    thread_sleep(2);                        /* both end; their stacks go at the next ticks */
    CHECK(Destroy_Semaphore(ping) && Destroy_Semaphore(pong) && Destroy_Semaphore(done),
          "Destroy_Semaphore");
    CHECK(!Destroy_Semaphore(done), "destroying twice refused");
    kprintf("schedtest: semaphore ping-pong: %u round trips in %llu ms\n", trips,
            (unsigned long long)((t1 - t0) * 1000 / timer.tsc_hz));
}

/* 10,000 threads created and ended: free pages and heap bytes back where they were. */
static SEMHANDLE born;
static void short_life_vm(void *arg)
{
    (void)arg;
}

static void short_life(void *arg)
{
    (void)arg;
    Signal_Semaphore(born);
}

static void test_churn(void)
{
    born = Create_Semaphore(0);
    /* Warm up (the heap's spare pool, descriptor pages), then measure. */
    VMMCreateThread(short_life, 0, BASE, 100);
    Wait_Semaphore(born, 0);
    thread_sleep(5);
    irq_disable();
    uint32_t pages0 = pmem.nfree;
    size_t heap0 = sys_heap.used_bytes;
    unsigned n0 = thread_count();
    irq_enable();
    unsigned made = 0;
    for (unsigned i = 0; i < 10000; i++) {
        if (VMMCreateThread(short_life, 0, BASE, 100))
            made++;
        Wait_Semaphore(born, 0);
    }
    thread_sleep(20);                       /* the last ones end and are reaped */
    irq_disable();
    uint32_t pages1 = pmem.nfree;
    size_t heap1 = sys_heap.used_bytes;
    unsigned n1 = thread_count();
    irq_enable();
    CHECK(made == 10000, "10,000 threads created");
    CHECK(n1 == n0, "and all of them gone");
    CHECK(pages1 == pages0, "free pages exactly as before");
    CHECK(heap1 == heap0, "heap bytes exactly as before");
    kprintf("schedtest: 10000 threads created and ended: free pages %u -> %u, heap bytes %u -> %u, "
            "threads %u -> %u\n", pages0, pages1, (unsigned)heap0, (unsigned)heap1, n0, n1);
    Destroy_Semaphore(born);
}

/* Priority inversion: L holds the mutex; M, between L and H in priority, never yields; H wants
 * the mutex.  Without inheritance M starves L and so H for ever; with it L runs at H's priority,
 * leaves the mutex, and H gets it. */
static MUTEXHANDLE mx;
static volatile uint32_t l_done, h_done, m_spins;
static volatile uint32_t l_pri_inside, h_owner_ok;

static void low(void *arg)
{
    (void)arg;
    _EnterMutex(mx, 0);
    uint64_t until = rdtsc() + timer.tsc_hz / 50;      /* 20 ms of work inside */
    while (rdtsc() < until)
        l_pri_inside = ((struct thread *)Get_Cur_Thread_Handle())->se.exec_pri;
    _LeaveMutex(mx);
    l_done = 1;
}

static void middle(void *arg)
{
    (void)arg;
    for (;;)
        m_spins++;
}

static void high(void *arg)
{
    (void)arg;
    _EnterMutex(mx, 0);
    h_owner_ok = _GetMutexOwner(mx) == Get_Cur_Thread_Handle();
    _LeaveMutex(mx);
    h_done = 1;
}

static void test_inversion(void)
{
    mx = _CreateMutex(0, 0);
    CHECK(mx != 0, "_CreateMutex");
    THREADHANDLE l = VMMCreateThread(low, 0, BASE, 100);
    thread_sleep(5);                        /* L runs and takes the mutex */
    CHECK(_GetMutexOwner(mx) == l, "the low thread owns the mutex");
    THREADHANDLE m = VMMCreateThread(middle, 0, BASE + LOW_PRI_DEVICE_BOOST, 100);
    THREADHANDLE h = VMMCreateThread(high, 0, BASE + HIGH_PRI_DEVICE_BOOST, 100);
    thread_sleep(200);
    uint32_t in_time = h_done;              /* with M still spinning */
    CHECK(in_time, "the inversion scenario finished: H got the mutex");
    CHECK(!l_done, "and L, back at its own priority, is outranked by M again");
    CHECK(h_owner_ok, "H owned the mutex inside");
    CHECK(l_pri_inside == BASE + HIGH_PRI_DEVICE_BOOST, "L ran at H's priority while H waited");
    CHECK(m_spins > 0, "M ran too (it does not starve, it is just outranked)");
    VMMTerminateThread(m);
    (void)h;
    thread_sleep(2);
    CHECK(l_done, "with M gone, L finishes");
    CHECK(_GetMutexOwner(mx) == 0 && _DestroyMutex(mx), "the mutex is free and goes");
    CHECK(!_LeaveMutex(mx), "leaving a destroyed mutex refused");
    kprintf("schedtest: priority inversion: %s (L ran at priority %x inside the mutex)\n",
            in_time ? "resolved, H got the mutex" : "NOT resolved", l_pri_inside);
}

/* Events in order, never nested (one scheduled from inside another runs after it); time-outs
 * on their tick; cancelled ones never run. */
static char ev_order[8];
static volatile unsigned ev_n;
static volatile uint32_t to_late, cancelled_ran;
static volatile uint64_t to_fired;
static THREADHANDLE ev_ran_in;

static void ev_note(void *ref)
{
    if (ev_n < sizeof ev_order - 1)
        ev_order[ev_n++] = (char)(uintptr_t)ref;
    ev_ran_in = Get_Cur_Thread_Handle();
}

static void ev_nested(void *ref)
{
    ev_note(ref);
    Schedule_Global_Event(ev_note, (void *)'d');    /* runs after this one returns */
    ev_note((void *)'-');                           /* still inside: no 'd' yet */
}

static void ev_cancelled(void *ref)
{
    (void)ref;
    cancelled_ran = 1;
}

static void to_note(uint32_t late_ms, void *ref)
{
    (void)ref;
    to_fired = rdtsc();
    to_late = late_ms;
}

static void to_cancelled(uint32_t late_ms, void *ref)
{
    (void)late_ms;
    (void)ref;
    cancelled_ran = 1;
}

static void test_events(void)
{
    irq_disable();                          /* schedule all four before the event thread runs */
    EVENTHANDLE a = Schedule_Global_Event(ev_note, (void *)'a');
    EVENTHANDLE x = Schedule_Global_Event(ev_cancelled, 0);
    EVENTHANDLE b = Schedule_Global_Event(ev_nested, (void *)'b');
    EVENTHANDLE c = Schedule_Global_Event(ev_note, (void *)'c');
    CHECK(a && x && b && c, "Schedule_Global_Event");
    CHECK(Cancel_Global_Event(x), "Cancel_Global_Event before it ran");
    CHECK(!Cancel_Global_Event(x), "cancelling twice refused");
    uint64_t due = clock_due(50);
    TIMEOUTHANDLE t = Set_Global_Time_Out(to_note, 50, 0);
    TIMEOUTHANDLE u = Set_Global_Time_Out(to_cancelled, 20, 0);
    CHECK(t && u, "Set_Global_Time_Out");
    CHECK(Cancel_Time_Out(u), "Cancel_Time_Out before it fired");
    irq_enable();
    thread_sleep(100);
    ev_order[ev_n] = 0;
    CHECK(ev_n == 5 && ev_order[0] == 'a' && ev_order[1] == 'b' && ev_order[2] == '-' &&
          ev_order[3] == 'c' && ev_order[4] == 'd', "events in order, the nested one after");
    CHECK(event_max_nesting() == 1, "never nested");
    CHECK(ev_ran_in && ev_ran_in != Get_Cur_Thread_Handle(), "in the event thread");
    CHECK(!cancelled_ran, "cancelled ones never ran");
    CHECK(within_tick(to_fired, due), "the time-out ran at the first tick its 50 ms were up");
    uint32_t late = clock_late_ms(to_fired, due);
    CHECK(to_late <= late && to_late + 1 >= late, "and was told how late it was, in ms");
    CHECK(!Cancel_Time_Out(t), "a fired time-out cannot be cancelled");
    kprintf("schedtest: events ran %s; the 50 ms time-out ran %u us after due, told %u ms late\n",
            ev_order, late_us(to_fired, due), to_late);
}

/* VMs: the control messages in the DDK's order, CPU shares by the VMs' time-slice priorities,
 * suspend and resume, a crash, and 1,000 VMs created and destroyed leaving nothing behind. */
static char msgs[64];
static unsigned nmsgs;
static uint32_t fail_msg;               /* a message the handler fails, 0 for none */

static int has(const char *s, char c)
{
    for (; *s; s++)
        if (*s == c)
            return 1;
    return 0;
}

static int control(uint32_t msg, VMHANDLE vm, uint32_t arg, void *ref)
{
    (void)vm;
    (void)arg;
    (void)ref;
    static const char code[] = "................................................";
    char c = msg == CREATE_VM ? 'C' : msg == VM_CRITICAL_INIT ? 'K' : msg == VM_INIT ? 'I'
           : msg == VM_TERMINATE ? 'T' : msg == VM_NOT_EXECUTEABLE ? 'N' : msg == DESTROY_VM ? 'D'
           : msg == VM_SUSPEND ? 'S' : msg == VM_RESUME ? 'R' : msg == CREATE_THREAD ? 'c'
           : msg == THREAD_INIT ? 'i' : msg == TERMINATE_THREAD ? 't'
           : msg == THREAD_NOT_EXECUTEABLE ? 'n' : msg == DESTROY_THREAD ? 'd' : code[0];
    if (nmsgs < sizeof msgs - 1)
        msgs[nmsgs++] = c;
    return msg == fail_msg;
}

static void crasher(void *arg)
{
    (void)arg;
    Crash_Cur_VM();
}

/* Destroy_VM of a VM owning 10,000 pages, called with interrupts on: the page services let the
 * timer in at safe points (issue 15: no long stretch with interrupts off), and every page comes
 * back.  The timer's latency (int/timer.h) is watched over the call alone. */
static void test_destroy_big(void)
{
    VMHANDLE v = 0;
    uint32_t n = 0, free0 = 0;
    for (int round = 0; round < 2; round++) {   /* the first grows the descriptor pages */
        if (v)
            Destroy_VM(v);
        free0 = (uint32_t)pmem.nfree;
        v = Create_VM(100);
        for (n = 0; v && n < 10000 && _PageAllocate(1, PG_VM, v, 0, 0, 0, 0, 0);)
            n++;
    }
    CHECK(v && n == 10000, "a VM with 10,000 pages of its own");
    struct timer_latency outer = timer_latency;
    timer_latency_watch(1);
    irq_enable();
    uint64_t t0 = rdtsc();
    CHECK(v && Destroy_VM(v), "Destroy_VM");
    uint64_t t1 = rdtsc();
    struct timer_latency l = timer_latency;
    if (outer.max < l.max) {                /* the suites' figure goes on */
        outer.max = l.max;
        outer.max_eip = l.max_eip;
    }
    outer.last_expiry = l.last_expiry;
    outer.ticks += l.ticks;
    timer_latency = outer;
    uint64_t period = timer.tsc_hz / timer.hz;
    CHECK(l.ticks * 2 >= (t1 - t0) / period, "the timer came in all the while it ran (at least "
          "half its ticks were taken, not merged)");
    CHECK((uint32_t)pmem.nfree == free0, "every page came back");
    char where[96];
    kprintf("schedtest: Destroy_VM of a VM with %u pages: %llu TSC counts; %u ticks taken "
            "meanwhile, the timer waited at most %llu (a period is %llu)\n", n,
            (unsigned long long)(t1 - t0), l.ticks, (unsigned long long)l.max,
            (unsigned long long)period);
    kprintf("schedtest: the longest wait ended at %s\n",
            l.ticks ? symbols_where(l.max_eip, where, sizeof where) : "-");
}

static void test_vms(void)
{
    CHECK(VMM_Register_Control(control, 0), "VMM_Register_Control");
    CHECK(Get_Cur_VM_Handle() == Get_Sys_VM_Handle(), "the boot flow runs in the system VM");

    nmsgs = 0;
    VMHANDLE v = Create_VM(100);
    THREADHANDLE t = v ? VMMCreateThreadInVM(v, spinner, (void *)&m_spins, BASE) : 0;
    CHECK(v && t, "Create_VM and a thread in it");
    CHECK(Validate_VM_Handle(v) && Get_Next_VM_Handle(Get_Sys_VM_Handle()) != 0, "VM handles");
    CHECK(Suspend_VM(v), "Suspend_VM");
    uint64_t c0 = vm_cpu_tsc(v);
    thread_sleep(50);
    CHECK(vm_cpu_tsc(v) == c0, "a suspended VM's thread does not run");
    CHECK(Resume_VM(v), "Resume_VM");
    thread_sleep(50);
    CHECK(vm_cpu_tsc(v) > c0, "and runs again once resumed");
    CHECK(!Destroy_VM(Get_Sys_VM_Handle()), "destroying the system VM refused");
    CHECK(Destroy_VM(v), "Destroy_VM");
    CHECK(!Validate_VM_Handle(v), "a destroyed VM's handle is refused");
    msgs[nmsgs] = 0;
    CHECK(!strcmp(msgs, "CKIciSRTNtndD"), "control messages in the DDK's order");
    kprintf("schedtest: VM control messages: %s\n", msgs);

    nmsgs = 0;
    fail_msg = VM_CRITICAL_INIT;
    CHECK(Create_VM(100) == 0, "a VxD failing VM_Critical_Init fails Create_VM");
    fail_msg = 0;
    msgs[nmsgs] = 0;
    CHECK(!strcmp(msgs, "CKND"), "then VM_Not_Executeable and Destroy_VM");

    /* A VM that crashes itself is destroyed by the event thread. */
    VMHANDLE cv = Create_VM(100);
    nmsgs = 0;
    VMMCreateThreadInVM(cv, crasher, 0, BASE);
    thread_sleep(10);
    msgs[nmsgs] = 0;
    CHECK(!Validate_VM_Handle(cv), "Crash_Cur_VM: the VM is gone");
    CHECK(msgs[0] == 'c' && has(msgs, 'N') && has(msgs, 'D') && !has(msgs, 'T'),
          "crashed: VM_Not_Executeable and Destroy_VM without VM_Terminate");
    VMM_Unregister_Control(control, 0);

    /* Three VMs, one never-yielding thread each, time-slice priorities 100/50/50. */
    static volatile uint32_t spin[3];
    static const uint32_t w[3] = { 100, 50, 50 };
    VMHANDLE vm[3];
    for (int i = 0; i < 3; i++) {
        vm[i] = Create_VM(w[i]);
        VMMCreateThreadInVM(vm[i], spinner, (void *)&spin[i], BASE);
    }
    uint64_t c[3], sum = 0;
    for (int i = 0; i < 3; i++)
        c[i] = vm_cpu_tsc(vm[i]);
    thread_sleep(2000);
    for (int i = 0; i < 3; i++)
        sum += c[i] = vm_cpu_tsc(vm[i]) - c[i];
    uint32_t pm[3];
    for (int i = 0; i < 3; i++)
        pm[i] = (uint32_t)(c[i] * 1000 / (sum ? sum : 1));
    CHECK(pm[0] >= 480 && pm[0] <= 520 && pm[1] >= 230 && pm[1] <= 270 && pm[2] >= 230 &&
          pm[2] <= 270, "VM CPU shares within 2 % of 50/25/25");
    kprintf("schedtest: VMs with time-slice priorities 100/50/50 over 2000 ms: CPU shares "
            "%u.%u %% %u.%u %% %u.%u %%\n", pm[0] / 10, pm[0] % 10, pm[1] / 10, pm[1] % 10,
            pm[2] / 10, pm[2] % 10);
    for (int i = 0; i < 3; i++)
        Destroy_VM(vm[i]);
    thread_sleep(5);

    /* 1,000 VMs created and destroyed. */
    irq_disable();
    uint32_t pages0 = pmem.nfree;
    size_t heap0 = sys_heap.used_bytes;
    uint32_t n0 = vm_count();
    irq_enable();
    unsigned made = 0;
    for (unsigned i = 0; i < 1000; i++) {
        VMHANDLE x = Create_VM(50);
        if (x && VMMCreateThreadInVM(x, short_life_vm, 0, BASE)) {
            made++;
            Destroy_VM(x);
        }
    }
    thread_sleep(20);
    irq_disable();
    uint32_t pages1 = pmem.nfree;
    size_t heap1 = sys_heap.used_bytes;
    uint32_t n1 = vm_count();
    irq_enable();
    CHECK(made == 1000, "1,000 VMs, each with a thread");
    CHECK(pages1 == pages0 && heap1 == heap0 && n1 == n0, "free pages, heap bytes, VMs as before");
    kprintf("schedtest: 1000 VMs created and destroyed: free pages %u -> %u, heap bytes %u -> %u, "
            "VMs %u -> %u\n", pages0, pages1, (unsigned)heap0, (unsigned)heap1, n0, n1);
}

/* _BlockOnID / _SignalID and Call_When_Idle. */
static volatile uint32_t id_woken, idle_ran;
static void id_waiter(void *arg)
{
    _BlockOnID((uint32_t)arg, 0);
    id_woken++;
}

static void on_idle(void *ref)
{
    idle_ran = (uint32_t)ref;
}

static void test_ids(void)
{
    for (int i = 0; i < 3; i++)
        VMMCreateThread(id_waiter, (void *)0x1D1D, BASE + LOW_PRI_DEVICE_BOOST, 100);
    VMMCreateThread(id_waiter, (void *)0x2E2E, BASE + LOW_PRI_DEVICE_BOOST, 100);
    thread_sleep(5);                        /* they run and block */
    CHECK(id_woken == 0, "four threads blocked on two IDs");
    CHECK(_SignalID(0x1D1D) == 3, "_SignalID wakes the three on its ID");
    thread_sleep(5);
    CHECK(id_woken == 3, "and they ran");
    CHECK(_SignalID(0x1D1D) == 0, "a signal with nobody waiting is lost");
    CHECK(_SignalID(0x2E2E) == 1, "the other ID's waiter");
    thread_sleep(5);
    CHECK(id_woken == 4, "ran too");
    CHECK(Call_When_Idle(on_idle, (void *)0x1D7E), "Call_When_Idle");
    thread_sleep(5);                        /* nothing else is ready: the idle thread runs it */
    CHECK(idle_ran == 0x1D7E, "the idle procedure ran");
    kprintf("schedtest: _SignalID woke %u threads; Call_When_Idle ran\n", id_woken);
}

/* The execution focus: two VMs with foreground 100 and background 25; the one with the focus
 * gets 80 % of the CPU, and the shares swap with the focus. */
static void test_focus(void)
{
    static volatile uint32_t spin[2];
    VMHANDLE v[2];
    for (int i = 0; i < 2; i++) {
        v[i] = Create_VM(100);
        CHECK(v[i] && Set_VM_Time_Slice_Priority(v[i], 100, 25), "a VM with priorities 100/25");
        VMMCreateThreadInVM(v[i], spinner, (void *)&spin[i], BASE);
    }
    uint32_t pm[2][2];
    for (int round = 0; round < 2; round++) {
        CHECK(Set_Execution_Focus(v[round]) && Get_Execution_Focus() == v[round],
              "Set_Execution_Focus");
        uint64_t c0[2], d[2];
        for (int i = 0; i < 2; i++)
            c0[i] = vm_cpu_tsc(v[i]);
        thread_sleep(1000);
        for (int i = 0; i < 2; i++)
            d[i] = vm_cpu_tsc(v[i]) - c0[i];
        for (int i = 0; i < 2; i++)
            pm[round][i] = (uint32_t)(d[i] * 1000 / (d[0] + d[1] ? d[0] + d[1] : 1));
    }
    CHECK(pm[0][0] >= 780 && pm[0][0] <= 820 && pm[1][1] >= 780 && pm[1][1] <= 820,
          "the VM with the focus gets 80 %, and the shares swap with it");
    uint32_t sched = 0, idle = 0;
    VMHANDLE cur = 0;
    Get_Time_Slice_Info(&sched, &cur, &idle);
    CHECK(sched == vm_count() && cur == Get_Sys_VM_Handle(), "Get_Time_Slice_Info");
    CHECK(Set_Time_Slice_Granularity(40) && Get_Time_Slice_Granularity() == 40,
          "Set_Time_Slice_Granularity");
    CHECK(!Set_Time_Slice_Granularity(0), "granularity 0 refused");
    Set_Time_Slice_Granularity(20);
    Set_Execution_Focus(Get_Sys_VM_Handle());
    Destroy_VM(v[0]);
    Destroy_VM(v[1]);
    kprintf("schedtest: execution focus (100 foreground, 25 background): %u.%u %% / %u.%u %%, "
            "then %u.%u %% / %u.%u %%; %u VMs scheduled, %u idle\n", pm[0][0] / 10, pm[0][0] % 10,
            pm[0][1] / 10, pm[0][1] % 10, pm[1][0] / 10, pm[1][0] % 10, pm[1][1] / 10,
            pm[1][1] % 10, sched, idle);
}

/* The hardware-interrupt boost: the PIT's IRQ 0 handler (through VPICD) signals a waiting
 * thread, which then outranks a spinner of higher base priority until it waits again. */
static SEMHANDLE irq_sem;
static volatile uint32_t woke_pri, pri_after, irq_wakes;

static int pit_proc(uint32_t hirq, struct client_regs *r, void *ref)
{
    (void)r;
    (void)ref;
    Signal_Semaphore_No_Switch(irq_sem);
    VPICD_Phys_EOI(hirq);
    return 0;
}

static void irq_waiter(void *arg)
{
    (void)arg;
    struct thread *me = (struct thread *)Get_Cur_Thread_Handle();
    Wait_Semaphore(irq_sem, 0);
    woke_pri = me->se.exec_pri;             /* running, boosted, though the spinner outranks */
    irq_wakes++;                            /* its base priority */
    thread_sleep(1);
    pri_after = me->se.exec_pri;
}

static void test_hw_boost(void)
{
    static volatile uint32_t spins;
    irq_sem = Create_Semaphore(0);
    VMMCreateThread(irq_waiter, 0, BASE, 100);
    thread_sleep(2);                        /* the waiter runs and waits */
    THREADHANDLE sp = VMMCreateThread(spinner, (void *)&spins, BASE + LOW_PRI_DEVICE_BOOST, 100);
    struct vpicd_irq_descriptor vid = { .VID_IRQ_Number = 0, .VID_Options = VPICD_OPT_CAN_SHARE,
                                        .VID_Hw_Int_Proc = pit_proc };   /* VTD's too */
    uint32_t h = VPICD_Virtualize_IRQ(&vid);
    CHECK(h != 0, "VPICD_Virtualize_IRQ(0)");
    irq_disable();
    outb(0x43, 0x30);                       /* PIT channel 0, one shot, 1 ms */
    outb(0x40, (uint8_t)1193);
    outb(0x40, (uint8_t)(1193 >> 8));
    VPICD_Physically_Unmask(h);
    irq_enable();
    thread_sleep(20);
    VPICD_Physically_Mask(h);
    VPICD_Force_Default_Behavior(h);
    VMMTerminateThread(sp);
    thread_sleep(2);
    CHECK(irq_wakes == 1, "the IRQ's handler woke the waiter");
    CHECK(woke_pri == BASE + HIGH_PRI_DEVICE_BOOST, "boosted while it ran, above the spinner");
    CHECK(pri_after == BASE, "and back to its base once it waited again");
    Destroy_Semaphore(irq_sem);
    kprintf("schedtest: hardware-interrupt boost: woken at priority %x, %x after it waited\n",
            woke_pri, pri_after);
}

/* Thread and VM events run in their thread; a priority event's boost gets an outranked VM's
 * thread to run it; thread time-outs too; cancelled ones never run. */
static volatile THREADHANDLE tev_ran_in, pev_ran_in, tto_ran_in;
static volatile uint32_t tev_cancelled_ran, pev_pri;

static void tev_note(void *ref) { (void)ref; tev_ran_in = Get_Cur_Thread_Handle(); }
static void tev_never(void *ref) { (void)ref; tev_cancelled_ran = 1; }
static void pev_note(void *ref)
{
    (void)ref;
    pev_ran_in = Get_Cur_Thread_Handle();
    pev_pri = ((struct thread *)pev_ran_in)->se.exec_pri;
}
static void tto_note(uint32_t late, void *ref) { (void)late; (void)ref; tto_ran_in = Get_Cur_Thread_Handle(); }

static void test_thread_events(void)
{
    static volatile uint32_t a_spins, b_spins;
    THREADHANDLE a = VMMCreateThread(spinner, (void *)&a_spins, BASE, 100);
    VMHANDLE v = Create_VM(100);
    THREADHANDLE b = VMMCreateThreadInVM(v, spinner, (void *)&b_spins, BASE - 1);  /* outranked */
    CHECK(a && v && b, "a spinner, and a VM whose thread the spinner outranks");
    irq_disable();
    EVENTHANDLE e1 = Schedule_Thread_Event(a, tev_note, 0);
    EVENTHANDLE e2 = Schedule_Thread_Event(a, tev_never, 0);
    CHECK(e1 && e2 && Cancel_Thread_Event(a, e2), "Schedule_Thread_Event, Cancel_Thread_Event");
    EVENTHANDLE e3 = Call_Priority_VM_Event(TIME_CRITICAL_BOOST, v, PEF_ALWAYS_SCHED, 0, pev_note, 0);
    CHECK(e3 != 0, "Call_Priority_VM_Event");
    CHECK(!Call_Priority_VM_Event(0, v, 0x100, 0, pev_note, 100), "an unknown PEF_ flag refused");
    CHECK(Set_Thread_Time_Out(tto_note, 30, a, 0) != 0, "Set_Thread_Time_Out");
    irq_enable();
    thread_sleep(60);
    CHECK(tev_ran_in == a && !tev_cancelled_ran, "the thread event ran in its thread; the "
          "cancelled one never");
    CHECK(pev_ran_in == b && pev_pri == BASE - 1 + 0, "the priority event ran in the VM's "
          "thread, which the boost got onto the CPU (and it was taken back as it ran)");
    CHECK(tto_ran_in == a, "the thread time-out ran in its thread");
    VMMTerminateThread(a);
    Destroy_VM(v);
    thread_sleep(2);
    kprintf("schedtest: thread and VM events ran in their threads (%s)\n",
            tev_ran_in == a && pev_ran_in == b && tto_ran_in == a ? "all three" : "NOT all");
}

/* Call_When_Not_Critical waits for the critical section; End_Crit_And_Suspend leaves it and
 * suspends the caller's VM until Resume_VM. */
static volatile uint32_t not_crit_ran, ecs_back;
static void on_not_crit(void *ref) { not_crit_ran = (uint32_t)ref; }
static void ecs_thread(void *arg)
{
    (void)arg;
    Begin_Critical_Section(0);
    End_Crit_And_Suspend();
    ecs_back = 1;
}

static void test_crit(void)
{
    Begin_Critical_Section(0);
    CHECK(Call_When_Not_Critical(on_not_crit, (void *)7), "Call_When_Not_Critical");
    CHECK(not_crit_ran == 0, "not while the critical section is held");
    End_Critical_Section();
    CHECK(not_crit_ran == 7, "run as End_Critical_Section frees it");
    CHECK(!End_Crit_And_Suspend(), "End_Crit_And_Suspend in the system VM refused");
    VMHANDLE v = Create_VM(100);
    VMMCreateThreadInVM(v, ecs_thread, 0, BASE);
    thread_sleep(10);
    CHECK(ecs_back == 0 && !Call_When_Not_Critical(0, 0), "suspended inside End_Crit_And_Suspend");
    CHECK(Call_When_Not_Critical(on_not_crit, (void *)8) && not_crit_ran == 8,
          "the critical section is free again");
    CHECK(Resume_VM(v), "Resume_VM");
    thread_sleep(10);
    CHECK(ecs_back == 1, "and back from it once the VM resumed");
    Destroy_VM(v);
    kprintf("schedtest: Call_When_Not_Critical and End_Crit_And_Suspend: %s\n",
            not_crit_ran == 8 && ecs_back ? "ok" : "FAILED");
}


/* Inheritance along a chain: H waits for M1, owned by A, who waits for M2, owned by B; M, above
 * A and B, never yields.  B must run at H's priority to let A and so H go on. */
static MUTEXHANDLE m1, m2;
static volatile uint32_t b_pri_max, chain_h_done, chain_b_done;

static void chain_b(void *arg)
{
    (void)arg;
    _EnterMutex(m2, 0);
    thread_sleep(10);                   /* A comes to wait for M2, H for M1 */
    uint64_t until = rdtsc() + timer.tsc_hz / 50;      /* 20 ms of work inside */
    while (rdtsc() < until) {
        uint32_t p = ((struct thread *)Get_Cur_Thread_Handle())->se.exec_pri;
        if (p > b_pri_max)
            b_pri_max = p;
    }
    _LeaveMutex(m2);
    chain_b_done = 1;
}

static void chain_a(void *arg)
{
    (void)arg;
    _EnterMutex(m1, 0);
    _EnterMutex(m2, 0);                 /* B has it */
    _LeaveMutex(m2);
    _LeaveMutex(m1);
}

static void chain_h(void *arg)
{
    (void)arg;
    _EnterMutex(m1, 0);
    _LeaveMutex(m1);
    chain_h_done = 1;
}

/* A deadlock is refused: D holds mb and waits for ma, which the driver holds; the driver asking
 * for mb would close the cycle. */
static MUTEXHANDLE ma, mb;
static volatile uint32_t d_done;
static void deadlocker(void *arg)
{
    (void)arg;
    _EnterMutex(mb, 0);
    _EnterMutex(ma, 0);
    _LeaveMutex(ma);
    _LeaveMutex(mb);
    d_done = 1;
}

/* A thread that ends owning a mutex: its waiter gets it. */
static MUTEXHANDLE mz;
static volatile uint32_t w_got;
static void abandoner(void *arg)
{
    (void)arg;
    _EnterMutex(mz, 0);
    thread_sleep(20);                   /* and ends without leaving it */
}
static void mz_waiter(void *arg)
{
    (void)arg;
    _EnterMutex(mz, 0);
    w_got = _GetMutexOwner(mz) == Get_Cur_Thread_Handle();
    _LeaveMutex(mz);
}

static void test_mutex_chain(void)
{
    m1 = _CreateMutex(0, 0);
    m2 = _CreateMutex(0, 0);
    THREADHANDLE b = VMMCreateThread(chain_b, 0, BASE, 100);
    thread_sleep(3);                    /* B takes M2 */
    VMMCreateThread(chain_a, 0, BASE, 100);
    thread_sleep(3);                    /* A takes M1 and waits for M2 (B sleeps) */
    CHECK(_GetMutexOwner(m2) == b && _GetMutexOwner(m1) != 0, "B owns M2, A owns M1");
    static volatile uint32_t spins;
    THREADHANDLE m = VMMCreateThread(spinner, (void *)&spins, BASE + LOW_PRI_DEVICE_BOOST, 100);
    VMMCreateThread(chain_h, 0, BASE + HIGH_PRI_DEVICE_BOOST, 100);
    thread_sleep(200);
    uint32_t done = chain_h_done;
    CHECK(done, "H got M1 through the chain while M spun");
    CHECK(b_pri_max == BASE + HIGH_PRI_DEVICE_BOOST, "B, two waits away, ran at H's priority");
    CHECK(!chain_b_done, "and, back at its own, is outranked by M again");
    VMMTerminateThread(m);
    thread_sleep(2);
    CHECK(chain_b_done && _DestroyMutex(m1) && _DestroyMutex(m2), "with M gone B ends; both free");

    ma = _CreateMutex(0, 0);
    mb = _CreateMutex(0, 0);
    _EnterMutex(ma, 0);
    VMMCreateThread(deadlocker, 0, BASE, 100);
    thread_sleep(3);                    /* D holds mb, waits for ma */
    CHECK(!_EnterMutex(mb, 0), "a wait that would deadlock is refused");
    _LeaveMutex(ma);
    thread_sleep(3);
    CHECK(d_done && _DestroyMutex(ma) && _DestroyMutex(mb), "and the other thread goes on");

    mz = _CreateMutex(0, 0);
    VMMCreateThread(abandoner, 0, BASE, 100);
    thread_sleep(3);
    VMMCreateThread(mz_waiter, 0, BASE, 100);
    thread_sleep(40);
    CHECK(w_got && _GetMutexOwner(mz) == 0 && _DestroyMutex(mz),
          "a mutex whose owner ended went to its waiter");
    kprintf("schedtest: mutex chain: %s (B ran at priority %x); deadlock refused; abandoned "
            "mutex handed on\n", done ? "resolved" : "NOT resolved", b_pri_max);
}

/* Wake_Up_VM ends a VM's sleep early; Adjust_Execution_Time moves its threads' turns. */
static volatile uint32_t woke_at;
static void long_sleeper(void *arg)
{
    (void)arg;
    thread_sleep(10000);
    woke_at = Get_System_Time();
}

static void test_wake_adjust(void)
{
    VMHANDLE v = Create_VM(100);
    THREADHANDLE t = VMMCreateThreadInVM(v, long_sleeper, 0, BASE);
    thread_sleep(3);
    uint32_t t0 = Get_System_Time();
    CHECK(woke_at == 0 && Wake_Up_VM(v) == 1, "Wake_Up_VM wakes the VM's one sleeper");
    thread_sleep(2);
    CHECK(woke_at && woke_at - t0 < 5, "which ran at once, not after its 10 s");
    CHECK(Wake_Up_VM(v) == 0 && Wake_Up_VM(0x12345678) == 0, "nothing more to wake; junk refused");

    t = VMMCreateThreadInVM(v, long_sleeper, 0, BASE);
    thread_sleep(3);
    int64_t c0 = ((struct thread *)t)->se.credit, ms = 100 * (int64_t)ms_to_units(1);
    Adjust_Execution_Time(-5, v);
    int64_t c1 = ((struct thread *)t)->se.credit;
    Adjust_Execution_Time(3, v);
    int64_t c2 = ((struct thread *)t)->se.credit;
    Adjust_Execution_Time(100000, v);
    int64_t c3 = ((struct thread *)t)->se.credit;
    Adjust_Execution_Time(1, v);
    CHECK(c1 == c0 - 100 * (int64_t)ms_to_units(5) && c2 == c1 + 100 * (int64_t)ms_to_units(3),
          "Adjust_Execution_Time: -5 ms, +3 ms");
    CHECK(c3 > c2 && ((struct thread *)t)->se.credit == c3, "at most a full slice");
    CHECK(!Adjust_Execution_Time(1, 0x12345678), "a junk VM refused");
    Destroy_VM(v);
    kprintf("schedtest: Wake_Up_VM woke a 10 s sleeper after %u ms; Adjust_Execution_Time "
            "moved its turn by %lld ms\n", woke_at - t0, (long long)((c1 - c0) / ms));
}

/* PEF_TIME_OUT: a priority event waiting for the critical section stops waiting when its time
 * is up (Test_Event_Timed_Out says so inside), passing one that still waits. */
static volatile uint32_t pto_timed_out, pnt_ran, pnt_timed_out = 9;
static volatile uint64_t pto_ran;
static void pto_note(void *ref)
{
    (void)ref;
    pto_ran = rdtsc();
    pto_timed_out = Test_Event_Timed_Out();
}
static void pnt_note(void *ref)
{
    (void)ref;
    pnt_ran = 1;
    pnt_timed_out = Test_Event_Timed_Out();
}

static volatile uint32_t later_timed_out;
static void later_note(void *ref)
{
    (void)ref;
    later_timed_out += Test_Event_Timed_Out();
}

static void test_pef_timeout(void)
{
    static volatile uint32_t a_spins, b_spins;
    THREADHANDLE a = VMMCreateThread(spinner, (void *)&a_spins, BASE, 100);
    VMHANDLE v = Create_VM(100);
    VMMCreateThreadInVM(v, spinner, (void *)&b_spins, BASE - 1);   /* outranked by a */
    Begin_Critical_Section(0);
    EVENTHANDLE e1 = Call_Priority_VM_Event(HIGH_PRI_DEVICE_BOOST, v, PEF_WAIT_NOT_CRIT, 0,
                                            pnt_note, 0);
    uint32_t f = irq_save();
    uint64_t due = clock_due(20);
    EVENTHANDLE e2 = Call_Priority_VM_Event(HIGH_PRI_DEVICE_BOOST, v,
                                            PEF_WAIT_NOT_CRIT | PEF_TIME_OUT, 0, pto_note, 20);
    irq_restore(f);
    CHECK(e1 && e2, "two priority events waiting for the critical section, one with PEF_TIME_OUT");
    thread_sleep(40);
    CHECK(within_tick(pto_ran, due) && pto_timed_out == 1,
          "the PEF_TIME_OUT one ran at the first tick its 20 ms were up, timed out");
    CHECK(pnt_ran == 0, "the other still waits");
    End_Critical_Section();
    thread_sleep(3);
    CHECK(pnt_ran && pnt_timed_out == 0, "and runs, not timed out, once the section is free");
    VMMTerminateThread(a);
    Destroy_VM(v);
    /* The pool gives nodes back last in, first out: the timed-out one's is among the next. */
    for (int i = 0; i < 16; i++)
        Schedule_Global_Event(later_note, 0);
    thread_sleep(3);
    CHECK(later_timed_out == 0, "global events on the nodes given back: none timed out (the "
          "node's flag stayed set)");
    kprintf("schedtest: PEF_TIME_OUT: ran timed out %u us after due\n", late_us(pto_ran, due));
}

static void test_refusals(void)
{
    CHECK(!VMMTerminateThread(0x12345678), "terminating a junk handle refused");
    CHECK(!Validate_Thread_Handle(0x12345678), "a junk handle is not a thread");
    CHECK(Validate_Thread_Handle(Get_Cur_Thread_Handle()), "the current thread is one");
    CHECK(!Set_Time_Slice_Priority(Get_Cur_Thread_Handle(), 0), "time-slice priority 0 refused");
    CHECK(!Wait_Semaphore(0x12345678, 0), "waiting on a junk semaphore refused");
    CHECK(!Create_Semaphore(-1), "a negative token count refused");
}

/* ---- [Debug] TimeTest=1: time that is never lost --------------------------------------------
 * Run without icount while the host is loaded (run.sh boots several at once), so that timer
 * interrupts come late and merge.  Every time service keeps time by the TSC: a sleep lasts what
 * it asked, by the TSC; a time-out runs at the first tick past its due time and is told its real
 * lateness; CPU shares hold.  The figures are printed; the checks are issue 15's bounds. */

#define CHAIN 50                            /* 40 ms time-outs, each set by the one before */
static volatile uint32_t chain_n, chain_told[CHAIN];
static volatile uint64_t chain_due[CHAIN], chain_ran[CHAIN];

static void chain_step(uint32_t late_ms, void *ref)
{
    uint32_t i = (uint32_t)ref;
    chain_ran[i] = rdtsc();
    chain_told[i] = late_ms;
    chain_n = i + 1;
    if (i + 1 < CHAIN) {
        chain_due[i + 1] = clock_due(40);
        Set_Global_Time_Out(chain_step, 40, (void *)(i + 1));
    }
}

static void time_sleep(void)
{
    uint64_t k0 = timer.ticks, t0 = rdtsc();
    uint32_t s0 = Get_System_Time();
    thread_sleep(3000);
    uint64_t t1 = rdtsc(), k1 = timer.ticks;
    uint32_t s1 = Get_System_Time();
    uint32_t us = late_us(t1, t0), ms = us / 1000;
    CHECK(ms >= 3000 && ms <= 3060, "a 3000 ms sleep lasted 3000 ms + 2 % by the TSC");
    CHECK(s1 - s0 + 1 >= ms && s1 - s0 <= ms + 1, "Get_System_Time agrees with the TSC");
    kprintf("timetest: thread_sleep(3000) lasted %u.%03u ms by the TSC, %u ms by Get_System_Time; "
            "%u timer interrupts taken of %u at %u Hz\n", ms, us % 1000, s1 - s0,
            (uint32_t)(k1 - k0), (uint32_t)((uint64_t)us * timer.hz / 1000000), timer.hz);
}

static void time_outs(void)
{
    uint64_t period = timer.tsc_hz / timer.hz;
    chain_n = 0;
    chain_due[0] = clock_due(40);
    CHECK(Set_Global_Time_Out(chain_step, 40, 0) != 0, "Set_Global_Time_Out");
    for (int i = 0; i < 100 && chain_n < CHAIN; i++)
        thread_sleep(100);
    CHECK(chain_n == CHAIN, "every time-out of the chain ran");
    uint32_t early = 0, told_over = 0, told_under = 0, in_tick = 0, min = ~0u, max = 0;
    uint64_t sum = 0;
    for (uint32_t i = 0; i < chain_n; i++) {
        uint64_t d = chain_ran[i] - chain_due[i];
        uint32_t us = late_us(chain_ran[i], chain_due[i]), ms = clock_late_ms(chain_ran[i],
                                                                             chain_due[i]);
        early += (int64_t)d < 0;
        told_over += chain_told[i] > ms;
        told_under += chain_told[i] + 1 < ms;
        in_tick += within_tick(chain_ran[i], chain_due[i]);
        min = us < min ? us : min;
        max = us > max ? us : max;
        sum += us;
    }
    CHECK(!early, "no time-out ran before its 40 ms were up");
    /* Told as the procedure is called, measured by it just after: the same whole ms or one
     * less -- but for a host that stopped the QEMU in between (one in ten allowed). */
    CHECK(!told_over, "none was told it was later than it was");
    CHECK(told_under * 10 <= chain_n, "nine in ten were told their lateness to the ms");
    /* Within one tick of due, but for the ticks the host delayed (a QEMU not scheduled for a
     * while takes its timer interrupt late, whatever the VMM does): at least half of them. */
    CHECK(in_tick * 2 >= chain_n, "most ran within one tick of due");
    kprintf("timetest: %u time-outs of 40 ms, each set by the one before: late min %u us, mean "
            "%u us, max %u us; %u within one tick of due (a %u us period and a quarter's slack), "
            "%u early; told its lateness to the ms in %u, more in %u, less in %u\n", chain_n, min,
            (uint32_t)(sum / (chain_n ? chain_n : 1)), max, in_tick, late_us(period, 0), early,
            chain_n - told_over - told_under, told_over, told_under);
}

void timetest_run(void)
{
    T.name = "timetest";
    kprintf("timetest: start\n");
    irq_enable();
    THREADHANDLE me = Get_Cur_Thread_Handle();
    Adjust_Exec_Priority(me, TIME_CRITICAL_BOOST);
    time_sleep();
    time_outs();
    uint32_t pm[3];
    uint64_t woke, due;
    if (!shares(pm, &woke, &due)) {
        check_shares("timetest", pm);
        kprintf("timetest: the driver ran %u us after its 2000 ms were up\n", late_us(woke, due));
    }
    Adjust_Exec_Priority(me, -(int32_t)TIME_CRITICAL_BOOST);
    irq_disable();
    selftest_end(&T);
}

void schedtest_run(void)
{
    kprintf("schedtest: start\n");
    irq_enable();
    THREADHANDLE me = Get_Cur_Thread_Handle();
    CHECK(Adjust_Exec_Priority(me, TIME_CRITICAL_BOOST), "the driver boosts itself");
    test_refusals();
    test_shares();
    test_pingpong();
    test_churn();
    test_inversion();
    test_events();
    test_vms();
    test_destroy_big();
    test_ids();
    test_focus();
    test_hw_boost();
    test_thread_events();
    test_crit();
    test_mutex_chain();
    test_wake_adjust();
    test_pef_timeout();
    Adjust_Exec_Priority(me, -(int32_t)TIME_CRITICAL_BOOST);
    irq_disable();
    selftest_end(&T);
}
