/*
 * The V86 instruction decoder: see decode.h.
 *
 * What virtual-8086 code at IOPL 0 without VME traps on, and what the monitor makes of it
 * (v86/monitor.c; "vif" is the VM's virtual IF, IOPL 3 what the VM is shown):
 *
 *  opcode       instruction        traps because               the monitor
 *  FA           CLI                IOPL < 3: #GP(0)            vif = 0
 *  FB           STI                IOPL < 3: #GP(0)            vif = IF
 *  9C           PUSHF  / PUSHFD    IOPL < 3: #GP(0)            push FLAGS with IF = vif, IOPL = 3
 *  9D           POPF   / POPFD     IOPL < 3: #GP(0)            pop into the ordinary flags and vif
 *  CD ib        INT n              IOPL < 3: #GP(0)            V86_INT n (hooks, else reflected)
 *  CC           INT3               gate DPL 0: #GP             V86_INT 3
 *  CE           INTO               gate DPL 0: #GP, if OF      V86_INT 4 if OF, else nothing
 *  CF           IRET   / IRETD     IOPL < 3: #GP(0)            pop IP CS FLAGS into them and vif
 *  F4           HLT                CPL 3: #GP(0)               V86_HLT
 *  E4 E5 ib     IN  AL/eAX, ib     port in the I/O bitmap      the I/O callback, one access
 *  EC ED        IN  AL/eAX, DX       (#GP(0))
 *  E6 E7 ib     OUT ib, AL/eAX
 *  EE EF        OUT DX, AL/eAX
 *  6C 6D        INS  (ES:DI)       port in the I/O bitmap      one callback an element; the
 *  6E 6F        OUTS (DS:SI)         (#GP(0))                  monitor does the memory side
 *  63 /r        ARPL               #UD in V86 mode             V86_BREAK (a VxD call back)
 *  any, F0h     LOCK with the above  #UD                       V86_FAULT 6
 *  any          > 15 bytes         #GP(0)                      V86_FAULT 13 (V86_I_LONG)
 *  the rest                        (a genuine fault)           V86_OTHER
 *
 * One 256-entry table, indexed by the byte, says what each is: a prefix (with the flag or
 * segment it sets) or an instruction, as the template of its decoded form without prefixes
 * (family, length, operand size, default segment, implicit immediate).  The common case, an
 * opcode without prefixes, is that template copied out (and the imm8 of INT n or IN/OUT ib
 * put in); the monitor's trap path handles its commonest forms without calling the decoder at
 * all (v86/monitor.c) and comes here for the rest.
 */
#include "v86/decode.h"

/* What an opcode byte is, beyond its template (struct v86_opinfo.kind). */
#define K_PREFIX   0x01u            /* a prefix: tmpl.flags the V86_F_* it sets, tmpl.seg */
#define K_IMM8     0x02u            /* an imm8 follows */
#define K_MODRM    0x04u            /* a ModRM (maybe SIB, displacement) follows */
#define K_BYTE     0x08u            /* byte operand (else 16 or 32 bits by 66h) */
#define K_FIXSEG   0x10u            /* the segment cannot be overridden (stack, ES:DI) */

