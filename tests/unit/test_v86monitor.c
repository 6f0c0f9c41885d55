/*
 * Host tests for vmm/v86/monitor.c: the emulation of what V86 code traps on, and v86_reflect.
 *
 * The VM is a heap block of V86_SPACE bytes filled with a pattern, with its own present and
 * writable page maps (a byte a page) and, where a test says so, a map of hooked vectors (else
 * NULL: every INT is V86_INT).  Every test states the whole client state and the whole memory it
 * expects afterwards: the registers are compared field by field (want vs r), the memory with a
 * shadow copy the test edits where it expects writes, so anything else the monitor touches fails
 * the test.  The event block (f.vm.ev) starts as a sentinel pattern and only the fields named for
 * the result may change (monitor.h's contract).  I/O goes through a callback that logs every
 * call and answers from a sequence.
 *
 * The monitor has a fast path for CLI, STI, HLT, PUSHF, POPF, IRET, INT n and the byte and word
 * IN/OUT without prefixes and a general path for everything else; the tests of those run twice
 * (the "path" in failure messages): plain, and with a 3Eh (DS:) prefix, which the instructions
 * ignore but which sends them down the general path.  A randomized test compares the two paths
 * on random states, stacks, page maps, hooked vectors and I/O answers.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "v86/decode.h"
#include "v86/monitor.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define FL_BASE (V86_FL_VM | V86_FL_IF | 0x2u)  /* what the CPU pushes from V86 mode */

/* ---- the fixture ----------------------------------------------------------------------------- */

struct iocall {
    const struct client_regs *r;        /* the registers passed */
    uint32_t ip;                        /* r->eip during the call */
    unsigned port, type;
    uint32_t in;                        /* *data on entry */
    uint32_t out;                       /* *data on return */
};

static struct {
    uint8_t *mem, *shadow;              /* the VM, and what it should hold */
    uint8_t *pristine;                  /* the pattern both start from */
    uint8_t present[V86_PAGES], writable[V86_PAGES];
    uint32_t hooked[8];                 /* the vectors hooked when f.vm.hooked is set */
    struct v86_vm vm;
    struct client_regs r, want;
    uint32_t want_vif;
    struct v86_event ev;
    int pfx;                            /* this round: 0 plain, 1 with a 3Eh prefix */
    struct iocall io[4096];
    unsigned nio;
    int refuse_at;                      /* the call number the callback refuses, or -1 */
} f;

static const char *path(void) { return f.pfx ? "general path (3Eh)" : "fast path"; }

static uint32_t io_value(unsigned k) { return 0xA1B2C3D4u ^ (k * 0x9E3779B9u); }

static int io_cb(void *ctx, struct client_regs *r, unsigned port, unsigned type, uint32_t *data)
{
    cr_assert_eq(ctx, &f, "the callback's context");
    cr_assert_lt(f.nio, NELEM(f.io), "too many I/O calls");
    struct iocall *c = &f.io[f.nio];
    c->r = r;
    c->ip = r->eip;
    c->port = port;
    c->type = type;
    c->in = *data;
    if ((int)f.nio++ == f.refuse_at) {
        c->out = *data;
        return 1;
    }
    if (!(type & V86_IO_OUTPUT))
        *data = io_value(f.nio - 1);
    c->out = *data;
    return 0;
}

/* Every vector hooked (the monitor then returns V86_INT for each); a callback that refuses
 * every access (#GP). */
static const uint32_t all_hooked[8] = { ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u };
static int io_refuse(void *ctx, struct client_regs *r, unsigned port, unsigned type,
                     uint32_t *data)
{
    (void)ctx, (void)r, (void)port, (void)type, (void)data;
    return -1;
}

static void reset(void)
{
    memcpy(f.mem, f.pristine, V86_SPACE);
    memcpy(f.shadow, f.pristine, V86_SPACE);
    memset(f.present, 1, sizeof f.present);
    memset(f.writable, 1, sizeof f.writable);
    memset(f.hooked, 0, sizeof f.hooked);
    f.vm = (struct v86_vm){ .mem = f.mem, .present = f.present, .writable = f.writable,
                            .hooked = all_hooked, .io = io_cb, .io_ctx = &f, .vif = V86_FL_IF };
    f.r = (struct client_regs){
        .edi = 0x11110010, .esi = 0x22220020, .ebp = 0x33330030, .res0 = 0xDEAD,
        .ebx = 0x44440040, .edx = 0x555503F8, .ecx = 0x66660060, .eax = 0x77770070,
        .error = 0, .eip = 0x0100, .cs = 0x1000, .eflags = FL_BASE,
        .esp = 0x0200, .ss = 0x2000, .es = 0x3000, .ds = 0x4000, .fs = 0x5000, .gs = 0x6000,
    };
    f.nio = 0;
    f.refuse_at = -1;
}

static void setup(void)
{
    f.mem = malloc(V86_SPACE);
    f.shadow = malloc(V86_SPACE);
    f.pristine = malloc(V86_SPACE);
    cr_assert(f.mem && f.shadow && f.pristine);
    for (uint32_t i = 0; i < V86_SPACE; i++)
        f.pristine[i] = (uint8_t)(i * 7 + (i >> 8) * 13 + 3);
    f.pfx = 0;
    reset();
}

static void teardown(void)
{
    free(f.mem);
    free(f.shadow);
    free(f.pristine);
}

TestSuite(v86mon, .init = setup, .fini = teardown);

static uint32_t lin_of(uint32_t seg, uint32_t off) { return ((seg & 0xFFFF) << 4) + off; }
static uint32_t csip(void) { return lin_of(f.r.cs, f.r.eip & 0xFFFF); }
static uint32_t sslin(uint32_t sp) { return lin_of(f.r.ss, sp & 0xFFFF); }

/* Bytes into the VM (and the shadow: they are what it should hold). */
static void put(uint32_t lin, const uint8_t *b, size_t n)
{
    cr_assert_leq(lin + n, V86_SPACE);
    memcpy(f.mem + lin, b, n);
    memcpy(f.shadow + lin, b, n);
}
static void put16(uint32_t lin, uint16_t v) { put(lin, (const uint8_t *)&v, 2); }
static void put32(uint32_t lin, uint32_t v) { put(lin, (const uint8_t *)&v, 4); }
/* A write the monitor should make: into the shadow only. */
static void expect16(uint32_t lin, uint16_t v) { memcpy(f.shadow + lin, &v, 2); }
static void expect32(uint32_t lin, uint32_t v) { memcpy(f.shadow + lin, &v, 4); }
static void expect_byte(uint32_t lin, uint8_t v) { f.shadow[lin] = v; }

#define CODE(...) put(csip(), (const uint8_t[]){ __VA_ARGS__ }, \
                      sizeof((const uint8_t[]){ __VA_ARGS__ }))
/* One of the fast-path instructions: with a 3Eh prefix in the general-path round.  Returns
 * the bytes placed. */
#define HOT(...) hot((const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))
static unsigned hot(const uint8_t *b, unsigned n)
{
    uint8_t buf[16] = { 0x3E };
    memcpy(buf + f.pfx, b, n);
    put(csip(), buf, n + f.pfx);
    return n + f.pfx;
}

static void page_clear(uint8_t *map, uint32_t lin) { map[lin >> 12] = 0; }

/* ---- running and checking -------------------------------------------------------------------- */

#define SENTINEL 0xA5u

static const char *rc_name(int rc)
{
    static const char *const n[] = { "DONE", "INT", "FAULT", "PAGE", "HLT", "BREAK", "OTHER" };
    return rc >= 0 && rc < (int)NELEM(n) ? n[rc] : "?";
}

/* The event fields that result rc may write; the others must keep the sentinel. */
static void check_event_untouched(int rc)
{
    struct v86_event s;
    memset(&s, SENTINEL, sizeof s);
    struct v86_event g = f.vm.ev;
    if (rc == V86_INT || rc == V86_FAULT)
        g.vector = s.vector;
    if (rc == V86_FAULT)
        g.trap = s.trap;
    if (rc == V86_PAGE)
        g.lin = s.lin, g.write = s.write;
    if (rc == V86_BREAK)
        g.length = s.length;
    cr_assert_eq(memcmp(&g, &s, sizeof s), 0, "%s: result %s wrote event fields it does not "
                 "name", path(), rc_name(rc));
}

static int emulate(void)
{
    memset(&f.vm.ev, SENTINEL, sizeof f.vm.ev);
    int rc = v86_emulate(&f.vm, &f.r);
    check_event_untouched(rc);
    return rc;
}

static int reflect(unsigned n)
{
    memset(&f.vm.ev, SENTINEL, sizeof f.vm.ev);
    int rc = v86_reflect(&f.vm, &f.r, n);
    check_event_untouched(rc);
    return rc;
}

static void expect_rc(int rc, int want)
{
    cr_assert_eq(rc, want, "%s: result %s, want %s", path(), rc_name(rc), rc_name(want));
}

/* The registers as a table, to compare and report field by field. */
static const struct { const char *name; size_t off; } fields[] = {
#define FIELD(x) { #x, offsetof(struct client_regs, x) }
    FIELD(edi), FIELD(esi), FIELD(ebp), FIELD(res0), FIELD(ebx), FIELD(edx), FIELD(ecx),
    FIELD(eax), FIELD(error), FIELD(eip), FIELD(cs), FIELD(eflags), FIELD(esp), FIELD(ss),
    FIELD(es), FIELD(ds), FIELD(fs), FIELD(gs),
#undef FIELD
};
_Static_assert(sizeof fields / sizeof fields[0] * 4 == sizeof(struct client_regs),
               "every field of struct client_regs");

static uint32_t field(const struct client_regs *r, size_t off)
{
    uint32_t v;
    memcpy(&v, (const uint8_t *)r + off, 4);
    return v;
}

/* Registers, vif and the whole memory as the test expects. */
static void expect_state(const char *what)
{
    for (size_t i = 0; i < NELEM(fields); i++) {
        uint32_t g = field(&f.r, fields[i].off), w = field(&f.want, fields[i].off);
        cr_assert_eq(g, w, "%s, %s: %s = %#x, want %#x", what, path(), fields[i].name, g, w);
    }
    cr_assert_eq(f.vm.vif, f.want_vif, "%s, %s: vif = %#x, want %#x", what, path(), f.vm.vif,
                 f.want_vif);
    if (memcmp(f.mem, f.shadow, V86_SPACE)) {
        uint32_t i = 0;
        while (f.mem[i] == f.shadow[i])
            i++;
        cr_assert_fail("%s, %s: memory at %#x is %#x, want %#x", what, path(), i, f.mem[i],
                       f.shadow[i]);
    }
}

