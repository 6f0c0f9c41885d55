/*
 * Host tests for vmm/vxd/vxdelf.c: the VxD loader's portable core (validate, lay out, copy,
 * relocate) on real gcc output.
 *
 * The fixtures are tests/unit/fixtures/goodvxd.c built by the Makefile as VxDs are built
 * (build/host/fixtures/good.vxd, and good-g.vxd with -g for .rel.debug_*).  Each rejection test
 * mutates a copy of good.vxd, finding sections, symbols and relocations by name, and checks that
 * the message names the problem.  Every file is handed to the loader in a heap buffer of exactly
 * its length, and every group in one of exactly its size, so that AddressSanitizer reports any
 * access outside them.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/elf32.h"
#include "testlib.h"
#include "vmm/vxd.h"
#include "vxd/vxdelf.h"

#define GOOD_PATH   "build/host/fixtures/good.vxd"
#define GOOD_G_PATH "build/host/fixtures/good-g.vxd"
#define HELPER_ADDR 0xC0001234u         /* where the test resolver puts vmm_helper */

/* Final addresses of the groups: unlike the buffers' own, so a relocation computed from base[]
 * instead of addr[] shows. */
static const uint32_t ADDR[VXD_NGROUPS] = { 0xC1000000u, 0xC1100000u, 0xC1200000u };

/* ---- a mutable ELF file and views into it ---------------------------------------------------- */

struct elf {
    unsigned char *p;           /* malloc'd: aligned, so the typed views below are fine */
    size_t len;
};

static struct elf read_fixture(const char *path)
{
    struct elf f;
    f.p = read_file(path, &f.len);
    cr_assert_not_null(f.p, "%s missing: `make build/host/unit` builds it (run from the tree root)",
                       path);
    return f;
}

static struct elf good(void) { return read_fixture(GOOD_PATH); }
static void done(struct elf *f) { free(f->p); }

static Elf32_Ehdr *eh(struct elf *f) { return (Elf32_Ehdr *)f->p; }
static Elf32_Shdr *sh(struct elf *f, unsigned i)
{
    return (Elf32_Shdr *)(f->p + eh(f)->e_shoff) + i;
}
static unsigned nsec(struct elf *f) { return eh(f)->e_shnum; }

static const char *sec_name(struct elf *f, unsigned i)
{
    return (const char *)f->p + sh(f, eh(f)->e_shstrndx)->sh_offset + sh(f, i)->sh_name;
}

static unsigned sec_index(struct elf *f, const char *name)
{
    for (unsigned i = 0; i < nsec(f); i++)
        if (!strcmp(sec_name(f, i), name))
            return i;
    cr_assert_fail("no section %s in the fixture", name);
    return 0;
}

static Elf32_Shdr *sec(struct elf *f, const char *name) { return sh(f, sec_index(f, name)); }

static unsigned symtab_index(struct elf *f)
{
    for (unsigned i = 0; i < nsec(f); i++)
        if (sh(f, i)->sh_type == SHT_SYMTAB)
            return i;
    cr_assert_fail("no symbol table in the fixture");
    return 0;
}

static unsigned nsyms(struct elf *f) { return sh(f, symtab_index(f))->sh_size / sizeof(Elf32_Sym); }
static Elf32_Sym *symn(struct elf *f, unsigned i)
{
    return (Elf32_Sym *)(f->p + sh(f, symtab_index(f))->sh_offset) + i;
}
static const char *sym_name(struct elf *f, unsigned i)
{
    Elf32_Shdr *st = sh(f, sh(f, symtab_index(f))->sh_link);
    return (const char *)f->p + st->sh_offset + symn(f, i)->st_name;
}

static unsigned sym_index(struct elf *f, const char *name)
{
    for (unsigned i = 1; i < nsyms(f); i++)
        if (!strcmp(sym_name(f, i), name))
            return i;
    cr_assert_fail("no symbol %s in the fixture", name);
    return 0;
}

static Elf32_Sym *sym(struct elf *f, const char *name) { return symn(f, sym_index(f, name)); }

/* The STT_SECTION symbol of section secname (section symbols have no name of their own). */
static Elf32_Sym *section_sym(struct elf *f, const char *secname)
{
    unsigned si = sec_index(f, secname);
    for (unsigned i = 1; i < nsyms(f); i++)
        if (ELF32_ST_TYPE(symn(f, i)->st_info) == STT_SECTION && symn(f, i)->st_shndx == si)
            return symn(f, i);
    cr_assert_fail("no section symbol for %s", secname);
    return NULL;
}

static unsigned nrels(struct elf *f, const char *relsec) { return sec(f, relsec)->sh_size / 8; }
static Elf32_Rel *rel(struct elf *f, const char *relsec, unsigned k)
{
    return (Elf32_Rel *)(f->p + sec(f, relsec)->sh_offset) + k;
}

/* The index of the first relocation in relsec against the symbol called name. */
static unsigned rel_against(struct elf *f, const char *relsec, const char *name)
{
    unsigned si = sym_index(f, name);
    for (unsigned k = 0; k < nrels(f, relsec); k++)
        if (ELF32_R_SYM(rel(f, relsec, k)->r_info) == si)
            return k;
    cr_assert_fail("no relocation against %s in %s", name, relsec);
    return 0;
}

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* ---- the loader, all stages ------------------------------------------------------------------ */

struct load {
    struct vxd_elf x;
    unsigned char *file;        /* exact-size copy: the context points into it */
    uint8_t *base[VXD_NGROUPS]; /* exact-size group buffers, pre-filled with 0xCC */
    int stage;                  /* the last stage reached: 1 validate 2 layout 3 relocate */
    int resolved;               /* resolver calls */
    struct kerr e;
};

static int resolve_test(const char *name, uint32_t *addr, void *ctx)
{
    ((struct load *)ctx)->resolved++;
    if (strcmp(name, "vmm_helper"))
        return -1;
    *addr = HELPER_ADDR;
    return 0;
}

static int resolve_none(const char *name, uint32_t *addr, void *ctx)
{
    (void)name, (void)addr;
    ((struct load *)ctx)->resolved++;
    return -1;
}

/* Runs every stage on a copy of bytes; 0 or the failing stage's -1 (message in L->e). */
static int load_bytes(struct load *L, const void *bytes, size_t len, vxd_resolve_fn *res)
{
    memset(L, 0, sizeof *L);
    strcpy(L->e.msg, "(no message)");
    L->file = malloc(len ? len : 1);
    cr_assert_not_null(L->file);
    memcpy(L->file, bytes, len);
    L->stage = 1;
    if (vxd_validate(&L->x, "SAMPLE.VXD", L->file, (uint32_t)len, &L->e))
        return -1;
    L->stage = 2;
    if (vxd_layout(&L->x, &L->e))
        return -1;
    for (unsigned g = 0; g < VXD_NGROUPS; g++) {
        uint32_t n = vxd_group_size(&L->x, g);
        cr_assert_leq(n, VXD_MAX_GROUP);
        L->base[g] = n ? malloc(n) : NULL;
        if (n) {
            cr_assert_not_null(L->base[g]);
            memset(L->base[g], 0xCC, n);
        }
    }
    vxd_copy(&L->x, L->base);
    L->stage = 3;
    return vxd_relocate(&L->x, L->base, ADDR, res, L, &L->e);
}

static void unload(struct load *L)
{
    for (unsigned g = 0; g < VXD_NGROUPS; g++)
        free(L->base[g]);
    free(L->file);
    free(L);
}

static struct load *load_ok(struct elf *f)
{
    struct load *L = malloc(sizeof *L);
    cr_assert_not_null(L);
    int r = load_bytes(L, f->p, f->len, resolve_test);
    cr_assert_eq(r, 0, "expected a successful load, stage %d failed: %s", L->stage, L->e.msg);
    return L;
}

static void expect_accept(struct elf *f) { unload(load_ok(f)); }

/* Asserts that loading f fails and that the message starts with the file name and mentions
 * each key. */
