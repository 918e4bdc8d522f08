/* check_xapi.c: unit tests for XenAPI sessions, redirects and tasks against canned replies. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csmaint.h"
#include "xapi.h"
#include "xmlrpc.h"

#define MAXREQ 32

/*
 * The fake transport: serves the scripted replies in order and records every request.
 * A NULL reply is a transport failure (connection refused).
 */
struct fake {
	char *replies[MAXREQ];
	int nreplies, next;
	char *urls[MAXREQ], *bodies[MAXREQ];
	int nreq;
};

static struct fake fk;

static int
fake_transport(void *ctx, const char *url, const char *body, size_t len, char **reply,
    size_t *reply_len)
{
	struct fake *f = ctx;
	char *r;

	ck_assert_int_lt(f->nreq, MAXREQ);
	ck_assert_uint_eq(strlen(body), len);
	f->urls[f->nreq] = xstrdup(url);
	f->bodies[f->nreq] = xstrdup(body);
	f->nreq++;
	ck_assert_msg(f->next < f->nreplies, "unexpected request %d: %s", f->nreq, body);
	r = f->replies[f->next++];
	if (r == NULL)
		return csm_err_set(CSM_EFAIL, "POST %s failed: Connection refused", url);
	*reply = xstrdup(r);
	*reply_len = strlen(r);
	return CSM_OK;
}

static void
fake_reset(void)
{
	int i;

	for (i = 0; i < fk.nreplies; i++)
		free(fk.replies[i]);
	for (i = 0; i < fk.nreq; i++) {
		free(fk.urls[i]);
		free(fk.bodies[i]);
	}
	memset(&fk, 0, sizeof(fk));
}

static void
push(char *reply)
{
	ck_assert_int_lt(fk.nreplies, MAXREQ);
	fk.replies[fk.nreplies++] = reply;
}

static char *
envelope(struct xmlrpc_value *env)
{
	char *frag = xmlrpc_encode_value(env), *doc;

	ck_assert_ptr_nonnull(frag);
	doc = xasprintf("<?xml version=\"1.0\"?>\n<methodResponse><params><param>%s</param>"
	    "</params></methodResponse>\n", frag);
	free(frag);
	xmlrpc_value_free(env);
	return doc;
}

/* A Success reply carrying v (taken). */
static void
push_ok(struct xmlrpc_value *v)
{
	struct xmlrpc_value *env = xmlrpc_struct_new();

	xmlrpc_struct_set(env, "Status", xmlrpc_string_new("Success"));
	xmlrpc_struct_set(env, "Value", v);
	push(envelope(env));
}

static void
push_ok_s(const char *s)
{
	push_ok(xmlrpc_string_new(s));
}

/* A Failure reply: code, then params, NULL-terminated. */
static void
push_fail(const char *code, ...)
{
	struct xmlrpc_value *env = xmlrpc_struct_new(), *a = xmlrpc_array_new();
	const char *p;
	va_list ap;

	xmlrpc_array_append(a, xmlrpc_string_new(code));
	va_start(ap, code);
	while ((p = va_arg(ap, const char *)) != NULL)
		xmlrpc_array_append(a, xmlrpc_string_new(p));
	va_end(ap);
	xmlrpc_struct_set(env, "Status", xmlrpc_string_new("Failure"));
	xmlrpc_struct_set(env, "ErrorDescription", a);
	push(envelope(env));
}

