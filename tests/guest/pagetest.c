/*
 * In-guest tests of the page services, the heap and the lists on real page tables
 * (SYSTEM.INI [Debug] PageTest=1; tests/boot/run.sh reads the lines).  Each check prints nothing
 * when it holds and a "pagetest: FAIL" line naming itself when not; the run ends with
 * "pagetest: N passed, M failed".  A random trace checks every block's contents against a
 * model and the page services' own invariants (page_check) as it goes.
 */
#include "guest/guest.h"
#include "mem/page.h"
#include "mem/heapsvc.h"
#include "mem/pmem.h"
#include "boot/layout.h"
#include "console/console.h"
#include "guest/selftest.h"
#include "lib/string.h"

static struct selftest T = { "pagetest", 0, 0 };
#define CHECK(cond, what) SELFTEST_CHECK(&T, cond, what)

static uint32_t rng = 0x1234567u;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static uint32_t query_state(uint32_t lin, uint32_t *protect, uint32_t *base, uint32_t *size)
{
    struct memory_basic_information m;
    if (_PageQuery(lin, &m, sizeof m) != sizeof m)
        return 0;
    if (protect)
        *protect = m.mbi_Protect;
    if (base)
        *base = m.mbi_AllocationBase;
    if (size)
        *size = m.mbi_RegionSize;
    return m.mbi_State;
}

static void test_alloc_free(void)
{
    uint32_t free0 = pmem.nfree, prot, base, size;
    uint64_t r = _PageAllocate(4, PG_SYS, 0, 0, 0, 0, 0, PAGEZEROINIT);
    uint32_t h = PAGE_RET_LO(r), lin = PAGE_RET_HI(r);
    CHECK(h && lin >= SYSARENA_BASE && lin < PHYSMAP_BASE && !(lin & 0xFFF), "PG_SYS allocate");
    if (!h)
        return;
    const uint32_t *w = (const uint32_t *)lin;
    int zero = 1;
    for (unsigned i = 0; i < 4096; i++)
        zero &= w[i] == 0;
    CHECK(zero, "PAGEZEROINIT zeroes all four pages");
    memset((void *)lin, 0xA5, 4 * 4096);
    CHECK(pmem.nfree <= free0 - 4, "four frames taken");
    r = _PageGetSizeAddr(h, 0);
    CHECK(PAGE_RET_LO(r) == 4 && PAGE_RET_HI(r) == lin, "_PageGetSizeAddr");
    CHECK(query_state(lin + 4096, &prot, &base, &size) == MEM_COMMIT && prot == PAGE_READWRITE &&
          base == lin && size == 3 * 4096, "_PageQuery of a committed page");
    CHECK(_PageFree(h, 0) == 1, "_PageFree");
    CHECK(_PageFree(h, 0) == 0, "_PageFree of a freed handle is refused");
    CHECK(_PageFree(0x12345678, 0) == 0, "_PageFree of a junk handle is refused");
    CHECK(_PageFree(lin, 0) == 0, "_PageFree of a freed address is refused");
    CHECK(pmem.nfree >= free0 - 1, "frames given back");    /* a descriptor page may stay */
    CHECK(_PageAllocate(0, PG_SYS, 0, 0, 0, 0, 0, 0) == 0, "zero pages refused");
    CHECK(_PageAllocate(1, 9, 0, 0, 0, 0, 0, 0) == 0, "unknown page type refused");
}

