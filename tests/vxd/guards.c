/*
 * Hostile VxDs for the boot scenario vxd-guards: each hands the VMM a procedure that page-faults
 * when the VMM calls it, one kind of call each (built once per kind, -DKIND, as G<KIND>.VXD).
 * Every fault must be reported with the file, the kind of call and the place, the device
 * unloaded, and the system go on (each was fatal before: only control procedures, events and
 * time-outs were guarded).
 *
 *   IDLE     a Call_When_Idle procedure (the idle thread calls it)
 *   THREAD   a thread's start routine (VMMCreateThread at Init_Complete)
 *   NMI      a Hook_NMI_Event handler (the harness sends an NMI: interrupt level, so the device
 *            is unloaded by an event afterwards)
 *   NOTCRIT  a Call_When_Not_Critical procedure (run as the critical section ends)
 *   IO       an I/O-trap handler of port 0ECh (the bytes of a word access through Simulate_IO)
 *   VMCTL    a VMM_Register_Control procedure (the next VM created: SHELL's)
 */
#include <stdint.h>
#include <vmm/vxd.h>
#include <vmm/vmmsvc.h>
#include <vmm/int.h>
#include <vmm/thread.h>
#include <vmm/vm.h>

VMM_IMPORT(_Debug_Printf_Service)

#define BAD_ADDRESS 0xC0000040u             /* the VMM's first page: never mapped */
static void fault(const char *what);

#if defined(IDLE)
#define NAME "GIDLE"
#define NAME8 "GIDLE   "
#define ID 0x3F10u
VMM_IMPORT(Call_When_Idle)
static void idle(void *ref) { (void)ref; fault("idle procedure"); }
static void arm(void) { Call_When_Idle(idle, 0); }
#elif defined(THREAD)
#define NAME "GTHREAD"
#define NAME8 "GTHREAD "
#define ID 0x3F11u
VMM_IMPORT(VMMCreateThread)
static void thread(void *arg) { (void)arg; fault("thread"); }
static void arm(void) { VMMCreateThread(thread, 0, CUR_RUN_VM_BOOST, 100); }
#elif defined(NMI)
#define NAME "GNMI"
#define NAME8 "GNMI    "
#define ID 0x3F12u
VMM_IMPORT(Hook_NMI_Event)
static int nmi(struct client_regs *r, void *ref)
{
    (void)r, (void)ref;
    fault("NMI handler");
    return 0;
}
static void arm(void) { Hook_NMI_Event(nmi, 0); }
#elif defined(NOTCRIT)
#define NAME "GNOTCRIT"
#define NAME8 "GNOTCRIT"
#define ID 0x3F13u
VMM_IMPORT(Begin_Critical_Section)
VMM_IMPORT(End_Critical_Section)
VMM_IMPORT(Call_When_Not_Critical)
static void notcrit(void *ref) { (void)ref; fault("not-critical procedure"); }
static void arm(void)
{
    Begin_Critical_Section(0);
    Call_When_Not_Critical(notcrit, 0);
    End_Critical_Section();
}
#elif defined(IO)
#define NAME "GIO"
#define NAME8 "GIO     "
#define ID 0x3F14u
VMM_IMPORT(Install_IO_Handler)
VMM_IMPORT(Simulate_IO)
VMM_IMPORT(Get_Sys_VM_Handle)
static uint32_t io(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                   struct client_regs *r)
{
    (void)vm, (void)type, (void)port, (void)data, (void)r;
    fault("I/O-trap handler");
    return 0;
}
static void arm(void)
{
    Install_IO_Handler(0xEC, io);
    uint32_t v = Simulate_IO(Get_Sys_VM_Handle(), Word_IO, 0xEC, 0, 0);
    _Debug_Printf_Service("%s: the word read %08x\n", NAME, v);
}
#elif defined(VMCTL)
#define NAME "GVMCTL"
#define NAME8 "GVMCTL  "
#define ID 0x3F15u
VMM_IMPORT(VMM_Register_Control)
static int ctl(uint32_t msg, VMHANDLE vm, uint32_t arg, void *ref)
{
    (void)vm, (void)arg, (void)ref;
    if (msg == CREATE_VM)
        fault("VM-message procedure");
    return 0;
}
static void arm(void) { VMM_Register_Control(ctl, 0); }
#else
#error "build with one of -DIDLE -DTHREAD -DNMI -DNOTCRIT -DIO -DVMCTL"
#endif

static void fault(const char *what)
{
    _Debug_Printf_Service("%s: my %s runs, and faults\n", NAME, what);
    *(volatile uint32_t *)BAD_ADDRESS = 1;
}

static int control(uint32_t msg, uint32_t vm, uint32_t arg)
{
    (void)vm, (void)arg;
    if (msg == INIT_COMPLETE)
        arm();
    return 0;
}

DECLARE_VIRTUAL_DEVICE(GUARDS_DDB, NAME8, 1, 0, control, ID, 0x70000200u, 0, 0);
