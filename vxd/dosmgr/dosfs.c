/* dosfs: drive C: in memory (dosfs.h). */
#include "dosfs.h"
#include "boot/drivec.h"

/* libc's on the host, the VMM's exports (string moves) in the VxD */
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
static void *mset(void *d, int c, size_t n) { return n ? memset(d, c, n) : d; }
static void mcpy(void *d, const void *s, size_t n)
{
    if (n)
        memcpy(d, s, n);
}

static int meq(const char *a, const char *b, size_t n)
{
    while (n--)
        if (*a++ != *b++)
            return 0;
    return 1;
}

/* ---- names ----------------------------------------------------------------------------------- */

static char upper(char c) { return c >= 'a' && c <= 'z' ? (char)(c - 32) : c; }

/* Characters DOS allows in a name (and 80h-FFh). */
static int legal(char c)
{
    static const char extra[] = "!#$%&'()-@^_`{}~";
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (unsigned char)c >= 0x80)
        return 1;
    for (const char *e = extra; *e; e++)
        if (c == *e)
            return 1;
    return 0;
}

int dosfs_fcb_name(const char *s, size_t len, int wild, char out[11])
{
    mset(out, ' ', 11);
    if (len == 1 && s[0] == '.') {
        out[0] = '.';
        return 0;
    }
    if (len == 2 && s[0] == '.' && s[1] == '.') {
        out[0] = out[1] = '.';
        return 0;
    }
    size_t i = 0, o = 0, lim = 8;
    int ext = 0;
    if (!len)
        return DOSERR_FILE_NOT_FOUND;
    for (; i < len; i++) {
        char c = upper(s[i]);
        if (c == '.') {
            if (ext)
                return DOSERR_FILE_NOT_FOUND;           /* two dots */
            ext = 1;
            o = 8;
            lim = 11;
            continue;
        }
        if (c == '*') {
            if (!wild)
                return DOSERR_FILE_NOT_FOUND;
            while (o < lim)
                out[o++] = '?';
            continue;
        }
        if (c == '?' ? !wild : !legal(c))
            return DOSERR_FILE_NOT_FOUND;
        if (o >= lim)
            return DOSERR_FILE_NOT_FOUND;               /* a part too long */
        out[o++] = c;
    }
    return out[0] == ' ' ? DOSERR_FILE_NOT_FOUND : 0;
}

void dosfs_dot_name(const char fcb[11], char out[13])
{
    size_t o = 0;
    for (int i = 0; i < 8 && fcb[i] != ' '; i++)
        out[o++] = fcb[i];
    if (fcb[8] != ' ') {
        out[o++] = '.';
        for (int i = 8; i < 11 && fcb[i] != ' '; i++)
            out[o++] = fcb[i];
    }
    out[o] = 0;
}

int dosfs_match(const char name[11], const char pattern[11])
{
    for (int i = 0; i < 11; i++)
        if (pattern[i] != '?' && upper(pattern[i]) != name[i])
            return 0;
    return 1;
}

/* ---- nodes ----------------------------------------------------------------------------------- */

struct dosfs_node *dosfs_node(struct dosfs *fs, uint32_t n)
{
    return n < fs->count && fs->nodes[n].name[0] ? &fs->nodes[n] : 0;
}

static struct dosfs_node *dir_node(struct dosfs *fs, uint32_t n)
{
    struct dosfs_node *d = dosfs_node(fs, n);
    return d && (d->attr & DOSFS_ATTR_DIR) ? d : 0;
}

static uint32_t lookup(struct dosfs *fs, uint32_t dir, const char name[11])
{
    for (uint32_t c = fs->nodes[dir].child; c != DOSFS_NONE; c = fs->nodes[c].next)
        if (meq(fs->nodes[c].name, name, 11))
            return c;
    return DOSFS_NONE;
}

