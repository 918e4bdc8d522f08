/* http.c: libcurl behind an opaque handle: TLS, timeouts, error text, the streamed PUT. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "csmaint.h"
#include "http.h"

/* Larger replies are refused by the XML-RPC decoder anyway; stop reading them early. */
#define MAX_REPLY (256u * 1024 * 1024 + 1)
/* After the last byte of an upload, how long to let the server close before we do. */
#define PUT_GRACE 1.0

struct http {
	CURL *curl;
	char errbuf[CURL_ERROR_SIZE];
	char *ca_file, *pinned, *proxy;
	int verify;
	double connect_timeout, timeout;
	long status;
};

void
http_opts_init(struct http_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->verify = 1;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? xstrdup(s) : NULL;
}

struct http *
http_new(const struct http_opts *opts)
{
	static int inited;
	struct http_opts def;
	struct http *h;

	if (opts == NULL) {
		http_opts_init(&def);
		opts = &def;
	}
	if (opts->pinned_pubkey != NULL && *opts->pinned_pubkey != '\0' &&
	    strncmp(opts->pinned_pubkey, "sha256//", 8) != 0) {
		csm_err_set(CSM_EUSAGE, "pinned public key '%.80s' must look like "
		    "sha256//<base64 hash>", opts->pinned_pubkey);
		return NULL;
	}
	if (!inited) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			csm_err_set(CSM_EFAIL, "cannot initialise libcurl");
			return NULL;
		}
		inited = 1;
	}
	h = xcalloc(1, sizeof(*h));
	if ((h->curl = curl_easy_init()) == NULL) {
		free(h);
		csm_err_set(CSM_EFAIL, "cannot initialise libcurl");
		return NULL;
	}
	h->ca_file = dup_or_null(opts->ca_file);
	h->pinned = dup_or_null(opts->pinned_pubkey);
	h->proxy = dup_or_null(opts->proxy);
	h->verify = opts->verify != 0;
	h->connect_timeout = opts->connect_timeout > 0 ? opts->connect_timeout : 10;
	h->timeout = opts->timeout > 0 ? opts->timeout : 600;
	if (!h->verify)
		csm_warn("TLS certificate verification is off (verify = 0): anyone on the path "
		    "to the XenServer hosts can read the password; set a CA file or a pinned "
		    "public key instead");
	return h;
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	curl_easy_cleanup(h->curl);
	free(h->ca_file);
	free(h->pinned);
	free(h->proxy);
	free(h);
}

long
http_status(const struct http *h)
{
	return h->status;
}

/* The URL as it may appear in a message: no user:password@, no query (session ids). */
static char *
url_for_msg(const char *url)
{
	const char *auth, *at, *end;
	size_t n;

	n = strcspn(url, "?#");
	auth = strstr(url, "://");
	if (auth != NULL && (size_t)(auth - url) < n) {
		auth += 3;
		end = auth + strcspn(auth, "/?#");
		at = NULL;
		for (const char *p = auth; p < end; p++)
			if (*p == '@')
				at = p;
		if (at != NULL)
			return xasprintf("%.*s%.*s", (int)(auth - url), url,
			    (int)(n - (size_t)(at + 1 - url)), at + 1);
	}
	return xstrndup(url, n);
}

static int
curl_fail(struct http *h, CURLcode cc, const char *url, const char *what)
{
	char *u = url_for_msg(url);
	int rc;

	rc = csm_err_set(CSM_EFAIL, "%s %s failed: %s", what, u,
	    h->errbuf[0] ? h->errbuf : curl_easy_strerror(cc));
	free(u);
	return rc;
}

static int
status_fail(struct http *h, const char *url, const char *what)
{
	char *u = url_for_msg(url);
	int rc;

	rc = csm_err_set(CSM_EFAIL, "%s %s: the server answered HTTP %ld%s", what, u,
	    h->status, h->status == 401 ? " (unauthorized: bad or expired session)" : "");
	free(u);
	return rc;
}

