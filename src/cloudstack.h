/*
 * cloudstack.h: what csmaint knows about CloudStack's schema: the generation, hosts, VMs.
 *
 * cs_detect() runs first (main does it for every command that needs the database) and
 * tells db.c which allocation column {C} names.  Host and VM queries return struct
 * db_res tables whose column order is given by the CS_H_* and CS_V_* indexes below.
 */
#ifndef CSM_CLOUDSTACK_H
#define CSM_CLOUDSTACK_H

struct db;
struct db_res;

enum cs_gen { CS_GEN_UNSUPPORTED = 0, CS_GEN_22 = 22, CS_GEN_30 = 30 };

struct cs {
	char		*version;	/* the version table's answer, or NULL */
	enum cs_gen	 gen;
	const char	*column;	/* "allocation_state" or "resource_state" */
	const char	*generation;	/* "2.2.4-2.2.15", "3.0+" */
	char		*why;		/* when unsupported: why, for the operator */
};

int cs_detect(struct db *db, struct cs **out);
void cs_free(struct cs *cs);

/*
 * Columns of a host row (cs_host_get, cs_host_list).  CS_H_UUID is the identifier
 * CloudStack shows (3.0: host.uuid, CloudStack's own; 2.2: host.guid); CS_H_GUID is
 * host.guid in both generations, the XenServer host uuid (XcpServerDiscoverer:
 * params.put("guid", record.uuid)): match XenServer hosts by CS_H_GUID only.
 */
enum { CS_H_ID, CS_H_NAME, CS_H_STATUS, CS_H_TYPE, CS_H_ALLOC, CS_H_CLUSTER, CS_H_POD,
	CS_H_ZONE, CS_H_IP, CS_H_UUID, CS_H_REMOVED, CS_H_USER_VMS, CS_H_SYSTEM_VMS,
	CS_H_GUID, CS_H_NCOLS };

/* The SQL that reads and locks one host row (also shown by dry runs). */
extern const char CS_SQL_HOST_LOCK[];
/* Its columns (not the CS_H_* order). */
enum { CS_L_ID, CS_L_NAME, CS_L_TYPE, CS_L_STATUS, CS_L_ALLOC, CS_L_REMOVED, CS_L_CLUSTER,
	CS_L_NCOLS };

/*
 * Find one host by id, name or uuid (on 3.0 either host.uuid or host.guid, the
 * XenServer host uuid).  Names that match several live hosts are an error
 * (CSM_EUSAGE) listing the candidates; a name of a removed host is found only when no
 * live host has it.  *id is the host id.
 */
int cs_host_resolve(struct db *db, const char *spec, long long *id);

/* One host row with VM counts (CS_H_* columns); CSM_ENOTFOUND if no such id. */
int cs_host_get(struct db *db, long long id, struct db_res **out);

struct cs_filter {
	const char	*zone, *pod, *cluster;	/* ids as text, NULL: any */
	const char	*status, *state;
	int		 all;			/* include removed and non-Routing rows */
};

int cs_host_list(struct db *db, const struct cs_filter *f, struct db_res **out);

/* Columns of a VM row (cs_vms_on_host). */
enum { CS_V_ID, CS_V_INSTANCE, CS_V_NAME, CS_V_DISPLAY, CS_V_TYPE, CS_V_VMTYPE, CS_V_STATE,
	CS_V_HOST, CS_V_LAST_HOST, CS_V_KIND, CS_V_NCOLS };

/* VMs placed on a host, by AgentMonitor's rule (NOTES §7). */
int cs_vms_on_host(struct db *db, long long id, struct db_res **out);

/* The live VM whose instance_name (the XenServer name_label) is NAME (CS_V_* columns). */
int cs_vm_by_instance(struct db *db, const char *instance_name, struct db_res **out);

/* CloudStack work in progress on the host or its VMs: op_ha_work rows not Done,
 * Cancelled or Error (id, type, instance_id, step), and unfinished async jobs that
 * concern the host or a VM on it by their instance columns or their arguments, or
 * that might (id, "job_cmd (why)", instance_type, instance_id; cloudstack.c says
 * how they are found). */
int cs_pending_ha(struct db *db, long long id, struct db_res **out);
int cs_pending_jobs(struct db *db, long long id, struct db_res **out);

/*
 * 3.0+ only (op_host_capacity.capacity_state): hypervisor hosts whose capacity rows do
 * not say what CloudStack's own resource-state transitions would have written
 * (ResourceManagerImpl.resourceStateTransitTo, tag-3.0.2: 'Disabled' when the next
 * resource_state is not Enabled or the cluster, pod or zone is Disabled, else
 * 'Enabled').  csmaint writes only resource_state, so its disable leaves 'Enabled' and
 * capacity summaries (CapacityDaoImpl: capacity_state = 'Enabled') still count the
 * host.  ID 0: every host; ALL: also hosts whose rows agree.  Columns: host id, name,
 * resource_state, the capacity_state values found, the expected value.
 */
enum { CS_CAP_ID, CS_CAP_NAME, CS_CAP_STATE, CS_CAP_FOUND, CS_CAP_EXPECTED };
int cs_capacity(struct db *db, long long id, int all, struct db_res **out);

/* Is S a value CloudStack writes to the allocation column ("Enabled"/"Disabled")? */
int cs_valid_state(const char *s);

#endif
