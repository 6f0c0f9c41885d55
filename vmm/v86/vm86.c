/*
 * V86 VMs: the V86 layer's set-up (v86_init: the system VM's V86 space, the VMM's break points,
 * the fault path's monitor, the hooks on every VM's life), VMs that run real-mode code
 * (Create_V86_VM and the thread that enters V86 mode), local I/O trapping (switched with the
 * VM), and the enhanced-mode Windows API real-mode programs find through INT 2Fh:
 *
 *   AX=1600h   Windows version: AL = 04h, AH = 00h (4.00, as Windows 95)
 *   AX=1680h   release the rest of the time slice; AL = 00h
 *   AX=1683h   BX = the VM's ID
 *   AX=1684h   BX = device ID (or 0 and ES:DI = its 8-character name): ES:DI = the entry point
 *              of the VxD's DDB_V86_API_Proc (a call back), or 0:0
 */
#include "v86/v86.h"
#include "vmm/vxd.h"
#include "vxd/vxd.h"
#include "int/int.h"
#include "sched/sched.h"
#include "console/console.h"
#include "lib/string.h"
#include "x86/trap.h"
#include "x86/x86.h"
#include "vmm.h"

/* ---- the thread that runs a VM's V86 code -------------------------------------------------- */

static void v86_thread(void *arg)
{
    struct v86_space *s = arg;
    struct client_regs *r = (struct client_regs *)(thread_cur->stack_top - sizeof *r);
    irq_disable();
    memset(r, 0, sizeof *r);
    r->eip = s->start.ip;
    r->cs = s->start.cs;
    r->esp = s->start.sp;
    r->ss = s->start.ss;
    r->ds = r->es = r->fs = r->gs = s->start.load_seg;
    r->eflags = EFLAGS_VM | EFLAGS_IF | 0x2;        /* IOPL 0: the sensitive ones trap */
    s->vm->cb.CB_Client_Pointer = (uint32_t)r;
    trap_resume(r);             /* a request made before it ran: delivered at its first trap */
}

/* What is wrong with st for svc (the reason printed), or 0: an image inside 0500h-0FFFh (above
 * the IVT and the BDA, below the global pages) or inside the VM's own pages, up to the end of
 * its conventional memory; check_weight: Create_V86_VM's weight too. */
static int bad_start(const char *svc, uint32_t caller, const struct v86_start *st,
                     int check_weight)
{
    uint32_t at = st ? (uint32_t)st->load_seg << 4 : 0;
    int low = at >= 0x500 && st && st->size <= 0x1000 - at;
    int weight_bad = st && check_weight && (st->weight < 1 || st->weight > 10000);
    if (!st || !st->image || !st->size || weight_bad ||
        (!low && (at < (_GetFirstV86Page() << 12) || at + st->size > (v86_conv_last + 1) << 12)))
        return refused(svc, caller, "no image, a weight outside 1..10000, or %u bytes at "
                       "%04x:0000 outside the VM's conventional memory", st ? st->size : 0,
                       st ? st->load_seg : 0), 1;
    return 0;
}

/* st's image into vm's memory, and the thread that runs it; the thread, or NULL. */
static struct thread *start_thread(struct vm *vm, const struct v86_start *st)
{
    struct v86_space *s = vm->v86;              /* every VM has one (vm_create) */
    memcpy(s->mon.mem + ((uint32_t)st->load_seg << 4), st->image, st->size);
    s->start = *st;
    s->crash[0] = 0;
    s->thread = (struct thread *)thread_create_in(vm, v86_thread, s, CUR_RUN_VM_BOOST,
                                                   vm->weight);
    return s->thread;
}

VMHANDLE Create_V86_VM(const struct v86_start *st)
{
    if (bad_start("Create_V86_VM", CALLER, st, 1))
        return 0;
    VMHANDLE h = Create_VM(st->weight);
    if (!h)
        return refused("Create_V86_VM", CALLER, "Create_VM failed (the reason above)");
    INTS_OFF();
    if (!start_thread(vm_of(h), st)) {
        Destroy_VM(h);
        return refused("Create_V86_VM", CALLER, "no thread for the VM");
    }
    return h;
}

uint32_t Create_V86_Thread(VMHANDLE h, const struct v86_start *st)
{
    if (bad_start("Create_V86_Thread", CALLER, st, 0))
        return 0;
    INTS_OFF();
    struct vm *vm = vm_of(h);
    if (!vm || !vm->v86 || vm->v86->thread ||
        (vm->cb.CB_VM_Status & (VMSTAT_NOT_EXECUTEABLE | VMSTAT_CLOSING)))
        return refused("Create_V86_Thread", CALLER, "%08x is not a VM, or one that runs V86 "
                       "code already or is ending", h);
    struct thread *t = start_thread(vm, st);
    if (!t)
        return refused("Create_V86_Thread", CALLER, "no thread for the VM");
    return (uint32_t)t;
}

