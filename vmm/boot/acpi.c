/*
 * ACPI table reader: see acpi.h.  Portable: compiled into the VMM and the host tests.
 *
 * The layouts read here (ACPI 6.5; little-endian, packed, so no field is assumed aligned):
 *
 *   RSDP     0 "RSD PTR "   8 checksum (first 20 bytes)   9 OEM id [6]   15 revision
 *           16 RSDT (4)    20 length   24 XSDT (8)   32 extended checksum (all `length` bytes)
 *   header   0 signature [4]   4 length   8 revision   9 checksum (all `length` bytes)  ... 36
 *   RSDT     header, then 4-byte table addresses;  XSDT: 8-byte ones
 *   FADT    46 SCI_INT (2)   76 PM_TMR_BLK (4)   108 CENTURY   109 IAPC_BOOT_ARCH (2)
 *          112 flags (4)   208 X_PM_TMR_BLK: a GAS, 208 address space, 212 address (8)
 *   MADT    36 local APIC address (4)   40 flags (4)   44 entries: 0 type, 1 length, ...
 *   HPET    40 base address: a GAS, 40 address space, 44 address (8)
 *
 * Each stage maps what it reads, checks every length against what was mapped before touching
 * the bytes, and extracts its fields before the next map call (which may reuse the window).
 */
#include "boot/acpi.h"

#define HDR_LEN     36u
#define LIMIT_4G    (1ull << 32)        /* what a 32-bit pointer (RSDT, its entries) can name */
#define LIMIT_PHYS  (1ull << 52)        /* the architectural physical address space */
#define GAS_MEMORY  0u                  /* generic address structure: address space ids */
#define GAS_IO      1u

struct rd {                             /* what every stage needs */
    const struct acpi_map *m;
    struct acpi_info *out;
};

struct root {                           /* the RSDT or XSDT in use */
    const char *name;
    uint64_t phys;
    uint64_t limit;                     /* for the root table and the tables it lists */
    uint32_t esize;                     /* bytes per entry: 4 or 8 */
    uint32_t n;                         /* entries */
};

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static int sig_is(const uint8_t *p, const char *sig)
{
    for (; *sig; p++, sig++)
        if (*p != (uint8_t)*sig)
            return 0;
    return 1;
}

/* n bytes of a signature, printable, for messages (buf holds n + 1). */
static const char *sig_text(char *buf, const uint8_t *p, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        buf[i] = p[i] >= 0x20 && p[i] < 0x7F ? (char)p[i] : '?';
    buf[n] = 0;
    return buf;
}

