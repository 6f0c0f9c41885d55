/*
 * Host tests for vxd/dosmgr/dosfs.c: drive C: in memory -- the loader's block read (and refused
 * when it lies), 8.3 names for long ones, paths, searches with wildcards and attributes, and the
 * changes (create, write with copy-on-write and a full drive, delete, rename, directories).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/drivec.h"
#include "../../vxd/dosmgr/dosfs.h"

static const struct dosfs_mem heap = { malloc, free };

/* A block as the loader builds it: entries (parent, name, data or NULL for a directory). */
struct ent { uint32_t parent; const char *name; const char *data; uint8_t attr; };

static uint8_t *build(const struct ent *e, uint32_t n, uint32_t *size)
{
    uint32_t at = sizeof(struct drivec_header) + n * sizeof(struct drivec_entry);
    uint32_t total = at;
    for (uint32_t i = 0; i < n; i++)
        total += (uint32_t)strlen(e[i].name) + 1 + (e[i].data ? (uint32_t)strlen(e[i].data) : 0);
    uint8_t *b = calloc(1, total);
    struct drivec_header *h = (void *)b;
    struct drivec_entry *de = (void *)(h + 1);
    *h = (struct drivec_header){ DRIVEC_MAGIC, DRIVEC_VERSION, total, n, 0, 0 };
    for (uint32_t i = 0; i < n; i++) {
        de[i].parent = e[i].parent;
        de[i].attr = e[i].attr | (e[i].data ? DRIVEC_ATTR_ARCHIVE : DRIVEC_ATTR_DIR);
        de[i].name_off = at;
        strcpy((char *)b + at, e[i].name);
        at += (uint32_t)strlen(e[i].name) + 1;
        if (e[i].data) {
            de[i].data_off = at;
            de[i].size = (uint32_t)strlen(e[i].data);
            memcpy(b + at, e[i].data, de[i].size);
            at += de[i].size;
        }
    }
    *size = total;
    return b;
}

static const struct ent tree[] = {
    { DRIVEC_ROOT, "EFI", 0, 0 },                       /* 0 */
    { 0, "BOOT", 0, 0 },                                /* 1 */
    { 1, "BOOTX64.EFI", "MZ loader", 0 },               /* 2 */
    { DRIVEC_ROOT, "readme.txt", "hello, drive C:", 0 }, /* 3 */
    { DRIVEC_ROOT, "Long File Name.text", "long", 0 },  /* 4 */
    { DRIVEC_ROOT, "Long File Names.text", "long2", 0 },/* 5 */
    { DRIVEC_ROOT, "HIDDEN.SYS", "h", DRIVEC_ATTR_HIDDEN }, /* 6 */
    { DRIVEC_ROOT, "a+b.c", "x", 0 },                   /* 7 */
};

static struct dosfs fs;
static uint8_t *blk;

static void setup(void)
{
    uint32_t size;
    char why[128];
    blk = build(tree, sizeof tree / sizeof tree[0], &size);
    cr_assert_eq(dosfs_init(&fs, blk, size, 4096, &heap, why, sizeof why), 0, "%s", why);
}
static void teardown(void)
{
    dosfs_destroy(&fs);
    free(blk);
}

static uint32_t find(const char *path)
{
    uint32_t dir, node;
    char name[11];
    int err = dosfs_resolve(&fs, DOSFS_ROOT, path, 0, &dir, name, &node);
    return err ? DOSFS_NONE : node;
}

static const char *fcb(const char *s)
{
    static char out[12];
    cr_assert_eq(dosfs_fcb_name(s, strlen(s), 1, out), 0, "%s", s);
    out[11] = 0;
    return out;
}

TestSuite(dosfs, .init = setup, .fini = teardown);

