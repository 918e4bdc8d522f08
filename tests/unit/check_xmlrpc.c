/* check_xmlrpc.c: unit tests for the XML-RPC value model, encoder and decoder. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csmaint.h"
#include "xmlrpc.h"

#define HEAD "<?xml version=\"1.0\"?><methodResponse><params><param>"
#define TAIL "</param></params></methodResponse>"

/* Decode a methodResponse whose single param is the given <value> text. */
static struct xmlrpc_value *
dec_param(const char *value_xml)
{
	struct xmlrpc_value *v = NULL;
	struct xmlrpc_fault *f = NULL;
	char *doc = xasprintf(HEAD "%s" TAIL, value_xml);
	int rc = xmlrpc_decode_response(doc, strlen(doc), &v, &f);

	ck_assert_msg(rc == CSM_OK, "decode of %s failed: %s", value_xml, csm_err_msg());
	ck_assert_ptr_null(f);
	ck_assert_ptr_nonnull(v);
	free(doc);
	return v;
}

/* Expect the document to be refused, with a message containing want. */
static void
refuse(const char *doc, const char *want)
{
	struct xmlrpc_value *v = NULL;
	struct xmlrpc_fault *f = NULL;
	int rc = xmlrpc_decode_response(doc, strlen(doc), &v, &f);

	ck_assert_msg(rc < 0, "accepted: %s", doc);
	ck_assert_ptr_null(v);
	ck_assert_ptr_null(f);
	ck_assert_msg(strstr(csm_err_msg(), want) != NULL, "message '%s' lacks '%s'",
	    csm_err_msg(), want);
}

static void
refuse_param(const char *value_xml, const char *want)
{
	char *doc = xasprintf(HEAD "%s" TAIL, value_xml);

	refuse(doc, want);
	free(doc);
}

static void
check_string(const struct xmlrpc_value *v, const char *want)
{
	const char *s;

	ck_assert_int_eq(xmlrpc_as_string(v, &s), CSM_OK);
	ck_assert_str_eq(s, want);
}

/* ---- value model ---- */

START_TEST(test_scalars)
{
	struct xmlrpc_value *v;
	const char *s;
	size_t len;
	int64_t i;
	double d;
	int b;
	time_t t;

	v = xmlrpc_string_newn("a\0b", 3);
	ck_assert_int_eq(xmlrpc_type(v), XMLRPC_STRING);
	ck_assert_int_eq(xmlrpc_as_string_len(v, &s, &len), CSM_OK);
	ck_assert_uint_eq(len, 3);
	ck_assert_int_eq(xmlrpc_as_bool(v, &b), CSM_EFAIL);
	ck_assert_ptr_nonnull(strstr(csm_err_msg(), "expected boolean, got string"));
	xmlrpc_value_free(v);

	v = xmlrpc_int_new(INT64_MIN);
	ck_assert_int_eq(xmlrpc_as_int64(v, &i), CSM_OK);
	ck_assert(i == INT64_MIN);
	ck_assert_int_eq(xmlrpc_as_double(v, &d), CSM_OK);
	ck_assert_int_eq(xmlrpc_as_string(v, &s), CSM_EFAIL);
	xmlrpc_value_free(v);

	v = xmlrpc_bool_new(7);
	ck_assert_int_eq(xmlrpc_as_bool(v, &b), CSM_OK);
	ck_assert_int_eq(b, 1);
	ck_assert_int_eq(xmlrpc_as_int64(v, &i), CSM_EFAIL);
	xmlrpc_value_free(v);

	v = xmlrpc_double_new(0.5);
	ck_assert_int_eq(xmlrpc_as_double(v, &d), CSM_OK);
	ck_assert(d == 0.5);
	xmlrpc_value_free(v);

	v = xmlrpc_datetime_new(1269255143);
	ck_assert_str_eq(xmlrpc_datetime_text(v), "20100322T10:52:23Z");
	ck_assert_int_eq(xmlrpc_as_datetime(v, &t), CSM_OK);
	ck_assert(t == 1269255143);
	xmlrpc_value_free(v);

	ck_assert_ptr_null(xmlrpc_datetime_parse("2010-13-01T00:00:00"));
	ck_assert_ptr_null(xmlrpc_datetime_parse("20100229T00:00:00"));
	v = xmlrpc_datetime_parse("20000229T23:59:60");
	ck_assert_ptr_nonnull(v);
	xmlrpc_value_free(v);

	v = xmlrpc_nil_new();
	ck_assert_int_eq(xmlrpc_type(v), XMLRPC_NIL);
	ck_assert_int_eq(xmlrpc_as_string(v, &s), CSM_EFAIL);
	xmlrpc_value_free(v);
	xmlrpc_value_free(NULL);
	ck_assert_int_eq(xmlrpc_type(NULL), XMLRPC_NIL);
}
END_TEST

START_TEST(test_int_string_form)
{
	struct xmlrpc_value *v;
	int64_t i;

	v = xmlrpc_string_new("1048576");
	ck_assert_int_eq(xmlrpc_as_int64(v, &i), CSM_OK);
	ck_assert(i == 1048576);
	xmlrpc_value_free(v);
	v = xmlrpc_string_new("-9223372036854775808");
	ck_assert_int_eq(xmlrpc_as_int64(v, &i), CSM_OK);
	ck_assert(i == INT64_MIN);
	xmlrpc_value_free(v);
	v = xmlrpc_string_new("9223372036854775808");
	ck_assert_int_eq(xmlrpc_as_int64(v, &i), CSM_EFAIL);
	xmlrpc_value_free(v);
	v = xmlrpc_string_new("12abc");
	ck_assert_int_eq(xmlrpc_as_int64(v, &i), CSM_EFAIL);
	ck_assert_ptr_nonnull(strstr(csm_err_msg(), "12abc"));
	xmlrpc_value_free(v);
	v = xmlrpc_string_new("");
	ck_assert_int_eq(xmlrpc_as_int64(v, &i), CSM_EFAIL);
	xmlrpc_value_free(v);
}
END_TEST

