/*
 * toggle.h: the transactional allocation toggle, the only code that writes the host row.
 *
 * Each call reads the host row and the host's open operation without locks, checks
 * them, then runs one transaction: the journal rows first (the unique key on the open
 * host, or the compare-and-set of the operation's state, keeps two operators apart),
 * then the compare-and-set UPDATE of the allocation column with the row count checked
 * (where nothing is written: a locking read that the row still holds the value the
 * journal records), then COMMIT.  The host row, which the CloudStack management server
 * updates all the time, is locked only from that last statement to the COMMIT: one
 * round trip.  On any failure the transaction is rolled back and the error slot says
 * what the row holds now.
 *
 * With a dry-run recorder DRY (dry.h; NULL: execute) nothing is written: the reads run
 * (without holding locks past the statement), every statement is recorded into DRY as
 * it would run, START TRANSACTION and COMMIT included, and the same refusals are
 * reported.  Codes: CSM_ECONFLICT refusals, CSM_EFAIL failures,
 * CSM_EMANUAL when the outcome of COMMIT is unknown.
 */
#ifndef CSM_TOGGLE_H
#define CSM_TOGGLE_H

#include <stdio.h>

struct db;
struct cs;
struct dry;

struct toggle_result {
	long long	 op_id;
	long long	 host_id;
	char		 host_name[256];
	char		 prior[33];
	char		 written[33];
	double		 lock_ms;	/* how long the host row was locked */
};

/* What toggle_take() records: the operation's kind and state, and whether a host that
 * is already Disabled is accepted (recorded with nothing written). */
struct toggle_spec {
	const char	*kind;		/* "disable", "hotfix" */
	const char	*state;		/* "holding", "running" */
	int		 allow_disabled;
	const char	*reason;
	const char	*arguments;
	long long	 parent_id;	/* the rolling operation it is part of, or 0 */
};

int toggle_take(struct db *db, const struct cs *cs, long long host_id,
    const struct toggle_spec *spec, struct dry *dry, struct toggle_result *res);
/* toggle_take() for "host disable": kind disable, state holding. */
int toggle_disable(struct db *db, const struct cs *cs, long long host_id,
    const char *reason, const char *arguments, struct dry *dry,
    struct toggle_result *res);
int toggle_enable(struct db *db, const struct cs *cs, long long host_id, struct dry *dry,
    struct toggle_result *res);
/*
 * Close operation OP_ID, restoring the prior value if the row still holds what csmaint
 * wrote; when CloudStack already changed the row (reset on reconnect, 3.0 maintenance)
 * nothing is written.  A closed operation is a no-op: res->op_id is then -OP_ID.
 */
int toggle_recover(struct db *db, const struct cs *cs, long long op_id, struct dry *dry,
    struct toggle_result *res);

/*
 * Close operation OP_ID as FINAL_STATE (done, rolled_back) with LAST_ERROR (may be NULL),
 * restoring the prior value as toggle_recover() does.  For the procedure: CSM_ECONFLICT
 * when the row holds a value that is neither csmaint's nor the prior one.
 */
int toggle_release(struct db *db, const struct cs *cs, long long op_id,
    const char *final_state, const char *last_error, struct toggle_result *res);

/*
 * While an operation owns the host: CloudStack wrote 'Enabled' back (reset on
 * reconnect); set 'Disabled' again by compare-and-set, with a 'reassert' step in the
 * same transaction and a syslog line.  Nothing happens if the row changed meanwhile.
 */
int toggle_reassert(struct db *db, const struct cs *cs, long long host_id, long long op_id);

/*
 * CloudStack 3.0+ (ResourceState.java) refuses maintenance for a Disabled host: while
 * operation OP_ID owns the host, set the column back to 'Enabled' by compare-and-set
 * from 'Disabled', with the step TOGGLE_STEP_HANDBACK in the same transaction.
 * *written is 0 when the row no longer held 'Disabled' (nothing written or journaled).
 */
int toggle_handback(struct db *db, const struct cs *cs, long long host_id, long long op_id,
    int *written);
#define TOGGLE_STEP_HANDBACK "enable-for-maintenance"

/* The compare-and-set every write of the allocation column uses (values bound). */
extern const char TOGGLE_SQL_CAS[];

#endif
