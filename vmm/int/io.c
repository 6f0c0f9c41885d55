/*
 * I/O traps: the DDK's Install_IO_Handler and friends (include/vmm/int.h) over the portable
 * trap table (int/iotrap.c) and the TSS's I/O permission bitmap (x86/trap.h: tss_iomap), where
 * every port traps unless a VxD that handles it lets it through.  The bitmap holds the current
 * VM's view: the global state, plus the current VM's own overrides (Enable/Disable_Local_
 * Trapping, applied by the V86 layer on a VM switch through io_bit).
 */
#pragma GCC optimize("omit-frame-pointer")   /* on the V86 trap path; see mem/heap.c */
#include "int/int.h"
#include "int/fault.h"
#include "int/iotrap.h"
#include "console/console.h"
#include "x86/trap.h"
#include "x86/x86.h"
#include "vmm.h"

static struct iotrap_table iotraps;
static uint8_t global_open[IOMAP_PORTS / 8];    /* bit p: port p does not trap in every VM */
static uint8_t reported[IOMAP_PORTS / 8];       /* bit p: an unhandled access to p was named */
static unsigned nreported;

void io_init(void) { iotrap_init(&iotraps); }

void io_bit(unsigned port, int trap)
{
    if (trap)
        tss_iomap[port >> 3] |= (uint8_t)(1u << (port & 7));
    else
        tss_iomap[port >> 3] &= (uint8_t)~(1u << (port & 7));
}

int io_global_traps(unsigned port) { return !(global_open[port >> 3] >> (port & 7) & 1); }

int io_handled(unsigned port) { return iotrap_lookup(&iotraps, port) != 0; }

uint32_t Install_IO_Handler(unsigned port, io_trap_handler h)
{
    struct kerr e;
    int r;
    {
        INTS_OFF();
        r = iotrap_install(&iotraps, port, h, &e);
    }
    return r ? refused("Install_IO_Handler", CALLER, "%s", e.msg) : 1;
}

const struct io_local_ops *io_local;

/* The global state of port; the bitmap follows it unless the current VM has its own setting. */
static void global(unsigned port, int trap)
{
    if (trap)
        global_open[port >> 3] &= (uint8_t)~(1u << (port & 7));
    else
        global_open[port >> 3] |= (uint8_t)(1u << (port & 7));
    int own = io_local ? io_local->own(port) : -1;
    io_bit(port, own < 0 ? trap : own);
}

/* port has no handler any more: it traps in every VM, never to hardware. */
static void unhandle(unsigned port)
{
    if (io_local)
        io_local->forget(port);
    global(port, 1);
}

uint32_t Remove_IO_Handler(unsigned port)
{
    struct kerr e;
    int r;
    {
        INTS_OFF();
        r = iotrap_remove(&iotraps, port, &e);
        if (!r)
            unhandle(port);
    }
    return r ? refused("Remove_IO_Handler", CALLER, "%s", e.msg) : 1;
}

uint32_t Install_Mult_IO_Handlers(const struct VxD_IO_Struc *t, uint32_t n, uint32_t *failed)
{
    for (uint32_t i = 0; t && i < n; i++)
        if (!Install_IO_Handler(t[i].VxD_IO_Port, t[i].VxD_IO_Proc)) {
            if (failed)
                *failed = t[i].VxD_IO_Port;
            return 0;
        }
    return t != 0;
}

static uint32_t trapping(const char *svc, uint32_t caller, unsigned port, int trap)
{
    INTS_OFF();
    if (!io_handled(port))
        return refused(svc, caller, "port %04x has no I/O handler", port);
    global(port, trap);
    return 1;
}

uint32_t Enable_Global_Trapping(unsigned port)
{
    return trapping("Enable_Global_Trapping", CALLER, port, 1);
}

uint32_t Disable_Global_Trapping(unsigned port)
{
    return trapping("Disable_Global_Trapping", CALLER, port, 0);
}

/* What an access reads when nothing answers: all ones, as an empty ISA bus (0 for an output). */
static uint32_t floating(uint32_t type)
{
    return type & Output ? 0 : type & Dword_IO ? 0xFFFFFFFFu : type & Word_IO ? 0xFFFFu : 0xFFu;
}

/* The access nobody handles: all ones in, nothing out; each port named once (64 at most). */
static uint32_t unhandled(uint32_t type, uint32_t port)
{
    if (!(reported[port >> 3] >> (port & 7) & 1) && nreported < 64) {
        reported[port >> 3] |= (uint8_t)(1u << (port & 7));
        nreported++;
        kprintf("io: V86 %s port %04x: no I/O handler (%s)\n", type & Output ? "output to"
                : "input from", port, type & Output ? "dropped" : "reads as all ones");
    }
    return floating(type);
}

/* One trapped access of V86 code (the monitor's element: type's size and direction, with the
 * String/Rep/Addr32/Reverse bits as information): its handler, or the default (all ones in,
 * nothing out).  The data read, for an input. */
static inline uint32_t io_dispatch(uint32_t vm, uint32_t type, uint32_t port, uint32_t data,
                                   struct client_regs *r)
{
    io_trap_handler h = iotrap_lookup(&iotraps, port & 0xFFFFu);
    uint32_t v;
    if (!h)
        return unhandled(type, port);
    switch (foreign_call((void *)h, &v, "I/O-trap handler", vm, type, port, data, (uint32_t)r)) {
    case FOREIGN_DIRECT:
        return h(vm, type, port, data, r);
    case FOREIGN_DONE:
        return v;
    default:                                    /* it failed half-way: as if nobody were there */
        return floating(type);
    }
}

int io_v86_access(void *vm, struct client_regs *r, unsigned port, unsigned type, uint32_t *data)
{
    uint32_t v = io_dispatch((uint32_t)vm, type, port, *data, r);
    if (!(type & Output))
        *data = v;
    return 0;
}

/* A handler that takes bytes only gives anything else here: byte accesses to port, port+1 ...
 * through their handlers.  One that passes even a byte on gets the default (no loop). */
uint32_t Simulate_IO(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                     struct client_regs *r)
{
    static unsigned depth;
    unsigned n = type & Dword_IO ? 4 : type & Word_IO ? 2 : 1, out = type & Output;
    uint32_t v = 0;
    if (n == 1 && !(type & ~(Output | 0xFFFF0000u)))
        return unhandled(type, port);           /* a byte: nothing smaller to make of it */
    if (depth > 4)
        return unhandled(type, port);
    depth++;
    for (unsigned i = 0; i < n; i++) {
        uint32_t b = io_dispatch(vm, out ? Byte_Output : Byte_Input, (port + i) & 0xFFFFu,
                                 (data >> (8 * i)) & 0xFF, r);
        v |= (b & 0xFF) << (8 * i);
    }
    depth--;
    return out ? 0 : v;
}

unsigned io_purge(uint32_t lo, uint32_t hi)
{
    unsigned n = 0;
    for (unsigned i = 0; i < IOTRAP_SLOTS; i++) {
        struct kerr e;
        struct iotrap_slot *s = &iotraps.slot[i];
        uint32_t port = s->port;
        if (s->h && (uint32_t)s->h - lo < hi - lo && iotrap_remove(&iotraps, port, &e) == 0) {
            unhandle(port);
            n++;
            i--;                        /* the removal may have moved an entry into slot i */
        }
    }
    return n;
}
