/* xapi.c: XenAPI sessions and calls over an injected transport, with redirects and tasks. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csmaint.h"
#include "xapi.h"
#include "xmlrpc.h"

/* A pool can only point us onwards so many times before it is a loop. */
#define MAX_REDIRECTS 3

struct xapi {
	char *url;			/* where calls go: the master once redirected */
	xapi_transport_fn transport;
	void *ctx;
	char *session;			/* session ref, NULL when logged out */
	char *user;			/* kept to log in again after SESSION_INVALID */
	char *password;			/* cleared in xapi_free */
	char **errv;			/* last server error [code, params…], NULL-terminated */
	size_t nerr;
	double poll;			/* seconds between task polls */
};

struct xapi *
xapi_new(const char *url, xapi_transport_fn transport, void *ctx)
{
	struct xapi *x = xcalloc(1, sizeof(*x));

	x->url = xstrdup(url);
	x->transport = transport;
	x->ctx = ctx;
	x->poll = 1.0;
	return x;
}

static void
clear_error(struct xapi *x)
{
	xmlrpc_strv_free(x->errv);
	x->errv = NULL;
	x->nerr = 0;
}

static void
forget_password(struct xapi *x)
{
	if (x->password != NULL) {
		csm_explicit_bzero(x->password, strlen(x->password));
		free(x->password);
		x->password = NULL;
	}
}

void
xapi_free(struct xapi *x)
{
	char saved[2048];

	if (x == NULL)
		return;
	if (x->session != NULL) {
		/* Logging out must not replace the message the caller is about to print. */
		snprintf(saved, sizeof(saved), "%s", csm_err_msg());
		if (xapi_logout(x) < 0)
			csm_debug("%s", csm_err_msg());
		if (strcmp(saved, "unknown error") == 0)
			csm_err_clear();
		else
			csm_err_set(CSM_EFAIL, "%s", saved);
	}
	forget_password(x);
	clear_error(x);
	free(x->user);
	free(x->url);
	free(x);
}

void
xapi_set_poll_interval(struct xapi *x, double seconds)
{
	x->poll = seconds < 0 ? 0 : seconds;
}

const char *
xapi_error_code(const struct xapi *x)
{
	return x->nerr > 0 ? x->errv[0] : NULL;
}

const char *const *
xapi_error_params(const struct xapi *x, size_t *n)
{
	*n = x->nerr > 0 ? x->nerr - 1 : 0;
	return x->nerr > 0 ? (const char *const *)x->errv + 1 : NULL;
}

const char *
xapi_master_url(const struct xapi *x)
{
	return x->url;
}

const char *
xapi_session_ref(const struct xapi *x)
{
	return x->session;
}

/* s with every occurrence of secret replaced by label; the caller's. */
static char *
redact(const char *s, const char *secret, const char *label)
{
	size_t n;
	const char *hit;
	char *out, *tmp;

	if (secret == NULL || *secret == '\0' || strstr(s, secret) == NULL)
		return xstrdup(s);
	n = strlen(secret);
	out = xstrdup("");
	while ((hit = strstr(s, secret)) != NULL) {
		tmp = xasprintf("%s%.*s%s", out, (int)(hit - s), s, label);
		free(out);
		out = tmp;
		s = hit + n;
	}
	tmp = xasprintf("%s%s", out, s);
	free(out);
	return tmp;
}

/*
 * Put the server's error in the error slot as "XenAPI <what> failed: CODE [p1; p2]".
 * The params are verbatim except that the session ref and the password are masked: a
 * SESSION_INVALID echoes the ref, and messages end up in logs and journals.
 */
static int
server_error(struct xapi *x, const char *what)
{
	char *msg, *tmp, *p1, *p2;
	size_t i;

	msg = xasprintf("XenAPI %s failed: %s", what, x->nerr > 0 ? x->errv[0] : "?");
	for (i = 1; i < x->nerr; i++) {
		p1 = redact(x->errv[i], x->session, "(session)");
		p2 = redact(p1, x->password, "(password)");
		tmp = xasprintf("%s%s%s", msg, i == 1 ? " [" : "; ", p2);
		free(msg);
		free(p1);
		free(p2);
		msg = tmp;
	}
	csm_err_set(CSM_EFAIL, "%s%s", msg, x->nerr > 1 ? "]" : "");
	free(msg);
	return CSM_EFAIL;
}

/*
 * One round trip: encode method(session?, params), send it, decode the envelope.  A server
 * error is kept in x->errv.  The request body is cleared after sending because the login
 * request carries the password.
 */
