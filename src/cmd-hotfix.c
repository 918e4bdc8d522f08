/* cmd-hotfix.c: hotfix HOST FILE... and resume OP: the CTX133466 procedure. */
#include <stdio.h>
#include <stdlib.h>

#include "csmaint.h"
#include "cmd.h"
#include "db.h"
#include "dry.h"
#include "journal.h"
#include "procedure.h"
#include "rolling.h"

static int cmd_hotfix_exec(struct cmd_ctx *);
static int cmd_resume_exec(struct cmd_ctx *);

static const struct cmd_opt hotfix_opts[] = {
	{ "--catalog", "FILE", "plan with this update catalog (updates.xml): only the "
	    "minimal set, in order" },
	{ "--execute", NULL, "run the procedure (without it: print the whole plan, change "
	    "nothing)" },
	{ "--member-first", NULL, "patch this pool member although the pool master lacks the "
	    "planned hotfixes or has a reboot pending (XenServer wants the master first)" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_hotfix_entry = {
	.name = "hotfix",
	.args = "HOST [FILE...]",
	.summary = "the whole CTX133466 procedure on HOST, journaled: disable, wait for VMs "
	    "and maintenance, patch, reboot, restore",
	.opts = hotfix_opts,
	.min_args = 1, .max_args = -1,
	.needs = CMD_NEED_CONF | CMD_NEED_DB | CMD_NEED_JOURNAL,
	.exec = cmd_hotfix_exec,
};

const struct cmd_entry cmd_resume_entry = {
	.name = "resume",
	.args = "OP",
	.summary = "continue an interrupted hotfix operation from its last completed step, or "
	    "a rolling operation from the host it stopped at",
	.opts = NULL,
	.min_args = 1, .max_args = 1,
	.needs = CMD_NEED_CONF | CMD_NEED_DB | CMD_NEED_JOURNAL,
	.exec = cmd_resume_exec,
};

/* A dry run's tables, added once the procedure's step 0 made them. */
static void
dry_tables(struct dry *d, const struct procedure_report *r)
{
	dry_table(d, cmd_checks_table(&r->checks));
	if (r->plan != NULL)
		dry_table(d, cmd_plan_table(r->plan));
}

/* The end of a run: the operation, its steps, and the patches applied (or the plan). */
static int
show(struct cmd_ctx *ctx, const struct procedure_report *r)
{
	struct out *o[4] = { NULL, NULL, NULL, NULL };
	int i, n = 0, rc = CSM_OK;

	if (r->show_checks) {
		struct out *c = cmd_checks_table(&r->checks);
		rc = cmd_print(ctx, &c, 1);
		out_free(c);
	}
	if (r->op != NULL)
		o[n++] = cmd_journal_ops_table(r->op);
	if (r->steps != NULL)
		o[n++] = cmd_journal_steps_table(r->steps);
	if (r->npatches > 0) {
		size_t k;
		o[n] = out_new("patches");
		out_col(o[n], "name_label", OUT_STR);
		out_col(o[n], "uuid", OUT_STR);
		out_col(o[n], "action", OUT_STR);
		out_col(o[n], "after_apply_guidance", OUT_STR);
		out_col(o[n], "file", OUT_STR);
		for (k = 0; k < r->npatches; k++) {
			out_row(o[n]);
			out_cell(o[n], 0, r->patches[k].name_label);
			out_cell(o[n], 1, r->patches[k].uuid);
			out_cell(o[n], 2, r->patches[k].action);
			out_cell(o[n], 3, r->patches[k].guidance);
			out_cell(o[n], 4, r->patches[k].file);
		}
		n++;
	} else if (r->plan != NULL && r->op != NULL) {
		o[n++] = cmd_plan_table(r->plan);
	}
	if (n > 0 && rc == CSM_OK)
		rc = cmd_print(ctx, o, n);
	for (i = 0; i < n; i++)
		out_free(o[i]);
	return rc;
}

static int
cmd_hotfix_exec(struct cmd_ctx *ctx)
{
	const char *catalog = cmd_opt(ctx, "--catalog");
	struct procedure_report r;
	unsigned member_first = cmd_opt(ctx, "--member-first") ? PROC_MEMBER_FIRST : 0;
	int rc, dry = !cmd_execute(ctx);

	/* Its dry run and its report are several tables: refused before anything runs. */
	if ((rc = cmd_no_csv(ctx, "checks, patches, operations, steps")) != CSM_OK)
		return rc;
	if (ctx->argc < 2 && catalog == NULL)
		return csm_err_set(CSM_EUSAGE, "'hotfix' needs hotfix FILEs, --catalog FILE, or "
		    "both");
	if (dry) {
		struct dry *d = NULL;
		if ((rc = cmd_dry_begin(ctx, "do this", &d)) != CSM_OK)
			return rc;
		rc = procedure_run(cmd_site(ctx), ctx->argv[0], ctx->argv + 1, ctx->argc - 1,
		    catalog, member_first, d, dry_tables, &r);
		procedure_report_free(&r);
		return cmd_dry_end(ctx, d, rc);
	}
	rc = procedure_run(cmd_site(ctx), ctx->argv[0], ctx->argv + 1, ctx->argc - 1, catalog,
	    member_first, NULL, NULL, &r);
	show(ctx, &r);
	procedure_report_free(&r);
	return rc;
}

static int
cmd_resume_exec(struct cmd_ctx *ctx)
{
	struct procedure_report r;
	long long id, pool = 0;
	int rc;

	if ((rc = cmd_no_csv(ctx, "operations, steps, patches")) != CSM_OK)
		return rc;
	if ((rc = cmd_op_id(ctx->argv[0], &id)) != CSM_OK)
		return rc;
	if ((rc = rolling_owner(cmd_site(ctx), id, &pool)) != CSM_OK)
		return rc;
	if (pool != 0) {
		if (pool != id)
			csm_info("operation %lld is part of rolling operation %lld: resuming that "
			    "one", id, pool);
		return cmd_rolling_resume(ctx, pool);
	}
	rc = procedure_resume(cmd_site(ctx), id, &r);
	show(ctx, &r);
	procedure_report_free(&r);
	return rc;
}
