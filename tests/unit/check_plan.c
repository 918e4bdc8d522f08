/* check_plan.c: unit tests for catalog.c (updates.xml parsing) and plan.c (hotfix planning). */
#include <check.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csmaint.h"
#include "guidance.h"
#include "catalog.h"
#include "plan.h"

/* The test catalog, tests/data/catalog/updates.xml; its comments explain each case. */
#define U1004 "7be2dcc8-94bb-49d2-bbde-135816b1cec6"
#define U_DANGLING_REQ "26a506e1-ec9c-4035-b0dd-7ca4a45efc15"
#define U_DANGLING_CONFLICT "61ad6b87-8322-4887-89b1-004ee464a6a2"

/* Where the data files are: $TOP_SRCDIR, else next to this source file, else ../.. */
static const char *
data_path(const char *file)
{
	static char path[4096];
	char src[4096];
	const char *top = getenv("TOP_SRCDIR");

	if (top != NULL && *top != '\0') {
		snprintf(path, sizeof(path), "%s/tests/data/catalog/%s", top, file);
		if (access(path, R_OK) == 0)
			return path;
	}
	snprintf(src, sizeof(src), "%s", __FILE__);
	snprintf(path, sizeof(path), "%s/../data/catalog/%s", dirname(src), file);
	if (access(path, R_OK) == 0)
		return path;
	snprintf(path, sizeof(path), "../../tests/data/catalog/%s", file);
	if (access(path, R_OK) == 0)
		return path;
	snprintf(path, sizeof(path), "tests/data/catalog/%s", file);
	return path;
}

static struct catalog *
load_cat(void)
{
	struct catalog *cat = NULL;
	int rc = catalog_load(data_path("updates.xml"), &cat);

	ck_assert_msg(rc == CSM_OK, "catalog_load: %s", csm_err_msg());
	ck_assert_ptr_nonnull(cat);
	return cat;
}

static const struct catalog_patch *
patch(const struct catalog *cat, const char *name)
{
	const struct catalog_patch *p = catalog_patch_by_name(cat, name);

	ck_assert_msg(p != NULL, "no patch %s in the test catalog", name);
	return p;
}

/*
 * Plan for a host; `applied` is a space-separated list of catalog names, applied with the
 * uuid the catalog gives them (as the host would report).
 */
static struct plan *
run(const struct catalog *cat, const char *pv, const char *bn, const char *applied,
    const char *const *req, size_t nreq)
{
	struct plan_applied a[32];
	struct plan_input in;
	struct plan *p = NULL;
	char buf[1024], *tok, *save = NULL;
	size_t n = 0;
	int rc;

	snprintf(buf, sizeof(buf), "%s", applied ? applied : "");
	for (tok = strtok_r(buf, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save)) {
		const struct catalog_patch *cp = catalog_patch_by_name(cat, tok);

		ck_assert_uint_lt(n, 32);
		a[n].uuid = cp != NULL ? cp->uuid : NULL;
		a[n].name_label = cp != NULL ? cp->name_label : NULL;
		n++;
	}
	memset(&in, 0, sizeof(in));
	in.cat = cat;
	in.product_version = pv;
	in.build_number = bn;
	in.applied = a;
	in.napplied = n;
	in.requested = req;
	in.nrequested = nreq;
	rc = plan_compute(&in, &p);
	ck_assert_msg(rc == CSM_OK, "plan_compute: %s", csm_err_msg());
	ck_assert_ptr_nonnull(p);
	return p;
}

/* "apply XS56EFP1004; skip-superseded XS56EFP1001; …" so a failure shows the whole plan. */
static void
expect(const struct plan *p, const char *want)
{
	char got[4096];
	size_t i, len = 0, napply = 0;

	got[0] = '\0';
	for (i = 0; i < p->nentries; i++) {
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s %s", i ? "; " : "",
		    plan_action_name(p->entries[i].action), p->entries[i].name_label);
		ck_assert_uint_lt(len, sizeof(got));
		ck_assert_ptr_nonnull(p->entries[i].reason);
		if (p->entries[i].action == PLAN_APPLY)
			napply++;
	}
	ck_assert_str_eq(got, want);
	ck_assert_uint_eq(p->napply, napply);
	for (i = 0; i < p->napply; i++)
		ck_assert_int_eq(p->entries[i].action, PLAN_APPLY);
}

static const struct plan_entry *
entry(const struct plan *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nentries; i++)
		if (strcmp(p->entries[i].name_label, name) == 0)
			return &p->entries[i];
	ck_abort_msg("no entry %s in the plan", name);
	return NULL;
}

static void
reason(const struct plan *p, const char *name, const char *want)
{
	ck_assert_str_eq(entry(p, name)->reason, want);
}

/* ---------------- catalog ---------------- */