/* A new node in dir (appended: DIR lists in the order things were made), or DOSFS_NONE. */
static uint32_t new_node(struct dosfs *fs, uint32_t dir, const char name[11], uint8_t attr,
                         uint16_t date, uint16_t time)
{
    uint32_t n = fs->free_slot;
    while (n < fs->count && fs->nodes[n].name[0])
        n++;
    if (n == fs->cap) {
        uint32_t cap = fs->cap ? fs->cap * 2 : 64;
        if (cap > DRIVEC_MAX_ENTRIES * 4u)
            return DOSFS_NONE;
        struct dosfs_node *t = fs->mem.alloc(cap * sizeof *t);
        if (!t)
            return DOSFS_NONE;
        if (fs->nodes)
            mcpy(t, fs->nodes, fs->cap * sizeof *t);
        mset(t + fs->cap, 0, (cap - fs->cap) * sizeof *t);
        fs->mem.free(fs->nodes);
        fs->nodes = t;
        fs->cap = cap;
    }
    if (n == fs->count)
        fs->count++;
    fs->free_slot = n + 1;
    struct dosfs_node *p = &fs->nodes[n];
    mset(p, 0, sizeof *p);
    mcpy(p->name, name, 11);
    p->attr = attr;
    p->date = date;
    p->time = time;
    p->parent = dir;
    p->child = p->next = DOSFS_NONE;
    if (dir != DOSFS_NONE) {
        uint32_t *link = &fs->nodes[dir].child;
        while (*link != DOSFS_NONE)
            link = &fs->nodes[*link].next;
        *link = n;
    }
    return n;
}

static void unlink_node(struct dosfs *fs, uint32_t n)
{
    uint32_t *link = &fs->nodes[fs->nodes[n].parent].child;
    while (*link != n)
        link = &fs->nodes[*link].next;
    *link = fs->nodes[n].next;
}

static void free_node(struct dosfs *fs, uint32_t n)
{
    struct dosfs_node *p = &fs->nodes[n];
    if (p->cap) {
        fs->mem.free(p->data);
        fs->used -= p->cap;
    }
    mset(p, 0, sizeof *p);
    if (n < fs->free_slot)
        fs->free_slot = n;
}

/* ---- 8.3 names for long ones, as Windows 95 makes them ------------------------------------- */

/* The long name s as an FCB name: itself if it is a valid 8.3 name (in any case), else a basis
 * (illegal characters as '_', spaces and extra dots dropped, 6 characters) with ~1, ~2 ... made
 * unique in dir. */
static int short_name(struct dosfs *fs, uint32_t dir, const char *s, char out[11])
{
    size_t len = 0;
    while (s[len])
        len++;
    if (!dosfs_fcb_name(s, len, 0, out) && out[0] != '.')
        return lookup(fs, dir, out) == DOSFS_NONE ? 0 : -1;
    const char *dot = 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '.')
            dot = s + i;
    char base[8], ext[3];
    size_t nb = 0, ne = 0;
    mset(base, ' ', 8);
    mset(ext, ' ', 3);
    for (const char *c = s; *c && c != dot; c++) {
        char u = upper(*c);
        if (u == ' ' || u == '.')
            continue;
        if (nb < 8)
            base[nb++] = legal(u) ? u : '_';
    }
    for (const char *c = dot ? dot + 1 : s + len; *c; c++) {
        char u = upper(*c);
        if (u == ' ' || u == '.')
            continue;
        if (ne < 3)
            ext[ne++] = legal(u) ? u : '_';
    }
    if (!nb)
        base[nb++] = '_';
    for (uint32_t k = 1; k < 1000000; k++) {
        char tail[8];
        size_t nt = 0;
        for (uint32_t v = k; v; v /= 10)
            tail[nt++] = (char)('0' + v % 10);
        size_t keep = nb < 7 - nt ? nb : 7 - nt;
        mset(out, ' ', 11);
        mcpy(out, base, keep);
        out[keep] = '~';
        for (size_t i = 0; i < nt; i++)
            out[keep + 1 + i] = tail[nt - 1 - i];
        mcpy(out + 8, ext, 3);
        if (lookup(fs, dir, out) == DOSFS_NONE)
            return 0;
    }
    return -1;
}

/* ---- the loader's block ---------------------------------------------------------------------- */

static int refuse(char *why, size_t cap, const char *msg, uint32_t at)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (; *msg && o + 1 < cap; msg++)
        why[o++] = *msg;
    if (at != DOSFS_NONE && o + 12 < cap) {
        const char *pre = " (entry ";
        while (*pre)
            why[o++] = *pre++;
        for (int s = 28; s >= 0; s -= 4)
            if ((at >> s) || !s)
                why[o++] = hex[(at >> s) & 15];
        why[o++] = ')';
    }
    if (cap)
        why[o < cap ? o : cap - 1] = 0;
    return -1;
}

