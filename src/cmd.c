/* cmd.c: the command table, option lookup and usage text generated from the entries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csmaint.h"
#include "cloudstack.h"
#include "cmd.h"
#include "conf.h"
#include "db.h"
#include "pool.h"

const struct cmd_entry *const cmd_table[] = {
	&cmd_schema_show_entry,
	&cmd_schema_install_entry,
	&cmd_host_list_entry,
	&cmd_host_show_entry,
	&cmd_host_disable_entry,
	&cmd_host_enable_entry,
	&cmd_journal_list_entry,
	&cmd_journal_show_entry,
	&cmd_recover_entry,
	&cmd_vms_entry,
	&cmd_patch_list_entry,
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
	    "  -v, --verbose          more detail on stderr (twice: every SQL statement)\n"
	    "  -q, --quiet            only errors on stderr\n"
	    "  --ask-pass             prompt for the database password\n"
	    "  -h, --help             this help\n"
	    "  --version              print the version\n"
	    "see csmaint(8)\n", fp);
}

void
cmd_usage_all(FILE *fp)
{
	const struct cmd_entry *const *t;

	fputs("usage: csmaint [-c FILE] [-o table|json|csv] [-v] [-q] [--ask-pass] "
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
cmd_host_pool(struct cmd_ctx *ctx, const char *spec, long long *id, struct db_res **host,
    struct pool **pool)
{
	int rc;

	*host = NULL;
	*pool = NULL;
	if ((rc = cs_host_resolve(ctx->db, spec, id)) != CSM_OK)
		return rc;
	if ((rc = cs_host_get(ctx->db, *id, host)) != CSM_OK)
		return rc;
	if (strcmp(db_get(*host, 0, CS_H_TYPE), "Routing") != 0) {
		rc = csm_err_set(CSM_ECONFLICT, "host %lld (%s) is a %s host, not a XenServer "
		    "hypervisor", *id, db_get(*host, 0, CS_H_NAME), db_get(*host, 0, CS_H_TYPE));
		goto fail;
	}
	rc = pool_connect(ctx->conf, db_get(*host, 0, CS_H_IP), pool);
	if (rc != CSM_OK) {
		csm_err_prefix("cannot reach XenServer host %lld (%s) at %s", *id,
		    db_get(*host, 0, CS_H_NAME), db_get(*host, 0, CS_H_IP));
		goto fail;
	}
	return CSM_OK;
fail:
	db_res_free(*host);
	*host = NULL;
	return rc;
}
