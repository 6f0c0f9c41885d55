/*
 * DYN: the dynamic VxD of the VXDLDR tests and benchmarks (tests/guest/vxdtest.c): loaded and
 * unloaded at run time, never at boot.  It is made to weigh what the benchmark asks for
 * -- about 16 KB with 200 relocations -- and, while loaded, hooks the VMM's Get_VMM_Version
 * (answering 0401h), a hook VXDLDR_UnloadDevice must undo.
 *
 * Built with -DLEAKY it is LEAKY.VXD (device 3F0Dh), a dynamic VxD that frees nothing: each load
 * allocates heap blocks, a semaphore, a mutex, a list with nodes, a page block and a reserved
 * range with committed pages, and its Sys_Dynamic_Device_Exit leaves them all -- the unload must
 * free what it left.  Its service 0 gives a semaphore of it (a thread of vxdtest waits on it: that
 * one is kept at the unload, still in use).
 */
#include <stdint.h>
#include <vmm/vxd.h>
#include <vmm/vmmsvc.h>
#include <vmm/heap.h>

VMM_IMPORT(_HeapAllocate)
VMM_IMPORT(_HeapFree)
VMM_IMPORT(Hook_Device_Service)
#if defined(LEAKY)
#include <vmm/thread.h>
#include <vmm/list.h>
#include <vmm/page.h>
VMM_IMPORT(Create_Semaphore)
VMM_IMPORT(_CreateMutex)
VMM_IMPORT(List_Create)
VMM_IMPORT(List_Allocate)
VMM_IMPORT(List_Attach)
VMM_IMPORT(_PageAllocate)
VMM_IMPORT(_PageReserve)
VMM_IMPORT(_PageCommit)

#define LEAKY_DEVICE_ID 0x3F0Du
static SEMHANDLE sem;

static uint32_t LEAKY_Sem(void) { return (uint32_t)sem; }

static int leak(void)
{
    for (unsigned i = 0; i < 20; i++)
        if (!_HeapAllocate(40 + 300 * i, 0))
            return 1;
    sem = Create_Semaphore(0);
    HLIST l = List_Create(0, 24);
    if (!sem || !Create_Semaphore(1) || !_CreateMutex(0, 0) || !l)
        return 1;
    for (unsigned i = 0; i < 5; i++) {
        void *n = List_Allocate(l);
        if (!n)
            return 1;
        List_Attach(l, n);
    }
    uint32_t r = _PageReserve(PR_SYSTEM, 8, 0);
    return !(uint32_t)_PageAllocate(3, PG_SYS, 0, 0, 0, 0, 0, PAGEZEROINIT) ||
           r == 0xFFFFFFFFu || !_PageCommit(r >> 12, 4, PD_ZEROINIT, 0, PC_FIXED | PC_WRITEABLE);
}

static int control(uint32_t msg, uint32_t vm, uint32_t arg)
{
    (void)vm;
    (void)arg;
    return msg == SYS_DYNAMIC_DEVICE_INIT ? leak() : 0;
}

static uint32_t services[1] = { (uint32_t)LEAKY_Sem };

DECLARE_VIRTUAL_DEVICE(LEAKY_DDB, "LEAKY   ", 1, 0, control, LEAKY_DEVICE_ID, 0x70000200u,
                       services, 1);
#else

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
#endif
