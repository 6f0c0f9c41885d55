/*
 * Host tests for efi/pagetable.c: the PAE tables the VMM starts on.
 *
 * "Physical memory" is a page-aligned heap buffer of NPAGES pages standing at PHYS_BASE; the
 * builder gets it through alloc_page / phys_to_ptr callbacks.  A software PAE walker (the MMU's
 * algorithm, written independently of the code under test) checks the result.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/layout.h"
#include "pagetable.h"

#define NPAGES 600u
#define PHYS_BASE 0x100000ull
#define ADDR_MASK 0x000FFFFFFFFFF000ull
#define BIT_NX (1ull << 63)
#define SYS_PTS 508u           /* PD3 entries 0..507 cover 0xC0000000..0xFF7FFFFF */
#define INIT_PAGES (1u + 4u + SYS_PTS)

struct mem {
    unsigned char *buf;
    unsigned used;          /* pages handed out */
    unsigned limit;         /* alloc_page fails (returns 0) after this many */
    uint64_t bad_page;      /* if non-zero, alloc_page returns this instead of a real page */
    unsigned bad_after;     /* ... once this many real pages have been handed out */
};

static uint64_t alloc_page(void *ctx)
{
    struct mem *m = ctx;
    if (m->bad_page && m->used >= m->bad_after)
        return m->bad_page;
    if (m->used >= m->limit)
        return 0;
    uint64_t phys = PHYS_BASE + (uint64_t)m->used * PAGE_SIZE;
    memset(m->buf + (size_t)m->used * PAGE_SIZE, 0, PAGE_SIZE);
    m->used++;
    return phys;
}

/* Only pages inside the buffer exist; anything else is a test failure. */
static void *phys_to_ptr(void *ctx, uint64_t phys)
{
    struct mem *m = ctx;
    cr_assert(phys >= PHYS_BASE && phys < PHYS_BASE + (uint64_t)NPAGES * PAGE_SIZE,
              "access to physical 0x%llx outside the test memory", (unsigned long long)phys);
    return m->buf + (phys - PHYS_BASE);
}

static struct mem mem;
static struct pt_builder pt;

/* Fresh memory (filled with garbage, so that the builder must zero what it relies on only through
 * the allocator's promise) and a builder. */
static void setup_nx(int nx)
{
    mem.buf = aligned_alloc(PAGE_SIZE, (size_t)NPAGES * PAGE_SIZE);
    cr_assert_not_null(mem.buf);
    memset(mem.buf, 0xCC, (size_t)NPAGES * PAGE_SIZE);
    mem.used = 0;
    mem.limit = NPAGES;
    mem.bad_page = 0;
    mem.bad_after = 0;
    memset(&pt, 0, sizeof pt);
    pt.alloc_page = alloc_page;
    pt.phys_to_ptr = phys_to_ptr;
    pt.ctx = &mem;
    pt.nx = nx;
}

static void setup(void) { setup_nx(1); }
static void teardown(void) { free(mem.buf); }

static void init_ok(void)
{
    struct kerr e;
    strcpy(e.msg, "(none)");
    cr_assert_eq(pt_init(&pt, &e), 0, "pt_init: %s", e.msg);
}

static void map_ok(uint32_t lin, uint64_t phys, unsigned flags)
{
    struct kerr e;
    strcpy(e.msg, "(none)");
    cr_assert_eq(pt_map(&pt, lin, phys, flags, &e), 0, "pt_map 0x%08x: %s", lin, e.msg);
}

static uint64_t entry_at(uint64_t phys)
{
    uint64_t v;
    memcpy(&v, phys_to_ptr(&mem, phys), 8);
    return v;
}

/* ---- the software MMU ------------------------------------------------------------------------ */

struct walk {
    int present;
    uint64_t phys;          /* translation of the linear address */
    uint64_t pte_phys;      /* physical address of the PTE used */
    uint64_t pde_phys;      /* physical address of the PDE used */
    uint64_t pte, pde, pdpte;
    int writable, user, nx; /* effective rights: W and U need every level, NX any level */
};

