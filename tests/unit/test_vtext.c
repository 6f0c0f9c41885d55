/*
 * Host tests for vxd/vdd/vtext.c, the display's INT 10h and CRTC over a VM's memory.  The VM is
 * a zeroed 10FFF0h-byte buffer with 640 KB of conventional memory; each test states the screen
 * cells, BDA fields and CRTC registers it expects, and the rest of memory is compared with a
 * copy so that a write anywhere else fails the test.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../vxd/vdd/vtext.h"

#define MEM     0x10FFF0u
#define VRAM    0xB8000u

static struct vtext v;
static uint8_t *shadow;

static struct client_regs regs(uint16_t ax, uint16_t bx, uint16_t cx, uint16_t dx)
{
    struct client_regs r = { 0 };
    r.eax = 0xAAAA0000u | ax;
    r.ebx = 0xBBBB0000u | bx;
    r.ecx = 0xCCCC0000u | cx;
    r.edx = 0xDDDD0000u | dx;
    return r;
}

static int int10(uint16_t ax, uint16_t bx, uint16_t cx, uint16_t dx)
{
    struct client_regs r = regs(ax, bx, cx, dx);
    return vtext_int10(&v, &r);
}

static uint16_t cellw(unsigned page, unsigned y, unsigned x)
{
    const uint8_t *c = v.mem + VRAM + page * 0x1000 + (y * 80 + x) * 2;
    return (uint16_t)(c[0] | c[1] << 8);
}

/* The row's characters as a string (trailing blanks cut). */
static const char *row(unsigned page, unsigned y)
{
    static char s[81];
    for (unsigned x = 0; x < 80; x++)
        s[x] = (char)(cellw(page, y, x) & 0xFF);
    s[80] = 0;
    for (int x = 79; x >= 0 && s[x] == ' '; x--)
        s[x] = 0;
    return s;
}

static void setup(void)
{
    v.mem = calloc(1, MEM);
    cr_assert(v.mem);
    v.conv_end = 0xA0000u;
    v.gfx = 0;
    vtext_reset(&v);
    shadow = malloc(MEM);
    memcpy(shadow, v.mem, MEM);
}

static void teardown(void)
{
    free(v.mem);
    free(shadow);
}

/* Nothing outside the BDA's video fields and the video memory changed. */
static void only_video_changed(void)
{
    for (uint32_t i = 0; i < MEM; i++) {
        if ((i >= 0x449 && i < 0x467) || (i >= 0x484 && i < 0x48B) ||
            (i >= VRAM && i < VRAM + 0x8000))
            continue;
        cr_assert_eq(v.mem[i], shadow[i], "byte %05x changed", i);
    }
}

TestSuite(vtext, .init = setup, .fini = teardown);

Test(vtext, reset_is_mode_3_blank)
{
    cr_assert_eq(v.mem[0x449], 3);
    cr_assert_eq(v.mem[0x44A], 80);
    cr_assert_eq(v.mem[0x484], 24);
    for (unsigned y = 0; y < 25; y++)
        for (unsigned x = 0; x < 80; x++)
            cr_assert_eq(cellw(0, y, x), 0x0720);
    struct vtext_view w;
    vtext_view(&v, &w);
    cr_assert_eq(w.cols, 80);
    cr_assert_eq(w.rows, 25);
    cr_assert_eq(w.cursor_row, 0);
    cr_assert_eq(w.cursor_col, 0);
}

