/*
 * The dynalink's bytes (portable: the VMM's INT 20h handler and the host tests use the same
 * code).  A call site is six bytes:
 *
 *   CD 20 dd dd dd dd     int 20h; dd (device << 16) | (jmp ? 8000h : 0) | service
 *   FF 15 aa aa aa aa     call [slot]     after the first call, if bit 15 was clear
 *   FF 25 aa aa aa aa     jmp  [slot]     after the first call, if bit 15 was set (VxDJmp)
 *
 * where slot is the address of the service's entry in its device's service table.
 */
#ifndef VXD_DYNALINK_H
#define VXD_DYNALINK_H
#include <stdint.h>
#include "vmm/vxd.h"                    /* the SDK's VXD_DYNALINK_INT, VXD_JMP_FORM */

#define DYNALINK_INT     VXD_DYNALINK_INT
#define DYNALINK_JMP     VXD_JMP_FORM
#define DYNALINK_SITE    6u             /* bytes of a call site, before and after the patch */

struct dynalink_call {
    uint16_t device;
    uint16_t service;                   /* 0 .. 7FFFh */
    uint8_t jmp;                        /* the VxDJmp form */
};

static inline struct dynalink_call dynalink_decode(uint32_t dword)
{
    struct dynalink_call c = { (uint16_t)(dword >> 16), (uint16_t)(dword & 0x7FFFu),
                               (uint8_t)((dword & DYNALINK_JMP) != 0) };
    return c;
}

static inline uint32_t dynalink_dword(uint16_t device, uint16_t service, int jmp)
{
    return (uint32_t)device << 16 | (service & 0x7FFFu) | (jmp ? DYNALINK_JMP : 0);
}

/* The site as the first call left it: an indirect call or jump through slot. */
static inline void dynalink_patch(uint8_t out[DYNALINK_SITE], uint32_t dword, uint32_t slot)
{
    out[0] = 0xFF;
    out[1] = (dword & DYNALINK_JMP) ? 0x25 : 0x15;
    for (unsigned i = 0; i < 4; i++)
        out[2 + i] = (uint8_t)(slot >> (8 * i));
}

/* The site as it was built (and as unloading the target device puts it back). */
static inline void dynalink_stub(uint8_t out[DYNALINK_SITE], uint32_t dword)
{
    out[0] = 0xCD;
    out[1] = DYNALINK_INT;
    for (unsigned i = 0; i < 4; i++)
        out[2 + i] = (uint8_t)(dword >> (8 * i));
}

/* Reads a site: 0 an unpatched stub (*dword set), 1 a patched one (*slot set), -1 neither. */
static inline int dynalink_parse(const uint8_t in[DYNALINK_SITE], uint32_t *dword, uint32_t *slot)
{
    uint32_t v = (uint32_t)in[2] | (uint32_t)in[3] << 8 | (uint32_t)in[4] << 16 |
                 (uint32_t)in[5] << 24;
    if (in[0] == 0xCD && in[1] == DYNALINK_INT) {
        *dword = v;
        return 0;
    }
    if (in[0] == 0xFF && (in[1] == 0x15 || in[1] == 0x25)) {
        *slot = v;
        return 1;
    }
    return -1;
}

#endif
