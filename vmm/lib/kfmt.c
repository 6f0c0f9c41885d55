/* kvsnprintf and the kerr helper: see include/lib/kfmt.h. */
#include "lib/kfmt.h"
#include <stdint.h>

struct out {
    char  *buf;
    size_t size;
    size_t len;     /* characters produced so far, including those that did not fit */
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void pad(struct out *o, char c, int n)
{
    while (n-- > 0)
        put(o, c);
}

static void put_str(struct out *o, const char *s, int width, int prec, int left)
{
    int n = 0;

    if (!s)
        s = "(null)";
    while ((prec < 0 || n < prec) && s[n])
        n++;
    if (!left)
        pad(o, ' ', width - n);
    for (int i = 0; i < n; i++)
        put(o, s[i]);
    if (left)
        pad(o, ' ', width - n);
}

static void put_num(struct out *o, unsigned long long v, int neg, unsigned base, int upper,
                    int width, int zero, int left)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;

    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    int total = n + neg;
    if (!left && !zero)
        pad(o, ' ', width - total);
    if (neg)
        put(o, '-');
    if (!left && zero)
        pad(o, '0', width - total);
    while (n)
        put(o, tmp[--n]);
    if (left)
        pad(o, ' ', width - total);
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };

    while (*fmt) {
        if (*fmt != '%') {
            put(&o, *fmt++);
            continue;
        }
        fmt++;
        int left = 0, zero = 0, width = 0, prec = -1, lng = 0;
        for (;; fmt++) {
            if (*fmt == '-')
                left = 1;
            else if (*fmt == '0')
                zero = 1;
            else
                break;
        }
        if (*fmt == '*') {
            width = va_arg(ap, int);
            if (width < 0) {            /* as in C: a negative '*' width means '-' */
                left = 1;
                width = -width;
            }
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9')
                width = width * 10 + (*fmt++ - '0');
        }
        if (*fmt == '.') {
            fmt++;
            prec = 0;
            if (*fmt == '*') {
                prec = va_arg(ap, int);
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9')
                    prec = prec * 10 + (*fmt++ - '0');
            }
        }
        int shrt = 0;                   /* 1: h (short), 2: hh (char) */
        for (;; fmt++) {
            if (*fmt == 'l')
                lng++;
            else if (*fmt == 'z')
                lng = sizeof(size_t) == 8 ? 2 : 1;
            else if (*fmt == 'h')
                shrt++;
            else
                break;
        }
        char c = *fmt ? *fmt++ : 0;
        unsigned long long u;
        long long s;
        switch (c) {
        case 'c':
            pad(&o, ' ', left ? 0 : width - 1);
            put(&o, (char)va_arg(ap, int));
            pad(&o, ' ', left ? width - 1 : 0);
            break;
        case 's':
            put_str(&o, va_arg(ap, const char *), width, prec, left);
            break;
        case 'd':
        case 'i':
            s = lng >= 2 ? va_arg(ap, long long) : lng == 1 ? va_arg(ap, long) : va_arg(ap, int);
            if (!lng && shrt)
                s = shrt == 1 ? (short)s : (signed char)s;
            u = s < 0 ? 0ull - (unsigned long long)s : (unsigned long long)s;
            put_num(&o, u, s < 0, 10, 0, width, zero, left);
            break;
        case 'u':
        case 'x':
        case 'X':
            u = lng >= 2 ? va_arg(ap, unsigned long long)
              : lng == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
            if (!lng && shrt)
                u = shrt == 1 ? (unsigned short)u : (unsigned char)u;
            put_num(&o, u, 0, c == 'u' ? 10 : 16, c == 'X', width, zero, left);
            break;
        case 'p':
            put(&o, '0');
            put(&o, 'x');
            put_num(&o, (uintptr_t)va_arg(ap, void *), 0, 16, 0, (int)sizeof(void *) * 2, 1, 0);
            break;
        case '%':
            put(&o, '%');
            break;
        default:            /* unknown conversion: show it rather than guess at the arguments */
            put(&o, '%');
            if (c)
                put(&o, c);
            break;
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = 0;
    return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int kerr_set(struct kerr *e, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        kvsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

size_t kescape(char *dst, size_t cap, const char *src, size_t len)
{
    size_t n = 0;
    if (!cap)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)src[i];
        char tmp[4];
        size_t k;
        if (c == '\\') {
            tmp[0] = tmp[1] = '\\';
            k = 2;
        } else if (c >= 0x20 && c < 0x7F) {
            tmp[0] = (char)c;
            k = 1;
        } else {
            tmp[0] = '\\';
            tmp[1] = 'x';
            tmp[2] = "0123456789abcdef"[c >> 4];
            tmp[3] = "0123456789abcdef"[c & 15];
            k = 4;
        }
        if (n + k >= cap)
            break;
        for (size_t j = 0; j < k; j++)
            dst[n++] = tmp[j];
    }
    dst[n] = 0;
    return n;
}
