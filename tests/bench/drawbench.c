/*
 * In-guest benchmarks of the display's drawing (vxd/vdd/vdraw.c, the code VDD runs, linked into
 * the test build), on the real framebuffer the VMM's console gives up for the run:
 *
 *   vdd_draw_screen   a whole 80x25 text screen drawn (every cell anew), a DOS program's: text
 *                     in light grey on black, a status line in yellow on blue, a few white
 *   vdd_draw_cell     one cell changed and the cursor moved on, as a teletype of one character
 *                     leaves the screen, drawn as VDD's refresh draws it: the video pages' dirty
 *                     bit read (_CopyPageTable, the page shown of a V86 VM made for it: clean, as
 *                     INT 10h wrote the cell), the one cell INT 10h says it wrote compared and
 *                     drawn, and the cursor's lines in the next cell
 *   vdd_vt_cell       the same change as VT sequences for COM1 (the bytes made, not sent)
 *   console_line_full one line of the VMM's log (a boot's own lines, 30 to 148 characters, and
 *                     its newline) drawn by the console (vmm/console/fbcon.c) on a full screen:
 *                     every line measured, the jumps by half a screen included
 */
#include "guest/guest.h"
#include "bench/benchlib.h"
#include "console/console.h"
#include "console/fbcon.h"
#include "vmm/v86.h"
#include "vmm/vm.h"
#include "../../vxd/vdd/vdraw.h"

static struct vdraw d;
static struct vterm t;
static uint16_t cells[80 * 25];
static char out[32768];

/* A boot's log, as the bench's own boot prints it. */
static const char *const log_lines[] = {
    "VMM32: 32-bit VMM entered at c000a8d0 (boot info at 3dded000)",
    "VMM/SYSTEM.INI: 136 bytes read, 0 bad lines",
    "acpi: BOCHS  revision 2 via XSDT; PM timer port 608 (24-bit); 1 CPU(s), local APIC fee00000, "
    "1 I/O APIC(s), 8259s present; HPET present",
    "apic: local APIC 0 at fee00000, version 14, 6 LVT entries; spurious vector ff",
    "timer: calibrated against the ACPI PM timer: APIC timer 62504159 Hz (/16), TSC 1000046 kHz; "
    "periodic 1000 Hz (count 62504)",
    "v86: V86 VMs: 640 KB of conventional memory each, global pages 1-1, the VMM's break points at "
    "0100:0000",
    "console: serial framebuffer",
    "cpu: AuthenticAMD family 15 model 107 stepping 1, QEMU Virtual CPU version 2.5+",
    "cpu: features +PAE +TSC +MSR +CX8 +APIC +PGE +FXSR +NX -x2APIC -TSC-deadline -VME; NX in use "
    "(W^X enforced)",
    "memory: 39 ranges; usable below 4 GB 1036012 KB (1011 MB), above 4 GB 0 KB (0 MB) (of which "
    "reclaimable after boot 41068 KB (40 MB))",
    "framebuffer: 1280x800, 32 bpp, pitch 5120, at 0xc0000000",
    "ACPI: 2.0+ RSDP at 0x3f77d014",
    "files: 10 handed over",
    "  VMM/VMM32.VXD                                358124 bytes",
    "  VMM/SYSTEM.INI                                  136 bytes",
    "  VMM/VXD/DOSMGR.VXD                            57832 bytes",
    "  HD.IMG                                      1048576 bytes",
    "frames: 260512 of 4 KB in 7 zones (1017 MB RAM): 258048 free, 0 locked; VMM 161, boot data "
    "523, modules 807, ACPI 18, page tables 4, pages 187",
    "frames: metadata 3056 KB = 0.29 % of RAM",
    "pages: 7 blocks, 1 descriptor pages, 4 page tables made; arenas free: system 195120, shared "
    "262144, private 523264 pages",
    "VBIOS: the BIOS at F000:0000 for every VM: 23 entry points, services of INT 11h 12h 14h 15h "
    "17h 18h 19h 1Ah",
    "INT13: drive C: (80h) is HD.IMG, 1024 KB, 2 cylinders, 16 heads, 63 sectors a track",
    "INT13: 1 disk; writes to them stay in memory until the machine restarts",
    "VDD: a display for every VM: INT 10h (text modes 0-3, mode 13h), CRTC 3D4h/3D5h, 3DAh; the "
    "focus VM's screen on the PC's screen and on COM1",
    "vxd: 5 devices initialised",
    "vxd: VBIOS    VBIOS.VXD    id 3f80 order 08000000  text c05d6000 (2 pages) rodata c05d8000 "
    "data c0420000  DDB c0420000, 2 services",
    "vxd: INT13    INT13.VXD    id 0020 order 1c000000  text c05f9000 (2 pages) rodata c0422000 "
    "data c0423000  DDB c0423000, 2 services",
    "SHELL: a new VM runs C:\\COMMAND.COM (the command shell: no [boot] shell=), with the focus",
    "VMM ready",
    "DOSMGR: VM 6 runs C:\\DOSBENCH.COM",
};
#define LOG_LINES (sizeof log_lines / sizeof log_lines[0])

