/* cmd-rolling.c: rolling CLUSTER FILE...: every host of a pool; its resume and recover. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csmaint.h"
#include "capacity.h"
#include "cmd.h"
#include "db.h"
#include "dry.h"
#include "journal.h"
#include "rolling.h"

static int cmd_rolling_exec(struct cmd_ctx *);

static const struct cmd_opt rolling_opts[] = {
	{ "--catalog", "FILE", "plan every host with this update catalog (updates.xml): only "
	    "the minimal set, in order" },
	{ "--execute", NULL, "run the pool (without it: print the whole plan, the order and "
	    "the capacity at each step, change nothing)" },
	{ "--reason", "TEXT", "why, recorded in the journal" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_rolling_entry = {
	.name = "rolling",
	.args = "CLUSTER [FILE...]",
	.summary = "every host of a XenServer pool (a CloudStack cluster), planned up front "
	    "(order, capacity), as one journaled rolling operation with a hotfix operation "
	    "per host",
	.opts = rolling_opts,
	.min_args = 1, .max_args = -1,
	.needs = CMD_NEED_CONF | CMD_NEED_DB | CMD_NEED_JOURNAL,
	.exec = cmd_rolling_exec,
};

#define MIB(x) ((x) / (1024 * 1024))

/* The report's tables: the pool, its hosts, the capacity plan, the checks, the
 * operations; into O (5 slots), their number returned. */
static int
tables(const struct rolling_report *r, int with_checks, struct out **o)
{
	int n = 0, i;
	size_t k;

	o[n] = out_new("pool");
	out_col(o[n], "cluster_id", OUT_NUM);
	out_col(o[n], "cluster", OUT_STR);
	out_col(o[n], "operation_id", OUT_NUM);
	out_col(o[n], "state", OUT_STR);
	out_col(o[n], "plan_s", OUT_NUM);
	out_col(o[n], "upload_s", OUT_NUM);
	out_col(o[n], "hosts_s", OUT_NUM);
	out_col(o[n], "clean_s", OUT_NUM);
	out_col(o[n], "total_s", OUT_NUM);
	out_col(o[n], "mixed_s", OUT_NUM);
	out_row(o[n]);
	out_cell_num(o[n], 0, r->cluster_id);
	out_cell(o[n], 1, r->cluster);
	if (r->op_id > 0)
		out_cell_num(o[n], 2, r->op_id);
	out_cell(o[n], 3, r->state);
	if (r->op_id > 0) {
		const long long t[] = { r->plan_s, r->upload_s, r->hosts_s, r->clean_s,
		    r->total_s, r->mixed_s };
		for (i = 0; i < 6; i++)
			if (t[i] >= 0)
				out_cell_num(o[n], 4 + i, t[i]);
	}
	n++;

	o[n] = out_new("hosts");
	out_col(o[n], "id", OUT_NUM);
	out_col(o[n], "name", OUT_STR);
	out_col(o[n], "order", OUT_NUM);
	out_col(o[n], "result", OUT_STR);
	out_col(o[n], "operation_id", OUT_NUM);
	out_col(o[n], "master", OUT_BOOL);
	out_col(o[n], "to_apply", OUT_NUM);
	out_col(o[n], "patches_applied", OUT_NUM);
	out_col(o[n], "disabled_s", OUT_NUM);
	out_col(o[n], "maintenance_s", OUT_NUM);
	for (k = 0; k < r->nh; k++) {
		const struct rolling_host *h = &r->hosts[k];
		out_row(o[n]);
		out_cell_num(o[n], 0, h->id);
		out_cell(o[n], 1, h->name);
		if (h->order > 0)
			out_cell_num(o[n], 2, h->order);
		out_cell(o[n], 3, h->result);
		if (h->op_id > 0)
			out_cell_num(o[n], 4, h->op_id);
		out_cell_bool(o[n], 5, h->master);
		out_cell_num(o[n], 6, h->to_apply);
		out_cell_num(o[n], 7, h->applied);
		if (h->disabled_s >= 0)
			out_cell_num(o[n], 8, h->disabled_s);
		if (h->maintenance_s >= 0)
			out_cell_num(o[n], 9, h->maintenance_s);
	}
	n++;

	if (r->nsteps > 0) {
		o[n] = out_new("capacity");
		out_col(o[n], "step", OUT_NUM);
		out_col(o[n], "host", OUT_STR);
		out_col(o[n], "vms", OUT_NUM);
		out_col(o[n], "memory_mib_needed", OUT_NUM);
		out_col(o[n], "memory_mib_free_after", OUT_NUM);
		out_col(o[n], "cpu_mhz_free_after", OUT_NUM);
		out_col(o[n], "fits", OUT_BOOL);
		out_col(o[n], "migrate_to", OUT_STR);
		out_col(o[n], "restart_on", OUT_STR);
		out_col(o[n], "shortfall", OUT_STR);
		for (k = 0; k < r->nsteps; k++) {
			const struct cap_step *s = &r->steps[k];
			out_row(o[n]);
			out_cell_num(o[n], 0, (long long)k + 1);
			out_cell(o[n], 1, s->host);
			out_cell_num(o[n], 2, s->nvms);
			out_cell_num(o[n], 3, MIB(s->mem_needed));
			out_cell_num(o[n], 4, MIB(s->mem_free_after));
			out_cell_num(o[n], 5, s->cpu_free_after);
			out_cell_bool(o[n], 6, s->fits);
			out_cell(o[n], 7, s->migrate_to);
			out_cell(o[n], 8, s->restart_on);
			out_cell(o[n], 9, s->shortfall);
		}
		n++;
	}
	if (with_checks && r->checks.n > 0)
		o[n++] = cmd_checks_table(&r->checks);
	if (r->ops != NULL)
		o[n++] = cmd_journal_ops_table(r->ops);
	return n;
}

