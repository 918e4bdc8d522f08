/* capacity.c: the pool's capacity, host by host, as CloudStack's placement counts it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csmaint.h"
#include "capacity.h"
#include "db.h"
#include "sbuf.h"

/* op_host_capacity: capacity_type 0 memory (bytes), 1 CPU (MHz) (Capacity.java). */
static const char SQL_HOSTS[] =
	"SELECT h.id, h.name, h.status, h.{C}, m.used_capacity + m.reserved_capacity,"
	" m.total_capacity, c.used_capacity + c.reserved_capacity, c.total_capacity"
	" FROM host h"
	" LEFT JOIN op_host_capacity m ON m.host_id = h.id AND m.capacity_type = 0"
	" LEFT JOIN op_host_capacity c ON c.host_id = h.id AND c.capacity_type = 1"
	" WHERE h.cluster_id = ? AND h.type = 'Routing' AND h.removed IS NULL ORDER BY h.id";
enum { H_ID, H_NAME, H_STATUS, H_ALLOC, H_MEM_USED, H_MEM_TOTAL, H_CPU_USED, H_CPU_TOTAL };

/* The VMs CloudStack counts on a host: those with host_id set and not Stopped. */
static const char SQL_VMS[] =
	"SELECT v.id, v.instance_name, v.type, v.host_id, o.ram_size, o.cpu * o.speed"
	" FROM vm_instance v JOIN host h ON h.id = v.host_id"
	" LEFT JOIN service_offering o ON o.id = v.service_offering_id"
	" WHERE h.cluster_id = ? AND v.removed IS NULL"
	" AND v.state IN ('Starting', 'Running', 'Stopping', 'Migrating') ORDER BY v.id";
enum { V_ID, V_NAME, V_TYPE, V_HOST, V_RAM, V_CPU };

static const char SQL_FACTOR[] =
	"SELECT value FROM configuration WHERE name = 'cpu.overprovisioning.factor'";

int
capacity_load(struct db *db, long long cluster_id, struct capacity **out)
{
	struct db_res *h = NULL, *v = NULL, *f = NULL;
	struct capacity *c;
	int rc, i;

	*out = NULL;
	if ((rc = db_query(db, &h, SQL_HOSTS, "i", cluster_id)) != CSM_OK ||
	    (rc = db_query(db, &v, SQL_VMS, "i", cluster_id)) != CSM_OK ||
	    (rc = db_query(db, &f, SQL_FACTOR, "")) != CSM_OK) {
		csm_err_prefix("cannot read the capacity of cluster %lld", cluster_id);
		goto out;
	}
	c = xcalloc(1, sizeof(*c));
	/* FirstFitPlanner: NumbersUtil.parseFloat(value, 1). */
	c->factor = 1;
	if (db_res_rows(f) > 0 && db_get(f, 0, 0) != NULL) {
		char *end;
		double x = strtod(db_get(f, 0, 0), &end);
		if (end != db_get(f, 0, 0) && *end == '\0' && x > 0)
			c->factor = x;
	}
	c->hosts = xcalloc((size_t)db_res_rows(h) + 1, sizeof(*c->hosts));
	for (i = 0; i < db_res_rows(h); i++) {
		struct cap_host *x = &c->hosts[c->nh++];
		x->id = db_get_int(h, i, H_ID, 0);
		x->name = xstrdup(db_get(h, i, H_NAME) ? db_get(h, i, H_NAME) : "");
		x->in_service = strcmp(db_get(h, i, H_STATUS), "Up") == 0 &&
		    strcmp(db_get(h, i, H_ALLOC), "Enabled") == 0;
		x->known = db_get(h, i, H_MEM_TOTAL) != NULL && db_get(h, i, H_CPU_TOTAL) != NULL;
		x->mem_used = db_get_int(h, i, H_MEM_USED, 0);
		x->mem_total = db_get_int(h, i, H_MEM_TOTAL, 0);
		x->cpu_used = db_get_int(h, i, H_CPU_USED, 0);
		x->cpu_total = (long long)((double)db_get_int(h, i, H_CPU_TOTAL, 0) * c->factor);
	}
	c->vms = xcalloc((size_t)db_res_rows(v) + 1, sizeof(*c->vms));
	for (i = 0; i < db_res_rows(v); i++) {
		struct cap_vm *x = &c->vms[c->nv++];
		x->id = db_get_int(v, i, V_ID, 0);
		x->name = xstrdup(db_get(v, i, V_NAME) ? db_get(v, i, V_NAME) : "");
		x->type = xstrdup(db_get(v, i, V_TYPE) ? db_get(v, i, V_TYPE) : "");
		x->host_id = db_get_int(v, i, V_HOST, 0);
		x->known = db_get(v, i, V_RAM) != NULL;
		/* FirstFitPlanner: ram_size MiB * 1024 * 1024; cpu * speed MHz. */
		x->mem = db_get_int(v, i, V_RAM, 0) * 1024 * 1024;
		x->cpu = db_get_int(v, i, V_CPU, 0);
	}
	*out = c;
out:
	db_res_free(h);
	db_res_free(v);
	db_res_free(f);
	return rc;
}

void
capacity_free(struct capacity *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nh; i++)
		free(c->hosts[i].name);
	for (i = 0; i < c->nv; i++) {
		free(c->vms[i].name);
		free(c->vms[i].type);
	}
	free(c->hosts);
	free(c->vms);
	free(c);
}

struct cap_host *
capacity_host(struct capacity *c, long long id)
{
	size_t i;

	for (i = 0; i < c->nh; i++)
		if (c->hosts[i].id == id)
			return &c->hosts[i];
	return NULL;
}

