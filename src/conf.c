/* conf.c: read csmaint.conf with libconfig into struct conf, with strict validation. */
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "csmaint.h"
#include "conf.h"

enum key_type { K_STR, K_INT, K_NUM, K_BOOL };

struct key {
	const char	*name;
	enum key_type	 type;
	size_t		 off;		/* offset in struct conf */
	int		 secret;	/* holding it makes the file a secrets file */
	double		 min, max;	/* for numbers */
};

#define DB(f) offsetof(struct conf, db.f)
#define XA(f) offsetof(struct conf, xapi.f)
#define PR(f) offsetof(struct conf, proc.f)

static const struct key db_keys[] = {
	{ "host", K_STR, DB(host), 0, 0, 0 },
	{ "port", K_INT, DB(port), 0, 1, 65535 },
	{ "socket", K_STR, DB(socket), 0, 0, 0 },
	{ "user", K_STR, DB(user), 0, 0, 0 },
	{ "password", K_STR, DB(password), 1, 0, 0 },
	{ "password_file", K_STR, 0, 0, 0, 0 },		/* read below */
	{ "defaults_file", K_STR, DB(defaults_file), 0, 0, 0 },
	{ "defaults_group", K_STR, DB(defaults_group), 0, 0, 0 },
	{ "name", K_STR, DB(name), 0, 0, 0 },
	{ "journal", K_STR, DB(journal), 0, 0, 0 },
	{ "lock_wait_timeout", K_INT, DB(lock_wait_timeout), 0, 1, 3600 },
	{ "connect_timeout", K_INT, DB(connect_timeout), 0, 1, 3600 },
	{ NULL, 0, 0, 0, 0, 0 }
};

static const struct key xapi_keys[] = {
	{ "url", K_STR, XA(url), 0, 0, 0 },
	{ "user", K_STR, XA(user), 0, 0, 0 },
	{ "password", K_STR, XA(password), 1, 0, 0 },
	{ "password_file", K_STR, 0, 0, 0, 0 },
	{ "ca_file", K_STR, XA(ca_file), 0, 0, 0 },
	{ "pinned_pubkey", K_STR, XA(pinned_pubkey), 0, 0, 0 },
	{ "verify", K_BOOL, XA(verify), 0, 0, 0 },
	{ "timeout", K_NUM, XA(timeout), 0, 0.1, 86400 },
	{ "connect_timeout", K_NUM, XA(connect_timeout), 0, 0.1, 3600 },
	{ "proxy", K_STR, XA(proxy), 0, 0, 0 },
	{ "update_sr", K_STR, XA(update_sr), 0, 0, 0 },
	{ NULL, 0, 0, 0, 0, 0 }
};

static const struct key proc_keys[] = {
	{ "poll_interval", K_NUM, PR(poll_interval), 0, 0.01, 3600 },
	{ "wait_timeout", K_NUM, PR(wait_timeout), 0, 0, 30 * 86400 },
	{ "reboot_timeout", K_NUM, PR(reboot_timeout), 0, 0, 86400 },
	{ NULL, 0, 0, 0, 0, 0 }
};

static const struct key top_keys[] = {
	{ "syslog_facility", K_STR, offsetof(struct conf, syslog_facility), 0, 0, 0 },
	{ NULL, 0, 0, 0, 0, 0 }
};

struct group {
	const char		*name;
	const struct key	*keys;
};

static const struct group groups[] = {
	{ "database", db_keys },
	{ "xenapi", xapi_keys },
	{ "procedure", proc_keys },
	{ NULL, NULL }
};

const char *
conf_path(const char *path)
{
	const char *env;

	if (path != NULL)
		return path;
	env = getenv("CSMAINT_CONF");
	if (env != NULL && *env != '\0')
		return env;
	return CONF_DEFAULT_PATH;
}

int
conf_valid_identifier(const char *name)
{
	const char *p;

	if (name == NULL || *name == '\0' || strlen(name) > 64)
		return 0;
	for (p = name; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '$'))
			return 0;
	}
	return 1;
}

/* Configuration and secret files are small; anything bigger is the wrong file. */
#define CONF_MAX_BYTES	(1024 * 1024)

/* At most this many @include files in all, nested ones counted. */
#define CONF_MAX_INCLUDES 32

static const char *
file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

/*
 * Open a file csmaint reads settings or a secret from, refusing at once anything but a
 * regular file: O_NONBLOCK so that opening a FIFO cannot hang, then fstat() on what
 * was opened (no window between the check and the read).
 */
