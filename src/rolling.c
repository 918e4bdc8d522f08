/* rolling.c: a whole pool, host after host: plan, order, capacity, upload, children. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "csmaint.h"
#include "capacity.h"
#include "catalog.h"
#include "checks.h"
#include "cloudstack.h"
#include "conf.h"
#include "db.h"
#include "dry.h"
#include "journal.h"
#include "patch.h"
#include "plan.h"
#include "pool.h"
#include "procedure.h"
#include "rolling.h"
#include "sbuf.h"
#include "site.h"
#include "target.h"
#include "toggle.h"
#include "wait.h"

/* A host of the cluster as CloudStack has it. */
struct member {
	long long	 id;
	char		*name;
	char		*guid;		/* the XenServer host uuid */
	char		*ip;
	int		 to_apply;	/* hotfixes its plan has now */
	int		 done;		/* a child of this run finished it */
	int		 disabled_before;	/* its child found it Disabled */
	int		 predicted_master;	/* the plan expects it master at its turn */
};

struct roll {
	const struct site *s;
	struct rolling_report *rep;
	long long	 cluster_id;
	char		*cluster;
	char		**files;
	int		 nfiles;
	char		*catalog;
	char		*reason;
	char		 lock[160];
	long long	 op_id;
	struct member	*m;
	size_t		 nm;
	struct target	 t;		/* the pool, through one of its hosts */
	int		 t_open;
	int		 dry;
	int		 planned;	/* the hosts' plans were made */
	int		 lost;		/* another csmaint owns the operation now */
	char		 applied[2048];	/* hotfixes the children applied, "a, b" */
};

static const char SQL_CLUSTER[] =
	"SELECT id, name FROM cluster WHERE removed IS NULL AND (id = ? OR name = ?)"
	" ORDER BY id";
/* VMs of the cluster in flux: the pool settles before the next host goes out. */
static const char SQL_IN_FLUX[] =
	"SELECT v.instance_name, v.state FROM vm_instance v JOIN host h ON h.id = v.host_id"
	" WHERE h.cluster_id = ? AND v.removed IS NULL"
	" AND v.state IN ('Starting', 'Stopping', 'Migrating') ORDER BY v.id";
static const char SQL_MEMBERS[] =
	"SELECT id, name, guid, private_ip_address FROM host"
	" WHERE cluster_id = ? AND type = 'Routing' AND removed IS NULL ORDER BY id";

/* The journal's step names of a rolling operation. */
#define RS_PLAN		"plan"
#define RS_UPLOAD	"upload"
#define RS_HOST		"host"
#define RS_BACK		"in-service"
#define RS_CLEAN	"clean"
#define MASTER_TAG	", the pool master"
#define PLANNED_TAG	"planned in "	/* the plan step: before the operation existed */

/* ---- the cluster and its hosts ---- */

static int
resolve_cluster(struct roll *r, const char *spec)
{
	struct db_res *res = NULL;
	long long id = -1;
	int rc;

	if (csm_strtonum(spec, 0, LLONG_MAX, &id) != CSM_OK) {
		id = -1;
		csm_err_clear();
	}
	if ((rc = db_query(r->s->db, &res, SQL_CLUSTER, "is", id, spec)) != CSM_OK)
		return rc;
	if (db_res_rows(res) == 0)
		rc = csm_err_set(CSM_ENOTFOUND, "no cluster '%s' in CloudStack (a cluster id or "
		    "name: 'csmaint host list' shows each host's cluster_id)", spec);
	else if (db_res_rows(res) > 1 && id < 0)
		rc = csm_err_set(CSM_EUSAGE, "cluster name '%s' is ambiguous (clusters %s and "
		    "%s): give the cluster id", spec, db_get(res, 0, 0), db_get(res, 1, 0));
	else {
		int i = 0;
		while (i < db_res_rows(res) - 1 && db_get_int(res, i, 0, -1) != id)
			i++;
		r->cluster_id = db_get_int(res, i, 0, 0);
		r->cluster = xstrdup(db_get(res, i, 1) ? db_get(res, i, 1) : "");
	}
	db_res_free(res);
	return rc;
}

static int
load_members(struct roll *r)
{
	struct db_res *res = NULL;
	int rc, i;

	if ((rc = db_query(r->s->db, &res, SQL_MEMBERS, "i", r->cluster_id)) != CSM_OK)
		return rc;
	r->m = xcalloc((size_t)db_res_rows(res) + 1, sizeof(*r->m));
	for (i = 0; i < db_res_rows(res); i++) {
		struct member *m = &r->m[r->nm++];
		m->id = db_get_int(res, i, 0, 0);
		m->name = xstrdup(db_get(res, i, 1) ? db_get(res, i, 1) : "");
		m->guid = xstrdup(db_get(res, i, 2) ? db_get(res, i, 2) : "");
		m->ip = xstrdup(db_get(res, i, 3) ? db_get(res, i, 3) : "");
	}
	db_res_free(res);
	if (r->nm == 0)
		return csm_err_set(CSM_ENOTFOUND, "cluster %lld (%s) has no routing host",
		    r->cluster_id, r->cluster);
	return CSM_OK;
}

static struct member *
member(struct roll *r, long long id)
{
	size_t i;

	for (i = 0; i < r->nm; i++)
		if (r->m[i].id == id)
			return &r->m[i];
	return NULL;
}

/* The pool, reached through the first host that answers (a session opened before a
 * master change is gone: opened again for every host). */
static int
open_pool(struct roll *r)
{
	char spec[32];
	size_t i;
	int rc = CSM_EFAIL;

	if (r->t_open)
		target_close(&r->t);
	r->t_open = 0;
	for (i = 0; i < r->nm; i++) {
		snprintf(spec, sizeof(spec), "%lld", r->m[i].id);
		if ((rc = target_open(r->s, spec, &r->t)) == CSM_OK) {
			r->t_open = 1;
			return CSM_OK;
		}
	}
	csm_err_prefix("cannot reach XenServer pool of cluster %s", r->cluster);
	return rc;
}

/* The XenServer record of a CloudStack host (by uuid, else by address). */
static const struct pool_host *
xs_of(const struct roll *r, const struct member *m)
{
	int by_address = 0;

	return pool_host_match(r->t.hosts, r->t.nh, m->guid, m->ip, &by_address);
}

/* The CloudStack host that is the pool master now; "not known yet" is an error. */
static int
master_now(struct roll *r, long long *id)
{
	char *ref = NULL;
	size_t i;
	int rc;

	*id = 0;
	if ((rc = pool_master_ref(r->t.pool, &ref)) != CSM_OK)
		return rc;
	for (i = 0; i < r->nm && *id == 0; i++) {
		const struct pool_host *x = xs_of(r, &r->m[i]);
		if (x != NULL && strcmp(x->ref, ref) == 0)
			*id = r->m[i].id;
	}
	free(ref);
	if (*id == 0)
		return csm_err_set(CSM_EFAIL, "the pool master is none of cluster %s's hosts",
		    r->cluster);
	return CSM_OK;
}

