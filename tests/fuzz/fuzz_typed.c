/*
 * fuzz_typed.c: the "typed access" harness: fuzzed replies served to csmaint's XenAPI
 * readers (pool.c, patch.c, task polling) through a fake transport.
 *
 * The input is up to MAX_REPLIES replies separated by NUL bytes.  Reply i answers the
 * methods[] entry i (modulo the number of replies: a short input answers several
 * methods with one reply), so a seed can hold a right reply for every call the readers
 * make and the fuzzer can mutate each one; the login is canned.
 * Whatever the replies, a reader either fails with a message or returns what its header
 * promises (no NULL where a string is promised); it never crashes, leaks or spins.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csmaint.h"
#include "patch.h"
#include "pool.h"
#include "xapi.h"
#include "xmlrpc.h"
#include "xshost.h"

void fuzz_typed(const uint8_t *data, size_t size);

/* The calls the readers below make, in the order of the replies in a seed. */
static const char *const methods[] = {
	"host.get_all_records", "host_metrics.get_all_records", "host_patch.get_all_records",
	"pool_patch.get_all_records", "VM.get_all_records", "VM_guest_metrics.get_record",
	"pool_update.get_all_records", "host.get_updates", "host.get_by_uuid",
	"host.get_record", "host_metrics.get_record", "task.get_record",
	"Async.pool_patch.apply", "task.destroy", "session.logout", NULL,
};

#define MAX_REPLIES 16
/* Every reader below makes a bounded number of calls, but one VM list can hold many VMs. */
#define MAX_CALLS 4096

struct canned {
	const char *reply[MAX_REPLIES];
	size_t len[MAX_REPLIES];
	size_t n, calls;
	int logged_in;
};

static const char login_ok[] = "<methodResponse><params><param><value><struct><member>"
    "<name>Status</name><value>Success</value></member><member><name>Value</name><value>"
    "OpaqueRef:s1</value></member></struct></value></param></params></methodResponse>";

static int
serve(void *ctx, const char *url, const char *body, size_t len, char **reply,
    size_t *reply_len)
{
	struct canned *c = ctx;
	const char *m = strstr(body, "<methodName>"), *e;
	size_t i = 0;

	(void)url, (void)len;
	if (!c->logged_in) {
		c->logged_in = 1;
		*reply = xstrdup(login_ok);
		*reply_len = strlen(login_ok);
		return CSM_OK;
	}
	if (c->n == 0 || ++c->calls > MAX_CALLS)
		return csm_err_set(CSM_EFAIL, "no more replies");
	if (m != NULL && (e = strstr(m += 12, "</methodName>")) != NULL)
		for (i = 0; methods[i] != NULL; i++)
			if (strlen(methods[i]) == (size_t)(e - m) &&
			    strncmp(methods[i], m, (size_t)(e - m)) == 0)
				break;
	if (methods[i] == NULL)
		i = 0;
	i %= c->n;
	*reply = xstrndup(c->reply[i], c->len[i]);
	*reply_len = c->len[i];
	return CSM_OK;
}

static void
must(int ok)
{
	if (!ok)
		__builtin_trap();
}

/* A failure always says what failed. */
static void
failed_with_message(int rc)
{
	if (rc != CSM_OK)
		must(rc < 0 && csm_err_msg()[0] != '\0');
}

static void
readers(struct pool *p)
{
	struct xapi *x = pool_xapi(p);
	struct pool_host *h = NULL;
	struct pool_vm *v = NULL;
	struct pool_patch *pp = NULL;
	struct xmlrpc_value *r = NULL;
	struct patch pt;
	size_t n, i, j;
	int rc, applied, pending;
	const char *s;

	rc = pool_hosts(p, &h, &n);
	failed_with_message(rc);
	for (i = 0; rc == CSM_OK && i < n; i++) {
		must(h[i].ref != NULL);
		for (j = 0; j < h[i].npatches; j++)
			must(h[i].patches[j] != NULL);
	}
	pool_hosts_free(h, rc == CSM_OK ? n : 0);

	for (j = 0; j < 2; j++) {
		rc = pool_vms(p, 2, (long long)j * 5, j ? "OpaqueRef:h1" : NULL, &v, &n);
		failed_with_message(rc);
		for (i = 0; rc == CSM_OK && i < n; i++)
			must(v[i].ref != NULL && v[i].name_label != NULL &&
			    v[i].power_state != NULL && v[i].resident_on != NULL);
		pool_vms_free(v, rc == CSM_OK ? n : 0);
	}

	rc = pool_patches(p, &pp, &n);
	failed_with_message(rc);
	for (i = 0; rc == CSM_OK && i < n; i++)
		must(pp[i].ref != NULL && pp[i].guidance != NULL);
	pool_patches_free(pp, rc == CSM_OK ? n : 0);

	for (j = 0; j < 2; j++) {
		rc = patch_find(p, (int)j, "XS56E001", &pt);
		failed_with_message(rc);
		if (rc == CSM_OK) {
			must(pt.uuid != NULL && pt.name_label != NULL);
			failed_with_message(patch_applied(p, &pt, "OpaqueRef:h1", &applied));
		}
		patch_clear(&pt);
	}
	failed_with_message(xshost_reboot_pending(p, "uuid-1", &pending));

	/* Task polling: only "success" gives a result. */
	rc = xapi_task_wait(x, "OpaqueRef:t", 0, &r);
	failed_with_message(rc);
	must((rc == CSM_OK) == (r != NULL));
	xmlrpc_value_free(r);
	r = NULL;
	rc = xapi_async_call(x, "Async.pool_patch.apply", NULL, 0, 0, &r);
	failed_with_message(rc);
	must(rc != CSM_OK || xmlrpc_as_string(r, &s) == CSM_OK);
	xmlrpc_value_free(r);
}

void
fuzz_typed(const uint8_t *data, size_t size)
{
	struct canned c;
	struct xapi *x;
	struct pool *p;
	const char *d = (const char *)data, *end = d + size, *nul;

	memset(&c, 0, sizeof(c));
	while (d < end && c.n < MAX_REPLIES) {
		nul = memchr(d, '\0', (size_t)(end - d));
		c.reply[c.n] = d;
		c.len[c.n] = (size_t)((nul ? nul : end) - d);
		c.n++;
		d = nul ? nul + 1 : end;
	}
	x = xapi_new("https://xs-01/", serve, &c);
	xapi_set_poll_interval(x, 0);
	if (xapi_login(x, "root", "pw") != CSM_OK)
		__builtin_trap();
	p = pool_new(x, NULL);
	readers(p);
	pool_free(p);
	csm_err_clear();
}