static struct walk walk(uint32_t lin)
{
    struct walk w = { 0 };
    w.pdpte = entry_at(pt.pdpt + (lin >> 30) * 8);
    if (!(w.pdpte & PTE_P))
        return w;
    w.pde_phys = (w.pdpte & ADDR_MASK) + ((lin >> 21) & 511) * 8;
    w.pde = entry_at(w.pde_phys);
    if (!(w.pde & PTE_P))
        return w;
    cr_assert(!(w.pde & PTE_PS), "unexpected large page at 0x%08x", lin);
    w.pte_phys = (w.pde & ADDR_MASK) + ((lin >> 12) & 511) * 8;
    w.pte = entry_at(w.pte_phys);
    if (!(w.pte & PTE_P))
        return w;
    w.present = 1;
    w.phys = (w.pte & ADDR_MASK) | (lin & 0xFFF);
    w.writable = (w.pde & PTE_W) && (w.pte & PTE_W);
    w.user = (w.pde & PTE_U) && (w.pte & PTE_U);
    w.nx = ((w.pde | w.pte) & BIT_NX) != 0;
    return w;
}

/* ---- pt_init --------------------------------------------------------------------------------- */

/* The PDPT's four entries hold only P and the address of a page directory: in PAE legacy mode the
 * R/W, U/S, A, ... and NX bits of a PDPTE are reserved and would fault at CR3 load. */
Test(pagetable, pdpt_entries_have_only_present_bit, .init = setup, .fini = teardown)
{
    init_ok();
    cr_assert_eq(pt.tables, INIT_PAGES);
    cr_assert_eq(mem.used, INIT_PAGES);
    for (unsigned i = 0; i < 4; i++) {
        uint64_t e = entry_at(pt.pdpt + i * 8);
        cr_assert_eq(e & ~ADDR_MASK, PTE_P, "PDPTE %u = 0x%llx", i, (unsigned long long)e);
        cr_assert_eq(e & ADDR_MASK, pt.pd[i], "PDPTE %u points elsewhere", i);
    }
    /* the rest of the PDPT page is zero */
    for (unsigned i = 4; i < 512; i++)
        cr_assert_eq(entry_at(pt.pdpt + i * 8), 0, "PDPT slot %u", i);
}

/* Every page table of the system region (PD3[0..507]) exists, supervisor, writable at the PDE
 * level, no NX at the PDE, each a distinct page, all empty; the private and shared PDs are empty. */
Test(pagetable, all_system_page_tables_preallocated, .init = setup, .fini = teardown)
{
    init_ok();
    uint64_t seen_first = 0, prev = 0;
    for (unsigned k = 0; k < SYS_PTS; k++) {
        uint64_t pde = entry_at(pt.pd[3] + k * 8);
        cr_assert(pde & PTE_P, "PD3[%u] not present", k);
        cr_assert(pde & PTE_W, "PD3[%u] not writable", k);
        cr_assert(!(pde & PTE_U), "PD3[%u] user-accessible", k);
        cr_assert(!(pde & BIT_NX), "PD3[%u] NX", k);
        cr_assert(!(pde & PTE_PS), "PD3[%u] large page", k);
        uint64_t a = pde & ADDR_MASK;
        cr_assert(a != pt.pdpt && a != pt.pd[0] && a != pt.pd[1] && a != pt.pd[2] && a != pt.pd[3]);
        cr_assert(k == 0 || a != prev, "PD3[%u] shares its table", k);
        for (unsigned i = 0; i < 512; i++)
            cr_assert_eq(entry_at(a + i * 8), 0, "PT of PD3[%u] slot %u not empty", k, i);
        if (!k)
            seen_first = a;
        prev = a;
    }
    cr_assert_neq(seen_first, 0);
    for (unsigned d = 0; d < 3; d++)
        for (unsigned i = 0; i < 512; i++)
            cr_assert_eq(entry_at(pt.pd[d] + i * 8), 0, "PD%u[%u]", d, i);
}

/* The self-map: PD3[508..511] point at PD0..PD3, supervisor, writable, NX when the CPU has it. */
Test(pagetable, selfmap_pdes_point_at_the_page_directories, .init = setup, .fini = teardown)
{
    init_ok();
    for (unsigned i = 0; i < 4; i++) {
        uint64_t pde = entry_at(pt.pd[3] + (SELFMAP_PDE_FIRST + i) * 8);
        cr_assert_eq(pde & ADDR_MASK, pt.pd[i]);
        cr_assert((pde & PTE_P) && (pde & PTE_W) && !(pde & PTE_U));
        cr_assert(pde & BIT_NX, "self-map PDE %u must be NX with nx=1", i);
    }
}

/* Through the walker, PTE_WINDOW + (L >> 12) * 8 translates to the physical address of L's PTE,
 * and PDE_WINDOW + (L >> 21) * 8 to that of L's PDE, for addresses all over the 4 GB. */
