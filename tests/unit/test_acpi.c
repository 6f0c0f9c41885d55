/*
 * Host tests for vmm/boot/acpi.c: the ACPI table reader (RSDP -> XSDT/RSDT -> FADT, MADT, HPET).
 *
 * The tables are built in a fake physical memory `mem` at `mem_base` (a variable, so tables can
 * sit just below 4 GB or above it).  The map callback serves each range as a fresh heap copy of
 * exactly the bytes asked for and frees it at the next call: ASan then catches a read past what
 * the reader mapped and any use of a pointer after the next map call.  Ranges outside `mem` get
 * NULL.  Fields lying past a table's length are filled with values that would change the result
 * if they were read.
 *
 * Each test starts from a known-good set (good_setup: RSDP 2 + XSDT + RSDT + FADT + MADT + HPET +
 * an SSDT, at odd offsets) and changes one thing.  Fatal problems must return -1 with a message;
 * tolerated ones return 0 with a warning; both are checked with strstr on key words.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/acpi.h"
#include "testlib.h"

#define MEM_SIZE   0x8000u
#define BASE_LOW   0x7FE00000ull

/* Offsets in mem; odd ones, so that no multi-byte field is naturally aligned. */
#define RSDP  0x0010u
#define XSDT  0x0101u
#define RSDT  0x0203u
#define FADT  0x1003u
#define MADT  0x2005u
#define HPET  0x3007u
#define SSDT  0x4001u
#define SPARE 0x5001u           /* free room for extra tables, up to MEM_SIZE */

#define FADT_LEN   276u
#define FADT_FLAGS 0x000085A5u  /* bit 8: TMR_VAL_EXT */

static uint8_t mem[MEM_SIZE];
static uint64_t mem_base;

/* ---- the fake map ---------------------------------------------------------------------------- */

static int map_ctx;             /* its address is the context the reader must pass back */
static void *last_copy;         /* the previous call's copy: freed at the next call */
static unsigned nmaps;
static unsigned fail_at;        /* nonzero: that call (1-based) returns NULL */

static const void *fake_map(void *ctx, uint64_t phys, uint32_t len)
{
    cr_assert_eq(ctx, &map_ctx);
    free(last_copy);
    last_copy = NULL;
    nmaps++;
    cr_assert(len >= 1 && len <= ACPI_MAX_TABLE_LEN, "map of %u bytes", len);
    cr_assert(phys <= (1ull << 52) - len, "map of 0x%llx + %u bytes passes 2^52",
              (unsigned long long)phys, len);
    if (nmaps == fail_at)
        return NULL;
    if (phys < mem_base || phys - mem_base > MEM_SIZE || len > MEM_SIZE - (phys - mem_base))
        return NULL;
    last_copy = malloc(len);
    cr_assert_not_null(last_copy);
    memcpy(last_copy, mem + (phys - mem_base), len);
    return last_copy;
}

static const struct acpi_map fake = { fake_map, &map_ctx };

/* ---- building tables ------------------------------------------------------------------------- */

static uint64_t A(uint32_t off) { return mem_base + off; }

/* Little-endian writes (and a read) at an offset in mem. */
static void w16(uint32_t off, uint16_t v)
{
    mem[off] = (uint8_t)v;
    mem[off + 1] = (uint8_t)(v >> 8);
}
static void w32(uint32_t off, uint32_t v)
{
    w16(off, (uint16_t)v);
    w16(off + 2, (uint16_t)(v >> 16));
}
static void w64(uint32_t off, uint64_t v)
{
    w32(off, (uint32_t)v);
    w32(off + 4, (uint32_t)(v >> 32));
}
static uint32_t r32(uint32_t off)
{
    return mem[off] | (uint32_t)mem[off + 1] << 8 | (uint32_t)mem[off + 2] << 16 |
           (uint32_t)mem[off + 3] << 24;
}

static uint8_t sum(uint32_t off, uint32_t len)
{
    uint8_t s = 0;
    for (uint32_t i = 0; i < len && off + i < MEM_SIZE; i++)
        s = (uint8_t)(s + mem[off + i]);
    return s;
}

/* Sets the checksum byte of the table at off over its (current) length field. */
static void fix(uint32_t off)
{
    mem[off + 9] = 0;
    mem[off + 9] = (uint8_t)-sum(off, r32(off + 4));
}

static void fix_rsdp(uint32_t off)
{
    mem[off + 8] = 0;
    mem[off + 8] = (uint8_t)-sum(off, 20);
    if (mem[off + 15] >= 2) {
        mem[off + 32] = 0;
        mem[off + 32] = (uint8_t)-sum(off, r32(off + 20));
    }
}

static void hdr(uint32_t off, const char *sig, uint32_t len, uint8_t rev)
{
    memset(mem + off, 0, len > 36 ? len : 36);
    memcpy(mem + off, sig, 4);
    w32(off + 4, len);
    mem[off + 8] = rev;
    memcpy(mem + off + 10, "VMM32 UNITTEST", 14);
    w32(off + 24, 1);
    memcpy(mem + off + 28, "TEST", 4);
    w32(off + 32, 1);
}

static void build_rsdp(uint32_t off, uint8_t rev, uint64_t rsdt, uint64_t xsdt)
{
    memset(mem + off, 0, 36);
    memcpy(mem + off, "RSD PTR ", 8);
    memcpy(mem + off + 9, "BOCHS ", 6);
    mem[off + 15] = rev;
    w32(off + 16, (uint32_t)rsdt);
    if (rev >= 2) {
        w32(off + 20, 36);
        w64(off + 24, xsdt);
    } else {
        memset(mem + off + 20, 0xEE, 16);   /* not part of an ACPI 1.0 RSDP */
    }
    fix_rsdp(off);
}

static void build_root(uint32_t off, const char *sig, const uint64_t *addr, unsigned n)
{
    unsigned esize = sig[0] == 'X' ? 8 : 4;
    hdr(off, sig, 36 + n * esize, 1);
    for (unsigned i = 0; i < n; i++)
        if (esize == 8)
            w64(off + 36 + i * 8, addr[i]);
        else
            w32(off + 36 + i * 4, (uint32_t)addr[i]);
    fix(off);
}

/* An FADT of len bytes; the fields are written whether or not len covers them. */
static void build_fadt(uint32_t off, uint32_t len, uint8_t rev, uint32_t pm, uint8_t xspace,
                       uint64_t xpm)
{
    hdr(off, "FACP", len, rev);
    memset(mem + off + 36, 0, FADT_LEN - 36);
    w16(off + 46, 9);                   /* SCI_INT */
    w32(off + 76, pm);                  /* PM_TMR_BLK */
    mem[off + 91] = 4;                  /* PM_TMR_LEN */
    mem[off + 108] = 0x32;              /* CENTURY */
    w16(off + 109, 0x0003);             /* IAPC_BOOT_ARCH: legacy devices, 8042 */
    w32(off + 112, FADT_FLAGS);
    mem[off + 208] = xspace;            /* X_PM_TMR_BLK */
    mem[off + 209] = 32;
    mem[off + 211] = 3;
    w64(off + 212, xpm);
    fix(off);
}

