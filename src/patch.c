/* patch.c: hotfix files, upload, precheck, apply, verification, clean-up and the plan. */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "csmaint.h"
#include "guidance.h"
#include "catalog.h"
#include "http.h"
#include "patch.h"
#include "sbuf.h"
#include "plan.h"
#include "pool.h"
#include "wait.h"
#include "xapi.h"
#include "xmlrpc.h"

void
patch_clear(struct patch *p)
{
	free(p->ref);
	free(p->update);
	free(p->uuid);
	free(p->name_label);
	free(p->guidance_text);
	memset(p, 0, sizeof(*p));
}

int
patch_uses_updates(const struct pool_host *h)
{
	return h->api_major > 2 || (h->api_major == 2 && h->api_minor >= 6);
}

/* Fill OUT from a pool_patch or pool_update record. */
static void
fill(struct patch *out, int updates, const char *ref, const struct xmlrpc_value *rec)
{
	const char *s;

	patch_clear(out);
	if (updates) {
		out->update = xstrdup(ref);
	} else {
		out->ref = xstrdup(ref);
		s = pool_str(rec, "pool_update");
		if (s != NULL && strcmp(s, "OpaqueRef:NULL") != 0)
			out->update = xstrdup(s);
	}
	out->uuid = xstrdup(pool_str(rec, "uuid") ? pool_str(rec, "uuid") : "");
	out->name_label = xstrdup(pool_str(rec, "name_label") ? pool_str(rec, "name_label") : "");
	out->guidance_text = pool_guidance(rec);
	out->guidance = guidance_parse(out->guidance_text);
}

int
patch_find(struct pool *pool, int updates, const char *spec, struct patch *out)
{
	struct xmlrpc_value *all = NULL;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = xapi_call_s(pool_xapi(pool), updates ? "pool_update.get_all_records" :
	    "pool_patch.get_all_records", &all, NULL);
	if (rc != CSM_OK)
		return rc;
	for (i = 0; i < xmlrpc_len(all); i++) {
		const struct xmlrpc_value *r = xmlrpc_struct_value_at(all, i);
		const char *u = pool_str(r, "uuid"), *n = pool_str(r, "name_label");
		if ((u && strcasecmp(u, spec) == 0) || (n && strcmp(n, spec) == 0)) {
			fill(out, updates, xmlrpc_struct_name_at(all, i), r);
			xmlrpc_value_free(all);
			return CSM_OK;
		}
	}
	xmlrpc_value_free(all);
	return csm_err_set(CSM_ENOTFOUND, "no %s '%s' on the pool (upload it first with "
	    "'csmaint patch upload')", updates ? "update" : "patch", spec);
}

static int
load_ref(struct pool *pool, int updates, const char *ref, struct patch *out)
{
	struct xmlrpc_value *rec = NULL;
	int rc;

	rc = xapi_call_s(pool_xapi(pool), updates ? "pool_update.get_record" :
	    "pool_patch.get_record", &rec, ref, NULL);
	if (rc == CSM_OK)
		fill(out, updates, ref, rec);
	xmlrpc_value_free(rec);
	return rc;
}

/* The progress bar on a terminal: bytes, rate, ETA. */
struct progress {
	const char	*name;
	double		 start, last;
};

static void
draw(void *arg, uint64_t sent, uint64_t total)
{
	struct progress *pr = arg;
	double now = csm_now(), el = now - pr->start, rate;

	if (now - pr->last < 0.2 && sent < total)
		return;
	pr->last = now;
	rate = el > 0 ? (double)sent / el : 0;
	fprintf(stderr, "\r  %-24.24s %3d%%  %7.1f / %.1f MiB  %6.1f MiB/s  ETA %3.0fs ",
	    pr->name, total ? (int)(sent * 100 / total) : 100, (double)sent / 1048576.0,
	    (double)total / 1048576.0, rate / 1048576.0,
	    rate > 0 ? (double)(total - sent) / rate : 0);
	if (sent >= total)
		fputc('\n', stderr);
}

/* The base of the master's URL: "https://host:port" without the path. */
static char *
url_base(const char *url)
{
	const char *p = strstr(url, "://");
	const char *slash = p ? strchr(p + 3, '/') : NULL;

	return slash ? xstrndup(url, (size_t)(slash - url)) : xstrdup(url);
}