#define OP(op, fam, len, size, seg, imm, fl, k) \
    [op] = { { fam, len, size, V86_SEG_##seg, imm, fl, op }, k }
#define PFX(op, fl, s)  [op] = { { .flags = fl, .seg = V86_SEG_##s, .opcode = op }, K_PREFIX }
#define DX  V86_F_DX

const struct v86_opinfo v86_optab[256] = {
    /*  op    family        len size seg imm flags  kind */
    OP(0xFA, V86_I_CLI,      1, 2, DS, 0, 0,  0),
    OP(0xFB, V86_I_STI,      1, 2, DS, 0, 0,  0),
    OP(0x9C, V86_I_PUSHF,    1, 2, SS, 0, 0,  K_FIXSEG),
    OP(0x9D, V86_I_POPF,     1, 2, SS, 0, 0,  K_FIXSEG),
    OP(0xCD, V86_I_INT,      2, 2, DS, 0, 0,  K_IMM8),
    OP(0xCC, V86_I_INT3,     1, 2, DS, 3, 0,  0),
    OP(0xCE, V86_I_INTO,     1, 2, DS, 4, 0,  0),
    OP(0xCF, V86_I_IRET,     1, 2, SS, 0, 0,  K_FIXSEG),
    OP(0xF4, V86_I_HLT,      1, 2, DS, 0, 0,  0),
    OP(0xE4, V86_I_IN,       2, 1, DS, 0, 0,  K_IMM8 | K_BYTE),
    OP(0xE5, V86_I_IN,       2, 2, DS, 0, 0,  K_IMM8),
    OP(0xEC, V86_I_IN,       1, 1, DS, 0, DX, K_BYTE),
    OP(0xED, V86_I_IN,       1, 2, DS, 0, DX, 0),
    OP(0xE6, V86_I_OUT,      2, 1, DS, 0, 0,  K_IMM8 | K_BYTE),
    OP(0xE7, V86_I_OUT,      2, 2, DS, 0, 0,  K_IMM8),
    OP(0xEE, V86_I_OUT,      1, 1, DS, 0, DX, K_BYTE),
    OP(0xEF, V86_I_OUT,      1, 2, DS, 0, DX, 0),
    OP(0x6C, V86_I_INS,      1, 1, ES, 0, DX, K_BYTE | K_FIXSEG),
    OP(0x6D, V86_I_INS,      1, 2, ES, 0, DX, K_FIXSEG),
    OP(0x6E, V86_I_OUTS,     1, 1, DS, 0, DX, K_BYTE),
    OP(0x6F, V86_I_OUTS,     1, 2, DS, 0, DX, 0),
    OP(0x63, V86_I_ARPL,     0, 2, DS, 0, 0,  K_MODRM),
    /* prefixes */
    PFX(0x26, V86_F_SEG, ES),   PFX(0x2E, V86_F_SEG, CS),   PFX(0x36, V86_F_SEG, SS),
    PFX(0x3E, V86_F_SEG, DS),   PFX(0x64, V86_F_SEG, FS),   PFX(0x65, V86_F_SEG, GS),
    PFX(0x66, V86_F_OPSIZE, DS),
    PFX(0x67, V86_F_ADDR32, DS),
    PFX(0xF0, V86_F_LOCK, DS),
    PFX(0xF2, V86_F_REP, DS),
    PFX(0xF3, V86_F_REP, DS),
    /* every other byte: { 0 } = V86_I_OTHER, length 0 */
};

_Static_assert(sizeof(struct v86_opinfo) == 8, "one table entry is 8 bytes");

/* Whether the instruction can end at byte `end`: 0 yes, -1 the bytes run out first, 1 it would
 * be longer than 15 bytes (decided first: it does not depend on avail). */
static int ends(unsigned end, unsigned avail)
{
    if (end > V86_MAX_LEN)
        return 1;
    return end > avail ? -1 : 0;
}

/* Bytes after the opcode taken by ModRM, SIB and displacement, from byte n (the ModRM); -1 if
 * a byte it depends on is not available; 15 (too many) if that byte lies past the limit. */
static int modrm_len(const uint8_t *code, unsigned avail, unsigned n, unsigned flags)
{
    int rc = ends(n + 1, avail);
    if (rc)
        return rc < 0 ? -1 : (int)V86_MAX_LEN;
    unsigned mod = code[n] >> 6, rm = code[n] & 7;
    if (mod == 3)
        return 1;
    if (!(flags & V86_F_ADDR32))                        /* [bx+si] ... [bx], disp8/16 */
        return 1 + (mod == 1 ? 1 : mod == 2 || rm == 6 ? 2 : 0);
    unsigned len = 1, base = rm;
    if (rm == 4) {                                      /* SIB */
        if ((rc = ends(n + 2, avail)))
            return rc < 0 ? -1 : (int)V86_MAX_LEN;
        base = code[n + 1] & 7;
        len = 2;
    }
    return len + (mod == 1 ? 1 : mod == 2 || base == 5 ? 4 : 0);
}

static int too_long(struct v86_insn *out, unsigned flags, unsigned seg, unsigned op)
{
    *out = (struct v86_insn){ .family = V86_I_LONG, .length = V86_MAX_LEN + 1, .size = 2,
                              .seg = seg, .flags = flags, .opcode = op };
    return 0;
}

/* Prefixes, ARPL's ModRM, V86_I_OTHER, and anything short of bytes. */
__attribute__((noinline)) static int decode_slow(const uint8_t *code, unsigned avail,
                                                 struct v86_insn *out)
{
    unsigned n = 0, flags = 0, seg = V86_SEG_DS, op;
    const struct v86_opinfo *o;

    for (;;) {                                          /* prefixes, then the opcode */
        int rc = ends(n + 1, avail);
        if (rc)
            return rc < 0 ? -1 : too_long(out, flags, seg, 0);
        op = code[n++];
        o = &v86_optab[op];
        if (!(o->kind & K_PREFIX))
            break;
        flags |= o->tmpl.flags;
        if (o->tmpl.flags & V86_F_SEG)
            seg = o->tmpl.seg;
    }
    struct v86_insn in = o->tmpl;
    if (o->kind & (K_IMM8 | K_MODRM)) {
        int k = o->kind & K_IMM8 ? 1 : modrm_len(code, avail, n, flags);
        int rc = k < 0 ? -1 : ends(n + k, avail);
        if (rc)
            return rc < 0 ? -1 : too_long(out, flags, seg, op);
        if (o->kind & K_IMM8)
            in.imm = code[n];
        n += k;
    }
    in.length = n;
    in.opcode = op;                                     /* not ours: the template is all 0 */
    in.flags |= flags;
    if (!(o->kind & K_BYTE) && (flags & V86_F_OPSIZE))
        in.size = 4;
    if (!(o->kind & K_FIXSEG))
        in.seg = seg;
    if (in.family == V86_I_OTHER)
        in.size = flags & V86_F_OPSIZE ? 4 : 2;
    *out = in;
    return 0;
}

int v86_decode(const uint8_t *code, unsigned avail, struct v86_insn *out)
{
    if (avail) {                                        /* no prefix: the template */
        const struct v86_opinfo *o = &v86_optab[code[0]];
        unsigned len = o->tmpl.length;
        if (len && len <= avail) {
            *out = o->tmpl;
            if (len == 2)                               /* INT n, IN/OUT ib */
                out->imm = code[1];
            return 0;
        }
    }
    return decode_slow(code, avail, out);
}
