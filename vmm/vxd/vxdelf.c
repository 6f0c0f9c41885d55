/*
 * The portable core of the VxD loader: see vxdelf.h.
 *
 * vxd_validate is a cascade of small checks, each relying only on those before it, so that no
 * byte outside [file, file + size) is ever read and every later stage can trust the context.
 * Linux's module loader trusts its (root-supplied) input for most of these; we load whatever is
 * on a FAT stick.  The checks, in order, with the phrase each message carries:
 *
 *  header    file >= 52 bytes                             "too short for an ELF header"
 *            magic 7f 'E' 'L' 'F'                         "not an ELF file"
 *            class 32-bit, little-endian                  "ELF class", "data encoding"
 *            e_ident[EI_VERSION] == 1, e_version == 1     "identification version",
 *                                                         "header version"
 *            e_type ET_REL                                "ELF type"
 *            e_machine EM_386                             "ELF machine"
 *            e_ehsize == 52                               "ELF header size"
 *            e_phnum == 0 (an object has no segments)     "program headers"
 *            e_shentsize == 40                            "section header entry size"
 *            1 <= e_shnum <= VXD_MAX_SECTIONS             "no section header table", "more than"
 *            section table inside the file (64-bit sums)  "section header table"
 *            e_shstrndx < e_shnum                         "section name table index"
 *  sections  section 0 is SHT_NULL                        "section 0 has type"
 *            non-NOBITS bytes inside the file             "beyond the end of the file"
 *            the name table is SHT_STRTAB                 "not SHT_STRTAB"
 *            every SHT_STRTAB non-empty, last byte NUL    "is empty", "does not end with a NUL"
 *            every sh_name inside the name table          "name offset"
 *            sh_addralign 0 or a power of two             "not a power of two"
 *            sh_link < e_shnum                            "links to section"
 *            SHF_INFO_LINK: sh_info < e_shnum             "info refers to section"
 *            type allowed (see vxdelf.h)                  "SHT_RELA", "section group",
 *                                                         "constructors", "unsupported type",
 *                                                         "must not be allocated"
 *            loaded: not TLS, not W+X, NOBITS writable,   "thread-local", "W^X",
 *                    sh_addralign <= 4096                 "read-only NOBITS", "exceeds the page"
 *            exactly one SHT_SYMTAB                       "no symbol table", "two symbol tables"
 *  symtab    sh_entsize == 16                             "entry size"
 *            size a multiple of 16, at least one entry    "multiple of 16", "is empty"
 *            sh_link is an SHT_STRTAB                     "not a string table"
 *            sh_info (first global) <= entries            "first global"
 *  rel       sh_entsize == 8, size a multiple of 8        "entry size", "multiple of 8"
 *            sh_link is the symbol table                  "not the symbol table"
 *            sh_info a section, 1 <= sh_info < e_shnum    "targets section"
 *            the target is not NOBITS                     "targets NOBITS section"
 *  symbols   st_name inside the string table              "name offset"
 *            type NOTYPE/OBJECT/FUNC/SECTION/FILE         "unsupported type"
 *            st_shndx: SHN_COMMON refused                 "-fno-common"
 *                      other reserved indices refused     "reserved section index"
 *                      else UNDEF, ABS or < e_shnum       "section index"
 *            defined, not ABS: value + size in section    "lies outside section"
 *            undefined: global or weak, and named         "is local", "has no name"
 *            one global STT_OBJECT *_DDB                  "no DDB", "two DDBs"
 *  DDB       st_size == 0x50                              "expected 80"
 *            in a loaded section                          "not in a section that is loaded"
 *            writable, PROGBITS                           "read-only section", "NOBITS section"
 *            4-byte aligned (offset and section)          "not 4-byte aligned"
 *            (wholly inside its section: as any symbol)   "lies outside section"
 *  relocs    symbol index < entries                       "uses symbol"
 *            r_offset + 4 <= target size                  "has offset"
 *            into a loaded section, also:
 *            type NONE, 32, PC32, PLT32                   "unsupported type"
 *            not the null symbol (but NONE)               "null symbol"
 *            symbol not in a not-loaded section           "which is not loaded"
 * Relocation sections whose target is not loaded (.rel.debug_*) get the first two and are skipped.
 *
 * Cost: every stage is one pass over what it reads (sections, symbols, relocations); string
 * tables are checked by their last byte, not scanned; only global object names are measured, to
 * find the DDB.  Headers, symbols and relocations are read with constant-size __builtin_memcpy
 * into aligned locals (a few moves once inlined): the file may sit at any address.
 */
