/* Freestanding string functions for the VMM: see string.h.  Compiled only for the VMM; the host
 * tests use the C library's. */
#include "lib/string.h"
#include <stdint.h>

/* Dwords first, as memset: a quarter of the iterations.  Forward, so memmove may use it for a
 * destination below its source: each dword is read before anything at or above it is written. */
void *memcpy(void *d, const void *s, size_t n)
{
    void *r = d;
    if (n >= 16) {
        size_t words = n >> 2;
        __asm__ volatile("rep movsl" : "+D"(d), "+S"(s), "+c"(words) : : "memory");
        n &= 3;
    }
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
    return r;
}

void *memmove(void *d, const void *s, size_t n)
{
    if ((uintptr_t)d <= (uintptr_t)s || (uintptr_t)d >= (uintptr_t)s + n)
        return memcpy(d, s, n);
    void *r = d;
    d = (char *)d + n - 1;
    s = (const char *)s + n - 1;
    __asm__ volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
    return r;
}

void *memset(void *d, int c, size_t n)
{
    void *r = d;
    if (!((uintptr_t)d & 3) && n >= 16) {      /* dwords first: a quarter of the iterations */
        size_t words = n >> 2;
        uint32_t v = (uint8_t)c * 0x01010101u;
        __asm__ volatile("rep stosl" : "+D"(d), "+c"(words) : "a"(v) : "memory");
        n &= 3;
    }
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return r;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] - y[i];
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}