static void expect_reject(struct elf *f, const char *key1, const char *key2)
{
    struct load *L = malloc(sizeof *L);
    cr_assert_not_null(L);
    int r = load_bytes(L, f->p, f->len, resolve_test);
    cr_assert_eq(r, -1, "expected rejection (%s), got %d", key1, r);
    cr_assert(!strncmp(L->e.msg, "SAMPLE.VXD: ", 12), "message \"%s\" should name the file",
              L->e.msg);
    cr_assert(strstr(L->e.msg, key1), "message \"%s\" should mention \"%s\"", L->e.msg, key1);
    if (key2)
        cr_assert(strstr(L->e.msg, key2), "message \"%s\" should mention \"%s\"", L->e.msg, key2);
    unload(L);
}

/* The final address of a fixture symbol, computed by the test from the layout. */
static uint32_t final_addr(struct load *L, const char *name)
{
    uint32_t a;
    cr_assert_eq(vxd_sym_addr(&L->x, ADDR, name, &a), 0, "symbol %s has no address", name);
    return a;
}

/* The writable copy of the byte at final address lin. */
static uint8_t *at(struct load *L, uint32_t lin)
{
    for (unsigned g = 0; g < VXD_NGROUPS; g++)
        if (lin - ADDR[g] < vxd_group_size(&L->x, g))
            return L->base[g] + (lin - ADDR[g]);
    cr_assert_fail("0x%x is in no group", lin);
    return NULL;
}

static int in_group(struct load *L, unsigned g, uint32_t lin)
{
    return lin - ADDR[g] < vxd_group_size(&L->x, g);
}

/* ---- the good file --------------------------------------------------------------------------- */

/* Sections go to the group their flags say; nothing else is loaded. */
Test(vxdelf, good_file_sections_in_their_groups)
{
    struct elf f = good();
    struct load *L = load_ok(&f);
    const struct { const char *name; unsigned group; } want[] = {
        { ".text", VXD_G_TEXT }, { ".rodata", VXD_G_RODATA }, { ".eh_frame", VXD_G_RODATA },
        { ".data", VXD_G_DATA }, { ".bss", VXD_G_DATA }, { ".comment", VXD_G_NONE },
        { ".note.GNU-stack", VXD_G_NONE }, { ".rel.text", VXD_G_NONE }, { ".symtab", VXD_G_NONE },
        { ".strtab", VXD_G_NONE }, { ".shstrtab", VXD_G_NONE },
    };
    for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_assert_eq(L->x.sec[sec_index(&f, want[i].name)].group, want[i].group, "%s",
                     want[i].name);
    cr_assert_eq(L->x.sec[0].group, VXD_G_NONE);
    cr_assert_str_eq(vxd_ddb_name(&L->x), "SAMPLE_DDB");
    unload(L);
    done(&f);
}

/* Every loaded section lies in its group at its alignment, without overlapping another; the
 * group size ends at the last section. */
Test(vxdelf, good_file_layout_respects_alignment)
{
    struct elf f = good();
    struct load *L = load_ok(&f);
    uint32_t end[VXD_NGROUPS] = { 0, 0, 0 };
    for (unsigned i = 1; i < L->x.nsec; i++) {
        const struct vxd_sec *s = &L->x.sec[i];
        if (s->group == VXD_G_NONE)
            continue;
        uint32_t a = s->sh.sh_addralign ? s->sh.sh_addralign : 1;
        cr_assert_eq(s->off % a, 0, "%s at 0x%x, alignment %u", sec_name(&f, i), s->off, a);
        cr_assert_geq(s->off, end[s->group], "%s overlaps the section before", sec_name(&f, i));
        end[s->group] = s->off + s->sh.sh_size;
    }
    for (unsigned g = 0; g < VXD_NGROUPS; g++)
        cr_assert_eq(vxd_group_size(&L->x, g), end[g], "group %s", vxd_group_name(g));
    cr_assert_gt(end[VXD_G_TEXT], 0);
    cr_assert_gt(end[VXD_G_RODATA], 0);
    cr_assert_gt(end[VXD_G_DATA], 0);
    unload(L);
    done(&f);
}

/* vxd_copy: .rodata's bytes arrive unchanged, .bss and padding are zero (the buffers were 0xCC). */
Test(vxdelf, good_file_copy_fills_groups)
{
    struct elf f = good();
    struct load *L = load_ok(&f);
    uint32_t banner = final_addr(L, "banner");
    const char *want = "SAMPLE: a VxD for the loader's tests";
    cr_assert(in_group(L, VXD_G_RODATA, banner));
    cr_assert_eq(memcmp(at(L, banner), want, strlen(want) + 1), 0);
    const struct vxd_sec *bss = &L->x.sec[sec_index(&f, ".bss")];
    for (uint32_t i = 0; i < bss->sh.sh_size; i++)
        cr_assert_eq(L->base[VXD_G_DATA][bss->off + i], 0, ".bss byte %u", i);
    /* every byte of every group outside its sections is zero */
    for (unsigned g = 0; g < VXD_NGROUPS; g++)
        for (uint32_t o = 0; o < vxd_group_size(&L->x, g); o++) {
            const char *n;
            uint32_t off;
            if (vxd_where(&L->x, ADDR, ADDR[g] + o, &n, &off))
                cr_assert_eq(L->base[g][o], 0, "padding byte 0x%x of %s", o, vxd_group_name(g));
        }
    unload(L);
    done(&f);
}

/* The DDB, relocated: its fields as the source set them, the control procedure and the service
 * table at the final addresses of their symbols, each service inside the text group. */
Test(vxdelf, good_file_ddb_relocated)
{
    struct elf f = good();
    struct load *L = load_ok(&f);
    uint32_t ddb_lin = vxd_ddb_addr(&L->x, ADDR);
    cr_assert_eq(ddb_lin, final_addr(L, "SAMPLE_DDB"));
    cr_assert(in_group(L, VXD_G_DATA, ddb_lin));
    cr_assert_eq(ddb_lin % 4, 0);
    struct VxD_Desc_Block d;
    memcpy(&d, at(L, ddb_lin), sizeof d);
    cr_assert_eq(memcmp(d.DDB_Name, "SAMPLE  ", 8), 0);
    cr_assert_eq(d.DDB_Req_Device_Number, 0x4242);
    cr_assert_eq(d.DDB_SDK_Version, DDK_VERSION);
    cr_assert_eq(d.DDB_Init_Order, UNDEFINED_INIT_ORDER);
    cr_assert_eq(d.DDB_Size, sizeof d);
    cr_assert_eq(d.DDB_Prev, DDB_PREV_SIG);
    cr_assert_eq(d.DDB_Control_Proc, final_addr(L, "sample_control"));
    cr_assert(in_group(L, VXD_G_TEXT, d.DDB_Control_Proc));
    cr_assert_eq(d.DDB_Service_Table_Ptr, final_addr(L, "sample_services"));
    cr_assert_eq(d.DDB_Service_Table_Size, 3);
    const char *svc[3] = { "sample_svc0", "sample_svc1", "sample_svc2" };
    for (unsigned i = 0; i < 3; i++) {
        uint32_t p = rd32(at(L, d.DDB_Service_Table_Ptr + 4 * i));
        cr_assert_eq(p, final_addr(L, svc[i]), "service %u", i);
        cr_assert(in_group(L, VXD_G_TEXT, p), "service %u at 0x%x", i, p);
    }
    /* a data pointer into rodata */
    cr_assert_eq(rd32(at(L, final_addr(L, "sample_banner"))), final_addr(L, "banner"));
    unload(L);
    done(&f);
}

/* Every PC32 relocation in .text (calls and jumps: in-place addend -4) now lands on its symbol:
 * sample_add from sample_svc0, the others, and vmm_helper at the resolver's address. */
