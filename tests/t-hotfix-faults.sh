#!/usr/bin/env bash
# Fault matrix: a step fails (XenAPI errors, timeouts, ErrorInMaintenance, a host that
# never returns, a signal) -> the allocation column is back at its prior value, the
# operation is rolled_back with the cause, exit 1.  A row changed by someone else: the
# restore refuses, exit 5, and the operation stays open for recover.
. "$TOP_SRCDIR/tests/lib/common.sh"
need_py pymysql python3-pymysql	# the management-server simulator (tests/mssim)
rolled_back() {	# DESC CAUSE-PATTERN
	expect_eq "$1: row back at its prior value" Enabled "$(alloc_of 1)"
	expect_eq "$1: operation rolled back and closed" "rolled_back	NULL" \
		"$(sql "SELECT state, IFNULL(open_host,'NULL') FROM operation ORDER BY id DESC LIMIT 1" csmaint)"
	if sql "SELECT last_error FROM operation ORDER BY id DESC LIMIT 1" csmaint | grep -Eq "$2"; then
		ok "$1: last_error says why"
	else
		not_ok "$1: last_error '$(sql "SELECT last_error FROM operation ORDER BY id DESC LIMIT 1" csmaint)' lacks $2"
	fi
}

# 1. apply fails (PATCH_APPLY_FAILED).
hotfix_fresh
"$CSMAINT" -c "$CONF" patch upload --host xs-01 "$F3" --execute >/dev/null 2>&1
simctl set-patch XS56EFP1003 apply_fail="dom0: cannot write /boot" >/dev/null
msctl autopilot xs-01 >/dev/null
expect_exit 1 "apply fails" hotfix xs-01 "$F3" --execute
expect_err "rolled back" "says it rolled back"
rolled_back "apply failure" "PATCH_APPLY_FAILED"

# 2. precheck: failing before anything changed is a refusal (exit 4, no operation);
#    failing at the patch step (the pool changed meanwhile) rolls back (exit 1).
hotfix_fresh
"$CSMAINT" -c "$CONF" patch upload --host xs-01 "$F3" --execute >/dev/null 2>&1
simctl set-patch XS56EFP1003 product_version=6.0.0 >/dev/null
expect_exit 4 "precheck fails in the checks: refused" hotfix xs-01 "$F3" --execute
expect_out "precheck XS56EFP1003 +fail" "the failing check is shown"
expect_eq "refusal: no operation, row untouched" "0 Enabled" "$(sql "SELECT COUNT(*) FROM operation" csmaint) $(alloc_of 1)"
simctl set-patch XS56EFP1003 product_version=5.6.100 >/dev/null
"$CSMAINT" -c "$CONF" hotfix xs-01 "$F3" --execute >"$OUT" 2>"$ERR" &
pid=$!
wait_step disable
simctl set-patch XS56EFP1003 product_version=6.0.0 >/dev/null
msctl autopilot xs-01 >/dev/null
wait $pid
RC=$?
expect_eq "precheck fails at the patch step: exit 1" 1 "$RC"
rolled_back "precheck failure" "WRONG_SERVER_VERSION"

# 3. upload fails (out of space on the master).  Maintenance of xs-01 makes xs-02 the
#    master (CloudStack's MaintainCommand) before the procedure uploads: fill both.
hotfix_fresh
simctl set-host xs-01 patch_space_free=1000 >/dev/null
simctl set-host xs-02 patch_space_free=1000 >/dev/null
msctl autopilot xs-01 >/dev/null
expect_exit 1 "upload fails" hotfix xs-01 "$F3" --execute
rolled_back "upload failure" "OUT_OF_SPACE"

# 4. an operator wait times out (nobody migrates the VMs).
PROC_CONF='procedure = { poll_interval = 0.2; wait_timeout = 2; reboot_timeout = 30; };'
hotfix_fresh
expect_exit 1 "wait timeout" hotfix xs-01 "$F3" --execute
expect_err "timed out after 2 s .*user VMs to leave the host; last seen: i-2-1-VM" "says what it saw last"
rolled_back "wait timeout" "timed out"

# 5. someone changed the row during the operation: restore refuses, exit 5, op stays open.
hotfix_fresh
"$CSMAINT" -c "$CONF" hotfix xs-01 "$F3" --execute >"$OUT" 2>"$ERR" &
pid=$!
wait_step disable
sql "UPDATE host SET allocation_state = 'Bogus' WHERE id = 1"
wait $pid
RC=$?
expect_eq "exit 5: could not roll back" 5 "$RC"
expect_err "csmaint recover [0-9]+ --execute" "the message says exactly what to run"
expect_eq "operation left open as failed" "failed	1" "$(sql "SELECT state, open_host FROM operation" csmaint)"
expect_eq "the foreign value was not overwritten" Bogus "$(alloc_of 1)"
expect_exit 4 "recover refuses the foreign value too" recover 1 --execute
sql "UPDATE host SET allocation_state = 'Disabled' WHERE id = 1"
expect_exit 0 "after the DBA fixed it, recover closes it" recover 1 --execute
expect_eq "row Enabled" Enabled "$(alloc_of 1)"
PROC_CONF=

# 6. ErrorInMaintenance fails the operation (a VM CloudStack cannot migrate).
hotfix_fresh
"$CSMAINT" -c "$CONF" hotfix xs-01 "$F3" --execute >"$OUT" 2>"$ERR" &
pid=$!
wait_step disable
msctl fail-migration i-2-1-VM -1 >/dev/null
msctl prepare-maintenance xs-01 >/dev/null
wait $pid
RC=$?
expect_eq "ErrorInMaintenance: exit 1" 1 "$RC"
expect_err "ErrorInMaintenance" "names the maintenance failure"
rolled_back "ErrorInMaintenance" "ErrorInMaintenance"

# 7. the host never comes back after its reboot.
PROC_CONF='procedure = { poll_interval = 0.2; wait_timeout = 60; reboot_timeout = 4; };'
hotfix_fresh
simctl set-host xs-01 never_comes_back=true >/dev/null
msctl autopilot xs-01 >/dev/null
expect_exit 1 "host never returns" hotfix xs-01 "$F3" --execute
expect_err "did not come back within 4 s; last seen" "names what was last seen"
rolled_back "reboot timeout" "did not come back"
PROC_CONF=

# 8. SIGTERM during a wait: roll back, exit 1.
hotfix_fresh
"$CSMAINT" -c "$CONF" hotfix xs-01 "$F3" --execute >"$OUT" 2>"$ERR" &
pid=$!
wait_step wait-vms running
kill -TERM $pid
wait $pid
RC=$?
expect_eq "SIGTERM: exit 1" 1 "$RC"
rolled_back "SIGTERM" "interrupted by signal 15"
finish