static uint8_t sum(const uint8_t *p, uint32_t n)
{
    uint8_t s = 0;
    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

/* [phys, phys + len) lies below limit; written so that no sum can wrap. */
static int in_range(uint64_t phys, uint64_t len, uint64_t limit)
{
    return len <= limit && phys <= limit - len;
}

static const char *limit_name(uint64_t limit)
{
    return limit == LIMIT_4G ? "4 GB" : "the 52-bit physical address space";
}

static const uint8_t *map(const struct rd *r, uint64_t phys, uint32_t len)
{
    return r->m->map(r->m->ctx, phys, len);
}

/* Records a tolerated problem: counted, and the first one kept for the caller to report. */
__attribute__((format(printf, 2, 3)))
static void warn(struct acpi_info *o, const char *fmt, ...)
{
    if (o->nwarn++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        kvsnprintf(o->warn.msg, sizeof o->warn.msg, fmt, ap);
        va_end(ap);
    }
}

static void madt_defaults(struct acpi_info *o)
{
    o->has_madt = 0;
    o->lapic_addr = ACPI_LAPIC_DEFAULT;
    o->lapic_addr_override = 0;
    o->pcat_compat = 1;                 /* no MADT: an ACPI 1.0-era PC, with 8259s */
    o->ncpus = o->nioapics = o->niso = 0;
    o->ioapic_addr = o->ioapic_gsi_base = 0;
    o->ioapic_id = 0;
    __builtin_memset(o->iso, 0, sizeof o->iso);
}

static void info_defaults(struct acpi_info *o)
{
    __builtin_memset(o, 0, sizeof *o);
    madt_defaults(o);
}

/* ---- RSDP ------------------------------------------------------------------------------------ */

static int rsdp_read(const struct rd *r, uint64_t phys, uint64_t *rsdt, uint64_t *xsdt,
                     struct kerr *e)
{
    struct acpi_info *o = r->out;
    const uint8_t *p;
    unsigned long long at = phys;
    char s[9];

    if (phys == 0)
        return kerr_set(e, "RSDP: address 0 (no ACPI tables)");
    if (!in_range(phys, 20, LIMIT_PHYS))
        return kerr_set(e, "RSDP at 0x%llx: runs past %s", at, limit_name(LIMIT_PHYS));
    if (!(p = map(r, phys, 20)))
        return kerr_set(e, "RSDP at 0x%llx: cannot be mapped", at);
    if (!sig_is(p, "RSD PTR "))
        return kerr_set(e, "RSDP at 0x%llx: signature \"%s\", expected \"RSD PTR \"", at,
                        sig_text(s, p, 8));
    if (sum(p, 20))
        return kerr_set(e, "RSDP at 0x%llx: bad checksum (its first 20 bytes sum to 0x%02x, "
                        "not 0)", at, sum(p, 20));
    o->revision = p[15];
    for (unsigned i = 0; i < 6 && p[9 + i]; i++)
        o->oem_id[i] = p[9 + i] >= 0x20 && p[9 + i] < 0x7F ? (char)p[9 + i] : '?';
    *rsdt = rd32(p + 16);
    *xsdt = 0;
    if (o->revision < 2)                /* ACPI 1.0: 20 bytes, no length, no XSDT */
        return 0;

    if (!in_range(phys, 36, LIMIT_PHYS))
        return kerr_set(e, "RSDP at 0x%llx: revision %u runs past %s", at, o->revision,
                        limit_name(LIMIT_PHYS));
    if (!(p = map(r, phys, 36)))
        return kerr_set(e, "RSDP at 0x%llx: revision %u, its 36 bytes cannot be mapped", at,
                        o->revision);
    uint32_t len = rd32(p + 20);
    if (len < 36 || len > ACPI_MAX_RSDP_LEN)
        return kerr_set(e, "RSDP at 0x%llx: revision %u, length %u, expected 36..%u", at,
                        o->revision, len, ACPI_MAX_RSDP_LEN);
    if (!in_range(phys, len, LIMIT_PHYS))
        return kerr_set(e, "RSDP at 0x%llx: length %u runs past %s", at, len,
                        limit_name(LIMIT_PHYS));
    if (!(p = map(r, phys, len)))
        return kerr_set(e, "RSDP at 0x%llx: its %u bytes cannot be mapped", at, len);
    if (sum(p, len))
        return kerr_set(e, "RSDP at 0x%llx: bad extended checksum (its %u bytes sum to 0x%02x, "
                        "not 0)", at, len, sum(p, len));
    *xsdt = rd64(p + 24);
    return 0;
}

/* ---- tables ---------------------------------------------------------------------------------- */

/* Maps the table `name` at phys and checks its header: signature sig, 36 <= length <= 1 MB, the
 * whole table below limit, checksum.  On success *t is the whole table (valid until the next map
 * call) and *lenp its length. */
static int table_map(const struct rd *r, const char *name, const char *sig, uint64_t phys,
                     uint64_t limit, const uint8_t **t, uint32_t *lenp, struct kerr *e)
{
    const uint8_t *p;
    unsigned long long at = phys;
    uint32_t len;
    char s[5];

    if (phys == 0)
        return kerr_set(e, "%s: address 0", name);
    if (!in_range(phys, HDR_LEN, limit))
        return kerr_set(e, "%s at 0x%llx: header runs past %s", name, at, limit_name(limit));
    if (!(p = map(r, phys, HDR_LEN)))
        return kerr_set(e, "%s at 0x%llx: cannot be mapped", name, at);
    if (!sig_is(p, sig))
        return kerr_set(e, "%s at 0x%llx: signature \"%s\", expected \"%s\"", name, at,
                        sig_text(s, p, 4), sig);
    len = rd32(p + 4);
    if (len < HDR_LEN)
        return kerr_set(e, "%s at 0x%llx: length %u, shorter than its 36-byte header", name, at,
                        len);
    if (len > ACPI_MAX_TABLE_LEN)
        return kerr_set(e, "%s at 0x%llx: length %u, more than %u", name, at, len,
                        ACPI_MAX_TABLE_LEN);
    if (!in_range(phys, len, limit))
        return kerr_set(e, "%s at 0x%llx: length %u runs past %s", name, at, len,
                        limit_name(limit));
    if (!(p = map(r, phys, len)))
        return kerr_set(e, "%s at 0x%llx: its %u bytes cannot be mapped", name, at, len);
    if (sum(p, len))
        return kerr_set(e, "%s at 0x%llx: bad checksum (its %u bytes sum to 0x%02x, not 0)", name,
                        at, len, sum(p, len));
    *t = p;
    *lenp = len;
    return 0;
}

static void fadt_read(const struct rd *r, uint64_t phys, uint64_t limit)
{
    struct acpi_info *o = r->out;
    unsigned long long at = phys;
    const uint8_t *t;
    uint32_t len;
    struct kerr e;

    if (table_map(r, "FADT", "FACP", phys, limit, &t, &len, &e) < 0) {
        warn(o, "%s; ignored", e.msg);
        return;
    }
    /* Revisions differ in length (ACPI 1.0: 116 bytes, 2.0: 244, 5.0+: 268 or more): a field
     * is read only when the table covers it, and otherwise stays 0. */
    o->has_fadt = 1;
    o->fadt_revision = t[8];
    if (len >= 48)
        o->sci_irq = rd16(t + 46);
    uint64_t port = len >= 80 ? rd32(t + 76) : 0;
    if (len >= 109)
        o->century = t[108];
    if (len >= 111 && t[8] >= 2) {      /* reserved (0) in ACPI 1.0 */
        o->boot_arch = rd16(t + 109);
        o->boot_arch_valid = 1;
    }
    if (len >= 116) {
        o->fadt_flags = rd32(t + 112);
        o->pm_timer_32bit = o->fadt_flags >> 8 & 1;
    }
    /* X_PM_TMR_BLK, when nonzero, supersedes PM_TMR_BLK (ACPI 6.5, 5.2.9). */
    if (len >= 220 && rd64(t + 212)) {
        port = rd64(t + 212);
        if (t[208] != GAS_IO) {
            warn(o, "FADT at 0x%llx: PM timer at 0x%llx in address space %u, not I/O; not used",
                 at, (unsigned long long)port, t[208]);
            port = 0;
        }
    }
    if (port > 0xFFFF) {
        warn(o, "FADT at 0x%llx: PM timer port 0x%llx is beyond 0xffff; not used", at,
             (unsigned long long)port);
        port = 0;
    }
    o->pm_timer_port = (uint16_t)port;
}

/* The shortest entry of each type we read; other types are only stepped over. */
static uint32_t madt_need(uint8_t type)
{
    switch (type) {
    case 0: return 8;                   /* processor local APIC */
    case 1: return 12;                  /* I/O APIC */
    case 2: return 10;                  /* interrupt source override */
    case 5: return 12;                  /* local APIC address override */
    default: return 2;
    }
}

/* Walks the MADT's entries into *o.  Every entry's length is at least 2, so the walk ends. */
static int madt_parse(const uint8_t *t, uint32_t len, uint64_t phys, struct acpi_info *o,
                      unsigned *niso_seen, struct kerr *e)
{
    unsigned long long at = phys;

    if (len < 44)
        return kerr_set(e, "MADT at 0x%llx: length %u, too short for the local APIC address and "
                        "flags (44)", at, len);
    o->lapic_addr = rd32(t + 36);
    o->pcat_compat = rd32(t + 40) & 1;
    for (uint32_t off = 44; off < len; off += t[off + 1]) {
        const uint8_t *en = t + off;
        uint32_t left = len - off;

        if (left < 2)
            return kerr_set(e, "MADT at 0x%llx: 1 byte left at offset %u, too few for an entry",
                            at, off);
        if (en[1] < 2)
            return kerr_set(e, "MADT at 0x%llx: entry at offset %u (type %u) has length %u", at,
                            off, en[0], en[1]);
        if (en[1] > left)
            return kerr_set(e, "MADT at 0x%llx: entry at offset %u (type %u, length %u) runs past "
                            "the end of the table (%u bytes)", at, off, en[0], en[1], len);
        if (en[1] < madt_need(en[0]))
            return kerr_set(e, "MADT at 0x%llx: entry at offset %u (type %u) has length %u, "
                            "needs %u", at, off, en[0], en[1], madt_need(en[0]));
        switch (en[0]) {
        case 0:
            o->ncpus += rd32(en + 4) & 1;
            break;
        case 1:
            if (o->nioapics++ == 0) {
                o->ioapic_id = en[2];
                o->ioapic_addr = rd32(en + 4);
                o->ioapic_gsi_base = rd32(en + 8);
            }
            break;
        case 2:
            if (o->niso < ACPI_MAX_ISO)
                o->iso[o->niso++] = (struct acpi_iso){ en[3], rd16(en + 8), rd32(en + 4) };
            ++*niso_seen;
            break;
        case 5:
            if (!o->lapic_addr_override)
                o->lapic_addr_override = rd64(en + 4);
            break;
        }
    }
    return 0;
}

static void madt_read(const struct rd *r, uint64_t phys, uint64_t limit)
{
    struct acpi_info *o = r->out;
    const uint8_t *t;
    uint32_t len;
    unsigned niso_seen = 0;
    struct kerr e;

    if (table_map(r, "MADT", "APIC", phys, limit, &t, &len, &e) < 0) {
        warn(o, "%s; ignored", e.msg);
        return;
    }
    if (madt_parse(t, len, phys, o, &niso_seen, &e) < 0) {
        madt_defaults(o);               /* all or nothing: no half-read MADT */
        warn(o, "%s; ignored", e.msg);
        return;
    }
    o->has_madt = 1;
    if (niso_seen > ACPI_MAX_ISO)
        warn(o, "MADT at 0x%llx: %u interrupt source overrides, only the first %u kept",
             (unsigned long long)phys, niso_seen, ACPI_MAX_ISO);
}

static void hpet_read(const struct rd *r, uint64_t phys, uint64_t limit)
{
    struct acpi_info *o = r->out;
    unsigned long long at = phys;
    const uint8_t *t;
    uint32_t len;
    struct kerr e;

    if (table_map(r, "HPET", "HPET", phys, limit, &t, &len, &e) < 0) {
        warn(o, "%s; ignored", e.msg);
        return;
    }
    if (len < 52) {
        warn(o, "HPET at 0x%llx: length %u, too short for the base address (52); ignored", at,
             len);
        return;
    }
    uint64_t base = rd64(t + 44);
    if (t[40] != GAS_MEMORY || base == 0) {
        warn(o, "HPET at 0x%llx: base 0x%llx in address space %u, not a memory address; "
             "ignored", at, (unsigned long long)base, t[40]);
        return;
    }
    o->has_hpet = 1;
    o->hpet_addr = base;
}

/* ---- the root table -------------------------------------------------------------------------- */

static int root_check(const struct rd *r, struct root *rt, struct kerr *e)
{
    const uint8_t *t;
    uint32_t len;

    if (table_map(r, rt->name, rt->name, rt->phys, rt->limit, &t, &len, e) < 0)
        return -1;
    rt->n = (len - HDR_LEN) / rt->esize;
    if (rt->n > ACPI_MAX_TABLES)
        return kerr_set(e, "%s at 0x%llx: %u entries, more than %u", rt->name,
                        (unsigned long long)rt->phys, rt->n, ACPI_MAX_TABLES);
    if ((len - HDR_LEN) % rt->esize)
        warn(r->out, "%s at 0x%llx: length %u ends in a partial entry; its bytes ignored",
             rt->name, (unsigned long long)rt->phys, len);
    return 0;
}

/* The XSDT when the RSDP has one and it is valid, else the RSDT. */
static int root_select(const struct rd *r, uint64_t rsdt, uint64_t xsdt, struct root *rt,
                       struct kerr *e)
{
    const struct root xs = { "XSDT", xsdt, LIMIT_PHYS, 8, 0 };
    const struct root rs = { "RSDT", rsdt, LIMIT_4G, 4, 0 };
    struct kerr xe, re;

    if (xsdt) {
        *rt = xs;
        if (root_check(r, rt, &xe) == 0)
            return 0;
        if (!rsdt)
            return kerr_set(e, "%s", xe.msg);
        *rt = rs;
        if (root_check(r, rt, &re) < 0)
            return kerr_set(e, "%s; and %s", xe.msg, re.msg);
        warn(r->out, "%s; using the RSDT", xe.msg);
        return 0;
    }
    if (!rsdt)
        return kerr_set(e, "RSDP: revision %u, no root table address", r->out->revision);
    *rt = rs;
    return root_check(r, rt, e);
}

/* Reads one table the root lists, if it is one we want and do not have yet. */
static void table_visit(const struct rd *r, const struct root *rt, uint32_t i, uint64_t phys)
{
    struct acpi_info *o = r->out;
    const uint8_t *p;

    if (phys == 0) {
        warn(o, "%s entry %u: address 0; ignored", rt->name, i);
        return;
    }
    if (!in_range(phys, HDR_LEN, rt->limit)) {
        warn(o, "%s entry %u: table at 0x%llx runs past %s; ignored", rt->name, i,
             (unsigned long long)phys, limit_name(rt->limit));
        return;
    }
    if (!(p = map(r, phys, 4))) {
        warn(o, "%s entry %u: table at 0x%llx cannot be mapped; ignored", rt->name, i,
             (unsigned long long)phys);
        return;
    }
    if (sig_is(p, "FACP") && !o->has_fadt)
        fadt_read(r, phys, rt->limit);
    else if (sig_is(p, "APIC") && !o->has_madt)
        madt_read(r, phys, rt->limit);
    else if (sig_is(p, "HPET") && !o->has_hpet)
        hpet_read(r, phys, rt->limit);
}

int acpi_read(uint64_t rsdp_phys, const struct acpi_map *m, struct acpi_info *out, struct kerr *e)
{
    const struct rd r = { m, out };
    uint64_t rsdt = 0, xsdt = 0;
    struct root rt;

    info_defaults(out);
    if (rsdp_read(&r, rsdp_phys, &rsdt, &xsdt, e) < 0 ||
        root_select(&r, rsdt, xsdt, &rt, e) < 0) {
        info_defaults(out);
        return -1;
    }
    out->root_is_xsdt = rt.esize == 8;
    out->rsdt_or_xsdt = rt.phys;
    for (uint32_t i = 0; i < rt.n; i++) {
        /* Inside the root table, which was checked to lie below its limit. */
        uint64_t at = rt.phys + HDR_LEN + (uint64_t)i * rt.esize;
        const uint8_t *p = map(&r, at, rt.esize);
        if (!p) {
            warn(out, "%s at 0x%llx: entry %u cannot be mapped; ignored", rt.name,
                 (unsigned long long)rt.phys, i);
            continue;
        }
        table_visit(&r, &rt, i, rt.esize == 8 ? rd64(p) : rd32(p));
    }
    return 0;
}
