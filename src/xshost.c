/* xshost.c: a XenServer host's reboot, toolstack restart, and the wait until it is back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csmaint.h"
#include "guidance.h"
#include "cloudstack.h"
#include "conf.h"
#include "db.h"
#include "patch.h"
#include "pool.h"
#include "site.h"
#include "target.h"
#include "wait.h"
#include "xapi.h"
#include "xmlrpc.h"
#include "xshost.h"

/* How wait_back() waits, and what it asks CloudStack. */
struct host_wait {
	double		 timeout;	/* seconds */
	double		 poll;		/* seconds between looks */
	int		 (*cloudstack_ok)(void *arg, char *seen, unsigned long seen_len);
	void		*arg;		/* for cloudstack_ok: 1 when CloudStack agrees */
	const char	*boot_before;	/* see struct xshost_opts */
	void		 (*requested)(void *arg, const char *boot_before);
	void		*requested_arg;
};

/* Read the host's record by uuid: fills the facts the waits look at. */
struct seen {
	char	name[256];
	char	boot[64], agent[64];
	int	live, enabled;
	char	ref[128];
};

static int
look(struct pool *pool, const char *uuid, struct seen *s)
{
	struct xapi *x = pool_xapi(pool);
	struct xmlrpc_value *ref = NULL, *rec = NULL, *m = NULL;
	const char *r = NULL, *mref, *oc;
	int rc;

	memset(s, 0, sizeof(*s));
	s->live = -1;
	if ((rc = xapi_call_s(x, "host.get_by_uuid", &ref, uuid, NULL)) != CSM_OK ||
	    xmlrpc_as_string(ref, &r) != CSM_OK)
		goto out;
	snprintf(s->ref, sizeof(s->ref), "%s", r);
	if ((rc = xapi_call_s(x, "host.get_record", &rec, r, NULL)) != CSM_OK)
		goto out;
	s->enabled = pool_bool(rec, "enabled", 0);
	snprintf(s->name, sizeof(s->name), "%s", pool_str(rec, "name_label") ?
	    pool_str(rec, "name_label") : uuid);
	oc = NULL;
	if (xmlrpc_struct_get(rec, "other_config") != NULL) {
		oc = pool_str(xmlrpc_struct_get(rec, "other_config"), "boot_time");
		snprintf(s->boot, sizeof(s->boot), "%s", oc ? oc : "");
		oc = pool_str(xmlrpc_struct_get(rec, "other_config"), "agent_start_time");
		snprintf(s->agent, sizeof(s->agent), "%s", oc ? oc : "");
	}
	mref = pool_str(rec, "metrics");
	if (mref != NULL && xapi_call_s(x, "host_metrics.get_record", &m, mref, NULL) == CSM_OK)
		s->live = pool_bool(m, "live", -1);
	rc = CSM_OK;
out:
	xmlrpc_value_free(ref);
	xmlrpc_value_free(rec);
	xmlrpc_value_free(m);
	return rc;
}

/* Wait until the key (boot_time or agent_start_time) changed and the host is back. */
static int
wait_back(struct pool *pool, const char *uuid, int agent, const char *before,
    const struct host_wait *w, const char *what)
{
	double start = csm_now();
	char last[512] = "nothing yet", now[512];
	struct seen s;
	int enable_sent = 0;

	for (;;) {
		if (wait_stopped()) {
			csm_err_prefix("%s: stopped waiting", what);
			return CSM_EFAIL;
		}
		if (look(pool, uuid, &s) != CSM_OK) {
			snprintf(now, sizeof(now), "not known yet: XenServer did not answer (%s)",
			    csm_err_msg());
		} else {
			const char *key = agent ? s.agent : s.boot;
			/* Only a time that is there and differs counts: a record without it
			 * is "not known yet", never "changed". */
			int changed = before == NULL || (key[0] != '\0' && strcmp(key, before) != 0);

			snprintf(now, sizeof(now), "%s %s, live %s, enabled %s",
			    agent ? "agent_start_time" : "boot_time", changed ? "changed" :
			    "unchanged", s.live == 1 ? "yes" : s.live == 0 ? "no" : "unknown",
			    s.enabled ? "yes" : "no");
			if (changed && s.live == 1 && !s.enabled && !enable_sent) {
				/* XenCenter re-enables a host after its reboot (NOTES §4). */
				xapi_call_s(pool_xapi(pool), "host.enable", NULL, s.ref, NULL);
				enable_sent = 1;
			}
			if (changed && s.live == 1 && s.enabled) {
				char cs[256] = "";
				if (w->cloudstack_ok == NULL || w->cloudstack_ok(w->arg, cs,
				    sizeof(cs))) {
					csm_info("%s: back after %.0f s (%s%s%s)", what,
					    csm_now() - start, now, cs[0] ? "; " : "", cs);
					return CSM_OK;
				}
				snprintf(now + strlen(now), sizeof(now) - strlen(now),
				    "; CloudStack: %s", cs);
			}
		}
		if (strcmp(now, last) != 0) {
			csm_info("%s: waiting: %s (%.0f s)", what, now, csm_now() - start);
			snprintf(last, sizeof(last), "%s", now);
		}
		if (csm_now() - start >= w->timeout)
			return csm_err_set(CSM_EFAIL, "%s did not come back within %.0f s; last "
			    "seen: %s", what, w->timeout, last);
		wait_sleep(w->poll);
	}
}

