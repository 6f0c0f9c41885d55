/*
 * kvsnprintf: the one printf-style formatter of the project, freestanding and portable: the UEFI
 * loader, the 32-bit VMM and the host tests compile the same source (vmm/lib/kfmt.c).
 *
 * Conversions: %c %s %d %i %u %x %X %p %%, with the flags '-' and '0', a width, a precision for
 * %s ('.N' or '.*'), and the length modifiers hh h l ll z.  Output is always NUL-terminated when
 * size > 0; the return value is the length the full output would have had (as C99 snprintf).
 * Reentrant; no allocation; callable from any context.
 */
#ifndef LIB_KFMT_H
#define LIB_KFMT_H
#include <stdarg.h>
#include <stddef.h>

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Error convention of the portable code: a function that can fail on bad input fills a
 * caller-provided struct kerr with one line naming the object and the bad value, and returns
 * a negative number; 0 (or a positive count) is success. */
struct kerr {
    char msg[192];
};
int kerr_set(struct kerr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Bytes from a file, made fit for a terminal: printable ASCII as it is, a backslash doubled,
 * every other byte (an ESC, a control character, a byte above 7Eh) as \xNN, so that nothing a
 * file holds reaches the console raw.  At most len bytes of src; dst always NUL-terminated when
 * cap > 0, cut at a whole escape; returns the length written. */
size_t kescape(char *dst, size_t cap, const char *src, size_t len);

#endif