START_TEST(test_containers)
{
	struct xmlrpc_value *a, *s, *c;
	char name[32];
	int64_t i;
	int k;

	a = xmlrpc_array_new();
	xmlrpc_array_append(a, xmlrpc_string_new("x"));
	xmlrpc_array_append(a, xmlrpc_int_new(2));
	ck_assert_uint_eq(xmlrpc_len(a), 2);
	check_string(xmlrpc_array_get(a, 0), "x");
	ck_assert_ptr_null(xmlrpc_array_get(a, 2));
	ck_assert_ptr_null(xmlrpc_struct_get(a, "x"));

	s = xmlrpc_struct_new();
	xmlrpc_struct_set(s, "b", xmlrpc_string_new("1"));
	xmlrpc_struct_set(s, "a", a);
	xmlrpc_struct_set(s, "b", xmlrpc_string_new("2"));	/* replaces */
	ck_assert_uint_eq(xmlrpc_len(s), 2);
	ck_assert_str_eq(xmlrpc_struct_name_at(s, 0), "b");
	ck_assert_str_eq(xmlrpc_struct_name_at(s, 1), "a");
	check_string(xmlrpc_struct_get(s, "b"), "2");
	ck_assert_ptr_null(xmlrpc_struct_get(s, "c"));
	ck_assert_ptr_null(xmlrpc_struct_name_at(s, 2));

	/* A big struct is indexed; order and lookups must survive the rehashes. */
	for (k = 0; k < 5000; k++) {
		snprintf(name, sizeof(name), "OpaqueRef:%d", k);
		xmlrpc_struct_set(s, name, xmlrpc_int_new(k));
	}
	ck_assert_uint_eq(xmlrpc_len(s), 5002);
	for (k = 0; k < 5000; k += 7) {
		snprintf(name, sizeof(name), "OpaqueRef:%d", k);
		ck_assert_int_eq(xmlrpc_as_int64(xmlrpc_struct_get(s, name), &i), CSM_OK);
		ck_assert(i == k);
	}
	ck_assert_str_eq(xmlrpc_struct_name_at(s, 4001), "OpaqueRef:3999");
	xmlrpc_struct_set(s, "OpaqueRef:17", xmlrpc_string_new("again"));
	ck_assert_uint_eq(xmlrpc_len(s), 5002);
	check_string(xmlrpc_struct_get(s, "OpaqueRef:17"), "again");
	check_string(xmlrpc_struct_get(s, "b"), "2");

	c = xmlrpc_value_dup(s);
	xmlrpc_value_free(s);
	check_string(xmlrpc_struct_get(c, "OpaqueRef:17"), "again");
	check_string(xmlrpc_array_get(xmlrpc_struct_get(c, "a"), 0), "x");

	/* Taking a member out leaves a nil in its place, found by name and at its index. */
	a = xmlrpc_struct_take(c, "a");
	ck_assert_int_eq(xmlrpc_type(a), XMLRPC_ARRAY);
	check_string(xmlrpc_array_get(a, 0), "x");
	ck_assert_uint_eq(xmlrpc_len(c), 5002);
	ck_assert_ptr_nonnull(xmlrpc_struct_get(c, "a"));
	ck_assert_int_eq(xmlrpc_type(xmlrpc_struct_get(c, "a")), XMLRPC_NIL);
	ck_assert_str_eq(xmlrpc_struct_name_at(c, 1), "a");
	ck_assert_ptr_null(xmlrpc_struct_take(c, "no such member"));
	ck_assert_ptr_null(xmlrpc_struct_take(a, "x"));		/* not a struct */
	ck_assert_ptr_null(xmlrpc_struct_take(NULL, "x"));
	xmlrpc_value_free(a);
	xmlrpc_value_free(c);
}
END_TEST

/* ---- encoding ---- */

START_TEST(test_encode_call)
{
	struct xmlrpc_value *p[7], *st, *ar;
	char *body;
	size_t k;

	st = xmlrpc_struct_new();
	xmlrpc_struct_set(st, "live", xmlrpc_string_new("true"));
	ar = xmlrpc_array_new();
	xmlrpc_array_append(ar, xmlrpc_string_new("a"));
	p[0] = xmlrpc_string_new("OpaqueRef:S");
	p[1] = xmlrpc_int_new(42);
	p[2] = xmlrpc_bool_new(1);
	p[3] = xmlrpc_double_new(0.1);
	p[4] = xmlrpc_datetime_new(1269255143);
	p[5] = st;
	p[6] = ar;
	body = xmlrpc_encode_call("VM.pool_migrate", p, 7);
	ck_assert_ptr_nonnull(body);
	ck_assert_str_eq(body, "<?xml version=\"1.0\"?>\n<methodCall>"
	    "<methodName>VM.pool_migrate</methodName><params>"
	    "<param><value>OpaqueRef:S</value></param>"
	    "<param><value>42</value></param>"
	    "<param><value><boolean>1</boolean></value></param>"
	    "<param><value><double>0.10000000000000001</double></value></param>"
	    "<param><value><dateTime.iso8601>20100322T10:52:23Z</dateTime.iso8601></value>"
	    "</param>"
	    "<param><value><struct><member><name>live</name><value>true</value></member>"
	    "</struct></value></param>"
	    "<param><value><array><data><value>a</value></data></array></value></param>"
	    "</params></methodCall>\n");
	free(body);
	for (k = 0; k < 7; k++)
		xmlrpc_value_free(p[k]);

	body = xmlrpc_encode_call("session.logout", NULL, 0);
	ck_assert_ptr_nonnull(strstr(body, "<params></params>"));
	free(body);
}
END_TEST

