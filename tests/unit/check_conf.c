/* check_conf.c: unit tests for conf.c: defaults, validation, secrets, messages. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csmaint.h"
#include "conf.h"

static char dir[] = "/tmp/check_conf.XXXXXX";

static const char *
write_file(const char *name, const char *text, mode_t mode)
{
	static char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
	chmod(path, mode);
	return path;
}

static struct conf *
load_ok(const char *text)
{
	struct conf *c = NULL;
	int rc = conf_load(write_file("t.conf", text, 0600), &c);

	ck_assert_msg(rc == CSM_OK, "conf_load failed: %s", csm_err_msg());
	return c;
}

static void
load_fails(const char *text, mode_t mode, const char *msg)
{
	struct conf *c = NULL;
	int rc = conf_load(write_file("t.conf", text, mode), &c);

	ck_assert_int_eq(rc, CSM_EUSAGE);
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(csm_err_msg(), msg) != NULL, "message '%s' lacks '%s'",
	    csm_err_msg(), msg);
}

START_TEST(test_defaults)
{
	struct conf *c = load_ok("database = { user = \"u\"; };");

	ck_assert_str_eq(c->db.name, "cloud");
	ck_assert_str_eq(c->db.journal, "csmaint");
	ck_assert_int_eq(c->db.lock_wait_timeout, 5);
	ck_assert_ptr_null(c->db.password);
	ck_assert_str_eq(c->xapi.url, "https://%s/");
	ck_assert_int_eq(c->xapi.verify, 1);
	ck_assert(c->proc.poll_interval == 2.0);
	ck_assert(c->proc.reboot_timeout == 1800);
	ck_assert_str_eq(c->syslog_facility, "authpriv");
	conf_free(c);
}
END_TEST

START_TEST(test_all_keys)
{
	struct conf *c;

	write_file("pw", "dbsecret\n", 0600);
	write_file("xpw", "xsecret", 0600);
	c = load_ok("database = { host = \"127.0.0.1\"; port = 3307; user = \"u\";\n"
	    " password_file = \"pw\"; name = \"cs\"; journal = \"j\"; lock_wait_timeout = 3;\n"
	    " connect_timeout = 4; };\n"
	    "xenapi = { url = \"https://%s:4443/\"; user = \"root\"; password_file = \"xpw\";\n"
	    " ca_file = \"ca.pem\"; pinned_pubkey = \"sha256//x\"; verify = true;\n"
	    " timeout = 12.5; connect_timeout = 2; proxy = \"\"; };\n"
	    "procedure = { poll_interval = 0.25; wait_timeout = 60; reboot_timeout = 90; };\n"
	    "syslog_facility = \"local3\";\n");
	ck_assert_str_eq(c->db.host, "127.0.0.1");
	ck_assert_int_eq(c->db.port, 3307);
	ck_assert_str_eq(c->db.password, "dbsecret");	/* first line, no newline */
	ck_assert_ptr_null(c->xapi.password);	/* read only when XenAPI is used */
	ck_assert_int_eq(conf_xapi_password(c), CSM_OK);
	ck_assert_str_eq(c->xapi.password, "xsecret");
	ck_assert_str_eq(c->db.name, "cs");
	ck_assert_int_eq(c->db.connect_timeout, 4);
	ck_assert(c->xapi.timeout == 12.5);
	ck_assert(c->proc.poll_interval == 0.25);
	ck_assert_str_eq(c->syslog_facility, "local3");
	/* Relative paths are relative to the config file's directory. */
	ck_assert_ptr_nonnull(strstr(c->xapi.ca_file, dir));
	conf_free(c);
}
END_TEST

START_TEST(test_errors)
{
	load_fails("database = { user = \"u\"; port = 70000; };", 0600,
	    "'port' must be between 1 and 65535");
	load_fails("database = { user = \"u\";\n bogus = 1; };", 0600,
	    "t.conf:2: unknown key 'database.bogus'");
	load_fails("toplevel = 1;\ndatabase = { user = \"u\"; };", 0600,
	    "unknown key 'toplevel'");
	load_fails("database = { user = 5; };", 0600, "'user' must be a string");
	load_fails("database = { user = \"u\" ", 0600, "t.conf:1:");
	load_fails("xenapi = { };", 0600, "missing group 'database");
	load_fails("database = { port = 1; };", 0600, "missing key 'database.user'");
	load_fails("database = { user = \"u\"; name = \"a-b\"; };", 0600,
	    "plain schema names");
	load_fails("database = { user = \"u\"; };\nxenapi = { url = \"ftp://x\"; };", 0600,
	    "must start with https://");
	load_fails("database = { user = \"u\"; };\nxenapi = { url = \"https://%d/\"; };", 0600,
	    "may contain only '%s'");
	load_fails("database = { user = \"u\"; };\nxenapi = { verify = 1; };", 0600,
	    "'verify' must be true or false");
	load_fails("database = { user = \"u\"; };\nprocedure = { poll_interval = 0; };", 0600,
	    "'poll_interval' must be between");
	load_fails("database = \"x\";", 0600, "'database' must be a group");
	load_fails("database = { user = \"u\"; };\nxenapi = { pinned_pubkey = \"abc\"; };",
	    0600, "must look like 'sha256//BASE64'");
}
END_TEST

