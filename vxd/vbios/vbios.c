/*
 * VBIOS: the BIOS of the virtual PC.  A UEFI PC has no BIOS underneath, so every V86 VM gets
 * this one: the image bios.asm (F0000h-FFFFFh, one copy, read-only in every VM), the interrupt
 * vectors a PC's BIOS sets, the BIOS data area at 40:0 and the extended one below 640 KB, and
 * the services that belong to no device -- INT 11h, 12h, 14h, 15h, 17h, 18h, 19h, 1Ah.  The
 * services of a device (INT 10h the display's, INT 13h the disks') are its VxD's, installed
 * with VBIOS_Set_Int_Handler; until one is, the call is named once and answered with CF set.
 * The keyboard's are real-mode code in the image, as on a PC: INT 09h (IRQ 1) hands the scan
 * code to the keyboard's VxD (VBIOS_Set_Int_Handler(09h): it keeps the BDA's shift states and
 * buffer), INT 16h reads the buffer, waiting in HLT for a key.
 *
 * A service runs in the VM's own thread, through the V86 call back its stub in the image calls
 * (bios.asm); it reads and sets the client registers, and the CF, ZF ... it leaves there go back
 * to the caller in the FLAGS image that its INT pushed (the IRET keeps the caller's IF).
 */
#include <stdint.h>
#include <vmm/vxd.h>
#include <vmm/port.h>
#include <vmm/vmmsvc.h>
#include <vmm/vm.h>
#include <vmm/page.h>
#include <vmm/int.h>
#include <vmm/thread.h>
#include <vmm/v86.h>
#include <vmm/vbios.h>

VMM_IMPORT(_Debug_Printf_Service)
VMM_IMPORT(_PageAllocate)
VMM_IMPORT(_MapIntoV86)
VMM_IMPORT(_ModifyPageBits)
VMM_IMPORT(_Assign_Device_V86_Pages)
VMM_IMPORT(Allocate_V86_Call_Back)
VMM_IMPORT(Crash_Cur_VM)
VMM_IMPORT(Get_Sys_VM_Handle)
VMM_IMPORT(Set_V86_A20)
VMM_IMPORT(Get_V86_A20)
VMM_IMPORT(Get_VM_Last_V86_Page)
VMM_IMPORT(thread_sleep)
VMM_IMPORT(Install_IO_Handler)

#define printf _Debug_Printf_Service

/* The image (bios.asm, assembled and linked in by the SDK's vxd.mk: V86_SRCS). */
extern const uint8_t _binary_bios_bin_start[], _binary_bios_bin_end[];

#define BIOS_PAGE       0xF0u                   /* F0000h */
#define BIOS_PAGES      16u
#define BIOS_SEG        0xF000u
#define V86_TOP         0x10FFF0u               /* the end of a VM's V86 space */
#define EBDA_KB         1u                      /* the extended BIOS data area, below 640 KB */

enum { K_CALL, K_CODE, K_DATA, K_RESET, K_HOOK };
struct dir_entry {
    uint8_t vec, kind;
    uint16_t entry, stub;
} __attribute__((packed));

static uint32_t hbios;                          /* the image's pages */
static uint8_t *bios;                           /* ... in the system region */
static const struct dir_entry *dir;
static unsigned ndir;
static vbios_handler handlers[256];
#define RESET 0x100u                            /* the reset stub's call back reference */
#define HOOK  0x200u                            /* | n: a K_HOOK stub's (no INT frame) */
static uint8_t named[256];                      /* an unowned service's call, named once */

/* ---- the VM's memory ------------------------------------------------------------------------ */

static uint8_t *vm_mem(VMHANDLE vm) { return (uint8_t *)((struct cb_s *)vm)->CB_High_Linear; }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

/* The end of the VM's conventional memory (its own: _SetLastV86Page may have moved it). */
static uint32_t conv_end(VMHANDLE vm) { return (Get_VM_Last_V86_Page(vm) + 1) << 12; }

/* lin .. lin + n in the VM's RAM: its conventional memory, or the HMA (writable); the BIOS too
 * for reading. */
static int vm_ram(VMHANDLE vm, uint32_t lin, uint32_t n, int write)
{
    if (n > V86_TOP || lin > V86_TOP - n)
        return 0;
    if (lin + n <= conv_end(vm))
        return 1;
    if (lin >= 0x100000u)
        return 1;
    return !write && lin >= (BIOS_PAGE << 12) && lin + n <= 0x100000u;
}

