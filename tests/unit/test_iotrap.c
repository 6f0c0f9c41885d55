/*
 * Host tests for vmm/int/iotrap.c: the I/O trap table (Install_IO_Handler / Remove_IO_Handler).
 *
 * The table is an exact-size heap block filled with junk before iotrap_init, so AddressSanitizer
 * reports any access outside it and init cannot rely on zeroed memory.  Lookups are checked
 * against a model (one handler per port, 65536 of them).  Removal in an open-addressing table is
 * where such tables go wrong, so a white-box helper replicates the hash iotrap.c documents
 * (Fibonacci hashing into 512 slots: home = port * 0x9E3779B1 >> 23) to build ports that collide,
 * in clusters that wrap around the end of the slot array, and removes them in every order.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "int/iotrap.h"
#include "testlib.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- handlers -------------------------------------------------------------------------------- */

struct io_call { unsigned port, type; int which; };

static struct io_call last_call;
static uint32_t io_any(int which, uint32_t port, uint32_t type)
{
    last_call = (struct io_call){ port, type, which };
    return (uint32_t)which;
}
#define IO_H(n)                                                                            \
    static uint32_t io##n(uint32_t vm, uint32_t type, uint32_t port, uint32_t data,         \
                          struct client_regs *r)                                           \
    {                                                                                      \
        (void)vm, (void)data, (void)r;                                                     \
        return io_any(n, port, type);                                                      \
    }
IO_H(0)
IO_H(1)
IO_H(2)
IO_H(3)
static const io_handler hs[4] = { io0, io1, io2, io3 };

/* ---- helpers --------------------------------------------------------------------------------- */

static unsigned home(unsigned port) { return (port * 0x9E3779B1u) >> 23; }

static struct iotrap_table *new_table(void)
{
    struct iotrap_table *t = malloc(sizeof *t);
    cr_assert_not_null(t);
    memset(t, 0x5A, sizeof *t);
    iotrap_init(t);
    return t;
}

static void check_ok(const struct iotrap_table *t)
{
    struct kerr e;
    strcpy(e.msg, "(none)");
    cr_assert_eq(iotrap_check(t, &e), 0, "iotrap_check: %s", e.msg);
}

static void expect_err(int rc, const struct kerr *e, const char *what)
{
    cr_assert_lt(rc, 0, "expected a refusal containing \"%s\", got %d", what, rc);
    cr_assert_gt(strlen(e->msg), 0, "refusal without a message");
    cr_assert(strstr(e->msg, what), "message \"%s\" lacks \"%s\"", e->msg, what);
}

static void install_ok(struct iotrap_table *t, unsigned port, io_handler h)
{
    struct kerr e;
    strcpy(e.msg, "(none)");
    cr_assert_eq(iotrap_install(t, port, h, &e), 0, "install port 0x%x: %s", port, e.msg);
}

static void remove_ok(struct iotrap_table *t, unsigned port)
{
    struct kerr e;
    strcpy(e.msg, "(none)");
    cr_assert_eq(iotrap_remove(t, port, &e), 0, "remove port 0x%x: %s", port, e.msg);
}

/* Every one of the 65536 ports looks up as the model says; ports above 0xFFFF are never
 * trapped. */
static void expect_all(const struct iotrap_table *t, const io_handler *model, const char *when)
{
    unsigned n = 0;
    for (unsigned p = 0; p <= 0xFFFF; p++) {
        io_handler h = iotrap_lookup(t, p);
        if (h != model[p])
            cr_assert_fail("%s: port 0x%x looks up %s, model %s", when, p,
                           h ? "a handler" : "NULL", model[p] ? "a handler" : "NULL");
        n += h != NULL;
    }
    cr_assert_eq(iotrap_count(t), n, "%s: count %u, %u ports trapped", when, iotrap_count(t), n);
    cr_assert_null(iotrap_lookup(t, 0x10000));
    cr_assert_null(iotrap_lookup(t, UINT_MAX));
}

/* n distinct ports whose home slot is h, the smallest first, from start upward. */
static void colliding(unsigned h, unsigned start, unsigned *ports, unsigned n)
{
    unsigned k = 0;
    for (unsigned p = start; p <= 0xFFFF && k < n; p++)
        if (home(p) == h)
            ports[k++] = p;
    cr_assert_eq(k, n, "only %u ports with home %u", k, h);
}

/* ---- basics ---------------------------------------------------------------------------------- */

