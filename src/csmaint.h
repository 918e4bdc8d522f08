/* csmaint.h: definitions shared by every module: exit statuses, error codes, helpers. */
#ifndef CSMAINT_H
#define CSMAINT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Exit statuses, one table in csmaint(8).  Every command maps its result to one of
 * these; nothing else reaches exit().
 */
enum csm_exit {
	CSM_EXIT_OK = 0,	/* done */
	CSM_EXIT_FAILED = 1,	/* failed; every change was rolled back */
	CSM_EXIT_USAGE = 2,	/* usage or configuration error */
	CSM_EXIT_NOTFOUND = 3,	/* host, operation or file not found */
	CSM_EXIT_REFUSED = 4,	/* refused by a safety check, conflict or lock */
	CSM_EXIT_MANUAL = 5,	/* failed and could not roll back: manual action needed */
};

/*
 * Module return codes (libgit2 style): 0 is success, a negative code is a failure whose
 * message was recorded with csm_err_set() where it happened.
 */
enum csm_code {
	CSM_OK = 0,
	CSM_EFAIL = -1,		/* generic failure */
	CSM_EUSAGE = -2,	/* bad input or configuration */
	CSM_ENOTFOUND = -3,	/* the named object does not exist */
	CSM_ECONFLICT = -4,	/* refused: state changed, precondition failed, locked */
	CSM_EMANUAL = -5,	/* could not roll back */
};

/* err.c: the last error message of this thread, set where the failure happens. */
int csm_err_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int csm_err_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *csm_err_msg(void);
void csm_err_clear(void);
int csm_exit_of(int code);

/* err.c: diagnostics on stderr, each prefixed with "csmaint: ". */
extern int csm_verbose;		/* -v count */
extern int csm_quiet;		/* -q */
void csm_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void csm_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void csm_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void csm_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* util.c: allocation that never returns NULL, and strict number parsing. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int csm_strtonum(const char *s, long long min, long long max, long long *out);
void csm_explicit_bzero(void *p, size_t n);
char *csm_operator_name(void);
double csm_now(void);

/* util.c: text.  csm_utf8_decode() returns the length of the valid UTF-8 character at S
 * (0: invalid); csm_check_text() is the one check for command-line text that goes into
 * the database; csm_escape() makes text from elsewhere safe for a terminal. */
int csm_utf8_decode(const char *s, uint32_t *cp);
int csm_is_unsafe_char(uint32_t c);
int csm_check_text(const char *what, const char *s, size_t max);
char *csm_escape(const char *s);

#endif
