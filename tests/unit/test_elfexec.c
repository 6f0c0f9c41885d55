/*
 * Host tests for efi/elfexec.c: validation of the VMM image (ELF32 i386 ET_EXEC) before loading.
 *
 * Every image is built in the test by build_image() and handed to elfexec_check() in a malloc'd
 * buffer of exactly the claimed length, so that AddressSanitizer reports any read past the end.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/layout.h"
#include "elfexec.h"
#include "lib/elf32.h"
#include "testlib.h"

#define LO 0xC0000000u
#define HI 0xF0000000u
#define PG 4096u

#define IMG_CAP 0x1000u
#define GOOD_LEN 0x310u
#define GOOD_ENTRY 0xC0001010u

/* An image under construction: aligned bytes, with typed views of the header and the phdrs
 * (the program header table always sits right after the ELF header, at offset 52). */
struct image {
    union {
        unsigned char b[IMG_CAP];
        uint32_t align;
    } u;
    size_t len;
};

static Elf32_Ehdr *ehdr(struct image *im) { return (Elf32_Ehdr *)im->u.b; }
static Elf32_Phdr *phdr(struct image *im) { return (Elf32_Phdr *)(im->u.b + sizeof(Elf32_Ehdr)); }

static Elf32_Phdr load(uint32_t off, uint32_t vaddr, uint32_t filesz, uint32_t memsz, uint32_t flags)
{
    return (Elf32_Phdr){ PT_LOAD, off, vaddr, vaddr, filesz, memsz, flags, PG };
}

/* Writes a valid ELF header (phoff 52, phnum n) followed by the n program headers; the rest of the
 * file up to len is a byte pattern standing for segment contents. */
static void build_image(struct image *im, const Elf32_Phdr *ph, unsigned n, uint32_t entry, size_t len)
{
    cr_assert_leq(sizeof(Elf32_Ehdr) + n * sizeof(Elf32_Phdr), IMG_CAP);
    cr_assert_leq(len, IMG_CAP);
    for (size_t i = 0; i < IMG_CAP; i++)
        im->u.b[i] = (unsigned char)(0xA5 ^ i);
    Elf32_Ehdr *h = ehdr(im);
    memset(h, 0, sizeof *h);
    memcpy(h->e_ident, ELFMAG, 4);
    h->e_ident[EI_CLASS] = ELFCLASS32;
    h->e_ident[EI_DATA] = ELFDATA2LSB;
    h->e_ident[EI_VERSION] = EV_CURRENT;
    h->e_type = ET_EXEC;
    h->e_machine = EM_386;
    h->e_version = EV_CURRENT;
    h->e_entry = entry;
    h->e_phoff = sizeof(Elf32_Ehdr);
    h->e_ehsize = sizeof(Elf32_Ehdr);
    h->e_phentsize = sizeof(Elf32_Phdr);
    h->e_phnum = (uint16_t)n;
    h->e_shentsize = sizeof(Elf32_Shdr);
    memcpy(phdr(im), ph, n * sizeof *ph);
    im->len = len;
}

/* The good image: text (R X), rodata (R), data+bss (R W, memsz > filesz) on consecutive pages, and
 * a PT_GNU_STACK entry (memsz 0) that must be ignored. Segment bytes at 0x100, 0x200, 0x300. */
#define GOOD_NPH 4
static void good_phdrs(Elf32_Phdr ph[GOOD_NPH])
{
    ph[0] = load(0x100, 0xC0001000u, 0x40, 0x40, PF_R | PF_X);
    ph[1] = load(0x200, 0xC0002000u, 0x20, 0x20, PF_R);
    ph[2] = load(0x300, 0xC0003000u, 0x10, 0x2000, PF_R | PF_W);
    ph[3] = (Elf32_Phdr){ PT_GNU_STACK, 0, 0, 0, 0, 0, PF_R | PF_W, 16 };
}

static void good_image(struct image *im)
{
    Elf32_Phdr ph[GOOD_NPH];
    good_phdrs(ph);
    build_image(im, ph, GOOD_NPH, GOOD_ENTRY, GOOD_LEN);
}

/* Runs elfexec_check on an exact-size heap copy of the first len bytes. */
static int check_bytes(const void *bytes, size_t len, uint32_t lo, uint32_t hi, struct elfexec *out,
                       struct kerr *e)
{
    unsigned char *copy = malloc(len ? len : 1);
    cr_assert_not_null(copy);
    memcpy(copy, bytes, len);
    int r = elfexec_check(copy, len, lo, hi, out, e);
    free(copy);
    return r;
}

