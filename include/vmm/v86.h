/*
 * V86 virtual machines: the Windows 95 DDK's services for a VM's V86 address space (0-10FFEFh)
 * and for running its real-mode code, with the DDK's names and meaning, and VMM32's own service
 * that starts real-mode code in a new VM (Create_V86_VM).  The DDK's register conventions become
 * C parameters in the DDK's order; a refused call prints a line naming the caller.
 *
 * Every VM has a V86 space: its own conventional memory (pages _GetFirstV86Page ..
 * _GetLastV86Page; 640 KB, or SYSTEM.INI's [386Enh] ConvMemKB=, 128..640), the global pages below it (shared by every VM: the VMM's break points and
 * _Allocate_Global_V86_Data_Area), nothing in A0000h-FFFFFh until a VxD maps something there,
 * and the HMA (100000h-10FFEFh) with the A20 line emulated.  A VxD reaches any VM's memory at
 * CB_High_Linear + V86 address (cb_s, vm.h); the current VM's also at the V86 address itself.
 *
 * V86 code runs at IOPL 0 without VME: CLI, STI, PUSHF, POPF, INT n, IRET, HLT and trapped port
 * I/O are emulated by the VMM's monitor, against a virtual interrupt flag per VM (its PUSHF
 * shows its own IF and an IOPL of 3).  Interrupts a VM executes go to the Hook_V86_Int_Chain
 * hooks (include/vmm/int.h), then through its IVT; a new VM's IVT points every vector at the
 * VMM's default: an IRET, or, for 00h (divide error) and 06h (invalid opcode), the end of the VM
 * with a report.  Faults its code raises go to the Hook_V86_Fault hooks, then through its IVT.
 *
 * Call the services with interrupts on or off; they work on the current VM's client state (the
 * one whose thread calls) unless they take a VM handle.
 */
#ifndef VMM_V86_H
#define VMM_V86_H
#include <stdint.h>
#include "vmm/client.h"
#include "vmm/vm.h"

/* Client_Reg_Struc offsets (the DDK's Client_xx), for Map_Flat. */
#define Client_EDI      0x00
#define Client_ESI      0x04
#define Client_EBP      0x08
#define Client_EBX      0x10
#define Client_EDX      0x14
#define Client_ECX      0x18
#define Client_EAX      0x1C
#define Client_EIP      0x24
#define Client_CS       0x28
#define Client_EFlags   0x2C
#define Client_ESP      0x30
#define Client_SS       0x34
#define Client_ES       0x38
#define Client_DS       0x3C
#define Client_FS       0x40
#define Client_GS       0x44
#define Client_No_Offset 0xFFu          /* Map_Flat: the offset is 0 */

/* ---- the V86 address space ---------------------------------------------------------------- */

#define V86_PAGE_LIMIT          0x110u  /* V86 pages 0..10Fh (100h..10Fh: the HMA) */
#define V86_LAST_PAGE_DEFAULT   0x9Fu   /* 640 KB of conventional memory */
#define V86_PAGE_GLOBAL_MAX     15u     /* global pages: 1000h..FFFFh at most */

/* _MapIntoV86, _PhysIntoV86, _LinMapIntoV86: pages [first, first + n) of a _PageAllocate block,
 * physical pages, or committed system linear pages into a VM's V86 space from VMLinPgNum, which
 * must lie in 10h..10Fh (never the first 64 KB); the VM sees them present, writable and user.
 * Nonzero if done (_LinMapIntoV86: the V86 page number; HLinPgNum itself, mapping nothing, when
 * that is a V86 page already). */
#define MAPV86_IGNOREWRAP       0x00000001u     /* accepted; the HMA's alias follows A20 anyway */
#define PageDEBUGNulFault       0x00000010u     /* accepted, no effect */
uint32_t _MapIntoV86(uint32_t hmem, VMHANDLE vm, uint32_t vm_page, uint32_t npages,
                     uint32_t page_off, uint32_t flags);
uint32_t _PhysIntoV86(uint32_t phys_page, VMHANDLE vm, uint32_t vm_page, uint32_t npages,
                      uint32_t flags);
uint32_t _LinMapIntoV86(uint32_t lin_page, VMHANDLE vm, uint32_t vm_page, uint32_t npages,
                        uint32_t flags);

