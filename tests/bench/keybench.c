/*
 * The key bench ([Debug] KeyBench=1, its own boot with every shipped VxD: make bench's "keys"
 * run), in instructions under icount like the rest:
 *   key_com1_int16   a byte arriving on COM1 to the return of the INT 16h AH=00h a V86 VM (the
 *                    focus VM) waits in: the UART's IRQ 4, VPICD, VKD's handler draining the
 *                    UART, the byte made a key and put in the VM's BIOS buffer, the VM's thread
 *                    woken and run, VBIOS's INT 16h returning the key, the IRET into V86 mode,
 *                    up to the program's RDTSC (tests/v86/keybench.asm; one MOV before it, keeping the key).
 * The byte arrives through the UART's loopback (MCR bit 4): this thread writes it to THR and the
 * UART receives it at once, so the start is one OUT, as exact as icount.  The bench thread then
 * sleeps (as an idle CPU would halt): that call is in the figure.  Loopback is on only while one
 * key is measured; nothing else writes to COM1 then (the program never prints), and a key that
 * is not the one sent is reported, not counted.
 */
#include "guest/guest.h"
#include "bench/benchlib.h"
#include "vmm/v86.h"
#include "vmm/vm.h"
#include "vmm/thread.h"
#include "vmm/vxd.h"
#include "x86/x86.h"

extern const uint8_t _binary_keybench_bin_start[], _binary_keybench_bin_end[];

#define COM1     0x3F8
#define MCR_LOOP 0x1B                   /* DTR, RTS, OUT2 (the IRQ line), loopback */
#define MCR_WIRE 0x0B                   /* as VKD sets it */
#define KEYS     64

struct keyrow { uint32_t count, key, tsc_lo, tsc_hi; };

VMHANDLE keybench_vm(void)
{
    struct v86_start st = { _binary_keybench_bin_start,
                            (uint32_t)(_binary_keybench_bin_end - _binary_keybench_bin_start),
                            0x1000, 0x1000, 0, 0x1000, 0xFFFE, 100 };
    return Create_V86_VM(&st);
}

void keybench_run(void)
{
    if (!Get_DDB(VKD_DEVICE_ID, 0) || inb(COM1 + 5) == 0xFF) {
        kprintf("bench: key_com1_int16: VKD.VXD not loaded, or no COM1\n");
        return;
    }
    VMHANDLE vm = keybench_vm();
    if (!vm || !Set_Execution_Focus(vm)) {
        kprintf("bench: key_com1_int16: no VM for the program, or no focus for it\n");
        return;
    }
    volatile const struct keyrow *k =
        (volatile const struct keyrow *)(((struct cb_s *)vm)->CB_High_Linear + 0x10004);
    uint64_t over = bench_bracket();
    struct bench_stat s = { 0 };
    unsigned stray = 0;
    thread_sleep(500);                  /* the screen's last VT sequences sent (VDD: 40 ms) */
    for (unsigned i = 0; i < KEYS; i++) {
        uint32_t c0 = k->count;
        uint8_t ch = (uint8_t)('a' + i % 26);
        thread_sleep(20);               /* the program back in INT 16h */
        outb(COM1 + 4, MCR_LOOP);
        uint64_t t0 = rdtsc();
        outb(COM1, ch);
        for (unsigned t = 0; t < 1000 && k->count == c0; t++)
            thread_sleep(1);
        outb(COM1 + 4, MCR_WIRE);
        uint64_t t1 = (uint64_t)k->tsc_hi << 32 | k->tsc_lo;
        if (k->count != c0 + 1 || (k->key & 0xFF) != ch || t1 < t0)
            stray++;
        else
            bench_add(&s, t1 - t0 - over);
    }
    Destroy_VM(vm);
    if (stray)
        kprintf("bench: key_com1_int16: %u of %u keys not measured (none read, or another key "
                "first)\n", stray, KEYS);
    bench_print("key_com1_int16", &s);
}
