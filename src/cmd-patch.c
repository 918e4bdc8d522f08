/* cmd-patch.c: patch list | upload | precheck | apply: the hotfix steps over XenAPI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csmaint.h"
#include "cloudstack.h"
#include "cmd.h"
#include "conf.h"
#include "catalog.h"
#include "db.h"
#include "dry.h"
#include "guidance.h"
#include "patch.h"
#include "plan.h"
#include "pool.h"
#include "xapi.h"
#include "xshost.h"

static int cmd_patch_list_exec(struct cmd_ctx *);
static int cmd_patch_upload_exec(struct cmd_ctx *);
static int cmd_patch_precheck_exec(struct cmd_ctx *);
static int cmd_patch_apply_exec(struct cmd_ctx *);
static int cmd_patch_plan_exec(struct cmd_ctx *);

static const struct cmd_opt list_opts[] = {
	{ "--host", "HOST", "reach the pool through this CloudStack host; show whether "
	    "each patch is applied on it" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_patch_list_entry = {
	.name = "patch list",
	.args = "",
	.summary = "the pool's hotfixes (uuid, name, size, after-apply guidance) and the "
	    "hosts each is applied on",
	.opts = list_opts,
	.min_args = 0, .max_args = 0,
	.needs = CMD_NEED_CONF | CMD_NEED_DB,
	.exec = cmd_patch_list_exec,
};

static const struct cmd_opt upload_opts[] = {
	{ "--host", "HOST", "the CloudStack host whose pool gets the files (its master "
	    "receives them)" },
	{ "--execute", NULL, "upload (without it: print the calls, change nothing)" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_patch_upload_entry = {
	.name = "patch upload",
	.args = "FILE...",
	.summary = "upload hotfix files to the pool master; files already on the pool are "
	    "skipped",
	.opts = upload_opts,
	.min_args = 1, .max_args = -1,
	.needs = CMD_NEED_CONF | CMD_NEED_DB,
	.exec = cmd_patch_upload_exec,
};

static const struct cmd_opt plan_opts[] = {
	{ "--catalog", "FILE", "a local XenServer update catalog (updates.xml, as XenCenter "
	    "reads it)" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_patch_plan_entry = {
	.name = "patch plan",
	.args = "HOST [FILE...]",
	.summary = "the minimal ordered set of hotfixes HOST still needs: no superseded "
	    "patch, nothing already applied, prerequisites first (offline catalog)",
	.opts = plan_opts,
	.min_args = 1, .max_args = -1,
	.needs = CMD_NEED_CONF | CMD_NEED_DB,
	.exec = cmd_patch_plan_exec,
};

const struct cmd_entry cmd_patch_precheck_entry = {
	.name = "patch precheck",
	.args = "HOST PATCH...",
	.summary = "run the hotfixes' prechecks on HOST (exit 4 if one fails); changes "
	    "nothing",
	.opts = NULL,
	.min_args = 2, .max_args = -1,
	.needs = CMD_NEED_CONF | CMD_NEED_DB,
	.exec = cmd_patch_precheck_exec,
};

static const struct cmd_opt apply_opts[] = {
	{ "--after-apply", NULL, "also carry out the guidance: reboot the host or restart "
	    "its toolstack, and wait for it" },
	{ "--execute", NULL, "apply (without it: print the calls, change nothing)" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_patch_apply_entry = {
	.name = "patch apply",
	.args = "HOST PATCH...",
	.summary = "precheck and apply hotfixes on HOST in the order given, and verify them",
	.opts = apply_opts,
	.min_args = 2, .max_args = -1,
	.needs = CMD_NEED_CONF | CMD_NEED_DB,
	.exec = cmd_patch_apply_exec,
};

static int cmd_patch_clean_exec(struct cmd_ctx *);

static const struct cmd_opt clean_opts[] = {
	{ "--host", "HOST", "a CloudStack host of the pool to clean" },
	{ "--force", NULL, "clean a hotfix that a host of the pool has not applied yet (it "
	    "must then be uploaded again for that host)" },
	{ "--execute", NULL, "remove the files (without it: print the calls, change "
	    "nothing)" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_patch_clean_entry = {
	.name = "patch clean",
	.args = "PATCH...",
	.summary = "remove hotfix files from the pool once every host has them applied, as "
	    "XenCenter does after the last host (they fill dom0's /var/patch)",
	.opts = clean_opts,
	.min_args = 1, .max_args = -1,
	.needs = CMD_NEED_CONF | CMD_NEED_DB,
	.exec = cmd_patch_clean_exec,
};

static int
cmd_patch_list_exec(struct cmd_ctx *ctx)
{
	const char *spec = cmd_opt(ctx, "--host");
	struct target t;
	struct pool_patch *patches = NULL;
	struct out *o = NULL;
	size_t np = 0, i, j, k;
	int rc;

	if (spec == NULL)
		return csm_err_set(CSM_EUSAGE, "'patch list' needs --host HOST: the pool is "
		    "reached through that CloudStack host's address");
	if ((rc = target_open(cmd_site(ctx), spec, &t)) != CSM_OK)
		return rc;
	if ((rc = pool_patches(t.pool, &patches, &np)) != CSM_OK)
		goto out;
	o = out_new("patches");
	out_col(o, "uuid", OUT_STR);
	out_col(o, "name_label", OUT_STR);
	out_col(o, "version", OUT_STR);
	out_col(o, "size", OUT_NUM);
	out_col(o, "after_apply_guidance", OUT_STR);
	out_col(o, "pool_applied", OUT_BOOL);
	out_col(o, "applied_on", OUT_STR);
	out_col(o, "applied_here", OUT_BOOL);
	for (i = 0; i < np; i++) {
		char on[2048] = "";
		size_t len = 0;
		int here = 0;

		for (j = 0; j < t.nh; j++) {
			for (k = 0; k < t.hosts[j].npatches; k++) {
				if (patches[i].uuid == NULL ||
				    strcasecmp(t.hosts[j].patches[k], patches[i].uuid) != 0)
					continue;
				if (len < sizeof(on) - 256)
					len += (size_t)snprintf(on + len, sizeof(on) - len, "%s%s",
					    len ? "," : "", t.hosts[j].name_label);
				if (&t.hosts[j] == t.xs)
					here = 1;
			}
		}
		out_row(o);
		out_cell(o, 0, patches[i].uuid);
		out_cell(o, 1, patches[i].name_label);
		out_cell(o, 2, patches[i].version);
		if (patches[i].size >= 0)
			out_cell_num(o, 3, patches[i].size);
		out_cell(o, 4, patches[i].guidance);
		out_cell_bool(o, 5, patches[i].pool_applied);
		out_cell(o, 6, on);
		out_cell_bool(o, 7, here);
	}
	rc = cmd_print(ctx, &o, 1);
out:
	out_free(o);
	pool_patches_free(patches, np);
	target_close(&t);
	return rc;
}

static struct out *
result_table(void)
{
	struct out *o = out_new("patches");

	out_col(o, "name_label", OUT_STR);
	out_col(o, "uuid", OUT_STR);
	out_col(o, "action", OUT_STR);
	out_col(o, "after_apply_guidance", OUT_STR);
	out_col(o, "detail", OUT_STR);
	return o;
}

static void
result_row(struct out *o, const char *name, const struct patch *p, const char *action,
    const char *detail)
{
	out_row(o);
	out_cell(o, 0, p && p->name_label ? p->name_label : name);
	out_cell(o, 1, p ? p->uuid : NULL);
	out_cell(o, 2, action);
	out_cell(o, 3, p ? p->guidance_text : NULL);
	out_cell(o, 4, detail);
}

static int
cmd_patch_upload_exec(struct cmd_ctx *ctx)
{
	const char *spec = cmd_opt(ctx, "--host");
	int rc = CSM_OK, i;
	int progress = isatty(2) && !csm_quiet;
	struct dry *dry = NULL;
	struct target t;
	struct out *o;

	if (spec == NULL)
		return csm_err_set(CSM_EUSAGE, "'patch upload' needs --host HOST: the files go "
		    "to the master of that CloudStack host's pool");
	/* Every file is usable before anything is sent (a FIFO must not hang it). */
	for (i = 0; i < ctx->argc; i++)
		if ((rc = patch_file_check(ctx->argv[i], "hotfix file")) != CSM_OK)
			return rc;
	if (!cmd_execute(ctx) && (rc = cmd_dry_begin(ctx, "make these calls", &dry)) !=
	    CSM_OK)
		return rc;
	if ((rc = target_open(cmd_site(ctx), spec, &t)) != CSM_OK) {
		dry_free(dry);
		return rc;
	}
	o = result_table();
	for (i = 0; i < ctx->argc && rc == CSM_OK; i++) {
		char *name = plan_request_name(ctx->argv[i]);
		struct patch p;
		int existed = 0;
		struct stat st;

		/* A patch already on the pool (same name) is not sent again. */
		if (patch_find(t.pool, t.updates, name, &p) == CSM_OK) {
			result_row(o, name, &p, "present", "already on the pool: not uploaded");
			dry_note(dry, "%s is already on the pool (%s): not uploaded", name, p.uuid);
			patch_clear(&p);
		} else if (dry) {
			const char *base = pool_url(t.pool);
			char *url = xasprintf("%.*s/pool_patch_upload?session_id=&task_id=",
			    (int)(strlen(base) - (base[0] && base[strlen(base) - 1] == '/')), base);

			csm_err_clear();
			stat(ctx->argv[i], &st);
			dry_xenapi(dry, "task.create", NULL, "ss", "csmaint patch upload", name);
			dry_http(dry, "PUT", url, ctx->argv[i], (long long)st.st_size);
			dry_xenapi(dry, "task.get_record", "until it ends", "r", "task", NULL);
			dry_xenapi(dry, "task.destroy", NULL, "r", "task", NULL);
			free(url);
			result_row(o, name, NULL, "would upload", ctx->argv[i]);
		} else {
			csm_err_clear();
			rc = patch_upload(t.pool, t.updates, ctx->argv[i],
			    ctx->conf->xapi.update_sr, progress, ctx->conf->proc.wait_timeout, &p,
			    &existed);
			if (rc == CSM_OK) {
				result_row(o, name, &p, existed ? "present" : "uploaded",
				    existed ? "PATCH_ALREADY_EXISTS: the pool had it" : ctx->argv[i]);
				csm_info("%s: %s (%s)", ctx->argv[i], existed ?
				    "already on the pool" : "uploaded", p.uuid);
			}
			patch_clear(&p);
		}
		free(name);
	}
	if (rc == CSM_OK && !dry)
		rc = cmd_print(ctx, &o, 1);
	out_free(o);
	target_close(&t);
	return cmd_dry_end(ctx, dry, rc);
}

