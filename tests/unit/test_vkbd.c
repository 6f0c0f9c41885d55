/*
 * Host tests for vxd/vkd/vkbd.c: the BIOS's INT 09h translation into a VM's BDA (a 1 MB buffer;
 * the BDA's keyboard fields checked, the rest of memory compared with a copy), and the serial
 * terminal's bytes as scan codes, then the two together: what a terminal sends ends as the key
 * words a PC's BIOS would queue.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../vxd/vkd/vkbd.h"

#define MEM 0x100000u
static uint8_t *mem, *shadow;

static void setup(void)
{
    mem = calloc(1, MEM);
    shadow = calloc(1, MEM);
    cr_assert(mem && shadow);
    vkbd_bios_reset(mem);
}
static void teardown(void)
{
    free(mem);
    free(shadow);
}
TestSuite(vkbd, .init = setup, .fini = teardown);

static uint16_t rd16(uint32_t a) { return (uint16_t)(mem[a] | mem[a + 1] << 8); }

/* Every key word queued, in order; the buffer emptied. */
static unsigned drain(uint16_t *out, unsigned max)
{
    unsigned n = 0;
    while (rd16(0x41A) != rd16(0x41C) && n < max) {
        uint16_t h = rd16(0x41A);
        out[n++] = rd16(0x400 + h);
        h = (uint16_t)(h + 2 >= rd16(0x482) ? rd16(0x480) : h + 2);
        mem[0x41A] = (uint8_t)h;
        mem[0x41B] = (uint8_t)(h >> 8);
    }
    return n;
}

static void scans(const uint8_t *s, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        vkbd_bios_scan(mem, s[i]);
}

/* Bytes typed on the terminal, through the BIOS: the key words. */
static unsigned typed(const char *bytes, unsigned len, uint16_t *out, unsigned max)
{
    struct vkbd_vt t = { 0 };
    uint8_t sc[16];
    for (unsigned i = 0; i < len; i++) {
        unsigned n = vkbd_vt_byte(&t, (uint8_t)bytes[i], sc, sizeof sc);
        scans(sc, n);
    }
    scans(sc, vkbd_vt_idle(&t, sc, sizeof sc));
    return drain(out, max);
}

Test(vkbd, reset_state)
{
    cr_assert_eq(rd16(0x41A), 0x1E);
    cr_assert_eq(rd16(0x41C), 0x1E);
    cr_assert_eq(rd16(0x480), 0x1E);
    cr_assert_eq(rd16(0x482), 0x3E);
    cr_assert_eq(mem[0x496], 0x10, "a 101-key keyboard");
}

Test(vkbd, letters_shift_caps_ctrl_alt)
{
    memcpy(shadow, mem, MEM);
    cr_assert_eq(vkbd_bios_scan(mem, 0x1E), 0x1E61, "a");
    cr_assert_eq(vkbd_bios_scan(mem, 0x9E), 0);
    scans((const uint8_t[]){ 0x2A }, 1);
    cr_assert_eq(mem[0x417], 0x02, "left Shift down");
    cr_assert_eq(vkbd_bios_scan(mem, 0x1E), 0x1E41, "A");
    scans((const uint8_t[]){ 0xAA, 0x3A, 0xBA }, 3);
    cr_assert_eq(mem[0x417], 0x40, "CapsLock on, Shift up");
    cr_assert_eq(vkbd_bios_scan(mem, 0x1E), 0x1E41, "CapsLock: A");
    cr_assert_eq(vkbd_bios_scan(mem, 0x02), 0x0231, "CapsLock leaves the digits");
    scans((const uint8_t[]){ 0x3A, 0xBA, 0x1D }, 3);
    cr_assert_eq(vkbd_bios_scan(mem, 0x2E), 0x2E03, "Ctrl+C");
    scans((const uint8_t[]){ 0x9D, 0x38 }, 2);
    cr_assert_eq(vkbd_bios_scan(mem, 0x2E), 0x2E00, "Alt+C");
    cr_assert_eq(vkbd_bios_scan(mem, 0x02), 0x7800, "Alt+1");
    scans((const uint8_t[]){ 0xB8 }, 1);
    cr_assert_eq(mem[0x417], 0, "nothing held");
    uint16_t k[16];
    cr_assert_eq(drain(k, 16), 7);
    cr_assert_eq(k[0], 0x1E61);
    cr_assert_eq(k[6], 0x7800);
    /* only the keyboard fields of the BDA changed */
    for (uint32_t a = 0; a < MEM; a++)
        if (a != 0x41A && a != 0x41B && a != 0x41C && a != 0x41D && !(a >= 0x41E && a < 0x43E) &&
            a != 0x417 && a != 0x418 && a != 0x496 && a != 0x497)
            cr_assert_eq(mem[a], shadow[a], "byte %05x changed", a);
}

