/*
 * The portable core of the VxD loader: a VxD file (an ELF32 relocatable object for i386, as
 * `gcc -m32 -ffreestanding -fno-pic -fno-common -c` makes it) checked, laid out in three W^X
 * groups, copied and relocated.  No hardware, no allocation, no globals: the caller provides the
 * context, the group memory, the final addresses and a symbol resolver; the VMM (vmm/vxd/) and
 * the host tests compile the same source.  Any thread may call it; nothing here blocks, but it
 * is linear in the file's size, so not from interrupt context.
 *
 * The stages, in order, each one's result carried in struct vxd_elf:
 *
 *   vxd_validate   every header, table, index, offset and the DDB checked against the file;
 *                  sections classified into groups              (reads only [file, file + size))
 *   vxd_layout     each loaded section given an offset in its group; the group sizes
 *   -- the caller allocates each non-empty group (page-aligned: VXD_GROUP_ALIGN) writable, and
 *      chooses its final linear address addr[g] (base[g] is where it writes, addr[g] where the
 *      code will run: the same address in the VMM, different in the host tests) --
 *   vxd_copy       section bytes into base[g]; NOBITS sections and the padding zeroed
 *   vxd_relocate   every relocation applied in base[g] for the final addresses addr[g]
 *   vxd_ddb_addr   the final address of the DDB
 *   -- the caller maps text RX, rodata R, data RW (all NX but text) --
 *
 * What is loaded (the groups, W^X):
 *   VXD_G_TEXT     SHF_ALLOC|SHF_EXECINSTR            PROGBITS         mapped R X
 *   VXD_G_RODATA   SHF_ALLOC                          PROGBITS         mapped R
 *   VXD_G_DATA     SHF_ALLOC|SHF_WRITE                PROGBITS, NOBITS mapped R W
 * Sections are placed in section-table order, each at its sh_addralign (at most 4096).  Not
 * loaded: non-alloc sections (.comment, debug info, .symtab, string tables, .rel.debug_*) and
 * alloc SHT_NOTE (.note.gnu.property).  Allowed types: NULL, PROGBITS, NOBITS, NOTE, SYMTAB,
 * STRTAB, REL (the last three not alloc), and non-alloc OS/processor-specific ones (>= SHT_LOOS,
 * e.g. .llvm_addrsig: carried along unread).  Everything else is refused with its own message:
 * SHT_RELA, SHT_GROUP (COMDAT), constructor arrays, dynamic-linking tables, any other type; so are
 * writable+executable, thread-local and read-only NOBITS alloc sections.
 * The full list of checks, one message each, is at the top of vxdelf.c.
 *
 * Errors follow lib/kfmt.h: a negative return and one line in *e, starting with the file name:
 *   "SAMPLE.VXD: relocation 12 in .rel.text has offset 0x4410 beyond .text (0x400 bytes)".
 *
 * The context points into the file (names, section bytes, symbols, relocations): the file must
 * stay readable and unchanged from vxd_validate to the last call that takes the context.
 */
#ifndef VMM_VXD_VXDELF_H
#define VMM_VXD_VXDELF_H
#include <stdint.h>
#include "lib/elf32.h"
#include "lib/kfmt.h"

enum { VXD_G_TEXT, VXD_G_RODATA, VXD_G_DATA, VXD_NGROUPS };
#define VXD_G_NONE        0xffu             /* a section that is not loaded */

#define VXD_MAX_SECTIONS  128u              /* e_shnum cap: a gcc -g object has about 25 */
#define VXD_MAX_ALIGN     4096u             /* sh_addralign cap for loaded sections */
#define VXD_GROUP_ALIGN   4096u             /* the caller's group bases are page-aligned */
#define VXD_MAX_GROUP     0x01000000u       /* 16 MB: a group larger than this is refused */

struct vxd_sec {
    Elf32_Shdr sh;              /* a copy: the file may sit at any alignment */
    uint32_t off;               /* offset in its group (vxd_layout) */
    uint8_t group;              /* VXD_G_* or VXD_G_NONE */
};

