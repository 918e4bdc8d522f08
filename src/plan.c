/* plan.c: compute the ordered hotfixes a host still needs from the catalog (pure, no I/O). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csmaint.h"
#include "guidance.h"
#include "catalog.h"
#include "plan.h"

/*
 * One candidate line of the plan while it is being worked out.  Items are created in
 * "slot" order (the order the catalog or the request names them), which is the order
 * skipped entries are reported in; PLAN_APPLY items are re-ordered by sequence().
 */
struct item {
	const struct catalog_patch *p;	/* NULL: not described in the catalog */
	char *uuid;			/* only when p is NULL */
	char *name;			/* only when p is NULL */
	char *request;
	enum plan_action action;
	char *reason;
	size_t rank;			/* position in the minimal list, for ordering */
	int needs_cu;			/* for the version the CU installs (§2.4 hop) */
	size_t emitted;			/* 1 + position in the sequence; 0: not emitted */
};

struct planner {
	const struct plan_input *in;
	const struct catalog *cat;
	const struct catalog_version *v;	/* first matching entry (§2.1) */
	const struct catalog_version *hop;	/* version a CU in reach installs */
	const struct catalog_patch *cu;		/* the patch that installs hop */
	int minimal;				/* v has <minimalpatches> */
	char **L;				/* minimal list, own then hop, no repeats */
	size_t nL, nL_own;
	struct item *items;
	size_t nitems, cap;
	size_t nemitted;
};

static const char *action_names[] = {
	[PLAN_APPLY] = "apply",
	[PLAN_SKIP_APPLIED] = "skip-applied",
	[PLAN_SKIP_SUPERSEDED] = "skip-superseded",
	[PLAN_SKIP_CONFLICT] = "skip-conflict",
	[PLAN_SKIP_NOT_FOR_VERSION] = "skip-not-for-version",
	[PLAN_SKIP_MISSING_PREREQUISITE] = "skip-missing-prerequisite",
	[PLAN_UNKNOWN] = "unknown",
};

const char *
plan_action_name(enum plan_action action)
{
	if ((size_t)action >= sizeof(action_names) / sizeof(action_names[0]))
		return "?";
	return action_names[action];
}

char *
plan_request_name(const char *request)
{
	static const char *exts[] = { ".xsupdate", ".iso", ".zip" };
	const char *base = strrchr(request, '/');
	size_t len, elen, i;

	base = base != NULL ? base + 1 : request;
	len = strlen(base);
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		elen = strlen(exts[i]);
		if (len > elen && strcasecmp(base + len - elen, exts[i]) == 0) {
			len -= elen;
			break;
		}
	}
	return xstrndup(base, len);
}

/* 8-4-4-4-12 hex digits: a request that names a uuid directly. */
static int
looks_like_uuid(const char *s)
{
	size_t i;

	if (strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (strchr("0123456789abcdefABCDEF", s[i]) == NULL) {
			return 0;
		}
	}
	return 1;
}

