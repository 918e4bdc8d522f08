/*
 * completion.c: "csmaint completion bash" prints a bash completion script generated from
 * the command table (cmd_table, cmd.h), so it completes exactly the commands, options
 * and arguments that --help shows.  HOST and OP arguments are completed by asking
 * csmaint itself at completion time (host list / journal list -o csv, quietly, with the
 * -c FILE already on the command line).
 */
#include <stdio.h>
#include <string.h>

#include "csmaint.h"
#include "cmd.h"

/* The global options (args.c) as the script knows them: NAME, or NAME:ARG. */
static const char global_opts[] =
    "-c:FILE --config:FILE -o:FORMAT --output:FORMAT -v --verbose -q --quiet --ask-pass "
    "-h --help --version";

/* WORDS in single quotes for bash ('\'' for a quote). */
static void
sq(FILE *fp, const char *words)
{
	const char *p;

	fputc('\'', fp);
	for (p = words; *p; p++) {
		if (*p == '\'')
			fputs("'\\''", fp);
		else
			fputc(*p, fp);
	}
	fputc('\'', fp);
}

/* "HOST [FILE...]" -> "HOST FILE...": the positional arguments, one word each. */
static void
args_words(FILE *fp, const struct cmd_entry *e)
{
	const char *args = e->args;
	char buf[256];
	size_t i, n = 0;

	for (i = 0; args != NULL && args[i] && n < sizeof(buf) - 1; i++)
		if (args[i] != '[' && args[i] != ']')
			buf[n++] = args[i];
	buf[n] = '\0';
	sq(fp, buf);
}

/* "--zone:ID --all": the options, NAME:ARG for one that takes an argument. */
static void
opts_words(FILE *fp, const struct cmd_entry *e)
{
	const struct cmd_opt *o = e->opts;
	char buf[512];
	size_t n = 0;

	buf[0] = '\0';
	for (; o != NULL && o->name != NULL && n < sizeof(buf); o++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s%s%s", n ? " " : "",
		    o->name, o->arg ? ":" : "", o->arg ? o->arg : "");
	sq(fp, buf);
}