/* MADT entries, appended to a buffer; each builder returns its entry's offset in the table. */
static uint8_t ents[2048];
static uint32_t nents;

static uint32_t ent(const uint8_t *b, unsigned n)
{
    cr_assert(nents + n <= sizeof ents);
    memcpy(ents + nents, b, n);
    nents += n;
    return 44 + nents - n;
}
static void p32(uint8_t *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> 8 * i);
}

static uint32_t e_cpu(uint8_t uid, uint8_t apic, uint32_t flags)
{
    uint8_t b[8] = { 0, 8, uid, apic };
    p32(b + 4, flags);
    return ent(b, sizeof b);
}
static uint32_t e_ioapic(uint8_t id, uint32_t addr, uint32_t gsi)
{
    uint8_t b[12] = { 1, 12, id, 0 };
    p32(b + 4, addr);
    p32(b + 8, gsi);
    return ent(b, sizeof b);
}
static uint32_t e_iso(uint8_t src, uint32_t gsi, uint16_t flags)
{
    uint8_t b[10] = { 2, 10, 0, src };
    p32(b + 4, gsi);
    b[8] = (uint8_t)flags;
    b[9] = (uint8_t)(flags >> 8);
    return ent(b, sizeof b);
}
static uint32_t e_nmi(void)
{
    uint8_t b[6] = { 4, 6, 0xFF, 5, 0, 1 };
    return ent(b, sizeof b);
}
static uint32_t e_x2apic(void)
{
    uint8_t b[16] = { 9, 16 };
    p32(b + 4, 300);
    return ent(b, sizeof b);
}
static uint32_t e_override(uint64_t addr)
{
    uint8_t b[12] = { 5, 12 };
    p32(b + 4, (uint32_t)addr);
    p32(b + 8, (uint32_t)(addr >> 32));
    return ent(b, sizeof b);
}

static void madt_finish(uint32_t off, uint32_t lapic, uint32_t flags)
{
    hdr(off, "APIC", 44 + nents, 4);
    w32(off + 36, lapic);
    w32(off + 40, flags);
    memcpy(mem + off + 44, ents, nents);
    fix(off);
}

/* Offsets of the good MADT's entries. */
static uint32_t m_cpu0, m_ioapic, m_iso9, m_nmi, m_x2apic;

static void good_madt(void)
{
    nents = 0;
    m_cpu0 = e_cpu(0, 0, 1);
    e_cpu(1, 1, 1);
    e_cpu(2, 2, 0);                     /* disabled: not counted */
    m_ioapic = e_ioapic(2, 0xFEC00000, 0);
    e_iso(0, 2, 0);
    m_iso9 = e_iso(9, 9, 0x000D);
    m_nmi = e_nmi();
    m_x2apic = e_x2apic();              /* a type we step over */
    e_ioapic(3, 0xFEC01000, 24);        /* a second I/O APIC: counted, not kept */
    madt_finish(MADT, ACPI_LAPIC_DEFAULT, 1);
}

static void build_hpet(uint32_t off, uint32_t len, uint8_t space, uint64_t base)
{
    hdr(off, "HPET", len, 1);
    memset(mem + off + 36, 0, 20);
    w32(off + 36, 0x8086A201);
    mem[off + 40] = space;
    mem[off + 41] = 64;
    w64(off + 44, base);
    w16(off + 53, 0x80);
    fix(off);
}

static void build_good(void)
{
    const uint64_t tabs[] = { A(FADT), A(SSDT), A(MADT), A(HPET) };
    memset(mem, 0xA5, sizeof mem);
    build_rsdp(RSDP, 2, mem_base < (1ull << 32) ? A(RSDT) : 0, A(XSDT));
    build_root(XSDT, "XSDT", tabs, 4);
    if (mem_base < (1ull << 32))
        build_root(RSDT, "RSDT", tabs, 4);
    build_fadt(FADT, FADT_LEN, 6, 0x608, 1, 0x608);
    good_madt();
    build_hpet(HPET, 56, 0, 0xFED00000);
    hdr(SSDT, "SSDT", 36, 2);
    fix(SSDT);
}

static void good_setup(void)
{
    mem_base = BASE_LOW;
    nmaps = fail_at = 0;
    build_good();
}

static void teardown(void)
{
    free(last_copy);
    last_copy = NULL;
}

TestSuite(acpi, .init = good_setup, .fini = teardown);

/* ---- running the reader ---------------------------------------------------------------------- */

static struct acpi_info info;
static struct kerr err;

static int run_at(uint64_t rsdp)
{
    memset(&info, 0x5A, sizeof info);   /* the reader must set every field */
    memset(&err, 0, sizeof err);
    nmaps = 0;
    return acpi_read(rsdp, &fake, &info, &err);
}

static void has(const char *msg, const char *key)
{
    if (key)
        cr_assert(strstr(msg, key), "message \"%s\" should mention \"%s\"", msg, key);
}

static void assert_no_madt(void)
{
    cr_assert_eq(info.has_madt, 0);
    cr_assert_eq(info.lapic_addr, ACPI_LAPIC_DEFAULT);
    cr_assert_eq(info.lapic_addr_override, 0);
    cr_assert_eq(info.pcat_compat, 1);
    cr_assert_eq(info.ncpus, 0);
    cr_assert_eq(info.nioapics, 0);
    cr_assert_eq(info.ioapic_addr, 0);
    cr_assert_eq(info.niso, 0);
}

/* The no-ACPI defaults, as left after a fatal error. */
static void assert_defaults(void)
{
    cr_assert_eq(info.revision, 0);
    cr_assert_eq(info.oem_id[0], 0);
    cr_assert_eq(info.rsdt_or_xsdt, 0);
    cr_assert_eq(info.has_fadt, 0);
    cr_assert_eq(info.pm_timer_port, 0);
    cr_assert_eq(info.has_hpet, 0);
    cr_assert_eq(info.nwarn, 0);
    assert_no_madt();
}

static void read_ok(void)
{
    cr_assert_eq(run_at(A(RSDP)), 0, "rejected: %s", err.msg);
}

/* Success without any warning. */
static void read_clean(void)
{
    read_ok();
    cr_assert_eq(info.nwarn, 0, "unexpected warning: %s", info.warn.msg);
    cr_assert_eq(info.warn.msg[0], 0);
}

static void bad_at(uint64_t rsdp, const char *key1, const char *key2)
{
    cr_assert_eq(run_at(rsdp), -1, "accepted, want \"%s\"", key1);
    has(err.msg, key1);
    has(err.msg, key2);
    assert_defaults();
}

