/*
 * Memory benchmarks: see membench.h.  Each operation is bracketed by RDTSC; the cost of an empty
 * bracket (calibrated the same way) is subtracted, so a figure is the instructions of the call
 * itself, argument set-up included.  Traces are fixed (a seeded generator), so every run
 * measures the same operations.
 */
#include "guest/guest.h"
#include "bench/benchlib.h"
#include "console/console.h"
#include "mem/heap.h"
#include "mem/heapsvc.h"
#include "mem/list.h"
#include "mem/physmap.h"
#include "mem/pmem.h"
#include "mem/linear.h"
#include "mem/page.h"
#include "vmm/page.h"
#include "x86/x86.h"

#define HEAP_OPS   20000
#define LIST_OPS   4000
#define TRACE_OPS  4000                 /* frames' and arenas' random traces at each fill */
#define TRACE_LIVE 256
#define OWNER_FILL (FRAME_MAX_OWNERS - 1)   /* the filler frames, released together */

struct stat {
    const char *name;
    struct bench_stat b;
};

static uint32_t rng = 0x2545F491u;
static uint32_t next_rand(void)        /* xorshift32: fixed sequence */
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static uint64_t overhead;

static void add(struct stat *s, uint64_t t0, uint64_t t1)
{
    bench_add(&s->b, t1 - t0 - overhead);
}

static void report(const struct stat *s) { bench_print(s->name, &s->b); }

static void calibrate(void)
{
    overhead = bench_bracket();
    kprintf("bench: rdtsc_bracket_tsc=%llu\n", (unsigned long long)overhead);
}

/* Pages for a benchmark: contiguous frames mapped writable.  Never freed (the run ends). */
static void *bench_pages(uint32_t bytes)
{
    struct kerr e;
    uint64_t phys;
    if (frame_alloc_contig(&pmem, FRAME_PAGES, bytes >> 12, 1, 0, 0, &phys, &e)) {
        kprintf("bench: %s\n", e.msg);
        return 0;
    }
    return map_phys(phys, bytes, PM_WRITE);
}

/* Heap traces through the services, _HeapAllocate and _HeapFree on the system heap (pools of
 * _PageAllocate pages, which a trace grows and shrinks like any caller), from the heap the boot
 * left.  Each runs 2 x HEAP_OPS operations: the first half warms the heap (its pools grown to
 * the trace's working set) and is not measured, except that every allocation which had to take
 * a pool from the page services and every free which gave one back is (heap_pool_grow,
 * heap_pool_release, over all traces); the second half is measured whole.  Then what is live is
 * freed, unmeasured: each trace starts from the same heap. */
enum { T_RANDOM, T_LIFO, T_FIFO };
static const struct heap_trace {
    const char *alloc_name, *free_name;
    uint32_t lo, hi;                    /* sizes, uniform */
    uint8_t order;                      /* which live block a free takes */
} heap_traces[] = {
    { "heap_alloc_mixed", "heap_free_mixed", 16, 4096, T_RANDOM },  /* any size, any order */
    { "heap_alloc_small", "heap_free_small", 16, 256, T_RANDOM },   /* control blocks, nodes */
    { "heap_alloc_lifo", "heap_free_lifo", 16, 1024, T_LIFO },      /* temporary buffers */
    { "heap_alloc_fifo", "heap_free_fifo", 32, 512, T_FIFO },       /* queued requests */
};
#define HEAP_LIVE 4096u                 /* at most this many live: a free is forced past it */

