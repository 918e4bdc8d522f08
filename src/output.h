/*
 * output.h: rows -> table, JSON or CSV on stdout.
 *
 * A command builds one or more tables: out_new("hosts"), out_col() for each column,
 * then out_row() and out_cell() per row, and hands them to out_print().  Cells are
 * copied; NULL is SQL NULL (JSON null, empty in CSV and tables).  JSON is one object
 * whose members are the tables' names (lsblk/findmnt style):
 *   {"hosts": [ {"id": 1, "name": "xs-01", …}, … ]}
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

/* Print N tables as one document (JSON: one object; CSV and tables: blank line between). */
int out_print(struct out **tables, int n, enum out_format f, FILE *fp);

#endif
