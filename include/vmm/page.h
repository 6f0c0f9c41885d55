/*
 * Page services and memory contexts: the VMM services of the Windows 95 DDK's memory manager,
 * with the DDK's names, flag values and meaning (VMM.H).  Callable by the VMM and, through the
 * service table, by VxDs.  Not reentrant, so each turns interrupts off while it runs (call with
 * interrupts on or off; neither another thread nor an interrupt handler can enter one half-way),
 * and a fault raised inside one is never offered to fault hooks (it is reported and fatal).
 *
 * Calls that return two values in the DDK (a handle in EAX and a linear address in EDX, or a
 * count and an address) return a uint64_t: with the i386 calling convention it arrives exactly in
 * EDX:EAX; PAGE_RET_LO / PAGE_RET_HI split it in C.
 *
 * What differs from Windows 95, because this VMM does not page to disk: every committed page is
 * present and in RAM from commit to decommit (PAGEFIXED, PC_FIXED, PC_LOCKED and the pager
 * descriptors PD_* change nothing but zero-filling); pager data is ignored.
 */
#ifndef VMM_PAGE_H
#define VMM_PAGE_H
#include <stdint.h>

#define PAGE_RET_LO(r)  ((uint32_t)(r))                 /* EAX: handle, count */
#define PAGE_RET_HI(r)  ((uint32_t)((r) >> 32))         /* EDX: linear address */

/* _PageAllocate types */
#define PG_VM           0           /* system arena, charged to a VM (freed with it by Destroy_VM) */
#define PG_SYS          1           /* system arena */
#define PG_PRIVATE      3           /* the current memory context's private arena, ring-3 usable */

/* _PageAllocate / _PageReAllocate flags */
#define PAGEZEROINIT    0x00000001u
#define PAGEUSEALIGN    0x00000002u /* physical alignment and limits from AlignMask/minPhys/maxPhys;
                                       needs PAGEFIXED; the pages are then contiguous */
#define PAGECONTIG      0x00000004u /* physically contiguous; ignored without PAGEUSEALIGN (DDK) */
#define PAGEFIXED       0x00000008u
#define PAGEZEROREINIT  0x00000020u
#define PAGENOCOPY      0x00000040u
#define PAGELOCKED      0x00000080u
#define PAGEMAPGLOBAL   0x40000000u /* system-arena pages are global already; refused with
                                       PG_PRIVATE */

/* _PageReserve: where, and flags */
#define PR_PRIVATE      0x80000400u
#define PR_SHARED       0x80060000u
#define PR_SYSTEM       0x80080000u
#define PR_FIXED        0x00000008u
#define PR_4MEG         0x00000001u
#define PR_STATIC       0x00000010u

/* _PageCommit pager descriptors (no paging: only the zero-fill matters) */
#define PD_ZEROINIT     0x00000001u
#define PD_NOINIT       0x00000002u
#define PD_FIXEDZERO    0x00000003u
#define PD_FIXED        0x00000004u

/* _PageCommit / _PageCommitPhys / _PageModifyPermissions flags */
#define PC_FIXED        0x00000008u
#define PC_LOCKED       0x00000080u
#define PC_LOCKEDIFDP   0x00000100u
#define PC_WRITEABLE    0x00020000u
#define PC_USER         0x00040000u /* refused in the system arena: it is ring 0 only */
#define PC_CACHEDIS     0x00100000u
#define PC_CACHEWT      0x00200000u
#define PC_DIRTY        0x08000000u
#define PC_STATIC       0x20000000u
#define PC_INCR         0x40000000u
#define PC_PRESENT      0x80000000u

/* _PageQuery */
struct memory_basic_information {
    uint32_t mbi_BaseAddress, mbi_AllocationBase, mbi_AllocationProtect, mbi_RegionSize;
    uint32_t mbi_State, mbi_Protect, mbi_Type;
};
#define PAGE_NOACCESS   0x01u
#define PAGE_READONLY   0x02u
#define PAGE_READWRITE  0x04u
#define MEM_COMMIT      0x1000u
#define MEM_RESERVE     0x2000u
#define MEM_FREE        0x10000u
#define MEM_PRIVATE     0x20000u

/* Hook_Invalid_Page_Fault: the handler gets the IPF data and the faulting state; it returns 0
 * when it has made the page valid (the instruction is restarted) and nonzero to pass the fault
 * on (the DDK's carry set).  The hook installed last is called first. */
struct ipf_data {
    uint32_t IPF_LinAddr, IPF_MapPageNum, IPF_PTEEntry, IPF_FaultingVM, IPF_Flags;
};
#define IPF_PGDIR       0x00000001u /* the page table itself is not present */
#define IPF_INVTYP      0x00000008u /* a not-present entry of no known type (a free page) */
#define IPF_REFLT       0x00000020u /* a page fault inside a page-fault hook */
#define IPF_VMM         0x00000040u /* raised by ring-0 code (the VMM or a VxD) */
#define IPF_PM          0x00000080u /* raised by protected-mode ring-3 code */
#define IPF_V86         0x00000100u /* raised in V86 mode */

#include "vmm/client.h"
typedef int (*ipf_handler)(struct ipf_data *ipf, struct client_regs *r);

uint64_t _PageAllocate(uint32_t npages, uint32_t type, uint32_t vm, uint32_t align_mask,
                       uint32_t min_phys, uint32_t max_phys, uint32_t *phys_addr, uint32_t flags);
uint64_t _PageReAllocate(uint32_t hmem, uint32_t npages, uint32_t flags);
uint32_t _PageFree(uint32_t hmem, uint32_t flags);  /* a handle, or _PageReserve's address */
uint64_t _PageGetSizeAddr(uint32_t hmem, uint32_t flags);
uint32_t _PageReserve(uint32_t page, uint32_t npages, uint32_t flags);  /* address; -1 if none */
uint32_t _PageCommit(uint32_t page, uint32_t npages, uint32_t hpd, uint32_t pagerdata,
                     uint32_t flags);
uint32_t _PageCommitPhys(uint32_t page, uint32_t npages, uint32_t physpg, uint32_t flags);
uint32_t _PageDecommit(uint32_t page, uint32_t npages, uint32_t flags);
uint32_t _PageModifyPermissions(uint32_t page, uint32_t npages, uint32_t permand,
                                uint32_t permor);
uint32_t _PageQuery(uint32_t lin, struct memory_basic_information *mbi, uint32_t size);
uint32_t _LinPageLock(uint32_t page, uint32_t npages, uint32_t flags);
uint32_t _LinPageUnLock(uint32_t page, uint32_t npages, uint32_t flags);
uint32_t _MapPhysToLinear(uint64_t phys, uint32_t nbytes, uint32_t flags);  /* -1 if it cannot */
uint64_t _GetFreePageCount(uint32_t flags);         /* EAX free pages, EDX lockable pages */
uint32_t _ContextCreate(void);                      /* a context handle; 0 when out of memory */
uint32_t _ContextDestroy(uint32_t hcontext);        /* not the current one */
uint32_t _ContextSwitch(uint32_t hcontext);         /* the previous context; 0 if refused */
uint32_t Hook_Invalid_Page_Fault(ipf_handler h);    /* 0 when the table is full */
uint32_t Unhook_Invalid_Page_Fault(ipf_handler h);  /* 0 when h is not hooked */

#endif
