/*
 * VTD: the virtual timer device's services, over the VMM's timer (vmm/int/timer.c: the local
 * APIC timer calibrated against the ACPI PM timer).  Get_System_Time and the time-outs
 * (Set_Global_Time_Out ...) are the VMM's own services, deadlines on its clock (the TSC); VTD
 * answers what the DDK's VTD answers: its version, the interrupt period, the real time, a delay.
 *
 * And every VM's virtual 8254 (vpit.c, the portable state machine, unit-tested on the host) at
 * ports 40h-43h and 61h, left as a PC's BIOS leaves it (channel 0 at 18.2 Hz).  Channel 0's
 * output is the VM's virtual IRQ 0, raised through VPICD at the rate the VM programmed: a global
 * time-out per VM, set for its next edge, counts the edges due since the last one by the clock
 * (not by how often it ran), and the VM's EOI of IRQ 0 raises the next one owed at once -- so a
 * VM that did not run for a while catches up, and its BIOS tick count (40:6Ch, counted by the
 * BIOS's INT 08h) is right, not behind.  At most a minute of ticks is owed (a VM with IRQ 0
 * masked or its interrupts off for longer loses the rest, as a PC loses them all).
 */
#include <stdint.h>
#include <vmm/vxd.h>
#include <vmm/port.h>
#include <vmm/vmmsvc.h>
#include <vmm/int.h>
#include <vmm/vm.h>
#include <vmm/thread.h>
#include "vpit.h"

VMM_IMPORT(_Allocate_Device_CB_Area)
VMM_IMPORT(Install_IO_Handler)
VMM_IMPORT(Simulate_IO)
VMM_IMPORT(Get_Sys_VM_Handle)
VMM_IMPORT(Set_Global_Time_Out)
VMM_IMPORT(Cancel_Time_Out)
VMM_IMPORT(Validate_VM_Handle)
VMM_IMPORT(_Debug_Printf_Service)
VPICD_IMPORT(VPICD_Virtualize_IRQ)
VPICD_IMPORT(VPICD_Set_Int_Request)
VPICD_IMPORT(VPICD_Clear_Int_Request)
VPICD_IMPORT(VPICD_Phys_EOI)
VPICD_IMPORT(VPICD_Physically_Mask)

uint64_t VMM_Get_Clock_NS(void);                /* the VMM's, linked by name */
uint32_t VMM_Timer_Period_US(void);

#define VTD_VERSION 0x0400u

static uint32_t get_version(void) { return VTD_VERSION; }
/* The timer interrupt's period, in ms (rounded up: at least 1). */
static uint32_t get_interrupt_period(void)
{
    uint32_t us = VMM_Timer_Period_US();
    return (us + 999) / 1000;
}
/* VTD_Get_Real_Time: nanoseconds since the VMM started (the DDK counts 1.196 MHz ticks). */
static uint64_t get_real_time(void) { return VMM_Get_Clock_NS(); }
/* VTD_Delay: busy-waits us microseconds. */
static void delay(uint32_t us)
{
    uint64_t end = VMM_Get_Clock_NS() + (uint64_t)us * 1000;
    while (VMM_Get_Clock_NS() < end)
        __asm__ volatile("pause");
}
static void update_system_clock(void) {}       /* the VMM's clock needs no updating */

/* ---- the VMs' virtual timers ------------------------------------------------------------- */

struct vtd_vm {                                 /* in each VM's control block */
    struct vpit pit;
    uint64_t seen;                              /* channel 0's edges counted up to this tick */
    uint32_t owed;                              /* edges due beyond the raised request */
    uint8_t raised;                             /* IRQ 0's request is raised */
    TIMEOUTHANDLE to;                           /* the time-out at the next edge */
};

static uint32_t cb_off, hirq0;

static struct vtd_vm *of(VMHANDLE vm) { return (struct vtd_vm *)((uint8_t *)vm + cb_off); }
static uint64_t now(void) { return vpit_ticks_of_ns(VMM_Get_Clock_NS()); }

/* The edges of channel 0 due by t: the first raises IRQ 0, the rest are owed. */
static void count_edges(VMHANDLE vm, struct vtd_vm *d, uint64_t t)
{
    uint64_t n = vpit_irq0_edges(&d->pit, d->seen, t);
    d->seen = t;
    if (!n)
        return;
    if (!d->raised) {
        d->raised = 1;
        n--;
        VPICD_Set_Int_Request(hirq0, vm);
    }
    uint64_t cap = vpit_irq0_edges(&d->pit, t, t + 60ull * VPIT_HZ);   /* a minute's */
    d->owed = d->owed + n > cap ? (uint32_t)cap : d->owed + (uint32_t)n;
}

static void timeout(uint32_t late, void *ref);

