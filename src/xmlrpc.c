/* xmlrpc.c: XML-RPC values, the XenAPI encoding of calls and a streaming decoder of replies. */
#include <ctype.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/types.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>

#include "csmaint.h"
#include "xmlrpc.h"

/* Structs with more members than this get a hash index (get_all_records has thousands). */
#define HASH_MIN 16

struct member {
	size_t name;			/* offset of the name in the struct's name pool */
	struct xmlrpc_value *v;
};

/*
 * A struct's members, kept out of line so scalar values stay small.  Names live in one
 * pool per struct: a get_all_records reply has hundreds of thousands of members, and
 * one allocation per name would cost more than the parse.
 */
struct sbody {
	struct member *m;
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
		struct sbody *st;
		time_t t;
	} u;
	size_t len;		/* strings and dateTimes: text length */
	char text[];		/* strings and dateTimes: the text, NUL-terminated */
};

/* Growable byte buffer for the encoder and for collecting character data. */
struct buf {
	char *p;
	size_t len, cap;
};

static void
buf_reserve(struct buf *b, size_t more)
{
	size_t cap;

	if (b->len + more + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Numbers on the wire use '.', whatever locale the program runs in. */
static locale_t
c_locale(void)
{
	static locale_t c;

	if (c == (locale_t)0)
		c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	return c;
}

/* ---- constructors and accessors ---- */

static struct xmlrpc_value *
value_alloc(enum xmlrpc_type type, size_t textlen)
{
	struct xmlrpc_value *v = xmalloc(sizeof(*v) + textlen + 1);

	memset(v, 0, sizeof(*v));
	v->type = type;
	v->text[0] = '\0';
	return v;
}

struct xmlrpc_value *
xmlrpc_nil_new(void)
{
	return value_alloc(XMLRPC_NIL, 0);
}

struct xmlrpc_value *
xmlrpc_string_newn(const char *s, size_t len)
{
	struct xmlrpc_value *v = value_alloc(XMLRPC_STRING, len);

	memcpy(v->text, s, len);
	v->text[len] = '\0';
	v->len = len;
	return v;
}

struct xmlrpc_value *
xmlrpc_string_new(const char *s)
{
	return xmlrpc_string_newn(s, strlen(s));
}

struct xmlrpc_value *
xmlrpc_int_new(int64_t i)
{
	struct xmlrpc_value *v = value_alloc(XMLRPC_INT, 0);

	v->u.i = i;
	return v;
}

struct xmlrpc_value *
xmlrpc_bool_new(int b)
{
	struct xmlrpc_value *v = value_alloc(XMLRPC_BOOL, 0);

	v->u.b = b != 0;
	return v;
}

struct xmlrpc_value *
xmlrpc_double_new(double d)
{
	struct xmlrpc_value *v = value_alloc(XMLRPC_DOUBLE, 0);

	v->u.d = d;
	return v;
}

struct xmlrpc_value *
xmlrpc_datetime_new(time_t t)
{
	struct xmlrpc_value *v;
	struct tm tm;
	char s[64];
	size_t n;

	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	n = strftime(s, sizeof(s), "%Y%m%dT%H:%M:%SZ", &tm);
	v = value_alloc(XMLRPC_DATETIME, n);
	memcpy(v->text, s, n + 1);
	v->len = n;
	v->u.t = t;
	return v;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
digits(const char **p, const char *end, int n, int *out)
{
	int v = 0;

	while (n-- > 0) {
		if (*p >= end || !isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	*out = v;
	return 0;
}

/*
 * The dateTime forms XenAPI servers and the C SDK use, all UTC: 20100322T10:52:23Z,
 * the same without Z, 20100322T105223 and 2010-03-22T10:52:23 (each with optional Z).
 */
static int
parse_datetime(const char *s, size_t len, time_t *out)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *p = s, *end = s + len;
	int y, mo, d, h, mi, sec, dash, colon;
	int64_t days;

	while (p < end && isspace((unsigned char)*p))
		p++;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if (digits(&p, end, 4, &y) < 0)
		return -1;
	dash = p < end && *p == '-';
	p += dash;
	if (digits(&p, end, 2, &mo) < 0 || (dash && (p >= end || *p++ != '-')) ||
	    digits(&p, end, 2, &d) < 0 || p >= end || *p++ != 'T' ||
	    digits(&p, end, 2, &h) < 0)
		return -1;
	colon = p < end && *p == ':';
	p += colon;
	if (digits(&p, end, 2, &mi) < 0 || (colon && (p >= end || *p++ != ':')) ||
	    digits(&p, end, 2, &sec) < 0)
		return -1;
	if (p < end && *p == 'Z')
		p++;
	if (p != end)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 60)
		return -1;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -1;
	days = days_from_civil(y, mo, d);
	*out = (time_t)(days * 86400 + h * 3600 + mi * 60 + sec);
	return 0;
}

static struct xmlrpc_value *
datetime_from_text(const char *s, size_t len)
{
	struct xmlrpc_value *v;
	time_t t;

	if (parse_datetime(s, len, &t) < 0)
		return NULL;
	v = value_alloc(XMLRPC_DATETIME, len);
	memcpy(v->text, s, len);
	v->text[len] = '\0';
	v->len = len;
	v->u.t = t;
	return v;
}

struct xmlrpc_value *
xmlrpc_datetime_parse(const char *text)
{
	struct xmlrpc_value *v = datetime_from_text(text, strlen(text));

	if (v == NULL)
		csm_err_set(CSM_EFAIL, "'%s' is not a dateTime", text);
	return v;
}

struct xmlrpc_value *
xmlrpc_array_new(void)
{
	return value_alloc(XMLRPC_ARRAY, 0);
}

struct xmlrpc_value *
xmlrpc_struct_new(void)
{
	struct xmlrpc_value *v = value_alloc(XMLRPC_STRUCT, 0);

	v->u.st = xcalloc(1, sizeof(*v->u.st));
	return v;
}

void
xmlrpc_array_append(struct xmlrpc_value *a, struct xmlrpc_value *item)
{
	if (a == NULL || a->type != XMLRPC_ARRAY) {
		xmlrpc_value_free(item);
		return;
	}
	if (a->u.arr.n == a->u.arr.cap) {
		a->u.arr.cap = a->u.arr.cap ? a->u.arr.cap * 2 : 4;
		a->u.arr.items = xrealloc(a->u.arr.items, a->u.arr.cap * sizeof(*a->u.arr.items));
	}
	a->u.arr.items[a->u.arr.n++] = item;
}

/*
 * Member names come from the server, so the index must not let it choose collisions: a
 * get_all_records reply whose 100,000 refs all land in one probe chain would take hours
 * to index.  FNV-1a from a per-process random basis, finished with MurmurHash3's fmix64
 * so that the slot depends on every bit of the state: cheap, and not predictable from
 * outside the process.
 */
static uint64_t
hash_seed(void)
{
	static uint64_t seed;
	static int have;
	uint64_t s = 0;

	if (!have) {
		if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != (ssize_t)sizeof(s))
			s = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^
			    (uint64_t)(uintptr_t)&s;
		seed = s;
		have = 1;
	}
	return seed;
}

static uint32_t
hash_name(const char *s)
{
	uint64_t h = 14695981039346656037ull ^ hash_seed();

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return (uint32_t)h;
}

static const char *
name_of(const struct sbody *b, size_t i)
{
	return b->names + b->m[i].name;
}

static void
hash_insert(struct sbody *b, size_t idx)
{
	size_t mask = b->hcap - 1, i = hash_name(name_of(b, idx)) & mask;

	while (b->hash[i] != 0)
		i = (i + 1) & mask;
	b->hash[i] = (uint32_t)idx + 1;
}

/* Keep the index at most half full so probes stay short. */
static void
hash_rebuild(struct sbody *b)
{
	size_t cap = 64, i;

	while (cap < b->n * 2 + 2)
		cap *= 2;
	free(b->hash);
	b->hash = xcalloc(cap, sizeof(*b->hash));
	b->hcap = cap;
	for (i = 0; i < b->n; i++)
		hash_insert(b, i);
}

static ssize_t
body_find(const struct sbody *b, const char *name)
{
	size_t i, mask;
	uint32_t slot;

	if (b->hcap == 0) {
		for (i = 0; i < b->n; i++)
			if (strcmp(name_of(b, i), name) == 0)
				return (ssize_t)i;
		return -1;
	}
	mask = b->hcap - 1;
	for (i = hash_name(name) & mask; (slot = b->hash[i]) != 0; i = (i + 1) & mask)
		if (strcmp(name_of(b, slot - 1), name) == 0)
			return (ssize_t)slot - 1;
	return -1;
}

static ssize_t
struct_find(const struct xmlrpc_value *s, const char *name)
{
	return body_find(s->u.st, name);
}

/* Copy a name into the pool; returns its offset. */
static size_t
pool_add(struct sbody *b, const char *name, size_t len)
{
	size_t off = b->nlen;

	if (b->nlen + len + 1 > b->ncap) {
		b->ncap = b->ncap ? b->ncap : 256;
		while (b->nlen + len + 1 > b->ncap)
			b->ncap *= 2;
		b->names = xrealloc(b->names, b->ncap);
	}
	memcpy(b->names + off, name, len);
	b->names[off + len] = '\0';
	b->nlen += len + 1;
	return off;
}

/* Append a member without looking for an existing one (the decoder dedupes at the end). */
static void
body_append(struct sbody *b, size_t name, struct xmlrpc_value *v)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 8;
		b->m = xrealloc(b->m, b->cap * sizeof(*b->m));
	}
	b->m[b->n].name = name;
	b->m[b->n].v = v;
	b->n++;
}