Test(vtext, teletype_writes_wraps_and_scrolls)
{
    for (const char *s = "Hello\r\nworld"; *s; s++)
        cr_assert(int10((uint16_t)(0x0E00 | (uint8_t)*s), 0, 0, 0));
    cr_assert_str_eq(row(0, 0), "Hello");
    cr_assert_str_eq(row(0, 1), "world");
    cr_assert_eq(v.mem[0x450], 5);              /* column 5, row 1 */
    cr_assert_eq(v.mem[0x451], 1);
    cr_assert_eq(v.crtc[0x0E] << 8 | v.crtc[0x0F], 80 + 5, "the CRTC's cursor follows");
    /* backspace, and the attribute of a written cell kept */
    cr_assert_eq(cellw(0, 0, 0), 0x0700 | 'H');
    int10(0x0E08, 0, 0, 0);
    cr_assert_eq(v.mem[0x450], 4);
    /* 24 line feeds: the screen scrolls up one line once the cursor passes row 24 */
    for (unsigned i = 0; i < 24; i++)
        int10(0x0E0A, 0, 0, 0);
    cr_assert_eq(v.mem[0x451], 24);
    cr_assert_str_eq(row(0, 0), "world");
    cr_assert_str_eq(row(0, 24), "");
    cr_assert_eq(cellw(0, 24, 0), 0x0720, "the new line blank, attribute 07h");
    /* a character in the last column wraps to the next line */
    int10(0x0200, 0, 0, 0x184F);                /* row 24, column 79 */
    int10(0x0E41, 0, 0, 0);
    cr_assert_eq(cellw(0, 23, 79) & 0xFF, 'A', "written, then scrolled up with the wrap");
    cr_assert_eq(v.mem[0x450], 0);
    cr_assert_eq(v.mem[0x451], 24);
    only_video_changed();
}

/* What the services wrote is known without comparing the screen: a reset and a mode set are
 * everything; a teletype its one cell; a scroll its window; taking the range empties it. */
Test(vtext, the_bytes_written_are_told)
{
    uint32_t lo, hi;
    vtext_changed(&v, &lo, &hi);
    cr_assert(lo == 0 && hi == 0x8000, "a reset: all of it (%x..%x)", lo, hi);
    vtext_changed(&v, &lo, &hi);
    cr_assert(lo >= hi, "nothing since");
    int10(0x0200, 0, 0, 0x0305);                /* row 3, column 5 */
    int10(0x0E41, 0, 0, 0);
    vtext_changed(&v, &lo, &hi);
    cr_assert(lo == (3 * 80 + 5) * 2 && hi == lo + 2, "one cell (%x..%x)", lo, hi);
    int10(0x0601, 0x0700, 0x0A00, 0x0C4F);      /* rows 10-12 up one line */
    vtext_changed(&v, &lo, &hi);
    cr_assert(lo == 10 * 160 && hi == 13 * 160, "the window (%x..%x)", lo, hi);
    int10(0x0003, 0, 0, 0);
    vtext_changed(&v, &lo, &hi);
    cr_assert(lo == 0 && hi == 0x8000, "a mode set: all of it");
}

Test(vtext, cursor_position_and_shape)
{
    cr_assert(int10(0x0200, 0x0300, 0, 0x0C28));    /* page 3: row 12, column 40 */
    cr_assert_eq(v.mem[0x456], 40);
    cr_assert_eq(v.mem[0x457], 12);
    cr_assert_eq(v.crtc[0x0F], 0, "page 3 is not shown: the CRTC's cursor stays");
    int10(0x0100, 0, 0x2000, 0);                /* hidden (CH bit 5) */
    struct client_regs r = regs(0x0300, 0x0300, 0, 0);
    cr_assert(vtext_int10(&v, &r));
    cr_assert_eq(r.edx, 0xDDDD0C28u);
    cr_assert_eq(r.ecx, 0xCCCC2000u);
    cr_assert_eq(r.eax, 0xAAAA0000u);
    int10(0x0503, 0, 0, 0);                     /* page 3 shown */
    cr_assert_eq(v.mem[0x462], 3);
    cr_assert_eq(v.mem[0x44E] | v.mem[0x44F] << 8, 0x3000);
    cr_assert_eq(v.crtc[0x0C] << 8 | v.crtc[0x0D], 0x1800);
    cr_assert_eq(v.crtc[0x0E] << 8 | v.crtc[0x0F], 0x1800 + 12 * 80 + 40);
    struct vtext_view w;
    vtext_view(&v, &w);
    cr_assert_eq(w.cursor_row, -1, "a hidden cursor is not drawn");
    cr_assert_eq((const uint8_t *)w.cells, v.mem + VRAM + 0x3000);
    only_video_changed();
}

