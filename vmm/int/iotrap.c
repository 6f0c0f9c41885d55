/* I/O trap table: see iotrap.h.
 *
 * Invariant of linear probing: an entry for port p sits at home(p) or after it, and every slot
 * from home(p) up to the entry's is occupied.  A lookup therefore stops at the first empty slot.
 * Removal keeps the invariant by backward shift: after emptying slot i, each following entry j
 * (up to the next empty slot) whose home is not cyclically in (i, j] is moved into the hole,
 * which moves on to j.  Ports are spread by Fibonacci hashing, so runs of adjacent ports (a COM
 * port's eight, the DMA controller's sixteen) do not make one long cluster.
 */
#pragma GCC optimize("omit-frame-pointer")   /* on the V86 trap path; see mem/heap.c */
#include "int/iotrap.h"

#define MASK IOTRAP_MASK
#define home iotrap_home
#define probe iotrap_probe

#define FNP(fn) ((void *)(uintptr_t)(fn))   /* a function pointer for %p */

void iotrap_init(struct iotrap_table *t)
{
    for (unsigned i = 0; i < IOTRAP_SLOTS; i++)
        t->slot[i] = (struct iotrap_slot){ 0, 0 };
    t->count = 0;
}

int iotrap_install(struct iotrap_table *t, unsigned port, io_handler h, struct kerr *e)
{
    if (port > IOTRAP_MAX_PORT)
        return kerr_set(e, "iotrap: port 0x%x out of range (0..0x%x)", port, IOTRAP_MAX_PORT);
    if (!h)
        return kerr_set(e, "iotrap: port 0x%x: NULL handler", port);
    unsigned i = probe(t, port);
    if (t->slot[i].h)
        return kerr_set(e, "iotrap: port 0x%x: already trapped (handler %p)", port,
                        FNP(t->slot[i].h));
    if (t->count >= IOTRAP_MAX)
        return kerr_set(e, "iotrap: port 0x%x: table full (%u ports)", port, IOTRAP_MAX);
    t->slot[i] = (struct iotrap_slot){ h, port };
    t->count++;
    return 0;
}

int iotrap_remove(struct iotrap_table *t, unsigned port, struct kerr *e)
{
    if (port > IOTRAP_MAX_PORT)
        return kerr_set(e, "iotrap: port 0x%x out of range (0..0x%x)", port, IOTRAP_MAX_PORT);
    unsigned i = probe(t, port);
    if (!t->slot[i].h)
        return kerr_set(e, "iotrap: port 0x%x: not trapped", port);
    for (unsigned j = (i + 1) & MASK; t->slot[j].h; j = (j + 1) & MASK) {
        unsigned k = home(t->slot[j].port);
        int stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (!stays) {
            t->slot[i] = t->slot[j];
            i = j;
        }
    }
    t->slot[i] = (struct iotrap_slot){ 0, 0 };
    t->count--;
    return 0;
}

unsigned iotrap_count(const struct iotrap_table *t) { return t->count; }

int iotrap_check(const struct iotrap_table *t, struct kerr *e)
{
    unsigned n = 0;
    if (t->count > IOTRAP_MAX)
        return kerr_set(e, "iotrap: count %u above %u", t->count, IOTRAP_MAX);
    for (unsigned j = 0; j < IOTRAP_SLOTS; j++) {
        const struct iotrap_slot *s = &t->slot[j];
        if (!s->h) {
            if (s->port)
                return kerr_set(e, "iotrap: empty slot %u holds port 0x%x", j, s->port);
            continue;
        }
        if (s->port > IOTRAP_MAX_PORT)
            return kerr_set(e, "iotrap: slot %u: port 0x%x out of range", j, s->port);
        /* From home to j: all occupied (else a lookup stops short), none with the same port
         * (else it is there twice and a lookup finds the other). */
        for (unsigned i = home(s->port); i != j; i = (i + 1) & MASK) {
            if (!t->slot[i].h)
                return kerr_set(e, "iotrap: port 0x%x in slot %u is unreachable: slot %u on the "
                                "way from its home %u is empty", s->port, j, i, home(s->port));
            if (t->slot[i].port == s->port)
                return kerr_set(e, "iotrap: port 0x%x in slots %u and %u", s->port, i, j);
        }
        n++;
    }
    if (n != t->count)
        return kerr_set(e, "iotrap: %u ports in the table, count says %u", n, t->count);
    return 0;
}
