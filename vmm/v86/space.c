/*
 * Every VM's V86 address space (see v86/v86.h for the layout and the two views), and the
 * DDK's services on it: _MapIntoV86, _PhysIntoV86, _LinMapIntoV86, _ModifyPageBits,
 * _Assign_Device_V86_Pages, _DeAssign_Device_V86_Pages, Hook_V86_Page,
 * _Allocate_Global_V86_Data_Area, _GetFirstV86Page, _GetLastV86Page, _SetLastV86Page, Map_Flat,
 * Map_Lin_To_VM_Addr.
 */
#include "int/fault.h"
#include "v86/v86.h"
#include "int/int.h"
#include "sched/sched.h"
#include "mem/page.h"
#include "mem/heapsvc.h"
#include "console/console.h"
#include "lib/string.h"
#include "x86/x86.h"
#include "vmm.h"
#include "vmm/int.h"

_Static_assert(V86_IO_OUTPUT == Output && V86_IO_WORD_IN == Word_IO && V86_IO_DWORD_IN == Dword_IO &&
               V86_IO_STRING == String_IO && V86_IO_REP == Rep_IO && V86_IO_ADDR32 == Addr_32_IO &&
               V86_IO_REVERSE == Reverse_IO,
               "the monitor's I/O type bits are the DDK's (io_v86_access passes them on)");

#define PTE_V86     (PTE_P | PTE_U)         /* what every present V86 entry has */

/* The global pages [V86_BP_PAGE, first): their frames, mapped into every VM. */
static uint64_t global_frame[V86_PAGE_GLOBAL_MAX];
static uint32_t first_page = V86_BP_PAGE;       /* _GetFirstV86Page */
uint32_t v86_conv_last = V86_LAST_PAGE_DEFAULT; /* a new VM's _GetLastV86Page (ConvMemKB=) */
static uint32_t global_used;                    /* bytes of the global area handed out */
static int global_closed;                       /* after the VxDs' initialisation */

/* Who owns which V86 pages (_Assign_Device_V86_Pages): globally here, and per VM in its
 * v86_space (assigned_local); a page is one device's, globally or in each VM on its own. */
static uint8_t assigned_global[V86_PAGES];

static int assigned_in_a_vm(uint32_t p)
{
    FOR_EACH_VM(v)
        if (v->v86 && v->v86->assigned_local[p])
            return 1;
    return 0;
}

/* Hook_V86_Page: one handler a page. */
static v86_page_handler page_hooks[V86_PAGES];

struct v86_space *v86_of(uint32_t h)
{
    struct vm *vm = vm_of(h);
    return vm ? vm->v86 : 0;
}

struct v86_space *v86_current(void) { return thread_cur->vm->v86; }

static int current(const struct v86_space *s) { return s->vm->context == page_context_current(); }

/* The VM's view of page p: entry (frame | bits) or 0; the monitor's bitmaps follow it. */
static void pt_set(struct v86_space *s, uint32_t p, uint64_t entry)
{
    s->pt[2 * p] = 0;                           /* P off first, then the high half, P last */
    s->pt[2 * p + 1] = (uint32_t)(entry >> 32);
    s->pt[2 * p] = (uint32_t)entry;
    s->present[p] = (entry & PTE_P) != 0;
    s->writable[p] = (entry & (PTE_P | PTE_W)) == (PTE_P | PTE_W);
    if (current(s))
        invlpg(p << 12);
}

static uint64_t pt_get(const struct v86_space *s, uint32_t p)
{
    return s->pt[2 * p] | (uint64_t)s->pt[2 * p + 1] << 32;
}

void v86_map(struct v86_space *s, uint32_t p, uint64_t frame, int writable)
{
    uint32_t w = (s->window >> 12) + p;
    if (page_frame_of(s->window + (p << 12)))
        _PageDecommit(w, 1, 0);                 /* SW_PHYS: the frame is not freed */
    if (!frame) {
        pt_set(s, p, 0);
        return;
    }
    _PageCommitPhys(w, 1, (uint32_t)(frame >> 12), PC_WRITEABLE);
    pt_set(s, p, frame | PTE_V86 | (writable ? PTE_W : 0));
}

