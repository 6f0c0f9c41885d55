/*
 * VDD, the virtual display (vxd/vdd): every VM's INT 10h, CRTC and video memory, and the focus
 * VM's screen on the PC's screen and on COM1.  Its services, for any VxD that has something to
 * tell the user (check that the device is loaded, Get_DDB(VDD_DEVICE_ID, 0), before calling):
 *
 *   VDD_Get_Version (0)    0100h
 *   VDD_Show_Message (1)   VMM32's own (the DDK's VDD services from 1 on are not provided):
 *                          a message screen -- white on blue, title and text, as Windows 95's
 *                          text-mode messages -- shown instead of the focus VM's screen, on the
 *                          PC's screen and on COM1, for ms milliseconds (at most 60,000), then
 *                          the focus VM's screen again; a later message replaces it.  The keys
 *                          still go to the focus VM.  Text: words wrapped at 68 columns, '\n'
 *                          a new row, at most 14 rows.  1, or 0 for no title and no text.
 */
#ifndef VMM_VDD_H
#define VMM_VDD_H
#include <stdint.h>

#define VDD_DEVICE_ID           0x000Au     /* the DDK's */
#define VDD_INIT_ORDER          0x20000000u /* after VBIOS */
#define VDD_IMPORT(name)        VXD_IMPORT(VDD_DEVICE_ID, name##_Ord, name)

#define VDD_Get_Version_Ord     0x0000
#define VDD_Show_Message_Ord    0x0001
#define VDD_SERVICE_COUNT       2

uint32_t VDD_Get_Version(void);
uint32_t VDD_Show_Message(const char *title, const char *text, uint32_t ms);

#endif