START_TEST(test_catalog_fields)
{
	struct catalog *cat = load_cat();
	const struct catalog_patch *p;
	const struct catalog_version *v;

	ck_assert_uint_eq(cat->npatches, 20);
	ck_assert_uint_eq(cat->nversions, 6);

	/* uuids: found in any case, stored lower-cased */
	p = catalog_patch_by_uuid(cat, "7BE2dcc8-94bb-49d2-bbde-135816B1CEC6");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->uuid, U1004);
	ck_assert_str_eq(p->name_label, "XS56EFP1004");
	ck_assert_ptr_eq(catalog_patch_by_name(cat, "xs56efp1004"), p);
	ck_assert_ptr_null(catalog_patch_by_name(cat, "XS56EFP1007"));
	ck_assert_ptr_null(catalog_patch_by_uuid(cat, U_DANGLING_REQ));
	ck_assert_str_eq(p->name_description, "Hotfix 4: rollup of 1001 to 1003");
	ck_assert_str_eq(p->guidance_text, "restartHost restartPV");
	ck_assert_uint_eq(p->guidance, GUIDE_RESTART_HOST | GUIDE_RESTART_PV);
	ck_assert_int_eq(p->guidance_mandatory, 0);
	ck_assert_str_eq(p->version, "1.0");
	ck_assert_str_eq(p->url, "http://example.invalid/CTX129000");
	ck_assert_str_eq(p->patch_url, "http://example.invalid/XS56EFP1004.zip");
	ck_assert_str_eq(p->timestamp, "2011-04-12T00:00:00Z");
	ck_assert_int_eq(p->installation_size, 209715200);
	ck_assert_uint_eq(p->nconflicts, 0);
	ck_assert_uint_eq(p->nrequires, 0);
	ck_assert_int_gt(p->line, 30);

	/* every conflictingpatch of a wrapper, dangling ones kept */
	p = patch(cat, "XS56EFP1001");
	ck_assert_uint_eq(p->nconflicts, 2);
	ck_assert_str_eq(p->conflicts[0], U1004);
	ck_assert_str_eq(p->conflicts[1], U_DANGLING_CONFLICT);
	ck_assert_int_eq(p->installation_size, 104857600);
	/* every wrapper; an empty wrapper; a size that is not a number */
	p = patch(cat, "XS56EFP1002");
	ck_assert_str_eq(p->uuid, "121ca7de-f75b-4995-b210-cb7e68ba9ca9");
	ck_assert_int_eq(p->installation_size, -1);
	ck_assert_uint_eq(p->nrequires, 0);
	p = patch(cat, "XS60E002");
	ck_assert_uint_eq(p->nconflicts, 2);
	ck_assert_str_eq(p->conflicts[0], "a290c01d-882f-4d75-86f8-76a88baef859");
	p = patch(cat, "XS56EFP1005");
	ck_assert_uint_eq(p->nrequires, 1);
	ck_assert_str_eq(p->requires[0], U1004);
	ck_assert_uint_eq(p->guidance, GUIDE_RESTART_XAPI);

	/* guidance-mandatory: "contains true", case-insensitive */
	ck_assert_int_eq(patch(cat, "XS60ESP1")->guidance_mandatory, 1);
	ck_assert_int_eq(patch(cat, "XS56EFP1006")->guidance_mandatory, 1);
	ck_assert_uint_eq(patch(cat, "XS60E004")->guidance,
	    GUIDE_RESTART_XAPI | GUIDE_UNKNOWN);

	/* an old non-UUID entry with empty guidance and no size */
	p = catalog_patch_by_uuid(cat, "0701");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->guidance, 0);
	ck_assert_str_eq(p->guidance_text, "");
	ck_assert_int_eq(p->installation_size, -1);
	ck_assert_str_eq(p->name_description, "Old style entry");

	/* versions */
	v = &cat->versions[1];
	ck_assert_str_eq(v->value, "5.6.100");
	ck_assert_str_eq(v->name, "XenServer 5.6 Feature Pack 1");
	ck_assert_str_eq(v->build_number, "39265p");
	ck_assert_ptr_null(v->patch_uuid);
	ck_assert_uint_eq(v->npatches, 6);
	ck_assert_str_eq(v->patches[4], "1b82e542-ec05-42fc-a0fb-633ec593eb9c");
	ck_assert_int_eq(v->has_minimal, 1);
	ck_assert_uint_eq(v->nminimal, 3);
	ck_assert_str_eq(v->minimal[1], "dfe0073a-6b0d-4431-a6ac-00373e96f5cb");
	ck_assert_int_eq(catalog_version_lists(v, "7BE2DCC8-94BB-49D2-BBDE-135816B1CEC6", 1), 1);
	ck_assert_int_eq(catalog_version_lists(v, "b3e59449-6058-4816-a623-dca5f96e2b5c", 1), 0);
	ck_assert_int_eq(catalog_version_lists(v, "b3e59449-6058-4816-a623-dca5f96e2b5c", 0), 1);
	/* present-but-empty versus absent minimal set */
	v = &cat->versions[2];
	ck_assert_str_eq(v->name, "XenServer 6.0 beta");
	ck_assert_int_eq(v->has_minimal, 1);
	ck_assert_uint_eq(v->nminimal, 0);
	ck_assert_uint_eq(v->npatches, 0);
	v = &cat->versions[3];
	ck_assert_ptr_null(v->build_number);
	ck_assert_int_eq(v->has_minimal, 0);
	ck_assert_uint_eq(v->npatches, 7);
	v = &cat->versions[5];
	ck_assert_str_eq(v->patch_uuid, "a0eb1e8e-36e3-4875-880f-6331bfa04023");
	catalog_free(cat);
	catalog_free(NULL);
}
END_TEST

START_TEST(test_catalog_version_for_host)
{
	struct catalog *cat = load_cat();
	const struct catalog_version *v;

	/* build-number entries match on the build only */
	v = catalog_version_for_host(cat, "5.6.100", "39265p");
	ck_assert_ptr_eq(v, &cat->versions[1]);
	ck_assert_ptr_eq(catalog_version_for_host(cat, "9.9.9", "39265p"), &cat->versions[1]);
	ck_assert_ptr_null(catalog_version_for_host(cat, "5.6.100", "40000x"));
	ck_assert_ptr_null(catalog_version_for_host(cat, "5.6.100", NULL));
	/* the beta's build-number keeps it from matching a 6.0.0 host of another build */
	ck_assert_ptr_eq(catalog_version_for_host(cat, "6.0.0", "50762p"), &cat->versions[3]);
	ck_assert_ptr_eq(catalog_version_for_host(cat, "6.0.0", "49000b"), &cat->versions[2]);
	ck_assert_ptr_eq(catalog_version_for_host(cat, "6.0.0", NULL), &cat->versions[3]);
	ck_assert_ptr_null(catalog_version_for_host(cat, "6.0", "50762p"));
	ck_assert_ptr_null(catalog_version_for_host(cat, "6.0.0.1", "50762p"));
	ck_assert_ptr_eq(catalog_version_for_host(cat, "4.0.1", NULL), &cat->versions[0]);
	ck_assert_ptr_eq(catalog_version_for_host(cat, "7.1.1", "138153c"), &cat->versions[5]);
	ck_assert_ptr_null(catalog_version_for_host(cat, "6.2.0", "70446c"));
	ck_assert_ptr_null(catalog_version_for_host(NULL, "6.0.0", NULL));
	catalog_free(cat);
}
END_TEST

