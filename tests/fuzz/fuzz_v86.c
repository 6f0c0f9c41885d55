/*
 * libFuzzer target: the V86 monitor (vmm/v86/monitor.c, decode.c) on a VM built from the input.
 *
 * The input gives the registers (segments, IP, SP, flags, counts, offsets; at times a stack
 * over the IVT entry the INT reads), the virtual IF, the hooked vectors, up to four pages to
 * make not present or read-only, the bytes at CS:IP, the bytes around SS:SP, and a stream of
 * I/O input values and refusals; the rest of the V86 space is zero.  The target
 * runs v86_emulate up to three times (a REP continues, a single-step trap or an INT is
 * reflected as the caller would) and checks what the monitor promises:
 *   - real IF, IOPL, VM, VIF, VIP never change; vif is 0 or IF; IP stays 16-bit;
 *   - the decoder agrees (family, length, vector), reads nothing past what it was given, and
 *     gives the same result with exactly the instruction's bytes;
 *   - V86_PAGE names a byte whose page is not present (not writable for a write);
 *   - V86_INT only for a hooked vector; an INT whose vector is not hooked is reflected (its
 *     frame in the stack segment) or changes nothing;
 *   - a fault, V86_PAGE, a break point or "other" change nothing (but a REP INS/OUTS, whose
 *     done elements stay done); a completed instruction writes only where it may (the stack
 *     segment for PUSHF and INT frames, ES for INS);
 *   - the fast path agrees with the general path: the same instruction preceded by 3Eh (which
 *     these instructions ignore) gives the same result, registers, stack and I/O calls.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "v86/decode.h"
#include "v86/monitor.h"

#define BASE_FLAGS (V86_FL_VM | V86_FL_IF | 0x2u)
#define KEPT (V86_FL_IF | V86_FL_IOPL | V86_FL_VM | V86_FL_VIF | V86_FL_VIP | 0x2u)

struct vm_image {
    uint8_t *mem, *before;              /* the VM, and a copy from before each call */
    uint8_t present[V86_PAGES], writable[V86_PAGES];
    uint32_t hooked[8];
    struct v86_vm vm;
    struct client_regs r;
};

static const uint32_t all_hooked[8] = { ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u };
static struct vm_image A, B;            /* B: the same with a 3Eh prefix (fast vs general) */

struct input {
    const uint8_t *p;
    size_t n, at;
};

static uint32_t take(struct input *in, unsigned bytes)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint32_t)(in->at < in->n ? in->p[in->at++] : 0) << 8 * i;
    return v;
}

/* ---- I/O ------------------------------------------------------------------------------------- */

static struct {
    const uint8_t *data;                /* input values and refusals: cyclic */
    size_t n, at;
    unsigned calls;
    uint32_t sum;                       /* of every call's arguments and results */
    const struct client_regs *r;        /* the registers the calls must get */
} io;

static int io_cb(void *ctx, struct client_regs *r, unsigned port, unsigned type, uint32_t *data)
{
    if (ctx != &io || r != io.r || port > 0xFFFF || (type & ~0x1FCu) || (type & 0x1C) > 0x14)
        abort();
    unsigned size = 1u << ((type & 0x18) >> 3);
    if (type & V86_IO_OUTPUT) {
        if (size < 4 && *data >> (8 * size))
            abort();                    /* output zero-extended */
    } else if (*data != 0xFFFFFFFFu) {
        abort();                        /* input starts as a floating bus */
    }
    if (++io.calls > V86_REP_MAX)
        abort();                        /* at most 1024 elements a call */
    uint8_t b = io.n ? io.data[io.at++ % io.n] : 0;
    io.sum = io.sum * 31 + port * 7 + type * 3 + *data;
    if (b == 0xEE)
        return 1;                       /* refused */
    if (!(type & V86_IO_OUTPUT))
        *data = b * 0x01010101u;
    return 0;
}

/* ---- building the VM ------------------------------------------------------------------------- */

static uint32_t lin_of(uint32_t seg, uint32_t off) { return ((seg & 0xFFFF) << 4) + off; }

static int page_ok(const uint8_t *map, uint32_t lin) { return map[lin >> 12] != 0; }

