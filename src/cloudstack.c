/* cloudstack.c: CloudStack schema knowledge: generation detection, host and VM queries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
	" COALESCE(v.user_vms, 0), COALESCE(v.system_vms, 0), h.guid" \
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
	" AND (vm.host_id = h.id OR (vm.last_host_id = h.id AND vm.state = 'Migrating'))),"
	" h.guid FROM host h WHERE h.id = ?";

/* The server compares with the column's collation (case, accents and trailing spaces
 * ignored): that finds the candidates, and cs_host_resolve() keeps the exact ones. */
static const char SQL_RESOLVE_NAME[] =
	"SELECT id, name, type, status, removed IS NOT NULL, {U}, name = ?, guid FROM host"
	" WHERE name = ? OR {U} = ? OR guid = ? ORDER BY removed IS NOT NULL, id";

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

/* Is row I of a SQL_RESOLVE_NAME result exactly SPEC?  A name must be the same byte for
 * byte; a uuid may differ only in the case of its hex digits (RFC 4122). */
static int
exact_match(const struct db_res *r, int i, const char *spec)
{
	const char *name = db_get(r, i, 1), *uuid = db_get(r, i, 5), *guid = db_get(r, i, 7);

	return (name != NULL && strcmp(name, spec) == 0) ||
	    (uuid != NULL && strcasecmp(uuid, spec) == 0) ||
	    (guid != NULL && strcasecmp(guid, spec) == 0);
}

/* Equal as the server's collation compares an ASCII uuid: case and trailing spaces aside. */
static int
coll_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	while (la > 0 && a[la - 1] == ' ')
		la--;
	while (lb > 0 && b[lb - 1] == ' ')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

/* The value that nearly matched in row I: the name, else the guid or uuid it was. */
static const char *
near_value(const struct db_res *r, int i, const char *spec)
{
	const char *v, *g = db_get(r, i, 7);

	if (strcmp(db_get(r, i, 6) ? db_get(r, i, 6) : "0", "1") == 0)
		v = db_get(r, i, 1);
	else
		v = g != NULL && coll_eq(g, spec) ? g : db_get(r, i, 5);
	return v != NULL ? v : "";
}

/* "no host named 'XS-01 ' (did you mean 'xs-01'?)": each near value once. */
static int
not_exact(const struct db_res *r, const char *spec)
{
	char list[1024] = "";
	size_t len = 0;
	int i, j, shown = 0, n = db_res_rows(r);

	for (i = 0; i < n && len < sizeof(list) - 300; i++) {
		const char *v = near_value(r, i, spec);
		int dup = 0;

		for (j = 0; j < i && !dup; j++)
			dup = strcmp(near_value(r, j, spec), v) == 0;
		if (dup)
			continue;
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s'%.255s'",
		    shown ? ", " : "", v);
		shown++;
	}
	if (i < n)
		snprintf(list + len, sizeof(list) - len, ", ...");
	return csm_err_set(CSM_ENOTFOUND, "no host named '%s' (did you mean %s%s?)", spec,
	    shown > 1 ? "one of " : "", list);
}