/* Each host's plan now: how many hotfixes it still needs. */
static int
plan_members(struct roll *r)
{
	size_t i;

	for (i = 0; i < r->nm; i++) {
		struct member *m = &r->m[i];
		const struct pool_host *x = xs_of(r, m);
		struct catalog *cat = NULL;
		struct plan *plan = NULL;
		size_t k;
		int rc;

		if (x == NULL)
			return csm_err_set(CSM_EFAIL, "host %lld (%s) is not in the XenServer pool "
			    "of cluster %s", m->id, m->name, r->cluster);
		rc = patch_plan_build(r->t.pool, x, r->catalog, r->files, r->nfiles, &cat, &plan);
		if (rc != CSM_OK) {
			csm_err_prefix("cannot plan host %s", m->name);
			return rc;
		}
		m->to_apply = 0;
		r->planned = 1;
		for (k = 0; k < plan->nentries; k++)
			if (plan->entries[k].action == PLAN_APPLY ||
			    (plan->entries[k].action == PLAN_UNKNOWN && plan->entries[k].request))
				m->to_apply++;
		plan_free(plan);
		catalog_free(cat);
	}
	return CSM_OK;
}

/*
 * The order from MASTER on: the master while it is unpatched, else the lowest id left.
 * CloudStack's MaintainCommand hands the master role to the first other host of
 * Host.getAllRecords (CitrixResourceBase) when the master enters maintenance: that is
 * the prediction for the plan; the run decides each step from the master it sees.
 */
static size_t
predict_order(struct roll *r, long long master, long long *order)
{
	size_t n = 0, i, k;
	int *left = xcalloc(r->nm + 1, sizeof(*left));

	for (i = 0; i < r->nm; i++)
		left[i] = r->m[i].to_apply > 0 && !r->m[i].done;
	for (;;) {
		size_t pick = r->nm;
		for (i = 0; i < r->nm; i++)
			if (left[i] && r->m[i].id == master)
				pick = i;
		for (i = 0; pick == r->nm && i < r->nm; i++)
			if (left[i])
				pick = i;
		if (pick == r->nm)
			break;
		order[n++] = r->m[pick].id;
		left[pick] = 0;
		if (r->m[pick].id != master)
			continue;
		r->m[pick].predicted_master = 1;
		/* The next master: the first other host in XenServer's order. */
		for (k = 0; k < r->t.nh; k++) {
			for (i = 0; i < r->nm; i++) {
				const struct pool_host *x = xs_of(r, &r->m[i]);
				if (x == &r->t.hosts[k] && r->m[i].id != master)
					break;
			}
			if (i < r->nm) {
				master = r->m[i].id;
				break;
			}
		}
	}
	free(left);
	return n;
}

/* ---- capacity ---- */

/* The capacity of the hosts left in ORDER, from the database and XenServer now. */
static int
plan_capacity(struct roll *r, const long long *order, size_t n, struct cap_step **steps,
    int *bad)
{
	struct capacity *c = NULL;
	size_t i, j;
	int rc;

	*steps = NULL;
	if ((rc = capacity_load(r->s->db, r->cluster_id, &c)) != CSM_OK)
		return rc;
	r->rep->factor = c->factor;
	for (i = 0; i < c->nh; i++) {
		struct member *m = member(r, c->hosts[i].id);
		c->hosts[i].patched = m != NULL && (m->to_apply == 0 || m->done);
	}
	/* VMs that cannot live-migrate leave by a stop and a start elsewhere: one read
	 * of the pool's VMs (the rule of the pool's XenServer version). */
	{
		const struct pool_host *x = r->t.xs;
		struct pool_vm *vms = NULL;
		size_t nv = 0, k;

		if (x != NULL && pool_vms(r->t.pool, x->api_major, x->api_minor, NULL, &vms,
		    &nv) == CSM_OK) {
			for (k = 0; k < nv; k++)
				for (j = 0; j < c->nv; j++)
					if (vms[k].can_migrate == POOL_TOOLS_NO &&
					    strcmp(vms[k].name_label, c->vms[j].name) == 0)
						c->vms[j].no_tools = 1;
			pool_vms_free(vms, nv);
		}
		csm_err_clear();
	}
	*bad = capacity_simulate(c, order, n, steps);
	capacity_free(c);
	return CSM_OK;
}

static void
keep_steps(struct roll *r, struct cap_step *steps, size_t n)
{
	capacity_steps_free(r->rep->steps, r->rep->nsteps);
	r->rep->steps = steps;
	r->rep->nsteps = n;
}

static int
capacity_refusal(struct roll *r, const struct cap_step *st, int step)
{
	return csm_err_set(CSM_ECONFLICT, "refusing: the pool cannot take the VMs of %s at "
	    "step %d with the hosts still in service: %s (cpu.overprovisioning.factor %.2f)",
	    st->host, step, st->shortfall ? st->shortfall : "not enough room", r->rep->factor);
}

/* ---- the checks of every host, and of the pool ---- */

static void
pool_checks(struct roll *r, long long master)
{
	struct checks *o = &r->rep->checks;
	char why[512], name[300], lock[160];
	size_t i, k;

	for (i = 0; i < r->nm; i++) {
		struct member *m = &r->m[i];
		struct checks c;
		char spec[32];
		struct db_res *held = NULL;

		snprintf(spec, sizeof(spec), "%lld", m->id);
		memset(&c, 0, sizeof(c));
		/* A member's precheck against an unpatched master is the master-first
		 * rule, which this run keeps by its order. */
		if (checks_run(r->s, spec, r->files, r->nfiles, m->id != master, &c) != CSM_OK) {
			snprintf(name, sizeof(name), "%s: checks", m->name);
			checks_add(o, name, CHECK_FAIL, csm_err_msg());
			csm_err_clear();
		}
		for (k = 0; k < c.n; k++) {
			const char *fact = c.v[k].fact;
			enum check_result res = c.v[k].result;
			snprintf(name, sizeof(name), "%s: %s", m->name, c.v[k].name);
			if (strcmp(c.v[k].name, "pool master first") == 0 && res == CHECK_SKIP) {
				res = CHECK_PASS;
				fact = "the rolling run patches the pool master first";
			}
			checks_add(o, name, res, fact);
		}
		checks_free(&c);
		/* Another csmaint on the host (a hotfix starting) holds its lock. */
		journal_lock_name(db_schema(r->s->db), m->id, lock, sizeof(lock));
		if (db_query(r->s->db, &held, "SELECT IS_USED_LOCK(?)", "s", lock) == CSM_OK &&
		    db_get(held, 0, 0) != NULL) {
			snprintf(name, sizeof(name), "%s: host lock", m->name);
			snprintf(why, sizeof(why), "another csmaint (database connection %s) holds "
			    "the host's lock", db_get(held, 0, 0));
			checks_add(o, name, CHECK_FAIL, why);
		}
		csm_err_clear();
		db_res_free(held);
	}
	if (journal_cluster_held(r->s->db, r->cluster_id, why, sizeof(why)) != CSM_OK) {
		snprintf(why, sizeof(why), "%s", csm_err_msg());
		csm_err_clear();
	}
	if (r->op_id == 0)
		checks_add(o, "pool: no rolling run", why[0] ? CHECK_FAIL : CHECK_PASS,
		    why[0] ? why : "no rolling operation holds the cluster");
}

/* Refuse with every failed check named. */
static int
checks_refusal(struct roll *r)
{
	struct sbuf why = SBUF_INIT;
	char *text;
	size_t i;
	int rc;

	for (i = 0; i < r->rep->checks.n; i++)
		if (r->rep->checks.v[i].result == CHECK_FAIL)
			sbuf_printf(&why, "%s%s (%s)", why.len ? "; " : "",
			    r->rep->checks.v[i].name, r->rep->checks.v[i].fact);
	text = sbuf_take(&why);
	rc = csm_err_set(CSM_ECONFLICT, "refusing to start on cluster %s: %d check%s failed: "
	    "%s; nothing was changed", r->cluster, r->rep->checks.failed,
	    r->rep->checks.failed == 1 ? "" : "s", text);
	free(text);
	return rc;
}