static uint32_t seg_off(uint32_t seg, uint32_t off) { return (seg & 0xFFFF) * 16 + (off & 0xFFFF); }

/* ---- the CMOS real-time clock ---------------------------------------------------------------- */

static uint8_t cmos_get(uint8_t reg)
{
    uint32_t fl;
    __asm__ volatile("pushf; pop %0; cli" : "=r"(fl));
    outb(0x70, reg);
    uint8_t v = inb(0x71);
    __asm__ volatile("push %0; popf" :: "r"(fl) : "cc");
    return v;
}

static void cmos_put(uint8_t reg, uint8_t v)
{
    uint32_t fl;
    __asm__ volatile("pushf; pop %0; cli" : "=r"(fl));
    outb(0x70, reg);
    outb(0x71, v);
    __asm__ volatile("push %0; popf" :: "r"(fl) : "cc");
}

static uint8_t bcd(uint8_t v) { return (uint8_t)(v / 10 * 16 + v % 10); }
static uint8_t unbcd(uint8_t v) { return (uint8_t)((v >> 4) * 10 + (v & 15)); }

/* The RTC's time and date in BCD, as INT 1Ah gives them (the RTC may count in binary or in 12
 * hours: register B says). */
struct rtc { uint8_t sec, min, hour, day, mon, year, century, dst; };

static void rtc_read(struct rtc *t)
{
    for (unsigned i = 0; i < 100000 && (cmos_get(0x0A) & 0x80); i++)   /* an update: 244 us */
        ;
    uint8_t b = cmos_get(0x0B), hour = cmos_get(0x04);
    t->sec = cmos_get(0x00);
    t->min = cmos_get(0x02);
    t->day = cmos_get(0x07);
    t->mon = cmos_get(0x08);
    t->year = cmos_get(0x09);
    t->century = cmos_get(0x32);
    t->dst = b & 1;
    int pm = !(b & 2) && (hour & 0x80);
    hour &= 0x7F;
    if (b & 4) {                                /* binary */
        t->sec = bcd(t->sec);
        t->min = bcd(t->min);
        t->day = bcd(t->day);
        t->mon = bcd(t->mon);
        t->year = bcd(t->year);
        t->century = bcd(t->century);
        hour = bcd(hour);
    }
    if (!(b & 2)) {                             /* 12 hours: 12 AM is 0, 1 PM is 13 */
        uint8_t h = unbcd(hour) % 12;
        hour = bcd((uint8_t)(h + (pm ? 12 : 0)));
    }
    t->hour = hour;
    if (t->century < 0x19 || t->century > 0x21)
        t->century = 0x20;                      /* no century register */
}

/* Writes BCD values into the RTC as it counts (INT 1Ah AH=03h, 05h set the machine's clock,
 * as they do on a PC). */
static void rtc_write(int date, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    uint8_t regb = cmos_get(0x0B);
    int bin = regb & 4;
    cmos_put(0x0B, regb | 0x80);                /* stop updates while it changes */
    if (date) {                                 /* a century, b year, c month, d day */
        cmos_put(0x32, bin ? unbcd(a) : a);
        cmos_put(0x09, bin ? unbcd(b) : b);
        cmos_put(0x08, bin ? unbcd(c) : c);
        cmos_put(0x07, bin ? unbcd(d) : d);
    } else {                                    /* a hours, b minutes, c seconds, d DST */
        uint8_t h = bin ? unbcd(a) : a;
        if (!(regb & 2)) {                      /* 12 hours */
            uint8_t hh = unbcd(a), pm = hh >= 12;
            hh = hh % 12 ? hh % 12 : 12;
            h = (uint8_t)((bin ? hh : bcd(hh)) | (pm ? 0x80 : 0));
        }
        cmos_put(0x04, h);
        cmos_put(0x02, bin ? unbcd(b) : b);
        cmos_put(0x00, bin ? unbcd(c) : c);
        regb = (uint8_t)((regb & ~1) | (d & 1));
    }
    cmos_put(0x0B, regb & 0x7F);
}

/* ---- a VM's BIOS: the image, the vectors, the data areas ------------------------------------ */

/* The VM's IVT entries, BDA and EBDA as a PC's BIOS leaves them (a new VM's, or one whose V86
 * code starts again: VM_V86_RESET). */