/*
 * After decoding a struct: index it if big, and fold duplicate names the way
 * xmlrpc_struct_set() would have (first position, last value).
 */
static void
struct_seal(struct xmlrpc_value *s)
{
	struct sbody *b = s->u.st;
	size_t i, kept = 0, saved_n = b->n;
	ssize_t at;

	if (b->n > HASH_MIN) {
		b->hcap = 64;
		while (b->hcap < b->n * 2 + 2)
			b->hcap *= 2;
		b->hash = xcalloc(b->hcap, sizeof(*b->hash));
	}
	for (i = 0; i < saved_n; i++) {
		b->n = kept;	/* look only among the members kept so far */
		at = body_find(b, b->names + b->m[i].name);
		if (at >= 0) {
			xmlrpc_value_free(b->m[at].v);
			b->m[at].v = b->m[i].v;
			continue;
		}
		b->m[kept] = b->m[i];
		if (b->hcap != 0)
			hash_insert(b, kept);
		kept++;
	}
	b->n = kept;
}

void
xmlrpc_struct_set(struct xmlrpc_value *s, const char *name, struct xmlrpc_value *v)
{
	struct sbody *b;
	ssize_t at;

	if (s == NULL || s->type != XMLRPC_STRUCT) {
		xmlrpc_value_free(v);
		return;
	}
	b = s->u.st;
	if ((at = body_find(b, name)) >= 0) {
		xmlrpc_value_free(b->m[at].v);
		b->m[at].v = v;
		return;
	}
	body_append(b, pool_add(b, name, strlen(name)), v);
	if (b->hcap != 0 && b->n * 2 + 2 <= b->hcap)
		hash_insert(b, b->n - 1);
	else if (b->n > HASH_MIN)
		hash_rebuild(b);
}

/* Remove a member's value from a struct and hand it to the caller (the slot becomes nil). */
static struct xmlrpc_value *
struct_take(struct xmlrpc_value *s, const char *name)
{
	struct xmlrpc_value *v;
	ssize_t at = struct_find(s, name);

	if (at < 0)
		return NULL;
	v = s->u.st->m[at].v;
	s->u.st->m[at].v = xmlrpc_nil_new();
	return v;
}

void
xmlrpc_value_free(struct xmlrpc_value *v)
{
	size_t i;

	if (v == NULL)
		return;
	switch (v->type) {
	case XMLRPC_ARRAY:
		for (i = 0; i < v->u.arr.n; i++)
			xmlrpc_value_free(v->u.arr.items[i]);
		free(v->u.arr.items);
		break;
	case XMLRPC_STRUCT:
		for (i = 0; i < v->u.st->n; i++)
			xmlrpc_value_free(v->u.st->m[i].v);
		free(v->u.st->m);
		free(v->u.st->names);
		free(v->u.st->hash);
		free(v->u.st);
		break;
	default:
		break;
	}
	free(v);
}

