/* cloudstack.c: CloudStack schema knowledge: generation detection, host and VM queries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csmaint.h"
#include "cloudstack.h"
#include "db.h"

static const char SQL_COLUMNS[] =
	"SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS"
	" WHERE TABLE_SCHEMA = DATABASE()"
	" AND ((TABLE_NAME = 'host' AND COLUMN_NAME IN ('allocation_state', 'resource_state'))"
	" OR (TABLE_NAME = 'version' AND COLUMN_NAME = 'step'))";

/* CloudStack's own rule (VersionDaoImpl): the newest 'Complete' row. */
static const char SQL_VERSION[] =
	"SELECT version FROM version WHERE step = 'Complete' ORDER BY id DESC LIMIT 1";

static const char SQL_VERSION_ROWS[] = "SELECT COUNT(*) FROM version";

const char CS_SQL_HOST_LOCK[] =
	"SELECT id, name, type, status, {C}, removed, cluster_id FROM host WHERE id = ?"
	" FOR UPDATE";

/* Host rows with VM counts by AgentMonitor's placement rule: a VM is on host H when
 * host_id = H, or when it is migrating away from H (last_host_id = H, Migrating). */
#define HOST_SELECT \
	"SELECT h.id, h.name, h.status, h.type, h.{C}, h.cluster_id, h.pod_id," \
	" h.data_center_id, h.private_ip_address, h.{U}," \
	" DATE_FORMAT(h.removed, '%Y-%m-%dT%H:%i:%sZ')," \
	" COALESCE(v.user_vms, 0), COALESCE(v.system_vms, 0)" \
	" FROM host h LEFT JOIN (" \
	"SELECT p.hid, SUM(p.t = 'User') AS user_vms, SUM(p.t <> 'User') AS system_vms" \
	" FROM (SELECT host_id AS hid, type AS t FROM vm_instance" \
	" WHERE removed IS NULL AND host_id IS NOT NULL" \
	" UNION ALL SELECT last_host_id, type FROM vm_instance" \
	" WHERE removed IS NULL AND state = 'Migrating' AND last_host_id IS NOT NULL" \
	" AND (host_id IS NULL OR host_id <> last_host_id)) p GROUP BY p.hid" \
	") v ON v.hid = h.id"

static const char SQL_HOST_LIST[] = HOST_SELECT
	" WHERE (? = 1 OR (h.type = 'Routing' AND h.removed IS NULL))"
	" AND (? IS NULL OR h.data_center_id = ?) AND (? IS NULL OR h.pod_id = ?)"
	" AND (? IS NULL OR h.cluster_id = ?) AND (? IS NULL OR h.status = ?)"
	" AND (? IS NULL OR h.{C} = ?)"
	" ORDER BY h.id";

/* One host: the same columns, counting only that host's VMs. */
static const char SQL_HOST_GET[] =
	"SELECT h.id, h.name, h.status, h.type, h.{C}, h.cluster_id, h.pod_id,"
	" h.data_center_id, h.private_ip_address, h.{U},"
	" DATE_FORMAT(h.removed, '%Y-%m-%dT%H:%i:%sZ'),"
	" (SELECT COUNT(*) FROM vm_instance vm WHERE vm.removed IS NULL AND vm.type = 'User'"
	" AND (vm.host_id = h.id OR (vm.last_host_id = h.id AND vm.state = 'Migrating'))),"
	" (SELECT COUNT(*) FROM vm_instance vm WHERE vm.removed IS NULL AND vm.type <> 'User'"
	" AND (vm.host_id = h.id OR (vm.last_host_id = h.id AND vm.state = 'Migrating')))"
	" FROM host h WHERE h.id = ?";

static const char SQL_RESOLVE_NAME[] =
	"SELECT id, name, type, status, removed IS NOT NULL FROM host"
	" WHERE name = ? OR {U} = ? ORDER BY removed IS NOT NULL, id";

static const char SQL_VMS_ON_HOST[] =
	"SELECT vm.id, vm.instance_name, vm.name, u.display_name, vm.type, vm.vm_type,"
	" vm.state, vm.host_id, vm.last_host_id,"
	" CASE WHEN vm.type = 'User' THEN 'user' ELSE 'system' END"
	" FROM vm_instance vm LEFT JOIN user_vm u ON u.id = vm.id"
	" WHERE vm.removed IS NULL"
	" AND (vm.host_id = ? OR (vm.last_host_id = ? AND vm.state = 'Migrating'))"
	" ORDER BY vm.id";

