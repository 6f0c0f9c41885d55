/*
 * Host tests for vmm/boot/elfsym.c: address -> symbol lookup in an ELF32 symbol table.
 *
 * A synthetic ELF32 file with .symtab/.strtab is built in the test, in one of two layouts (section
 * headers last, or section headers first and the string table last), always in an exact-size heap
 * buffer so that AddressSanitizer reports any read past its end.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/elf32.h"
#include "boot/elfsym.h"
#include "testlib.h"

struct symspec {
    const char *name;           /* NULL: st_name 0 */
    uint32_t value, size;
    unsigned type;
    uint16_t shndx;
};

#define TEXT 1                  /* section index of .text */
static const struct symspec syms[] = {
    { "", 0, 0, STT_NOTYPE, SHN_UNDEF },                /* 0: the null symbol */
    { "func_a", 0x1000, 0x100, STT_FUNC, TEXT },        /* 1 */
    { "obj_b", 0x2000, 0x10, STT_OBJECT, TEXT },        /* 2 */
    { "label_c", 0x100000, 0, STT_NOTYPE, TEXT },       /* 3: bare label, 64 KB reach */
    { "undef_d", 0x4000, 0x100, STT_FUNC, SHN_UNDEF },  /* 4: undefined: ignored */
    { "tie_label", 0x200000, 0, STT_NOTYPE, TEXT },     /* 5: label before the sized twin */
    { "tie_func", 0x200000, 0x20, STT_FUNC, TEXT },     /* 6 */
    { "tie2_func", 0x300000, 0x20, STT_FUNC, TEXT },    /* 7: sized twin before the label */
    { "tie2_label", 0x300000, 0, STT_NOTYPE, TEXT },    /* 8 */
    { "sect", 0x8000, 0x100, STT_SECTION, TEXT },       /* 9: section symbols are ignored */
    { "file.c", 0x9000, 0x100, STT_FILE, SHN_ABS },     /* 10: file symbols are ignored */
    { NULL, 0xA000, 0x10, STT_FUNC, TEXT },             /* 11: no name: ignored */
    { "big_f", 0x20000, 0x1000, STT_FUNC, TEXT },       /* 12: contains inner_f */
    { "inner_f", 0x20100, 0x10, STT_FUNC, TEXT },       /* 13 */
    { "abs_obj", 0x30000, 0x8, STT_OBJECT, SHN_ABS },   /* 14: absolute symbols count */
    { "abs_size", 0x50, 0, STT_NOTYPE, SHN_ABS },       /* 15: ... but an unsized absolute one
                                                           is a value (objcopy's _size), not a place */
    { "last_name", 0x40000, 0x10, STT_FUNC, TEXT },     /* 16: its name ends the strtab */
};
#define NSYMS (sizeof syms / sizeof syms[0])
#define NSECT 4                 /* NULL, .text, .symtab, .strtab */

enum layout { SHDRS_LAST, STRTAB_LAST };

struct elf {
    unsigned char *p;           /* exact-size heap buffer */
    size_t len;
    uint32_t shoff, symoff, stroff, strsize;
    uint32_t name_off[NSYMS];
};

static Elf32_Ehdr *ehdr(struct elf *f) { return (Elf32_Ehdr *)f->p; }
static Elf32_Shdr *shdr(struct elf *f, unsigned i) { return (Elf32_Shdr *)(f->p + f->shoff) + i; }
static Elf32_Sym *sym(struct elf *f, unsigned i) { return (Elf32_Sym *)(f->p + f->symoff) + i; }

static uint32_t align4(uint32_t x) { return (x + 3) & ~3u; }

static struct elf build(enum layout layout)
{
    struct elf f;
    memset(&f, 0, sizeof f);
    /* the string table: "\0" then each name, NUL-terminated */
    char strtab[512];
    uint32_t sl = 1;
    strtab[0] = 0;
    for (unsigned i = 0; i < NSYMS; i++) {
        if (!syms[i].name || !*syms[i].name)
            continue;
        f.name_off[i] = sl;
        size_t n = strlen(syms[i].name) + 1;
        memcpy(strtab + sl, syms[i].name, n);
        sl += (uint32_t)n;
    }
    f.strsize = sl;
    uint32_t symsize = NSYMS * sizeof(Elf32_Sym), shsize = NSECT * sizeof(Elf32_Shdr);
    if (layout == SHDRS_LAST) {
        f.stroff = sizeof(Elf32_Ehdr);
        f.symoff = align4(f.stroff + f.strsize);
        f.shoff = f.symoff + symsize;
        f.len = f.shoff + shsize;
    } else {
        f.shoff = sizeof(Elf32_Ehdr);
        f.symoff = f.shoff + shsize;
        f.stroff = f.symoff + symsize;
        f.len = f.stroff + f.strsize;
    }
    f.p = calloc(1, f.len);
    cr_assert_not_null(f.p);

