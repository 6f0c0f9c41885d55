/*
 * The in-guest tests' bookkeeping (mem/pagetest.c, int/inttest.c, sched/schedtest.c): a check
 * that holds counts as passed and prints nothing; one that fails prints "NAME: FAIL line L:
 * what"; the run ends with selftest_end's "NAME: N passed, M failed", which the boot tests read.
 */
#ifndef LIB_SELFTEST_H
#define LIB_SELFTEST_H
#include "console/console.h"

struct selftest {
    const char *name;
    unsigned pass, fail;
};

#define SELFTEST_CHECK(t, cond, what)                                                       \
    do {                                                                                    \
        if (cond)                                                                           \
            (t)->pass++;                                                                    \
        else {                                                                              \
            (t)->fail++;                                                                    \
            kprintf("%s: FAIL line %u: %s\n", (t)->name, __LINE__, what);                   \
        }                                                                                   \
    } while (0)

static inline void selftest_end(const struct selftest *t)
{
    kprintf("%s: %u passed, %u failed\n", t->name, t->pass, t->fail);
}

#endif
