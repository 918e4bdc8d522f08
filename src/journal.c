/* journal.c: the csmaint journal schema: install, read operations and steps. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csmaint.h"
#include "db.h"
#include "journal.h"
#include "sbuf.h"

extern const char journal_sql[];	/* sql/journal.sql, embedded at build time */
extern const char journal_upgrade_2_sql[];	/* sql/journal-upgrade-2.sql */

static const char SQL_HAS_SCHEMA[] =
	"SELECT COUNT(*) FROM information_schema.TABLES"
	" WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN ('meta', 'operation', 'operation_step')";
static const char SQL_VERSION[] =
	"SELECT value FROM {J}.meta WHERE name = 'schema_version'";

/* A running operation whose process died (its lock is free) shows as interrupted. */
#define OP_COLS \
	"SELECT id, kind, host_id, host_name, cluster_id, column_name, prior_value," \
	" new_value, " J_SQL_STATE_NOW("") ", operator, pid," \
	" DATE_FORMAT(started, '%Y-%m-%dT%H:%i:%sZ'), DATE_FORMAT(updated, '%Y-%m-%dT%H:%i:%sZ')," \
	" DATE_FORMAT(finished, '%Y-%m-%dT%H:%i:%sZ'), reason, last_error, arguments," \
	" parent_id FROM {J}.operation"

static const char SQL_OP_GET[] = OP_COLS " WHERE id = ?";
static const char SQL_OP_LIST[] = OP_COLS
	" WHERE cloud_schema = ? AND (? < 0 OR host_id = ?) ORDER BY id DESC LIMIT ?";
static const char SQL_CHILDREN[] = OP_COLS " WHERE id = ? OR parent_id = ? ORDER BY id";
static const char SQL_STEPS[] =
	"SELECT seq, name, state, DATE_FORMAT(started, '%Y-%m-%dT%H:%i:%sZ'),"
	" DATE_FORMAT(finished, '%Y-%m-%dT%H:%i:%sZ'), detail"
	" FROM {J}.operation_step WHERE operation_id = ? ORDER BY seq";
static const char SQL_OPEN_OPS[] =
	"SELECT open_host, id, kind, state FROM {J}.operation"
	" WHERE cloud_schema = ? AND open_host IS NOT NULL";

const char J_SQL_OPEN_OP[] =
	"SELECT id, kind, state, operator, DATE_FORMAT(started, '%Y-%m-%dT%H:%i:%sZ'),"
	" prior_value, new_value FROM {J}.operation"
	" WHERE cloud_schema = ? AND open_host = ?";
const char J_SQL_INSERT_OP[] =
	"INSERT INTO {J}.operation (kind, cloud_schema, host_id, host_name, cluster_id,"
	" column_name, prior_value, new_value, state, open_host, operator, pid, started,"
	" updated, arguments, reason, parent_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	" UTC_TIMESTAMP(), UTC_TIMESTAMP(), ?, ?, NULLIF(?, 0))";
const char J_SQL_INSERT_STEP_LAST[] =
	"INSERT INTO {J}.operation_step (operation_id, seq, name, state, started, finished,"
	" detail) VALUES (LAST_INSERT_ID(), 1, ?, ?, UTC_TIMESTAMP(), UTC_TIMESTAMP(), ?)";
const char J_SQL_INSERT_STEP[] =
	"INSERT INTO {J}.operation_step (operation_id, seq, name, state, started, finished,"
	" detail) SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, UTC_TIMESTAMP(), UTC_TIMESTAMP(), ?"
	" FROM {J}.operation_step WHERE operation_id = ?";
const char J_SQL_CLOSE_OP[] =
	"UPDATE {J}.operation SET state = ?, open_host = NULL, updated = UTC_TIMESTAMP(),"
	" finished = UTC_TIMESTAMP(), last_error = COALESCE(?, last_error)"
	" WHERE id = ? AND state = ?";

int
journal_status(struct db *db, int *installed, int *version)
{
	struct db_res *r = NULL;
	int rc;

	*installed = 0;
	*version = 0;
	if ((rc = db_query(db, &r, SQL_HAS_SCHEMA, "s", db_journal(db))) != CSM_OK)
		return rc;
	*installed = db_get_int(r, 0, 0, 0) == 3;
	db_res_free(r);
	if (!*installed)
		return CSM_OK;
	if ((rc = db_query(db, &r, SQL_VERSION, "")) != CSM_OK)
		return rc;
	*version = (int)db_get_int(r, 0, 0, 0);
	db_res_free(r);
	return CSM_OK;
}

