/* Lazy FPU switching between threads: see sched/fpu.h. */
#include "sched/fpu.h"
#include "sched/thread.h"
#include "x86/cpu.h"
#include "x86/x86.h"
#include "lib/string.h"

#define CR0_TS   0x08u
#define CR4_OSFXSR 0x200u

struct thread *fpu_owner;
uint8_t fpu_ts;
static int fxsr;                        /* FXSAVE/FXRSTOR (SSE's registers too), else FNSAVE */
static uint8_t clean_area[FPU_AREA];    /* what a thread's first FPU instruction finds */

static inline uint32_t read_cr4_(void) { uint32_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0_(uint32_t v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static inline uint8_t *area(uint8_t *a) { return (uint8_t *)(((uintptr_t)a + 15) & ~(uintptr_t)15); }

static void save(uint8_t *a)
{
    if (fxsr)
        __asm__ volatile("fxsave %0" : "=m"(*(uint8_t(*)[512])area(a)));
    else
        __asm__ volatile("fnsave %0" : "=m"(*(uint8_t(*)[108])area(a)));
}
static void load(const uint8_t *a)
{
    if (fxsr)
        __asm__ volatile("fxrstor %0" : : "m"(*(const uint8_t(*)[512])area((uint8_t *)a)));
    else
        __asm__ volatile("frstor %0" : : "m"(*(const uint8_t(*)[108])area((uint8_t *)a)));
}

void fpu_set_ts(int on)
{
    fpu_ts = (uint8_t)on;
    if (on)
        write_cr0_(read_cr0() | CR0_TS);
    else
        __asm__ volatile("clts");
}

void fpu_init(void)
{
    fxsr = CPU_HAS(feat_edx, 24) && (read_cr4_() & CR4_OSFXSR);
    __asm__ volatile("clts; fninit");
    save(clean_area);                   /* a PC's FPU after FNINIT */
    if (fxsr) {                         /* the firmware's SSE registers not handed on */
        uint8_t *c = area(clean_area);
        memset(c + 160, 0, 256);        /* XMM0-7 (and the slots of 8-15) */
        c[24] = 0x80;                   /* MXCSR 1F80h: every exception masked */
        c[25] = 0x1F;
        c[26] = c[27] = 0;
    }
    fpu_owner = 0;
    fpu_set_ts(1);
}

int fpu_fault(void)
{
    if (!fpu_ts)
        return 0;                       /* TS was clear: not a switch (EM?): not ours */
    fpu_set_ts(0);
    struct thread *t = thread_cur;
    if (fpu_owner == t)
        return 1;
    if (fpu_owner)
        save(fpu_owner->fpu);
    load(t->fpu_used ? t->fpu : clean_area);
    t->fpu_used = 1;
    fpu_owner = t;
    return 1;
}

void fpu_forget(struct thread *t)
{
    if (fpu_owner != t)
        return;
    fpu_owner = 0;                      /* its registers stay loaded, owned by no one: the */
    fpu_set_ts(1);                      /* next FPU instruction loads its thread's own */
}
