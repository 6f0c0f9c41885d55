/*
 * Host tests for vmm/console/fbcon.c, the VMM's text console, on a framebuffer in memory (BGRX,
 * a pitch wider than the width, a screen that is not a whole number of cells: the padding and
 * the leftover pixels must stay untouched): nothing drawn before there is text, each row cleared
 * when text first reaches it, the jump by half a screen past the last row, colours, and the
 * framebuffer handed to someone else and back.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "console/fbcon.h"

/* The font fbcon draws with (tools/psf2c generates it for the VMM). */
const unsigned font_width = 8, font_height = 16;
uint8_t font_glyphs[256][32];          /* fbcon reads it as const */

#define COLS 12u
#define ROWS 5u
#define W (COLS * 8 + 4)                /* 4 pixels left over on the right ... */
#define H (ROWS * 16 + 9)               /* ... 9 scan lines at the bottom */
#define PITCH_PX (W + 12)               /* 12 pixels of padding a scan line */
#define PAD 0xDEADBEEFu
#define GREY 0xAAAAAAu
#define BLACK 0u

static uint32_t *fb;

static void setup(void)
{
    for (unsigned c = 0; c < 256; c++)
        for (unsigned r = 0; r < 16; r++)
            font_glyphs[c][r] = c == ' ' ? 0 : (uint8_t)(c ^ (r * 37) ^ 0x5A);
    fb = malloc(PITCH_PX * H * 4);
    cr_assert(fb);
    for (unsigned i = 0; i < PITCH_PX * H; i++)
        fb[i] = PAD;
    struct fbcon_mode m = { fb, W, H, PITCH_PX * 4, 0xFF0000, 0xFF00, 0xFF, 0 };
    cr_assert_eq(fbcon_init(&m), 0);
    cr_assert_eq(fbcon_cols(), COLS);
    cr_assert_eq(fbcon_rows(), ROWS);
}
static void teardown(void) { free(fb); }
TestSuite(fbcon, .init = setup, .fini = teardown);

static void put(const char *s) { fbcon_write(s, strlen(s)); }

/* Row `row` of the screen shows `s` (then blanks) in fg on bg, pixel for pixel. */
static void assert_row(unsigned row, const char *s, uint32_t fg, uint32_t bg)
{
    size_t n = strlen(s);
    for (unsigned col = 0; col < COLS; col++) {
        uint8_t ch = col < n ? (uint8_t)s[col] : ' ';
        for (unsigned r = 0; r < 16; r++)
            for (unsigned i = 0; i < 8; i++)
                cr_assert_eq(fb[(row * 16 + r) * PITCH_PX + col * 8 + i],
                             (font_glyphs[ch][r] << i) & 0x80 ? fg : bg,
                             "row %u ('%s') col %u pixel %u,%u", row, s, col, i, r);
    }
}

static void assert_row_untouched(unsigned row)
{
    for (unsigned y = row * 16; y < row * 16 + 16; y++)
        for (unsigned x = 0; x < COLS * 8; x++)
            cr_assert_eq(fb[y * PITCH_PX + x], PAD, "row %u pixel %u,%u drawn", row, x, y);
}

static void assert_margins_untouched(void)
{
    for (unsigned y = 0; y < H; y++)
        for (unsigned x = y < ROWS * 16 ? COLS * 8 : 0; x < PITCH_PX; x++)
            cr_assert_eq(fb[y * PITCH_PX + x], PAD, "pixel %u,%u outside the cells drawn", x, y);
}

Test(fbcon, nothing_drawn_before_text_then_only_the_rows_reached)
{
    for (unsigned row = 0; row < ROWS; row++)
        assert_row_untouched(row);
    put("ab\ncd");
    assert_row(0, "ab", GREY, BLACK);
    assert_row(1, "cd", GREY, BLACK);
    for (unsigned row = 2; row < ROWS; row++)
        assert_row_untouched(row);
    assert_margins_untouched();
}

Test(fbcon, past_the_last_row_the_text_jumps_half_a_screen)
{
    /* Five rows, a jump of two: after L4's newline the screen holds L2 L3 L4, the cursor on the
     * fourth row; after L6's, L4 L5 L6. */
    put("L0\nL1 one\nL2 two two\nL3\nL4 four\nL5 five\nL6 six six\nL7");
    assert_row(0, "L4 four", GREY, BLACK);
    assert_row(1, "L5 five", GREY, BLACK);
    assert_row(2, "L6 six six", GREY, BLACK);
    assert_row(3, "L7", GREY, BLACK);
    assert_row(4, "", GREY, BLACK);
    assert_margins_untouched();
}

Test(fbcon, long_lines_wrap_and_control_characters)
{
    put("0123456789ABcd\n");            /* 14 characters on 12 columns: "cd" wraps */
    put("xyz\rX\tT\bt\n");              /* \r back to column 0, \t to column 8, \b back one */
    assert_row(0, "0123456789AB", GREY, BLACK);
    assert_row(1, "cd", GREY, BLACK);
    assert_row(2, "Xyz     t", GREY, BLACK);
    put("0123456789AB\nnext");          /* exactly 12 then a newline: no empty row between */
    assert_row(3, "0123456789AB", GREY, BLACK);
    assert_row(4, "next", GREY, BLACK);
}