/* The state before the instruction is what the test expects unless it says otherwise. */
static void expect_same(void)
{
    f.want = f.r;
    f.want_vif = f.vm.vif;
}

/* ---- CLI, STI -------------------------------------------------------------------------------- */

Test(v86mon, cli_clears_vif_only)
{
    for (f.pfx = 0; f.pfx < 2; f.pfx++) {
        reset();
        f.r.eflags = FL_BASE | V86_FL_RF | V86_FL_CF | V86_FL_ZF | V86_FL_AC | V86_FL_NT;
        unsigned n = HOT(0xFA);
        expect_same();
        f.want.eip += n;
        f.want.eflags &= ~V86_FL_RF;        /* the instruction completed */
        f.want_vif = 0;
        expect_rc(emulate(), V86_DONE);
        expect_state("CLI");
        /* twice: still clear */
        f.r.eip -= n;
        expect_rc(emulate(), V86_DONE);
        expect_state("CLI again");
    }
}

Test(v86mon, sti_sets_vif_only)
{
    for (f.pfx = 0; f.pfx < 2; f.pfx++) {
        reset();
        f.vm.vif = 0;
        f.r.eflags = FL_BASE | V86_FL_OF | V86_FL_DF;
        unsigned n = HOT(0xFB);
        expect_same();
        f.want.eip += n;
        f.want_vif = V86_FL_IF;
        expect_rc(emulate(), V86_DONE);
        expect_state("STI");
        cr_assert(f.r.eflags & V86_FL_IF, "real IF");
        cr_assert_eq(f.r.eflags & V86_FL_IOPL, 0, "IOPL");
    }
}

/* ---- PUSHF, POPF ----------------------------------------------------------------------------- */

Test(v86mon, pushf_shows_vif_and_iopl3)
{
    for (f.pfx = 0; f.pfx < 2; f.pfx++) {
        for (int vif = 0; vif < 2; vif++) {
            reset();
            f.vm.vif = vif ? V86_FL_IF : 0;
            f.r.eflags = FL_BASE | V86_FL_RF | V86_FL_CF | V86_FL_SF | V86_FL_NT | V86_FL_AC;
            f.r.esp = 0xABCD0100;               /* the upper half is kept */
            unsigned n = HOT(0x9C);
            expect_same();
            f.want.eip += n;
            f.want.esp = 0xABCD00FE;
            f.want.eflags &= ~V86_FL_RF;
            /* CF SF NT as they are, bit 1, IOPL 3, IF = vif */
            expect16(sslin(0xFE), (uint16_t)(0x0002 | 0x0001 | 0x0080 | 0x4000 | 0x3000 |
                                             (vif ? 0x0200 : 0)));
            expect_rc(emulate(), V86_DONE);
            expect_state(vif ? "PUSHF, vif set" : "PUSHF, vif clear");
        }
    }
}

Test(v86mon, pushfd)
{
    reset();
    f.vm.vif = 0;
    f.r.eflags = FL_BASE | V86_FL_RF | V86_FL_AC | V86_FL_ID | V86_FL_OF;
    CODE(0x66, 0x9C);
    expect_same();
    f.want.eip += 2;
    f.want.esp = 0x01FC;
    f.want.eflags &= ~V86_FL_RF;
    /* VM and RF never shown; AC, ID, OF as they are; IOPL 3; IF = vif (0) */
    expect32(sslin(0x1FC), V86_FL_AC | V86_FL_ID | V86_FL_OF | V86_FL_IOPL | 0x2);
    expect_rc(emulate(), V86_DONE);
    expect_state("PUSHFD");
}

Test(v86mon, popf_loads_ordinary_flags_and_vif)
{
    for (f.pfx = 0; f.pfx < 2; f.pfx++) {
        reset();
        f.vm.vif = 0;
        f.r.eflags = FL_BASE | V86_FL_RF | V86_FL_AC;
        put16(sslin(0x200), 0xFFFF);            /* every bit */
        unsigned n = HOT(0x9D);
        expect_same();
        f.want.eip += n;
        f.want.esp = 0x202;
        /* the ordinary ones and TF, DF, NT: set; IF stays 1, IOPL 0, bits 3 5 15 0; the
         * upper half unchanged (AC stays, VM stays); RF clear; vif set */
        f.want.eflags = FL_BASE | V86_FL_AC | V86_FL_CF | V86_FL_PF | V86_FL_AF | V86_FL_ZF |
                        V86_FL_SF | V86_FL_TF | V86_FL_DF | V86_FL_OF | V86_FL_NT;
        f.want_vif = V86_FL_IF;
        expect_rc(emulate(), V86_DONE);         /* TF set by POPF: no trap after POPF */
        expect_state("POPF FFFF");

        /* and back: 0000 clears them and vif, IF stays 1 */
        put16(sslin(0x202), 0x0000);
        f.r.eip -= n;
        f.want.esp = 0x204;
        f.want.eflags = FL_BASE | V86_FL_AC;
        f.want_vif = 0;
        expect_rc(emulate(), V86_FAULT);        /* TF was set as it began: the trap */
        cr_assert_eq(f.vm.ev.vector, 1);
        cr_assert_eq(f.vm.ev.trap, 1);
        expect_state("POPF 0000 with TF");
    }
}

Test(v86mon, popfd_loads_ac_id_not_vm_rf_vif_vip_iopl)
{
    reset();
    f.r.eflags = FL_BASE | V86_FL_RF;
    put32(sslin(0x200), 0xFFFFFFFF);
    CODE(0x66, 0x9D);
    expect_same();
    f.want.eip += 2;
    f.want.esp = 0x204;
    f.want.eflags = FL_BASE | V86_FL_LOAD32;
    f.want_vif = V86_FL_IF;
    expect_rc(emulate(), V86_DONE);
    expect_state("POPFD FFFFFFFF");

    put32(sslin(0x204), 0);
    f.r.eflags &= ~V86_FL_TF;                   /* no single-step trap this time */
    f.r.eip -= 2;
    f.want.esp = 0x208;
    f.want.eflags = FL_BASE;
    f.want_vif = 0;
    expect_rc(emulate(), V86_DONE);
    expect_state("POPFD 0");
}

/* ---- INT n and reflection -------------------------------------------------------------------- */

Test(v86mon, int_n)
{
    static const uint8_t vec[] = { 0x21, 0x00, 0x7F, 0x80, 0xFF };
    for (f.pfx = 0; f.pfx < 2; f.pfx++) {
        for (size_t i = 0; i < NELEM(vec); i++) {
            reset();
            f.r.eflags |= V86_FL_RF | V86_FL_TF;
            unsigned n = HOT(0xCD, vec[i]);
            expect_same();
            f.want.eip += n;
            f.want.eflags &= ~V86_FL_RF;
            expect_rc(emulate(), V86_INT);      /* no single-step trap after INT */
            cr_assert_eq(f.vm.ev.vector, vec[i], "%s: vector %#x, want %#x", path(), f.vm.ev.vector,
                         vec[i]);
            expect_state("INT n");
        }
    }
}

Test(v86mon, reflect_through_the_ivt)
{
    reset();
    f.vm.vif = V86_FL_IF;
    f.r.eflags = FL_BASE | V86_FL_TF | V86_FL_AC | V86_FL_CF | V86_FL_RF | V86_FL_DF;
    f.r.eip = 0x1234;
    f.r.cs = 0x5678;
    put32(0x21 * 4, 0xF000E987);                /* F000:E987 */
    expect_same();
    expect16(sslin(0x1FA), 0x1234);             /* IP */
    expect16(sslin(0x1FC), 0x5678);             /* CS */
    expect16(sslin(0x1FE), 0x0002 | 0x0100 | 0x0001 | 0x0400 | 0x3000 | 0x0200);  /* FLAGS */
    f.want.esp = 0x1FA;
    f.want.eip = 0xE987;
    f.want.cs = 0xF000;
    f.want.eflags = FL_BASE | V86_FL_CF | V86_FL_DF;   /* TF AC RF cleared, IF stays 1 */
    f.want_vif = 0;
    expect_rc(reflect(0x21), V86_DONE);
    expect_state("reflect 21h");
}

Test(v86mon, int_then_reflect_then_iret)
{
    for (f.pfx = 0; f.pfx < 2; f.pfx++) {
        reset();
        f.vm.vif = V86_FL_IF;
        put32(0x10 * 4, 0x30000040);            /* 3000:0040 */
        unsigned n = HOT(0xCD, 0x10);
        expect_rc(emulate(), V86_INT);
        expect_same();
        f.want.cs = 0x3000;
        f.want.eip = 0x0040;
        f.want.esp = 0x01FA;
        f.want_vif = 0;
        expect16(sslin(0x1FA), (uint16_t)(0x100 + n));
        expect16(sslin(0x1FC), 0x1000);
        expect16(sslin(0x1FE), 0x3202);
        expect_rc(reflect(f.vm.ev.vector), V86_DONE);
        expect_state("INT 10, reflect");
        uint8_t iret[2] = { 0x3E, 0xCF };
        put(csip(), iret + !f.pfx, 1u + f.pfx);
        expect_same();
        f.want.cs = 0x1000;
        f.want.eip = 0x0100 + n;
        f.want.esp = 0x0200;
        f.want.eflags = FL_BASE;
        f.want_vif = V86_FL_IF;
        expect_rc(emulate(), V86_DONE);
        expect_state("INT 10, reflect, IRET");
    }
}

Test(v86mon, int3_into)
{
    reset();
    CODE(0xCC);
    expect_same();
    f.want.eip += 1;
    expect_rc(emulate(), V86_INT);
    cr_assert_eq(f.vm.ev.vector, 3);
    expect_state("INT3");

    reset();
    CODE(0xCE);                                 /* OF clear: nothing but IP */
    expect_same();
    f.want.eip += 1;
    expect_rc(emulate(), V86_DONE);
    expect_state("INTO, OF clear");

    reset();
    f.r.eflags |= V86_FL_OF;
    CODE(0xCE);
    expect_same();
    f.want.eip += 1;
    expect_rc(emulate(), V86_INT);
    cr_assert_eq(f.vm.ev.vector, 4);
    expect_state("INTO, OF set");

    reset();
    f.r.eflags |= V86_FL_TF;                    /* INTO that does nothing is single-stepped */
    CODE(0xCE);
    expect_same();
    f.want.eip += 1;
    expect_rc(emulate(), V86_FAULT);
    cr_assert_eq(f.vm.ev.vector, 1);
    cr_assert_eq(f.vm.ev.trap, 1);
    expect_state("INTO, OF clear, TF");
}

