/*
 * VDD: the virtual display.  Every VM has its own: its own video memory (32 KB at B8000h for the
 * text modes, 64 KB at A0000h once it sets mode 13h), the video BIOS's INT 10h over it
 * (installed into VBIOS's entry point at F000:F065), and the CRTC's ports 3D4h/3D5h (the cursor
 * a program moves itself) and 3DAh (the retrace bits programs wait on, which toggle).  The
 * display's state machine is the portable vtext.c (unit-tested on the host); the VM's state
 * lives in its BDA and video memory, as on a PC, and in this device's area of the VM's control
 * block (_Allocate_Device_CB_Area).
 *
 * The focus VM's screen is shown (vdraw.c, portable): on the PC's screen -- the framebuffer the
 * VMM's console draws on until then (VMM_Screen_Take) -- in the console's font, scaled and
 * centred, and on COM1 as a VT100/xterm terminal screen, so that a PC without a display shows
 * it too.  Every 40 ms what changed since is drawn; the screen is shown from the time the focus
 * VM's holds anything (a mode other than 3, a character that is not a blank, a colour), and
 * goes back to the console when the focus moves to a VM whose screen is blank.  What changed is
 * known without looking at every cell: what INT 10h wrote (vtext_changed), and the video pages
 * the VM's own code wrote -- their dirty bits (_CopyPageTable), cleared at each look
 * (_ModifyPageBits), as the DDK's VDD does; once a second every cell is compared all the same,
 * for a VxD that wrote into a VM's screen through its high linear address.
 */
#include <stdint.h>
#include <vmm/vxd.h>
#include <vmm/vmmsvc.h>
#include <vmm/vm.h>
#include <vmm/page.h>
#include <vmm/int.h>
#include <vmm/v86.h>
#include <vmm/vbios.h>
#include <vmm/screen.h>
#include <vmm/thread.h>
#include <vmm/vdd.h>
#include <vmm/port.h>
#include "vtext.h"
#include "vdraw.h"

VMM_IMPORT(_Debug_Printf_Service)
VMM_IMPORT(_Allocate_Device_CB_Area)
VMM_IMPORT(_PageAllocate)
VMM_IMPORT(_MapIntoV86)
VMM_IMPORT(_Assign_Device_V86_Pages)
VMM_IMPORT(_CopyPageTable)
VMM_IMPORT(_ModifyPageBits)
VMM_IMPORT(Install_IO_Handler)
VMM_IMPORT(Simulate_IO)
VMM_IMPORT(Get_Sys_VM_Handle)
VMM_IMPORT(Get_VM_Last_V86_Page)
VMM_IMPORT(Get_Execution_Focus)
VMM_IMPORT(Get_VM_Client)
VMM_IMPORT(Set_Global_Time_Out)
VBIOS_IMPORT(VBIOS_Set_Int_Handler)

#define printf _Debug_Printf_Service

#define VRAM_PAGE       0xB8u
#define GFX_PAGE        0xA0u

struct vdd_vm {                                 /* in each VM's control block */
    struct vtext t;
    uint8_t status;                             /* 3DAh: what the next read gives */
    uint8_t named[32];                          /* INT 10h functions named once (bit per AH) */
};

static uint32_t cb_off;

#define REFRESH_MS 40
static struct vdraw draw;                       /* the PC's screen, once taken */
static struct vterm term;                       /* the terminal on COM1 */
static int took, have_screen, shown;    /* the console's screen taken; drawable; shown */
static VMHANDLE shown_vm;
static const uint16_t *shown_cells;             /* the video memory shown (the CRTC's start) */
static uint16_t msg_cells[80 * 25];             /* VDD_Show_Message's screen ... */
static uint32_t msg_left;                       /* ... for so many ms more (0: none) */
static int msg_new;                             /* ... not drawn yet */
static unsigned looks;                          /* refreshes since every cell was compared */
static char vt_out[32768];

static struct vdd_vm *of(VMHANDLE vm) { return (struct vdd_vm *)((uint8_t *)vm + cb_off); }
static unsigned vmid(VMHANDLE vm) { return ((struct cb_s *)vm)->CB_VMID; }

/* npages of zeroed memory, the VM's (freed with it), mapped at V86 page `page`. */
static int map_new(VMHANDLE vm, uint32_t page, uint32_t npages)
{
    uint32_t h = PAGE_RET_LO(_PageAllocate(npages, PG_VM, (uint32_t)vm, 0, 0, 0, 0,
                                           PAGEZEROINIT));
    return h && _MapIntoV86(h, vm, page, npages, 0, 0);
}