START_TEST(test_encode_escapes)
{
	struct xmlrpc_value *p = xmlrpc_string_new("a<b>&c\r\n\t\xc3\xa9\xf0\x9f\x98\x80");
	char *body = xmlrpc_encode_call("pool_patch.precheck", &p, 1);

	ck_assert_ptr_nonnull(body);
	ck_assert_ptr_nonnull(strstr(body, "<value>a&lt;b&gt;&amp;c&#13;\n\t\xc3\xa9"
	    "\xf0\x9f\x98\x80</value>"));
	free(body);
	xmlrpc_value_free(p);
}
END_TEST

START_TEST(test_encode_refuses)
{
	static const char *const bad[] = {
		"bell\x07", "nul\0x", "esc\x1b", "ff\x0c", "bad utf8 \xff", "overlong \xc0\xaf",
		"surrogate \xed\xa0\x80", "truncated \xe2\x82", "noncharacter \xef\xbf\xbe",
		"too big \xf4\x90\x80\x80",
	};
	struct xmlrpc_value *p, *s;
	size_t k;

	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		p = k == 1 ? xmlrpc_string_newn(bad[k], 5) : xmlrpc_string_new(bad[k]);
		ck_assert_msg(xmlrpc_encode_call("a.b", &p, 1) == NULL, "encoded bad %zu", k);
		ck_assert_ptr_nonnull(strstr(csm_err_msg(), "parameter 1 of a.b"));
		xmlrpc_value_free(p);
	}
	/* In a struct member name too. */
	s = xmlrpc_struct_new();
	xmlrpc_struct_set(s, "k\x01", xmlrpc_string_new("v"));
	ck_assert_ptr_null(xmlrpc_encode_call("a.b", &s, 1));
	ck_assert_ptr_nonnull(strstr(csm_err_msg(), "0x01"));
	xmlrpc_value_free(s);
	/* Method names are plain. */
	ck_assert_ptr_null(xmlrpc_encode_call("a</methodName>", NULL, 0));
	ck_assert_ptr_null(xmlrpc_encode_call("", NULL, 0));
}
END_TEST

/* Every type survives encode + decode. */
START_TEST(test_round_trip)
{
	struct xmlrpc_value *s, *a, *v;
	const char *str;
	char *frag;
	int64_t i;
	double d;
	time_t t;
	int b;

	s = xmlrpc_struct_new();
	xmlrpc_struct_set(s, "str", xmlrpc_string_new("x < y & \"z\"\r\n"));
	xmlrpc_struct_set(s, "empty", xmlrpc_string_new(""));
	xmlrpc_struct_set(s, "int", xmlrpc_int_new(-5));
	xmlrpc_struct_set(s, "t", xmlrpc_bool_new(1));
	xmlrpc_struct_set(s, "f", xmlrpc_bool_new(0));
	xmlrpc_struct_set(s, "dbl", xmlrpc_double_new(1.0 / 3));
	xmlrpc_struct_set(s, "when", xmlrpc_datetime_new(0));
	xmlrpc_struct_set(s, "nil", xmlrpc_nil_new());
	a = xmlrpc_array_new();
	xmlrpc_array_append(a, xmlrpc_array_new());
	xmlrpc_array_append(a, xmlrpc_struct_new());
	xmlrpc_struct_set(s, "arr", a);
	frag = xmlrpc_encode_value(s);
	ck_assert_ptr_nonnull(frag);
	ck_assert_int_eq(xmlrpc_decode_value(frag, strlen(frag), &v), CSM_OK);
	check_string(xmlrpc_struct_get(v, "str"), "x < y & \"z\"\r\n");
	check_string(xmlrpc_struct_get(v, "empty"), "");
	/* ints travel as strings in XenAPI and come back as strings */
	ck_assert_int_eq(xmlrpc_as_int64(xmlrpc_struct_get(v, "int"), &i), CSM_OK);
	ck_assert(i == -5);
	ck_assert_int_eq(xmlrpc_as_bool(xmlrpc_struct_get(v, "t"), &b), CSM_OK);
	ck_assert_int_eq(b, 1);
	ck_assert_int_eq(xmlrpc_as_bool(xmlrpc_struct_get(v, "f"), &b), CSM_OK);
	ck_assert_int_eq(b, 0);
	ck_assert_int_eq(xmlrpc_as_double(xmlrpc_struct_get(v, "dbl"), &d), CSM_OK);
	ck_assert(d == 1.0 / 3);
	ck_assert_int_eq(xmlrpc_as_datetime(xmlrpc_struct_get(v, "when"), &t), CSM_OK);
	ck_assert(t == 0);
	ck_assert_int_eq(xmlrpc_type(xmlrpc_struct_get(v, "nil")), XMLRPC_NIL);
	ck_assert_ptr_nonnull(xmlrpc_struct_get(v, "nil"));
	ck_assert_uint_eq(xmlrpc_len(xmlrpc_struct_get(v, "arr")), 2);
	ck_assert_int_eq(xmlrpc_type(xmlrpc_array_get(xmlrpc_struct_get(v, "arr"), 1)),
	    XMLRPC_STRUCT);
	ck_assert_str_eq(xmlrpc_struct_name_at(v, 0), "str");
	ck_assert_str_eq(xmlrpc_struct_name_at(v, 8), "arr");
	ck_assert_int_eq(xmlrpc_as_string(xmlrpc_struct_get(v, "int"), &str), CSM_OK);
	ck_assert_str_eq(str, "-5");
	free(frag);
	xmlrpc_value_free(v);
	xmlrpc_value_free(s);
}
END_TEST

