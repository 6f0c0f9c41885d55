/*
 * The display's portable core (no hardware, no VMM services: unit-tested on the host): one VM's
 * display as the video BIOS and the CRTC keep it -- the INT 10h services over the VM's BIOS data
 * area and video memory, and the CRTC's registers as its ports 3D4h/3D5h set them.
 *
 * The state lives where a PC keeps it, so that programs that read it directly find it: the
 * mode, columns, page, cursor positions and shape in the BDA (40:49 ...), the text in the video
 * memory (B8000h: a cell a word, the character then its attribute), the pixels of mode 13h at
 * A0000h; the CRTC's registers here.
 */
#ifndef VDD_VTEXT_H
#define VDD_VTEXT_H
#include <stdint.h>
#include "vmm/client.h"

#define VTEXT_VRAM_SIZE   0x8000u       /* B8000h-BFFFFh */
#define VTEXT_GFX_SIZE    0x10000u      /* A0000h-AFFFFh */

struct vtext {
    uint8_t *mem;                       /* the VM's V86 space, 0-10FFEFh (where it is mapped) */
    uint32_t conv_end;                  /* the end of its conventional memory (bytes) */
    int gfx;                            /* A0000h-AFFFFh is mapped: mode 13h can be set */
    uint8_t crtc_index;
    uint8_t crtc[0x19];                 /* the CRTC's registers 00h-18h */
    uint32_t changed_lo, changed_hi;    /* the bytes of video memory the services wrote */
};

/* The display as a PC's is after its POST: mode 3, the screen blank, the cursor at 0,0. */
void vtext_reset(struct vtext *v);

/* INT 10h with the client registers r: 1 if the function is one this display has (its
 * results in r), 0 if not (r unchanged: the caller names it). */
int vtext_int10(struct vtext *v, struct client_regs *r);

/* The CRTC's ports: 3D4h the index, 3D5h the data of the register it selects. */
void    vtext_crtc_out(struct vtext *v, unsigned port, uint8_t value);
uint8_t vtext_crtc_in(const struct vtext *v, unsigned port);

/* What the screen shows, for the drawing: the mode, columns, rows; the cells of the page the
 * CRTC shows (its start address) and the cursor (its location register; row/column -1 if it is
 * off the page or hidden). */
struct vtext_view {
    uint8_t mode, cols, rows;
    const uint16_t *cells;              /* cols * rows, little-endian char | attr << 8 */
    int cursor_row, cursor_col;
    uint8_t cursor_start, cursor_end;   /* its scan lines (CRTC 0Ah, 0Bh) */
};
void vtext_view(const struct vtext *v, struct vtext_view *out);

/* The bytes of video memory (offsets from B8000h, [lo, hi): empty if lo >= hi) the services
 * wrote since the last call -- everything after a reset or a mode set.  What the VM's code
 * writes itself is not in it: the display learns that from the pages' dirty bits. */
void vtext_changed(struct vtext *v, uint32_t *lo, uint32_t *hi);

/* A message screen, as Windows 95's text-mode messages: 80 x 25 cells of white on blue, title
 * (inverse, centred) on row VTEXT_MSG_TOP, text from two rows below it, column 6, its words
 * wrapped before column 74 and a new row at each '\n'; what does not fit above row 23 is left
 * out, a word longer than a row is cut. */
#define VTEXT_MSG_TOP   7
void vtext_message(uint16_t *cells, const char *title, const char *text);

#endif
