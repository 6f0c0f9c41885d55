/*
 * Page services and memory contexts: see include/vmm/page.h (the services) and mem/page.h (the
 * entry encodings and the VMM-internal side).
 *
 *   0xFFFFFFFF +------------------+  self-map: pte[page] and pde[page >> 9] below are windows here
 *   0xF0000000 | physical windows |  _MapPhysToLinear
 *   0xC0400000 | system arena     |  PG_SYS, PG_VM, PR_SYSTEM; page tables exist from boot
 *   0xC0000000 | VMM image        |
 *   0x80000000 | shared arena     |  PR_SHARED; PD2, common to every context
 *   0x00400000 | private arena    |  PG_PRIVATE, PR_PRIVATE; PD0/PD1, one pair per context
 *   0x00000000 | V86 region       |  the current VM's (a later issue)
 *
 * Bookkeeping: which pages are free is the arenas' (mem/arena.h, tags in the PTEs); what a page
 * is once handed out is its PTE (mem/page.h); who asked for it is a block descriptor, the
 * memory handle, found by pointer (checked: it must lie in a descriptor page and carry a check
 * word made from its own address) or, for a reserved range, by its first page through a hash.
 * Page tables of the private and shared arenas are made on demand: the arenas write their tags
 * through the PTE window, and a not-present window page faults into page_fault, which makes the
 * page table.  Every call that can reach that fault first checks that enough frames are free.
 *
 * Fast path: a one-page _PageAllocate/_PageFree in the system arena reuses linear pages from a
 * small cache (no arena call), so it costs a descriptor, a frame and a PTE.
 */
#include "int/fault.h"
#include "mem/page.h"
#include "mem/arena.h"
#include "mem/linear.h"
#include "mem/physmap.h"
#include "mem/pmem.h"
#include "boot/layout.h"
#include "console/console.h"
#include "lib/string.h"
#include "x86/trap.h"
#include "x86/x86.h"
#include "vmm.h"
#include "mem/nonreentrant.h"

#define AR_PRIVATE  0
#define AR_SHARED   1
#define AR_SYSTEM   2
#define AR_NONE     3

#define BLK_ALLOC   1               /* from _PageAllocate: every page committed, SW_ALLOC */
#define BLK_RESERVE 2               /* from _PageReserve */
#define BLK_CONTIG  0x1             /* flags: physically contiguous (PAGEUSEALIGN) */

#define BLK_MAGIC   0x50474B42u     /* "PGKB" ^ the descriptor's address */
#define OWN_MAGIC   0x50474F57u     /* "PGOW" ^ the slot's address: an owner's record */
#define SLAB_MAGIC  0x534C4142u     /* "SLAB" ^ the page's address, in slot 0 */
#define CTX_MAGIC   0x43545858u
#define CTX_DYING   0x43545844u     /* being destroyed: no longer a context to the services */

#define HASH_BITS   10
#define OWN_BITS    8               /* the owners' hash */
#define LCACHE_MAX  4096            /* one-page linear cache: 16 MB of system linear space, */
#define LCACHE_BOOT 4096            /* filled at boot (linear space only: no frame), so that */
#define LCACHE_FILL 8               /* bursts of one-page blocks never reach the arena; pages
                                       reserved at once when it runs dry */
#define PT_MARGIN   8               /* frames kept for page tables an arena call may make */

#define PAGE_PRIV_FIRST (PRIVATE_BASE >> 12)
#define PAGE_SHARED_FIRST (SHARED_BASE >> 12)
#define PAGE_SYSTEM_FIRST (SYSTEM_BASE >> 12)
#define PAGE_SYSARENA_FIRST (SYSARENA_BASE >> 12)
#define PAGE_SYSARENA_END (PHYSMAP_BASE >> 12)

struct pg_owner;
struct pg_block {
    uint32_t magic;
    uint32_t base, npages;                  /* linear pages */
    uint8_t kind, arena;
    uint16_t flags;
    struct pg_block *next, **pprev;         /* hash chain by base page (O(1) unlink) */
    uint32_t owner;                         /* the VM of PG_VM; the context of a private block */
    uint32_t caller;                        /* who allocated or reserved it (a VxD's code?) */
    struct pg_owner *orec;                  /* owner's record (0: owner 0, nobody's) */
    struct pg_block *onext, **opprev;       /* the ring of the owner's blocks (O(1) unlink) */
    uint32_t pad[5];                        /* to the slot's 64 bytes (a handle is 64-aligned) */
};
_Static_assert(sizeof(struct pg_block) == 64, "descriptor slots of 64 bytes");

/* An owner's record, in a descriptor slot of its own: its blocks, so that freeing them all (a VM
 * destroyed, a context) takes O(its blocks), not a walk of every block in the system.  Made with
 * the owner's first block, given back with its last. */
struct pg_owner {
    uint32_t magic;                         /* OWN_MAGIC ^ its address: never a block's */
    uint32_t owner;
    struct pg_block *first;                 /* its blocks, newest first */
    struct pg_owner *next, **pprev;         /* the owners' hash chain */
    uint32_t n;                             /* its blocks */
};
_Static_assert(sizeof(struct pg_owner) <= sizeof(struct pg_block), "an owner fits a slot");

struct mem_context {
    uint32_t magic;
    uint64_t pd[2];                         /* PD0 (0-1 GB) and PD1 (1-2 GB): physical */
    struct arena arena;                     /* the private arena, valid while current */
    struct mem_context *next;
};

static volatile uint64_t *const pte = (volatile uint64_t *)PTE_WINDOW;
static volatile uint32_t *const pte32 = (volatile uint32_t *)PTE_WINDOW;
static volatile uint64_t *const pde = (volatile uint64_t *)PDE_WINDOW;
static volatile uint64_t *pdpt;
static uint64_t nx;

static struct arena shared_arena;
static struct mem_context boot_ctx, *cur_ctx = &boot_ctx, *all_ctx = &boot_ctx;
static struct pg_block *htab[1u << HASH_BITS];
static struct pg_owner *otab[1u << OWN_BITS];
static struct pg_block *free_desc;
static uint32_t lcache[LCACHE_MAX], nlcache;

static uint32_t desc_pages, nblocks, nowners, npt, scratch_page, alias_page;
static ipf_handler ipf_hooks[16];
static int windows_ok;                  /* page_windows: interrupts may come in at safe points */
static unsigned nipf;

/* n more pages in the one-page cache, in one arena call; 0 or -1 (none taken). */
NONREENTRANT static int lcache_fill(uint32_t n)
{
    uint32_t p;
    if (n > LCACHE_MAX - nlcache || arena_alloc(&sys_arena, n, 1, &p))
        return -1;
    for (uint32_t i = n; i-- > 0;) {
        pte32[2 * (p + i)] = ARENA_RESERVED | PTE_SW_CACHED;
        lcache[nlcache++] = p + i;
    }
    return 0;
}

/* The cache back to the arena, for a range the arena could not find otherwise. */
NONREENTRANT static void lcache_drain(void)
{
    struct kerr e;
    while (nlcache) {
        uint32_t page = lcache[--nlcache];
        pte32[2 * page] = 0;
        if (arena_free(&sys_arena, page, 1, &e))
            kprintf("page: %s (internal error; page leaked)\n", e.msg);
    }
}

/* ---- small helpers ---------------------------------------------------------------------- */

NONREENTRANT static unsigned arena_id(uint32_t page)
{
    if (page >= PAGE_SYSARENA_FIRST && page < PAGE_SYSARENA_END)
        return AR_SYSTEM;
    if (page >= PAGE_SHARED_FIRST && page < PAGE_SYSTEM_FIRST)
        return AR_SHARED;
    if (page >= PAGE_PRIV_FIRST && page < PAGE_SHARED_FIRST)
        return AR_PRIVATE;
    return AR_NONE;
}

NONREENTRANT static struct arena *arena_of(unsigned ar)
{
    return ar == AR_SYSTEM ? &sys_arena : ar == AR_SHARED ? &shared_arena : &cur_ctx->arena;
}

/* Is the page table of page present?  (Always, in the system region.) */
NONREENTRANT static int pt_present(uint32_t page) { return (pde[page >> 9] & PTE_P) != 0; }

