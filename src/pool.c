/* pool.c: read a XenServer pool over XenAPI: hosts, VMs with Tools status, patches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csmaint.h"
#include "conf.h"
#include "http.h"
#include "pool.h"
#include "xapi.h"
#include "xmlrpc.h"

struct pool {
	struct http	*http;
	struct xapi	*xapi;
};

const char *
pool_str(const struct xmlrpc_value *rec, const char *field)
{
	const struct xmlrpc_value *v = rec ? xmlrpc_struct_get(rec, field) : NULL;
	const char *s = NULL;

	if (v == NULL || xmlrpc_as_string(v, &s) != CSM_OK)
		return NULL;
	return s;
}

int
pool_bool(const struct xmlrpc_value *rec, const char *field, int dflt)
{
	const struct xmlrpc_value *v = rec ? xmlrpc_struct_get(rec, field) : NULL;
	int b;

	if (v == NULL || xmlrpc_as_bool(v, &b) != CSM_OK)
		return dflt;
	return b;
}

static long long
rec_int(const struct xmlrpc_value *rec, const char *field, long long dflt)
{
	const struct xmlrpc_value *v = rec ? xmlrpc_struct_get(rec, field) : NULL;
	int64_t i;

	if (v == NULL || xmlrpc_as_int64(v, &i) != CSM_OK)
		return dflt;
	return (long long)i;
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* A map field's member as a string (other_config.boot_time, software_version.…). */
static const char *
map_str(const struct xmlrpc_value *rec, const char *field, const char *key)
{
	const struct xmlrpc_value *m = rec ? xmlrpc_struct_get(rec, field) : NULL;

	if (m == NULL || xmlrpc_type(m) != XMLRPC_STRUCT)
		return NULL;
	return pool_str(m, key);
}

int
pool_connect(struct conf *c, const char *address, struct pool **out)
{
	struct http_opts o;
	struct pool *p;
	char *url;
	int rc;

	*out = NULL;
	if ((rc = conf_xapi_password(c)) != CSM_OK)
		return rc;
	if (c->xapi.password == NULL)
		return csm_err_set(CSM_EUSAGE, "%s: no XenAPI password: set xenapi.password_file",
		    c->path);
	/* The template holds at most one "%s" (checked by conf.c). */
	if (strstr(c->xapi.url, "%s") != NULL) {
		const char *at = strstr(c->xapi.url, "%s");
		url = xasprintf("%.*s%s%s", (int)(at - c->xapi.url), c->xapi.url, address, at + 2);
	} else {
		url = xstrdup(c->xapi.url);
	}
	http_opts_init(&o);
	o.ca_file = c->xapi.ca_file;
	o.pinned_pubkey = c->xapi.pinned_pubkey;
	o.verify = c->xapi.verify;
	o.connect_timeout = c->xapi.connect_timeout;
	o.timeout = c->xapi.timeout;
	o.proxy = c->xapi.proxy;
	p = xcalloc(1, sizeof(*p));
	if ((p->http = http_new(&o)) == NULL) {
		free(url);
		free(p);
		return CSM_EFAIL;
	}
	p->xapi = xapi_new(url, http_post_transport, p->http);
	xapi_set_poll_interval(p->xapi, c->proc.poll_interval < 1 ? c->proc.poll_interval : 1);
	csm_debug("XenAPI: logging in to %s as %s", url, c->xapi.user);
	free(url);
	if ((rc = xapi_login(p->xapi, c->xapi.user, c->xapi.password)) != CSM_OK) {
		pool_free(p);
		return rc;
	}
	*out = p;
	return CSM_OK;
}

struct pool *
pool_new(struct xapi *x, struct http *h)
{
	struct pool *p = xcalloc(1, sizeof(*p));

	p->xapi = x;
	p->http = h;
	return p;
}

void
pool_free(struct pool *p)
{
	if (p == NULL)
		return;
	xapi_free(p->xapi);
	http_free(p->http);
	free(p);
}

struct xapi *
pool_xapi(struct pool *p)
{
	return p->xapi;
}

struct http *
pool_http(struct pool *p)
{
	return p->http;
}

const char *
pool_url(const struct pool *p)
{
	return xapi_master_url(p->xapi);
}