static int check(struct image *im, struct elfexec *out, struct kerr *e)
{
    return check_bytes(im->u.b, im->len, LO, HI, out, e);
}

/* Asserts rejection, and that the message names the problem (each key must appear). */
static void expect_reject(struct image *im, const char *key1, const char *key2)
{
    struct elfexec out;
    struct kerr e;
    memset(&e, 0, sizeof e);
    int r = check(im, &out, &e);
    cr_assert_eq(r, -1, "expected rejection (%s), got %d", key1, r);
    cr_assert(strstr(e.msg, key1), "message \"%s\" should mention \"%s\"", e.msg, key1);
    if (key2)
        cr_assert(strstr(e.msg, key2), "message \"%s\" should mention \"%s\"", e.msg, key2);
}

static void expect_accept(struct image *im, struct elfexec *out)
{
    struct kerr e;
    strcpy(e.msg, "(no message)");
    int r = check(im, out, &e);
    cr_assert_eq(r, 0, "expected acceptance, got %d: %s", r, e.msg);
}

/* ---- acceptance ------------------------------------------------------------------------------ */

/* The minimal good image is accepted; the result lists the three PT_LOAD segments in file order
 * with their exact addresses, sizes, offsets and rights, and the entry point. */
Test(elfexec, accepts_minimal_image_with_exact_segments)
{
    struct image im;
    struct elfexec out;
    good_image(&im);
    memset(&out, 0xEE, sizeof out);
    expect_accept(&im, &out);
    cr_assert_eq(out.entry, GOOD_ENTRY);
    cr_assert_eq(out.nseg, 3);
    const struct elfexec_seg want[3] = {
        { 0xC0001000u, 0x40, 0x40, 0x100, PF_R | PF_X },
        { 0xC0002000u, 0x20, 0x20, 0x200, PF_R },
        { 0xC0003000u, 0x2000, 0x10, 0x300, PF_R | PF_W },
    };
    for (unsigned i = 0; i < 3; i++) {
        cr_assert_eq(out.seg[i].vaddr, want[i].vaddr, "seg %u vaddr", i);
        cr_assert_eq(out.seg[i].memsz, want[i].memsz, "seg %u memsz", i);
        cr_assert_eq(out.seg[i].filesz, want[i].filesz, "seg %u filesz", i);
        cr_assert_eq(out.seg[i].offset, want[i].offset, "seg %u offset", i);
        cr_assert_eq(out.seg[i].flags, want[i].flags, "seg %u flags", i);
    }
}

/* p_flags bits other than R/W/X (OS/processor specific) are not passed on. */
Test(elfexec, result_flags_keep_only_rwx)
{
    struct image im;
    struct elfexec out;
    good_image(&im);
    phdr(&im)[1].p_flags |= 0x0ff00000u;
    expect_accept(&im, &out);
    cr_assert_eq(out.seg[1].flags, PF_R);
}

/* Segments may end exactly at hi and start exactly at lo (the region is [lo, hi)). */
Test(elfexec, segments_touching_region_bounds_are_accepted)
{
    struct image im;
    struct elfexec out;
    Elf32_Phdr ph[2] = {
        load(0x100, LO, 0x40, 0x40, PF_R | PF_X),
        load(0x200, HI - PG, 0x20, PG, PF_R | PF_W),
    };
    build_image(&im, ph, 2, LO, 0x300);
    expect_accept(&im, &out);
    cr_assert_eq(out.nseg, 2);
    cr_assert_eq(out.seg[1].vaddr + out.seg[1].memsz, HI);
}

/* Alignment 0 and 1 mean "no constraint"; any power of two is fine. */
Test(elfexec, alignment_zero_one_and_powers_of_two_accepted)
{
    const uint32_t aligns[] = { 0, 1, 2, 4, 16, 4096, 0x200000, 0x80000000u };
    for (unsigned i = 0; i < sizeof aligns / sizeof aligns[0]; i++) {
        struct image im;
        struct elfexec out;
        good_image(&im);
        phdr(&im)[1].p_align = aligns[i];
        expect_accept(&im, &out);
    }
}

/* The entry point must lie inside [vaddr, vaddr + memsz) of an executable segment: the last
 * byte is fine, one past it is not. */