    Elf32_Ehdr *h = ehdr(&f);
    memcpy(h->e_ident, ELFMAG, 4);
    h->e_ident[EI_CLASS] = ELFCLASS32;
    h->e_ident[EI_DATA] = ELFDATA2LSB;
    h->e_ident[EI_VERSION] = EV_CURRENT;
    h->e_type = ET_EXEC;
    h->e_machine = EM_386;
    h->e_version = EV_CURRENT;
    h->e_shoff = f.shoff;
    h->e_ehsize = sizeof(Elf32_Ehdr);
    h->e_shentsize = sizeof(Elf32_Shdr);
    h->e_shnum = NSECT;

    memcpy(f.p + f.stroff, strtab, f.strsize);
    for (unsigned i = 0; i < NSYMS; i++)
        *sym(&f, i) = (Elf32_Sym){ f.name_off[i], syms[i].value, syms[i].size,
                                   (unsigned char)((i ? 1 : 0) << 4 | syms[i].type), 0,
                                   syms[i].shndx };
    *shdr(&f, 1) = (Elf32_Shdr){ 0, SHT_PROGBITS, 6, 0x1000, 0, 0, 0, 0, 16, 0 };
    *shdr(&f, 2) = (Elf32_Shdr){ 0, SHT_SYMTAB, 0, 0, f.symoff, symsize, 3, 1, 4, sizeof(Elf32_Sym) };
    *shdr(&f, 3) = (Elf32_Shdr){ 0, SHT_STRTAB, 0, 0, f.stroff, f.strsize, 0, 0, 1, 0 };
    return f;
}

/* Looks addr up; if found, checks the name lies inside the file and is terminated there. */
static int lookup(struct elf *f, uint32_t addr, const char **name, uint32_t *off)
{
    *name = NULL;
    *off = 0xdeadbeef;
    int r = elfsym_lookup(f->p, f->len, addr, name, off);
    if (r) {
        cr_assert(*name >= (const char *)f->p && *name < (const char *)f->p + f->len,
                  "name outside the file");
        cr_assert(memchr(*name, 0, (size_t)((const char *)f->p + f->len - *name)),
                  "name not terminated inside the file");
    }
    return r;
}

static void expect_sym(struct elf *f, uint32_t addr, const char *want, uint32_t want_off)
{
    const char *name;
    uint32_t off;
    cr_assert_eq(lookup(f, addr, &name, &off), 1, "0x%x: not found, want %s+0x%x", addr, want,
                 want_off);
    cr_assert_str_eq(name, want, "0x%x", addr);
    cr_assert_eq(off, want_off, "0x%x: offset 0x%x, want 0x%x", addr, off, want_off);
}

static void expect_none(struct elf *f, uint32_t addr)
{
    const char *name;
    uint32_t off;
    int r = lookup(f, addr, &name, &off);
    cr_assert_eq(r, 0, "0x%x: found %s+0x%x, want nothing", addr, r ? name : "", off);
}

/* ---- lookups on a well-formed file ----------------------------------------------------------- */

/* Both layouts give the same answers: exact hits report offset 0, hits inside report the offset. */
Test(elfsym, exact_hit_and_offset)
{
    for (int l = 0; l < 2; l++) {
        struct elf f = build((enum layout)l);
        expect_sym(&f, 0x1000, "func_a", 0);
        expect_sym(&f, 0x1001, "func_a", 1);
        expect_sym(&f, 0x10ff, "func_a", 0xff);
        expect_sym(&f, 0x2000, "obj_b", 0);
        expect_sym(&f, 0x200f, "obj_b", 0xf);
        expect_sym(&f, 0x30004, "abs_obj", 4);
        expect_sym(&f, 0x4000f, "last_name", 0xf);
        free(f.p);
    }
}

