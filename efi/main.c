/*
 * BOOTX64.EFI: reads the VMM and its files from the ESP, builds the boot info and the PAE page
 * tables, exits boot services and hands over to the 32-bit VMM through the trampoline.
 *
 * The stages, in order (efi_main reads like this list):
 *   open the ESP -> read VMM32.VXD and check it -> read SYSTEM.INI and VMM\VXD\* ->
 *   find the framebuffer and ACPI -> build page tables and place the VMM -> copy the trampoline ->
 *   ExitBootServices -> convert the memory map -> jump.
 * Every allocation before ExitBootServices is logged so that a failure frees all of them and
 * returns an error to the firmware after printing which file was bad and why.
 */
#include <efi.h>
#include <efilib.h>

#include "boot/bootinfo.h"
#include "boot/drivec.h"
#include "boot/shipped.h"
#include "boot/layout.h"
#include "elfexec.h"
#include "lib/elf32.h"
#include "lib/kfmt.h"
#include "memmap.h"
#include "pagetable.h"
#include "trampoline.h"
#include "../vmm/boot/ini.h"
#include "lib/ascii.h"

#define VMM_PATH        L"\\VMM\\VMM32.VXD"
#define SYSINI_PATH     L"\\VMM\\SYSTEM.INI"
#define VXD_DIR_PATH    L"\\VMM\\VXD"
#define MAX_MODULES     64
#define MAX_VMM_SIZE    (16u << 20)
#define MAX_FILE_SIZE   (64u << 20)
#define MAX_DISK_SIZE   (128u << 20)
#define MAX_ALLOCS      (MAX_MODULES + ELFEXEC_MAX_SEGS + 16)
#define PT_POOL_PAGES   520         /* PDPT + 4 PDs + 508 system PTs + a few low PTs */
#define BELOW_4G        0xFFFFFFFFull
#define BELOW_1G        0x3FFFFFFFull
#define ERROR_PAUSE_US  5000000

static EFI_HANDLE image_handle;

/* ---- output: the firmware console, which OVMF and most PCs also send to the serial port ---- */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    Print(L"loader: %a\r\n", buf);
}

static const char *st_name(EFI_STATUS st)
{
    switch (st) {
    case EFI_SUCCESS:           return "success";
    case EFI_NOT_FOUND:         return "not found";
    case EFI_ACCESS_DENIED:     return "access denied";
    case EFI_DEVICE_ERROR:      return "device error";
    case EFI_VOLUME_CORRUPTED:  return "volume corrupted";
    case EFI_OUT_OF_RESOURCES:  return "out of resources";
    case EFI_BUFFER_TOO_SMALL:  return "buffer too small";
    case EFI_INVALID_PARAMETER: return "invalid parameter";
    case EFI_UNSUPPORTED:       return "unsupported";
    case EFI_NO_MEDIA:          return "no media";
    default:                    return "EFI error";
    }
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static int cpu_has_nx(void)
{
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000000u), "c"(0));
    if (a < 0x80000001u)
        return 0;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000001u), "c"(0));
    return (d >> 20) & 1;
}

/* ---- page allocations, logged for the unwind ---- */

static struct { EFI_PHYSICAL_ADDRESS addr; UINTN pages; } allocs[MAX_ALLOCS];
static unsigned nallocs;

static uint64_t alloc_pages(UINTN pages, EFI_MEMORY_TYPE type, uint64_t max)
{
    EFI_PHYSICAL_ADDRESS a = max;

    if (nallocs == MAX_ALLOCS)
        return 0;
    if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, type, pages, &a)))
        return 0;
    allocs[nallocs].addr = a;
    allocs[nallocs++].pages = pages;
    ZeroMem((void *)(UINTN)a, pages * PAGE_SIZE);
    return a;
}

static void free_all_pages(void)
{
    while (nallocs) {
        nallocs--;
        uefi_call_wrapper(BS->FreePages, 2, allocs[nallocs].addr, allocs[nallocs].pages);
    }
}

static UINTN pages_for(uint64_t bytes) { return (bytes + PAGE_SIZE - 1) / PAGE_SIZE; }

/* ---- files ---- */

struct loader {
    EFI_FILE_HANDLE root;
    struct bi_module mods[MAX_MODULES];
    unsigned nmods;
    struct elfexec vmm;
    struct boot_info bi;
    uint64_t pt_pool, pt_next, pt_end;
    EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;  /* the framebuffer's, cleared just before the hand-over */
};

static void ascii_name(char *dst, size_t cap, const char *prefix, const CHAR16 *name)
{
    size_t n = 0;
    while (*prefix && n + 1 < cap)
        dst[n++] = *prefix++;
    for (; *name && n + 1 < cap; name++)
        dst[n++] = *name < 0x80 ? (char)*name : '_';
    dst[n] = 0;
}

/* Our own: gnu-efi's strcmpa returns an unsigned UINTN, useless for ordering. */
static int name_cmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

