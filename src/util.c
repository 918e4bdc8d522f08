/* util.c: allocation wrappers, strict number parsing and small helpers. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "csmaint.h"
#include "sbuf.h"

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

/*
 * Decode one UTF-8 character strictly (RFC 3629): no overlong forms, no surrogates,
 * nothing above U+10FFFF.  Returns its length in bytes, or 0 when P does not start a
 * valid character (a stray continuation byte, a truncated sequence, ...).
 */
int
csm_utf8_decode(const char *s, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c;
	int n, i;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		n = 2;
		c = p[0] & 0x1F;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		n = 3;
		c = p[0] & 0x0F;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		n = 4;
		c = p[0] & 0x07;
	} else {
		return 0;	/* continuation byte, 0xC0/0xC1 (always overlong), 0xF5.. */
	}
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10FFFF ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

/* Characters that change how the text around them is shown: C0 and C1 controls, DEL,
 * and the bidirectional embeddings, overrides and isolates (U+202A-U+202E,
 * U+2066-U+2069, "Trojan Source"). */
int
csm_is_unsafe_char(uint32_t c)
{
	return c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) ||
	    (c >= 0x2066 && c <= 0x2069);
}

/*
 * Free text from the command line that goes into the database (--reason, HOST, ...):
 * valid UTF-8 of at most 3 bytes a character (what MySQL's utf8 stores), no control
 * characters, no direction overrides, at most MAX characters.  WHAT names it in the
 * message; the message never repeats the text itself, which may be unprintable.
 */
int
csm_check_text(const char *what, const char *s, size_t max)
{
	size_t chars = 0, off = 0;
	uint32_t c;
	int n;

	while (s[off] != '\0') {
		if ((n = csm_utf8_decode(s + off, &c)) == 0)
			return csm_err_set(CSM_EUSAGE, "%s is not valid UTF-8 (byte %zu: 0x%02x)",
			    what, off + 1, (unsigned char)s[off]);
		chars++;
		if (n == 4)
			return csm_err_set(CSM_EUSAGE, "%s contains U+%04X at character %zu: the "
			    "database's utf8 stores only characters up to U+FFFF", what,
			    (unsigned)c, chars);
		if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
			return csm_err_set(CSM_EUSAGE, "%s contains a control character (0x%02x) "
			    "at character %zu", what, (unsigned)c, chars);
		if (csm_is_unsafe_char(c))
			return csm_err_set(CSM_EUSAGE, "%s contains a bidirectional control "
			    "character (U+%04X) at character %zu: it would change how the "
			    "journal reads", what, (unsigned)c, chars);
		off += (size_t)n;
	}
	if (chars > max)
		return csm_err_set(CSM_EUSAGE, "%s is longer than %zu characters", what, max);
	return CSM_OK;
}

/*
 * Make S safe to show on a terminal: control characters, invalid UTF-8 bytes and
 * bidirectional controls become visible escapes (\x1b, \xff, \u202e), as libsmartcols
 * does in listings.  The result is the caller's.
 */
char *
csm_escape(const char *s)
{
	struct sbuf r = SBUF_INIT;
	size_t i = 0;
	uint32_t c;
	int n;

	while (s[i] != '\0') {
		char esc[16];
		size_t el;

		n = csm_utf8_decode(s + i, &c);
		if (n > 0 && !csm_is_unsafe_char(c)) {
			el = (size_t)n;
			memcpy(esc, s + i, el);
		} else if (n == 0 || c < 0x80) {
			el = (size_t)snprintf(esc, sizeof(esc), "\\x%02x", (unsigned char)s[i]);
			n = 1;
		} else {
			el = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)c);
		}
		sbuf_add(&r, esc, el);
		i += (size_t)n;
	}
	return sbuf_take(&r);
}
