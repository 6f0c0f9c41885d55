/* libFuzzer target: UEFI memory map conversion; the output must be sorted, disjoint, page-granular. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "memmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct bi_mem_range out[2 * 512 + 1];
    struct kerr e;
    if (size < 1)
        return 0;
    uint64_t desc = 40 + 8 * (data[0] % 4);          /* 40, 48, 56, 64 */
    static uint64_t map[(1 << 16) / 8];             /* aligned, as GetMemoryMap's buffer is */
    size_t n_bytes = size - 1 < sizeof map ? size - 1 : sizeof map;
    memcpy(map, data + 1, n_bytes);
    int n = memmap_convert(map, n_bytes, desc, out, sizeof out / sizeof out[0], &e);
    for (int i = 0; i < n; i++) {
        if (!out[i].length || (out[i].base | out[i].length) & 0xFFF ||
            (i && out[i].base < out[i - 1].base + out[i - 1].length) ||
            (i && out[i].type == out[i - 1].type && out[i].base == out[i - 1].base + out[i - 1].length))
            abort();
    }
    return 0;
}
