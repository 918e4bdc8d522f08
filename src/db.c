/* db.c: the only user of <mysql.h>: connect, prepared statements, transactions. */
#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csmaint.h"
#include "conf.h"
#include "db.h"

#define STMT_CACHE 32

struct cached {
	char		*sql;		/* expanded text, the cache key */
	MYSQL_STMT	*stmt;
};

struct db {
	const struct conf_db *conf;	/* for reconnects; outlives the handle */
	char		*password;	/* a private copy for reconnects, wiped on close */
	MYSQL		*my;
	char		*where;
	char		*schema;
	char		*journal_q;	/* `journal` */
	char		*journal;
	const char	*column;
	int		 in_tx;
	int		 lost;
	struct cached	 cache[STMT_CACHE];
	int		 ncache;
};

struct db_res {
	int		 rows, cols;
	char		**names;
	char		**cells;
};

static int
is_lost(unsigned int e)
{
	return e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST ||
	    e == CR_CONNECTION_ERROR || e == CR_CONN_HOST_ERROR
#ifdef CR_SERVER_LOST_EXTENDED
	    || e == CR_SERVER_LOST_EXTENDED
#endif
	    ;
}

/* Classify a server error and record it with context. */
static int
fail(struct db *db, unsigned int e, const char *msg, const char *what)
{
	if (is_lost(e)) {
		db->lost = 1;
		return csm_err_set(CSM_EFAIL, "lost connection to %s during %s: %s",
		    db->where, what, msg);
	}
	if (e == ER_LOCK_WAIT_TIMEOUT || e == ER_LOCK_DEADLOCK)
		return csm_err_set(CSM_ECONFLICT, "%s: %s (another session holds the row: "
		    "an operator or the CloudStack management server; try again)", what, msg);
	if (e == ER_TABLEACCESS_DENIED_ERROR || e == ER_COLUMNACCESS_DENIED_ERROR ||
	    e == ER_DBACCESS_DENIED_ERROR || e == ER_SPECIFIC_ACCESS_DENIED_ERROR)
		return csm_err_set(CSM_EUSAGE, "%s on %s: %s (see sql/grants.sql for the "
		    "privileges csmaint needs)", what, db->where, msg);
	return csm_err_set(CSM_EFAIL, "%s on %s: %s", what, db->where, msg);
}

