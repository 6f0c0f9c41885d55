/*
 * The V86 layer's internal header: every VM's V86 address space (space.c), the monitor on the
 * fault path (faults.c: the portable core is v86/monitor.c and v86/decode.c), break points and call
 * backs (break.c), nested execution and the DDK's Simulate_* services (exec.c), virtual
 * interrupts (vint.c), and VMs that run real-mode code (vm86.c).  The services VxDs call are in
 * include/vmm/v86.h.
 *
 * A VM's V86 space, 0-10FFEFh, is two views of the same frames:
 *
 *   the VM's view    its memory context's first page table (PD0 entry 0, made by space.c and
 *                    installed with page_context_set_v86): user pages, executable (the one
 *                    documented exception to W^X), present, writable or not as the VM may use
 *                    them; live at linear 0 while the VM's context is current
 *   the window       V86_PAGES reserved system pages (CB_High_Linear) mapping the same frames,
 *                    supervisor only: what the monitor and the services read and write, for any
 *                    VM, current or not
 *
 *   page 0                      the VM's own: IVT, BIOS data area, 500h-FFFh
 *   pages 1 .. first-1          global: the VMM's break points (page 1), then what VxDs took
 *                               with _Allocate_Global_V86_Data_Area; the same frames in every VM
 *   pages first .. last         the VM's own conventional memory (640 KB: last = 9Fh by default)
 *   pages last+1 .. FFh         unmapped unless a VxD maps something there (adapters, ROM)
 *   pages 100h .. 10Fh          the HMA: with A20 off the same frames as pages 0-Fh (wrap), with
 *                               A20 on pages of its own
 *
 * Every frame a window page maps is someone else's (SW_PHYS: the window never frees one): the
 * VM's conventional memory is one _PageAllocate block of its own, the HMA another, global pages
 * and what VxDs map are theirs.  Interrupts off in all of it (the VMM's rule).
 */
#ifndef V86_V86_H
#define V86_V86_H
#include <stdint.h>
#include "v86/monitor.h"
#include "vmm/v86.h"
#include "sched/sched.h"

#define V86_BP_PAGE 1u                          /* the VMM's break points: 0100:0000-0FFF */
#define V86_BP_SEG  (V86_BP_PAGE << 8)
#define V86_BP_MAX  2048u                       /* 2 bytes each (ARPL) */
#define V86_HMA_FIRST 0x100u

struct v86_space {
    struct v86_vm mon;              /* first: what the monitor reads (mem = the window) */
    uint8_t present[V86_PAGES];     /* the VM's view: nonzero, page p present */
    uint8_t writable[V86_PAGES];    /* ... and writable */
    struct vm *vm;
    uint32_t window;                /* CB_High_Linear */
    volatile uint32_t *pt;          /* the V86 page table (PAE: two words an entry) */
    uint32_t hpt;                   /* its memory handle */
    uint32_t hconv;                 /* the conventional memory's block (pages 0 .. last) */
    uint32_t conv;                  /* ... its linear address */
    uint32_t hhma;                  /* the HMA's own pages (A20 on), 0 until first needed */
    uint32_t last;                  /* _GetLastV86Page */
    uint8_t a20;                    /* 1: A20 on */
    uint8_t halted;                 /* in HLT: its thread waits in hlt_q for an interrupt */
    uint8_t hung;                   /* reported as hung (HLT with vif clear), once */
    uint8_t due;                    /* counted in fault_v86_due: something for resume */
    uint8_t intr;                   /* its virtual PIC's INT line (VPICD_Set_VM_Intr) */
    uint32_t irr;                   /* virtual IRQs requested (VPICD_Set_Int_Request), bit irq */
    uint8_t cli_seen;               /* a tick found its V86 code with vif clear ... */
    uint64_t cli_from;              /* ... its thread's CPU time (TSC) then, the first time */
    const char *kill;               /* set: resume ends the VM, with this reason */
    struct thread_queue hlt_q;
    struct thread *thread;          /* the thread that runs its V86 code, once it has one */
    struct v86_start start;         /* where that thread starts */
    struct v86_nest *nest;          /* the innermost Begin_Nest_V86_Exec, or NULL */
    struct { v86_callback proc; void *ref; } ie[8];    /* Call_When_VM_Ints_Enabled */
    uint8_t nie;
    uint8_t nlocal;
    struct { uint16_t port; uint8_t trap; } local[16];  /* Enable/Disable_Local_Trapping */
    uint8_t assigned_local[V86_PAGES];  /* _Assign_Device_V86_Pages for this VM alone */
    char crash[112];                /* why its V86 code last ended, and where (v86_crash) */
};