/* The entry of page, or 0 when its page table does not exist (no fault, no page table made). */
NONREENTRANT static uint64_t pte_get(uint32_t page) { return pt_present(page) ? pte[page] : 0; }

/* not present -> present: the high half (NX, frame bits 32+) first, P last */
NONREENTRANT static inline void pte_map(uint32_t page, uint64_t v)
{
    pte32[2 * page + 1] = (uint32_t)(v >> 32);
    pte32[2 * page] = (uint32_t)v;
}

/* -> not present: P goes first; then the TLB entry */
NONREENTRANT static inline void pte_unmap(uint32_t page, uint32_t v)
{
    pte32[2 * page] = v;
    pte32[2 * page + 1] = 0;
    invlpg(page << 12);
}

NONREENTRANT static inline int is_reserved(uint64_t v) { return (v & 0x1F) == ARENA_RESERVED; }

NONREENTRANT static uint32_t hslot(uint32_t base) { return (base * 0x9E3779B1u) >> (32 - HASH_BITS); }

NONREENTRANT static inline void hash_insert(struct pg_block *b)
{
    struct pg_block **head = &htab[hslot(b->base)];
    b->next = *head;
    if (*head)
        (*head)->pprev = &b->next;
    b->pprev = head;
    *head = b;
}

NONREENTRANT static inline void hash_remove(struct pg_block *b)
{
    *b->pprev = b->next;
    if (b->next)
        b->next->pprev = b->pprev;
}

NONREENTRANT static struct pg_block *hash_find(uint32_t base)
{
    for (struct pg_block *b = htab[hslot(base)]; b; b = b->next)
        if (b->base == base && (b->arena != AR_PRIVATE || b->owner == (uint32_t)cur_ctx))
            return b;
    return 0;
}

/* A safe point of a long teardown (Destroy_VM's, page_windows): a pending interrupt is taken
 * here, if the caller allowed it.  The flag is down meanwhile, so that whatever runs in the
 * window (a handler, another thread) never opens windows of its own on its strength; a thread
 * preempted here finds it up again when it resumes. */
NONREENTRANT static void window(void)
{
    if (windows_ok) {
        windows_ok = 0;
        irq_window();
        windows_ok = 1;
    }
}

NONREENTRANT void page_windows(int on)
{
    windows_ok = on;
    window();                           /* the first: what came before is the caller's */
}

/* Every live block, in hash order (for queries, checks and context teardown: not fast paths). */
#define FOR_EACH_BLOCK(b, i, nxt)                                                            \
    for (unsigned i = 0; i < (1u << HASH_BITS); i++)                                         \
        for (struct pg_block *b = htab[i], *nxt; b && (nxt = b->next, 1); b = nxt)

/* ---- page tables, scratch mappings, descriptors ------------------------------------------- */

NONREENTRANT static void zero_frame(uint64_t phys)
{
    pte_map(scratch_page, phys | PTE_P | PTE_W | nx);
    memset((void *)(scratch_page << 12), 0, PAGE_SIZE);
    pte_unmap(scratch_page, ARENA_RESERVED);
}

/* Makes the page table of PDE index pdi (a page of linear space >> 9): zeroed, user-accessible
 * below the system region (the PTEs decide), supervisor above. */
NONREENTRANT static int pt_create(uint32_t pdi)
{
    uint64_t phys;
    if (frame_alloc(&pmem, FRAME_PAGETABLE, &phys))
        return -1;
    zero_frame(phys);
    uint64_t v = phys | PTE_P | PTE_W | (pdi < (SYSTEM_BASE >> 21) ? PTE_U : 0);
    pde[pdi] = v;
    invlpg(PTE_WINDOW + (pdi << 12));
    npt++;
    return 0;
}

/* One more page of descriptors: slot 0 marks the page, slots 1..127 go on the free list. */
NONREENTRANT static int desc_refill(void)
{
    uint32_t p;
    uint64_t phys;
    if (arena_alloc(&sys_arena, 1, 1, &p))
        return -1;
    if (frame_alloc(&pmem, FRAME_PAGES, &phys)) {
        struct kerr e;
        arena_free(&sys_arena, p, 1, &e);
        return -1;
    }
    pte_map(p, phys | PTE_P | PTE_W | PTE_SW_ALLOC | nx);
    struct pg_block *s = (struct pg_block *)(p << 12);
    s[0].magic = SLAB_MAGIC ^ (uint32_t)s;
    for (unsigned i = PAGE_SIZE / sizeof *s; i-- > 1;) {    /* a free slot's magic is 0, */
        s[i].magic = 0;                                     /* and its orec (the frame is */
        s[i].orec = 0;                                      /* not zeroed): own_unlink keeps
                                                               it so, an owner's record never
                                                               reaches it, and a block of owner
                                                               0 is made without own_link */
        s[i].next = free_desc;
        free_desc = &s[i];
    }
    desc_pages++;
    return 0;
}

NONREENTRANT static struct pg_block *desc_get(void)
{
    if (__builtin_expect(!free_desc, 0) && desc_refill())
        return 0;
    struct pg_block *b = free_desc;
    free_desc = b->next;
    return b;
}

NONREENTRANT static inline void desc_put(struct pg_block *b)
{
    b->magic = 0;
    b->kind = 0;
    b->next = free_desc;
    free_desc = b;
}

/* ---- owners ----------------------------------------------------------------------------- */

NONREENTRANT static inline uint32_t oslot(uint32_t owner) { return (owner * 0x9E3779B1u) >> (32 - OWN_BITS); }

NONREENTRANT static struct pg_owner *owner_find(uint32_t owner)
{
    for (struct pg_owner *o = otab[oslot(owner)]; o; o = o->next)
        if (o->owner == owner)
            return o;
    return 0;
}

/* b joins its owner's ring (b->owner set; owner 0 is nobody: no ring); -1 if the owner's record
 * could not be made (no descriptor page), b untouched. */
NONREENTRANT static int own_link(struct pg_block *b)
{
    if (!b->owner)
        return 0;
    struct pg_owner *o = owner_find(b->owner);
    if (!o) {
        if (!(o = (struct pg_owner *)desc_get()))
            return -1;
        o->magic = OWN_MAGIC ^ (uint32_t)o;
        o->owner = b->owner;
        o->first = 0;
        o->n = 0;
        struct pg_owner **head = &otab[oslot(b->owner)];
        o->next = *head;
        if (*head)
            (*head)->pprev = &o->next;
        o->pprev = head;
        *head = o;
        nowners++;
    }
    b->orec = o;
    b->onext = o->first;
    if (o->first)
        o->first->opprev = &b->onext;
    b->opprev = &o->first;
    o->first = b;
    o->n++;
    return 0;
}

/* b leaves its owner's ring; the record goes with the owner's last block. */
NONREENTRANT static inline void own_unlink(struct pg_block *b)
{
    struct pg_owner *o = b->orec;
    if (!o)
        return;
    *b->opprev = b->onext;
    if (b->onext)
        b->onext->opprev = b->opprev;
    b->orec = 0;
    if (--o->n)
        return;
    *o->pprev = o->next;
    if (o->next)
        o->next->pprev = o->pprev;
    nowners--;
    desc_put((struct pg_block *)o);
}

/* The live block behind handle h, or 0 (never faults: the page is checked before it is read). */
NONREENTRANT static inline struct pg_block *block_of(uint32_t h)
{
    if ((h & (sizeof(struct pg_block) - 1)) || !(h & 0xFFF) || arena_id(h >> 12) != AR_SYSTEM ||
        !(pte[h >> 12] & PTE_P))
        return 0;
    const struct pg_block *slab = (const struct pg_block *)(h & ~0xFFFu);
    struct pg_block *b = (struct pg_block *)h;
    if (slab->magic != (SLAB_MAGIC ^ (uint32_t)slab) || b->magic != (BLK_MAGIC ^ h))
        return 0;
    if (b->arena == AR_PRIVATE && b->owner != (uint32_t)cur_ctx)
        return 0;                   /* another context's: not reachable from here */
    return b;
}

