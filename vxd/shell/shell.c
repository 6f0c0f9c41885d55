/*
 * SHELL: the device that initialises last (SHELL_INIT_ORDER) and so knows that every other
 * device is up: at Sys_VM_Init it starts what SYSTEM.INI's [boot] shell= names in a VM of its own
 * (the boot VM, given the focus), then announces the system, "VMM ready", the boot's last line:
 *   - a DOS program (a path ending in .COM or .EXE, on drive C:, the boot partition): DOSMGR
 *     runs it, with the rest of the line as its command tail ("shell=C:\TOOLS\X.COM /Y");
 *   - nothing (no shell= line): the command shell, C:\COMMAND.COM /P (dos/command.c);
 *   - a drive or a disk image: booted as a PC boots, the VM's first instruction INT 19h, which
 *     the disks' VxD (INT13) answers by running the boot drive's first sector at 0000:7C00.
 * Without the VxD that would run it, or without the program, no VM is started (a line says why).
 * (The system VM itself runs no real-mode code yet: the boot VM is a VM of its own.)
 */
#include <stdint.h>
#include <vmm/vxd.h>
#include <vmm/vmmsvc.h>
#include <vmm/vm.h>
#include <vmm/v86.h>
#include <vmm/int13.h>
#include <vmm/dosmgr.h>

VMM_IMPORT(Out_Debug_String)
VMM_IMPORT(_Debug_Printf_Service)
VMM_IMPORT(Get_DDB)
VMM_IMPORT(Create_V86_VM)
VMM_IMPORT(Set_Execution_Focus)

INT13_IMPORT(INT13_Get_Boot_Drive)
DOSMGR_IMPORT(DOSMGR_Start_VM)
VMM_IMPORT(Get_Profile_String)

/* shell= "C:\DIR\PROG.COM tail": the program through DOSMGR; no shell= at all: the command
 * shell, "C:\COMMAND.COM /P".  1 if it was DOSMGR's to run. */
static int run_program(void)
{
    const char *shell = Get_Profile_String("boot", "shell", 0);
    char prog[128];
    unsigned n = 0;
    const char *why = "[boot] shell=";
    if (!shell || !*shell) {
        if (!Get_DDB(DOSMGR_DEVICE_ID, 0))
            return 0;
        shell = "C:\\COMMAND.COM /P";
        why = "the command shell: no [boot] shell=";
    }
    while (shell[n] && shell[n] != ' ' && n + 1 < sizeof prog) {
        prog[n] = shell[n];
        n++;
    }
    prog[n] = 0;
    if (!drivec_is_program(prog))
        return 0;
    const char *tail = shell + n;
    if (!Get_DDB(DOSMGR_DEVICE_ID, 0)) {
        _Debug_Printf_Service("SHELL: [boot] shell=%s is a DOS program, but DOSMGR is not "
                              "loaded; no VM started\n", prog);
        return 1;
    }
    _Debug_Printf_Service("SHELL: a new VM runs %s (%s), with the focus\n", prog, why);
    VMHANDLE vm = DOSMGR_Start_VM(prog, *tail ? tail : 0, 100);
    if (!vm)
        _Debug_Printf_Service("SHELL: no VM for %s (the reason above)\n", prog);
    else
        Set_Execution_Focus(vm);
    return 1;
}

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
        if (!run_program())
            boot();
        Out_Debug_String("VMM ready\n");        /* the last line of the boot: input may come now */
    }
    return 0;
}

DECLARE_VIRTUAL_DEVICE(SHELL_DDB, "SHELL   ", 4, 0, shell_control, SHELL_DEVICE_ID,
                       SHELL_INIT_ORDER, 0, 0);
