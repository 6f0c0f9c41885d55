/*
 * ELF32 file structures (System V ABI, i386 supplement): the subset the loader (VMM32.VXD, an
 * ET_EXEC) and the VMM (its own symbol table, VxDs as ET_REL) read.  Our own copy, because the
 * freestanding 32-bit build has no <elf.h>.
 */
#ifndef LIB_ELF32_H
#define LIB_ELF32_H
#include <stdint.h>

#define EI_NIDENT   16
#define ELFMAG      "\177ELF"
#define EI_CLASS    4
#define EI_DATA     5
#define EI_VERSION  6
#define ELFCLASS32  1
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define ET_REL      1
#define ET_EXEC     2
#define EM_386      3

#define PT_NULL     0
#define PT_LOAD     1
#define PT_DYNAMIC  2
#define PT_INTERP   3
#define PT_NOTE     4
#define PT_PHDR     6
#define PT_GNU_STACK 0x6474e551

#define PF_X 1
#define PF_W 2
#define PF_R 4

#define SHT_NULL     0
#define SHT_PROGBITS 1
#define SHT_SYMTAB   2
#define SHT_STRTAB   3
#define SHT_RELA     4
#define SHT_HASH     5
#define SHT_DYNAMIC  6
#define SHT_NOTE     7
#define SHT_NOBITS   8
#define SHT_REL      9
#define SHT_SHLIB    10
#define SHT_DYNSYM   11
#define SHT_INIT_ARRAY    14
#define SHT_FINI_ARRAY    15
#define SHT_PREINIT_ARRAY 16
#define SHT_GROUP    17
#define SHT_SYMTAB_SHNDX 18
#define SHT_LOOS     0x60000000u    /* from here up: OS-, processor- and user-specific types */

#define SHF_WRITE     0x1
#define SHF_ALLOC     0x2
#define SHF_EXECINSTR 0x4
#define SHF_INFO_LINK 0x40
#define SHF_GROUP     0x200
#define SHF_TLS       0x400

#define SHN_UNDEF    0
#define SHN_LORESERVE 0xff00
#define SHN_ABS      0xfff1
#define SHN_COMMON   0xfff2
#define SHN_XINDEX   0xffff

#define STT_NOTYPE  0
#define STT_OBJECT  1
#define STT_FUNC    2
#define STT_SECTION 3
#define STT_FILE    4
#define STT_COMMON  5
#define STT_TLS     6
#define STT_GNU_IFUNC 10
#define STB_LOCAL   0
#define STB_GLOBAL  1
#define STB_WEAK    2
#define ELF32_ST_TYPE(i) ((i) & 0xf)
#define ELF32_ST_BIND(i) ((i) >> 4)

/* i386 relocation types (REL: the addend is the 32-bit word at the patched place). */
#define R_386_NONE  0
#define R_386_32    1
#define R_386_PC32  2
#define R_386_PLT32 4
#define ELF32_R_SYM(i)  ((i) >> 8)
#define ELF32_R_TYPE(i) ((i) & 0xff)

typedef struct {
    unsigned char e_ident[EI_NIDENT];
    uint16_t e_type, e_machine;
    uint32_t e_version, e_entry, e_phoff, e_shoff, e_flags;
    uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} Elf32_Ehdr;

typedef struct {
    uint32_t p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align;
} Elf32_Phdr;

typedef struct {
    uint32_t sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size, sh_link, sh_info,
             sh_addralign, sh_entsize;
} Elf32_Shdr;

typedef struct {
    uint32_t st_name, st_value, st_size;
    unsigned char st_info, st_other;
    uint16_t st_shndx;
} Elf32_Sym;

typedef struct {
    uint32_t r_offset, r_info;
} Elf32_Rel;

_Static_assert(sizeof(Elf32_Ehdr) == 52, "Elf32_Ehdr");
_Static_assert(sizeof(Elf32_Phdr) == 32, "Elf32_Phdr");
_Static_assert(sizeof(Elf32_Shdr) == 40, "Elf32_Shdr");
_Static_assert(sizeof(Elf32_Sym) == 16, "Elf32_Sym");
_Static_assert(sizeof(Elf32_Rel) == 8, "Elf32_Rel");

#endif
