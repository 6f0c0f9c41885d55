/* A VxD that needs libgcc's 64-bit division (__udivdi3): vxd.mk must refuse to build it, naming
 * the symbol (make check-sdk, run by make test). */
#include <stdint.h>
#include <vmm/vxd.h>
uint64_t f(uint64_t a, uint64_t b);
uint64_t f(uint64_t a, uint64_t b) { return a / b; }
static int control(uint32_t msg, uint32_t vm, uint32_t arg)
{
    (void)msg, (void)vm, (void)arg;
    return 0;
}
DECLARE_VIRTUAL_DEVICE(DIV_DDB, "DIV64   ", 4, 0, control, UNDEFINED_DEVICE_ID,
                       UNDEFINED_INIT_ORDER, 0, 0);