Test(dosfs, names_as_dos_has_them)
{
    char out[11], dot[13];
    cr_assert_str_eq(fcb("readme.txt"), "README  TXT");
    cr_assert_str_eq(fcb("*.*"), "???????????");
    cr_assert_str_eq(fcb("A*.C?"), "A???????C? ");
    cr_assert_eq(dosfs_fcb_name("TOOLONGNAME", 11, 0, out), DOSERR_FILE_NOT_FOUND);
    cr_assert_eq(dosfs_fcb_name("A.B.C", 5, 0, out), DOSERR_FILE_NOT_FOUND);
    cr_assert_eq(dosfs_fcb_name("A+B", 3, 0, out), DOSERR_FILE_NOT_FOUND);
    cr_assert_eq(dosfs_fcb_name("A?", 2, 0, out), DOSERR_FILE_NOT_FOUND, "no wildcard unless asked");
    dosfs_fcb_name("FILE.C", 6, 0, out);
    dosfs_dot_name(out, dot);
    cr_assert_str_eq(dot, "FILE.C");
}

Test(dosfs, long_names_get_windows_short_ones)
{
    cr_assert_neq(find("C:\\README.TXT"), DOSFS_NONE);
    cr_assert_neq(find("readme.txt"), DOSFS_NONE, "any case");
    uint32_t a = find("LONGFI~1.TEX"), b = find("LONGFI~2.TEX");
    cr_assert_neq(a, DOSFS_NONE);
    cr_assert_neq(b, DOSFS_NONE);
    char buf[8];
    uint32_t got;
    dosfs_read(&fs, a, 0, buf, sizeof buf, &got);
    cr_assert_eq(got, 4);
    cr_assert_eq(memcmp(buf, "long", 4), 0, "in the ESP's order: the first is ~1");
    cr_assert_neq(find("A_B~1.C"), DOSFS_NONE, "an illegal character becomes _");
    cr_assert_neq(find("\\EFI\\BOOT\\BOOTX64.EFI"), DOSFS_NONE);
}

Test(dosfs, paths_dots_and_errors)
{
    uint32_t dir, node, boot = find("EFI\\BOOT");
    char name[11];
    cr_assert_neq(boot, DOSFS_NONE);
    cr_assert_eq(dosfs_resolve(&fs, boot, "..\\..\\README.TXT", 0, &dir, name, &node), 0);
    cr_assert_eq(node, find("README.TXT"));
    cr_assert_eq(dosfs_resolve(&fs, boot, "BOOTX64.EFI", 0, &dir, name, &node), 0);
    cr_assert_eq(node, find("EFI\\BOOT\\BOOTX64.EFI"), "relative to the current directory");
    cr_assert_eq(dosfs_resolve(&fs, boot, "NEW.TXT", 0, &dir, name, &node), 0);
    cr_assert_eq(node, DOSFS_NONE, "not there, but its directory is: a create may go on");
    cr_assert_eq(dir, boot);
    cr_assert_eq(dosfs_resolve(&fs, 0, "NODIR\\X", 0, &dir, name, &node), DOSERR_PATH_NOT_FOUND);
    cr_assert_eq(dosfs_resolve(&fs, 0, "README.TXT\\X", 0, &dir, name, &node),
                 DOSERR_PATH_NOT_FOUND, "a file is not a directory");
    cr_assert_eq(dosfs_resolve(&fs, 0, "D:\\X", 0, &dir, name, &node), DOSERR_INVALID_DRIVE);
    char p[64];
    cr_assert_eq(dosfs_dir_path(&fs, boot, p, sizeof p), 0);
    cr_assert_str_eq(p, "EFI\\BOOT");
    cr_assert_eq(dosfs_dir_path(&fs, boot, p, 5), DOSERR_PATH_NOT_FOUND, "too small a buffer");
}