/* A fresh table traps nothing; the check passes. */
Test(iotrap, init_is_empty)
{
    struct iotrap_table *t = new_table();
    io_handler *model = calloc(0x10000, sizeof *model);
    cr_assert_eq(iotrap_count(t), 0);
    expect_all(t, model, "init");
    check_ok(t);
    free(model);
    free(t);
}

/* Installed ports (the ends 0 and 0xFFFF, a COM port's eight, the keyboard's two) look up as
 * their handlers, and their neighbours do not; the handler gets port and type unchanged. */
Test(iotrap, install_and_lookup)
{
    struct iotrap_table *t = new_table();
    io_handler *model = calloc(0x10000, sizeof *model);
    const unsigned ports[] = { 0, 0xFFFF, 0x60, 0x64, 0x3F8, 0x3F9, 0x3FA, 0x3FB, 0x3FC, 0x3FD,
                               0x3FE, 0x3FF, 0x1F0, 0xCF8 };
    for (unsigned i = 0; i < NELEM(ports); i++) {
        install_ok(t, ports[i], hs[i % 4]);
        model[ports[i]] = hs[i % 4];
        check_ok(t);
    }
    cr_assert_eq(iotrap_count(t), NELEM(ports));
    expect_all(t, model, "installed");
    for (unsigned i = 0; i < NELEM(ports); i++) {
        last_call = (struct io_call){ 0, 0, -1 };
        io_handler h = iotrap_lookup(t, ports[i]);
        cr_assert_not_null(h);
        cr_assert_eq(h(0, 0x1C + i, ports[i], 0, NULL), i % 4);
        struct io_call c = last_call;
        cr_assert(c.port == ports[i] && c.type == 0x1C + i && c.which == (int)(i % 4));
    }
    free(model);
    free(t);
}

/* Out of range, NULL handler, a port already trapped (with the same or another handler):
 * refused with a message naming the port, the table unchanged. */
Test(iotrap, install_refusals)
{
    struct iotrap_table *t = new_table();
    install_ok(t, 0x3F8, io0);
    install_ok(t, 0x60, io1);
    struct iotrap_table *snap = malloc(sizeof *snap);
    memcpy(snap, t, sizeof *t);
    struct kerr e;

    strcpy(e.msg, "");
    expect_err(iotrap_install(t, 0x10000, io0, &e), &e, "iotrap: port 0x10000 out of range");
    strcpy(e.msg, "");
    expect_err(iotrap_install(t, UINT_MAX, io0, &e), &e, "out of range");
    strcpy(e.msg, "");
    expect_err(iotrap_install(t, 0x61, NULL, &e), &e, "port 0x61: NULL handler");
    strcpy(e.msg, "");
    expect_err(iotrap_install(t, 0x3F8, io2, &e), &e, "port 0x3f8: already trapped");
    strcpy(e.msg, "");
    expect_err(iotrap_install(t, 0x60, io1, &e), &e, "port 0x60: already trapped");
    cr_assert_eq(iotrap_install(t, 0x60, io1, NULL), -1, "refusal with e == NULL");
    cr_assert_eq(memcmp(snap, t, sizeof *t), 0, "a refused install changed the table");
    cr_assert_eq(iotrap_lookup(t, 0x3F8), io0);
    cr_assert_eq(iotrap_count(t), 2);
    check_ok(t);
    free(snap);
    free(t);
}

/* A port not trapped, out of range, or removed already: refused, the table unchanged. */
Test(iotrap, remove_refusals)
{
    struct iotrap_table *t = new_table();
    install_ok(t, 0x3F8, io0);
    struct iotrap_table *snap = malloc(sizeof *snap);
    memcpy(snap, t, sizeof *t);
    struct kerr e;

    strcpy(e.msg, "");
    expect_err(iotrap_remove(t, 0x3F9, &e), &e, "iotrap: port 0x3f9: not trapped");
    strcpy(e.msg, "");
    expect_err(iotrap_remove(t, 0x103F8, &e), &e, "port 0x103f8 out of range");
    strcpy(e.msg, "");
    expect_err(iotrap_remove(t, UINT_MAX, &e), &e, "out of range");
    cr_assert_eq(memcmp(snap, t, sizeof *t), 0, "a refused remove changed the table");
    remove_ok(t, 0x3F8);
    strcpy(e.msg, "");
    expect_err(iotrap_remove(t, 0x3F8, &e), &e, "not trapped");
    cr_assert_null(iotrap_lookup(t, 0x3F8));
    cr_assert_eq(iotrap_count(t), 0);
    check_ok(t);
    free(snap);
    free(t);
}

