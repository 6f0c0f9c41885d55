/* CPU identification: what the VMM relies on, read once at boot with CPUID. */
#ifndef X86_CPU_H
#define X86_CPU_H
#include <stdint.h>

struct cpu_info {
    char vendor[13];
    char brand[49];
    uint32_t family, model, stepping;
    uint32_t feat_edx, feat_ecx, ext_edx, ext_ecx;
    uint32_t feat7_ebx;                 /* CPUID 7.0 EBX (SMEP: bit 7) */
    uint32_t max_leaf, max_ext_leaf;
};
extern struct cpu_info cpu;

#define CPU_HAS(reg, bit) ((cpu.reg >> (bit)) & 1)

void cpu_identify(void);
/* SMEP (CR4 bit 20) on where the CPU has it: ring-0 code never runs from a user page (a V86
 * VM's memory), so a call through a null or stray pointer into it faults at once instead of
 * running a VM's bytes as VMM code.  1 if on. */
int  cpu_enable_smep(void);
void cpu_print_summary(int nx_enabled);

#endif