/* Options every request shares; reset first so a PUT leaves nothing behind for a POST. */
static void
setup(struct http *h, const char *url)
{
	CURL *c = h->curl;

	/* curl_easy_reset keeps live connections and TLS sessions: keep-alive still works. */
	curl_easy_reset(c);
	h->errbuf[0] = '\0';
	h->status = 0;
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "csmaint");
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(h->connect_timeout * 1000));
	/* An empty proxy also makes curl ignore http_proxy and friends. */
	curl_easy_setopt(c, CURLOPT_PROXY, h->proxy != NULL ? h->proxy : "");
	if (!h->verify) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (h->pinned != NULL && h->ca_file == NULL) {
		/* The pin is the trust anchor for a self-signed host certificate. */
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	} else {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	}
	if (h->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file);
	if (h->pinned != NULL)
		curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, h->pinned);
}

struct sink {
	char *p;
	size_t len, cap;
	int too_big;
};

static size_t
sink_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb;

	if (s->len + n > MAX_REPLY) {
		s->too_big = 1;
		return 0;	/* makes curl fail with CURLE_WRITE_ERROR */
	}
	if (s->len + n + 1 > s->cap) {
		s->cap = s->cap ? s->cap : 16384;
		while (s->len + n + 1 > s->cap)
			s->cap *= 2;
		s->p = xrealloc(s->p, s->cap);
	}
	memcpy(s->p + s->len, data, n);
	s->len += n;
	s->p[s->len] = '\0';
	return n;
}

int
http_post(struct http *h, const char *url, const char *body, size_t len, char **reply,
    size_t *reply_len)
{
	struct curl_slist *hdr = NULL;
	struct sink s = { NULL, 0, 0, 0 };
	CURLcode cc;
	char *u;
	int rc;

	*reply = NULL;
	*reply_len = 0;
	setup(h, url);
	hdr = curl_slist_append(hdr, "Content-Type: text/xml");
	/* curl adds "Expect: 100-continue" to big bodies; xapi does not implement it. */
	hdr = curl_slist_append(hdr, "Expect:");
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, (long)(h->timeout * 1000));
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &s);
	cc = curl_easy_perform(h->curl);
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &h->status);
	/* The request is gone: do not let the handle point at the caller's body. */
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdr);
	if (s.too_big) {
		u = url_for_msg(url);
		rc = csm_err_set(CSM_EFAIL, "POST %s: the reply is larger than %u MiB", u,
		    (MAX_REPLY - 1) >> 20);
		free(u);
		goto fail;
	}
	if (cc != CURLE_OK) {
		rc = curl_fail(h, cc, url, "POST");
		goto fail;
	}
	if (h->status != 200) {
		rc = status_fail(h, url, "POST");
		goto fail;
	}
	if (s.p == NULL)
		s.p = xstrdup("");
	*reply = s.p;
	*reply_len = s.len;
	return CSM_OK;
fail:
	free(s.p);
	return rc;
}

int
http_post_transport(void *h, const char *url, const char *body, size_t len, char **reply,
    size_t *reply_len)
{
	return http_post(h, url, body, len, reply, reply_len);
}

struct upload {
	FILE *fp;
	const char *path;
	uint64_t size, read;
	int read_error;
	long status;		/* status of the last status line seen */
	int headers_done;	/* a final (non-1xx) response's headers are complete */
	int finished;		/* we stopped waiting after the whole file went out */
	double sent_at;		/* when the last byte went out */
	curl_off_t last_now;
	http_progress_fn progress;
	void *userdata;
};

static size_t
upload_read(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n = fread(buf, 1, size * nmemb, u->fp);

	if (n == 0 && ferror(u->fp)) {
		u->read_error = errno ? errno : EIO;
		return CURL_READFUNC_ABORT;
	}
	u->read += n;
	return n;
}

static size_t
upload_header(char *line, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nmemb;
	long st;

	if (n >= 12 && strncmp(line, "HTTP/", 5) == 0) {
		if (sscanf(line, "HTTP/%*s %ld", &st) == 1)
			u->status = st;
		u->headers_done = 0;
	} else if ((n == 2 && line[0] == '\r') || (n == 1 && line[0] == '\n')) {
		if (u->status >= 200)
			u->headers_done = 1;
	}
	return n;
}

