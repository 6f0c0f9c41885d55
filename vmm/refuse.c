/* The way a service refuses a call: see vmm.h. */
#include <stdarg.h>
#include "vmm.h"
#include "boot/symbols.h"
#include "console/console.h"
#include "lib/kfmt.h"

uint32_t refused(const char *svc, uint32_t caller, const char *fmt, ...)
{
    char why[200];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    struct sym_loc s;                   /* the caller by name: its module, symbol and offset */
    if (symbols_lookup(caller, &s))
        kprintf("%s: %s (caller %s %s+0x%x); refused\n", svc, why, s.module, s.name, s.offset);
    else
        kprintf("%s: %s (caller %08x); refused\n", svc, why, caller);
    return 0;
}
