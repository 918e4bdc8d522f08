/* xmlrpc-int.h: the value layout and the helpers that the three xmlrpc-*.c files share. */
#ifndef XMLRPC_INT_H
#define XMLRPC_INT_H

/*
 * Private to src/xmlrpc-*.c: everything else goes through xmlrpc.h.  The encoder walks
 * values directly and the decoder builds structs member by member without the
 * duplicate check of xmlrpc_struct_set() (it folds duplicates once, when the struct
 * closes), which a get_all_records reply of hundreds of thousands of members needs:
 *
 *	s = xmlrpc_struct_new();
 *	for each member: off = xmlrpc_pool_add(s->u.st, name, len);
 *	                 ... decode its value v ...
 *	                 xmlrpc_body_append(s->u.st, off, v);	(s owns v now)
 *	xmlrpc_struct_seal(s);		(before anyone looks a name up)
 *
 * Ownership is xmlrpc.h's: a value belongs to its container.
 */

#include <locale.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "csmaint.h"
#include "sbuf.h"
#include "xmlrpc.h"

struct xmlrpc_member {
	size_t name;			/* offset of the name in the struct's name pool */
	struct xmlrpc_value *v;
};

/*
 * A struct's members, kept out of line so scalar values stay small.  Names live in one
 * pool per struct: a get_all_records reply has hundreds of thousands of members, and
 * one allocation per name would cost more than the parse.
 */
struct xmlrpc_body {
	struct xmlrpc_member *m;
	size_t n, cap;
	char *names;			/* NUL-terminated names, back to back */
	size_t nlen, ncap;
	uint32_t *hash;			/* index + 1 per slot, 0 = empty */
	size_t hcap;			/* power of two, or 0 when unindexed */
};

struct xmlrpc_value {
	enum xmlrpc_type type;
	union {
		int64_t i;
		int b;
		double d;
		struct {
			struct xmlrpc_value **items;
			size_t n, cap;
		} arr;
		struct xmlrpc_body *st;
		time_t t;
	} u;
	size_t len;		/* strings and dateTimes: text length */
	char text[];		/* strings and dateTimes: the text, NUL-terminated */
};

/* Member i's name (borrowed from the struct's pool). */
static inline const char *
xmlrpc_name_of(const struct xmlrpc_body *b, size_t i)
{
	return b->names + b->m[i].name;
}

/* The encoder's output and the decoder's text are struct sbuf (sbuf.h). */

/* xmlrpc-value.c, for the decoder: build a struct without looking up names. */
/* Copy a name into the struct's pool; returns its offset, for xmlrpc_body_append(). */
size_t xmlrpc_pool_add(struct xmlrpc_body *b, const char *name, size_t len);
/* Append a member (name: an offset from xmlrpc_pool_add()); b takes ownership of v. */
void xmlrpc_body_append(struct xmlrpc_body *b, size_t name, struct xmlrpc_value *v);
/* After the last member: fold duplicate names (first position, last value), index it. */
void xmlrpc_struct_seal(struct xmlrpc_value *s);

/* xmlrpc-value.c: the scalar forms the typed getters and the decoder both read. */
/* A decimal int64 with optional surrounding blanks and sign; 0 or -1. */
int xmlrpc_parse_int64(const char *s, size_t len, int64_t *out);
/* A dateTime value from text in one of the accepted forms; NULL (no message) if not one. */
struct xmlrpc_value *xmlrpc_datetime_from_text(const char *s, size_t len);
/* The C locale, for numbers on the wire: '.' whatever locale the program runs in. */
locale_t xmlrpc_c_locale(void);

#endif