static void vm_reset(VMHANDLE vm)
{
    uint8_t *m = vm_mem(vm);
    for (unsigned i = 0; i < ndir; i++)
        if (dir[i].kind != K_RESET)
            put32(m + dir[i].vec * 4, (uint32_t)BIOS_SEG << 16 | dir[i].entry);

    uint32_t conv_kb = conv_end(vm) / 1024, ebda_seg = (conv_kb - EBDA_KB) * 64;
    uint8_t *bda = m + 0x400, *ebda = m + ebda_seg * 16;
    for (unsigned i = 0; i < 256; i++)
        bda[i] = 0;
    for (unsigned i = 0; i < EBDA_KB * 1024; i++)
        ebda[i] = 0;
    put16(bda + 0x0E, (uint16_t)ebda_seg);      /* no COM, no LPT ports: 00h-0Dh stay 0 */
    put16(bda + 0x10, 0x0020);                  /* equipment: 80x25 colour, nothing else */
    put16(bda + 0x13, (uint16_t)(conv_kb - EBDA_KB));
    put16(bda + 0x1A, 0x1E);                    /* the keyboard buffer: empty */
    put16(bda + 0x1C, 0x1E);
    /* The display's fields (49h-66h, 84h-8Ah) are VDD's: it sets them at its VM_Critical_Init,
     * after this one (vtext_reset). */
    struct rtc t;                               /* the ticks since midnight, from the RTC */
    rtc_read(&t);
    uint32_t secs = unbcd(t.hour) * 3600u + unbcd(t.min) * 60u + unbcd(t.sec);
    put32(bda + 0x6C, (uint32_t)((uint64_t)secs * 1193182u / 65536u));
    for (unsigned i = 0; i < 3; i++)
        bda[0x78 + i] = 0x14;                   /* LPT time-outs */
    for (unsigned i = 0; i < 4; i++)
        bda[0x7C + i] = 0x01;                   /* COM time-outs */
    put16(bda + 0x80, 0x1E);                    /* the keyboard buffer's bounds */
    put16(bda + 0x82, 0x3E);
    bda[0x96] = 0x10;                           /* a 101-key keyboard */
    ebda[0] = EBDA_KB;
}

static int vm_setup(VMHANDLE vm)
{
    if (!_MapIntoV86(hbios, vm, BIOS_PAGE, BIOS_PAGES, 0, 0) ||
        !_ModifyPageBits(vm, BIOS_PAGE, BIOS_PAGES, ~P_WRITE, 0, PG_IGNORE, 0)) {
        printf("VBIOS: VM %u: cannot map the BIOS at F0000 (the reason above)\n",
               ((struct cb_s *)vm)->CB_VMID);
        return 1;
    }
    vm_reset(vm);
    return 0;
}

/* ---- the services ---------------------------------------------------------------------------- */

#define CF      0x0001u
#define ARITH   0x08D5u                         /* CF PF AF ZF SF OF: what a service returns */

static uint8_t ah(const struct client_regs *r) { return (uint8_t)(r->eax >> 8); }
static uint8_t al(const struct client_regs *r) { return (uint8_t)r->eax; }
static void set_ax(struct client_regs *r, uint32_t v)
{
    r->eax = (r->eax & 0xFFFF0000u) | (v & 0xFFFF);
}
static void set_ah(struct client_regs *r, uint8_t v)
{
    r->eax = (r->eax & 0xFFFF00FFu) | (uint32_t)v << 8;
}
static void ok(struct client_regs *r) { r->eflags &= ~CF; }
static void fail(struct client_regs *r, uint8_t code) { set_ah(r, code); r->eflags |= CF; }
static uint8_t *bda(VMHANDLE vm) { return vm_mem(vm) + 0x400; }

static void int11(VMHANDLE vm, struct client_regs *r) { set_ax(r, get16(bda(vm) + 0x10)); }
static void int12(VMHANDLE vm, struct client_regs *r) { set_ax(r, get16(bda(vm) + 0x13)); }

/* No serial or parallel port in a VM (COM1 is the system's terminal): each answers time-out. */
static void int14(VMHANDLE vm, struct client_regs *r) { (void)vm; set_ah(r, 0x80); }
static void int17(VMHANDLE vm, struct client_regs *r) { (void)vm; set_ah(r, 0x01); }