void v86_page_bits(struct v86_space *s, uint32_t p, uint32_t bits)
{
    uint64_t frame = page_frame_of(s->window + (p << 12));
    if (!frame || !(bits & P_PRES))
        pt_set(s, p, frame ? frame & ~(uint64_t)PTE_P : 0);     /* kept for P_PRES again */
    else
        pt_set(s, p, frame | PTE_V86 | (bits & P_WRITE ? PTE_W : 0));
}

/* The frame of page p of a block at lin. */
static uint64_t frame_at(uint32_t lin, uint32_t p) { return page_frame_of(lin + (p << 12)); }

/* The pages of the conventional memory, the global ones and the HMA, as a new VM has them. */
static void map_all(struct v86_space *s)
{
    for (uint32_t p = 0; p <= s->last; p++)
        v86_map(s, p, p >= V86_BP_PAGE && p < first_page ? global_frame[p - V86_BP_PAGE]
                                                           : frame_at(s->conv, p), 1);
    v86_set_a20(s, 0);
}

void v86_set_a20(struct v86_space *s, int on)
{
    if (on && !s->hhma) {
        uint64_t r = _PageAllocate(16, PG_SYS, 0, 0, 0, 0, 0, PAGEZEROINIT | PAGEFIXED);
        if (!PAGE_RET_LO(r)) {
            kprintf("v86: VM %u: no memory for the HMA; A20 stays off\n", s->vm->cb.CB_VMID);
            on = 0;
        } else
            s->hhma = PAGE_RET_LO(r);
    }
    uint32_t hma = on ? (uint32_t)(_PageGetSizeAddr(s->hhma, 0) >> 32) : 0;
    for (uint32_t i = 0; i < 16; i++) {
        uint64_t low = page_frame_of(s->window + (i << 12));    /* what page i maps now */
        v86_map(s, V86_HMA_FIRST + i, on ? frame_at(hma, i) : low, 1);
    }
    s->a20 = (uint8_t)on;
}

/* A new VM's IVT: every vector at the VMM's break point for it (break.c: the default). */
static void ivt_init(struct v86_space *s)
{
    uint32_t *ivt = (uint32_t *)s->window;
    for (uint32_t n = 0; n < 256; n++)
        ivt[n] = (uint32_t)V86_BP_SEG << 16 | (2 * n);
}

int v86_space_create(struct vm *vm)
{
    struct v86_space *s = _HeapAllocate(sizeof *s, HEAPZEROINIT);
    if (!s)
        return -1;
    s->vm = vm;
    s->last = v86_conv_last;
    uint64_t pt = _PageAllocate(1, PG_SYS, 0, 0, 0, 0, 0, PAGEZEROINIT | PAGEFIXED);
    uint64_t conv = _PageAllocate(s->last + 1, PG_SYS, 0, 0, 0, 0, 0, PAGEZEROINIT | PAGEFIXED);
    uint32_t win = _PageReserve(PR_SYSTEM, V86_PAGES, 0);
    s->hpt = PAGE_RET_LO(pt);
    s->hconv = PAGE_RET_LO(conv);
    if (!s->hpt || !s->hconv || win == 0xFFFFFFFFu) {
        kprintf("v86: VM %u: no memory for its V86 space (%u KB)\n", vm->cb.CB_VMID,
                (s->last + 1) * 4);
        if (win != 0xFFFFFFFFu)
            _PageFree(win, 0);
        _PageFree(s->hpt, 0);
        _PageFree(s->hconv, 0);
        _HeapFree(s, 0);
        return -1;
    }
    s->pt = (volatile uint32_t *)PAGE_RET_HI(pt);
    s->conv = PAGE_RET_HI(conv);
    s->window = win;
    s->mon.mem = (uint8_t *)win;
    s->mon.present = s->present;
    s->mon.writable = s->writable;
    s->mon.hooked = int_v86_hooked;
    s->mon.io = io_v86_access;                  /* straight to the I/O-trap table */
    s->mon.io_ctx = vm;
    s->mon.vif = V86_FL_IF;
    vm->cb.CB_High_Linear = win;
    vm->v86 = s;
    page_context_set_v86(vm->context, frame_at((uint32_t)s->pt, 0) | PTE_P | PTE_W | PTE_U);
    map_all(s);
    ivt_init(s);
    return 0;
}