static void test_contig(void)
{
    uint32_t phys = 1;          /* physical page 0 is RAM like any other: a run may start there */
    uint64_t r = _PageAllocate(16, PG_SYS, 0, 0xF, 0, 0xFFFFF, &phys,
                               PAGEUSEALIGN | PAGECONTIG | PAGEFIXED);
    uint32_t h = PAGE_RET_LO(r), lin = PAGE_RET_HI(r);
    CHECK(h && !(phys & 0xFFFF), "PAGEUSEALIGN: first frame aligned to 64 KB");
    if (!h)
        return;
    int contig = 1;
    for (uint32_t i = 0; i < 16; i++) {
        uint64_t x = ((volatile uint64_t *)PTE_WINDOW)[(lin >> 12) + i];
        contig &= (x & PTE_ADDR_MASK) == (uint64_t)phys + i * 4096u;
    }
    CHECK(contig, "PAGEUSEALIGN: frames contiguous");
    /* _MapPhysToLinear gives an alias: what one side writes, the other reads. */
    uint32_t alias = _MapPhysToLinear(phys + 0x2000, 8, 0);
    CHECK(alias != 0xFFFFFFFFu, "_MapPhysToLinear");
    if (alias != 0xFFFFFFFFu) {
        *(volatile uint32_t *)(lin + 0x2000) = 0xC0FFEE11;
        CHECK(*(volatile uint32_t *)alias == 0xC0FFEE11, "the alias sees the page");
        CHECK(_MapPhysToLinear(phys + 0x2000, 8, 0) == alias, "same range, same address");
    }
    CHECK(_PageReAllocate(h, 20, 0) == 0, "a contiguous block does not resize");
    CHECK(_PageAllocate(1, PG_SYS, 0, 0xF, 0, 0xFFFFF, &phys, PAGEUSEALIGN) == 0,
          "PAGEUSEALIGN without PAGEFIXED refused");
    CHECK(_PageFree(h, 0) == 1, "free the contiguous block");
}

/* Reserve, commit, decommit and free in one arena, cycles times; no frame may leak. */
static void test_commit_cycle(uint32_t where, const char *name, uint32_t cycles)
{
    uint32_t free0 = 0, prot;
    int ok = 1;
    for (uint32_t c = 0; c < cycles && ok; c++) {
        uint32_t lin = _PageReserve(where, 8, 0);
        ok &= lin != 0xFFFFFFFFu;
        if (!ok)
            break;
        uint32_t p = lin >> 12;
        if (c == 1)
            free0 = pmem.nfree;             /* after the first cycle made its page tables */
        ok &= query_state(lin, 0, 0, 0) == MEM_RESERVE;
        ok &= _PageCommit(p + 2, 4, PD_ZEROINIT, 0, PC_WRITEABLE) == 1;
        ok &= *(volatile uint32_t *)(lin + 0x3000) == 0;
        *(volatile uint32_t *)(lin + 0x3000) = c;
        ok &= query_state(lin + 0x2000, &prot, 0, 0) == MEM_COMMIT && prot == PAGE_READWRITE;
        if (c == 0)                         /* committed already: refused (and said once) */
            ok &= _PageCommit(p + 5, 1, PD_ZEROINIT, 0, PC_WRITEABLE) == 0;
        ok &= _PageDecommit(p + 3, 2, 0) == 1;
        ok &= query_state(lin + 0x3000, 0, 0, 0) == MEM_RESERVE;
        ok &= _PageCommit(p + 3, 1, PD_ZEROINIT, 0, 0) == 1;              /* read-only now */
        ok &= query_state(lin + 0x3000, &prot, 0, 0) == MEM_COMMIT && prot == PAGE_READONLY;
        ok &= *(volatile uint32_t *)(lin + 0x3000) == 0;                   /* a fresh zero page */
        ok &= _PageFree(lin, 0) == 1;
        ok &= query_state(lin, 0, 0, 0) == MEM_FREE || where != PR_SYSTEM;
        if (c >= 1)
            ok &= pmem.nfree == free0;
    }
    char what[96];
    ksnprintf(what, sizeof what, "%s: reserve/commit/decommit/free x%u, no frame leaked", name,
              cycles);
    CHECK(ok, what);
    kprintf("pagetest: %s commit/decommit cycle x%u: %s, free frames %u\n", name, cycles,
            ok ? "ok" : "FAILED", pmem.nfree);
}

