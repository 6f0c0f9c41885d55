/*
 * The V86 monitor's emulator: see monitor.h; the opcodes are tabled in decode.c.
 *
 * v86_emulate fetches at most 15 bytes at CS:IP (never past the end of CS, never from a page
 * not present), decodes them, and runs one function a family:
 *
 *  family      function   what changes                                 result
 *  LOCK prefix dispatch   nothing                                      FAULT 6 (#UD)
 *  LONG        dispatch   nothing                                      FAULT 13
 *  CLI STI     em_cli/sti vif                                          DONE
 *  PUSHF(D)    em_pushf   SP, the stack: FLAGS with IF = vif, IOPL 3   DONE | FAULT 12 | PAGE
 *  POPF(D)     em_popf    SP, vif, the ordinary flags (+ AC ID for D)  DONE | FAULT 12 | PAGE
 *  IRET(D)     em_iret    SP, IP, CS, vif, the ordinary flags          DONE | FAULT 12 13 | PAGE
 *  INT INT3    em_int     IP                                           INT n
 *  INTO        em_into    IP                                           INT 4 if OF, else DONE
 *  HLT         em_hlt     IP                                           HLT
 *  IN OUT      em_io      AL/AX/EAX for IN (via the callback)          DONE | FAULT 13
 *  INS OUTS    em_string  DI/SI (CX), memory for INS: one callback an  DONE | FAULT 12 13 | PAGE
 *                         element, at most V86_REP_MAX a call; IP
 *                         stays while CX > 0
 *  ARPL        em_arpl    nothing                                      BREAK
 *  OTHER       -          nothing                                      OTHER
 * Every DONE advances IP with 16-bit wraparound (except IRET and an unfinished REP) and clears
 * RF (the instruction has completed).  When TF was set as the instruction began, a DONE becomes
 * FAULT 1 with ev->trap = 1: the single-step trap a CPU raises after it.  A POPF or IRET that
 * sets TF therefore traps after the next instruction, not this one; one that clears it traps.
 *
 * Side effects come last: every handler checks each stack slot, page and offset it needs, then
 * writes, so V86_PAGE and the faults leave r and memory as they were.  INS/OUTS are the
 * exception a CPU makes too: elements done before a stop stay done (SI/DI/CX count them).
 *
 * The trap path (cost): v86_emulate reads the opcode byte at CS:IP (in a present page) and
 * calls, through fast[], the function for the family that opcode has without prefixes (the
 * decoder's template, v86_optab).  CLI, STI, PUSHF, POPF, IRET and INT n have one; it takes
 * the common case only (no prefix, an even SP, every byte in one page that is present, and
 * writable for a write) and tail-calls emulate(), the general path above, for anything else.
 * Every other opcode, prefixes included, goes to emulate() at once.  So the faults and V86_PAGE
 * have one implementation, the fast functions keep few registers, and v86_emulate is a page
 * test and two table loads.  v86_reflect likewise stores a frame that lies in one writable
 * page (SP >= 6), from a present IVT, and leaves the rest to reflect_slow().  The host tests
 * run each case on both paths (a 3Eh prefix, which these instructions ignore, takes one to the
 * general path) and compare the two on random states.
 */
#include "v86/monitor.h"
#include "v86/decode.h"

/* The general paths: out of line, so that the trap path keeps few registers. */
#define COLD static __attribute__((noinline))

/* Where the CPU left each segment register (V86_SEG_* order) in struct client_regs. */
static const uint8_t sreg_at[6] = {
    offsetof(struct client_regs, es), offsetof(struct client_regs, cs),
    offsetof(struct client_regs, ss), offsetof(struct client_regs, ds),
    offsetof(struct client_regs, fs), offsetof(struct client_regs, gs),
};

/* One emulation on the general path: what every handler needs. */
struct em {
    struct v86_vm *vm;
    struct client_regs *r;
    struct v86_event *ev;
    const struct v86_insn *in;
    uint32_t ip;                        /* the instruction's IP */
};

static uint32_t seg_base(const struct client_regs *r, unsigned seg)
{
    uint32_t v;
    __builtin_memcpy(&v, (const uint8_t *)r + sreg_at[seg], sizeof v);
    return v86_seg_base(v);
}

