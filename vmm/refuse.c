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
    char at[160];                       /* the caller by name: its module, symbol and offset */
    kprintf("%s: %s (caller %s); refused\n", svc, why, symbols_caller(caller, at, sizeof at));
    return 0;
}
