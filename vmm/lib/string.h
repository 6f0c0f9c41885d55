/* The freestanding C string functions the VMM provides (gcc may also call memcpy/memset itself). */
#ifndef LIB_STRING_H
#define LIB_STRING_H
#include <stddef.h>

void  *memcpy(void *d, const void *s, size_t n);
void  *memmove(void *d, const void *s, size_t n);
void  *memset(void *d, int c, size_t n);
int    memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int    strcmp(const char *a, const char *b);

#endif