static size_t wlen(const CHAR16 *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* Reads a whole file into LOADER_MEM_MODULES pages below 4 GB and records it as a module.
 * Returns 0, 1 if the file does not exist, -1 on error (message printed). */
static int read_module(struct loader *L, EFI_FILE_HANDLE dir, const CHAR16 *path, const char *name,
                       uint64_t limit)
{
    EFI_FILE_HANDLE f;
    EFI_STATUS st = uefi_call_wrapper(dir->Open, 5, dir, &f, (CHAR16 *)path, EFI_FILE_MODE_READ, 0);
    if (st == EFI_NOT_FOUND)
        return 1;
    if (EFI_ERROR(st)) {
        say("%s: cannot open: %s", name, st_name(st));
        return -1;
    }
    int rc = -1;
    EFI_FILE_INFO *info = LibFileInfo(f);
    if (!info) {
        say("%s: cannot read the file's size", name);
        goto out;
    }
    uint64_t size = info->FileSize;
    int is_dir = (info->Attribute & EFI_FILE_DIRECTORY) != 0;
    FreePool(info);
    if (is_dir) {
        say("%s: is a directory, not a file", name);
        goto out;
    }
    if (size > limit) {
        say("%s: %llu bytes is larger than the %llu-byte limit", name,
            (unsigned long long)size, (unsigned long long)limit);
        goto out;
    }
    if (L->nmods == MAX_MODULES) {
        say("%s: more than %u files; this one is not loaded", name, MAX_MODULES);
        goto out;
    }
    uint64_t phys = alloc_pages(pages_for(size ? size : 1), LOADER_MEM_MODULES, BELOW_4G);
    if (!phys) {
        say("%s: no memory below 4 GB for %llu bytes", name, (unsigned long long)size);
        goto out;
    }
    UINTN got = size;
    st = uefi_call_wrapper(f->Read, 3, f, &got, (void *)(UINTN)phys);
    if (EFI_ERROR(st) || got != size) {
        say("%s: read failed after %llu of %llu bytes: %s", name, (unsigned long long)got,
            (unsigned long long)size, st_name(st));
        goto out;
    }
    struct bi_module *m = &L->mods[L->nmods++];
    m->phys = phys;
    m->size = size;
    ksnprintf(m->name, sizeof m->name, "%s", name);
    rc = 0;
out:
    uefi_call_wrapper(f->Close, 1, f);
    return rc;
}

static int read_vmm(struct loader *L)
{
    struct kerr e;
    int rc = read_module(L, L->root, VMM_PATH, "VMM/VMM32.VXD", MAX_VMM_SIZE);
    if (rc == 1)
        say("VMM/VMM32.VXD: not found on the boot partition");
    if (rc)
        return -1;
    struct bi_module *m = &L->mods[0];
    if (elfexec_check((void *)(UINTN)m->phys, m->size, SYSTEM_BASE, PHYSMAP_BASE, &L->vmm, &e)) {
        say("VMM/VMM32.VXD: %s", e.msg);
        return -1;
    }
    say("VMM/VMM32.VXD: %llu bytes, %u segments, entry 0x%08x", (unsigned long long)m->size,
        L->vmm.nseg, L->vmm.entry);
    return 0;
}

static void read_sysini(struct loader *L)
{
    int rc = read_module(L, L->root, SYSINI_PATH, "VMM/SYSTEM.INI", 1u << 20);
    if (rc == 1)
        say("VMM/SYSTEM.INI: not found; the VMM uses its defaults");
    else if (rc == 0)
        say("VMM/SYSTEM.INI: %llu bytes", (unsigned long long)L->mods[L->nmods - 1].size);
}

/* The disk images SYSTEM.INI names -- [Disks] A=, B=, C=, D= and [boot] shell= when it is a
 * file -- as modules named by their path ('/'-separated, as given), for the disks' VxD (INT13),
 * which finds them by the same names. */
static void read_disk(struct loader *L, const char *what, const char *path)
{
    CHAR16 wpath[BI_NAME_MAX + 1];
    char name[BI_NAME_MAX];
    size_t n = 0;
    while (*path == '\\' || *path == '/')
        path++;
    wpath[0] = '\\';
    for (; path[n]; n++) {
        if (n + 1 >= BI_NAME_MAX) {
            say("VMM/SYSTEM.INI: %s: the path %.20s... is longer than %u characters; not read",
                what, path, BI_NAME_MAX - 1);
            return;
        }
        char c = path[n] == '/' ? '\\' : path[n];
        wpath[n + 1] = (CHAR16)(unsigned char)c;
        name[n] = c == '\\' ? '/' : c;
    }
    wpath[n + 1] = 0;
    name[n] = 0;
    if (!n)
        return;
    for (unsigned i = 0; i < L->nmods; i++)
        if (!name_cmp(L->mods[i].name, name))
            return;                     /* named twice: read once */
    int rc = read_module(L, L->root, wpath, name, MAX_DISK_SIZE);
    if (rc == 1)
        say("%s (%s in VMM/SYSTEM.INI): not found on the boot partition", name, what);
    else if (rc == 0)
        say("%s: %llu bytes (a disk image; %s)", name,
            (unsigned long long)L->mods[L->nmods - 1].size, what);
}

static void read_disks(struct loader *L)
{
    const struct bi_module *ini = 0;
    for (unsigned i = 0; i < L->nmods; i++)
        if (!name_cmp(L->mods[i].name, "VMM/SYSTEM.INI"))
            ini = &L->mods[i];
    if (!ini)
        return;
    const char *text = (const char *)(UINTN)ini->phys;
    static const char *const keys[] = { "A", "B", "C", "D" };
    char val[BI_NAME_MAX + 16], what[16];
    for (unsigned i = 0; i < 4; i++)
        if (ini_get(text, (size_t)ini->size, "Disks", keys[i], val, sizeof val)) {
            ksnprintf(what, sizeof what, "drive %s:", keys[i]);
            read_disk(L, what, val);
        }
    if (ini_get(text, (size_t)ini->size, "boot", "shell", val, sizeof val) &&
        !(val[0] && val[1] == ':' && !val[2]) && !drivec_is_program(val))   /* DOS runs those */
        read_disk(L, "[boot] shell=", val);
}

/* The files of \VMM\VXD the module table has room for (it keeps VXD_RESERVE slots for the disk
 * images and drive C:): first those SYSTEM.INI's device= lines name, in their order, then the
 * shipped ones (boot/shipped.h), then the rest by name; a file left out is named as dropped.
 * The modules handed over are then sorted by name, so that the table does not depend on the
 * order of the FAT directory.  A bad file is reported and skipped; the others still load. */
#define VXD_RESERVE     6
#define VXD_LISTED_MAX  1024                /* directory entries looked at */

#define VXD_PREFIX      "VMM/VXD/"
struct vxd_file { CHAR16 file[BI_NAME_MAX]; char name[BI_NAME_MAX]; unsigned rank; };

/* The file name of a VMM/VXD module, past the directory. */
static const char *vxd_leaf(const struct vxd_file *f) { return f->name + sizeof VXD_PREFIX - 1; }

struct device_ranks { struct vxd_file *f; unsigned n, next; };

/* A device= line ("X.VXD", or the DDK's "*X" for X.VXD) ranks the file it names by its order. */
static int rank_device(const struct ini_item *it, void *ctx)
{
    struct device_ranks *d = ctx;
    if (it->bad || !ascii_ieq(it->section, it->section_len, "386Enh") ||
        !ascii_ieq(it->key, it->key_len, "device"))
        return 0;
    int star = it->value_len && it->value[0] == '*';
    char want[BI_NAME_MAX];
    int w = ksnprintf(want, sizeof want, "%.*s%s", (int)(it->value_len - star), it->value + star,
                      star ? ".VXD" : "");
    for (unsigned i = 0; i < d->n; i++)
        if (ascii_ieq(want, (size_t)w, vxd_leaf(&d->f[i])) && d->f[i].rank > d->next)
            d->f[i].rank = d->next;
    d->next++;
    return 0;
}

static void read_vxds(struct loader *L)
{
    static const char *const shipped[SHIPPED_VXD_COUNT] = SHIPPED_VXDS;
    EFI_FILE_HANDLE dir;
    EFI_STATUS st = uefi_call_wrapper(L->root->Open, 5, L->root, &dir, VXD_DIR_PATH,
                                      EFI_FILE_MODE_READ, 0);
    if (EFI_ERROR(st)) {
        say("VMM/VXD: %s; no VxD files", st_name(st));
        return;
    }
    struct vxd_file *f = AllocatePool(VXD_LISTED_MAX * sizeof *f);
    if (!f) {
        say("VMM/VXD: no memory to list the directory; no VxD files");
        uefi_call_wrapper(dir->Close, 1, dir);
        return;
    }
    unsigned first = L->nmods, n = 0, skipped = 0;
    UINT8 buf[SIZE_OF_EFI_FILE_INFO + 512] __attribute__((aligned(8)));
    for (;;) {
        UINTN size = sizeof buf;
        st = uefi_call_wrapper(dir->Read, 3, dir, &size, buf);
        if (EFI_ERROR(st)) {
            say("VMM/VXD: directory read failed: %s", st_name(st));
            break;
        }
        if (size == 0)
            break;
        EFI_FILE_INFO *fi = (EFI_FILE_INFO *)buf;
        if (fi->Attribute & EFI_FILE_DIRECTORY)
            continue;
        if (fi->FileName[0] == '.')         /* ".keep", macOS "._X.VXD": not drivers */
            continue;
        char name[BI_NAME_MAX + 8];
        ascii_name(name, sizeof name, VXD_PREFIX, fi->FileName);
        if (wlen(fi->FileName) + sizeof VXD_PREFIX - 1 >= BI_NAME_MAX) {
            say("%s...: name longer than %u characters; skipped", name, BI_NAME_MAX - 9);
            continue;
        }
        if (n == VXD_LISTED_MAX) {
            skipped++;
            continue;
        }
        CopyMem(f[n].file, fi->FileName, (wlen(fi->FileName) + 1) * sizeof(CHAR16));
        ksnprintf(f[n].name, sizeof f[n].name, "%s", name);
        f[n].rank = 2000;
        for (unsigned i = 0; i < SHIPPED_VXD_COUNT; i++)
            if (ascii_ieq(shipped[i], strlena((CHAR8 *)shipped[i]), vxd_leaf(&f[n])))
                f[n].rank = 1000 + i;
        n++;
    }
    if (skipped)
        say("VMM/VXD: more than %u files; %u not looked at", VXD_LISTED_MAX, skipped);
    for (unsigned i = 0; i < L->nmods; i++)         /* SYSTEM.INI, read before: its device= lines */
        if (!name_cmp(L->mods[i].name, "VMM/SYSTEM.INI")) {
            struct device_ranks d = { f, n, 0 };
            ini_walk((const char *)(UINTN)L->mods[i].phys, (size_t)L->mods[i].size, rank_device, &d);
        }
    for (unsigned i = 1; i < n; i++)                /* by rank, then by name */
        for (unsigned j = i; j && (f[j - 1].rank > f[j].rank ||
                                   (f[j - 1].rank == f[j].rank && name_cmp(f[j - 1].name, f[j].name) > 0)); j--) {
            struct vxd_file t = f[j];
            f[j] = f[j - 1];
            f[j - 1] = t;
        }
    unsigned room = L->nmods + VXD_RESERVE < MAX_MODULES ? MAX_MODULES - L->nmods - VXD_RESERVE : 0,
             dropped = 0;
    for (unsigned i = 0; i < n; i++) {
        if (L->nmods - first >= room) {
            if (dropped++ < 8)
                say("%s: more than %u VxD files; dropped (not handed over)", f[i].name, room);
            continue;
        }
        if (read_module(L, dir, f[i].file, f[i].name, MAX_FILE_SIZE) == 0)
            say("%s: %llu bytes", f[i].name, (unsigned long long)L->mods[L->nmods - 1].size);
    }
    if (dropped > 8)
        say("VMM/VXD: %u more files dropped", dropped - 8);
    uefi_call_wrapper(dir->Close, 1, dir);
    FreePool(f);
    if (!n && !skipped)
        say("VMM/VXD: empty; no VxD files");
    for (unsigned i = first + 1; i < L->nmods; i++)
        for (unsigned j = i; j > first && name_cmp(L->mods[j - 1].name, L->mods[j].name) > 0; j--) {
            struct bi_module t = L->mods[j];
            L->mods[j] = L->mods[j - 1];
            L->mods[j - 1] = t;
        }
}

/* ---- drive C: ---- */

/* Drive C: is the ESP itself (include/boot/drivec.h): every file, read into one block the DOS
 * services' VxD builds its drive from, up to [DOS] DriveCLimitKB= of file bytes.  Two passes:
 * the walk records what there is (the limits decide here, each file left out is named), then
 * one block is allocated and each file read into it, found again by its path. */
struct dc_node {
    uint32_t parent, size;
    uint8_t attr;
    uint16_t date, time;
    CHAR16 *wname;              /* as the ESP has it (to open it again) */
    char name[BI_NAME_MAX * 2]; /* ASCII */
};
struct dc_walk {
    struct dc_node *n;
    uint32_t count, skipped;
    uint64_t bytes, names, limit;
};

static void dc_path(const struct dc_walk *w, uint32_t i, CHAR16 *out, size_t cap)
{
    uint32_t chain[DRIVEC_MAX_DEPTH + 1], depth = 0;
    for (uint32_t j = i; j != DRIVEC_ROOT && depth <= DRIVEC_MAX_DEPTH; j = w->n[j].parent)
        chain[depth++] = j;
    size_t k = 0;
    while (depth-- && k + 2 < cap) {
        out[k++] = '\\';
        for (const CHAR16 *c = w->n[chain[depth]].wname; *c && k + 1 < cap; c++)
            out[k++] = *c;
    }
    out[k] = 0;
}

static void dc_name(const struct dc_walk *w, uint32_t parent, const char *leaf, char *out, size_t cap)
{
    char up[512] = "";
    if (parent != DRIVEC_ROOT) {
        dc_name(w, w->n[parent].parent, w->n[parent].name, up, sizeof up);
        ksnprintf(out, cap, "%s/%s", up, leaf);
    } else {
        ksnprintf(out, cap, "%s", leaf);
    }
}

static void dc_scan(struct dc_walk *w, EFI_FILE_HANDLE dir, uint32_t parent, unsigned depth)
{
    UINT8 buf[SIZE_OF_EFI_FILE_INFO + 1024] __attribute__((aligned(8)));
    char path[512];
    for (;;) {
        UINTN size = sizeof buf;
        EFI_STATUS st = uefi_call_wrapper(dir->Read, 3, dir, &size, buf);
        if (EFI_ERROR(st) || size == 0)
            return;
        EFI_FILE_INFO *fi = (EFI_FILE_INFO *)buf;
        if (fi->FileName[0] == '.' && (!fi->FileName[1] || (fi->FileName[1] == '.' && !fi->FileName[2])))
            continue;
        int is_dir = (fi->Attribute & EFI_FILE_DIRECTORY) != 0;
        char leaf[BI_NAME_MAX * 2];
        ascii_name(leaf, sizeof leaf, "", fi->FileName);
        dc_name(w, parent, leaf, path, sizeof path);
        const char *why = 0;
        if (w->count == DRIVEC_MAX_ENTRIES)
            why = "more than the files and directories drive C: holds";
        else if (wlen(fi->FileName) >= sizeof leaf)
            why = "its name is too long";
        else if (is_dir && depth >= DRIVEC_MAX_DEPTH)
            why = "directories nested too deep";
        else if (!is_dir && ((fi->FileSize + 15) & ~15ull) > w->limit - w->bytes)
            why = "it does not fit in [DOS] DriveCLimitKB=";
        if (why) {
            say("drive C: %s%s: %s; left out", path, is_dir ? "/" : "", why);
            w->skipped++;
            continue;
        }
        struct dc_node *n = &w->n[w->count];
        UINTN wbytes = (wlen(fi->FileName) + 1) * sizeof(CHAR16);
        if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePool, 3, EfiLoaderData, wbytes,
                                        (void **)&n->wname))) {
            say("drive C: %s: no memory to list it; left out", path);
            w->skipped++;
            continue;
        }
        CopyMem(n->wname, fi->FileName, wbytes);
        ksnprintf(n->name, sizeof n->name, "%s", leaf);
        n->parent = parent;
        n->size = is_dir ? 0 : (uint32_t)fi->FileSize;
        n->attr = (uint8_t)((fi->Attribute & (EFI_FILE_READ_ONLY | EFI_FILE_HIDDEN | EFI_FILE_SYSTEM |
                                              EFI_FILE_ARCHIVE)) | (is_dir ? DRIVEC_ATTR_DIR : 0));
        const EFI_TIME *t = &fi->ModificationTime;
        n->date = (uint16_t)((t->Year >= 1980 && t->Year < 2108 ? t->Year - 1980 : 0) << 9 |
                             (t->Month & 15) << 5 | (t->Day & 31));
        n->time = (uint16_t)((t->Hour & 31) << 11 | (t->Minute & 63) << 5 | (t->Second & 63) / 2);
        uint32_t me = w->count++;
        w->bytes += (n->size + 15) & ~15u;
        w->names += strlena((CHAR8 *)n->name) + 1;
        if (is_dir) {
            EFI_FILE_HANDLE sub;
            if (EFI_ERROR(uefi_call_wrapper(dir->Open, 5, dir, &sub, fi->FileName,
                                            EFI_FILE_MODE_READ, 0))) {
                say("drive C: %s/: cannot open it; its files are left out", path);
                w->skipped++;
                continue;
            }
            dc_scan(w, sub, me, depth + 1);
            uefi_call_wrapper(sub->Close, 1, sub);
        }
    }
}

