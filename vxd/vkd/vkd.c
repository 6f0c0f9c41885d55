/*
 * VKD: the virtual keyboard.  Every VM has its own keyboard controller (v8042.c: ports 60h, 64h
 * and 92h, in this device's area of the VM's control block), whose output buffer raises the VM's
 * virtual IRQ 1 through VPICD; the BIOS's INT 09h (real-mode code in VBIOS's image) reads the
 * scan code from port 60h, lets INT 15h AH=4Fh see it, and calls this device's handler, which
 * keeps the shift states and the key buffer in the VM's BDA (vkbd.c, as a PC's BIOS does); the
 * BIOS's INT 16h reads that buffer.  A20 through the controller's output port or port 92h is
 * the VM's A20 (Set_V86_A20); a reset through them ends the VM, saying so.
 *
 * The keys go to the focus VM (Get_Execution_Focus).  They come from
 *   - the PC's 8042, where the ACPI FADT says there is one (or is too old to say): its IRQ 1,
 *     scan codes of set 1 (the controller translates), and
 *   - the serial terminal on COM1: its IRQ 4 (and a 50 ms poll, in case an edge is lost); the
 *     bytes a VT100/xterm sends become key strokes (vkbd.c), and a BREAK on the line (a
 *     terminal's "send break") Ctrl+Break.  Ctrl-] switches the terminal between the focus VM
 *     and the DEBUG console (DEBUG_Take_Input / DEBUG_Input).
 * Both interrupt handlers only queue bytes; a global event decodes them and feeds the focus
 * VM's controller in thread context.
 */
#include <stdint.h>
#include <vmm/vxd.h>
#include <vmm/port.h>
#include <vmm/vmmsvc.h>
#include <vmm/vm.h>
#include <vmm/int.h>
#include <vmm/thread.h>
#include <vmm/v86.h>
#include <vmm/vbios.h>
#include <vmm/dosmgr.h>
#include "vkbd.h"

VMM_IMPORT(_Debug_Printf_Service)
VMM_IMPORT(_Allocate_Device_CB_Area)
VMM_IMPORT(Install_IO_Handler)
VMM_IMPORT(Simulate_IO)
VMM_IMPORT(Get_Sys_VM_Handle)
VMM_IMPORT(Get_Execution_Focus)
VMM_IMPORT(Set_V86_A20)
VMM_IMPORT(Crash_Cur_VM)
VMM_IMPORT(Schedule_Global_Event)
VMM_IMPORT(Set_Global_Time_Out)
VMM_IMPORT(Get_DDB)
VMM_IMPORT(Set_Execution_Focus)
VMM_IMPORT(Get_Next_VM_Handle)
VMM_IMPORT(Get_VM_Client)
DOSMGR_IMPORT(DOSMGR_Start_VM)
VPICD_IMPORT(VPICD_Virtualize_IRQ)
VPICD_IMPORT(VPICD_Set_Int_Request)
VPICD_IMPORT(VPICD_Clear_Int_Request)
VPICD_IMPORT(VPICD_Phys_EOI)
VPICD_IMPORT(VPICD_Physically_Mask)
VPICD_IMPORT(VPICD_Physically_Unmask)
VBIOS_IMPORT(VBIOS_Set_Int_Handler)
DEBUG_IMPORT(DEBUG_Take_Input)
DEBUG_IMPORT(DEBUG_Input)

int VMM_Has_8042(void);                         /* the VMM's, linked by name: the FADT's word */

#define printf _Debug_Printf_Service

#define COM1        0x3F8
#define LSR_DR      0x01u
#define LSR_BI      0x10u                       /* a BREAK on the line (its byte: 00h) */
#define ESCAPE      0x1Du                       /* Ctrl-]: the terminal to DEBUG and back */
#define POLL_MS     50

struct vkd_vm {                                 /* in each VM's control block */
    struct v8042 k;
    uint8_t raised;                             /* IRQ 1 requested */
};

static uint32_t cb_off, hirq1, hirq4;
static int have_8042, have_com1, have_debug, to_debug;
static struct vkbd_vt vt;

