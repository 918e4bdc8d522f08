/* xapi.h: XenAPI sessions, calls with redirect and re-login, task polls, the reply envelope. */
#ifndef XAPI_H
#define XAPI_H

#include <stddef.h>

#include "xmlrpc.h"

/*
 * Calling sequence.
 *
 *	struct http *h = http_new(&opts);
 *	struct xapi *x = xapi_new("https://xs-01/", http_post_transport, h);
 *	if (xapi_login(x, user, password) < 0) … csm_err_msg() …
 *	struct xmlrpc_value *rec;
 *	if (xapi_call_s(x, "VM.get_record", &rec, vm_ref, NULL) < 0) {
 *		if (xapi_error_code(x) && strcmp(xapi_error_code(x), "HANDLE_INVALID") == 0) …
 *	}
 *	xmlrpc_value_free(rec);
 *	xapi_free(x);		(logs out if a session is open)
 *	http_free(h);
 *
 * The transport carries one request: POST body to url, and hand back the reply body
 * (malloc'd, the caller's: xapi frees it).  It returns CSM_OK or a negative csm code with
 * the message set.  http_post_transport() in http.h is the real one; unit tests pass a
 * fake that serves canned replies.
 *
 * Every call takes the session ref first on the wire; xapi_call() adds it.  A pool member
 * answering HOST_IS_SLAVE makes xapi move to the master it names (same scheme, port and
 * path), log in there and retry; SESSION_INVALID makes it log in again once and retry once.
 *
 * Errors: a negative csm code, and csm_err_msg() says what failed
 * ("XenAPI VM.get_record failed: HANDLE_INVALID [VM; OpaqueRef:…]").  Session refs and the
 * password never appear in messages, and the server's part of the message is capped at
 * XAPI_ERR_TEXT_MAX bytes ("…; ... 49990 more]").  When the server answered with an
 * error, xapi_error_code() and xapi_error_params() give it verbatim and whole; after a
 * transport or decoding failure xapi_error_code() is NULL.
 *
 * Replies are input.  xapi_call() checks every Value it returns with xapi_check_reply():
 * a reply of the wrong type fails the call (CSM_EFAIL, xapi_error_code() NULL) with
 * "bad reply from XenServer: VM.get_all_records returned an array where a struct was
 * expected", or, for a field csmaint reads, "bad reply from XenServer:
 * VM.get_all_records: member power_state of OpaqueRef:… is an array where a string was
 * expected".  So a record a call returned has every field csmaint reads, of its type,
 * except the optional ones newer servers add (absent: the reader's default).
 *
 * Ownership: strings passed in are borrowed (xapi_new and xapi_login copy what they keep;
 * the password copy is cleared when the handle is freed); results (*result) are the
 * caller's, to free with xmlrpc_value_free(); const char * returns live with the handle.
 */

typedef int (*xapi_transport_fn)(void *ctx, const char *url, const char *body, size_t len,
    char **reply, size_t *reply_len);

struct xapi;

/* The API version sent at login: XenServer 5.6 (midnight-ride), the oldest we support. */
#define XAPI_LOGIN_VERSION "1.7"

/* Bytes of server text (error code and params) in a message, before "... N more". */
#define XAPI_ERR_TEXT_MAX 1024

struct xapi *xapi_new(const char *url, xapi_transport_fn transport, void *ctx);
/* Log out (if logged in), clear the password and free.  xapi_free(NULL) does nothing. */
void xapi_free(struct xapi *x);

/*
 * session.login_with_password(user, password, XAPI_LOGIN_VERSION), falling back to the
 * two-parameter API 1.1 form on MESSAGE_PARAMETER_COUNT_MISMATCH, following
 * HOST_IS_SLAVE to the master.
 */
int xapi_login(struct xapi *x, const char *user, const char *password);
/* session.logout; a no-op without a session.  The session is forgotten either way. */
int xapi_logout(struct xapi *x);

/*
 * Call method(session, params[0..n-1]).  params are borrowed.  On CSM_OK *result is the
 * Value (an empty string for void methods), the caller's, and it passed
 * xapi_check_reply().  A session lost to a redirect or SESSION_INVALID whose new login
 * failed (the master was restarting) is logged in again by the next call.
 */