static int vm_setup(VMHANDLE vm)
{
    struct vdd_vm *d = of(vm);
    if (!map_new(vm, VRAM_PAGE, 8)) {
        printf("VDD: VM %u: no video memory (32 KB at B8000; the reason above)\n", vmid(vm));
        return 1;
    }
    d->t.mem = (uint8_t *)((struct cb_s *)vm)->CB_High_Linear;
    d->t.conv_end = (Get_VM_Last_V86_Page(vm) + 1) << 12;
    d->t.gfx = 0;
    vtext_reset(&d->t);
    return 0;
}

static void int10(VMHANDLE vm, struct client_regs *r)
{
    struct vdd_vm *d = of(vm);
    uint8_t ah = (uint8_t)(r->eax >> 8);
    if (ah == 0 && (r->eax & 0x7F) == 0x13 && !d->t.gfx) {     /* mode 13h: its memory now */
        if (map_new(vm, GFX_PAGE, 16))
            d->t.gfx = 1;
        else
            printf("VDD: VM %u: no memory for mode 13h (64 KB at A0000); mode unchanged\n",
                   vmid(vm));
    }
    if (vtext_int10(&d->t, r))
        return;
    if (!(d->named[ah >> 3] & (1u << (ah & 7)))) {
        d->named[ah >> 3] |= (uint8_t)(1u << (ah & 7));
        printf("VDD: VM %u: INT 10h AX=%04x: not a function of this display; nothing done\n",
               vmid(vm), r->eax & 0xFFFF);
    }
}

static uint32_t crtc_port(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                          struct client_regs *r)
{
    Emulate_Non_Byte_IO();                      /* words and dwords: a byte at a time */
    struct vdd_vm *d = of(vm);
    if (port == 0x3DA) {                        /* input status: retrace, display enable */
        if (type & Output)
            return 0;
        d->status ^= 0x09;
        return d->status;
    }
    if (type & Output) {
        vtext_crtc_out(&d->t, port, (uint8_t)data);
        return 0;
    }
    return vtext_crtc_in(&d->t, port);
}

/* ---- showing the focus VM's screen --------------------------------------------------------- */

/* Does the screen hold anything a user should see? */
static int worth_showing(const struct vtext_view *v)
{
    if (v->mode != 3)
        return 1;
    for (unsigned i = 0; i < (unsigned)v->cols * v->rows; i++) {
        uint16_t c = v->cells[i];
        if (((c & 0xFF) != ' ' && (c & 0xFF) != 0) || (c & 0x7000))
            return 1;
    }
    return 0;
}

/* The screen back to the console, and the terminal cleared for its lines. */
static void unshow(void)
{
    if (!shown)
        return;
    shown = 0;
    if (took)
        VMM_Screen_Give();
    took = have_screen = 0;
    VMM_Serial_Write("\033[0m\033[2J\033[H", 11);
}

/* Did the VM's code write any of its V86 pages [page, page + n) since the last look (their dirty
 * bits, which this clears)?  1 also if they cannot be read. */
static int pages_written(VMHANDLE vm, uint32_t page, uint32_t n)
{
    uint32_t pte[16];
    if (!_CopyPageTable((((struct cb_s *)vm)->CB_High_Linear >> 12) + page, n, pte, 0))
        return 1;
    for (uint32_t i = 0; i < n; i++)
        if (pte[i] & P_DIRTY) {
            _ModifyPageBits(vm, page, n, ~P_DIRTY, 0, PG_IGNORE, 0);
            return 1;
        }
    return 0;
}

/* The cells of view v that can have changed since the last refresh: [*from, *to). */
static void changed_cells(VMHANDLE vm, struct vdd_vm *d, const struct vtext_view *v,
                          unsigned *from, unsigned *to)
{
    uint32_t lo, hi, start = (uint32_t)((const uint8_t *)v->cells - (d->t.mem + 0xB8000));
    uint32_t first = start >> 12, last = (start + v->cols * v->rows * 2u - 1) >> 12;
    vtext_changed(&d->t, &lo, &hi);
    if (last > 7)                               /* the pages shown: another start, all anew */
        last = 7;
    if (pages_written(vm, VRAM_PAGE + first, last + 1 - first) |
        (d->t.gfx && pages_written(vm, GFX_PAGE, 16)) ||
        v->cells != shown_cells || ++looks >= 1000 / REFRESH_MS) {
        lo = 0;
        hi = VTEXT_VRAM_SIZE;
        looks = 0;
        shown_cells = v->cells;
    }
    *from = lo > start ? (lo - start) / 2 : 0;
    *to = hi > start ? (hi - start + 1) / 2 : 0;
    if (lo >= hi)
        *from = *to = 0;
}

/* The PC's screen taken from the console (once), for what VDD shows. */
static void take_screen(void)
{
    if (shown)
        return;
    struct vmm_screen s;
    took = VMM_Screen_Take(&s);
    have_screen = took && vdraw_init(&draw, s.base, s.width, s.height, s.pitch, s.red_mask,
                                     s.green_mask, s.blue_mask, s.font, s.font_height);
    shown = 1;
    shown_vm = 0;
}