static void
clear_texts(struct xmlrpc_value *v)
{
	size_t i;

	if (v == NULL)
		return;
	if (v->type == XMLRPC_ARRAY)
		for (i = 0; i < v->u.arr.n; i++)
			clear_texts(v->u.arr.items[i]);
	else if (v->type == XMLRPC_STRUCT)
		for (i = 0; i < v->u.st->n; i++)
			clear_texts(v->u.st->m[i].v);
	csm_explicit_bzero(v->text, v->len);
}

void
xmlrpc_value_free_secret(struct xmlrpc_value *v)
{
	clear_texts(v);
	xmlrpc_value_free(v);
}

enum xmlrpc_type
xmlrpc_type(const struct xmlrpc_value *v)
{
	return v == NULL ? XMLRPC_NIL : v->type;
}

const char *
xmlrpc_type_name(enum xmlrpc_type t)
{
	switch (t) {
	case XMLRPC_NIL:
		return "nil";
	case XMLRPC_STRING:
		return "string";
	case XMLRPC_INT:
		return "int";
	case XMLRPC_BOOL:
		return "boolean";
	case XMLRPC_DOUBLE:
		return "double";
	case XMLRPC_DATETIME:
		return "dateTime";
	case XMLRPC_ARRAY:
		return "array";
	case XMLRPC_STRUCT:
		return "struct";
	}
	return "unknown";
}

size_t
xmlrpc_len(const struct xmlrpc_value *v)
{
	if (v == NULL)
		return 0;
	if (v->type == XMLRPC_ARRAY)
		return v->u.arr.n;
	if (v->type == XMLRPC_STRUCT)
		return v->u.st->n;
	return 0;
}

const struct xmlrpc_value *
xmlrpc_array_get(const struct xmlrpc_value *v, size_t i)
{
	if (v == NULL || v->type != XMLRPC_ARRAY || i >= v->u.arr.n)
		return NULL;
	return v->u.arr.items[i];
}

const char *
xmlrpc_struct_name_at(const struct xmlrpc_value *v, size_t i)
{
	if (v == NULL || v->type != XMLRPC_STRUCT || i >= v->u.st->n)
		return NULL;
	return name_of(v->u.st, i);
}

const struct xmlrpc_value *
xmlrpc_struct_value_at(const struct xmlrpc_value *v, size_t i)
{
	if (v == NULL || v->type != XMLRPC_STRUCT || i >= v->u.st->n)
		return NULL;
	return v->u.st->m[i].v;
}

const struct xmlrpc_value *
xmlrpc_struct_get(const struct xmlrpc_value *v, const char *name)
{
	ssize_t at;

	if (v == NULL || v->type != XMLRPC_STRUCT)
		return NULL;
	at = struct_find(v, name);
	return at < 0 ? NULL : v->u.st->m[at].v;
}

static int
wrong_type(const struct xmlrpc_value *v, const char *want)
{
	return csm_err_set(CSM_EFAIL, "expected %s, got %s", want,
	    xmlrpc_type_name(xmlrpc_type(v)));
}

int
xmlrpc_as_string_len(const struct xmlrpc_value *v, const char **out, size_t *len)
{
	if (v == NULL || v->type != XMLRPC_STRING)
		return wrong_type(v, "string");
	*out = v->text;
	if (len != NULL)
		*len = v->len;
	return CSM_OK;
}

int
xmlrpc_as_string(const struct xmlrpc_value *v, const char **out)
{
	return xmlrpc_as_string_len(v, out, NULL);
}