static void read_bad(const char *key1, const char *key2) { bad_at(A(RSDP), key1, key2); }

/* Success with (first) warning mentioning both keys. */
static void warned(const char *key1, const char *key2)
{
    read_ok();
    cr_assert_geq(info.nwarn, 1, "no warning, want \"%s\"", key1);
    has(info.warn.msg, key1);
    has(info.warn.msg, key2);
}

/* The FADT, MADT and HPET fields of the good set. */
static void assert_good_fadt(void)
{
    cr_assert_eq(info.has_fadt, 1);
    cr_assert_eq(info.fadt_revision, 6);
    cr_assert_eq(info.pm_timer_port, 0x608);
    cr_assert_eq(info.pm_timer_32bit, 1);
    cr_assert_eq(info.sci_irq, 9);
    cr_assert_eq(info.fadt_flags, FADT_FLAGS);
    cr_assert_eq(info.century, 0x32);
    cr_assert_eq(info.boot_arch_valid, 1);
    cr_assert_eq(info.boot_arch, 3);
}

static void assert_good_madt(void)
{
    cr_assert_eq(info.has_madt, 1);
    cr_assert_eq(info.lapic_addr, 0xFEE00000u);
    cr_assert_eq(info.lapic_addr_override, 0);
    cr_assert_eq(info.pcat_compat, 1);
    cr_assert_eq(info.ncpus, 2);
    cr_assert_eq(info.nioapics, 2);
    cr_assert_eq(info.ioapic_addr, 0xFEC00000u);
    cr_assert_eq(info.ioapic_gsi_base, 0);
    cr_assert_eq(info.ioapic_id, 2);
    cr_assert_eq(info.niso, 2);
    cr_assert_eq(info.iso[0].src, 0);
    cr_assert_eq(info.iso[0].gsi, 2);
    cr_assert_eq(info.iso[0].flags, 0);
    cr_assert_eq(info.iso[1].src, 9);
    cr_assert_eq(info.iso[1].gsi, 9);
    cr_assert_eq(info.iso[1].flags, 0x000D);
    for (unsigned i = 2; i < ACPI_MAX_ISO; i++)
        cr_assert(info.iso[i].src == 0 && info.iso[i].gsi == 0 && info.iso[i].flags == 0);
}

static void assert_good_tables(void)
{
    assert_good_fadt();
    assert_good_madt();
    cr_assert_eq(info.has_hpet, 1);
    cr_assert_eq(info.hpet_addr, 0xFED00000u);
}

/* ---- the good sets --------------------------------------------------------------------------- */

/* RSDP 2 + XSDT: every field, exactly. */
Test(acpi, good_set_parsed_exactly)
{
    read_clean();
    cr_assert_eq(info.revision, 2);
    cr_assert_str_eq(info.oem_id, "BOCHS ");
    cr_assert_eq(info.root_is_xsdt, 1);
    cr_assert_eq(info.rsdt_or_xsdt, A(XSDT));
    assert_good_tables();
    /* RSDP 3 maps, XSDT 2, per entry 2 (entry, signature), per table read 2 (header, whole). */
    cr_assert_eq(nmaps, 3 + 2 + 4 * 2 + 3 * 2);
}

/* The same tables through an ACPI 1.0 RSDP (20 bytes: the XSDT field beyond it is garbage). */
Test(acpi, rsdp_v0_uses_rsdt)
{
    build_rsdp(RSDP, 0, A(RSDT), 0);
    read_clean();
    cr_assert_eq(info.revision, 0);
    cr_assert_str_eq(info.oem_id, "BOCHS ");
    cr_assert_eq(info.root_is_xsdt, 0);
    cr_assert_eq(info.rsdt_or_xsdt, A(RSDT));
    assert_good_tables();
}

/* There is no revision 1: like 0, it has 20 bytes and no XSDT (as Linux reads it). */
Test(acpi, rsdp_v1_is_acpi_10)
{
    build_rsdp(SPARE, 1, A(RSDT), 0);
    memcpy(mem + MEM_SIZE - 20, mem + SPARE, 20);   /* nothing mapped after its 20 bytes */
    cr_assert_eq(run_at(A(MEM_SIZE - 20)), 0, "%s", err.msg);
    cr_assert_eq(info.revision, 1);
    cr_assert_eq(info.root_is_xsdt, 0);
    cr_assert_eq(info.rsdt_or_xsdt, A(RSDT));
    assert_good_tables();
}

/* Revision 2 without an XSDT address: the RSDT. */
Test(acpi, rsdp_v2_without_xsdt_uses_rsdt)
{
    build_rsdp(RSDP, 2, A(RSDT), 0);
    read_clean();
    cr_assert_eq(info.root_is_xsdt, 0);
    cr_assert_eq(info.rsdt_or_xsdt, A(RSDT));
    assert_good_tables();
}

/* Revision 2 with only an XSDT. */
Test(acpi, rsdp_v2_without_rsdt_uses_xsdt)
{
    build_rsdp(RSDP, 2, 0, A(XSDT));
    read_clean();
    cr_assert_eq(info.root_is_xsdt, 1);
    assert_good_tables();
}

/* A revision beyond 2 is read as 2; a longer RSDP is checksummed over its whole length. */
Test(acpi, rsdp_v3_longer)
{
    mem[RSDP + 15] = 3;
    w32(RSDP + 20, 40);
    fix_rsdp(RSDP);
    read_clean();
    cr_assert_eq(info.revision, 3);
    mem[RSDP + 38] ^= 0x40;             /* inside the 40 bytes: the extended checksum sees it */
    read_bad("extended checksum", "40 bytes");
}

/* Everything above 4 GB, reached through the XSDT's 64-bit addresses (no RSDT). */
Test(acpi, tables_above_4gb_through_xsdt)
{
    mem_base = 0x1C0000000ull;
    build_good();
    read_clean();
    cr_assert_eq(info.rsdt_or_xsdt, 0x1C0000000ull + XSDT);
    assert_good_tables();
}

/* Tables ending exactly at 4 GB through the RSDT are fine. */
Test(acpi, tables_ending_at_4gb)
{
    mem_base = (1ull << 32) - MEM_SIZE;
    build_good();
    build_hpet(MEM_SIZE - 56, 56, 0, 0xFED00000);
    const uint64_t tabs[] = { A(FADT), A(MADT), A(MEM_SIZE - 56) };
    build_root(RSDT, "RSDT", tabs, 3);
    build_rsdp(RSDP, 0, A(RSDT), 0);
    read_clean();
    assert_good_tables();
}

/* Unknown tables are stepped over; a known signature in an unknown table is not. */
Test(acpi, unknown_tables_ignored)
{
    memcpy(mem + FADT, "FACQ", 4);
    fix(FADT);
    read_clean();
    cr_assert_eq(info.has_fadt, 0);
    cr_assert_eq(info.pm_timer_port, 0);
    assert_good_madt();
}

