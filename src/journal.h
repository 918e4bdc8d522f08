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

#define JOURNAL_VERSION 1

int journal_status(struct db *db, int *installed, int *version);
int journal_install(struct db *db, int *from_version);
/* The DDL with the configured schema name, statement by statement (for dry runs). */
char **journal_ddl(const struct db *db, int *n);
void journal_ddl_free(char **stmts, int n);

/* Operation columns, in this order, from every operation query. */
enum { J_OP_ID, J_OP_KIND, J_OP_HOST_ID, J_OP_HOST_NAME, J_OP_CLUSTER, J_OP_COLUMN,
	J_OP_PRIOR, J_OP_NEW, J_OP_STATE, J_OP_OPERATOR, J_OP_PID, J_OP_STARTED,
	J_OP_UPDATED, J_OP_FINISHED, J_OP_REASON, J_OP_ERROR, J_OP_ARGS, J_OP_NCOLS };

enum { J_STEP_SEQ, J_STEP_NAME, J_STEP_STATE, J_STEP_STARTED, J_STEP_FINISHED,
	J_STEP_DETAIL, J_STEP_NCOLS };

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

/* The named lock an operation holds for its life (GET_LOCK; released if csmaint dies). */
void journal_lock_name(const char *schema, long long host_id, char *buf, size_t len);
/* Steps: a row 'running' when a step starts, then done or failed with a detail. */
int journal_step_start(struct db *db, long long op, const char *name, const char *detail,
    long long *seq);
int journal_step_finish(struct db *db, long long op, long long seq, const char *state,
    const char *detail);
/* This process now runs the operation (resume): pid, operator, state running. */
int journal_op_touch(struct db *db, long long op, long long pid, const char *who);
/* Failed and still holding the host (the restore could not be done). */
int journal_op_fail(struct db *db, long long op, const char *error);
/* id, kind, state, host_id, arguments, open_host, prior_value, new_value (stored state). */
int journal_op_raw(struct db *db, long long op, struct db_res **out);


#endif
