/*
 * In-guest tests of VXDLDR and the dynalink ([Debug] VxdTest=1, after VMM ready; the boot
 * scenario vxd-dynamic).  DYN.VXD (tests/vxd/dyn.c) is loaded, used through a dynalink stub in
 * the VMM's own code, and unloaded 1,000 times: free pages and heap bytes must end exactly where
 * they started, its hook on Get_VMM_Version must come and go with it, and each unload must put
 * the VMM's stub back to INT 20h.  LEAKY.VXD (the same file, -DLEAKY) frees nothing it makes:
 * 100 load/unload cycles must leave free pages, heap bytes and blocks where they were, and a
 * semaphore of it that a thread waits on must outlive it.  Ends with "vxdtest: N passed, M
 * failed".
 */
#include "guest/guest.h"
#include "vmm/vxd.h"
#include "vmm/vmmsvc.h"
#include "mem/heapsvc.h"
#include "mem/pmem.h"
#include "console/console.h"
#include "guest/selftest.h"
#include "lib/string.h"
#include "x86/x86.h"
#include "vmm/thread.h"

static struct selftest T = { "vxdtest", 0, 0 };
#define CHECK(cond, what) SELFTEST_CHECK(&T, cond, what)

#define DYN_DEVICE_ID 0x3F03u
VXD_IMPORT(0x3F03, 0, DYN_Get)                          /* stubs in the VMM's own text */
VXD_IMPORT(1, Get_VMM_Version_Ord, test_vmm_version)
uint32_t DYN_Get(void);
uint32_t test_vmm_version(void);
#define LEAKY_DEVICE_ID 0x3F0Du
VXD_IMPORT(0x3F0D, 0, LEAKY_Sem)
uint32_t LEAKY_Sem(void);

static int stub_is_int20(void (*stub)(void))
{
    const uint8_t *p = (const uint8_t *)(uintptr_t)stub;
    return p[0] == 0xCD && p[1] == 0x20;
}

/* One load, use and unload; 1 if every step did what it should. */
static int cycle(void)
{
    struct VxD_Desc_Block *ddb;
    if (VXDLDR_LoadDevice("dyn.vxd", VXDLDR_INIT_DEVICE, &ddb) || !ddb ||
        memcmp(ddb->DDB_Name, "DYN     ", 8) || !(ddb->DDB_Flags & DDB_DYNAMIC_VXD))
        return 0;
    int ok = DYN_Get() == 0xD1D1 && !stub_is_int20((void (*)(void))DYN_Get) &&
             test_vmm_version() == VMM_VERSION + 1;
    ok &= VXDLDR_UnloadDevice(DYN_DEVICE_ID, 0) == 0;
    ok &= test_vmm_version() == VMM_VERSION && stub_is_int20((void (*)(void))DYN_Get) &&
          Get_DDB(DYN_DEVICE_ID, 0) == 0;
    return ok;
}

/* What LEAKY.VXD leaves goes with it: 100 load/unload cycles; then one whose semaphore a
 * thread waits on at the unload: kept, signalled after, the thread wakes. */
static volatile int woke;
static void waiter(void *sem)
{
    if (Wait_Semaphore((SEMHANDLE)(uintptr_t)sem, 0))
        woke = 1;
}