Test(dosfs, find_with_wildcards_and_attributes)
{
    uint32_t pos = 0, n, seen = 0;
    char pat[11];
    dosfs_fcb_name("*.*", 3, 1, pat);
    while (!dosfs_find(&fs, DOSFS_ROOT, pat, 0, &pos, &n))
        seen++;
    cr_assert_eq(seen, 4, "files only: no directory, no hidden file (%u)", seen);
    pos = 0, seen = 0;
    while (!dosfs_find(&fs, DOSFS_ROOT, pat, DOSFS_ATTR_DIR | DOSFS_ATTR_HIDDEN, &pos, &n))
        seen++;
    cr_assert_eq(seen, 6, "and the directory and the hidden file (%u)", seen);
    pos = 0;
    dosfs_fcb_name("*.TXT", 5, 1, pat);
    cr_assert_eq(dosfs_find(&fs, DOSFS_ROOT, pat, 0, &pos, &n), 0);
    cr_assert_eq(n, find("README.TXT"));
    cr_assert_eq(dosfs_find(&fs, DOSFS_ROOT, pat, 0, &pos, &n), DOSERR_NO_MORE_FILES);
}

Test(dosfs, writes_copy_on_write_and_the_block_stays)
{
    uint32_t n = find("README.TXT"), got;
    const uint8_t *before = fs.nodes[n].data;
    cr_assert_eq(dosfs_write(&fs, n, 0, "J", 1, 1, 2, &got), 0);
    cr_assert_eq(got, 1);
    char buf[32] = { 0 };
    dosfs_read(&fs, n, 0, buf, sizeof buf, &got);
    cr_assert_str_eq(buf, "Jello, drive C:");
    cr_assert_eq(before[0], 'h', "the loader's block is not written");
    cr_assert_eq(dosfs_write(&fs, n, 20, "!", 1, 1, 2, &got), 0);
    cr_assert_eq(fs.nodes[n].size, 21);
    dosfs_read(&fs, n, 15, buf, 6, &got);
    cr_assert_eq(memcmp(buf, "\0\0\0\0\0!", 6), 0, "a gap reads as zeros");
    cr_assert_eq(dosfs_truncate(&fs, n, 5), 0);
    cr_assert_eq(fs.nodes[n].size, 5);
}

Test(dosfs, a_full_drive_takes_what_fits)
{
    uint32_t n, got;
    char name[11], big[5000];
    memset(big, 'x', sizeof big);
    dosfs_fcb_name("BIG.DAT", 7, 0, name);
    cr_assert_eq(dosfs_create(&fs, DOSFS_ROOT, name, 0, 0, 0, &n), 0);
    cr_assert_eq(dosfs_write(&fs, n, 0, big, sizeof big, 0, 0, &got), DOSERR_DISK_FULL);
    cr_assert_eq(got, 4096, "the limit's worth (%u)", got);
    dosfs_fcb_name("EMPTY", 5, 0, name);
    cr_assert_eq(dosfs_create(&fs, DOSFS_ROOT, name, 0, 0, 0, &n), 0);
    cr_assert_eq(dosfs_write(&fs, n, 0, "", 0, 0, 0, &got), 0, "nothing written to an empty file");
    cr_assert_eq(got, 0);
    cr_assert_eq(fs.nodes[n].size, 0);
    cr_assert_eq(dosfs_remove(&fs, n), 0);
    dosfs_fcb_name("BIG.DAT", 7, 0, name);
    cr_assert_eq(dosfs_find(&fs, DOSFS_ROOT, name, 0, &(uint32_t){ 0 }, &n), 0);
    cr_assert_eq(dosfs_free(&fs), 0);
    cr_assert_eq(dosfs_remove(&fs, n), 0);
    cr_assert_eq(dosfs_free(&fs), 4096, "given back");
}

