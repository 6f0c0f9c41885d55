/*
 * The display's drawing cores (no hardware, no VMM services: unit-tested on the host): what
 * shows the focus VM's screen to the user.
 *
 * vdraw: its text screen (struct vtext_view) on a 32-bit linear framebuffer, in the console's
 * font (code page 437 glyphs, 8 pixels wide) and the 16 CGA colours, scaled by a whole factor
 * and centred, the cursor as the underline the CRTC's shape gives; mode 13h's 320x200 pixels
 * scaled the same way in the VGA's default colours.  Only what changed since the last call is
 * drawn (a copy of the cells drawn is kept), and the framebuffer is never read.
 *
 * vterm: the same screen on a VT100/xterm terminal, as the escape sequences that bring the
 * terminal from what it showed to what the screen holds now (cursor position, colours, the
 * characters as UTF-8).
 */
#ifndef VDD_VDRAW_H
#define VDD_VDRAW_H
#include <stdint.h>
#include "vtext.h"

#define VDRAW_MAX_CELLS (80 * 50)
#define VDRAW_MAX_SX    8               /* pixels a font pixel is wide, at most */

struct vdraw {
    volatile uint32_t *fb;              /* pixel (0,0) */
    uint32_t width, height, pitch;      /* pixels, pixels, bytes per scan line */
    uint32_t pal[16];                   /* the CGA colours in the framebuffer's pixel format */
    uint32_t pal256[256];               /* mode 13h's: the VGA's default colours */
    uint32_t red_shift, green_shift, blue_shift;
    const uint8_t (*font)[32];          /* 256 glyphs, 8 x font_height, MSB leftmost */
    uint32_t font_height;
    /* what is on the framebuffer */
    uint16_t cells[VDRAW_MAX_CELLS];
    uint8_t mode, cols, rows, valid;    /* valid 0: clear, draw everything next time */
    uint8_t force;                      /* draw every cell next time (no clearing) */
    int cursor_row, cursor_col;
    uint8_t cursor_start, cursor_end;   /* the cursor's shape drawn */
    uint32_t scale, x0, y0;             /* the screen's scale and top left on the framebuffer */
    /* the pixels of a glyph row's nibble in the colours and width last used: 16 x 4 x sx */
    uint32_t nib[16][4 * 8];
    uint16_t nib_attr;                  /* its attribute's colours and width; FFFFh none */
    const uint32_t *rowpx[256][2];      /* a glyph row's byte: its two nibbles' pixels in nib
                                         * (pointers into this struct: not to be copied) */
};

/* d for a framebuffer (masks as the GOP gives them: each one contiguous byte); 0 if unusable. */
int vdraw_init(struct vdraw *d, volatile uint32_t *fb, uint32_t width, uint32_t height,
               uint32_t pitch, uint32_t red_mask, uint32_t green_mask, uint32_t blue_mask,
               const uint8_t (*font)[32], uint32_t font_height);

/* Draws what changed since the last call (everything after vdraw_invalidate, or when the mode
 * or size changed: then the whole framebuffer is cleared first); gfx is the VM's A0000h memory
 * for mode 13h (NULL otherwise).  The number of cells (or, in mode 13h, rows of pixels) drawn. */
unsigned vdraw_update(struct vdraw *d, const struct vtext_view *v, const uint8_t *gfx);
/* The same, when only cells [from, to) of v can differ from what was drawn (the cursor aside; in
 * mode 13h, from < to: the pixels may have changed): what is outside is not looked at (but for
 * the other cell of a pair at either end: cells are compared two at a time) -- all of it is,
 * all the same, after vdraw_invalidate or vdraw_redraw, or when the mode or size changed. */
unsigned vdraw_update_cells(struct vdraw *d, const struct vtext_view *v, const uint8_t *gfx,
                            unsigned from, unsigned to);
void vdraw_invalidate(struct vdraw *d);
void vdraw_redraw(struct vdraw *d);     /* every cell next time, without clearing first */

struct vterm {
    uint16_t cells[VDRAW_MAX_CELLS];
    uint8_t cols, rows, valid;
    int cursor_row, cursor_col;
    int row, col;                       /* the terminal's cursor as we left it (-1 unknown) */
    uint8_t attr;                       /* the colours set on the terminal (FFh unknown) */
};

/* The bytes that bring the terminal to v (at most max; a text screen fits in 64 KB): their
 * number.  The first call after vterm_invalidate clears the terminal and draws every cell that
 * is not blank.  Mode 13h shows as a line saying so. */
unsigned vterm_update(struct vterm *t, const struct vtext_view *v, char *out, unsigned max);
/* The same, when only cells [from, to) can differ from what the terminal shows (the cursor
 * aside): all of them after vterm_invalidate or a change of size. */
unsigned vterm_update_cells(struct vterm *t, const struct vtext_view *v, char *out, unsigned max,
                            unsigned from, unsigned to);
void vterm_invalidate(struct vterm *t);

#endif
