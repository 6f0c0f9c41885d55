/*
 * Host tests for vmm/boot/ini.c: the SYSTEM.INI reader.
 *
 * Every text is copied into a malloc'd buffer of exactly len bytes, without a terminating NUL,
 * so AddressSanitizer reports any read past the length the reader was given.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/ini.h"
#include "testlib.h"

/* An exact-size, unterminated copy of the first len bytes of s. */
static char *exact(const char *s, size_t len)
{
    char *p = malloc(len ? len : 1);
    cr_assert_not_null(p);
    memcpy(p, s, len);
    return p;
}

/* ini_get on an exact-size copy of the whole string; returns found, value in val. */
static int get(const char *text, const char *section, const char *key, char *val, size_t cap)
{
    size_t len = strlen(text);
    char *p = exact(text, len);
    int r = ini_get(p, len, section, key, val, cap);
    free(p);
    return r;
}

static void expect_value(const char *text, const char *section, const char *key, const char *want)
{
    char val[128];
    memset(val, '?', sizeof val);
    cr_assert_eq(get(text, section, key, val, sizeof val), 1, "[%s] %s not found", section, key);
    cr_assert_str_eq(val, want, "[%s] %s", section, key);
}

static void expect_missing(const char *text, const char *section, const char *key)
{
    char val[16] = "untouched";
    cr_assert_eq(get(text, section, key, val, sizeof val), 0, "[%s] %s found", section, key);
    cr_assert_str_eq(val, "untouched");
}

/* Collects what ini_walk reports, as NUL-terminated copies. */
struct item {
    unsigned line;
    int bad;
    char section[64], key[64], value[64];
};
struct collect {
    struct item it[32];
    int n;
};

static void copy_field(char *dst, const char *src, size_t n)
{
    cr_assert_lt(n, 64);
    memcpy(dst, src, n);
    dst[n] = 0;
}

static int collect_cb(const struct ini_item *it, void *ctx)
{
    struct collect *c = ctx;
    cr_assert_lt(c->n, 32);
    struct item *o = &c->it[c->n++];
    o->line = it->line;
    o->bad = it->bad;
    copy_field(o->section, it->section, it->section_len);
    copy_field(o->key, it->key, it->key_len);
    if (it->bad)
        cr_assert(it->value == NULL && it->value_len == 0, "bad line with a value");
    copy_field(o->value, it->value ? it->value : "", it->value_len);
    return 0;
}

static void walk(const char *text, struct collect *c)
{
    size_t len = strlen(text);
    char *p = exact(text, len);
    memset(c, 0, sizeof *c);
    cr_assert_eq(ini_walk(p, len, collect_cb, c), 0);
    free(p);
}

static const char sample[] =
    "; VMM32 settings\n"
    "[Debug]\n"
    "ExitPort=0xf4\n"
    "BootFault = none \n"
    "\n"
    "[386Enh]\n"
    "device=*vpicd\n"
    "EMMExclude=A000-FFFF\n";

/* ---- lookups --------------------------------------------------------------------------------- */

Test(ini, basic_lookup)
{
    expect_value(sample, "Debug", "ExitPort", "0xf4");
    expect_value(sample, "386Enh", "device", "*vpicd");
    expect_value(sample, "386Enh", "EMMExclude", "A000-FFFF");
    expect_missing(sample, "Debug", "device");          /* right key, wrong section */
    expect_missing(sample, "Nope", "ExitPort");
    expect_missing(sample, "Debug", "Exit");            /* a prefix is not the key */
    expect_missing(sample, "Debug", "ExitPortX");
    expect_missing(sample, "Deb", "ExitPort");
}

/* Section and key names compare without regard to case; values keep theirs. */
Test(ini, names_case_insensitive)
{
    expect_value(sample, "DEBUG", "exitport", "0xf4");
    expect_value(sample, "debug", "EXITPORT", "0xf4");
    expect_value(sample, "386enh", "emmexclude", "A000-FFFF");
    expect_value("[MiXeD]\nKeY=VaLuE\n", "mixed", "key", "VaLuE");
}

