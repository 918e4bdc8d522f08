/* procedure.c: the hotfix procedure: check, disable, waits, patch, reboot, restore. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "csmaint.h"
#include "guidance.h"
#include "catalog.h"
#include "checks.h"
#include "cloudstack.h"
#include "conf.h"
#include "db.h"
#include "dry.h"
#include "journal.h"
#include "patch.h"
#include "plan.h"
#include "pool.h"
#include "procedure.h"
#include "sbuf.h"
#include "site.h"
#include "target.h"
#include "toggle.h"
#include "wait.h"
#include "xapi.h"
#include "xshost.h"

struct proc {
	const struct site *s;
	struct target	 t;
	long long	 host_id;
	long long	 op_id;
	char		 lock[160];
	char		*spec;			/* HOST as given */
	char		**files;
	int		 nfiles;
	char		*catalog;
	struct catalog	*cat;
	struct plan	*plan;
	const struct plan_entry **todo;		/* what to apply, in order */
	size_t		 ntodo;
	unsigned	 guidance;		/* of the patches this operation applied */
	char		 applied[2048];		/* their names, "a, b" (the patch step's record) */
	struct procedure_report *rep;	/* what the command prints at the end */
	char		 no_tools[1024];	/* VMs the operator shut down (step 4) */
	int		 lost_lock;		/* another csmaint owns the operation now */
	int		 handed_back;		/* 3.0: column back at Enabled for maintenance */
	int		 dry;			/* a dry run: nothing changes */
	int		 member_first;		/* --member-first: the master may lack it */
	const struct procedure_child *child;	/* part of a rolling run, or NULL */
	char		 prior[33];		/* the allocation value before the disable */
	char		 error[1024];
};

static int
interrupted(struct proc *p)
{
	(void)p;
	return wait_stopped();
}

/*
 * One attempt to connect again and take the operation's lock again (the host's, or a
 * rolling run's cluster lock).  Someone else holding the lock now (a resume or recover
 * elsewhere) owns the operation: lost_lock, CSM_ECONFLICT, and nothing is touched.
 */
static int
reconnect_once(struct proc *p)
{
	int got;

	if (db_reconnect(p->s->db) != CSM_OK)
		return CSM_EFAIL;
	db_set_column(p->s->db, p->s->cs->column);
	if (db_get_lock(p->s->db, p->lock, 0, &got) != CSM_OK)
		return CSM_EFAIL;
	if (!got) {
		p->lost_lock = 1;
		return csm_err_set(CSM_ECONFLICT, "after reconnecting, another csmaint holds "
		    "operation %lld's lock: stopping here without touching anything", p->op_id);
	}
	csm_info("reconnected to %s", db_where(p->s->db));
	return CSM_OK;
}

/* The database went away: reconnect_once() with backoff, for BUDGET seconds. */
static int
reconnect(struct proc *p, double budget)
{
	double start = csm_now(), delay = 0.5;
	int rc;

	while (csm_now() - start < budget && !wait_signal) {
		csm_warn("lost the database connection; reconnecting (%.0f s)", csm_now() - start);
		if ((rc = reconnect_once(p)) == CSM_OK || p->lost_lock)
			return rc;
		wait_sleep(delay);
		delay = delay * 2 > 8 ? 8 : delay * 2;
	}
	return csm_err_set(CSM_EFAIL, "the database at %s stayed unreachable for %.0f s",
	    db_where(p->s->db), budget);
}

/* Run a database read; on a lost connection reconnect and try once more. */
#define DB_RETRY(p, expr) ({					\
	int _rc = (expr);						\
	if (_rc != CSM_OK && db_lost((p)->s->db) &&			\
	    reconnect((p), 120) == CSM_OK) {				\
		_rc = (expr);						\
	}								\
	_rc;								\
})

/* ---- drift: CloudStack 2.2 re-enables a host when it reconnects (NOTES §5) ---- */

static int
watch_drift(struct proc *p, const char *now)
{
	/* After the 3.0 hand-back, Enabled is what csmaint wrote, not drift. */
	if (strcmp(now, "Enabled") != 0 || p->handed_back)
		return CSM_OK;
	csm_warn("host %lld (%s): CloudStack set %s back to 'Enabled' (it does so when a host "
	    "reconnects); csmaint owns the host and sets it 'Disabled' again", p->host_id,
	    p->t.name, p->s->cs->column);
	return toggle_reassert(p->s->db, p->s->cs, p->host_id, p->op_id);
}

/* The host row now (CS_H_* columns), with drift handled. */
static int
host_now(struct proc *p, struct db_res **row)
{
	int rc = DB_RETRY(p, cs_host_get(p->s->db, p->host_id, row));

	if (rc != CSM_OK)
		return rc;
	/* A failed CloudStack maintenance ends the procedure whichever wait it is in. */
	if (strcmp(db_get(*row, 0, p->s->cs->gen == CS_GEN_30 ? CS_H_ALLOC : CS_H_STATUS),
	    "ErrorInMaintenance") == 0)
		rc = csm_err_set(CSM_EFAIL, "CloudStack could not put host %lld (%s) in "
		    "maintenance (ErrorInMaintenance): a VM could not be migrated", p->host_id,
		    p->t.name);
	else
		rc = watch_drift(p, db_get(*row, 0, CS_H_ALLOC));
	if (rc != CSM_OK) {
		db_res_free(*row);
		*row = NULL;
	}
	return rc;
}

/*
 * An operator wait: call look() every poll_interval until it says done (1), fails (<0)
 * or wait_timeout passes.  Shows what it waits for, what it sees and how to act.
 */
static int
wait_for(struct proc *p, const char *what, const char *act,
    int (*look)(struct proc *, char *, size_t))
{
	const struct conf_procedure *c = &p->s->conf->proc;
	double start = csm_now(), shown = -1e9;
	char seen[1024], last[1024] = "";
	int r;

	for (;;) {
		if (interrupted(p))
			return CSM_EFAIL;
		seen[0] = '\0';
		r = look(p, seen, sizeof(seen));
		if (r < 0)
			return r;
		if (r > 0) {
			csm_info("%s: done after %.0f s", what, csm_now() - start);
			return CSM_OK;
		}
		if (strcmp(seen, last) != 0 || csm_now() - shown > 60) {
			csm_info("waiting %.0f s: %s: %s; %s", csm_now() - start, what, seen, act);
			snprintf(last, sizeof(last), "%s", seen);
			shown = csm_now();
		}
		if (csm_now() - start >= c->wait_timeout)
			return csm_err_set(CSM_EFAIL, "timed out after %.0f s (procedure."
			    "wait_timeout) waiting: %s; last seen: %s", c->wait_timeout, what, last);
		wait_sleep(c->poll_interval);
	}
}

/* ---- VMs on the host: SQL placement joined with the hypervisor's view ---- */

static int
is_system_name(const char *n)
{
	/* CloudStack names (NOTES §3.6): r- router, v- console proxy, s- SSVM, l- ELB. */
	return (n[0] == 'r' || n[0] == 'v' || n[0] == 's' || n[0] == 'l') && n[1] == '-';
}

/* Add "name (state)" to a comma-separated list. */
static void
append(char *buf, size_t len, const char *name, const char *state)
{
	size_t l = strlen(buf);

	if (l < len - 1)
		snprintf(buf + l, len - l, "%s%s (%s)", l ? ", " : "", name, state);
}

/* Which VMs vms_left() counts. */
enum vms_kind {
	VMS_NO_TOOLS,		/* running without Tools: the operator shuts them down */
	VMS_MIGRATE,		/* Tools present or unknown: they migrate */
	VMS_ANY,		/* every user VM: none may be left in maintenance */
};

static int
vms_counted(enum vms_kind kind, enum pool_tools tools)
{
	return kind == VMS_ANY || (kind == VMS_MIGRATE ? tools != POOL_TOOLS_NO :
	    tools == POOL_TOOLS_NO);
}

/*
 * Count user VMs still on the host, of the KIND asked for.
 * *left is the count when both the database and XenServer answered, or -1 when
 * XenServer did not: "not known yet", never "none left" (seen says why).  A negative
 * return is a database failure that reconnecting did not cure.
 */