/* Open the MySQL connection with the session settings (connect and reconnect). */
static int
open_conn(struct db *db)
{
	const struct conf_db *c = db->conf;
	unsigned int timeout = (unsigned int)c->connect_timeout;
	unsigned int rtimeout = (unsigned int)c->lock_wait_timeout + 60;
	long long dummy;
	int rc;

	db->my = mysql_init(NULL);
	if (db->my == NULL)
		return csm_err_set(CSM_EFAIL, "cannot initialise the MariaDB client");
	mysql_options(db->my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(db->my, MYSQL_OPT_READ_TIMEOUT, &rtimeout);
	mysql_options(db->my, MYSQL_OPT_WRITE_TIMEOUT, &rtimeout);
	mysql_options(db->my, MYSQL_SET_CHARSET_NAME, "utf8");
	/* READ COMMITTED: each read sees the latest committed row, as the management
	 * server's own short transactions do. */
	mysql_options(db->my, MYSQL_INIT_COMMAND,
	    "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
	if (c->defaults_file != NULL) {
		mysql_options(db->my, MYSQL_READ_DEFAULT_FILE, c->defaults_file);
		mysql_options(db->my, MYSQL_READ_DEFAULT_GROUP,
		    c->defaults_group ? c->defaults_group : "client");
	}
	if (mysql_real_connect(db->my, c->socket ? NULL : c->host, c->user, db->password,
	    c->name, c->socket ? 0 : (unsigned int)c->port, c->socket, 0) == NULL) {
		unsigned int e = mysql_errno(db->my);
		rc = e == ER_ACCESS_DENIED_ERROR || e == ER_DBACCESS_DENIED_ERROR ||
		    e == ER_BAD_DB_ERROR ? CSM_EUSAGE : CSM_EFAIL;
		csm_err_set(rc, "cannot connect to %s as '%s': %s", db->where,
		    c->user ? c->user : "(option file user)", mysql_error(db->my));
		mysql_close(db->my);
		db->my = NULL;
		return rc;
	}
	db->lost = 0;
	csm_debug("connected to %s, server %s", db->where, mysql_get_server_info(db->my));
	/* Lose lock contests with the management server instead of blocking it.  Old
	 * servers (5.1's built-in InnoDB) cannot set this per session: a warning. */
	rc = db_exec(db, &dummy, "SET SESSION innodb_lock_wait_timeout = ?", "i",
	    (long long)c->lock_wait_timeout);
	if (rc != CSM_OK) {
		if (db->lost)
			return rc;
		csm_warn("cannot set innodb_lock_wait_timeout for this session (%s); row "
		    "locks wait for the server default", csm_err_msg());
	}
	return CSM_OK;
}

int
db_connect(const struct conf_db *c, struct db **out)
{
	struct db *db;
	int rc;

	*out = NULL;
	db = xcalloc(1, sizeof(*db));
	db->conf = c;
	db->password = c->password ? xstrdup(c->password) : NULL;
	db->schema = xstrdup(c->name);
	db->journal = xstrdup(c->journal);
	db->journal_q = xasprintf("`%s`", c->journal);
	db->column = "allocation_state";
	if (c->socket != NULL)
		db->where = xasprintf("MariaDB at %s", c->socket);
	else
		db->where = xasprintf("MariaDB at %s:%d", c->host ? c->host : "localhost",
		    c->port ? c->port : 3306);
	if ((rc = open_conn(db)) != CSM_OK) {
		db_close(db);
		return rc;
	}
	*out = db;
	return CSM_OK;
}

static void
drop_cache(struct db *db)
{
	int i;

	for (i = 0; i < db->ncache; i++) {
		mysql_stmt_close(db->cache[i].stmt);
		free(db->cache[i].sql);
	}
	db->ncache = 0;
}

int
db_reconnect(struct db *db)
{
	drop_cache(db);
	if (db->my != NULL)
		mysql_close(db->my);
	db->my = NULL;
	db->in_tx = 0;
	db->lost = 1;
	return open_conn(db);
}

int
db_get_lock(struct db *db, const char *name, int wait, int *got)
{
	struct db_res *r = NULL;
	int rc;

	*got = 0;
	if ((rc = db_query(db, &r, "SELECT GET_LOCK(?, ?)", "si", name, (long long)wait)) !=
	    CSM_OK)
		return rc;
	*got = db_get_int(r, 0, 0, 0) == 1;
	db_res_free(r);
	return CSM_OK;
}

int
db_lock_holder(struct db *db, const char *name, long long *conn_id)
{
	struct db_res *r = NULL;
	int rc;

	*conn_id = 0;
	if ((rc = db_query(db, &r, "SELECT IS_USED_LOCK(?)", "s", name)) != CSM_OK)
		return rc;
	*conn_id = db_get_int(r, 0, 0, 0);
	db_res_free(r);
	return CSM_OK;
}

int
db_release_lock(struct db *db, const char *name)
{
	struct db_res *r = NULL;
	int rc = db_query(db, &r, "SELECT RELEASE_LOCK(?)", "s", name);

	db_res_free(r);
	return rc;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	drop_cache(db);
	if (db->my != NULL)
		mysql_close(db->my);
	if (db->password != NULL) {
		csm_explicit_bzero(db->password, strlen(db->password));
		free(db->password);
	}
	free(db->where);
	free(db->schema);
	free(db->journal);
	free(db->journal_q);
	free(db);
}

const char *
db_where(const struct db *db)
{
	return db->where;
}

const char *
db_schema(const struct db *db)
{
	return db->schema;
}

const char *
db_journal(const struct db *db)
{
	return db->journal;
}

unsigned long
db_server_version(const struct db *db)
{
	return mysql_get_server_version(db->my);
}

void
db_set_column(struct db *db, const char *column)
{
	db->column = strcmp(column, "resource_state") == 0 ? "resource_state" :
	    "allocation_state";
}

int
db_lost(const struct db *db)
{
	return db->lost;
}

int
db_in_transaction(const struct db *db)
{
	return db->in_tx;
}

long long
db_insert_id(const struct db *db)
{
	return (long long)mysql_insert_id(db->my);
}

char *
db_expand(const struct db *db, const char *sql)
{
	size_t cap = strlen(sql) + 128, len = 0;
	char *out = xmalloc(cap);
	const char *p;

	for (p = sql; *p; p++) {
		const char *rep = NULL;
		size_t rl;

		if (p[0] == '{' && p[1] == 'J' && p[2] == '}')
			rep = db->journal_q;
		else if (p[0] == '{' && p[1] == 'C' && p[2] == '}')
			rep = db->column;
		else if (p[0] == '{' && p[1] == 'U' && p[2] == '}')
			rep = strcmp(db->column, "resource_state") == 0 ? "uuid" : "guid";
		rl = rep ? strlen(rep) : 1;
		if (len + rl + 1 > cap) {
			cap = (len + rl + 1) * 2;
			out = xrealloc(out, cap);
		}
		if (rep) {
			memcpy(out + len, rep, rl);
			p += 2;
		} else {
			out[len] = *p;
		}
		len += rl;
	}
	out[len] = '\0';
	return out;
}

static MYSQL_STMT *
prepare(struct db *db, const char *sql, int *rc)
{
	char *text = db_expand(db, sql);
	MYSQL_STMT *st;
	int i;

	for (i = 0; i < db->ncache; i++) {
		if (strcmp(db->cache[i].sql, text) == 0) {
			free(text);
			return db->cache[i].stmt;
		}
	}
	st = mysql_stmt_init(db->my);
	if (st == NULL) {
		*rc = fail(db, mysql_errno(db->my), mysql_error(db->my), "preparing a statement");
		free(text);
		return NULL;
	}
	if (mysql_stmt_prepare(st, text, strlen(text)) != 0) {
		*rc = fail(db, mysql_stmt_errno(st), mysql_stmt_error(st),
		    "preparing a statement");
		csm_debug("statement: %s", text);
		mysql_stmt_close(st);
		free(text);
		return NULL;
	}
	if (db->ncache == STMT_CACHE) {
		mysql_stmt_close(db->cache[0].stmt);
		free(db->cache[0].sql);
		memmove(db->cache, db->cache + 1, sizeof(db->cache[0]) * (STMT_CACHE - 1));
		db->ncache--;
	}
	db->cache[db->ncache].sql = text;
	db->cache[db->ncache].stmt = st;
	db->ncache++;
	return st;
}

static void
res_free_partial(struct db_res *r, int ncells)
{
	int i;

	for (i = 0; i < ncells; i++)
		free(r->cells[i]);
	for (i = 0; i < r->cols; i++)
		free(r->names[i]);
	free(r->cells);
	free(r->names);
	free(r);
}

/* Fetch every row as text; numbers come back in their decimal form. */
static int
fetch_all(struct db *db, MYSQL_STMT *st, MYSQL_RES *meta, struct db_res **out)
{
	struct db_res *r = xcalloc(1, sizeof(*r));
	MYSQL_FIELD *f;
	MYSQL_BIND *b;
	unsigned long *lens;
	my_bool *nulls;
	size_t cap = 0;
	int c, rc, n = 0;

	r->cols = (int)mysql_num_fields(meta);
	f = mysql_fetch_fields(meta);
	r->names = xcalloc((size_t)r->cols, sizeof(char *));
	b = xcalloc((size_t)r->cols, sizeof(*b));
	lens = xcalloc((size_t)r->cols, sizeof(*lens));
	nulls = xcalloc((size_t)r->cols, sizeof(*nulls));
	for (c = 0; c < r->cols; c++) {
		unsigned long len = f[c].max_length + 1;
		r->names[c] = xstrdup(f[c].name);
		b[c].buffer_type = MYSQL_TYPE_STRING;
		b[c].buffer = xmalloc(len);
		b[c].buffer_length = len;
		b[c].length = &lens[c];
		b[c].is_null = &nulls[c];
	}
	if (mysql_stmt_bind_result(st, b) != 0) {
		rc = fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), "reading results");
		goto out;
	}
	for (;;) {
		int st_rc = mysql_stmt_fetch(st);
		if (st_rc == MYSQL_NO_DATA)
			break;
		if (st_rc == 1) {
			rc = fail(db, mysql_stmt_errno(st), mysql_stmt_error(st),
			    "reading results");
			goto out;
		}
		if ((size_t)(n + r->cols) > cap) {
			cap = cap ? cap * 2 : (size_t)r->cols * 16;
			r->cells = xrealloc(r->cells, cap * sizeof(char *));
		}
		for (c = 0; c < r->cols; c++)
			r->cells[n + c] = nulls[c] ? NULL :
			    xstrndup(b[c].buffer, lens[c]);
		n += r->cols;
		r->rows++;
	}
	rc = CSM_OK;
out:
	for (c = 0; c < r->cols; c++)
		free(b[c].buffer);
	free(b);
	free(lens);
	free(nulls);
	if (rc != CSM_OK) {
		res_free_partial(r, n);
		return rc;
	}
	*out = r;
	return CSM_OK;
}