static int
open_regular(const char *path, const char *what, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0)
		return csm_err_set(CSM_EUSAGE, "cannot read %s '%s': %s", what, path,
		    strerror(errno));
	if (fstat(fd, st) != 0) {
		int e = errno;
		close(fd);
		return csm_err_set(CSM_EUSAGE, "cannot read %s '%s': %s", what, path,
		    strerror(e));
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return csm_err_set(CSM_EUSAGE, "%s '%s' is %s, not a regular file", what, path,
		    file_kind(st->st_mode));
	}
	return fd;
}

/* Refuse a file that holds a secret when group or others may read it (doas). */
static int
check_mode(const char *path, const char *what, const struct stat *st)
{
	if (st->st_mode & (S_IRWXG | S_IRWXO))
		return csm_err_set(CSM_EUSAGE,
		    "%s '%s' holds a password and is accessible by group or others "
		    "(mode %04o): run 'chmod 600 %s'", what, path,
		    (unsigned)(st->st_mode & 07777), path);
	return CSM_OK;
}

/* The same for a file that someone else reads (the MariaDB option file). */
static int
check_private(const char *path, const char *what)
{
	struct stat st;
	int fd;

	if ((fd = open_regular(path, what, &st)) < 0)
		return fd;
	close(fd);
	return check_mode(path, what, &st);
}

/*
 * Read a whole configuration file into memory (NUL-terminated), at most CONF_MAX_BYTES.
 * Reading it ourselves and handing libconfig a string keeps parsing linear: libconfig
 * 1.5 reading a stream is quadratic in the length of a line (a 16 MB comment line took
 * two minutes).
 */
static int
slurp(const char *path, const char *what, char **out, struct stat *st)
{
	size_t len = 0, cap;
	char *buf;
	ssize_t n;
	int fd;

	*out = NULL;
	if ((fd = open_regular(path, what, st)) < 0)
		return fd;
	if (st->st_size > CONF_MAX_BYTES) {
		close(fd);
		return csm_err_set(CSM_EUSAGE, "%s '%s' is too large (%lld bytes; csmaint "
		    "reads at most %d, 1 MiB): is it the right file?", what, path,
		    (long long)st->st_size, CONF_MAX_BYTES);
	}
	/* One byte more than fstat() said, to notice a file that grows meanwhile. */
	cap = (size_t)st->st_size + 1;
	buf = xmalloc(cap + 1);
	while (len < cap) {
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			csm_explicit_bzero(buf, len);
			free(buf);
			close(fd);
			return csm_err_set(CSM_EUSAGE, "cannot read %s '%s': %s", what, path,
			    strerror(e));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len == cap) {
		csm_explicit_bzero(buf, len);
		free(buf);
		close(fd);
		return csm_err_set(CSM_EUSAGE, "%s '%s' changed while csmaint read it", what,
		    path);
	}
	close(fd);
	buf[len] = '\0';
	/* libconfig would stop at a NUL and silently ignore the rest of the file. */
	if (strlen(buf) != len) {
		size_t at = strlen(buf);
		csm_explicit_bzero(buf, len);
		free(buf);
		return csm_err_set(CSM_EUSAGE, "%s '%s' contains a NUL byte (offset %zu): not "
		    "a text file", what, path, at);
	}
	*out = buf;
	return CSM_OK;
}

/* The files named by @include, as conf_load() found and checked them. */
struct incl {
	char		*path;		/* as written, which is what libconfig opens */
	struct stat	 st;
};

struct incl_set {
	struct incl	 v[CONF_MAX_INCLUDES];
	int		 n;
};

static int scan_includes(struct incl_set *set, const char *from, const char *text,
    int depth);

/* One @include NAME found at FROM:LINE: check it the way we check the main file. */
static int
take_include(struct incl_set *set, const char *from, int line, const char *name, int depth)
{
	struct stat st;
	char *text;
	int rc;

	if (name[0] != '/')
		return csm_err_set(CSM_EUSAGE, "%s:%d: @include \"%s\" is a relative path: give "
		    "an absolute one (libconfig would look for it in the current directory)",
		    from, line, name);
	if (set->n == CONF_MAX_INCLUDES)
		return csm_err_set(CSM_EUSAGE, "%s:%d: more than %d @include files", from,
		    line, CONF_MAX_INCLUDES);
	/* libconfig stops at this depth with its own error: no need to look further. */
	if (depth >= 10)
		return CSM_OK;
	if ((rc = slurp(name, "included file", &text, &st)) != CSM_OK)
		return csm_err_prefix("%s:%d", from, line), rc;
	set->v[set->n].path = xstrdup(name);
	set->v[set->n].st = st;
	set->n++;
	rc = scan_includes(set, name, text, depth + 1);
	csm_explicit_bzero(text, strlen(text));		/* it may hold a password */
	free(text);
	return rc;
}