/* ---- INT n reflected by v86_emulate (the vector not hooked) ---------------------------------- */

/* Hooks every vector but n (f.vm.hooked). */
static void hook_all_but(unsigned n)
{
    memset(f.hooked, 0xFF, sizeof f.hooked);
    f.hooked[n / 32] &= ~(1u << (n % 32));
    f.vm.hooked = f.hooked;
}

/* The frame a reflection of an instruction of n bytes at 1000:0100 leaves at SS:1FA. */
static void expect_frame(unsigned n, uint16_t flags)
{
    expect16(sslin(0x1FA), (uint16_t)(0x100 + n));
    expect16(sslin(0x1FC), 0x1000);
    expect16(sslin(0x1FE), flags);
}

Test(v86mon, int_not_hooked_is_reflected)
{
    static const uint8_t vec[] = { 0x21, 0x00, 0x1F, 0x20, 0xFF };
    for (f.pfx = 0; f.pfx < 2; f.pfx++) {
        for (size_t i = 0; i < NELEM(vec); i++) {
            reset();
            hook_all_but(vec[i]);
            f.r.eflags |= V86_FL_RF | V86_FL_AC | V86_FL_CF;
            put32(vec[i] * 4u, 0xF000E987);
            unsigned n = HOT(0xCD, vec[i]);
            expect_same();
            expect_frame(n, 0x3203);            /* CF, IF = vif, IOPL 3 */
            f.want.esp = 0x1FA;
            f.want.cs = 0xF000;
            f.want.eip = 0xE987;
            f.want.eflags = FL_BASE | V86_FL_CF;        /* AC RF cleared */
            f.want_vif = 0;
            expect_rc(emulate(), V86_DONE);
            expect_state("INT n, not hooked");
        }
    }
}

Test(v86mon, int_hooked_bit_set_is_int)
{
    for (f.pfx = 0; f.pfx < 2; f.pfx++) {
        reset();
        hook_all_but(0x22);                     /* 21h hooked */
        put32(0x21 * 4, 0xF000E987);
        unsigned n = HOT(0xCD, 0x21);
        expect_same();
        f.want.eip += n;
        expect_rc(emulate(), V86_INT);
        cr_assert_eq(f.vm.ev.vector, 0x21);
        expect_state("INT 21h, hooked");

        reset();
        f.vm.hooked = f.hooked;
        f.hooked[0x21 / 32] = 1u << (0x21 % 32);   /* only 21h */
        n = HOT(0xCD, 0x21);
        expect_same();
        f.want.eip += n;
        expect_rc(emulate(), V86_INT);
        cr_assert_eq(f.vm.ev.vector, 0x21);
        expect_state("INT 21h, the only one hooked");
    }
}

Test(v86mon, int_reflected_with_tf_has_no_trap)
{
    for (f.pfx = 0; f.pfx < 2; f.pfx++) {
        reset();
        hook_all_but(0x10);
        f.r.eflags |= V86_FL_TF;
        f.vm.vif = 0;
        put32(0x10 * 4, 0xC0000123);
        unsigned n = HOT(0xCD, 0x10);
        expect_same();
        expect_frame(n, 0x3102);                /* TF kept in the frame, IF = vif (0) */
        f.want.esp = 0x1FA;
        f.want.cs = 0xC000;
        f.want.eip = 0x0123;
        f.want.eflags = FL_BASE;                /* TF cleared: the handler runs untraced */
        expect_rc(emulate(), V86_DONE);
        expect_state("INT 10h with TF");
    }
}

Test(v86mon, int3_into_not_hooked_are_reflected)
{
    reset();
    hook_all_but(3);
    put32(3 * 4, 0x12345678);
    CODE(0xCC);
    expect_same();
    expect_frame(1, 0x3202);
    f.want.esp = 0x1FA, f.want.cs = 0x1234, f.want.eip = 0x5678, f.want_vif = 0;
    expect_rc(emulate(), V86_DONE);
    expect_state("INT3, not hooked");

    reset();
    hook_all_but(4);
    f.r.eflags |= V86_FL_OF;
    put32(4 * 4, 0x87654321);
    CODE(0xCE);
    expect_same();
    expect_frame(1, 0x3A02);                    /* OF */
    f.want.esp = 0x1FA, f.want.cs = 0x8765, f.want.eip = 0x4321, f.want_vif = 0;
    expect_rc(emulate(), V86_DONE);
    expect_state("INTO with OF, not hooked");

    reset();
    hook_all_but(4);                            /* OF clear: nothing but IP */
    CODE(0xCE);
    expect_same();
    f.want.eip += 1;
    expect_rc(emulate(), V86_DONE);
    expect_state("INTO without OF, not hooked");
}

Test(v86mon, int_reflected_pages)
{
    for (f.pfx = 0; f.pfx < 2; f.pfx++) {
        /* the IVT not present: V86_PAGE at the entry, nothing changed, IP at the INT */
        reset();
        hook_all_but(0x21);
        page_clear(f.present, 0);
        f.r.eflags |= V86_FL_RF;
        HOT(0xCD, 0x21);
        expect_same();
        expect_rc(emulate(), V86_PAGE);
        cr_assert_eq(f.vm.ev.lin, 0x84);
        cr_assert_eq(f.vm.ev.write, 0);
        expect_state("INT 21h, IVT not present");

        /* the stack not writable: at FLAGS (pushed first) */
        reset();
        hook_all_but(0x21);
        page_clear(f.writable, sslin(0x1FE));
        HOT(0xCD, 0x21);
        expect_same();
        expect_rc(emulate(), V86_PAGE);
        cr_assert_eq(f.vm.ev.lin, sslin(0x1FE));
        cr_assert_eq(f.vm.ev.write, 1);
        expect_state("INT 21h, stack not writable");

        /* a frame across a page boundary, the lower page read-only */
        reset();
        hook_all_but(0x21);
        f.r.esp = 0x1004;                       /* 20FFE..21003 */
        page_clear(f.writable, 0x20FFE);
        HOT(0xCD, 0x21);
        expect_same();
        expect_rc(emulate(), V86_PAGE);
        cr_assert_eq(f.vm.ev.lin, 0x20FFE);     /* IP, the last slot checked */
        cr_assert_eq(f.vm.ev.write, 1);
        expect_state("INT 21h, frame into a read-only page");

        /* mapped, the same call again completes */
        f.writable[0x20] = 1;
        put32(0x21 * 4, 0x00400050);
        unsigned n = 2 + f.pfx;
        expect_same();
        expect16(0x20FFE, (uint16_t)(0x100 + n));
        expect16(0x21000, 0x1000);
        expect16(0x21002, 0x3202);
        f.want.esp = 0x0FFE, f.want.cs = 0x0040, f.want.eip = 0x0050, f.want_vif = 0;
        expect_rc(emulate(), V86_DONE);
        expect_state("INT 21h, frame across pages, mapped");
    }
}

Test(v86mon, int_reflected_near_sp_0)
{
    for (f.pfx = 0; f.pfx < 2; f.pfx++) {
        /* even SP below 6: the frame wraps to the top of the segment */
        reset();
        hook_all_but(0x21);
        f.r.esp = 0x77770002;
        put32(0x21 * 4, 0x00400050);
        unsigned n = HOT(0xCD, 0x21);
        expect_same();
        expect16(sslin(0xFFFC), (uint16_t)(0x100 + n));
        expect16(sslin(0xFFFE), 0x1000);
        expect16(sslin(0x0000), 0x3202);
        f.want.esp = 0x7777FFFC, f.want.cs = 0x0040, f.want.eip = 0x0050, f.want_vif = 0;
        expect_rc(emulate(), V86_DONE);
        expect_state("INT 21h at SP 2");

        /* odd SP below 6: a slot across FFFFh, a CPU shuts down; nothing changed */
        for (uint32_t sp = 1; sp < 6; sp += 2) {
            reset();
            hook_all_but(0x21);
            f.r.esp = sp;
            f.r.eflags |= V86_FL_RF | V86_FL_TF;
            HOT(0xCD, 0x21);
            expect_same();
            expect_rc(emulate(), V86_FAULT);
            cr_assert_eq(f.vm.ev.vector, 8);
            cr_assert_eq(f.vm.ev.trap, 0);
            expect_state("INT 21h at an odd SP below 6");
        }
    }
}

/* A stack over the IVT: a CPU pushes the frame, then reads the vector (from the frame). */
Test(v86mon, int_reflected_reads_the_ivt_after_pushing)
{
    for (int via_emulate = 0; via_emulate < 2; via_emulate++) {
        for (f.pfx = 0; f.pfx < 2 - !via_emulate; f.pfx++) {
            reset();
            hook_all_but(0x21);
            f.r.ss = 0;
            f.r.esp = 0x88;                     /* CS at 84h, FLAGS at 86h: entry 21h */
            put32(0x84, 0xDEADBEEF);
            unsigned n = via_emulate ? HOT(0xCD, 0x21) : 0;
            expect_same();
            expect16(0x82, (uint16_t)(0x100 + n));
            expect16(0x84, 0x1000);
            expect16(0x86, 0x3202);
            f.want.esp = 0x82, f.want.eip = 0x1000, f.want.cs = 0x3202, f.want_vif = 0;
            expect_rc(via_emulate ? emulate() : reflect(0x21), V86_DONE);
            expect_state("INT 21h with its frame over its IVT entry");
        }
    }
}

Test(v86mon, eip_above_ffff_is_gp)
{
    for (f.pfx = 0; f.pfx < 2; f.pfx++) {
        reset();
        f.r.eip = 0x10000;                      /* the CPU ran off the end of CS */
        HOT(0xFA);
        put(lin_of(f.r.cs, 0), (const uint8_t[]){ 0xFA }, 1);
        expect_same();
        expect_rc(emulate(), V86_FAULT);
        cr_assert_eq(f.vm.ev.vector, 13);
        cr_assert_eq(f.vm.ev.trap, 0);
        expect_state("EIP 10000h");
    }
}

/* ---- IRET ------------------------------------------------------------------------------------ */

