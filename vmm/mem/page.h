/*
 * The page services' VMM-internal side (the services themselves are declared in
 * include/vmm/page.h): set-up, the page-fault path, and the helpers of the other subsystems.
 *
 * Page-table entries of the arenas, as the page services keep them (PAE, 64 bits):
 *   present               frame | P | W? | U? | NX (data) | SW_ALLOC (a _PageAllocate block's)
 *                         | SW_PHYS (the frame is not ours: _PageCommitPhys)
 *   0                     free (inside a free extent of the arena), or no page table
 *   ARENA_FREE_HEAD/TAIL  free: the arena's boundary tags (mem/arena.h)
 *   ARENA_RESERVED        reserved, not committed: touching it is an invalid page fault
 *     | SW_GUARD          ... and a guard page below a kernel stack: never committed
 *     | SW_CACHED         ... and held in the page services' one-page cache (no owner)
 */
#ifndef MEM_PAGE_H
#define MEM_PAGE_H
#include <stdint.h>
#include "x86/trap.h"
#include "vmm/page.h"
#include "boot/layout.h"

#define PTE_SW_PHYS     0x200u      /* available bits 9..11 of a present entry */
#define PTE_SW_ALLOC    0x400u
#define PTE_SW_V86      0x800u      /* a system page a VM's V86 space maps too (page_mark_v86) */
#define PTE_SW_GUARD    0x008u      /* in a not-present entry: software's */
#define PTE_SW_CACHED   0x010u

struct client_regs;

int  page_init(void);                       /* after pmem_init; 0 ok, -1 (reason printed) */
/* The #PF path (int/fault.c), in two steps.  page_table_fault: a page table made on demand
 * for the PTE window (a not-present fault there, in ring 0); page_fault: the
 * Hook_Invalid_Page_Fault hooks, never offered a fault raised inside the page services
 * themselves (the caller checks).  Each returns 1 when the fault is resolved and the
 * instruction can be restarted. */
int  page_table_fault(const struct client_regs *r, uint32_t cr2);
int  page_fault(struct client_regs *r, uint32_t cr2);
/* For the VxD loader.  page_protect: the committed system pages from lin (page aligned) become
 * writable or not and executable or not (W^X is the caller's promise); 0, or -1 if one is not
 * committed.  page_alias_begin: a writable view of lin's page and the next (if committed), at a
 * private alias, for patching read-only code; NULL if lin is not mapped.  Interrupts off from
 * begin to page_alias_end, which removes the view. */
int   page_protect(uint32_t lin, uint32_t npages, int writable, int exec);
unsigned page_purge_hooks(uint32_t lo, uint32_t hi);    /* Hook_Invalid_Page_Fault hooks in [lo, hi) out */
/* What an unloaded VxD left: the page blocks it allocated or reserved (caller in [lo, hi)) are
 * freed, how many; those a VM's V86 space maps too (page_mark_v86), or a private block of another
 * memory context, are kept (given to nobody), counted in *kept.  page_mark_v86: the system page at
 * lin is mapped into a VM (_MapIntoV86, _LinMapIntoV86): never freed from under the VM that way. */
unsigned page_free_owned(uint32_t lo, uint32_t hi, unsigned *kept);
void page_mark_v86(uint32_t lin);
void *page_alias_begin(uint32_t lin);
void  page_alias_end(void);
/* One line on what the page at lin is (for fatal reports): "reserved, not committed" ... */
const char *page_describe(uint32_t lin);
/* Whether the page of lin, an address in the system region (whose page tables all exist from
 * boot), is mapped: a read there does not fault.  Its PTE alone (one load); for handle checks. */
static inline int page_mapped_system(uint32_t lin)
{
    return ((volatile uint32_t *)PTE_WINDOW)[(lin >> 12) * 2] & PTE_P;
}
/* The handle of the _PageAllocate or _PageReserve block starting at linear address lin, or 0. */
uint32_t page_handle_at(uint32_t lin);
/* A ring-0 stack of npages committed pages above one guard page that stays reserved (so an
 * overflow faults, and the double-fault task reports it).  Returns the top, or 0. */
uint32_t kstack_create(uint32_t npages);
void     kstack_destroy(uint32_t top, uint32_t npages);
/* Marks the page at lin (a page of the VMM image) as a guard page: unmapped for good. */
void     page_make_guard(uint32_t lin);
/* For the V86 layer (v86/space.c), which owns the first page table of every context (0-2 MB, the
 * V86 region: PD0 entry 0).  page_frame_of: the frame mapped at a system-region page, or 0.
 * page_context_set_v86: that context's PD0 entry 0 becomes entry (a page table's frame | P | W
 * | U, or 0); returns the old entry with bit 0 set, or 0 for a bad context. */
uint64_t page_frame_of(uint32_t lin);
uint64_t page_context_set_v86(uint32_t hcontext, uint64_t entry);
/* The current memory context's handle; and a switch to a context known to be valid (the thread
 * switch's, which skips _ContextSwitch's validation walk). */
uint32_t page_context_current(void);
void     page_context_load(uint32_t hcontext);
/* Frees every block whose owner (PG_VM's VM) is owner, O(its blocks); how many. */
uint32_t page_free_owner(uint32_t owner);
/* Create_VM's and Destroy_VM's long work (a V86 space made or freed, page_free_owner, a
 * context made or destroyed): with on, the page services let a pending interrupt in at safe
 * points (between blocks, every 32 pages mapped, 16 freed, 8 zeroed, between page tables)
 * -- for a caller that turned interrupts off itself and whose VM is nobody else's (not yet, or
 * no longer); the first window at once.  Off again when it is done. */
void page_windows(int on);
/* Walks every block, the arenas and the caches and checks them against the page tables;
 * 0 or -1 with the reason printed. */
int  page_check(void);
void page_print_summary(void);

struct page_stats { uint32_t blocks, desc_pages, page_tables, cached; };
void page_stats(struct page_stats *s);

#endif
