/* In-guest tests of threads, the scheduler and semaphores (SYSTEM.INI [Debug] SchedTest=1). */
#ifndef SCHED_SCHEDTEST_H
#define SCHED_SCHEDTEST_H
void schedtest_run(void);
#endif