int
patch_file_check(const char *path, const char *what)
{
	static const char iso_magic[] = "CD001";
	struct stat st;
	char head[64];
	ssize_t got;
	int fd, rc = CSM_OK;

	/* O_NONBLOCK: a FIFO given by mistake must not hang the check. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0)
		return csm_err_set(CSM_ENOTFOUND, "cannot read %s '%s': %s", what, path,
		    strerror(errno));
	if (fstat(fd, &st) != 0) {
		rc = csm_err_set(CSM_ENOTFOUND, "cannot read %s '%s': %s", what, path,
		    strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		rc = csm_err_set(CSM_ENOTFOUND, "%s '%s' is not a regular file (%s)", what, path,
		    S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" :
		    S_ISCHR(st.st_mode) ? "a character device" : S_ISBLK(st.st_mode) ?
		    "a block device" : S_ISSOCK(st.st_mode) ? "a socket" : "not a file");
	} else if (st.st_size == 0) {
		rc = csm_err_set(CSM_ENOTFOUND, "%s '%s' is empty", what, path);
	} else if ((got = read(fd, head, sizeof(head))) <= 0) {
		rc = csm_err_set(CSM_ENOTFOUND, "cannot read %s '%s': %s", what, path,
		    got < 0 ? strerror(errno) : "no data");
	} else if (strlen(path) > 4 && strcasecmp(path + strlen(path) - 4, ".iso") == 0) {
		/* A 7.1+ update is an ISO 9660 image: its volume descriptor at 32769. */
		char magic[sizeof(iso_magic) - 1];
		if (st.st_size < 32769 + (off_t)sizeof(magic) ||
		    pread(fd, magic, sizeof(magic), 32769) != (ssize_t)sizeof(magic) ||
		    memcmp(magic, iso_magic, sizeof(magic)) != 0)
			rc = csm_err_set(CSM_ENOTFOUND, "%s '%s' is named .iso but is not an ISO "
			    "9660 image (an update for XenServer 7.1+ is)", what, path);
	}
	close(fd);
	return rc;
}

/* 8-4-4-4-12 hex digits. */
static int
is_uuid(const char *s)
{
	size_t i;

	if (strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++)
		if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' :
		    strchr("0123456789abcdefABCDEF", s[i]) == NULL)
			return 0;
	return 1;
}

/*
 * 7.1+: the SR an upload goes to.  XenServer 7.1's import_raw_vdi handler refuses an
 * upload without sr_id ("Not enough info supplied to import", HTTP 400); xe passes the
 * pool's default SR itself (import_raw_vdi.ml and cli_operations.ml at v1.14.61).  WANT
 * (xenapi.update_sr: a uuid or a name) or else pool.default_SR; it must exist and be
 * shared.  *REF is the caller's.
 */
static int
upload_sr(struct pool *pool, const char *want, char **ref)
{
	struct xapi *x = pool_xapi(pool);
	struct xmlrpc_value *v = NULL, *rec = NULL;
	const char *r = NULL, *name;
	int rc;

	*ref = NULL;
	if (want != NULL && is_uuid(want)) {
		if ((rc = xapi_call_s(x, "SR.get_by_uuid", &v, want, NULL)) != CSM_OK) {
			csm_err_prefix("xenapi.update_sr '%s'", want);
			goto out;
		}
		xmlrpc_as_string(v, &r);
	} else if (want != NULL) {
		if ((rc = xapi_call_s(x, "SR.get_by_name_label", &v, want, NULL)) != CSM_OK)
			goto out;
		if (xmlrpc_len(v) != 1) {
			rc = csm_err_set(CSM_ECONFLICT, "xenapi.update_sr '%s' names %zu SRs of the "
			    "pool: give the SR's uuid", want, xmlrpc_len(v));
			goto out;
		}
		xmlrpc_as_string(xmlrpc_array_get(v, 0), &r);
	} else {
		if ((rc = xapi_call_s(x, "pool.get_all_records", &v, NULL)) != CSM_OK)
			goto out;
		r = pool_str(xmlrpc_struct_value_at(v, 0), "default_SR");
	}
	if (r == NULL || strcmp(r, "OpaqueRef:NULL") == 0) {
		rc = csm_err_set(CSM_ECONFLICT, "an update for XenServer 7.1 must be uploaded to an "
		    "SR, and the pool has no default SR: set xenapi.update_sr to a shared SR's "
		    "uuid or name");
		goto out;
	}
	if ((rc = xapi_call_s(x, "SR.get_record", &rec, r, NULL)) != CSM_OK) {
		const char *code = xapi_error_code(x);
		if (code != NULL && strcmp(code, "HANDLE_INVALID") == 0)
			rc = csm_err_set(CSM_ECONFLICT, "the SR %s names (%s) does not exist: set "
			    "xenapi.update_sr to a shared SR", want ? "xenapi.update_sr" :
			    "the pool's default_SR", r);
		goto out;
	}
	name = pool_str(rec, "name_label");
	if (!pool_bool(rec, "shared", 0)) {
		rc = csm_err_set(CSM_ECONFLICT, "SR '%s' (%s) is not shared: an update is "
		    "uploaded once for the whole pool and every host must reach it; set "
		    "xenapi.update_sr to a shared SR", name ? name : r, want ? "xenapi.update_sr" :
		    "the pool's default SR");
		goto out;
	}
	*ref = xstrdup(r);
	rc = CSM_OK;
out:
	xmlrpc_value_free(v);
	xmlrpc_value_free(rec);
	return rc;
}

