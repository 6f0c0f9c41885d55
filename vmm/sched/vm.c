/* Virtual machines: see include/vmm/vm.h.  A VM is a control block (cb_s first), a memory context
 * and the threads whose `vm` is it; VMs form a circular list from the system VM. */
#include <stddef.h>
#include "int/fault.h"
#include "sched/sched.h"
#include "vmm/vm.h"
#include "vmm/thread.h"
#include "vmm/page.h"
#include "mem/heapsvc.h"
#include "mem/page.h"
#include "console/console.h"
#include "x86/x86.h"
#include "vmm.h"

#define VM_MAGIC 0x564D4D56u            /* "VMMV" */

static struct vm sys_vm, *focus = &sys_vm;
static uint32_t next_vmid = 1, nvms;
static struct { control_proc proc; void *ref; } ctl[64];
static unsigned nctl;

uint32_t VMM_Register_Control(control_proc proc, void *ref)
{
    if (!proc || nctl == sizeof ctl / sizeof ctl[0]) {
        return refused("VMM_Register_Control", CALLER, "%s",
                       proc ? "64 handlers already" : "no procedure");
    }
    ctl[nctl].proc = proc;
    ctl[nctl++].ref = ref;
    return 1;
}

unsigned vm_purge_controls(uint32_t lo, uint32_t hi)
{
    INTS_OFF();
    unsigned n = 0;
    for (unsigned i = nctl; i-- > 0;)
        if ((uint32_t)ctl[i].proc - lo < hi - lo) {
            for (unsigned j = i; j + 1 < nctl; j++)
                ctl[j] = ctl[j + 1];
            nctl--;
            n++;
        }
    return n;
}

uint32_t VMM_Unregister_Control(control_proc proc, void *ref)
{
    for (unsigned i = 0; i < nctl; i++)
        if (ctl[i].proc == proc && ctl[i].ref == ref) {
            for (; i + 1 < nctl; i++)
                ctl[i] = ctl[i + 1];
            nctl--;
            return 1;
        }
    return refused("VMM_Unregister_Control", CALLER, "not registered");
}

/* Sends msg to every handler in order; stops at the first that fails it (nonzero). */
int vm_send(uint32_t msg, struct vm *vm, uint32_t arg)
{
    for (unsigned i = 0; i < nctl;) {
        control_proc proc = ctl[i].proc;
        uint32_t ret;
        switch (foreign_call((void *)proc, &ret, "VMM_Register_Control procedure", msg,
                             (uint32_t)vm, arg, (uint32_t)ctl[i].ref, 0)) {
        case FOREIGN_DIRECT:
            ret = (uint32_t)proc(msg, (VMHANDLE)vm, arg, ctl[i].ref);
            break;
        case FOREIGN_ABANDONED:
            ret = 0;                    /* its VxD goes; the message goes on to the others */
        }
        if (ret)
            return 1;
        if (i < nctl && ctl[i].proc == proc)
            i++;                        /* else it was taken out: the next is at i now */
    }
    return 0;
}

const struct vm_v86_ops *vm_v86;
uint32_t vm_v86_local_vms;

struct vm *vm_of(VMHANDLE h)
{
    return h == (VMHANDLE)&sys_vm ? &sys_vm : HANDLE_OF(struct vm, h, VM);  /* sys_vm: static */
}

struct vm *vm_system(void) { return &sys_vm; }

static uint32_t cb_area_used;

uint32_t _Allocate_Device_CB_Area(uint32_t nbytes, uint32_t flags)
{
    INTS_OFF();
    uint32_t at = (cb_area_used + 7) & ~7u;
    if (flags || !nbytes || at > VM_CB_AREA_SIZE || nbytes > VM_CB_AREA_SIZE - at ||
        sys_vm.next != &sys_vm)
        return refused("_Allocate_Device_CB_Area", CALLER, "%u bytes (flags %x): %u of the "
                       "control block's %u left, or VMs made already", nbytes, flags,
                       at > VM_CB_AREA_SIZE ? 0 : VM_CB_AREA_SIZE - at, VM_CB_AREA_SIZE);
    cb_area_used = at + nbytes;
    return (uint32_t)offsetof(struct vm, cb_area) + at;
}

int vm_init(void)
{
    sys_vm.cb.CB_Signature = VMCB_ID;
    sys_vm.cb.CB_VMID = next_vmid++;
    sys_vm.magic = VM_MAGIC ^ (uint32_t)&sys_vm;
    sys_vm.context = page_context_current();
    sys_vm.weight = sys_vm.fg_weight = 100;
    sys_vm.bg_weight = 50;
    sys_vm.next = sys_vm.prev = &sys_vm;
    nvms = 1;
    return 0;
}

static void vm_link(struct vm *v)
{
    v->prev = sys_vm.prev;
    v->next = &sys_vm;
    sys_vm.prev->next = v;
    sys_vm.prev = v;
    nvms++;
}

static void vm_unlink(struct vm *v)
{
    v->prev->next = v->next;
    v->next->prev = v->prev;
    nvms--;
}