#include "vxd/vxdelf.h"
#include "lib/string.h"
#include "vmm/vxd.h"

#define fail(x, e, fmt, ...) kerr_set((e), "%s: " fmt, (x)->name, ##__VA_ARGS__)
#define N "%.40s"               /* a name from the file, cut so the message keeps its values */
#define rd(dst, src) __builtin_memcpy(&(dst), (src), sizeof(dst))

static int is_pow2(uint32_t v) { return v && !(v & (v - 1)); }
static int in_file(const struct vxd_elf *x, uint32_t off, uint32_t len)
{
    return (uint64_t)off + len <= x->size;
}

/* Valid once the name table and every sh_name are checked (the table ends with a NUL). */
static const char *secname(const struct vxd_elf *x, unsigned i)
{
    return (const char *)x->file + x->sec[x->shstrndx].sh.sh_offset + x->sec[i].sh.sh_name;
}

static Elf32_Sym sym_at(const struct vxd_elf *x, uint32_t i)
{
    Elf32_Sym s;
    rd(s, x->file + x->symoff + i * sizeof s);
    return s;
}

/* Valid once st_name is checked (the string table ends with a NUL). */
static const char *symname(const struct vxd_elf *x, const Elf32_Sym *s)
{
    return (const char *)x->file + x->stroff + s->st_name;
}

/* ---- header ---------------------------------------------------------------------------------- */

static int check_header(struct vxd_elf *x, Elf32_Ehdr *h, struct kerr *e)
{
    if (x->size < sizeof *h)
        return fail(x, e, "file is %u bytes, too short for an ELF header (52)", x->size);
    rd(*h, x->file);
    if (h->e_ident[0] != 0x7f || h->e_ident[1] != 'E' || h->e_ident[2] != 'L' ||
        h->e_ident[3] != 'F')
        return fail(x, e, "not an ELF file (magic %02x %02x %02x %02x)",
                    h->e_ident[0], h->e_ident[1], h->e_ident[2], h->e_ident[3]);
    if (h->e_ident[EI_CLASS] != ELFCLASS32)
        return fail(x, e, "ELF class %u, expected 1 (32-bit)", h->e_ident[EI_CLASS]);
    if (h->e_ident[EI_DATA] != ELFDATA2LSB)
        return fail(x, e, "ELF data encoding %u, expected 1 (little-endian)", h->e_ident[EI_DATA]);
    if (h->e_ident[EI_VERSION] != EV_CURRENT)
        return fail(x, e, "ELF identification version %u, expected 1", h->e_ident[EI_VERSION]);
    if (h->e_version != EV_CURRENT)
        return fail(x, e, "ELF header version %u, expected 1", h->e_version);
    if (h->e_type != ET_REL)
        return fail(x, e, "ELF type %u, expected 1 (a relocatable object: gcc -c)", h->e_type);
    if (h->e_machine != EM_386)
        return fail(x, e, "ELF machine %u, expected 3 (i386: gcc -m32)", h->e_machine);
    if (h->e_ehsize != sizeof *h)
        return fail(x, e, "ELF header size %u, expected 52", h->e_ehsize);
    if (h->e_phnum != 0)
        return fail(x, e, "%u program headers: a relocatable object has none (a linked file?)",
                    h->e_phnum);
    if (h->e_shentsize != sizeof(Elf32_Shdr))
        return fail(x, e, "section header entry size %u, expected 40", h->e_shentsize);
    if (h->e_shnum == 0)
        return fail(x, e, "no section header table (e_shnum 0)");
    if (h->e_shnum > VXD_MAX_SECTIONS)
        return fail(x, e, "%u sections, more than the loader's %u (-ffunction-sections?)",
                    h->e_shnum, VXD_MAX_SECTIONS);
    if (!in_file(x, h->e_shoff, (uint32_t)h->e_shnum * sizeof(Elf32_Shdr)))
        return fail(x, e, "section header table (offset 0x%x, %u entries) runs past the end of "
                    "the file (%u bytes)", h->e_shoff, h->e_shnum, x->size);
    if (h->e_shstrndx >= h->e_shnum)
        return fail(x, e, "section name table index %u out of range (%u sections)",
                    h->e_shstrndx, h->e_shnum);
    return 0;
}