int
cs_valid_state(const char *s)
{
	return s != NULL && (strcmp(s, "Enabled") == 0 || strcmp(s, "Disabled") == 0);
}

/* "2.2.14.20120210102939" -> 2, 2, 14 (CloudStack compares the first three parts). */
static int
parse_version(const char *v, int *maj, int *min, int *patch)
{
	*maj = *min = *patch = -1;
	if (sscanf(v, "%d.%d.%d", maj, min, patch) < 2)
		return -1;
	return 0;
}

int
cs_detect(struct db *db, struct cs **out)
{
	struct cs *cs = xcalloc(1, sizeof(*cs));
	struct db_res *r = NULL;
	int i, has_alloc = 0, has_res = 0, has_version = 0, maj, min, patch, rc;

	*out = NULL;
	if ((rc = db_query(db, &r, SQL_COLUMNS, "")) != CSM_OK)
		goto fail;
	for (i = 0; i < db_res_rows(r); i++) {
		const char *t = db_get(r, i, 0), *c = db_get(r, i, 1);
		if (strcmp(t, "version") == 0)
			has_version = 1;
		else if (strcmp(c, "allocation_state") == 0)
			has_alloc = 1;
		else if (strcmp(c, "resource_state") == 0)
			has_res = 1;
	}
	db_res_free(r);
	r = NULL;
	if (has_version) {
		if ((rc = db_query(db, &r, SQL_VERSION, "")) != CSM_OK)
			goto fail;
		if (db_res_rows(r) == 1 && db_get(r, 0, 0) != NULL)
			cs->version = xstrdup(db_get(r, 0, 0));
		db_res_free(r);
		r = NULL;
		if (cs->version == NULL) {
			if ((rc = db_query(db, &r, SQL_VERSION_ROWS, "")) != CSM_OK)
				goto fail;
			if (db_get_int(r, 0, 0, 0) > 0)
				cs->why = xstrdup("the version table has no 'Complete' row: a "
				    "CloudStack upgrade is unfinished");
			else
				cs->why = xstrdup("the version table is empty: CloudStack 2.2.2 "
				    "or 2.2.3, which has no host.allocation_state (csmaint needs "
				    "2.2.4 or later)");
			db_res_free(r);
			*out = cs;
			return CSM_OK;
		}
	}
	if (cs->version == NULL) {
		cs->why = xasprintf("no CloudStack version table in schema '%s': CloudStack "
		    "2.2.1 or older, or not a CloudStack database", db_schema(db));
		*out = cs;
		return CSM_OK;
	}
	if (parse_version(cs->version, &maj, &min, &patch) != 0) {
		cs->why = xasprintf("unrecognised CloudStack version '%s'", cs->version);
	} else if (maj == 2 && min == 2 && patch >= 4) {
		if (has_alloc) {
			cs->gen = CS_GEN_22;
			cs->column = "allocation_state";
			cs->generation = "2.2.4-2.2.15";
		} else {
			cs->why = xasprintf("CloudStack %s without host.allocation_state: the "
			    "schema does not match its version", cs->version);
		}
	} else if (maj >= 3) {
		if (has_res) {
			cs->gen = CS_GEN_30;
			cs->column = "resource_state";
			cs->generation = "3.0+";
		} else {
			cs->why = xasprintf("CloudStack %s without host.resource_state: the "
			    "schema does not match its version", cs->version);
		}
	} else {
		cs->why = xasprintf("CloudStack %s is not supported: host.allocation_state "
		    "exists from 2.2.4 (csmaint supports 2.2.4-2.2.15 and 3.0+)", cs->version);
	}
	if (cs->column != NULL)
		db_set_column(db, cs->column);
	*out = cs;
	return CSM_OK;
fail:
	db_res_free(r);
	cs_free(cs);
	return csm_err_prefix("cannot read the CloudStack schema"), rc;
}

void
cs_free(struct cs *cs)
{
	if (cs == NULL)
		return;
	free(cs->version);
	free(cs->why);
	free(cs);
}

