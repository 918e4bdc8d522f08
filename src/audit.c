/* audit.c: the drift and danger report: what a DBA should look at, from the database
 * and the journal (and, asked, XenServer's patch levels). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csmaint.h"
#include "audit.h"
#include "cloudstack.h"
#include "db.h"
#include "journal.h"
#include "pool.h"
#include "site.h"
#include "target.h"

/* The column layouts of the queries below, by name. */
enum { O_ID, O_KIND, O_HOST_ID, O_HOST_NAME, O_STATE, O_STARTED, O_NEW, O_PRIOR, O_NOW,
	O_STATUS, O_OPERATOR };
enum { D_ID, D_NAME, D_ALLOC, D_STATUS };
enum { V_ID, V_INSTANCE, V_STATE, V_HOST_ID, V_HOST_NAME, V_ALLOC, V_STATUS };
enum { C_CLUSTER, C_HOST_ID };

/* Operations that hold a host, or failed without closing; with the row as it is now. */
static const char SQL_OPEN[] =
	"SELECT o.id, o.kind, o.host_id, o.host_name,"
	" " J_SQL_STATE_NOW("o.") ","
	" DATE_FORMAT(o.started, '%Y-%m-%dT%H:%i:%sZ'), o.new_value, o.prior_value, h.{C},"
	" h.status, o.operator"
	" FROM {J}.operation o LEFT JOIN host h ON h.id = o.host_id"
	" WHERE o.cloud_schema = ? AND o.open_host IS NOT NULL ORDER BY o.id";

/* Hosts Disabled with no csmaint operation holding them. */
static const char SQL_DISABLED_ELSEWHERE[] =
	"SELECT h.id, h.name, h.{C}, h.status FROM host h"
	" LEFT JOIN {J}.operation o ON o.cloud_schema = ? AND o.open_host = h.id"
	" WHERE h.type = 'Routing' AND h.removed IS NULL AND h.{C} = 'Disabled'"
	" AND o.id IS NULL ORDER BY h.id";

/* VMs CloudStack runs on hosts that take no new VMs or are in maintenance. */
static const char SQL_VMS_ON_DISABLED[] =
	"SELECT vm.id, vm.instance_name, vm.state, h.id, h.name, h.{C}, h.status"
	" FROM vm_instance vm JOIN host h ON h.id = vm.host_id"
	" WHERE vm.removed IS NULL AND vm.state IN ('Running', 'Starting', 'Stopping',"
	" 'Migrating') AND (h.{C} <> 'Enabled' OR h.status IN ('Maintenance',"
	" 'PrepareForMaintenance', 'ErrorInMaintenance')) ORDER BY h.id, vm.id";

/*
 * Pools a rolling operation left mixed: the newest rolling operation of the cluster did
 * not end done, yet some of its hosts were patched; mixed since its first hotfix applied.
 */
static const char SQL_MIXED[] =
	"SELECT p.id, p.host_name, p.cluster_id, " J_SQL_STATE_NOW("p.") ","
	" (SELECT COUNT(*) FROM {J}.operation c WHERE c.parent_id = p.id AND c.state = 'done'),"
	" (SELECT COUNT(*) FROM host h WHERE h.cluster_id = p.cluster_id AND h.type = 'Routing'"
	" AND h.removed IS NULL),"
	" (SELECT DATE_FORMAT(MIN(s.finished), '%Y-%m-%dT%H:%i:%sZ') FROM {J}.operation c"
	" JOIN {J}.operation_step s ON s.operation_id = c.id WHERE c.parent_id = p.id"
	" AND s.name = 'patch' AND s.state = 'done')"
	" FROM {J}.operation p WHERE p.cloud_schema = ? AND p.kind = 'rolling'"
	" AND p.state <> 'done' AND p.id = (SELECT MAX(q.id) FROM {J}.operation q"
	" WHERE q.cloud_schema = p.cloud_schema AND q.kind = 'rolling'"
	" AND q.cluster_id = p.cluster_id) ORDER BY p.cluster_id";
enum { M_ID, M_CLUSTER, M_CLUSTER_ID, M_STATE, M_DONE, M_HOSTS, M_SINCE };

