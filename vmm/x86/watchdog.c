/* The watchdog NMI: see watchdog.h. */
#include "x86/watchdog.h"
#include "x86/apic.h"
#include "x86/x86.h"
#include "boot/acpi.h"
#include "mem/physmap.h"
#include "console/console.h"
#include "vmm/int.h"
#include "int/timer.h"

#define IOREGSEL      0x00              /* byte offsets of the I/O APIC's two registers */
#define IOWIN         0x10
#define IOAPICVER     0x01
#define IOREDTBL(n)   (0x10 + 2 * (n))
#define RTE_NMI       (4u << 8)         /* delivery mode NMI (the vector is ignored) */
#define RTE_FIXED     (0u << 8)
#define RTE_LOW_POL   (1u << 13)
#define RTE_LEVEL     (1u << 15)
#define RTE_MASKED    (1u << 16)

static volatile uint32_t *io;
static uint32_t pin, rte_low;
static uint64_t off_at, grace;          /* TSC when last disarmed; 60 ms of it */
volatile int watchdog_armed;
uint32_t watchdog_nmis;

static uint32_t io_read(uint32_t reg)
{
    io[IOREGSEL / 4] = reg;
    return io[IOWIN / 4];
}

static void io_write(uint32_t reg, uint32_t v)
{
    io[IOREGSEL / 4] = reg;
    io[IOWIN / 4] = v;
}

int watchdog_init(const struct acpi_info *a)
{
    if (!a->ioapic_addr) {
        kprintf("watchdog: no I/O APIC in the ACPI tables; none (a VxD running away with "
                "interrupts off is not caught)\n");
        return -1;
    }
    uint32_t gsi = 0, pol = 0;                      /* ISA IRQ 0: GSI 0, unless overridden */
    for (unsigned i = 0; i < a->niso; i++)
        if (a->iso[i].src == 0) {
            gsi = a->iso[i].gsi;
            pol = a->iso[i].flags & 3;              /* MPS INTI flags: 3 = active low */
        }
    io = map_phys(a->ioapic_addr, 0x1000, PM_WRITE | PM_UNCACHED);
    if (!io) {
        kprintf("watchdog: cannot map the I/O APIC at %08x; none\n", a->ioapic_addr);
        return -1;
    }
    uint32_t last = io_read(IOAPICVER) >> 16 & 0xFF;
    if (gsi < a->ioapic_gsi_base || gsi - a->ioapic_gsi_base > last) {
        kprintf("watchdog: IRQ 0 is GSI %u, not a pin of the I/O APIC (GSIs %u..%u); none\n", gsi,
                a->ioapic_gsi_base, a->ioapic_gsi_base + last);
        io = 0;
        return -1;
    }
    pin = gsi - a->ioapic_gsi_base;
    grace = timer.tsc_hz * 60 / 1000;
    rte_low = (pol == 3 ? RTE_LOW_POL : 0);         /* edge triggered */
    io_write(IOREDTBL(pin), rte_low | RTE_MASKED);
    io_write(IOREDTBL(pin) + 1, apic_id() << 24);   /* physical destination: this processor */
    io_write(IOREDTBL(pin), rte_low | RTE_FIXED | VEC_WATCHDOG);
    outb(0x43, 0x36);                               /* channel 0, lo/hi byte, mode 3, binary */
    outb(0x40, 0);
    outb(0x40, 0);                                  /* 65536: 18.2 Hz */
    kprintf("watchdog: NMI from the PIT (IRQ 0, 18.2 Hz) through I/O APIC pin %u, while a VxD "
            "call is guarded\n", pin);
    return 0;
}

/* Never masked (an I/O APIC may keep an edge that came while masked, and deliver it late, on
 * unmasking): not armed, the pin is an ordinary interrupt the VMM just acknowledges. */
void watchdog_arm(int on)
{
    if (!io || watchdog_armed == on)
        return;
    uint32_t f = irq_save();
    if (on) {                           /* set before the NMIs start (one may come at once) */
        watchdog_armed = 1;
        io_write(IOREDTBL(pin), rte_low | RTE_NMI);
    } else {                            /* ... cleared after they stop */
        io_write(IOREDTBL(pin), rte_low | RTE_FIXED | VEC_WATCHDOG);
        off_at = rdtsc();
        watchdog_armed = 0;
    }
    irq_restore(f);
}

int watchdog_owns_nmi(void)
{
    return watchdog_armed || (io && rdtsc() - off_at < grace);
}
