/*
 * args.h: the command line: global options anywhere, command words, command options.
 *
 * args_parse() finds the command entry for the words in argv, checks every option and
 * the argument count against that entry, and fills struct args.  It never exits; on a
 * usage error it returns CSM_EUSAGE with the message set and, when the command was
 * found, a->entry set so the caller can print that command's usage.
 */
#ifndef CSM_ARGS_H
#define CSM_ARGS_H

#include "cmd.h"

struct args {
	const struct cmd_entry	*entry;		/* NULL: no command given */
	const char		*conf_path;	/* -c FILE */
	const char		*format;	/* -o FMT, NULL: default */
	int			 verbose;	/* -v count */
	int			 quiet;		/* -q */
	int			 ask_pass;	/* --ask-pass */
	int			 help;		/* -h / --help */
	int			 version;	/* --version */
	char			**argv;		/* positional arguments (into the caller's argv) */
	int			 argc;
	const char		*optv[CMD_MAX_OPTS];
	const char		*noun;		/* first word, when it named no command */
};

/* Parse; positional arguments point into argv (which must outlive *a). */
int args_parse(int argc, char **argv, const struct cmd_entry *const *table, struct args *a);
void args_free(struct args *a);

#endif
