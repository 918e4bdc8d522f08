/* check_output.c: unit tests for output.c: JSON validity, CSV quoting, nulls, tables
 * that fit a terminal; and the dry-run recorder (dry.c) in both of its forms. */
#include <sys/ioctl.h>
#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "csmaint.h"
#include "dry.h"
#include "output.h"

static char *
render(struct out **t, int n, enum out_format f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ck_assert_int_eq(out_print(t, n, f, fp), CSM_OK);
	fclose(fp);
	return buf;
}

static struct out *
sample(void)
{
	struct out *o = out_new("hosts");

	out_col(o, "id", OUT_NUM);
	out_col(o, "name", OUT_STR);
	out_col(o, "ok", OUT_BOOL);
	out_row(o);
	out_cell_num(o, 0, 12);
	out_cell(o, 1, "q\"uote, comma\nline\\back\001" "ctl ü");
	out_cell_bool(o, 2, 0);
	out_row(o);	/* all null */
	return o;
}

START_TEST(test_json)
{
	struct out *o = sample();
	char *s = render(&o, 1, OUT_JSON);

	ck_assert_ptr_nonnull(strstr(s, "\"hosts\": ["));
	ck_assert_ptr_nonnull(strstr(s, "\"id\": 12"));
	ck_assert_ptr_nonnull(strstr(s, "\"name\": \"q\\\"uote, comma\\nline\\\\back\\u0001ctl ü\""));
	ck_assert_ptr_nonnull(strstr(s, "\"ok\": false"));
	ck_assert_ptr_nonnull(strstr(s, "\"id\": null"));
	ck_assert_ptr_nonnull(strstr(s, "\"ok\": null"));
	ck_assert_int_eq(s[0], '{');
	free(s);
	out_free(o);
}
END_TEST

START_TEST(test_json_multi_and_empty)
{
	struct out *t[2];
	char *s;

	t[0] = sample();
	t[1] = out_new("vms");
	out_col(t[1], "id", OUT_NUM);
	s = render(t, 2, OUT_JSON);
	/* One object with both members, separated by a comma. */
	ck_assert_ptr_nonnull(strstr(s, "],\n"));
	ck_assert_ptr_nonnull(strstr(s, "\"vms\": ["));
	ck_assert_int_eq(strchr(s, '{') == s, 1);
	ck_assert_int_eq(s[strlen(s) - 2], '}');
	free(s);
	out_free(t[0]);
	out_free(t[1]);
}
END_TEST

START_TEST(test_csv)
{
	struct out *o = sample();
	char *s = render(&o, 1, OUT_CSV);

	ck_assert_str_eq(s, "id,name,ok\r\n"
	    "12,\"q\"\"uote, comma\nline\\back\x01" "ctl ü\",false\r\n"
	    ",,\r\n");
	free(s);
	out_free(o);
}
END_TEST

START_TEST(test_table)
{
	struct out *o = sample();
	char *s = render(&o, 1, OUT_TABLE);

	ck_assert_ptr_nonnull(strstr(s, "ID"));
	ck_assert_ptr_nonnull(strstr(s, "NAME"));
	/* Control characters never reach the terminal raw. */
	ck_assert_ptr_null(strchr(s, '\x01'));
	free(s);
	out_free(o);
}
END_TEST

START_TEST(test_format_parse)
{
	enum out_format f;

	ck_assert_int_eq(out_format_parse("json", &f), CSM_OK);
	ck_assert_int_eq(f, OUT_JSON);
	ck_assert_int_eq(out_format_parse("csv", &f), CSM_OK);
	ck_assert_int_eq(f, OUT_CSV);
	ck_assert_int_eq(out_format_parse("table", &f), CSM_OK);
	ck_assert_int_eq(f, OUT_TABLE);
	ck_assert_int_eq(out_format_parse("JSON", &f), CSM_EUSAGE);
	ck_assert_int_eq(out_format_parse("", &f), CSM_EUSAGE);
}
END_TEST

START_TEST(test_many_rows)
{
	struct out *o = out_new("hosts");
	char *s;
	int i;

	out_col(o, "id", OUT_NUM);
	for (i = 0; i < 5000; i++) {
		out_row(o);
		out_cell_num(o, 0, i);
	}
	ck_assert_int_eq(out_nrows(o), 5000);
	s = render(&o, 1, OUT_CSV);
	ck_assert_ptr_nonnull(strstr(s, "\r\n4999\r\n"));
	free(s);
	out_free(o);
}
END_TEST