int dosfs_init_empty(struct dosfs *fs, uint64_t limit, const struct dosfs_mem *mem)
{
    mset(fs, 0, sizeof *fs);
    fs->mem = *mem;
    fs->limit = limit;
    static const char root[11] = "\\          ";
    return new_node(fs, DOSFS_NONE, root, DOSFS_ATTR_DIR, 0, 0) == DOSFS_ROOT ? 0 : -1;
}

int dosfs_init(struct dosfs *fs, const void *block, uint32_t size, uint64_t limit,
               const struct dosfs_mem *mem, char *why, size_t why_cap)
{
    const uint8_t *b = block;
    const struct drivec_header *h = block;
    if (size < sizeof *h || h->magic != DRIVEC_MAGIC || h->version != DRIVEC_VERSION ||
        h->size != size)
        return refuse(why, why_cap, "not a drive C: block of this version and size", DOSFS_NONE);
    if (h->count > DRIVEC_MAX_ENTRIES ||
        h->count * (uint64_t)sizeof(struct drivec_entry) > size - sizeof *h)
        return refuse(why, why_cap, "more entries than the block holds", DOSFS_NONE);
    const struct drivec_entry *e = (const struct drivec_entry *)(h + 1);
    for (uint32_t i = 0; i < h->count; i++) {           /* all checked before any is used */
        if (e[i].parent != DRIVEC_ROOT &&
            (e[i].parent >= i || !(e[e[i].parent].attr & DRIVEC_ATTR_DIR)))
            return refuse(why, why_cap, "a parent that is not an earlier directory", i);
        if (e[i].name_off >= size || !e[i].name_off)
            return refuse(why, why_cap, "a name outside the block", i);
        uint32_t n = 0;
        while (e[i].name_off + n < size && b[e[i].name_off + n] && n < 256)
            n++;
        if (e[i].name_off + n >= size || b[e[i].name_off + n] || !n)
            return refuse(why, why_cap, "a name that is empty, too long or not terminated", i);
        if ((e[i].attr & DRIVEC_ATTR_DIR) ? e[i].size != 0
                                          : e[i].size && (e[i].data_off > size ||
                                                          e[i].size > size - e[i].data_off ||
                                                          e[i].data_off < sizeof *h))
            return refuse(why, why_cap, "file data outside the block", i);
    }
    if (dosfs_init_empty(fs, limit, mem))
        return refuse(why, why_cap, "no memory for the root directory", DOSFS_NONE);
    /* node of entry i: slot i + 1 (the root is slot 0) -- unless a name was left out */
    uint32_t *map = mem->alloc((h->count + 1) * sizeof *map);
    if (!map && h->count) {
        dosfs_destroy(fs);
        return refuse(why, why_cap, "no memory for the directory tree", DOSFS_NONE);
    }
    for (uint32_t i = 0; i < h->count; i++) {
        uint32_t dir = e[i].parent == DRIVEC_ROOT ? DOSFS_ROOT : map[e[i].parent];
        map[i] = DOSFS_NONE;
        char name[11];
        if (dir == DOSFS_NONE || short_name(fs, dir, (const char *)b + e[i].name_off, name))
            continue;                                   /* under a directory left out */
        uint32_t n = new_node(fs, dir, name, (uint8_t)(e[i].attr & 0x37), e[i].date, e[i].time);
        if (n == DOSFS_NONE) {
            mem->free(map);
            dosfs_destroy(fs);
            return refuse(why, why_cap, "no memory for the directory tree", DOSFS_NONE);
        }
        fs->nodes[n].size = e[i].size;
        fs->nodes[n].data = e[i].size ? (uint8_t *)b + e[i].data_off : 0;
        map[i] = n;
    }
    mem->free(map);
    return 0;
}

void dosfs_destroy(struct dosfs *fs)
{
    for (uint32_t i = 0; i < fs->count; i++)
        if (fs->nodes[i].name[0] && fs->nodes[i].cap)
            fs->mem.free(fs->nodes[i].data);
    fs->mem.free(fs->nodes);
    fs->nodes = 0;
    fs->count = fs->cap = 0;
}

