/* catalog.h: the offline hotfix catalog, XenCenter's check-for-updates updates.xml. */
#ifndef CATALOG_H
#define CATALOG_H

#include <stddef.h>

/*
 * Calling sequence.
 *
 *	struct catalog *cat = NULL;
 *	if (catalog_load("updates.xml", &cat) < 0)
 *		... csm_err_msg() says which file, which line, what is wrong ...
 *	const struct catalog_version *v = catalog_version_for_host(cat, "5.6.100", "39265p");
 *	const struct catalog_patch *p = catalog_patch_by_uuid(cat, v->minimal[0]);
 *	...
 *	catalog_free(cat);
 *
 * Ownership.  The catalog owns everything it holds; every pointer a lookup returns is
 * borrowed and lives until catalog_free().  catalog_free(NULL) does nothing.  The structs
 * below are read-only for callers.
 *
 * Format (shared/reference/xenapi/updates-xml.md §1): <patchdata> holds <patches> (one
 * <patch> per hotfix, all releases mixed) and <serverversions> (one <version> per release,
 * naming its hotfixes by uuid).  The root element's name is not checked, as XenCenter does
 * not check it; a document with neither section is refused.  Unknown elements and
 * attributes are ignored so a newer feed still loads.
 *
 * uuids are compared case-insensitively (§1.2, CA-196315) and stored lower-cased, with
 * surrounding blanks removed.  They are not required to look like UUIDs: very old entries
 * use "0701".  References to uuids that are not described under <patches> are kept as
 * they are: a conflict may name a patch not published yet (§1.2), and the planner reports
 * an unresolved requirement.  When two <patch> elements share a uuid the first one wins
 * the lookups (XenCenter's list search does the same).
 *
 * Safety: no network, no DTD, no entity substitution; a document with a DOCTYPE is
 * refused before its internal subset is read; at most CATALOG_MAX_SIZE bytes.
 *
 * Errors: CSM_ENOTFOUND when the file cannot be opened, CSM_EUSAGE for a document that is
 * too big, not XML or not a catalog ("updates.xml:12: <patch> without uuid"; the line is
 * libxml2's: where the element's start tag ends).
 */

#define CATALOG_MAX_SIZE (64u << 20)

/* after-apply-guidance values (§1.2, NOTES.md §2.3); a patch can carry several. */

struct catalog_patch {
	char *uuid;		/* lower-cased, never NULL or empty */
	char *name_label;	/* e.g. "XS56EFP1004"; never NULL or empty */
	char *name_description;	/* NULL when absent (so are the other strings) */
	char *guidance_text;	/* after-apply-guidance as written */
	unsigned guidance;	/* enum guidance bits (guidance.h); 0 when empty or absent */
	int guidance_mandatory;	/* guidance-mandatory contains "true" (XenCenter's test) */
	char *version;
	char *url;		/* the hotfix's web page */
	char *patch_url;	/* the zip to download */
	char *timestamp;	/* ISO 8601, e.g. 2011-04-12T00:00:00Z */
	long long installation_size; /* bytes; -1 when absent or not a number */
	char **conflicts;	/* lower-cased uuids from every <conflictingpatch> */
	size_t nconflicts;
	char **requires;	/* lower-cased uuids from every <requiredpatch> */
	size_t nrequires;
	long line;		/* where its start tag ends (libxml2), for messages */
	size_t index;		/* position among the catalog's patches */
};

struct catalog_version {
	char *value;		/* product version as written, e.g. "5.6.100" */
	char *name;		/* display name; NULL when absent */
	char *build_number;	/* NULL when absent or empty */
	char *patch_uuid;	/* lower-cased uuid of the update that installs this
				   version (a CU, §1.3); NULL when absent */
	char **patches;		/* lower-cased uuids of the direct <patch> children:
				   every hotfix published for this version */
	size_t npatches;
	char **minimal;		/* lower-cased uuids of <minimalpatches>, in order */
	size_t nminimal;
	int has_minimal;	/* <minimalpatches> is present, even if empty: absent
				   means "unknown" to XenCenter (§2.4) */
	long line;
};

struct catalog {
	char *name;		/* the file name given, used in messages */
	struct catalog_patch *patches;	/* document order */
	size_t npatches;
	struct catalog_version *versions;	/* document order */
	size_t nversions;
	struct catalog_patch **by_uuid;	/* sorted index for the lookups */
};

int catalog_load(const char *path, struct catalog **out);
int catalog_load_mem(const char *buf, size_t len, const char *name, struct catalog **out);
void catalog_free(struct catalog *cat);

/* Lookups; NULL when not found.  uuid and name-label are compared case-insensitively. */
const struct catalog_patch *catalog_patch_by_uuid(const struct catalog *cat, const char *uuid);
const struct catalog_patch *catalog_patch_by_name(const struct catalog *cat, const char *name);

/*
 * Does version entry v describe a host with this product_version and build_number
 * (§2.1)?  An entry with a build-number matches that exact build only; an entry without
 * one matches when the numeric dot-separated parts of its value equal product_version.
 * Either host argument may be NULL (unknown), which matches nothing that needs it.
 */
int catalog_version_matches(const struct catalog_version *v, const char *product_version,
    const char *build_number);

/* The first entry, in document order, that matches the host (§2.1): XenCenter's choice. */
const struct catalog_version *catalog_version_for_host(const struct catalog *cat,
    const char *product_version, const char *build_number);

/* Does version entry v list uuid among its direct patches (or, in_minimal, its minimal set)? */
int catalog_version_lists(const struct catalog_version *v, const char *uuid, int in_minimal);


#endif
