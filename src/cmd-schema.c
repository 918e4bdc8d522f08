/* cmd-schema.c: schema (show what the database is) | schema install (the journal). */
#include <stdio.h>
#include <stdlib.h>

#include "csmaint.h"
#include "cloudstack.h"
#include "cmd.h"
#include "db.h"
#include "dry.h"
#include "journal.h"

static int cmd_schema_show_exec(struct cmd_ctx *);
static int cmd_schema_install_exec(struct cmd_ctx *);

const struct cmd_entry cmd_schema_show_entry = {
	.name = "schema",
	.args = "",
	.summary = "CloudStack version, schema generation and the journal schema's state",
	.opts = NULL,
	.min_args = 0, .max_args = 0,
	.needs = CMD_NEED_CONF | CMD_NEED_DB | CMD_ANY_SCHEMA,
	.exec = cmd_schema_show_exec,
};

static const struct cmd_opt install_opts[] = {
	{ "--execute", NULL, "create or upgrade the schema (without it: print the DDL)" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_schema_install_entry = {
	.name = "schema install",
	.args = "",
	.summary = "create or upgrade the csmaint journal schema (idempotent)",
	.opts = install_opts,
	.min_args = 0, .max_args = 0,
	.needs = CMD_NEED_CONF | CMD_NEED_DB | CMD_ANY_SCHEMA,
	.exec = cmd_schema_install_exec,
};

/* The "schema" listing: what the database is and the journal schema's state. */
static int
print_schema(struct cmd_ctx *ctx, int *installed, int *version)
{
	struct out *o;
	int rc;

	if ((rc = journal_status(ctx->db, installed, version)) != CSM_OK)
		return rc;
	o = out_new("schema");
	out_col(o, "cloud_schema", OUT_STR);
	out_col(o, "cloudstack_version", OUT_STR);
	out_col(o, "generation", OUT_STR);
	out_col(o, "allocation_column", OUT_STR);
	out_col(o, "supported", OUT_BOOL);
	out_col(o, "journal_schema", OUT_STR);
	out_col(o, "journal_installed", OUT_BOOL);
	out_col(o, "journal_version", OUT_NUM);
	out_col(o, "journal_current", OUT_NUM);
	out_row(o);
	out_cell(o, 0, db_schema(ctx->db));
	out_cell(o, 1, ctx->cs->version);
	out_cell(o, 2, ctx->cs->generation);
	out_cell(o, 3, ctx->cs->column);
	out_cell_bool(o, 4, ctx->cs->gen != CS_GEN_UNSUPPORTED);
	out_cell(o, 5, db_journal(ctx->db));
	out_cell_bool(o, 6, *installed);
	if (*installed)
		out_cell_num(o, 7, *version);
	out_cell_num(o, 8, JOURNAL_VERSION);
	rc = cmd_print(ctx, &o, 1);
	out_free(o);
	return rc;
}

static int
cmd_schema_show_exec(struct cmd_ctx *ctx)
{
	int installed = 0, version = 0, rc;

	if ((rc = print_schema(ctx, &installed, &version)) != CSM_OK)
		return rc;
	if (ctx->cs->gen == CS_GEN_UNSUPPORTED)
		return csm_err_set(CSM_ECONFLICT, "%s", ctx->cs->why);
	if (!installed)
		csm_info("the journal schema '%s' is not installed: run 'csmaint schema install "
		    "--execute'", db_journal(ctx->db));
	else if (version < JOURNAL_VERSION)
		csm_info("the journal schema '%s' is at version %d: run 'csmaint schema install "
		    "--execute' to upgrade it to %d", db_journal(ctx->db), version,
		    JOURNAL_VERSION);
	return CSM_OK;
}

static int
cmd_schema_install_exec(struct cmd_ctx *ctx)
{
	int from, rc, i, n, installed, version;
	struct dry *dry;
	char **ddl;

	if (!cmd_execute(ctx)) {
		if ((rc = cmd_dry_begin(ctx, "run these statements", &dry)) != CSM_OK)
			return rc;
		if ((rc = journal_status(ctx->db, &installed, &version)) != CSM_OK) {
			dry_free(dry);
			return rc;
		}
		dry_note(dry, "The journal schema '%s' is %s.", db_journal(ctx->db), installed ?
		    "installed" : "not installed");
		if (installed && version == JOURNAL_VERSION)
			dry_note(dry, "It is at version %d already: nothing to run.", version);
		ddl = installed && version == JOURNAL_VERSION ? NULL :
		    journal_ddl(ctx->db, installed ? version : 0, &n);
		if (ddl == NULL)
			n = 0;
		for (i = 0; i < n; i++)
			dry_sql(dry, ctx->db, ddl[i], "");
		journal_ddl_free(ddl, n);
		return cmd_dry_end(ctx, dry, CSM_OK);
	}
	if ((rc = journal_install(ctx->db, &from)) != CSM_OK)
		return rc;
	if (from == JOURNAL_VERSION)
		csm_info("journal schema '%s' is already at version %d: nothing to do",
		    db_journal(ctx->db), JOURNAL_VERSION);
	else if (from == 0)
		csm_info("journal schema '%s' created at version %d", db_journal(ctx->db),
		    JOURNAL_VERSION);
	else
		csm_info("journal schema '%s' upgraded from version %d to %d",
		    db_journal(ctx->db), from, JOURNAL_VERSION);
	/* What it is now, as 'schema' shows it. */
	return print_schema(ctx, &installed, &version);
}