/* A decimal int64 with optional surrounding blanks and sign, as XML-RPC allows. */
static int
parse_int64(const char *s, size_t len, int64_t *out)
{
	char tmp[32];
	const char *end = s + len;
	long long v;

	while (s < end && isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	if (s < end && *s == '+')
		s++;
	if (s == end || (size_t)(end - s) >= sizeof(tmp) || *s == '+' || *s == ' ')
		return -1;
	memcpy(tmp, s, (size_t)(end - s));
	tmp[end - s] = '\0';
	if (csm_strtonum(tmp, INT64_MIN, INT64_MAX, &v) != CSM_OK)
		return -1;
	*out = v;
	return 0;
}

int
xmlrpc_as_int64(const struct xmlrpc_value *v, int64_t *out)
{
	if (v != NULL && v->type == XMLRPC_INT) {
		*out = v->u.i;
		return CSM_OK;
	}
	if (v != NULL && v->type == XMLRPC_STRING) {
		if (parse_int64(v->text, v->len, out) == 0)
			return CSM_OK;
		return csm_err_set(CSM_EFAIL, "expected an int, got the string '%.64s'", v->text);
	}
	return wrong_type(v, "int");
}

int
xmlrpc_as_bool(const struct xmlrpc_value *v, int *out)
{
	if (v == NULL || v->type != XMLRPC_BOOL)
		return wrong_type(v, "boolean");
	*out = v->u.b;
	return CSM_OK;
}

static int
parse_double(const char *s, size_t len, double *out)
{
	char tmp[128], *end;
	locale_t old;
	const char *e = s + len;
	double d;

	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	if (s == e || (size_t)(e - s) >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, (size_t)(e - s));
	tmp[e - s] = '\0';
	old = uselocale(c_locale());
	d = strtod(tmp, &end);
	uselocale(old);
	if (*end != '\0')
		return -1;
	*out = d;
	return 0;
}

int
xmlrpc_as_double(const struct xmlrpc_value *v, double *out)
{
	if (v != NULL && v->type == XMLRPC_DOUBLE) {
		*out = v->u.d;
		return CSM_OK;
	}
	if (v != NULL && v->type == XMLRPC_INT) {
		*out = (double)v->u.i;
		return CSM_OK;
	}
	return wrong_type(v, "double");
}

int
xmlrpc_as_datetime(const struct xmlrpc_value *v, time_t *out)
{
	if (v != NULL && v->type == XMLRPC_DATETIME) {
		*out = v->u.t;
		return CSM_OK;
	}
	if (v != NULL && v->type == XMLRPC_STRING) {
		if (parse_datetime(v->text, v->len, out) == 0)
			return CSM_OK;
		return csm_err_set(CSM_EFAIL, "expected a dateTime, got the string '%.64s'",
		    v->text);
	}
	return wrong_type(v, "dateTime");
}

const char *
xmlrpc_datetime_text(const struct xmlrpc_value *v)
{
	if (v == NULL || v->type != XMLRPC_DATETIME)
		return NULL;
	return v->text;
}

struct xmlrpc_value *
xmlrpc_value_dup(const struct xmlrpc_value *v)
{
	struct xmlrpc_value *c;
	size_t i;

	if (v == NULL)
		return xmlrpc_nil_new();
	switch (v->type) {
	case XMLRPC_ARRAY:
		c = xmlrpc_array_new();
		for (i = 0; i < v->u.arr.n; i++)
			xmlrpc_array_append(c, xmlrpc_value_dup(v->u.arr.items[i]));
		return c;
	case XMLRPC_STRUCT:
		c = xmlrpc_struct_new();
		for (i = 0; i < v->u.st->n; i++)
			xmlrpc_struct_set(c, name_of(v->u.st, i), xmlrpc_value_dup(v->u.st->m[i].v));
		return c;
	default:
		c = value_alloc(v->type, v->len);
		memcpy(c, v, sizeof(*v) + v->len + 1);
		return c;
	}
}

/* ---- encoding ---- */

/*
 * Append text XML-escaped.  XML 1.0 cannot carry most C0 controls at all (not even as
 * character references), and a server cannot parse invalid UTF-8, so both are refused
 * here rather than sent.  CR goes as &#13; because parsers turn a literal CR into LF.
 */
static int
add_text(struct buf *b, const char *s, size_t len, const char *what)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len, *run = p;
	const char *esc;
	unsigned int c, n, k;

	while (p < end) {
		c = *p;
		if (c >= 0x20 && c < 0x80 && c != '<' && c != '>' && c != '&') {
			p++;
			continue;
		}
		if (c < 0x80) {
			buf_add(b, (const char *)run, (size_t)(p - run));
			switch (c) {
			case '<': esc = "&lt;"; break;
			case '>': esc = "&gt;"; break;
			case '&': esc = "&amp;"; break;
			case '\r': esc = "&#13;"; break;
			case '\t': esc = "\t"; break;
			case '\n': esc = "\n"; break;
			default:
				return csm_err_set(CSM_EUSAGE, "%s contains the control character "
				    "0x%02x at byte %zu, which XML cannot carry", what, c,
				    (size_t)(p - (const unsigned char *)s));
			}
			buf_adds(b, esc);
			run = ++p;
			continue;
		}
		/* A UTF-8 sequence: shortest form, no surrogates, at most U+10FFFF. */
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, c &= 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, c &= 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, c &= 0x07;
		else
			goto bad;
		if ((size_t)(end - p) <= n)
			goto bad;
		for (k = 1; k <= n; k++) {
			if ((p[k] & 0xc0) != 0x80)
				goto bad;
			c = (c << 6) | (p[k] & 0x3f);
		}
		if ((n == 2 && c < 0x800) || (n == 3 && (c < 0x10000 || c > 0x10ffff)) ||
		    (c >= 0xd800 && c <= 0xdfff) || c == 0xfffe || c == 0xffff)
			goto bad;
		p += n + 1;
	}
	buf_add(b, (const char *)run, (size_t)(p - run));
	return CSM_OK;
bad:
	return csm_err_set(CSM_EUSAGE, "%s is not valid UTF-8 text (byte %zu)", what,
	    (size_t)(p - (const unsigned char *)s));
}

static int
add_value(struct buf *b, const struct xmlrpc_value *v, const char *what, int depth)
{
	const char *name;
	char num[64];
	locale_t old;
	size_t i;
	int rc;

	if (depth > XMLRPC_MAX_DEPTH)
		return csm_err_set(CSM_EUSAGE, "%s nests deeper than %d values", what,
		    XMLRPC_MAX_DEPTH);
	switch (xmlrpc_type(v)) {
	case XMLRPC_NIL:
		buf_adds(b, "<value><nil/></value>");
		return CSM_OK;
	case XMLRPC_STRING:
		buf_adds(b, "<value>");
		if ((rc = add_text(b, v->text, v->len, what)) < 0)
			return rc;
		buf_adds(b, "</value>");
		return CSM_OK;
	case XMLRPC_INT:
		/* The 2010 server reads ints only from strings (NOTES §1.3). */
		snprintf(num, sizeof(num), "<value>%lld</value>", (long long)v->u.i);
		buf_adds(b, num);
		return CSM_OK;
	case XMLRPC_BOOL:
		buf_adds(b, v->u.b ? "<value><boolean>1</boolean></value>" :
		    "<value><boolean>0</boolean></value>");
		return CSM_OK;
	case XMLRPC_DOUBLE:
		old = uselocale(c_locale());
		snprintf(num, sizeof(num), "<value><double>%.17g</double></value>", v->u.d);
		uselocale(old);
		buf_adds(b, num);
		return CSM_OK;
	case XMLRPC_DATETIME:
		buf_adds(b, "<value><dateTime.iso8601>");
		if ((rc = add_text(b, v->text, v->len, what)) < 0)
			return rc;
		buf_adds(b, "</dateTime.iso8601></value>");
		return CSM_OK;
	case XMLRPC_ARRAY:
		buf_adds(b, "<value><array><data>");
		for (i = 0; i < v->u.arr.n; i++)
			if ((rc = add_value(b, v->u.arr.items[i], what, depth + 1)) < 0)
				return rc;
		buf_adds(b, "</data></array></value>");
		return CSM_OK;
	case XMLRPC_STRUCT:
		buf_adds(b, "<value><struct>");
		for (i = 0; i < v->u.st->n; i++) {
			buf_adds(b, "<member><name>");
			name = name_of(v->u.st, i);
			if ((rc = add_text(b, name, strlen(name), what)) < 0)
				return rc;
			buf_adds(b, "</name>");
			if ((rc = add_value(b, v->u.st->m[i].v, what, depth + 1)) < 0)
				return rc;
			buf_adds(b, "</member>");
		}
		buf_adds(b, "</struct></value>");
		return CSM_OK;
	}
	return csm_err_set(CSM_EUSAGE, "%s has an unknown type", what);
}