static int
cmd_patch_precheck_exec(struct cmd_ctx *ctx)
{
	struct target t;
	struct out *o;
	int rc, i, failed = 0;

	if ((rc = target_open(cmd_site(ctx), ctx->argv[0], &t)) != CSM_OK)
		return rc;
	o = result_table();
	for (i = 1; i < ctx->argc; i++) {
		struct patch p;
		char *output = NULL;

		if ((rc = patch_find(t.pool, t.updates, ctx->argv[i], &p)) != CSM_OK)
			break;
		rc = patch_precheck(t.pool, &p, t.xs->ref, &output);
		if (rc == CSM_ECONFLICT) {
			result_row(o, ctx->argv[i], &p, "fail", csm_err_msg());
			csm_info("%s", csm_err_msg());
			failed++;
			rc = CSM_OK;
		} else if (rc == CSM_OK) {
			result_row(o, ctx->argv[i], &p, "pass", output);
		}
		free(output);
		patch_clear(&p);
		if (rc != CSM_OK)
			break;
	}
	if (rc == CSM_OK)
		rc = cmd_print(ctx, &o, 1);
	out_free(o);
	target_close(&t);
	if (rc == CSM_OK && failed)
		return csm_err_set(CSM_ECONFLICT, "%d of %d prechecks failed on host %s", failed,
		    ctx->argc - 1, ctx->argv[0]);
	return rc;
}