static int
xshost_reboot(struct pool *pool, const char *host_uuid, const struct host_wait *w)
{
	struct xapi *x = pool_xapi(pool);
	struct xmlrpc_value *task = NULL, *param;
	struct seen s;
	char *what;
	int rc;

	if ((rc = look(pool, host_uuid, &s)) != CSM_OK)
		return rc;
	if (s.boot[0] == '\0')
		return csm_err_set(CSM_EFAIL, "XenServer host %s has no other_config:boot_time: "
		    "csmaint could not tell when it is back, so it does not reboot it", s.name);
	what = xasprintf("XenServer host %s", s.name);
	/* host.reboot needs the host disabled in XenServer (NOTES §4). */
	if (s.enabled && (rc = xapi_call_s(x, "host.disable", NULL, s.ref, NULL)) != CSM_OK)
		goto out;
	if (w->requested != NULL)
		w->requested(w->requested_arg, s.boot);
	param = xmlrpc_string_new(s.ref);
	rc = xapi_call(x, "Async.host.reboot", &param, 1, &task);
	xmlrpc_value_free(param);
	if (rc == CSM_OK) {
		/* The task fails at once when the host cannot reboot (HOST_IN_USE); when the
		 * master goes down with it, the task and the connection vanish: that is the
		 * reboot under way, not an error. */
		const char *tref = NULL, *code;
		struct xmlrpc_value *res = NULL;

		if (xmlrpc_as_string(task, &tref) == CSM_OK &&
		    xapi_task_wait(x, tref, w->timeout < 10 ? w->timeout : 10, &res) != CSM_OK &&
		    (code = xapi_error_code(x)) != NULL && strcmp(code, "HANDLE_INVALID") != 0 &&
		    strcmp(code, "SESSION_INVALID") != 0)
			rc = CSM_EFAIL;
		else
			csm_err_clear();
		xmlrpc_value_free(res);
	}
	xmlrpc_value_free(task);
	if (rc != CSM_OK) {
		char *why = patch_explain_error(pool);
		if (why != NULL) {
			csm_err_set(CSM_EFAIL, "cannot reboot %s: %s", what, why);
			free(why);
		}
		/* Leave XenServer's enabled flag as it was. */
		if (s.enabled)
			xapi_call_s(x, "host.enable", NULL, s.ref, NULL);
		goto out;
	}
	csm_info("%s: reboot requested (boot_time %s)", what, s.boot);
	rc = wait_back(pool, host_uuid, 0, s.boot, w, what);
out:
	free(what);
	return rc;
}

static int
xshost_restart_toolstack(struct pool *pool, const char *host_uuid, const struct host_wait *w)
{
	struct seen s;
	char *what;
	int rc;

	if ((rc = look(pool, host_uuid, &s)) != CSM_OK)
		return rc;
	if (s.agent[0] == '\0')
		return csm_err_set(CSM_EFAIL, "XenServer host %s has no other_config:"
		    "agent_start_time: csmaint could not tell when its toolstack is back, so it "
		    "does not restart it", s.name);
	if ((rc = xapi_call_s(pool_xapi(pool), "host.restart_agent", NULL, s.ref, NULL)) !=
	    CSM_OK)
		return rc;
	what = xasprintf("toolstack of XenServer host %s", s.name);
	csm_info("%s: restart requested", what);
	rc = wait_back(pool, host_uuid, 1, s.agent, w, what);
	free(what);
	return rc;
}

int
xshost_boot_time(struct pool *pool, const char *host_uuid, char *buf, size_t len)
{
	struct seen s;
	int rc;

	buf[0] = '\0';
	if ((rc = look(pool, host_uuid, &s)) != CSM_OK)
		return rc;
	if (s.boot[0] == '\0')
		return csm_err_set(CSM_EFAIL, "XenServer host %s has no other_config:boot_time",
		    s.name);
	snprintf(buf, len, "%s", s.boot);
	return CSM_OK;
}

