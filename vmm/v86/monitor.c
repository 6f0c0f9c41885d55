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
 *  INT INT3    em_int     hooked: IP                                   INT n
 *                         not: SP, IP, CS, vif, TF AC, the frame       DONE | FAULT 8 | PAGE
 *  INTO        em_int     as INT 4 if OF, else IP                      as INT | DONE
 *  HLT         em_hlt     IP                                           HLT
 *  IN OUT      em_io      AL/AX/EAX for IN (via the callback)          DONE | FAULT 13
 *  INS OUTS    em_string  DI/SI (CX), memory for INS: one callback an  DONE | FAULT 12 13 | PAGE
 *                         element, at most V86_REP_MAX a call; IP
 *                         stays while CX > 0
 *  ARPL        em_arpl    nothing                                      BREAK
 *  OTHER       -          nothing                                      OTHER
 * Every DONE advances IP with 16-bit wraparound (except IRET, a reflected INT and an unfinished
 * REP) and clears RF (the instruction has completed).  When TF was set as the instruction
 * began, a DONE becomes FAULT 1 with vm->ev.trap = 1: the single-step trap a CPU raises after
 * it (not after an INT: the reflection clears TF).  A POPF or IRET that sets TF therefore traps
 * after the next instruction, not this one; one that clears it traps.  EIP above FFFFh (the
 * CPU ran off the end of CS) is FAULT 13 before anything is fetched.
 *
 * Side effects come last: every handler checks each stack slot, page and offset it needs, then
 * writes, so V86_PAGE and the faults leave r and memory as they were.  INS/OUTS are the
 * exception a CPU makes too: elements done before a stop stay done (SI/DI/CX count them).
 *
 * The trap path (its cost counts on every trap; the VMM is built for i386, six registers):
 * v86_emulate checks that the common case applies at all (EIP <= FFFFh, TF clear, the page at
 * CS:IP present), looks the opcode byte up in fast_op[] and handles the forms VMs trap on all
 * the time without decoding them, in the common case below; anything else, prefixes and every
 * other opcode included, goes to emulate(), the general path above:
 *
 *  opcode      function       the common case (else emulate())          inline or called
 *  FA FB F4    v86_emulate    always (CLI STI HLT)                       inline
 *  9C          fast_pushf     SP even and >= 2, its page writable        inline
 *  9D          fast_popf      SP even and <= FFFCh, its page present     inline
 *  CF          fast_iret      SP <= FFF9h, the frame's pages present     inline
 *  CD ib       fast_int       n in CS and the page; hooked: V86_INT;     tail call
 *              fast_reflect   else SP >= 6, the frame in one writable
 *                             page, the IVT present
 *  E4-E7 ib    fast_in_ib ..  the port byte in CS and the page           tail call
 *  EC-EF       fast_in_db ..  always                                     tail call
 *
 * So the faults and V86_PAGE have one implementation, emulate() decides every case the fast
 * functions leave (it takes them all: the host tests and the fuzzer compare the two paths with a
 * 3Eh prefix, which these instructions ignore), and the fast functions stay short: 16-bit
 * registers (IP, SP, AL/AX) change in place as 16-bit fields (lo16()), which wraps at 64 KB as
 * the CPU does, SP moves with a 32-bit add only where it cannot wrap, and the checks are byte
 * loads from the page maps.  v86_reflect is fast_reflect, then reflect_slow() for the rest.
 */
#pragma GCC optimize("omit-frame-pointer")   /* on the V86 trap path; see mem/heap.c */
#include "v86/monitor.h"
#include "v86/decode.h"

/* The general paths: out of line, so that the trap path keeps few registers. */
#define COLD static __attribute__((noinline, cold))

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

static int reflect(struct v86_vm *vm, struct client_regs *r, unsigned n, unsigned len);

/* Hooked: V86_INT for the VMM's chains, IP past it.  Else through the IVT, the frame's IP past
 * it (V86_PAGE and the shutdown change nothing, IP included). */
