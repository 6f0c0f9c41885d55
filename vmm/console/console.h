/*
 * The VMM console: every line goes to COM1 (16550, 115200 8N1), to QEMU's debugcon (port 0xE9)
 * and to the framebuffer text console, each only if present.  Presence is probed, never assumed,
 * so that output can never hang on a port with nothing behind it.  Not reentrant; callers run
 * with interrupts off (the VMM is single-threaded), and the fatal report may call it from a trap.
 */
#ifndef CONSOLE_CONSOLE_H
#define CONSOLE_CONSOLE_H
#include <stddef.h>
#include "boot/bootinfo.h"
#include "vmm/screen.h"

#define CON_NORMAL 0
#define CON_ALERT  1

void console_init_early(void);                         /* serial and debugcon */
/* 0 ok, -1 (reason printed); black: every pixel is black already (BI_FLAG_FB_BLACK) */
int  console_attach_fb(const struct bi_framebuffer *fb, int black);
void console_write(const char *s, size_t n);
/* Whole writes kept whole between threads, by the scheduler once threads exist (no preemption
 * during a write): enter returns 1 if it took the lock (0: write without it, as inside an
 * interrupt handler, which nothing preempts), leave releases it. */
struct console_lock {
    int  (*enter)(void);
    void (*leave)(void);
};
void console_set_lock(const struct console_lock *l);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* To QEMU's debugcon only (a channel for tools, e.g. make debug's VxD symbols); nothing else. */
void debugcon_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int  debugcon_present(void);
void console_set_color(int which);
void console_drop_fb(void);                            /* fault paths: ports only from now on */
const char *console_sinks(void);                       /* e.g. "serial debugcon framebuffer" */
/* The screen for VDD (include/vmm/screen.h: VMM_Screen_Take, VMM_Screen_Give, VMM_Serial_Write). */
int  console_screen_take(struct vmm_screen *out);
void console_screen_give(void);
void console_serial_write(const char *s, uint32_t n);
const uint8_t (*console_font_cp437(uint32_t *height))[32];   /* VMM_Font_CP437, for VBIOS */

#endif