/* The console draws on the screen for the run (it is hidden while VDD's figures are taken). */
static void console_lines(uint64_t over)
{
    struct bench_stat line = { 0 };
    unsigned len[LOG_LINES];

    for (unsigned i = 0; i < LOG_LINES; i++)
        for (len[i] = 0; log_lines[i][len[i]]; len[i]++)
            ;
    fbcon_show();
    for (unsigned i = 0; i < fbcon_rows(); i++) {       /* the screen full first */
        fbcon_write(log_lines[i % LOG_LINES], len[i % LOG_LINES]);
        fbcon_putc('\n');
    }
    for (unsigned i = 0; i < 8 * LOG_LINES; i++) {
        const char *s = log_lines[i % LOG_LINES];
        uint32_t f = irq_save();                        /* a time slice is not the console's */
        uint64_t t0 = rdtsc();
        fbcon_write(s, len[i % LOG_LINES]);
        fbcon_putc('\n');
        bench_add(&line, rdtsc() - t0 - over);
        irq_restore(f);
    }
    fbcon_clear();                                      /* the bench's lines are not the log */
    fbcon_hide();
    bench_print("console_line_full", &line);
}

void drawbench_run(void)
{
    struct vmm_screen s;
    if (!console_screen_take(&s)) {
        kprintf("bench: vdd_draw_*: no framebuffer\n");
        return;
    }
    console_lines(bench_bracket());
    if (!vdraw_init(&d, s.base, s.width, s.height, s.pitch, s.red_mask, s.green_mask,
                    s.blue_mask, s.font, s.font_height)) {
        console_screen_give();
        kprintf("bench: vdd_draw_*: the framebuffer is not one VDD can draw on\n");
        return;
    }
    uint64_t over = bench_bracket();
    struct bench_stat screen = { 0 }, cell = { 0 }, vt = { 0 };
    struct vtext_view v = { 3, 80, 25, cells, 0, 0, 13, 14 };
    vdraw_update(&d, &v, 0);                        /* the mode set: the screen cleared */
    for (unsigned k = 0; k < 16; k++) {
        for (unsigned i = 0; i < 80 * 25; i++) {
            uint8_t a = i >= 24 * 80 ? 0x1E : (i % 80) < 10 && i / 80 == k ? 0x0F : 0x07;
            cells[i] = (uint16_t)(a << 8 | (0x21 + (i * 7 + k) % 90));
        }
        vdraw_redraw(&d);
        uint64_t t0 = rdtsc();
        vdraw_update(&d, &v, 0);
        bench_add(&screen, rdtsc() - t0 - over);
    }
    bench_print("vdd_draw_screen", &screen);
    /* a VM whose video pages' dirty bits are read, as VDD reads the focus VM's (the program
     * waits in INT 16h: it writes nothing) */
    VMHANDLE vm = keybench_vm();
    uint32_t vram = vm ? (((struct cb_s *)vm)->CB_High_Linear >> 12) + 0xB8 : 0, pte[8];
    vterm_update(&t, &v, out, sizeof out);
    for (unsigned k = 0; vm && k < 256; k++) {
        unsigned at = (k % 1999), dirty = 0;
        cells[at] = (uint16_t)(0x0700 | ('a' + k % 26));
        v.cursor_row = (int)((at + 1) / 80);
        v.cursor_col = (int)((at + 1) % 80);
        uint64_t t0 = rdtsc();
        if (_CopyPageTable(vram, 1, pte, 0))    /* the page shown: 4,000 bytes at B8000h */
            dirty = pte[0] & P_DIRTY;
        vdraw_update_cells(&d, &v, 0, dirty ? 0 : at, dirty ? 80 * 25 : at + 1);
        bench_add(&cell, rdtsc() - t0 - over);
        t0 = rdtsc();
        vterm_update_cells(&t, &v, out, sizeof out, at, at + 1);
        bench_add(&vt, rdtsc() - t0 - over);
    }
    if (vm)
        Destroy_VM(vm);
    else
        kprintf("bench: vdd_draw_cell: no V86 VM for its video pages\n");
    bench_print("vdd_draw_cell", &cell);
    bench_print("vdd_vt_cell", &vt);
    console_screen_give();
}
