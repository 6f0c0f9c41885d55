/*
 * dosfs: drive C: in memory, as DOS sees it -- DOSMGR's portable core for files (no hardware,
 * no VMM calls: unit-tested and fuzzed on the host).
 *
 * Built from the loader's block (include/boot/drivec.h): a tree of directories whose entries
 * have 8.3 names (a long name gets one as Windows 95 gives it: NAME~1.EXT) and whose files'
 * bytes stay in the block until they are first written (then they move to memory of their own).
 * Creating, writing, deleting, renaming and making or removing directories change the tree in
 * memory only.
 *
 * Every operation returns 0 or a DOS error code (DOSERR_*), as INT 21h gives it in AX.  Nodes
 * are named by a number (their slot), which is what a VM's memory may hold (a find's state in
 * its DTA): dosfs_node checks one before it is used.
 */
#ifndef DOSMGR_DOSFS_H
#define DOSMGR_DOSFS_H
#include <stddef.h>
#include <stdint.h>

/* DOS's error codes (INT 21h AX with CF set; RBIL's table 01680) */
#define DOSERR_BAD_FUNCTION     0x01
#define DOSERR_FILE_NOT_FOUND   0x02
#define DOSERR_PATH_NOT_FOUND   0x03
#define DOSERR_TOO_MANY_OPEN    0x04
#define DOSERR_ACCESS_DENIED    0x05
#define DOSERR_INVALID_HANDLE   0x06
#define DOSERR_MCB_DESTROYED    0x07
#define DOSERR_NO_MEMORY        0x08
#define DOSERR_BAD_BLOCK        0x09
#define DOSERR_BAD_ENVIRONMENT  0x0A
#define DOSERR_BAD_FORMAT       0x0B
#define DOSERR_BAD_ACCESS_CODE  0x0C
#define DOSERR_INVALID_DATA     0x0D
#define DOSERR_INVALID_DRIVE    0x0F
#define DOSERR_CURRENT_DIR      0x10
#define DOSERR_NOT_SAME_DEVICE  0x11
#define DOSERR_NO_MORE_FILES    0x12
#define DOSERR_DISK_FULL        0x27    /* DOS 4+: "disk full" (writes say it with a short count) */
#define DOSERR_FILE_EXISTS      0x50
#define DOSERR_CANNOT_MAKE      0x52

#define DOSFS_ATTR_RDONLY   0x01
#define DOSFS_ATTR_HIDDEN   0x02
#define DOSFS_ATTR_SYSTEM   0x04
#define DOSFS_ATTR_VOLUME   0x08
#define DOSFS_ATTR_DIR      0x10
#define DOSFS_ATTR_ARCHIVE  0x20

#define DOSFS_ROOT      0u              /* the root directory's node number */
#define DOSFS_PATH_MAX  64              /* DOS: a current directory of up to 63 characters */

struct dosfs_node {
    char name[11];                      /* FCB form: 8 + 3, upper case, blank-padded */
    uint8_t attr;
    uint16_t date, time;
    uint32_t size;
    uint32_t cap;                       /* bytes of data owned; 0: data is the loader's block */
    uint8_t *data;
    uint32_t parent, child, next;       /* node numbers; DOSFS_NONE ends a list */
    uint32_t opens;                     /* handles open on it (a file open cannot be deleted) */
};
#define DOSFS_NONE      0xFFFFFFFFu

/* Memory for the tree and for written files (the VxD's heap; malloc on the host). */
struct dosfs_mem {
    void *(*alloc)(size_t n);
    void (*free)(void *p);
};

struct dosfs {
    struct dosfs_node *nodes;           /* slot i: node i, unused when name[0] == 0 */
    uint32_t count, cap;                /* slots used (the highest + 1), allocated */
    uint32_t free_slot;                 /* the lowest unused slot at or after which to look */
    uint64_t used, limit;               /* bytes of file data owned, and at most */
    struct dosfs_mem mem;
};

/* From the loader's block (a copy of the block is not made: keep it mapped).  0, or -1 with the
 * reason in why (the block is refused whole: nothing of it is used). */
