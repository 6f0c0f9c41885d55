/* In-guest tests of the interrupt services (SYSTEM.INI [Debug] IntTest=1): see inttest.c. */
#ifndef INT_INTTEST_H
#define INT_INTTEST_H
void inttest_run(void);
#endif
