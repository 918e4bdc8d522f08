/* dry.c: the dry-run recorder: plan lines, SQL, XenAPI calls and tables, printed once. */
#include <stdlib.h>
#include <string.h>

#include "csmaint.h"
#include "db.h"
#include "dry.h"
#include "output.h"

enum dry_kind { DRY_NOTE, DRY_SQL, DRY_XENAPI, DRY_HTTP, DRY_TABLE };

/* A value: a string (NULL: null), an integer, or a reference (class + name). */
struct dry_val {
	char		 type;		/* 's', 'i', 'r' */
	char		*s;		/* 's': the string; 'r': the class */
	char		*name;		/* 'r': the name_label, may be NULL */
	long long	 i;
};

struct dry_item {
	enum dry_kind	 kind;
	char		*text;		/* note; SQL with literals; method */
	char		*statement;	/* SQL with placeholders; HTTP URL */
	char		*note;		/* XenAPI note; HTTP file */
	long long	 bytes;
	struct dry_val	*vals;
	size_t		 nvals;
	struct out	*table;
};

struct dry {
	char		*name, *would;
	char		**argv;
	int		 argc;
	struct dry_item	*items;
	size_t		 n;
	char		*refused;
};

struct dry *
dry_new(void)
{
	return xcalloc(1, sizeof(struct dry));
}

void
dry_free(struct dry *d)
{
	size_t i, j;
	int k;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		struct dry_item *it = &d->items[i];
		for (j = 0; j < it->nvals; j++) {
			free(it->vals[j].s);
			free(it->vals[j].name);
		}
		free(it->vals);
		free(it->text);
		free(it->statement);
		free(it->note);
		out_free(it->table);
	}
	for (k = 0; k < d->argc; k++)
		free(d->argv[k]);
	free(d->argv);
	free(d->items);
	free(d->name);
	free(d->would);
	free(d->refused);
	free(d);
}

void
dry_header(struct dry *d, const char *name, char *const *argv, int argc, const char *would)
{
	int i;

	if (d == NULL)
		return;
	free(d->name);
	free(d->would);
	d->name = xstrdup(name);
	d->would = xstrdup(would);
	d->argv = xcalloc((size_t)argc + 1, sizeof(char *));
	for (i = 0; i < argc; i++)
		d->argv[i] = xstrdup(argv[i]);
	d->argc = argc;
}

