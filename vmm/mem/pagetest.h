/* In-guest tests of the page services (SYSTEM.INI [Debug] PageTest=1): see pagetest.c. */
#ifndef MEM_PAGETEST_H
#define MEM_PAGETEST_H
void pagetest_run(void);
#endif