static char *
lower_dup(const char *s)
{
	char *d = xstrdup(s), *p;

	for (p = d; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return d;
}

/* ---- the host's state ---- */

static int
applied_uuid(const struct planner *pl, const char *uuid)
{
	size_t i;

	for (i = 0; i < pl->in->napplied; i++)
		if (pl->in->applied[i].uuid != NULL &&
		    strcasecmp(pl->in->applied[i].uuid, uuid) == 0)
			return 1;
	return 0;
}

static int
applied_name(const struct planner *pl, const char *name)
{
	size_t i;

	for (i = 0; i < pl->in->napplied; i++)
		if (pl->in->applied[i].name_label != NULL &&
		    strcasecmp(pl->in->applied[i].name_label, name) == 0)
			return 1;
	return 0;
}

/* By uuid (§2.2), or by name for the transient uuids 7.1 shows after an upload. */
static int
patch_applied(const struct planner *pl, const struct catalog_patch *p)
{
	return applied_uuid(pl, p->uuid) || applied_name(pl, p->name_label);
}

static int
uuid_applied(const struct planner *pl, const char *uuid)
{
	const struct catalog_patch *p = catalog_patch_by_uuid(pl->cat, uuid);

	return p != NULL ? patch_applied(pl, p) : applied_uuid(pl, uuid);
}

static const char *
name_of(const struct planner *pl, const char *uuid)
{
	const struct catalog_patch *p = catalog_patch_by_uuid(pl->cat, uuid);

	return p != NULL ? p->name_label : uuid;
}

/* ---- catalog relations ---- */

static int
lists_conflict(const struct catalog_patch *p, const char *uuid)
{
	size_t i;

	for (i = 0; i < p->nconflicts; i++)
		if (strcasecmp(p->conflicts[i], uuid) == 0)
			return 1;
	return 0;
}

/* Conflict lists are read in both directions: the feed's direction is unknown (§2.7). */
static int
in_conflict(const struct catalog_patch *p, const struct catalog_patch *q)
{
	return lists_conflict(p, q->uuid) || lists_conflict(q, p->uuid);
}

/*
 * The name of an applied patch that p's own conflict list names, or NULL.  Only p's own
 * list counts, as in XenCenter (§2.3): if an older patch lists the rollup that supersedes
 * it (the direction §2.7 suggests), reading the lists of applied patches too would block
 * every rollup on a host that has the older patch.
 */
static const char *
applied_conflict(const struct planner *pl, const struct catalog_patch *p)
{
	size_t i;

	for (i = 0; i < p->nconflicts; i++)
		if (uuid_applied(pl, p->conflicts[i]))
			return name_of(pl, p->conflicts[i]);
	return NULL;
}

static long
index_in_L(const struct planner *pl, const char *uuid)
{
	size_t i;

	for (i = 0; i < pl->nL; i++)
		if (strcasecmp(pl->L[i], uuid) == 0)
			return (long)i;
	return -1;
}

/*
 * Is p published for this host?  1: under a version entry that matches the host; 2: under
 * the version a CU in reach installs (so only once the CU is on); 0: neither.
 */
static int
for_host(const struct planner *pl, const struct catalog_patch *p)
{
	const struct catalog_version *v;
	size_t i;

	for (i = 0; i < pl->cat->nversions; i++) {
		v = &pl->cat->versions[i];
		if (catalog_version_matches(v, pl->in->product_version, pl->in->build_number) &&
		    (catalog_version_lists(v, p->uuid, 0) || catalog_version_lists(v, p->uuid, 1)))
			return 1;
	}
	if (pl->hop != NULL && (catalog_version_lists(pl->hop, p->uuid, 0) ||
	    catalog_version_lists(pl->hop, p->uuid, 1)))
		return 2;
	return 0;
}

/*
 * The version reachable through a CU.  With a minimal set, XenCenter's rule (§2.4): the
 * version whose patch-uuid is the last minimal patch.  Without one, the first version
 * whose patch-uuid is among the host version's direct patches.
 */
static void
find_hop(struct planner *pl)
{
	const struct catalog_version *h;
	size_t i, j;

	for (i = 0; i < pl->cat->nversions && pl->hop == NULL; i++) {
		h = &pl->cat->versions[i];
		if (h == pl->v || h->patch_uuid == NULL)
			continue;
		if (pl->minimal) {
			if (pl->v->nminimal > 0 &&
			    strcmp(h->patch_uuid, pl->v->minimal[pl->v->nminimal - 1]) == 0)
				pl->hop = h;
		} else {
			for (j = 0; j < pl->v->npatches; j++)
				if (strcmp(h->patch_uuid, pl->v->patches[j]) == 0)
					pl->hop = h;
		}
	}
	if (pl->hop != NULL)
		pl->cu = catalog_patch_by_uuid(pl->cat, pl->hop->patch_uuid);
	if (pl->cu == NULL)
		pl->hop = NULL;
}

static void
add_L(struct planner *pl, char **list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (index_in_L(pl, list[i]) >= 0)
			continue;	/* XenCenter repeats; applying twice helps nobody */
		pl->L = xrealloc(pl->L, (pl->nL + 1) * sizeof(*pl->L));
		pl->L[pl->nL++] = list[i];	/* borrowed from the catalog */
	}
}

static void
build_L(struct planner *pl)
{
	add_L(pl, pl->v->minimal, pl->v->nminimal);
	pl->nL_own = pl->nL;
	if (pl->hop != NULL && pl->hop->has_minimal)
		add_L(pl, pl->hop->minimal, pl->hop->nminimal);
}

/* Which version's minimal set L[i] comes from, for reasons. */
static const char *
L_origin(const struct planner *pl, size_t i)
{
	return i < pl->nL_own ? pl->v->value : pl->hop->value;
}

