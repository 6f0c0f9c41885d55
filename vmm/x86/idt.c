/*
 * The IDT: 256 interrupt gates to the first-level stubs of x86/traps.S (the double fault through a
 * task gate, so that it runs on a stack of its own), and the exceptions' names.  What the stubs
 * call -- trap_dispatch, the second half of every interrupt -- is the interrupt layer's
 * (int/fault.c).
 */
#include "x86/trap.h"
#include "x86/x86.h"

struct idt_gate {
    uint16_t off_lo, sel;
    uint8_t zero, type;
    uint16_t off_hi;
};
_Static_assert(sizeof(struct idt_gate) == 8, "IDT gate");

extern char trap_stubs[];
static struct idt_gate idt[256] __attribute__((aligned(8)));

static const char *const names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range exceeded", "#UD invalid opcode", "#NM device not available",
    "#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
    "#NP segment not present", "#SS stack-segment fault", "#GP general protection",
    "#PF page fault", "reserved 15", "#MF x87 floating-point error", "#AC alignment check",
    "#MC machine check", "#XM SIMD floating-point", "#VE virtualization exception",
    "#CP control protection", "reserved 22", "reserved 23", "reserved 24", "reserved 25",
    "reserved 26", "reserved 27", "#HV hypervisor injection", "#VC VMM communication",
    "#SX security exception", "reserved 31",
};

const char *trap_name(uint32_t v) { return v < 32 ? names[v] : "external interrupt"; }

void idt_init(void)
{
    for (unsigned v = 0; v < 256; v++) {
        uint32_t a = (uint32_t)trap_stubs + 16 * v;
        /* 0x8E: present, DPL 0, 32-bit interrupt gate (IF cleared on entry). */
        idt[v] = (struct idt_gate){ a & 0xFFFF, SEL_KCODE, 0, 0x8E, a >> 16 };
    }
    idt[8] = (struct idt_gate){ 0, SEL_DFTSS, 0, 0x85, 0 };     /* task gate: fresh stack */
    uint32_t gp = (uint32_t)trap_gp, ud = (uint32_t)trap_ud;   /* V86 code's traps: entries */
    idt[13] = (struct idt_gate){ gp & 0xFFFF, SEL_KCODE, 0, 0x8E, gp >> 16 };  /* of their own */
    idt[6] = (struct idt_gate){ ud & 0xFFFF, SEL_KCODE, 0, 0x8E, ud >> 16 };
    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } idtr = {
        sizeof idt - 1, (uint32_t)idt
    };
    __asm__ volatile("lidt %0" : : "m"(idtr));
}
