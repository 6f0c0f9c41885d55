/* The way a service refuses a call: see vmm.h. */
#include <stdarg.h>
#include "vmm.h"
#include "console/console.h"
#include "lib/kfmt.h"

uint32_t refused(const char *svc, uint32_t caller, const char *fmt, ...)
{
    char why[200];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    kprintf("%s: %s (caller %08x); refused\n", svc, why, caller);
    return 0;
}
