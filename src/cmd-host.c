/* cmd-host.c: host list | show | disable | enable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csmaint.h"
#include "cloudstack.h"
#include "cmd.h"
#include "conf.h"
#include "db.h"
#include "dry.h"
#include "journal.h"
#include "pool.h"
#include "toggle.h"
#include "xshost.h"

static int cmd_host_list_exec(struct cmd_ctx *);
static int cmd_host_show_exec(struct cmd_ctx *);
static int cmd_host_disable_exec(struct cmd_ctx *);
static int cmd_host_enable_exec(struct cmd_ctx *);

static const struct cmd_opt list_opts[] = {
	{ "--zone", "ID", "only hosts in this zone (data_center id)" },
	{ "--pod", "ID", "only hosts in this pod" },
	{ "--cluster", "ID", "only hosts in this cluster" },
	{ "--status", "STATUS", "only hosts with this status (Up, Maintenance, …)" },
	{ "--state", "STATE", "only hosts with this allocation state (Enabled, Disabled)" },
	{ "--all", NULL, "also removed hosts and rows that are not hypervisors" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_host_list_entry = {
	.name = "host list",
	.args = "",
	.summary = "list hypervisor hosts with status, allocation state, VM counts and open "
	    "operations",
	.opts = list_opts,
	.min_args = 0, .max_args = 0,
	.needs = CMD_NEED_CONF | CMD_NEED_DB,
	.exec = cmd_host_list_exec,
};

const struct cmd_entry cmd_host_show_entry = {
	.name = "host show",
	.args = "HOST",
	.summary = "show one host: its row, the VMs placed on it and its journal history",
	.opts = NULL,
	.min_args = 1, .max_args = 1,
	.needs = CMD_NEED_CONF | CMD_NEED_DB,
	.exec = cmd_host_show_exec,
};

static const struct cmd_opt disable_opts[] = {
	{ "--reason", "TEXT", "why, recorded in the journal" },
	{ "--execute", NULL, "make the change (without it: print the SQL, change nothing)" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_host_disable_entry = {
	.name = "host disable",
	.args = "HOST",
	.summary = "stop CloudStack placing new VMs on HOST (allocation state Disabled), "
	    "journaled",
	.opts = disable_opts,
	.min_args = 1, .max_args = 1,
	.needs = CMD_NEED_CONF | CMD_NEED_DB | CMD_NEED_JOURNAL,
	.exec = cmd_host_disable_exec,
};

static const struct cmd_opt enable_opts[] = {
	{ "--execute", NULL, "make the change (without it: print the SQL, change nothing)" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_host_enable_entry = {
	.name = "host enable",
	.args = "HOST",
	.summary = "restore the allocation state csmaint recorded when it disabled HOST",
	.opts = enable_opts,
	.min_args = 1, .max_args = 1,
	.needs = CMD_NEED_CONF | CMD_NEED_DB | CMD_NEED_JOURNAL,
	.exec = cmd_host_enable_exec,
};

/* Host rows -> the "hosts" listing (DESIGN §2 names), with each host's open operation. */
static struct out *
hosts_out(const struct cs *cs, const struct db_res *h, const struct db_res *open)
{
	struct out *o = out_new("hosts");
	int i, j;

	out_col(o, "id", OUT_NUM);
	out_col(o, "name", OUT_STR);
	out_col(o, "status", OUT_STR);
	out_col(o, "allocation_state", OUT_STR);
	out_col(o, "type", OUT_STR);
	out_col(o, "cluster_id", OUT_NUM);
	out_col(o, "pod_id", OUT_NUM);
	out_col(o, "zone_id", OUT_NUM);
	out_col(o, "private_ip", OUT_STR);
	out_col(o, cs->gen == CS_GEN_30 ? "uuid" : "guid", OUT_STR);
	out_col(o, "user_vms", OUT_NUM);
	out_col(o, "system_vms", OUT_NUM);
	out_col(o, "operation", OUT_NUM);
	out_col(o, "removed", OUT_STR);
	for (i = 0; i < db_res_rows(h); i++) {
		out_row(o);
		out_cell(o, 0, db_get(h, i, CS_H_ID));
		out_cell(o, 1, db_get(h, i, CS_H_NAME));
		out_cell(o, 2, db_get(h, i, CS_H_STATUS));
		out_cell(o, 3, db_get(h, i, CS_H_ALLOC));
		out_cell(o, 4, db_get(h, i, CS_H_TYPE));
		out_cell(o, 5, db_get(h, i, CS_H_CLUSTER));
		out_cell(o, 6, db_get(h, i, CS_H_POD));
		out_cell(o, 7, db_get(h, i, CS_H_ZONE));
		out_cell(o, 8, db_get(h, i, CS_H_IP));
		out_cell(o, 9, db_get(h, i, CS_H_UUID));
		out_cell(o, 10, db_get(h, i, CS_H_USER_VMS));
		out_cell(o, 11, db_get(h, i, CS_H_SYSTEM_VMS));
		for (j = 0; j < db_res_rows(open); j++)
			if (strcmp(db_get(open, j, 0), db_get(h, i, CS_H_ID)) == 0)
				out_cell(o, 12, db_get(open, j, 1));
		out_cell(o, 13, db_get(h, i, CS_H_REMOVED));
	}
	return o;
}