/* ---- paths ----------------------------------------------------------------------------------- */

int dosfs_resolve(struct dosfs *fs, uint32_t cwd, const char *path, int wild, uint32_t *dir,
                  char name[11], uint32_t *node)
{
    if (!dir_node(fs, cwd))
        cwd = DOSFS_ROOT;
    if (path[0] && path[1] == ':') {
        if (upper(path[0]) != 'C')
            return DOSERR_INVALID_DRIVE;
        path += 2;
    }
    uint32_t d = cwd;
    if (*path == '\\' || *path == '/') {
        d = DOSFS_ROOT;
        while (*path == '\\' || *path == '/')
            path++;
    }
    mset(name, ' ', 11);
    *dir = d;
    *node = d;
    size_t total = 0;
    while (*path) {
        const char *c = path;
        while (*c && *c != '\\' && *c != '/')
            c++;
        size_t len = (size_t)(c - path);
        int last = !*c || !c[1];
        total += len + 1;
        if (total > 128)
            return DOSERR_PATH_NOT_FOUND;
        char part[11];
        if (dosfs_fcb_name(path, len, wild && last, part))
            return last ? DOSERR_FILE_NOT_FOUND : DOSERR_PATH_NOT_FOUND;
        path = *c ? c + 1 : c;
        while (*path == '\\' || *path == '/')
            path++;
        if (part[0] == '.') {                           /* "." or ".." */
            if (part[1] == '.' && d != DOSFS_ROOT)
                d = fs->nodes[d].parent;
            *dir = d;
            *node = d;
            mset(name, ' ', 11);
            continue;
        }
        uint32_t n = lookup(fs, d, part);
        if (last && !*path) {
            *dir = d;
            mcpy(name, part, 11);
            *node = n;
            return 0;
        }
        if (n == DOSFS_NONE || !(fs->nodes[n].attr & DOSFS_ATTR_DIR))
            return DOSERR_PATH_NOT_FOUND;
        d = n;
        *dir = d;
        *node = d;
    }
    return 0;
}

int dosfs_dir_path(struct dosfs *fs, uint32_t d, char *out, size_t cap)
{
    uint32_t chain[DOSFS_PATH_MAX], depth = 0;
    if (!dir_node(fs, d))
        return DOSERR_PATH_NOT_FOUND;
    for (; d != DOSFS_ROOT; d = fs->nodes[d].parent) {
        if (depth == DOSFS_PATH_MAX)
            return DOSERR_PATH_NOT_FOUND;
        chain[depth++] = d;
    }
    size_t o = 0;
    while (depth--) {
        char dot[13];
        dosfs_dot_name(fs->nodes[chain[depth]].name, dot);
        for (const char *c = dot; *c; c++) {
            if (o + 2 >= cap)
                return DOSERR_PATH_NOT_FOUND;
            out[o++] = *c;
        }
        if (depth)
            out[o++] = '\\';
    }
    if (!cap)
        return DOSERR_PATH_NOT_FOUND;
    out[o] = 0;
    return 0;
}

/* ---- search ---------------------------------------------------------------------------------- */

int dosfs_find(struct dosfs *fs, uint32_t dir, const char pattern[11], uint8_t attr,
               uint32_t *pos, uint32_t *found)
{
    if (!dir_node(fs, dir))
        return DOSERR_NO_MORE_FILES;
    if (attr == DOSFS_ATTR_VOLUME)                      /* the volume label alone: none */
        return DOSERR_NO_MORE_FILES;
    uint32_t i = 0;
    for (uint32_t c = fs->nodes[dir].child; c != DOSFS_NONE; c = fs->nodes[c].next, i++) {
        if (i < *pos)
            continue;
        const struct dosfs_node *n = &fs->nodes[c];
        uint8_t hidden = n->attr & (DOSFS_ATTR_HIDDEN | DOSFS_ATTR_SYSTEM | DOSFS_ATTR_DIR);
        if ((hidden & ~attr) || !dosfs_match(n->name, pattern))
            continue;
        *pos = i + 1;
        *found = c;
        return 0;
    }
    *pos = i;
    return DOSERR_NO_MORE_FILES;
}

