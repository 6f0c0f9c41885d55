/*
 * The V86 monitor's portable core: per-VM virtual interrupt flag, and the emulation of the
 * instructions virtual-8086 code traps on when it runs at IOPL 0 without VME (CLI STI PUSHF POPF
 * INT n INT3 INTO IRET HLT, IN OUT INS OUTS on trapped ports, and the ARPL break point).
 * No hardware: the caller gives the VM's memory as the monitor may read and write it, which
 * pages of it are present and writable, which interrupts it hooks, and a callback for I/O (all
 * in struct v86_vm); the VMM and the host tests compile the same source.
 *
 * Who may call: the ring-0 trap path (#GP and #UD from V86 mode), in interrupt context, and VMM
 * services working on a VM's client state (the DDK's Simulate_Push, Simulate_Iret ...: the
 * inline helpers below); never for the same VM concurrently.  Nothing here blocks or allocates.
 *
 * The VM's view of the flags: the real EFLAGS keeps IF = 1, IOPL = 0 and VM = 1 while V86 code
 * runs; what the VM sees (PUSHF, the FLAGS an interrupt pushes) has IF = its virtual IF (vif) and
 * IOPL = 3, and what it loads (POPF, IRET) changes vif and the ordinary flags only.
 *
 * Every result leaves r and the VM's memory as a CPU would, or unchanged: a V86_PAGE, a fault or
 * a refused I/O access changes nothing, so the caller can map a page and call again, except
 * that a REP INS/OUTS keeps the elements done before the one that stopped it (as a CPU's REP
 * interrupted by a fault: SI, DI, CX count them and IP stays at the instruction).
 */
#ifndef VMM_V86_MONITOR_H
#define VMM_V86_MONITOR_H
#include <stddef.h>
#include <stdint.h>

#include "vmm/client.h"

#define V86_SPACE   0x110000u           /* linear 0 .. 10FFEFh, plus slack to a page */
#define V86_PAGES   272u                /* 4 KB pages in V86_SPACE */
#define V86_REP_MAX 1024u               /* REP INS/OUTS elements emulated a call */

/* EFLAGS bits */
#define V86_FL_CF   0x000001u
#define V86_FL_PF   0x000004u
#define V86_FL_AF   0x000010u
#define V86_FL_ZF   0x000040u
#define V86_FL_SF   0x000080u
#define V86_FL_TF   0x000100u
#define V86_FL_IF   0x000200u
#define V86_FL_DF   0x000400u
#define V86_FL_OF   0x000800u
#define V86_FL_IOPL 0x003000u
#define V86_FL_NT   0x004000u
#define V86_FL_RF   0x010000u
#define V86_FL_VM   0x020000u
#define V86_FL_AC   0x040000u
#define V86_FL_VIF  0x080000u
#define V86_FL_VIP  0x100000u
#define V86_FL_ID   0x200000u
/* What POPF/IRET (16-bit) and POPFD/IRETD may change in the real EFLAGS: never IF, IOPL, VM,
 * RF, VIF, VIP (the VM's IF is vif). */
#define V86_FL_LOAD16 (V86_FL_CF | V86_FL_PF | V86_FL_AF | V86_FL_ZF | V86_FL_SF | V86_FL_TF | \
                       V86_FL_DF | V86_FL_OF | V86_FL_NT)
#define V86_FL_LOAD32 (V86_FL_LOAD16 | V86_FL_AC | V86_FL_ID)

/* What a result names (vm->ev): the results below say which fields; the others are not written. */
struct v86_event {
    uint32_t lin;       /* V86_PAGE: the linear address that cannot be accessed */
    uint8_t write;      /* V86_PAGE: 1 if the access is a write */
    uint8_t vector;     /* V86_INT, V86_FAULT: the interrupt or exception */
    uint8_t trap;       /* V86_FAULT: 1 for the single-step trap (vector 1, after the
                           instruction), 0 for a fault (IP at the instruction) */
    uint8_t length;     /* V86_BREAK: the ARPL's length in bytes */
};