static void read_drive_c(struct loader *L)
{
    uint64_t limit_kb = DRIVEC_LIMIT_KB_DEFAULT;
    for (unsigned i = 0; i < L->nmods; i++)
        if (!name_cmp(L->mods[i].name, "VMM/SYSTEM.INI")) {
            char val[32];
            if (ini_get((const char *)(UINTN)L->mods[i].phys, (size_t)L->mods[i].size, "DOS",
                        "DriveCLimitKB", val, sizeof val)) {
                unsigned long v;
                if (ini_parse_uint(val, &v) || v > DRIVEC_LIMIT_KB_MAX)
                    say("VMM/SYSTEM.INI: [DOS] DriveCLimitKB=%s is not a number of KB up to %u; "
                        "%u is used", val, DRIVEC_LIMIT_KB_MAX, DRIVEC_LIMIT_KB_DEFAULT);
                else
                    limit_kb = v;
            }
        }
    if (L->nmods == MAX_MODULES) {
        say("drive C: more than %u files handed over already; no drive C:", MAX_MODULES);
        return;
    }
    struct dc_walk w = { 0, 0, 0, 0, 0, limit_kb * 1024 };
    if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePool, 3, EfiLoaderData,
                                    DRIVEC_MAX_ENTRIES * sizeof *w.n, (void **)&w.n))) {
        say("drive C: no memory to list the partition's files; no drive C:");
        return;
    }
    dc_scan(&w, L->root, DRIVEC_ROOT, 0);
    uint64_t head = sizeof(struct drivec_header) + (uint64_t)w.count * sizeof(struct drivec_entry);
    uint64_t names_at = head, data_at = (head + w.names + 15) & ~15ull, total = data_at + w.bytes;
    uint64_t phys = alloc_pages(pages_for(total), LOADER_MEM_MODULES, BELOW_4G);
    if (!phys) {
        say("drive C: no memory below 4 GB for its %llu bytes; no drive C:",
            (unsigned long long)total);
        goto out;
    }
    uint8_t *blk = (uint8_t *)(UINTN)phys;
    struct drivec_header *h = (struct drivec_header *)blk;
    struct drivec_entry *e = (struct drivec_entry *)(h + 1);
    SetMem(blk, head, 0);
    h->magic = DRIVEC_MAGIC;
    h->version = DRIVEC_VERSION;
    h->count = w.count;
    h->skipped = w.skipped;
    uint64_t nat = names_at, dat = data_at;
    CHAR16 wpath[1024];
    char path[512];
    for (uint32_t i = 0; i < w.count; i++) {
        const struct dc_node *n = &w.n[i];
        size_t len = strlena((CHAR8 *)n->name) + 1;
        CopyMem(blk + nat, n->name, len);
        e[i] = (struct drivec_entry){ n->parent, (uint32_t)nat, 0, n->size, n->date, n->time,
                                      n->attr, { 0 } };
        nat += len;
        if (n->attr & DRIVEC_ATTR_DIR || !n->size)
            continue;
        dc_path(&w, i, wpath, sizeof wpath / sizeof wpath[0]);
        EFI_FILE_HANDLE f;
        UINTN got = n->size;
        EFI_STATUS st = uefi_call_wrapper(L->root->Open, 5, L->root, &f, wpath, EFI_FILE_MODE_READ, 0);
        if (!EFI_ERROR(st)) {
            st = uefi_call_wrapper(f->Read, 3, f, &got, blk + dat);
            uefi_call_wrapper(f->Close, 1, f);
        }
        if (EFI_ERROR(st) || got != n->size) {
            dc_name(&w, n->parent, n->name, path, sizeof path);
            say("drive C: %s: read failed (%s); it is there, empty", path, st_name(st));
            e[i].size = 0;
            h->skipped++;
            continue;
        }
        e[i].data_off = (uint32_t)dat;
        dat += (n->size + 15) & ~15u;
    }
    h->size = (uint32_t)total;
    struct bi_module *m = &L->mods[L->nmods++];
    m->phys = phys;
    m->size = total;
    ksnprintf(m->name, sizeof m->name, "%s", DRIVEC_MODULE);
    say("drive C: %u files and directories, %llu KB of file data (limit %llu KB)%s", w.count,
        (unsigned long long)(w.bytes >> 10), (unsigned long long)limit_kb,
        h->skipped ? "; some left out, named above" : "");