/* A sized symbol covers [value, value + size) only: just past its end, with no bare label in
 * reach, nothing is found; below the first symbol nothing either. */
Test(elfsym, past_a_sized_symbol_not_found)
{
    struct elf f = build(SHDRS_LAST);
    expect_none(&f, 0x1100);
    expect_none(&f, 0x1fff);
    expect_none(&f, 0x2010);
    expect_none(&f, 0x0fff);
    expect_none(&f, 0);
    expect_none(&f, 0xffffffffu);
    free(f.p);
}

/* A NOTYPE symbol without a size reaches 64 KB: 0xFFFF past it is found, 0x10000 past it is not. */
Test(elfsym, bare_label_reaches_64k)
{
    struct elf f = build(STRTAB_LAST);
    expect_sym(&f, 0x100000, "label_c", 0);
    expect_sym(&f, 0x10ffff, "label_c", 0xffff);
    expect_none(&f, 0x110000);
    free(f.p);
}

/* Two symbols at the same address: the sized one wins whichever comes first in the table; beyond
 * the sized one's end the label still answers. */
Test(elfsym, tie_prefers_sized_symbol)
{
    struct elf f = build(SHDRS_LAST);
    expect_sym(&f, 0x200000, "tie_func", 0);
    expect_sym(&f, 0x200004, "tie_func", 4);
    expect_sym(&f, 0x300000, "tie2_func", 0);
    expect_sym(&f, 0x30001f, "tie2_func", 0x1f);
    expect_sym(&f, 0x200020, "tie_label", 0x20);
    expect_sym(&f, 0x300020, "tie2_label", 0x20);
    free(f.p);
}

/* Among symbols containing the address, the one with the closest start wins (nested functions). */
Test(elfsym, closest_containing_symbol_wins)
{
    struct elf f = build(SHDRS_LAST);
    expect_sym(&f, 0x20105, "inner_f", 5);
    expect_sym(&f, 0x200ff, "big_f", 0xff);
    expect_sym(&f, 0x20110, "big_f", 0x110);
    free(f.p);
}

/* Undefined, section, file and nameless symbols never answer. */
Test(elfsym, ignored_symbol_kinds)
{
    struct elf f = build(STRTAB_LAST);
    expect_none(&f, 0x4000);        /* undefined */
    expect_none(&f, 0x4010);
    expect_none(&f, 0x8000);        /* STT_SECTION */
    expect_none(&f, 0x9000);        /* STT_FILE */
    expect_none(&f, 0xA000);        /* st_name 0 */
    expect_none(&f, 0x63);          /* an unsized absolute symbol (0x50): a value */
    /* and making undef_d defined makes it answer: the test above is not vacuous */
    sym(&f, 4)->st_shndx = TEXT;
    expect_sym(&f, 0x4010, "undef_d", 0x10);
    free(f.p);
}

/* ---- malformed files ------------------------------------------------------------------------- */

/* Every truncation of the file (in both layouts, in an exact-size buffer) is handled without a
 * crash or an out-of-bounds read, and finds nothing, since some table no longer fits. */
Test(elfsym, truncated_at_every_length)
{
    for (int l = 0; l < 2; l++) {
        struct elf full = build((enum layout)l);
        for (size_t len = 0; len < full.len; len++) {
            struct elf t = full;
            t.len = len;
            t.p = malloc(len ? len : 1);
            cr_assert_not_null(t.p);
            memcpy(t.p, full.p, len);
            expect_none(&t, 0x1000);
            expect_none(&t, 0x100010);
            cr_assert_not(elfsym_has_table(t.p, t.len), "cut at %zu: no usable table", len);
            free(t.p);
        }
        expect_sym(&full, 0x1000, "func_a", 0);
        cr_assert(elfsym_has_table(full.p, full.len));
        free(full.p);
    }
}

/* st_name at or past the end of the string table: that symbol is skipped. */
Test(elfsym, name_offset_past_strtab)
{
    struct elf f = build(STRTAB_LAST);
    sym(&f, 1)->st_name = f.strsize;
    expect_none(&f, 0x1000);
    sym(&f, 1)->st_name = f.strsize + 100;
    expect_none(&f, 0x1000);
    sym(&f, 1)->st_name = 0xffffffffu;
    expect_none(&f, 0x1000);
    expect_sym(&f, 0x2000, "obj_b", 0);     /* the others still work */
    free(f.p);
}

