/* check_args.c: unit tests for args.c against a small command table of its own. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "csmaint.h"
#include "args.h"

static int nop(struct cmd_ctx *c) { (void)c; return 0; }

static const struct cmd_opt dis_opts[] = {
	{ "--reason", "TEXT", "" }, { "--execute", NULL, "" }, { NULL, NULL, NULL }
};
#define E(n, a, o, mi, ma) { .name = n, .args = a, .summary = "", .opts = o, \
	.min_args = mi, .max_args = ma, .exec = nop }
static const struct cmd_entry e_schema = E("schema", "", NULL, 0, 0);
static const struct cmd_entry e_install = E("schema install", "", NULL, 0, 0);
static const struct cmd_entry e_list = E("host list", "", NULL, 0, 0);
static const struct cmd_entry e_dis = E("host disable", "HOST", dis_opts, 1, 1);
static const struct cmd_entry e_vms = E("vms", "HOST", NULL, 1, 1);
static const struct cmd_entry e_up = E("upload", "FILE...", NULL, 1, -1);
static const struct cmd_entry e_jlist = { .name = "journal list", .args = "", .summary = "",
	.min_args = 0, .max_args = 0, .dflt = 1, .exec = nop };
static const struct cmd_entry *const table[] = {
	&e_schema, &e_install, &e_list, &e_dis, &e_vms, &e_up, &e_jlist, NULL
};

static int
parse(struct args *a, const char *line)
{
	static char buf[1024];
	static char *argv[64];
	int argc = 0;
	char *p;

	snprintf(buf, sizeof(buf), "csmaint %s", line);
	for (p = strtok(buf, " "); p && argc < 63; p = strtok(NULL, " "))
		argv[argc++] = p;
	argv[argc] = NULL;
	return args_parse(argc, argv, table, a);
}

START_TEST(test_two_word_commands)
{
	struct args a;

	ck_assert_int_eq(parse(&a, "host disable 12 --reason x --execute"), CSM_OK);
	ck_assert_ptr_eq(a.entry, &e_dis);
	ck_assert_int_eq(a.argc, 1);
	ck_assert_str_eq(a.argv[0], "12");
	ck_assert_str_eq(a.optv[0], "x");
	ck_assert_str_eq(a.optv[1], "");
	args_free(&a);
	ck_assert_int_eq(parse(&a, "schema"), CSM_OK);
	ck_assert_ptr_eq(a.entry, &e_schema);
	args_free(&a);
	ck_assert_int_eq(parse(&a, "schema install"), CSM_OK);
	ck_assert_ptr_eq(a.entry, &e_install);
	args_free(&a);
	ck_assert_int_eq(parse(&a, "vms 7"), CSM_OK);
	ck_assert_ptr_eq(a.entry, &e_vms);
	ck_assert_str_eq(a.argv[0], "7");
	args_free(&a);
}
END_TEST

START_TEST(test_global_options_anywhere)
{
	struct args a;

	ck_assert_int_eq(parse(&a, "-c /x.conf -o json -v host list -v"), CSM_OK);
	ck_assert_ptr_eq(a.entry, &e_list);
	ck_assert_str_eq(a.conf_path, "/x.conf");
	ck_assert_str_eq(a.format, "json");
	ck_assert_int_eq(a.verbose, 2);
	ck_assert_int_eq(a.quiet, 0);
	args_free(&a);
	ck_assert_int_eq(parse(&a, "host list --output=csv --config=/y"), CSM_OK);
	ck_assert_str_eq(a.format, "csv");
	ck_assert_str_eq(a.conf_path, "/y");
	args_free(&a);
	ck_assert_int_eq(parse(&a, "host disable --reason=why 3 --ask-pass"), CSM_OK);
	ck_assert_str_eq(a.optv[0], "why");
	ck_assert_int_eq(a.ask_pass, 1);
	args_free(&a);
}
END_TEST

START_TEST(test_errors)
{
	struct args a;

	ck_assert_int_eq(parse(&a, "host disable"), CSM_EUSAGE);
	ck_assert_ptr_eq(a.entry, &e_dis);
	ck_assert_ptr_nonnull(strstr(csm_err_msg(), "needs HOST"));
	args_free(&a);
	ck_assert_int_eq(parse(&a, "host disable 1 2"), CSM_EUSAGE);
	ck_assert_ptr_nonnull(strstr(csm_err_msg(), "too many arguments"));
	args_free(&a);
	ck_assert_int_eq(parse(&a, "host disable 1 --nope"), CSM_EUSAGE);
	ck_assert_ptr_nonnull(strstr(csm_err_msg(), "unknown option '--nope'"));
	args_free(&a);
	ck_assert_int_eq(parse(&a, "host disable 1 --reason"), CSM_EUSAGE);
	ck_assert_ptr_nonnull(strstr(csm_err_msg(), "needs a value"));
	args_free(&a);
	ck_assert_int_eq(parse(&a, "host disable 1 --execute=1"), CSM_EUSAGE);
	args_free(&a);
	ck_assert_int_eq(parse(&a, "host"), CSM_EUSAGE);
	ck_assert_ptr_nonnull(strstr(csm_err_msg(), "'host' needs one of: list, disable"));
	args_free(&a);
	ck_assert_int_eq(parse(&a, "bogus"), CSM_EUSAGE);
	ck_assert_ptr_nonnull(strstr(csm_err_msg(), "unknown command 'bogus'"));
	args_free(&a);
	ck_assert_int_eq(parse(&a, "-o"), CSM_EUSAGE);
	args_free(&a);
	ck_assert_int_eq(parse(&a, "--frob host list"), CSM_EUSAGE);
	args_free(&a);
}
END_TEST

START_TEST(test_dashdash_and_variadic)
{
	struct args a;

	ck_assert_int_eq(parse(&a, "host disable -- -5"), CSM_OK);
	ck_assert_str_eq(a.argv[0], "-5");
	args_free(&a);
	ck_assert_int_eq(parse(&a, "upload a b c"), CSM_OK);
	ck_assert_int_eq(a.argc, 3);
	args_free(&a);
	ck_assert_int_eq(parse(&a, "upload"), CSM_EUSAGE);
	args_free(&a);
	/* --help skips argument checks so "host disable --help" works. */
	ck_assert_int_eq(parse(&a, "host disable --help"), CSM_OK);
	ck_assert_int_eq(a.help, 1);
	args_free(&a);
	ck_assert_int_eq(parse(&a, ""), CSM_OK);
	ck_assert_ptr_null(a.entry);
	args_free(&a);
	/* A noun alone runs its default verb. */
	ck_assert_int_eq(parse(&a, "journal -o json"), CSM_OK);
	ck_assert_ptr_eq(a.entry, &e_jlist);
	args_free(&a);
}
END_TEST

