/*
 * The VxD manager: the VMM side of VxDs (the SDK side is include/vmm/vxd.h).  It loads VxD
 * files from the boot modules (vxd/vxdelf.c checks, lays out and relocates them; this file
 * allocates their pages, maps them W^X and registers their DDBs), initialises them in
 * Init_Order with the DDK's control messages -- each call guarded (vxd/guard.h), so a VxD that
 * fails, faults or runs away is reported and unloaded while the boot goes on -- and runs the
 * dynalink (INT 20h) through the VMM's and the VxDs' service tables.
 *
 * Called by the boot flow and by the services below; thread context, not from interrupts.
 */
#ifndef VXD_VXD_H
#define VXD_VXD_H
#include <stddef.h>
#include <stdint.h>

/* Loads the devices SYSTEM.INI's [386Enh] device= lines name (or, without any, every file in
 * VMM/VXD), and sends Sys_Critical_Init, Device_Init, Init_Complete and Sys_VM_Init.  Returns
 * 1 if a SHELL device (which initialises last) announced that the VMM is ready, else 0. */
int  vxd_boot(void);
/* System_Exit, then Sys_Critical_Exit, to every VxD in reverse init order (before the VMM
 * exits). */
void vxd_shutdown(void);
/* One line per loaded VxD: name, file, device ID, init order, where its groups are. */
void vxd_print_list(void);
unsigned vxd_count(void);
/* A layer above the VxD manager whose tables hold VxD code (the V86 layer's call backs, break
 * points ...) registers its purge here: called with an unloaded VxD's code range [lo, hi), it
 * returns how many things it took out. */
void vxd_set_purge(unsigned (*fn)(uint32_t lo, uint32_t hi));

#endif