/* XenAPI method names are class.message or Async.class.message: keep anything else out. */
static int
valid_method(const char *m)
{
	const char *p;

	if (*m == '\0' || *m == '.')
		return 0;
	for (p = m; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
			return 0;
	return p[-1] != '.';
}

char *
xmlrpc_encode_call(const char *method, struct xmlrpc_value *const *params, size_t n)
{
	struct buf b = { NULL, 0, 0 };
	char what[96];
	size_t i;

	if (method == NULL || !valid_method(method)) {
		csm_err_set(CSM_EUSAGE, "'%s' is not a XenAPI method name",
		    method ? method : "(null)");
		return NULL;
	}
	buf_adds(&b, "<?xml version=\"1.0\"?>\n<methodCall><methodName>");
	buf_adds(&b, method);
	buf_adds(&b, "</methodName><params>");
	for (i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "parameter %zu of %.32s", i + 1, method);
		buf_adds(&b, "<param>");
		if (add_value(&b, params[i], what, 1) < 0) {
			/* The body may hold a password: clear it before letting go. */
			csm_explicit_bzero(b.p, b.len);
			free(b.p);
			return NULL;
		}
		buf_adds(&b, "</param>");
	}
	buf_adds(&b, "</params></methodCall>\n");
	return b.p;
}

