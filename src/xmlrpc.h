/* xmlrpc.h: plain XML-RPC: the value model, the encoder and the decoder (xmlrpc-*.c). */
#ifndef XMLRPC_H
#define XMLRPC_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * Calling sequence.
 *
 * Build the parameters of a call with the constructors, encode them, free them:
 *
 *	struct xmlrpc_value *p[2] = { xmlrpc_string_new(session), xmlrpc_string_new(vm) };
 *	char *body = xmlrpc_encode_call("VM.get_record", p, 2);	 (NULL: see csm_err_msg())
 *	xmlrpc_value_free(p[0]); xmlrpc_value_free(p[1]);
 *	... send body, free(body) ...
 *
 * Decode the reply with xmlrpc_decode_response(): its single param, or its <fault>.  The
 * decoded tree is the caller's; free it with xmlrpc_value_free().  The XenAPI envelope
 * inside the param (Status, Value, ErrorDescription) is xapi.h's business:
 * xapi_decode_reply().
 *
 * Three files, one job each: xmlrpc-value.c (the value model: constructors, accessors,
 * typed getters, free), xmlrpc-encode.c (values to XML text), xmlrpc-decode.c (XML text
 * to values; the only user of libxml2).  They share the value layout through
 * xmlrpc-int.h, which nothing else includes.
 *
 * Ownership.  Every *_new() value is the caller's until it is handed to
 * xmlrpc_array_append() or xmlrpc_struct_set(), which take it over: the container frees
 * it.  Accessors return pointers that live as long as their container (borrowed, const);
 * a struct's member names move when members are added to it.
 * xmlrpc_value_free(NULL) does nothing.  Constructors never return NULL (allocation
 * failure aborts, as everywhere in csmaint).
 */

#define XMLRPC_MAX_DOC (256u * 1024 * 1024)	/* bytes */
#define XMLRPC_MAX_DEPTH 64			/* nested <value>s */

enum xmlrpc_type {
	XMLRPC_NIL,
	XMLRPC_STRING,
	XMLRPC_INT,		/* from <i4>, <int>, <i8>, or xmlrpc_int_new() */
	XMLRPC_BOOL,
	XMLRPC_DOUBLE,
	XMLRPC_DATETIME,	/* keeps the text as sent and its time_t (UTC) */
	XMLRPC_ARRAY,
	XMLRPC_STRUCT,		/* members keep their order; lookup by name */
};

struct xmlrpc_value;

/* ---- the value model (xmlrpc-value.c) ---- */

/* Constructors. */
struct xmlrpc_value *xmlrpc_nil_new(void);
struct xmlrpc_value *xmlrpc_string_new(const char *s);
struct xmlrpc_value *xmlrpc_string_newn(const char *s, size_t len);
struct xmlrpc_value *xmlrpc_int_new(int64_t i);
struct xmlrpc_value *xmlrpc_bool_new(int b);
struct xmlrpc_value *xmlrpc_double_new(double d);
/* A dateTime in UTC, sent as 20100322T10:52:23Z. */
struct xmlrpc_value *xmlrpc_datetime_new(time_t t);
/* A dateTime from text in one of the accepted forms; NULL (message set) if unparsable. */
struct xmlrpc_value *xmlrpc_datetime_parse(const char *text);
struct xmlrpc_value *xmlrpc_array_new(void);
struct xmlrpc_value *xmlrpc_struct_new(void);
/* Append item to array a; a takes ownership of item. */
void xmlrpc_array_append(struct xmlrpc_value *a, struct xmlrpc_value *item);
/* Set member name of struct s to v (replacing an existing one); s takes ownership of v. */
void xmlrpc_struct_set(struct xmlrpc_value *s, const char *name, struct xmlrpc_value *v);
/*
 * Take member name's value out of struct s: the caller's now, and the member stays in s
 * as a nil.  NULL if s is not a struct or has no such member.  For a reply's big payload,
 * which would otherwise be copied out of its envelope.
 */
struct xmlrpc_value *xmlrpc_struct_take(struct xmlrpc_value *s, const char *name);
void xmlrpc_value_free(struct xmlrpc_value *v);
/* Free v after clearing the text of its strings: for values that held a password. */
void xmlrpc_value_free_secret(struct xmlrpc_value *v);