/* I/O types passed to the callback: the Windows 95 DDK's (VMM.H) bits. */
#define V86_IO_BYTE_IN      0x000u      /* Byte_Input */
#define V86_IO_BYTE_OUT     0x004u      /* Byte_Output */
#define V86_IO_WORD_IN      0x008u      /* Word_Input */
#define V86_IO_WORD_OUT     0x00Cu      /* Word_Output */
#define V86_IO_DWORD_IN     0x010u      /* Dword_Input */
#define V86_IO_DWORD_OUT    0x014u      /* Dword_Output */
#define V86_IO_OUTPUT       0x004u      /* Output */
#define V86_IO_TYPE_MASK    0x01Cu      /* the element's size and direction: what to do */
#define V86_IO_STRING       0x020u      /* String_IO   } information only: the monitor makes */
#define V86_IO_REP          0x040u      /* Rep_IO      } one call an element of INS/OUTS and */
#define V86_IO_ADDR32       0x080u      /* Addr_32_IO  } does the memory side itself */
#define V86_IO_REVERSE      0x100u      /* Reverse_IO  } (DF = 1) */

/* One access to `port` (0..FFFFh) by the VM whose registers are r; ctx is vm->io_ctx.
 * Output: *data holds the value (zero-extended).  Input: *data holds FFFFFFFFh (a floating bus)
 * on entry; store the value read.  Returns 0 when done, nonzero to refuse: the VM gets #GP
 * instead (nothing is changed).  r is as the instruction began, IP at it: a handler may read it
 * (the DDK's I/O handlers get the client registers) but must not change CS:IP or, for IN, EAX:
 * the monitor advances IP and stores AL/AX/EAX after the call. */
typedef int (*v86_io_fn)(void *ctx, struct client_regs *r, unsigned port, unsigned type,
                         uint32_t *data);

/* One VM as the monitor sees it: set up by the VMM (v86/space.c), read by every call. */
struct v86_vm {
    uint8_t *mem;               /* linear 0 of the V86 space as the monitor reads and writes it
                                   (the VMM: the VM's pages mapped at 0; tests: V86_SPACE bytes) */
    const uint8_t *present;     /* V86_PAGES bytes, one a 4 KB page: nonzero, it may be read */
    const uint8_t *writable;    /* V86_PAGES bytes: nonzero, the page may be written */
    const uint32_t *hooked;     /* 256 bits, vector n at bit n % 32 of word n / 32: set, INT n
                                   has Hook_V86_Int_Chain hooks (V86_INT: the VMM offers it to
                                   them first); clear, the monitor reflects INT n through the
                                   IVT itself.  Required (all ones: every vector hooked) */
    v86_io_fn io;               /* the VM's trapped ports, one call an access; required (one
                                   that returns nonzero refuses every access: #GP) */
    void *io_ctx;               /* io's first argument */
    uint32_t vif;               /* V86_FL_IF when the VM's virtual IF is set, else 0 */
    struct v86_event ev;        /* written by v86_emulate and v86_reflect: what their result
                                   names (below), the other fields untouched */
};

/* The two entry points take their arguments in registers on i386 (regparm: EAX EDX ECX), the
 * trap path's cost; the prototypes carry it, so callers need nothing, and other targets keep
 * their ABI. */
#ifdef __i386__
#define V86_REGPARM __attribute__((regparm(3)))
#else
#define V86_REGPARM
#endif

