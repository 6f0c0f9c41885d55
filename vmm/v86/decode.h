/*
 * The V86 monitor's instruction decoder: which instruction, of the few that a virtual-8086 task
 * running at IOPL 0 without VME traps on, lies at a pointer, with its prefixes and its length.
 * A pure function on bytes: no state, no hardware, no allocation.  The monitor (v86/monitor.c)
 * calls it on the trap path, in interrupt context; the host tests and the fuzzer call it as is.
 *
 * The opcodes recognised, and what the monitor does with each, are tabled at the top of
 * decode.c.  Everything else decodes as V86_I_OTHER: the caller treats it as a genuine fault, so
 * the decoder does not need (and does not have) the length of arbitrary instructions.
 *
 * Prefixes, any number and in any order up to the 15-byte limit of an instruction:
 *   66h operand size 32        67h address size 32        F0h LOCK (#UD with all of ours)
 *   F2h F3h REP (both mean REP for INS/OUTS; ignored elsewhere)
 *   26h 2Eh 36h 3Eh 64h 65h    segment override: ES CS SS DS FS GS (the last one counts)
 * An instruction that would be longer than 15 bytes decodes as V86_I_LONG (#GP on a CPU).
 */
#ifndef VMM_V86_DECODE_H
#define VMM_V86_DECODE_H
#include <stdint.h>

#define V86_MAX_LEN 15u                 /* longest x86 instruction, prefixes included */

enum v86_family {
    V86_I_OTHER,        /* not one of ours (its length is not decoded) */
    V86_I_LONG,         /* more than 15 bytes: #GP(0) */
    V86_I_CLI,          /* FA */
    V86_I_STI,          /* FB */
    V86_I_PUSHF,        /* 9C */
    V86_I_POPF,         /* 9D */
    V86_I_INT,          /* CD ib */
    V86_I_INT3,         /* CC */
    V86_I_INTO,         /* CE */
    V86_I_IRET,         /* CF */
    V86_I_HLT,          /* F4 */
    V86_I_IN,           /* E4 ib, E5 ib, EC, ED */
    V86_I_OUT,          /* E6 ib, E7 ib, EE, EF */
    V86_I_INS,          /* 6C, 6D */
    V86_I_OUTS,         /* 6E, 6F */
    V86_I_ARPL,         /* 63 /r: the V86 break point */
    V86_I_COUNT
};

/* Segment registers in the CPU's own encoding (the sreg field of MOV Sreg). */
enum { V86_SEG_ES, V86_SEG_CS, V86_SEG_SS, V86_SEG_DS, V86_SEG_FS, V86_SEG_GS };

/* v86_insn.flags */
#define V86_F_OPSIZE    0x01u           /* 66h seen */
#define V86_F_ADDR32    0x02u           /* 67h seen: INS/OUTS use ESI, EDI, ECX */
#define V86_F_REP       0x04u           /* F2h or F3h seen */
#define V86_F_LOCK      0x08u           /* F0h seen */
#define V86_F_SEG       0x10u           /* a segment override seen (seg holds the last) */
#define V86_F_DX        0x20u           /* IN/OUT/INS/OUTS: the port is DX, not imm */

struct v86_insn {
    uint8_t family;     /* enum v86_family */
    uint8_t length;     /* bytes, prefixes included, 1..15; V86_I_OTHER: prefixes + opcode
                           only; V86_I_LONG: 16 */
    uint8_t size;       /* operand bytes: 1 for the byte forms of IN/OUT/INS/OUTS, else 4 with
                           66h and 2 without (PUSHF/POPF/IRET: 2 or 4 bytes a stack slot) */
    uint8_t seg;        /* V86_SEG_*: the memory operand's segment: the override if any, else
                           DS; INS always ES, PUSHF/POPF/IRET always SS (no override applies) */
    uint8_t imm;        /* INT n: n; IN/OUT ib: the port; INT3: 3; INTO: 4; else 0 */
    uint8_t flags;      /* V86_F_* */
    uint8_t opcode;     /* the opcode byte (after the prefixes) */
};

/* Decodes the instruction at code[0..avail).  Returns 0 with *out filled, or -1 when the bytes
 * end before the instruction does (never with avail >= 15).  Reads no byte at or past
 * code[avail]. */
int v86_decode(const uint8_t *code, unsigned avail, struct v86_insn *out);

/* The decoder's table (decode.c), one entry an opcode byte: the instruction as it decodes
 * without prefixes, and how to decode it with them (kind: decode.c's business).  tmpl.length
 * is 0 for the bytes that need v86_decode (prefixes, ARPL's ModRM, the opcodes that are not
 * ours: V86_I_OTHER); otherwise tmpl is the whole result but the imm8 of a two-byte one.  (The
 * monitor's trap path has a table of its own, from the opcode byte to the few forms it handles
 * without decoding: v86/monitor.c, fast_op.) */
struct v86_opinfo {
    struct v86_insn tmpl;
    uint8_t kind;
};
extern const struct v86_opinfo v86_optab[256];

#endif