/* What v has, given back.  windows: interrupts were on before the caller turned them off (v
 * is out of every service's reach, no longer a VM to anyone): the page services may let one in
 * at safe points of the long teardown (page_windows). */
static void vm_free(struct vm *v, int windows)
{
    if (focus == v)
        focus = &sys_vm;
    v->magic = 0;
    page_windows(windows);
    if (v->v86)
        vm_v86->destroy(v);             /* before its context and its PG_VM pages go */
    page_free_owner((uint32_t)v);
    if (v->context)
        _ContextDestroy(v->context);
    page_windows(0);
    _HeapFree(v, 0);
}

VMHANDLE Create_VM(uint32_t weight)
{
    INTS_OFF();
    if (weight < 1 || weight > 10000)
        return refused("Create_VM", CALLER, "weight %u outside 1..10000", weight);
    struct vm *v = _HeapAllocate(sizeof *v, HEAPZEROINIT);
    if (!v)
        return refused("Create_VM", CALLER, "no memory for a VM");
    v->cb.CB_Signature = VMCB_ID;
    v->cb.CB_VMID = next_vmid++;
    v->cb.CB_VM_Status = VMSTAT_CREATING;
    v->magic = VM_MAGIC ^ (uint32_t)v;
    v->weight = v->fg_weight = v->bg_weight = weight;
    page_windows(INTS_WERE_ON());           /* v is nobody's yet: interrupts may come in */
    v->context = _ContextCreate();
    int made = v->context && !(vm_v86 && vm_v86->create(v));
    page_windows(0);
    if (!made) {
        int ctx = v->context != 0;
        vm_free(v, 0);                          /* what it has so far (v86: none yet) */
        return refused("Create_VM", CALLER, "%s", ctx ? "no V86 space (the reason above)"
                                                      : "no memory context (out of memory)");
    }
    vm_link(v);
    uint32_t why = vm_send(CREATE_VM, v, 0) ? VNE_CREATEFAIL
                 : vm_send(VM_CRITICAL_INIT, v, 0) ? VNE_CRINITFAIL
                 : vm_send(VM_INIT, v, 0) ? VNE_INITFAIL : 0;
    if (why) {
        v->cb.CB_VM_Status |= VMSTAT_NOT_EXECUTEABLE;
        vm_send(VM_NOT_EXECUTEABLE, v, why);
        vm_send(DESTROY_VM, v, 0);
        vm_unlink(v);
        vm_free(v, 0);
        return refused("Create_VM", CALLER, "a device failed its %s message",
                       why == VNE_CREATEFAIL ? "Create_VM" : why == VNE_CRINITFAIL
                       ? "VM_Critical_Init" : "VM_Init");
    }
    v->cb.CB_VM_Status &= ~VMSTAT_CREATING;
    return (VMHANDLE)v;
}

/* The destroy path; the VM is not the caller's and not the system VM. */
static void destroy(struct vm *v, uint32_t vne, int windows)
{
    v->cb.CB_VM_Status |= VMSTAT_CLOSING;
    if (!(vne & VNE_CRASHED))
        vm_send(VM_TERMINATE, v, 0);
    v->cb.CB_VM_Status |= VMSTAT_NOT_EXECUTEABLE;
    vm_send(VM_NOT_EXECUTEABLE, v, vne);
    thread_end_vm(v);                   /* each thread's Terminate_Thread ... Destroy_Thread */
    vm_send(DESTROY_VM, v, 0);
    vm_unlink(v);
    vm_free(v, windows);
}

uint32_t Destroy_VM(VMHANDLE h)
{
    INTS_OFF();
    uint32_t ok = 0;
    struct vm *v = vm_of(h);
    if (!v || v == &sys_vm || v == thread_cur->vm)
        refused("Destroy_VM", CALLER, "%08x is not a VM, or is the system VM or the caller's", h);
    else {
        destroy(v, 0, INTS_WERE_ON());
        ok = 1;
    }
    return ok;
}

uint32_t Suspend_VM(VMHANDLE h)
{
    INTS_OFF();
    uint32_t ok = 0;
    struct vm *v = vm_of(h);
    if (v && v != &sys_vm && !(v->cb.CB_VM_Status & VMSTAT_SUSPENDED)) {
        v->cb.CB_VM_Status |= VMSTAT_SUSPENDED;
        vm_send(VM_SUSPEND, v, 0);
        thread_suspend_vm(v);
        ok = 1;
    }
    return ok;
}

uint32_t Resume_VM(VMHANDLE h)
{
    INTS_OFF();
    uint32_t ok = 0;
    struct vm *v = vm_of(h);
    if (v && (v->cb.CB_VM_Status & VMSTAT_SUSPENDED) && !vm_send(VM_RESUME, v, 0)) {
        v->cb.CB_VM_Status &= ~VMSTAT_SUSPENDED;
        thread_resume_vm(v);
        ok = 1;
    }
    return ok;
}