static int
vms_left(struct proc *p, enum vms_kind kind, char *seen, size_t len, int *left)
{
	struct db_res *sql = NULL;
	struct pool_vm *vms = NULL;
	size_t nv = 0, j;
	int i, n = 0, rc;

	*left = -1;
	seen[0] = '\0';
	if ((rc = DB_RETRY(p, cs_vms_on_host(p->s->db, p->host_id, &sql))) != CSM_OK)
		return rc;
	rc = pool_vms(p->t.pool, p->t.xs->api_major, p->t.xs->api_minor, p->t.xs->ref, &vms, &nv);
	if (rc != CSM_OK) {
		snprintf(seen, len, "not known yet: XenServer did not answer (%s)", csm_err_msg());
		csm_err_clear();
		db_res_free(sql);
		return CSM_OK;
	}
	for (i = 0; i < db_res_rows(sql); i++) {
		const char *name = db_get(sql, i, CS_V_INSTANCE);
		enum pool_tools tools = POOL_TOOLS_UNKNOWN;

		if (strcmp(db_get(sql, i, CS_V_KIND), "user") != 0)
			continue;
		for (j = 0; j < nv; j++)
			if (strcmp(vms[j].name_label, name) == 0)
				tools = vms[j].can_migrate;
		if (vms_counted(kind, tools)) {
			append(seen, len, name, db_get(sql, i, CS_V_STATE));
			n++;
		}
	}
	/* What the hypervisor still runs here, whatever the database says by now. */
	for (j = 0; j < nv; j++) {
		int known = 0;
		if (vms[j].control_domain || strcmp(vms[j].resident_on, p->t.xs->ref) != 0 ||
		    strcmp(vms[j].power_state, "Running") != 0 || is_system_name(vms[j].name_label))
			continue;
		for (i = 0; i < db_res_rows(sql); i++)
			if (strcmp(db_get(sql, i, CS_V_INSTANCE), vms[j].name_label) == 0)
				known = 1;
		if (!known && vms_counted(kind, vms[j].can_migrate)) {
			append(seen, len, vms[j].name_label, "running on the hypervisor");
			n++;
		}
	}
	if (n == 0)
		snprintf(seen, len, "none left (database and XenServer agree)");
	pool_vms_free(vms, nv);
	db_res_free(sql);
	*left = n;
	return CSM_OK;
}

/* Whether the list "a, b, c" holds NAME. */
static int
list_has(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *s = list;

	while ((s = strstr(s, name)) != NULL) {
		if ((s == list || (s >= list + 2 && s[-2] == ',' && s[-1] == ' ')) &&
		    (s[n] == '\0' || s[n] == ','))
			return 1;
		s += n ? n : 1;
	}
	return 0;
}

/* The names of the VMs without Tools on the host now ("a, b"), for the operator. */
static void
note_no_tools(struct proc *p)
{
	struct db_res *sql = NULL;
	struct pool_vm *vms = NULL;
	size_t nv = 0, j, l = 0;

	if (pool_vms(p->t.pool, p->t.xs->api_major, p->t.xs->api_minor, p->t.xs->ref, &vms,
	    &nv) != CSM_OK || cs_vms_on_host(p->s->db, p->host_id, &sql) != CSM_OK) {
		csm_err_clear();
		goto out;
	}
	for (j = 0; j < nv; j++) {
		int i, user = 0;
		if (vms[j].can_migrate != POOL_TOOLS_NO || vms[j].control_domain ||
		    strcmp(vms[j].resident_on, p->t.xs->ref) != 0 ||
		    strcmp(vms[j].power_state, "Running") != 0)
			continue;
		for (i = 0; i < db_res_rows(sql); i++)
			if (strcmp(db_get(sql, i, CS_V_INSTANCE), vms[j].name_label) == 0 &&
			    strcmp(db_get(sql, i, CS_V_KIND), "user") == 0)
				user = 1;
		if (!user && is_system_name(vms[j].name_label))
			continue;
		if (list_has(p->no_tools, vms[j].name_label))
			continue;
		l = strlen(p->no_tools);
		snprintf(p->no_tools + l, sizeof(p->no_tools) - l, "%s%s", l ? ", " : "",
		    vms[j].name_label);
	}
out:
	pool_vms_free(vms, nv);
	db_res_free(sql);
}

static int
look_vms(struct proc *p, char *seen, size_t len)
{
	struct db_res *row = NULL;
	int left, rc;

	if ((rc = host_now(p, &row)) != CSM_OK)
		return rc;
	db_res_free(row);
	if ((rc = vms_left(p, VMS_MIGRATE, seen, len, &left)) != CSM_OK)
		return rc;
	return left == 0;
}

static int
look_no_tools(struct proc *p, char *seen, size_t len)
{
	struct db_res *row = NULL;
	int left, rc;

	if ((rc = host_now(p, &row)) != CSM_OK)
		return rc;
	db_res_free(row);
	if ((rc = vms_left(p, VMS_NO_TOOLS, seen, len, &left)) != CSM_OK)
		return rc;
	if (left > 0)
		note_no_tools(p);
	return left == 0;
}

/*
 * Maintenance is reached when CloudStack says so and no user VM is left on the host by
 * the database and by XenServer: on 3.0 a VM can land on the host in the window after
 * the hand-back, and it must go like any other.
 */
static int
look_maintenance(struct proc *p, char *seen, size_t len)
{
	struct db_res *row = NULL;
	const char *v;
	char vms[768];
	int rc, left = -1;

	if ((rc = host_now(p, &row)) != CSM_OK)
		return rc;
	/* 2.2: maintenance is host.status; 3.0+: it is resource_state (NOTES §6, §9). */
	v = p->s->cs->gen == CS_GEN_30 ? db_get(row, 0, CS_H_ALLOC) : db_get(row, 0, CS_H_STATUS);
	if (strcmp(v, "ErrorInMaintenance") == 0)
		rc = csm_err_set(CSM_EFAIL, "CloudStack could not put host %lld (%s) in "
		    "maintenance (ErrorInMaintenance): a VM could not be migrated", p->host_id,
		    p->t.name);
	else
		rc = vms_left(p, VMS_ANY, vms, sizeof(vms), &left);
	snprintf(seen, len, "%s %s; VMs on the host: %s", p->s->cs->gen == CS_GEN_30 ?
	    "resource_state" : "status", v, rc == CSM_OK ? vms : "?");
	rc = rc != CSM_OK ? rc : strcmp(v, "Maintenance") == 0 && left == 0;
	db_res_free(row);
	return rc;
}

/*
 * What the patch step applies, in order: the plan's apply entries, then files the
 * planner could not identify without a catalog (their identity is learned on upload).
 */
static void
build_todo(struct proc *p)
{
	size_t i;

	free(p->todo);
	p->todo = xcalloc(p->plan->nentries + 1, sizeof(*p->todo));
	p->ntodo = 0;
	for (i = 0; i < p->plan->nentries; i++) {
		const struct plan_entry *e = &p->plan->entries[i];
		if (e->action == PLAN_APPLY || (e->action == PLAN_UNKNOWN && e->request != NULL))
			p->todo[p->ntodo++] = e;
	}
}

/* Which VMs cannot live-migrate on this host's XenServer (pool.h: can_migrate). */
static const char *
migrate_rule(const struct proc *p)
{
	const struct pool_host *h = p->t.xs;

	return h->api_major > 2 || (h->api_major == 2 && h->api_minor >= 3) ?
	    "XenServer 6.5+ rule: HVM guests without PV drivers" :
	    "XenServer 5.6-6.2 rule: every guest without XenServer Tools";
}

/* ---- the steps ---- */

static int
step_wait_vms(struct proc *p, char *detail, size_t len)
{
	char act[2048];
	int rc;

	if (p->child != NULL && p->child->migrate_to && p->child->migrate_to[0])
		snprintf(act, sizeof(act), "migrate them in the CloudStack UI to the hosts "
		    "csmaint proposes (its capacity plan): %s (VMs without XenServer Tools are "
		    "shut down in the next step)", p->child->migrate_to);
	else
		snprintf(act, sizeof(act), "migrate them to other hosts in the CloudStack UI "
		    "(VMs without XenServer Tools are shut down in the next step)");
	rc = wait_for(p, "user VMs to leave the host", act, look_vms);

	snprintf(detail, len, "no user VM with Tools left on the host");
	return rc;
}

static int
step_wait_no_tools(struct proc *p, char *detail, size_t len)
{
	char what[200];
	int rc;

	snprintf(what, sizeof(what), "VMs that cannot live-migrate (%s) to be shut down",
	    migrate_rule(p));
	if (p->child != NULL && p->child->restart_on && p->child->restart_on[0]) {
		char act[2048];
		snprintf(act, sizeof(act), "stop them in the CloudStack UI; once the host is in "
		    "maintenance start them on the hosts csmaint proposes: %s",
		    p->child->restart_on);
		rc = wait_for(p, what, act, look_no_tools);
	} else {
		rc = wait_for(p, what, "stop them in the CloudStack UI; start them on another "
		    "host once the host is in maintenance", look_no_tools);
	}

	snprintf(detail, len, "%s%s", p->no_tools[0] ? "shut down by the operator: " :
	    "no VM without Tools", p->no_tools);
	return rc;
}