/* The part of the script that does not depend on the table. */
static const char script_body[] =
"\n"
"# _csmaint_csv_column N: column N of a CSV listing on stdin, without its header.\n"
"_csmaint_csv_column() {\n"
"\tawk -v n=\"$1\" 'NR > 1 {\n"
"\t\tsub(/\\r$/, \"\"); s = $0\n"
"\t\tfor (i = 1; i <= n; i++) {\n"
"\t\t\tv = \"\"\n"
"\t\t\tif (substr(s, 1, 1) == \"\\\"\") {\n"
"\t\t\t\ts = substr(s, 2)\n"
"\t\t\t\twhile ((p = index(s, \"\\\"\")) > 0) {\n"
"\t\t\t\t\tv = v substr(s, 1, p - 1); s = substr(s, p + 1)\n"
"\t\t\t\t\tif (substr(s, 1, 1) != \"\\\"\") break\n"
"\t\t\t\t\tv = v \"\\\"\"; s = substr(s, 2)\n"
"\t\t\t\t}\n"
"\t\t\t\tp = index(s, \",\"); s = p ? substr(s, p + 1) : \"\"\n"
"\t\t\t} else if ((p = index(s, \",\")) > 0) {\n"
"\t\t\t\tv = substr(s, 1, p - 1); s = substr(s, p + 1)\n"
"\t\t\t} else {\n"
"\t\t\t\tv = s; s = \"\"\n"
"\t\t\t}\n"
"\t\t}\n"
"\t\tprint v\n"
"\t}'\n"
"}\n"
"\n"
"# _csmaint_values WHAT: the words that may stand for the argument WHAT (HOST, OP, ...).\n"
"_csmaint_values() {\n"
"\tlocal -a q=(\"$_csmaint_argv0\" \"${_csmaint_conf[@]}\" -q)\n"
"\tlocal t=\n"
"\tcommand -v timeout >/dev/null 2>&1 && t=\"timeout 5\"\n"
"\tcase $1 in\n"
"\tHOST) $t \"${q[@]}\" host list -o csv </dev/null 2>/dev/null | _csmaint_csv_column 2 ;;\n"
"\tOP) $t \"${q[@]}\" journal list --limit 0 -o csv </dev/null 2>/dev/null | _csmaint_csv_column 1 ;;\n"
"\tFORMAT) printf '%s\\n' table json csv ;;\n"
"\tSTATE) printf '%s\\n' Enabled Disabled ;;\n"
"\tSHELL) printf '%s\\n' bash ;;\n"
"\tesac\n"
"}\n"
"\n"
"# _csmaint_optarg COMMAND OPTION: the name of OPTION's argument (FILE, HOST, ...);\n"
"# empty for a flag.\n"
"_csmaint_optarg() {\n"
"\tlocal o\n"
"\tfor o in $_csmaint_globals ${_csmaint_options[${1:-_}]}; do\n"
"\t\t[[ $o == \"$2\":* ]] && { printf '%s\\n' \"${o#*:}\"; return; }\n"
"\tdone\n"
"}\n"
"\n"
"# _csmaint_reply WHAT: COMPREPLY for an argument or option value named WHAT.\n"
"_csmaint_reply() {\n"
"\tlocal v\n"
"\tcase $1 in\n"
"\tFILE*) compopt -o filenames 2>/dev/null\n"
"\t\tmapfile -t COMPREPLY < <(compgen -f -- \"$cur\") ;;\n"
"\t*) while IFS= read -r v; do\n"
"\t\t[[ -n $v && $v == \"$cur\"* ]] && COMPREPLY+=(\"$(printf '%q' \"$v\")\")\n"
"\t\tdone < <(_csmaint_values \"${1%...}\") ;;\n"
"\tesac\n"
"}\n"
"\n"
"_csmaint() {\n"
"\tlocal cur=${COMP_WORDS[COMP_CWORD]} w c o want= cmd= i nargs=0\n"
"\tlocal -a args\n"
"\t_csmaint_argv0=${COMP_WORDS[0]} _csmaint_conf=()\n"
"\tCOMPREPLY=()\n"
"\t# The words before the cursor: options and their values, the command's words,\n"
"\t# then its positional arguments.\n"
"\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
"\t\tw=${COMP_WORDS[i]}\n"
"\t\tif [[ -n $want ]]; then\n"
"\t\t\t[[ $want == config ]] && _csmaint_conf=(-c \"$w\")\n"
"\t\t\twant=\n"
"\t\t\tcontinue\n"
"\t\tfi\n"
"\t\tcase $w in\n"
"\t\t--config=*) _csmaint_conf=(-c \"${w#*=}\"); continue ;;\n"
"\t\t--*=*) continue ;;\n"
"\t\t-c|--config) want=config; continue ;;\n"
"\t\t-?*) [[ -n $(_csmaint_optarg \"$cmd\" \"$w\") ]] && want=value; continue ;;\n"
"\t\tesac\n"
"\t\tif [[ $nargs -eq 0 ]]; then\n"
"\t\t\tc=${cmd:+$cmd }$w\n"
"\t\t\tfor o in \"${_csmaint_commands[@]}\"; do\n"
"\t\t\t\tif [[ $o == \"$c\" || $o == \"$c \"* ]]; then cmd=$c; continue 2; fi\n"
"\t\t\tdone\n"
"\t\tfi\n"
"\t\tnargs=$((nargs + 1))\n"
"\tdone\n"
"\t# The value of the option before the cursor.\n"
"\tif [[ -n $want ]]; then\n"
"\t\tw=${COMP_WORDS[COMP_CWORD - 1]}\n"
"\t\t_csmaint_reply \"$(_csmaint_optarg \"$cmd\" \"$w\")\"\n"
"\t\treturn 0\n"
"\tfi\n"
"\tif [[ $cur == -* ]]; then\n"
"\t\tfor o in $_csmaint_globals ${_csmaint_options[${cmd:-_}]}; do\n"
"\t\t\to=${o%%:*}\n"
"\t\t\t[[ $o == \"$cur\"* ]] && COMPREPLY+=(\"$o\")\n"
"\t\tdone\n"
"\t\treturn 0\n"
"\tfi\n"
"\t# The next word of a command name, while the words so far begin one.\n"
"\tif [[ $nargs -eq 0 ]]; then\n"
"\t\tfor o in \"${_csmaint_commands[@]}\"; do\n"
"\t\t\tif [[ -z $cmd ]]; then\n"
"\t\t\t\tw=${o%% *}\n"
"\t\t\telif [[ $o == \"$cmd \"* ]]; then\n"
"\t\t\t\tw=${o#\"$cmd \"}\n"
"\t\t\t\tw=${w%% *}\n"
"\t\t\telse\n"
"\t\t\t\tcontinue\n"
"\t\t\tfi\n"
"\t\t\t[[ $w == \"$cur\"* && \" ${COMPREPLY[*]} \" != *\" $w \"* ]] && COMPREPLY+=(\"$w\")\n"
"\t\tdone\n"
"\t\t[[ ${#COMPREPLY[@]} -gt 0 || -z ${_csmaint_args[${cmd:-_}]+set} ]] && return 0\n"
"\tfi\n"
"\t# A positional argument: its name in the usage (HOST FILE...: the last repeats).\n"
"\t[[ -n ${_csmaint_args[${cmd:-_}]+set} ]] || return 0\n"
"\tread -ra args <<<\"${_csmaint_args[${cmd:-_}]}\"\n"
"\t[[ ${#args[@]} -gt 0 ]] || return 0\n"
"\tif [[ $nargs -lt ${#args[@]} ]]; then\n"
"\t\tw=${args[nargs]}\n"
"\telse\n"
"\t\tw=${args[${#args[@]} - 1]}\n"
"\t\t[[ $w == *... ]] || return 0\n"
"\tfi\n"
"\t_csmaint_reply \"$w\"\n"
"\treturn 0\n"
"}\n"
"complete -F _csmaint csmaint\n";