/* No MADT: the default local APIC, 8259s assumed. */
Test(acpi, no_madt_defaults)
{
    const uint64_t tabs[] = { A(FADT), A(HPET) };
    build_root(XSDT, "XSDT", tabs, 2);
    read_clean();
    assert_good_fadt();
    assert_no_madt();
    cr_assert_eq(info.has_hpet, 1);
}

/* An empty root table: success, all defaults. */
Test(acpi, empty_root)
{
    build_root(XSDT, "XSDT", NULL, 0);
    read_clean();
    cr_assert_eq(info.has_fadt, 0);
    cr_assert_eq(info.has_hpet, 0);
    assert_no_madt();
}

/* ---- RSDP ------------------------------------------------------------------------------------ */

Test(acpi, rsdp_bad_signature)
{
    mem[RSDP + 7] = 'X';
    fix_rsdp(RSDP);
    read_bad("RSDP at 0x7fe00010", "signature \"RSD PTRX\"");
    mem[RSDP] = 0;
    fix_rsdp(RSDP);
    read_bad("signature \"?SD PTRX\"", NULL);
}

Test(acpi, rsdp_bad_checksum)
{
    mem[RSDP + 8] ^= 1;
    read_bad("RSDP at 0x7fe00010", "bad checksum");
    build_rsdp(RSDP, 0, A(RSDT), 0);
    mem[RSDP + 16] ^= 1;                /* a covered byte */
    read_bad("RSDP", "first 20 bytes");
}

Test(acpi, rsdp_bad_extended_checksum)
{
    mem[RSDP + 24] ^= 4;                /* the XSDT address: outside the first 20 bytes */
    read_bad("RSDP at 0x7fe00010", "bad extended checksum");
}

Test(acpi, rsdp_bad_length)
{
    w32(RSDP + 20, 20);
    fix_rsdp(RSDP);
    read_bad("RSDP", "length 20, expected 36..1024");
    w32(RSDP + 20, 35);
    fix_rsdp(RSDP);
    read_bad("length 35", NULL);
    w32(RSDP + 20, ACPI_MAX_RSDP_LEN + 1);
    mem[RSDP + 8] = 0;
    mem[RSDP + 8] = (uint8_t)-sum(RSDP, 20);
    read_bad("length 1025", NULL);
    w32(RSDP + 20, 0xFFFFFFFFu);
    mem[RSDP + 8] = 0;
    mem[RSDP + 8] = (uint8_t)-sum(RSDP, 20);
    read_bad("length 4294967295", NULL);
}

Test(acpi, rsdp_unmappable_or_absent)
{
    bad_at(0, "RSDP: address 0", NULL);
    bad_at(0x1000, "RSDP at 0x1000: cannot be mapped", NULL);
    bad_at((1ull << 52) - 8, "RSDP at 0xffffffffffff8", "runs past the 52-bit");
    bad_at(UINT64_MAX, "RSDP", "runs past");
}

/* A revision 2 RSDP whose extended part lies beyond mapped memory. */
Test(acpi, rsdp_truncated)
{
    build_rsdp(SPARE, 2, A(RSDT), A(XSDT));          /* its first 20 bytes in the last 20 */
    memcpy(mem + MEM_SIZE - 20, mem + SPARE, 20);
    bad_at(A(MEM_SIZE - 20), "RSDP", "36 bytes cannot be mapped");
    build_rsdp(MEM_SIZE - 36, 2, A(RSDT), A(XSDT));
    w32(MEM_SIZE - 36 + 20, 40);
    fix_rsdp(MEM_SIZE - 36);
    bad_at(A(MEM_SIZE - 36), "RSDP", "40 bytes cannot be mapped");
    /* revision 0 needs only 20 bytes */
    build_rsdp(SPARE, 0, A(RSDT), 0);
    memcpy(mem + MEM_SIZE - 20, mem + SPARE, 20);
    cr_assert_eq(run_at(A(MEM_SIZE - 20)), 0, "%s", err.msg);
}

Test(acpi, rsdp_without_root)
{
    build_rsdp(RSDP, 2, 0, 0);
    read_bad("RSDP: revision 2, no root table address", NULL);
    build_rsdp(RSDP, 0, 0, 0);
    read_bad("revision 0, no root table", NULL);
    /* revision 0 never looks at the XSDT field */
    build_rsdp(RSDP, 0, 0, 0);
    w64(RSDP + 24, A(XSDT));
    read_bad("no root table", NULL);
}

/* ---- the root table -------------------------------------------------------------------------- */

/* A bad XSDT falls back to the RSDT, with a warning. */
Test(acpi, bad_xsdt_falls_back_to_rsdt)
{
    mem[XSDT + 40] ^= 1;
    warned("XSDT at 0x7fe00101: bad checksum", "using the RSDT");
    cr_assert_eq(info.nwarn, 1);
    cr_assert_eq(info.root_is_xsdt, 0);
    cr_assert_eq(info.rsdt_or_xsdt, A(RSDT));
    assert_good_tables();
}

Test(acpi, bad_xsdt_without_rsdt)
{
    build_rsdp(RSDP, 2, 0, A(XSDT));
    memcpy(mem + XSDT, "XSDX", 4);
    fix(XSDT);
    read_bad("XSDT at 0x7fe00101: signature \"XSDX\", expected \"XSDT\"", NULL);
}

Test(acpi, bad_xsdt_and_rsdt)
{
    mem[XSDT + 40] ^= 1;
    w32(RSDT + 4, 20);
    read_bad("XSDT at 0x7fe00101: bad checksum", "RSDT at 0x7fe00203: length 20, shorter than");
}

Test(acpi, root_bad_signature)
{
    build_rsdp(RSDP, 0, A(RSDT), 0);
    memcpy(mem + RSDT, "RSDt", 4);
    fix(RSDT);
    read_bad("RSDT at 0x7fe00203: signature \"RSDt\", expected \"RSDT\"", NULL);
    build_rsdp(RSDP, 0, A(XSDT), 0);        /* an XSDT where the RSDT should be */
    read_bad("RSDT at 0x7fe00101: signature \"XSDT\"", NULL);
}

Test(acpi, root_bad_length)
{
    build_rsdp(RSDP, 2, 0, A(XSDT));
    w32(XSDT + 4, 35);
    fix(XSDT);
    read_bad("XSDT at 0x7fe00101: length 35, shorter than its 36-byte header", NULL);
    w32(XSDT + 4, 0);
    read_bad("length 0,", NULL);
    w32(XSDT + 4, ACPI_MAX_TABLE_LEN + 1);
    read_bad("length 1048577, more than 1048576", NULL);
    w32(XSDT + 4, 0xFFFFFFFFu);
    read_bad("length 4294967295, more than", NULL);
}

