/* cmd-journal.c: journal list | journal show OP: the operation history. */
#include <stdio.h>
#include <stdlib.h>

#include "csmaint.h"
#include "cloudstack.h"
#include "cmd.h"
#include "db.h"
#include "journal.h"

static int cmd_journal_list_exec(struct cmd_ctx *);
static int cmd_journal_show_exec(struct cmd_ctx *);

static const struct cmd_opt list_opts[] = {
	{ "--host", "HOST", "only operations on this host" },
	{ "--limit", "N", "at most N operations, newest first (default 50; 0: all)" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_journal_list_entry = {
	.name = "journal list",
	.args = "",
	.summary = "operation history: kind, host, state, operator, times, prior and new "
	    "values",
	.opts = list_opts,
	.min_args = 0, .max_args = 0,
	.needs = CMD_NEED_CONF | CMD_NEED_DB | CMD_NEED_JOURNAL,
	.dflt = 1,
	.exec = cmd_journal_list_exec,
};

const struct cmd_entry cmd_journal_show_entry = {
	.name = "journal show",
	.args = "OP",
	.summary = "one operation with its steps",
	.opts = NULL,
	.min_args = 1, .max_args = 1,
	.needs = CMD_NEED_CONF | CMD_NEED_DB | CMD_NEED_JOURNAL,
	.exec = cmd_journal_show_exec,
};

static int
cmd_journal_list_exec(struct cmd_ctx *ctx)
{
	const char *host = cmd_opt(ctx, "--host"), *lim = cmd_opt(ctx, "--limit");
	long long host_id = -1, limit = 50;
	struct db_res *r = NULL;
	struct out *o;
	int rc;

	if (lim != NULL && csm_strtonum(lim, 0, INT32_MAX, &limit) != CSM_OK)
		return csm_err_prefix("--limit"), CSM_EUSAGE;
	if (host != NULL && (rc = cs_host_resolve(ctx->db, host, &host_id)) != CSM_OK)
		return rc;
	if ((rc = journal_op_list(ctx->db, host_id, limit, &r)) != CSM_OK)
		return rc;
	o = journal_out_ops(r);
	rc = cmd_print(ctx, &o, 1);
	out_free(o);
	db_res_free(r);
	return rc;
}

static int
cmd_journal_show_exec(struct cmd_ctx *ctx)
{
	struct db_res *op = NULL, *steps = NULL;
	struct out *o[2] = { NULL, NULL };
	long long id;
	int rc, i;

	if ((rc = cmd_no_csv(ctx, "operations, steps")) != CSM_OK)
		return rc;
	if (csm_strtonum(ctx->argv[0], 1, INT64_MAX, &id) != CSM_OK)
		return csm_err_set(CSM_EUSAGE, "OP must be an operation id (a number), not "
		    "'%s'", ctx->argv[0]);
	if ((rc = journal_op_get(ctx->db, id, &op)) != CSM_OK)
		return rc;
	if ((rc = journal_op_steps(ctx->db, id, &steps)) != CSM_OK)
		goto out;
	o[0] = journal_out_ops(op);
	o[1] = out_new("steps");
	out_col(o[1], "seq", OUT_NUM);
	out_col(o[1], "name", OUT_STR);
	out_col(o[1], "state", OUT_STR);
	out_col(o[1], "started", OUT_STR);
	out_col(o[1], "finished", OUT_STR);
	out_col(o[1], "detail", OUT_STR);
	for (i = 0; i < db_res_rows(steps); i++) {
		int c;
		out_row(o[1]);
		for (c = 0; c < J_STEP_NCOLS; c++)
			out_cell(o[1], c, db_get(steps, i, c));
	}
	rc = cmd_print(ctx, o, 2);
out:
	out_free(o[0]);
	out_free(o[1]);
	db_res_free(op);
	db_res_free(steps);
	return rc;
}