static void test_refusals(void)
{
    uint32_t lin = _PageReserve(PR_SYSTEM, 2, 0);
    CHECK(lin != 0xFFFFFFFFu, "reserve two system pages");
    CHECK(_PageCommit(lin >> 12, 2, PD_ZEROINIT, 0, PC_USER | PC_WRITEABLE) == 0,
          "PC_USER in the system arena refused");
    CHECK(_PageCommit(lin >> 12, 3, PD_ZEROINIT, 0, PC_WRITEABLE) == 0,
          "commit past the reservation refused");
    CHECK(_PageCommit(lin >> 12, 1, 0x1234, 0, PC_WRITEABLE) == 0, "a pager descriptor refused");
    CHECK(_PageCommit(lin >> 12, 1, PD_FIXED, 0, PC_WRITEABLE) == 1, "commit one");
    CHECK(_PageModifyPermissions(lin >> 12, 1, ~PC_WRITEABLE, 0) == 1, "make it read-only");
    uint32_t prot;
    CHECK(query_state(lin, &prot, 0, 0) == MEM_COMMIT && prot == PAGE_READONLY,
          "_PageModifyPermissions: read-only");
    CHECK(_PageModifyPermissions(lin >> 12, 1, ~0u, PC_USER) == 0, "PC_USER refused");
    CHECK(_PageModifyPermissions((lin >> 12) + 1, 1, ~0u, PC_WRITEABLE) == 0,
          "permissions of an uncommitted page refused");
    uint32_t locked0 = pmem.nlocked;
    CHECK(_LinPageLock(lin >> 12, 1, 0) && pmem.nlocked == locked0 + 1, "_LinPageLock");
    CHECK(_LinPageLock((lin >> 12) + 1, 1, 0) == 0, "lock of an uncommitted page refused");
    CHECK(_LinPageUnLock(lin >> 12, 1, 0) && pmem.nlocked == locked0, "_LinPageUnLock");
    CHECK(_LinPageUnLock(lin >> 12, 1, 0) == 0, "unlock of an unlocked page refused");
    uint64_t a = _PageAllocate(1, PG_SYS, 0, 0, 0, 0, 0, 0);
    CHECK(_PageFree(PAGE_RET_HI(a), 0) == 0, "_PageFree of an allocated block's address refused");
    CHECK(_PageDecommit(PAGE_RET_HI(a) >> 12, 1, 0) == 0, "decommit of an allocated page refused");
    CHECK(_PageFree(PAGE_RET_LO(a), 0) == 1, "free it by handle");
    CHECK(_PageFree(lin, 0) == 1, "free the reservation");
    CHECK(_PageReserve(0x100, 1, 0) == 0xFFFFFFFFu, "reserve in the V86 region refused");
    uint32_t fixed = _PageReserve(0x500, 4, 0);           /* a fixed private page */
    CHECK(fixed == 0x500000, "_PageReserve at a fixed private page");
    CHECK(_PageReserve(0x502, 1, 0) == 0xFFFFFFFFu, "a reserved page cannot be reserved again");
    CHECK(_PageFree(fixed, 0) == 1, "free the fixed reservation");
    uint64_t fp = _GetFreePageCount(0);
    CHECK(PAGE_RET_LO(fp) == pmem.nfree && PAGE_RET_HI(fp) == pmem.nfree, "_GetFreePageCount");
}

static uint32_t hook_lo, hook_hi, hook_calls, decline_calls, order;
static int hook_commit(struct ipf_data *ipf, struct client_regs *r)
{
    (void)r;
    if (ipf->IPF_LinAddr < hook_lo || ipf->IPF_LinAddr >= hook_hi)
        return 1;
    hook_calls++;
    order = order * 10 + 1;
    return _PageCommit(ipf->IPF_MapPageNum, 1, PD_ZEROINIT, 0, PC_WRITEABLE) ? 0 : 1;
}
static int hook_decline(struct ipf_data *ipf, struct client_regs *r)
{
    (void)r;
    (void)ipf;
    decline_calls++;
    order = order * 10 + 2;
    return 1;
}

static void test_fault_hooks(void)
{
    uint32_t lin = _PageReserve(PR_SYSTEM, 4, 0);
    CHECK(lin != 0xFFFFFFFFu, "reserve for the hook test");
    hook_lo = lin;
    hook_hi = lin + 4 * 4096;
    CHECK(Hook_Invalid_Page_Fault(hook_commit) == 1, "Hook_Invalid_Page_Fault");
    CHECK(Hook_Invalid_Page_Fault(hook_decline) == 1, "a second hook");
    for (uint32_t i = 0; i < 4; i++)
        *(volatile uint32_t *)(lin + i * 4096 + 8) = 0xBEEF0000 + i;    /* each faults once */
    int ok = 1;
    for (uint32_t i = 0; i < 4; i++)
        ok &= *(volatile uint32_t *)(lin + i * 4096 + 8) == 0xBEEF0000 + i;
    CHECK(hook_calls == 4 && ok, "the hook committed each page on its fault; writes landed");
    CHECK(decline_calls == 4 && order == 21212121, "last hooked is called first; a decline passes on");
    CHECK(Unhook_Invalid_Page_Fault(hook_decline) == 1, "unhook the last");
    CHECK(Unhook_Invalid_Page_Fault(hook_commit) == 1, "unhook the first");
    CHECK(Unhook_Invalid_Page_Fault(hook_commit) == 0, "unhook twice refused");
    unsigned n = 0;
    while (Hook_Invalid_Page_Fault(hook_decline))
        n++;
    CHECK(n == 16, "a full hook table is refused, not overwritten");
    while (Unhook_Invalid_Page_Fault(hook_decline))
        ;
    CHECK(_PageFree(lin, 0) == 1, "free the hook test's pages");
    kprintf("pagetest: invalid page faults resolved by hooks: %u\n", hook_calls);
}