/* A task record reply. error_info: NULL-terminated codes/params, or none. */
static void
push_task(const char *status, double progress, const char *result, ...)
{
	struct xmlrpc_value *rec = xmlrpc_struct_new(), *a = xmlrpc_array_new();
	const char *p;
	va_list ap;

	va_start(ap, result);
	while ((p = va_arg(ap, const char *)) != NULL)
		xmlrpc_array_append(a, xmlrpc_string_new(p));
	va_end(ap);
	xmlrpc_struct_set(rec, "uuid", xmlrpc_string_new("6c2e8f4a-task"));
	xmlrpc_struct_set(rec, "status", xmlrpc_string_new(status));
	xmlrpc_struct_set(rec, "progress", xmlrpc_double_new(progress));
	xmlrpc_struct_set(rec, "result", xmlrpc_string_new(result));
	xmlrpc_struct_set(rec, "error_info", a);
	push_ok(rec);
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

static int
has(int req, const char *needle)
{
	return req < fk.nreq && strstr(fk.bodies[req], needle) != NULL;
}

static int
msg_has(const char *needle)
{
	return strstr(csm_err_msg(), needle) != NULL;
}

/* A handle logged in as session OpaqueRef:s1 (request 0). */
static struct xapi *
logged_in(const char *url)
{
	struct xapi *x = xapi_new(url, fake_transport, &fk);

	xapi_set_poll_interval(x, 0);
	push_ok_s("OpaqueRef:s1");
	ck_assert_int_eq(xapi_login(x, "root", "pw-secret"), CSM_OK);
	return x;
}

static void
setup(void)
{
	fake_reset();
	csm_err_clear();
}

static void
teardown(void)
{
	fake_reset();
}

START_TEST(test_login_logout)
{
	struct xapi *x;

	x = logged_in("https://xs-01/");
	ck_assert_int_eq(fk.nreq, 1);
	ck_assert(has(0, "<methodName>session.login_with_password</methodName>"));
	ck_assert(has(0, "<value>root</value>"));
	ck_assert(has(0, "<value>pw-secret</value>"));
	ck_assert(has(0, "<value>" XAPI_LOGIN_VERSION "</value>"));
	ck_assert_int_eq(count(fk.bodies[0], "<param>"), 3);
	ck_assert_str_eq(fk.urls[0], "https://xs-01/");
	ck_assert_str_eq(xapi_session_ref(x), "OpaqueRef:s1");
	ck_assert_str_eq(xapi_master_url(x), "https://xs-01/");
	/* Freeing logs out, and keeps the caller's message. */
	push_ok_s("");
	csm_err_set(CSM_EFAIL, "earlier failure");
	xapi_free(x);
	ck_assert_int_eq(fk.nreq, 2);
	ck_assert(has(1, "<methodName>session.logout</methodName>"));
	ck_assert(has(1, "<value>OpaqueRef:s1</value>"));
	ck_assert_int_eq(count(fk.bodies[1], "<param>"), 1);
	ck_assert_str_eq(csm_err_msg(), "earlier failure");
	xapi_free(NULL);
}
END_TEST

START_TEST(test_explicit_logout)
{
	struct xapi *x = logged_in("https://xs-01/");

	push_ok_s("");
	ck_assert_int_eq(xapi_logout(x), CSM_OK);
	ck_assert_ptr_null(xapi_session_ref(x));
	ck_assert_int_eq(xapi_logout(x), CSM_OK);	/* no session: no request */
	xapi_free(x);					/* nor here */
	ck_assert_int_eq(fk.nreq, 2);
}
END_TEST

START_TEST(test_login_fallback_two_params)
{
	struct xapi *x = xapi_new("https://xs-01/", fake_transport, &fk);

	push_fail("MESSAGE_PARAMETER_COUNT_MISMATCH", "session.login_with_password", "2", "3",
	    NULL);
	push_ok_s("OpaqueRef:s1");
	ck_assert_int_eq(xapi_login(x, "root", "pw"), CSM_OK);
	ck_assert_int_eq(fk.nreq, 2);
	ck_assert_int_eq(count(fk.bodies[0], "<param>"), 3);
	ck_assert_int_eq(count(fk.bodies[1], "<param>"), 2);
	ck_assert(!has(1, XAPI_LOGIN_VERSION));
	ck_assert_str_eq(xapi_session_ref(x), "OpaqueRef:s1");
	push_ok_s("");
	xapi_free(x);
}
END_TEST

START_TEST(test_login_auth_failed)
{
	struct xapi *x = xapi_new("https://xs-01/", fake_transport, &fk);
	const char *const *p;
	size_t n;

	/* The 2010 server sends [uname; message]; the password must not leak either way. */
	push_fail("SESSION_AUTHENTICATION_FAILED", "root", "Authentication failure pw-secret",
	    NULL);
	ck_assert_int_eq(xapi_login(x, "root", "pw-secret"), CSM_EFAIL);
	ck_assert_int_eq(fk.nreq, 1);
	ck_assert_str_eq(xapi_error_code(x), "SESSION_AUTHENTICATION_FAILED");
	p = xapi_error_params(x, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(p[0], "root");
	ck_assert_str_eq(csm_err_msg(), "XenAPI session.login_with_password failed: "
	    "SESSION_AUTHENTICATION_FAILED [root; Authentication failure (password)]");
	ck_assert_ptr_null(xapi_session_ref(x));
	xapi_free(x);
	ck_assert_int_eq(fk.nreq, 1);		/* no logout without a session */
}
END_TEST

START_TEST(test_login_redirect_to_master)
{
	struct xapi *x = xapi_new("https://xs-02.example:8443/xapi/", fake_transport, &fk);

	push_fail("HOST_IS_SLAVE", "192.0.2.10", NULL);
	push_ok_s("OpaqueRef:s1");
	ck_assert_int_eq(xapi_login(x, "root", "pw"), CSM_OK);
	ck_assert_int_eq(fk.nreq, 2);
	ck_assert_str_eq(fk.urls[0], "https://xs-02.example:8443/xapi/");
	ck_assert_str_eq(fk.urls[1], "https://192.0.2.10:8443/xapi/");
	ck_assert(has(1, "session.login_with_password"));
	ck_assert_str_eq(xapi_master_url(x), "https://192.0.2.10:8443/xapi/");
	push_ok_s("");
	xapi_free(x);
	ck_assert_str_eq(fk.urls[2], "https://192.0.2.10:8443/xapi/");
}
END_TEST

START_TEST(test_redirect_url_forms)
{
	static const struct {
		const char *from, *master, *to;
	} cases[] = {
		{ "https://xs-02", "10.0.0.1", "https://10.0.0.1" },
		{ "http://xs-02/", "xs-01.example", "http://xs-01.example/" },
		{ "https://[2001:db8::2]:443/", "2001:db8::1", "https://[2001:db8::1]:443/" },
		{ "https://xs-02?x=1", "10.0.0.1", "https://10.0.0.1?x=1" },
	};
	struct xapi *x;
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		fake_reset();
		x = xapi_new(cases[k].from, fake_transport, &fk);
		push_fail("HOST_IS_SLAVE", cases[k].master, NULL);
		push_ok_s("OpaqueRef:s1");
		ck_assert_int_eq(xapi_login(x, "root", "pw"), CSM_OK);
		ck_assert_str_eq(fk.urls[1], cases[k].to);
		push_ok_s("");
		xapi_free(x);
	}
}
END_TEST

START_TEST(test_redirect_loop_and_bad_master)
{
	struct xapi *x = xapi_new("https://xs-02/", fake_transport, &fk);
	int i;

	for (i = 0; i < 4; i++)
		push_fail("HOST_IS_SLAVE", i % 2 ? "10.0.0.2" : "10.0.0.1", NULL);
	ck_assert_int_eq(xapi_login(x, "root", "pw"), CSM_EFAIL);
	ck_assert_int_eq(fk.nreq, 4);
	ck_assert(msg_has("HOST_IS_SLAVE [10.0.0.2]"));
	xapi_free(x);

	fake_reset();
	x = xapi_new("https://xs-02/", fake_transport, &fk);
	push_fail("HOST_IS_SLAVE", "evil/path@x", NULL);
	ck_assert_int_eq(xapi_login(x, "root", "pw"), CSM_EFAIL);
	ck_assert(msg_has("not usable"));
	ck_assert_int_eq(fk.nreq, 1);
	xapi_free(x);
}
END_TEST

START_TEST(test_call_redirect_when_master_moves)
{
	struct xapi *x = logged_in("https://xs-01:443/");
	struct xmlrpc_value *r;

	push_fail("HOST_IS_SLAVE", "10.0.0.7", NULL);	/* call on the old master */
	push_ok_s("OpaqueRef:s2");			/* login on the new one */
	push_ok_s("Enabled");				/* the retried call */
	ck_assert_int_eq(xapi_call_s(x, "host.get_name_label", &r, "OpaqueRef:h", NULL),
	    CSM_OK);
	ck_assert_int_eq(fk.nreq, 4);
	ck_assert_str_eq(fk.urls[1], "https://xs-01:443/");
	ck_assert_str_eq(fk.urls[2], "https://10.0.0.7:443/");
	ck_assert(has(2, "session.login_with_password"));
	ck_assert_str_eq(fk.urls[3], "https://10.0.0.7:443/");
	ck_assert(has(3, "<value>OpaqueRef:s2</value><value>OpaqueRef:h</value>") ||
	    has(3, "<value>OpaqueRef:s2</value></param><param><value>OpaqueRef:h</value>"));
	ck_assert_ptr_null(xapi_error_code(x));
	xmlrpc_value_free(r);
	push_ok_s("");
	xapi_free(x);
}
END_TEST

START_TEST(test_session_invalid_relogin_once)
{
	struct xapi *x = logged_in("https://xs-01/");
	struct xmlrpc_value *r;
	const char *s;

	push_fail("SESSION_INVALID", "OpaqueRef:s1", NULL);
	push_ok_s("OpaqueRef:s2");
	push_ok_s("i-2-10-VM");
	ck_assert_int_eq(xapi_call_s(x, "VM.get_name_label", &r, "OpaqueRef:vm", NULL), CSM_OK);
	ck_assert_int_eq(xmlrpc_as_string(r, &s), CSM_OK);
	ck_assert_str_eq(s, "i-2-10-VM");
	xmlrpc_value_free(r);
	ck_assert_int_eq(fk.nreq, 4);
	ck_assert(has(1, "OpaqueRef:s1"));
	ck_assert(has(2, "session.login_with_password"));
	ck_assert(has(2, "pw-secret"));
	ck_assert(has(3, "OpaqueRef:s2"));
	ck_assert_str_eq(xapi_session_ref(x), "OpaqueRef:s2");
	push_ok_s("");
	xapi_free(x);
}
END_TEST

START_TEST(test_session_invalid_twice_gives_up)
{
	struct xapi *x = logged_in("https://xs-01/");
	struct xmlrpc_value *r;

	push_fail("SESSION_INVALID", "OpaqueRef:s1", NULL);
	push_ok_s("OpaqueRef:s2");
	push_fail("SESSION_INVALID", "OpaqueRef:s2", NULL);
	ck_assert_int_eq(xapi_call_s(x, "VM.get_name_label", &r, "OpaqueRef:vm", NULL),
	    CSM_EFAIL);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(fk.nreq, 4);
	ck_assert_str_eq(xapi_error_code(x), "SESSION_INVALID");
	/* The echoed session ref is a secret: masked in the message, verbatim in params. */
	ck_assert_str_eq(csm_err_msg(), "XenAPI VM.get_name_label failed: SESSION_INVALID "
	    "[(session)]");
	push_ok_s("");
	xapi_free(x);
}
END_TEST

START_TEST(test_error_params_verbatim)
{
	struct xapi *x = logged_in("https://xs-01/");
	struct xmlrpc_value *r;
	const char *const *p;
	size_t n;

	push_fail("HANDLE_INVALID", "VM", "OpaqueRef:dead-beef", NULL);
	ck_assert_int_eq(xapi_call_s(x, "VM.get_record", &r, "OpaqueRef:dead-beef", NULL),
	    CSM_EFAIL);
	ck_assert_str_eq(csm_err_msg(),
	    "XenAPI VM.get_record failed: HANDLE_INVALID [VM; OpaqueRef:dead-beef]");
	ck_assert_str_eq(xapi_error_code(x), "HANDLE_INVALID");
	p = xapi_error_params(x, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(p[0], "VM");
	ck_assert_str_eq(p[1], "OpaqueRef:dead-beef");
	/* An unknown code with odd text passes through untouched. */
	push_fail("SOME_FUTURE_ERROR", "a;b", "", "<x>", NULL);
	ck_assert_int_eq(xapi_call_s(x, "pool.get_all", &r, NULL), CSM_EFAIL);
	p = xapi_error_params(x, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(p[0], "a;b");
	ck_assert_str_eq(p[1], "");
	ck_assert_str_eq(p[2], "<x>");
	ck_assert(msg_has("SOME_FUTURE_ERROR [a;b; ; <x>]"));
	/* A success clears the last error. */
	push_ok(xmlrpc_array_new());
	ck_assert_int_eq(xapi_call_s(x, "pool.get_all", &r, NULL), CSM_OK);
	ck_assert_ptr_null(xapi_error_code(x));
	ck_assert_ptr_null(xapi_error_params(x, &n));
	ck_assert_uint_eq(n, 0);
	xmlrpc_value_free(r);
	push_ok_s("");
	xapi_free(x);
}
END_TEST

START_TEST(test_typed_params)
{
	struct xapi *x = logged_in("https://xs-01/");
	struct xmlrpc_value *p[2], *r, *opts = xmlrpc_struct_new();

	xmlrpc_struct_set(opts, "live", xmlrpc_string_new("true"));
	p[0] = xmlrpc_string_new("OpaqueRef:vm");
	p[1] = opts;
	push_ok_s("");
	ck_assert_int_eq(xapi_call(x, "VM.set_other_config", p, 2, &r), CSM_OK);
	ck_assert(has(1, "<param><value>OpaqueRef:s1</value></param><param><value>"
	    "OpaqueRef:vm</value></param><param><value><struct><member><name>live</name>"
	    "<value>true</value></member></struct></value></param>"));
	xmlrpc_value_free(r);
	xmlrpc_value_free(p[0]);
	xmlrpc_value_free(p[1]);
	push_ok_s("");
	xapi_free(x);
}
END_TEST

START_TEST(test_transport_failure)
{
	struct xapi *x = logged_in("https://xs-01/");
	struct xmlrpc_value *r;

	push(NULL);
	ck_assert_int_eq(xapi_call_s(x, "host.get_all", &r, NULL), CSM_EFAIL);
	ck_assert_ptr_null(r);
	ck_assert_ptr_null(xapi_error_code(x));
	ck_assert_str_eq(csm_err_msg(), "XenAPI host.get_all: POST https://xs-01/ failed: "
	    "Connection refused");
	/* An HTML error page (what xapi sends for a malformed request) is a bad reply. */
	push(xstrdup("<html><body><h1>HTTP 500 internal server error</h1></body></html>"));
	ck_assert_int_eq(xapi_call_s(x, "host.get_all", &r, NULL), CSM_EFAIL);
	ck_assert(msg_has("XenAPI host.get_all: bad reply: unexpected document element <html>"));
	ck_assert_ptr_null(xapi_error_code(x));
	push(NULL);			/* the logout fails too: nothing to see */
	xapi_free(x);
	ck_assert_int_eq(fk.nreq, 4);
}
END_TEST

START_TEST(test_transport_failure_at_login)
{
	struct xapi *x = xapi_new("https://xs-01/", fake_transport, &fk);

	push(NULL);
	ck_assert_int_eq(xapi_login(x, "root", "pw"), CSM_EFAIL);
	ck_assert(msg_has("XenAPI session.login_with_password: POST https://xs-01/ failed"));
	ck_assert_ptr_null(xapi_session_ref(x));
	xapi_free(x);
}
END_TEST

START_TEST(test_not_logged_in)
{
	struct xapi *x = xapi_new("https://xs-01/", fake_transport, &fk);
	struct xmlrpc_value *r;

	ck_assert_int_eq(xapi_call_s(x, "host.get_all", &r, NULL), CSM_EUSAGE);
	ck_assert(msg_has("not logged in"));
	ck_assert_int_eq(fk.nreq, 0);
	xapi_free(x);
}
END_TEST

START_TEST(test_async_success_value_form)
{
	struct xapi *x = logged_in("https://xs-01/");
	struct xmlrpc_value *p[2], *r;
	const char *s;

	p[0] = xmlrpc_string_new("OpaqueRef:patch");
	p[1] = xmlrpc_string_new("OpaqueRef:host");
	push_ok_s("OpaqueRef:task1");
	push_task("pending", 0.25, "", NULL);
	push_task("pending", 0.5, "", NULL);
	push_task("success", 1.0, "<value>Patch applied &amp; done</value>", NULL);
	push_ok_s("");
	ck_assert_int_eq(xapi_async_call(x, "Async.pool_patch.apply", p, 2, 60, &r), CSM_OK);
	ck_assert_int_eq(xmlrpc_as_string(r, &s), CSM_OK);
	ck_assert_str_eq(s, "Patch applied & done");
	xmlrpc_value_free(r);
	ck_assert_int_eq(fk.nreq, 6);
	ck_assert(has(1, "<methodName>Async.pool_patch.apply</methodName>"));
	ck_assert(has(1, "OpaqueRef:patch"));
	ck_assert(has(2, "task.get_record") && has(2, "OpaqueRef:task1"));
	ck_assert(has(4, "task.get_record"));
	ck_assert(has(5, "<methodName>task.destroy</methodName>") && has(5, "OpaqueRef:task1"));
	xmlrpc_value_free(p[0]);
	xmlrpc_value_free(p[1]);
	push_ok_s("");
	xapi_free(x);
}
END_TEST

START_TEST(test_async_success_struct_and_void)
{
	struct xapi *x = logged_in("https://xs-01/");
	struct xmlrpc_value *r;
	const char *s;

	push_ok_s("OpaqueRef:task1");
	push_task("success", 1.0, "<value><array><data><value>OpaqueRef:a</value></data>"
	    "</array></value>", NULL);
	push_ok_s("");
	ck_assert_int_eq(xapi_async_call(x, "Async.host.get_vms_which_prevent_evacuation",
	    NULL, 0, 60, &r), CSM_OK);
	ck_assert_int_eq(xmlrpc_type(r), XMLRPC_ARRAY);
	ck_assert_int_eq(xmlrpc_as_string(xmlrpc_array_get(r, 0), &s), CSM_OK);
	ck_assert_str_eq(s, "OpaqueRef:a");
	xmlrpc_value_free(r);

	push_ok_s("OpaqueRef:task2");
	push_task("success", 1.0, "", NULL);
	push_ok_s("");
	ck_assert_int_eq(xapi_async_call(x, "Async.host.evacuate", NULL, 0, 60, &r), CSM_OK);
	ck_assert_int_eq(xmlrpc_as_string(r, &s), CSM_OK);
	ck_assert_str_eq(s, "");
	xmlrpc_value_free(r);
	push_ok_s("");
	xapi_free(x);
}
END_TEST

START_TEST(test_task_wait_bare_result)
{
	struct xapi *x = logged_in("https://xs-01/");
	struct xmlrpc_value *r;
	const char *s;

	push_task("pending", 0.1, "", NULL);
	push_task("success", 1.0, "OpaqueRef:pool_patch", NULL);
	push_ok_s("");
	ck_assert_int_eq(xapi_task_wait(x, "OpaqueRef:upload", 60, &r), CSM_OK);
	ck_assert_int_eq(xmlrpc_as_string(r, &s), CSM_OK);
	ck_assert_str_eq(s, "OpaqueRef:pool_patch");
	ck_assert(has(3, "task.destroy") && has(3, "OpaqueRef:upload"));
	xmlrpc_value_free(r);
	push_ok_s("");
	xapi_free(x);
}
END_TEST

START_TEST(test_task_failure)
{
	struct xapi *x = logged_in("https://xs-01/");
	struct xmlrpc_value *r;
	const char *const *p;
	size_t n;

	push_task("failure", 1.0, "", "PATCH_ALREADY_EXISTS", "8a2c-uuid", NULL);
	push_ok_s("");
	ck_assert_int_eq(xapi_task_wait(x, "OpaqueRef:upload", 60, &r), CSM_EFAIL);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(xapi_error_code(x), "PATCH_ALREADY_EXISTS");
	p = xapi_error_params(x, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(p[0], "8a2c-uuid");
	ck_assert_str_eq(csm_err_msg(), "XenAPI task OpaqueRef:upload failed: "
	    "PATCH_ALREADY_EXISTS [8a2c-uuid]");
	ck_assert(has(2, "task.destroy"));

	push_ok_s("OpaqueRef:t");
	push_task("failure", 1.0, "", "PATCH_APPLY_FAILED", "line 1\nline 2", NULL);
	push_ok_s("");
	ck_assert_int_eq(xapi_async_call(x, "Async.pool_patch.apply", NULL, 0, 60, &r),
	    CSM_EFAIL);
	ck_assert(msg_has("XenAPI Async.pool_patch.apply failed: PATCH_APPLY_FAILED [line 1"));
	ck_assert(has(5, "task.destroy"));
	push_ok_s("");
	xapi_free(x);
}
END_TEST

START_TEST(test_task_cancelled)
{
	struct xapi *x = logged_in("https://xs-01/");
	struct xmlrpc_value *r;

	push_task("cancelling", 0.5, "", NULL);
	push_task("cancelled", 0.5, "", NULL);
	push_ok_s("");
	ck_assert_int_eq(xapi_task_wait(x, "OpaqueRef:t", 60, &r), CSM_EFAIL);
	ck_assert_str_eq(xapi_error_code(x), "TASK_CANCELLED");
	ck_assert(msg_has("TASK_CANCELLED"));
	ck_assert(has(3, "task.destroy"));

	push_task("cancelled", 0.5, "", "TASK_CANCELLED", "OpaqueRef:t", NULL);
	push_ok_s("");
	ck_assert_int_eq(xapi_task_wait(x, "OpaqueRef:t", 60, &r), CSM_EFAIL);
	ck_assert(msg_has("TASK_CANCELLED [OpaqueRef:t]"));
	push_ok_s("");
	xapi_free(x);
}
END_TEST

START_TEST(test_task_timeout)
{
	struct xapi *x = logged_in("https://xs-01/");
	struct xmlrpc_value *r;

	push_task("pending", 0.42, "", NULL);
	push_fail("HANDLE_INVALID", "task", "OpaqueRef:t", NULL);	/* destroy fails */
	ck_assert_int_eq(xapi_task_wait(x, "OpaqueRef:t", 0, &r), CSM_EFAIL);
	ck_assert_ptr_null(r);
	/* The timeout is what the caller hears about, not the failed destroy. */
	ck_assert_str_eq(csm_err_msg(), "XenAPI task OpaqueRef:t: task OpaqueRef:t still "
	    "pending after 0 s (progress 42%)");
	ck_assert_ptr_null(xapi_error_code(x));
	ck_assert(has(2, "task.destroy"));
	push_ok_s("");
	xapi_free(x);
}
END_TEST

START_TEST(test_task_poll_errors)
{
	struct xapi *x = logged_in("https://xs-01/");
	struct xmlrpc_value *r;

	/* The task vanished (toolstack restart): the poll fails, destroy is still tried. */
	push_fail("HANDLE_INVALID", "task", "OpaqueRef:t", NULL);
	push_fail("HANDLE_INVALID", "task", "OpaqueRef:t", NULL);
	ck_assert_int_eq(xapi_task_wait(x, "OpaqueRef:t", 60, &r), CSM_EFAIL);
	ck_assert_str_eq(csm_err_msg(), "XenAPI task.get_record failed: HANDLE_INVALID "
	    "[task; OpaqueRef:t]");
	ck_assert_str_eq(xapi_error_code(x), "HANDLE_INVALID");
	ck_assert(has(2, "task.destroy"));

	/* An Async call that returns no task ref. */
	push_ok(xmlrpc_int_new(3));
	ck_assert_int_eq(xapi_async_call(x, "Async.host.evacuate", NULL, 0, 60, &r), CSM_EFAIL);
	ck_assert(msg_has("returned no task reference"));

	/* A task result that claims to be a <value> but is not. */
	push_task("success", 1.0, "<value><foo/></value>", NULL);
	push_ok_s("");
	ck_assert_int_eq(xapi_task_wait(x, "OpaqueRef:t", 60, &r), CSM_EFAIL);
	ck_assert(msg_has("task result is not a valid <value>"));
	push_ok_s("");
	xapi_free(x);
}
END_TEST

static Suite *
xapi_suite(void)
{
	Suite *s = suite_create("xapi");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_login_logout);
	tcase_add_test(tc, test_explicit_logout);
	tcase_add_test(tc, test_login_fallback_two_params);
	tcase_add_test(tc, test_login_auth_failed);
	tcase_add_test(tc, test_login_redirect_to_master);
	tcase_add_test(tc, test_redirect_url_forms);
	tcase_add_test(tc, test_redirect_loop_and_bad_master);
	tcase_add_test(tc, test_call_redirect_when_master_moves);
	tcase_add_test(tc, test_session_invalid_relogin_once);
	tcase_add_test(tc, test_session_invalid_twice_gives_up);
	tcase_add_test(tc, test_error_params_verbatim);
	tcase_add_test(tc, test_typed_params);
	tcase_add_test(tc, test_transport_failure);
	tcase_add_test(tc, test_transport_failure_at_login);
	tcase_add_test(tc, test_not_logged_in);
	tcase_add_test(tc, test_async_success_value_form);
	tcase_add_test(tc, test_async_success_struct_and_void);
	tcase_add_test(tc, test_task_wait_bare_result);
	tcase_add_test(tc, test_task_failure);
	tcase_add_test(tc, test_task_cancelled);
	tcase_add_test(tc, test_task_timeout);
	tcase_add_test(tc, test_task_poll_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(xapi_suite());
	int failed;

	csm_quiet = 1;		/* the redirect notes are expected */
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
