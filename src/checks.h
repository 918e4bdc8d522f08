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

/* MEMBER_FIRST: a master that lacks the patches does not fail the check (the operator
 * said so). */
int checks_run(const struct site *s, const char *spec, char *const *patches, int npatches,
    int member_first, struct checks *out);

/*
 * XenServer wants the pool master patched first (XenCenter sorts the master first and
 * blocks a patch while the master has a restart pending: RebootPendingOnMasterCheck.cs).
 * 1 when T's host is the master, or the master has every one of NAMES applied and no
 * reboot pending; else 0.  FACT says which.  The master compared is the one now:
 * CloudStack hands the role to another host when the master enters maintenance.
 */
struct target;
int checks_master_first(const struct target *t, const char *const *names, size_t n,
    char *fact, size_t len);
void checks_free(struct checks *c);
/* One more result (a check made later, with more known: the procedure's plan). */
void checks_add(struct checks *c, const char *name, enum check_result result,
    const char *fact);

#endif
