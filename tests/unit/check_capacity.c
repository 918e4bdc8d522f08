/* check_capacity.c: unit tests for capacity.c's step-by-step simulation of a pool run. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "csmaint.h"
#include "capacity.h"

#define GIB (1024LL * 1024 * 1024)
#define MIB (1024LL * 1024)

/* A pool of N hosts of MEM bytes and CPU MHz each, all in service, nothing placed. */
static struct capacity *
pool(int n, long long mem, long long cpu)
{
	struct capacity *c = xcalloc(1, sizeof(*c));
	int i;

	c->factor = 1;
	c->hosts = xcalloc((size_t)n, sizeof(*c->hosts));
	for (i = 0; i < n; i++) {
		struct cap_host *h = &c->hosts[c->nh++];
		h->id = i + 1;
		h->name = xasprintf("h%d", i + 1);
		h->in_service = 1;
		h->known = 1;
		h->mem_total = mem;
		h->cpu_total = cpu;
	}
	c->vms = xcalloc(64, sizeof(*c->vms));
	return c;
}

/* A VM on HOST of MEM bytes and CPU MHz, counted as CloudStack counts it. */
static struct cap_vm *
vm(struct capacity *c, const char *name, const char *type, long long host, long long mem,
    long long cpu)
{
	struct cap_vm *v = &c->vms[c->nv++];
	struct cap_host *h = capacity_host(c, host);

	v->id = (long long)c->nv;
	v->name = xstrdup(name);
	v->type = xstrdup(type);
	v->host_id = host;
	v->mem = mem;
	v->cpu = cpu;
	v->known = 1;
	h->mem_used += mem;
	h->cpu_used += cpu;
	return v;
}

START_TEST(test_fits_and_carries_placement)
{
	struct capacity *c = pool(3, 4 * GIB, 8000);
	const long long order[] = { 1, 2, 3 };
	struct cap_step *st = NULL;

	vm(c, "a", "User", 1, 2 * GIB, 1000);
	vm(c, "b", "User", 2, 2 * GIB, 1000);
	vm(c, "c", "User", 3, 3 * GIB, 1000);
	ck_assert_int_eq(capacity_simulate(c, order, 3, &st), 0);
	/* Step 1: a goes to the host with the most free memory (h2: 2 GiB, h3: 1 GiB). */
	ck_assert_str_eq(st[0].migrate_to, "a -> h2");
	/* Step 2: h1 is patched now: b and a go there first (a moves once more, as it must). */
	ck_assert_str_eq(st[1].migrate_to, "a -> h1, b -> h1");
	ck_assert_int_eq(st[1].moves_to_patched, 2);
	/* Step 3: c has 3 GiB: h1 is full (4 GiB used), h2 is patched and empty. */
	ck_assert_str_eq(st[2].migrate_to, "c -> h2");
	ck_assert_int_eq(st[2].fits, 1);
	ck_assert_int_eq(st[2].mem_needed, 3 * GIB);
	ck_assert_int_eq(st[2].mem_free_after, 1 * GIB);
	capacity_steps_free(st, 3);
	capacity_free(c);
}
END_TEST

START_TEST(test_refuses_the_step_that_does_not_fit)
{
	struct capacity *c = pool(2, 4 * GIB, 8000);
	const long long order[] = { 1, 2 };
	struct cap_step *st = NULL;

	vm(c, "big", "User", 1, 3 * GIB, 1000);
	vm(c, "other", "User", 2, 2 * GIB, 1000);
	/* h2 has 2 GiB free: big (3 GiB) fits nowhere at step 1. */
	ck_assert_int_eq(capacity_simulate(c, order, 2, &st), 1);
	ck_assert_int_eq(st[0].fits, 0);
	ck_assert_ptr_nonnull(strstr(st[0].shortfall, "big needs 3072 MiB"));
	ck_assert_ptr_nonnull(strstr(st[0].shortfall, "2048 MiB"));
	capacity_steps_free(st, 2);
	capacity_free(c);
}
END_TEST

