/* The watchdog NMI: see watchdog.h. */
#include "x86/watchdog.h"
#include "x86/apic.h"
#include "x86/x86.h"
#include "boot/acpi.h"
#include "mem/physmap.h"
#include "console/console.h"

#define IOREGSEL      0x00              /* byte offsets of the I/O APIC's two registers */
#define IOWIN         0x10
#define IOAPICVER     0x01
#define IOREDTBL(n)   (0x10 + 2 * (n))
#define RTE_NMI       (4u << 8)         /* delivery mode NMI (the vector is ignored) */
#define RTE_LOW_POL   (1u << 13)
#define RTE_LEVEL     (1u << 15)
#define RTE_MASKED    (1u << 16)

static volatile uint32_t *io;
static uint32_t pin, rte_low;
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
    rte_low = RTE_NMI | (pol == 3 ? RTE_LOW_POL : 0);   /* edge triggered */
    io_write(IOREDTBL(pin), rte_low | RTE_MASKED);
    io_write(IOREDTBL(pin) + 1, apic_id() << 24);   /* physical destination: this processor */
    outb(0x43, 0x36);                               /* channel 0, lo/hi byte, mode 3, binary */
    outb(0x40, 0);
    outb(0x40, 0);                                  /* 65536: 18.2 Hz */
    kprintf("watchdog: NMI from the PIT (IRQ 0, 18.2 Hz) through I/O APIC pin %u, while a VxD "
            "call is guarded\n", pin);
    return 0;
}

void watchdog_arm(int on)
{
    if (!io || watchdog_armed == on)
        return;
    watchdog_armed = on;
    io_write(IOREDTBL(pin), rte_low | (on ? 0 : RTE_MASKED));
}
