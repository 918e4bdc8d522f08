/* xapi.c: XenAPI sessions and calls over an injected transport, with redirects and tasks. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csmaint.h"
#include "wait.h"
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
	int bad_reply;			/* the last call failed the reply check */
	int lost;			/* the session was dropped by a redirect or expiry */
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
	xapi_errv_free(x->errv);
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

/*
 * A bounded text builder for messages made of server text: appends stop at the cap, so
 * the cost of a message is bounded whatever the server sent.
 */
struct text {
	char buf[XAPI_ERR_TEXT_MAX + 64];
	size_t len, cap;
	int full;			/* something was left out */
};

static void
text_add(struct text *t, const char *s, size_t n)
{
	if (t->len + n > t->cap) {
		n = t->cap - t->len;
		t->full = 1;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

/* The next occurrence of secret at or after from; NULL if none (or no secret). */
static const char *
next_hit(const char *from, const char *secret)
{
	return secret != NULL && *secret != '\0' ? strstr(from, secret) : NULL;
}

/*
 * Append s with every occurrence of the session ref and of the password masked.  Each
 * secret is searched for again only once the scan has passed its last hit, so the cost is
 * linear in the length of s; the scan stops when the text is full.  A secret is masked as
 * a whole before any cut, so no part of it can end up in the message; where the two
 * overlap, the session ref wins.
 */
static void
text_add_masked(struct text *t, const char *s, const char *session, const char *password)
{
	const char *p = s, *hs, *hp, *hit;
	size_t ns = session ? strlen(session) : 0, np = password ? strlen(password) : 0;

	hs = next_hit(s, session);
	hp = next_hit(s, password);
	while (!t->full) {
		if (hs != NULL && hs < p)
			hs = next_hit(p, session);
		if (hp != NULL && hp < p)
			hp = next_hit(p, password);
		hit = hs == NULL ? hp : hp == NULL ? hs : hs <= hp ? hs : hp;
		if (hit == NULL) {
			text_add(t, p, strlen(p));
			return;
		}
		text_add(t, p, (size_t)(hit - p));
		if (hit == hs || (hs != NULL && hit + np > hs)) {
			/* A password hit running into the session ref: mask the ref whole. */
			text_add(t, "(session)", 9);
			p = hs + ns;
		} else {
			text_add(t, "(password)", 10);
			p = hit + np;
		}
	}
}

/*
 * Put the server's error in the error slot as "XenAPI <what> failed: CODE [p1; p2]".
 * The params are verbatim except that the session ref and the password are masked: a
 * SESSION_INVALID echoes the ref, and messages end up in logs and journals.  The text is
 * built in one pass and capped at XAPI_ERR_TEXT_MAX bytes, the rest summed up as
 * "... N more": a hostile or broken server can send 50,000 items (they stay available,
 * verbatim, through xapi_error_params()).
 */
static int
server_error(struct xapi *x, const char *what)
{
	struct text t;
	size_t i;
	int open = 0;

	t.len = 0;
	t.cap = XAPI_ERR_TEXT_MAX;
	t.full = 0;
	t.buf[0] = '\0';
	text_add_masked(&t, x->nerr > 0 ? x->errv[0] : "?", x->session, x->password);
	for (i = 1; i < x->nerr && !t.full; i++) {
		if (t.len + 2 > t.cap) {
			t.full = 1;	/* not even the separator: item i is not shown */
			break;
		}
		text_add(&t, i == 1 ? " [" : "; ", 2);
		open = 1;
		text_add_masked(&t, x->errv[i], x->session, x->password);
	}
	if (t.full) {
		/* Items before i are shown, the last one perhaps cut short: "...". */
		t.cap = sizeof(t.buf) - 1;
		t.full = 0;
		text_add(&t, "...", 3);
		if (i < x->nerr) {
			char more[48];
			snprintf(more, sizeof(more), "; ... %zu more", x->nerr - i);
			text_add(&t, more, strlen(more));
		}
	}
	if (open)
		text_add(&t, "]", 1);
	return csm_err_set(CSM_EFAIL, "XenAPI %s failed: %s", what, t.buf);
}

/* ---- the envelope every XenAPI reply comes in ---- */

void
xapi_errv_free(char **v)
{
	char **p;

	if (v == NULL)
		return;
	for (p = v; *p != NULL; p++)
		free(*p);
	free(v);
}

/* An ErrorDescription item as the text the server would have sent; NULL for containers. */
static char *
scalar_text(const struct xmlrpc_value *v)
{
	const char *s;
	int64_t i;
	double d;
	int b;

	switch (xmlrpc_type(v)) {
	case XMLRPC_STRING:
		xmlrpc_as_string(v, &s);
		return xstrdup(s);
	case XMLRPC_DATETIME:
		return xstrdup(xmlrpc_datetime_text(v));
	case XMLRPC_INT:
		xmlrpc_as_int64(v, &i);
		return xasprintf("%lld", (long long)i);
	case XMLRPC_BOOL:
		xmlrpc_as_bool(v, &b);
		return xstrdup(b ? "true" : "false");
	case XMLRPC_DOUBLE:
		xmlrpc_as_double(v, &d);
		return xasprintf("%.17g", d);
	case XMLRPC_NIL:
		return xstrdup("");
	default:
		return NULL;
	}
}

int
xapi_decode_reply(const char *buf, size_t len, struct xmlrpc_value **value,
    char ***errv, size_t *nerr)
{
	struct xmlrpc_value *res = NULL;
	struct xmlrpc_fault *fault = NULL;
	const struct xmlrpc_value *desc;
	const char *status = NULL;
	char **v;
	size_t i, n;
	int rc;

	*value = NULL;
	*errv = NULL;
	*nerr = 0;
	if ((rc = xmlrpc_decode_response(buf, len, &res, &fault)) < 0)
		return rc;
	if (fault != NULL) {
		v = xcalloc(4, sizeof(*v));
		v[0] = xstrdup("FAULT");
		v[1] = xasprintf("%lld", (long long)fault->code);
		v[2] = xstrdup(fault->string);
		*errv = v;
		*nerr = 3;
		xmlrpc_fault_free(fault);
		return CSM_OK;
	}
	if (xmlrpc_type(res) != XMLRPC_STRUCT) {
		rc = csm_err_set(CSM_EFAIL, "XenAPI reply is a %s, not a struct with a Status",
		    xmlrpc_type_name(xmlrpc_type(res)));
		goto out;
	}
	if (xmlrpc_as_string(xmlrpc_struct_get(res, "Status"), &status) < 0) {
		rc = csm_err_set(CSM_EFAIL, "XenAPI reply has no Status string");
		goto out;
	}
	if (strcmp(status, "Success") == 0) {
		if ((*value = xmlrpc_struct_take(res, "Value")) == NULL) {
			rc = csm_err_set(CSM_EFAIL, "XenAPI reply has Status Success but no Value");
			goto out;
		}
		rc = CSM_OK;
		goto out;
	}
	if (strcmp(status, "Failure") != 0) {
		rc = csm_err_set(CSM_EFAIL, "XenAPI reply has the unknown Status '%.64s'", status);
		goto out;
	}
	desc = xmlrpc_struct_get(res, "ErrorDescription");
	if (xmlrpc_type(desc) != XMLRPC_ARRAY || (n = xmlrpc_len(desc)) == 0) {
		rc = csm_err_set(CSM_EFAIL, "XenAPI reply has Status Failure but no "
		    "ErrorDescription array");
		goto out;
	}
	v = xcalloc(n + 1, sizeof(*v));
	for (i = 0; i < n; i++) {
		if ((v[i] = scalar_text(xmlrpc_array_get(desc, i))) == NULL) {
			xapi_errv_free(v);
			rc = csm_err_set(CSM_EFAIL, "XenAPI ErrorDescription item %zu is a %s, "
			    "not a string", i, xmlrpc_type_name(xmlrpc_type(
			    xmlrpc_array_get(desc, i))));
			goto out;
		}
	}
	*errv = v;
	*nerr = n;
	rc = CSM_OK;
out:
	xmlrpc_value_free(res);
	return rc;
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
	if ((rc = xapi_decode_reply(reply, reply_len, result, &errv, &nerr)) < 0) {
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
	if ((rc = xapi_check_reply("session.login_with_password", NULL, v)) < 0)
		goto out;
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
	x->lost = 0;
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
	x->lost = 0;
	return rc;
}

/* ---- the shape of the replies csmaint reads ---- */

/*
 * A XenAPI server is input: every reply csmaint reads is checked here, once, when it
 * arrives, so that no reader further on can take a wrong-typed value for an absent one
 * (or crash on it).  The tables name, per class, the fields csmaint reads and their
 * XenAPI types (reference/xenapi/classes.tsv); a field the real xapi always sends is
 * required, one that only newer servers send is optional (absent: the reader's default).
 * A reader of a new field adds it here.
 */
enum ftype {
	F_STRING,		/* string, ref, uuid, enum */
	F_BOOL,
	F_INT,			/* an int, or the decimal string xapi sends */
	F_DOUBLE,		/* a double (or an int) */
	F_DATETIME,		/* a dateTime, or a string in a dateTime form */
	F_MAP,			/* (string -> string) map: the keys read must be strings */
	F_STRINGS,		/* a set of strings, refs or enums */
};

struct field {
	const char *name;
	enum ftype type;
	int optional;			/* newer servers only */
	const char *const *keys;	/* F_MAP: the keys csmaint reads */
};

static const char *const oc_keys[] = { "boot_time", "agent_start_time", "vm_uuid", NULL };
static const char *const sv_keys[] = { "product_version", "build_number", NULL };
static const char *const pv_keys[] = { "major", "minor", "micro", NULL };

static const struct field vm_fields[] = {
	{ "uuid", F_STRING, 0, NULL }, { "name_label", F_STRING, 0, NULL },
	{ "power_state", F_STRING, 0, NULL }, { "resident_on", F_STRING, 0, NULL },
	{ "is_a_template", F_BOOL, 0, NULL }, { "is_a_snapshot", F_BOOL, 0, NULL },
	{ "is_control_domain", F_BOOL, 0, NULL }, { "guest_metrics", F_STRING, 0, NULL },
	{ "other_config", F_MAP, 0, oc_keys },
	{ "HVM_boot_policy", F_STRING, 1, NULL },	/* every version; absent: not known */
	{ NULL, 0, 0, NULL },
};
static const struct field gm_fields[] = {
	{ "PV_drivers_version", F_MAP, 0, pv_keys },
	{ "PV_drivers_up_to_date", F_BOOL, 0, NULL },
	{ "PV_drivers_detected", F_BOOL, 1, NULL },		/* API 2.5, 7.0+ */
	{ NULL, 0, 0, NULL },
};
static const struct field host_fields[] = {
	{ "uuid", F_STRING, 0, NULL }, { "name_label", F_STRING, 0, NULL },
	{ "address", F_STRING, 0, NULL }, { "enabled", F_BOOL, 0, NULL },
	{ "metrics", F_STRING, 0, NULL }, { "other_config", F_MAP, 0, oc_keys },
	{ "software_version", F_MAP, 0, sv_keys },
	{ "API_version_major", F_INT, 0, NULL }, { "API_version_minor", F_INT, 0, NULL },
	{ "updates", F_STRINGS, 1, NULL },			/* API 2.6, 7.1+ */
	{ NULL, 0, 0, NULL },
};
static const struct field host_metrics_fields[] = {
	{ "live", F_BOOL, 0, NULL }, { NULL, 0, 0, NULL },
};
static const struct field host_patch_fields[] = {
	{ "host", F_STRING, 0, NULL }, { "pool_patch", F_STRING, 0, NULL },
	{ "applied", F_BOOL, 0, NULL }, { "timestamp_applied", F_DATETIME, 0, NULL },
	{ NULL, 0, 0, NULL },
};
static const struct field pool_patch_fields[] = {
	{ "uuid", F_STRING, 0, NULL }, { "name_label", F_STRING, 0, NULL },
	{ "version", F_STRING, 0, NULL }, { "size", F_INT, 0, NULL },
	{ "pool_applied", F_BOOL, 0, NULL }, { "after_apply_guidance", F_STRINGS, 0, NULL },
	{ "pool_update", F_STRING, 1, NULL },			/* API 2.6, 7.1+ */
	{ NULL, 0, 0, NULL },
};
static const struct field pool_update_fields[] = {
	{ "uuid", F_STRING, 0, NULL }, { "name_label", F_STRING, 0, NULL },
	{ "after_apply_guidance", F_STRINGS, 0, NULL }, { NULL, 0, 0, NULL },
};
static const struct field pool_fields[] = {
	{ "master", F_STRING, 0, NULL }, { "default_SR", F_STRING, 0, NULL },
	{ NULL, 0, 0, NULL },
};
static const struct field sr_fields[] = {
	{ "uuid", F_STRING, 0, NULL }, { "name_label", F_STRING, 0, NULL },
	{ "shared", F_BOOL, 0, NULL }, { "type", F_STRING, 0, NULL },
	{ NULL, 0, 0, NULL },
};
static const struct field task_fields[] = {
	{ "status", F_STRING, 0, NULL }, { "result", F_STRING, 0, NULL },
	{ "progress", F_DOUBLE, 0, NULL }, { "error_info", F_STRINGS, 0, NULL },
	{ NULL, 0, 0, NULL },
};

static const struct {
	const char *cls;
	const struct field *fields;
} classes[] = {
	{ "VM", vm_fields }, { "VM_guest_metrics", gm_fields }, { "host", host_fields },
	{ "host_metrics", host_metrics_fields }, { "host_patch", host_patch_fields },
	{ "pool_patch", pool_patch_fields }, { "pool_update", pool_update_fields },
	{ "pool", pool_fields }, { "SR", sr_fields }, { "task", task_fields },
};

/* Methods outside the generated get_* family whose result csmaint reads. */
static const char *const string_methods[] = {
	"session.login_with_password", "task.create", "pool_patch.precheck",
	"pool_update.precheck", "pool_patch.apply", NULL,
};

static const char *
a_type(enum xmlrpc_type t)
{
	switch (t) {
	case XMLRPC_NIL:
		return "nil";
	case XMLRPC_STRING:
		return "a string";
	case XMLRPC_INT:
		return "an int";
	case XMLRPC_BOOL:
		return "a boolean";
	case XMLRPC_DOUBLE:
		return "a double";
	case XMLRPC_DATETIME:
		return "a dateTime";
	case XMLRPC_ARRAY:
		return "an array";
	case XMLRPC_STRUCT:
		return "a struct";
	}
	return "an unknown value";
}

static const char *
a_ftype(enum ftype t)
{
	switch (t) {
	case F_STRING:
		return "a string";
	case F_BOOL:
		return "a boolean";
	case F_INT:
		return "an int";
	case F_DOUBLE:
		return "a double";
	case F_DATETIME:
		return "a dateTime";
	case F_MAP:
		return "a struct";
	case F_STRINGS:
		return "an array";
	}
	return "?";
}

/* "is an array", or "is the string 'abc'" when a string does not parse as the type. */
static int
bad_member(const char *method, const char *member, const char *where,
    const struct xmlrpc_value *v, const char *want)
{
	const char *s;

	if (xmlrpc_as_string(v, &s) == CSM_OK && strcmp(want, "a string") != 0)
		return csm_err_set(CSM_EFAIL, "bad reply from XenServer: %s: member %s of %.80s "
		    "is the string '%.40s' where %s was expected", method, member, where, s,
		    want);
	return csm_err_set(CSM_EFAIL, "bad reply from XenServer: %s: member %s of %.80s is %s "
	    "where %s was expected", method, member, where, a_type(xmlrpc_type(v)), want);
}

/* One value of field f (member called member, for the message) of the record where. */
static int
check_value(const char *method, const char *where, const struct field *f,
    const char *member, const struct xmlrpc_value *v)
{
	const struct xmlrpc_value *item;
	const char *s;
	char sub[160];
	int64_t i64;
	double d;
	time_t t;
	int b;
	size_t i, n;

	switch (f->type) {
	case F_STRING:
		if (xmlrpc_as_string(v, &s) == CSM_OK)
			return CSM_OK;
		break;
	case F_BOOL:
		if (xmlrpc_as_bool(v, &b) == CSM_OK)
			return CSM_OK;
		break;
	case F_INT:
		if (xmlrpc_as_int64(v, &i64) == CSM_OK)
			return CSM_OK;
		break;
	case F_DOUBLE:
		if (xmlrpc_as_double(v, &d) == CSM_OK)
			return CSM_OK;
		break;
	case F_DATETIME:
		if (xmlrpc_as_datetime(v, &t) == CSM_OK)
			return CSM_OK;
		break;
	case F_MAP:
		if (xmlrpc_type(v) != XMLRPC_STRUCT)
			break;
		for (i = 0; f->keys != NULL && f->keys[i] != NULL; i++) {
			item = xmlrpc_struct_get(v, f->keys[i]);
			if (item != NULL && xmlrpc_type(item) != XMLRPC_STRING) {
				snprintf(sub, sizeof(sub), "%s.%s", member, f->keys[i]);
				return bad_member(method, sub, where, item, "a string");
			}
		}
		return CSM_OK;
	case F_STRINGS:
		if (xmlrpc_type(v) != XMLRPC_ARRAY)
			break;
		n = xmlrpc_len(v);
		for (i = 0; i < n; i++) {
			item = xmlrpc_array_get(v, i);
			if (xmlrpc_type(item) != XMLRPC_STRING) {
				snprintf(sub, sizeof(sub), "%s[%zu]", member, i);
				return bad_member(method, sub, where, item, "a string");
			}
		}
		return CSM_OK;
	}
	return bad_member(method, member, where, v, a_ftype(f->type));
}

/* A record of a class: a struct whose fields csmaint reads have their types. */
static int
check_record(const char *method, const char *where, const struct field *fields,
    const struct xmlrpc_value *rec)
{
	const struct xmlrpc_value *v;
	const struct field *f;
	int rc;

	if (xmlrpc_type(rec) != XMLRPC_STRUCT)
		return csm_err_set(CSM_EFAIL, "bad reply from XenServer: %s: %.80s is %s where "
		    "a struct was expected", method, where, a_type(xmlrpc_type(rec)));
	for (f = fields; f->name != NULL; f++) {
		if ((v = xmlrpc_struct_get(rec, f->name)) == NULL) {
			if (f->optional)
				continue;
			return csm_err_set(CSM_EFAIL, "bad reply from XenServer: %s: %.80s has no "
			    "member %s", method, where, f->name);
		}
		if ((rc = check_value(method, where, f, f->name, v)) < 0)
			return rc;
	}
	return CSM_OK;
}

static const struct field *
fields_of(const char *cls, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (strlen(classes[i].cls) == len && strncmp(classes[i].cls, cls, len) == 0)
			return classes[i].fields;
	return NULL;
}

static int
top_is(const char *method, const struct xmlrpc_value *v, enum xmlrpc_type want)
{
	if (xmlrpc_type(v) == want)
		return CSM_OK;
	return csm_err_set(CSM_EFAIL, "bad reply from XenServer: %s returned %s where %s was "
	    "expected", method, a_type(xmlrpc_type(v)), a_type(want));
}

/* The whole reply is one value of type f->type (get_all, get_<field>). */
static int
top_value(const char *method, const struct field *f, const struct xmlrpc_value *v)
{
	const struct xmlrpc_value *item;
	const char *s;
	size_t i, n;
	int rc;

	if (f->type == F_STRINGS) {
		if ((rc = top_is(method, v, XMLRPC_ARRAY)) < 0)
			return rc;
		n = xmlrpc_len(v);
		for (i = 0; i < n; i++)
			if (xmlrpc_type(item = xmlrpc_array_get(v, i)) != XMLRPC_STRING)
				return csm_err_set(CSM_EFAIL, "bad reply from XenServer: %s: item %zu "
				    "is %s where a string was expected", method, i,
				    a_type(xmlrpc_type(item)));
		return CSM_OK;
	}
	if (f->type == F_MAP && xmlrpc_type(v) == XMLRPC_STRUCT)
		return check_value(method, "the reply", f, "value", v);
	if (check_value(method, "the reply", f, "value", v) == CSM_OK)
		return CSM_OK;
	if (xmlrpc_as_string(v, &s) == CSM_OK)
		return csm_err_set(CSM_EFAIL, "bad reply from XenServer: %s returned the string "
		    "'%.40s' where %s was expected", method, s, a_ftype(f->type));
	return csm_err_set(CSM_EFAIL, "bad reply from XenServer: %s returned %s where %s was "
	    "expected", method, a_type(xmlrpc_type(v)), a_ftype(f->type));
}

int
xapi_check_reply(const char *method, const char *ref, const struct xmlrpc_value *v)
{
	static const struct field refs = { "refs", F_STRINGS, 0, NULL };
	const struct field *fields, *f;
	const char *dot, *msg;
	size_t i, n;
	int rc;

	if (strncmp(method, "Async.", 6) == 0)
		return top_is(method, v, XMLRPC_STRING);	/* the task ref */
	for (i = 0; string_methods[i] != NULL; i++)
		if (strcmp(method, string_methods[i]) == 0)
			return top_is(method, v, XMLRPC_STRING);
	if ((dot = strchr(method, '.')) == NULL)
		return CSM_OK;
	msg = dot + 1;
	if (strcmp(msg, "get_by_uuid") == 0)
		return top_is(method, v, XMLRPC_STRING);
	if (strcmp(msg, "get_all") == 0)
		return top_value(method, &refs, v);
	if ((fields = fields_of(method, (size_t)(dot - method))) == NULL)
		return CSM_OK;
	if (strcmp(msg, "get_record") == 0) {
		if ((rc = top_is(method, v, XMLRPC_STRUCT)) < 0)
			return rc;
		return check_record(method, ref ? ref : "the record", fields, v);
	}
	if (strcmp(msg, "get_all_records") == 0) {
		if ((rc = top_is(method, v, XMLRPC_STRUCT)) < 0)
			return rc;
		n = xmlrpc_len(v);
		for (i = 0; i < n; i++)
			if ((rc = check_record(method, xmlrpc_struct_name_at(v, i), fields,
			    xmlrpc_struct_value_at(v, i))) < 0)
				return rc;
		return CSM_OK;
	}
	/* The generated getter of a field: get_name_label, get_updates, … */
	if (strncmp(msg, "get_", 4) == 0)
		for (f = fields; f->name != NULL; f++)
			if (strcmp(msg + 4, f->name) == 0)
				return top_value(method, f, v);
	return CSM_OK;
}

int
xapi_call(struct xapi *x, const char *method, struct xmlrpc_value *const *params,
    size_t n, struct xmlrpc_value **result)
{
	int rc, redirects = 0, relogged = 0;

	*result = NULL;
	x->bad_reply = 0;
	if (x->session == NULL && x->lost && x->password != NULL) {
		/* An earlier call lost the session and could not log in again: try now. */
		if ((rc = login(x)) < 0)
			return rc;
		x->lost = 0;
	}
	if (x->session == NULL) {
		clear_error(x);
		return csm_err_set(CSM_EUSAGE, "XenAPI %s: not logged in", method);
	}
	for (;;) {
		rc = rpc(x, method, params, n, 1, result);
		if (rc == CSM_OK) {
			const char *ref = NULL;
			if (n > 0 && xmlrpc_as_string(params[0], &ref) != CSM_OK)
				ref = NULL;
			if ((rc = xapi_check_reply(method, ref, *result)) < 0) {
				x->bad_reply = 1;
				xmlrpc_value_free(*result);
				*result = NULL;
			}
			return rc;
		}
		if (x->nerr == 0)
			return rc;
		if (error_is(x, "HOST_IS_SLAVE") && x->nerr >= 2 && redirects++ < MAX_REDIRECTS) {
			/* The master changed under us: the old session died with it. */
			free(x->session);
			x->session = NULL;
			x->lost = 1;
			if ((rc = move_to_master(x, x->errv[1])) < 0 || (rc = login(x)) < 0)
				return rc;
			x->lost = 0;
			continue;
		}
		if (error_is(x, "SESSION_INVALID") && !relogged && x->password != NULL) {
			/* Sessions die with a toolstack restart or after 24 h idle: log in once. */
			relogged = 1;
			csm_debug("XenAPI session expired; logging in again");
			free(x->session);
			x->session = NULL;
			x->lost = 1;
			if ((rc = login(x)) < 0)
				return rc;
			x->lost = 0;
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

/*
 * Poll until the task is done; the caller destroys it.  Only a record that says so ends
 * the wait: "success" is the only way to CSM_OK, "failure" and "cancelled" fail with the
 * task's error.  A poll that got no answer (transport failure, an undecodable reply) is
 * "not known yet": polling goes on until the timeout, whose message names the last error.
 * A server error (HANDLE_INVALID: the task is gone), a record of the wrong shape or an
 * unknown status fails at once: the outcome cannot be known, and is not success.
 */
static int
task_poll(struct xapi *x, const char *task, const char *what, double timeout,
    struct xmlrpc_value **result)
{
	struct xmlrpc_value *rec = NULL;
	const char *status = NULL, *text;
	char last[512] = "";
	double start = csm_now(), progress = 0, left;
	int rc;

	for (;;) {
		xmlrpc_value_free(rec);
		rec = NULL;
		if (wait_stopped()) {
			/* Not a result either: the task goes on in XenServer. */
			snprintf(last, sizeof(last), "%s", csm_err_msg());
			clear_error(x);
			rc = csm_err_set(CSM_EFAIL, "XenAPI %s: stopped waiting for task %s: %s; "
			    "the task goes on in XenServer", what, task, last);
			goto out;
		}
		rc = xapi_call_s(x, "task.get_record", &rec, task, NULL);
		if (rc < 0 && (x->nerr > 0 || x->bad_reply))
			goto out;
		if (rc < 0) {
			if (strcmp(last, csm_err_msg()) != 0)
				csm_info("XenAPI %s: state of task %s not known yet: %s", what, task,
				    csm_err_msg());
			snprintf(last, sizeof(last), "%s", csm_err_msg());
			status = NULL;
		} else {
			last[0] = '\0';
			/* The record's shape was checked on arrival (task_fields). */
			xmlrpc_as_string(xmlrpc_struct_get(rec, "status"), &status);
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
				rc = csm_err_set(CSM_EFAIL, "XenAPI %s: task %s has the unknown "
				    "status '%.32s'", what, task, status);
				goto out;
			}
			xmlrpc_as_double(xmlrpc_struct_get(rec, "progress"), &progress);
		}
		left = timeout - (csm_now() - start);
		if (left <= 0) {
			clear_error(x);
			if (status == NULL)
				rc = csm_err_set(CSM_EFAIL, "XenAPI %s: state of task %s not known "
				    "after %.0f s; last error: %s", what, task, timeout, last);
			else
				rc = csm_err_set(CSM_EFAIL, "XenAPI %s: task %s still %s after %.0f s "
				    "(progress %.0f%%)", what, task, status, timeout, progress * 100);
			goto out;
		}
		if (status != NULL)
			csm_debug("XenAPI %s: %s, %.0f%% done", what, status, progress * 100);
		wait_sleep(x->poll < left ? x->poll : left);
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
	if ((rc = task_wait(x, ref, method, timeout, result)) == CSM_OK &&
	    (rc = xapi_check_reply(strncmp(method, "Async.", 6) == 0 ? method + 6 : method,
	    NULL, *result)) < 0) {
		/* The result has the type of the synchronous method's (pool_patch.apply). */
		xmlrpc_value_free(*result);
		*result = NULL;
	}
out:
	free(ref);
	xmlrpc_value_free(v);
	return rc;
}
