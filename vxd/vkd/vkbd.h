/*
 * The keyboard's portable cores (no hardware, no VMM services: unit-tested on the host).
 *
 * 1. The BIOS's side (vkbd_bios_scan): what a PC/AT BIOS's INT 09h does with a scan code of set
 *    1 once INT 15h AH=4Fh has let it through -- the shift states at 40:17h, 40:18h and 40:96h
 *    (Shift, Ctrl, Alt, the locks, the E0 and E1 prefixes) and the key words (scan code << 8 |
 *    character, the codes of the IBM BIOS's tables) queued in the keyboard buffer whose head,
 *    tail, start and end are at 40:1Ah, 1Ch, 80h and 82h -- over the VM's memory, as on a PC, so
 *    that INT 16h and programs that read the buffer themselves find the keys.
 *
 * 2. The serial terminal's side (vkbd_vt_byte, vkbd_vt_idle): the bytes a VT100/xterm terminal
 *    sends, as the scan codes of set 1 a PC/AT keyboard with a US layout would send for the same
 *    keys -- printable ASCII (with Shift where the character needs it), Enter, Backspace (BS or
 *    DEL), Tab, Esc, Ctrl+letter and the other control characters, the arrows, Home, End, PgUp,
 *    PgDn, Ins, Del and F1-F12 from their escape sequences (with xterm's Shift/Alt/Ctrl
 *    modifier parameter), and ESC + character as Alt+character.  A lone ESC is the Esc key once
 *    the line has been idle (vkbd_vt_idle); CR LF is one Enter.
 */
#ifndef VKD_VKBD_H
#define VKD_VKBD_H
#include <stdint.h>

/* ---- the BIOS's INT 09h ------------------------------------------------------------------ */

/* Scan code `scan` through the BIOS's translation, on the VM's memory `mem` (its V86 space from
 * linear 0): the shift states updated, the key (if any) queued.  The key word queued, 0 if the
 * code queues none (a break, a shift key, a prefix), FFFFFFFFh if the buffer was full,
 * VKBD_BREAK for Ctrl+Break (the buffer emptied, 0000h queued, 40:71h bit 7 set): the BIOS's
 * INT 09h then calls INT 1Bh. */
#define VKBD_BREAK 0x10000u
uint32_t vkbd_bios_scan(uint8_t *mem, uint8_t scan);

/* The BIOS's keyboard state in the BDA as a PC's POST leaves it: an empty 16-key buffer at
 * 40:1Eh-3Dh, no shift, a 101-key keyboard. */
void vkbd_bios_reset(uint8_t *mem);

/* ---- the serial terminal ---------------------------------------------------------------- */

struct vkbd_vt {
    uint8_t state;                      /* 0 ground, 1 after ESC, 2 CSI, 3 SS3, 4 CSI [ */
    uint8_t nparam;
    uint16_t param[4];
    uint8_t after_cr;                   /* the last byte was CR: an LF now is no key */
};

/* One byte from the terminal: the scan codes it completes into out (at most `max`; a key with
 * modifiers is at most 10 bytes, so 16 is always room), their number. */
unsigned vkbd_vt_byte(struct vkbd_vt *t, uint8_t c, uint8_t *out, unsigned max);

/* The line went idle: a pending lone ESC is the Esc key; an unfinished sequence is dropped. */
unsigned vkbd_vt_idle(struct vkbd_vt *t, uint8_t *out, unsigned max);

/* ---- the keyboard controller ------------------------------------------------------------- */

/* 3. One VM's 8042 (v8042.c): the keyboard's bytes waiting for its output buffer (port 60h),
 *    the status (64h: output buffer full, system flag, keyboard enabled), the command byte
 *    (IRQ 1 enable, disable), the output port (A20, reset) and port 92h's A20, and the commands
 *    a PC program gives -- the controller's (20h/60h command byte, AAh/ABh tests, ADh/AEh
 *    disable/enable, D0h/D1h output port, DDh/DFh A20, FEh reset) and the keyboard's (EDh LEDs,
 *    F2h identify, F3h typematic, F4h/F5h enable/disable, FFh reset: each acknowledged, FAh). */
struct v8042 {
    uint8_t q[32];                      /* bytes for the output buffer, oldest at q[qh] */
    uint8_t qh, qn;
    uint8_t obf, out;                   /* the output buffer: full, and its byte */
    uint8_t cmd;                        /* the command byte */
    uint8_t expect;                     /* the controller command whose data 60h takes next */
    uint8_t kexpect;                    /* the keyboard command whose data 60h takes next */
    uint8_t outport;                    /* bit 0 not in reset, bit 1 A20 */
    uint8_t port92;                     /* bit 1 A20 (the fast gate) */
    uint8_t scanning;                   /* the keyboard sends keys (F4h / F5h) */
};

#define V8042_CMD_IRQ1    0x01u
#define V8042_CMD_DISABLE 0x10u
#define V8042_A20         0x01u         /* a write changed the A20 gate: v8042_a20 */
#define V8042_RESET       0x02u         /* a write pulsed the CPU's reset */

void     v8042_reset(struct v8042 *k);             /* as a PC's BIOS leaves it: A20 off */
int      v8042_key(struct v8042 *k, uint8_t scan); /* a byte from the keyboard; 0 if dropped */
uint8_t  v8042_read(struct v8042 *k, unsigned port);              /* 60h, 64h, 92h */
unsigned v8042_write(struct v8042 *k, unsigned port, uint8_t v);  /* 60h, 64h, 92h: effects */
void     v8042_next(struct v8042 *k);  /* the next byte into an empty output buffer */
int      v8042_irq(const struct v8042 *k);         /* the IRQ 1 line */
int      v8042_a20(const struct v8042 *k);         /* the A20 gate: the output port's or 92h's */

#endif