/* declare -gA VAR=(['command']='WORDS' ...), WORDS from WORDS_OF for each command. */
static void
by_command(FILE *fp, const char *var, void (*words_of)(FILE *, const struct cmd_entry *))
{
	const struct cmd_entry *const *t;

	fprintf(fp, "declare -gA %s=(", var);
	for (t = cmd_table; *t; t++) {
		fputs("\n\t[", fp);
		sq(fp, (*t)->name);
		fputs("]=", fp);
		words_of(fp, *t);
	}
	fputs("\n)\n", fp);
}

static int
completion_bash(FILE *fp)
{
	const struct cmd_entry *const *t;

	fputs("# bash completion for csmaint(8), generated by 'csmaint completion bash' from\n"
	    "# csmaint's command table: the commands, options and arguments of --help.\n"
	    "# HOST and OP are completed by asking csmaint (host list, journal list) with the\n"
	    "# -c FILE on the command line.  Installed by make install; by hand:\n"
	    "#   source <(csmaint completion bash)\n\n", fp);
	fputs("_csmaint_globals=", fp);
	sq(fp, global_opts);
	fputs("\n_csmaint_commands=(", fp);
	for (t = cmd_table; *t; t++) {
		fputs(t == cmd_table ? "" : " ", fp);
		sq(fp, (*t)->name);
	}
	fputs(")\n# Each command's options (NAME, or NAME:ARG) and positional arguments.\n"
	    "# (-g: bash-completion sources this inside a function.)\n", fp);
	by_command(fp, "_csmaint_options", opts_words);
	by_command(fp, "_csmaint_args", args_words);
	fputs(script_body, fp);
	return fflush(fp) == 0 && !ferror(fp) ? CSM_OK :
	    csm_err_set(CSM_EFAIL, "cannot write the completion script to standard output");
}

static int
completion_exec(struct cmd_ctx *ctx)
{
	if (ctx->format != OUT_TABLE)
		return csm_err_set(CSM_EUSAGE, "'completion' prints a shell script, not data: "
		    "-o json and -o csv do not apply");
	if (strcmp(ctx->argv[0], "bash") != 0)
		return csm_err_set(CSM_EUSAGE, "no completion for shell '%s' (only bash)",
		    ctx->argv[0]);
	return completion_bash(stdout);
}

const struct cmd_entry cmd_completion_entry = {
	.name = "completion",
	.args = "SHELL",
	.summary = "print the bash completion script for csmaint (make install installs it)",
	.opts = NULL,
	.min_args = 1,
	.max_args = 1,
	.needs = 0,
	.exec = completion_exec,
};