/* ---- decoding: accepted forms ---- */

START_TEST(test_decode_strings)
{
	struct xmlrpc_value *v;

	v = dec_param("<value>OpaqueRef:abc</value>");
	check_string(v, "OpaqueRef:abc");
	xmlrpc_value_free(v);
	v = dec_param("<value/>");
	check_string(v, "");
	xmlrpc_value_free(v);
	v = dec_param("<value></value>");
	check_string(v, "");
	xmlrpc_value_free(v);
	v = dec_param("<value>  two spaces kept  </value>");
	check_string(v, "  two spaces kept  ");
	xmlrpc_value_free(v);
	v = dec_param("<value>\n  <string>typed</string>\n</value>");
	check_string(v, "typed");
	xmlrpc_value_free(v);
	v = dec_param("<value><string/></value>");
	check_string(v, "");
	xmlrpc_value_free(v);
	v = dec_param("<value>a &amp; b &lt;c&gt; &#13;&#x41;\xc3\xa9</value>");
	check_string(v, "a & b <c> \rA\xc3\xa9");
	xmlrpc_value_free(v);
	v = dec_param("<value><![CDATA[<raw>]]></value>");
	check_string(v, "<raw>");
	xmlrpc_value_free(v);
}
END_TEST

START_TEST(test_decode_ints)
{
	static const char *const forms[] = {
		"<value><i4>42</i4></value>", "<value><int>42</int></value>",
		"<value><i8>42</i8></value>", "<value><int> +42 </int></value>",
		"<value>42</value>",
	};
	struct xmlrpc_value *v;
	int64_t i;
	size_t k;

	for (k = 0; k < sizeof(forms) / sizeof(forms[0]); k++) {
		v = dec_param(forms[k]);
		ck_assert_int_eq(xmlrpc_as_int64(v, &i), CSM_OK);
		ck_assert(i == 42);
		xmlrpc_value_free(v);
	}
	v = dec_param("<value><i8>-9223372036854775808</i8></value>");
	ck_assert_int_eq(xmlrpc_type(v), XMLRPC_INT);
	ck_assert_int_eq(xmlrpc_as_int64(v, &i), CSM_OK);
	ck_assert(i == INT64_MIN);
	xmlrpc_value_free(v);
}
END_TEST

START_TEST(test_decode_bool_double)
{
	struct xmlrpc_value *v;
	double d;
	int b;

	v = dec_param("<value><boolean>1</boolean></value>");
	ck_assert_int_eq(xmlrpc_as_bool(v, &b), CSM_OK);
	ck_assert_int_eq(b, 1);
	xmlrpc_value_free(v);
	v = dec_param("<value><boolean> 0 </boolean></value>");
	ck_assert_int_eq(xmlrpc_as_bool(v, &b), CSM_OK);
	ck_assert_int_eq(b, 0);
	xmlrpc_value_free(v);
	v = dec_param("<value><double>0.5</double></value>");
	ck_assert_int_eq(xmlrpc_as_double(v, &d), CSM_OK);
	ck_assert(d == 0.5);
	xmlrpc_value_free(v);
	v = dec_param("<value><double>-1e3</double></value>");
	ck_assert_int_eq(xmlrpc_as_double(v, &d), CSM_OK);
	ck_assert(d == -1000);
	xmlrpc_value_free(v);
	/* The old serialiser writes NaN for nan and inf. */
	v = dec_param("<value><double>NaN</double></value>");
	ck_assert_int_eq(xmlrpc_as_double(v, &d), CSM_OK);
	ck_assert(isnan(d));
	xmlrpc_value_free(v);
}
END_TEST

START_TEST(test_decode_datetimes)
{
	static const char *const forms[] = {
		"20100322T10:52:23Z", "20100322T10:52:23", "20100322T105223",
		"2010-03-22T10:52:23", "2010-03-22T10:52:23Z", " 20100322T105223Z ",
	};
	struct xmlrpc_value *v;
	char *x;
	time_t t;
	size_t k;

	for (k = 0; k < sizeof(forms) / sizeof(forms[0]); k++) {
		x = xasprintf("<value><dateTime.iso8601>%s</dateTime.iso8601></value>", forms[k]);
		v = dec_param(x);
		ck_assert_int_eq(xmlrpc_as_datetime(v, &t), CSM_OK);
		ck_assert_msg(t == 1269255143, "%s gave %lld", forms[k], (long long)t);
		ck_assert_str_eq(xmlrpc_datetime_text(v), forms[k]);
		xmlrpc_value_free(v);
		free(x);
	}
	/* A dateTime sent as a string still reads as one. */
	v = dec_param("<value>20100322T10:52:23Z</value>");
	ck_assert_int_eq(xmlrpc_as_datetime(v, &t), CSM_OK);
	ck_assert(t == 1269255143);
	xmlrpc_value_free(v);
	v = dec_param("<value><dateTime.iso8601>19691231T23:59:59Z</dateTime.iso8601></value>");
	ck_assert_int_eq(xmlrpc_as_datetime(v, &t), CSM_OK);
	ck_assert(t == -1);
	xmlrpc_value_free(v);
}
END_TEST