/* ---- sections -------------------------------------------------------------------------------- */

/* Copies the section headers, and checks what names and all later checks rely on: section 0,
 * bytes inside the file, the name table, every string table's terminator, every name. */
static int read_sections(struct vxd_elf *x, const Elf32_Ehdr *h, struct kerr *e)
{
    x->nsec = h->e_shnum;
    for (unsigned i = 0; i < x->nsec; i++) {
        struct vxd_sec *s = &x->sec[i];
        rd(s->sh, x->file + h->e_shoff + i * sizeof(Elf32_Shdr));
        s->off = 0;
        s->group = VXD_G_NONE;
        if (s->sh.sh_type != SHT_NOBITS && !in_file(x, s->sh.sh_offset, s->sh.sh_size))
            return fail(x, e, "section %u: bytes 0x%x..0x%llx lie beyond the end of the file "
                        "(%u bytes)", i, s->sh.sh_offset,
                        (unsigned long long)s->sh.sh_offset + s->sh.sh_size, x->size);
    }
    if (x->sec[0].sh.sh_type != SHT_NULL)
        return fail(x, e, "section 0 has type %u, expected SHT_NULL", x->sec[0].sh.sh_type);
    const Elf32_Shdr *names = &x->sec[h->e_shstrndx].sh;
    if (names->sh_type != SHT_STRTAB)
        return fail(x, e, "section name table (section %u) has type %u, not SHT_STRTAB",
                    h->e_shstrndx, names->sh_type);
    for (unsigned i = 0; i < x->nsec; i++) {
        const Elf32_Shdr *s = &x->sec[i].sh;
        if (s->sh_type != SHT_STRTAB)
            continue;
        if (s->sh_size == 0)
            return fail(x, e, "string table (section %u) is empty", i);
        if (x->file[s->sh_offset + s->sh_size - 1] != 0)
            return fail(x, e, "string table (section %u) does not end with a NUL byte", i);
    }
    x->shstrndx = h->e_shstrndx;
    for (unsigned i = 0; i < x->nsec; i++)
        if (x->sec[i].sh.sh_name >= names->sh_size)
            return fail(x, e, "section %u: name offset 0x%x beyond the section name table "
                        "(0x%x bytes)", i, x->sec[i].sh.sh_name, names->sh_size);
    return 0;
}

/* The section types a VxD may hold, and which group a loaded one goes to. */
static int classify(struct vxd_elf *x, unsigned i, struct kerr *e)
{
    struct vxd_sec *s = &x->sec[i];
    uint32_t t = s->sh.sh_type, f = s->sh.sh_flags;
    int alloc = (f & SHF_ALLOC) != 0;

    switch (t) {
    case SHT_NULL:
    case SHT_NOTE:                  /* .note.gnu.property and the like: never loaded */
        return 0;
    case SHT_SYMTAB:
    case SHT_STRTAB:
    case SHT_REL:
        if (alloc)
            return fail(x, e, "section " N " (type %u) must not be allocated", secname(x, i), t);
        return 0;
    case SHT_PROGBITS:
    case SHT_NOBITS:
        break;
    case SHT_RELA:
        return fail(x, e, "section " N " is SHT_RELA: i386 objects use SHT_REL", secname(x, i));
    case SHT_GROUP:
        return fail(x, e, "section " N " is a section group (COMDAT): not supported",
                    secname(x, i));
    case SHT_INIT_ARRAY:
    case SHT_FINI_ARRAY:
    case SHT_PREINIT_ARRAY:
        return fail(x, e, "section " N " holds constructors or destructors (type %u): a VxD "
                    "has none", secname(x, i), t);
    default:
        if (t >= SHT_LOOS && !alloc)
            return 0;               /* e.g. .llvm_addrsig, GNU attributes: carried, unread */
        return fail(x, e, "section " N " has unsupported type 0x%x", secname(x, i), t);
    }
    if (!alloc)
        return 0;                   /* .comment, .debug_*, .note.GNU-stack */
    if (f & SHF_TLS)
        return fail(x, e, "section " N " is thread-local (SHF_TLS): not supported", secname(x, i));
    if ((f & SHF_WRITE) && (f & SHF_EXECINSTR))
        return fail(x, e, "section " N " is both writable and executable (W^X)", secname(x, i));
    if (t == SHT_NOBITS && !(f & SHF_WRITE))
        return fail(x, e, "section " N " is read-only NOBITS (flags 0x%x)", secname(x, i), f);
    if (s->sh.sh_addralign > VXD_MAX_ALIGN)
        return fail(x, e, "section " N " alignment 0x%x exceeds the page size (4096)",
                    secname(x, i), s->sh.sh_addralign);
    s->group = (f & SHF_EXECINSTR) ? VXD_G_TEXT : (f & SHF_WRITE) ? VXD_G_DATA : VXD_G_RODATA;
    return 0;
}