static void test_contexts(void)
{
    uint32_t c1 = _ContextCreate();
    CHECK(c1 != 0, "_ContextCreate");
    if (!c1)
        return;
    uint32_t boot_ctx = _ContextSwitch(c1);
    CHECK(boot_ctx != 0, "_ContextSwitch to the new context");
    uint32_t a = _PageReserve(0x600, 2, 0);
    CHECK(a == 0x600000 && _PageCommit(0x600, 2, PD_ZEROINIT, 0, PC_WRITEABLE | PC_USER),
          "private pages in the new context");
    *(volatile uint32_t *)0x600000 = 0x11111111;
    uint32_t sh = _PageReserve(PR_SHARED, 1, 0);
    CHECK(sh != 0xFFFFFFFFu && _PageCommit(sh >> 12, 1, PD_ZEROINIT, 0, PC_WRITEABLE),
          "a shared page");
    *(volatile uint32_t *)sh = 0x5EA5EA;
    uint64_t pa = _PageAllocate(3, PG_PRIVATE, 0, 0, 0, 0, 0, 0);
    CHECK(PAGE_RET_LO(pa) && PAGE_RET_HI(pa) < SHARED_BASE, "PG_PRIVATE allocate");
    CHECK(_ContextSwitch(boot_ctx) == c1, "_ContextSwitch back returns the new one");
    CHECK(query_state(0x600000, 0, 0, 0) == MEM_FREE, "the page is not in the boot context");
    CHECK(_PageReserve(0x600, 2, 0) == 0x600000 &&
          _PageCommit(0x600, 1, PD_ZEROINIT, 0, PC_WRITEABLE), "the same page, privately here");
    *(volatile uint32_t *)0x600000 = 0x22222222;
    CHECK(*(volatile uint32_t *)sh == 0x5EA5EA, "the shared page is the same in both");
    _ContextSwitch(c1);
    CHECK(*(volatile uint32_t *)0x600000 == 0x11111111, "each context sees its own page");
    CHECK(_ContextDestroy(c1) == 0, "destroying the current context refused");
    _ContextSwitch(boot_ctx);
    CHECK(*(volatile uint32_t *)0x600000 == 0x22222222, "and the boot context its own");
    CHECK(_PageFree(0x600000, 0) == 1, "free the boot context's private pages");
    uint32_t free_before = pmem.nfree;
    CHECK(_ContextDestroy(c1) == 1, "_ContextDestroy");
    CHECK(pmem.nfree > free_before + 2 + 3, "its pages, page tables and directories freed");
    CHECK(_ContextSwitch(c1) == 0, "a destroyed context is refused");
    CHECK(_PageFree(sh, 0) == 1, "free the shared page");
    CHECK(page_check() == 0, "page_check after the context test");
}

static void test_realloc(void)
{
    uint64_t r = _PageAllocate(2, PG_SYS, 0, 0, 0, 0, 0, 0);
    uint32_t h = PAGE_RET_LO(r), lin = PAGE_RET_HI(r);
    uint64_t blocker = _PageAllocate(1, PG_SYS, 0, 0, 0, 0, 0, 0);
    *(volatile uint32_t *)lin = 0xAAAA0001;
    *(volatile uint32_t *)(lin + 4096) = 0xAAAA0002;
    r = _PageReAllocate(h, 40, PAGEZEROINIT);
    uint32_t nl = PAGE_RET_HI(r);
    CHECK(PAGE_RET_LO(r) == h && nl, "grow to 40 pages");
    CHECK(*(volatile uint32_t *)nl == 0xAAAA0001 && *(volatile uint32_t *)(nl + 4096) == 0xAAAA0002,
          "the contents follow");
    CHECK(*(volatile uint32_t *)(nl + 39 * 4096) == 0, "the new pages are zero (PAGEZEROINIT)");
    r = _PageReAllocate(h, 1, 0);
    CHECK(PAGE_RET_HI(r) == nl && *(volatile uint32_t *)nl == 0xAAAA0001, "shrink in place");
    CHECK(PAGE_RET_LO(_PageGetSizeAddr(h, 0)) == 1, "size after shrinking");
    CHECK(query_state(nl + 4096, 0, 0, 0) != MEM_COMMIT, "the tail is gone");
    _PageFree(h, 0);
    _PageFree(PAGE_RET_LO(blocker), 0);
}