void v86_space_reset(struct v86_space *s)
{
    uint8_t *m = (uint8_t *)s->window;
    memset(m, 0, 0x1000);                       /* the IVT, the BDA, up to the global pages */
    memset(m + (first_page << 12), 0, (s->last + 1 - first_page) << 12);
    ivt_init(s);
    if (s->a20)
        v86_set_a20(s, 0);
}

void v86_space_destroy(struct vm *vm)
{
    struct v86_space *s = vm->v86;
    page_context_set_v86(vm->context, 0);
    _PageFree(s->window, 0);                    /* every page SW_PHYS: no frame goes */
    _PageFree(s->hconv, 0);
    _PageFree(s->hpt, 0);
    if (s->hhma)
        _PageFree(s->hhma, 0);
    vm->v86 = 0;
    vm->cb.CB_High_Linear = 0;
    _HeapFree(s, 0);
}

/* ---- the services ------------------------------------------------------------------------- */

/* A V86 range [page, page + n) inside first..10Fh, for svc: the DDK's mapping services never
 * touch the first 64 KB (a 386 erratum), nor the global pages below the first V86 page. */
static int v86_range(const char *svc, uint32_t caller, uint32_t page, uint32_t n,
                     uint32_t first)
{
    if (!n || page < first || page >= V86_PAGE_LIMIT || n > V86_PAGE_LIMIT - page) {
        refused(svc, caller, "V86 pages %xh..+%u lie outside %xh..10Fh", page, n, first);
        return 0;
    }
    return 1;
}
#define MAP_FIRST(p) ((p) > 0x10u ? (p) : 0x10u)

uint32_t _MapIntoV86(uint32_t hmem, VMHANDLE vm, uint32_t vm_page, uint32_t npages,
                     uint32_t page_off, uint32_t flags)
{
    (void)flags;
    INTS_OFF();
    struct v86_space *s = v86_of(vm);
    uint64_t sa = _PageGetSizeAddr(hmem, 0);
    uint32_t size = PAGE_RET_LO(sa), lin = PAGE_RET_HI(sa);
    if (!s || !size || page_off > size || npages > size - page_off)
        return refused("_MapIntoV86", CALLER, "not a VM, not a memory handle, or pages %u..+%u "
                       "outside its %u", page_off, npages, size);
    if (!v86_range("_MapIntoV86", CALLER, vm_page, npages, MAP_FIRST(first_page)))
        return 0;
    for (uint32_t i = 0; i < npages; i++) {
        uint64_t f = frame_at(lin, page_off + i);
        if (!f)
            return refused("_MapIntoV86", CALLER, "page %u of the block is not committed",
                           page_off + i);
    }
    for (uint32_t i = 0; i < npages; i++) {
        v86_map(s, vm_page + i, frame_at(lin, page_off + i), 1);
        page_mark_v86(lin + ((page_off + i) << 12));
    }
    return 1;
}

uint32_t _PhysIntoV86(uint32_t phys_page, VMHANDLE vm, uint32_t vm_page, uint32_t npages,
                      uint32_t flags)
{
    (void)flags;
    INTS_OFF();
    struct v86_space *s = v86_of(vm);
    if (!s)
        return refused("_PhysIntoV86", CALLER, "%08x is not a VM", vm);
    if (!v86_range("_PhysIntoV86", CALLER, vm_page, npages, MAP_FIRST(first_page)))
        return 0;
    for (uint32_t i = 0; i < npages; i++)
        v86_map(s, vm_page + i, (uint64_t)(phys_page + i) << 12, 1);
    return 1;
}

