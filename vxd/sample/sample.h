/*
 * SAMPLE: the SDK's sample device, as other VxDs see it.  Its services are called through the
 * dynalink like the VMM's: import each one used, in any source file, with SAMPLE_IMPORT.
 *
 *     #include "sample.h"
 *     SAMPLE_IMPORT(SAMPLE_Add)
 *     ... int five = SAMPLE_Add(2, 3);
 */
#ifndef SAMPLE_H
#define SAMPLE_H
#include <stdint.h>
#include <vmm/vxd.h>

#define SAMPLE_DEVICE_ID    0x3F00u         /* a test device ID (the DDK's are assigned) */
#define SAMPLE_INIT_ORDER   0x70000000u     /* after the DDK's own devices, before SHELL */

/* Service ordinals (its service table's order). */
#define SAMPLE_Get_Version_Ord  0
#define SAMPLE_Add_Ord          1
#define SAMPLE_Get_Stats_Ord    2
#define SAMPLE_SERVICE_COUNT    3

uint32_t SAMPLE_Get_Version(void);              /* 0x0100: version 1.00 */
int      SAMPLE_Add(int a, int b);              /* a + b */
/* How many times SAMPLE_Add ran, and how many VMs were created since SAMPLE initialised. */
void     SAMPLE_Get_Stats(uint32_t *adds, uint32_t *vms_created);

#define SAMPLE_IMPORT(name) VXD_IMPORT(SAMPLE_DEVICE_ID, name##_Ord, name)

#endif