Test(elfexec, entry_point_bounds_of_executable_segment)
{
    struct image im;
    struct elfexec out;
    good_image(&im);
    ehdr(&im)->e_entry = 0xC0001000u + 0x3f;
    expect_accept(&im, &out);
    ehdr(&im)->e_entry = 0xC0001000u;
    expect_accept(&im, &out);
    ehdr(&im)->e_entry = 0xC0001000u + 0x40;
    expect_reject(&im, "entry point", "c0001040");
}

/* Exactly 16 loadable segments (the table size) are accepted. */
Test(elfexec, sixteen_segments_accepted)
{
    struct image im;
    struct elfexec out;
    Elf32_Phdr ph[16];
    for (unsigned i = 0; i < 16; i++)
        ph[i] = load(0, LO + i * PG, 0, PG, i ? PF_R : PF_R | PF_X);
    build_image(&im, ph, 16, LO, 0x400);
    expect_accept(&im, &out);
    cr_assert_eq(out.nseg, 16);
    cr_assert_eq(out.seg[15].vaddr, LO + 15 * PG);
}

/* ---- header rejections ----------------------------------------------------------------------- */

/* Shorter than an ELF header: rejected before any field is read (ASan checks the latter). */
Test(elfexec, rejects_too_short)
{
    struct image im;
    good_image(&im);
    im.len = 51;
    expect_reject(&im, "too short", "51");
    im.len = 0;
    expect_reject(&im, "too short", "0 bytes");
}

Test(elfexec, rejects_bad_magic)
{
    struct image im;
    good_image(&im);
    im.u.b[1] = 'X';
    expect_reject(&im, "not an ELF", "58");
}

Test(elfexec, rejects_class_64)
{
    struct image im;
    good_image(&im);
    ehdr(&im)->e_ident[EI_CLASS] = 2;
    expect_reject(&im, "class 2", NULL);
}

Test(elfexec, rejects_big_endian)
{
    struct image im;
    good_image(&im);
    ehdr(&im)->e_ident[EI_DATA] = 2;
    expect_reject(&im, "little-endian", "encoding 2");
}

/* Both version fields must be EV_CURRENT. */
Test(elfexec, rejects_wrong_version)
{
    struct image im;
    good_image(&im);
    ehdr(&im)->e_version = 7;
    expect_reject(&im, "version 7", NULL);
    good_image(&im);
    ehdr(&im)->e_ident[EI_VERSION] = 0;
    expect_reject(&im, "version", NULL);
}

Test(elfexec, rejects_relocatable_and_shared)
{
    struct image im;
    good_image(&im);
    ehdr(&im)->e_type = ET_REL;
    expect_reject(&im, "type 1", "executable");
    ehdr(&im)->e_type = 3;  /* ET_DYN */
    expect_reject(&im, "type 3", "executable");
}

Test(elfexec, rejects_x86_64_machine)
{
    struct image im;
    good_image(&im);
    ehdr(&im)->e_machine = 62;  /* EM_X86_64 */
    expect_reject(&im, "machine 62", "i386");
}

Test(elfexec, rejects_wrong_ehsize)
{
    struct image im;
    good_image(&im);
    ehdr(&im)->e_ehsize = 64;
    expect_reject(&im, "header size 64", NULL);
}

Test(elfexec, rejects_wrong_phentsize)
{
    struct image im;
    good_image(&im);
    ehdr(&im)->e_phentsize = 56;
    expect_reject(&im, "entry size 56", NULL);
}

Test(elfexec, rejects_zero_phnum)
{
    struct image im;
    good_image(&im);
    ehdr(&im)->e_phnum = 0;
    expect_reject(&im, "no program headers", NULL);
}

/* The table must lie inside the file; the last byte of the last entry may be the file's last. */
Test(elfexec, rejects_phdr_table_past_end)
{
    struct image im;
    good_image(&im);
    ehdr(&im)->e_phoff = GOOD_LEN - GOOD_NPH * 32 + 4;
    expect_reject(&im, "past the end", NULL);
    ehdr(&im)->e_phnum = 0xffff;
    ehdr(&im)->e_phoff = 52;
    expect_reject(&im, "65535 entries", "past the end");
}