Test(vxdelf, good_file_pc32_calls_land_on_callees)
{
    struct elf f = good();
    struct load *L = load_ok(&f);
    const struct vxd_sec *text = &L->x.sec[sec_index(&f, ".text")];
    unsigned checked = 0, helper = 0;
    for (unsigned k = 0; k < nrels(&f, ".rel.text"); k++) {
        Elf32_Rel *r = rel(&f, ".rel.text", k);
        if (ELF32_R_TYPE(r->r_info) != R_386_PC32)
            continue;
        const char *name = sym_name(&f, ELF32_R_SYM(r->r_info));
        uint32_t P = ADDR[VXD_G_TEXT] + text->off + r->r_offset;
        uint32_t dest = P + 4 + rd32(L->base[VXD_G_TEXT] + text->off + r->r_offset);
        uint32_t want = strcmp(name, "vmm_helper") ? final_addr(L, name) : HELPER_ADDR;
        cr_assert_eq(dest, want, "call to %s at 0x%x lands on 0x%x", name, P, dest);
        checked++;
        helper += !strcmp(name, "vmm_helper");
    }
    cr_assert_geq(checked, 3);
    cr_assert_eq(helper, 1);
    cr_assert_eq(L->resolved, 1, "the resolver is asked once per relocation that needs it");
    /* and the one the fixture is built for, by name */
    unsigned k = rel_against(&f, ".rel.text", "sample_add");
    uint32_t P = ADDR[VXD_G_TEXT] + text->off + rel(&f, ".rel.text", k)->r_offset;
    uint32_t disp = rd32(L->base[VXD_G_TEXT] + text->off + rel(&f, ".rel.text", k)->r_offset);
    cr_assert_eq(P + 4 + disp, final_addr(L, "sample_add"));
    unload(L);
    done(&f);
}

/* Every R_386_32 in .data and .text now holds S + the addend that was in place. */
Test(vxdelf, good_file_abs32_relocations_add_symbol)
{
    struct elf f = good();
    struct load *L = load_ok(&f);
    const char *secs[2][2] = { { ".rel.data", ".data" }, { ".rel.text", ".text" } };
    unsigned checked = 0;
    for (unsigned s = 0; s < 2; s++) {
        const struct vxd_sec *t = &L->x.sec[sec_index(&f, secs[s][1])];
        for (unsigned k = 0; k < nrels(&f, secs[s][0]); k++) {
            Elf32_Rel *r = rel(&f, secs[s][0], k);
            if (ELF32_R_TYPE(r->r_info) != R_386_32)
                continue;
            unsigned si = ELF32_R_SYM(r->r_info);
            Elf32_Sym *sy = symn(&f, si);
            const struct vxd_sec *ss = &L->x.sec[sy->st_shndx];
            uint32_t S = ADDR[ss->group] + ss->off + sy->st_value;
            uint32_t A = rd32(f.p + t->sh.sh_offset + r->r_offset);
            cr_assert_eq(rd32(L->base[t->group] + t->off + r->r_offset), S + A,
                         "%s relocation %u against %s", secs[s][0], k, sym_name(&f, si));
            checked++;
        }
    }
    cr_assert_geq(checked, 8);
    unload(L);
    done(&f);
}

/* vxd_where maps final addresses back to section + offset, and nothing outside sections. */
Test(vxdelf, where_maps_addresses_to_section_and_offset)
{
    struct elf f = good();
    struct load *L = load_ok(&f);
    const char *n;
    uint32_t off;
    cr_assert_eq(vxd_where(&L->x, ADDR, vxd_ddb_addr(&L->x, ADDR), &n, &off), 0);
    cr_assert_str_eq(n, ".data");
    cr_assert_eq(off, sym(&f, "SAMPLE_DDB")->st_value);
    cr_assert_eq(vxd_where(&L->x, ADDR, final_addr(L, "sample_control") + 3, &n, &off), 0);
    cr_assert_str_eq(n, ".text");
    cr_assert_eq(off, sym(&f, "sample_control")->st_value + 3);
    cr_assert_eq(vxd_where(&L->x, ADDR, final_addr(L, "banner") + 1, &n, &off), 0);
    cr_assert_str_eq(n, ".rodata");
    cr_assert_eq(off, 1);
    const struct vxd_sec *bss = &L->x.sec[sec_index(&f, ".bss")];
    cr_assert_eq(vxd_where(&L->x, ADDR, ADDR[VXD_G_DATA] + bss->off + bss->sh.sh_size - 1, &n,
                           &off), 0);
    cr_assert_str_eq(n, ".bss");
    cr_assert_eq(off, bss->sh.sh_size - 1);
    cr_assert_eq(vxd_where(&L->x, ADDR, ADDR[VXD_G_TEXT] - 1, &n, &off), -1);
    for (unsigned g = 0; g < VXD_NGROUPS; g++)
        cr_assert_eq(vxd_where(&L->x, ADDR, ADDR[g] + vxd_group_size(&L->x, g), &n, &off), -1);
    cr_assert_eq(vxd_where(&L->x, ADDR, 0, &n, &off), -1);
    unload(L);
    done(&f);
}

/* With -g: the .rel.debug_* sections target sections that are not loaded: checked, not applied;
 * the load is otherwise the same. */
Test(vxdelf, debug_info_relocations_are_checked_and_skipped)
{
    struct elf f = read_fixture(GOOD_G_PATH);
    unsigned di = sec_index(&f, ".debug_info");
    sec_index(&f, ".rel.debug_info");
    struct load *L = load_ok(&f);
    cr_assert_eq(L->x.sec[di].group, VXD_G_NONE);
    struct VxD_Desc_Block d;
    memcpy(&d, at(L, vxd_ddb_addr(&L->x, ADDR)), sizeof d);
    cr_assert_eq(d.DDB_Control_Proc, final_addr(L, "sample_control"));
    unload(L);
    /* an unsupported type in a skipped section is not an error ... */
    rel(&f, ".rel.debug_info", 0)->r_info = (rel(&f, ".rel.debug_info", 0)->r_info & ~0xffu) | 10;
    expect_accept(&f);
    /* ... but a bad offset or symbol index is */
    rel(&f, ".rel.debug_info", 0)->r_offset = sec(&f, ".debug_info")->sh_size - 3;
    expect_reject(&f, "relocation 0 in .rel.debug_info", "has offset");
    done(&f);
}

/* The file may sit at any address: the same bytes at an odd offset load the same (UBSan would
 * report a misaligned field access). */
Test(vxdelf, unaligned_file_buffer)
{
    struct elf f = good();
    unsigned char *odd = malloc(f.len + 1);
    cr_assert_not_null(odd);
    memcpy(odd + 1, f.p, f.len);
    struct vxd_elf *x = malloc(sizeof *x);
    struct kerr e;
    cr_assert_eq(vxd_validate(x, "SAMPLE.VXD", odd + 1, (uint32_t)f.len, &e), 0, "%s", e.msg);
    cr_assert_eq(vxd_layout(x, &e), 0, "%s", e.msg);
    uint8_t *base[VXD_NGROUPS];
    for (unsigned g = 0; g < VXD_NGROUPS; g++)
        base[g] = malloc(vxd_group_size(x, g) + 1) ;
    /* groups at odd addresses too: relocation writes must not assume alignment */
    uint8_t *b1[VXD_NGROUPS] = { base[0] + 1, base[1] + 1, base[2] + 1 };
    vxd_copy(x, b1);
    struct load ctx = { 0 };
    cr_assert_eq(vxd_relocate(x, b1, ADDR, resolve_test, &ctx, &e), 0, "%s", e.msg);
    for (unsigned g = 0; g < VXD_NGROUPS; g++)
        free(base[g]);
    free(x);
    free(odd);
    done(&f);
}

/* Relocations applied twice from scratch give the same bytes; a different final address moves
 * absolute pointers and keeps PC-relative calls within text unchanged. */
