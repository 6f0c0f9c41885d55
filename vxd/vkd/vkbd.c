/*
 * The keyboard's portable cores (vkbd.h): the BIOS's INT 09h translation into the BDA, and the
 * serial terminal's bytes as scan codes.
 */
#include "vkbd.h"

/* ---- the BIOS's INT 09h ------------------------------------------------------------------ */

#define KB_FLAG    0x417u               /* Ins Caps Num Scroll-active, Alt, Ctrl, LShift, RShift */
#define KB_FLAG1   0x418u               /* Ins Caps Num Scroll-down, Pause, SysReq, LAlt, LCtrl */
#define KB_HEAD    0x41Au
#define KB_TAIL    0x41Cu
#define KB_START   0x480u
#define KB_END     0x482u
#define KB_BREAK   0x471u               /* bit 7: Ctrl+Break was pressed */
#define KB_FLAG3   0x496u               /* 101-key, RAlt, RCtrl, last was E0, last was E1 */
#define KB_LEDS    0x497u

#define F_RSHIFT 0x01u
#define F_LSHIFT 0x02u
#define F_CTRL   0x04u
#define F_ALT    0x08u
#define F_SCROLL 0x10u
#define F_NUM    0x20u
#define F_CAPS   0x40u
#define F_INS    0x80u
#define F1_LCTRL 0x01u
#define F1_LALT  0x02u
#define F3_E1    0x01u
#define F3_E0    0x02u
#define F3_RCTRL 0x04u
#define F3_RALT  0x08u
#define F3_101   0x10u

/* The IBM BIOS's key words per scan code: normal, Shift, Ctrl, Alt (0: no key).  The keypad's
 * digits are its Shift column (NumLock swaps the columns). */
