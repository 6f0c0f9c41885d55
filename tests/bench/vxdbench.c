/*
 * VxD benchmarks, under icount (ci/bench.sh):
 *   vxd_load       VXDLDR_LoadDevice of DYN.VXD (tests/vxd/dyn.c: 17 KB, 204 relocations),
 *                  without Sys_Dynamic_Device_Init: validate, lay out, allocate, copy,
 *                  relocate, protect, register;
 *   vxd_unload     its VXDLDR_UnloadDevice (Sys_Dynamic_Device_Exit, unpatch, free);
 *   dynalink_first the first call of DYN_Get through a stub in the VMM's code: INT 20h, the
 *                  patch through the alias, the call again, and DYN_Get itself;
 *   dynalink_call  a later call through the patched stub, and direct_call the same function
 *                  shape called directly: the difference is the dynalink's cost;
 *   guarded_call   DYN_Get called as the VMM calls a VxD's hook, handler or call back
 *                  (foreign_call: the VxD found, the guard set up and taken down): the
 *                  difference from direct_call is the guard's cost.
 */
#include "guest/guest.h"
#include "bench/benchlib.h"
#include "vmm/vxd.h"
#include "int/fault.h"

#define ROUNDS 100
#define CALLS  1000

VXD_IMPORT(0x3F03, 0, bench_DYN_Get)
uint32_t bench_DYN_Get(void);

/* DYN_Get's twin, compiled as VxDs are (no frame pointer): mov, ret. */
__attribute__((noinline, optimize("omit-frame-pointer"))) uint32_t direct_get(void)
{
    return 0xD1D1;
}



void vxdbench_run(void)
{
    struct bench_stat load = { 0 }, unload = { 0 }, first = { 0 }, call = { 0 }, direct = { 0 },
                      guarded = { 0 };
    uint64_t b = bench_bracket();
    struct VxD_Desc_Block *ddb;
    uint32_t f = irq_save();
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t t0 = rdtsc();
        uint32_t err = VXDLDR_LoadDevice("DYN.VXD", 0, &ddb);
        uint64_t t1 = rdtsc();
        if (err) {
            kprintf("bench: DYN.VXD does not load (VXDLDR error %u); no VxD figures\n", err);
            irq_restore(f);
            return;
        }
        bench_add(&load, t1 - t0 - b);
        t0 = rdtsc();
        uint32_t v = bench_DYN_Get();
        t1 = rdtsc();
        bench_add(&first, t1 - t0 - b);
        for (int i = 0; i < CALLS / ROUNDS; i++) {
            uint32_t x, y;
            t0 = rdtsc();
            x = bench_DYN_Get();
            t1 = rdtsc();
            bench_add(&call, t1 - t0 - b);
            t0 = rdtsc();
            y = direct_get();
            t1 = rdtsc();
            bench_add(&direct, t1 - t0 - b);
            uint32_t z = 0;
            void *fn = (void *)((const uint32_t *)ddb->DDB_Service_Table_Ptr)[0];
            t0 = rdtsc();
            int how = foreign_call(fn, &z, "benchmark", 0, 0, 0, 0, 0);
            t1 = rdtsc();
            bench_add(&guarded, t1 - t0 - b);
            if (how != FOREIGN_DONE || z != 0xD1D1u)
                kprintf("bench: guarded_call: DYN_Get not called under a guard (%d, %x)\n", how, z);
            v += x + y;
        }
        t0 = rdtsc();
        VXDLDR_UnloadDevice(0x3F03, 0);
        t1 = rdtsc();
        bench_add(&unload, t1 - t0 - b);
        if (v != 0xD1D1u * (1 + 2 * CALLS / ROUNDS))
            kprintf("bench: DYN_Get answered %x\n", v);
    }
    irq_restore(f);
    bench_print("vxd_load", &load);
    bench_print("vxd_unload", &unload);
    bench_print("dynalink_first", &first);
    bench_print("dynalink_call", &call);
    bench_print("direct_call", &direct);
    bench_print("guarded_call", &guarded);
}