Test(vxdelf, relocation_depends_only_on_final_addresses)
{
    struct elf f = good();
    struct load *L = load_ok(&f);
    uint32_t tsize = vxd_group_size(&L->x, VXD_G_TEXT);
    uint8_t *t2 = malloc(tsize), *r2 = malloc(vxd_group_size(&L->x, VXD_G_RODATA)),
            *d2 = malloc(vxd_group_size(&L->x, VXD_G_DATA));
    uint8_t *b2[VXD_NGROUPS] = { t2, r2, d2 };
    const uint32_t addr2[VXD_NGROUPS] = { ADDR[0] + 0x10000, ADDR[1], ADDR[2] };
    vxd_copy(&L->x, b2);
    struct kerr e;
    cr_assert_eq(vxd_relocate(&L->x, b2, addr2, resolve_test, L, &e), 0, "%s", e.msg);
    uint32_t ddb = vxd_ddb_addr(&L->x, addr2) - ADDR[2];
    struct VxD_Desc_Block d;
    memcpy(&d, d2 + ddb, sizeof d);
    cr_assert_eq(d.DDB_Control_Proc, final_addr(L, "sample_control") + 0x10000);
    /* the call to sample_add is text-internal: the same displacement */
    unsigned k = rel_against(&f, ".rel.text", "sample_add");
    uint32_t o = L->x.sec[sec_index(&f, ".text")].off + rel(&f, ".rel.text", k)->r_offset;
    cr_assert_eq(rd32(t2 + o), rd32(L->base[VXD_G_TEXT] + o));
    free(t2), free(r2), free(d2);
    unload(L);
    done(&f);
}

/* ---- header rejections ----------------------------------------------------------------------- */

Test(vxdelf, rejects_too_short)
{
    struct elf f = good();
    f.len = 51;
    expect_reject(&f, "51 bytes", "too short");
    f.len = 0;
    expect_reject(&f, "0 bytes", "too short");
    done(&f);
}

Test(vxdelf, rejects_bad_magic)
{
    struct elf f = good();
    f.p[1] = 'X';
    expect_reject(&f, "not an ELF file", "7f 58 4c 46");
    done(&f);
}

Test(vxdelf, rejects_64_bit_class)
{
    struct elf f = good();
    eh(&f)->e_ident[EI_CLASS] = 2;
    expect_reject(&f, "ELF class 2", "32-bit");
    done(&f);
}

Test(vxdelf, rejects_big_endian)
{
    struct elf f = good();
    eh(&f)->e_ident[EI_DATA] = 2;
    expect_reject(&f, "data encoding 2", "little-endian");
    done(&f);
}

Test(vxdelf, rejects_ident_version)
{
    struct elf f = good();
    eh(&f)->e_ident[EI_VERSION] = 0;
    expect_reject(&f, "identification version 0", NULL);
    done(&f);
}

Test(vxdelf, rejects_header_version)
{
    struct elf f = good();
    eh(&f)->e_version = 2;
    expect_reject(&f, "header version 2", NULL);
    done(&f);
}

Test(vxdelf, rejects_executable_type)
{
    struct elf f = good();
    eh(&f)->e_type = ET_EXEC;
    expect_reject(&f, "ELF type 2", "relocatable");
    done(&f);
}

Test(vxdelf, rejects_x86_64_machine)
{
    struct elf f = good();
    eh(&f)->e_machine = 62;
    expect_reject(&f, "ELF machine 62", "i386");
    done(&f);
}

Test(vxdelf, rejects_wrong_ehsize)
{
    struct elf f = good();
    eh(&f)->e_ehsize = 64;
    expect_reject(&f, "ELF header size 64", NULL);
    done(&f);
}

Test(vxdelf, rejects_program_headers)
{
    struct elf f = good();
    eh(&f)->e_phnum = 1;
    expect_reject(&f, "1 program headers", NULL);
    done(&f);
}

Test(vxdelf, rejects_wrong_shentsize)
{
    struct elf f = good();
    eh(&f)->e_shentsize = 64;
    expect_reject(&f, "section header entry size 64", NULL);
    done(&f);
}

Test(vxdelf, rejects_no_section_table)
{
    struct elf f = good();
    eh(&f)->e_shnum = 0;
    expect_reject(&f, "no section header table", NULL);
    done(&f);
}

Test(vxdelf, rejects_more_than_max_sections)
{
    struct elf f = good();
    eh(&f)->e_shnum = VXD_MAX_SECTIONS + 1;
    expect_reject(&f, "129 sections", "more than the loader's 128");
    done(&f);
}

/* The table must end inside the file, computed without 32-bit wrap-around. */
Test(vxdelf, rejects_section_table_past_end)
{
    struct elf f = good();
    uint32_t shoff = eh(&f)->e_shoff;
    eh(&f)->e_shoff = (uint32_t)f.len - nsec(&f) * 40 + 1;
    expect_reject(&f, "section header table", "runs past the end");
    eh(&f)->e_shoff = 0xFFFFFF00u;      /* + 14 * 40 wraps to 0x130 in 32 bits */
    expect_reject(&f, "offset 0xffffff00", "runs past the end");
    /* the exact end is fine: the table is last in gcc's output */
    eh(&f)->e_shoff = shoff;
    cr_assert_eq(shoff + nsec(&f) * 40, f.len);
    expect_accept(&f);
    done(&f);
}

Test(vxdelf, rejects_shstrndx_out_of_range)
{
    struct elf f = good();
    eh(&f)->e_shstrndx = (uint16_t)nsec(&f);
    expect_reject(&f, "section name table index", "out of range");
    eh(&f)->e_shstrndx = SHN_XINDEX;
    expect_reject(&f, "section name table index 65535", NULL);
    done(&f);
}

/* ---- section rejections ---------------------------------------------------------------------- */

Test(vxdelf, rejects_section_0_not_null)
{
    struct elf f = good();
    sh(&f, 0)->sh_type = SHT_PROGBITS;
    expect_reject(&f, "section 0 has type 1", "SHT_NULL");
    done(&f);
}

/* Non-NOBITS section bytes must lie in the file (also when offset + size wraps); NOBITS
 * sections have no bytes, so their offset is not checked. */
Test(vxdelf, rejects_section_bytes_past_end)
{
    struct elf f = good();
    unsigned t = sec_index(&f, ".text");
    uint32_t off = sh(&f, t)->sh_offset;
    sh(&f, t)->sh_offset = (uint32_t)f.len - sh(&f, t)->sh_size + 1;
    expect_reject(&f, "section 1", "beyond the end of the file");
    sh(&f, t)->sh_offset = 0xFFFFFFF0u;
    expect_reject(&f, "section 1", "beyond the end of the file");
    sh(&f, t)->sh_offset = off;
    sec(&f, ".bss")->sh_offset = 0xFFFFFFFFu;
    expect_accept(&f);
    done(&f);
}

Test(vxdelf, rejects_name_table_not_strtab)
{
    struct elf f = good();
    eh(&f)->e_shstrndx = (uint16_t)sec_index(&f, ".text");
    expect_reject(&f, "section name table", "not SHT_STRTAB");
    done(&f);
}

Test(vxdelf, rejects_empty_string_table)
{
    struct elf f = good();
    sec(&f, ".strtab")->sh_size = 0;
    expect_reject(&f, "string table", "is empty");
    done(&f);
}

/* The last byte of every string table must be NUL: that one check bounds every name in it. */
Test(vxdelf, rejects_string_table_without_final_nul)
{
    struct elf f = good();
    Elf32_Shdr *s = sec(&f, ".strtab");
    f.p[s->sh_offset + s->sh_size - 1] = 'x';
    expect_reject(&f, "string table", "does not end with a NUL");
    done(&f);
    f = good();
    s = sec(&f, ".shstrtab");
    f.p[s->sh_offset + s->sh_size - 1] = 'x';
    expect_reject(&f, "string table", "does not end with a NUL");
    done(&f);
}

Test(vxdelf, rejects_section_name_out_of_range)
{
    struct elf f = good();
    unsigned t = sec_index(&f, ".text");
    sh(&f, t)->sh_name = sec(&f, ".shstrtab")->sh_size;
    expect_reject(&f, "section 1: name offset", "beyond the section name table");
    done(&f);
}

Test(vxdelf, rejects_alignment_not_power_of_two)
{
    struct elf f = good();
    sec(&f, ".rodata")->sh_addralign = 12;
    expect_reject(&f, "section .rodata alignment 0xc", "not a power of two");
    done(&f);
}

