/*
 * VMM-wide state handed over at boot, the way the VMM ends a run, and the way a service refuses
 * a call.  The boot state is set up once by vmm_main before anything else uses it; read-only
 * afterwards.
 */
#ifndef VMM_VMM_H
#define VMM_VMM_H
#include <stdint.h>
#include "boot/bootinfo.h"

struct vmm_boot {
    const struct boot_info *bi;             /* mapped */
    const struct bi_mem_range *mmap;        /* mapped, bi->mmap_count entries, packed (an array) */
    const struct bi_module *mods;           /* mapped, bi->module_count entries, packed */
    uint64_t entry_tsc;                     /* TSC at vmm_entry */
};
extern struct vmm_boot boot;

/* The boot's steps: each call notes the TSC as a step named `what` (a string that lives for
 * good) ends; [Debug] BootTimes=1 lists them at VMM ready (vmm/main.c). */
void boot_step(const char *what);

/* Verdicts reported to a test harness through QEMU's isa-debug-exit (SYSTEM.INI [Debug]
 * ExitPort=); QEMU exits with (code << 1) | 1.  Never 0. */
#define VMM_EXIT_READY     0x10     /* boot completed: QEMU exit status 33 */
#define VMM_EXIT_FATAL     0x11     /* fatal exception report printed: 35 */
#define VMM_EXIT_BADBOOT   0x12     /* boot info unusable: 37 */

/* Reports the verdict on vmm_exit_port when one is configured, then halts for good (vmm/exit.c,
 * callable from anywhere, a fault report included). */
extern uint16_t vmm_exit_port;      /* [Debug] ExitPort=: isa-debug-exit port; 0 off */
__attribute__((noreturn)) void vmm_exit(uint32_t code);
/* The boot thread, its work done: waits until a device calls Exit_System (exit_why: its reason). */
void exit_wait(void);
extern const char *exit_why;

/* The code that called the function this is written in: for a service, the VxD (or VMM code)
 * whose call it refuses. */
#define CALLER ((uint32_t)(uintptr_t)__builtin_return_address(0))
/* A service refusing a call, the one way (vmm/refuse.c): prints "SVC: WHY (caller MODULE
 * SYMBOL+0xOFF); refused" (the caller's address where no module holds it), WHY formatted from
 * fmt, and returns 0, what most services return when they refuse.
 * Call it with interrupts on where possible (the console may be slow). */
uint32_t refused(const char *svc, uint32_t caller, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), cold));

#endif