static int
rpc(struct xapi *x, const char *method, struct xmlrpc_value *const *params, size_t n,
    int with_session, struct xmlrpc_value **result)
{
	struct xmlrpc_value **all = NULL, *sess = NULL;
	char *body = NULL, *reply = NULL, **errv = NULL;
	size_t i, len, reply_len = 0, nerr = 0;
	int rc;

	*result = NULL;
	clear_error(x);
	if (with_session) {
		all = xcalloc(n + 1, sizeof(*all));
		all[0] = sess = xmlrpc_string_new(x->session);
		for (i = 0; i < n; i++)
			all[i + 1] = params[i];
		body = xmlrpc_encode_call(method, all, n + 1);
	} else {
		body = xmlrpc_encode_call(method, params, n);
	}
	if (body == NULL) {
		csm_err_prefix("XenAPI %s", method);
		rc = CSM_EUSAGE;
		goto out;
	}
	len = strlen(body);
	csm_debug("XenAPI call %s (%zu bytes)", method, len);
	rc = x->transport(x->ctx, x->url, body, len, &reply, &reply_len);
	csm_explicit_bzero(body, len);
	if (rc < 0) {
		csm_err_prefix("XenAPI %s", method);
		goto out;
	}
	if ((rc = xmlrpc_decode_xenapi(reply, reply_len, result, &errv, &nerr)) < 0) {
		csm_err_prefix("XenAPI %s: bad reply", method);
		goto out;
	}
	if (errv != NULL) {
		x->errv = errv;
		x->nerr = nerr;
		rc = server_error(x, method);
	}
out:
	free(reply);
	free(body);
	xmlrpc_value_free_secret(sess);
	free(all);
	return rc;
}

static int
error_is(const struct xapi *x, const char *code)
{
	return x->nerr > 0 && strcmp(x->errv[0], code) == 0;
}

/*
 * Point x at the master named by HOST_IS_SLAVE: the same URL with the host part replaced,
 * so scheme, port and path stay what the operator configured.
 */
static int
move_to_master(struct xapi *x, const char *master)
{
	const char *p, *auth, *host, *hend, *end;
	char *url;
	int v6;

	if (*master == '\0' || strpbrk(master, "/?#@ \t\r\n[]") != NULL)
		return csm_err_set(CSM_EFAIL, "XenAPI host is a pool member, but its master "
		    "address '%.64s' is not usable", master);
	if ((p = strstr(x->url, "://")) == NULL)
		return csm_err_set(CSM_EUSAGE, "XenAPI URL has no scheme");
	auth = p + 3;
	end = auth + strcspn(auth, "/?#");
	host = auth;
	for (p = auth; p < end; p++)
		if (*p == '@')
			host = p + 1;
	if (*host == '[') {
		hend = memchr(host, ']', (size_t)(end - host));
		hend = hend != NULL ? hend + 1 : end;
	} else {
		hend = memchr(host, ':', (size_t)(end - host));
		if (hend == NULL)
			hend = end;
	}
	v6 = strchr(master, ':') != NULL;
	url = xasprintf("%.*s%s%s%s%s", (int)(host - x->url), x->url, v6 ? "[" : "", master,
	    v6 ? "]" : "", hend);
	csm_info("%.*s is a pool member; using the pool master %s", (int)(hend - host), host,
	    master);
	free(x->url);
	x->url = url;
	return CSM_OK;
}

/* Log in at x->url, following HOST_IS_SLAVE and falling back to the API 1.1 signature. */
static int
login(struct xapi *x)
{
	struct xmlrpc_value *p[3], *v = NULL;
	const char *ref;
	size_t np = 3;
	int rc, redirects = 0;

	p[0] = xmlrpc_string_new(x->user);
	p[1] = xmlrpc_string_new(x->password);
	p[2] = xmlrpc_string_new(XAPI_LOGIN_VERSION);
	for (;;) {
		rc = rpc(x, "session.login_with_password", p, np, 0, &v);
		if (rc == CSM_OK)
			break;
		if (np == 3 && error_is(x, "MESSAGE_PARAMETER_COUNT_MISMATCH")) {
			/* An API 1.1 server takes only user and password (NOTES §1.4). */
			np = 2;
			continue;
		}
		if (error_is(x, "HOST_IS_SLAVE") && x->nerr >= 2 && redirects++ < MAX_REDIRECTS) {
			if ((rc = move_to_master(x, x->errv[1])) < 0)
				goto out;
			continue;
		}
		goto out;
	}
	if ((rc = xmlrpc_as_string(v, &ref)) < 0 || *ref == '\0') {
		rc = csm_err_set(CSM_EFAIL, "XenAPI session.login_with_password returned no "
		    "session reference");
		goto out;
	}
	free(x->session);
	x->session = xstrdup(ref);
out:
	xmlrpc_value_free(v);
	xmlrpc_value_free(p[0]);
	xmlrpc_value_free_secret(p[1]);
	xmlrpc_value_free(p[2]);
	return rc;
}

