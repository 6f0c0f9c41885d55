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
    int code;               /* addr lies in code (a return address may; data never should) */
};

/* A source of symbols: 1 and *out filled if addr lies in one of its modules, else 0. */
typedef int (*sym_source)(uint32_t addr, struct sym_loc *out);

void symbols_init(void);    /* finds the VMM's own symbol table in the VMM32.VXD module */
void symbols_add_source(sym_source src);    /* at most SYMBOLS_SOURCES; asked after the VMM */
int  symbols_lookup(uint32_t addr, struct sym_loc *out);    /* 1 if found */
/* addr as "MODULE SYMBOL+0xOFF", or the bare address where no module holds it, into buf. */
const char *symbols_where(uint32_t addr, char *buf, size_t n);
/* The caller of a service from its return address, into buf: as symbols_where, but a return
 * address that is not code is said to be so (a VxD's inline `int 20h` of the jump form, used as
 * a call, leaves no return address: what the service finds there is the last argument pushed). */
const char *symbols_caller(uint32_t ret, char *buf, size_t n);

#define SYMBOLS_SOURCES 4

#endif