out:
    for (uint32_t i = 0; i < w.count; i++)
        uefi_call_wrapper(BS->FreePool, 1, w.n[i].wname);
    uefi_call_wrapper(BS->FreePool, 1, w.n);
}

/* ---- firmware tables ---- */

static unsigned mask_bits(uint32_t m)
{
    unsigned n = 0;
    while (m) {
        n++;
        m >>= 1;
    }
    return n;
}

static void find_framebuffer(struct loader *L)
{
    EFI_GUID gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
    EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
    if (EFI_ERROR(uefi_call_wrapper(BS->LocateProtocol, 3, &gop_guid, NULL, (void **)&gop)) ||
        !gop || !gop->Mode || !gop->Mode->Info) {
        say("no graphics output (GOP); the VMM will use the serial console only");
        return;
    }
    EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *mi = gop->Mode->Info;
    struct bi_framebuffer *fb = &L->bi.fb;
    switch (mi->PixelFormat) {
    case PixelRedGreenBlueReserved8BitPerColor:
        fb->red_mask = 0x0000FF; fb->green_mask = 0x00FF00; fb->blue_mask = 0xFF0000;
        fb->reserved_mask = 0xFF000000;
        break;
    case PixelBlueGreenRedReserved8BitPerColor:
        fb->red_mask = 0xFF0000; fb->green_mask = 0x00FF00; fb->blue_mask = 0x0000FF;
        fb->reserved_mask = 0xFF000000;
        break;
    case PixelBitMask:
        fb->red_mask = mi->PixelInformation.RedMask;
        fb->green_mask = mi->PixelInformation.GreenMask;
        fb->blue_mask = mi->PixelInformation.BlueMask;
        fb->reserved_mask = mi->PixelInformation.ReservedMask;
        break;
    default:
        say("GOP mode %ux%u has no linear framebuffer (blt only); serial console only",
            mi->HorizontalResolution, mi->VerticalResolution);
        return;
    }
    unsigned bpp = mask_bits(fb->red_mask | fb->green_mask | fb->blue_mask | fb->reserved_mask);
    fb->bpp = (bpp + 7) & ~7u;
    fb->base = gop->Mode->FrameBufferBase;
    fb->size = gop->Mode->FrameBufferSize;
    fb->width = mi->HorizontalResolution;
    fb->height = mi->VerticalResolution;
    fb->pitch = mi->PixelsPerScanLine * (fb->bpp / 8);
    L->bi.flags |= BI_FLAG_FB;
    L->gop = gop;
    say("framebuffer %ux%u, %u bpp, pitch %u, at 0x%llx", fb->width, fb->height, fb->bpp,
        fb->pitch, (unsigned long long)fb->base);
}

