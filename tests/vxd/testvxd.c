/*
 * The boot tests' VxDs, one source built with a different -D each (Makefile: TEST_VXDS):
 *
 *   USER      calls SAMPLE's services through the dynalink at Init_Complete, hooks one with
 *             Hook_Device_Service and unhooks it, uses the List services, and prints what it got
 *   FAILINIT  fails Device_Init (the DDK's carry)
 *   PFINIT    page-faults in Device_Init
 *   HANG      never returns from Device_Init
 *   HANGCLI   never returns from Device_Init, with interrupts off (`cli; jmp $`): the watchdog's
 *             NMI catches it (it hung the boot with no message)
 *   BLKWAIT   waits in Device_Init on a semaphore nobody signals: cut short after 2 s (it hung
 *             the boot with no message), the semaphore freed with the device
 *   DUPID     has SAMPLE's device ID
 *   VPICDID   has VPICD's device ID (0003h): a file dropped into VMM/VXD that would come
 *             before VPICD.VXD in directory order (the boot test names it AAA.VXD)
 *   BADCALL   calls a service of a device that is not loaded, in Device_Init
 *   WXCODE    writes into its own code in Device_Init (W^X: the text pages are read-only)
 *   CTFAULT   page-faults on Create_Thread (USER creates a thread at Sys_VM_Init: CTFAULT is
 *             unloaded in the middle of the VMM's walk of the devices for another message)
 *   DBLFREE   frees a heap block twice after its pool went back to the page services, and a
 *             pointer inside it: both refused with a line (they used to halt the VMM)
 *   TOFAULT   sets a time-out at Sys_VM_Init whose procedure page-faults 300 ms later, after
 *             'VMM ready': reported, the device unloaded, the system goes on (it was fatal)
 *   NULLCALL  calls through a null function pointer in Device_Init: the report names the caller
 *   DEEP      recurses in Device_Init until its stack overflows: a #DF, contained like a fault
 *             (it was fatal); DEEP2 (-DDEEP -DDEEP2) the same, a second #DF in the same boot
 *   INLJMP    an inline `int 20h` of the jump form (the SDK's stub's, 8000h) used as a call, its
 *             arguments pushed: the service refuses the pointer it finds, and the "return
 *             address" is the string pushed last -- the refusal says it is not code (it named the
 *             caller as `.rodata.str1.1+0x0`); then the service returns into it: a fault
 *   INLJMP2   (-DINLJMP -DINLJMP2) the same form to a device that is not loaded: the dynalink's
 *             report names the site (it named the string as the caller)
 */
#include <stdint.h>
#include <vmm/vxd.h>
#include <vmm/vmmsvc.h>
#include <vmm/int.h>
#include <vmm/thread.h>
#include <vmm/vm.h>
#include <vmm/list.h>
#include "sample.h"

VMM_IMPORT(_Debug_Printf_Service)
VMM_IMPORT(Hook_Device_Service)
VMM_IMPORT(Unhook_Device_Service)
VMM_IMPORT(Get_DDB)

#if defined(USER)
#define NAME8 "USER    "
#define ID    0x3F01u
VMM_IMPORT(VMMCreateThread)
static void worker(void *arg) { (void)arg; }
SAMPLE_IMPORT(SAMPLE_Get_Version)
SAMPLE_IMPORT(SAMPLE_Add)
SAMPLE_IMPORT(SAMPLE_Get_Stats)
VTD_IMPORT(VTD_Get_Version)
VTD_IMPORT(VTD_Get_Interrupt_Period)
VPICD_IMPORT(VPICD_Convert_IRQ_To_Int)
uint32_t VTD_Get_Version(void);
uint32_t VTD_Get_Interrupt_Period(void);
uint32_t VPICD_Convert_IRQ_To_Int(uint32_t irq);

VMM_IMPORT(List_Create)
VMM_IMPORT(List_Destroy)
VMM_IMPORT(List_Allocate)
VMM_IMPORT(List_Deallocate)
VMM_IMPORT(List_Attach)
VMM_IMPORT(List_Attach_Tail)
VMM_IMPORT(List_Insert)
VMM_IMPORT(List_Remove)
VMM_IMPORT(List_Remove_First)
VMM_IMPORT(List_Get_First)
VMM_IMPORT(List_Get_Next)

/* The List services through the dynalink, as an outside VxD calls them: three nodes put in as
 * b, a, c then walked; one removed twice (the second refused); a bad handle refused. */
