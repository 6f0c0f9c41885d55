/* The machine's ACPI tables, read once at boot through the physical-mapping window (the reader,
 * boot/acpi.c, is portable; this is its VMM side). */
#include "boot/acpi_load.h"
#include "console/console.h"
#include "mem/physmap.h"
#include "lib/string.h"
#include "vmm.h"

struct acpi_info acpi;

/* Is there an 8042 keyboard controller?  The FADT's IAPC_BOOT_ARCH says; a FADT too old (or
 * none) to say means a PC as PCs were: yes. */
int acpi_has_8042(void) { return !acpi.boot_arch_valid || (acpi.boot_arch & 2) != 0; }

static const void *map(void *ctx, uint64_t phys, uint32_t len)
{
    (void)ctx;
    return map_phys(phys, len, 0);
}

static void defaults(void)
{
    memset(&acpi, 0, sizeof acpi);
    acpi.lapic_addr = ACPI_LAPIC_DEFAULT;
    acpi.pcat_compat = 1;
}

void acpi_load(void)
{
    struct kerr e;
    const struct acpi_map m = { map, 0 };
    if (!boot.bi->acpi_rsdp) {
        defaults();
        kprintf("acpi: no RSDP from the firmware: no PM timer; local APIC assumed at %08x\n",
                acpi.lapic_addr);
        return;
    }
    if (acpi_read(boot.bi->acpi_rsdp, &m, &acpi, &e)) {   /* it leaves the defaults */
        kprintf("acpi: %s; tables ignored\n", e.msg);
        return;
    }
    if (acpi.nwarn)
        kprintf("acpi: %u problem(s) tolerated, the first: %s\n", acpi.nwarn, acpi.warn.msg);
    kprintf("acpi: %s revision %u via %s; PM timer ", acpi.oem_id, acpi.revision,
            acpi.root_is_xsdt ? "XSDT" : "RSDT");
    if (acpi.pm_timer_port)
        kprintf("port %x (%u-bit)", acpi.pm_timer_port, acpi.pm_timer_32bit ? 32 : 24);
    else
        kprintf("none");
    kprintf("; %u CPU(s), local APIC %08x, %u I/O APIC(s), 8259s %s; HPET %s\n", acpi.ncpus,
            acpi.lapic_addr, acpi.nioapics, acpi.pcat_compat ? "present" : "absent",
            acpi.has_hpet ? "present" : "absent");
}