int xapi_call(struct xapi *x, const char *method, struct xmlrpc_value *const *params,
    size_t n, struct xmlrpc_value **result);
/* The same with string parameters (refs, uuids, labels), NULL-terminated; result may be
 * NULL when only success matters. */
int xapi_call_s(struct xapi *x, const char *method, struct xmlrpc_value **result, ...)
    __attribute__((sentinel));

/*
 * Run an Async.* method and wait for its task: poll task.get_record every poll interval
 * until the task leaves pending, or timeout seconds pass (a failure naming the task and its
 * progress), or a stop signal arrives (wait.h: SIGINT, SIGTERM or SIGHUP ends the wait at
 * once with "stopped waiting for task …: interrupted by signal N (…); the task goes on in
 * XenServer").  The task is always destroyed.  On success *result is the task's result
 * decoded: a <value> fragment as its value, bare text (the upload's OpaqueRef) as a
 * string, "" for void; checked as the synchronous method's reply would be.  A failed task
 * sets xapi_error_code()/params() from error_info.
 *
 * Only a task record saying "success" is success.  A poll that got no answer (transport
 * failure, undecodable reply) is "not known yet": polling goes on until the timeout, and
 * the timeout's message names the last error.  A server error on the poll (HANDLE_INVALID:
 * the task is gone with a restarted toolstack), a task record of the wrong shape or an
 * unknown status fails at once.
 */
int xapi_async_call(struct xapi *x, const char *method, struct xmlrpc_value *const *params,
    size_t n, double timeout, struct xmlrpc_value **result);
/* Wait for a task made with task.create (the upload), as above; also destroys it. */
int xapi_task_wait(struct xapi *x, const char *task_ref, double timeout,
    struct xmlrpc_value **result);
/* Seconds between task polls (default 1; 0 polls without sleeping, for tests). */
void xapi_set_poll_interval(struct xapi *x, double seconds);

/*
 * Check v, the Value of a call of method (about ref, its first parameter, or NULL), against
 * what csmaint reads of that method's reply: CSM_OK, or CSM_EFAIL with the "bad reply from
 * XenServer: …" message.  The result type follows from the method (get_all_records: a
 * struct of records, get_record: a record, get_by_uuid and Async.*: a string, get_all: an
 * array of strings, get_<field>: the field's type); records are checked field by field
 * against the table in xapi.c of the fields csmaint reads.  Methods outside the table
 * (void ones) are not checked.  xapi_call() runs it on every Value.
 */
int xapi_check_reply(const char *method, const char *ref, const struct xmlrpc_value *v);

/*
 * The envelope of a XenAPI reply: a methodResponse whose param is the struct {Status,
 * Value} or {Status, ErrorDescription}.  On CSM_OK either *value is set (Status
 * "Success"; the Value member, an empty string for void calls) or *errv is (Status
 * "Failure"): a NULL-terminated vector [code, param1, …] of *nerr strings, verbatim (an
 * item of another scalar type as its text).  An XML-RPC <fault> comes back as the failure
 * ["FAULT", code, string], as the C SDK does.  Everything returned is the caller's
 * (xmlrpc_value_free, xapi_errv_free).  A negative code: the reply is malformed, not
 * XML-RPC, or not a XenAPI envelope (the message says which), and nothing is returned.
 * xapi_call() decodes every reply with it; exported for tests, the fuzzer and the bench.
 */
int xapi_decode_reply(const char *buf, size_t len, struct xmlrpc_value **value,
    char ***errv, size_t *nerr);
/* Free an error vector of xapi_decode_reply(); xapi_errv_free(NULL) does nothing. */
void xapi_errv_free(char **errv);

/* The server error of the last failed call: code and params (NULL / 0 if none). */
const char *xapi_error_code(const struct xapi *x);
const char *const *xapi_error_params(const struct xapi *x, size_t *n);
/* The URL calls go to now: the master's after a HOST_IS_SLAVE redirect. */
const char *xapi_master_url(const struct xapi *x);
/* The open session's ref (for the upload URL), NULL when logged out.  A secret: never log. */
const char *xapi_session_ref(const struct xapi *x);

#endif