static int check_sections(struct vxd_elf *x, struct kerr *e)
{
    unsigned symtab = 0;

    for (unsigned i = 0; i < x->nsec; i++) {
        const Elf32_Shdr *s = &x->sec[i].sh;
        if (s->sh_addralign && !is_pow2(s->sh_addralign))
            return fail(x, e, "section " N " alignment 0x%x is not a power of two",
                        secname(x, i), s->sh_addralign);
        if (s->sh_link >= x->nsec)
            return fail(x, e, "section " N " links to section %u, out of range (%u sections)",
                        secname(x, i), s->sh_link, x->nsec);
        if ((s->sh_flags & SHF_INFO_LINK) && s->sh_info >= x->nsec)
            return fail(x, e, "section " N " info refers to section %u, out of range (%u "
                        "sections)", secname(x, i), s->sh_info, x->nsec);
        if (classify(x, i, e))
            return -1;
        if (s->sh_type == SHT_SYMTAB) {
            if (symtab)
                return fail(x, e, "two symbol tables (sections %u and %u)", symtab, i);
            symtab = i;             /* never 0: section 0 is SHT_NULL */
        }
    }
    if (!symtab)
        return fail(x, e, "no symbol table (stripped?)");
    x->symtab = symtab;
    return 0;
}

static int check_symtab(struct vxd_elf *x, struct kerr *e)
{
    const Elf32_Shdr *s = &x->sec[x->symtab].sh;
    const char *n = secname(x, x->symtab);

    if (s->sh_entsize != sizeof(Elf32_Sym))
        return fail(x, e, "symbol table " N " entry size %u, expected 16", n, s->sh_entsize);
    if (s->sh_size % sizeof(Elf32_Sym))
        return fail(x, e, "symbol table " N " size 0x%x is not a multiple of 16", n, s->sh_size);
    if (s->sh_size == 0)
        return fail(x, e, "symbol table " N " is empty", n);
    const Elf32_Shdr *str = &x->sec[s->sh_link].sh;
    if (str->sh_type != SHT_STRTAB)
        return fail(x, e, "symbol table " N " links to section %u (type %u), not a string table",
                    n, s->sh_link, str->sh_type);
    x->symoff = s->sh_offset;
    x->nsyms = s->sh_size / sizeof(Elf32_Sym);
    if (s->sh_info > x->nsyms)
        return fail(x, e, "symbol table " N " first global %u is beyond its %u symbols", n,
                    s->sh_info, x->nsyms);
    x->stroff = str->sh_offset;     /* non-empty and NUL-terminated (read_sections) */
    x->strsize = str->sh_size;
    return 0;
}

static int check_rel_sections(struct vxd_elf *x, struct kerr *e)
{
    for (unsigned i = 0; i < x->nsec; i++) {
        const Elf32_Shdr *s = &x->sec[i].sh;
        if (s->sh_type != SHT_REL)
            continue;
        const char *n = secname(x, i);
        if (s->sh_entsize != sizeof(Elf32_Rel))
            return fail(x, e, "relocation section " N " entry size %u, expected 8", n,
                        s->sh_entsize);
        if (s->sh_size % sizeof(Elf32_Rel))
            return fail(x, e, "relocation section " N " size 0x%x is not a multiple of 8", n,
                        s->sh_size);
        if (s->sh_link != x->symtab)
            return fail(x, e, "relocation section " N " links to section %u, not the symbol "
                        "table (section %u)", n, s->sh_link, x->symtab);
        if (s->sh_info == 0 || s->sh_info >= x->nsec)
            return fail(x, e, "relocation section " N " targets section %u, out of range (1..%u)",
                        n, s->sh_info, x->nsec - 1);
        if (x->sec[s->sh_info].sh.sh_type == SHT_NOBITS)
            return fail(x, e, "relocation section " N " targets NOBITS section " N, n,
                        secname(x, s->sh_info));
    }
    return 0;
}

