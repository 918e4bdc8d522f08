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
#include "pool.h"
#include "site.h"
#include "target.h"

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
	o->v = xrealloc(o->v, (o->n + 1) * sizeof(*o->v));
	o->v[o->n].name = xstrdup(name);
	o->v[o->n].result = ok > 0 ? CHECK_PASS : ok == 0 ? CHECK_FAIL : CHECK_SKIP;
	o->v[o->n].fact = xstrdup(fact);
	o->n++;
	if (ok == 0)
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

int
checks_run(const struct site *s, const char *spec, char *const *patches, int npatches,
    struct checks *o)
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
			if (db_get_int(open, i, 0, 0) == id)
				snprintf(buf, sizeof(buf), "operation %s (%s, %s) holds the host",
				    db_get(open, i, 1), db_get(open, i, 2), db_get(open, i, 3));
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
	row(o, "pool master", 1, "master at %s", pool_url(t.pool));
	row(o, "XenServer host", t.xs->live != 0, "%s: XenServer %s build %s, API "
	    "%lld.%lld, enabled %s, live %s", t.xs->name_label,
	    t.xs->product_version ? t.xs->product_version : "?",
	    t.xs->build_number ? t.xs->build_number : "?", t.xs->api_major, t.xs->api_minor,
	    t.xs->enabled ? "yes" : "no", t.xs->live == 1 ? "yes" : t.xs->live == 0 ? "no" :
	    "unknown");
	for (i = 0; i < npatches; i++) {
		char *name = patch_name_of_file(patches[i]);
		struct patch_one req = { name, NULL, NULL, PATCH_PRECHECK,
		    s->conf->proc.wait_timeout, 0 };
		enum patch_outcome done;
		struct patch p;
		char label[300];
		int prc;

		snprintf(label, sizeof(label), "precheck %s", name);
		prc = patch_apply_one(t.pool, t.updates, t.xs->ref, &req, &p, &done, NULL);
		if (prc == CSM_ENOTFOUND)
			row(o, label, -1, "not on the pool yet: prechecked after upload");
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