Test(pagetable, selfmap_windows_translate_to_pte_and_pde, .init = setup, .fini = teardown)
{
    init_ok();
    /* give the lower regions some page tables too */
    map_ok(0x00000000u, 0x1000, 0);
    map_ok(0x00400000u, 0x2000, PT_MAP_WRITE);
    map_ok(0x80001000u, 0x3000, 0);
    map_ok(0xBFFFF000u, 0x4000, 0);
    const uint32_t ls[] = { 0x00000000u, 0x00000FFFu, 0x00400123u, 0x80001000u, 0xBFFFF000u,
                            0xC0000000u, 0xC0001234u, 0xDEADB000u, 0xEFFFF000u, 0xF0000000u,
                            0xFF7FF000u };
    for (unsigned i = 0; i < sizeof ls / sizeof ls[0]; i++) {
        uint32_t L = ls[i];
        struct walk target = walk(L);
        cr_assert_neq(target.pte_phys, 0, "0x%08x has no page table", L);

        struct walk wpte = walk(PTE_WINDOW + (L >> 12) * 8);
        cr_assert(wpte.present, "PTE window for 0x%08x not mapped", L);
        cr_assert_eq(wpte.phys, target.pte_phys, "PTE window of 0x%08x -> 0x%llx, want 0x%llx", L,
                     (unsigned long long)wpte.phys, (unsigned long long)target.pte_phys);
        cr_assert(wpte.writable && !wpte.user && wpte.nx, "PTE window rights for 0x%08x", L);

        struct walk wpde = walk(PDE_WINDOW + (L >> 21) * 8);
        cr_assert(wpde.present, "PDE window for 0x%08x not mapped", L);
        cr_assert_eq(wpde.phys, target.pde_phys, "PDE window of 0x%08x", L);
    }
    /* every PDE of the 4 GB, including unmapped ones, is reachable through the PDE window */
    for (uint32_t pdi = 0; pdi < 2048; pdi++) {
        struct walk w = walk(PDE_WINDOW + pdi * 8);
        cr_assert(w.present);
        cr_assert_eq(w.phys, pt.pd[pdi >> 9] + (pdi & 511) * 8, "PDE %u", pdi);
    }
}

/* With nx = 0 no entry anywhere carries bit 63 (it is reserved without EFER.NXE). */
Test(pagetable, no_nx_bit_anywhere_without_nx, .init = setup, .fini = teardown)
{
    pt.nx = 0;
    init_ok();
    map_ok(0xC0100000u, 0x200000, 0);
    map_ok(0xC0101000u, 0x201000, PT_MAP_WRITE);
    map_ok(0x00001000u, 0x1000, PT_MAP_USER);
    for (unsigned p = 0; p < mem.used; p++)
        for (unsigned i = 0; i < 512; i++)
            cr_assert(!(entry_at(PHYS_BASE + p * PAGE_SIZE + i * 8) & BIT_NX),
                      "page %u entry %u has NX", p, i);
}

/* ---- pt_map ---------------------------------------------------------------------------------- */

/* Each combination of flags gives exactly: P; W iff PT_MAP_WRITE; U iff PT_MAP_USER; NX iff the
 * CPU has NX and PT_MAP_EXEC is absent; the address bits equal phys.  With nx = 0, never NX. */
static void check_rights(int nx)
{
    init_ok();
    for (unsigned flags = 0; flags < 8; flags++) {
        uint32_t lin = 0xC0200000u + flags * PAGE_SIZE;
        uint64_t phys = 0x300000ull + flags * PAGE_SIZE;
        map_ok(lin, phys, flags);
        struct walk w = walk(lin + 0x123);
        cr_assert(w.present);
        cr_assert_eq(w.phys, phys + 0x123);
        uint64_t want = phys | PTE_P | (flags & PT_MAP_WRITE ? PTE_W : 0) |
                        (flags & PT_MAP_USER ? PTE_U : 0) |
                        (nx && !(flags & PT_MAP_EXEC) ? BIT_NX : 0);
        cr_assert_eq(w.pte, want, "nx=%d flags %u: PTE 0x%llx, want 0x%llx", nx, flags,
                     (unsigned long long)w.pte, (unsigned long long)want);
    }
}

Test(pagetable, map_rights_with_nx, .init = setup, .fini = teardown) { check_rights(1); }
Test(pagetable, map_rights_without_nx, .init = setup, .fini = teardown) { pt.nx = 0; check_rights(0); }

/* A system-region mapping needs no allocation; a lower-region one allocates one page table per
 * 2 MB, whose PDE is P|W|U (rights decided per PTE), and a second page in the same 2 MB reuses it. */
