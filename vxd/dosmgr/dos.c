/* dos: the DOS API of one VM (dos.h). */
#include "dos.h"

/* ---- registers and memory -------------------------------------------------------------------- */

#define CF 0x0001u
#define ZF 0x0040u
#define IF 0x0200u

static uint8_t AH(const struct client_regs *r) { return (uint8_t)(r->eax >> 8); }
static uint8_t AL(const struct client_regs *r) { return (uint8_t)r->eax; }
static uint16_t BX(const struct client_regs *r) { return (uint16_t)r->ebx; }
static uint16_t CX(const struct client_regs *r) { return (uint16_t)r->ecx; }
static uint16_t DX(const struct client_regs *r) { return (uint16_t)r->edx; }
static uint8_t DL(const struct client_regs *r) { return (uint8_t)r->edx; }
static void setw(uint32_t *reg, uint16_t v) { *reg = (*reg & 0xFFFF0000u) | v; }
static void setl(uint32_t *reg, uint8_t v) { *reg = (*reg & 0xFFFFFF00u) | v; }
static void seth(uint32_t *reg, uint8_t v) { *reg = (*reg & 0xFFFF00FFu) | (uint32_t)v << 8; }

static uint32_t lin(uint32_t seg, uint32_t off) { return (seg & 0xFFFF) * 16 + (off & 0xFFFF); }
/* A buffer a program names: inside its conventional memory (below what the BIOS reports), the
 * only V86 memory sure to be there -- adapter space, the BIOS's read-only image and the HMA are
 * not DOS's to read or write for it. */
static int inside(const struct dos *d, uint32_t a, uint32_t n)
{
    uint32_t end = (uint32_t)d->mem_top * 16;
    return n <= end && a <= end - n;
}
static uint16_t rd16(const struct dos *d, uint32_t a) { return (uint16_t)(d->mem[a] | d->mem[a + 1] << 8); }
static void wr16(struct dos *d, uint32_t a, uint16_t v)
{
    d->mem[a] = (uint8_t)v;
    d->mem[a + 1] = (uint8_t)(v >> 8);
}
/* libc's on the host, the VMM's exports (string moves) in the VxD */
void *memset(void *dst, int c, __SIZE_TYPE__ n);
void *memmove(void *dst, const void *src, __SIZE_TYPE__ n);
static void mset(void *p, int c, uint32_t n)
{
    if (n)
        memset(p, c, n);
}
static void mmove(void *dst, const void *src, uint32_t n)
{
    if (n)
        memmove(dst, src, n);
}
static uint32_t slen(const char *s)
{
    uint32_t n = 0;
    while (s[n])
        n++;
    return n;
}

static void ok(struct client_regs *r) { r->eflags &= ~CF; }
static void fail(struct dos *d, struct client_regs *r, uint16_t err)
{
    d->last_error = err;
    setw(&r->eax, err);
    r->eflags |= CF;
}

/* An ASCIIZ string of the VM's (at most cap - 1 characters) into out; 0 if it does not end
 * within the VM's memory or cap. */
static int vm_str(struct dos *d, uint32_t a, char *out, uint32_t cap)
{
    for (uint32_t i = 0; i < cap; i++) {
        if (!inside(d, a + i, 1))
            return 0;
        out[i] = (char)d->mem[a + i];
        if (!out[i])
            return 1;
    }
    return 0;
}

static void say(struct dos *d, const char *a, const char *b)
{
    char msg[160];
    uint32_t o = 0;
    for (; *a && o < sizeof msg - 1; a++)
        msg[o++] = *a;
    for (; b && *b && o < sizeof msg - 1; b++)
        msg[o++] = *b;
    msg[o] = 0;
    if (d->io.say)
        d->io.say(d->io.ctx, msg);
}

/* ---- memory control blocks ------------------------------------------------------------------- */

#define MCB_OWNER 1
#define MCB_SIZE  3
#define MCB_NAME  8

static uint32_t mcb(uint16_t seg) { return (uint32_t)seg * 16; }
static int mcb_ok(struct dos *d, uint16_t seg)
{
    return seg >= d->first_mcb && seg < d->mem_top &&
           (d->mem[mcb(seg)] == 'M' || d->mem[mcb(seg)] == 'Z');
}
static uint16_t mcb_size(struct dos *d, uint16_t seg) { return rd16(d, mcb(seg) + MCB_SIZE); }
static uint16_t mcb_owner(struct dos *d, uint16_t seg) { return rd16(d, mcb(seg) + MCB_OWNER); }
static void mcb_set(struct dos *d, uint16_t seg, char sig, uint16_t owner, uint16_t size)
{
    d->mem[mcb(seg)] = (uint8_t)sig;
    wr16(d, mcb(seg) + MCB_OWNER, owner);
    wr16(d, mcb(seg) + MCB_SIZE, size);
}
/* The MCB after seg, or 0 at the end; -1 (as 0xFFFF) for a broken chain. */
static uint32_t mcb_next(struct dos *d, uint16_t seg)
{
    if (d->mem[mcb(seg)] == 'Z')
        return 0;
    uint32_t n = (uint32_t)seg + 1 + mcb_size(d, seg);
    return n < d->mem_top && mcb_ok(d, (uint16_t)n) ? n : 0xFFFFFFFFu;
}

int dos_mcb_walk(struct dos *d, uint32_t *free_paras, uint32_t *largest, uint32_t *blocks)
{
    uint32_t f = 0, big = 0, n = 0;
    uint32_t seg = d->first_mcb;
    if (!mcb_ok(d, (uint16_t)seg))
        return DOSERR_MCB_DESTROYED;
    for (;;) {
        n++;
        uint32_t size = mcb_size(d, (uint16_t)seg);
        if (seg + 1 + size > d->mem_top)
            return DOSERR_MCB_DESTROYED;
        if (!mcb_owner(d, (uint16_t)seg)) {
            f += size;
            big = size > big ? size : big;
        }
        uint32_t next = mcb_next(d, (uint16_t)seg);
        if (!next)
            break;
        if (next == 0xFFFFFFFFu || n > 0x10000)
            return DOSERR_MCB_DESTROYED;
        seg = next;
    }
    if (seg + 1 + mcb_size(d, (uint16_t)seg) != d->mem_top)
        return DOSERR_MCB_DESTROYED;
    if (free_paras)
        *free_paras = f;
    if (largest)
        *largest = big;
    if (blocks)
        *blocks = n;
    return 0;
}

/* Free blocks after seg joined into it. */
static void mcb_join(struct dos *d, uint16_t seg)
{
    for (;;) {
        uint32_t next = mcb_next(d, seg);
        if (!next || next == 0xFFFFFFFFu || mcb_owner(d, (uint16_t)next))
            return;
        char sig = (char)d->mem[mcb(next)];
        mcb_set(d, seg, sig, 0, (uint16_t)(mcb_size(d, seg) + 1 + mcb_size(d, (uint16_t)next)));
    }
}

/* Block seg cut to paras (the rest a free block of its own). */
static void mcb_split(struct dos *d, uint16_t seg, uint16_t paras)
{
    uint16_t size = mcb_size(d, seg);
    if (size <= paras)
        return;
    char sig = (char)d->mem[mcb(seg)];
    uint16_t rest = (uint16_t)(seg + 1 + paras);
    mcb_set(d, rest, sig, 0, (uint16_t)(size - paras - 1));
    mset(d->mem + mcb(rest) + 5, 0, 11);
    mcb_set(d, seg, 'M', mcb_owner(d, seg), paras);
    mcb_join(d, rest);
}

/* AH=48h: paras for owner; the block's segment (after its MCB), or 0 with *largest. */
static uint16_t mem_alloc(struct dos *d, uint16_t paras, uint16_t owner, uint16_t *largest,
                          int *broken)
{
    uint32_t seg = d->first_mcb, pick = 0, big = 0;
    *broken = 0;
    if (!mcb_ok(d, (uint16_t)seg)) {
        *broken = 1;
        return 0;
    }
    for (;;) {
        if (!mcb_owner(d, (uint16_t)seg)) {
            mcb_join(d, (uint16_t)seg);
            uint32_t size = mcb_size(d, (uint16_t)seg);
            big = size > big ? size : big;
            if (size >= paras) {
                int fit = d->strategy & 3;
                if (!pick || fit == 2 || (fit == 1 && size < mcb_size(d, (uint16_t)pick)))
                    pick = seg;
                if (fit == 0)
                    break;
            }
        }
        uint32_t next = mcb_next(d, (uint16_t)seg);
        if (!next)
            break;
        if (next == 0xFFFFFFFFu) {
            *broken = 1;
            return 0;
        }
        seg = next;
    }
    if (!pick) {
        *largest = (uint16_t)big;
        return 0;
    }
    if ((d->strategy & 3) == 2 && mcb_size(d, (uint16_t)pick) > paras) {  /* last fit: the top */
        uint16_t size = mcb_size(d, (uint16_t)pick);
        mcb_split(d, (uint16_t)pick, (uint16_t)(size - paras - 1));
        pick = pick + 1 + mcb_size(d, (uint16_t)pick);
    } else {
        mcb_split(d, (uint16_t)pick, paras);
    }
    wr16(d, mcb(pick) + MCB_OWNER, owner);
    mset(d->mem + mcb(pick) + MCB_NAME, 0, 8);
    return (uint16_t)(pick + 1);
}

/* Free blocks joined all along the chain (after a free: the chain a program leaves is the one
 * it found). */
static void mcb_join_all(struct dos *d)
{
    uint32_t seg = d->first_mcb;
    while (seg && seg != 0xFFFFFFFFu && mcb_ok(d, (uint16_t)seg)) {
        if (!mcb_owner(d, (uint16_t)seg))
            mcb_join(d, (uint16_t)seg);
        seg = mcb_next(d, (uint16_t)seg);
    }
}

static int mem_free(struct dos *d, uint16_t block)
{
    uint16_t seg = (uint16_t)(block - 1);
    if (!mcb_ok(d, seg))
        return DOSERR_BAD_BLOCK;
    wr16(d, mcb(seg) + MCB_OWNER, 0);
    mcb_join_all(d);
    return 0;
}

static int mem_resize(struct dos *d, uint16_t block, uint16_t paras, uint16_t *largest)
{
    uint16_t seg = (uint16_t)(block - 1);
    if (!mcb_ok(d, seg))
        return DOSERR_BAD_BLOCK;
    uint16_t owner = mcb_owner(d, seg);
    wr16(d, mcb(seg) + MCB_OWNER, 0);       /* joined with the free blocks after it */
    mcb_join(d, seg);
    wr16(d, mcb(seg) + MCB_OWNER, owner);
    uint16_t size = mcb_size(d, seg);
    if (size < paras) {
        *largest = size;
        return DOSERR_NO_MEMORY;
    }
    mcb_split(d, seg, paras);
    return 0;
}

/* Every block of owner freed (a program's end). */
static void mem_free_owner(struct dos *d, uint16_t owner)
{
    uint32_t seg = d->first_mcb;
    while (seg && seg != 0xFFFFFFFFu && mcb_ok(d, (uint16_t)seg)) {
        if (mcb_owner(d, (uint16_t)seg) == owner)
            wr16(d, mcb(seg) + MCB_OWNER, 0);
        seg = mcb_next(d, (uint16_t)seg);
    }
    mcb_join_all(d);
}

