/* check_output.c: unit tests for output.c: JSON validity, CSV quoting, nulls. */
#include <check.h>
#include <stdio.h>
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
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