int dosfs_init(struct dosfs *fs, const void *block, uint32_t size, uint64_t limit,
               const struct dosfs_mem *mem, char *why, size_t why_cap);
/* An empty drive (no block: the loader handed none over). */
int dosfs_init_empty(struct dosfs *fs, uint64_t limit, const struct dosfs_mem *mem);
void dosfs_destroy(struct dosfs *fs);

/* Node n if it is one (a number from a VM's memory), else 0. */
struct dosfs_node *dosfs_node(struct dosfs *fs, uint32_t n);

/* ASCIIZ long or 8.3 name -> FCB form; 0, or DOSERR_PATH_NOT_FOUND / FILE_NOT_FOUND for a
 * component DOS would refuse (a character it does not allow, a part too long).  Wildcards '*'
 * and '?' are kept (as '?') if wild, else refused. */
int dosfs_fcb_name(const char *s, size_t len, int wild, char out[11]);
/* 8.3 FCB form -> "NAME.EXT" (at most 12 characters and a NUL). */
void dosfs_dot_name(const char fcb[11], char out[13]);
/* Does an FCB name match a pattern with '?' in it. */
int dosfs_match(const char name[11], const char pattern[11]);

/* Path resolution.  path: as a program gives it ("C:\DIR\FILE.TXT", "..\X", "FILE"), relative
 * to the directory cwd.  *dir: the directory the last component is in; name: that component in
 * FCB form (blank if the path names a directory itself, as "C:\" or ".."); *node: the node, or
 * DOSFS_NONE if there is none of that name (then the result is still 0 if the directories on
 * the way exist, for a create).  Returns 0 or DOSERR_PATH_NOT_FOUND / INVALID_DRIVE. */
int dosfs_resolve(struct dosfs *fs, uint32_t cwd, const char *path, int wild, uint32_t *dir,
                  char name[11], uint32_t *node);
/* The path of directory d from the root, without drive and leading '\' ("DIR\SUB"), as INT 21h
 * AH=47h gives it; 0 or DOSERR_PATH_NOT_FOUND if it does not fit in cap. */
int dosfs_dir_path(struct dosfs *fs, uint32_t d, char *out, size_t cap);

/* Entries of directory dir from position *pos on whose names match pattern and whose attributes
 * the search allows (DOS: hidden, system and directory entries only if asked, the volume label
 * only alone); *found and *pos move on.  0 or DOSERR_NO_MORE_FILES. */
int dosfs_find(struct dosfs *fs, uint32_t dir, const char pattern[11], uint8_t attr,
               uint32_t *pos, uint32_t *found);

/* Changes.  date/time: DOS packed, for what is made or written. */
int dosfs_create(struct dosfs *fs, uint32_t dir, const char name[11], uint8_t attr,
                 uint16_t date, uint16_t time, uint32_t *node);
int dosfs_mkdir(struct dosfs *fs, uint32_t dir, const char name[11], uint16_t date, uint16_t time);
int dosfs_remove(struct dosfs *fs, uint32_t node);          /* a file, not open */
int dosfs_rmdir(struct dosfs *fs, uint32_t node);           /* an empty directory */
int dosfs_rename(struct dosfs *fs, uint32_t node, uint32_t to_dir, const char to[11]);
/* Read and write at an offset: the bytes done in *done (a read past the end gives fewer; a write
 * past it fills the gap with zeros; a write the drive cannot hold gives fewer and DISK_FULL). */
int dosfs_read(struct dosfs *fs, uint32_t node, uint32_t off, void *buf, uint32_t n,
               uint32_t *done);
int dosfs_write(struct dosfs *fs, uint32_t node, uint32_t off, const void *buf, uint32_t n,
                uint16_t date, uint16_t time, uint32_t *done);
int dosfs_truncate(struct dosfs *fs, uint32_t node, uint32_t size);
/* Bytes free on the drive (its limit less what written files hold). */
uint64_t dosfs_free(const struct dosfs *fs);

#endif