static void build(struct vm_image *v, struct input *in, const uint8_t *code, unsigned ncode)
{
    memset(v->mem, 0, V86_SPACE);
    memset(v->present, 1, sizeof v->present);
    memset(v->writable, 1, sizeof v->writable);
    v->r = (struct client_regs){ 0 };
    v->r.cs = take(in, 2);
    v->r.eip = take(in, 2);
    v->r.ss = take(in, 2);
    v->r.esp = take(in, 4);
    v->r.ds = take(in, 2);
    v->r.es = take(in, 2);
    v->r.fs = take(in, 2);
    v->r.gs = take(in, 2);
    v->r.eflags = BASE_FLAGS | (take(in, 4) & (V86_FL_LOAD32 | V86_FL_RF));
    v->r.ecx = take(in, 4);
    if (v->r.ecx & 0x8000)              /* keep most REP counts small */
        v->r.ecx &= 0x0F;
    v->r.esi = take(in, 4);
    v->r.edi = take(in, 4);
    v->r.edx = take(in, 4);
    v->r.eax = take(in, 4);
    uint32_t over = take(in, 1);        /* a stack over the IVT entry INT n reads, at times */
    if ((over & 7) == 7 && ncode > 1) {
        v->r.ss = 0;
        v->r.esp = (v->r.esp & 0xFFFF0000u) | (4u * code[1] + (over >> 3));
    }
    uint32_t vmbits = take(in, 1);
    v->vm = (struct v86_vm){ .mem = v->mem, .present = v->present, .writable = v->writable,
                             .hooked = vmbits & 2 ? v->hooked : all_hooked, .io = io_cb,
                             .io_ctx = &io, .vif = vmbits & 1 ? V86_FL_IF : 0 };
    for (unsigned k = 0; k < 8; k++)     /* the hooked vectors: none, all, or from the input */
        v->hooked[k] = vmbits & 4 ? 0 : vmbits & 8 ? ~0u : take(in, 4);
    /* up to four pages not present / read-only: near CS:IP, SS:SP, ES:DI, DS:SI or anywhere */
    uint32_t near[5] = { lin_of(v->r.cs, v->r.eip & 0xFFFF), lin_of(v->r.ss, v->r.esp & 0xFFFF),
                         lin_of(v->r.es, v->r.edi & 0xFFFF), lin_of(v->r.ds, v->r.esi & 0xFFFF),
                         0 };
    for (int k = 0; k < 4; k++) {
        uint32_t x = take(in, 2);
        uint32_t lin = x & 0x8000 ? (x & 0x1FF) << 12
                                  : near[x % 5] + (((x >> 3) & 3) - 1) * 0x1000;
        uint32_t p = (lin >> 12) % V86_PAGES;
        if (x & 0x4000)
            v->present[p] = 0;
        if (x & 0x2000)
            v->writable[p] = 0;
    }
    /* the code at CS:IP, the IVT's entries 0..3 and the one INT n names, the stack */
    uint32_t c = lin_of(v->r.cs, v->r.eip & 0xFFFF);
    for (unsigned k = 0; k < ncode && c + k < V86_SPACE; k++)
        v->mem[c + k] = code[k];
    for (unsigned k = 0; k < 16; k++)
        v->mem[k] = (uint8_t)take(in, 1);
    uint32_t ss = lin_of(v->r.ss, 0);
    for (unsigned k = 0; k < 16; k++)
        v->mem[ss + ((v->r.esp - 8 + k) & 0xFFFF)] = (uint8_t)take(in, 1);
    uint32_t vec = take(in, 4);
    memcpy(v->mem + 4 * (ncode > 1 ? code[1] : 0), &vec, 4);
}

/* ---- checks ---------------------------------------------------------------------------------- */

static void same_regs(const struct client_regs *a, const struct client_regs *b)
{
    if (memcmp(a, b, sizeof *a))
        abort();
}

/* Memory outside [lo, hi) as it was. */
static void unchanged_outside(const struct vm_image *v, uint32_t lo, uint32_t hi)
{
    if (lo > V86_SPACE)
        lo = V86_SPACE;
    if (hi > V86_SPACE)
        hi = V86_SPACE;
    if (memcmp(v->mem, v->before, lo) || memcmp(v->mem + hi, v->before + hi, V86_SPACE - hi))
        abort();
}

static void check_flags(const struct vm_image *v, uint32_t before)
{
    if ((v->r.eflags & KEPT) != (before & KEPT))
        abort();
    if (v->vm.vif != 0 && v->vm.vif != V86_FL_IF)
        abort();
}

