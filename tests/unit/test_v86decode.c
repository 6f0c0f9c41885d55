/*
 * Host tests for vmm/v86/decode.c: the V86 monitor's instruction decoder.
 *
 * Every decode is checked field by field against the whole expected struct v86_insn.  The bytes
 * are copied to the end of an exact-size heap block before decoding, so AddressSanitizer reports
 * any read at or past code[avail]; every instruction is also decoded with each shorter avail,
 * which must give -1.  Besides the tables of cases: every opcode byte decodes the same without
 * and with a prefix that changes nothing (the template fast path against the general one), and
 * random byte strings keep the decoder's invariants (never -1 with 15 bytes, the same result
 * with just the instruction's bytes, -1 with one fewer).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "v86/decode.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers --------------------------------------------------------------------------------- */

static const char *family_name(unsigned f)
{
    static const char *const names[V86_I_COUNT] = {
        "OTHER", "LONG", "CLI", "STI", "PUSHF", "POPF", "INT", "INT3", "INTO", "IRET", "HLT",
        "IN", "OUT", "INS", "OUTS", "ARPL",
    };
    return f < V86_I_COUNT ? names[f] : "?";
}

static void hex(const uint8_t *b, unsigned n, char *out, size_t size)
{
    size_t k = 0;
    out[0] = 0;
    for (unsigned i = 0; i < n && k + 4 < size; i++)
        k += (size_t)snprintf(out + k, size - k, "%02X ", b[i]);
}

/* Decodes b[0..avail) from the end of an exact-size block (ASan: no read past avail). */
static int decode_at_end(const uint8_t *b, unsigned avail, struct v86_insn *out)
{
    uint8_t *p = malloc(avail ? avail : 1);
    cr_assert_not_null(p);
    memcpy(p, b, avail);
    memset(out, 0xEE, sizeof *out);
    int rc = v86_decode(p, avail, out);
    free(p);
    return rc;
}

static void expect_insn(const struct v86_insn *got, const struct v86_insn *want, const char *what)
{
    cr_assert(got->family == want->family && got->length == want->length &&
              got->size == want->size && got->seg == want->seg && got->imm == want->imm &&
              got->flags == want->flags && got->opcode == want->opcode,
              "%s: got {%s len %u size %u seg %u imm %#x flags %#x op %#x}, want {%s len %u "
              "size %u seg %u imm %#x flags %#x op %#x}", what,
              family_name(got->family), got->length, got->size, got->seg, got->imm, got->flags,
              got->opcode, family_name(want->family), want->length, want->size, want->seg,
              want->imm, want->flags, want->opcode);
}

/* Decodes b with its n bytes, with every avail shorter than the instruction (-1 each time),
 * and padded to 15 bytes (the same result). */
static void check(const uint8_t *b, unsigned n, const struct v86_insn *want)
{
    char h[64];
    hex(b, n, h, sizeof h);
    struct v86_insn got;
    int rc = decode_at_end(b, n, &got);
    cr_assert_eq(rc, 0, "[%s] with %u bytes: rc %d", h, n, rc);
    expect_insn(&got, want, h);
    for (unsigned a = 0; a < want->length && want->family != V86_I_LONG; a++) {
        rc = decode_at_end(b, a, &got);
        cr_assert_eq(rc, -1, "[%s] with %u of %u bytes: rc %d, want -1", h, a, n, rc);
    }
    uint8_t pad[32];
    memset(pad, 0x90, sizeof pad);
    memcpy(pad, b, n);
    rc = decode_at_end(pad, n > 15 ? n : 15, &got);
    cr_assert_eq(rc, 0, "[%s] padded to 15 bytes: rc %d", h, rc);
    expect_insn(&got, want, h);
}

struct dcase {
    uint8_t b[16];
    unsigned n;
    struct v86_insn want;
};

