/* util.c: allocation wrappers, strict number parsing and small helpers. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "csmaint.h"

static void
oom(void)
{
	fputs("csmaint: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		oom();
	return q;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		oom();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (p == NULL)
		oom();
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		oom();
	va_end(ap);
	return p;
}

/*
 * Parse a whole decimal integer in [min, max] (OpenBSD strtonum semantics, but with
 * the message left in the error slot).  No sign games, no trailing text, no empty input.
 */
int
csm_strtonum(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return csm_err_set(CSM_EUSAGE, "empty number");
	if (*s == ' ' || *s == '\t' || *s == '+')
		return csm_err_set(CSM_EUSAGE, "'%s' is not a number", s);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		return csm_err_set(CSM_EUSAGE, "'%s' is not a number", s);
	if (errno == ERANGE || v < min || v > max)
		return csm_err_set(CSM_EUSAGE, "'%s' is out of range (%lld to %lld)", s, min, max);
	*out = v;
	return CSM_OK;
}

/* Parse a whole decimal number (fractions allowed) in [min, max]. */
int
csm_strtod(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return csm_err_set(CSM_EUSAGE, "empty number");
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0' || end == s || isnan(v))
		return csm_err_set(CSM_EUSAGE, "'%s' is not a number", s);
	if (errno == ERANGE || v < min || v > max)
		return csm_err_set(CSM_EUSAGE, "'%s' is out of range (%g to %g)", s, min, max);
	*out = v;
	return CSM_OK;
}

/* Clear a secret so the compiler cannot drop the stores. */
void
csm_explicit_bzero(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

/* "user@machine" for the journal and syslog: who did it, from where. */
char *
csm_operator_name(void)
{
	char host[256];
	const char *user = NULL;
	struct passwd *pw;

	pw = getpwuid(geteuid());
	if (pw != NULL)
		user = pw->pw_name;
	if (user == NULL)
		user = getenv("USER");
	if (user == NULL)
		user = "unknown";
	if (gethostname(host, sizeof(host)) != 0)
		strcpy(host, "unknown");
	host[sizeof(host) - 1] = '\0';
	return xasprintf("%s@%s", user, host);
}

/* Monotonic seconds, for waits and measured lock times. */
double
csm_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
