/* Address -> "module!symbol+offset" for fault reports.  Callable from a fault handler: it maps
 * nothing and allocates nothing after symbols_init. */
#ifndef VMM_BOOT_SYMBOLS_H
#define VMM_BOOT_SYMBOLS_H
#include <stdint.h>

struct sym_loc {
    const char *module;     /* e.g. "VMM32.VXD" */
    const char *name;
    uint32_t offset;
};

void symbols_init(void);    /* finds the VMM's own symbol table in the VMM32.VXD module */
int  symbols_lookup(uint32_t addr, struct sym_loc *out);

#endif
