/*
 * The linear arenas of the running VMM.  So far the system arena (SYSARENA_BASE..PHYSMAP_BASE,
 * include/boot/layout.h), whose bookkeeping lives in its own PTEs, reached through the
 * page-table self-map; every page table of the system region exists from boot, so any of its
 * PTEs can be read and written.  The page services (next) reserve through it.  Not reentrant.
 */
#ifndef MEM_LINEAR_H
#define MEM_LINEAR_H
#include "mem/arena.h"

extern struct arena sys_arena;

int linear_init(void);          /* 0 ok; -1 (reason printed) */

#endif
