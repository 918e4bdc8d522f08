/* target.c: HOST resolved to its CloudStack row and the XenServer host it is. */
#include <string.h>

#include "csmaint.h"
#include "cloudstack.h"
#include "db.h"
#include "patch.h"
#include "pool.h"
#include "site.h"
#include "target.h"

int
target_open(const struct site *s, const char *spec, struct target *t)
{
	int rc, by_address;

	memset(t, 0, sizeof(*t));
	if ((rc = cs_host_resolve(s->db, spec, &t->id)) != CSM_OK)
		return rc;
	if ((rc = cs_host_get(s->db, t->id, &t->row)) != CSM_OK)
		return rc;
	t->name = db_get(t->row, 0, CS_H_NAME);
	if (strcmp(db_get(t->row, 0, CS_H_TYPE), "Routing") != 0) {
		rc = csm_err_set(CSM_ECONFLICT, "host %lld (%s) is a %s host, not a XenServer "
		    "hypervisor", t->id, t->name, db_get(t->row, 0, CS_H_TYPE));
		goto fail;
	}
	rc = pool_connect(s->conf, db_get(t->row, 0, CS_H_IP), &t->pool);
	if (rc != CSM_OK) {
		csm_err_prefix("cannot reach XenServer host %lld (%s) at %s", t->id, t->name,
		    db_get(t->row, 0, CS_H_IP));
		goto fail;
	}
	if ((rc = pool_hosts(t->pool, &t->hosts, &t->nh)) != CSM_OK)
		goto fail;
	/* host.guid is the XenServer uuid in both generations (3.0's host.uuid is
	 * CloudStack's own); the address is only a fallback. */
	t->xs = pool_host_match(t->hosts, t->nh, db_get(t->row, 0, CS_H_GUID),
	    db_get(t->row, 0, CS_H_IP), &by_address);
	if (t->xs == NULL) {
		rc = csm_err_set(CSM_ECONFLICT, "the XenServer pool at %s has no host with uuid "
		    "%s (host.guid) and no single host at address %s (CloudStack host %lld, %s)",
		    pool_url(t->pool), db_get(t->row, 0, CS_H_GUID) ? db_get(t->row, 0,
		    CS_H_GUID) : "NULL", db_get(t->row, 0, CS_H_IP), t->id, t->name);
		goto fail;
	}
	if (by_address)
		csm_warn("CloudStack host %lld (%s): no XenServer host has its host.guid %s; "
		    "using %s (uuid %s), the only one at address %s", t->id, t->name,
		    db_get(t->row, 0, CS_H_GUID) ? db_get(t->row, 0, CS_H_GUID) : "NULL",
		    t->xs->name_label ? t->xs->name_label : "?", t->xs->uuid ? t->xs->uuid : "?",
		    db_get(t->row, 0, CS_H_IP));
	t->updates = patch_uses_updates(t->xs);
	return CSM_OK;
fail:
	target_close(t);
	return rc;
}

void
target_close(struct target *t)
{
	pool_hosts_free(t->hosts, t->nh);
	pool_free(t->pool);
	db_res_free(t->row);
	memset(t, 0, sizeof(*t));
}