/* ---- the journal of the rolling operation ---- */

static long long
step_begin(struct roll *r, const char *name, const char *detail)
{
	long long seq = 0;

	if (journal_step_start(r->s->db, r->op_id, name, detail, &seq) != CSM_OK) {
		csm_warn("cannot journal step %s of operation %lld: %s", name, r->op_id,
		    csm_err_msg());
		csm_err_clear();
	}
	return seq;
}

static void
step_end(struct roll *r, long long seq, int rc, const char *detail)
{
	if (seq > 0 && !r->lost)
		journal_step_finish(r->s->db, r->op_id, seq, rc == CSM_OK ? "done" : "failed",
		    detail);
	csm_err_clear();
}

/*
 * The connection was lost: connect again and take the cluster's lock again (the server
 * released it with the connection).  Another csmaint holding it now (a resume or
 * recover elsewhere) owns the rolling operation: CSM_ECONFLICT, and this run writes
 * nothing more.
 */
static int
relock(struct roll *r)
{
	int got = 0, rc;

	if ((rc = db_reconnect(r->s->db)) != CSM_OK)
		return rc;
	db_set_column(r->s->db, r->s->cs->column);
	if (r->lock[0] == '\0')
		return CSM_OK;
	if ((rc = db_get_lock(r->s->db, r->lock, 0, &got)) != CSM_OK)
		return rc;
	if (!got) {
		r->lock[0] = '\0';
		r->lost = 1;
		return csm_err_set(CSM_ECONFLICT, "after reconnecting, another csmaint holds "
		    "rolling operation %lld's lock: stopping here without touching anything",
		    r->op_id);
	}
	return CSM_OK;
}

/* Does this connection still hold the cluster's lock (a child that reconnected may
 * have found another csmaint holding it)? */
static int
owns(struct roll *r)
{
	struct db_res *res = NULL;
	int yes;

	if (r->lost || r->lock[0] == '\0' || db_query(r->s->db, &res,
	    "SELECT IS_USED_LOCK(?) <=> CONNECTION_ID()", "s", r->lock) != CSM_OK) {
		db_res_free(res);
		return 0;
	}
	yes = db_get_int(res, 0, 0, 0) == 1;
	db_res_free(res);
	r->lost = !yes;
	return yes;
}

/* The run stops: the rolling operation stays open, failed, for resume or recover. */
static int
stop_run(struct roll *r, int rc, const char *host)
{
	char *why = xasprintf("%s%s%s", host ? host : "", host ? ": " : "", csm_err_msg());

	if (r->op_id > 0) {
		if (r->lost || (db_lost(r->s->db) && relock(r) != CSM_OK) || !owns(r)) {
			/* Not ours to write any more (or not reachable): say so and stop. */
			csm_warn("rolling operation %lld: %s", r->op_id, csm_err_msg());
			csm_err_set(rc, "%s", why);
			free(why);
			return rc;
		}
		journal_op_fail(r->s->db, r->op_id, why);
		csm_info("rolling operation %lld failed and holds cluster %s: 'csmaint resume "
		    "%lld' continues from the host it stopped at, 'csmaint recover %lld "
		    "--execute' rolls back the host in flight and closes it", r->op_id,
		    r->cluster, r->op_id, r->op_id);
	}
	csm_err_set(rc, "%s", why);
	free(why);
	return rc;
}

/* ---- the phases ---- */

/*
 * 7.1+ (pool_update): each file to the pool once, before the first host.  Before 7.1 a
 * patch file lives on the master that received it, and the first host's maintenance
 * may move the master (CloudStack's MaintainCommand): each file is uploaded by the
 * first apply, to the master of that moment, and again only when a later master lacks
 * it (CANNOT_FIND_PATCH).
 */
static int
upload_all(struct roll *r)
{
	struct sbuf out = SBUF_INIT;
	char *text;
	long long seq = step_begin(r, RS_UPLOAD, NULL);
	int i, rc = CSM_OK, progress = isatty(2) && !csm_quiet;

	if (!r->t.updates && r->nfiles > 0) {
		step_end(r, seq, CSM_OK, "deferred to the first apply: before XenServer 7.1 a "
		    "patch file lives on the master that received it, and the first host's "
		    "maintenance may move the master");
		csm_info("uploads: each file goes to the pool master at its first apply "
		    "(before XenServer 7.1 a patch file lives on the master that received it, "
		    "and maintenance of the master moves the master role)");
		return CSM_OK;
	}

	for (i = 0; i < r->nfiles && rc == CSM_OK; i++) {
		struct patch pt;
		int existed = 0;

		memset(&pt, 0, sizeof(pt));
		rc = patch_upload(r->t.pool, r->t.updates, r->files[i], r->s->conf->xapi.update_sr,
		    progress, r->s->conf->proc.wait_timeout, &pt, &existed);
		if (rc == CSM_OK) {
			sbuf_printf(&out, "%s%s %s", out.len ? "; " : "", pt.name_label ?
			    pt.name_label : r->files[i], existed ? "already on the pool" :
			    "uploaded to the pool master");
			csm_info("%s: %s", pt.name_label ? pt.name_label : r->files[i], existed ?
			    "already on the pool" : "uploaded to the pool master");
		} else {
			csm_err_prefix("cannot upload %s", r->files[i]);
		}
		patch_clear(&pt);
	}
	text = sbuf_take(&out);
	step_end(r, seq, rc, rc == CSM_OK ? (text[0] ? text : "no file to upload") :
	    csm_err_msg());
	free(text);
	return rc;
}

/*
 * After a host: CloudStack has it back in service (the operator cancelled maintenance):
 * status Up and the allocation column Enabled (or Disabled, if it was before), and no
 * VM of the cluster is starting, stopping or migrating (the VMs without Tools started
 * again, the migrations back): the next host's checks would refuse that work in flight.
 */
