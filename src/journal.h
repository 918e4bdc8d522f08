/*
 * journal.h: csmaint's own schema (database.journal): operations and their steps.
 *
 * journal_status() tells whether the schema is installed and at which version;
 * journal_install() creates or upgrades it (idempotent).  The SQL constants below are
 * the statements every writer uses, so a dry run prints exactly what runs.  Rows come
 * back as struct db_res tables with the J_OP_* / J_STEP_* column order.
 */
#ifndef CSM_JOURNAL_H
#define CSM_JOURNAL_H

#include <stddef.h>

struct db;
struct db_res;

#define JOURNAL_VERSION 2

int journal_status(struct db *db, int *installed, int *version);
int journal_install(struct db *db, int *from_version);
/* The DDL that brings a journal at FROM_VERSION (0: none) to JOURNAL_VERSION, with the
 * configured schema name, statement by statement (install runs it; dry runs print it). */
char **journal_ddl(const struct db *db, int from_version, int *n);
void journal_ddl_free(char **stmts, int n);

/* Operation columns, in this order, from every operation query. */
enum { J_OP_ID, J_OP_KIND, J_OP_HOST_ID, J_OP_HOST_NAME, J_OP_CLUSTER, J_OP_COLUMN,
	J_OP_PRIOR, J_OP_NEW, J_OP_STATE, J_OP_OPERATOR, J_OP_PID, J_OP_STARTED,
	J_OP_UPDATED, J_OP_FINISHED, J_OP_REASON, J_OP_ERROR, J_OP_ARGS, J_OP_PARENT,
	J_OP_NCOLS };

enum { J_STEP_SEQ, J_STEP_NAME, J_STEP_STATE, J_STEP_STARTED, J_STEP_FINISHED,
	J_STEP_DETAIL, J_STEP_NCOLS };

/* Column layouts of journal_op_raw(), journal_open_ops() and J_SQL_OPEN_OP. */
enum { J_RAW_ID, J_RAW_KIND, J_RAW_STATE, J_RAW_HOST_ID, J_RAW_ARGS, J_RAW_OPEN_HOST,
	J_RAW_PRIOR, J_RAW_NEW, J_RAW_PARENT, J_RAW_CLUSTER, J_RAW_OPEN_CLUSTER, J_RAW_NCOLS };
enum { J_OPEN_HOST, J_OPEN_ID, J_OPEN_KIND, J_OPEN_STATE, J_OPEN_NCOLS };
enum { J_HELD_ID, J_HELD_KIND, J_HELD_STATE, J_HELD_OPERATOR, J_HELD_STARTED,
	J_HELD_PRIOR, J_HELD_NEW, J_HELD_NCOLS };

/* Statements shared by the writers (toggle.c, later procedure.c). */
/* The open operation of a host, read without a lock (s schema, i host): the unique key
 * on (cloud_schema, open_host) keeps two operators apart when they write. */
extern const char J_SQL_OPEN_OP[];
extern const char J_SQL_INSERT_OP[];
extern const char J_SQL_INSERT_STEP_LAST[];	/* step 1 of the operation just inserted */
extern const char J_SQL_INSERT_STEP[];
extern const char J_SQL_CLOSE_OP[];

int journal_op_get(struct db *db, long long id, struct db_res **out);
int journal_op_steps(struct db *db, long long id, struct db_res **out);
/* Operations, newest first; host_id < 0: all hosts; limit <= 0: all. */
int journal_op_list(struct db *db, long long host_id, long long limit, struct db_res **out);
/* Open operations (holding a host) of this CloudStack schema: host id, op id, kind, state. */
int journal_open_ops(struct db *db, struct db_res **out);