START_TEST(test_catalog_value_numeric_parts)
{
	static const char xml[] = "<patchdata><serverversions>"
	    "<version value=\"6.0.0 OEM\"/></serverversions></patchdata>";
	struct catalog *cat = NULL;

	ck_assert_int_eq(catalog_load_mem(xml, sizeof(xml) - 1, "mem.xml", &cat), CSM_OK);
	/* XenCenter keeps the numeric dot-separated parts of the value (§1.3) */
	ck_assert_ptr_eq(catalog_version_for_host(cat, "6.0", NULL), &cat->versions[0]);
	ck_assert_ptr_null(catalog_version_for_host(cat, "6.0.0", NULL));
	catalog_free(cat);
}
END_TEST

START_TEST(test_catalog_guidance_parse)
{
	ck_assert_uint_eq(guidance_parse(NULL), 0);
	ck_assert_uint_eq(guidance_parse(""), 0);
	ck_assert_uint_eq(guidance_parse("  "), 0);
	ck_assert_uint_eq(guidance_parse("restartHVM"), GUIDE_RESTART_HVM);
	ck_assert_uint_eq(guidance_parse(" restartPV  restartHost "),
	    GUIDE_RESTART_PV | GUIDE_RESTART_HOST);
	ck_assert_uint_eq(guidance_parse("restartXAPI,restartHVM"),
	    GUIDE_RESTART_XAPI | GUIDE_RESTART_HVM);
	/* case matters: xapi's enum names are exact */
	ck_assert_uint_eq(guidance_parse("restarthost"), GUIDE_UNKNOWN);
	ck_assert_uint_eq(guidance_parse("restartHostX restartXAPI"),
	    GUIDE_UNKNOWN | GUIDE_RESTART_XAPI);
}
END_TEST

static void
load_fails(const char *file, int code, const char *msg)
{
	struct catalog *cat = (struct catalog *)1;
	const char *path = data_path(file);
	int rc;

	csm_err_clear();
	rc = catalog_load(path, &cat);
	ck_assert_int_eq(rc, code);
	ck_assert_ptr_null(cat);
	ck_assert_msg(strstr(csm_err_msg(), msg) != NULL, "message '%s' lacks '%s'",
	    csm_err_msg(), msg);
	/* the file is named */
	ck_assert_msg(strstr(csm_err_msg(), file) != NULL, "message '%s' lacks '%s'",
	    csm_err_msg(), file);
}

START_TEST(test_catalog_errors)
{
	load_fails("bad-no-uuid.xml", CSM_EUSAGE, "bad-no-uuid.xml:6: <patch> without uuid");
	load_fails("bad-doctype.xml", CSM_EUSAGE,
	    "bad-doctype.xml:2: refusing a document with a DOCTYPE");
	load_fails("bad-not-xml.xml", CSM_EUSAGE, "bad-not-xml.xml:1: ");
	load_fails("bad-truncated.xml", CSM_EUSAGE, "bad-truncated.xml:");
	load_fails("bad-not-catalog.xml", CSM_EUSAGE,
	    "bad-not-catalog.xml:2: <methodResponse> has neither <patches> nor <serverversions>");
	load_fails("bad-version-patch.xml", CSM_EUSAGE,
	    "bad-version-patch.xml:7: <patch> without uuid");
	load_fails("no-such-file.xml", CSM_ENOTFOUND, "cannot open catalog");
}
END_TEST

START_TEST(test_catalog_errors_mem)
{
	static const char noname[] = "<patchdata>\n<patches>\n"
	    "<patch uuid=\"  \" name-label=\"x\"/>\n"
	    "<patch uuid=\"AB\"/>\n</patches></patchdata>";
	static const char nolabel[] = "<patchdata>\n<patches>\n"
	    "<patch uuid=\"AB\"/>\n</patches></patchdata>";
	static const char conflict[] = "<patchdata>\n<patches>\n"
	    "<patch uuid=\"AB\" name-label=\"X\">\n<conflictingpatches>\n"
	    "<conflictingpatch/>\n</conflictingpatches></patch></patches></patchdata>";
	static const char noval[] = "<patchdata><serverversions>\n<version/>"
	    "</serverversions></patchdata>";
	struct catalog *cat = NULL;

	/* a blank uuid is no uuid */
	ck_assert_int_eq(catalog_load_mem(noname, sizeof(noname) - 1, "u.xml", &cat), CSM_EUSAGE);
	ck_assert_str_eq(csm_err_msg(), "u.xml:3: <patch> without uuid");
	ck_assert_int_eq(catalog_load_mem(nolabel, sizeof(nolabel) - 1, "u.xml", &cat),
	    CSM_EUSAGE);
	ck_assert_str_eq(csm_err_msg(), "u.xml:3: <patch> ab without name-label");
	ck_assert_int_eq(catalog_load_mem(conflict, sizeof(conflict) - 1, "u.xml", &cat),
	    CSM_EUSAGE);
	ck_assert_str_eq(csm_err_msg(), "u.xml:5: <conflictingpatch> without uuid");
	ck_assert_int_eq(catalog_load_mem(noval, sizeof(noval) - 1, "u.xml", &cat), CSM_EUSAGE);
	ck_assert_str_eq(csm_err_msg(), "u.xml:2: <version> without value");
	ck_assert_int_eq(catalog_load_mem("", 0, "u.xml", &cat), CSM_EUSAGE);
	ck_assert_str_eq(csm_err_msg(), "u.xml: empty file, expected an updates.xml catalog");
	/* the size limit is checked before anything is read */
	ck_assert_int_eq(catalog_load_mem("x", (size_t)CATALOG_MAX_SIZE + 1, "big.xml", &cat),
	    CSM_EUSAGE);
	ck_assert_ptr_nonnull(strstr(csm_err_msg(), "over the 64 MiB limit"));
	ck_assert_ptr_null(cat);
}
END_TEST

