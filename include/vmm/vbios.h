/*
 * VBIOS, the virtual PC's BIOS (vxd/vbios): the BIOS image every V86 VM sees at F0000h, its
 * vectors and data areas, and the BIOS services that belong to no device (INT 11h, 12h, 14h,
 * 15h, 17h, 18h, 19h, 1Ah; INT 16h, which reads the BDA's keyboard buffer).  A device's VxD
 * provides its own service -- the display's INT 10h, the disks' INT 13h -- by installing the
 * handler VBIOS's entry point for that INT calls (the IVT entry at F000:F065 for INT 10h, and so
 * on, as on a PC).  Handler 09h is the keyboard's: the BIOS's INT 09h (IRQ 1, real-mode code)
 * calls it with the scan code in AL once INT 15h AH=4Fh has let it through, to update the BDA's
 * shift states and buffer; its flags go nowhere.
 *
 *     VBIOS_IMPORT(VBIOS_Set_Int_Handler)
 *     static void int10(VMHANDLE vm, struct client_regs *r) { ... AH = r->eax >> 8 ... }
 *     ...  at Device_Init:  VBIOS_Set_Int_Handler(0x10, int10);
 *
 * The handler runs in the VM's thread with the VM's client registers (it may block: a read of
 * the keyboard waits there); the CF, ZF ... it leaves in r->eflags return to the caller, the
 * caller's IF is kept.  VBIOS is no device of the Windows 95 DDK (Windows ran on a real BIOS);
 * its ID is VMM32's own.
 */
#ifndef VMM_VBIOS_H
#define VMM_VBIOS_H
#include <stdint.h>
#include "vmm/client.h"
#include "vmm/vm.h"

#define VBIOS_DEVICE_ID         0x3F80u     /* VMM32's own devices: from 3F80h */
#define VBIOS_INIT_ORDER        0x08000000u     /* before the devices that install services */
#define VBIOS_VERSION           0x0100u
#define VBIOS_IMPORT(name)      VXD_IMPORT(VBIOS_DEVICE_ID, name##_Ord, name)

typedef void (*vbios_handler)(VMHANDLE vm, struct client_regs *r);

/* The fonts in the image (seg << 16 | off), the console's glyphs in code page 437 order, for
 * INT 10h AX=1130h and programs that draw text in graphics modes: 8x16 (256 characters), 8x14
 * and 8x8 (its rows sampled), the 8x8 font's first half at the PC's F000:FA6E and its second
 * half where INT 1Fh points; INT 43h points at the 8x8 font.  VBIOS fills them at its init. */
#define VBIOS_FONT_8X16         0xF000A000u
#define VBIOS_FONT_8X14         0xF000B000u
#define VBIOS_FONT_8X8_HIGH     0xF000BE00u
#define VBIOS_FONT_NO_ALT       0xF000C200u
#define VBIOS_FONT_8X8          0xF000FA6Eu

#define VBIOS_Get_Version_Ord           0x0000
#define VBIOS_Set_Int_Handler_Ord       0x0001
#define VBIOS_SERVICE_COUNT             2

uint32_t VBIOS_Get_Version(void);
/* The handler of INT n's BIOS service, n 09h or one of 10h-1Ah but 16h; returns the handler it
 * replaces (0: it had none, and VBIOS answered with CF set), or 1 if refused (no such service). */
vbios_handler VBIOS_Set_Int_Handler(uint32_t n, vbios_handler h);

#endif