Test(vkbd, right_ctrl_and_alt_through_e0)
{
    scans((const uint8_t[]){ 0xE0, 0x1D }, 2);
    cr_assert_eq(mem[0x417], 0x04);
    cr_assert_eq(mem[0x496] & 0x04, 0x04, "right Ctrl");
    scans((const uint8_t[]){ 0x1D, 0xE0, 0x9D }, 3);
    cr_assert_eq(mem[0x417], 0x04, "left Ctrl still down");
    scans((const uint8_t[]){ 0x9D }, 1);
    cr_assert_eq(mem[0x417], 0);
}

Test(vkbd, grey_keys_and_keypad)
{
    cr_assert_eq(vkbd_bios_scan(mem, 0xE0), 0);
    cr_assert_eq(vkbd_bios_scan(mem, 0x48), 0x48E0, "grey Up");
    cr_assert_eq(vkbd_bios_scan(mem, 0x48), 0x4800, "keypad 8, NumLock off: Up");
    scans((const uint8_t[]){ 0x45, 0xC5 }, 2);
    cr_assert_eq(mem[0x417], 0x20, "NumLock");
    cr_assert_eq(vkbd_bios_scan(mem, 0x48), 0x4838, "keypad 8: 8");
    cr_assert_eq(vkbd_bios_scan(mem, 0xE0), 0);
    cr_assert_eq(vkbd_bios_scan(mem, 0x48), 0x48E0, "the grey Up ignores NumLock");
    scans((const uint8_t[]){ 0x1D }, 1);
    cr_assert_eq(vkbd_bios_scan(mem, 0xE0), 0);
    cr_assert_eq(vkbd_bios_scan(mem, 0x53), 0x93E0, "Ctrl+grey Del");
    scans((const uint8_t[]){ 0x9D, 0xE0, 0x1C }, 3);
    cr_assert_eq(drain((uint16_t[16]){ 0 }, 16), 6, "Up Up 8 Up Ctrl+Del, keypad Enter");
}

Test(vkbd, function_keys)
{
    cr_assert_eq(vkbd_bios_scan(mem, 0x3B), 0x3B00, "F1");
    cr_assert_eq(vkbd_bios_scan(mem, 0x58), 0x8600, "F12");
    scans((const uint8_t[]){ 0x2A }, 1);
    cr_assert_eq(vkbd_bios_scan(mem, 0x44), 0x5D00, "Shift+F10");
}

Test(vkbd, buffer_full_holds_15)
{
    for (unsigned i = 0; i < 15; i++)
        cr_assert_eq(vkbd_bios_scan(mem, 0x1E), 0x1E61);
    cr_assert_eq(vkbd_bios_scan(mem, 0x1E), 0xFFFFFFFFu, "16 words, one always free");
    mem[0x41C] = 0x40;                  /* a program broke the tail */
    cr_assert_eq(vkbd_bios_scan(mem, 0x30), 0xFFFFFFFFu, "refused, nothing written past it");
}

