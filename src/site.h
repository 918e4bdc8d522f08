/*
 * site.h: what a procedure or domain function needs of the site: the configuration,
 * the database connection and the CloudStack schema found there.  Everything in it is
 * borrowed from the command that runs (cmd.h: cmd_site()); nothing here owns it.
 */
#ifndef CSM_SITE_H
#define CSM_SITE_H

struct conf;
struct db;
struct cs;

struct site {
	struct conf	*conf;
	struct db	*db;
	struct cs	*cs;
};

#endif