static const uint16_t keys[0x59][4] = {
    [0x01] = { 0x011B, 0x011B, 0x011B, 0x0100 },
    [0x02] = { 0x0231, 0x0221, 0x0000, 0x7800 },
    [0x03] = { 0x0332, 0x0340, 0x0300, 0x7900 },
    [0x04] = { 0x0433, 0x0423, 0x0000, 0x7A00 },
    [0x05] = { 0x0534, 0x0524, 0x0000, 0x7B00 },
    [0x06] = { 0x0635, 0x0625, 0x0000, 0x7C00 },
    [0x07] = { 0x0736, 0x075E, 0x071E, 0x7D00 },
    [0x08] = { 0x0837, 0x0826, 0x0000, 0x7E00 },
    [0x09] = { 0x0938, 0x092A, 0x0000, 0x7F00 },
    [0x0A] = { 0x0A39, 0x0A28, 0x0000, 0x8000 },
    [0x0B] = { 0x0B30, 0x0B29, 0x0000, 0x8100 },
    [0x0C] = { 0x0C2D, 0x0C5F, 0x0C1F, 0x8200 },
    [0x0D] = { 0x0D3D, 0x0D2B, 0x0000, 0x8300 },
    [0x0E] = { 0x0E08, 0x0E08, 0x0E7F, 0x0E00 },
    [0x0F] = { 0x0F09, 0x0F00, 0x9400, 0xA500 },
    [0x10] = { 0x1071, 0x1051, 0x1011, 0x1000 },
    [0x11] = { 0x1177, 0x1157, 0x1117, 0x1100 },
    [0x12] = { 0x1265, 0x1245, 0x1205, 0x1200 },
    [0x13] = { 0x1372, 0x1352, 0x1312, 0x1300 },
    [0x14] = { 0x1474, 0x1454, 0x1414, 0x1400 },
    [0x15] = { 0x1579, 0x1559, 0x1519, 0x1500 },
    [0x16] = { 0x1675, 0x1655, 0x1615, 0x1600 },
    [0x17] = { 0x1769, 0x1749, 0x1709, 0x1700 },
    [0x18] = { 0x186F, 0x184F, 0x180F, 0x1800 },
    [0x19] = { 0x1970, 0x1950, 0x1910, 0x1900 },
    [0x1A] = { 0x1A5B, 0x1A7B, 0x1A1B, 0x1A00 },
    [0x1B] = { 0x1B5D, 0x1B7D, 0x1B1D, 0x1B00 },
    [0x1C] = { 0x1C0D, 0x1C0D, 0x1C0A, 0x1C00 },
    [0x1E] = { 0x1E61, 0x1E41, 0x1E01, 0x1E00 },
    [0x1F] = { 0x1F73, 0x1F53, 0x1F13, 0x1F00 },
    [0x20] = { 0x2064, 0x2044, 0x2004, 0x2000 },
    [0x21] = { 0x2166, 0x2146, 0x2106, 0x2100 },
    [0x22] = { 0x2267, 0x2247, 0x2207, 0x2200 },
    [0x23] = { 0x2368, 0x2348, 0x2308, 0x2300 },
    [0x24] = { 0x246A, 0x244A, 0x240A, 0x2400 },
    [0x25] = { 0x256B, 0x254B, 0x250B, 0x2500 },
    [0x26] = { 0x266C, 0x264C, 0x260C, 0x2600 },
    [0x27] = { 0x273B, 0x273A, 0x0000, 0x2700 },
    [0x28] = { 0x2827, 0x2822, 0x0000, 0x2800 },
    [0x29] = { 0x2960, 0x297E, 0x0000, 0x2900 },
    [0x2B] = { 0x2B5C, 0x2B7C, 0x2B1C, 0x2B00 },
    [0x2C] = { 0x2C7A, 0x2C5A, 0x2C1A, 0x2C00 },
    [0x2D] = { 0x2D78, 0x2D58, 0x2D18, 0x2D00 },
    [0x2E] = { 0x2E63, 0x2E43, 0x2E03, 0x2E00 },
    [0x2F] = { 0x2F76, 0x2F56, 0x2F16, 0x2F00 },
    [0x30] = { 0x3062, 0x3042, 0x3002, 0x3000 },
    [0x31] = { 0x316E, 0x314E, 0x310E, 0x3100 },
    [0x32] = { 0x326D, 0x324D, 0x320D, 0x3200 },
    [0x33] = { 0x332C, 0x333C, 0x0000, 0x3300 },
    [0x34] = { 0x342E, 0x343E, 0x0000, 0x3400 },
    [0x35] = { 0x352F, 0x353F, 0x0000, 0x3500 },
    [0x37] = { 0x372A, 0x372A, 0x9600, 0x3700 },
    [0x39] = { 0x3920, 0x3920, 0x3920, 0x3920 },
    [0x3B] = { 0x3B00, 0x5400, 0x5E00, 0x6800 },
    [0x3C] = { 0x3C00, 0x5500, 0x5F00, 0x6900 },
    [0x3D] = { 0x3D00, 0x5600, 0x6000, 0x6A00 },
    [0x3E] = { 0x3E00, 0x5700, 0x6100, 0x6B00 },
    [0x3F] = { 0x3F00, 0x5800, 0x6200, 0x6C00 },
    [0x40] = { 0x4000, 0x5900, 0x6300, 0x6D00 },
    [0x41] = { 0x4100, 0x5A00, 0x6400, 0x6E00 },
    [0x42] = { 0x4200, 0x5B00, 0x6500, 0x6F00 },
    [0x43] = { 0x4300, 0x5C00, 0x6600, 0x7000 },
    [0x44] = { 0x4400, 0x5D00, 0x6700, 0x7100 },
    [0x47] = { 0x4700, 0x4737, 0x7700, 0x0000 },
    [0x48] = { 0x4800, 0x4838, 0x8D00, 0x0000 },
    [0x49] = { 0x4900, 0x4939, 0x8400, 0x0000 },
    [0x4A] = { 0x4A2D, 0x4A2D, 0x8E00, 0x4A00 },
    [0x4B] = { 0x4B00, 0x4B34, 0x7300, 0x0000 },
    [0x4C] = { 0x4C00, 0x4C35, 0x8F00, 0x0000 },
    [0x4D] = { 0x4D00, 0x4D36, 0x7400, 0x0000 },
    [0x4E] = { 0x4E2B, 0x4E2B, 0x9000, 0x4E00 },
    [0x4F] = { 0x4F00, 0x4F31, 0x7500, 0x0000 },
    [0x50] = { 0x5000, 0x5032, 0x9100, 0x0000 },
    [0x51] = { 0x5100, 0x5133, 0x7600, 0x0000 },
    [0x52] = { 0x5200, 0x5230, 0x9200, 0x0000 },
    [0x53] = { 0x5300, 0x532E, 0x9300, 0x0000 },
    [0x57] = { 0x8500, 0x8700, 0x8900, 0x8B00 },
    [0x58] = { 0x8600, 0x8800, 0x8A00, 0x8C00 },
};