/* What v86_emulate and v86_reflect return (ev: vm->ev). */
enum {
    V86_DONE,       /* emulated, r updated (IP past it, or at it for a REP with elements left;
                       for INT n, INT3, INTO with OF whose vector is not hooked: reflected
                       through the IVT, CS:IP the handler's): resume the VM (after delivering
                       a virtual interrupt that became due; after an STI a CPU would wait one
                       instruction: STI; HLT) */
    V86_INT,        /* INT n, INT3, INTO with OF, n hooked (vm->hooked bit n set, or hooked
                       NULL): IP past it; ev.vector = n.  Offer n to the hook chains; if none
                       takes it, v86_reflect(n) (no single-step trap follows an INT: the
                       reflection clears TF, its frame keeps it) */
    V86_FAULT,      /* raise ev.vector in the VM as a real-mode CPU would: 6 #UD (LOCK),
                       12 #SS (stack word across offset FFFFh), 13 #GP (IRETD to EIP > FFFFh,
                       string offset past FFFFh, > 15 bytes, instruction across the end of CS,
                       EIP above FFFFh: the CPU ran off the end of CS, I/O refused by the
                       callback); or, ev.trap set, 1: the single-step trap after an
                       instruction emulated with TF set (IP past it).  Offer it to
                       Hook_V86_Fault; if none takes it, v86_reflect(ev.vector).
                       Also 8, from v86_reflect or an INT the monitor reflects: no room for the
                       frame (SP odd and below 6), nothing changed: a CPU shuts down, the
                       caller ends the VM */
    V86_PAGE,       /* the byte at ev.lin is in a page not present (ev.write 0) or not
                       writable (ev.write 1); nothing changed (for an INT being reflected: IP
                       still at it): map it and call again */
    V86_HLT,        /* HLT: IP past it.  Block the VM if vif is set; a hung VM if not (TF
                       is the caller's too: the trap, if any, when the VM wakes) */
    V86_BREAK,      /* ARPL at CS:IP (a break point), ev.length bytes; nothing changed */
    V86_OTHER,      /* not an instruction the monitor emulates: a genuine fault */
};

/* Emulates the instruction at CS:IP: see the results above, and vm->ev for what they name; I/O
 * goes to vm->io.  An INT n (INT3, INTO with OF) whose vector is not hooked is delivered here,
 * exactly as v86_reflect would (the same checks and results: V86_PAGE for the IVT entry or the
 * stack, V86_FAULT 8, nothing changed on either, IP included): the common INT costs one call and
 * no hook chain; a hooked one returns V86_INT. */
V86_REGPARM int v86_emulate(struct v86_vm *vm, struct client_regs *r);

/* Delivers interrupt n (0..255) as a real-mode CPU does: pushes FLAGS (the VM's view), CS and
 * IP on SS:SP, clears vif, TF, AC (and RF), then loads CS:IP from the IVT at n * 4.  Returns
 * V86_DONE; V86_PAGE (nothing changed) when the IVT entry is not present or the stack not
 * writable; V86_FAULT (vm->ev.vector 8) when the frame would cross offset FFFFh of SS (SP odd
 * and below 6): a real CPU shuts down there, so the caller ends the VM. */
V86_REGPARM int v86_reflect(struct v86_vm *vm, struct client_regs *r, unsigned n);

/* ---- helpers for the VMM's services on a VM's state (Simulate_Push, Simulate_Iret ...) ---- */

static inline uint32_t v86_seg_base(uint32_t sreg) { return (sreg & 0xFFFFu) << 4; }

/* Whether the page of lin (< V86_SPACE) is marked in map (vm->present or vm->writable). */
static inline int v86_page_ok(const uint8_t *map, uint32_t lin) { return map[lin >> 12] != 0; }

/* Whether interrupt n goes to the VMM's hook chains first (struct v86_vm.hooked). */
static inline int v86_hooked(const struct v86_vm *vm, unsigned n)
{
    return vm->hooked[(n & 0xFFu) >> 5] >> (n & 31) & 1;
}

/* Little-endian loads and stores of 1, 2 or 4 bytes at any alignment (no memcpy call: the
 * size is a constant wherever these are inlined, or one of three). */
static inline uint32_t v86_load(const uint8_t *p, unsigned size)
{
    uint16_t w;
    uint32_t d;
    if (size == 4)
        return __builtin_memcpy(&d, p, 4), d;
    if (size == 2)
        return __builtin_memcpy(&w, p, 2), w;
    return *p;
}
static inline void v86_store(uint8_t *p, uint32_t v, unsigned size)
{
    uint16_t w = (uint16_t)v;
    if (size == 4)
        __builtin_memcpy(p, &v, 4);
    else if (size == 2)
        __builtin_memcpy(p, &w, 2);
    else
        *p = (uint8_t)v;
}

/* 0 if the len bytes (len <= 4096) at lin can be read (write 0) or written (write 1); else
 * V86_PAGE with ev->lin the first byte that cannot. */
