/*
 * The display's portable core: INT 10h and the CRTC over a VM's BDA and video memory
 * (vtext.h).  Text modes 00h-03h (40 or 80 columns, 25 rows, 8 pages at B8000h) and mode 13h
 * (320x200, 256 colours at A0000h; no characters drawn there yet: the console's font is not in
 * the BIOS image).
 */
#include "vtext.h"
#include "vmm/vbios.h"

#define BDA         0x400u
#define VRAM        0xB8000u
#define GFX         0xA0000u
#define V86_TOP     0x10FFF0u

/* BDA offsets */
#define B_MODE      0x49
#define B_COLS      0x4A
#define B_PAGESIZE  0x4C
#define B_START     0x4E
#define B_CURSOR    0x50                /* 8 pages: column, row */
#define B_SHAPE     0x60                /* end line, start line */
#define B_PAGE      0x62
#define B_CRTC      0x63
#define B_MODESEL   0x65
#define B_PALETTE   0x66
#define B_ROWS      0x84                /* rows - 1 */
#define B_CHARH     0x85
#define B_EGAMISC   0x87

static uint8_t *bda(const struct vtext *v) { return v->mem + BDA; }
static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static void wr16(uint8_t *p, uint16_t x) { p[0] = (uint8_t)x; p[1] = (uint8_t)(x >> 8); }

static int text_mode(uint8_t m) { return m <= 3; }
static unsigned cols(const struct vtext *v)
{
    unsigned c = rd16(bda(v) + B_COLS);
    return c ? c : 80;
}
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)(p[0] | p[1] << 8 | p[2] << 16) | (uint32_t)p[3] << 24;
}
static unsigned rows(const struct vtext *v) { return bda(v)[B_ROWS] + 1u; }
static unsigned page_size(const struct vtext *v) { return rd16(bda(v) + B_PAGESIZE); }

/* The cell of page p at row y, column x (p < 8, y < rows, x < cols: callers clamp). */
static uint8_t *cell(const struct vtext *v, unsigned p, unsigned y, unsigned x)
{
    uint32_t off = p * page_size(v) + (y * cols(v) + x) * 2;
    return v->mem + VRAM + (off & (VTEXT_VRAM_SIZE - 2));
}

/* ... that cell, to be written: counted in what the services changed (vtext_changed). */
static uint8_t *cell_w(struct vtext *v, unsigned p, unsigned y, unsigned x)
{
    uint8_t *c = cell(v, p, y, x);
    uint32_t off = (uint32_t)(c - (v->mem + VRAM));
    if (off < v->changed_lo)
        v->changed_lo = off;
    if (off + 2 > v->changed_hi)
        v->changed_hi = off + 2;
    return c;
}

static void crtc_cursor(struct vtext *v)
{
    uint8_t *b = bda(v);
    unsigned p = b[B_PAGE] & 7;
    uint16_t at = (uint16_t)(rd16(b + B_START) / 2 + b[B_CURSOR + 2 * p + 1] * cols(v) +
                             b[B_CURSOR + 2 * p]);
    v->crtc[0x0E] = (uint8_t)(at >> 8);
    v->crtc[0x0F] = (uint8_t)at;
}

static void crtc_start(struct vtext *v)
{
    uint16_t at = rd16(bda(v) + B_START) / 2;
    v->crtc[0x0C] = (uint8_t)(at >> 8);
    v->crtc[0x0D] = (uint8_t)at;
}

static void set_cursor(struct vtext *v, unsigned p, unsigned y, unsigned x)
{
    uint8_t *b = bda(v);
    p &= 7;
    b[B_CURSOR + 2 * p] = (uint8_t)x;
    b[B_CURSOR + 2 * p + 1] = (uint8_t)y;
    if (p == b[B_PAGE])
        crtc_cursor(v);
}

static void set_shape(struct vtext *v, uint8_t start, uint8_t end)
{
    bda(v)[B_SHAPE] = end;
    bda(v)[B_SHAPE + 1] = start;
    v->crtc[0x0A] = start;
    v->crtc[0x0B] = end;
}

