/* CPU identification: see cpu.h. */
#include "x86/cpu.h"
#include "x86/x86.h"
#include "console/console.h"
#include "lib/string.h"

struct cpu_info cpu;

void cpu_identify(void)
{
    uint32_t r[4];

    cpuid(0, 0, r);
    cpu.max_leaf = r[0];
    memcpy(cpu.vendor, &r[1], 4);
    memcpy(cpu.vendor + 4, &r[3], 4);
    memcpy(cpu.vendor + 8, &r[2], 4);
    if (cpu.max_leaf >= 1) {
        cpuid(1, 0, r);
        cpu.stepping = r[0] & 0xF;
        cpu.model = (r[0] >> 4) & 0xF;
        cpu.family = (r[0] >> 8) & 0xF;
        if (cpu.family == 0xF)
            cpu.family += (r[0] >> 20) & 0xFF;
        if (cpu.family >= 6)
            cpu.model |= ((r[0] >> 16) & 0xF) << 4;
        cpu.feat_ecx = r[2];
        cpu.feat_edx = r[3];
    }
    if (cpu.max_leaf >= 7) {
        cpuid(7, 0, r);
        cpu.feat7_ebx = r[1];
    }
    cpuid(0x80000000u, 0, r);
    cpu.max_ext_leaf = r[0];
    if (cpu.max_ext_leaf >= 0x80000001u) {
        cpuid(0x80000001u, 0, r);
        cpu.ext_ecx = r[2];
        cpu.ext_edx = r[3];
    }
    if (cpu.max_ext_leaf >= 0x80000004u) {
        for (uint32_t i = 0; i < 3; i++) {
            cpuid(0x80000002u + i, 0, r);
            memcpy(cpu.brand + 16 * i, r, 16);
        }
        char *b = cpu.brand;
        while (*b == ' ')
            b++;
        memmove(cpu.brand, b, strlen(b) + 1);
    }
}

int cpu_enable_smep(void)
{
    if (!CPU_HAS(feat7_ebx, 7))
        return 0;
    __asm__ volatile("mov %%cr4, %%eax; or $0x100000, %%eax; mov %%eax, %%cr4" : : : "eax");
    return 1;
}

void cpu_print_summary(int nx_enabled)
{
    static const struct { const char *name; int reg; int bit; } feats[] = {
        { "PAE", 0, 6 }, { "TSC", 0, 4 }, { "MSR", 0, 5 }, { "CX8", 0, 8 }, { "APIC", 0, 9 },
        { "PGE", 0, 13 }, { "FXSR", 0, 24 }, { "NX", 2, 20 }, { "x2APIC", 1, 21 },
        { "TSC-deadline", 1, 24 }, { "VME", 0, 1 }, { "SMEP", 3, 7 },
    };
    kprintf("cpu: %s family %u model %u stepping %u%s%s\n", cpu.vendor, cpu.family, cpu.model,
            cpu.stepping, cpu.brand[0] ? ", " : "", cpu.brand);
    kprintf("cpu: features");
    for (unsigned i = 0; i < sizeof feats / sizeof feats[0]; i++) {
        uint32_t reg = feats[i].reg == 0 ? cpu.feat_edx : feats[i].reg == 1 ? cpu.feat_ecx
                     : feats[i].reg == 2 ? cpu.ext_edx : cpu.feat7_ebx;
        kprintf(" %s%s", (reg >> feats[i].bit) & 1 ? "+" : "-", feats[i].name);
    }
    kprintf("; NX %s%s\n", nx_enabled ? "in use (W^X enforced)" : "absent (data pages executable)",
            (read_cr4() >> 20) & 1 ? "; SMEP on (ring 0 never runs a VM's memory)" : "");
}
