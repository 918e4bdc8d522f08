/* output.c: tables and JSON through libsmartcols, CSV by hand, for every listing. */
#include <sys/ioctl.h>
#include <libsmartcols.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <unistd.h>

#include "csmaint.h"
#include "output.h"

struct out_col {
	char		*name;
	enum out_type	 type;
};

struct out {
	char		*name;
	struct out_col	*cols;
	int		 ncols;
	char		**cells;	/* nrows * ncols, NULL = null */
	int		 nrows, cap;
};

int
out_format_parse(const char *s, enum out_format *f)
{
	if (strcmp(s, "table") == 0)
		*f = OUT_TABLE;
	else if (strcmp(s, "json") == 0)
		*f = OUT_JSON;
	else if (strcmp(s, "csv") == 0)
		*f = OUT_CSV;
	else
		return csm_err_set(CSM_EUSAGE, "unknown output format '%s' (use table, json "
		    "or csv)", s);
	return CSM_OK;
}

struct out *
out_new(const char *name)
{
	struct out *o = xcalloc(1, sizeof(*o));

	o->name = xstrdup(name);
	return o;
}

void
out_free(struct out *o)
{
	int i;

	if (o == NULL)
		return;
	for (i = 0; i < o->nrows * o->ncols; i++)
		free(o->cells[i]);
	for (i = 0; i < o->ncols; i++)
		free(o->cols[i].name);
	free(o->cells);
	free(o->cols);
	free(o->name);
	free(o);
}

void
out_col(struct out *o, const char *name, enum out_type type)
{
	o->cols = xrealloc(o->cols, sizeof(*o->cols) * (size_t)(o->ncols + 1));
	o->cols[o->ncols].name = xstrdup(name);
	o->cols[o->ncols].type = type;
	o->ncols++;
}

void
out_row(struct out *o)
{
	size_t need = (size_t)(o->nrows + 1) * (size_t)o->ncols;

	if (need > (size_t)o->cap) {
		size_t cap = o->cap ? (size_t)o->cap * 2 : 64;
		while (cap < need)
			cap *= 2;
		o->cells = xrealloc(o->cells, cap * sizeof(char *));
		o->cap = (int)cap;
	}
	memset(o->cells + (size_t)o->nrows * (size_t)o->ncols, 0,
	    (size_t)o->ncols * sizeof(char *));
	o->nrows++;
}

void
out_cell(struct out *o, int col, const char *value)
{
	char **cell = &o->cells[(size_t)(o->nrows - 1) * (size_t)o->ncols + (size_t)col];

	free(*cell);
	*cell = value ? xstrdup(value) : NULL;
}

void
out_cell_num(struct out *o, int col, long long value)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", value);
	out_cell(o, col, buf);
}

void
out_cell_bool(struct out *o, int col, int value)
{
	out_cell(o, col, value ? "true" : "false");
}

int
out_nrows(const struct out *o)
{
	return o->nrows;
}

const char *
out_name(const struct out *o)
{
	return o->name;
}

static const char *
cell(const struct out *o, int row, int col)
{
	return o->cells[(size_t)row * (size_t)o->ncols + (size_t)col];
}

/* RFC 4180: quote a field that holds a comma, quote, CR or LF (or leading space). */
static void
csv_field(FILE *fp, const char *s)
{
	const char *p;

	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL && !isspace((unsigned char)s[0])) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (p = s; *p; p++) {
		if (*p == '"')
			fputc('"', fp);
		fputc(*p, fp);
	}
	fputc('"', fp);
}

static void
print_csv(const struct out *o, FILE *fp)
{
	int r, c;

	for (c = 0; c < o->ncols; c++) {
		if (c)
			fputc(',', fp);
		csv_field(fp, o->cols[c].name);
	}
	fputs("\r\n", fp);
	for (r = 0; r < o->nrows; r++) {
		for (c = 0; c < o->ncols; c++) {
			if (c)
				fputc(',', fp);
			csv_field(fp, cell(o, r, c));
		}
		fputs("\r\n", fp);
	}
}