/* A string table whose last byte is not NUL: a name running into its end is not returned (and not
 * read past: the table ends the file here). */
Test(elfsym, strtab_not_terminated)
{
    struct elf f = build(STRTAB_LAST);
    cr_assert_eq(f.stroff + f.strsize, f.len);
    f.p[f.len - 1] = 'X';
    expect_none(&f, 0x40000);               /* last_name ends the table */
    expect_sym(&f, 0x1000, "func_a", 0);
    free(f.p);
}

/* sh_link of the symbol table out of range, or pointing at a section that is not a string
 * table, or a string table running past the file or empty: nothing is found. */
Test(elfsym, bad_strtab_link)
{
    struct elf f = build(SHDRS_LAST);
    shdr(&f, 2)->sh_link = NSECT;
    expect_none(&f, 0x1000);
    shdr(&f, 2)->sh_link = 0xffffffffu;
    expect_none(&f, 0x1000);
    shdr(&f, 2)->sh_link = 1;               /* PROGBITS */
    expect_none(&f, 0x1000);
    shdr(&f, 2)->sh_link = 2;               /* itself */
    expect_none(&f, 0x1000);
    shdr(&f, 2)->sh_link = 3;
    shdr(&f, 3)->sh_size = (uint32_t)f.len;  /* past the end */
    expect_none(&f, 0x1000);
    shdr(&f, 3)->sh_size = 0;
    expect_none(&f, 0x1000);
    shdr(&f, 3)->sh_size = f.strsize;
    shdr(&f, 3)->sh_offset = 0xfffffff0u;
    expect_none(&f, 0x1000);
    free(f.p);
}

/* Section header table past the end (also by 32-bit wrap), misaligned, or with a foreign entry
 * size; symbol table past the end, misaligned or with a foreign entry size: nothing is found. */
Test(elfsym, bad_section_tables)
{
    struct elf f = build(STRTAB_LAST);
    Elf32_Ehdr *h = ehdr(&f);
    h->e_shoff = (uint32_t)f.len;
    expect_none(&f, 0x1000);
    h->e_shoff = (uint32_t)f.len + 0x1000;
    expect_none(&f, 0x1000);
    h->e_shoff = 0xfffffff0u;
    expect_none(&f, 0x1000);
    h->e_shoff = f.shoff + 2;
    expect_none(&f, 0x1000);
    h->e_shoff = f.shoff;
    h->e_shentsize = 64;
    expect_none(&f, 0x1000);
    h->e_shentsize = sizeof(Elf32_Shdr);
    h->e_shnum = 0xffff;
    expect_none(&f, 0x1000);
    h->e_shnum = NSECT;
    expect_sym(&f, 0x1000, "func_a", 0);    /* restored: found again */

    shdr(&f, 2)->sh_entsize = 24;
    expect_none(&f, 0x1000);
    shdr(&f, 2)->sh_entsize = sizeof(Elf32_Sym);
    shdr(&f, 2)->sh_size = (uint32_t)f.len;
    expect_none(&f, 0x1000);
    shdr(&f, 2)->sh_size = NSYMS * sizeof(Elf32_Sym);
    shdr(&f, 2)->sh_offset = 0xffffff00u;
    expect_none(&f, 0x1000);
    shdr(&f, 2)->sh_offset = f.symoff + 1;
    expect_none(&f, 0x1000);
    free(f.p);
}

/* Not an ELF32 file at all. */
Test(elfsym, not_elf32)
{
    struct elf f = build(SHDRS_LAST);
    f.p[0] = 0;
    expect_none(&f, 0x1000);
    f.p[0] = 0x7f;
    f.p[EI_CLASS] = 2;
    expect_none(&f, 0x1000);
    free(f.p);
}

static uint64_t rng_state;
static uint64_t rnd(void) { return rng_next(&rng_state); }

/* 5000 random mutations (bytes anywhere, interesting words in the headers and tables): never a
 * crash or an out-of-bounds read, and any name returned lies inside the file, terminated. */