/* phoff + phnum * 32 computed in 32 bits would wrap to a small number; the check must not. */
Test(elfexec, rejects_phdr_table_offset_overflow)
{
    struct image im;
    good_image(&im);
    ehdr(&im)->e_phoff = 0xFFFFFFE0u;   /* + 4 * 32 = 0x1_0000_0060 */
    expect_reject(&im, "past the end", "0xffffffe0");
}

Test(elfexec, rejects_misaligned_phdr_table)
{
    struct image im;
    good_image(&im);
    ehdr(&im)->e_phoff = 54;
    expect_reject(&im, "aligned", "0x36");
}

/* ---- segment rejections ---------------------------------------------------------------------- */

Test(elfexec, rejects_filesz_greater_than_memsz)
{
    struct image im;
    good_image(&im);
    phdr(&im)[1].p_filesz = 0x21;
    expect_reject(&im, "segment 1", "exceeds memory size");
}

/* Segment bytes must lie in the file: offset + filesz == len is fine, len + 1 is not. */
Test(elfexec, rejects_segment_bytes_past_eof)
{
    struct image im;
    struct elfexec out;
    good_image(&im);
    phdr(&im)[2].p_filesz = GOOD_LEN - 0x300;
    expect_accept(&im, &out);
    phdr(&im)[2].p_filesz = GOOD_LEN - 0x300 + 1;
    expect_reject(&im, "segment 2", "beyond the end");
}

/* offset + filesz wrapping in 32 bits (0xFFFFFF00 + 0x200 = 0x100) must still be caught. */
Test(elfexec, rejects_segment_offset_overflow)
{
    struct image im;
    good_image(&im);
    phdr(&im)[1].p_offset = 0xFFFFFF00u;
    phdr(&im)[1].p_filesz = 0x200;
    phdr(&im)[1].p_memsz = 0x200;
    expect_reject(&im, "segment 1", "beyond the end");
}

Test(elfexec, rejects_alignment_not_power_of_two)
{
    struct image im;
    good_image(&im);
    phdr(&im)[0].p_align = 0x1800;
    expect_reject(&im, "power of two", "0x1800");
    phdr(&im)[0].p_align = 3;
    expect_reject(&im, "power of two", NULL);
}

Test(elfexec, rejects_segment_below_lo)
{
    struct image im;
    good_image(&im);
    phdr(&im)[0].p_vaddr = LO - PG;
    expect_reject(&im, "outside", "bffff000");
}

Test(elfexec, rejects_segment_ending_above_hi)
{
    struct image im;
    good_image(&im);
    phdr(&im)[2].p_vaddr = HI - PG;     /* memsz 0x2000: one page too many */
    expect_reject(&im, "outside", "segment 2");
}

/* vaddr + memsz beyond 4 GB would wrap to a low address in 32 bits; it must be rejected. */
Test(elfexec, rejects_segment_wrapping_4gb)
{
    struct image im;
    good_image(&im);
    phdr(&im)[2].p_vaddr = 0xC0004000u;
    phdr(&im)[2].p_memsz = 0x40000000u;   /* ends at 0x1_0000_4000 */
    expect_reject(&im, "outside", "100004000");
    struct elfexec out;
    struct kerr e;
    /* also with the widest possible region */
    cr_assert_eq(check_bytes(im.u.b, im.len, 0, 0xFFFFFFFFu, &out, &e), -1);
    cr_assert(strstr(e.msg, "outside"), "%s", e.msg);
}

Test(elfexec, rejects_writable_and_executable_segment)
{
    struct image im;
    good_image(&im);
    phdr(&im)[0].p_flags = PF_R | PF_W | PF_X;
    expect_reject(&im, "W^X", "c0001000");
}

/* Two segments that share a page (even without overlapping bytes) are refused: the data segment
 * moved into rodata's page, and rodata grown into the data segment's first page. */
Test(elfexec, rejects_segments_sharing_a_page)
{
    struct image im;
    good_image(&im);
    phdr(&im)[2].p_vaddr = 0xC0002800u;
    expect_reject(&im, "shares a page", "c0002000");
    good_image(&im);
    phdr(&im)[1].p_memsz = 0x1001;      /* 0xC0002000..0xC0003001 touches the data page */
    expect_reject(&im, "shares a page", NULL);
}

Test(elfexec, rejects_interp_and_dynamic)
{
    struct image im;
    good_image(&im);
    phdr(&im)[3].p_type = PT_INTERP;
    expect_reject(&im, "dynamic linking", "type 3");
    phdr(&im)[3].p_type = PT_DYNAMIC;
    expect_reject(&im, "dynamic linking", "type 2");
}

