/*
 * Host tests for vxd/vpicd/vpic.c, one VM's virtual 8259A pair: the state a BIOS leaves, the
 * priorities, nesting and EOIs, the cascade, the initialisation sequence, OCW3's reads and poll,
 * automatic EOI, rotation, level triggering, a request withdrawn.
 */
#include <criterion/criterion.h>
#include <stdint.h>

#include "../../vxd/vpicd/vpic.h"

static struct vpic p;

static void bios(void) { vpic_reset(&p, 0x08, 0x70, 0x00, 0x00); }

static int ack(void) { return vpic_ack(&p, 0); }

static uint8_t rd(unsigned port) { return vpic_read(&p, port, 0); }

TestSuite(vpic, .init = bios);

Test(vpic, bios_state_and_a_timer_interrupt)
{
    vpic_reset(&p, 0x08, 0x70, 0xB8, 0x8F);
    cr_assert_eq(rd(0x21), 0xB8);
    cr_assert_eq(rd(0xA1), 0x8F);
    cr_assert_not(vpic_intr(&p));
    cr_assert_eq(ack(), -1, "nothing to take");
    vpic_line(&p, 0, 1);
    cr_assert(vpic_intr(&p));
    cr_assert_eq(rd(0x20), 0x01, "IRR: IRQ 0 (the even port reads the IRR after a reset)");
    cr_assert_eq(ack(), 0x08);
    cr_assert_not(vpic_intr(&p), "IRQ 0 in service blocks itself");
    vpic_write(&p, 0x20, 0x0B);             /* OCW3: read the ISR */
    cr_assert_eq(rd(0x20), 0x01);
    cr_assert_eq(vpic_write(&p, 0x20, 0x20), 0x0001, "the non-specific EOI ended IRQ 0");
    cr_assert_eq(rd(0x20), 0x00);
}

Test(vpic, edge_triggered_line_held_high_interrupts_once)
{
    vpic_line(&p, 0, 1);
    cr_assert_eq(ack(), 0x08);
    vpic_write(&p, 0x20, 0x20);
    cr_assert_not(vpic_intr(&p), "no new edge");
    vpic_line(&p, 0, 0);
    vpic_line(&p, 0, 1);
    cr_assert_eq(ack(), 0x08, "a new edge");
}

Test(vpic, masked_request_waits_in_irr)
{
    vpic_write(&p, 0x21, 0x02);             /* mask IRQ 1 */
    vpic_line(&p, 1, 1);
    cr_assert_not(vpic_intr(&p));
    cr_assert_eq(rd(0x20), 0x02);
    vpic_write(&p, 0x21, 0x00);
    cr_assert_eq(ack(), 0x09);
}

Test(vpic, priority_and_nesting)
{
    vpic_line(&p, 4, 1);
    vpic_line(&p, 3, 1);
    cr_assert_eq(ack(), 0x0B, "IRQ 3 before IRQ 4");
    cr_assert_not(vpic_intr(&p), "IRQ 4 waits for IRQ 3's EOI");
    vpic_line(&p, 1, 1);
    cr_assert(vpic_intr(&p), "IRQ 1 nests over IRQ 3");
    cr_assert_eq(ack(), 0x09);
    vpic_write(&p, 0x20, 0x0B);
    cr_assert_eq(rd(0x20), 0x0A, "ISR: IRQ 1 and 3");
    cr_assert_eq(vpic_write(&p, 0x20, 0x20), 0x0002, "the non-specific EOI ends the highest");
    cr_assert_not(vpic_intr(&p));
    cr_assert_eq(vpic_write(&p, 0x20, 0x63), 0x0008, "specific EOI of IRQ 3");
    cr_assert_eq(ack(), 0x0C);
    cr_assert_eq(vpic_write(&p, 0x20, 0x63), 0, "a specific EOI of what is not in service");
}

Test(vpic, cascade_through_irq2)
{
    vpic_line(&p, 10, 1);
    cr_assert(vpic_intr(&p));
    cr_assert_eq(rd(0x20), 0x04, "the master sees IR2");
    cr_assert_eq(rd(0xA0), 0x04, "the slave IR2 (IRQ 10)");
    cr_assert_eq(ack(), 0x72);
    vpic_write(&p, 0x20, 0x0B);
    vpic_write(&p, 0xA0, 0x0B);
    cr_assert_eq(rd(0x20), 0x04, "master ISR: the cascade");
    cr_assert_eq(rd(0xA0), 0x04, "slave ISR: IRQ 10");
    vpic_line(&p, 12, 1);
    cr_assert_not(vpic_intr(&p), "IRQ 12 waits: the cascade is in service");
    vpic_line(&p, 0, 1);
    cr_assert_eq(ack(), 0x08, "IRQ 0 nests over the cascade");
    vpic_write(&p, 0x20, 0x60);             /* specific EOI of IRQ 0 */
    cr_assert_eq(vpic_write(&p, 0xA0, 0x20), 0x0400, "the slave's EOI ends IRQ 10");
    cr_assert_eq(vpic_write(&p, 0x20, 0x20), 0, "the master's EOI of the cascade is no IRQ's");
    cr_assert_eq(ack(), 0x74, "then IRQ 12");
}

Test(vpic, slave_mask_and_cascade_mask)
{
    vpic_write(&p, 0xA1, 0x04);
    vpic_line(&p, 10, 1);
    cr_assert_not(vpic_intr(&p));
    cr_assert_eq(rd(0x20), 0x00, "the slave's INT stays low");
    vpic_write(&p, 0xA1, 0x00);
    cr_assert(vpic_intr(&p));
    vpic_write(&p, 0x21, 0x04);
    cr_assert_not(vpic_intr(&p), "the cascade masked on the master");
}