const char *Get_VM_Crash_Report(VMHANDLE vm)
{
    INTS_OFF();
    struct v86_space *s = v86_of(vm);
    return s ? s->crash : "";
}

/* What the VMM holds for s's V86 code -- virtual interrupts and call backs due, nested
 * executions, break points and returns -- forgotten: the VM goes, or its code ends. */
static void forget(struct v86_space *s)
{
    s->kill = 0;
    s->irr = 0;
    s->nie = 0;
    s->intr = 0;
    v86_update_due(s);
    v86_nest_forget(s);
    v86_break_forget(s->vm);
}

/* ---- a crash in a VM that stays (the system VM) -------------------------------------------- */

uint32_t v86_code_resets;

/* The event after it: the thread goes, the VM's V86 state and memory back to a new VM's, and
 * the devices told (VM_V86_RESET), theirs too. */
static void code_reset(void *ref)
{
    struct v86_space *s = ref;
    {
        INTS_OFF();
        if (s->thread)
            VMMTerminateThread((THREADHANDLE)s->thread);
        s->thread = 0;
        s->vm->cb.CB_Client_Pointer = 0;        /* it was on that thread's stack */
        s->halted = s->hung = s->cli_seen = 0;
        forget(s);
        v86_space_reset(s);
        v86_code_resets++;
    }
    vm_send(VM_V86_RESET, s->vm, VNE_CRASHED);
}

/* Crash_Cur_VM in a VM that stays: 0 unless the caller is the thread that runs vm's V86 code;
 * else that thread waits, never woken, for the event that ends it. */
static int crash_code(struct vm *vm, uint32_t caller)
{
    struct v86_space *s = vm->v86;
    if (!s || s->thread != thread_cur)
        return 0;
    kprintf("Crash_Cur_VM: the V86 code of VM %u (the system VM) crashed (caller %08x); it "
            "ends, the VM stays\n", vm->cb.CB_VMID, caller);
    Schedule_Global_Event(code_reset, s);
    thread_block_self();
    return 1;                                   /* not reached */
}

/* ---- the VM hooks --------------------------------------------------------------------------- */

static int vm_create(struct vm *vm) { return v86_space_create(vm); }

static void vm_destroy(struct vm *vm)
{
    struct v86_space *s = vm->v86;
    forget(s);
    if (s->nlocal)
        vm_v86_local_vms--;
    v86_space_destroy(vm);
}

/* Local trapping (below) follows the VM: the ports the VM leaving has its own way go back to
 * the global state, then the next one's own.  Called only while some VM has such ports. */
static void vm_switch(struct vm *from, struct vm *to)
{
    for (unsigned i = 0; from->v86 && i < from->v86->nlocal; i++)
        io_bit(from->v86->local[i].port, io_global_traps(from->v86->local[i].port));
    for (unsigned i = 0; to->v86 && i < to->v86->nlocal; i++)
        io_bit(to->v86->local[i].port, to->v86->local[i].trap);
}

static const struct vm_v86_ops ops = { vm_create, vm_destroy, vm_switch, crash_code };

/* ---- local trapping ------------------------------------------------------------------------- */


/* The index of port among s's own settings, or s->nlocal if it has none for it. */
static unsigned local_find(const struct v86_space *s, unsigned port)
{
    unsigned i = 0;
    while (i < s->nlocal && s->local[i].port != port)
        i++;
    return i;
}

static uint32_t local(const char *svc, uint32_t caller, VMHANDLE vm, unsigned port, int trap)
{
    INTS_OFF();
    struct v86_space *s = v86_of(vm);
    if (!s || !io_handled(port))
        return refused(svc, caller, "VM %08x is not one, or port %04x has no I/O handler", vm,
                       port);
    unsigned i = local_find(s, port);
    if (i == s->nlocal) {
        if (s->nlocal == sizeof s->local / sizeof s->local[0])
            return refused(svc, caller, "VM %08x has 16 ports of its own already", vm);
        if (!s->nlocal++)
            vm_v86_local_vms++;                 /* VM switches now call vm_switch */
    }
    s->local[i].port = (uint16_t)port;
    s->local[i].trap = (uint8_t)trap;
    if (thread_cur->vm == s->vm)
        io_bit(port, trap);
    return 1;
}

/* For the I/O layer: the current VM's own setting of port, or -1; and every VM's dropped. */
static int local_own(unsigned port)
{
    const struct v86_space *s = thread_cur->vm->v86;
    unsigned i = s ? local_find(s, port) : 0;
    return s && i < s->nlocal ? s->local[i].trap : -1;
}