/* space.c */
int  v86_space_create(struct vm *vm);           /* vm->v86; 0, or -1 (reason printed) */
extern uint32_t v86_conv_last;                  /* a new VM's last conventional page */
void v86_space_destroy(struct vm *vm);
/* s's memory as a new VM's: the IVT at the VMM's break points, zeros from 0400h to the global
 * pages and in the VM's own pages to the end of its conventional memory; A20 off. */
void v86_space_reset(struct v86_space *s);
/* Maps frame (0: nothing) at V86 page p of s, in both views; writable or read-only to the VM. */
void v86_map(struct v86_space *s, uint32_t p, uint64_t frame, int writable);
/* The VM's view of page p changes: P_PRES / P_WRITE / P_USER bits (the frame stays). */
void v86_page_bits(struct v86_space *s, uint32_t p, uint32_t bits);
struct v86_space *v86_of(uint32_t vmhandle);    /* a VM's V86 space, or NULL */
struct v86_space *v86_current(void);            /* the current thread's VM's */
void v86_set_a20(struct v86_space *s, int on);
void v86_global_close(void);                    /* no more _Allocate_Global_V86_Data_Area */
int  v86_page_fault(struct v86_space *s, uint32_t lin, int write);

/* break.c: break points (ARPL) and call backs.  v86_break: the VM hit the break point at CS:IP;
 * 1 if it was one (its procedure ran), 0 if not. */
int  v86_break_init(void);
int  v86_break(struct v86_space *s, struct client_regs *r);
void v86_break_forget(struct vm *vm);           /* a VM going: its break points and returns */
uint32_t v86_api_entry(void *proc);             /* a call back for a VxD's V86 API, or 0 */
uint32_t v86_nest_segoff(void);                 /* the nest's break point, seg << 16 | off */
unsigned v86_break_purge(uint32_t lo, uint32_t hi);

/* An unloaded VxD's code [lo, hi) out of the V86 layer (vxd.c's purge): its call backs and V86
 * API entries (a VM that still calls one is ended, named), its break points (the bytes back),
 * its Call_When_VM_Returns procedures (the VM returns, nobody is called), its
 * Call_When_VM_Ints_Enabled procedures and Hook_V86_Page handlers.  The count taken out. */
unsigned v86_purge(uint32_t lo, uint32_t hi);
unsigned v86_space_purge(uint32_t lo, uint32_t hi);             /* space.c: page hooks */
unsigned v86_vint_purge(struct v86_space *s, uint32_t lo, uint32_t hi);   /* vint.c */
unsigned v86_pic_purge(uint32_t lo, uint32_t hi);

/* faults.c: the fault path's V86 taker, and what happens on the way back into V86 code. */
void v86_trap_init(void);
/* Ends the current VM with a report: what happened, the VM, CS:IP and the bytes there. */
__attribute__((noreturn)) void v86_crash(struct client_regs *r, const char *what);
/* Interrupt n into the VM: Hook_V86_Int_Chain, then its IVT; a VM that cannot take it (its
 * stack) is ended there. */
void v86_deliver(struct v86_space *s, struct client_regs *r, unsigned n);

/* vint.c: virtual interrupts, Call_When_VM_Ints_Enabled, and what resume does */
void v86_vint_due(struct v86_space *s, struct client_regs *r);   /* deliver what is due */
void v86_update_due(struct v86_space *s);       /* after irr, ie or kill changed */
void v86_wake(struct v86_space *s);             /* its thread out of HLT */

/* vm86.c: the layer's set-up (after event_init; v86_init_done once the VxDs are initialised:
 * no more global V86 memory) */
int  v86_init(uint32_t conv_kb);                /* conv_kb: each VM's conventional memory */
void v86_init_done(void);
extern uint32_t v86_code_resets;                /* VM_V86_RESETs sent (the system VM's crashes) */

/* exec.c: the client state and nested execution.  v86_pop_far: IP, CS (and FLAGS for an IRET
 * frame) off the VM's stack, then SP += extra; 0, and nothing changed, if the stack cannot. */
int  v86_pop_far(struct v86_space *s, struct client_regs *r, uint32_t extra, int iret);
struct client_regs *v86_client(struct v86_space *s);
void v86_nest_forget(struct v86_space *s);
void v86_nest_bp(struct v86_space *s, struct client_regs *r);   /* the nest's break point */

#endif
