/*
 * Host tests for vxd/dosmgr/dos.c: INT 21h on a VM's memory -- the MCB chain (allocate, free,
 * resize, strategies, a broken chain), EXEC of a .COM and an .EXE (PSP, environment, command
 * tail, relocations, registers and the IRET frame), terminate back to the parent with the
 * memory given back (a thousand times over), handles on files and devices with redirection,
 * find first/next, directories, and the refusals of bad programs.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/drivec.h"
#include "../../vxd/dosmgr/dos.h"

static const struct dosfs_mem heap = { malloc, free };
static struct dosfs fs;
static struct dos d;
static uint8_t *mem;
static char out[4096];
static unsigned nout;
static const char *keys;
static char said[256];

static int con_in(void *ctx, int wait)
{
    (void)ctx;
    if (keys && *keys)
        return (uint8_t)*keys++;
    return wait ? 0x1A : -1;
}
static void con_out(void *ctx, const uint8_t *s, uint32_t n)
{
    (void)ctx;
    for (uint32_t i = 0; i < n && nout < sizeof out - 1; i++)
        out[nout++] = (char)s[i];
    out[nout] = 0;
}
static void clock_now(void *ctx, struct dos_time *t)
{
    (void)ctx;
    *t = (struct dos_time){ 2026, 12, 5, 10, 30, 15, 50 };
}
static void tell(void *ctx, const char *m)
{
    (void)ctx;
    strncpy(said, m, sizeof said - 1);
}
static struct client_regs brk_regs;
static unsigned brks;
static void ctrl_c(void *ctx, struct client_regs *c)
{
    (void)ctx;
    brk_regs = *c;
    brks++;
}

/* Files: a .COM (B4 4C CD 21: exit), an .EXE with one relocation, a bad .EXE, a big .COM */
static uint8_t exe[64 + 16];
static uint8_t bigcom[70000];

static uint8_t *block(uint32_t *size)
{
    /* MZ: 80 bytes, header 4 paragraphs (64), image 16 bytes; reloc at 28 -> 0000:0001 */
    memset(exe, 0, sizeof exe);
    uint16_t h[14] = { 0x5A4D, sizeof exe % 512, 1, 1, 4, 0x10, 0xFFFF, 0x0001, 0x0100, 0,
                       0x0000, 0x0000, 28, 0 };
    memcpy(exe, h, sizeof h);
    exe[28] = 1;                                        /* reloc: offset 1, segment 0 */
    exe[64] = 0xB8;                                     /* mov ax, seg (relocated) */
    exe[65] = 0x00;
    exe[66] = 0x00;
    exe[67] = 0x00;
    static const struct { uint32_t parent; const char *name; const uint8_t *data; uint32_t size; } e[] = {
        { DRIVEC_ROOT, "EXIT.COM", (const uint8_t *)"\xB4\x4C\xCD\x21", 4 },
        { DRIVEC_ROOT, "PROG.EXE", exe, sizeof exe },
        { DRIVEC_ROOT, "BAD.EXE", (const uint8_t *)"MZ\x00\x02\x00\x01\x00\x00\x00\x00\x10\x00"
                                                   "\xff\xff\x00\x00\x00\x01\x00\x00\x00\x00"
                                                   "\x00\x00\x40\x00\x00\x00", 28 },
        { DRIVEC_ROOT, "BIG.COM", bigcom, sizeof bigcom },
        { DRIVEC_ROOT, "DATA.TXT", (const uint8_t *)"line one\r\nline two\r\n", 20 },
        { DRIVEC_ROOT, "SUB", 0, 0 },
    };
    unsigned n = sizeof e / sizeof e[0];
    uint32_t total = sizeof(struct drivec_header) + n * sizeof(struct drivec_entry);
    for (unsigned i = 0; i < n; i++)
        total += (uint32_t)strlen(e[i].name) + 1 + e[i].size;
    uint8_t *b = calloc(1, total);
    struct drivec_header *hd = (void *)b;
    struct drivec_entry *de = (void *)(hd + 1);
    *hd = (struct drivec_header){ DRIVEC_MAGIC, DRIVEC_VERSION, total, n, 0, 0 };
    uint32_t at = sizeof *hd + n * sizeof *de;
    for (unsigned i = 0; i < n; i++) {
        de[i].parent = e[i].parent;
        de[i].attr = e[i].data ? DRIVEC_ATTR_ARCHIVE : DRIVEC_ATTR_DIR;
        de[i].name_off = at;
        strcpy((char *)b + at, e[i].name);
        at += (uint32_t)strlen(e[i].name) + 1;
        if (e[i].data) {
            de[i].data_off = at;
            de[i].size = e[i].size;
            memcpy(b + at, e[i].data, e[i].size);
            at += e[i].size;
        }
    }
    *size = total;
    return b;
}

