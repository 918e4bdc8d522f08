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

#include "site.h"
#include "target.h"

/* The site a command runs against, for the procedures and domain modules. */
#define cmd_site(ctx) (&(struct site){ (ctx)->conf, (ctx)->db, (ctx)->cs })

struct catalog;
struct plan;
struct out;
/* A plan as the "patches" table (patch plan, hotfix). */
struct out *cmd_plan_table(const struct plan *plan);

/* Journal rows (J_OP_*, J_STEP_*) as the "operations" and "steps" tables (cmd-journal.c;
 * also journal show, host show, recover, hotfix). */
struct out *cmd_journal_ops_table(const struct db_res *r);
struct out *cmd_journal_steps_table(const struct db_res *r);

/* The checks of checks_run() as the "checks" table (cmd-check.c, also for hotfix). */
struct checks;
struct out *cmd_checks_table(const struct checks *c);

/* The "vms" listing (cmd-vms.c), shared with host show: columns, and one SQL row. */
struct out *cmd_vms_table(int xapi);
void cmd_vms_row(struct out *o, const struct db_res *r, int i);

/* OP as given on the command line: an operation id (CSM_EUSAGE otherwise). */
int cmd_op_id(const char *arg, long long *id);

/* Was --execute given? */
int cmd_execute(const struct cmd_ctx *ctx);

struct dry;
/*
 * Every dry run goes through one recorder (dry.h).  cmd_dry_begin(), called before the
 * dry run does anything, refuses -o csv (CSM_EUSAGE: a dry run is not one table; use
 * -o table or -o json) and returns a recorder whose header says the command "would
 * WHAT" ("run these statements", "make these calls", "do this").  The command, and the
 * domain functions it hands the recorder to, record into it; cmd_dry_end() prints it on
 * stdout in the context's format (the table form, or one JSON object), frees it and
 * returns RC: when RC is a failure, the message (csm_err_msg()) is recorded as the
 * refusal first, so a refused dry run still shows what it found.
 */
int cmd_dry_begin(const struct cmd_ctx *ctx, const char *what, struct dry **out);
int cmd_dry_end(struct cmd_ctx *ctx, struct dry *d, int rc);
/* Emit tables on stdout in the context's format (CSV: one table, see out_print()). */
int cmd_print(struct cmd_ctx *ctx, struct out **tables, int n);
/*
 * A command whose output is several tables calls this before it starts: with -o csv it
 * refuses (CSM_EUSAGE, exit 2, nothing on stdout) naming the TABLES it prints
 * ("hosts, vms, operations") and the formats that work.
 */
int cmd_no_csv(const struct cmd_ctx *ctx, const char *tables);

/* A rolling operation's resume and recover (cmd-rolling.c), for 'resume' and 'recover'
 * when OP is one (rolling_owner). */
int cmd_rolling_resume(struct cmd_ctx *ctx, long long op);
int cmd_rolling_recover(struct cmd_ctx *ctx, long long op, struct dry *d);

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
extern const struct cmd_entry cmd_hotfix_entry;
extern const struct cmd_entry cmd_resume_entry;
extern const struct cmd_entry cmd_rolling_entry;
extern const struct cmd_entry cmd_audit_entry;
extern const struct cmd_entry cmd_vms_entry;
extern const struct cmd_entry cmd_check_entry;
extern const struct cmd_entry cmd_patch_list_entry;
extern const struct cmd_entry cmd_patch_upload_entry;
extern const struct cmd_entry cmd_patch_plan_entry;
extern const struct cmd_entry cmd_patch_precheck_entry;
extern const struct cmd_entry cmd_patch_apply_entry;
extern const struct cmd_entry cmd_patch_clean_entry;
extern const struct cmd_entry cmd_host_reboot_entry;
extern const struct cmd_entry cmd_completion_entry;	/* completion.c */

#endif