/* ---- linear ranges ------------------------------------------------------------------------ */

/* Frames an arena call on n pages may need for page tables it makes through the window. */
NONREENTRANT static int pt_room(unsigned ar, uint32_t n)
{
    return ar == AR_SYSTEM || pmem.nfree >= n / 512 + PT_MARGIN;
}

NONREENTRANT static int lin_reserve(unsigned ar, uint32_t n, uint32_t align, uint32_t *page)
{
    if (ar == AR_SYSTEM && n == 1) {
        if (!nlcache)
            lcache_fill(LCACHE_FILL);           /* one arena call for eight pages */
        if (nlcache) {
            *page = lcache[--nlcache];
            return 0;
        }
    }
    if (!pt_room(ar, n))
        return -1;
    if (arena_alloc(arena_of(ar), n, align, page) == 0)
        return 0;
    if (ar != AR_SYSTEM || !nlcache)
        return -1;
    lcache_drain();                             /* its pages may be what the range lacks */
    return arena_alloc(&sys_arena, n, align, page);
}

/* Gives back [page, page + n), whose entries are not present: cleared to 0 (only reserved
 * entries may stay inside an extent the arena hands out again), then merged. */
NONREENTRANT static void lin_release(unsigned ar, uint32_t page, uint32_t n)
{
    struct kerr e;
    if (ar == AR_SYSTEM && n == 1 && nlcache < LCACHE_MAX) {
        pte32[2 * page] = ARENA_RESERVED | PTE_SW_CACHED;
        lcache[nlcache++] = page;
        return;
    }
    for (uint32_t i = 0; i < n; i++)
        pte32[2 * (page + i)] = 0;
    if (arena_free(arena_of(ar), page, n, &e))
        kprintf("page: %s (internal error; range leaked)\n", e.msg);
}

/* Unmaps the present pages of [page, page + n), freeing the frames that are ours; each entry
 * becomes v.  Locked frames are unlocked first (their owner is going away). */
NONREENTRANT static void unmap_pages(uint32_t page, uint32_t n, uint32_t v)
{
    struct kerr e;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t x = pte[page + i];
        if (!(x & PTE_P)) {
            pte32[2 * (page + i)] = v;
            continue;
        }
        pte_unmap(page + i, v);
        if (x & PTE_SW_PHYS)
            continue;
        uint64_t phys = x & PTE_ADDR_MASK;
        if (__builtin_expect(pmem.nlocked != 0, 0))
            while (!frame_unlock(&pmem, phys, &e))
                ;
        if (frame_free(&pmem, phys, &e))
            kprintf("page: %s (internal error)\n", e.msg);
    }
}

/* b's descriptor gone: out of the hash and its owner's ring, back to the free slots (what it
 * mapped is the caller's to undo). */
NONREENTRANT static inline void forget_block(struct pg_block *b)
{
    hash_remove(b);
    own_unlink(b);
    desc_put(b);
    nblocks--;
}

NONREENTRANT static void free_block(struct pg_block *b)
{
    uint32_t base = b->base, n = b->npages;
    unsigned ar = b->arena;
    forget_block(b);                        /* first: nobody finds it in a window */
    for (uint32_t i = 0; i < n; i += 16) {
        unmap_pages(base + i, n - i < 16 ? n - i : 16, 0);
        window();
    }
    lin_release(ar, base, n);
}

/* A descriptor for a new block, in the hash; caller: who asked for it (an unloaded VxD's blocks
 * are found by it: page_free_owned). */
NONREENTRANT static inline void block_fill(struct pg_block *b, unsigned kind, unsigned ar,
                                           uint32_t base, uint32_t n, uint32_t caller)
{
    b->magic = BLK_MAGIC ^ (uint32_t)b;
    b->base = base;
    b->npages = n;
    b->kind = (uint8_t)kind;
    b->arena = (uint8_t)ar;
    b->flags = 0;
    b->caller = caller;
    hash_insert(b);
    nblocks++;
}

NONREENTRANT static struct pg_block *new_block(unsigned kind, unsigned ar, uint32_t base, uint32_t n,
                                               uint32_t owner, uint32_t caller)
{
    struct pg_block *b = desc_get();
    if (!b)
        return 0;
    b->owner = ar == AR_PRIVATE ? (uint32_t)cur_ctx : owner;
    if (__builtin_expect(own_link(b), 0)) {
        desc_put(b);
        return 0;
    }
    block_fill(b, kind, ar, base, n, caller);
    return b;
}

/* Maps n fresh frames at page (entries not present) with flags; 0, or -1 with nothing mapped. */
NONREENTRANT static int map_frames(uint32_t page, uint32_t n, uint64_t flags)
{
    for (uint32_t i = 0; i < n; i++) {
        uint64_t phys;
        if (frame_alloc(&pmem, FRAME_PAGES, &phys)) {
            unmap_pages(page, i, ARENA_RESERVED);
            return -1;
        }
        pte_map(page + i, phys | flags);
        if ((i & 31) == 31)
            window();                       /* the range is reserved: nobody else takes it */
    }
    return 0;
}

/* PAGEZEROINIT of a new block's n pages, 8 at a time, a window in between (its handle is not
 * out yet: nobody reads them meanwhile). */
NONREENTRANT static void zero_pages(uint32_t page, uint32_t n)
{
    for (uint32_t i = 0; i < n; i += 8) {
        memset((void *)((page + i) << 12), 0, (n - i < 8 ? n - i : 8) << 12);
        window();
    }
}

/* Every service runs with interrupts off (INTS_OFF, x86/x86.h): neither another thread nor an
 * interrupt handler can enter the page services half-way (include/vmm/page.h). */

/* ---- _PageAllocate, _PageReAllocate, _PageFree, _PageGetSizeAddr --------------------------- */

NONREENTRANT uint64_t
_PageAllocate(uint32_t npages, uint32_t type, uint32_t vm, uint32_t align_mask,
                       uint32_t min_phys, uint32_t max_phys, uint32_t *phys_addr, uint32_t flags)
{
    INTS_OFF();
    unsigned ar;
    uint32_t page;
    uint64_t pflags = PTE_P | PTE_W | PTE_SW_ALLOC | nx;

    /* Fast path: one system page, a cached linear page, a spare descriptor, a free frame. */
    if (npages == 1 && type <= PG_SYS && !(flags & (PAGEUSEALIGN | PAGEMAPGLOBAL)) && nlcache &&
        free_desc) {
        uint64_t phys;
        if (frame_alloc_fast(&pmem, FRAME_PAGES, &phys))
            return 0;
        struct pg_block *b = free_desc;
        free_desc = b->next;
        b->owner = vm;
        if (vm && own_link(b)) {            /* no descriptor for the owner's record */
            struct kerr e;
            desc_put(b);
            frame_free(&pmem, phys, &e);
            return 0;
        }
        page = lcache[--nlcache];
        pte_map(page, phys | pflags);
        block_fill(b, BLK_ALLOC, AR_SYSTEM, page, 1, CALLER);
        if (flags & PAGEZEROINIT)
            memset((void *)(page << 12), 0, PAGE_SIZE);
        return ((uint64_t)(page << 12) << 32) | (uint32_t)b;
    }

    if (type == PG_SYS || type == PG_VM)
        ar = AR_SYSTEM;
    else if (type == PG_PRIVATE && !(flags & PAGEMAPGLOBAL)) {
        ar = AR_PRIVATE;
        pflags |= PTE_U;
    } else
        return refused("_PageAllocate", CALLER, "%s %08x", "page type (or PAGEMAPGLOBAL with it)", type);
    if (npages == 0 || npages > arena_of(ar)->npages || npages > pmem.nfree)
        return 0;

    if (__builtin_expect(flags & PAGEUSEALIGN, 0)) {
        struct kerr e;
        uint64_t phys;
        if (!(flags & PAGEFIXED) || (align_mask & (align_mask + 1)) || min_phys > max_phys)
            return refused("_PageAllocate", CALLER, "%s %08x", "PAGEUSEALIGN without PAGEFIXED, or a bad "
                            "AlignMask/minPhys/maxPhys; AlignMask", align_mask);
        if (lin_reserve(ar, npages, 1, &page))
            return 0;
        if (frame_alloc_contig(&pmem, FRAME_PAGES, npages, align_mask + 1, (uint64_t)min_phys << 12,
                               ((uint64_t)max_phys + 1) << 12, &phys, &e)) {
            lin_release(ar, page, npages);
            return 0;
        }
        for (uint32_t i = 0; i < npages; i++)
            pte_map(page + i, (phys + ((uint64_t)i << 12)) | pflags);
        if (phys_addr)
            *phys_addr = (uint32_t)phys;
        struct pg_block *b = new_block(BLK_ALLOC, ar, page, npages, vm, CALLER);
        if (!b) {
            unmap_pages(page, npages, 0);
            lin_release(ar, page, npages);
            return 0;
        }
        b->flags = BLK_CONTIG;
        if (flags & PAGEZEROINIT)
            zero_pages(page, npages);
        return ((uint64_t)(page << 12) << 32) | (uint32_t)b;
    }

    if (lin_reserve(ar, npages, 1, &page))
        return 0;
    if (map_frames(page, npages, pflags)) {
        lin_release(ar, page, npages);
        return 0;
    }
    struct pg_block *b = new_block(BLK_ALLOC, ar, page, npages, vm, CALLER);
    if (!b) {
        unmap_pages(page, npages, 0);
        lin_release(ar, page, npages);
        return 0;
    }
    if (flags & PAGEZEROINIT)
        zero_pages(page, npages);
    return ((uint64_t)(page << 12) << 32) | (uint32_t)b;
}