/*
 * Find every "@include" directive of TEXT as libconfig 1.5's scanner does
 * (lib/scanner.l): at the start of a line, outside comments and strings,
 * ^[ \t]*@include[ \t]+"NAME" where NAME may escape \\ and \".  libconfig 1.5 has no
 * hook to check an included file (config_set_include_func is 1.7), so each one is
 * opened and checked here first; FROM names TEXT in messages.
 */
static int
scan_includes(struct incl_set *set, const char *from, const char *text, int depth)
{
	const char *p = text, *q;
	int line = 1, bol = 1, rc;

	while (*p != '\0') {
		if (bol) {
			bol = 0;
			for (q = p; *q == ' ' || *q == '\t'; q++)
				;
			if (strncmp(q, "@include", 8) == 0 && (q[8] == ' ' || q[8] == '\t')) {
				int at = line;
				size_t len = 0;
				char *name;

				for (q += 8; *q == ' ' || *q == '\t'; q++)
					;
				if (*q == '"') {
					name = xmalloc(strlen(q) + 1);
					for (q++; *q != '\0' && *q != '"'; q++) {
						if (*q == '\\' && (q[1] == '\\' || q[1] == '"'))
							q++;
						else if (*q == '\\')
							continue;	/* flex drops a lone one */
						if (*q == '\n')
							line++;
						name[len++] = *q;
					}
					name[len] = '\0';
					if (*q == '\0') {	/* unterminated: libconfig says so */
						free(name);
						return CSM_OK;
					}
					rc = take_include(set, from, at, name, depth);
					free(name);
					if (rc != CSM_OK)
						return rc;
					p = q + 1;
					continue;
				}
			}
		}
		if (*p == '\n') {
			line++;
			bol = 1;
			p++;
		} else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			while (*p != '\0' && *p != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			for (p += 2; *p != '\0' && !(p[0] == '*' && p[1] == '/'); p++)
				if (*p == '\n')
					line++;
			if (*p != '\0')
				p += 2;
		} else if (*p == '"') {
			for (p++; *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				if (*p == '\n')
					line++;
			}
			if (*p != '\0')
				p++;
		} else {
			p++;
		}
	}
	return CSM_OK;
}

int
conf_read_secret_file(const char *path, char **out)
{
	char buf[1024];
	struct stat st;
	ssize_t n;
	int fd, rc;
	char *nl;

	*out = NULL;
	if ((fd = open_regular(path, "password file", &st)) < 0)
		return fd;
	if ((rc = check_mode(path, "password file", &st)) != CSM_OK) {
		close(fd);
		return rc;
	}
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		int e = errno;
		close(fd);
		return csm_err_set(CSM_EUSAGE, "cannot read password file '%s': %s", path,
		    strerror(e));
	}
	close(fd);
	buf[n] = '\0';
	if ((nl = strpbrk(buf, "\r\n")) != NULL)
		*nl = '\0';
	if (buf[0] == '\0') {
		csm_explicit_bzero(buf, sizeof(buf));
		return csm_err_set(CSM_EUSAGE, "password file '%s' is empty", path);
	}
	*out = xstrdup(buf);
	csm_explicit_bzero(buf, sizeof(buf));
	return CSM_OK;
}

int
conf_xapi_password(struct conf *c)
{
	if (c->xapi.password != NULL || c->xapi.password_file == NULL)
		return CSM_OK;
	return conf_read_secret_file(c->xapi.password_file, &c->xapi.password);
}

int
conf_ask_password(const char *prompt, char **out)
{
	struct termios old, noecho;
	char buf[1024];
	FILE *tty;
	char *nl;
	int restore = 0;

	*out = NULL;
	tty = fopen("/dev/tty", "r+");
	if (tty == NULL)
		return csm_err_set(CSM_EUSAGE, "--ask-pass needs a terminal: %s",
		    strerror(errno));
	if (tcgetattr(fileno(tty), &old) == 0) {
		noecho = old;
		noecho.c_lflag &= ~(tcflag_t)ECHO;
		if (tcsetattr(fileno(tty), TCSAFLUSH, &noecho) == 0)
			restore = 1;
	}
	fputs(prompt, tty);
	fflush(tty);
	if (fgets(buf, sizeof(buf), tty) == NULL)
		buf[0] = '\0';
	if (restore)
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	if ((nl = strpbrk(buf, "\r\n")) != NULL)
		*nl = '\0';
	*out = xstrdup(buf);
	csm_explicit_bzero(buf, sizeof(buf));
	return CSM_OK;
}

