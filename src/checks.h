/*
 * checks.h: the preconditions of the hotfix procedure (check HOST and the procedure's
 * first step).  check_run() appends one row per check to O (a check_table()) and
 * counts the failures; it changes nothing.  It returns a negative code only when a
 * check could not be evaluated at all (database error, unknown host).
 */
#ifndef CSM_CHECKS_H
#define CSM_CHECKS_H

struct cmd_ctx;
struct out;

struct out *check_table(void);
int check_run(struct cmd_ctx *ctx, const char *spec, char *const *patches, int npatches,
    struct out *o, int *failed);

#endif
