/* toggle.c: disable/enable a host's allocation column: CAS + journal, one transaction. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "csmaint.h"
#include "cloudstack.h"
#include "db.h"
#include "dry.h"
#include "journal.h"
#include "toggle.h"

/* Compare-and-set: only a row that still holds the expected value changes. */
const char TOGGLE_SQL_CAS[] =
	"UPDATE host SET {C} = ? WHERE id = ? AND {C} = ? AND removed IS NULL"
	" AND type = 'Routing'";

/*
 * The host row, read without a lock.  Every toggle transaction writes its journal rows
 * first and locks the host row last, by the compare-and-set UPDATE (or, where nothing
 * is written, a locking read that checks the value the journal records), so the row
 * CloudStack's management server updates all the time is locked for one round trip:
 * from that statement to the COMMIT that follows it.  Two operators are kept apart by
 * the journal (the unique key on the open host, the state of the operation row).
 */
static const char SQL_HOST_READ[] =
	"SELECT id, name, type, status, {C}, removed, cluster_id FROM host WHERE id = ?";

/* A run either executes statements or records them (dry run, DRY not NULL); reads
 * always execute, and are recorded too. */
struct run {
	struct db	*db;
	struct dry	*dry;
	double		 locked_at;
	int		 db_failed;	/* a statement failed (not one of our refusals) */
};

static void
show(struct run *r, const char *sql, const char *types, va_list ap)
{
	dry_vsql(r->dry, r->db, sql, types, ap);
}

static int
run_read(struct run *r, struct db_res **out, const char *sql, const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	show(r, sql, types, ap);
	va_end(ap);
	va_start(ap, types);
	rc = db_vquery(r->db, out, NULL, sql, types, ap);
	va_end(ap);
	r->db_failed |= rc != CSM_OK;
	return rc;
}

/* A write: recorded in a dry run (reported as EXPECT rows), executed otherwise. */
static int
run_write(struct run *r, long long *affected, long long expect, const char *sql,
    const char *types, ...)
{
	va_list ap;
	int rc;

	if (r->dry) {
		va_start(ap, types);
		show(r, sql, types, ap);
		va_end(ap);
		*affected = expect;
		return CSM_OK;
	}
	va_start(ap, types);
	rc = db_vquery(r->db, NULL, affected, sql, types, ap);
	va_end(ap);
	r->db_failed |= rc != CSM_OK;
	return rc;
}

/*
 * After the rollback: a statement that lost a lock contest (a row, a table lock, a
 * backup's global read lock) gets the subject and the outcome an operator needs.
 */
static void
gave_way(const struct run *r, int rc, const char *verb, const struct toggle_result *res)
{
	char *why;

	if (rc != CSM_ECONFLICT || !r->db_failed || r->dry)
		return;
	why = xstrdup(csm_err_msg());
	if (res->host_name[0] != '\0')
		csm_err_set(rc, "cannot %s host %lld (%s): %s; nothing changed", verb,
		    res->host_id, res->host_name, why);
	else
		csm_err_set(rc, "cannot %s host %lld: %s; nothing changed", verb, res->host_id,
		    why);
	free(why);
}

/* Statements the toggle transactions run, prepared before the transaction starts. */
static int
prepare_all(struct db *db)
{
	static const char *const all[] = {
		CS_SQL_HOST_LOCK, TOGGLE_SQL_CAS, J_SQL_INSERT_OP, J_SQL_INSERT_STEP_LAST,
		J_SQL_INSERT_STEP, J_SQL_CLOSE_OP,
	};
	size_t i;
	int rc;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if ((rc = db_prepare(db, all[i])) != CSM_OK)
			return rc;
	return CSM_OK;
}

static int
run_begin(struct run *r)
{
	int rc;

	if (r->dry) {
		dry_sql(r->dry, r->db, "START TRANSACTION", "");
		return CSM_OK;
	}
	if ((rc = prepare_all(r->db)) != CSM_OK || (rc = db_begin(r->db)) != CSM_OK)
		r->db_failed = 1;
	return rc;
}