/* The grey keys of the 101-key keyboard (E0 prefix) 47h-53h: the normal and Ctrl words carry
 * E0h as their character (INT 16h AH=10h shows it, AH=00h gives 00h); Alt's are their own. */
static const uint16_t grey_ctrl[13] = { 0x77E0, 0x8DE0, 0x84E0, 0, 0x73E0, 0, 0x74E0, 0,
                                        0x75E0, 0x91E0, 0x76E0, 0x92E0, 0x93E0 };
static const uint16_t grey_alt[13] = { 0x9700, 0x9800, 0x9900, 0, 0x9B00, 0, 0x9D00, 0,
                                       0x9F00, 0xA000, 0xA100, 0xA200, 0xA300 };

static uint16_t rd16(const uint8_t *mem, uint32_t a) { return (uint16_t)(mem[a] | mem[a + 1] << 8); }
static void wr16(uint8_t *mem, uint32_t a, uint16_t v)
{
    mem[a] = (uint8_t)v;
    mem[a + 1] = (uint8_t)(v >> 8);
}

/* The key word into the buffer at the tail; FFFFFFFFh if it is full (or its pointers are not a
 * buffer inside the BDA's segment: a program wrote them). */
static uint32_t queue(uint8_t *mem, uint16_t key)
{
    uint16_t head = rd16(mem, KB_HEAD), tail = rd16(mem, KB_TAIL);
    uint16_t start = rd16(mem, KB_START), end = rd16(mem, KB_END);
    if (start >= end || (end - start) & 1 || tail < start || tail >= end || (tail - start) & 1 ||
        end > 0xFFFEu)
        return 0xFFFFFFFFu;
    uint16_t next = (uint16_t)(tail + 2 >= end ? start : tail + 2);
    if (next == head)
        return 0xFFFFFFFFu;
    wr16(mem, 0x400u + tail, key);
    wr16(mem, KB_TAIL, next);
    return key;
}

void vkbd_bios_reset(uint8_t *mem)
{
    wr16(mem, KB_HEAD, 0x1E);
    wr16(mem, KB_TAIL, 0x1E);
    wr16(mem, KB_START, 0x1E);
    wr16(mem, KB_END, 0x3E);
    mem[KB_FLAG] = mem[KB_FLAG1] = mem[KB_LEDS] = 0;
    mem[KB_FLAG3] = F3_101;
}