int
pool_hosts(struct pool *p, struct pool_host **out, size_t *n)
{
	struct xmlrpc_value *hosts = NULL, *metrics = NULL, *hpatches = NULL, *ppatches = NULL;
	struct pool_host *h = NULL;
	size_t i, j, k, nh;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = xapi_call_s(p->xapi, "host.get_all_records", &hosts, NULL)) != CSM_OK ||
	    (rc = xapi_call_s(p->xapi, "host_metrics.get_all_records", &metrics, NULL)) != CSM_OK ||
	    (rc = xapi_call_s(p->xapi, "host_patch.get_all_records", &hpatches, NULL)) != CSM_OK ||
	    (rc = xapi_call_s(p->xapi, "pool_patch.get_all_records", &ppatches, NULL)) != CSM_OK)
		goto out;
	nh = xmlrpc_len(hosts);
	h = xcalloc(nh ? nh : 1, sizeof(*h));
	for (i = 0; i < nh; i++) {
		const struct xmlrpc_value *r = xmlrpc_struct_value_at(hosts, i);
		const char *mref = pool_str(r, "metrics");
		const struct xmlrpc_value *m = mref ? xmlrpc_struct_get(metrics, mref) : NULL;

		h[i].ref = xstrdup(xmlrpc_struct_name_at(hosts, i));
		h[i].uuid = dup_or_null(pool_str(r, "uuid"));
		h[i].name_label = dup_or_null(pool_str(r, "name_label"));
		h[i].address = dup_or_null(pool_str(r, "address"));
		h[i].enabled = pool_bool(r, "enabled", 0);
		h[i].live = m ? pool_bool(m, "live", -1) : -1;
		h[i].boot_time = dup_or_null(map_str(r, "other_config", "boot_time"));
		h[i].product_version = dup_or_null(map_str(r, "software_version", "product_version"));
		h[i].build_number = dup_or_null(map_str(r, "software_version", "build_number"));
		h[i].api_major = rec_int(r, "API_version_major", 0);
		h[i].api_minor = rec_int(r, "API_version_minor", 0);
		/* Applied = a host_patch for this host with applied=true (NOTES §2.1). */
		for (j = 0; j < xmlrpc_len(hpatches); j++) {
			const struct xmlrpc_value *hp = xmlrpc_struct_value_at(hpatches, j);
			const char *host = pool_str(hp, "host"), *pp = pool_str(hp, "pool_patch");
			const struct xmlrpc_value *prec;
			if (host == NULL || strcmp(host, h[i].ref) != 0 || pp == NULL ||
			    !pool_bool(hp, "applied", 0))
				continue;
			prec = xmlrpc_struct_get(ppatches, pp);
			if (prec == NULL || pool_str(prec, "uuid") == NULL)
				continue;
			k = h[i].npatches++;
			h[i].patches = xrealloc(h[i].patches, sizeof(char *) * h[i].npatches);
			h[i].patches[k] = xstrdup(pool_str(prec, "uuid"));
		}
	}
	*out = h;
	*n = nh;
out:
	xmlrpc_value_free(hosts);
	xmlrpc_value_free(metrics);
	xmlrpc_value_free(hpatches);
	xmlrpc_value_free(ppatches);
	return rc;
}

void
pool_hosts_free(struct pool_host *h, size_t n)
{
	size_t i, j;

	if (h == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(h[i].ref);
		free(h[i].uuid);
		free(h[i].name_label);
		free(h[i].address);
		free(h[i].boot_time);
		free(h[i].product_version);
		free(h[i].build_number);
		for (j = 0; j < h[i].npatches; j++)
			free(h[i].patches[j]);
		free(h[i].patches);
	}
	free(h);
}

const struct pool_host *
pool_host_match(const struct pool_host *h, size_t n, const char *uuid, const char *addr,
    int *by_address)
{
	const struct pool_host *found = NULL;
	size_t i, at = 0;

	*by_address = 0;
	for (i = 0; uuid != NULL && i < n; i++)
		if (h[i].uuid != NULL && strcasecmp(h[i].uuid, uuid) == 0)
			return &h[i];
	/* Only an address that names one host: two hosts behind one address (NAT, a
	 * stale row) must not make csmaint patch or reboot the wrong one. */
	for (i = 0; addr != NULL && i < n; i++)
		if (h[i].address != NULL && strcmp(h[i].address, addr) == 0) {
			found = &h[i];
			at++;
		}
	if (at != 1)
		return NULL;
	*by_address = 1;
	return found;
}

/*
 * NOTES §5: Tools from the guest metrics of a running VM.  Only HANDLE_INVALID (a dangling
 * guest_metrics ref) means "no agent data"; any other failure is not known, and fails:
 * taking a VM with Tools for one without would let a wait for it end.
 */
