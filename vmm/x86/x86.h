/*
 * The VMM's hardware access: one-line inline wrappers around the privileged instructions.  This
 * header is the only place outside the assembly files that touches ports, control registers and
 * MSRs, so the portable code never includes it.
 */
#ifndef X86_X86_H
#define X86_X86_H
#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t read_cr0(void) { uint32_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr2(void) { uint32_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr3(void) { uint32_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr4(void) { uint32_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline uint64_t rdtsc(void) { uint32_t lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((uint64_t)hi << 32) | lo; }
static inline uint64_t rdmsr(uint32_t msr) { uint32_t lo, hi; __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr)); return ((uint64_t)hi << 32) | lo; }
static inline void wrmsr(uint32_t msr, uint64_t v) { __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))); }
static inline void invlpg(uint32_t lin) { __asm__ volatile("invlpg (%0)" : : "r"(lin) : "memory"); }
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) { __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub)); }
__attribute__((noreturn)) static inline void halt_forever(void) { for (;;) __asm__ volatile("cli; hlt"); }
static inline void cpu_idle(void) { __asm__ volatile("hlt"); }
static inline void sti_hlt(void) { __asm__ volatile("sti; hlt; cli" : : : "memory"); }    /* wait for one interrupt */
static inline void irq_enable(void) { __asm__ volatile("sti" : : : "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cli" : : : "memory"); }
static inline uint32_t read_eflags(void) { uint32_t v; __asm__ volatile("pushfl; popl %0" : "=r"(v)); return v; }
/* Interrupts off, returning the flags to give irq_restore (which turns them on only if they were). */
static inline uint32_t irq_save(void) { uint32_t f = read_eflags(); irq_disable(); return f; }
static inline void irq_restore(uint32_t f) { if (f & 0x200u) irq_enable(); }
/* With interrupts off: one that is pending is taken here (STI holds them off for one more
 * instruction: the NOP), and they are off again after it. */
static inline void irq_window(void) { __asm__ volatile("sti; nop; cli" : : : "memory"); }
/* INTS_OFF(): interrupts off from here to the end of the enclosing block, and back as they were
 * on every way out of it (returns included) -- the VMM's one interrupt-off idiom.  A service
 * that must print or call out with interrupts back on ends the block first:
 *     { INTS_OFF(); r = change(); }  if (r) report(); */
static inline void ints_off_end_(const uint32_t *f) { irq_restore(*f); }
#define INTS_OFF() uint32_t ints_off_ __attribute__((cleanup(ints_off_end_), unused)) = irq_save()
#define INTS_WERE_ON() ((ints_off_ & 0x200u) != 0)     /* inside an INTS_OFF block: before it */
static inline void cpu_pause(void) { __asm__ volatile("pause"); }

#define MSR_APIC_BASE 0x1Bu
#define MSR_MCG_CAP   0x179u
#define MSR_MCG_STATUS 0x17Au
#define MSR_MC0_CTL   0x400u        /* bank i: CTL 400h+4i, STATUS +1, ADDR +2, MISC +3 */
#define MSR_EFER 0xC0000080u
#define EFER_NXE (1u << 11)

#endif