Test(v86mon, iret)
{
    for (f.pfx = 0; f.pfx < 2; f.pfx++) {
        reset();
        f.vm.vif = 0;
        f.r.eflags = FL_BASE | V86_FL_RF | V86_FL_AC;
        put16(sslin(0x200), 0x4321);
        put16(sslin(0x202), 0x8765);
        put16(sslin(0x204), 0xFFFF & ~V86_FL_TF);
        HOT(0xCF);
        expect_same();
        f.want.eip = 0x4321;
        f.want.cs = 0x8765;
        f.want.esp = 0x206;
        f.want.eflags = FL_BASE | V86_FL_AC | (V86_FL_LOAD16 & ~V86_FL_TF);
        f.want_vif = V86_FL_IF;
        expect_rc(emulate(), V86_DONE);
        expect_state("IRET");
    }
}

Test(v86mon, iretd)
{
    reset();
    f.r.esp = 0x7777FFF0;
    put32(sslin(0xFFF0), 0x0000FEDC);
    put32(sslin(0xFFF4), 0x12349ABC);           /* CS: the low 16 bits */
    put32(sslin(0xFFF8), 0xFFFFFFFF & ~V86_FL_TF);
    CODE(0x66, 0xCF);
    expect_same();
    f.want.eip = 0xFEDC;
    f.want.cs = 0x9ABC;
    f.want.esp = 0x7777FFFC;
    f.want.eflags = FL_BASE | (V86_FL_LOAD32 & ~V86_FL_TF);
    f.want_vif = V86_FL_IF;
    expect_rc(emulate(), V86_DONE);
    expect_state("IRETD");
}

Test(v86mon, iretd_eip_above_ffff_is_gp)
{
    reset();
    put32(sslin(0x200), 0x00010000);
    put32(sslin(0x204), 0x1000);
    put32(sslin(0x208), 0x202);
    CODE(0x66, 0xCF);
    expect_same();
    expect_rc(emulate(), V86_FAULT);
    cr_assert_eq(f.vm.ev.vector, 13);
    cr_assert_eq(f.vm.ev.trap, 0);
    expect_state("IRETD to 10000h");
}

/* ---- the stack's 64 KB ----------------------------------------------------------------------- */

Test(v86mon, push_wraps_at_sp_0)
{
    for (f.pfx = 0; f.pfx < 2; f.pfx++) {
        reset();
        f.r.esp = 0x12340000;
        unsigned n = HOT(0x9C);
        expect_same();
        f.want.eip += n;
        f.want.esp = 0x1234FFFE;
        expect16(sslin(0xFFFE), 0x3202);
        expect_rc(emulate(), V86_DONE);
        expect_state("PUSHF at SP 0");
    }
    reset();
    f.r.esp = 0;
    CODE(0x66, 0x9C);
    expect_same();
    f.want.eip += 2;
    f.want.esp = 0xFFFC;
    expect32(sslin(0xFFFC), 0x3202);
    expect_rc(emulate(), V86_DONE);
    expect_state("PUSHFD at SP 0");
}

Test(v86mon, pop_wraps_to_sp_0)
{
    for (f.pfx = 0; f.pfx < 2; f.pfx++) {
        reset();
        f.r.esp = 0xFFFE;
        put16(sslin(0xFFFE), 0x0001);
        unsigned n = HOT(0x9D);
        expect_same();
        f.want.eip += n;
        f.want.esp = 0;
        f.want.eflags = FL_BASE | V86_FL_CF;
        f.want_vif = 0;
        expect_rc(emulate(), V86_DONE);
        expect_state("POPF at SP FFFE");
    }
}

Test(v86mon, stack_slot_across_ffff_is_ss_fault)
{
    static const struct { uint8_t b[2]; unsigned n; uint32_t sp; const char *what; } c[] = {
        { { 0x9C }, 1, 0x0001, "PUSHF at SP 1" },
        { { 0x66, 0x9C }, 2, 0x0002, "PUSHFD at SP 2" },
        { { 0x66, 0x9C }, 2, 0x0003, "PUSHFD at SP 3" },
        { { 0x9D }, 1, 0xFFFF, "POPF at SP FFFF" },
        { { 0x66, 0x9D }, 2, 0xFFFD, "POPFD at SP FFFD" },
        { { 0xCF }, 1, 0xFFFD, "IRET at SP FFFD (CS across)" },
        { { 0xCF }, 1, 0xFFFF, "IRET at SP FFFF" },
        { { 0x66, 0xCF }, 2, 0xFFF6, "IRETD at SP FFF6 (EFLAGS across)" },
    };
    for (size_t i = 0; i < NELEM(c); i++) {
        reset();
        f.r.esp = c[i].sp;
        f.r.eflags |= V86_FL_RF | V86_FL_TF;    /* nothing changes, no trap */
        put(csip(), c[i].b, c[i].n);
        expect_same();
        expect_rc(emulate(), V86_FAULT);
        cr_assert_eq(f.vm.ev.vector, 12, "%s", c[i].what);
        cr_assert_eq(f.vm.ev.trap, 0, "%s", c[i].what);
        expect_state(c[i].what);
    }
}

Test(v86mon, iret_slots_wrap)
{
    reset();
    f.r.esp = 0xFFFC;                           /* IP at FFFC, CS at FFFE, FLAGS at 0 */
    put16(sslin(0xFFFC), 0x0111);
    put16(sslin(0xFFFE), 0x0222);
    put16(sslin(0x0000), 0x0203);
    CODE(0xCF);
    expect_same();
    f.want.eip = 0x0111;
    f.want.cs = 0x0222;
    f.want.esp = 0x0002;
    f.want.eflags = FL_BASE | V86_FL_CF;
    f.want_vif = V86_FL_IF;
    expect_rc(emulate(), V86_DONE);
    expect_state("IRET at SP FFFC");

    reset();
    f.r.esp = 0xFFFA;                           /* the fast path's last contiguous frame */
    put16(sslin(0xFFFA), 0x0111);
    put16(sslin(0xFFFC), 0x0222);
    put16(sslin(0xFFFE), 0x0002);
    CODE(0xCF);
    expect_same();
    f.want.eip = 0x0111;
    f.want.cs = 0x0222;
    f.want.esp = 0;
    f.want.eflags = FL_BASE;
    f.want_vif = 0;
    expect_rc(emulate(), V86_DONE);
    expect_state("IRET at SP FFFA");
}

Test(v86mon, reflect_frame_wraps)
{
    static const struct { uint32_t sp; uint32_t ip, cs, fl; uint32_t esp; } c[] = {
        { 0x0000, 0xFFFA, 0xFFFC, 0xFFFE, 0xFFFA },
        { 0x0002, 0xFFFC, 0xFFFE, 0x0000, 0xFFFC },
        { 0x0004, 0xFFFE, 0x0000, 0x0002, 0xFFFE },
        { 0x0006, 0x0000, 0x0002, 0x0004, 0x0000 },
    };
    for (size_t i = 0; i < NELEM(c); i++) {
        reset();
        f.r.esp = 0x99990000 | c[i].sp;
        put32(8 * 4, 0x01020304);
        expect_same();
        expect16(sslin(c[i].ip), 0x0100);
        expect16(sslin(c[i].cs), 0x1000);
        expect16(sslin(c[i].fl), 0x3202);
        f.want.esp = 0x99990000 | c[i].esp;
        f.want.eip = 0x0304;
        f.want.cs = 0x0102;
        f.want_vif = 0;
        expect_rc(reflect(8), V86_DONE);
        expect_state("reflect near SP 0");
    }
    /* a slot across FFFFh: a real CPU shuts down */
    for (uint32_t sp = 1; sp < 6; sp += 2) {
        reset();
        f.r.esp = sp;
        expect_same();
        expect_rc(reflect(8), V86_FAULT);
        cr_assert_eq(f.vm.ev.vector, 8);
        expect_state("reflect at an odd SP below 6");
    }
}

Test(v86mon, ip_wraps)
{
    for (f.pfx = 0; f.pfx < 2; f.pfx++) {
        reset();
        f.r.eip = 0xFFFF - f.pfx;
        HOT(0xFA);
        expect_same();
        f.want.eip = 0;
        f.want_vif = 0;
        expect_rc(emulate(), V86_DONE);
        expect_state("CLI at FFFF");

        reset();
        f.r.eip = 0xFFFE - f.pfx;
        HOT(0xCD, 0x33);
        expect_same();
        f.want.eip = 0;
        expect_rc(emulate(), V86_INT);
        cr_assert_eq(f.vm.ev.vector, 0x33);
        expect_state("INT 33 at FFFE");
    }
    /* an instruction across the end of CS: #GP, as a 386 fetching past the limit */
    reset();
    f.r.eip = 0xFFFF;
    CODE(0xCD);
    put(lin_of(f.r.cs, 0x10000), (const uint8_t[]){ 0x21 }, 1);
    expect_same();
    expect_rc(emulate(), V86_FAULT);
    cr_assert_eq(f.vm.ev.vector, 13);
    expect_state("INT at FFFF");

    reset();
    f.r.eip = 0xFFFE;
    CODE(0x66, 0x9C);
    put(lin_of(f.r.cs, 0x10000), (const uint8_t[]){ 0x9C }, 1);
    expect_same();
    f.want.eip = 0;
    f.want.esp -= 4;
    expect32(sslin(0x1FC), 0x3202);
    expect_rc(emulate(), V86_DONE);
    expect_state("66 9C ending at FFFF");
}

/* ---- IN, OUT --------------------------------------------------------------------------------- */

static void expect_io(unsigned k, unsigned port, unsigned type, uint32_t in, uint32_t out)
{
    cr_assert_gt(f.nio, k, "I/O call %u not made", k);
    const struct iocall *c = &f.io[k];
    cr_assert(c->port == port && c->type == type && c->in == in && c->out == out,
              "I/O call %u: port %#x type %#x in %#x out %#x, want %#x %#x %#x %#x", k,
              c->port, c->type, c->in, c->out, port, type, in, out);
}