/* One v86_emulate on v, checked; returns its result (and *ev). */
static int step(struct vm_image *v, struct v86_event *ev)
{
    io.r = &v->r;
    struct client_regs r0 = v->r;
    uint32_t vif0 = v->vm.vif;
    uint32_t c = lin_of(v->r.cs, v->r.eip & 0xFFFF);
    memcpy(v->before, v->mem, V86_SPACE);

    /* the decoder on the bytes the monitor may read: from an exact-size copy */
    unsigned avail = 0x10000 - (v->r.eip & 0xFFFF) < 15 ? 0x10000 - (v->r.eip & 0xFFFF) : 15;
    uint8_t *copy = malloc(avail);
    memcpy(copy, v->mem + c, avail);
    struct v86_insn in, in2;
    int drc = v86_decode(copy, avail, &in);
    if (drc == 0 && in.family != V86_I_LONG) {
        if (in.length > avail || !in.length)
            abort();
        if (v86_decode(copy, in.length, &in2) || memcmp(&in, &in2, sizeof in))
            abort();
        if (v86_decode(copy, in.length - 1u, &in2) != -1)
            abort();
    } else if (drc && avail == 15) {
        abort();
    }
    free(copy);

    io.calls = 0;
    memset(&v->vm.ev, 0xA5, sizeof v->vm.ev);
    int rc = v86_emulate(&v->vm, &v->r);
    *ev = v->vm.ev;
    if (rc < V86_DONE || rc > V86_OTHER)
        abort();
    check_flags(v, r0.eflags);
    int rep_string = drc == 0 && (in.family == V86_I_INS || in.family == V86_I_OUTS) &&
                     (in.flags & V86_F_REP);
    int completed = rc == V86_DONE || rc == V86_HLT || rc == V86_INT ||
                    (rc == V86_FAULT && ev->trap);
    int an_int = drc == 0 && (in.family == V86_I_INT || in.family == V86_I_INT3 ||
                              (in.family == V86_I_INTO && (r0.eflags & V86_FL_OF)));
    unsigned vector = !an_int ? 0 : in.family == V86_I_INT ? in.imm
                                   : in.family == V86_I_INT3 ? 3 : 4;
    if (an_int && !(in.flags & V86_F_LOCK) && rc != V86_INT && rc != V86_PAGE &&
        v86_hooked(&v->vm, vector))
        abort();                                /* hooked: offered to the VMM */
    if (!completed && !rep_string) {            /* nothing changed */
        same_regs(&v->r, &r0);
        if (v->vm.vif != vif0)
            abort();
        unchanged_outside(v, 0, 0);
    } else if (drc == 0 && (in.family == V86_I_PUSHF || (an_int && rc == V86_DONE))) {
        unchanged_outside(v, lin_of(v->r.ss, 0), lin_of(v->r.ss, 0x10000));
        if (an_int && (v->vm.vif || (v->r.eflags & (V86_FL_TF | V86_FL_AC | V86_FL_RF)) ||
                       ((r0.esp - 6) & 0xFFFF) != (v->r.esp & 0xFFFF) ||
                       (r0.esp & 0xFFFF0000u) != (v->r.esp & 0xFFFF0000u)))
            abort();                            /* reflected as v86_reflect would */
        uint32_t vec;
        memcpy(&vec, v->mem + 4 * vector, 4);   /* read after the frame was pushed */
        if (an_int && (v->r.eip != (vec & 0xFFFF) || v->r.cs != vec >> 16))
            abort();
    } else if (drc == 0 && in.family == V86_I_INS) {
        unchanged_outside(v, lin_of(v->r.es, 0), lin_of(v->r.es, 0x10000));
    } else {
        unchanged_outside(v, 0, 0);
    }
    if (completed && v->r.eip > 0xFFFF)
        abort();
    switch (rc) {
    case V86_PAGE:
        if (ev->lin >= V86_SPACE || ev->write > 1 ||
            page_ok(ev->write ? v->writable : v->present, ev->lin))
            abort();
        break;
    case V86_BREAK:
        if (drc || in.family != V86_I_ARPL || (in.flags & V86_F_LOCK) || ev->length != in.length)
            abort();
        break;
    case V86_OTHER:
        if (drc || in.family != V86_I_OTHER)
            abort();
        break;
    case V86_FAULT:
        if (ev->trap ? ev->vector != 1 || !(r0.eflags & V86_FL_TF)
                     : ev->vector != 6 && ev->vector != 12 && ev->vector != 13 &&
                       (ev->vector != 8 || !an_int || (r0.esp & 0xFFFF) > 5 || !(r0.esp & 1)))
            abort();
        break;
    case V86_INT:
        if (!an_int || ev->vector != vector || !v86_hooked(&v->vm, vector))
            abort();
        break;
    case V86_HLT:
        if (drc || in.family != V86_I_HLT)
            abort();
        break;
    }
    return rc;
}