int
patch_upload(struct pool *pool, int updates, const char *path, const char *sr,
    int progress, double timeout, struct patch *out, int *existed)
{
	struct xapi *x = pool_xapi(pool);
	struct xmlrpc_value *task = NULL, *result = NULL;
	struct progress pr;
	const char *task_ref = NULL, *code, *res = NULL;
	char *base = NULL, *url = NULL, *name = plan_request_name(path), *sr_ref = NULL;
	long status;
	int rc;

	memset(out, 0, sizeof(*out));
	*existed = 0;
	if ((rc = patch_file_check(path, "hotfix file")) != CSM_OK)
		goto out;
	if (updates && (rc = upload_sr(pool, sr, &sr_ref)) != CSM_OK)
		goto out;
	if ((rc = xapi_call_s(x, "task.create", &task, "csmaint patch upload", name, NULL)) !=
	    CSM_OK || xmlrpc_as_string(task, &task_ref) != CSM_OK)
		goto out;
	/* The URL carries the session ref: a secret, never printed (http.c strips it). */
	base = url_base(xapi_master_url(x));
	url = xasprintf("%s/pool_patch_upload?session_id=%s&task_id=%s%s%s", base,
	    xapi_session_ref(x), task_ref, sr_ref ? "&sr_id=" : "", sr_ref ? sr_ref : "");
	pr.name = name;
	pr.start = pr.last = csm_now();
	rc = http_put_file(pool_http(pool), url, path, progress ? draw : NULL, &pr);
	status = http_status(pool_http(pool));
	if (rc != CSM_OK) {
		xapi_call_s(x, "task.cancel", NULL, task_ref, NULL);
		xapi_call_s(x, "task.destroy", NULL, task_ref, NULL);
		if (status == 401)
			csm_err_set(CSM_EFAIL, "upload of '%s' refused: HTTP 401 (the pool master "
			    "did not accept the session; is the account a pool operator?)", path);
		else
			csm_err_prefix("upload of '%s' failed", path);
		goto out;
	}
	rc = xapi_task_wait(x, task_ref, timeout, &result);
	code = xapi_error_code(x);
	if (rc != CSM_OK && code != NULL && (strcmp(code, "PATCH_ALREADY_EXISTS") == 0 ||
	    strcmp(code, "UPDATE_ALREADY_EXISTS") == 0)) {
		size_t n;
		const char *const *par = xapi_error_params(x, &n);
		char *uuid = n > 0 ? xstrdup(par[0]) : xstrdup("");
		*existed = 1;
		csm_err_clear();
		rc = patch_find(pool, updates, uuid, out);
		free(uuid);
		goto out;
	}
	if (rc != CSM_OK) {
		char *why = patch_explain_error(pool);
		if (why != NULL) {
			csm_err_set(CSM_EFAIL, "upload of '%s' failed: %s", path, why);
			free(why);
		}
		goto out;
	}
	/* The upload's task result is the bare pool_patch ref (NOTES §2.2). */
	if (xmlrpc_as_string(result, &res) != CSM_OK || strncmp(res, "OpaqueRef:", 10) != 0) {
		rc = csm_err_set(CSM_EFAIL, "upload of '%s': unexpected task result", path);
		goto out;
	}
	if ((rc = load_ref(pool, 0, res, out)) != CSM_OK)
		goto out;
	if (updates && out->update != NULL) {
		/* 7.1+: the upload introduced a pool_update; work with it (NOTES §2.4). */
		char *u = xstrdup(out->update);
		patch_clear(out);
		rc = load_ref(pool, 1, u, out);
		free(u);
	}
out:
	xmlrpc_value_free(task);
	xmlrpc_value_free(result);
	free(base);
	free(url);
	free(name);
	free(sr_ref);
	return rc;
}

