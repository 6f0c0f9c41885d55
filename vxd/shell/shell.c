/*
 * SHELL: the device that initialises last (SHELL_INIT_ORDER) and so knows that every other
 * device is up: at Sys_VM_Init it starts what SYSTEM.INI's [boot] shell= names in the system VM
 * (which has the focus), then announces the system, "VMM ready", the boot's last line:
 *   - a DOS program (a path ending in .COM or .EXE, on drive C:, the boot partition): DOSMGR
 *     runs it, with the rest of the line as its command tail ("shell=C:\TOOLS\X.COM /Y"); when
 *     it ends, the system ends (a shell's EXIT there is the system's end);
 *   - nothing (no shell= line): the command shell, C:\COMMAND.COM /P (dos/command.c);
 *   - a drive or a disk image: booted as a PC boots, the VM's first instruction INT 19h, which
 *     the disks' VxD (INT13) answers by running the boot drive's first sector at 0000:7C00.
 * Without the VxD that would run it, or without the program, the system VM runs nothing (a line
 * says why).  When the system VM's V86 code crashes (VM_V86_RESET), the VM stays and gets a new
 * command shell, C:\COMMAND.COM without /P -- unless the last one crashed within seconds of its
 * start, three times in a row: then it runs nothing (Alt+F11 opens a DOS VM all the same).
 */
#include <stdint.h>
#include <vmm/vxd.h>
#include <vmm/vmmsvc.h>
#include <vmm/vm.h>
#include <vmm/v86.h>
#include <vmm/int.h>
#include <vmm/thread.h>
#include <vmm/int13.h>
#include <vmm/dosmgr.h>
#include <vmm/vdd.h>

VMM_IMPORT(Out_Debug_String)
VMM_IMPORT(_Debug_Printf_Service)
VMM_IMPORT(Get_DDB)
VMM_IMPORT(Create_V86_Thread)
VMM_IMPORT(Get_Sys_VM_Handle)
VMM_IMPORT(Get_System_Time)
VMM_IMPORT(Schedule_Global_Event)
VMM_IMPORT(Get_VM_Crash_Report)
VMM_IMPORT(_Sprintf)
VDD_IMPORT(VDD_Show_Message)

INT13_IMPORT(INT13_Get_Boot_Drive)
DOSMGR_IMPORT(DOSMGR_Start_Sys_VM)
VMM_IMPORT(Get_Profile_String)

#define SHORT_LIFE_MS   3000u           /* a new shell that crashes sooner ... */
#define SHORT_LIVES     3u              /* ... this many times in a row: no more */

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
                              "loaded; the system VM runs nothing\n", prog);
        return 1;
    }
    _Debug_Printf_Service("SHELL: the system VM runs %s (%s)\n", prog, why);
    if (!DOSMGR_Start_Sys_VM(prog, *tail ? tail : 0))
        _Debug_Printf_Service("SHELL: the system VM runs nothing (the reason above)\n");
    return 1;
}

static uint32_t booted = 0xFFFFFFFFu;   /* the drive the system VM's code booted from, or none */

static void boot(void)
{
    static const uint8_t code[] = { 0xCD, 0x19, 0xFA, 0xF4, 0xEB, 0xFD };  /* int 19h; cli; hlt */
    if (!Get_DDB(INT13_DEVICE_ID, 0))
        return;
    uint32_t drive = INT13_Get_Boot_Drive();
    if (drive == 0xFFFFFFFFu)
        return;
    struct v86_start st = { code, sizeof code, 0x1000, 0x1000, 0, 0x0000, 0x7C00, 100 };
    /* said before it runs: once it does, it may run (and INT13 speak) before we go on */
    _Debug_Printf_Service("SHELL: the system VM boots drive %02xh ([boot] shell=)\n", drive);
    if (Create_V86_Thread(Get_Sys_VM_Handle(), &st))
        booted = drive;
    else
        _Debug_Printf_Service("SHELL: the system VM cannot boot drive %02xh (the reason "
                              "above)\n", drive);
}

/* The code booted crashed (DOSMGR tells of its own programs' crashes, INT13 of a boot that
 * failed): said on the screen too, with the VMM's report. */
static void boot_crashed(void)
{
    const char *why = Get_VM_Crash_Report(Get_Sys_VM_Handle());
    char text[VMM_SPRINTF_MAX];
    if (booted == 0xFFFFFFFFu || !*why || !Get_DDB(VDD_DEVICE_ID, 0))
        return;
    _Sprintf(text, "The code booted from drive %02xh crashed: %.200s.\n\nThe system VM gets the "
             "command shell, if drive C: has one (C:\\COMMAND.COM).", booted, why);
    VDD_Show_Message("The system VM had a crash", text, 8000);
}

/* ---- a crash in the system VM -------------------------------------------------------------- */

static uint32_t started_ms;             /* when the system VM's program last started */
static unsigned short_lives;            /* crashes in a row that came soon after */

static void new_shell(void *ref)
{
    (void)ref;
    uint32_t now = Get_System_Time();
    short_lives = now - started_ms < SHORT_LIFE_MS ? short_lives + 1 : 0;
    if (short_lives >= SHORT_LIVES) {
        _Debug_Printf_Service("SHELL: the system VM's program crashed within %u s of its start "
                              "%u times in a row; it runs nothing now\n", SHORT_LIFE_MS / 1000,
                              short_lives);
        return;
    }
    started_ms = now;
    if (!Get_DDB(DOSMGR_DEVICE_ID, 0)) {
        _Debug_Printf_Service("SHELL: no new command shell for the system VM: DOSMGR is not "
                              "loaded\n");
        return;
    }
    _Debug_Printf_Service("SHELL: the system VM gets a new command shell, C:\\COMMAND.COM\n");
    if (!DOSMGR_Start_Sys_VM("C:\\COMMAND.COM", 0))
        _Debug_Printf_Service("SHELL: the system VM runs nothing (the reason above)\n");
}

static int shell_control(uint32_t msg, uint32_t vm, uint32_t arg)
{
    (void)arg;
    if (msg == SYS_VM_INIT) {
        started_ms = Get_System_Time();
        if (!run_program())
            boot();
        Out_Debug_String("VMM ready\n");        /* the last line of the boot: input may come now */
    } else if (msg == VM_V86_RESET && vm == Get_Sys_VM_Handle()) {
        boot_crashed();
        booted = 0xFFFFFFFFu;
        Schedule_Global_Event(new_shell, 0);    /* once every device has put the VM back */
    }
    return 0;
}

DECLARE_VIRTUAL_DEVICE(SHELL_DDB, "SHELL   ", 4, 0, shell_control, SHELL_DEVICE_ID,
                       SHELL_INIT_ORDER, 0, 0);
