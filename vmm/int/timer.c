/* Time: see timer.h. */
#include "int/timer.h"
#include "x86/apic.h"
#include "x86/x86.h"
#include "console/console.h"
#include "vmm/int.h"
#include "vmm.h"

#define PM_HZ       3579545u
#define PIT_HZ      1193182u
#define CAL_MS      50u             /* calibration interval */

struct timer_state timer;

static uint16_t pm_port;
static uint32_t pm_mask;

static uint32_t pm_read(void) { return inl(pm_port) & pm_mask; }

/* Busy-waits at least `ticks` of the PM timer (it wraps at 24 or 32 bits); returns how many
 * passed, exactly, so that the loop's overshoot does not bias the calibration. */
static uint32_t pm_wait(uint32_t ticks)
{
    uint32_t start = pm_read(), d;
    while ((d = (pm_read() - start) & pm_mask) < ticks)
        cpu_pause();
    return d;
}

/* Busy-waits `ticks` of the PIT through channel 2 (gate on, speaker off, mode 0). */
static int pit_wait(uint32_t ticks)
{
    uint8_t p61 = inb(0x61);
    outb(0x61, (uint8_t)((p61 & ~0x02) | 0x01));
    outb(0x43, 0xB0);                       /* channel 2, lo/hi, mode 0, binary */
    outb(0x42, (uint8_t)ticks);
    outb(0x42, (uint8_t)(ticks >> 8));
    for (uint32_t spin = 0; !(inb(0x61) & 0x20); spin++)
        if (spin > 100000000u) {            /* no PIT answering: never hang */
            outb(0x61, p61);
            return -1;
        }
    outb(0x61, p61);
    return 0;
}

/* One interval of the reference clock, with the APIC timer and the TSC counted across it;
 * the counts come back scaled to one second. */
static int measure(uint32_t ms, uint64_t *apic_hz, uint64_t *tsc_hz)
{
    uint64_t ref_hz, ref_ticks;
    apic_timer_oneshot_masked(0xFFFFFFFFu);
    uint32_t a0 = apic_timer_current();
    uint64_t t0 = rdtsc();
    if (pm_port) {
        ref_hz = PM_HZ;
        ref_ticks = pm_wait((uint32_t)((uint64_t)PM_HZ * ms / 1000));
    } else {
        ref_hz = PIT_HZ;
        ref_ticks = (uint64_t)PIT_HZ * ms / 1000;
        if (pit_wait((uint32_t)ref_ticks))
            return -1;
    }
    uint64_t t1 = rdtsc();
    uint32_t a1 = apic_timer_current();
    timer.cal_tsc += t1 - t0;               /* a wait, not work: the boot's figure says it apart */
    apic_timer_stop();
    *apic_hz = (uint64_t)(a0 - a1) * ref_hz / ref_ticks;
    *tsc_hz = (t1 - t0) * ref_hz / ref_ticks;
    return 0;
}

int timer_init(uint16_t port, int pm_32bit, uint32_t hz)
{
    uint64_t counts, tsc;
    timer.hz = hz;
    pm_port = port;
    pm_mask = pm_32bit ? 0xFFFFFFFFu : 0xFFFFFFu;
    timer.reference = port ? "ACPI PM timer" : "PIT channel 2";
    if (measure(CAL_MS, &counts, &tsc) == 0 && counts) {
        timer.apic_hz = counts;
        timer.tsc_hz = tsc;
    } else {
        uint32_t r[4];
        cpuid(0, 0, r);
        if (r[0] >= 0x15) {
            cpuid(0x15, 0, r);              /* TSC/crystal ratio EBX/EAX, crystal Hz ECX */
            if (r[0] && r[1] && r[2]) {
                timer.reference = "CPUID 15h";
                timer.apic_hz = r[2] / APIC_DIVIDE;
                timer.tsc_hz = (uint64_t)r[2] * r[1] / r[0];
            }
        }
    }
    if (!timer.apic_hz || !timer.tsc_hz) {
        kprintf("timer: no reference clock answered (no PM timer, PIT or CPUID 15h)\n");
        return -1;
    }
    timer.count = (uint32_t)(timer.apic_hz / hz);
    if (timer.count < 16) {
        kprintf("timer: %u Hz is more than the APIC timer (%llu Hz) can give\n", hz,
                (unsigned long long)timer.apic_hz);
        return -1;
    }
    timer.tsc_boot = boot.entry_tsc;        /* the clock starts at VMM entry */
    timer.tsc_per_ms = timer.tsc_hz / 1000;
    timer.unit_shift = 0;                   /* 2^shift TSC counts: about a microsecond */
    while ((timer.tsc_hz >> timer.unit_shift) >= 2000000u)
        timer.unit_shift++;
    timer.unit_hz = (uint32_t)(timer.tsc_hz >> timer.unit_shift);
    if (!timer.tsc_per_ms || !timer.unit_hz) {
        kprintf("timer: a TSC of %llu Hz is too slow to keep time by\n",
                (unsigned long long)timer.tsc_hz);
        return -1;
    }
    kprintf("timer: calibrated against the %s: APIC timer %llu Hz (/%u), TSC %llu kHz; "
            "periodic %u Hz (count %u)\n", timer.reference, (unsigned long long)timer.apic_hz,
            APIC_DIVIDE, (unsigned long long)(timer.tsc_hz / 1000), hz, timer.count);
    return 0;
}

uint64_t Get_Clock_NS(void)
{
    uint64_t d = rdtsc() - timer.tsc_boot;
    if (!timer.tsc_hz)
        return 0;
    /* seconds and the rest apart: no overflow of d * 1e9 for centuries */
    return d / timer.tsc_hz * 1000000000ull + d % timer.tsc_hz * 1000000000ull / timer.tsc_hz;
}

uint32_t Get_System_Time(void) { return (uint32_t)(Get_Clock_NS() / 1000000u); }

struct timer_latency timer_latency;
static uint64_t tsc_per_count16;        /* TSC counts per APIC timer count, 16.16 */
static int timer_running;

void timer_start(void)
{
    apic_timer_periodic(VEC_APIC_TIMER, timer.count);
    timer_running = 1;
}

/* When the APIC timer last expired, by the TSC (it counts down from timer.count, again and
 * again); *period: one period in TSC counts. */
static uint64_t last_expiry(uint64_t now, uint64_t *period)
{
    uint32_t done = timer.count - apic_timer_current();
    *period = ((uint64_t)timer.count * tsc_per_count16) >> 16;
    return now - (((uint64_t)done * tsc_per_count16) >> 16);
}

void timer_latency_watch(int on)
{
    uint64_t period;
    timer_latency = (struct timer_latency){ 0 };
    tsc_per_count16 = timer.apic_hz ? (timer.tsc_hz << 16) / timer.apic_hz : 0;
    timer_latency.on = on && tsc_per_count16;
    if (timer_latency.on && timer_running) {    /* from now: the expiries missed count */
        timer_latency.last_expiry = last_expiry(rdtsc(), &period);
        timer_latency.ref = 1;
    }
}

void timer_latency_tick(uint32_t eip)
{
    struct timer_latency *l = &timer_latency;
    uint64_t now = rdtsc(), period;
    uint64_t expiry = last_expiry(now, &period), wait = now - expiry;
    if (l->ref) {                           /* expiries missed since the last one taken */
        uint64_t gap = expiry - l->last_expiry;
        if (gap > period + period / 2)
            wait += (gap + period / 2) / period * period - period;
    }
    l->ref = 1;
    l->ticks++;
    l->last_expiry = expiry;
    if (wait > l->max) {
        l->max = wait;
        l->max_eip = eip;
    }
}
