/*
 * DOS benchmarks ([Debug] Bench=1), in instructions under icount like the rest: DOSMGR runs
 * C:\DOSBENCH.COM (tests/dos/dosbench.asm) in a DOS VM of its own; the program brackets each
 * INT 21h with RDTSC in V86 mode -- the whole round trip through its stub, DOSMGR and what that
 * calls (the VM's own INT 10h for a character, drive C: for files, the loader and the VM's memory
 * for EXEC) -- less the empty bracket, and leaves count, sum, min and max at DS:8000h, which this
 * reads once the program says where (OUT E2h, DS) and waits; then this ends its VM.
 *   dos_putc         INT 21h AH=02h: one character to the screen
 *   dos_write_4k     INT 21h AH=40h: 4 KB to a file (the file growing to 80 KB)
 *   dos_read_4k      INT 21h AH=3Fh: 4 KB from it
 *   dos_exec_com     INT 21h AX=4B00h: a 4.5 KB .COM loaded, run to its INT 20h, and back
 *   dos_dir_100      COMMAND /C DIR C:\D100 EXECed: the shell lists 100 files on the screen
 */
#include "guest/guest.h"
#include "bench/benchlib.h"
#include "vmm/v86.h"
#include "vmm/int.h"
#include "vmm/vm.h"
#include "vmm/thread.h"
#include "vmm/vxd.h"
#include "vmm/dosmgr.h"

struct row { uint32_t n, sum_lo, sum_hi, min, max; };
static volatile uint32_t where, done;

static uint32_t port_e2(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                        struct client_regs *r)
{
    (void)vm, (void)type, (void)port, (void)r;
    where = data & 0xFFFF;
    done = 1;
    return 0;
}

static void report_row(const char *name, const struct row *t, const struct row *bracket)
{
    uint64_t sum = (uint64_t)t->sum_hi << 32 | t->sum_lo;
    struct bench_stat s = { t->n, sum - (uint64_t)bracket->min * t->n, t->min - bracket->min,
                            t->max - bracket->min };
    bench_print(name, &s);
}

void dosbench_run(void)
{
    struct VxD_Desc_Block *d = Get_DDB(DOSMGR_DEVICE_ID, 0);
    if (!d || d->DDB_Service_Table_Size <= DOSMGR_Start_VM_Ord) {
        kprintf("bench: DOS benchmarks: DOSMGR.VXD not loaded\n");
        return;
    }
    VMHANDLE (*start)(const char *, const char *, uint32_t) =
        (VMHANDLE (*)(const char *, const char *, uint32_t))
            ((uint32_t *)d->DDB_Service_Table_Ptr)[DOSMGR_Start_VM_Ord];
    if (!Install_IO_Handler(0xE2, port_e2)) {
        kprintf("bench: DOS benchmarks: cannot trap port E2h\n");
        return;
    }
    done = 0;
    VMHANDLE vm = start("C:\\DOSBENCH.COM", 0, 100);
    for (unsigned t = 0; vm && t < 4000 && !done; t++)
        thread_sleep(5);
    if (!vm || !done) {
        kprintf("bench: DOS benchmarks: C:\\DOSBENCH.COM did not run to its end\n");
        Remove_IO_Handler(0xE2);
        return;
    }
    const struct row *t = (const struct row *)(((struct cb_s *)vm)->CB_High_Linear +
                                               where * 16 + 0x8000);
    report_row("dos_putc", &t[1], &t[0]);
    report_row("dos_write_4k", &t[2], &t[0]);
    report_row("dos_read_4k", &t[3], &t[0]);
    report_row("dos_exec_com", &t[4], &t[0]);
    report_row("dos_dir_100", &t[5], &t[0]);
    Destroy_VM(vm);                                     /* it waits in HLT for this */
    Remove_IO_Handler(0xE2);
}
