/*
 * V86DEMO: the SDK guide's V86 tutorial (docs/vxd-sdk.md, "A VM that runs real-mode code").  A
 * VxD that starts a real-mode program in a new VM, traps its port I/O and answers an INT of its
 * own -- the three things a virtual device does for real-mode code:
 *
 *   Init_Complete   Install_IO_Handler(2E0h), Hook_V86_Int_Chain(66h), Create_V86_VM(program)
 *   port 2E0h       the program writes words; the handler prints each, and after the second
 *                   reads the VM's own memory and registers through the SDK to check them
 *   INT 66h         AH 1: AX = 42 (the hook consumes it); anything else passes on to the VM's
 *                   IVT (a new VM's default there is an IRET)
 *
 * Not one of the default VxDs (it would start a VM at every boot): build it with `make` here,
 * copy V86DEMO.VXD into VMM/VXD, and its lines appear as the VM runs, alongside the boot's last
 * ones (the boot test vxd-v86demo does just that).
 */
#include <stdint.h>
#include <vmm/vxd.h>
#include <vmm/vmmsvc.h>
#include <vmm/vm.h>
#include <vmm/int.h>
#include <vmm/thread.h>
#include <vmm/v86.h>

VMM_IMPORT(_Debug_Printf_Service)
VMM_IMPORT(Install_IO_Handler)
VMM_IMPORT(Hook_V86_Int_Chain)
VMM_IMPORT(Create_V86_VM)
VMM_IMPORT(Destroy_VM)
VMM_IMPORT(Get_VM_Client)
VMM_IMPORT(Schedule_Global_Event)

#define DEMO_PORT 0x2E0
#define DEMO_INT  0x66
#define LOAD_SEG  0x2000

/* The real-mode program, loaded at 2000:0000 and started there (nasm syntax alongside). */
static const uint8_t program[] = {
    0xB8, 0x34, 0x12,           /* mov ax, 1234h                                          */
    0xBA, 0xE0, 0x02,           /* mov dx, 2E0h                                           */
    0xEF,                       /* out dx, ax          ; trapped: the handler sees 1234h  */
    0xB4, 0x01,                 /* mov ah, 1                                              */
    0xCD, DEMO_INT,             /* int 66h             ; our hook: AX = 42                */
    0xC6, 0x06, 0x00, 0x01, 0x99, /* mov byte [100h], 99h ; memory the handler will read */
    0xEF,                       /* out dx, ax          ; the handler sees 42              */
    0xFB,                       /* sti                                                    */
    0xF4,                       /* hlt                 ; waits (no CPU) until destroyed   */
    0xEB, 0xFD,                 /* jmp short $-1                                          */
};

static VMHANDLE demo_vm;
static unsigned outs;

static void destroy_later(void *ref)
{
    Destroy_VM((VMHANDLE)ref);
    _Debug_Printf_Service("V86DEMO: VM destroyed\n");
}

/* Port 2E0h: the program's OUTs.  The DDK's I/O handler: vm, type, port, data written. */
static uint32_t demo_io(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                        struct client_regs *r)
{
    (void)port;
    if (!(type & Output))
        return 0xFFFF;                          /* nothing to read here */
    _Debug_Printf_Service("V86DEMO: the program wrote %04x to port %03x\n", data & 0xFFFF,
                          DEMO_PORT);
    if (++outs == 2) {
        /* What the program cannot fake: its memory, at CB_High_Linear + its V86 address, and
         * its registers, in its client state (r, also Get_VM_Client(vm)).  CS:IP is the OUT's
         * own address: the monitor steps past it once the handler returns. */
        const uint8_t *mem = (const uint8_t *)((struct cb_s *)vm)->CB_High_Linear;
        _Debug_Printf_Service("V86DEMO: its byte at %04x:0100 is %02x; CS:IP %04x:%04x, AX %04x%s\n",
                              LOAD_SEG, mem[LOAD_SEG * 16 + 0x100], r->cs & 0xFFFF,
                              r->eip & 0xFFFF, r->eax & 0xFFFF,
                              Get_VM_Client(vm) == r ? "" : " (not its client state!)");
        Schedule_Global_Event(destroy_later, (void *)vm);   /* not from inside its own VM */
    }
    return 0;
}

/* INT 66h from the VM: AH 1 answers AX = 42 and consumes it (0); anything else passes on. */
static int demo_int(struct client_regs *r, void *ref)
{
    (void)ref;
    if (((r->eax >> 8) & 0xFF) != 1)
        return 1;
    r->eax = (r->eax & 0xFFFF0000u) | 42;
    return 0;
}

static int demo_control(uint32_t msg, uint32_t vm, uint32_t arg)
{
    (void)vm;
    (void)arg;
    if (msg == INIT_COMPLETE) {
        struct v86_start st = { program, sizeof program, LOAD_SEG, LOAD_SEG, 0, LOAD_SEG, 0xFFFE,
                                100 };
        if (!Install_IO_Handler(DEMO_PORT, demo_io) || !Hook_V86_Int_Chain(DEMO_INT, demo_int, 0))
            return 1;
        demo_vm = Create_V86_VM(&st);
        _Debug_Printf_Service("V86DEMO: started a V86 VM (%08x)\n", demo_vm);
    }
    return 0;
}

DECLARE_VIRTUAL_DEVICE(V86DEMO_DDB, "V86DEMO ", 1, 0, demo_control, UNDEFINED_DEVICE_ID,
                       UNDEFINED_INIT_ORDER, 0, 0);
