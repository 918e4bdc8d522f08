/* check_output.c: unit tests for output.c: JSON validity, CSV quoting, nulls, tables
 * that fit a terminal. */
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
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