/* ---- changes --------------------------------------------------------------------------------- */

/* A name for something new: an 8.3 name in the FCB form dosfs_fcb_name makes of it (upper case,
 * no wildcard, no character DOS refuses -- an FCB's 11 bytes come straight from a program). */
static int check_new(struct dosfs *fs, uint32_t dir, const char name[11])
{
    char dot[13], back[11];
    size_t len = 0;
    if (!dir_node(fs, dir) || name[0] == ' ' || name[0] == '.')
        return DOSERR_PATH_NOT_FOUND;
    dosfs_dot_name(name, dot);
    while (dot[len])
        len++;
    if (dosfs_fcb_name(dot, len, 0, back))
        return DOSERR_PATH_NOT_FOUND;
    for (int i = 0; i < 11; i++)
        if (back[i] != name[i])
            return DOSERR_PATH_NOT_FOUND;
    return 0;
}

int dosfs_create(struct dosfs *fs, uint32_t dir, const char name[11], uint8_t attr,
                 uint16_t date, uint16_t time, uint32_t *node)
{
    int err = check_new(fs, dir, name);
    if (err)
        return err;
    uint32_t n = lookup(fs, dir, name);
    if (n != DOSFS_NONE) {                              /* DOS: an existing file is emptied */
        struct dosfs_node *p = &fs->nodes[n];
        if (p->attr & (DOSFS_ATTR_DIR | DOSFS_ATTR_RDONLY))
            return DOSERR_ACCESS_DENIED;
        dosfs_truncate(fs, n, 0);
        p->attr = (uint8_t)((attr & 0x27) | DOSFS_ATTR_ARCHIVE);
        p->date = date;
        p->time = time;
        *node = n;
        return 0;
    }
    n = new_node(fs, dir, name, (uint8_t)((attr & 0x27) | DOSFS_ATTR_ARCHIVE), date, time);
    if (n == DOSFS_NONE)
        return DOSERR_CANNOT_MAKE;
    *node = n;
    return 0;
}

int dosfs_mkdir(struct dosfs *fs, uint32_t dir, const char name[11], uint16_t date, uint16_t time)
{
    int err = check_new(fs, dir, name);
    if (err)
        return err;
    if (lookup(fs, dir, name) != DOSFS_NONE)
        return DOSERR_ACCESS_DENIED;                    /* DOS 5 says so for an existing name */
    return new_node(fs, dir, name, DOSFS_ATTR_DIR, date, time) == DOSFS_NONE ? DOSERR_CANNOT_MAKE
                                                                             : 0;
}

int dosfs_remove(struct dosfs *fs, uint32_t node)
{
    struct dosfs_node *p = dosfs_node(fs, node);
    if (!p || node == DOSFS_ROOT)
        return DOSERR_FILE_NOT_FOUND;
    if (p->attr & (DOSFS_ATTR_DIR | DOSFS_ATTR_RDONLY) || p->opens)
        return DOSERR_ACCESS_DENIED;
    unlink_node(fs, node);
    free_node(fs, node);
    return 0;
}

int dosfs_rmdir(struct dosfs *fs, uint32_t node)
{
    struct dosfs_node *p = dir_node(fs, node);
    if (!p || node == DOSFS_ROOT)
        return DOSERR_PATH_NOT_FOUND;
    if (p->child != DOSFS_NONE)
        return DOSERR_ACCESS_DENIED;
    unlink_node(fs, node);
    free_node(fs, node);
    return 0;
}

int dosfs_rename(struct dosfs *fs, uint32_t node, uint32_t to_dir, const char to[11])
{
    struct dosfs_node *p = dosfs_node(fs, node);
    int err = check_new(fs, to_dir, to);
    if (!p || node == DOSFS_ROOT)
        return DOSERR_FILE_NOT_FOUND;
    if (err)
        return err;
    if (lookup(fs, to_dir, to) != DOSFS_NONE)
        return DOSERR_ACCESS_DENIED;
    for (uint32_t d = to_dir; d != DOSFS_ROOT; d = fs->nodes[d].parent)
        if (d == node)
            return DOSERR_ACCESS_DENIED;                /* a directory into itself */
    unlink_node(fs, node);
    p = &fs->nodes[node];
    mcpy(p->name, to, 11);
    p->parent = to_dir;
    p->next = DOSFS_NONE;
    uint32_t *link = &fs->nodes[to_dir].child;
    while (*link != DOSFS_NONE)
        link = &fs->nodes[*link].next;
    *link = node;
    return 0;
}

