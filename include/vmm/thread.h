/*
 * Threads and semaphores: the DDK's ring-0 thread services (VMMCreateThread-like), execution and
 * time-slice priorities, and semaphores.  Every service here may be called with interrupts on
 * or off (each saves the flag, works with interrupts off, and restores it); a call that must
 * wait (Wait_Semaphore, Release_Time_Slice, thread_sleep) switches threads at once.
 *
 * Threads run their own code with interrupts on, so the timer preempts them: a thread that
 * never yields still shares the CPU.  The page and heap services protect themselves the same
 * way; a list is its owner's to serialise.
 */
#ifndef VMM_THREAD_H
#define VMM_THREAD_H
#include <stdint.h>

typedef uint32_t THREADHANDLE;      /* 0: none */

/* Execution-priority boosts (the DDK's, VMM.INC): a thread's execution priority is a base plus
 * these; the primary scheduler runs the ready thread with the highest sum. */
#define RESERVED_LOW_BOOST     0x00000001u
#define CUR_RUN_VM_BOOST       0x00000004u
#define LOW_PRI_DEVICE_BOOST   0x00000010u
#define HIGH_PRI_DEVICE_BOOST  0x00001000u
#define CRITICAL_SECTION_BOOST 0x00100000u
#define TIME_CRITICAL_BOOST    0x00400000u
#define RESERVED_HIGH_BOOST    0x40000000u

typedef uint32_t SEMHANDLE;

/* Creates a thread running fn(arg) on a guarded ring-0 stack, ready at once with the given
 * execution priority and time-slice priority (1..10000; 100 foreground, 50 background).  When
 * fn returns the thread terminates.  0 when out of memory or refused. */
THREADHANDLE VMMCreateThread(void (*fn)(void *), void *arg, uint32_t exec_pri, uint32_t weight);
/* Ends a thread (itself too: then it does not return).  Its stack and control block are freed
 * once another thread runs. */
uint32_t VMMTerminateThread(THREADHANDLE t);
THREADHANDLE Get_Cur_Thread_Handle(void);
uint32_t Validate_Thread_Handle(THREADHANDLE t);
uint32_t Adjust_Exec_Priority(THREADHANDLE t, int32_t delta);   /* 0 if refused */
uint32_t Set_Time_Slice_Priority(THREADHANDLE t, uint32_t weight);
uint32_t Get_Time_Slice_Priority(THREADHANDLE t);
void     Release_Time_Slice(void);                      /* the rest of the slice to equals */
void     thread_sleep(uint32_t ms);                     /* blocks for ms timer milliseconds */

/* Semaphores (the DDK's Create_Semaphore ... Signal_Semaphore_No_Switch).  Waiters wake in
 * FIFO order; Signal_Semaphore switches to the woken thread at once when its execution
 * priority is higher than the signaller's; Signal_Semaphore_No_Switch never switches (safe in
 * interrupt handlers: the switch happens on the way out if it is due). */
#define BLOCK_SVC_INTS           0x0001u    /* accepted; interrupts are serviced while blocked */
#define BLOCK_SVC_IF_INTS_LOCKED 0x0002u
#define BLOCK_ENABLE_INTS        0x0004u
#define BLOCK_POLL               0x0008u
#define BLOCK_THREAD_IDLE        0x0010u
#define BLOCK_FORCE_SVC_INTS     0x0020u
SEMHANDLE Create_Semaphore(int32_t tokens);
uint32_t  Destroy_Semaphore(SEMHANDLE s);               /* refused while threads wait on it */
uint32_t  Wait_Semaphore(SEMHANDLE s, uint32_t flags);
uint32_t  Signal_Semaphore(SEMHANDLE s);
uint32_t  Signal_Semaphore_No_Switch(SEMHANDLE s);

/* Mutexes (the DDK's _CreateMutex, _EnterMutex, _LeaveMutex, _GetMutexOwner, _DestroyMutex):
 * owned by one thread, re-entrant for it.  The owner runs with the mutex's boost added to its
 * execution priority; and while a thread of higher priority waits for the mutex the owner
 * inherits that priority (priority inversion: a thread in between cannot starve the owner and so
 * the waiter), and so does, along a chain of waits (up to 16 deep), the owner of a mutex the
 * owner itself waits for.  What an owner inherited through a mutex goes when it leaves that
 * mutex.  Waiters get the mutex in FIFO order.  _EnterMutex refuses (0, and a line) a wait that
 * would close a cycle -- a deadlock.  A thread that ends owning mutexes hands each to its first
 * waiter (a line says so: what it guarded may be half-changed). */
typedef uint32_t MUTEXHANDLE;
MUTEXHANDLE _CreateMutex(uint32_t boost, uint32_t flags);
uint32_t    _DestroyMutex(MUTEXHANDLE m);       /* refused while owned */
uint32_t    _EnterMutex(MUTEXHANDLE m, uint32_t flags);
uint32_t    _LeaveMutex(MUTEXHANDLE m);         /* refused unless the caller owns it */
THREADHANDLE _GetMutexOwner(MUTEXHANDLE m);