Test(v86mon, in_out)
{
    static const struct {
        uint8_t b[3];
        unsigned n, port, type, size;
        int out;
    } c[] = {
        { { 0xE4, 0x60 }, 2, 0x60, V86_IO_BYTE_IN, 1, 0 },
        { { 0xE5, 0x71 }, 2, 0x71, V86_IO_WORD_IN, 2, 0 },
        { { 0x66, 0xE5, 0xFF }, 3, 0xFF, V86_IO_DWORD_IN, 4, 0 },
        { { 0xEC }, 1, 0x0278, V86_IO_BYTE_IN, 1, 0 },
        { { 0xED }, 1, 0x0278, V86_IO_WORD_IN, 2, 0 },
        { { 0x66, 0xED }, 2, 0x0278, V86_IO_DWORD_IN, 4, 0 },
        { { 0xE6, 0x80 }, 2, 0x80, V86_IO_BYTE_OUT, 1, 1 },
        { { 0xE7, 0x42 }, 2, 0x42, V86_IO_WORD_OUT, 2, 1 },
        { { 0x66, 0xE7, 0x42 }, 3, 0x42, V86_IO_DWORD_OUT, 4, 1 },
        { { 0xEE }, 1, 0x0278, V86_IO_BYTE_OUT, 1, 1 },
        { { 0xEF }, 1, 0x0278, V86_IO_WORD_OUT, 2, 1 },
        { { 0x66, 0xEF }, 2, 0x0278, V86_IO_DWORD_OUT, 4, 1 },
        { { 0xF3, 0xEC }, 2, 0x0278, V86_IO_BYTE_IN, 1, 0 },     /* REP: ignored */
    };
    for (f.pfx = 0; f.pfx < 2; f.pfx++) {
        for (size_t i = 0; i < NELEM(c); i++) {
            reset();
            f.r.eax = 0x89ABCDEF;
            f.r.edx = 0xFFFF0278;               /* DX only */
            unsigned n = hot(c[i].b, c[i].n);
            expect_same();
            f.want.eip += n;
            uint32_t mask = c[i].size == 4 ? ~0u : (1u << (8 * c[i].size)) - 1;
            if (!c[i].out)
                f.want.eax = (0x89ABCDEF & ~mask) | (io_value(0) & mask);
            expect_rc(emulate(), V86_DONE);
            cr_assert_eq(f.nio, 1, "case %zu: %u calls", i, f.nio);
            if (c[i].out)
                expect_io(0, c[i].port, c[i].type, 0x89ABCDEF & mask, 0x89ABCDEF & mask);
            else
                expect_io(0, c[i].port, c[i].type, 0xFFFFFFFF, io_value(0));
            cr_assert(f.io[0].r == &f.r && f.io[0].ip == 0x100, "%s, case %zu: the callback "
                      "gets the VM's registers, IP at the instruction", path(), i);
            expect_state("IN/OUT");
        }
    }
}

Test(v86mon, io_refused_is_gp)
{
    for (f.pfx = 0; f.pfx < 2; f.pfx++) {
        static const uint8_t op[][2] = { { 0xE4, 0x21 }, { 0xED }, { 0xE6, 0x21 }, { 0xEF } };
        for (size_t i = 0; i < NELEM(op); i++) {
            reset();
            f.refuse_at = 0;
            f.r.eflags |= V86_FL_RF;
            hot(op[i], op[i][0] & 8 ? 1 : 2);
            expect_same();
            expect_rc(emulate(), V86_FAULT);
            cr_assert_eq(f.vm.ev.vector, 13);
            cr_assert_eq(f.vm.ev.trap, 0);
            cr_assert_eq(f.nio, 1, "one call, refused: not made again");
            expect_state("I/O refused");

            reset();
            hot(op[i], op[i][0] & 8 ? 1 : 2);   /* a callback that refuses every access */
            expect_same();
            f.vm.io = io_refuse;
            expect_rc(emulate(), V86_FAULT);
            cr_assert_eq(f.vm.ev.vector, 13);
            expect_state("I/O without a callback");
        }
    }
}

/* ---- INS, OUTS ------------------------------------------------------------------------------- */

Test(v86mon, ins_byte)
{
    reset();
    f.r.edi = 0xAAAA0010;
    CODE(0x6C);
    expect_same();
    f.want.eip += 1;
    f.want.edi = 0xAAAA0011;
    expect_byte(lin_of(f.r.es, 0x10), (uint8_t)io_value(0));
    expect_rc(emulate(), V86_DONE);
    cr_assert_eq(f.nio, 1);
    expect_io(0, 0x3F8, V86_IO_BYTE_IN | V86_IO_STRING, 0xFFFFFFFF, io_value(0));
    expect_state("INSB");
}

Test(v86mon, ins_word_reverse_ignores_override)
{
    reset();
    f.r.eflags |= V86_FL_DF;
    f.r.edi = 0x0010;
    CODE(0x2E, 0x6D);                           /* CS: does not apply to ES:DI */
    expect_same();
    f.want.eip += 2;
    f.want.edi = 0x000E;
    expect16(lin_of(f.r.es, 0x10), (uint16_t)io_value(0));
    expect_rc(emulate(), V86_DONE);
    expect_io(0, 0x3F8, V86_IO_WORD_IN | V86_IO_STRING | V86_IO_REVERSE, 0xFFFFFFFF,
              io_value(0));
    expect_state("CS: INSW, DF");
}

Test(v86mon, rep_outs_word)
{
    reset();
    f.r.esi = 0x5555FFFA;                       /* the last three words of DS */
    f.r.ecx = 0x12340003;                       /* CX only */
    put16(lin_of(f.r.ds, 0xFFFA), 0x1111);
    put16(lin_of(f.r.ds, 0xFFFC), 0x2222);
    put16(lin_of(f.r.ds, 0xFFFE), 0x3333);
    CODE(0xF3, 0x6F);
    expect_same();
    f.want.eip += 2;
    f.want.esi = 0x55550000;                    /* SI wraps */
    f.want.ecx = 0x12340000;
    expect_rc(emulate(), V86_DONE);
    cr_assert_eq(f.nio, 3);
    unsigned t = V86_IO_WORD_OUT | V86_IO_STRING | V86_IO_REP;
    expect_io(0, 0x3F8, t, 0x1111, 0x1111);
    expect_io(1, 0x3F8, t, 0x2222, 0x2222);
    expect_io(2, 0x3F8, t, 0x3333, 0x3333);
    expect_state("REP OUTSW");
}

Test(v86mon, outs_segment_overrides)
{
    static const struct { uint8_t pfx; size_t reg; } c[] = {
        { 0x26, offsetof(struct client_regs, es) }, { 0x2E, offsetof(struct client_regs, cs) },
        { 0x36, offsetof(struct client_regs, ss) }, { 0x3E, offsetof(struct client_regs, ds) },
        { 0x64, offsetof(struct client_regs, fs) }, { 0x65, offsetof(struct client_regs, gs) },
    };
    for (size_t i = 0; i < NELEM(c); i++) {
        reset();
        f.r.esi = 0x0300;
        uint32_t lin = lin_of(field(&f.r, c[i].reg), 0x300);
        put(lin, (const uint8_t[]){ 0x5A + (uint8_t)i }, 1);
        CODE(c[i].pfx, 0x6E);
        expect_same();
        f.want.eip += 2;
        f.want.esi = 0x0301;
        expect_rc(emulate(), V86_DONE);
        expect_io(0, 0x3F8, V86_IO_BYTE_OUT | V86_IO_STRING, 0x5Au + i, 0x5Au + i);
        expect_state("OUTSB with an override");
    }
}

Test(v86mon, string_addr32)
{
    /* 67h: ESI/EDI/ECX whole */
    reset();
    f.r.edi = 0x0000FFF0;
    f.r.ecx = 0x00000002;
    CODE(0x67, 0xF3, 0x66, 0x6D);
    expect_same();
    f.want.eip += 4;
    f.want.edi = 0x0000FFF8;
    f.want.ecx = 0;
    expect32(lin_of(f.r.es, 0xFFF0), io_value(0));
    expect32(lin_of(f.r.es, 0xFFF4), io_value(1));
    expect_rc(emulate(), V86_DONE);
    expect_io(1, 0x3F8, V86_IO_DWORD_IN | V86_IO_STRING | V86_IO_REP | V86_IO_ADDR32,
              0xFFFFFFFF, io_value(1));
    expect_state("REP INSD, 67h");

    /* the upper half of ECX counts with 67h: 10001h elements, 1024 a call */
    reset();
    f.r.esi = 0;
    f.r.ecx = 0x00010001;
    CODE(0x67, 0xF3, 0x6E);
    expect_same();
    f.want.esi = 1024;
    f.want.ecx = 0x00010001 - 1024;
    expect_rc(emulate(), V86_DONE);
    cr_assert_eq(f.nio, 1024);
    expect_state("REP OUTSB, 67h, ECX 10001h");

    /* an offset past FFFFh: #GP, nothing done */
    reset();
    f.r.esi = 0x00010000;
    CODE(0x67, 0x6E);
    expect_same();
    expect_rc(emulate(), V86_FAULT);
    cr_assert_eq(f.vm.ev.vector, 13);
    cr_assert_eq(f.nio, 0);
    expect_state("OUTSB at ESI 10000h");

    /* the same on SS: #SS */
    reset();
    f.r.esi = 0xFFFF;
    CODE(0x36, 0x6F);
    expect_same();
    expect_rc(emulate(), V86_FAULT);
    cr_assert_eq(f.vm.ev.vector, 12);
    cr_assert_eq(f.nio, 0);
    expect_state("SS: OUTSW at SI FFFF");

    /* 16-bit: a word at DI FFFF */
    reset();
    f.r.edi = 0xFFFF;
    CODE(0x6D);
    expect_same();
    expect_rc(emulate(), V86_FAULT);
    cr_assert_eq(f.vm.ev.vector, 13);
    cr_assert_eq(f.nio, 0);
    expect_state("INSW at DI FFFF");
}

Test(v86mon, rep_above_1024_continues)
{
    reset();
    f.r.edi = 0;
    f.r.ecx = 1500;
    CODE(0xF3, 0x6C);
    expect_same();
    f.want.edi = 1024;
    f.want.ecx = 1500 - 1024;
    for (unsigned k = 0; k < 1024; k++)
        expect_byte(lin_of(f.r.es, k), (uint8_t)io_value(k));
    expect_rc(emulate(), V86_DONE);             /* IP stays: the VM executes it again */
    cr_assert_eq(f.nio, 1024);
    expect_state("REP INSB, first 1024");

    f.want.edi = 1500;
    f.want.ecx = 0;
    f.want.eip += 2;
    for (unsigned k = 1024; k < 1500; k++)
        expect_byte(lin_of(f.r.es, k), (uint8_t)io_value(k));
    expect_rc(emulate(), V86_DONE);
    cr_assert_eq(f.nio, 1500);
    expect_state("REP INSB, the rest");
}

Test(v86mon, rep_count_zero)
{
    reset();
    f.r.ecx = 0xFFFF0000;
    CODE(0xF3, 0x6E);
    expect_same();
    f.want.eip += 2;
    expect_rc(emulate(), V86_DONE);
    cr_assert_eq(f.nio, 0);
    expect_state("REP OUTSB, CX 0");
}