/* One Up hypervisor per cluster: the way into each pool for --xapi. */
static const char SQL_CLUSTERS[] =
	"SELECT cluster_id, MIN(id) FROM host WHERE type = 'Routing' AND removed IS NULL"
	" AND status = 'Up' AND cluster_id IS NOT NULL GROUP BY cluster_id ORDER BY cluster_id";

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
add(struct findings *o, const char *kind, const char *host_id, const char *host,
    const char *op, const char *detail)
{
	struct finding *f;

	o->v = xrealloc(o->v, (o->n + 1) * sizeof(*o->v));
	f = &o->v[o->n++];
	f->kind = xstrdup(kind);
	f->host_id = dup_or_null(host_id);
	f->host_name = dup_or_null(host);
	f->operation = dup_or_null(op);
	f->detail = dup_or_null(detail);
}

/* Hosts of one pool that lack a patch some other host of the pool has. */
static int
patch_skew(const struct site *s, const char *cluster, const char *via, struct findings *o)
{
	struct target t;
	size_t i, j, k, l;
	int rc;

	if ((rc = target_open(s, via, &t)) != CSM_OK) {
		char d[1024];
		snprintf(d, sizeof(d), "cluster %s: cannot compare patches: %s", cluster,
		    csm_err_msg());
		add(o, "xapi-unreachable", via, NULL, NULL, d);
		csm_err_clear();
		return CSM_OK;
	}
	for (i = 0; i < t.nh; i++) {
		char missing[1024] = "";
		size_t len = 0;

		for (j = 0; j < t.nh; j++) {
			for (k = 0; k < t.hosts[j].npatches; k++) {
				const char *u = t.hosts[j].patches[k];
				int have = 0;
				for (l = 0; l < t.hosts[i].npatches; l++)
					if (strcasecmp(t.hosts[i].patches[l], u) == 0)
						have = 1;
				if (!have && strstr(missing, u) == NULL && len < sizeof(missing) - 64)
					len += (size_t)snprintf(missing + len, sizeof(missing) - len,
					    "%s%s", len ? ", " : "", u);
			}
		}
		if (len > 0) {
			char d[1200];
			snprintf(d, sizeof(d), "cluster %s: missing hotfixes other hosts of the pool "
			    "have: %s", cluster, missing);
			add(o, "patch-skew", NULL, t.hosts[i].name_label, NULL, d);
		}
	}
	target_close(&t);
	return CSM_OK;
}

