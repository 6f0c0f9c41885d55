/* Text console on a linear 32-bit framebuffer: see fbcon.h.
 *
 * The text lives in cells in memory (text[]); a second array (shown[]) remembers what the
 * framebuffer holds, so drawing is a comparison of the two and only the cells that differ are
 * drawn.  The framebuffer is never read: on a real PC it is uncached or write-combined memory,
 * where a read costs far more than a write.  When the last row is full the text jumps up by half
 * a screen (a jump scroll, as terminals do under a flood of lines): one redraw of what changed
 * serves half a screen of lines, where scrolling line by line would move every pixel each time.
 * Rows the console has not drawn yet hold what the firmware left there until the text reaches
 * them, so attaching costs nothing up front; when the loader says the screen is black
 * (BI_FLAG_FB_BLACK), its blank cells are known right and only text is ever drawn. */
#include "fbcon.h"
#include <stdbool.h>

/* Provided by the kernel's string library with the standard prototypes; declared here rather
 * than through its header so that this file does not depend on that header's name. */
void *memmove(void *dst, const void *src, size_t n);

/* The font generated at build time by tools/psf2c. */
extern const unsigned font_width, font_height;
extern const uint8_t font_glyphs[256][32];

#define DEFAULT_FG 0xAAAAAAu    /* light grey, as the VGA text-mode default */
#define DEFAULT_BG 0x000000u
#define UNKNOWN    0xFFFFu      /* shown[]: the console does not know what these pixels are */

/* A cell: the Latin-1 character in the low byte, its colour pair above it. */
static uint16_t text[FBCON_MAX_CELLS];  /* what the screen should show, row after row */
static uint16_t shown[FBCON_MAX_CELLS]; /* what the framebuffer shows (UNKNOWN: not drawn yet) */

/* Colour pairs in use. */
struct pair {
    uint32_t fg_rgb, bg_rgb;
    uint32_t fg_px, bg_px;
};
static struct pair pairs[FBCON_MAX_PAIRS];
static unsigned npairs, cur;    /* pairs in use; the pair new text is written in */

/* The 8 pixels of every glyph row value, for the two pairs drawn last (a log uses two: normal
 * and alert), so that a row of a cell is one 8-dword copy. */
static uint32_t row_px[2][256][8];
static int row_px_pair[2] = { -1, -1 };
static unsigned row_px_last;    /* the slot used last: the other one is replaced */

static struct fbcon_mode fb;
static unsigned cols, rows;     /* 0 until fbcon_init succeeds: that is what makes calls no-ops */
static unsigned cx, cy;         /* cursor cell; cx == cols means "wrap before the next glyph" */
static unsigned red_shift, green_shift, blue_shift;
static bool hidden;             /* someone else draws on the framebuffer: cells only */

/* Bit position of a channel mask, or -1 unless it is one contiguous run of exactly 8 bits: the
 * colour conversion below places whole bytes and would smear anything else. */
static int mask_shift(uint32_t mask)
{
    int shift = 0;

    if (!mask)
        return -1;
    while (!(mask & 1)) {
        mask >>= 1;
        shift++;
    }
    return mask == 0xFF ? shift : -1;
}

static uint32_t to_pixel(uint32_t rgb)
{
    return ((rgb >> 16) & 0xFF) << red_shift | ((rgb >> 8) & 0xFF) << green_shift |
           (rgb & 0xFF) << blue_shift;
}

/* Scan lines are pitch bytes apart, which may be more than width * 4. */
static volatile uint32_t *scan_line(uint32_t y)
{
    return (volatile uint32_t *)((volatile uint8_t *)fb.base + (size_t)y * fb.pitch);
}

static uint16_t blank(unsigned pair)
{
    return (uint16_t)(pair << 8 | ' ');
}