Test(vkbd, insert_toggles_once_while_held)
{
    cr_assert_eq(vkbd_bios_scan(mem, 0xE0), 0);
    cr_assert_eq(vkbd_bios_scan(mem, 0x52), 0x52E0);
    cr_assert_eq(mem[0x417] & 0x80, 0x80);
    cr_assert_eq(vkbd_bios_scan(mem, 0xE0), 0);
    cr_assert_eq(vkbd_bios_scan(mem, 0x52), 0, "repeated while held: no key");
    scans((const uint8_t[]){ 0xE0, 0xD2, 0xE0, 0x52 }, 4);
    cr_assert_eq(mem[0x417] & 0x80, 0, "released and pressed again: off");
}

Test(vkbd, pause_is_ignored)
{
    scans((const uint8_t[]){ 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5 }, 6);
    cr_assert_eq(mem[0x417], 0, "no NumLock, no Ctrl");
    cr_assert_eq(vkbd_bios_scan(mem, 0x1E), 0x1E61);
}

/* Ctrl+Break (Ctrl, then Pause with Ctrl: E0 46 E0 C6): the buffer's keys dropped, 0000h in
 * their place, 40:71h's bit 7, and VKBD_BREAK for INT 09h to call INT 1Bh; Scroll Lock without
 * Ctrl is the lock. */
Test(vkbd, ctrl_break_empties_the_buffer_and_queues_0000)
{
    scans((const uint8_t[]){ 0x1E, 0x9E, 0x30, 0xB0 }, 4);        /* a, b waiting */
    cr_assert_eq(vkbd_bios_scan(mem, 0x1D), 0);
    cr_assert_eq(vkbd_bios_scan(mem, 0xE0), 0);
    cr_assert_eq(vkbd_bios_scan(mem, 0x46), VKBD_BREAK);
    cr_assert_eq(vkbd_bios_scan(mem, 0xE0), 0);
    cr_assert_eq(vkbd_bios_scan(mem, 0xC6), 0, "its break code: nothing");
    cr_assert_eq(vkbd_bios_scan(mem, 0x9D), 0);
    uint16_t k[4];
    cr_assert_eq(drain(k, 4), 1, "a and b dropped");
    cr_assert_eq(k[0], 0x0000);
    cr_assert_eq(mem[0x471] & 0x80, 0x80);
    cr_assert_eq(mem[0x417] & 0x10, 0, "Scroll Lock untouched");
    cr_assert_eq(vkbd_bios_scan(mem, 0x46), 0, "without Ctrl: the lock");
    cr_assert_eq(mem[0x417] & 0x10, 0x10);
}

Test(vkbd, terminal_printable_and_enter)
{
    uint16_t k[32];
    unsigned n = typed("Hi!\r\nx\n", 7, k, 32);
    cr_assert_eq(n, 6);
    cr_assert_eq(k[0], 0x2348, "H");
    cr_assert_eq(k[1], 0x1769, "i");
    cr_assert_eq(k[2], 0x0221, "!");
    cr_assert_eq(k[3], 0x1C0D, "CR LF: one Enter");
    cr_assert_eq(k[4], 0x2D78);
    cr_assert_eq(k[5], 0x1C0D, "a lone LF: Enter");
    cr_assert_eq(mem[0x417], 0, "every modifier released");
}

Test(vkbd, terminal_every_printable_character_round_trips)
{
    char all[95];
    for (unsigned i = 0; i < 95; i++)
        all[i] = (char)(0x20 + i);
    uint16_t k[16];
    for (unsigned i = 0; i < 95; i++) {
        cr_assert_eq(typed(all + i, 1, k, 16), 1);
        cr_assert_eq(k[0] & 0xFF, (unsigned)all[i], "'%c' came back as %04x", all[i], k[0]);
    }
}

Test(vkbd, terminal_control_characters)
{
    uint16_t k[16];
    unsigned n = typed("\x03\x08\x7f\t\x1a", 5, k, 16);
    cr_assert_eq(n, 5);
    cr_assert_eq(k[0], 0x2E03, "Ctrl+C");
    cr_assert_eq(k[1], 0x0E08, "BS");
    cr_assert_eq(k[2], 0x0E08, "DEL is Backspace");
    cr_assert_eq(k[3], 0x0F09);
    cr_assert_eq(k[4], 0x2C1A, "Ctrl+Z");
}

