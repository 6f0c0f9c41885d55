/*
 * Virtual machines: the DDK's VM control block, the VM handle services, and the control
 * messages that tell VxDs about VMs and threads as they come and go.  A VM here is a memory
 * context (its private arena) and the threads that run in it; the system VM is created at boot
 * and its first thread is the boot flow.  Call with interrupts on or off (each service saves
 * the flag).
 */
#ifndef VMM_VM_H
#define VMM_VM_H
#include <stdint.h>

typedef uint32_t VMHANDLE;

/* The DDK's control block (cb_s): what VxDs may read.  The VMM's own fields follow it. */
struct cb_s {
    uint32_t CB_VM_Status;
    uint32_t CB_High_Linear;
    uint32_t CB_Client_Pointer;
    uint32_t CB_VMID;
    uint32_t CB_Signature;          /* VMCB_ID */
};
#define VMCB_ID                 0x62634D56u     /* "VMcb" */
#define VMSTAT_EXCLUSIVE        0x00000001u
#define VMSTAT_BACKGROUND       0x00000002u
#define VMSTAT_CREATING         0x00000004u
#define VMSTAT_SUSPENDED        0x00000008u
#define VMSTAT_NOT_EXECUTEABLE  0x00000010u
#define VMSTAT_CLOSING          0x00010000u

/* Control messages (the DDK's numbers) about VMs and threads. */
#define CREATE_VM               0x0007u
#define VM_CRITICAL_INIT        0x0008u
#define VM_INIT                 0x0009u
#define VM_TERMINATE            0x000Au
#define VM_NOT_EXECUTEABLE      0x000Bu
#define DESTROY_VM              0x000Cu
#define VM_SUSPEND              0x000Du
#define VM_RESUME               0x000Eu
#define SYS_VM_INIT             0x0003u
#define SYS_VM_TERMINATE        0x0004u
#define CREATE_THREAD           0x001Du
#define THREAD_INIT             0x001Eu
#define TERMINATE_THREAD        0x001Fu
#define THREAD_NOT_EXECUTEABLE  0x0020u
#define DESTROY_THREAD          0x0021u
/* VMM32's own (the DDK's range for private system messages): the V86 code of a VM that stays --
 * the system VM's -- ended by a crash (arg: VNE_CRASHED).  Its thread is gone, the VMM's V86 state
 * of the VM (pending virtual interrupts, nested executions, A20) is back to its start, the IVT
 * and the VM's own conventional memory are zeros; each device puts its virtual hardware for the
 * VM back to its power-on state, as at VM_Critical_Init, ready for Create_V86_Thread. */
#define VM_V86_RESET            0x70000000u
/* VM_Not_Executeable flags (the second argument) */
#define VNE_CRASHED             0x0001u
#define VNE_NUKED               0x0002u
#define VNE_CREATEFAIL          0x0004u
#define VNE_CRINITFAIL          0x0008u
#define VNE_INITFAIL            0x0010u
#define VNE_CLOSED              0x0020u

/* The registration interface the VxD loader connects: proc(message, vm, thread or flags, ref)
 * returns nonzero to fail a message that may fail (Create_VM, VM_Critical_Init, VM_Init,
 * VM_Resume, Create_Thread), like the DDK's carry.  Handlers are called in registration order
 * (the VxDs' init order).  At most 64. */
typedef int (*control_proc)(uint32_t msg, VMHANDLE vm, uint32_t arg, void *ref);
uint32_t VMM_Register_Control(control_proc proc, void *ref);
uint32_t VMM_Unregister_Control(control_proc proc, void *ref);

/* Creates a VM with its own memory context; its threads get time-slice priority `weight`.
 * Sends Create_VM, VM_Critical_Init, VM_Init; on a failure VM_Not_Executeable (with the
 * VNE_* reason) and Destroy_VM, and returns 0. */
