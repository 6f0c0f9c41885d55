/*
 * SHELL: the device that initialises last (SHELL_INIT_ORDER) and so knows that every other
 * device is up: at Sys_VM_Init it announces the system, then boots what SYSTEM.INI's
 * [boot] shell= names, as a PC boots: a VM (the boot VM, given the focus) whose first
 * instruction is INT 19h, which the disks' VxD (INT13) answers by running the boot drive's
 * first sector at 0000:7C00.  Without INT13, or with no shell=, no VM is started.
 * (The system VM itself runs no real-mode code yet: the boot VM is a VM of its own.)
 */
#include <stdint.h>
#include <vmm/vxd.h>
#include <vmm/vmmsvc.h>
#include <vmm/vm.h>
#include <vmm/v86.h>
#include <vmm/int13.h>

VMM_IMPORT(Out_Debug_String)
VMM_IMPORT(_Debug_Printf_Service)
VMM_IMPORT(Get_DDB)
VMM_IMPORT(Create_V86_VM)
VMM_IMPORT(Set_Execution_Focus)

INT13_IMPORT(INT13_Get_Boot_Drive)

static void boot(void)
{
    static const uint8_t code[] = { 0xCD, 0x19, 0xFA, 0xF4, 0xEB, 0xFD };  /* int 19h; cli; hlt */
    if (!Get_DDB(INT13_DEVICE_ID, 0))
        return;
    uint32_t drive = INT13_Get_Boot_Drive();
    if (drive == 0xFFFFFFFFu)
        return;
    struct v86_start st = { code, sizeof code, 0x1000, 0x1000, 0, 0x0000, 0x7C00, 100 };
    /* said before the VM exists: once it does, it may run (and INT13 speak) before we go on */
    _Debug_Printf_Service("SHELL: a new VM boots drive %02xh ([boot] shell=), with the focus\n",
                          drive);
    VMHANDLE vm = Create_V86_VM(&st);
    if (!vm) {
        _Debug_Printf_Service("SHELL: no VM to boot drive %02xh in (the reason above)\n", drive);
        return;
    }
    Set_Execution_Focus(vm);
}

static int shell_control(uint32_t msg, uint32_t vm, uint32_t arg)
{
    (void)vm;
    (void)arg;
    if (msg == SYS_VM_INIT) {
        Out_Debug_String("VMM ready\n");
        boot();
    }
    return 0;
}

DECLARE_VIRTUAL_DEVICE(SHELL_DDB, "SHELL   ", 4, 0, shell_control, SHELL_DEVICE_ID,
                       SHELL_INIT_ORDER, 0, 0);
