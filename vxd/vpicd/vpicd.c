/*
 * VPICD: the virtual PIC device's services, over the VMM's IRQ virtualisation (vmm/int/int.c,
 * include/vmm/int.h).  As in Windows 95 the other VxDs never touch the 8259s or the IDT: they
 * call VPICD_Virtualize_IRQ and friends through the dynalink (VPICD_IMPORT), and this device's
 * service table points at the VMM's implementation (linked by name: the VMM_VPICD_* exports).
 * The services it answers itself convert between IRQs and the VMM's vectors (50h + IRQ).
 */
#include <stdint.h>
#include <vmm/vxd.h>
#include <vmm/vmmsvc.h>
#include <vmm/int.h>

/* The VMM's implementation, linked by name (vmm/vxd/vxd.c: exports). */
uint32_t VMM_VPICD_Virtualize_IRQ(const struct vpicd_irq_descriptor *vid);
void     VMM_VPICD_Force_Default_Behavior(uint32_t hirq);
void     VMM_VPICD_Phys_EOI(uint32_t hirq);
void     VMM_VPICD_Physically_Mask(uint32_t hirq);
void     VMM_VPICD_Physically_Unmask(uint32_t hirq);
uint32_t VMM_VPICD_Get_Complete_Status(uint32_t hirq);
void     VMM_VPICD_Set_Int_Request(uint32_t hirq, VMHANDLE vm);
void     VMM_VPICD_Clear_Int_Request(uint32_t hirq, VMHANDLE vm);

#define VPICD_VERSION 0x0400u

static uint32_t get_version(void) { return VPICD_VERSION; }
static uint32_t irq_to_int(uint32_t irq) { return irq < 16 ? VEC_IRQ_BASE + irq : 0; }
static uint32_t int_to_irq(uint32_t vec)
{
    return vec - VEC_IRQ_BASE < 16 ? vec - VEC_IRQ_BASE : 0xFFFFFFFFu;
}

static int control(uint32_t msg, uint32_t vm, uint32_t arg)
{
    (void)msg;
    (void)vm;
    (void)arg;
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
