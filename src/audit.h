/*
 * audit.h: the drift and danger report (audit): operations holding hosts (held,
 * interrupted, failed), drift after a CloudStack reconnect, hosts disabled by someone
 * else, VMs on disabled hosts, 3.0 capacity_state mismatches, and with XAPI the hotfix
 * skew inside each pool.
 *
 * audit_run() fills OUT with one finding each, in that order; it changes nothing.  A
 * negative code means the database could not be read; OUT holds what was found before
 * and is the caller's either way (audit_free()).  A pool XenServer does not answer is
 * a finding ("xapi-unreachable"), not a failure.  Strings are copies; ids are text.
 */
#ifndef CSM_AUDIT_H
#define CSM_AUDIT_H

#include <stddef.h>

struct site;

struct finding {
	char	*kind;		/* "drift", "interrupted", "capacity-mismatch", ... */
	char	*host_id;	/* may be NULL */
	char	*host_name;	/* may be NULL */
	char	*operation;	/* may be NULL */
	char	*detail;
};

struct findings {
	struct finding	*v;
	size_t		 n;
};

int audit_run(const struct site *s, int xapi, struct findings *out);
void audit_free(struct findings *f);

#endif
