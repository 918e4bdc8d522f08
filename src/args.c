/* args.c: match the command line against the command table before anything runs. */
#include <stdlib.h>
#include <string.h>

#include "csmaint.h"
#include "args.h"

/* Global options, accepted before or after the command words. */
enum { G_NONE, G_CONF, G_OUTPUT, G_VERBOSE, G_QUIET, G_ASKPASS, G_HELP, G_VERSION };

static int
global_opt(const char *s, int *takes_arg)
{
	static const struct {
		const char *name;
		int id, arg;
	} g[] = {
		{ "-c", G_CONF, 1 }, { "--config", G_CONF, 1 },
		{ "-o", G_OUTPUT, 1 }, { "--output", G_OUTPUT, 1 },
		{ "-v", G_VERBOSE, 0 }, { "--verbose", G_VERBOSE, 0 },
		{ "-q", G_QUIET, 0 }, { "--quiet", G_QUIET, 0 },
		{ "--ask-pass", G_ASKPASS, 0 },
		{ "-h", G_HELP, 0 }, { "--help", G_HELP, 0 },
		{ "--version", G_VERSION, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		if (strcmp(s, g[i].name) == 0) {
			*takes_arg = g[i].arg;
			return g[i].id;
		}
	}
	return G_NONE;
}

static void
set_global(struct args *a, int id, const char *val)
{
	switch (id) {
	case G_CONF: a->conf_path = val; break;
	case G_OUTPUT: a->format = val; break;
	/* -q and -v set one verbosity: the last one given wins (git's rule), so
	 * "-qv" is verbose and "-vq" quiet; "-vv" counts twice. */
	case G_VERBOSE: a->verbose++; a->quiet = 0; break;
	case G_QUIET: a->quiet = 1; a->verbose = 0; break;
	case G_ASKPASS: a->ask_pass = 1; break;
	case G_HELP: a->help = 1; break;
	case G_VERSION: a->version = 1; break;
	}
}

/* Apply a global option, taking its value from "--opt=value" or the next word. */
static int
take_global(struct args *a, int id, int takes, const char *name, const char *val, int argc,
    char **argv, int *i)
{
	if (takes && val == NULL) {
		if (*i + 1 >= argc)
			return csm_err_set(CSM_EUSAGE, "option %s needs a value", name);
		val = argv[++*i];
	} else if (!takes && val != NULL) {
		return csm_err_set(CSM_EUSAGE, "option %s takes no value", name);
	}
	set_global(a, id, val);
	return CSM_OK;
}

/*
 * Bundled short global options, as getopt(3) reads them: "-vv", "-qv", "-vo json",
 * "-ojson".  Every letter must be a short global option; one that takes a value takes
 * the rest of the word, or else the next word.  Returns 1 when argv[*i] was a bundle
 * (applied), 0 when it is not one, or CSM_EUSAGE.
 */
static int
take_bundle(struct args *a, int argc, char **argv, int *i)
{
	const char *w = argv[*i], *p;
	char one[3] = "-?";
	int id, takes;

	if (w[0] != '-' || w[1] == '-' || w[1] == '\0' || w[2] == '\0')
		return 0;
	for (p = w + 1; *p; p++) {
		one[1] = *p;
		if (global_opt(one, &takes) == G_NONE)
			return 0;
		if (takes)
			break;
	}
	for (p = w + 1; *p; p++) {
		one[1] = *p;
		id = global_opt(one, &takes);
		if (takes) {
			if (take_global(a, id, takes, one, p[1] ? p + 1 : NULL, argc, argv, i) !=
			    CSM_OK)
				return CSM_EUSAGE;
			break;
		}
		set_global(a, id, NULL);
	}
	return 1;
}

/* Number of words in an entry name ("host disable" = 2). */
static int
name_words(const char *name)
{
	int n = 1;

	for (; *name; name++)
		if (*name == ' ')
			n++;
	return n;
}

/* Does entry NAME equal the words w[0..k-1]? */
static int
name_matches(const char *name, char **w, int k)
{
	int i;
	size_t len;

	for (i = 0; i < k; i++) {
		len = strlen(w[i]);
		if (strncmp(name, w[i], len) != 0)
			return 0;
		name += len;
		if (i < k - 1) {
			if (*name != ' ')
				return 0;
			name++;
		}
	}
	return *name == '\0';
}

/* Split "--name=value" into name and value (the name is copied into buf). */
static const char *
split_eq(const char *s, char *buf, size_t len, const char **val)
{
	const char *eq = strchr(s, '=');

	*val = NULL;
	if (strncmp(s, "--", 2) != 0 || eq == NULL || (size_t)(eq - s) >= len)
		return s;
	memcpy(buf, s, (size_t)(eq - s));
	buf[eq - s] = '\0';
	*val = eq + 1;
	return buf;
}

int
args_parse(int argc, char **argv, const struct cmd_entry *const *table, struct args *a)
{
	char *words[3];
	int nwords = 0, i, k, takes, id, dashdash = 0;
	const struct cmd_entry *const *t;
	const struct cmd_entry *e = NULL;

	memset(a, 0, sizeof(*a));
	a->argv = xcalloc((size_t)argc + 1, sizeof(char *));

	/* Global options and the command words come first. */
	for (i = 1; i < argc; i++) {
		char nb[64];
		const char *val, *name = split_eq(argv[i], nb, sizeof(nb), &val);

		if ((id = global_opt(name, &takes)) != G_NONE) {
			if (take_global(a, id, takes, name, val, argc, argv, &i) != CSM_OK)
				return CSM_EUSAGE;
			continue;
		}
		if ((k = take_bundle(a, argc, argv, &i)) != 0) {
			if (k < 0)
				return CSM_EUSAGE;
			continue;
		}
		if (argv[i][0] == '-')
			break;
		if (nwords == 2)
			break;
		words[nwords++] = argv[i];
		/* Stop at the longest word sequence that names a command. */
		if (nwords == 1) {
			int longer = 0;
			for (t = table; *t; t++)
				if (name_words((*t)->name) == 2 && strncmp((*t)->name, argv[i],
				    strlen(argv[i])) == 0 && (*t)->name[strlen(argv[i])] == ' ')
					longer = 1;
			if (!longer) {
				i++;
				break;
			}
		}
	}
	if (nwords == 0) {
		if (i < argc)
			return csm_err_set(CSM_EUSAGE, "unknown option '%s'", argv[i]);
		return CSM_OK;
	}
	/* Prefer the two-word entry; fall back to one word ("schema" vs "schema install"). */
	for (k = nwords; k >= 1 && e == NULL; k--) {
		for (t = table; *t; t++) {
			if (name_words((*t)->name) == k && name_matches((*t)->name, words, k)) {
				e = *t;
				break;
			}
		}
		if (e != NULL && k < nwords)
			i--;	/* the second word is an argument, not a verb */
	}
	/* A noun alone may stand for its default verb ("journal" = "journal list"). */
	if (e == NULL && nwords == 1) {
		size_t wl = strlen(words[0]);
		for (t = table; *t; t++)
			if ((*t)->dflt && strncmp((*t)->name, words[0], wl) == 0 &&
			    (*t)->name[wl] == ' ')
				e = *t;
	}
	if (e == NULL) {
		char verbs[256] = "";
		size_t vl = 0, wl = strlen(words[0]);

		a->noun = words[0];
		for (t = table; *t; t++)
			if (strncmp((*t)->name, words[0], wl) == 0 && (*t)->name[wl] == ' ')
				vl += (size_t)snprintf(verbs + vl, sizeof(verbs) - vl, "%s%s",
				    vl ? ", " : "", (*t)->name + wl + 1);
		if (vl > 0)
			return csm_err_set(CSM_EUSAGE, "'%s' needs one of: %s", words[0], verbs);
		if (nwords == 2)
			return csm_err_set(CSM_EUSAGE, "unknown command '%s %s'", words[0],
			    words[1]);
		return csm_err_set(CSM_EUSAGE, "unknown command '%s'", words[0]);
	}
	a->entry = e;

	/* The rest: command options, global options and positional arguments. */
	for (; i < argc; i++) {
		char nb[64];
		const char *val, *name;
		const struct cmd_opt *o;
		int oi;

		if (dashdash || argv[i][0] != '-' || strcmp(argv[i], "-") == 0) {
			a->argv[a->argc++] = argv[i];
			continue;
		}
		if (strcmp(argv[i], "--") == 0) {
			dashdash = 1;
			continue;
		}
		name = split_eq(argv[i], nb, sizeof(nb), &val);
		if ((id = global_opt(name, &takes)) != G_NONE) {
			if (take_global(a, id, takes, name, val, argc, argv, &i) != CSM_OK)
				return CSM_EUSAGE;
			continue;
		}
		if ((k = take_bundle(a, argc, argv, &i)) != 0) {
			if (k < 0)
				return CSM_EUSAGE;
			continue;
		}
		for (o = e->opts, oi = 0; o != NULL && o->name != NULL; o++, oi++)
			if (strcmp(o->name, name) == 0)
				break;
		if (o == NULL || o->name == NULL)
			return csm_err_set(CSM_EUSAGE, "unknown option '%s' for '%s'", name,
			    e->name);
		if (o->arg != NULL) {
			if (val == NULL) {
				if (i + 1 >= argc)
					return csm_err_set(CSM_EUSAGE, "option %s needs a value (%s)",
					    name, o->arg);
				val = argv[++i];
			}
		} else {
			if (val != NULL)
				return csm_err_set(CSM_EUSAGE, "option %s takes no value", name);
			val = "";
		}
		if (a->optv[oi] != NULL && o->arg != NULL)
			return csm_err_set(CSM_EUSAGE, "option %s given twice", name);
		a->optv[oi] = val;
	}
	if (a->help)
		return CSM_OK;
	if (a->argc < e->min_args)
		return csm_err_set(CSM_EUSAGE, "'%s' needs %s%s", e->name,
		    e->args && *e->args ? e->args : "more arguments",
		    a->argc ? "" : "");
	if (e->max_args >= 0 && a->argc > e->max_args)
		return csm_err_set(CSM_EUSAGE, "too many arguments for '%s': '%s'", e->name,
		    a->argv[e->max_args]);
	return CSM_OK;
}

void
args_free(struct args *a)
{
	free(a->argv);
	a->argv = NULL;
}
