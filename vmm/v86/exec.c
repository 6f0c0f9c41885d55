/*
 * A VM's client state and what VxDs do with it: the DDK's Simulate_* services, Save/Restore_
 * Client_State, Get/Set_V86_Int_Vector, and nested execution (Begin_Nest_V86_Exec, Exec_Int,
 * Resume_Exec, End_Nest_Exec).
 *
 * The client state of a VM is the frame its V86 code left on its thread's ring-0 stack when it
 * last stopped (CB_Client_Pointer): at the very top (thread.h: THREAD_FRAME_ROOM), or, while a
 * VxD runs the VM's code nested in a call of its own, a frame further down:
 *
 *   Resume_Exec (on the VM's thread, deep in some ring-0 call):
 *     1. a nest frame just below the current ring-0 stack pointer gets a copy of the client
 *        state, and becomes the client state (CB_Client_Pointer) and the TSS's ESP0 -- where an
 *        interrupt from the V86 code will push the next frame
 *     2. v86_nest_run saves the ring-0 context (like guard_call) and enters the frame: V86 runs
 *     3. when the V86 code reaches the nest break point (Begin_Nest_V86_Exec put its CS:IP
 *        there), v86_nest_bp copies the frame back into the outer client state, puts ESP0 and
 *        CB_Client_Pointer back, and v86_nest_return resumes the saved ring-0 context: Resume_
 *        Exec returns.  The fault path that brought the break point there is abandoned.
 *
 * Meanwhile the thread is an ordinary thread: preempted, switched, its VM's interrupts delivered.
 */
#pragma GCC optimize("omit-frame-pointer")   /* on the V86 trap path; see mem/heap.c */
#include "v86/v86.h"
#include "int/int.h"
#include "sched/sched.h"
#include "mem/heapsvc.h"
#include "console/console.h"
#include "lib/string.h"
#include "x86/trap.h"
#include "x86/x86.h"
#include "vmm.h"

struct v86_nest {
    uint32_t esp;                       /* first: v86_nest_run's saved ring-0 context */
    struct v86_nest *prev;
    uint16_t cs, ip;                    /* the client CS:IP before Begin_Nest_V86_Exec */
    struct client_regs *outer;          /* the client state outside this nest */
    uint32_t esp0;                      /* the thread's ESP0 outside */
    uint8_t running;                    /* inside Resume_Exec */
};

int  v86_nest_run(struct v86_nest *n, struct client_regs *frame);     /* x86/nest.S */
__attribute__((noreturn)) void v86_nest_return(struct v86_nest *n);

struct client_regs *v86_client(struct v86_space *s)
{
    return (struct client_regs *)s->vm->cb.CB_Client_Pointer;
}

struct client_regs *Get_VM_Client(VMHANDLE vm)
{
    struct v86_space *s = v86_of(vm);
    return s ? v86_client(s) : 0;
}

uint32_t Validate_Client_Ptr(const struct client_regs *r)
{
    FOR_EACH_VM(v)
        if (v->v86 && r == v86_client(v->v86))
            return 1;
    return 0;
}

/* The current VM's client state, for a service; NULL (refused) unless the caller is the thread
 * that runs the VM's V86 code (the system VM's other threads, the event thread among them, are
 * not). */
static struct client_regs *cur(const char *svc, uint32_t caller, struct v86_space **sp)
{
    struct v86_space *s = v86_current();
    struct client_regs *r = s && s->thread == thread_cur ? v86_client(s) : 0;
    if (!r)
        refused(svc, caller, "the calling thread runs no V86 code");
    *sp = s;
    return r;
}

/* A Simulate_* that could not push or pop: the VM's stack is unusable (not mapped, or a word
 * across offset FFFFh): as on a CPU, the VM cannot go on. */
static uint32_t stack_gone(struct client_regs *r)
{
    v86_crash(r, "a service's push or pop found its stack unusable");
}

