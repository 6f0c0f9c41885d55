/* ELF32 symbol lookup for fault reports: see elfsym.h. */
#include "boot/elfsym.h"
#include "lib/elf32.h"

#define NEAR_LIMIT 0x10000u

static int in_file(size_t len, uint64_t off, uint64_t size) { return off <= len && size <= len - off; }

/* The section headers, if the file is ELF32 and they lie whole inside it; else NULL. */
static const Elf32_Shdr *sections(const void *file, size_t len)
{
    const unsigned char *f = file;
    const Elf32_Ehdr *h = file;
    if (len < sizeof *h || f[0] != 0x7f || f[1] != 'E' || f[2] != 'L' || f[3] != 'F' ||
        h->e_ident[EI_CLASS] != ELFCLASS32 || h->e_shentsize != sizeof(Elf32_Shdr) ||
        !in_file(len, h->e_shoff, (uint64_t)h->e_shnum * sizeof(Elf32_Shdr)) || h->e_shoff % 4)
        return 0;
    return (const Elf32_Shdr *)(f + h->e_shoff);
}

/* Section i is a symbol table whose entries and string table lie whole inside the file. */
static int usable_symtab(const Elf32_Shdr *sh, unsigned n, unsigned i, size_t len)
{
    const Elf32_Shdr *s = &sh[i];
    if (s->sh_type != SHT_SYMTAB || s->sh_entsize != sizeof(Elf32_Sym) || s->sh_offset % 4 ||
        !in_file(len, s->sh_offset, s->sh_size) || s->sh_link >= n)
        return 0;
    const Elf32_Shdr *st = &sh[s->sh_link];
    return st->sh_type == SHT_STRTAB && in_file(len, st->sh_offset, st->sh_size) && st->sh_size;
}

int elfsym_has_table(const void *file, size_t len)
{
    const Elf32_Shdr *sh = sections(file, len);
    unsigned n = sh ? ((const Elf32_Ehdr *)file)->e_shnum : 0;
    for (unsigned i = 0; i < n; i++)
        if (usable_symtab(sh, n, i, len))
            return 1;
    return 0;
}

int elfsym_lookup(const void *file, size_t len, uint32_t addr, const char **name, uint32_t *off)
{
    const unsigned char *f = file;
    const Elf32_Ehdr *h = file;
    const Elf32_Shdr *sh = sections(file, len);
    if (!sh)
        return 0;
    const Elf32_Sym *best = 0;
    const char *best_strtab = 0;
    uint32_t best_strsize = 0;

    for (unsigned i = 0; i < h->e_shnum; i++) {
        if (!usable_symtab(sh, h->e_shnum, i, len))
            continue;
        const Elf32_Shdr *s = &sh[i], *st = &sh[s->sh_link];
        const Elf32_Sym *sym = (const Elf32_Sym *)(f + s->sh_offset);
        for (uint32_t k = 0; k < s->sh_size / sizeof *sym; k++) {
            unsigned t = ELF32_ST_TYPE(sym[k].st_info);
            if ((t != STT_FUNC && t != STT_OBJECT && t != STT_NOTYPE) ||
                sym[k].st_shndx == SHN_UNDEF ||
                (sym[k].st_shndx == SHN_ABS && !sym[k].st_size) ||  /* a value (a size), not a place */
                sym[k].st_name == 0 || sym[k].st_name >= st->sh_size ||
                sym[k].st_value > addr)
                continue;
            uint32_t d = addr - sym[k].st_value;
            if (sym[k].st_size ? d >= sym[k].st_size : d >= NEAR_LIMIT)
                continue;
            /* Prefer the closest start; on a tie, a sized symbol over a bare label. */
            if (!best || sym[k].st_value > best->st_value ||
                (sym[k].st_value == best->st_value && sym[k].st_size && !best->st_size)) {
                best = &sym[k];
                best_strtab = (const char *)f + st->sh_offset;
                best_strsize = st->sh_size;
            }
        }
    }
    if (!best)
        return 0;
    /* The name must end inside its string table. */
    for (uint32_t j = best->st_name; j < best_strsize; j++)
        if (!best_strtab[j]) {
            *name = best_strtab + best->st_name;
            *off = addr - best->st_value;
            return 1;
        }
    return 0;
}
