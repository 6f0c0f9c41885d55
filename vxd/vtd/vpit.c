/*
 * The virtual 8254's state machine (vpit.h), after the Intel 8254 data sheet.
 */
#include "vpit.h"

uint64_t vpit_div(uint64_t n, uint32_t d, uint32_t *rem)
{
    /* Long division by 16-bit digits: every partial remainder is below d <= 2^16, so each step
     * divides a number below 2^32. */
    uint32_t r = 0, q[4];
    for (int i = 3; i >= 0; i--) {
        uint32_t x = r << 16 | ((uint32_t)(n >> (16 * i)) & 0xFFFFu);
        q[i] = x / d;
        r = x % d;
    }
    if (rem)
        *rem = r;
    return (uint64_t)(q[3] << 16 | q[2]) << 32 | (q[1] << 16 | q[0]);
}

uint64_t vpit_ticks_of_ns(uint64_t ns)
{
    /* ns * 1193182 / 10^9 as the high half of ns * M, M = 1193182 * 2^64 / 10^9 rounded up:
     * never below the truth, less than one tick above it.  The 128-bit product from four
     * 32-bit ones. */
    const uint64_t M = 0x004E3245AB0D92F0ull;
    uint32_t a0 = (uint32_t)ns, a1 = (uint32_t)(ns >> 32);
    uint32_t b0 = (uint32_t)M, b1 = (uint32_t)(M >> 32);
    uint64_t p00 = (uint64_t)a0 * b0, p01 = (uint64_t)a0 * b1;
    uint64_t p10 = (uint64_t)a1 * b0, p11 = (uint64_t)a1 * b1;
    uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
    return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

static uint32_t period(const struct vpit_channel *c) { return c->count ? c->count : 65536u; }

/* Does the channel count now (a loaded count, its gate up, triggered if it must be)? */
static int counting(const struct vpit_channel *c)
{
    return c->armed && c->gate && (c->triggered || (c->mode != 1 && c->mode != 5));
}

static int periodic(const struct vpit_channel *c) { return c->mode == 2 || c->mode == 3; }

/* The ticks since the count was loaded (0 if `now` is before it). */
static uint64_t elapsed(const struct vpit_channel *c, uint64_t now)
{
    return now > c->start ? now - c->start : 0;
}

static uint16_t value(const struct vpit_channel *c, uint64_t now)
{
    if (!c->armed)
        return c->count;
    if (!counting(c))
        return c->gate ? c->count : c->frozen;
    uint64_t e = elapsed(c, now);
    uint32_t p = period(c), r;
    if (!periodic(c))
        return (uint16_t)(p - (uint32_t)e);
    vpit_div(e, p, &r);
    if (c->mode == 2)
        return (uint16_t)(p - r);
    uint32_t half = p / 2 ? p / 2 : 1;      /* mode 3: down by two, twice a period */
    return (uint16_t)((p & ~1u) - 2 * (r % half));
}

static int out(const struct vpit_channel *c, uint64_t now)
{
    if (!counting(c))       /* no count, held by its gate, or waiting for a trigger */
        return c->mode != 0;
    uint64_t e = elapsed(c, now);
    uint32_t p = period(c), r;
    if (!periodic(c))
        return c->mode == 4 ? e != p : e >= p;
    vpit_div(e, p, &r);
    return c->mode == 2 ? r != p - 1 : r < (p + 1) / 2;
}

void vpit_reset(struct vpit *p, uint64_t now)
{
    static const uint8_t mode[3] = { 3, 2, 3 };
    static const uint16_t count[3] = { 0, 18, 0x0533 };
    for (unsigned i = 0; i < 3; i++) {
        p->ch[i] = (struct vpit_channel){ 0 };
        p->ch[i].mode = mode[i];
        p->ch[i].rw = 3;
        p->ch[i].count = count[i];
        p->ch[i].armed = 1;
        p->ch[i].start = now;
        p->ch[i].gate = i != 2;
    }
    p->port61 = 0;
}

static void latch(struct vpit_channel *c, uint64_t now)
{
    if (c->latched)
        return;                             /* the first latch holds until it is read */
    c->latch = value(c, now);
    c->latched = c->rw == 3 ? 2 : 1;
}

static void latch_status(struct vpit_channel *c, uint64_t now)
{
    if (c->status_latched)
        return;
    c->status = (uint8_t)(out(c, now) << 7 | !c->armed << 6 | c->rw << 4 | c->mode << 1 | c->bcd);
    c->status_latched = 1;
}

/* The next byte of a 16-bit value in the channel's access mode. */
static uint8_t byte_of(struct vpit_channel *c, uint16_t v, uint8_t *msb_next)
{
    if (c->rw == 1)
        return (uint8_t)v;
    if (c->rw == 2)
        return (uint8_t)(v >> 8);
    uint8_t b = *msb_next ? (uint8_t)(v >> 8) : (uint8_t)v;
    *msb_next ^= 1;
    return b;
}

static uint8_t read_counter(struct vpit_channel *c, uint64_t now)
{
    if (c->status_latched) {
        c->status_latched = 0;
        return c->status;
    }
    if (c->latched) {
        uint8_t b;
        if (c->rw == 3)
            b = c->latched == 2 ? (uint8_t)c->latch : (uint8_t)(c->latch >> 8);
        else
            b = c->rw == 1 ? (uint8_t)c->latch : (uint8_t)(c->latch >> 8);
        c->latched--;
        return b;
    }
    return byte_of(c, value(c, now), &c->read_msb);
}

static void load(struct vpit_channel *c, uint16_t count, uint64_t now)
{
    c->count = count;
    c->frozen = count;                      /* where a gated-off count stands */
    c->armed = 1;
    c->start = now;
    c->triggered = 0;
}

static void write_counter(struct vpit_channel *c, uint8_t v, uint64_t now)
{
    if (c->rw == 1)
        load(c, v, now);
    else if (c->rw == 2)
        load(c, (uint16_t)(v << 8), now);
    else if (!c->waiting_msb) {
        c->lsb = v;
        c->waiting_msb = 1;
        if (c->mode == 0) {                 /* mode 0: the first byte stops the count */
            c->frozen = value(c, now);
            c->armed = 0;
        }
    } else {
        c->waiting_msb = 0;
        load(c, (uint16_t)(c->lsb | v << 8), now);
    }
}

static void control(struct vpit *p, uint8_t v, uint64_t now)
{
    unsigned sc = v >> 6;
    if (sc == 3) {                          /* read-back: bits 1-3 the channels */
        for (unsigned i = 0; i < 3; i++)
            if (v >> (i + 1) & 1) {
                if (!(v & 0x10))
                    latch_status(&p->ch[i], now);
                if (!(v & 0x20))
                    latch(&p->ch[i], now);
            }
        return;
    }
    struct vpit_channel *c = &p->ch[sc];
    unsigned rw = v >> 4 & 3;
    if (rw == 0) {                          /* the counter latch command */
        latch(c, now);
        return;
    }
    c->rw = (uint8_t)rw;
    c->mode = (uint8_t)((v >> 1 & 7) > 5 ? (v >> 1 & 3) : (v >> 1 & 7));   /* 6, 7: 2, 3 */
    c->bcd = v & 1;
    c->armed = 0;                           /* a null count until the count is written */
    c->waiting_msb = c->read_msb = 0;
    c->latched = c->status_latched = 0;
    c->triggered = 0;
}

static void gate2(struct vpit *p, int up, uint64_t now)
{
    struct vpit_channel *c = &p->ch[2];
    if (!!c->gate == !!up)
        return;
    if (!up) {
        c->frozen = value(c, now);
        c->gate = 0;
        return;
    }
    c->gate = 1;
    if (c->mode == 0 || c->mode == 4) {     /* resumes where it stood */
        if (c->armed)
            c->start = now - (uint16_t)(period(c) - c->frozen);
    } else if (c->armed) {                  /* 1, 2, 3, 5: the rising gate restarts the count */
        c->start = now;
        c->triggered = 1;
    }
}

uint8_t vpit_read(struct vpit *p, unsigned port, uint64_t now)
{
    if (port >= 0x40 && port <= 0x42)
        return read_counter(&p->ch[port - 0x40], now);
    if (port == 0x61) {
        uint8_t refresh = (uint8_t)(vpit_div(now, 18, 0) & 1);    /* toggles every 18 ticks */
        return (uint8_t)((p->port61 & 0x0F) | refresh << 4 | out(&p->ch[2], now) << 5);
    }
    return 0xFF;                            /* 43h: write only */
}

void vpit_write(struct vpit *p, unsigned port, uint8_t v, uint64_t now)
{
    if (port >= 0x40 && port <= 0x42)
        write_counter(&p->ch[port - 0x40], v, now);
    else if (port == 0x43)
        control(p, v, now);
    else if (port == 0x61) {
        p->port61 = v & 0x0F;
        gate2(p, v & 1, now);
    }
}

uint64_t vpit_irq0_next(const struct vpit *p, uint64_t after)
{
    const struct vpit_channel *c = &p->ch[0];
    if (!counting(c) || (c->mode != 0 && c->mode != 4 && !periodic(c)))
        return UINT64_MAX;
    uint32_t per = period(c);
    if (!periodic(c)) {
        uint64_t at = c->start + per;
        return at > after ? at : UINT64_MAX;
    }
    if (after < c->start)
        return c->start + per;
    uint64_t k = vpit_div(after - c->start, per, 0) + 1;
    return c->start + k * per;
}

uint64_t vpit_irq0_edges(const struct vpit *p, uint64_t from, uint64_t to)
{
    const struct vpit_channel *c = &p->ch[0];
    if (to <= from || !counting(c) || (c->mode != 0 && c->mode != 4 && !periodic(c)))
        return 0;
    uint32_t per = period(c);
    if (!periodic(c)) {
        uint64_t at = c->start + per;
        return at > from && at <= to;
    }
    uint64_t a = from > c->start ? vpit_div(from - c->start, per, 0) : 0;
    uint64_t b = to > c->start ? vpit_div(to - c->start, per, 0) : 0;
    return b - a;
}
