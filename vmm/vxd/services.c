/*
 * The VMM's service tables (vxd/services.h), generated from the one list of each table.  This
 * file sees no prototype: every name of the lists is declared here as a weak symbol, which the
 * link resolves to the VMM's function of that name where one exists and to 0 where none does.
 * So a service is added by writing its function under its DDK name (and its prototype in the
 * SDK); nothing is added here.  (The VMM uses plain C names internally, so a function carries a
 * DDK name only if it is that service: check-sections' neighbour, the boot tests, call each.)
 */
#include "vxd/services.h"

#define X(name) extern const char name[] __attribute__((weak));
VMM_SERVICE_LIST(X)
VMM32_EXT_SERVICE_LIST(X)
VXDLDR_SERVICE_LIST(X)
#undef X

#define X(name) (uint32_t)name,
uint32_t vmm_services[VMM_SERVICE_COUNT] = { VMM_SERVICE_LIST(X) };
uint32_t vmm_ext_services[] = { VMM32_EXT_SERVICE_LIST(X) };
uint32_t vxdldr_services[VXDLDR_SERVICE_COUNT] = { VXDLDR_SERVICE_LIST(X) };
#undef X
const uint32_t vmm_ext_count = sizeof vmm_ext_services / sizeof vmm_ext_services[0];

/* Every list has one entry per ordinal, in order: its length is the table's, and each of
 * VMM32's own ordinals is its place in the list. */
#define X(name) +1
_Static_assert(0 VMM_SERVICE_LIST(X) == VMM_SERVICE_COUNT, "VMM_SERVICE_LIST has a gap");
_Static_assert(0 VXDLDR_SERVICE_LIST(X) == VXDLDR_SERVICE_COUNT, "VXDLDR_SERVICE_LIST has a gap");
#undef X
#define X(name) ext_pos_##name,
enum { VMM32_EXT_SERVICE_LIST(X) };
#undef X
#define X(name) _Static_assert(name##_Ord == VMM32_EXT_FIRST + ext_pos_##name, #name "_Ord is not its place in VMM32_EXT_SERVICE_LIST");
VMM32_EXT_SERVICE_LIST(X)
#undef X