static void find_acpi(struct loader *L)
{
    EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
    for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
        EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];
        if (!CompareGuid(&t->VendorGuid, &acpi20)) {
            L->bi.acpi_rsdp = (uint64_t)(UINTN)t->VendorTable;
            L->bi.flags |= BI_FLAG_ACPI2;
            break;
        }
        if (!CompareGuid(&t->VendorGuid, &acpi10))
            L->bi.acpi_rsdp = (uint64_t)(UINTN)t->VendorTable;
    }
    if (L->bi.acpi_rsdp)
        say("ACPI %s RSDP at 0x%llx", L->bi.flags & BI_FLAG_ACPI2 ? "2.0+" : "1.0",
            (unsigned long long)L->bi.acpi_rsdp);
    else
        say("no ACPI RSDP in the firmware's configuration table");
}

/* ---- page tables and the VMM image ---- */

static uint64_t pt_alloc(void *ctx)
{
    struct loader *L = ctx;
    if (L->pt_next == L->pt_end)
        return 0;
    uint64_t p = L->pt_next;
    L->pt_next += PAGE_SIZE;
    return p;
}

static void *pt_ptr(void *ctx, uint64_t phys)
{
    (void)ctx;
    return (void *)(UINTN)phys;
}

static int place_vmm(struct loader *L, struct pt_builder *pt)
{
    struct kerr e;
    const char *file = (const char *)(UINTN)L->mods[0].phys;

    for (unsigned i = 0; i < L->vmm.nseg; i++) {
        const struct elfexec_seg *s = &L->vmm.seg[i];
        uint32_t first = s->vaddr & ~(PAGE_SIZE - 1);
        UINTN npages = pages_for((uint64_t)s->vaddr + s->memsz - first);
        uint64_t phys = alloc_pages(npages, LOADER_MEM_VMM, BELOW_4G);
        if (!phys) {
            say("VMM/VMM32.VXD: no memory for segment %u (%u bytes)", i, s->memsz);
            return -1;
        }
        CopyMem((char *)(UINTN)phys + (s->vaddr - first), (void *)(file + s->offset), s->filesz);
        unsigned fl = (s->flags & PF_W ? PT_MAP_WRITE : 0) | (s->flags & PF_X ? PT_MAP_EXEC : 0);
        for (UINTN p = 0; p < npages; p++)
            if (pt_map(pt, first + p * PAGE_SIZE, phys + p * PAGE_SIZE, fl, &e)) {
                say("VMM/VMM32.VXD: segment %u: %s", i, e.msg);
                return -1;
            }
    }
    return 0;
}