int
db_vquery(struct db *db, struct db_res **out, long long *affected, const char *sql,
    const char *types, va_list ap)
{
	size_t np = strlen(types), i;
	MYSQL_STMT *st;
	MYSQL_BIND *pb = NULL;
	long long *ints = NULL;
	unsigned long *lens = NULL;
	MYSQL_RES *meta = NULL;
	int rc = CSM_OK;
	double t0 = csm_now();

	if (out)
		*out = NULL;
	if (db->lost)
		return csm_err_set(CSM_EFAIL, "the connection to %s was lost", db->where);
	if ((st = prepare(db, sql, &rc)) == NULL)
		return rc;
	if (mysql_stmt_param_count(st) != np) {
		csm_err_set(CSM_EFAIL, "internal error: statement takes %lu values, %zu given",
		    mysql_stmt_param_count(st), np);
		return CSM_EFAIL;
	}
	if (np > 0) {
		pb = xcalloc(np, sizeof(*pb));
		ints = xcalloc(np, sizeof(*ints));
		lens = xcalloc(np, sizeof(*lens));
		for (i = 0; i < np; i++) {
			if (types[i] == 'i') {
				ints[i] = va_arg(ap, long long);
				pb[i].buffer_type = MYSQL_TYPE_LONGLONG;
				pb[i].buffer = &ints[i];
			} else {
				const char *s = va_arg(ap, const char *);
				if (s == NULL) {
					pb[i].buffer_type = MYSQL_TYPE_NULL;
				} else {
					lens[i] = strlen(s);
					pb[i].buffer_type = MYSQL_TYPE_STRING;
					pb[i].buffer = (void *)(uintptr_t)s;
					pb[i].buffer_length = lens[i];
					pb[i].length = &lens[i];
				}
			}
		}
		if (mysql_stmt_bind_param(st, pb) != 0) {
			rc = fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), "binding values");
			goto out;
		}
	}
	if (mysql_stmt_execute(st) != 0) {
		rc = fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), "running a statement");
		goto out;
	}
	meta = mysql_stmt_result_metadata(st);
	if (meta != NULL) {
		my_bool on = 1;
		mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &on);
		if (mysql_stmt_store_result(st) != 0) {
			rc = fail(db, mysql_stmt_errno(st), mysql_stmt_error(st),
			    "reading results");
			goto out;
		}
		/* Field max_length is known only after store_result. */
		mysql_free_result(meta);
		meta = mysql_stmt_result_metadata(st);
		if (out != NULL)
			rc = fetch_all(db, st, meta, out);
		mysql_stmt_free_result(st);
	} else if (affected != NULL) {
		*affected = (long long)mysql_stmt_affected_rows(st);
	}
	if (csm_verbose >= 2) {
		char *txt = db_expand(db, sql);
		csm_debug("%.3f ms: %s", (csm_now() - t0) * 1e3, txt);
		free(txt);
	}
