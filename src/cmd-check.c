/* cmd-check.c: check HOST [PATCH...]: every precondition of the procedure, no changes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csmaint.h"
#include "checks.h"
#include "cloudstack.h"
#include "cmd.h"
#include "conf.h"
#include "db.h"
#include "journal.h"
#include "patch.h"
#include "pool.h"

static int cmd_check_exec(struct cmd_ctx *);

const struct cmd_entry cmd_check_entry = {
	.name = "check",
	.args = "HOST [PATCH...]",
	.summary = "every precondition of the hotfix procedure on HOST, pass or fail with "
	    "the fact behind it (exit 4 if one fails); changes nothing",
	.opts = NULL,
	.min_args = 1, .max_args = -1,
	.needs = CMD_NEED_CONF | CMD_NEED_DB | CMD_ANY_SCHEMA,
	.exec = cmd_check_exec,
};

static void
row(struct out *o, int *failed, const char *name, int ok, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
row(struct out *o, int *failed, const char *name, int ok, const char *fmt, ...)
{
	char fact[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fact, sizeof(fact), fmt, ap);
	va_end(ap);
	out_row(o);
	out_cell(o, 0, name);
	out_cell(o, 1, ok > 0 ? "pass" : ok == 0 ? "fail" : "skip");
	out_cell(o, 2, fact);
	if (ok == 0)
		(*failed)++;
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
check_run(struct cmd_ctx *ctx, const char *spec, char *const *patches, int npatches,
    struct out *o, int *failed)
{
	struct db_res *host = NULL, *vms = NULL, *ha = NULL, *jobs = NULL, *open = NULL;
	const char *st, *alloc;
	struct target t;
	long long id;
	int rc, installed, version, i, influx = 0, xapi_ok;
	char buf[1024];

	*failed = 0;
	row(o, failed, "schema", ctx->cs->gen != CS_GEN_UNSUPPORTED, "%s",
	    ctx->cs->gen != CS_GEN_UNSUPPORTED ? ctx->cs->generation : ctx->cs->why);
	if ((rc = journal_status(ctx->db, &installed, &version)) != CSM_OK)
		return rc;
	row(o, failed, "journal", installed && version == JOURNAL_VERSION,
	    installed ? "journal schema '%s' at version %d" : "journal schema '%s' not "
	    "installed (csmaint schema install --execute)", db_journal(ctx->db), version);
	if (ctx->cs->gen == CS_GEN_UNSUPPORTED)
		return CSM_OK;
	if ((rc = cs_host_resolve(ctx->db, spec, &id)) != CSM_OK ||
	    (rc = cs_host_get(ctx->db, id, &host)) != CSM_OK)
		return rc;
	if (installed) {
		if ((rc = journal_open_ops(ctx->db, &open)) != CSM_OK)
			goto out;
		buf[0] = '\0';
		for (i = 0; i < db_res_rows(open); i++)
			if (db_get_int(open, i, 0, 0) == id)
				snprintf(buf, sizeof(buf), "operation %s (%s, %s) holds the host",
				    db_get(open, i, 1), db_get(open, i, 2), db_get(open, i, 3));
		row(o, failed, "no open operation", buf[0] == '\0', "%s",
		    buf[0] ? buf : "no csmaint operation holds the host");
	}
	row(o, failed, "hypervisor host", strcmp(db_get(host, 0, CS_H_TYPE), "Routing") == 0 &&
	    db_get(host, 0, CS_H_REMOVED) == NULL, "host %lld (%s): type %s%s%s", id,
	    db_get(host, 0, CS_H_NAME), db_get(host, 0, CS_H_TYPE),
	    db_get(host, 0, CS_H_REMOVED) ? ", removed " : ", not removed",
	    db_get(host, 0, CS_H_REMOVED) ? db_get(host, 0, CS_H_REMOVED) : "");
	st = db_get(host, 0, CS_H_STATUS);
	alloc = db_get(host, 0, CS_H_ALLOC);
	row(o, failed, "host status", strcmp(st, "Up") == 0 || strcmp(st, "Maintenance") == 0 ||
	    strcmp(st, "PrepareForMaintenance") == 0 || (ctx->cs->gen == CS_GEN_30 &&
	    (strcmp(alloc, "Maintenance") == 0 || strcmp(alloc, "PrepareForMaintenance") == 0)),
	    "status %s, %s %s", st, ctx->cs->column, alloc);
	if ((rc = cs_vms_on_host(ctx->db, id, &vms)) != CSM_OK)
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
	row(o, failed, "no VM in flux", influx == 0, "%s", influx ? buf :
	    "no VM Starting, Stopping or Migrating on the host");
	if ((rc = cs_pending_ha(ctx->db, id, &ha)) != CSM_OK)
		goto out;
	list_ids(ha, 0, 1, buf, sizeof(buf));
	row(o, failed, "no HA work", db_res_rows(ha) == 0, "%s%s", db_res_rows(ha) ?
	    "op_ha_work pending: " : "no pending op_ha_work for the host or its VMs", buf);
	if ((rc = cs_pending_jobs(ctx->db, id, &jobs)) != CSM_OK)
		goto out;
	list_ids(jobs, 0, 1, buf, sizeof(buf));
	row(o, failed, "no async jobs", db_res_rows(jobs) == 0, "%s%s", db_res_rows(jobs) ?
	    "unfinished async_job: " : "no unfinished async job for the host or its VMs", buf);

	/* XenAPI: reachable, TLS verified, master found, the host in the pool. */
	xapi_ok = cmd_target_open(ctx, spec, &t) == CSM_OK;
	row(o, failed, "XenAPI", xapi_ok, "%s", xapi_ok ? "logged in" : csm_err_msg());
	if (!xapi_ok) {
		rc = CSM_OK;
		goto out;
	}
	row(o, failed, "TLS", ctx->conf->xapi.verify, "%s", !ctx->conf->xapi.verify ?
	    "certificate verification is off (xenapi.verify = false)" :
	    ctx->conf->xapi.pinned_pubkey ? "server key matches xenapi.pinned_pubkey" :
	    ctx->conf->xapi.ca_file ? "certificate verified against xenapi.ca_file" :
	    "certificate verified against the system CAs");
	row(o, failed, "pool master", 1, "master at %s", pool_url(t.pool));
	row(o, failed, "XenServer host", t.xs->live != 0, "%s: XenServer %s build %s, API "
	    "%lld.%lld, enabled %s, live %s", t.xs->name_label,
	    t.xs->product_version ? t.xs->product_version : "?",
	    t.xs->build_number ? t.xs->build_number : "?", t.xs->api_major, t.xs->api_minor,
	    t.xs->enabled ? "yes" : "no", t.xs->live == 1 ? "yes" : t.xs->live == 0 ? "no" :
	    "unknown");
	for (i = 0; i < npatches; i++) {
		char *name = patch_name_of_file(patches[i]);
		struct patch p;
		int applied = 0;
		char label[300];

		snprintf(label, sizeof(label), "precheck %s", name);
		if (patch_find(t.pool, t.updates, name, &p) != CSM_OK) {
			row(o, failed, label, -1, "not on the pool yet: prechecked after upload");
		} else if (patch_applied(t.pool, &p, t.xs->ref, &applied) == CSM_OK && applied) {
			row(o, failed, label, 1, "already applied");
		} else if (patch_precheck(t.pool, &p, t.xs->ref, NULL) == CSM_OK) {
			row(o, failed, label, 1, "precheck passed");
		} else {
			row(o, failed, label, 0, "%s", csm_err_msg());
		}
		patch_clear(&p);
		free(name);
	}
	cmd_target_close(&t);
	rc = CSM_OK;
out:
	db_res_free(host);
	db_res_free(vms);
	db_res_free(ha);
	db_res_free(jobs);
	db_res_free(open);
	return rc;
}

struct out *
check_table(void)
{
	struct out *o = out_new("checks");

	out_col(o, "check", OUT_STR);
	out_col(o, "result", OUT_STR);
	out_col(o, "fact", OUT_STR);
	return o;
}

static int
cmd_check_exec(struct cmd_ctx *ctx)
{
	struct out *o = check_table();
	int rc, failed = 0;

	rc = check_run(ctx, ctx->argv[0], ctx->argv + 1, ctx->argc - 1, o, &failed);
	if (rc == CSM_OK)
		rc = cmd_print(ctx, &o, 1);
	out_free(o);
	if (rc == CSM_OK && failed)
		return csm_err_set(CSM_ECONFLICT, "%d check%s failed for host %s", failed,
		    failed == 1 ? "" : "s", ctx->argv[0]);
	return rc;
}