int
audit_run(const struct site *s, int xapi, struct findings *o)
{
	struct db_res *r = NULL;
	const char *col = s->cs->column;
	char d[1024];
	int rc, i;

	memset(o, 0, sizeof(*o));
	if ((rc = db_query(s->db, &r, SQL_OPEN, "s", db_schema(s->db))) != CSM_OK)
		goto out;
	for (i = 0; i < db_res_rows(r); i++) {
		const char *st = db_get(r, i, O_STATE), *now = db_get(r, i, O_NOW);

		snprintf(d, sizeof(d), "%s operation %s by %s since %s holds the host (%s "
		    "'%s' -> '%s')", db_get(r, i, O_KIND), st, db_get(r, i, O_OPERATOR), db_get(r, i, O_STARTED), col,
		    db_get(r, i, O_PRIOR), db_get(r, i, O_NEW));
		add(o, strcmp(st, "holding") == 0 ? "disabled-by-csmaint" :
		    strcmp(st, "interrupted") == 0 ? "interrupted" : strcmp(st, "failed") == 0 ?
		    "failed" : "running", db_get(r, i, O_HOST_ID), db_get(r, i, O_HOST_NAME), db_get(r, i, O_ID), d);
		/* Drift: the row no longer holds what csmaint wrote (2.2 reset on reconnect). */
		/* On 3.0+ maintenance takes resource_state over: CloudStack's, not drift. */
		if (now != NULL && strcmp(now, db_get(r, i, O_NEW)) != 0 &&
		    !(s->cs->gen == CS_GEN_30 && strstr(now, "Maintenance") != NULL)) {
			snprintf(d, sizeof(d), "%s is '%s' but operation %s wrote '%s'%s", col, now,
			    db_get(r, i, O_ID), db_get(r, i, O_NEW), strcmp(now, "Enabled") == 0 ?
			    ": CloudStack re-enabled the host (reset on reconnect); it takes new VMs" :
			    "");
			add(o, "drift", db_get(r, i, O_HOST_ID), db_get(r, i, O_HOST_NAME), db_get(r, i, O_ID), d);
		}
	}
	db_res_free(r);
	r = NULL;
	if ((rc = db_query(s->db, &r, SQL_MIXED, "s", db_schema(s->db))) != CSM_OK)
		goto out;
	for (i = 0; i < db_res_rows(r); i++) {
		if (db_get_int(r, i, M_DONE, 0) == 0 || db_get(r, i, M_SINCE) == NULL)
			continue;
		snprintf(d, sizeof(d), "cluster %s (%s): %s of %s hosts patched by rolling "
		    "operation %s (%s); the pool has run mixed since %s: resume it ('csmaint "
		    "resume %s') or finish the hosts left", db_get(r, i, M_CLUSTER_ID),
		    db_get(r, i, M_CLUSTER), db_get(r, i, M_DONE), db_get(r, i, M_HOSTS),
		    db_get(r, i, M_ID), db_get(r, i, M_STATE), db_get(r, i, M_SINCE),
		    db_get(r, i, M_ID));
		add(o, "pool-mixed", NULL, NULL, db_get(r, i, M_ID), d);
	}
	db_res_free(r);
	r = NULL;
	if ((rc = db_query(s->db, &r, SQL_DISABLED_ELSEWHERE, "s", db_schema(s->db))) !=
	    CSM_OK)
		goto out;
	for (i = 0; i < db_res_rows(r); i++) {
		snprintf(d, sizeof(d), "%s 'Disabled' (status %s) by something other than "
		    "csmaint: the UI, the API or a hand-written UPDATE", col, db_get(r, i, D_STATUS));
		add(o, "disabled-elsewhere", db_get(r, i, D_ID), db_get(r, i, D_NAME), NULL, d);
	}
	db_res_free(r);
	r = NULL;
	if ((rc = db_query(s->db, &r, SQL_VMS_ON_DISABLED, "")) != CSM_OK)
		goto out;
	for (i = 0; i < db_res_rows(r); i++) {
		snprintf(d, sizeof(d), "VM %s (%s, id %s) on a host with %s '%s', status %s",
		    db_get(r, i, V_INSTANCE), db_get(r, i, V_STATE), db_get(r, i, V_ID), col, db_get(r, i, V_ALLOC),
		    db_get(r, i, V_STATUS));
		add(o, "vm-on-disabled-host", db_get(r, i, V_HOST_ID), db_get(r, i, V_HOST_NAME), NULL, d);
	}
	db_res_free(r);
	r = NULL;
	/* 3.0+: csmaint's disable leaves op_host_capacity counting the host. */
	if (s->cs->gen == CS_GEN_30) {
		if ((rc = cs_capacity(s->db, 0, 0, &r)) != CSM_OK)
			goto out;
		for (i = 0; i < db_res_rows(r); i++) {
			snprintf(d, sizeof(d), "op_host_capacity.capacity_state is '%s' but "
			    "resource_state is '%s': CloudStack itself would have written '%s', "
			    "so its capacity summaries %s the host", db_get(r, i, CS_CAP_FOUND),
			    db_get(r, i, CS_CAP_STATE), db_get(r, i, CS_CAP_EXPECTED),
			    strcmp(db_get(r, i, CS_CAP_EXPECTED), "Disabled") == 0 ?
			    "still count" : "leave out");
			add(o, "capacity-mismatch", db_get(r, i, CS_CAP_ID),
			    db_get(r, i, CS_CAP_NAME), NULL, d);
		}
		db_res_free(r);
		r = NULL;
	}
	if (xapi) {
		if ((rc = db_query(s->db, &r, SQL_CLUSTERS, "")) != CSM_OK)
			goto out;
		for (i = 0; i < db_res_rows(r) && rc == CSM_OK; i++)
			rc = patch_skew(s, db_get(r, i, C_CLUSTER), db_get(r, i, C_HOST_ID), o);
	}
out:
	db_res_free(r);
	return rc;
}

void
audit_free(struct findings *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].kind);
		free(f->v[i].host_id);
		free(f->v[i].host_name);
		free(f->v[i].operation);
		free(f->v[i].detail);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}
