/* Reading the VMM's settings from SYSTEM.INI: see sysini.h. */
#include "boot/sysini.h"
#include "boot/modules.h"
#include "console/console.h"
#include "lib/ini.h"

#define SYSINI "VMM/SYSTEM.INI"

struct vmm_settings settings = { .timer_hz = 1000 };

static int report_bad(const struct ini_item *it, void *ctx)
{
    unsigned *bad = ctx;
    if (it->bad) {
        (*bad)++;
        kprintf("%s:%u: ignored: not a [section], key=value or comment: '%.*s'\n", SYSINI, it->line,
                (int)(it->key_len > 60 ? 60 : it->key_len), it->key);
    }
    return 0;
}

void sysini_load(void)
{
    size_t len;
    const char *text = module_find(SYSINI, &len);
    char v[32];
    unsigned long n;
    unsigned bad = 0;

    if (!text) {
        kprintf("%s: none; using defaults\n", SYSINI);
        return;
    }
    ini_walk(text, len, report_bad, &bad);
    if (ini_get(text, len, "Debug", "ExitPort", v, sizeof v)) {
        if (ini_parse_uint(v, &n) || n == 0 || n > 0xFFFF)
            kprintf("%s: [Debug] ExitPort=%s is not a port number (1..0xFFFF); ignored\n", SYSINI, v);
        else
            settings.debug_exit_port = (uint16_t)n;
    }
    if (ini_get(text, len, "Debug", "Bench", v, sizeof v))
        settings.bench = !ini_parse_uint(v, &n) && n;
    if (ini_get(text, len, "Debug", "PageTest", v, sizeof v))
        settings.page_test = !ini_parse_uint(v, &n) && n;
    if (ini_get(text, len, "Debug", "IntTest", v, sizeof v))
        settings.int_test = !ini_parse_uint(v, &n) && n;
    if (ini_get(text, len, "386Enh", "TimerHz", v, sizeof v)) {
        if (ini_parse_uint(v, &n) || n < 18 || n > 10000)
            kprintf("%s: [386Enh] TimerHz=%s is not a rate of 18..10000 Hz; using %u\n", SYSINI, v,
                    settings.timer_hz);
        else
            settings.timer_hz = (uint32_t)n;
    }
    if (ini_get(text, len, "Debug", "BootFault", settings.boot_fault, sizeof settings.boot_fault))
        kprintf("%s: [Debug] BootFault=%s: a deliberate fault follows 'VMM ready'\n", SYSINI,
                settings.boot_fault);
    kprintf("%s: %zu bytes read, %u bad lines\n", SYSINI, len, bad);
}
