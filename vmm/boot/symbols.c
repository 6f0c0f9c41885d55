/* Symbols for fault reports: the VMM's own, from the copy of VMM32.VXD the loader handed over,
 * then the registered sources'. */
#include "boot/symbols.h"
#include "boot/modules.h"
#include "boot/elfsym.h"
#include "console/console.h"
#include "lib/kfmt.h"

static const void *vmm_file;
static size_t vmm_size;
static sym_source sources[SYMBOLS_SOURCES];
static unsigned nsources;

void symbols_init(void)
{
    vmm_file = module_find("VMM/VMM32.VXD", &vmm_size);
    if (!vmm_file || !elfsym_has_table(vmm_file, vmm_size)) {
        kprintf("symbols: VMM/VMM32.VXD %s: fault reports and refusals name the VMM's code by "
                "address only\n", vmm_file ? "has no whole symbol table (cut off, or stripped)"
                                   : vmm_size ? "cannot be mapped (the physical-mapping window "
                                                "is full)" : "was not handed over");
        vmm_file = 0;
    }
}

void symbols_add_source(sym_source src)
{
    if (nsources < SYMBOLS_SOURCES)
        sources[nsources++] = src;
    else
        kprintf("symbols: %u sources already; one more refused\n", SYMBOLS_SOURCES);
}

int symbols_lookup(uint32_t addr, struct sym_loc *out)
{
    if (vmm_file && elfsym_lookup(vmm_file, vmm_size, addr, &out->name, &out->offset)) {
        extern const char __vmm_start[], __text_end[];
        out->module = "VMM32.VXD";
        out->code = addr - (uint32_t)__vmm_start < (uint32_t)(__text_end - __vmm_start);
        return 1;
    }
    for (unsigned i = 0; i < nsources; i++)
        if (sources[i](addr, out))
            return 1;
    return 0;
}

const char *symbols_where(uint32_t addr, char *buf, size_t n)
{
    struct sym_loc s;
    if (symbols_lookup(addr, &s))
        ksnprintf(buf, n, "%s %s+0x%x", s.module, s.name, s.offset);
    else
        ksnprintf(buf, n, "%08x", addr);
    return buf;
}

const char *symbols_caller(uint32_t ret, char *buf, size_t n)
{
    struct sym_loc s;
    if (symbols_lookup(ret, &s) && !s.code)
        ksnprintf(buf, n, "unknown: the return address %08x is %s %s+0x%x, not code -- an int 20h "
                  "of the jump form (8000h) used as a call?", ret, s.module, s.name, s.offset);
    else
        symbols_where(ret, buf, n);
    return buf;
}