Test(vkbd, terminal_escape_sequences)
{
    static const struct { const char *seq; uint16_t key; } cases[] = {
        { "\x1b[A", 0x48E0 }, { "\x1b[B", 0x50E0 }, { "\x1b[C", 0x4DE0 }, { "\x1b[D", 0x4BE0 },
        { "\x1b[H", 0x47E0 }, { "\x1b[F", 0x4FE0 }, { "\x1b[1~", 0x47E0 }, { "\x1b[4~", 0x4FE0 },
        { "\x1b[5~", 0x49E0 }, { "\x1b[6~", 0x51E0 }, { "\x1b[2~", 0x52E0 }, { "\x1b[3~", 0x53E0 },
        { "\x1bOP", 0x3B00 }, { "\x1bOQ", 0x3C00 }, { "\x1bOR", 0x3D00 }, { "\x1bOS", 0x3E00 },
        { "\x1b[15~", 0x3F00 }, { "\x1b[17~", 0x4000 }, { "\x1b[18~", 0x4100 },
        { "\x1b[19~", 0x4200 }, { "\x1b[20~", 0x4300 }, { "\x1b[21~", 0x4400 },
        { "\x1b[23~", 0x8500 }, { "\x1b[24~", 0x8600 }, { "\x1b[[A", 0x3B00 },
        { "\x1b[1;5A", 0x8DE0 }, { "\x1b[1;2P", 0x5400 }, { "\x1b[1;3D", 0x9B00 },
        { "\x1bx", 0x2D00 }, { "\x1b", 0x011B },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint16_t k[16];
        unsigned n = typed(cases[i].seq, (unsigned)strlen(cases[i].seq), k, 16);
        cr_assert_eq(n, 1, "ESC%s: %u keys", cases[i].seq + 1, n);
        cr_assert_eq(k[0], cases[i].key, "ESC%s: %04x, want %04x", cases[i].seq + 1, k[0],
                     cases[i].key);
        cr_assert_eq(mem[0x417] & 0x0F, 0, "ESC%s left a modifier down", cases[i].seq + 1);
    }
}

Test(vkbd, terminal_esc_esc_and_unknown_sequences)
{
    uint16_t k[16];
    cr_assert_eq(typed("\x1b\x1b[A", 4, k, 16), 2);
    cr_assert_eq(k[0], 0x011B);
    cr_assert_eq(k[1], 0x48E0);
    cr_assert_eq(typed("\x1b[99~a", 6, k, 16), 1, "an unknown sequence is no key");
    cr_assert_eq(k[0], 0x1E61);
    cr_assert_eq(typed("\x1b[12", 4, k, 16), 0, "an unfinished one, idle: dropped");
    cr_assert_eq(typed("\xc3\xa9", 2, k, 16), 0, "not ASCII: no key");
}

Test(vkbd, terminal_output_never_overflows)
{
    struct vkbd_vt t = { 0 };
    uint8_t sc[16];
    for (unsigned c = 0; c < 256; c++) {
        memset(sc, 0xCC, sizeof sc);
        unsigned n = vkbd_vt_byte(&t, (uint8_t)c, sc, 3);
        cr_assert_leq(n, 3);
        for (unsigned i = 3; i < sizeof sc; i++)
            cr_assert_eq(sc[i], 0xCC);
    }
}

/* ---- the keyboard controller ---------------------------------------------------------------- */