static void mcb_name(struct dos *d, uint16_t block, const char *path)
{
    const char *base = path;
    for (const char *c = path; *c; c++)
        if (*c == '\\' || *c == '/' || *c == ':')
            base = c + 1;
    uint32_t a = mcb((uint16_t)(block - 1)) + MCB_NAME;
    mset(d->mem + a, 0, 8);
    for (int i = 0; i < 8 && base[i] && base[i] != '.'; i++)
        d->mem[a + i] = (uint8_t)(base[i] >= 'a' && base[i] <= 'z' ? base[i] - 32 : base[i]);
}

/* ---- PSPs and handles ------------------------------------------------------------------------ */

#define PSP_INT20     0x00
#define PSP_TOP       0x02
#define PSP_INT22     0x0A
#define PSP_INT23     0x0E
#define PSP_INT24     0x12
#define PSP_PARENT    0x16
#define PSP_JFT       0x18
#define PSP_ENV       0x2C
#define PSP_SSSP      0x2E
#define PSP_JFT_SIZE  0x32
#define PSP_JFT_PTR   0x34
#define PSP_PREV      0x38
#define PSP_DOSCALL   0x50
#define PSP_FCB1      0x5C
#define PSP_FCB2      0x6C
#define PSP_TAIL      0x80

static uint32_t psp_at(uint16_t psp) { return (uint32_t)psp * 16; }

/* The current process's job file table: its size and where it is (0 if it is not in memory). */
static uint32_t jft(struct dos *d, uint32_t *size)
{
    uint32_t p = psp_at(d->psp);
    uint32_t n = rd16(d, p + PSP_JFT_SIZE);
    uint32_t a = lin(rd16(d, p + PSP_JFT_PTR + 2), rd16(d, p + PSP_JFT_PTR));
    if (!n || n > 255 || !inside(d, a, n))
        return 0;
    *size = n;
    return a;
}

static struct dos_sft *handle_sft(struct dos *d, uint16_t h, uint32_t *slot)
{
    uint32_t n, a = jft(d, &n);
    if (!a || h >= n)
        return 0;
    uint8_t s = d->mem[a + h];
    if (s >= DOS_SFT_MAX || !d->sft[s].refs)
        return 0;
    if (slot)
        *slot = a + h;
    return &d->sft[s];
}

static int sft_new(struct dos *d, uint32_t node, uint8_t mode, uint8_t dev)
{
    for (unsigned i = 0; i < DOS_SFT_MAX; i++)
        if (!d->sft[i].refs) {
            d->sft[i] = (struct dos_sft){ node, 0, 1, mode, dev, 0 };
            struct dosfs_node *n = dosfs_node(d->fs, node);
            if (n)
                n->opens++;
            return (int)i;
        }
    return -1;
}

static void sft_drop(struct dos *d, uint8_t s)
{
    if (s >= DOS_SFT_MAX || !d->sft[s].refs)
        return;
    if (--d->sft[s].refs == 0) {
        struct dosfs_node *n = dosfs_node(d->fs, d->sft[s].node);
        if (n && n->opens)
            n->opens--;
    }
}

/* A free JFT entry of the current process for SFT entry s: the handle, or -1. */
static int handle_new(struct dos *d, int s)
{
    uint32_t n, a = jft(d, &n);
    for (uint32_t h = 0; a && h < n; h++)
        if (d->mem[a + h] == 0xFF) {
            d->mem[a + h] = (uint8_t)s;
            return (int)h;
        }
    return -1;
}

/* A new PSP at seg, whose block ends at top, made from the current one's (handles inherited
 * unless opened with bit 7). */
static void psp_make(struct dos *d, uint16_t seg, uint16_t top, uint16_t env, int inherit)
{
    uint32_t p = psp_at(seg);
    mset(d->mem + p, 0, 0x100);
    d->mem[p + PSP_INT20] = 0xCD;
    d->mem[p + PSP_INT20 + 1] = 0x20;
    wr16(d, p + PSP_TOP, top);
    d->mem[p + 5] = 0x9A;                               /* CALL FAR: CP/M's entry, unused */
    for (int v = 0; v < 3; v++) {                       /* INT 22h, 23h, 24h as they are now */
        wr16(d, p + PSP_INT22 + v * 4, rd16(d, (0x22u + v) * 4));
        wr16(d, p + PSP_INT22 + v * 4 + 2, rd16(d, (0x22u + v) * 4 + 2));
    }
    wr16(d, p + PSP_PARENT, d->psp);
    mset(d->mem + p + PSP_JFT, 0xFF, DOS_JFT_DEFAULT);
    if (inherit) {
        uint32_t n, a = jft(d, &n);
        for (uint32_t h = 0; a && h < n && h < DOS_JFT_DEFAULT; h++) {
            uint8_t s = d->mem[a + h];
            if (s < DOS_SFT_MAX && d->sft[s].refs && !(d->sft[s].mode & 0x80)) {
                d->mem[p + PSP_JFT + h] = s;
                d->sft[s].refs++;
            }
        }
    }
    wr16(d, p + PSP_ENV, env);
    wr16(d, p + PSP_JFT_SIZE, DOS_JFT_DEFAULT);
    wr16(d, p + PSP_JFT_PTR, PSP_JFT);
    wr16(d, p + PSP_JFT_PTR + 2, seg);
    wr16(d, p + PSP_PREV, 0xFFFF);
    wr16(d, p + PSP_PREV + 2, 0xFFFF);
    d->mem[p + PSP_DOSCALL] = 0xCD;                     /* INT 21h; RETF */
    d->mem[p + PSP_DOSCALL + 1] = 0x21;
    d->mem[p + PSP_DOSCALL + 2] = 0xCB;
    mset(d->mem + p + PSP_FCB1 + 1, ' ', 11);
    mset(d->mem + p + PSP_FCB2 + 1, ' ', 11);
    d->mem[p + PSP_TAIL + 1] = 0x0D;
}

static void close_handles(struct dos *d)
{
    uint32_t n, a = jft(d, &n);
    for (uint32_t h = 0; a && h < n; h++) {
        sft_drop(d, d->mem[a + h]);
        d->mem[a + h] = 0xFF;
    }
}

/* ---- the console ----------------------------------------------------------------------------- */

static int key(struct dos *d, int wait)
{
    if (d->pending >= 0) {
        int k = d->pending;
        d->pending = -1;
        return k;
    }
    int c = d->io.con_in ? d->io.con_in(d->io.ctx, wait) : (wait ? 0x1A : -1);
    return c;
}

static void con_write(struct dos *d, const uint8_t *s, uint32_t n)
{
    if (d->io.con_out && n)
        d->io.con_out(d->io.ctx, s, n);
}

static int sft_read(struct dos *d, struct dos_sft *f, uint32_t a, uint32_t n, uint32_t *got);
static int sft_write(struct dos *d, struct dos_sft *f, const uint8_t *s, uint32_t n, uint32_t *did);

/* Standard input and output through handles 0 and 1, which may be redirected to files. */
static int std_in(struct dos *d, int wait)
{
    struct dos_sft *f = handle_sft(d, 0, 0);
    if (!f || f->dev == DOS_DEV_CON) {
        int c = key(d, wait);
        if (c == 3 && d->brk_check)
            d->brk = 1;                                 /* Ctrl-C: the call is abandoned */
        return c;
    }
    if (f->dev != DOS_DEV_FILE)
        return wait ? 0x1A : -1;
    uint8_t c;
    struct dosfs_node *n = dosfs_node(d->fs, f->node);
    if (!n || f->pos >= n->size)
        return wait ? 0x1A : -1;                        /* end of file: ^Z */
    uint32_t got;
    dosfs_read(d->fs, f->node, f->pos, &c, 1, &got);
    f->pos += got;
    return c;
}

static void std_out(struct dos *d, const uint8_t *s, uint32_t n)
{
    struct dos_sft *f = handle_sft(d, 1, 0);
    uint32_t did;
    if (!f || f->dev == DOS_DEV_CON)
        con_write(d, s, n);
    else
        sft_write(d, f, s, n, &did);
}

static void std_putc(struct dos *d, uint8_t c) { std_out(d, &c, 1); }

/* AH=0Ah's line editing (Backspace, Esc; Enter ends), echoed on standard output. */
static uint32_t read_line(struct dos *d, uint8_t *buf, uint32_t max)
{
    uint32_t n = 0;
    if (!max)
        return 0;
    for (;;) {
        int c = std_in(d, 1);
        if (d->brk)
            return 0;
        if (c == 0 || c == 0xE0) {                      /* an extended key: ignored */
            key(d, 1);
            continue;
        }
        if (c == '\r' || c == 0x1A || c < 0) {
            buf[n] = '\r';
            std_putc(d, '\r');
            return n;
        }
        if (c == 8 || c == 0x7F) {
            if (n) {
                n--;
                std_out(d, (const uint8_t *)"\b \b", 3);
            }
            continue;
        }
        if (c == 0x1B) {
            while (n) {
                n--;
                std_out(d, (const uint8_t *)"\b \b", 3);
            }
            continue;
        }
        if (c == '\n')
            continue;
        if (n + 1 >= max) {
            std_putc(d, 7);                             /* full: a bell, as DOS */
            continue;
        }
        buf[n++] = (uint8_t)c;
        if (c < 0x20 && c != '\t') {
            uint8_t caret[2] = { '^', (uint8_t)(c + '@') };
            std_out(d, caret, 2);
        } else {
            std_putc(d, (uint8_t)c);
        }
    }
}

/* ---- files ----------------------------------------------------------------------------------- */

static uint16_t dos_date(struct dos *d, uint16_t *time);

static int sft_read(struct dos *d, struct dos_sft *f, uint32_t a, uint32_t n, uint32_t *got)
{
    *got = 0;
    if ((f->mode & 3) == 1)
        return DOSERR_ACCESS_DENIED;
    switch (f->dev) {
    case DOS_DEV_FILE: {
        int err = dosfs_read(d->fs, f->node, f->pos, d->mem + a, n, got);
        f->pos += *got;
        return err;
    }
    case DOS_DEV_CON:                                   /* a line, as DOS's CON gives it */
        if (d->line_pos >= d->line_len) {
            uint32_t len = read_line(d, d->line, 128);
            if (d->brk)
                return 0;
            d->line[len] = '\r';
            d->line[len + 1] = '\n';
            d->line_len = (uint8_t)(len + 2);
            d->line_pos = 0;
            std_putc(d, '\n');
        }
        while (*got < n && d->line_pos < d->line_len)
            d->mem[a + (*got)++] = d->line[d->line_pos++];
        return 0;
    default:                                            /* AUX, PRN, NUL: nothing to read */
        return 0;
    }
}

static int sft_write(struct dos *d, struct dos_sft *f, const uint8_t *s, uint32_t n, uint32_t *did)
{
    *did = 0;
    if ((f->mode & 3) == 0 && f->dev == DOS_DEV_FILE)
        return DOSERR_ACCESS_DENIED;
    switch (f->dev) {
    case DOS_DEV_FILE: {
        uint16_t time, date = dos_date(d, &time);
        if (!n)
            return dosfs_truncate(d->fs, f->node, f->pos);
        int err = dosfs_write(d->fs, f->node, f->pos, s, n, date, time, did);
        f->pos += *did;
        return err == DOSERR_DISK_FULL ? 0 : err;       /* DOS: a short count, no error */
    }
    case DOS_DEV_CON:
        con_write(d, s, n);
        *did = n;
        return 0;
    default:
        *did = n;                                       /* AUX, PRN, NUL: taken and dropped */
        return 0;
    }
}

