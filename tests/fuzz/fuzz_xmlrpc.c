/*
 * fuzz_xmlrpc.c: libFuzzer target for the XML-RPC decoder, with a round-trip check, for
 * the XenAPI envelope (xapi_decode_reply) and for the readers of decoded replies
 * (fuzz_typed.c).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csmaint.h"
#include "xapi.h"
#include "xmlrpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void fuzz_typed(const uint8_t *data, size_t size);

/*
 * Equal as XenAPI sees it: the encoder sends ints as strings, so an int and the string
 * of its decimal form are the same value.
 */
static int
same(const struct xmlrpc_value *a, const struct xmlrpc_value *b)
{
	enum xmlrpc_type ta = xmlrpc_type(a), tb = xmlrpc_type(b);
	const char *sa, *sb;
	int64_t ia, ib;
	double da, db;
	int ba, bb;
	size_t i, la, lb;

	if (ta == XMLRPC_INT || tb == XMLRPC_INT)
		return xmlrpc_as_int64(a, &ia) == 0 && xmlrpc_as_int64(b, &ib) == 0 && ia == ib;
	if (ta != tb)
		return 0;
	switch (ta) {
	case XMLRPC_NIL:
		return 1;
	case XMLRPC_STRING:
		return xmlrpc_as_string_len(a, &sa, &la) == 0 &&
		    xmlrpc_as_string_len(b, &sb, &lb) == 0 && la == lb &&
		    memcmp(sa, sb, la) == 0;
	case XMLRPC_BOOL:
		return xmlrpc_as_bool(a, &ba) == 0 && xmlrpc_as_bool(b, &bb) == 0 && ba == bb;
	case XMLRPC_DOUBLE:
		xmlrpc_as_double(a, &da);
		xmlrpc_as_double(b, &db);
		return da == db || (isnan(da) && isnan(db));
	case XMLRPC_DATETIME:
		return strcmp(xmlrpc_datetime_text(a), xmlrpc_datetime_text(b)) == 0;
	case XMLRPC_ARRAY:
		if (xmlrpc_len(a) != xmlrpc_len(b))
			return 0;
		for (i = 0; i < xmlrpc_len(a); i++)
			if (!same(xmlrpc_array_get(a, i), xmlrpc_array_get(b, i)))
				return 0;
		return 1;
	case XMLRPC_STRUCT:
		if (xmlrpc_len(a) != xmlrpc_len(b))
			return 0;
		for (i = 0; i < xmlrpc_len(a); i++)
			if (strcmp(xmlrpc_struct_name_at(a, i), xmlrpc_struct_name_at(b, i)) != 0 ||
			    !same(xmlrpc_struct_value_at(a, i), xmlrpc_struct_value_at(b, i)) ||
			    xmlrpc_struct_get(b, xmlrpc_struct_name_at(a, i)) !=
			    xmlrpc_struct_value_at(b, i))
				return 0;
		return 1;
	default:
		return 0;
	}
}

/* Whatever decodes must encode (it holds only what XML can carry) and decode back equal. */
static void
round_trip(const struct xmlrpc_value *v)
{
	struct xmlrpc_value *back = NULL, *copy;
	char *frag = xmlrpc_encode_value(v);

	if (frag == NULL)
		__builtin_trap();
	if (xmlrpc_decode_value(frag, strlen(frag), &back) != CSM_OK || !same(v, back))
		__builtin_trap();
	copy = xmlrpc_value_dup(back);
	if (!same(copy, back))
		__builtin_trap();
	xmlrpc_value_free(copy);
	xmlrpc_value_free(back);
	free(frag);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xmlrpc_value *v = NULL;
	struct xmlrpc_fault *f = NULL;
	char **errv = NULL;
	size_t n = 0;

	if (xmlrpc_decode_response((const char *)data, size, &v, &f) == CSM_OK) {
		if ((v == NULL) == (f == NULL))
			__builtin_trap();
		if (v != NULL)
			round_trip(v);
	}
	xmlrpc_value_free(v);
	xmlrpc_fault_free(f);

	if (xapi_decode_reply((const char *)data, size, &v, &errv, &n) == CSM_OK) {
		if ((v == NULL) == (errv == NULL) || (errv != NULL && n == 0))
			__builtin_trap();
	}
	xmlrpc_value_free(v);
	xapi_errv_free(errv);

	v = NULL;
	if (xmlrpc_decode_value((const char *)data, size, &v) == CSM_OK)
		round_trip(v);
	xmlrpc_value_free(v);

	csm_quiet = 1;		/* "not known yet" notes from the task polls */
	fuzz_typed(data, size);
	return 0;
}
