/* xmlrpc-value.c: the XML-RPC value model: constructors, accessors, typed getters, free. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include "csmaint.h"
#include "xmlrpc.h"
#include "xmlrpc-int.h"

/* Structs with more members than this get a hash index (get_all_records has thousands). */
#define HASH_MIN 16

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

struct xmlrpc_value *
xmlrpc_datetime_from_text(const char *s, size_t len)
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
	struct xmlrpc_value *v = xmlrpc_datetime_from_text(text, strlen(text));

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

static void
hash_insert(struct xmlrpc_body *b, size_t idx)
{
	size_t mask = b->hcap - 1, i = hash_name(xmlrpc_name_of(b, idx)) & mask;

	while (b->hash[i] != 0)
		i = (i + 1) & mask;
	b->hash[i] = (uint32_t)idx + 1;
}

/* Keep the index at most half full so probes stay short. */
static void
hash_rebuild(struct xmlrpc_body *b)
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
body_find(const struct xmlrpc_body *b, const char *name)
{
	size_t i, mask;
	uint32_t slot;

	if (b->hcap == 0) {
		for (i = 0; i < b->n; i++)
			if (strcmp(xmlrpc_name_of(b, i), name) == 0)
				return (ssize_t)i;
		return -1;
	}
	mask = b->hcap - 1;
	for (i = hash_name(name) & mask; (slot = b->hash[i]) != 0; i = (i + 1) & mask)
		if (strcmp(xmlrpc_name_of(b, slot - 1), name) == 0)
			return (ssize_t)slot - 1;
	return -1;
}

static ssize_t
struct_find(const struct xmlrpc_value *s, const char *name)
{
	return body_find(s->u.st, name);
}

size_t
xmlrpc_pool_add(struct xmlrpc_body *b, const char *name, size_t len)
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

/* No look-up for an existing member: the decoder folds duplicates when a struct closes. */
void
xmlrpc_body_append(struct xmlrpc_body *b, size_t name, struct xmlrpc_value *v)
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
void
xmlrpc_struct_seal(struct xmlrpc_value *s)
{
	struct xmlrpc_body *b = s->u.st;
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
	struct xmlrpc_body *b;
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
	xmlrpc_body_append(b, xmlrpc_pool_add(b, name, strlen(name)), v);
	if (b->hcap != 0 && b->n * 2 + 2 <= b->hcap)
		hash_insert(b, b->n - 1);
	else if (b->n > HASH_MIN)
		hash_rebuild(b);
}

struct xmlrpc_value *
xmlrpc_struct_take(struct xmlrpc_value *s, const char *name)
{
	struct xmlrpc_value *v;
	ssize_t at;

	if (s == NULL || s->type != XMLRPC_STRUCT || (at = struct_find(s, name)) < 0)
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
	return xmlrpc_name_of(v->u.st, i);
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

/* As XML-RPC allows: "+" and blanks around the digits are fine. */
int
xmlrpc_parse_int64(const char *s, size_t len, int64_t *out)
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
		if (xmlrpc_parse_int64(v->text, v->len, out) == 0)
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
			xmlrpc_struct_set(c, xmlrpc_name_of(v->u.st, i), xmlrpc_value_dup(v->u.st->m[i].v));
		return c;
	default:
		c = value_alloc(v->type, v->len);
		memcpy(c, v, sizeof(*v) + v->len + 1);
		return c;
	}
}


locale_t
xmlrpc_c_locale(void)
{
	static locale_t c;

	if (c == (locale_t)0)
		c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	return c;
}