static uint8_t *blk;
static struct client_regs r;
#define STUB_SEG 0x0100                                 /* where the "stub" is: any */
static const uint32_t vectors[16] = { 0x01000000, 0x01000004, 0x01000008, 0x0100000C,
                                      0x01000010, 0x01000014, 0x01000018, 0x0100001C,
                                      0x01000020 };

static void setup(void)
{
    uint32_t size;
    char why[100];
    mem = calloc(1, DOS_MEM_SIZE);
    blk = block(&size);
    cr_assert_eq(dosfs_init(&fs, blk, size, 1 << 20, &heap, why, sizeof why), 0, "%s", why);
    struct dos_io io = { 0, con_in, con_out, clock_now, tell, ctrl_c };
    cr_assert_eq(dos_init(&d, mem, &fs, &io, 0x0200, 0x9FC0,
                          "COMSPEC=C:\\COMMAND.COM\0PATH=C:\\\0", vectors), 0);
    nout = 0;
    out[0] = 0;
    said[0] = 0;
    keys = 0;
    brks = 0;
    memset(&r, 0, sizeof r);
    /* the caller: the root process at the stub's IRET, its INT frame at 0070:0F00 */
    r.cs = STUB_SEG;
    r.ss = 0x0070;
    r.esp = 0x0F00;
    r.ds = r.es = 0x0070;
}
static void teardown(void)
{
    dosfs_destroy(&fs);
    free(blk);
    free(mem);
}
TestSuite(dos, .init = setup, .fini = teardown);

static void call(uint16_t ax)
{
    r.eax = ax;
    dos_int21(&d, &r);
}
static int cf(void) { return r.eflags & 1; }
static void put(uint16_t seg, uint16_t off, const char *s) { strcpy((char *)mem + seg * 16 + off, s); }
static uint16_t w(uint32_t a) { return (uint16_t)(mem[a] | mem[a + 1] << 8); }