Test(acpi, root_bad_checksum)
{
    build_rsdp(RSDP, 0, A(RSDT), 0);
    mem[RSDT + 9] = (uint8_t)(mem[RSDT + 9] + 0x10);
    read_bad("RSDT at 0x7fe00203: bad checksum", "52 bytes sum to 0x10");
}

/* A root table listed at an unmapped address, or running past mapped memory. */
Test(acpi, root_unmappable_or_truncated)
{
    build_rsdp(RSDP, 2, 0, 0x40000000);
    read_bad("XSDT at 0x40000000: cannot be mapped", NULL);
    build_rsdp(RSDP, 2, 0, A(XSDT));
    w32(XSDT + 4, MEM_SIZE);
    read_bad("XSDT at 0x7fe00101: its 32768 bytes cannot be mapped", NULL);
}

/* The RSDT names 32-bit addresses: a table crossing 4 GB is refused before any map. */
Test(acpi, root_past_4gb)
{
    build_rsdp(RSDP, 0, 0xFFFFFFF0u, 0);
    read_bad("RSDT at 0xfffffff0: header runs past 4 GB", NULL);
    /* header below 4 GB, length beyond */
    mem_base = (1ull << 32) - MEM_SIZE;
    build_good();
    const uint64_t tabs[] = { A(FADT) };
    build_root(MEM_SIZE - 40, "RSDT", tabs, 1);
    w32(MEM_SIZE - 40 + 4, 0x100);
    build_rsdp(RSDP, 0, A(MEM_SIZE - 40), 0);
    read_bad("RSDT at 0xffffffd8: length 256 runs past 4 GB", NULL);
}

/* ACPI_MAX_TABLES entries are fine (duplicates: the first wins); one more is not. */
Test(acpi, root_entry_cap)
{
    static uint64_t tabs[ACPI_MAX_TABLES + 1];
    for (unsigned i = 0; i <= ACPI_MAX_TABLES; i++)
        tabs[i] = i == 0 ? A(FADT) : A(SSDT);
    build_rsdp(RSDP, 2, 0, A(SPARE));
    build_root(SPARE, "XSDT", tabs, ACPI_MAX_TABLES);
    read_clean();
    assert_good_fadt();
    cr_assert_eq(nmaps, 3 + 2 + 2 * ACPI_MAX_TABLES + 2);
    build_root(SPARE, "XSDT", tabs, ACPI_MAX_TABLES + 1);
    read_bad("XSDT at 0x7fe05001: 257 entries, more than 256", NULL);
}

/* A length that ends inside an entry: the partial entry is ignored, with a warning. */
Test(acpi, root_partial_entry)
{
    w32(XSDT + 4, 36 + 4 * 8 + 5);
    mem[XSDT + 36 + 32] = 0x11;         /* the partial entry's bytes */
    fix(XSDT);
    warned("XSDT at 0x7fe00101: length 73 ends in a partial entry", NULL);
    cr_assert_eq(info.nwarn, 1);
    assert_good_tables();
}

/* Root entries that are 0, unmapped or out of range are skipped, with a warning each. */
Test(acpi, root_bad_entries_skipped)
{
    const uint64_t tabs[] = { 0, A(FADT), 0x40000000, A(MADT), (1ull << 52) - 16, A(HPET),
                              UINT64_MAX };
    build_root(XSDT, "XSDT", tabs, 7);
    warned("XSDT entry 0: address 0", NULL);
    cr_assert_eq(info.nwarn, 4);
    assert_good_tables();

    build_root(XSDT, "XSDT", tabs + 2, 1);
    warned("XSDT entry 0: table at 0x40000000 cannot be mapped", NULL);
    build_root(XSDT, "XSDT", tabs + 4, 1);
    warned("XSDT entry 0: table at 0xffffffffffff0 runs past the 52-bit physical address space",
           NULL);
    build_root(XSDT, "XSDT", tabs + 6, 1);
    warned("XSDT entry 0: table at 0xffffffffffffffff runs past", NULL);

    build_rsdp(RSDP, 0, A(RSDT), 0);
    const uint64_t rt[] = { A(FADT), 0xFFFFFFF0u };
    build_root(RSDT, "RSDT", rt, 2);
    warned("RSDT entry 1: table at 0xfffffff0 runs past 4 GB", NULL);
    assert_good_fadt();
}

/* A table listed by the RSDT whose header lies below 4 GB but whose length crosses it is
 * refused (a 32-bit address + length would wrap); through the XSDT it is merely unmappable. */
Test(acpi, table_length_past_4gb)
{
    mem_base = (1ull << 32) - MEM_SIZE;
    build_good();
    build_fadt(SPARE, 0x80, 1, 0x608, 0, 0);
    memcpy(mem + MEM_SIZE - 0x80, mem + SPARE, 0x80);
    w32(MEM_SIZE - 0x80 + 4, 0x200);
    fix(MEM_SIZE - 0x80);
    const uint64_t tabs[] = { A(MEM_SIZE - 0x80), A(MADT) };
    build_root(RSDT, "RSDT", tabs, 2);
    build_root(XSDT, "XSDT", tabs, 2);
    build_rsdp(RSDP, 0, A(RSDT), 0);
    warned("FADT at 0xffffff80: length 512 runs past 4 GB", "ignored");
    cr_assert_eq(info.has_fadt, 0);
    assert_good_madt();
    build_rsdp(RSDP, 2, A(RSDT), A(XSDT));
    warned("FADT at 0xffffff80: its 512 bytes cannot be mapped", NULL);
}

/* ---- FADT, MADT and HPET headers ------------------------------------------------------------- */

/* A bad table is skipped with a warning; the others are still read. */
Test(acpi, fadt_bad_checksum_skipped)
{
    mem[FADT + 100] ^= 0x80;
    warned("FADT at 0x7fe01003: bad checksum (its 276 bytes sum to 0x80, not 0); ignored", NULL);
    cr_assert_eq(info.nwarn, 1);
    cr_assert_eq(info.has_fadt, 0);
    cr_assert_eq(info.pm_timer_port, 0);
    cr_assert_eq(info.sci_irq, 0);
    assert_good_madt();
    cr_assert_eq(info.has_hpet, 1);
}

Test(acpi, fadt_bad_length_skipped)
{
    w32(FADT + 4, 35);
    fix(FADT);
    warned("FADT at 0x7fe01003: length 35, shorter than its 36-byte header", NULL);
    cr_assert_eq(info.has_fadt, 0);
    w32(FADT + 4, 0x80000000u);
    warned("FADT at 0x7fe01003: length 2147483648, more than 1048576", NULL);
    /* truncated: runs past the mapped memory */
    w32(FADT + 4, MEM_SIZE);
    warned("FADT at 0x7fe01003: its 32768 bytes cannot be mapped", NULL);
    cr_assert_eq(info.has_fadt, 0);
    assert_good_madt();
}

