/*
 * V86 break points: an ARPL instruction (63h C0h) in V86 memory, which V86 mode cannot execute
 * (#UD); the fault path brings CS:IP here (v86_break) and the owner's procedure runs with the
 * client state.
 *
 * The VMM's own live in its global break-point page, 0100:0000-0FFF (V86_BP_PAGE, the same
 * frame in every VM), one slot every 2 bytes:
 *
 *   slots 0-255     the default handler of each interrupt vector: every new VM's IVT points
 *                   here.  An IRET for most; for INT 00h and 06h (divide error, invalid
 *                   opcode: a program with no handler of its own) the end of the VM
 *   slot 256        nested execution's return (exec.c)
 *   slots 257-      handed out: Allocate_V86_Call_Back (for good), Call_When_VM_Returns and the
 *                   V86 API entries of VxDs (INT 2Fh AX=1684h).  An unloaded VxD's call backs
 *                   and entries stay taken, as BP_GONE: a VM may still hold the address, and
 *                   calling it ends that VM with a report, never runs freed code
 *
 * Install_V86_Break_Point puts one anywhere in a VM's RAM, saving the two bytes it covers.
 */
#pragma GCC optimize("omit-frame-pointer")   /* on the V86 trap path; see mem/heap.c */
#include "int/fault.h"
#include "v86/v86.h"
#include "vmm/vxd.h"
#include "int/int.h"
#include "int/timer.h"
#include "mem/heapsvc.h"
#include "vmm/thread.h"
#include "console/console.h"
#include "x86/x86.h"
#include "vmm.h"

#define SLOT_NEST       256u
#define SLOT_FIRST_FREE 257u

enum { BP_NONE, BP_DEFAULT, BP_NEST, BP_CALLBACK, BP_RETURN, BP_API,
       BP_GONE };                       /* a call back or API entry of a VxD since unloaded */

static struct slot {
    uint8_t kind;
    v86_callback proc;                  /* BP_CALLBACK */
    void *ref;
    struct v86_return *ret;             /* BP_RETURN */
} slots[V86_BP_MAX];
static unsigned next_free = SLOT_FIRST_FREE;
static uint32_t bp_lin;                 /* the page's V86 linear address */

/* Call_When_VM_Returns, pending. */
struct v86_return {
    v86_return_proc proc;
    void *ref;
    struct vm *vm;
    uint16_t cs, ip;                    /* where the VM returns to */
    uint32_t timeout;                   /* the time-out's handle, or 0 */
    int32_t timeout_ms;
    unsigned slot;
};

/* Install_V86_Break_Point's. */
static struct installed {
    uint32_t lin;                       /* V86 linear address */
    struct vm *vm;                      /* its VM; NULL in the global area */
    uint8_t saved[2];
    v86_callback proc;
    void *ref;
} inst[64];
static unsigned ninst;

/* Install_V86_Break_Point's at lin as VM s sees it (its own, or one in the global area), or
 * NULL; inst_remove puts its bytes back (in the VM's memory, or the global frames through any
 * VM's window) and forgets it. */
static struct installed *inst_find(const struct v86_space *s, uint32_t lin)
{
    for (unsigned i = 0; i < ninst; i++)
        if (inst[i].lin == lin && (!inst[i].vm || inst[i].vm == s->vm))
            return &inst[i];
    return 0;
}

static void inst_remove(struct installed *b)
{
    uint8_t *mem = (b->vm ? b->vm->v86 : vm_system()->v86)->mon.mem;
    mem[b->lin] = b->saved[0];
    mem[b->lin + 1] = b->saved[1];
    *b = inst[--ninst];
}

static uint32_t slot_segoff(unsigned slot) { return (uint32_t)V86_BP_SEG << 16 | (2 * slot); }

static unsigned slot_take(uint8_t kind)
{
    for (unsigned i = next_free; i < V86_BP_MAX; i++)
        if (slots[i].kind == BP_NONE) {
            slots[i].kind = kind;
            return i;
        }
    return 0;
}