/* A device name ("CON", "C:\DIR\NUL.TXT" ...) in a path: DOS_DEV_*, or DOS_DEV_FILE. */
static int device(const char name[11])
{
    static const struct { const char *n; int dev; } devs[] = {
        { "CON     ", DOS_DEV_CON }, { "AUX     ", DOS_DEV_AUX }, { "COM1    ", DOS_DEV_AUX },
        { "PRN     ", DOS_DEV_PRN }, { "LPT1    ", DOS_DEV_PRN }, { "NUL     ", DOS_DEV_NUL },
    };
    for (unsigned i = 0; i < sizeof devs / sizeof devs[0]; i++) {
        int same = 1;
        for (int k = 0; k < 8; k++)
            same &= name[k] == devs[i].n[k];
        if (same)
            return devs[i].dev;
    }
    return DOS_DEV_FILE;
}

/* The path at DS:DX (or seg:off) resolved: 0 or a DOS error. */
struct path { char s[128]; uint32_t dir, node; char name[11]; int dev; };
static int path_at(struct dos *d, uint32_t a, int wild, struct path *p)
{
    if (!vm_str(d, a, p->s, sizeof p->s))
        return DOSERR_PATH_NOT_FOUND;
    int err = dosfs_resolve(d->fs, d->cwd, p->s, wild, &p->dir, p->name, &p->node);
    p->dev = err ? DOS_DEV_FILE : device(p->name);
    if (p->dev != DOS_DEV_FILE)
        return 0;
    return err;
}

static void do_open(struct dos *d, struct client_regs *r, int create, uint8_t attr, int excl)
{
    struct path p;
    int err = path_at(d, lin(r->ds, DX(r)), 0, &p);
    uint8_t mode = create ? 2 : AL(r);
    if (err)
        return fail(d, r, (uint16_t)err);
    if (!create && (mode & 7) > 2)
        return fail(d, r, DOSERR_BAD_ACCESS_CODE);
    uint32_t node = p.node;
    if (p.dev == DOS_DEV_FILE) {
        if (p.name[0] == ' ')
            return fail(d, r, create ? DOSERR_ACCESS_DENIED : DOSERR_FILE_NOT_FOUND);
        if (create) {
            uint16_t time, date = dos_date(d, &time);
            if (excl && node != DOSFS_NONE)
                return fail(d, r, DOSERR_FILE_EXISTS);
            if (node != DOSFS_NONE && dosfs_node(d->fs, node)->opens)
                return fail(d, r, DOSERR_ACCESS_DENIED);
            err = dosfs_create(d->fs, p.dir, p.name, attr, date, time, &node);
            if (err)
                return fail(d, r, (uint16_t)err);
        } else {
            struct dosfs_node *n = dosfs_node(d->fs, node);
            if (!n)
                return fail(d, r, DOSERR_FILE_NOT_FOUND);
            if (n->attr & DOSFS_ATTR_DIR)
                return fail(d, r, DOSERR_ACCESS_DENIED);
            if ((mode & 7) && (n->attr & DOSFS_ATTR_RDONLY))
                return fail(d, r, DOSERR_ACCESS_DENIED);
        }
    } else {
        node = DOSFS_NONE;
    }
    int s = sft_new(d, node, mode, (uint8_t)p.dev);
    if (s < 0)
        return fail(d, r, DOSERR_TOO_MANY_OPEN);
    int h = handle_new(d, s);
    if (h < 0) {
        sft_drop(d, (uint8_t)s);
        return fail(d, r, DOSERR_TOO_MANY_OPEN);
    }
    setw(&r->eax, (uint16_t)h);
    ok(r);
}

/* ---- the clock ------------------------------------------------------------------------------- */

static const uint8_t mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
static uint32_t leap(uint32_t y) { return (y % 4 == 0 && y % 100) || y % 400 == 0; }

/* Seconds since 1980-01-01 and back. */
static uint32_t to_secs(const struct dos_time *t)
{
    uint32_t days = 0;
    for (uint32_t y = 1980; y < t->year; y++)
        days += 365 + leap(y);
    for (uint32_t m = 1; m < t->month && m <= 12; m++)
        days += mdays[m - 1] + (m == 2 && leap(t->year));
    days += t->day - 1;
    return ((days * 24 + t->hour) * 60 + t->min) * 60 + t->sec;   /* to 2116: past DOS's 2099 */
}
static void from_secs(uint32_t s, struct dos_time *t)
{
    uint32_t days = s / 86400;
    s %= 86400;
    t->hour = (uint8_t)(s / 3600);
    t->min = (uint8_t)(s / 60 % 60);
    t->sec = (uint8_t)(s % 60);
    uint32_t y = 1980;
    while (days >= 365 + leap(y))
        days -= 365 + leap(y++);
    t->year = (uint16_t)y;
    uint32_t m = 1;
    while (days >= mdays[m - 1] + (uint32_t)(m == 2 && leap(y)))
        days -= mdays[m - 1] + (uint32_t)(m == 2 && leap(y)), m++;
    t->month = (uint8_t)m;
    t->day = (uint8_t)(days + 1);
}

static void now(struct dos *d, struct dos_time *t)
{
    struct dos_time rtc = { 1980, 1, 1, 0, 0, 0, 0 };
    if (d->io.now)
        d->io.now(d->io.ctx, &rtc);
    if (rtc.year < 1980 || rtc.year > 2099 || !rtc.month || rtc.month > 12 || !rtc.day ||
        rtc.day > 31 || rtc.hour > 23 || rtc.min > 59 || rtc.sec > 59)
        rtc = (struct dos_time){ 1980, 1, 1, 0, 0, 0, 0 };
    uint8_t hs = rtc.hundredths;
    int64_t s = (int64_t)to_secs(&rtc) + d->clock_offset;
    from_secs(s < 0 ? 0 : s > 0xFFFFFFFFll ? 0xFFFFFFFFu : (uint32_t)s, t);
    t->hundredths = hs;
}

static uint16_t dos_date(struct dos *d, uint16_t *time)
{
    struct dos_time t;
    now(d, &t);
    *time = (uint16_t)(t.hour << 11 | t.min << 5 | t.sec / 2);
    return (uint16_t)((t.year - 1980) << 9 | t.month << 5 | t.day);
}

/* ---- EXEC and terminate ---------------------------------------------------------------------- */

struct mz {
    uint16_t sig, last, pages, nreloc, hdr, min, max, ss, sp, csum, ip, cs, reloc;
};

/* The environment for a child: a copy of src (a segment: its strings up to the empty one), then
 * the word 1 and the program's path.  The new block's segment, or 0 with the DOS error. */
static uint16_t env_copy(struct dos *d, uint16_t src, const char *prog, uint16_t owner, int *err)
{
    uint32_t a = lin(src, 0), n = 0;
    while (n + 1 < DOS_ENV_MAX && inside(d, a + n, 2) && (d->mem[a + n] || d->mem[a + n + 1]))
        n++;
    if (n + 1 >= DOS_ENV_MAX || !inside(d, a + n, 2)) {
        *err = DOSERR_BAD_ENVIRONMENT;
        return 0;
    }
    n = d->mem[a] ? n + 2 : 1;                          /* through the double NUL (or one NUL) */
    uint32_t plen = slen(prog) + 1, total = n + 2 + plen;
    uint16_t largest;
    int broken;
    uint16_t seg = mem_alloc(d, (uint16_t)((total + 15) / 16), owner, &largest, &broken);
    if (!seg) {
        *err = broken ? DOSERR_MCB_DESTROYED : DOSERR_NO_MEMORY;
        return 0;
    }
    uint32_t b = lin(seg, 0);
    mmove(d->mem + b, d->mem + a, n);
    if (n == 1)
        d->mem[b + 1] = 0, n = 2;
    wr16(d, b + n, 1);
    mmove(d->mem + b + n + 2, prog, plen);
    return seg;
}

/* The full path of a program as DOS puts it after the environment ("C:\DIR\PROG.COM"). */
static void full_path(struct dos *d, const struct path *p, char *out, uint32_t cap)
{
    char dir[80], dot[13];
    if (dosfs_dir_path(d->fs, p->dir, dir, sizeof dir))
        dir[0] = 0;
    dosfs_dot_name(p->name, dot);
    uint32_t o = 0;
    const char *parts[] = { "C:\\", dir, dir[0] ? "\\" : "", dot };
    for (unsigned i = 0; i < 4; i++)
        for (const char *c = parts[i]; *c && o + 1 < cap; c++)
            out[o++] = *c;
    out[o] = 0;
}

/* Where a new program starts: an IRET frame on its stack (IF set) and the client at the stub's
 * IRET -- CS:IP stay as they are (the stub), SS:SP move to the frame. */
static int start_at(struct dos *d, struct client_regs *r, uint16_t cs, uint16_t ip, uint16_t ss,
                    uint16_t sp)
{
    uint32_t f = lin(ss, (uint16_t)(sp - 6));
    if (!inside(d, f, 6))
        return 0;
    wr16(d, f, ip);
    wr16(d, f + 2, cs);
    wr16(d, f + 4, (uint16_t)(IF | 0x0002));
    r->ss = ss;
    r->esp = (uint16_t)(sp - 6);
    r->eflags &= ~(CF | ZF);
    return 1;
}

/* Load the program at path into memory: a new PSP (unless overlay) and its image.  0, or a DOS
 * error (the reason said for a bad file). */