/* XenCenter's rule: an <error errorcode="…"> in a successful precheck is a failure. */
static int
precheck_output_error(const char *s, char *code, size_t len)
{
	const char *e = s ? strstr(s, "<error") : NULL, *c, *q;

	if (e == NULL || strstr(e, "</error>") == NULL)
		return 0;
	c = strstr(e, "errorcode=\"");
	snprintf(code, len, "%s", "PATCH_PRECHECK_FAILED_UNKNOWN_ERROR");
	if (c != NULL && (q = strchr(c + 11, '"')) != NULL && (size_t)(q - c - 11) < len)
		snprintf(code, len, "%.*s", (int)(q - c - 11), c + 11);
	return 1;
}

int
patch_precheck(struct pool *pool, const struct patch *p, const char *host_ref, char **output)
{
	struct xmlrpc_value *res = NULL;
	const char *s = NULL;
	char code[128];
	int rc;

	if (output)
		*output = NULL;
	if (p->update != NULL && p->ref == NULL)
		rc = xapi_call_s(pool_xapi(pool), "pool_update.precheck", &res, p->update,
		    host_ref, NULL);
	else
		rc = xapi_call_s(pool_xapi(pool), "pool_patch.precheck", &res, p->ref, host_ref,
		    NULL);
	if (rc != CSM_OK) {
		char *why = patch_explain_error(pool);
		if (why != NULL) {
			csm_err_set(CSM_ECONFLICT, "precheck of %s failed: %s", p->name_label, why);
			free(why);
			return CSM_ECONFLICT;
		}
		return rc;
	}
	xmlrpc_as_string(res, &s);
	if (precheck_output_error(s, code, sizeof(code))) {
		csm_err_set(CSM_ECONFLICT, "precheck of %s failed: %s (in the precheck output: "
		    "%.200s)", p->name_label, code, s);
		xmlrpc_value_free(res);
		return CSM_ECONFLICT;
	}
	if (output && s)
		*output = xstrdup(s);
	xmlrpc_value_free(res);
	return CSM_OK;
}

int
patch_applied(struct pool *pool, const struct patch *p, const char *host_ref, int *applied)
{
	struct xmlrpc_value *v = NULL;
	size_t i;
	int rc;

	*applied = 0;
	if (p->update != NULL && p->ref == NULL) {
		if ((rc = xapi_call_s(pool_xapi(pool), "host.get_updates", &v, host_ref, NULL)) !=
		    CSM_OK)
			return rc;
		for (i = 0; i < xmlrpc_len(v); i++) {
			const char *u = NULL;
			if (xmlrpc_as_string(xmlrpc_array_get(v, i), &u) == CSM_OK &&
			    strcmp(u, p->update) == 0)
				*applied = 1;
		}
		xmlrpc_value_free(v);
		return CSM_OK;
	}
	/* NOTES §2.1: applied = a host_patch of this host for P with applied=true. */
	if ((rc = xapi_call_s(pool_xapi(pool), "host_patch.get_all_records", &v, NULL)) != CSM_OK)
		return rc;
	for (i = 0; i < xmlrpc_len(v); i++) {
		const struct xmlrpc_value *r = xmlrpc_struct_value_at(v, i);
		const char *h = pool_str(r, "host"), *pp = pool_str(r, "pool_patch");
		if (h && pp && strcmp(h, host_ref) == 0 && strcmp(pp, p->ref) == 0 &&
		    pool_bool(r, "applied", 0))
			*applied = 1;
	}
	xmlrpc_value_free(v);
	return CSM_OK;
}

