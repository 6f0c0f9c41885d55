/*
 * Host tests for vxd/vtd/vpit.c, one VM's virtual 8254 and port 61h: the BIOS's 18.2 Hz, a
 * reprogrammed rate, modes 0, 2 and 3 read back, the latch and read-back commands, the access
 * modes, channel 2's gate and output, the refresh bit, and the arithmetic without libgcc.
 */
#include <criterion/criterion.h>
#include <stdint.h>

#include "../../vxd/vtd/vpit.h"

static struct vpit p;
#define T0 1000000u                         /* the reset's tick: not 0, so offsets matter */

static void bios(void) { vpit_reset(&p, T0); }

TestSuite(vpit, .init = bios);

static uint16_t read16(unsigned port, uint64_t now)
{
    uint8_t lo = vpit_read(&p, port, now);
    return (uint16_t)(lo | vpit_read(&p, port, now) << 8);
}

Test(vpit, bios_rate_is_18_2_hz)
{
    cr_assert_eq(vpit_irq0_edges(&p, T0, T0 + 65535), 0);
    cr_assert_eq(vpit_irq0_edges(&p, T0, T0 + 65536), 1);
    cr_assert_eq(vpit_irq0_next(&p, T0), T0 + 65536);
    cr_assert_eq(vpit_irq0_next(&p, T0 + 65536), T0 + 2 * 65536);
    /* one hour: 65,543 ticks of 18.2065 Hz */
    uint64_t hour = vpit_ticks_of_ns(3600ull * 1000000000ull);
    cr_assert_eq(hour, 3600ull * VPIT_HZ);
    cr_assert_eq(vpit_irq0_edges(&p, T0, T0 + hour), 3600ull * VPIT_HZ / 65536);
    cr_assert_eq(vpit_irq0_edges(&p, T0 + 10, T0 + 10 + hour),
                 vpit_irq0_edges(&p, T0, T0 + hour), "split anywhere, the same count");
}

Test(vpit, reprogrammed_to_1000_hz_mode_2)
{
    uint64_t t = T0 + 500;
    vpit_write(&p, 0x43, 0x34, t);          /* channel 0, LSB then MSB, mode 2 */
    cr_assert_eq(vpit_irq0_next(&p, t), UINT64_MAX, "a null count: no edge");
    vpit_write(&p, 0x40, 0xA9, t);
    vpit_write(&p, 0x40, 0x04, t);          /* 04A9h = 1193 */
    cr_assert_eq(vpit_irq0_edges(&p, t, t + 1193 * 1000), 1000);
    cr_assert_eq(vpit_irq0_next(&p, t + 1), t + 1193);
    cr_assert_eq(read16(0x40, t + 100), 1193 - 100, "mode 2 counts down by one");
    cr_assert_eq(read16(0x40, t + 1193 + 5), 1193 - 5, "and reloads");
    vpit_write(&p, 0x43, 0x00, t + 10);     /* latch */
    cr_assert_eq(read16(0x40, t + 900), 1183, "the latched value, not the live one");
    cr_assert_eq(read16(0x40, t + 900), 1193 - 900, "then live again");
}

Test(vpit, mode_3_counts_by_two)
{
    uint64_t t = T0;
    cr_assert_eq(read16(0x40, t + 1), (uint16_t)(65536 - 2));
    cr_assert_eq(read16(0x40, t + 32768 + 3), (uint16_t)(65536 - 6), "the second half again");
    vpit_write(&p, 0x43, 0xE2, t);          /* read-back: status of channel 0 */
    uint8_t st = vpit_read(&p, 0x40, t + 5);
    cr_assert_eq(st, 0x80 | 0x30 | 0x06, "OUT high, LSB/MSB, mode 3: %02x", st);
    vpit_write(&p, 0x43, 0xE2, t + 40000);
    cr_assert_eq(vpit_read(&p, 0x40, t + 40000) & 0x80, 0, "OUT low in the second half");
}

Test(vpit, mode_0_interrupts_once)
{
    uint64_t t = T0 + 7;
    vpit_write(&p, 0x43, 0x30, t);          /* channel 0, mode 0 */
    vpit_write(&p, 0x43, 0xE2, t);
    cr_assert_eq(vpit_read(&p, 0x40, t) & 0xC0, 0x40, "OUT low, null count");
    vpit_write(&p, 0x40, 100, t);
    vpit_write(&p, 0x40, 0, t);
    cr_assert_eq(vpit_irq0_edges(&p, t, t + 99), 0);
    cr_assert_eq(vpit_irq0_edges(&p, t, t + 100000), 1);
    cr_assert_eq(vpit_irq0_next(&p, t), t + 100);
    cr_assert_eq(vpit_irq0_next(&p, t + 100), UINT64_MAX);
    cr_assert_eq(read16(0x40, t + 102), 0xFFFE, "past zero it wraps");
}

