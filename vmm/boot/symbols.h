/* Address -> "module!symbol+offset" for fault reports: the VMM's own symbols, and those of the
 * sources registered later (the VxD manager's, for the VxDs it loaded).  Callable from a fault
 * handler: it maps nothing and allocates nothing after symbols_init. */
#ifndef VMM_BOOT_SYMBOLS_H
#define VMM_BOOT_SYMBOLS_H
#include <stddef.h>
#include <stdint.h>

struct sym_loc {
    const char *module;     /* e.g. "VMM32.VXD" */
    const char *name;
    uint32_t offset;
};

/* A source of symbols: 1 and *out filled if addr lies in one of its modules, else 0. */
typedef int (*sym_source)(uint32_t addr, struct sym_loc *out);

void symbols_init(void);    /* finds the VMM's own symbol table in the VMM32.VXD module */
void symbols_add_source(sym_source src);    /* at most SYMBOLS_SOURCES; asked after the VMM */
int  symbols_lookup(uint32_t addr, struct sym_loc *out);    /* 1 if found */
/* addr as "MODULE SYMBOL+0xOFF", or the bare address where no module holds it, into buf. */
const char *symbols_where(uint32_t addr, char *buf, size_t n);

#define SYMBOLS_SOURCES 4

#endif