/* 256 ports fill the table; the 257th is refused ("table full"), changing nothing, while an
 * already trapped port is still refused as such; one removal makes room for exactly one. */
Test(iotrap, full_table_refused)
{
    struct iotrap_table *t = new_table();
    io_handler *model = calloc(0x10000, sizeof *model);
    for (unsigned i = 0; i < IOTRAP_MAX; i++) {
        unsigned p = (i * 0x101u + 7) & 0xFFFF;
        install_ok(t, p, hs[i % 4]);
        model[p] = hs[i % 4];
    }
    cr_assert_eq(iotrap_count(t), IOTRAP_MAX);
    check_ok(t);
    struct iotrap_table *snap = malloc(sizeof *snap);
    memcpy(snap, t, sizeof *t);
    struct kerr e;
    strcpy(e.msg, "");
    expect_err(iotrap_install(t, 0x3F8, io0, &e), &e, "port 0x3f8: table full (256 ports)");
    strcpy(e.msg, "");
    expect_err(iotrap_install(t, 7, io0, &e), &e, "already trapped");
    cr_assert_eq(memcmp(snap, t, sizeof *t), 0, "a refused install changed the table");
    expect_all(t, model, "full");

    remove_ok(t, 0x101 * 10 + 7);
    model[0x101 * 10 + 7] = NULL;
    install_ok(t, 0x3F8, io3);
    model[0x3F8] = io3;
    strcpy(e.msg, "");
    expect_err(iotrap_install(t, 0x3F9, io0, &e), &e, "table full");
    expect_all(t, model, "full again");
    check_ok(t);
    free(snap);
    free(model);
    free(t);
}

/* Ports 0..255 (adjacent, as ISA devices are) fill the table and empty it again, in both
 * directions. */
Test(iotrap, adjacent_ports_fill_and_empty)
{
    struct iotrap_table *t = new_table();
    io_handler *model = calloc(0x10000, sizeof *model);
    for (int pass = 0; pass < 2; pass++) {
        for (unsigned p = 0; p < IOTRAP_MAX; p++) {
            install_ok(t, p, hs[p % 4]);
            model[p] = hs[p % 4];
        }
        check_ok(t);
        expect_all(t, model, "filled");
        for (unsigned i = 0; i < IOTRAP_MAX; i++) {
            unsigned p = pass ? IOTRAP_MAX - 1 - i : i;
            remove_ok(t, p);
            model[p] = NULL;
            check_ok(t);
            if (i % 64 == 0)
                expect_all(t, model, "emptying");
        }
        cr_assert_eq(iotrap_count(t), 0);
    }
    free(model);
    free(t);
}

/* ---- collisions and removal ------------------------------------------------------------------ */

/* White-box: the hash the test replicates is the table's: a port lands in its home slot when
 * that is free, and colliding ports take the slots after it, wrapping from 511 to 0. */
Test(iotrap, colliding_ports_probe_linearly)
{
    struct iotrap_table *t = new_table();
    unsigned p[3];
    colliding(IOTRAP_SLOTS - 1, 0, p, 3);
    for (unsigned i = 0; i < 3; i++)
        install_ok(t, p[i], hs[i]);
    cr_assert_eq(t->slot[IOTRAP_SLOTS - 1].port, p[0]);
    cr_assert_eq(t->slot[0].port, p[1]);
    cr_assert_eq(t->slot[1].port, p[2]);
    cr_assert_eq(t->slot[1].h, io2);
    check_ok(t);
    free(t);
}

static unsigned perm_ports[7];
static io_handler perm_h[7];

/* Installs the ports in the given order, removes them in order rm[], and checks every port of
 * the set after every removal. */
static void install_remove(const unsigned *ins, const unsigned *rm, unsigned n)
{
    struct iotrap_table *t = new_table();
    for (unsigned i = 0; i < n; i++)
        install_ok(t, perm_ports[ins[i]], perm_h[ins[i]]);
    check_ok(t);
    uint8_t gone[7] = { 0 };
    for (unsigned i = 0; i < n; i++) {
        remove_ok(t, perm_ports[rm[i]]);
        gone[rm[i]] = 1;
        check_ok(t);
        cr_assert_eq(iotrap_count(t), n - 1 - i);
        for (unsigned j = 0; j < n; j++)
            cr_assert_eq(iotrap_lookup(t, perm_ports[j]), gone[j] ? NULL : perm_h[j],
                         "port 0x%x after removing %u of %u", perm_ports[j], i + 1, n);
    }
    free(t);
}