/* ---- symbols and the DDB --------------------------------------------------------------------- */

/* The DDB candidate test: a defined global object whose name ends in "_DDB". */
static int is_ddb(const struct vxd_elf *x, const Elf32_Sym *s)
{
    if (ELF32_ST_BIND(s->st_info) != STB_GLOBAL || ELF32_ST_TYPE(s->st_info) != STT_OBJECT ||
        s->st_shndx == SHN_UNDEF)
        return 0;
    const char *n = symname(x, s);
    size_t len = strlen(n);
    return len >= 4 && n[len - 4] == '_' && n[len - 3] == 'D' && n[len - 2] == 'D' &&
           n[len - 1] == 'B';
}

static int check_symbol(struct vxd_elf *x, uint32_t i, const Elf32_Sym *s, struct kerr *e)
{
    if (s->st_name >= x->strsize)
        return fail(x, e, "symbol %u: name offset 0x%x beyond the string table (0x%x bytes)", i,
                    s->st_name, x->strsize);
    const char *n = symname(x, s);
    unsigned type = ELF32_ST_TYPE(s->st_info);
    if (type > STT_FILE)            /* TLS, IFUNC, COMMON, ...: nothing here to run them */
        return fail(x, e, "symbol %u (" N ") has unsupported type %u", i, n, type);
    if (s->st_shndx == SHN_COMMON)
        return fail(x, e, "symbol %u (" N ") is a common symbol: build with -fno-common", i, n);
    if (s->st_shndx >= SHN_LORESERVE && s->st_shndx != SHN_ABS)
        return fail(x, e, "symbol %u (" N ") has reserved section index 0x%x", i, n,
                    s->st_shndx);
    if (s->st_shndx < SHN_LORESERVE && s->st_shndx >= x->nsec)
        return fail(x, e, "symbol %u (" N ") section index %u out of range (%u sections)", i, n,
                    s->st_shndx, x->nsec);
    if (s->st_shndx == SHN_UNDEF) {
        if (i == 0)
            return 0;               /* the null symbol */
        if (ELF32_ST_BIND(s->st_info) != STB_GLOBAL && ELF32_ST_BIND(s->st_info) != STB_WEAK)
            return fail(x, e, "undefined symbol %u (" N ") is local (binding %u)", i, n,
                        ELF32_ST_BIND(s->st_info));
        if (s->st_name == 0)
            return fail(x, e, "undefined symbol %u has no name", i);
        return 0;
    }
    if (s->st_shndx != SHN_ABS) {
        const Elf32_Shdr *sec = &x->sec[s->st_shndx].sh;
        if ((uint64_t)s->st_value + s->st_size > sec->sh_size)
            return fail(x, e, "symbol %u (" N ") at 0x%x+0x%x lies outside section " N
                        " (0x%x bytes)", i, n, s->st_value, s->st_size,
                        secname(x, s->st_shndx), sec->sh_size);
    }
    return 0;
}

/* One pass over the symbols: each checked, the DDB found. */
static int check_symbols(struct vxd_elf *x, struct kerr *e)
{
    uint32_t ddb = 0;

    for (uint32_t i = 0; i < x->nsyms; i++) {
        Elf32_Sym s = sym_at(x, i);
        if (check_symbol(x, i, &s, e))
            return -1;
        if (!is_ddb(x, &s))
            continue;
        if (ddb) {
            Elf32_Sym first = sym_at(x, ddb);
            return fail(x, e, "two DDBs: " N " and " N, symname(x, &first), symname(x, &s));
        }
        ddb = i;
    }
    if (!ddb)
        return fail(x, e, "no DDB (a global object whose name ends in _DDB)");
    x->ddb = ddb;
    return 0;
}

