/*
 * The fault path: trap_dispatch, the second half of every interrupt, and the fatal report.  See
 * int/fault.h for the order in which a fault is offered to its takers.
 */
#pragma GCC optimize("omit-frame-pointer")   /* on the V86 trap path; see mem/heap.c */
#include "int/fault.h"
#include "int/int.h"
#include "sched/fpu.h"
#include "mem/page.h"
#include "boot/symbols.h"
#include "console/console.h"
#include "x86/x86.h"
#include "vmm.h"

const struct fault_taker *fault_guard;
const struct fault_v86_taker *fault_v86;
volatile uint32_t fault_v86_due;

static int fault_offer(uint32_t v, struct client_regs *r)
{
    if (v == 7 && fpu_fault())                  /* #NM: the FPU is the running thread's now */
        return 1;
    if (v == 14 && page_table_fault(r, read_cr2()))     /* the PTE window: page tables on demand */
        return 1;
    if (fault_inside_nonreentrant(r)) {         /* nothing else may enter them half-way */
        kprintf("int: fault %u at %08x inside the page or heap services, which are not "
                "reentrant: no fault hook is called\n", v, r->eip);
        return 0;
    }
    if (v == 14 && page_fault(r, read_cr2()))   /* Hook_Invalid_Page_Fault */
        return 1;
    if ((r->eflags & EFLAGS_VM) && fault_v86)
        return fault_v86->fault(v, r);          /* the V86 monitor: V86 faults end there */
    return int_fault(v, r) ||                   /* Hook_VMM_Fault, Hook_PM_Fault */
           (fault_guard && fault_guard->fault(v, r));  /* a guarded call into a VxD abandoned */
}

__attribute__((noinline)) struct client_regs *trap_exit_slow(struct client_regs *r)
{
    if (int_resched_pending && int_resched)
        r = int_resched(r);             /* the redispatch point: maybe another thread's frame */
    if (fault_v86_due && (r->eflags & EFLAGS_VM))
        fault_v86->resume(r);           /* back into V86 code: what is due for that VM */
    return r;
}

struct client_regs *trap_dispatch(uint32_t v, struct client_regs *r)
{
    int handled;
    if (__builtin_expect(v >= 32 || v == 2, 1))
        handled = int_dispatch(v, r);           /* IRQs, the APIC, NMIs, software INTs */
    else if (v == 18)
        handled = int_machine_check();          /* reported; never resumed */
    else
        handled = fault_offer(v, r);
    if (__builtin_expect(!handled, 0))
        trap_fatal(v, r, (r->cs & 3) ? r->esp : trap_ring0_esp(r));
    return trap_exit(r);
}

static struct client_regs *gp_default(struct client_regs *r) { return trap_dispatch(13, r); }
static struct client_regs *ud_default(struct client_regs *r) { return trap_dispatch(6, r); }
struct client_regs *(*trap_v86_gp)(struct client_regs *r) = gp_default;
struct client_regs *(*trap_v86_ud)(struct client_regs *r) = ud_default;

static void print_symbol(const char *what, uint32_t addr)
{
    struct sym_loc s;
    if (symbols_lookup(addr, &s))
        kprintf("%s %08x is %s+0x%x in %s\n", what, addr, s.name, s.offset, s.module);
    else
        kprintf("%s %08x is not inside any known module\n", what, addr);
}

void trap_fatal(uint32_t v, const struct client_regs *r, uint32_t esp)
{
    static int reporting;
    uint32_t cr2 = read_cr2();
    console_set_lock(0);                /* no waiting for a thread to finish its line now */

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