Test(pagetable, map_allocates_page_tables_only_below_system, .init = setup, .fini = teardown)
{
    init_ok();
    map_ok(0xEFFFF000u, 0x5000, PT_MAP_WRITE);
    cr_assert_eq(pt.tables, INIT_PAGES);
    map_ok(0x00401000u, 0x6000, PT_MAP_USER);
    cr_assert_eq(pt.tables, INIT_PAGES + 1);
    map_ok(0x005FF000u, 0x7000, PT_MAP_USER);
    cr_assert_eq(pt.tables, INIT_PAGES + 1);
    map_ok(0x00600000u, 0x8000, PT_MAP_USER);
    cr_assert_eq(pt.tables, INIT_PAGES + 2);
    struct walk w = walk(0x00401000u);
    cr_assert_eq(w.pde & ~ADDR_MASK, PTE_P | PTE_W | PTE_U);
    cr_assert(w.user && !w.writable);
    cr_assert_eq(walk(0x005FF000u).phys, 0x7000);
    cr_assert_eq(mem.used, pt.tables);
}

/* Physical addresses above 4 GB (PAE) are mapped with all their bits. */
Test(pagetable, map_physical_above_4gb, .init = setup, .fini = teardown)
{
    init_ok();
    map_ok(0xF0000000u, 0xFD00000000ull, PT_MAP_WRITE);
    struct walk w = walk(0xF0000ABCu);
    cr_assert(w.present);
    cr_assert_eq(w.phys, 0xFD00000ABCull);
}

/* Mapping a mapped page again fails, names the existing target, and leaves the PTE alone. */
Test(pagetable, remap_refused, .init = setup, .fini = teardown)
{
    init_ok();
    map_ok(0xC0300000u, 0xABC000, PT_MAP_WRITE);
    uint64_t before = walk(0xC0300000u).pte;
    struct kerr e;
    memset(&e, 0, sizeof e);
    cr_assert_eq(pt_map(&pt, 0xC0300000u, 0xDEF000, 0, &e), -1);
    cr_assert(strstr(e.msg, "already mapped"), "%s", e.msg);
    cr_assert(strstr(e.msg, "abc000"), "message should name the old target: %s", e.msg);
    cr_assert_eq(walk(0xC0300000u).pte, before);
    /* the same mapping again is refused too */
    cr_assert_eq(pt_map(&pt, 0xC0300000u, 0xABC000, PT_MAP_WRITE, &e), -1);
}

/* Nothing may be mapped inside the self-map window 0xFF800000..0xFFFFFFFF (it would corrupt the
 * page tables); the page just below it is fine. */
Test(pagetable, map_inside_selfmap_refused, .init = setup, .fini = teardown)
{
    init_ok();
    const uint32_t bad[] = { SELFMAP_BASE, 0xFFC00000u, PDE_WINDOW, 0xFFFFF000u };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct kerr e;
        memset(&e, 0, sizeof e);
        cr_assert_eq(pt_map(&pt, bad[i], 0x1000, PT_MAP_WRITE, &e), -1, "0x%08x", bad[i]);
        cr_assert(strstr(e.msg, "self-map"), "%s", e.msg);
    }
    /* the PDs were not touched: the self-map entries are still the PDs */
    for (unsigned i = 0; i < 4; i++)
        cr_assert_eq(entry_at(pt.pd[3] + (SELFMAP_PDE_FIRST + i) * 8) & ADDR_MASK, pt.pd[i]);
    map_ok(SELFMAP_BASE - PAGE_SIZE, 0x1000, 0);
}

/* Linear or physical addresses that are not page aligned are refused. */
Test(pagetable, misaligned_refused, .init = setup, .fini = teardown)
{
    init_ok();
    struct kerr e;
    memset(&e, 0, sizeof e);
    cr_assert_eq(pt_map(&pt, 0xC0000001u, 0x1000, 0, &e), -1);
    cr_assert(strstr(e.msg, "not page aligned"), "%s", e.msg);
    memset(&e, 0, sizeof e);
    cr_assert_eq(pt_map(&pt, 0xC0000000u, 0x1800, 0, &e), -1);
    cr_assert(strstr(e.msg, "not page aligned"), "%s", e.msg);
    cr_assert(strstr(e.msg, "0x1800"), "%s", e.msg);
    cr_assert(!walk(0xC0000000u).present);
}

/* ---- allocator failures ---------------------------------------------------------------------- */