/* CR LF line ends: the CR belongs to neither value nor name. */
Test(ini, crlf_line_ends)
{
    const char *t = "[A]\r\nk1=v1\r\nk2 = v2 \r\n\r\n[B]\r\nk1=other\r\n";
    expect_value(t, "A", "k1", "v1");
    expect_value(t, "A", "k2", "v2");
    expect_value(t, "B", "k1", "other");
    struct collect c;
    walk(t, &c);
    cr_assert_eq(c.n, 3);
    cr_assert_eq(c.it[2].line, 6);
}

/* ';' and '#' comment lines (also indented) and blank / whitespace-only lines are skipped and
 * reported as nothing, but still counted for line numbers. */
Test(ini, comments_and_blank_lines)
{
    const char *t = "; comment\n# also comment\n   ; indented\n\t# tab\n\n   \n\t\n[S]\n;k=commented\n"
                    "#k=also\nk=real\n";
    expect_value(t, "S", "k", "real");
    struct collect c;
    walk(t, &c);
    cr_assert_eq(c.n, 1);
    cr_assert_eq(c.it[0].line, 11);
    cr_assert_eq(c.it[0].bad, 0);
    cr_assert_str_eq(c.it[0].key, "k");
}

/* Spaces and tabs around section names, keys and values are trimmed; inner ones are kept. */
Test(ini, whitespace_trimmed)
{
    const char *t = "  [ My Section ]  \n \t key name \t=\t value with  spaces \t\n empty =\n";
    expect_value(t, "My Section", "key name", "value with  spaces");
    expect_value(t, "my section", "KEY NAME", "value with  spaces");
    expect_value(t, "My Section", "empty", "");
    struct collect c;
    walk(t, &c);
    cr_assert_eq(c.n, 2);
    cr_assert_str_eq(c.it[0].section, "My Section");
    cr_assert_str_eq(c.it[0].key, "key name");
    cr_assert_str_eq(c.it[0].value, "value with  spaces");
    cr_assert_str_eq(c.it[1].value, "");
}

/* Only the first '=' splits; text after ']' on a section line is ignored. */
Test(ini, first_equals_splits_and_section_tail_ignored)
{
    const char *t = "[S] trailing junk\nk=a=b\n";
    expect_value(t, "S", "k", "a=b");
}

/* The last of duplicate settings wins, also when the section appears twice. */
Test(ini, last_duplicate_wins)
{
    const char *t = "[S]\nk=first\nk=second\n[T]\nk=other\n[s]\nK=third\n[T]\nj=1\n";
    expect_value(t, "S", "k", "third");
    expect_value(t, "T", "k", "other");
    expect_value(t, "T", "j", "1");
}

/* A setting before any section belongs to the section "" (section_len 0). */
Test(ini, key_outside_any_section)
{
    const char *t = "top=1\n[S]\ntop=2\n";
    expect_value(t, "", "top", "1");
    expect_value(t, "S", "top", "2");
    struct collect c;
    walk(t, &c);
    cr_assert_eq(c.n, 2);
    cr_assert_str_eq(c.it[0].section, "");
    cr_assert_str_eq(c.it[1].section, "S");
}

/* The text need not be NUL-terminated and nothing past len is read: the buffer is exactly len
 * bytes (ASan), and settings beyond len, or the part of a value beyond it, are not seen. */
Test(ini, length_bounds_the_text)
{
    const char full[] = "[S]\nk=early\nk=LATE\n";
    size_t cut = strlen("[S]\nk=early\n");
    char val[32];
    char *p = exact(full, cut);
    cr_assert_eq(ini_get(p, cut, "S", "k", val, sizeof val), 1);
    cr_assert_str_eq(val, "early");
    free(p);

    /* cut in the middle of the value, without a line end */
    size_t mid = strlen("[S]\nk=ea");
    p = exact(full, mid);
    cr_assert_eq(ini_get(p, mid, "S", "k", val, sizeof val), 1);
    cr_assert_str_eq(val, "ea");
    free(p);

    /* cut inside the section header: "[S" is a bad line, then nothing */
    p = exact(full, 2);
    struct collect c;
    memset(&c, 0, sizeof c);
    cr_assert_eq(ini_walk(p, 2, collect_cb, &c), 0);
    cr_assert_eq(c.n, 1);
    cr_assert(c.it[0].bad);
    cr_assert_str_eq(c.it[0].key, "[S");
    free(p);

    /* len 0: nothing, even with a NULL pointer */
    cr_assert_eq(ini_get(NULL, 0, "S", "k", val, sizeof val), 0);
}