int
xapi_login(struct xapi *x, const char *user, const char *password)
{
	if (x->session != NULL)
		xapi_logout(x);
	free(x->user);
	forget_password(x);
	x->user = xstrdup(user);
	x->password = xstrdup(password);
	return login(x);
}

int
xapi_logout(struct xapi *x)
{
	struct xmlrpc_value *v = NULL;
	int rc;

	if (x->session == NULL)
		return CSM_OK;
	rc = rpc(x, "session.logout", NULL, 0, 1, &v);
	xmlrpc_value_free(v);
	free(x->session);
	x->session = NULL;
	return rc;
}

int
xapi_call(struct xapi *x, const char *method, struct xmlrpc_value *const *params,
    size_t n, struct xmlrpc_value **result)
{
	int rc, redirects = 0, relogged = 0;

	*result = NULL;
	if (x->session == NULL) {
		clear_error(x);
		return csm_err_set(CSM_EUSAGE, "XenAPI %s: not logged in", method);
	}
	for (;;) {
		rc = rpc(x, method, params, n, 1, result);
		if (rc == CSM_OK || x->nerr == 0)
			return rc;
		if (error_is(x, "HOST_IS_SLAVE") && x->nerr >= 2 && redirects++ < MAX_REDIRECTS) {
			/* The master changed under us: the old session died with it. */
			free(x->session);
			x->session = NULL;
			if ((rc = move_to_master(x, x->errv[1])) < 0 || (rc = login(x)) < 0)
				return rc;
			continue;
		}
		if (error_is(x, "SESSION_INVALID") && !relogged && x->password != NULL) {
			/* Sessions die with a toolstack restart or after 24 h idle: log in once. */
			relogged = 1;
			csm_debug("XenAPI session expired; logging in again");
			free(x->session);
			x->session = NULL;
			if ((rc = login(x)) < 0)
				return rc;
			continue;
		}
		return rc;
	}
}

int
xapi_call_s(struct xapi *x, const char *method, struct xmlrpc_value **result, ...)
{
	struct xmlrpc_value **p = NULL, *ignored = NULL;
	const char *s;
	size_t n = 0, i;
	va_list ap;
	int rc;

	va_start(ap, result);
	while ((s = va_arg(ap, const char *)) != NULL) {
		p = xrealloc(p, (n + 1) * sizeof(*p));
		p[n++] = xmlrpc_string_new(s);
	}
	va_end(ap);
	/* A NULL result: the caller only wants success or failure. */
	rc = xapi_call(x, method, p, n, result ? result : &ignored);
	if (result == NULL)
		xmlrpc_value_free(ignored);
	for (i = 0; i < n; i++)
		xmlrpc_value_free(p[i]);
	free(p);
	return rc;
}