#define B(...) { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ })
#define I(fam, len, size, seg, imm, flags, op) \
    { V86_I_##fam, len, size, V86_SEG_##seg, imm, flags, op }

static void check_all(const struct dcase *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        check(c[i].b, c[i].n, &c[i].want);
}

/* ---- every family, no prefix ----------------------------------------------------------------- */

Test(v86decode, families_without_prefixes)
{
    static const struct dcase c[] = {
        { B(0xFA),       I(CLI,   1, 2, DS, 0,    0,        0xFA) },
        { B(0xFB),       I(STI,   1, 2, DS, 0,    0,        0xFB) },
        { B(0x9C),       I(PUSHF, 1, 2, SS, 0,    0,        0x9C) },
        { B(0x9D),       I(POPF,  1, 2, SS, 0,    0,        0x9D) },
        { B(0xCD, 0x21), I(INT,   2, 2, DS, 0x21, 0,        0xCD) },
        { B(0xCD, 0x00), I(INT,   2, 2, DS, 0,    0,        0xCD) },
        { B(0xCD, 0xFF), I(INT,   2, 2, DS, 0xFF, 0,        0xCD) },
        { B(0xCC),       I(INT3,  1, 2, DS, 3,    0,        0xCC) },
        { B(0xCE),       I(INTO,  1, 2, DS, 4,    0,        0xCE) },
        { B(0xCF),       I(IRET,  1, 2, SS, 0,    0,        0xCF) },
        { B(0xF4),       I(HLT,   1, 2, DS, 0,    0,        0xF4) },
        { B(0xE4, 0x60), I(IN,    2, 1, DS, 0x60, 0,        0xE4) },
        { B(0xE5, 0x71), I(IN,    2, 2, DS, 0x71, 0,        0xE5) },
        { B(0xEC),       I(IN,    1, 1, DS, 0,    V86_F_DX, 0xEC) },
        { B(0xED),       I(IN,    1, 2, DS, 0,    V86_F_DX, 0xED) },
        { B(0xE6, 0x80), I(OUT,   2, 1, DS, 0x80, 0,        0xE6) },
        { B(0xE7, 0xF0), I(OUT,   2, 2, DS, 0xF0, 0,        0xE7) },
        { B(0xEE),       I(OUT,   1, 1, DS, 0,    V86_F_DX, 0xEE) },
        { B(0xEF),       I(OUT,   1, 2, DS, 0,    V86_F_DX, 0xEF) },
        { B(0x6C),       I(INS,   1, 1, ES, 0,    V86_F_DX, 0x6C) },
        { B(0x6D),       I(INS,   1, 2, ES, 0,    V86_F_DX, 0x6D) },
        { B(0x6E),       I(OUTS,  1, 1, DS, 0,    V86_F_DX, 0x6E) },
        { B(0x6F),       I(OUTS,  1, 2, DS, 0,    V86_F_DX, 0x6F) },
        { B(0x63, 0xC0), I(ARPL,  2, 2, DS, 0,    0,        0x63) },
        /* not ours: the opcode (and prefixes) only */
        { B(0x90),       I(OTHER, 1, 2, DS, 0,    0,        0x90) },
        { B(0x0F, 0x01), I(OTHER, 1, 2, DS, 0,    0,        0x0F) },
        { B(0xCB),       I(OTHER, 1, 2, DS, 0,    0,        0xCB) },
        { B(0x00, 0x00), I(OTHER, 1, 2, DS, 0,    0,        0x00) },
    };
    check_all(c, NELEM(c));
}

/* The monitor's trap path (v86/monitor.c, fast_op) takes these opcodes without prefixes as
 * these instructions without decoding them: the decoder must agree (family, length, operand
 * size, the port in DX), and give no other opcode one of their families. */
Test(v86decode, hot_templates)
{
    static const struct { uint8_t op, family, length, size, flags; } hot[] = {
        { 0xFA, V86_I_CLI, 1, 2, 0 },   { 0xFB, V86_I_STI, 1, 2, 0 },
        { 0x9C, V86_I_PUSHF, 1, 2, 0 }, { 0x9D, V86_I_POPF, 1, 2, 0 },
        { 0xCF, V86_I_IRET, 1, 2, 0 },  { 0xCD, V86_I_INT, 2, 2, 0 },
        { 0xF4, V86_I_HLT, 1, 2, 0 },
        { 0xE4, V86_I_IN, 2, 1, 0 },    { 0xE5, V86_I_IN, 2, 2, 0 },
        { 0xE6, V86_I_OUT, 2, 1, 0 },   { 0xE7, V86_I_OUT, 2, 2, 0 },
        { 0xEC, V86_I_IN, 1, 1, V86_F_DX },  { 0xED, V86_I_IN, 1, 2, V86_F_DX },
        { 0xEE, V86_I_OUT, 1, 1, V86_F_DX }, { 0xEF, V86_I_OUT, 1, 2, V86_F_DX },
    };
    for (size_t i = 0; i < NELEM(hot); i++) {
        const struct v86_insn *t = &v86_optab[hot[i].op].tmpl;
        cr_assert_eq(t->family, hot[i].family, "opcode %#x", hot[i].op);
        cr_assert_eq(t->length, hot[i].length, "opcode %#x", hot[i].op);
        cr_assert_eq(t->size, hot[i].size, "opcode %#x", hot[i].op);
        cr_assert_eq(t->flags, hot[i].flags, "opcode %#x", hot[i].op);
    }
    for (unsigned op = 0; op < 256; op++) {
        unsigned f = v86_optab[op].tmpl.family;
        int listed = 0;
        for (size_t i = 0; i < NELEM(hot); i++)
            listed |= hot[i].op == op;
        if (!listed)
            cr_assert(f != V86_I_CLI && f != V86_I_STI && f != V86_I_PUSHF && f != V86_I_POPF &&
                      f != V86_I_IRET && f != V86_I_INT && f != V86_I_HLT && f != V86_I_IN &&
                      f != V86_I_OUT,
                      "opcode %#x has hot family %s", op, family_name(f));
    }
}

/* ---- prefixes -------------------------------------------------------------------------------- */

#define F_SEG V86_F_SEG
#define F_OP  V86_F_OPSIZE
#define F_AD  V86_F_ADDR32
#define F_REP V86_F_REP
#define F_LK  V86_F_LOCK
#define F_DX  V86_F_DX

Test(v86decode, operand_size)
{
    static const struct dcase c[] = {
        { B(0x66, 0x9C),       I(PUSHF, 2, 4, SS, 0,    F_OP,        0x9C) },
        { B(0x66, 0x9D),       I(POPF,  2, 4, SS, 0,    F_OP,        0x9D) },
        { B(0x66, 0xCF),       I(IRET,  2, 4, SS, 0,    F_OP,        0xCF) },
        { B(0x66, 0xE5, 0x40), I(IN,    3, 4, DS, 0x40, F_OP,        0xE5) },
        { B(0x66, 0xE4, 0x40), I(IN,    3, 1, DS, 0x40, F_OP,        0xE4) },  /* byte stays */
        { B(0x66, 0xED),       I(IN,    2, 4, DS, 0,    F_OP | F_DX, 0xED) },
        { B(0x66, 0xE7, 0x40), I(OUT,   3, 4, DS, 0x40, F_OP,        0xE7) },
        { B(0x66, 0xEF),       I(OUT,   2, 4, DS, 0,    F_OP | F_DX, 0xEF) },
        { B(0x66, 0xEE),       I(OUT,   2, 1, DS, 0,    F_OP | F_DX, 0xEE) },
        { B(0x66, 0x6D),       I(INS,   2, 4, ES, 0,    F_OP | F_DX, 0x6D) },
        { B(0x66, 0x6F),       I(OUTS,  2, 4, DS, 0,    F_OP | F_DX, 0x6F) },
        { B(0x66, 0x6C),       I(INS,   2, 1, ES, 0,    F_OP | F_DX, 0x6C) },
        { B(0x66, 0xFA),       I(CLI,   2, 4, DS, 0,    F_OP,        0xFA) },
        { B(0x66, 0xCD, 0x10), I(INT,   3, 4, DS, 0x10, F_OP,        0xCD) },
        { B(0x66, 0xCE),       I(INTO,  2, 4, DS, 4,    F_OP,        0xCE) },
        { B(0x66, 0xCC),       I(INT3,  2, 4, DS, 3,    F_OP,        0xCC) },
        { B(0x66, 0xF4),       I(HLT,   2, 4, DS, 0,    F_OP,        0xF4) },
        { B(0x66, 0x66, 0x9C), I(PUSHF, 3, 4, SS, 0,    F_OP,        0x9C) },  /* repeated */
        { B(0x66, 0x90),       I(OTHER, 2, 4, DS, 0,    F_OP,        0x90) },
    };
    check_all(c, NELEM(c));
}

Test(v86decode, address_size_rep_lock)
{
    static const struct dcase c[] = {
        { B(0x67, 0x6E),             I(OUTS, 2, 1, DS, 0, F_AD | F_DX,              0x6E) },
        { B(0xF3, 0x6E),             I(OUTS, 2, 1, DS, 0, F_REP | F_DX,             0x6E) },
        { B(0xF2, 0x6D),             I(INS,  2, 2, ES, 0, F_REP | F_DX,             0x6D) },
        { B(0xF3, 0x67, 0x66, 0x6F), I(OUTS, 4, 4, DS, 0, F_REP | F_AD | F_OP | F_DX, 0x6F) },
        { B(0x66, 0x67, 0xF3, 0x6D), I(INS,  4, 4, ES, 0, F_REP | F_AD | F_OP | F_DX, 0x6D) },
        { B(0xF3, 0xFA),             I(CLI,  2, 2, DS, 0, F_REP,                    0xFA) },
        { B(0xF0, 0xFA),             I(CLI,  2, 2, DS, 0, F_LK,                     0xFA) },
        { B(0xF0, 0xCD, 0x21),       I(INT,  3, 2, DS, 0x21, F_LK,                  0xCD) },
        { B(0xF0, 0x9C),             I(PUSHF, 2, 2, SS, 0, F_LK,                    0x9C) },
        { B(0xF0, 0x63, 0xC0),       I(ARPL, 3, 2, DS, 0, F_LK,                     0x63) },
        { B(0xF0, 0x90),             I(OTHER, 2, 2, DS, 0, F_LK,                    0x90) },
        { B(0xF3, 0xF2, 0x6C),       I(INS,  3, 1, ES, 0, F_REP | F_DX,             0x6C) },
    };
    check_all(c, NELEM(c));
}

Test(v86decode, segment_overrides)
{
    static const struct dcase c[] = {
        /* OUTS takes the override; the last one counts */
        { B(0x26, 0x6E),       I(OUTS, 2, 1, ES, 0, F_SEG | F_DX, 0x6E) },
        { B(0x2E, 0x6E),       I(OUTS, 2, 1, CS, 0, F_SEG | F_DX, 0x6E) },
        { B(0x36, 0x6E),       I(OUTS, 2, 1, SS, 0, F_SEG | F_DX, 0x6E) },
        { B(0x3E, 0x6E),       I(OUTS, 2, 1, DS, 0, F_SEG | F_DX, 0x6E) },
        { B(0x64, 0x6F),       I(OUTS, 2, 2, FS, 0, F_SEG | F_DX, 0x6F) },
        { B(0x65, 0x6F),       I(OUTS, 2, 2, GS, 0, F_SEG | F_DX, 0x6F) },
        { B(0x26, 0x64, 0x6E), I(OUTS, 3, 1, FS, 0, F_SEG | F_DX, 0x6E) },
        { B(0x64, 0x26, 0x6E), I(OUTS, 3, 1, ES, 0, F_SEG | F_DX, 0x6E) },
        /* INS writes ES:DI, PUSHF/POPF/IRET use SS: no override applies (the flag says one
         * was there) */
        { B(0x2E, 0x6C),       I(INS,   2, 1, ES, 0, F_SEG | F_DX, 0x6C) },
        { B(0x65, 0x6D),       I(INS,   2, 2, ES, 0, F_SEG | F_DX, 0x6D) },
        { B(0x26, 0x9C),       I(PUSHF, 2, 2, SS, 0, F_SEG,        0x9C) },
        { B(0x64, 0x9D),       I(POPF,  2, 2, SS, 0, F_SEG,        0x9D) },
        { B(0x3E, 0xCF),       I(IRET,  2, 2, SS, 0, F_SEG,        0xCF) },
        /* elsewhere the segment is carried but meaningless */
        { B(0x2E, 0xFA),       I(CLI,  2, 2, CS, 0,    F_SEG, 0xFA) },
        { B(0x36, 0xCD, 0x13), I(INT,  3, 2, SS, 0x13, F_SEG, 0xCD) },
        { B(0x65, 0x90),       I(OTHER, 2, 2, GS, 0,   F_SEG, 0x90) },
    };
    check_all(c, NELEM(c));
}

Test(v86decode, everything_at_once)
{
    static const struct dcase c[] = {
        { B(0xF3, 0x66, 0x67, 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0xF2, 0x6F),
          I(OUTS, 11, 4, GS, 0, F_REP | F_OP | F_AD | F_SEG | F_DX, 0x6F) },
        { B(0xF0, 0x66, 0x67, 0x64, 0xF3, 0xE5, 0x99),
          I(IN, 7, 4, FS, 0x99, F_LK | F_OP | F_AD | F_SEG | F_REP, 0xE5) },
    };
    check_all(c, NELEM(c));
}

/* ---- ARPL: the length of every ModRM form ---------------------------------------------------- */

Test(v86decode, arpl_lengths)
{
    static const struct dcase c[] = {
        /* 16-bit addressing */
        { B(0x63, 0xC0),                   I(ARPL, 2, 2, DS, 0, 0, 0x63) },  /* reg */
        { B(0x63, 0x00),                   I(ARPL, 2, 2, DS, 0, 0, 0x63) },  /* [bx+si] */
        { B(0x63, 0x06, 0x34, 0x12),       I(ARPL, 4, 2, DS, 0, 0, 0x63) },  /* [1234] */
        { B(0x63, 0x46, 0x08),             I(ARPL, 3, 2, DS, 0, 0, 0x63) },  /* [bp+8] */
        { B(0x63, 0x87, 0x00, 0x10),       I(ARPL, 4, 2, DS, 0, 0, 0x63) },  /* [bx+1000] */
        { B(0x63, 0x04),                   I(ARPL, 2, 2, DS, 0, 0, 0x63) },  /* [si]: no SIB */
        { B(0x63, 0x05),                   I(ARPL, 2, 2, DS, 0, 0, 0x63) },  /* [di] */
        /* 32-bit addressing (67h) */
        { B(0x67, 0x63, 0xC1),             I(ARPL, 3, 2, DS, 0, F_AD, 0x63) },
        { B(0x67, 0x63, 0x00),             I(ARPL, 3, 2, DS, 0, F_AD, 0x63) },  /* [eax] */
        { B(0x67, 0x63, 0x05, 1, 2, 3, 4), I(ARPL, 7, 2, DS, 0, F_AD, 0x63) },  /* [disp32] */
        { B(0x67, 0x63, 0x06),             I(ARPL, 3, 2, DS, 0, F_AD, 0x63) },  /* [esi] */
        { B(0x67, 0x63, 0x04, 0x24),       I(ARPL, 4, 2, DS, 0, F_AD, 0x63) },  /* [esp] SIB */
        { B(0x67, 0x63, 0x04, 0x25, 1, 2, 3, 4),                                  /* SIB disp32 */
          I(ARPL, 8, 2, DS, 0, F_AD, 0x63) },
        { B(0x67, 0x63, 0x44, 0x24, 0x08), I(ARPL, 5, 2, DS, 0, F_AD, 0x63) },  /* [esp+8] */
        { B(0x67, 0x63, 0x45, 0x08),       I(ARPL, 4, 2, DS, 0, F_AD, 0x63) },  /* [ebp+8] */
        { B(0x67, 0x63, 0x80, 1, 2, 3, 4), I(ARPL, 7, 2, DS, 0, F_AD, 0x63) },  /* [eax+d32] */
        { B(0x67, 0x63, 0x84, 0x24, 1, 2, 3, 4),
          I(ARPL, 8, 2, DS, 0, F_AD, 0x63) },                                   /* [esp+d32] */
        { B(0x67, 0x63, 0x4C, 0x25, 0x08), I(ARPL, 5, 2, DS, 0, F_AD, 0x63) },  /* base 5, mod 1 */
        /* 66h changes nothing in the length */
        { B(0x66, 0x63, 0x06, 0x34, 0x12), I(ARPL, 5, 4, DS, 0, F_OP, 0x63) },
        { B(0x2E, 0x63, 0x06, 0x34, 0x12), I(ARPL, 5, 2, CS, 0, F_SEG, 0x63) },
    };
    check_all(c, NELEM(c));
}

/* ---- the 15-byte limit ----------------------------------------------------------------------- */

static void prefixes_then(uint8_t *b, unsigned npfx, const uint8_t *insn, unsigned n)
{
    static const uint8_t pfx[] = { 0x66, 0x2E, 0xF3, 0x67, 0x26, 0x3E };
    for (unsigned i = 0; i < npfx; i++)
        b[i] = pfx[i % NELEM(pfx)];
    memcpy(b + npfx, insn, n);
}

Test(v86decode, fifteen_byte_limit)
{
    uint8_t b[40];
    struct v86_insn got;
    const unsigned seg_pfx = V86_F_SEG | V86_F_OPSIZE | V86_F_REP | V86_F_ADDR32;

    /* 14 prefixes + CLI: 15 bytes, fine (the last segment override is the 2Eh at 13) */
    prefixes_then(b, 14, (const uint8_t[]){ 0xFA }, 1);
    check(b, 15, &(struct v86_insn)I(CLI, 15, 4, CS, 0, seg_pfx, 0xFA));
    /* 15 prefixes + CLI: too long, however many bytes are there */
    prefixes_then(b, 15, (const uint8_t[]){ 0xFA }, 1);
    for (unsigned avail = 15; avail <= 16; avail++) {
        cr_assert_eq(decode_at_end(b, avail, &got), 0);
        expect_insn(&got, &(struct v86_insn)I(LONG, 16, 2, CS, 0, seg_pfx, 0),
                    "15 prefixes + CLI");
    }
    /* fewer than 15 bytes, all prefixes: not known yet */
    cr_assert_eq(decode_at_end(b, 14, &got), -1);
    /* 13 prefixes + INT 21: 15 bytes */
    prefixes_then(b, 13, (const uint8_t[]){ 0xCD, 0x21 }, 2);
    check(b, 15, &(struct v86_insn)I(INT, 15, 4, DS, 0x21, seg_pfx, 0xCD));
    /* 14 prefixes + INT 21: the imm8 is byte 16 */
    prefixes_then(b, 14, (const uint8_t[]){ 0xCD, 0x21 }, 2);
    cr_assert_eq(decode_at_end(b, 16, &got), 0);
    expect_insn(&got, &(struct v86_insn)I(LONG, 16, 2, CS, 0, seg_pfx, 0xCD), "14 + INT 21");
    cr_assert_eq(decode_at_end(b, 15, &got), 0);
    expect_insn(&got, &(struct v86_insn)I(LONG, 16, 2, CS, 0, seg_pfx, 0xCD), "14 + INT 21");
    /* ARPL with SIB and disp32 (7 bytes after 67h): 8 prefixes fit, 9 do not; the length is
     * known from the ModRM and SIB even when the bytes after them are missing */
    static const uint8_t arpl[] = { 0x63, 0x84, 0x24, 1, 2, 3, 4 };
    b[0] = 0x67;
    for (unsigned i = 1; i < 8; i++)
        b[i] = 0x3E;
    memcpy(b + 8, arpl, sizeof arpl);
    check(b, 15, &(struct v86_insn)I(ARPL, 15, 2, DS, 0, V86_F_ADDR32 | V86_F_SEG, 0x63));
    b[0] = 0x67;
    for (unsigned i = 1; i < 9; i++)
        b[i] = 0x3E;
    memcpy(b + 9, arpl, sizeof arpl);
    for (unsigned avail = 12; avail <= 16; avail++) {
        cr_assert_eq(decode_at_end(b, avail, &got), 0, "avail %u", avail);
        expect_insn(&got, &(struct v86_insn)I(LONG, 16, 2, DS, 0, V86_F_ADDR32 | V86_F_SEG,
                                              0x63), "9 prefixes + ARPL SIB disp32");
    }
    cr_assert_eq(decode_at_end(b, 11, &got), -1, "the SIB byte is needed to know");
    /* the limit also counts a ModRM that is byte 16 */
    for (unsigned i = 0; i < 14; i++)
        b[i] = 0x66;
    b[14] = 0x63;
    b[15] = 0xC0;
    cr_assert_eq(decode_at_end(b, 15, &got), 0);
    cr_assert_eq(got.family, V86_I_LONG);
}

Test(v86decode, nothing_available)
{
    struct v86_insn got;
    cr_assert_eq(v86_decode((const uint8_t *)"", 0, &got), -1);
}

/* ---- consistency ----------------------------------------------------------------------------- */

/* Every opcode byte, followed by fixed bytes, decodes without a prefix (the template path) as
 * with a DS: prefix (the general path) but for the length, the flag and the segment. */
Test(v86decode, template_matches_general_path)
{
    static const uint8_t prefixes[] = {
        0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0x66, 0x67, 0xF0, 0xF2, 0xF3,
    };
    for (unsigned op = 0; op < 256; op++) {
        if (memchr(prefixes, (int)op, sizeof prefixes))
            continue;
        uint8_t plain[16] = { (uint8_t)op, 0x06, 0x34, 0x12, 0x99, 0x99 };
        uint8_t pref[16] = { 0x3E, (uint8_t)op, 0x06, 0x34, 0x12, 0x99, 0x99 };
        struct v86_insn a, b;
        cr_assert_eq(decode_at_end(plain, 15, &a), 0, "opcode %#x", op);
        cr_assert_eq(decode_at_end(pref, 15, &b), 0, "opcode %#x", op);
        cr_assert_eq(a.family, b.family, "opcode %#x", op);
        cr_assert_eq(a.length + 1, b.length, "opcode %#x", op);
        cr_assert_eq(a.size, b.size, "opcode %#x", op);
        cr_assert_eq(a.seg, b.seg, "opcode %#x", op);
        cr_assert_eq(a.imm, b.imm, "opcode %#x", op);
        cr_assert_eq(a.flags | V86_F_SEG, b.flags, "opcode %#x", op);
        cr_assert_eq(a.opcode, op);
        cr_assert_eq(b.opcode, op);
    }
}

/* Random byte strings: with 15 bytes a result always; the same with exactly its bytes; -1 with
 * one fewer; lengths in range. */
Test(v86decode, random_invariants)
{
    static const uint8_t interesting[] = {
        0x66, 0x67, 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0xF0, 0xF2, 0xF3,
        0xFA, 0xFB, 0x9C, 0x9D, 0xCD, 0xCC, 0xCE, 0xCF, 0xF4, 0xE4, 0xE5, 0xE6, 0xE7,
        0xEC, 0xED, 0xEE, 0xEF, 0x6C, 0x6D, 0x6E, 0x6F, 0x63, 0x04, 0x05, 0x25, 0x84, 0x44,
    };
    uint64_t seed = 0x5EED0086;
    for (unsigned iter = 0; iter < 200000; iter++) {
        uint8_t b[15];
        for (unsigned i = 0; i < sizeof b; i++) {
            uint64_t x = rng_next(&seed);
            b[i] = x & 1 ? interesting[(x >> 8) % NELEM(interesting)] : (uint8_t)(x >> 16);
        }
        struct v86_insn a, c;
        cr_assert_eq(v86_decode(b, 15, &a), 0);
        cr_assert(a.family < V86_I_COUNT);
        if (a.family == V86_I_LONG) {
            cr_assert_eq(a.length, 16);
            continue;
        }
        cr_assert(a.length >= 1 && a.length <= 15, "length %u", a.length);
        cr_assert(a.size == 1 || a.size == 2 || a.size == 4);
        cr_assert(a.seg <= V86_SEG_GS);
        cr_assert_eq(decode_at_end(b, a.length, &c), 0);
        cr_assert_eq(memcmp(&a, &c, sizeof a), 0, "iteration %u: differs with %u bytes", iter,
                     a.length);
        cr_assert_eq(decode_at_end(b, a.length - 1u, &c), -1, "iteration %u", iter);
    }
}