static int
cmd_patch_apply_exec(struct cmd_ctx *ctx)
{
	int after = cmd_opt(ctx, "--after-apply") != NULL;
	unsigned guide = 0;
	struct dry *dry = NULL;
	struct target t;
	struct out *o;
	int rc, i;

	if (!cmd_execute(ctx) && (rc = cmd_dry_begin(ctx, "make these calls", &dry)) !=
	    CSM_OK)
		return rc;
	if ((rc = target_open(cmd_site(ctx), ctx->argv[0], &t)) != CSM_OK) {
		dry_free(dry);
		return rc;
	}
	o = result_table();
	for (i = 1; i < ctx->argc && rc == CSM_OK; i++) {
		struct patch_one req = { ctx->argv[i], NULL, NULL, PATCH_APPLY,
		    ctx->conf->proc.wait_timeout, 0, ctx->conf->xapi.update_sr, 0, "" };
		enum patch_outcome done;
		struct patch p;
		char *output = NULL;
		int applied = 0;
		const char *cls = t.updates ? "pool_update" : "pool_patch";

		if (!dry) {
			rc = patch_apply_one(t.pool, t.updates, t.xs->ref, &req, &p, &done,
			    &output);
			if (rc == CSM_OK) {
				int already = done == PATCH_ALREADY;
				result_row(o, ctx->argv[i], &p, already ? "already applied" :
				    "applied", already ? "nothing to do" : output);
				csm_info("%s: %s on %s", p.name_label, already ?
				    "was already applied" : "applied and verified", t.name);
				if (!already)
					guide |= p.guidance;
			}
			free(output);
			patch_clear(&p);
			continue;
		}
		if ((rc = patch_find(t.pool, t.updates, ctx->argv[i], &p)) != CSM_OK)
			break;
		if ((rc = patch_applied(t.pool, &p, t.xs->ref, &applied)) != CSM_OK) {
			patch_clear(&p);
			break;
		}
		if (applied) {
			result_row(o, ctx->argv[i], &p, "already applied", "nothing to do");
			dry_note(dry, "%s is already applied on %s", p.name_label, t.name);
		} else {
			char m[64];

			snprintf(m, sizeof(m), "%s.precheck", cls);
			dry_xenapi(dry, m, NULL, "rr", cls, p.name_label, "host", t.xs->name_label);
			snprintf(m, sizeof(m), "Async.%s.apply", cls);
			dry_xenapi(dry, m, NULL, "rr", cls, p.name_label, "host", t.xs->name_label);
			dry_xenapi(dry, "task.get_record", "until it ends", "r", "task", NULL);
			dry_xenapi(dry, "task.destroy", NULL, "r", "task", NULL);
			if (t.updates)
				dry_xenapi(dry, "host.get_updates", "to verify it is applied", "r",
				    "host", t.xs->name_label);
			else
				dry_xenapi(dry, "host_patch.get_all_records", "to verify it is "
				    "applied", "");
			result_row(o, ctx->argv[i], &p, "would apply", NULL);
			guide |= p.guidance;
		}
		patch_clear(&p);
	}
	/* Show what was applied even when a later patch failed: the operator needs it. */
	if (!dry && out_nrows(o) > 0) {
		int prc = cmd_print(ctx, &o, 1);
		if (rc == CSM_OK)
			rc = prc;
	}
	out_free(o);
	if (rc != CSM_OK && guide != 0)
		csm_warn("patches applied before the failure ask for: %s%s%s",
		    guide & GUIDE_RESTART_HOST ? "a host reboot " : "",
		    guide & GUIDE_RESTART_XAPI ? "a toolstack restart " : "",
		    guide & (GUIDE_RESTART_HVM | GUIDE_RESTART_PV) ? "guest restarts" : "");
	if (rc == CSM_OK && (guide & (GUIDE_RESTART_HVM | GUIDE_RESTART_PV)))
		csm_info("after-apply guidance: restart the %s VMs that run on %s when it is "
		    "back in service", (guide & GUIDE_RESTART_HVM) && (guide & GUIDE_RESTART_PV) ?
		    "HVM and PV" : guide & GUIDE_RESTART_HVM ? "HVM" : "PV", t.name);
	if (rc == CSM_OK && guidance_restart(guide) != RESTART_NONE) {
		int reboot = guidance_restart(guide) == RESTART_HOST;
		if (dry)
			dry_note(dry, "after-apply guidance: %s", reboot ? "reboot the host "
			    "(host.disable, Async.host.reboot, wait until it is back)" :
			    "restart the toolstack (host.restart_agent)");
		else if (!after)
			csm_info("after-apply guidance: %s %s: run 'csmaint %s %s --execute' or "
			    "apply with --after-apply", reboot ? "reboot" : "restart the toolstack "
			    "of", t.name, reboot ? "host reboot" : "host reboot --toolstack", t.name);
		else
			rc = xshost_restart(cmd_site(ctx), &t, reboot ? XSHOST_REBOOT :
			    XSHOST_RESTART_TOOLSTACK, NULL);
	}
	target_close(&t);
	return cmd_dry_end(ctx, dry, rc);
}