/* Split embedded DDL into statements, with the configured schema name. */
static char **
split_ddl(const struct db *db, const char *sql, int *n)
{
	char **out = NULL, *text, *p, *stmt;
	const char *from = "`csmaint`";
	char *to = xasprintf("`%s`", db_journal(db));
	size_t cap = strlen(sql) * 2 + 1, len = 0;
	const char *s;

	/* Replace the schema name, and drop comment lines. */
	text = xmalloc(cap + strlen(to) * 64);
	for (s = sql; *s; ) {
		if ((s == sql || s[-1] == '\n') && s[0] == '-' && s[1] == '-') {
			while (*s && *s != '\n')
				s++;
			if (*s)
				s++;
			continue;
		}
		if (strncmp(s, from, strlen(from)) == 0) {
			memcpy(text + len, to, strlen(to));
			len += strlen(to);
			s += strlen(from);
			continue;
		}
		text[len++] = *s++;
	}
	text[len] = '\0';
	*n = 0;
	for (p = text; (stmt = strsep(&p, ";")) != NULL; ) {
		while (*stmt == '\n' || *stmt == ' ')
			stmt++;
		if (*stmt == '\0')
			continue;
		out = xrealloc(out, sizeof(char *) * (size_t)(*n + 1));
		out[(*n)++] = xstrdup(stmt);
	}
	free(text);
	free(to);
	return out;
}

char **
journal_ddl(const struct db *db, int from_version, int *n)
{
	/* Version 1 is upgraded in place; anything else gets the whole schema (idempotent). */
	return split_ddl(db, from_version == 1 ? journal_upgrade_2_sql : journal_sql, n);
}

void
journal_ddl_free(char **stmts, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(stmts[i]);
	free(stmts);
}

int
journal_install(struct db *db, int *from_version)
{
	int installed, version, rc, i, n;
	char **ddl;

	if ((rc = journal_status(db, &installed, &version)) != CSM_OK)
		return rc;
	*from_version = installed ? version : 0;
	if (installed && version > JOURNAL_VERSION)
		return csm_err_set(CSM_ECONFLICT, "journal schema '%s' is at version %d, newer "
		    "than this csmaint (%d): upgrade csmaint", db_journal(db), version,
		    JOURNAL_VERSION);
	if (installed && version == JOURNAL_VERSION)
		return CSM_OK;
	ddl = journal_ddl(db, installed ? version : 0, &n);
	for (i = 0; i < n; i++) {
		if ((rc = db_static(db, ddl[i])) != CSM_OK)
			break;
	}
	journal_ddl_free(ddl, n);
	if (rc != CSM_OK)
		csm_err_prefix("cannot install the journal schema '%s'", db_journal(db));
	return rc;
}

int
journal_op_get(struct db *db, long long id, struct db_res **out)
{
	int rc = db_query(db, out, SQL_OP_GET, "i", id);

	if (rc == CSM_OK && db_res_rows(*out) == 0) {
		db_res_free(*out);
		*out = NULL;
		return csm_err_set(CSM_ENOTFOUND, "no operation %lld in journal '%s'", id,
		    db_journal(db));
	}
	return rc;
}

int
journal_op_steps(struct db *db, long long id, struct db_res **out)
{
	return db_query(db, out, SQL_STEPS, "i", id);
}

int
journal_op_list(struct db *db, long long host_id, long long limit, struct db_res **out)
{
	return db_query(db, out, SQL_OP_LIST, "siii", db_schema(db), host_id, host_id,
	    limit > 0 ? limit : (long long)INT64_MAX);
}

int
journal_open_ops(struct db *db, struct db_res **out)
{
	return db_query(db, out, SQL_OPEN_OPS, "s", db_schema(db));
}

static const char SQL_STEP_START[] =
	"INSERT INTO {J}.operation_step (operation_id, seq, name, state, started, detail)"
	" SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, 'running', UTC_TIMESTAMP(), ?"
	" FROM {J}.operation_step WHERE operation_id = ?";
static const char SQL_STEP_SEQ[] =
	"SELECT MAX(seq) FROM {J}.operation_step WHERE operation_id = ?";