static void test_kstack(void)
{
    uint32_t top = kstack_create(2);
    CHECK(top != 0, "kstack_create");
    if (!top)
        return;
    *(volatile uint32_t *)(top - 4) = 1;
    *(volatile uint32_t *)(top - 2 * 4096) = 2;
    CHECK(query_state(top - 3 * 4096, 0, 0, 0) == MEM_RESERVE, "the guard page is not committed");
    const char *d = page_describe(top - 3 * 4096);
    CHECK(d[0] == 'a' && d[2] == 'g', "the guard page is described as one");
    CHECK(_PageCommit((top >> 12) - 3, 1, PD_FIXED, 0, PC_WRITEABLE) == 0,
          "the guard page cannot be committed");
    kstack_destroy(top, 2);
    CHECK(query_state(top - 4, 0, 0, 0) == MEM_FREE, "kstack_destroy frees it");
}

/* A random trace over live blocks of both kinds, each page stamped with (block id, page). */
#define LIVE 48
static struct { uint32_t h, lin, n, id; uint8_t kind; } live[LIVE];

static int stamp_ok(int i)
{
    for (uint32_t p = 0; p < live[i].n; p++) {
        volatile uint32_t *w = (volatile uint32_t *)(live[i].lin + p * 4096);
        if (live[i].kind == 1 && !(p & 1))
            continue;                       /* reserved: odd pages only are committed */
        if (w[0] != live[i].id || w[1] != p)
            return 0;
    }
    return 1;
}

static void stamp(int i)
{
    for (uint32_t p = 0; p < live[i].n; p++) {
        if (live[i].kind == 1 && !(p & 1))
            continue;
        volatile uint32_t *w = (volatile uint32_t *)(live[i].lin + p * 4096);
        w[0] = live[i].id;
        w[1] = p;
    }
}

static void test_random_trace(uint32_t ops)
{
    uint32_t free0 = pmem.nfree, bad = 0, checks = 0, id = 1;
    struct page_stats st0, st1;
    page_stats(&st0);
    for (uint32_t op = 0; op < ops; op++) {
        int i = (int)(rnd() % LIVE);
        uint32_t k = rnd() % 8;
        if (!live[i].h) {
            uint32_t n = 1 + (k < 4 ? 0 : rnd() % 24);
            if (k & 1) {                    /* a reservation, odd pages committed */
                uint32_t where = (k & 2) ? PR_SYSTEM : (k & 4) ? PR_SHARED : PR_PRIVATE;
                uint32_t lin = _PageReserve(where, n, 0);
                if (lin == 0xFFFFFFFFu) {
                    bad++;
                    continue;
                }
                live[i].h = lin;
                live[i].lin = lin;
                live[i].kind = 1;
                for (uint32_t p = 1; p < n; p += 2)
                    if (!_PageCommit((lin >> 12) + p, 1, PD_NOINIT, 0, PC_WRITEABLE))
                        bad++;
            } else {
                uint64_t r = _PageAllocate(n, (k & 2) ? PG_PRIVATE : PG_SYS, 0, 0, 0, 0, 0, 0);
                if (!PAGE_RET_LO(r)) {
                    bad++;
                    continue;
                }
                live[i].h = PAGE_RET_LO(r);
                live[i].lin = PAGE_RET_HI(r);
                live[i].kind = 0;
            }
            live[i].n = n;
            live[i].id = id++;
            stamp(i);
        } else {
            if (!stamp_ok(i))
                bad++;
            if (live[i].kind == 0 && k < 3) {               /* resize */
                uint32_t n = 1 + rnd() % 30;
                uint64_t r = _PageReAllocate(live[i].h, n, 0);
                if (!PAGE_RET_LO(r)) {
                    bad++;
                    continue;
                }
                live[i].lin = PAGE_RET_HI(r);
                uint32_t keep = n < live[i].n ? n : live[i].n;
                for (uint32_t p = 0; p < keep; p++)
                    if (((volatile uint32_t *)(live[i].lin + p * 4096))[1] != p)
                        bad++;
                live[i].n = n;
                stamp(i);
            } else {
                if (_PageFree(live[i].h, 0) != 1)
                    bad++;
                live[i].h = 0;
            }
        }
        if (op % 256 == 255) {
            checks++;
            if (page_check())
                bad++;
        }
    }
    for (int i = 0; i < LIVE; i++)
        if (live[i].h) {
            if (!stamp_ok(i) || _PageFree(live[i].h, 0) != 1)
                bad++;
            live[i].h = 0;
        }
    page_stats(&st1);
    /* Frames still held: only descriptor pages and page tables made during the trace. */
    uint32_t held = free0 - pmem.nfree;
    uint32_t expect = (st1.desc_pages - st0.desc_pages) + (st1.page_tables - st0.page_tables);
    CHECK(bad == 0, "random trace: contents, services and page_check all agree");
    CHECK(held == expect && st1.blocks == st0.blocks, "random trace: every frame back");
    kprintf("pagetest: random trace of %u operations, %u page checks, %u errors; frames held "
            "after %u (page tables and descriptor pages made: %u)\n", ops, checks, bad, held,
            expect);
}