static int set_mode(struct vtext *v, uint8_t mode)
{
    int clear = !(mode & 0x80);
    mode &= 0x7F;
    if (!text_mode(mode) && !(mode == 0x13 && v->gfx))
        return 0;
    uint8_t *b = bda(v);
    b[B_MODE] = mode;
    wr16(b + B_COLS, mode == 0x13 || mode <= 1 ? 40 : 80);
    wr16(b + B_PAGESIZE, mode == 0x13 ? 0xFA00 : mode <= 1 ? 0x800 : 0x1000);
    wr16(b + B_START, 0);
    for (unsigned i = 0; i < 16; i++)
        b[B_CURSOR + i] = 0;
    b[B_PAGE] = 0;
    b[B_ROWS] = 24;
    wr16(b + B_CHARH, mode == 0x13 ? 8 : 16);
    b[B_MODESEL] = mode == 0x13 ? 0x0E : mode <= 1 ? 0x28 : 0x29;
    b[B_PALETTE] = 0x30;
    b[B_EGAMISC] = (uint8_t)((b[B_EGAMISC] & 0x7F) | (clear ? 0 : 0x80));
    if (clear) {
        if (mode == 0x13)
            for (uint32_t i = 0; i < VTEXT_GFX_SIZE; i++)
                v->mem[GFX + i] = 0;
        else
            for (uint32_t i = 0; i < VTEXT_VRAM_SIZE; i += 2)
                wr16(v->mem + VRAM + i, 0x0720);
    }
    v->changed_lo = 0;                          /* a new mode: everything to be drawn again */
    v->changed_hi = VTEXT_VRAM_SIZE;
    set_shape(v, 6, 7);
    crtc_start(v);
    crtc_cursor(v);
    return 1;
}

void vtext_reset(struct vtext *v)
{
    v->changed_lo = 0;
    v->changed_hi = VTEXT_VRAM_SIZE;
    for (unsigned i = 0; i < sizeof v->crtc; i++)
        v->crtc[i] = 0;
    v->crtc_index = 0;
    v->crtc[0x01] = 79;                         /* the horizontal display end */
    v->crtc[0x09] = 15;                         /* the character height - 1 */
    v->crtc[0x12] = 0x8F;                       /* the vertical display end (400 lines) */
    uint8_t *b = bda(v);                        /* the VGA's configuration in the BDA */
    wr16(b + B_CRTC, 0x3D4);
    b[B_EGAMISC] = 0x60;
    b[0x88] = 0x09;
    b[0x89] = 0x11;
    b[0x8A] = 0x08;
    set_mode(v, 3);
}

/* AH=06h/07h: the window CH,CL - DH,DL moved up (or down) AL lines, the lines it opens filled
 * with blanks of attribute BH; AL 0 (or more than the window) blanks it. */
static void scroll(struct vtext *v, int up, unsigned n, uint8_t attr, unsigned top,
                   unsigned left, unsigned bottom, unsigned right)
{
    unsigned nr = rows(v), nc = cols(v), p = bda(v)[B_PAGE] & 7;
    if (bottom >= nr)
        bottom = nr - 1;
    if (right >= nc)
        right = nc - 1;
    if (top > bottom || left > right)
        return;
    unsigned h = bottom - top + 1;
    if (n == 0 || n > h)
        n = h;
    for (unsigned i = 0; i < h; i++) {
        unsigned y = up ? top + i : bottom - i;             /* the row written */
        int from = up ? (int)(y + n) : (int)y - (int)n;     /* the row it takes */
        for (unsigned x = left; x <= right; x++) {
            uint8_t *c = cell_w(v, p, y, x);
            if (from >= (int)top && from <= (int)bottom) {
                const uint8_t *s = cell(v, p, (unsigned)from, x);
                c[0] = s[0];
                c[1] = s[1];
            } else {
                c[0] = ' ';
                c[1] = attr;
            }
        }
    }
}

/* AH=0Eh: one character as a terminal writes it: BEL nothing, BS back, CR, LF, the rest at the
 * cursor (with attribute attr, or the cell's own if attr < 0), which moves on, wrapping and
 * scrolling the screen up (blank line attribute 07h). */