Test(v86mon, rep_ins_stops_at_a_page_not_writable)
{
    reset();
    f.r.edi = 0x0FFC;                           /* ES = 3000h: linear 30FFC */
    f.r.ecx = 8;
    page_clear(f.writable, 0x31000);
    CODE(0xF3, 0x6C);
    expect_same();
    f.want.edi = 0x1000;
    f.want.ecx = 4;
    for (unsigned k = 0; k < 4; k++)
        expect_byte(0x30FFC + k, (uint8_t)io_value(k));
    expect_rc(emulate(), V86_PAGE);             /* four done, counted; IP stays */
    cr_assert_eq(f.vm.ev.lin, 0x31000);
    cr_assert_eq(f.vm.ev.write, 1);
    cr_assert_eq(f.nio, 4, "no port read for the element that cannot be stored");
    expect_state("REP INSB into a read-only page");
}

Test(v86mon, rep_outs_refused_midway)
{
    reset();
    f.r.esi = 0x10;
    f.r.ecx = 5;
    f.refuse_at = 2;
    CODE(0xF3, 0x6E);
    expect_same();
    f.want.esi = 0x12;
    f.want.ecx = 3;
    expect_rc(emulate(), V86_FAULT);
    cr_assert_eq(f.vm.ev.vector, 13);
    expect_state("REP OUTSB refused at the third");
}

/* ---- pages ----------------------------------------------------------------------------------- */

Test(v86mon, code_page_not_present)
{
    for (f.pfx = 0; f.pfx < 2; f.pfx++) {
        reset();
        HOT(0xFA);
        page_clear(f.present, csip());
        expect_same();
        expect_rc(emulate(), V86_PAGE);
        cr_assert_eq(f.vm.ev.lin, csip());
        cr_assert_eq(f.vm.ev.write, 0);
        expect_state("CLI in a page not present");
    }
    /* the instruction runs into a page not present */
    static const struct { uint8_t b[3]; unsigned n; } c[] = {
        { { 0xCD, 0x21 }, 2 }, { { 0x66, 0x9C }, 2 }, { { 0x3E, 0xFA }, 2 },
        { { 0x63, 0x06, 0x00 }, 3 },
    };
    for (size_t i = 0; i < NELEM(c); i++) {
        reset();
        f.r.cs = 0x1000;
        f.r.eip = 0x1000 - 1;                   /* linear 10FFF: the last byte of a page */
        put(csip(), c[i].b, c[i].n);
        page_clear(f.present, 0x11000);
        expect_same();
        expect_rc(emulate(), V86_PAGE);
        cr_assert_eq(f.vm.ev.lin, 0x11000, "case %zu", i);
        cr_assert_eq(f.vm.ev.write, 0);
        expect_state("an instruction into a page not present");
    }
    /* but one that ends in the page runs */
    reset();
    f.r.eip = 0x1000 - 1;
    CODE(0xFA);
    page_clear(f.present, 0x11000);
    expect_same();
    f.want.eip = 0x1000;
    f.want_vif = 0;
    expect_rc(emulate(), V86_DONE);
    expect_state("CLI at the end of a page");
}

Test(v86mon, stack_pages)
{
    for (f.pfx = 0; f.pfx < 2; f.pfx++) {
        reset();
        HOT(0x9C);
        page_clear(f.writable, sslin(0x1FE));
        expect_same();
        expect_rc(emulate(), V86_PAGE);
        cr_assert_eq(f.vm.ev.lin, sslin(0x1FE));
        cr_assert_eq(f.vm.ev.write, 1);
        expect_state("PUSHF onto a read-only page");

        reset();
        HOT(0x9D);
        page_clear(f.present, sslin(0x200));
        expect_same();
        expect_rc(emulate(), V86_PAGE);
        cr_assert_eq(f.vm.ev.lin, sslin(0x200));
        cr_assert_eq(f.vm.ev.write, 0);
        expect_state("POPF from a page not present");

        /* an IRET frame across a page boundary, the second page absent */
        reset();
        f.r.ss = 0x2000;
        f.r.esp = 0x0FFC;                       /* 20FFC..21001 */
        HOT(0xCF);
        page_clear(f.present, 0x21000);
        expect_same();
        expect_rc(emulate(), V86_PAGE);
        cr_assert_eq(f.vm.ev.lin, 0x21000);
        cr_assert_eq(f.vm.ev.write, 0);
        expect_state("IRET frame into a page not present");

        /* present: it works across the boundary */
        reset();
        f.r.esp = 0x0FFC;
        put16(0x20FFC, 0x1111);
        put16(0x20FFE, 0x2222);
        put16(0x21000, 0x0002);
        HOT(0xCF);
        expect_same();
        f.want.eip = 0x1111;
        f.want.cs = 0x2222;
        f.want.esp = 0x1002;
        f.want_vif = 0;
        expect_rc(emulate(), V86_DONE);
        expect_state("IRET frame across a page boundary");
    }
    /* a word straddling two pages (odd SP), the second read-only */
    reset();
    f.r.esp = 0x1001;                           /* the word at 20FFF..21000 */
    CODE(0x9C);
    page_clear(f.writable, 0x21000);
    expect_same();
    expect_rc(emulate(), V86_PAGE);
    cr_assert_eq(f.vm.ev.lin, 0x21000);
    cr_assert_eq(f.vm.ev.write, 1);
    expect_state("PUSHF straddling into a read-only page");
}

Test(v86mon, reflect_pages)
{
    reset();
    page_clear(f.present, 0);
    expect_same();
    expect_rc(reflect(0x21), V86_PAGE);
    cr_assert_eq(f.vm.ev.lin, 0x84);
    cr_assert_eq(f.vm.ev.write, 0);
    expect_state("reflect with the IVT not present");

    reset();
    page_clear(f.writable, sslin(0x1FA));
    expect_same();
    expect_rc(reflect(0x21), V86_PAGE);
    cr_assert_eq(f.vm.ev.lin, sslin(0x1FE));       /* FLAGS, pushed first */
    cr_assert_eq(f.vm.ev.write, 1);
    expect_state("reflect onto a read-only stack");

    /* the frame across a page boundary: 20FFE..21003, the upper page read-only */
    reset();
    f.r.esp = 0x1004;
    page_clear(f.writable, 0x21000);
    expect_same();
    expect_rc(reflect(0x21), V86_PAGE);
    cr_assert_eq(f.vm.ev.lin, 0x21002);            /* FLAGS at SP-2 = 1002h */
    expect_state("reflect across into a read-only page");
    memcpy(f.writable, f.present, sizeof f.writable);
    put32(0x84, 0x12345678);
    expect16(0x20FFE, 0x0100);
    expect16(0x21000, 0x1000);
    expect16(0x21002, 0x3202);
    f.want.esp = 0x0FFE;
    f.want.eip = 0x5678;
    f.want.cs = 0x1234;
    f.want_vif = 0;
    expect_rc(reflect(0x21), V86_DONE);
    expect_state("reflect across a page boundary");
}

/* ---- break points, LOCK, others, HLT, length ------------------------------------------------- */

Test(v86mon, arpl_is_a_break_point)
{
    static const struct { uint8_t b[9]; unsigned n; } c[] = {
        { { 0x63, 0xC0 }, 2 },
        { { 0x63, 0x06, 0x34, 0x12 }, 4 },
        { { 0x2E, 0x63, 0x47, 0x08 }, 4 },
        { { 0x67, 0x63, 0x84, 0x24, 1, 2, 3, 4 }, 8 },
    };
    for (size_t i = 0; i < NELEM(c); i++) {
        reset();
        f.r.eflags |= V86_FL_TF | V86_FL_RF;
        put(csip(), c[i].b, c[i].n);
        expect_same();
        expect_rc(emulate(), V86_BREAK);
        cr_assert_eq(f.vm.ev.length, c[i].n, "case %zu: length %u", i, f.vm.ev.length);
        expect_state("ARPL");
    }
}

Test(v86mon, lock_is_ud)
{
    static const struct { uint8_t b[3]; unsigned n; } c[] = {
        { { 0xF0, 0xFA }, 2 }, { { 0xF0, 0xCD, 0x21 }, 3 }, { { 0xF0, 0x9C }, 2 },
        { { 0x66, 0xF0, 0xCF }, 3 }, { { 0xF0, 0xE4, 0x60 }, 3 }, { { 0xF0, 0x6E }, 2 },
        { { 0xF0, 0xF4 }, 2 }, { { 0xF0, 0x63, 0xC0 }, 3 },
    };
    for (size_t i = 0; i < NELEM(c); i++) {
        reset();
        put(csip(), c[i].b, c[i].n);
        expect_same();
        expect_rc(emulate(), V86_FAULT);
        cr_assert_eq(f.vm.ev.vector, 6, "case %zu", i);
        cr_assert_eq(f.nio, 0);
        expect_state("LOCK");
    }
}

Test(v86mon, other_opcodes)
{
    static const struct { uint8_t b[3]; unsigned n; } c[] = {
        { { 0x90 }, 1 }, { { 0x0F, 0x01, 0xC0 }, 3 }, { { 0xF0, 0x90 }, 2 }, { { 0x8E, 0xD8 }, 2 },
        { { 0x66, 0x0F, 0x20 }, 3 },
    };
    for (size_t i = 0; i < NELEM(c); i++) {
        reset();
        put(csip(), c[i].b, c[i].n);
        expect_same();
        expect_rc(emulate(), V86_OTHER);
        expect_state("not ours");
    }
}

Test(v86mon, hlt)
{
    for (f.pfx = 0; f.pfx < 2; f.pfx++) {
        for (int vif = 0; vif < 2; vif++) {
            reset();
            f.vm.vif = vif ? V86_FL_IF : 0;
            f.r.eflags |= V86_FL_RF;
            unsigned n = HOT(0xF4);
            expect_same();
            f.want.eip += n;
            f.want.eflags &= ~V86_FL_RF;
            expect_rc(emulate(), V86_HLT);
            expect_state("HLT");
        }
    }
    /* TF: the caller's (no trap here) */
    reset();
    f.r.eflags |= V86_FL_TF;
    CODE(0xF4);
    expect_same();
    f.want.eip += 1;
    expect_rc(emulate(), V86_HLT);
    expect_state("HLT with TF");
}

