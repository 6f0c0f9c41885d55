/*
 * DYN: the dynamic VxD of the VXDLDR tests and benchmarks (tests/guest/vxdtest.c): loaded and
 * unloaded at run time, never at boot.  It is made to weigh what the benchmark asks for
 * -- about 16 KB with 200 relocations -- and, while loaded, hooks the VMM's Get_VMM_Version
 * (answering 0401h), a hook VXDLDR_UnloadDevice must undo.
 */
#include <stdint.h>
#include <vmm/vxd.h>
#include <vmm/vmmsvc.h>
#include <vmm/heap.h>

VMM_IMPORT(_HeapAllocate)
VMM_IMPORT(_HeapFree)
VMM_IMPORT(Hook_Device_Service)

#define DYN_DEVICE_ID 0x3F03u

static void *block;
static uint32_t (*version_prev)(void);

static uint32_t version_hook(void) { return version_prev() + 1; }

uint32_t DYN_Get(void) { return 0xD1D1; }

/* 16 functions and 192 pointers to them and to the table below: 200 relocations in all. */
#define F(n) __attribute__((noinline)) uint32_t dyn_f##n(uint32_t x) { return x * (n + 3) + n; }
F(0) F(1) F(2) F(3) F(4) F(5) F(6) F(7) F(8) F(9) F(10) F(11) F(12) F(13) F(14) F(15)
static const uint8_t filler[12 * 1024] = { 1 };           /* rodata weight */
#define P16(k) (uint32_t)dyn_f0 + k, (uint32_t)dyn_f1, (uint32_t)dyn_f2, (uint32_t)dyn_f3,     \
    (uint32_t)dyn_f4, (uint32_t)dyn_f5, (uint32_t)dyn_f6, (uint32_t)dyn_f7, (uint32_t)dyn_f8, \
    (uint32_t)dyn_f9, (uint32_t)dyn_f10, (uint32_t)dyn_f11, (uint32_t)dyn_f12,               \
    (uint32_t)dyn_f13, (uint32_t)dyn_f14, (uint32_t)(filler + k)
uint32_t dyn_table[192] = { P16(0), P16(1), P16(2), P16(3), P16(4), P16(5), P16(6), P16(7),
                            P16(8), P16(9), P16(10), P16(11) };

static int control(uint32_t msg, uint32_t vm, uint32_t arg)
{
    (void)vm;
    (void)arg;
    if (msg == SYS_DYNAMIC_DEVICE_INIT) {
        block = _HeapAllocate(100, 0);
        version_prev = Hook_Device_Service((VMM_DEVICE_ID << 16) | Get_VMM_Version_Ord,
                                           (void *)version_hook);
        return !block || !version_prev;
    }
    if (msg == SYS_DYNAMIC_DEVICE_EXIT && block) {
        _HeapFree(block, 0);
        block = 0;
    }
    return 0;
}

static uint32_t services[1] = { (uint32_t)DYN_Get };

DECLARE_VIRTUAL_DEVICE(DYN_DDB, "DYN     ", 1, 0, control, DYN_DEVICE_ID, 0x70000200u,
                       services, 1);