/* A path in the config file is relative to the file's own directory. */
static char *
resolve_path(const char *conf_file, const char *p)
{
	char *copy, *dir, *r;

	if (p[0] == '/')
		return xstrdup(p);
	copy = xstrdup(conf_file);
	dir = dirname(copy);
	r = xasprintf("%s/%s", dir, p);
	free(copy);
	return r;
}

/* What set_key() needs to name and check the file a setting came from. */
struct load {
	const char		*file;		/* the configuration file */
	const struct stat	*st;		/* its mode, from the open we read it through */
	const struct incl_set	*incs;		/* the files it @includes */
};

/* The file setting S was read from: the configuration or one of its @include files. */
static const char *
src_file(const struct load *l, const config_setting_t *s)
{
	const char *f = config_setting_source_file(s);

	return f != NULL ? f : l->file;
}

/* A secret was read from the file S came from: that file must be private. */
static int
check_secret_source(const struct load *l, const config_setting_t *s)
{
	const char *f = config_setting_source_file(s);
	int i;

	if (f == NULL)
		return check_mode(l->file, "configuration", l->st);
	for (i = 0; i < l->incs->n; i++)
		if (strcmp(l->incs->v[i].path, f) == 0)
			return check_mode(f, "included file", &l->incs->v[i].st);
	return check_private(f, "included file");	/* not seen by scan_includes() */
}

static int
set_key(struct conf *c, const struct load *l, const config_setting_t *s, const struct key *k)
{
	const char *file = src_file(l, s);
	int line = config_setting_source_line(s);
	int type = config_setting_type(s);
	char *base = (char *)c;
	double d;
	int rc;

	switch (k->type) {
	case K_STR:
		if (type != CONFIG_TYPE_STRING)
			return csm_err_set(CSM_EUSAGE, "%s:%d: '%s' must be a string in quotes",
			    file, line, k->name);
		if (k->secret && (rc = check_secret_source(l, s)) != CSM_OK)
			return rc;
		if (k->off != 0) {
			char **dst = (char **)(base + k->off);
			if (k->secret && *dst != NULL)
				csm_explicit_bzero(*dst, strlen(*dst));
			free(*dst);
			*dst = xstrdup(config_setting_get_string(s));
		}
		return CSM_OK;
	case K_INT:
		if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
			return csm_err_set(CSM_EUSAGE, "%s:%d: '%s' must be a whole number",
			    file, line, k->name);
		d = (double)config_setting_get_int64(s);
		if (d < k->min || d > k->max)
			return csm_err_set(CSM_EUSAGE, "%s:%d: '%s' must be between %g and %g",
			    file, line, k->name, k->min, k->max);
		*(int *)(base + k->off) = (int)d;
		return CSM_OK;
	case K_NUM:
		if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64)
			d = (double)config_setting_get_int64(s);
		else if (type == CONFIG_TYPE_FLOAT)
			d = config_setting_get_float(s);
		else
			return csm_err_set(CSM_EUSAGE, "%s:%d: '%s' must be a number",
			    file, line, k->name);
		if (d < k->min || d > k->max)
			return csm_err_set(CSM_EUSAGE, "%s:%d: '%s' must be between %g and %g",
			    file, line, k->name, k->min, k->max);
		*(double *)(base + k->off) = d;
		return CSM_OK;
	case K_BOOL:
		if (type != CONFIG_TYPE_BOOL)
			return csm_err_set(CSM_EUSAGE, "%s:%d: '%s' must be true or false",
			    file, line, k->name);
		*(int *)(base + k->off) = config_setting_get_bool(s);
		return CSM_OK;
	}
	return CSM_EFAIL;
}