static int
wait_in_service(struct roll *r, struct member *m)
{
	const struct conf_procedure *c = &r->s->conf->proc;
	double start = csm_now(), shown = -1e9;
	char seen[300] = "", last[300] = "", detail[400];
	long long seq = step_begin(r, RS_BACK, m->name);
	const char *want = m->disabled_before ? "Disabled" : "Enabled";
	int rc;

	for (;;) {
		struct db_res *row = NULL;
		if (wait_stopped()) {
			rc = csm_err_set(CSM_EFAIL, "interrupted while waiting for %s to be back "
			    "in service", m->name);
			break;
		}
		if ((rc = cs_host_get(r->s->db, m->id, &row)) != CSM_OK) {
			snprintf(seen, sizeof(seen), "not known yet (%s)", csm_err_msg());
			csm_err_clear();
			if (db_lost(r->s->db) && relock(r) == CSM_ECONFLICT) {
				rc = CSM_ECONFLICT;
				break;
			}
			csm_err_clear();
		} else {
			const char *st = db_get(row, 0, CS_H_STATUS), *al = db_get(row, 0, CS_H_ALLOC);
			struct db_res *fl = NULL;
			snprintf(seen, sizeof(seen), "status %s, %s %s", st, r->s->cs->column, al);
			if (db_query(r->s->db, &fl, SQL_IN_FLUX, "i", r->cluster_id) != CSM_OK) {
				snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "; VMs in "
				    "flux not known yet (%s)", csm_err_msg());
				csm_err_clear();
			} else if (db_res_rows(fl) > 0) {
				snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "; %s %s "
				    "(and %d more in flux)", db_get(fl, 0, 0), db_get(fl, 0, 1),
				    db_res_rows(fl) - 1);
			} else if (strcmp(st, "Up") == 0 && strcmp(al, want) == 0) {
				db_res_free(fl);
				db_res_free(row);
				break;
			}
			db_res_free(fl);
		}
		db_res_free(row);
		if (strcmp(seen, last) != 0 || csm_now() - shown > 60) {
			if (strstr(seen, "status Up,") == NULL)
				csm_info("waiting %.0f s: %s back in service: %s; cancel maintenance "
				    "for %s in the CloudStack UI (Infrastructure > Hosts > %s > "
				    "Cancel Maintenance Mode)", csm_now() - start, m->name, seen,
				    m->name, m->name);
			else
				csm_info("waiting %.0f s: %s back in service: %s; the next host goes "
				    "out once CloudStack has finished these", csm_now() - start,
				    m->name, seen);
			snprintf(last, sizeof(last), "%s", seen);
			shown = csm_now();
		}
		if (csm_now() - start >= c->wait_timeout) {
			rc = csm_err_set(CSM_EFAIL, "timed out after %.0f s (procedure.wait_timeout) "
			    "waiting for %s to be back in service; last seen: %s", c->wait_timeout,
			    m->name, last);
			break;
		}
		wait_sleep(c->poll_interval);
	}
	snprintf(detail, sizeof(detail), "%s: %s", m->name, rc == CSM_OK ?
	    "back in service (status Up), no VM of the cluster in flux" : csm_err_msg());
	step_end(r, seq, rc, detail);
	if (rc == CSM_OK)
		csm_info("%s is back in service", m->name);
	return rc;
}

/* Whether "a, b, c" lists NAME. */
static int
listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while ((p = strstr(p, name)) != NULL) {
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ','))
			return 1;
		p += n ? n : 1;
	}
	return 0;
}

static void
remember_applied(struct roll *r, const struct procedure_report *pr)
{
	size_t i, l;

	for (i = 0; i < pr->npatches; i++) {
		if (strcmp(pr->patches[i].action, "applied") != 0 ||
		    listed(r->applied, pr->patches[i].name_label))
			continue;
		l = strlen(r->applied);
		snprintf(r->applied + l, sizeof(r->applied) - l, "%s%s", l ? ", " : "",
		    pr->patches[i].name_label);
	}
}

/* Did only checks of passing work fail (VMs in flux, HA work, async jobs)? */
static int
only_transient(const struct checks *c)
{
	static const char *const passing[] = { "no VM in flux", "no HA work", "no async jobs" };
	size_t i, k;
	int failed = 0;

	for (i = 0; i < c->n; i++) {
		int ok = 0;
		if (c->v[i].result != CHECK_FAIL)
			continue;
		failed++;
		for (k = 0; k < sizeof(passing) / sizeof(passing[0]); k++)
			ok |= strcmp(c->v[i].name, passing[k]) == 0;
		if (!ok)
			return 0;
	}
	return failed > 0;
}

/* One host: capacity and lock re-checked, its procedure as a child, back in service. */
static int
one_host(struct roll *r, struct member *m, int is_master, const struct cap_step *st)
{
	struct procedure_child child = { r->op_id, r->lock, st->migrate_to, st->restart_on };
	struct procedure_report pr;
	char spec[32], detail[2400];
	long long seq;
	double start;
	int rc;

	snprintf(detail, sizeof(detail), "%s (host %lld)%s; " PROCEDURE_PROPOSED "%s%s%s",
	    m->name, m->id, is_master ? MASTER_TAG : "", st->migrate_to[0] ? st->migrate_to :
	    "none", st->restart_on[0] ? "; restart: " : "", st->restart_on);
	seq = step_begin(r, RS_HOST, detail);
	csm_info("rolling operation %lld: host %s%s, %d hotfix%s", r->op_id, m->name,
	    is_master ? " (the pool master)" : "", m->to_apply, m->to_apply == 1 ? "" : "es");
	snprintf(spec, sizeof(spec), "%lld", m->id);
	start = csm_now();
	for (;;) {
		rc = procedure_run_child(r->s, spec, r->files, r->nfiles, r->catalog, &child,
		    &pr);
		/* Work in flight (the operator starting the VMs without Tools again, a
		 * migration back) refuses the host before anything changed: it passes. */
		if (rc != CSM_ECONFLICT || pr.op != NULL || !only_transient(&pr.checks) ||
		    csm_now() - start >= r->s->conf->proc.wait_timeout || wait_stopped())
			break;
		csm_info("waiting %.0f s: work in flight before %s can go out: %s", csm_now() -
		    start, m->name, csm_err_msg());
		csm_err_clear();
		procedure_report_free(&pr);
		wait_sleep(r->s->conf->proc.poll_interval);
	}
	remember_applied(r, &pr);
	if (pr.op != NULL) {
		m->disabled_before = db_get(pr.op, 0, J_OP_PRIOR) != NULL &&
		    strcmp(db_get(pr.op, 0, J_OP_PRIOR), "Disabled") == 0;
		snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail),
		    "; operation %s %s", db_get(pr.op, 0, J_OP_ID), db_get(pr.op, 0, J_OP_STATE));
	}
	procedure_report_free(&pr);
	if (rc != CSM_OK) {
		char *why = xstrdup(csm_err_msg());
		char *d = xasprintf("%s; failed: %s", detail, why);
		step_end(r, seq, rc, d);
		csm_err_set(rc, "%s", why);
		free(d);
		free(why);
		return stop_run(r, rc, m->name);
	}
	step_end(r, seq, rc, detail);
	m->done = 1;
	if ((rc = wait_in_service(r, m)) != CSM_OK)
		return stop_run(r, rc, m->name);
	return CSM_OK;
}

/*
 * The pool as it is now: reached, its master, each host's plan.  Right after a host the
 * pool may still be settling (a master change restarts every xapi): an error is "not
 * known yet", looked at again until procedure.wait_timeout.
 */
static int
look_at_pool(struct roll *r, long long *master)
{
	const struct conf_procedure *c = &r->s->conf->proc;
	double start = csm_now(), shown = -1e9;
	int rc;

	for (;;) {
		if ((rc = open_pool(r)) == CSM_OK && (rc = master_now(r, master)) == CSM_OK &&
		    (rc = plan_members(r)) == CSM_OK)
			return CSM_OK;
		if (wait_stopped() || csm_now() - start >= c->wait_timeout)
			return rc;
		if (csm_now() - shown > 30) {
			csm_info("waiting %.0f s: the pool of %s, not known yet: %s", csm_now() -
			    start, r->cluster, csm_err_msg());
			shown = csm_now();
		}
		csm_err_clear();
		wait_sleep(c->poll_interval < 1 ? 1 : c->poll_interval);
	}
}

