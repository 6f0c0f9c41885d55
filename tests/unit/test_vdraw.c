/*
 * Host tests for vxd/vdd/vdraw.c: a text screen drawn on a framebuffer in memory (BGRX, a pitch
 * wider than the width: the padding must stay untouched), only the changed cells redrawn, the
 * cursor, the scale and centring, mode 13h in the VGA's colours; and the same screen as a
 * terminal's escape sequences.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../vxd/vdd/vdraw.h"

#define W 660u
#define H 420u
#define PITCH_PX 672u                   /* 12 pixels of padding a line */
#define PAD 0xDEADBEEFu

static uint32_t *fb;
static uint8_t font[256][32];
static struct vdraw d;
static uint16_t cells[80 * 25];
static struct vtext_view v;
static char out[65536];

static void setup(void)
{
    fb = malloc(PITCH_PX * H * 4);
    cr_assert(fb);
    for (unsigned i = 0; i < PITCH_PX * H; i++)
        fb[i] = PAD;
    for (unsigned c = 0; c < 256; c++)
        for (unsigned r = 0; r < 16; r++)
            font[c][r] = (uint8_t)(c ^ (r * 37));      /* every glyph its own pattern */
    cr_assert(vdraw_init(&d, fb, W, H, PITCH_PX * 4, 0xFF0000, 0xFF00, 0xFF,
                         (const uint8_t (*)[32])font, 16));
    for (unsigned i = 0; i < 80 * 25; i++)
        cells[i] = 0x0720;
    v = (struct vtext_view){ 3, 80, 25, cells, -1, -1, 13, 14 };
}
static void teardown(void) { free(fb); }
TestSuite(vdraw, .init = setup, .fini = teardown);

static uint32_t px(unsigned x, unsigned y) { return fb[y * PITCH_PX + x]; }

/* The cell at row, col shows glyph ch in fg on bg (0xRRGGBB), at scale 1, centred in W x H. */
static void assert_cell(unsigned row, unsigned col, uint8_t ch, uint32_t fg, uint32_t bg,
                        int cursor)
{
    unsigned x0 = (W - 640) / 2 + col * 8, y0 = (H - 400) / 2 + row * 16;
    for (unsigned r = 0; r < 16; r++) {
        uint8_t bits = cursor && r >= 13 && r <= 14 ? 0xFF : font[ch][r];
        for (unsigned i = 0; i < 8; i++)
            cr_assert_eq(px(x0 + i, y0 + r), (bits << i) & 0x80 ? fg : bg,
                         "cell %u,%u pixel %u,%u", row, col, i, r);
    }
}

Test(vdraw, first_update_draws_every_cell_and_centres)
{
    cells[0] = 0x1E41;                  /* 'A' yellow on blue */
    cr_assert_eq(vdraw_update(&d, &v, 0), 80 * 25);
    cr_assert_eq(d.scale, 1);
    assert_cell(0, 0, 'A', 0xFFFF55, 0x0000AA, 0);
    assert_cell(24, 79, ' ', 0xAAAAAA, 0x000000, 0);
    cr_assert_eq(px(0, 0), 0, "the border cleared to black");
    for (unsigned y = 0; y < H; y++)
        for (unsigned x = W; x < PITCH_PX; x++)
            cr_assert_eq(fb[y * PITCH_PX + x], PAD, "the pitch's padding untouched");
}

Test(vdraw, only_changes_are_drawn)
{
    vdraw_update(&d, &v, 0);
    cr_assert_eq(vdraw_update(&d, &v, 0), 0, "nothing changed");
    cells[81] = 0x4F42;                 /* 'B' white on red, row 1 col 1 */
    cr_assert_eq(vdraw_update(&d, &v, 0), 1);
    assert_cell(1, 1, 'B', 0xFFFFFF, 0xAA0000, 0);
    v.cursor_row = 2;
    v.cursor_col = 5;
    cr_assert_eq(vdraw_update(&d, &v, 0), 1, "the cursor's cell");
    assert_cell(2, 5, ' ', 0xAAAAAA, 0, 1);
    v.cursor_col = 6;
    cr_assert_eq(vdraw_update(&d, &v, 0), 2, "where it was and where it is");
    assert_cell(2, 5, ' ', 0xAAAAAA, 0, 0);
    vdraw_invalidate(&d);
    cr_assert_eq(vdraw_update(&d, &v, 0), 80 * 25);
}

/* A cursor that moves over cells that did not change costs only its own lines: the rest of
 * both cells is left as it was (poisoned here, to see it untouched); a new shape redraws the
 * cell whole. */