/* A VM's extended memory is its HMA: 100000h-10FFEFh, 63 KB whole. */
#define EXT_KB 63u

/* E820h: the VM's own memory, one entry a call. */
#define E820_N 4
static int e820_entry(VMHANDLE vm, unsigned i, uint32_t *base, uint32_t *len, uint32_t *type)
{
    uint32_t ebda = conv_end(vm) - EBDA_KB * 1024;
    const uint32_t t[E820_N][3] = { { 0, ebda, 1 }, { ebda, EBDA_KB * 1024, 2 },
                               { BIOS_PAGE << 12, BIOS_PAGES << 12, 2 },
                               { 0x100000u, V86_TOP - 0x100000u, 1 } };
    if (i >= E820_N)
        return 0;
    *base = t[i][0], *len = t[i][1], *type = t[i][2];
    return 1;
}

/* AH=87h: a block move between two linear addresses (ES:SI: the GDT of the request, source
 * descriptor at +10h, destination at +18h), CX words; inside the VM's own memory. */
static void block_move(VMHANDLE vm, struct client_regs *r)
{
    uint8_t *m = vm_mem(vm);
    uint32_t gdt = seg_off(r->es, r->esi), n = (r->ecx & 0xFFFF) * 2u;
    if (!vm_ram(vm, gdt, 0x30, 0) || n > 0x10000u)
        return fail(r, 0x02);
    const uint8_t *s = m + gdt + 0x10, *d = m + gdt + 0x18;
    uint32_t src = s[2] | s[3] << 8 | s[4] << 16 | (uint32_t)s[7] << 24;
    uint32_t dst = d[2] | d[3] << 8 | d[4] << 16 | (uint32_t)d[7] << 24;
    if (!vm_ram(vm, src, n, 0) || !vm_ram(vm, dst, n, 1))
        return fail(r, 0x02);
    uint32_t a20 = Get_V86_A20(vm);             /* the move sees the HMA's own memory, as a */
    if (!a20 && !Set_V86_A20(vm, 1))            /* PC's BIOS turns A20 on for it */
        return fail(r, 0x03);
    if (dst < src)
        for (uint32_t i = 0; i < n; i++)
            m[dst + i] = m[src + i];
    else
        for (uint32_t i = n; i--;)
            m[dst + i] = m[src + i];
    if (!a20)
        Set_V86_A20(vm, 0);
    set_ah(r, 0);
    ok(r);
}

static void int15(VMHANDLE vm, struct client_regs *r)
{
    uint32_t ax = r->eax & 0xFFFF;
    switch (ah(r)) {
    case 0x24:                                  /* A20 */
        if (al(r) <= 1) {
            if (!Set_V86_A20(vm, al(r)))
                return fail(r, 0x01);
        } else if (al(r) == 2) {
            r->eax = (r->eax & 0xFFFF0000u) | (Get_V86_A20(vm) & 1);
        } else if (al(r) == 3) {
            r->ebx &= 0xFFFF0000u;              /* neither the 8042 nor port 92h (yet) */
        } else {
            return fail(r, 0x86);
        }
        set_ah(r, 0);
        return ok(r);
    case 0x4F:                                  /* the keyboard intercept: keep the key */
        r->eflags |= CF;
        return;
    case 0x86: {                                /* wait CX:DX microseconds: the VM's thread
                                                 * sleeps, the others run */
        uint32_t us = (r->ecx & 0xFFFF) << 16 | (r->edx & 0xFFFF);
        thread_sleep((us + 999) / 1000);
        set_ah(r, 0);
        return ok(r);
    }
    case 0x87:
        return block_move(vm, r);
    case 0x88:
        set_ax(r, EXT_KB);
        return ok(r);
    case 0x90:                                  /* device busy / interrupt complete */
    case 0x91:
        set_ah(r, 0);
        return ok(r);
    case 0xC0:                                  /* ES:BX: the configuration table */
        r->es = BIOS_SEG;
        r->ebx = (r->ebx & 0xFFFF0000u) | 0xE6F5;
        set_ah(r, 0);
        return ok(r);
    }
    if (ax == 0xE801) {
        set_ax(r, EXT_KB);
        r->ecx = (r->ecx & 0xFFFF0000u) | EXT_KB;
        r->ebx &= 0xFFFF0000u;
        r->edx &= 0xFFFF0000u;
        return ok(r);
    }
    if (ax == 0xE820 && r->edx == 0x534D4150u && r->ecx >= 20) {
        uint32_t base, len, type, at = seg_off(r->es, r->edi);
        if (!e820_entry(vm, r->ebx, &base, &len, &type) || !vm_ram(vm, at, 20, 1))
            return fail(r, 0x86);
        uint8_t *p = vm_mem(vm) + at;
        put32(p, base);
        put32(p + 4, 0);
        put32(p + 8, len);
        put32(p + 12, 0);
        put32(p + 16, type);
        r->eax = 0x534D4150u;
        r->ecx = 20;
        r->ebx = r->ebx + 1 < E820_N ? r->ebx + 1 : 0;
        return ok(r);
    }
    fail(r, 0x86);                              /* not supported */
}