static size_t
upload_discard(char *data, size_t size, size_t nmemb, void *arg)
{
	(void)data, (void)arg;
	return size * nmemb;
}

/*
 * Report progress, and end the transfer ourselves once the server has said 200 and every
 * byte is out: xapi sends no body and may keep the connection open, so waiting for the
 * end of the response would hang (NOTES §2.2).  A short grace lets a server that does
 * close do so first.  A refusal (401 …) also ends it: no point sending the rest.
 */
static int
upload_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
    curl_off_t ulnow)
{
	struct upload *u = arg;

	(void)dltotal, (void)dlnow, (void)ultotal;
	if (u->progress != NULL && ulnow != u->last_now)
		u->progress(u->userdata, (uint64_t)ulnow, u->size);
	u->last_now = ulnow;
	if (u->headers_done && u->status != 200)
		return 1;
	if ((uint64_t)ulnow < u->size || !u->headers_done)
		return 0;
	if (u->sent_at == 0)
		u->sent_at = csm_now();
	if (csm_now() - u->sent_at < PUT_GRACE)
		return 0;
	u->finished = 1;
	return 1;
}

int
http_put_file(struct http *h, const char *url, const char *path,
    http_progress_fn progress, void *userdata)
{
	struct curl_slist *hdr = NULL;
	struct upload u;
	struct stat st;
	CURLcode cc;
	char *shown = NULL;
	int rc;

	memset(&u, 0, sizeof(u));
	u.path = path;
	u.progress = progress;
	u.userdata = userdata;
	if ((u.fp = fopen(path, "rb")) == NULL)
		return csm_err_set(CSM_ENOTFOUND, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fileno(u.fp), &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = csm_err_set(CSM_EUSAGE, "%s is not a regular file", path);
		goto out;
	}
	u.size = (uint64_t)st.st_size;
	setup(h, url);
	hdr = curl_slist_append(hdr, "Expect:");
	hdr = curl_slist_append(hdr, "Content-Type: application/octet-stream");
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdr);
	/* HTTP/1.0 as XenCenter and xe send it: Content-Length, never chunked. */
	curl_easy_setopt(h->curl, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_0);
	curl_easy_setopt(h->curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)u.size);
	curl_easy_setopt(h->curl, CURLOPT_READFUNCTION, upload_read);
	curl_easy_setopt(h->curl, CURLOPT_READDATA, &u);
	curl_easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, upload_header);
	curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, &u);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, upload_discard);
	curl_easy_setopt(h->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h->curl, CURLOPT_XFERINFOFUNCTION, upload_progress);
	curl_easy_setopt(h->curl, CURLOPT_XFERINFODATA, &u);
	/* A hotfix is hundreds of MB: no total timeout, but give up on a stalled link. */
	curl_easy_setopt(h->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h->curl, CURLOPT_LOW_SPEED_TIME, 300L);
	cc = curl_easy_perform(h->curl);
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &h->status);
	if (h->status == 0)
		h->status = u.status;
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
	if (u.read_error) {
		rc = csm_err_set(CSM_EFAIL, "cannot read %s: %s", path, strerror(u.read_error));
		goto out;
	}
	if (cc != CURLE_OK && !(cc == CURLE_ABORTED_BY_CALLBACK && u.finished)) {
		if (cc == CURLE_ABORTED_BY_CALLBACK && h->status != 200)
			rc = status_fail(h, url, "PUT");
		else
			rc = curl_fail(h, cc, url, "PUT");
		goto out;
	}
	if (h->status != 200) {
		rc = status_fail(h, url, "PUT");
		goto out;
	}
	if (u.read != u.size) {
		shown = url_for_msg(url);
		rc = csm_err_set(CSM_EFAIL, "PUT %s: sent %llu of %llu bytes of %s", shown,
		    (unsigned long long)u.read, (unsigned long long)u.size, path);
		goto out;
	}
	rc = CSM_OK;
out:
	curl_slist_free_all(hdr);
	free(shown);
	fclose(u.fp);
	return rc;
}