START_TEST(test_strtonum)
{
	long long v;

	ck_assert_int_eq(csm_strtonum("42", 1, 100, &v), CSM_OK);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(csm_strtonum("0", 1, 100, &v), CSM_EUSAGE);
	ck_assert_int_eq(csm_strtonum("101", 1, 100, &v), CSM_EUSAGE);
	ck_assert_int_eq(csm_strtonum("4x", 1, 100, &v), CSM_EUSAGE);
	ck_assert_int_eq(csm_strtonum("", 1, 100, &v), CSM_EUSAGE);
	ck_assert_int_eq(csm_strtonum(" 4", 1, 100, &v), CSM_EUSAGE);
	ck_assert_int_eq(csm_strtonum("+4", 1, 100, &v), CSM_EUSAGE);
	ck_assert_int_eq(csm_strtonum("99999999999999999999", 1, INT64_MAX, &v), CSM_EUSAGE);
}
END_TEST

/* Bundled short options (issue 8.10): -vv counts twice; of -q and -v the last wins. */
START_TEST(test_bundles)
{
	struct args a;

	ck_assert_int_eq(parse(&a, "-vv host list"), CSM_OK);
	ck_assert_ptr_eq(a.entry, &e_list);
	ck_assert_int_eq(a.verbose, 2);
	ck_assert_int_eq(a.quiet, 0);
	args_free(&a);
	ck_assert_int_eq(parse(&a, "host list -vv"), CSM_OK);
	ck_assert_int_eq(a.verbose, 2);
	args_free(&a);
	ck_assert_int_eq(parse(&a, "-qv host list"), CSM_OK);
	ck_assert_int_eq(a.verbose, 1);
	ck_assert_int_eq(a.quiet, 0);
	args_free(&a);
	ck_assert_int_eq(parse(&a, "-vq host list"), CSM_OK);
	ck_assert_int_eq(a.verbose, 0);
	ck_assert_int_eq(a.quiet, 1);
	args_free(&a);
	ck_assert_int_eq(parse(&a, "-v host list -q"), CSM_OK);
	ck_assert_int_eq(a.verbose, 0);
	ck_assert_int_eq(a.quiet, 1);
	args_free(&a);
	ck_assert_int_eq(parse(&a, "-q host list --verbose -v"), CSM_OK);
	ck_assert_int_eq(a.verbose, 2);
	ck_assert_int_eq(a.quiet, 0);
	args_free(&a);
	/* A letter with a value takes the rest of the word, or the next word (getopt). */
	ck_assert_int_eq(parse(&a, "-vojson host list"), CSM_OK);
	ck_assert_int_eq(a.verbose, 1);
	ck_assert_str_eq(a.format, "json");
	args_free(&a);
	ck_assert_int_eq(parse(&a, "host list -qc /z.conf"), CSM_OK);
	ck_assert_int_eq(a.quiet, 1);
	ck_assert_str_eq(a.conf_path, "/z.conf");
	args_free(&a);
	ck_assert_int_eq(parse(&a, "-vh host disable"), CSM_OK);
	ck_assert_int_eq(a.help, 1);
	args_free(&a);
	ck_assert_int_eq(parse(&a, "host list -vc"), CSM_EUSAGE);
	ck_assert_ptr_nonnull(strstr(csm_err_msg(), "option -c needs a value"));
	args_free(&a);
	/* A letter that is no short option: the whole word is unknown. */
	ck_assert_int_eq(parse(&a, "host list -vx"), CSM_EUSAGE);
	ck_assert_ptr_nonnull(strstr(csm_err_msg(), "unknown option '-vx'"));
	args_free(&a);
	ck_assert_int_eq(parse(&a, "-vx host list"), CSM_EUSAGE);
	ck_assert_ptr_nonnull(strstr(csm_err_msg(), "unknown option '-vx'"));
	args_free(&a);
}
END_TEST