Test(vxdelf, rejects_sh_link_out_of_range)
{
    struct elf f = good();
    sec(&f, ".text")->sh_link = nsec(&f);
    expect_reject(&f, "section .text links to section 14", "out of range");
    done(&f);
}

/* With SHF_INFO_LINK, sh_info is a section index. */
Test(vxdelf, rejects_info_link_out_of_range)
{
    struct elf f = good();
    Elf32_Shdr *s = sec(&f, ".comment");
    s->sh_flags |= SHF_INFO_LINK;
    s->sh_info = 200;
    expect_reject(&f, "section .comment info refers to section 200", NULL);
    done(&f);
}

Test(vxdelf, rejects_rela_section)
{
    struct elf f = good();
    sec(&f, ".rel.text")->sh_type = SHT_RELA;
    expect_reject(&f, "section .rel.text is SHT_RELA", NULL);
    done(&f);
}

Test(vxdelf, rejects_section_group)
{
    struct elf f = good();
    sec(&f, ".comment")->sh_type = SHT_GROUP;
    expect_reject(&f, "section .comment is a section group", "COMDAT");
    done(&f);
}

Test(vxdelf, rejects_constructor_arrays)
{
    struct elf f = good();
    sec(&f, ".rodata")->sh_type = SHT_INIT_ARRAY;
    expect_reject(&f, "section .rodata holds constructors", "type 14");
    sec(&f, ".rodata")->sh_type = SHT_FINI_ARRAY;
    expect_reject(&f, "constructors or destructors", "type 15");
    done(&f);
}

/* Dynamic-linking types, extended indices and unknown generic types are refused anywhere;
 * OS-specific types only when allocated. */
Test(vxdelf, rejects_unsupported_section_types)
{
    const uint32_t bad[] = { SHT_HASH, SHT_DYNAMIC, SHT_SHLIB, SHT_DYNSYM, SHT_SYMTAB_SHNDX, 12,
                             19 };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct elf f = good();
        sec(&f, ".comment")->sh_type = bad[i];
        expect_reject(&f, "section .comment has unsupported type", NULL);
        done(&f);
    }
    struct elf f = good();
    sec(&f, ".comment")->sh_type = 0x6fff4c03u;      /* .llvm_addrsig */
    expect_accept(&f);
    sec(&f, ".comment")->sh_flags |= SHF_ALLOC;
    expect_reject(&f, "section .comment has unsupported type 0x6fff4c03", NULL);
    done(&f);
}

Test(vxdelf, rejects_allocated_symbol_table)
{
    struct elf f = good();
    sec(&f, ".symtab")->sh_flags |= SHF_ALLOC;
    expect_reject(&f, "section .symtab (type 2) must not be allocated", NULL);
    done(&f);
    f = good();
    sec(&f, ".rel.data")->sh_flags |= SHF_ALLOC;
    expect_reject(&f, "section .rel.data (type 9) must not be allocated", NULL);
    done(&f);
}

Test(vxdelf, rejects_thread_local_section)
{
    struct elf f = good();
    sec(&f, ".data")->sh_flags |= SHF_TLS;
    expect_reject(&f, "section .data is thread-local", NULL);
    done(&f);
}

Test(vxdelf, rejects_writable_executable_section)
{
    struct elf f = good();
    sec(&f, ".text")->sh_flags |= SHF_WRITE;
    expect_reject(&f, "section .text is both writable and executable", "W^X");
    done(&f);
    /* executable data is W+X too */
    f = good();
    sec(&f, ".data")->sh_flags |= SHF_EXECINSTR;
    expect_reject(&f, "section .data is both writable and executable", NULL);
    done(&f);
}

Test(vxdelf, rejects_read_only_nobits)
{
    struct elf f = good();
    sec(&f, ".bss")->sh_flags &= ~SHF_WRITE;
    expect_reject(&f, "section .bss is read-only NOBITS", NULL);
    done(&f);
}

/* A loaded section may ask for at most page alignment; a section that is not loaded any. */
Test(vxdelf, rejects_alignment_above_page_size)
{
    struct elf f = good();
    sec(&f, ".text")->sh_addralign = 8192;
    expect_reject(&f, "section .text alignment 0x2000", "exceeds the page size");
    sec(&f, ".text")->sh_addralign = 4096;
    struct load *L = load_ok(&f);
    cr_assert_eq(L->x.sec[sec_index(&f, ".text")].off % 4096, 0);
    unload(L);
    sec(&f, ".comment")->sh_addralign = 0x10000;
    expect_accept(&f);
    done(&f);
}

Test(vxdelf, rejects_missing_symbol_table)
{
    struct elf f = good();
    sec(&f, ".symtab")->sh_type = SHT_PROGBITS;
    expect_reject(&f, "no symbol table", NULL);
    done(&f);
}

Test(vxdelf, rejects_two_symbol_tables)
{
    struct elf f = good();
    Elf32_Shdr *c = sec(&f, ".comment");
    *c = *sec(&f, ".symtab");
    expect_reject(&f, "two symbol tables", NULL);
    done(&f);
}

/* ---- symbol table and relocation section rejections ------------------------------------------ */

Test(vxdelf, rejects_symtab_entry_size)
{
    struct elf f = good();
    sec(&f, ".symtab")->sh_entsize = 24;
    expect_reject(&f, "symbol table .symtab entry size 24", "expected 16");
    done(&f);
}

Test(vxdelf, rejects_symtab_size_not_multiple)
{
    struct elf f = good();
    sec(&f, ".symtab")->sh_size -= 1;
    expect_reject(&f, "symbol table .symtab size", "not a multiple of 16");
    done(&f);
}

Test(vxdelf, rejects_empty_symtab)
{
    struct elf f = good();
    sec(&f, ".symtab")->sh_size = 0;
    expect_reject(&f, "symbol table .symtab is empty", NULL);
    done(&f);
}

Test(vxdelf, rejects_symtab_link_not_strtab)
{
    struct elf f = good();
    sec(&f, ".symtab")->sh_link = sec_index(&f, ".text");
    expect_reject(&f, "links to section 1 (type 1)", "not a string table");
    done(&f);
}

Test(vxdelf, rejects_symtab_first_global_out_of_range)
{
    struct elf f = good();
    sec(&f, ".symtab")->sh_info = nsyms(&f) + 1;
    expect_reject(&f, "first global", "beyond its");
    done(&f);
}

Test(vxdelf, rejects_rel_entry_size)
{
    struct elf f = good();
    sec(&f, ".rel.text")->sh_entsize = 12;
    expect_reject(&f, "relocation section .rel.text entry size 12", "expected 8");
    done(&f);
}

Test(vxdelf, rejects_rel_size_not_multiple)
{
    struct elf f = good();
    sec(&f, ".rel.text")->sh_size -= 4;
    expect_reject(&f, "relocation section .rel.text size", "not a multiple of 8");
    done(&f);
}

Test(vxdelf, rejects_rel_link_not_symtab)
{
    struct elf f = good();
    sec(&f, ".rel.text")->sh_link = sec_index(&f, ".strtab");
    expect_reject(&f, "relocation section .rel.text links to section", "not the symbol table");
    done(&f);
}

/* sh_info of a relocation section names its target: 0 and out-of-range are refused (also
 * without SHF_INFO_LINK, which gcc sets but the rule does not rely on). */
Test(vxdelf, rejects_rel_target_out_of_range)
{
    struct elf f = good();
    Elf32_Shdr *r = sec(&f, ".rel.text");
    r->sh_info = 0;
    expect_reject(&f, "relocation section .rel.text targets section 0", NULL);
    r->sh_flags &= ~SHF_INFO_LINK;
    r->sh_info = nsec(&f);
    expect_reject(&f, "relocation section .rel.text targets section 14", "out of range");
    done(&f);
}

Test(vxdelf, rejects_relocations_into_nobits)
{
    struct elf f = good();
    sec(&f, ".rel.data")->sh_info = sec_index(&f, ".bss");
    expect_reject(&f, "relocation section .rel.data targets NOBITS section .bss", NULL);
    done(&f);
}