Test(acpi, madt_bad_checksum_skipped)
{
    mem[MADT + 36] ^= 1;
    warned("MADT at 0x7fe02005: bad checksum", "ignored");
    assert_no_madt();
    assert_good_fadt();
}

Test(acpi, hpet_bad_header_skipped)
{
    mem[HPET + 50] ^= 1;
    warned("HPET at 0x7fe03007: bad checksum", NULL);
    cr_assert_eq(info.has_hpet, 0);
    cr_assert_eq(info.hpet_addr, 0);
    w32(HPET + 4, 20);
    fix(HPET);
    warned("HPET at 0x7fe03007: length 20", NULL);
}

/* A table at the very end of memory: its 4-byte signature maps, its 36-byte header does not. */
Test(acpi, table_header_truncated)
{
    memcpy(mem + MEM_SIZE - 4, "FACP", 4);
    const uint64_t tabs[] = { A(MEM_SIZE - 4), A(MADT) };
    build_root(XSDT, "XSDT", tabs, 2);
    warned("FADT at 0x7fe07ffc: cannot be mapped; ignored", NULL);
    assert_good_madt();
}

/* The first valid copy wins; later ones are not read. */
Test(acpi, duplicates_first_wins)
{
    build_fadt(SPARE, FADT_LEN, 6, 0x708, 1, 0x708);
    nents = 0;
    e_cpu(0, 0, 1);
    madt_finish(SPARE + 0x200, 0xFEE10000u, 0);
    const uint64_t tabs[] = { A(FADT), A(SPARE), A(MADT), A(SPARE + 0x200), A(HPET), A(HPET) };
    build_root(XSDT, "XSDT", tabs, 6);
    read_clean();
    assert_good_tables();
    cr_assert_eq(nmaps, 3 + 2 + 6 * 2 + 3 * 2);    /* the copies' headers are not even mapped */

    /* the first copies broken: the second ones are used */
    mem[FADT + 200] ^= 1;
    w32(MADT + 4, 40);
    fix(MADT);
    warned("FADT at 0x7fe01003: bad checksum", NULL);
    cr_assert_eq(info.nwarn, 2);
    cr_assert_eq(info.pm_timer_port, 0x708);
    cr_assert_eq(info.has_madt, 1);
    cr_assert_eq(info.lapic_addr, 0xFEE10000u);
    cr_assert_eq(info.pcat_compat, 0);
    cr_assert_eq(info.ncpus, 1);
}

/* ---- FADT fields by length ------------------------------------------------------------------- */

/* An ACPI 1.0 FADT (116 bytes): PM_TMR_BLK and flags, no X_PM_TMR_BLK (the bytes where it would
 * be say port 0xb008), no IAPC_BOOT_ARCH (reserved in 1.0). */
Test(acpi, fadt_v1_116_bytes)
{
    build_fadt(FADT, 116, 1, 0x608, 1, 0xB008);
    read_clean();
    cr_assert_eq(info.has_fadt, 1);
    cr_assert_eq(info.fadt_revision, 1);
    cr_assert_eq(info.pm_timer_port, 0x608);
    cr_assert_eq(info.pm_timer_32bit, 1);
    cr_assert_eq(info.fadt_flags, FADT_FLAGS);
    cr_assert_eq(info.sci_irq, 9);
    cr_assert_eq(info.century, 0x32);
    cr_assert_eq(info.boot_arch_valid, 0);
    cr_assert_eq(info.boot_arch, 0);
}

/* X_PM_TMR_BLK is read only from an FADT of at least 220 bytes. */
Test(acpi, fadt_x_fields_need_220_bytes)
{
    build_fadt(FADT, 219, 3, 0x608, 1, 0xB008);
    read_clean();
    cr_assert_eq(info.pm_timer_port, 0x608);
    cr_assert_eq(info.boot_arch_valid, 1);
    cr_assert_eq(info.boot_arch, 3);
    build_fadt(FADT, 220, 3, 0x608, 1, 0xB008);
    read_clean();
    cr_assert_eq(info.pm_timer_port, 0xB008);
}

/* Shorter FADTs: only what they cover. */
Test(acpi, fadt_short)
{
    build_fadt(FADT, 115, 1, 0x608, 0, 0);
    read_clean();
    cr_assert_eq(info.pm_timer_port, 0x608);
    cr_assert_eq(info.fadt_flags, 0);
    cr_assert_eq(info.pm_timer_32bit, 0);
    build_fadt(FADT, 80, 1, 0x608, 0, 0);
    read_clean();
    cr_assert_eq(info.pm_timer_port, 0x608);
    cr_assert_eq(info.century, 0);
    build_fadt(FADT, 79, 1, 0x608, 0, 0);
    read_clean();
    cr_assert_eq(info.pm_timer_port, 0);
    cr_assert_eq(info.sci_irq, 9);
    build_fadt(FADT, 47, 1, 0x608, 0, 0);
    read_clean();
    cr_assert_eq(info.has_fadt, 1);
    cr_assert_eq(info.sci_irq, 0);
    build_fadt(FADT, 36, 1, 0x608, 0, 0);
    read_clean();
    cr_assert_eq(info.has_fadt, 1);
    cr_assert_eq(info.fadt_revision, 1);
    cr_assert_eq(info.pm_timer_port, 0);
}

/* A nonzero X_PM_TMR_BLK supersedes PM_TMR_BLK; a zero one does not. */
Test(acpi, fadt_x_pm_timer)
{
    build_fadt(FADT, FADT_LEN, 6, 0x608, 1, 0xB008);
    read_clean();
    cr_assert_eq(info.pm_timer_port, 0xB008);
    build_fadt(FADT, FADT_LEN, 6, 0x608, 1, 0);
    read_clean();
    cr_assert_eq(info.pm_timer_port, 0x608);
    build_fadt(FADT, FADT_LEN, 6, 0, 1, 0x408);
    read_clean();
    cr_assert_eq(info.pm_timer_port, 0x408);
    build_fadt(FADT, FADT_LEN, 6, 0, 0, 0);
    read_clean();
    cr_assert_eq(info.pm_timer_port, 0);
}

/* A PM timer in memory space, or at a port beyond 16 bits, is not used. */
Test(acpi, fadt_pm_timer_unusable)
{
    build_fadt(FADT, FADT_LEN, 6, 0x608, 0, 0xFED00100);
    warned("FADT at 0x7fe01003: PM timer at 0xfed00100 in address space 0, not I/O; not used",
           NULL);
    cr_assert_eq(info.pm_timer_port, 0);
    cr_assert_eq(info.has_fadt, 1);
    build_fadt(FADT, FADT_LEN, 6, 0x608, 1, 0x10000);
    warned("PM timer port 0x10000 is beyond 0xffff", NULL);
    cr_assert_eq(info.pm_timer_port, 0);
    build_fadt(FADT, 116, 1, 0x12345, 1, 0);
    warned("PM timer port 0x12345", NULL);
    cr_assert_eq(info.pm_timer_port, 0);
}