static void bench_heap(void)
{
    static void *live[HEAP_LIVE];
    struct stat grow = { "heap_pool_grow", { 0 } }, rel = { "heap_pool_release", { 0 } };
    for (unsigned t = 0; t < sizeof heap_traces / sizeof heap_traces[0]; t++) {
        const struct heap_trace *tr = &heap_traces[t];
        struct stat a = { tr->alloc_name, { 0 } }, f = { tr->free_name, { 0 } };
        uint32_t head = 0, nlive = 0;   /* live[head .. head + nlive) (FIFO: a ring) */
        for (uint32_t op = 0; op < 2 * HEAP_OPS; op++) {
            int measured = op >= HEAP_OPS;
            uint32_t r = next_rand(), pools = sys_heap.npools;
            if (nlive < HEAP_LIVE && (nlive == 0 || (r & 1))) {
                uint32_t size = tr->lo + next_rand() % (tr->hi - tr->lo + 1);
                uint64_t t0 = rdtsc();
                void *p = _HeapAllocate(size, 0);
                uint64_t t1 = rdtsc();
                if (!p) {
                    kprintf("bench: %s: _HeapAllocate(%u) failed at op %u\n", tr->alloc_name,
                            size, op);
                    return;
                }
                if (measured)
                    add(&a, t0, t1);
                if (sys_heap.npools > pools)
                    add(&grow, t0, t1);
                live[(head + nlive++) % HEAP_LIVE] = p;
            } else {
                uint32_t k = tr->order == T_FIFO ? 0 : tr->order == T_LIFO ? nlive - 1
                           : next_rand() % nlive;
                uint32_t slot = (head + k) % HEAP_LIVE;
                void *p = live[slot];
                if (tr->order == T_FIFO)
                    head = (head + 1) % HEAP_LIVE;
                else
                    live[slot] = live[(head + nlive - 1) % HEAP_LIVE];
                nlive--;
                uint64_t t0 = rdtsc();
                uint32_t ok = _HeapFree(p, 0);
                uint64_t t1 = rdtsc();
                if (!ok) {
                    kprintf("bench: %s: _HeapFree refused op %u\n", tr->free_name, op);
                    return;
                }
                if (measured)
                    add(&f, t0, t1);
                if (sys_heap.npools < pools)
                    add(&rel, t0, t1);
            }
        }
        while (nlive) {
            _HeapFree(live[head], 0);
            head = (head + 1) % HEAP_LIVE;
            nlive--;
        }
        report(&a);
        report(&f);
    }
    struct kerr e;
    if (heap_check(&sys_heap, &e))
        kprintf("bench: %s\n", e.msg);
    report(&grow);
    report(&rel);
}

static void *list_mem_alloc(void *ctx, size_t bytes) { (void)bytes; return bench_pages((uint32_t)(uintptr_t)ctx); }
static void list_mem_free(void *ctx, void *p, size_t bytes) { (void)ctx; (void)p; (void)bytes; }

static void bench_list(void)
{
    static void *nodes[LIST_OPS];
    struct list l;
    struct list_mem mem = { list_mem_alloc, list_mem_free, (void *)(uintptr_t)4096 };
    struct stat a = { "list_allocate", { 0 } }, d = { "list_deallocate", { 0 } };
    struct kerr e;

    if (list_create(&l, LF_ALLOC_ERROR, 24, &mem, &e)) {
        kprintf("bench: %s\n", e.msg);
        return;
    }
    /* Warm: the first chunks come from the page source, which is not what is measured. */
    for (uint32_t i = 0; i < LIST_OPS; i++)
        nodes[i] = list_allocate(&l);
    for (uint32_t i = 0; i < LIST_OPS; i++)
        list_deallocate(&l, nodes[i], &e);
    for (uint32_t round = 0; round < 4; round++) {
        for (uint32_t i = 0; i < LIST_OPS; i++) {
            uint64_t t0 = rdtsc();
            nodes[i] = list_allocate(&l);
            uint64_t t1 = rdtsc();
            add(&a, t0, t1);
        }
        for (uint32_t i = 0; i < LIST_OPS; i++) {
            uint64_t t0 = rdtsc();
            list_deallocate(&l, nodes[i], &e);
            uint64_t t1 = rdtsc();
            add(&d, t0, t1);
        }
    }
    report(&a);
    report(&d);
}