static void teletype(struct vtext *v, uint8_t ch, int attr)
{
    uint8_t *b = bda(v);
    unsigned p = b[B_PAGE] & 7, x = b[B_CURSOR + 2 * p], y = b[B_CURSOR + 2 * p + 1];
    unsigned nc = cols(v), nr = rows(v);
    switch (ch) {
    case 7:
        return;
    case 8:
        if (x)
            x--;
        break;
    case 13:
        x = 0;
        break;
    case 10:
        y++;
        break;
    default:
        if (text_mode(b[B_MODE]) && y < nr && x < nc) {
            uint8_t *c = cell_w(v, p, y, x);
            c[0] = ch;
            if (attr >= 0)
                c[1] = (uint8_t)attr;
        }
        if (++x >= nc) {
            x = 0;
            y++;
        }
    }
    if (y >= nr) {
        if (text_mode(b[B_MODE]))
            scroll(v, 1, 1, 0x07, 0, 0, nr - 1, nc - 1);
        y = nr - 1;
    }
    set_cursor(v, p, y, x);
}

/* lin .. lin + n lies in memory the VM has: its conventional memory, the BIOS, the HMA. */
static int readable(const struct vtext *v, uint32_t lin, uint32_t n)
{
    if (n > V86_TOP || lin > V86_TOP - n)
        return 0;
    return lin + n <= v->conv_end || lin >= 0xF0000u;
}

/* AH=13h: write the string ES:BP (CX characters, or pairs of character and attribute if AL bit
 * 1) at row DH, column DL of page BH, attribute BL, moving the cursor if AL bit 0. */
static void write_string(struct vtext *v, struct client_regs *r)
{
    uint8_t *b = bda(v), al = (uint8_t)r->eax, attr = (uint8_t)r->ebx;
    unsigned p = (r->ebx >> 8) & 7, n = r->ecx & 0xFFFF, pairs = al & 2;
    uint32_t at = (r->es & 0xFFFF) * 16u + (r->ebp & 0xFFFF);
    if (!readable(v, at, n * (pairs ? 2 : 1)))
        return;
    unsigned save_x = b[B_CURSOR + 2 * p], save_y = b[B_CURSOR + 2 * p + 1];
    unsigned cur = b[B_PAGE];
    b[B_PAGE] = (uint8_t)p;                     /* teletype writes the page it is given */
    set_cursor(v, p, (r->edx >> 8) & 0xFF, r->edx & 0xFF);
    for (unsigned i = 0; i < n; i++)
        teletype(v, v->mem[at + i * (pairs ? 2 : 1)], pairs ? v->mem[at + i * 2 + 1] : attr);
    b[B_PAGE] = (uint8_t)cur;
    if (!(al & 1))
        set_cursor(v, p, save_y, save_x);
    crtc_cursor(v);                             /* the shown page's cursor, whichever was written */
}

static void set_al(struct client_regs *r, uint8_t x) { r->eax = (r->eax & ~0xFFu) | x; }
static void set_ax(struct client_regs *r, uint16_t x) { r->eax = (r->eax & ~0xFFFFu) | x; }

