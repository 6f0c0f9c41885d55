/* Symbols for fault reports: the VMM's own, from the copy of VMM32.VXD the loader handed over. */
#include "boot/symbols.h"
#include "boot/modules.h"
#include "boot/elfsym.h"

static const void *vmm_file;
static size_t vmm_size;

void symbols_init(void) { vmm_file = module_find("VMM/VMM32.VXD", &vmm_size); }

int symbols_lookup(uint32_t addr, struct sym_loc *out)
{
    if (!vmm_file || !elfsym_lookup(vmm_file, vmm_size, addr, &out->name, &out->offset))
        return 0;
    out->module = "VMM32.VXD";
    return 1;
}