static struct dry_item *
add(struct dry *d, enum dry_kind kind)
{
	struct dry_item *it;

	d->items = xrealloc(d->items, sizeof(*d->items) * (d->n + 1));
	it = &d->items[d->n++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	return it;
}

/* Values per TYPES from AP ('r' takes two strings). */
static void
take_vals(struct dry_item *it, const char *types, va_list ap)
{
	size_t k;

	it->nvals = strlen(types);
	it->vals = xcalloc(it->nvals + 1, sizeof(*it->vals));
	for (k = 0; k < it->nvals; k++) {
		struct dry_val *v = &it->vals[k];
		const char *s, *name;

		v->type = types[k];
		if (v->type == 'i') {
			v->i = va_arg(ap, long long);
		} else if (v->type == 'r') {
			s = va_arg(ap, const char *);
			name = va_arg(ap, const char *);
			v->s = xstrdup(s ? s : "object");
			v->name = name ? xstrdup(name) : NULL;
		} else {
			s = va_arg(ap, const char *);
			v->type = 's';
			v->s = s ? xstrdup(s) : NULL;
		}
	}
}

void
dry_note(struct dry *d, const char *fmt, ...)
{
	struct dry_item *it;
	va_list ap;

	if (d == NULL)
		return;
	it = add(d, DRY_NOTE);
	va_start(ap, fmt);
	if (vasprintf(&it->text, fmt, ap) < 0) {
		fputs("csmaint: out of memory\n", stderr);
		abort();
	}
	va_end(ap);
}

void
dry_vsql(struct dry *d, const struct db *db, const char *sql, const char *types,
    va_list ap)
{
	struct dry_item *it;
	va_list copy;

	if (d == NULL)
		return;
	it = add(d, DRY_SQL);
	va_copy(copy, ap);
	it->text = db_vrender(db, sql, types, copy);
	va_end(copy);
	it->statement = db_expand(db, sql);
	take_vals(it, types, ap);
}

void
dry_sql(struct dry *d, const struct db *db, const char *sql, const char *types, ...)
{
	va_list ap;

	va_start(ap, types);
	dry_vsql(d, db, sql, types, ap);
	va_end(ap);
}

void
dry_xenapi(struct dry *d, const char *method, const char *note, const char *types, ...)
{
	struct dry_item *it;
	va_list ap;

	if (d == NULL)
		return;
	it = add(d, DRY_XENAPI);
	it->text = xstrdup(method);
	it->note = note ? xstrdup(note) : NULL;
	va_start(ap, types);
	take_vals(it, types, ap);
	va_end(ap);
}

/* URL without user:password@ and with every query value replaced by "…". */
static char *
safe_url(const char *url)
{
	const char *auth = strstr(url, "://"), *host = url, *q;
	size_t cap = strlen(url) * 3 + 16, len = 0;
	char *out = xmalloc(cap);

	if (auth != NULL && auth < url + strcspn(url, "/?#")) {
		const char *end, *p, *at = NULL;

		host = auth + 3;
		end = host + strcspn(host, "/?#");
		for (p = host; p < end; p++)
			if (*p == '@')
				at = p;
		memcpy(out, url, (size_t)(host - url));
		len = (size_t)(host - url);
		if (at != NULL)
			host = at + 1;
	}
	q = host + strcspn(host, "?#");
	memcpy(out + len, host, (size_t)(q - host));
	len += (size_t)(q - host);
	if (*q == '?') {
		const char *p = q + 1;

		out[len++] = '?';
		while (*p != '\0' && *p != '#') {
			size_t key = strcspn(p, "=&#");

			memcpy(out + len, p, key);
			len += key;
			p += key;
			if (*p == '=') {
				memcpy(out + len, "=\xe2\x80\xa6", 4);	/* "=…" */
				len += 4;
				p += 1 + strcspn(p + 1, "&#");
			}
			if (*p == '&')
				out[len++] = *p++;
		}
	}
	out[len] = '\0';
	return out;
}

void
dry_http(struct dry *d, const char *method, const char *url, const char *file,
    long long bytes)
{
	struct dry_item *it;

	if (d == NULL)
		return;
	it = add(d, DRY_HTTP);
	it->text = xstrdup(method);
	it->statement = safe_url(url);
	it->note = file ? xstrdup(file) : NULL;
	it->bytes = bytes;
}

void
dry_table(struct dry *d, struct out *o)
{
	if (d == NULL) {
		out_free(o);
		return;
	}
	add(d, DRY_TABLE)->table = o;
}

void
dry_refused(struct dry *d, const char *msg)
{
	if (d == NULL)
		return;
	free(d->refused);
	d->refused = xstrdup(msg);
}

/* ---- the table form ---- */

/* Text from elsewhere on a line of the plan: escaped, so it cannot end the line. */
static void
put_safe(FILE *fp, const char *s)
{
	char *e = csm_escape(s);

	fputs(e, fp);
	free(e);
}

static void
text_vals(FILE *fp, const struct dry_item *it)
{
	size_t k;

	for (k = 0; k < it->nvals; k++) {
		const struct dry_val *v = &it->vals[k];

		if (k)
			fputs(", ", fp);
		if (v->type == 'i') {
			fprintf(fp, "%lld", v->i);
		} else if (v->type == 'r') {
			put_safe(fp, v->s);
			if (v->name != NULL) {
				fputs(" '", fp);
				put_safe(fp, v->name);
				fputc('\'', fp);
			}
		} else if (v->s == NULL) {
			fputs("NULL", fp);
		} else {
			fputc('\'', fp);
			put_safe(fp, v->s);
			fputc('\'', fp);
		}
	}
}

static int
print_text(const struct dry *d, FILE *fp)
{
	struct out *t;
	size_t i;
	int k, rc = CSM_OK, after_table = 0;

	if (d->name != NULL) {
		fputs("-- dry run: csmaint ", fp);
		put_safe(fp, d->name);
		/* A comment line: an argument with a newline must not end it. */
		for (k = 0; k < d->argc; k++) {
			fputc(' ', fp);
			put_safe(fp, d->argv[k]);
		}
		fprintf(fp, " would %s; nothing was changed.\n-- Add --execute to do it.\n",
		    d->would);
	}
	for (i = 0; i < d->n && rc == CSM_OK; i++) {
		const struct dry_item *it = &d->items[i];

		if (after_table)
			fputc('\n', fp);
		after_table = 0;
		switch (it->kind) {
		case DRY_NOTE:
			fputs("-- ", fp);
			put_safe(fp, it->text);
			fputc('\n', fp);
			break;
		case DRY_SQL:
			/* Literals keep their bytes: the plan is SQL someone may run. */
			fprintf(fp, "%s;\n", it->text);
			break;
		case DRY_XENAPI:
			fputs("XenAPI ", fp);
			put_safe(fp, it->text);
			fputc('(', fp);
			text_vals(fp, it);
			fputc(')', fp);
			if (it->note != NULL) {
				fputc(' ', fp);
				put_safe(fp, it->note);
			}
			fputs(";\n", fp);
			break;
		case DRY_HTTP:
			fprintf(fp, "HTTP %s ", it->text);
			put_safe(fp, it->statement);
			if (it->note != NULL) {
				fprintf(fp, " (%lld bytes streamed from ", it->bytes);
				put_safe(fp, it->note);
				fputc(')', fp);
			}
			fputs(";\n", fp);
			break;
		case DRY_TABLE:
			if (i > 0)
				fputc('\n', fp);
			t = it->table;
			rc = out_print(&t, 1, OUT_TABLE, fp);
			after_table = 1;
			break;
		}
	}
	if (d->refused != NULL) {
		fputs("-- refused: ", fp);
		put_safe(fp, d->refused);
		fputc('\n', fp);
	}
	return rc;
}

/* ---- JSON ---- */

static void
json_vals(FILE *fp, const struct dry_item *it)
{
	size_t k;

	fputc('[', fp);
	for (k = 0; k < it->nvals; k++) {
		const struct dry_val *v = &it->vals[k];

		if (k)
			fputs(", ", fp);
		if (v->type == 'i') {
			fprintf(fp, "%lld", v->i);
		} else if (v->type == 'r') {
			fputs("{\"class\": ", fp);
			out_json_string(fp, v->s);
			fputs(", \"name_label\": ", fp);
			out_json_string(fp, v->name);
			fputc('}', fp);
		} else {
			out_json_string(fp, v->s);
		}
	}
	fputc(']', fp);
}

/* "KEY": [ the items of KIND ], one a line. */
static void
json_array(const struct dry *d, FILE *fp, const char *key, enum dry_kind kind)
{
	size_t i;
	int first = 1;

	fprintf(fp, ",\n  \"%s\": [", key);
	for (i = 0; i < d->n; i++) {
		const struct dry_item *it = &d->items[i];

		if (it->kind != kind)
			continue;
		fputs(first ? "\n    " : ",\n    ", fp);
		first = 0;
		switch (kind) {
		case DRY_NOTE:
			out_json_string(fp, it->text);
			break;
		case DRY_SQL:
			fputs("{\"statement\": ", fp);
			out_json_string(fp, it->statement);
			fputs(", \"values\": ", fp);
			json_vals(fp, it);
			fputc('}', fp);
			break;
		case DRY_XENAPI:
			fputs("{\"method\": ", fp);
			out_json_string(fp, it->text);
			fputs(", \"params\": ", fp);
			json_vals(fp, it);
			fputs(", \"note\": ", fp);
			out_json_string(fp, it->note);
			fputc('}', fp);
			break;
		case DRY_HTTP:
			fputs("{\"method\": ", fp);
			out_json_string(fp, it->text);
			fputs(", \"url\": ", fp);
			out_json_string(fp, it->statement);
			fputs(", \"file\": ", fp);
			out_json_string(fp, it->note);
			fprintf(fp, ", \"bytes\": %lld}", it->bytes);
			break;
		case DRY_TABLE:
			break;
		}
	}
	fputs(first ? "]" : "\n  ]", fp);
}

static int
print_json(const struct dry *d, FILE *fp)
{
	size_t i;
	int k, rc = CSM_OK;

	fputs("{\n  \"dry_run\": true,\n  \"command\": ", fp);
	out_json_string(fp, d->name);
	fputs(",\n  \"arguments\": [", fp);
	for (k = 0; k < d->argc; k++) {
		if (k)
			fputs(", ", fp);
		out_json_string(fp, d->argv[k]);
	}
	fputc(']', fp);
	json_array(d, fp, "plan", DRY_NOTE);
	json_array(d, fp, "sql", DRY_SQL);
	json_array(d, fp, "xenapi", DRY_XENAPI);
	json_array(d, fp, "http", DRY_HTTP);
	fputs(",\n  \"refused\": ", fp);
	out_json_string(fp, d->refused);
	for (i = 0; i < d->n && rc == CSM_OK; i++)
		if (d->items[i].kind == DRY_TABLE) {
			struct out *t = d->items[i].table;
			fputs(",\n", fp);
			rc = out_json_members(&t, 1, fp, 1);
		}
	fputs("\n}\n", fp);
	return rc;
}

int
dry_print(const struct dry *d, int json, FILE *fp)
{
	return json ? print_json(d, fp) : print_text(d, fp);
}