Test(vdraw, a_moving_cursor_redraws_only_its_lines)
{
    unsigned x0 = (W - 640) / 2, y0 = (H - 400) / 2 + 2 * 16;
    v.cursor_row = 2;
    v.cursor_col = 5;
    vdraw_update(&d, &v, 0);
    for (unsigned y = y0; y < y0 + 16; y++)
        for (unsigned x = x0 + 5 * 8; x < x0 + 7 * 8; x++)
            fb[y * PITCH_PX + x] = PAD;
    v.cursor_col = 6;
    cr_assert_eq(vdraw_update(&d, &v, 0), 2);
    for (unsigned y = y0; y < y0 + 16; y++)
        for (unsigned x = x0 + 5 * 8; x < x0 + 7 * 8; x++) {
            unsigned r = y - y0, i = (x - x0) % 8;
            uint32_t glyph = (font[' '][r] << i) & 0x80 ? 0xAAAAAA : 0;
            uint32_t want = r < 13 || r > 14 ? PAD : x >= x0 + 6 * 8 ? 0xAAAAAA : glyph;
            cr_assert_eq(px(x, y), want, "pixel %u,%u", x - x0, y - y0);
        }
    v.cursor_start = 6;                 /* a half block: the cell whole */
    cr_assert_eq(vdraw_update(&d, &v, 0), 1);
    for (unsigned r = 0; r < 16; r++)
        for (unsigned i = 0; i < 8; i++) {
            uint8_t bits = r >= 6 && r <= 14 ? 0xFF : font[' '][r];
            cr_assert_eq(px(x0 + 6 * 8 + i, y0 + r), (bits << i) & 0x80 ? 0xAAAAAAu : 0u,
                         "pixel %u,%u", i, r);
        }
    v.cursor_start = 0x20;              /* hidden (start past end): its lines given back */
    cr_assert_eq(vdraw_update(&d, &v, 0), 1);
    assert_cell(2, 6, ' ', 0xAAAAAA, 0, 0);
}

/* Told which cells can have changed, the drawing looks at those only; after an invalidate it
 * draws everything whatever it is told. */
Test(vdraw, only_the_cells_told_are_looked_at)
{
    vdraw_update(&d, &v, 0);
    cells[100] = 0x0741;
    cells[1500] = 0x0742;
    cr_assert_eq(vdraw_update_cells(&d, &v, 0, 1400, 1600), 1, "cell 1500 only");
    assert_cell(1500 / 80, 1500 % 80, 'B', 0xAAAAAA, 0, 0);
    assert_cell(100 / 80, 100 % 80, ' ', 0xAAAAAA, 0, 0);
    cr_assert_eq(vdraw_update_cells(&d, &v, 0, 0, 0), 0, "nothing told");
    cr_assert_eq(vdraw_update_cells(&d, &v, 0, 101, 101), 0);
    cr_assert_eq(vdraw_update_cells(&d, &v, 0, 99, 100), 0, "[99, 100) ends before it");
    cr_assert_eq(vdraw_update_cells(&d, &v, 0, 100, 101), 1);
    assert_cell(100 / 80, 100 % 80, 'A', 0xAAAAAA, 0, 0);
    cells[1999] = 0x0743;
    cr_assert_eq(vdraw_update_cells(&d, &v, 0, 1999, 5000), 1, "the last cell, past the end");
    vdraw_invalidate(&d);
    cr_assert_eq(vdraw_update_cells(&d, &v, 0, 0, 0), 80 * 25, "everything after an invalidate");
    static struct vterm t;
    cr_assert_gt(vterm_update_cells(&t, &v, out, sizeof out, 0, 0), 0, "a new terminal: all");
    cells[7] = 0x0744;
    cr_assert_eq(vterm_update_cells(&t, &v, out, sizeof out, 8, 2000), 0, "cell 7 not told");
    unsigned n = vterm_update_cells(&t, &v, out, sizeof out, 7, 8);
    cr_assert(n == 7 && !memcmp(out, "\033[1;8HD", 7), "ESC[1;8H and D (%u bytes)", n);
}

Test(vdraw, cells_at_an_odd_address_are_compared_one_by_one)
{
    static uint16_t odd[80 * 25 + 1];
    uint16_t *c = (uint16_t *)((uint8_t *)odd + 2);     /* 4n + 2: not a pair boundary */
    for (unsigned i = 0; i < 80 * 25; i++)
        c[i] = 0x0720;
    v.cells = c;
    vdraw_update(&d, &v, 0);
    c[0] = 0x0741;
    c[1999] = 0x0742;
    cr_assert_eq(vdraw_update(&d, &v, 0), 2);
    assert_cell(0, 0, 'A', 0xAAAAAA, 0, 0);
    assert_cell(24, 79, 'B', 0xAAAAAA, 0, 0);
    c[1000] = 0x0743;
    cr_assert_eq(vdraw_update(&d, &v, 0), 1);
}

Test(vdraw, blink_bit_is_not_a_bright_background)
{
    cells[0] = 0xF441;                  /* attribute F4h: red on light grey (bit 7: blink) */
    vdraw_update(&d, &v, 0);
    assert_cell(0, 0, 'A', 0xAA0000, 0xAAAAAA, 0);
}