static void slot_free(unsigned i)
{
    slots[i] = (struct slot){ 0 };
}

int v86_break_init(void)
{
    uint32_t lin = _Allocate_Global_V86_Data_Area(4096, GVDAPageAlign | GVDAZeroInit);
    if (lin != V86_BP_PAGE << 12) {
        kprintf("v86: no global page for the VMM's break points (got %08x)\n", lin);
        return -1;
    }
    bp_lin = lin;
    uint8_t *p = (uint8_t *)vm_system()->v86->window + lin;    /* the global frame */
    for (unsigned i = 0; i < V86_BP_MAX; i++) {
        p[2 * i] = 0x63;                            /* ARPL AX, AX */
        p[2 * i + 1] = 0xC0;
    }
    for (unsigned n = 0; n < 256; n++)
        slots[n].kind = BP_DEFAULT;
    slots[SLOT_NEST].kind = BP_NEST;
    return 0;
}

uint32_t v86_nest_segoff(void) { return slot_segoff(SLOT_NEST); }

/* The default of vector n: an IRET, or the end of a VM with no handler for 00h / 06h. */
static void default_int(struct v86_space *s, struct client_regs *r, unsigned n)
{
    if (!v86_pop_far(s, r, 0, 1))
        v86_crash(r, "an interrupt returned to a stack it cannot pop");
    if (n == 0)
        v86_crash(r, "#DE divide error, and the program has no handler for INT 00h");
    if (n == 6)
        v86_crash(r, "#UD invalid opcode, and the program has no handler for INT 06h");
}

/* An API entry (INT 2Fh AX=1684h): the far call returns first, then the VxD's procedure. */
static void api(struct v86_space *s, struct client_regs *r, struct slot *sl)
{
    if (!v86_pop_far(s, r, 0, 0))
        v86_crash(r, "a far call to a V86 API entry left no return address on its stack");
    uint32_t ret;
    if (foreign_call((void *)sl->proc, &ret, "V86 API procedure", (uint32_t)s->vm, (uint32_t)r,
                     0, 0, 0) == FOREIGN_DIRECT)
        ((v86_api_proc)(uintptr_t)sl->proc)((VMHANDLE)s->vm, r);
}

/* A VxD's V86 call back, break point or return procedure: proc(vm, ref, r, timed_out). */
static inline __attribute__((always_inline)) void
call_v86_proc(void *proc, const char *what, struct v86_space *s, void *ref, struct client_regs *r,
              int timed_out)
{
    uint32_t ret;
    if (foreign_call(proc, &ret, what, (uint32_t)s->vm, (uint32_t)ref, (uint32_t)r,
                     (uint32_t)timed_out, 0) == FOREIGN_DIRECT)
        ((v86_return_proc)(uintptr_t)proc)((VMHANDLE)s->vm, ref, r, timed_out);
}

static void returned(struct v86_space *s, struct client_regs *r, unsigned slot);

int v86_break(struct v86_space *s, struct client_regs *r)
{
    uint32_t lin = v86_seg_base(r->cs) + (r->eip & 0xFFFF);
    if (lin - bp_lin < 4096 && !(lin & 1)) {
        unsigned i = (lin - bp_lin) / 2;
        struct slot *sl = &slots[i];
        switch (sl->kind) {
        case BP_DEFAULT:
            default_int(s, r, i);
            return 1;
        case BP_NEST:
            v86_nest_bp(s, r);
            return 1;
        case BP_CALLBACK:                       /* the DDK (Win95): the far return first */
            if (!v86_pop_far(s, r, 0, 0))
                v86_crash(r, "a far call to a V86 call back left no return address on its "
                          "stack");
            call_v86_proc((void *)sl->proc, "V86 call back", s, sl->ref, r, 0);
            return 1;
        case BP_API:
            api(s, r, sl);
            return 1;
        case BP_RETURN:
            returned(s, r, i);
            return 1;
        case BP_GONE:
            v86_crash(r, "a call back or V86 API entry of a VxD that has been unloaded");
        default:
            return 0;
        }
    }
    struct installed *b = inst_find(s, lin);
    if (b)
        call_v86_proc((void *)b->proc, "V86 break point procedure", s, b->ref, r, 0);
    return b != 0;
}