/* An internal subset with an external entity: refused, nothing read from /etc. */
START_TEST(test_catalog_no_xxe)
{
	static const char xml[] = "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE patchdata [<!ENTITY x SYSTEM \"file:///etc/hostname\">]>\n"
	    "<patchdata><patches><patch uuid=\"a\" name-label=\"&x;\"/></patches></patchdata>";
	static const char ext[] = "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE patchdata SYSTEM \"http://example.invalid/x.dtd\">\n"
	    "<patchdata><patches/></patchdata>";
	struct catalog *cat = NULL;

	ck_assert_int_eq(catalog_load_mem(xml, sizeof(xml) - 1, "x.xml", &cat), CSM_EUSAGE);
	ck_assert_ptr_nonnull(strstr(csm_err_msg(), "x.xml:2: refusing a document with a DOCTYPE"));
	ck_assert_int_eq(catalog_load_mem(ext, sizeof(ext) - 1, "x.xml", &cat), CSM_EUSAGE);
	ck_assert_ptr_nonnull(strstr(csm_err_msg(), "DOCTYPE"));
	ck_assert_ptr_null(cat);
}
END_TEST

/* ---------------- plan: everything the host needs ---------------- */

START_TEST(test_plan_56_nothing_applied)
{
	struct catalog *cat = load_cat();
	struct plan *p = run(cat, "5.6.100", "39265p", "", NULL, 0);

	/* minimal list 1005, 1006, 1004: 1004 first because 1005 needs it; 1006 needs a
	   patch that is not in the catalog */
	expect(p, "apply XS56EFP1004; apply XS56EFP1005; "
	    "skip-missing-prerequisite XS56EFP1006; skip-superseded XS56EFP1001; "
	    "skip-superseded XS56EFP1002; skip-superseded XS56EFP1003");
	ck_assert_int_eq(p->minimal, 1);
	ck_assert_ptr_eq(p->version, &cat->versions[1]);
	reason(p, "XS56EFP1004", "in the minimal set for 5.6.100");
	reason(p, "XS56EFP1006", "requires " U_DANGLING_REQ ", which is not in the catalog");
	reason(p, "XS56EFP1001", "superseded: rolled up into XS56EFP1004 (minimal set for 5.6.100)");
	reason(p, "XS56EFP1002", "superseded: rolled up into XS56EFP1004 (minimal set for 5.6.100)");
	reason(p, "XS56EFP1003", "superseded: not in the minimal set for 5.6.100");
	ck_assert_str_eq(p->entries[0].uuid, U1004);
	ck_assert_ptr_eq(p->entries[0].patch, patch(cat, "XS56EFP1004"));
	ck_assert_ptr_null(p->entries[0].request);
	ck_assert_uint_eq(p->entries[0].guidance, GUIDE_RESTART_HOST | GUIDE_RESTART_PV);
	plan_free(p);
	plan_free(NULL);
	catalog_free(cat);
}
END_TEST

START_TEST(test_plan_56_some_applied)
{
	struct catalog *cat = load_cat();
	struct plan *p = run(cat, "5.6.100", "39265p", "XS56EFP1001 XS56EFP1004", NULL, 0);

	expect(p, "apply XS56EFP1005; skip-missing-prerequisite XS56EFP1006; "
	    "skip-applied XS56EFP1004; skip-applied XS56EFP1001; "
	    "skip-superseded XS56EFP1002; skip-superseded XS56EFP1003");
	reason(p, "XS56EFP1004", "already applied");
	plan_free(p);
	catalog_free(cat);
}
END_TEST

START_TEST(test_plan_56_all_applied)
{
	struct catalog *cat = load_cat();
	struct plan *p = run(cat, "5.6.100", "39265p", "XS56EFP1001 XS56EFP1002 XS56EFP1003 "
	    "XS56EFP1004 XS56EFP1005 XS56EFP1006", NULL, 0);

	expect(p, "skip-applied XS56EFP1005; skip-applied XS56EFP1006; "
	    "skip-applied XS56EFP1004; skip-applied XS56EFP1001; "
	    "skip-applied XS56EFP1002; skip-applied XS56EFP1003");
	ck_assert_uint_eq(p->napply, 0);
	plan_free(p);
	catalog_free(cat);
}
END_TEST

