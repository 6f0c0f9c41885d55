/* The machine's ACPI tables as read at boot (boot/acpi.h describes the fields).  Filled once by
 * acpi_load; read-only afterwards. */
#ifndef VMM_BOOT_ACPI_LOAD_H
#define VMM_BOOT_ACPI_LOAD_H
#include "boot/acpi.h"

extern struct acpi_info acpi;
int acpi_has_8042(void);
void acpi_load(void);       /* never fails: without usable tables, the defaults (and a line why) */

#endif