uint32_t _LinMapIntoV86(uint32_t lin_page, VMHANDLE vm, uint32_t vm_page, uint32_t npages,
                        uint32_t flags)
{
    (void)flags;
    INTS_OFF();
    struct v86_space *s = v86_of(vm);
    if (lin_page < V86_PAGE_LIMIT)              /* a V86 page already: the DDK's rule */
        return lin_page;
    if (!s) {
        refused("_LinMapIntoV86", CALLER, "%08x is not a VM", vm);
        return 0;
    }
    if (!v86_range("_LinMapIntoV86", CALLER, vm_page, npages, MAP_FIRST(first_page)))
        return 0;
    for (uint32_t i = 0; i < npages; i++)
        if (!page_frame_of((lin_page + i) << 12))
            return refused("_LinMapIntoV86", CALLER, "linear page %xh is not a committed "
                           "system page", lin_page + i);
    for (uint32_t i = 0; i < npages; i++) {
        v86_map(s, vm_page + i, page_frame_of((lin_page + i) << 12), 1);
        page_mark_v86((lin_page + i) << 12);
    }
    return vm_page;
}

uint32_t _ModifyPageBits(VMHANDLE vm, uint32_t vm_page, uint32_t npages, uint32_t bit_and,
                         uint32_t bit_or, uint32_t ptype, uint32_t flags)
{
    (void)ptype;
    (void)flags;
    INTS_OFF();
    struct v86_space *s = v86_of(vm);
    if (!s || (~bit_and & ~(uint32_t)(P_AVAIL | P_DIRTY)) || (bit_or & ~(uint32_t)P_AVAIL))
        return refused("_ModifyPageBits", CALLER, "not a VM, or bits other than P_PRES, P_WRITE, "
                       "P_USER and (cleared only) P_DIRTY (AND %08x, OR %08x)", bit_and, bit_or);
    if (!v86_range("_ModifyPageBits", CALLER, vm_page, npages, first_page))
        return 0;
    if ((bit_or & P_PRES) || (!(bit_and & P_PRES) && ptype != PG_HOOKED))
        return refused("_ModifyPageBits", CALLER, "P_PRES can be cleared (with PG_HOOKED) but "
                       "never set (OR %08x, type %x)", bit_or, ptype);
    for (uint32_t i = 0; i < npages; i++)
        if (!(bit_and & P_PRES) && !page_hooks[vm_page + i])
            return refused("_ModifyPageBits", CALLER, "page %xh made not present has no "
                           "Hook_V86_Page handler", vm_page + i);
    for (uint32_t p = vm_page; p < vm_page + npages; p++) {
        uint64_t e = pt_get(s, p);
        uint64_t d = bit_and & P_DIRTY ? e & PTE_D : 0;    /* the CPU's dirty bit, kept or not */
        uint32_t bits = (e & PTE_P ? P_PRES : 0) | (e & PTE_W ? P_WRITE : 0) | P_USER;
        if (((bits & bit_and) | bit_or) != bits) {
            v86_page_bits(s, p, (bits & bit_and) | bit_or);     /* the entry anew, D clear */
            e = pt_get(s, p);
        }
        uint64_t n = e & PTE_P ? (e & ~(uint64_t)PTE_D) | d : e;
        if (n != e)
            pt_set(s, p, n);
    }
    return 1;
}

uint32_t _CopyPageTable(uint32_t lin_page, uint32_t npages, uint32_t *buf, uint32_t flags)
{
    (void)flags;
    INTS_OFF();
    struct v86_space *s = 0;
    uint32_t p = lin_page;
    if (lin_page < V86_PAGES) {
        s = thread_cur->vm->v86;
    } else {
        FOR_EACH_VM(v)
            if (v->v86 && lin_page - (v->v86->window >> 12) < V86_PAGES) {
                s = v->v86;
                p = lin_page - (v->v86->window >> 12);
                break;
            }
    }
    if (!s || !buf || !npages || npages > V86_PAGES - p)
        return refused("_CopyPageTable", CALLER, "pages %xh..+%u are not V86 pages of the current "
                       "VM nor of a VM's high linear address, or no buffer", lin_page, npages);
    for (uint32_t i = 0; i < npages; i++)
        buf[i] = (uint32_t)pt_get(s, p + i);
    return 1;
}

