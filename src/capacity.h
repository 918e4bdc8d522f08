/*
 * capacity.h: can the rest of a pool take each host's VMs, one host after another?
 *
 * capacity_load() reads a CloudStack cluster as its placement check sees it: each
 * routing host's op_host_capacity rows (memory in bytes, CPU in MHz: used, reserved,
 * total), the live VMs on them with their service offerings (ram_size MiB, cpu x
 * speed), and cpu.overprovisioning.factor from the configuration table.
 * capacity_simulate() then takes the hosts out of service in ORDER, one at a time:
 * every VM of the host going out must fit on a host still in service by CloudStack
 * 2.2's rule (CapacityManagerImpl.checkIfHostHasCapacity: used + reserved + asked
 * <= total, CPU total times the factor), hosts already done first (so a VM moves once
 * where it can), then the one with the most free memory; the placement is carried
 * forward to the next step.  The result says, per step, where each VM is proposed to
 * go, the headroom left, and what is short when it does not fit.
 *
 * The caller owns struct capacity (capacity_free) and the steps (capacity_steps_free).
 */
#ifndef CSM_CAPACITY_H
#define CSM_CAPACITY_H

#include <stddef.h>

struct db;

struct cap_host {
	long long	 id;
	char		*name;
	int		 in_service;	/* Up and allocation Enabled now: a target */
	int		 patched;	/* needs nothing: a preferred target */
	long long	 mem_total, mem_used;		/* bytes, used includes reserved */
	long long	 cpu_total, cpu_used;		/* MHz, total times the factor */
	int		 known;		/* it has both capacity rows */
};

struct cap_vm {
	long long	 id;
	char		*name;		/* instance_name (XenServer name_label) */
	char		*type;		/* User, DomainRouter, ConsoleProxy, ... */
	long long	 host_id;
	long long	 mem;		/* bytes */
	long long	 cpu;		/* MHz */
	int		 known;		/* its offering was found */
	int		 no_tools;	/* cannot live-migrate: stopped, started elsewhere */
};

struct capacity {
	struct cap_host	*hosts;
	size_t		 nh;
	struct cap_vm	*vms;
	size_t		 nv;
	double		 factor;	/* cpu.overprovisioning.factor */
};

struct cap_step {
	long long	 host_id;
	char		*host;
	int		 nvms;
	long long	 mem_needed;		/* bytes of the VMs that leave */
	long long	 mem_free_after;	/* on the hosts in service, after the moves */
	long long	 cpu_free_after;
	int		 fits;
	char		*migrate_to;	/* user VMs with Tools: "VM -> HOST, ..." */
	char		*restart_on;	/* user VMs without Tools */
	char		*system_to;	/* system VMs (CloudStack's maintenance moves them) */
	char		*shortfall;	/* when it does not fit: what is short, and where */
	int		 moves_to_patched, moves_to_unpatched;
};

int capacity_load(struct db *db, long long cluster_id, struct capacity **out);
void capacity_free(struct capacity *c);
struct cap_host *capacity_host(struct capacity *c, long long id);
/* ORDER: host ids, the run's order.  Returns the number of the first step that does not
 * fit (1-based), or 0 when all fit; *steps gets NORDER steps either way. */
int capacity_simulate(struct capacity *c, const long long *order, size_t norder,
    struct cap_step **steps);
void capacity_steps_free(struct cap_step *steps, size_t n);

#endif
