/*
 * fbcon: the VMM's text console on the firmware's linear 32-bit-per-pixel framebuffer.
 *
 * It owns the framebuffer memory and the cursor; nothing else should draw there once
 * fbcon_init has succeeded.  Glyphs come from the font generated at build time by tools/psf2c
 * (font_glyphs, indexed by Latin-1 byte).  Until fbcon_init succeeds every call is a no-op, so
 * callers need not check whether a screen exists.
 *
 * The text is kept in cells in memory and drawn from them; the framebuffer is only written,
 * never read.  Past the last row the text jumps up by half a screen.  Rows the text has not
 * reached yet keep what the firmware left there.
 *
 * Not reentrant and unlocked: call it from one context at a time.  In particular an interrupt
 * handler must not call it while another fbcon call may be in progress.
 */
#ifndef CONSOLE_FBCON_H
#define CONSOLE_FBCON_H
#include <stddef.h>
#include <stdint.h>

#define FBCON_MAX_COLS  512
#define FBCON_MAX_CELLS 65536   /* 3840x2160 in 8x16 cells is 64,800; a larger screen is used from
                                 * its top left corner */
#define FBCON_MAX_PAIRS 15      /* colour pairs on the screen at once */

struct fbcon_mode {             /* filled by the caller from the boot info */
    volatile uint32_t *base;    /* linear address of pixel (0,0) */
    uint32_t width, height;     /* pixels */
    uint32_t pitch;             /* BYTES per scan line (>= width*4) */
    uint32_t red_mask, green_mask, blue_mask;   /* e.g. 0x00FF0000,0x0000FF00,0x000000FF for BGRX */
    int black;                  /* every pixel is known black (the loader cleared the screen) */
};

/* 0 on success: the text is blank in the default colours (light grey on black) and the cursor
 * is at the top left; nothing is drawn until there is text (each row is cleared when text first
 * reaches it -- unless mode->black says the screen is black already: then only text is drawn).  -1 if the mode is unusable (no base; smaller than one glyph;
 * pitch < width*4 or not a multiple of 4; a mask that is not one contiguous run of 8 bits, or
 * masks that overlap; a framebuffer that does not fit in 4 GB): the console stays off and the
 * caller should run serial-only. */
int fbcon_init(const struct fbcon_mode *mode);

/* Bytes are Latin-1 code points.  '\n' starts a new line (column 0), '\r' returns to column 0,
 * '\t' advances to the next multiple of 8 columns, '\b' moves back one column without erasing.
 * Text wraps after the last column; past the last row it jumps up by half the rows. */
void fbcon_putc(char c);
void fbcon_write(const char *s, size_t n);

/* Colours as 0xRRGGBB, for the text written after the call and for clearing.  With more than
 * FBCON_MAX_PAIRS pairs in use, the last pair's cells take the new colours when next drawn. */
void fbcon_set_color(uint32_t fg_rgb, uint32_t bg_rgb);

/* Fills the screen with the background colour and homes the cursor. */
void fbcon_clear(void);

/* hide: someone else draws on the framebuffer; text still goes into the cells, nothing is drawn.
 * show: the framebuffer is the console's again, redrawn whole from the cells. */
void fbcon_hide(void);
void fbcon_show(void);

/* Text cells on the screen; 0 before fbcon_init succeeds. */
unsigned fbcon_cols(void);
unsigned fbcon_rows(void);

#endif
