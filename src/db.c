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
#include "sbuf.h"

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
	int		 mdl_timeout;	/* lock_wait_timeout is set: metadata waits are short */
	int		 tx_wait_ok;	/* the session's wait_timeout can be set */
	int		 probing;	/* diagnosing a lock wait: no nested diagnosis */
	int		 dup_key;	/* the last failure was a duplicate unique key */
	struct cached	 cache[STMT_CACHE];
	int		 ncache;
};

struct db_res {
	int		 rows, cols;
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

static int db_tables_locked(struct db *db, char *buf, size_t len);
static int db_read_locked(struct db *db);

/*
 * A lock wait timed out.  The server's text is the same for a row lock, a table lock
 * (LOCK TABLES) and the global read lock of a backup (FLUSH TABLES WITH READ LOCK), so
 * look which one it was: the tables in use under LOCK TABLES, else a probe that needs
 * only the global read lock.  Every case is csmaint giving way: CSM_ECONFLICT, and
 * the open transaction is rolled back here.
 */
static int
lock_conflict(struct db *db, unsigned int e, const char *msg, const char *what)
{
	char tables[256];

#define SERVER "%s while %s on %s"
#define SERVER_ARGS msg, what, db->where
	if (e == ER_CANT_UPDATE_WITH_READLOCK)
		return csm_err_set(CSM_ECONFLICT, "the database is locked for writing (FLUSH "
		    "TABLES WITH READ LOCK, a backup?): giving way (" SERVER ")", SERVER_ARGS);
	if (e == ER_LOCK_DEADLOCK)
		return csm_err_set(CSM_ECONFLICT, "another session wanted the same rows at the "
		    "same moment (an operator or the CloudStack management server): giving way; "
		    "try again (" SERVER ")", SERVER_ARGS);
	if (!db->probing && !db->lost && db->mdl_timeout) {
		/* The transaction cannot go on: end it first, so csmaint holds nothing
		 * while it looks (and its own open tables do not count). */
		db->probing = 1;
		db_rollback(db);
		if (db_tables_locked(db, tables, sizeof(tables)) > 0) {
			db->probing = 0;
			return csm_err_set(CSM_ECONFLICT, "another session holds a table lock on "
			    "%s (LOCK TABLES): giving way (" SERVER ")", tables, SERVER_ARGS);
		}
		if (db_read_locked(db) > 0) {
			db->probing = 0;
			return csm_err_set(CSM_ECONFLICT, "the database is locked for writing "
			    "(FLUSH TABLES WITH READ LOCK, a backup?): giving way (" SERVER ")",
			    SERVER_ARGS);
		}
		db->probing = 0;
	}
	return csm_err_set(CSM_ECONFLICT, "another session holds the row (an operator or the "
	    "CloudStack management server): giving way; try again (" SERVER ")", SERVER_ARGS);
}
#undef SERVER
#undef SERVER_ARGS

/* Classify a server error and record it with context. */
static int
fail(struct db *db, unsigned int e, const char *msg, const char *what)
{
	char copy[512];

	db->dup_key = e == ER_DUP_ENTRY;
	if (is_lost(e)) {
		db->lost = 1;
		return csm_err_set(CSM_EFAIL, "lost connection to %s during %s: %s",
		    db->where, what, msg);
	}
	if (e == ER_LOCK_WAIT_TIMEOUT || e == ER_LOCK_DEADLOCK ||
	    e == ER_CANT_UPDATE_WITH_READLOCK) {
		/* The probes overwrite the handle's error text: keep the server's. */
		snprintf(copy, sizeof(copy), "%s", msg);
		return lock_conflict(db, e, copy, what);
	}
	if (e == ER_DUP_ENTRY)
		return csm_err_set(CSM_ECONFLICT, "%s on %s: %s (another session wrote the same "
		    "row first)", what, db->where, msg);
	if (e == ER_TABLEACCESS_DENIED_ERROR || e == ER_COLUMNACCESS_DENIED_ERROR ||
	    e == ER_DBACCESS_DENIED_ERROR || e == ER_SPECIFIC_ACCESS_DENIED_ERROR)
		return csm_err_set(CSM_EUSAGE, "%s on %s: %s (see sql/grants.sql for the "
		    "privileges csmaint needs)", what, db->where, msg);
	return csm_err_set(CSM_EFAIL, "%s on %s: %s", what, db->where, msg);
}

/*
 * The session's timeouts, from database.lock_wait_timeout (L):
 *  - innodb_lock_wait_timeout = L (row locks) and lock_wait_timeout = L (metadata
 *    locks: LOCK TABLES, FLUSH TABLES WITH READ LOCK; the server default is a day or
 *    a year): csmaint gives way instead of queueing in front of CloudStack;
 *  - net_read_timeout = net_write_timeout = DB_TX_WAIT(L): a packet cut in half;
 *  - while a transaction is open, wait_timeout = DB_TX_WAIT(L) too, so that a
 *    transaction whose connection died without a word (a cut at COMMIT, a network
 *    partition) is rolled back and its row locks freed within that time, instead of
 *    the server's 8 hours.  Outside transactions the session keeps its own idle timeout
 *    (@csm_idle, the server's wait_timeout): a hotfix holds the host's named lock
 *    (GET_LOCK) on this session for its whole life, and a patch upload or apply, a
 *    reboot or a long poll_interval leaves the session idle for minutes; a short idle
 *    timeout would end the session and free the lock under a live procedure.
 * The client waits for a reply longer than the server can wait for locks (a statement
 * can wait L for the global read lock, L for a table and L for a row), so the server
 * gives up first and says why, rather than a "lost connection".
 */
#define DB_TX_WAIT(l)	((l) * 4 > 10 ? (l) * 4 : 10)
#define DB_READ_TIMEOUT(l)	((l) * 3 + 60)

static const char SQL_SESSION[] =
	"SET @csm_idle = @@SESSION.wait_timeout, SESSION innodb_lock_wait_timeout = ?,"
	" SESSION lock_wait_timeout = ?, SESSION net_read_timeout = ?,"
	" SESSION net_write_timeout = ?";

/* One round trip normally; an old server that lacks one of them gets them one by one. */
static int
session_setup(struct db *db)
{
	static const struct {
		const char *name, *sql, *what;
	} one[] = {
		{ "innodb_lock_wait_timeout", "SET SESSION innodb_lock_wait_timeout = ?",
		    "row locks wait for the server's default" },
		{ "lock_wait_timeout", "SET SESSION lock_wait_timeout = ?", "table locks "
		    "(LOCK TABLES, FLUSH TABLES WITH READ LOCK) wait for the server's default" },
		{ "net_read_timeout", "SET SESSION net_read_timeout = ?",
		    "the server's default applies" },
		{ "net_write_timeout", "SET SESSION net_write_timeout = ?",
		    "the server's default applies" },
	};
	long long l = db->conf->lock_wait_timeout, w = DB_TX_WAIT(l), dummy;
	long long v[4];
	size_t i;
	int rc;

	v[0] = l; v[1] = l; v[2] = w; v[3] = w;
	db->mdl_timeout = 1;
	db->tx_wait_ok = 1;
	rc = db_exec(db, &dummy, SQL_SESSION, "iiii", v[0], v[1], v[2], v[3]);
	if (rc == CSM_OK || db->lost)
		return rc;
	csm_debug("setting the session's timeouts at once failed (%s); one by one",
	    csm_err_msg());
	if (db_exec(db, &dummy, "SET @csm_idle = @@SESSION.wait_timeout", "") != CSM_OK) {
		if (db->lost)
			return CSM_EFAIL;
		db->tx_wait_ok = 0;
	}
	for (i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
		if (db_exec(db, &dummy, one[i].sql, "i", v[i]) == CSM_OK)
			continue;
		if (db->lost)
			return CSM_EFAIL;
		if (i == 1)
			db->mdl_timeout = 0;
		csm_warn("cannot set %s for this session (%s); %s", one[i].name,
		    csm_err_msg(), one[i].what);
	}
	return CSM_OK;
}

/* Tables of the two schemas another session has locked with LOCK TABLES (1), none (0). */
static int
db_tables_locked(struct db *db, char *buf, size_t len)
{
	MYSQL_RES *r;
	MYSQL_ROW row;
	size_t l = 0;
	int n = 0;

	buf[0] = '\0';
	if (mysql_real_query(db->my, "SHOW OPEN TABLES WHERE In_use > 0",
	    strlen("SHOW OPEN TABLES WHERE In_use > 0")) != 0 ||
	    (r = mysql_store_result(db->my)) == NULL) {
		if (is_lost(mysql_errno(db->my)))
			db->lost = 1;
		return 0;
	}
	while ((row = mysql_fetch_row(r)) != NULL) {
		if (row[0] == NULL || row[1] == NULL || (strcmp(row[0], db->schema) != 0 &&
		    strcmp(row[0], db->journal) != 0))
			continue;
		if (l < len)
			l += (size_t)snprintf(buf + l, len - l, "%s%s.%s", n ? ", " : "",
			    row[0], row[1]);
		n++;
	}
	mysql_free_result(r);
	return n > 0;
}

/*
 * Whether a global read lock (FLUSH TABLES WITH READ LOCK) stops writes: a write that
 * changes nothing, to csmaint's own table, waiting one second at most.  1 locked,
 * 0 not, -1 unknown.
 */
static int
db_read_locked(struct db *db)
{
	long long n, l = db->conf->lock_wait_timeout;
	int rc, locked;

	if (db_exec(db, &n, "SET SESSION lock_wait_timeout = 1", "") != CSM_OK)
		return -1;
	rc = db_exec(db, &n, "UPDATE {J}.meta SET value = value WHERE 1 = 0", "");
	locked = rc == CSM_ECONFLICT ? 1 : rc == CSM_OK ? 0 : -1;
	if (!db->lost)
		db_exec(db, &n, "SET SESSION lock_wait_timeout = ?", "i", l);
	return locked;
}

/* Open the MySQL connection with the session settings (connect and reconnect). */
static int
open_conn(struct db *db)
{
	const struct conf_db *c = db->conf;
	unsigned int timeout = (unsigned int)c->connect_timeout;
	unsigned int rtimeout = (unsigned int)DB_READ_TIMEOUT(c->lock_wait_timeout);
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
	/* Lose lock contests with the management server instead of blocking it. */
	if ((rc = session_setup(db)) != CSM_OK)
		return rc;
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
db_dup_key(const struct db *db)
{
	return db->dup_key;
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
	struct sbuf out = SBUF_INIT;
	const char *p;

	for (p = sql; *p; p++) {
		const char *rep = NULL;

		if (p[0] == '{' && p[1] == 'J' && p[2] == '}')
			rep = db->journal_q;
		else if (p[0] == '{' && p[1] == 'C' && p[2] == '}')
			rep = db->column;
		else if (p[0] == '{' && p[1] == 'U' && p[2] == '}')
			rep = strcmp(db->column, "resource_state") == 0 ? "uuid" : "guid";
		if (rep) {
			sbuf_puts(&out, rep);
			p += 2;
		} else {
			sbuf_add(&out, p, 1);
		}
	}
	return sbuf_take(&out);
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
	free(r->cells);
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
	b = xcalloc((size_t)r->cols, sizeof(*b));
	lens = xcalloc((size_t)r->cols, sizeof(*lens));
	nulls = xcalloc((size_t)r->cols, sizeof(*nulls));
	for (c = 0; c < r->cols; c++) {
		unsigned long len = f[c].max_length + 1;
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

/* The session's idle timeout while a transaction is open (see session_setup). */
static int
tx_wait(struct db *db, int in_tx)
{
	long long n;
	int rc;

	if (!db->tx_wait_ok || db->lost)
		return CSM_OK;
	if (in_tx)
		rc = db_exec(db, &n, "SET SESSION wait_timeout = LEAST(@csm_idle, ?)", "i",
		    (long long)DB_TX_WAIT(db->conf->lock_wait_timeout));
	else
		rc = db_exec(db, &n, "SET SESSION wait_timeout = @csm_idle", "");
	if (rc != CSM_OK && !db->lost) {
		csm_warn("cannot set wait_timeout for this session (%s); an abandoned "
		    "transaction keeps its locks for the server's wait_timeout", csm_err_msg());
		db->tx_wait_ok = 0;
		return CSM_OK;
	}
	return rc;
}

int
db_begin(struct db *db)
{
	int rc;

	if ((rc = tx_wait(db, 1)) != CSM_OK)
		return rc;
	if ((rc = db_static(db, "START TRANSACTION")) == CSM_OK)
		db->in_tx = 1;
	return rc;
}

int
db_commit(struct db *db)
{
	int rc = db_static(db, "COMMIT");

	db->in_tx = 0;
	if (rc != CSM_OK && db->lost) {
		if (db->tx_wait_ok)
			csm_err_prefix("the outcome of COMMIT is unknown (if the server did not "
			    "get it, it rolls the transaction back and frees its row locks within "
			    "%d s, the wait_timeout of csmaint's transactions)",
			    DB_TX_WAIT(db->conf->lock_wait_timeout));
		else
			csm_err_prefix("the outcome of COMMIT is unknown");
		return rc;
	}
	if (rc == CSM_OK)
		tx_wait(db, 0);	/* committed: a failure here changes nothing */
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
	if (rc == CSM_OK)
		tx_wait(db, 0);
	return rc;
}

/* Show a value as a SQL literal, for display only: executed SQL always binds values. */
static void
append_literal(struct sbuf *b, const char *s)
{
	const char *p;

	sbuf_add(b, "'", 1);
	for (p = s; *p; p++) {
		if (*p == '\'')
			sbuf_add(b, "'", 1);
		else if (*p == '\\')
			sbuf_add(b, "\\", 1);
		sbuf_add(b, p, 1);
	}
	sbuf_add(b, "'", 1);
}

char *
db_vrender(const struct db *db, const char *sql, const char *types, va_list ap)
{
	char *text = db_expand(db, sql);
	struct sbuf b = SBUF_INIT;
	size_t t = 0;
	const char *p;

	for (p = text; *p; p++) {
		if (*p == '?' && types[t] != '\0') {
			if (types[t++] == 'i') {
				sbuf_printf(&b, "%lld", va_arg(ap, long long));
			} else {
				const char *v = va_arg(ap, const char *);
				if (v == NULL)
					sbuf_puts(&b, "NULL");
				else
					append_literal(&b, v);
			}
		} else {
			sbuf_add(&b, p, 1);
		}
	}
	free(text);
	return sbuf_take(&b);
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