static int load(struct dos *d, struct path *p, const char *full, uint32_t pblock, int mode,
                uint16_t *psp_out, uint16_t *cs, uint16_t *ip, uint16_t *ss, uint16_t *sp)
{
    struct dosfs_node *n = dosfs_node(d->fs, p->node);
    if (!n || (n->attr & DOSFS_ATTR_DIR))
        return DOSERR_FILE_NOT_FOUND;
    uint32_t size = n->size;
    const uint8_t *img = n->data;
    struct mz h = { 0 };
    int exe = size >= 2 && ((img[0] == 'M' && img[1] == 'Z') || (img[0] == 'Z' && img[1] == 'M'));
    uint32_t load_size = size, load_off = 0;
    if (exe && size < 28) {
        say(d, "DOSMGR: a corrupt or truncated .EXE header: ", full);
        return DOSERR_BAD_FORMAT;
    }
    if (exe) {
        uint16_t *w = &h.sig;
        for (int i = 0; i < 13; i++)
            w[i] = (uint16_t)(img[i * 2] | img[i * 2 + 1] << 8);
        uint32_t file = h.pages * 512u - (h.last ? 512u - h.last : 0);
        if (!h.pages || h.last > 511 || h.hdr * 16u > file || file > size + 511 ||
            (uint32_t)h.reloc + h.nreloc * 4u > size) {
            say(d, "DOSMGR: a corrupt or truncated .EXE header: ", full);
            return DOSERR_BAD_FORMAT;
        }
        if (file > size)
            file = size;
        load_off = h.hdr * 16u;
        load_size = file - load_off;
    } else if (mode != 3 && size > 0xFF00u - 2) {
        say(d, "DOSMGR: a .COM program larger than 64 KB less its PSP: ", full);
        return DOSERR_NO_MEMORY;                        /* DOS: "Program too big to fit" */
    }
    uint32_t img_paras = (load_size + 15) / 16;
    uint16_t base, psp = 0, largest;
    int broken;
    if (mode == 3) {                                    /* an overlay, where the caller says */
        base = rd16(d, pblock);
        if (!inside(d, lin(base, 0), load_size))
            return DOSERR_NO_MEMORY;
    } else {
        uint16_t parent_env = rd16(d, psp_at(d->psp) + PSP_ENV);
        uint16_t env_src = rd16(d, pblock) ? rd16(d, pblock) : parent_env;
        /* the PSP's owner is the PSP itself: known once allocated; the environment is the
         * child's too (fixed below) */
        int err = 0;
        uint16_t env = env_copy(d, env_src, full, d->psp, &err);
        if (!env)
            return err;
        uint32_t need = img_paras + 0x10 + (exe ? h.min : 0x10);
        uint32_t want = exe ? img_paras + 0x10 + h.max : 0xFFFF;
        if (want > 0xFFFF)
            want = 0xFFFF;
        psp = mem_alloc(d, (uint16_t)want, 0, &largest, &broken);
        if (!psp && !broken && largest >= need)
            psp = mem_alloc(d, largest, 0, &largest, &broken);
        if (!psp) {
            mem_free(d, env);
            return broken ? DOSERR_MCB_DESTROYED : DOSERR_NO_MEMORY;
        }
        wr16(d, mcb((uint16_t)(psp - 1)) + MCB_OWNER, psp);
        wr16(d, mcb((uint16_t)(env - 1)) + MCB_OWNER, psp);
        mcb_name(d, psp, full);
        uint16_t top = (uint16_t)(psp + mcb_size(d, (uint16_t)(psp - 1)));
        psp_make(d, psp, top, env, 1);
        /* the command tail and the two FCBs the caller gave */
        uint32_t tail = lin(rd16(d, pblock + 4), rd16(d, pblock + 2));
        if (inside(d, tail, 128)) {
            uint8_t len = d->mem[tail] > 126 ? 126 : d->mem[tail];
            mmove(d->mem + psp_at(psp) + PSP_TAIL, d->mem + tail, (uint32_t)len + 1);
            d->mem[psp_at(psp) + PSP_TAIL] = len;
            d->mem[psp_at(psp) + PSP_TAIL + 1 + len] = 0x0D;
        }
        for (int k = 0; k < 2; k++) {
            uint32_t fcb = lin(rd16(d, pblock + 8 + k * 4), rd16(d, pblock + 6 + k * 4));
            if (inside(d, fcb, 16) && (rd16(d, pblock + 6 + k * 4) || rd16(d, pblock + 8 + k * 4)))
                mmove(d->mem + psp_at(psp) + PSP_FCB1 + k * 16, d->mem + fcb, 16);
        }
        base = (uint16_t)(psp + 0x10);
        if (!exe)
            base = psp;
    }
    uint32_t at = lin(base, exe || mode == 3 ? 0 : 0x100);
    if (!inside(d, at, load_size)) {
        if (psp)
            mem_free_owner(d, psp);
        return DOSERR_NO_MEMORY;
    }
    if (load_size)                                  /* an empty file has no data */
        mmove(d->mem + at, img + load_off, load_size);
    if (exe) {
        uint16_t fix = mode == 3 ? rd16(d, pblock + 2) : base;
        for (uint32_t i = 0; i < h.nreloc; i++) {
            const uint8_t *e = img + h.reloc + i * 4;
            uint32_t off = (uint32_t)(e[0] | e[1] << 8), seg = (uint32_t)(e[2] | e[3] << 8);
            uint32_t where = seg * 16 + off;
            if (where + 2 > load_size) {
                say(d, "DOSMGR: an .EXE relocation outside its image: ", full);
                if (psp)
                    mem_free_owner(d, psp);
                return DOSERR_BAD_FORMAT;
            }
            wr16(d, at + where, (uint16_t)(rd16(d, at + where) + fix));
        }
        *cs = (uint16_t)(base + h.cs);
        *ip = h.ip;
        *ss = (uint16_t)(base + h.ss);
        *sp = h.sp;
    } else if (mode != 3) {
        uint32_t room = (uint32_t)mcb_size(d, (uint16_t)(psp - 1)) * 16;
        *cs = *ss = psp;
        *ip = 0x100;
        *sp = (uint16_t)(room >= 0x10000 ? 0xFFFE : (room - 2) & ~1u);
        wr16(d, lin(psp, *sp), 0);                      /* a RET goes to PSP:0000, INT 20h */
    }
    *psp_out = psp;
    return 0;
}

static void exec(struct dos *d, struct client_regs *r)
{
    uint8_t mode = AL(r);
    struct path p;
    if (mode != 0 && mode != 1 && mode != 3)
        return fail(d, r, DOSERR_BAD_FUNCTION);
    int err = path_at(d, lin(r->ds, DX(r)), 0, &p);
    if (!err && (p.node == DOSFS_NONE || p.dev != DOS_DEV_FILE))
        err = DOSERR_FILE_NOT_FOUND;
    uint32_t pb = lin(r->es, BX(r));
    if (!err && !inside(d, pb, 0x16))
        err = DOSERR_INVALID_DATA;
    if (!err && mode != 3 && d->nprocs == DOS_NEST_MAX)
        err = DOSERR_NO_MEMORY;
    if (err)
        return fail(d, r, (uint16_t)err);
    uint16_t psp, cs = 0, ip = 0, ss = 0, sp = 0;
    char full[sizeof d->procs[0].name];
    full_path(d, &p, full, sizeof full);
    err = load(d, &p, full, pb, mode, &psp, &cs, &ip, &ss, &sp);
    if (err)
        return fail(d, r, (uint16_t)err);
    if (mode == 3) {
        setw(&r->eax, 0);
        return ok(r);
    }
    /* the parent's SS:SP in its PSP, as DOS keeps them */
    wr16(d, psp_at(d->psp) + PSP_SSSP, (uint16_t)r->esp);
    wr16(d, psp_at(d->psp) + PSP_SSSP + 2, (uint16_t)r->ss);
    /* the terminate address: where the parent's INT 21h returns (its IRET frame's CS:IP) */
    uint32_t frame = lin(r->ss, r->esp);
    if (inside(d, frame, 4)) {
        wr16(d, psp_at(psp) + PSP_INT22, rd16(d, frame));
        wr16(d, psp_at(psp) + PSP_INT22 + 2, rd16(d, frame + 2));
    }
    if (mode == 1) {                                    /* loaded, not run: SS:SP and CS:IP */
        sp = (uint16_t)(sp - 2);
        if (inside(d, lin(ss, sp), 2))
            wr16(d, lin(ss, sp), 0);                    /* DOS leaves AX's value there */
        wr16(d, pb + 0x0E, sp);
        wr16(d, pb + 0x10, ss);
        wr16(d, pb + 0x12, ip);
        wr16(d, pb + 0x14, cs);
        d->psp = psp;
        d->dta = (uint32_t)psp << 16 | PSP_TAIL;
        setw(&r->eax, 0);
        return ok(r);
    }
    struct dos_proc *pr = &d->procs[d->nprocs++];
    mmove(pr->name, full, sizeof pr->name);
    pr->parent = *r;
    pr->parent.eflags &= ~CF;
    pr->psp = psp;
    pr->parent_psp = d->psp;
    pr->parent_dta = d->dta;
    d->psp = psp;
    d->dta = (uint32_t)psp << 16 | PSP_TAIL;
    if (!start_at(d, r, cs, ip, ss, sp)) {
        d->nprocs--;
        d->psp = pr->parent_psp;
        d->dta = pr->parent_dta;
        mem_free_owner(d, psp);
        return fail(d, r, DOSERR_BAD_FORMAT);
    }
    r->eax = r->ebx = r->ecx = r->edx = r->esi = r->edi = r->ebp = 0;
    setw(&r->ecx, 0x00FF);
    r->ds = r->es = psp;
    /* the program's first instructions run after the stub's IRET: CS:IP come from the frame */
}

/* The current program ends: type 0 normal, 1 Ctrl-C, 2 critical error, 3 TSR (keep paras). */
static void terminate(struct dos *d, struct client_regs *r, uint8_t code, uint8_t type,
                      uint16_t keep)
{
    uint16_t psp = d->psp;
    uint32_t p = psp_at(psp);
    for (int v = 0; v < 3; v++) {                       /* INT 22h-24h as the PSP had them */
        wr16(d, (0x22u + v) * 4, rd16(d, p + PSP_INT22 + v * 4));
        wr16(d, (0x22u + v) * 4 + 2, rd16(d, p + PSP_INT22 + v * 4 + 2));
    }
    d->exit_code = (uint16_t)(type << 8 | code);
    d->line_len = d->line_pos = 0;
    if (type == 3) {
        uint16_t largest;
        mem_resize(d, psp, keep < 6 ? 6 : keep, &largest);
    } else {
        close_handles(d);
        if (psp != DOS_ROOT_PSP)
            mem_free_owner(d, psp);
    }
    if (!d->nprocs || d->procs[d->nprocs - 1].psp != psp) {
        /* the first program (or one that set another PSP current): the VM's DOS is done */
        d->ended = 1;
        return;
    }
    struct dos_proc *pr = &d->procs[--d->nprocs];
    d->psp = pr->parent_psp;
    d->dta = pr->parent_dta;
    *r = pr->parent;
}

/* ---- find first / next ----------------------------------------------------------------------- */

/* The DTA's reserved 21 bytes: 0 the drive, 1-11 the pattern, 12 the attributes, 13-16 the
 * directory's node, 17-20 the position in it. */
static void find(struct dos *d, struct client_regs *r, int first)
{
    uint32_t dta = lin(d->dta >> 16, d->dta);
    if (!inside(d, dta, 43))
        return fail(d, r, DOSERR_NO_MORE_FILES);
    uint8_t *t = d->mem + dta;
    char pat[11];
    uint32_t dir, pos;
    uint8_t attr;
    if (first) {
        struct path p;
        int err = path_at(d, lin(r->ds, DX(r)), 1, &p);
        if (err)
            return fail(d, r, (uint16_t)(err == DOSERR_FILE_NOT_FOUND ? DOSERR_NO_MORE_FILES
                                                                      : err));
        if (p.name[0] == ' ')                           /* "C:\" or "..": its entries */
            for (int i = 0; i < 11; i++)
                p.name[i] = '?';
        for (int i = 0; i < 11; i++)
            pat[i] = p.name[i];
        dir = p.dir;
        pos = 0;
        attr = (uint8_t)CX(r);
        t[0] = 3;
    } else {
        for (int i = 0; i < 11; i++)
            pat[i] = (char)t[1 + i];
        attr = t[12];
        dir = (uint32_t)(t[13] | t[14] << 8 | t[15] << 16 | (uint32_t)t[16] << 24);
        pos = (uint32_t)(t[17] | t[18] << 8 | t[19] << 16 | (uint32_t)t[20] << 24);
        if (t[0] != 3)
            return fail(d, r, DOSERR_NO_MORE_FILES);
    }
    uint32_t found;
    int err = dosfs_find(d->fs, dir, pat, attr, &pos, &found);
    for (int i = 0; i < 11; i++)
        t[1 + i] = (uint8_t)pat[i];
    t[12] = attr;
    for (int i = 0; i < 4; i++) {
        t[13 + i] = (uint8_t)(dir >> (8 * i));
        t[17 + i] = (uint8_t)(pos >> (8 * i));
    }
    if (err)
        return fail(d, r, (uint16_t)err);
    const struct dosfs_node *n = dosfs_node(d->fs, found);
    t[21] = n->attr;
    wr16(d, dta + 22, n->time);
    wr16(d, dta + 24, n->date);
    wr16(d, dta + 26, (uint16_t)n->size);
    wr16(d, dta + 28, (uint16_t)(n->size >> 16));
    char dot[13];
    dosfs_dot_name(n->name, dot);
    mset(t + 30, 0, 13);
    mmove(t + 30, dot, slen(dot));
    setw(&r->eax, 0);
    ok(r);
}

