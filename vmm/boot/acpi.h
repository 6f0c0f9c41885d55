/*
 * ACPI table reader: from the RSDP the loader found, walks the XSDT (or RSDT) and reads what the
 * VMM needs from three tables: the FADT ("FACP": PM timer, SCI), the MADT ("APIC": local APIC,
 * 8259s, I/O APIC, processors) and the HPET table.  Called once at boot, before interrupts.
 *
 * Portable (VMM and host tests): it never dereferences a physical address itself but asks the
 * caller's map callback for each range, and it keeps no state.  Everything it reads is
 * untrusted: every length is checked before the bytes it covers are read, all loops are bounded,
 * and fields are read byte by byte (tables are packed and unaligned).
 *
 * Failure policy:
 *   fatal (acpi_read returns -1, *e names the object and the value, *out holds the no-ACPI
 *   defaults): a bad RSDP (unmappable, signature, checksum, extended length or checksum), or no
 *   usable root table (a bad XSDT falls back to the RSDT first, with a warning).
 *   tolerated (acpi_read returns 0, out->nwarn counts them, out->warn holds the first): a root
 *   entry that is 0, unmappable or out of range; an FADT, MADT or HPET table with a bad header
 *   or checksum, or a MADT entry that is malformed (the whole table is then ignored: no partial
 *   MADT); a PM timer or HPET outside the address space we can use.  An ignored table leaves
 *   its defaults and a later copy of it may be used instead.
 * Duplicates: the first valid copy of each table wins; later ones are not read.
 */
#ifndef VMM_BOOT_ACPI_H
#define VMM_BOOT_ACPI_H
#include <stdint.h>
#include "lib/kfmt.h"

#define ACPI_LAPIC_DEFAULT  0xFEE00000u     /* the local APIC when there is no MADT */
#define ACPI_MAX_TABLE_LEN  (1u << 20)      /* longer tables are refused as corrupt */
#define ACPI_MAX_RSDP_LEN   1024u           /* an ACPI 2.0+ RSDP is 36 bytes */
#define ACPI_MAX_TABLES     256u            /* root tables listing more are refused */
#define ACPI_MAX_ISO        16u             /* interrupt source overrides kept */

/*
 * map(ctx, phys, len): a pointer to len readable bytes at physical address phys, or NULL if the
 * range cannot be mapped.  The reader uses a pointer only until its next call to map (so one
 * reusable window suffices) and calls it with 1 <= len <= ACPI_MAX_TABLE_LEN and phys + len
 * within the 52-bit physical address space (within 4 GB for what a 32-bit pointer names).
 */
struct acpi_map {
    const void *(*map)(void *ctx, uint64_t phys, uint32_t len);
    void *ctx;
};

/* MADT type 2: ISA IRQ src is wired to global system interrupt gsi (flags: polarity, trigger). */
struct acpi_iso {
    uint8_t  src;
    uint16_t flags;
    uint32_t gsi;
};

struct acpi_info {
    /* RSDP and root table */
    uint8_t  revision;              /* RSDP revision: 0 for ACPI 1.0, 2 for 2.0+ */
    char     oem_id[7];             /* RSDP OEM id, NUL-terminated */
    uint8_t  root_is_xsdt;          /* 1: the XSDT was used, 0: the RSDT */
    uint64_t rsdt_or_xsdt;          /* the root table used, its address */

    /* FADT ("FACP"); fields the table is too short to hold stay 0 */
    int      has_fadt;
    uint8_t  fadt_revision;
    uint16_t pm_timer_port;         /* 0 if none; X_PM_TMR_BLK if nonzero (used only if in I/O
                                       space), else PM_TMR_BLK */
    uint8_t  pm_timer_32bit;        /* flags bit 8 TMR_VAL_EXT: the counter has 32 bits, not 24 */
    uint16_t sci_irq;               /* SCI_INT */
    uint32_t fadt_flags;            /* the whole flags field (offset 112) */
    uint8_t  century;               /* CMOS index of the RTC century, 0 if none */
    uint8_t  boot_arch_valid;       /* FADT revision >= 2, long enough: boot_arch is meaningful */
    uint16_t boot_arch;             /* IAPC_BOOT_ARCH: bit 0 legacy devices, 1 8042, 2 no VGA,
                                       5 no CMOS RTC */

    /* MADT ("APIC"); without one: lapic_addr ACPI_LAPIC_DEFAULT, pcat_compat 1, counts 0 */
    int      has_madt;
    uint32_t lapic_addr;            /* local APIC address from the MADT header */
    uint64_t lapic_addr_override;   /* type 5 entry, 0 if none: use it instead of lapic_addr */
    int      pcat_compat;           /* flags bit 0: dual 8259s present (to mask) */
    unsigned ncpus;                 /* enabled processor local APIC entries (type 0, flags bit 0) */
    unsigned nioapics;              /* I/O APIC entries (type 1) */
    uint32_t ioapic_addr;           /* the first I/O APIC, 0 if none */
    uint32_t ioapic_gsi_base;       /* its first global system interrupt */
    uint8_t  ioapic_id;
    unsigned niso;                  /* interrupt source overrides kept in iso[] */
    struct acpi_iso iso[ACPI_MAX_ISO];

    /* HPET */
    int      has_hpet;
    uint64_t hpet_addr;             /* event timer block base (memory space) */

    /* Problems tolerated (see the failure policy above) */
    unsigned nwarn;
    struct kerr warn;               /* the first of them; empty if none */
};

/* Reads the tables from the RSDP at rsdp_phys into *out: 0 on success (possibly with warnings),
 * -1 with *e set if ACPI cannot be used at all. */
int acpi_read(uint64_t rsdp_phys, const struct acpi_map *m, struct acpi_info *out, struct kerr *e);

#endif
