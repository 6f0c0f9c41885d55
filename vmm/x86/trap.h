/*
 * The processor's protection structures (GDT, TSSs, IDT) and the contract of the first-level
 * interrupt stubs (x86/traps.S): they leave the interrupted state on the stack as a struct
 * client_regs (include/vmm/client.h, the DDK's Client_Reg_Struc order) and call up into the
 * interrupt layer through the two entries declared last, which int/fault.c implements.  This
 * folder is the hardware only: it calls nothing else above it.
 * esp/ss exist only when the CPU switched stacks (entry from ring 3); es..gs only from V86 mode.
 */
#ifndef X86_TRAP_H
#define X86_TRAP_H

/* Shared with the assembly files (x86/traps.S). */
#define EFLAGS_IF 0x200
#define EFLAGS_VM 0x20000
#define CLIENT_EFLAGS 0x2C          /* offsetof(struct client_regs, eflags), asserted below */
#define CLIENT_FRAME_SIZE 0x48      /* sizeof(struct client_regs): a frame from V86 mode */

/* GDT selectors.  The ring-0 pair is where Windows 95 has its flat selectors (28h/30h). */
#define SEL_KCODE   0x28
#define SEL_KDATA   0x30
#define SEL_UCODE   0x3B
#define SEL_UDATA   0x43
#define SEL_TSS     0x48
#define SEL_DFTSS   0x50

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

#include "vmm/client.h"            /* struct client_regs: the layout, for VxDs too */

_Static_assert(offsetof(struct client_regs, eflags) == CLIENT_EFLAGS, "CLIENT_EFLAGS");
_Static_assert(sizeof(struct client_regs) == CLIENT_FRAME_SIZE, "CLIENT_FRAME_SIZE");

/* A whole frame copied (nested execution, Save/Restore_Client_State): 18 dwords by one string
 * move -- gcc's own copy of a struct this size is a loop of 90 instructions. */
static inline void client_regs_copy(struct client_regs *d, const struct client_regs *s)
{
    uint32_t n = sizeof *d / 4;
    __asm__ volatile("rep movsl" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
}

void gdt_init(void);
extern uint32_t *const tss_esp0;        /* the same, for the thread switch's one store */
void idt_init(void);
const char *trap_name(uint32_t vector);

/* The ESP the interrupted ring-0 code had: just above the CPU's EIP/CS/EFLAGS. */
static inline uint32_t trap_ring0_esp(const struct client_regs *r) { return (uint32_t)(uintptr_t)&r->esp; }

/* ---- implemented by the interrupt layer (int/fault.c), called from here ---------------------- */
/* The second half of every interrupt (the stubs); returns the frame the stub resumes. */
struct client_regs *trap_dispatch(uint32_t vector, struct client_regs *r);
/* The same for a #GP from V86 mode, the commonest trap while V86 code runs (every CLI, STI,
 * INT n, IRET, IN and OUT), and a #UD (break points, call backs): the V86 monitor's entries
 * once it has registered them (until then trap_dispatch's). */
extern struct client_regs *(*trap_v86_gp)(struct client_regs *r);
extern struct client_regs *(*trap_v86_ud)(struct client_regs *r);
void trap_gp(void);                 /* the #GP gate's entry (x86/traps.S) */
void trap_ud(void);                 /* the #UD gate's entry */
/* The fatal-exception report (the double-fault task; and whoever finds a fault nobody takes):
 * vector, error, CS:EIP and its symbol, registers, control registers, on every console; the
 * failure reported to a test harness if one is attached; halts. */
__attribute__((noreturn)) void trap_fatal(uint32_t vector, const struct client_regs *r, uint32_t esp);
/* A taker of the #DF (x86/gdt.c's task), set by the guard: r is the faulting state (r->esp its
 * ESP); 1 if it took it, with r->eip, eax and eflags changed to resume there, else the #DF is
 * fatal. */
extern int (*trap_double_fault)(struct client_regs *r);

/* Resumes the state r holds as the stubs do on their way out (x86/traps.S): loads ESP = r, pops
 * the registers, IRETs.  For entering V86 mode (a frame with EFLAGS.VM and the segment
 * registers V86 pops) and for ending nested execution.  Interrupts off. */
__attribute__((noreturn)) void trap_resume(struct client_regs *r);

/* The I/O permission bitmap of the TSS: bit p set = port p traps (#GP from V86 mode, which runs
 * at IOPL 0); all set at gdt_init.  The VMM's I/O-trap code owns the bits. */
#define IOMAP_PORTS 0x10000u
extern uint8_t *const tss_iomap;

#endif /* !__ASSEMBLER__ */
#endif
