/*
 * INT13: the virtual PC's disks (the role of Windows for Workgroups' INT13 device and of
 * BlockDev under a real BIOS).  Disk images on the boot partition, named in SYSTEM.INI --
 *
 *     [Disks]
 *     A=DOS\FLOPPY.IMG        BIOS drive 00h (B= 01h): a diskette image of an IBM size
 *     C=DOS\HARDDISK.IMG      BIOS drive 80h (D= 81h): a hard-disk image, an MBR or not
 *     [boot]
 *     shell=A:                what the system VM boots: a drive, or an image's path (then it is
 *                             A: if it has a diskette's size, else C:); a .COM or .EXE path
 *                             is a DOS program, DOSMGR's to run
 *
 * -- read by the loader and kept in memory: every VM sees the same disks, and writes change the
 * images in memory until the machine restarts (the boot says so).  INT 13h (vdisk.c, portable)
 * through VBIOS's entry point; INT 19h reads the boot drive's first sector to 0000:7C00 and
 * runs it with DL the drive, as a PC's BIOS does, or says on the VM's screen and the console
 * why it cannot.  The BDA's hard-disk count (40:75h) and equipment word are set in every VM.
 */
#include <stdint.h>
#include <vmm/vxd.h>
#include <vmm/vmmsvc.h>
#include <vmm/vm.h>
#include <vmm/v86.h>
#include <vmm/vbios.h>
#include <vmm/int13.h>
#include <vmm/vdd.h>
#include "boot/drivec.h"
#include "vdisk.h"

VMM_IMPORT(_Debug_Printf_Service)
VMM_IMPORT(Get_Profile_String)
VMM_IMPORT(Get_VM_Last_V86_Page)
VMM_IMPORT(Get_V86_A20)
VMM_IMPORT(Get_Sys_VM_Handle)
VMM_IMPORT(Enable_VM_Ints)
VMM_IMPORT(Crash_Cur_VM)
VMM_IMPORT(Get_DDB)
VMM_IMPORT(_Sprintf)
VDD_IMPORT(VDD_Show_Message)
VBIOS_IMPORT(VBIOS_Set_Int_Handler)

void *VMM_Module_Map(const char *name, uint32_t *size);     /* the VMM's, linked by name */

#define printf _Debug_Printf_Service

static struct vdisk disks[4];
static char names[4][48];
static unsigned ndisks;
static int boot_drive = -1;                     /* [boot] shell='s drive, -1 none */

static const char letter[4] = { 'A', 'B', 'C', 'D' };
static const uint8_t number[4] = { 0x00, 0x01, 0x80, 0x81 };

static unsigned vmid(VMHANDLE vm) { return ((struct cb_s *)vm)->CB_VMID; }
static uint8_t *vm_mem(VMHANDLE vm) { return (uint8_t *)((struct cb_s *)vm)->CB_High_Linear; }

/* A path as the loader names its module: no leading separator, '/' between the parts. */
static void module_name(char *out, unsigned cap, const char *path)
{
    unsigned n = 0;
    while (*path == '\\' || *path == '/')
        path++;
    for (; *path && n + 1 < cap; path++)
        out[n++] = *path == '\\' ? '/' : *path;
    out[n] = 0;
}