static int
run_commit(struct run *r, double *lock_ms)
{
	int rc;

	if (r->dry) {
		dry_sql(r->dry, r->db, "COMMIT", "");
		*lock_ms = 0;
		return CSM_OK;
	}
	rc = db_commit(r->db);
	*lock_ms = (csm_now() - r->locked_at) * 1e3;
	if (rc != CSM_OK && db_lost(r->db))
		return CSM_EMANUAL;
	return rc;
}

static void
audit_log(const struct toggle_result *res, const char *column)
{
	char *who = csm_operator_name();
	char name[256];
	size_t i;

	/* Host names are data: keep control characters out of the log line. */
	for (i = 0; res->host_name[i] && i < sizeof(name) - 1; i++)
		name[i] = (unsigned char)res->host_name[i] < 0x20 ? '?' : res->host_name[i];
	name[i] = '\0';
	syslog(LOG_NOTICE, "%s: host %lld (%s) %s %s -> %s, operation %lld", who,
	    res->host_id, name, column, res->prior, res->written, res->op_id);
	free(who);
}

/* The allocation value of a host row; SQL NULL (never written by CloudStack, but the
 * row is input) shows as NULL and matches no expected value. */
static const char *
alloc_value(const struct db_res *row)
{
	const char *v = db_res_rows(row) == 1 ? db_get(row, 0, CS_L_ALLOC) : NULL;

	return v != NULL ? v : "NULL";
}

/* Read the host row (no lock) and check it is a live hypervisor host; fills
 * res->host_name. */
static int
read_host(struct run *r, long long host_id, const char *verb,
    struct db_res **row, struct toggle_result *res)
{
	int rc = run_read(r, row, SQL_HOST_READ, "i", host_id);

	if (rc != CSM_OK)
		return rc;
	if (db_res_rows(*row) != 1)
		return csm_err_set(CSM_ENOTFOUND, "no host with id %lld", host_id);
	snprintf(res->host_name, sizeof(res->host_name), "%s", db_get(*row, 0, CS_L_NAME));
	if (strcmp(db_get(*row, 0, CS_L_TYPE), "Routing") != 0)
		return csm_err_set(CSM_ECONFLICT, "cannot %s host %lld (%s): it is a %s host, "
		    "not a hypervisor (type Routing)", verb, host_id, res->host_name,
		    db_get(*row, 0, CS_L_TYPE));
	if (db_get(*row, 0, CS_L_REMOVED) != NULL)
		return csm_err_set(CSM_ECONFLICT, "cannot %s host %lld (%s): it was removed "
		    "from CloudStack on %s", verb, host_id, res->host_name, db_get(*row, 0, CS_L_REMOVED));
	return CSM_OK;
}

/* After a CAS that changed nothing: say what the row holds now. */
static int
cas_lost(struct run *r, const struct cs *cs, long long host_id, const char *verb,
    const char *expected, struct toggle_result *res)
{
	struct db_res *now = NULL;
	const char *v = NULL;

	if (db_query(r->db, &now, SQL_HOST_READ, "i", host_id) == CSM_OK)
		v = alloc_value(now);
	csm_err_set(CSM_ECONFLICT, "cannot %s host %lld (%s): the row changed under us: "
	    "%s is now '%s', expected '%s'; nothing was changed", verb, host_id,
	    res->host_name, cs->column, v ? v : "?", expected);
	db_res_free(now);
	return CSM_ECONFLICT;
}

/*
 * The last statement before COMMIT: the compare-and-set of WRITTEN over EXPECTED, or,
 * when WRITTEN is NULL (nothing to write), a locking read that the row still holds
 * EXPECTED, the value the journal rows of this transaction record.  This is where the
 * transaction locks the host row.
 */
static int
host_last(struct run *r, const struct cs *cs, long long host_id, const char *verb,
    const char *written, const char *expected, struct toggle_result *res)
{
	struct db_res *now = NULL;
	long long n;
	int rc;

	r->locked_at = csm_now();
	if (written != NULL) {
		if ((rc = run_write(r, &n, 1, TOGGLE_SQL_CAS, "sis", written, host_id,
		    expected)) != CSM_OK)
			return rc;
		return n == 1 ? CSM_OK : cas_lost(r, cs, host_id, verb, expected, res);
	}
	if ((rc = run_read(r, &now, CS_SQL_HOST_LOCK, "i", host_id)) != CSM_OK)
		return rc;
	if (strcmp(alloc_value(now), expected) != 0)
		rc = csm_err_set(CSM_ECONFLICT, "cannot %s host %lld (%s): the row changed under "
		    "us: %s is now '%s', expected '%s'; nothing was changed", verb, host_id,
		    res->host_name, cs->column, alloc_value(now), expected);
	db_res_free(now);
	return rc;
}