/* No PT_LOAD at all, or only empty ones. */
Test(elfexec, rejects_no_loadable_segment)
{
    struct image im;
    good_image(&im);
    for (unsigned i = 0; i < 3; i++)
        phdr(&im)[i].p_type = PT_NOTE;
    expect_reject(&im, "no loadable segment", NULL);
    good_image(&im);
    for (unsigned i = 0; i < 3; i++)
        phdr(&im)[i].p_memsz = phdr(&im)[i].p_filesz = 0;
    expect_reject(&im, "no loadable segment", NULL);
}

/* The entry point in a non-executable segment, or in no segment at all. */
Test(elfexec, rejects_entry_outside_executable_segment)
{
    struct image im;
    good_image(&im);
    ehdr(&im)->e_entry = 0xC0002004u;   /* rodata */
    expect_reject(&im, "entry point", "c0002004");
    ehdr(&im)->e_entry = 0xD0000000u;   /* nothing */
    expect_reject(&im, "entry point", "d0000000");
}

Test(elfexec, rejects_more_than_16_segments)
{
    struct image im;
    Elf32_Phdr ph[17];
    for (unsigned i = 0; i < 17; i++)
        ph[i] = load(0, LO + i * PG, 0, PG, i ? PF_R : PF_R | PF_X);
    build_image(&im, ph, 17, LO, 0x400);
    expect_reject(&im, "more than 16", NULL);
}

/* ---- the real VMM image ---------------------------------------------------------------------- */

/* The VMM32.VXD that `make all` produced passes the loader's check with the real region, and its
 * segments are page-aligned in memory and in the file. */
Test(elfexec, real_vmm_image_is_accepted)
{
    size_t len;
    unsigned char *f = read_file("esp/VMM/VMM32.VXD", &len);
    if (!f)
        cr_skip_test("esp/VMM/VMM32.VXD not found (run `make all` from the tree root first)");
    struct elfexec out;
    struct kerr e;
    strcpy(e.msg, "(none)");
    int r = elfexec_check(f, len, SYSTEM_BASE, PHYSMAP_BASE, &out, &e);
    free(f);
    cr_assert_eq(r, 0, "VMM32.VXD rejected: %s", e.msg);
    cr_assert_geq(out.nseg, 1);
    int have_x = 0;
    for (unsigned i = 0; i < out.nseg; i++) {
        cr_assert_eq(out.seg[i].vaddr % PG, 0, "segment %u vaddr 0x%x", i, out.seg[i].vaddr);
        cr_assert_eq(out.seg[i].offset % PG, 0, "segment %u offset 0x%x", i, out.seg[i].offset);
        cr_assert_geq(out.seg[i].vaddr, 0xC0000000u);
        cr_assert_leq((uint64_t)out.seg[i].vaddr + out.seg[i].memsz, 0xF0000000ull);
        have_x |= (out.seg[i].flags & PF_X) != 0;
    }
    cr_assert(have_x);
}

/* ---- robustness ------------------------------------------------------------------------------ */

static uint64_t rng_state;
static uint64_t rnd(void) { return rng_next(&rng_state); }

static uint32_t interesting32(void)
{
    static const uint32_t v[] = { 0, 1, 2, 3, 4, 0x20, 0x34, 0x100, 0x310, 0x311, 0x1000, 0x1001,
                                  0x7fffffffu, 0x80000000u, 0xBFFFF000u, 0xC0000000u, 0xC0001000u,
                                  0xC0001fffu, 0xC0002800u, 0xEFFFF000u, 0xF0000000u, 0xFFFFF000u,
                                  0xFFFFFFE0u, 0xFFFFFFFFu };
    return v[rnd() % (sizeof v / sizeof v[0])];
}

