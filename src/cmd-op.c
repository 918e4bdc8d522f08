/* cmd-op.c: recover OP: close an operation, restoring what it changed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csmaint.h"
#include "cloudstack.h"
#include "cmd.h"
#include "db.h"
#include "dry.h"
#include "journal.h"
#include "rolling.h"
#include "toggle.h"

static int cmd_recover_exec(struct cmd_ctx *);

static const struct cmd_opt recover_opts[] = {
	{ "--execute", NULL, "make the change (without it: print the SQL, change nothing)" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_recover_entry = {
	.name = "recover",
	.args = "OP",
	.summary = "roll back and close operation OP: restore the recorded prior value "
	    "unless CloudStack already changed the row (safe to run twice); a rolling "
	    "operation: its host in flight, then the pool operation",
	.opts = recover_opts,
	.min_args = 1, .max_args = 1,
	.needs = CMD_NEED_CONF | CMD_NEED_DB | CMD_NEED_JOURNAL,
	.exec = cmd_recover_exec,
};

static int
cmd_recover_exec(struct cmd_ctx *ctx)
{
	struct toggle_result res;
	struct db_res *op = NULL;
	struct out *o;
	struct dry *dry = NULL;
	char lock[160];
	long long id, pool = 0;
	int rc;

	if ((rc = cmd_op_id(ctx->argv[0], &id)) != CSM_OK)
		return rc;
	if (!cmd_execute(ctx) && (rc = cmd_dry_begin(ctx, "run these statements", &dry)) !=
	    CSM_OK)
		return rc;
	/* A rolling operation, or a host operation of one: the pool is recovered. */
	if ((rc = rolling_owner(cmd_site(ctx), id, &pool)) != CSM_OK) {
		dry_free(dry);
		return rc;
	}
	if (pool != 0) {
		if (pool != id)
			csm_info("operation %lld is part of rolling operation %lld: recovering "
			    "that one", id, pool);
		rc = cmd_rolling_recover(ctx, pool, dry);
		return dry != NULL ? cmd_dry_end(ctx, dry, rc) : rc;
	}
	/* A hotfix operation may still be running elsewhere: its process holds the lock. */
	if ((rc = journal_op_raw(ctx->db, id, &op)) != CSM_OK) {
		dry_free(dry);
		return rc;
	}
	if (db_get(op, 0, J_RAW_OPEN_HOST) != NULL &&
	    strcmp(db_get(op, 0, J_RAW_KIND), "disable") != 0) {
		int got = 0;
		journal_lock_name(db_schema(ctx->db), db_get_int(op, 0, J_RAW_HOST_ID, 0), lock, sizeof(lock));
		if ((rc = db_get_lock(ctx->db, lock, 0, &got)) != CSM_OK) {
			db_res_free(op);
			dry_free(dry);
			return rc;
		}
		if (!got) {
			rc = csm_err_set(CSM_ECONFLICT, "operation %lld is still running (its "
			    "process holds the host's lock); stop that csmaint first (it rolls back "
			    "on SIGINT/SIGTERM)", id);
			db_res_free(op);
			dry_free(dry);
			return rc;
		}
		csm_info("hotfixes the operation applied stay applied; recover restores only the "
		    "database");
	}
	db_res_free(op);
	op = NULL;
	rc = toggle_recover(ctx->db, ctx->cs, id, dry, &res);
	if (dry != NULL) {
		if (rc == CSM_OK && res.op_id > 0)
			dry_note(dry, "operation %lld, host %lld (%s): %s '%s' -> '%s'", id,
			    res.host_id, res.host_name, ctx->cs->column, res.prior, res.written);
		else if (rc == CSM_OK)
			dry_note(dry, "operation %lld is already closed: nothing to do", id);
		return cmd_dry_end(ctx, dry, rc);
	}
	if (rc != CSM_OK)
		return rc;
	/* An operation already closed: toggle_recover() said so; the row below shows it. */
	if (res.op_id > 0 && strcmp(res.prior, res.written) == 0)
		csm_info("operation %lld closed: host %lld (%s) already had %s '%s'; nothing "
		    "written", id, res.host_id, res.host_name, ctx->cs->column, res.written);
	else if (res.op_id > 0)
		csm_info("operation %lld rolled back: host %lld (%s) %s '%s' -> '%s'", id,
		    res.host_id, res.host_name, ctx->cs->column, res.prior, res.written);
	if (journal_op_get(ctx->db, id, &op) == CSM_OK) {
		o = cmd_journal_ops_table(op);
		rc = cmd_print(ctx, &o, 1);
		out_free(o);
	}
	db_res_free(op);
	return rc;
}