static int check_ddb(struct vxd_elf *x, struct kerr *e)
{
    Elf32_Sym s = sym_at(x, x->ddb);
    const char *n = symname(x, &s);

    if (s.st_size != sizeof(struct VxD_Desc_Block))
        return fail(x, e, "DDB " N " is %u bytes, expected 80 (struct VxD_Desc_Block)", n,
                    s.st_size);
    if (s.st_shndx == SHN_ABS || x->sec[s.st_shndx].group == VXD_G_NONE)
        return fail(x, e, "DDB " N " is not in a section that is loaded", n);
    const struct vxd_sec *sec = &x->sec[s.st_shndx];
    if (sec->group != VXD_G_DATA)
        return fail(x, e, "DDB " N " lies in read-only section " N " (the VMM writes DDB_Flags)",
                    n, secname(x, s.st_shndx));
    if (sec->sh.sh_type != SHT_PROGBITS)
        return fail(x, e, "DDB " N " lies in NOBITS section " N ": it must be initialised", n,
                    secname(x, s.st_shndx));
    if (s.st_value % 4 || sec->sh.sh_addralign < 4)
        return fail(x, e, "DDB " N " is not 4-byte aligned (offset 0x%x in " N ", alignment %u)",
                    n, s.st_value, secname(x, s.st_shndx), sec->sh.sh_addralign);
    return 0;
}

/* ---- relocations ----------------------------------------------------------------------------- */

static int check_rel(struct vxd_elf *x, unsigned ri, uint32_t k, struct kerr *e)
{
    const Elf32_Shdr *rs = &x->sec[ri].sh;
    const struct vxd_sec *t = &x->sec[rs->sh_info];
    Elf32_Rel r;
    rd(r, x->file + rs->sh_offset + k * sizeof r);
    uint32_t si = ELF32_R_SYM(r.r_info), type = ELF32_R_TYPE(r.r_info);

    if (si >= x->nsyms)
        return fail(x, e, "relocation %u in " N " uses symbol %u, beyond the %u symbols", k,
                    secname(x, ri), si, x->nsyms);
    if ((uint64_t)r.r_offset + 4 > t->sh.sh_size)
        return fail(x, e, "relocation %u in " N " has offset 0x%x beyond " N " (0x%x bytes)", k,
                    secname(x, ri), r.r_offset, secname(x, rs->sh_info), t->sh.sh_size);
    if (t->group == VXD_G_NONE)
        return 0;                   /* .rel.debug_*: checked, not applied */
    if (type != R_386_NONE && type != R_386_32 && type != R_386_PC32 && type != R_386_PLT32)
        return fail(x, e, "relocation %u in " N " has unsupported type %u", k, secname(x, ri),
                    type);
    if (type == R_386_NONE)
        return 0;
    if (si == 0)
        return fail(x, e, "relocation %u in " N " (type %u) uses the null symbol", k,
                    secname(x, ri), type);
    Elf32_Sym s = sym_at(x, si);
    if (s.st_shndx != SHN_UNDEF && s.st_shndx != SHN_ABS &&
        x->sec[s.st_shndx].group == VXD_G_NONE)
        return fail(x, e, "relocation %u in " N " needs the address of " N ", which is not "
                    "loaded (" N ")", k, secname(x, ri), secname(x, s.st_shndx),
                    s.st_name ? symname(x, &s) : "its section symbol");
    return 0;
}

static int check_relocs(struct vxd_elf *x, struct kerr *e)
{
    for (unsigned i = 0; i < x->nsec; i++) {
        const Elf32_Shdr *s = &x->sec[i].sh;
        if (s->sh_type != SHT_REL)
            continue;
        for (uint32_t k = 0; k < s->sh_size / sizeof(Elf32_Rel); k++)
            if (check_rel(x, i, k, e))
                return -1;
    }
    return 0;
}

int vxd_validate(struct vxd_elf *x, const char *name, const void *file, uint32_t size,
                 struct kerr *e)
{
    Elf32_Ehdr h;

    x->name = name ? name : "VxD";
    x->file = file;
    x->size = size;
    x->nsec = 0;
    x->laid_out = 0;
    for (unsigned g = 0; g < VXD_NGROUPS; g++)
        x->gsize[g] = 0;
    if (check_header(x, &h, e) ||          /* the header; the section table in the file */
        read_sections(x, &h, e) ||         /* section bytes in the file; the names */
        check_sections(x, e) ||            /* each section's fields and type; the groups */
        check_symtab(x, e) ||              /* the symbol table and its strings */
        check_rel_sections(x, e) ||        /* the relocation sections' fields */
        check_symbols(x, e) ||             /* every symbol; the DDB found */
        check_ddb(x, e) ||                 /* the DDB's size and place */
        check_relocs(x, e))                /* every relocation */
        return -1;
    return 0;
}

/* ---- layout and copy ------------------------------------------------------------------------- */

static const char *const group_names[VXD_NGROUPS] = { "text", "rodata", "data" };