/* A table of a short and a 200-character name, each with a UUID and a reason. */
static struct out *
wide(void)
{
	struct out *o = out_new("hosts");
	char name[201];

	memset(name, 'n', 200);
	name[200] = '\0';
	out_col(o, "id", OUT_NUM);
	out_col(o, "name", OUT_STR);
	out_col(o, "uuid", OUT_STR);
	out_col(o, "reason", OUT_STR);
	out_row(o);
	out_cell_num(o, 0, 1);
	out_cell(o, 1, "xs-01");
	out_cell(o, 2, "e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f0001");
	out_cell(o, 3, "short");
	out_row(o);
	out_cell_num(o, 0, 2);
	out_cell(o, 1, name);
	out_cell(o, 2, "e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f0002");
	out_cell(o, 3, "a reason that is long enough to be worth cutting on a small terminal");
	return o;
}

/* What out_print(F) writes on a COLS-wide pseudo-terminal, CRs removed. */
static char *
render_tty(struct out *o, enum out_format f, unsigned short cols)
{
	struct winsize ws = { .ws_row = 24, .ws_col = cols };
	int master, slave;
	char *buf = NULL, chunk[4096];
	size_t len = 0, i, j;
	FILE *fp;
	ssize_t n;
	struct pollfd pfd;

	ck_assert_int_eq(openpty(&master, &slave, NULL, NULL, &ws), 0);
	fp = fdopen(slave, "w");
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(out_print(&o, 1, f, fp), CSM_OK);
	fclose(fp);
	pfd.fd = master;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, 200) > 0 && (n = read(master, chunk, sizeof(chunk))) > 0) {
		buf = realloc(buf, len + (size_t)n + 1);
		ck_assert_ptr_nonnull(buf);
		memcpy(buf + len, chunk, (size_t)n);
		len += (size_t)n;
	}
	close(master);
	ck_assert_ptr_nonnull(buf);
	for (i = j = 0; i < len; i++)
		if (buf[i] != '\r')
			buf[j++] = buf[i];
	buf[j] = '\0';
	return buf;
}

static size_t
widest_line(const char *s)
{
	size_t w = 0, cur = 0;

	for (; *s; s++) {
		if (*s == '\n') {
			w = cur > w ? cur : w;
			cur = 0;
		} else {
			cur++;
		}
	}
	return cur > w ? cur : w;
}

START_TEST(test_table_fits_terminal)
{
	struct out *o = wide();
	char *s;

	unsetenv("COLUMNS");
	s = render_tty(o, OUT_TABLE, 100);
	ck_assert_uint_le(widest_line(s), 100);
	/* Identifiers are never cut; the short name stays whole; the long one is cut. */
	ck_assert_ptr_nonnull(strstr(s, "e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f0002"));
	ck_assert_ptr_nonnull(strstr(s, " xs-01 "));
	ck_assert_ptr_null(strstr(s, "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"));
	free(s);
	/* $COLUMNS wins over the terminal's size, as for util-linux. */
	setenv("COLUMNS", "80", 1);
	s = render_tty(o, OUT_TABLE, 100);
	ck_assert_uint_le(widest_line(s), 80);
	free(s);
	unsetenv("COLUMNS");
	/* JSON and CSV on a terminal keep every byte. */
	s = render_tty(o, OUT_JSON, 100);
	ck_assert_ptr_nonnull(strstr(s, "a reason that is long enough to be worth cutting on a small terminal"));
	ck_assert_uint_gt(widest_line(s), 200);
	free(s);
	s = render_tty(o, OUT_CSV, 100);
	ck_assert_uint_gt(widest_line(s), 200);
	free(s);
	out_free(o);
}
END_TEST

START_TEST(test_table_not_a_terminal)
{
	struct out *o = wide();
	char *s;

	setenv("COLUMNS", "40", 1);	/* no terminal: no width applies */
	s = render(&o, 1, OUT_TABLE);
	unsetenv("COLUMNS");
	ck_assert_uint_gt(widest_line(s), 200);
	ck_assert_ptr_nonnull(strstr(s, "a reason that is long enough to be worth cutting on a small terminal"));
	free(s);
	out_free(o);
}
END_TEST