static void local_forget(unsigned port)
{
    FOR_EACH_VM(v) {
        struct v86_space *s = v->v86;
        unsigned i = s ? local_find(s, port) : 0;
        if (s && i < s->nlocal) {
            s->local[i] = s->local[--s->nlocal];
            if (!s->nlocal)
                vm_v86_local_vms--;
        }
    }
}

static const struct io_local_ops local_ops = { local_own, local_forget };

uint32_t Enable_Local_Trapping(VMHANDLE vm, unsigned port)
{
    return local("Enable_Local_Trapping", CALLER, vm, port, 1);
}

uint32_t Disable_Local_Trapping(VMHANDLE vm, unsigned port)
{
    return local("Disable_Local_Trapping", CALLER, vm, port, 0);
}

uint32_t Map_Lin_To_VM_Addr(uint32_t lin, uint32_t *seg_off)
{
    if (lin >= 0x10FFF0u || !seg_off)
        return refused("Map_Lin_To_VM_Addr", CALLER, "%08x is above the V86 space, or no "
                       "place for the result", lin);
    if (lin >= 0x100000u)                   /* the HMA: FFFF:0010 on */
        *seg_off = 0xFFFFu << 16 | (lin - 0xFFFF0u);
    else
        *seg_off = (lin >> 4) << 16 | (lin & 15);
    return 1;
}

/* ---- INT 2Fh: the enhanced-mode Windows API ------------------------------------------------- */

static struct VxD_Desc_Block *named(struct v86_space *s, const struct client_regs *r)
{
    uint32_t lin = v86_seg_base(r->es) + (r->edi & 0xFFFF);
    char name[9];
    for (unsigned i = 0; i < 8; i++) {
        if (lin + i >= V86_SPACE || !v86_page_ok(s->present, lin + i))
            return 0;
        name[i] = (char)s->mon.mem[lin + i];
    }
    name[8] = 0;
    struct VxD_Desc_Block *d = Get_DDB(0, name);
    return d && !memcmp(d->DDB_Name, name, 8) ? d : 0;     /* the DDK: case matters */
}

static int int2f(struct client_regs *r, void *ref)
{
    (void)ref;
    struct v86_space *s = v86_current();
    switch (r->eax & 0xFFFF) {
    case 0x1600:
        r->eax = (r->eax & 0xFFFF0000u) | 0x0004;           /* AL 4, AH 0: version 4.00 */
        return 0;
    case 0x1680:
        r->eax &= ~0xFFu;
        Release_Time_Slice();
        return 0;
    case 0x1683:
        r->ebx = (r->ebx & 0xFFFF0000u) | (thread_cur->vm->cb.CB_VMID & 0xFFFF);
        return 0;
    case 0x1684: {
        uint32_t id = r->ebx & 0xFFFF, entry = 0;
        struct VxD_Desc_Block *d = id ? Get_DDB(id, 0) : s ? named(s, r) : 0;
        if (d && d->DDB_V86_API_Proc) {
            if (!d->DDB_V86_API_CSIP)
                d->DDB_V86_API_CSIP = v86_api_entry((void *)d->DDB_V86_API_Proc);
            entry = d->DDB_V86_API_CSIP;
        }
        r->es = entry >> 16;
        r->edi = (r->edi & 0xFFFF0000u) | (entry & 0xFFFF);
        return 0;
    }
    default:
        return 1;                                           /* not ours: pass it on */
    }
}

/* ---- set-up ------------------------------------------------------------------------------- */

unsigned v86_purge(uint32_t lo, uint32_t hi)
{
    unsigned n = v86_break_purge(lo, hi) + v86_space_purge(lo, hi) + v86_pic_purge(lo, hi);
    FOR_EACH_VM(v)
        if (v->v86)
            n += v86_vint_purge(v->v86, lo, hi);
    return n;
}

int v86_init(uint32_t conv_kb)
{
    v86_conv_last = conv_kb / 4 - 1;
    if (v86_space_create(vm_system()) || v86_break_init())
        return -1;
    vm_v86 = &ops;
    io_local = &local_ops;
    v86_trap_init();
    vxd_set_purge(v86_purge);                   /* an unloaded VxD's call backs ... out */
    Hook_V86_Int_Chain(0x2F, int2f, 0);
    kprintf("v86: V86 VMs: %u KB of conventional memory each, global pages %x-%x, the VMM's "
            "break points at %04x:0000\n", (v86_conv_last + 1) * 4, V86_BP_PAGE,
            _GetFirstV86Page() - 1, V86_BP_SEG);
    return 0;
}

void v86_init_done(void) { v86_global_close(); }
