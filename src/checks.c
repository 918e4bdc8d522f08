/* checks.c: every precondition of the hotfix procedure, evaluated without a change. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csmaint.h"
#include "checks.h"
#include "cloudstack.h"
#include "conf.h"
#include "db.h"
#include "journal.h"
#include "patch.h"
#include "plan.h"
#include "pool.h"
#include "site.h"
#include "target.h"
#include "xapi.h"
#include "xmlrpc.h"
#include "xshost.h"

static void
row(struct checks *o, const char *name, int ok, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
row(struct checks *o, const char *name, int ok, const char *fmt, ...)
{
	char fact[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fact, sizeof(fact), fmt, ap);
	va_end(ap);
	checks_add(o, name, ok > 0 ? CHECK_PASS : ok == 0 ? CHECK_FAIL : CHECK_SKIP, fact);
}

void
checks_add(struct checks *o, const char *name, enum check_result result, const char *fact)
{
	o->v = xrealloc(o->v, (o->n + 1) * sizeof(*o->v));
	o->v[o->n].name = xstrdup(name);
	o->v[o->n].result = result;
	o->v[o->n].fact = xstrdup(fact);
	o->n++;
	if (result == CHECK_FAIL)
		o->failed++;
}

static void
list_ids(const struct db_res *r, int c0, int c1, char *buf, size_t len)
{
	size_t l = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < db_res_rows(r) && l < len - 64; i++)
		l += (size_t)snprintf(buf + l, len - l, "%s%s %s", i ? ", " : "",
		    db_get(r, i, c0), db_get(r, i, c1) ? db_get(r, i, c1) : "");
}

/* The pool master's record among T's hosts, as XenServer says now; NULL (message set)
 * when it cannot be told. */
static const struct pool_host *
master_now(const struct target *t)
{
	const struct pool_host *m = NULL;
	char *ref = NULL;
	size_t i;

	if (pool_master_ref(t->pool, &ref) != CSM_OK)
		return NULL;
	for (i = 0; i < t->nh; i++)
		if (strcmp(t->hosts[i].ref, ref) == 0)
			m = &t->hosts[i];
	if (m == NULL)
		csm_err_set(CSM_EFAIL, "XenServer names no pool master among the pool's hosts");
	free(ref);
	return m;
}

int
checks_master_first(const struct target *t, const char *const *names, size_t n,
    char *fact, size_t len)
{
	const struct pool_host *m = master_now(t);
	char lacks[512] = "";
	int pending = 0, needed = 0;
	size_t i, l;

	if (m == NULL) {
		snprintf(fact, len, "cannot tell which host is the pool master: %s",
		    csm_err_msg());
		return 0;
	}
	if (m == t->xs) {
		snprintf(fact, len, "%s is the pool master", m->name_label);
		return 1;
	}
	if (n == 0) {
		snprintf(fact, len, "no hotfix named (the pool master is %s)", m->name_label);
		return 1;
	}
	for (i = 0; i < n; i++) {
		struct patch p;
		int applied = 0, here = 0;
		/* A hotfix this host has already is not one it still waits for. */
		if (patch_find(t->pool, t->updates, names[i], &p) == CSM_OK &&
		    patch_applied(t->pool, &p, t->xs->ref, &here) == CSM_OK && here) {
			patch_clear(&p);
			continue;
		}
		needed++;
		/* Not on the pool at all, or not applied on the master. */
		if ((p.ref == NULL && p.update == NULL) ||
		    patch_applied(t->pool, &p, m->ref, &applied) != CSM_OK || !applied) {
			l = strlen(lacks);
			snprintf(lacks + l, sizeof(lacks) - l, "%s%s", l ? ", " : "", names[i]);
		}
		patch_clear(&p);
	}
	csm_err_clear();
	if (needed == 0) {
		snprintf(fact, len, "%s has every planned hotfix already: nothing to wait for "
		    "from the pool master %s", t->xs->name_label, m->name_label);
		return 1;
	}
	if (xshost_reboot_pending(t->pool, m->uuid, &pending) != CSM_OK)
		pending = 1;	/* not known: as XenCenter, block */
	csm_err_clear();
	if (lacks[0] == '\0' && !pending) {
		snprintf(fact, len, "pool master %s has the planned hotfixes and no reboot "
		    "pending", m->name_label);
		return 1;
	}
	snprintf(fact, len, "pool master %s %s%s%s%s: patch the master first (XenServer wants "
	    "it before the members), or give --member-first", m->name_label,
	    lacks[0] ? "lacks " : "", lacks, lacks[0] && pending ? " and " : "",
	    pending ? "has a reboot pending (or one csmaint cannot rule out)" : "");
	return 0;
}