static int fault(struct v86_event *ev, unsigned vector)
{
    ev->vector = (uint8_t)vector;
    ev->trap = 0;
    return V86_FAULT;
}

static int page(struct v86_event *ev, uint32_t lin, int write)
{
    ev->lin = lin;
    ev->write = (uint8_t)write;
    return V86_PAGE;
}

/* The instruction completed: IP past it (16-bit wraparound), RF clear. */
static inline int next(const struct em *e)
{
    e->r->eip = (e->ip + e->in->length) & 0xFFFFu;
    e->r->eflags &= ~V86_FL_RF;
    return V86_DONE;
}

/* After an instruction: the single-step trap if TF was set as it began and it completed. */
static inline int step(int rc, uint32_t tf, struct v86_event *ev)
{
    if (__builtin_expect(rc == V86_DONE && tf, 0)) {
        ev->vector = 1;
        ev->trap = 1;
        return V86_FAULT;
    }
    return rc;
}

/* ---- flags ----------------------------------------------------------------------------------- */

static int em_cli(const struct em *e)
{
    e->vm->vif = 0;
    return next(e);
}

static int em_sti(const struct em *e)
{
    e->vm->vif = V86_FL_IF;
    return next(e);
}

static int em_pushf(const struct em *e)
{
    int rc = v86_push(e->vm, e->r, v86_flags_view(e->vm, e->r->eflags), e->in->size, e->ev);
    return rc ? rc : next(e);
}

static int em_popf(const struct em *e)
{
    uint32_t v;
    int rc = v86_pop(e->vm, e->r, &v, e->in->size, e->ev);
    if (rc)
        return rc;
    v86_flags_load(e->vm, e->r, v, e->in->size == 4);
    return next(e);
}

/* IP, CS, FLAGS from three slots of e->in->size bytes, each checked (offset, page) before
 * anything changes.  A slot may wrap to offset 0; none may straddle FFFFh. */
static int em_iret(const struct em *e)
{
    struct client_regs *r = e->r;
    unsigned size = e->in->size;
    uint32_t sp = r->esp & 0xFFFFu, base = v86_seg_base(r->ss), v[3];

    for (unsigned k = 0; k < 3; k++) {
        uint32_t off = (sp + k * size) & 0xFFFFu;
        if (off > 0x10000u - size)
            return fault(e->ev, 12);
        if (v86_access(e->vm, base + off, size, 0, e->ev))
            return V86_PAGE;
        v[k] = v86_load(e->vm->mem + base + off, size);
    }
    if (v[0] > 0xFFFFu)                 /* IRETD beyond the limit of CS */
        return fault(e->ev, 13);
    r->esp = (r->esp & 0xFFFF0000u) | ((sp + 3 * size) & 0xFFFFu);
    r->eip = v[0];
    r->cs = v[1] & 0xFFFFu;
    v86_flags_load(e->vm, r, v[2], size == 4);
    r->eflags &= ~V86_FL_RF;
    return V86_DONE;
}

/* ---- interrupts, HLT, break points ----------------------------------------------------------- */

static int em_int(const struct em *e, unsigned vector)
{
    next(e);
    e->ev->vector = (uint8_t)vector;
    return V86_INT;
}

static int em_into(const struct em *e)
{
    if (!(e->r->eflags & V86_FL_OF))
        return next(e);                 /* no overflow: INTO does nothing */
    return em_int(e, 4);
}

static int em_hlt(const struct em *e)
{
    next(e);
    return V86_HLT;
}

static int em_arpl(const struct em *e)
{
    e->ev->length = e->in->length;
    return V86_BREAK;
}

/* ---- I/O ------------------------------------------------------------------------------------- */

/* The DDK type of one element: size 1, 2, 4 -> 0, 8, 10h; output + 4. */
static unsigned io_type(unsigned size, int out)
{
    return (size & 6) << 2 | (out ? V86_IO_OUTPUT : 0);
}

static int em_io(const struct em *e, v86_io_fn io, void *ctx, int out)
{
    struct client_regs *r = e->r;
    unsigned size = e->in->size;
    unsigned port = e->in->flags & V86_F_DX ? r->edx & 0xFFFFu : e->in->imm;
    uint32_t mask = 0xFFFFFFFFu >> (32 - 8 * size);
    uint32_t data = out ? r->eax & mask : 0xFFFFFFFFu;

    if (!io || io(ctx, port, io_type(size, out), &data))
        return fault(e->ev, 13);
    if (!out)
        r->eax = (r->eax & ~mask) | (data & mask);
    return next(e);
}