/* ---- FCBs: DOS 1's file functions (0Fh-17h, 21h-24h, 27h, 28h) ---------------------------------
 * The FCB at DS:DX (or an extended one: FFh, 5 reserved bytes, the attribute, then the FCB) names
 * a file in the current directory of drive C: (drive byte 0 or 3).  An open FCB keeps the file's
 * node at 18h and "FC" at 1Ch (DOS's reserved bytes); each call checks that the node is still a
 * file of that name.  A search keeps its directory at 0Ch and its place at 18h, "FS" at 1Ch.
 * They answer in AL: 00h done, FFh not (01h end of file, 02h the DTA too small, 03h a partial
 * record, for reads; 01h disk full for writes). */
#define FCB_OPEN    0x4346u                     /* "FC" */
#define FCB_SEARCH  0x5346u                     /* "FS" */

struct fcb { uint32_t a; uint8_t attr, ext; };

/* The FCB a call names; 0 if it is not in the VM's memory or not on drive C:. */
static int fcb_get(struct dos *d, struct client_regs *r, struct fcb *f)
{
    f->a = lin(r->ds, DX(r));
    f->attr = f->ext = 0;
    if (inside(d, f->a, 7) && d->mem[f->a] == 0xFF) {
        f->attr = d->mem[f->a + 6];
        f->ext = 1;
        f->a += 7;
    }
    return inside(d, f->a, 37) && (d->mem[f->a] == 0 || d->mem[f->a] == 3);
}

static uint32_t rd32(const struct dos *d, uint32_t a) { return rd16(d, a) | (uint32_t)rd16(d, a + 2) << 16; }
static void wr32(struct dos *d, uint32_t a, uint32_t v)
{
    wr16(d, a, (uint16_t)v);
    wr16(d, a + 2, (uint16_t)(v >> 16));
}

static int same_name(const char a[11], const uint8_t *b)
{
    for (int i = 0; i < 11; i++)
        if ((uint8_t)a[i] != b[i])
            return 0;
    return 1;
}
static int wild(const char name[11])
{
    for (int i = 0; i < 11; i++)
        if (name[i] == '?')
            return 1;
    return 0;
}

/* The one file an FCB's name names (no wildcards), or DOSFS_NONE. */
static uint32_t fcb_lookup(struct dos *d, const struct fcb *f)
{
    char name[11];
    uint32_t pos = 0, node;
    mmove(name, d->mem + f->a + 1, 11);
    if (wild(name) || dosfs_find(d->fs, d->cwd, name, (uint8_t)(f->attr & (DOSFS_ATTR_HIDDEN | DOSFS_ATTR_SYSTEM)),
                   &pos, &node))
        return DOSFS_NONE;
    return node;
}

/* An FCB opened on node: drive, block 0, records of 128 bytes, the size, the date and time. */
static int fcb_opened(struct dos *d, uint32_t a, uint32_t node)
{
    const struct dosfs_node *n = dosfs_node(d->fs, node);
    if (!n)
        return 0xFF;
    d->mem[a] = 3;
    wr16(d, a + 0x0C, 0);
    wr16(d, a + 0x0E, 128);
    wr32(d, a + 0x10, n->size);
    wr16(d, a + 0x14, n->date);
    wr16(d, a + 0x16, n->time);
    wr32(d, a + 0x18, node);
    wr16(d, a + 0x1C, FCB_OPEN);
    return 0;
}

/* The open file an FCB holds, or DOSFS_NONE (never opened, or the file is gone). */
static uint32_t fcb_node(struct dos *d, const struct fcb *f)
{
    uint32_t node = rd32(d, f->a + 0x18);
    const struct dosfs_node *n = dosfs_node(d->fs, node);
    if (rd16(d, f->a + 0x1C) != FCB_OPEN || !n || (n->attr & DOSFS_ATTR_DIR) ||
        !same_name(n->name, d->mem + f->a + 1))
        return DOSFS_NONE;
    return node;
}

static uint16_t fcb_recsize(struct dos *d, uint32_t a)
{
    uint16_t n = rd16(d, a + 0x0E);
    if (!n)
        wr16(d, a + 0x0E, n = 128);
    return n;
}

/* The random record field: 4 bytes for records under 64 bytes, else 3. */
static uint32_t fcb_random(struct dos *d, uint32_t a)
{
    uint32_t v = rd32(d, a + 0x21);
    return fcb_recsize(d, a) < 64 ? v : v & 0xFFFFFF;
}
static void fcb_set_random(struct dos *d, uint32_t a, uint32_t v)
{
    wr16(d, a + 0x21, (uint16_t)v);
    d->mem[a + 0x23] = (uint8_t)(v >> 16);
    if (fcb_recsize(d, a) < 64)
        d->mem[a + 0x24] = (uint8_t)(v >> 24);
}
static uint32_t fcb_current(struct dos *d, uint32_t a)
{
    return rd16(d, a + 0x0C) * 128u + (d->mem[a + 0x20] & 0x7F);
}
static void fcb_set_current(struct dos *d, uint32_t a, uint32_t rec)
{
    wr16(d, a + 0x0C, (uint16_t)(rec / 128));
    d->mem[a + 0x20] = (uint8_t)(rec % 128);
}

/* count records from record rec between the file and the DTA: the records done in *done, and
 * AL's answer. */
static uint8_t fcb_io(struct dos *d, uint32_t a, uint32_t node, uint32_t rec, uint32_t count,
                      int write, uint32_t *done)
{
    uint32_t size = fcb_recsize(d, a), dta = lin(d->dta >> 16, d->dta);
    uint64_t off = (uint64_t)rec * size, bytes = (uint64_t)count * size;
    *done = 0;
    if (!count)
        return 0;
    if ((d->dta & 0xFFFF) + bytes > 0x10000 || !inside(d, dta, (uint32_t)bytes))
        return 2;                                       /* past the end of the DTA's segment */
    if (off + bytes > 0xFFFFFFFFu)
        return 1;
    uint32_t got = 0;
    if (write) {
        uint16_t time, date = dos_date(d, &time);
        dosfs_write(d->fs, node, (uint32_t)off, d->mem + dta, (uint32_t)bytes, date, time, &got);
        *done = got / size;
        wr32(d, a + 0x10, dosfs_node(d->fs, node)->size);
        return got < bytes ? 1 : 0;
    }
    dosfs_read(d->fs, node, (uint32_t)off, d->mem + dta, (uint32_t)bytes, &got);
    if (!got)
        return 1;                                       /* end of file, nothing read */
    *done = (got + size - 1) / size;
    if (got % size) {                                   /* a partial record, padded with 0 */
        mset(d->mem + dta + got, 0, size - got % size);
        return 3;
    }
    return got < bytes ? 1 : 0;
}

/* 11h/12h: a match as DOS puts it in the DTA -- (FFh, 5 zeros, the attribute, for an extended
 * FCB) the drive, then the 32-byte directory entry. */
static uint8_t fcb_find(struct dos *d, const struct fcb *f, int first)
{
    uint32_t dir = d->cwd, pos = 0, found, dta = lin(d->dta >> 16, d->dta);
    char pat[11];
    if (!inside(d, dta, 44))
        return 0xFF;
    for (int i = 0; i < 11; i++)
        pat[i] = (char)d->mem[f->a + 1 + i];
    if (!first) {
        if (rd16(d, f->a + 0x1C) != FCB_SEARCH)
            return 0xFF;
        dir = rd32(d, f->a + 0x0C);
        pos = rd32(d, f->a + 0x18);
    }
    int err = dosfs_find(d->fs, dir, pat, f->attr, &pos, &found);
    wr32(d, f->a + 0x0C, dir);
    wr32(d, f->a + 0x18, pos);
    wr16(d, f->a + 0x1C, FCB_SEARCH);
    if (err)
        return 0xFF;
    const struct dosfs_node *n = dosfs_node(d->fs, found);
    uint8_t *t = d->mem + dta;
    if (f->ext) {
        mset(t, 0, 7);
        t[0] = 0xFF;
        t[6] = f->attr;
        t += 7;
    }
    mset(t, 0, 33);
    t[0] = 3;
    mmove(t + 1, n->name, 11);
    t[12] = n->attr;
    uint32_t e = (uint32_t)(t - d->mem) + 1;
    wr16(d, e + 0x16, n->time);
    wr16(d, e + 0x18, n->date);
    wr32(d, e + 0x1C, n->size);
    return 0;
}

/* 13h and 17h: every match of the FCB's name (wildcards) deleted, or renamed to the name at
 * 11h (a '?' there keeps the old name's character). */
static uint8_t fcb_each(struct dos *d, const struct fcb *f, int rename)
{
    char pat[11], to[11];
    uint32_t pos = 0, node, n = 0;
    for (int i = 0; i < 11; i++)
        pat[i] = (char)d->mem[f->a + 1 + i];
    while (!dosfs_find(d->fs, d->cwd, pat, (uint8_t)(f->attr & (DOSFS_ATTR_HIDDEN | DOSFS_ATTR_SYSTEM)),
                       &pos, &node)) {
        const struct dosfs_node *p = dosfs_node(d->fs, node);
        if (p->attr & DOSFS_ATTR_RDONLY)
            continue;
        if (rename) {
            for (int i = 0; i < 11; i++) {
                char c = (char)d->mem[f->a + 0x11 + i];
                to[i] = c == '?' ? p->name[i] : c;
            }
            if (dosfs_rename(d->fs, node, d->cwd, to))
                continue;
        } else if (dosfs_remove(d->fs, node)) {
            continue;
        }
        n++;
    }
    return n ? 0 : 0xFF;
}

static void fcb_call(struct dos *d, struct client_regs *r, uint8_t ah)
{
    struct fcb f;
    uint8_t al = 0xFF;
    if (!fcb_get(d, r, &f))
        return setl(&r->eax, 0xFF);
    uint32_t a = f.a, node = DOSFS_NONE, done;
    switch (ah) {
    case 0x0F:                                          /* open */
        node = fcb_lookup(d, &f);
        if (node != DOSFS_NONE && !(dosfs_node(d->fs, node)->attr & DOSFS_ATTR_DIR))
            al = (uint8_t)fcb_opened(d, a, node);
        break;
    case 0x10:                                          /* close: nothing held */
        al = fcb_node(d, &f) == DOSFS_NONE ? 0xFF : 0;
        break;
    case 0x11:
    case 0x12:
        al = fcb_find(d, &f, ah == 0x11);
        break;
    case 0x13:
    case 0x17:
        al = fcb_each(d, &f, ah == 0x17);
        break;
    case 0x16: {                                        /* create, or truncate */
        uint16_t time, date = dos_date(d, &time);
        node = fcb_lookup(d, &f);
        char name[11];
        mmove(name, d->mem + a + 1, 11);
        int err = node != DOSFS_NONE
            ? (dosfs_node(d->fs, node)->attr & (DOSFS_ATTR_DIR | DOSFS_ATTR_RDONLY)
               ? DOSERR_ACCESS_DENIED : dosfs_truncate(d->fs, node, 0))
            : wild(name) ? DOSERR_FILE_NOT_FOUND
            : dosfs_create(d->fs, d->cwd, name, (uint8_t)(f.attr & 0x27), date, time, &node);
        if (!err)
            al = (uint8_t)fcb_opened(d, a, node);
        break;
    }
    case 0x14:
    case 0x15:                                          /* sequential: the current record */
    case 0x21:
    case 0x22:                                          /* random: the random record */
        if ((node = fcb_node(d, &f)) == DOSFS_NONE)
            break;
        if (ah >= 0x21)
            fcb_set_current(d, a, fcb_random(d, a));
        al = fcb_io(d, a, node, fcb_current(d, a), 1, ah == 0x15 || ah == 0x22, &done);
        if (ah < 0x21 && done)
            fcb_set_current(d, a, fcb_current(d, a) + 1);
        break;
    case 0x23:                                          /* size, in records, as the random record */
        node = fcb_lookup(d, &f);
        if (node != DOSFS_NONE) {
            uint32_t size = dosfs_node(d->fs, node)->size, rs = fcb_recsize(d, a);
            fcb_set_random(d, a, size / rs + (size % rs != 0));
            al = 0;
        }
        break;
    case 0x24:
        fcb_set_random(d, a, fcb_current(d, a));
        al = 0;                                         /* MS-DOS's */
        break;
    case 0x27:
    case 0x28: {                                        /* random blocks: CX records */
        if ((node = fcb_node(d, &f)) == DOSFS_NONE)
            break;
        uint32_t rec = fcb_random(d, a);
        if (ah == 0x28 && !CX(r)) {                     /* CX 0: the size set to the record */
            uint64_t size = (uint64_t)rec * fcb_recsize(d, a);
            al = size > 0xFFFFFFFFu || dosfs_truncate(d->fs, node, (uint32_t)size) ? 1 : 0;
            wr32(d, a + 0x10, dosfs_node(d->fs, node)->size);
            break;
        }
        al = fcb_io(d, a, node, rec, CX(r), ah == 0x28, &done);
        setw(&r->ecx, (uint16_t)done);
        fcb_set_random(d, a, rec + done);
        fcb_set_current(d, a, rec + done);
        break;
    }
    }
    setl(&r->eax, al);
}