Test(v86mon, fifteen_bytes)
{
    uint8_t b[16];
    memset(b, 0x66, sizeof b);
    b[14] = 0xFA;
    reset();
    put(csip(), b, 15);
    expect_same();
    f.want.eip += 15;
    f.want_vif = 0;
    expect_rc(emulate(), V86_DONE);
    expect_state("14 prefixes + CLI");

    b[14] = 0x66;
    b[15] = 0xFA;
    reset();
    put(csip(), b, 16);
    expect_same();
    expect_rc(emulate(), V86_FAULT);
    cr_assert_eq(f.vm.ev.vector, 13);
    expect_state("15 prefixes + CLI");
}

/* ---- single-step ----------------------------------------------------------------------------- */

Test(v86mon, single_step_trap)
{
    for (f.pfx = 0; f.pfx < 2; f.pfx++) {
        reset();
        f.r.eflags |= V86_FL_TF;
        unsigned n = HOT(0xFA);
        put32(1 * 4, 0x00700080);
        expect_rc(emulate(), V86_FAULT);
        cr_assert_eq(f.vm.ev.vector, 1);
        cr_assert_eq(f.vm.ev.trap, 1);
        cr_assert_eq(f.r.eip, 0x100 + n, "IP past the instruction");
        cr_assert_eq(f.vm.vif, 0, "the instruction was done");
        /* the caller reflects it: the frame has IP after CLI and FLAGS with TF */
        expect_same();
        expect16(sslin(0x1FA), (uint16_t)(0x100 + n));
        expect16(sslin(0x1FC), 0x1000);
        expect16(sslin(0x1FE), 0x3102);         /* TF; IF clear: CLI was done */
        f.want.esp = 0x1FA;
        f.want.cs = 0x0070;
        f.want.eip = 0x0080;
        f.want.eflags &= ~V86_FL_TF;
        expect_rc(reflect(1), V86_DONE);
        expect_state("CLI single-stepped, then INT 1");

        /* POPF that sets TF: no trap now */
        reset();
        put16(sslin(0x200), 0x0302);
        HOT(0x9D);
        expect_rc(emulate(), V86_DONE);
        cr_assert(f.r.eflags & V86_FL_TF);

        /* IRET with TF set as it began traps after it (even if it clears TF) */
        reset();
        f.r.eflags |= V86_FL_TF;
        put16(sslin(0x200), 0x0500);
        put16(sslin(0x202), 0x0600);
        put16(sslin(0x204), 0x0002);
        HOT(0xCF);
        expect_same();
        f.want.eip = 0x0500;
        f.want.cs = 0x0600;
        f.want.esp = 0x206;
        f.want.eflags = FL_BASE;
        f.want_vif = 0;
        expect_rc(emulate(), V86_FAULT);
        cr_assert_eq(f.vm.ev.vector, 1);
        cr_assert_eq(f.vm.ev.trap, 1);
        expect_state("IRET clearing TF");

        /* PUSHF with TF */
        reset();
        f.r.eflags |= V86_FL_TF;
        n = HOT(0x9C);
        expect_same();
        f.want.eip += n;
        f.want.esp -= 2;
        expect16(sslin(0x1FE), 0x3302);
        expect_rc(emulate(), V86_FAULT);
        cr_assert_eq(f.vm.ev.trap, 1);
        expect_state("PUSHF with TF");
    }
    /* REP OUTS: one element, then the trap, IP at the instruction */
    reset();
    f.r.eflags |= V86_FL_TF;
    f.r.ecx = 3;
    CODE(0xF3, 0x6E);
    expect_same();
    f.want.esi += 1;
    f.want.ecx = 2;
    expect_rc(emulate(), V86_FAULT);
    cr_assert_eq(f.vm.ev.vector, 1);
    cr_assert_eq(f.vm.ev.trap, 1);
    cr_assert_eq(f.nio, 1);
    expect_state("REP OUTSB with TF");
    /* no trap on a fault */
    reset();
    f.r.eflags |= V86_FL_TF;
    f.r.esp = 1;
    CODE(0x9C);
    expect_same();
    expect_rc(emulate(), V86_FAULT);
    cr_assert_eq(f.vm.ev.vector, 12);
    cr_assert_eq(f.vm.ev.trap, 0);
    expect_state("PUSHF at SP 1 with TF");
}

/* ---- the helpers ----------------------------------------------------------------------------- */

Test(v86mon, push_pop_helpers)
{
    struct v86_event ev;
    uint16_t w = 0xEEEE;
    uint32_t d = 0xEEEEEEEE;

    reset();
    f.r.esp = 0xAAAA0006;
    expect_same();
    cr_assert_eq(v86_push16(&f.vm, &f.r, 0x1234, &ev), V86_DONE);
    cr_assert_eq(v86_push32(&f.vm, &f.r, 0x89ABCDEF, &ev), V86_DONE);
    cr_assert_eq(v86_push16(&f.vm, &f.r, 0x5678, &ev), V86_DONE);      /* wraps */
    f.want.esp = 0xAAAAFFFE;
    expect16(sslin(4), 0x1234);
    expect32(sslin(0), 0x89ABCDEF);
    expect16(sslin(0xFFFE), 0x5678);
    expect_state("three pushes");
    cr_assert_eq(v86_pop16(&f.vm, &f.r, &w, &ev), V86_DONE);
    cr_assert_eq(w, 0x5678);
    cr_assert_eq(v86_pop32(&f.vm, &f.r, &d, &ev), V86_DONE);
    cr_assert_eq(d, 0x89ABCDEF);
    cr_assert_eq(v86_pop16(&f.vm, &f.r, &w, &ev), V86_DONE);
    cr_assert_eq(w, 0x1234);
    f.want.esp = 0xAAAA0006;
    expect_state("three pops");

    /* across FFFFh: #SS, nothing changed */
    static const struct { uint32_t sp; int push, size; } c[] = {
        { 0x0001, 1, 2 }, { 0x0002, 1, 4 }, { 0x0003, 1, 4 },
        { 0xFFFF, 0, 2 }, { 0xFFFD, 0, 4 }, { 0xFFFE, 0, 4 },
    };
    for (size_t i = 0; i < NELEM(c); i++) {
        reset();
        f.r.esp = c[i].sp;
        expect_same();
        w = 0xEEEE;
        d = 0xEEEEEEEE;
        int rc = c[i].push ? (c[i].size == 2 ? v86_push16(&f.vm, &f.r, 1, &ev)
                                             : v86_push32(&f.vm, &f.r, 1, &ev))
                           : (c[i].size == 2 ? v86_pop16(&f.vm, &f.r, &w, &ev)
                                             : v86_pop32(&f.vm, &f.r, &d, &ev));
        cr_assert_eq(rc, V86_FAULT, "case %zu", i);
        cr_assert_eq(ev.vector, 12);
        cr_assert_eq(ev.trap, 0);
        cr_assert(w == 0xEEEE && d == 0xEEEEEEEE, "the value is not written");
        expect_state("helper across FFFFh");
    }

    /* pages */
    reset();
    page_clear(f.writable, sslin(0x1FE));
    expect_same();
    cr_assert_eq(v86_push16(&f.vm, &f.r, 1, &ev), V86_PAGE);
    cr_assert(ev.lin == sslin(0x1FE) && ev.write == 1);
    page_clear(f.present, sslin(0x200));
    cr_assert_eq(v86_pop32(&f.vm, &f.r, &d, &ev), V86_PAGE);
    cr_assert(ev.lin == sslin(0x200) && ev.write == 0);
    expect_state("helpers and pages");
}

Test(v86mon, flags_helpers)
{
    reset();
    f.vm.vif = 0;
    cr_assert_eq(v86_flags_view(&f.vm, 0xFFFFFFFF), 0xFFE4FDFF);
    cr_assert_eq(v86_flags_view(&f.vm, FL_BASE), 0x3002);
    f.vm.vif = V86_FL_IF;
    cr_assert_eq(v86_flags_view(&f.vm, 0xFFFFFFFF), 0xFFE4FFFF);
    cr_assert_eq(v86_flags_view(&f.vm, FL_BASE | V86_FL_RF | V86_FL_VIF | V86_FL_VIP), 0x3202);

    f.r.eflags = FL_BASE;
    v86_flags_load(&f.vm, &f.r, 0xFFFFFFFF, 0);
    cr_assert_eq(f.r.eflags, FL_BASE | 0x4DD5);
    cr_assert_eq(f.vm.vif, V86_FL_IF);
    v86_flags_load(&f.vm, &f.r, 0, 0);
    cr_assert_eq(f.r.eflags, FL_BASE);
    cr_assert_eq(f.vm.vif, 0);
    v86_flags_load(&f.vm, &f.r, 0xFFFFFFFF, 1);
    cr_assert_eq(f.r.eflags, FL_BASE | 0x244DD5);
    f.r.eflags |= V86_FL_RF | V86_FL_VIF | V86_FL_VIP;
    v86_flags_load(&f.vm, &f.r, 0, 1);
    cr_assert_eq(f.r.eflags, FL_BASE | V86_FL_RF | V86_FL_VIF | V86_FL_VIP);
}

/* ---- the fast path against the general path, on random states -------------------------------- */

/* Two VMs, A and B, identical but for the code: A has the instruction at CS:IP, B the same
 * with a 3Eh prefix at CS:IP-1 (so it ends at the same place: IP-1 in B's registers).  The
 * results must be the same: result, event, registers (B's IP one less when the instruction did
 * not complete), vif, the stack segment's bytes, and the I/O calls.  SP, SS, the flags, vif,
 * the stack bytes, the stack pages' and the IVT page's bits, the hooked vectors, AX, DX and
 * the callback's refusal are random, with SP often near 0, FFFFh and page boundaries. */