/* Bytes from the interrupt handlers to the event: source << 8 | byte. */
#define SRC_8042 0x100u
#define SRC_COM1 0x200u
#define SRC_BREAK 0x400u                        /* a terminal's BREAK: Ctrl+Break */
static uint16_t ring[256];
static volatile uint8_t rhead, rtail;
static volatile int scheduled;
static uint32_t dropped;

static struct vkd_vm *of(VMHANDLE vm) { return (struct vkd_vm *)((uint8_t *)vm + cb_off); }
static unsigned vmid(VMHANDLE vm) { return ((struct cb_s *)vm)->CB_VMID; }

/* ---- a VM's controller and its IRQ 1 ------------------------------------------------------ */

static void update_line(VMHANDLE vm, struct vkd_vm *d)
{
    int want = v8042_irq(&d->k);
    if (want && !d->raised) {
        d->raised = 1;
        VPICD_Set_Int_Request(hirq1, vm);
    } else if (!want && d->raised) {
        d->raised = 0;
        VPICD_Clear_Int_Request(hirq1, vm);
    }
}

/* The VM ended IRQ 1's interrupt: the next byte, if one waits, and a new edge for it. */
static void irq1_eoi(uint32_t hirq, VMHANDLE vm, void *ref)
{
    (void)hirq, (void)ref;
    struct vkd_vm *d = of(vm);
    v8042_next(&d->k);
    update_line(vm, d);
}

static uint32_t kbc_port(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                         struct client_regs *r)
{
    Emulate_Non_Byte_IO();                      /* words and dwords: a byte at a time */
    struct vkd_vm *d = of(vm);
    uint32_t in = 0;
    unsigned fx = 0;
    if (type & Output)
        fx = v8042_write(&d->k, port, (uint8_t)data);
    else
        in = v8042_read(&d->k, port);
    update_line(vm, d);
    if (fx & V8042_A20)
        Set_V86_A20(vm, (uint32_t)v8042_a20(&d->k));
    if (fx & V8042_RESET) {
        printf("VKD: VM %u reset the CPU through %s; the VM ends (no restart in a VM)\n",
               vmid(vm), port == 0x92 ? "port 92h" : "the keyboard controller");
        Crash_Cur_VM();
    }
    return in;
}

/* The BIOS's INT 09h, once INT 15h AH=4Fh let the scan code in AL through; CF set: Ctrl+Break,
 * for which it calls INT 1Bh. */
static void int09(VMHANDLE vm, struct client_regs *r)
{
    if (vkbd_bios_scan((uint8_t *)((struct cb_s *)vm)->CB_High_Linear, (uint8_t)r->eax) ==
        VKBD_BREAK)
        r->eflags |= 1u;
    else
        r->eflags &= ~1u;
}

/* ---- the keys' sources -------------------------------------------------------------------- */

/* The hotkeys: Alt+F11 a new VM with the command shell (DOSMGR's), Alt+F12 the keyboard and the
 * screen to the next VM that runs V86 code.  Their F-key codes do not reach the VM. */
#define SC_ALT      0x38
#define SC_F11      0x57
#define SC_F12      0x58
static int alt_down;

static void hotkey(uint8_t key)
{
    if (key == SC_F11) {
        if (!Get_DDB(DOSMGR_DEVICE_ID, 0)) {
            printf("VKD: Alt+F11 opens a DOS VM, but DOSMGR is not loaded\n");
            return;
        }
        VMHANDLE vm = DOSMGR_Start_VM("C:\\COMMAND.COM", 0, 100);
        if (vm)
            Set_Execution_Focus(vm);
        return;
    }
    VMHANDLE cur = Get_Execution_Focus(), n = cur;
    while ((n = Get_Next_VM_Handle(n)) != 0 && n != cur)
        if (Get_VM_Client(n)) {
            Set_Execution_Focus(n);
            printf("VKD: the keyboard and the screen are VM %u's\n", vmid(n));
            return;
        }
    printf("VKD: Alt+F12: no other VM runs V86 code; the keyboard and the screen stay VM %u's\n",
           cur ? vmid(cur) : 0);
}