out:
	if (meta != NULL)
		mysql_free_result(meta);
	free(pb);
	free(ints);
	free(lens);
	return rc;
}

int
db_prepare(struct db *db, const char *sql)
{
	int rc = CSM_OK;

	return prepare(db, sql, &rc) != NULL ? CSM_OK : rc;
}

int
db_query(struct db *db, struct db_res **out, const char *sql, const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = db_vquery(db, out, NULL, sql, types, ap);
	va_end(ap);
	return rc;
}

int
db_exec(struct db *db, long long *affected, const char *sql, const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = db_vquery(db, NULL, affected, sql, types, ap);
	va_end(ap);
	return rc;
}

int
db_static(struct db *db, const char *sql)
{
	char *text = db_expand(db, sql);
	MYSQL_RES *r;
	int rc = CSM_OK;

	if (db->lost) {
		free(text);
		return csm_err_set(CSM_EFAIL, "the connection to %s was lost", db->where);
	}
	if (mysql_real_query(db->my, text, strlen(text)) != 0)
		rc = fail(db, mysql_errno(db->my), mysql_error(db->my), text);
	else if ((r = mysql_store_result(db->my)) != NULL)
		mysql_free_result(r);
	csm_debug("%s", text);
	free(text);
	return rc;
}

int
db_begin(struct db *db)
{
	int rc = db_static(db, "START TRANSACTION");

	if (rc == CSM_OK)
		db->in_tx = 1;
	return rc;
}

