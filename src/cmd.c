/* cmd.c: the command table, option lookup and usage text generated from the entries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csmaint.h"
#include "cloudstack.h"
#include "cmd.h"
#include "conf.h"
#include "db.h"
#include "dry.h"
#include "patch.h"
#include "pool.h"

const struct cmd_entry *const cmd_table[] = {
	&cmd_schema_show_entry,
	&cmd_schema_install_entry,
	&cmd_host_list_entry,
	&cmd_host_show_entry,
	&cmd_host_disable_entry,
	&cmd_host_enable_entry,
	&cmd_host_reboot_entry,
	&cmd_vms_entry,
	&cmd_check_entry,
	&cmd_patch_list_entry,
	&cmd_patch_upload_entry,
	&cmd_patch_plan_entry,
	&cmd_patch_precheck_entry,
	&cmd_patch_apply_entry,
	&cmd_patch_clean_entry,
	&cmd_hotfix_entry,
	&cmd_rolling_entry,
	&cmd_resume_entry,
	&cmd_recover_entry,
	&cmd_journal_list_entry,
	&cmd_journal_show_entry,
	&cmd_audit_entry,
	&cmd_completion_entry,
	NULL
};

const char *
cmd_opt(const struct cmd_ctx *ctx, const char *name)
{
	const struct cmd_opt *o;
	int i;

	for (o = ctx->entry->opts, i = 0; o != NULL && o->name != NULL; o++, i++)
		if (strcmp(o->name, name) == 0)
			return ctx->optv[i];
	return NULL;
}

/* "csmaint host disable HOST [--reason TEXT] [--execute]" */
static void
synopsis(const struct cmd_entry *e, FILE *fp)
{
	const struct cmd_opt *o;

	fprintf(fp, "csmaint %s", e->name);
	if (e->args != NULL && *e->args)
		fprintf(fp, " %s", e->args);
	for (o = e->opts; o != NULL && o->name != NULL; o++) {
		if (o->arg)
			fprintf(fp, " [%s %s]", o->name, o->arg);
		else
			fprintf(fp, " [%s]", o->name);
	}
}

void
cmd_usage(const struct cmd_entry *e, FILE *fp)
{
	const struct cmd_opt *o;

	fputs("usage: ", fp);
	synopsis(e, fp);
	fprintf(fp, "\n\n%s\n", e->summary);
	if (e->opts != NULL && e->opts[0].name != NULL) {
		fputs("\noptions:\n", fp);
		for (o = e->opts; o->name != NULL; o++) {
			char lhs[64];
			snprintf(lhs, sizeof(lhs), "%s%s%s", o->name, o->arg ? " " : "",
			    o->arg ? o->arg : "");
			fprintf(fp, "  %-22s %s\n", lhs, o->help);
		}
	}
	fputs("\nglobal options:\n"
	    "  -c, --config FILE      configuration file\n"
	    "  -o, --output FORMAT    table, json or csv\n"
	    "  -v, --verbose          more detail on stderr (-vv: every SQL statement)\n"
	    "  -q, --quiet            no progress messages; of -q and -v the last wins\n"
	    "  --ask-pass             prompt for the database password\n"
	    "  -h, --help             this help\n"
	    "  --version              print the version\n"
	    "see csmaint(8)\n", fp);
}

void
cmd_usage_all(FILE *fp)
{
	const struct cmd_entry *const *t;

	fputs("usage: csmaint [-qv] [-c FILE] [-o table|json|csv] [--ask-pass] "
	    "COMMAND [ARGS]\n\ncommands:\n", fp);
	for (t = cmd_table; *t; t++) {
		char lhs[64];
		snprintf(lhs, sizeof(lhs), "%s%s%s", (*t)->name, (*t)->args && *(*t)->args ?
		    " " : "", (*t)->args ? (*t)->args : "");
		fprintf(fp, "  %-24s %s\n", lhs, (*t)->summary);
	}
	fputs("\n'csmaint COMMAND --help' shows a command's options; see csmaint(8).\n", fp);
}

int
cmd_print(struct cmd_ctx *ctx, struct out **tables, int n)
{
	return out_print(tables, n, ctx->format, stdout);
}

int
cmd_op_id(const char *arg, long long *id)
{
	if (csm_strtonum(arg, 1, INT64_MAX, id) != CSM_OK)
		return csm_err_set(CSM_EUSAGE, "OP must be an operation id (a number), not '%s'",
		    arg);
	return CSM_OK;
}

int
cmd_execute(const struct cmd_ctx *ctx)
{
	return cmd_opt(ctx, "--execute") != NULL;
}

int
cmd_no_csv(const struct cmd_ctx *ctx, const char *tables)
{
	if (ctx->format != OUT_CSV)
		return CSM_OK;
	return csm_err_set(CSM_EUSAGE, "'%s' prints several tables (%s) and CSV holds one: "
	    "use -o table or -o json", ctx->entry->name, tables);
}

int
cmd_dry_begin(const struct cmd_ctx *ctx, const char *what, struct dry **out)
{
	*out = NULL;
	if (ctx->format == OUT_CSV)
		return csm_err_set(CSM_EUSAGE, "the dry run of '%s' is a plan of statements "
		    "and calls, not one table, so it has no CSV form: use -o table or -o json",
		    ctx->entry->name);
	*out = dry_new();
	dry_header(*out, ctx->entry->name, ctx->argv, ctx->argc, what);
	return CSM_OK;
}

int
cmd_dry_end(struct cmd_ctx *ctx, struct dry *d, int rc)
{
	int prc;

	if (d == NULL)
		return rc;
	if (rc != CSM_OK)
		dry_refused(d, csm_err_msg());
	prc = dry_print(d, ctx->format == OUT_JSON, stdout);
	dry_free(d);
	return rc != CSM_OK ? rc : prc;
}

