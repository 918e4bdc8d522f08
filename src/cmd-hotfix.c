/* cmd-hotfix.c: hotfix HOST FILE... and resume OP: the CTX133466 procedure. */
#include <stdio.h>
#include <stdlib.h>

#include "csmaint.h"
#include "cmd.h"
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

static int
cmd_hotfix_exec(struct cmd_ctx *ctx)
{
	const char *catalog = cmd_opt(ctx, "--catalog");
	int rc;

	/* Its dry run and its report are several tables: refused before anything runs. */
	if ((rc = cmd_no_csv(ctx, "checks, patches, operations, steps")) != CSM_OK)
		return rc;
	if (ctx->argc < 2 && catalog == NULL)
		return csm_err_set(CSM_EUSAGE, "'hotfix' needs hotfix FILEs, --catalog FILE, or "
		    "both");
	return procedure_run(ctx, ctx->argv[0], ctx->argv + 1, ctx->argc - 1, catalog,
	    !cmd_execute(ctx));
}

static int
cmd_resume_exec(struct cmd_ctx *ctx)
{
	long long id;
	int rc;

	if ((rc = cmd_no_csv(ctx, "operations, steps, patches")) != CSM_OK)
		return rc;
	if (csm_strtonum(ctx->argv[0], 1, INT64_MAX, &id) != CSM_OK)
		return csm_err_set(CSM_EUSAGE, "OP must be an operation id (a number), not "
		    "'%s'", ctx->argv[0]);
	return procedure_resume(ctx, id);
}