Test(v8042, keys_through_the_output_buffer)
{
    struct v8042 k;
    v8042_reset(&k);
    cr_assert_eq(v8042_read(&k, 0x64) & 1, 0);
    cr_assert_not(v8042_irq(&k));
    cr_assert(v8042_key(&k, 0x1E));
    cr_assert(v8042_key(&k, 0x9E));
    cr_assert(v8042_irq(&k), "IRQ 1 with a byte in the buffer");
    cr_assert_eq(v8042_read(&k, 0x64) & 0x15, 0x15, "OBF, system flag, not inhibited");
    cr_assert_eq(v8042_read(&k, 0x60), 0x1E);
    cr_assert_not(v8042_irq(&k), "read: the line drops");
    cr_assert_eq(v8042_read(&k, 0x60), 0x1E, "read again: the same byte, no next");
    v8042_next(&k);
    cr_assert_eq(v8042_read(&k, 0x60), 0x9E);
    cr_assert_eq(v8042_read(&k, 0x64) & 1, 0);
}

Test(v8042, controller_commands)
{
    struct v8042 k;
    v8042_reset(&k);
    v8042_write(&k, 0x64, 0x20);
    cr_assert_eq(v8042_read(&k, 0x60), 0x45, "the command byte");
    v8042_write(&k, 0x64, 0x60);
    v8042_write(&k, 0x60, 0x44);
    cr_assert_eq(k.cmd, 0x44);
    cr_assert(v8042_key(&k, 0x1E));
    cr_assert_not(v8042_irq(&k), "IRQ 1 disabled in the command byte");
    v8042_read(&k, 0x60);
    v8042_write(&k, 0x64, 0xAA);
    cr_assert_eq(v8042_read(&k, 0x60), 0x55);
    v8042_write(&k, 0x64, 0xAD);
    cr_assert_not(v8042_key(&k, 0x1E), "disabled: no key");
    v8042_write(&k, 0x64, 0xAE);
    cr_assert(v8042_key(&k, 0x1E));
}

Test(v8042, a20_and_reset)
{
    struct v8042 k;
    v8042_reset(&k);
    cr_assert_not(v8042_a20(&k));
    cr_assert_eq(v8042_write(&k, 0x64, 0xD1), 0);
    cr_assert_eq(v8042_write(&k, 0x60, 0xDF), V8042_A20, "the output port's A20");
    cr_assert(v8042_a20(&k));
    v8042_write(&k, 0x64, 0xD0);
    cr_assert_eq(v8042_read(&k, 0x60) & 0x03, 0x03);
    cr_assert_eq(v8042_write(&k, 0x64, 0xDD), V8042_A20);
    cr_assert_not(v8042_a20(&k));
    cr_assert_eq(v8042_write(&k, 0x92, 0x02), V8042_A20, "port 92h's fast gate");
    cr_assert(v8042_a20(&k));
    cr_assert_eq(v8042_read(&k, 0x92), 0x02);
    cr_assert_eq(v8042_write(&k, 0x64, 0xFE), V8042_RESET);
    cr_assert_eq(v8042_write(&k, 0x92, 0x03) & V8042_RESET, V8042_RESET);
}

Test(v8042, keyboard_commands_acknowledged_in_order)
{
    struct v8042 k;
    v8042_reset(&k);
    v8042_write(&k, 0x60, 0xED);
    v8042_write(&k, 0x60, 0x07);
    v8042_write(&k, 0x60, 0xF2);
    static const uint8_t want[] = { 0xFA, 0xFA, 0xFA, 0xAB, 0x83 };
    for (unsigned i = 0; i < sizeof want; i++) {
        cr_assert_eq(v8042_read(&k, 0x64) & 1, 1, "byte %u there", i);
        cr_assert_eq(v8042_read(&k, 0x60), want[i], "byte %u", i);
    }
    v8042_write(&k, 0x60, 0xF5);
    v8042_read(&k, 0x60);
    cr_assert_not(v8042_key(&k, 0x1E), "scanning off");
}

Test(v8042, a_full_queue_drops)
{
    struct v8042 k;
    v8042_reset(&k);
    unsigned n = 0;
    while (v8042_key(&k, 0x1E) && n < 100)
        n++;
    cr_assert_eq(n, 33, "32 queued and one in the buffer");
}