/* The scan codes without the hotkeys' (acted on); how many are left. */
static unsigned hotkeys(uint8_t *scan, unsigned n)
{
    unsigned o = 0;
    for (unsigned i = 0; i < n; i++) {
        uint8_t s = scan[i], code = s & 0x7F;
        if (code == SC_ALT)
            alt_down = !(s & 0x80);
        if (alt_down && (code == SC_F11 || code == SC_F12)) {
            if (!(s & 0x80))
                hotkey(code);
            continue;
        }
        scan[o++] = s;
    }
    return o;
}

static void key_to_focus(uint8_t *scan, unsigned n)
{
    n = hotkeys(scan, n);
    VMHANDLE vm = Get_Execution_Focus();
    if (!vm || !n)
        return;
    struct vkd_vm *d = of(vm);
    uint32_t fl = vxd_ints_off();
    for (unsigned i = 0; i < n; i++)
        v8042_key(&d->k, scan[i]);
    update_line(vm, d);
    vxd_ints_restore(fl);
}

static void idle(uint32_t late, void *ref);
static void retry(uint32_t late, void *ref);

/* Can the focus VM take another key from the terminal: nothing waiting in its 8042 and room for
 * a few more keys in its BIOS's buffer.  Bytes pasted into a terminal come faster than a PC's
 * 15-key buffer empties; they wait here (and in the UART, whose input QEMU then holds back)
 * instead of being dropped, as keys typed that fast on a PC would be -- for as long as the VM is
 * busy: a command that runs for seconds finds every key typed meanwhile.  A Ctrl-] behind keys
 * the VM does not take is seen all the same (escape_behind); only when the ring is full and the
 * VM took nothing for RETRY_MAX tries do its keys go to it anyway (they drop there), so that
 * the terminal never waits for good behind a VM that reads no keys. */
#define RETRY_MS    10
#define RETRY_MAX   100
static unsigned retries;
static int ring_full(void) { return (uint8_t)(rhead + 1) == rtail; }
static int focus_ready(void)
{
    VMHANDLE vm = Get_Execution_Focus();
    if (!vm || (retries >= RETRY_MAX && ring_full()))
        return 1;
    struct vkd_vm *d = of(vm);
    const uint8_t *m = (const uint8_t *)((struct cb_s *)vm)->CB_High_Linear;
    unsigned head = m[0x41A] | m[0x41B] << 8, tail = m[0x41C] | m[0x41D] << 8;
    unsigned start = m[0x480] | m[0x481] << 8, end = m[0x482] | m[0x483] << 8;
    if (d->k.qn || d->k.obf)
        return 0;
    if (start >= end || end > 0x100 || head - start >= end - start || tail - start >= end - start)
        return 1;                               /* not a buffer VKD knows: no waiting on it */
    unsigned size = end - start, used = (tail + size - head) % size;
    return used / 2 + 4 < size / 2;
}

/* A Ctrl-] from COM1 waiting behind keys the focus VM does not take: the keys before it are
 * dropped (said), so that it is taken next; 0 if none waits (or there is no DEBUG console). */
static int escape_behind(void)
{
    if (!have_debug)
        return 0;
    for (uint8_t i = rtail; i != rhead; i = (uint8_t)(i + 1))
        if (!(ring[i] & SRC_8042) && (uint8_t)ring[i] == ESCAPE) {
            uint8_t n = (uint8_t)(i - rtail);
            VMHANDLE vm = Get_Execution_Focus();
            printf("\nVKD: %u key%s VM %u did not take dropped: Ctrl-] was behind them\n", n,
                   n == 1 ? "" : "s", vm ? vmid(vm) : 0);
            dropped += n;
            rtail = i;
            return 1;
        }
    return 0;
}