/* Open operations, when the journal is installed (host list works without it). */
static int
open_ops(struct cmd_ctx *ctx, struct db_res **out)
{
	int installed, version, rc;

	*out = NULL;
	if ((rc = journal_status(ctx->db, &installed, &version)) != CSM_OK)
		return rc;
	if (!installed)
		return CSM_OK;
	return journal_open_ops(ctx->db, out);
}

static int
id_filter(const char *opt, const char *v)
{
	long long n;

	if (v == NULL)
		return CSM_OK;
	if (csm_strtonum(v, 0, INT64_MAX, &n) != CSM_OK)
		return csm_err_set(CSM_EUSAGE, "%s needs a numeric id, not '%s'", opt, v);
	return CSM_OK;
}

static int
cmd_host_list_exec(struct cmd_ctx *ctx)
{
	struct cs_filter f = { 0 };
	struct db_res *h = NULL, *open = NULL;
	struct out *o = NULL;
	int rc;

	f.zone = cmd_opt(ctx, "--zone");
	f.pod = cmd_opt(ctx, "--pod");
	f.cluster = cmd_opt(ctx, "--cluster");
	f.status = cmd_opt(ctx, "--status");
	f.state = cmd_opt(ctx, "--state");
	f.all = cmd_opt(ctx, "--all") != NULL;
	if ((rc = id_filter("--zone", f.zone)) != CSM_OK ||
	    (rc = id_filter("--pod", f.pod)) != CSM_OK ||
	    (rc = id_filter("--cluster", f.cluster)) != CSM_OK)
		return rc;
	if ((rc = cs_host_list(ctx->db, &f, &h)) != CSM_OK)
		goto out;
	if ((rc = open_ops(ctx, &open)) != CSM_OK)
		goto out;
	o = hosts_out(ctx->cs, h, open);
	rc = cmd_print(ctx, &o, 1);
out:
	out_free(o);
	db_res_free(h);
	db_res_free(open);
	return rc;
}

static struct out *
vms_out(const struct db_res *v)
{
	struct out *o = cmd_vms_table(0);
	int i;

	for (i = 0; i < db_res_rows(v); i++) {
		out_row(o);
		cmd_vms_row(o, v, i);
	}
	return o;
}

/*
 * 3.0+: the host's op_host_capacity.capacity_state next to what CloudStack would have
 * written for its resource_state (cs_capacity); csmaint writes only resource_state.
 */
