/*
 * cmd.h: commands as data.
 *
 * Each leaf command is a const struct cmd_entry in src/cmd-<noun>.c, listed once in
 * cmd_table[] (cmd.c).  The entry is the one source for the command's name, usage,
 * options, argument counts and what it needs; args.c checks a command line against it
 * before exec runs, and --help, csmaint(8) and tests/t-docs.sh all agree with it.
 */
#ifndef CSM_CMD_H
#define CSM_CMD_H

#include "output.h"

struct conf;
struct db;
struct cs;

/* What a command needs; main sets up exactly that. */
#define CMD_NEED_CONF	0x01	/* read the configuration file */
#define CMD_NEED_DB	0x02	/* connect to the database, detect the CloudStack schema */
#define CMD_NEED_JOURNAL 0x04	/* the journal schema must be installed */
#define CMD_ANY_SCHEMA	0x08	/* run even when the CloudStack schema is unsupported */

#define CMD_MAX_OPTS	12

struct cmd_opt {
	const char	*name;		/* "--reason" */
	const char	*arg;		/* "TEXT", or NULL for a flag */
	const char	*help;
};

struct cmd_ctx;

struct cmd_entry {
	const char		*name;		/* "host disable" */
	const char		*args;		/* "HOST": positional arguments for usage */
	const char		*summary;	/* one line for the command list */
	const struct cmd_opt	*opts;		/* NULL-terminated, or NULL */
	int			 min_args, max_args;	/* max -1: unlimited */
	unsigned		 needs;
	int			 dflt;		/* the noun alone runs this entry */
	int			 (*exec)(struct cmd_ctx *);
};

struct cmd_ctx {
	const struct cmd_entry	*entry;
	struct conf		*conf;
	struct db		*db;
	struct cs		*cs;		/* detected CloudStack schema */
	enum out_format		 format;
	char			**argv;		/* positional arguments */
	int			 argc;
	const char		*optv[CMD_MAX_OPTS];	/* per entry->opts; "" for a set flag */
};

extern const struct cmd_entry *const cmd_table[];

/* The value of option NAME (NULL if not given; "" for a flag that was given). */
const char *cmd_opt(const struct cmd_ctx *ctx, const char *name);

/* Print "usage: csmaint NAME ARGS [OPTIONS]" and the options of one entry. */
void cmd_usage(const struct cmd_entry *e, FILE *fp);
/* Print the general usage with every command. */
void cmd_usage_all(FILE *fp);

struct db_res;
struct pool;

/*
 * Resolve HOST (id, name, uuid), read its row (CS_H_* columns) and log in to its
 * XenServer pool through its private_ip_address.  Both results are the caller's.
 */
int cmd_host_pool(struct cmd_ctx *ctx, const char *spec, long long *id,
    struct db_res **host, struct pool **pool);

/* Emit tables on stdout in the context's format. */
int cmd_print(struct cmd_ctx *ctx, struct out **tables, int n);

/* cmd-*.c entries */
extern const struct cmd_entry cmd_schema_show_entry;
extern const struct cmd_entry cmd_schema_install_entry;
extern const struct cmd_entry cmd_host_list_entry;
extern const struct cmd_entry cmd_host_show_entry;
extern const struct cmd_entry cmd_host_disable_entry;
extern const struct cmd_entry cmd_host_enable_entry;
extern const struct cmd_entry cmd_journal_list_entry;
extern const struct cmd_entry cmd_journal_show_entry;
extern const struct cmd_entry cmd_recover_entry;
extern const struct cmd_entry cmd_vms_entry;
extern const struct cmd_entry cmd_patch_list_entry;

#endif
