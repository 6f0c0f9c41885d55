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
#include "console/console.h"
#include "lib/string.h"
#include "x86/x86.h"

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

/* ---- what the programs report ----------------------------------------------------------- */

#define MAX_VMS 8
static struct run {
    VMHANDLE vm;
    const char *name;
    volatile uint32_t passed, failed, done, exit_code;
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

static uint32_t report(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                       struct client_regs *r)
{
    (void)r;
    struct run *p = run_of(vm);
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
        } else
            p->line[p->nline++] = (char)data;
    }
    return 0;
}

/* Runs prog in a new V86 VM at 1000:0000 until it exits (or ms pass); its run, still live. */
static struct run *start(const struct program *prog, uint32_t weight)
{
    struct v86_start st = { prog->start, (uint32_t)(prog->end - prog->start), 0x1000,
                            0x1000, 0, 0x1000, 0xFFFE, weight };
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

void v86test_run(void)
{
    kprintf("v86test: start\n");
    CHECK(Install_IO_Handler(0xE0, report) && Install_IO_Handler(0xE1, report) &&
          Install_IO_Handler(0xE2, report), "the report ports trapped");
    run_program(&flags, 15);
    Remove_IO_Handler(0xE0);
    Remove_IO_Handler(0xE1);
    Remove_IO_Handler(0xE2);
    selftest_end(&T);
}
