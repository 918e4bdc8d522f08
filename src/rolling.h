/*
 * rolling.h: every host of a XenServer pool (a CloudStack cluster), one after another,
 * as one journaled, resumable rolling operation with a hotfix child operation per host.
 *
 * rolling_run() plans the whole pool before the first change: each host's patch plan
 * (hosts at the level are skipped), every host's checks (checks_run, in-flight work
 * anywhere in the cluster blocking), the order (the pool master first, then whichever
 * host is master while it is unpatched, then by id) and the capacity of the rest of
 * the pool at each step (capacity.h).  With a dry-run recorder it stops there; else it
 * takes the cluster's lock, opens the rolling operation, uploads the hotfixes to the
 * master, then runs procedure_run_child() host by host, re-checking the order and the
 * capacity from live state right before each host and waiting for CloudStack to have
 * the host back in service after it; at the end it cleans the files from the pool.
 * A failure stops the run: the host in flight is rolled back by its procedure, the
 * hosts after it are untouched, and the rolling operation is left 'failed', still
 * holding the cluster, for rolling_resume() (continue from live state) or
 * rolling_recover() (roll back the host in flight and close it).
 *
 * The report (also after a failure) is the caller's: rolling_report_free().
 */
#ifndef CSM_ROLLING_H
#define CSM_ROLLING_H

#include <stddef.h>

#include "checks.h"

struct cap_step;
struct db_res;
struct dry;
struct site;

struct rolling_host {
	long long	 id;
	char		*name;
	int		 order;		/* 1-based; 0: not in the run (skipped) */
	const char	*result;	/* done, skipped, failed, pending */
	long long	 op_id;		/* its child operation, or 0 */
	int		 master;	/* it was the pool master when its turn came */
	int		 to_apply;	/* hotfixes its plan has */
	int		 applied;	/* hotfixes its operation applied */
	long long	 disabled_s, maintenance_s;	/* -1: not known */
};

struct rolling_report {
	long long		 cluster_id;
	char			*cluster;
	long long		 op_id;		/* the rolling operation, or 0 */
	const char		*state;		/* planned, refused, done, failed, ... */
	struct rolling_host	*hosts;
	size_t			 nh;
	struct cap_step		*steps;		/* the capacity plan, in order */
	size_t			 nsteps;
	double			 factor;	/* cpu.overprovisioning.factor used */
	struct checks		 checks;	/* every host's, "HOST: check" */
	int			 show_checks;
	long long		 plan_s, upload_s, hosts_s, clean_s, total_s, mixed_s;
	struct db_res		*ops;		/* the rolling operation and its children */
};

int rolling_run(const struct site *s, const char *cluster, char *const *files, int nfiles,
    const char *catalog, const char *reason, struct dry *dry, struct rolling_report *r);
int rolling_resume(const struct site *s, long long op_id, struct rolling_report *r);
int rolling_recover(const struct site *s, long long op_id, struct dry *dry,
    struct rolling_report *r);
/* The rolling operation OP_ID belongs to (itself, or its parent), or 0 if none. */
int rolling_owner(const struct site *s, long long op_id, long long *pool_op);
void rolling_report_free(struct rolling_report *r);

#endif
