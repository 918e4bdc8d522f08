/* cmd-hotfix.c: hotfix HOST FILE... and resume OP: the CTX133466 procedure. */
#include <stdio.h>
#include <stdlib.h>

#include "csmaint.h"
#include "cmd.h"
#include "db.h"
#include "journal.h"
#include "procedure.h"

static int cmd_hotfix_exec(struct cmd_ctx *);
static int cmd_resume_exec(struct cmd_ctx *);

static const struct cmd_opt hotfix_opts[] = {
	{ "--catalog", "FILE", "plan with this update catalog (updates.xml): only the "
	    "minimal set, in order" },
	{ "--execute", NULL, "run the procedure (without it: print the whole plan, change "
	    "nothing)" },
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
	.summary = "continue an interrupted hotfix operation from its last completed step",
	.opts = NULL,
	.min_args = 1, .max_args = 1,
	.needs = CMD_NEED_CONF | CMD_NEED_DB | CMD_NEED_JOURNAL,
	.exec = cmd_resume_exec,
};

/* The end of a run: the operation, its steps, and the patches applied (or the plan). */
static int
show(struct cmd_ctx *ctx, const struct procedure_report *r, int dry)
{
	struct out *o[4] = { NULL, NULL, NULL, NULL };
	int i, n = 0, rc = CSM_OK;

	if (r->show_checks) {
		struct out *c = cmd_checks_table(&r->checks);
		rc = cmd_print(ctx, &c, 1);
		out_free(c);
	}
	if (dry && r->dry_text != NULL) {
		struct out *pl = cmd_plan_table(r->plan);
		cmd_dry_header(ctx, "do this");
		if (rc == CSM_OK)
			rc = cmd_print(ctx, &pl, 1);
		out_free(pl);
		fputs(r->dry_text, stdout);
		return rc;
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
	int rc, dry = !cmd_execute(ctx);

	if (ctx->argc < 2 && catalog == NULL)
		return csm_err_set(CSM_EUSAGE, "'hotfix' needs hotfix FILEs, --catalog FILE, or "
		    "both");
	rc = procedure_run(cmd_site(ctx), ctx->argv[0], ctx->argv + 1, ctx->argc - 1, catalog,
	    dry, &r);
	show(ctx, &r, dry);
	procedure_report_free(&r);
	return rc;
}

static int
cmd_resume_exec(struct cmd_ctx *ctx)
{
	struct procedure_report r;
	long long id;
	int rc;

	if ((rc = cmd_op_id(ctx->argv[0], &id)) != CSM_OK)
		return rc;
	rc = procedure_resume(cmd_site(ctx), id, &r);
	show(ctx, &r, 0);
	procedure_report_free(&r);
	return rc;
}
