/*
 * procedure.h: CTX133466 as one journaled, resumable state machine (DESIGN §1).
 *
 * procedure_run() starts a new operation on HOST; procedure_resume() continues an
 * interrupted one from its last completed step.  Both hold the host's named lock for
 * the operation's life, record every step in operation_step, watch for CloudStack
 * re-enabling the host (and re-assert Disabled), and on any failure after the disable
 * restore the allocation column (compare-and-set) and close the operation as
 * rolled_back.  Codes: CSM_OK; CSM_ECONFLICT refused (checks failed, host held);
 * CSM_EFAIL failed and rolled back; CSM_EMANUAL failed and could not roll back.
 * The final report (operation, steps, patches) goes to stdout in the context's format.
 */
#ifndef CSM_PROCEDURE_H
#define CSM_PROCEDURE_H

struct cmd_ctx;

int procedure_run(struct cmd_ctx *ctx, const char *host, char *const *files, int nfiles,
    const char *catalog, int dry);
int procedure_resume(struct cmd_ctx *ctx, long long op_id);

#endif