/* Caller-allocated (about 6 KB); filled by vxd_validate and vxd_layout, read by the rest. */
struct vxd_elf {
    const char *name;           /* for messages: "SAMPLE.VXD" */
    const uint8_t *file;
    uint32_t size;
    unsigned nsec;              /* e_shnum, 1..VXD_MAX_SECTIONS */
    unsigned shstrndx;          /* the section name table */
    unsigned symtab;            /* section index of the one SHT_SYMTAB */
    uint32_t symoff, nsyms;     /* its file offset and entry count */
    uint32_t stroff, strsize;   /* its string table's file offset and size */
    uint32_t ddb;               /* symbol index of the DDB */
    int laid_out;               /* vxd_layout succeeded */
    uint32_t gsize[VXD_NGROUPS];/* bytes in each group (vxd_layout); 0: nothing to allocate */
    struct vxd_sec sec[VXD_MAX_SECTIONS];
};

/* Resolves an undefined symbol: stores its address and returns 0, or returns nonzero if unknown
 * (the load then fails naming the symbol: there is no silent 0, even for weak symbols). */
typedef int vxd_resolve_fn(const char *sym, uint32_t *addr, void *ctx);

/* Checks the size bytes at file (any alignment) and fills x; 0, or -1 with *e set. */
int vxd_validate(struct vxd_elf *x, const char *name, const void *file, uint32_t size,
                 struct kerr *e);

/* Assigns group offsets and sizes after vxd_validate; 0, or -1 (a group over VXD_MAX_GROUP). */
int vxd_layout(struct vxd_elf *x, struct kerr *e);

/* Bytes in group g after vxd_layout (0 for an empty group: base[g] may then be NULL). */
uint32_t vxd_group_size(const struct vxd_elf *x, unsigned g);
/* "text", "rodata", "data". */
const char *vxd_group_name(unsigned g);

/* Fills base[g][0 .. vxd_group_size(x, g)) for every group: section bytes, zeros elsewhere
 * (nothing before vxd_layout). */
void vxd_copy(const struct vxd_elf *x, uint8_t *const base[VXD_NGROUPS]);

/* Applies every relocation of every loaded section in base[], for code that will run with group
 * g at addr[g].  Undefined symbols go through resolve (called once per relocation that needs
 * one).  0, or -1 with *e naming the unresolved symbol; after a failure base[] is half-patched
 * and must be discarded. */
int vxd_relocate(const struct vxd_elf *x, uint8_t *const base[VXD_NGROUPS],
                 const uint32_t addr[VXD_NGROUPS], vxd_resolve_fn *resolve, void *ctx,
                 struct kerr *e);

/* The DDB's final linear address and its symbol name ("SAMPLE_DDB"). */
uint32_t vxd_ddb_addr(const struct vxd_elf *x, const uint32_t addr[VXD_NGROUPS]);
const char *vxd_ddb_name(const struct vxd_elf *x);

/* For fault reports: the loaded section holding linear address lin, as its name and the offset
 * of lin in it; 0, or -1 if lin is in no loaded section (outside the groups, or padding). */
int vxd_where(const struct vxd_elf *x, const uint32_t addr[VXD_NGROUPS], uint32_t lin,
              const char **sec, uint32_t *off);

/* The final address of the first defined symbol named sym (a linear scan: for reports and
 * tests, not for the load path); 0, or -1 if there is none or its section is not loaded. */
int vxd_sym_addr(const struct vxd_elf *x, const uint32_t addr[VXD_NGROUPS], const char *sym,
                 uint32_t *lin);

/* Loaded section i (0 .. nsec - 1): its name and final address (debugger symbols); NULL if it is
 * not loaded or empty. */
const char *vxd_section(const struct vxd_elf *x, const uint32_t addr[VXD_NGROUPS], unsigned i,
                        uint32_t *lin);
/* For fault reports: the function or object symbol holding lin (the nearest one at or below it,
 * within its size), its name and lin's offset in it; 0, or -1 if none. */
int vxd_sym_near(const struct vxd_elf *x, const uint32_t addr[VXD_NGROUPS], uint32_t lin,
                 const char **name, uint32_t *off);
#endif