/* ---- items ---- */

static struct item *
add_item(struct planner *pl, const struct catalog_patch *p, enum plan_action action,
    char *reason)
{
	struct item *it;

	if (pl->nitems == pl->cap) {
		pl->cap = pl->cap ? 2 * pl->cap : 32;
		pl->items = xrealloc(pl->items, pl->cap * sizeof(*pl->items));
	}
	it = &pl->items[pl->nitems++];
	memset(it, 0, sizeof(*it));
	it->p = p;
	it->action = action;
	it->reason = reason;
	it->rank = (size_t)-1;
	if (p != NULL) {
		long r = index_in_L(pl, p->uuid);

		if (r >= 0)
			it->rank = (size_t)r;
	}
	return it;
}

static void
set_action(struct item *it, enum plan_action action, char *reason)
{
	free(it->reason);
	it->action = action;
	it->reason = reason;
}

static struct item *
item_of(const struct planner *pl, const struct catalog_patch *p)
{
	size_t i;

	for (i = 0; i < pl->nitems; i++)
		if (pl->items[i].p == p)
			return &pl->items[i];
	return NULL;
}

/* Timestamps are ISO 8601 in UTC, so text order is time order; a missing one is oldest. */
static int
ts_cmp(const struct catalog_patch *a, const struct catalog_patch *b)
{
	if (a->timestamp == NULL || b->timestamp == NULL)
		return (a->timestamp != NULL) - (b->timestamp != NULL);
	return strcmp(a->timestamp, b->timestamp);
}

/*
 * The first requirement of it that is neither applied nor emitted, or NULL.  *is_cu is set
 * when what is missing is the CU that installs the patch's version.
 */
static const char *
first_unmet(const struct planner *pl, const struct item *it, int *is_cu)
{
	const struct catalog_patch *r;
	const struct item *ri;
	size_t i;

	*is_cu = 0;
	for (i = 0; i < it->p->nrequires; i++) {
		if (uuid_applied(pl, it->p->requires[i]))
			continue;
		r = catalog_patch_by_uuid(pl->cat, it->p->requires[i]);
		ri = r != NULL ? item_of(pl, r) : NULL;
		if (ri != NULL && ri->emitted)
			continue;
		return it->p->requires[i];
	}
	if (it->needs_cu && !patch_applied(pl, pl->cu)) {
		ri = item_of(pl, pl->cu);
		if (ri == NULL || !ri->emitted) {
			*is_cu = 1;
			return pl->cu->uuid;
		}
	}
	return NULL;
}

static char *
unmet_reason(const struct planner *pl, const struct item *it, const char *uuid, int is_cu)
{
	const struct catalog_patch *r = catalog_patch_by_uuid(pl->cat, uuid);
	const struct item *ri = r != NULL ? item_of(pl, r) : NULL;

	if (is_cu)
		return xasprintf("for %s, which %s installs: %s is neither applied nor planned",
		    pl->hop->value, r->name_label, r->name_label);
	if (r == NULL)
		return xasprintf("requires %s, which is not in the catalog", uuid);
	if (ri != NULL && ri->action == PLAN_APPLY && ri != it)
		return xasprintf("requires %s, which cannot be applied before it (it misses "
		    "a prerequisite itself, or the requirements form a cycle)", r->name_label);
	return xasprintf("requires %s, which is neither applied nor planned", r->name_label);
}

/* Working-list order before the §2.5 loop without a minimal set: by timestamp. */
static int
cmp_work_ts(const void *a, const void *b)
{
	const struct item *x = *(struct item *const *)a, *y = *(struct item *const *)b;
	int c;

	/* Missing timestamps go last here: undated entries keep catalog order at the end. */
	if ((x->p->timestamp == NULL) != (y->p->timestamp == NULL))
		return x->p->timestamp == NULL ? 1 : -1;
	if ((c = ts_cmp(x->p, y->p)) != 0)
		return c;
	return x->p->index < y->p->index ? -1 : x->p->index > y->p->index;
}

/* With a minimal set: the publisher's order (§2.5 keeps it). */
static int
cmp_work_L(const void *a, const void *b)
{
	const struct item *x = *(struct item *const *)a, *y = *(struct item *const *)b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return cmp_work_ts(a, b);
}

