/* The boot info and the files the loader read from the ESP, as the VMM sees them.  Owned by
 * vmm/boot; callers after boot get read-only, mapped views.  Not reentrant (mapping consumes
 * window space). */
#ifndef VMM_BOOT_MODULES_H
#define VMM_BOOT_MODULES_H
#include <stddef.h>
#include <stdint.h>

/* Maps the boot info at phys and its tables, validates them, fills `boot`; 0 ok, -1 (printed). */
int bootinfo_map(uint32_t phys);
/* The module whose ESP path equals name (case-insensitive), mapped, its size in *size; NULL if
 * absent or empty (*size 0), or if it cannot be mapped (*size not 0: the physical-mapping window
 * is full). */
const void *module_find(const char *name, size_t *size);
void *module_map_writable(const char *name, uint32_t *size);
void bootinfo_print_summary(void);
/* The ESP path of module i (0, 1, ...), NULL past the last. */
const char *module_name(uint32_t i);

#endif