static int
capacity_out(struct cmd_ctx *ctx, long long id, struct out **out)
{
	struct db_res *c = NULL;
	struct out *o;
	int rc;

	*out = NULL;
	if ((rc = cs_capacity(ctx->db, id, 1, &c)) != CSM_OK)
		return rc;
	o = out_new("capacity");
	out_col(o, "resource_state", OUT_STR);
	out_col(o, "capacity_state", OUT_STR);
	out_col(o, "expected", OUT_STR);
	out_col(o, "consistent", OUT_BOOL);
	if (db_res_rows(c) == 1) {
		const char *found = db_get(c, 0, CS_CAP_FOUND), *exp = db_get(c, 0, CS_CAP_EXPECTED);
		int same = strcmp(found, exp) == 0;

		out_row(o);
		out_cell(o, 0, db_get(c, 0, CS_CAP_STATE));
		out_cell(o, 1, found);
		out_cell(o, 2, exp);
		out_cell_bool(o, 3, same);
		if (!same)
			csm_warn("host %lld (%s): op_host_capacity.capacity_state is '%s', but "
			    "CloudStack writes '%s' for resource_state '%s': its capacity "
			    "summaries %s the host (csmaint changes only resource_state)", id,
			    db_get(c, 0, CS_CAP_NAME), found, exp, db_get(c, 0, CS_CAP_STATE),
			    strcmp(exp, "Disabled") == 0 ? "still count" : "leave out");
	}
	db_res_free(c);
	*out = o;
	return CSM_OK;
}

static int
cmd_host_show_exec(struct cmd_ctx *ctx)
{
	struct db_res *h = NULL, *open = NULL, *vms = NULL, *ops = NULL;
	struct out *o[4] = { NULL, NULL, NULL, NULL };
	long long id;
	int rc, n = 2;

	if ((rc = cmd_no_csv(ctx, "hosts, vms, operations")) != CSM_OK)
		return rc;
	if ((rc = cs_host_resolve(ctx->db, ctx->argv[0], &id)) != CSM_OK)
		return rc;
	if ((rc = cs_host_get(ctx->db, id, &h)) != CSM_OK ||
	    (rc = open_ops(ctx, &open)) != CSM_OK ||
	    (rc = cs_vms_on_host(ctx->db, id, &vms)) != CSM_OK)
		goto out;
	o[0] = hosts_out(ctx->cs, h, open);
	o[1] = vms_out(vms);
	if (open != NULL) {	/* the journal is installed */
		if ((rc = journal_op_list(ctx->db, id, 20, &ops)) != CSM_OK)
			goto out;
		o[n++] = cmd_journal_ops_table(ops);
	}
	if (ctx->cs->gen == CS_GEN_30 && (rc = capacity_out(ctx, id, &o[n++])) != CSM_OK)
		goto out;
	rc = cmd_print(ctx, o, n);
out:
	out_free(o[0]);
	out_free(o[1]);
	out_free(o[2]);
	out_free(o[3]);
	db_res_free(h);
	db_res_free(open);
	db_res_free(vms);
	db_res_free(ops);
	return rc;
}

static void
report(struct cmd_ctx *ctx, const struct toggle_result *res)
{
	struct db_res *op = NULL;
	struct out *o;

	csm_info("host %lld (%s): %s '%s' -> '%s' (operation %lld)", res->host_id,
	    res->host_name, ctx->cs->column, res->prior, res->written, res->op_id);
	csm_debug("host row locked for %.3f ms", res->lock_ms);
	if (journal_op_get(ctx->db, res->op_id, &op) == CSM_OK) {
		o = cmd_journal_ops_table(op);
		cmd_print(ctx, &o, 1);
		out_free(o);
	}
	db_res_free(op);
}

static int
toggle(struct cmd_ctx *ctx, int disable)
{
	struct toggle_result res;
	const char *reason = disable ? cmd_opt(ctx, "--reason") : NULL;
	struct dry *dry = NULL;
	char *args = NULL;
	long long id;
	int rc, looked = 0;

	if (!cmd_execute(ctx) && (rc = cmd_dry_begin(ctx, "run these statements", &dry)) !=
	    CSM_OK)
		return rc;
	if (reason != NULL && (rc = csm_check_text("--reason", reason, 1000)) != CSM_OK)
		goto out;
	if ((rc = cs_host_resolve(ctx->db, ctx->argv[0], &id)) != CSM_OK)
		goto out;
	args = xasprintf("%s %s%s%s", ctx->entry->name, ctx->argv[0],
	    reason ? " --reason " : "", reason ? reason : "");
	looked = 1;
	if (disable)
		rc = toggle_disable(ctx->db, ctx->cs, id, reason, args, dry, &res);
	else
		rc = toggle_enable(ctx->db, ctx->cs, id, dry, &res);
	free(args);
	if (rc == CSM_OK && dry != NULL)
		dry_note(dry, "host %lld (%s): %s '%s' -> '%s'", res.host_id, res.host_name,
		    ctx->cs->column, res.prior, res.written);
	if (rc != CSM_OK || dry != NULL)
		goto out;
	report(ctx, &res);
	if (disable && ctx->cs->gen == CS_GEN_22)
		csm_info("note: CloudStack 2.2 sets allocation_state back to 'Enabled' when the "
		    "host reconnects (management server restart, ping timeout, cancelled "
		    "maintenance); 'csmaint host show %lld' and the journal show drift", id);
	return CSM_OK;
out:
	/* A dry run refused before it looked at the host (bad input, no such host) shows
	 * no plan: only what it found is worth printing. */
	if (!looked) {
		dry_free(dry);
		return rc;
	}
	return cmd_dry_end(ctx, dry, rc);
}

