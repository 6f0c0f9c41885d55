/*
 * V86 benchmarks ([Debug] Bench=1), in instructions under icount like the rest.  The real-mode
 * side (tests/v86/v86bench.asm) brackets each operation with RDTSC in V86 mode, so a figure is
 * the whole round trip -- the CPU's fault, the stubs, the dispatch, the monitor, what it calls,
 * and the IRET back -- less the empty bracket; it leaves count, sum, min and max in its memory,
 * read here.
 *   v86_cli, v86_sti     a trapped CLI or STI: fault -> emulate -> back in V86
 *   v86_int_iret         INT n reflected into the VM's IVT, and the handler's IRET back (a pair)
 *   v86_out              OUT to a port an I/O handler traps, to the handler and back
 *   v86_callback         a far call to a V86 call back -> the procedure -> back
 *   v86_exec_int         Exec_Int from ring 0 to a real-mode handler's IRET and back (measured
 *                        in ring 0, inside the call back)
 *   v86_bios_int11       INT 11h to VBIOS's entry point, its call back and service, and back
 *   v86_int10_teletype   INT 10h AH=0Eh (with its MOV AX): VBIOS's entry point to VDD's
 *                        teletype and back; the cell is written, not drawn (no drawing yet)
 *   v86_int13_read       INT 13h AH=02h, one sector of drive 80h (an image in memory) to
 *                        2000:0000, through VBIOS's entry point to INT13's service and back
 *                        (with the ten instructions that set up its registers)
 *   v86_switch           INT 2Fh AX=1680h in one V86 VM to the other, which does the same at
 *                        once, and back (less the other's two instructions): a round trip, two
 *                        switches between two V86 VMs, each with the yield that causes it
 */
#include "guest/guest.h"
#include "bench/benchlib.h"
#include "v86/v86.h"
#include "vmm/v86.h"
#include "vmm/int.h"
#include "vmm/vm.h"
#include "vmm/thread.h"
#include "vmm/vxd.h"
#include "vmm/int13.h"
#include "console/console.h"
#include "x86/x86.h"

extern const uint8_t _binary_v86bench_bin_start[], _binary_v86bench_bin_end[];

#define ROWS 11
struct row { uint32_t n, sum, min, max; };

static uint32_t mode, cb_addr, cb2_addr, done;
static uint64_t exec_over;
static struct bench_stat exec_st;

static uint32_t port_e3(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                        struct client_regs *r)
{
    (void)vm, (void)type, (void)port, (void)data, (void)r;
    return mode;
}
static uint32_t port_e6(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                        struct client_regs *r)
{
    (void)vm, (void)type, (void)port, (void)data, (void)r;
    return cb_addr;
}
static uint32_t port_e4(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                        struct client_regs *r)
{
    (void)vm, (void)type, (void)port, (void)r;
    return data;
}
static uint32_t port_e2(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                        struct client_regs *r)
{
    (void)vm, (void)type, (void)port, (void)data, (void)r;
    done++;
    return 0;
}

static uint32_t port_e7(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                        struct client_regs *r)
{
    (void)vm, (void)type, (void)port, (void)data, (void)r;
    return cb2_addr;
}

/* The call back v86_callback measures: nothing to do. */
static void callback(VMHANDLE vm, void *ref, struct client_regs *r)
{
    (void)vm, (void)ref, (void)r;
}

/* The one the program calls once first: Exec_Int of INT 64h (an IRET) 256 times. */
static void exec_callback(VMHANDLE vm, void *ref, struct client_regs *r)
{
    (void)vm, (void)ref, (void)r;
    uint8_t saved[CLIENT_STATE_SIZE];
    Save_Client_State(saved);
    Begin_Nest_V86_Exec();
    for (unsigned i = 0; i < 256; i++) {
        uint64_t t0 = rdtsc();
        Exec_Int(0x64);
        bench_add(&exec_st, rdtsc() - t0 - exec_over);
    }
    End_Nest_Exec();
    Restore_Client_State(saved);
}