static int reflect(struct vm_image *v, unsigned n)
{
    struct client_regs r0 = v->r;
    memcpy(v->before, v->mem, V86_SPACE);
    int rc = v86_reflect(&v->vm, &v->r, n);
    struct v86_event ev = v->vm.ev;
    check_flags(v, r0.eflags);
    if (rc == V86_DONE) {
        if (v->vm.vif || ((r0.esp - 6) & 0xFFFF) != (v->r.esp & 0xFFFF) ||
            (r0.esp & 0xFFFF0000u) != (v->r.esp & 0xFFFF0000u) ||
            (v->r.eflags & (V86_FL_TF | V86_FL_AC | V86_FL_RF)))
            abort();
        unchanged_outside(v, lin_of(v->r.ss, 0), lin_of(v->r.ss, 0x10000));
    } else {
        if ((rc != V86_PAGE && rc != V86_FAULT) || (rc == V86_FAULT && ev.vector != 8))
            abort();
        if (rc == V86_PAGE && page_ok(ev.write ? v->writable : v->present, ev.lin))
            abort();
        same_regs(&v->r, &r0);
        unchanged_outside(v, 0, 0);
    }
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!A.mem) {
        A.mem = malloc(V86_SPACE), A.before = malloc(V86_SPACE);
        B.mem = malloc(V86_SPACE), B.before = malloc(V86_SPACE);
    }
    uint8_t code[16] = { 0 };
    struct input in = { data, size, 0 };
    for (unsigned k = 0; k < 15; k++)
        code[k] = (uint8_t)take(&in, 1);
    size_t regs_at = in.at;
    build(&A, &in, code, 15);
    io.data = data + in.at;
    io.n = size - (in.at < size ? in.at : size);
    io.at = 0;

    /* the fast path against the general path: B has 3Eh before the same bytes */
    static const uint8_t hot[] = { 0xFA, 0xFB, 0x9C, 0x9D, 0xCF, 0xCD, 0xF4, 0xE4, 0xE5, 0xE6,
                                   0xE7, 0xEC, 0xED, 0xEE, 0xEF };
    uint32_t c = lin_of(A.r.cs, A.r.eip & 0xFFFF);
    if ((A.r.eip & 0xFFFF) && (c & 0xFFF) &&
        (A.mem[c - 1] = 0x3E, memchr(hot, A.mem[c], sizeof hot))) {
        struct input in2 = { data, size, regs_at };
        build(&B, &in2, code, 15);              /* the opcode as built: the stack may be there */
        B.mem[c - 1] = 0x3E;                    /* in both: A may read it as data too */
        B.r.eip -= 1;
        struct v86_event ea, eb;
        size_t at = io.at;
        io.sum = 0;
        int ra = step(&A, &ea);
        uint32_t suma = io.sum;
        io.at = at;
        io.sum = 0;
        int rb = step(&B, &eb);
        if (suma != io.sum)
            abort();                            /* the same I/O calls */
        if (rb == V86_PAGE && eb.lin == c - 1 && ea.lin == c)
            eb.lin = c;                         /* the code page: each its first byte */
        if (ra != rb || memcmp(&ea, &eb, sizeof ea) || A.vm.vif != B.vm.vif)
            abort();
        int completed = ra == V86_DONE || ra == V86_INT || ra == V86_HLT ||
                        (ra == V86_FAULT && ea.trap);
        if (!completed)
            B.r.eip += 1;
        same_regs(&A.r, &B.r);
        uint32_t ss = lin_of(A.r.ss, 0);
        if (memcmp(A.mem + ss, B.mem + ss, 0x10000))
            abort();
        return 0;
    }

    /* up to three calls, as the caller would make them */
    for (int k = 0; k < 3; k++) {
        struct v86_event ev;
        int rc = step(&A, &ev);
        if (rc == V86_INT || rc == V86_FAULT) {
            if (reflect(&A, ev.vector) != V86_DONE)
                break;
        } else if (rc != V86_DONE) {
            break;
        }
    }
    return 0;
}