NONREENTRANT uint32_t
_PageFree(uint32_t hmem, uint32_t flags)
{
    INTS_OFF();
    (void)flags;
    struct pg_block *b = block_of(hmem);
    /* Fast path: a one-page system block goes back to the caches. */
    if (b && b->npages == 1 && b->arena == AR_SYSTEM && b->kind == BLK_ALLOC &&
        nlcache < LCACHE_MAX && !pmem.nlocked) {
        struct kerr e;
        uint32_t page = b->base;
        uint64_t x = pte[page];
        forget_block(b);
        pte_unmap(page, ARENA_RESERVED | PTE_SW_CACHED);
        lcache[nlcache++] = page;
        if (frame_free_fast(&pmem, x & PTE_ADDR_MASK, &e))
            kprintf("_PageFree: %s (internal error)\n", e.msg);
        return 1;
    }
    if (!b) {
        if (hmem & 0xFFF)
            return refused("_PageFree", CALLER, "%s %08x", "not a live memory handle:", hmem);
        b = hash_find(hmem >> 12);                      /* _PageReserve's linear address */
        if (!b || b->kind != BLK_RESERVE)
            return refused("_PageFree", CALLER, "%s %08x", "not the address of a reserved range:", hmem);
    }
    /* Locked pages go too: unmap_pages unlocks them (the block's owner frees it). */
    free_block(b);
    return 1;
}


NONREENTRANT uint64_t
_PageGetSizeAddr(uint32_t hmem, uint32_t flags)
{
    INTS_OFF();
    (void)flags;
    struct pg_block *b = block_of(hmem);
    if (!b)
        return refused("_PageGetSizeAddr", CALLER, "%s %08x", "not a live memory handle:", hmem);
    return ((uint64_t)(b->base << 12) << 32) | b->npages;
}


NONREENTRANT uint64_t
_PageReAllocate(uint32_t hmem, uint32_t npages, uint32_t flags)
{
    INTS_OFF();
    struct kerr e;
    struct pg_block *b = block_of(hmem);
    if (!b || b->kind != BLK_ALLOC)
        return refused("_PageReAllocate", CALLER, "%s %08x", "not a live _PageAllocate handle:", hmem);
    uint32_t old = b->npages, page = b->base;
    unsigned ar = b->arena;
    uint64_t pflags = PTE_P | PTE_W | PTE_SW_ALLOC | nx | (ar == AR_PRIVATE ? PTE_U : 0);
    if (npages == 0 || npages > arena_of(ar)->npages)
        return 0;
    if (npages != old && (b->flags & BLK_CONTIG))
        return refused("_PageReAllocate", CALLER, "%s %08x", "cannot resize physically contiguous block",
                        hmem);
    if (npages < old) {
        unmap_pages(page + npages, old - npages, 0);
        lin_release(ar, page + npages, old - npages);
    } else if (npages > old) {
        uint32_t extra = npages - old;
        if (extra > pmem.nfree || !pt_room(ar, npages))
            return 0;
        if (arena_alloc_at(arena_of(ar), page + old, extra, &e) == 0) {
            if (map_frames(page + old, extra, pflags)) {
                lin_release(ar, page + old, extra);
                return 0;
            }
        } else {
            uint32_t np;
            if (arena_alloc(arena_of(ar), npages, 1, &np))
                return 0;
            if (map_frames(np + old, extra, pflags)) {
                lin_release(ar, np, npages);
                return 0;
            }
            /* Move the frames, not the bytes: the contents follow their frames. */
            for (uint32_t i = 0; i < old; i++) {
                uint64_t x = pte[page + i];
                pte_unmap(page + i, 0);
                pte_map(np + i, x);
            }
            lin_release(ar, page, old);
            hash_remove(b);
            b->base = page = np;
            hash_insert(b);
        }
        if ((flags & PAGEZEROINIT) && !(flags & PAGEZEROREINIT))
            memset((void *)((page + old) << 12), 0, extra << 12);
    }
    b->npages = npages;
    if (flags & PAGEZEROREINIT)
        memset((void *)(page << 12), 0, npages << 12);
    return ((uint64_t)(page << 12) << 32) | (uint32_t)b;
}


/* ---- _PageReserve, _PageCommit, _PageCommitPhys, _PageDecommit --------------------------- */

NONREENTRANT uint32_t
_PageReserve(uint32_t page, uint32_t npages, uint32_t flags)
{
    INTS_OFF();
    struct kerr e;
    unsigned ar;
    uint32_t p;
    if (npages == 0)
        return 0xFFFFFFFFu;
    if (page == PR_SYSTEM || page == PR_SHARED || page == PR_PRIVATE) {
        ar = page == PR_SYSTEM ? AR_SYSTEM : page == PR_SHARED ? AR_SHARED : AR_PRIVATE;
        if (npages > arena_of(ar)->npages || !pt_room(ar, npages) ||
            arena_alloc(arena_of(ar), npages, flags & PR_4MEG ? 1024 : 1, &p))
            return 0xFFFFFFFFu;
    } else {
        ar = arena_id(page);
        if (ar == AR_NONE || npages > arena_of(ar)->npages || arena_id(page + npages - 1) != ar) {
            refused("_PageReserve", CALLER, "%s %08x", "range outside one arena, at page", page);
            return 0xFFFFFFFFu;
        }
        if (!pt_room(ar, npages) || arena_alloc_at(arena_of(ar), page, npages, &e))
            return 0xFFFFFFFFu;
        p = page;
    }
    struct pg_block *b = new_block(BLK_RESERVE, ar, p, npages, 0, CALLER);
    if (!b) {
        lin_release(ar, p, npages);
        return 0xFFFFFFFFu;
    }
    return p << 12;
}


/* The range [page, page + n) lies in one arena, and PC_USER is not asked in the system arena. */
NONREENTRANT static unsigned check_range(const char *svc, uint32_t caller, uint32_t page, uint32_t n,
                            uint32_t flags)
{
    unsigned ar = arena_id(page);
    if (n == 0 || ar == AR_NONE || page + n < page || arena_id(page + n - 1) != ar) {
        refused(svc, caller, "%s %08x", "range outside one arena, at page", page);
        return AR_NONE;
    }
    if ((flags & PC_USER) && ar == AR_SYSTEM) {
        refused(svc, caller, "%s %08x", "PC_USER in the system arena (ring 0 only), at page", page);
        return AR_NONE;
    }
    return ar;
}

NONREENTRANT static int all_reserved(const char *svc, uint32_t caller, uint32_t page, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (!is_reserved(pte_get(page + i))) {
            refused(svc, caller, "%s %08x", "page not reserved-and-uncommitted:", page + i);
            return 0;
        }
    return 1;
}