START_TEST(test_secret_permissions)
{
	struct conf *c = NULL;

	load_fails("database = { user = \"u\"; password = \"p\"; };", 0644,
	    "holds a password and is accessible by group or others (mode 0644)");
	load_fails("database = { user = \"u\"; password = \"p\"; };", 0604, "chmod 600");
	/* Without a secret the file may be readable by all. */
	ck_assert_int_eq(conf_load(write_file("t.conf", "database = { user = \"u\"; };", 0644),
	    &c), CSM_OK);
	conf_free(c);
	write_file("pw", "p\n", 0640);
	load_fails("database = { user = \"u\"; password_file = \"pw\"; };", 0600,
	    "password file");
	write_file("pw", "", 0600);
	load_fails("database = { user = \"u\"; password_file = \"pw\"; };", 0600, "is empty");
	load_fails("database = { user = \"u\"; password_file = \"missing\"; };", 0600,
	    "cannot read password file");
}
END_TEST

START_TEST(test_path_sources)
{
	struct conf *c = NULL;
	char missing[600];

	unsetenv("CSMAINT_CONF");
	ck_assert_str_eq(conf_path(NULL), CONF_DEFAULT_PATH);
	setenv("CSMAINT_CONF", "/x/y.conf", 1);
	ck_assert_str_eq(conf_path(NULL), "/x/y.conf");
	ck_assert_str_eq(conf_path("/a.conf"), "/a.conf");
	unsetenv("CSMAINT_CONF");
	snprintf(missing, sizeof(missing), "%s/none.conf", dir);
	ck_assert_int_eq(conf_load(missing, &c), CSM_EUSAGE);
	ck_assert_ptr_nonnull(strstr(csm_err_msg(), "No such file"));
}
END_TEST

START_TEST(test_identifier)
{
	ck_assert(conf_valid_identifier("cloud"));
	ck_assert(conf_valid_identifier("csm_j$2"));
	ck_assert(!conf_valid_identifier(""));
	ck_assert(!conf_valid_identifier("a`b"));
	ck_assert(!conf_valid_identifier("a b"));
	ck_assert(!conf_valid_identifier("x;DROP"));
}
END_TEST

/* Every file that supplies a secret is checked, @include files too (issue 8.8). */
START_TEST(test_include_secrets)
{
	struct conf *c = NULL;
	char text[1024], inc[600];

	/* write_file() returns a static buffer: keep our own copy of the path. */
	snprintf(inc, sizeof(inc), "%s", write_file("inc.conf",
	    " password = \"from-include\";\n", 0644));
	snprintf(text, sizeof(text), "database = { user = \"u\";\n  @include \"%s\"\n};\n", inc);
	load_fails(text, 0600, "included file");
	load_fails(text, 0600, "inc.conf' holds a password and is accessible by group or "
	    "others (mode 0644)");
	/* Private include: accepted, and the password is the one it holds. */
	chmod(inc, 0600);
	c = load_ok(text);
	ck_assert_str_eq(c->db.password, "from-include");
	conf_free(c);
	/* A world-readable main file may include a private file holding the secret. */
	ck_assert_int_eq(conf_load(write_file("t.conf", text, 0644), &c), CSM_OK);
	conf_free(c);
	/* A file without secrets may be readable by all, included or not. */
	write_file("inc.conf", " port = 3307;\n", 0644);
	c = load_ok(text);
	ck_assert_int_eq(c->db.port, 3307);
	conf_free(c);
	/* Nested: the secret two levels down is checked too. */
	{
		char mid[600];
		snprintf(mid, sizeof(mid), "@include \"%s\"\n", write_file("deep.conf",
		    "password = \"deep\";\n", 0604));
		write_file("inc.conf", mid, 0600);
		load_fails(text, 0600, "deep.conf' holds a password");
	}
	/* An error inside an included file names that file. */
	write_file("inc.conf", "port = = 1;\n", 0600);
	load_fails(text, 0600, "inc.conf:1: syntax error");
	/* A relative include would be read from the current directory: refused. */
	load_fails("database = { user = \"u\";\n@include \"inc.conf\"\n};\n", 0600,
	    "t.conf:2: @include \"inc.conf\" is a relative path");
	/* Not an include: inside a comment or a string, or not at the start of a line. */
	c = load_ok("/* @include \"/nonexistent\"\n@include \"/nonexistent\" */\n"
	    "database = { user = \"@include \\\"/x\\\"\n@include \\\"/nonexistent\\\"\"; };\n"
	    "# @include \"/nonexistent\"\n");
	ck_assert_str_eq(c->db.user, "@include \"/x\"\n@include \"/nonexistent\"");
	conf_free(c);
}
END_TEST

