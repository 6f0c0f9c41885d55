/* The SYSTEM.INI settings the VMM reads so far.  Filled once at boot by sysini_load; read-only
 * afterwards.  [Debug] ExitPort= goes to vmm_exit_port (vmm.h), read by vmm_exit. */
#ifndef VMM_BOOT_SYSINI_H
#define VMM_BOOT_SYSINI_H
#include <stddef.h>
#include <stdint.h>

struct vmm_settings {
    char boot_fault[8];         /* [Debug] BootFault=: "UD", "PF", ... (vmm/main.c) after VMM ready */
    uint8_t bench;              /* [Debug] Bench=1: run the in-guest benchmarks after VMM ready */
    uint8_t key_bench;          /* [Debug] KeyBench=1: the key bench (a boot with VKD) */
    uint8_t boot_times;         /* [Debug] BootTimes=1: the boot's steps in TSC counts (any build) */
    uint8_t page_test;          /* [Debug] PageTest=1: the page services' in-guest tests */
    uint8_t int_test;           /* [Debug] IntTest=1: the interrupt services' in-guest tests */
    uint8_t sched_test;         /* [Debug] SchedTest=1: threads, scheduler, semaphores */
    uint8_t time_test;          /* [Debug] TimeTest=1: time kept by one clock (no icount) */
    uint8_t vxd_test;           /* [Debug] VxdTest=1: VXDLDR and the dynalink (needs DYN.VXD) */
    uint8_t v86_test;           /* [Debug] V86Test=1: V86 VMs (tests/guest/v86test.c) */
    uint8_t v86_spin;           /* [Debug] V86Spin=1: a V86 VM left spinning (monitor-v86-state) */
    uint8_t kbd_test;           /* [Debug] KbdTest=1: a VM reading keys the harness types */
    uint8_t screen_test;        /* [Debug] ScreenTest=1: a VM's screen shown for a screendump */
    uint8_t boot_test;          /* [Debug] BootTest=1: the system VM's boot screen, for SeaBIOS's */
    uint8_t dos_test;           /* [Debug] DosTest=1: the system VM's DOS program's checks */
    uint32_t sched_stats;       /* [Debug] SchedStats=ms: CPU time per VM and thread, every ms */
    uint32_t min_timeslice;     /* [386Enh] MinTimeSlice=: ms, the time-slice granularity (20) */
    uint32_t win_fg, win_bg;    /* [386Enh] WinTimeSlice=fg,bg: the system VM's (100,50) */
    uint32_t timer_hz;          /* [386Enh] TimerHz=: APIC timer interrupts a second (1000) */
    uint32_t conv_kb;           /* [386Enh] ConvMemKB=: each V86 VM's conventional memory (640) */
};
extern struct vmm_settings settings;

void sysini_load(void);         /* reads VMM/SYSTEM.INI if present; reports bad lines */
/* Calls cb with each [386Enh] device= value (not NUL-terminated) and its line, in file order;
 * returns how many there were, or -1 without a SYSTEM.INI. */
int  sysini_devices(void (*cb)(const char *name, size_t len, unsigned line, void *ctx), void *ctx);

#endif