/* "operation 3 (disable, holding) by root@adm since ... holds it", from J_SQL_OPEN_OP. */
static int
held_by(long long host_id, const char *verb, const struct db_res *op,
    const struct toggle_result *res)
{
	return csm_err_set(CSM_ECONFLICT, "cannot %s host %lld (%s): operation %s (%s, %s) by "
	    "%s since %s holds it", verb, host_id, res->host_name,
	    db_get(op, 0, J_HELD_ID), db_get(op, 0, J_HELD_KIND), db_get(op, 0, J_HELD_STATE),
	    db_get(op, 0, J_HELD_OPERATOR), db_get(op, 0, J_HELD_STARTED));
}

int
toggle_disable(struct db *db, const struct cs *cs, long long host_id, const char *reason,
    const char *arguments, struct dry *dry, struct toggle_result *res)
{
	struct toggle_spec spec = { "disable", "holding", 0, reason, arguments, 0 };

	return toggle_take(db, cs, host_id, &spec, dry, res);
}

int
toggle_take(struct db *db, const struct cs *cs, long long host_id,
    const struct toggle_spec *spec, struct dry *dry, struct toggle_result *res)
{
	const char *reason = spec->reason, *arguments = spec->arguments;
	int already;
	struct run r = { db, dry, 0, 0 };
	struct db_res *row = NULL, *op = NULL;
	char *who = csm_operator_name();
	long long n;
	int rc;

	memset(res, 0, sizeof(*res));
	res->host_id = host_id;
	if ((rc = read_host(&r, host_id, "disable", &row, res)) != CSM_OK)
		goto out;
	snprintf(res->prior, sizeof(res->prior), "%s", alloc_value(row));
	snprintf(res->written, sizeof(res->written), "Disabled");
	if ((rc = run_read(&r, &op, J_SQL_OPEN_OP, "si", db_schema(db), host_id)) != CSM_OK)
		goto out;
	if (db_res_rows(op) > 0) {
		rc = held_by(host_id, "disable", op, res);
		goto out;
	}
	/* A host already Disabled is recorded as such when the caller allows it: nothing
	 * is written now and nothing will be restored (DESIGN §1). */
	already = spec->allow_disabled && strcmp(res->prior, "Disabled") == 0;
	if (strcmp(res->prior, "Enabled") != 0 && !already) {
		rc = csm_err_set(CSM_ECONFLICT, "cannot disable host %lld (%s): %s is '%s', "
		    "expected 'Enabled'", host_id, res->host_name, cs->column, res->prior);
		goto out;
	}
	if ((rc = run_begin(&r)) != CSM_OK)
		goto out;
	/* The journal row first: its unique key on the open host makes a second operator
	 * wait here for the first one's COMMIT, then fail on the duplicate, before either
	 * touches the host row. */
	rc = run_write(&r, &n, 1, J_SQL_INSERT_OP, "ssissssssisissi", spec->kind,
	    db_schema(db), host_id, res->host_name, db_get(row, 0, CS_L_CLUSTER),
	    cs->column, res->prior, "Disabled", spec->state, host_id, who, (long long)getpid(),
	    arguments, reason, spec->parent_id);
	if (rc == CSM_ECONFLICT && db_dup_key(db)) {
		/* The other operator committed first: name its operation. */
		db_rollback(db);
		db_res_free(op);
		op = NULL;
		if (db_query(db, &op, J_SQL_OPEN_OP, "si", db_schema(db), host_id) == CSM_OK &&
		    db_res_rows(op) > 0) {
			rc = held_by(host_id, "disable", op, res);
			r.db_failed = 0;
		}
		goto out;
	}
	if (rc != CSM_OK)
		goto out;
	res->op_id = dry ? 0 : db_insert_id(db);
	rc = run_write(&r, &n, 1, J_SQL_INSERT_STEP_LAST, "sss", "disable", "done",
	    already ? "already Disabled before csmaint: nothing written" : reason);
	if (rc != CSM_OK)
		goto out;
	if ((rc = host_last(&r, cs, host_id, "disable", already ? NULL : "Disabled",
	    res->prior, res)) != CSM_OK)
		goto out;
	rc = run_commit(&r, &res->lock_ms);
	if (rc == CSM_OK && !dry && !already)
		audit_log(res, cs->column);
out:
	if (rc != CSM_OK && !dry)
		db_rollback(db);
	gave_way(&r, rc, "disable", res);
	db_res_free(row);
	db_res_free(op);
	free(who);
	return rc;
}