static const char SQL_STEP_FINISH[] =
	"UPDATE {J}.operation_step SET state = ?, finished = UTC_TIMESTAMP(),"
	" detail = COALESCE(?, detail) WHERE operation_id = ? AND seq = ?";
static const char SQL_OP_TOUCH[] =
	"UPDATE {J}.operation SET updated = UTC_TIMESTAMP(), pid = ?, operator = ?,"
	" state = 'running' WHERE id = ? AND (open_host IS NOT NULL OR open_cluster IS NOT NULL)";
static const char SQL_OP_FAIL[] =
	"UPDATE {J}.operation SET state = 'failed', last_error = ?, updated = UTC_TIMESTAMP()"
	" WHERE id = ?";
static const char SQL_OP_RAW[] =
	"SELECT id, kind, state, host_id, arguments, open_host, prior_value, new_value,"
	" parent_id, cluster_id, open_cluster FROM {J}.operation"
	" WHERE id = ? AND cloud_schema = ?";
static const char SQL_POOL_OPEN[] =
	"INSERT INTO {J}.operation (kind, cloud_schema, host_id, host_name, cluster_id,"
	" column_name, state, open_cluster, operator, pid, started, updated, arguments,"
	" reason) VALUES ('rolling', ?, NULL, ?, ?, ?, 'running', ?, ?, ?, UTC_TIMESTAMP(),"
	" UTC_TIMESTAMP(), ?, ?)";
static const char SQL_POOL_CLOSE[] =
	"UPDATE {J}.operation SET state = ?, open_cluster = NULL, updated = UTC_TIMESTAMP(),"
	" finished = UTC_TIMESTAMP(), last_error = CASE WHEN state = 'done' THEN NULL"
	" ELSE COALESCE(?, last_error) END WHERE id = ? AND open_cluster IS NOT NULL";
static const char SQL_POOL_HELD[] =
	"SELECT id, kind, state, operator, DATE_FORMAT(started, '%Y-%m-%dT%H:%i:%sZ'),"
	" prior_value, new_value FROM {J}.operation"
	" WHERE cloud_schema = ? AND open_cluster = ?";

void
journal_lock_name(const char *schema, long long host_id, char *buf, size_t len)
{
	snprintf(buf, len, J_LOCK_PREFIX "%s.%lld", schema, host_id);
}

void
journal_cluster_lock_name(const char *schema, long long cluster_id, char *buf, size_t len)
{
	snprintf(buf, len, J_LOCK_PREFIX "%s" J_LOCK_CLUSTER "%lld", schema, cluster_id);
}

int
journal_step_start(struct db *db, long long op, const char *name, const char *detail,
    long long *seq)
{
	struct db_res *r = NULL;
	long long n;
	int rc;

	if ((rc = db_exec(db, &n, SQL_STEP_START, "issi", op, name, detail, op)) != CSM_OK)
		return rc;
	if ((rc = db_query(db, &r, SQL_STEP_SEQ, "i", op)) != CSM_OK)
		return rc;
	*seq = db_get_int(r, 0, 0, 0);
	db_res_free(r);
	return CSM_OK;
}

int
journal_step_finish(struct db *db, long long op, long long seq, const char *state,
    const char *detail)
{
	long long n;

	return db_exec(db, &n, SQL_STEP_FINISH, "ssii", state, detail, op, seq);
}

int
journal_op_touch(struct db *db, long long op, long long pid, const char *who)
{
	long long n;

	return db_exec(db, &n, SQL_OP_TOUCH, "isi", pid, who, op);
}

int
journal_op_fail(struct db *db, long long op, const char *error)
{
	long long n;

	return db_exec(db, &n, SQL_OP_FAIL, "si", error, op);
}

int
journal_pool_open(struct db *db, long long cluster_id, const char *cluster_name,
    const char *column, const char *arguments, const char *reason, long long *op)
{
	struct db_res *r = NULL;
	char *who = csm_operator_name();
	long long n;
	int rc;

	*op = 0;
	rc = db_exec(db, &n, SQL_POOL_OPEN, "ssisisiss", db_schema(db), cluster_name,
	    cluster_id, column, cluster_id, who, (long long)getpid(), arguments, reason);
	free(who);
	if (rc != CSM_OK)
		return rc;
	if ((rc = db_query(db, &r, "SELECT LAST_INSERT_ID()", "")) != CSM_OK)
		return rc;
	*op = db_get_int(r, 0, 0, 0);
	db_res_free(r);
	return CSM_OK;
}