/* Host after host, each decided from live state, until none needs anything. */
static int
run_hosts(struct roll *r)
{
	long long *order = xcalloc(r->nm + 1, sizeof(*order));
	int rc = CSM_OK;

	for (;;) {
		struct cap_step *steps = NULL;
		long long master = 0;
		size_t n;
		int bad = 0;

		if (wait_stopped()) {
			rc = stop_run(r, csm_err_set(CSM_EFAIL, "interrupted between hosts"), NULL);
			break;
		}
		if ((rc = look_at_pool(r, &master)) != CSM_OK) {
			rc = stop_run(r, rc, NULL);
			break;
		}
		if ((n = predict_order(r, master, order)) == 0)
			break;
		if ((rc = plan_capacity(r, order, n, &steps, &bad)) != CSM_OK) {
			rc = stop_run(r, rc, NULL);
			break;
		}
		if (bad != 0) {
			rc = capacity_refusal(r, &steps[bad - 1], bad);
			keep_steps(r, steps, n);
			rc = stop_run(r, rc, member(r, order[0])->name);
			break;
		}
		rc = one_host(r, member(r, order[0]), order[0] == master, &steps[0]);
		capacity_steps_free(steps, n);
		if (rc != CSM_OK)
			break;
	}
	free(order);
	return rc;
}

static void clean_pool(struct roll *r);

/* The hosts, the clean-up and the close: the end of a run and of a resume. */
static int
run_to_the_end(struct roll *r)
{
	int rc;

	if ((rc = run_hosts(r)) != CSM_OK)
		return rc;
	clean_pool(r);
	journal_pool_close(r->s->db, r->op_id, "done", NULL);
	csm_info("rolling operation %lld done: every host of cluster %s is patched",
	    r->op_id, r->cluster);
	return CSM_OK;
}

static void
clean_pool(struct roll *r)
{
	long long seq = step_begin(r, RS_CLEAN, NULL);
	const struct pool_host *any;
	char *text;

	if (r->applied[0] == '\0' || open_pool(r) != CSM_OK) {
		step_end(r, seq, CSM_OK, r->applied[0] ? csm_err_msg() :
		    "nothing applied, nothing to clean");
		return;
	}
	any = r->t.xs;
	text = patch_clean_applied(r->t.pool, r->t.updates, r->t.hosts, r->t.nh, any,
	    r->t.name, r->applied);
	step_end(r, seq, CSM_OK, text[0] ? text : "nothing to clean");
	csm_info("pool %s: %s", r->cluster, text[0] ? text : "nothing to clean");
	free(text);
}

/* ---- the report ---- */

static long long
when(const char *iso)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (iso == NULL || strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm) == NULL)
		return -1;
	return (long long)timegm(&tm);
}

/* The first step NAME of operation OP (DETAIL_HAS: its detail contains it), or -1. */
static int
find_step(const struct db_res *st, const char *name, const char *detail_has, int last)
{
	int i, found = -1;

	for (i = 0; st != NULL && i < db_res_rows(st); i++) {
		const char *d = db_get(st, i, J_STEP_DETAIL);
		if (strcmp(db_get(st, i, J_STEP_NAME), name) != 0)
			continue;
		if (detail_has != NULL && (d == NULL || strncmp(d, detail_has,
		    strlen(detail_has)) != 0))
			continue;
		found = i;
		if (!last)
			break;
	}
	return found;
}

static long long
span(const struct db_res *a, int ia, int ca, const struct db_res *b, int ib, int cb)
{
	long long x, y;

	if (ia < 0 || ib < 0)
		return -1;
	x = when(db_get(a, ia, ca));
	y = when(db_get(b, ib, cb));
	return x < 0 || y < 0 ? -1 : y - x;
}