/* pt_init with too few pages, at every stage (PDPT, a PD, a system PT): -1, "out of memory". */
Test(pagetable, init_out_of_memory, .init = setup, .fini = teardown)
{
    const unsigned limits[] = { 0, 1, 3, 5, 6, 200, INIT_PAGES - 1 };
    for (unsigned i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        mem.used = 0;
        mem.limit = limits[i];
        struct kerr e;
        memset(&e, 0, sizeof e);
        cr_assert_eq(pt_init(&pt, &e), -1, "limit %u", limits[i]);
        cr_assert(strstr(e.msg, "out of memory"), "%s", e.msg);
        cr_assert_eq(mem.used, limits[i]);
    }
    mem.used = 0;
    mem.limit = INIT_PAGES;
    init_ok();
}

/* pt_map that needs a page table when none is left: -1, "out of memory", nothing half-made (the
 * PDE stays not-present); system-region mappings still work since they allocate nothing. */
Test(pagetable, map_out_of_memory, .init = setup, .fini = teardown)
{
    mem.limit = INIT_PAGES;
    init_ok();
    struct kerr e;
    memset(&e, 0, sizeof e);
    cr_assert_eq(pt_map(&pt, 0x00400000u, 0x1000, 0, &e), -1);
    cr_assert(strstr(e.msg, "out of memory"), "%s", e.msg);
    cr_assert(!(walk(0x00400000u).pde & PTE_P));
    map_ok(0xC0000000u, 0x1000, 0);
}

/* A page at or above 4 GB (CR3 and the PDPTEs hold 32-bit addresses here) or not page aligned is
 * refused by pt_init and pt_map. */
Test(pagetable, allocator_bad_pages_refused, .init = setup, .fini = teardown)
{
    const uint64_t bad[] = { 0x100000000ull, 0x123456789000ull, 0x100800, 0x100001 };
    const unsigned after[] = { 0, 3, 100 };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
        for (unsigned j = 0; j < sizeof after / sizeof after[0]; j++) {
            mem.used = 0;
            mem.bad_page = bad[i];
            mem.bad_after = after[j];
            struct kerr e;
            memset(&e, 0, sizeof e);
            cr_assert_eq(pt_init(&pt, &e), -1, "page 0x%llx", (unsigned long long)bad[i]);
            cr_assert(strstr(e.msg, "below 4 GB"), "%s", e.msg);
        }
    /* and in pt_map */
    mem.used = 0;
    mem.bad_page = 0;
    init_ok();
    mem.bad_page = 0x100000000ull;
    mem.bad_after = 0;
    struct kerr e;
    memset(&e, 0, sizeof e);
    cr_assert_eq(pt_map(&pt, 0x00400000u, 0x1000, 0, &e), -1);
    cr_assert(strstr(e.msg, "100000000"), "%s", e.msg);
    cr_assert(!(walk(0x00400000u).pde & PTE_P));
}

/* ---- regressions: defects found in efi/pagetable.c and fixed ---------- */

/* pt_map does not check phys against the PAE address width: phys = 2^52 sets a reserved PTE bit
 * (a page fault on every access) and phys = 2^63 silently sets NX on an executable mapping. */
Test(pagetable, phys_beyond_52_bits_refused, .init = setup, .fini = teardown)
{
    init_ok();
    struct kerr e;
    cr_assert_eq(pt_map(&pt, 0xC0400000u, 1ull << 52, PT_MAP_EXEC, &e), -1);
    cr_assert_eq(pt_map(&pt, 0xC0401000u, 1ull << 63, PT_MAP_EXEC, &e), -1);
    cr_assert(!walk(0xC0401000u).present);
}

/* A page directory entry carries U only where a user page lies below it: a supervisor mapping
 * below 3 GB (the trampoline) must not leave a user-accessible PDE, which the self-map would
 * then show as a user "PTE" (found by the boot test's `info tlb` check). */
Test(pagetable, pde_user_bit_only_for_user_mappings, .init = setup, .fini = teardown)
{
    init_ok();
    map_ok(0x00200000, 0x5000, PT_MAP_WRITE | PT_MAP_EXEC);          /* supervisor, PD0 */
    struct walk w = walk(0x00200000);
    cr_assert(w.present);
    cr_assert_eq(w.pde & PTE_U, 0, "PDE 0x%llx has U for a supervisor-only mapping",
                 (unsigned long long)w.pde);
    cr_assert(!w.user);
    map_ok(0x00201000, 0x6000, PT_MAP_WRITE | PT_MAP_USER);          /* same table, user page */
    w = walk(0x00201000);
    cr_assert(w.user, "a user mapping must be reachable from ring 3");
    w = walk(0x00200000);
    cr_assert(!w.user, "the supervisor page stays supervisor-only (its PTE lacks U)");
}