int
patch_apply(struct pool *pool, const struct patch *p, const char *host_ref, double timeout,
    char **output, int *already)
{
	struct xapi *x = pool_xapi(pool);
	struct xmlrpc_value *params[2], *res = NULL;
	const char *code, *s = NULL;
	int rc, applied;
	int upd = p->update != NULL && p->ref == NULL;

	*already = 0;
	if (output)
		*output = NULL;
	params[0] = xmlrpc_string_new(upd ? p->update : p->ref);
	params[1] = xmlrpc_string_new(host_ref);
	rc = xapi_async_call(x, upd ? "Async.pool_update.apply" : "Async.pool_patch.apply",
	    params, 2, timeout, &res);
	xmlrpc_value_free(params[0]);
	xmlrpc_value_free(params[1]);
	code = xapi_error_code(x);
	if (rc != CSM_OK && code != NULL && (strcmp(code, "PATCH_ALREADY_APPLIED") == 0 ||
	    strcmp(code, "UPDATE_ALREADY_APPLIED") == 0)) {
		*already = 1;
		csm_err_clear();
		rc = CSM_OK;
	} else if (rc != CSM_OK) {
		char *why = patch_explain_error(pool);
		if (why != NULL) {
			csm_err_set(CSM_EFAIL, "apply of %s failed: %s", p->name_label, why);
			free(why);
		}
		return CSM_EFAIL;
	}
	if (output && res && xmlrpc_as_string(res, &s) == CSM_OK)
		*output = xstrdup(s);
	xmlrpc_value_free(res);
	if ((rc = patch_applied(pool, p, host_ref, &applied)) != CSM_OK)
		return rc;
	if (!applied)
		return csm_err_set(CSM_EFAIL, "apply of %s reported success, but the host does "
		    "not show it as applied", p->name_label);
	return CSM_OK;
}

int
patch_applied_everywhere(struct pool *pool, const struct pool_host *hosts, size_t nh,
    const struct patch *p, char *lacks, size_t len)
{
	size_t i, l;
	int rc, applied, all = 1;

	lacks[0] = '\0';
	for (i = 0; i < nh; i++) {
		if ((rc = patch_applied(pool, p, hosts[i].ref, &applied)) != CSM_OK)
			return rc;
		if (!applied) {
			all = 0;
			l = strlen(lacks);
			snprintf(lacks + l, len - l, "%s%s", l ? ", " : "", hosts[i].name_label);
		}
	}
	return all ? CSM_OK : CSM_ECONFLICT;
}

int
patch_clean(struct pool *pool, const struct pool_host *host, const struct patch *p,
    const char **method)
{
	/* pool_clean from tampa (6.1, API 1.10) on; before it, clean (the master's file,
	 * the only copy then); 7.1+ pool_update.pool_clean (NOTES §2, §3). */
	if (method == NULL)
		return csm_err_set(CSM_EFAIL, "patch_clean: no method out");
	int tampa = host->api_major > 1 || (host->api_major == 1 && host->api_minor >= 10);
	int upd = p->update != NULL && p->ref == NULL;

	*method = upd ? "pool_update.pool_clean" : tampa ? "pool_patch.pool_clean" :
	    "pool_patch.clean";
	return xapi_call_s(pool_xapi(pool), *method, NULL, upd ? p->update : p->ref, NULL);
}

/* The file of a pre-7.1 patch is missing on the current master (xapi_pool_patch.ml:
 * CANNOT_FIND_PATCH, or CANNOT_FETCH_PATCH [uuid] when a member could not fetch it). */
static int
file_missing(struct pool *pool)
{
	const char *c = xapi_error_code(pool_xapi(pool));

	return c != NULL && (strcmp(c, "CANNOT_FIND_PATCH") == 0 ||
	    strcmp(c, "CANNOT_FETCH_PATCH") == 0);
}

/* Precheck, then (PATCH_APPLY) apply. */
static int
precheck_apply(struct pool *pool, const char *host_ref, const struct patch_one *req,
    struct patch *out, enum patch_outcome *done, char **output)
{
	int rc, already = 0;

	if ((rc = patch_precheck(pool, out, host_ref, req->mode == PATCH_PRECHECK ? output :
	    NULL)) != CSM_OK)
		return rc;
	*done = PATCH_PRECHECKED;
	if (req->mode == PATCH_PRECHECK)
		return CSM_OK;
	if ((rc = patch_apply(pool, out, host_ref, req->timeout, output, &already)) != CSM_OK)
		return rc;
	*done = already ? PATCH_ALREADY : PATCH_APPLIED;
	return CSM_OK;
}