static inline int v86_access(const struct v86_vm *vm, uint32_t lin, unsigned len, int write,
                             struct v86_event *ev)
{
    const uint8_t *map = write ? vm->writable : vm->present;
    uint32_t last = lin + len - 1;
    if (!v86_page_ok(map, lin))
        ev->lin = lin;
    else if ((lin & 0xFFFu) + len > 0x1000u && !v86_page_ok(map, last))
        ev->lin = last & ~0xFFFu;
    else
        return 0;
    ev->write = (uint8_t)write;
    return V86_PAGE;
}

/* FLAGS as the VM sees them (PUSHF, interrupt frames): IF = vif, IOPL = 3, VM RF VIF VIP 0. */
static inline uint32_t v86_flags_view(const struct v86_vm *vm, uint32_t eflags)
{
    return (eflags & ~(V86_FL_IF | V86_FL_VM | V86_FL_RF | V86_FL_VIF | V86_FL_VIP)) |
           V86_FL_IOPL | vm->vif;
}

/* POPF / IRET (is32 0) and POPFD / IRETD (is32 1): the ordinary flags and vif from value. */
static inline void v86_flags_load(struct v86_vm *vm, struct client_regs *r, uint32_t value,
                                  int is32)
{
    uint32_t m = is32 ? V86_FL_LOAD32 : V86_FL_LOAD16;
    r->eflags = (r->eflags & ~m) | (value & m);
    vm->vif = value & V86_FL_IF;
}

/* Pushes size (2 or 4) bytes on SS:SP, SP wrapping at 64 KB (the upper half of ESP is kept).
 * V86_DONE; V86_FAULT #SS (12) if the slot would cross offset FFFFh; V86_PAGE; nothing
 * changed but on V86_DONE. */
static inline int v86_push(struct v86_vm *vm, struct client_regs *r, uint32_t v, unsigned size,
                           struct v86_event *ev)
{
    uint32_t sp = (r->esp - size) & 0xFFFFu, lin = v86_seg_base(r->ss) + sp;
    if (sp > 0x10000u - size) {
        ev->vector = 12;
        ev->trap = 0;
        return V86_FAULT;
    }
    if (v86_access(vm, lin, size, 1, ev))
        return V86_PAGE;
    v86_store(vm->mem + lin, v, size);
    r->esp = (r->esp & 0xFFFF0000u) | sp;
    return V86_DONE;
}

/* Pops size (2 or 4) bytes from SS:SP into *v (zero-extended); results as v86_push. */
static inline int v86_pop(struct v86_vm *vm, struct client_regs *r, uint32_t *v, unsigned size,
                          struct v86_event *ev)
{
    uint32_t sp = r->esp & 0xFFFFu, lin = v86_seg_base(r->ss) + sp;
    if (sp > 0x10000u - size) {
        ev->vector = 12;
        ev->trap = 0;
        return V86_FAULT;
    }
    if (v86_access(vm, lin, size, 0, ev))
        return V86_PAGE;
    *v = v86_load(vm->mem + lin, size);
    r->esp = (r->esp & 0xFFFF0000u) | ((sp + size) & 0xFFFFu);
    return V86_DONE;
}

static inline int v86_push16(struct v86_vm *vm, struct client_regs *r, uint16_t v,
                             struct v86_event *ev) { return v86_push(vm, r, v, 2, ev); }
static inline int v86_push32(struct v86_vm *vm, struct client_regs *r, uint32_t v,
                             struct v86_event *ev) { return v86_push(vm, r, v, 4, ev); }
static inline int v86_pop16(struct v86_vm *vm, struct client_regs *r, uint16_t *v,
                            struct v86_event *ev)
{
    uint32_t x;
    int rc = v86_pop(vm, r, &x, 2, ev);
    if (rc == V86_DONE)
        *v = (uint16_t)x;
    return rc;
}
static inline int v86_pop32(struct v86_vm *vm, struct client_regs *r, uint32_t *v,
                            struct v86_event *ev) { return v86_pop(vm, r, v, 4, ev); }

#endif