static int next_perm(unsigned *a, unsigned n)
{
    int i = (int)n - 2;
    while (i >= 0 && a[i] >= a[i + 1])
        i--;
    if (i < 0)
        return 0;
    int j = (int)n - 1;
    while (a[j] <= a[i])
        j--;
    unsigned x = a[i]; a[i] = a[j]; a[j] = x;
    for (unsigned l = (unsigned)i + 1, r = n - 1; l < r; l++, r--) {
        x = a[l]; a[l] = a[r]; a[r] = x;
    }
    return 1;
}

/* A cluster that wraps around the end of the slots: three ports with home 510, two with home
 * 511, two with home 0 (slots 510, 511, 0, 1, 2, 3, 4).  Every removal order, for two insertion
 * orders, leaves every remaining port found and every removed one gone. */
Test(iotrap, wrapping_cluster_every_removal_order)
{
    colliding(IOTRAP_SLOTS - 2, 0, perm_ports, 3);
    colliding(IOTRAP_SLOTS - 1, 0, perm_ports + 3, 2);
    colliding(0, 1, perm_ports + 5, 2);
    for (unsigned i = 0; i < 7; i++)
        perm_h[i] = hs[i % 4];
    const unsigned ins[2][7] = { { 0, 1, 2, 3, 4, 5, 6 }, { 6, 5, 3, 0, 4, 1, 2 } };
    for (unsigned k = 0; k < 2; k++) {
        unsigned rm[7] = { 0, 1, 2, 3, 4, 5, 6 };
        unsigned perms = 0;
        do {
            install_remove(ins[k], rm, 7);
            perms++;
        } while (next_perm(rm, 7));
        cr_assert_eq(perms, 5040);
    }
}

/* A removal inside a long run of ports from many homes, and lookups of ports that probe
 * through the run without being in it. */
Test(iotrap, removal_inside_long_run)
{
    struct iotrap_table *t = new_table();
    io_handler *model = calloc(0x10000, sizeof *model);
    unsigned ps[40], n = 0;
    for (unsigned h = 100; h < 110; h++) {      /* four ports for each of ten adjacent homes */
        colliding(h, 0, ps + n, 4);
        n += 4;
    }
    for (unsigned i = 0; i < n; i++) {
        install_ok(t, ps[i], hs[i % 4]);
        model[ps[i]] = hs[i % 4];
    }
    check_ok(t);
    expect_all(t, model, "run built");
    uint64_t rng = 5;
    for (unsigned k = n; k > 0; k--) {
        unsigned i = (unsigned)(rng_next(&rng) % k);
        remove_ok(t, ps[i]);
        model[ps[i]] = NULL;
        ps[i] = ps[k - 1];
        check_ok(t);
        if (k % 8 == 0)
            expect_all(t, model, "run shrinking");
    }
    expect_all(t, model, "run gone");
    free(model);
    free(t);
}

/* ---- iotrap_check can fail ------------------------------------------------------------------- */

static void expect_check_fails(const struct iotrap_table *t, const char *what)
{
    struct kerr e;
    strcpy(e.msg, "");
    expect_err(iotrap_check(t, &e), &e, what);
}

/* A table with a three-port cluster at slots 20, 21, 22 (home 20). */
static struct iotrap_table *sample(unsigned *p)
{
    struct iotrap_table *t = new_table();
    colliding(20, 0, p, 3);
    for (unsigned i = 0; i < 3; i++)
        install_ok(t, p[i], hs[i]);
    cr_assert_eq(t->slot[22].port, p[2]);
    check_ok(t);
    return t;
}

Test(iotrap, check_detects_corruption)
{
    unsigned p[3];
    struct iotrap_table *t;

    t = sample(p);                              /* a hole in the cluster: the tail unreachable */
    t->slot[21] = (struct iotrap_slot){ 0, 0 };
    t->count--;
    expect_check_fails(t, "unreachable");
    free(t);

    t = sample(p);                              /* a port twice */
    t->slot[23] = t->slot[20];
    t->count++;
    expect_check_fails(t, "in slots 20 and 23");
    free(t);

    t = sample(p);                              /* the count */
    t->count = 2;
    expect_check_fails(t, "count says 2");
    free(t);

    t = sample(p);
    t->count = IOTRAP_MAX + 1;
    expect_check_fails(t, "above");
    free(t);

    t = sample(p);                              /* a port out of range */
    t->slot[300] = (struct iotrap_slot){ io0, 0x10000 };
    t->count++;
    expect_check_fails(t, "out of range");
    free(t);

    t = sample(p);                              /* an empty slot with a port */
    t->slot[300].port = 0x60;
    expect_check_fails(t, "empty slot 300");
    free(t);
}