static void crashed(void *ref)
{
    struct vm *v = ref;
    if (vm_of((VMHANDLE)v))
        destroy(v, VNE_CRASHED, (read_eflags() & EFLAGS_IF) != 0);   /* the event thread's */
}

void Crash_Cur_VM(void)
{
    irq_disable();
    struct vm *v = thread_cur->vm;
    if (v == &sys_vm && !(vm_v86 && vm_v86->crash_code(v, CALLER))) {
        kprintf("Crash_Cur_VM in the system VM (caller %08x): nothing can go on\n", CALLER);
        vmm_exit(VMM_EXIT_FATAL);
    }
    kprintf("Crash_Cur_VM: VM %u crashed (caller %08x); destroying it\n", v->cb.CB_VMID, CALLER);
    v->cb.CB_VM_Status |= VMSTAT_NOT_EXECUTEABLE;
    thread_suspend_vm(v);               /* none of its threads runs again */
    Schedule_Global_Event(crashed, v);
    thread_switch_now();                /* the event thread outranks everything */
    for (;;)
        halt_forever();                 /* not reached: the VM is gone */
}

uint32_t VMMCreateThreadInVM(VMHANDLE h, void (*fn)(void *), void *arg, uint32_t exec_pri)
{
    INTS_OFF();
    struct vm *v = vm_of(h);
    uint32_t t = v ? thread_create_in(v, fn, arg, exec_pri, v->weight) : 0;
    return t;
}

uint32_t Validate_VM_Handle(VMHANDLE h)
{
    INTS_OFF();
    uint32_t ok = vm_of(h) != 0;
    return ok;
}

VMHANDLE Get_Cur_VM_Handle(void) { return (VMHANDLE)thread_cur->vm; }
VMHANDLE Get_Sys_VM_Handle(void) { return (VMHANDLE)&sys_vm; }

VMHANDLE Get_Next_VM_Handle(VMHANDLE h)
{
    INTS_OFF();
    struct vm *v = vm_of(h);
    VMHANDLE n = v ? (VMHANDLE)v->next : 0;
    return n;
}

uint64_t vm_cpu_tsc(VMHANDLE h)
{
    INTS_OFF();
    struct vm *v = vm_of(h);
    uint64_t t = v ? v->cpu_dead + thread_vm_cpu(v) : 0;
    return t;
}

uint32_t vm_count(void) { return nvms; }
uint32_t vm_ids_issued(void) { return next_vmid - 1; }

/* The time-slice priority v's threads run at: foreground with the focus, else background. */
static void reweigh(struct vm *v)
{
    thread_vm_weight(v, v == focus ? v->fg_weight : v->bg_weight);
}

uint32_t Set_VM_Time_Slice_Priority(VMHANDLE h, uint32_t fg, uint32_t bg)
{
    INTS_OFF();
    uint32_t ok = 0;
    struct vm *v = vm_of(h);
    if (v && fg >= 1 && fg <= 10000 && bg >= 1 && bg <= 10000) {
        v->fg_weight = fg;
        v->bg_weight = bg;
        reweigh(v);
        ok = 1;
    } else
        refused("Set_VM_Time_Slice_Priority", CALLER,
                "not a VM, or priorities outside 1..10000");
    return ok;
}

uint32_t Set_Execution_Focus(VMHANDLE h)
{
    INTS_OFF();
    uint32_t ok = 0;
    struct vm *v = vm_of(h);
    if (v) {
        struct vm *old = focus;
        focus = v;
        reweigh(old);
        reweigh(v);
        ok = 1;
    }
    return ok;
}

VMHANDLE Get_Execution_Focus(void) { return (VMHANDLE)focus; }

uint32_t Wake_Up_VM(VMHANDLE h)
{
    INTS_OFF();
    uint32_t n = 0;
    struct vm *v = vm_of(h);
    if (v)
        n = thread_wake_vm(v);
    else
        refused("Wake_Up_VM", CALLER, "%08x is not a VM", h);
    return n;
}

uint32_t Adjust_Execution_Time(int32_t ms, VMHANDLE h)
{
    INTS_OFF();
    struct vm *v = vm_of(h);
    if (!v)
        return refused("Adjust_Execution_Time", CALLER, "%08x is not a VM", h);
    thread_vm_credit(v, ms);
    return 1;
}

void Get_Time_Slice_Info(uint32_t *scheduled, VMHANDLE *cur, uint32_t *idle)
{
    INTS_OFF();
    uint32_t n = 0, idle_n = 0;
    FOR_EACH_VM(v)
        if (!(v->cb.CB_VM_Status & VMSTAT_SUSPENDED)) {
            n++;
            idle_n += thread_vm_ready(v) == 0;
        }
    if (scheduled)
        *scheduled = n;
    if (cur)
        *cur = (VMHANDLE)thread_cur->vm;
    if (idle)
        *idle = idle_n;
}

void vm_set_win_time_slice(uint32_t fg, uint32_t bg)
{
    Set_VM_Time_Slice_Priority((VMHANDLE)&sys_vm, fg, bg);
}
