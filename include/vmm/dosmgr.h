/*
 * DOSMGR, the DOS of the virtual PC (vxd/dosmgr): drive C: (the boot partition, in memory) and
 * the DOS API (INT 20h, 21h, 27h, 28h, 2Fh AX=1680h) for the VMs it starts: no DOS kernel runs in
 * them; each INT 21h comes to this VxD (as Windows 95's VxDs took most of them).  Its services,
 * for SHELL and any VxD that starts DOS programs: check that the device is loaded
 * (Get_DDB(DOSMGR_DEVICE_ID, 0)) before calling them.
 */
#ifndef VMM_DOSMGR_H
#define VMM_DOSMGR_H
#include <stdint.h>
#include "vmm/vm.h"
#include "boot/drivec.h"         /* drivec_is_program: a [boot] shell= that DOSMGR runs */

#define DOSMGR_DEVICE_ID        0x0015u     /* the DDK's DOSMGR */
#define DOSMGR_INIT_ORDER       0x58000000u /* the DDK's: after the devices, before SHELL */
#define DOSMGR_IMPORT(name)     VXD_IMPORT(DOSMGR_DEVICE_ID, name##_Ord, name)

#define DOSMGR_Get_Version_Ord  0x0000
#define DOSMGR_Start_VM_Ord     0x0001
#define DOSMGR_Get_Programs_Ord 0x0002
#define DOSMGR_Start_Sys_VM_Ord 0x0003
#define DOSMGR_SERVICE_COUNT    4

uint32_t DOSMGR_Get_Version(void);          /* 0100h */
/* DOSMGR_Start_VM: a new VM (time-slice priority weight, 1..10000, with the focus; half of it in
 * the background, as a PIF's defaults 100 and 50) whose DOS runs program (a
 * path on drive C:, "C:\DIR\PROG.COM" or .EXE) with the command tail given (at most 126
 * characters; NULL for none); when the program ends, so does the VM.  The VM handle, or 0: the
 * reason printed, or the program has already ended, and the VM with it. */
VMHANDLE DOSMGR_Start_VM(const char *program, const char *tail, uint32_t weight);
/* DOSMGR_Get_Programs: what a DOS VM runs, each program and the one it EXECed ("C:\COMMAND.COM >
 * C:\GAMES\X.EXE"), NUL-terminated in buf (cap bytes, cut if longer); 0 for a VM that is not
 * one of DOSMGR's. */
uint32_t DOSMGR_Get_Programs(VMHANDLE vm, char *buf, uint32_t cap);
/* DOSMGR_Start_Sys_VM: the same in the system VM, which must run no V86 code (at its Sys_VM_Init,
 * or after VM_V86_RESET); when the program ends the system ends (Exit_System: a shell's EXIT
 * there is the system's end).  The system VM's handle, or 0 (the reason printed). */
VMHANDLE DOSMGR_Start_Sys_VM(const char *program, const char *tail);

#endif
