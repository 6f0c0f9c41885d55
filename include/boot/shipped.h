/*
 * The VxDs the system ships (esp/VMM/VXD, Makefile's DEFAULT_VXDS), in the order they load when
 * SYSTEM.INI has no device= line: the loader hands them over before other files of VMM/VXD, and
 * the VMM loads them before the rest, so that a file dropped in beside them can neither crowd them
 * out of the loader's module table nor take one's device ID.
 */
#ifndef BOOT_SHIPPED_H
#define BOOT_SHIPPED_H

#define SHIPPED_VXDS { "VBIOS.VXD", "VPICD.VXD", "VTD.VXD", "VKD.VXD", "INT13.VXD", "VDD.VXD", \
                       "DOSMGR.VXD", "DEBUG.VXD", "SAMPLE.VXD", "SHELL.VXD" }
#define SHIPPED_VXD_COUNT 10

#endif