/* ---- INT 21h --------------------------------------------------------------------------------- */

static void vector(struct dos *d, uint8_t n, uint16_t seg, uint16_t off)
{
    wr16(d, n * 4u, off);
    wr16(d, n * 4u + 2, seg);
}

int dos_init(struct dos *d, uint8_t *mem, struct dosfs *fs, const struct dos_io *io,
             uint16_t first_mcb, uint16_t mem_top, const char *env, const uint32_t vectors[16])
{
    mset(d, 0, sizeof *d);
    d->mem = mem;
    d->fs = fs;
    d->io = *io;
    d->pending = -1;
    d->cwd = DOSFS_ROOT;
    if (first_mcb < DOS_BOOT_SEG + 0x40 || mem_top <= first_mcb + 0x100 || mem_top > 0xA000)
        return -1;
    d->first_mcb = first_mcb;
    d->mem_top = mem_top;
    for (unsigned i = 0; i < 16; i++)
        if (vectors[i])
            vector(d, (uint8_t)(0x20 + i), (uint16_t)(vectors[i] >> 16), (uint16_t)vectors[i]);
    /* DOS's data: the List of Lists (its word before: the first MCB), InDOS */
    uint32_t data = lin(DOS_DATA_SEG, 0);
    mset(mem + data, 0, 0x100);
    wr16(d, data + DOS_LOL - 2, first_mcb);
    mem[data + DOS_LOL + 0x20] = 1;                     /* block devices */
    mem[data + DOS_LOL + 0x21] = 3;                     /* LASTDRIVE: C: */
    /* the root process */
    mcb_set(d, first_mcb, 'Z', 0, (uint16_t)(mem_top - first_mcb - 1));
    mset(mem + mcb(first_mcb) + 5, 0, 11);
    d->psp = DOS_ROOT_PSP;
    uint32_t e = lin(DOS_ROOT_ENV, 0), o = 0;
    mset(mem + e, 0, DOS_ROOT_ENV_SIZE);
    for (const char *s = env; s && *s && o + slen(s) + 8 < DOS_ROOT_ENV_SIZE; s += slen(s) + 1) {
        mmove(mem + e + o, s, slen(s) + 1);
        o += slen(s) + 1;
    }
    psp_make(d, DOS_ROOT_PSP, mem_top, DOS_ROOT_ENV, 0);
    wr16(d, psp_at(DOS_ROOT_PSP) + PSP_PARENT, DOS_ROOT_PSP);
    d->dta = (uint32_t)DOS_ROOT_PSP << 16 | PSP_TAIL;
    static const uint8_t devs[5] = { DOS_DEV_CON, DOS_DEV_CON, DOS_DEV_CON, DOS_DEV_AUX,
                                     DOS_DEV_PRN };
    for (unsigned h = 0; h < 5; h++) {                  /* CON three times, one entry; AUX; PRN */
        int s = h < 3 && h ? 0 : sft_new(d, DOSFS_NONE, 2, devs[h]);
        if (h && h < 3)
            d->sft[0].refs++;
        mem[psp_at(DOS_ROOT_PSP) + PSP_JFT + h] = (uint8_t)s;
    }
    return 0;
}

void dos_close_all(struct dos *d)
{
    for (unsigned i = 0; i < DOS_SFT_MAX; i++)
        if (d->sft[i].refs) {
            d->sft[i].refs = 1;
            sft_drop(d, (uint8_t)i);
        }
}

void dos_int20(struct dos *d, struct client_regs *r) { terminate(d, r, 0, 0, 0); }
const char *dos_program(const struct dos *d) { return d->nprocs ? d->procs[d->nprocs - 1].name : ""; }
void dos_int27(struct dos *d, struct client_regs *r)
{
    terminate(d, r, 0, 3, (uint16_t)((DX(r) + 15u) / 16));
}

static void country(struct dos *d, uint32_t a)
{
    static const uint8_t us[34] = { 0, 0, '$', 0, 0, 0, 0, ',', 0, '.', 0, '-', 0, ':', 0,
                                    0, 2, 0 };
    if (inside(d, a, 34))
        mmove(d->mem + a, us, 34);
}

