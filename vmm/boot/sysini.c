/* Reading the VMM's settings from SYSTEM.INI: see sysini.h. */
#include "boot/sysini.h"
#include "vmm/vxd.h"
#include "boot/modules.h"
#include "console/console.h"
#include "boot/ini.h"
#include "lib/ascii.h"
#include "lib/kfmt.h"
#include "lib/string.h"
#include "vmm.h"

#define SYSINI "VMM/SYSTEM.INI"

/* The in-guest suites: in the test build of the VMM only (tests/guest/guest.h). */
extern void selftests_run(void) __attribute__((weak));

struct vmm_settings settings = { .conv_kb = 640, .timer_hz = 1000, .min_timeslice = 20, .win_fg = 100,
                                 .win_bg = 50 };

/* The bad lines, each named up to BAD_SHOWN of them (a file of thousands would hold the boot up
 * on the framebuffer for minutes), their bytes escaped (no escape sequence of a file reaches the
 * terminal); the count is in the summary line. */
#define BAD_SHOWN 20
static int report_bad(const struct ini_item *it, void *ctx)
{
    unsigned *bad = ctx;
    if (!it->bad)
        return 0;
    if (++*bad <= BAD_SHOWN) {
        char shown[4 * 60 + 1];
        kescape(shown, sizeof shown, it->key, it->key_len > 60 ? 60 : it->key_len);
        kprintf("%s:%u: ignored: not a [section], key=value or comment: '%s'\n", SYSINI,
                it->line, shown);
    } else if (*bad == BAD_SHOWN + 1) {
        kprintf("%s:%u: more bad lines from here are counted, not shown\n", SYSINI, it->line);
    }
    return 0;
}

/* [section] key=N within lo..hi into *out: 1 if set; a bad value is reported (and *out kept). */
static int setting(const struct ini_index *ix, const char *section, const char *key,
                   unsigned long lo, unsigned long hi, const char *what, uint32_t *out)
{
    char v[32];
    unsigned long n;
    if (!ini_index_get(ix, section, key, v, sizeof v))
        return 0;
    if (ini_parse_uint(v, &n) || n < lo || n > hi) {
        char shown[4 * sizeof v];
        kescape(shown, sizeof shown, v, strlen(v));
        kprintf("%s: [%s] %s=%s is not %s; %s\n", SYSINI, section, key, shown, what,
                *out ? "the default stays" : "ignored");
        return 0;
    }
    *out = (uint32_t)n;
    return 1;
}

/* [Debug] key=1 switches (any nonzero number) */
static void flag(const struct ini_index *ix, const char *key, uint8_t *out)
{
    char v[32];
    unsigned long n;
    if (ini_index_get(ix, "Debug", key, v, sizeof v))
        *out = !ini_parse_uint(v, &n) && n;
}

/* [386Enh] WinTimeSlice=fg,bg: two priorities of 1..10000. */
static void win_time_slice(const struct ini_index *ix)
{
    char v[32], *comma = 0;
    unsigned long fg, bg;
    if (!ini_index_get(ix, "386Enh", "WinTimeSlice", v, sizeof v))
        return;
    for (char *p = v; *p; p++)
        if (*p == ',')
            comma = p;
    if (comma) {
        *comma = 0;
        if (!ini_parse_uint(v, &fg) && !ini_parse_uint(comma + 1, &bg) && fg >= 1 &&
            fg <= 10000 && bg >= 1 && bg <= 10000) {
            settings.win_fg = (uint32_t)fg;
            settings.win_bg = (uint32_t)bg;
            return;
        }
        *comma = ',';
    }
    char shown[4 * sizeof v];
    kescape(shown, sizeof shown, v, strlen(v));
    kprintf("%s: [386Enh] WinTimeSlice=%s is not two priorities 1..10000 (fg,bg); using %u,%u\n",
            SYSINI, shown, settings.win_fg, settings.win_bg);
}

static struct ini_index ix;                 /* SYSTEM.INI's settings, found once at boot */
static int have_ix;