static const struct row *table(VMHANDLE vm)
{
    return (const struct row *)(((struct vm *)vm)->cb.CB_High_Linear + 0x10000 + 0x800);
}

static void report_row(const char *name, const struct row *t, const struct row *bracket)
{
    struct bench_stat s = { t->n, t->sum - (uint64_t)bracket->min * t->n, t->min - bracket->min,
                            t->max - bracket->min };
    bench_print(name, &s);
}

static VMHANDLE start(uint32_t weight)
{
    struct v86_start st = { _binary_v86bench_bin_start,
                            (uint32_t)(_binary_v86bench_bin_end - _binary_v86bench_bin_start),
                            0x1000, 0x1000, 0, 0x1000, 0xFFFE, weight };
    return Create_V86_VM(&st);
}

static int wait_for(uint32_t n)
{
    for (unsigned t = 0; t < 2000 && done < n; t++)
        thread_sleep(5);
    return done >= n;
}

void v86bench_run(void)
{
    exec_over = bench_bracket();
    cb_addr = Allocate_V86_Call_Back(0, callback);
    cb2_addr = Allocate_V86_Call_Back(0, exec_callback);
    if (!Install_IO_Handler(0xE2, port_e2) || !Install_IO_Handler(0xE3, port_e3) ||
        !Install_IO_Handler(0xE4, port_e4) || !Install_IO_Handler(0xE6, port_e6) ||
        !Install_IO_Handler(0xE7, port_e7) || !cb_addr || !cb2_addr) {
        kprintf("bench: V86 benchmarks: cannot trap their ports\n");
        return;
    }
    mode = 0;
    done = 0;
    VMHANDLE vm = start(100);
    if (!vm || !wait_for(1)) {
        kprintf("bench: V86 benchmarks: the program did not run to its end\n");
        return;
    }
    const struct row *t = table(vm);
    report_row("v86_cli", &t[1], &t[0]);
    report_row("v86_sti", &t[2], &t[0]);
    report_row("v86_int_iret", &t[3], &t[0]);
    report_row("v86_out", &t[4], &t[0]);
    report_row("v86_callback", &t[5], &t[0]);
    bench_print("v86_exec_int", &exec_st);
    const uint8_t *m = (const uint8_t *)((struct cb_s *)vm)->CB_High_Linear;
    if (m[0x10 * 4 + 2] == 0x00 && m[0x10 * 4 + 3] == 0xF0) {     /* VBIOS's INT 10h: F000 */
        report_row("v86_bios_int11", &t[8], &t[0]);
        report_row("v86_int10_teletype", &t[9], &t[0]);
        if (Get_DDB(INT13_DEVICE_ID, 0))
            report_row("v86_int13_read", &t[10], &t[0]);
        else
            kprintf("bench: v86_int13_read: INT13.VXD not loaded\n");
    } else
        kprintf("bench: v86_bios_int11, v86_int10_teletype: VBIOS.VXD and VDD.VXD not loaded\n");
    Destroy_VM(vm);

    mode = 2;                           /* the other VM: yields for ever */
    VMHANDLE b = start(100);
    mode = 1;                           /* this one measures */
    done = 0;
    VMHANDLE a = b ? start(100) : 0;
    if (!a || !wait_for(1)) {
        kprintf("bench: V86 benchmarks: the switching VMs did not run to their end\n");
        return;
    }
    const struct row *ta = table(a);
    uint32_t fixed = ta[0].min + 2;     /* the bracket, and the yielder's MOV and JMP */
    /* a round trip: two switches, each with its yield */
    struct row rt = { ta[7].n, ta[7].sum - ta[7].n * fixed, ta[7].min - fixed, ta[7].max - fixed };
    struct row none = { 0, 0, 0, 0 };
    report_row("v86_switch", &rt, &none);
    Destroy_VM(a);
    Destroy_VM(b);
    Remove_IO_Handler(0xE2);
    Remove_IO_Handler(0xE3);
    Remove_IO_Handler(0xE4);
    Remove_IO_Handler(0xE6);
    Remove_IO_Handler(0xE7);
}