int
patch_apply_one(struct pool *pool, int updates, const char *host_ref,
    struct patch_one *req, struct patch *out, enum patch_outcome *done, char **output)
{
	int rc, applied = 0, existed = 0;

	*done = PATCH_NOT_ON_POOL;
	req->reuploaded = 0;
	req->why[0] = '\0';
	if (output)
		*output = NULL;
	rc = patch_find(pool, updates, req->spec, out);
	if (rc == CSM_ENOTFOUND && req->alt != NULL)
		rc = patch_find(pool, updates, req->alt, out);
	if (rc != CSM_OK && (rc != CSM_ENOTFOUND || req->file == NULL))
		return rc;	/* not found (patch_find's message names it), or not known */
	if (rc == CSM_ENOTFOUND) {
		csm_err_clear();
		if ((rc = patch_upload(pool, updates, req->file, req->sr, req->progress,
		    req->timeout, out, &existed)) != CSM_OK)
			return rc;
		csm_info("%s: %s", out->name_label, existed ? "already on the pool" :
		    "uploaded");
	}
	if ((rc = patch_applied(pool, out, host_ref, &applied)) != CSM_OK)
		return rc;
	if (applied) {
		*done = PATCH_ALREADY;
		return CSM_OK;
	}
	rc = precheck_apply(pool, host_ref, req, out, done, output);
	if (rc != CSM_OK && req->file != NULL && file_missing(pool)) {
		/* Before 7.1 the file lives only on the master that received it: after a
		 * master change, upload it again (it re-attaches to the same pool_patch)
		 * and try once more. */
		struct patch again;
		snprintf(req->why, sizeof(req->why), "%s", xapi_error_code(pool_xapi(pool)));
		csm_info("%s: the pool master has no copy of its file (%s): uploading it "
		    "again", out->name_label, req->why);
		csm_err_clear();
		if ((rc = patch_upload(pool, updates, req->file, req->sr, req->progress,
		    req->timeout, &again, &existed)) != CSM_OK)
			return rc;
		patch_clear(&again);
		req->reuploaded = 1;
		if (output && *output) {
			free(*output);
			*output = NULL;
		}
		rc = precheck_apply(pool, host_ref, req, out, done, output);
	}
	return rc;
}

/*
 * HOST_IN_USE [host; "vm" | "vbd"; ref] (assert_bacon_mode, xapi_host.ml): name what
 * holds the host.  The error carries only refs; on 5.6 the VM can be dom0 itself.
 */
static char *
host_in_use(struct xapi *x, const char *kind_in, const char *ref_in)
{
	struct xmlrpc_value *rec = NULL, *vm = NULL;
	const char *label = NULL, *vm_ref = NULL;
	/* Copies: the calls below replace the error the parameters live in. */
	char *kind = xstrdup(kind_in), *ref = xstrdup(ref_in), *msg;
	int dom0 = 0;

	if (strcmp(kind, "vbd") == 0) {
		if (xapi_call_s(x, "VBD.get_record", &rec, ref, NULL) == CSM_OK &&
		    (vm_ref = pool_str(rec, "VM")) != NULL &&
		    xapi_call_s(x, "VM.get_record", &vm, vm_ref, NULL) == CSM_OK)
			label = pool_str(vm, "name_label");
		msg = xasprintf("HOST_IN_USE: a disk (VBD %s) is still attached on the host%s%s",
		    ref, label ? " to VM " : "", label ? label : "");
	} else if (strcmp(kind, "vm") == 0) {
		if (xapi_call_s(x, "VM.get_record", &vm, ref, NULL) == CSM_OK) {
			label = pool_str(vm, "name_label");
			dom0 = pool_bool(vm, "is_control_domain", 0);
		}
		msg = dom0 ? xasprintf("HOST_IN_USE: the host's control domain (%s) is named as "
		    "in use: XenServer 5.6 does so while a dom0 operation runs; wait and retry",
		    label ? label : ref) : xasprintf("HOST_IN_USE: VM %s still runs on the host",
		    label ? label : ref);
	} else {
		msg = xasprintf("HOST_IN_USE: the host is in use by %s %s", kind, ref);
	}
	csm_err_clear();
	xmlrpc_value_free(rec);
	xmlrpc_value_free(vm);
	free(kind);
	free(ref);
	return msg;
}

