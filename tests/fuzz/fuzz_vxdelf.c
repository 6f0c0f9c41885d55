/* libFuzzer target: the VxD loader's core (validate, lay out, copy, relocate), and the invariants
 * of what it accepts: groups within the cap, every loaded section inside its group, the DDB in
 * the data group, and every address vxd_where maps back lying in the section it names. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "vxd/vxdelf.h"

static int resolve_all(const char *sym, uint32_t *addr, void *ctx)
{
    (void)sym;
    (void)ctx;
    *addr = 0xC0DE0000u;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct vxd_elf x;
    struct kerr e;
    if (size > UINT32_MAX || vxd_validate(&x, "FUZZ.VXD", data, (uint32_t)size, &e) ||
        vxd_layout(&x, &e))
        return 0;

    /* Each group in its own exact-size buffer: ASan catches a write past its end. */
    uint8_t *base[VXD_NGROUPS];
    const uint32_t addr[VXD_NGROUPS] = { 0xC1000000u, 0xC2000000u, 0xC3000000u };
    for (unsigned g = 0; g < VXD_NGROUPS; g++) {
        uint32_t n = vxd_group_size(&x, g);
        if (n > VXD_MAX_GROUP)
            abort();
        base[g] = malloc(n ? n : 1);
        if (!base[g])
            abort();
    }
    for (unsigned i = 1; i < x.nsec; i++) {
        const struct vxd_sec *s = &x.sec[i];
        if (s->group == VXD_G_NONE)
            continue;
        if (s->group >= VXD_NGROUPS || (uint64_t)s->off + s->sh.sh_size > x.gsize[s->group] ||
            (s->sh.sh_flags & SHF_WRITE && s->sh.sh_flags & SHF_EXECINSTR))
            abort();
        const char *n;
        uint32_t off;
        if (s->sh.sh_size && (vxd_where(&x, addr, addr[s->group] + s->off, &n, &off) || off))
            abort();
    }
    uint32_t ddb = vxd_ddb_addr(&x, addr);
    if (ddb < addr[VXD_G_DATA] || (uint64_t)ddb - addr[VXD_G_DATA] + 0x50 > x.gsize[VXD_G_DATA])
        abort();
    vxd_copy(&x, base);
    if (vxd_relocate(&x, base, addr, resolve_all, NULL, &e))
        abort();                    /* everything resolves: a validated file must relocate */
    for (unsigned g = 0; g < VXD_NGROUPS; g++)
        free(base[g]);
    return 0;
}