/* 7.1 hosts briefly show another uuid after an upload (§2.2): the name still counts. */
START_TEST(test_plan_applied_by_name_or_uuid_case)
{
	struct catalog *cat = load_cat();
	struct plan_applied a[] = {
		{ "00000000-0000-0000-0000-000000000001", "XS56EFP1004" },
		{ "1B82E542-EC05-42FC-A0FB-633EC593EB9C", NULL },
	};
	struct plan_input in = { cat, "5.6.100", "39265p", a, 2, NULL, 0 };
	struct plan *p = NULL;

	ck_assert_int_eq(plan_compute(&in, &p), CSM_OK);
	expect(p, "skip-applied XS56EFP1005; skip-missing-prerequisite XS56EFP1006; "
	    "skip-applied XS56EFP1004; skip-superseded XS56EFP1001; "
	    "skip-superseded XS56EFP1002; skip-superseded XS56EFP1003");
	plan_free(p);
	catalog_free(cat);
}
END_TEST

START_TEST(test_plan_60_filter_nothing_applied)
{
	struct catalog *cat = load_cat();
	struct plan *p = run(cat, "6.0.0", "50762p", "", NULL, 0);

	/* no minimal set: timestamp order, the E003 < E004 < E005 chain (same timestamp,
	   listed E005 first) reordered by requirements, SP1 wins over what it rolls up */
	expect(p, "apply XS60ESP1; apply XS60ESP1001; apply XS60E003; apply XS60E004; "
	    "apply XS60E005; skip-superseded XS60E001; skip-superseded XS60E002");
	ck_assert_int_eq(p->minimal, 0);
	ck_assert_ptr_eq(p->version, &cat->versions[3]);
	reason(p, "XS60E001", "superseded: conflicts with the newer XS60ESP1, which is planned");
	reason(p, "XS60ESP1", "listed for 6.0.0, which has no minimal set in the catalog");
	plan_free(p);
	catalog_free(cat);
}
END_TEST

START_TEST(test_plan_60_filter_sp_applied)
{
	struct catalog *cat = load_cat();
	struct plan *p = run(cat, "6.0.0", "50762p", "XS60ESP1 XS60E003", NULL, 0);

	expect(p, "apply XS60ESP1001; apply XS60E004; apply XS60E005; "
	    "skip-conflict XS60E001; skip-conflict XS60E002; skip-applied XS60E003; "
	    "skip-applied XS60ESP1");
	reason(p, "XS60E001", "conflicts with XS60ESP1, which is applied");
	plan_free(p);
	catalog_free(cat);
}
END_TEST

/* An applied older patch that lists the SP does not block the SP (own lists only, §2.3). */
START_TEST(test_plan_60_old_applied_does_not_block_rollup)
{
	struct catalog *cat = load_cat();
	struct plan *p = run(cat, "6.0.0", "50762p", "XS60E001", NULL, 0);

	expect(p, "apply XS60ESP1; apply XS60ESP1001; apply XS60E003; apply XS60E004; "
	    "apply XS60E005; skip-applied XS60E001; skip-superseded XS60E002");
	plan_free(p);
	catalog_free(cat);
}
END_TEST

START_TEST(test_plan_71_cu_hop)
{
	struct catalog *cat = load_cat();
	struct plan *p = run(cat, "7.1.0", "137272c", "", NULL, 0);

	expect(p, "apply XS71E002; apply XS71ECU1; apply XS71ECU1002; "
	    "skip-superseded XS71E001; skip-superseded XS71E003");
	reason(p, "XS71ECU1", "in the minimal set for 7.1.0");
	reason(p, "XS71ECU1002", "in the minimal set for 7.1.1, which XS71ECU1 installs");
	reason(p, "XS71E001", "superseded: rolled up into XS71ECU1 (minimal set for 7.1.0)");
	reason(p, "XS71E003", "superseded: not in the minimal set for 7.1.0");
	plan_free(p);

	p = run(cat, "7.1.0", "137272c", "XS71E002", NULL, 0);
	expect(p, "apply XS71ECU1; apply XS71ECU1002; skip-applied XS71E002; "
	    "skip-superseded XS71E001; skip-superseded XS71E003");
	plan_free(p);

	/* once on 7.1.1 the host is matched by its own build */
	p = run(cat, "7.1.1", "138153c", "", NULL, 0);
	expect(p, "apply XS71ECU1002; skip-superseded XS71ECU1001");
	reason(p, "XS71ECU1001", "superseded: rolled up into XS71ECU1002 (minimal set for 7.1.1)");
	plan_free(p);
	catalog_free(cat);
}
END_TEST

START_TEST(test_plan_build_vs_value)
{
	struct catalog *cat = load_cat();
	struct plan_input in = { cat, "5.6.100", "40000x", NULL, 0, NULL, 0 };
	struct plan *p = NULL;

	/* the beta: a present-but-empty minimal set means "nothing to do" */
	p = run(cat, "6.0.0", "49000b", "", NULL, 0);
	expect(p, "");
	ck_assert_int_eq(p->minimal, 1);
	ck_assert_ptr_eq(p->version, &cat->versions[2]);
	plan_free(p);
	/* 5.6.100 of another build: the entry has a build-number, so no match */
	ck_assert_int_eq(plan_compute(&in, &p), CSM_ENOTFOUND);
	ck_assert_ptr_null(p);
	catalog_free(cat);
}
END_TEST

START_TEST(test_plan_version_not_in_catalog)
{
	static const char *const req[] = { "XS60E001.xsupdate", "XS62E001.xsupdate" };
	struct catalog *cat = load_cat();
	struct plan_input in = { cat, "6.2.0", "70446c", NULL, 0, NULL, 0 };
	struct plan *p = (struct plan *)1;

	ck_assert_int_eq(plan_compute(&in, &p), CSM_ENOTFOUND);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(csm_err_msg(), "updates.xml has no entry for XenServer 6.2.0 "
	    "(build 70446c): the catalog may be older than the host") != NULL, "%s",
	    csm_err_msg());

	p = run(cat, "6.2.0", "70446c", "", req, 2);
	expect(p, "skip-not-for-version XS60E001; unknown XS62E001");
	reason(p, "XS60E001", "the catalog has no entry for XenServer 6.2.0 (build 70446c)");
	plan_free(p);
	catalog_free(cat);
}
END_TEST