/* ---- the services ------------------------------------------------------------------------- */

uint32_t Allocate_V86_Call_Back(void *ref, v86_callback proc)
{
    INTS_OFF();
    unsigned i = proc ? slot_take(BP_CALLBACK) : 0;
    if (!i)
        return refused("Allocate_V86_Call_Back", CALLER, "%s", proc ? "every call back is taken"
                       : "no procedure");
    slots[i].proc = proc;
    slots[i].ref = ref;
    return slot_segoff(i);
}

uint32_t v86_api_entry(void *proc)
{
    INTS_OFF();
    unsigned i = slot_take(BP_API);
    if (!i)
        return 0;
    slots[i].proc = (v86_callback)(uintptr_t)proc;
    return slot_segoff(i);
}

uint32_t Install_V86_Break_Point(uint32_t seg_off, void *ref, v86_callback proc)
{
    INTS_OFF();
    struct v86_space *s = v86_current();
    uint32_t lin = v86_seg_base(seg_off >> 16) + (seg_off & 0xFFFF);
    if (!s || !proc || ninst == sizeof inst / sizeof inst[0] || lin + 2 > V86_SPACE ||
        !v86_page_ok(s->writable, lin) || !v86_page_ok(s->writable, lin + 1) ||
        lin - bp_lin < 4096)
        return refused("Install_V86_Break_Point", CALLER, "%04x:%04x: not RAM the current VM "
                       "can write, no procedure, or 64 break points already", seg_off >> 16,
                       seg_off & 0xFFFF);
    if (inst_find(s, lin))
        return refused("Install_V86_Break_Point", CALLER, "%04x:%04x has one already",
                       seg_off >> 16, seg_off & 0xFFFF);
    uint8_t *p = s->mon.mem + lin;
    struct installed *b = &inst[ninst++];
    b->lin = lin;
    b->vm = (lin >> 12) >= V86_BP_PAGE && (lin >> 12) < _GetFirstV86Page() ? 0 : s->vm;
    b->saved[0] = p[0];
    b->saved[1] = p[1];
    b->proc = proc;
    b->ref = ref;
    p[0] = 0x63;
    p[1] = 0xC0;
    return 1;
}

uint32_t Remove_V86_Break_Point(uint32_t seg_off)
{
    INTS_OFF();
    struct v86_space *s = v86_current();
    uint32_t lin = v86_seg_base(seg_off >> 16) + (seg_off & 0xFFFF);
    struct installed *b = s ? inst_find(s, lin) : 0;
    if (b) {
        inst_remove(b);
        return 1;
    }
    return refused("Remove_V86_Break_Point", CALLER, "%04x:%04x is not a break point",
                   seg_off >> 16, seg_off & 0xFFFF);
}

/* A VM going away takes its break points and pending returns with it. */
void v86_break_forget(struct vm *vm)
{
    for (unsigned i = 0; i < ninst;)
        if (inst[i].vm == vm)
            inst[i] = inst[--ninst];
        else
            i++;
    for (unsigned i = SLOT_FIRST_FREE; i < V86_BP_MAX; i++)
        if (slots[i].kind == BP_RETURN && slots[i].ret->vm == vm) {
            if (slots[i].ret->timeout)
                Cancel_Time_Out(slots[i].ret->timeout);
            _HeapFree(slots[i].ret, 0);
            slot_free(i);
        }
}