Test(vtext, scroll_window_up_and_down)
{
    for (unsigned y = 0; y < 25; y++)
        for (unsigned x = 0; x < 80; x++)
            v.mem[VRAM + (y * 80 + x) * 2] = (uint8_t)('a' + y);
    cr_assert(int10(0x0602, 0x1E00, 0x0205, 0x060A));   /* rows 2-6, columns 5-10, up 2 */
    cr_assert_eq(cellw(0, 2, 5), 0x0700 | 'e');
    cr_assert_eq(cellw(0, 4, 10), 0x0700 | 'g');
    cr_assert_eq(cellw(0, 5, 5), 0x1E20, "the opened lines: blanks of attribute BH");
    cr_assert_eq(cellw(0, 6, 10), 0x1E20);
    cr_assert_eq(cellw(0, 2, 4) & 0xFF, 'c', "outside the window: unchanged");
    cr_assert_eq(cellw(0, 7, 5) & 0xFF, 'h');
    cr_assert(int10(0x0701, 0x0700, 0x0000, 0x0100));  /* rows 0-1, column 0, down 1 */
    cr_assert_eq(cellw(0, 1, 0) & 0xFF, 'a');
    cr_assert_eq(cellw(0, 0, 0), 0x0720);
    cr_assert(int10(0x0600, 0x4F00, 0x0000, 0xFFFF));  /* AL 0: the whole (clamped) screen */
    cr_assert_eq(cellw(0, 24, 79), 0x4F20);
    only_video_changed();
}

Test(vtext, read_and_write_at_the_cursor)
{
    int10(0x0205, 0, 0, 0x0103);
    cr_assert(int10(0x0941, 0x001F, 3, 0));     /* 'A' attribute 1Fh three times */
    cr_assert_eq(cellw(0, 1, 3), 0x1F41);
    cr_assert_eq(cellw(0, 1, 5), 0x1F41);
    cr_assert_eq(cellw(0, 1, 6), 0x0720);
    cr_assert_eq(v.mem[0x450], 3, "the cursor does not move");
    cr_assert(int10(0x0A42, 0x00FF, 1, 0));     /* 'B', the attribute kept */
    struct client_regs r = regs(0x0800, 0, 0, 0);
    cr_assert(vtext_int10(&v, &r));
    cr_assert_eq(r.eax, 0xAAAA1F42u);
    only_video_changed();
}

Test(vtext, write_string_with_and_without_attributes)
{
    static const char s[] = "DOS";
    memcpy(v.mem + 0x20000, s, 3);
    memcpy(shadow + 0x20000, s, 3);
    struct client_regs r = regs(0x1301, 0x004E, 3, 0x0A14);
    r.es = 0x2000;
    r.ebp = 0;
    cr_assert(vtext_int10(&v, &r));
    cr_assert_eq(cellw(0, 10, 20), 0x4E44);
    cr_assert_eq(cellw(0, 10, 22), 0x4E53);
    cr_assert_eq(v.mem[0x450], 23, "AL bit 0: the cursor moves");
    static const uint8_t pairs[] = { 'x', 0x12, 'y', 0x34 };
    memcpy(v.mem + 0x20010, pairs, 4);
    memcpy(shadow + 0x20010, pairs, 4);
    r = regs(0x1302, 0, 2, 0x0000);
    r.es = 0x2001;
    r.ebp = 0;
    cr_assert(vtext_int10(&v, &r));
    cr_assert_eq(cellw(0, 0, 0), 0x1278);
    cr_assert_eq(cellw(0, 0, 1), 0x3479);
    cr_assert_eq(v.mem[0x450], 23, "AL bit 0 clear: the cursor stays");
    r = regs(0x1300, 0, 0xFFFF, 0);             /* past the V86 space: nothing written */
    r.es = 0xFFFF;
    r.ebp = 0xFFF0;
    cr_assert(vtext_int10(&v, &r));
    only_video_changed();
}