/* Apply every member of a group, refusing names we do not know (typos are errors). */
static int
load_group(struct conf *c, const struct load *l, const config_setting_t *g,
    const struct key *keys, const char *gname, const char **pwfile)
{
	int i, n = config_setting_length(g), rc;

	if (!config_setting_is_group(g))
		return csm_err_set(CSM_EUSAGE, "%s:%d: '%s' must be a group: %s = { … };",
		    src_file(l, g), config_setting_source_line(g), gname, gname);
	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		const struct key *k;

		for (k = keys; k->name != NULL; k++)
			if (strcmp(k->name, name) == 0)
				break;
		if (k->name == NULL)
			return csm_err_set(CSM_EUSAGE, "%s:%d: unknown key '%s%s%s'",
			    src_file(l, s), config_setting_source_line(s), gname ? gname : "",
			    gname ? "." : "", name);
		if ((rc = set_key(c, l, s, k)) != CSM_OK)
			return rc;
		if (strcmp(name, "password_file") == 0)
			*pwfile = config_setting_get_string(s);
	}
	return CSM_OK;
}

static void
set_defaults(struct conf *c)
{
	c->db.name = xstrdup("cloud");
	c->db.journal = xstrdup("csmaint");
	c->db.lock_wait_timeout = 5;
	c->db.connect_timeout = 10;
	c->xapi.url = xstrdup("https://%s/");
	c->xapi.user = xstrdup("root");
	c->xapi.verify = 1;
	c->xapi.timeout = 30;
	c->xapi.connect_timeout = 10;
	c->proc.poll_interval = 2.0;
	c->proc.wait_timeout = 3600;
	c->proc.reboot_timeout = 1800;
	c->syslog_facility = xstrdup("authpriv");
}

/* The xenapi.url template may hold one "%s" and no other conversion. */
static int
check_url(const char *file, const char *url)
{
	const char *p;
	int n = 0;

	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
		return csm_err_set(CSM_EUSAGE, "%s: xenapi.url '%s' must start with https:// "
		    "(or http://)", file, url);
	for (p = url; (p = strchr(p, '%')) != NULL; p += 2) {
		if (p[1] != 's')
			return csm_err_set(CSM_EUSAGE,
			    "%s: xenapi.url may contain only '%%s' (the host's address)", file);
		n++;
	}
	if (n > 1)
		return csm_err_set(CSM_EUSAGE, "%s: xenapi.url may contain '%%s' only once",
		    file);
	return CSM_OK;
}

/* Schemas csmaint must never take as its journal: the server's own, and CloudStack's. */
static int
check_journal_name(const char *file, const struct conf *c)
{
	static const char *const system[] = { "mysql", "information_schema",
	    "performance_schema", "sys" };
	size_t i;

	/* Compared without case: lower_case_table_names servers fold schema names. */
	for (i = 0; i < sizeof(system) / sizeof(system[0]); i++)
		if (strcasecmp(c->db.journal, system[i]) == 0)
			return csm_err_set(CSM_EUSAGE, "%s: database.journal '%s' is a system "
			    "schema of the server: give csmaint its own schema (default "
			    "'csmaint')", file, c->db.journal);
	if (strcasecmp(c->db.name, c->db.journal) == 0)
		return csm_err_set(CSM_EUSAGE, "%s: database.journal must differ from "
		    "database.name: csmaint never creates tables in the CloudStack schema",
		    file);
	return CSM_OK;
}