static int em_int(const struct em *e, unsigned vector)
{
    if (!v86_hooked(e->vm, vector))
        return reflect(e->vm, e->r, vector, e->in->length);
    next(e);
    e->ev->vector = (uint8_t)vector;
    return V86_INT;
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

static int em_io(const struct em *e, int out)
{
    struct client_regs *r = e->r;
    unsigned size = e->in->size;
    unsigned port = e->in->flags & V86_F_DX ? r->edx & 0xFFFFu : e->in->imm;
    uint32_t mask = 0xFFFFFFFFu >> (32 - 8 * size);
    uint32_t data = out ? r->eax & mask : 0xFFFFFFFFu;

    if (e->vm->io(e->vm->io_ctx, r, port, io_type(size, out), &data))
        return fault(e->ev, 13);
    if (!out)
        r->eax = (r->eax & ~mask) | (data & mask);
    return next(e);
}

/* INS (ES:DI) and OUTS (DS:SI or the override), REP with CX (ECX and 32-bit offsets with 67h).
 * Each element: offset inside the segment, page accessible, then the port, then memory. */
static int em_string(const struct em *e, int out, uint32_t tf)
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
        if (e->vm->io(e->vm->io_ctx, r, port, type, &data)) {
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

/* ---- the general path ------------------------------------------------------------------------ */

static int dispatch(const struct em *e, uint32_t tf)
{
    int rc;

    if ((e->in->flags & V86_F_LOCK) && e->in->family > V86_I_LONG)
        return fault(e->ev, 6);
    switch (e->in->family) {
    case V86_I_INT:
    case V86_I_INT3:    return em_int(e, e->in->imm);       /* no single-step trap after */
    case V86_I_INTO:
        if (e->r->eflags & V86_FL_OF)
            return em_int(e, 4);
        rc = next(e);                   /* no overflow: INTO does nothing */
        break;
    case V86_I_CLI:     rc = em_cli(e); break;
    case V86_I_STI:     rc = em_sti(e); break;
    case V86_I_PUSHF:   rc = em_pushf(e); break;
    case V86_I_POPF:    rc = em_popf(e); break;
    case V86_I_IRET:    rc = em_iret(e); break;
    case V86_I_HLT:     return em_hlt(e);
    case V86_I_IN:      rc = em_io(e, 0); break;
    case V86_I_OUT:     rc = em_io(e, 1); break;
    case V86_I_INS:     rc = em_string(e, 0, tf); break;
    case V86_I_OUTS:    rc = em_string(e, 1, tf); break;
    case V86_I_ARPL:    return em_arpl(e);
    case V86_I_LONG:    return fault(e->ev, 13);
    default:            return V86_OTHER;
    }
    return step(rc, tf, e->ev);
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

/* Any instruction, anywhere. */
COLD V86_REGPARM int emulate(struct v86_vm *vm, struct client_regs *r)
{
    struct v86_insn in;
    struct em e = { .vm = vm, .r = r, .ev = &vm->ev, .in = &in, .ip = r->eip };
    uint32_t lin = v86_seg_base(r->cs) + e.ip, tf = r->eflags & V86_FL_TF;
    unsigned want, avail;

    if (e.ip > 0xFFFFu)                 /* the CPU ran off the end of CS */
        return fault(e.ev, 13);
    avail = fetchable(vm, lin, e.ip, &want);
    if (v86_decode(vm->mem + lin, avail, &in) < 0)
        return avail < want ? page(e.ev, lin + avail, 0) : fault(e.ev, 13);
    return dispatch(&e, tf);
}

/* ---- the trap path --------------------------------------------------------------------------- */

/* The fast functions: inline in v86_emulate, or, for those that make a call (the I/O callback)
 * or need many registers (INT), out of line and tail-called, so that v86_emulate keeps to two
 * saved registers (i386 has six) on every path. */
#define FAST static inline __attribute__((always_inline))
#define FAST_CALL static V86_REGPARM __attribute__((noinline))

/* A compiler barrier: after it, what the code needs from *vm and *r is loaded again where it is
 * used.  On i386 that is cheaper than what GCC does without it: keep such values across the
 * switch, which costs spills on every path. */
#define RELOAD() __asm__("" ::: "memory")

/* The parts of a 32-bit field of struct client_regs, in place (x86 is little-endian): lo16 for
 * IP, SP, AX, so that a 16-bit add wraps at 64 KB as the VM's register does and leaves the upper
 * half as it is; hi16 its upper half; lo8 for AL; byte1 for bits 8-15 (TF in EFLAGS). */
typedef uint16_t __attribute__((may_alias)) alias16;
#define lo16(field)  (*(alias16 *)&(field))
#define hi16(field)  (((alias16 *)&(field))[1])
#define lo8(field)   (*(uint8_t *)&(field))
#define byte1(field) (((const uint8_t *)&(field))[1])
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "lo16() is the low half");

/* A segment register's base, from its 16-bit selector (one zero-extending load). */
#define seg16(field) ((uint32_t)lo16(field) << 4)

/* The instruction (len bytes) completed: IP past it, RF clear.  EIP <= FFFFh here. */
FAST int done(struct client_regs *r, unsigned len)
{
    lo16(r->eip) += len;
    r->eflags &= ~V86_FL_RF;
    return V86_DONE;
}

/* Whether the byte after the opcode at lin (IP = ip) may be read as it is: in the opcode's page
 * and inside CS. */
FAST int has_imm8(uint32_t lin, uint32_t ip)
{
    return ((lin + 1) & 0xFFFu) != 0 && ip != 0xFFFFu;
}

/* PUSHF: SP even and >= 2 (no wrap), its page writable. */
FAST int fast_pushf(struct v86_vm *vm, struct client_regs *r)
{
    uint32_t sp = lo16(r->esp) - 2u, lin = seg16(r->ss) + sp;
    if (__builtin_expect(sp & 0xFFFF0001u, 0) || !vm->writable[lin >> 12])
        return emulate(vm, r);
    v86_store(vm->mem + lin, v86_flags_view(vm, r->eflags), 2);
    r->esp -= 2;
    return done(r, 1);
}

/* POPF: SP even and <= FFFCh (no wrap), its page present. */
FAST int fast_popf(struct v86_vm *vm, struct client_regs *r)
{
    uint32_t sp = lo16(r->esp), lin = seg16(r->ss) + sp;
    if (__builtin_expect((sp + 2) & 0x10001u, 0) || !vm->present[lin >> 12])
        return emulate(vm, r);
    v86_flags_load(vm, r, v86_load(vm->mem + lin, 2), 0);
    r->esp += 2;
    return done(r, 1);
}

/* IRET: SP <= FFF9h (no wrap), the frame's pages present. */
FAST int fast_iret(struct v86_vm *vm, struct client_regs *r)
{
    uint32_t sp = lo16(r->esp), lin = seg16(r->ss) + sp;
    if (__builtin_expect(sp > 0xFFF9u, 0) || !vm->present[lin >> 12] ||
        !vm->present[(lin + 5) >> 12])
        return emulate(vm, r);
    const uint8_t *f = vm->mem + lin;
    r->eip = v86_load(f, 2);
    r->cs = v86_load(f + 2, 2);
    v86_flags_load(vm, r, v86_load(f + 4, 2), 0);
    r->eflags &= ~V86_FL_RF;
    r->esp += 6;
    return V86_DONE;
}

/* Interrupt n through the IVT, the frame's IP len bytes past IP (the INT's length, or 0): a
 * frame that does not wrap (SP >= 6), in one page that is writable, the IVT present; -1 for
 * anything else (nothing changed). */
FAST int fast_reflect(struct v86_vm *vm, struct client_regs *r, unsigned n, unsigned len)
{
    uint32_t sp = lo16(r->esp), lin = seg16(r->ss) + sp - 6;
    if (__builtin_expect(sp < 6, 0) || (lin & 0xFFFu) > 0x1000u - 6 ||
        !vm->writable[lin >> 12] || !vm->present[0])
        return -1;
    RELOAD();
    uint8_t *f = vm->mem + lin;
    v86_store(f, lo16(r->eip) + len, 2);
    v86_store(f + 2, r->cs, 2);
    v86_store(f + 4, v86_flags_view(vm, r->eflags), 2);
    uint32_t vec = v86_load(vm->mem + n * 4, 4);    /* after: a CPU pushes, then reads */
    r->esp -= 6;
    r->eip = vec & 0xFFFFu;
    r->cs = vec >> 16;
    r->eflags &= ~(V86_FL_TF | V86_FL_AC | V86_FL_RF);
    vm->vif = 0;
    return V86_DONE;
}

/* INT n: the vector byte inside CS and the page; hooked: V86_INT, else fast_reflect. */
FAST_CALL int fast_int(struct v86_vm *vm, struct client_regs *r, uint32_t lin)
{
    if (__builtin_expect(!has_imm8(lin, r->eip), 0))
        return emulate(vm, r);
    unsigned n = vm->mem[lin + 1];
    if (v86_hooked(vm, n)) {
        vm->ev.vector = (uint8_t)n;
        done(r, 2);
        return V86_INT;
    }
    int rc = fast_reflect(vm, r, n, 2);
    return __builtin_expect(rc < 0, 0) ? emulate(vm, r) : rc;
}

/* IN and OUT, byte and word (op: E4-E7, EC-EF: bit 0 word, bit 1 out, bit 3 the port in DX);
 * the port byte of E4-E7 inside CS and the page.  One function an opcode (FAST_IO), each with
 * its constants folded. */
FAST int fast_io(struct v86_vm *vm, struct client_regs *r, uint32_t lin, unsigned op)
{
    unsigned size = op & 1 ? 2 : 1, out = op & 2, len = op & 8 ? 1 : 2, port;
    uint32_t data = 0xFFFFFFFFu;

    if (op & 8) {
        port = lo16(r->edx);
    } else {
        if (__builtin_expect(!has_imm8(lin, r->eip), 0))
            return emulate(vm, r);
        port = vm->mem[lin + 1];
    }
    if (out)
        data = size == 1 ? lo8(r->eax) : lo16(r->eax);
    if (__builtin_expect(vm->io(vm->io_ctx, r, port, io_type(size, out), &data), 0))
        return fault(&vm->ev, 13);
    if (!out && size == 1)
        lo8(r->eax) = (uint8_t)data;
    else if (!out)
        lo16(r->eax) = (uint16_t)data;
    return done(r, len);
}

#define FAST_IO(name, op) \
    FAST_CALL int name(struct v86_vm *vm, struct client_regs *r, uint32_t lin) \
    { return fast_io(vm, r, lin, op); }
FAST_IO(fast_in_ib, 0xE4)   FAST_IO(fast_in_iw, 0xE5)   FAST_IO(fast_out_ib, 0xE6)
FAST_IO(fast_out_iw, 0xE7)  FAST_IO(fast_in_db, 0xEC)   FAST_IO(fast_in_dw, 0xED)
FAST_IO(fast_out_db, 0xEE)  FAST_IO(fast_out_dw, 0xEF)

/* The trap path's table: what v86_emulate does with the opcode byte at CS:IP (the forms without
 * prefixes), one case of its switch each; F_OTHER (0), every other byte: emulate(). */
enum { F_OTHER, F_CLI, F_STI, F_HLT, F_PUSHF, F_POPF, F_IRET, F_INT, F_IN_IB, F_IN_IW,
       F_OUT_IB, F_OUT_IW, F_IN_DB, F_IN_DW, F_OUT_DB, F_OUT_DW };
static const uint8_t fast_op[256] = {
    [0xFA] = F_CLI,     [0xFB] = F_STI,     [0xF4] = F_HLT,
    [0x9C] = F_PUSHF,   [0x9D] = F_POPF,    [0xCF] = F_IRET,    [0xCD] = F_INT,
    [0xE4] = F_IN_IB,   [0xE5] = F_IN_IW,   [0xE6] = F_OUT_IB,  [0xE7] = F_OUT_IW,
    [0xEC] = F_IN_DB,   [0xED] = F_IN_DW,   [0xEE] = F_OUT_DB,  [0xEF] = F_OUT_DW,
};

V86_REGPARM int v86_emulate(struct v86_vm *vm, struct client_regs *r)
{
    /* the common case: EIP <= FFFFh (hi16 0), TF clear, the page at CS:IP present */
    if (__builtin_expect(hi16(r->eip) || (byte1(r->eflags) & (V86_FL_TF >> 8)), 0))
        return emulate(vm, r);
    uint32_t lin = seg16(r->cs) + r->eip;
    if (__builtin_expect(!vm->present[lin >> 12], 0))
        return emulate(vm, r);

    unsigned op = fast_op[vm->mem[lin]];
    RELOAD();
    switch (op) {
    case F_OTHER:   return emulate(vm, r);
    case F_CLI:     vm->vif = 0;
                    return done(r, 1);
    case F_STI:     vm->vif = V86_FL_IF;
                    return done(r, 1);
    case F_HLT:     done(r, 1);
                    return V86_HLT;
    case F_PUSHF:   return fast_pushf(vm, r);
    case F_POPF:    return fast_popf(vm, r);
    case F_IRET:    return fast_iret(vm, r);
    case F_INT:     return fast_int(vm, r, lin);
    case F_IN_IB:   return fast_in_ib(vm, r, lin);
    case F_IN_IW:   return fast_in_iw(vm, r, lin);
    case F_OUT_IB:  return fast_out_ib(vm, r, lin);
    case F_OUT_IW:  return fast_out_iw(vm, r, lin);
    case F_IN_DB:   return fast_in_db(vm, r, lin);
    case F_IN_DW:   return fast_in_dw(vm, r, lin);
    case F_OUT_DB:  return fast_out_db(vm, r, lin);
    case F_OUT_DW:  return fast_out_dw(vm, r, lin);
    default:        __builtin_unreachable();
    }
}

/* ---- reflection ------------------------------------------------------------------------------ */

/* Any frame, the frame's IP ret: the IVT entry present, then FLAGS, CS, IP word by word (SP < 6
 * wraps), each slot checked before any is written. */
COLD int reflect_slow(struct v86_vm *vm, struct client_regs *r, unsigned n, uint32_t ret)
{
    struct v86_event *ev = &vm->ev;
    uint32_t ivt = (n & 0xFFu) * 4, sp = r->esp & 0xFFFFu, base = v86_seg_base(r->ss);
    uint32_t frame[3] = { ret & 0xFFFFu, r->cs & 0xFFFFu,           /* at SP-6, SP-4, SP-2 */
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

/* Interrupt n, the frame's IP len bytes past IP: fast_reflect, else reflect_slow. */
FAST int reflect_any(struct v86_vm *vm, struct client_regs *r, unsigned n, unsigned len)
{
    int rc = fast_reflect(vm, r, n & 0xFFu, len);
    return __builtin_expect(rc < 0, 0) ? reflect_slow(vm, r, n, lo16(r->eip) + len) : rc;
}

/* For the general path (em_int): INT3, INTO, INT n with prefixes or across a page. */
static int reflect(struct v86_vm *vm, struct client_regs *r, unsigned n, unsigned len)
{
    return reflect_any(vm, r, n, len);
}

V86_REGPARM int v86_reflect(struct v86_vm *vm, struct client_regs *r, unsigned n)
{
    return reflect_any(vm, r, n, 0);
}
