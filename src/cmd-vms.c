/* cmd-vms.c: vms HOST [--xapi]: VM placement by SQL, cross-checked with the hypervisor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csmaint.h"
#include "cloudstack.h"
#include "cmd.h"
#include "db.h"
#include "pool.h"

static int cmd_vms_exec(struct cmd_ctx *);

static const struct cmd_opt vms_opts[] = {
	{ "--xapi", NULL, "cross-check with what the XenServer host runs, with Tools status" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_vms_entry = {
	.name = "vms",
	.args = "HOST",
	.summary = "VMs CloudStack places on HOST; with --xapi, cross-checked against the "
	    "hypervisor (exit 4 on differences)",
	.opts = vms_opts,
	.min_args = 1, .max_args = 1,
	.needs = CMD_NEED_CONF | CMD_NEED_DB,
	.exec = cmd_vms_exec,
};

enum { C_ID, C_INSTANCE, C_NAME, C_KIND, C_VMTYPE, C_STATE, C_HOST, C_LAST_HOST,
	C_POWER, C_XHOST, C_TOOLS, C_TOOLS_CURRENT, C_TOOLS_VERSION, C_CAN_MIGRATE,
	C_MIGRATE_RULE, C_FINDING, C_NCOLS };

struct out *
cmd_vms_table(int xapi)
{
	struct out *o = out_new("vms");

	out_col(o, "id", OUT_NUM);
	out_col(o, "instance_name", OUT_STR);
	out_col(o, "name", OUT_STR);
	out_col(o, "kind", OUT_STR);
	out_col(o, "vm_type", OUT_STR);
	out_col(o, "state", OUT_STR);
	out_col(o, "host_id", OUT_NUM);
	out_col(o, "last_host_id", OUT_NUM);
	if (xapi) {
		out_col(o, "power_state", OUT_STR);
		out_col(o, "resident_on", OUT_STR);
		out_col(o, "tools", OUT_BOOL);
		out_col(o, "tools_current", OUT_BOOL);
		out_col(o, "tools_version", OUT_STR);
		out_col(o, "can_migrate", OUT_BOOL);
		out_col(o, "migrate_rule", OUT_STR);
		out_col(o, "finding", OUT_STR);
	}
	return o;
}

void
cmd_vms_row(struct out *o, const struct db_res *r, int i)
{
	out_cell(o, C_ID, db_get(r, i, CS_V_ID));
	out_cell(o, C_INSTANCE, db_get(r, i, CS_V_INSTANCE));
	out_cell(o, C_NAME, db_get(r, i, CS_V_DISPLAY) ? db_get(r, i, CS_V_DISPLAY) :
	    db_get(r, i, CS_V_NAME));
	out_cell(o, C_KIND, db_get(r, i, CS_V_KIND));
	out_cell(o, C_VMTYPE, db_get(r, i, CS_V_VMTYPE));
	out_cell(o, C_STATE, db_get(r, i, CS_V_STATE));
	out_cell(o, C_HOST, db_get(r, i, CS_V_HOST));
	out_cell(o, C_LAST_HOST, db_get(r, i, CS_V_LAST_HOST));
}

static const char *
host_name_of(const struct pool_host *h, size_t n, const char *ref)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(h[i].ref, ref) == 0)
			return h[i].name_label;
	return NULL;
}

static void
xapi_cells(struct out *o, const struct pool_vm *vm, const struct pool_host *h, size_t nh)
{
	if (vm == NULL)
		return;
	out_cell(o, C_POWER, vm->power_state);
	out_cell(o, C_XHOST, host_name_of(h, nh, vm->resident_on));
	if (vm->tools != POOL_TOOLS_UNKNOWN)
		out_cell_bool(o, C_TOOLS, vm->tools == POOL_TOOLS_YES);
	if (vm->tools_current >= 0)
		out_cell_bool(o, C_TOOLS_CURRENT, vm->tools_current);
	out_cell(o, C_TOOLS_VERSION, vm->tools_version);
	if (vm->can_migrate != POOL_TOOLS_UNKNOWN)
		out_cell_bool(o, C_CAN_MIGRATE, vm->can_migrate == POOL_TOOLS_YES);
	out_cell(o, C_MIGRATE_RULE, vm->migrate_rule);
}

static const struct pool_vm *
find_vm(const struct pool_vm *v, size_t n, const char *instance_name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!v[i].control_domain && strcmp(v[i].name_label, instance_name) == 0)
			return &v[i];
	return NULL;
}

/* Compare one VM the database places on the host with what the hypervisor says. */
static const char *
judge_db_vm(const struct db_res *r, int i, const struct pool_vm *vm, const char *xs_ref,
    int *mismatch)
{
	const char *state = db_get(r, i, CS_V_STATE);
	int influx = strcmp(state, "Running") != 0;

	if (vm == NULL) {
		if (influx)
			return "in flux: not on the hypervisor";
		*mismatch = 1;
		return "CloudStack says Running here; the hypervisor does not know it";
	}
	if (strcmp(vm->resident_on, xs_ref) == 0 && strcmp(vm->power_state, "Running") == 0)
		return influx ? "in flux: running here" : "ok";
	if (influx)
		return "in flux: not running here";
	*mismatch = 1;
	return strcmp(vm->power_state, "Running") != 0 ?
	    "CloudStack says Running here; the hypervisor has it not running" :
	    "CloudStack says Running here; it runs on another host";
}