/*
 * CloudStack 3.0+ has no Disabled -> PrepareForMaintenance transition (ResourceState.java):
 * give the column back to Enabled right before the operator asks for maintenance.  The
 * step journals itself in the transaction of its compare-and-set.  2.2 does not look at
 * allocation_state for maintenance: nothing to do there.
 */
static int
step_handback(struct proc *p, char *detail, size_t len)
{
	struct db_res *row = NULL;
	int rc, written = 0;

	(void)detail;
	(void)len;
	if (p->s->cs->gen != CS_GEN_30)
		return CSM_OK;
	if ((rc = DB_RETRY(p, toggle_handback(p->s->db, p->s->cs, p->host_id, p->op_id,
	    &written))) != CSM_OK)
		return rc;
	if ((rc = DB_RETRY(p, cs_host_get(p->s->db, p->host_id, &row))) != CSM_OK)
		return rc;
	if (!written && strcmp(db_get(row, 0, CS_H_ALLOC), "Enabled") != 0 &&
	    strcmp(db_get(row, 0, CS_H_ALLOC), "PrepareForMaintenance") != 0 &&
	    strcmp(db_get(row, 0, CS_H_ALLOC), "Maintenance") != 0) {
		rc = csm_err_set(CSM_EFAIL, "cannot hand host %lld (%s) back for maintenance: "
		    "resource_state is '%s', expected 'Disabled'", p->host_id, p->t.name,
		    db_get(row, 0, CS_H_ALLOC));
		db_res_free(row);
		return rc;
	}
	db_res_free(row);
	p->handed_back = 1;
	csm_info("host %lld (%s): resource_state 'Disabled' -> 'Enabled': CloudStack 3.0+ "
	    "refuses maintenance for a Disabled host; VMs that land on it before maintenance "
	    "starts are watched for and must leave too", p->host_id, p->t.name);
	return CSM_OK;
}

static int
step_wait_maintenance(struct proc *p, char *detail, size_t len)
{
	char act[640];
	int rc;

	snprintf(act, sizeof(act), "put host %s in maintenance mode in the CloudStack UI "
	    "(Infrastructure > Hosts > %s > Enable Maintenance Mode)%s", p->t.name, p->t.name,
	    p->handed_back ? "; csmaint set it back to Enabled because CloudStack 3.0+ "
	    "refuses maintenance for a Disabled host: do it now, before CloudStack places "
	    "a new VM there" : "");
	rc = wait_for(p, "CloudStack maintenance", act, look_maintenance);
	snprintf(detail, len, "host in CloudStack maintenance");
	return rc;
}

/* The file given for a planned patch (its request), or NULL. */
static const char *
file_for(const struct plan_entry *e)
{
	return e->request;
}

/* What the patch step did, for the report. */
static void
report_patch(struct procedure_report *r, const struct patch *pt, const char *action,
    const char *file)
{
	struct procedure_patch *e;

	r->patches = xrealloc(r->patches, (r->npatches + 1) * sizeof(*r->patches));
	e = &r->patches[r->npatches++];
	e->name_label = xstrdup(pt->name_label ? pt->name_label : "");
	e->uuid = pt->uuid ? xstrdup(pt->uuid) : NULL;
	e->action = xstrdup(action);
	e->guidance = pt->guidance_text ? xstrdup(pt->guidance_text) : NULL;
	e->file = file ? xstrdup(file) : NULL;
}

/*
 * The restart a mandatory guidance asks for, in the middle of the patch step, journaled
 * as its own step.  A resume that finds the patch applied runs this again: the
 * reboot-pending rule keeps it from rebooting a host that rebooted since.  The restart
 * done, its guidance is no longer due at the end.
 */
static int
restart_now(struct proc *p, const struct patch *pt)
{
	enum guidance_restart r = guidance_restart(pt->guidance);
	char detail[300];
	long long seq = 0;
	int rc, pending = 1;

	if (r == RESTART_HOST && xshost_reboot_pending(p->t.pool, p->t.xs->uuid, &pending) !=
	    CSM_OK)
		pending = 1;	/* not known: reboot (safe for a host in maintenance) */
	csm_err_clear();
	if ((rc = DB_RETRY(p, journal_step_start(p->s->db, p->op_id, "restart-mandatory",
	    NULL, &seq))) != CSM_OK)
		return rc;
	csm_info("%s: its after-apply guidance is mandatory: %s %s now, before the next "
	    "hotfix", pt->name_label, r == RESTART_HOST ? "rebooting" : "restarting the "
	    "toolstack of", p->t.name);
	if (r == RESTART_HOST && !pending) {
		snprintf(detail, sizeof(detail), "after %s: the host rebooted since it was "
		    "applied; waited until it is back", pt->name_label);
		rc = xshost_restart(p->s, &p->t, XSHOST_WAIT, NULL);
	} else {
		snprintf(detail, sizeof(detail), "after %s (guidance-mandatory): %s",
		    pt->name_label, r == RESTART_HOST ? "host rebooted" : "toolstack restarted");
		rc = xshost_restart(p->s, &p->t, r == RESTART_HOST ? XSHOST_REBOOT :
		    XSHOST_RESTART_TOOLSTACK, NULL);
	}
	journal_step_finish(p->s->db, p->op_id, seq, rc == CSM_OK ? "done" : "failed",
	    rc == CSM_OK ? detail : csm_err_msg());
	if (rc != CSM_OK)
		return rc;
	p->guidance &= r == RESTART_HOST ? ~(unsigned)(GUIDE_RESTART_HOST | GUIDE_RESTART_XAPI) :
	    ~(unsigned)GUIDE_RESTART_XAPI;
	return CSM_OK;
}

/* The patch step's record ends with the guidance of what it applied, after this tag. */
#define GUIDANCE_TAG "after-apply guidance: "

/*
 * A resumed operation whose patch step is done: what it applied and the guidance due,
 * from the journal (never from a plan computed again now: the applied patches drop out
 * of a new plan, and with them the reboot they need).
 */
static int
patch_record(struct proc *p)
{
	struct db_res *st = NULL;
	const char *d = NULL, *g;
	int i, rc;

	if (p->applied[0] || p->guidance)
		return CSM_OK;		/* this run did the patch step */
	if ((rc = DB_RETRY(p, journal_op_steps(p->s->db, p->op_id, &st))) != CSM_OK)
		return rc;
	for (i = 0; i < db_res_rows(st); i++)
		if (strcmp(db_get(st, i, J_STEP_NAME), "patch") == 0 &&
		    strcmp(db_get(st, i, J_STEP_STATE), "done") == 0)
			d = db_get(st, i, J_STEP_DETAIL);
	if (d == NULL || (g = strstr(d, GUIDANCE_TAG)) == NULL) {
		db_res_free(st);
		return csm_err_set(CSM_EFAIL, "operation %lld: the journal's patch step does not "
		    "say which restart the applied hotfixes need; run 'csmaint recover %lld "
		    "--execute' and restart the host by hand if a hotfix asks for it",
		    p->op_id, p->op_id);
	}
	p->guidance = guidance_parse(g + strlen(GUIDANCE_TAG));
	procedure_applied(d, 0, p->applied, sizeof(p->applied));
	db_res_free(st);
	return CSM_OK;
}

int
procedure_applied(const char *detail, int newly, char *buf, size_t len)
{
	const char *end = strstr(detail ? detail : "", GUIDANCE_TAG);
	char *copy, *tok, *save = NULL;
	int n = 0;

	buf[0] = '\0';
	if (detail == NULL)
		return 0;
	copy = end ? xstrndup(detail, (size_t)(end - detail)) : xstrdup(detail);
	/* "NAME applied[ (uploaded again ...)]" or "NAME already applied", "; " apart. */
	for (tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		char *sp;
		size_t l;
		while (*tok == ' ')
			tok++;
		if ((sp = strchr(tok, ' ')) == NULL || (newly ? strncmp(sp, " applied", 8) != 0 :
		    strstr(sp, "applied") == NULL))
			continue;
		*sp = '\0';
		l = strlen(buf);
		snprintf(buf + l, len - l, "%s%s", l ? ", " : "", tok);
		n++;
	}
	free(copy);
	return n;
}