START_TEST(test_decode_containers)
{
	struct xmlrpc_value *v;
	const struct xmlrpc_value *m;

	v = dec_param("<value>\n <struct>\n  <member>\n   <name>name_label</name>\n"
	    "   <value>i-2-10-VM</value>\n  </member>\n  <member><name>VCPUs</name>"
	    "<value><array>\n<data>\n<value>a</value>\n<value><i4>1</i4></value>\n"
	    "<value><nil/></value></data></array></value></member>\n"
	    "<member><name>empty</name><value><array><data/></array></value></member>"
	    "<member><name>m</name><value><struct/></value></member>"
	    "<member><name></name><value>unnamed</value></member>"
	    " </struct>\n</value>");
	ck_assert_uint_eq(xmlrpc_len(v), 5);
	check_string(xmlrpc_struct_get(v, "name_label"), "i-2-10-VM");
	m = xmlrpc_struct_get(v, "VCPUs");
	ck_assert_uint_eq(xmlrpc_len(m), 3);
	check_string(xmlrpc_array_get(m, 0), "a");
	ck_assert_int_eq(xmlrpc_type(xmlrpc_array_get(m, 1)), XMLRPC_INT);
	ck_assert_int_eq(xmlrpc_type(xmlrpc_array_get(m, 2)), XMLRPC_NIL);
	ck_assert_int_eq(xmlrpc_type(xmlrpc_struct_get(v, "empty")), XMLRPC_ARRAY);
	ck_assert_uint_eq(xmlrpc_len(xmlrpc_struct_get(v, "empty")), 0);
	ck_assert_int_eq(xmlrpc_type(xmlrpc_struct_get(v, "m")), XMLRPC_STRUCT);
	check_string(xmlrpc_struct_get(v, ""), "unnamed");
	xmlrpc_value_free(v);
}
END_TEST

START_TEST(test_decode_fault)
{
	static const char doc[] = "<?xml version=\"1.0\"?><methodResponse><fault><value><struct>"
	    "<member><name>faultCode</name><value><int>4</int></value></member>"
	    "<member><name>faultString</name><value><string>Too many parameters."
	    "</string></value></member></struct></value></fault></methodResponse>";
	static const char doc2[] = "<methodResponse><fault><value><struct>"
	    "<member><name>faultCode</name><value>-32700</value></member>"
	    "<member><name>faultString</name><value>parse error</value></member>"
	    "</struct></value></fault></methodResponse>";
	struct xmlrpc_value *v = NULL;
	struct xmlrpc_fault *f = NULL;

	ck_assert_int_eq(xmlrpc_decode_response(doc, strlen(doc), &v, &f), CSM_OK);
	ck_assert_ptr_null(v);
	ck_assert_ptr_nonnull(f);
	ck_assert(f->code == 4);
	ck_assert_str_eq(f->string, "Too many parameters.");
	xmlrpc_fault_free(f);
	xmlrpc_fault_free(NULL);

	/* The code as a string (XenAPI's int form) and bare string values. */
	ck_assert_int_eq(xmlrpc_decode_response(doc2, strlen(doc2), &v, &f), CSM_OK);
	ck_assert_ptr_null(v);
	ck_assert(f->code == -32700);
	ck_assert_str_eq(f->string, "parse error");
	xmlrpc_fault_free(f);

	refuse("<methodResponse><fault><value><struct><member><name>faultCode</name>"
	    "<value>x</value></member></struct></value></fault></methodResponse>",
	    "fault");
}
END_TEST

/* ---- decoding: refused input ---- */

START_TEST(test_refuse_malformed)
{
	refuse("", "empty");
	refuse("<methodResponse><params><param><value>abc", "XML error at line 1");
	refuse(HEAD "<value>abc</value></param></params>", "XML error");
	refuse("<methodCall><params/></methodCall>",
	    "unexpected document element <methodCall> at line 1, expected <methodResponse>");
	refuse("<html><body>500 Internal Server Error</body></html>", "<html>");
	refuse("not xml at all", "XML error");
	/* Found by the fuzzer: an encoding error libxml2 used to print on stderr itself. */
	{
		static const char ucs4[] = "\x00\x3c\x00\x00" "e\x00\x00<e\x00\x00<v\x00\x00";
		struct xmlrpc_value *v;
		struct xmlrpc_fault *f;

		ck_assert_int_lt(xmlrpc_decode_response(ucs4, sizeof(ucs4), &v, &f), 0);
		ck_assert_msg(strstr(csm_err_msg(), "input conversion failed") != NULL ||
		    strstr(csm_err_msg(), "XML error") != NULL, "%s", csm_err_msg());
	}
	refuse_param("<value><base64>AAAA</base64></value>", "unexpected element <base64> "
	    "in <value> at line 1");
	refuse_param("<value>\n<struct>\n<member><name>a</name><value>b</value>"
	    "<extra/></member></struct></value>",
	    "unexpected element <extra> in <member> at line 3");
	refuse_param("<value><struct><member><value>b</value></member></struct></value>",
	    "unexpected element <value> in <member>");
	refuse_param("<value><struct><member><name>a</name></member></struct></value>",
	    "<member> without a <value>");
	refuse_param("<value><string>a</string><string>b</string></value>",
	    "unexpected element <string> in <value>");
	refuse_param("<value>text<string>b</string></value>", "text and <string> mixed");
	refuse_param("<value><string>b</string>trailing</value>", "unexpected text in <value>");
	refuse_param("<value><array><value>a</value></array></value>",
	    "unexpected element <value> in <array>");
	refuse_param("<value><array><data>loose</data></array></value>",
	    "unexpected text in <data>");
	refuse_param("<value><string><b>x</b></string></value>", "unexpected element <b>");
	refuse_param("<value><nil>x</nil></value>", "unexpected text in <nil>");
	refuse_param("<value xmlns:x=\"u\"><x:string>a</x:string></value>", "unexpected element");
	refuse("<methodResponse><params></params></methodResponse>", "<params> without");
	refuse("<methodResponse><params><param/></params></methodResponse>",
	    "<param> without");
	refuse("<methodResponse/>", "<methodResponse> without");
	refuse(HEAD "<value>a</value></param><param><value>b</value>" TAIL,
	    "unexpected element <param> in <params>");
	refuse("<methodResponse><params><param><value>a</value><value>b</value></param>"
	    "</params></methodResponse>", "unexpected element <value> in <param>");
}
END_TEST