static int same(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'a' && *a <= 'z' ? (char)(*a - 32) : *a;
        char y = *b >= 'a' && *b <= 'z' ? (char)(*b - 32) : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

/* Drive slot i (A, B, C, D) from the image at path; 0 if it cannot be (said why). */
static int add_disk(unsigned i, const char *path, const char *what)
{
    char name[48];
    uint32_t size;
    const char *why;
    module_name(name, sizeof name, path);
    for (unsigned k = 0; k < ndisks; k++)
        if (same(names[k], name) && disks[k].drive == number[i])
            return 1;
    uint8_t *data = VMM_Module_Map(name, &size);
    if (!data) {
        printf("INT13: %s: %s was not loaded or is empty (the loader's line about it says which: "
               "not on the boot partition, or too large); no drive %c:\n", what, name, letter[i]);
        return 0;
    }
    struct vdisk *d = &disks[ndisks];
    if (!vdisk_init(d, number[i], data, size, &why)) {
        printf("INT13: %s: %s (%u bytes): %s; no drive %c:\n", what, name, size, why, letter[i]);
        return 0;
    }
    for (unsigned k = 0; k < sizeof names[0]; k++)
        names[ndisks][k] = name[k];
    ndisks++;
    printf("INT13: drive %c: (%02xh) is %s, %u KB, %u cylinders, %u heads, %u sectors a track\n",
           letter[i], number[i], name, size / 1024, d->cylinders, d->heads, d->spt);
    return 1;
}

/* ---- the VM's memory, for the buffers ------------------------------------------------------- */

static VMHANDLE cur_vm;
static uint32_t cur_conv;                       /* its conventional memory's end */
static int vm_ok(void *ctx, uint32_t lin, uint32_t len, int write)
{
    (void)ctx;
    uint32_t conv = cur_conv;
    if (len > 0x10FFF0u || lin > 0x10FFF0u - len)
        return 0;
    if (lin + len <= conv)
        return 1;
    if (lin >= 0x100000u)
        return Get_V86_A20(cur_vm) == 1;        /* the HMA: its own memory with A20 on */
    return !write && lin >= 0xF0000u && lin + len <= 0x100000u;     /* the BIOS: read only */
}

static void int13(VMHANDLE vm, struct client_regs *r)
{
    struct vdisk_vm v = { vm_mem(vm), vm_ok, 0 };
    cur_vm = vm;
    cur_conv = (Get_VM_Last_V86_Page(vm) + 1) << 12;
    vdisk_int13(disks, ndisks, &v, r);
}

/* ---- booting ------------------------------------------------------------------------------ */

/* A message on the console and on the screen (VDD's message screen: the VM's own ends with its
 * code, as the boot does now). */
static void say_on_screen(VMHANDLE vm, const char *msg)
{
    char title[VMM_SPRINTF_MAX];
    printf("INT13: VM %u: %s\n", vmid(vm), msg);
    if (!Get_DDB(VDD_DEVICE_ID, 0))
        return;
    _Sprintf(title, "VM %u cannot boot", vmid(vm));
    VDD_Show_Message(title, msg, 8000);
}

static void int19(VMHANDLE vm, struct client_regs *r)
{
    struct vdisk *d = 0;
    int want = boot_drive >= 0 ? boot_drive : 0x00;         /* no shell=: A:, then C: */
    for (unsigned k = 0; k < ndisks && !d; k++)
        if (disks[k].drive == want)
            d = &disks[k];
    for (unsigned k = 0; k < ndisks && !d && boot_drive < 0; k++)
        if (disks[k].drive == 0x80)
            d = &disks[k];
    if (!d) {
        say_on_screen(vm, "No bootable device -- the drive to boot has no disk ([Disks] and "
                          "[boot] shell= in SYSTEM.INI)");
        Crash_Cur_VM();
    }
    uint8_t *m = vm_mem(vm);
    if (d->data[510] != 0x55 || d->data[511] != 0xAA) {
        say_on_screen(vm, d->drive < 0x80 ? "Boot failed: not a bootable disk (no 55AAh at the "
                                            "end of the diskette's first sector)"
                                          : "Boot failed: not a bootable disk (no 55AAh at the "
                                            "end of the hard disk's first sector)");
        Crash_Cur_VM();
    }
    for (unsigned i = 0; i < 512; i++)
        m[0x7C00 + i] = d->data[i];
    r->cs = 0;
    r->eip = 0x7C00;
    r->edx = (r->edx & 0xFFFFFF00u) | d->drive;
    r->ds = r->es = r->ss = 0;
    r->esp = 0x7C00;
    Enable_VM_Ints();
    printf("INT13: VM %u boots drive %02xh (%s)\n", vmid(vm), d->drive,
           names[d - disks]);
}

/* ---- set-up ------------------------------------------------------------------------------- */

static void vm_setup(VMHANDLE vm)
{
    uint8_t *bda = vm_mem(vm) + 0x400;
    unsigned floppies = 0, hard = 0;
    for (unsigned k = 0; k < ndisks; k++)
        if (disks[k].drive < 0x80)
            floppies++;
        else
            hard++;
    bda[0x75] = (uint8_t)hard;
    if (floppies)                       /* the equipment word: diskettes, how many less one */
        bda[0x10] = (uint8_t)((bda[0x10] & 0x3E) | 1 | (floppies - 1) << 6);
}

static int init(void)
{
    static const char *const keys[4] = { "A", "B", "C", "D" };
    for (unsigned i = 0; i < 4; i++) {
        const char *path = Get_Profile_String("Disks", keys[i], 0);
        if (path && *path) {
            char what[16] = "[Disks] X=";
            what[8] = letter[i];
            add_disk(i, path, what);
        }
    }
    const char *shell = Get_Profile_String("boot", "shell", 0);
    if (shell && *shell && !drivec_is_program(shell)) {    /* a .COM or .EXE is DOSMGR's */
        char c = shell[0] >= 'a' && shell[0] <= 'z' ? (char)(shell[0] - 32) : shell[0];
        if (shell[1] == ':' && !shell[2] && c >= 'A' && c <= 'D') {
            boot_drive = number[c - 'A'];
        } else {                        /* a path: a drive it already is, or A: / C: */
            char name[48];
            module_name(name, sizeof name, shell);
            for (unsigned k = 0; k < ndisks && boot_drive < 0; k++)
                if (same(names[k], name))
                    boot_drive = disks[k].drive;
            if (boot_drive < 0) {
                uint32_t size;
                int floppy = VMM_Module_Map(name, &size) && size <= 2880u * 1024;
                if (add_disk(floppy ? 0 : 2, shell, "[boot] shell="))
                    boot_drive = floppy ? 0x00 : 0x80;
            }
        }
    }
    if (VBIOS_Set_Int_Handler(0x13, int13) == (vbios_handler)1 ||
        VBIOS_Set_Int_Handler(0x19, int19) == (vbios_handler)1)
        return 1;
    if (ndisks)
        printf("INT13: %u disk%s; writes to them stay in memory until the machine restarts\n",
               ndisks, ndisks > 1 ? "s" : "");
    else
        printf("INT13: no disks ([Disks] in SYSTEM.INI names none)\n");
    return 0;
}

/* The drive [boot] shell= boots, for SHELL: 00h, 80h ...; FFFFFFFFh if none. */
static uint32_t get_boot_drive(void) { return boot_drive < 0 ? 0xFFFFFFFFu : (uint32_t)boot_drive; }
static uint32_t get_version(void) { return 0x0100; }

static int control(uint32_t msg, uint32_t vm, uint32_t arg)
{
    (void)arg;
    switch (msg) {
    case DEVICE_INIT:
        return init();
    case SYS_VM_INIT:
        vm_setup(Get_Sys_VM_Handle());
        return 0;
    case VM_CRITICAL_INIT:
    case VM_V86_RESET:
        vm_setup((VMHANDLE)vm);
        return 0;
    }
    return 0;
}

static uint32_t services[INT13_SERVICE_COUNT] = {
    [INT13_Get_Version_Ord] = (uint32_t)get_version,
    [INT13_Get_Boot_Drive_Ord] = (uint32_t)get_boot_drive,
};

DECLARE_VIRTUAL_DEVICE(INT13_DDB, "INT13   ", 4, 0, control, INT13_DEVICE_ID, INT13_INIT_ORDER,
                       services, INT13_SERVICE_COUNT);
