/* The way the VMM ends a run: see vmm.h; and Exit_System (include/vmm/vm.h). */
#include "vmm.h"
#include "vmm/thread.h"
#include "vmm/vm.h"
#include "x86/x86.h"
#include "lib/kfmt.h"
#include "console/console.h"

uint16_t vmm_exit_port;
static char why_copy[80];               /* the caller's text may go with its VxD */
const char *exit_why = why_copy;
static SEMHANDLE exit_sem;
static int exit_asked;

void vmm_exit(uint32_t code)
{
    if (code == VMM_EXIT_BADBOOT)       /* the reason is the line above */
        kprintf("*** system halted: the boot cannot go on (the reason is above)\n");
    if (vmm_exit_port)
        outl(vmm_exit_port, code);
    halt_forever();
}

uint32_t Exit_System(const char *why)
{
    INTS_OFF();
    if (!exit_asked) {
        exit_asked = 1;
        ksnprintf(why_copy, sizeof why_copy, "%s", why && *why ? why : "Exit_System");
        if (exit_sem)
            Signal_Semaphore_No_Switch(exit_sem);
    }
    return 1;
}

void exit_wait(void)
{
    {
        INTS_OFF();
        if (exit_asked || !(exit_sem = Create_Semaphore(0)))
            return;
    }
    Wait_Semaphore(exit_sem, 0);
}