START_TEST(test_refuse_scalars)
{
	refuse_param("<value><i4>12x</i4></value>", "invalid <int> value '12x' at line 1");
	refuse_param("<value><int></int></value>", "invalid <int>");
	refuse_param("<value><i8>9223372036854775808</i8></value>", "invalid <int>");
	refuse_param("<value><int>1 2</int></value>", "invalid <int>");
	refuse_param("<value><boolean>2</boolean></value>", "invalid <boolean>");
	refuse_param("<value><boolean>10</boolean></value>", "invalid <boolean>");
	refuse_param("<value><boolean/></value>", "invalid <boolean>");
	refuse_param("<value><double>1.5x</double></value>", "invalid <double>");
	refuse_param("<value><double></double></value>", "invalid <double>");
	refuse_param("<value><dateTime.iso8601>2010-03-22 10:52:23</dateTime.iso8601></value>",
	    "invalid <dateTime.iso8601>");
	refuse_param("<value><dateTime.iso8601>20101322T10:52:23Z</dateTime.iso8601></value>",
	    "invalid <dateTime.iso8601>");
	refuse_param("<value><dateTime.iso8601>20100322T10:52:23+01:00</dateTime.iso8601>"
	    "</value>", "invalid <dateTime.iso8601>");
}
END_TEST

START_TEST(test_refuse_doctype)
{
	/* The billion laughs: refused at the DOCTYPE, before any entity is declared. */
	refuse("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
	    " <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n]>\n"
	    "<methodResponse><params><param><value>&lol3;</value></param></params>"
	    "</methodResponse>", "DOCTYPE");
	/* An external entity (file read / SSRF) likewise. */
	refuse("<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>" HEAD
	    "<value>&x;</value>" TAIL, "DOCTYPE");
	refuse("<!DOCTYPE methodResponse SYSTEM \"http://192.0.2.1/x.dtd\">" HEAD
	    "<value>a</value>" TAIL, "DOCTYPE");
	/* Without a DTD an entity reference is simply undefined. */
	refuse(HEAD "<value>&lol;</value>" TAIL, "Entity 'lol' not defined");
}
END_TEST

START_TEST(test_refuse_deep)
{
	char *inner, *tmp;
	struct xmlrpc_value *v;
	int k;

	/* 64 nested values are fine, 65 are not. */
	for (int depth = 64; depth <= 65; depth++) {
		inner = xstrdup("<value>x</value>");
		for (k = 1; k < depth; k++) {
			tmp = xasprintf("<value><array><data>%s</data></array></value>", inner);
			free(inner);
			inner = tmp;
		}
		if (depth == 64) {
			v = dec_param(inner);
			ck_assert_int_eq(xmlrpc_type(v), XMLRPC_ARRAY);
			xmlrpc_value_free(v);
		} else {
			refuse_param(inner, "nested deeper than 64");
		}
		free(inner);
	}
	/* Structs count too, and an absurd depth stops early, not at libxml2's limit. */
	inner = xstrdup("<value/>");
	for (k = 0; k < 5000; k++) {
		tmp = xasprintf("<value><struct><member><name>a</name>%s</member></struct>"
		    "</value>", inner);
		free(inner);
		inner = tmp;
		if (k > 100)
			break;
	}
	refuse_param(inner, "nested deeper than 64");
	free(inner);
}
END_TEST

START_TEST(test_refuse_big)
{
	/* The size check comes before parsing: no need to fill the buffer. */
	size_t len = (size_t)XMLRPC_MAX_DOC + 1;
	char *big = malloc(len);
	struct xmlrpc_value *v;
	struct xmlrpc_fault *f;

	ck_assert_ptr_nonnull(big);
	memset(big, ' ', 64);
	memcpy(big, "<methodResponse>", 16);
	ck_assert_int_lt(xmlrpc_decode_response(big, len, &v, &f), 0);
	ck_assert_ptr_nonnull(strstr(csm_err_msg(), "over the 256 MiB limit"));
	free(big);
}
END_TEST

START_TEST(test_decode_value_fragment)
{
	static const char frag[] = "<value>OpaqueRef:patch</value>";
	static const char frag2[] = "<value><array><data><value>a</value></data></array>"
	    "</value>";
	struct xmlrpc_value *v;

	ck_assert_int_eq(xmlrpc_decode_value(frag, strlen(frag), &v), CSM_OK);
	check_string(v, "OpaqueRef:patch");
	xmlrpc_value_free(v);
	ck_assert_int_eq(xmlrpc_decode_value(frag2, strlen(frag2), &v), CSM_OK);
	ck_assert_uint_eq(xmlrpc_len(v), 1);
	xmlrpc_value_free(v);
	ck_assert_int_lt(xmlrpc_decode_value("OpaqueRef:x", 11, &v), 0);
	ck_assert_ptr_null(v);
	ck_assert_int_lt(xmlrpc_decode_value(HEAD "<value/>" TAIL, strlen(HEAD TAIL) + 8, &v),
	    0);
	ck_assert_ptr_nonnull(strstr(csm_err_msg(), "expected <value>"));
}
END_TEST