START_TEST(test_csv_one_table)
{
	struct out *t[2];
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	t[0] = sample();
	t[1] = out_new("vms");
	out_col(t[1], "id", OUT_NUM);
	/* Two tables are no CSV document: refused, nothing written. */
	ck_assert_int_eq(out_print(t, 2, OUT_CSV, fp), CSM_EUSAGE);
	ck_assert_ptr_nonnull(strstr(csm_err_msg(), "(hosts, vms)"));
	ck_assert_ptr_nonnull(strstr(csm_err_msg(), "use -o table or -o json"));
	fclose(fp);
	ck_assert_uint_eq(len, 0);
	free(buf);
	ck_assert_int_eq(out_single(t, 2, OUT_JSON), CSM_OK);
	ck_assert_int_eq(out_single(t, 1, OUT_CSV), CSM_OK);
	out_free(t[0]);
	out_free(t[1]);
}
END_TEST

static char *
json_str(const char *in)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	out_json_string(fp, in);
	fclose(fp);
	return buf;
}

START_TEST(test_json_string)
{
	char *s;

	s = json_str("a\"b\\c\n\x1b\x7f ü \xff\xc0\xaf end");
	ck_assert_str_eq(s, "\"a\\\"b\\\\c\\u000a\\u001b\\u007f ü \\ufffd\\ufffd\\ufffd end\"");
	free(s);
	s = json_str(NULL);
	ck_assert_str_eq(s, "null");
	free(s);
}
END_TEST

/* A dry run with a hostile host name, an upload URL with credentials and a session,
 * and a table. */
static struct dry *
sample_dry(void)
{
	struct dry *d = dry_new();
	char arg[] = "xs\n01", *argv[] = { arg };
	struct out *o = out_new("checks");

	dry_header(d, "host disable", argv, 1, "run these statements");
	dry_note(d, "host %d (%s): Enabled -> Disabled", 5, "xs\x1b[2J\ncsmaint: ok");
	dry_sql(d, NULL, "START TRANSACTION", "");
	dry_sql(d, NULL, "UPDATE host SET allocation_state = ? WHERE id = ? AND reason = ?",
	    "sis", "Disabled", 5LL, (const char *)NULL);
	dry_xenapi(d, "Async.pool_patch.apply", NULL, "rr", "pool_patch", "XS56EFP1003",
	    "host", "xs-01");
	dry_xenapi(d, "task.get_record", "until it ends", "r", "task", (const char *)NULL);
	dry_xenapi(d, "task.create", NULL, "si", "it's", 3LL);
	dry_http(d, "PUT", "https://root:pa55@10.0.0.1:443/pool_patch_upload?session_id="
	    "OpaqueRef:5ecret&task_id=OpaqueRef:t", "/tmp/p.xsupdate", 42);
	out_col(o, "check", OUT_STR);
	out_row(o);
	out_cell(o, 0, "schema");
	dry_table(d, o);
	return d;
}

static char *
dry_render(const struct dry *d, int json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ck_assert_int_eq(dry_print(d, json, fp), CSM_OK);
	fclose(fp);
	return buf;
}

START_TEST(test_dry_text)
{
	struct dry *d = sample_dry();
	char *s;

	dry_refused(d, "cannot disable\nhost 5");
	s = dry_render(d, 0);
	ck_assert_str_eq(strstr(s, "-- dry run:"), s);
	ck_assert_ptr_nonnull(strstr(s, "-- dry run: csmaint host disable xs\\x0a01 would run "
	    "these statements; nothing was changed.\n-- Add --execute to do it.\n"));
	/* Text from elsewhere cannot end a comment line. */
	ck_assert_ptr_nonnull(strstr(s, "\n-- host 5 (xs\\x1b[2J\\x0acsmaint: ok): Enabled -> "
	    "Disabled\n"));
	ck_assert_ptr_nonnull(strstr(s, "\nSTART TRANSACTION;\nUPDATE host SET allocation_state "
	    "= 'Disabled' WHERE id = 5 AND reason = NULL;\n"));
	ck_assert_ptr_nonnull(strstr(s, "\nXenAPI Async.pool_patch.apply(pool_patch "
	    "'XS56EFP1003', host 'xs-01');\nXenAPI task.get_record(task) until it ends;\n"
	    "XenAPI task.create('it's', 3);\n"));
	ck_assert_ptr_nonnull(strstr(s, "\nHTTP PUT https://10.0.0.1:443/pool_patch_upload?"
	    "session_id=…&task_id=… (42 bytes streamed from /tmp/p.xsupdate);\n"));
	ck_assert_ptr_nonnull(strstr(s, "CHECK"));
	ck_assert_ptr_nonnull(strstr(s, "\n-- refused: cannot disable\\x0ahost 5\n"));
	ck_assert_ptr_null(strstr(s, "pa55"));
	ck_assert_ptr_null(strstr(s, "OpaqueRef"));
	free(s);
	dry_free(d);
}
END_TEST