uint32_t Simulate_Push(uint32_t v)
{
    INTS_OFF();
    struct v86_space *s;
    struct v86_event ev;
    struct client_regs *r = cur("Simulate_Push", CALLER, &s);
    if (!r)
        return 0;
    return v86_push16(&s->mon, r, (uint16_t)v, &ev) == V86_DONE ? 1 : stack_gone(r);
}

uint32_t Simulate_Pop(void)
{
    INTS_OFF();
    struct v86_space *s;
    struct v86_event ev;
    uint16_t v;
    struct client_regs *r = cur("Simulate_Pop", CALLER, &s);
    if (!r)
        return 0xFFFFFFFFu;
    return v86_pop16(&s->mon, r, &v, &ev) == V86_DONE ? v : stack_gone(r);
}

static uint32_t far_call(struct v86_space *s, struct client_regs *r, uint32_t seg, uint32_t off,
                         int with_flags)
{
    struct v86_event ev;
    uint32_t esp = r->esp;                  /* the pushes change SP and the stack only */
    if ((with_flags && v86_push16(&s->mon, r, (uint16_t)v86_flags_view(&s->mon, r->eflags),
                                  &ev) != V86_DONE) ||
        v86_push16(&s->mon, r, (uint16_t)r->cs, &ev) != V86_DONE ||
        v86_push16(&s->mon, r, (uint16_t)r->eip, &ev) != V86_DONE) {
        r->esp = esp;                       /* reported as it was */
        return stack_gone(r);
    }
    r->cs = seg & 0xFFFF;
    r->eip = off & 0xFFFF;
    return 1;
}

uint32_t Simulate_Far_Call(uint32_t seg, uint32_t off)
{
    INTS_OFF();
    struct v86_space *s;
    struct client_regs *r = cur("Simulate_Far_Call", CALLER, &s);
    return r ? far_call(s, r, seg, off, 0) : 0;
}

uint32_t Build_Int_Stack_Frame(uint32_t seg, uint32_t off)
{
    INTS_OFF();
    struct v86_space *s;
    struct client_regs *r = cur("Build_Int_Stack_Frame", CALLER, &s);
    return r ? far_call(s, r, seg, off, 1) : 0;
}

uint32_t Simulate_Far_Jmp(uint32_t seg, uint32_t off)
{
    INTS_OFF();
    struct v86_space *s;
    struct client_regs *r = cur("Simulate_Far_Jmp", CALLER, &s);
    if (!r)
        return 0;
    r->cs = seg & 0xFFFF;
    r->eip = off & 0xFFFF;
    return 1;
}

/* Pops IP, CS, then extra bytes (RETF n), or FLAGS (IRET).  The common case -- the frame in
 * one present page, not wrapping past FFFFh -- is read in place; the rest word by word. */
int v86_pop_far(struct v86_space *s, struct client_regs *r, uint32_t extra, int iret)
{
    uint32_t sp = r->esp & 0xFFFF, n = iret ? 6 : 4, lin = v86_seg_base(r->ss) + sp;
    if (__builtin_expect(sp <= 0x10000 - n && !((lin ^ (lin + n - 1)) >> 12) &&
                         v86_page_ok(s->present, lin), 1)) {
        const uint8_t *p = s->mon.mem + lin;
        r->eip = v86_load(p, 2);
        r->cs = v86_load(p + 2, 2);
        if (iret)
            v86_flags_load(&s->mon, r, v86_load(p + 4, 2), 0);
        r->esp = (r->esp & 0xFFFF0000u) | ((sp + n + extra) & 0xFFFF);   /* SP wraps at 64 KB */
        return 1;
    }
    struct v86_event ev;
    uint32_t esp = r->esp;                  /* the pops change SP only, until all are done */
    uint16_t ip, cs, fl;
    if (v86_pop16(&s->mon, r, &ip, &ev) != V86_DONE ||
        v86_pop16(&s->mon, r, &cs, &ev) != V86_DONE ||
        (iret && v86_pop16(&s->mon, r, &fl, &ev) != V86_DONE)) {
        r->esp = esp;                       /* as it was */
        return 0;
    }
    r->eip = ip;
    r->cs = cs;
    r->esp = (r->esp & 0xFFFF0000u) | ((r->esp + extra) & 0xFFFF);
    if (iret)
        v86_flags_load(&s->mon, r, fl, 0);
    return 1;
}