/* The event: the bytes queued by the interrupt handlers, decoded, to the focus VM or DEBUG. */
static void process(void *ref)
{
    (void)ref;
    scheduled = 0;
    while (rtail != rhead) {
        uint16_t e = ring[rtail];
        if (!(e & SRC_8042) && (uint8_t)e != ESCAPE && !to_debug && !focus_ready()) {
            if (escape_behind())
                continue;                       /* the bytes before it dropped: it is next */
            retries++;
            Set_Global_Time_Out(retry, RETRY_MS, 0);    /* the VM reads its keys meanwhile */
            return;
        }
        retries = 0;
        rtail = (uint8_t)(rtail + 1);
        uint8_t b = (uint8_t)e, scan[16];
        if (e & SRC_8042) {
            key_to_focus(&b, 1);
        } else if (e & SRC_BREAK) {
            static const uint8_t ctrl_break[] = { 0x1D, 0xE0, 0x46, 0xE0, 0xC6, 0x9D };
            for (unsigned i = 0; i < sizeof ctrl_break; i++)
                scan[i] = ctrl_break[i];
            if (!to_debug)
                key_to_focus(scan, sizeof ctrl_break);
        } else if (b == ESCAPE && have_debug) {
            to_debug = !to_debug;
            VMHANDLE vm = Get_Execution_Focus();
            if (to_debug)
                printf("\nVKD: COM1 is the DEBUG console's now (Ctrl-] gives it back to VM %u)\n",
                       vm ? vmid(vm) : 0);
            else
                printf("\nVKD: COM1 is VM %u's keyboard again (Ctrl-] for the DEBUG console)\n",
                       vm ? vmid(vm) : 0);
        } else if (to_debug) {
            DEBUG_Input(b);
        } else {
            key_to_focus(scan, vkbd_vt_byte(&vt, b, scan, sizeof scan));
        }
    }
    if (vt.state)                               /* a lone ESC, or a sequence: wait for more */
        Set_Global_Time_Out(idle, POLL_MS, 0);
}

static void queue_byte(uint16_t e)
{
    if ((uint8_t)(rhead + 1) == rtail) {
        dropped++;
        return;
    }
    ring[rhead] = e;
    rhead = (uint8_t)(rhead + 1);
    if (!scheduled) {
        scheduled = 1;
        Schedule_Global_Event(process, 0);
    }
}

static void retry(uint32_t late, void *ref)
{
    (void)late, (void)ref;
    if (!scheduled) {
        scheduled = 1;
        Schedule_Global_Event(process, 0);
    }
}

static void drain_com1(void)
{
    for (unsigned n = 0; n < 256 && (uint8_t)(rhead + 1) != rtail; n++) {   /* full: left there */
        uint8_t lsr = inb(COM1 + 5);
        if (lsr == 0xFF || !(lsr & LSR_DR))
            break;
        uint8_t b = inb(COM1);
        queue_byte(lsr & LSR_BI ? SRC_BREAK : (uint16_t)(SRC_COM1 | b));
    }
}

static void idle(uint32_t late, void *ref)
{
    (void)late, (void)ref;
    uint8_t scan[16];
    if (vt.state && rtail == rhead)
        key_to_focus(scan, vkbd_vt_idle(&vt, scan, sizeof scan));
}

/* The poll behind IRQ 4: a byte whose interrupt was missed is not stuck. */
static void poll(uint32_t late, void *ref)
{
    (void)late, (void)ref;
    uint32_t fl = vxd_ints_off();
    drain_com1();
    vxd_ints_restore(fl);
    Set_Global_Time_Out(poll, POLL_MS, 0);
}

static int irq4_hw(uint32_t hirq, struct client_regs *r, void *ref)
{
    (void)r, (void)ref;
    drain_com1();
    (void)inb(COM1 + 2);                        /* IIR: the interrupt acknowledged */
    VPICD_Phys_EOI(hirq);
    return 0;
}

static int irq1_hw(uint32_t hirq, struct client_regs *r, void *ref)
{
    (void)r, (void)ref;
    for (unsigned n = 0; n < 16; n++) {
        uint8_t st = inb(0x64);
        if (st == 0xFF || !(st & 1))
            break;
        uint8_t b = inb(0x60);
        if (!(st & 0x20))                       /* not the mouse's */
            queue_byte((uint16_t)(SRC_8042 | b));
    }
    if (!have_8042)
        VPICD_Physically_Mask(hirq);
    VPICD_Phys_EOI(hirq);
    return 0;
}