Test(dos, memory_blocks_and_their_chain)
{
    uint32_t free0, big0, n;
    cr_assert_eq(dos_mcb_walk(&d, &free0, &big0, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(free0, 0x9FC0 - 0x0200 - 1);
    cr_assert_eq(w(0x0600 + DOS_LOL - 2), 0x0200, "the List of Lists names the first MCB");
    r.ebx = 0x100;
    call(0x4800);
    cr_assert(!cf());
    uint16_t a = (uint16_t)r.eax;
    cr_assert_eq(a, 0x0201);
    cr_assert_eq(mem[0x2000], 'M');
    cr_assert_eq(w(0x2001), 0x0070, "owned by the current PSP");
    r.ebx = 0x100;
    call(0x4800);
    uint16_t b = (uint16_t)r.eax;
    r.es = a;
    r.ebx = 0x200;
    call(0x4A00);
    cr_assert(cf(), "cannot grow into b");
    cr_assert_eq((uint16_t)r.eax, DOSERR_NO_MEMORY);
    cr_assert_eq((uint16_t)r.ebx, 0x100, "the most it can have");
    r.ebx = 0xFFFF;
    call(0x4800);
    cr_assert(cf());
    cr_assert_eq((uint16_t)r.ebx, free0 - 0x202, "the largest block (%x)", (uint16_t)r.ebx);
    r.es = b;
    call(0x4900);
    r.es = a;
    call(0x4900);
    cr_assert_eq(dos_mcb_walk(&d, 0, 0, &n), 0);
    r.ebx = free0;
    call(0x4800);
    cr_assert(!cf(), "the free blocks join again");
    r.es = (uint16_t)r.eax;
    call(0x4900);
    mem[0x2000] = 'X';                                  /* a program wrote over its MCB */
    r.ebx = 1;
    call(0x4800);
    cr_assert(cf());
    cr_assert_eq((uint16_t)r.eax, DOSERR_MCB_DESTROYED);
    cr_assert_eq(dos_mcb_walk(&d, 0, 0, 0), DOSERR_MCB_DESTROYED);
}

Test(dos, last_fit_takes_the_top)
{
    r.ebx = 2;
    call(0x5801);
    r.ebx = 0x10;
    call(0x4800);
    cr_assert_eq((uint16_t)r.eax, 0x9FC0 - 0x10);
}

static void exec(const char *path, const char *tail)
{
    put(0x0070, 0x0E00, path);
    uint32_t pb = 0x0700 + 0xE80;
    memset(mem + pb, 0, 0x16);
    mem[0x0700 + 0xEC0] = (uint8_t)strlen(tail);
    strcpy((char *)mem + 0x0700 + 0xEC1, tail);
    mem[0x0700 + 0xEC1 + strlen(tail)] = 0x0D;
    mem[pb + 2] = 0xC0;
    mem[pb + 3] = 0x0E;
    mem[pb + 4] = 0x70;
    r.ds = r.es = 0x0070;
    r.edx = 0x0E00;
    r.ebx = 0x0E80;
    call(0x4B00);
}

Test(dos, exec_a_com_and_back)
{
    struct client_regs parent = r;
    exec("C:\\EXIT.COM", " hello world");
    cr_assert(!cf(), "AX=%x %s", r.eax, said);
    uint16_t psp = (uint16_t)r.ds;
    uint32_t p = psp * 16u;
    cr_assert_eq(mem[p], 0xCD);
    cr_assert_eq(mem[p + 1], 0x20);
    cr_assert_eq(w(p + 0x16), 0x0070, "its parent");
    cr_assert_eq(mem[p + 0x80], 12);
    cr_assert_eq(memcmp(mem + p + 0x81, " hello world\r", 13), 0);
    cr_assert_eq(mem[p + 0x18], 0, "handles 0-2 inherited: CON");
    cr_assert_eq(mem[p + 0x18 + 1], 0);
    cr_assert_eq(memcmp(mem + p + 0x100, "\xB4\x4C\xCD\x21", 4), 0, "the image at PSP:0100");
    /* the IRET frame on its stack: IP 0100, CS psp, FLAGS with IF */
    uint32_t f = r.ss * 16u + (uint16_t)r.esp;
    cr_assert_eq(r.ss, psp);
    cr_assert_eq(w(f), 0x100);
    cr_assert_eq(w(f + 2), psp);
    cr_assert(w(f + 4) & 0x200);
    cr_assert_eq((uint16_t)(r.esp + 6), 0xFFFE);
    cr_assert_eq(w(psp * 16u + 0xFFFE), 0, "a RET goes to PSP:0000");
    uint16_t env = w(p + 0x2C);
    cr_assert_eq(memcmp(mem + env * 16, "COMSPEC=C:\\COMMAND.COM\0PATH=C:\\\0\0\1\0C:\\EXIT.COM\0", 46), 0);
    /* it exits with 7 */
    call(0x4C07);
    cr_assert_eq(d.ended, 0);
    cr_assert_eq(r.cs, parent.cs);
    cr_assert_eq(r.esp, parent.esp, "back at the parent's IRET");
    cr_assert(!cf());
    call(0x4D00);
    cr_assert_eq((uint16_t)r.eax, 0x0007);
    uint32_t fr;
    dos_mcb_walk(&d, &fr, 0, 0);
    cr_assert_eq(fr, 0x9FC0 - 0x0200 - 1, "all memory back");
}

Test(dos, a_thousand_programs_leave_memory_as_it_was)
{
    uint32_t f0, f1, n0, n1;
    dos_mcb_walk(&d, &f0, 0, &n0);
    for (int i = 0; i < 1000; i++) {
        exec("EXIT.COM", "");
        cr_assert(!cf());
        r.ebx = 0x10;                                   /* it allocates, and ends anyway */
        call(0x4A00 - 0x0200);
        call(0x4C00);
    }
    cr_assert_eq(dos_mcb_walk(&d, &f1, 0, &n1), 0);
    cr_assert_eq(f1, f0);
    cr_assert_eq(n1, n0);
    cr_assert_eq(d.nprocs, 0);
}

Test(dos, exec_an_exe_relocated)
{
    exec("PROG.EXE", "");
    cr_assert(!cf(), "AX=%x %s", r.eax, said);
    uint16_t psp = (uint16_t)r.ds, base = psp + 0x10;
    cr_assert_eq(w(base * 16u + 1), base, "the relocation: the load segment added");
    cr_assert_eq(r.ss, base + 1);
    uint32_t f = r.ss * 16u + (uint16_t)r.esp;
    cr_assert_eq(w(f + 2), base, "CS");
    cr_assert_eq(w(f), 0, "IP");
    cr_assert_eq(r.es, psp);
}

Test(dos, bad_programs_are_refused)
{
    exec("BAD.EXE", "");
    cr_assert(cf());
    cr_assert_eq((uint16_t)r.eax, DOSERR_BAD_FORMAT);
    cr_assert(strstr(said, "BAD.EXE"), "%s", said);
    exec("BIG.COM", "");
    cr_assert_eq((uint16_t)r.eax, DOSERR_NO_MEMORY, "as DOS: too big to fit");
    cr_assert(strstr(said, "64 KB"), "%s", said);
    exec("NONE.COM", "");
    cr_assert_eq((uint16_t)r.eax, DOSERR_FILE_NOT_FOUND);
    exe[64 + 0] = 0;
    uint32_t fr;
    dos_mcb_walk(&d, &fr, 0, 0);
    cr_assert_eq(fr, 0x9FC0 - 0x0200 - 1, "nothing kept of them");
}

Test(dos, files_handles_and_redirection)
{
    put(0x0070, 0x0E00, "NEW.TXT");
    r.edx = 0x0E00;
    r.ecx = 0;
    call(0x3C00);
    cr_assert(!cf());
    uint16_t h = (uint16_t)r.eax;
    cr_assert_eq(h, 5, "after the five standard handles");
    put(0x0070, 0x0D00, "written");
    r.ebx = h;
    r.ecx = 7;
    r.edx = 0x0D00;
    call(0x4000);
    cr_assert_eq((uint16_t)r.eax, 7);
    /* stdout to the file: AH=02h lands there */
    r.ebx = h;
    r.ecx = 1;
    call(0x4600);
    cr_assert(!cf());
    r.edx = '!';
    call(0x0200);
    cr_assert_eq(nout, 0, "not on the screen");
    r.ebx = h;
    r.ecx = 0;
    r.edx = 0;
    call(0x4200);
    r.ebx = h;
    r.ecx = 100;
    r.edx = 0x0C00;
    call(0x3F00);
    cr_assert_eq((uint16_t)r.eax, 8);
    cr_assert_eq(memcmp(mem + 0x0700 + 0xC00, "written!", 8), 0);
    r.ebx = h;
    call(0x3E00);
    r.ebx = h;
    call(0x3E00);
    cr_assert(cf(), "closed twice");
    cr_assert_eq((uint16_t)r.eax, DOSERR_INVALID_HANDLE);
    put(0x0070, 0x0E00, "DATA.TXT");
    r.edx = 0x0E00;
    call(0x3D00);
    cr_assert(!cf());
    r.ebx = (uint16_t)r.eax;
    r.ecx = 0;
    r.edx = 0;
    call(0x4202);
    cr_assert_eq((uint16_t)r.eax, 20, "seek to the end: the size");
    r.edx = 0x0E00;
    put(0x0070, 0x0E00, "NUL");
    call(0x3D01);
    cr_assert(!cf(), "a device by name");
    r.ebx = (uint16_t)r.eax;
    call(0x4400);
    cr_assert_eq((uint16_t)r.edx & 0x80, 0x80, "a device");
}

Test(dos, console_io)
{
    put(0x0070, 0x0E00, "hi$");
    r.edx = 0x0E00;
    call(0x0900);
    cr_assert_str_eq(out, "hi");
    keys = "ab\bc\r";
    mem[0x0700 + 0xD00] = 10;
    r.edx = 0x0D00;
    call(0x0A00);
    cr_assert_eq(mem[0x0700 + 0xD01], 2);
    cr_assert_eq(memcmp(mem + 0x0700 + 0xD02, "ac\r", 3), 0);
    r.edx = 0xFF;
    call(0x0600);
    cr_assert(r.eflags & 0x40, "no key: ZF");
}

/* A Ctrl-C waiting in the BIOS's keyboard buffer (as VKD's INT 9 leaves it). */
static void bios_key(uint16_t k)
{
    mem[0x480] = 0x1E, mem[0x482] = 0x3E;
    mem[0x41A] = 0x1E, mem[0x41C] = 0x20;
    mem[0x41E] = (uint8_t)k, mem[0x41F] = (uint8_t)(k >> 8);
}

Test(dos, ctrl_c_abandons_the_call_and_runs_int_23h)
{
    keys = "ab\x03";                                   /* typed into a line: the line is lost */
    mem[0x0700 + 0xD00] = 10;
    r.edx = 0x0D00;
    r.esi = 0x1234;
    call(0x0A00);
    cr_assert_eq(brks, 1);
    cr_assert_str_eq(out, "ab^C\r\n");
    cr_assert_eq(brk_regs.eax & 0xFFFF, 0x0A00, "the call's registers again");
    cr_assert_eq(brk_regs.edx & 0xFFFF, 0x0D00);
    cr_assert_eq(brk_regs.esi, 0x1234);
    cr_assert_eq(mem[0x0700 + 0xD01], 0, "nothing read");
    keys = "\x03";                                      /* AH=01h and 08h see it, 07h does not */
    call(0x0100);
    cr_assert_eq(brks, 2);
    keys = "\x03";
    call(0x0800);
    cr_assert_eq(brks, 3);
    keys = "\x03";
    call(0x0700);
    cr_assert_eq(brks, 3);
    cr_assert_eq(r.eax & 0xFF, 3, "07h: the character");
    keys = "\x03";                                      /* handle 0 is CON: a line read */
    r.ebx = 0;
    r.ecx = 10;
    r.edx = 0x0D00;
    call(0x3F00);
    cr_assert_eq(brks, 4);
}

Test(dos, ctrl_c_waiting_stops_output_but_not_06h)
{
    bios_key(0x2E03);
    r.edx = 'A';
    call(0x0600);                                       /* direct output: not checked */
    cr_assert_str_eq(out, "A");
    cr_assert_eq(brks, 0);
    call(0x0200);
    cr_assert_str_eq(out, "A^C\r\n", "the character not written");
    cr_assert_eq(brks, 1);
    cr_assert_eq(mem[0x41A], 0x20, "the key taken from the BIOS's buffer");
    call(0x0200);
    cr_assert_str_eq(out, "A^C\r\nA");
    bios_key(0x1E61);                                   /* another key: left for the program */
    call(0x0200);
    cr_assert_eq(brks, 1);
    cr_assert_eq(mem[0x41A], 0x1E);
    bios_key(0x0000);                                   /* Ctrl+Break's 0000h: the same */
    call(0x0200);
    cr_assert_eq(brks, 2);
    cr_assert_eq(mem[0x41A], 0x20, "the Break taken from the BIOS's buffer");
    bios_key(0x2E03);                                   /* BREAK OFF: other calls do not look */
    call(0x3000);
    cr_assert_eq(brks, 2);
    r.edx = 1;
    call(0x3301);                                       /* BREAK ON: every call does */
    call(0x3000);
    cr_assert_eq(brks, 3);
}

Test(dos, ctrl_c_without_a_handler_ends_the_program)
{
    d.io.ctrl_c = 0;
    keys = "\x03";
    call(0x0100);
    cr_assert(d.ended, "the first program ended");
    cr_assert_eq(d.exit_code, 0x0100, "type 1, Ctrl-C (%04x)", d.exit_code);
}

Test(dos, find_and_directories)
{
    put(0x0070, 0x0E00, "*.COM");
    r.edx = 0x0E00;
    r.ecx = 0;
    call(0x4E00);
    cr_assert(!cf());
    uint32_t dta = 0x0700 + 0x80;
    cr_assert_str_eq((char *)mem + dta + 30, "EXIT.COM");
    call(0x4F00);
    cr_assert_str_eq((char *)mem + dta + 30, "BIG.COM");
    call(0x4F00);
    cr_assert(cf());
    cr_assert_eq((uint16_t)r.eax, DOSERR_NO_MORE_FILES);
    put(0x0070, 0x0E00, "SUB");
    r.edx = 0x0E00;
    call(0x3B00);
    cr_assert(!cf());
    r.esi = 0x0D00;
    r.edx = 0;
    call(0x4700);
    cr_assert_str_eq((char *)mem + 0x0700 + 0xD00, "SUB");
    put(0x0070, 0x0E00, "\\SUB");
    r.edx = 0x0E00;
    call(0x3A00);
    cr_assert_eq((uint16_t)r.eax, DOSERR_CURRENT_DIR);
}

Test(dos, version_and_unknown_functions)
{
    call(0x3000);
    cr_assert_eq((uint8_t)r.eax, 5);
    call(0x7300);
    cr_assert(cf());
    cr_assert(strstr(said, "AH=73h"), "%s", said);
}

Test(dos, a_child_of_a_child_gives_back_what_it_took)
{
    exec("EXIT.COM", "");                               /* the parent, as DOSTEST.COM */
    uint16_t parent = (uint16_t)r.ds;
    r.es = parent;
    r.ebx = 0x1000;
    call(0x4A00);
    cr_assert(!cf());
    uint32_t f0, f1, n0, n1;
    cr_assert_eq(dos_mcb_walk(&d, &f0, 0, &n0), 0);
    /* the parent's registers at its INT 21h: its own stack */
    r.ss = parent;
    r.esp = 0xFFF0;
    r.cs = STUB_SEG;
    put(parent, 0x200, "EXIT.COM");
    memset(mem + parent * 16u + 0x300, 0, 0x16);
    r.ds = r.es = parent;
    r.edx = 0x200;
    r.ebx = 0x300;
    call(0x4B00);
    cr_assert(!cf(), "%x %s", r.eax, said);
    uint16_t child = (uint16_t)r.ds;
    r.es = child;
    r.ebx = 0x100;
    call(0x4A00);
    cr_assert(!cf());
    r.ebx = 0x10;
    call(0x4800);
    cr_assert(!cf());
    call(0x4C2A);
    cr_assert_eq(r.ss, parent);
    cr_assert_eq(dos_mcb_walk(&d, &f1, 0, &n1), 0);
    cr_assert_eq(f1, f0, "free %x, was %x", f1, f0);
    cr_assert_eq(n1, n0, "blocks %u, were %u", n1, n0);
}

/* ---- FCBs ---- */

#define FCB     (0x0700u + 0xE00u)                      /* 0070:0E00 */
#define DTA     (0x0700u + 0xC00u)                      /* 0070:0C00 */

static void fcb(const char name11[12])
{
    memset(mem + FCB, 0, 44);
    memcpy(mem + FCB + 1, name11, 11);
    r.ds = 0x0070;
    r.edx = 0x0C00;
    call(0x1A00);                                       /* the DTA */
    r.edx = 0x0E00;
}
static uint8_t fcall(uint16_t ax)
{
    r.edx = 0x0E00;
    call(ax);
    return (uint8_t)r.eax;
}

Test(dos, fcb_open_and_sequential_reads)
{
    fcb("DATA    TXT");
    cr_assert_eq(fcall(0x0F00), 0);
    cr_assert_eq(mem[FCB], 3, "the drive: C:");
    cr_assert_eq(w(FCB + 0x0E), 128, "records of 128 bytes");
    cr_assert_eq(w(FCB + 0x10), 20, "the size");
    mem[FCB + 0x0E] = 8;                                /* 8-byte records, from record 0 */
    cr_assert_eq(fcall(0x1400), 0);
    cr_assert_eq(memcmp(mem + DTA, "line one", 8), 0);
    cr_assert_eq(mem[FCB + 0x20], 1, "the current record moves on");
    cr_assert_eq(fcall(0x1400), 0);
    cr_assert_eq(memcmp(mem + DTA, "\r\nline t", 8), 0);
    cr_assert_eq(fcall(0x1400), 3, "a partial record");
    cr_assert_eq(memcmp(mem + DTA, "wo\r\n\0\0\0\0", 8), 0, "padded with zeros");
    cr_assert_eq(fcall(0x1400), 1, "the end of the file");
    cr_assert_eq(fcall(0x1000), 0);
    fcb("NONE    TXT");
    cr_assert_eq(fcall(0x0F00), 0xFF);
    cr_assert_eq(fcall(0x1400), 0xFF, "never opened");
    fcb("DATA    ???");
    cr_assert_eq(fcall(0x0F00), 0xFF, "no wildcards in an open");
    mem[FCB] = 1;
    memcpy(mem + FCB + 1, "DATA    TXT", 11);
    cr_assert_eq(fcall(0x0F00), 0xFF, "drive A:");
}

Test(dos, fcb_create_write_random_and_blocks)
{
    fcb("NEW     DAT");
    cr_assert_eq(fcall(0x1600), 0);
    mem[FCB + 0x0E] = 4;
    memcpy(mem + DTA, "abcd", 4);
    cr_assert_eq(fcall(0x1500), 0);
    memcpy(mem + DTA, "efgh", 4);
    cr_assert_eq(fcall(0x1500), 0);
    cr_assert_eq(w(FCB + 0x10), 8, "the size follows");
    cr_assert_eq(fcall(0x2300), 0);
    cr_assert_eq(w(FCB + 0x21), 2, "two records");
    mem[FCB + 0x21] = 1;                                /* random record 1 */
    cr_assert_eq(fcall(0x2100), 0);
    cr_assert_eq(memcmp(mem + DTA, "efgh", 4), 0);
    cr_assert_eq(mem[FCB + 0x20], 1, "the current record set from it");
    cr_assert_eq(w(FCB + 0x21), 1, "not moved on");
    memcpy(mem + DTA, "WXYZ", 4);
    mem[FCB + 0x21] = 3;
    cr_assert_eq(fcall(0x2200), 0);
    cr_assert_eq(w(FCB + 0x10), 16, "written past the end: a gap of zeros");
    mem[FCB + 0x20] = 2;
    cr_assert_eq(fcall(0x2400), 0);
    cr_assert_eq(w(FCB + 0x21), 2, "24h: the random record from the current one");
    mem[FCB + 0x21] = 0;
    r.ecx = 4;
    cr_assert_eq(fcall(0x2700), 0);
    cr_assert_eq(r.ecx & 0xFFFF, 4);
    cr_assert_eq(memcmp(mem + DTA, "abcdefgh\0\0\0\0WXYZ", 16), 0);
    cr_assert_eq(w(FCB + 0x21), 4, "the random record moves on");
    r.ecx = 4;
    cr_assert_eq(fcall(0x2700), 1, "nothing more");
    cr_assert_eq(r.ecx & 0xFFFF, 0);
    mem[FCB + 0x21] = 1;
    r.ecx = 0;
    cr_assert_eq(fcall(0x2800), 0);
    cr_assert_eq(w(FCB + 0x10), 4, "28h with CX 0: the size set");
    memcpy(mem + DTA, "1234567812345678", 16);
    mem[FCB + 0x21] = 0;
    r.ecx = 2;
    cr_assert_eq(fcall(0x2800), 0);
    cr_assert_eq(w(FCB + 0x10), 8);
    cr_assert_eq(fcall(0x1000), 0);
    cr_assert_eq(fcall(0x1600), 0, "create again: truncated");
    cr_assert_eq(w(FCB + 0x10), 0);
    r.edx = 0xFFF0;                                     /* a DTA whose records cross 64 KB */
    call(0x1A00);
    mem[FCB + 0x21] = 0;
    r.ecx = 8;
    cr_assert_eq(fcall(0x2800), 2);
}

Test(dos, fcb_find_rename_delete)
{
    fcb("????????COM");
    unsigned n = 0;
    for (uint8_t al = fcall(0x1100); al == 0; al = fcall(0x1200)) {
        cr_assert_eq(mem[DTA], 3);
        cr_assert_eq(memcmp(mem + DTA + 9, "COM", 3), 0);
        n++;
    }
    cr_assert_eq(n, 2, "EXIT.COM and BIG.COM (%u)", n);
    fcb("DATA    TXT");                                 /* the entry: size at 1Dh after the drive */
    cr_assert_eq(fcall(0x1100), 0);
    cr_assert_eq(w(DTA + 1 + 0x1C), 20);
    fcb("EXIT    COM");
    memcpy(mem + FCB + 0x11, "QUIT    ???", 11);
    cr_assert_eq(fcall(0x1700), 0);
    cr_assert_eq(fcall(0x0F00), 0xFF, "the old name is gone");
    fcb("QUIT    COM");
    cr_assert_eq(fcall(0x0F00), 0, "the new one kept the extension");
    cr_assert_eq(fcall(0x1300), 0);
    cr_assert_eq(fcall(0x1300), 0xFF, "nothing left to delete");
    cr_assert_eq(fcall(0x1400), 0xFF, "an FCB open on a deleted file");
    mem[FCB - 7] = 0xFF;                                /* an extended FCB for a directory */
    memset(mem + FCB - 6, 0, 5);
    mem[FCB - 1] = 0x10;
    memcpy(mem + FCB + 1, "SUB        ", 11);
    r.edx = 0x0E00 - 7;
    call(0x1100);
    cr_assert_eq(r.eax & 0xFF, 0);
    cr_assert_eq(mem[DTA], 0xFF, "an extended entry");
    cr_assert_eq(mem[DTA + 7 + 12], 0x10);
}
