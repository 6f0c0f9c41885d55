/*
 * The scheduler folder's internal header: what its files share and what the rest of the VMM
 * calls (the boot flow, the VxD manager, the guard, the in-guest tests).  Threads are in
 * sched/thread.h (included); the services VxDs call are in include/vmm/thread.h and
 * include/vmm/vm.h.  Interrupts off unless said otherwise.
 *
 *   thread.c   thread control blocks, the switch, the tick, sleeping, _BlockOnID
 *   vm.c       VMs: control blocks, contexts, control messages, the time-slicer's VM services
 *   event.c    global, VM and thread events and time-outs, run by the event thread
 *   sem.c      semaphores        mutex.c   mutexes with priority inheritance, the critical section
 *   policy.c   which ready thread runs (portable: the primary scheduler and the time-slicer)
 */
#ifndef SCHED_SCHED_H
#define SCHED_SCHED_H
#include <stdint.h>
#include "sched/thread.h"
#include "vmm/vm.h"

/* A VM (include/vmm/vm.h): the DDK's control block first. */
struct v86_space;

struct vm {
    struct cb_s cb;
    uint32_t magic;                 /* VM_MAGIC ^ address while it exists */
    uint32_t context;               /* its memory context */
    uint32_t weight;                /* its threads' time-slice priority now (fg or bg) */
    uint32_t fg_weight, bg_weight;  /* with the execution focus, and without */
    uint64_t cpu_dead;              /* CPU time of its threads that ended */
    struct vm *next, *prev;         /* circular, from the system VM */
    struct v86_space *v86;          /* its V86 address space and state (v86/), once made */
    /* The devices' areas (_Allocate_Device_CB_Area), zero in a new VM. */
    uint8_t cb_area[VM_CB_AREA_SIZE] __attribute__((aligned(8)));
};

/* The V86 layer's side of a VM (v86/v86.h), registered by v86_init; NULL before.  create makes
 * a VM's V86 space before Create_VM is sent (0, or -1 to fail the VM); destroy frees it after
 * Destroy_VM; switch_to runs when the thread switch goes from one VM to another.  Interrupts
 * off. */
struct vm_v86_ops {
    int  (*create)(struct vm *vm);
    void (*destroy)(struct vm *vm);
    void (*switch_to)(struct vm *from, struct vm *to);
    int  (*crash_code)(struct vm *vm, uint32_t caller);     /* Crash_Cur_VM in the system VM */
};
extern const struct vm_v86_ops *vm_v86;
/* VMs with I/O trapping of their own (Enable/Disable_Local_Trapping): while there are none, a
 * VM switch does not call switch_to at all. */
extern uint32_t vm_v86_local_vms;

/* VMs (vm.c). */
int  vm_init(void);                             /* the system VM, before thread_init */
struct vm *vm_system(void);
/* Every VM there is, the system VM first (the ring of vm->next). */
#define FOR_EACH_VM(v) \
    for (struct vm *v = vm_system(); v; v = v->next != vm_system() ? v->next : 0)
struct vm *vm_of(VMHANDLE h);
int  vm_send(uint32_t msg, struct vm *vm, uint32_t arg);    /* nonzero: a handler failed it */
uint64_t vm_cpu_tsc(VMHANDLE vm);               /* CPU time of all its threads, live and ended */
void vm_set_win_time_slice(uint32_t fg, uint32_t bg);   /* SYSTEM.INI WinTimeSlice=, at boot */
uint32_t vm_count(void);                        /* VMs that exist, the system VM included */
uint32_t vm_ids_issued(void);                   /* VMs ever made, the system VM included */

/* Events (event.c). */
int  event_init(void);                          /* the pool and the event thread */
uint32_t event_max_nesting(void);               /* deepest event nesting seen (1: never nested) */
void event_stats_every(uint32_t ms);            /* the account printed every ms (0: never) */
void thread_run_events(void);                   /* the current thread's events */
void thread_drop_events(struct thread *t);      /* a dead thread's */

/* Mutexes and the critical section (mutex.c). */
int  crit_held_by_other(void);                  /* another thread is in the critical section */
int  mutex_abandon(struct thread *t);           /* a thread ending owning mutexes */

/* An unloaded VxD's procedures, code in [lo, hi), out of every table that could call them
 * (with thread_purge): events and time-outs; Call_When_Not_Critical procedures; control
 * registrations.  Each returns how many. */
unsigned event_purge(uint32_t lo, uint32_t hi);
/* The VxD manager's guard for the event and time-out procedures the event code calls: runs
 * proc(a, b) guarded if it is a VxD's (a fault there is reported and the VxD unloaded; the
 * system goes on) and returns 1; 0 if proc is not a VxD's (the caller calls it). */
extern int (*event_guard)(void *proc, uint32_t a, uint32_t b, const char *what);
unsigned mutex_purge(uint32_t lo, uint32_t hi);
/* An unloaded VxD's object, p from heap_find_owned (mem/heap.h), if it is a semaphore (a mutex):
 * destroyed, 1; kept, 0, while a thread waits on it (owns it); -1 if p is no semaphore (no
 * mutex). */
int sem_release_left(void *p);
int mutex_release_left(void *p);
unsigned vm_purge_controls(uint32_t lo, uint32_t hi);

#endif