/* The operation row by id: id, kind, state, operator, started, prior, new, host. */
static const char SQL_OP_READ[] =
	"SELECT id, kind, state, operator, DATE_FORMAT(started, '%Y-%m-%dT%H:%i:%sZ'),"
	" prior_value, new_value, host_id, cloud_schema FROM {J}.operation WHERE id = ?";

/* Which host an operation is about (never changes). */
static const char SQL_OP_HOST[] =
	"SELECT host_id, cloud_schema FROM {J}.operation WHERE id = ?";

/* On 3.0+ maintenance shares the column: CloudStack owns it and cancels it itself. */
static int
cloudstack_owns(const struct cs *cs, const char *v)
{
	return cs->gen == CS_GEN_30 && (strcmp(v, "PrepareForMaintenance") == 0 ||
	    strcmp(v, "Maintenance") == 0 || strcmp(v, "ErrorInMaintenance") == 0);
}

/*
 * Restore what a disable operation wrote.  ENABLE (host enable) insists the row holds
 * exactly what csmaint wrote; RECOVER (recover OP) also closes an operation whose row
 * CloudStack already changed (reset to the prior value, or taken over by maintenance
 * on 3.0), writing nothing then, and is a no-op for a closed operation.
 *
 * The transaction closes the operation row first (compare-and-set on its state: a
 * second csmaint closing it at the same moment waits for the first, then finds it
 * closed), writes the step, and locks the host row last.
 */
static int
restore(struct db *db, const struct cs *cs, long long host_id, long long op_id, int recover,
    const char *final_state, const char *last_error, struct dry *dry,
    struct toggle_result *res)
{
	struct run r = { db, dry, 0, 0 };
	struct db_res *row = NULL, *op = NULL;
	char *who = csm_operator_name(), *detail = NULL;
	const char *verb = recover ? "recover" : "enable", *now, *state;
	char expect[33];
	long long n;
	int rc, write = 1;

