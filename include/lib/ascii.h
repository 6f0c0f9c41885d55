/* ASCII case folding for names (section and key names, file names on the ESP).  Portable. */
#ifndef LIB_ASCII_H
#define LIB_ASCII_H
#include <stddef.h>

static inline char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

/* The an bytes at a (not NUL-terminated) equal the string b, ignoring ASCII case. */
static inline int ascii_ieq(const char *a, size_t an, const char *b)
{
    size_t i = 0;
    for (; i < an && b[i]; i++)
        if (ascii_lower(a[i]) != ascii_lower(b[i]))
            return 0;
    return i == an && !b[i];
}

#endif