/* ---------------- plan: requested files ---------------- */

START_TEST(test_plan_request_reordered)
{
	static const char *const req[] = { "/srv/hotfixes/XS56EFP1005.xsupdate",
		"XS56EFP1004.zip" };
	static const char *const chain[] = { "XS60E005.xsupdate", "XS60E004.xsupdate",
		"xs60e003.XSUPDATE" };
	struct catalog *cat = load_cat();
	struct plan *p = run(cat, "5.6.100", "39265p", "", req, 2);

	expect(p, "apply XS56EFP1004; apply XS56EFP1005");
	ck_assert_str_eq(p->entries[0].request, "XS56EFP1004.zip");
	ck_assert_str_eq(p->entries[1].request, "/srv/hotfixes/XS56EFP1005.xsupdate");
	reason(p, "XS56EFP1005", "requested");
	plan_free(p);

	p = run(cat, "6.0.0", "50762p", "", chain, 3);
	expect(p, "apply XS60E003; apply XS60E004; apply XS60E005");
	plan_free(p);
	catalog_free(cat);
}
END_TEST

START_TEST(test_plan_request_pulls_prerequisites)
{
	static const char *const req[] = { "XS60E005.xsupdate" };
	static const char *const sp[] = { "b4f6be47-B02D-4589-b892-b2ede4b33c40" };
	static const char *const cu[] = { "XS71ECU1002.iso", "XS71ECU1.iso" };
	struct catalog *cat = load_cat();
	struct plan *p = run(cat, "6.0.0", "50762p", "", req, 1);

	expect(p, "apply XS60E003; apply XS60E004; apply XS60E005");
	reason(p, "XS60E004", "required by XS60E005");
	reason(p, "XS60E003", "required by XS60E004");
	ck_assert_ptr_null(entry(p, "XS60E004")->request);
	plan_free(p);

	/* by uuid, any case; a post-SP hotfix brings its SP */
	p = run(cat, "6.0.0", "50762p", "", sp, 1);
	expect(p, "apply XS60ESP1; apply XS60ESP1001");
	reason(p, "XS60ESP1", "required by XS60ESP1001");
	plan_free(p);

	/* the CU's own prerequisite is pulled in, and the CU comes before its version's fix */
	p = run(cat, "7.1.0", "137272c", "", cu, 2);
	expect(p, "apply XS71E002; apply XS71ECU1; apply XS71ECU1002");
	reason(p, "XS71E002", "required by XS71ECU1");
	plan_free(p);
	catalog_free(cat);
}
END_TEST

START_TEST(test_plan_request_superseded)
{
	static const char *const req[] = { "XS56EFP1002.xsupdate" };
	static const char *const cu[] = { "XS71ECU1001" };
	struct catalog *cat = load_cat();
	struct plan *p = run(cat, "5.6.100", "39265p", "", req, 1);

	expect(p, "skip-superseded XS56EFP1002");
	reason(p, "XS56EFP1002", "superseded: rolled up into XS56EFP1004 (minimal set for 5.6.100)");
	plan_free(p);

	p = run(cat, "7.1.0", "137272c", "", cu, 1);
	expect(p, "skip-superseded XS71ECU1001");
	reason(p, "XS71ECU1001", "superseded: rolled up into XS71ECU1002 (minimal set for 7.1.1)");
	plan_free(p);
	catalog_free(cat);
}
END_TEST

START_TEST(test_plan_request_conflicts)
{
	static const char *const old[] = { "XS60E001.xsupdate" };
	static const char *const both[] = { "XS60E001.xsupdate", "XS60ESP1.xsupdate" };
	static const char *const blocked[] = { "XS60ESP1001.xsupdate", "XS60E001.xsupdate" };
	struct catalog *cat = load_cat();
	struct plan *p = run(cat, "6.0.0", "50762p", "XS60ESP1", old, 1);

	/* refused: it conflicts with something applied */
	expect(p, "skip-conflict XS60E001");
	reason(p, "XS60E001", "conflicts with XS60ESP1, which is applied");
	plan_free(p);

	/* two requests in conflict: the newer wins */
	p = run(cat, "6.0.0", "50762p", "", both, 2);
	expect(p, "apply XS60ESP1; skip-superseded XS60E001");
	reason(p, "XS60E001", "superseded: conflicts with the newer XS60ESP1, which is planned");
	plan_free(p);

	/* a prerequisite that would conflict with a planned patch is not pulled in */
	p = run(cat, "6.0.0", "50762p", "", blocked, 2);
	expect(p, "apply XS60E001; skip-missing-prerequisite XS60ESP1001");
	reason(p, "XS60ESP1001", "requires XS60ESP1, which is neither applied nor planned");
	plan_free(p);
	catalog_free(cat);
}
END_TEST

START_TEST(test_plan_request_missing_prerequisite)
{
	static const char *const req[] = { "XS56EFP1006.xsupdate" };
	static const char *const cu[] = { "XS71ECU1002.iso" };
	struct catalog *cat = load_cat();
	struct plan *p = run(cat, "5.6.100", "39265p", "", req, 1);

	expect(p, "skip-missing-prerequisite XS56EFP1006");
	reason(p, "XS56EFP1006", "requires " U_DANGLING_REQ ", which is not in the catalog");
	plan_free(p);

	/* a fix for the version a CU installs waits for the CU, which is never pulled in */
	p = run(cat, "7.1.0", "137272c", "", cu, 1);
	expect(p, "skip-missing-prerequisite XS71ECU1002");
	reason(p, "XS71ECU1002", "for 7.1.1, which XS71ECU1 installs: XS71ECU1 is neither "
	    "applied nor planned");
	plan_free(p);
	catalog_free(cat);
}
END_TEST