/*
 * The named lock an operation holds for its life (GET_LOCK; the server releases it if
 * csmaint dies): "csmaint.<CloudStack schema>.<host id>" for an operation on one host,
 * "csmaint.<CloudStack schema>.cluster.<cluster id>" for a rolling operation, whose
 * process runs its children under that one lock (MySQL before 5.7 keeps one GET_LOCK
 * per connection).  journal_lock_name() and journal_cluster_lock_name() write them;
 * J_SQL_STATE_NOW(alias) is the same rule in SQL: an operation's state as readers see
 * it, 'interrupted' for a running one whose lock is free.  ALIAS is "" or "o.".
 */
#define J_LOCK_PREFIX "csmaint."
#define J_LOCK_CLUSTER ".cluster."
#define J_SQL_STATE_NOW(alias) \
	"CASE WHEN " alias "state = 'running' AND IS_FREE_LOCK(CASE WHEN " alias "kind = " \
	"'rolling' OR " alias "parent_id IS NOT NULL THEN CONCAT('" J_LOCK_PREFIX "', " alias \
	"cloud_schema, '" J_LOCK_CLUSTER "', " alias "cluster_id) ELSE CONCAT('" \
	J_LOCK_PREFIX "', " alias "cloud_schema, '.', " alias "host_id) END) = 1 THEN " \
	"'interrupted' ELSE " alias "state END"
void journal_lock_name(const char *schema, long long host_id, char *buf, size_t len);
void journal_cluster_lock_name(const char *schema, long long cluster_id, char *buf,
    size_t len);
/*
 * operation.arguments, what a resume needs to run the operation again: "KEY=VALUE"
 * (host= or cluster=), then "catalog=PATH" and "file=PATH" lines, paths made absolute.
 * journal_args() writes it (the caller's); journal_args_parse() reads it back into
 * *value, *catalog and *files / *nfiles (NULL-terminated), the caller's to free.
 */
struct journal_args {
	char	*value;		/* the host or cluster as given */
	char	*catalog;
	char	**files;
	int	 nfiles;
};
char *journal_args(const char *key, const char *value, const char *catalog,
    char *const *files, int nfiles);
void journal_args_parse(const char *text, const char *key, struct journal_args *out);
void journal_args_free(struct journal_args *a);

/* Steps: a row 'running' when a step starts, then done or failed with a detail. */
int journal_step_start(struct db *db, long long op, const char *name, const char *detail,
    long long *seq);
int journal_step_finish(struct db *db, long long op, long long seq, const char *state,
    const char *detail);
/* This process now runs the operation (resume): pid, operator, state running. */
int journal_op_touch(struct db *db, long long op, long long pid, const char *who);
/* Failed and still holding the host (the restore could not be done), or for a rolling
 * operation its cluster (resume or recover decides). */
int journal_op_fail(struct db *db, long long op, const char *error);
/* id, kind, state, host_id, arguments, open_host, prior_value, new_value, parent_id,
 * cluster_id, open_cluster (stored state: J_RAW_*). */
int journal_op_raw(struct db *db, long long op, struct db_res **out);

/*
 * Rolling (pool) operations.  journal_pool_open() inserts one, kind 'rolling', state
 * running, holding the cluster (open_cluster; the unique key keeps a second one out:
 * CSM_ECONFLICT with db_dup_key()).  journal_pool_close() closes it as STATE with
 * ERROR (may be NULL).  journal_pool_open_op() finds the open pool operation of a
 * cluster (J_HELD_* columns, 0 or 1 row); journal_children() lists pool operation
 * PARENT and then its host operations (J_OP_* columns) in the order they started.
 */
int journal_pool_open(struct db *db, long long cluster_id, const char *cluster_name,
    const char *column, const char *arguments, const char *reason, long long *op);
int journal_pool_close(struct db *db, long long op, const char *state, const char *error);
int journal_pool_open_op(struct db *db, long long cluster_id, struct db_res **out);
int journal_children(struct db *db, long long parent, struct db_res **out);
/* Whether a rolling operation holds cluster CLUSTER_ID (open, or its lock taken by
 * another connection): WHY is "" when not, else says which; a negative return is a
 * database failure. */
int journal_cluster_held(struct db *db, long long cluster_id, char *why, size_t len);


#endif