/* _ModifyPageBits: the VM's view of V86 pages [page, page + n) (between the first V86 page and
 * 10Fh): entry = (entry & bit_and) | bit_or over P_PRES, P_WRITE, P_USER, and P_DIRTY, which
 * can only be cleared (the CPU sets it when the VM writes the page: a display's way to see what
 * a VM changed).  P_PRES can be cleared (with ptype PG_HOOKED, on pages a Hook_V86_Page handler
 * watches: the VM's next touch calls it) but never set: map the page again for that.  Nonzero
 * if done. */
#define P_PRES                  0x01u
#define P_WRITE                 0x02u
#define P_USER                  0x04u
#define P_DIRTY                 0x40u
#define P_AVAIL                 (P_PRES | P_WRITE | P_USER)
#define PG_HOOKED               7u
#define PG_IGNORE               0xFFFFFFFFu
uint32_t _ModifyPageBits(VMHANDLE vm, uint32_t vm_page, uint32_t npages, uint32_t bit_and,
                         uint32_t bit_or, uint32_t ptype, uint32_t flags);

/* _CopyPageTable: the page-table entries of n pages into buf (the low 32 bits of each: P_PRES,
 * P_WRITE, P_USER, P_DIRTY ... and the frame): V86 pages of the current VM (below 110h), or of
 * any VM through its high linear address ((CB_High_Linear >> 12) + its V86 page) -- the VM's
 * own view, as the VM's code sees it.  Nonzero if done. */
uint32_t _CopyPageTable(uint32_t lin_page, uint32_t npages, uint32_t *buf, uint32_t flags);

/* Which device uses which V86 pages (bookkeeping, as in the DDK): vm 0 assigns in every VM,
 * a VM handle in that VM alone.  0 if a page of the range is assigned already -- globally, or
 * in that VM (a local assignment), or in any VM (a global one) -- (assign), or not assigned
 * the same way (deassign). */
uint32_t _Assign_Device_V86_Pages(uint32_t vm_page, uint32_t npages, VMHANDLE vm, uint32_t flags);
uint32_t _DeAssign_Device_V86_Pages(uint32_t vm_page, uint32_t npages, VMHANDLE vm,
                                    uint32_t flags);

/* Hook_V86_Page: handler runs when V86 code in any VM touches page (above the last V86 page, up
 * to 10Fh) while it is not present; it maps something there (_MapIntoV86 ...) or the VM ends.
 * 0 if refused (a page outside the range, or hooked already). */
typedef void (*v86_page_handler)(uint32_t page, VMHANDLE vm);
uint32_t Hook_V86_Page(uint32_t page, v86_page_handler h);

/* _Allocate_Global_V86_Data_Area: nbytes in the global V86 area, the same memory in every VM,
 * while the devices initialise only (until their Sys_VM_Init messages are done: a VM made later
 * has its V86 space laid out already).  The V86 linear address (below 10000h), or 0. */
#define GVDAWordAlign           0x0001u
#define GVDADWordAlign          0x0002u
#define GVDAParaAlign           0x0004u
#define GVDAPageAlign           0x0008u
#define GVDAZeroInit            0x0200u
uint32_t _Allocate_Global_V86_Data_Area(uint32_t nbytes, uint32_t flags);
uint32_t _GetFirstV86Page(void);        /* the first page of a VM's own memory */
uint32_t _GetLastV86Page(void);         /* the current VM's last page of conventional memory */
uint32_t _SetLastV86Page(uint32_t page, uint32_t flags);   /* grow or shrink it; nonzero ok */

/* Map_Flat: the V86 linear address of the current VM's client seg:offset, each given as its
 * Client_xx offset (offset Client_No_Offset: 0): seg * 16 + the 16-bit offset, up to 10FFEFh. */
uint32_t Map_Flat(uint32_t seg_offset, uint32_t off_offset);
/* Map_Lin_To_VM_Addr: a V86 linear address (0-10FFEFh) as seg:off into *seg_off (seg << 16 |
 * offset: lin / 16 : lin % 16 below 100000h, FFFF:(lin - FFFF0h) in the HMA).  Nonzero if done,
 * 0 for an address above the V86 space (the DDK's carry). */