VMHANDLE Create_VM(uint32_t weight);
/* VM_Terminate, VM_Not_Executeable, then every thread's Terminate_Thread ... Destroy_Thread,
 * Destroy_VM; frees the VM's threads, its PG_VM pages, its memory context and its control
 * block.  Refused for the system VM and for the VM of the calling thread. */
uint32_t Destroy_VM(VMHANDLE vm);
uint32_t Suspend_VM(VMHANDLE vm);           /* VM_Suspend: its threads stop being scheduled */
uint32_t Resume_VM(VMHANDLE vm);            /* VM_Resume (may fail): they run again */
/* Crash_Cur_VM: the calling thread's VM is marked crashed and destroyed by the event thread
 * (VM_Not_Executeable with VNE_CRASHED); the call does not return.  In the system VM, from the
 * thread that runs its V86 code: that thread ends and the VM stays (VM_V86_RESET); from any
 * other thread of the system VM it is fatal. */
__attribute__((noreturn)) void Crash_Cur_VM(void);
/* Exit_System (VMM32's own): the system ends as Windows 95's did -- its boot thread sends
 * System_Exit and Sys_Critical_Exit to every device (last in init order first), says so and
 * halts (or reports on [Debug] ExitPort=).  From any thread; returns to the caller, the end
 * comes in the boot thread (after the test suites [Debug] runs, when they run). */
uint32_t Exit_System(const char *why);
/* A thread in vm (VMMCreateThread makes them in the caller's VM). */
uint32_t VMMCreateThreadInVM(VMHANDLE vm, void (*fn)(void *), void *arg, uint32_t exec_pri);

/* _Allocate_Device_CB_Area: nbytes of every VM's control block for the caller, zero in each new
 * VM; the offset from the VM handle (the device's data of VM h at (char *)h + offset), 0 if
 * refused: flags not 0, or the VMs' VM_CB_AREA_SIZE bytes for all devices used up, or VMs made
 * already (call it at Sys_Critical_Init or Device_Init, as in the DDK). */
#define VM_CB_AREA_SIZE 1024u
uint32_t _Allocate_Device_CB_Area(uint32_t nbytes, uint32_t flags);

uint32_t Validate_VM_Handle(VMHANDLE vm);
VMHANDLE Get_Cur_VM_Handle(void);
VMHANDLE Get_Sys_VM_Handle(void);
VMHANDLE Get_Next_VM_Handle(VMHANDLE vm);   /* circular, from the system VM */

/* The time-slicer's VM services.  A VM's threads run at its foreground time-slice priority
 * while it has the execution focus, at its background one otherwise (Create_VM gives both the
 * same; [386Enh] WinTimeSlice=fg,bg sets the system VM's, default 100,50; the focus starts
 * with the system VM). */
uint32_t Set_VM_Time_Slice_Priority(VMHANDLE vm, uint32_t fg, uint32_t bg);
uint32_t Set_Execution_Focus(VMHANDLE vm);
VMHANDLE Get_Execution_Focus(void);
/* Wake_Up_VM: ends vm's idle state -- its threads sleeping in thread_sleep wake now (the
 * call returns early); the number woken.  Adjust_Execution_Time: ms more (or, negative,
 * less) CPU time for vm's threads' current turns, at most up to a full time slice; less ends a
 * running turn when it runs out.  0 for a bad VM handle. */
uint32_t Wake_Up_VM(VMHANDLE vm);
uint32_t Adjust_Execution_Time(int32_t ms, VMHANDLE vm);
/* VMs the time-slicer schedules (not suspended), the current VM, and how many of those have no
 * thread ready (idle). */
void     Get_Time_Slice_Info(uint32_t *scheduled, VMHANDLE *cur, uint32_t *idle);
/* Set_Time_Slice_Granularity / Get_...: a weight-100 thread's slice, in ms (MinTimeSlice=). */
uint32_t Set_Time_Slice_Granularity(uint32_t ms);
uint32_t Get_Time_Slice_Granularity(void);

#endif
