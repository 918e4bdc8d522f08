/*
 * output.h: rows -> table, JSON or CSV on stdout.
 *
 * A command builds one or more tables: out_new("hosts"), out_col() for each column,
 * then out_row() and out_cell() per row, and hands them to out_print().  Cells are
 * copied; NULL is SQL NULL (JSON null, empty in CSV and tables).  JSON is one object
 * whose members are the tables' names (lsblk/findmnt style):
 *   {"hosts": [ {"id": 1, "name": "xs-01", …}, … ]}
 * A dry run is one document too, built by dry.c from what it recorded (dry.h).
 * Tables and JSON are produced by libsmartcols; CSV is RFC 4180.  A table printed on a
 * terminal fits its width: free-text columns (names, reasons, details) are cut, as lsblk
 * does; JSON, CSV and a table that is not printed on a terminal keep every byte.
 */
#ifndef CSM_OUTPUT_H
#define CSM_OUTPUT_H

#include <stdio.h>

enum out_format { OUT_TABLE = 0, OUT_JSON, OUT_CSV };
enum out_type { OUT_STR = 0, OUT_NUM, OUT_BOOL };

struct out;

/* Parse "table", "json" or "csv"; CSM_EUSAGE otherwise. */
int out_format_parse(const char *s, enum out_format *f);

struct out *out_new(const char *name);
void out_free(struct out *o);
/* Add a column; NAME is the JSON key and CSV header, the table header is its upper case. */
void out_col(struct out *o, const char *name, enum out_type type);
/* Start a new row; cells not set stay NULL. */
void out_row(struct out *o);
void out_cell(struct out *o, int col, const char *value);
void out_cell_num(struct out *o, int col, long long value);
void out_cell_bool(struct out *o, int col, int value);
int out_nrows(const struct out *o);

/*
 * Print N tables as one document (JSON: one object; tables: a blank line between).  CSV
 * holds one table: for N > 1 it prints nothing and refuses (CSM_EUSAGE, naming the
 * formats that work), as out_single() does, which a command calls before it starts.
 */
int out_print(struct out **tables, int n, enum out_format f, FILE *fp);
int out_single(struct out **tables, int n, enum out_format f);

/* For documents built of more than tables (dry.c): the tables as members of an object
 * being written ("hosts": [...], comma-separated; FIRST: no comma before the first), and
 * S as a JSON string (NULL: null) valid for any bytes. */
int out_json_members(struct out **tables, int n, FILE *fp, int first);
void out_json_string(FILE *fp, const char *s);

/* The name a table was made with. */
const char *out_name(const struct out *o);

#endif
