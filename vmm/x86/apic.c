/* The local APIC: see apic.h. */
#include "x86/apic.h"
#include "x86/x86.h"
#include "console/console.h"
#include "vmm/int.h"

#define R_ID        0x020
#define R_VER       0x030
#define R_TPR       0x080
#define R_EOI       0x0B0
#define R_SVR       0x0F0
#define R_ISR       0x100
#define R_ESR       0x280
#define R_LVT_CMCI  0x2F0
#define R_LVT_TIMER 0x320
#define R_LVT_THERM 0x330
#define R_LVT_PERF  0x340
#define R_LVT_LINT0 0x350
#define R_LVT_LINT1 0x360
#define R_LVT_ERROR 0x370
#define R_TIMER_INIT 0x380
#define R_TIMER_CUR 0x390
#define R_TIMER_DIV 0x3E0

#define LVT_MASKED   (1u << 16)
#define LVT_PERIODIC (1u << 17)
#define LVT_EXTINT   (7u << 8)
#define LVT_NMI      (4u << 8)

static volatile uint32_t *regs;
static uint64_t base;

static inline uint32_t rd(uint32_t r) { return regs[r / 4]; }
static inline void wr(uint32_t r, uint32_t v) { regs[r / 4] = v; }

uint64_t apic_enable(uint64_t base_hint)
{
    uint32_t f[4];
    cpuid(1, 0, f);
    if (!(f[3] & (1u << 9))) {
        kprintf("apic: this CPU has no local APIC\n");
        return 0;
    }
    uint64_t msr = rdmsr(MSR_APIC_BASE);
    base = msr & 0xFFFFFF000ull;
    if (base_hint && base_hint != base)
        kprintf("apic: ACPI says %llx, the MSR %llx; using the MSR\n",
                (unsigned long long)base_hint, (unsigned long long)base);
    if (!(msr & (1u << 11)))
        wrmsr(MSR_APIC_BASE, msr | (1u << 11));     /* globally enabled */
    return base;
}

void apic_init(volatile uint32_t *mapped)
{
    regs = mapped;
    uint32_t ver = rd(R_VER), maxlvt = (ver >> 16) & 0xFF;
    /* Quiet first: the firmware's timer (masked but counting) stops, every LVT masked. */
    wr(R_LVT_TIMER, LVT_MASKED);
    wr(R_TIMER_INIT, 0);
    if (maxlvt >= 4)
        wr(R_LVT_PERF, LVT_MASKED);
    if (maxlvt >= 5)
        wr(R_LVT_THERM, LVT_MASKED);
    if (maxlvt >= 6)
        wr(R_LVT_CMCI, LVT_MASKED);
    /* Virtual-wire mode: the 8259's output through LINT0, NMI through LINT1. */
    wr(R_LVT_LINT0, LVT_EXTINT);
    wr(R_LVT_LINT1, LVT_NMI);
    wr(R_LVT_ERROR, VEC_APIC_ERROR);
    wr(R_ESR, 0);
    (void)rd(R_ESR);
    wr(R_TPR, 0);
    wr(R_SVR, 0x100 | VEC_APIC_SPURIOUS);           /* software-enabled, spurious vector FFh */
    wr(R_TIMER_DIV, 0x3);                           /* divide by 16 */
    for (int n = 0; n < 256; n++) {                 /* nothing of the firmware's left in service */
        uint32_t any = 0;
        for (int i = 0; i < 8; i++)
            any |= rd(R_ISR + 0x10 * i);
        if (!any)
            break;
        wr(R_EOI, 0);
    }
    kprintf("apic: local APIC %u at %llx, version %02x, %u LVT entries; spurious vector %02x\n",
            apic_id(), (unsigned long long)base, ver & 0xFF, maxlvt + 1, VEC_APIC_SPURIOUS);
}

void apic_eoi(void) { wr(R_EOI, 0); }
uint32_t apic_id(void) { return rd(R_ID) >> 24; }
uint64_t apic_base(void) { return base; }

uint32_t apic_esr(void)
{
    wr(R_ESR, 0);
    return rd(R_ESR);
}

void apic_timer_oneshot_masked(uint32_t count)
{
    wr(R_LVT_TIMER, LVT_MASKED | VEC_APIC_TIMER);
    wr(R_TIMER_DIV, 0x3);
    wr(R_TIMER_INIT, count);
}

uint32_t apic_timer_current(void) { return rd(R_TIMER_CUR); }

void apic_timer_periodic(uint8_t vector, uint32_t count)
{
    wr(R_TIMER_DIV, 0x3);
    wr(R_LVT_TIMER, LVT_PERIODIC | vector);
    wr(R_TIMER_INIT, count);
}

void apic_timer_stop(void)
{
    wr(R_LVT_TIMER, LVT_MASKED);
    wr(R_TIMER_INIT, 0);
}

uint32_t apic_isr_bit(uint8_t vector)
{
    return (rd(R_ISR + 0x10 * (vector >> 5)) >> (vector & 31)) & 1;
}