/* An unloaded VxD's code [lo, hi) (v86.h: v86_purge). */
unsigned v86_break_purge(uint32_t lo, uint32_t hi)
{
    INTS_OFF();
    unsigned n = 0;
    for (unsigned i = SLOT_FIRST_FREE; i < V86_BP_MAX; i++) {
        struct slot *sl = &slots[i];
        if ((sl->kind == BP_CALLBACK || sl->kind == BP_API) && (uint32_t)sl->proc - lo < hi - lo) {
            *sl = (struct slot){ .kind = BP_GONE };
            n++;
        } else if (sl->kind == BP_RETURN && (uint32_t)sl->ret->proc - lo < hi - lo) {
            sl->ret->proc = 0;                  /* the VM still returns where it was */
            n++;
        }
    }
    for (unsigned i = 0; i < ninst;)
        if ((uint32_t)inst[i].proc - lo < hi - lo) {
            inst_remove(&inst[i]);
            n++;
        } else {
            i++;
        }
    return n;
}

/* ---- Call_When_VM_Returns ------------------------------------------------------------------- */

static void return_timeout(uint32_t late_ms, void *ref)
{
    (void)late_ms;
    struct v86_return *rt = ref;
    INTS_OFF();
    rt->timeout = 0;
    struct v86_space *s = rt->vm->v86;
    if (!s)
        return;
    if (rt->proc)
        call_v86_proc((void *)rt->proc, "Call_When_VM_Returns procedure", s, rt->ref,
                      v86_client(s), 1);
    if (rt->timeout_ms > 0) {               /* once: nobody is called at the return */
        struct client_regs *r = v86_client(s);
        if (r && (r->cs & 0xFFFF) == V86_BP_SEG && (r->eip & 0xFFFF) == 2 * rt->slot) {
            r->cs = rt->cs;                 /* the VM is at the slot already: back where it */
            r->eip = rt->ip;                /* was, and the slot is free */
            slot_free(rt->slot);
            _HeapFree(rt, 0);
        } else {
            rt->proc = 0;                   /* its stack still holds the slot's address: the */
        }                                   /* slot stays its until it returns or ends */
    }
}

static void returned(struct v86_space *s, struct client_regs *r, unsigned slot)
{
    struct v86_return *rt = slots[slot].ret;
    if (rt->timeout)
        Cancel_Time_Out(rt->timeout);
    r->cs = rt->cs;
    r->eip = rt->ip;
    slot_free(slot);
    v86_return_proc proc = rt->proc;
    void *ref = rt->ref;
    _HeapFree(rt, 0);
    if (proc)                                   /* 0: its VxD was unloaded meanwhile */
        call_v86_proc((void *)proc, "Call_When_VM_Returns procedure", s, ref, r, 0);
}

uint32_t Call_When_VM_Returns(int32_t timeout_ms, void *ref, v86_return_proc proc)
{
    INTS_OFF();
    struct v86_space *s = v86_current();
    struct client_regs *r = s ? v86_client(s) : 0;
    struct v86_return *rt = r && proc ? _HeapAllocate(sizeof *rt, HEAPZEROINIT) : 0;
    unsigned i = rt ? slot_take(BP_RETURN) : 0;
    if (!i) {
        if (rt)
            _HeapFree(rt, 0);
        return refused("Call_When_VM_Returns", CALLER, "%s", !r ? "not a V86 VM's thread"
                       : !proc ? "no procedure" : "out of memory or call backs");
    }
    rt->proc = proc;
    rt->ref = ref;
    rt->vm = s->vm;
    rt->cs = (uint16_t)r->cs;
    rt->ip = (uint16_t)r->eip;
    rt->slot = i;
    rt->timeout_ms = timeout_ms;
    if (timeout_ms)
        rt->timeout = Set_VM_Time_Out(return_timeout, timeout_ms < 0 ? (uint32_t)-timeout_ms
                                                                     : (uint32_t)timeout_ms,
                                      (VMHANDLE)s->vm, rt);
    slots[i].ret = rt;
    r->cs = V86_BP_SEG;
    r->eip = 2 * i;
    return 1;
}