/* An embedded NUL is just a byte: it neither ends the text nor matches a name. */
Test(ini, embedded_nul_is_data)
{
    const char t[] = "[S]\nk\0x=1\nk=2\n";
    size_t len = sizeof t - 1;
    char *p = exact(t, len);
    char val[8];
    cr_assert_eq(ini_get(p, len, "S", "k", val, sizeof val), 1);
    cr_assert_str_eq(val, "2");
    free(p);
}

/* ---- bad lines ------------------------------------------------------------------------------- */

/* Lines that are neither section, setting, comment nor blank are reported with their 1-based line
 * number and trimmed text, in order, and reading goes on after them. */
Test(ini, bad_lines_reported_with_line_numbers)
{
    const char *t = "[S]\n"            /* 1 */
                    "garbage\n"        /* 2 */
                    "k=v\n"            /* 3 */
                    "  =value\n"       /* 4 */
                    "\n"               /* 5 */
                    "[unclosed\n"      /* 6 */
                    "j = w\n"          /* 7 */
                    "]\n";             /* 8 */
    struct collect c;
    walk(t, &c);
    cr_assert_eq(c.n, 6);
    const struct { unsigned line; int bad; const char *key; } want[] = {
        { 2, 1, "garbage" }, { 3, 0, "k" }, { 4, 1, "=value" }, { 6, 1, "[unclosed" },
        { 7, 0, "j" }, { 8, 1, "]" },
    };
    for (int i = 0; i < 6; i++) {
        cr_assert_eq(c.it[i].line, want[i].line, "item %d line %u", i, c.it[i].line);
        cr_assert_eq(c.it[i].bad, want[i].bad, "item %d", i);
        cr_assert_str_eq(c.it[i].key, want[i].key, "item %d", i);
        cr_assert_str_eq(c.it[i].section, "S", "item %d: the bad [unclosed keeps the section", i);
    }
    /* the settings around bad lines still read */
    expect_value(t, "S", "k", "v");
    expect_value(t, "S", "j", "w");
}

/* The last line may lack its line end; its number is still right. */
Test(ini, last_line_without_newline)
{
    struct collect c;
    walk("[S]\n\n\nbroken", &c);
    cr_assert_eq(c.n, 1);
    cr_assert_eq(c.it[0].line, 4);
    cr_assert(c.it[0].bad);
}

struct stop { int calls; };
static int stop_at_second(const struct ini_item *it, void *ctx)
{
    (void)it;
    struct stop *s = ctx;
    return ++s->calls == 2 ? 77 : 0;
}

/* A non-zero callback result stops the walk and is returned. */
Test(ini, callback_can_stop_the_walk)
{
    const char *t = "a=1\nb=2\nc=3\n";
    char *p = exact(t, strlen(t));
    struct stop s = { 0 };
    cr_assert_eq(ini_walk(p, strlen(t), stop_at_second, &s), 77);
    cr_assert_eq(s.calls, 2);
    free(p);
}

/* ---- ini_get's output buffer ----------------------------------------------------------------- */

/* The value is cut to cap - 1 bytes and terminated; nothing is written past cap. */
Test(ini, value_truncated_to_cap)
{
    const char *t = "[S]\nk=0123456789\n";
    char val[16];
    memset(val, '#', sizeof val);
    cr_assert_eq(get(t, "S", "k", val, 5), 1);
    cr_assert_str_eq(val, "0123");
    for (size_t i = 5; i < sizeof val; i++)
        cr_assert_eq(val[i], '#', "byte %zu written", i);
    memset(val, '#', sizeof val);
    cr_assert_eq(get(t, "S", "k", val, 11), 1);
    cr_assert_str_eq(val, "0123456789");
    memset(val, '#', sizeof val);
    cr_assert_eq(get(t, "S", "k", val, 1), 1);
    cr_assert_eq(val[0], 0);
    cr_assert_eq(val[1], '#');
    /* cap 0: nothing can be stored, nothing is written, and it reports not found */
    memset(val, '#', sizeof val);
    cr_assert_eq(get(t, "S", "k", val, 0), 0);
    cr_assert_eq(val[0], '#');
}

/* ---- ini_parse_uint -------------------------------------------------------------------------- */

