/*
 * libFuzzer target: DOSMGR's portable cores as a hostile program and a hostile boot partition
 * would drive them -- drive C:'s block from the loader (vxd/dosmgr/dosfs.c: dosfs_init must
 * refuse a lying block or build a sound tree from it), then INT 21h calls (vxd/dosmgr/dos.c)
 * with registers and memory the input chooses, between which the input may scribble over the
 * VM's memory (its MCBs, PSPs, job file tables, DTA) as a program can.
 *
 * The input: two bytes of block size n, n bytes of block (its header's magic, version and size
 * fixed up half of the time, so that the checks past them are reached), then operations: an
 * opcode byte (0: a call -- AX BX CX DX SI DI DS ES from the input; 1: a poke -- an address in
 * the first 640 KB and a byte; 2: a key for the console).  Checked besides the sanitizers: the
 * tree's invariants (every live node's parent is a live directory that lists it), DOS's
 * nesting count within its bound, and the VM's memory never written past the V86 space.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/drivec.h"
#include "../../vxd/dosmgr/dos.h"

#include "input.h"

static struct in *keys;
static int con_in(void *ctx, int wait)
{
    (void)ctx;
    if (keys && keys->n)
        return u8(keys);
    return wait ? 0x1A : -1;
}
static void con_out(void *ctx, const uint8_t *s, uint32_t n)
{
    (void)ctx;
    volatile uint8_t x = 0;
    for (uint32_t i = 0; i < n; i++)
        x ^= s[i];                              /* every byte given must be readable */
}
/* A Ctrl-C abandoned the call: the registers given back are the ones it was made with. */
static struct client_regs call_regs;
static void ctrl_c(void *ctx, struct client_regs *r)
{
    (void)ctx;
    if (memcmp(r, &call_regs, sizeof *r))
        abort();
}
static void clock_now(void *ctx, struct dos_time *t)
{
    (void)ctx;
    *t = (struct dos_time){ 2026, 2, 29, 23, 59, 59, 99 };  /* not a date: DOS must cope */
}

static void check_tree(struct dosfs *fs)
{
    for (uint32_t i = 1; i < fs->count; i++) {
        const struct dosfs_node *n = dosfs_node(fs, i);
        if (!n)
            continue;
        const struct dosfs_node *p = dosfs_node(fs, n->parent);
        if (!p || !(p->attr & DOSFS_ATTR_DIR))
            abort();
        uint32_t c = p->child, k = 0;
        while (c != i && c != DOSFS_NONE && k++ < fs->count)
            c = fs->nodes[c].next;
        if (c != i)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t *mem;
    static const struct dosfs_mem heap = { malloc, free };
    if (!mem)
        mem = malloc(DOS_MEM_SIZE);
    memset(mem, 0, DOS_MEM_SIZE);
    mem[0x413] = 0x7F;                          /* 639 KB */
    mem[0x414] = 0x02;
    struct in in = { data, size };
    uint32_t n = u16(&in);
    if (n > in.n)
        n = (uint32_t)in.n;
    uint8_t *blk = malloc(n ? n : 1);
    memcpy(blk, in.p, n);
    in.p += n;
    in.n -= n;
    if (n >= sizeof(struct drivec_header) && (blk[0] & 1)) {
        struct drivec_header *h = (void *)blk;
        h->magic = DRIVEC_MAGIC;
        h->version = DRIVEC_VERSION;
        h->size = n;
    }
    struct dosfs fs;
    char why[100];
    if (dosfs_init(&fs, blk, n, 1u << 16, &heap, why, sizeof why))
        dosfs_init_empty(&fs, 1u << 16, &heap);
    check_tree(&fs);
    static struct dos d;
    struct dos_io io = { 0, con_in, con_out, clock_now, 0 };
    static const uint32_t vectors[16] = { 0x00600080, 0x00600086 };
    if (dos_init(&d, mem, &fs, &io, 0x0200, 0x9FC0, "PATH=C:\\\0", vectors))
        abort();
    struct in k = { 0, 0 };
    keys = &k;
    for (unsigned ops = 0; in.n && ops < 64 && !d.ended; ops++) {
        uint8_t op = u8(&in) % 3;
        if (op == 1) {
            uint32_t a = (uint32_t)u16(&in) << 4 | (u8(&in) & 15);
            if (a < 0xA0000)
                mem[a] = u8(&in);
            continue;
        }
        if (op == 2) {
            uint8_t len = u8(&in) & 15;
            k.p = in.p;
            k.n = len < in.n ? len : in.n;
            in.p += k.n;
            in.n -= k.n;
            continue;
        }
        struct client_regs r = { 0 };
        r.eax = u16(&in);
        r.ebx = u16(&in);
        r.ecx = u16(&in);
        r.edx = u16(&in);
        r.esi = u16(&in);
        r.edi = u16(&in);
        r.ds = u16(&in);
        r.es = u16(&in);
        r.ss = 0x0070;
        r.esp = 0x0F00;
        r.cs = 0x0060;
        d.io.ctrl_c = ops & 1 ? ctrl_c : 0;             /* DOSMGR's way, or the program ends */
        call_regs = r;
        dos_int21(&d, &r);
        if (d.nprocs > DOS_NEST_MAX)
            abort();
        check_tree(&fs);
    }
    keys = 0;
    dos_close_all(&d);
    for (uint32_t i = 0; i < fs.count; i++)
        if (fs.nodes[i].name[0] && fs.nodes[i].opens)
            abort();                            /* every handle closed: no open count left */
    dosfs_destroy(&fs);
    free(blk);
    return 0;
}