START_TEST(test_plan_request_unknown_and_applied)
{
	static const char *const req[] = { "XS56EFP9999.xsupdate", "XS56EFP1004.xsupdate",
		"/tmp/foo.iso", "XS56EFP1004", "XS56EFP1001.xsupdate",
		"7d2b8a2e-0000-4000-8000-00000000ABCD" };
	struct catalog *cat = load_cat();
	struct plan *p = run(cat, "5.6.100", "39265p", "XS56EFP1001", req, 6);

	/* known first (applies, then skips), unknown in the order given; duplicates once */
	expect(p, "apply XS56EFP1004; skip-applied XS56EFP1001; unknown XS56EFP9999; "
	    "unknown foo; unknown 7d2b8a2e-0000-4000-8000-00000000ABCD");
	reason(p, "XS56EFP9999", "not in the catalog: its identity is learned on upload");
	ck_assert_ptr_null(entry(p, "XS56EFP9999")->uuid);
	ck_assert_ptr_null(entry(p, "XS56EFP9999")->patch);
	ck_assert_uint_eq(entry(p, "XS56EFP9999")->guidance, 0);
	ck_assert_str_eq(entry(p, "foo")->request, "/tmp/foo.iso");
	ck_assert_str_eq(entry(p, "7d2b8a2e-0000-4000-8000-00000000ABCD")->uuid,
	    "7d2b8a2e-0000-4000-8000-00000000abcd");
	plan_free(p);
	catalog_free(cat);
}
END_TEST

START_TEST(test_plan_request_not_for_version)
{
	static const char *const req[] = { "XS60E001.xsupdate", "XS-Hotfix-2007-001" };
	struct catalog *cat = load_cat();
	struct plan *p = run(cat, "5.6.100", "39265p", "", req, 2);

	expect(p, "skip-not-for-version XS60E001; skip-not-for-version XS-Hotfix-2007-001");
	reason(p, "XS60E001", "published for 6.0.0, not for this host's XenServer 5.6.100 "
	    "(build 39265p)");
	plan_free(p);
	catalog_free(cat);
}
END_TEST

START_TEST(test_plan_no_catalog)
{
	static const char *const req[] = { "a/XS56EFP1002.xsupdate", "/b/XS56EFP1001.xsupdate",
		"XS56EFP1003.xsupdate" };
	struct plan_applied a[] = { { "b3e59449-6058-4816-a623-dca5f96e2b5c", "XS56EFP1001" } };
	struct plan_input in = { NULL, "5.6.100", "39265p", a, 1, req, 3 };
	struct plan *p = NULL;

	ck_assert_int_eq(plan_compute(&in, &p), CSM_OK);
	expect(p, "unknown XS56EFP1002; skip-applied XS56EFP1001; unknown XS56EFP1003");
	reason(p, "XS56EFP1002", "no catalog: its identity is learned on upload");
	ck_assert_ptr_null(p->version);
	plan_free(p);

	in.nrequested = 0;
	in.requested = NULL;
	ck_assert_int_eq(plan_compute(&in, &p), CSM_EUSAGE);
	ck_assert_ptr_null(p);
	ck_assert_str_eq(csm_err_msg(), "no hotfix catalog and no hotfix files: nothing to plan");
}
END_TEST

/* Catalog oddities: a minimal uuid not described, a requirement cycle. */
START_TEST(test_plan_cycle_and_undescribed)
{
	static const char xml[] = "<patchdata><patches>"
	    "<patch uuid=\"a\" name-label=\"A\" timestamp=\"2020-01-01T00:00:00Z\">"
	    "<requiredpatches><requiredpatch uuid=\"b\"/></requiredpatches></patch>"
	    "<patch uuid=\"b\" name-label=\"B\" timestamp=\"2020-01-01T00:00:00Z\">"
	    "<requiredpatches><requiredpatch uuid=\"a\"/></requiredpatches></patch>"
	    "<patch uuid=\"c\" name-label=\"C\" after-apply-guidance=\"restartPV\"/>"
	    "</patches><serverversions>"
	    "<version value=\"8.0.0\"><patch uuid=\"a\"/><patch uuid=\"b\"/><patch uuid=\"c\"/>"
	    "<patch uuid=\"zz\"/>"
	    "<minimalpatches><patch uuid=\"A\"/><patch uuid=\"zz\"/><patch uuid=\"b\"/>"
	    "<patch uuid=\"c\"/></minimalpatches></version>"
	    "<version value=\"8.1.0\"><patch uuid=\"a\"/><patch uuid=\"b\"/><patch uuid=\"c\"/>"
	    "</version></serverversions></patchdata>";
	struct catalog *cat = NULL;
	struct plan *p;

	ck_assert_int_eq(catalog_load_mem(xml, sizeof(xml) - 1, "mem.xml", &cat), CSM_OK);
	p = run(cat, "8.0.0", NULL, "", NULL, 0);
	expect(p, "apply C; skip-missing-prerequisite A; skip-missing-prerequisite B; unknown zz");
	reason(p, "A", "requires B, which cannot be applied before it (it misses a prerequisite "
	    "itself, or the requirements form a cycle)");
	reason(p, "zz", "in the minimal set for 8.0.0 but not described under <patches>");
	ck_assert_str_eq(entry(p, "zz")->uuid, "zz");
	plan_free(p);
	/* the same without a minimal set: undated C last */
	p = run(cat, "8.1.0", NULL, "", NULL, 0);
	expect(p, "apply C; skip-missing-prerequisite A; skip-missing-prerequisite B");
	plan_free(p);
	catalog_free(cat);
}
END_TEST