static void int1a(VMHANDLE vm, struct client_regs *r)
{
    uint8_t *b = bda(vm);
    struct rtc t;
    switch (ah(r)) {
    case 0x00:                                  /* the tick count, and the midnight flag */
        r->ecx = (r->ecx & 0xFFFF0000u) | get16(b + 0x6E);
        r->edx = (r->edx & 0xFFFF0000u) | get16(b + 0x6C);
        r->eax = (r->eax & 0xFFFFFF00u) | b[0x70];
        b[0x70] = 0;
        return ok(r);
    case 0x01:
        put16(b + 0x6E, (uint16_t)r->ecx);
        put16(b + 0x6C, (uint16_t)r->edx);
        b[0x70] = 0;
        return ok(r);
    case 0x02:                                  /* the RTC's time: CH:CL:DH BCD, DL DST */
        rtc_read(&t);
        r->ecx = (r->ecx & 0xFFFF0000u) | (uint32_t)t.hour << 8 | t.min;
        r->edx = (r->edx & 0xFFFF0000u) | (uint32_t)t.sec << 8 | t.dst;
        return ok(r);
    case 0x03:
        rtc_write(0, (uint8_t)(r->ecx >> 8), (uint8_t)r->ecx, (uint8_t)(r->edx >> 8),
                  (uint8_t)r->edx);
        return ok(r);
    case 0x04:                                  /* the date: CH century, CL year, DH:DL */
        rtc_read(&t);
        r->ecx = (r->ecx & 0xFFFF0000u) | (uint32_t)t.century << 8 | t.year;
        r->edx = (r->edx & 0xFFFF0000u) | (uint32_t)t.mon << 8 | t.day;
        return ok(r);
    case 0x05:
        rtc_write(1, (uint8_t)(r->ecx >> 8), (uint8_t)r->ecx, (uint8_t)(r->edx >> 8),
                  (uint8_t)r->edx);
        return ok(r);
    }
    r->eflags |= CF;
}

/* INT 18h, INT 19h, the reset vector: nothing to boot from yet -- the VM ends, saying so (and,
 * for an INT, where it would have returned: its frame's CS:IP). */
__attribute__((noreturn))
static void no_boot(VMHANDLE vm, struct client_regs *r, const char *what, int frame)
{
    uint32_t at = seg_off(r->ss, r->esp), ret = 0;
    if (frame && vm_ram(vm, at, 4, 0))
        ret = get16(vm_mem(vm) + at + 2) << 16 | get16(vm_mem(vm) + at);
    if (ret)
        printf("VBIOS: VM %u: %s, returning to %04x:%04x: no bootable device; the VM ends\n",
               ((struct cb_s *)vm)->CB_VMID, what, ret >> 16, ret & 0xFFFF);
    else
        printf("VBIOS: VM %u: %s: no bootable device; the VM ends\n",
               ((struct cb_s *)vm)->CB_VMID, what);
    Crash_Cur_VM();
}
static void int18(VMHANDLE vm, struct client_regs *r) { no_boot(vm, r, "INT 18h", 1); }
static void int19(VMHANDLE vm, struct client_regs *r) { no_boot(vm, r, "INT 19h (bootstrap)", 1); }

static void unowned(VMHANDLE vm, struct client_regs *r, unsigned n)
{
    static const char *const owner[256] = { [0x09] = "VKD, the keyboard",
                                            [0x10] = "VDD, the display",
                                            [0x13] = "the disk device" };
    if (!named[n]) {
        named[n] = 1;
        printf("VBIOS: VM %u: INT %02xh AH=%02xh: no VxD provides it (%s); CF set\n",
               ((struct cb_s *)vm)->CB_VMID, n, ah(r), owner[n] ? owner[n] : "none");
    }
    r->eflags |= CF;
}

