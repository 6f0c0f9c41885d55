/*
 * SHELL: the device that initialises last (SHELL_INIT_ORDER) and so knows that every other
 * device is up: at Sys_VM_Init it announces the system.  (The system VM's shell will start
 * from here in a later issue.)
 */
#include <stdint.h>
#include <vmm/vxd.h>
#include <vmm/vmmsvc.h>

VMM_IMPORT(Out_Debug_String)

static int shell_control(uint32_t msg, uint32_t vm, uint32_t arg)
{
    (void)vm;
    (void)arg;
    if (msg == SYS_VM_INIT)
        Out_Debug_String("VMM ready\n");
    return 0;
}

DECLARE_VIRTUAL_DEVICE(SHELL_DDB, "SHELL   ", 4, 0, shell_control, SHELL_DEVICE_ID,
                       SHELL_INIT_ORDER, 0, 0);