/* VDD_Show_Message's screen, while it lasts: 1 if it is shown (drawn once), 0 if none. */
static int show_message(void)
{
    uint32_t fl = vxd_ints_off();
    int fresh = msg_new, left = msg_left != 0;
    msg_new = 0;
    if (left)
        msg_left = msg_left > REFRESH_MS ? msg_left - REFRESH_MS : 0;
    vxd_ints_restore(fl);
    if (!left)
        return 0;
    if (fresh) {
        struct vtext_view v = { 3, 80, 25, msg_cells, -1, -1, 0x20, 0 };
        take_screen();
        vdraw_invalidate(&draw);
        vterm_invalidate(&term);
        if (have_screen)
            vdraw_update_cells(&draw, &v, 0, 0, 80 * 25);
        unsigned n = vterm_update_cells(&term, &v, vt_out, sizeof vt_out, 0, 80 * 25);
        if (n)
            VMM_Serial_Write(vt_out, n);
    }
    shown_vm = 0;                               /* the focus VM's screen anew after it */
    shown_cells = 0;
    return 1;
}

static uint32_t show_message_svc(const char *title, const char *text, uint32_t ms)
{
    if (!title && !text)
        return 0;
    uint32_t fl = vxd_ints_off();
    vtext_message(msg_cells, title, text);
    msg_left = ms > 60000 ? 60000 : ms;
    msg_new = msg_left != 0;
    vxd_ints_restore(fl);
    return 1;
}

static void refresh(uint32_t late, void *ref)
{
    (void)late, (void)ref;
    if (show_message()) {
        Set_Global_Time_Out(refresh, REFRESH_MS, 0);
        return;
    }
    VMHANDLE vm = Get_Execution_Focus();
    struct vdd_vm *d = vm && Get_VM_Client(vm) ? of(vm) : 0;     /* a VM that runs V86 code */
    struct vtext_view v;
    if (d && d->t.mem)
        vtext_view(&d->t, &v);
    if (!d || !d->t.mem || !worth_showing(&v)) {
        unshow();
    } else {
        take_screen();
        if (vm != shown_vm) {
            vdraw_invalidate(&draw);
            vterm_invalidate(&term);
            shown_vm = vm;
        }
        unsigned from, to;
        changed_cells(vm, d, &v, &from, &to);
        if (have_screen)
            vdraw_update_cells(&draw, &v, d->t.gfx ? d->t.mem + 0xA0000 : 0, from, to);
        unsigned n = vterm_update_cells(&term, &v, vt_out, sizeof vt_out, from, to);
        if (n)
            VMM_Serial_Write(vt_out, n);
    }
    Set_Global_Time_Out(refresh, REFRESH_MS, 0);
}

static int init(void)
{
    cb_off = _Allocate_Device_CB_Area(sizeof(struct vdd_vm), 0);
    if (!cb_off)
        return 1;
    if (!_Assign_Device_V86_Pages(GFX_PAGE, 16, 0, 0) ||
        !_Assign_Device_V86_Pages(VRAM_PAGE, 8, 0, 0)) {
        printf("VDD: A0000-AFFFF or B8000-BFFFF is another device's\n");
        return 1;
    }
    if (VBIOS_Set_Int_Handler(0x10, int10) == (vbios_handler)1 ||
        !Install_IO_Handler(0x3D4, crtc_port) || !Install_IO_Handler(0x3D5, crtc_port) ||
        !Install_IO_Handler(0x3DA, crtc_port))
        return 1;
    printf("VDD: a display for every VM: INT 10h (text modes 0-3, mode 13h), CRTC 3D4h/3D5h, "
           "3DAh; the focus VM's screen on the PC's screen and on COM1\n");
    Set_Global_Time_Out(refresh, REFRESH_MS, 0);
    return 0;
}

static int control(uint32_t msg, uint32_t vm, uint32_t arg)
{
    (void)arg;
    switch (msg) {
    case DEVICE_INIT:
        return init();
    case SYS_VM_INIT:
        return vm_setup(Get_Sys_VM_Handle());
    case VM_CRITICAL_INIT:
        return vm_setup((VMHANDLE)vm);
    case VM_V86_RESET:                          /* its video memory (A0000h too) stays mapped */
        vtext_reset(&of((VMHANDLE)vm)->t);
        return 0;
    }
    return 0;
}

static uint32_t get_version(void) { return 0x0100; }

static uint32_t services[VDD_SERVICE_COUNT] = {
    [VDD_Get_Version_Ord] = (uint32_t)get_version,
    [VDD_Show_Message_Ord] = (uint32_t)show_message_svc,
};

DECLARE_VIRTUAL_DEVICE(VDD_DDB, "VDD     ", 4, 0, control, VDD_DEVICE_ID, VDD_INIT_ORDER,
                       services, VDD_SERVICE_COUNT);