Test(vpit, access_modes_and_read_back_of_counts)
{
    vpit_write(&p, 0x43, 0x94, T0);         /* channel 2, LSB only, mode 2 */
    vpit_write(&p, 0x42, 0x80, T0);
    cr_assert_eq(p.ch[2].count, 0x80, "LSB only: the MSB is 0");
    vpit_write(&p, 0x43, 0xA4, T0);         /* channel 2, MSB only */
    vpit_write(&p, 0x42, 0x12, T0);
    cr_assert_eq(p.ch[2].count, 0x1200);
    vpit_write(&p, 0x43, 0xD2, T0 + 3);     /* read-back: counts of 0 (and not 1, 2) */
    vpit_write(&p, 0x43, 0x00, T0 + 9);     /* a second latch does not replace the first */
    cr_assert_eq(read16(0x40, T0 + 50), (uint16_t)(65536 - 6));
}

Test(vpit, channel_2_gate_and_output_on_port_61)
{
    uint64_t t = T0 + 1000;
    vpit_write(&p, 0x43, 0xB0, t);          /* channel 2, LSB/MSB, mode 0 */
    vpit_write(&p, 0x42, 0x00, t);
    vpit_write(&p, 0x42, 0x10, t);          /* 1000h */
    cr_assert_eq(read16(0x42, t + 100), 0x1000, "the gate is off: held");
    vpit_write(&p, 0x61, 0x01, t + 200);    /* gate on */
    cr_assert_eq(read16(0x42, t + 300), 0x1000 - 100);
    cr_assert_eq(vpit_read(&p, 0x61, t + 300) & 0x21, 0x01, "OUT2 low, gate bit as written");
    vpit_write(&p, 0x61, 0x00, t + 400);    /* off: held where it was */
    cr_assert_eq(read16(0x42, t + 5000), 0x1000 - 200);
    vpit_write(&p, 0x61, 0x03, t + 6000);   /* on again, speaker on: resumes */
    cr_assert_eq(vpit_read(&p, 0x61, t + 6000 + 0x1000) & 0x20, 0x20, "terminal count: OUT2 high");
    cr_assert_eq(vpit_read(&p, 0x61, t + 6000) & 0x0F, 0x03);
}

Test(vpit, refresh_bit_toggles)
{
    uint8_t a = vpit_read(&p, 0x61, 18 * 100) & 0x10, b = vpit_read(&p, 0x61, 18 * 101) & 0x10;
    cr_assert_neq(a, b);
    cr_assert_eq(vpit_read(&p, 0x61, 18 * 101 + 17) & 0x10, b);
}

Test(vpit, mode_1_on_channel_2_waits_for_the_gate)
{
    vpit_write(&p, 0x43, 0xB2, T0);         /* channel 2, mode 1 */
    vpit_write(&p, 0x42, 50, T0);
    vpit_write(&p, 0x42, 0, T0);
    cr_assert_eq(read16(0x42, T0 + 500), 50, "no trigger yet");
    vpit_write(&p, 0x61, 0x01, T0 + 600);
    cr_assert_eq(read16(0x42, T0 + 610), 40);
    cr_assert_eq(vpit_read(&p, 0x61, T0 + 700) & 0x20, 0x20, "the one shot ended");
}

Test(vpit, arithmetic_without_libgcc)
{
    uint32_t r;
    cr_assert_eq(vpit_div(0xFFFFFFFFFFFFFFFFull, 65536, &r), 0xFFFFFFFFFFFFull);
    cr_assert_eq(r, 0xFFFF);
    cr_assert_eq(vpit_div(123456789012345ull, 1193, &r), 123456789012345ull / 1193);
    cr_assert_eq(r, 123456789012345ull % 1193);
    cr_assert_eq(vpit_div(5, 7, &r), 0);
    cr_assert_eq(r, 5);
    for (uint64_t ns = 1; ns < (1ull << 63); ns = ns * 3 + 1) {
        unsigned __int128 want = (unsigned __int128)ns * VPIT_HZ / 1000000000u;
        uint64_t got = vpit_ticks_of_ns(ns);
        cr_assert(got + 1 >= want && got <= want + 1, "%llu ns: %llu ticks, want %llu",
                  (unsigned long long)ns, (unsigned long long)got, (unsigned long long)want);
    }
}

Test(vpit, control_word_modes_6_and_7_are_2_and_3)
{
    vpit_write(&p, 0x43, 0x3C, T0);         /* mode 6 */
    cr_assert_eq(p.ch[0].mode, 2);
    vpit_write(&p, 0x43, 0x3E, T0);         /* mode 7 */
    cr_assert_eq(p.ch[0].mode, 3);
}