/* Cells x0..x1-1 of row y in one colour: one string store per scan line. */
static void fill_cells(unsigned y, unsigned x0, unsigned x1, uint32_t px)
{
    for (unsigned r = 0; r < font_height; r++) {
        void *p = (void *)(uintptr_t)(scan_line(y * font_height + r) + x0 * font_width);
        size_t n = (size_t)(x1 - x0) * font_width;
        __asm__ volatile("rep stosl" : "+D"(p), "+c"(n) : "a"(px) : "memory");
    }
}

static const uint32_t (*row_pixels(unsigned pair))[8]
{
    unsigned slot = row_px_pair[0] == (int)pair ? 0 : row_px_pair[1] == (int)pair ? 1 : 2;
    if (slot == 2) {
        slot = !row_px_last;
        uint32_t fg = pairs[pair].fg_px, bg = pairs[pair].bg_px;
        for (unsigned v = 0; v < 256; v++)
            for (unsigned b = 0; b < 8; b++)
                row_px[slot][v][b] = v & (0x80 >> b) ? fg : bg;
        row_px_pair[slot] = (int)pair;
    }
    row_px_last = slot;
    return row_px[slot];
}

/* Every pixel of the cell is written, background included, so a cell needs no erase first. */
static void draw_cell(unsigned x, unsigned y, uint16_t v)
{
    const uint8_t *glyph = font_glyphs[v & 0xFF];
    const uint32_t (*px)[8] = row_pixels(v >> 8);
    uintptr_t p = (uintptr_t)(scan_line(y * font_height) + x * font_width);

    for (unsigned r = 0; r < font_height; r++, p += fb.pitch) {
        void *dst = (void *)p;
        const void *src = px[glyph[r]];
        size_t n = 8;
        __asm__ volatile("rep movsl" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
    }
}

/* Brings row y of the framebuffer to what text[] says: runs of blank cells become one fill,
 * other cells are drawn one by one, cells already right are left alone. */
static void sync_row(unsigned y)
{
    const uint16_t *t = &text[y * cols];
    uint16_t *s = &shown[y * cols];

    for (unsigned x = 0; x < cols;) {
        if (t[x] == s[x]) {
            x++;
            continue;
        }
        if ((t[x] & 0xFF) != ' ') {
            draw_cell(x, y, t[x]);
            s[x] = t[x];
            x++;
            continue;
        }
        unsigned end = x + 1;           /* the run of differing blanks of the same pair */
        while (end < cols && t[end] == t[x] && s[end] != t[x])
            end++;
        fill_cells(y, x, end, pairs[t[x] >> 8].bg_px);
        for (; x < end; x++)
            s[x] = t[x];
    }
}

static void sync_all(void)
{
    for (unsigned y = 0; y < rows; y++)
        sync_row(y);
}

static void blank_rows(unsigned y0, unsigned y1, unsigned pair)
{
    for (unsigned i = y0 * cols; i < y1 * cols; i++)
        text[i] = blank(pair);
}

static void newline(void)
{
    cx = 0;
    if (++cy < rows)
        return;
    unsigned jump = rows > 1 ? rows / 2 : 1;
    memmove(text, text + jump * cols, (size_t)(rows - jump) * cols * sizeof text[0]);
    blank_rows(rows - jump, rows, cur);
    cy = rows - jump;
    if (!hidden)
        sync_all();
}

int fbcon_init(const struct fbcon_mode *mode)
{
    int rs, gs, bs;

    cols = rows = 0;
    if (!mode || !mode->base || font_width != 8 || font_height == 0 || font_height > 32)
        return -1;
    rs = mask_shift(mode->red_mask);
    gs = mask_shift(mode->green_mask);
    bs = mask_shift(mode->blue_mask);
    if (rs < 0 || gs < 0 || bs < 0 || (mode->red_mask & mode->green_mask) ||
        ((mode->red_mask | mode->green_mask) & mode->blue_mask))
        return -1;
    /* 64-bit products: a bogus mode must not wrap these checks.  pitch must keep every scan line
     * 4-byte aligned, and the whole framebuffer must lie inside the address space. */
    if (mode->width < font_width || mode->height < font_height ||
        mode->pitch < (uint64_t)mode->width * 4 || mode->pitch % 4 ||
        (uint64_t)mode->pitch * mode->height - 1 > UINTPTR_MAX - (uintptr_t)mode->base)
        return -1;

    fb = *mode;
    red_shift = (unsigned)rs;
    green_shift = (unsigned)gs;
    blue_shift = (unsigned)bs;
    /* A screen with more cells than the arrays hold is used from its top left corner. */
    unsigned c = fb.width / font_width, r = fb.height / font_height;
    if (c > FBCON_MAX_COLS)
        c = FBCON_MAX_COLS;
    if (r > FBCON_MAX_CELLS / c)
        r = FBCON_MAX_CELLS / c;
    npairs = 0;
    row_px_pair[0] = row_px_pair[1] = -1;
    hidden = false;
    cols = c;
    rows = r;
    fbcon_set_color(DEFAULT_FG, DEFAULT_BG);
    blank_rows(0, rows, cur);
    if (mode->black)                            /* blank cells are right already */
        __builtin_memcpy(shown, text, (size_t)rows * cols * sizeof shown[0]);
    else
        for (unsigned i = 0; i < rows * cols; i++)
            shown[i] = UNKNOWN;
    cx = cy = 0;
    return 0;
}

void fbcon_putc(char c)
{
    uint8_t ch = (uint8_t)c;

    if (!cols)
        return;
    switch (ch) {
    case '\n':
        newline();
        return;
    case '\r':
        cx = 0;
        return;
    case '\b':
        if (cx)
            cx--;
        return;
    case '\t':
        cx = (cx + 8) & ~7u;
        if (cx > cols)
            cx = cols;
        return;
    }
    /* The wrap is deferred until there is something to put on the next line, so a line of
     * exactly cols characters followed by '\n' does not leave an empty line behind it. */
    if (cx >= cols)
        newline();
    unsigned i = cy * cols + cx;
    text[i] = (uint16_t)(cur << 8 | ch);
    if (!hidden && shown[i] != text[i]) {
        if (shown[i] == UNKNOWN)
            sync_row(cy);               /* first text on this row: the rest of it cleared too */
        else {
            draw_cell(cx, cy, text[i]);
            shown[i] = text[i];
        }
    }
    cx++;
}

void fbcon_write(const char *s, size_t n)
{
    while (n--)
        fbcon_putc(*s++);
}

void fbcon_set_color(uint32_t fg_rgb, uint32_t bg_rgb)
{
    unsigned p;

    if (!cols)
        return;
    for (p = 0; p < npairs; p++)
        if (pairs[p].fg_rgb == fg_rgb && pairs[p].bg_rgb == bg_rgb)
            break;
    if (p == npairs) {
        /* All slots taken: the last one is given the new colours, and the cells that had it
         * are drawn in them the next time they are drawn. */
        if (npairs < FBCON_MAX_PAIRS)
            npairs++;
        p = npairs - 1;
        struct pair *pr = &pairs[p];
        pr->fg_rgb = fg_rgb;
        pr->bg_rgb = bg_rgb;
        pr->fg_px = to_pixel(fg_rgb);
        pr->bg_px = to_pixel(bg_rgb);
        for (unsigned slot = 0; slot < 2; slot++)
            if (row_px_pair[slot] == (int)p)
                row_px_pair[slot] = -1;         /* the slot's pixels are the old colours' */
    }
    cur = p;
}

void fbcon_clear(void)
{
    if (!cols)
        return;
    blank_rows(0, rows, cur);
    cx = cy = 0;
    if (!hidden)
        sync_all();
}

void fbcon_hide(void)
{
    hidden = true;
}

void fbcon_show(void)
{
    if (!cols)
        return;
    hidden = false;
    for (unsigned i = 0; i < rows * cols; i++)
        shown[i] = UNKNOWN;
    sync_all();
}

unsigned fbcon_cols(void)
{
    return cols;
}

unsigned fbcon_rows(void)
{
    return rows;
}
