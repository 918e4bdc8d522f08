/*
 * checks.h: the preconditions of the hotfix procedure (check HOST, and the procedure's
 * step 0).  checks_run() evaluates every one into OUT (one item a check, with the fact
 * behind its result) and counts the failures; it changes nothing.  It returns a
 * negative code only when the checks could not be evaluated at all (database error,
 * unknown host).  OUT is the caller's, also after a failure: checks_free().
 */
#ifndef CSM_CHECKS_H
#define CSM_CHECKS_H

#include <stddef.h>

struct site;

enum check_result { CHECK_FAIL, CHECK_PASS, CHECK_SKIP };

struct check_item {
	char			*name;
	enum check_result	 result;
	char			*fact;
};

struct checks {
	struct check_item	*v;
	size_t			 n;
	int			 failed;
};

int checks_run(const struct site *s, const char *spec, char *const *patches, int npatches,
    struct checks *out);
void checks_free(struct checks *c);

#endif