Test(acpi, fadt_24bit_timer)
{
    build_fadt(FADT, FADT_LEN, 6, 0x608, 1, 0x608);
    w32(FADT + 112, FADT_FLAGS & ~0x100u);
    fix(FADT);
    read_clean();
    cr_assert_eq(info.pm_timer_32bit, 0);
    cr_assert_eq(info.pm_timer_port, 0x608);
}

/* ---- MADT entries ---------------------------------------------------------------------------- */

/* A zero-length entry stops the walk with a warning and the whole MADT is dropped, including
 * what the entries before it gave. */
Test(acpi, madt_entry_length_0)
{
    mem[MADT + m_nmi + 1] = 0;
    fix(MADT);
    warned("MADT at 0x7fe02005: entry at offset 100 (type 4) has length 0; ignored", NULL);
    cr_assert_eq(info.nwarn, 1);
    assert_no_madt();
    assert_good_fadt();
    cr_assert_eq(info.has_hpet, 1);
    mem[MADT + m_cpu0 + 1] = 1;
    fix(MADT);
    warned("entry at offset 44 (type 0) has length 1", NULL);
    assert_no_madt();
}

Test(acpi, madt_entry_past_end)
{
    mem[MADT + m_x2apic + 1] = 200;
    fix(MADT);
    warned("MADT at 0x7fe02005: entry at offset 106 (type 9, length 200) runs past the end of "
           "the table (134 bytes)", NULL);
    assert_no_madt();
    /* the last entry one byte too long */
    nents = 0;
    e_cpu(0, 0, 1);
    ents[nents - 7] = 9;
    madt_finish(MADT, ACPI_LAPIC_DEFAULT, 1);
    warned("entry at offset 44 (type 0, length 9) runs past the end of the table (52 bytes)",
           NULL);
}

/* Entries too short for the fields read from them. */
Test(acpi, madt_entry_too_short_for_type)
{
    static const struct { uint8_t type, need; } t[] = { { 0, 8 }, { 1, 12 }, { 2, 10 }, { 5, 12 } };
    for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++) {
        nents = 0;
        e_cpu(0, 0, 1);
        uint8_t b[32] = { t[i].type, (uint8_t)(t[i].need - 1) };
        ent(b, t[i].need - 1u);
        e_cpu(1, 1, 1);
        madt_finish(MADT, ACPI_LAPIC_DEFAULT, 1);
        char want[96];
        snprintf(want, sizeof want, "entry at offset 52 (type %u) has length %u, needs %u",
                 t[i].type, t[i].need - 1u, t[i].need);
        warned(want, NULL);
        assert_no_madt();
    }
    /* types we do not read need only their 2-byte header */
    nents = 0;
    uint8_t b[2] = { 4, 2 };
    ent(b, 2);
    e_cpu(0, 0, 1);
    madt_finish(MADT, ACPI_LAPIC_DEFAULT, 1);
    read_clean();
    cr_assert_eq(info.ncpus, 1);
}

/* One byte after the last entry is not an entry. */
Test(acpi, madt_trailing_byte)
{
    nents = 0;
    e_cpu(0, 0, 1);
    uint8_t b[1] = { 0 };
    ent(b, 1);
    madt_finish(MADT, ACPI_LAPIC_DEFAULT, 1);
    warned("MADT at 0x7fe02005: 1 byte left at offset 52, too few for an entry", NULL);
    assert_no_madt();
}

/* The 44-byte fixed part is needed; entries are optional. */
Test(acpi, madt_short)
{
    w32(MADT + 4, 43);
    fix(MADT);
    warned("MADT at 0x7fe02005: length 43, too short for the local APIC address and flags", NULL);
    assert_no_madt();
    nents = 0;
    madt_finish(MADT, 0xFEE00000u, 0);
    read_clean();
    cr_assert_eq(info.has_madt, 1);
    cr_assert_eq(info.pcat_compat, 0);
    cr_assert_eq(info.ncpus, 0);
    cr_assert_eq(info.ioapic_addr, 0);
}

/* Type 5 overrides the local APIC address (the first one counts); flag bit 0 alone makes
 * pcat_compat. */
Test(acpi, madt_lapic_override_and_flags)
{
    nents = 0;
    e_cpu(0, 0, 3);                     /* enabled + online capable */
    e_override(0x123456789000ull);
    e_override(0xFEE00000ull);
    madt_finish(MADT, 0xFEE00000u, 0xFFFFFFFEu);
    read_clean();
    cr_assert_eq(info.lapic_addr, 0xFEE00000u);
    cr_assert_eq(info.lapic_addr_override, 0x123456789000ull);
    cr_assert_eq(info.pcat_compat, 0);
    cr_assert_eq(info.ncpus, 1);
    cr_assert_eq(info.nioapics, 0);
}

/* More interrupt source overrides than kept: the first ACPI_MAX_ISO, and a warning. */
Test(acpi, madt_many_isos)
{
    nents = 0;
    for (unsigned i = 0; i < ACPI_MAX_ISO; i++)
        e_iso((uint8_t)i, 100 + i, (uint16_t)i);
    madt_finish(MADT, 0xFEE00000u, 1);
    read_clean();
    cr_assert_eq(info.niso, ACPI_MAX_ISO);
    for (unsigned i = 0; i < ACPI_MAX_ISO; i++)
        cr_assert(info.iso[i].src == i && info.iso[i].gsi == 100 + i && info.iso[i].flags == i);
    e_iso(20, 200, 0);
    e_iso(21, 201, 0);
    e_iso(22, 202, 0);
    e_iso(23, 203, 0);
    madt_finish(MADT, 0xFEE00000u, 1);
    warned("MADT at 0x7fe02005: 20 interrupt source overrides, only the first 16 kept", NULL);
    cr_assert_eq(info.has_madt, 1);
    cr_assert_eq(info.niso, ACPI_MAX_ISO);
    cr_assert_eq(info.iso[15].src, 15);
}

/* Entries pile up to a MADT far larger than usual: still walked to the end. */
Test(acpi, madt_many_cpus)
{
    nents = 0;
    for (unsigned i = 0; i < 200; i++)
        e_cpu((uint8_t)i, (uint8_t)i, i % 3 != 0);
    madt_finish(SPARE, 0xFEE00000u, 1);
    const uint64_t tabs[] = { A(SPARE) };
    build_root(XSDT, "XSDT", tabs, 1);
    read_clean();
    cr_assert_eq(info.ncpus, 133);
}

/* ---- HPET ------------------------------------------------------------------------------------ */