static void
sleep_for(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * task.result comes in two forms (NOTES §6): Async calls store the result re-serialised
 * as "<value>…</value>", the patch upload stores the bare "OpaqueRef:…".
 */
static int
task_result(const char *text, struct xmlrpc_value **result)
{
	const char *p = text;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (strncmp(p, "<value", 6) == 0) {
		if (xmlrpc_decode_value(p, strlen(p), result) < 0) {
			csm_err_prefix("task result is not a valid <value>");
			return CSM_EFAIL;
		}
		return CSM_OK;
	}
	*result = xmlrpc_string_new(text);
	return CSM_OK;
}

/* Take the task's error_info as the server error; a cancelled task may have none. */
static int
task_error(struct xapi *x, const struct xmlrpc_value *rec, const char *what,
    const char *fallback)
{
	const struct xmlrpc_value *info = xmlrpc_struct_get(rec, "error_info");
	const char *s;
	size_t i, n = xmlrpc_len(info);

	clear_error(x);
	x->errv = xcalloc(n + 2, sizeof(*x->errv));
	for (i = 0; i < n; i++)
		if (xmlrpc_as_string(xmlrpc_array_get(info, i), &s) == CSM_OK)
			x->errv[x->nerr++] = xstrdup(s);
	if (x->nerr == 0)
		x->errv[x->nerr++] = xstrdup(fallback);
	return server_error(x, what);
}

/* Poll until the task is done; the caller destroys it. */
static int
task_poll(struct xapi *x, const char *task, const char *what, double timeout,
    struct xmlrpc_value **result)
{
	struct xmlrpc_value *rec = NULL;
	const char *status, *text;
	double start = csm_now(), progress, left;
	int rc;

	for (;;) {
		xmlrpc_value_free(rec);
		if ((rc = xapi_call_s(x, "task.get_record", &rec, task, NULL)) < 0)
			goto out;
		if (xmlrpc_as_string(xmlrpc_struct_get(rec, "status"), &status) < 0) {
			rc = csm_err_set(CSM_EFAIL, "XenAPI %s: task %s has no status", what,
			    task);
			goto out;
		}
		if (strcmp(status, "success") == 0) {
			text = "";
			xmlrpc_as_string(xmlrpc_struct_get(rec, "result"), &text);
			rc = task_result(text, result);
			goto out;
		}
		if (strcmp(status, "failure") == 0) {
			rc = task_error(x, rec, what, "TASK_FAILED");
			goto out;
		}
		if (strcmp(status, "cancelled") == 0) {
			rc = task_error(x, rec, what, "TASK_CANCELLED");
			goto out;
		}
		if (strcmp(status, "pending") != 0 && strcmp(status, "cancelling") != 0) {
			rc = csm_err_set(CSM_EFAIL, "XenAPI %s: task %s has the unknown status "
			    "'%.32s'", what, task, status);
			goto out;
		}
		progress = 0;
		xmlrpc_as_double(xmlrpc_struct_get(rec, "progress"), &progress);
		left = timeout - (csm_now() - start);
		if (left <= 0) {
			rc = csm_err_set(CSM_EFAIL, "XenAPI %s: task %s still %s after %.0f s "
			    "(progress %.0f%%)", what, task, status, timeout, progress * 100);
			goto out;
		}
		csm_debug("XenAPI %s: %s, %.0f%% done", what, status, progress * 100);
		sleep_for(x->poll < left ? x->poll : left);
	}
out:
	xmlrpc_value_free(rec);
	return rc;
}

/* Poll, then destroy the task whatever happened, keeping the poll's outcome. */
static int
task_wait(struct xapi *x, const char *task, const char *what, double timeout,
    struct xmlrpc_value **result)
{
	struct xmlrpc_value *v = NULL;
	char saved[2048], **errv;
	size_t nerr;
	int rc;

	*result = NULL;
	rc = task_poll(x, task, what, timeout, result);
	snprintf(saved, sizeof(saved), "%s", csm_err_msg());
	errv = x->errv;
	nerr = x->nerr;
	x->errv = NULL;
	x->nerr = 0;
	if (xapi_call_s(x, "task.destroy", &v, task, NULL) < 0) {
		/* After a master restart its tasks are gone (PersistNothing): expected. */
		if (x->errv != NULL && (strcmp(x->errv[0], "HANDLE_INVALID") == 0 ||
		    strcmp(x->errv[0], "SESSION_INVALID") == 0))
			csm_debug("XenAPI task %s is gone: %s", task, csm_err_msg());
		else
			csm_warn("cannot destroy XenAPI task %s: %s", task, csm_err_msg());
	}
	xmlrpc_value_free(v);
	clear_error(x);
	x->errv = errv;
	x->nerr = nerr;
	if (rc < 0)
		csm_err_set(rc, "%s", saved);
	return rc;
}

int
xapi_task_wait(struct xapi *x, const char *task_ref, double timeout,
    struct xmlrpc_value **result)
{
	char *what = xasprintf("task %s", task_ref);
	int rc = task_wait(x, task_ref, what, timeout, result);

	free(what);
	return rc;
}

int
xapi_async_call(struct xapi *x, const char *method, struct xmlrpc_value *const *params,
    size_t n, double timeout, struct xmlrpc_value **result)
{
	struct xmlrpc_value *v = NULL;
	const char *task;
	char *ref = NULL;
	int rc;

	*result = NULL;
	if ((rc = xapi_call(x, method, params, n, &v)) < 0)
		goto out;
	if ((rc = xmlrpc_as_string(v, &task)) < 0 || strncmp(task, "OpaqueRef:", 10) != 0) {
		rc = csm_err_set(CSM_EFAIL, "XenAPI %s returned no task reference", method);
		goto out;
	}
	ref = xstrdup(task);
	rc = task_wait(x, ref, method, timeout, result);
out:
	free(ref);
	xmlrpc_value_free(v);
	return rc;
}