/* Inspection.  A NULL value has type XMLRPC_NIL. */
enum xmlrpc_type xmlrpc_type(const struct xmlrpc_value *v);
const char *xmlrpc_type_name(enum xmlrpc_type t);
/* Number of items of an array or members of a struct; 0 for anything else. */
size_t xmlrpc_len(const struct xmlrpc_value *v);
/* Item i of an array; NULL if v is not an array or i is out of range. */
const struct xmlrpc_value *xmlrpc_array_get(const struct xmlrpc_value *v, size_t i);
/* Member i of a struct, in document order; NULL if out of range or not a struct. */
const char *xmlrpc_struct_name_at(const struct xmlrpc_value *v, size_t i);
const struct xmlrpc_value *xmlrpc_struct_value_at(const struct xmlrpc_value *v, size_t i);
/* Member called name; NULL if v is not a struct or has no such member.  O(1) on big structs. */
const struct xmlrpc_value *xmlrpc_struct_get(const struct xmlrpc_value *v, const char *name);

/*
 * Typed getters: CSM_OK and *out set, or CSM_EFAIL with a message naming the expected and
 * the actual type.  Strings are borrowed.  xmlrpc_as_int64 also takes the XenAPI string
 * form of an int ("1048576"); xmlrpc_as_double takes an int too; xmlrpc_as_datetime
 * takes a string in a dateTime form.
 */
int xmlrpc_as_string(const struct xmlrpc_value *v, const char **out);
int xmlrpc_as_string_len(const struct xmlrpc_value *v, const char **out, size_t *len);
int xmlrpc_as_int64(const struct xmlrpc_value *v, int64_t *out);
int xmlrpc_as_bool(const struct xmlrpc_value *v, int *out);
int xmlrpc_as_double(const struct xmlrpc_value *v, double *out);
int xmlrpc_as_datetime(const struct xmlrpc_value *v, time_t *out);
/* The dateTime text as received (or as built); NULL if v is not a dateTime. */
const char *xmlrpc_datetime_text(const struct xmlrpc_value *v);
/* Deep copy, the caller's. */
struct xmlrpc_value *xmlrpc_value_dup(const struct xmlrpc_value *v);

/*
 * ---- the encoder (xmlrpc-encode.c) ----
 *
 * The XenAPI encoding (reference/xenapi/NOTES.md §1.3), which any XML-RPC server reads:
 * strings are sent bare, <value>text</value>; 64-bit ints as decimal strings, because the
 * 2010 server parses ints only from strings; bools as <boolean>0|1</boolean>; doubles as
 * <double>%.17g, with a '.' whatever the locale.
 */

/*
 * A methodCall document, the caller's to free().  params are borrowed.  NULL with a
 * message when the method name is not a XenAPI name or a string holds what XML 1.0
 * cannot carry (control characters other than tab, LF and CR; invalid UTF-8).
 */
char *xmlrpc_encode_call(const char *method, struct xmlrpc_value *const *params, size_t n);
/* One <value>…</value> fragment, the caller's; NULL with a message as above. */
char *xmlrpc_encode_value(const struct xmlrpc_value *v);

/*
 * ---- the decoder (xmlrpc-decode.c) ----
 *
 * On input every common XML-RPC form is accepted.  Decoding is safe on hostile input: no
 * network, no DTD, no entity expansion (a document with a DOCTYPE is refused), at most
 * XMLRPC_MAX_DOC bytes and XMLRPC_MAX_DEPTH nested values, no element with more than 64
 * attributes (XML-RPC has none, and libxml2 checks them pairwise).  Its cost is linear in
 * the document: big structs are indexed with a hash seeded per process, so a server
 * cannot choose member names that collide.  Failures return a negative csm code with the
 * message (what and at which line) in csm_err_msg(); nothing is returned then.
 */

/* An XML-RPC <fault>. */
struct xmlrpc_fault {
	int64_t code;
	char *string;
};
void xmlrpc_fault_free(struct xmlrpc_fault *f);

/*
 * Decode a methodResponse.  On CSM_OK exactly one of *result (the single param) and
 * *fault is set, and it is the caller's.  A negative code means the document is
 * malformed or refused; nothing is returned then.
 */
int xmlrpc_decode_response(const char *buf, size_t len, struct xmlrpc_value **result,
    struct xmlrpc_fault **fault);

/* Decode a bare <value>…</value> fragment (the form of an Async task's result). */
int xmlrpc_decode_value(const char *buf, size_t len, struct xmlrpc_value **result);

#endif