int
db_commit(struct db *db)
{
	int rc = db_static(db, "COMMIT");

	db->in_tx = 0;
	if (rc != CSM_OK && db->lost)
		csm_err_prefix("the outcome of COMMIT is unknown");
	return rc;
}

/* Roll back; a lost connection means the server already rolled back. */
int
db_rollback(struct db *db)
{
	int rc;

	if (!db->in_tx)
		return CSM_OK;
	db->in_tx = 0;
	if (db->lost)
		return CSM_OK;
	rc = mysql_rollback(db->my) == 0 ? CSM_OK : CSM_EFAIL;
	csm_debug("ROLLBACK");
	return rc;
}

static void
append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*buf = xrealloc(*buf, *cap);
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

/* Show a value as a SQL literal, for display only: executed SQL always binds values. */
static void
append_literal(char **buf, size_t *len, size_t *cap, const char *s)
{
	const char *p;

	append(buf, len, cap, "'", 1);
	for (p = s; *p; p++) {
		if (*p == '\'')
			append(buf, len, cap, "'", 1);
		else if (*p == '\\')
			append(buf, len, cap, "\\", 1);
		append(buf, len, cap, p, 1);
	}
	append(buf, len, cap, "'", 1);
}

char *
db_vrender(const struct db *db, const char *sql, const char *types, va_list ap)
{
	char *text = db_expand(db, sql), *buf = NULL;
	size_t cap = 0, len = 0, t = 0;
	const char *p;

	append(&buf, &len, &cap, "", 0);
	for (p = text; *p; p++) {
		if (*p == '?' && types[t] != '\0') {
			if (types[t++] == 'i') {
				char num[32];
				snprintf(num, sizeof(num), "%lld", va_arg(ap, long long));
				append(&buf, &len, &cap, num, strlen(num));
			} else {
				const char *v = va_arg(ap, const char *);
				if (v == NULL)
					append(&buf, &len, &cap, "NULL", 4);
				else
					append_literal(&buf, &len, &cap, v);
			}
		} else {
			append(&buf, &len, &cap, p, 1);
		}
	}
	free(text);
	return buf;
}

char *
db_render(const struct db *db, const char *sql, const char *types, ...)
{
	va_list ap;
	char *s;

	va_start(ap, types);
	s = db_vrender(db, sql, types, ap);
	va_end(ap);
	return s;
}

int
db_res_rows(const struct db_res *r)
{
	return r ? r->rows : 0;
}

int
db_res_cols(const struct db_res *r)
{
	return r ? r->cols : 0;
}

const char *
db_res_name(const struct db_res *r, int col)
{
	return r->names[col];
}

const char *
db_get(const struct db_res *r, int row, int col)
{
	if (r == NULL || row < 0 || row >= r->rows || col < 0 || col >= r->cols)
		return NULL;
	return r->cells[(size_t)row * (size_t)r->cols + (size_t)col];
}

long long
db_get_int(const struct db_res *r, int row, int col, long long null_value)
{
	const char *s = db_get(r, row, col);

	return s ? strtoll(s, NULL, 10) : null_value;
}

void
db_res_free(struct db_res *r)
{
	if (r == NULL)
		return;
	res_free_partial(r, r->rows * r->cols);
}