uint32_t Map_Lin_To_VM_Addr(uint32_t lin, uint32_t *seg_off);
/* Validate_Client_Ptr: nonzero if r is a VM's client register structure (where the VMM keeps
 * the state of a VM's V86 code). */
uint32_t Validate_Client_Ptr(const struct client_regs *r);

/* ---- running V86 code --------------------------------------------------------------------- */

/* The current VM's interrupt vectors (its IVT). */
uint32_t Get_V86_Int_Vector(uint32_t n);                   /* seg << 16 | offset */
void     Set_V86_Int_Vector(uint32_t n, uint32_t seg, uint32_t off);

/* Simulate_*: change the current VM's client state as the instruction would; nothing runs until
 * the VM resumes (Resume_Exec, or the return from the fault or service that called).  0 if
 * refused (not a V86 VM's thread); if the VM's stack cannot take the push or pop, the VM is
 * ended there, as a CPU would shut down, and the call does not return. */
uint32_t Simulate_Int(uint32_t n);      /* Hook_V86_Int_Chain, then an IRET frame and its IVT */
uint32_t Simulate_Iret(void);
uint32_t Simulate_Far_Call(uint32_t seg, uint32_t off);
uint32_t Simulate_Far_Jmp(uint32_t seg, uint32_t off);
uint32_t Simulate_Far_Ret(void);
uint32_t Simulate_Far_Ret_N(uint32_t nbytes);               /* RETF n */
uint32_t Simulate_Push(uint32_t v);                          /* a word */
uint32_t Simulate_Pop(void);                                 /* a word, or FFFFFFFFh if none */
uint32_t Build_Int_Stack_Frame(uint32_t seg, uint32_t off);  /* FLAGS, CS, IP; then jumps */

/* Nested execution: a VxD runs the current VM's real-mode code and gets control back.
 *   Begin_Nest_V86_Exec();  Exec_Int(0x21);  End_Nest_Exec();
 * Begin_Nest_V86_Exec (Begin_Nest_Exec is the same here: every VM is V86) points the client
 * CS:IP at a VMM break point; Resume_Exec runs the VM until it returns there (interrupts,
 * other threads and VMs go on meanwhile); Exec_Int = Simulate_Int + Resume_Exec; End_Nest_Exec
 * puts CS:IP back.  The client registers are not saved: bracket with Save_Client_State /
 * Restore_Client_State.  From the thread that runs the VM's V86 code only: a hook, fault
 * handler, call back or I/O handler running for it (not its control messages, which come on
 * another thread); else refused (0). */
void     Begin_Nest_V86_Exec(void);
void     Begin_Nest_Exec(void);
uint32_t Exec_Int(uint32_t n);          /* 0 if refused; a VM that ends meanwhile never returns */
uint32_t Resume_Exec(void);
void     End_Nest_Exec(void);
#define CLIENT_STATE_SIZE ((uint32_t)sizeof(struct client_regs))
void     Save_Client_State(void *buf);
void     Restore_Client_State(const void *buf);

/* Break points and call backs: an ARPL in V86 memory, which raises #UD in V86 mode; the VMM
 * looks CS:IP up and calls proc with the VM, ref and the client state.
 * Allocate_V86_Call_Back: a new one in the VMM's global break-point page, for V86 code to FAR
 * CALL; the VMM does the far return first, so the client CS:IP is after the caller's call when
 * proc runs.  Returns seg << 16 | offset, 0 when all are taken (they are never freed; 1,791
 * slots, shared with Call_When_VM_Returns and the V86 API entries).
 * Install_V86_Break_Point: at seg:off (as the VM will address it) in the current VM's memory;
 * CS:IP stays on it: proc must move it (emulate what was there, or Simulate_Far_Ret ...).
 * Remove_V86_Break_Point puts the bytes back.  0 if refused. */
typedef void (*v86_callback)(VMHANDLE vm, void *ref, struct client_regs *r);
uint32_t Allocate_V86_Call_Back(void *ref, v86_callback proc);
uint32_t Install_V86_Break_Point(uint32_t seg_off, void *ref, v86_callback proc);
uint32_t Remove_V86_Break_Point(uint32_t seg_off);

/* Call_When_VM_Returns: the current VM's CS:IP becomes a call back, and proc runs when the VM
 * comes back to where it is now (call it before building the far-call or interrupt frame, from
 * a Hook_V86_Int_Chain hook that then passes the interrupt on), with timed_out 0 and CS:IP put
 * back; and after timeout_ms if that comes first (timed_out 1); with a negative timeout at both.
 * 0 never times out. */