/* A get_all_records-sized struct decodes with every member reachable. */
START_TEST(test_decode_many_records)
{
	char *doc;
	size_t cap = 4u << 20, len = 0;
	struct xmlrpc_value *v;
	struct xmlrpc_fault *f;
	char name[64];
	int k;

	doc = xmalloc(cap);
	len += (size_t)sprintf(doc + len, HEAD "<value><struct>");
	for (k = 0; k < 20000; k++)
		len += (size_t)sprintf(doc + len, "<member><name>OpaqueRef:%08d</name><value>"
		    "<struct><member><name>name_label</name><value>i-2-%d-VM</value></member>"
		    "</struct></value></member>\n", k, k);
	len += (size_t)sprintf(doc + len, "</struct></value>" TAIL);
	ck_assert_int_eq(xmlrpc_decode_response(doc, len, &v, &f), CSM_OK);
	ck_assert_ptr_null(f);
	ck_assert_uint_eq(xmlrpc_len(v), 20000);
	snprintf(name, sizeof(name), "OpaqueRef:%08d", 12345);
	check_string(xmlrpc_struct_get(xmlrpc_struct_get(v, name), "name_label"),
	    "i-2-12345-VM");
	xmlrpc_value_free(v);
	free(doc);
}
END_TEST

/* Duplicate member names: first position, last value, as xmlrpc_struct_set() does. */
START_TEST(test_decode_duplicate_members)
{
	struct xmlrpc_value *v;
	char *x, *tmp;
	int k;

	v = dec_param("<value><struct><member><name>a</name><value>1</value></member>"
	    "<member><name>b</name><value>2</value></member>"
	    "<member><name>a</name><value>3</value></member></struct></value>");
	ck_assert_uint_eq(xmlrpc_len(v), 2);
	ck_assert_str_eq(xmlrpc_struct_name_at(v, 0), "a");
	check_string(xmlrpc_struct_value_at(v, 0), "3");
	check_string(xmlrpc_struct_get(v, "a"), "3");
	check_string(xmlrpc_struct_get(v, "b"), "2");
	xmlrpc_value_free(v);

	/* The same in a struct big enough to be indexed. */
	x = xstrdup("");
	for (k = 0; k < 40; k++) {
		tmp = xasprintf("%s<member><name>m%d</name><value>%d</value></member>", x, k % 30,
		    k);
		free(x);
		x = tmp;
	}
	tmp = xasprintf("<value><struct>%s</struct></value>", x);
	v = dec_param(tmp);
	ck_assert_uint_eq(xmlrpc_len(v), 30);
	check_string(xmlrpc_struct_get(v, "m5"), "35");
	check_string(xmlrpc_struct_get(v, "m29"), "29");
	ck_assert_str_eq(xmlrpc_struct_name_at(v, 29), "m29");
	xmlrpc_struct_set(v, "new", xmlrpc_string_new("n"));
	check_string(xmlrpc_struct_get(v, "new"), "n");
	check_string(xmlrpc_struct_get(v, "m0"), "30");
	xmlrpc_value_free(v);
	free(tmp);
	free(x);
}
END_TEST

/* ---- no quadratic paths on big documents from a hostile server ---- */

/*
 * libxml2 checks a start tag's attributes pairwise: 300,000 of them took minutes.  XML-RPC
 * has none, so a tag with more than a few is refused before libxml2 sees it.
 */
START_TEST(test_refuse_many_attributes)
{
	size_t n = 300000, i;
	char *doc = xmalloc(n * 16 + 256), *p = doc;
	struct xmlrpc_value *v = NULL;

	p += sprintf(p, HEAD "<value");
	for (i = 0; i < n; i++)
		p += sprintf(p, " a%zu='x'", i);
	sprintf(p, ">s</value>" TAIL);
	refuse(doc, "more than 64 attributes");
	free(doc);
	/* A few attributes (meaningless in XML-RPC) are still read past. */
	v = dec_param("<value a='1' b=\"2\" c='>'>s</value>");
	ck_assert_int_eq(xmlrpc_type(v), XMLRPC_STRING);
	xmlrpc_value_free(v);
	/* '=' in text, comments and CDATA is no attribute. */
	v = dec_param("<value><!-- a=1 b=2 c=3 d=4 e=5 f=6 g=7 h=8 i=9 j=10 k=11 l=12 m=13 n=14 "
	    "o=15 p=16 q=17 r=18 s=19 t=20 u=21 v=22 w=23 x=24 y=25 z=26 a=27 b=28 c=29 d=30 "
	    "e=31 f=32 g=33 h=34 i=35 j=36 k=37 l=38 m=39 n=40 o=41 p=42 q=43 r=44 s=45 t=46 "
	    "u=47 v=48 w=49 x=50 y=51 z=52 a=53 b=54 c=55 d=56 e=57 f=58 g=59 h=60 i=61 j=62 "
	    "k=63 l=64 m=65 --><![CDATA[<x a=1 b=2 c=3 d=4 e=5 f=6 g=7 h=8 i=9 j=10 k=11 l=12 "
	    "m=13 n=14 o=15 p=16 q=17 r=18 s=19 t=20 u=21 v=22 w=23 x=24 y=25 z=26 a=27 b=28 "
	    "c=29 d=30 e=31 f=32 g=33 h=34 i=35 j=36 k=37 l=38 m=39 n=40 o=41 p=42 q=43 r=44 "
	    "s=45 t=46 u=47 v=48 w=49 x=50 y=51 z=52 a=53 b=54 c=55 d=56 e=57 f=58 g=59 h=60 "
	    "i=61 j=62 k=63 l=64 m=65>]]></value>");
	ck_assert_int_eq(xmlrpc_type(v), XMLRPC_STRING);
	xmlrpc_value_free(v);
}
END_TEST