START_TEST(test_cpu_overprovisioning)
{
	/* 4000 MHz hosts; a 3000 MHz VM and 2000 MHz already used: fits only with the
	 * factor 2 (CPU total times cpu.overprovisioning.factor), memory is plenty. */
	const long long order[] = { 1 };
	struct cap_step *st = NULL;
	struct capacity *c = pool(2, 16 * GIB, 4000);

	vm(c, "cpu", "User", 1, 1 * GIB, 3000);
	vm(c, "busy", "User", 2, 1 * GIB, 2000);
	ck_assert_int_eq(capacity_simulate(c, order, 1, &st), 1);
	ck_assert_ptr_nonnull(strstr(st[0].shortfall, "3000 MHz"));
	capacity_steps_free(st, 1);
	capacity_free(c);

	c = pool(2, 16 * GIB, 4000);
	c->hosts[0].cpu_total = c->hosts[1].cpu_total = 8000;	/* capacity_load: total x 2 */
	vm(c, "cpu", "User", 1, 1 * GIB, 3000);
	vm(c, "busy", "User", 2, 1 * GIB, 2000);
	ck_assert_int_eq(capacity_simulate(c, order, 1, &st), 0);
	ck_assert_str_eq(st[0].migrate_to, "cpu -> h2");
	ck_assert_int_eq(st[0].cpu_free_after, 3000);
	capacity_steps_free(st, 1);
	capacity_free(c);
}
END_TEST

START_TEST(test_kinds_and_hosts_out_of_service)
{
	struct capacity *c = pool(3, 4 * GIB, 8000);
	const long long order[] = { 1 };
	struct cap_step *st = NULL;
	struct cap_vm *nt;

	c->hosts[2].in_service = 0;	/* h3 Disabled by someone, or in maintenance */
	vm(c, "r-5-VM", "DomainRouter", 1, 128 * MIB, 500);
	nt = vm(c, "i-2-9-VM", "User", 1, 512 * MIB, 500);
	nt->no_tools = 1;
	vm(c, "i-2-8-VM", "User", 1, 1 * GIB, 500);
	ck_assert_int_eq(capacity_simulate(c, order, 1, &st), 0);
	/* Everything goes to h2, never to h3; each kind in its own list. */
	ck_assert_str_eq(st[0].migrate_to, "i-2-8-VM -> h2");
	ck_assert_str_eq(st[0].restart_on, "i-2-9-VM -> h2");
	ck_assert_str_eq(st[0].system_to, "r-5-VM -> h2");
	ck_assert_int_eq(st[0].nvms, 3);
	capacity_steps_free(st, 1);
	capacity_free(c);
}
END_TEST

START_TEST(test_unknown_sizes_refuse)
{
	struct capacity *c = pool(2, 4 * GIB, 8000);
	const long long order[] = { 1, 99 };
	struct cap_step *st = NULL;
	struct cap_vm *v;

	v = vm(c, "nooffering", "User", 1, 0, 0);
	v->known = 0;	/* its service offering is gone: its size is not known */
	ck_assert_int_eq(capacity_simulate(c, order, 2, &st), 1);
	ck_assert_ptr_nonnull(strstr(st[0].shortfall, "service offering is not known"));
	/* A host that is not in the cluster fails its step too. */
	ck_assert_int_eq(st[1].fits, 0);
	capacity_steps_free(st, 2);
	capacity_free(c);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("capacity");
	TCase *t = tcase_create("simulate");

	tcase_add_test(t, test_fits_and_carries_placement);
	tcase_add_test(t, test_refuses_the_step_that_does_not_fit);
	tcase_add_test(t, test_cpu_overprovisioning);
	tcase_add_test(t, test_kinds_and_hosts_out_of_service);
	tcase_add_test(t, test_unknown_sizes_refuse);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