	memset(res, 0, sizeof(*res));
	if (recover) {
		/* Find the host through the operation. */
		if ((rc = db_query(db, &op, SQL_OP_HOST, "i", op_id)) != CSM_OK)
			goto out;
		if (db_res_rows(op) == 0 || strcmp(db_get(op, 0, 1), db_schema(db)) != 0) {
			/* SQL_OP_HOST: host_id, cloud_schema */
			rc = csm_err_set(CSM_ENOTFOUND, "no operation %lld for CloudStack schema "
			    "'%s' in journal '%s'", op_id, db_schema(db), db_journal(db));
			goto out;
		}
		host_id = db_get_int(op, 0, 0, 0);
		db_res_free(op);
		op = NULL;
	}
	res->host_id = host_id;
	if ((rc = read_host(&r, host_id, verb, &row, res)) != CSM_OK)
		goto out;
	now = alloc_value(row);
	if (recover)
		rc = run_read(&r, &op, SQL_OP_READ, "i", op_id);
	else
		rc = run_read(&r, &op, J_SQL_OPEN_OP, "si", db_schema(db), host_id);
	if (rc != CSM_OK)
		goto out;
	if (db_res_rows(op) == 0) {
		rc = csm_err_set(CSM_ECONFLICT, "cannot enable host %lld (%s): no csmaint "
		    "operation holds it (%s is '%s'); csmaint restores only values it "
		    "recorded: use the CloudStack UI or API for hosts it did not disable",
		    host_id, res->host_name, cs->column, now);
		goto out;
	}
	op_id = db_get_int(op, 0, J_HELD_ID, 0);
	res->op_id = op_id;
	state = db_get(op, 0, J_HELD_STATE);
	if (recover && (strcmp(state, "done") == 0 || strcmp(state, "rolled_back") == 0)) {
		/* Safe to run twice: a closed operation needs nothing. */
		csm_info("operation %lld is already closed (%s): nothing to do", op_id, state);
		rc = CSM_OK;
		res->op_id = -op_id;
		goto out;
	}
	if (!recover && (strcmp(db_get(op, 0, J_HELD_KIND), "disable") != 0 ||
	    strcmp(state, "holding") != 0)) {
		rc = csm_err_set(CSM_ECONFLICT, "cannot %s host %lld (%s): operation %lld "
		    "(%s, %s) by %s holds it; use 'csmaint resume %lld' or 'csmaint recover "
		    "%lld'", verb, host_id, res->host_name, op_id, db_get(op, 0, J_HELD_KIND),
		    state, db_get(op, 0, J_HELD_OPERATOR), op_id, op_id);
		goto out;
	}
	snprintf(res->prior, sizeof(res->prior), "%s", db_get(op, 0, J_HELD_NEW)); /* ours */
	snprintf(res->written, sizeof(res->written), "%s", db_get(op, 0, J_HELD_PRIOR));
	if (strcmp(res->written, res->prior) == 0) {
		/* The host was Disabled before csmaint: nothing was written, nothing to restore. */
		write = 0;
		detail = xasprintf("%s was '%s' before csmaint and is '%s' now: nothing written; "
		    "closed by %s", cs->column, res->prior, now, who);
		if (strcmp(now, res->prior) != 0)
			csm_warn("host %lld (%s) was Disabled before csmaint and is '%s' now "
			    "(CloudStack changed it): disable it again if it must stay out of "
			    "service", host_id, res->host_name, now);
	} else if (!cs_valid_state(res->written) || !cs_valid_state(res->prior)) {
		rc = csm_err_set(CSM_ECONFLICT, "cannot %s host %lld (%s): operation %lld "
		    "recorded unexpected values '%s' -> '%s'", verb, host_id, res->host_name,
		    op_id, res->written, res->prior);
		goto out;
	} else if (strcmp(now, res->prior) != 0) {
		if (recover && (strcmp(now, res->written) == 0 || cloudstack_owns(cs, now))) {
			write = 0;
			detail = xasprintf("%s was already '%s' (%s); nothing written; closed by %s",
			    cs->column, now, strcmp(now, res->written) == 0 ? "CloudStack reset "
			    "it" : "CloudStack owns the column during maintenance", who);
		} else {
			rc = csm_err_set(CSM_ECONFLICT, "cannot %s host %lld (%s): %s is '%s', "
			    "expected '%s' as operation %lld wrote it; %s", verb, host_id,
			    res->host_name, cs->column, now, res->prior, op_id,
			    strcmp(now, res->written) == 0 ? "CloudStack re-enabled the host (it "
			    "resets allocation_state when a host reconnects); check it, then close "
			    "the operation with 'csmaint recover'" : "someone else changed it: "
			    "check the host in CloudStack before changing it");
			goto out;
		}
	}
	if (write) {
		snprintf(expect, sizeof(expect), "%s", res->prior);
		free(detail);
		detail = xasprintf("%s restored to '%s' by %s", cs->column, res->written, who);
	} else {
		/* The journal records the value seen: the locking read below checks it. */
		snprintf(expect, sizeof(expect), "%s", now);
		snprintf(res->prior, sizeof(res->prior), "%s", now);
		snprintf(res->written, sizeof(res->written), "%s", now);
	}
	if ((rc = run_begin(&r)) != CSM_OK)
		goto out;
	rc = run_write(&r, &n, 1, J_SQL_CLOSE_OP, "ssis", final_state, last_error, op_id, state);
	if (rc != CSM_OK)
		goto out;
	if (n != 1) {
		rc = csm_err_set(CSM_ECONFLICT, "cannot %s host %lld (%s): operation %lld is no "
		    "longer '%s' (another csmaint closed or took it meanwhile); nothing was "
		    "changed", verb, host_id, res->host_name, op_id, state);
		goto out;
	}
	rc = run_write(&r, &n, 1, J_SQL_INSERT_STEP, "isssi", op_id,
	    strcmp(final_state, "done") == 0 && recover ? "restore" : verb, "done", detail, op_id);
	if (rc != CSM_OK)
		goto out;
	if ((rc = host_last(&r, cs, host_id, verb, write ? res->written : NULL, expect,
	    res)) != CSM_OK)
		goto out;
	rc = run_commit(&r, &res->lock_ms);
	if (rc == CSM_OK && !dry && write)
		audit_log(res, cs->column);
out:
	if (!dry)
		db_rollback(db);
	gave_way(&r, rc, verb, res);
	db_res_free(row);
	db_res_free(op);
	free(detail);
	free(who);
	return rc;
}

