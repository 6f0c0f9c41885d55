/*
 * INT13, the virtual PC's disks (vxd/int13): the disk images SYSTEM.INI's [Disks] names as BIOS
 * drives, INT 13h and INT 19h for every VM.  Its services, for SHELL (which boots the drive
 * [boot] shell= names) and any VxD that wants to know: check that the device is loaded
 * (Get_DDB(INT13_DEVICE_ID, 0)) before calling them.
 */
#ifndef VMM_INT13_H
#define VMM_INT13_H
#include <stdint.h>

#define INT13_DEVICE_ID         0x0020u     /* the DDK's Int13 device */
#define INT13_INIT_ORDER        0x1C000000u /* after VBIOS, before VDD */
#define INT13_IMPORT(name)      VXD_IMPORT(INT13_DEVICE_ID, name##_Ord, name)

#define INT13_Get_Version_Ord           0x0000
#define INT13_Get_Boot_Drive_Ord        0x0001
#define INT13_SERVICE_COUNT             2

uint32_t INT13_Get_Version(void);           /* 0100h */
uint32_t INT13_Get_Boot_Drive(void);        /* [boot] shell='s drive, 00h/80h ...; FFFFFFFFh none */

#endif