/*
 * Columns of free text (names, reasons, details).  In a table on a terminal they are
 * cut to fit its width, the way lsblk does it (SCOLS_FL_TRUNC); identifiers, states and
 * numbers are never cut.  JSON, CSV and a table that does not go to a terminal keep
 * every byte.
 */
static const char *const free_text[] = {
	"name", "host_name", "name_label", "instance_name", "resident_on", "applied_on",
	"operator", "reason", "last_error", "detail", "fact", "file", NULL
};

static int
is_free_text(const struct out_col *col)
{
	int i;

	if (col->type != OUT_STR)
		return 0;
	for (i = 0; free_text[i] != NULL; i++)
		if (strcmp(col->name, free_text[i]) == 0)
			return 1;
	return 0;
}

/*
 * A table for FP: on a terminal its width is the terminal's ($COLUMNS first, as for
 * util-linux), anywhere else it is never reduced.
 */
static void
fit_terminal(struct libscols_table *tb, FILE *fp)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");
	int fd = fileno(fp);
	long cols = 0;

	if (fd < 0 || !isatty(fd)) {
		scols_table_set_termforce(tb, SCOLS_TERMFORCE_NEVER);
		return;
	}
	scols_table_set_termforce(tb, SCOLS_TERMFORCE_ALWAYS);
	if (env != NULL && *env != '\0') {
		char *end;

		cols = strtol(env, &end, 10);
		if (*end != '\0')
			cols = 0;
	}
	if (cols <= 0 && ioctl(fd, TIOCGWINSZ, &ws) == 0)
		cols = ws.ws_col;
	if (cols > 0)
		scols_table_set_termwidth(tb, (size_t)cols);
}

static struct libscols_table *
make_scols(const struct out *o, enum out_format f)
{
	struct libscols_table *tb = scols_new_table();
	int r, c;

	if (tb == NULL)
		return NULL;
	scols_table_set_name(tb, o->name);
	if (f == OUT_JSON)
		scols_table_enable_json(tb, 1);
	for (c = 0; c < o->ncols; c++) {
		char hdr[128];
		struct libscols_column *cl;
		size_t i;

		for (i = 0; o->cols[c].name[i] && i < sizeof(hdr) - 1; i++)
			hdr[i] = f == OUT_JSON ? o->cols[c].name[i] :
			    (char)toupper((unsigned char)o->cols[c].name[i]);
		hdr[i] = '\0';
		cl = scols_table_new_column(tb, hdr, 0, o->cols[c].type == OUT_NUM ?
		    SCOLS_FL_RIGHT : f == OUT_TABLE && is_free_text(&o->cols[c]) ?
		    SCOLS_FL_TRUNC : 0);
		if (cl == NULL)
			goto fail;
		scols_column_set_json_type(cl, o->cols[c].type == OUT_NUM ? SCOLS_JSON_NUMBER :
		    o->cols[c].type == OUT_BOOL ? SCOLS_JSON_BOOLEAN_OPTIONAL : SCOLS_JSON_STRING);
	}
	for (r = 0; r < o->nrows; r++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (ln == NULL)
			goto fail;
		for (c = 0; c < o->ncols; c++) {
			const char *v = cell(o, r, c);
			/* libsmartcols reads a JSON boolean as false only from "0". */
			if (v != NULL && f == OUT_JSON && o->cols[c].type == OUT_BOOL)
				v = strcmp(v, "false") == 0 ? "0" : "1";
			if (v != NULL && scols_line_set_data(ln, (size_t)c, v) != 0)
				goto fail;
		}
	}
	return tb;
fail:
	scols_unref_table(tb);
	return NULL;
}

/*
 * Print one table as JSON members only ("name": [ … ]) so several tables form one
 * object: libsmartcols writes a whole object, and we keep what is between its braces.
 */