static uint64_t place_trampoline(struct loader *L, struct pt_builder *pt)
{
    struct kerr e;
    UINTN size = tramp_end - tramp_start;
    UINTN npages = pages_for(size);
    /* EfiLoaderCode: firmware that applies NX to data and OS memory types still lets it run. */
    uint64_t t = alloc_pages(npages, EfiLoaderCode, BELOW_1G);
    if (!t) {
        say("no memory below 1 GB for the trampoline");
        return 0;
    }
    CopyMem((void *)(UINTN)t, tramp_start, size);
    for (UINTN p = 0; p < npages; p++)
        if (pt_map(pt, (uint32_t)(t + p * PAGE_SIZE), t + p * PAGE_SIZE,
                   PT_MAP_WRITE | PT_MAP_EXEC, &e)) {
            say("trampoline: %s", e.msg);
            return 0;
        }
    L->bi.trampoline = t;
    L->bi.trampoline_size = (uint32_t)(npages * PAGE_SIZE);
    return t;
}

/* ---- the handoff ---- */

struct handoff {
    void *map;                  /* firmware memory map buffer */
    UINTN map_cap;
    struct boot_info *bi;       /* in BOOTDATA pages */
    struct bi_mem_range *ranges;
    uint32_t range_cap;
};

/* Everything the VMM keeps goes into one BOOTDATA block: boot info, module table, memory map. */
static int prepare_handoff(struct loader *L, struct handoff *h)
{
    UINTN size = 0, key, dsize;
    UINT32 dver;
    EFI_STATUS st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, NULL, &key, &dsize, &dver);
    if (st != EFI_BUFFER_TOO_SMALL || dsize < sizeof(struct efi_mdesc)) {
        say("GetMemoryMap probe failed: %s (descriptor size %llu)", st_name(st),
            (unsigned long long)dsize);
        return -1;
    }
    /* Slack for the descriptors our own allocations below (and the firmware) may still add. */
    h->map_cap = size + 64 * dsize;
    h->map = AllocatePool(h->map_cap);
    if (!h->map) {
        say("no memory for the memory map (%llu bytes)", (unsigned long long)h->map_cap);
        return -1;
    }
    h->range_cap = (uint32_t)(2 * (h->map_cap / dsize) + 1);
    uint64_t bytes = sizeof(struct boot_info) + L->nmods * sizeof(struct bi_module) +
                     (uint64_t)h->range_cap * sizeof(struct bi_mem_range);
    uint64_t block = alloc_pages(pages_for(bytes), LOADER_MEM_BOOTDATA, BELOW_4G);
    if (!block) {
        say("no memory below 4 GB for the boot info (%llu bytes)", (unsigned long long)bytes);
        FreePool(h->map);
        return -1;
    }
    h->bi = (struct boot_info *)(UINTN)block;
    struct bi_module *mods = (struct bi_module *)(h->bi + 1);
    h->ranges = (struct bi_mem_range *)(mods + L->nmods);
    CopyMem(mods, L->mods, L->nmods * sizeof *mods);
    L->bi.modules = (uint64_t)(UINTN)mods;
    L->bi.module_count = L->nmods;
    L->bi.module_entry_size = sizeof *mods;
    L->bi.mmap = (uint64_t)(UINTN)h->ranges;
    L->bi.mmap_entry_size = sizeof(struct bi_mem_range);
    return 0;
}

