/*
 * conf.h: the configuration file (libconfig) as a plain struct.
 *
 * conf_load() reads FILE (or $CSMAINT_CONF, or the default path), validates every key
 * and copies every string, so the libconfig tree is gone when it returns.  Secrets
 * (passwords) are copied too and wiped by conf_free().  A file holding a secret that is
 * readable by group or others is refused (the configuration, a file it @includes, a
 * password or option file).  Every one of these must be a regular file (a FIFO is
 * refused, not waited on); configuration files are at most 1 MiB, @include paths
 * absolute.
 */
#ifndef CSM_CONF_H
#define CSM_CONF_H

struct conf_db {
	char	*host;			/* NULL: use socket or the client default */
	int	 port;			/* 0: default 3306 */
	char	*socket;
	char	*user;
	char	*password;		/* secret: from password or password_file */
	char	*defaults_file;		/* MariaDB option file (may hold user/password) */
	char	*defaults_group;
	char	*name;			/* CloudStack schema, default "cloud" */
	char	*journal;		/* csmaint's schema, default "csmaint" */
	int	 lock_wait_timeout;	/* seconds, default 5 */
	int	 connect_timeout;	/* seconds, default 10 */
};

struct conf_xenapi {
	char	*url;			/* "https://%s/": %s = host private_ip_address */
	char	*user;
	char	*password;		/* secret: password, or read by conf_xapi_password() */
	char	*password_file;
	char	*ca_file;
	char	*pinned_pubkey;
	int	 verify;		/* default 1 */
	double	 timeout;		/* seconds per call, default 30 */
	double	 connect_timeout;	/* default 10 */
	char	*proxy;
	char	*update_sr;		/* 7.1+: SR (uuid or name) for uploads; NULL: default */
};

struct conf_procedure {
	double	 poll_interval;		/* default 2.0 */
	double	 wait_timeout;		/* default 3600 */
	double	 reboot_timeout;	/* default 1800 */
};

struct conf {
	char			*path;		/* the file that was read */
	struct conf_db		 db;
	struct conf_xenapi	 xapi;
	struct conf_procedure	 proc;
	char			*syslog_facility;	/* default "authpriv" */
};

/* The default path when neither -c nor $CSMAINT_CONF is given. */
#define CONF_DEFAULT_PATH SYSCONFDIR "/csmaint/csmaint.conf"

/* Which file conf_load() will read: path, else $CSMAINT_CONF, else the default. */
const char *conf_path(const char *path);

/* Load and validate; on failure *out is NULL and the message names file and line. */
int conf_load(const char *path, struct conf **out);
void conf_free(struct conf *c);

/* Is NAME a plain SQL identifier we can quote safely (letters, digits, _ and $)? */
int conf_valid_identifier(const char *name);

/* Read a secret from a file: first line, no newline; refuses group/other-readable files. */
int conf_read_secret_file(const char *path, char **out);

/* Read xenapi.password_file now (only commands that talk to XenAPI need it). */
int conf_xapi_password(struct conf *c);

/* Prompt on the terminal without echo (for --ask-pass). */
int conf_ask_password(const char *prompt, char **out);

#endif