/* A time-out at channel 0's next edge after t, in place of the one set. */
static void schedule(VMHANDLE vm, struct vtd_vm *d, uint64_t t)
{
    if (d->to)
        Cancel_Time_Out(d->to);
    d->to = 0;
    uint64_t next = vpit_irq0_next(&d->pit, t);
    if (next == UINT64_MAX)
        return;
    uint64_t ticks = next - t;                  /* far off (a second or so): look again then */
    uint32_t ms = ticks >= 1u << 20 ? 1000u : ((uint32_t)ticks * 1000u + VPIT_HZ - 1) / VPIT_HZ;
    d->to = Set_Global_Time_Out(timeout, ms ? ms : 1, (void *)vm);
}

static void timeout(uint32_t late, void *ref)
{
    (void)late;
    VMHANDLE vm = (VMHANDLE)ref;
    uint32_t fl = vxd_ints_off();
    if (Validate_VM_Handle(vm)) {               /* not a VM that ended meanwhile */
        struct vtd_vm *d = of(vm);
        d->to = 0;
        uint64_t t = now();
        count_edges(vm, d, t);
        schedule(vm, d, t);
    }
    vxd_ints_restore(fl);
}

/* The VM ended IRQ 0's virtual interrupt: the request down, and up again if an edge is owed. */
static void irq0_eoi(uint32_t hirq, VMHANDLE vm, void *ref)
{
    (void)ref;
    struct vtd_vm *d = of(vm);
    VPICD_Clear_Int_Request(hirq, vm);
    d->raised = 0;
    count_edges(vm, d, now());
    if (!d->raised && d->owed) {
        d->owed--;
        d->raised = 1;
        VPICD_Set_Int_Request(hirq, vm);
    }
}

/* The PC's IRQ 0 is not ours (the VMM keeps time with the local APIC): should it fire, quiet. */
static int irq0_hw(uint32_t hirq, struct client_regs *r, void *ref)
{
    (void)r, (void)ref;
    VPICD_Physically_Mask(hirq);
    VPICD_Phys_EOI(hirq);
    return 0;
}

static uint32_t pit_port(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                         struct client_regs *r)
{
    Emulate_Non_Byte_IO();                      /* words and dwords: a byte at a time */
    struct vtd_vm *d = of(vm);
    uint64_t t = now();
    if (!(type & Output))
        return vpit_read(&d->pit, port, t);
    count_edges(vm, d, t);                      /* what the old programming owed, first */
    vpit_write(&d->pit, port, (uint8_t)data, t);
    if (port == 0x40 || port == 0x43)
        schedule(vm, d, t);
    return 0;
}

static void vm_setup(VMHANDLE vm)
{
    struct vtd_vm *d = of(vm);
    uint64_t t = now();
    vpit_reset(&d->pit, t);
    d->seen = t;
    d->owed = d->raised = 0;
    d->to = 0;
    schedule(vm, d, t);
}

static void vm_end(VMHANDLE vm)
{
    struct vtd_vm *d = of(vm);
    if (d->to)
        Cancel_Time_Out(d->to);
    d->to = 0;
}

static int init(void)
{
    static const struct vpicd_irq_descriptor vid = {
        .VID_IRQ_Number = 0, .VID_Options = VPICD_OPT_CAN_SHARE,
        .VID_Hw_Int_Proc = irq0_hw, .VID_EOI_Proc = irq0_eoi,
    };
    cb_off = _Allocate_Device_CB_Area(sizeof(struct vtd_vm), 0);
    hirq0 = VPICD_Virtualize_IRQ(&vid);
    if (!cb_off || !hirq0)
        return 1;                               /* the reason is printed by the service */
    for (unsigned port = 0x40; port <= 0x43; port++)
        if (!Install_IO_Handler(port, pit_port))
            return 1;
    return !Install_IO_Handler(0x61, pit_port);
}

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
        vm_setup((VMHANDLE)vm);
        return 0;
    case VM_NOT_EXECUTEABLE:
    case DESTROY_VM:
        vm_end((VMHANDLE)vm);
        return 0;
    case VM_V86_RESET:
        vm_end((VMHANDLE)vm);
        vm_setup((VMHANDLE)vm);
        return 0;
    }
    return 0;
}

static uint32_t services[VTD_SERVICE_COUNT] = {
    [VTD_Get_Version_Ord] = (uint32_t)get_version,
    [VTD_Update_System_Clock_Ord] = (uint32_t)update_system_clock,
    [VTD_Get_Interrupt_Period_Ord] = (uint32_t)get_interrupt_period,
    [VTD_Get_Real_Time_Ord] = (uint32_t)get_real_time,
    [VTD_Delay_Ord] = (uint32_t)delay,
};

DECLARE_VIRTUAL_DEVICE(VTD_DDB, "VTD     ", 4, 0, control, VTD_DEVICE_ID, VTD_INIT_ORDER,
                       services, VTD_SERVICE_COUNT);
