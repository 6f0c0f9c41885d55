/* The console multiplexer and its port sinks: see console.h. */
#include "console/console.h"
#include "console/fbcon.h"
#include "lib/kfmt.h"
#include "mem/physmap.h"
#include "x86/x86.h"
#include <stdarg.h>

#define COM1        0x3F8
#define COM2        0x2F8   /* where the PC has one: the log too, for the DEBUG console there */
#define UART_THR    0       /* transmit holding register */
#define UART_IER    1
#define UART_FCR    2
#define UART_LCR    3
#define UART_MCR    4
#define UART_LSR    5
#define UART_SCR    7
#define LSR_THRE    0x20
#define DEBUGCON    0xE9
#define THRE_SPINS  100000  /* ~10 ms at any plausible port speed: then give the byte up */

static int have_serial, have_com2, have_debugcon, have_fb;
static int fb_taken;                    /* VDD shows a VM's screen there: fbcon keeps the text */
static struct vmm_screen screen;
static const struct console_lock *lock;
extern const unsigned font_height;
extern const uint8_t font_cp437[256][32];

/* A 16550 has a scratch register; an absent port reads back 0xFF. */
static int serial_probe_init(uint16_t port)
{
    outb(port + UART_SCR, 0x5A);
    if (inb(port + UART_SCR) != 0x5A || inb(port + UART_LSR) == 0xFF)
        return 0;
    outb(port + UART_IER, 0x00);    /* polled: no interrupts */
    outb(port + UART_LCR, 0x80);    /* DLAB: divisor 1 = 115200 baud */
    outb(port + 0, 1);
    outb(port + 1, 0);
    outb(port + UART_LCR, 0x03);    /* 8N1 */
    outb(port + UART_FCR, 0x07);    /* FIFOs on and cleared */
    outb(port + UART_MCR, 0x03);    /* DTR, RTS; OUT2 off keeps the IRQ line quiet */
    return 1;
}

/* Where COM1's cursor is: at a line's start (the last byte sent a newline) or not; and where
 * the log is (its last line ended).  A log line that begins while a VM's screen, mirrored on
 * COM1 (console_serial_write), left the cursor mid-line starts on a line of its own. */
static int serial_at_bol = 1, log_at_bol = 1;

static void port_putc(uint16_t port, char c)
{
    for (unsigned i = 0; i < THRE_SPINS && !(inb(port + UART_LSR) & LSR_THRE); i++)
        cpu_pause();
    outb(port + UART_THR, (uint8_t)c);
}
static void serial_putc(char c)
{
    port_putc(COM1, c);
    serial_at_bol = c == '\n';
}

void console_init_early(void)
{
    have_serial = serial_probe_init(COM1);
    have_com2 = serial_probe_init(COM2);
    /* QEMU's and Bochs' debugcon read back 0xE9; an empty ISA port reads 0xFF. */
    have_debugcon = inb(DEBUGCON) == DEBUGCON;
}

int console_attach_fb(const struct bi_framebuffer *fb, int black)
{
    if (fb->bpp != 32) {
        kprintf("console: framebuffer has %u bits per pixel; only 32 is drawn, serial only\n", fb->bpp);
        return -1;
    }
    void *base = map_phys(fb->base, (uint32_t)fb->size, PM_WRITE);
    if (!base) {
        kprintf("console: cannot map the framebuffer (%llu bytes at 0x%llx)\n",
                (unsigned long long)fb->size, (unsigned long long)fb->base);
        return -1;
    }
    struct fbcon_mode m = { base, fb->width, fb->height, fb->pitch,
                            fb->red_mask, fb->green_mask, fb->blue_mask,
                            black };
    if (fbcon_init(&m)) {
        kprintf("console: framebuffer mode %ux%u pitch %u is not usable; serial only\n",
                fb->width, fb->height, fb->pitch);
        return -1;
    }
    have_fb = 1;
    screen = (struct vmm_screen){ base, fb->width, fb->height, fb->pitch, fb->red_mask,
                                  fb->green_mask, fb->blue_mask, font_cp437, font_height };
    return 0;
}