int
conf_load(const char *path, struct conf **out)
{
	const char *file = conf_path(path);
	const char *db_pwfile = NULL, *xa_pwfile = NULL;
	struct incl_set *incs = xcalloc(1, sizeof(*incs));
	struct stat st;
	struct load l = { file, &st, incs };
	config_t cfg;
	config_setting_t *root;
	struct conf *c;
	char *text = NULL;
	int i, n, rc = CSM_OK;

	*out = NULL;
	if ((rc = slurp(file, "configuration", &text, &st)) != CSM_OK) {
		free(incs);
		if (path == NULL) {
			char msg[1024];
			snprintf(msg, sizeof(msg), "%s", csm_err_msg());
			csm_err_set(rc, "%s (use -c FILE or set CSMAINT_CONF)", msg);
		}
		return rc;
	}
	c = xcalloc(1, sizeof(*c));
	set_defaults(c);
	c->path = xstrdup(file);
	config_init(&cfg);
	if ((rc = scan_includes(incs, file, text, 0)) != CSM_OK)
		goto out;
	if (config_read_string(&cfg, text) != CONFIG_TRUE) {
		rc = csm_err_set(CSM_EUSAGE, "%s:%d: %s", config_error_file(&cfg) ?
		    config_error_file(&cfg) : file, config_error_line(&cfg),
		    config_error_text(&cfg));
		goto out;
	}
	root = config_root_setting(&cfg);
	n = config_setting_length(root);
	for (i = 0; i < n && rc == CSM_OK; i++) {
		const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		const char *name = config_setting_name(s);
		const struct group *g;

		for (g = groups; g->name != NULL; g++)
			if (strcmp(g->name, name) == 0)
				break;
		if (g->name != NULL) {
			const char **pw = strcmp(name, "database") == 0 ? &db_pwfile : &xa_pwfile;
			rc = load_group(c, &l, s, g->keys, name, pw);
		} else {
			const struct key *k;

			for (k = top_keys; k->name != NULL; k++)
				if (strcmp(k->name, name) == 0)
					break;
			if (k->name == NULL)
				rc = csm_err_set(CSM_EUSAGE, "%s:%d: unknown key '%s'",
				    src_file(&l, s), config_setting_source_line(s), name);
			else
				rc = set_key(c, &l, s, k);
		}
	}
	if (rc != CSM_OK)
		goto out;
	if (config_lookup(&cfg, "database") == NULL) {
		rc = csm_err_set(CSM_EUSAGE, "%s: missing group 'database = { … };'", file);
		goto out;
	}
	if (!conf_valid_identifier(c->db.name) || !conf_valid_identifier(c->db.journal)) {
		rc = csm_err_set(CSM_EUSAGE, "%s: database.name and database.journal must be "
		    "plain schema names (letters, digits, '_')", file);
		goto out;
	}
	if ((rc = check_journal_name(file, c)) != CSM_OK)
		goto out;
	if (c->db.user == NULL && c->db.defaults_file == NULL) {
		rc = csm_err_set(CSM_EUSAGE, "%s: missing key 'database.user' (or "
		    "'database.defaults_file')", file);
		goto out;
	}
	if (db_pwfile != NULL && c->db.password != NULL) {
		rc = csm_err_set(CSM_EUSAGE, "%s: give database.password or "
		    "database.password_file, not both", file);
		goto out;
	}
	if (db_pwfile != NULL) {
		char *p = resolve_path(file, db_pwfile);
		rc = conf_read_secret_file(p, &c->db.password);
		free(p);
		if (rc != CSM_OK)
			goto out;
	}
	if (c->db.defaults_file != NULL) {
		char *p = resolve_path(file, c->db.defaults_file);
		free(c->db.defaults_file);
		c->db.defaults_file = p;
		if ((rc = check_private(p, "option file")) != CSM_OK)
			goto out;
	}
	if (xa_pwfile != NULL && c->xapi.password != NULL) {
		rc = csm_err_set(CSM_EUSAGE, "%s: give xenapi.password or xenapi.password_file, "
		    "not both", file);
		goto out;
	}
	/* The XenAPI password is read only by commands that talk to XenAPI. */
	if (xa_pwfile != NULL)
		c->xapi.password_file = resolve_path(file, xa_pwfile);
	if (c->xapi.pinned_pubkey != NULL &&
	    strncmp(c->xapi.pinned_pubkey, "sha256//", 8) != 0) {
		rc = csm_err_set(CSM_EUSAGE, "%s: xenapi.pinned_pubkey must look like "
		    "'sha256//BASE64' (the server key's SHA-256, base64)", file);
		goto out;
	}
	if (c->xapi.ca_file != NULL) {
		char *p = resolve_path(file, c->xapi.ca_file);
		free(c->xapi.ca_file);
		c->xapi.ca_file = p;
	}
	if ((rc = check_url(file, c->xapi.url)) != CSM_OK)
		goto out;
out:
	config_destroy(&cfg);
	/* The text may hold a password. */
	csm_explicit_bzero(text, strlen(text));
	free(text);
	for (i = 0; i < incs->n; i++)
		free(incs->v[i].path);
	free(incs);
	if (rc != CSM_OK) {
		conf_free(c);
		return rc;
	}
	*out = c;
	return CSM_OK;
}

static void
free_secret(char *s)
{
	if (s != NULL) {
		csm_explicit_bzero(s, strlen(s));
		free(s);
	}
}

void
conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	free(c->path);
	free(c->db.host);
	free(c->db.socket);
	free(c->db.user);
	free_secret(c->db.password);
	free(c->db.defaults_file);
	free(c->db.defaults_group);
	free(c->db.name);
	free(c->db.journal);
	free(c->xapi.url);
	free(c->xapi.user);
	free_secret(c->xapi.password);
	free(c->xapi.password_file);
	free(c->xapi.ca_file);
	free(c->xapi.pinned_pubkey);
	free(c->xapi.proxy);
	free(c->xapi.update_sr);
	free(c->syslog_facility);
	free(c);
}
