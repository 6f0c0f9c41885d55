/*
 * Time: the local APIC timer calibrated against a reference clock (the ACPI PM timer from the
 * FADT; else PIT channel 2; else CPUID leaf 15h), then run periodic at SYSTEM.INI's TimerHz;
 * the TSC's rate, measured over the same interval, gives Get_System_Time and Get_Clock_NS.
 * timer_init runs once at boot with interrupts off; timer_tick is the interrupt handler.
 */
#ifndef INT_TIMER_H
#define INT_TIMER_H
#include <stdint.h>

struct timer_state {
    const char *reference;          /* "ACPI PM timer", "PIT channel 2", "CPUID 15h" */
    uint64_t tsc_hz;
    uint64_t apic_hz;               /* timer input clock (after the divider) */
    uint32_t hz;                    /* interrupts per second asked */
    uint32_t count;                 /* the periodic initial count */
    volatile uint64_t ticks;        /* timer interrupts taken */
    uint64_t tsc_boot;
};
extern struct timer_state timer;

/* The whole timer ticks that cover ms milliseconds, at least one. */
static inline uint32_t ms_to_ticks(uint32_t ms)
{
    uint32_t t = (uint32_t)(((uint64_t)ms * timer.hz + 999) / 1000);
    return t ? t : 1;
}

/* pm_port: the FADT's PM timer port (0: none), pm_32bit its TMR_VAL_EXT. */
int  timer_init(uint16_t pm_port, int pm_32bit, uint32_t hz);   /* 0 ok, -1 (reason printed) */
void timer_start(void);             /* the periodic interrupt, from now on */

#endif
