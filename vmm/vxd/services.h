/*
 * The service tables the dynalink calls through for the services built into the VMM: device 1
 * (the DDK's VMM table, then VMM32's own from 7F00h) and device 27h (VXDLDR).  Generated
 * (vxd/services.c) from the lists of include/vmm/vmmsvc.h and include/vmm/vxd.h: a slot holds
 * the VMM's function of that name, or 0 where the VMM has none.  Hook_Device_Service changes
 * the slots; the dynalink patches call sites to jump through them.
 */
#ifndef VXD_SERVICES_H
#define VXD_SERVICES_H
#include <stdint.h>
#include "vmm/vmmsvc.h"

extern uint32_t vmm_services[VMM_SERVICE_COUNT];
extern uint32_t vmm_ext_services[];
extern const uint32_t vmm_ext_count;
extern uint32_t vxdldr_services[VXDLDR_SERVICE_COUNT];

#endif