Test(fbcon, colours_stay_with_their_cells_across_a_jump)
{
    put("a\nb\n");
    fbcon_set_color(0xFFFFFF, 0xAA0000);
    put("ALERT");
    fbcon_set_color(0xAAAAAA, 0x000000);
    put("\nc\nd\ne");                   /* the jump moves ALERT from row 2 to row 0... */
    for (unsigned r = 0; r < 16; r++)   /* ... drawn in white on red, the rest of its row black */
        for (unsigned i = 0; i < 8; i++)
            cr_assert_eq(fb[r * PITCH_PX + 8 + i],
                         (font_glyphs['L'][r] << i) & 0x80 ? 0xFFFFFFu : 0xAA0000u);
    for (unsigned y = 0; y < 16; y++)
        for (unsigned x = 5 * 8; x < COLS * 8; x++)
            cr_assert_eq(fb[y * PITCH_PX + x], BLACK);
    assert_row(1, "c", GREY, BLACK);
    assert_row(2, "d", GREY, BLACK);
    assert_row(3, "e", GREY, BLACK);
    assert_row(4, "", GREY, BLACK);
}

Test(fbcon, hidden_the_framebuffer_is_left_alone_and_shown_again_whole)
{
    put("before\n");
    fbcon_hide();
    for (unsigned i = 0; i < PITCH_PX * H; i++)
        fb[i] = PAD;                    /* someone else's picture */
    put("one\ntwo\nthree\nfour\nfive");
    fbcon_clear();
    put("six\nseven");
    for (unsigned row = 0; row < ROWS; row++)
        assert_row_untouched(row);
    fbcon_show();
    assert_row(0, "six", GREY, BLACK);
    assert_row(1, "seven", GREY, BLACK);
    for (unsigned row = 2; row < ROWS; row++)
        assert_row(row, "", GREY, BLACK);   /* blank rows are drawn too: the picture goes */
    assert_margins_untouched();
}

Test(fbcon, rewriting_a_cell_and_clearing)
{
    put("abc\rxbc");
    assert_row(0, "xbc", GREY, BLACK);
    fbcon_set_color(0xAAAAAA, 0x0000AA);
    fbcon_clear();                      /* every row in the new background, reached or not */
    for (unsigned row = 0; row < ROWS; row++)
        assert_row(row, "", GREY, 0x0000AA);
    put("z");
    assert_row(0, "z", GREY, 0x0000AA);
    assert_margins_untouched();
}

Test(fbcon, more_pairs_than_slots_reuse_the_last)
{
    for (unsigned k = 0; k < FBCON_MAX_PAIRS + 5; k++) {
        fbcon_set_color(0x010101u * k, 0x000001u * k);
        put("q");
    }
    fbcon_set_color(0x123456, 0x654321);
    put("\rW");                         /* drawn in the colours asked for, whatever the slots */
    for (unsigned r = 0; r < 16; r++)   /* (20 q's: the W is at the start of the second row) */
        for (unsigned i = 0; i < 8; i++)
            cr_assert_eq(fb[(16 + r) * PITCH_PX + i],
                         (font_glyphs['W'][r] << i) & 0x80 ? 0x123456u : 0x654321u);
}

Test(fbcon, huge_screen_used_from_its_top_left_corner, .init = NULL, .fini = NULL)
{
    static uint32_t big[8192 * 32];
    struct fbcon_mode m = { big, 8192, 32, 8192 * 4, 0xFF0000, 0xFF00, 0xFF, 0 };
    cr_assert_eq(fbcon_init(&m), 0);
    cr_assert_eq(fbcon_cols(), FBCON_MAX_COLS);
    cr_assert_eq(fbcon_rows(), 2);
}

Test(fbcon, unusable_modes_refused, .init = NULL, .fini = NULL)
{
    static uint32_t px[64 * 32];
    struct fbcon_mode ok = { px, 64, 32, 64 * 4, 0xFF0000, 0xFF00, 0xFF, 0 }, m;
    m = ok, m.base = NULL;
    cr_assert_eq(fbcon_init(&m), -1);
    m = ok, m.pitch = 63 * 4;
    cr_assert_eq(fbcon_init(&m), -1, "pitch below the width");
    m = ok, m.pitch = 64 * 4 + 2;
    cr_assert_eq(fbcon_init(&m), -1, "pitch not whole pixels");
    m = ok, m.green_mask = 0xFF80;
    cr_assert_eq(fbcon_init(&m), -1, "a mask that is not 8 bits");
    m = ok, m.blue_mask = 0xFF00;
    cr_assert_eq(fbcon_init(&m), -1, "overlapping masks");
    m = ok, m.height = 15;
    cr_assert_eq(fbcon_init(&m), -1, "smaller than a glyph");
    fbcon_putc('x');                    /* refused: every call a no-op */
    cr_assert_eq(fbcon_cols(), 0);
    cr_assert_eq(fbcon_init(&ok), 0);
    cr_assert_eq(fbcon_cols(), 8);
}

/* A screen known black (the loader cleared it): text is drawn, a blank cell never drawn on is
 * left alone -- not even the rest of a row text first reaches (PAD stands for the black the
 * console trusts is there). */
Test(fbcon, known_black_screen_gets_only_its_text)
{
    struct fbcon_mode m = { fb, W, H, PITCH_PX * 4, 0xFF0000, 0xFF00, 0xFF, 1 };
    cr_assert_eq(fbcon_init(&m), 0);
    put("ab");
    for (unsigned r = 0; r < 16; r++)
        for (unsigned i = 0; i < 8; i++) {
            cr_assert_eq(fb[r * PITCH_PX + i], (font_glyphs['a'][r] << i) & 0x80 ? GREY : BLACK);
            cr_assert_eq(fb[r * PITCH_PX + 16 + i], PAD, "the blank cell after the text drawn");
        }
    for (unsigned row = 1; row < ROWS; row++)
        assert_row_untouched(row);
    assert_margins_untouched();
}
