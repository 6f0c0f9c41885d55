/*
 * The interrupted state, in the order of the DDK's Client_Reg_Struc, as the VMM's first-level
 * interrupt stubs leave it on the stack (vmm/x86/traps.S): what a hook or handler of
 * include/vmm/int.h receives as `r` and may change before the IRET restores it.  esp/ss exist
 * only when the CPU switched stacks (entry from ring 3); es..gs only from V86 mode.
 */
#ifndef VMM_CLIENT_H
#define VMM_CLIENT_H
#include <stddef.h>
#include <stdint.h>

struct client_regs {
    uint32_t edi, esi, ebp, res0;       /* res0: the ESP that PUSHAD saved (ignored) */
    uint32_t ebx, edx, ecx, eax;
    uint32_t error;                     /* CPU error code, or 0 */
    uint32_t eip;
    uint32_t cs;                        /* selector in the low 16 bits */
    uint32_t eflags;
    uint32_t esp, ss;                   /* only on a privilege change */
    uint32_t es, ds, fs, gs;            /* only from V86 mode */
};

_Static_assert(offsetof(struct client_regs, eax) == 0x1C, "Client_EAX (PUSHAD order)");
_Static_assert(offsetof(struct client_regs, error) == 0x20, "Client_Error follows PUSHAD");
_Static_assert(offsetof(struct client_regs, eip) == 0x24, "Client_EIP");
_Static_assert(offsetof(struct client_regs, eflags) == 0x2C, "Client_EFlags");
_Static_assert(offsetof(struct client_regs, gs) == 0x44, "Client_GS");

#endif