int dosfs_read(struct dosfs *fs, uint32_t node, uint32_t off, void *buf, uint32_t n,
               uint32_t *done)
{
    struct dosfs_node *p = dosfs_node(fs, node);
    *done = 0;
    if (!p || (p->attr & DOSFS_ATTR_DIR))
        return DOSERR_ACCESS_DENIED;
    if (off >= p->size)
        return 0;
    if (n > p->size - off)
        n = p->size - off;
    mcpy(buf, p->data + off, n);
    *done = n;
    return 0;
}

/* Own at least need bytes of data (moving it out of the loader's block, or growing). */
static int reserve(struct dosfs *fs, struct dosfs_node *p, uint32_t need)
{
    if (need <= p->cap)
        return 0;
    uint64_t cap = p->cap ? p->cap : 512;
    while (cap < need)
        cap *= 2;
    if (cap > 0xFFFFFFFFu)
        cap = need;
    if (fs->used - p->cap + cap > fs->limit) {
        cap = need;                                     /* exactly, then: it may still fit */
        if (fs->used - p->cap + cap > fs->limit)
            return DOSERR_DISK_FULL;
    }
    uint8_t *d = fs->mem.alloc((size_t)cap);
    if (!d)
        return DOSERR_DISK_FULL;
    if (p->size)
        mcpy(d, p->data, p->size);
    if (p->cap)
        fs->mem.free(p->data);
    fs->used = fs->used - p->cap + cap;
    p->data = d;
    p->cap = (uint32_t)cap;
    return 0;
}

int dosfs_write(struct dosfs *fs, uint32_t node, uint32_t off, const void *buf, uint32_t n,
                uint16_t date, uint16_t time, uint32_t *done)
{
    struct dosfs_node *p = dosfs_node(fs, node);
    *done = 0;
    if (!p || (p->attr & (DOSFS_ATTR_DIR | DOSFS_ATTR_RDONLY)))
        return DOSERR_ACCESS_DENIED;
    if (n > 0xFFFFFFFFu - off)
        n = 0xFFFFFFFFu - off;
    if (!n)                                             /* DOS truncates: dosfs_truncate */
        return 0;
    uint32_t end = off + n;
    int err = 0;
    if (end > p->size || !p->cap) {
        uint32_t need = end > p->size ? end : p->size;
        err = reserve(fs, p, need);
        if (err) {                                      /* as much as fits */
            uint64_t room = fs->limit - (fs->used - p->cap);
            if (room <= off || room < p->size || reserve(fs, p, (uint32_t)room))
                return DOSERR_DISK_FULL;
            end = (uint32_t)room;
            n = end - off;
        }
    }
    if (off > p->size)
        mset(p->data + p->size, 0, off - p->size);
    mcpy(p->data + off, buf, n);
    if (end > p->size)
        p->size = end;
    p->attr |= DOSFS_ATTR_ARCHIVE;
    p->date = date;
    p->time = time;
    *done = n;
    return err ? DOSERR_DISK_FULL : 0;
}

int dosfs_truncate(struct dosfs *fs, uint32_t node, uint32_t size)
{
    struct dosfs_node *p = dosfs_node(fs, node);
    if (!p || (p->attr & DOSFS_ATTR_DIR))
        return DOSERR_ACCESS_DENIED;
    if (size > p->size) {
        int err = reserve(fs, p, size);
        if (err)
            return err;
        mset(p->data + p->size, 0, size - p->size);
    } else if (!size && p->cap) {
        fs->mem.free(p->data);
        fs->used -= p->cap;
        p->data = 0;
        p->cap = 0;
    } else if (!size) {
        p->data = 0;
    }
    p->size = size;
    return 0;
}

uint64_t dosfs_free(const struct dosfs *fs) { return fs->used < fs->limit ? fs->limit - fs->used : 0; }