static void use_lists(void)
{
    static const uint32_t flags[2] = { LF_ALLOC_ERROR, LF_USE_HEAP };
    for (unsigned f = 0; f < 2; f++) {
        HLIST l = List_Create(flags[f], 12);
        char *a = l ? List_Allocate(l) : 0, *b = l ? List_Allocate(l) : 0;
        char *c = l ? List_Allocate(l) : 0;
        if (!a || !b || !c) {
            _Debug_Printf_Service("USER: List_Create/List_Allocate failed (flags %x)\n", flags[f]);
            return;
        }
        a[0] = 'a', b[0] = 'b', c[0] = 'c';
        List_Attach(l, a);                      /* a */
        List_Attach(l, b);                      /* b a */
        List_Attach_Tail(l, c);                 /* b a c */
        char walk[8];
        unsigned n = 0;
        for (char *p = List_Get_First(l); p && n < 7; p = List_Get_Next(l, p))
            walk[n++] = p[0];
        walk[n] = 0;
        uint32_t r1 = List_Remove(l, a), r2 = List_Remove(l, a);
        List_Insert(l, a, b);                   /* b a c again */
        char *first = List_Remove_First(l);
        List_Deallocate(l, first);
        _Debug_Printf_Service("USER: List (flags %x): %s; List_Remove %u then %u; then first %c, "
                              "next %c\n", flags[f], walk, r1, r2, ((char *)List_Get_First(l))[0],
                              ((char *)List_Get_Next(l, List_Get_First(l)))[0]);
        List_Destroy(l);
    }
    List_Attach(0x1234, 0);                     /* not a list: refused */
}

static int (*add_prev)(int, int);
static int add_hook(int a, int b) { return add_prev(a, b) + 100; }

static void use_sample(void)
{
    uint32_t v = SAMPLE_Get_Version();
    int five = SAMPLE_Add(2, 3), again = SAMPLE_Add(2, 3);
    add_prev = Hook_Device_Service((SAMPLE_DEVICE_ID << 16) | SAMPLE_Add_Ord, (void *)add_hook);
    int hooked = SAMPLE_Add(2, 3);
    uint32_t un = Unhook_Device_Service((SAMPLE_DEVICE_ID << 16) | SAMPLE_Add_Ord,
                                        (void *)add_hook);
    int after = SAMPLE_Add(2, 3);
    uint32_t adds, vms;
    SAMPLE_Get_Stats(&adds, &vms);
    _Debug_Printf_Service("USER: SAMPLE version %x.%02x; SAMPLE_Add(2, 3) = %d, %d; hooked %d; "
                          "unhooked %s, %d; SAMPLE counted %u adds\n", v >> 8, v & 0xFF, five,
                          again, hooked, un ? "yes" : "no", after, adds);
    use_lists();
    if (Get_DDB(VTD_DEVICE_ID, 0) && Get_DDB(VPICD_DEVICE_ID, 0))
        _Debug_Printf_Service("USER: VTD version %x.%02x, interrupt period %u ms; VPICD: IRQ 4 "
                              "is INT %02xh\n", VTD_Get_Version() >> 8, VTD_Get_Version() & 0xFF,
                              VTD_Get_Interrupt_Period(), VPICD_Convert_IRQ_To_Int(4));
}
#elif defined(HANGCLI)
#define NAME8 "HANGCLI "
#define ID    0x3F0Eu
#elif defined(BLKWAIT)
#define NAME8 "BLOCKWT "
#define ID    0x3F0Fu
VMM_IMPORT(Create_Semaphore)
VMM_IMPORT(Wait_Semaphore)
#elif defined(WXCODE)
#define NAME8 "WXCODE  "
#define ID    0x3F05u
#elif defined(CTFAULT)
#define NAME8 "CTFAULT "
#define ID    0x3F04u
#elif defined(DUPID)
#define NAME8 "DUPID   "
#define ID    SAMPLE_DEVICE_ID
#elif defined(VPICDID)
#define NAME8 "AAA     "
#define ID    VPICD_DEVICE_ID
#elif defined(DBLFREE)
#define NAME8 "DBLFREE "
#define ID    0x3F06u
#include <vmm/heap.h>
VMM_IMPORT(_HeapAllocate)
VMM_IMPORT(_HeapFree)
#elif defined(TOFAULT)
#define NAME8 "TOFAULT "
#define ID    0x3F07u
VMM_IMPORT(Set_Global_Time_Out)
static void faulting(uint32_t late, void *ref)
{
    (void)late;
    (void)ref;
    _Debug_Printf_Service("TOFAULT: my time-out runs, and faults\n");
    *(volatile uint32_t *)0xC0000040u = 3;      /* the VMM's first page: not mapped */
}
#elif defined(NULLCALL)
#define NAME8 "NULLCALL"
#define ID    0x3F0Au
static void (*volatile null_fn)(void);      /* 0: never set */
#elif defined(DEEP)
#if defined(DEEP2)                              /* a second one: the #DF task entered again */
#define NAME8 "DEEP2   "
#define ID    0x3F09u
#else
#define NAME8 "DEEP    "
#define ID    0x3F08u
#endif
static volatile uint32_t depth_limit = ~0u;     /* never reached: the guard page is */
static __attribute__((noinline)) uint32_t deep(uint32_t n)
{
    volatile uint32_t pad[12];                  /* 64 bytes a level, never made a loop */
    pad[0] = n;
    return n >= depth_limit ? n : deep(n + 1) + pad[0];
}
#elif defined(INLJMP)
#if defined(INLJMP2)
#define NAME8 "INLJMP2 "
#define ID    0x3F0Cu
#define INLJMP_CALL "(0x3FFE << 16) | 0x8000 | 0"           /* a device that is not loaded */
#else
#define NAME8 "INLJMP  "
#define ID    0x3F0Bu
#define INLJMP_CALL "(1 << 16) | 0x8000 | 0x51"             /* _HeapFree */
#endif
static const char inljmp_text[] = "INLJMP: a string, not a heap block";
#elif defined(BADCALL)
#define NAME8 "BADCALL "
#define ID    0x3F02u
#define MISSING_DEVICE 0x3FFEu
VXD_IMPORT(MISSING_DEVICE, 0, MISSING_Service)
void MISSING_Service(void);
#else
#define NAME8 "TESTVXD "
#define ID    UNDEFINED_DEVICE_ID
#endif