Test(vdraw, scaled_twice_on_a_bigger_screen)
{
    uint32_t *big = calloc(1280 * 800, 4);
    struct vdraw b;
    cr_assert(vdraw_init(&b, big, 1280, 800, 1280 * 4, 0xFF0000, 0xFF00, 0xFF,
                         (const uint8_t (*)[32])font, 16));
    cells[0] = 0x0741;
    vdraw_update(&b, &v, 0);
    cr_assert_eq(b.scale, 2);
    for (unsigned r = 0; r < 16; r++)
        for (unsigned i = 0; i < 16; i++)
            cr_assert_eq(big[(r * 2 + 1) * 1280 + i], (font['A'][r] << (i / 2)) & 0x80 ? 0xAAAAAAu : 0u);
    free(big);
}

Test(vdraw, mode_13h_in_vga_colours)
{
    uint8_t *gfx = calloc(320 * 200, 1);
    gfx[0] = 1;                         /* blue */
    gfx[1] = 15;                        /* white */
    gfx[2] = 31;                        /* the brightest grey */
    gfx[3] = 32;                        /* the first ramp: blue */
    gfx[4] = 40;                        /* ... red */
    v.mode = 0x13;
    cr_assert_eq(vdraw_update(&d, &v, gfx), 200);
    cr_assert_eq(d.scale, 2);
    unsigned x0 = (W - 640) / 2, y0 = (H - 400) / 2;
    cr_assert_eq(px(x0, y0), 0x0000AA);
    cr_assert_eq(px(x0 + 1, y0 + 1), 0x0000AA, "scaled: 2 x 2");
    cr_assert_eq(px(x0 + 2, y0), 0xFFFFFF);
    cr_assert_eq(px(x0 + 4, y0), 0xFFFFFF);
    cr_assert_eq(px(x0 + 6, y0), 0x0000FF);
    cr_assert_eq(px(x0 + 8, y0), 0xFF0000);
    free(gfx);
}

Test(vdraw, unusable_framebuffers_refused)
{
    struct vdraw b;
    cr_assert_not(vdraw_init(&b, fb, W, H, W * 4 - 4, 0xFF0000, 0xFF00, 0xFF,
                             (const uint8_t (*)[32])font, 16), "pitch below the width");
    cr_assert_not(vdraw_init(&b, fb, W, H, W * 4, 0xFFF000, 0xFF0, 0xF,
                             (const uint8_t (*)[32])font, 16), "masks not whole bytes");
    cr_assert_not(vdraw_init(&b, fb, 300, 180, 300 * 4, 0xFF0000, 0xFF00, 0xFF,
                             (const uint8_t (*)[32])font, 16), "smaller than 320x200");
}

/* ---- the terminal ---------------------------------------------------------------------------- */

Test(vdraw, terminal_draws_what_is_not_blank_then_only_changes)
{
    struct vterm t = { 0 };
    cells[2 * 80 + 3] = 0x1E48;         /* 'H' yellow on blue at row 2, col 3 */
    cells[2 * 80 + 4] = 0x1E69;         /* 'i' */
    cells[2 * 80 + 5] = 0x1EC4;         /* a box-drawing line: U+2500 */
    v.cursor_row = 3;
    v.cursor_col = 0;
    unsigned n = vterm_update(&t, &v, out, sizeof out);
    out[n] = 0;
    cr_assert_str_eq(out, "\033[0m\033[2J\033[H\033[3;4H\033[0;93;44mHi\xe2\x94\x80\033[4;1H");
    cr_assert_eq(vterm_update(&t, &v, out, sizeof out), 0, "nothing changed");
    cells[2 * 80 + 4] = 0x1E6F;         /* 'o' */
    n = vterm_update(&t, &v, out, sizeof out);
    out[n] = 0;
    cr_assert_str_eq(out, "\033[3;5Ho\033[4;1H");
}

Test(vdraw, terminal_overflow_redraws_later)
{
    struct vterm t = { 0 };
    for (unsigned i = 0; i < 80 * 25; i++)
        cells[i] = (uint16_t)(0x0100 * (i % 15 + 1) | 'x');
    cr_assert_eq(vterm_update(&t, &v, out, 100), 0, "did not fit: nothing sent");
    cr_assert_gt(vterm_update(&t, &v, out, sizeof out), 100, "all of it, next time");
}

Test(vdraw, terminal_graphics_mode_says_so_once)
{
    struct vterm t = { 0 };
    v.mode = 0x13;
    unsigned n = vterm_update(&t, &v, out, sizeof out);
    out[n] = 0;
    cr_assert(strstr(out, "graphics mode"));
    cr_assert_eq(vterm_update(&t, &v, out, sizeof out), 0);
}