static uint32_t far_ret(struct v86_space *s, struct client_regs *r, uint32_t extra, int iret)
{
    return v86_pop_far(s, r, extra, iret) ? 1 : stack_gone(r);
}

uint32_t Simulate_Far_Ret(void)
{
    INTS_OFF();
    struct v86_space *s;
    struct client_regs *r = cur("Simulate_Far_Ret", CALLER, &s);
    return r ? far_ret(s, r, 0, 0) : 0;
}

uint32_t Simulate_Far_Ret_N(uint32_t n)
{
    INTS_OFF();
    struct v86_space *s;
    struct client_regs *r = cur("Simulate_Far_Ret_N", CALLER, &s);
    return r ? far_ret(s, r, n, 0) : 0;
}

uint32_t Simulate_Iret(void)
{
    INTS_OFF();
    struct v86_space *s;
    struct client_regs *r = cur("Simulate_Iret", CALLER, &s);
    return r ? far_ret(s, r, 0, 1) : 0;     /* what waited for its IF: resume delivers it */
}

uint32_t Simulate_Int(uint32_t n)
{
    INTS_OFF();
    struct v86_space *s;
    struct client_regs *r = cur("Simulate_Int", CALLER, &s);
    if (!r || n > 255)
        return r ? refused("Simulate_Int", CALLER, "interrupt %u past 255", n) : 0;
    v86_deliver(s, r, n);
    return 1;
}

uint32_t Get_V86_Int_Vector(uint32_t n)
{
    struct v86_space *s = v86_current();
    if (!s || n > 255)
        return refused("Get_V86_Int_Vector", CALLER, "not a V86 VM, or interrupt %u past 255", n);
    return ((const uint32_t *)s->mon.mem)[n];
}

void Set_V86_Int_Vector(uint32_t n, uint32_t seg, uint32_t off)
{
    struct v86_space *s = v86_current();
    if (!s || n > 255) {
        refused("Set_V86_Int_Vector", CALLER, "not a V86 VM, or interrupt %u past 255", n);
        return;
    }
    ((uint32_t *)s->mon.mem)[n] = (seg & 0xFFFF) << 16 | (off & 0xFFFF);
}

/* The buffer keeps the VM's view of IF in its EFLAGS (the frame's is the CPU's, always on). */
void Save_Client_State(void *buf)
{
    INTS_OFF();
    struct v86_space *s;
    struct client_regs *r = cur("Save_Client_State", CALLER, &s);
    if (!r)
        return;
    struct client_regs *b = buf;
    client_regs_copy(b, r);
    b->eflags = (r->eflags & ~(uint32_t)EFLAGS_IF) | s->mon.vif;
}

void Restore_Client_State(const void *buf)
{
    INTS_OFF();
    struct v86_space *s;
    struct client_regs *r = cur("Restore_Client_State", CALLER, &s);
    if (!r)
        return;
    const struct client_regs *b = buf;
    client_regs_copy(r, b);
    s->mon.vif = b->eflags & EFLAGS_IF;
    r->eflags = (b->eflags & ~(uint32_t)(0x3000 | EFLAGS_IF)) | EFLAGS_IF | EFLAGS_VM;
}

/* ---- nested execution --------------------------------------------------------------------- */

void Begin_Nest_V86_Exec(void)
{
    INTS_OFF();
    struct v86_space *s;
    struct client_regs *r = cur("Begin_Nest_V86_Exec", CALLER, &s);
    struct v86_nest *n = r ? _HeapAllocate(sizeof *n, HEAPZEROINIT) : 0;
    if (!n) {
        if (r)
            refused("Begin_Nest_V86_Exec", CALLER, "out of memory");
        return;
    }
    n->prev = s->nest;
    n->cs = (uint16_t)r->cs;
    n->ip = (uint16_t)r->eip;
    s->nest = n;
    uint32_t bp = v86_nest_segoff();
    r->cs = bp >> 16;
    r->eip = bp & 0xFFFF;
}