static int
print_json_members(const struct out *o, FILE *fp, int first)
{
	struct libscols_table *tb = make_scols(o, OUT_JSON);
	char *buf = NULL, *open, *close;
	size_t len = 0;
	FILE *mem;

	if (tb == NULL)
		return csm_err_set(CSM_EFAIL, "cannot build the %s listing", o->name);
	mem = open_memstream(&buf, &len);
	if (mem == NULL) {
		scols_unref_table(tb);
		return csm_err_set(CSM_EFAIL, "out of memory");
	}
	scols_table_set_stream(tb, mem);
	scols_print_table(tb);
	fclose(mem);
	scols_unref_table(tb);
	open = strchr(buf, '{');
	close = strrchr(buf, '}');
	if (open == NULL || close == NULL || close < open) {
		free(buf);
		return csm_err_set(CSM_EFAIL, "unexpected JSON from libsmartcols");
	}
	*close = '\0';
	/* Trim the newline after '{' and trailing whitespace. */
	open++;
	while (*open == '\n')
		open++;
	len = strlen(open);
	while (len > 0 && (open[len - 1] == '\n' || open[len - 1] == ' '))
		open[--len] = '\0';
	if (!first)
		fputs(",\n", fp);
	fputs(open, fp);
	free(buf);
	return CSM_OK;
}

int
out_json_members(struct out **tables, int n, FILE *fp, int first)
{
	int i, rc = CSM_OK;

	for (i = 0; i < n && rc == CSM_OK; i++)
		rc = print_json_members(tables[i], fp, first && i == 0);
	return rc;
}

/*
 * A JSON string for any bytes: valid UTF-8 is copied (control characters, '"' and '\\'
 * escaped), a byte that is not UTF-8 becomes U+FFFD, so the document stays valid.
 */
void
out_json_string(FILE *fp, const char *s)
{
	size_t i = 0;
	uint32_t c;
	int n;

	if (s == NULL) {
		fputs("null", fp);
		return;
	}
	fputc('"', fp);
	while (s[i] != '\0') {
		unsigned char b = (unsigned char)s[i];

		if (b == '"' || b == '\\') {
			fputc('\\', fp);
			fputc(b, fp);
			i++;
		} else if (b < 0x20 || b == 0x7f) {
			fprintf(fp, "\\u%04x", b);
			i++;
		} else if (b < 0x80) {
			fputc(b, fp);
			i++;
		} else if ((n = csm_utf8_decode(s + i, &c)) > 0) {
			fwrite(s + i, 1, (size_t)n, fp);
			i += (size_t)n;
		} else {
			fputs("\\ufffd", fp);
			i++;
		}
	}
	fputc('"', fp);
}

int
out_single(struct out **tables, int n, enum out_format f)
{
	char names[256] = "";
	size_t len = 0;
	int i;

	if (f != OUT_CSV || n <= 1)
		return CSM_OK;
	for (i = 0; i < n && len < sizeof(names) - 64; i++)
		len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
		    i ? ", " : "", tables[i]->name);
	return csm_err_set(CSM_EUSAGE, "CSV holds one table and this output has %d (%s): "
	    "use -o table or -o json", n, names);
}

int
out_print(struct out **tables, int n, enum out_format f, FILE *fp)
{
	int i, rc;

	if ((rc = out_single(tables, n, f)) != CSM_OK)
		return rc;
	if (f == OUT_JSON) {
		fputs("{\n", fp);
		rc = out_json_members(tables, n, fp, 1);
		fputs("\n}\n", fp);
		return rc;
	}
	for (i = 0; i < n; i++) {
		if (i > 0)
			fputs("\n", fp);
		if (f == OUT_CSV) {
			print_csv(tables[i], fp);
		} else {
			struct libscols_table *tb = make_scols(tables[i], f);
			if (tb == NULL)
				return csm_err_set(CSM_EFAIL, "cannot build the %s listing",
				    tables[i]->name);
			if (n > 1)
				scols_cell_set_data(scols_table_get_title(tb), tables[i]->name);
			fit_terminal(tb, fp);
			scols_table_set_stream(tb, fp);
			scols_print_table(tb);
			scols_unref_table(tb);
		}
	}
	return rc;
}