struct out *
cmd_plan_table(const struct plan *plan)
{
	struct out *o = out_new("patches");
	size_t i;

	out_col(o, "order", OUT_NUM);
	out_col(o, "name_label", OUT_STR);
	out_col(o, "uuid", OUT_STR);
	out_col(o, "action", OUT_STR);
	out_col(o, "after_apply_guidance", OUT_STR);
	out_col(o, "file", OUT_STR);
	out_col(o, "reason", OUT_STR);
	for (i = 0; i < plan->nentries; i++) {
		const struct plan_entry *e = &plan->entries[i];
		out_row(o);
		if (e->action == PLAN_APPLY)
			out_cell_num(o, 0, (long long)i + 1);
		out_cell(o, 1, e->name_label);
		out_cell(o, 2, e->uuid);
		out_cell(o, 3, plan_action_name(e->action));
		out_cell(o, 4, e->patch ? e->patch->guidance_text : NULL);
		out_cell(o, 5, e->request);
		out_cell(o, 6, e->reason);
	}
	return o;
}

static int
cmd_patch_plan_exec(struct cmd_ctx *ctx)
{
	struct catalog *cat = NULL;
	struct plan *plan = NULL;
	struct plan_after after;
	struct target t;
	struct out *o;
	int rc;

	if ((rc = target_open(cmd_site(ctx), ctx->argv[0], &t)) != CSM_OK)
		return rc;
	rc = patch_plan_build(t.pool, t.xs, cmd_opt(ctx, "--catalog"), ctx->argv + 1, ctx->argc - 1, &cat,
	    &plan);
	if (rc == CSM_OK) {
		o = cmd_plan_table(plan);
		rc = cmd_print(ctx, &o, 1);
		out_free(o);
		plan_after_apply(plan, &after);
		csm_info("host %lld (%s), XenServer %s build %s: %zu to apply%s", t.id, t.name,
		    t.xs->product_version ? t.xs->product_version : "?",
		    t.xs->build_number ? t.xs->build_number : "?", plan->napply,
		    after.reboot_host ? ", then a host reboot" : after.restart_toolstack ?
		    ", then a toolstack restart" : "");
		plan_after_free(&after);
	}
	plan_free(plan);
	catalog_free(cat);
	target_close(&t);
	return rc;
}

