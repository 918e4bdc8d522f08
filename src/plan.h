/* plan.h: which hotfixes a host still needs, in which order, and why the others are skipped. */
#ifndef PLAN_H
#define PLAN_H

#include <stddef.h>

#include "catalog.h"

/*
 * Calling sequence (pure: no I/O, no XenAPI; the caller gathers the host's state).
 *
 *	struct plan_applied applied[] = { { "3f2c…", "XS56EFP1001" }, … };
 *	struct plan_input in = {
 *		.cat = cat,				(may be NULL)
 *		.product_version = "5.6.100", .build_number = "39265p",
 *		.applied = applied, .napplied = n,
 *		.requested = argv, .nrequested = argc,	(0: everything the host needs)
 *	};
 *	struct plan *p = NULL;
 *	if (plan_compute(&in, &p) < 0)
 *		... csm_err_msg() ...
 *	for (i = 0; i < p->nentries; i++)
 *		if (p->entries[i].action == PLAN_APPLY) ... upload, precheck, apply ...
 *	struct plan_after after;
 *	plan_after_apply(p, &after);  ... reboot / restart toolstack / tell the operator ...
 *	plan_after_free(&after);
 *	plan_free(p);
 *
 * Ownership.  The input is borrowed for the call only.  The plan is the caller's; free it
 * with plan_free() (NULL is a no-op).  An entry's `patch` and the plan's `version` point
 * into the catalog, so the catalog must outlive the plan.  plan_after borrows entries
 * from the plan.
 *
 * Order of entries: first every PLAN_APPLY entry, in the order to apply them; then the
 * skipped entries (in the order the catalog or the request named them); then, for a
 * request, the PLAN_UNKNOWN files in the order given.  An UNKNOWN entry can still be
 * uploaded: its identity is learned from the host at upload time; csmaint applies those
 * after the known ones.
 *
 * Rules (shared/reference/xenapi/updates-xml.md §5; "applied" means the uuid is among the
 * host's applied uuids or, for hosts that report a transient uuid on 7.1 (§2.2), the
 * name-label matches an applied name-label, both case-insensitively):
 *
 * Everything the host needs (no request).  The host's version entry is the first match
 * of §2.1 (catalog_version_for_host); no match is CSM_ENOTFOUND.
 *  - With <minimalpatches>: XenCenter's automated-updates set.  The list is the entry's
 *    minimal set plus the CU hop of §2.4 (if the last minimal patch installs another
 *    version that has a minimal set, that set is appended; uuids already present are not
 *    repeated).  It is sequenced with §2.5: scan, emit the first patch that is not
 *    applied and whose requirements are applied or emitted, restart.  Applied members are
 *    SKIP_APPLIED; members never emitted are SKIP_MISSING_PREREQUISITE naming the first
 *    unmet requirement (§5.5: report, XenCenter drops them silently); members not
 *    described under <patches> are UNKNOWN.  Patches listed under the version but not in
 *    the minimal set are SKIP_SUPERSEDED, naming the minimal patch they conflict with (in
 *    either direction) when there is one; applied ones are SKIP_APPLIED.  Conflicts do not
 *    otherwise matter here, as in XenCenter: the publisher chose the set.
 *  - Without <minimalpatches> (§2.3 filter + §5.4): candidates are the direct patches of
 *    every matching version entry.  Drop applied ones (SKIP_APPLIED) and those in conflict
 *    with an applied patch (SKIP_CONFLICT): as in XenCenter only the candidate's own list
 *    counts, because an older patch that lists its rollup must not block that rollup
 *    (§2.7).  uuids listed under a version but not described under <patches> are
 *    ignored, as XenCenter does.  Between two candidates in conflict (either list) the
 *    one with the later timestamp wins, then the one listed first (XO's rule); the
 *    loser is SKIP_SUPERSEDED when the winner is newer, else SKIP_CONFLICT.  The
 *    timestamp comes first because the direction of conflict lists is not confirmed
 *    (§2.7, §6) and a rollup is always newer than what it rolls up.  The survivors are
 *    sorted by timestamp (missing last, ties in catalog order) and sequenced with the
 *    §2.5 loop; those never emitted are SKIP_MISSING_PREREQUISITE.
 *
 * A request (file names or uuids; "dir/XS56EFP1001.xsupdate" means the name-label
 * XS56EFP1001, see plan_request_name()).  Only the requested patches are planned, plus
 * their missing prerequisites (as Xen Orchestra does, §3):
 *  - not in the catalog: UNKNOWN, unless its name or uuid is applied (SKIP_APPLIED);
 *  - applied: SKIP_APPLIED;
 *  - not listed under any version entry matching the host (or the host's version is not
 *    in the catalog): SKIP_NOT_FOR_VERSION.  A patch of the version a CU installs counts
 *    as the host's only when the CU is applied or planned;
 *  - with <minimalpatches>: not in the (hopped) minimal set: SKIP_SUPERSEDED, naming the
 *    patch that rolls it up, so the operator can ask for that one instead;
 *  - its own conflict list names an applied patch: SKIP_CONFLICT (refused);
 *  - two requested patches in conflict: as without <minimalpatches> above;
 *  - a requirement that is neither applied nor requested is added as PLAN_APPLY with the
 *    reason "required by X" when it could itself be planned (in the catalog, for this
 *    host, not superseded, no conflict), recursively; otherwise the requesting patch is
 *    SKIP_MISSING_PREREQUISITE.  A CU is never pulled in this way: a patch for the
 *    version the CU installs is SKIP_MISSING_PREREQUISITE until the CU is requested.
 *  - the PLAN_APPLY set is ordered by its position in the minimal set when there is one,
 *    else by timestamp, then sequenced with the §2.5 loop, so files given in the wrong
 *    order come out in the right one;
 *  - the same patch requested twice is planned once.
 *
 * Without a catalog the requested files keep their order: those whose name (or uuid) is
 * applied are SKIP_APPLIED, the others UNKNOWN.  No catalog and no request is CSM_EUSAGE.
 */