int vtext_int10(struct vtext *v, struct client_regs *r)
{
    uint8_t *b = bda(v), ah = (uint8_t)(r->eax >> 8), al = (uint8_t)r->eax;
    uint8_t bh = (uint8_t)(r->ebx >> 8), bl = (uint8_t)r->ebx;
    unsigned p = bh & 7;
    switch (ah) {
    case 0x00:
        return set_mode(v, al);
    case 0x01:
        set_shape(v, (uint8_t)(r->ecx >> 8), (uint8_t)r->ecx);
        return 1;
    case 0x02:
        set_cursor(v, p, (r->edx >> 8) & 0xFF, r->edx & 0xFF);
        return 1;
    case 0x03:
        r->edx = (r->edx & ~0xFFFFu) | rd16(b + B_CURSOR + 2 * p);     /* DH row, DL col */
        r->ecx = (r->ecx & ~0xFFFFu) | (uint32_t)b[B_SHAPE + 1] << 8 | b[B_SHAPE];
        set_ax(r, 0);
        return 1;
    case 0x05:
        if (al > 7)
            return 1;
        b[B_PAGE] = al;
        wr16(b + B_START, (uint16_t)(al * page_size(v)));
        crtc_start(v);
        crtc_cursor(v);
        return 1;
    case 0x06:
    case 0x07:
        if (text_mode(b[B_MODE]))
            scroll(v, ah == 6, al, bh, (r->ecx >> 8) & 0xFF, r->ecx & 0xFF,
                   (r->edx >> 8) & 0xFF, r->edx & 0xFF);
        return 1;
    case 0x08: {
        unsigned x = b[B_CURSOR + 2 * p], y = b[B_CURSOR + 2 * p + 1];
        if (text_mode(b[B_MODE]) && x < cols(v) && y < rows(v)) {
            const uint8_t *c = cell(v, p, y, x);
            set_ax(r, (uint16_t)(c[1] << 8 | c[0]));
        } else
            set_ax(r, 0);
        return 1;
    }
    case 0x09:
    case 0x0A: {
        unsigned x = b[B_CURSOR + 2 * p], y = b[B_CURSOR + 2 * p + 1], n = r->ecx & 0xFFFF;
        if (!text_mode(b[B_MODE]))
            return 1;
        for (unsigned i = 0; i < n && y < rows(v); i++) {
            uint8_t *c = cell_w(v, p, y, x);
            c[0] = al;
            if (ah == 9)
                c[1] = bl;
            if (++x >= cols(v)) {
                x = 0;
                y++;
            }
        }
        return 1;
    }
    case 0x0E:
        teletype(v, al, -1);
        return 1;
    case 0x0F:
        set_ax(r, (uint16_t)(cols(v) << 8 | b[B_MODE] | (b[B_EGAMISC] & 0x80)));
        r->ebx = (r->ebx & ~0xFF00u) | (uint32_t)b[B_PAGE] << 8;
        return 1;
    case 0x10:                                  /* the palette: no colours but the 16 */
        return 1;
    case 0x11: {                                /* 1130h: where the fonts are */
        if (al != 0x30)
            return 0;
        uint8_t bh = (uint8_t)(r->ebx >> 8);
        uint32_t at;                            /* seg << 16 | off (include/vmm/vbios.h) */
        switch (bh) {
        case 0x00: at = rd32(v->mem + 0x1F * 4); break;     /* INT 1Fh's */
        case 0x01: at = rd32(v->mem + 0x43 * 4); break;     /* INT 43h's */
        case 0x02: at = VBIOS_FONT_8X14; break;
        case 0x03: at = VBIOS_FONT_8X8; break;
        case 0x04: at = VBIOS_FONT_8X8_HIGH; break;
        case 0x06: at = VBIOS_FONT_8X16; break;
        case 0x05:                              /* the 9-dot alternates: none (an empty list) */
        case 0x07: at = VBIOS_FONT_NO_ALT; break;
        default: return 0;
        }
        r->es = at >> 16;
        r->ebp = (r->ebp & ~0xFFFFu) | (at & 0xFFFF);
        r->ecx = (r->ecx & ~0xFFFFu) | b[B_CHARH];
        r->edx = (r->edx & ~0xFFu) | b[B_ROWS];
        return 1;
    }
    case 0x12:
        if (bl != 0x10)
            return 0;
        r->ebx = (r->ebx & ~0xFFFFu) | 0x0003;  /* colour, 256 KB */
        r->ecx &= ~0xFFFFu;
        return 1;
    case 0x13:
        write_string(v, r);
        return 1;
    case 0x1A:
        if (al != 0)
            return 0;
        set_al(r, 0x1A);
        r->ebx = (r->ebx & ~0xFFFFu) | 0x0008;  /* VGA with a colour display */
        return 1;
    }
    return 0;
}

