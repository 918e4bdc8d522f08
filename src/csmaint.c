/* csmaint.c: main: parse the command line, set up what the command needs, run it. */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"
#include "csmaint.h"
#include "args.h"
#include "cloudstack.h"
#include "cmd.h"
#include "conf.h"
#include "db.h"
#include "journal.h"

static int
syslog_facility(const char *name)
{
	static const struct {
		const char *name;
		int fac;
	} f[] = {
		{ "authpriv", LOG_AUTHPRIV }, { "auth", LOG_AUTH }, { "daemon", LOG_DAEMON },
		{ "user", LOG_USER }, { "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
		{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
		{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	};
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (strcmp(f[i].name, name) == 0)
			return f[i].fac;
	return -1;
}

/* Connect and learn the schema; refuse unsupported schemas unless the command copes. */
static int
setup_db(struct cmd_ctx *ctx, int ask_pass)
{
	const struct cmd_entry *e = ctx->entry;
	int rc, installed, version;

	if (ask_pass) {
		char *pw;
		char *prompt = xasprintf("MariaDB password for %s: ", ctx->conf->db.user ?
		    ctx->conf->db.user : "csmaint");
		rc = conf_ask_password(prompt, &pw);
		free(prompt);
		if (rc != CSM_OK)
			return rc;
		if (ctx->conf->db.password != NULL) {
			csm_explicit_bzero(ctx->conf->db.password, strlen(ctx->conf->db.password));
			free(ctx->conf->db.password);
		}
		ctx->conf->db.password = pw;
	}
	rc = db_connect(&ctx->conf->db, &ctx->db);
	/* The password is not needed again: wipe it now. */
	if (ctx->conf->db.password != NULL)
		csm_explicit_bzero(ctx->conf->db.password, strlen(ctx->conf->db.password));
	if (rc != CSM_OK)
		return rc;
	if ((rc = cs_detect(ctx->db, &ctx->cs)) != CSM_OK)
		return rc;
	if (ctx->cs->gen == CS_GEN_UNSUPPORTED && !(e->needs & CMD_ANY_SCHEMA))
		return csm_err_set(CSM_ECONFLICT, "refusing to work on schema '%s': %s",
		    db_schema(ctx->db), ctx->cs->why);
	if (e->needs & CMD_NEED_JOURNAL) {
		if ((rc = journal_status(ctx->db, &installed, &version)) != CSM_OK)
			return rc;
		if (!installed)
			return csm_err_set(CSM_EUSAGE, "the journal schema '%s' is not installed: "
			    "run 'csmaint schema install --execute' (or apply sql/journal.sql)",
			    db_journal(ctx->db));
		if (version != JOURNAL_VERSION)
			return csm_err_set(CSM_EUSAGE, "the journal schema '%s' is at version %d, "
			    "this csmaint needs %d: run 'csmaint schema install --execute'",
			    db_journal(ctx->db), version, JOURNAL_VERSION);
	}
	return CSM_OK;
}

/*
 * csmaint holds the database and XenServer passwords in memory: a core dump (or a
 * debugger attached by another process of the same user) would carry them.  So no core
 * file, and not dumpable, from the first instruction on, before any secret is read.
 */
static void
no_core_dumps(void)
{
	struct rlimit rl = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &rl) != 0)
		csm_warn("cannot disable core dumps: %s", strerror(errno));
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		csm_warn("cannot make the process non-dumpable: %s", strerror(errno));
}

int
main(int argc, char **argv)
{
	struct args a;
	struct cmd_ctx ctx;
	int rc, status, i, fac;

	no_core_dumps();
	setlocale(LC_ALL, "");
	memset(&ctx, 0, sizeof(ctx));
	rc = args_parse(argc, argv, cmd_table, &a);
	csm_verbose = a.verbose;
	csm_quiet = a.quiet;
	if (rc != CSM_OK) {
		csm_error("%s", csm_err_msg());
		if (a.entry != NULL) {
			cmd_usage(a.entry, stderr);
		} else {
			fputc('\n', stderr);
			cmd_usage_all(stderr);
		}
		args_free(&a);
		return CSM_EXIT_USAGE;
	}
	if (a.version) {
		printf("csmaint %s\n", PACKAGE_VERSION);
		args_free(&a);
		return CSM_EXIT_OK;
	}
	if (a.entry == NULL) {
		if (a.help) {
			cmd_usage_all(stdout);
			args_free(&a);
			return CSM_EXIT_OK;
		}
		csm_error("no command given");
		cmd_usage_all(stderr);
		args_free(&a);
		return CSM_EXIT_USAGE;
	}
	if (a.help) {
		cmd_usage(a.entry, stdout);
		args_free(&a);
		return CSM_EXIT_OK;
	}
	ctx.entry = a.entry;
	ctx.argv = a.argv;
	ctx.argc = a.argc;
	for (i = 0; i < CMD_MAX_OPTS; i++)
		ctx.optv[i] = a.optv[i];
	ctx.format = OUT_TABLE;
	if (a.format != NULL && (rc = out_format_parse(a.format, &ctx.format)) != CSM_OK)
		goto out;
	if (a.entry->needs & (CMD_NEED_CONF | CMD_NEED_DB)) {
		if ((rc = conf_load(a.conf_path, &ctx.conf)) != CSM_OK)
			goto out;
		if ((fac = syslog_facility(ctx.conf->syslog_facility)) < 0) {
			rc = csm_err_set(CSM_EUSAGE, "%s: unknown syslog_facility '%s'",
			    ctx.conf->path, ctx.conf->syslog_facility);
			goto out;
		}
		openlog("csmaint", LOG_PID, fac);
	}
	if ((a.entry->needs & CMD_NEED_DB) && (rc = setup_db(&ctx, a.ask_pass)) != CSM_OK)
		goto out;
	rc = a.entry->exec(&ctx);
out:
	if (fflush(stdout) != 0 && rc == CSM_OK)
		rc = csm_err_set(CSM_EFAIL, "cannot write to standard output");
	status = csm_exit_of(rc);
	if (rc != CSM_OK)
		csm_error("%s", csm_err_msg());
	if (ctx.db != NULL && db_in_transaction(ctx.db))
		db_rollback(ctx.db);
	cs_free(ctx.cs);
	db_close(ctx.db);
	conf_free(ctx.conf);
	args_free(&a);
	closelog();
	return status;
}