/* The VMM's critical section (Begin_Critical_Section / End_Critical_Section): one mutex with
 * CRITICAL_SECTION_BOOST, re-entrant for its owner. */
void Begin_Critical_Section(uint32_t flags);
void End_Critical_Section(void);
/* Call_When_Not_Critical: proc(ref) runs when nobody is in the critical section -- at once if
 * nobody is, else as End_Critical_Section frees it (16 pending at most).  End_Crit_And_Suspend:
 * the caller, in the critical section once, leaves it and its VM is suspended (not the system
 * VM's); it returns when the VM is resumed. */
uint32_t Call_When_Not_Critical(void (*proc)(void *ref), void *ref);
uint32_t End_Crit_And_Suspend(void);

/* _BlockOnID / _SignalID: the caller blocks until some thread signals the same 32-bit ID (any
 * value the two agree on, an address typically); a signal wakes every thread blocked on it and
 * is lost if none is (use a semaphore to count).  Call_When_Idle: proc(ref) runs in the idle
 * thread when nothing else is ready, once per call (up to 16 pending). */
uint32_t _BlockOnID(uint32_t id, uint32_t flags);
uint32_t _SignalID(uint32_t id);                        /* the number of threads woken */
uint32_t Call_When_Idle(void (*proc)(void *ref), void *ref);

/* Events and time-outs (Schedule_Global_Event, Cancel_Global_Event, Set_Global_Time_Out,
 * Cancel_Time_Out).  A global event's procedure runs soon, in thread context, never inside an
 * interrupt and never nested in another event's: one event thread, above every other priority,
 * runs them one at a time in the order scheduled.  Scheduling and cancelling may be done from
 * interrupt handlers.  A time-out's procedure runs the same way once its milliseconds have
 * passed (whole timer ticks), told how late it is.  Events and time-outs share a pool of 256;
 * a full pool is refused (handle 0, and a line saying so). */
typedef uint32_t EVENTHANDLE;
typedef uint32_t TIMEOUTHANDLE;
typedef void (*event_proc)(void *ref);
typedef void (*timeout_proc)(uint32_t late_ms, void *ref);
EVENTHANDLE   Schedule_Global_Event(event_proc proc, void *ref);
uint32_t      Cancel_Global_Event(EVENTHANDLE e);       /* 0 if it ran or was never one */
TIMEOUTHANDLE Set_Global_Time_Out(timeout_proc proc, uint32_t ms, void *ref);
uint32_t      Cancel_Time_Out(TIMEOUTHANDLE t);         /* 0 if it fired or was never one */

/* Thread and VM events: the procedure runs in the target thread's context the next time that
 * thread runs (a VM's: its first thread's), after what it was doing when it last stopped,
 * never nested in another of its events.  Call_Priority_VM_Event also boosts the thread by
 * `boost` until the event runs (PEF_DONT_UNBOOST: for good), calls at once when the target is
 * the caller and nothing stands in the way (unless PEF_ALWAYS_SCHED; the handle is then 0),
 * with PEF_WAIT_NOT_CRIT waits while another thread is in the critical section, and with
 * PEF_TIME_OUT stops waiting for that once timeout_ms have passed: it then runs the next time
 * its thread runs, and Test_Event_Timed_Out returns 1 inside it (the DDK's carry flag).
 * PEF_WAIT_FOR_STI is always met (threads run with interrupts on).  Thread and VM time-outs
 * fire as thread events. */
#define PEF_WAIT_FOR_STI     0x0001u
#define PEF_WAIT_NOT_CRIT    0x0002u
#define PEF_DONT_UNBOOST     0x0004u
#define PEF_ALWAYS_SCHED     0x0008u
#define PEF_TIME_OUT         0x0010u
#define PEF_SUPPORTED        (PEF_WAIT_NOT_CRIT | PEF_DONT_UNBOOST | PEF_ALWAYS_SCHED | \
                              PEF_WAIT_FOR_STI | PEF_TIME_OUT)
EVENTHANDLE   Schedule_Thread_Event(THREADHANDLE t, event_proc proc, void *ref);
EVENTHANDLE   Schedule_VM_Event(uint32_t vm, event_proc proc, void *ref);
EVENTHANDLE   Call_Priority_VM_Event(uint32_t boost, uint32_t vm, uint32_t flags, void *ref,
                                     event_proc proc, uint32_t timeout_ms);
uint32_t      Cancel_Thread_Event(THREADHANDLE t, EVENTHANDLE e);
uint32_t      Cancel_VM_Event(uint32_t vm, EVENTHANDLE e);
uint32_t      Cancel_Priority_VM_Event(EVENTHANDLE e);
uint32_t      Test_Event_Timed_Out(void);       /* in an event procedure: PEF_TIME_OUT expired */
TIMEOUTHANDLE Set_Thread_Time_Out(timeout_proc proc, uint32_t ms, THREADHANDLE t, void *ref);
TIMEOUTHANDLE Set_VM_Time_Out(timeout_proc proc, uint32_t ms, uint32_t vm, void *ref);

#endif