typedef void (*v86_return_proc)(VMHANDLE vm, void *ref, struct client_regs *r, int timed_out);
uint32_t Call_When_VM_Returns(int32_t timeout_ms, void *ref, v86_return_proc proc);

/* The current VM's virtual interrupt flag, as STI and CLI would set it; and proc once the VM
 * takes interrupts (at once if it does now, else on the way back into it after STI, POPF, IRET
 * or Enable_VM_Ints). */
void     Enable_VM_Ints(void);
void     Disable_VM_Ints(void);
uint32_t Call_When_VM_Ints_Enabled(void *ref, v86_callback proc);

/* ---- VMM32's own: a VM running real-mode code -------------------------------------------- */

/* Create_V86_VM: a VM (Create_VM's messages) whose thread runs image (size bytes, copied to
 * load_seg:0000 of its V86 space, after the messages: inside 0500h-0FFFh or inside the VM's own
 * pages from _GetFirstV86Page up to the end of its conventional memory) from cs:ip with the stack at ss:sp, the virtual IF set, and the
 * general registers 0.  weight: its time-slice priority (1..10000).  The VM handle, or 0 (the
 * reason printed).  Its thread runs the V86 code until the VM ends (Crash_Cur_VM, Destroy_VM,
 * or a fault nothing handles). */
struct v86_start {
    const void *image;
    uint32_t size;
    uint16_t load_seg;
    uint16_t cs, ip, ss, sp;
    uint32_t weight;
};
VMHANDLE Create_V86_VM(const struct v86_start *start);
/* Create_V86_Thread: the same start in a VM that exists and runs no V86 code -- the system VM,
 * at its Sys_VM_Init or after its V86 code ended (VM_V86_RESET) -- its thread given the VM's
 * time-slice priority (start->weight unused).  Its thread handle, or 0 (the reason printed).  A
 * crash of that code ends the thread, not the system VM. */
uint32_t Create_V86_Thread(VMHANDLE vm, const struct v86_start *start);
/* Get_VM_Crash_Report: why the VM's V86 code ended in a crash the VMM found, and where ("#UD
 * invalid opcode, and the program has no handler for INT 06h at 0206:011c"), for the devices
 * told of it (VM_Not_Executeable with VNE_CRASHED, VM_V86_RESET); "" if none (a VxD's
 * Crash_Cur_VM says its own why).  Kept until the VM goes or its code starts again. */
const char *Get_VM_Crash_Report(VMHANDLE vm);
/* The VM's client register structure (CB_Client_Pointer): its V86 state while its code is not
 * running (in a fault, a hook, a call back, a control message); NULL for a VM that runs none. */
struct client_regs *Get_VM_Client(VMHANDLE vm);
/* Set_V86_A20: the VM's A20 line (the keyboard controller's output port or port 92h are the
 * virtual devices' to emulate; they call this): off, 100000h-10FFEFh wraps onto 0-FFEFh; on, the
 * HMA is memory of its own (kept while A20 goes off and on again).  0 for a bad VM handle, or
 * when there is no memory for the HMA (A20 stays off; the reason printed). */
uint32_t Set_V86_A20(VMHANDLE vm, uint32_t on);
/* Get_V86_A20: the VM's A20 line, 1 on, 0 off (FFFFFFFFh for a bad VM handle).
 * Get_VM_Last_V86_Page: the VM's last page of conventional memory (_GetLastV86Page of any VM,
 * for a device that sets up a new VM from another's thread: its VM_Critical_Init); 0 if none. */
uint32_t Get_V86_A20(VMHANDLE vm);
uint32_t Get_VM_Last_V86_Page(VMHANDLE vm);

/* The DDB_V86_API_Proc of a VxD (vxd.h), reached by real-mode code through the entry point INT
 * 2Fh AX=1684h BX=device ID returns in ES:DI: called with the VM and its client state, the
 * client CS:IP after the caller's far call; it answers in the client registers (AH function,
 * AL subfunction; CF in the client flags for errors, by convention). */
typedef void (*v86_api_proc)(VMHANDLE vm, struct client_regs *r);

#endif