/* One frame allocated and freed with the free list at a given fill level. */
/* A random trace at a fill level: an allocation or a free of a random live item, even odds, at
 * most TRACE_LIVE live; what is live at the end freed, unmeasured.  take and give bracket the
 * operation itself (t[0], t[1]); take returns nonzero when nothing is left to allocate. */
static void random_trace(struct stat *a, struct stat *f, int (*take)(uint64_t *v, uint64_t t[2]),
                         void (*give)(uint64_t v, uint64_t t[2]))
{
    static uint64_t live[TRACE_LIVE];
    uint32_t nlive = 0;
    uint64_t t[2];
    for (int i = 0; i < TRACE_OPS; i++) {
        if (nlive < TRACE_LIVE && (nlive == 0 || (next_rand() & 1))) {
            if (take(&live[nlive], t))
                break;
            add(a, t[0], t[1]);
            nlive++;
        } else {
            uint32_t j = next_rand() % nlive;
            uint64_t v = live[j];
            live[j] = live[--nlive];
            give(v, t);
            add(f, t[0], t[1]);
        }
    }
    while (nlive)
        give(live[--nlive], t);
}

static int frame_take(uint64_t *v, uint64_t t[2])
{
    t[0] = rdtsc();
    int rc = frame_alloc(&pmem, FRAME_PAGES, v);
    t[1] = rdtsc();
    return rc;
}

static void frame_give(uint64_t v, uint64_t t[2])
{
    struct kerr e;
    t[0] = rdtsc();
    int rc = frame_free(&pmem, v, &e);
    t[1] = rdtsc();
    if (rc)
        kprintf("bench: %s\n", e.msg);
}

static int arena_take(uint64_t *v, uint64_t t[2])
{
    uint32_t p;
    t[0] = rdtsc();
    int rc = arena_alloc(&sys_arena, 1, 1, &p);
    t[1] = rdtsc();
    *v = p;
    return rc;
}

static void arena_give(uint64_t v, uint64_t t[2])
{
    struct kerr e;
    t[0] = rdtsc();
    int rc = arena_free(&sys_arena, (uint32_t)v, 1, &e);
    t[1] = rdtsc();
    if (rc)
        kprintf("bench: %s\n", e.msg);
}

static void bench_frames(void)
{
    static const unsigned fills[3] = { 10, 50, 95 };
    static char names[3][2][24];
    uint32_t total = pmem.nframes;

    for (unsigned k = 0; k < 3; k++) {
        struct stat a = { names[k][0], { 0 } }, f = { names[k][1], { 0 } };
        uint64_t phys;
        ksnprintf(names[k][0], sizeof names[k][0], "frame_alloc_%u%%", fills[k]);
        ksnprintf(names[k][1], sizeof names[k][1], "frame_free_%u%%", fills[k]);
        /* Fill to the level with frames of a private owner, released together afterwards. */
        uint32_t want = (uint32_t)((uint64_t)total * fills[k] / 100);
        uint32_t used = total - pmem.nfree, took = 0;
        while (used + took < want && !frame_alloc(&pmem, OWNER_FILL, &phys))
            took++;
        random_trace(&a, &f, frame_take, frame_give);
        report(&a);
        report(&f);
        frame_release_owner(&pmem, OWNER_FILL);
    }
}

/* One page reserved and released in the system arena at a fill level, after fragmenting it:
 * chunks of 1..16 pages up to the level, then every third chunk released. */