static void expect_uint(const char *s, unsigned long want)
{
    unsigned long v = 12345;
    cr_assert_eq(ini_parse_uint(s, &v), 0, "\"%s\" refused", s);
    cr_assert_eq(v, want, "\"%s\" -> %lu, want %lu", s, v, want);
}

static void expect_bad_uint(const char *s)
{
    unsigned long v = 12345;
    cr_assert_eq(ini_parse_uint(s, &v), -1, "\"%s\" accepted as %lu", s, v);
    cr_assert_eq(v, 12345, "\"%s\": output written on failure", s);
}

Test(ini, parse_uint_decimal_and_hex)
{
    expect_uint("0", 0);
    expect_uint("7", 7);
    expect_uint("00012", 12);
    expect_uint("4294967295", 4294967295ul);
    expect_uint("0x0", 0);
    expect_uint("0xf4", 0xf4);
    expect_uint("0XF4", 0xf4);
    expect_uint("0xDeadBeef", 0xdeadbeef);
    char max[32];
    snprintf(max, sizeof max, "%lu", ULONG_MAX);
    expect_uint(max, ULONG_MAX);
    snprintf(max, sizeof max, "0x%lx", ULONG_MAX);
    expect_uint(max, ULONG_MAX);
}

Test(ini, parse_uint_rejects_malformed)
{
    expect_bad_uint("");
    expect_bad_uint("0x");
    expect_bad_uint("0X");
    expect_bad_uint("12a");
    expect_bad_uint("a12");
    expect_bad_uint("0xfg");
    expect_bad_uint("-1");
    expect_bad_uint("-0");
    expect_bad_uint("+1");
    expect_bad_uint(" 1");
    expect_bad_uint("1 ");
    expect_bad_uint("0x 1");
    expect_bad_uint("1.5");
    expect_bad_uint("0x0x1");
    expect_bad_uint("ff");      /* hex digits need the 0x prefix */
}

/* One more than ULONG_MAX (and far more) is refused rather than wrapped, in both bases. */
Test(ini, parse_uint_rejects_overflow)
{
    char s[48];
    /* ULONG_MAX + 1 in decimal: increment the decimal string of ULONG_MAX */
    snprintf(s, sizeof s, "%lu", ULONG_MAX);
    size_t i = strlen(s);
    while (i > 0 && s[i - 1] == '9')
        s[--i] = '0';
    cr_assert_gt(i, 0);
    s[i - 1]++;
    expect_bad_uint(s);
    snprintf(s, sizeof s, "%lu0", ULONG_MAX);
    expect_bad_uint(s);
    snprintf(s, sizeof s, "0x1%0*d", (int)(sizeof(unsigned long) * 2), 0);  /* 16^(2*size) */
    expect_bad_uint(s);
    expect_bad_uint("99999999999999999999999999999");
    expect_bad_uint("0xfffffffffffffffffffffffff");
}

/* ---- robustness ------------------------------------------------------------------------------ */

static uint64_t rng_state;
static uint64_t rnd(void) { return rng_next(&rng_state); }

struct bounds {
    const char *buf;
    size_t len;
    unsigned lines;         /* number of '\n' + 1 */
    unsigned last_line;
    unsigned items;
};

static int in_buf(const struct bounds *b, const char *p, size_t n)
{
    return p >= b->buf && p <= b->buf + b->len && n <= (size_t)(b->buf + b->len - p);
}

/* Every pointer/length pair the walker reports lies inside the buffer; line numbers rise and
 * stay within the number of lines; a setting has a non-empty key. */
static int bounds_cb(const struct ini_item *it, void *ctx)
{
    struct bounds *b = ctx;
    b->items++;
    cr_assert(in_buf(b, it->key, it->key_len), "key outside the buffer");
    if (it->section_len)
        cr_assert(in_buf(b, it->section, it->section_len), "section outside the buffer");
    if (it->bad)
        cr_assert(it->value == NULL && it->value_len == 0);
    else {
        cr_assert(it->key_len > 0, "setting with an empty key");
        cr_assert(in_buf(b, it->value, it->value_len), "value outside the buffer");
        cr_assert(memchr(it->key, '=', it->key_len) == NULL, "key contains '='");
    }
    cr_assert(it->line > b->last_line, "line %u after %u", it->line, b->last_line);
    cr_assert(it->line <= b->lines, "line %u of %u", it->line, b->lines);
    b->last_line = it->line;
    return 0;
}