/* INS (ES:DI) and OUTS (DS:SI or the override), REP with CX (ECX and 32-bit offsets with 67h).
 * Each element: offset inside the segment, page accessible, then the port, then memory. */
static int em_string(const struct em *e, v86_io_fn io, void *ctx, int out, uint32_t tf)
{
    struct client_regs *r = e->r;
    unsigned size = e->in->size, a32 = e->in->flags & V86_F_ADDR32;
    unsigned rep = e->in->flags & V86_F_REP;
    uint32_t amask = a32 ? 0xFFFFFFFFu : 0xFFFFu;
    uint32_t *idx = out ? &r->esi : &r->edi;
    uint32_t count = rep ? r->ecx & amask : 1, left = tf ? 1 : V86_REP_MAX;
    uint32_t step = r->eflags & V86_FL_DF ? 0u - size : size;
    uint32_t base = seg_base(r, e->in->seg);
    unsigned port = r->edx & 0xFFFFu;
    unsigned type = io_type(size, out) | V86_IO_STRING | (rep ? V86_IO_REP : 0) |
                    (a32 ? V86_IO_ADDR32 : 0) | (r->eflags & V86_FL_DF ? V86_IO_REVERSE : 0);
    int rc = V86_DONE;

    for (; count && left; count--, left--) {
        uint32_t off = *idx & amask, lin = base + off, data = 0xFFFFFFFFu;
        if (off > 0x10000u - size) {
            rc = fault(e->ev, e->in->seg == V86_SEG_SS ? 12 : 13);
            break;
        }
        if ((rc = v86_access(e->vm, lin, size, !out, e->ev)))
            break;
        if (out)
            data = v86_load(e->vm->mem + lin, size);
        if (!io || io(ctx, port, type, &data)) {
            rc = fault(e->ev, 13);
            break;
        }
        if (!out)
            v86_store(e->vm->mem + lin, data, size);
        *idx = (*idx & ~amask) | ((*idx + step) & amask);
    }
    if (rep)
        r->ecx = (r->ecx & ~amask) | count;
    if (rc != V86_DONE || count)
        return rc;                      /* stopped, or elements left: IP stays */
    return next(e);
}

/* ---- the emulator ---------------------------------------------------------------------------- */

static int dispatch(const struct em *e, v86_io_fn io, void *ctx, uint32_t tf)
{
    if ((e->in->flags & V86_F_LOCK) && e->in->family > V86_I_LONG)
        return fault(e->ev, 6);
    switch (e->in->family) {
    case V86_I_CLI:     return em_cli(e);
    case V86_I_STI:     return em_sti(e);
    case V86_I_PUSHF:   return em_pushf(e);
    case V86_I_POPF:    return em_popf(e);
    case V86_I_IRET:    return em_iret(e);
    case V86_I_INT:
    case V86_I_INT3:    return em_int(e, e->in->imm);
    case V86_I_INTO:    return em_into(e);
    case V86_I_HLT:     return em_hlt(e);
    case V86_I_IN:      return em_io(e, io, ctx, 0);
    case V86_I_OUT:     return em_io(e, io, ctx, 1);
    case V86_I_INS:     return em_string(e, io, ctx, 0, tf);
    case V86_I_OUTS:    return em_string(e, io, ctx, 1, tf);
    case V86_I_ARPL:    return em_arpl(e);
    case V86_I_LONG:    return fault(e->ev, 13);
    default:            return V86_OTHER;
    }
}

/* How many bytes at lin (IP = ip) the decoder may read: up to 15, not past the end of CS (a
 * 386 faults rather than wrap IP inside an instruction), not into a page not present.  Returns
 * the count, with *want the count had every page been present; 0 if lin's page is absent. */
static unsigned fetchable(const struct v86_vm *vm, uint32_t lin, uint32_t ip, unsigned *want)
{
    unsigned w = 0x10000u - ip < V86_MAX_LEN ? 0x10000u - ip : V86_MAX_LEN;
    unsigned in_page = 0x1000u - (lin & 0xFFFu);
    *want = w;
    if (!v86_page_ok(vm->present, lin))
        return 0;
    if (in_page < w && !v86_page_ok(vm->present, lin + in_page))
        return in_page;
    return w;
}