static volatile uint32_t spins;

#if defined(PFINIT)
VMM_IMPORT(Set_Global_Time_Out)
VMM_IMPORT(Set_PM_Int_Vector)
static void left_behind(uint32_t late, void *ref)
{
    (void)late;
    (void)ref;
    _Debug_Printf_Service("PFINIT: a time-out of an unloaded device ran\n");
}
static int int41(struct client_regs *r, void *ref)
{
    (void)r;
    (void)ref;
    return 0;
}
#endif

static int control(uint32_t msg, uint32_t vm, uint32_t arg)
{
    (void)vm;
    (void)arg;
    if (msg == DEVICE_INIT) {
#if defined(FAILINIT)
        _Debug_Printf_Service("FAILINIT: failing Device_Init\n");
        return 1;
#elif defined(PFINIT)
        /* Left behind by the fault: the VMM must take them out as it unloads the device (the
         * time-out would otherwise call freed code 50 ms later, the INT handler on INT 41h). */
        Set_Global_Time_Out(left_behind, 50, 0);
        Set_PM_Int_Vector(0x41, int41, 0);
        _Debug_Printf_Service("PFINIT: writing to an unmapped page\n");
        *(volatile uint32_t *)0xC0000010u = 1;
#elif defined(NULLCALL)
        _Debug_Printf_Service("NULLCALL: calling through a null pointer\n");
        null_fn();
#elif defined(DEEP)
        _Debug_Printf_Service("DEEP: recursing in Device_Init\n");
        deep(0);
#elif defined(BLKWAIT)
        _Debug_Printf_Service("BLKWAIT: waiting in Device_Init on a semaphore nobody signals\n");
        Wait_Semaphore(Create_Semaphore(0), 0);
        _Debug_Printf_Service("BLKWAIT: the wait returned\n");
#elif defined(HANGCLI)
        _Debug_Printf_Service("HANGCLI: looping in Device_Init with interrupts off\n");
        __asm__ volatile("cli");
        for (;;)
            spins++;
#elif defined(HANG)
        _Debug_Printf_Service("HANG: looping in Device_Init\n");
        for (;;)
            spins++;
#elif defined(WXCODE)
        _Debug_Printf_Service("WXCODE: writing into my code at %08x\n", (uint32_t)control);
        *(volatile uint8_t *)(uintptr_t)control = 0x90;
#elif defined(INLJMP)
        _Debug_Printf_Service("%s: an inline int 20h of the jump form, used as a call\n", NAME8);
        __asm__ volatile("pushl $0\n\tpushl %0\n\tint $0x20\n\t.long " INLJMP_CALL "\n\t"
                         "addl $8, %%esp" : : "r"(inljmp_text) : "memory", "eax", "ecx", "edx");
#elif defined(BADCALL)
        _Debug_Printf_Service("BADCALL: calling device %04x\n", MISSING_DEVICE);
        MISSING_Service();
#elif defined(DBLFREE)
        /* Four blocks of a pool each; a's pool stays as the heap's spare, b's goes back. */
        char *a = _HeapAllocate(600000, 0), *b = _HeapAllocate(600000, 0);
        char *c = _HeapAllocate(600000, 0), *d = _HeapAllocate(600000, 0);
        if (!a || !b || !c || !d)
            return 1;
        _HeapFree(a, 0);
        _HeapFree(b, 0);
        uint32_t again = _HeapFree(b, 0), inside = _HeapFree(b + 4096, 0);
        uint32_t cd = _HeapFree(c, 0) + _HeapFree(d, 0);
        _Debug_Printf_Service("DBLFREE: b freed again: %u, a pointer inside it: %u; c and d: %u\n",
                              again, inside, cd);
#endif
    }
#if defined(USER)
    if (msg == INIT_COMPLETE)
        use_sample();
    if (msg == SYS_VM_INIT)
        VMMCreateThread(worker, 0, CUR_RUN_VM_BOOST, 100);
#endif
#if defined(TOFAULT)
    if (msg == SYS_VM_INIT)
        Set_Global_Time_Out(faulting, 300, 0);
#endif
#if defined(CTFAULT)
    if (msg == CREATE_THREAD)
        *(volatile uint32_t *)0xC0000020u = 2;
#endif
    return 0;
}

DECLARE_VIRTUAL_DEVICE(TEST_DDB, NAME8, 1, 0, control, ID, 0x70000100u, 0, 0);
