/* ELF32 executable validation for the VMM image: see elfexec.h. */
#include "elfexec.h"
#include "lib/elf32.h"
#include <stddef.h>

#define PG 4096ull

static int is_pow2(uint32_t x) { return x && !(x & (x - 1)); }

/* The header cascade: each check is what the next one relies on. */
static int check_header(const Elf32_Ehdr *h, uint64_t len, struct kerr *e)
{
    if (len < sizeof *h)
        return kerr_set(e, "file is %llu bytes, too short for an ELF header (52)",
                        (unsigned long long)len);
    if (h->e_ident[0] != 0x7f || h->e_ident[1] != 'E' || h->e_ident[2] != 'L' || h->e_ident[3] != 'F')
        return kerr_set(e, "not an ELF file (magic %02x %02x %02x %02x)",
                        h->e_ident[0], h->e_ident[1], h->e_ident[2], h->e_ident[3]);
    if (h->e_ident[EI_CLASS] != ELFCLASS32)
        return kerr_set(e, "ELF class %u, expected 1 (32-bit)", h->e_ident[EI_CLASS]);
    if (h->e_ident[EI_DATA] != ELFDATA2LSB)
        return kerr_set(e, "ELF data encoding %u, expected 1 (little-endian)", h->e_ident[EI_DATA]);
    if (h->e_ident[EI_VERSION] != EV_CURRENT || h->e_version != EV_CURRENT)
        return kerr_set(e, "ELF identification version %u and header version %u, expected 1",
                        h->e_ident[EI_VERSION], h->e_version);
    if (h->e_type != ET_EXEC)
        return kerr_set(e, "ELF type %u, expected 2 (executable)", h->e_type);
    if (h->e_machine != EM_386)
        return kerr_set(e, "ELF machine %u, expected 3 (i386)", h->e_machine);
    if (h->e_ehsize != sizeof *h)
        return kerr_set(e, "ELF header size %u, expected 52", h->e_ehsize);
    if (h->e_phentsize != sizeof(Elf32_Phdr))
        return kerr_set(e, "program header entry size %u, expected 32", h->e_phentsize);
    if (h->e_phnum == 0)
        return kerr_set(e, "no program headers");
    if ((uint64_t)h->e_phoff + (uint64_t)h->e_phnum * sizeof(Elf32_Phdr) > len)
        return kerr_set(e, "program header table (offset 0x%x, %u entries) runs past the end "
                        "of the file (%llu bytes)", h->e_phoff, h->e_phnum, (unsigned long long)len);
    if (h->e_phoff % 4)
        return kerr_set(e, "program header table offset 0x%x is not 4-byte aligned", h->e_phoff);
    return 0;
}

static int check_segment(const Elf32_Phdr *p, unsigned i, uint64_t len, uint32_t lo, uint32_t hi,
                         struct kerr *e)
{
    if (p->p_filesz > p->p_memsz)
        return kerr_set(e, "segment %u: file size 0x%x exceeds memory size 0x%x", i,
                        p->p_filesz, p->p_memsz);
    if ((uint64_t)p->p_offset + p->p_filesz > len)
        return kerr_set(e, "segment %u: bytes 0x%x..0x%llx lie beyond the end of the file "
                        "(%llu bytes)", i, p->p_offset,
                        (unsigned long long)p->p_offset + p->p_filesz, (unsigned long long)len);
    if (p->p_align > 1 && !is_pow2(p->p_align))
        return kerr_set(e, "segment %u: alignment 0x%x is not a power of two", i, p->p_align);
    uint64_t end = (uint64_t)p->p_vaddr + p->p_memsz;
    if (p->p_vaddr < lo || end > hi)
        return kerr_set(e, "segment %u at 0x%08x..0x%08llx lies outside the system region "
                        "0x%08x..0x%08x", i, p->p_vaddr, (unsigned long long)end, lo, hi);
    if ((p->p_flags & PF_W) && (p->p_flags & PF_X))
        return kerr_set(e, "segment %u at 0x%08x is both writable and executable (W^X)", i,
                        p->p_vaddr);
    return 0;
}

int elfexec_check(const void *file, uint64_t len, uint32_t lo, uint32_t hi,
                  struct elfexec *out, struct kerr *e)
{
    const Elf32_Ehdr *h = file;

    if (check_header(h, len, e))
        return -1;
    const Elf32_Phdr *ph = (const Elf32_Phdr *)((const char *)file + h->e_phoff);

    out->nseg = 0;
    out->entry = h->e_entry;
    for (unsigned i = 0; i < h->e_phnum; i++) {
        const Elf32_Phdr *p = &ph[i];
        if (p->p_type == PT_INTERP || p->p_type == PT_DYNAMIC)
            return kerr_set(e, "segment %u: dynamic linking (type %u) is not supported", i,
                            p->p_type);
        if (p->p_type != PT_LOAD || p->p_memsz == 0)
            continue;
        if (check_segment(p, i, len, lo, hi, e))
            return -1;
        if (out->nseg == ELFEXEC_MAX_SEGS)
            return kerr_set(e, "more than %u loadable segments", ELFEXEC_MAX_SEGS);
        /* Permissions are per page: two segments sharing a page would merge their rights. */
        uint64_t first = p->p_vaddr / PG, last = ((uint64_t)p->p_vaddr + p->p_memsz - 1) / PG;
        for (unsigned j = 0; j < out->nseg; j++) {
            const struct elfexec_seg *s = &out->seg[j];
            uint64_t sf = s->vaddr / PG, sl = ((uint64_t)s->vaddr + s->memsz - 1) / PG;
            if (first <= sl && sf <= last)
                return kerr_set(e, "segment %u at 0x%08x overlaps (shares a page with) the "
                                "segment at 0x%08x", i, p->p_vaddr, s->vaddr);
        }
        out->seg[out->nseg++] = (struct elfexec_seg){
            p->p_vaddr, p->p_memsz, p->p_filesz, p->p_offset, p->p_flags & (PF_R | PF_W | PF_X)
        };
    }
    if (out->nseg == 0)
        return kerr_set(e, "no loadable segment");
    for (unsigned j = 0; j < out->nseg; j++) {
        const struct elfexec_seg *s = &out->seg[j];
        if ((s->flags & PF_X) && h->e_entry >= s->vaddr && h->e_entry - s->vaddr < s->memsz)
            return 0;
    }
    return kerr_set(e, "entry point 0x%08x is not inside an executable segment", h->e_entry);
}