/*
 * §2.5: scan the working list, emit the first patch whose requirements are applied or
 * already emitted, restart; stop when a scan emits nothing.  What is left behind becomes
 * SKIP_MISSING_PREREQUISITE, naming the first unmet requirement.
 */
static void
sequence(struct planner *pl, int by_L)
{
	struct item **work;
	const char *u;
	char **why;
	size_t n = 0, i;
	int progress, is_cu;

	work = xcalloc(pl->nitems + 1, sizeof(*work));
	for (i = 0; i < pl->nitems; i++)
		if (pl->items[i].action == PLAN_APPLY)
			work[n++] = &pl->items[i];
	qsort(work, n, sizeof(*work), by_L ? cmp_work_L : cmp_work_ts);
	do {
		progress = 0;
		for (i = 0; i < n; i++) {
			if (work[i]->emitted || first_unmet(pl, work[i], &is_cu) != NULL)
				continue;
			work[i]->emitted = ++pl->nemitted;
			progress = 1;
			break;		/* restart the scan from the start */
		}
	} while (progress);
	/* Reasons first, while every leftover still reads as planned. */
	why = xcalloc(n + 1, sizeof(*why));
	for (i = 0; i < n; i++)
		if (!work[i]->emitted && (u = first_unmet(pl, work[i], &is_cu)) != NULL)
			why[i] = unmet_reason(pl, work[i], u, is_cu);
	for (i = 0; i < n; i++)
		if (!work[i]->emitted)
			set_action(work[i], PLAN_SKIP_MISSING_PREREQUISITE, why[i]);
	free(why);
	free(work);
}

/*
 * Two planned patches in conflict cannot both go on.  Greedy by strength: the newer
 * timestamp wins (a rollup is newer than what it rolls up, whatever the direction of the
 * conflict list), then the one named first (Xen Orchestra's rule, §3).
 */
static int
cmp_strength(const void *a, const void *b)
{
	const struct item *x = *(struct item *const *)a, *y = *(struct item *const *)b;
	int c = ts_cmp(y->p, x->p);

	if (c != 0)
		return c;
	return x < y ? -1 : x > y;	/* items are in slot order */
}

static void
resolve_conflicts(struct planner *pl)
{
	struct item **work, **kept;
	size_t n = 0, nkept = 0, i, j;

	work = xcalloc(pl->nitems + 1, sizeof(*work));
	kept = xcalloc(pl->nitems + 1, sizeof(*kept));
	for (i = 0; i < pl->nitems; i++)
		if (pl->items[i].action == PLAN_APPLY)
			work[n++] = &pl->items[i];
	qsort(work, n, sizeof(*work), cmp_strength);
	for (i = 0; i < n; i++) {
		for (j = 0; j < nkept; j++)
			if (in_conflict(work[i]->p, kept[j]->p))
				break;
		if (j == nkept) {
			kept[nkept++] = work[i];
		} else if (ts_cmp(kept[j]->p, work[i]->p) > 0) {
			set_action(work[i], PLAN_SKIP_SUPERSEDED, xasprintf("superseded: "
			    "conflicts with the newer %s, which is planned",
			    kept[j]->p->name_label));
		} else {
			set_action(work[i], PLAN_SKIP_CONFLICT, xasprintf("conflicts with %s, "
			    "which is planned and listed first", kept[j]->p->name_label));
		}
	}
	free(work);
	free(kept);
}

/* Why a patch of the version is outside the minimal set (§2.7). */
static char *
superseded_reason(const struct planner *pl, const struct catalog_patch *p)
{
	const struct catalog_patch *q;
	size_t i;

	for (i = 0; i < pl->nL; i++) {
		q = catalog_patch_by_uuid(pl->cat, pl->L[i]);
		if (q != NULL && q != p && in_conflict(p, q))
			return xasprintf("superseded: rolled up into %s (minimal set for %s)",
			    q->name_label, L_origin(pl, i));
	}
	return xasprintf("superseded: not in the minimal set for %s", pl->v->value);
}

static char *
host_desc(const struct planner *pl)
{
	const char *pv = pl->in->product_version, *bn = pl->in->build_number;

	return xasprintf("XenServer %s (build %s)", pv ? pv : "?", bn ? bn : "?");
}

/* ---- everything the host needs ---- */

