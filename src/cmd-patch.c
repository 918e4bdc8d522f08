/* cmd-patch.c: patch list: the pool's hotfixes and where each is applied. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csmaint.h"
#include "cloudstack.h"
#include "cmd.h"
#include "db.h"
#include "pool.h"

static int cmd_patch_list_exec(struct cmd_ctx *);

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

static int
cmd_patch_list_exec(struct cmd_ctx *ctx)
{
	const char *spec = cmd_opt(ctx, "--host");
	struct db_res *host = NULL;
	struct pool *pool = NULL;
	struct pool_host *hosts = NULL;
	struct pool_patch *patches = NULL;
	const struct pool_host *me = NULL;
	struct out *o = NULL;
	size_t nh = 0, np = 0, i, j, k;
	long long id;
	int rc;

	if (spec == NULL)
		return csm_err_set(CSM_EUSAGE, "'patch list' needs --host HOST: the pool is "
		    "reached through that CloudStack host's address");
	if ((rc = cmd_host_pool(ctx, spec, &id, &host, &pool)) != CSM_OK)
		return rc;
	if ((rc = pool_hosts(pool, &hosts, &nh)) != CSM_OK ||
	    (rc = pool_patches(pool, &patches, &np)) != CSM_OK)
		goto out;
	me = pool_host_match(hosts, nh, db_get(host, 0, CS_H_UUID), db_get(host, 0, CS_H_IP));
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

		for (j = 0; j < nh; j++) {
			for (k = 0; k < hosts[j].npatches; k++) {
				if (patches[i].uuid == NULL ||
				    strcasecmp(hosts[j].patches[k], patches[i].uuid) != 0)
					continue;
				if (len < sizeof(on) - 256)
					len += (size_t)snprintf(on + len, sizeof(on) - len, "%s%s",
					    len ? "," : "", hosts[j].name_label);
				if (&hosts[j] == me)
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
		if (me != NULL)
			out_cell_bool(o, 7, here);
	}
	rc = cmd_print(ctx, &o, 1);
out:
	out_free(o);
	pool_patches_free(patches, np);
	pool_hosts_free(hosts, nh);
	pool_free(pool);
	db_res_free(host);
	return rc;
}