Test(vtext, mode_set_and_queries)
{
    v.mem[VRAM] = 'Q';
    cr_assert(int10(0x0083, 0, 0, 0));          /* mode 3, bit 7: the screen kept */
    cr_assert_eq(v.mem[VRAM], 'Q');
    struct client_regs r = regs(0x0F00, 0, 0, 0);
    cr_assert(vtext_int10(&v, &r));
    cr_assert_eq(r.eax, 0xAAAA5083u, "AH 80 columns, AL mode 3 with bit 7");
    cr_assert(int10(0x0001, 0, 0, 0));          /* 40 columns, cleared */
    cr_assert_eq(v.mem[VRAM], ' ');
    cr_assert_eq(v.mem[0x44A], 40);
    cr_assert_eq(v.mem[0x44C] | v.mem[0x44D] << 8, 0x800);
    cr_assert_not(int10(0x0013, 0, 0, 0), "no mode 13h without its memory");
    cr_assert_not(int10(0x0007, 0, 0, 0), "no monochrome mode");
    cr_assert_eq(v.mem[0x449], 1);
    r = regs(0x1A00, 0, 0, 0);
    cr_assert(vtext_int10(&v, &r));
    cr_assert_eq(r.eax & 0xFF, 0x1A);
    cr_assert_eq(r.ebx, 0xBBBB0008u);
    r = regs(0x1200, 0x0010, 0xFFFF, 0);
    cr_assert(vtext_int10(&v, &r));
    cr_assert_eq(r.ebx, 0xBBBB0003u);
    cr_assert_eq(r.ecx, 0xCCCC0000u);
    cr_assert_not(int10(0x4F00, 0, 0, 0), "VESA: not here");
    only_video_changed();
}

Test(vtext, font_information_1130h)
{
    v.mem[0x1F * 4] = 0x00;             /* INT 1Fh -> F000:BE00, as VBIOS sets it */
    v.mem[0x1F * 4 + 1] = 0xBE;
    v.mem[0x1F * 4 + 2] = 0x00;
    v.mem[0x1F * 4 + 3] = 0xF0;
    memcpy(shadow, v.mem, MEM);
    struct client_regs r = regs(0x1130, 0x0600, 0, 0);
    cr_assert(vtext_int10(&v, &r));
    cr_assert_eq(r.es, 0xF000);
    cr_assert_eq(r.ebp & 0xFFFF, 0xA000, "the 8x16 font");
    cr_assert_eq(r.ecx & 0xFFFF, 16, "16 scan lines a character");
    cr_assert_eq(r.edx & 0xFF, 24, "rows less one");
    r = regs(0x1130, 0x0300, 0, 0);
    cr_assert(vtext_int10(&v, &r));
    cr_assert_eq(r.ebp & 0xFFFF, 0xFA6E, "the 8x8 font at the PC's address");
    r = regs(0x1130, 0x0000, 0, 0);
    cr_assert(vtext_int10(&v, &r));
    cr_assert_eq(r.es << 16 | (r.ebp & 0xFFFF), 0xF000BE00u, "INT 1Fh's vector");
    r = regs(0x1130, 0x0800, 0, 0);
    cr_assert_not(vtext_int10(&v, &r), "BH=08h: no such font");
    cr_assert_not(int10(0x1100, 0, 0, 0), "loading a font: not here");
    only_video_changed();
}

Test(vtext, mode_13h_clears_its_memory)
{
    v.gfx = 1;
    memset(v.mem + 0xA0000, 0x55, 0x10000);
    cr_assert(int10(0x0013, 0, 0, 0));
    for (uint32_t i = 0; i < 0x10000; i++)
        cr_assert_eq(v.mem[0xA0000 + i], 0);
    cr_assert_eq(v.mem[0x449], 0x13);
    cr_assert_eq(v.mem[0x44A], 40);
    int10(0x0E41, 0, 0, 0);                     /* teletype: the cursor moves, no cell */
    cr_assert_eq(v.mem[0x450], 1);
}

