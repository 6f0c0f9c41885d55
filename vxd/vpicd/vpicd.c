/*
 * VPICD: the virtual PIC device's services, over the VMM's IRQ virtualisation (vmm/int/int.c,
 * include/vmm/int.h).  As in Windows 95 the other VxDs never touch the 8259s or the IDT: they
 * call VPICD_Virtualize_IRQ and friends through the dynalink (VPICD_IMPORT), and this device's
 * service table points at the VMM's implementation (linked by name: the VMM_VPICD_* exports).
 * The services it answers itself convert between IRQs and the VMM's vectors (50h + IRQ).
 *
 * And every VM's virtual PIC: a pair of 8259As (vpic.c, the portable state machine, unit-tested
 * on the host) in this device's area of the VM's control block, programmed through the VM's
 * ports 20h/21h/A0h/A1h, left as a PC's BIOS leaves it (vectors 08h and 70h; IRQ 0, 1 and the
 * cascade unmasked: the devices the virtual PC has).  The VMM sends it the VMs' IRQ requests
 * (VPICD_Set_Int_Request) and asks it for the vector when a VM takes an interrupt; an EOI
 * calls the IRQ's owners' VID_EOI_Procs.
 */
#include <stdint.h>
#include <vmm/vxd.h>
#include <vmm/vmmsvc.h>
#include <vmm/int.h>
#include <vmm/vm.h>
#include "vpic.h"

VMM_IMPORT(_Allocate_Device_CB_Area)
VMM_IMPORT(Install_IO_Handler)
VMM_IMPORT(Simulate_IO)
VMM_IMPORT(Get_Sys_VM_Handle)

/* The VMM's implementation, linked by name (vmm/vxd/vxd.c: exports). */
uint32_t VMM_VPICD_Virtualize_IRQ(const struct vpicd_irq_descriptor *vid);
void     VMM_VPICD_Force_Default_Behavior(uint32_t hirq);
void     VMM_VPICD_Phys_EOI(uint32_t hirq);
void     VMM_VPICD_Physically_Mask(uint32_t hirq);
void     VMM_VPICD_Physically_Unmask(uint32_t hirq);
uint32_t VMM_VPICD_Get_Complete_Status(uint32_t hirq);
void     VMM_VPICD_Set_Int_Request(uint32_t hirq, VMHANDLE vm);
void     VMM_VPICD_Clear_Int_Request(uint32_t hirq, VMHANDLE vm);
void     VMM_VPICD_Install_Virtual_PIC(const struct vpicd_virtual_pic *pic);
void     VMM_VPICD_Set_VM_Intr(VMHANDLE vm, int level);
void     VMM_VPICD_Virtual_EOI(VMHANDLE vm, unsigned irq);

#define VPICD_VERSION 0x0400u

static uint32_t get_version(void) { return VPICD_VERSION; }
static uint32_t irq_to_int(uint32_t irq) { return irq < 16 ? VEC_IRQ_BASE + irq : 0; }
static uint32_t int_to_irq(uint32_t vec)
{
    return vec - VEC_IRQ_BASE < 16 ? vec - VEC_IRQ_BASE : 0xFFFFFFFFu;
}

/* ---- the VMs' virtual PICs -------------------------------------------------------------- */

#define BIOS_MASTER_IMR 0xF8u                   /* IRQ 0 (timer), 1 (keyboard), 2 (cascade) */
#define BIOS_SLAVE_IMR  0xFFu

static uint32_t cb_off;

static struct vpic *of(VMHANDLE vm) { return (struct vpic *)((uint8_t *)vm + cb_off); }

/* The IRQs whose virtual interrupts an EOI ended: their owners are told. */
static void eois(VMHANDLE vm, uint16_t irqs)
{
    while (irqs) {
        unsigned irq = (unsigned)__builtin_ctz(irqs);
        irqs &= (uint16_t)(irqs - 1);
        VMM_VPICD_Virtual_EOI(vm, irq);
    }
}

static void line(VMHANDLE vm, unsigned irq, int level)
{
    struct vpic *p = of(vm);
    vpic_line(p, irq, level);
    VMM_VPICD_Set_VM_Intr(vm, vpic_intr(p));
}

static int inta(VMHANDLE vm)
{
    struct vpic *p = of(vm);
    uint16_t eoi = 0;
    int v = vpic_ack(p, &eoi);
    VMM_VPICD_Set_VM_Intr(vm, vpic_intr(p));
    eois(vm, eoi);
    return v;
}

static const struct vpicd_virtual_pic virtual_pic = { line, inta };

static uint32_t pic_port(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                         struct client_regs *r)
{
    Emulate_Non_Byte_IO();                      /* words and dwords: a byte at a time */
    struct vpic *p = of(vm);
    uint16_t eoi = 0;
    uint32_t in = 0;
    if (type & Output)
        eoi = vpic_write(p, port, (uint8_t)data);
    else
        in = vpic_read(p, port, &eoi);
    VMM_VPICD_Set_VM_Intr(vm, vpic_intr(p));
    eois(vm, eoi);
    return in;
}

static int init(void)
{
    cb_off = _Allocate_Device_CB_Area(sizeof(struct vpic), 0);
    if (!cb_off || !Install_IO_Handler(0x20, pic_port) || !Install_IO_Handler(0x21, pic_port) ||
        !Install_IO_Handler(0xA0, pic_port) || !Install_IO_Handler(0xA1, pic_port))
        return 1;                               /* the reason is printed by the service */
    VMM_VPICD_Install_Virtual_PIC(&virtual_pic);
    return 0;
}

static int control(uint32_t msg, uint32_t vm, uint32_t arg)
{
    (void)arg;
    switch (msg) {
    case DEVICE_INIT:
        return init();
    case SYS_VM_INIT:
        vm = Get_Sys_VM_Handle();
        /* fall through */
    case VM_CRITICAL_INIT:
    case VM_V86_RESET:
        vpic_reset(of((VMHANDLE)vm), 0x08, 0x70, BIOS_MASTER_IMR, BIOS_SLAVE_IMR);
        return 0;
    }
    return 0;
}

static uint32_t services[VPICD_SERVICE_COUNT] = {
    [VPICD_Get_Version_Ord] = (uint32_t)get_version,
    [VPICD_Virtualize_IRQ_Ord] = (uint32_t)VMM_VPICD_Virtualize_IRQ,
    [VPICD_Phys_EOI_Ord] = (uint32_t)VMM_VPICD_Phys_EOI,
    [VPICD_Get_Complete_Status_Ord] = (uint32_t)VMM_VPICD_Get_Complete_Status,
    [VPICD_Physically_Mask_Ord] = (uint32_t)VMM_VPICD_Physically_Mask,
    [VPICD_Physically_Unmask_Ord] = (uint32_t)VMM_VPICD_Physically_Unmask,
    [VPICD_Convert_IRQ_To_Int_Ord] = (uint32_t)irq_to_int,
    [VPICD_Convert_Int_To_IRQ_Ord] = (uint32_t)int_to_irq,
    [VPICD_Force_Default_Behavior_Ord] = (uint32_t)VMM_VPICD_Force_Default_Behavior,
    [VPICD_Set_Int_Request_Ord] = (uint32_t)VMM_VPICD_Set_Int_Request,
    [VPICD_Clear_Int_Request_Ord] = (uint32_t)VMM_VPICD_Clear_Int_Request,
};

DECLARE_VIRTUAL_DEVICE(VPICD_DDB, "VPICD   ", 4, 0, control, VPICD_DEVICE_ID, VPICD_INIT_ORDER,
                       services, VPICD_SERVICE_COUNT);