const uint8_t (*console_font_cp437(uint32_t *height))[32]
{
    *height = font_height;
    return font_cp437;
}

int console_screen_take(struct vmm_screen *out)
{
    if (!have_fb)
        return 0;
    const struct console_lock *l = lock;
    int locked = l && l->enter();               /* not in the middle of a line's drawing */
    fbcon_hide();                               /* the log goes on in its cells, undrawn */
    fb_taken = 1;
    if (locked)
        l->leave();
    *out = screen;
    return 1;
}

void console_screen_give(void)
{
    if (!fb_taken)
        return;
    fb_taken = 0;
    if (have_fb)
        fbcon_show();                           /* the log again, with what came meanwhile */
}

void console_serial_write(const char *s, uint32_t n)
{
    if (!have_serial)
        return;
    const struct console_lock *l = lock;
    int locked = l && l->enter();
    for (uint32_t i = 0; i < n; i++)
        serial_putc(s[i]);
    if (locked)
        l->leave();
}

void console_set_lock(const struct console_lock *l) { lock = l; }

/* One call's text stays whole: a thread switched out in the middle of a line would let another
 * thread's line land inside it (a V86 VM's VxD printing while the boot lists the devices), so a
 * writer holds the lock -- no preemption meanwhile, interrupts on (a full screen scrolls for
 * millions of instructions). */
static void write_out(const char *s, size_t n);
void console_write(const char *s, size_t n)
{
    const struct console_lock *l = lock;
    int locked = l && l->enter();
    write_out(s, n);
    if (locked)
        l->leave();
}

static void write_out(const char *s, size_t n)
{
    if (have_serial && n && log_at_bol && !serial_at_bol) {
        serial_putc('\r');
        serial_putc('\n');
    }
    if (n)
        log_at_bol = s[n - 1] == '\n';
    for (size_t i = 0; have_serial && i < n; i++) {
        if (s[i] == '\n')
            serial_putc('\r');
        serial_putc(s[i]);
    }
    for (size_t i = 0; have_com2 && i < n; i++) {   /* the log only: a VM's screen is COM1's */
        if (s[i] == '\n')
            port_putc(COM2, '\r');
        port_putc(COM2, s[i]);
    }
    for (size_t i = 0; have_debugcon && i < n; i++)
        outb(DEBUGCON, (uint8_t)s[i]);
    if (have_fb)
        fbcon_write(s, n);
}

void kprintf(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    console_write(buf, n < (int)sizeof buf ? (size_t)n : sizeof buf - 1);
}

int debugcon_present(void) { return have_debugcon; }

void debugcon_printf(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    if (!have_debugcon)
        return;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    for (int i = 0; i < n && i < (int)sizeof buf - 1; i++)
        outb(DEBUGCON, (uint8_t)buf[i]);
}

void console_set_color(int which)
{
    if (have_fb)
        fbcon_set_color(which == CON_ALERT ? 0xFFFFFF : 0xAAAAAA,
                        which == CON_ALERT ? 0xAA0000 : 0x000000);
}

void console_drop_fb(void) { have_fb = 0; }

const char *console_sinks(void)
{
    static char out[48];
    const char *parts[4] = { have_serial ? "serial" : 0, have_com2 ? "COM2" : 0,
                             have_debugcon ? "debugcon" : 0, have_fb && !fb_taken ? "framebuffer" : 0 };
    size_t n = 0;
    for (unsigned i = 0; i < 4; i++) {         /* 32 characters at most */
        if (!parts[i])
            continue;
        if (n)
            out[n++] = ' ';
        for (const char *p = parts[i]; *p; p++)
            out[n++] = *p;
    }
    out[n] = 0;
    return n ? out : "none";
}
