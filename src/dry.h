/*
 * dry.h: the dry-run recorder, the one way every dry run reports what it would do.
 *
 * A dry run records what it would do into a struct dry, in order: plan lines
 * (dry_note), SQL statements with their values (dry_sql), XenAPI calls (dry_xenapi),
 * HTTP transfers (dry_http) and whole tables (dry_table), and, if the run is refused,
 * why (dry_refused).  The command prints it once, at the end, in the format -o asks
 * for (dry_print; commands call cmd_dry_begin()/cmd_dry_end() in cmd.h):
 *
 *   table (the human form): "-- dry run: csmaint NAME ARGS would WHAT; nothing was
 *     changed." and "-- Add --execute to do it.", then every item in order: a plan
 *     line as a "-- " comment (escaped: text from a server cannot end the comment), a
 *     statement as SQL with its values as literals and ";", a call as "XenAPI
 *     METHOD(PARAMS);", a table as a table, and "-- refused: MESSAGE".
 *   JSON: one object (csmaint(8), OUTPUT, names these members):
 *     {"dry_run": true, "command": "host disable", "arguments": ["xs-01"],
 *      "plan": ["host 1 (xs-01): allocation_state 'Enabled' -> 'Disabled'", ...],
 *      "sql": [{"statement": "UPDATE host SET allocation_state = ? WHERE id = ? ...",
 *               "values": ["Disabled", 1, ...]}, ...],
 *      "xenapi": [{"method": "Async.host.reboot",
 *                  "params": [{"class": "host", "name_label": "xs-01"}], "note": null}],
 *      "http": [{"method": "PUT", "url": "https://10.0.0.1/pool_patch_upload?...",
 *                "file": "/tmp/XS56EFP1003.xsupdate", "bytes": 1234}],
 *      "refused": null,
 *      "checks": [...], "patches": [...]}   (tables, by their names)
 *   CSV: none; cmd_dry_begin() refuses it (a dry run is not one table).
 *
 * Secrets never enter a recorder: XenAPI params leave out the session reference every
 * call takes first, and dry_http() drops a URL's user:password@ and replaces every
 * query value with "…".  Every text is copied.  All functions accept DRY == NULL and
 * do nothing then, so code that executes or dry-runs with the same path can call them
 * unconditionally.  The recorder needs no output.h: domain modules (toggle.c,
 * procedure.c) record, the command layer prints.
 */
#ifndef CSM_DRY_H
#define CSM_DRY_H

#include <stdarg.h>
#include <stdio.h>

struct db;
struct out;
struct dry;

struct dry *dry_new(void);
void dry_free(struct dry *d);

/* The header: the command NAME ("host disable"), its positional arguments, and what
 * it WOULD do ("run these statements", "make these calls", "do this"). */
void dry_header(struct dry *d, const char *name, char *const *argv, int argc,
    const char *would);

/* One line of the plan, printf-style (no newline; one line each). */
void dry_note(struct dry *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A SQL statement as it would run: SQL and TYPES as db_query() takes them (db.h: 's'
 * const char * or NULL, 'i' long long), {J} {C} {U} replaced through DB.  The table
 * form shows it with the values as literals (db_render), JSON as "statement" with the
 * placeholders and "values".  START TRANSACTION and COMMIT are statements too (TYPES "").
 */
void dry_sql(struct dry *d, const struct db *db, const char *sql, const char *types, ...);
void dry_vsql(struct dry *d, const struct db *db, const char *sql, const char *types,
    va_list ap);

/*
 * A XenAPI call: METHOD ("Async.pool_patch.apply") with the parameters after the
 * session, described by TYPES: 's' a string, 'i' a long long, 'r' an object reference
 * given as two strings, its class ("host") and its name_label (NULL: not named, as the
 * task a previous call made).  NOTE (may be NULL) says more: "until the task ends".
 */
void dry_xenapi(struct dry *d, const char *method, const char *note, const char *types,
    ...);

/* An HTTP transfer: METHOD ("PUT") to URL of the body read from FILE (BYTES long). */
void dry_http(struct dry *d, const char *method, const char *url, const char *file,
    long long bytes);

/* A table shown where it was added (JSON: a member named after it); DRY owns it now.
 * Tables of one dry run need different names. */
void dry_table(struct dry *d, struct out *o);

/* Why the dry run stopped: the check that refuses it, or the failure. */
void dry_refused(struct dry *d, const char *msg);

/* Print D on FP: JSON != 0 one JSON object, else the table form (above). */
int dry_print(const struct dry *d, int json, FILE *fp);

#endif