/* ExitBootServices with a fresh map key on each attempt.  After the first failed attempt the
 * only boot services we may call are GetMemoryMap and ExitBootServices, so nothing here allocates
 * or prints.  Returns the map size, 0 on failure. */
static UINTN exit_boot_services(struct loader *L, struct handoff *h, UINTN *dsize)
{
    for (uint32_t attempt = 1; attempt <= 8; attempt++) {
        UINTN size = h->map_cap, key;
        UINT32 dver;
        if (EFI_ERROR(uefi_call_wrapper(BS->GetMemoryMap, 5, &size, h->map, &key, dsize, &dver)))
            return 0;
        L->bi.tsc_exit_call = rdtsc();
        EFI_STATUS st = uefi_call_wrapper(BS->ExitBootServices, 2, image_handle, key);
        L->bi.tsc_exit_return = rdtsc();
        L->bi.exit_attempts = attempt;
        if (!EFI_ERROR(st))
            return size;
    }
    return 0;
}

static void pause_on_error(void)
{
    say("returning to the firmware in %u s (press a key to return now)", ERROR_PAUSE_US / 1000000);
    WaitForSingleEvent(ST->ConIn->WaitForKey, ERROR_PAUSE_US * 10ull);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
    static struct loader L;
    struct pt_builder pt = { pt_alloc, pt_ptr, &L, cpu_has_nx(), 0, {0}, 0 };
    struct handoff h;
    struct kerr e;
    EFI_LOADED_IMAGE *li;

    InitializeLib(image, systab);
    image_handle = image;
    L.bi.tsc_loader_entry = rdtsc();
    say("VMM32 loader starting");

    if (EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol,
                                    (void **)&li)) || !(L.root = LibOpenRoot(li->DeviceHandle))) {
        say("cannot open the partition the loader was started from");
        goto fail;
    }
    if (read_vmm(&L))                                   /* VMM32.VXD, checked */
        goto fail;
    read_sysini(&L);                                    /* optional */
    read_vxds(&L);                                      /* every file in \VMM\VXD */
    read_disks(&L);                                     /* the disk images SYSTEM.INI names */
    read_drive_c(&L);                                   /* the whole ESP, for DOS's drive C: */
    find_framebuffer(&L);                               /* optional */
    find_acpi(&L);

    L.pt_pool = alloc_pages(PT_POOL_PAGES, LOADER_MEM_BOOTDATA, BELOW_4G);
    if (!L.pt_pool) {
        say("no memory below 4 GB for page tables (%u pages)", PT_POOL_PAGES);
        goto fail;
    }
    L.pt_next = L.pt_pool;
    L.pt_end = L.pt_pool + PT_POOL_PAGES * PAGE_SIZE;
    if (pt_init(&pt, &e)) {
        say("page tables: %s", e.msg);
        goto fail;
    }
    if (place_vmm(&L, &pt))                             /* segments mapped with W^X */
        goto fail;
    uint64_t tramp = place_trampoline(&L, &pt);         /* identity-mapped below 1 GB */
    if (!tramp || prepare_handoff(&L, &h))
        goto fail;
    L.bi.magic = BOOTINFO_MAGIC;
    L.bi.version = BOOTINFO_VERSION;
    L.bi.size = sizeof L.bi;
    L.bi.flags |= pt.nx ? BI_FLAG_NX : 0;
    L.bi.pdpt = pt.pdpt;
    L.bi.efi_system_table = (uint64_t)(UINTN)systab;
    say("%u page-table pages; NX %s; handing over to the VMM", pt.tables, pt.nx ? "on" : "absent");
    /* The screen black, by the firmware's own fill, after the last line it draws: the VMM's
     * console then draws only its text (a clear of its own was a million stores). */
    EFI_GRAPHICS_OUTPUT_BLT_PIXEL black = { 0, 0, 0, 0 };
    if (L.gop && !EFI_ERROR(uefi_call_wrapper(L.gop->Blt, 10, L.gop, &black, EfiBltVideoFill, 0, 0, 0,
                                              0, (UINTN)L.bi.fb.width, (UINTN)L.bi.fb.height, 0)))
        L.bi.flags |= BI_FLAG_FB_BLACK;

    UINTN dsize;
    UINTN msize = exit_boot_services(&L, &h, &dsize);
    if (!msize)
        return EFI_ABORTED;     /* boot services may be half gone: nothing safe is left to do */

    /* From here on: no firmware calls, no output.  A conversion error leaves the map empty, which
     * the VMM reports as such. */
    int n = memmap_convert(h.map, msize, dsize, h.ranges, h.range_cap, &e);
    L.bi.mmap_count = n < 0 ? 0 : (uint32_t)n;
    CopyMem(h.bi, &L.bi, sizeof L.bi);
    struct tramp_params *p = (struct tramp_params *)(UINTN)(tramp + (tramp_params - tramp_start));
    p->cr3 = (uint32_t)pt.pdpt;
    p->entry = L.vmm.entry;
    p->bootinfo = (uint32_t)(UINTN)h.bi;
    p->nx = pt.nx;
    ((void (*)(void))(UINTN)tramp)();
    for (;;)
        __asm__ volatile("hlt");

fail:
    free_all_pages();
    pause_on_error();
    return EFI_LOAD_ERROR;
}