static int
read_tools(struct pool *p, struct pool_vm *vm, const char *gm_ref, long long api_major,
    long long api_minor)
{
	struct xmlrpc_value *gm = NULL;
	const struct xmlrpc_value *ver;
	const char *maj, *min, *mic, *code;

	vm->tools = POOL_TOOLS_UNKNOWN;
	vm->tools_current = -1;
	if (strcmp(vm->power_state, "Running") != 0)
		return CSM_OK;
	if (gm_ref == NULL || strcmp(gm_ref, "OpaqueRef:NULL") == 0) {
		vm->tools = POOL_TOOLS_NO;	/* running, no agent has ever reported */
		return CSM_OK;
	}
	if (xapi_call_s(p->xapi, "VM_guest_metrics.get_record", &gm, gm_ref, NULL) != CSM_OK) {
		code = xapi_error_code(p->xapi);
		if (code == NULL || strcmp(code, "HANDLE_INVALID") != 0) {
			csm_err_prefix("cannot read the guest metrics of VM %s", vm->name_label);
			return CSM_EFAIL;
		}
		csm_debug("VM %s: guest metrics unreadable: %s", vm->name_label, csm_err_msg());
		vm->tools = POOL_TOOLS_NO;
		return CSM_OK;
	}
	/* The record's shape was checked on arrival (xapi.c, gm_fields). */
	ver = xmlrpc_struct_get(gm, "PV_drivers_version");
	maj = pool_str(ver, "major");
	min = pool_str(ver, "minor");
	mic = pool_str(ver, "micro");
	if (api_major > 2 || (api_major == 2 && api_minor >= 5))
		vm->tools = pool_bool(gm, "PV_drivers_detected", maj && min) ? POOL_TOOLS_YES :
		    POOL_TOOLS_NO;
	else
		vm->tools = maj && min ? POOL_TOOLS_YES : POOL_TOOLS_NO;
	if (maj && min)
		vm->tools_version = mic ? xasprintf("%s.%s.%s", maj, min, mic) :
		    xasprintf("%s.%s", maj, min);
	vm->tools_current = vm->tools == POOL_TOOLS_YES ?
	    pool_bool(gm, "PV_drivers_up_to_date", 0) : 0;
	xmlrpc_value_free(gm);
	return CSM_OK;
}

/*
 * Whether a running VM can live-migrate, by the rule of the host's XenServer version.
 * 5.6 (xen-api 2010, ocaml/xapi/xapi_vm_lifecycle.ml check_drivers and
 * xapi_host.ml compute_evacuation_plan_no_wlb): pool_migrate needs PV drivers in every
 * guest, PV or HVM.  6.5 (API 2.3; commit 1e7202a6b6 "CP-9366", in v1.9.58):
 * check_op_for_feature lets a guest that has not booted HVM (HVM_boot_policy "" in its
 * boot record) migrate implicitly; only an HVM guest needs PV drivers (or, strictly,
 * feature flags, which csmaint does not read: it asks for the drivers).  A VM whose
 * HVM_boot_policy did not arrive is taken for HVM.
 */
static void
migrate_rule(struct pool_vm *vm, long long api_major, long long api_minor)
{
	int new_rule = api_major > 2 || (api_major == 2 && api_minor >= 3);

	if (vm->tools == POOL_TOOLS_UNKNOWN) {	/* not running, or not read */
		vm->can_migrate = POOL_TOOLS_UNKNOWN;
		vm->migrate_rule = NULL;
	} else if (!new_rule) {
		vm->can_migrate = vm->tools;
		vm->migrate_rule = vm->tools == POOL_TOOLS_YES ? "PV drivers present "
		    "(XenServer before 6.5 rule: every guest needs them)" : "no PV drivers "
		    "(XenServer before 6.5 rule: every guest needs them)";
	} else if (vm->hvm == 0) {
		vm->can_migrate = POOL_TOOLS_YES;
		vm->migrate_rule = "PV guest (XenServer 6.5+ rule: needs no PV drivers)";
	} else {
		vm->can_migrate = vm->tools;
		vm->migrate_rule = vm->hvm < 0 ? (vm->tools == POOL_TOOLS_YES ?
		    "PV drivers present (guest type not known: taken for HVM, XenServer 6.5+ "
		    "rule)" : "no PV drivers (guest type not known: taken for HVM, XenServer "
		    "6.5+ rule)") : vm->tools == POOL_TOOLS_YES ? "HVM guest with PV drivers "
		    "(XenServer 6.5+ rule)" : "HVM guest without PV drivers (XenServer 6.5+ rule)";
	}
}

static const char *
str_or(const struct xmlrpc_value *rec, const char *field, const char *dflt)
{
	const char *s = pool_str(rec, field);

	return s != NULL ? s : dflt;
}

int
pool_vms(struct pool *p, long long api_major, long long api_minor, const char *only_host,
    struct pool_vm **out, size_t *n)
{
	struct xmlrpc_value *all = NULL;
	struct pool_vm *v = NULL;
	size_t i, k = 0, total;
	int rc;