const char *vxd_group_name(unsigned g) { return g < VXD_NGROUPS ? group_names[g] : "none"; }

uint32_t vxd_group_size(const struct vxd_elf *x, unsigned g)
{
    return g < VXD_NGROUPS && x->laid_out ? x->gsize[g] : 0;
}

int vxd_layout(struct vxd_elf *x, struct kerr *e)
{
    uint64_t size[VXD_NGROUPS] = { 0, 0, 0 };

    x->laid_out = 0;
    for (unsigned i = 1; i < x->nsec; i++) {
        struct vxd_sec *s = &x->sec[i];
        if (s->group == VXD_G_NONE)
            continue;
        uint64_t a = s->sh.sh_addralign ? s->sh.sh_addralign : 1;   /* <= 4096 (classify) */
        uint64_t off = (size[s->group] + a - 1) & ~(a - 1);
        if (off + s->sh.sh_size > VXD_MAX_GROUP)
            return fail(x, e, "section " N " (0x%x bytes) makes the %s group larger than the "
                        "loader's 16 MB", secname(x, i), s->sh.sh_size, group_names[s->group]);
        s->off = (uint32_t)off;
        size[s->group] = off + s->sh.sh_size;
    }
    for (unsigned g = 0; g < VXD_NGROUPS; g++)
        x->gsize[g] = (uint32_t)size[g];
    x->laid_out = 1;
    return 0;
}

void vxd_copy(const struct vxd_elf *x, uint8_t *const base[VXD_NGROUPS])
{
    uint32_t end[VXD_NGROUPS] = { 0, 0, 0 };    /* bytes written so far in each group */

    if (!x->laid_out)
        return;                     /* no offsets yet: every group is 0 bytes */
    for (unsigned i = 1; i < x->nsec; i++) {
        const struct vxd_sec *s = &x->sec[i];
        if (s->group == VXD_G_NONE || s->sh.sh_size == 0)
            continue;
        uint8_t *b = base[s->group];
        memset(b + end[s->group], 0, s->off - end[s->group]);      /* alignment padding */
        if (s->sh.sh_type == SHT_NOBITS)
            memset(b + s->off, 0, s->sh.sh_size);
        else
            memcpy(b + s->off, x->file + s->sh.sh_offset, s->sh.sh_size);
        end[s->group] = s->off + s->sh.sh_size;
    }
    for (unsigned g = 0; g < VXD_NGROUPS; g++)    /* zero-size sections may end a group */
        if (x->gsize[g] > end[g])
            memset(base[g] + end[g], 0, x->gsize[g] - end[g]);
}

/* ---- relocation ------------------------------------------------------------------------------ */

/* The final address of a defined symbol in a loaded section, or of an absolute one. */
static uint32_t sym_value(const struct vxd_elf *x, const uint32_t addr[VXD_NGROUPS],
                          const Elf32_Sym *s)
{
    if (s->st_shndx == SHN_ABS)
        return s->st_value;
    const struct vxd_sec *sec = &x->sec[s->st_shndx];
    return addr[sec->group] + sec->off + s->st_value;
}

/* Applies relocation k of section ri; everything but the resolver's answer was validated. */
static int apply_rel(const struct vxd_elf *x, unsigned ri, uint32_t k,
                     uint8_t *const base[VXD_NGROUPS], const uint32_t addr[VXD_NGROUPS],
                     vxd_resolve_fn *resolve, void *ctx, struct kerr *e)
{
    const Elf32_Shdr *rs = &x->sec[ri].sh;
    const struct vxd_sec *t = &x->sec[rs->sh_info];
    Elf32_Rel r;
    rd(r, x->file + rs->sh_offset + k * sizeof r);
    uint32_t type = ELF32_R_TYPE(r.r_info);
    if (type == R_386_NONE)
        return 0;

    Elf32_Sym s = sym_at(x, ELF32_R_SYM(r.r_info));
    uint32_t S;
    if (s.st_shndx != SHN_UNDEF)
        S = sym_value(x, addr, &s);
    else if (!resolve || resolve(symname(x, &s), &S, ctx))
        return fail(x, e, "unresolved %ssymbol " N " (relocation %u in " N ")",
                    ELF32_ST_BIND(s.st_info) == STB_WEAK ? "weak " : "", symname(x, &s), k,
                    secname(x, ri));

    uint8_t *p = base[t->group] + t->off + r.r_offset;
    uint32_t P = addr[t->group] + t->off + r.r_offset, A;
    rd(A, p);
    switch (type) {
    case R_386_32:
        A += S;
        break;
    case R_386_PC32:
    case R_386_PLT32:               /* no PLT: a direct call */
        A += S - P;
        break;
    default:                        /* refused by check_rel */
        return fail(x, e, "relocation %u in " N " has unsupported type %u", k, secname(x, ri),
                    type);
    }
    __builtin_memcpy(p, &A, 4);
    return 0;
}