START_TEST(test_dry_json)
{
	struct dry *d = sample_dry();
	char *s = dry_render(d, 1);

	ck_assert_int_eq(s[0], '{');
	ck_assert_str_eq(s + strlen(s) - 2, "}\n");
	ck_assert_ptr_nonnull(strstr(s, "\"dry_run\": true,\n  \"command\": \"host disable\",\n"
	    "  \"arguments\": [\"xs\\u000a01\"]"));
	/* The exact text, escaped the JSON way. */
	ck_assert_ptr_nonnull(strstr(s, "\"plan\": [\n    \"host 5 (xs\\u001b[2J\\u000acsmaint: "
	    "ok): Enabled -> Disabled\"\n  ]"));
	ck_assert_ptr_nonnull(strstr(s, "{\"statement\": \"START TRANSACTION\", \"values\": []}"));
	ck_assert_ptr_nonnull(strstr(s, "{\"statement\": \"UPDATE host SET allocation_state = ? "
	    "WHERE id = ? AND reason = ?\", \"values\": [\"Disabled\", 5, null]}"));
	ck_assert_ptr_nonnull(strstr(s, "{\"method\": \"Async.pool_patch.apply\", \"params\": "
	    "[{\"class\": \"pool_patch\", \"name_label\": \"XS56EFP1003\"}, {\"class\": \"host\", "
	    "\"name_label\": \"xs-01\"}], \"note\": null}"));
	ck_assert_ptr_nonnull(strstr(s, "{\"method\": \"task.get_record\", \"params\": "
	    "[{\"class\": \"task\", \"name_label\": null}], \"note\": \"until it ends\"}"));
	ck_assert_ptr_nonnull(strstr(s, "\"params\": [\"it's\", 3]"));
	ck_assert_ptr_nonnull(strstr(s, "\"http\": [\n    {\"method\": \"PUT\", \"url\": "
	    "\"https://10.0.0.1:443/pool_patch_upload?session_id=…&task_id=…\", \"file\": "
	    "\"/tmp/p.xsupdate\", \"bytes\": 42}\n  ]"));
	ck_assert_ptr_nonnull(strstr(s, "\"refused\": null,\n"));
	ck_assert_ptr_nonnull(strstr(s, "\"checks\": ["));
	ck_assert_ptr_null(strstr(s, "pa55"));
	ck_assert_ptr_null(strstr(s, "OpaqueRef"));
	free(s);
	dry_free(d);
}
END_TEST

START_TEST(test_dry_empty_and_null)
{
	struct dry *d = dry_new();
	char *s;

	/* Every member is there, empty; a NULL recorder takes everything and does nothing. */
	s = dry_render(d, 1);
	ck_assert_str_eq(s, "{\n  \"dry_run\": true,\n  \"command\": null,\n  \"arguments\": [],\n"
	    "  \"plan\": [],\n  \"sql\": [],\n  \"xenapi\": [],\n  \"http\": [],\n"
	    "  \"refused\": null\n}\n");
	free(s);
	s = dry_render(d, 0);
	ck_assert_str_eq(s, "");
	free(s);
	dry_free(d);
	dry_note(NULL, "x");
	dry_sql(NULL, NULL, "COMMIT", "");
	dry_xenapi(NULL, "m", NULL, "s", "x");
	dry_http(NULL, "PUT", "u", "f", 1);
	dry_table(NULL, out_new("t"));
	dry_refused(NULL, "x");
	dry_free(NULL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("output");
	TCase *tc = tcase_create("output");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_json_multi_and_empty);
	tcase_add_test(tc, test_csv);
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_format_parse);
	tcase_add_test(tc, test_many_rows);
	tcase_add_test(tc, test_table_fits_terminal);
	tcase_add_test(tc, test_table_not_a_terminal);
	tcase_add_test(tc, test_csv_one_table);
	tcase_add_test(tc, test_json_string);
	tcase_add_test(tc, test_dry_text);
	tcase_add_test(tc, test_dry_json);
	tcase_add_test(tc, test_dry_empty_and_null);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
