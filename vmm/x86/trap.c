/*
 * The IDT and the second half of every interrupt: trap_dispatch, called by the stubs of
 * x86/traps.S with the interrupted state.  A page fault goes to the page services first
 * (mem/page.c: page tables on demand, Hook_Invalid_Page_Fault); everything else to int_dispatch
 * (int/int.c: fault hooks, NMI events, IRQs, the APIC, software interrupts).  What nobody takes
 * ends in the fatal report.
 */
#include "x86/trap.h"
#include "vxd/guard.h"
#include "vxd/vxd.h"
#include "x86/x86.h"
#include "console/console.h"
#include "boot/symbols.h"
#include "mem/page.h"
#include "int/int.h"
#include "vmm.h"

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
    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } idtr = {
        sizeof idt - 1, (uint32_t)idt
    };
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

static void print_symbol(const char *what, uint32_t addr)
{
    struct sym_loc s;
    if (symbols_lookup(addr, &s) || vxd_symbol(addr, &s) == 0)
        kprintf("%s %08x is %s+0x%x in %s\n", what, addr, s.name, s.offset, s.module);
    else
        kprintf("%s %08x is not inside any known module\n", what, addr);
}

void trap_fatal(uint32_t v, const struct client_regs *r, uint32_t esp)
{
    static int reporting;
    uint32_t cr2 = read_cr2();

    /* A fault while reporting one (a bad framebuffer mapping, say) must not recurse into the
     * same report: say so on the port sinks only, and stop. */
    if (reporting++) {
        console_drop_fb();
        kprintf("\n*** fault %u (%s) at %08x while reporting a fatal exception; halted\n", v,
                trap_name(v), r->eip);
        vmm_exit(VMM_EXIT_FATAL);
    }

    console_set_color(CON_ALERT);
    kprintf("\n*** VMM fatal exception %u (%s)", v, trap_name(v));
    if (v == 14)
        kprintf(" at linear address %08x (%s, %s, %s%s)", cr2, r->error & 1 ? "protection" : "not present",
                r->error & 2 ? "write" : "read", r->error & 4 ? "user" : "supervisor",
                r->error & 16 ? ", instruction fetch" : "");
    if (v == 14 || v == 8)      /* a #DF is most often a #PF that could not be delivered */
        kprintf("\n%s %08x: %s", v == 14 ? "the page at" : "CR2", cr2, page_describe(cr2));
    kprintf("\nerror code %08x  CS:EIP %04x:%08x  EFLAGS %08x\n", r->error, r->cs & 0xFFFF,
            r->eip, r->eflags);
    kprintf("EAX %08x  EBX %08x  ECX %08x  EDX %08x\n", r->eax, r->ebx, r->ecx, r->edx);
    kprintf("ESI %08x  EDI %08x  EBP %08x  ESP %08x\n", r->esi, r->edi, r->ebp, esp);
    kprintf("CR0 %08x  CR2 %08x  CR3 %08x  CR4 %08x\n", read_cr0(), cr2, read_cr3(), read_cr4());
    print_symbol("EIP", r->eip);
    console_set_color(CON_NORMAL);
    kprintf("*** system halted\n");
    vmm_exit(VMM_EXIT_FATAL);
}

struct client_regs *trap_dispatch(uint32_t v, struct client_regs *r)
{
    if (!(v == 14 && page_fault(r, read_cr2())) &&    /* page tables, Hook_Invalid_Page_Fault */
        !int_dispatch(v, r) &&                         /* hooks, IRQs, the APIC, soft INTs */
        !(guard_top && guard_fault(v, r)))             /* a guarded call into a VxD abandoned */
        trap_fatal(v, r, (r->cs & 3) ? r->esp : trap_ring0_esp(r));
    if (int_resched_pending && int_resched)
        r = int_resched(r);             /* the redispatch point: maybe another thread's frame */
    return r;
}