int
cs_host_resolve(struct db *db, const char *spec, long long *id)
{
	struct db_res *r = NULL;
	long long n;
	int rc, i, live = 0;

	if (spec == NULL || *spec == '\0')
		return csm_err_set(CSM_EUSAGE, "empty host name");
	/* A number is an id; a host whose name is a number is found by name otherwise. */
	if (csm_strtonum(spec, 1, INT64_MAX, &n) == CSM_OK) {
		if ((rc = db_query(db, &r, "SELECT id FROM host WHERE id = ?", "i", n)) != CSM_OK)
			return rc;
		i = db_res_rows(r);
		db_res_free(r);
		if (i == 1) {
			*id = n;
			return CSM_OK;
		}
	}
	csm_err_clear();
	if ((rc = db_query(db, &r, SQL_RESOLVE_NAME, "ss", spec, spec)) != CSM_OK)
		return rc;
	for (i = 0; i < db_res_rows(r); i++)
		if (strcmp(db_get(r, i, 4), "0") == 0)
			live++;
	if (db_res_rows(r) == 0) {
		db_res_free(r);
		return csm_err_set(CSM_ENOTFOUND, "no host '%s' (give an id, a name or a "
		    "uuid; 'csmaint host list' shows them)", spec);
	}
	if (live > 1 || (live == 0 && db_res_rows(r) > 1)) {
		char list[1024] = "";
		size_t len = 0;
		for (i = 0; i < db_res_rows(r) && len < sizeof(list) - 64; i++) {
			if (live > 0 && strcmp(db_get(r, i, 4), "0") != 0)
				continue;
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s (%s, %s)",
			    len ? ", " : "", db_get(r, i, 0), db_get(r, i, 2), db_get(r, i, 3));
		}
		db_res_free(r);
		return csm_err_set(CSM_EUSAGE, "host name '%s' is ambiguous: ids %s; give the "
		    "id instead", spec, list);
	}
	*id = db_get_int(r, 0, 0, 0);
	db_res_free(r);
	return CSM_OK;
}

int
cs_host_get(struct db *db, long long id, struct db_res **out)
{
	int rc = db_query(db, out, SQL_HOST_GET, "i", id);

	if (rc == CSM_OK && db_res_rows(*out) != 1) {
		db_res_free(*out);
		*out = NULL;
		return csm_err_set(CSM_ENOTFOUND, "no host with id %lld", id);
	}
	return rc;
}

int
cs_host_list(struct db *db, const struct cs_filter *f, struct db_res **out)
{
	return db_query(db, out, SQL_HOST_LIST, "issssssssss", (long long)f->all,
	    f->zone, f->zone, f->pod, f->pod, f->cluster, f->cluster, f->status, f->status,
	    f->state, f->state);
}

int
cs_vms_on_host(struct db *db, long long id, struct db_res **out)
{
	return db_query(db, out, SQL_VMS_ON_HOST, "ii", id, id);
}

static const char SQL_VM_BY_INSTANCE[] =
	"SELECT vm.id, vm.instance_name, vm.name, u.display_name, vm.type, vm.vm_type,"
	" vm.state, vm.host_id, vm.last_host_id,"
	" CASE WHEN vm.type = 'User' THEN 'user' ELSE 'system' END"
	" FROM vm_instance vm LEFT JOIN user_vm u ON u.id = vm.id"
	" WHERE vm.removed IS NULL AND vm.instance_name = ?";

int
cs_vm_by_instance(struct db *db, const char *instance_name, struct db_res **out)
{
	return db_query(db, out, SQL_VM_BY_INSTANCE, "s", instance_name);
}

/* VMs on a host or migrating from it: the set CloudStack's own work could touch. */
#define HOST_VMS \
	"SELECT vm.id FROM vm_instance vm WHERE vm.removed IS NULL" \
	" AND (vm.host_id = ? OR vm.last_host_id = ?)"

static const char SQL_HA_PENDING[] =
	"SELECT w.id, w.type, w.instance_id, w.step FROM op_ha_work w"
	" WHERE w.step NOT IN ('Done', 'Cancelled', 'Error')"
	" AND (w.host_id = ? OR w.instance_id IN (" HOST_VMS ")) ORDER BY w.id";

static const char SQL_JOBS_PENDING[] =
	"SELECT j.id, j.job_cmd, j.instance_type, j.instance_id FROM async_job j"
	" WHERE j.job_status = 0 AND j.removed IS NULL"
	" AND ((j.instance_type = 'Host' AND j.instance_id = ?)"
	" OR (j.instance_type = 'VirtualMachine' AND j.instance_id IN (" HOST_VMS ")))"
	" ORDER BY j.id";

int
cs_pending_ha(struct db *db, long long id, struct db_res **out)
{
	return db_query(db, out, SQL_HA_PENDING, "iii", id, id, id);
}

int
cs_pending_jobs(struct db *db, long long id, struct db_res **out)
{
	return db_query(db, out, SQL_JOBS_PENDING, "iii", id, id, id);
}
