/*
 * Time: the local APIC timer calibrated against a reference clock (the ACPI PM timer from the
 * FADT; else PIT channel 2; else CPUID leaf 15h), then run periodic at SYSTEM.INI's TimerHz;
 * the TSC's rate, measured over the same interval, gives Get_System_Time and Get_Clock_NS.
 * timer_init runs once at boot with interrupts off; timer_tick is the interrupt handler.
 *
 * One clock: the calibrated TSC.  The tick only says "look at the clock now": time-outs,
 * sleeps and PEF_TIME_OUT are deadlines in TSC counts, run by the first tick that finds them
 * due, however many ticks came late or merged on the way; the time-slicer is charged the CPU
 * time each thread really used (TSC counts, in units of 2^unit_shift); a late time-out is told
 * its real lateness.  So Get_System_Time, time-outs, sleeps, time slices and the CPU account
 * all read the same clock.
 */
#ifndef INT_TIMER_H
#define INT_TIMER_H
#include <stdint.h>
#include "x86/x86.h"

struct timer_state {
    const char *reference;          /* "ACPI PM timer", "PIT channel 2", "CPUID 15h" */
    uint64_t tsc_hz;
    uint64_t apic_hz;               /* timer input clock (after the divider) */
    uint32_t hz;                    /* interrupts per second asked */
    uint32_t count;                 /* the periodic initial count */
    volatile uint64_t ticks;        /* timer interrupts taken (a count, not a clock) */
    uint64_t tsc_boot;
    uint64_t tsc_per_ms;            /* tsc_hz / 1000 */
    uint32_t unit_shift;            /* the time-slicer's unit: 2^unit_shift TSC counts, */
    uint32_t unit_hz;               /* about a microsecond (unit_hz: 1 to 2 MHz) */
    uint64_t cal_tsc;               /* TSC counts the calibration waited for its reference */
};
extern struct timer_state timer;

/* The clock's reading ms milliseconds from now: a deadline. */
static inline uint64_t clock_due(uint32_t ms) { return rdtsc() + ms * timer.tsc_per_ms; }

/* How late, in whole milliseconds, what was due at `due` is at `now` (0 if not yet due). */
static inline uint32_t clock_late_ms(uint64_t now, uint64_t due)
{
    if ((int64_t)(now - due) <= 0 || !timer.tsc_per_ms)
        return 0;
    uint64_t ms = (now - due) / timer.tsc_per_ms;
    return ms > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)ms;
}

/* Milliseconds in the time-slicer's units. */
static inline uint32_t ms_to_units(uint32_t ms) { return (uint32_t)((uint64_t)ms * timer.unit_hz / 1000); }

/* How late the timer's interrupts are taken, watched in the test build: a tick waits only while
 * interrupts are off (or another handler runs), so the longest wait L says how long the longest
 * stretch with interrupts off was: at least L, less than L + one period.  Each tick reads the
 * APIC timer's count (the time since it expired, to the count) and counts the expiries it
 * missed (ticks merged while interrupts were off). */
struct timer_latency {
    uint8_t on;
    uint64_t last_expiry;           /* TSC: when the tick taken last had expired */
    uint64_t max;                   /* TSC counts: the longest wait */
    uint32_t max_eip;               /* where the longest wait ended (interrupts back on) */
    uint32_t ticks;                 /* ticks watched */
    uint8_t ref;                    /* last_expiry known (the first tick of the boot has none:
                                       interrupts come on long after the timer starts) */
};
extern struct timer_latency timer_latency;
void timer_latency_watch(int on);   /* starts (afresh) or stops the watch */
void timer_latency_tick(uint32_t eip);  /* the timer vector, while on */

/* pm_port: the FADT's PM timer port (0: none), pm_32bit its TMR_VAL_EXT. */
int  timer_init(uint16_t pm_port, int pm_32bit, uint32_t hz);   /* 0 ok, -1 (reason printed) */
void timer_start(void);             /* the periodic interrupt, from now on */

#endif