char *
patch_explain_error(struct pool *pool)
{
	struct xapi *x = pool_xapi(pool);
	const char *c = xapi_error_code(x);
	const char *const *p;
	size_t n;
	char *list, *q;

	if (c == NULL)
		return NULL;
	p = xapi_error_params(x, &n);
#define P(i) ((i) < n ? p[i] : "?")
	if (strstr(c, "PRECHECK_FAILED_WRONG_SERVER_VERSION"))
		return xasprintf("%s: the host runs version %s, the patch requires %s", c, P(1),
		    P(2));
	if (strstr(c, "PRECHECK_FAILED_WRONG_SERVER_BUILD"))
		return xasprintf("%s: the host runs build %s, the patch requires %s", c, P(1),
		    P(2));
	if (strstr(c, "PRECHECK_FAILED_PREREQUISITE_MISSING")) {
		list = xstrdup(P(1));
		for (q = list; *q; q++)
			if (*q == ';')
				*q = ',';
		q = xasprintf("%s: prerequisite patches missing on the host: %s", c, list);
		free(list);
		return q;
	}
	if (strstr(c, "PRECHECK_FAILED_CONFLICT_PRESENT"))
		return xasprintf("%s: a conflicting update is installed: %s", c, P(1));
	if (strstr(c, "PRECHECK_FAILED_VM_RUNNING"))
		return xasprintf("%s: VMs are running on the host; this patch needs them moved "
		    "off or shut down", c);
	if (strstr(c, "PRECHECK_FAILED_OUT_OF_SPACE"))
		return xasprintf("%s: not enough disk space on the host: %s bytes free, %s "
		    "needed", c, P(1), P(2));
	if (strstr(c, "PRECHECK_FAILED_ISO_MOUNTED"))
		return xasprintf("%s: an ISO is mounted in a VM on the host; eject it", c);
	if (strstr(c, "PRECHECK_FAILED_GPGKEY_NOT_IMPORTED"))
		return xasprintf("%s: the update's signing key is not imported on the host", c);
	if (strstr(c, "PRECHECK_FAILED_UNKNOWN_ERROR"))
		return xasprintf("%s: %s", c, P(1));
	if (strcmp(c, "OUT_OF_SPACE") == 0)
		return xasprintf("OUT_OF_SPACE: not enough space in %s on the pool master (an "
		    "upload needs about three times the file's size free)", P(0));
	if (strcmp(c, "INVALID_PATCH") == 0 || strcmp(c, "INVALID_UPDATE") == 0)
		return xasprintf("%s: the file is not a valid hotfix (bad signature or damaged "
		    "file)%s%s", c, n ? ": " : "", n ? P(0) : "");
	if (strcmp(c, "INVALID_PATCH_WITH_LOG") == 0)
		return xasprintf("%s: the hotfix's metadata is not valid: %s", c, P(0));
	if (strncmp(c, "PATCH_APPLY_FAILED", 18) == 0 || strcmp(c, "UPDATE_APPLY_FAILED") == 0)
		return xasprintf("%s: %s", c, P(0));
	if (strcmp(c, "CANNOT_FIND_PATCH") == 0)
		return xasprintf("%s: the pool master has no copy of the patch file (before "
		    "XenServer 7.1 it lives only on the master that received the upload, and "
		    "CloudStack moves the master role when the master enters maintenance): upload "
		    "it again with 'csmaint patch upload --host HOST FILE --execute', then retry",
		    c);
	if (strcmp(c, "CANNOT_FETCH_PATCH") == 0)
		return xasprintf("%s: the host could not copy the file of patch %s from the pool "
		    "master (before XenServer 7.1 members fetch it from the master at each "
		    "precheck and apply): check that the master still has it, or upload it again "
		    "with 'csmaint patch upload --host HOST FILE --execute', then retry", c, P(0));
	if (strcmp(c, "HOST_IN_USE") == 0)
		return host_in_use(x, P(1), P(2));
	if (strcmp(c, "HOST_NOT_DISABLED") == 0)
		return xstrdup("HOST_NOT_DISABLED: the host must be disabled in XenServer first");
	if (strcmp(c, "OTHER_OPERATION_IN_PROGRESS") == 0)
		return xasprintf("OTHER_OPERATION_IN_PROGRESS: another operation (%s %s) is "
		    "running; try again later", P(0), P(1));
#undef P
	return NULL;
}