/* The general path: any instruction, anywhere. */
COLD int emulate(struct v86_vm *vm, struct client_regs *r, v86_io_fn io, void *ctx,
                 struct v86_event *ev)
{
    struct v86_insn in;
    struct em e = { .vm = vm, .r = r, .ev = ev, .in = &in, .ip = r->eip & 0xFFFFu };
    uint32_t lin = v86_seg_base(r->cs) + e.ip, tf = r->eflags & V86_FL_TF;
    unsigned want, avail = fetchable(vm, lin, e.ip, &want);

    if (v86_decode(vm->mem + lin, avail, &in) < 0)
        return avail < want ? page(ev, lin + avail, 0) : fault(ev, 13);
    return step(dispatch(&e, io, ctx, tf), tf, ev);
}

/* ---- the trap path -------------------------------------------------------------------------- */

/* The hot families without prefixes: 16-bit operands, one byte long but INT n (two); fl is
 * EFLAGS as the instruction began.  None does I/O, so they take no callback and fall back to
 * emulate() without one.  On i386 they take their three arguments in registers (regparm):
 * v86_emulate has them there already. */
#ifdef __i386__
#define REGPARM __attribute__((regparm(3)))
#else
#define REGPARM
#endif
typedef REGPARM int fast_fn(struct v86_vm *vm, struct client_regs *r, struct v86_event *ev);
#define FAST_FN(name) \
    static REGPARM int name(struct v86_vm *vm, struct client_regs *r, struct v86_event *ev)

static inline int fast_next(struct client_regs *r, uint32_t fl, unsigned len,
                            struct v86_event *ev)
{
    r->eip = (r->eip + len) & 0xFFFFu;
    r->eflags &= ~V86_FL_RF;
    return step(V86_DONE, fl & V86_FL_TF, ev);
}

FAST_FN(fast_cli)
{
    vm->vif = 0;
    return fast_next(r, r->eflags, 1, ev);
}

FAST_FN(fast_sti)
{
    vm->vif = V86_FL_IF;
    return fast_next(r, r->eflags, 1, ev);
}

FAST_FN(fast_pushf)
{
    uint32_t fl = r->eflags, sp = (r->esp - 2) & 0xFFFFu, lin = v86_seg_base(r->ss) + sp;
    if ((sp & 1) || !v86_page_ok(vm->writable, lin))
        return emulate(vm, r, NULL, NULL, ev);
    v86_store(vm->mem + lin, v86_flags_view(vm, fl), 2);
    r->esp = (r->esp & 0xFFFF0000u) | sp;
    return fast_next(r, fl, 1, ev);
}

FAST_FN(fast_popf)
{
    uint32_t fl = r->eflags, sp = r->esp & 0xFFFFu, lin = v86_seg_base(r->ss) + sp;
    if ((sp & 1) || !v86_page_ok(vm->present, lin))
        return emulate(vm, r, NULL, NULL, ev);
    v86_flags_load(vm, r, v86_load(vm->mem + lin, 2), 0);
    r->esp = (r->esp & 0xFFFF0000u) | ((sp + 2) & 0xFFFFu);
    return fast_next(r, fl, 1, ev);
}

FAST_FN(fast_iret)
{
    uint32_t fl = r->eflags, sp = r->esp & 0xFFFFu, lin = v86_seg_base(r->ss) + sp;
    if ((sp & 1) || sp > 0xFFFAu || (lin & 0xFFFu) > 0x1000u - 6 ||
        !v86_page_ok(vm->present, lin))
        return emulate(vm, r, NULL, NULL, ev);
    const uint8_t *f = vm->mem + lin;
    r->eip = v86_load(f, 2);
    r->cs = v86_load(f + 2, 2);
    v86_flags_load(vm, r, v86_load(f + 4, 2), 0);
    r->eflags &= ~V86_FL_RF;
    r->esp = (r->esp & 0xFFFF0000u) | ((sp + 6) & 0xFFFFu);
    return step(V86_DONE, fl & V86_FL_TF, ev);
}