uint32_t _Assign_Device_V86_Pages(uint32_t vm_page, uint32_t npages, VMHANDLE vm,
                                  uint32_t flags)
{
    (void)flags;
    INTS_OFF();
    if (vm && !v86_of(vm))
        return refused("_Assign_Device_V86_Pages", CALLER, "%08x is not a VM", vm);
    if (!v86_range("_Assign_Device_V86_Pages", CALLER, vm_page, npages, 0))
        return 0;
    struct v86_space *s = vm ? v86_of(vm) : 0;
    for (uint32_t i = 0; i < npages; i++)       /* already a device's: the DDK's failure */
        if (assigned_global[vm_page + i] ||
            (s ? s->assigned_local[vm_page + i] : assigned_in_a_vm(vm_page + i)))
            return 0;
    for (uint32_t i = 0; i < npages; i++)
        *(s ? &s->assigned_local[vm_page + i] : &assigned_global[vm_page + i]) = 1;
    return 1;
}

uint32_t _DeAssign_Device_V86_Pages(uint32_t vm_page, uint32_t npages, VMHANDLE vm,
                                    uint32_t flags)
{
    (void)flags;
    INTS_OFF();
    if (vm && !v86_of(vm))
        return refused("_DeAssign_Device_V86_Pages", CALLER, "%08x is not a VM", vm);
    if (!v86_range("_DeAssign_Device_V86_Pages", CALLER, vm_page, npages, 0))
        return 0;
    uint8_t *a = vm ? v86_of(vm)->assigned_local : assigned_global;
    for (uint32_t i = 0; i < npages; i++)
        if (!a[vm_page + i])
            return refused("_DeAssign_Device_V86_Pages", CALLER, "page %xh is not assigned%s",
                           vm_page + i, vm ? " in that VM" : " globally");
    for (uint32_t i = 0; i < npages; i++)
        a[vm_page + i] = 0;
    return 1;
}

uint32_t Hook_V86_Page(uint32_t page, v86_page_handler h)
{
    INTS_OFF();
    if (!h || page >= V86_PAGE_LIMIT || page <= V86_LAST_PAGE_DEFAULT || page_hooks[page])
        return refused("Hook_V86_Page", CALLER, "page %xh: not a V86 page above conventional "
                       "memory (A0h..10Fh), no handler, or hooked already", page);
    page_hooks[page] = h;
    return 1;
}

uint32_t _Allocate_Global_V86_Data_Area(uint32_t nbytes, uint32_t flags)
{
    INTS_OFF();
    uint32_t align = flags & GVDAPageAlign ? 4096 : flags & GVDAParaAlign ? 16
                   : flags & GVDADWordAlign ? 4 : flags & GVDAWordAlign ? 2 : 1;
    uint32_t base = V86_BP_PAGE << 12, at = (global_used + align - 1) & ~(align - 1);
    if (global_closed || !nbytes || nbytes > V86_PAGE_GLOBAL_MAX * 4096u ||
        at + nbytes > V86_PAGE_GLOBAL_MAX * 4096u)
        return refused("_Allocate_Global_V86_Data_Area", CALLER, "%u bytes: after the devices' "
                       "initialisation, or more than the %u KB global area", nbytes,
                       V86_PAGE_GLOBAL_MAX * 4);
    while (first_page < V86_BP_PAGE + (at + nbytes + 4095) / 4096) {   /* a new global page */
        uint32_t g = first_page - V86_BP_PAGE;
        uint64_t r = _PageAllocate(1, PG_SYS, 0, 0, 0, 0, 0, PAGEZEROINIT | PAGEFIXED);
        if (!PAGE_RET_LO(r))
            return refused("_Allocate_Global_V86_Data_Area", CALLER, "out of memory");
        global_frame[g] = frame_at(PAGE_RET_HI(r), 0);
        first_page++;
        FOR_EACH_VM(v)                          /* into every VM there is */
            if (v->v86)
                v86_map(v->v86, V86_BP_PAGE + g, global_frame[g], 1);
    }
    global_used = at + nbytes;
    uint32_t lin = base + at;
    if (flags & GVDAZeroInit)
        memset((uint8_t *)vm_system()->v86->window + lin, 0, nbytes);
    return lin;
}

void v86_global_close(void) { global_closed = 1; }

uint32_t _GetFirstV86Page(void) { return first_page; }

uint32_t Set_V86_A20(VMHANDLE vm, uint32_t on)
{
    INTS_OFF();
    struct v86_space *s = v86_of(vm);
    if (!s)
        return refused("Set_V86_A20", CALLER, "%08x is not a VM", vm);
    if ((on != 0) != s->a20)
        v86_set_a20(s, on != 0);
    return s->a20 == (on != 0);                 /* 0: no memory for the HMA (said why) */
}

