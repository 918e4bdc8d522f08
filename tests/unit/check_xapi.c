/* check_xapi.c: unit tests for XenAPI sessions, redirects and tasks against canned replies. */
#include <check.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "csmaint.h"
#include "patch.h"
#include "pool.h"
#include "wait.h"
#include "xapi.h"
#include "xmlrpc.h"

#define MAXREQ 4096

/*
 * The fake transport: serves the scripted replies in order and records every request.
 * A NULL reply is a transport failure (connection refused).
 */
struct fake {
	char *replies[MAXREQ];
	int nreplies, next;
	char *urls[MAXREQ], *bodies[MAXREQ];
	int nreq;
	int term_after;			/* request after which SIGTERM "arrives"; 0: none */
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
	if (f->term_after != 0 && f->nreq == f->term_after)
		wait_signal = SIGTERM;		/* what wait.c's handler does */
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
	wait_signal = 0;
}

static void
teardown(void)
{
	fake_reset();
	wait_signal = 0;
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

/* ---- replies are input: every reply csmaint reads, with every wrong type ---- */

/* A Success reply whose Value is the XML fragment frag, written as a server would. */
static void
push_raw_ok(const char *frag)
{
	push(xasprintf("<?xml version=\"1.0\"?>\n<methodResponse><params><param><value><struct>"
	    "<member><name>Status</name><value>Success</value></member><member><name>Value"
	    "</name>%s</member></struct></value></param></params></methodResponse>\n", frag));
}

/* One value of each XML-RPC type, on the wire. */
static const struct {
	enum xmlrpc_type t;
	const char *xml, *a;
} kinds[] = {
	{ XMLRPC_STRING, "<value>x-y</value>", "a string" },
	{ XMLRPC_INT, "<value><i4>7</i4></value>", "an int" },
	{ XMLRPC_BOOL, "<value><boolean>1</boolean></value>", "a boolean" },
	{ XMLRPC_DOUBLE, "<value><double>1.5</double></value>", "a double" },
	{ XMLRPC_DATETIME, "<value><dateTime.iso8601>20100322T10:52:23Z</dateTime.iso8601>"
	    "</value>", "a dateTime" },
	{ XMLRPC_ARRAY, "<value><array><data><value>a</value></data></array></value>",
	    "an array" },
	{ XMLRPC_STRUCT, "<value><struct><member><name>k</name><value>v</value></member>"
	    "</struct></value>", "a struct" },
	{ XMLRPC_NIL, "<value><nil/></value>", "nil" },
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

/*
 * The fields csmaint reads, by class, with their XenAPI types: S string/ref/enum, B bool,
 * I int (sent as a decimal string), D double, T dateTime, M (string -> string) map whose
 * keys (space-separated) are read, A set of strings.  Written from the readers (pool.c,
 * patch.c, xapi.c), not from xapi.c's table, so the two check each other.
 */
struct tfield {
	const char *name;
	char kind;
	int optional;
	const char *keys;
};

static const struct tfield t_vm[] = {
	{ "uuid", 'S', 0, NULL }, { "name_label", 'S', 0, NULL },
	{ "power_state", 'S', 0, NULL }, { "resident_on", 'S', 0, NULL },
	{ "is_a_template", 'B', 0, NULL }, { "is_a_snapshot", 'B', 0, NULL },
	{ "is_control_domain", 'B', 0, NULL }, { "guest_metrics", 'S', 0, NULL },
	{ "other_config", 'M', 0, "vm_uuid" }, { NULL, 0, 0, NULL },
};
static const struct tfield t_gm[] = {
	{ "PV_drivers_version", 'M', 0, "major minor micro" },
	{ "PV_drivers_up_to_date", 'B', 0, NULL }, { "PV_drivers_detected", 'B', 1, NULL },
	{ NULL, 0, 0, NULL },
};
static const struct tfield t_host[] = {
	{ "uuid", 'S', 0, NULL }, { "name_label", 'S', 0, NULL },
	{ "address", 'S', 0, NULL }, { "enabled", 'B', 0, NULL },
	{ "metrics", 'S', 0, NULL }, { "other_config", 'M', 0, "boot_time agent_start_time" },
	{ "software_version", 'M', 0, "product_version build_number" },
	{ "API_version_major", 'I', 0, NULL }, { "API_version_minor", 'I', 0, NULL },
	{ NULL, 0, 0, NULL },
};
static const struct tfield t_host_metrics[] = {
	{ "live", 'B', 0, NULL }, { NULL, 0, 0, NULL },
};
static const struct tfield t_host_patch[] = {
	{ "host", 'S', 0, NULL }, { "pool_patch", 'S', 0, NULL },
	{ "applied", 'B', 0, NULL }, { "timestamp_applied", 'T', 0, NULL },
	{ NULL, 0, 0, NULL },
};
static const struct tfield t_pool_patch[] = {
	{ "uuid", 'S', 0, NULL }, { "name_label", 'S', 0, NULL },
	{ "version", 'S', 0, NULL }, { "size", 'I', 0, NULL },
	{ "pool_applied", 'B', 0, NULL }, { "after_apply_guidance", 'A', 0, NULL },
	{ "pool_update", 'S', 1, NULL }, { NULL, 0, 0, NULL },
};
static const struct tfield t_pool_update[] = {
	{ "uuid", 'S', 0, NULL }, { "name_label", 'S', 0, NULL },
	{ "after_apply_guidance", 'A', 0, NULL }, { NULL, 0, 0, NULL },
};
static const struct tfield t_task[] = {
	{ "status", 'S', 0, NULL }, { "result", 'S', 0, NULL },
	{ "progress", 'D', 0, NULL }, { "error_info", 'A', 0, NULL },
	{ NULL, 0, 0, NULL },
};

/* Every reply csmaint reads: the method and what its Value holds. */
static const struct tmethod {
	const char *method;
	char shape;		/* R: struct of records, 1: one record, S: string, A: strings */
	const struct tfield *fields;
} t_methods[] = {
	{ "VM.get_all_records", 'R', t_vm },
	{ "VM_guest_metrics.get_record", '1', t_gm },
	{ "host.get_all_records", 'R', t_host },
	{ "host.get_record", '1', t_host },
	{ "host_metrics.get_all_records", 'R', t_host_metrics },
	{ "host_metrics.get_record", '1', t_host_metrics },
	{ "host_patch.get_all_records", 'R', t_host_patch },
	{ "pool_patch.get_all_records", 'R', t_pool_patch },
	{ "pool_patch.get_record", '1', t_pool_patch },
	{ "pool_update.get_all_records", 'R', t_pool_update },
	{ "pool_update.get_record", '1', t_pool_update },
	{ "task.get_record", '1', t_task },
	{ "host.get_by_uuid", 'S', NULL },
	{ "host.get_updates", 'A', NULL },
	{ "VM.get_name_label", 'S', NULL },
	{ "task.create", 'S', NULL },
	{ "pool_patch.precheck", 'S', NULL },
	{ "pool_update.precheck", 'S', NULL },
	{ "Async.pool_patch.apply", 'S', NULL },
	{ "Async.pool_update.apply", 'S', NULL },
	{ "Async.host.reboot", 'S', NULL },
};

static const char *
want_of(char kind)
{
	switch (kind) {
	case 'S': return "a string";
	case 'B': return "a boolean";
	case 'I': return "an int";
	case 'D': return "a double";
	case 'T': return "a dateTime";
	case 'M': case '1': case 'R': return "a struct";
	case 'A': return "an array";
	}
	return "?";
}

/* Does a value of kinds[k] do for a field of this kind? */
static int
fits(char kind, size_t k)
{
	enum xmlrpc_type t = kinds[k].t;

	switch (kind) {
	case 'S': return t == XMLRPC_STRING;
	case 'B': return t == XMLRPC_BOOL;
	case 'I': return t == XMLRPC_INT;
	case 'D': return t == XMLRPC_DOUBLE || t == XMLRPC_INT;
	case 'T': return t == XMLRPC_DATETIME;
	case 'M': return t == XMLRPC_STRUCT;
	case 'A': return t == XMLRPC_ARRAY;
	}
	return 0;
}

static const char *
good_of(char kind)
{
	switch (kind) {
	case 'S': return "<value>OpaqueRef:NULL</value>";
	case 'B': return "<value><boolean>0</boolean></value>";
	case 'I': return "<value>42</value>";
	case 'D': return "<value><double>0.5</double></value>";
	case 'T': return "<value><dateTime.iso8601>20100322T10:52:23Z</dateTime.iso8601></value>";
	case 'A': return "<value><array><data><value>restartHost</value></data></array></value>";
	}
	return NULL;
}

/*
 * A record of the class: every field good, except field bad (index, or -1) which is
 * written as override (NULL: left out); a map's key badkey gets override instead.
 */
static char *
record(const struct tfield *f, int bad, const char *badkey, const char *override)
{
	char *out = xstrdup("<value><struct>"), *tmp, *val, *keys, *k, *save;
	int i;

	for (i = 0; f[i].name != NULL; i++) {
		if (i == bad && badkey == NULL && override == NULL)
			continue;
		if (f[i].kind == 'M') {
			val = xstrdup("<value><struct>");
			keys = xstrdup(f[i].keys);
			for (k = strtok_r(keys, " ", &save); k; k = strtok_r(NULL, " ", &save)) {
				tmp = xasprintf("%s<member><name>%s</name>%s</member>", val, k,
				    i == bad && badkey && strcmp(k, badkey) == 0 ? override :
				    "<value>5</value>");
				free(val);
				val = tmp;
			}
			free(keys);
			tmp = xasprintf("%s</struct></value>", val);
			free(val);
			val = tmp;
		} else if (f[i].kind == 'A' && i == bad && badkey != NULL) {
			val = xasprintf("<value><array><data>%s</data></array></value>", override);
		} else {
			val = xstrdup(good_of(f[i].kind));
		}
		if (i == bad && badkey == NULL) {
			free(val);
			val = xstrdup(override);
		}
		tmp = xasprintf("%s<member><name>%s</name>%s</member>", out, f[i].name, val);
		free(out);
		free(val);
		out = tmp;
	}
	tmp = xasprintf("%s</struct></value>", out);
	free(out);
	return tmp;
}

/* The method's Value with one record (or none, for string/array methods) as given. */
static char *
value_of(const struct tmethod *m, const char *rec)
{
	if (m->shape == 'R')
		return xasprintf("<value><struct><member><name>OpaqueRef:r1</name>%s</member>"
		    "<member><name>OpaqueRef:r2</name>%s</member></struct></value>", rec, rec);
	return xstrdup(rec);
}

/* Call m against the canned reply frag; the message on failure, NULL on success. */
static int
call_with(struct xapi *x, const struct tmethod *m, const char *frag)
{
	struct xmlrpc_value *r = NULL;
	int rc;

	push_raw_ok(frag);
	if (m->shape == 'R')
		rc = xapi_call_s(x, m->method, &r, NULL);
	else
		rc = xapi_call_s(x, m->method, &r, "OpaqueRef:r1", NULL);
	if (rc == CSM_OK)
		ck_assert_ptr_nonnull(r);
	else
		ck_assert_ptr_null(r);
	xmlrpc_value_free(r);
	return rc;
}

static void
expect_bad(struct xapi *x, const struct tmethod *m, const char *frag, const char *msg)
{
	ck_assert_msg(call_with(x, m, frag) == CSM_EFAIL, "%s accepted %s", m->method, frag);
	ck_assert_msg(strcmp(csm_err_msg(), msg) == 0, "%s: got \"%s\", want \"%s\"",
	    m->method, csm_err_msg(), msg);
	ck_assert_ptr_null(xapi_error_code(x));
}

START_TEST(test_reply_types_every_method)
{
	struct xapi *x = logged_in("https://xs-01/");
	const struct tmethod *m;
	const struct tfield *f;
	char *rec, *frag, *msg, *keys, *k, *save;
	size_t mi, kk;
	int fi, checked = 0;

	for (mi = 0; mi < sizeof(t_methods) / sizeof(t_methods[0]); mi++) {
		m = &t_methods[mi];
		/* The good reply passes. */
		if (m->fields != NULL)
			rec = record(m->fields, -1, NULL, NULL);
		else if (m->shape == 'A')
			rec = xstrdup("<value><array><data><value>OpaqueRef:u1</value></data>"
			    "</array></value>");
		else
			rec = xstrdup("<value>OpaqueRef:t1</value>");
		frag = value_of(m, rec);
		ck_assert_msg(call_with(x, m, frag) == CSM_OK, "%s: %s", m->method,
		    csm_err_msg());
		free(frag);
		free(rec);

		/* The whole Value of each other type. */
		for (kk = 0; kk < NKINDS; kk++) {
			char want = m->shape == 'S' ? 'S' : m->shape == 'A' ? 'A' : 'M';
			if (want == 'A' ? kinds[kk].t == XMLRPC_ARRAY : fits(want, kk))
				continue;
			msg = xasprintf("bad reply from XenServer: %s returned %s where %s was "
			    "expected", m->method, kinds[kk].a, want_of(m->shape));
			expect_bad(x, m, kinds[kk].xml, msg);
			free(msg);
			checked++;
		}
		if (m->shape == 'A') {
			for (kk = 0; kk < NKINDS; kk++) {
				if (kinds[kk].t == XMLRPC_STRING)
					continue;
				frag = xasprintf("<value><array><data><value>OpaqueRef:u1</value>%s"
				    "</data></array></value>", kinds[kk].xml);
				msg = xasprintf("bad reply from XenServer: %s: item 1 is %s where a "
				    "string was expected", m->method, kinds[kk].a);
				expect_bad(x, m, frag, msg);
				free(msg);
				free(frag);
				checked++;
			}
		}
		if (m->fields == NULL)
			continue;

		/* A record that is not a struct, among good ones. */
		if (m->shape == 'R') {
			for (kk = 0; kk < NKINDS; kk++) {
				if (kinds[kk].t == XMLRPC_STRUCT)
					continue;
				rec = record(m->fields, -1, NULL, NULL);
				frag = xasprintf("<value><struct><member><name>OpaqueRef:r1</name>%s"
				    "</member><member><name>OpaqueRef:r2</name>%s</member></struct>"
				    "</value>", rec, kinds[kk].xml);
				msg = xasprintf("bad reply from XenServer: %s: OpaqueRef:r2 is %s "
				    "where a struct was expected", m->method, kinds[kk].a);
				expect_bad(x, m, frag, msg);
				free(msg);
				free(frag);
				free(rec);
				checked++;
			}
		}

		/* Each field: absent, and of each wrong type; map keys and set items too. */
		for (fi = 0; (f = &m->fields[fi])->name != NULL; fi++) {
			rec = record(m->fields, fi, NULL, NULL);
			frag = value_of(m, rec);
			if (f->optional) {
				ck_assert_msg(call_with(x, m, frag) == CSM_OK, "%s without %s: %s",
				    m->method, f->name, csm_err_msg());
			} else {
				msg = xasprintf("bad reply from XenServer: %s: OpaqueRef:r1 has no "
				    "member %s", m->method, f->name);
				expect_bad(x, m, frag, msg);
				free(msg);
				checked++;
			}
			free(frag);
			free(rec);
			for (kk = 0; kk < NKINDS; kk++) {
				if (fits(f->kind, kk))
					continue;
				rec = record(m->fields, fi, NULL, kinds[kk].xml);
				frag = value_of(m, rec);
				if (kinds[kk].t == XMLRPC_STRING)
					msg = xasprintf("bad reply from XenServer: %s: member %s of "
					    "OpaqueRef:r1 is the string 'x-y' where %s was expected",
					    m->method, f->name, want_of(f->kind));
				else
					msg = xasprintf("bad reply from XenServer: %s: member %s of "
					    "OpaqueRef:r1 is %s where %s was expected", m->method,
					    f->name, kinds[kk].a, want_of(f->kind));
				expect_bad(x, m, frag, msg);
				free(msg);
				free(frag);
				free(rec);
				checked++;
			}
			if (f->kind != 'M' && f->kind != 'A')
				continue;
			keys = xstrdup(f->kind == 'M' ? f->keys : "0");
			for (k = strtok_r(keys, " ", &save); k; k = strtok_r(NULL, " ", &save)) {
				for (kk = 0; kk < NKINDS; kk++) {
					if (kinds[kk].t == XMLRPC_STRING)
						continue;
					rec = record(m->fields, fi, k, kinds[kk].xml);
					frag = value_of(m, rec);
					msg = xasprintf("bad reply from XenServer: %s: member %s%s%s%s "
					    "of OpaqueRef:r1 is %s where a string was expected",
					    m->method, f->name, f->kind == 'M' ? "." : "[", k,
					    f->kind == 'M' ? "" : "]", kinds[kk].a);
					expect_bad(x, m, frag, msg);
					free(msg);
					free(frag);
					free(rec);
					checked++;
				}
			}
			free(keys);
		}
	}
	/* A count that cannot shrink unnoticed: every method and field above was tried. */
	ck_assert_int_gt(checked, 500);
	push_ok_s("");
	xapi_free(x);
}
END_TEST

/* The login's session ref is a reply like any other. */
START_TEST(test_reply_type_login)
{
	struct xapi *x = xapi_new("https://xs-01/", fake_transport, &fk);

	push_raw_ok("<value><array><data><value>OpaqueRef:s1</value></data></array></value>");
	ck_assert_int_eq(xapi_login(x, "root", "pw"), CSM_EFAIL);
	ck_assert_str_eq(csm_err_msg(), "bad reply from XenServer: session.login_with_password "
	    "returned an array where a string was expected");
	ck_assert_ptr_null(xapi_session_ref(x));
	xapi_free(x);
	ck_assert_int_eq(fk.nreq, 1);
}
END_TEST

/* An int in the string form xapi sends must parse; a dateTime string must be one. */
START_TEST(test_reply_type_string_forms)
{
	struct xapi *x = logged_in("https://xs-01/");
	const struct tmethod *hp = &t_methods[6], *pp = &t_methods[7];
	char *rec, *frag;

	ck_assert_str_eq(hp->method, "host_patch.get_all_records");
	ck_assert_str_eq(pp->method, "pool_patch.get_all_records");
	rec = record(pp->fields, 3, NULL, "<value>1048576</value>");
	frag = value_of(pp, rec);
	ck_assert_int_eq(call_with(x, pp, frag), CSM_OK);
	free(frag);
	free(rec);
	rec = record(pp->fields, 3, NULL, "<value>1 MiB</value>");
	frag = value_of(pp, rec);
	expect_bad(x, pp, frag, "bad reply from XenServer: pool_patch.get_all_records: member "
	    "size of OpaqueRef:r1 is the string '1 MiB' where an int was expected");
	free(frag);
	free(rec);
	rec = record(hp->fields, 3, NULL, "<value>2010-03-22T10:52:23Z</value>");
	frag = value_of(hp, rec);
	ck_assert_int_eq(call_with(x, hp, frag), CSM_OK);
	free(frag);
	free(rec);
	push_ok_s("");
	xapi_free(x);
}
END_TEST

/* A pool over the fake transport, logged in (request 0). */
static struct pool *
fake_pool(void)
{
	return pool_new(logged_in("https://xs-01/"), NULL);
}

/* The SIGSEGV of issue 8: host.get_all_records answering an array. */
START_TEST(test_pool_hosts_wrong_type)
{
	struct pool *p = fake_pool();
	struct pool_host *h = NULL;
	size_t n = 9;

	push_raw_ok("<value><array><data><value><struct><member><name>uuid</name><value>u"
	    "</value></member></struct></value></data></array></value>");
	push_raw_ok("<value><struct></struct></value>");	/* metrics, host_patch, */
	push_raw_ok("<value><struct></struct></value>");	/* pool_patch: good */
	push_raw_ok("<value><struct></struct></value>");
	ck_assert_int_eq(pool_hosts(p, &h, &n), CSM_EFAIL);
	ck_assert_str_eq(csm_err_msg(), "bad reply from XenServer: host.get_all_records "
	    "returned an array where a struct was expected");
	ck_assert_ptr_null(h);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(fk.nreq, 2);		/* login, host.get_all_records */
	pool_free(p);				/* the logout takes a canned reply */
}
END_TEST

static char *
vm_record(const char *name, const char *power, const char *host, const char *gm)
{
	return xasprintf("<value><struct>"
	    "<member><name>uuid</name><value>uuid-%s</value></member>"
	    "<member><name>name_label</name><value>%s</value></member>"
	    "<member><name>power_state</name><value>%s</value></member>"
	    "<member><name>resident_on</name><value>%s</value></member>"
	    "<member><name>is_a_template</name><value><boolean>0</boolean></value></member>"
	    "<member><name>is_a_snapshot</name><value><boolean>0</boolean></value></member>"
	    "<member><name>is_control_domain</name><value><boolean>0</boolean></value>"
	    "</member><member><name>guest_metrics</name><value>%s</value></member>"
	    "<member><name>other_config</name><value><struct></struct></value></member>"
	    "</struct></value>", name, name, power, host, gm);
}

static void
push_vms(const char *name, const char *gm)
{
	char *r = vm_record(name, "Running", "OpaqueRef:h1", gm);
	char *v = xasprintf("<value><struct><member><name>OpaqueRef:vm1</name>%s</member>"
	    "</struct></value>", r);

	push_raw_ok(v);
	free(v);
	free(r);
}

START_TEST(test_pool_vms_wrong_type)
{
	struct pool *p = fake_pool();
	struct pool_vm *v = NULL;
	size_t n = 9;
	char *r, *frag;

	push_raw_ok("<value><array><data></data></array></value>");
	ck_assert_int_eq(pool_vms(p, 1, 7, "OpaqueRef:h1", &v, &n), CSM_EFAIL);
	ck_assert_str_eq(csm_err_msg(), "bad reply from XenServer: VM.get_all_records returned "
	    "an array where a struct was expected");
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(n, 0);

	/* A VM whose power_state is an array. */
	r = vm_record("i-2-10-VM", "Running", "OpaqueRef:h1", "OpaqueRef:gm1");
	frag = xasprintf("<value><struct><member><name>OpaqueRef:vm1</name>%s</member>"
	    "</struct></value>", r);
	free(r);
	r = frag;
	frag = NULL;
	{
		char *at = strstr(r, "<value>Running</value>");
		ck_assert_ptr_nonnull(at);
		frag = xasprintf("%.*s<value><array><data></data></array></value>%s",
		    (int)(at - r), r, at + strlen("<value>Running</value>"));
	}
	push_raw_ok(frag);
	ck_assert_int_eq(pool_vms(p, 1, 7, "OpaqueRef:h1", &v, &n), CSM_EFAIL);
	ck_assert_str_eq(csm_err_msg(), "bad reply from XenServer: VM.get_all_records: member "
	    "power_state of OpaqueRef:vm1 is an array where a string was expected");
	free(frag);
	free(r);
	push_ok_s("");
	pool_free(p);
}
END_TEST

/*
 * Guest metrics that cannot be read are not "no Tools": a VM with Tools taken for one
 * without would not count for the wait for VMs to leave.  Only a dangling ref is.
 */
START_TEST(test_pool_vms_guest_metrics_unreadable)
{
	struct pool *p = fake_pool();
	struct pool_vm *v = NULL;
	size_t n = 0;

	push_vms("i-2-10-VM", "OpaqueRef:gm1");
	push(NULL);					/* guest metrics: no answer */
	ck_assert_int_eq(pool_vms(p, 1, 7, "OpaqueRef:h1", &v, &n), CSM_EFAIL);
	ck_assert_str_eq(csm_err_msg(), "cannot read the guest metrics of VM i-2-10-VM: XenAPI "
	    "VM_guest_metrics.get_record: POST https://xs-01/ failed: Connection refused");
	ck_assert_ptr_null(v);

	push_vms("i-2-10-VM", "OpaqueRef:gm1");
	push_raw_ok("<value><struct><member><name>PV_drivers_version</name><value><struct>"
	    "<member><name>major</name><value><i4>5</i4></value></member></struct></value>"
	    "</member><member><name>PV_drivers_up_to_date</name><value><boolean>1</boolean>"
	    "</value></member></struct></value>");
	ck_assert_int_eq(pool_vms(p, 1, 7, "OpaqueRef:h1", &v, &n), CSM_EFAIL);
	ck_assert(msg_has("member PV_drivers_version.major of OpaqueRef:gm1 is an int where "
	    "a string was expected"));

	push_vms("i-2-10-VM", "OpaqueRef:gm1");
	push_fail("HANDLE_INVALID", "VM_guest_metrics", "OpaqueRef:gm1", NULL);
	ck_assert_int_eq(pool_vms(p, 1, 7, "OpaqueRef:h1", &v, &n), CSM_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(v[0].tools, POOL_TOOLS_NO);
	pool_vms_free(v, n);

	push_vms("i-2-10-VM", "OpaqueRef:gm1");
	push_raw_ok("<value><struct><member><name>PV_drivers_version</name><value><struct>"
	    "<member><name>major</name><value>5</value></member><member><name>minor</name>"
	    "<value>6</value></member></struct></value></member><member><name>"
	    "PV_drivers_up_to_date</name><value><boolean>1</boolean></value></member>"
	    "</struct></value>");
	ck_assert_int_eq(pool_vms(p, 1, 7, "OpaqueRef:h1", &v, &n), CSM_OK);
	ck_assert_int_eq(v[0].tools, POOL_TOOLS_YES);
	ck_assert_str_eq(v[0].tools_version, "5.6");
	ck_assert_int_eq(v[0].tools_current, 1);
	pool_vms_free(v, n);
	push_ok_s("");
	pool_free(p);
}
END_TEST

/* patch.c's readers: a wrong type is a bad reply, not "no such patch" / "not applied". */
START_TEST(test_patch_readers_wrong_type)
{
	struct pool *p = fake_pool();
	struct patch pt;
	int applied = 7;
	char *r, *frag;

	push_raw_ok("<value><array><data><value>XS56E001</value></data></array></value>");
	ck_assert_int_eq(patch_find(p, 0, "XS56E001", &pt), CSM_EFAIL);
	ck_assert_str_eq(csm_err_msg(), "bad reply from XenServer: pool_patch.get_all_records "
	    "returned an array where a struct was expected");
	patch_clear(&pt);

	memset(&pt, 0, sizeof(pt));
	pt.ref = xstrdup("OpaqueRef:p1");
	r = record(t_host_patch, 2, NULL, "<value>true</value>");
	frag = value_of(&t_methods[6], r);
	push_raw_ok(frag);
	ck_assert_int_eq(patch_applied(p, &pt, "OpaqueRef:h1", &applied), CSM_EFAIL);
	ck_assert_str_eq(csm_err_msg(), "bad reply from XenServer: host_patch.get_all_records: "
	    "member applied of OpaqueRef:r1 is the string 'true' where a boolean was expected");
	free(frag);
	free(r);
	patch_clear(&pt);

	pt.update = xstrdup("OpaqueRef:u1");
	push_raw_ok("<value><struct></struct></value>");
	ck_assert_int_eq(patch_applied(p, &pt, "OpaqueRef:h1", &applied), CSM_EFAIL);
	ck_assert_str_eq(csm_err_msg(), "bad reply from XenServer: host.get_updates returned a "
	    "struct where an array was expected");
	patch_clear(&pt);
	push_ok_s("");
	pool_free(p);
}
END_TEST

/* ---- task polling: only a record saying "success" is success ---- */

START_TEST(test_task_poll_not_known_yet)
{
	struct xapi *x = logged_in("https://xs-01/");
	struct xmlrpc_value *r;
	const char *s;

	/* No answer, an HTML error page: not known yet; polling goes on. */
	push(NULL);
	push(xstrdup("<html><body>HTTP 500 internal server error</body></html>"));
	push_task("pending", 0.5, "", NULL);
	push_task("success", 1.0, "OpaqueRef:pp", NULL);
	push_ok_s("");
	ck_assert_int_eq(xapi_task_wait(x, "OpaqueRef:t", 60, &r), CSM_OK);
	ck_assert_int_eq(xmlrpc_as_string(r, &s), CSM_OK);
	ck_assert_str_eq(s, "OpaqueRef:pp");
	ck_assert_int_eq(fk.nreq, 6);
	xmlrpc_value_free(r);

	/* Never an answer: the timeout says so, and it is no server error. */
	push(NULL);
	push_ok_s("");
	ck_assert_int_eq(xapi_task_wait(x, "OpaqueRef:t", 0, &r), CSM_EFAIL);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(csm_err_msg(), "XenAPI task OpaqueRef:t: state of task OpaqueRef:t not "
	    "known after 0 s; last error: XenAPI task.get_record: POST https://xs-01/ failed: "
	    "Connection refused");
	ck_assert_ptr_null(xapi_error_code(x));
	push_ok_s("");
	xapi_free(x);
}
END_TEST

START_TEST(test_task_record_wrong_shape)
{
	struct xapi *x = logged_in("https://xs-01/");
	struct xmlrpc_value *r, *rec;
	int before;

	/* A status that is no string: failed at once, not polled to the timeout. */
	rec = xmlrpc_struct_new();
	xmlrpc_struct_set(rec, "status", xmlrpc_array_new());
	xmlrpc_struct_set(rec, "result", xmlrpc_string_new(""));
	xmlrpc_struct_set(rec, "progress", xmlrpc_double_new(1));
	xmlrpc_struct_set(rec, "error_info", xmlrpc_array_new());
	push_ok(rec);
	push_ok_s("");
	ck_assert_int_eq(xapi_task_wait(x, "OpaqueRef:t", 60, &r), CSM_EFAIL);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(csm_err_msg(), "bad reply from XenServer: task.get_record: member "
	    "status of OpaqueRef:t is an array where a string was expected");
	ck_assert_int_eq(fk.nreq, 3);

	/* "success" with a result that is no string is not success (it was read as ""). */
	push_raw_ok("<value><struct><member><name>status</name><value>success</value></member>"
	    "<member><name>result</name><value><i4>0</i4></value></member><member><name>"
	    "progress</name><value><double>1</double></value></member><member><name>"
	    "error_info</name><value><array><data/></array></value></member></struct></value>");
	push_ok_s("");
	ck_assert_int_eq(xapi_task_wait(x, "OpaqueRef:t", 60, &r), CSM_EFAIL);
	ck_assert_ptr_null(r);
	ck_assert(msg_has("member result of OpaqueRef:t is an int where a string was expected"));

	/* A record without a status. */
	push_raw_ok("<value><struct><member><name>result</name><value></value></member>"
	    "</struct></value>");
	push_ok_s("");
	ck_assert_int_eq(xapi_task_wait(x, "OpaqueRef:t", 60, &r), CSM_EFAIL);
	ck_assert(msg_has("task.get_record: OpaqueRef:t has no member status"));

	/* A status no XenAPI has. */
	push_task("done", 1.0, "", NULL);
	push_ok_s("");
	ck_assert_int_eq(xapi_task_wait(x, "OpaqueRef:t", 60, &r), CSM_EFAIL);
	ck_assert(msg_has("unknown status 'done'"));

	/* An apply whose task result is not what pool_patch.apply returns. */
	push_ok_s("OpaqueRef:t2");
	push_task("success", 1.0, "<value><array><data/></array></value>", NULL);
	push_ok_s("");
	before = fk.nreq;
	ck_assert_int_eq(xapi_async_call(x, "Async.pool_patch.apply", NULL, 0, 60, &r),
	    CSM_EFAIL);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(fk.nreq, before + 3);
	ck_assert(msg_has("pool_patch.apply returned an array where a string was expected"));
	push_ok_s("");
	xapi_free(x);
}
END_TEST

/* A stop signal (SIGTERM) ends a task wait between polls; the task is still destroyed. */
START_TEST(test_task_wait_stops)
{
	struct xapi *x = logged_in("https://xs-01/");
	struct xmlrpc_value *r;

	fk.term_after = 3;			/* login, then two polls */
	push_task("pending", 0.25, "", NULL);
	push_task("pending", 0.5, "", NULL);
	push_ok_s("");				/* task.destroy */
	ck_assert_int_eq(xapi_task_wait(x, "OpaqueRef:t", 3600, &r), CSM_EFAIL);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(csm_err_msg(), "XenAPI task OpaqueRef:t: stopped waiting for task "
	    "OpaqueRef:t: interrupted by signal 15 (Terminated); the task goes on in "
	    "XenServer");
	ck_assert_ptr_null(xapi_error_code(x));
	ck_assert_int_eq(fk.nreq, 4);
	ck_assert(has(3, "task.destroy"));

	/* The flag stays raised: the next wait ends before its first poll. */
	push_ok_s("");				/* task.destroy */
	ck_assert_int_eq(xapi_task_wait(x, "OpaqueRef:t2", 3600, &r), CSM_EFAIL);
	ck_assert(msg_has("stopped waiting for task OpaqueRef:t2: interrupted by signal 15"));
	ck_assert_int_eq(fk.nreq, 5);
	ck_assert(has(4, "task.destroy"));
	wait_signal = 0;
	push_ok_s("");
	xapi_free(x);
}
END_TEST

/* SIGTERM sent by alarm: a real signal, caught by wait.c's handler (no SA_RESTART). */
static void
on_alarm(int sig)
{
	(void)sig;
	raise(SIGTERM);
}

/* A signal during the sleep between polls ends it at once, not after the interval. */
START_TEST(test_task_wait_signal_ends_sleep)
{
	struct xapi *x = logged_in("https://xs-01/");
	struct xmlrpc_value *r;
	struct sigaction sa;
	struct itimerval it;
	double start, took;

	wait_catch_signals();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 200000;
	xapi_set_poll_interval(x, 30);
	push_task("pending", 0.1, "", NULL);
	push_ok_s("");				/* task.destroy */
	start = csm_now();
	setitimer(ITIMER_REAL, &it, NULL);
	ck_assert_int_eq(xapi_task_wait(x, "OpaqueRef:t", 3600, &r), CSM_EFAIL);
	took = csm_now() - start;
	/* 30 s if the signal were ignored; the issue asks for 5 s at most. */
	ck_assert_msg(took < 5, "%.1f s", took);
	ck_assert_int_eq(wait_signal, SIGTERM);
	ck_assert(msg_has("stopped waiting for task OpaqueRef:t: interrupted by signal 15"));
	ck_assert_int_eq(fk.nreq, 3);		/* login, one poll, the destroy */
	wait_signal = 0;
	push_ok_s("");
	xapi_free(x);
}
END_TEST

/* A session lost while the master restarts is logged in again by the next call. */
START_TEST(test_lost_session_relogin)
{
	struct xapi *x = logged_in("https://xs-01/");
	struct xmlrpc_value *r;

	push_fail("SESSION_INVALID", "OpaqueRef:s1", NULL);
	push(NULL);				/* the new login: no answer */
	ck_assert_int_eq(xapi_call_s(x, "host.get_all", &r, NULL), CSM_EFAIL);
	ck_assert_ptr_null(xapi_session_ref(x));
	push_ok_s("OpaqueRef:s2");		/* the next call logs in first */
	push_ok(xmlrpc_array_new());
	ck_assert_int_eq(xapi_call_s(x, "host.get_all", &r, NULL), CSM_OK);
	ck_assert(has(3, "session.login_with_password"));
	ck_assert(has(4, "OpaqueRef:s2"));
	xmlrpc_value_free(r);
	push_ok_s("");
	xapi_free(x);
}
END_TEST

/* ---- error text from XenServer is bounded ---- */

static char *
failure_of(size_t n, const char *item)
{
	size_t i, len = strlen(item), cap = 512 + n * (len + 32);
	char *doc = xmalloc(cap), *p = doc;

	p += sprintf(p, "<?xml version=\"1.0\"?>\n<methodResponse><params><param><value><struct>"
	    "<member><name>Status</name><value>Failure</value></member><member><name>"
	    "ErrorDescription</name><value><array><data><value>INTERNAL_ERROR</value>");
	for (i = 1; i < n; i++)
		p += sprintf(p, "<value>%s%zu</value>", item, i);
	sprintf(p, "</data></array></value></member></struct></value></param></params>"
	    "</methodResponse>\n");
	return doc;
}

START_TEST(test_error_text_bounded)
{
	struct xapi *x = logged_in("https://xs-01/");
	struct xmlrpc_value *r;
	const char *const *p;
	const char *m;
	size_t n;

	/* 50,000 items: every one kept, the message capped with a count of the rest. */
	push(failure_of(50000, "item-"));
	ck_assert_int_eq(xapi_call_s(x, "pool.get_all", &r, NULL), CSM_EFAIL);
	m = csm_err_msg();
	ck_assert_msg(strlen(m) < XAPI_ERR_TEXT_MAX + 128, "%zu bytes", strlen(m));
	ck_assert(strncmp(m, "XenAPI pool.get_all failed: INTERNAL_ERROR [item-1; item-2; ",
	    60) == 0);
	ck_assert_str_eq(m + strlen(m) - strlen(" more]"), " more]");
	ck_assert(strstr(m, "...; ... ") != NULL);
	n = strtoul(strstr(m, "...; ... ") + 9, NULL, 10);
	ck_assert_uint_gt(n, 49000);
	ck_assert_uint_lt(n, 50000);
	/* Every item shown is whole except the last one, and shown + more = all of them. */
	ck_assert(strstr(m, "item-1; item-2; item-3;") != NULL);
	{
		const char *last = strstr(m, "...; ... ");
		size_t shown = 0;
		const char *q;
		for (q = m; q < last; q++)
			shown += *q == ';';
		ck_assert_uint_eq(shown + 1 + n, 49999);
	}
	ck_assert_str_eq(xapi_error_code(x), "INTERNAL_ERROR");
	p = xapi_error_params(x, &n);
	ck_assert_uint_eq(n, 49999);
	ck_assert_str_eq(p[49998], "item-49999");

	/* One huge item: cut, and said so. */
	{
		char *big = xmalloc(1 << 20), *doc;
		memset(big, 'z', (1 << 20) - 1);
		big[(1 << 20) - 1] = '\0';
		doc = failure_of(2, big);
		free(big);
		push(doc);
	}
	ck_assert_int_eq(xapi_call_s(x, "pool.get_all", &r, NULL), CSM_EFAIL);
	m = csm_err_msg();
	ck_assert_uint_lt(strlen(m), XAPI_ERR_TEXT_MAX + 128);
	ck_assert_str_eq(m + strlen(m) - 5, "z...]");
	ck_assert(strstr(m, "more") == NULL);
	push_ok_s("");
	xapi_free(x);
}
END_TEST

/* Masking the session ref stays linear and whole when the server repeats it. */
START_TEST(test_error_text_masks_repeated_secrets)
{
	struct xapi *x = logged_in("https://xs-01/");
	struct xmlrpc_value *r;
	size_t i, n = 20000, len = strlen("OpaqueRef:s1");
	char *many = xmalloc(n * len + 1), *doc;
	const char *m;

	for (i = 0; i < n; i++)
		memcpy(many + i * len, "OpaqueRef:s1", len);
	many[n * len] = '\0';
	doc = failure_of(2, many);
	free(many);
	push(doc);
	ck_assert_int_eq(xapi_call_s(x, "pool.get_all", &r, NULL), CSM_EFAIL);
	m = csm_err_msg();
	ck_assert(strstr(m, "OpaqueRef:s") == NULL);
	ck_assert(strstr(m, "SESSION_INVALID") == NULL);
	ck_assert(strncmp(m, "XenAPI pool.get_all failed: INTERNAL_ERROR [(session)(session)",
	    62) == 0);
	ck_assert_uint_lt(strlen(m), XAPI_ERR_TEXT_MAX + 128);

	/* A password of one letter, a param of a million of them. */
	push_ok_s("");
	xapi_free(x);
	fake_reset();
	x = xapi_new("https://xs-01/", fake_transport, &fk);
	push_ok_s("OpaqueRef:s1");
	ck_assert_int_eq(xapi_login(x, "root", "a"), CSM_OK);
	many = xmalloc(1 << 20);
	memset(many, 'a', (1 << 20) - 1);
	many[(1 << 20) - 1] = '\0';
	doc = failure_of(2, many);
	free(many);
	push(doc);
	ck_assert_int_eq(xapi_call_s(x, "pool.get_all", &r, NULL), CSM_EFAIL);
	m = csm_err_msg();
	ck_assert(strstr(m, "[(password)(password)") != NULL);
	ck_assert(strstr(m, "aa") == NULL && strstr(m, ")a") == NULL);
	push_ok_s("");
	xapi_free(x);

	/* A password running into the session ref: the ref is masked whole. */
	fake_reset();
	x = xapi_new("https://xs-01/", fake_transport, &fk);
	push_ok_s("OpaqueRef:s1");
	ck_assert_int_eq(xapi_login(x, "root", "xOpaque"), CSM_OK);
	push_fail("INTERNAL_ERROR", "a xOpaqueRef:s1y b", NULL);
	ck_assert_int_eq(xapi_call_s(x, "pool.get_all", &r, NULL), CSM_EFAIL);
	ck_assert_str_eq(csm_err_msg(), "XenAPI pool.get_all failed: INTERNAL_ERROR "
	    "[a (session)y b]");
	push_ok_s("");
	xapi_free(x);
}
END_TEST

/* ---- the XenAPI envelope ---- */

#define HEAD "<?xml version=\"1.0\"?><methodResponse><params><param>"
#define TAIL "</param></params></methodResponse>"

START_TEST(test_xenapi_success)
{
	static const char doc[] = "<?xml version=\"1.0\"?><methodResponse><params><param>"
	    "<value><struct>\n<member><name>Status</name><value>Success</value></member>\n"
	    "<member><name>Value</name><value>OpaqueRef:SESSION</value></member>\n"
	    "</struct></value></param></params></methodResponse>";
	static const char void_doc[] = "<methodResponse><params><param><value><struct>"
	    "<member><name>Status</name><value>Success</value></member>"
	    "<member><name>Value</name><value/></member></struct></value></param></params>"
	    "</methodResponse>";
	struct xmlrpc_value *v;
	const char *s;
	char **errv;
	size_t n;

	ck_assert_int_eq(xapi_decode_reply(doc, strlen(doc), &v, &errv, &n), CSM_OK);
	ck_assert_ptr_null(errv);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(xmlrpc_as_string(v, &s), CSM_OK);
	ck_assert_str_eq(s, "OpaqueRef:SESSION");
	xmlrpc_value_free(v);
	ck_assert_int_eq(xapi_decode_reply(void_doc, strlen(void_doc), &v, &errv, &n),
	    CSM_OK);
	ck_assert_int_eq(xmlrpc_as_string(v, &s), CSM_OK);
	ck_assert_str_eq(s, "");
	xmlrpc_value_free(v);
}
END_TEST

START_TEST(test_xenapi_failure)
{
	static const char doc[] = "<?xml version=\"1.0\"?><methodResponse><params><param>"
	    "<value><struct>\n<member><name>Status</name><value>Failure</value></member>\n"
	    "<member><name>ErrorDescription</name><value><array><data>\n"
	    "<value>HANDLE_INVALID</value><value>VM</value><value>OpaqueRef:x &amp; y</value>"
	    "<value><i4>3</i4></value><value></value>\n<value><boolean>1</boolean></value>"
	    "<value><nil/></value><value><dateTime.iso8601>20100322T10:52:23Z"
	    "</dateTime.iso8601></value></data></array></value></member>\n"
	    "</struct></value></param></params></methodResponse>";
	struct xmlrpc_value *v;
	char **errv;
	size_t n;

	ck_assert_int_eq(xapi_decode_reply(doc, strlen(doc), &v, &errv, &n), CSM_OK);
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(n, 8);
	ck_assert_str_eq(errv[0], "HANDLE_INVALID");
	ck_assert_str_eq(errv[1], "VM");
	ck_assert_str_eq(errv[2], "OpaqueRef:x & y");
	ck_assert_str_eq(errv[3], "3");
	ck_assert_str_eq(errv[4], "");
	ck_assert_str_eq(errv[5], "true");
	ck_assert_str_eq(errv[6], "");
	ck_assert_str_eq(errv[7], "20100322T10:52:23Z");
	ck_assert_ptr_null(errv[8]);
	xapi_errv_free(errv);
}
END_TEST

START_TEST(test_xenapi_malformed)
{
	struct xmlrpc_value *v;
	char **errv;
	size_t n, k;
	static const struct {
		const char *param, *want;
	} cases[] = {
		{ "<value>plain</value>", "not a struct" },
		{ "<value><struct><member><name>Value</name><value>x</value></member></struct>"
		  "</value>", "no Status" },
		{ "<value><struct><member><name>Status</name><value><boolean>1</boolean></value>"
		  "</member></struct></value>", "no Status" },
		{ "<value><struct><member><name>Status</name><value>Success</value></member>"
		  "</struct></value>", "no Value" },
		{ "<value><struct><member><name>Status</name><value>Maybe</value></member>"
		  "</struct></value>", "unknown Status 'Maybe'" },
		{ "<value><struct><member><name>Status</name><value>Failure</value></member>"
		  "</struct></value>", "no ErrorDescription" },
		{ "<value><struct><member><name>Status</name><value>Failure</value></member>"
		  "<member><name>ErrorDescription</name><value><array><data/></array></value>"
		  "</member></struct></value>", "no ErrorDescription" },
		{ "<value><struct><member><name>Status</name><value>Failure</value></member>"
		  "<member><name>ErrorDescription</name><value><array><data><value>X</value>"
		  "<value><struct/></value></data></array></value></member></struct></value>",
		  "item 1 is a struct" },
	};

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		char *doc = xasprintf(HEAD "%s" TAIL, cases[k].param);

		ck_assert_msg(xapi_decode_reply(doc, strlen(doc), &v, &errv, &n) < 0,
		    "case %zu accepted", k);
		ck_assert_ptr_null(v);
		ck_assert_ptr_null(errv);
		ck_assert_msg(strstr(csm_err_msg(), cases[k].want) != NULL,
		    "case %zu: '%s' lacks '%s'", k, csm_err_msg(), cases[k].want);
		free(doc);
	}
}
END_TEST

/* An XML-RPC <fault> is the failure ["FAULT", code, string], as the C SDK has it. */
START_TEST(test_xenapi_fault)
{
	static const char doc[] = "<methodResponse><fault><value><struct>"
	    "<member><name>faultCode</name><value>-32700</value></member>"
	    "<member><name>faultString</name><value>parse error</value></member>"
	    "</struct></value></fault></methodResponse>";
	struct xmlrpc_value *v;
	char **errv;
	size_t n;

	ck_assert_int_eq(xapi_decode_reply(doc, strlen(doc), &v, &errv, &n), CSM_OK);
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(errv[0], "FAULT");
	ck_assert_str_eq(errv[1], "-32700");
	ck_assert_str_eq(errv[2], "parse error");
	ck_assert_ptr_null(errv[3]);
	xapi_errv_free(errv);
	xapi_errv_free(NULL);
}
END_TEST

/* Not XML-RPC at all: the decoder's message, nothing returned. */
START_TEST(test_xenapi_not_xmlrpc)
{
	static const char doc[] = "<html><body>502 Bad Gateway</body></html>";
	struct xmlrpc_value *v;
	char **errv;
	size_t n;

	ck_assert_int_lt(xapi_decode_reply(doc, strlen(doc), &v, &errv, &n), 0);
	ck_assert_ptr_null(v);
	ck_assert_ptr_null(errv);
	ck_assert_uint_eq(n, 0);
	ck_assert(msg_has("unexpected document element <html>"));
}
END_TEST

/* Item 9: a failure with 50,000 ErrorDescription items decodes, all of them, at once. */
START_TEST(test_xenapi_failure_50000_items)
{
	size_t n = 50000, i, nerr = 0;
	char *doc = xmalloc(n * 40 + 512), *p = doc, **errv = NULL;
	struct xmlrpc_value *v = NULL;

	p += sprintf(p, HEAD "<value><struct><member><name>Status</name><value>Failure</value>"
	    "</member><member><name>ErrorDescription</name><value><array><data>");
	for (i = 0; i < n; i++)
		p += sprintf(p, "<value>E%zu</value>", i);
	sprintf(p, "</data></array></value></member></struct></value>" TAIL);
	ck_assert_int_eq(xapi_decode_reply(doc, strlen(doc), &v, &errv, &nerr), CSM_OK);
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(nerr, n);
	ck_assert_str_eq(errv[0], "E0");
	ck_assert_str_eq(errv[n - 1], "E49999");
	ck_assert_ptr_null(errv[n]);
	xapi_errv_free(errv);
	free(doc);
}
END_TEST

static Suite *
xapi_suite(void)
{
	Suite *s = suite_create("xapi");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_xenapi_success);
	tcase_add_test(tc, test_xenapi_failure);
	tcase_add_test(tc, test_xenapi_malformed);
	tcase_add_test(tc, test_xenapi_fault);
	tcase_add_test(tc, test_xenapi_not_xmlrpc);
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
	tcase_add_test(tc, test_task_poll_not_known_yet);
	tcase_add_test(tc, test_task_record_wrong_shape);
	tcase_add_test(tc, test_lost_session_relogin);
	tcase_add_test(tc, test_task_wait_stops);
	tcase_add_test(tc, test_task_wait_signal_ends_sleep);
	suite_add_tcase(s, tc);

	tc = tcase_create("replies");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_reply_types_every_method);
	tcase_add_test(tc, test_xenapi_failure_50000_items);
	tcase_add_test(tc, test_reply_type_login);
	tcase_add_test(tc, test_reply_type_string_forms);
	tcase_add_test(tc, test_pool_hosts_wrong_type);
	tcase_add_test(tc, test_pool_vms_wrong_type);
	tcase_add_test(tc, test_pool_vms_guest_metrics_unreadable);
	tcase_add_test(tc, test_patch_readers_wrong_type);
	tcase_add_test(tc, test_error_text_bounded);
	tcase_add_test(tc, test_error_text_masks_repeated_secrets);
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