/*
 * A precheck that failed only for want of another requested hotfix (xapi:
 * PATCH_PRECHECK_FAILED_PREREQUISITE_MISSING naming its uuid): the procedure applies
 * that one first, and prechecks this one then.  The name of that hotfix, or NULL.
 */
static const char *
requested_prerequisite(const struct target *t, char *const *patches, int npatches,
    int self, const char *msg)
{
	static char name[256];
	char copy[1024];
	int i;

	if (strstr(msg, "PREREQUISITE_MISSING") == NULL)
		return NULL;
	/* The message is the error slot's: keep it while other calls set theirs. */
	snprintf(copy, sizeof(copy), "%s", msg);
	msg = copy;
	for (i = 0; i < npatches; i++) {
		char *n;
		struct patch p;
		int hit;
		if (i == self)
			continue;
		n = plan_request_name(patches[i]);
		hit = patch_find(t->pool, t->updates, n, &p) == CSM_OK && p.uuid != NULL &&
		    strstr(msg, p.uuid) != NULL;
		if (hit)
			snprintf(name, sizeof(name), "%s", p.name_label ? p.name_label : n);
		patch_clear(&p);
		free(n);
		if (hit) {
			csm_err_clear();
			return name;
		}
	}
	csm_err_set(CSM_EFAIL, "%s", copy);
	return NULL;
}