static int
show(struct cmd_ctx *ctx, const struct rolling_report *r, int with_checks)
{
	struct out *o[5];
	int n = tables(r, with_checks, o), i, rc;

	rc = cmd_print(ctx, o, n);
	for (i = 0; i < n; i++)
		out_free(o[i]);
	return rc;
}

static int
cmd_rolling_exec(struct cmd_ctx *ctx)
{
	const char *catalog = cmd_opt(ctx, "--catalog");
	const char *reason = cmd_opt(ctx, "--reason");
	struct rolling_report r;
	int rc;

	if ((rc = cmd_no_csv(ctx, "pool, hosts, capacity, checks, operations")) != CSM_OK)
		return rc;
	if (ctx->argc < 2 && catalog == NULL)
		return csm_err_set(CSM_EUSAGE, "'rolling' needs hotfix FILEs, --catalog FILE, "
		    "or both");
	if (reason != NULL && (rc = csm_check_text("--reason", reason, 4096)) != CSM_OK)
		return rc;
	if (!cmd_execute(ctx)) {
		struct dry *d = NULL;
		if ((rc = cmd_dry_begin(ctx, "do this", &d)) != CSM_OK)
			return rc;
		rc = rolling_run(cmd_site(ctx), ctx->argv[0], ctx->argv + 1, ctx->argc - 1,
		    catalog, reason, d, &r);
		if (r.nh > 0) {
			struct out *o[5];
			int i, n = tables(&r, 1, o);
			for (i = 0; i < n; i++)
				dry_table(d, o[i]);
		}
		rolling_report_free(&r);
		return cmd_dry_end(ctx, d, rc);
	}
	rc = rolling_run(cmd_site(ctx), ctx->argv[0], ctx->argv + 1, ctx->argc - 1, catalog,
	    reason, NULL, &r);
	if (r.nh > 0)
		show(ctx, &r, r.show_checks);
	rolling_report_free(&r);
	return rc;
}

int
cmd_rolling_resume(struct cmd_ctx *ctx, long long op)
{
	struct rolling_report r;
	int rc;

	rc = rolling_resume(cmd_site(ctx), op, &r);
	if (r.nh > 0)
		show(ctx, &r, 0);
	rolling_report_free(&r);
	return rc;
}

int
cmd_rolling_recover(struct cmd_ctx *ctx, long long op, struct dry *d)
{
	struct rolling_report r;
	int rc;

	rc = rolling_recover(cmd_site(ctx), op, d, &r);
	if (d == NULL && r.nh > 0)
		show(ctx, &r, 0);
	rolling_report_free(&r);
	return rc;
}
