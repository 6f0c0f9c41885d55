/*
 * SAMPLE: a VxD that shows the SDK's features, and the one the boot tests load.
 *
 *   - the DDB (DECLARE_VIRTUAL_DEVICE) with a device ID, an init order and a service table;
 *   - the control procedure and the DDK's messages: Sys_Critical_Init, Device_Init,
 *     Init_Complete, Sys_VM_Init, the VM and thread messages, System_Exit, Sys_Critical_Exit;
 *   - VMM services through the dynalink (VMM_IMPORT): the heap, the system time, a global event;
 *   - services of its own (sample.h) that other VxDs call through the dynalink;
 *   - a V86 API (DDB_V86_API_Proc) that real-mode programs in V86 VMs call.
 */
#include <stdint.h>
#include <vmm/vxd.h>
#include <vmm/vmmsvc.h>
#include <vmm/vm.h>
#include <vmm/heap.h>
#include <vmm/thread.h>
#include <vmm/v86.h>
#include "sample.h"

VMM_IMPORT(Out_Debug_String)
VMM_IMPORT(_Debug_Printf_Service)
VMM_IMPORT(_HeapAllocate)
VMM_IMPORT(_HeapFree)
VMM_IMPORT(Schedule_Global_Event)
VMM_IMPORT(Get_VMM_Version)

extern struct VxD_Desc_Block SAMPLE_DDB;
static uint32_t adds, vms_created;
static char *scratch;                           /* a heap block from Device_Init to exit */

uint32_t SAMPLE_Get_Version(void) { return 0x0100; }

int SAMPLE_Add(int a, int b)
{
    adds++;
    return a + b;
}

void SAMPLE_Get_Stats(uint32_t *a, uint32_t *v)
{
    *a = adds;
    *v = vms_created;
}

static void init_event(void *ref)
{
    _Debug_Printf_Service("SAMPLE: a global event ran (ref %08x)\n", (uint32_t)ref);
}

/* The V86 API (DDB_V86_API_Proc), which real-mode code finds through INT 2Fh AX=1684h BX=3F00h
 * and calls far: AH 0 gives the version in AX, AH 1 adds BX and CX into AX; anything else sets
 * CF in the caller's flags. */
static void sample_v86_api(VMHANDLE vm, struct client_regs *r)
{
    (void)vm;
    switch ((r->eax >> 8) & 0xFF) {
    case 0:
        r->eax = (r->eax & 0xFFFF0000u) | SAMPLE_Get_Version();
        r->eflags &= ~1u;
        break;
    case 1:
        r->eax = (r->eax & 0xFFFF0000u) | (uint16_t)SAMPLE_Add((int)(r->ebx & 0xFFFF),
                                                               (int)(r->ecx & 0xFFFF));
        r->eflags &= ~1u;
        break;
    default:
        r->eflags |= 1u;                        /* CF: not a function of ours */
    }
}

static int sample_control(uint32_t msg, uint32_t vm, uint32_t arg)
{
    (void)arg;
    switch (msg) {
    case SYS_CRITICAL_INIT:
        SAMPLE_DDB.DDB_V86_API_Proc = (uint32_t)sample_v86_api;
        _Debug_Printf_Service("SAMPLE: Sys_Critical_Init (VMM version %x.%02x)\n",
                              Get_VMM_Version() >> 8, Get_VMM_Version() & 0xFF);
        break;
    case DEVICE_INIT:
        scratch = _HeapAllocate(256, HEAPZEROINIT);
        if (!scratch)
            return 1;                           /* carry: Device_Init failed */
        _Debug_Printf_Service("SAMPLE: Device_Init (a heap block at %08x)\n", (uint32_t)scratch);
        break;
    case INIT_COMPLETE:
        Schedule_Global_Event(init_event, (void *)0x5A);
        Out_Debug_String("SAMPLE: Init_Complete\n");
        break;
    case SYS_VM_INIT:
        _Debug_Printf_Service("SAMPLE: Sys_VM_Init (system VM %08x)\n", vm);
        break;
    case CREATE_VM:
        vms_created++;
        break;
    case SYSTEM_EXIT:
        _Debug_Printf_Service("SAMPLE: System_Exit (%u adds, %u VMs created)\n", adds,
                              vms_created);
        break;
    case SYS_CRITICAL_EXIT:
        _HeapFree(scratch, 0);
        Out_Debug_String("SAMPLE: Sys_Critical_Exit\n");
        break;
    }
    return 0;
}

static uint32_t sample_services[SAMPLE_SERVICE_COUNT] = {
    [SAMPLE_Get_Version_Ord] = (uint32_t)SAMPLE_Get_Version,
    [SAMPLE_Add_Ord] = (uint32_t)SAMPLE_Add,
    [SAMPLE_Get_Stats_Ord] = (uint32_t)SAMPLE_Get_Stats,
};

DECLARE_VIRTUAL_DEVICE(SAMPLE_DDB, "SAMPLE  ", 1, 0, sample_control, SAMPLE_DEVICE_ID,
                       SAMPLE_INIT_ORDER, sample_services, SAMPLE_SERVICE_COUNT);
