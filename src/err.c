/* err.c: the last-error slot and the stderr diagnostics every module uses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csmaint.h"

int csm_verbose;
int csm_quiet;

static __thread char err_msg[2048];

/* Record a failure where it happens; returns the code so callers can "return csm_err_set(..)". */
int
csm_err_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
	va_end(ap);
	return code;
}

/* Put context in front of the recorded message ("cannot disable host 12: " + lower layer). */
int
csm_err_prefix(const char *fmt, ...)
{
	char old[sizeof(err_msg)];
	size_t len;
	va_list ap;

	memcpy(old, err_msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
	va_end(ap);
	len = strlen(err_msg);
	if (old[0] != '\0' && len + 3 < sizeof(err_msg)) {
		memcpy(err_msg + len, ": ", 2);
		len += 2;
		old[sizeof(old) - len - 1] = '\0';
		memcpy(err_msg + len, old, strlen(old) + 1);
	}
	return 0;
}

const char *
csm_err_msg(void)
{
	return err_msg[0] ? err_msg : "unknown error";
}

void
csm_err_clear(void)
{
	err_msg[0] = '\0';
}

/* Map a module code to the process exit status. */
int
csm_exit_of(int code)
{
	switch (code) {
	case CSM_OK:
		return CSM_EXIT_OK;
	case CSM_EUSAGE:
		return CSM_EXIT_USAGE;
	case CSM_ENOTFOUND:
		return CSM_EXIT_NOTFOUND;
	case CSM_ECONFLICT:
		return CSM_EXIT_REFUSED;
	case CSM_EMANUAL:
		return CSM_EXIT_MANUAL;
	default:
		return CSM_EXIT_FAILED;
	}
}

/*
 * Every diagnostic goes through here.  Messages carry text from the database, XenServer
 * and the command line (a host name with an ESC or a newline in it): it is escaped so
 * it can neither drive the terminal nor forge a line; the newline that ends the message
 * is ours.
 */
static void
vmsg(const char *prefix, const char *fmt, va_list ap)
{
	char buf[4096], *safe;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	safe = csm_escape(buf);
	fprintf(stderr, "csmaint: %s%s\n", prefix, safe);
	free(safe);
}

void
csm_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void
csm_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

/* Progress and notes for the operator; silenced by -q. */
void
csm_info(const char *fmt, ...)
{
	va_list ap;

	if (csm_quiet)
		return;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void
csm_debug(const char *fmt, ...)
{
	va_list ap;

	if (csm_verbose < 1)
		return;
	va_start(ap, fmt);
	vmsg("debug: ", fmt, ap);
	va_end(ap);
}