Test(v86mon, fast_path_matches_general_path)
{
    static const struct { uint8_t b[2]; unsigned n; } insn[] = {
        { { 0xFA }, 1 }, { { 0xFB }, 1 }, { { 0x9C }, 1 }, { { 0x9D }, 1 }, { { 0xCF }, 1 },
        { { 0xCD, 0x42 }, 2 }, { { 0xCD, 0x00 }, 2 }, { { 0xCD, 0xFF }, 2 }, { { 0xF4 }, 1 },
        { { 0xE4, 0x60 }, 2 }, { { 0xE5, 0x71 }, 2 }, { { 0xE6, 0x80 }, 2 }, { { 0xE7, 0xFF }, 2 },
        { { 0xEC }, 1 }, { { 0xED }, 1 }, { { 0xEE }, 1 }, { { 0xEF }, 1 },
    };
    static const uint16_t ss_choice[] = { 0x2000, 0x20FF, 0x2FF0, 0x7FFF, 0xFFFF, 0x0000 };
    uint8_t *memb = malloc(V86_SPACE);
    uint8_t presb[V86_PAGES], writb[V86_PAGES];
    uint64_t seed = 0xF00DF00D;
    cr_assert_not_null(memb);
    memcpy(memb, f.mem, V86_SPACE);

    for (unsigned iter = 0; iter < 40000; iter++) {
        uint64_t x = rng_next(&seed), y = rng_next(&seed), z = rng_next(&seed);
        unsigned which = (unsigned)(x % NELEM(insn));
        struct client_regs ra = {
            .eip = 0x0100 + (unsigned)(x >> 8 & 0xFF), .cs = 0x1000,
            .ss = ss_choice[(x >> 16) % NELEM(ss_choice)],
            .eflags = FL_BASE | ((uint32_t)y & (V86_FL_LOAD32 | V86_FL_RF)),
            .eax = (uint32_t)y, .ebx = (uint32_t)(y >> 32), .edx = (uint32_t)z,
        };
        if ((x >> 24) % 4)                      /* TF one time in four */
            ra.eflags &= ~V86_FL_TF;
        static const uint16_t sp_choice[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 0xFFFE, 0xFFFF, 0xFFFD,
                                              0xFFFC, 0xFFFB, 0xFFFA, 0xFFF9, 0x1000, 0x1001,
                                              0x0FFF, 0x0FFE, 0x1002, 0x1004, 0x0FFC, 0x0FFA };
        uint32_t sp = (x >> 32) % 3 ? sp_choice[(x >> 34) % NELEM(sp_choice)]
                                    : (uint32_t)(x >> 40) & 0xFFFF;
        ra.esp = ((uint32_t)(y >> 16) & 0xFFFF0000u) | sp;
        uint32_t vif = (x >> 60) & 1 ? V86_FL_IF : 0;
        uint32_t ssb = lin_of(ra.ss, 0);

        /* memory: the 16 bytes around SS:SP random (wrapping in the segment); the pages
         * around it present or not, writable or not, at random; the IVT's page absent one
         * time in eight; the hooked vectors: all (every one), all, or random */
        for (uint32_t k = 0; k < 16; k += 8) {
            uint64_t v = rng_next(&seed);
            for (unsigned j = 0; j < 8; j++)
                f.mem[ssb + ((sp - 8 + k + j) & 0xFFFF)] = (uint8_t)(v >> 8 * j);
        }
        memset(f.present, 1, sizeof f.present);
        memset(f.writable, 1, sizeof f.writable);
        uint64_t pg = rng_next(&seed);
        for (int d = -1; d <= 1; d++) {
            uint32_t l = ssb + ((sp + (uint32_t)(d * 0x1000)) & 0xFFFF);
            if (pg >> (d + 1) & 1 && pg >> 8 & 1)
                page_clear(f.present, l);
            if (pg >> (d + 4) & 1)
                page_clear(f.writable, l);
        }
        if ((pg >> 16) % 8 == 0)
            page_clear(f.present, 0);
        for (unsigned k = 0; k < 8; k++)
            f.hooked[k] = (pg >> 24) % 4 == 1 ? ~0u : (uint32_t)rng_next(&seed);
        const uint32_t *hooked = (pg >> 24) % 4 == 0 ? all_hooked : f.hooked;
        int refuse = (pg >> 32) % 8 == 0 ? 0 : -1;
        uint32_t code = lin_of(ra.cs, ra.eip);
        f.present[code >> 12] = 1;
        f.mem[code - 1] = 0x90;
        memcpy(f.mem + code, insn[which].b, insn[which].n);
        memcpy(memb + ssb, f.mem + ssb, 0x10000);
        memcpy(memb, f.mem, 0x400);             /* the IVT: the same in both */
        memcpy(memb + code - 1, (const uint8_t[]){ 0x3E }, 1);
        memcpy(memb + code, insn[which].b, insn[which].n);
        memcpy(presb, f.present, sizeof presb);
        memcpy(writb, f.writable, sizeof writb);

        struct client_regs rb = ra;
        rb.eip -= 1;
        struct v86_vm vma = { .mem = f.mem, .present = f.present, .writable = f.writable,
                              .hooked = hooked, .io = io_cb, .io_ctx = &f, .vif = vif };
        struct v86_vm vmb = vma;
        vmb.mem = memb, vmb.present = presb, vmb.writable = writb;
        memset(&vma.ev, SENTINEL, sizeof vma.ev);
        memset(&vmb.ev, SENTINEL, sizeof vmb.ev);
        f.nio = 0, f.refuse_at = refuse;
        int rca = v86_emulate(&vma, &ra);
        struct iocall ioa = f.io[0];
        unsigned nioa = f.nio;
        f.nio = 0, f.refuse_at = refuse;
        int rcb = v86_emulate(&vmb, &rb);
        struct v86_event eva = vma.ev, evb = vmb.ev;

        cr_assert_eq(rca, rcb, "iteration %u (insn %u, SP %#x, SS %#x): %s vs %s", iter, which,
                     sp, ra.ss, rc_name(rca), rc_name(rcb));
        cr_assert_eq(memcmp(&eva, &evb, sizeof eva), 0, "iteration %u: events differ", iter);
        cr_assert_eq(nioa, f.nio, "iteration %u: I/O calls", iter);
        if (nioa)
            cr_assert(ioa.port == f.io[0].port && ioa.type == f.io[0].type &&
                      ioa.in == f.io[0].in && ioa.out == f.io[0].out &&
                      ioa.ip == f.io[0].ip + 1, "iteration %u: the I/O calls differ", iter);
        int completed = rca == V86_DONE || rca == V86_INT || rca == V86_HLT ||
                        (rca == V86_FAULT && eva.trap);
        if (!completed)
            rb.eip += 1;
        for (size_t i = 0; i < NELEM(fields); i++) {
            uint32_t a = field(&ra, fields[i].off), b = field(&rb, fields[i].off);
            cr_assert_eq(a, b, "iteration %u (insn %u, SP %#x): %s %#x vs %#x", iter, which,
                         sp, fields[i].name, a, b);
        }
        cr_assert_eq(vma.vif, vmb.vif, "iteration %u: vif", iter);
        cr_assert_eq(memcmp(f.mem + ssb, memb + ssb, 0x10000), 0,
                     "iteration %u (insn %u, SP %#x): the stacks differ", iter, which, sp);
    }
    free(memb);
}

/* ---- v86_reflect against a model, on random states ------------------------------------------- */

/* The model: the IVT entry must be present; then FLAGS at SP-2, CS at SP-4, IP at SP-6 (16-bit
 * wraparound), each slot inside the segment (else shutdown: FAULT 8) and writable, first
 * failure reported; else the frame, the new CS:IP, and IF TF AC RF cleared. */
Test(v86mon, reflect_matches_model)
{
    static const uint16_t sp_choice[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 0xFFFF, 0xFFFE, 0x1000,
                                          0x1001, 0x1002, 0x1003, 0x1004, 0x1005, 0x1006 };
    uint64_t seed = 0xBEEF0086;
    for (unsigned iter = 0; iter < 2000; iter++) {
        uint64_t x = rng_next(&seed);
        reset();
        f.r.ss = (x & 1) ? 0x2000 : 0x20FF;
        uint32_t sp = (x >> 1) % 2 ? sp_choice[(x >> 2) % NELEM(sp_choice)]
                                   : (uint32_t)(x >> 8) & 0xFFFF;
        f.r.esp = 0x55550000 | sp;
        f.r.eflags = FL_BASE | ((uint32_t)(x >> 24) & (V86_FL_LOAD32 | V86_FL_RF));
        f.vm.vif = (x >> 40) & 1 ? V86_FL_IF : 0;
        unsigned n = (unsigned)(x >> 48) & 0xFF;
        uint32_t ssb = lin_of(f.r.ss, 0);
        if ((x >> 56) % 8 == 0)
            page_clear(f.present, 0);
        for (int d = -1; d <= 1; d++) {
            if ((x >> (57 + d + 1)) & 1)
                page_clear(f.writable, ssb + ((sp + (uint32_t)(d * 0x1000)) & 0xFFFF));
        }
        if ((x >> 61) & 1)
            memcpy(f.writable, f.present, sizeof f.writable);

        int want_rc = V86_DONE;
        uint32_t want_lin = 0;
        int want_write = 0;
        if (!f.present[0]) {
            want_rc = V86_PAGE;
            want_lin = n * 4;
        } else {
            for (unsigned k = 1; k <= 3 && want_rc == V86_DONE; k++) {
                uint32_t off = (sp - 2 * k) & 0xFFFF;
                if (off == 0xFFFF) {
                    want_rc = V86_FAULT;
                } else if (!f.writable[(ssb + off) >> 12]) {
                    want_rc = V86_PAGE, want_lin = ssb + off, want_write = 1;
                } else if (!f.writable[(ssb + off + 1) >> 12]) {
                    want_rc = V86_PAGE, want_lin = ssb + off + 1, want_write = 1;
                }
            }
        }
        expect_same();
        if (want_rc == V86_DONE) {
            uint32_t vec;
            memcpy(&vec, f.mem + n * 4, 4);
            expect16(ssb + ((sp - 2) & 0xFFFF), (uint16_t)((f.r.eflags & 0x0DFF) | 0x3000 |
                                                           f.vm.vif | (f.r.eflags & 0x4000)));
            expect16(ssb + ((sp - 4) & 0xFFFF), 0x1000);
            expect16(ssb + ((sp - 6) & 0xFFFF), 0x0100);
            f.want.esp = 0x55550000 | ((sp - 6) & 0xFFFF);
            f.want.eip = vec & 0xFFFF;
            f.want.cs = vec >> 16;
            f.want.eflags &= ~(V86_FL_TF | V86_FL_AC | V86_FL_RF);
            f.want_vif = 0;
        }
        int rc = reflect(n);
        cr_assert_eq(rc, want_rc, "iteration %u (SP %#x, n %#x): %s, want %s", iter, sp, n,
                     rc_name(rc), rc_name(want_rc));
        if (rc == V86_PAGE)
            cr_assert(f.vm.ev.lin == want_lin && f.vm.ev.write == want_write,
                      "iteration %u: page %#x/%u, want %#x/%d", iter, f.vm.ev.lin, f.vm.ev.write,
                      want_lin, want_write);
        if (rc == V86_FAULT)
            cr_assert_eq(f.vm.ev.vector, 8);
        expect_state("reflect (model)");
    }
}