/* AH=29h: a file name at DS:SI into the FCB at ES:DI (AL's bits: 1 skip leading separators). */
static void parse_fcb(struct dos *d, struct client_regs *r)
{
    uint32_t s = lin(r->ds, r->esi), f = lin(r->es, r->edi);
    if (!inside(d, s, 128) || !inside(d, f, 16))
        return fail(d, r, DOSERR_INVALID_DATA);
    uint32_t i = 0;
    const uint8_t *c = d->mem + s;
    if (AL(r) & 1)
        while (c[i] == ' ' || c[i] == '\t' || c[i] == ':' || c[i] == ';' || c[i] == ',' ||
               c[i] == '=' || c[i] == '+')
            i++;
    while (c[i] == ' ' || c[i] == '\t')
        i++;
    uint8_t *out = d->mem + f;
    uint8_t result = 0;
    if (!(AL(r) & 2))
        out[0] = 0;
    if (c[i] && c[i + 1] == ':') {
        uint8_t l = (uint8_t)(c[i] | 0x20);
        out[0] = (uint8_t)(l - 'a' + 1);
        result = l == 'c' ? 0 : 0xFF;
        i += 2;
    }
    int filled = 0;
    for (int part = 0; part < 2; part++) {
        uint32_t lim = part ? 3 : 8, o = 0, base = part ? 9 : 1;
        if (part) {
            if (c[i] != '.')
                break;
            i++;
        }
        if (!(AL(r) & (part ? 8 : 4)))
            mset(out + base, ' ', lim);
        int any = 0;
        while (c[i] > ' ' && c[i] != '.' && c[i] != '/' && c[i] != '\\' && c[i] != '"' &&
               c[i] != '[' && c[i] != ']' && c[i] != ':' && c[i] != '|' && c[i] != '<' &&
               c[i] != '>' && c[i] != '+' && c[i] != '=' && c[i] != ';' && c[i] != ',') {
            if (!any)
                mset(out + base, ' ', lim), any = 1;
            uint8_t ch = c[i++];
            if (ch == '*') {
                while (o < lim)
                    out[base + o++] = '?';
                continue;
            }
            if (o < lim)
                out[base + o++] = (uint8_t)(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
        }
        for (uint32_t k = 0; k < lim; k++)
            if (out[base + k] == '?')
                filled = 1;
    }
    if (filled && result == 0)
        result = 1;
    r->esi = (r->esi & 0xFFFF0000u) | ((r->esi + i) & 0xFFFF);
    setl(&r->eax, result);
}

static void int21(struct dos *d, struct client_regs *r)
{
    uint8_t ah = AH(r);
    ok(r);
    switch (ah) {
    case 0x00:
        return terminate(d, r, 0, 0, 0);
    case 0x01: {
        int c = std_in(d, 1);
        if (d->brk)
            return;
        if (c != 0 && c != 0xE0)
            std_putc(d, (uint8_t)c);
        else
            d->pending = (int16_t)key(d, 1);
        return setl(&r->eax, (uint8_t)c);
    }
    case 0x02:
        std_putc(d, DL(r));
        return setl(&r->eax, DL(r));
    case 0x03:                                          /* AUX: nothing comes */
        return setl(&r->eax, 0x1A);
    case 0x04:
    case 0x05:                                          /* AUX, PRN: dropped */
        return;
    case 0x06:
        if (DL(r) != 0xFF) {
            std_putc(d, DL(r));
            return setl(&r->eax, DL(r));
        } else {
            int c = std_in(d, 0);
            if (c < 0) {
                r->eflags |= ZF;
                return setl(&r->eax, 0);
            }
            if (c == 0 || c == 0xE0)
                d->pending = (int16_t)key(d, 1);
            r->eflags &= ~ZF;
            return setl(&r->eax, (uint8_t)c);
        }
    case 0x07:
    case 0x08: {
        int c = std_in(d, 1);
        if (d->brk)
            return;
        if (c == 0 || c == 0xE0)
            d->pending = (int16_t)key(d, 1);
        return setl(&r->eax, (uint8_t)c);
    }
    case 0x09: {
        uint32_t a = lin(r->ds, DX(r)), n = 0;
        while (inside(d, a + n, 1) && d->mem[a + n] != '$' && n < 0x10000)
            n++;
        std_out(d, d->mem + a, inside(d, a, n) ? n : 0);
        return setl(&r->eax, '$');
    }
    case 0x0A: {
        uint32_t a = lin(r->ds, DX(r));
        if (!inside(d, a, 2) || !inside(d, a, 2u + d->mem[a]))
            return;
        uint8_t max = d->mem[a];
        uint32_t n = read_line(d, d->mem + a + 2, max);
        d->mem[a + 1] = (uint8_t)n;
        return;
    }
    case 0x0B: {
        struct dos_sft *f = handle_sft(d, 0, 0);
        int c = -1;
        if (d->pending >= 0)
            c = 0;
        else if (!f || f->dev == DOS_DEV_CON) {
            c = key(d, 0);
            if (c >= 0)
                d->pending = (int16_t)c;                /* peeked: the next read has it */
        } else if (f->dev == DOS_DEV_FILE) {
            struct dosfs_node *n = dosfs_node(d->fs, f->node);
            c = n && f->pos < n->size ? 0 : -1;
        }
        return setl(&r->eax, c >= 0 ? 0xFF : 0x00);
    }
    case 0x0C: {
        uint8_t fn = AL(r);
        while (d->pending < 0 && key(d, 0) >= 0)
            ;
        d->pending = -1;
        if (fn == 0x01 || fn == 0x06 || fn == 0x07 || fn == 0x08 || fn == 0x0A) {
            seth(&r->eax, fn);
            return int21(d, r);
        }
        return setl(&r->eax, 0);
    }
    case 0x0D:                                          /* disk reset: nothing buffered */
        return;
    case 0x0F: case 0x10: case 0x11: case 0x12: case 0x13: case 0x14: case 0x15: case 0x16:
    case 0x17: case 0x21: case 0x22: case 0x23: case 0x24: case 0x27: case 0x28:
        return fcb_call(d, r, ah);
    case 0x0E:
        return setl(&r->eax, 3);                        /* drives A: .. C: */
    case 0x19:
        return setl(&r->eax, 2);                        /* C: */
    case 0x1A:
        d->dta = r->ds << 16 | DX(r);
        return;
    case 0x25:
        return vector(d, AL(r), (uint16_t)r->ds, DX(r));
    case 0x29:
        return parse_fcb(d, r);
    case 0x2A: {
        struct dos_time t;
        now(d, &t);
        uint32_t days = (uint32_t)(to_secs(&t) / 86400);
        setw(&r->ecx, t.year);
        setw(&r->edx, (uint16_t)(t.month << 8 | t.day));
        return setl(&r->eax, (uint8_t)((days + 2) % 7));   /* 1980-01-01 was a Tuesday */
    }
    case 0x2B:
    case 0x2D: {
        struct dos_time t, rtc;
        now(d, &t);
        if (ah == 0x2B) {
            t.year = CX(r);
            t.month = (uint8_t)(DX(r) >> 8);
            t.day = DL(r);
            if (t.year < 1980 || t.year > 2099 || !t.month || t.month > 12 || !t.day ||
                t.day > mdays[t.month - 1] + (t.month == 2 && leap(t.year)))
                return setl(&r->eax, 0xFF);
        } else {
            t.hour = (uint8_t)(CX(r) >> 8);
            t.min = (uint8_t)CX(r);
            t.sec = (uint8_t)(DX(r) >> 8);
            if (t.hour > 23 || t.min > 59 || t.sec > 59 || DL(r) > 99)
                return setl(&r->eax, 0xFF);
        }
        d->clock_offset = 0;
        now(d, &rtc);
        d->clock_offset = (int64_t)to_secs(&t) - to_secs(&rtc);
        return setl(&r->eax, 0);
    }
    case 0x2C: {
        struct dos_time t;
        now(d, &t);
        setw(&r->ecx, (uint16_t)(t.hour << 8 | t.min));
        return setw(&r->edx, (uint16_t)(t.sec << 8 | t.hundredths));
    }
    case 0x2E:
        d->verify = AL(r) & 1;
        return;
    case 0x2F:
        r->es = d->dta >> 16;
        return setw(&r->ebx, (uint16_t)d->dta);
    case 0x30:
        setw(&r->eax, 0x0005);                          /* 5.0 */
        setw(&r->ebx, 0xFF00);                          /* OEM: Microsoft */
        return setw(&r->ecx, 0);
    case 0x31:
        return terminate(d, r, AL(r), 3, DX(r));
    case 0x33:
        switch (AL(r)) {
        case 0x00:
            return setl(&r->edx, d->break_flag & 1);
        case 0x01:
            d->break_flag = DL(r) & 1;
            return;
        case 0x05:
            return setl(&r->edx, 3);                    /* booted from C: */
        case 0x06:
            setw(&r->ebx, 0x0005);
            return setw(&r->edx, 0);
        default:
            return setl(&r->eax, 0xFF);
        }
    case 0x34:
        r->es = DOS_DATA_SEG;
        return setw(&r->ebx, DOS_INDOS);
    case 0x35: {
        uint8_t n = AL(r);
        r->es = rd16(d, n * 4u + 2);
        return setw(&r->ebx, rd16(d, n * 4u));
    }
    case 0x36: {
        if (DL(r) != 0 && DL(r) != 3) {
            setw(&r->eax, 0xFFFF);
            return;
        }
        uint64_t f = dosfs_free(d->fs) >> 12, total = d->fs->limit >> 12;
        setw(&r->eax, 8);                               /* sectors a cluster */
        setw(&r->ebx, (uint16_t)(f > 0xFFFE ? 0xFFFE : f));
        setw(&r->ecx, 512);
        return setw(&r->edx, (uint16_t)(total > 0xFFFE ? 0xFFFE : total));
    }
    case 0x37:
        if (AL(r) == 0)
            return setl(&r->edx, '/');
        return setl(&r->eax, AL(r) == 1 ? 0 : 0xFF);
    case 0x38:
        if (DX(r) == 0xFFFF)
            return fail(d, r, DOSERR_INVALID_DATA);
        country(d, lin(r->ds, DX(r)));
        return setw(&r->ebx, 1);
    case 0x39:
    case 0x3A:
    case 0x3B: {
        struct path p;
        int err = path_at(d, lin(r->ds, DX(r)), 0, &p);
        if (err || p.dev != DOS_DEV_FILE)
            return fail(d, r, (uint16_t)(err == DOSERR_FILE_NOT_FOUND || !err
                                             ? DOSERR_PATH_NOT_FOUND : err));
        if (ah == 0x39) {
            uint16_t time, date = dos_date(d, &time);
            if (p.name[0] == ' ')
                return fail(d, r, DOSERR_ACCESS_DENIED);
            err = dosfs_mkdir(d->fs, p.dir, p.name, date, time);
            return err ? fail(d, r, (uint16_t)err) : ok(r);
        }
        struct dosfs_node *n = dosfs_node(d->fs, p.node);
        if (!n || !(n->attr & DOSFS_ATTR_DIR))
            return fail(d, r, DOSERR_PATH_NOT_FOUND);
        if (ah == 0x3B) {
            d->cwd = p.node;
            return;
        }
        for (uint32_t c = d->cwd; c != DOSFS_ROOT; c = d->fs->nodes[c].parent)
            if (c == p.node)
                return fail(d, r, DOSERR_CURRENT_DIR);
        err = dosfs_rmdir(d->fs, p.node);
        return err ? fail(d, r, (uint16_t)err) : ok(r);
    }
    case 0x3C:
        return do_open(d, r, 1, (uint8_t)CX(r), 0);
    case 0x5B:
        return do_open(d, r, 1, (uint8_t)CX(r), 1);
    case 0x3D:
        return do_open(d, r, 0, 0, 0);
    case 0x3E: {
        uint32_t slot;
        if (!handle_sft(d, BX(r), &slot))
            return fail(d, r, DOSERR_INVALID_HANDLE);
        sft_drop(d, d->mem[slot]);
        d->mem[slot] = 0xFF;
        return;
    }
    case 0x3F:
    case 0x40: {
        struct dos_sft *f = handle_sft(d, BX(r), 0);
        uint32_t a = lin(r->ds, DX(r)), n = CX(r), did = 0;
        if (!f)
            return fail(d, r, DOSERR_INVALID_HANDLE);
        if (!inside(d, a, n))
            return fail(d, r, DOSERR_ACCESS_DENIED);
        int err = ah == 0x3F ? sft_read(d, f, a, n, &did) : sft_write(d, f, d->mem + a, n, &did);
        if (err)
            return fail(d, r, (uint16_t)err);
        return setw(&r->eax, (uint16_t)did);
    }
    case 0x41: {
        struct path p;
        int err = path_at(d, lin(r->ds, DX(r)), 0, &p);
        if (!err && (p.dev != DOS_DEV_FILE || p.node == DOSFS_NONE || p.name[0] == ' '))
            err = DOSERR_FILE_NOT_FOUND;
        if (!err)
            err = dosfs_remove(d->fs, p.node);
        return err ? fail(d, r, (uint16_t)err) : ok(r);
    }
    case 0x42: {
        struct dos_sft *f = handle_sft(d, BX(r), 0);
        if (!f)
            return fail(d, r, DOSERR_INVALID_HANDLE);
        if (AL(r) > 2)
            return fail(d, r, DOSERR_BAD_FUNCTION);
        int32_t off = (int32_t)((uint32_t)CX(r) << 16 | DX(r));
        struct dosfs_node *n = dosfs_node(d->fs, f->node);
        int64_t base = AL(r) == 0 ? 0 : AL(r) == 1 ? f->pos : (n ? n->size : 0);
        int64_t pos = base + off;
        if (pos < 0)
            return fail(d, r, DOSERR_INVALID_DATA);     /* DOS 5: "seek before the start" */
        f->pos = (uint32_t)pos;
        setw(&r->eax, (uint16_t)pos);
        return setw(&r->edx, (uint16_t)(pos >> 16));
    }
    case 0x43: {
        struct path p;
        int err = path_at(d, lin(r->ds, DX(r)), 0, &p);
        if (!err && p.dev != DOS_DEV_FILE && AL(r) == 0)
            return setw(&r->ecx, 0);                    /* a device ("DIR\NUL": DIR exists) */
        struct dosfs_node *n = err ? 0 : dosfs_node(d->fs, p.node);
        if (!n || p.name[0] == ' ')
            return fail(d, r, (uint16_t)(err ? err : DOSERR_FILE_NOT_FOUND));
        if (AL(r) == 0)
            return setw(&r->ecx, n->attr);
        if (AL(r) != 1)
            return fail(d, r, DOSERR_BAD_FUNCTION);
        if ((CX(r) & ~0x27u) || (n->attr & DOSFS_ATTR_DIR))
            return fail(d, r, DOSERR_ACCESS_DENIED);
        n->attr = (uint8_t)CX(r);
        return;
    }
    case 0x44: {
        struct dos_sft *f = AL(r) <= 7 ? handle_sft(d, BX(r), 0) : 0;
        switch (AL(r)) {
        case 0x00:
            if (!f)
                return fail(d, r, DOSERR_INVALID_HANDLE);
            if (f->dev == DOS_DEV_FILE)
                return setw(&r->edx, 0x0002);           /* drive C:, written or not: 0 */
            return setw(&r->edx, f->dev == DOS_DEV_CON ? 0x80D3 : f->dev == DOS_DEV_NUL ? 0x8084
                                                                                        : 0x80C0);
        case 0x01:
            if (!f)
                return fail(d, r, DOSERR_INVALID_HANDLE);
            return f->dev == DOS_DEV_FILE ? fail(d, r, DOSERR_BAD_FUNCTION) : ok(r);
        case 0x06: {
            if (!f)
                return fail(d, r, DOSERR_INVALID_HANDLE);
            struct dosfs_node *n = dosfs_node(d->fs, f->node);
            int ready = f->dev == DOS_DEV_FILE ? (n && f->pos < n->size)
                        : f->dev == DOS_DEV_CON ? (d->pending >= 0 || d->line_pos < d->line_len ||
                                                   (d->pending = (int16_t)key(d, 0)) >= 0)
                                                : 0;
            return setl(&r->eax, ready ? 0xFF : 0x00);
        }
        case 0x07:
            if (!f)
                return fail(d, r, DOSERR_INVALID_HANDLE);
            return setl(&r->eax, 0xFF);
        case 0x08:
            if (BX(r) && (BX(r) & 0xFF) != 3)
                return fail(d, r, DOSERR_INVALID_DRIVE);
            return setw(&r->eax, 1);                    /* fixed */
        case 0x09:
            if (BX(r) && (BX(r) & 0xFF) != 3)
                return fail(d, r, DOSERR_INVALID_DRIVE);
            return setw(&r->edx, 0x0000);               /* local */
        default:
            return fail(d, r, DOSERR_BAD_FUNCTION);
        }
    }
    case 0x45:
    case 0x46: {
        uint32_t slot;
        struct dos_sft *f = handle_sft(d, BX(r), &slot);
        if (!f)
            return fail(d, r, DOSERR_INVALID_HANDLE);
        uint8_t s = d->mem[slot];
        if (ah == 0x45) {
            int h = handle_new(d, s);
            if (h < 0)
                return fail(d, r, DOSERR_TOO_MANY_OPEN);
            d->sft[s].refs++;
            return setw(&r->eax, (uint16_t)h);
        }
        uint32_t n, a = jft(d, &n);
        if (CX(r) >= n)
            return fail(d, r, DOSERR_INVALID_HANDLE);
        sft_drop(d, d->mem[a + CX(r)]);
        d->mem[a + CX(r)] = s;
        d->sft[s].refs++;
        return;
    }
    case 0x47: {
        if (DL(r) != 0 && DL(r) != 3)
            return fail(d, r, DOSERR_INVALID_DRIVE);
        uint32_t a = lin(r->ds, r->esi);
        char p[64];
        if (!inside(d, a, 64) || dosfs_dir_path(d->fs, d->cwd, p, sizeof p))
            return fail(d, r, DOSERR_PATH_NOT_FOUND);
        mmove(d->mem + a, p, slen(p) + 1);
        return setw(&r->eax, 0x0100);
    }
    case 0x48: {
        uint16_t largest = 0;
        int broken;
        uint16_t seg = mem_alloc(d, BX(r), d->psp, &largest, &broken);
        if (!seg) {
            setw(&r->ebx, largest);
            return fail(d, r, broken ? DOSERR_MCB_DESTROYED : DOSERR_NO_MEMORY);
        }
        return setw(&r->eax, seg);
    }
    case 0x49: {
        int err = mem_free(d, (uint16_t)r->es);
        return err ? fail(d, r, (uint16_t)err) : ok(r);
    }
    case 0x4A: {
        uint16_t largest = 0;
        int err = mem_resize(d, (uint16_t)r->es, BX(r), &largest);
        if (err == DOSERR_NO_MEMORY)
            setw(&r->ebx, largest);
        if (!err && (uint16_t)r->es == d->psp)
            wr16(d, psp_at(d->psp) + PSP_TOP, (uint16_t)(d->psp + BX(r)));
        return err ? fail(d, r, (uint16_t)err) : ok(r);
    }
    case 0x4B:
        return exec(d, r);
    case 0x4C:
        return terminate(d, r, AL(r), 0, 0);
    case 0x4D:
        setw(&r->eax, d->exit_code);
        d->exit_code = 0;
        return;
    case 0x4E:
    case 0x4F:
        return find(d, r, ah == 0x4E);
    case 0x50:
        d->psp = BX(r);
        return;
    case 0x51:
    case 0x62:
        return setw(&r->ebx, d->psp);
    case 0x52:
        r->es = DOS_DATA_SEG;
        return setw(&r->ebx, DOS_LOL);
    case 0x54:
        return setl(&r->eax, d->verify);
    case 0x56: {
        struct path from, to;
        int err = path_at(d, lin(r->ds, DX(r)), 0, &from);
        if (!err)
            err = path_at(d, lin(r->es, r->edi), 0, &to);
        if (!err && (from.node == DOSFS_NONE || from.name[0] == ' ' || from.dev != DOS_DEV_FILE))
            err = DOSERR_FILE_NOT_FOUND;
        if (!err && (to.dev != DOS_DEV_FILE || to.name[0] == ' '))
            err = DOSERR_ACCESS_DENIED;
        if (!err)
            err = dosfs_rename(d->fs, from.node, to.dir, to.name);
        return err ? fail(d, r, (uint16_t)err) : ok(r);
    }
    case 0x57: {
        struct dos_sft *f = handle_sft(d, BX(r), 0);
        struct dosfs_node *n = f ? dosfs_node(d->fs, f->node) : 0;
        if (!f)
            return fail(d, r, DOSERR_INVALID_HANDLE);
        if (AL(r) > 1)
            return fail(d, r, DOSERR_BAD_FUNCTION);
        if (!n) {                                       /* a device: now */
            uint16_t time, date = dos_date(d, &time);
            setw(&r->ecx, time);
            return setw(&r->edx, date);
        }
        if (AL(r) == 0) {
            setw(&r->ecx, n->time);
            return setw(&r->edx, n->date);
        }
        n->time = CX(r);
        n->date = DX(r);
        return;
    }
    case 0x58:
        switch (AL(r)) {
        case 0x00:
            return setw(&r->eax, d->strategy);
        case 0x01:
            if (BX(r) > 2)
                return fail(d, r, DOSERR_BAD_FUNCTION);
            d->strategy = (uint8_t)BX(r);
            return;
        case 0x02:
            return setl(&r->eax, 0);                    /* no upper memory linked */
        case 0x03:
            return BX(r) ? fail(d, r, DOSERR_MCB_DESTROYED) : ok(r);
        default:
            return fail(d, r, DOSERR_BAD_FUNCTION);
        }
    case 0x59: {
        uint16_t e = d->last_error;
        setw(&r->eax, e);
        uint8_t cls = e == DOSERR_NO_MEMORY || e == DOSERR_MCB_DESTROYED ? 1
                      : e == DOSERR_FILE_NOT_FOUND || e == DOSERR_PATH_NOT_FOUND ? 8
                      : e == DOSERR_ACCESS_DENIED ? 3 : e ? 7 : 0;
        setw(&r->ebx, (uint16_t)(cls << 8 | (e ? 4 : 0)));   /* BL action: abort with cleanup */
        seth(&r->ecx, e ? (e == DOSERR_NO_MEMORY ? 5 : 2) : 0);   /* CH locus: memory / block */
        return;
    }
    case 0x5A: {
        uint32_t a = lin(r->ds, DX(r)), n = 0;
        while (inside(d, a + n, 1) && d->mem[a + n] && n < 110)
            n++;
        if (!inside(d, a + n, 14) || n >= 110)
            return fail(d, r, DOSERR_PATH_NOT_FOUND);
        if (n && d->mem[a + n - 1] != '\\' && d->mem[a + n - 1] != ':')
            d->mem[a + n++] = '\\';
        static const char hex[] = "0123456789ABCDEF";
        for (uint32_t k = 0; k < 0x10000; k++) {
            for (int i = 0; i < 8; i++)
                d->mem[a + n + i] = (uint8_t)hex[(k >> (4 * (7 - i))) & 15];
            d->mem[a + n + 8] = 0;
            struct path p;
            if (path_at(d, a, 0, &p) == 0 && p.node == DOSFS_NONE) {
                r->eax = (r->eax & 0xFFFF0000u);
                return do_open(d, r, 1, (uint8_t)CX(r), 1);
            }
        }
        return fail(d, r, DOSERR_ACCESS_DENIED);
    }
    case 0x65:
        if (AL(r) >= 0x20 && AL(r) <= 0x22)             /* upper-casing */
            return;
        if (AL(r) == 0x01 && inside(d, lin(r->es, r->edi), 41)) {
            uint32_t a = lin(r->es, r->edi);
            d->mem[a] = 1;
            wr16(d, a + 1, 38);
            wr16(d, a + 3, 1);
            wr16(d, a + 5, 437);
            country(d, a + 7);
            return setw(&r->ecx, 41);
        }
        return fail(d, r, DOSERR_BAD_FUNCTION);
    case 0x66:
        if (AL(r) == 1) {
            setw(&r->ebx, 437);
            return setw(&r->edx, 437);
        }
        return AL(r) == 2 ? ok(r) : fail(d, r, DOSERR_BAD_FUNCTION);
    case 0x67: {
        uint16_t want = BX(r);
        uint32_t n, a = jft(d, &n);
        if (!a)
            return fail(d, r, DOSERR_INVALID_HANDLE);
        if (want <= n) {
            for (uint32_t h = want; h < n; h++)
                if (d->mem[a + h] != 0xFF)
                    return fail(d, r, DOSERR_TOO_MANY_OPEN);
            wr16(d, psp_at(d->psp) + PSP_JFT_SIZE, want < 20 ? 20 : want);
            return;
        }
        if (want > 255)
            return fail(d, r, DOSERR_TOO_MANY_OPEN);
        uint16_t largest;
        int broken;
        uint16_t seg = mem_alloc(d, (uint16_t)((want + 15) / 16), d->psp, &largest, &broken);
        if (!seg)
            return fail(d, r, DOSERR_NO_MEMORY);
        mset(d->mem + lin(seg, 0), 0xFF, want);
        mmove(d->mem + lin(seg, 0), d->mem + a, n);
        wr16(d, psp_at(d->psp) + PSP_JFT_SIZE, want);
        wr16(d, psp_at(d->psp) + PSP_JFT_PTR, 0);
        wr16(d, psp_at(d->psp) + PSP_JFT_PTR + 2, seg);
        return;
    }
    case 0x68:
    case 0x6A:
        return handle_sft(d, BX(r), 0) ? ok(r) : fail(d, r, DOSERR_INVALID_HANDLE);
    default:
        if (!d->said[ah]) {
            static const char hex[] = "0123456789ABCDEF";
            char fn[] = "INT 21h AH=00h is not provided here; the program gets CF set, AX=1";
            fn[11] = hex[ah >> 4];
            fn[12] = hex[ah & 15];
            d->said[ah] = 1;
            say(d, "DOSMGR: ", fn);
        }
        setl(&r->eax, 0);
        return fail(d, r, DOSERR_BAD_FUNCTION);
    }
}

/* ---- Ctrl-C ---------------------------------------------------------------------------------- */

/* A Ctrl-C (03h) or a Ctrl+Break (the BIOS's 0000h) waiting in the BIOS's keyboard buffer (40:1A
 * head, 40:1C tail, 40:80-40:82 its bounds) is taken out of it: 1.  A look at the VM's memory,
 * not a call: output stays cheap. */
static int break_waiting(struct dos *d)
{
    uint16_t head = rd16(d, 0x41A), tail = rd16(d, 0x41C), lo = rd16(d, 0x480), hi = rd16(d, 0x482);
    if (head == tail || lo >= hi || head < lo || head + 2 > hi ||
        (d->mem[0x400 + head] != 3 && rd16(d, 0x400u + head) != 0))
        return 0;
    head = (uint16_t)(head + 2 >= hi ? lo : head + 2);
    wr16(d, 0x41A, head);
    return 1;
}

/* Which calls look for Ctrl-C (BREAK OFF): the character functions but 06h and 07h, and handle
 * I/O on CON; with BREAK ON, every call. */
static int checks_break(struct dos *d, const struct client_regs *r)
{
    uint8_t ah = AH(r);
    if (d->break_flag & 1)
        return 1;
    if ((ah >= 0x01 && ah <= 0x0C && ah != 0x06 && ah != 0x07) || ah == 0x3F || ah == 0x40) {
        struct dos_sft *f = ah >= 0x3F ? handle_sft(d, BX(r), 0) : 0;
        return ah < 0x3F || (f && f->dev == DOS_DEV_CON);
    }
    return 0;
}

/* INT 21h.  A Ctrl-C -- typed before the call or read by it -- abandons the call: "^C" is
 * shown and the program's INT 23h runs with the registers it made the call with; the VxD
 * arranges that (io.ctrl_c) so that a handler that returns makes the call again, as DOS does.
 * Without one, the program ends as DOS's default handler ends it (type 1). */
void dos_int21(struct dos *d, struct client_regs *r)
{
    d->brk = 0;
    if (!checks_break(d, r))
        return int21(d, r);                             /* the call cannot see a Ctrl-C */
    struct client_regs r0 = *r;
    d->brk_check = 1;
    if (!break_waiting(d))
        int21(d, r);
    else
        d->brk = 1;
    d->brk_check = 0;
    if (!d->brk)
        return;
    d->brk = 0;
    std_out(d, (const uint8_t *)"^C\r\n", 4);
    *r = r0;
    if (d->io.ctrl_c)
        d->io.ctrl_c(d->io.ctx, r);
    else
        terminate(d, r, 0, 1, 0);
}

void dos_ctrl_c_end(struct dos *d, struct client_regs *r) { terminate(d, r, 0, 1, 0); }