int
patch_plan_build(struct pool *pool, const struct pool_host *xs, const char *catalog_path,
    char *const *files, int nfiles, struct catalog **cat, struct plan **plan)
{
	struct pool_patch *pp = NULL;
	struct plan_applied *applied = NULL;
	struct plan_input in;
	size_t np = 0, i, j, n = 0;
	int rc;

	*cat = NULL;
	*plan = NULL;
	if (catalog_path != NULL && (rc = catalog_load(catalog_path, cat)) != CSM_OK)
		return rc;
	if (catalog_path == NULL && nfiles == 0)
		return csm_err_set(CSM_EUSAGE, "give --catalog FILE, hotfix files, or both");
	/* What the host has applied: uuids, with names from the pool's patch records. */
	if ((rc = pool_patches(pool, &pp, &np)) != CSM_OK)
		goto out;
	applied = xcalloc(xs->npatches + 1, sizeof(*applied));
	for (i = 0; i < xs->npatches; i++) {
		applied[n].uuid = xs->patches[i];
		for (j = 0; j < np; j++)
			if (pp[j].uuid && strcasecmp(pp[j].uuid, xs->patches[i]) == 0)
				applied[n].name_label = pp[j].name_label;
		n++;
	}
	memset(&in, 0, sizeof(in));
	in.cat = *cat;
	in.product_version = xs->product_version;
	in.build_number = xs->build_number;
	in.applied = applied;
	in.napplied = n;
	in.requested = (const char *const *)files;
	in.nrequested = (size_t)nfiles;
	rc = plan_compute(&in, plan);
out:
	free(applied);
	pool_patches_free(pp, np);
	if (rc != CSM_OK) {
		catalog_free(*cat);
		*cat = NULL;
	}
	return rc;
}

char *
patch_clean_applied(struct pool *pool, int updates, const struct pool_host *hosts,
    size_t nh, const struct pool_host *xs, const char *host_name, const char *names)
{
	char *copy = xstrdup(names ? names : ""), *tok, *save = NULL, *text;
	struct sbuf out = SBUF_INIT;

	for (tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		const char *method;
		char lacks[512];
		struct patch pt;
		int rc;

		if (patch_find(pool, updates, tok, &pt) != CSM_OK) {
			sbuf_printf(&out, "%s%s: not known (%s)", out.len ? "; " : "", tok,
			    csm_err_msg());
		} else if ((rc = patch_applied_everywhere(pool, hosts, nh, &pt, lacks,
		    sizeof(lacks))) == CSM_ECONFLICT) {
			sbuf_printf(&out, "%s%s kept (not yet on %s)", out.len ? "; " : "", tok,
			    lacks);
		} else if (rc != CSM_OK || patch_clean(pool, xs, &pt, &method) != CSM_OK) {
			sbuf_printf(&out, "%s%s: not cleaned (%s)", out.len ? "; " : "", tok,
			    csm_err_msg());
			csm_warn("%s: its files could not be removed from the pool: %s; run "
			    "'csmaint patch clean --host %s %s --execute' later", tok,
			    csm_err_msg(), host_name, tok);
		} else {
			sbuf_printf(&out, "%s%s cleaned (%s)", out.len ? "; " : "", tok, method);
		}
		patch_clear(&pt);
		csm_err_clear();
	}
	free(copy);
	text = sbuf_take(&out);
	return text;
}

int
patch_inputs_check(const char *catalog, char *const *files, int nfiles)
{
	int i, rc;

	for (i = -1; i < nfiles; i++) {
		const char *f = i < 0 ? catalog : files[i];

		/* The journal keeps the paths one a line for resume: text rules apply. */
		if (f != NULL && ((rc = csm_check_text(i < 0 ? "the catalog's path" :
		    "a hotfix file's path", f, PATH_MAX)) != CSM_OK ||
		    (rc = patch_file_check(f, i < 0 ? "catalog" : "hotfix file")) != CSM_OK))
			return rc;
	}
	return CSM_OK;
}