Test(acpi, hpet_unusable)
{
    build_hpet(HPET, 51, 0, 0xFED00000);
    warned("HPET at 0x7fe03007: length 51, too short for the base address (52); ignored", NULL);
    cr_assert_eq(info.has_hpet, 0);
    build_hpet(HPET, 52, 0, 0xFED00000);
    read_clean();
    cr_assert_eq(info.hpet_addr, 0xFED00000u);
    build_hpet(HPET, 56, 1, 0xFED00000);
    warned("HPET at 0x7fe03007: base 0xfed00000 in address space 1, not a memory address", NULL);
    cr_assert_eq(info.has_hpet, 0);
    build_hpet(HPET, 56, 0, 0);
    warned("base 0x0", NULL);
    cr_assert_eq(info.hpet_addr, 0);
}

/* ---- the map callback ------------------------------------------------------------------------ */

/* Each map call in turn fails: the reader never crashes, and every failure is reported, as a
 * fatal error or as a warning. */
Test(acpi, every_map_failure_reported)
{
    read_clean();
    unsigned total = nmaps;
    for (unsigned k = 1; k <= total; k++) {
        fail_at = k;
        int rc = run_at(A(RSDP));
        if (rc < 0) {
            cr_assert(err.msg[0], "map %u failed: error without a message", k);
            assert_defaults();
        } else {
            cr_assert_eq(rc, 0);
            cr_assert_geq(info.nwarn, 1, "map %u failed silently", k);
            has(info.warn.msg, "cannot be mapped");
        }
    }
    fail_at = 0;
    read_clean();
}

/* acpi_read with a NULL kerr still fails cleanly. */
Test(acpi, null_kerr)
{
    mem[RSDP + 8] ^= 1;
    cr_assert_eq(acpi_read(A(RSDP), &fake, &info, NULL), -1);
}

/* ---- randomized mutation --------------------------------------------------------------------- */

static const uint32_t table_offs[] = { XSDT, RSDT, FADT, MADT, HPET, SSDT };

/* Lengths near the interesting boundaries. */
static uint32_t odd_length(uint64_t *rng, uint32_t cur)
{
    static const uint32_t v[] = { 0, 1, 2, 35, 36, 37, 43, 44, 47, 48, 51, 52, 79, 80, 115, 116,
                                  219, 220, 0x7FFFFFFF, 0xFFFFFFFF, ACPI_MAX_TABLE_LEN,
                                  ACPI_MAX_TABLE_LEN + 1, MEM_SIZE };
    uint64_t x = rng_next(rng);
    switch (x % 3) {
    case 0: return v[(x >> 8) % (sizeof v / sizeof v[0])];
    case 1: return cur + (uint32_t)((x >> 8) % 17) - 8;
    default: return (uint32_t)(x >> 32);
    }
}

/* Flips, overwrites and length edits on the good image, with the checksums then fixed (so the
 * structural checks are reached) or not.  The reader must never crash (ASan, UBSan) and must
 * either succeed, with consistent results, or fail with a message and the defaults. */
Test(acpi, mutation_never_crashes, .timeout = 60)
{
    static uint8_t good[MEM_SIZE];
    uint64_t rng = 0xAC910001;
    unsigned n_ok = 0, n_warn = 0, n_fail = 0, n_fadt = 0, n_madt = 0;

    memcpy(good, mem, sizeof good);
    for (unsigned it = 0; it < 20000; it++) {
        memcpy(mem, good, sizeof mem);
        unsigned nmut = 1 + rng_next(&rng) % 6;
        for (unsigned j = 0; j < nmut; j++) {
            uint64_t x = rng_next(&rng);
            uint32_t t = (uint32_t)(x % 7);             /* 6: the RSDP */
            uint32_t base = t == 6 ? RSDP : table_offs[t];
            uint32_t span = t == 6 ? 36 : r32(base + 4) < 300 ? r32(base + 4) + 4 : 300;
            uint32_t off = base + (uint32_t)((x >> 8) % span);
            switch ((x >> 40) % 5) {
            case 0: mem[off] ^= (uint8_t)(1u << ((x >> 48) % 8)); break;
            case 1: mem[off] = (uint8_t)(x >> 48); break;
            case 2:                                     /* a table length */
                if (t < 6)
                    w32(base + 4, odd_length(&rng, r32(base + 4)));
                else
                    w32(RSDP + 20, odd_length(&rng, 36));
                break;
            case 3: {                                   /* a MADT entry length */
                uint32_t e = MADT + 44 + (uint32_t)((x >> 8) % (r32(MADT + 4) > 44 &&
                             r32(MADT + 4) < 300 ? r32(MADT + 4) - 44 : 1));
                mem[e] = (uint8_t)((x >> 48) % 24);
                break;
            }
            default:                                    /* a root entry */
                if (t == 0)
                    w64(XSDT + 36 + 8 * (uint32_t)((x >> 8) % 5),
                        A((uint32_t)(x >> 32) % MEM_SIZE));
                else
                    mem[off] = 0;
                break;
            }
        }
        if (rng_next(&rng) & 1) {
            fix_rsdp(RSDP);
            for (unsigned j = 0; j < sizeof table_offs / sizeof table_offs[0]; j++)
                if (r32(table_offs[j] + 4) <= MEM_SIZE)
                    fix(table_offs[j]);
        }

        int rc = run_at(A(RSDP));
        if (rc < 0) {
            cr_assert_eq(rc, -1);
            cr_assert(err.msg[0], "iteration %u: failure without a message", it);
            assert_defaults();
            n_fail++;
            continue;
        }
        cr_assert_eq(rc, 0);
        n_ok++;
        cr_assert_eq(info.nwarn == 0, info.warn.msg[0] == 0, "iteration %u: nwarn %u, \"%s\"", it,
                     info.nwarn, info.warn.msg);
        n_warn += info.nwarn > 0;
        cr_assert(info.rsdt_or_xsdt != 0);
        cr_assert(info.root_is_xsdt <= 1 && info.pcat_compat <= 1 && info.pm_timer_32bit <= 1);
        cr_assert_leq(info.niso, ACPI_MAX_ISO);
        cr_assert_leq(info.ncpus, MEM_SIZE / 8);
        if (!info.has_fadt)
            cr_assert(info.pm_timer_port == 0 && info.sci_irq == 0 && info.fadt_flags == 0);
        if (!info.has_madt)
            assert_no_madt();
        if (info.has_hpet)
            cr_assert_neq(info.hpet_addr, 0);
        n_fadt += (unsigned)info.has_fadt;
        n_madt += (unsigned)info.has_madt;
    }
    cr_log_info("acpi mutation: %u ok (%u with warnings), %u failed; FADT read %u, MADT %u",
                n_ok, n_warn, n_fail, n_fadt, n_madt);
    /* the mutations reach every outcome */
    cr_assert_gt(n_fail, 1000);
    cr_assert_gt(n_warn, 1000);
    cr_assert_gt(n_ok - n_warn, 1000);
    cr_assert_gt(n_madt, 1000);
}