char *
xmlrpc_encode_value(const struct xmlrpc_value *v)
{
	struct buf b = { NULL, 0, 0 };

	buf_reserve(&b, 0);
	b.p[0] = '\0';
	if (add_value(&b, v, "value", 1) < 0) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* ---- decoding: a SAX2 state machine, so no libxml2 tree is built ---- */

enum el {
	EL_ROOT,	/* before the document element */
	EL_METHODRESPONSE,
	EL_PARAMS,
	EL_PARAM,
	EL_FAULT,
	EL_VALUE,
	EL_STRING,
	EL_INT,		/* <i4>, <int>, <i8> */
	EL_BOOLEAN,
	EL_DOUBLE,
	EL_DATETIME,
	EL_NIL,
	EL_ARRAY,
	EL_DATA,
	EL_STRUCT,
	EL_MEMBER,
	EL_NAME,
	EL_UNKNOWN,
};

static const char *const el_names[] = {
	"(document)", "methodResponse", "params", "param", "fault", "value", "string",
	"int", "boolean", "double", "dateTime.iso8601", "nil", "array", "data", "struct",
	"member", "name", "?",
};

struct frame {
	enum el el;
	unsigned int nchild;		/* child elements seen */
	struct xmlrpc_value *v;		/* value: what it holds; member: its value */
	size_t name;			/* member: its name's offset in the struct's pool */
};

/* value, container, data|member per nesting level, plus the envelope and a leaf. */
#define MAX_FRAMES (3 * XMLRPC_MAX_DEPTH + 8)

struct dec {
	xmlParserCtxtPtr ctxt;
	enum el root;			/* EL_METHODRESPONSE or EL_VALUE */
	struct frame stack[MAX_FRAMES];
	int depth;			/* frames in use; stack[0] is EL_ROOT */
	int vdepth;			/* open <value>s */
	struct buf text;		/* character data of the current leaf */
	int failed;			/* a message is in the error slot */
	int xml_error;			/* libxml2 reported an error (message kept) */
	char xml_msg[512];
	int is_fault;
};

static enum el
el_of(const char *n)
{
	switch (n[0]) {
	case 'a':
		if (strcmp(n, "array") == 0)
			return EL_ARRAY;
		break;
	case 'b':
		if (strcmp(n, "boolean") == 0)
			return EL_BOOLEAN;
		break;
	case 'd':
		if (strcmp(n, "data") == 0)
			return EL_DATA;
		if (strcmp(n, "double") == 0)
			return EL_DOUBLE;
		if (strcmp(n, "dateTime.iso8601") == 0)
			return EL_DATETIME;
		break;
	case 'f':
		if (strcmp(n, "fault") == 0)
			return EL_FAULT;
		break;
	case 'i':
		if (strcmp(n, "i4") == 0 || strcmp(n, "int") == 0 || strcmp(n, "i8") == 0)
			return EL_INT;
		break;
	case 'm':
		if (strcmp(n, "member") == 0)
			return EL_MEMBER;
		if (strcmp(n, "methodResponse") == 0)
			return EL_METHODRESPONSE;
		break;
	case 'n':
		if (strcmp(n, "name") == 0)
			return EL_NAME;
		if (strcmp(n, "nil") == 0)
			return EL_NIL;
		break;
	case 'p':
		if (strcmp(n, "param") == 0)
			return EL_PARAM;
		if (strcmp(n, "params") == 0)
			return EL_PARAMS;
		break;
	case 's':
		if (strcmp(n, "string") == 0)
			return EL_STRING;
		if (strcmp(n, "struct") == 0)
			return EL_STRUCT;
		break;
	case 'v':
		if (strcmp(n, "value") == 0)
			return EL_VALUE;
		break;
	}
	return EL_UNKNOWN;
}

static int
line_of(struct dec *d)
{
	return xmlSAX2GetLineNumber(d->ctxt);
}

static void dec_fail(struct dec *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Record the first failure and stop the parser: nothing after it matters. */
static void
dec_fail(struct dec *d, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (d->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	csm_err_set(CSM_EFAIL, "%s", msg);
	d->failed = 1;
	xmlStopParser(d->ctxt);
}

static int
blank(const char *s, size_t n)
{
	while (n-- > 0)
		if (!isspace((unsigned char)*s++))
			return 0;
	return 1;
}

/* Is element c allowed as child number nchild of element p? */
static int
allowed(struct dec *d, enum el p, unsigned int nchild, enum el c)
{
	switch (p) {
	case EL_ROOT:
		return c == d->root;
	case EL_METHODRESPONSE:
		return nchild == 0 && (c == EL_PARAMS || c == EL_FAULT);
	case EL_PARAMS:
		return nchild == 0 && c == EL_PARAM;
	case EL_PARAM:
	case EL_FAULT:
		return nchild == 0 && c == EL_VALUE;
	case EL_VALUE:
		return nchild == 0 && ((c >= EL_STRING && c <= EL_ARRAY) || c == EL_STRUCT);
	case EL_ARRAY:
		return nchild == 0 && c == EL_DATA;
	case EL_DATA:
		return c == EL_VALUE;
	case EL_STRUCT:
		return c == EL_MEMBER;
	case EL_MEMBER:
		return (nchild == 0 && c == EL_NAME) || (nchild == 1 && c == EL_VALUE);
	default:
		return 0;
	}
}

static void
sax_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
    int nb_namespaces, const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
    const xmlChar **attributes)
{
	struct dec *d = ctx;
	const char *name = (const char *)localname;
	struct frame *p;
	enum el e;

	(void)uri, (void)nb_namespaces, (void)namespaces, (void)nb_attributes;
	(void)nb_defaulted, (void)attributes;	/* attributes mean nothing in XML-RPC */

	if (d->failed)
		return;
	p = &d->stack[d->depth - 1];
	e = el_of(name);
	if (e == EL_UNKNOWN || prefix != NULL || !allowed(d, p->el, p->nchild, e)) {
		if (p->el == EL_ROOT)
			dec_fail(d, "unexpected document element <%.64s> at line %d, expected "
			    "<%s>", name, line_of(d), el_names[d->root]);
		else
			dec_fail(d, "unexpected element <%.64s> in <%s> at line %d", name,
			    el_names[p->el], line_of(d));
		return;
	}
	if (p->el == EL_VALUE && !blank(d->text.p, d->text.len)) {
		dec_fail(d, "text and <%s> mixed in <value> at line %d", name, line_of(d));
		return;
	}
	if (e == EL_VALUE && ++d->vdepth > XMLRPC_MAX_DEPTH) {
		dec_fail(d, "values nested deeper than %d at line %d", XMLRPC_MAX_DEPTH,
		    line_of(d));
		return;
	}
	if (d->depth >= MAX_FRAMES) {
		dec_fail(d, "elements nested too deep at line %d", line_of(d));
		return;
	}
	p->nchild++;
	if (e == EL_ARRAY)
		p->v = xmlrpc_array_new();
	else if (e == EL_STRUCT)
		p->v = xmlrpc_struct_new();
	d->stack[d->depth++] = (struct frame){ e, 0, NULL, 0 };
	d->text.len = 0;
	if (d->text.p != NULL)
		d->text.p[0] = '\0';
}

static void
sax_text(void *ctx, const xmlChar *ch, int len)
{
	struct dec *d = ctx;
	struct frame *f;

	if (d->failed)
		return;
	f = &d->stack[d->depth - 1];
	switch (f->el) {
	case EL_VALUE:
		if (f->nchild > 0)
			goto check_blank;
		/* FALLTHROUGH */
	case EL_STRING:
	case EL_INT:
	case EL_BOOLEAN:
	case EL_DOUBLE:
	case EL_DATETIME:
	case EL_NAME:
		buf_add(&d->text, (const char *)ch, (size_t)len);
		return;
	default:
	check_blank:
		if (!blank((const char *)ch, (size_t)len))
			dec_fail(d, "unexpected text in <%s> at line %d", el_names[f->el],
			    line_of(d));
		return;
	}
}

static const char *
text_of(struct dec *d)
{
	return d->text.p != NULL ? d->text.p : "";
}

/* A finished <value> goes to whatever holds it. */
static void
deliver(struct dec *d, struct xmlrpc_value *v)
{
	struct frame *p = &d->stack[d->depth - 1];

	switch (p->el) {
	case EL_DATA:
		/* stack: … value(array) array data */
		xmlrpc_array_append(d->stack[d->depth - 3].v, v);
		break;
	default:		/* param, fault, member, or the document itself */
		p->v = v;
		break;
	}
}

static void
sax_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	struct dec *d = ctx;
	struct frame f, *p;
	struct xmlrpc_value *v = NULL;
	const char *t;
	int64_t i;
	double dbl;

	(void)localname, (void)prefix, (void)uri;	/* sax_start checked the name */
	if (d->failed)
		return;
	f = d->stack[--d->depth];
	p = &d->stack[d->depth - 1];
	t = text_of(d);
	switch (f.el) {
	case EL_VALUE:
		d->vdepth--;
		if (f.nchild == 0)
			v = xmlrpc_string_newn(t, d->text.len);
		else
			v = f.v;
		deliver(d, v);
		break;
	case EL_STRING:
		p->v = xmlrpc_string_newn(t, d->text.len);
		break;
	case EL_INT:
		if (parse_int64(t, d->text.len, &i) < 0)
			goto bad_scalar;
		p->v = xmlrpc_int_new(i);
		break;
	case EL_BOOLEAN:
		while (*t && isspace((unsigned char)*t))
			t++;
		if (t[0] == '0' || t[0] == '1') {
			if (!blank(t + 1, strlen(t + 1)))
				goto bad_scalar;
			p->v = xmlrpc_bool_new(t[0] == '1');
		} else if (strcasecmp(t, "true") == 0 || strcasecmp(t, "false") == 0) {
			p->v = xmlrpc_bool_new(t[0] == 't' || t[0] == 'T');
		} else {
			goto bad_scalar;
		}
		break;
	case EL_DOUBLE:
		if (parse_double(t, d->text.len, &dbl) < 0)
			goto bad_scalar;
		p->v = xmlrpc_double_new(dbl);
		break;
	case EL_DATETIME:
		if ((p->v = datetime_from_text(t, d->text.len)) == NULL)
			goto bad_scalar;
		break;
	case EL_NIL:
		p->v = xmlrpc_nil_new();
		break;
	case EL_NAME:
		/* stack: … value(struct) struct member */
		p->name = pool_add(d->stack[d->depth - 3].v->u.st, t, d->text.len);
		break;
	case EL_STRUCT:
		struct_seal(p->v);
		break;
	case EL_MEMBER:
		if (f.nchild != 2) {
			d->stack[d->depth++] = f;	/* so the cleanup frees it */
			dec_fail(d, "<member> without a <value> at line %d", line_of(d));
			return;
		}
		/* stack: … value(struct) struct */
		body_append(d->stack[d->depth - 2].v->u.st, f.name, f.v);
		break;
	case EL_PARAMS:
	case EL_PARAM:
	case EL_FAULT:
	case EL_METHODRESPONSE:
		if (f.nchild != 1) {
			d->stack[d->depth++] = f;
			dec_fail(d, "<%s> without its <%s> at line %d", el_names[f.el],
			    f.el == EL_PARAMS ? "param" : f.el == EL_METHODRESPONSE ?
			    "params" : "value", line_of(d));
			return;
		}
		if (f.el == EL_FAULT)
			d->is_fault = 1;
		p->v = f.v;	/* hand the single value up towards the document */
		break;
	default:		/* array, data: the value frame already holds it */
		break;
	}
	d->text.len = 0;
	return;
bad_scalar:
	d->stack[d->depth++] = f;
	dec_fail(d, "invalid <%s> value '%.40s' at line %d", el_names[f.el], text_of(d),
	    line_of(d));
}

static void
sax_doctype(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
	struct dec *d = ctx;

	(void)name, (void)ext, (void)sys;
	dec_fail(d, "refusing a document with a DOCTYPE (line %d): XML-RPC has none, and "
	    "its entities could expand without bound", line_of(d));
}

static void
sax_entity(void *ctx, const xmlChar *name, int type, const xmlChar *pub, const xmlChar *sys,
    xmlChar *content)
{
	struct dec *d = ctx;

	(void)name, (void)type, (void)pub, (void)sys, (void)content;
	dec_fail(d, "refusing an entity declaration at line %d", line_of(d));
}

/* libxml2's own errors (not well-formed, bad encoding): keep the first one's text. */
static void
sax_error(void *ctx, xmlErrorPtr err)
{
	struct dec *d = ctx;
	size_t n;

	if (err == NULL || err->level < XML_ERR_ERROR || d->xml_error)
		return;
	d->xml_error = 1;
	snprintf(d->xml_msg, sizeof(d->xml_msg), "XML error at line %d: %s", err->line,
	    err->message ? err->message : "unknown");
	n = strlen(d->xml_msg);
	while (n > 0 && (d->xml_msg[n - 1] == '\n' || d->xml_msg[n - 1] == ' '))
		d->xml_msg[--n] = '\0';
}

/*
 * XML-RPC has no attributes, but libxml2 (2.9) checks an element's attributes for
 * duplicates pairwise while parsing its start tag, before any callback can refuse it: a
 * tag with 400,000 attributes (4 MB) costs minutes.  So count them first, in one pass
 * over the markup (comments, CDATA sections, processing instructions and quoted values
 * skipped), and refuse a tag with more than MAX_ATTRS.
 */
#define MAX_ATTRS 64

static int
too_many_attributes(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *q;
	unsigned int n;
	char quote;

	while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		if ((size_t)(end - p) >= 4 && memcmp(p, "<!--", 4) == 0) {
			q = memmem(p + 4, (size_t)(end - p - 4), "-->", 3);
			p = q ? q + 3 : end;
			continue;
		}
		if ((size_t)(end - p) >= 9 && memcmp(p, "<![CDATA[", 9) == 0) {
			q = memmem(p + 9, (size_t)(end - p - 9), "]]>", 3);
			p = q ? q + 3 : end;
			continue;
		}
		if ((size_t)(end - p) >= 2 && p[1] == '?') {
			q = memmem(p + 2, (size_t)(end - p - 2), "?>", 2);
			p = q ? q + 2 : end;
			continue;
		}
		for (n = 0, quote = 0, p++; p < end && (quote || *p != '>'); p++) {
			if (quote) {
				if (*p == quote)
					quote = 0;
			} else if (*p == '"' || *p == '\'') {
				quote = *p;
			} else if (*p == '=' && ++n > MAX_ATTRS) {
				csm_err_set(CSM_EFAIL, "XML-RPC reply has an element with more than "
				    "%d attributes (at byte %zu)", MAX_ATTRS, (size_t)(p - buf));
				return 1;
			}
		}
		if (p == end)
			break;
	}
	return 0;
}