static void
plan_minimal(struct planner *pl)
{
	const struct catalog_patch *p;
	struct item *it;
	size_t i;

	for (i = 0; i < pl->nL; i++) {
		p = catalog_patch_by_uuid(pl->cat, pl->L[i]);
		if (p == NULL) {
			it = add_item(pl, NULL, PLAN_UNKNOWN, xasprintf("in the minimal set for %s "
			    "but not described under <patches>", L_origin(pl, i)));
			it->uuid = xstrdup(pl->L[i]);
			it->name = xstrdup(pl->L[i]);
		} else if (item_of(pl, p) != NULL) {
			continue;	/* two uuids spelling one patch */
		} else if (patch_applied(pl, p)) {
			add_item(pl, p, PLAN_SKIP_APPLIED, xstrdup("already applied"));
		} else if (i < pl->nL_own) {
			add_item(pl, p, PLAN_APPLY, xasprintf("in the minimal set for %s",
			    pl->v->value));
		} else {
			it = add_item(pl, p, PLAN_APPLY, xasprintf("in the minimal set for %s, "
			    "which %s installs", pl->hop->value, pl->cu->name_label));
			it->needs_cu = p != pl->cu;
		}
	}
	/* XenCenter ignores direct uuids it cannot resolve; so do we. */
	for (i = 0; i < pl->v->npatches; i++) {
		p = catalog_patch_by_uuid(pl->cat, pl->v->patches[i]);
		if (p == NULL || item_of(pl, p) != NULL)
			continue;
		if (patch_applied(pl, p))
			add_item(pl, p, PLAN_SKIP_APPLIED, xstrdup("already applied"));
		else
			add_item(pl, p, PLAN_SKIP_SUPERSEDED, superseded_reason(pl, p));
	}
	sequence(pl, 1);
}

static void
plan_filter(struct planner *pl)
{
	const struct catalog_version *v;
	const struct catalog_patch *p;
	const char *c;
	size_t i, j;

	/* §2.3 uses every matching entry, not only the first. */
	for (i = 0; i < pl->cat->nversions; i++) {
		v = &pl->cat->versions[i];
		if (!catalog_version_matches(v, pl->in->product_version, pl->in->build_number))
			continue;
		for (j = 0; j < v->npatches; j++) {
			p = catalog_patch_by_uuid(pl->cat, v->patches[j]);
			if (p == NULL || item_of(pl, p) != NULL)
				continue;
			if (patch_applied(pl, p))
				add_item(pl, p, PLAN_SKIP_APPLIED, xstrdup("already applied"));
			else if ((c = applied_conflict(pl, p)) != NULL)
				add_item(pl, p, PLAN_SKIP_CONFLICT, xasprintf("conflicts with %s, "
				    "which is applied", c));
			else
				add_item(pl, p, PLAN_APPLY, xasprintf("listed for %s, which has no "
				    "minimal set in the catalog", v->value));
		}
	}
	resolve_conflicts(pl);
	sequence(pl, 0);
}

/* ---- a request ---- */

/* Could r be added to the plan to satisfy a requirement (XO's pull-in, §3)? */
static int
can_pull(const struct planner *pl, const struct catalog_patch *r)
{
	int fh = for_host(pl, r);
	size_t i;

	if (fh == 0 || (pl->minimal && index_in_L(pl, r->uuid) < 0))
		return 0;
	if (r == pl->cu)
		return 0;	/* a CU is a release upgrade: only on request */
	if (applied_conflict(pl, r) != NULL)
		return 0;
	for (i = 0; i < pl->nitems; i++)
		if (pl->items[i].action == PLAN_APPLY && pl->items[i].p != NULL &&
		    in_conflict(pl->items[i].p, r))
			return 0;
	return 1;
}

static void
pull_requirements(struct planner *pl)
{
	const struct catalog_patch *p, *r;
	struct item *it;
	size_t i, j;

	/* pl->nitems grows as we go, so pulled-in patches get their own turn. */
	for (i = 0; i < pl->nitems; i++) {
		if (pl->items[i].action != PLAN_APPLY || pl->items[i].p == NULL)
			continue;
		p = pl->items[i].p;
		for (j = 0; j < p->nrequires; j++) {
			if (uuid_applied(pl, p->requires[j]))
				continue;
			r = catalog_patch_by_uuid(pl->cat, p->requires[j]);
			if (r == NULL || item_of(pl, r) != NULL || !can_pull(pl, r))
				continue;	/* sequence() reports it */
			it = add_item(pl, r, PLAN_APPLY, xasprintf("required by %s",
			    p->name_label));
			it->needs_cu = for_host(pl, r) == 2;
		}
	}
}