Test(vpic, reinitialised_to_another_base)
{
    vpic_write(&p, 0x20, 0x11);
    vpic_write(&p, 0x21, 0x50);
    vpic_write(&p, 0x21, 0x04);
    vpic_write(&p, 0x21, 0x01);
    cr_assert_eq(rd(0x21), 0x00, "ICW1 cleared the mask");
    vpic_write(&p, 0x21, 0xFE);             /* OCW1 after the sequence */
    cr_assert_eq(rd(0x21), 0xFE);
    vpic_line(&p, 0, 1);
    cr_assert_eq(ack(), 0x50);
    vpic_line(&p, 1, 1);
    cr_assert_not(vpic_intr(&p));
}

Test(vpic, initialisation_without_icw3_and_icw4)
{
    vpic_write(&p, 0xA0, 0x12);             /* single, no ICW4 */
    vpic_write(&p, 0xA1, 0x28);
    vpic_write(&p, 0xA1, 0xFB);             /* already OCW1 */
    cr_assert_eq(rd(0xA1), 0xFB);
}

Test(vpic, poll)
{
    vpic_line(&p, 5, 1);
    vpic_write(&p, 0x20, 0x0C);             /* OCW3: poll */
    cr_assert_eq(rd(0x20), 0x85, "the poll word: a request, IR5");
    vpic_write(&p, 0x20, 0x0B);
    cr_assert_eq(rd(0x20), 0x20, "the poll took it into service");
    vpic_write(&p, 0x20, 0x0C);
    cr_assert_eq(rd(0x20), 0x00, "nothing more");
}

Test(vpic, automatic_eoi)
{
    vpic_write(&p, 0x20, 0x11);
    vpic_write(&p, 0x21, 0x08);
    vpic_write(&p, 0x21, 0x04);
    vpic_write(&p, 0x21, 0x03);             /* ICW4: AEOI */
    vpic_line(&p, 3, 1);
    uint16_t eoi = 0;
    cr_assert_eq(vpic_ack(&p, &eoi), 0x0B);
    cr_assert_eq(eoi, 0x0008, "the EOI came with the acknowledge");
    vpic_write(&p, 0x20, 0x0B);
    cr_assert_eq(rd(0x20), 0);
    vpic_line(&p, 4, 1);
    cr_assert(vpic_intr(&p), "nothing in service blocks IRQ 4");
}

Test(vpic, rotation_on_eoi_and_set_priority)
{
    vpic_line(&p, 0, 1);
    cr_assert_eq(ack(), 0x08);
    cr_assert_eq(vpic_write(&p, 0x20, 0xA0), 0x0001, "rotate on non-specific EOI");
    vpic_line(&p, 0, 0);
    vpic_line(&p, 0, 1);
    vpic_line(&p, 6, 1);
    cr_assert_eq(ack(), 0x0E, "IRQ 0 is the lowest now: IRQ 6 first");
    vpic_write(&p, 0x20, 0xC4);             /* set priority: IRQ 4 the lowest */
    vpic_write(&p, 0x20, 0x66);             /* specific EOI of 6 */
    cr_assert_eq(ack(), 0x08, "IRQ 5 is the highest now, then ... 0");
}

Test(vpic, special_mask_mode_lets_lower_levels_in)
{
    vpic_line(&p, 1, 1);
    cr_assert_eq(ack(), 0x09);
    vpic_line(&p, 5, 1);
    cr_assert_not(vpic_intr(&p));
    vpic_write(&p, 0x21, 0x02);             /* mask the level in service */
    vpic_write(&p, 0x20, 0x68);             /* OCW3: set special mask mode */
    cr_assert(vpic_intr(&p));
    cr_assert_eq(ack(), 0x0D);
    vpic_write(&p, 0x20, 0x48);             /* reset special mask mode */
    vpic_write(&p, 0x20, 0x0B);
    cr_assert_eq(rd(0x20), 0x22);
}

Test(vpic, level_triggered_interrupts_again_while_high)
{
    vpic_write(&p, 0x20, 0x19);             /* ICW1: level */
    vpic_write(&p, 0x21, 0x08);
    vpic_write(&p, 0x21, 0x04);
    vpic_write(&p, 0x21, 0x01);
    vpic_line(&p, 3, 1);
    cr_assert_eq(ack(), 0x0B);
    vpic_write(&p, 0x20, 0x20);
    cr_assert(vpic_intr(&p), "still high: again");
    vpic_line(&p, 3, 0);
    cr_assert_not(vpic_intr(&p));
}

Test(vpic, withdrawn_request_is_not_taken)
{
    vpic_line(&p, 4, 1);
    vpic_line(&p, 4, 0);
    cr_assert_not(vpic_intr(&p));
    cr_assert_eq(rd(0x20), 0);
    vpic_line(&p, 11, 1);
    vpic_line(&p, 11, 0);
    cr_assert_not(vpic_intr(&p), "the cascade follows the slave");
    cr_assert_eq(rd(0x20), 0);
}

Test(vpic, cascade_line_and_bad_irqs_ignored)
{
    vpic_line(&p, 2, 1);
    vpic_line(&p, 16, 1);
    vpic_line(&p, 0xFFFFFFFFu, 1);
    cr_assert_not(vpic_intr(&p));
}