/* The call back of every stub: the service, then its arithmetic flags into the FLAGS image the
 * INT (or PUSHF; CALL FAR) left on the VM's stack, where the stub's IRET takes them from.  A
 * K_HOOK stub's call comes from the BIOS's own code, with no INT frame: the handler's flags are
 * its own.  A handler that sends the VM elsewhere returns through no frame: after INT 19h, SS:SP+4
 * is the boot sector's bytes 4-5 (0000:7C04), which the flags used to overwrite. */
static void service(VMHANDLE vm, void *ref, struct client_regs *r)
{
    unsigned n = (unsigned)(uintptr_t)ref;
    if (n == RESET)
        no_boot(vm, r, "a restart (the reset vector, F000:FFF0)", 0);
    uint32_t cs = r->cs, ip = r->eip, flags = seg_off(r->ss, (r->esp + 4) & 0xFFFF);
    if (handlers[n & 0xFF])
        handlers[n & 0xFF](vm, r);
    else
        unowned(vm, r, n & 0xFF);
    if ((n & HOOK) || r->cs != cs || r->eip != ip)
        return;
    if (vm_ram(vm, flags, 2, 1)) {
        uint8_t *p = vm_mem(vm) + flags;
        put16(p, (uint16_t)((get16(p) & ~ARITH) | (r->eflags & ARITH)));
    }
}

/* ---- VBIOS's services, for the devices' VxDs ------------------------------------------------- */

static uint32_t get_version(void) { return VBIOS_VERSION; }

/* The handler of INT n's BIOS service (n one of 10h-1Ah); the one it replaces, or 0 if none was
 * (1 then if n has no BIOS service here: nothing is installed). */
static vbios_handler set_int_handler(uint32_t n, vbios_handler h)
{
    for (unsigned i = 0; i < ndir; i++)
        if ((dir[i].kind == K_CALL || dir[i].kind == K_HOOK) && dir[i].vec == n) {
            vbios_handler old = handlers[n];
            handlers[n] = h;
            return old;
        }
    printf("VBIOS_Set_Int_Handler: INT %02xh has no BIOS service here; refused\n", n);
    return (vbios_handler)1;
}

/* ---- initialisation -------------------------------------------------------------------------- */

/* The image's fonts (vbios.h) from the console's glyphs: 8x16 as they are, 8x14 without their
 * first and last rows, 8x8 each two rows in one.  0 if bios.asm's tables are not where vbios.h
 * says (the two are written apart: INT 1Fh's and 43h's vectors name them). */
const uint8_t (*VMM_Font_CP437(uint32_t *height))[32];     /* the VMM's, linked by name */
static int fonts(void)
{
    for (unsigned i = 0; i < ndir; i++)
        if ((dir[i].vec == 0x1F && dir[i].entry != (VBIOS_FONT_8X8_HIGH & 0xFFFF)) ||
            (dir[i].vec == 0x43 && dir[i].entry != (VBIOS_FONT_8X8 & 0xFFFF))) {
            printf("VBIOS: its image's font tables are not where vbios.h says; not loaded\n");
            return 0;
        }
    uint32_t h;
    const uint8_t (*f)[32] = VMM_Font_CP437(&h);
    if (!f || h != 16) {
        printf("VBIOS: the console's font is not 8x16; INT 10h AX=1130h's fonts are blank\n");
        return 1;
    }
    for (unsigned c = 0; c < 256; c++) {
        uint8_t *f16 = bios + (VBIOS_FONT_8X16 & 0xFFFF) + c * 16;
        uint8_t *f14 = bios + (VBIOS_FONT_8X14 & 0xFFFF) + c * 14;
        uint8_t *f8 = bios + (c < 128 ? (VBIOS_FONT_8X8 & 0xFFFF) + c * 8
                                      : (VBIOS_FONT_8X8_HIGH & 0xFFFF) + (c - 128) * 8);
        for (unsigned r = 0; r < 16; r++)
            f16[r] = f[c][r];
        for (unsigned r = 0; r < 14; r++)
            f14[r] = f[c][r + 1];
        for (unsigned r = 0; r < 8; r++)
            f8[r] = f[c][2 * r] | f[c][2 * r + 1];
    }
    return 1;
}