uint32_t vkbd_bios_scan(uint8_t *mem, uint8_t scan)
{
    uint8_t f = mem[KB_FLAG], f1 = mem[KB_FLAG1], f3 = mem[KB_FLAG3];
    int e0 = (f3 & F3_E0) != 0, brk = (scan & 0x80) != 0;
    uint8_t code = scan & 0x7F;
    mem[KB_FLAG3] = f3 & (uint8_t)~F3_E0;
    if (scan == 0xE0) {
        mem[KB_FLAG3] |= F3_E0;
        return 0;
    }
    if (scan == 0xE1) {                 /* Pause: E1 1D 45 E1 9D C5, all ignored */
        mem[KB_FLAG3] |= F3_E1;
        return 0;
    }
    if (f3 & F3_E1) {
        if (code == 0x45)
            mem[KB_FLAG3] &= (uint8_t)~F3_E1;
        return 0;
    }
    switch (code) {                     /* the shift keys, made and broken */
    case 0x2A:
    case 0x36:
        if (e0)
            return 0;                   /* the 101-key keyboard's fake shifts */
        if (brk)
            f &= (uint8_t)~(code == 0x2A ? F_LSHIFT : F_RSHIFT);
        else
            f |= code == 0x2A ? F_LSHIFT : F_RSHIFT;
        mem[KB_FLAG] = f;
        return 0;
    case 0x1D:
    case 0x38: {
        uint8_t left = code == 0x1D ? F1_LCTRL : F1_LALT, right = code == 0x1D ? F3_RCTRL : F3_RALT;
        if (e0)
            f3 = brk ? (f3 & (uint8_t)~right) : (f3 | right);
        else
            f1 = brk ? (f1 & (uint8_t)~left) : (f1 | left);
        uint8_t any = ((f1 & left) || (f3 & right)) ? (code == 0x1D ? F_CTRL : F_ALT) : 0;
        f = (uint8_t)((f & ~(code == 0x1D ? F_CTRL : F_ALT)) | any);
        mem[KB_FLAG] = f;
        mem[KB_FLAG1] = f1;
        mem[KB_FLAG3] = f3 & (uint8_t)~(F3_E0 | F3_E1);
        return 0;
    }
    case 0x3A:                          /* the locks: toggled when made, not when repeated */
    case 0x45:
    case 0x46: {
        uint8_t act = code == 0x3A ? F_CAPS : code == 0x45 ? F_NUM : F_SCROLL;
        if (code == 0x46 && (f & F_CTRL) && !brk) {
            /* Ctrl+Break (the 101-key keyboard's E0 46, the 84-key's Ctrl+ScrollLock): as the
             * AT's BIOS, the buffer emptied, 40:71h's bit 7 set, a 0000h key word queued --
             * and INT 09h calls INT 1Bh */
            wr16(mem, KB_HEAD, rd16(mem, KB_START));
            wr16(mem, KB_TAIL, rd16(mem, KB_START));
            mem[KB_BREAK] |= 0x80;
            queue(mem, 0x0000);
            return VKBD_BREAK;
        }
        if (e0 && code == 0x46)
            return 0;                   /* Ctrl+Break's break code */
        if (brk)
            f1 &= (uint8_t)~act;
        else if (!(f1 & act)) {
            f1 |= act;
            f ^= act;
        }
        mem[KB_FLAG] = f;
        mem[KB_FLAG1] = f1;
        mem[KB_LEDS] = (uint8_t)((f >> 4) & 7);
        return 0;
    }
    }
    if (brk) {
        if (code == 0x52)
            mem[KB_FLAG1] = f1 & (uint8_t)~F_INS;
        return 0;
    }
    if (code >= 0x59)
        return 0;
    int shift = (f & (F_LSHIFT | F_RSHIFT)) != 0;
    uint16_t key;
    if (e0 && code >= 0x47 && code <= 0x53 && grey_ctrl[code - 0x47]) {    /* the grey keys */
        if (f & F_ALT)
            key = grey_alt[code - 0x47];
        else if (f & F_CTRL)
            key = grey_ctrl[code - 0x47];
        else
            key = (uint16_t)(code << 8 | 0xE0);
    } else if (e0 && code == 0x1C) {    /* the keypad's Enter */
        key = (f & F_ALT) ? 0xA600 : (f & F_CTRL) ? 0xE00A : 0xE00D;
    } else if (e0 && code == 0x35) {    /* the keypad's / */
        key = (f & F_ALT) ? 0xA400 : (f & F_CTRL) ? 0x9500 : 0xE02F;
    } else {
        const uint16_t *k = keys[code];
        if (f & F_ALT)
            key = k[3];
        else if (f & F_CTRL)
            key = k[2];
        else if (code >= 0x47 && code <= 0x53 && code != 0x4A && code != 0x4E)
            key = k[((f & F_NUM) != 0) != shift ? 1 : 0];       /* the keypad: NumLock */
        else {
            key = k[shift ? 1 : 0];
            uint8_t c = (uint8_t)key;
            if ((f & F_CAPS) && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
                key = k[shift ? 0 : 1];                         /* CapsLock: letters only */
        }
    }
    if (code == 0x52 && !(f & (F_ALT | F_CTRL)) && (e0 || !(((f & F_NUM) != 0) != shift))) {
        if (f1 & F_INS)
            return 0;                   /* Insert held down: toggled once */
        mem[KB_FLAG1] = f1 | F_INS;
        mem[KB_FLAG] = f ^ F_INS;
    }
    return key ? queue(mem, key) : 0;
}

/* ---- the serial terminal ---------------------------------------------------------------- */

#define M_SHIFT 1u
#define M_ALT   2u
#define M_CTRL  4u
#define EXT     0x100u                  /* a grey key: E0-prefixed */

/* The scan code of each printable ASCII character on a US keyboard; 80h: with Shift. */
static const uint8_t ascii_scan[95] = {
    0x39, 0x82, 0xA8, 0x84, 0x85, 0x86, 0x88, 0x28,     /*  !"#$%&' */
    0x8A, 0x8B, 0x89, 0x8D, 0x33, 0x0C, 0x34, 0x35,     /* ()*+,-./ */
    0x0B, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,     /* 01234567 */
    0x09, 0x0A, 0xA7, 0x27, 0xB3, 0x0D, 0xB4, 0xB5,     /* 89:;<=>? */
    0x83, 0x9E, 0xB0, 0xAE, 0xA0, 0x92, 0xA1, 0xA2,     /* @ABCDEFG */
    0xA3, 0x97, 0xA4, 0xA5, 0xA6, 0xB2, 0xB1, 0x98,     /* HIJKLMNO */
    0x99, 0x90, 0x93, 0x9F, 0x94, 0x96, 0xAF, 0x91,     /* PQRSTUVW */
    0xAD, 0x95, 0xAC, 0x1A, 0x2B, 0x1B, 0x87, 0x8C,     /* XYZ[\]^_ */
    0x29, 0x1E, 0x30, 0x2E, 0x20, 0x12, 0x21, 0x22,     /* `abcdefg */
    0x23, 0x17, 0x24, 0x25, 0x26, 0x32, 0x31, 0x18,     /* hijklmno */
    0x19, 0x10, 0x13, 0x1F, 0x14, 0x16, 0x2F, 0x11,     /* pqrstuvw */
    0x2D, 0x15, 0x2C, 0x9A, 0xAB, 0x9B, 0xA9,           /* xyz{|}~ */
};

/* A key (its scan code, EXT for a grey key) pressed and released with the modifiers held. */
static unsigned key(uint8_t *out, unsigned max, unsigned code, unsigned mods)
{
    uint8_t b[12];
    unsigned n = 0;
    if (mods & M_CTRL)
        b[n++] = 0x1D;
    if (mods & M_ALT)
        b[n++] = 0x38;
    if (mods & M_SHIFT)
        b[n++] = 0x2A;
    if (code & EXT)
        b[n++] = 0xE0;
    b[n++] = (uint8_t)code;
    if (code & EXT)
        b[n++] = 0xE0;
    b[n++] = (uint8_t)(code | 0x80);
    if (mods & M_SHIFT)
        b[n++] = 0xAA;
    if (mods & M_ALT)
        b[n++] = 0xB8;
    if (mods & M_CTRL)
        b[n++] = 0x9D;
    if (n > max)
        return 0;
    for (unsigned i = 0; i < n; i++)
        out[i] = b[i];
    return n;
}

/* A character typed: printable, or a control character (Ctrl+letter ...). */
static unsigned ascii(uint8_t *out, unsigned max, uint8_t c, unsigned mods)
{
    if (c >= 0x20 && c < 0x7F) {
        uint8_t s = ascii_scan[c - 0x20];
        return key(out, max, s & 0x7Fu, mods | (s & 0x80 ? M_SHIFT : 0));
    }
    switch (c) {
    case 0x08:
    case 0x7F:
        return key(out, max, 0x0E, mods);               /* Backspace */
    case 0x09:
        return key(out, max, 0x0F, mods);               /* Tab */
    case 0x0D:
        return key(out, max, 0x1C, mods);               /* Enter */
    case 0x1B:
        return key(out, max, 0x01, mods);               /* Esc */
    case 0x00:
        return key(out, max, 0x03, mods | M_CTRL);      /* Ctrl+@ (Ctrl+2) */
    case 0x1C:
        return key(out, max, 0x2B, mods | M_CTRL);      /* Ctrl+\ */
    case 0x1D:
        return key(out, max, 0x1B, mods | M_CTRL);      /* Ctrl+] */
    case 0x1E:
        return key(out, max, 0x07, mods | M_CTRL);      /* Ctrl+^ (Ctrl+6) */
    case 0x1F:
        return key(out, max, 0x0C, mods | M_CTRL);      /* Ctrl+_ (Ctrl+-) */
    }
    if (c >= 0x01 && c <= 0x1A)                         /* Ctrl+letter */
        return key(out, max, ascii_scan['a' + c - 1 - 0x20], mods | M_CTRL);
    return 0;                                           /* not ASCII: no key */
}

/* The key of a CSI/SS3 sequence's final byte and first parameter; 0 if none. */
static unsigned seq_key(uint8_t final, unsigned p0, int ss3)
{
    switch (final) {
    case 'A': return EXT | 0x48;
    case 'B': return EXT | 0x50;
    case 'C': return EXT | 0x4D;
    case 'D': return EXT | 0x4B;
    case 'H': return EXT | 0x47;
    case 'F': return EXT | 0x4F;
    case 'P': return 0x3B;
    case 'Q': return 0x3C;
    case 'R': return 0x3D;
    case 'S': return 0x3E;
    case 'M': return ss3 ? 0x1C : 0;    /* the keypad's Enter in application mode */
    case '~':
        switch (p0) {
        case 1: case 7: return EXT | 0x47;
        case 2: return EXT | 0x52;
        case 3: return EXT | 0x53;
        case 4: case 8: return EXT | 0x4F;
        case 5: return EXT | 0x49;
        case 6: return EXT | 0x51;
        case 11: case 12: case 13: case 14: case 15: return 0x3B + p0 - 11;   /* F1-F5 */
        case 17: case 18: case 19: case 20: case 21: return 0x40 + p0 - 17;   /* F6-F10 */
        case 23: return 0x57;
        case 24: return 0x58;
        }
    }
    return 0;
}

unsigned vkbd_vt_byte(struct vkbd_vt *t, uint8_t c, uint8_t *out, unsigned max)
{
    int after_cr = t->after_cr;
    t->after_cr = 0;
    switch (t->state) {
    case 1:                             /* after ESC */
        if (c == '[') {
            t->state = 2;
            t->nparam = 0;
            t->param[0] = t->param[1] = 0;
            return 0;
        }
        if (c == 'O') {
            t->state = 3;
            t->nparam = 0;
            t->param[0] = t->param[1] = 0;
            return 0;
        }
        t->state = 0;
        if (c == 0x1B) {                /* ESC ESC: the first was the Esc key */
            t->state = 1;
            return key(out, max, 0x01, 0);
        }
        return ascii(out, max, c, M_ALT);                   /* Meta: ESC + c is Alt+c */
    case 2:                             /* CSI: parameters, then the final byte */
    case 3:
    case 4:
        if (c >= '0' && c <= '9') {
            unsigned i = t->nparam < 4 ? t->nparam : 3;
            if (t->param[i] < 1000)
                t->param[i] = (uint16_t)(t->param[i] * 10 + (c - '0'));
            return 0;
        }
        if (c == ';') {
            if (t->nparam < 3)
                t->param[++t->nparam] = 0;
            return 0;
        }
        if (c == '[' && t->state == 2 && t->nparam == 0 && !t->param[0]) {
            t->state = 4;               /* the Linux console's ESC [ [ A-E: F1-F5 */
            return 0;
        }
        if (c >= 0x40 && c <= 0x7E) {
            unsigned st = t->state, mods = 0, k;
            t->state = 0;
            if (st == 4)
                k = c >= 'A' && c <= 'E' ? 0x3Bu + (c - 'A') : 0;
            else
                k = seq_key(c, t->param[0], st == 3);
            if (t->nparam >= 1 && t->param[1] >= 2)         /* xterm: 1 + Shift 1 Alt 2 Ctrl 4 */
                mods = (t->param[1] - 1u) & 7u;
            return k ? key(out, max, k, mods) : 0;
        }
        if (c < 0x20 || c > 0x7E)       /* not part of a sequence: it ends, c begins anew */
            t->state = 0;
        else
            return 0;                   /* an intermediate byte: ignored */
        break;
    }
    if (c == 0x1B) {
        t->state = 1;
        return 0;
    }
    if (c == 0x0A && after_cr)
        return 0;                       /* CR LF: one Enter */
    if (c == 0x0D)
        t->after_cr = 1;
    if (c == 0x0A)
        c = 0x0D;                       /* a lone LF is Enter too */
    return ascii(out, max, c, 0);
}

unsigned vkbd_vt_idle(struct vkbd_vt *t, uint8_t *out, unsigned max)
{
    unsigned st = t->state;
    t->state = 0;
    return st == 1 ? key(out, max, 0x01, 0) : 0;
}