/* What the journal says the children applied, for the clean-up after a resume. */
static void
applied_by_children(struct roll *r)
{
	struct db_res *ops = NULL;
	int k;

	if (journal_children(r->s->db, r->op_id, &ops) != CSM_OK) {
		csm_err_clear();
		return;
	}
	for (k = 0; k < db_res_rows(ops); k++) {
		struct db_res *st = NULL;
		char names[1024], *tok, *save = NULL;
		size_t l;
		int p;

		if (db_get_int(ops, k, J_OP_ID, 0) == r->op_id ||
		    journal_op_steps(r->s->db, db_get_int(ops, k, J_OP_ID, 0), &st) != CSM_OK)
			continue;
		if ((p = find_step(st, "patch", NULL, 1)) >= 0)
			procedure_applied(db_get(st, p, J_STEP_DETAIL), 0, names, sizeof(names));
		else
			names[0] = '\0';
		for (tok = strtok_r(names, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
			if (listed(r->applied, tok))
				continue;
			l = strlen(r->applied);
			snprintf(r->applied + l, sizeof(r->applied) - l, "%s%s", l ? ", " : "",
			    tok);
		}
		db_res_free(st);
	}
	csm_err_clear();
	db_res_free(ops);
}

static void
build_report(struct roll *r)
{
	struct rolling_report *rep = r->rep;
	struct db_res *pst = NULL;
	long long first_apply = -1, last_back = -1, now = (long long)time(NULL);
	int i, order = 0;
	size_t k;

	rep->cluster_id = r->cluster_id;
	free(rep->cluster);
	rep->cluster = xstrdup(r->cluster ? r->cluster : "");
	rep->op_id = r->op_id;
	if (rep->hosts == NULL) {
		rep->hosts = xcalloc(r->nm + 1, sizeof(*rep->hosts));
		rep->nh = r->nm;
		for (k = 0; k < r->nm; k++) {
			rep->hosts[k].id = r->m[k].id;
			rep->hosts[k].name = xstrdup(r->m[k].name);
			rep->hosts[k].disabled_s = rep->hosts[k].maintenance_s = -1;
		}
	}
	for (k = 0; k < r->nm; k++) {
		rep->hosts[k].to_apply = r->m[k].to_apply;
		rep->hosts[k].result = r->planned && r->m[k].to_apply == 0 && !r->m[k].done ?
		    "skipped" : "pending";
	}
	/* The dry run's order is the capacity plan's. */
	for (k = 0; r->op_id == 0 && k < rep->nsteps; k++)
		for (i = 0; i < (int)rep->nh; i++)
			if (rep->hosts[i].id == rep->steps[k].host_id) {
				rep->hosts[i].order = (int)k + 1;
				rep->hosts[i].master = member(r, rep->hosts[i].id)->predicted_master;
			}
	if (r->op_id == 0)
		return;
	db_res_free(rep->ops);
	rep->ops = NULL;
	if (journal_children(r->s->db, r->op_id, &rep->ops) != CSM_OK ||
	    journal_op_steps(r->s->db, r->op_id, &pst) != CSM_OK) {
		csm_warn("cannot read rolling operation %lld back from the journal: %s",
		    r->op_id, csm_err_msg());
		csm_err_clear();
		return;
	}
	rep->state = NULL;
	for (i = 0; i < db_res_rows(rep->ops); i++) {
		struct db_res *st = NULL;
		struct rolling_host *h = NULL;
		int hs, p, d, rs, wm, back;
		char tag[300], names[1024];

		if (db_get_int(rep->ops, i, J_OP_ID, 0) == r->op_id)
			continue;
		for (k = 0; k < rep->nh; k++)
			if (rep->hosts[k].id == db_get_int(rep->ops, i, J_OP_HOST_ID, -1))
				h = &rep->hosts[k];
		if (h == NULL || journal_op_steps(r->s->db, db_get_int(rep->ops, i, J_OP_ID, 0),
		    &st) != CSM_OK) {
			csm_err_clear();
			continue;
		}
		h->op_id = db_get_int(rep->ops, i, J_OP_ID, 0);
		if (h->order == 0)
			h->order = ++order;
		h->result = strcmp(db_get(rep->ops, i, J_OP_STATE), "done") == 0 ? "done" :
		    "failed";
		snprintf(tag, sizeof(tag), "%s (host %lld)", h->name, h->id);
		hs = find_step(pst, RS_HOST, tag, 1);
		h->master = hs >= 0 && db_get(pst, hs, J_STEP_DETAIL) != NULL &&
		    strstr(db_get(pst, hs, J_STEP_DETAIL), MASTER_TAG) != NULL;
		p = find_step(st, "patch", NULL, 1);
		h->applied = p >= 0 ? procedure_applied(db_get(st, p, J_STEP_DETAIL), 1, names,
		    sizeof(names)) : 0;
		d = find_step(st, "disable", NULL, 0);
		rs = find_step(st, "restore", NULL, 1);
		h->disabled_s = rs >= 0 ? span(st, d, J_STEP_STARTED, st, rs, J_STEP_FINISHED) :
		    d >= 0 ? (when(db_get(rep->ops, i, J_OP_FINISHED)) >= 0 ?
		    when(db_get(rep->ops, i, J_OP_FINISHED)) : now) -
		    when(db_get(st, d, J_STEP_STARTED)) : -1;
		wm = find_step(st, "wait-maintenance", NULL, 1);
		back = find_step(pst, RS_BACK, h->name, 1);
		if (wm >= 0 && strcmp(db_get(st, wm, J_STEP_STATE), "done") == 0)
			h->maintenance_s = back >= 0 && db_get(pst, back, J_STEP_FINISHED) ?
			    span(st, wm, J_STEP_FINISHED, pst, back, J_STEP_FINISHED) :
			    now - when(db_get(st, wm, J_STEP_FINISHED));
		if (p >= 0 && h->applied > 0 && (first_apply < 0 ||
		    when(db_get(st, p, J_STEP_FINISHED)) < first_apply))
			first_apply = when(db_get(st, p, J_STEP_FINISHED));
		if (back >= 0 && db_get(pst, back, J_STEP_FINISHED) &&
		    when(db_get(pst, back, J_STEP_FINISHED)) > last_back)
			last_back = when(db_get(pst, back, J_STEP_FINISHED));
		db_res_free(st);
	}
	for (i = 0; i < db_res_rows(rep->ops); i++) {
		long long started, finished;
		int s;
		if (db_get_int(rep->ops, i, J_OP_ID, 0) != r->op_id)
			continue;
		started = when(db_get(rep->ops, i, J_OP_STARTED));
		finished = when(db_get(rep->ops, i, J_OP_FINISHED));
		s = find_step(pst, RS_PLAN, NULL, 0);
		rep->plan_s = -1;
		if (s >= 0 && db_get(pst, s, J_STEP_DETAIL) != NULL &&
		    strstr(db_get(pst, s, J_STEP_DETAIL), PLANNED_TAG) != NULL)
			rep->plan_s = strtoll(strstr(db_get(pst, s, J_STEP_DETAIL), PLANNED_TAG) +
			    strlen(PLANNED_TAG), NULL, 10);
		rep->total_s = (finished >= 0 ? finished : now) - started +
		    (rep->plan_s > 0 ? rep->plan_s : 0);
		s = find_step(pst, RS_UPLOAD, NULL, 1);
		rep->upload_s = span(pst, s, J_STEP_STARTED, pst, s, J_STEP_FINISHED);
		s = find_step(pst, RS_CLEAN, NULL, 1);
		rep->clean_s = span(pst, s, J_STEP_STARTED, pst, s, J_STEP_FINISHED);
		rep->hosts_s = span(pst, find_step(pst, RS_HOST, NULL, 0), J_STEP_STARTED, pst,
		    find_step(pst, RS_BACK, NULL, 1), J_STEP_FINISHED);
		rep->state = strcmp(db_get(rep->ops, i, J_OP_STATE), "done") == 0 ? "done" :
		    db_get(rep->ops, i, J_OP_STATE);
	}
	/* Mixed: from the first hotfix applied to the last host back, or until now. */
	rep->mixed_s = first_apply < 0 ? 0 : (rep->state && strcmp(rep->state, "done") == 0 &&
	    last_back >= first_apply ? last_back : now) - first_apply;
	/* rep->state points into rep->ops, which the report keeps. */
	db_res_free(pst);
}

void
rolling_report_free(struct rolling_report *r)
{
	size_t i;

	for (i = 0; i < r->nh; i++)
		free(r->hosts[i].name);
	free(r->hosts);
	free(r->cluster);
	capacity_steps_free(r->steps, r->nsteps);
	checks_free(&r->checks);
	db_res_free(r->ops);
	memset(r, 0, sizeof(*r));
}

/* ---- set-up shared by run, resume and recover ---- */

static void
roll_free(struct roll *r)
{
	size_t i;
	int k;

	if (r->lock[0] && !db_lost(r->s->db))
		db_release_lock(r->s->db, r->lock);
	if (r->t_open)
		target_close(&r->t);
	for (i = 0; i < r->nm; i++) {
		free(r->m[i].name);
		free(r->m[i].guid);
		free(r->m[i].ip);
	}
	free(r->m);
	for (k = 0; k < r->nfiles; k++)
		free(r->files[k]);
	free(r->files);
	free(r->catalog);
	free(r->cluster);
	free(r->reason);
}

static int
take_cluster(struct roll *r)
{
	long long holder = 0;
	int got = 0, rc;

	journal_cluster_lock_name(db_schema(r->s->db), r->cluster_id, r->lock, sizeof(r->lock));
	if ((rc = db_get_lock(r->s->db, r->lock, 0, &got)) != CSM_OK) {
		r->lock[0] = '\0';
		return rc;
	}
	if (!got) {
		db_lock_holder(r->s->db, r->lock, &holder);
		r->lock[0] = '\0';
		return csm_err_set(CSM_ECONFLICT, "cluster %lld (%s) is held by another csmaint "
		    "(database connection %lld): a rolling run on it is under way",
		    r->cluster_id, r->cluster, holder);
	}
	return CSM_OK;
}

/* The children of the rolling operation: which hosts are done, and the open one. */
static int
children(struct roll *r, long long *open_child)
{
	struct db_res *ops = NULL;
	int i, rc;

	*open_child = 0;
	if ((rc = journal_children(r->s->db, r->op_id, &ops)) != CSM_OK)
		return rc;
	for (i = 0; i < db_res_rows(ops); i++) {
		struct member *m = member(r, db_get_int(ops, i, J_OP_HOST_ID, -1));
		struct db_res *raw = NULL;
		if (db_get_int(ops, i, J_OP_ID, 0) == r->op_id || m == NULL)
			continue;
		if (strcmp(db_get(ops, i, J_OP_STATE), "done") == 0)
			m->done = 1;
		m->disabled_before = db_get(ops, i, J_OP_PRIOR) != NULL &&
		    strcmp(db_get(ops, i, J_OP_PRIOR), "Disabled") == 0;
		if (journal_op_raw(r->s->db, db_get_int(ops, i, J_OP_ID, 0), &raw) == CSM_OK &&
		    db_get(raw, 0, J_RAW_OPEN_HOST) != NULL)
			*open_child = db_get_int(ops, i, J_OP_ID, 0);
		csm_err_clear();
		db_res_free(raw);
	}
	db_res_free(ops);
	return CSM_OK;
}

/* ---- the entry points ---- */

int
rolling_run(const struct site *s, const char *cluster, char *const *files, int nfiles,
    const char *catalog, const char *reason, struct dry *d, struct rolling_report *rep)
{
	struct roll r;
	struct cap_step *steps = NULL;
	long long master = 0, *order = NULL, seq;
	size_t n = 0, k;
	int rc, bad = 0;
	char *args = NULL;
	double t0;
	struct sbuf plan = SBUF_INIT;

	memset(&r, 0, sizeof(r));
	memset(rep, 0, sizeof(*rep));
	r.s = s;
	r.rep = rep;
	r.dry = d != NULL;
	rep->state = "planned";
	t0 = csm_now();
	wait_catch_signals();
	if ((rc = patch_inputs_check(catalog, files, nfiles)) != CSM_OK) {
		csm_err_prefix("refusing to start on cluster %s; nothing was changed", cluster);
		return rc;
	}
	r.catalog = catalog ? xstrdup(catalog) : NULL;
	r.reason = reason ? xstrdup(reason) : NULL;
	r.files = xcalloc((size_t)nfiles + 1, sizeof(*r.files));
	for (r.nfiles = 0; r.nfiles < nfiles; r.nfiles++)
		r.files[r.nfiles] = xstrdup(files[r.nfiles]);
	if ((rc = resolve_cluster(&r, cluster)) != CSM_OK || (rc = load_members(&r)) != CSM_OK)
		goto out;
	csm_info("planning cluster %lld (%s): %zu host%s", r.cluster_id, r.cluster, r.nm,
	    r.nm == 1 ? "" : "s");
	/* 1. Every host's plan, the order, every check, the capacity: before any change. */
	if ((rc = open_pool(&r)) != CSM_OK || (rc = master_now(&r, &master)) != CSM_OK ||
	    (rc = plan_members(&r)) != CSM_OK)
		goto out;
	order = xcalloc(r.nm + 1, sizeof(*order));
	n = predict_order(&r, master, order);
	pool_checks(&r, master);
	rep->show_checks = rep->checks.failed > 0 || r.dry;
	if ((rc = plan_capacity(&r, order, n, &steps, &bad)) != CSM_OK)
		goto out;
	keep_steps(&r, steps, n);
	build_report(&r);
	for (k = 0; k < r.nm; k++)
		if (r.m[k].to_apply == 0)
			csm_info("%s: at the level already (nothing to apply): skipped", r.m[k].name);
	for (k = 0; k < n; k++)
		sbuf_printf(&plan, "%s%s%s", k ? ", " : "", member(&r, order[k])->name,
		    order[k] == master ? " (master)" : "");
	if (rep->checks.failed > 0) {
		rep->state = "refused";
		rc = checks_refusal(&r);
		goto out;
	}
	if (bad != 0) {
		rep->state = "refused";
		rc = capacity_refusal(&r, &rep->steps[bad - 1], bad);
		csm_err_prefix("nothing was changed");
		goto out;
	}
	if (n == 0) {
		csm_info("every host of cluster %s is at the level already: nothing to do",
		    r.cluster);
		rc = CSM_OK;
		goto out;
	}
	csm_info("order: %s (the pool master first; CloudStack moves the master role when "
	    "the master enters maintenance, and the run follows it)", (plan.s ? plan.s : ""));
	if (r.dry) {
		dry_note(d, "take the cluster's lock (GET_LOCK), open a rolling operation for "
		    "cluster %lld (%s) holding it, then:", r.cluster_id, r.cluster);
		dry_note(d, "upload each hotfix file to the pool master (again later only when "
		    "a new master lacks it)");
		for (k = 0; k < n; k++)
			dry_note(d, "host %zu/%zu %s: the hotfix procedure as a child operation "
			    "(check, disable, wait-vms, wait-no-tools, enable-for-maintenance, "
			    "wait-maintenance, patch, reboot, restore), then wait until CloudStack "
			    "has it back in service; proposed targets: %s%s%s", k + 1, n,
			    rep->steps[k].host, rep->steps[k].migrate_to[0] ?
			    rep->steps[k].migrate_to : "none", rep->steps[k].restart_on[0] ?
			    "; VMs without Tools start on: " : "", rep->steps[k].restart_on);
		dry_note(d, "clean the applied hotfixes' files from the pool; close the rolling "
		    "operation");
		rc = CSM_OK;
		goto out;
	}
	/* 2. Hold the cluster, open the operation. */
	if ((rc = take_cluster(&r)) != CSM_OK)
		goto out;
	args = journal_args("cluster", cluster, r.catalog, r.files, r.nfiles);
	rc = journal_pool_open(s->db, r.cluster_id, r.cluster, s->cs->column, args, r.reason,
	    &r.op_id);
	if (rc != CSM_OK) {
		char why[512] = "";
		if (db_dup_key(s->db))
			journal_cluster_held(s->db, r.cluster_id, why, sizeof(why));
		rc = why[0] ? csm_err_set(CSM_ECONFLICT, "cluster %s: %s", r.cluster, why) : rc;
		goto out;
	}
	csm_info("rolling operation %lld on cluster %lld (%s): %zu host%s to patch", r.op_id,
	    r.cluster_id, r.cluster, n, n == 1 ? "" : "s");
	seq = step_begin(&r, RS_PLAN, NULL);
	{
		char *text = xasprintf("order: %s; capacity fits at every step "
		    "(cpu.overprovisioning.factor %.2f); " PLANNED_TAG "%.0f s",
		    (plan.s ? plan.s : ""), rep->factor, csm_now() - t0);
		step_end(&r, seq, CSM_OK, text);
		free(text);
	}
	/* 3. Uploads, the hosts, the clean-up. */
	if ((rc = upload_all(&r)) != CSM_OK) {
		rc = stop_run(&r, rc, NULL);
		goto report;
	}
	rc = run_to_the_end(&r);
report:
	build_report(&r);
out:
	if (rep->state == NULL)
		rep->state = rc == CSM_OK ? "done" : "failed";
	sbuf_free(&plan);
	free(order);
	free(args);
	roll_free(&r);
	return rc;
}

int
rolling_owner(const struct site *s, long long op_id, long long *pool_op)
{
	struct db_res *raw = NULL;
	int rc;

	*pool_op = 0;
	if ((rc = journal_op_raw(s->db, op_id, &raw)) != CSM_OK)
		return rc;
	if (strcmp(db_get(raw, 0, J_RAW_KIND), "rolling") == 0)
		*pool_op = op_id;
	else if (db_get(raw, 0, J_RAW_PARENT) != NULL)
		*pool_op = db_get_int(raw, 0, J_RAW_PARENT, 0);
	db_res_free(raw);
	return CSM_OK;
}

/* Load a rolling operation for resume or recover: its arguments, cluster, hosts, lock. */
static int
reopen(struct roll *r, long long op_id, int *closed)
{
	struct db_res *raw = NULL;
	char *spec = NULL;
	int rc;

	*closed = 0;
	if ((rc = journal_op_raw(r->s->db, op_id, &raw)) != CSM_OK)
		return rc;
	if (strcmp(db_get(raw, 0, J_RAW_KIND), "rolling") != 0) {
		rc = csm_err_set(CSM_ECONFLICT, "operation %lld is a '%s', not a rolling "
		    "operation", op_id, db_get(raw, 0, J_RAW_KIND));
		goto out;
	}
	r->op_id = op_id;
	r->cluster_id = db_get_int(raw, 0, J_RAW_CLUSTER, 0);
	{
		struct journal_args a;
		journal_args_parse(db_get(raw, 0, J_RAW_ARGS), "cluster", &a);
		spec = a.value;
		r->catalog = a.catalog;
		r->files = a.files;
		r->nfiles = a.nfiles;
	}
	if (db_get(raw, 0, J_RAW_OPEN_CLUSTER) == NULL) {
		*closed = 1;
		csm_info("rolling operation %lld is already closed (%s): nothing to do", op_id,
		    db_get(raw, 0, J_RAW_STATE));
		goto out;
	}
	{
		char id[32];
		snprintf(id, sizeof(id), "%lld", r->cluster_id);
		if ((rc = resolve_cluster(r, id)) != CSM_OK || (rc = load_members(r)) != CSM_OK)
			goto out;
	}
	if ((rc = take_cluster(r)) != CSM_OK) {
		csm_err_prefix("rolling operation %lld is still running (its process holds the "
		    "cluster's lock); stop that csmaint first (SIGINT/SIGTERM rolls its host "
		    "back)", op_id);
		goto out;
	}
out:
	free(spec);
	db_res_free(raw);
	return rc;
}

int
rolling_resume(const struct site *s, long long op_id, struct rolling_report *rep)
{
	struct roll r;
	struct db_res *pst = NULL;
	long long open_child = 0, master = 0;
	int rc, closed = 0;
	size_t i;
	char *who;

	memset(&r, 0, sizeof(r));
	memset(rep, 0, sizeof(*rep));
	r.s = s;
	r.rep = rep;
	wait_catch_signals();
	if ((rc = reopen(&r, op_id, &closed)) != CSM_OK || closed)
		goto out;
	who = csm_operator_name();
	journal_op_touch(s->db, op_id, (long long)getpid(), who);
	free(who);
	if ((rc = look_at_pool(&r, &master)) != CSM_OK ||
	    (rc = children(&r, &open_child)) != CSM_OK) {
		rc = stop_run(&r, rc, NULL);
		goto report;
	}
	csm_info("resuming rolling operation %lld on cluster %s", op_id, r.cluster);
	/* The host in flight first: its own resume decides from live state. */
	if (open_child != 0) {
		struct procedure_child child = { r.op_id, r.lock, "", "" };
		struct procedure_report pr;
		struct db_res *raw = NULL;
		struct member *m = NULL;
		long long seq;
		char detail[300];

		struct cap_step *steps = NULL;
		int bad = 0;

		if (journal_op_raw(s->db, open_child, &raw) == CSM_OK)
			m = member(&r, db_get_int(raw, 0, J_RAW_HOST_ID, -1));
		db_res_free(raw);
		csm_err_clear();
		/* Targets for what is still on the host, from the placement now. */
		if (m != NULL && plan_members(&r) == CSM_OK &&
		    plan_capacity(&r, &m->id, 1, &steps, &bad) == CSM_OK) {
			child.migrate_to = steps[0].migrate_to;
			child.restart_on = steps[0].restart_on;
		}
		csm_err_clear();
		snprintf(detail, sizeof(detail), "%s (host %lld); resuming operation %lld",
		    m ? m->name : "?", m ? m->id : 0, open_child);
		seq = step_begin(&r, RS_HOST, detail);
		rc = procedure_resume_child(s, open_child, &child, &pr);
		capacity_steps_free(steps, 1);
		remember_applied(&r, &pr);
		procedure_report_free(&pr);
		step_end(&r, seq, rc, rc == CSM_OK ? detail : csm_err_msg());
		if (rc != CSM_OK) {
			rc = stop_run(&r, rc, m ? m->name : NULL);
			goto report;
		}
		if (m != NULL)
			m->done = 1;
	}
	/* Every host done so far is back in service before the next one goes out. */
	for (i = 0; i < r.nm; i++)
		if (r.m[i].done && (rc = wait_in_service(&r, &r.m[i])) != CSM_OK) {
			rc = stop_run(&r, rc, r.m[i].name);
			goto report;
		}
	if (journal_op_steps(s->db, op_id, &pst) == CSM_OK &&
	    find_step(pst, RS_UPLOAD, NULL, 1) >= 0 &&
	    strcmp(db_get(pst, find_step(pst, RS_UPLOAD, NULL, 1), J_STEP_STATE), "done") == 0)
		;	/* uploaded before: a master that lacks a file gets it again per host */
	else if ((rc = open_pool(&r)) != CSM_OK || (rc = upload_all(&r)) != CSM_OK) {
		rc = stop_run(&r, rc, NULL);
		goto report;
	}
	applied_by_children(&r);
	rc = run_to_the_end(&r);
report:
	build_report(&r);
out:
	db_res_free(pst);
	if (rep->state == NULL)
		rep->state = rc == CSM_OK ? "done" : "failed";
	roll_free(&r);
	return rc;
}

int
rolling_recover(const struct site *s, long long op_id, struct dry *d,
    struct rolling_report *rep)
{
	struct roll r;
	struct db_res *ops = NULL;
	int rc, closed = 0, i;

	memset(&r, 0, sizeof(r));
	memset(rep, 0, sizeof(*rep));
	r.s = s;
	r.rep = rep;
	if ((rc = reopen(&r, op_id, &closed)) != CSM_OK || closed)
		goto out;
	if ((rc = journal_children(s->db, op_id, &ops)) != CSM_OK)
		goto out;
	for (i = 0; i < db_res_rows(ops); i++) {
		struct toggle_result res;
		struct db_res *raw = NULL;
		long long id = db_get_int(ops, i, J_OP_ID, 0);
		int open;

		if (id == op_id || journal_op_raw(s->db, id, &raw) != CSM_OK) {
			csm_err_clear();
			continue;
		}
		open = db_get(raw, 0, J_RAW_OPEN_HOST) != NULL;
		db_res_free(raw);
		if (!open)
			continue;
		if ((rc = toggle_recover(s->db, s->cs, id, d, &res)) != CSM_OK) {
			csm_err_prefix("cannot roll back operation %lld of rolling operation %lld",
			    id, op_id);
			goto out;
		}
		if (d != NULL)
			dry_note(d, "operation %lld, host %lld (%s): %s '%s' -> '%s'", id,
			    res.host_id, res.host_name, s->cs->column, res.prior, res.written);
		else
			csm_info("operation %lld rolled back: host %lld (%s) %s '%s' -> '%s'; "
			    "hotfixes applied stay applied", id, res.host_id, res.host_name,
			    s->cs->column, res.prior, res.written);
	}
	if (d != NULL) {
		dry_note(d, "close rolling operation %lld as rolled_back, releasing cluster %s",
		    op_id, r.cluster);
	} else {
		rc = journal_pool_close(s->db, op_id, "rolled_back", "recovered by the operator "
		    "(csmaint recover)");
		if (rc == CSM_OK)
			csm_info("rolling operation %lld closed as rolled_back: cluster %s is free; "
			    "hosts patched by it stay patched (the pool may be left mixed: 'csmaint "
			    "audit' says so)", op_id, r.cluster);
	}
	if (r.nm > 0 && d == NULL) {
		long long open_child;
		children(&r, &open_child);
		build_report(&r);
	}
out:
	db_res_free(ops);
	roll_free(&r);
	return rc;
}
