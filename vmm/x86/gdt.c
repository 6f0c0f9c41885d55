/*
 * The VMM's GDT and TSSs.  Flat ring-0 and ring-3 code/data, the 32-bit TSS through which the CPU
 * finds the ring-0 stack on an interrupt from ring 3 (esp0 follows the running thread once threads
 * exist), and the double-fault TSS, so that a #DF caused by a broken stack runs on a stack of its own.
 */
#include "x86/trap.h"
#include "x86/x86.h"
#include "lib/string.h"

struct tss32 {
    uint16_t link, r0;
    uint32_t esp0; uint16_t ss0, r1;
    uint32_t esp1; uint16_t ss1, r2;
    uint32_t esp2; uint16_t ss2, r3;
    uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint16_t es, r4, cs, r5, ss, r6, ds, r7, fs, r8, gs, r9, ldt, r10;
    uint16_t trap, iomap_base;
};
_Static_assert(sizeof(struct tss32) == 104, "32-bit TSS");

extern char boot_stack_top[];
void double_fault_entry(void);          /* x86/traps.S */
void double_fault_task(void);
int (*trap_double_fault)(struct client_regs *r);

static uint64_t gdt[11] __attribute__((aligned(8)));
/* The TSS with its I/O permission bitmap right after it (the CPU finds it at iomap_base), one
 * bit a port, and the byte of ones the SDM asks for after the last. */
static struct {
    struct tss32 t;
    uint8_t iomap[IOMAP_PORTS / 8 + 1];
} tss_io __attribute__((aligned(16)));
#define tss (tss_io.t)
uint8_t *const tss_iomap = tss_io.iomap;
static struct tss32 df_tss;
static uint8_t df_stack[4096] __attribute__((aligned(16)));
uint32_t df_stack_top;                  /* x86/traps.S: the #DF task's stack, fresh each time */

static uint64_t seg(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    return (uint64_t)(limit & 0xFFFF) | ((uint64_t)(base & 0xFFFFFF) << 16) |
           ((uint64_t)access << 40) | ((uint64_t)((limit >> 16) & 0xF) << 48) |
           ((uint64_t)(flags & 0xF) << 52) | ((uint64_t)(base >> 24) << 56);
}

/* The ring-0 stack the CPU switches to on an interrupt from ring 3: the running thread's. */
uint32_t *const tss_esp0 = &tss.esp0;

void gdt_init(void)
{
    memset(gdt, 0, sizeof gdt);
    gdt[SEL_KCODE >> 3] = seg(0, 0xFFFFF, 0x9A, 0xC);     /* present, ring 0, code, 4 KB gran */
    gdt[SEL_KDATA >> 3] = seg(0, 0xFFFFF, 0x92, 0xC);
    gdt[SEL_UCODE >> 3] = seg(0, 0xFFFFF, 0xFA, 0xC);     /* ring 3 */
    gdt[SEL_UDATA >> 3] = seg(0, 0xFFFFF, 0xF2, 0xC);
    gdt[SEL_TSS >> 3] = seg((uint32_t)&tss_io, sizeof tss_io - 1, 0x89, 0); /* available 32-bit TSS */
    gdt[SEL_DFTSS >> 3] = seg((uint32_t)&df_tss, sizeof df_tss - 1, 0x89, 0);

    tss.ss0 = SEL_KDATA;
    tss.esp0 = (uint32_t)boot_stack_top;
    tss.iomap_base = offsetof(__typeof__(tss_io), iomap);
    memset(tss_io.iomap, 0xFF, sizeof tss_io.iomap);    /* every port traps until allowed */

    /* The double-fault task starts afresh each time: flat segments, its own stack, same CR3. */
    df_tss.cr3 = read_cr3();
    df_tss.eip = (uint32_t)double_fault_entry;
    df_tss.eflags = 0x2;
    df_stack_top = df_tss.esp = (uint32_t)(df_stack + sizeof df_stack);
    df_tss.cs = SEL_KCODE;
    df_tss.ss = df_tss.ds = df_tss.es = df_tss.fs = df_tss.gs = SEL_KDATA;
    df_tss.iomap_base = sizeof df_tss;

    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } gdtr = {
        sizeof gdt - 1, (uint32_t)gdt
    };
    __asm__ volatile(
        "lgdt %0\n\t"
        "ljmp %1, $1f\n"
        "1:\n\t"
        "mov %2, %%ax\n\t"
        "mov %%ax, %%ds\n\t"
        "mov %%ax, %%es\n\t"
        "mov %%ax, %%ss\n\t"
        "xor %%ax, %%ax\n\t"
        "mov %%ax, %%fs\n\t"
        "mov %%ax, %%gs\n\t"
        "mov %3, %%ax\n\t"
        "ltr %%ax\n\t"
        "xor %%ax, %%ax\n\t"
        "lldt %%ax"                             /* no LDT: LDTR keeps its reset state otherwise */
        : : "m"(gdtr), "i"(SEL_KCODE), "i"(SEL_KDATA), "i"(SEL_TSS) : "eax", "memory");
}

/* Entered by a task switch through the #DF task gate (double_fault_entry): the CPU saved the
 * faulting state in tss.  Returns only if trap_double_fault took it, with the state to resume
 * written back into tss. */
void double_fault_task(void)
{
    struct client_regs r = {
        .edi = tss.edi, .esi = tss.esi, .ebp = tss.ebp, .ebx = tss.ebx, .edx = tss.edx,
        .ecx = tss.ecx, .eax = tss.eax, .error = 0, .eip = tss.eip, .cs = tss.cs,
        .eflags = tss.eflags, .esp = tss.esp, .ss = tss.ss,
    };
    if (!trap_double_fault || !trap_double_fault(&r))
        trap_fatal(8, &r, tss.esp);
    tss.eip = r.eip;
    tss.eax = r.eax;
    tss.eflags = r.eflags;
    tss.cr3 = read_cr3();               /* a task switch saves no CR3 but loads it: the same one */
}
