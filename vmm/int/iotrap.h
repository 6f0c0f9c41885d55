/*
 * I/O trap table (the DDK's Install_IO_Handler / Remove_IO_Handler): which handler owns each
 * trapped I/O port, one handler per port, at most IOTRAP_MAX ports.  Portable: the caller provides
 * the table (static storage; no allocation); the I/O permission bitmap that makes the CPU trap a
 * port is the caller's business, not this table's.
 *
 * Who may call: install and remove from VMM code with interrupts off (not reentrant); lookup and
 * the queries from interrupt context (the trap path), never concurrently with install or remove.
 *
 * An open-addressing hash of 2 * IOTRAP_MAX slots, linear probing, so the load stays at most 1/2
 * and a lookup reads one or two slots; removal shifts the entries that follow back (no tombstones),
 * so lookups stay short and correct however many installs and removals have happened.
 */
#ifndef INT_IOTRAP_H
#define INT_IOTRAP_H
#include <stdint.h>
#include "lib/kfmt.h"

#define IOTRAP_MAX      256u
#define IOTRAP_SLOTS    (2 * IOTRAP_MAX)    /* a power of two */
#define IOTRAP_MAX_PORT 0xFFFFu

_Static_assert((IOTRAP_SLOTS & (IOTRAP_SLOTS - 1)) == 0, "IOTRAP_SLOTS must be a power of two");

/* A port's handler, as include/vmm/int.h's io_trap_handler: the VM, the DDK's I/O type bits
 * (byte/word/dword, in/out, string, rep ...), the port, the data written; it returns the data
 * read.  The table only keeps it. */
struct client_regs;
typedef uint32_t (*io_handler)(uint32_t vm, uint32_t type, uint32_t port, uint32_t data,
                               struct client_regs *r);

struct iotrap_slot {
    io_handler h;                       /* NULL: empty slot */
    uint32_t port;
};

struct iotrap_table {
    struct iotrap_slot slot[IOTRAP_SLOTS];
    uint32_t count;                     /* ports trapped */
};

void iotrap_init(struct iotrap_table *t);
/* Refuses a port above 0xFFFF, a NULL handler, a port already trapped, a full table. */
int iotrap_install(struct iotrap_table *t, unsigned port, io_handler h, struct kerr *e);
/* Refuses a port not trapped. */
int iotrap_remove(struct iotrap_table *t, unsigned port, struct kerr *e);
#define IOTRAP_MASK (IOTRAP_SLOTS - 1)
static inline unsigned iotrap_home(unsigned port)
{
    return (port * 0x9E3779B1u) >> (32 - __builtin_ctz(IOTRAP_SLOTS));
}
/* The slot holding port, or the first empty slot of its probe sequence. */
static inline unsigned iotrap_probe(const struct iotrap_table *t, unsigned port)
{
    unsigned i = iotrap_home(port);
    while (t->slot[i].h && t->slot[i].port != port)
        i = (i + 1) & IOTRAP_MASK;
    return i;
}
/* NULL: not trapped.  Inline: it is on the path of every trapped port access. */
static inline io_handler iotrap_lookup(const struct iotrap_table *t, unsigned port)
{
    return port > IOTRAP_MAX_PORT ? 0 : t->slot[iotrap_probe(t, port)].h;
}
unsigned iotrap_count(const struct iotrap_table *t);
/* Every entry reachable from its home slot without crossing an empty slot, no port twice, ports
 * in range, the count right. */
int iotrap_check(const struct iotrap_table *t, struct kerr *e);

#endif