NONREENTRANT static uint64_t pc_bits(uint32_t flags)
{
    return (flags & PC_WRITEABLE ? PTE_W : 0) | (flags & PC_USER ? PTE_U : 0) |
           (flags & PC_CACHEDIS ? PTE_PCD : 0) | (flags & PC_CACHEWT ? PTE_PWT : 0);
}

NONREENTRANT uint32_t
_PageCommit(uint32_t page, uint32_t npages, uint32_t hpd, uint32_t pagerdata,
                     uint32_t flags)
{
    INTS_OFF();
    (void)pagerdata;
    uint32_t caller = CALLER;
    if (check_range("_PageCommit", caller, page, npages, flags) == AR_NONE)
        return 0;
    if (hpd < PD_ZEROINIT || hpd > PD_FIXED)
        return refused("_PageCommit", caller, "%s %08x", "pager descriptor (no pagers here):", hpd);
    if (!all_reserved("_PageCommit", caller, page, npages) || npages > pmem.nfree)
        return 0;
    int zero = hpd == PD_ZEROINIT || hpd == PD_FIXEDZERO;
    uint64_t bits = pc_bits(flags);
    /* Zero-filled through a writable mapping first; the final permissions come after. */
    if (map_frames(page, npages, PTE_P | nx | (zero ? PTE_W : bits)))
        return 0;
    if (zero) {
        memset((void *)(page << 12), 0, npages << 12);
        for (uint32_t i = 0; i < npages; i++) {
            pte32[2 * (page + i)] = (uint32_t)((pte[page + i] & ~0xFFFull) | PTE_P | bits);
            invlpg((page + i) << 12);
        }
    }
    return 1;
}


NONREENTRANT uint32_t
_PageCommitPhys(uint32_t page, uint32_t npages, uint32_t physpg, uint32_t flags)
{
    INTS_OFF();
    uint32_t caller = CALLER;
    if (check_range("_PageCommitPhys", caller, page, npages, flags) == AR_NONE ||
        !all_reserved("_PageCommitPhys", caller, page, npages))
        return 0;
    for (uint32_t i = 0; i < npages; i++) {
        uint64_t phys = (uint64_t)(physpg + (flags & PC_INCR ? i : 0)) << 12;
        if (frame_owner(&pmem, phys) == FRAME_FREE)
            return refused("_PageCommitPhys", caller, "%s %08x", "physical page is free RAM (it would be "
                            "handed out again):", (uint32_t)(phys >> 12));
    }
    for (uint32_t i = 0; i < npages; i++) {
        uint64_t phys = (uint64_t)(physpg + (flags & PC_INCR ? i : 0)) << 12;
        pte_map(page + i, phys | PTE_P | PTE_SW_PHYS | nx | pc_bits(flags));
    }
    return 1;
}


NONREENTRANT uint32_t
_PageDecommit(uint32_t page, uint32_t npages, uint32_t flags)
{
    INTS_OFF();
    uint32_t caller = CALLER;
    if (check_range("_PageDecommit", caller, page, npages, flags) == AR_NONE)
        return 0;
    for (uint32_t i = 0; i < npages; i++) {
        uint64_t x = pte_get(page + i);
        if (is_reserved(x))
            continue;
        if (!(x & PTE_P) || (x & PTE_SW_ALLOC))
            return refused("_PageDecommit", caller, "%s %08x", x & PTE_P ? "page of a _PageAllocate block:"
                            : "page not committed nor reserved:", page + i);
    }
    for (uint32_t i = 0; i < npages; i++)
        if (pte[page + i] & PTE_P)
            unmap_pages(page + i, 1, ARENA_RESERVED);
    return 1;
}


/* ---- permissions, queries, locks ---------------------------------------------------------- */

NONREENTRANT uint32_t
_PageModifyPermissions(uint32_t page, uint32_t npages, uint32_t permand,
                                uint32_t permor)
{
    INTS_OFF();
    uint32_t caller = CALLER;
    unsigned ar = check_range("_PageModifyPermissions", caller, page, npages, permor);
    if (ar == AR_NONE)
        return 0;
    for (uint32_t i = 0; i < npages; i++)
        if (!(pte_get(page + i) & PTE_P))
            return refused("_PageModifyPermissions", caller, "%s %08x", "page not committed:", page + i);
    for (uint32_t i = 0; i < npages; i++) {
        uint64_t x = pte[page + i];
        uint32_t pc = (x & PTE_W ? PC_WRITEABLE : 0) | (x & PTE_U ? PC_USER : 0);
        pc = (pc & permand) | permor;
        if ((pc & PC_USER) && ar == AR_SYSTEM)
            return refused("_PageModifyPermissions", caller, "%s %08x", "PC_USER in the system arena:", page);
        uint32_t lo = (uint32_t)x & ~(PTE_W | PTE_U);
        lo |= (pc & PC_WRITEABLE ? PTE_W : 0) | (pc & PC_USER ? PTE_U : 0);
        pte32[2 * (page + i)] = lo;     /* one store: P stays set, W and U change */
        invlpg((page + i) << 12);
    }
    return 1;
}


NONREENTRANT static struct pg_block *block_containing(uint32_t page)
{
    FOR_EACH_BLOCK(b, i, nxt)
        if (page - b->base < b->npages &&
            (b->arena != AR_PRIVATE || b->owner == (uint32_t)cur_ctx))
            return b;
    return 0;
}

/* state/protection of one entry: 0 free, 1 reserved, 2 committed read-only, 3 read-write */
NONREENTRANT static unsigned page_state(uint64_t x)
{
    if (x & PTE_P)
        return x & PTE_W ? 3 : 2;
    return (x & ARENA_TYPE_MASK) == ARENA_RESERVED ? 1 : 0;
}

NONREENTRANT uint32_t
_PageQuery(uint32_t lin, struct memory_basic_information *mbi, uint32_t size)
{
    INTS_OFF();
    static const uint32_t state[4] = { MEM_FREE, MEM_RESERVE, MEM_COMMIT, MEM_COMMIT };
    static const uint32_t prot[4] = { PAGE_NOACCESS, PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE };
    uint32_t page = lin >> 12;
    unsigned ar = arena_id(page);
    if (!mbi || size < sizeof *mbi || ar == AR_NONE)
        return refused("_PageQuery", CALLER, "%s %08x", "no buffer, or an address outside the arenas:", lin);
    unsigned s = page_state(pte_get(page));
    struct pg_block *b = s ? block_containing(page) : 0;
    uint32_t end = b ? b->base + b->npages : arena_of(ar)->base + arena_of(ar)->npages;
    uint32_t n = 1;
    while (page + n < end) {
        if (s == 0 && !pt_present(page + n) && !((page + n) & 511)) {
            n += 512;                               /* no page table: 512 free pages */
            continue;
        }
        if (page_state(pte_get(page + n)) != s)
            break;
        n++;
    }
    if (page + n > end)
        n = end - page;
    *mbi = (struct memory_basic_information){
        .mbi_BaseAddress = page << 12,
        .mbi_AllocationBase = b ? b->base << 12 : 0,
        .mbi_AllocationProtect = b ? PAGE_READWRITE : 0,
        .mbi_RegionSize = n << 12,
        .mbi_State = state[s],
        .mbi_Protect = prot[s],
        .mbi_Type = b ? MEM_PRIVATE : 0,
    };
    return sizeof *mbi;
}


NONREENTRANT static uint32_t lock_range(const char *svc, uint32_t caller, uint32_t page, uint32_t n, int lock)
{
    struct kerr e;
    if (check_range(svc, caller, page, n, 0) == AR_NONE)
        return 0;
    for (uint32_t i = 0; i < n; i++)
        if ((pte_get(page + i) & (PTE_P | PTE_SW_PHYS)) != PTE_P)
            return refused(svc, caller, "%s %08x", "page not committed RAM:", page + i);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t phys = pte[page + i] & PTE_ADDR_MASK;
        if (lock ? frame_lock(&pmem, phys, &e) : frame_unlock(&pmem, phys, &e)) {
            refused(svc, caller, "%s", e.msg);
            while (i-- > 0)                 /* undo: all or nothing */
                lock ? frame_unlock(&pmem, pte[page + i] & PTE_ADDR_MASK, &e)
                     : frame_lock(&pmem, pte[page + i] & PTE_ADDR_MASK, &e);
            return 0;
        }
    }
    return 1;
}

