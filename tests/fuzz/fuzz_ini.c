/* libFuzzer target: the SYSTEM.INI reader on arbitrary bytes; items must point into the input. */
#include <stdint.h>
#include <stdlib.h>
#include "boot/ini.h"

static const uint8_t *base;
static size_t len;

static int inside(const char *p, size_t n) { return (const uint8_t *)p >= base && (const uint8_t *)p + n <= base + len; }

static int check(const struct ini_item *it, void *ctx)
{
    (void)ctx;
    if ((it->section_len && !inside(it->section, it->section_len)) || !inside(it->key, it->key_len) ||
        (!it->bad && it->value_len && !inside(it->value, it->value_len)))
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char v[16];
    unsigned long n;
    base = data;
    len = size;
    ini_walk((const char *)data, size, check, 0);
    if (ini_get((const char *)data, size, "386Enh", "TimerHz", v, sizeof v))
        ini_parse_uint(v, &n);
    return 0;
}
