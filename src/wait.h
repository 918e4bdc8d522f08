/*
 * wait.h: how csmaint waits: one stop flag for SIGINT/SIGTERM/SIGHUP and one sleep that
 * ends at once when it is raised.
 *
 * Calling sequence: a command that waits calls wait_catch_signals() once; every poll
 * loop calls wait_stopped() before each look and wait_sleep() between looks.
 * wait_stopped() sets the error message ("interrupted by signal N") when it returns 1,
 * so the loop can return CSM_EFAIL straight away.  The flag stays raised: every wait
 * after the first signal ends at once, so the caller's rollback must not wait on it.
 */
#ifndef CSM_WAIT_H
#define CSM_WAIT_H

#include <signal.h>

extern volatile sig_atomic_t wait_signal;	/* the stop signal caught, or 0 */

void wait_catch_signals(void);
/* 1 (message set) once a stop signal arrived, else 0. */
int wait_stopped(void);
/* Sleep SECONDS, or less when a stop signal arrives. */
void wait_sleep(double seconds);
/* Sleep SECONDS whatever the flag: for a rollback, which goes on after a stop signal. */
void wait_pause(double seconds);

#endif