uint32_t Get_V86_A20(VMHANDLE vm)
{
    INTS_OFF();
    struct v86_space *s = v86_of(vm);
    if (!s)
        return refused("Get_V86_A20", CALLER, "%08x is not a VM", vm), 0xFFFFFFFFu;
    return s->a20;
}

uint32_t Get_VM_Last_V86_Page(VMHANDLE vm)
{
    INTS_OFF();
    struct v86_space *s = v86_of(vm);
    if (!s)
        return refused("Get_VM_Last_V86_Page", CALLER, "%08x is not a VM", vm);
    return s->last;
}

uint32_t _GetLastV86Page(void)
{
    struct v86_space *s = v86_current();
    return s ? s->last : 0;
}

uint32_t _SetLastV86Page(uint32_t page, uint32_t flags)
{
    (void)flags;
    INTS_OFF();
    struct v86_space *s = v86_current();
    uint32_t have = s ? (uint32_t)_PageGetSizeAddr(s->hconv, 0) : 0;
    if (!s || page < first_page || page >= 0x100)
        return refused("_SetLastV86Page", CALLER, "page %xh is not between the first V86 page "
                       "%xh and FFh", page, first_page);
    if (page + 1 > have) {                      /* more memory: a bigger block, same contents */
        uint64_t r = _PageReAllocate(s->hconv, page + 1, PAGEZEROREINIT);
        if (!PAGE_RET_LO(r))
            return refused("_SetLastV86Page", CALLER, "out of memory for %u KB", (page + 1) * 4);
        s->hconv = PAGE_RET_LO(r);
        s->conv = PAGE_RET_HI(r);
    }
    uint32_t old = s->last;
    s->last = page;
    for (uint32_t p = first_page; p <= (old > page ? old : page); p++)
        v86_map(s, p, p <= page ? frame_at(s->conv, p) : 0, 1);
    if (!s->a20)
        v86_set_a20(s, 0);                      /* the wrap follows pages 0-Fh */
    return 1;
}

unsigned v86_space_purge(uint32_t lo, uint32_t hi)
{
    INTS_OFF();
    unsigned n = 0;
    for (unsigned p = 0; p < V86_PAGES; p++)
        if (page_hooks[p] && (uint32_t)page_hooks[p] - lo < hi - lo) {
            page_hooks[p] = 0;                  /* a fault there now ends the VM */
            n++;
        }
    return n;
}

/* The fault path's V86 page faults (faults.c): Hook_V86_Page's handler for the page, if any. */
int v86_page_fault(struct v86_space *s, uint32_t lin, int write)
{
    uint32_t p = lin >> 12;
    if (p >= V86_PAGE_LIMIT || !page_hooks[p])
        return 0;
    uint32_t ret;
    switch (foreign_call((void *)page_hooks[p], &ret, "Hook_V86_Page handler", p,
                         (uint32_t)s->vm, 0, 0, 0)) {
    case FOREIGN_DIRECT:
        page_hooks[p](p, (VMHANDLE)s->vm);
        break;
    case FOREIGN_ABANDONED:
        return 0;
    }
    return v86_page_ok(write ? s->writable : s->present, lin);
}

uint32_t Map_Flat(uint32_t seg_offset, uint32_t off_offset)
{
    struct v86_space *s = v86_current();
    const uint8_t *r = s ? (const uint8_t *)s->vm->cb.CB_Client_Pointer : 0;
    if (!r || seg_offset > sizeof(struct client_regs) - 2 ||
        (off_offset != Client_No_Offset && off_offset > sizeof(struct client_regs) - 2))
        return refused("Map_Flat", CALLER, "not a V86 VM, or client offsets %02x:%02x outside "
                       "Client_Reg_Struc", seg_offset, off_offset) | 0xFFFFFFFFu;
    uint32_t seg = *(const uint16_t *)(r + seg_offset);
    uint32_t off = off_offset == Client_No_Offset ? 0 : *(const uint16_t *)(r + off_offset);
    return (seg << 4) + off;
}