void sysini_load(void)
{
    size_t len;
    const char *text = module_find(SYSINI, &len);
    unsigned bad = 0;

    if (!text) {
        kprintf("%s: none; using defaults\n", SYSINI);
        return;
    }
    ini_index_build(&ix, text, len, report_bad, &bad);  /* one walk for every key read */
    uint32_t port = 0;
    if (setting(&ix, "Debug", "ExitPort", 1, 0xFFFF, "a port number", &port))
        vmm_exit_port = (uint16_t)port;
    flag(&ix, "BootTimes", &settings.boot_times);       /* any build's */
    /* the test build's suites and benchmarks */
    static const struct { const char *key; uint8_t *out; } flags[] = {
        { "Bench", &settings.bench },
        { "PageTest", &settings.page_test }, { "IntTest", &settings.int_test },
        { "SchedTest", &settings.sched_test }, { "TimeTest", &settings.time_test },
        { "VxdTest", &settings.vxd_test }, { "V86Test", &settings.v86_test },
        { "V86Spin", &settings.v86_spin }, { "KbdTest", &settings.kbd_test },
        { "ScreenTest", &settings.screen_test }, { "BootTest", &settings.boot_test },
        { "DosTest", &settings.dos_test }, { "KeyBench", &settings.key_bench },
    };
    int test_only = 0;
    for (unsigned i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        flag(&ix, flags[i].key, flags[i].out);
        test_only |= *flags[i].out;
    }
    setting(&ix, "Debug", "SchedStats", 10, 3600000, "a period of 10..3600000 ms",
            &settings.sched_stats);
    setting(&ix, "386Enh", "MinTimeSlice", 1, 10000, "a time of 1..10000 ms",
            &settings.min_timeslice);
    win_time_slice(&ix);
    setting(&ix, "386Enh", "TimerHz", 18, 10000, "a rate of 18..10000 Hz", &settings.timer_hz);
    setting(&ix, "386Enh", "ConvMemKB", 128, 640, "a size of 128..640 KB",
            &settings.conv_kb);
    settings.conv_kb &= ~3u;                    /* whole pages */
    if (ini_index_get(&ix, "Debug", "BootFault", settings.boot_fault, sizeof settings.boot_fault)) {
        char shown[4 * sizeof settings.boot_fault];
        kescape(shown, sizeof shown, settings.boot_fault, strlen(settings.boot_fault));
        kprintf("%s: [Debug] BootFault=%s: a deliberate fault follows 'VMM ready'\n", SYSINI,
                shown);
    }
    if (!selftests_run && (test_only || settings.boot_fault[0]))
        kprintf("%s: [Debug] Bench=, PageTest=, IntTest=, SchedTest=, TimeTest=, VxdTest=, V86Test= and BootFault= "
                "need the test build of VMM32.VXD (build/test/, which make test boots); "
                "ignored\n", SYSINI);
    have_ix = 1;
    kprintf("%s: %zu bytes read, %u bad lines\n", SYSINI, len, bad);
}

/* Get_Profile_String (the DDK's): the value of key in SYSTEM.INI's [section] ([386Enh] when
 * section is NULL), NUL-terminated and kept for the life of the system; deflt if there is none
 * (or no room is left to keep it: 4 KB of values in all, said once). */
const char *Get_Profile_String(const char *section, const char *key, const char *deflt)
{
    static char pool[4096];
    static size_t used;
    static int full;
    char val[256];
    if (!have_ix || !key || !ini_index_get(&ix, section ? section : "386Enh", key, val, sizeof val))
        return deflt;
    size_t n = strlen(val) + 1;
    if (n > sizeof pool - used) {
        if (!full)
            kprintf("%s: Get_Profile_String: 4 KB of values kept already; [%s] %s= not given\n",
                    SYSINI, section ? section : "386Enh", key);
        full = 1;
        return deflt;
    }
    for (size_t i = 0; i < used; i += strlen(pool + i) + 1)
        if (!strcmp(pool + i, val))
            return pool + i;                    /* asked before: the same copy */
    memcpy(pool + used, val, n);
    used += n;
    return pool + used - n;
}

/* [386Enh] device= lines, in file order. */
struct devices_walk {
    void (*cb)(const char *name, size_t len, unsigned line, void *ctx);
    void *ctx;
    unsigned n;
};

static int device_line(const struct ini_item *it, void *ctx)
{
    struct devices_walk *w = ctx;
    if (!it->bad && ascii_ieq(it->section, it->section_len, "386Enh") &&
        ascii_ieq(it->key, it->key_len, "device")) {
        w->n++;
        w->cb(it->value, it->value_len, it->line, w->ctx);
    }
    return 0;
}

int sysini_devices(void (*cb)(const char *name, size_t len, unsigned line, void *ctx), void *ctx)
{
    size_t len;
    const char *text = module_find(SYSINI, &len);
    if (!text)
        return -1;
    struct devices_walk w = { cb, ctx, 0 };
    ini_walk(text, len, device_line, &w);
    return (int)w.n;
}