void Begin_Nest_Exec(void) { Begin_Nest_V86_Exec(); }     /* every VM here is a V86 one */

void End_Nest_Exec(void)
{
    INTS_OFF();
    struct v86_space *s;
    struct client_regs *r = cur("End_Nest_Exec", CALLER, &s);
    struct v86_nest *n = r ? s->nest : 0;
    if (!n || n->running) {
        if (r)
            refused("End_Nest_Exec", CALLER, "no nested execution to end");
        return;
    }
    r->cs = n->cs;
    r->eip = n->ip;
    s->nest = n->prev;
    _HeapFree(n, 0);
}

/* Resume_Exec and Exec_Int: the nest to run, or NULL (refused, said so). */
static struct v86_nest *nest_to_run(const char *svc, uint32_t caller, struct v86_space **sp,
                                    struct client_regs **rp)
{
    struct client_regs *r = *rp = cur(svc, caller, sp);
    struct v86_nest *n = r ? (*sp)->nest : 0;
    if (!n || n->running || (*sp)->thread != thread_cur) {
        if (r)
            refused(svc, caller, "not inside Begin_Nest_V86_Exec, or not the VM's own thread");
        return 0;
    }
    return n;
}

static __attribute__((noinline)) void resume(struct v86_space *s, struct client_regs *r,
                                             struct v86_nest *n)
{
    /* The nest frame, below everything this call and v86_nest_run keep on the stack (a few
     * dozen bytes: v86_nest_run checks), 16-byte aligned. */
    uint32_t here = (uint32_t)__builtin_frame_address(0);
    uint32_t esp0 = (here - 256) & ~15u;
    struct client_regs *f = (struct client_regs *)(esp0 - sizeof *f);
    client_regs_copy(f, r);
    n->outer = r;
    n->esp0 = thread_cur->esp0;
    n->running = 1;
    s->vm->cb.CB_Client_Pointer = (uint32_t)f;
    thread_cur->esp0 = esp0;
    *tss_esp0 = esp0;
    v86_nest_run(n, f);                     /* returns through v86_nest_return */
}

uint32_t Resume_Exec(void)
{
    INTS_OFF();
    struct v86_space *s;
    struct client_regs *r;
    struct v86_nest *n = nest_to_run("Resume_Exec", CALLER, &s, &r);
    if (!n)
        return 0;
    resume(s, r, n);
    return 1;
}

/* A VM going away: its nest records (its thread is gone, or never ran one). */
void v86_nest_forget(struct v86_space *s)
{
    while (s->nest) {
        struct v86_nest *n = s->nest;
        s->nest = n->prev;
        _HeapFree(n, 0);
    }
}

__attribute__((noreturn, used)) void v86_nest_overlap(void)
{
    kprintf("v86: Resume_Exec's nest frame overlaps its caller's stack (internal error)\n");
    vmm_exit(VMM_EXIT_FATAL);
}

/* Simulate_Int + Resume_Exec, checked once. */
uint32_t Exec_Int(uint32_t i)
{
    INTS_OFF();
    struct v86_space *s;
    struct client_regs *r;
    struct v86_nest *n = nest_to_run("Exec_Int", CALLER, &s, &r);
    if (!n || i > 255)
        return n ? refused("Exec_Int", CALLER, "interrupt %u past 255", i) : 0;
    v86_deliver(s, r, i);
    resume(s, r, n);
    return 1;
}

/* The V86 code reached the nest break point: Resume_Exec returns. */
void v86_nest_bp(struct v86_space *s, struct client_regs *r)
{
    struct v86_nest *n = s->nest;
    if (!n || !n->running)
        v86_crash(r, "it ran into the nested-execution break point outside a nested execution");
    client_regs_copy(n->outer, r);
    s->vm->cb.CB_Client_Pointer = (uint32_t)n->outer;
    thread_cur->esp0 = n->esp0;
    *tss_esp0 = n->esp0;
    n->running = 0;
    v86_nest_return(n);
}
