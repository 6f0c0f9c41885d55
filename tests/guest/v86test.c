/*
 * In-guest tests of V86 VMs ([Debug] V86Test=1): real-mode programs written for the project
 * (tests/v86/NAME.asm, assembled by nasm and linked in as binaries) run in V86 VMs made with
 * Create_V86_VM and report through ports this suite traps (tests/v86/report.inc): each check's
 * number, passed or failed, and an exit code.  Besides what the programs say, the suite checks
 * what they cannot fake: their registers and memory read back through the SDK (Get_VM_Client,
 * CB_High_Linear), the order its own hooks ran in, what its I/O handlers saw.
 */
#include "guest/guest.h"
#include "guest/selftest.h"
#include "v86/v86.h"
#include "sched/sched.h"
#include "mem/heapsvc.h"
#include "mem/pmem.h"
#include "vmm/v86.h"
#include "vmm/int.h"
#include "vmm/thread.h"
#include "vmm/vm.h"
#include "vmm/vxd.h"
#include "console/console.h"
#include "lib/string.h"
#include "boot/ini.h"
#include "x86/x86.h"
#include "vmm.h"

static struct selftest T = { "v86test", 0, 0 };
#define CHECK(cond, what) SELFTEST_CHECK(&T, cond, what)

#define PROGRAM(name)                                                                      \
    extern const uint8_t _binary_##name##_bin_start[], _binary_##name##_bin_end[];          \
    static const struct program name = { #name, _binary_##name##_bin_start,                  \
                                         _binary_##name##_bin_end }
struct program {
    const char *name;
    const uint8_t *start, *end;
};
PROGRAM(flags);
PROGRAM(io);
PROGRAM(hooks);
PROGRAM(exc);
PROGRAM(nest);
PROGRAM(vint);
PROGRAM(a20);
PROGRAM(spin);
PROGRAM(idle);
PROGRAM(crashud);
PROGRAM(crashcli);
PROGRAM(crashss);
PROGRAM(crashpg);
PROGRAM(crashgone);
PROGRAM(localio);
PROGRAM(tiny);
PROGRAM(biostest);
PROGRAM(crashrom);
PROGRAM(crashreset);
PROGRAM(vddtest);
PROGRAM(screen);
PROGRAM(timer);
PROGRAM(kbd);
PROGRAM(fpu);
PROGRAM(fpuerr);

/* ---- what the programs report ----------------------------------------------------------- */

#define MAX_VMS 8
static struct run {
    VMHANDLE vm;
    const char *name;
    volatile uint32_t passed, failed, done, exit_code, lines;
    char line[80];
    unsigned nline;
} runs[MAX_VMS];

static struct run *run_of(VMHANDLE vm)
{
    for (unsigned i = 0; i < MAX_VMS; i++)
        if (runs[i].vm == vm)
            return &runs[i];
    return 0;
}

static int adopt;                       /* DosTest: a VM not made here reports as "dos" */

static uint32_t report(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                       struct client_regs *r)
{
    (void)r;
    struct run *p = run_of(vm);
    if (!p && adopt && (p = run_of(0)) != 0) {
        p->vm = vm;
        p->name = "dos";
    }
    if (!p || !(type & Output))
        return 0xFFFFFFFFu;
    if (port == 0xE1) {
        if (data & 0x8000) {
            p->failed++;
            kprintf("v86test: %s: FAIL: its check %u\n", p->name, data & 0x7FFF);
        } else
            p->passed++;
    } else if (port == 0xE2) {
        p->exit_code = data & 0xFFFF;
        p->done = 1;
    } else if (port == 0xE0) {
        if ((data & 0xFF) == '\n' || p->nline == sizeof p->line - 1) {
            p->line[p->nline] = 0;
            kprintf("v86test: %s says: %s\n", p->name, p->line);
            p->nline = 0;
            p->lines++;
        } else
            p->line[p->nline++] = (char)data;
    }
    return 0;
}

/* A VM's V86 memory as the VMM reaches it (CB_High_Linear), for what the programs cannot fake. */
static const uint8_t *vm_mem(VMHANDLE vm)
{
    return (const uint8_t *)((struct cb_s *)vm)->CB_High_Linear;
}

/* Starts prog in a new V86 VM as st says (loaded at st->load_seg:0000, run from st->cs:ip);
 * its run, live.  start: at 1000:0000, the stack at the top of that segment. */
static struct run *start_as(const struct program *prog, struct v86_start st)
{
    st.image = prog->start;
    st.size = (uint32_t)(prog->end - prog->start);
    unsigned i = 0;
    while (i < MAX_VMS && runs[i].vm)
        i++;
    if (i == MAX_VMS)
        return 0;
    struct run *p = &runs[i];
    memset(p, 0, sizeof *p);
    p->name = prog->name;
    p->vm = 1;                              /* taken, until the VM exists */
    VMHANDLE vm = Create_V86_VM(&st);
    p->vm = vm;
    return vm ? p : 0;
}

static struct run *start(const struct program *prog, uint32_t weight)
{
    return start_as(prog, (struct v86_start){ 0, 0, 0x1000, 0x1000, 0, 0x1000, 0xFFFE, weight });
}

static int wait_done(struct run *p, uint32_t ms)
{
    for (uint32_t t = 0; t < ms && !p->done; t += 5)
        thread_sleep(5);
    return p->done;
}

static void finish(struct run *p)
{
    if (Validate_VM_Handle(p->vm))
        Destroy_VM(p->vm);
    p->vm = 0;
}

/* A program's checks, all passed, and its exit code. */
static void run_program(const struct program *prog, unsigned expect_checks)
{
    struct run *p = start(prog, 100);
    CHECK(p != 0, "Create_V86_VM made the VM");
    if (!p)
        return;
    CHECK(wait_done(p, 5000), "the program ran to its end");
    CHECK(p->failed == 0 && p->passed == expect_checks && p->exit_code == 0,
          "every check of the program passed");
    kprintf("v86test: %s: %u checks passed, %u failed, exit %u\n", prog->name, p->passed,
            p->failed, p->exit_code);
    finish(p);
}

/* ---- the devices and hooks the programs use ---------------------------------------------- */

/* io.asm's: a byte-only FIFO at 300h-301h (wider accesses through Simulate_IO), and a 32-bit
 * register at 304h. */
static uint8_t fifo_out[32];
static unsigned nfifo_out, fifo_in = 0x40;
static uint32_t reg304;
static uint32_t fifo(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                     struct client_regs *r)
{
    Emulate_Non_Byte_IO();                      /* words and dwords: a byte at a time */
    if (type & Output) {
        if (nfifo_out < sizeof fifo_out)
            fifo_out[nfifo_out++] = (uint8_t)data;
        return 0;
    }
    return fifo_in++;
}
static uint32_t reg(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                    struct client_regs *r)
{
    (void)vm, (void)port, (void)r;
    unsigned size = type & Dword_IO ? 4 : type & Word_IO ? 2 : 1;
    uint32_t mask = size == 4 ? 0xFFFFFFFFu : size == 2 ? 0xFFFFu : 0xFFu;
    if (type & Output) {
        reg304 = (reg304 & ~mask) | (data & mask);
        return 0;
    }
    return reg304 & mask;
}

/* hooks.asm's: two hooks on INT 61h noting their order; the second consumes AX = 1. */
static char hook_order[8];
static unsigned nhook;
static int hook1(struct client_regs *r, void *ref)
{
    (void)r, (void)ref;
    if (nhook < sizeof hook_order - 1)
        hook_order[nhook++] = '1';
    return 1;                                   /* pass it on */
}
static int hook2(struct client_regs *r, void *ref)
{
    (void)ref;
    if (nhook < sizeof hook_order - 1)
        hook_order[nhook++] = '2';
    if ((r->eax & 0xFFFF) != 1)
        return 1;
    r->ebx = (r->ebx & 0xFFFF0000u) | 0x1111;
    return 0;                                   /* consumed */
}
static uint32_t vm_id_said;
static uint32_t said_id(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                        struct client_regs *r)
{
    (void)vm, (void)type, (void)port, (void)r;
    vm_id_said = data & 0xFFFF;
    return 0;
}

/* nest.asm's: a call back that runs the program's INT 62h nested; a break point it asks for. */
static uint32_t cb_nest_addr, nested_cx, nest_ip_in_cb;
static void cb_nest(VMHANDLE vm, void *ref, struct client_regs *r)
{
    (void)ref;
    uint8_t saved[CLIENT_STATE_SIZE];
    nest_ip_in_cb = r->eip & 0xFFFF;           /* the far return came first */
    Save_Client_State(saved);
    Begin_Nest_V86_Exec();
    Exec_Int(0x62);
    nested_cx = Get_VM_Client(vm)->ecx & 0xFFFF;
    End_Nest_Exec();
    Restore_Client_State(saved);
    r->edx = (r->edx & 0xFFFF0000u) | 0xBEEF;
}
static uint32_t cb_port(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                        struct client_regs *r)
{
    (void)vm, (void)type, (void)port, (void)data, (void)r;
    return cb_nest_addr;
}
static uint8_t bp_bytes_before[2], bp_bytes_after[2];
static uint32_t bp_hits;
static void bp_proc(VMHANDLE vm, void *ref, struct client_regs *r)
{
    (void)ref;
    uint32_t at = (r->cs & 0xFFFF) << 16 | (r->eip & 0xFFFF);
    bp_hits++;
    r->esi = (r->esi & 0xFFFF0000u) | 0x5151;
    Remove_V86_Break_Point(at);
    const uint8_t *m = vm_mem(vm) +
                       v86_seg_base(r->cs) + (r->eip & 0xFFFF);
    bp_bytes_after[0] = m[0];
    bp_bytes_after[1] = m[1];
    r->eip += 2;                                /* over what the break point covered */
}
static uint32_t bp_port(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                        struct client_regs *r)
{
    (void)type, (void)port;
    const uint8_t *m = vm_mem(vm) +
                       v86_seg_base(r->cs) + (data & 0xFFFF);
    bp_bytes_before[0] = m[0];
    bp_bytes_before[1] = m[1];
    Install_V86_Break_Point((r->cs & 0xFFFF) << 16 | (data & 0xFFFF), 0, bp_proc);
    return 0;
}

/* vint.asm's: IRQ 10 (a line nobody uses here) virtualised; requests now or in 50 ms. */
static uint32_t hirq10, irq10_eois;
static int irq10_hw(uint32_t hirq, struct client_regs *r, void *ref)
{
    (void)r, (void)ref;
    VPICD_Phys_EOI(hirq);
    return 0;
}
static void irq10_eoi(uint32_t hirq, VMHANDLE vm, void *ref)
{
    (void)ref;
    irq10_eois++;
    VPICD_Clear_Int_Request(hirq, vm);          /* as a device does once its IRQ is served */
}
static void irq10_later(uint32_t late, void *ref)
{
    (void)late;
    VPICD_Set_Int_Request(hirq10, (VMHANDLE)ref);
}
static uint32_t vint_port(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                          struct client_regs *r)
{
    (void)type, (void)data, (void)r;
    if (port == 0xE8)
        VPICD_Set_Int_Request(hirq10, vm);
    else
        Set_Global_Time_Out(irq10_later, 50, (void *)vm);
    return 0;
}

/* a20.asm's: port EAh, AL = A20 on or off. */
static uint32_t a20_port(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                         struct client_regs *r)
{
    (void)type, (void)port, (void)r;
    Set_V86_A20(vm, data & 1);
    return 0;
}

/* ---- the tests ---------------------------------------------------------------------------- */

static void test_io(void)
{
    static const uint8_t want[] = { 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x88, 0x77 };
    CHECK(Install_IO_Handler(0x300, fifo) && Install_IO_Handler(0x301, fifo) &&
          Install_IO_Handler(0x304, reg), "the devices' ports trapped");
    run_program(&io, 14);
    CHECK(nfifo_out == sizeof want && !memcmp(fifo_out, want, sizeof want),
          "the FIFO saw every byte out, in order (words split by Simulate_IO, REP OUTSB both "
          "ways)");
    CHECK(fifo_in == 0x46, "and gave six bytes in (IN AL, IN AX split, REP INSB of 3)");
    kprintf("v86test: io: the FIFO saw %u bytes out, gave %u in; the register holds %08x\n",
            nfifo_out, fifo_in - 0x40, reg304);
    Remove_IO_Handler(0x300);
    Remove_IO_Handler(0x301);
    Remove_IO_Handler(0x304);
}

static void test_hooks(void)
{
    CHECK(Hook_V86_Int_Chain(0x61, hook1, 0) && Hook_V86_Int_Chain(0x61, hook2, 0),
          "two hooks on INT 61h");
    CHECK(Install_IO_Handler(0xE5, said_id), "port E5h");
    struct run *p = start(&hooks, 100);
    CHECK(p && wait_done(p, 5000), "hooks.asm ran to its end");
    if (p) {
        CHECK(p->failed == 0 && p->passed == 7, "every check of hooks.asm passed");
        hook_order[nhook] = 0;
        CHECK(!strcmp(hook_order, "221"), "the hooks ran last-installed first: 2 (consumed), "
              "then 2 and 1 (passed on)");
        CHECK(vm_id_said == ((struct vm *)p->vm)->cb.CB_VMID, "INT 2Fh AX=1683h gave the VM's ID");
        kprintf("v86test: hooks: %u checks passed, %u failed; hook order %s; VM ID %u\n",
                p->passed, p->failed, hook_order, vm_id_said);
        finish(p);
    }
    Unhook_V86_Int_Chain(0x61, hook1, 0);
    Unhook_V86_Int_Chain(0x61, hook2, 0);
    Remove_IO_Handler(0xE5);
}

static void test_nest(void)
{
    cb_nest_addr = Allocate_V86_Call_Back(0, cb_nest);
    CHECK(cb_nest_addr >> 16 == V86_BP_SEG, "a call back in the VMM's break-point page");
    CHECK(Install_IO_Handler(0xE6, cb_port) && Install_IO_Handler(0xE7, bp_port), "ports E6-E7h");
    run_program(&nest, 4);
    CHECK(nested_cx == 99, "Exec_Int ran the program's handler nested (it set CX 99)");
    CHECK(nest_ip_in_cb != (cb_nest_addr & 0xFFFF), "the call back ran after the far return");
    CHECK(bp_hits == 1 && bp_bytes_before[0] == 0x90 && bp_bytes_before[1] == 0x90 &&
          bp_bytes_after[0] == 0x90 && bp_bytes_after[1] == 0x90,
          "the break point was hit once, and removing it put the NOPs back");
    Remove_IO_Handler(0xE6);
    Remove_IO_Handler(0xE7);
}

static void test_vint(void)
{
    struct vpicd_irq_descriptor vid = { 10, 0, irq10_hw, 0, irq10_eoi };
    hirq10 = VPICD_Virtualize_IRQ(&vid);
    CHECK(hirq10 != 0, "IRQ 10 virtualised");
    CHECK(Install_IO_Handler(0xE8, vint_port) && Install_IO_Handler(0xE9, vint_port),
          "ports E8-E9h");
    irq10_eois = 0;
    run_program(&vint, 7);
    CHECK(irq10_eois == 2, "the program's EOIs of IRQ 10 reached its owner twice (VID_EOI_Proc)");
    VPICD_Force_Default_Behavior(hirq10);
    Remove_IO_Handler(0xE8);
    Remove_IO_Handler(0xE9);
}

static void test_a20(void)
{
    CHECK(Install_IO_Handler(0xEA, a20_port), "port EAh");
    run_program(&a20, 6);
    Remove_IO_Handler(0xEA);
}

/* CPU time of a VM over ms, in per mille of the interval. */
static uint32_t share(VMHANDLE vm, uint64_t t0, uint64_t c0, uint64_t *c1)
{
    *c1 = vm_cpu_tsc(vm);
    uint64_t dt = rdtsc() - t0;
    return (uint32_t)((*c1 - c0) * 1000 / (dt ? dt : 1));
}

static void test_idle(void)
{
    struct run *a = start(&idle, 100), *b = start(&spin, 100);
    CHECK(a && b, "an idle VM and a spinning one");
    if (!a || !b)
        return;
    thread_sleep(50);
    uint64_t t0 = rdtsc(), ca = vm_cpu_tsc(a->vm), cb = vm_cpu_tsc(b->vm), ca1, cb1;
    thread_sleep(1000);
    uint32_t pa = share(a->vm, t0, ca, &ca1), pb = share(b->vm, t0, cb, &cb1);
    kprintf("v86test: idle VM in HLT %u.%u %% of the CPU, spinning VM %u.%u %% over 1 s\n",
            pa / 10, pa % 10, pb / 10, pb % 10);
    CHECK(pa < 10, "the VM in HLT took under 1 % of the CPU");
    CHECK(pb > 900, "the spinning VM took the rest");
    finish(a);
    finish(b);
}

static void test_shares(void)
{
    static const uint32_t w[3] = { 100, 50, 50 };
    struct run *p[3];
    for (unsigned i = 0; i < 3; i++)
        p[i] = start(&spin, w[i]);
    CHECK(p[0] && p[1] && p[2], "three spinning VMs at 100/50/50");
    if (!p[0] || !p[1] || !p[2])
        return;
    thread_sleep(100);
    uint64_t c0[3], c1[3], sum = 0;
    for (unsigned i = 0; i < 3; i++)
        c0[i] = vm_cpu_tsc(p[i]->vm);
    thread_sleep(2000);
    for (unsigned i = 0; i < 3; i++)
        sum += (c1[i] = vm_cpu_tsc(p[i]->vm)) - c0[i];
    uint32_t s[3];
    for (unsigned i = 0; i < 3; i++)
        s[i] = (uint32_t)((c1[i] - c0[i]) * 1000 / (sum ? sum : 1));
    kprintf("v86test: V86 VMs at time-slice priorities 100/50/50 over 2000 ms: CPU shares "
            "%u.%u %% %u.%u %% %u.%u %%\n", s[0] / 10, s[0] % 10, s[1] / 10, s[1] % 10,
            s[2] / 10, s[2] % 10);
    CHECK(s[0] >= 480 && s[0] <= 520 && s[1] >= 230 && s[1] <= 270 && s[2] >= 230 &&
          s[2] <= 270, "50/25/25 within 2 points");
    for (unsigned i = 0; i < 3; i++)
        finish(p[i]);
}

/* The FPU is each VM's own: two VMs loading their own values and yielding to each other 500
 * times each find theirs every time (fpu.asm), the FPU switched lazily at #NM. */
static void test_fpu(void)
{
    struct run *a = start(&fpu, 100), *b = start(&fpu, 100);
    CHECK(a && b, "two VMs using the FPU at once");
    if (!a || !b)
        return;
    int done = wait_done(a, 5000) && wait_done(b, 5000);
    CHECK(done && a->failed == 0 && b->failed == 0 && a->passed == 2 && b->passed == 2,
          "each found its own ST0 and control word after every switch");
    kprintf("v86test: fpu: two VMs, 500 switches each: %u and %u checks passed, %u and %u "
            "failed\n", a->passed, b->passed, a->failed, b->failed);
    finish(a);
    finish(b);
}

/* A program that crashes ends its VM, reported, while another VM goes on counting. */
static void test_crash(const struct program *prog, uint32_t wait_ms)
{
    struct run *b = start(&spin, 100);
    struct run *a = start(prog, 100);
    CHECK(a && b, "a crashing program and a spinning one");
    if (!a || !b)
        return;
    VMHANDLE vm = a->vm;
    for (uint32_t t = 0; t < wait_ms && Validate_VM_Handle(vm); t += 10)
        thread_sleep(10);
    CHECK(!Validate_VM_Handle(vm), "the crashing program's VM ended");
    volatile uint32_t *count = (volatile uint32_t *)(((struct vm *)b->vm)->cb.CB_High_Linear +
                                                     0x10000 + 0x100);
    uint32_t n0 = *count;
    thread_sleep(50);
    CHECK(Validate_VM_Handle(b->vm) && *count != n0, "the other VM goes on");
    kprintf("v86test: %s: its VM ended, the other VM went on (%u -> %u)\n", prog->name, n0,
            *count);
    a->vm = 0;
    finish(b);
}

/* The system VM's V86 code, started as SHELL starts it (Create_V86_Thread): flags.asm runs to its
 * end; a second start while it is there is refused; ended (as a spin after CLI is: the VMM's
 * kill at its next resume), the VM stays and what the code left is gone (VM_V86_RESET: its
 * image zeroed, VBIOS's BDA again); flags.asm started there again passes every check. */
static int sys_run(struct run *p, const struct v86_start *st)
{
    memset(p, 0, sizeof *p);
    p->name = "sysvm";
    p->vm = Get_Sys_VM_Handle();
    uint32_t t = Create_V86_Thread(p->vm, st);
    int ok = t && wait_done(p, 5000) && p->failed == 0 && p->passed == 15 && p->exit_code == 0;
    kprintf("v86test: sysvm: %u checks passed, %u failed, exit %u\n", p->passed, p->failed,
            p->exit_code);
    return ok;
}
static int sys_end(void)
{
    struct v86_space *s = vm_system()->v86;
    uint32_t resets = v86_code_resets;
    {
        INTS_OFF();
        s->kill = "v86test ends it";
        v86_update_due(s);
    }
    for (unsigned t = 0; t < 2000 && v86_code_resets == resets; t += 10)
        thread_sleep(10);
    return v86_code_resets == resets + 1;
}
static void test_sys_vm(void)
{
    VMHANDLE sys = Get_Sys_VM_Handle();
    struct v86_start st = { flags.start, (uint32_t)(flags.end - flags.start), 0x1000, 0x1000, 0,
                            0x1000, 0xFFFE, 100 };
    unsigned i = 0;
    while (i < MAX_VMS && runs[i].vm)
        i++;
    CHECK(i < MAX_VMS && !Get_VM_Client(sys), "the system VM runs no V86 code (no shell here)");
    if (i == MAX_VMS || Get_VM_Client(sys))
        return;
    struct run *p = &runs[i];
    CHECK(sys_run(p, &st), "flags.asm ran in the system VM, every check passed");
    CHECK(!Create_V86_Thread(sys, &st), "a second start refused while its code is there");
    CHECK(sys_end(), "its code ended: one VM_V86_RESET");
    const uint8_t *m = vm_mem(sys);
    unsigned nonzero = 0;
    for (uint32_t k = 0; k < st.size; k++)
        nonzero += m[0x10000 + k] != 0;
    CHECK(Validate_VM_Handle(sys) && !Get_VM_Client(sys) && nonzero == 0 &&
          m[0x41A] == 0x1E && m[0x41C] == 0x1E && m[0x480] == 0x1E,
          "the system VM stays, its code gone, its memory zeroed, the BDA VBIOS's again");
    CHECK(sys_run(p, &st), "flags.asm ran in the system VM again, every check passed");
    CHECK(sys_end(), "its code ended again");
    p->vm = 0;
}

/* An unloaded VxD's call back (v86_purge, as the VxD manager's unload calls it): a VM that
 * still calls it is ended, reported, and the procedure -- freed code, had the VxD gone -- never
 * runs. */
static uint32_t gone_addr, gone_ran;
static void gone_cb(VMHANDLE vm, void *ref, struct client_regs *r)
{
    (void)vm, (void)ref, (void)r;
    gone_ran++;
}
static uint32_t gone_port(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                          struct client_regs *r)
{
    (void)vm, (void)type, (void)port, (void)data, (void)r;
    return gone_addr;
}
static void test_gone(void)
{
    gone_addr = Allocate_V86_Call_Back(0, gone_cb);
    CHECK(gone_addr >> 16 == V86_BP_SEG && Install_IO_Handler(0xEB, gone_port),
          "a call back, and port EBh to tell it");
    CHECK(v86_purge((uint32_t)gone_cb, (uint32_t)gone_cb + 1) == 1,
          "the purge of its procedure's range took out one thing");
    test_crash(&crashgone, 2000);
    CHECK(gone_ran == 0, "the purged procedure never ran");
    Remove_IO_Handler(0xEB);
}

/* Local trapping: port EDh trapped in every VM but let through in one (Disable_Local_Trapping),
 * with both VMs taking turns -- each VM switch must carry its own I/O bitmap, and a change of
 * the global state (port EEh's handler, from within each VM) must not override a VM's own. */
static VMHANDLE local_vm[2];
static uint32_t local_reads[2], local_other, local_global;
static uint32_t local_global_port(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                                  struct client_regs *r)
{
    (void)vm, (void)type, (void)port, (void)data, (void)r;
    local_global += Enable_Global_Trapping(0xED);
    return 0;
}
static uint32_t local_port(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                           struct client_regs *r)
{
    (void)type, (void)port, (void)data, (void)r;
    if (vm == local_vm[0])
        local_reads[0]++;
    else if (vm == local_vm[1])
        local_reads[1]++;
    else
        local_other++;
    return 0x5A;
}
static void test_local(void)
{
    CHECK(Install_IO_Handler(0xED, local_port) && Install_IO_Handler(0xEE, local_global_port),
          "ports EDh and EEh trapped");
    struct run *a = start(&localio, 100), *b = start(&localio, 100);
    CHECK(a && b, "two VMs that read port EDh");
    if (!a || !b)
        return;
    local_vm[0] = a->vm;
    local_vm[1] = b->vm;
    CHECK(Disable_Local_Trapping(b->vm, 0xED), "Disable_Local_Trapping of EDh in the second");
    CHECK(!Disable_Local_Trapping(b->vm, 0x3F8), "refused for a port without a handler");
    CHECK(wait_done(a, 5000) && wait_done(b, 5000), "both ran to their end");
    kprintf("v86test: local trapping: the handler saw %u reads from the trapping VM, %u from the "
            "other (it read %02x, the handler gives 5a); global trapping set %u times between\n",
            local_reads[0], local_reads[1], b->exit_code, local_global);
    CHECK(local_global == 2, "each VM had EDh's global trapping set while it ran");
    CHECK(local_reads[0] == 50 && a->exit_code == 0x5A, "the trapping VM's 50 reads trapped");
    CHECK(local_reads[1] == 0 && b->exit_code != 0x5A && local_other == 0,
          "none of the other VM's reached the handler");
    finish(a);
    finish(b);
    Remove_IO_Handler(0xED);
    Remove_IO_Handler(0xEE);
}

/* The virtual PC's BIOS (VBIOS.VXD, a default VxD, which this image has): biostest.asm's checks,
 * then what the program cannot fake, read back from the VM's memory after it ran. */
static uint32_t rd16(const uint8_t *p) { return (uint32_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | rd16(p + 2) << 16; }
static void test_bios(void)
{
    struct run *p = start(&biostest, 100);
    CHECK(p != 0, "Create_V86_VM made biostest's VM");
    if (!p)
        return;
    const uint8_t *m = vm_mem(p->vm);
    CHECK(wait_done(p, 5000), "biostest ran to its end");
    CHECK(p->failed == 0 && p->passed == 40 && p->exit_code == 0,
          "every check of biostest passed");
    CHECK(rd16(m + 0x40E) == 0x9FC0 && m[0x9FC00] == 1, "the EBDA: 9FC0:0000, 1 KB");
    CHECK(rd16(m + 0x410) == 0x0020 && rd16(m + 0x413) == 639 && m[0x449] == 3 &&
          rd16(m + 0x44A) == 80 && rd16(m + 0x463) == 0x3D4 && rd16(m + 0x41A) == 0x20 &&
          rd16(m + 0x41C) == 0x20 && rd16(m + 0x480) == 0x1E && rd16(m + 0x482) == 0x3E &&
          rd16(m + 0x41E) == 0x1E61,
          "the BDA as a PC's: equipment, memory, video, keyboard buffer (the key the program "
          "stored and read at 40:1E, head and tail past it)");
    CHECK(rd32(m + 0x46C) < 0x1800B0u, "the tick count below a day's");
    CHECK(m[0xFFFFE] == 0xFC && !memcmp(m + 0xFFFF5, "12/04/26", 8) && m[0xFFFF0] == 0xEA,
          "the image at F0000: the model byte, the date, the reset jump");
    CHECK(rd32(m + 0x1E * 4) == 0xF000EFC7u && m[0xFEFC7] == 0xDF,
          "INT 1Eh: the diskette parameter table");
    kprintf("v86test: biostest: %u checks passed, %u failed; BDA: equipment %04x, %u KB, EBDA "
            "%04x, ticks %08x\n", p->passed, p->failed, rd16(m + 0x410), rd16(m + 0x413),
            rd16(m + 0x40E), rd32(m + 0x46C));
    finish(p);
    test_crash(&crashrom, 2000);
    test_crash(&crashreset, 2000);
    struct run *q = start(&tiny, 100);          /* a VM made after: the image as it was */
    CHECK(q && vm_mem(q->vm)[0xF0000] == 'V',
          "the BIOS image unchanged by the write (a new VM sees it whole)");
    if (q) {
        wait_done(q, 2000);
        finish(q);
    }
}

/* The virtual display (VDD.VXD, a default VxD): vddtest.asm's checks, then its screen read back
 * from the VM's video memory at B8000h -- the rows and attributes its INT 10h calls left. */
static int screen_row_is(const uint8_t *vram, unsigned y, unsigned x, const char *s, uint8_t attr)
{
    for (unsigned i = 0; s[i]; i++)
        if (vram[(y * 80 + x + i) * 2] != (uint8_t)s[i] || vram[(y * 80 + x + i) * 2 + 1] != attr)
            return 0;
    return 1;
}
static void test_vdd(void)
{
    struct run *p = start(&vddtest, 100);
    CHECK(p != 0, "Create_V86_VM made vddtest's VM");
    if (!p)
        return;
    const uint8_t *m = vm_mem(p->vm), *vram = m + 0xB8000;
    CHECK(wait_done(p, 5000), "vddtest ran to its end");
    CHECK(p->failed == 0 && p->passed == 19 && p->exit_code == 0,
          "every check of vddtest passed");
    CHECK(screen_row_is(vram, 0, 0, "Hello, VDD ", 0x07), "row 0: the teletype's line");
    CHECK(screen_row_is(vram, 2, 10, "attr", 0x1E) && screen_row_is(vram, 2, 9, " ", 0x07),
          "row 2: AH=13h's string in 1Eh at column 10");
    CHECK(screen_row_is(vram, 3, 0, "A", 0x4F) && screen_row_is(vram, 3, 1, "B", 0x2F),
          "row 3: AH=13h's character and attribute pairs");
    CHECK(screen_row_is(vram, 22, 0, "scrolled ", 0x07) &&
          screen_row_is(vram, 23, 0, "         ", 0x07), "rows 22-23: the window scrolled up");
    CHECK(vram[0] == 'H' && m[0x449] == 3,
          "the VM's own video memory and BDA");
    CHECK(screen_row_is(vram, 24, 0, "bottom", 0x70), "row 24: AH=09h's attribute kept");
    CHECK(screen_row_is(vram, 5, 0, "direct", 0x0A), "row 5: written straight into B8000h");
    /* The page tables say what the VM's code wrote (the CPU's dirty bits), not VDD's INT 10h:
     * B8000h's page dirty (row 5), B9000h's not; cleared, it stays present and writable.  Only
     * when VDD does not draw this VM (its refresh clears the focus VM's bits itself). */
    uint32_t pte[2], hl = ((struct cb_s *)p->vm)->CB_High_Linear >> 12;
    if (Get_Execution_Focus() != p->vm) {
        CHECK(_CopyPageTable(hl + 0xB8, 2, pte, 0) && (pte[0] & P_DIRTY) && !(pte[1] & P_DIRTY),
              "_CopyPageTable: the page the program wrote is dirty, the next one is not");
        CHECK(_ModifyPageBits(p->vm, 0xB8, 2, ~P_DIRTY, 0, PG_IGNORE, 0) &&
              _CopyPageTable(hl + 0xB8, 2, pte, 0) && !(pte[0] & P_DIRTY) &&
              (pte[0] & (P_PRES | P_WRITE | P_USER)) == (P_PRES | P_WRITE | P_USER),
              "_ModifyPageBits cleared P_DIRTY, and only it");
        CHECK(!_ModifyPageBits(p->vm, 0xB8, 1, ~0u, P_DIRTY, PG_IGNORE, 0),
              "_ModifyPageBits refuses to set P_DIRTY");
    }
    for (unsigned y = 0; y < 25; y++) {
        char line[81];
        unsigned n = 0;
        for (unsigned x = 0; x < 80; x++)
            line[x] = (char)vram[(y * 80 + x) * 2];
        for (n = 80; n && line[n - 1] == ' '; n--)
            ;
        line[n] = 0;
        if (n)
            kprintf("v86test: vddtest's screen, row %2u: %s\n", y, line);
    }
    kprintf("v86test: vddtest: %u checks passed, %u failed\n", p->passed, p->failed);
    finish(p);
}

/* The virtual PIC and timer (VPICD.VXD, VTD.VXD, default VxDs): timer.asm's checks, the
 * instants it marks on port EBh timed here, and its BIOS tick count (40:6Ch) read back from its
 * memory while it idles in HLT -- running, then suspended for a second: resumed, it catches up. */
static uint64_t marks[5];
static uint32_t mark_port(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                          struct client_regs *r)
{
    (void)vm, (void)type, (void)port, (void)r;
    if ((data & 0xFF) < 5)
        marks[data & 0xFF] = Get_Clock_NS();
    return 0;
}
static void test_timer(void)
{
    memset(marks, 0, sizeof marks);
    CHECK(Install_IO_Handler(0xEB, mark_port), "port EBh");
    struct run *p = start(&timer, 100);
    CHECK(p != 0, "Create_V86_VM made timer.asm's VM");
    if (!p) {
        Remove_IO_Handler(0xEB);
        return;
    }
    const uint8_t *m = vm_mem(p->vm);
    CHECK(wait_done(p, 10000), "timer.asm ran to its end");
    CHECK(p->failed == 0 && p->passed == 14 && p->exit_code == 0,
          "every check of timer.asm passed");
    uint32_t five = (uint32_t)((marks[4] - marks[3]) / 1000000u);
    uint32_t hundred = (uint32_t)((marks[2] - marks[1]) / 1000000u);
    CHECK(marks[3] && marks[4] && five >= 200 && five <= 330,
          "five BIOS ticks took 5 x 54.9 ms (the first in step)");
    CHECK(marks[1] && marks[2] && hundred >= 95 && hundred <= 150,
          "100 IRQ 0s at the 1 kHz the program set took 100 ms");
    uint32_t t0 = rd32(m + 0x46C);
    thread_sleep(1000);
    uint32_t t1 = rd32(m + 0x46C);
    CHECK(Suspend_VM(p->vm), "Suspend_VM");
    thread_sleep(1000);
    uint32_t t2 = rd32(m + 0x46C);
    CHECK(Resume_VM(p->vm), "Resume_VM");
    thread_sleep(100);
    uint32_t t3 = rd32(m + 0x46C);
    kprintf("v86test: timer: %u checks passed, %u failed; five ticks in %u ms, 100 at 1 kHz in "
            "%u ms; 40:6C %u in 1 s idle, %u while suspended 1 s, %u 0.1 s after\n", p->passed,
            p->failed, five, hundred, t1 - t0, t2 - t1, t3 - t1);
    CHECK(t1 - t0 >= 17 && t1 - t0 <= 20, "an idle VM's 40:6Ch: 18.2 a second");
    CHECK(t2 - t1 <= 1, "a suspended VM's stands");
    CHECK(t3 - t1 >= 19 && t3 - t1 <= 22, "resumed, it caught up: 1.1 s of ticks");
    finish(p);
    Remove_IO_Handler(0xEB);
}

/* A VM's text screen (B8000h) and cursor, each row in hex, for the harness to compare. */
static void print_screen(const char *what, const uint8_t *m)
{
    for (unsigned row = 0; row < 25; row++) {
        char hex[321];
        for (unsigned i = 0; i < 160; i++) {
            hex[2 * i] = "0123456789abcdef"[m[0xB8000 + row * 160 + i] >> 4];
            hex[2 * i + 1] = "0123456789abcdef"[m[0xB8000 + row * 160 + i] & 15];
        }
        hex[320] = 0;
        kprintf("v86test: %s row %02u %s\n", what, row, hex);
    }
    kprintf("v86test: %s mode %02x, cursor %02x %02x\n", what, m[0x449], m[0x450], m[0x451]);
}

/* screen.asm, a boot sector, run at 0000:7C00 as a PC's BIOS runs it: its text screen and
 * cursor printed in hex for the harness, which compares them with SeaBIOS's (the same sector
 * booted by QEMU's own PC BIOS). */
static void test_screen(void)
{
    struct run *p = start_as(&screen, (struct v86_start){ 0, 0, 0x07C0, 0, 0x7C00, 0, 0x7C00,
                                                          100 });
    CHECK(p != 0, "Create_V86_VM made screen.asm's VM at 0000:7C00");
    if (!p)
        return;
    const uint8_t *m = vm_mem(p->vm);
    CHECK(wait_done(p, 5000) && p->exit_code == 0, "screen.asm drew its screen");
    print_screen("screen.asm", m);
    finish(p);
}

/* 1,000 VMs made, run to their end and destroyed leave pages and heap where they were. */
static void test_many(void)
{
    thread_sleep(20);                   /* the threads of VMs ended before: reaped at a tick */
    uint32_t pages0 = pmem.nfree, heap0 = (uint32_t)sys_heap.used_bytes, ok = 0;
    for (unsigned i = 0; i < 1000; i++) {
        struct run *p = start(&tiny, 100);
        if (p && wait_done(p, 2000) && p->exit_code == 0)
            ok++;
        if (p)
            finish(p);
    }
    thread_sleep(20);                   /* and the last one's */
    uint32_t pages1 = pmem.nfree, heap1 = (uint32_t)sys_heap.used_bytes;
    kprintf("v86test: 1000 V86 VMs made, run and destroyed (%u ran to their end): free pages "
            "%u -> %u, heap bytes %u -> %u\n", ok, pages0, pages1, heap0, heap1);
    CHECK(ok == 1000, "each ran to its end");
    CHECK(pages0 == pages1 && heap0 == heap1, "free pages and heap bytes exactly as before");
}

/* [Debug] V86Spin=1: a V86 VM left spinning, for the harness to look at through QEMU's monitor
 * (the boot flow then sleeps: the CPU is in that VM nearly all the time). */
void v86spin_run(void)
{
    struct run *p = start(&spin, 100);
    kprintf("v86test: a V86 VM spins for the monitor (%s)\n", p ? "started" : "NOT started");
}

/* [Debug] KbdTest=1: kbd.asm in the focus VM, for the harness to type at: it waits in INT 16h
 * (its CPU share measured meanwhile), then "type now"; the keys it reads are its lines. */
void v86kbd_run(void)
{
    kprintf("v86test: kbd: start\n");
    CHECK(Install_IO_Handler(0xE0, report) && Install_IO_Handler(0xE1, report) &&
          Install_IO_Handler(0xE2, report), "the report ports trapped");
    struct run *p = start(&kbd, 100);
    CHECK(p != 0, "Create_V86_VM made kbd.asm's VM");
    if (p) {
        CHECK(Set_Execution_Focus(p->vm), "the focus to it");
        for (unsigned t = 0; t < 5000 && !p->lines; t += 10)
            thread_sleep(10);
        CHECK(p->lines == 1, "it said ready");
        uint64_t t0 = rdtsc(), c0 = vm_cpu_tsc(p->vm), c1;
        thread_sleep(1000);
        uint32_t pm = share(p->vm, t0, c0, &c1);
        kprintf("v86test: kbd: waiting in INT 16h, %u.%u %% of the CPU over 1 s\n", pm / 10,
                pm % 10);
        CHECK(pm < 10, "a VM waiting for a key takes under 1 % of the CPU");
        kprintf("v86test: kbd: type now\n");
        CHECK(wait_done(p, 60000), "kbd.asm read keys up to Esc");
        CHECK(p->failed == 0 && p->passed == 4 && p->exit_code == 0,
              "every check of kbd.asm passed");
        kprintf("v86test: kbd: %u checks passed, %u failed; %u lines\n", p->passed, p->failed,
                p->lines);
        finish(p);
    }
    Remove_IO_Handler(0xE0);
    Remove_IO_Handler(0xE1);
    Remove_IO_Handler(0xE2);
    selftest_end(&T);
}

/* [Debug] ScreenTest=1: vddtest.asm's screen as the focus VM's, for the harness to look at
 * through QEMU's screendump (and its VT copy on COM1); then the VM ends and the console has the
 * screen again. */
void v86screen_run(void)
{
    kprintf("v86test: screen: start\n");
    CHECK(Install_IO_Handler(0xE0, report) && Install_IO_Handler(0xE1, report) &&
          Install_IO_Handler(0xE2, report), "the report ports trapped");
    struct run *p = start(&vddtest, 100);
    CHECK(p != 0, "Create_V86_VM made vddtest's VM");
    if (p) {
        CHECK(Set_Execution_Focus(p->vm), "the focus to it");
        CHECK(wait_done(p, 5000) && p->failed == 0, "vddtest drew its screen");
        thread_sleep(300);                      /* VDD's refresh: every 40 ms */
        kprintf("v86test: screen: shown on the PC's screen\n");
        thread_sleep(4000);                     /* the harness's screendump */
        finish(p);
        thread_sleep(300);
        kprintf("v86test: screen: the console's again\n");
        thread_sleep(2000);
    }
    Remove_IO_Handler(0xE0);
    Remove_IO_Handler(0xE1);
    Remove_IO_Handler(0xE2);
    selftest_end(&T);
}

static uint32_t ready(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                      struct client_regs *r)
{
    (void)vm, (void)type, (void)port, (void)data, (void)r;
    return 0x5A;                        /* report.inc's WAIT_SUITE: the ports are trapped */
}

/* [Debug] DosTest=1: the DOS program SHELL started in the system VM (tests/dos/dostest.asm)
 * reports its checks through the ports every V86 test program uses, once it sees them trapped
 * (port E3h, report.inc's WAIT_SUITE: it starts before this runs); once it has ended -- and with
 * it the system (Exit_System) -- and every other VM is gone, the count it made is compared with
 * the ones that came. */
void v86dos_run(void)
{
    kprintf("v86test: dos: start\n");
    adopt = 1;
    CHECK(Install_IO_Handler(0xE0, report) && Install_IO_Handler(0xE1, report) &&
          Install_IO_Handler(0xE2, report) && Install_IO_Handler(0xE3, ready),
          "the report ports trapped");
    unsigned t = 0;
    for (; t < 120000 && !(exit_why[0] && vm_count() == 1); t += 50)
        thread_sleep(50);
    struct run *p = 0;
    for (unsigned i = 0; i < MAX_VMS; i++)
        if (runs[i].name && !strcmp(runs[i].name, "dos"))
            p = &runs[i];
    CHECK(t < 120000, "the system VM's program ended the system within 120 s, the other VMs "
          "gone");
    if (exit_why[0])
        kprintf("v86test: dos: the system ends: %s\n", exit_why);
    CHECK(p != 0, "the DOS program reported");
    if (p) {
        kprintf("v86test: dos: %u checks passed, %u failed; it made %u\n", p->passed, p->failed,
                p->done ? p->exit_code : 0);
        CHECK(p->done && p->failed == 0 && p->passed == p->exit_code, "all its checks passed");
    }
    adopt = 0;
    Remove_IO_Handler(0xE0);
    Remove_IO_Handler(0xE1);
    Remove_IO_Handler(0xE2);
    Remove_IO_Handler(0xE3);
    selftest_end(&T);
}

/* Whether the focus VM's screen shows text: 1 (*m its memory), 0 not, -1 once the system VM's
 * boot has crashed (maybe before the first look: a disk that fails ends it within milliseconds). */
static int focus_shows(const char *text, const uint8_t **m)
{
    VMHANDLE vm = Get_Execution_Focus();
    if (v86_code_resets)
        return -1;
    if (!vm)
        return 0;
    const uint8_t *s = vm_mem(vm) + 0xB8000;
    size_t n = strlen(text);
    for (unsigned i = 0; i + 2 * n <= 4000; i += 2) {
        size_t k = 0;
        while (k < n && s[i + 2 * k] == (uint8_t)text[k])
            k++;
        if (k == n) {
            *m = vm_mem(vm);
            return 1;
        }
    }
    return 0;
}

/* focus_shows until it answers want or -1, for up to ms; its last answer. */
static int wait_shows(const char *text, int want, unsigned ms, const uint8_t **m)
{
    int r = focus_shows(text, m);
    for (unsigned t = 0; t < ms && r != want && r >= 0; t += 50) {
        thread_sleep(50);
        r = focus_shows(text, m);
    }
    return r;
}

/* [Debug] BootTest=1: the system VM (the focus VM) runs what INT13 boots; once its
 * screen shows [Debug] BootText= (END by default: the boot sector written here says it; boot
 * code written elsewhere has its own last words), its rows are printed in hex for the harness to
 * compare with SeaBIOS's.  BootScreens=N (1 to 9, 1 by default): N such screens, each after the
 * first once the text has left the screen and come back (the harness types a key in between,
 * and the boot code reboots through INT 19h). */
void v86boot_run(void)
{
    const char *text = Get_Profile_String("Debug", "BootText", "END");
    unsigned long screens;
    if (ini_parse_uint(Get_Profile_String("Debug", "BootScreens", "1"), &screens) ||
        screens < 1 || screens > 9) {
        kprintf("v86test: boot: [Debug] BootScreens= is not 1 to 9; one screen\n");
        screens = 1;
    }
    kprintf("v86test: boot: start\n");
    for (unsigned i = 1; i <= screens; i++) {
        const uint8_t *m = 0;
        int r = i > 1 ? wait_shows(text, 0, 30000, &m) : 0;     /* the text leaves first */
        if (r == 1) {
            kprintf("v86test: boot: the screen still said %s 30 s after screen %u\n", text,
                    i - 1);
            break;
        }
        if (r == 0)
            r = wait_shows(text, 1, 30000, &m);
        /* the harness decides: SeaBIOS's screen (int13-boot) or the report of the VM's end */
        if (r < 0)
            kprintf("v86test: boot: the boot crashed before the screen said %s\n", text);
        if (r == 0)
            kprintf("v86test: boot: the screen did not say %s within 30 s\n", text);
        if (r != 1)
            break;
        thread_sleep(100);              /* the rest of the line the text is on */
        kprintf("\n");                 /* COM1 also has the VM's screen: a line of our own */
        char name[] = "boot N";
        name[5] = (char)('0' + i);
        print_screen(i > 1 ? name : "boot", m);
    }
    selftest_end(&T);
}

void v86test_run(void)
{
    kprintf("v86test: start\n");
    CHECK(Install_IO_Handler(0xE0, report) && Install_IO_Handler(0xE1, report) &&
          Install_IO_Handler(0xE2, report), "the report ports trapped");
    run_program(&flags, 15);
    run_program(&exc, 4);
    test_io();
    test_hooks();
    test_nest();
    test_vint();
    test_a20();
    test_bios();
    test_vdd();
    test_timer();
    test_screen();
    test_idle();
    test_fpu();
    run_program(&fpuerr, 2);            /* an FPU error: INT 75h, INT 02h, as on a PC */
    test_shares();
    test_crash(&crashud, 2000);
    test_crash(&crashss, 2000);
    test_crash(&crashpg, 2000);
    test_crash(&crashcli, 8000);
    test_sys_vm();
    test_gone();
    test_local();
    test_many();
    Remove_IO_Handler(0xE0);
    Remove_IO_Handler(0xE1);
    Remove_IO_Handler(0xE2);
    selftest_end(&T);
}
