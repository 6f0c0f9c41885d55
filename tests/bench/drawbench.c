/*
 * In-guest benchmarks of the display's drawing (vxd/vdd/vdraw.c, the code VDD runs, linked into
 * the test build), on the real framebuffer the VMM's console gives up for the run:
 *
 *   vdd_draw_screen   a whole 80x25 text screen drawn (every cell anew), a DOS program's: text
 *                     in light grey on black, a status line in yellow on blue, a few white
 *   vdd_draw_cell     one cell changed and the cursor moved on, as a teletype of one character
 *                     leaves the screen: the three cells that changed drawn
 *   vdd_vt_cell       the same change as VT sequences for COM1 (the bytes made, not sent)
 */
#include "guest/guest.h"
#include "bench/benchlib.h"
#include "console/console.h"
#include "../../vxd/vdd/vdraw.h"

static struct vdraw d;
static struct vterm t;
static uint16_t cells[80 * 25];
static char out[32768];

void drawbench_run(void)
{
    struct vmm_screen s;
    if (!console_screen_take(&s)) {
        kprintf("bench: vdd_draw_*: no framebuffer\n");
        return;
    }
    if (!vdraw_init(&d, s.base, s.width, s.height, s.pitch, s.red_mask, s.green_mask,
                    s.blue_mask, s.font, s.font_height)) {
        console_screen_give();
        kprintf("bench: vdd_draw_*: the framebuffer is not one VDD can draw on\n");
        return;
    }
    uint64_t over = bench_bracket();
    struct bench_stat screen = { 0 }, cell = { 0 }, vt = { 0 };
    struct vtext_view v = { 3, 80, 25, cells, 0, 0, 13, 14 };
    vdraw_update(&d, &v, 0);                        /* the mode set: the screen cleared */
    for (unsigned k = 0; k < 16; k++) {
        for (unsigned i = 0; i < 80 * 25; i++) {
            uint8_t a = i >= 24 * 80 ? 0x1E : (i % 80) < 10 && i / 80 == k ? 0x0F : 0x07;
            cells[i] = (uint16_t)(a << 8 | (0x21 + (i * 7 + k) % 90));
        }
        vdraw_redraw(&d);
        uint64_t t0 = rdtsc();
        vdraw_update(&d, &v, 0);
        bench_add(&screen, rdtsc() - t0 - over);
    }
    bench_print("vdd_draw_screen", &screen);
    vterm_update(&t, &v, out, sizeof out);
    for (unsigned k = 0; k < 256; k++) {
        unsigned at = (k % 1999);
        cells[at] = (uint16_t)(0x0700 | ('a' + k % 26));
        v.cursor_row = (int)((at + 1) / 80);
        v.cursor_col = (int)((at + 1) % 80);
        uint64_t t0 = rdtsc();
        vdraw_update(&d, &v, 0);
        bench_add(&cell, rdtsc() - t0 - over);
        t0 = rdtsc();
        vterm_update(&t, &v, out, sizeof out);
        bench_add(&vt, rdtsc() - t0 - over);
    }
    bench_print("vdd_draw_cell", &cell);
    bench_print("vdd_vt_cell", &vt);
    console_screen_give();
}
