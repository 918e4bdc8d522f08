/*
 * xshost.h: a XenServer host's lifecycle as the procedure lives it: reboot, toolstack
 * restart, the wait until XenServer and CloudStack both see it back, and the facts a
 * resume decides from (reboot pending, boot time).
 *
 * xshost_restart() asks for the restart (XSHOST_REBOOT: host.disable if enabled, the
 * REQUESTED hook, Async.host.reboot; XSHOST_RESTART_TOOLSTACK: host.restart_agent; or
 * XSHOST_WAIT: nothing) and then waits, every procedure.poll_interval for at most
 * procedure.reboot_timeout, until XenServer reports a new boot_time (agent_start_time
 * for the toolstack), the host live and enabled (re-enabling it as XenCenter does),
 * and CloudStack's host.status back (Up, or the maintenance status it had).  A reply
 * that cannot be read is "not known yet", never "back"; a stop signal ends the wait.
 * Codes: CSM_OK, or CSM_EFAIL with the message saying what was seen last.
 */
#ifndef CSM_XSHOST_H
#define CSM_XSHOST_H

#include <stddef.h>

struct pool;
struct site;
struct target;

enum xshost_mode { XSHOST_RESTART_TOOLSTACK, XSHOST_REBOOT, XSHOST_WAIT };

struct xshost_opts {
	/* XSHOST_WAIT: back means a boot_time other than this (NULL: any). */
	const char	*boot_before;
	/* XSHOST_REBOOT: called right before the reboot is asked for, with the boot_time
	   before it (the procedure journals it, so that a resume does not reboot again a
	   host whose reboot is under way).  May be NULL. */
	void		 (*requested)(void *arg, const char *boot_before);
	void		*arg;
};

/* O may be NULL. */
int xshost_restart(const struct site *s, struct target *t, enum xshost_mode mode,
    const struct xshost_opts *o);

/* XenCenter's reboot-pending rule: a restartHost patch applied after the host last
 * booted (or whose time of application cannot be read). */
int xshost_reboot_pending(struct pool *pool, const char *host_uuid, int *pending);
/* The host's other_config:boot_time now (CSM_EFAIL when XenServer does not say). */
int xshost_boot_time(struct pool *pool, const char *host_uuid, char *buf, size_t len);

#endif
