/*
 * Interrupt services: the second-level handlers VxDs install (the VMM owns the IDT; VxDs never
 * write it), with the Windows 95 DDK's names and meaning.  Install and remove with interrupts
 * on or off (each service turns them off while it runs); the handlers themselves run in
 * interrupt context, on the interrupted code's ring-0 stack, with interrupts off.
 *
 * A handler gets the interrupted state (struct client_regs, the DDK's Client_Reg_Struc) and a
 * reference value given at install time, and returns 0 when it has dealt with the event (the
 * state, possibly changed, is restored and execution resumes) or nonzero to pass it on to the
 * next handler (the DDK's carry set).  The handler installed last is called first.  An event no
 * handler takes goes to the default: a fatal report for a fault, a log line for a stray
 * interrupt.  A full table is refused with a message naming the caller, never a silent drop.
 */
#ifndef VMM_INT_H
#define VMM_INT_H
#include <stdint.h>

#include "vmm/client.h"
typedef int (*int_handler)(struct client_regs *r, void *ref);

/* Vectors the VMM uses for hardware (not available to Set_PM_Int_Vector). */
#define VEC_IRQ_BASE        0x50u   /* 8259 IRQ n -> 50h + n (VPICD's choice in Windows 95) */
#define VEC_APIC_TIMER      0x60u
#define VEC_APIC_ERROR      0x61u
#define VEC_WATCHDOG        0x62u   /* the watchdog's pin while it is not armed (an NMI when it is) */
#define VEC_APIC_SPURIOUS   0xFFu

uint32_t Set_PM_Int_Vector(unsigned vector, int_handler h, void *ref);   /* 0 if refused */
int_handler Get_PM_Int_Vector(unsigned vector, void **ref);
uint32_t Hook_VMM_Fault(unsigned fault, int_handler h, void *ref);       /* ring-0 faults */
uint32_t Unhook_VMM_Fault(unsigned fault, int_handler h, void *ref);
uint32_t Hook_PM_Fault(unsigned fault, int_handler h, void *ref);        /* ring-3 PM faults */
uint32_t Unhook_PM_Fault(unsigned fault, int_handler h, void *ref);
uint32_t Hook_V86_Fault(unsigned fault, int_handler h, void *ref);       /* V86-mode faults */
uint32_t Unhook_V86_Fault(unsigned fault, int_handler h, void *ref);
uint32_t Hook_V86_Int_Chain(unsigned intno, int_handler h, void *ref);   /* V86 INT n (later) */
uint32_t Unhook_V86_Int_Chain(unsigned intno, int_handler h, void *ref);
uint32_t Hook_NMI_Event(int_handler h, void *ref);

/* I/O traps.  V86 code runs at IOPL 0 against the TSS's I/O permission bitmap, where every port
 * traps: no port reaches hardware unless a VxD that handles it lets it (Disable_Global_Trapping
 * or Disable_Local_Trapping).  Install_IO_Handler: each access V86 code makes to port goes to
 * handler, one handler a port, with the VM, the DDK's I/O type, the port, the data written (an
 * output), and the client state; it returns the data read (an input).  The monitor hands over
 * one element at a time (INS/OUTS and REP included: String_IO, Rep_IO, Addr_32_IO, Reverse_IO
 * are information); a handler that does bytes only passes a wider access to Simulate_IO, which
 * splits it into byte accesses to port, port+1, ... through their handlers.  A trapped port
 * nobody handles reads as all ones and drops what is written (the first access a port named
 * on the console). */
#define Byte_Input   0x000u
#define Byte_Output  0x004u
#define Word_Input   0x008u
#define Word_Output  0x00Cu
#define Dword_Input  0x010u
#define Dword_Output 0x014u
#define Output       0x004u
#define Word_IO      0x008u
#define Dword_IO     0x010u
#define String_IO    0x020u
#define Rep_IO       0x040u
#define Addr_32_IO   0x080u
#define Reverse_IO   0x100u
typedef uint32_t VMHANDLE;
typedef uint32_t (*io_trap_handler)(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                                    struct client_regs *r);
uint32_t Install_IO_Handler(unsigned port, io_trap_handler h);     /* 0 if refused */
/* Remove_IO_Handler: the port traps with nobody handling it again (never to hardware). */
uint32_t Remove_IO_Handler(unsigned port);
struct VxD_IO_Struc {
    uint16_t VxD_IO_Port;
    io_trap_handler VxD_IO_Proc;
};
/* Install_Mult_IO_Handlers: Install_IO_Handler for each of n entries; 0 with *failed the port
 * refused (the ones before it stay installed), nonzero if all were. */
uint32_t Install_Mult_IO_Handlers(const struct VxD_IO_Struc *table, uint32_t n, uint32_t *failed);
/* Trapping of a port that has a handler: Enable_/Disable_Global_Trapping for every VM (new VMs
 * inherit it), Enable_/Disable_Local_Trapping for one (include/vmm/v86.h's VMs); disabled, the
 * VM reaches the hardware port directly.  0 if refused (no handler there). */