Test(vtext, crtc_ports_move_the_cursor)
{
    vtext_crtc_out(&v, 0x3D4, 0x0E);
    vtext_crtc_out(&v, 0x3D5, 0x01);
    vtext_crtc_out(&v, 0x3D4, 0x0F);
    vtext_crtc_out(&v, 0x3D5, 0x90);            /* 190h = row 5, column 0 */
    cr_assert_eq(vtext_crtc_in(&v, 0x3D5), 0x90);
    cr_assert_eq(vtext_crtc_in(&v, 0x3D4), 0x0F);
    cr_assert_eq(v.mem[0x450], 0);
    cr_assert_eq(v.mem[0x451], 5);
    vtext_crtc_out(&v, 0x3D4, 0x40);            /* no such register */
    vtext_crtc_out(&v, 0x3D5, 0x12);
    cr_assert_eq(vtext_crtc_in(&v, 0x3D5), 0xFF);
    struct vtext_view w;
    vtext_view(&v, &w);
    cr_assert_eq(w.cursor_row, 5);
    cr_assert_eq(w.cursor_col, 0);
}

/* The message screen: its text read back from a row of cells. */
static void row_text(const uint16_t *cells, unsigned row, char *out)
{
    for (unsigned c = 0; c < 80; c++)
        out[c] = (char)(cells[row * 80 + c] & 0xFF);
    out[80] = 0;
    for (int c = 79; c >= 0 && out[c] == ' '; c--)
        out[c] = 0;
}

Test(vtext, a_message_screen_wraps_its_words)
{
    uint16_t cells[80 * 25];
    char line[81];
    memset(cells, 0xAB, sizeof cells);
    vtext_message(cells, "VM 2 crashed",
                  "VM 2 was running C:\\CRASH.COM, which crashed: #UD invalid opcode, and the "
                  "program has no handler for INT 06h at 0206:011c.\nThe other VMs go on.");
    for (unsigned i = 0; i < 80 * 25; i++)
        if (i / 80 != VTEXT_MSG_TOP)
            cr_assert_eq(cells[i] >> 8, 0x1F, "cell %u: attribute %02x", i, cells[i] >> 8);
    row_text(cells, VTEXT_MSG_TOP, line);
    cr_assert_str_eq(line, "                                  VM 2 crashed");
    cr_assert_eq(cells[VTEXT_MSG_TOP * 80 + 33], 0x7100 | ' ', "the title's box starts blank");
    cr_assert_eq(cells[VTEXT_MSG_TOP * 80 + 34], 0x7100 | 'V');
    row_text(cells, VTEXT_MSG_TOP + 1, line);
    cr_assert_str_eq(line, "");
    row_text(cells, VTEXT_MSG_TOP + 2, line);
    cr_assert_str_eq(line, "      VM 2 was running C:\\CRASH.COM, which crashed: #UD invalid opcode,");
    row_text(cells, VTEXT_MSG_TOP + 3, line);
    cr_assert_str_eq(line, "      and the program has no handler for INT 06h at 0206:011c.");
    row_text(cells, VTEXT_MSG_TOP + 4, line);
    cr_assert_str_eq(line, "      The other VMs go on.");
}

Test(vtext, a_message_too_long_stops_above_the_last_rows)
{
    uint16_t cells[80 * 25];
    char text[2000], line[81];
    for (unsigned i = 0; i < sizeof text - 1; i++)
        text[i] = i % 10 == 9 ? ' ' : 'x';
    text[sizeof text - 1] = 0;
    vtext_message(cells, 0, text);
    row_text(cells, 22, line);
    cr_assert_eq(strlen(line), 6 + 6 * 10 - 1, "row 22: six words of 9, from column 6: %s", line);
    for (unsigned r = 23; r < 25; r++) {
        row_text(cells, r, line);
        cr_assert_str_eq(line, "", "row %u empty", r);
    }
    vtext_message(cells, "T", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
                              "abcdefghijklmnopqrstuvwxyz");
    row_text(cells, VTEXT_MSG_TOP + 2, line);
    cr_assert_str_eq(line, "      abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
                           "abcdefghijklmnop",
                     "a word longer than a row is cut: %s", line);
}
