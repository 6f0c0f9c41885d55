/*
 * VTD: the virtual timer device's services, over the VMM's timer (vmm/int/timer.c: the local
 * APIC timer calibrated against the ACPI PM timer).  Get_System_Time and the time-outs
 * (Set_Global_Time_Out ...) are the VMM's own services and count in this timer's ticks; VTD
 * answers what the DDK's VTD answers: its version, the interrupt period, the real time, a delay.
 */
#include <stdint.h>
#include <vmm/vxd.h>
#include <vmm/vmmsvc.h>
#include <vmm/int.h>

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

static int control(uint32_t msg, uint32_t vm, uint32_t arg)
{
    (void)msg;
    (void)vm;
    (void)arg;
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