FAST_FN(fast_int)
{
    uint32_t ip = r->eip & 0xFFFFu, lin = v86_seg_base(r->cs) + ip;
    if (ip == 0xFFFFu || (lin & 0xFFFu) == 0xFFFu)  /* the vector byte: past the end of CS, */
        return emulate(vm, r, NULL, NULL, ev);      /* or in the next page */
    ev->vector = vm->mem[lin + 1];
    r->eip = (ip + 2) & 0xFFFFu;
    r->eflags &= ~V86_FL_RF;
    return V86_INT;
}

static fast_fn *const fast[V86_I_COUNT] = {
    [V86_I_CLI] = fast_cli,     [V86_I_STI] = fast_sti,
    [V86_I_PUSHF] = fast_pushf, [V86_I_POPF] = fast_popf,
    [V86_I_IRET] = fast_iret,   [V86_I_INT] = fast_int,
};

int v86_emulate(struct v86_vm *vm, struct client_regs *r, v86_io_fn io, void *ctx,
                struct v86_event *ev)
{
    uint32_t lin = v86_seg_base(r->cs) + (r->eip & 0xFFFFu);
    fast_fn *f;

    if (!v86_page_ok(vm->present, lin) || !(f = fast[v86_optab[vm->mem[lin]].tmpl.family])) {
        int rc = emulate(vm, r, io, ctx, ev);
        __asm__("" : "+r"(rc));         /* a call, not a jump: GCC's i386 jump would copy */
        return rc;                      /* the five arguments through the stack first */
    }
    return f(vm, r, ev);
}

/* ---- reflection ------------------------------------------------------------------------------ */

/* Any frame: the IVT entry present, then FLAGS, CS, IP word by word (SP < 6 wraps), each slot
 * checked before any is written. */
COLD int reflect_slow(struct v86_vm *vm, struct client_regs *r, unsigned n,
                      struct v86_event *ev)
{
    uint32_t ivt = (n & 0xFFu) * 4, sp = r->esp & 0xFFFFu, base = v86_seg_base(r->ss);
    uint32_t frame[3] = { r->eip & 0xFFFFu, r->cs & 0xFFFFu,        /* at SP-6, SP-4, SP-2 */
                          v86_flags_view(vm, r->eflags) & 0xFFFFu };

    if (v86_access(vm, ivt, 4, 0, ev))
        return V86_PAGE;
    for (unsigned k = 3; k-- > 0;) {
        uint32_t off = (sp - 6 + 2 * k) & 0xFFFFu;
        if (off == 0xFFFFu)
            return fault(ev, 8);        /* a real CPU shuts down */
        if (v86_access(vm, base + off, 2, 1, ev))
            return V86_PAGE;
    }
    for (unsigned k = 0; k < 3; k++)
        v86_store(vm->mem + base + ((sp - 6 + 2 * k) & 0xFFFFu), frame[k], 2);
    uint32_t vec = v86_load(vm->mem + ivt, 4);
    r->esp = (r->esp & 0xFFFF0000u) | ((sp - 6) & 0xFFFFu);
    r->eip = vec & 0xFFFFu;
    r->cs = vec >> 16;
    r->eflags &= ~(V86_FL_TF | V86_FL_AC | V86_FL_RF);
    vm->vif = 0;
    return V86_DONE;
}

int v86_reflect(struct v86_vm *vm, struct client_regs *r, unsigned n, struct v86_event *ev)
{
    uint32_t sp = r->esp & 0xFFFFu, lin = v86_seg_base(r->ss) + sp - 6;

    if (sp < 6 || (lin & 0xFFFu) > 0x1000u - 6 || !(vm->present[0] & 1) ||
        !v86_page_ok(vm->writable, lin))
        return reflect_slow(vm, r, n, ev);
    uint8_t *f = vm->mem + lin;
    uint32_t vec = v86_load(vm->mem + (n & 0xFFu) * 4, 4);
    v86_store(f, r->eip, 2);
    v86_store(f + 2, r->cs, 2);
    v86_store(f + 4, v86_flags_view(vm, r->eflags), 2);
    r->esp = (r->esp & 0xFFFF0000u) | (sp - 6);
    r->eip = vec & 0xFFFFu;
    r->cs = vec >> 16;
    r->eflags &= ~(V86_FL_TF | V86_FL_AC | V86_FL_RF);
    vm->vif = 0;
    return V86_DONE;
}