/* The invariants elfexec.h promises for every accepted file. */
static void check_invariants(const struct elfexec *o, size_t len, unsigned iter)
{
    cr_assert(o->nseg >= 1 && o->nseg <= ELFEXEC_MAX_SEGS, "iter %u: nseg %u", iter, o->nseg);
    int entry_ok = 0;
    for (unsigned i = 0; i < o->nseg; i++) {
        const struct elfexec_seg *s = &o->seg[i];
        uint64_t end = (uint64_t)s->vaddr + s->memsz;
        cr_assert(s->memsz > 0, "iter %u", iter);
        cr_assert(s->vaddr >= LO && end <= HI, "iter %u: seg %u 0x%x+0x%x outside", iter, i,
                  s->vaddr, s->memsz);
        cr_assert(!((s->flags & PF_W) && (s->flags & PF_X)), "iter %u: seg %u W+X", iter, i);
        cr_assert(s->filesz <= s->memsz, "iter %u", iter);
        cr_assert((uint64_t)s->offset + s->filesz <= len, "iter %u: seg %u bytes past EOF", iter, i);
        for (unsigned j = 0; j < i; j++) {
            const struct elfexec_seg *t = &o->seg[j];
            uint64_t sl = (end - 1) / PG, tl = ((uint64_t)t->vaddr + t->memsz - 1) / PG;
            cr_assert(sl < t->vaddr / PG || tl < s->vaddr / PG, "iter %u: segs %u, %u share a page",
                      iter, j, i);
        }
        if ((s->flags & PF_X) && o->entry >= s->vaddr && o->entry - s->vaddr < s->memsz)
            entry_ok = 1;
    }
    cr_assert(entry_ok, "iter %u: entry 0x%x not in an X segment", iter, o->entry);
}

/* 20000 seeded mutations of the good image (byte flips concentrated on the headers, interesting
 * 32-bit values written into header fields, truncation): no crash, no out-of-bounds read (ASan),
 * and every accepted mutant satisfies the documented invariants. */
Test(elfexec, random_mutations_never_crash_and_keep_invariants)
{
    struct image base;
    good_image(&base);
    rng_state = 0x5eed0001;
    unsigned accepted = 0, rejected = 0;
    unsigned char buf[IMG_CAP];
    const size_t hdr_bytes = sizeof(Elf32_Ehdr) + GOOD_NPH * sizeof(Elf32_Phdr);

    for (unsigned iter = 0; iter < 20000; iter++) {
        memcpy(buf, base.u.b, GOOD_LEN);
        size_t len = GOOD_LEN;
        unsigned nmut = 1 + (unsigned)(rnd() % 4);
        for (unsigned m = 0; m < nmut; m++) {
            switch (rnd() % 6) {
            case 0: case 1:     /* flip bits of a header byte */
                buf[rnd() % hdr_bytes] ^= (unsigned char)(1u << (rnd() % 8));
                break;
            case 2:             /* random byte anywhere in what is left of the file */
                if (len)
                    buf[rnd() % len] = (unsigned char)rnd();
                break;
            case 3: {           /* an interesting value into an aligned header word */
                size_t at = (rnd() % (hdr_bytes / 4)) * 4;
                uint32_t v = interesting32();
                memcpy(buf + at, &v, 4);
                break;
            }
            case 4: {           /* phnum / flags / type fiddling */
                uint16_t n = (uint16_t)(rnd() % 20);
                memcpy(buf + 44, &n, 2);
                break;
            }
            case 5:             /* truncate */
                len = (size_t)(rnd() % (len + 1));
                break;
            }
        }
        unsigned char *copy = malloc(len ? len : 1);
        cr_assert_not_null(copy);
        memcpy(copy, buf, len);
        struct elfexec out;
        struct kerr e;
        e.msg[0] = 0;
        int r = elfexec_check(copy, len, LO, HI, &out, &e);
        free(copy);
        if (r == 0) {
            accepted++;
            check_invariants(&out, len, iter);
        } else {
            rejected++;
            cr_assert_eq(r, -1, "iter %u", iter);
            cr_assert(e.msg[0] != 0, "iter %u: rejection without a message", iter);
            cr_assert(memchr(e.msg, 0, sizeof e.msg), "iter %u: message not terminated", iter);
        }
    }
    /* The mutation mix must exercise both outcomes, or the test checks nothing. */
    cr_assert_gt(accepted, 100, "only %u accepted", accepted);
    cr_assert_gt(rejected, 1000, "only %u rejected", rejected);
}

/* ---- regressions: defects found in efi/elfexec.c and fixed ---------- */

/* When e_ident[EI_VERSION] is wrong but e_version is 1, the message prints e_version and reads
 * "ELF version 1, expected 1": it should name the bad value (0 here). */
Test(elfexec, ident_version_message_names_the_bad_field)
{
    struct image im;
    good_image(&im);
    ehdr(&im)->e_ident[EI_VERSION] = 0;
    expect_reject(&im, "version 0", NULL);
}