uint32_t Enable_Global_Trapping(unsigned port);
uint32_t Disable_Global_Trapping(unsigned port);
uint32_t Enable_Local_Trapping(VMHANDLE vm, unsigned port);
uint32_t Disable_Local_Trapping(VMHANDLE vm, unsigned port);
/* Simulate_IO: the access (from an I/O handler's arguments) done as byte accesses, each through
 * the trap table; the data read, for an input. */
uint32_t Simulate_IO(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                     struct client_regs *r);
/* The DDK's Emulate_Non_Byte_IO, first in a handler that does bytes only (its parameters named
 * vm, type, port, data, r): a word or dword access returns through Simulate_IO. */
#define Emulate_Non_Byte_IO()                                                                   \
    do {                                                                                        \
        if ((type & (Word_IO | Dword_IO)) != 0)                                                 \
            return Simulate_IO(vm, type & (Word_IO | Dword_IO | Output), port, data, r);        \
    } while (0)

/* VPICD: a VxD virtualises an IRQ instead of touching the PIC.  Its hardware-interrupt
 * procedure runs when the IRQ fires, with the line still in service: it must end with
 * VPICD_Phys_EOI (or the IRQ stays blocked).  One owner per IRQ unless every owner sets
 * VPICD_OPT_CAN_SHARE; then the owners are called last-virtualised first until one returns 0.
 * VID_EOI_Proc, if set, is called when a VM's program ends the IRQ's virtual interrupt (an EOI
 * to its virtual PIC, or the PIC's automatic EOI), with the VM's handle and VID_Hw_Int_Ref: the
 * DDK's place to withdraw the request (VPICD_Clear_Int_Request) or raise the next. */
struct vpicd_irq_descriptor {
    uint16_t VID_IRQ_Number;
    uint16_t VID_Options;
    int (*VID_Hw_Int_Proc)(uint32_t hirq, struct client_regs *r, void *ref);
    void *VID_Hw_Int_Ref;
    void (*VID_EOI_Proc)(uint32_t hirq, VMHANDLE vm, void *ref);
};
#define VPICD_OPT_CAN_SHARE 0x0002u
uint32_t VPICD_Virtualize_IRQ(const struct vpicd_irq_descriptor *vid);   /* IRQ handle, or 0 */
void     VPICD_Force_Default_Behavior(uint32_t hirq);                    /* unvirtualise */
void     VPICD_Phys_EOI(uint32_t hirq);
void     VPICD_Physically_Mask(uint32_t hirq);
void     VPICD_Physically_Unmask(uint32_t hirq);
uint32_t VPICD_Get_Complete_Status(uint32_t hirq);  /* bit 0 in service, bit 1 masked (ours) */
/* A VM's virtual IRQ line (v86.h), raised or withdrawn: the request goes to the VM's virtual
 * PIC (VPICD.VXD: its 8259 pair, programmed by the VM, with the PC's vectors until the VM sets
 * others), which interrupts the VM the next time it runs with its virtual IF set -- at once if it
 * waits in HLT -- when the IRQ is unmasked and above what is in service.  The request stays
 * raised until withdrawn, as the DDK's does: a device withdraws it in its VID_EOI_Proc, or when
 * the program reads its status.  An edge: raising a raised line does nothing.  (Without
 * VPICD.VXD there is no virtual PIC: the VM gets the PC's vector, 08h + IRQ or 70h + IRQ - 8,
 * once per request.) */
void     VPICD_Set_Int_Request(uint32_t hirq, VMHANDLE vm);
void     VPICD_Clear_Int_Request(uint32_t hirq, VMHANDLE vm);

/* The VMM's half of the virtual PIC, for VPICD.VXD alone (linked by name as VMM_VPICD_...):
 * VPICD installs its PIC (the requests go to line; inta is the CPU taking the interrupt: its
 * vector, or -1), says when a VM's INT line changes, and has each IRQ's owners told of an EOI. */
struct vpicd_virtual_pic {
    void (*line)(VMHANDLE vm, unsigned irq, int level);
    int (*inta)(VMHANDLE vm);
};
void VPICD_Install_Virtual_PIC(const struct vpicd_virtual_pic *pic);
void VPICD_Set_VM_Intr(VMHANDLE vm, int level);
void VPICD_Virtual_EOI(VMHANDLE vm, unsigned irq);

/* Time: milliseconds since the VMM started, and a monotonic nanosecond clock from the TSC. */
uint32_t Get_System_Time(void);
uint64_t Get_Clock_NS(void);

/* The VPICD and VTD devices' own services (vxd/vpicd, vxd/vtd; a VxD imports them with
 * VPICD_IMPORT / VTD_IMPORT; VPICD's other services are the ones above). */
uint32_t VPICD_Get_Version(void);                       /* 0400h */
uint32_t VPICD_Convert_IRQ_To_Int(uint32_t irq);        /* 50h + IRQ; 0 past 15 */
uint32_t VPICD_Convert_Int_To_IRQ(uint32_t vector);     /* the IRQ, or FFFFFFFFh */
uint32_t VTD_Get_Version(void);                         /* 0400h */
void     VTD_Update_System_Clock(void);                 /* nothing to do here */
uint32_t VTD_Get_Interrupt_Period(void);                /* ms between timer interrupts */
uint64_t VTD_Get_Real_Time(void);                       /* ns since the VMM started */
void     VTD_Delay(uint32_t us);                        /* busy-waits */

#endif
