/*
 * pool.h: a XenServer pool as csmaint sees it, reached through a CloudStack host.
 *
 * pool_connect() builds the XenAPI URL from xenapi.url ("%s" = the CloudStack host's
 * private_ip_address), opens the HTTPS transport with the configured TLS settings and
 * logs in (xapi.c follows HOST_IS_SLAVE to the master).  pool_host_find() locates the
 * XenServer host that is the CloudStack host (by uuid: host.guid is the XenServer uuid
 * in 2.2 and 3.0 alike, else by a unique address).  pool_vms() and pool_patches() read what the commands compare
 * with the CloudStack database.  Everything returned is the caller's, freed with the
 * matching _free function; pool_free() logs out.
 *
 * Replies are input: every call goes through xapi_call(), which refuses a reply whose
 * type, or the type of a field read here, is not what XenAPI sends ("bad reply from
 * XenServer: …", xapi_check_reply() in xapi.h).  So the readers below fail on a
 * wrong-typed reply instead of taking it for an empty one; a failure to read part of the
 * pool (a VM's guest metrics) fails the whole read, because an absent VM or a VM
 * without Tools could end a wait.
 */
#ifndef CSM_POOL_H
#define CSM_POOL_H

#include <stddef.h>

struct conf;
struct http;
struct pool;
struct xapi;
struct xmlrpc_value;

int pool_connect(struct conf *c, const char *address, struct pool **out);
/* A pool over a logged-in handle and its transport (h may be NULL); takes both, so
 * pool_free() frees them.  For unit tests and the fuzzer (canned replies). */
struct pool *pool_new(struct xapi *x, struct http *h);
void pool_free(struct pool *p);
struct xapi *pool_xapi(struct pool *p);
struct http *pool_http(struct pool *p);		/* for the upload's PUT */
const char *pool_url(const struct pool *p);	/* the URL calls go to now (master) */

struct pool_host {
	char	*ref;
	char	*uuid;
	char	*name_label;
	char	*address;
	int	 enabled;
	int	 live;		/* host_metrics.live; -1 unknown */
	char	*boot_time;	/* other_config.boot_time */
	char	*product_version;
	char	*build_number;
	long long api_major, api_minor;
	char	**patches;	/* uuids of pool_patches applied here (host_patch.applied) */
	size_t	 npatches;
};

/* The pool's hosts, with applied patches (one call each for hosts, metrics, host_patch). */
int pool_hosts(struct pool *p, struct pool_host **out, size_t *n);
/* The pool master now (pool.get_all_records): *ref is the caller's.  No answer, or no
 * master named, is an error: "not known yet", never "no master". */
int pool_master_ref(struct pool *p, char **ref);
void pool_hosts_free(struct pool_host *h, size_t n);
/*
 * The host whose uuid is UUID (case-insensitive: CloudStack's host.guid) or, failing
 * that, the only host whose address is ADDR (*by_address set: the caller warns).
 * NULL when neither matches, or when several hosts share ADDR.
 */
const struct pool_host *pool_host_match(const struct pool_host *h, size_t n,
    const char *uuid, const char *addr, int *by_address);

enum pool_tools { POOL_TOOLS_UNKNOWN = -1, POOL_TOOLS_NO = 0, POOL_TOOLS_YES = 1 };

struct pool_vm {
	char		*ref;
	char		*uuid;
	char		*name_label;
	char		*power_state;
	char		*resident_on;	/* host ref, "OpaqueRef:NULL" when not resident */
	char		*cs_uuid;	/* other_config.vm_uuid (CloudStack's VM uuid) or NULL */
	int		 control_domain;
	enum pool_tools	 tools;		/* XenServer Tools (PV drivers) present */
	int		 tools_current;	/* PV_drivers_up_to_date; -1 unknown */
	char		*tools_version;	/* "major.minor.micro" or NULL */
	int		 hvm;		/* HVM_boot_policy set: 1 HVM, 0 PV, -1 not known */
	/*
	 * Can it live-migrate off the host by the rule of the host's XenServer version
	 * (pool_vms(): UNKNOWN unless Running on ONLY_HOST's side of the read), and
	 * which rule said so (a static string for the operator).  NO means the
	 * operator must shut it down before maintenance.
	 */
	enum pool_tools	 can_migrate;
	const char	*migrate_rule;
};

/*
 * Guest VMs (no templates, no snapshots) with their Tools status, by NOTES §5's rule:
 * a running VM has Tools if its guest metrics' PV_drivers_version has major and minor
 * (API >= 2.5, XenServer 7.0+: PV_drivers_detected); current if PV_drivers_up_to_date.
 * can_migrate follows the rule of the API version given (the host's): before 6.5
 * (API 2.3) every guest needs PV drivers; from 6.5 a PV guest migrates without them
 * and only an HVM guest needs them (xen-api check_op_for_feature).
 * Guest metrics are read only for running VMs resident on ONLY_HOST (a ref), or on
 * any host when ONLY_HOST is NULL.  Guest metrics that cannot be read fail the call
 * (CSM_EFAIL), except a dangling ref (HANDLE_INVALID), which means no Tools.
 */
int pool_vms(struct pool *p, long long api_major, long long api_minor,
    const char *only_host, struct pool_vm **out, size_t *n);
void pool_vms_free(struct pool_vm *v, size_t n);

struct pool_patch {
	char	*ref;
	char	*uuid;
	char	*name_label;
	char	*version;
	long long size;
	char	*guidance;	/* after_apply_guidance, space-separated */
	int	 pool_applied;
};

int pool_patches(struct pool *p, struct pool_patch **out, size_t *n);
void pool_patches_free(struct pool_patch *v, size_t n);

/* A patch or update record's after_apply_guidance as "restartHost restartXAPI". */
char *pool_guidance(const struct xmlrpc_value *rec);

/*
 * Small readers over records: the member if rec is a struct holding it with that type,
 * else NULL / dflt.  They never fail: on a record xapi_call() returned, a member csmaint
 * reads is either of its type or absent because it is optional (xapi_check_reply()); a
 * reader of a field not yet in xapi.c's table adds it there, so that a wrong type fails
 * the call instead of reading as absent.
 */
const char *pool_str(const struct xmlrpc_value *rec, const char *field);
int pool_bool(const struct xmlrpc_value *rec, const char *field, int dflt);

#endif