Test(dosfs, names_that_are_not_8_3_are_refused)
{
    /* an FCB's 11 bytes come from a program: NULs, lower case, characters DOS refuses */
    static const char *bad[] = { "\0\0\0\0\0\0\0\0\0\0\0", "lower   TXT", "A*B     TXT",
                                 "A\0      TXT", "A|B     TXT" };
    uint32_t n;
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_neq(dosfs_create(&fs, DOSFS_ROOT, bad[i], 0, 0, 0, &n), 0, "name %u", i);
        cr_assert_neq(dosfs_mkdir(&fs, DOSFS_ROOT, bad[i], 0, 0), 0, "name %u", i);
        cr_assert_neq(dosfs_rename(&fs, find("README.TXT"), DOSFS_ROOT, bad[i]), 0, "name %u", i);
    }
    cr_assert_eq(dosfs_create(&fs, DOSFS_ROOT, "OK      TXT", 0, 0, 0, &n), 0);
}

Test(dosfs, directories_rename_and_refusals)
{
    char name[11], to[11];
    uint32_t n, d;
    dosfs_fcb_name("SUB", 3, 0, name);
    cr_assert_eq(dosfs_mkdir(&fs, DOSFS_ROOT, name, 0, 0), 0);
    cr_assert_eq(dosfs_mkdir(&fs, DOSFS_ROOT, name, 0, 0), DOSERR_ACCESS_DENIED);
    d = find("SUB");
    dosfs_fcb_name("F.TXT", 5, 0, name);
    cr_assert_eq(dosfs_create(&fs, d, name, 0, 0, 0, &n), 0);
    cr_assert_eq(dosfs_rmdir(&fs, d), DOSERR_ACCESS_DENIED, "not empty");
    dosfs_fcb_name("G.TXT", 5, 0, to);
    cr_assert_eq(dosfs_rename(&fs, n, DOSFS_ROOT, to), 0);
    cr_assert_eq(find("G.TXT"), n);
    cr_assert_eq(find("SUB\\F.TXT"), DOSFS_NONE);
    cr_assert_eq(dosfs_rmdir(&fs, d), 0);
    cr_assert_eq(dosfs_rename(&fs, find("EFI"), find("EFI\\BOOT"), to), DOSERR_ACCESS_DENIED,
                 "a directory into itself");
    fs.nodes[n].opens = 1;
    cr_assert_eq(dosfs_remove(&fs, n), DOSERR_ACCESS_DENIED, "open");
    fs.nodes[n].opens = 0;
    cr_assert_eq(dosfs_remove(&fs, find("EFI")), DOSERR_ACCESS_DENIED, "a directory");
    dosfs_fcb_name("A?.TXT", 6, 1, name);
    cr_assert_eq(dosfs_create(&fs, DOSFS_ROOT, name, 0, 0, 0, &n), DOSERR_PATH_NOT_FOUND);
    cr_assert_eq(dosfs_node(&fs, 100000), NULL);
}

Test(dosfs, a_lying_block_is_refused_whole)
{
    uint32_t size;
    char why[128];
    struct dosfs f2;
    static const struct ent bad[] = { { 1, "X", "a", 0 }, { DRIVEC_ROOT, "D", 0, 0 } };
    uint8_t *b = build(bad, 2, &size);
    cr_assert_eq(dosfs_init(&f2, b, size, 4096, &heap, why, sizeof why), -1);
    cr_assert(strstr(why, "parent") && strstr(why, "entry 0"), "%s", why);
    free(b);
    b = build(tree, 4, &size);
    struct drivec_entry *e = (void *)(b + sizeof(struct drivec_header));
    e[2].size = size;
    cr_assert_eq(dosfs_init(&f2, b, size, 4096, &heap, why, sizeof why), -1);
    cr_assert(strstr(why, "data outside"), "%s", why);
    e[2].size = 1;
    e[3].name_off = size;
    cr_assert_eq(dosfs_init(&f2, b, size, 4096, &heap, why, sizeof why), -1);
    e[3].name_off = size - 1;
    b[size - 1] = 'x';
    cr_assert_eq(dosfs_init(&f2, b, size, 4096, &heap, why, sizeof why), -1, "not terminated");
    cr_assert_eq(dosfs_init(&f2, b, size - 1, 4096, &heap, why, sizeof why), -1, "size");
    free(b);
}