int
journal_pool_close(struct db *db, long long op, const char *state, const char *error)
{
	long long n;

	return db_exec(db, &n, SQL_POOL_CLOSE, "ssi", state, error, op);
}

int
journal_pool_open_op(struct db *db, long long cluster_id, struct db_res **out)
{
	return db_query(db, out, SQL_POOL_HELD, "si", db_schema(db), cluster_id);
}

int
journal_cluster_held(struct db *db, long long cluster_id, char *why, size_t len)
{
	struct db_res *r = NULL;
	char lock[160];
	int rc;

	why[0] = '\0';
	if ((rc = journal_pool_open_op(db, cluster_id, &r)) != CSM_OK)
		return rc;
	if (db_res_rows(r) > 0)
		snprintf(why, len, "rolling operation %s (%s, by %s since %s) holds its cluster "
		    "%lld: resume or recover it first", db_get(r, 0, J_HELD_ID),
		    db_get(r, 0, J_HELD_STATE), db_get(r, 0, J_HELD_OPERATOR),
		    db_get(r, 0, J_HELD_STARTED), cluster_id);
	db_res_free(r);
	if (why[0] != '\0')
		return CSM_OK;
	journal_cluster_lock_name(db_schema(db), cluster_id, lock, sizeof(lock));
	if ((rc = db_query(db, &r, "SELECT IS_USED_LOCK(?) <=> CONNECTION_ID(),"
	    " IS_USED_LOCK(?)", "ss", lock, lock)) != CSM_OK)
		return rc;
	if (db_get(r, 0, 1) != NULL && db_get_int(r, 0, 0, 0) == 0)
		snprintf(why, len, "a rolling run on its cluster %lld is starting (database "
		    "connection %s holds the cluster's lock)", cluster_id, db_get(r, 0, 1));
	db_res_free(r);
	return CSM_OK;
}

int
journal_children(struct db *db, long long parent, struct db_res **out)
{
	return db_query(db, out, SQL_CHILDREN, "ii", parent, parent);
}

int
journal_op_raw(struct db *db, long long op, struct db_res **out)
{
	int rc = db_query(db, out, SQL_OP_RAW, "is", op, db_schema(db));

	if (rc == CSM_OK && db_res_rows(*out) == 0) {
		db_res_free(*out);
		*out = NULL;
		return csm_err_set(CSM_ENOTFOUND, "no operation %lld for CloudStack schema '%s' "
		    "in journal '%s'", op, db_schema(db), db_journal(db));
	}
	return rc;
}

char *
journal_args(const char *key, const char *value, const char *catalog, char *const *files,
    int nfiles)
{
	struct sbuf b = SBUF_INIT;
	char path[PATH_MAX];
	int i;

	sbuf_printf(&b, "%s=%s\n", key, value);
	for (i = -1; i < nfiles; i++) {
		const char *f = i < 0 ? catalog : files[i];

		if (f == NULL)
			continue;
		if (realpath(f, path) == NULL)
			snprintf(path, sizeof(path), "%s", f);
		sbuf_printf(&b, "%s=%s\n", i < 0 ? "catalog" : "file", path);
	}
	return sbuf_take(&b);
}

void
journal_args_parse(const char *text, const char *key, struct journal_args *a)
{
	char *copy = xstrdup(text ? text : ""), *line, *save = NULL;
	size_t kl = strlen(key);

	memset(a, 0, sizeof(*a));
	a->files = xcalloc(1, sizeof(*a->files));
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, key, kl) == 0 && line[kl] == '=') {
			free(a->value);
			a->value = xstrdup(line + kl + 1);
		} else if (strncmp(line, "catalog=", 8) == 0) {
			free(a->catalog);
			a->catalog = xstrdup(line + 8);
		} else if (strncmp(line, "file=", 5) == 0) {
			a->files = xrealloc(a->files, sizeof(char *) * (size_t)(a->nfiles + 2));
			a->files[a->nfiles++] = xstrdup(line + 5);
			a->files[a->nfiles] = NULL;
		}
	}
	free(copy);
}

void
journal_args_free(struct journal_args *a)
{
	int i;

	for (i = 0; i < a->nfiles; i++)
		free(a->files[i]);
	free(a->files);
	free(a->value);
	free(a->catalog);
	memset(a, 0, sizeof(*a));
}