int vxd_relocate(const struct vxd_elf *x, uint8_t *const base[VXD_NGROUPS],
                 const uint32_t addr[VXD_NGROUPS], vxd_resolve_fn *resolve, void *ctx,
                 struct kerr *e)
{
    if (!x->laid_out)
        return fail(x, e, "relocated before it was laid out");
    for (unsigned i = 1; i < x->nsec; i++) {
        const Elf32_Shdr *s = &x->sec[i].sh;
        if (s->sh_type != SHT_REL || x->sec[s->sh_info].group == VXD_G_NONE)
            continue;
        for (uint32_t k = 0; k < s->sh_size / sizeof(Elf32_Rel); k++)
            if (apply_rel(x, i, k, base, addr, resolve, ctx, e))
                return -1;
    }
    return 0;
}

/* ---- after the load -------------------------------------------------------------------------- */

uint32_t vxd_ddb_addr(const struct vxd_elf *x, const uint32_t addr[VXD_NGROUPS])
{
    Elf32_Sym s = sym_at(x, x->ddb);
    return sym_value(x, addr, &s);
}

const char *vxd_ddb_name(const struct vxd_elf *x)
{
    Elf32_Sym s = sym_at(x, x->ddb);
    return symname(x, &s);
}

int vxd_where(const struct vxd_elf *x, const uint32_t addr[VXD_NGROUPS], uint32_t lin,
              const char **sec, uint32_t *off)
{
    for (unsigned i = 1; i < x->nsec; i++) {
        const struct vxd_sec *s = &x->sec[i];
        if (s->group == VXD_G_NONE)
            continue;
        uint32_t d = lin - (addr[s->group] + s->off);  /* wraps to large below the section */
        if (d < s->sh.sh_size) {
            *sec = secname(x, i);
            *off = d;
            return 0;
        }
    }
    return -1;
}

int vxd_sym_addr(const struct vxd_elf *x, const uint32_t addr[VXD_NGROUPS], const char *sym,
                 uint32_t *lin)
{
    for (uint32_t i = 1; i < x->nsyms; i++) {
        Elf32_Sym s = sym_at(x, i);
        if (s.st_shndx == SHN_UNDEF || strcmp(symname(x, &s), sym))
            continue;
        if (s.st_shndx != SHN_ABS && x->sec[s.st_shndx].group == VXD_G_NONE)
            return -1;
        *lin = sym_value(x, addr, &s);
        return 0;
    }
    return -1;
}

int vxd_sym_near(const struct vxd_elf *x, const uint32_t addr[VXD_NGROUPS], uint32_t lin,
                 const char **name, uint32_t *off)
{
    uint32_t best = 0, best_at = 0;
    for (uint32_t i = 1; i < x->nsyms; i++) {
        Elf32_Sym s = sym_at(x, i);
        unsigned type = ELF32_ST_TYPE(s.st_info);
        if ((type != STT_FUNC && type != STT_OBJECT) || s.st_shndx == SHN_UNDEF ||
            s.st_shndx >= x->nsec || x->sec[s.st_shndx].group == VXD_G_NONE)
            continue;
        uint32_t at = sym_value(x, addr, &s);
        if (at <= lin && (!best || at > best_at) && lin - at < (s.st_size ? s.st_size : 0x10000)) {
            best = i;
            best_at = at;
        }
    }
    if (!best)
        return -1;
    Elf32_Sym s = sym_at(x, best);
    *name = symname(x, &s);
    *off = lin - best_at;
    return 0;
}

const char *vxd_section(const struct vxd_elf *x, const uint32_t addr[VXD_NGROUPS], unsigned i,
                        uint32_t *lin)
{
    if (i >= x->nsec || x->sec[i].group == VXD_G_NONE || !x->sec[i].sh.sh_size)
        return 0;
    *lin = addr[x->sec[i].group] + x->sec[i].off;
    return secname(x, i);
}
