/*
 * target.h: HOST as csmaint acts on it: the CloudStack host row and the XenServer host
 * it is, reached over XenAPI through its private_ip_address.
 *
 * target_open() resolves HOST (id, name, uuid), reads its row, logs in to its pool
 * (following the master) and finds the host there; target_close() releases everything
 * and is safe on a target that failed to open.  The row, the pool and the host records
 * are the target's; t->name and t->xs point into them.
 */
#ifndef CSM_TARGET_H
#define CSM_TARGET_H

#include <stddef.h>

struct db_res;
struct pool;
struct pool_host;
struct site;

struct target {
	long long		 id;
	const char		*name;		/* CloudStack host name (in row) */
	struct db_res		*row;		/* CS_H_* columns */
	struct pool		*pool;
	struct pool_host	*hosts;		/* every host of the pool */
	size_t			 nh;
	const struct pool_host	*xs;		/* this host in the pool */
	int			 updates;	/* 7.1+: pool_update */
};

int target_open(const struct site *s, const char *spec, struct target *t);
void target_close(struct target *t);

#endif