int
checks_run(const struct site *s, const char *spec, char *const *patches, int npatches,
    int member_first, struct checks *o)
{
	struct db_res *host = NULL, *vms = NULL, *ha = NULL, *jobs = NULL, *open = NULL;
	const char *st, *alloc;
	struct target t;
	long long id;
	int rc, installed, version, i, influx = 0, xapi_ok;
	char buf[1024];

	memset(o, 0, sizeof(*o));
	row(o, "schema", s->cs->gen != CS_GEN_UNSUPPORTED, "%s",
	    s->cs->gen != CS_GEN_UNSUPPORTED ? s->cs->generation : s->cs->why);
	if ((rc = journal_status(s->db, &installed, &version)) != CSM_OK)
		return rc;
	row(o, "journal", installed && version == JOURNAL_VERSION,
	    installed ? "journal schema '%s' at version %d" : "journal schema '%s' not "
	    "installed (csmaint schema install --execute)", db_journal(s->db), version);
	if (s->cs->gen == CS_GEN_UNSUPPORTED)
		return CSM_OK;
	if ((rc = cs_host_resolve(s->db, spec, &id)) != CSM_OK ||
	    (rc = cs_host_get(s->db, id, &host)) != CSM_OK)
		return rc;
	if (installed) {
		if ((rc = journal_open_ops(s->db, &open)) != CSM_OK)
			goto out;
		buf[0] = '\0';
		for (i = 0; i < db_res_rows(open); i++)
			if (db_get_int(open, i, J_OPEN_HOST, 0) == id)
				snprintf(buf, sizeof(buf), "operation %s (%s, %s) holds the host",
				    db_get(open, i, J_OPEN_ID), db_get(open, i, J_OPEN_KIND),
				    db_get(open, i, J_OPEN_STATE));
		row(o, "no open operation", buf[0] == '\0', "%s",
		    buf[0] ? buf : "no csmaint operation holds the host");
	}
	row(o, "hypervisor host", strcmp(db_get(host, 0, CS_H_TYPE), "Routing") == 0 &&
	    db_get(host, 0, CS_H_REMOVED) == NULL, "host %lld (%s): type %s%s%s", id,
	    db_get(host, 0, CS_H_NAME), db_get(host, 0, CS_H_TYPE),
	    db_get(host, 0, CS_H_REMOVED) ? ", removed " : ", not removed",
	    db_get(host, 0, CS_H_REMOVED) ? db_get(host, 0, CS_H_REMOVED) : "");
	st = db_get(host, 0, CS_H_STATUS);
	alloc = db_get(host, 0, CS_H_ALLOC);
	row(o, "host status", strcmp(st, "Up") == 0 || strcmp(st, "Maintenance") == 0 ||
	    strcmp(st, "PrepareForMaintenance") == 0 || (s->cs->gen == CS_GEN_30 &&
	    (strcmp(alloc, "Maintenance") == 0 || strcmp(alloc, "PrepareForMaintenance") == 0)),
	    "status %s, %s %s", st, s->cs->column, alloc);
	if ((rc = cs_vms_on_host(s->db, id, &vms)) != CSM_OK)
		goto out;
	buf[0] = '\0';
	for (i = 0; i < db_res_rows(vms); i++) {
		const char *vs = db_get(vms, i, CS_V_STATE);
		if (strcmp(vs, "Starting") == 0 || strcmp(vs, "Stopping") == 0 ||
		    strcmp(vs, "Migrating") == 0) {
			size_t l = strlen(buf);
			snprintf(buf + l, sizeof(buf) - l, "%s%s %s", influx++ ? ", " : "",
			    db_get(vms, i, CS_V_INSTANCE), vs);
		}
	}
	row(o, "no VM in flux", influx == 0, "%s", influx ? buf :
	    "no VM Starting, Stopping or Migrating on the host");
	if ((rc = cs_pending_ha(s->db, id, &ha)) != CSM_OK)
		goto out;
	list_ids(ha, 0, 1, buf, sizeof(buf));
	row(o, "no HA work", db_res_rows(ha) == 0, "%s%s", db_res_rows(ha) ?
	    "op_ha_work pending: " : "no pending op_ha_work for the host or its VMs", buf);
	if ((rc = cs_pending_jobs(s->db, id, &jobs)) != CSM_OK)
		goto out;
	list_ids(jobs, 0, 1, buf, sizeof(buf));
	row(o, "no async jobs", db_res_rows(jobs) == 0, "%s%s", db_res_rows(jobs) ?
	    "unfinished async_job: " : "no unfinished async job for the host or its VMs", buf);

	/* XenAPI: reachable, TLS verified, master found, the host in the pool. */
	xapi_ok = target_open(s, spec, &t) == CSM_OK;
	row(o, "XenAPI", xapi_ok, "%s", xapi_ok ? "logged in" : csm_err_msg());
	if (!xapi_ok) {
		rc = CSM_OK;
		goto out;
	}
	row(o, "TLS", s->conf->xapi.verify, "%s", !s->conf->xapi.verify ?
	    "certificate verification is off (xenapi.verify = false)" :
	    s->conf->xapi.pinned_pubkey ? "server key matches xenapi.pinned_pubkey" :
	    s->conf->xapi.ca_file ? "certificate verified against xenapi.ca_file" :
	    "certificate verified against the system CAs");
	{
		/* Master first, compared with the master now: maintenance moves the role. */
		char **names = xcalloc((size_t)npatches + 1, sizeof(*names)), fact[768];
		int ok;
		for (i = 0; i < npatches; i++)
			names[i] = plan_request_name(patches[i]);
		ok = checks_master_first(&t, (const char *const *)names, (size_t)npatches, fact,
		    sizeof(fact));
		if (!ok && member_first)
			row(o, "pool master first", -1, "overridden (--member-first): %s", fact);
		else
			row(o, "pool master first", ok, "%s", fact);
		for (i = 0; i < npatches; i++)
			free(names[i]);
		free(names);
	}
	row(o, "XenServer host", t.xs->live != 0, "%s: XenServer %s build %s, API "
	    "%lld.%lld, enabled %s, live %s", t.xs->name_label,
	    t.xs->product_version ? t.xs->product_version : "?",
	    t.xs->build_number ? t.xs->build_number : "?", t.xs->api_major, t.xs->api_minor,
	    t.xs->enabled ? "yes" : "no", t.xs->live == 1 ? "yes" : t.xs->live == 0 ? "no" :
	    "unknown");
	for (i = 0; i < npatches; i++) {
		char *name = plan_request_name(patches[i]);
		struct patch_one req = { name, NULL, NULL, PATCH_PRECHECK,
		    s->conf->proc.wait_timeout, 0, NULL, 0, "" };
		enum patch_outcome done;
		struct patch p;
		char label[300];
		const char *prereq;
		int prc;

		snprintf(label, sizeof(label), "precheck %s", name);
		prc = patch_apply_one(t.pool, t.updates, t.xs->ref, &req, &p, &done, NULL);
		if (prc == CSM_ENOTFOUND)
			row(o, label, -1, "not on the pool yet: prechecked after upload");
		else if (prc != CSM_OK && (prereq = requested_prerequisite(&t, patches,
		    npatches, i, csm_err_msg())) != NULL)
			row(o, label, -1, "needs %s, which this run applies first: prechecked "
			    "when its turn comes", prereq);
		else if (prc == CSM_OK)
			row(o, label, 1, "%s", done == PATCH_ALREADY ? "already applied" :
			    "precheck passed");
		else
			row(o, label, 0, "%s", csm_err_msg());
		patch_clear(&p);
		free(name);
	}
	target_close(&t);
	rc = CSM_OK;
out:
	db_res_free(host);
	db_res_free(vms);
	db_res_free(ha);
	db_res_free(jobs);
	db_res_free(open);
	return rc;
}

void
checks_free(struct checks *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].fact);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}