NONREENTRANT uint32_t
_LinPageLock(uint32_t page, uint32_t npages, uint32_t flags)
{
    INTS_OFF();
    if ((flags & PAGEMAPGLOBAL) && arena_id(page) == AR_PRIVATE)
        return refused("_LinPageLock", CALLER, "%s %08x", "PAGEMAPGLOBAL of private pages (unsupported):",
                        page);
    return lock_range("_LinPageLock", CALLER, page, npages, 1) ? (flags & PAGEMAPGLOBAL ?
                                                                  page << 12 : 1) : 0;
}


NONREENTRANT uint32_t
_LinPageUnLock(uint32_t page, uint32_t npages, uint32_t flags)
{
    INTS_OFF();
    (void)flags;
    return lock_range("_LinPageUnLock", CALLER, page, npages, 0);
}


NONREENTRANT uint32_t
_MapPhysToLinear(uint64_t phys, uint32_t nbytes, uint32_t flags)
{
    INTS_OFF();
    static struct { uint64_t phys; uint32_t size, lin; } done[32];
    static unsigned ndone;
    (void)flags;
    if (nbytes == 0)
        return 0xFFFFFFFFu;
    for (unsigned i = 0; i < ndone; i++)    /* the same range twice: the same address */
        if (phys >= done[i].phys && phys + nbytes <= done[i].phys + done[i].size)
            return done[i].lin + (uint32_t)(phys - done[i].phys);
    /* RAM the frame allocator knows is cached; anything else (MMIO) is not. */
    unsigned pm = PM_WRITE | (frame_owner(&pmem, phys & ~0xFFFull) < 0 ? PM_UNCACHED : 0);
    void *p = map_phys(phys, nbytes, pm);
    if (!p)
        return 0xFFFFFFFFu;
    if (ndone < 32)
        done[ndone++] = (typeof(done[0])){ phys, nbytes, (uint32_t)p };
    return (uint32_t)p;
}


NONREENTRANT uint64_t
_GetFreePageCount(uint32_t flags)
{
    INTS_OFF();
    (void)flags;
    return ((uint64_t)pmem.nfree << 32) | pmem.nfree;   /* no paging: every free page locks */
}


/* ---- memory contexts ---------------------------------------------------------------------- */

NONREENTRANT static void load_context(struct mem_context *c)
{
    for (unsigned i = 0; i < 2; i++) {
        pdpt[i] = c->pd[i] | PTE_P;
        pde[3 * 512 + SELFMAP_PDE_FIRST + i] = c->pd[i] | PTE_P | PTE_W | nx;
    }
    /* Reloading CR3 reloads the PDPTEs and flushes every non-global TLB entry, the self-map
     * window's included. */
    __asm__ volatile("mov %%cr3, %%eax; mov %%eax, %%cr3" : : : "eax", "memory");
    cur_ctx = c;
}

/* The listed context at h whose magic is CTX_MAGIC (or, with dying, CTX_DYING: being
 * destroyed), or 0. */
NONREENTRANT static struct mem_context *context_listed(uint32_t h, int dying)
{
    for (struct mem_context *c = all_ctx; c; c = c->next)
        if ((uint32_t)c == h && (c->magic == CTX_MAGIC || (dying && c->magic == CTX_DYING)))
            return c;
    return 0;
}

NONREENTRANT static struct mem_context *context_of(uint32_t h) { return context_listed(h, 0); }

NONREENTRANT uint32_t
_ContextCreate(void)
{
    INTS_OFF();
    struct kerr e;
    uint64_t r = _PageAllocate(1, PG_SYS, 0, 0, 0, 0, 0, PAGEZEROINIT | PAGEFIXED);
    struct mem_context *c = (struct mem_context *)PAGE_RET_HI(r);
    if (!PAGE_RET_LO(r))
        return 0;
    if (pmem.nfree < 2 + PT_MARGIN ||
        frame_alloc(&pmem, FRAME_PAGETABLE, &c->pd[0]) ||
        frame_alloc(&pmem, FRAME_PAGETABLE, &c->pd[1])) {
        if (c->pd[0])
            frame_free(&pmem, c->pd[0], &e);
        _PageFree(PAGE_RET_LO(r), 0);
        return 0;
    }
    zero_frame(c->pd[0]);
    zero_frame(c->pd[1]);
    npt += 2;
    c->magic = CTX_MAGIC;
    struct mem_context *old = cur_ctx;
    load_context(c);                /* the arena's tags go into this context's page tables */
    int rc = arena_init(&c->arena, PAGE_PRIV_FIRST, PAGE_SHARED_FIRST - PAGE_PRIV_FIRST,
                        pte + PAGE_PRIV_FIRST, &e);
    load_context(old);
    if (rc) {
        kprintf("_ContextCreate: %s\n", e.msg);
        return 0;
    }
    c->next = all_ctx;
    all_ctx = c;
    return (uint32_t)c;
}


/* A window (page_windows) while another context than the caller's own, home, is loaded: home
 * is loaded around it, for a thread that runs in it must not find the other one loaded. */
NONREENTRANT static void window_from(struct mem_context *home)
{
    if (windows_ok) {
        struct mem_context *c = cur_ctx;
        load_context(home);
        window();
        load_context(c);
    }
}

/* Frees every page table of PDE indices [first, end) of the loaded context, and the frames its
 * committed pages own; a window after each table, and every 64 PDEs (home: window_from). */
NONREENTRANT static void free_tables(uint32_t first, uint32_t end, struct mem_context *home)
{
    struct kerr e;
    for (uint32_t pdi = first; pdi < end; pdi++) {
        uint64_t d = pde[pdi];
        if (!(d & PTE_P)) {
            if (!(pdi & 63))
                window_from(home);
            continue;
        }
        unmap_pages(pdi << 9, 512, 0);
        pde[pdi] = 0;
        frame_free(&pmem, d & PTE_ADDR_MASK, &e);
        npt--;
        window_from(home);
    }
}

NONREENTRANT static uint32_t context_destroy(struct mem_context *c);

NONREENTRANT uint32_t
_ContextDestroy(uint32_t h)
{
    INTS_OFF();
    struct mem_context *c = context_of(h);
    if (!c || c == cur_ctx || c == &boot_ctx)
        return refused("_ContextDestroy", CALLER, "%s %08x", "not a context, or the current or system "
                        "VM's:", h);
    return context_destroy(c);
}

/* c's blocks' descriptors (its own: O(its blocks)), then its page tables wholesale, with c
 * loaded; windows (page_windows) between steps. */