/* One FNV-1a (32-bit, fixed basis) step over n bytes: the index's hash before it was seeded. */
static uint32_t
fnv32(uint32_t h, const char *b, size_t n)
{
	while (n-- > 0)
		h = (h ^ (unsigned char)*b++) * 16777619u;
	return h;
}

/*
 * Member names are the server's: with a predictable hash it can send 131,072 refs that all
 * fall into one probe chain of the struct index (here: names colliding in the low 20 bits
 * of the old hash, built from colliding 4-byte blocks), and indexing them is quadratic
 * (hours).  With a seeded hash they spread out.
 */
START_TEST(test_struct_hash_collisions)
{
	enum { BLOCKS = 17, BITS = 20 };
	static uint32_t seen[1u << BITS];
	char blk[BLOCKS][2][5], *doc, *p;
	struct xmlrpc_value *v = NULL;
	size_t i, n = (size_t)1 << BLOCKS;
	uint32_t h = 2166136261u, c, l;
	int k, b;

	for (k = 0; k < BLOCKS; k++) {
		memset(seen, 0, sizeof(seen));
		for (c = 0;; c++) {
			char t[5];
			snprintf(t, sizeof(t), "%c%c%c%c", 'a' + c % 26, 'a' + c / 26 % 26,
			    'a' + c / 676 % 26, 'a' + c / 17576 % 26);
			l = fnv32(h, t, 4) & ((1u << BITS) - 1);
			if (seen[l] != 0) {
				uint32_t o = seen[l] - 1;
				snprintf(blk[k][0], 5, "%c%c%c%c", 'a' + o % 26, 'a' + o / 26 % 26,
				    'a' + o / 676 % 26, 'a' + o / 17576 % 26);
				memcpy(blk[k][1], t, 5);
				break;
			}
			seen[l] = c + 1;
		}
		ck_assert_uint_eq(fnv32(h, blk[k][0], 4) & ((1u << BITS) - 1),
		    fnv32(h, blk[k][1], 4) & ((1u << BITS) - 1));
		h = fnv32(h, blk[k][0], 4);
	}
	doc = p = xmalloc(n * (BLOCKS * 4 + 64) + 256);
	p += sprintf(p, HEAD "<value><struct>");
	for (i = 0; i < n; i++) {
		p += sprintf(p, "<member><name>");
		for (k = 0; k < BLOCKS; k++) {
			b = (int)(i >> k) & 1;
			memcpy(p, blk[k][b], 4);
			p += 4;
		}
		p += sprintf(p, "</name><value>%zu</value></member>", i);
	}
	sprintf(p, "</struct></value>" TAIL);
	{
		struct xmlrpc_fault *f = NULL;
		ck_assert_int_eq(xmlrpc_decode_response(doc, strlen(doc), &v, &f), CSM_OK);
	}
	ck_assert_uint_eq(xmlrpc_len(v), n);
	{
		/* The last name: every block's second choice. */
		char name[BLOCKS * 4 + 1];
		const char *s;
		for (k = 0; k < BLOCKS; k++)
			memcpy(name + 4 * k, blk[k][1], 4);
		name[BLOCKS * 4] = '\0';
		ck_assert_int_eq(xmlrpc_as_string(xmlrpc_struct_get(v, name), &s), CSM_OK);
		ck_assert_uint_eq(strtoul(s, NULL, 10), n - 1);
	}
	xmlrpc_value_free(v);
	free(doc);
}
END_TEST

static Suite *
xmlrpc_suite(void)
{
	Suite *s = suite_create("xmlrpc");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_scalars);
	tcase_add_test(tc, test_int_string_form);
	tcase_add_test(tc, test_containers);
	tcase_add_test(tc, test_encode_call);
	tcase_add_test(tc, test_encode_escapes);
	tcase_add_test(tc, test_encode_refuses);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_decode_strings);
	tcase_add_test(tc, test_decode_ints);
	tcase_add_test(tc, test_decode_bool_double);
	tcase_add_test(tc, test_decode_datetimes);
	tcase_add_test(tc, test_decode_containers);
	tcase_add_test(tc, test_decode_duplicate_members);
	tcase_add_test(tc, test_decode_fault);
	tcase_add_test(tc, test_refuse_malformed);
	tcase_add_test(tc, test_refuse_scalars);
	tcase_add_test(tc, test_refuse_doctype);
	tcase_add_test(tc, test_refuse_deep);
	tcase_add_test(tc, test_refuse_big);
	tcase_add_test(tc, test_decode_value_fragment);
	tcase_add_test(tc, test_decode_many_records);
	suite_add_tcase(s, tc);

	/* Linear on hostile input: a quadratic path would blow these timeouts by far. */
	tc = tcase_create("bounded");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_refuse_many_attributes);
	tcase_add_test(tc, test_struct_hash_collisions);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(xmlrpc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