void vtext_crtc_out(struct vtext *v, unsigned port, uint8_t value)
{
    if (port == 0x3D4) {
        v->crtc_index = value;
        return;
    }
    if (v->crtc_index >= sizeof v->crtc)
        return;
    v->crtc[v->crtc_index] = value;
    if (v->crtc_index == 0x0E || v->crtc_index == 0x0F) {    /* the cursor: the BDA follows */
        uint8_t *b = bda(v);
        unsigned at = (unsigned)(v->crtc[0x0E] << 8 | v->crtc[0x0F]), start = rd16(b + B_START) / 2;
        if (at >= start && text_mode(b[B_MODE])) {
            unsigned p = b[B_PAGE] & 7, off = at - start;
            if (off / cols(v) < rows(v)) {
                b[B_CURSOR + 2 * p] = (uint8_t)(off % cols(v));
                b[B_CURSOR + 2 * p + 1] = (uint8_t)(off / cols(v));
            }
        }
    }
}

uint8_t vtext_crtc_in(const struct vtext *v, unsigned port)
{
    if (port == 0x3D4)
        return v->crtc_index;
    return v->crtc_index < sizeof v->crtc ? v->crtc[v->crtc_index] : 0xFF;
}

void vtext_view(const struct vtext *v, struct vtext_view *out)
{
    const uint8_t *b = v->mem + BDA;
    unsigned start = (unsigned)(v->crtc[0x0C] << 8 | v->crtc[0x0D]) * 2u;
    out->mode = b[B_MODE];
    out->cols = (uint8_t)cols(v);
    out->rows = (uint8_t)rows(v);
    if (start + out->cols * out->rows * 2u > VTEXT_VRAM_SIZE)
        start = 0;
    out->cells = (const uint16_t *)(v->mem + VRAM + start);
    unsigned at = (unsigned)(v->crtc[0x0E] << 8 | v->crtc[0x0F]) * 2u;
    out->cursor_row = out->cursor_col = -1;
    out->cursor_start = v->crtc[0x0A] & 0x1F;
    out->cursor_end = v->crtc[0x0B] & 0x1F;
    if (text_mode(out->mode) && !(v->crtc[0x0A] & 0x20) && at >= start &&
        (at - start) / 2 < (unsigned)out->cols * out->rows) {
        out->cursor_row = (int)((at - start) / 2 / out->cols);
        out->cursor_col = (int)((at - start) / 2 % out->cols);
    }
}

void vtext_changed(struct vtext *v, uint32_t *lo, uint32_t *hi)
{
    *lo = v->changed_lo;
    *hi = v->changed_hi;
    v->changed_lo = VTEXT_VRAM_SIZE;
    v->changed_hi = 0;
}

void vtext_message(uint16_t *cells, const char *title, const char *text)
{
    enum { COLS = 80, ROWS = 25, LEFT = 6, RIGHT = 74, LAST = 22 };
    const uint16_t blank = 0x1F00 | ' ';
    for (unsigned i = 0; i < COLS * ROWS; i++)
        cells[i] = blank;
    unsigned n = 0;
    while (title && title[n] && n < COLS - 2)
        n++;
    uint16_t *t = cells + VTEXT_MSG_TOP * COLS + (COLS - (n + 2)) / 2;
    for (unsigned i = 0; i < n + 2; i++)
        t[i] = (uint16_t)(0x7100 | (i && i <= n ? (uint8_t)title[i - 1] : ' '));
    unsigned row = VTEXT_MSG_TOP + 2, col = LEFT;
    for (const char *w = text ? text : ""; *w && row <= LAST;) {
        if (*w == '\n') {
            row++;
            col = LEFT;
            w++;
            continue;
        }
        if (*w == ' ') {
            w++;
            if (col > LEFT)
                col++;
            continue;
        }
        unsigned len = 0;
        while (w[len] && w[len] != ' ' && w[len] != '\n')
            len++;
        if (col > LEFT && col + len > RIGHT) {      /* the word on the next row */
            row++;
            col = LEFT;
            if (row > LAST)
                break;
        }
        for (unsigned i = 0; i < len; i++, col++)
            if (col < RIGHT)
                cells[row * COLS + col] = (uint16_t)(0x1F00 | (uint8_t)w[i]);
        w += len;
    }
}
