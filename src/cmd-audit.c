/* cmd-audit.c: audit: one drift and danger report for a DBA; exit 4 if anything needs care. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csmaint.h"
#include "audit.h"
#include "cmd.h"

static int cmd_audit_exec(struct cmd_ctx *);

static const struct cmd_opt audit_opts[] = {
	{ "--xapi", NULL, "also compare applied hotfixes between the hosts of each cluster "
	    "(XenAPI)" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_audit_entry = {
	.name = "audit",
	.args = "",
	.summary = "drift and danger report: hosts held or disabled, drift after reconnect, "
	    "open and interrupted operations, VMs on disabled hosts (exit 4 if any)",
	.opts = audit_opts,
	.min_args = 0, .max_args = 0,
	.needs = CMD_NEED_CONF | CMD_NEED_DB | CMD_NEED_JOURNAL,
	.exec = cmd_audit_exec,
};

static int
cmd_audit_exec(struct cmd_ctx *ctx)
{
	struct findings f;
	struct out *o = out_new("findings");
	size_t i;
	int rc;

	out_col(o, "finding", OUT_STR);
	out_col(o, "host_id", OUT_NUM);
	out_col(o, "host_name", OUT_STR);
	out_col(o, "operation", OUT_NUM);
	out_col(o, "detail", OUT_STR);
	rc = audit_run(cmd_site(ctx), cmd_opt(ctx, "--xapi") != NULL, &f);
	for (i = 0; i < f.n; i++) {
		out_row(o);
		out_cell(o, 0, f.v[i].kind);
		out_cell(o, 1, f.v[i].host_id);
		out_cell(o, 2, f.v[i].host_name);
		out_cell(o, 3, f.v[i].operation);
		out_cell(o, 4, f.v[i].detail);
	}
	if (rc == CSM_OK)
		rc = cmd_print(ctx, &o, 1);
	if (rc == CSM_OK && f.n > 0)
		rc = csm_err_set(CSM_ECONFLICT, "%zu finding%s need%s attention", f.n,
		    f.n == 1 ? "" : "s", f.n == 1 ? "s" : "");
	else if (rc == CSM_OK)
		csm_info("audit: nothing needs attention");
	audit_free(&f);
	out_free(o);
	return rc;
}
