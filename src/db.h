/*
 * db.h: the database connection (MariaDB Connector/C or libmysqlclient), prepared
 * statements only.
 *
 * Calling sequence: db_connect() -> db_set_names() -> db_query()/db_exec() inside
 * db_begin()/db_commit() or db_rollback() -> db_close().  SQL text is always a constant
 * of the program; values travel as bound parameters described by a type string:
 * 's' const char * (NULL binds SQL NULL), 'i' long long.  Two tokens name the schema
 * objects that config decides, and are replaced before the statement is prepared:
 * {J} the journal schema (validated identifier, quoted) and {C} the host allocation
 * column of the detected CloudStack generation (one of two fixed names), {U} the
 * host uuid column of that generation (3.0+ "uuid", 2.2 "guid": the XenServer uuid).
 *
 * Results are copied into a struct db_res the caller frees; cells are borrowed from it.
 * Failures set the error slot with the server's text and return: CSM_ECONFLICT when
 * csmaint lost a contest and gives way (a lock wait timeout or deadlock, the message
 * saying whether a row, a table under LOCK TABLES or a backup's global read lock held
 * it, and the open transaction then rolled back; or a duplicate unique key, see
 * db_dup_key()), CSM_EUSAGE for access denied, CSM_EFAIL otherwise (db_lost() then
 * tells whether the connection was lost).
 *
 * Session timeouts follow database.lock_wait_timeout (L): row and table lock waits L;
 * while a transaction is open (db_begin() to db_commit()/db_rollback()) the server
 * drops a silent session after 4 L (at least 10 s) and rolls the transaction back;
 * outside transactions it keeps the server's wait_timeout, as named locks live with it.
 */
#ifndef CSM_DB_H
#define CSM_DB_H

#include <stdarg.h>

struct conf_db;
struct db;
struct db_res;

int db_connect(const struct conf_db *c, struct db **out);
void db_close(struct db *db);
/* Connect again after a lost connection (never inside a transaction: the server rolled
 * it back).  Named locks held before are gone: take them again. */
int db_reconnect(struct db *db);

/* Named locks (GET_LOCK): one per connection, as MySQL before 5.7 allows only one.
 * db_lock_holder() gives the connection id holding NAME, 0 when it is free. */
int db_get_lock(struct db *db, const char *name, int wait, int *got);
int db_lock_holder(struct db *db, const char *name, long long *conn_id);
int db_release_lock(struct db *db, const char *name);

/* "MariaDB at 127.0.0.1:3306" or "MariaDB at /run/mysqld/mysqld.sock", for messages. */
const char *db_where(const struct db *db);
const char *db_schema(const struct db *db);	/* the CloudStack schema name */
const char *db_journal(const struct db *db);	/* the journal schema name */

/* Set the {C} column name ("allocation_state" or "resource_state"). */
void db_set_column(struct db *db, const char *column);

/* Prepare a statement ahead of time (cached), so a transaction holds its locks only
 * for execution round trips. */
int db_prepare(struct db *db, const char *sql);

int db_query(struct db *db, struct db_res **out, const char *sql, const char *types, ...);
int db_exec(struct db *db, long long *affected, const char *sql, const char *types, ...);
int db_vquery(struct db *db, struct db_res **out, long long *affected, const char *sql,
    const char *types, va_list ap);

/* Fixed statements that the prepared protocol does not take (transactions, DDL). */
int db_static(struct db *db, const char *sql);

int db_begin(struct db *db);
int db_commit(struct db *db);
int db_rollback(struct db *db);
int db_in_transaction(const struct db *db);
long long db_insert_id(const struct db *db);
int db_lost(const struct db *db);
/* The last failed statement hit a unique key (another session wrote that row first). */
int db_dup_key(const struct db *db);

/* The statement as it would run, with values shown as SQL literals (for dry runs). */
char *db_render(const struct db *db, const char *sql, const char *types, ...);
char *db_vrender(const struct db *db, const char *sql, const char *types, va_list ap);
/* The statement with {J} and {C} replaced (caller frees). */
char *db_expand(const struct db *db, const char *sql);

int db_res_rows(const struct db_res *r);
const char *db_get(const struct db_res *r, int row, int col);	/* NULL for SQL NULL */
long long db_get_int(const struct db_res *r, int row, int col, long long null_value);
void db_res_free(struct db_res *r);

#endif
