/*
 * One VM's keyboard controller (vkbd.h, section 3), after the IBM PC/AT Technical Reference.
 * The controller's own replies (the command byte, the output port, test results) and the
 * keyboard's (acknowledgements, its ID) queue with the keys, so that a program reads them from
 * port 60h in the order it asked.
 */
#include "vkbd.h"

static void push(struct v8042 *k, uint8_t b)
{
    if (k->qn == sizeof k->q)
        return;                         /* the keyboard's buffer overran: dropped */
    k->q[(k->qh + k->qn++) % sizeof k->q] = b;
}

void v8042_next(struct v8042 *k)
{
    if (k->obf || !k->qn)
        return;
    k->out = k->q[k->qh];
    k->qh = (uint8_t)((k->qh + 1) % sizeof k->q);
    k->qn--;
    k->obf = 1;
}

void v8042_reset(struct v8042 *k)
{
    *k = (struct v8042){ 0 };
    k->cmd = 0x45;                      /* translate, system flag, IRQ 1 */
    k->outport = 0x01;                  /* A20 off, not in reset */
    k->scanning = 1;
}

int v8042_key(struct v8042 *k, uint8_t scan)
{
    if (!k->scanning || (k->cmd & V8042_CMD_DISABLE) || k->qn == sizeof k->q)
        return 0;
    push(k, scan);
    v8042_next(k);
    return 1;
}

int v8042_irq(const struct v8042 *k) { return k->obf && (k->cmd & V8042_CMD_IRQ1); }

int v8042_a20(const struct v8042 *k) { return (k->outport & 2) || (k->port92 & 2); }

uint8_t v8042_read(struct v8042 *k, unsigned port)
{
    if (port == 0x92)
        return k->port92;
    if (port == 0x64) {
        v8042_next(k);                  /* a polling program: the next byte comes */
        return (uint8_t)(k->obf | (k->cmd & 0x04) | 0x10);    /* OBF, system flag, not inhibited */
    }
    uint8_t b = k->out;                 /* 60h: the output buffer, full or not */
    k->obf = 0;
    return b;
}

static void controller(struct v8042 *k, uint8_t c, unsigned *fx)
{
    switch (c) {
    case 0x20: push(k, k->cmd); break;
    case 0x60: case 0xD1: case 0xD2: k->expect = c; break;
    case 0xAA: push(k, 0x55); break;    /* self test passed */
    case 0xAB: push(k, 0x00); break;    /* the keyboard interface is fine */
    case 0xAD: k->cmd |= V8042_CMD_DISABLE; break;
    case 0xAE: k->cmd &= (uint8_t)~V8042_CMD_DISABLE; break;
    case 0xC0: push(k, 0xBF); break;    /* the input port: keyboard not inhibited */
    case 0xD0: push(k, (uint8_t)(k->outport | (k->obf ? 0x10 : 0))); break;
    case 0xDD: k->outport &= (uint8_t)~2u; *fx |= V8042_A20; break;
    case 0xDF: k->outport |= 2; *fx |= V8042_A20; break;
    default:
        if (c >= 0xF0 && !(c & 1))      /* pulse the output port's bit 0: the CPU's reset */
            *fx |= V8042_RESET;
        break;
    }
}

static void keyboard(struct v8042 *k, uint8_t c)
{
    if (k->kexpect) {                   /* EDh's LEDs, F3h's rate: taken */
        k->kexpect = 0;
        push(k, 0xFA);
        return;
    }
    switch (c) {
    case 0xED: case 0xF3: k->kexpect = c; push(k, 0xFA); break;
    case 0xEE: push(k, 0xEE); break;    /* echo */
    case 0xF2: push(k, 0xFA); push(k, 0xAB); push(k, 0x83); break;  /* a MF2 keyboard */
    case 0xF4: k->scanning = 1; push(k, 0xFA); break;
    case 0xF5: k->scanning = 0; push(k, 0xFA); break;
    case 0xFF: k->scanning = 1; push(k, 0xFA); push(k, 0xAA); break;
    default: push(k, 0xFA); break;     /* the rest: acknowledged, nothing more */
    }
}

unsigned v8042_write(struct v8042 *k, unsigned port, uint8_t v)
{
    unsigned fx = 0;
    if (port == 0x92) {
        if ((v ^ k->port92) & 2)
            fx |= V8042_A20;
        if (v & 1 & ~k->port92)
            fx |= V8042_RESET;
        k->port92 = v & 3;
    } else if (port == 0x64) {
        k->expect = 0;
        controller(k, v, &fx);
    } else if (k->expect) {            /* 60h: a controller command's data */
        uint8_t c = k->expect;
        k->expect = 0;
        if (c == 0x60)
            k->cmd = v;
        else if (c == 0xD1) {
            if ((v ^ k->outport) & 2)
                fx |= V8042_A20;
            if (!(v & 1))
                fx |= V8042_RESET;
            k->outport = v;
        } else
            push(k, v);                 /* D2h: as if the keyboard sent it */
    } else {
        keyboard(k, v);
    }
    v8042_next(k);
    return fx;
}