static void test_heap_lists(void)
{
    static void *p[600];
    struct kerr e;
    int ok = 1;
    size_t pools0 = sys_heap.pool_bytes;
    for (unsigned i = 0; i < 600; i++) {
        p[i] = _HeapAllocate(16 + rnd() % 6000, (i & 1) ? HEAPZEROINIT : 0);
        ok &= p[i] != 0;
        if (p[i])
            memset(p[i], (int)i, 16);
    }
    for (unsigned i = 0; i < 600; i += 2)
        ok &= _HeapFree(p[i], 0) == 1;
    ok &= heap_check(&sys_heap, &e) == 0;
    for (unsigned i = 1; i < 600; i += 2) {
        ok &= ((uint8_t *)p[i])[15] == (uint8_t)i;
        ok &= _HeapFree(p[i], 0) == 1;
    }
    CHECK(ok, "600 heap blocks over page-service pools");
    CHECK(heap_check(&sys_heap, &e) == 0, "heap_check after freeing them");
    CHECK(sys_heap.pool_bytes <= pools0 + (256u << 10), "pools went back to the page services");
    CHECK(_HeapFree(p[0], 0) == 0, "a double _HeapFree is refused");

    struct list l;
    CHECK(list_create(&l, LF_USE_HEAP | LF_ALLOC_ERROR, 40, &list_mem_sys, &e) == 0,
          "List_Create with LF_USE_HEAP");
    unsigned n = 0;
    for (unsigned i = 0; i < 100; i++) {
        uint32_t *node = list_allocate(&l);
        if (node && list_attach_tail(&l, node, &e) == 0) {
            node[0] = i;
            n++;
        }
    }
    unsigned seen = 0, inorder = 1;
    for (uint32_t *node = list_get_first(&l); node; node = list_get_next(&l, node))
        inorder &= node[0] == seen++;
    CHECK(n == 100 && seen == 100 && inorder, "100 heap nodes attached in order");
    list_destroy(&l);
    CHECK(heap_check(&sys_heap, &e) == 0, "heap_check after List_Destroy");
}

void pagetest_run(void)
{
    uint32_t free0 = pmem.nfree;
    kprintf("pagetest: start, %u free frames\n", free0);
    test_alloc_free();
    test_contig();
    test_refusals();
    test_commit_cycle(PR_SYSTEM, "system", 100);
    test_commit_cycle(PR_SHARED, "shared", 100);
    test_commit_cycle(PR_PRIVATE, "private", 100);
    test_fault_hooks();
    test_contexts();
    test_realloc();
    test_kstack();
    test_random_trace(6000);
    test_heap_lists();
    CHECK(page_check() == 0, "page_check at the end");
    page_print_summary();
    selftest_end(&T);
}