static int
cross_check(struct cmd_ctx *ctx, const struct db_res *sql, struct out *o, int *mismatches)
{
	struct target t;
	struct pool_vm *vms = NULL;
	size_t nv = 0, j;
	int rc, i;
	char *seen = NULL;

	if ((rc = target_open(cmd_site(ctx), ctx->argv[0], &t)) != CSM_OK)
		return rc;
	rc = pool_vms(t.pool, t.xs->api_major, t.xs->api_minor, t.xs->ref, &vms, &nv);
	if (rc != CSM_OK)
		goto out;
	seen = xcalloc(nv ? nv : 1, 1);
	for (i = 0; i < db_res_rows(sql); i++) {
		const struct pool_vm *vm = find_vm(vms, nv, db_get(sql, i, CS_V_INSTANCE));
		int bad = 0;
		const char *f;

		out_row(o);
		cmd_vms_row(o, sql, i);
		xapi_cells(o, vm, t.hosts, t.nh);
		f = judge_db_vm(sql, i, vm, t.xs->ref, &bad);
		out_cell(o, C_FINDING, f);
		if (bad) {
			(*mismatches)++;
			csm_info("VM %s (%s): %s", db_get(sql, i, CS_V_INSTANCE),
			    db_get(sql, i, CS_V_ID), f);
		}
		if (vm != NULL)
			seen[vm - vms] = 1;
	}
	/* VMs the hypervisor runs here that the database does not place here. */
	for (j = 0; j < nv; j++) {
		struct db_res *r = NULL;
		const char *f;

		if (seen[j] || vms[j].control_domain || strcmp(vms[j].resident_on, t.xs->ref) != 0 ||
		    strcmp(vms[j].power_state, "Halted") == 0)
			continue;
		if ((rc = cs_vm_by_instance(ctx->db, vms[j].name_label, &r)) != CSM_OK)
			goto out;
		out_row(o);
		if (db_res_rows(r) > 0) {
			cmd_vms_row(o, r, 0);
			f = db_get(r, 0, CS_V_HOST) ? "runs here; CloudStack places it on another "
			    "host" : "runs here; CloudStack has it on no host";
		} else {
			out_cell(o, C_INSTANCE, vms[j].name_label);
			f = "runs here; unknown to CloudStack";
		}
		xapi_cells(o, &vms[j], t.hosts, t.nh);
		out_cell(o, C_FINDING, f);
		(*mismatches)++;
		csm_info("VM %s: %s", vms[j].name_label, f);
		db_res_free(r);
	}
out:
	free(seen);
	pool_vms_free(vms, nv);
	target_close(&t);
	return rc;
}

static int
cmd_vms_exec(struct cmd_ctx *ctx)
{
	struct db_res *sql = NULL;
	struct out *o;
	int xapi = cmd_opt(ctx, "--xapi") != NULL, rc, i, mismatches = 0;
	long long id;

	if ((rc = cs_host_resolve(ctx->db, ctx->argv[0], &id)) != CSM_OK)
		return rc;
	if ((rc = cs_vms_on_host(ctx->db, id, &sql)) != CSM_OK)
		return rc;
	o = cmd_vms_table(xapi);
	if (xapi) {
		rc = cross_check(ctx, sql, o, &mismatches);
	} else {
		for (i = 0; i < db_res_rows(sql); i++) {
			out_row(o);
			cmd_vms_row(o, sql, i);
		}
	}
	if (rc == CSM_OK)
		rc = cmd_print(ctx, &o, 1);
	out_free(o);
	db_res_free(sql);
	if (rc == CSM_OK && mismatches > 0)
		return csm_err_set(CSM_ECONFLICT, "host %lld: %d difference%s between CloudStack "
		    "and the hypervisor (see the finding column)", id, mismatches,
		    mismatches == 1 ? "" : "s");
	return rc;
}
