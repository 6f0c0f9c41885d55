/* libFuzzer target: symbol lookup in an arbitrary file; a found name must end inside the file. */
#include <stdint.h>
#include <stdlib.h>
#include "boot/elfsym.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *name;
    uint32_t off;
    for (uint32_t a = 0; a < 0x100; a += 0x10)
        if (elfsym_lookup(data, size, a, &name, &off)) {
            const uint8_t *p = (const uint8_t *)name;
            while (p < data + size && *p)
                p++;
            if (p >= data + size)
                abort();
        }
    return 0;
}
