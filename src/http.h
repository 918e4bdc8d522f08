/* http.h: the HTTPS transport to XenServer: XML-RPC POSTs and the streamed hotfix PUT. */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <stdint.h>

/*
 * Calling sequence.
 *
 *	struct http_opts o;
 *	http_opts_init(&o);			(verify on, default timeouts)
 *	o.ca_file = conf->ca_file;		(or o.pinned_pubkey = "sha256//…")
 *	struct http *h = http_new(&o);		(NULL: see csm_err_msg())
 *	http_post(h, url, body, len, &reply, &reply_len);	… free(reply) …
 *	http_put_file(h, upload_url, "/path/x.xsupdate", progress, arg);
 *	http_free(h);
 *
 * One handle keeps its connection alive between requests (same host: one TLS handshake).
 * The handle is not thread-safe.
 *
 * TLS: verification is on unless verify is 0, and then every http_new() warns (so start
 * from http_opts_init(), not a zeroed struct, or pass NULL for the defaults).  A
 * pinned_pubkey ("sha256//<base64>", as curl --pinnedpubkey) makes a self-signed
 * XenServer certificate acceptable: the key is checked instead of the CA chain and host
 * name (both are checked too when ca_file is also given).
 * No proxy is used unless proxy is set; the http_proxy/https_proxy environment is ignored.
 *
 * Errors: a negative csm code with a message naming the URL without its query string (the
 * upload URL carries the session ref).  http_status() tells the HTTP status of the last
 * request (0 when none arrived), so callers can tell 401 (bad session) apart.
 * Strings in http_opts are copied; the reply is the caller's (malloc'd, NUL-terminated).
 */

struct http_opts {
	const char *ca_file;		/* PEM CA bundle; NULL: the system's */
	const char *pinned_pubkey;	/* "sha256//…"; NULL: none */
	int verify;			/* 1: verify the certificate (default); 0: don't */
	double connect_timeout;		/* seconds; 0: 10 s */
	double timeout;			/* seconds for a whole POST; 0: 600 s */
	const char *proxy;		/* "http://proxy:3128"; NULL: none */
};

struct http;

/* progress(userdata, bytes sent, total bytes), called as the upload advances. */
typedef void (*http_progress_fn)(void *userdata, uint64_t sent, uint64_t total);

/* Defaults: verify on, no CA file, no pin, no proxy, default timeouts. */
void http_opts_init(struct http_opts *o);
/* A handle; opts NULL means the defaults.  NULL with a message on failure. */
struct http *http_new(const struct http_opts *opts);
void http_free(struct http *h);

/*
 * POST body (Content-Type: text/xml) to url; on CSM_OK *reply holds the 200 reply.
 * Any other status is a failure naming the status and the URL.
 */
int http_post(struct http *h, const char *url, const char *body, size_t len, char **reply,
    size_t *reply_len);
/* http_post with a void * handle: the xapi_transport_fn for xapi_new(). */
int http_post_transport(void *h, const char *url, const char *body, size_t len,
    char **reply, size_t *reply_len);

/*
 * PUT the file at path to url, streamed from disk with a Content-Length, without
 * "Expect: 100-continue" or chunked encoding, as xapi's /pool_patch_upload needs
 * (NOTES §2.2).  xapi answers 200 before reading the body and sends none: once every
 * byte is sent after a 200, the upload is done (the outcome is in the task).  No total
 * timeout applies; a transfer stalled for 5 minutes fails.  progress may be NULL.
 */
int http_put_file(struct http *h, const char *url, const char *path,
    http_progress_fn progress, void *userdata);

/* The HTTP status of the last request, 0 if no response arrived. */
long http_status(const struct http *h);

#endif