/* 5000 random buffers (random length 0..300, bytes biased towards the syntax characters and
 * including NULs) in exact-size allocations: ini_walk and ini_get must not crash or read past the
 * end, and every reported item must point into the buffer. */
Test(ini, random_bytes_robustness)
{
    static const char alphabet[] = "[]=;#\n\n\r \t\0abcABC019x";
    rng_state = 0x1a1a1a;
    unsigned total_items = 0;
    for (int iter = 0; iter < 5000; iter++) {
        size_t len = (size_t)(rnd() % 301);
        char *p = malloc(len ? len : 1);
        cr_assert_not_null(p);
        unsigned lines = 1;
        for (size_t i = 0; i < len; i++) {
            p[i] = rnd() % 5 == 0 ? (char)rnd() : alphabet[rnd() % (sizeof alphabet - 1)];
            lines += p[i] == '\n';
        }
        struct bounds b = { p, len, lines, 0, 0 };
        cr_assert_eq(ini_walk(p, len, bounds_cb, &b), 0);
        total_items += b.items;
        char val[8];
        int found = ini_get(p, len, "a", "b", val, sizeof val);
        if (found)
            cr_assert(memchr(val, 0, sizeof val), "value not terminated");
        free(p);
    }
    cr_assert_gt(total_items, 5000, "the random input should produce items (%u)", total_items);
}

static int count_bad(const struct ini_item *it, void *ctx)
{
    if (it->bad)
        ++*(unsigned *)ctx;
    return 0;
}

/* ini_index_get answers exactly as ini_get, for every key of random texts (sections and keys
 * drawn from a few names in mixed case, duplicates, bad lines, values of all lengths cut to a
 * small cap) and for texts of more settings than the index holds; the bad lines reach the
 * callback once each, as ini_walk gives them. */
Test(ini, index_agrees_with_ini_get)
{
    static const char *names[] = { "a", "B", "ab", "Debug", "386Enh", "x y" };
    static struct ini_index ix;
    rng_state = 0x1de7;
    unsigned found = 0, overflowed = 0;
    for (int iter = 0; iter < 400; iter++) {
        char text[8192];
        size_t len = 0;
        unsigned lines = iter % 40 == 0 ? 300 : (unsigned)(rnd() % 40);   /* some past 128 */
        for (unsigned l = 0; l < lines && len < sizeof text - 64; l++) {
            unsigned k = (unsigned)(rnd() % 10);
            const char *n = names[rnd() % 6];
            if (k == 0)
                len += (size_t)snprintf(text + len, sizeof text - len, "[%s]\r\n", n);
            else if (k == 1)
                len += (size_t)snprintf(text + len, sizeof text - len, "bad line %u\n", l);
            else if (k == 2)
                len += (size_t)snprintf(text + len, sizeof text - len, "; comment\n");
            else
                len += (size_t)snprintf(text + len, sizeof text - len, " %s = v%u%s\n", n, l,
                                        k == 3 ? "-a-long-value-past-the-cap" : "");
        }
        unsigned bad_walk = 0, bad_index = 0;
        ini_walk(text, len, count_bad, &bad_walk);
        ini_index_build(&ix, text, len, count_bad, &bad_index);
        cr_assert_eq(bad_index, bad_walk, "bad lines: %u by the index, %u by the walk", bad_index,
                     bad_walk);
        overflowed += ix.overflow;
        for (unsigned si = 0; si < 7; si++)
            for (unsigned ki = 0; ki < 6; ki++) {
                const char *sec = si < 6 ? names[si] : "";
                char v1[12], v2[12];
                memset(v1, 1, sizeof v1);
                memset(v2, 2, sizeof v2);
                int r1 = ini_get(text, len, sec, names[ki], v1, sizeof v1);
                int r2 = ini_index_get(&ix, sec, names[ki], v2, sizeof v2);
                cr_assert_eq(r2, r1, "text %d [%s] %s: index %d, ini_get %d", iter, sec,
                             names[ki], r2, r1);
                if (r1) {
                    cr_assert_str_eq(v2, v1, "text %d [%s] %s", iter, sec, names[ki]);
                    found++;
                }
            }
    }
    cr_assert_gt(found, 1000, "the texts should hold settings (%u found)", found);
    cr_assert_gt(overflowed, 0, "some texts should hold more settings than the index");
}