/* Parse buf with root element root; on success the document's value is returned. */
static int
decode(const char *buf, size_t len, enum el root, struct xmlrpc_value **out, int *is_fault)
{
	static int inited;
	xmlSAXHandler sax, *oldsax;
	xmlStructuredErrorFunc old_serror;
	void *old_sctx;
	struct dec *d;
	int rc = CSM_EFAIL, i;

	*out = NULL;
	if (len > XMLRPC_MAX_DOC)
		return csm_err_set(CSM_EFAIL, "XML-RPC reply of %zu bytes is over the %u MiB "
		    "limit", len, XMLRPC_MAX_DOC >> 20);
	if (len == 0)
		return csm_err_set(CSM_EFAIL, "empty XML-RPC reply");
	if (too_many_attributes(buf, len))
		return CSM_EFAIL;
	if (!inited) {
		xmlInitParser();
		inited = 1;
	}
	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = sax_start;
	sax.endElementNs = sax_end;
	sax.characters = sax_text;
	sax.ignorableWhitespace = sax_text;
	sax.cdataBlock = sax_text;
	sax.internalSubset = sax_doctype;
	sax.externalSubset = sax_doctype;
	sax.entityDecl = sax_entity;
	sax.serror = sax_error;

	d = xcalloc(1, sizeof(*d));
	d->root = root;
	d->ctxt = xmlCreateMemoryParserCtxt(buf, (int)len);
	if (d->ctxt == NULL) {
		rc = csm_err_set(CSM_EFAIL, "cannot create an XML parser");
		goto out;
	}
	/* No network, no DTD loading, no entity substitution: only the options below. */
	xmlCtxtUseOptions(d->ctxt, XML_PARSE_NONET);
	oldsax = d->ctxt->sax;
	d->ctxt->sax = &sax;
	d->ctxt->userData = d;
	d->stack[0] = (struct frame){ EL_ROOT, 0, NULL, 0 };
	d->depth = 1;
	/*
	 * Errors raised without a parser context (input encoding conversion) go to the
	 * global handler, which prints on stderr: collect them with the others instead.
	 */
	old_serror = xmlStructuredError;
	old_sctx = xmlStructuredErrorContext;
	xmlSetStructuredErrorFunc(d, sax_error);
	xmlParseDocument(d->ctxt);
	xmlSetStructuredErrorFunc(old_sctx, old_serror);
	d->ctxt->sax = oldsax;

	if (d->failed)
		goto out;
	if (d->xml_error || !d->ctxt->wellFormed) {
		rc = csm_err_set(CSM_EFAIL, "%s", d->xml_error ? d->xml_msg :
		    "XML-RPC reply is not well-formed XML");
		goto out;
	}
	if (d->depth != 1 || d->stack[0].v == NULL) {
		rc = csm_err_set(CSM_EFAIL, "XML-RPC reply ends early");
		goto out;
	}
	*out = d->stack[0].v;
	d->stack[0].v = NULL;
	if (is_fault != NULL)
		*is_fault = d->is_fault;
	rc = CSM_OK;
out:
	for (i = 0; i < d->depth; i++) {
		xmlrpc_value_free(d->stack[i].v);
	}
	if (d->ctxt != NULL) {
		if (d->ctxt->myDoc != NULL)
			xmlFreeDoc(d->ctxt->myDoc);
		xmlFreeParserCtxt(d->ctxt);
	}
	free(d->text.p);
	free(d);
	return rc;
}

