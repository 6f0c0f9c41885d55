/*
 * The display's drawing cores (vdraw.h): the focus VM's screen on the framebuffer and on a
 * terminal, each brought from what it showed to what the screen holds, drawing only changes.
 */
#include "vdraw.h"
#include "vmm/cp437.h"

/* The 16 colours of the CGA palette (the text attributes' and mode 13h's first 16), 0xRRGGBB. */
static const uint32_t cga[16] = {
    0x000000, 0x0000AA, 0x00AA00, 0x00AAAA, 0xAA0000, 0xAA00AA, 0xAA5500, 0xAAAAAA,
    0x555555, 0x5555FF, 0x55FF55, 0x55FFFF, 0xFF5555, 0xFF55FF, 0xFFFF55, 0xFFFFFF,
};

static int mask_shift(uint32_t mask, uint32_t *shift)
{
    uint32_t s = 0;
    if (!mask)
        return 0;
    while (!(mask & 1)) {
        mask >>= 1;
        s++;
    }
    *shift = s;
    return mask == 0xFF;
}

static uint32_t pixel(const struct vdraw *d, uint32_t rgb)
{
    return ((rgb >> 16) & 0xFF) << d->red_shift | ((rgb >> 8) & 0xFF) << d->green_shift |
           (rgb & 0xFF) << d->blue_shift;
}

/* The VGA's default 256 colours for mode 13h: the CGA's 16, 16 greys, then 9 ramps of 24 hues
 * (3 intensities x 3 saturations), then black. */
static uint32_t vga256(unsigned i)
{
    static const uint8_t grey[16] = { 0, 5, 8, 11, 14, 17, 20, 24, 28, 32, 36, 40, 45, 50, 56, 63 };
    static const uint8_t ramp[9][2] = { { 63, 0 }, { 63, 31 }, { 63, 45 }, { 28, 0 }, { 28, 14 },
                                        { 28, 20 }, { 16, 0 }, { 16, 8 }, { 16, 11 } };
    uint32_t r, g, b;
    if (i < 16)
        return cga[i];
    if (i < 32) {
        r = g = b = grey[i - 16];
    } else if (i < 248) {
        unsigned k = i - 32, hi = ramp[k / 24][0], lo = ramp[k / 24][1], h = k % 24;
        unsigned step = h % 4, up = lo + (hi - lo) * step / 4, down = hi - (hi - lo) * step / 4;
        switch (h / 4) {                /* blue, to magenta, red, yellow, green, cyan, back */
        case 0: r = up; g = lo; b = hi; break;
        case 1: r = hi; g = lo; b = down; break;
        case 2: r = hi; g = up; b = lo; break;
        case 3: r = down; g = hi; b = lo; break;
        case 4: r = lo; g = hi; b = up; break;
        default: r = lo; g = down; b = hi; break;
        }
    } else {
        return 0;
    }
    return (r * 255 / 63) << 16 | (g * 255 / 63) << 8 | (b * 255 / 63);
}

int vdraw_init(struct vdraw *d, volatile uint32_t *fb, uint32_t width, uint32_t height,
               uint32_t pitch, uint32_t red_mask, uint32_t green_mask, uint32_t blue_mask,
               const uint8_t (*font)[32], uint32_t font_height)
{
    if (!fb || !font || font_height == 0 || font_height > 32 || pitch < width * 4 || pitch & 3 ||
        width < 320 || height < 200 || !mask_shift(red_mask, &d->red_shift) ||
        !mask_shift(green_mask, &d->green_shift) || !mask_shift(blue_mask, &d->blue_shift))
        return 0;
    d->fb = fb;
    d->width = width;
    d->height = height;
    d->pitch = pitch;
    d->font = font;
    d->font_height = font_height;
    for (unsigned i = 0; i < 16; i++)
        d->pal[i] = pixel(d, cga[i]);
    for (unsigned i = 0; i < 256; i++)
        d->pal256[i] = pixel(d, vga256(i));
    d->valid = 0;
    d->nib_attr = 0xFFFF;
    for (unsigned b = 0; b < 256; b++) {
        d->rowpx[b][0] = d->nib[b >> 4];
        d->rowpx[b][1] = d->nib[b & 15];
    }
    return 1;
}

void vdraw_invalidate(struct vdraw *d) { d->valid = 0; }
void vdraw_redraw(struct vdraw *d) { d->force = 1; }

static volatile uint32_t *line(const struct vdraw *d, uint32_t y)
{
    return (volatile uint32_t *)((volatile uint8_t *)d->fb + y * d->pitch);
}