static int
xshost_wait_back(struct pool *pool, const char *host_uuid, const struct host_wait *w)
{
	char *what = xasprintf("XenServer host %s", host_uuid);
	int rc = wait_back(pool, host_uuid, 0, w->boot_before, w, what);

	free(what);
	return rc;
}

/* "1286883345." (OCaml string_of_float) -> seconds. */
static double
boot_seconds(const char *s)
{
	return s && *s ? strtod(s, NULL) : 0;
}

int
xshost_reboot_pending(struct pool *pool, const char *host_uuid, int *pending)
{
	struct xapi *x = pool_xapi(pool);
	struct xmlrpc_value *hp = NULL, *pp = NULL;
	struct seen s;
	double boot;
	size_t i;
	int rc;

	*pending = 0;
	if ((rc = look(pool, host_uuid, &s)) != CSM_OK)
		return rc;
	boot = boot_seconds(s.boot);
	if ((rc = xapi_call_s(x, "host_patch.get_all_records", &hp, NULL)) != CSM_OK ||
	    (rc = xapi_call_s(x, "pool_patch.get_all_records", &pp, NULL)) != CSM_OK)
		goto out;
	/* XenCenter's rule: a restartHost patch applied after the host last booted. */
	for (i = 0; i < xmlrpc_len(hp); i++) {
		const struct xmlrpc_value *r = xmlrpc_struct_value_at(hp, i), *prec;
		const struct xmlrpc_value *ts = xmlrpc_struct_get(r, "timestamp_applied");
		const char *h = pool_str(r, "host"), *ref = pool_str(r, "pool_patch");
		char *g;
		time_t t = 0;

		if (h == NULL || strcmp(h, s.ref) != 0 || ref == NULL || !pool_bool(r, "applied", 0))
			continue;
		prec = xmlrpc_struct_get(pp, ref);
		g = prec ? pool_guidance(prec) : NULL;
		/* A restartHost patch whose time of application cannot be read may still
		 * want its reboot: "not known" counts as pending (a second reboot of a host
		 * in maintenance is safe; old code left running is not). */
		if (g && (guidance_parse(g) & GUIDE_RESTART_HOST) && (ts == NULL ||
		    xmlrpc_as_datetime(ts, &t) != CSM_OK || boot <= 0 || (double)t >= boot))
			*pending = 1;
		free(g);
	}
out:
	xmlrpc_value_free(hp);
	xmlrpc_value_free(pp);
	return rc;
}

/* What CloudStack says about the host: back when its status is what it was before. */
struct cs_wait {
	struct db	*db;
	long long	 id;
	char		 before[64];
};

static int
cloudstack_back(void *arg, char *seen, unsigned long len)
{
	struct cs_wait *w = arg;
	struct db_res *r = NULL;
	const char *st;
	int ok = 0;

	if (cs_host_get(w->db, w->id, &r) != CSM_OK) {
		snprintf(seen, len, "database unreadable (%s)", csm_err_msg());
		return 0;
	}
	st = db_get(r, 0, CS_H_STATUS);
	/* Up again, or still in maintenance when it was in maintenance (NOTES §5, §6): a
	 * host in maintenance is not reloaded on reconnect, so its status stays. */
	ok = strcmp(st, "Up") == 0 || (strstr(w->before, "Maintenance") != NULL &&
	    strcmp(st, w->before) == 0);
	snprintf(seen, len, "CloudStack status %s", st);
	db_res_free(r);
	return ok;
}

int
xshost_restart(const struct site *site, struct target *t, enum xshost_mode mode,
    const struct xshost_opts *o)
{
	struct cs_wait cw;
	struct host_wait w;

	memset(&w, 0, sizeof(w));
	w.boot_before = o ? o->boot_before : NULL;
	w.requested = o ? o->requested : NULL;
	w.requested_arg = o ? o->arg : NULL;
	cw.db = site->db;
	cw.id = t->id;
	/* CloudStack's status as it is now (maintenance may have begun since T was
	 * opened): the host is back when it shows this status again, or Up. */
	{
		struct db_res *now = NULL;
		int ok = cs_host_get(site->db, t->id, &now) == CSM_OK;
		snprintf(cw.before, sizeof(cw.before), "%s", db_get(ok ? now : t->row, 0,
		    CS_H_STATUS));
		db_res_free(now);
		csm_err_clear();
	}
	w.timeout = site->conf->proc.reboot_timeout;
	w.poll = site->conf->proc.poll_interval;
	w.cloudstack_ok = cloudstack_back;
	w.arg = &cw;
	return mode == XSHOST_REBOOT ? xshost_reboot(t->pool, t->xs->uuid, &w) :
	    mode == XSHOST_RESTART_TOOLSTACK ? xshost_restart_toolstack(t->pool, t->xs->uuid,
	    &w) : xshost_wait_back(t->pool, t->xs->uuid, &w);
}