static void bench_arena(void)
{
    static const unsigned fills[3] = { 10, 50, 95 };
    static char names[3][2][24];
    struct arena *a = &sys_arena;
    uint32_t (*chunk)[2] = bench_pages(64 * 4096);      /* page, count: 32768 chunks */
    struct kerr e;

    if (!chunk)
        return;
    for (unsigned k = 0; k < 3; k++) {
        struct stat r = { names[k][0], { 0 } }, f = { names[k][1], { 0 } };
        ksnprintf(names[k][0], sizeof names[k][0], "arena_reserve_%u%%", fills[k]);
        ksnprintf(names[k][1], sizeof names[k][1], "arena_release_%u%%", fills[k]);
        uint32_t free0 = a->free_pages;
        uint32_t want = (uint32_t)((uint64_t)free0 * fills[k] / 100), used = 0, n = 0;
        while (used < want && n < 32768) {
            uint32_t c = 1 + next_rand() % 16, p;
            if (arena_alloc(a, c, 1, &p))
                break;
            chunk[n][0] = p;
            chunk[n++][1] = c;
            used += c;
        }
        for (uint32_t i = 0; i < n; i += 3)
            arena_free(a, chunk[i][0], chunk[i][1], &e);
        random_trace(&r, &f, arena_take, arena_give);
        report(&r);
        report(&f);
        for (uint32_t i = 0; i < n; i++)
            if (i % 3)
                arena_free(a, chunk[i][0], chunk[i][1], &e);
        if (arena_check(a, &e) || a->free_pages != free0)
            kprintf("bench: arena not whole again after the %u %% round: %s\n", fills[k], e.msg);
    }
}

/* _PageAllocate/_PageFree of PG_SYS blocks of `pages` pages with RAM filled to a level by 16-page
 * PG_PRIVATE blocks (every third freed again, so free frames are scattered): a random trace of
 * allocations and frees with at most `window` blocks live. */
static void bench_page_services(void)
{
    static const unsigned fills[3] = { 10, 50, 95 }, sizes[2] = { 1, 16 };
    static char names[3][2][2][24];
    uint32_t *fill = bench_pages(64 * 4096);            /* 65536 handles */
    uint32_t live[64];

    if (!fill)
        return;
    for (unsigned k = 0; k < 3; k++) {
        uint32_t total = pmem.nframes, n = 0;
        uint32_t want = (uint32_t)((uint64_t)total * fills[k] / 100);
        while (total - pmem.nfree < want && n < 65536) {
            uint64_t r = _PageAllocate(16, PG_PRIVATE, 0, 0, 0, 0, 0, 0);
            if (!PAGE_RET_LO(r))
                break;
            fill[n++] = PAGE_RET_LO(r);
        }
        for (uint32_t i = 0; i < n; i += 3) {
            _PageFree(fill[i], 0);
            fill[i] = 0;
        }
        while (total - pmem.nfree < want && n < 65536) {     /* back up to the level */
            uint64_t r = _PageAllocate(16, PG_PRIVATE, 0, 0, 0, 0, 0, 0);
            if (!PAGE_RET_LO(r))
                break;
            fill[n++] = PAGE_RET_LO(r);
        }
        kprintf("bench: page services at %u %% fill: %u of %u frames in use\n", fills[k],
                total - pmem.nfree, total);
        for (unsigned z = 0; z < 2; z++) {
            char (*nm)[24] = names[k][z];
            ksnprintf(nm[0], 24, "page_alloc_%u_%u%%", sizes[z], fills[k]);
            ksnprintf(nm[1], 24, "page_free_%u_%u%%", sizes[z], fills[k]);
            struct stat a = { nm[0], { 0 } }, f = { nm[1], { 0 } };
            uint32_t nlive = 0, window = sizes[z] == 1 ? 64 : 16;
            for (uint32_t op = 0; op < 4000; op++) {
                uint32_t r = next_rand();
                if (nlive == 0 || (nlive < window && (r & 1))) {
                    uint64_t t0 = rdtsc();
                    uint64_t h = _PageAllocate(sizes[z], PG_SYS, 0, 0, 0, 0, 0, 0);
                    uint64_t t1 = rdtsc();
                    if (!PAGE_RET_LO(h)) {
                        kprintf("bench: _PageAllocate(%u) failed at op %u\n", sizes[z], op);
                        break;
                    }
                    add(&a, t0, t1);
                    live[nlive++] = PAGE_RET_LO(h);
                } else {
                    uint32_t i = next_rand() % nlive, h = live[i];
                    live[i] = live[--nlive];
                    uint64_t t0 = rdtsc();
                    uint32_t ok = _PageFree(h, 0);
                    uint64_t t1 = rdtsc();
                    if (!ok)
                        break;
                    add(&f, t0, t1);
                }
            }
            while (nlive)
                _PageFree(live[--nlive], 0);
            report(&a);
            report(&f);
        }
        for (uint32_t i = 0; i < n; i++)
            if (fill[i])
                _PageFree(fill[i], 0);
    }
    if (page_check())
        kprintf("bench: page_check failed after the page-service benchmark\n");
}

