/* conf.c: read csmaint.conf with libconfig into struct conf, with strict validation. */
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* Refuse a file that holds a secret when group or others may read it (doas). */
static int
check_private(const char *path, const char *what)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return csm_err_set(CSM_EUSAGE, "cannot read %s '%s': %s", what, path,
		    strerror(errno));
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		return csm_err_set(CSM_EUSAGE,
		    "%s '%s' holds a password and is accessible by group or others "
		    "(mode %04o): run 'chmod 600 %s'", what, path,
		    (unsigned)(st.st_mode & 07777), path);
	return CSM_OK;
}

int
conf_read_secret_file(const char *path, char **out)
{
	char buf[1024];
	ssize_t n;
	int fd, rc;
	char *nl;

	*out = NULL;
	if ((rc = check_private(path, "password file")) != CSM_OK)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return csm_err_set(CSM_EUSAGE, "cannot read password file '%s': %s", path,
		    strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return csm_err_set(CSM_EUSAGE, "cannot read password file '%s': %s", path,
		    strerror(errno));
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

static int
set_key(struct conf *c, const char *file, const config_setting_t *s, const struct key *k,
    int *secret)
{
	int line = config_setting_source_line(s);
	int type = config_setting_type(s);
	char *base = (char *)c;
	double d;

	switch (k->type) {
	case K_STR:
		if (type != CONFIG_TYPE_STRING)
			return csm_err_set(CSM_EUSAGE, "%s:%d: '%s' must be a string in quotes",
			    file, line, k->name);
		if (k->off != 0) {
			char **dst = (char **)(base + k->off);
			free(*dst);
			*dst = xstrdup(config_setting_get_string(s));
		}
		if (k->secret)
			*secret = 1;
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
load_group(struct conf *c, const char *file, const config_setting_t *g,
    const struct key *keys, const char *gname, int *secret, const char **pwfile)
{
	int i, n = config_setting_length(g), rc;

	if (!config_setting_is_group(g))
		return csm_err_set(CSM_EUSAGE, "%s:%d: '%s' must be a group: %s = { … };",
		    file, config_setting_source_line(g), gname, gname);
	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		const struct key *k;

		for (k = keys; k->name != NULL; k++)
			if (strcmp(k->name, name) == 0)
				break;
		if (k->name == NULL)
			return csm_err_set(CSM_EUSAGE, "%s:%d: unknown key '%s%s%s'", file,
			    config_setting_source_line(s), gname ? gname : "",
			    gname ? "." : "", name);
		if ((rc = set_key(c, file, s, k, secret)) != CSM_OK)
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

int
conf_load(const char *path, struct conf **out)
{
	const char *file = conf_path(path);
	const char *db_pwfile = NULL, *xa_pwfile = NULL;
	config_t cfg;
	config_setting_t *root;
	struct conf *c;
	int i, n, rc = CSM_OK, secret = 0, db_secret = 0, xa_secret = 0;
	FILE *fp;

	*out = NULL;
	fp = fopen(file, "r");
	if (fp == NULL)
		return csm_err_set(CSM_EUSAGE, "cannot read configuration '%s': %s%s", file,
		    strerror(errno), path == NULL ? " (use -c FILE or set CSMAINT_CONF)" : "");
	c = xcalloc(1, sizeof(*c));
	set_defaults(c);
	c->path = xstrdup(file);
	config_init(&cfg);
	if (config_read(&cfg, fp) != CONFIG_TRUE) {
		rc = csm_err_set(CSM_EUSAGE, "%s:%d: %s", file, config_error_line(&cfg),
		    config_error_text(&cfg));
		fclose(fp);
		goto out;
	}
	fclose(fp);
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
			int *sec = strcmp(name, "database") == 0 ? &db_secret : &xa_secret;
			const char **pw = strcmp(name, "database") == 0 ? &db_pwfile : &xa_pwfile;
			rc = load_group(c, file, s, g->keys, name, sec, pw);
		} else {
			const struct key *k;

			for (k = top_keys; k->name != NULL; k++)
				if (strcmp(k->name, name) == 0)
					break;
			if (k->name == NULL)
				rc = csm_err_set(CSM_EUSAGE, "%s:%d: unknown key '%s'", file,
				    config_setting_source_line(s), name);
			else
				rc = set_key(c, file, s, k, &secret);
		}
	}
	if (rc != CSM_OK)
		goto out;
	if (config_lookup(&cfg, "database") == NULL) {
		rc = csm_err_set(CSM_EUSAGE, "%s: missing group 'database = { … };'", file);
		goto out;
	}
	if ((db_secret || xa_secret) && (rc = check_private(file, "configuration")) != CSM_OK)
		goto out;
	if (!conf_valid_identifier(c->db.name) || !conf_valid_identifier(c->db.journal)) {
		rc = csm_err_set(CSM_EUSAGE, "%s: database.name and database.journal must be "
		    "plain schema names (letters, digits, '_')", file);
		goto out;
	}
	if (strcmp(c->db.name, c->db.journal) == 0) {
		rc = csm_err_set(CSM_EUSAGE, "%s: database.journal must differ from "
		    "database.name: csmaint never creates tables in the CloudStack schema", file);
		goto out;
	}
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
	free(c->syslog_facility);
	free(c);
}
