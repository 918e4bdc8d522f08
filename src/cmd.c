/* cmd.c: the command table, option lookup and usage text generated from the entries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csmaint.h"
#include "cloudstack.h"
#include "cmd.h"
#include "conf.h"
#include "db.h"
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
	&cmd_hotfix_entry,
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
cmd_target_open(struct cmd_ctx *ctx, const char *spec, struct target *t)
{
	int rc, by_address;

	memset(t, 0, sizeof(*t));
	if ((rc = cs_host_resolve(ctx->db, spec, &t->id)) != CSM_OK)
		return rc;
	if ((rc = cs_host_get(ctx->db, t->id, &t->row)) != CSM_OK)
		return rc;
	t->name = db_get(t->row, 0, CS_H_NAME);
	if (strcmp(db_get(t->row, 0, CS_H_TYPE), "Routing") != 0) {
		rc = csm_err_set(CSM_ECONFLICT, "host %lld (%s) is a %s host, not a XenServer "
		    "hypervisor", t->id, t->name, db_get(t->row, 0, CS_H_TYPE));
		goto fail;
	}
	rc = pool_connect(ctx->conf, db_get(t->row, 0, CS_H_IP), &t->pool);
	if (rc != CSM_OK) {
		csm_err_prefix("cannot reach XenServer host %lld (%s) at %s", t->id, t->name,
		    db_get(t->row, 0, CS_H_IP));
		goto fail;
	}
	if ((rc = pool_hosts(t->pool, &t->hosts, &t->nh)) != CSM_OK)
		goto fail;
	/* host.guid is the XenServer uuid in both generations (3.0's host.uuid is
	 * CloudStack's own); the address is only a fallback. */
	t->xs = pool_host_match(t->hosts, t->nh, db_get(t->row, 0, CS_H_GUID),
	    db_get(t->row, 0, CS_H_IP), &by_address);
	if (t->xs == NULL) {
		rc = csm_err_set(CSM_ECONFLICT, "the XenServer pool at %s has no host with uuid "
		    "%s (host.guid) and no single host at address %s (CloudStack host %lld, %s)",
		    pool_url(t->pool), db_get(t->row, 0, CS_H_GUID) ? db_get(t->row, 0,
		    CS_H_GUID) : "NULL", db_get(t->row, 0, CS_H_IP), t->id, t->name);
		goto fail;
	}
	if (by_address)
		csm_warn("CloudStack host %lld (%s): no XenServer host has its host.guid %s; "
		    "using %s (uuid %s), the only one at address %s", t->id, t->name,
		    db_get(t->row, 0, CS_H_GUID) ? db_get(t->row, 0, CS_H_GUID) : "NULL",
		    t->xs->name_label ? t->xs->name_label : "?", t->xs->uuid ? t->xs->uuid : "?",
		    db_get(t->row, 0, CS_H_IP));
	t->updates = patch_uses_updates(t->xs);
	return CSM_OK;
fail:
	cmd_target_close(t);
	return rc;
}

void
cmd_target_close(struct target *t)
{
	pool_hosts_free(t->hosts, t->nh);
	pool_free(t->pool);
	db_res_free(t->row);
	memset(t, 0, sizeof(*t));
}

int
cmd_execute(const struct cmd_ctx *ctx)
{
	return cmd_opt(ctx, "--execute") != NULL;
}

void
cmd_dry_header(const struct cmd_ctx *ctx, const char *what)
{
	int i;

	printf("-- dry run: csmaint %s", ctx->entry->name);
	/* A comment line: an argument with a newline must not end it. */
	for (i = 0; i < ctx->argc; i++) {
		char *arg = csm_escape(ctx->argv[i]);
		printf(" %s", arg);
		free(arg);
	}
	printf(" would %s; nothing was changed.\n-- Add --execute to do it.\n", what);
	fflush(stdout);
}
