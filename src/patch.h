/*
 * patch.h: the hotfix steps over XenAPI: find, upload, precheck, apply, verify, and the
 * after-apply guidance (reboot host, restart toolstack) with the wait for the host.
 *
 * Two generations (NOTES §2, §3): XenServer 5.6-7.0 use pool_patch/host_patch; 7.1+
 * (API 2.6) use pool_update, reached through the same /pool_patch_upload.  struct
 * patch hides which: p->update is set on 7.1+ and precheck/apply/applied use it.
 * Strings in struct patch are the caller's (patch_clear()).  Functions return CSM_OK or
 * a negative code with the message set; XenAPI error codes stay available through
 * xapi_error_code() of the pool's handle.
 */
#ifndef CSM_PATCH_H
#define CSM_PATCH_H

#include <stddef.h>

struct pool;
struct pool_host;

#define GUIDE_RESTART_HOST	0x01
#define GUIDE_RESTART_XAPI	0x02
#define GUIDE_RESTART_HVM	0x04
#define GUIDE_RESTART_PV	0x08

struct patch {
	char	*ref;		/* pool_patch ref */
	char	*update;	/* pool_update ref (7.1+), else NULL */
	char	*uuid;
	char	*name_label;
	unsigned guidance;	/* GUIDE_* */
	char	*guidance_text;	/* as the server lists it */
};

void patch_clear(struct patch *p);
/* Does this host use pool_update (API 2.6, XenServer 7.1+)? */
int patch_uses_updates(const struct pool_host *h);
/* A file's patch name: "dir/XS56EFP1001.xsupdate" -> "XS56EFP1001". */
char *patch_name_of_file(const char *path);

/*
 * Before anything changes: PATH (WHAT, e.g. "hotfix file") is a regular, readable,
 * non-empty file; one named .iso is an ISO 9660 image.  CSM_ENOTFOUND with the reason.
 */
int patch_file_check(const char *path, const char *what);

/* Find a pool patch by uuid (case-insensitive) or name_label: CSM_ENOTFOUND if none. */
int patch_find(struct pool *pool, int updates, const char *spec, struct patch *out);

/*
 * Upload FILE to the pool master: task.create, PUT /pool_patch_upload?session_id&task_id
 * streamed with Content-Length, wait for the task (the bare pool_patch ref).
 * PATCH_ALREADY_EXISTS / UPDATE_ALREADY_EXISTS [uuid] is success: *existed = 1 and the
 * existing patch is returned.  progress: draw a progress bar on stderr.
 */
int patch_upload(struct pool *pool, int updates, const char *path, int progress,
    double timeout, struct patch *out, int *existed);

/*
 * Precheck on a host.  A successful precheck whose output holds an <error errorcode=…>
 * element fails too (as XenCenter treats it).  *output (may be NULL) is the caller's.
 */
int patch_precheck(struct pool *pool, const struct patch *p, const char *host_ref,
    char **output);

/* Apply with Async.*.apply and wait; *already = 1 for PATCH_ALREADY_APPLIED. */
int patch_apply(struct pool *pool, const struct patch *p, const char *host_ref,
    double timeout, char **output, int *already);

/* Is P applied on the host (host_patch.applied, or the host lists the update)? */
int patch_applied(struct pool *pool, const struct patch *p, const char *host_ref,
    int *applied);

/* Decode a PATCH_/UPDATE_ error's parameters into a sentence for the operator. */
char *patch_explain_error(struct pool *pool);

/* GUIDE_* bits from "restartHost restartXAPI …". */
unsigned patch_guidance_bits(const char *text);
/* The reverse: "restartHost restartXAPI" from GUIDE_* bits ("" for none). */
void patch_guidance_text(unsigned bits, char *buf, size_t len);

struct host_wait {
	double		 timeout;	/* seconds */
	double		 poll;		/* seconds between looks */
	int		 (*cloudstack_ok)(void *arg, char *seen, unsigned long seen_len);
	void		*arg;		/* for cloudstack_ok: 1 when CloudStack agrees */
	/* patch_wait_host: back means a boot_time other than this (NULL: any). */
	const char	*boot_before;
	/* patch_reboot_host: called right before it asks XenServer for the reboot, with
	   the boot_time before it (the procedure journals it, so a resume does not reboot
	   again a host whose reboot is under way).  May be NULL. */
	void		 (*requested)(void *arg, const char *boot_before);
	void		*requested_arg;
};

/*
 * Reboot the host: host.disable if it is enabled, Async.host.reboot, then wait until
 * other_config.boot_time changed, host_metrics.live is true, the host is enabled, and
 * cloudstack_ok() says the CloudStack side is back.  Logging in again as needed (the
 * master's toolstack restarts with it).  On timeout the message says what was seen last.
 */
int patch_reboot_host(struct pool *pool, const char *host_uuid, const struct host_wait *w);
/* The host's other_config:boot_time now (CSM_EFAIL when XenServer does not say). */
int patch_host_boot_time(struct pool *pool, const char *host_uuid, char *buf, size_t len);
/* Wait until the host is live, enabled and CloudStack agrees, without restarting it. */
int patch_wait_host(struct pool *pool, const char *host_uuid, const struct host_wait *w);
/* Does the host still need the reboot a restartHost patch asks for (applied after the
 * last boot: XenCenter's reboot-pending rule)? */
int patch_reboot_pending(struct pool *pool, const char *host_uuid, int *pending);
/* host.restart_agent and wait until agent_start_time changed and the host answers. */
int patch_restart_toolstack(struct pool *pool, const char *host_uuid,
    const struct host_wait *w);

#endif
