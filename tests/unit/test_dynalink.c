/*
 * The dynalink's bytes (vmm/vxd/dynalink.h): the stub a VxD is built with, the patch the first
 * call writes, and back -- checked against what the assembler makes of the same instructions
 * (`int $0x20; .long D`, `call *SLOT`, `jmp *SLOT`), and against the SDK's VXD_IMPORT stub.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>
#include "vxd/dynalink.h"
#include "vmm/vxd.h"
#include "testlib.h"

/* What the assembler encodes for the three forms (i386 bytes, written out). */
static const uint8_t as_int20[6] = { 0xCD, 0x20, 0x4F, 0x80, 0x01, 0x00 };  /* int $0x20; .long 0x0001804F */
static const uint8_t as_call[6]  = { 0xFF, 0x15, 0x78, 0x56, 0x34, 0x12 };  /* call *0x12345678 */
static const uint8_t as_jmp[6]   = { 0xFF, 0x25, 0x78, 0x56, 0x34, 0x12 };  /* jmp *0x12345678 */

Test(dynalink, dword_fields)
{
    uint32_t d = dynalink_dword(VMM_DEVICE_ID, 0x4F, 1);
    cr_assert_eq(d, 0x0001804Fu);
    struct dynalink_call c = dynalink_decode(d);
    cr_assert_eq(c.device, 1);
    cr_assert_eq(c.service, 0x4F);
    cr_assert_eq(c.jmp, 1);
    c = dynalink_decode(0x3F007FFFu);
    cr_assert(c.device == 0x3F00 && c.service == 0x7FFF && c.jmp == 0);
    cr_assert_eq(dynalink_dword(0x27, 0x8001, 0), 0x00270001u, "bit 15 of a service is the form's");
}

Test(dynalink, stub_and_patches_match_the_assembler)
{
    uint8_t b[6];
    dynalink_stub(b, 0x0001804Fu);
    cr_assert_arr_eq(b, as_int20, 6);
    dynalink_patch(b, 0x0001004Fu, 0x12345678u);
    cr_assert_arr_eq(b, as_call, 6, "bit 15 clear: call [slot]");
    dynalink_patch(b, 0x0001804Fu, 0x12345678u);
    cr_assert_arr_eq(b, as_jmp, 6, "bit 15 set: jmp [slot] (VxDJmp)");
}

Test(dynalink, parse_round_trips)
{
    uint8_t b[6];
    uint32_t dword = 0, slot = 0;
    for (uint32_t d = 1; d < 0xFFFFFFF0u; d = d * 7 + 0x10001u) {
        dynalink_stub(b, d);
        cr_assert_eq(dynalink_parse(b, &dword, &slot), 0);
        cr_assert_eq(dword, d);
        dynalink_patch(b, d, ~d);
        cr_assert_eq(dynalink_parse(b, &dword, &slot), 1);
        cr_assert_eq(slot, ~d);
    }
    static const uint8_t other[6] = { 0xE8, 0, 0, 0, 0, 0 };       /* a direct call */
    cr_assert_eq(dynalink_parse(other, &dword, &slot), -1);
    static const uint8_t int21[6] = { 0xCD, 0x21, 0, 0, 0, 0 };
    cr_assert_eq(dynalink_parse(int21, &dword, &slot), -1);
}

/* The SDK's VXD_IMPORT makes exactly the stub the VMM expects (6 bytes, VxDJmp form). */
VXD_IMPORT(0x3F00, 2, test_imported_service)
void test_imported_service(void);
Test(dynalink, sdk_stub)
{
    uint8_t want[6];
    dynalink_stub(want, dynalink_dword(0x3F00, 2, 1));
    cr_assert_arr_eq((const uint8_t *)(uintptr_t)test_imported_service, want, 6);
}