Test(elfsym, random_mutations_are_safe)
{
    static const uint32_t words[] = { 0, 1, 3, 4, 0x10, 0x28, 0x34, 0xff, 0xffff, 0x7fffffff,
                                      0x80000000u, 0xfffffff0u, 0xffffffffu };
    rng_state = 0x7e7e7e;
    unsigned found = 0;
    for (int iter = 0; iter < 5000; iter++) {
        struct elf f = build((enum layout)(iter & 1));
        unsigned nmut = 1 + (unsigned)(rnd() % 3);
        for (unsigned m = 0; m < nmut; m++) {
            if (rnd() % 2)
                f.p[rnd() % f.len] = (unsigned char)rnd();
            else {
                size_t at = (rnd() % (f.len / 4)) * 4;
                uint32_t w = words[rnd() % (sizeof words / sizeof words[0])];
                memcpy(f.p + at, &w, 4);
            }
        }
        const char *name;
        uint32_t off;
        uint32_t addr = (uint32_t)(rnd() % 2 ? syms[rnd() % NSYMS].value + rnd() % 0x40 : rnd());
        found += (unsigned)lookup(&f, addr, &name, &off);
        free(f.p);
    }
    cr_assert_gt(found, 500, "mutants should still resolve sometimes (%u)", found);
}

/* ---- the real VMM image ---------------------------------------------------------------------- */

/* Our own minimal reader: the value and size of a named symbol in the first SHT_SYMTAB. */
static int find_symbol(const unsigned char *p, size_t len, const char *want, uint32_t *value,
                       uint32_t *size)
{
    Elf32_Ehdr h;
    cr_assert_geq(len, sizeof h);
    memcpy(&h, p, sizeof h);
    cr_assert_eq(h.e_shentsize, sizeof(Elf32_Shdr));
    cr_assert_leq((uint64_t)h.e_shoff + (uint64_t)h.e_shnum * sizeof(Elf32_Shdr), len);
    for (unsigned i = 0; i < h.e_shnum; i++) {
        Elf32_Shdr s, st;
        memcpy(&s, p + h.e_shoff + i * sizeof s, sizeof s);
        if (s.sh_type != SHT_SYMTAB)
            continue;
        cr_assert_lt(s.sh_link, h.e_shnum);
        memcpy(&st, p + h.e_shoff + s.sh_link * sizeof st, sizeof st);
        cr_assert_leq((uint64_t)s.sh_offset + s.sh_size, len);
        cr_assert_leq((uint64_t)st.sh_offset + st.sh_size, len);
        for (uint32_t k = 0; k < s.sh_size / sizeof(Elf32_Sym); k++) {
            Elf32_Sym y;
            memcpy(&y, p + s.sh_offset + k * sizeof y, sizeof y);
            if (y.st_name >= st.sh_size)
                continue;
            const char *n = (const char *)p + st.sh_offset + y.st_name;
            size_t room = st.sh_size - y.st_name;
            if (strnlen(n, room) == strlen(want) && !memcmp(n, want, strlen(want))) {
                *value = y.st_value;
                *size = y.st_size;
                return 1;
            }
        }
    }
    return 0;
}

/* In the VMM32.VXD `make all` produced, vmm_main's address resolves to vmm_main+0, and five bytes
 * further to vmm_main+5. */
Test(elfsym, real_vmm_image_resolves_vmm_main)
{
    size_t len;
    unsigned char *p = read_file("esp/VMM/VMM32.VXD", &len);
    if (!p)
        cr_skip_test("esp/VMM/VMM32.VXD not found (run `make all` from the tree root first)");
    uint32_t value = 0, size = 0;
    cr_assert(find_symbol(p, len, "vmm_main", &value, &size), "no vmm_main in the symbol table");
    cr_assert_geq(value, 0xC0000000u);
    cr_assert(size == 0 || size > 5, "vmm_main is only %u bytes", size);
    const char *name = NULL;
    uint32_t off = 1;
    cr_assert_eq(elfsym_lookup(p, len, value, &name, &off), 1);
    cr_assert_str_eq(name, "vmm_main");
    cr_assert_eq(off, 0);
    cr_assert_eq(elfsym_lookup(p, len, value + 5, &name, &off), 1);
    cr_assert_str_eq(name, "vmm_main");
    cr_assert_eq(off, 5);
    free(p);
}