START_TEST(test_plan_after_apply)
{
	static const char *const req[] = { "XS60E004", "XS60E003", "XS60ESP1001" };
	struct catalog *cat = load_cat();
	struct plan *p = run(cat, "5.6.100", "39265p", "", NULL, 0);
	struct plan_after after;

	/* 1004 restartHost restartPV, 1005 restartXAPI: the reboot covers the toolstack */
	plan_after_apply(p, &after);
	ck_assert_int_eq(after.reboot_host, 1);
	ck_assert_int_eq(after.restart_toolstack, 0);
	ck_assert_int_eq(after.mandatory, 0);
	ck_assert_uint_eq(after.nvm_restarts, 1);
	ck_assert_str_eq(after.vm_restarts[0]->name_label, "XS56EFP1004");
	ck_assert_uint_eq(after.nunknown_guidance, 0);
	plan_after_free(&after);
	plan_free(p);

	/* E003/E004 restartXAPI (E004 also an unknown word); SP1 mandatory restartHost,
	   SP1001 restartHVM restartPV */
	p = run(cat, "6.0.0", "50762p", "", req, 2);
	plan_after_apply(p, &after);
	ck_assert_int_eq(after.reboot_host, 0);
	ck_assert_int_eq(after.restart_toolstack, 1);
	ck_assert_uint_eq(after.nvm_restarts, 0);
	ck_assert_uint_eq(after.nunknown_guidance, 1);
	ck_assert_str_eq(after.unknown_guidance[0]->name_label, "XS60E004");
	plan_after_free(&after);
	plan_free(p);

	p = run(cat, "6.0.0", "50762p", "", req + 2, 1);
	plan_after_apply(p, &after);
	ck_assert_int_eq(after.reboot_host, 1);
	ck_assert_int_eq(after.mandatory, 1);
	ck_assert_uint_eq(after.nvm_restarts, 1);
	ck_assert_str_eq(after.vm_restarts[0]->name_label, "XS60ESP1001");
	plan_after_free(&after);
	plan_after_free(NULL);
	plan_free(p);
	catalog_free(cat);
}
END_TEST

START_TEST(test_plan_names)
{
	char *s;

	ck_assert_str_eq(plan_action_name(PLAN_APPLY), "apply");
	ck_assert_str_eq(plan_action_name(PLAN_SKIP_APPLIED), "skip-applied");
	ck_assert_str_eq(plan_action_name(PLAN_SKIP_SUPERSEDED), "skip-superseded");
	ck_assert_str_eq(plan_action_name(PLAN_SKIP_CONFLICT), "skip-conflict");
	ck_assert_str_eq(plan_action_name(PLAN_SKIP_NOT_FOR_VERSION), "skip-not-for-version");
	ck_assert_str_eq(plan_action_name(PLAN_SKIP_MISSING_PREREQUISITE),
	    "skip-missing-prerequisite");
	ck_assert_str_eq(plan_action_name(PLAN_UNKNOWN), "unknown");

	s = plan_request_name("/tmp/x/XS56EFP1001.xsupdate");
	ck_assert_str_eq(s, "XS56EFP1001");
	free(s);
	s = plan_request_name("XS71E001.ISO");
	ck_assert_str_eq(s, "XS71E001");
	free(s);
	s = plan_request_name("dl/XS71E001.zip");
	ck_assert_str_eq(s, "XS71E001");
	free(s);
	s = plan_request_name("XS56EFP1001");
	ck_assert_str_eq(s, "XS56EFP1001");
	free(s);
	s = plan_request_name("XS56EFP1001.tar");
	ck_assert_str_eq(s, "XS56EFP1001.tar");
	free(s);
	s = plan_request_name(".iso");	/* nothing left: keep the name */
	ck_assert_str_eq(s, ".iso");
	free(s);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("plan");
	TCase *c = tcase_create("catalog"), *p = tcase_create("plan");

	tcase_add_test(c, test_catalog_fields);
	tcase_add_test(c, test_catalog_version_for_host);
	tcase_add_test(c, test_catalog_value_numeric_parts);
	tcase_add_test(c, test_catalog_guidance_parse);
	tcase_add_test(c, test_catalog_errors);
	tcase_add_test(c, test_catalog_errors_mem);
	tcase_add_test(c, test_catalog_no_xxe);
	suite_add_tcase(s, c);

	tcase_add_test(p, test_plan_56_nothing_applied);
	tcase_add_test(p, test_plan_56_some_applied);
	tcase_add_test(p, test_plan_56_all_applied);
	tcase_add_test(p, test_plan_applied_by_name_or_uuid_case);
	tcase_add_test(p, test_plan_60_filter_nothing_applied);
	tcase_add_test(p, test_plan_60_filter_sp_applied);
	tcase_add_test(p, test_plan_60_old_applied_does_not_block_rollup);
	tcase_add_test(p, test_plan_71_cu_hop);
	tcase_add_test(p, test_plan_build_vs_value);
	tcase_add_test(p, test_plan_version_not_in_catalog);
	tcase_add_test(p, test_plan_request_reordered);
	tcase_add_test(p, test_plan_request_pulls_prerequisites);
	tcase_add_test(p, test_plan_request_superseded);
	tcase_add_test(p, test_plan_request_conflicts);
	tcase_add_test(p, test_plan_request_missing_prerequisite);
	tcase_add_test(p, test_plan_request_unknown_and_applied);
	tcase_add_test(p, test_plan_request_not_for_version);
	tcase_add_test(p, test_plan_no_catalog);
	tcase_add_test(p, test_plan_cycle_and_undescribed);
	tcase_add_test(p, test_plan_after_apply);
	tcase_add_test(p, test_plan_names);
	suite_add_tcase(s, p);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