/* ---- symbol rejections ----------------------------------------------------------------------- */

Test(vxdelf, rejects_symbol_name_out_of_range)
{
    struct elf f = good();
    unsigned i = sym_index(&f, "sample_total");
    symn(&f, i)->st_name = sec(&f, ".strtab")->sh_size;
    expect_reject(&f, "name offset", "beyond the string table");
    done(&f);
}

Test(vxdelf, rejects_tls_and_ifunc_symbols)
{
    struct elf f = good();
    Elf32_Sym *s = sym(&f, "sample_total");
    s->st_info = (STB_GLOBAL << 4) | STT_TLS;
    expect_reject(&f, "(sample_total) has unsupported type 6", NULL);
    s->st_info = (STB_GLOBAL << 4) | STT_GNU_IFUNC;
    expect_reject(&f, "(sample_total) has unsupported type 10", NULL);
    done(&f);
}

Test(vxdelf, rejects_common_symbol_suggesting_fno_common)
{
    struct elf f = good();
    sym(&f, "sample_total")->st_shndx = SHN_COMMON;
    expect_reject(&f, "(sample_total) is a common symbol", "-fno-common");
    done(&f);
}

Test(vxdelf, rejects_reserved_section_index)
{
    struct elf f = good();
    sym(&f, "sample_total")->st_shndx = SHN_XINDEX;
    expect_reject(&f, "reserved section index 0xffff", NULL);
    sym(&f, "sample_total")->st_shndx = SHN_LORESERVE;
    expect_reject(&f, "reserved section index 0xff00", NULL);
    done(&f);
}

Test(vxdelf, rejects_symbol_section_index_out_of_range)
{
    struct elf f = good();
    sym(&f, "sample_total")->st_shndx = (uint16_t)nsec(&f);
    expect_reject(&f, "(sample_total) section index 14 out of range", NULL);
    done(&f);
}

/* value + size must end inside the section (computed without wrap-around). */
Test(vxdelf, rejects_symbol_outside_its_section)
{
    struct elf f = good();
    Elf32_Sym *s = sym(&f, "sample_total");
    uint32_t dsize = sec(&f, ".data")->sh_size;
    s->st_value = dsize - s->st_size + 1;
    expect_reject(&f, "(sample_total)", "lies outside section .data");
    s->st_value = 0xFFFFFFFCu;
    s->st_size = 8;
    expect_reject(&f, "(sample_total) at 0xfffffffc+0x8", "lies outside section .data");
    /* ending exactly at the end is fine */
    s->st_value = dsize - 4;
    s->st_size = 4;
    expect_accept(&f);
    done(&f);
}

/* The DDB is checked for lying inside its section as every symbol is. */
Test(vxdelf, rejects_ddb_outside_its_section)
{
    struct elf f = good();
    sym(&f, "SAMPLE_DDB")->st_value = sec(&f, ".data")->sh_size - 0x40;
    expect_reject(&f, "(SAMPLE_DDB)", "lies outside section .data");
    done(&f);
}

Test(vxdelf, rejects_local_undefined_symbol)
{
    struct elf f = good();
    sym(&f, "vmm_helper")->st_info = (STB_LOCAL << 4) | STT_NOTYPE;
    expect_reject(&f, "undefined symbol", "(vmm_helper) is local");
    done(&f);
}

Test(vxdelf, rejects_unnamed_undefined_symbol)
{
    struct elf f = good();
    unsigned i = sym_index(&f, "vmm_helper");
    symn(&f, i)->st_name = 0;
    expect_reject(&f, "undefined symbol", "has no name");
    done(&f);
}

/* ---- DDB rejections -------------------------------------------------------------------------- */

/* Renamed, made local, or not an object: no DDB. */
Test(vxdelf, rejects_missing_ddb)
{
    struct elf f = good();
    char *n = (char *)sym_name(&f, sym_index(&f, "SAMPLE_DDB"));
    n[strlen(n) - 1] = 'X';
    expect_reject(&f, "no DDB", "_DDB");
    done(&f);
    f = good();
    sym(&f, "SAMPLE_DDB")->st_info = (STB_LOCAL << 4) | STT_OBJECT;
    expect_reject(&f, "no DDB", NULL);
    sym(&f, "SAMPLE_DDB")->st_info = (STB_GLOBAL << 4) | STT_FUNC;
    expect_reject(&f, "no DDB", NULL);
    done(&f);
}

Test(vxdelf, rejects_two_ddbs)
{
    struct elf f = good();
    Elf32_Sym *svc = sym(&f, "sample_services");
    svc->st_name = sym(&f, "SAMPLE_DDB")->st_name;
    expect_reject(&f, "two DDBs", "SAMPLE_DDB and SAMPLE_DDB");
    done(&f);
}

Test(vxdelf, rejects_ddb_of_wrong_size)
{
    struct elf f = good();
    sym(&f, "SAMPLE_DDB")->st_size = 0x4c;
    expect_reject(&f, "DDB SAMPLE_DDB is 76 bytes", "expected 80");
    done(&f);
}

/* Absolute, or in a section that is not loaded. */
Test(vxdelf, rejects_ddb_not_loaded)
{
    struct elf f = good();
    sym(&f, "SAMPLE_DDB")->st_shndx = SHN_ABS;
    expect_reject(&f, "DDB SAMPLE_DDB", "not in a section that is loaded");
    done(&f);
    f = good();
    sec(&f, ".data")->sh_flags &= ~SHF_ALLOC;
    expect_reject(&f, "DDB SAMPLE_DDB", "not in a section that is loaded");
    done(&f);
}

Test(vxdelf, rejects_ddb_in_read_only_section)
{
    struct elf f = good();
    sec(&f, ".data")->sh_flags &= ~SHF_WRITE;
    expect_reject(&f, "DDB SAMPLE_DDB lies in read-only section .data", NULL);
    done(&f);
}

Test(vxdelf, rejects_ddb_in_nobits_section)
{
    struct elf f = good();
    Elf32_Sym *d = sym(&f, "SAMPLE_DDB");
    d->st_shndx = (uint16_t)sec_index(&f, ".bss");
    sec(&f, ".bss")->sh_size = 0x100;
    expect_reject(&f, "DDB SAMPLE_DDB lies in NOBITS section .bss", "initialised");
    done(&f);
}

Test(vxdelf, rejects_misaligned_ddb)
{
    struct elf f = good();
    sym(&f, "SAMPLE_DDB")->st_value += 2;
    expect_reject(&f, "DDB SAMPLE_DDB is not 4-byte aligned", NULL);
    done(&f);
    f = good();
    sec(&f, ".data")->sh_addralign = 2;
    expect_reject(&f, "DDB SAMPLE_DDB is not 4-byte aligned", "alignment 2");
    done(&f);
}

/* ---- relocation rejections ------------------------------------------------------------------- */

Test(vxdelf, rejects_relocation_symbol_out_of_range)
{
    struct elf f = good();
    Elf32_Rel *r = rel(&f, ".rel.text", 2);
    r->r_info = (nsyms(&f) << 8) | R_386_32;
    expect_reject(&f, "relocation 2 in .rel.text uses symbol 17", "beyond the 17 symbols");
    done(&f);
}

/* r_offset + 4 must fit in the target (the brief's example message, with wrap-around). */
Test(vxdelf, rejects_relocation_offset_beyond_section)
{
    struct elf f = good();
    uint32_t tsize = sec(&f, ".text")->sh_size;
    Elf32_Rel *r = rel(&f, ".rel.text", 1);
    r->r_offset = tsize - 3;
    char want[96];
    snprintf(want, sizeof want,
             "relocation 1 in .rel.text has offset 0x%x beyond .text (0x%x bytes)",
             tsize - 3, tsize);
    expect_reject(&f, want, NULL);
    r->r_offset = 0xFFFFFFFEu;
    expect_reject(&f, "has offset 0xfffffffe", NULL);
    r->r_offset = tsize - 4;
    expect_accept(&f);
    done(&f);
}