/* n pixels from src to the framebuffer at dst, one string move (the framebuffer is plain
 * memory, written only, never read back): where the next pixel goes. */
static inline volatile uint32_t *copy_px(volatile uint32_t *dst, const uint32_t *src, uint32_t n)
{
    __asm__ volatile("rep movsl" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
    return dst;
}
static inline void fill_px(volatile uint32_t *dst, uint32_t px, uint32_t n)
{
    __asm__ volatile("rep stosl" : "+D"(dst), "+c"(n) : "a"(px) : "memory");
}

/* Of n 32-bit words at a and b, the index of the first that differs; n if none (one string
 * compare: a screen mostly as it was costs one step for every two cells). */
static inline unsigned first_diff(const uint32_t *a, const uint32_t *b, unsigned n)
{
    unsigned left = n;
    int ne;
    if (!n)
        return 0;
    __asm__ volatile("repe cmpsl" : "+S"(a), "+D"(b), "+c"(left), "=@ccne"(ne) : : "memory");
    return ne ? n - left - 1 : n;
}

static void clear(struct vdraw *d)
{
    for (uint32_t y = 0; y < d->height; y++)
        fill_px(line(d, y), d->pal[0], d->width);
}

/* The nibble table for attribute a's colours at width sx: the 4 x sx pixels of each 4-bit
 * piece of a glyph row.  Built once per change of colours: most screens hold few. */
static void nibbles(struct vdraw *d, uint8_t a, uint32_t sx)
{
    uint16_t key = (uint16_t)((a & 0x7F) | sx << 8);
    if (d->nib_attr == key)
        return;
    uint32_t fg = d->pal[a & 0x0F], bg = d->pal[(a >> 4) & 0x07];
    for (unsigned n = 0; n < 16; n++) {
        uint32_t *p = d->nib[n];
        for (unsigned i = 0; i < 4; i++) {
            uint32_t c = (n << i) & 8 ? fg : bg;
            for (uint32_t j = 0; j < sx; j++)
                *p++ = c;
        }
    }
    d->nib_attr = key;
}

/* The bits of the cursor's lines: every pixel lit. */
static const uint8_t solid[32] = { [0 ... 31] = 0xFF };

/* n glyph rows from the bits at g (one byte a row) at p, each scan line two nibbles' pixels from
 * the table, sy times over for the vertical scale: where the next row goes.  The VMM's one
 * drawing loop that runs for every pixel of a cell: on i386 written out (the compiler's loop
 * kept its pointers on the stack: 85 instructions a row of 32 pixels at scale 2, 48 here, scale
 * 2's two scan lines unrolled); the C loop is the same and is what the host's tests run. */
static volatile uint32_t *glyph_rows(const struct vdraw *d, volatile uint32_t *p,
                                     const uint8_t *g, uint32_t n, uint32_t half, uint32_t sy,
                                     uint32_t step)
{
#if defined(__i386__)
    uint32_t k;
    _Static_assert(sizeof d->rowpx[0] == 8, "two 32-bit pointers a byte (the scale below)");
    if (!n)
        return p;
    __asm__ volatile("    cmpl $2, %[sy]\n\t"
                     "    je 3f\n\t"
                     "1:  movzbl (%[g]), %%eax\n\t"
                     "    incl %[g]\n\t"
                     "    movl %[sy], %%ecx\n\t"
                     "    movl %%ecx, %[k]\n\t"
                     "2:  movl (%[px],%%eax,8), %%esi\n\t"
                     "    movl %[half], %%ecx\n\t"
                     "    rep movsl\n\t"
                     "    movl 4(%[px],%%eax,8), %%esi\n\t"
                     "    movl %[half], %%ecx\n\t"
                     "    rep movsl\n\t"
                     "    addl %[step], %%edi\n\t"
                     "    decl %[k]\n\t"
                     "    jnz 2b\n\t"
                     "    decl %[n]\n\t"
                     "    jnz 1b\n\t"
                     "    jmp 4f\n\t"
                     /* scale 2, the usual one: each row's two scan lines written out */
                     "3:  movzbl (%[g]), %%eax\n\t"
                     "    incl %[g]\n\t"
                     "    movl (%[px],%%eax,8), %%esi\n\t"
                     "    movl %[half], %%ecx\n\t"
                     "    rep movsl\n\t"
                     "    movl 4(%[px],%%eax,8), %%esi\n\t"
                     "    movl %[half], %%ecx\n\t"
                     "    rep movsl\n\t"
                     "    addl %[step], %%edi\n\t"
                     "    movl (%[px],%%eax,8), %%esi\n\t"
                     "    movl %[half], %%ecx\n\t"
                     "    rep movsl\n\t"
                     "    movl 4(%[px],%%eax,8), %%esi\n\t"
                     "    movl %[half], %%ecx\n\t"
                     "    rep movsl\n\t"
                     "    addl %[step], %%edi\n\t"
                     "    decl %[n]\n\t"
                     "    jnz 3b\n\t"
                     "4:"
                     : "+D"(p), [g] "+b"(g), [n] "+m"(n), [k] "=m"(k)
                     : [px] "d"(d->rowpx), [sy] "m"(sy), [half] "m"(half), [step] "m"(step)
                     : "eax", "ecx", "esi", "memory", "cc");
#else
    for (; n; n--) {
        uint8_t bits = *g++;
        const uint32_t *hi = d->rowpx[bits][0], *lo = d->rowpx[bits][1];
        for (uint32_t k = sy; k; k--)
            p = (volatile uint32_t *)((volatile uint8_t *)copy_px(copy_px(p, hi, half), lo, half) +
                                      step);
    }
#endif
    return p;
}

/* Glyph rows r0..r1 of a text cell, every pixel, its background included, with the cursor's
 * lines if it is here. */
static void cell(struct vdraw *d, unsigned i, uint16_t c, int cursor, const struct vtext_view *v,
                 uint32_t r0, uint32_t r1)
{
    const uint8_t *g = d->font[c & 0xFF];
    unsigned row = i / v->cols, col = i % v->cols;
    uint32_t sx = d->scale * (v->cols <= 40 ? 2u : 1u), sy = d->scale, half = 4 * sx;
    uint32_t step = d->pitch - 8 * sx * 4;  /* from a cell's scan line's end to the next's start */
    volatile uint32_t *p =
        line(d, d->y0 + (row * d->font_height + r0) * sy) + d->x0 + col * 8 * sx;
    uint32_t cs = r1 + 1, ce = r1;          /* the cursor's rows within r0..r1: cs..ce */
    nibbles(d, (uint8_t)(c >> 8), sx);
    if (cursor && v->cursor_start <= v->cursor_end && v->cursor_start <= r1 &&
        v->cursor_end >= r0) {
        cs = v->cursor_start > r0 ? v->cursor_start : r0;
        ce = v->cursor_end < r1 ? v->cursor_end : r1;
    }
    p = glyph_rows(d, p, g + r0, cs - r0, half, sy, step);
    if (cs <= r1) {
        p = glyph_rows(d, p, solid, ce + 1 - cs, half, sy, step);
        glyph_rows(d, p, g + ce + 1, r1 - ce, half, sy, step);
    }
}

/* The glyph rows the cursor covers in a cell (CRTC shape start..end, in the font's rows); 0 if
 * none (a start past the end hides it). */
static int cursor_rows(const struct vdraw *d, uint32_t start, uint32_t end, uint32_t *r0,
                       uint32_t *r1)
{
    if (end >= d->font_height)
        end = d->font_height - 1;
    if (start > end)
        return 0;
    *r0 = start;
    *r1 = end;
    return 1;
}

static unsigned gfx13(struct vdraw *d, const uint8_t *gfx)
{
    unsigned n = 0;
    uint32_t s = d->scale;
    for (uint32_t y = 0; y < 200; y++) {
        const uint8_t *src = gfx + y * 320;
        for (uint32_t k = 0; k < s; k++) {
            volatile uint32_t *p = line(d, d->y0 + y * s + k) + d->x0;
            for (uint32_t x = 0; x < 320; x++) {
                uint32_t px = d->pal256[src[x]];
                for (uint32_t j = 0; j < s; j++)
                    *p++ = px;
            }
        }
        n++;
    }
    return n;
}

unsigned vdraw_update(struct vdraw *d, const struct vtext_view *v, const uint8_t *gfx)
{
    return vdraw_update_cells(d, v, gfx, 0, VDRAW_MAX_CELLS);
}

unsigned vdraw_update_cells(struct vdraw *d, const struct vtext_view *v, const uint8_t *gfx,
                            unsigned from, unsigned to)
{
    int text = v->mode <= 3, reset = 0;
    unsigned cols = v->cols, rows = v->rows, n = 0;
    if (text && (!cols || !rows || cols * rows > VDRAW_MAX_CELLS))
        return 0;
    if (!d->valid || d->mode != v->mode || d->cols != cols || d->rows != rows) {
        uint32_t w = text ? (cols <= 40 ? 640u : cols * 8u) : 320u;
        uint32_t h = text ? rows * d->font_height : 200u;
        d->scale = d->width / w < d->height / h ? d->width / w : d->height / h;
        if (d->scale > VDRAW_MAX_SX / 2)
            d->scale = VDRAW_MAX_SX / 2;
        if (!d->scale)
            return 0;                   /* smaller than the screen: nothing sensible to draw */
        d->x0 = (d->width - w * d->scale) / 2;
        d->y0 = (d->height - h * d->scale) / 2;
        clear(d);
        d->mode = v->mode;
        d->cols = (uint8_t)cols;
        d->rows = (uint8_t)rows;
        d->cursor_row = d->cursor_col = -1;
        for (unsigned i = 0; i < VDRAW_MAX_CELLS; i++)
            d->cells[i] = 0x0000;       /* black on black: any cell the screen holds differs */
        d->valid = 1;
        reset = 1;
    }
    if (!text)
        return gfx && v->mode == 0x13 && (reset || from < to) ? gfx13(d, gfx) : 0;
    unsigned total = cols * rows, last = d->font_height - 1;
    int cur = v->cursor_row >= 0 ? v->cursor_row * (int)cols + v->cursor_col : -1;
    int was = d->cursor_row >= 0 ? d->cursor_row * (int)cols + d->cursor_col : -1;
    int shape = v->cursor_start != d->cursor_start || v->cursor_end != d->cursor_end;
    const uint16_t *src = v->cells;
    uint16_t *mine = d->cells;
    int force = d->force, cur_done = 0, was_done = 0;
    unsigned rest;
    d->force = 0;
    if (reset || force || to > total)
        to = total;
    if (reset || force || from > to)
        from = reset || force ? 0 : to;
    rest = from;
    if (!force && !((uintptr_t)src & 3) && !((uintptr_t)mine & 3)) {
        /* the pairs of cells that changed, found by one string compare each */
        const uint32_t *a = (const uint32_t *)(const void *)src;
        const uint32_t *b = (const uint32_t *)(const void *)mine;
        unsigned end = from >= to ? from / 2 : (to + 1) / 2 < total / 2 ? (to + 1) / 2 : total / 2;
        for (unsigned j = from / 2 + first_diff(a + from / 2, b + from / 2, end - from / 2);
             j < end; j += 1 + first_diff(a + j + 1, b + j + 1, end - j - 1))
            for (unsigned i = 2 * j; i < 2 * j + 2; i++)
                if (src[i] != mine[i]) {
                    mine[i] = src[i];
                    cell(d, i, src[i], (int)i == cur, v, 0, last);
                    cur_done |= (int)i == cur;
                    was_done |= (int)i == was;
                    n++;
                }
        rest = 2 * end > from ? 2 * end : from;     /* an odd last cell is left */
    }
    for (unsigned i = rest; i < to; i++) {
        if (src[i] == mine[i] && !force)
            continue;
        mine[i] = src[i];
        cell(d, i, src[i], (int)i == cur, v, 0, last);
        cur_done |= (int)i == cur;
        was_done |= (int)i == was;
        n++;
    }
    if (cur != was || shape) {
        /* the cursor moved or changed shape: where it was, its lines given back to the glyph;
         * where it is, its lines drawn -- only those lines when the shape is the same */
        uint32_t r0 = 0, r1 = last;
        if (was >= 0 && was != cur && (unsigned)was < total && !was_done &&
            (shape || cursor_rows(d, d->cursor_start, d->cursor_end, &r0, &r1))) {
            cell(d, (unsigned)was, mine[was], 0, v, r0, r1);
            n++;
        }
        r0 = 0, r1 = last;
        if (cur >= 0 && (unsigned)cur < total && !cur_done &&
            (shape || cursor_rows(d, v->cursor_start, v->cursor_end, &r0, &r1))) {
            cell(d, (unsigned)cur, mine[cur], 1, v, r0, r1);
            n++;
        }
    }
    d->cursor_row = v->cursor_row;
    d->cursor_col = v->cursor_col;
    d->cursor_start = v->cursor_start;
    d->cursor_end = v->cursor_end;
    return n;
}

/* ---- the terminal ------------------------------------------------------------------------- */

struct out {
    char *p;
    unsigned n, max;
};

static void put(struct out *o, char c)
{
    if (o->n < o->max)
        o->p[o->n] = c;
    o->n++;
}
static void puts_(struct out *o, const char *s)
{
    while (*s)
        put(o, *s++);
}
static void putnum(struct out *o, unsigned v)
{
    char b[10];
    unsigned n = 0;
    do
        b[n++] = (char)('0' + v % 10);
    while (v /= 10);
    while (n)
        put(o, b[--n]);
}
static void utf8(struct out *o, unsigned cp)
{
    if (cp < 0x80) {
        put(o, (char)cp);
    } else if (cp < 0x800) {
        put(o, (char)(0xC0 | cp >> 6));
        put(o, (char)(0x80 | (cp & 0x3F)));
    } else {
        put(o, (char)(0xE0 | cp >> 12));
        put(o, (char)(0x80 | ((cp >> 6) & 0x3F)));
        put(o, (char)(0x80 | (cp & 0x3F)));
    }
}

/* The CGA's colour order (blue is bit 0) against ANSI's (red is bit 0). */
static const uint8_t ansi[8] = { 0, 4, 2, 6, 1, 5, 3, 7 };

void vterm_invalidate(struct vterm *t) { t->valid = 0; }

unsigned vterm_update(struct vterm *t, const struct vtext_view *v, char *buf, unsigned max)
{
    return vterm_update_cells(t, v, buf, max, 0, VDRAW_MAX_CELLS);
}

unsigned vterm_update_cells(struct vterm *t, const struct vtext_view *v, char *buf, unsigned max,
                            unsigned from, unsigned to)
{
    struct out o = { buf, 0, max };
    if (v->mode > 3) {
        if (t->valid && t->cols == 0)
            return 0;
        puts_(&o, "\033[0m\033[2J\033[H(a graphics mode: shown on the PC's screen only)\r\n");
        t->valid = 1;
        t->cols = t->rows = 0;
        return o.n <= max ? o.n : 0;
    }
    unsigned cols = v->cols, rows = v->rows;
    if (!cols || !rows || cols * rows > VDRAW_MAX_CELLS)
        return 0;
    if (!t->valid || t->cols != cols || t->rows != rows) {
        puts_(&o, "\033[0m\033[2J\033[H");
        for (unsigned i = 0; i < VDRAW_MAX_CELLS; i++)
            t->cells[i] = 0x0720;       /* what a cleared terminal shows */
        t->cols = (uint8_t)cols;
        t->rows = (uint8_t)rows;
        t->row = t->col = 0;
        t->attr = 0x07;
        t->cursor_row = t->cursor_col = -2;
        t->valid = 1;
        from = 0;
        to = VDRAW_MAX_CELLS;
    }
    if (to > cols * rows)
        to = cols * rows;
    for (unsigned i = from; i < to; i++) {
        uint16_t cell = v->cells[i];
        if (cell == t->cells[i])
            continue;
        if ((cell & 0xFF) == 0)
            cell = (uint16_t)((cell & 0xFF00) | ' ');   /* NUL shows as a blank */
        if (cell == t->cells[i])
            continue;
        unsigned r = i / cols, c = i % cols;
        if (t->row != (int)r || t->col != (int)c) {
            put(&o, '\033');
            put(&o, '[');
            putnum(&o, r + 1);
            put(&o, ';');
            putnum(&o, c + 1);
            put(&o, 'H');
        }
        uint8_t a = (uint8_t)(cell >> 8);
        if (a != t->attr) {
            puts_(&o, "\033[0;");
            putnum(&o, (a & 0x08 ? 90u : 30u) + ansi[a & 7]);
            put(&o, ';');
            putnum(&o, 40u + ansi[(a >> 4) & 7]);
            put(&o, 'm');
            t->attr = a;
        }
        utf8(&o, cp437_unicode[cell & 0xFF] < 0x20 ? '?' : cp437_unicode[cell & 0xFF]);
        t->cells[i] = cell;
        t->row = (int)r;
        t->col = (int)c + 1;
        if (t->col == (int)cols)
            t->row = t->col = -1;   /* at the margin terminals differ: position anew */
    }
    if (v->cursor_row != t->cursor_row || v->cursor_col != t->cursor_col ||
        (v->cursor_row >= 0 && (t->row != v->cursor_row || t->col != v->cursor_col))) {
        if (v->cursor_row >= 0) {
            put(&o, '\033');
            put(&o, '[');
            putnum(&o, (unsigned)v->cursor_row + 1);
            put(&o, ';');
            putnum(&o, (unsigned)v->cursor_col + 1);
            put(&o, 'H');
            t->row = v->cursor_row;
            t->col = v->cursor_col;
        }
        t->cursor_row = v->cursor_row;
        t->cursor_col = v->cursor_col;
    }
    if (o.n > max) {                    /* did not fit: draw it all next time */
        t->valid = 0;
        return 0;
    }
    return o.n;
}