	*out = NULL;
	*n = 0;
	/* A struct of records with every field read below (xapi.c checked it, vm_fields). */
	if ((rc = xapi_call_s(p->xapi, "VM.get_all_records", &all, NULL)) != CSM_OK)
		return rc;
	total = xmlrpc_len(all);
	v = xcalloc(total ? total : 1, sizeof(*v));
	for (i = 0; i < total; i++) {
		const struct xmlrpc_value *r = xmlrpc_struct_value_at(all, i);
		struct pool_vm *vm = &v[k];

		if (pool_bool(r, "is_a_template", 0) || pool_bool(r, "is_a_snapshot", 0))
			continue;
		k++;
		vm->ref = xstrdup(xmlrpc_struct_name_at(all, i));
		vm->uuid = dup_or_null(pool_str(r, "uuid"));
		vm->name_label = xstrdup(str_or(r, "name_label", ""));
		vm->power_state = xstrdup(str_or(r, "power_state", "Unknown"));
		vm->resident_on = xstrdup(str_or(r, "resident_on", "OpaqueRef:NULL"));
		vm->cs_uuid = dup_or_null(map_str(r, "other_config", "vm_uuid"));
		vm->control_domain = pool_bool(r, "is_control_domain", 0);
		vm->tools = POOL_TOOLS_UNKNOWN;
		vm->tools_current = -1;
		vm->hvm = pool_str(r, "HVM_boot_policy") == NULL ? -1 :
		    *pool_str(r, "HVM_boot_policy") != '\0';
		if (!vm->control_domain && (only_host == NULL ||
		    strcmp(vm->resident_on, only_host) == 0) &&
		    (rc = read_tools(p, vm, pool_str(r, "guest_metrics"), api_major,
		    api_minor)) != CSM_OK) {
			pool_vms_free(v, k);
			xmlrpc_value_free(all);
			return rc;
		}
		migrate_rule(vm, api_major, api_minor);
	}
	xmlrpc_value_free(all);
	*out = v;
	*n = k;
	return CSM_OK;
}

void
pool_vms_free(struct pool_vm *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(v[i].ref);
		free(v[i].uuid);
		free(v[i].name_label);
		free(v[i].power_state);
		free(v[i].resident_on);
		free(v[i].cs_uuid);
		free(v[i].tools_version);
	}
	free(v);
}

char *
pool_guidance(const struct xmlrpc_value *rec)
{
	const struct xmlrpc_value *g = xmlrpc_struct_get(rec, "after_apply_guidance");
	char buf[256] = "";
	size_t i, len = 0;

	for (i = 0; g != NULL && i < xmlrpc_len(g) && len < sizeof(buf) - 32; i++) {
		const char *s = NULL;
		if (xmlrpc_as_string(xmlrpc_array_get(g, i), &s) == CSM_OK)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
			    len ? " " : "", s);
	}
	return xstrdup(buf);
}

int
pool_patches(struct pool *p, struct pool_patch **out, size_t *n)
{
	struct xmlrpc_value *all = NULL;
	struct pool_patch *v;
	size_t i, total;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = xapi_call_s(p->xapi, "pool_patch.get_all_records", &all, NULL)) != CSM_OK)
		return rc;
	total = xmlrpc_len(all);
	v = xcalloc(total ? total : 1, sizeof(*v));
	for (i = 0; i < total; i++) {
		const struct xmlrpc_value *r = xmlrpc_struct_value_at(all, i);

		v[i].ref = xstrdup(xmlrpc_struct_name_at(all, i));
		v[i].uuid = dup_or_null(pool_str(r, "uuid"));
		v[i].name_label = dup_or_null(pool_str(r, "name_label"));
		v[i].version = dup_or_null(pool_str(r, "version"));
		v[i].size = rec_int(r, "size", -1);
		v[i].pool_applied = pool_bool(r, "pool_applied", 0);
		v[i].guidance = pool_guidance(r);
	}
	xmlrpc_value_free(all);
	*out = v;
	*n = total;
	return CSM_OK;
}

void
pool_patches_free(struct pool_patch *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(v[i].ref);
		free(v[i].uuid);
		free(v[i].name_label);
		free(v[i].version);
		free(v[i].guidance);
	}
	free(v);
}

int
pool_master_ref(struct pool *p, char **ref)
{
	struct xmlrpc_value *pools = NULL;
	const char *m;
	int rc;

	*ref = NULL;
	if ((rc = xapi_call_s(pool_xapi(p), "pool.get_all_records", &pools, NULL)) != CSM_OK)
		return rc;
	m = pool_str(xmlrpc_struct_value_at(pools, 0), "master");
	if (m == NULL || strcmp(m, "OpaqueRef:NULL") == 0)
		rc = csm_err_set(CSM_EFAIL, "XenServer names no pool master");
	else
		*ref = xstrdup(m);
	xmlrpc_value_free(pools);
	return rc;
}
