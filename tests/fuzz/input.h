/* The fuzz targets' input as a stream: bytes and little-endian words, 0 once it runs out. */
#ifndef FUZZ_INPUT_H
#define FUZZ_INPUT_H
#include <stddef.h>
#include <stdint.h>

struct in {
    const uint8_t *p;
    size_t n;
};
static inline uint8_t u8(struct in *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}
static inline uint16_t u16(struct in *in) { return (uint16_t)(u8(in) | u8(in) << 8); }

#endif
