/* cmd-journal.c: journal list | journal show OP: the operation history. */
#include <stdio.h>
#include <string.h>
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

struct out *
cmd_journal_ops_table(const struct db_res *r)
{
	static const struct {
		const char *name;
		int col;
		enum out_type type;
	} cols[] = {
		{ "id", J_OP_ID, OUT_NUM }, { "kind", J_OP_KIND, OUT_STR },
		{ "host_id", J_OP_HOST_ID, OUT_NUM }, { "host_name", J_OP_HOST_NAME, OUT_STR },
		{ "state", J_OP_STATE, OUT_STR }, { "column", J_OP_COLUMN, OUT_STR },
		{ "prior_value", J_OP_PRIOR, OUT_STR }, { "new_value", J_OP_NEW, OUT_STR },
		{ "operator", J_OP_OPERATOR, OUT_STR }, { "started", J_OP_STARTED, OUT_STR },
		{ "finished", J_OP_FINISHED, OUT_STR }, { "reason", J_OP_REASON, OUT_STR },
		{ "last_error", J_OP_ERROR, OUT_STR },
	};
	struct out *o = out_new("operations");
	size_t c;
	int i;

	for (c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
		out_col(o, cols[c].name, cols[c].type);
	for (i = 0; i < db_res_rows(r); i++) {
		out_row(o);
		for (c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
			out_cell(o, (int)c, db_get(r, i, cols[c].col));
	}
	return o;
}

struct out *
cmd_journal_steps_table(const struct db_res *r)
{
	static const char *const names[J_STEP_NCOLS] = { "seq", "name", "state", "started",
	    "finished", "detail" };
	struct out *o = out_new("steps");
	int i, c;

	for (c = 0; c < J_STEP_NCOLS; c++)
		out_col(o, names[c], c == J_STEP_SEQ ? OUT_NUM : OUT_STR);
	for (i = 0; i < db_res_rows(r); i++) {
		out_row(o);
		for (c = 0; c < J_STEP_NCOLS; c++)
			out_cell(o, c, db_get(r, i, c));
	}
	return o;
}

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
	o = cmd_journal_ops_table(r);
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
	int rc;

	if ((rc = cmd_no_csv(ctx, "operations, steps")) != CSM_OK)
		return rc;
	if ((rc = cmd_op_id(ctx->argv[0], &id)) != CSM_OK)
		return rc;
	if ((rc = journal_op_get(ctx->db, id, &op)) != CSM_OK)
		return rc;
	/* A rolling operation is shown with its host operations after it. */
	if (strcmp(db_get(op, 0, J_OP_KIND), "rolling") == 0) {
		db_res_free(op);
		op = NULL;
		if ((rc = journal_children(ctx->db, id, &op)) != CSM_OK)
			goto out;
	}
	if ((rc = journal_op_steps(ctx->db, id, &steps)) != CSM_OK)
		goto out;
	o[0] = cmd_journal_ops_table(op);
	o[1] = cmd_journal_steps_table(steps);
	rc = cmd_print(ctx, o, 2);
out:
	out_free(o[0]);
	out_free(o[1]);
	db_res_free(op);
	db_res_free(steps);
	return rc;
}