/* ---- randomized against a model -------------------------------------------------------------- */

/* Ports from three pools: 0..0x3FF (dense, as ISA devices), ports whose homes are the eight
 * slots around the wrap (long clusters crossing slot 511 -> 0), and any port.  Phases of 1000
 * steps push towards a full table and back; after every step iotrap_check passes and the count,
 * the touched port and every trapped port agree with the model; every 500 steps all 65536 ports
 * are looked up. */
Test(iotrap, random_ops_match_model)
{
    enum { STEPS = 4000 };
    unsigned wrap[96];
    for (unsigned i = 0; i < 8; i++)
        colliding((IOTRAP_SLOTS - 4 + i) % IOTRAP_SLOTS, 0, wrap + i * 12, 12);
    for (uint64_t seed = 1; seed <= 3; seed++) {
        struct iotrap_table *t = new_table();
        io_handler *model = calloc(0x10000, sizeof *model);
        unsigned live[IOTRAP_MAX], n = 0;
        uint64_t rng = seed * 0xC2B2AE35;
        int full_seen = 0;
        for (int step = 0; step < STEPS; step++) {
            unsigned bias = (step / 1000) % 2 ? 25 : 90;
            uint64_t r = rng_next(&rng);
            unsigned pool = (unsigned)(r % 10);
            unsigned p = pool < 4 ? (unsigned)(r >> 8) % 0x400
                       : pool < 8 ? wrap[(r >> 8) % NELEM(wrap)]
                       : pool < 9 ? (unsigned)(r >> 8) & 0xFFFF
                                  : 0x10000 + (unsigned)(r >> 8) % 100;     /* out of range */
            struct kerr e;
            strcpy(e.msg, "");
            if (rng_next(&rng) % 100 < bias) {
                io_handler h = hs[rng_next(&rng) % 4];
                int rc = iotrap_install(t, p, h, &e);
                if (p > 0xFFFF)
                    expect_err(rc, &e, "out of range");
                else if (model[p])
                    expect_err(rc, &e, "already trapped");
                else if (n == IOTRAP_MAX)
                    expect_err(rc, &e, "table full");
                else {
                    cr_assert_eq(rc, 0, "seed %llu step %d: install 0x%x: %s",
                                 (unsigned long long)seed, step, p, e.msg);
                    model[p] = h;
                    live[n++] = p;
                }
            } else {
                if (n && rng_next(&rng) % 2)    /* half the removals hit a trapped port */
                    p = live[rng_next(&rng) % n];
                int rc = iotrap_remove(t, p, &e);
                if (p > 0xFFFF)
                    expect_err(rc, &e, "out of range");
                else if (!model[p])
                    expect_err(rc, &e, "not trapped");
                else {
                    cr_assert_eq(rc, 0, "seed %llu step %d: remove 0x%x: %s",
                                 (unsigned long long)seed, step, p, e.msg);
                    model[p] = NULL;
                    unsigned i = 0;
                    while (live[i] != p)
                        i++;
                    live[i] = live[--n];
                }
            }
            full_seen |= n == IOTRAP_MAX;
            strcpy(e.msg, "(none)");
            cr_assert_eq(iotrap_check(t, &e), 0, "seed %llu step %d: %s", (unsigned long long)seed,
                         step, e.msg);
            cr_assert_eq(iotrap_count(t), n);
            if (p <= 0xFFFF)
                cr_assert_eq(iotrap_lookup(t, p), model[p], "step %d: port 0x%x", step, p);
            for (unsigned i = 0; i < n; i++)
                cr_assert_eq(iotrap_lookup(t, live[i]), model[live[i]], "step %d: port 0x%x",
                             step, live[i]);
            if (step % 500 == 499)
                expect_all(t, model, "random");
        }
        cr_assert(full_seen, "seed %llu: the table never filled", (unsigned long long)seed);
        free(model);
        free(t);
    }
}