static int
step_patch(struct proc *p, char *detail, size_t len)
{
	const struct conf_procedure *c = &p->s->conf->proc;
	int progress = isatty(2) && !csm_quiet, rc = CSM_OK;
	size_t i;

	detail[0] = '\0';
	for (i = 0; i < p->ntodo && rc == CSM_OK; i++) {
		const struct plan_entry *e = p->todo[i];
		const char *file = file_for(e);
		struct patch_one req = { e->uuid ? e->uuid : e->name_label, e->name_label, file,
		    PATCH_APPLY, c->wait_timeout, progress, p->s->conf->xapi.update_sr, 0,
		    "" };
		enum patch_outcome done;
		struct patch pt;

		if (interrupted(p))
			return CSM_EFAIL;
		rc = patch_apply_one(p->t.pool, p->t.updates, p->t.xs->ref, &req, &pt, &done, NULL);
		if (rc == CSM_ENOTFOUND)
			rc = csm_err_set(CSM_EFAIL, "%s is planned but not on the pool and no file "
			    "was given for it", e->name_label);
		if (rc == CSM_OK && done == PATCH_APPLIED)
			csm_info("%s: applied on %s", pt.name_label, p->t.name);
		if (rc == CSM_OK) {
			/* Planned but found applied: applied by this operation before it was
			 * interrupted (or by someone else since the plan): its restart is due
			 * all the same. */
			size_t l = strlen(p->applied);
			p->guidance |= pt.guidance;
			snprintf(p->applied + l, sizeof(p->applied) - l, "%s%s", l ? ", " : "",
			    pt.name_label);
		}
		if (rc == CSM_ECONFLICT)
			rc = CSM_EFAIL;		/* a failed precheck fails the procedure */
		if (rc == CSM_OK) {
			size_t l = strlen(detail);
			snprintf(detail + l, len - l, "%s%s %s%s%s%s", l ? "; " : "", pt.name_label,
			    done == PATCH_ALREADY ? "already applied" : "applied", req.reuploaded ?
			    " (uploaded again after " : "", req.reuploaded ? req.why : "",
			    req.reuploaded ? ": the pool master lacked its file)" : "");
			report_patch(p->rep, &pt, done == PATCH_ALREADY ? "already applied" :
			    "applied", file);
		}
		/* A mandatory restart comes right after its patch, before the next one is
		 * prechecked (XenCenter, AutomatedUpdatesBasePage.cs). */
		if (rc == CSM_OK && e->patch != NULL && e->patch->guidance_mandatory &&
		    i + 1 < p->ntodo && guidance_restart(pt.guidance) != RESTART_NONE)
			rc = restart_now(p, &pt);
		patch_clear(&pt);
	}
	if (rc == CSM_OK && detail[0] == '\0')
		snprintf(detail, len, "nothing to apply");
	if (rc == CSM_OK) {
		/* The reboot step, and a resume, decide from this record (patch_record). */
		char g[128];
		size_t l = strlen(detail);
		guidance_text(p->guidance, g, sizeof(g));
		snprintf(detail + l, len - l, "; " GUIDANCE_TAG "%s", g[0] ? g : "none");
	}
	return rc;
}

/* Guidance of everything planned, from the catalog or the pool's own records: what the
 * dry run announces.  The reboot step decides from what was applied (patch_record). */
static unsigned
planned_guidance(struct proc *p)
{
	unsigned g = p->guidance;
	struct patch pt;
	size_t i;

	for (i = 0; i < p->ntodo; i++) {
		const struct plan_entry *e = p->todo[i];
		if (e->patch != NULL) {
			g |= guidance_parse(e->patch->guidance_text);
		} else if (p->t.pool != NULL &&
		    patch_find(p->t.pool, p->t.updates, e->name_label, &pt) == CSM_OK) {
			g |= pt.guidance;
			patch_clear(&pt);
		}
	}
	csm_err_clear();
	return g;
}

/* The journal's record, written right before the reboot is asked for, with the
 * boot_time before it. */
#define REBOOT_STEP "reboot-requested"
#define REBOOT_TAG "boot_time before: "

static void
note_reboot_requested(void *arg, const char *boot_before)
{
	struct proc *p = arg;
	char detail[160];
	long long seq = 0;

	snprintf(detail, sizeof(detail), "asking XenServer for the reboot; " REBOOT_TAG "%s",
	    boot_before);
	if (journal_step_start(p->s->db, p->op_id, REBOOT_STEP, NULL, &seq) == CSM_OK)
		journal_step_finish(p->s->db, p->op_id, seq, "done", detail);
	csm_err_clear();
}

/* The boot_time before a reboot this operation asked for, from the journal ("" none). */
static int
reboot_requested(struct proc *p, char *boot, size_t len)
{
	struct db_res *st = NULL;
	const char *d;
	int i, rc;

	boot[0] = '\0';
	if ((rc = DB_RETRY(p, journal_op_steps(p->s->db, p->op_id, &st))) != CSM_OK)
		return rc;
	for (i = 0; i < db_res_rows(st); i++)
		if (strcmp(db_get(st, i, J_STEP_NAME), REBOOT_STEP) == 0 &&
		    (d = db_get(st, i, J_STEP_DETAIL)) != NULL && strstr(d, REBOOT_TAG) != NULL)
			snprintf(boot, len, "%s", strstr(d, REBOOT_TAG) + strlen(REBOOT_TAG));
	db_res_free(st);
	return CSM_OK;
}

/*
 * A reboot this operation was about to ask for when it was interrupted: did XenServer get
 * the request?  Yes once the host stops answering or shows another boot_time (then
 * *again = 0: only wait); no when it keeps answering with the same boot_time for
 * REBOOT_GRACE seconds (*again = 1: ask now).  xapi reboots within seconds of accepting
 * host.reboot (its fuse), so the grace only matters when csmaint died between its
 * journal row and the call.
 */
#define REBOOT_GRACE 30.0

static int
reboot_asked_before(struct proc *p, const char *asked, int *again)
{
	double start = csm_now(), poll = p->s->conf->proc.poll_interval;
	char now[64];

	*again = 0;
	csm_info("%s: a reboot was being asked for before this resume (boot_time %s): "
	    "looking whether XenServer started it", p->t.name, asked);
	for (;;) {
		if (wait_stopped())
			return CSM_EFAIL;
		if (xshost_boot_time(p->t.pool, p->t.xs->uuid, now, sizeof(now)) != CSM_OK) {
			csm_err_clear();	/* not answering: the reboot is under way */
			return CSM_OK;
		}
		if (strcmp(now, asked) != 0)
			return CSM_OK;		/* rebooted already */
		if (csm_now() - start >= REBOOT_GRACE) {
			csm_info("%s: still up with boot_time %s after %.0f s: the reboot was never "
			    "asked for; asking now", p->t.name, now, REBOOT_GRACE);
			*again = 1;
			return CSM_OK;
		}
		wait_sleep(poll);
	}
}

/*
 * The restart the applied hotfixes ask for.  Decided from what the operation applied
 * (this run's patch step, or its journal record on resume) and from XenCenter's
 * reboot-pending rule, so that a resume reboots a host exactly once: a host that
 * rebooted since the hotfixes were applied is only waited for.
 */