NONREENTRANT static uint32_t context_destroy(struct mem_context *c)
{
    struct kerr e;
    c->magic = CTX_DYING;               /* nobody else destroys it while interrupts come in */
    for (struct pg_owner *o; (o = owner_find((uint32_t)c)) != 0;) {
        forget_block(o->first);         /* the pages go with the tables, below */
        window();
    }
    struct mem_context *old = cur_ctx;
    load_context(c);
    free_tables(PRIVATE_BASE >> 21, SHARED_BASE >> 21, old);   /* the V86 region is v86/'s */
    load_context(old);
    frame_free(&pmem, c->pd[0], &e);
    frame_free(&pmem, c->pd[1], &e);
    npt -= 2;
    for (struct mem_context **pp = &all_ctx; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    c->magic = 0;
    _PageFree(page_handle_at((uint32_t)c), 0);
    return 1;
}


NONREENTRANT uint32_t page_context_current(void) { return (uint32_t)cur_ctx; }

NONREENTRANT uint64_t page_frame_of(uint32_t lin)
{
    uint64_t x = lin >= SYSTEM_BASE && lin < PTE_WINDOW ? pte[lin >> 12] : 0;
    return x & PTE_P ? x & PTE_ADDR_MASK : 0;
}

NONREENTRANT uint64_t page_context_set_v86(uint32_t h, uint64_t entry)
{
    INTS_OFF();
    struct mem_context *c = context_of(h);
    if (!c)
        return 0;
    pte_map(scratch_page, c->pd[0] | PTE_P | PTE_W | nx);     /* the context's PD0, through the */
    volatile uint32_t *pd0 = (volatile uint32_t *)(scratch_page << 12);    /* scratch page */
    uint64_t old = pd0[0] | (uint64_t)pd0[1] << 32;
    pd0[0] = 0;                                 /* P off first; then the high half, P last */
    pd0[1] = (uint32_t)(entry >> 32);
    pd0[0] = (uint32_t)entry;
    pte_unmap(scratch_page, ARENA_RESERVED);
    if (c == cur_ctx)                           /* its PDE changed: the TLB forgets 0-2 MB */
        __asm__ volatile("mov %%cr3, %%eax; mov %%eax, %%cr3" : : : "eax", "memory");
    return old | 1;                             /* nonzero: done (the old entry, P forced) */
}

NONREENTRANT void page_context_load(uint32_t h)
{
    if ((struct mem_context *)h != cur_ctx)
        load_context((struct mem_context *)h);
}

NONREENTRANT uint32_t page_free_owner(uint32_t owner)
{
    INTS_OFF();
    uint32_t n = 0;
    if (!owner)
        return 0;                       /* 0 is "no VM": PG_SYS blocks are nobody's to free */
    for (struct pg_owner *o; (o = owner_find(owner)) != 0; n++)
        free_block(o->first);           /* found again each time: a window may change it */
    return n;
}

NONREENTRANT uint32_t
_ContextSwitch(uint32_t h)
{
    INTS_OFF();
    struct mem_context *c = context_of(h), *old = cur_ctx;
    if (!c)
        return refused("_ContextSwitch", CALLER, "%s %08x", "not a memory context:", h);
    page_context_load(h);
    return (uint32_t)old;
}


/* ---- faults ------------------------------------------------------------------------------- */

NONREENTRANT uint32_t
Hook_Invalid_Page_Fault(ipf_handler h)
{
    INTS_OFF();
    if (!h || nipf == sizeof ipf_hooks / sizeof ipf_hooks[0])
        return refused("Hook_Invalid_Page_Fault", CALLER, "%s %08x", "no handler, or the hook table is full:",
                        (uint32_t)h);
    ipf_hooks[nipf++] = h;
    return 1;
}


NONREENTRANT uint32_t
Unhook_Invalid_Page_Fault(ipf_handler h)
{
    INTS_OFF();
    for (unsigned i = nipf; i-- > 0;)
        if (ipf_hooks[i] == h) {
            for (; i + 1 < nipf; i++)
                ipf_hooks[i] = ipf_hooks[i + 1];
            nipf--;
            return 1;
        }
    return refused("Unhook_Invalid_Page_Fault", CALLER, "%s %08x", "handler not hooked:", (uint32_t)h);
}


NONREENTRANT unsigned page_purge_hooks(uint32_t lo, uint32_t hi)
{
    INTS_OFF();
    unsigned n = 0;
    for (unsigned i = nipf; i-- > 0;)
        if ((uint32_t)ipf_hooks[i] - lo < hi - lo) {
            for (unsigned j = i; j + 1 < nipf; j++)
                ipf_hooks[j] = ipf_hooks[j + 1];
            nipf--;
            n++;
        }
    return n;
}

NONREENTRANT int page_table_fault(const struct client_regs *r, uint32_t cr2)
{
    /* The PTE window of a region below the system one whose page table does not exist yet. */
    if (!(r->error & 1) && cr2 >= PTE_WINDOW && cr2 < PTE_WINDOW + (SYSTEM_BASE >> 21) * PAGE_SIZE &&
        !(r->cs & 3) && !(r->eflags & EFLAGS_VM)) {
        uint32_t pdi = (cr2 - PTE_WINDOW) >> 12;
        if (!(pde[pdi] & PTE_P)) {
            if (pt_create(pdi) == 0)
                return 1;
            kprintf("page: no frame left for a page table (PDE %u)\n", pdi);
        }
    }
    return 0;
}

NONREENTRANT int page_fault(struct client_regs *r, uint32_t cr2)
{
    static int in_hook;
    if ((r->error & 1) || !nipf)
        return 0;                               /* a protection fault is never "invalid" */
    uint32_t page = cr2 >> 12;
    struct ipf_data ipf = { .IPF_LinAddr = cr2, .IPF_MapPageNum = page };
    if (!pt_present(page))
        ipf.IPF_Flags |= IPF_PGDIR;
    else {
        ipf.IPF_PTEEntry = (uint32_t)pte[page];
        if (!is_reserved(pte[page]))
            ipf.IPF_Flags |= IPF_INVTYP;
    }
    ipf.IPF_Flags |= r->eflags & EFLAGS_VM ? IPF_V86 : (r->cs & 3) ? IPF_PM : IPF_VMM;
    if (in_hook)
        ipf.IPF_Flags |= IPF_REFLT;
    in_hook++;
    int handled = 0;
    for (unsigned i = nipf; i-- > 0 && !handled;) {
        ipf_handler h = ipf_hooks[i];
        uint32_t ret;
        int how = foreign_call((void *)h, &ret, "Hook_Invalid_Page_Fault handler",
                               (uint32_t)&ipf, (uint32_t)r, 0, 0, 0);
        if (how == FOREIGN_ABANDONED)
            break;                              /* its VxD is gone: the table changed */
        handled = (how == FOREIGN_DIRECT ? (uint32_t)h(&ipf, r) : ret) == 0;
    }
    in_hook--;
    return handled;
}

NONREENTRANT const char *page_describe(uint32_t lin)
{
    uint32_t page = lin >> 12;
    if (lin >= PTE_WINDOW)
        return "in the page-table self-map";
    if (!pt_present(page))
        return "no page table (never reserved)";
    uint64_t x = pte[page];
    if (x & PTE_P)
        return x & PTE_W ? "committed, writable" : "committed, read-only";
    if ((x & 0x1F) == (ARENA_RESERVED | PTE_SW_GUARD))
        return "a guard page below a kernel stack: stack overflow";
    if (is_reserved(x))
        return "reserved, not committed";
    return arena_id(page) == AR_NONE ? "not mapped" : "free (not reserved)";
}

/* ---- stacks ------------------------------------------------------------------------------- */

NONREENTRANT uint32_t kstack_create(uint32_t npages)
{
    uint32_t lin = _PageReserve(PR_SYSTEM, npages + 1, 0);
    if (lin == 0xFFFFFFFFu)
        return 0;
    if (!_PageCommit((lin >> 12) + 1, npages, PD_FIXED, 0, PC_FIXED | PC_WRITEABLE)) {
        _PageFree(lin, 0);
        return 0;
    }
    pte32[2 * (lin >> 12)] = ARENA_RESERVED | PTE_SW_GUARD;
    return lin + ((npages + 1) << 12);
}

NONREENTRANT void kstack_destroy(uint32_t top, uint32_t npages)
{
    _PageFree(top - ((npages + 1) << 12), 0);
}

NONREENTRANT void page_make_guard(uint32_t lin)
{
    /* The frame stays the image's (FRAME_VMM): the frame counts then still add up to the map. */
    pte_unmap(lin >> 12, ARENA_RESERVED | PTE_SW_GUARD);
}

NONREENTRANT void page_mark_v86(uint32_t lin)
{
    INTS_OFF();
    if (lin >= SYSTEM_BASE && lin < PTE_WINDOW && (pte[lin >> 12] & PTE_P))
        pte[lin >> 12] |= PTE_SW_V86;
}

NONREENTRANT unsigned page_free_owned(uint32_t lo, uint32_t hi, unsigned *kept)
{
    INTS_OFF();
    unsigned n = 0;
    FOR_EACH_BLOCK(b, i, nxt) {
        if (b->caller - lo >= hi - lo)
            continue;
        int mapped = b->arena == AR_PRIVATE && b->owner != (uint32_t)cur_ctx;
        for (uint32_t k = 0; !mapped && b->arena != AR_PRIVATE && k < b->npages; k++)
            mapped = (pte[b->base + k] & (PTE_P | PTE_SW_V86)) == (PTE_P | PTE_SW_V86);
        if (mapped) {                       /* a VM maps it (or another context has it): kept */
            b->caller = 0;
            ++*kept;
        } else {
            free_block(b);
            n++;
        }
    }
    return n;
}

NONREENTRANT uint32_t page_handle_at(uint32_t lin)
{
    struct pg_block *b = (lin & 0xFFF) ? 0 : hash_find(lin >> 12);
    return (uint32_t)b;
}

/* ---- set-up, checks ------------------------------------------------------------------------ */

/* ---- for the VxD loader: W^X for loaded code, and patches through a writable alias --------- */

NONREENTRANT int page_protect(uint32_t lin, uint32_t npages, int writable, int exec)
{
    INTS_OFF();
    uint32_t page = lin >> 12;
    int ok = !(lin & 0xFFF) && page >= PAGE_SYSTEM_FIRST;
    for (uint32_t i = 0; ok && i < npages; i++)
        ok = (pte_get(page + i) & PTE_P) != 0;
    for (uint32_t i = 0; ok && i < npages; i++) {
        uint64_t x = pte[page + i] & ~(uint64_t)(PTE_W | PTE_NX);
        x |= (writable ? PTE_W : 0) | (exec ? 0 : nx);
        pte32[2 * (page + i) + 1] = (uint32_t)(x >> 32);
        pte32[2 * (page + i)] = (uint32_t)x;
        invlpg((page + i) << 12);
    }
    return ok ? 0 : -1;
}

NONREENTRANT void *page_alias_begin(uint32_t lin)
{
    uint32_t page = lin >> 12;
    uint64_t a = pte_get(page), b = pte_get(page + 1);
    if (!(a & PTE_P) || alias_page == 0)
        return 0;
    pte_map(alias_page, (a & PTE_ADDR_MASK) | PTE_P | PTE_W | nx);
    invlpg(alias_page << 12);
    if (b & PTE_P) {
        pte_map(alias_page + 1, (b & PTE_ADDR_MASK) | PTE_P | PTE_W | nx);
        invlpg((alias_page + 1) << 12);
    }
    return (void *)((alias_page << 12) + (lin & 0xFFF));
}

NONREENTRANT void page_alias_end(void)
{
    pte_unmap(alias_page, ARENA_RESERVED);
    pte_unmap(alias_page + 1, ARENA_RESERVED);
}

NONREENTRANT int page_init(void)
{
    struct kerr e;
    nx = (rdmsr(MSR_EFER) & EFER_NXE) ? PTE_NX : 0;
    pdpt = map_phys(read_cr3() & ~0x1Fu, 32, PM_WRITE);
    if (!pdpt) {
        kprintf("page: cannot map the PDPT\n");
        return -1;
    }
    boot_ctx.magic = CTX_MAGIC;
    boot_ctx.pd[0] = pdpt[0] & PTE_ADDR_MASK;
    boot_ctx.pd[1] = pdpt[1] & PTE_ADDR_MASK;
    if (linear_init())
        return -1;
    if (arena_alloc(&sys_arena, 1, 1, &scratch_page)) {
        kprintf("page: no linear page for the scratch mapping\n");
        return -1;
    }
    if (arena_alloc(&sys_arena, 2, 1, &alias_page)) {
        kprintf("page: no linear pages for the code-patch alias\n");
        return -1;
    }
    if (lcache_fill(LCACHE_BOOT))
        kprintf("page: no room for the one-page linear cache; going on without\n");
    if (desc_refill()) {                /* the first 63 handles, made before anyone waits */
        kprintf("page: no page for the first block descriptors\n");
        return -1;
    }
    if (arena_init(&shared_arena, PAGE_SHARED_FIRST, PAGE_SYSTEM_FIRST - PAGE_SHARED_FIRST,
                   pte + PAGE_SHARED_FIRST, &e) ||
        arena_init(&boot_ctx.arena, PAGE_PRIV_FIRST, PAGE_SHARED_FIRST - PAGE_PRIV_FIRST,
                   pte + PAGE_PRIV_FIRST, &e)) {
        kprintf("page: %s\n", e.msg);
        return -1;
    }
    return 0;
}

NONREENTRANT void page_stats(struct page_stats *s)
{
    *s = (struct page_stats){ nblocks, desc_pages, npt, nlcache };
}

NONREENTRANT void page_print_summary(void)
{
    kprintf("pages: %u blocks, %u descriptor pages, %u page tables made; arenas free: system %u, "
            "shared %u, private %u pages\n", nblocks, desc_pages, npt,
            sys_arena.free_pages + nlcache, shared_arena.free_pages, cur_ctx->arena.free_pages);
}

NONREENTRANT static int check_fail(const char *what, uint32_t v)
{
    kprintf("page check: %s %08x\n", what, v);
    return -1;
}

NONREENTRANT int page_check(void)
{
    struct kerr e;
    if (arena_check(&sys_arena, &e) || arena_check(&shared_arena, &e) ||
        arena_check(&cur_ctx->arena, &e)) {
        kprintf("page check: %s\n", e.msg);
        return -1;
    }
    uint32_t n = 0, owned = 0, nown = 0;
    FOR_EACH_BLOCK(b, h, nxt) {
        n++;
        if (b->magic != (BLK_MAGIC ^ (uint32_t)b) || hslot(b->base) != h || *b->pprev != b)
            return check_fail("block with a bad check word or hash link:", (uint32_t)b);
        if (b->owner && (!b->orec || b->orec->magic != (OWN_MAGIC ^ (uint32_t)b->orec) ||
                         b->orec->owner != b->owner || *b->opprev != b))
            return check_fail("block not in its owner's ring:", (uint32_t)b);
        if (!b->owner && b->orec)
            return check_fail("block of no owner with an owner's record:", (uint32_t)b);
        owned += b->owner != 0;
        if (b->arena == AR_PRIVATE && b->owner != (uint32_t)cur_ctx) {
            if (!context_listed(b->owner, 1))
                return check_fail("private block of no context:", (uint32_t)b);
            continue;                   /* its page tables are not visible from here */
        }
        if (arena_id(b->base) != b->arena || arena_id(b->base + b->npages - 1) != b->arena)
            return check_fail("block outside its arena:", (uint32_t)b);
        {
            for (uint32_t i = 0; i < b->npages; i++) {
                uint64_t x = pte[b->base + i];
                if (b->kind == BLK_ALLOC && (x & (PTE_P | PTE_SW_ALLOC)) != (PTE_P | PTE_SW_ALLOC))
                    return check_fail("allocated page not mapped as such:", b->base + i);
                if (b->kind == BLK_RESERVE && !(x & PTE_P) && (x & ARENA_TYPE_MASK) != ARENA_RESERVED)
                    return check_fail("reserved page not marked reserved:", b->base + i);
                if ((x & (PTE_P | PTE_SW_PHYS)) == PTE_P &&
                    frame_owner(&pmem, x & PTE_ADDR_MASK) != FRAME_PAGES)
                    return check_fail("committed page on a frame not the page services':",
                                      b->base + i);
            }
        }
    }
    if (n != nblocks)
        return check_fail("block count differs from the hash:", n);
    for (unsigned i = 0; i < (1u << OWN_BITS); i++)
        for (struct pg_owner *o = otab[i]; o; o = o->next) {
            uint32_t k = 0;
            for (struct pg_block *b = o->first; b && k <= nblocks; b = b->onext, k++)
                if (b->orec != o)
                    return check_fail("owner's ring holds another's block:", (uint32_t)b);
            if (oslot(o->owner) != i || *o->pprev != o || !k || k != o->n)
                return check_fail("owner record with a bad hash link or count:", o->owner);
            owned -= k;
            nown++;
        }
    if (owned || nown != nowners)
        return check_fail("owned blocks differ from the owners' rings:", owned);
    for (unsigned i = 0; i < nlcache; i++)
        if ((pte[lcache[i]] & 0x1F) != (ARENA_RESERVED | PTE_SW_CACHED))
            return check_fail("cached linear page not marked:", lcache[i]);
    return 0;
}