enum plan_action {
	PLAN_APPLY,
	PLAN_SKIP_APPLIED,
	PLAN_SKIP_SUPERSEDED,
	PLAN_SKIP_CONFLICT,
	PLAN_SKIP_NOT_FOR_VERSION,
	PLAN_SKIP_MISSING_PREREQUISITE,
	PLAN_UNKNOWN,
};

/* One hotfix the host has, as the host reports it (pool_patch < 7.1, pool_update 7.1+). */
struct plan_applied {
	const char *uuid;	/* may be NULL */
	const char *name_label;	/* may be NULL */
};

struct plan_input {
	const struct catalog *cat;	/* NULL: no catalog */
	const char *product_version;	/* software_version["product_version"] */
	const char *build_number;	/* software_version["build_number"] */
	const struct plan_applied *applied;
	size_t napplied;
	const char *const *requested;	/* file names, name-labels or uuids; NULL: all */
	size_t nrequested;
};

struct plan_entry {
	char *uuid;		/* lower-cased; NULL when unknown */
	char *name_label;	/* never NULL */
	char *request;		/* the request as given; NULL when the planner chose it */
	unsigned guidance;	/* enum catalog_guidance bits; 0 when unknown */
	const struct catalog_patch *patch; /* borrowed from the catalog; NULL when unknown */
	enum plan_action action;
	char *reason;		/* e.g. "superseded: rolled up into XS56EFP1004 (minimal
				   set for 5.6.100)"; never NULL */
};

struct plan {
	const struct catalog_version *version;	/* the host's entry (§2.1); may be NULL */
	int minimal;		/* planned from <minimalpatches> */
	struct plan_entry *entries;
	size_t nentries;
	size_t napply;		/* the first napply entries are PLAN_APPLY */
};

/* What to do once the PLAN_APPLY entries are applied (NOTES.md §2.3 guidance table). */
struct plan_after {
	int reboot_host;	/* some patch says restartHost */
	int restart_toolstack;	/* some patch says restartXAPI and no reboot is due (a
				   reboot restarts the toolstack anyway) */
	int mandatory;		/* some patch with host guidance has guidance-mandatory:
				   XenCenter runs its guidance right after that patch */
	/* Patches whose guidance asks for guest restarts (restartHVM/restartPV): csmaint
	   tells the operator, it does not reboot guests.  Borrowed entries. */
	const struct plan_entry **vm_restarts;
	size_t nvm_restarts;
	/* Patches with a guidance word csmaint does not know: read their article. */
	const struct plan_entry **unknown_guidance;
	size_t nunknown_guidance;
};

int plan_compute(const struct plan_input *in, struct plan **out);
void plan_free(struct plan *p);

/* "apply", "skip-applied", "skip-superseded", … as used in output and journals. */
const char *plan_action_name(enum plan_action action);

/*
 * The name-label a hotfix file stands for: the last path component without a
 * .xsupdate, .iso or .zip extension (case-insensitive).  The caller frees the result.
 */
char *plan_request_name(const char *request);

void plan_after_apply(const struct plan *p, struct plan_after *out);
void plan_after_free(struct plan_after *after);

#endif