int
cs_host_resolve(struct db *db, const char *spec, long long *id)
{
	struct db_res *r = NULL;
	long long n;
	int rc, i, live = 0, exact = 0, first = -1;

	if (spec == NULL || *spec == '\0')
		return csm_err_set(CSM_EUSAGE, "empty host name");
	/* It goes into SQL and the journal's arguments: the same rules as --reason (but
	 * no length limit: a name longer than the column holds is simply not found). */
	if ((rc = csm_check_text("HOST", spec, SIZE_MAX)) != CSM_OK) {
		char why[512];
		snprintf(why, sizeof(why), "%s", csm_err_msg());
		return csm_err_set(rc, "%s; give the host id instead", why);
	}
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
	if ((rc = db_query(db, &r, SQL_RESOLVE_NAME, "ssss", spec, spec, spec, spec)) != CSM_OK)
		return rc;
	if (db_res_rows(r) == 0) {
		db_res_free(r);
		return csm_err_set(CSM_ENOTFOUND, "no host '%s' (give an id, a name or a "
		    "uuid; 'csmaint host list' shows them)", spec);
	}
	for (i = 0; i < db_res_rows(r); i++) {
		if (!exact_match(r, i, spec))
			continue;
		exact++;
		if (strcmp(db_get(r, i, 4), "0") == 0)
			live++;
		if (first < 0)
			first = i;	/* live rows sort first */
	}
	if (exact == 0) {
		rc = not_exact(r, spec);
		db_res_free(r);
		return rc;
	}
	if (live > 1 || (live == 0 && exact > 1)) {
		char list[1024] = "";
		size_t len = 0;
		for (i = 0; i < db_res_rows(r) && len < sizeof(list) - 64; i++) {
			if (!exact_match(r, i, spec) ||
			    (live > 0 && strcmp(db_get(r, i, 4), "0") != 0))
				continue;
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s (%s, %s)",
			    len ? ", " : "", db_get(r, i, 0), db_get(r, i, 2), db_get(r, i, 3));
		}
		db_res_free(r);
		return csm_err_set(CSM_EUSAGE, "host name '%s' is ambiguous: ids %s; give the "
		    "id instead", spec, list);
	}
	*id = db_get_int(r, first, 0, 0);
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

/*
 * Unfinished async jobs that concern the host or a VM on it.  The instance columns are
 * not enough (CloudStack-archive tag-2.2.13 and tag-3.0.2, api/src/com/cloud/api/
 * BaseAsyncCmd.java, server/src/com/cloud/api/ApiServer.java): system-VM jobs carry
 * instance_type DomainRouter or SystemVm, and a command that does not override
 * getInstanceType() is stored as 'None' with a NULL instance_id -- MigrateVMCmd and
 * MigrateSystemVMCmd among them.  ApiServer stores the request's parameters in
 * job_cmd_info as a Gson map of strings ({"virtualmachineid":"4","hostid":"2",...});
 * from 3.0 the API takes uuids there (@IdentityMapper), so both the id and the uuid are
 * looked for.  "hostid" is a migration's destination: a VM coming to the host concerns
 * it as much as one leaving.  In doubt -- a VM or host job without an instance id, a
 * migration whose arguments name no VM -- the job is listed, so it blocks.  Plain LIKE,
 * no JSON functions: CloudStack of that era ran on MySQL 5.1.
 */
#define JOB_COLS "j.id, j.job_cmd, j.instance_type, j.instance_id"
#define JOB_FROM(t) " FROM async_job j" t " WHERE j.job_status = 0 AND j.removed IS NULL AND "
#define JOB_OPEN JOB_FROM("")
#define VM_KINDS "('VirtualMachine', 'DomainRouter', 'SystemVm', 'ConsoleProxy')"
#define JOB_ARG(key, val) "j.job_cmd_info LIKE CONCAT('%\"" key "\":\"', " val ", '\"%')"
#define NO_INSTANCE "(j.instance_type IS NULL OR j.instance_type = 'None')"
#define JOBS_PENDING(VM_ARGS, HOST_ARGS) \
	"SELECT id, CONCAT(job_cmd, ' (', GROUP_CONCAT(DISTINCT why ORDER BY why SEPARATOR ', '), ')'), instance_type, instance_id FROM (" \
	"SELECT " JOB_COLS ", 'on the host' AS why" JOB_OPEN \
	"j.instance_type = 'Host' AND j.instance_id = ?" \
	" UNION ALL SELECT " JOB_COLS ", CONCAT('on VM ', j.instance_id)" JOB_OPEN \
	"j.instance_type IN " VM_KINDS " AND j.instance_id IN (" HOST_VMS ")" \
	" UNION ALL SELECT " JOB_COLS ", CONCAT('arguments name VM ', vm.id)" JOB_FROM(", vm_instance vm") \
	"vm.removed IS NULL AND (vm.host_id = ? OR vm.last_host_id = ?) AND (" VM_ARGS ")" \
	" UNION ALL SELECT " JOB_COLS ", 'arguments name the host'" JOB_FROM(", host h") \
	"h.id = ? AND (" HOST_ARGS ")" \
	" UNION ALL SELECT " JOB_COLS ", CONCAT(j.instance_type, ' job without an instance id')" \
	JOB_OPEN "j.instance_id IS NULL AND j.instance_type IN ('Host', 'VirtualMachine'," \
	" 'DomainRouter', 'SystemVm', 'ConsoleProxy')" \
	" UNION ALL SELECT " JOB_COLS ", 'a migration whose arguments name no VM'" JOB_OPEN \
	NO_INSTANCE " AND j.job_cmd LIKE '%Migrate%' AND (j.job_cmd_info IS NULL OR" \
	" j.job_cmd_info NOT LIKE '%\"virtualmachineid\":\"%')" \
	") x GROUP BY id, job_cmd, instance_type, instance_id ORDER BY id"