/* checkIfHostHasCapacity (CloudStack 2.2.15), with CPU total already times the factor. */
static int
fits(const struct cap_host *h, const struct cap_vm *v)
{
	return h->known && h->cpu_used + v->cpu <= h->cpu_total &&
	    h->mem_used + v->mem <= h->mem_total;
}

/* Where VM V goes: a host in service other than OUT, patched ones first, then the one
 * with the most free memory. */
static struct cap_host *
target_for(struct capacity *c, const struct cap_vm *v, long long out)
{
	struct cap_host *best = NULL;
	size_t i;

	for (i = 0; i < c->nh; i++) {
		struct cap_host *h = &c->hosts[i];
		if (h->id == out || !h->in_service || !fits(h, v))
			continue;
		if (best == NULL || (h->patched && !best->patched) ||
		    (h->patched == best->patched &&
		    h->mem_total - h->mem_used > best->mem_total - best->mem_used))
			best = h;
	}
	return best;
}

static int
is_user(const struct cap_vm *v)
{
	return strcmp(v->type, "User") == 0;
}

/* The VMs leaving host OUT, largest memory first (first-fit decreasing). */
static size_t *
leaving(const struct capacity *c, long long out, size_t *n)
{
	size_t *idx = xcalloc(c->nv + 1, sizeof(*idx)), i, j;

	*n = 0;
	for (i = 0; i < c->nv; i++) {
		if (c->vms[i].host_id != out)
			continue;
		for (j = (*n)++; j > 0 && c->vms[idx[j - 1]].mem < c->vms[i].mem; j--)
			idx[j] = idx[j - 1];
		idx[j] = i;
	}
	return idx;
}

static void
one_step(struct capacity *c, struct cap_host *out, struct cap_step *st)
{
	struct sbuf mig = SBUF_INIT, rst = SBUF_INIT, sys = SBUF_INIT, why = SBUF_INIT;
	size_t n, k, i;
	size_t *idx = leaving(c, out->id, &n);
	int was = out->in_service;

	st->host_id = out->id;
	st->host = xstrdup(out->name);
	st->fits = 1;
	out->in_service = 0;
	for (k = 0; k < n; k++) {
		struct cap_vm *v = &c->vms[idx[k]];
		struct cap_host *t;
		struct sbuf *list = !is_user(v) ? &sys : v->no_tools ? &rst : &mig;

		st->nvms++;
		st->mem_needed += v->mem;
		if (!v->known) {
			st->fits = 0;
			sbuf_printf(&why, "%s%s: its service offering is not known, so its size "
			    "is not", why.len ? "; " : "", v->name);
			continue;
		}
		if ((t = target_for(c, v, out->id)) == NULL) {
			long long most = 0;
			for (i = 0; i < c->nh; i++)
				if (c->hosts[i].id != out->id && c->hosts[i].in_service &&
				    c->hosts[i].mem_total - c->hosts[i].mem_used > most)
					most = c->hosts[i].mem_total - c->hosts[i].mem_used;
			st->fits = 0;
			sbuf_printf(&why, "%s%s needs %lld MiB and %lld MHz: no host in service has "
			    "room (the most free memory on one is %lld MiB)", why.len ? "; " : "",
			    v->name, v->mem >> 20, v->cpu, most >> 20);
			continue;
		}
		t->mem_used += v->mem;
		t->cpu_used += v->cpu;
		out->mem_used -= v->mem;
		out->cpu_used -= v->cpu;
		v->host_id = t->id;
		if (t->patched)
			st->moves_to_patched++;
		else
			st->moves_to_unpatched++;
		sbuf_printf(list, "%s%s -> %s", list->len ? ", " : "", v->name, t->name);
	}
	for (i = 0; i < c->nh; i++)
		if (c->hosts[i].id != out->id && c->hosts[i].in_service) {
			st->mem_free_after += c->hosts[i].mem_total - c->hosts[i].mem_used;
			st->cpu_free_after += c->hosts[i].cpu_total - c->hosts[i].cpu_used;
		}
	if (!st->fits && why.len == 0)
		sbuf_printf(&why, "not enough room");
	st->migrate_to = sbuf_take(&mig);
	st->restart_on = sbuf_take(&rst);
	st->system_to = sbuf_take(&sys);
	st->shortfall = st->fits ? (sbuf_free(&why), NULL) : sbuf_take(&why);
	/* The host comes back patched and takes VMs from the next ones. */
	out->in_service = was;
	out->patched = 1;
	free(idx);
}

int
capacity_simulate(struct capacity *c, const long long *order, size_t norder,
    struct cap_step **steps)
{
	size_t k;
	int first_bad = 0;

	*steps = xcalloc(norder + 1, sizeof(**steps));
	for (k = 0; k < norder; k++) {
		struct cap_host *h = capacity_host(c, order[k]);
		if (h == NULL) {
			(*steps)[k].host_id = order[k];
			(*steps)[k].host = xasprintf("host %lld", order[k]);
			(*steps)[k].shortfall = xstrdup("not a routing host of the cluster");
			(*steps)[k].migrate_to = xstrdup("");
			(*steps)[k].restart_on = xstrdup("");
			(*steps)[k].system_to = xstrdup("");
		} else {
			one_step(c, h, &(*steps)[k]);
		}
		if (!(*steps)[k].fits && first_bad == 0)
			first_bad = (int)k + 1;
	}
	return first_bad;
}

void
capacity_steps_free(struct cap_step *steps, size_t n)
{
	size_t i;

	for (i = 0; steps != NULL && i < n; i++) {
		free(steps[i].host);
		free(steps[i].migrate_to);
		free(steps[i].restart_on);
		free(steps[i].system_to);
		free(steps[i].shortfall);
	}
	free(steps);
}
