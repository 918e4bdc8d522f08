/* cmd-check.c: check HOST [PATCH...]: every precondition of the procedure, no changes. */
#include <stdio.h>

#include "csmaint.h"
#include "checks.h"
#include "cmd.h"

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

struct out *
cmd_checks_table(const struct checks *c)
{
	static const char *const result[] = { "fail", "pass", "skip" };
	struct out *o = out_new("checks");
	size_t i;

	out_col(o, "check", OUT_STR);
	out_col(o, "result", OUT_STR);
	out_col(o, "fact", OUT_STR);
	for (i = 0; i < c->n; i++) {
		out_row(o);
		out_cell(o, 0, c->v[i].name);
		out_cell(o, 1, result[c->v[i].result]);
		out_cell(o, 2, c->v[i].fact);
	}
	return o;
}

static int
cmd_check_exec(struct cmd_ctx *ctx)
{
	struct checks c;
	struct out *o;
	int rc, failed;

	if ((rc = checks_run(cmd_site(ctx), ctx->argv[0], ctx->argv + 1, ctx->argc - 1, &c)) !=
	    CSM_OK) {
		checks_free(&c);
		return rc;
	}
	o = cmd_checks_table(&c);
	failed = c.failed;
	checks_free(&c);
	rc = cmd_print(ctx, &o, 1);
	out_free(o);
	if (rc == CSM_OK && failed)
		return csm_err_set(CSM_ECONFLICT, "%d check%s failed for host %s", failed,
		    failed == 1 ? "" : "s", ctx->argv[0]);
	return rc;
}