static void
plan_request(struct planner *pl, struct item **unknown, size_t *nunknown)
{
	const struct catalog_patch *p;
	const struct catalog_version *lv;
	struct item *it, tmp;
	const char *c, *req;
	char *name, *hd;
	size_t i, j;
	int fh;

	for (i = 0; i < pl->in->nrequested; i++) {
		req = pl->in->requested[i];
		name = plan_request_name(req);
		p = NULL;
		if (pl->cat != NULL && (p = catalog_patch_by_uuid(pl->cat, name)) == NULL)
			p = catalog_patch_by_name(pl->cat, name);
		if (p == NULL) {
			/* Unknown files go after the known ones, in the order given. */
			memset(&tmp, 0, sizeof(tmp));
			tmp.name = name;
			tmp.request = xstrdup(req);
			if (looks_like_uuid(name))
				tmp.uuid = lower_dup(name);
			if (applied_name(pl, name) || applied_uuid(pl, name)) {
				tmp.action = PLAN_SKIP_APPLIED;
				tmp.reason = xstrdup("already applied");
			} else {
				tmp.action = PLAN_UNKNOWN;
				tmp.reason = xstrdup(pl->cat == NULL ? "no catalog: its identity is "
				    "learned on upload" : "not in the catalog: its identity is "
				    "learned on upload");
			}
			for (j = 0; j < *nunknown; j++)
				if (strcasecmp((*unknown)[j].name, name) == 0)
					break;
			if (j < *nunknown) {	/* the same file twice */
				free(tmp.name);
				free(tmp.uuid);
				free(tmp.request);
				free(tmp.reason);
				continue;
			}
			*unknown = xrealloc(*unknown, (*nunknown + 1) * sizeof(**unknown));
			(*unknown)[(*nunknown)++] = tmp;
			continue;
		}
		free(name);
		if (item_of(pl, p) != NULL)
			continue;	/* the same patch twice */
		it = add_item(pl, p, PLAN_APPLY, xstrdup("requested"));
		it->request = xstrdup(req);
		fh = pl->v != NULL ? for_host(pl, p) : 0;
		it->needs_cu = fh == 2;
		if (patch_applied(pl, p)) {
			set_action(it, PLAN_SKIP_APPLIED, xstrdup("already applied"));
		} else if (fh == 0) {
			hd = host_desc(pl);
			lv = NULL;
			for (j = 0; j < pl->cat->nversions && lv == NULL; j++)
				if (catalog_version_lists(&pl->cat->versions[j], p->uuid, 0))
					lv = &pl->cat->versions[j];
			if (pl->v == NULL)
				set_action(it, PLAN_SKIP_NOT_FOR_VERSION, xasprintf("the catalog "
				    "has no entry for %s", hd));
			else if (lv != NULL)
				set_action(it, PLAN_SKIP_NOT_FOR_VERSION, xasprintf("published for "
				    "%s, not for this host's %s", lv->value, hd));
			else
				set_action(it, PLAN_SKIP_NOT_FOR_VERSION, xasprintf("not listed "
				    "under any version in the catalog"));
			free(hd);
		} else if (pl->minimal && index_in_L(pl, p->uuid) < 0) {
			set_action(it, PLAN_SKIP_SUPERSEDED, superseded_reason(pl, p));
		} else if ((c = applied_conflict(pl, p)) != NULL) {
			set_action(it, PLAN_SKIP_CONFLICT, xasprintf("conflicts with %s, which is "
			    "applied", c));
		}
	}
	if (pl->cat == NULL)
		return;
	resolve_conflicts(pl);
	pull_requirements(pl);
	sequence(pl, pl->minimal);
}

/* ---- the result ---- */

static void
take(struct plan_entry *e, struct item *it)
{
	e->patch = it->p;
	if (it->p != NULL) {
		e->uuid = xstrdup(it->p->uuid);
		e->name_label = xstrdup(it->p->name_label);
		e->guidance = it->p->guidance;
		free(it->uuid);
		free(it->name);
	} else {
		e->uuid = it->uuid;
		e->name_label = it->name;
	}
	e->request = it->request;
	e->action = it->action;
	e->reason = it->reason;
	memset(it, 0, sizeof(*it));
}