/* What the arguments are matched against: vm_instance vm, host h (2.2 has no uuids).
 * Only these two keys: at tag-2.2.13 every None-typed command that names a VM does it
 * with virtualmachineid (MigrateVMCmd, MigrateSystemVMCmd, AttachIsoCmd, DetachIsoCmd,
 * UpdatePortForwardingRuleCmd); an "id" there is another object's (AttachIsoCmd: the
 * ISO), and matching it would block on unrelated work. */
#define VM_ARGS_22 JOB_ARG("virtualmachineid", "vm.id")
#define VM_ARGS_30 VM_ARGS_22 " OR " JOB_ARG("virtualmachineid", "vm.uuid")
#define HOST_ARGS_22 JOB_ARG("hostid", "h.id")
#define HOST_ARGS_30 HOST_ARGS_22 " OR " JOB_ARG("hostid", "h.uuid")

static const char SQL_JOBS_PENDING_22[] = JOBS_PENDING(VM_ARGS_22, HOST_ARGS_22);
static const char SQL_JOBS_PENDING_30[] = JOBS_PENDING(VM_ARGS_30, HOST_ARGS_30);

int
cs_pending_ha(struct db *db, long long id, struct db_res **out)
{
	return db_query(db, out, SQL_HA_PENDING, "iii", id, id, id);
}

/* 3.0+ (vm_instance.uuid, host.uuid exist): db.c names the generation's column. */
static int
is_30(const struct db *db)
{
	char *c = db_expand(db, "{C}");
	int r = strcmp(c, "resource_state") == 0;

	free(c);
	return r;
}

int
cs_pending_jobs(struct db *db, long long id, struct db_res **out)
{
	return db_query(db, out, is_30(db) ? SQL_JOBS_PENDING_30 : SQL_JOBS_PENDING_22,
	    "iiiiii", id, id, id, id, id, id);
}

static const char SQL_CAPACITY_MISMATCH[] =
	"SELECT id, name, resource_state, GROUP_CONCAT(DISTINCT capacity_state ORDER BY"
	" capacity_state SEPARATOR ', '), expected FROM ("
	"SELECT h.id, h.name, h.resource_state, c.capacity_state,"
	" CASE WHEN h.resource_state <> 'Enabled' OR cl.allocation_state = 'Disabled'"
	" OR p.allocation_state = 'Disabled' OR z.allocation_state = 'Disabled'"
	" THEN 'Disabled' ELSE 'Enabled' END AS expected"
	" FROM host h JOIN op_host_capacity c ON c.host_id = h.id"
	" JOIN cluster cl ON cl.id = h.cluster_id"
	" LEFT JOIN host_pod_ref p ON p.id = cl.pod_id"
	" LEFT JOIN data_center z ON z.id = cl.data_center_id"
	" WHERE h.type = 'Routing' AND h.removed IS NULL AND (? = 0 OR h.id = ?)"
	") x WHERE (? = 1 OR capacity_state <> expected)"
	" GROUP BY id, name, resource_state, expected ORDER BY id";

int
cs_capacity(struct db *db, long long id, int all, struct db_res **out)
{
	return db_query(db, out, SQL_CAPACITY_MISMATCH, "iii", id, id, (long long)all);
}