static int
cmd_host_disable_exec(struct cmd_ctx *ctx)
{
	return toggle(ctx, 1);
}

static int
cmd_host_enable_exec(struct cmd_ctx *ctx)
{
	return toggle(ctx, 0);
}

static int cmd_host_reboot_exec(struct cmd_ctx *);

static const struct cmd_opt reboot_opts[] = {
	{ "--toolstack", NULL, "restart only the toolstack (host.restart_agent), not the host" },
	{ "--execute", NULL, "reboot (without it: print the calls, change nothing)" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_host_reboot_entry = {
	.name = "host reboot",
	.args = "HOST",
	.summary = "reboot the XenServer host (or restart its toolstack) and wait until "
	    "XenServer and CloudStack both see it back",
	.opts = reboot_opts,
	.min_args = 1, .max_args = 1,
	.needs = CMD_NEED_CONF | CMD_NEED_DB,
	.exec = cmd_host_reboot_exec,
};

/* The host's row as it is now, as the "hosts" listing: what a reboot ends with. */
static int
print_host(struct cmd_ctx *ctx, long long id)
{
	struct db_res *h = NULL, *open = NULL;
	struct out *o = NULL;
	int rc;

	if ((rc = cs_host_get(ctx->db, id, &h)) == CSM_OK &&
	    (rc = open_ops(ctx, &open)) == CSM_OK) {
		o = hosts_out(ctx->cs, h, open);
		rc = cmd_print(ctx, &o, 1);
	}
	out_free(o);
	db_res_free(h);
	db_res_free(open);
	return rc;
}

static int
cmd_host_reboot_exec(struct cmd_ctx *ctx)
{
	int toolstack = cmd_opt(ctx, "--toolstack") != NULL, rc;
	struct dry *dry = NULL;
	struct target t;

	if (!cmd_execute(ctx) && (rc = cmd_dry_begin(ctx, "make these calls", &dry)) !=
	    CSM_OK)
		return rc;
	if ((rc = target_open(cmd_site(ctx), ctx->argv[0], &t)) != CSM_OK) {
		dry_free(dry);
		return rc;
	}
	if (dry != NULL) {
		if (toolstack) {
			dry_xenapi(dry, "host.restart_agent", NULL, "r", "host", t.xs->name_label);
		} else {
			if (t.xs->enabled)
				dry_xenapi(dry, "host.disable", "(host.reboot needs it)", "r", "host",
				    NULL);
			dry_xenapi(dry, "Async.host.reboot", NULL, "r", "host", t.xs->name_label);
		}
		dry_note(dry, "then wait up to %.0f s (procedure.reboot_timeout) until %s "
		    "changed, host_metrics.live and enabled are true, and CloudStack's status "
		    "is %s", ctx->conf->proc.reboot_timeout, toolstack ? "agent_start_time" :
		    "boot_time", strcmp(db_get(t.row, 0, CS_H_STATUS), "Up") == 0 ? "Up" :
		    db_get(t.row, 0, CS_H_STATUS));
		target_close(&t);
		return cmd_dry_end(ctx, dry, CSM_OK);
	}
	rc = xshost_restart(cmd_site(ctx), &t, toolstack ? XSHOST_RESTART_TOOLSTACK :
	    XSHOST_REBOOT, NULL);
	if (rc == CSM_OK)
		rc = print_host(ctx, t.id);
	target_close(&t);
	return rc;
}