/* The one check for command-line text that goes into the database (issue 8.10). */
START_TEST(test_check_text)
{
	static const struct {
		const char *s, *msg;
	} bad[] = {
		{ "a\xed\xa0\x80" "b", "not valid UTF-8 (byte 2: 0xed)" },	/* surrogate */
		{ "\xc0\xaf", "not valid UTF-8 (byte 1: 0xc0)" },		/* overlong '/' */
		{ "\xe0\x80\xaf", "not valid UTF-8" },			/* overlong, 3 bytes */
		{ "\xf4\x90\x80\x80", "not valid UTF-8" },		/* above U+10FFFF */
		{ "ab\xe2\x82", "not valid UTF-8 (byte 3" },		/* truncated */
		{ "\x80", "not valid UTF-8" },
		{ "\xff", "not valid UTF-8" },
		{ "x\xf0\x9f\x98\x80", "U+1F600 at character 2" },	/* MySQL utf8 */
		{ "a\x1b[31m", "control character (0x1b) at character 2" },
		{ "a\nb", "control character (0x0a)" },
		{ "\x7f", "control character (0x7f)" },
		{ "\xc2\x9b", "control character (0x9b)" },			/* C1 CSI */
		{ "abc\xe2\x80\xae", "bidirectional control character (U+202E) at "
		    "character 4" },
		{ "\xe2\x80\xaa", "U+202A" },
		{ "\xe2\x81\xa6", "U+2066" },
		{ "\xe2\x81\xa9", "U+2069" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(csm_check_text("--reason", bad[i].s, 1000), CSM_EUSAGE);
		ck_assert_msg(strstr(csm_err_msg(), bad[i].msg) != NULL, "case %zu: '%s' lacks "
		    "'%s'", i, csm_err_msg(), bad[i].msg);
		ck_assert_msg(strncmp(csm_err_msg(), "--reason ", 9) == 0, "%s", csm_err_msg());
	}
	ck_assert_int_eq(csm_check_text("--reason", "patching; ticket #42 (Jörg, ☃)", 1000),
	    CSM_OK);
	ck_assert_int_eq(csm_check_text("--reason", "", 1000), CSM_OK);
	ck_assert_int_eq(csm_check_text("--reason", "\xe2\x80\x8f", 1000), CSM_OK); /* RLM */
	ck_assert_int_eq(csm_check_text("x", "ééé", 3), CSM_OK);
	ck_assert_int_eq(csm_check_text("x", "éééé", 3), CSM_EUSAGE);
	ck_assert_ptr_nonnull(strstr(csm_err_msg(), "longer than 3 characters"));
}
END_TEST

/* Text from elsewhere, made safe for stderr (issue 8.10). */
START_TEST(test_escape)
{
	static const struct {
		const char *in, *out;
	} c[] = {
		{ "xs-01", "xs-01" },
		{ "xs\x1b[2J", "xs\\x1b[2J" },
		{ "a\nb\r\t\a", "a\\x0ab\\x0d\\x09\\x07" },
		{ "\x7f", "\\x7f" },
		{ "j\xc3\xb6rg \xe2\x98\x83", "j\xc3\xb6rg \xe2\x98\x83" },
		{ "bad\xff\xc0\xaf", "bad\\xff\\xc0\\xaf" },
		{ "\xe2\x80\xae" "evil", "\\u202eevil" },
		{ "\xc2\x9b", "\\u009b" },
		{ "", "" },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *r = csm_escape(c[i].in);
		ck_assert_msg(strcmp(r, c[i].out) == 0, "case %zu: got '%s', want '%s'", i, r,
		    c[i].out);
		free(r);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("args");
	TCase *tc = tcase_create("args");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_two_word_commands);
	tcase_add_test(tc, test_global_options_anywhere);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_dashdash_and_variadic);
	tcase_add_test(tc, test_strtonum);
	tcase_add_test(tc, test_bundles);
	tcase_add_test(tc, test_check_text);
	tcase_add_test(tc, test_escape);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
