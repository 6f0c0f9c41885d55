/*
 * Host tests for vmm/lib/kfmt.c: ksnprintf / kvsnprintf against the C library's snprintf, which
 * is the reference for every conversion kfmt.h documents, plus truncation and kerr_set.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/kfmt.h"
#include "testlib.h"

/* Formats with ksnprintf and snprintf into 256-byte buffers; results and return values must be
 * identical.  A macro so that gcc checks the literal format against the arguments for both. */
#define SAME(...)                                                                                 \
    do {                                                                                          \
        char k_[256], c_[256];                                                                    \
        memset(k_, 0x7f, sizeof k_);                                                              \
        int rk_ = ksnprintf(k_, sizeof k_, __VA_ARGS__);                                          \
        int rc_ = snprintf(c_, sizeof c_, __VA_ARGS__);                                           \
        cr_expect_str_eq(k_, c_, "format %s", #__VA_ARGS__);                                      \
        cr_expect_eq(rk_, rc_, "format %s: returned %d, libc %d", #__VA_ARGS__, rk_, rc_);        \
    } while (0)

/* kvsnprintf through a wrapper without the format attribute, for formats gcc would (rightly)
 * complain about: unknown conversions, NULL for %s, runtime-built formats. */
static int kfmt(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

/* ---- conversions against libc ---------------------------------------------------------------- */

Test(kfmt, signed_decimal)
{
    SAME("%d", 0);
    SAME("%d", 42);
    SAME("%d", -42);
    SAME("%i", 123456);
    SAME("%i", -7);
    SAME("%d", INT_MAX);
    SAME("%d", INT_MIN);
    SAME("[%d|%d|%d]", 1, -2, 3);
}

Test(kfmt, unsigned_and_hex)
{
    SAME("%u", 0u);
    SAME("%u", 3000000000u);
    SAME("%u", UINT_MAX);
    SAME("%x", 0u);
    SAME("%x", 0xdeadbeefu);
    SAME("%X", 0xdeadbeefu);
    SAME("%x", UINT_MAX);
    SAME("%08x", 0x1234u);
    SAME("%X", 0xabcdefu);
}

Test(kfmt, long_and_long_long)
{
    SAME("%ld", -1234567890123L);
    SAME("%lu", ULONG_MAX);
    SAME("%lx", 0x123456789abcdefUL);
    SAME("%lld", 0LL);
    SAME("%lld", LLONG_MAX);
    SAME("%lld", LLONG_MIN);
    SAME("%lli", -1LL);
    SAME("%llu", ULLONG_MAX);
    SAME("%llx", 0ULL);
    SAME("%llx", (unsigned long long)UINT64_MAX);
    SAME("%llX", 0xFEDCBA9876543210ULL);
    SAME("%016llx", 0x1234ULL);
    SAME("%zu", (size_t)0);
    SAME("%zu", SIZE_MAX);
    SAME("%zx", (size_t)0xfffff000);
    SAME("%zd", (ssize_t)-5);
}

Test(kfmt, char_string_percent)
{
    SAME("%c", 'A');
    SAME("%c%c%c", 'a', 'b', 'c');
    SAME("%3c|%-3c|", 'x', 'y');
    SAME("%s", "");
    SAME("%s", "hello");
    SAME("<%s> <%s>", "a", "bc");
    SAME("100%%");
    SAME("%%d %d %%", 5);
    SAME("no conversions at all");
    SAME("%s%s%s", "x", "", "yz");
}

Test(kfmt, widths_and_flags)
{
    SAME("%5d", 42);
    SAME("%-5d|", 42);
    SAME("%05d", 42);
    SAME("%05d", -42);
    SAME("%5d", -42);
    SAME("%-5d|", -42);
    SAME("%1d", 12345);           /* width smaller than the number */
    SAME("%010u", 4000000000u);
    SAME("%-10x|", 0xbeefu);
    SAME("%8X", 0xbeefu);
    SAME("%08lld", -123LL);
    SAME("%20llu", ULLONG_MAX);
    SAME("%10s|", "abc");
    SAME("%-10s|", "abc");
    SAME("%2s|", "abcdef");
    SAME("%*d", 6, 42);
    SAME("%-*d|", 6, 42);
    SAME("%0*x", 8, 0x1fu);
    SAME("%05d", INT_MIN);
    /* '-' overrides '0' (written out: gcc rejects the combination in a checked format) */
    char buf[16];
    cr_expect_eq(kfmt(buf, sizeof buf, "%-05d|", 7), 6);
    cr_expect_str_eq(buf, "7    |");
}

Test(kfmt, string_precision)
{
    SAME("%.3s", "abcdef");
    SAME("%.0s|", "abcdef");
    SAME("%.10s", "abc");
    SAME("%.*s", 2, "abcdef");
    SAME("%.*s|", 0, "abcdef");
    SAME("%8.3s|", "abcdef");
    SAME("%-8.3s|", "abcdef");
    SAME("%.*s", -1, "negative precision means none");
    /* precision bounds the read: the string need not be terminated */
    const char unterminated[4] = { 'w', 'x', 'y', 'z' };
    char buf[16];
    cr_assert_eq(ksnprintf(buf, sizeof buf, "%.4s", unterminated), 4);
    cr_assert_str_eq(buf, "wxyz");
}

/* %p prints 0x and the pointer zero-padded to the pointer's width (kfmt's own choice, so the
 * expected text is built with %llx rather than libc's %p, which prints "(nil)" for NULL). */
Test(kfmt, pointer)
{
    char k[64], want[64];
    int v;
    const void *ptrs[] = { NULL, &v, (void *)(uintptr_t)0x1000, (void *)UINTPTR_MAX };
    for (unsigned i = 0; i < 4; i++) {
        int r = ksnprintf(k, sizeof k, "%p", ptrs[i]);
        snprintf(want, sizeof want, "0x%0*llx", (int)sizeof(void *) * 2,
                 (unsigned long long)(uintptr_t)ptrs[i]);
        cr_assert_str_eq(k, want);
        cr_assert_eq(r, (int)strlen(want));
    }
}

/* A NULL string argument prints "(null)" (also under width and precision). */
Test(kfmt, null_string)
{
    char buf[64];
    cr_assert_eq(kfmt(buf, sizeof buf, "%s", (const char *)NULL), 6);
    cr_assert_str_eq(buf, "(null)");
    kfmt(buf, sizeof buf, "[%8s]", (const char *)NULL);
    cr_assert_str_eq(buf, "[  (null)]");
    kfmt(buf, sizeof buf, "[%.3s]", (const char *)NULL);
    cr_assert_str_eq(buf, "[(nu]");
}

/* An unknown conversion is printed literally and consumes no argument; a lone '%' at the end
 * prints '%'. */
Test(kfmt, unknown_conversion_printed_literally)
{
    char buf[64];
    int r = kfmt(buf, sizeof buf, "a%qb%dc", 7);
    cr_assert_str_eq(buf, "a%qb7c");
    cr_assert_eq(r, 6);
    kfmt(buf, sizeof buf, "%w %s", "next");
    cr_assert_str_eq(buf, "%w next");
    r = kfmt(buf, sizeof buf, "end%");
    cr_assert_str_eq(buf, "end%");
    cr_assert_eq(r, 4);
}

/* ---- truncation ------------------------------------------------------------------------------ */

/* The return value is the full length; the buffer holds the first size-1 characters and a NUL;
 * nothing is written at or beyond buf[size]. */
Test(kfmt, truncation_keeps_full_length_and_terminates)
{
    char buf[32];
    for (size_t size = 1; size <= 16; size++) {
        memset(buf, '#', sizeof buf);
        int r = ksnprintf(buf, size, "hello %d world %s", 12345, "xyz");
        cr_assert_eq(r, (int)strlen("hello 12345 world xyz"), "size %zu", size);
        cr_assert_eq(strlen(buf), size - 1, "size %zu", size);
        cr_assert_eq(strncmp(buf, "hello 12345 world xyz", size - 1), 0, "size %zu", size);
        for (size_t i = size; i < sizeof buf; i++)
            cr_assert_eq(buf[i], '#', "size %zu: byte %zu written", size, i);
    }
}

/* size 0 writes nothing at all (buf may even be NULL); size 1 writes only the NUL. */
Test(kfmt, size_zero_and_one)
{
    char buf[4] = { 'x', 'y', 'z', 'w' };
    cr_assert_eq(ksnprintf(buf, 0, "%s", "abc"), 3);
    cr_assert_eq(buf[0], 'x');
    cr_assert_eq(ksnprintf(NULL, 0, "%d%%", 100), 4);
    cr_assert_eq(ksnprintf(buf, 1, "%s", "abc"), 3);
    cr_assert_eq(buf[0], 0);
    cr_assert_eq(buf[1], 'y');
    cr_assert_eq(kfmt(buf, 1, ""), 0);
    cr_assert_eq(buf[0], 0);
}

/* Truncation in the middle of padding and numbers matches libc byte for byte. */
Test(kfmt, truncated_padding_matches_libc)
{
    for (size_t size = 0; size <= 24; size++) {
        char k[32], c[32];
        memset(k, '#', sizeof k);
        memset(c, '#', sizeof c);
        int rk = ksnprintf(k, size, "%-6s|%08x|%5d", "ab", 0xbeefu, -12);
        int rc = snprintf(c, size, "%-6s|%08x|%5d", "ab", 0xbeefu, -12);
        cr_assert_eq(rk, rc);
        cr_assert_eq(memcmp(k, c, sizeof k), 0, "size %zu: \"%.*s\" vs \"%.*s\"", size,
                     (int)size, k, (int)size, c);
    }
}

/* ---- randomized comparison ------------------------------------------------------------------- */

static uint64_t rng_state;
static uint64_t rnd(void) { return rng_next(&rng_state); }

static uint64_t random_value(void)
{
    static const uint64_t special[] = { 0, 1, 9, 10, 15, 16, 255, 0x7fffffff, 0x80000000,
                                        0xffffffff, 0x100000000ull, INT64_MAX, 1ull << 63,
                                        UINT64_MAX };
    switch (rnd() % 3) {
    case 0: return special[rnd() % (sizeof special / sizeof special[0])];
    case 1: return rnd() % 1000;
    default: return rnd() >> (rnd() % 64);
    }
}

/* 20000 random single conversions (flags '-'/'0', literal or '*' width, %s precision, length
 * modifiers l/ll/z, random output size for truncation), each compared with libc on the return
 * value and every byte of the buffer. */
Test(kfmt, random_conversions_match_libc)
{
    static const char *const words[] = { "", "a", "hello", "VMM32", "a longer string here" };
    rng_state = 0xf0f0f0;
    for (int iter = 0; iter < 20000; iter++) {
        char fmt[64], k[80], c[80];
        int conv = (int)(rnd() % 7);            /* d i u x X s c */
        const char *cs = "diuxXsc";
        int numeric = conv < 5;
        size_t f = 0;
        fmt[f++] = '<';
        fmt[f++] = '%';
        if (rnd() % 3 == 0)
            fmt[f++] = '-';
        if (numeric && rnd() % 3 == 0)
            fmt[f++] = '0';
        int star = 0, width = -1, starprec = 0, prec = -1;
        switch (rnd() % 3) {
        case 0: width = (int)(rnd() % 25); f += (size_t)sprintf(fmt + f, "%d", width); break;
        case 1: star = 1; width = (int)(rnd() % 25); fmt[f++] = '*'; break;
        default: break;
        }
        if (cs[conv] == 's' && rnd() % 2) {
            prec = (int)(rnd() % 12);
            if (rnd() % 2) {
                starprec = 1;
                fmt[f++] = '.';
                fmt[f++] = '*';
            } else
                f += (size_t)sprintf(fmt + f, ".%d", prec);
        }
        int lmod = numeric ? (int)(rnd() % 4) : 0;   /* none, l, ll, z */
        static const char *const lm[] = { "", "l", "ll", "z" };
        f += (size_t)sprintf(fmt + f, "%s%c>", lm[lmod], cs[conv]);
        fmt[f] = 0;

        size_t size = rnd() % 4 == 0 ? (size_t)(rnd() % 12) : sizeof k;
        memset(k, '#', sizeof k);
        memset(c, '#', sizeof c);
        uint64_t v = random_value();
        const char *w = words[rnd() % 5];
        int rk, rc;
#define BOTH(...) (rk = kfmt(k, size, fmt, __VA_ARGS__), rc = snprintf(c, size, fmt, __VA_ARGS__))
#define WITH_WIDTH(...)                                                                           \
    do {                                                                                          \
        if (star) BOTH(width, __VA_ARGS__);                                                       \
        else BOTH(__VA_ARGS__);                                                                   \
    } while (0)
        if (cs[conv] == 's') {
            if (starprec)
                WITH_WIDTH(prec, w);
            else
                WITH_WIDTH(w);
        } else if (cs[conv] == 'c') {
            WITH_WIDTH('!' + (int)(v % 90));
        } else if (conv < 2) {          /* signed */
            if (lmod == 0) WITH_WIDTH((int)v);
            else if (lmod == 1) WITH_WIDTH((long)v);
            else if (lmod == 2) WITH_WIDTH((long long)v);
            else WITH_WIDTH((ssize_t)v);
        } else {
            if (lmod == 0) WITH_WIDTH((unsigned)v);
            else if (lmod == 1) WITH_WIDTH((unsigned long)v);
            else if (lmod == 2) WITH_WIDTH((unsigned long long)v);
            else WITH_WIDTH((size_t)v);
        }
#undef WITH_WIDTH
#undef BOTH
        cr_assert_eq(rk, rc, "iter %d format \"%s\": %d vs libc %d", iter, fmt, rk, rc);
        cr_assert_eq(memcmp(k, c, sizeof k), 0, "iter %d format \"%s\" size %zu: \"%.*s\" vs \"%.*s\"",
                     iter, fmt, size, rk, k, rc, c);
    }
}

/* ---- kerr_set -------------------------------------------------------------------------------- */

Test(kfmt, kerr_set_returns_minus_one_and_formats)
{
    struct kerr e;
    memset(&e, 0x55, sizeof e);
    cr_assert_eq(kerr_set(&e, "segment %u at 0x%08x: %s", 2u, 0xc0001000u, "bad"), -1);
    cr_assert_str_eq(e.msg, "segment 2 at 0xc0001000: bad");
}

/* A NULL kerr is allowed (callers that do not want the text) and still yields -1. */
Test(kfmt, kerr_set_with_null_does_not_crash)
{
    cr_assert_eq(kerr_set(NULL, "ignored %d %s", 1, "x"), -1);
}

/* A message longer than the buffer is cut to 191 characters and terminated. */
Test(kfmt, kerr_set_truncates_long_message)
{
    struct kerr e;
    char longs[400];
    memset(longs, 'm', sizeof longs - 1);
    longs[sizeof longs - 1] = 0;
    cr_assert_eq(kerr_set(&e, "%s", longs), -1);
    cr_assert_eq(strlen(e.msg), sizeof e.msg - 1);
    cr_assert_eq(e.msg[0], 'm');
}

/* ---- regressions: deviations from C found in vmm/lib/kfmt.c and fixed ---------- */

/* kfmt.h lists the length modifiers hh and h, but kfmt parses and then ignores them: the int
 * argument is not narrowed, so "%hhx" of 0x1ff gives "1ff" (C: "ff") and "%hd" of 65535 gives
 * "65535" (C: "-1"). */
Test(kfmt, h_and_hh_narrow_like_c)
{
    char buf[32];
    kfmt(buf, sizeof buf, "%hhx|%hd|%hhd|%hu", 0x1ff, 65535, 200, 70000);
    cr_assert_str_eq(buf, "ff|-1|-56|4464");
}

/* A negative width given through '*' means '-' and the absolute width in C; kfmt pads nothing:
 * "[%*d]" of -5, 42 gives "[42]" instead of "[42   ]". */
Test(kfmt, negative_star_width_left_justifies)
{
    char buf[32];
    kfmt(buf, sizeof buf, "[%*d]", -5, 42);
    cr_assert_str_eq(buf, "[42   ]");
}

/* kescape: printable bytes as they are, a backslash doubled, the rest as \xNN; cut whole. */
Test(kfmt, escape_for_the_terminal)
{
    char out[64];
    const char in[] = "ok \\ \x1b[2J\x7f\xff!";
    cr_assert_eq(kescape(out, sizeof out, in, sizeof in - 1), 22);
    cr_assert_str_eq(out, "ok \\\\ \\x1b[2J\\x7f\\xff!");
    cr_assert_eq(kescape(out, 6, "\x1b\x1b", 2), 4, "the second escape does not fit whole");
    cr_assert_str_eq(out, "\\x1b");
    cr_assert_eq(kescape(out, 1, "abc", 3), 0);
    cr_assert_str_eq(out, "");
    cr_assert_eq(kescape(out, sizeof out, "a\0b", 3), 6, "a NUL byte is a byte like another");
    cr_assert_str_eq(out, "a\\x00b");
}