static void test_leftovers(void)
{
    /* the heap's pools count as free: it may keep one more spare pool (16 pages) at the end */
    irq_disable();
    uint32_t pages0 = pmem.nfree + (uint32_t)(sys_heap.pool_bytes >> 12);
    size_t heap0 = sys_heap.used_bytes, blocks0 = sys_heap.used_blocks;
    irq_enable();
    unsigned good = 0;
    for (unsigned i = 0; i < 100; i++)
        good += VXDLDR_LoadDevice("LEAKY.VXD", VXDLDR_INIT_DEVICE, 0) == 0 &&
                VXDLDR_UnloadDevice(LEAKY_DEVICE_ID, 0) == 0;
    irq_disable();
    uint32_t pages1 = pmem.nfree + (uint32_t)(sys_heap.pool_bytes >> 12);
    size_t heap1 = sys_heap.used_bytes, blocks1 = sys_heap.used_blocks;
    irq_enable();
    CHECK(good == 100 && pages1 == pages0 && heap1 == heap0 && blocks1 == blocks0,
          "100 cycles of a VxD that frees nothing: free pages, heap bytes and blocks as before");
    kprintf("vxdtest: 100 cycles of LEAKY.VXD (%u good): free pages (and pools) %u -> %u, "
            "heap bytes %u -> %u, blocks %u -> %u\n", good, pages0, pages1, (unsigned)heap0, (unsigned)heap1,
            (unsigned)blocks0, (unsigned)blocks1);

    SEMHANDLE s = 0;
    if (VXDLDR_LoadDevice("LEAKY.VXD", VXDLDR_INIT_DEVICE, 0) == 0)
        s = LEAKY_Sem();
    THREADHANDLE t = s ? VMMCreateThread(waiter, (void *)(uintptr_t)s, CUR_RUN_VM_BOOST, 100) : 0;
    thread_sleep(20);                                   /* it waits on s by now */
    int unloaded = VXDLDR_UnloadDevice(LEAKY_DEVICE_ID, 0) == 0;
    int was_waiting = !woke;
    int signalled = s && Signal_Semaphore(s);
    thread_sleep(20);
    CHECK(t && unloaded && was_waiting && signalled && woke && Destroy_Semaphore(s),
          "a semaphore a thread waits on outlives its VxD (kept), and wakes the thread");
}

void vxdtest_run(void)
{
    kprintf("vxdtest: start\n");
    irq_enable();
    CHECK(VXDLDR_GetVersion() == VXDLDR_VERSION, "VXDLDR_GetVersion");
    CHECK(cycle(), "DYN.VXD loaded, its service called through the dynalink, its hook on "
                   "Get_VMM_Version seen, unloaded: hook gone, stub back to INT 20h");
    irq_disable();
    uint32_t pages0 = pmem.nfree;
    size_t heap0 = sys_heap.used_bytes;
    irq_enable();
    unsigned good = 0;
    for (unsigned i = 0; i < 1000; i++)
        good += cycle();
    irq_disable();
    uint32_t pages1 = pmem.nfree;
    size_t heap1 = sys_heap.used_bytes;
    irq_enable();
    CHECK(good == 1000, "1,000 load, use and unload cycles");
    CHECK(pages1 == pages0 && heap1 == heap0, "free pages and heap bytes exactly as before");
    kprintf("vxdtest: 1000 dynamic load/use/unload cycles (%u good): free pages %u -> %u, heap "
            "bytes %u -> %u\n", good, pages0, pages1, (unsigned)heap0, (unsigned)heap1);

    test_leftovers();

    struct VxD_Desc_Block *ddb;
    CHECK(VXDLDR_LoadDevice("NOSUCH.VXD", 0, &ddb) == VXDLDR_ERR_FILE_OPEN_ERROR && !ddb,
          "a missing file: VXDLDR_ERR_FILE_OPEN_ERROR");
    CHECK(VXDLDR_LoadDevice("DYN.VXD", 0, &ddb) == 0 &&
          VXDLDR_LoadDevice("DYN.VXD", 0, 0) == VXDLDR_ERR_DUPLICATE_DEVICE,
          "loading it twice: VXDLDR_ERR_DUPLICATE_DEVICE");
    CHECK(VXDLDR_UnloadDevice(0, "dyn") == 0, "unloading by name");
    CHECK(VXDLDR_UnloadDevice(DYN_DEVICE_ID, 0) == VXDLDR_ERR_NO_SUCH_DEVICE,
          "unloading what is not loaded: VXDLDR_ERR_NO_SUCH_DEVICE");
    CHECK(VXDLDR_UnloadDevice(0, "NOSUCH") == VXDLDR_ERR_NO_SUCH_DEVICE,
          "unloading by a name nothing has: VXDLDR_ERR_NO_SUCH_DEVICE (the line names it)");
    if (Get_DDB(SHELL_DEVICE_ID, 0))
        CHECK(VXDLDR_UnloadDevice(SHELL_DEVICE_ID, 0) == VXDLDR_ERR_DEVICE_UNLOADABLE,
              "a device loaded at boot: VXDLDR_ERR_DEVICE_UNLOADABLE");
    irq_disable();
    selftest_end(&T);
}