void
xmlrpc_fault_free(struct xmlrpc_fault *f)
{
	if (f == NULL)
		return;
	free(f->string);
	free(f);
}

int
xmlrpc_decode_response(const char *buf, size_t len, struct xmlrpc_value **result,
    struct xmlrpc_fault **fault)
{
	struct xmlrpc_value *v;
	const char *s = NULL;
	int64_t code;
	int rc, is_fault = 0;

	*result = NULL;
	*fault = NULL;
	if ((rc = decode(buf, len, EL_METHODRESPONSE, &v, &is_fault)) < 0)
		return rc;
	if (!is_fault) {
		*result = v;
		return CSM_OK;
	}
	if (xmlrpc_as_int64(xmlrpc_struct_get(v, "faultCode"), &code) < 0 ||
	    xmlrpc_as_string(xmlrpc_struct_get(v, "faultString"), &s) < 0) {
		xmlrpc_value_free(v);
		return csm_err_set(CSM_EFAIL, "XML-RPC <fault> without an int faultCode and a "
		    "string faultString");
	}
	*fault = xcalloc(1, sizeof(**fault));
	(*fault)->code = code;
	(*fault)->string = xstrdup(s);
	xmlrpc_value_free(v);
	return CSM_OK;
}

int
xmlrpc_decode_value(const char *buf, size_t len, struct xmlrpc_value **result)
{
	return decode(buf, len, EL_VALUE, result, NULL);
}

void
xmlrpc_strv_free(char **v)
{
	char **p;

	if (v == NULL)
		return;
	for (p = v; *p != NULL; p++)
		free(*p);
	free(v);
}

/* A scalar as the text the server would have written; NULL for containers. */
static char *
scalar_text(const struct xmlrpc_value *v)
{
	switch (xmlrpc_type(v)) {
	case XMLRPC_STRING:
	case XMLRPC_DATETIME:
		return xstrdup(v->text);
	case XMLRPC_INT:
		return xasprintf("%lld", (long long)v->u.i);
	case XMLRPC_BOOL:
		return xstrdup(v->u.b ? "true" : "false");
	case XMLRPC_DOUBLE:
		return xasprintf("%.17g", v->u.d);
	case XMLRPC_NIL:
		return xstrdup("");
	default:
		return NULL;
	}
}

int
xmlrpc_decode_xenapi(const char *buf, size_t len, struct xmlrpc_value **value,
    char ***errv, size_t *nerr)
{
	struct xmlrpc_value *res = NULL;
	struct xmlrpc_fault *fault = NULL;
	const struct xmlrpc_value *desc;
	const char *status = NULL;
	char **v;
	size_t i, n;
	int rc;

	*value = NULL;
	*errv = NULL;
	*nerr = 0;
	if ((rc = xmlrpc_decode_response(buf, len, &res, &fault)) < 0)
		return rc;
	if (fault != NULL) {
		v = xcalloc(4, sizeof(*v));
		v[0] = xstrdup("FAULT");
		v[1] = xasprintf("%lld", (long long)fault->code);
		v[2] = xstrdup(fault->string);
		*errv = v;
		*nerr = 3;
		xmlrpc_fault_free(fault);
		return CSM_OK;
	}
	if (xmlrpc_type(res) != XMLRPC_STRUCT) {
		rc = csm_err_set(CSM_EFAIL, "XenAPI reply is a %s, not a struct with a Status",
		    xmlrpc_type_name(xmlrpc_type(res)));
		goto out;
	}
	if (xmlrpc_as_string(xmlrpc_struct_get(res, "Status"), &status) < 0) {
		rc = csm_err_set(CSM_EFAIL, "XenAPI reply has no Status string");
		goto out;
	}
	if (strcmp(status, "Success") == 0) {
		if ((*value = struct_take(res, "Value")) == NULL) {
			rc = csm_err_set(CSM_EFAIL, "XenAPI reply has Status Success but no Value");
			goto out;
		}
		rc = CSM_OK;
		goto out;
	}
	if (strcmp(status, "Failure") != 0) {
		rc = csm_err_set(CSM_EFAIL, "XenAPI reply has the unknown Status '%.64s'", status);
		goto out;
	}
	desc = xmlrpc_struct_get(res, "ErrorDescription");
	if (xmlrpc_type(desc) != XMLRPC_ARRAY || (n = xmlrpc_len(desc)) == 0) {
		rc = csm_err_set(CSM_EFAIL, "XenAPI reply has Status Failure but no "
		    "ErrorDescription array");
		goto out;
	}
	v = xcalloc(n + 1, sizeof(*v));
	for (i = 0; i < n; i++) {
		if ((v[i] = scalar_text(xmlrpc_array_get(desc, i))) == NULL) {
			xmlrpc_strv_free(v);
			rc = csm_err_set(CSM_EFAIL, "XenAPI ErrorDescription item %zu is a %s, "
			    "not a string", i, xmlrpc_type_name(xmlrpc_type(
			    xmlrpc_array_get(desc, i))));
			goto out;
		}
	}
	*errv = v;
	*nerr = n;
	rc = CSM_OK;
out:
	xmlrpc_value_free(res);
	return rc;
}
