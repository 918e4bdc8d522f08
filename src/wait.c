/* wait.c: the stop flag and the interruptible sleep every csmaint wait uses. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "csmaint.h"
#include "wait.h"

volatile sig_atomic_t wait_signal;

static void
on_signal(int sig)
{
	wait_signal = sig;
}

void
wait_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking call returns EINTR and the loop looks at the flag. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int
wait_stopped(void)
{
	if (wait_signal == 0)
		return 0;
	csm_err_set(CSM_EFAIL, "interrupted by signal %d (%s)", (int)wait_signal,
	    strsignal((int)wait_signal));
	return 1;
}

void
wait_sleep(double seconds)
{
	double end = csm_now() + seconds, left;

	/* Slices of at most 200 ms: a signal that lands between the flag test and the
	 * nanosleep call is seen at the next slice, not after the whole sleep. */
	while (!wait_signal && (left = end - csm_now()) > 0) {
		struct timespec ts;
		if (left > 0.2)
			left = 0.2;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		if (nanosleep(&ts, NULL) != 0 && errno != EINTR)
			break;
	}
}

void
wait_pause(double seconds)
{
	double end = csm_now() + seconds, left;

	while ((left = end - csm_now()) > 0) {
		struct timespec ts;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		if (nanosleep(&ts, NULL) != 0 && errno != EINTR)
			break;
	}
}