/* page_alloc_burst_N / page_free_burst_N: one-page _PageAllocate of N blocks in a row (N live at
 * the end), then _PageFree of them all in the order made, N = 1, 64, 256, 4096; at least 4,096
 * of each call measured.  Past 64 live blocks the one-page cache runs dry: the arena's path. */
static void bench_page_bursts(void)
{
    static const unsigned bursts[4] = { 1, 64, 256, 4096 };
    static uint32_t h[4096];
    static char names[4][2][28];
    for (unsigned k = 0; k < 4; k++) {
        ksnprintf(names[k][0], 28, "page_alloc_burst_%u", bursts[k]);
        ksnprintf(names[k][1], 28, "page_free_burst_%u", bursts[k]);
        struct stat a = { names[k][0], { 0 } }, f = { names[k][1], { 0 } };
        unsigned rounds = bursts[k] < 4096 ? 4096 / bursts[k] : 2;
        for (unsigned round = 0; round < rounds; round++) {
            unsigned n = 0;
            for (; n < bursts[k]; n++) {
                uint64_t t0 = rdtsc();
                uint64_t r = _PageAllocate(1, PG_SYS, 0, 0, 0, 0, 0, 0);
                uint64_t t1 = rdtsc();
                if (!(h[n] = PAGE_RET_LO(r)))
                    break;
                add(&a, t0, t1);
            }
            for (unsigned i = 0; i < n; i++) {
                uint64_t t0 = rdtsc();
                _PageFree(h[i], 0);
                uint64_t t1 = rdtsc();
                add(&f, t0, t1);
            }
        }
        report(&a);
        report(&f);
    }
}

/* demand_fault: a write to a reserved page of the system arena that is not committed, to the
 * instruction's restart -- the #PF, the fault path, a Hook_Invalid_Page_Fault handler committing
 * the page (zero-filled: a 4 KB clear) and the IRET -- one page at a time, 256 pages. */
static uint32_t demand_lo, demand_n;
static int demand_commit(struct ipf_data *ipf, struct client_regs *r)
{
    (void)r;
    if (ipf->IPF_MapPageNum - demand_lo >= demand_n)
        return 1;
    return _PageCommit(ipf->IPF_MapPageNum, 1, PD_ZEROINIT, 0, PC_WRITEABLE) ? 0 : 1;
}

static void bench_demand_fault(void)
{
    struct stat s = { "demand_fault", { 0 } };
    demand_n = 256;
    uint32_t lin = _PageReserve(PR_SYSTEM, demand_n, 0);
    if (lin == 0xFFFFFFFFu || !Hook_Invalid_Page_Fault(demand_commit)) {
        kprintf("bench: demand_fault: no reserve or no hook\n");
        return;
    }
    demand_lo = lin >> 12;
    for (uint32_t i = 0; i < demand_n; i++) {
        volatile uint32_t *p = (volatile uint32_t *)(lin + i * 4096);
        uint64_t t0 = rdtsc();
        *p = i;                         /* faults, the hook commits, the write is done again */
        uint64_t t1 = rdtsc();
        add(&s, t0, t1);
    }
    Unhook_Invalid_Page_Fault(demand_commit);
    _PageFree(lin, 0);
    report(&s);
}

void membench_run(void)
{
    kprintf("bench: memory benchmarks (heap traces of 2 x %u ops)\n", HEAP_OPS);
    calibrate();
    bench_heap();
    bench_list();
    bench_arena();
    bench_frames();
    bench_page_services();
    bench_page_bursts();
    bench_demand_fault();
}