/* A FIFO, a directory or a device is refused at once, never read (issue 8.8). */
START_TEST(test_not_regular)
{
	struct conf *c = NULL;
	char fifo[600], text[1024];

	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	unlink(fifo);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	/* Without O_NONBLOCK each of these would block in open(2) (no writer). */
	ck_assert_int_eq(conf_load(fifo, &c), CSM_EUSAGE);
	ck_assert_msg(strstr(csm_err_msg(), "is a FIFO, not a regular file") != NULL, "%s",
	    csm_err_msg());
	ck_assert_int_eq(conf_load(dir, &c), CSM_EUSAGE);
	ck_assert_msg(strstr(csm_err_msg(), "is a directory") != NULL, "%s", csm_err_msg());
	ck_assert_int_eq(conf_load("/dev/zero", &c), CSM_EUSAGE);
	ck_assert_msg(strstr(csm_err_msg(), "is a character device") != NULL, "%s",
	    csm_err_msg());
	snprintf(text, sizeof(text), "database = { user = \"u\"; password_file = \"%s\"; };",
	    fifo);
	load_fails(text, 0600, "password file");
	load_fails(text, 0600, "is a FIFO");
	snprintf(text, sizeof(text), "database = { user = \"u\"; defaults_file = \"%s\"; };",
	    fifo);
	load_fails(text, 0600, "option file");
	snprintf(text, sizeof(text), "database = { user = \"u\";\n @include \"%s\"\n};", fifo);
	load_fails(text, 0600, "t.conf:2: included file");
	load_fails(text, 0600, "is a FIFO");
	snprintf(text, sizeof(text), "database = { user = \"u\"; password_file = \"%s\"; };",
	    dir);
	load_fails(text, 0600, "is a directory");
	unlink(fifo);
}
END_TEST

/* Sizes: over 1 MiB is refused before parsing; what is read is parsed in linear time. */
START_TEST(test_size)
{
	size_t big = 1024 * 1024 + 1, n = 1000 * 1000;
	char *text = malloc(big + 64);
	struct conf *c;
	double t0;

	ck_assert_ptr_nonnull(text);
	memset(text, 'a', big);
	memcpy(text, "# ", 2);
	text[big] = '\0';
	load_fails(text, 0600, "is too large (1048577 bytes; csmaint reads at most 1048576");
	/* A 1 MB comment line: libconfig reading a stream took 0.5 s (2 minutes at 16 MB). */
	snprintf(text + n, 64, "\ndatabase = { user = \"u\"; };\n");
	t0 = csm_now();
	c = load_ok(text);
	ck_assert_msg(csm_now() - t0 < 0.25, "a 1 MB comment took %.2f s to parse",
	    csm_now() - t0);
	conf_free(c);
	free(text);
	/* A NUL byte would end libconfig's reading early, silently. */
	{
		const char *p = write_file("t.conf", "database = { user = \"u\"; };\n", 0600);
		FILE *fp = fopen(p, "a");
		ck_assert_ptr_nonnull(fp);
		fputs("x", fp);
		fputc('\0', fp);
		fputs("bogus = 1;\n", fp);
		fclose(fp);
		ck_assert_int_eq(conf_load(p, &c), CSM_EUSAGE);
		ck_assert_msg(strstr(csm_err_msg(), "contains a NUL byte (offset 29)") != NULL,
		    "%s", csm_err_msg());
	}
}
END_TEST

/* The journal never goes into a system schema or the CloudStack one (issue 8.10). */
START_TEST(test_journal_schema)
{
	static const char *const bad[] = { "mysql", "information_schema",
	    "performance_schema", "sys", "MySQL", "SYS" };
	char text[256];
	struct conf *c;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "database = { user = \"u\"; journal = \"%s\"; };",
		    bad[i]);
		load_fails(text, 0600, "is a system schema of the server");
	}
	load_fails("database = { user = \"u\"; journal = \"cloud\"; };", 0600,
	    "database.journal must differ from database.name");
	load_fails("database = { user = \"u\"; name = \"cs22\"; journal = \"CS22\"; };",
	    0600, "must differ");
	c = load_ok("database = { user = \"u\"; journal = \"sysadmin\"; };");
	ck_assert_str_eq(c->db.journal, "sysadmin");
	conf_free(c);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("conf");
	SRunner *sr;
	int failed;

	if (mkdtemp(dir) == NULL)
		return 1;
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_all_keys);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_secret_permissions);
	tcase_add_test(tc, test_path_sources);
	tcase_add_test(tc, test_identifier);
	tcase_add_test(tc, test_include_secrets);
	tcase_add_test(tc, test_not_regular);
	tcase_add_test(tc, test_size);
	tcase_add_test(tc, test_journal_schema);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
