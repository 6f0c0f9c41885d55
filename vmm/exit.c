/* The way the VMM ends a run: see vmm.h. */
#include "vmm.h"
#include "x86/x86.h"

uint16_t vmm_exit_port;

void vmm_exit(uint32_t code)
{
    if (vmm_exit_port)
        outl(vmm_exit_port, code);
    halt_forever();
}
