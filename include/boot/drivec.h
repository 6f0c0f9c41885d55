/*
 * Drive C: as the loader hands it over: the files of the EFI system partition, read at boot into
 * one block of BI_MEM_MODULES pages, the module named DRIVEC_MODULE ("C:" -- no ESP path can
 * hold a colon).  The DOS services' VxD (DOSMGR) builds its drive C: from it; writes go to
 * memory and last until the machine restarts.
 *
 *   struct drivec_header                          at 0
 *   struct drivec_entry[count]                    at 0 + sizeof header
 *   names (NUL-terminated, ASCII)                 wherever name_off says
 *   file data                                     wherever data_off says
 *
 * Entries come parents first: an entry's parent is DRIVEC_ROOT or an earlier entry with
 * DRIVEC_ATTR_DIR.  Names are the long names as the ESP's directory has them (ASCII; other
 * characters became '_'); the VMM side gives each its 8.3 name.  Dates and times are DOS's
 * packed ones.  Every offset is from the start of the block and lies inside it (the VxD checks:
 * drivec_check, for a block that is not what it says).
 *
 * Compiled by the 64-bit loader, the 32-bit VxD and the host tests: fixed widths, no pointers.
 */
#ifndef BOOT_DRIVEC_H
#define BOOT_DRIVEC_H
#include <stdint.h>

#define DRIVEC_MODULE   "C:"
#define DRIVEC_MAGIC    0x43565244u     /* "DRVC" in memory */
#define DRIVEC_VERSION  1u
#define DRIVEC_ROOT     0xFFFFFFFFu     /* the parent of the root directory's entries */

/* entry.attr: DOS's attribute bits */
#define DRIVEC_ATTR_RDONLY  0x01u
#define DRIVEC_ATTR_HIDDEN  0x02u
#define DRIVEC_ATTR_SYSTEM  0x04u
#define DRIVEC_ATTR_DIR     0x10u
#define DRIVEC_ATTR_ARCHIVE 0x20u

/* [DOS] DriveCLimitKB= in SYSTEM.INI: how much of the ESP the loader reads (files past it are
 * named at boot and left out); the default and the largest. */
#define DRIVEC_LIMIT_KB_DEFAULT (64u * 1024)
#define DRIVEC_LIMIT_KB_MAX     (192u * 1024)
#define DRIVEC_MAX_ENTRIES      8192u
#define DRIVEC_MAX_DEPTH        16u     /* directories within directories */

struct drivec_header {
    uint32_t magic;             /* DRIVEC_MAGIC */
    uint32_t version;           /* DRIVEC_VERSION */
    uint32_t size;              /* bytes in the block */
    uint32_t count;             /* entries */
    uint32_t skipped;           /* files of the ESP left out (too big, unreadable, over a limit) */
    uint32_t reserved;
};

struct drivec_entry {
    uint32_t parent;            /* an earlier directory's index, or DRIVEC_ROOT */
    uint32_t name_off;          /* its long name */
    uint32_t data_off;          /* a file's bytes (0 for a directory or an empty file) */
    uint32_t size;              /* a file's length in bytes; 0 for a directory */
    uint16_t date, time;        /* DOS: (year - 1980) << 9 | month << 5 | day; h << 11 | m << 5 | s / 2 */
    uint8_t  attr;              /* DRIVEC_ATTR_* */
    uint8_t  reserved[3];
};

_Static_assert(sizeof(struct drivec_header) == 24, "drivec_header layout");
_Static_assert(sizeof(struct drivec_entry) == 24, "drivec_entry layout");

/* Is a [boot] shell= value a DOS program (its first word ending in .COM or .EXE; the rest is its
 * command tail) rather than a drive or a disk image: SHELL then runs it through DOSMGR, the
 * loader does not read it as an image. */
static inline int drivec_is_program(const char *s)
{
    unsigned n = 0;
    while (s[n] && s[n] != ' ')
        n++;
    if (n < 5 || s[n - 4] != '.')
        return 0;
    char e[3];
    for (int i = 0; i < 3; i++)
        e[i] = (char)(s[n - 3 + i] >= 'a' && s[n - 3 + i] <= 'z' ? s[n - 3 + i] - 32 : s[n - 3 + i]);
    return (e[0] == 'C' && e[1] == 'O' && e[2] == 'M') || (e[0] == 'E' && e[1] == 'X' && e[2] == 'E');
}

#endif