static struct plan *
assemble(struct planner *pl, struct item *unknown, size_t nunknown)
{
	struct plan *p = xcalloc(1, sizeof(*p));
	size_t i, k, n = 0;

	p->version = pl->v;
	p->minimal = pl->minimal;
	p->entries = xcalloc(pl->nitems + nunknown + 1, sizeof(*p->entries));
	for (k = 1; k <= pl->nemitted; k++)
		for (i = 0; i < pl->nitems; i++)
			if (pl->items[i].emitted == k)
				take(&p->entries[n++], &pl->items[i]);
	p->napply = n;
	for (i = 0; i < pl->nitems; i++)
		if (pl->items[i].reason != NULL && pl->items[i].action != PLAN_UNKNOWN)
			take(&p->entries[n++], &pl->items[i]);
	for (i = 0; i < pl->nitems; i++)
		if (pl->items[i].reason != NULL)
			take(&p->entries[n++], &pl->items[i]);
	for (i = 0; i < nunknown; i++)
		take(&p->entries[n++], &unknown[i]);
	p->nentries = n;
	return p;
}

int
plan_compute(const struct plan_input *in, struct plan **out)
{
	struct planner pl;
	struct item *unknown = NULL;
	size_t nunknown = 0;
	char *hd;

	*out = NULL;
	memset(&pl, 0, sizeof(pl));
	pl.in = in;
	pl.cat = in->cat;
	if (pl.cat == NULL && in->nrequested == 0)
		return csm_err_set(CSM_EUSAGE, "no hotfix catalog and no hotfix files: nothing "
		    "to plan");
	if (pl.cat != NULL) {
		pl.v = catalog_version_for_host(pl.cat, in->product_version, in->build_number);
		if (pl.v == NULL && in->nrequested == 0) {
			hd = host_desc(&pl);
			csm_err_set(CSM_ENOTFOUND, "%s has no entry for %s: the catalog may be "
			    "older than the host", pl.cat->name, hd);
			free(hd);
			return CSM_ENOTFOUND;
		}
		if (pl.v != NULL) {
			pl.minimal = pl.v->has_minimal;
			find_hop(&pl);
			if (pl.minimal)
				build_L(&pl);
		}
	}
	if (in->nrequested > 0)
		plan_request(&pl, &unknown, &nunknown);
	else if (pl.minimal)
		plan_minimal(&pl);
	else
		plan_filter(&pl);
	*out = assemble(&pl, unknown, nunknown);
	free(unknown);
	free(pl.items);
	free(pl.L);
	return CSM_OK;
}

void
plan_free(struct plan *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nentries; i++) {
		free(p->entries[i].uuid);
		free(p->entries[i].name_label);
		free(p->entries[i].request);
		free(p->entries[i].reason);
	}
	free(p->entries);
	free(p);
}

void
plan_after_apply(const struct plan *p, struct plan_after *out)
{
	const struct plan_entry *e;
	unsigned bits = 0;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->vm_restarts = xcalloc(p->nentries + 1, sizeof(*out->vm_restarts));
	out->unknown_guidance = xcalloc(p->nentries + 1, sizeof(*out->unknown_guidance));
	for (i = 0; i < p->nentries; i++) {
		e = &p->entries[i];
		if (e->action != PLAN_APPLY)
			continue;
		bits |= e->guidance;
		if ((e->guidance & (GUIDE_RESTART_HOST | GUIDE_RESTART_XAPI)) &&
		    e->patch != NULL && e->patch->guidance_mandatory)
			out->mandatory = 1;
		if (e->guidance & (GUIDE_RESTART_HVM | GUIDE_RESTART_PV))
			out->vm_restarts[out->nvm_restarts++] = e;
		if (e->guidance & GUIDE_UNKNOWN)
			out->unknown_guidance[out->nunknown_guidance++] = e;
	}
	out->reboot_host = guidance_restart(bits) == RESTART_HOST;
	out->restart_toolstack = guidance_restart(bits) == RESTART_TOOLSTACK;
}

void
plan_after_free(struct plan_after *after)
{
	if (after == NULL)
		return;
	free(after->vm_restarts);
	free(after->unknown_guidance);
	memset(after, 0, sizeof(*after));
}