Test(vxdelf, rejects_unsupported_relocation_type)
{
    const unsigned bad[] = { 3 /* GOT32 */, 5 /* COPY */, 8 /* RELATIVE */, 10 /* GOTPC */,
                             20 /* R_386_16 */, 42 /* GOT32X */ };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct elf f = good();
        Elf32_Rel *r = rel(&f, ".rel.data", 3);
        r->r_info = (r->r_info & ~0xffu) | bad[i];
        char want[64];
        snprintf(want, sizeof want, "relocation 3 in .rel.data has unsupported type %u", bad[i]);
        expect_reject(&f, want, NULL);
        done(&f);
    }
}

/* R_386_NONE is ignored; R_386_PLT32 is a PC32 (no PLT); both are accepted. */
Test(vxdelf, accepts_none_and_plt32)
{
    struct elf f = good();
    unsigned k = rel_against(&f, ".rel.text", "vmm_helper");
    Elf32_Rel *r = rel(&f, ".rel.text", k);
    r->r_info = (r->r_info & ~0xffu) | R_386_PLT32;
    struct load *L = load_ok(&f);
    uint32_t toff = L->x.sec[sec_index(&f, ".text")].off;
    uint32_t P = ADDR[VXD_G_TEXT] + toff + r->r_offset;
    cr_assert_eq(P + 4 + rd32(L->base[VXD_G_TEXT] + toff + r->r_offset), HELPER_ADDR);
    unload(L);
    r->r_info = R_386_NONE;                 /* symbol 0 too */
    L = load_ok(&f);
    cr_assert_eq(L->resolved, 0);
    cr_assert_eq(rd32(L->base[VXD_G_TEXT] + toff + r->r_offset),
                 rd32(f.p + sec(&f, ".text")->sh_offset + r->r_offset), "NONE leaves the addend");
    unload(L);
    done(&f);
}

Test(vxdelf, rejects_relocation_against_null_symbol)
{
    struct elf f = good();
    rel(&f, ".rel.data", 0)->r_info = R_386_32;   /* symbol 0 */
    expect_reject(&f, "relocation 0 in .rel.data (type 1) uses the null symbol", NULL);
    done(&f);
}

/* A loaded section may not need the address of one that is not loaded. */
Test(vxdelf, rejects_relocation_against_unloaded_section)
{
    struct elf f = good();
    /* .rel.data refers to .rodata through its section symbol */
    section_sym(&f, ".rodata")->st_shndx = (uint16_t)sec_index(&f, ".comment");
    expect_reject(&f, "needs the address of .comment, which is not loaded", "section symbol");
    done(&f);
    f = good();
    sym(&f, "sample_total")->st_shndx = (uint16_t)sec_index(&f, ".eh_frame");
    sec(&f, ".eh_frame")->sh_flags &= ~SHF_ALLOC;
    expect_reject(&f, "needs the address of .eh_frame, which is not loaded", "sample_total");
    done(&f);
}

/* An alloc SHT_NOTE (.note.gnu.property) is not loaded; relocations into it are skipped. */
Test(vxdelf, alloc_note_is_not_loaded)
{
    struct elf f = good();
    sec(&f, ".eh_frame")->sh_type = SHT_NOTE;
    struct load *L = load_ok(&f);
    cr_assert_eq(L->x.sec[sec_index(&f, ".eh_frame")].group, VXD_G_NONE);
    cr_assert_leq(vxd_group_size(&L->x, VXD_G_RODATA), sec(&f, ".rodata")->sh_size);
    unload(L);
    done(&f);
}

/* ---- layout and resolution failures ---------------------------------------------------------- */

Test(vxdelf, rejects_group_over_16_mb)
{
    struct elf f = good();
    Elf32_Shdr *b = sec(&f, ".bss");
    b->sh_size = VXD_MAX_GROUP;
    expect_reject(&f, "section .bss (0x1000000 bytes)", "larger than the loader's 16 MB");
    b->sh_size = 0xFFFFFFFFu;
    expect_reject(&f, "data group larger", NULL);
    done(&f);
}

/* An unresolved symbol is an error with its name, weak or not; without a resolver too. */
Test(vxdelf, rejects_unresolved_symbol_by_name)
{
    struct elf f = good();
    struct load *L = malloc(sizeof *L);
    cr_assert_eq(load_bytes(L, f.p, f.len, resolve_none), -1);
    cr_assert_eq(L->stage, 3);
    cr_assert(strstr(L->e.msg, "SAMPLE.VXD: unresolved symbol vmm_helper (relocation"), "%s",
              L->e.msg);
    cr_assert(strstr(L->e.msg, "in .rel.text"), "%s", L->e.msg);
    unload(L);
    sym(&f, "vmm_helper")->st_info = (STB_WEAK << 4) | STT_NOTYPE;
    L = malloc(sizeof *L);
    cr_assert_eq(load_bytes(L, f.p, f.len, resolve_none), -1);
    cr_assert(strstr(L->e.msg, "unresolved weak symbol vmm_helper"), "%s", L->e.msg);
    unload(L);
    L = malloc(sizeof *L);
    cr_assert_eq(load_bytes(L, f.p, f.len, NULL), -1);
    cr_assert(strstr(L->e.msg, "unresolved weak symbol vmm_helper"), "%s", L->e.msg);
    unload(L);
    done(&f);
}

Test(vxdelf, relocate_before_layout_is_refused)
{
    struct elf f = good();
    struct vxd_elf *x = malloc(sizeof *x);
    struct kerr e;
    cr_assert_eq(vxd_validate(x, "SAMPLE.VXD", f.p, (uint32_t)f.len, &e), 0, "%s", e.msg);
    uint8_t *base[VXD_NGROUPS] = { NULL, NULL, NULL };
    cr_assert_eq(vxd_relocate(x, base, ADDR, resolve_none, NULL, &e), -1);
    cr_assert(strstr(e.msg, "before it was laid out"), "%s", e.msg);
    cr_assert_eq(vxd_group_size(x, VXD_G_TEXT), 0);
    free(x);
    done(&f);
}

/* ---- minimal synthetic VxDs ------------------------------------------------------------------ */

/* A VxD of nothing but a DDB in .data: sections NULL, .data, .symtab, .strtab, .shstrtab, then
 * `extra` empty non-alloc sections; no text, rodata, bss or relocations. */
static struct elf minimal(unsigned extra)
{
    static const char strtab[] = "\0TINY_DDB";
    static const char shstr[] = "\0.data\0.symtab\0.strtab\0.shstrtab\0.pad";
    unsigned n = 5 + extra;
    uint32_t data_off = 52, sym_off = data_off + 0x50, str_off = sym_off + 32,
             shs_off = str_off + sizeof strtab, sh_off = (shs_off + sizeof shstr + 3) & ~3u;
    struct elf f;
    f.len = sh_off + n * sizeof(Elf32_Shdr);
    f.p = calloc(1, f.len);
    cr_assert_not_null(f.p);
    Elf32_Ehdr *h = eh(&f);
    memcpy(h->e_ident, ELFMAG, 4);
    h->e_ident[EI_CLASS] = ELFCLASS32;
    h->e_ident[EI_DATA] = ELFDATA2LSB;
    h->e_ident[EI_VERSION] = EV_CURRENT;
    h->e_type = ET_REL;
    h->e_machine = EM_386;
    h->e_version = EV_CURRENT;
    h->e_shoff = sh_off;
    h->e_ehsize = sizeof *h;
    h->e_shentsize = sizeof(Elf32_Shdr);
    h->e_shnum = (uint16_t)n;
    h->e_shstrndx = 4;
    struct VxD_Desc_Block d = { .DDB_Name = "TINY    ", .DDB_Size = 0x50 };
    memcpy(f.p + data_off, &d, sizeof d);
    Elf32_Sym syms[2] = { { 0 }, { 1, 0, 0x50, (STB_GLOBAL << 4) | STT_OBJECT, 0, 1 } };
    memcpy(f.p + sym_off, syms, sizeof syms);
    memcpy(f.p + str_off, strtab, sizeof strtab);
    memcpy(f.p + shs_off, shstr, sizeof shstr);
    Elf32_Shdr s[5] = {
        { 0 },
        { 1, SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 0, data_off, 0x50, 0, 0, 4, 0 },
        { 7, SHT_SYMTAB, 0, 0, sym_off, 32, 3, 1, 4, 16 },
        { 15, SHT_STRTAB, 0, 0, str_off, sizeof strtab, 0, 0, 1, 0 },
        { 23, SHT_STRTAB, 0, 0, shs_off, sizeof shstr, 0, 0, 1, 0 },
    };
    memcpy(sh(&f, 0), s, sizeof s);
    for (unsigned i = 5; i < n; i++)
        *sh(&f, i) = (Elf32_Shdr){ 33, SHT_PROGBITS, 0, 0, 0, 0, 0, 0, 1, 0 };
    return f;
}

