/* Text console on a linear 32-bit framebuffer: see fbcon.h. */
#include "fbcon.h"
#include <stdbool.h>

/* Provided by the kernel's string library with the standard prototypes; declared here rather
 * than through its header so that this file does not depend on that header's name. */
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);

/* The font generated at build time by tools/psf2c. */
extern const unsigned font_width, font_height;
extern const uint8_t font_glyphs[256][32];

#define DEFAULT_FG 0xAAAAAAu    /* light grey, as the VGA text-mode default */
#define DEFAULT_BG 0x000000u

static struct fbcon_mode fb;
static unsigned cols, rows;     /* 0 until fbcon_init succeeds: that is what makes calls no-ops */
static unsigned cx, cy;         /* cursor cell; cx == cols means "wrap before the next glyph" */
static unsigned red_shift, green_shift, blue_shift;
static uint32_t fg_px, bg_px;   /* colours already in the mode's pixel format */

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

/* One string store per scan line: clearing a 1280x800 screen pixel by pixel costs millions of
 * instructions, which is most of the VMM's boot time. */
static void fill_lines(uint32_t y0, uint32_t y1, uint32_t px)
{
    for (uint32_t y = y0; y < y1; y++) {
        void *p = (void *)(uintptr_t)scan_line(y);
        size_t n = fb.width;
        __asm__ volatile("rep stosl" : "+D"(p), "+c"(n) : "a"(px) : "memory");
    }
}

/* Every pixel of the cell is written, background included, so overwriting a character (after
 * '\r' or '\b') needs no separate erase. */
static void draw_cell(uint8_t ch)
{
    const uint8_t *glyph = font_glyphs[ch];

    for (unsigned r = 0; r < font_height; r++) {
        volatile uint32_t *p = scan_line(cy * font_height + r) + cx * font_width;
        for (unsigned x = 0; x < font_width; x++)
            p[x] = (glyph[r] << x) & 0x80 ? fg_px : bg_px;
    }
}

static void scroll(void)
{
    size_t text_row = (size_t)fb.pitch * font_height;
    /* The framebuffer is plain memory with no side effects, so handing it to memmove without
     * the volatile qualifier is safe; volatile only keeps single stores from being dropped. */
    uint8_t *top = (uint8_t *)(uintptr_t)fb.base;

    memmove(top, top + text_row, text_row * (rows - 1));
    fill_lines((rows - 1) * font_height, rows * font_height, bg_px);
}

static void newline(void)
{
    cx = 0;
    if (++cy == rows) {
        scroll();
        cy = rows - 1;
    }
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
    cols = fb.width / font_width;
    rows = fb.height / font_height;
    fbcon_set_color(DEFAULT_FG, DEFAULT_BG);
    fbcon_clear();
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
    draw_cell(ch);
    cx++;
}

void fbcon_write(const char *s, size_t n)
{
    while (n--)
        fbcon_putc(*s++);
}

void fbcon_set_color(uint32_t fg_rgb, uint32_t bg_rgb)
{
    if (!cols)
        return;
    fg_px = to_pixel(fg_rgb);
    bg_px = to_pixel(bg_rgb);
}

void fbcon_clear(void)
{
    if (!cols)
        return;
    fill_lines(0, fb.height, bg_px);
    cx = cy = 0;
}

unsigned fbcon_cols(void)
{
    return cols;
}

unsigned fbcon_rows(void)
{
    return rows;
}