static int
step_reboot(struct proc *p, char *detail, size_t len)
{
	struct db_res *row = NULL;
	char names[sizeof(p->applied)], *tok, *save = NULL, asked[64];
	const char *did;
	int rc, pending = 0, verified = 0;

	if ((rc = patch_record(p)) != CSM_OK)
		return rc;
	/* Re-read the row: the wait expects CloudStack's status as it is now. */
	if ((rc = DB_RETRY(p, cs_host_get(p->s->db, p->host_id, &row))) != CSM_OK)
		return rc;
	db_res_free(p->t.row);
	p->t.row = row;
	p->t.name = db_get(row, 0, CS_H_NAME);
	if ((rc = reboot_requested(p, asked, sizeof(asked))) != CSM_OK)
		return rc;
	if (asked[0] != '\0' && (rc = reboot_asked_before(p, asked, &pending)) != CSM_OK)
		return rc;
	if (asked[0] != '\0' && !pending) {
		did = "host rebooted (before this resume)";
		rc = xshost_restart(p->s, &p->t, XSHOST_WAIT, &(struct xshost_opts){ asked, NULL,
		    NULL });
	} else {
		if (asked[0] == '\0' &&
		    (rc = xshost_reboot_pending(p->t.pool, p->t.xs->uuid, &pending)) != CSM_OK) {
			if (guidance_restart(p->guidance) != RESTART_HOST) {
				csm_err_prefix("cannot tell whether %s needs a reboot", p->t.name);
				return rc;
			}
			pending = 1;	/* the journal says a reboot is due */
			csm_err_clear();
		}
		if (pending) {
			did = "host rebooted";
			rc = xshost_restart(p->s, &p->t, XSHOST_REBOOT, &(struct xshost_opts){ NULL,
			    note_reboot_requested, p });
		} else if (guidance_restart(p->guidance) == RESTART_HOST) {
			did = "host rebooted (before this resume)";
			csm_info("%s rebooted since the hotfixes were applied: waiting until it "
			    "is back", p->t.name);
			rc = xshost_restart(p->s, &p->t, XSHOST_WAIT, NULL);
		} else if (guidance_restart(p->guidance) == RESTART_TOOLSTACK) {
			did = "toolstack restarted";
			rc = xshost_restart(p->s, &p->t, XSHOST_RESTART_TOOLSTACK, NULL);
		} else {
			did = "no restart needed";
		}
	}
	if (rc != CSM_OK)
		return rc;
	/* The patches show as applied after the restart. */
	snprintf(names, sizeof(names), "%s", p->applied);
	for (tok = strtok_r(names, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		struct patch pt;
		int applied = 0;

		if ((rc = patch_find(p->t.pool, p->t.updates, tok, &pt)) != CSM_OK)
			return rc;
		rc = patch_applied(p->t.pool, &pt, p->t.xs->ref, &applied);
		patch_clear(&pt);
		if (rc != CSM_OK)
			return rc;
		if (!applied)
			return csm_err_set(CSM_EFAIL, "%s does not show as applied on %s after the "
			    "restart", tok, p->t.name);
		verified++;
	}
	snprintf(detail, len, "%s; %d patch%s verified applied", did, verified,
	    verified == 1 ? "" : "es");
	return CSM_OK;
}

/*
 * XenCenter removes the update files from the pool after the last host
 * (RemoveUpdateFilesFromMaster.cs): they fill dom0's /var/patch, and xapi refuses an
 * upload without about three times its size free there.  Once every host of the pool
 * has a hotfix this operation applied, its files go.  Best effort: a failure is said
 * in the detail, never a reason to roll the host back.
 */
static int
step_clean(struct proc *p, char *detail, size_t len)
{
	char *text;
	int rc;

	if (p->child != NULL) {
		snprintf(detail, len, "left to the rolling operation %lld: it cleans the pool "
		    "after its last host", p->child->parent_id);
		return CSM_OK;
	}
	if ((rc = patch_record(p)) != CSM_OK)
		return rc;
	text = patch_clean_applied(p->t.pool, p->t.updates, p->t.hosts, p->t.nh, p->t.xs,
	    p->t.name, p->applied);
	snprintf(detail, len, "%s", text[0] ? text : "nothing applied, nothing to clean");
	free(text);
	return CSM_OK;
}

static int
dry_clean(struct proc *p, struct dry *d)
{
	(void)p;
	dry_note(d, "  pool_patch.pool_clean (7.1+: pool_update.pool_clean) of each applied "
	    "hotfix that every host of the pool has");
	return CSM_OK;
}

/* Restore and close as done; toggle_release journals the step in its transaction. */
static int
step_restore(struct proc *p, char *detail, size_t len)
{
	struct toggle_result res;
	int rc = toggle_release(p->s->db, p->s->cs, p->op_id, "done", NULL, &res);

	if (rc != CSM_OK && db_lost(p->s->db) && reconnect(p, 120) == CSM_OK)
		rc = toggle_release(p->s->db, p->s->cs, p->op_id, "done", NULL, &res);
	(void)detail;
	(void)len;
	return rc;
}

/* The operation's arguments as the journal keeps them (journal_args). */
static void
take_args(struct proc *p, const char *text)
{
	struct journal_args a;

	journal_args_parse(text, "host", &a);
	free(p->spec);
	free(p->catalog);
	p->spec = a.value;
	p->catalog = a.catalog;
	p->files = a.files;
	p->nfiles = a.nfiles;
}

/*
 * Set-up shared by a new run (after its checks) and a resume: the XenServer host,
 * the plan, what the patch step will apply.  RETRY: keep trying to reach XenServer
 * for procedure.reboot_timeout (a resume may find the host rebooting).
 */
static int
setup(struct proc *p, const char *spec, int retry)
{
	const struct conf_procedure *c = &p->s->conf->proc;
	double start = csm_now();
	int rc;

	while ((rc = target_open(p->s, spec, &p->t)) == CSM_EFAIL && retry &&
	    csm_now() - start < c->reboot_timeout && !wait_signal) {
		csm_info("resume: XenServer not reachable yet (%s); retrying", csm_err_msg());
		wait_sleep(c->poll_interval < 1 ? 1 : c->poll_interval);
	}
	if (rc != CSM_OK)
		return rc;
	if (p->t.id != p->host_id)
		return csm_err_set(CSM_ECONFLICT, "operation %lld is about host %lld, but '%s' "
		    "is now host %lld", p->op_id, p->host_id, spec, p->t.id);
	if ((rc = patch_plan_build(p->t.pool, p->t.xs, p->catalog, p->files, p->nfiles,
	    &p->cat, &p->plan)) != CSM_OK)
		return rc;
	/* The report owns them: the command shows the plan. */
	p->rep->plan = p->plan;
	p->rep->cat = p->cat;
	build_todo(p);
	csm_info("plan for %s: %zu hotfix%s to apply", p->t.name, p->ntodo,
	    p->ntodo == 1 ? "" : "es");
	return CSM_OK;
}

/* Master first, against the plan now made (a catalog run names its hotfixes only now). */
static int
master_first(struct proc *p)
{
	const char **names = xcalloc(p->ntodo + 1, sizeof(*names));
	char fact[768];
	size_t i;
	int ok;

	for (i = 0; i < p->ntodo; i++)
		names[i] = p->todo[i]->uuid ? p->todo[i]->uuid : p->todo[i]->name_label;
	ok = checks_master_first(&p->t, names, p->ntodo, fact, sizeof(fact));
	free(names);
	if (ok)
		return CSM_OK;
	checks_add(&p->rep->checks, "pool master first (the plan)", CHECK_FAIL, fact);
	p->rep->show_checks = 1;
	return csm_err_set(CSM_ECONFLICT, "refusing to start on host %s: %s; nothing was "
	    "changed", p->spec, fact);
}

/* Step 0: every precondition (check HOST), then the set-up, and the VMs without Tools
 * named before anything changes (they cannot live-migrate). */
static int
step_check(struct proc *p, char *detail, size_t len)
{
	char seen[1024];
	int rc, left, failed;

	rc = checks_run(p->s, p->spec, p->files, p->nfiles, p->member_first, &p->rep->checks);
	failed = p->rep->checks.failed;
	p->rep->show_checks = rc == CSM_OK && (failed || p->dry);
	if (rc != CSM_OK)
		return rc;
	if (failed) {
		struct sbuf why = SBUF_INIT;
		char *text;
		size_t i;
		for (i = 0; i < p->rep->checks.n; i++)
			if (p->rep->checks.v[i].result == CHECK_FAIL)
				sbuf_printf(&why, "%s%s: %s", why.len ? "; " : "",
				    p->rep->checks.v[i].name, p->rep->checks.v[i].fact);
		text = sbuf_take(&why);
		rc = csm_err_set(CSM_ECONFLICT, "refusing to start: %d check%s failed for host "
		    "%s (%s); nothing was changed", failed, failed == 1 ? "" : "s", p->spec, text);
		free(text);
		return rc;
	}
	if ((rc = setup(p, p->spec, 0)) != CSM_OK)
		return rc;
	if (!p->member_first && (rc = master_first(p)) != CSM_OK)
		return rc;
	if ((rc = vms_left(p, VMS_NO_TOOLS, seen, sizeof(seen), &left)) != CSM_OK)
		return rc;
	if (left < 0)
		csm_warn("cannot tell yet which VMs on %s lack XenServer Tools: %s; the "
		    "procedure's waits will look again", p->t.name, seen);
	else if (left > 0) {
		note_no_tools(p);
		csm_info("VMs without XenServer Tools on %s that cannot live-migrate (%s): "
		    "shut them down when asked and start them on another host afterwards: %s",
		    p->t.name, migrate_rule(p), seen);
	}
	snprintf(detail, len, "checks passed; %zu to apply", p->ntodo);
	return CSM_OK;
}

/* Step 1: disable allocation; the operation row and this step in the same transaction
 * (the check's result is its detail). */
static int
step_disable(struct proc *p, char *detail, size_t len)
{
	struct toggle_spec spec = { "hotfix", "running", 1, detail, NULL,
	    p->child ? p->child->parent_id : 0 };
	struct toggle_result res;
	char *args = journal_args("host", p->spec, p->catalog, p->files, p->nfiles);
	int rc;

	(void)len;
	spec.arguments = args;
	rc = toggle_take(p->s->db, p->s->cs, p->host_id, &spec, NULL, &res);
	free(args);
	if (rc != CSM_OK)
		return rc;
	p->op_id = res.op_id;
	snprintf(p->prior, sizeof(p->prior), "%s", res.prior);
	if (strcmp(res.prior, "Disabled") == 0)
		csm_warn("host %lld (%s) was already Disabled: csmaint writes nothing and restores "
		    "nothing%s", p->host_id, p->t.name, p->s->cs->gen == CS_GEN_22 ? "; "
		    "CloudStack 2.2 sets it to 'Enabled' when maintenance is cancelled: disable "
		    "it again if it must stay out of service" : "");
	else
		csm_info("operation %lld: host %lld (%s) %s 'Enabled' -> 'Disabled'", p->op_id,
		    p->host_id, p->t.name, p->s->cs->column);
	return CSM_OK;
}

/* ---- what each step would do: the dry run, generated from the step table ---- */

static int
dry_disable(struct proc *p, struct dry *d)
{
	struct toggle_spec spec = { "hotfix", "running", 1, NULL, NULL,
	    p->child ? p->child->parent_id : 0 };
	struct toggle_result res;
	int rc = toggle_take(p->s->db, p->s->cs, p->host_id, &spec, d, &res);

	snprintf(p->prior, sizeof(p->prior), "%s", res.prior);
	return rc;
}

static int
dry_waits(struct proc *p, struct dry *d)
{
	dry_note(d, "  every %.1f s for at most %.0f s: the placement query, XenAPI "
	    "VM.get_all_records, VM_guest_metrics.get_record", p->s->conf->proc.poll_interval,
	    p->s->conf->proc.wait_timeout);
	return CSM_OK;
}

static int
dry_handback(struct proc *p, struct dry *d)
{
	if (p->s->cs->gen != CS_GEN_30)
		dry_note(d, "  (CloudStack 2.2: nothing to do)");
	else
		dry_sql(d, p->s->db, TOGGLE_SQL_CAS, "sis", "Enabled", p->host_id, "Disabled");
	return CSM_OK;
}

static int
dry_patch(struct proc *p, struct dry *d)
{
	const char *cls = p->t.updates ? "pool_update" : "pool_patch";
	char m[64];
	size_t i;

	for (i = 0; i < p->ntodo; i++) {
		dry_note(d, "  %s: upload if not on the pool (task.create, PUT "
		    "/pool_patch_upload, task wait), then:", p->todo[i]->name_label);
		snprintf(m, sizeof(m), "%s.precheck", cls);
		dry_xenapi(d, m, NULL, "rr", cls, p->todo[i]->name_label, "host",
		    p->t.xs->name_label);
		snprintf(m, sizeof(m), "Async.%s.apply", cls);
		dry_xenapi(d, m, "then verify it is applied", "rr", cls, p->todo[i]->name_label,
		    "host", p->t.xs->name_label);
	}
	return CSM_OK;
}

static int
dry_reboot(struct proc *p, struct dry *d)
{
	enum guidance_restart r = guidance_restart(planned_guidance(p));
	size_t i;
	int unknown = 0;

	for (i = 0; i < p->ntodo; i++)
		if (p->todo[i]->patch == NULL)
			unknown = 1;
	dry_note(d, "  %s; verify the patches show as applied", r == RESTART_HOST ?
	    "reboot the host (host.disable, Async.host.reboot) and wait until XenServer and "
	    "CloudStack see it back" : r == RESTART_TOOLSTACK ? "restart the toolstack "
	    "(host.restart_agent) and wait" : unknown ? "reboot the host or restart its "
	    "toolstack if the after-apply guidance asks for it (learned on upload), and "
	    "wait until XenServer and CloudStack see it back" : "no restart needed");
	return CSM_OK;
}

static int
dry_restore(struct proc *p, struct dry *d)
{
	if (strcmp(p->prior, "Disabled") == 0)
		dry_note(d, "  (nothing: the host was Disabled before)");
	else
		dry_sql(d, p->s->db, TOGGLE_SQL_CAS, "sis", p->prior, p->host_id, "Disabled");
	return CSM_OK;
}

/* How run_steps() treats a step. */
#define STEP_BEFORE_OP	0x01	/* runs before the operation exists: no journal, no rollback */
#define STEP_JOURNALS	0x02	/* journals itself, in the transaction of its compare-and-set */
#define STEP_CLOSES	0x04	/* closes the operation: a refusal leaves it open (exit 5) */
#define STEP_FEEDS_NEXT	0x08	/* its detail is the next step's (the check's, the disable's) */

/* DESIGN §1, every step: the journal's step names, and the dry run's lines. */
struct step {
	const char	*name;
	const char	*what;
	int		(*run)(struct proc *, char *, size_t);
	int		(*dry)(struct proc *, struct dry *);	/* its statements and calls */
	unsigned	 flags;
};

static const struct step steps[] = {
	{ "check", "every precondition (the checks above) and the plan", step_check, NULL,
	    STEP_BEFORE_OP | STEP_FEEDS_NEXT },
	{ "disable", "disable allocation, with the operation row, in one transaction",
	    step_disable, dry_disable, STEP_BEFORE_OP | STEP_JOURNALS },
	{ "wait-vms", "wait until the user VMs with XenServer Tools have left the host",
	    step_wait_vms, dry_waits, 0 },
	{ "wait-no-tools", "wait until the running VMs without Tools are shut down",
	    step_wait_no_tools, NULL, 0 },
	{ TOGGLE_STEP_HANDBACK, "CloudStack 3.0+: set the column back to Enabled, which "
	    "maintenance needs, in one transaction with this step", step_handback, dry_handback,
	    STEP_JOURNALS },
	{ "wait-maintenance", "wait until CloudStack has the host in maintenance with no VM "
	    "left on it; ErrorInMaintenance fails the operation", step_wait_maintenance, NULL,
	    0 },
	{ "patch", "the hotfixes in plan order", step_patch, dry_patch, 0 },
	{ "reboot", "the restart the applied hotfixes ask for", step_reboot, dry_reboot, 0 },
	{ "clean", "remove the files of the hotfixes every host of the pool now has",
	    step_clean, dry_clean, 0 },
	{ "restore", "restore the allocation column and close the operation as done, in one "
	    "transaction", step_restore, dry_restore, STEP_JOURNALS | STEP_CLOSES },
};
#define NSTEPS ((int)(sizeof(steps) / sizeof(steps[0])))

/* ---- report, rollback, the main loop ---- */

/* The operation and its steps as the journal has them at the end. */
static void
report(struct proc *p)
{
	if (journal_op_get(p->s->db, p->op_id, &p->rep->op) != CSM_OK ||
	    journal_op_steps(p->s->db, p->op_id, &p->rep->steps) != CSM_OK)
		csm_warn("cannot read operation %lld back from the journal: %s", p->op_id,
		    csm_err_msg());
}

void
procedure_report_free(struct procedure_report *r)
{
	size_t i;

	checks_free(&r->checks);
	plan_free(r->plan);
	catalog_free(r->cat);
	for (i = 0; i < r->npatches; i++) {
		free(r->patches[i].name_label);
		free(r->patches[i].uuid);
		free(r->patches[i].action);
		free(r->patches[i].guidance);
		free(r->patches[i].file);
	}
	free(r->patches);
	db_res_free(r->op);
	db_res_free(r->steps);
	memset(r, 0, sizeof(*r));
}

/* Any failure after the disable: restore the column (CAS) and close as rolled_back. */
static int
rollback(struct proc *p)
{
	struct toggle_result res;
	double start = csm_now(), delay = 1;
	int rc;

	snprintf(p->error, sizeof(p->error), "%s", csm_err_msg());
	csm_error("%s", p->error);
	csm_info("rolling back operation %lld: restoring %s of host %lld (%s)", p->op_id,
	    p->s->cs->column, p->host_id, p->t.name);
	for (;;) {
		/* Reconnecting takes the lock again (also after a signal: the rollback is
		 * the answer to it): a resume or recover that took it in the meantime owns
		 * the operation now, and this run touches nothing. */
		if (db_lost(p->s->db) && reconnect_once(p) != CSM_OK && p->lost_lock)
			return CSM_ECONFLICT;
		rc = toggle_release(p->s->db, p->s->cs, p->op_id, "rolled_back", p->error,
		    &res);
		if (rc == CSM_OK) {
			csm_info("operation %lld rolled back: %s '%s' -> '%s'; hotfixes already "
			    "applied stay applied", p->op_id, p->s->cs->column, res.prior,
			    res.written);
			return csm_err_set(CSM_EFAIL, "%s (rolled back)", p->error);
		}
		if (!db_lost(p->s->db) || csm_now() - start > 60)
			break;
		wait_pause(delay);
		delay = delay * 2 > 8 ? 8 : delay * 2;
	}
	/* Could not restore: leave the operation open and say exactly what to do. */
	if (!db_lost(p->s->db))
		journal_op_fail(p->s->db, p->op_id, p->error);
	return csm_err_set(CSM_EMANUAL, "%s; and the rollback failed: %s. Host %lld (%s) "
	    "may still be Disabled and operation %lld stays open: check the host, then run "
	    "'csmaint recover %lld --execute'", p->error, csm_err_msg(), p->host_id, p->t.name,
	    p->op_id, p->op_id);
}

/* The dry run: each step with what it would do, from the table; TABLES adds the
 * command's tables (the checks, the plan) once step 0 made them. */
static int
dry_steps(struct proc *p, struct dry *d, procedure_tables_fn tables)
{
	char detail[256];
	int i, rc;

	rc = steps[0].run(p, detail, sizeof(detail));
	if (tables != NULL)
		tables(d, p->rep);
	if (rc != CSM_OK)
		return rc;
	for (i = 0; i < NSTEPS && rc == CSM_OK; i++) {
		dry_note(d, "step %d (%s): %s", i, steps[i].name, steps[i].what);
		if (steps[i].dry != NULL)
			rc = steps[i].dry(p, d);
	}
	return rc;
}

/* The detail a step's journal row starts with: a rolling run's proposed targets, which
 * the operator (and the simulators' autopilot) read while the step waits. */
static const char *
start_detail(const struct proc *p, const char *name, char *buf, size_t len)
{
	const char *pairs = NULL;

	if (p->child == NULL)
		return NULL;
	if (strcmp(name, "wait-vms") == 0)
		pairs = p->child->migrate_to;
	else if (strcmp(name, "wait-no-tools") == 0)
		pairs = p->child->restart_on;
	else
		return NULL;
	snprintf(buf, len, PROCEDURE_PROPOSED "%s", pairs && pairs[0] ? pairs : "none");
	return buf;
}

static int
run_steps(struct proc *p, int from)
{
	char start[2048];
	char detail[2048];
	long long seq;
	int i, rc;

	for (i = from; i < NSTEPS; i++) {
		const struct step *st = &steps[i];
		int own = !(st->flags & (STEP_JOURNALS | STEP_BEFORE_OP));

		if (interrupted(p))
			return st->flags & STEP_BEFORE_OP ? CSM_EFAIL : rollback(p);
		seq = 0;
		rc = own ? DB_RETRY(p, journal_step_start(p->s->db, p->op_id, st->name,
		    start_detail(p, st->name, start, sizeof(start)), &seq)) : CSM_OK;
		if (rc != CSM_OK)
			return rollback(p);
		if (i == 0 || !(steps[i - 1].flags & STEP_FEEDS_NEXT))
			detail[0] = '\0';
		rc = st->run(p, detail, sizeof(detail));
		if (rc != CSM_OK && (st->flags & STEP_BEFORE_OP))
			return rc;		/* nothing to roll back yet */
		if (rc != CSM_OK) {
			char *why = xstrdup(csm_err_msg());
			if (db_lost(p->s->db))
				reconnect(p, 30);
			if (own)
				journal_step_finish(p->s->db, p->op_id, seq, "failed", why);
			csm_err_set(rc, "%s", why);
			free(why);
			if (p->lost_lock)
				return CSM_ECONFLICT;	/* the other csmaint decides now */
			if ((st->flags & STEP_CLOSES) && rc == CSM_ECONFLICT) {
				/* The restore found a value neither csmaint's nor the prior one. */
				snprintf(p->error, sizeof(p->error), "%s", csm_err_msg());
				journal_op_fail(p->s->db, p->op_id, p->error);
				return csm_err_set(CSM_EMANUAL, "%s. Operation %lld stays open: check "
				    "host %lld (%s) in CloudStack, then run 'csmaint recover %lld "
				    "--execute'", p->error, p->op_id, p->host_id, p->t.name, p->op_id);
			}
			return rollback(p);
		}
		if (own)
			DB_RETRY(p, journal_step_finish(p->s->db, p->op_id, seq, "done", detail));
	}
	return CSM_OK;
}

/*
 * The VMs without Tools that the operator shut down, with the state each is in now by
 * XenServer ("i-2-2-VM (Halted)", "i-2-3-VM (Running on xs-02)").  A resumed run finds
 * their names in the journal's wait-no-tools step.
 */
static void
no_tools_now(struct proc *p, char *buf, size_t len)
{
	static const char prefix[] = "shut down by the operator: ";
	struct pool_host *hosts = NULL;
	struct pool_vm *vms = NULL;
	size_t nv = 0, nh = 0, j, k, l = 0;
	char names[sizeof(p->no_tools)], *tok, *save = NULL;

	buf[0] = '\0';
	snprintf(names, sizeof(names), "%s", p->no_tools);
	if (names[0] == '\0') {
		struct db_res *st = NULL;
		int i;
		if (journal_op_steps(p->s->db, p->op_id, &st) == CSM_OK)
			for (i = 0; i < db_res_rows(st); i++) {
				const char *d = db_get(st, i, J_STEP_DETAIL);
				if (strcmp(db_get(st, i, J_STEP_NAME), "wait-no-tools") == 0 &&
				    d != NULL && strncmp(d, prefix, sizeof(prefix) - 1) == 0)
					snprintf(names, sizeof(names), "%s", d + sizeof(prefix) - 1);
			}
		db_res_free(st);
	}
	if (names[0] == '\0')
		return;
	if (pool_vms(p->t.pool, p->t.xs->api_major, p->t.xs->api_minor, p->t.xs->ref, &vms,
	    &nv) != CSM_OK || pool_hosts(p->t.pool, &hosts, &nh) != CSM_OK) {
		csm_err_clear();
		nv = 0;
	}
	for (tok = strtok_r(names, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		char state[300] = "state not known";
		for (j = 0; j < nv; j++) {
			const char *on = NULL;
			if (strcmp(vms[j].name_label, tok) != 0)
				continue;
			for (k = 0; k < nh; k++)
				if (strcmp(hosts[k].ref, vms[j].resident_on) == 0)
					on = hosts[k].name_label;
			snprintf(state, sizeof(state), "%s%s%s", vms[j].power_state,
			    on ? " on " : "", on ? on : "");
		}
		l = strlen(buf);
		snprintf(buf + l, len - l, "%s%s (%s)", l ? ", " : "", tok, state);
	}
	pool_vms_free(vms, nv);
	pool_hosts_free(hosts, nh);
}

static void
final_words(struct proc *p)
{
	char nt[2048];

	no_tools_now(p, nt, sizeof(nt));
	if (p->child != NULL)
		csm_info("operation %lld done. In the CloudStack UI: cancel maintenance for "
		    "host %s now (the rolling run waits for it before the next host)%s%s%s%s.",
		    p->op_id, p->t.name, nt[0] ? "; start the VMs without Tools that were shut "
		    "down, if they are not running yet: " : "", nt, nt[0] && p->child->restart_on &&
		    p->child->restart_on[0] ? "; proposed hosts: " : "", nt[0] &&
		    p->child->restart_on ? p->child->restart_on : "");
	else
		csm_info("operation %lld done. In the CloudStack UI: cancel maintenance for "
		    "host %s, then migrate VMs back to it as needed%s%s.", p->op_id, p->t.name,
		    nt[0] ? "; start the VMs without Tools that were shut down, if they are not "
		    "running yet: " : "", nt);
	if ((p->guidance | planned_guidance(p)) & (GUIDE_RESTART_HVM | GUIDE_RESTART_PV))
		csm_info("after-apply guidance: restart the HVM/PV guests that run on %s once "
		    "they are back on it", p->t.name);
	if (p->s->cs->gen == CS_GEN_30)
		csm_info("CloudStack 3.0+: cancelling maintenance returns the host to service "
		    "(it owns resource_state during maintenance)");
}

static void
proc_free(struct proc *p)
{
	int i;

	/* A child's lock is the rolling run's: it keeps it. */
	if (p->lock[0] && p->child == NULL && p->s->db && !db_lost(p->s->db))
		db_release_lock(p->s->db, p->lock);
	target_close(&p->t);
	free(p->todo);
	for (i = 0; i < p->nfiles; i++)
		free(p->files[i]);
	free(p->files);
	free(p->catalog);
	free(p->spec);
}

static int
take_lock(struct proc *p)
{
	long long holder = 0;
	char why[512];
	int got, rc;

	if (p->child != NULL) {
		/* The rolling run holds its cluster's lock for every child. */
		snprintf(p->lock, sizeof(p->lock), "%s", p->child->lock);
		return CSM_OK;
	}
	journal_lock_name(db_schema(p->s->db), p->host_id, p->lock, sizeof(p->lock));
	if ((rc = db_get_lock(p->s->db, p->lock, 0, &got)) != CSM_OK)
		return rc;
	if (!got) {
		db_lock_holder(p->s->db, p->lock, &holder);
		p->lock[0] = '\0';
		return csm_err_set(CSM_ECONFLICT, "host %lld is locked by another csmaint "
		    "(database connection %lld): an operation on it is running", p->host_id,
		    holder);
	}
	/* Looked at after the host's lock is taken: a rolling run starting now sees it. */
	{
		struct db_res *row = NULL;
		long long cluster = -1;
		if ((rc = cs_host_get(p->s->db, p->host_id, &row)) == CSM_OK)
			cluster = db_get_int(row, 0, CS_H_CLUSTER, -1);
		db_res_free(row);
		if (rc == CSM_OK && cluster >= 0)
			rc = journal_cluster_held(p->s->db, cluster, why, sizeof(why));
		else
			why[0] = '\0';
	}
	if (rc != CSM_OK || why[0] != '\0') {
		db_release_lock(p->s->db, p->lock);
		p->lock[0] = '\0';
		return rc != CSM_OK ? rc : csm_err_set(CSM_ECONFLICT, "host %lld: %s",
		    p->host_id, why);
	}
	return CSM_OK;
}


static int
run(const struct site *s, const char *host, char *const *files, int nfiles,
    const char *catalog, unsigned flags, struct dry *d, procedure_tables_fn tables,
    const struct procedure_child *child, struct procedure_report *r)
{
	struct proc p;
	int rc;

	memset(&p, 0, sizeof(p));
	memset(r, 0, sizeof(*r));
	p.s = s;
	p.rep = r;
	p.child = child;
	p.dry = d != NULL;
	p.member_first = (flags & PROC_MEMBER_FIRST) != 0;
	wait_catch_signals();
	if ((rc = cs_host_resolve(s->db, host, &p.host_id)) != CSM_OK)
		return rc;
	/* The inputs first: a file that cannot be used is found now, before the host is
	 * touched (and a resume must find the same files again). */
	if ((rc = patch_inputs_check(catalog, files, nfiles)) != CSM_OK) {
		csm_err_prefix("refusing to start on host %s; nothing was changed", host);
		return rc;
	}
	p.spec = xstrdup(host);
	p.catalog = catalog ? xstrdup(catalog) : NULL;
	p.files = xcalloc((size_t)nfiles + 1, sizeof(*p.files));
	for (p.nfiles = 0; p.nfiles < nfiles; p.nfiles++)
		p.files[p.nfiles] = xstrdup(files[p.nfiles]);
	if (p.dry)
		rc = dry_steps(&p, d, tables);
	else if ((rc = take_lock(&p)) == CSM_OK && (rc = run_steps(&p, 0)) == CSM_OK)
		final_words(&p);
	if (p.op_id != 0)
		report(&p);
	proc_free(&p);
	return rc;
}

int
procedure_run(const struct site *s, const char *host, char *const *files, int nfiles,
    const char *catalog, unsigned flags, struct dry *d, procedure_tables_fn tables,
    struct procedure_report *r)
{
	return run(s, host, files, nfiles, catalog, flags, d, tables, NULL, r);
}

int
procedure_run_child(const struct site *s, const char *host, char *const *files, int nfiles,
    const char *catalog, const struct procedure_child *child, struct procedure_report *r)
{
	return run(s, host, files, nfiles, catalog, 0, NULL, NULL, child, r);
}

static int
resume(const struct site *s, long long op_id, const struct procedure_child *child,
    struct procedure_report *r)
{
	struct db_res *op = NULL, *st = NULL;
	struct proc p;
	int rc, i, from = 0;
	char *who;

	memset(&p, 0, sizeof(p));
	memset(r, 0, sizeof(*r));
	p.s = s;
	p.rep = r;
	p.op_id = op_id;
	p.child = child;
	wait_catch_signals();
	if ((rc = journal_op_raw(s->db, op_id, &op)) != CSM_OK)
		return rc;
	p.host_id = db_get_int(op, 0, J_RAW_HOST_ID, 0);
	if (strcmp(db_get(op, 0, J_RAW_KIND), "hotfix") != 0) {
		rc = csm_err_set(CSM_ECONFLICT, "operation %lld is a '%s', not a hotfix: only "
		    "hotfix operations can be resumed (use 'csmaint host enable' or 'csmaint "
		    "recover')", op_id, db_get(op, 0, J_RAW_KIND));
		goto out;
	}
	if (db_get(op, 0, J_RAW_PARENT) != NULL && child == NULL) {
		rc = csm_err_set(CSM_ECONFLICT, "operation %lld is part of rolling operation %s: "
		    "resume that one ('csmaint resume %s')", op_id, db_get(op, 0, J_RAW_PARENT),
		    db_get(op, 0, J_RAW_PARENT));
		goto out;
	}
	if (db_get(op, 0, J_RAW_OPEN_HOST) == NULL) {
		csm_info("operation %lld is already closed (%s): nothing to resume", op_id,
		    db_get(op, 0, J_RAW_STATE));
		rc = CSM_OK;
		goto out;
	}
	if ((rc = take_lock(&p)) != CSM_OK) {
		csm_err_prefix("cannot resume operation %lld", op_id);
		goto out;
	}
	take_args(&p, db_get(op, 0, J_RAW_ARGS));
	/* The host may be rebooting (killed during the reboot wait): setup keeps trying
	 * for reboot_timeout. */
	if ((rc = setup(&p, p.spec ? p.spec : "", 1)) != CSM_OK)
		goto out;
	who = csm_operator_name();
	journal_op_touch(s->db, op_id, (long long)getpid(), who);
	free(who);
	/* Continue after the last completed step; a step left running runs again. */
	if ((rc = journal_op_steps(s->db, op_id, &st)) != CSM_OK)
		goto out;
	for (i = 0; i < db_res_rows(st); i++) {
		int k;
		if (strcmp(db_get(st, i, J_STEP_STATE), "done") != 0)
			continue;
		for (k = 0; k < NSTEPS; k++)
			if (strcmp(steps[k].name, db_get(st, i, J_STEP_NAME)) == 0 && k + 1 > from)
				from = k + 1;
	}
	for (i = 0; i < from && i < NSTEPS; i++)
		if (strcmp(steps[i].name, TOGGLE_STEP_HANDBACK) == 0 && s->cs->gen == CS_GEN_30)
			p.handed_back = 1;
	csm_info("resuming operation %lld on host %lld (%s) at step %s", op_id, p.host_id,
	    p.t.name, from < NSTEPS ? steps[from].name : "(all done)");
	{
		struct db_res *row = NULL;
		if ((rc = host_now(&p, &row)) != CSM_OK)
			goto out;
		db_res_free(row);
	}
	rc = run_steps(&p, from);
	if (rc == CSM_OK)
		final_words(&p);
	report(&p);
out:
	db_res_free(op);
	db_res_free(st);
	proc_free(&p);
	return rc;
}

int
procedure_resume(const struct site *s, long long op_id, struct procedure_report *r)
{
	return resume(s, op_id, NULL, r);
}

int
procedure_resume_child(const struct site *s, long long op_id,
    const struct procedure_child *child, struct procedure_report *r)
{
	return resume(s, op_id, child, r);
}