/* The PC's 8042: its IRQ 1 on, translation to set 1 on; 0 if it does not answer. */
static int kbc_wait_write(void)
{
    for (unsigned i = 0; i < 100000; i++)
        if (!(inb(0x64) & 2))
            return 1;
    return 0;
}
static int kbc_wait_read(void)
{
    for (unsigned i = 0; i < 100000; i++)
        if (inb(0x64) & 1)
            return 1;
    return 0;
}
static int init_8042(void)
{
    if (inb(0x64) == 0xFF)
        return 0;
    for (unsigned i = 0; i < 32 && (inb(0x64) & 1); i++)
        (void)inb(0x60);                        /* what the firmware left */
    if (!kbc_wait_write())
        return 0;
    outb(0x64, 0x20);
    if (!kbc_wait_read())
        return 0;
    uint8_t cmd = inb(0x60);
    if (!kbc_wait_write())
        return 0;
    outb(0x64, 0x60);
    if (!kbc_wait_write())
        return 0;
    outb(0x60, (uint8_t)((cmd | 0x41) & ~0x10));   /* IRQ 1, translation, keyboard on */
    return 1;
}

/* ---- set-up ------------------------------------------------------------------------------- */

static int init(void)
{
    static const struct vpicd_irq_descriptor vid1 = {
        .VID_IRQ_Number = 1, .VID_Hw_Int_Proc = irq1_hw, .VID_EOI_Proc = irq1_eoi,
    };
    static const struct vpicd_irq_descriptor vid4 = {
        .VID_IRQ_Number = 4, .VID_Options = VPICD_OPT_CAN_SHARE, .VID_Hw_Int_Proc = irq4_hw,
    };
    cb_off = _Allocate_Device_CB_Area(sizeof(struct vkd_vm), 0);
    hirq1 = VPICD_Virtualize_IRQ(&vid1);
    if (!cb_off || !hirq1 || !Install_IO_Handler(0x60, kbc_port) ||
        !Install_IO_Handler(0x64, kbc_port) || !Install_IO_Handler(0x92, kbc_port))
        return 1;                               /* the reason is printed by the service */
    if (VBIOS_Set_Int_Handler(0x09, int09) == (vbios_handler)1)
        return 1;
    have_8042 = VMM_Has_8042() && init_8042();
    if (have_8042)
        VPICD_Physically_Unmask(hirq1);
    have_com1 = inb(COM1 + 5) != 0xFF;
    have_debug = Get_DDB(DEBUG_DEVICE_ID, 0) != 0;
    if (have_com1) {
        hirq4 = VPICD_Virtualize_IRQ(&vid4);
        if (have_debug)
            DEBUG_Take_Input();
        if (hirq4) {
            outb(COM1 + 1, 0x01);               /* IER: received data */
            outb(COM1 + 4, 0x0B);               /* MCR: DTR, RTS, OUT2 (the IRQ line) */
            VPICD_Physically_Unmask(hirq4);
        }
        Set_Global_Time_Out(poll, POLL_MS, 0);
    }
    printf("VKD: a keyboard for every VM (8042 at 60h/64h, 92h; INT 09h); keys to the focus VM "
           "from %s%s%s\n", have_8042 ? "the PC's keyboard" : "",
           have_8042 && have_com1 ? " and " : "",
           have_com1 ? (have_debug ? "COM1 (Ctrl-] switches COM1 to the DEBUG console and back)"
                                   : "COM1")
                     : have_8042 ? "" : "nowhere: no keyboard, no serial port");
    return 0;
}

static int control(uint32_t msg, uint32_t vm, uint32_t arg)
{
    (void)arg;
    switch (msg) {
    case DEVICE_INIT:
        return init();
    case SYS_VM_INIT:
        vm = Get_Sys_VM_Handle();
        /* fall through */
    case VM_CRITICAL_INIT:
    case VM_V86_RESET:
        v8042_reset(&of((VMHANDLE)vm)->k);
        of((VMHANDLE)vm)->raised = 0;
        return 0;
    }
    return 0;
}

DECLARE_VIRTUAL_DEVICE(VKD_DDB, "VKD     ", 4, 0, control, VKD_DEVICE_ID, VKD_INIT_ORDER, 0, 0);