int
toggle_enable(struct db *db, const struct cs *cs, long long host_id, struct dry *dry,
    struct toggle_result *res)
{
	return restore(db, cs, host_id, 0, 0, "done", NULL, dry, res);
}

int
toggle_recover(struct db *db, const struct cs *cs, long long op_id, struct dry *dry,
    struct toggle_result *res)
{
	return restore(db, cs, 0, op_id, 1, "rolled_back", NULL, dry, res);
}

int
toggle_release(struct db *db, const struct cs *cs, long long op_id, const char *final_state,
    const char *last_error, struct toggle_result *res)
{
	return restore(db, cs, 0, op_id, 1, final_state, last_error, NULL, res);
}

/*
 * While operation OP_ID owns the host: the step STEP (DETAIL), then the compare-and-set
 * FROM -> TO, in one transaction, and a syslog line.  VERB names it in messages.  *written is 0 when the
 * row no longer held FROM (nothing written, nothing journaled).
 */
static int
owned_cas(struct db *db, const struct cs *cs, long long host_id, long long op_id,
    const char *verb, const char *from, const char *to, const char *step,
    const char *detail, int *written)
{
	struct run r = { db, NULL, 0, 0 };
	struct toggle_result res;
	struct db_res *row = NULL;
	long long n;
	int rc;

	*written = 0;
	memset(&res, 0, sizeof(res));
	res.host_id = host_id;
	res.op_id = op_id;
	if ((rc = read_host(&r, host_id, verb, &row, &res)) != CSM_OK)
		goto out;
	if ((rc = run_begin(&r)) != CSM_OK)
		goto out;
	rc = run_write(&r, &n, 1, J_SQL_INSERT_STEP, "isssi", op_id, step, "done", detail,
	    op_id);
	if (rc != CSM_OK)
		goto out;
	/* The journal row first, the row lock last: held for one round trip. */
	rc = host_last(&r, cs, host_id, verb, to, from, &res);
	if (rc == CSM_ECONFLICT && !r.db_failed) {
		/* Changed again meanwhile: nothing written (the step goes too); the
		 * caller's next look sees the row as it is. */
		csm_err_clear();
		rc = CSM_OK;
		goto out;
	}
	if (rc == CSM_OK && (rc = run_commit(&r, &res.lock_ms)) == CSM_OK) {
		snprintf(res.prior, sizeof(res.prior), "%s", from);
		snprintf(res.written, sizeof(res.written), "%s", to);
		audit_log(&res, cs->column);
		*written = 1;
	}
out:
	db_rollback(db);	/* a no-op after COMMIT */
	gave_way(&r, rc, verb, &res);
	db_res_free(row);
	return rc;
}

int
toggle_reassert(struct db *db, const struct cs *cs, long long host_id, long long op_id)
{
	int written;

	return owned_cas(db, cs, host_id, op_id, "re-assert 'Disabled' on", "Enabled",
	    "Disabled", "reassert",
	    "CloudStack re-enabled the host; set Disabled again", &written);
}

int
toggle_handback(struct db *db, const struct cs *cs, long long host_id, long long op_id,
    int *written)
{
	return owned_cas(db, cs, host_id, op_id, "hand back for maintenance", "Disabled",
	    "Enabled", TOGGLE_STEP_HANDBACK,
	    "CloudStack 3.0+ refuses maintenance for a Disabled host: resource_state set "
	    "back to Enabled for the maintenance request", written);
}
