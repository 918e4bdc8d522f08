/*
 * patch.h: the hotfix steps over XenAPI: check the file, find, upload, precheck, apply
 * (patch_apply_one, the one routine of hotfix, patch apply and check), verify, clean,
 * and the plan for a host.  The restarts the guidance asks for are xshost.h's.
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


struct patch {
	char	*ref;		/* pool_patch ref */
	char	*update;	/* pool_update ref (7.1+), else NULL */
	char	*uuid;
	char	*name_label;
	unsigned guidance;	/* enum guidance bits (guidance.h) */
	char	*guidance_text;	/* as the server lists it */
};

void patch_clear(struct patch *p);
/* Does this host use pool_update (API 2.6, XenServer 7.1+)? */
int patch_uses_updates(const struct pool_host *h);

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
int patch_upload(struct pool *pool, int updates, const char *path, const char *sr,
    int progress, double timeout, struct patch *out, int *existed);

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

/*
 * One hotfix on one host, the routine of the procedure, patch apply and check: find
 * it on the pool (REQ->spec, else REQ->alt), upload REQ->file when the pool lacks it
 * (CSM_ENOTFOUND when there is no file), and unless the host has it already, precheck
 * it and (PATCH_APPLY) apply it, verified.  *DONE says how far it went; *OUT is the
 * patch (the caller's: patch_clear(), also after a failure); *OUTPUT (may be NULL) the
 * precheck's or apply's output, the caller's.  A failed precheck is CSM_ECONFLICT.
 */
enum patch_mode { PATCH_PRECHECK, PATCH_APPLY };
enum patch_outcome { PATCH_NOT_ON_POOL, PATCH_ALREADY, PATCH_PRECHECKED, PATCH_APPLIED };
struct patch_one {
	const char	*spec;		/* uuid or name_label */
	const char	*alt;		/* tried when spec is not found; may be NULL */
	const char	*file;		/* uploaded when the pool lacks it; may be NULL */
	enum patch_mode	 mode;
	double		 timeout;	/* each XenAPI task */
	int		 progress;	/* draw the upload's progress on stderr */
	const char	*sr;		/* 7.1+: xenapi.update_sr, or NULL */
	int		 reuploaded;	/* out: the master lacked the file; sent again */
	char		 why[32];	/* out: the error that said so */
};
int patch_apply_one(struct pool *pool, int updates, const char *host_ref,
    struct patch_one *req, struct patch *out, enum patch_outcome *done, char **output);

/*
 * Is P applied on every one of the NH HOSTS?  CSM_OK if so, CSM_ECONFLICT if not (LACKS
 * names the hosts without it), another code when XenServer did not say.
 */
int patch_applied_everywhere(struct pool *pool, const struct pool_host *hosts, size_t nh,
    const struct patch *p, char *lacks, size_t len);
/*
 * Remove P's files from the pool (XenCenter does it after the last host:
 * RemoveUpdateFilesFromMaster.cs): pool_update.pool_clean on 7.1+, pool_patch.pool_clean
 * from 6.1 (API 1.10, the API version of HOST, any host of the pool), pool_patch.clean
 * before.  *METHOD names the call.  A host that lacks P then needs it uploaded again.
 */
int patch_clean(struct pool *pool, const struct pool_host *host, const struct patch *p,
    const char **method);

/*
 * The inputs of a run, checked before anything changes: the CATALOG (may be NULL) and
 * the NFILES FILES are usable (patch_file_check), and their paths are text the journal
 * can keep for a resume.
 */
int patch_inputs_check(const char *catalog, char *const *files, int nfiles);

/*
 * After a host (or a pool) is done: of the hotfixes NAMES ("a, b"), clean those every
 * one of the NH HOSTS has (patch_clean through XS), keep the others.  Best effort: the
 * text returned (the caller's) says what happened to each; a failure is warned about
 * with the command that does it later (naming HOST_NAME), never returned.
 */
char *patch_clean_applied(struct pool *pool, int updates, const struct pool_host *hosts,
    size_t nh, const struct pool_host *xs, const char *host_name, const char *names);

/* Decode a PATCH_/UPDATE_ error's parameters into a sentence for the operator. */
char *patch_explain_error(struct pool *pool);

/*
 * The plan for host XS of POOL from a catalog file and/or hotfix files (patch plan,
 * hotfix): what XS has applied comes from the pool.  *cat and *plan are the caller's
 * (catalog_free after plan_free: the plan borrows from the catalog).
 */
struct catalog;
struct plan;
int patch_plan_build(struct pool *pool, const struct pool_host *xs, const char *catalog_path,
    char *const *files, int nfiles, struct catalog **cat, struct plan **plan);



#endif
