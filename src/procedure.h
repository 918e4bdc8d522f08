/*
 * procedure.h: CTX133466 as one journaled, resumable state machine (DESIGN §1).
 *
 * procedure_run() starts a new operation on HOST; procedure_resume() continues an
 * interrupted one from its last completed step.  Both hold the host's named lock for
 * the operation's life, record every step in operation_step, watch for CloudStack
 * re-enabling the host (and re-assert Disabled), and on any failure after the disable
 * restore the allocation column (compare-and-set) and close the operation as
 * rolled_back.  Codes: CSM_OK; CSM_ECONFLICT refused (checks failed, host held);
 * CSM_EFAIL failed and rolled back; CSM_EMANUAL failed and could not roll back.
 *
 * Progress and the operator's instructions go to stderr as they happen.  What the
 * command prints at the end is returned in *REPORT, also after a failure: the caller
 * shows it and frees it with procedure_report_free().
 */
#ifndef CSM_PROCEDURE_H
#define CSM_PROCEDURE_H

#include <stddef.h>

#include "checks.h"

struct catalog;
struct db_res;
struct plan;
struct site;

/* A hotfix the patch step applied or found applied. */
struct procedure_patch {
	char	*name_label;
	char	*uuid;
	char	*action;	/* "applied", "already applied" */
	char	*guidance;	/* after_apply_guidance as the server lists it */
	char	*file;
};

struct procedure_report {
	struct checks		 checks;	/* step 0 */
	int			 show_checks;	/* one failed, or a dry run */
	struct plan		*plan;		/* the plan (it borrows from cat) */
	struct catalog		*cat;
	struct procedure_patch	*patches;	/* what the patch step did */
	size_t			 npatches;
	struct db_res		*op;		/* the operation at the end (J_OP_*) */
	struct db_res		*steps;		/* and its steps (J_STEP_*) */
};

#define PROC_MEMBER_FIRST	0x01	/* patch a member although the master lacks it */

/*
 * DRY != NULL: a dry run, recorded into DRY (dry.h): the checks and the plan are made,
 * TABLES (may be NULL) is called then for the command to add them as tables, and each
 * step records what it would do; nothing changes and no lock is taken.
 */
struct dry;
typedef void (*procedure_tables_fn)(struct dry *d, const struct procedure_report *r);
int procedure_run(const struct site *s, const char *host, char *const *files, int nfiles,
    const char *catalog, unsigned flags, struct dry *dry, procedure_tables_fn tables,
    struct procedure_report *report);
int procedure_resume(const struct site *s, long long op_id, struct procedure_report *report);

/*
 * One host of a rolling run (rolling.h): the same procedure, as a child operation of
 * PARENT_ID, under the cluster lock LOCK that the rolling run holds on the same
 * connection (MySQL before 5.7 keeps one GET_LOCK per connection); the operator's wait
 * messages, and the journal rows of the waits (PROCEDURE_PROPOSED, then the pairs),
 * name the targets the capacity plan proposes ("VM -> HOST, ..."); the pool's files are
 * cleaned by the rolling run after its last host.
 */
/*
 * The hotfixes the journal record of a patch step (its detail) names as applied, "a, b"
 * into BUF (all of them, or with NEWLY only those the step applied itself, not those it
 * found applied); their number is returned.
 */
int procedure_applied(const char *detail, int newly, char *buf, size_t len);

#define PROCEDURE_PROPOSED "proposed targets: "
struct procedure_child {
	long long	 parent_id;
	const char	*lock;
	const char	*migrate_to;	/* user VMs to migrate: "i-2-3-VM -> xs-02, ..." */
	const char	*restart_on;	/* VMs without Tools to start again after maintenance */
};
int procedure_run_child(const struct site *s, const char *host, char *const *files,
    int nfiles, const char *catalog, const struct procedure_child *child,
    struct procedure_report *report);
int procedure_resume_child(const struct site *s, long long op_id,
    const struct procedure_child *child, struct procedure_report *report);
void procedure_report_free(struct procedure_report *r);

#endif