static int
cmd_patch_clean_exec(struct cmd_ctx *ctx)
{
	const char *spec = cmd_opt(ctx, "--host");
	int force = cmd_opt(ctx, "--force") != NULL, rc, i, refused = 0;
	struct dry *dry = NULL;
	struct target t;
	struct out *o;

	if (spec == NULL)
		return csm_err_set(CSM_EUSAGE, "'patch clean' needs --host HOST: a CloudStack "
		    "host of the pool to clean");
	if (!cmd_execute(ctx) && (rc = cmd_dry_begin(ctx, "make these calls", &dry)) !=
	    CSM_OK)
		return rc;
	if ((rc = target_open(cmd_site(ctx), spec, &t)) != CSM_OK) {
		dry_free(dry);
		return rc;
	}
	o = result_table();
	for (i = 0; i < ctx->argc && rc == CSM_OK; i++) {
		const char *method = NULL;
		char lacks[512];
		struct patch p;
		int all;

		if ((rc = patch_find(t.pool, t.updates, ctx->argv[i], &p)) != CSM_OK)
			break;
		all = patch_applied_everywhere(t.pool, t.hosts, t.nh, &p, lacks, sizeof(lacks));
		if (all != CSM_OK && all != CSM_ECONFLICT) {
			rc = all;
		} else if (all == CSM_ECONFLICT && !force) {
			char *why = xasprintf("not applied on %s: it would have to be uploaded "
			    "again for them (--force cleans it anyway)", lacks);
			result_row(o, ctx->argv[i], &p, "not cleaned", why);
			dry_note(dry, "%s: %s", p.name_label, why);
			free(why);
			csm_err_clear();
			refused++;
		} else if (dry != NULL) {
			int upd = p.update != NULL && p.ref == NULL;
			int tampa = t.xs->api_major > 1 || (t.xs->api_major == 1 &&
			    t.xs->api_minor >= 10);
			dry_xenapi(dry, upd ? "pool_update.pool_clean" : tampa ?
			    "pool_patch.pool_clean" : "pool_patch.clean", NULL, "r", upd ?
			    "pool_update" : "pool_patch", p.name_label);
			result_row(o, ctx->argv[i], &p, "would clean", NULL);
		} else if ((rc = patch_clean(t.pool, t.xs, &p, &method)) == CSM_OK) {
			result_row(o, ctx->argv[i], &p, "cleaned", method);
			csm_info("%s: files removed from the pool (%s)", p.name_label, method);
		}
		patch_clear(&p);
	}
	if (dry != NULL) {
		dry_table(dry, o);	/* the recorder owns it now */
	} else {
		/* What was cleaned is shown even when a later one failed. */
		if (out_nrows(o) > 0) {
			int prc = cmd_print(ctx, &o, 1);
			if (rc == CSM_OK)
				rc = prc;
		}
		out_free(o);
	}
	target_close(&t);
	if (rc == CSM_OK && refused)
		rc = csm_err_set(CSM_ECONFLICT, "%d hotfix%s not cleaned: some host of the pool "
		    "has not applied %s (see above)", refused, refused == 1 ? "" : "es",
		    refused == 1 ? "it" : "them");
	return dry != NULL ? cmd_dry_end(ctx, dry, rc) : rc;
}