/* No relocations, no text, no bss: empty groups have size 0 and need no buffer. */
Test(vxdelf, minimal_vxd_without_relocations)
{
    struct elf f = minimal(0);
    struct load *L = load_ok(&f);
    cr_assert_eq(vxd_group_size(&L->x, VXD_G_TEXT), 0);
    cr_assert_eq(vxd_group_size(&L->x, VXD_G_RODATA), 0);
    cr_assert_eq(vxd_group_size(&L->x, VXD_G_DATA), 0x50);
    cr_assert_null(L->base[VXD_G_TEXT]);
    cr_assert_eq(vxd_ddb_addr(&L->x, ADDR), ADDR[VXD_G_DATA]);
    cr_assert_str_eq(vxd_ddb_name(&L->x), "TINY_DDB");
    cr_assert_eq(memcmp(L->base[VXD_G_DATA] + 12, "TINY    ", 8), 0);
    cr_assert_eq(L->resolved, 0);
    unload(L);
    /* and with no resolver at all */
    L = malloc(sizeof *L);
    cr_assert_eq(load_bytes(L, f.p, f.len, NULL), 0, "%s", L->e.msg);
    unload(L);
    done(&f);
}

/* Exactly VXD_MAX_SECTIONS sections load; one more is refused by the cap, not by anything else. */
Test(vxdelf, max_sections_accepted_one_more_refused)
{
    struct elf f = minimal(VXD_MAX_SECTIONS - 5);
    expect_accept(&f);
    done(&f);
    f = minimal(VXD_MAX_SECTIONS - 4);
    expect_reject(&f, "129 sections", "more than");
    done(&f);
}

/* ---- robustness ------------------------------------------------------------------------------ */

static uint64_t rng_state;
static uint64_t rnd(void) { return rng_next(&rng_state); }

static uint32_t interesting32(void)
{
    static const uint32_t v[] = { 0, 1, 2, 3, 4, 7, 8, 9, 16, 0x34, 0x50, 0x7f, 0x80, 0xff,
                                  0x100, 0xfff, 0x1000, 0x1001, 0xff00, 0xfff1, 0xfff2, 0xffff,
                                  0x10000, 0x7fffffffu, 0x80000000u, 0xFFFFFFF0u, 0xFFFFFFFCu,
                                  0xFFFFFFFFu };
    return v[rnd() % (sizeof v / sizeof v[0])];
}

/* A byte offset in one of the parts the loader interprets: the ELF header, the section table,
 * the symbol table, a relocation section, a string table; or anywhere. */
static size_t pick(struct elf *f)
{
    static const char *parts[] = { ".symtab", ".rel.text", ".rel.data", ".rel.eh_frame",
                                   ".strtab", ".shstrtab" };
    switch (rnd() % 4) {
    case 0:
        return rnd() % sizeof(Elf32_Ehdr);
    case 1:
        return eh(f)->e_shoff + rnd() % (nsec(f) * sizeof(Elf32_Shdr));
    case 2: {
        Elf32_Shdr *s = sec(f, parts[rnd() % (sizeof parts / sizeof parts[0])]);
        return s->sh_offset + rnd() % s->sh_size;
    }
    default:
        return rnd() % f->len;
    }
}

/* After a successful load, what vxdelf.h promises: every loaded section inside its group, at its
 * alignment, W^X; the DDB inside the data group. */
static void check_invariants(struct load *L, unsigned iter)
{
    for (unsigned i = 1; i < L->x.nsec; i++) {
        const struct vxd_sec *s = &L->x.sec[i];
        if (s->group == VXD_G_NONE)
            continue;
        cr_assert_lt(s->group, VXD_NGROUPS, "iter %u", iter);
        cr_assert_leq((uint64_t)s->off + s->sh.sh_size, vxd_group_size(&L->x, s->group),
                      "iter %u: section %u past its group", iter, i);
        uint32_t a = s->sh.sh_addralign ? s->sh.sh_addralign : 1;
        cr_assert_eq(s->off % a, 0, "iter %u", iter);
        cr_assert(!((s->sh.sh_flags & SHF_WRITE) && (s->sh.sh_flags & SHF_EXECINSTR)),
                  "iter %u", iter);
    }
    uint32_t ddb = vxd_ddb_addr(&L->x, ADDR);
    cr_assert(in_group(L, VXD_G_DATA, ddb) && in_group(L, VXD_G_DATA, ddb + 0x4f), "iter %u", iter);
}

static int resolve_all(const char *name, uint32_t *addr, void *ctx)
{
    (void)name, (void)ctx;
    *addr = HELPER_ADDR;
    return 0;
}

/* 20000 seeded mutations of good.vxd (1-8 changes each: bit flips, random bytes and interesting
 * words aimed at the parts the loader reads, and truncations): no crash, no access outside the
 * file or the groups (ASan), every rejection has a message, and every accepted file loads fully
 * and keeps the invariants. */
Test(vxdelf, random_mutations_never_crash, .timeout = 120)
{
    struct elf f = good();
    unsigned char *buf = malloc(f.len);
    cr_assert_not_null(buf);
    struct load *L = malloc(sizeof *L);
    cr_assert_not_null(L);
    rng_state = 0x5eed0d0bull;
    unsigned accepted = 0, rejected = 0;

    for (unsigned iter = 0; iter < 20000; iter++) {
        memcpy(buf, f.p, f.len);
        size_t len = f.len;
        unsigned nmut = 1 + (unsigned)(rnd() % 8);
        for (unsigned k = 0; k < nmut; k++) {
            struct elf orig = f;            /* pick() reads the unmutated layout */
            size_t at = pick(&orig);
            switch (rnd() % 6) {
            case 0: case 1:
                buf[at] ^= (unsigned char)(1u << (rnd() % 8));
                break;
            case 2:
                buf[at] = (unsigned char)rnd();
                break;
            case 3: case 4: {
                at &= ~(size_t)3;
                uint32_t v = interesting32();
                if (at + 4 <= f.len)
                    memcpy(buf + at, &v, 4);
                break;
            }
            case 5:
                if (rnd() % 4 == 0)
                    len = (size_t)(rnd() % (len + 1));
                break;
            }
        }
        struct load *l = L;
        int r = load_bytes(l, buf, len, resolve_all);
        if (r == 0) {
            accepted++;
            check_invariants(l, iter);
        } else {
            rejected++;
            cr_assert_eq(r, -1, "iter %u", iter);
            cr_assert(!strncmp(l->e.msg, "SAMPLE.VXD: ", 12), "iter %u: \"%s\"", iter, l->e.msg);
            cr_assert(l->stage < 3, "iter %u: accepted file failed to relocate: %s", iter,
                      l->e.msg);
        }
        for (unsigned g = 0; g < VXD_NGROUPS; g++)
            free(l->base[g]);
        free(l->file);
    }
    free(L);
    free(buf);
    done(&f);
    cr_log_info("vxdelf mutations: %u accepted, %u rejected", accepted, rejected);
    cr_assert_gt(accepted, 500, "only %u accepted", accepted);
    cr_assert_gt(rejected, 5000, "only %u rejected", rejected);
}