/* Port F0h, the FPU's busy latch on a PC/AT (INT 75h writes it): the running VM's FPU error
 * cleared, as IGNNE# lets a PC's FPU go on.  The VM's FPU state is the one loaded (the VMM
 * switches it at #NM, also for this instruction), the one FPU instruction a VxD may run. */
static uint32_t fpu_port(VMHANDLE vm, uint32_t type, uint32_t port, uint32_t data,
                         struct client_regs *r)
{
    (void)vm, (void)port, (void)data, (void)r;
    if (type & Output)
        __asm__ volatile("fnclex");
    return 0xFF;
}

static int init(void)
{
    uint32_t size = (uint32_t)(_binary_bios_bin_end - _binary_bios_bin_start);
    const uint8_t *img = _binary_bios_bin_start;
    if (size != BIOS_PAGES * 4096 || img[0] != 'V' || img[4] != 'S' || img[5] != 0) {
        printf("VBIOS: its BIOS image is %u bytes, not a 64 KB VBIOS image\n", size);
        return 1;
    }
    uint64_t r = _PageAllocate(BIOS_PAGES, PG_SYS, 0, 0, 0, 0, 0, PAGEFIXED);
    hbios = PAGE_RET_LO(r);
    bios = (uint8_t *)PAGE_RET_HI(r);
    if (!hbios || !_Assign_Device_V86_Pages(BIOS_PAGE, BIOS_PAGES, 0, 0)) {
        printf("VBIOS: no memory for the BIOS image, or F0000-FFFFF is another device's\n");
        return 1;
    }
    for (uint32_t i = 0; i < size; i++)
        bios[i] = img[i];
    dir = (const struct dir_entry *)(bios + 8);
    ndir = get16(bios + 6);
    if (!fonts())
        return 1;
    for (unsigned i = 0; i < ndir; i++) {
        if (dir[i].kind != K_CALL && dir[i].kind != K_RESET && dir[i].kind != K_HOOK)
            continue;
        uint32_t cb = Allocate_V86_Call_Back(
            (void *)(uintptr_t)(dir[i].kind == K_RESET ? RESET
                                : dir[i].kind == K_HOOK ? HOOK | dir[i].vec : dir[i].vec), service);
        if (!cb) {
            printf("VBIOS: no V86 call back left for INT %02xh\n", dir[i].vec);
            return 1;
        }
        put16(bios + dir[i].stub + 1, (uint16_t)cb);            /* call far seg:off */
        put16(bios + dir[i].stub + 3, (uint16_t)(cb >> 16));
    }
    if (!Install_IO_Handler(0xF0, fpu_port)) {
        printf("VBIOS: port F0h (the FPU's) is another device's\n");
        return 1;
    }
    handlers[0x11] = int11;
    handlers[0x12] = int12;
    handlers[0x14] = int14;
    handlers[0x15] = int15;
    handlers[0x17] = int17;
    handlers[0x18] = int18;
    handlers[0x19] = int19;
    handlers[0x1A] = int1a;
    printf("VBIOS: the BIOS at F000:0000 for every VM: %u entry points, services of INT 11h "
           "12h 14h 15h 17h 18h 19h 1Ah\n", ndir);
    return 0;
}

static int control(uint32_t msg, uint32_t vm, uint32_t arg)
{
    (void)arg;
    switch (msg) {
    case SYS_CRITICAL_INIT:
        return init();
    case SYS_VM_INIT:
        return vm_setup(Get_Sys_VM_Handle());
    case VM_CRITICAL_INIT:
        return vm_setup((VMHANDLE)vm);
    case VM_V86_RESET:
        vm_reset((VMHANDLE)vm);
        return 0;
    }
    return 0;
}

static uint32_t services[VBIOS_SERVICE_COUNT] = {
    [VBIOS_Get_Version_Ord] = (uint32_t)get_version,
    [VBIOS_Set_Int_Handler_Ord] = (uint32_t)set_int_handler,
};

DECLARE_VIRTUAL_DEVICE(VBIOS_DDB, "VBIOS   ", 4, 0, control, VBIOS_DEVICE_ID, VBIOS_INIT_ORDER,
                       services, VBIOS_SERVICE_COUNT);
